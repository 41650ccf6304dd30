//! The libmacaroons "V1" binary format, read the way pymacaroons 0.13.0 reads it.
//!
//! A V1 macaroon is a sequence of packets `PPPP<key> <value>\n`, where `PPPP` is the total
//! packet length in 4 hex digits. libmacaroons and go-macaroon check that strictly;
//! pymacaroons (`BinarySerializer._deserialize_v1`) does not, and PyPI uses pymacaroons, so
//! this module reproduces its loop line by line:
//!
//! ```python
//! index = 0
//! while index < len(decoded):
//!     packet_length = int(struct.unpack(b"4s", decoded[index:index + 4])[0], 16)
//!     packet = decoded[index + 4:index + packet_length]
//!     key, value = self._depacketize(packet)  # split at first b' ', drop last byte
//!     ...                                     # dispatch on key, last value wins
//!     index = index + packet_length
//! ```
//!
//! Every quirk follows from that: Python's `int(bytes, 16)` grammar for the header
//! ([`py_int_hex4`]), Python slice semantics (lengths past the end are clamped; a negative
//! length makes the slice end count from the end of the buffer, [`py_slice`]), the last
//! byte of each packet dropped without being checked, no ordering or uniqueness rules, and
//! packets after `signature` read like any other.
//!
//! Termination: a packet is only accepted if its key is non-empty, which requires a
//! non-empty slice; working through Python's slice rules shows that the position of the
//! next header, counted from the start of the buffer, then always moves forward by at least
//! 5 bytes, so the loop runs at most `len / 5 + 1` times. The loop below also carries an
//! explicit iteration bound and never recurses.

use super::{Caveats, Macaroon, MacaroonError, RawCaveat, Version};

