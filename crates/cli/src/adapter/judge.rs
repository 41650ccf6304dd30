//! Holding an answer to a vector's expectation, and saying how it failed.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::redact::Secrets;
use super::secrets::secrets_of_files;
use super::text::{clip, MAX_WHY};
use caveatspec_vectors::Profile;
use caveatspec_vectors::{
    answer, basis_for, expected_for, BasisClass, Implementation, Kind, VectorFile,
};

/// How a vector failed, from the most to the least dangerous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// Expected invalid, answered valid: a credential accepted that must be refused.
    AcceptsInvalid,
    /// Expected valid, answered invalid.
    RefusesValid,
    /// The verdict agreed, the error codes did not.
    WrongCodes,
    /// The verdict and codes agreed, the message (compared when claimed) did not.
    WrongMessage,
    /// Accepted as expected, but what it produced (a token, a decoded field) differs.
    WrongValue,
    /// Crashed, hung, wrote garbage, or was not attempted after repeated hangs.
    Crashed,
}

impl FailureClass {
    /// Every class, in report order.
    pub const ALL: [FailureClass; 6] = [
        FailureClass::AcceptsInvalid,
        FailureClass::RefusesValid,
        FailureClass::WrongCodes,
        FailureClass::WrongMessage,
        FailureClass::WrongValue,
        FailureClass::Crashed,
    ];

    /// Its name in JSON (`accepts_invalid`).
    pub fn name(self) -> &'static str {
        match self {
            FailureClass::AcceptsInvalid => "accepts_invalid",
            FailureClass::RefusesValid => "refuses_valid",
            FailureClass::WrongCodes => "wrong_codes",
            FailureClass::WrongMessage => "wrong_message",
            FailureClass::WrongValue => "wrong_value",
            FailureClass::Crashed => "crashed",
        }
    }

    /// Its name in prose (`accepts invalid`).
    pub fn label(self) -> String {
        self.name().replace('_', " ")
    }
}

/// What became of one vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Judgement {
    /// Agreed with the expectation.
    Passed,
    /// Disagreed: how, and what it did instead (secrets redacted).
    Failed {
        /// Which part disagreed.
        class: FailureClass,
        /// What it did instead.
        why: String,
    },
    /// Outside what the implementation declares, or answered that it does not implement.
    Unsupported {
        /// Why.
        why: String,
    },
    /// Crashed, hung, or wrote something that is not a response (secrets redacted).
    Crashed {
        /// What happened.
        why: String,
    },
}

impl Judgement {
    /// The failure class, for a failed or crashed vector.
    pub fn class(&self) -> Option<FailureClass> {
        match self {
            Judgement::Failed { class, .. } => Some(*class),
            Judgement::Crashed { .. } => Some(FailureClass::Crashed),
            Judgement::Passed | Judgement::Unsupported { .. } => None,
        }
    }

    /// The reason given, if any.
    pub fn why(&self) -> Option<&str> {
        match self {
            Judgement::Failed { why, .. }
            | Judgement::Unsupported { why }
            | Judgement::Crashed { why } => Some(why),
            Judgement::Passed => None,
        }
    }

    /// A crash, with its reason redacted and bounded.
    pub(crate) fn crashed(why: &str, secrets: &Secrets) -> Judgement {
        Judgement::Crashed {
            why: shown(why, secrets),
        }
    }
}

/// What an answer claims to reproduce; the rest is not held against it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claims {
    /// Its `codes` are compared when it sent them (always, for the reference).
    pub codes_when_sent: bool,
    /// Its messages are PyPI's, compared in the warehouse profile.
    pub messages: bool,
    /// Only the produced fields it sent are compared (an adapter); otherwise every expected
    /// field must be there (the reference).
    pub only_sent_fields: bool,
}

/// Text for a report: secrets replaced first, then cut, so a cut never leaves half a secret.
pub(crate) fn shown(text: &str, secrets: &Secrets) -> String {
    clip(&secrets.redact(text), MAX_WHY)
}

