//! The libmacaroons "V2" binary format (`doc/format.txt`), read the way pymacaroons 0.13.0
//! reads it (`BinarySerializer._deserialize_v2`), with the strict profile's extra checks.
//!
//! ```text
//! macaroon : 0x02 section(header) section(caveat)* EOS field(signature) <ignored bytes>
//! section  : field* EOS            field : type:varint length:varint data[length]
//! EOS      : a type varint of value 0 (no length, no data)
//! types    : LOCATION=1 IDENTIFIER=2 VID=4 SIGNATURE=6
//! ```
//!
//! pymacaroons reads a whole section first (`_parse_section_v2`: types strictly increasing,
//! any type value allowed, "section extends past end of buffer" on an empty remainder), then
//! interprets it. Both phases raise, in that order, so the error reported here is the first
//! one pymacaroons would raise. Its varints are Python ints, unbounded: here a varint is
//! kept as the slice of its bytes and compared by value without ever being converted to a
//! machine integer (`Varint`), and lengths saturate, which gives the same verdicts without
//! overflow. Nothing is allocated per field: a section only keeps its field count and the
//! first three fields, which is all pymacaroons' interpretation ever looks at.

use super::{Caveats, Macaroon, MacaroonError, RawCaveat, Utf8Field, Version, STRICT_MAX_CAVEATS};
use crate::Profile;
use std::cmp::Ordering;

const EOS: u64 = 0;
const LOCATION: u64 = 1;
const IDENTIFIER: u64 = 2;
const VID: u64 = 4;
const SIGNATURE: u64 = 6;

/// An unsigned LEB128 varint, kept as its bytes (each but the last has bit 7 set).
#[derive(Debug, Clone, Copy)]
struct Varint<'a>(&'a [u8]);

impl Varint<'_> {
    /// The 7-bit groups, least significant first, without high zero groups.
    fn significant(&self) -> &[u8] {
        let len = self
            .0
            .iter()
            .rposition(|b| b & 0x7f != 0)
            .map_or(0, |i| i + 1);
        self.0.get(..len).unwrap_or(&[])
    }

    /// The value if it fits in 64 bits.
    fn value(&self) -> Option<u64> {
        if let [b] = self.0 {
            // The common case: every type and most lengths fit in one byte.
            return Some(u64::from(*b));
        }
        let mut n: u64 = 0;
        for (i, b) in self.significant().iter().enumerate() {
            let shift = u32::try_from(i).ok()?.checked_mul(7)?;
            let group = u64::from(b & 0x7f);
            if shift >= 64 || (group << shift) >> shift != group {
                return None;
            }
            n |= group << shift;
        }
        Some(n)
    }

    fn is(&self, k: u64) -> bool {
        self.value() == Some(k)
    }

    /// Numeric order of two varints of any length (Python int comparison).
    fn cmp_value(&self, other: &Varint<'_>) -> Ordering {
        if let ([a], [b]) = (self.0, other.0) {
            return a.cmp(b);
        }
        let (a, b) = (self.significant(), other.significant());
        a.len().cmp(&b.len()).then_with(|| {
            a.iter()
                .rev()
                .map(|x| x & 0x7f)
                .cmp(b.iter().rev().map(|x| x & 0x7f))
        })
    }

    /// Minimal encoding: one byte, or a last byte that is not zero.
    fn is_minimal(&self) -> bool {
        self.0.len() <= 1 || self.0.last().is_some_and(|&b| b != 0)
    }
}

#[derive(Debug, Clone, Copy)]
struct Field<'a> {
    ty: Varint<'a>,
    data: &'a [u8],
}

/// A parsed section: the number of fields and the first three of them.
#[derive(Debug, Default)]
struct Section<'a> {
    count: usize,
    first: [Option<Field<'a>>; 3],
}

impl<'a> Section<'a> {
    fn get(&self, i: usize) -> Option<Field<'a>> {
        self.first.get(i).copied().flatten()
    }
}

struct Reader<'a> {
    rest: &'a [u8],
    strict: bool,
}

/// What `_parse_packet_v2` returns: an EOS marker or a field.
enum Packet<'a> {
    Eos,
    Field(Field<'a>),
}