/// Python's `int(h, 16)` for a 4-byte `bytes` object `h` (CPython `_PyLong_FromBytes` →
/// `PyLong_FromString`), or `None` where Python raises `ValueError`.
///
/// Grammar accepted: optional ASCII whitespace (`' ' \t \n \v \f \r`), optional `+`/`-`,
/// optional `0x`/`0X` followed by at most one `_`, hex digits of either case with single
/// `_` between digits (no leading, trailing or doubled `_`), optional ASCII whitespace, and
/// nothing else. A NUL byte anywhere is an error (the C parser stops there and the caller
/// then sees unconsumed input). Verified exhaustively against CPython 3.11 and 3.13 over a
/// 23-symbol alphabet (279,841 headers) plus 200,000 random headers.
pub fn py_int_hex4(h: &[u8]) -> Option<i32> {
    fn is_space(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
    }
    fn digit(b: u8) -> Option<i32> {
        match b {
            b'0'..=b'9' => Some(i32::from(b - b'0')),
            b'a'..=b'f' => Some(i32::from(b - b'a' + 10)),
            b'A'..=b'F' => Some(i32::from(b - b'A' + 10)),
            _ => None,
        }
    }
    let at = |i: usize| h.get(i).copied().unwrap_or(0);
    if h.contains(&0) {
        return None;
    }
    let mut i = 0;
    while i < h.len() && is_space(at(i)) {
        i += 1;
    }
    let mut negative = false;
    if at(i) == b'+' {
        i += 1;
    } else if at(i) == b'-' {
        negative = true;
        i += 1;
    }
    if at(i) == b'0' && matches!(at(i + 1), b'x' | b'X') {
        i += 2;
        // "One underscore allowed here."
        if at(i) == b'_' {
            i += 1;
        }
    }
    if at(i) == b'_' {
        return None;
    }
    let start = i;
    let mut value: i32 = 0;
    let mut prev_underscore = false;
    while i < h.len() {
        let b = at(i);
        if b == b'_' {
            if prev_underscore {
                return None;
            }
            prev_underscore = true;
        } else if let Some(d) = digit(b) {
            value = value * 16 + d;
            prev_underscore = false;
        } else {
            break;
        }
        i += 1;
    }
    if prev_underscore || i == start {
        return None;
    }
    while i < h.len() && is_space(at(i)) {
        i += 1;
    }
    if i != h.len() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// Python's `buf[start:end]` for integer bounds (step 1): negative bounds count from the
/// end, then both are clamped to `0..=len`, and an inverted range is empty.
pub fn py_slice(buf: &[u8], start: i64, end: i64) -> &[u8] {
    let len = i64::try_from(buf.len()).unwrap_or(i64::MAX);
    let norm = |i: i64| -> usize {
        let j = if i < 0 {
            i.saturating_add(len).max(0)
        } else {
            i.min(len)
        };
        usize::try_from(j).unwrap_or(0)
    };
    let (s, e) = (norm(start), norm(end));
    buf.get(s..e).unwrap_or(&[])
}

/// pymacaroons `_depacketize`: `key = packet.split(b' ')[0]`,
/// `value = packet[len(key) + 1:-1]` (the last byte, meant to be `\n`, is dropped whatever
/// it is; with no space the value is empty).
fn depacketize(packet: &[u8]) -> (&[u8], &[u8]) {
    let key_len = packet
        .iter()
        .position(|&b| b == b' ')
        .unwrap_or(packet.len());
    let key = packet.get(..key_len).unwrap_or(&[]);
    let start = i64::try_from(key_len).unwrap_or(i64::MAX).saturating_add(1);
    (key, py_slice(packet, start, -1))
}

/// Parses V1 bytes with pymacaroons 0.13.0's verdict and field values.
///
/// Absent packets give what pymacaroons' defaults amount to: no location (`None`; pymacaroons
/// reports `''`), empty identifier, empty signature.
pub(super) fn parse(bytes: &[u8]) -> Result<Macaroon<'_>, MacaroonError> {
    let n = i64::try_from(bytes.len()).map_err(|_| MacaroonError::V1ShortHeader)?;
    let mut location: Option<&[u8]> = None;
    let mut identifier: &[u8] = &[];
    let mut signature: &[u8] = &[];
    let mut caveats: Vec<RawCaveat<'_>> = Vec::new();
    let mut index: i64 = 0;
    // Defensive bound; the argument in the module docs gives at most n / 5 + 1 rounds.
    let mut rounds_left = bytes.len() / 5 + 2;
    while index < n {
        if rounds_left == 0 {
            return Err(MacaroonError::V1ShortHeader);
        }
        rounds_left -= 1;
        // struct.unpack(b"4s", ...) raises struct.error unless exactly 4 bytes.
        let header = py_slice(bytes, index, index.saturating_add(4));
        if header.len() != 4 {
            return Err(MacaroonError::V1ShortHeader);
        }
        let packet_length = i64::from(py_int_hex4(header).ok_or(MacaroonError::V1BadHeader)?);
        let packet = py_slice(
            bytes,
            index.saturating_add(4),
            index.saturating_add(packet_length),
        );
        let (key, value) = depacketize(packet);
        match key {
            b"location" => location = Some(value),
            b"identifier" => identifier = value,
            b"cid" => caveats.push(RawCaveat {
                id: value,
                vid: None,
                location: None,
            }),
            // `macaroon.caveats[-1]` on an empty list raises IndexError.
            b"vid" => {
                caveats
                    .last_mut()
                    .ok_or(MacaroonError::V1OrphanCaveatField)?
                    .vid = Some(value)
            }
            b"cl" => {
                caveats
                    .last_mut()
                    .ok_or(MacaroonError::V1OrphanCaveatField)?
                    .location = Some(value)
            }
            b"signature" => signature = value,
            _ => return Err(MacaroonError::V1UnknownKey),
        }
        index = index.saturating_add(packet_length);
    }
    Ok(Macaroon {
        version: Version::V1,
        location,
        identifier,
        caveats: Caveats::list(caveats),
        signature,
        trailing: &[],
    })
}

