//! The `pypi-` text layer of a PyPI API token.
//!
//! A token is `"pypi-"` + the V2 macaroon in URL-safe base64 without padding
//! (warehouse `services.py create_macaroon`: `f"pypi-{m.serialize()}"`).
//!
//! Warehouse reads it with `_extract_raw_macaroon`:
//!
//! ```python
//! prefix, _, raw_macaroon = prefixed_macaroon.partition("-")
//! return None if prefix != "pypi" or not raw_macaroon else raw_macaroon
//! ```
//!
//! (None → "malformed or nonexistent macaroon"), then `pymacaroons.Macaroon.deserialize(raw)`,
//! whose base64 step is [`crate::encoding::base64::decode_lenient`]. Any exception there is
//! "malformed macaroon".

use crate::encoding::base64::{self, LenientError, StrictError};
use crate::Profile;

/// The only prefix PyPI accepts (case-sensitive).
pub const PREFIX: &str = "pypi";

/// Longest token, in characters, the strict profile accepts (prefix included).
pub const STRICT_MAX_TOKEN_CHARS: usize = 16384;

/// Longest body the strict profile accepts: [`STRICT_MAX_TOKEN_CHARS`] less `"pypi-"`.
pub const STRICT_MAX_BODY_CHARS: usize = STRICT_MAX_TOKEN_CHARS - PREFIX.len() - 1;

/// Why the token text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// No `-` at all. Warehouse: `partition` leaves the whole token as the prefix, so this
    /// is "malformed or nonexistent macaroon".
    #[error("token has no '-' separator")]
    NoPrefix,
    /// The text before the first `-` is not exactly `pypi` (so `pypi:…`, `PyPI-…`, `-…` and
    /// ` pypi-…` are all refused). Warehouse: "malformed or nonexistent macaroon".
    #[error("token prefix is not \"pypi\"")]
    WrongPrefix,
    /// Nothing after `pypi-`. Warehouse: "malformed or nonexistent macaroon" (`not raw`).
    #[error("token has nothing after \"pypi-\"")]
    EmptyBody,
    /// The body is not base64 even to Python's lenient decoder. Warehouse: "malformed
    /// macaroon" (`binascii.Error`).
    #[error("token body is not base64: {0}")]
    Base64(LenientError),
    /// Strict: the body is not canonical URL-safe unpadded base64.
    #[error("token body is not canonical URL-safe base64: {0}")]
    NoncanonicalBase64(StrictError),
    /// Strict: the token is longer than [`STRICT_MAX_TOKEN_CHARS`] characters.
    #[error("token is {len} characters long, more than {max}")]
    TooLong {
        /// Length found, in characters.
        len: usize,
        /// The limit that applied.
        max: usize,
    },
}

impl TokenError {
    /// Stable error code, `token.<snake_case>`.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::NoPrefix => "token.no_prefix",
            TokenError::WrongPrefix => "token.wrong_prefix",
            TokenError::EmptyBody => "token.empty_body",
            TokenError::Base64(_) => "token.base64",
            TokenError::NoncanonicalBase64(_) => "token.noncanonical_base64",
            TokenError::TooLong { .. } => "token.too_long",
        }
    }
}

/// Splits `"pypi-<body>"` the way the profile does; returns the body.
///
/// Both profiles split at the **first** `-` (Python's `str.partition`), require the text
/// before it to be exactly `pypi` and the rest to be non-empty. Strict first refuses tokens
/// over [`STRICT_MAX_TOKEN_CHARS`] characters, before looking at anything else.
pub fn split_prefix(token: &str, profile: Profile) -> Result<&str, TokenError> {
    if profile == Profile::Strict {
        check_len(token, STRICT_MAX_TOKEN_CHARS)?;
    }
    let (prefix, body) = token.split_once('-').ok_or(TokenError::NoPrefix)?;
    if prefix != PREFIX {
        return Err(TokenError::WrongPrefix);
    }
    if body.is_empty() {
        return Err(TokenError::EmptyBody);
    }
    Ok(body)
}