/// Judges `got` (`valid`, `codes`, `message` and produced fields, as [`caveatspec_vectors::answer`]
/// gives them) against `expected` for `profile`.
pub(crate) fn judge(
    expected: &Value,
    got: &Map<String, Value>,
    profile: Profile,
    claims: Claims,
    secrets: &Secrets,
) -> Judgement {
    let failed = |class, why: String| Judgement::Failed {
        class,
        why: shown(&why, secrets),
    };
    let valid = got.get("valid").and_then(Value::as_bool);
    let exp_valid = expected.get("valid").and_then(Value::as_bool);
    if valid != exp_valid {
        let class = if valid == Some(true) {
            FailureClass::AcceptsInvalid
        } else {
            FailureClass::RefusesValid
        };
        let said = describe(got);
        let exp = if exp_valid == Some(true) {
            "valid"
        } else {
            "invalid"
        };
        return failed(class, format!("expected {exp}, got {said}"));
    }
    let none = Value::Array(Vec::new());
    let got_codes = got.get("codes");
    if got_codes.is_some() || !claims.codes_when_sent {
        let e = expected.get("codes").unwrap_or(&none);
        let g = got_codes.unwrap_or(&none);
        if e != g {
            return failed(
                FailureClass::WrongCodes,
                format!("expected codes {e}, got {g}"),
            );
        }
    }
    if claims.messages && profile == Profile::Warehouse {
        if let (Some(e), Some(g)) = (expected.get("message"), got.get("message")) {
            if e != g {
                return failed(
                    FailureClass::WrongMessage,
                    format!(
                        "expected message {e}, got {}",
                        clip(&g.to_string(), MAX_WHY)
                    ),
                );
            }
        }
    }
    for (k, e) in expected.as_object().into_iter().flatten() {
        if matches!(k.as_str(), "valid" | "codes" | "message") {
            continue;
        }
        match got.get(k) {
            Some(g) if g == e => {}
            Some(g) => return failed(FailureClass::WrongValue, differs(k, e, g, secrets)),
            None if claims.only_sent_fields => {}
            None => {
                return failed(
                    FailureClass::WrongValue,
                    format!("{k}: expected, got nothing"),
                )
            }
        }
    }
    Judgement::Passed
}

/// How two values of field `k` differ. When either holds a secret (a produced token), neither
/// is shown: their lengths and the first byte where they part are.
fn differs(k: &str, e: &Value, g: &Value, secrets: &Secrets) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (et, gt) = (text(e), text(g));
    if secrets.redact(&et) == et && secrets.redact(&gt) == gt {
        return format!(
            "{k}: expected {}, got {}",
            clip(&e.to_string(), MAX_WHY / 2),
            clip(&g.to_string(), MAX_WHY / 2)
        );
    }
    let at = et
        .bytes()
        .zip(gt.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(et.len().min(gt.len()));
    format!(
        "{k} (a credential, not shown) differs: expected {} bytes, got {} bytes, first difference at byte {at}",
        et.len(),
        gt.len()
    )
}

/// The verdict an answer gave, its codes and the start of its message.
fn describe(got: &Map<String, Value>) -> String {
    let mut s = String::from(match got.get("valid").and_then(Value::as_bool) {
        Some(true) => "valid",
        _ => "invalid",
    });
    if let Some(c) = got
        .get("codes")
        .filter(|c| c.as_array().is_some_and(|a| !a.is_empty()))
    {
        s.push_str(&format!(" {}", clip(&c.to_string(), MAX_WHY / 2)));
    }
    if let Some(m) = got.get("message").and_then(Value::as_str) {
        s.push_str(&format!(": {}", clip(m, 160)));
    }
    s
}

/// What an implementation answered, when it answered `valid` or `invalid`: an implementation
/// that refuses everything scores well on the invalid vectors, and its refusals without codes
/// are what show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Answered `valid`.
    Valid,
    /// Answered `invalid` with at least one error code.
    Invalid,
    /// Answered `invalid` with no error code (none sent, or an empty list).
    InvalidWithoutCodes,
}

impl Answer {
    /// The answer `got` holds (as [`judge`] takes it), if it gave a verdict.
    pub(crate) fn of(got: &Map<String, Value>) -> Option<Answer> {
        let with_codes = got
            .get("codes")
            .and_then(Value::as_array)
            .is_some_and(|c| !c.is_empty());
        match got.get("valid").and_then(Value::as_bool)? {
            true => Some(Answer::Valid),
            false if with_codes => Some(Answer::Invalid),
            false => Some(Answer::InvalidWithoutCodes),
        }
    }

    /// Whether it refused.
    pub fn is_invalid(self) -> bool {
        self != Answer::Valid
    }
}

