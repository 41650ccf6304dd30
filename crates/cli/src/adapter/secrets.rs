//! Which fields of a vector hold credentials: the ones `vectors/schema/vectors.schema.json`
//! annotates with `"x-secret": true`. The schema is the one list; a field added to a kind and
//! marked there is kept out of reports without a change here.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use super::redact::Secrets;
use caveatspec_vectors::{Kind, Vector, VectorFile, SCHEMA};

/// `$ref` chains and nesting deeper than this are a broken schema, not a deeper secret.
const MAX_DEPTH: usize = 32;

/// One step from a value to a field in it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// The member of that name.
    Key(String),
    /// Every element of an array, or every member of an object.
    Each,
}

/// The paths, below `input` and below `expected`, of a kind's secret fields.
#[derive(Debug, Default)]
struct KindFields {
    input: Vec<Vec<Step>>,
    expected: Vec<Vec<Step>>,
}

/// Every kind's secret fields.
#[derive(Debug)]
pub struct SecretFields {
    by_kind: HashMap<Kind, KindFields>,
}

/// The secret fields the schema marks; an error when the compiled-in schema cannot be read
/// (the runner then refuses to run rather than report without redaction).
pub fn secret_fields() -> Result<&'static SecretFields, String> {
    static FIELDS: OnceLock<Result<SecretFields, String>> = OnceLock::new();
    FIELDS
        .get_or_init(|| SecretFields::from_schema(SCHEMA))
        .as_ref()
        .map_err(|e| format!("vectors.schema.json: {e}"))
}

impl SecretFields {
    fn from_schema(text: &str) -> Result<SecretFields, String> {
        let root: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let rules = root
            .pointer("/$defs/vector/allOf")
            .and_then(Value::as_array)
            .ok_or("no $defs/vector/allOf")?;
        let mut by_kind: HashMap<Kind, KindFields> = HashMap::new();
        for rule in rules {
            let Some(kind) = rule.pointer("/if/properties/kind") else {
                continue;
            };
            let kinds: Vec<Kind> = match (kind.get("const"), kind.get("enum")) {
                (Some(one), _) => {
                    vec![serde_json::from_value(one.clone()).map_err(|e| e.to_string())?]
                }
                (None, Some(many)) => {
                    serde_json::from_value(many.clone()).map_err(|e| e.to_string())?
                }
                (None, None) => continue,
            };
            let mut input = Vec::new();
            let mut expected = Vec::new();
            if let Some(node) = rule.pointer("/then/properties/input") {
                walk(&root, node, &mut Vec::new(), &mut input, 0)?;
            }
            if let Some(node) = rule.pointer("/then/properties/expected") {
                walk(&root, node, &mut Vec::new(), &mut expected, 0)?;
            }
            for k in kinds {
                let f = by_kind.entry(k).or_default();
                f.input.extend(input.iter().cloned());
                f.expected.extend(expected.iter().cloned());
            }
        }
        for f in by_kind.values_mut() {
            f.input.dedup();
            f.expected.dedup();
        }
        Ok(SecretFields { by_kind })
    }

    /// The names of the secret fields of `kind`'s input, as dotted paths (`replay.*.proof`).
    pub fn input_fields(&self, kind: Kind) -> Vec<String> {
        let show = |p: &Vec<Step>| {
            p.iter()
                .map(|s| match s {
                    Step::Key(k) => k.as_str(),
                    Step::Each => "*",
                })
                .collect::<Vec<_>>()
                .join(".")
        };
        self.by_kind
            .get(&kind)
            .map(|f| f.input.iter().map(show).collect())
            .unwrap_or_default()
    }

    /// Every string a vector holds in a secret field of its input or its expectation.
    pub fn values_of<'a>(&self, v: &'a Vector) -> Vec<&'a str> {
        let mut out = Vec::new();
        if let Some(f) = self.by_kind.get(&v.kind) {
            for p in &f.input {
                strings_at(&v.input, p, &mut out);
            }
            for p in &f.expected {
                strings_at(&v.expected, p, &mut out);
            }
        }
        out
    }
}

/// Every secret the vectors of `files` hold, by the schema's `x-secret` fields: a report is
/// redacted with all of them, so an adapter that repeats an earlier vector's input is caught too.
pub(crate) fn secrets_of_files(files: &[VectorFile]) -> Result<Secrets, String> {
    let fields = secret_fields()?;
    Ok(Secrets::new(
        files
            .iter()
            .flat_map(|f| &f.vectors)
            .flat_map(|v| fields.values_of(v)),
    ))
}