impl<'a> Reader<'a> {
    /// `_decode_uvarint`: bytes up to and including the first one below 0x80; running out
    /// raises the bare `Exception('cannot read uvarint from buffer')`.
    fn varint(&mut self) -> Result<Varint<'a>, MacaroonError> {
        if let Some((first @ 0..=0x7f, rest)) = self.rest.split_first() {
            // One byte: always minimal.
            let v = Varint(std::slice::from_ref(first));
            self.rest = rest;
            return Ok(v);
        }
        let end = self
            .rest
            .iter()
            .position(|&b| b < 0x80)
            .ok_or(MacaroonError::Truncated)?;
        let (v, rest) = self.rest.split_at(end + 1);
        self.rest = rest;
        let v = Varint(v);
        if self.strict && !v.is_minimal() {
            return Err(MacaroonError::NoncanonicalEncoding);
        }
        Ok(v)
    }

    /// `_parse_packet_v2`. A type of value 0 (in any encoding: `80 00` too) is EOS and has
    /// no length. A length beyond the remaining bytes is "field data extends past end of
    /// buffer"; a length too big for `u64` is necessarily beyond them.
    fn packet(&mut self) -> Result<Packet<'a>, MacaroonError> {
        let ty = self.varint()?;
        if self.strict && ty.0.len() != 1 {
            // Every type the format defines is below 0x80, so a multi-byte type is either
            // a non-minimal encoding or an unknown type; the strict profile wants one byte.
            return Err(MacaroonError::NoncanonicalEncoding);
        }
        if ty.is(EOS) {
            return Ok(Packet::Eos);
        }
        let len = self.varint()?;
        let len = len
            .value()
            .and_then(|l| usize::try_from(l).ok())
            .filter(|&l| l <= self.rest.len())
            .ok_or(MacaroonError::FieldPastEnd)?;
        let (data, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(Packet::Field(Field { ty, data }))
    }

    /// `_parse_section_v2`: fields up to EOS, types strictly increasing.
    fn section(&mut self) -> Result<Section<'a>, MacaroonError> {
        let mut section = Section::default();
        let mut prev: Option<Varint<'a>> = None;
        loop {
            if self.rest.is_empty() {
                return Err(MacaroonError::SectionPastEnd);
            }
            let field = match self.packet()? {
                Packet::Eos => return Ok(section),
                Packet::Field(f) => f,
            };
            if let Some(p) = prev {
                if field.ty.cmp_value(&p) != Ordering::Greater {
                    return Err(MacaroonError::FieldOrder);
                }
            }
            prev = Some(field.ty);
            if let Some(slot) = section.first.get_mut(section.count) {
                *slot = Some(field);
            }
            section.count = section.count.saturating_add(1);
        }
    }
}

/// `data.decode('utf-8')`, as pymacaroons does for the two location fields.
fn check_utf8(data: &[u8], field: Utf8Field) -> Result<(), MacaroonError> {
    std::str::from_utf8(data)
        .map(|_| ())
        .map_err(|_| MacaroonError::InvalidUtf8(field))
}

/// The caveat a non-empty caveat section holds, as pymacaroons interprets it.
fn caveat_of<'a>(sec: &Section<'a>) -> Result<RawCaveat<'a>, MacaroonError> {
    let mut idx = 0;
    let mut location = None;
    if let Some(f) = sec.get(0).filter(|f| f.ty.is(LOCATION)) {
        check_utf8(f.data, Utf8Field::CaveatLocation)?;
        location = Some(f.data);
        idx = 1;
    }
    let id = match sec.get(idx) {
        Some(f) if f.ty.is(IDENTIFIER) => f.data,
        _ => return Err(MacaroonError::CaveatNoIdentifier),
    };
    idx += 1;
    if sec.count == idx {
        // First-party caveat. pymacaroons tests `cav.location is not None`, so even an
        // empty location field is refused.
        if location.is_some() {
            return Err(MacaroonError::CaveatLocation);
        }
        return Ok(RawCaveat {
            id,
            vid: None,
            location: None,
        });
    }
    if sec.count != idx + 1 {
        return Err(MacaroonError::ExtraFields);
    }
    let vid = match sec.get(idx) {
        Some(f) if f.ty.is(VID) => f.data,
        _ => return Err(MacaroonError::InvalidCaveatField),
    };
    // pymacaroons accepts a vid with or without a caveat location.
    Ok(RawCaveat {
        id,
        vid: Some(vid),
        location,
    })
}

