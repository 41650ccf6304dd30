//! The inverse of `arbitrary`'s decoding for the structured inputs of the `verify` target: the
//! bytes that [`arbitrary::Unstructured`] (1.x) reads back into a chosen [`VerifyCase`], so
//! that its seeds are built from the type itself. `tests/seeds.rs` holds every encoding to
//! `arbitrary`'s own decoder, on chosen cases and on cases `arbitrary` made from random bytes.
//!
//! The format, as `arbitrary` 1.x reads it: integers little-endian from the front; an enum
//! variant as a `u32` scaled onto the number of variants; each collection element behind a
//! `true` byte and the end behind a `false` one; `Option` behind a `bool`; and a string's bytes
//! from the front but its length from the end of the data left when it is read (one byte while
//! at most 256 bytes are left, else two, big-endian).

use crate::verify::{CaveatSpec, OwnerSpec, ProofSpec, Tamper, VerifyCase};

/// A value that can be written as the bytes `arbitrary` decodes into it.
pub trait Encode {
    /// Appends the value's encoding.
    fn encode(&self, out: &mut Encoder);
}

/// The bytes that decode into `value`.
pub fn to_bytes<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Encoder::default();
    value.encode(&mut out);
    out.finish()
}

/// Bytes being written: what is read from the front, and the strings, whose lengths go at the
/// end once the total is known.
#[derive(Debug, Default)]
pub struct Encoder {
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    /// Bytes read from the front.
    Front(Vec<u8>),
    /// A string's bytes (read from the front once its length was read from the end).
    Text(Vec<u8>),
}

impl Encoder {
    /// Bytes read as they are.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.parts.push(Part::Front(bytes.to_vec()));
    }

    /// A `u8`.
    pub fn u8(&mut self, x: u8) {
        self.raw(&[x]);
    }

    /// A `bool` (one byte, its low bit).
    pub fn bool(&mut self, x: bool) {
        self.u8(u8::from(x));
    }

    /// An `i16`.
    pub fn i16(&mut self, x: i16) {
        self.raw(&x.to_le_bytes());
    }

    /// Variant `index` of an enum of `count` variants: the smallest `u32` that `arbitrary`'s
    /// derive scales onto it (`(u64::from(x) * count) >> 32`).
    pub fn variant(&mut self, index: u32, count: u32) {
        assert!(index < count, "variant {index} of {count}");
        let x = (u64::from(index) << 32).div_ceil(u64::from(count));
        let x = u32::try_from(x).expect("below 2^32");
        self.raw(&x.to_le_bytes());
    }

    /// A `String` or `&str`.
    pub fn str(&mut self, s: &str) {
        self.parts.push(Part::Text(s.as_bytes().to_vec()));
    }

    /// A `Vec` (or any collection `arbitrary` reads element by element).
    pub fn seq<T: Encode>(&mut self, items: &[T]) {
        for item in items {
            self.bool(true);
            item.encode(self);
        }
        self.bool(false);
    }

    /// The bytes: the front parts in order, then each string's length, the first string's
    /// last. How many bytes a length takes depends on how much data is left when it is read,
    /// which depends on the lengths' own widths: they are fixed by iterating from one byte each.
    pub fn finish(self) -> Vec<u8> {
        let texts = self
            .parts
            .iter()
            .filter(|p| matches!(p, Part::Text(_)))
            .count();
        let mut widths = vec![1usize; texts];
        let (widths, left) = loop {
            let total: usize =
                self.parts.iter().map(Part::len).sum::<usize>() + widths.iter().sum::<usize>();
            let mut taken = 0;
            let mut next = Vec::with_capacity(texts);
            let mut left = Vec::with_capacity(texts);
            for part in &self.parts {
                match part {
                    Part::Front(b) => taken += b.len(),
                    Part::Text(s) => {
                        let remaining = total - taken;
                        let w = if remaining <= 256 { 1 } else { 2 };
                        assert!(remaining <= 65_537, "a seed too long for two-byte lengths");
                        left.push(remaining);
                        next.push(w);
                        taken += w + s.len();
                    }
                }
            }
            if next == widths {
                break (widths, left);
            }
            widths = next;
        };
        let mut front = Vec::new();
        let mut tail = Vec::new();
        let mut i = 0;
        for part in &self.parts {
            match part {
                Part::Front(b) => front.extend_from_slice(b),
                Part::Text(s) => {
                    front.extend_from_slice(s);
                    let (w, remaining) = (widths[i], left[i]);
                    // The most bytes the string may take: what is left after its length.
                    let largest = remaining - w;
                    assert!(s.len() <= largest, "a string longer than the data left");
                    let len = s.len();
                    // `int_in_range` reads one byte when the range fits in one, else two,
                    // big-endian, and takes the value modulo the range's size.
                    let field = if w == 1 || largest < 256 {
                        let mut f = vec![u8::try_from(len).expect("below 256")];
                        f.resize(w, 0);
                        f
                    } else {
                        u16::try_from(len)
                            .expect("below 2^16")
                            .to_be_bytes()
                            .to_vec()
                    };
                    tail.push(field);
                    i += 1;
                }
            }
        }
        for field in tail.into_iter().rev() {
            front.extend_from_slice(&field);
        }
        front
    }
}