/// One V1 packet as pymacaroons `_packetize` writes it, or `None` where it raises
/// `MacaroonSerializationException` (declared length above 0xFFFF).
///
/// `declared_len` is pymacaroons' `len(data)`: for the location and the identifier `data`
/// is a Python `str`, so it counts **characters**, not bytes, and a non-ASCII value gets a
/// header smaller than the packet (a pymacaroons bug, reproduced; its own parser then
/// misreads the result).
fn packetize(out: &mut Vec<u8>, key: &[u8], data: &[u8], declared_len: usize) -> Option<()> {
    let size = (4 + 2 + key.len()).checked_add(declared_len)?;
    if size > 0xffff {
        return None;
    }
    // hex(size)[2:].zfill(4): lower-case, zero-padded to 4 digits.
    out.extend_from_slice(format!("{size:04x}").as_bytes());
    out.extend_from_slice(key);
    out.push(b' ');
    out.extend_from_slice(data);
    out.push(b'\n');
    Some(())
}

/// pymacaroons `_serialize_v1` for a macaroon with first-party caveats only; `None` where it
/// raises: a location or identifier that is not UTF-8 (`UnicodeDecodeError`: for V1 both
/// are read back through `str` properties), or a packet over 0xFFFF.
pub(super) fn encode(
    location: &[u8],
    identifier: &[u8],
    caveats: &[&[u8]],
    signature: &[u8; 32],
) -> Option<Vec<u8>> {
    let loc_chars = std::str::from_utf8(location).ok()?.chars().count();
    let id_chars = std::str::from_utf8(identifier).ok()?.chars().count();
    let mut out = Vec::new();
    packetize(&mut out, b"location", location, loc_chars)?;
    packetize(&mut out, b"identifier", identifier, id_chars)?;
    for c in caveats {
        packetize(&mut out, b"cid", c, c.len())?;
    }
    packetize(&mut out, b"signature", signature, signature.len())?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results of CPython 3.11.7 `int(h, 16)`; `None` = ValueError.
    #[test]
    fn py_int_matches_cpython() {
        let cases: &[(&[u8], Option<i32>)] = &[
            (b"001d", Some(29)),
            (b"001D", Some(29)),
            (b"+01d", Some(29)),
            (b" 1d ", Some(29)),
            (b"\t1d\n", Some(29)),
            (b"\x0b1d\x0c", Some(29)),
            (b"0_1d", Some(29)),
            (b"1_d ", Some(29)),
            (b"0x1d", Some(29)),
            (b"0X1d", Some(29)),
            (b"0x_1", Some(1)),
            (b"-010", Some(-16)),
            (b"-0x1", Some(-1)),
            (b"ffff", Some(65535)),
            (b"0000", Some(0)),
            (b"   0", Some(0)),
            (b"+ 01", None),
            (b"_001", None),
            (b"001_", None),
            (b"0__1", None),
            (b"0x__", None),
            (b"0x  ", None),
            (b"0x_ ", None),
            (b"1 2 ", None),
            (b"    ", None),
            (b"001\x00", None),
            (b"\x001d ", None),
            (b"\x1c01d", None),
            (b"01g0", None),
            (b"--01", None),
            (b"+-01", None),
            (b"\xa0001", None),
        ];
        for &(h, want) in cases {
            assert_eq!(py_int_hex4(h), want, "{h:?}");
        }
    }

    #[test]
    fn py_slice_semantics() {
        let b = b"0123456789";
        assert_eq!(py_slice(b, 4, 100), b"456789");
        assert_eq!(py_slice(b, 4, -1), b"45678");
        assert_eq!(py_slice(b, -3, -1), b"78");
        assert_eq!(py_slice(b, -30, 2), b"01");
        assert_eq!(py_slice(b, 6, 3), b"");
        assert_eq!(py_slice(b, 20, 30), b"");
        assert_eq!(py_slice(b, i64::MIN, i64::MAX), b"0123456789");
    }

    #[test]
    fn depacketize_like_pymacaroons() {
        assert_eq!(depacketize(b"cid abc\n"), (&b"cid"[..], &b"abc"[..]));
        assert_eq!(depacketize(b"cid abcX"), (&b"cid"[..], &b"abc"[..]));
        assert_eq!(depacketize(b"cid a b\n"), (&b"cid"[..], &b"a b"[..]));
        assert_eq!(depacketize(b"cid"), (&b"cid"[..], &b""[..]));
        assert_eq!(depacketize(b"cid "), (&b"cid"[..], &b""[..]));
        assert_eq!(depacketize(b""), (&b""[..], &b""[..]));
    }
}