/// Refuses `s` if it has more than `max` characters; counts no further than needed.
fn check_len(s: &str, max: usize) -> Result<(), TokenError> {
    // Characters never outnumber bytes, so short strings need no counting.
    if s.len() > max {
        let len = s.chars().count();
        if len > max {
            return Err(TokenError::TooLong { len, max });
        }
    }
    Ok(())
}

/// Decodes the body to macaroon bytes per profile.
///
/// * Warehouse: exactly pymacaroons' `raw_urlsafe_b64decode` (see
///   [`base64::decode_lenient`]): both alphabets, optional or excess padding, junk bytes
///   skipped with padding computed on the raw UTF-8 length, non-canonical bits dropped.
/// * Strict: URL-safe alphabet only, no padding, canonical, at most
///   [`STRICT_MAX_BODY_CHARS`] characters.
///
/// An empty body is [`TokenError::EmptyBody`] in both (pymacaroons would raise
/// `MacaroonInitException` on it; [`split_prefix`] never returns one).
pub fn decode_body(body: &str, profile: Profile) -> Result<Vec<u8>, TokenError> {
    let mut buf = vec![0u8; base64::decoded_len_bound(body.len())];
    let len = decode_body_into(body, profile, &mut buf)?.len();
    buf.truncate(len);
    Ok(buf)
}

/// [`decode_body`] into `buf`, which must hold
/// [`base64::decoded_len_bound`]`(body.len())` bytes; returns the filled part.
pub fn decode_body_into<'b>(
    body: &str,
    profile: Profile,
    buf: &'b mut [u8],
) -> Result<&'b [u8], TokenError> {
    if body.is_empty() {
        return Err(TokenError::EmptyBody);
    }
    match profile {
        Profile::Warehouse => base64::decode_lenient_into(body, buf).map_err(TokenError::Base64),
        Profile::Strict => {
            check_len(body, STRICT_MAX_BODY_CHARS)?;
            base64::decode_strict_into(body.as_bytes(), buf).map_err(TokenError::NoncanonicalBase64)
        }
    }
}

/// Largest decoded body, in bytes, that [`with_decoded_body`] keeps on the stack: enough for
/// every body the strict profile accepts ([`STRICT_MAX_BODY_CHARS`] characters).
pub const MAX_STACK_BODY_BYTES: usize = base64::decoded_len_bound(STRICT_MAX_BODY_CHARS);

/// Decodes the body per profile and hands the bytes (or the error) to `use_bytes`, without
/// touching the heap for bodies up to [`STRICT_MAX_BODY_CHARS`] characters.
///
/// The bytes go into the smallest of four stack buffers that holds them (256 B, 1 KiB,
/// 4 KiB, [`MAX_STACK_BODY_BYTES`]), so that a typical token does not pay for clearing a
/// buffer sized for the largest one. Longer bodies, which only the warehouse profile reads,
/// are decoded into a `Vec`.
pub fn with_decoded_body<R>(
    body: &str,
    profile: Profile,
    use_bytes: impl FnOnce(Result<&[u8], TokenError>) -> R,
) -> R {
    let bound = base64::decoded_len_bound(body.len());
    if bound <= 256 {
        use_bytes(decode_body_into(body, profile, &mut [0u8; 256]))
    } else if bound <= 1024 {
        use_bytes(decode_body_into(body, profile, &mut [0u8; 1024]))
    } else if bound <= 4096 {
        use_bytes(decode_body_into(body, profile, &mut [0u8; 4096]))
    } else if bound <= MAX_STACK_BODY_BYTES {
        use_bytes(decode_body_into(
            body,
            profile,
            &mut [0u8; MAX_STACK_BODY_BYTES],
        ))
    } else {
        use_bytes(decode_body(body, profile).as_deref().map_err(Clone::clone))
    }
}