/// A caveat section in the form every minted token uses, `02 <length below 128> <id> 00`:
/// one identifier field, read exactly as the general section reader reads it (one field, so
/// in order; single-byte varints, so minimal), without building a section.
fn plain_caveat(rest: &[u8]) -> Option<(RawCaveat<'_>, &[u8])> {
    match rest {
        [2, len @ 0..=0x7f, after @ ..] => {
            let (id, after) = after.split_at_checked(usize::from(*len))?;
            let (&0, after) = after.split_first()? else {
                return None;
            };
            let caveat = RawCaveat {
                id,
                vid: None,
                location: None,
            };
            Some((caveat, after))
        }
        _ => None,
    }
}

/// The next caveat of a caveat region that [`parse`] accepted, advancing `rest` past it;
/// `None` at the empty section that ends the region.
pub(super) fn next_caveat<'a>(rest: &mut &'a [u8]) -> Option<RawCaveat<'a>> {
    if let Some((caveat, after)) = plain_caveat(rest) {
        *rest = after;
        return Some(caveat);
    }
    let mut r = Reader {
        rest,
        strict: false,
    };
    let sec = r.section().ok().filter(|s| s.count > 0)?;
    *rest = r.rest;
    caveat_of(&sec).ok()
}

/// Parses V2 bytes (starting with the 0x02 version byte).
pub(super) fn parse(bytes: &[u8], profile: Profile) -> Result<Macaroon<'_>, MacaroonError> {
    let strict = profile == Profile::Strict;
    let mut r = Reader {
        rest: bytes.get(1..).unwrap_or(&[]),
        strict,
    };

    // Header: [location] identifier.
    let header = r.section()?;
    let mut idx = 0;
    let mut location = None;
    if let Some(f) = header.get(0).filter(|f| f.ty.is(LOCATION)) {
        check_utf8(f.data, Utf8Field::Location)?;
        location = Some(f.data);
        idx = 1;
    }
    let identifier = match header.get(idx) {
        Some(f) if header.count == idx + 1 && f.ty.is(IDENTIFIER) => f.data,
        _ => return Err(MacaroonError::InvalidHeader),
    };
    if strict && identifier.is_empty() {
        return Err(MacaroonError::EmptyIdentifier);
    }

    // Caveats, until an empty section. Only their count and extent are kept: iterating
    // them reads the sections again (see `next_caveat`), so decoding allocates nothing.
    let caveats_start = r.rest;
    let mut count = 0usize;
    loop {
        let read = if let Some((caveat, after)) = plain_caveat(r.rest) {
            r.rest = after;
            Ok(caveat)
        } else {
            let sec = r.section()?;
            if sec.count == 0 {
                break;
            }
            Err(sec)
        };
        if strict && count >= STRICT_MAX_CAVEATS {
            return Err(MacaroonError::TooManyCaveats);
        }
        let caveat = match read {
            Ok(caveat) => caveat,
            Err(sec) => caveat_of(&sec)?,
        };
        if strict && caveat.vid.is_some() {
            return Err(MacaroonError::ThirdPartyCaveat);
        }
        count += 1;
    }
    let region = &caveats_start[..caveats_start.len() - r.rest.len()];
    let caveats = Caveats::v2(region, count);

    // Signature: one field read with `_parse_packet_v2`, type checked, length not.
    if r.rest.is_empty() {
        // pymacaroons: `Exception('cannot read uvarint from buffer')` on the empty rest.
        return Err(MacaroonError::MissingSignature);
    }
    let signature = match r.packet()? {
        Packet::Field(f) if f.ty.is(SIGNATURE) => f.data,
        _ => return Err(MacaroonError::UnexpectedField),
    };
    let trailing = r.rest;
    if strict {
        if signature.len() != 32 {
            return Err(MacaroonError::SignatureLength);
        }
        if !trailing.is_empty() {
            return Err(MacaroonError::TrailingBytes);
        }
    }
    Ok(Macaroon {
        version: Version::V2,
        location,
        identifier,
        caveats,
        signature,
        trailing,
    })
}

/// Where the canonical encoder writes: a `Vec`, or a comparison with bytes already there.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Compares what the encoder writes with `rest`, consuming it.
struct Compare<'a> {
    rest: &'a [u8],
    equal: bool,
}

