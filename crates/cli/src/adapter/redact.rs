//! Keeping secrets out of reports.
//!
//! Adapters echo their input in error messages, and a failed comparison quotes tokens. The
//! vectors' tokens are test material, but a report is the kind of file that gets pasted into
//! issues, and the habit matters more than the material: nothing that works as a credential
//! leaves the runner.

use std::collections::HashMap;

/// Known secrets are matched by their first bytes; none is shorter.
const HEAD: usize = 8;

/// A run of token characters this long, cut out of a known secret, is a secret of its own: an
/// adapter that quotes a token inside escaped JSON, or strips its `Bearer`/`DPoP` scheme,
/// still leaves such runs intact.
const FRAGMENT: usize = 16;

/// What replaces a secret.
const PLACEHOLDER: &str = "[redacted]";

/// A set of known secret strings, with the forms an adapter is likely to echo them in, ready to
/// be found in any text in one pass.
#[derive(Debug, Default)]
pub struct Secrets {
    /// Every form of every secret, by its first [`HEAD`] bytes, longest first.
    by_head: HashMap<[u8; HEAD], Vec<Box<str>>>,
}

impl Secrets {
    /// The secrets `values`, each also as JSON escapes it (with and without non-ASCII as
    /// `\uXXXX`), without a `pypi-` prefix, and cut into its runs of token characters (and a
    /// JWS into its segments).
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Secrets {
        let mut s = Secrets::default();
        for v in values {
            s.add(v);
        }
        for forms in s.by_head.values_mut() {
            forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
            forms.dedup();
        }
        s
    }