/// `"pypi-"` + URL-safe base64 without padding (what PyPI mints).
pub fn encode(macaroon_bytes: &[u8]) -> String {
    let body = base64::encode_url_nopad(macaroon_bytes);
    let mut out = String::with_capacity(PREFIX.len() + 1 + body.len());
    out.push_str(PREFIX);
    out.push('-');
    out.push_str(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex::encode as hex;
    use crate::macaroon::{self, chain, Version};

    const W: Profile = Profile::Warehouse;
    const S: Profile = Profile::Strict;

    #[test]
    fn prefix_rules() {
        for p in Profile::ALL {
            assert_eq!(split_prefix("pypi-abc", p), Ok("abc"));
            assert_eq!(split_prefix("pypi-a-b", p), Ok("a-b"));
            assert_eq!(split_prefix("pypi--", p), Ok("-"));
            assert_eq!(split_prefix("noprefixhere", p), Err(TokenError::NoPrefix));
            assert_eq!(split_prefix("", p), Err(TokenError::NoPrefix));
            assert_eq!(split_prefix("pypi:abc", p), Err(TokenError::NoPrefix));
            assert_eq!(split_prefix("invalid:prefix", p), Err(TokenError::NoPrefix));
            assert_eq!(split_prefix("PYPI-abc", p), Err(TokenError::WrongPrefix));
            assert_eq!(split_prefix(" pypi-abc", p), Err(TokenError::WrongPrefix));
            assert_eq!(split_prefix("-pypi-abc", p), Err(TokenError::WrongPrefix));
            assert_eq!(split_prefix("pre-abc", p), Err(TokenError::WrongPrefix));
            assert_eq!(split_prefix("pypi-", p), Err(TokenError::EmptyBody));
        }
        assert_eq!(TokenError::NoPrefix.code(), "token.no_prefix");
        assert_eq!(TokenError::WrongPrefix.code(), "token.wrong_prefix");
        assert_eq!(TokenError::EmptyBody.code(), "token.empty_body");
    }

    #[test]
    fn strict_length_limit() {
        let ok = format!("pypi-{}", "A".repeat(STRICT_MAX_BODY_CHARS - 1));
        let long = format!("pypi-{}", "A".repeat(STRICT_MAX_BODY_CHARS));
        assert!(split_prefix(&ok, S).is_ok());
        // 16384 characters exactly is allowed, 16385 is not
        assert_eq!(long.len(), STRICT_MAX_TOKEN_CHARS);
        assert!(split_prefix(&long, S).is_ok());
        let longer = format!("{long}A");
        let e = split_prefix(&longer, S).unwrap_err();
        assert_eq!(e.code(), "token.too_long");
        assert!(split_prefix(&longer, W).is_ok());
        assert_eq!(
            decode_body(&"A".repeat(STRICT_MAX_BODY_CHARS + 1), S).map_err(|e| e.code()),
            Err("token.too_long")
        );
    }

    #[test]
    fn body_decoding_profiles() {
        assert_eq!(decode_body("AQ", W), Ok(vec![1]));
        assert_eq!(decode_body("AQ==", W), Ok(vec![1]));
        assert_eq!(decode_body("AR", W), Ok(vec![1]));
        assert_eq!(decode_body("AQ", S), Ok(vec![1]));
        for bad in ["AQ==", "AR", "A+", "AQ\n", "A", "AQ.."] {
            assert_eq!(
                decode_body(bad, S).map_err(|e| e.code()),
                Err("token.noncanonical_base64"),
                "{bad:?}"
            );
        }
        assert_eq!(
            decode_body("A", W).map_err(|e| e.code()),
            Err("token.base64")
        );
        assert_eq!(
            decode_body("AQ\n", W).map_err(|e| e.code()),
            Err("token.base64")
        );
        assert_eq!(decode_body("", W), Err(TokenError::EmptyBody));
    }

    /// pypitoken 7.1.1 `test_token.py` known answer (pypi-caveats.md §6.5): key
    /// "ohsosecret", identifier "123foo", domain "example.com", prefix "pre".
    #[test]
    fn pypitoken_known_answer() {
        let token =
            "pre-AgELZXhhbXBsZS5jb20CBjEyM2ZvbwAABiCK4TytWvy17_Up7TvhdVDhFx8cjU_ne_6wtOqxPUZmxw";
        // "pre" is not PyPI's prefix.
        assert_eq!(split_prefix(token, W), Err(TokenError::WrongPrefix));
        let body = token.strip_prefix("pre-").unwrap_or_default();
        for p in Profile::ALL {
            let bytes = decode_body(body, p).unwrap();
            let m = macaroon::decode(&bytes, p).unwrap();
            assert_eq!(m.location, Some(&b"example.com"[..]));
            assert_eq!(m.identifier, b"123foo");
            assert!(m.caveats.is_empty());
            let want = chain::chain(&chain::derive_key(b"ohsosecret"), b"123foo", []);
            assert!(chain::signature_matches(m.signature, &want));
            assert_eq!(
                macaroon::encode_v2(b"example.com", b"123foo", &[], &want),
                bytes
            );
            assert_eq!(encode(&bytes), format!("pypi-{body}"));
        }
    }

    fn check_token(
        token: &str,
        root_key: &[u8],
        location: &[u8],
        id: &[u8],
        caveats: &[&[u8]],
        sig_hex: &str,
    ) {
        for p in Profile::ALL {
            let body = split_prefix(token, p).unwrap();
            let bytes = decode_body(body, p).unwrap();
            let m = macaroon::decode(&bytes, p).unwrap();
            assert_eq!(m.version, Version::V2);
            assert_eq!(m.location, Some(location));
            assert_eq!(m.identifier, id);
            let ids: Vec<&[u8]> = m.caveats.iter().map(|c| c.id).collect();
            assert_eq!(ids, caveats);
            assert!(m.caveats.iter().all(|c| c.is_first_party()));
            assert_eq!(hex(m.signature), sig_hex);
            assert!(m.trailing.is_empty());
            let sig = chain::chain(&chain::derive_key(root_key), id, ids.iter().copied());
            assert_eq!(hex(&sig), sig_hex);
            assert!(chain::signature_matches(m.signature, &sig));
            assert_eq!(
                encode(&macaroon::encode_v2(location, id, caveats, &sig)),
                token
            );
        }
    }

    /// macaroon-formats.md V-4 (PyPI-shaped, raw DB key 32 × 0x07).
    #[test]
    fn v4_pypi_shaped_tokens() {
        let id = b"f3b37b6c-0000-4000-8000-000000000001";
        check_token(
            "pypi-AgEIcHlwaS5vcmcCJGYzYjM3YjZjLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMQACFVsxLFsic2FtcGxlcHJvamVjdCJdXQAABiA6xJRohmZPJMOVaBnjNR3YhSUYGEC4m-1N2V409jUcrw",
            &[7; 32], b"pypi.org", id, &[br#"[1,["sampleproject"]]"#],
            "3ac4946886664f24c3956819e3351dd88525181840b89bed4dd95e34f6351caf",
        );
        check_token(
            "pypi-AgEIcHlwaS5vcmcCJGYzYjM3YjZjLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMQACGVswLDE5MDAwMDAwMDAsMTcwMDAwMDAwMF0AAipbMywiMDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDBiZWVmIl0AAAYglsLHz5A8YZpUtLT0c7O0ukfiyfQgL8FCnEHkZ7ljr-Y",
            &[7; 32], b"pypi.org", id,
            &[b"[0,1900000000,1700000000]", br#"[3,"00000000-0000-4000-8000-00000000beef"]"#],
            "96c2c7cf903c619a54b4b4f473b3b4ba47e2c9f4202fc1429c41e467b963afe6",
        );
        check_token(
            "pypi-AgEIcHlwaS5vcmcCJGYzYjM3YjZjLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMQACJXsidmVyc2lvbiI6IDEsICJwZXJtaXNzaW9ucyI6ICJ1c2VyIn0AAAYgMFTfa5xx7qxKxzwi7hM0HDRni1EI0jTSqjFt2wpd1Lk",
            &[7; 32], b"pypi.org", id, &[br#"{"version": 1, "permissions": "user"}"#],
            "3054df6b9c71eeac4ac73c22ee13341c34678b5108d234d2aa316ddb0a5dd4b9",
        );
    }

    /// pypi-caveats.md §6.4 (root key 00..1f) and §6.3 (pypitoken, key 32 × 0x00).
    #[test]
    fn warehouse_and_pypitoken_tokens() {
        let root: Vec<u8> = (0u8..32).collect();
        let id = b"5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
        check_token(
            "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmMWEyYgAABiAF0QtM8EES_PvwPwFf5phDpbh-dSN-GoRzn2R4IgA-oQ",
            &root, b"pypi.org", id, &[],
            "05d10b4cf04112fcfbf03f015fe69843a5b87e75237e1a84739f647822003ea1",
        );
        check_token(
            "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmMWEyYgACFVsxLFsic2FtcGxlcHJvamVjdCJdXQACLFsyLFsiMGQ2YjZhOGUtMmYwYy00ZjhlLThhM2ItNWI3ZTFjOWQyYTQxIl1dAAAGIAaLcuARMgPdpPJbZ9Tb6AMm4s4VKWSNYA322qKgE5RG",
            &root, b"pypi.org", id,
            &[br#"[1,["sampleproject"]]"#, br#"[2,["0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41"]]"#],
            "068b72e0113203dda4f25b67d4dbe80326e2ce1529648d600df6daa2a0139446",
        );
        check_token(
            "pypi-AgEIcHlwaS5vcmcCJGE4ZjJjN2Q0LTZiMWUtNGMzYS05ZjVkLTJlN2I4YzFhMGQ5MwACG1swLCAxODAwMDAwMDAwLCAxNzAwMDAwMDAwXQACE1sxLCBbIm15LXByb2plY3QiXV0AAi1bMiwgWyIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDEiXV0AAitbMywgIjExMTExMTExLTExMTEtNDExMS04MTExLTExMTExMTExMTExMSJdAAAGIKTTeasW3Mvd8lsKUm1OBkgmhzn8lqckFRDd0bJMkKjK",
            &[0; 32], b"pypi.org", b"a8f2c7d4-6b1e-4c3a-9f5d-2e7b8c1a0d93",
            &[
                b"[0, 1800000000, 1700000000]",
                br#"[1, ["my-project"]]"#,
                br#"[2, ["00000000-0000-4000-8000-000000000001"]]"#,
                br#"[3, "11111111-1111-4111-8111-111111111111"]"#,
            ],
            "a4d379ab16dccbddf25b0a526d4e0648268739fc96a7241510ddd1b24c90a8ca",
        );
    }

    /// pypitoken `test_token.py` load failures, through the Warehouse profile.
    #[test]
    fn pypitoken_load_failures() {
        let t = "pypi-AgEIcHlwaS5vcmcCAWEAAAYgNh9pJUqVF-EtMCwGaZYcStFR07Rb";
        let bytes = decode_body(split_prefix(t, W).unwrap(), W).unwrap();
        assert_eq!(
            macaroon::decode(&bytes, W).map_err(|e| e.code()),
            Err("macaroon.field_past_end")
        );
        // "foobar-baz": prefix refused by Warehouse; the body alone is an unknown format.
        assert_eq!(split_prefix("foobar-baz", W), Err(TokenError::WrongPrefix));
        let bytes = decode_body("baz", W).unwrap_or_default();
        assert_eq!(
            macaroon::decode(&bytes, W).map_err(|e| e.code()),
            Err("macaroon.unknown_format")
        );
    }
}
