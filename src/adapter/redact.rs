//! Keeping secrets out of reports.
//!
//! Adapters echo their input in error messages, and a failed comparison quotes tokens. The
//! vectors' tokens are test material, but a report is the kind of file that gets pasted into
//! issues, and the habit matters more than the material: nothing that works as a credential
//! leaves the runner.

/// Replaces every known secret (a vector's token, its base64 body, its key) and anything that
/// looks like one with a placeholder: `pypi-` followed by 16 or more base64 characters; a
/// serialized macaroon without its prefix (`AgE…` for V2, `MDAx…` for V1, 32 or more base64
/// characters); a compact JWS (`eyJ…` followed by a dot, as every JOSE header is a JSON object);
/// a run of exactly 64 hex digits, the length of a key or a signature. Identifiers are not
/// secret and stay readable.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut s = text.to_owned();
    let mut known: Vec<&str> = secrets.iter().copied().filter(|x| x.len() >= 8).collect();
    // Longest first, so a token is replaced whole before its body is looked for.
    known.sort_by_key(|x| std::cmp::Reverse(x.len()));
    for k in known {
        s = s.replace(k, "[redacted]");
    }
    let base64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '+' | '/');
    let s = replace_runs(&s, "pypi-", 16, base64);
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
                out.push_str("[redacted]");
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
    use super::redact;

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
}