/// Collects the paths of the nodes marked `x-secret` under `node`, following local `$ref`s and
/// every branch of `oneOf`/`anyOf`/`allOf`/`if`.
fn walk(
    root: &Value,
    node: &Value,
    path: &mut Vec<Step>,
    out: &mut Vec<Vec<Step>>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("nested or referenced too deeply".into());
    }
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .ok_or_else(|| format!("unresolvable $ref {r}"))?;
        walk(root, target, path, out, depth + 1)?;
    }
    if node.get("x-secret") == Some(&Value::Bool(true)) && !out.contains(path) {
        out.push(path.clone());
    }
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            path.push(Step::Key(name.clone()));
            walk(root, sub, path, out, depth + 1)?;
            path.pop();
        }
    }
    for each in ["items", "additionalProperties"] {
        if let Some(sub) = node.get(each).filter(|s| s.is_object()) {
            path.push(Step::Each);
            walk(root, sub, path, out, depth + 1)?;
            path.pop();
        }
    }
    for branches in ["oneOf", "anyOf", "allOf"] {
        for sub in node
            .get(branches)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(root, sub, path, out, depth + 1)?;
        }
    }
    for branch in ["then", "else"] {
        if let Some(sub) = node.get(branch) {
            walk(root, sub, path, out, depth + 1)?;
        }
    }
    Ok(())
}

/// Every string at or under `path` in `v` (a secret array or object is secret whole).
fn strings_at<'a>(v: &'a Value, path: &[Step], out: &mut Vec<&'a str>) {
    match path.split_first() {
        None => match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| strings_at(x, path, out)),
            Value::Object(o) => o.values().for_each(|x| strings_at(x, path, out)),
            _ => {}
        },
        Some((Step::Key(k), rest)) => {
            if let Some(sub) = v.as_object().and_then(|o| o.get(k)) {
                strings_at(sub, rest, out);
            }
        }
        Some((Step::Each, rest)) => match v {
            Value::Array(a) => a.iter().for_each(|x| strings_at(x, rest, out)),
            Value::Object(o) => o.values().for_each(|x| strings_at(x, rest, out)),
            _ => {}
        },
    }
}

#[cfg(test)]
mod tests {
    use super::secret_fields;
    use caveatspec_vectors::{shipped, Kind};

    /// Every input field that is named like a credential is marked, in every kind.
    #[test]
    fn every_kind_marks_its_credential_fields() {
        let fields = secret_fields().expect("the schema reads");
        let credential = [
            "token",
            "key",
            "key_hex",
            "authorization",
            "dpop",
            "proof",
            "access_token",
        ];
        let mut seen_kinds = std::collections::HashSet::new();
        for file in shipped().expect("vectors load") {
            for v in &file.vectors {
                seen_kinds.insert(v.kind);
                let marked = fields.input_fields(v.kind);
                for name in v.input.as_object().into_iter().flatten().map(|(k, _)| k) {
                    if credential.contains(&name.as_str()) {
                        assert!(
                            marked.contains(name),
                            "{:?}.{name} is not x-secret: {marked:?}",
                            v.kind
                        );
                    }
                }
                if v.input.get("replay").is_some() {
                    assert!(
                        marked.iter().any(|m| m == "replay.*.proof"),
                        "{:?}: {marked:?}",
                        v.kind
                    );
                }
            }
        }
        assert_eq!(seen_kinds.len(), 10, "every kind is shipped");
        assert!(fields
            .input_fields(Kind::JwkThumbprint)
            .contains(&"jwk.d".to_owned()));
        assert!(fields.input_fields(Kind::Caveat).is_empty());
    }

    #[test]
    fn produced_tokens_and_input_credentials_are_collected() {
        let fields = secret_fields().expect("the schema reads");
        let files = shipped().expect("vectors load");
        let v = files
            .iter()
            .flat_map(|f| &f.vectors)
            .find(|v| v.kind == Kind::Mint && v.expected.get("token").is_some())
            .expect("a mint vector with a token");
        let got = fields.values_of(v);
        assert!(got.contains(&v.expected["token"].as_str().unwrap()));
        assert!(got.contains(&v.input["key_hex"].as_str().unwrap()));
        let atr = files
            .iter()
            .flat_map(|f| &f.vectors)
            .find(|v| v.kind == Kind::AtrDpopRequest)
            .expect("an atr_dpop_request vector");
        let got = fields.values_of(atr);
        for a in atr.input["authorization"].as_array().unwrap() {
            assert!(got.contains(&a.as_str().unwrap()));
        }
        assert!(!got.contains(&atr.input["method"].as_str().unwrap()));
    }
}
