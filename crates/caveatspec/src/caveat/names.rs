//! Project names and identifiers as PyPI compares and spells them.

use super::json::JsonStr;

/// PEP 503 normalization as PyPI's database computes `normalized_name`:
/// `lower(regexp_replace(name, '(\.|_|-)+', '-', 'ig'))`.
pub fn normalize_name(name: &str) -> String {
    normalized_chars(name).collect()
}

/// The characters of [`normalize_name`]`(name)`, computed as they are read.
fn normalized_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    let mut in_run = false;
    name.chars()
        .filter_map(move |ch| {
            let separator = matches!(ch, '.' | '_' | '-');
            let first_of_run = separator && !in_run;
            in_run = separator;
            match (separator, first_of_run) {
                (false, _) => Some(ch),
                (true, true) => Some('-'),
                (true, false) => None,
            }
        })
        .flat_map(char::to_lowercase)
}

/// Whether a project-name caveat's entry equals `name` normalized: PyPI's
/// `context.normalized_name in self.normalized_names`, without building the normalized name.
pub fn is_normalized_form_of(entry: &JsonStr<'_>, name: &str) -> bool {
    entry
        .code_points()
        .eq(normalized_chars(name).map(u32::from))
}

/// A project name normalized once, for comparing with many caveat entries.
///
/// PyPI compares each entry of a project-name caveat with the request project's normalized
/// name. An ASCII name of up to [`NormalizedName::INLINE`] bytes is normalized into a buffer
/// on the stack and each comparison is then a byte compare; any other name is normalized
/// again as it is compared. Neither allocates.
#[derive(Debug, Clone)]
pub struct NormalizedName<'a> {
    name: &'a str,
    inline: [u8; NormalizedName::INLINE],
    /// Length of the normalized name in `inline`, or `None` when it is not there.
    len: Option<usize>,
}

impl<'a> NormalizedName<'a> {
    /// Longest ASCII name kept normalized on the stack.
    pub const INLINE: usize = 128;

    /// `name` (a display name) normalized.
    pub fn new(name: &'a str) -> Self {
        let mut inline = [0u8; Self::INLINE];
        let mut len = None;
        if name.is_ascii() && name.len() <= Self::INLINE {
            let mut n = 0;
            for (slot, b) in inline.iter_mut().zip(normalized_ascii(name)) {
                *slot = b;
                n += 1;
            }
            len = Some(n);
        }
        NormalizedName { name, inline, len }
    }

    /// Whether the caveat entry equals this normalized name (Python string equality).
    pub fn matches(&self, entry: &JsonStr<'_>) -> bool {
        match self.len {
            Some(len) if !entry.has_escapes() => {
                self.inline.get(..len) == Some(entry.raw().as_bytes())
            }
            _ => is_normalized_form_of(entry, self.name),
        }
    }
}

/// [`normalized_chars`] of an ASCII name, as bytes: ASCII lower-cases byte by byte.
fn normalized_ascii(name: &str) -> impl Iterator<Item = u8> + '_ {
    let mut in_run = false;
    name.bytes().filter_map(move |b| {
        let separator = matches!(b, b'.' | b'_' | b'-');
        let first_of_run = separator && !in_run;
        in_run = separator;
        match (separator, first_of_run) {
            (false, _) => Some(b.to_ascii_lowercase()),
            (true, true) => Some(b'-'),
            (true, false) => None,
        }
    })
}

/// A name that PEP 503 normalization leaves unchanged and that PyPI's name rule allows:
/// lower-case ASCII letters and digits, single `-` between them.
pub fn is_normalized_name(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if alnum(f) && alnum(l) => {}
        _ => return false,
    }
    b.iter().all(|c| alnum(c) || *c == b'-') && !name.contains("--")
}

/// A project name PyPI accepts at registration (`^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, any case).
pub fn is_valid_project_name(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if alnum(f) && alnum(l) => {}
        _ => return false,
    }
    b.iter()
        .all(|c| alnum(c) || matches!(c, b'.' | b'_' | b'-'))
}

/// `str(uuid.UUID(...))`: lower-case hex, hyphenated 8-4-4-4-12.
pub fn is_canonical_uuid(s: &str) -> bool {
    // A fixed-size array: every index below is checked at compile time.
    let Ok(b) = <&[u8; 36]>::try_from(s.as_bytes()) else {
        return false;
    };
    let lower_hex = |g: &[u8]| g.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    b[8] == b'-'
        && b[13] == b'-'
        && b[18] == b'-'
        && b[23] == b'-'
        && lower_hex(&b[..8])
        && lower_hex(&b[9..13])
        && lower_hex(&b[14..18])
        && lower_hex(&b[19..23])
        && lower_hex(&b[24..])
}

/// A JWK SHA-256 thumbprint as RFC 7638 writes it: 43 characters of unpadded base64url
/// (`A–Z a–z 0–9 - _`), the last one with its two unused low bits zero, so that each
/// 32-byte digest has exactly one spelling.
pub fn is_canonical_jkt(s: &str) -> bool {
    // 43 canonical characters are exactly 32 bytes; the strict decoder owns the alphabet and
    // the zero-trailing-bits rule.
    let mut buf = [0u8; crate::encoding::base64::decoded_len_bound(43)];
    s.len() == 43 && crate::encoding::base64::decode_strict_into(s.as_bytes(), &mut buf).is_ok()
}

/// The 128-bit value of a UUID spelled any way Python's `uuid.UUID()` and PostgreSQL's uuid
/// input both accept: upper or lower case, hyphens anywhere, optional braces. PyPI finds a
/// token's database row by this value, so every such spelling finds the same row.
pub fn uuid_value(s: &str) -> Option<u128> {
    let inner = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    if inner.starts_with('-') || inner.ends_with('-') || inner.contains("--") {
        return None;
    }
    let mut value: u128 = 0;
    let mut digits = 0;
    for c in inner.chars() {
        if c == '-' {
            continue;
        }
        let d = c.to_digit(16)?;
        digits += 1;
        if digits > 32 {
            return None;
        }
        value = (value << 4) | u128::from(d);
    }
    (digits == 32).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_runs_of_separators_like_pypi() {
        assert_eq!(normalize_name("A._-B"), "a-b");
        assert_eq!(normalize_name("Sample.Project"), "sample-project");
        assert_eq!(normalize_name("My__Pkg"), "my-pkg");
    }

    #[test]
    fn recognises_canonical_uuids_only() {
        assert!(is_canonical_uuid("5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b"));
        assert!(!is_canonical_uuid("5F0B3A4E-8C1D-4E2F-9A6B-7C8D9E0F1A2B"));
        assert_eq!(
            uuid_value("{5F0B3A4E8C1D4E2F9A6B7C8D9E0F1A2B}"),
            uuid_value("5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b")
        );
        assert_eq!(uuid_value("not-a-uuid"), None);
    }

    #[test]
    fn recognises_canonical_thumbprints_only() {
        // RFC 9449 §6.1's example thumbprint.
        let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
        assert!(is_canonical_jkt(jkt));
        assert!(!is_canonical_jkt(&format!("{jkt}=")));
        assert!(!is_canonical_jkt(&jkt[..42]));
        // Same digest, unused low bits set.
        assert!(!is_canonical_jkt(
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4J"
        ));
        assert!(!is_canonical_jkt(
            "0ZcOCORZNYy+DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        ));
    }
}