/// One vector's verdict.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VectorReport {
    /// Vector id.
    pub id: String,
    /// Its category.
    pub category: String,
    /// Its kind.
    pub kind: Kind,
    /// The profile whose expectation it was held to.
    pub profile: &'static str,
    /// What that expectation follows: an RFC, PyPI, ATR, this specification's policy, or its
    /// policy where the RFCs leave the outcome open.
    pub basis: BasisClass,
    /// The verdict.
    pub verdict: Judgement,
    /// What the implementation answered, when it gave a verdict (not when it crashed or the
    /// vector is unsupported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
}

/// Runs every vector of `files` through `imp` in this process, under each of `profiles`
/// (a profile-free kind once, under the first), judged as an adapter's answers are but held to
/// every expected field.
pub fn run_in_process(
    imp: &dyn Implementation,
    files: &[VectorFile],
    profiles: &[Profile],
) -> Result<Vec<VectorReport>, String> {
    let secrets = secrets_of_files(files)?;
    let claims = Claims {
        codes_when_sent: false,
        messages: true,
        only_sent_fields: false,
    };
    let mut out = Vec::new();
    for file in files {
        for v in &file.vectors {
            let once = [profiles.first().copied().unwrap_or(Profile::Warehouse)];
            let these = if v.kind.per_profile() {
                profiles
            } else {
                &once[..]
            };
            for &profile in these {
                let (verdict, answered) = match (
                    expected_for(v, profile),
                    answer(imp, v.kind, &v.input, profile),
                ) {
                    (None, _) => (
                        Judgement::Unsupported {
                            why: format!("no expectation for profile {profile}"),
                        },
                        None,
                    ),
                    (_, Ok(None)) => (
                        Judgement::Unsupported {
                            why: format!("{} does not implement {:?}", imp.name(), v.kind),
                        },
                        None,
                    ),
                    (_, Err(e)) => (
                        Judgement::crashed(&format!("bad vector input: {e}"), &secrets),
                        None,
                    ),
                    (Some(expected), Ok(Some(got))) => {
                        let got = got.as_object().cloned().unwrap_or_default();
                        (
                            judge(expected, &got, profile, claims, &secrets),
                            Answer::of(&got),
                        )
                    }
                };
                out.push(VectorReport {
                    id: v.id.clone(),
                    category: file.category.clone(),
                    kind: v.kind,
                    profile: profile.name(),
                    basis: basis_for(v, profile).class(),
                    verdict,
                    answer: answered,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn judged(expected: Value, got: Value) -> Judgement {
        let claims = Claims {
            codes_when_sent: true,
            messages: false,
            only_sent_fields: true,
        };
        let token = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBm";
        let got = got.as_object().cloned().unwrap_or_default();
        judge(
            &expected,
            &got,
            Profile::Strict,
            claims,
            &Secrets::new([token]),
        )
    }

    #[test]
    fn each_kind_of_disagreement_has_its_class() {
        let invalid = json!({"valid": false, "codes": ["a.b"]});
        let valid = json!({"valid": true, "codes": []});
        let class = |v: Judgement| v.class();
        assert_eq!(
            class(judged(invalid.clone(), json!({"valid": true}))),
            Some(FailureClass::AcceptsInvalid)
        );
        assert_eq!(
            class(judged(valid.clone(), json!({"valid": false}))),
            Some(FailureClass::RefusesValid)
        );
        assert_eq!(
            class(judged(
                invalid.clone(),
                json!({"valid": false, "codes": ["c.d"]})
            )),
            Some(FailureClass::WrongCodes)
        );
        assert_eq!(class(judged(invalid, json!({"valid": false}))), None);
        assert_eq!(
            class(judged(
                json!({"valid": true, "kind": "x"}),
                json!({"valid": true, "kind": "y"})
            )),
            Some(FailureClass::WrongValue)
        );
    }

    #[test]
    fn a_differing_secret_is_described_without_either_side() {
        let expected = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBm";
        let produced = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmXX";
        let v = judged(
            json!({"valid": true, "token": expected}),
            json!({"valid": true, "token": produced}),
        );
        let Judgement::Failed {
            class: FailureClass::WrongValue,
            why,
        } = v
        else {
            panic!("{v:?}")
        };
        assert_eq!(
            why,
            format!(
                "token (a credential, not shown) differs: expected {} bytes, got {} bytes, \
                 first difference at byte {}",
                expected.len(),
                produced.len(),
                expected.len()
            )
        );
    }
}