    fn add(&mut self, secret: &str) {
        self.insert(secret);
        if let Ok(quoted) = serde_json::to_string(secret) {
            self.insert(quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or(""));
        }
        self.insert(&json_ascii(secret));
        let token_char =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '+' | '/' | '.');
        for run in secret.split(|c: char| !token_char(c)) {
            if run.len() < FRAGMENT {
                continue;
            }
            self.insert(run);
            if let Some(body) = run.strip_prefix("pypi-") {
                self.insert(body);
            }
            for segment in run.split('.').filter(|p| p.len() >= FRAGMENT) {
                self.insert(segment);
            }
        }
    }

    fn insert(&mut self, form: &str) {
        let Some(head) = form.as_bytes().get(..HEAD) else {
            return;
        };
        let mut key = [0u8; HEAD];
        key.copy_from_slice(head);
        self.by_head.entry(key).or_default().push(form.into());
    }

    /// `text` with every known secret and anything shaped like one replaced (see [`redact`]).
    pub fn redact(&self, text: &str) -> String {
        redact_shapes(&self.replace_known(text))
    }

    fn replace_known(&self, text: &str) -> String {
        if self.by_head.is_empty() {
            return text.to_owned();
        }
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let (mut i, mut copied) = (0, 0);
        while i + HEAD <= bytes.len() {
            let found = text
                .is_char_boundary(i)
                .then(|| bytes[i..i + HEAD].try_into().ok())
                .flatten()
                .and_then(|head: [u8; HEAD]| self.by_head.get(&head))
                .and_then(|forms| forms.iter().find(|f| bytes[i..].starts_with(f.as_bytes())));
            match found {
                // A form is whole UTF-8 and starts on a boundary, so it ends on one.
                Some(form) => {
                    out.push_str(&text[copied..i]);
                    out.push_str(PLACEHOLDER);
                    i += form.len();
                    copied = i;
                }
                None => i += 1,
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// `s` as JSON with every non-ASCII character escaped (`\u00e9`), as Python's `json.dumps`
/// writes it, without the quotes.
fn json_ascii(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    let inner = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    for c in inner.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// Replaces every known secret (a vector's token, its base64 body, its key) and anything that
/// looks like one with a placeholder: `pypi-` followed by 16 or more base64 characters; a
/// serialized macaroon without its prefix (`AgE…` for V2, `MDAx…` for V1, 32 or more base64
/// characters); a compact JWS (`eyJ…` followed by a dot, as every JOSE header is a JSON object);
/// a run of exactly 64 hex digits, the length of a key or a signature. Identifiers are not
/// secret and stay readable.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    Secrets::new(secrets.iter().copied()).redact(text)
}

fn redact_shapes(s: &str) -> String {
    let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '+' | '/');
    let s = replace_runs(s, "pypi-", 16, base64);
    let s = replace_runs(&s, "AgE", 32, base64);
    let s = replace_runs(&s, "MDAx", 32, base64);
    // A JWS is header.payload.signature, each base64url: the run takes the dots in.
    let s = replace_runs(&s, "eyJ", 8, |c| base64(c) || c == '.');
    replace_runs(&s, "", 64, |c| c.is_ascii_hexdigit())
}

/// Replaces each run of `prefix` followed by at least `min` characters satisfying `class`.
/// With an empty prefix only runs of exactly `min` characters are replaced.
fn replace_runs(s: &str, prefix: &str, min: usize, class: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(rest) = s.get(i..).filter(|r| !r.is_empty()) {
        if let Some(after) = rest.strip_prefix(prefix) {
            let body: usize = after
                .chars()
                .take_while(|c| class(*c))
                .map(char::len_utf8)
                .sum();
            if body >= min && (!prefix.is_empty() || body == min) {
                out.push_str(prefix);
                out.push_str(PLACEHOLDER);
                i += prefix.len() + body;
                continue;
            }
            if prefix.is_empty() && body > 0 {
                // A short run is kept whole, so its tail is not taken for a run of its own.
                out.push_str(&rest[..body]);
                i += body;
                continue;
            }
        }
        let step = rest.chars().next().map_or(1, char::len_utf8);
        out.push_str(&rest[..step]);
        i += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{redact, Secrets};

    #[test]
    fn known_and_lookalike_secrets_are_removed() {
        let token = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRl";
        let key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let text = format!("bad token {token} with key {key}; body AgEIcHlwaS5vcmcCJDVmMGIzYTRl");
        let r = redact(&text, &[token, "AgEIcHlwaS5vcmcCJDVmMGIzYTRl", key]);
        assert!(!r.contains("AgEIcHlwaS5vcmc"), "{r}");
        assert!(!r.contains("0a0b0c0d"), "{r}");
        let r = redact("seen pypi-AgEIcHlwaS5vcmcCJDVmMGIz and cafe", &[]);
        assert_eq!(r, "seen pypi-[redacted] and cafe");
        assert_eq!(redact("pypi-short é", &[]), "pypi-short é");
    }

    #[test]
    fn jwts_and_bare_macaroons_are_removed() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.KJ4CK24uoVwaBV4qtu8txZvToo6D";
        let r = redact(&format!("got 'Bearer {jwt}' here"), &[]);
        assert_eq!(r, "got 'Bearer eyJ[redacted]' here");
        let v2 = "AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBm";
        let v1 = "MDAxY2xvY2F0aW9uIHB5cGkub3JnCjAwMzRpZGVudGlmaWVyIDVm";
        let r = redact(&format!("{v2} and {v1}"), &[]);
        assert_eq!(r, "AgE[redacted] and MDAx[redacted]");
        // Short look-alikes are words, not secrets.
        assert_eq!(redact("AgEnda eyJ.x", &[]), "AgEnda eyJ.x");
    }

    #[test]
    fn escaped_and_cut_forms_of_a_known_secret_are_removed() {
        // A malformed token with a quote, a newline and an accent, as adapters echo it.
        let token = "pypi-not\"a\ntoken é at all 0123456789abcdefXYZ";
        let secrets = Secrets::new([token]);
        for echoed in [
            token.to_owned(),
            serde_json::to_string(token).unwrap(),
            r#""pypi-not\"a\ntoken \u00e9 at all 0123456789abcdefXYZ""#.to_owned(),
            "the tail 0123456789abcdefXYZ alone".to_owned(),
        ] {
            let r = secrets.redact(&echoed);
            assert!(!r.contains("0123456789abcdef"), "{echoed:?} -> {r:?}");
        }
        // The scheme of an Authorization value is not needed to find its credential.
        let auth = "Bearer sometoken.Zm9vYmFyYmF6cXV4cXV1eA.c2lnbmF0dXJlc2lnbmF0dXJl";
        let r = Secrets::new([auth]).redact("saw c2lnbmF0dXJlc2lnbmF0dXJl");
        assert_eq!(r, "saw [redacted]");
        // Unrelated text stays.
        assert_eq!(secrets.redact("expected invalid"), "expected invalid");
    }
}