impl Part {
    fn len(&self) -> usize {
        match self {
            Part::Front(b) | Part::Text(b) => b.len(),
        }
    }
}

impl Encode for u8 {
    fn encode(&self, out: &mut Encoder) {
        out.u8(*self);
    }
}

impl Encode for CaveatSpec {
    fn encode(&self, out: &mut Encoder) {
        const COUNT: u32 = 7;
        match self {
            CaveatSpec::Expiration(e, nb) => {
                out.variant(0, COUNT);
                out.i16(*e);
                out.i16(*nb);
            }
            CaveatSpec::ProjectNames(p) => {
                out.variant(1, COUNT);
                out.seq(p);
            }
            CaveatSpec::ProjectIds(p) => {
                out.variant(2, COUNT);
                out.seq(p);
            }
            CaveatSpec::User(u) => {
                out.variant(3, COUNT);
                out.u8(*u);
            }
            CaveatSpec::Publisher(u) => {
                out.variant(4, COUNT);
                out.u8(*u);
            }
            CaveatSpec::LegacyUser => out.variant(5, COUNT),
            CaveatSpec::Raw(s) => {
                out.variant(6, COUNT);
                out.str(s);
            }
        }
    }
}

impl Encode for OwnerSpec {
    fn encode(&self, out: &mut Encoder) {
        match self {
            OwnerSpec::User(u) => {
                out.variant(0, 3);
                out.u8(*u);
            }
            OwnerSpec::Publisher(p, projects) => {
                out.variant(1, 3);
                out.u8(*p);
                out.seq(projects);
            }
            OwnerSpec::Nobody => out.variant(2, 3),
        }
    }
}

impl Encode for Tamper {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Tamper::None => out.variant(0, 3),
            Tamper::WrongKey => out.variant(1, 3),
            Tamper::FlipSignature(bit) => {
                out.variant(2, 3);
                out.u8(*bit);
            }
        }
    }
}

impl Encode for ProofSpec {
    fn encode(&self, out: &mut Encoder) {
        match self {
            ProofSpec::None => out.variant(0, 3),
            ProofSpec::Key(i) => {
                out.variant(1, 3);
                out.u8(*i);
            }
            ProofSpec::Bound(i) => {
                out.variant(2, 3);
                out.u8(*i);
            }
        }
    }
}

impl Encode for VerifyCase {
    fn encode(&self, out: &mut Encoder) {
        out.seq(&self.caveats);
        self.extra.encode(out);
        out.seq(&self.stored);
        out.i16(self.now);
        out.bool(self.project.is_some());
        if let Some((name, id)) = self.project {
            out.u8(name);
            out.u8(id);
        }
        self.owner.encode(out);
        self.tamper.encode(out);
        out.seq(&self.bindings);
        self.proof.encode(out);
    }
}