impl Sink for Compare<'_> {
    fn put(&mut self, bytes: &[u8]) {
        match self.rest.strip_prefix(bytes) {
            Some(rest) if self.equal => self.rest = rest,
            _ => self.equal = false,
        }
    }
}

fn put_uvarint(out: &mut impl Sink, mut n: u64) {
    // A u64 has at most ten 7-bit groups, so `len` never passes 10.
    let mut buf = [0u8; 10];
    let mut len = 0;
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        buf[len] = if n == 0 { b } else { b | 0x80 };
        len += 1;
        if n == 0 {
            break;
        }
    }
    out.put(&buf[..len]);
}

fn put_field(out: &mut impl Sink, ty: u8, data: &[u8]) {
    out.put(&[ty]);
    put_uvarint(out, data.len() as u64);
    out.put(data);
}

/// pymacaroons `_serialize_v2` for first-party caveats, into `out`: the location field is
/// always written (pymacaroons stores an absent location as `''`, which is not `None`).
fn write<'c>(
    out: &mut impl Sink,
    location: &[u8],
    identifier: &[u8],
    caveats: impl IntoIterator<Item = &'c [u8]>,
    signature: &[u8; 32],
) {
    out.put(&[2]);
    put_field(out, LOCATION as u8, location);
    put_field(out, IDENTIFIER as u8, identifier);
    out.put(&[EOS as u8]);
    for c in caveats {
        put_field(out, IDENTIFIER as u8, c);
        out.put(&[EOS as u8]);
    }
    out.put(&[EOS as u8]);
    put_field(out, SIGNATURE as u8, signature);
}

/// pymacaroons `_serialize_v2` for first-party caveats.
pub(super) fn encode(
    location: &[u8],
    identifier: &[u8],
    caveats: &[&[u8]],
    signature: &[u8; 32],
) -> Vec<u8> {
    let cap = caveats
        .iter()
        .fold(location.len() + identifier.len() + 64, |a, c| {
            a.saturating_add(c.len() + 12)
        });
    let mut out = Vec::with_capacity(cap);
    write(
        &mut out,
        location,
        identifier,
        caveats.iter().copied(),
        signature,
    );
    out
}

/// How `bytes` relate to the canonical encoding of these fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Canonical {
    /// They are exactly it.
    Exact,
    /// They are it followed by more bytes.
    Trailing,
    /// They differ from it.
    Different,
}

/// Compares `bytes` with the canonical encoding without building it.
pub(super) fn compare_canonical<'c>(
    bytes: &[u8],
    location: &[u8],
    identifier: &[u8],
    caveats: impl IntoIterator<Item = &'c [u8]>,
    signature: &[u8; 32],
) -> Canonical {
    let mut cmp = Compare {
        rest: bytes,
        equal: true,
    };
    write(&mut cmp, location, identifier, caveats, signature);
    match (cmp.equal, cmp.rest.is_empty()) {
        (true, true) => Canonical::Exact,
        (true, false) => Canonical::Trailing,
        (false, _) => Canonical::Different,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_compare_and_value() {
        let a = Varint(&[0x82, 0x00]);
        assert!(a.is(2));
        assert!(!a.is_minimal());
        assert!(Varint(&[0x80, 0x01]).is(128));
        assert!(Varint(&[0x80, 0x01]).is_minimal());
        assert!(Varint(&[0x00]).is_minimal());
        // 2^70 and 2^77 compare by value although neither fits in u64.
        let big1 = Varint(&[
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
        ]);
        let big2 = Varint(&[
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,
        ]);
        assert_eq!(big1.value(), None);
        assert_eq!(big1.cmp_value(&big2), Ordering::Less);
        assert_eq!(big2.cmp_value(&big1), Ordering::Greater);
        assert_eq!(
            Varint(&[0x86, 0x80, 0x00]).cmp_value(&Varint(&[0x06])),
            Ordering::Equal
        );
        assert_eq!(
            Varint(&[0xff, 0x7f]).cmp_value(&Varint(&[0x80, 0x01])),
            Ordering::Greater
        );
        // u64::MAX = 9 * 7 + 1 bits.
        let max = Varint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert_eq!(max.value(), Some(u64::MAX));
        let over = Varint(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
        assert_eq!(over.value(), None);
    }
}
