//! The `differential` target: our macaroon decoder and HMAC chain against the `macaroon`
//! crate 0.3 on the same bytes.
//!
//! Both must agree on accept/refuse, on every field and on the signature chain, except where
//! a difference is listed in [`KNOWN_DIFFERENCES`]. Each known difference comes with a
//! predicate on the input that says when it applies; a disagreement that no predicate
//! explains is a finding.

use macaroon as peer;

use caveatspec::macaroon::{self as ours, chain};
use caveatspec::Profile;

/// Longest input handed to the peer's V1 decoder: it recurses once per packet and aborts
/// the process with a stack overflow on long V1 tokens (see [`KNOWN_DIFFERENCES`], `v1-recursion`).
pub const PEER_V1_MAX_BYTES: usize = 4096;

/// A documented difference between pymacaroons' reading (our `warehouse` decoder) and the
/// `macaroon` crate 0.3.
#[derive(Debug)]
pub struct KnownDifference {
    /// Stable name, used in findings and in `fuzz/README.md`.
    pub id: &'static str,
    /// What differs and why.
    pub why: &'static str,
}

/// Every tolerated difference, in one place. Nothing else is tolerated.
pub const KNOWN_DIFFERENCES: &[KnownDifference] = &[
    KnownDifference {
        id: "empty-identifier",
        why: "the peer refuses a macaroon whose identifier is empty (`validate`); pymacaroons \
              reads it",
    },
    KnownDifference {
        id: "signature-length",
        why: "the peer refuses a signature that is not 32 bytes; pymacaroons reads any length \
              and only the final compare fails",
    },
    KnownDifference {
        id: "v2-multibyte-type",
        why: "pymacaroons reads a V2 field type as a varint, so a type written in several \
              bytes (`0x82 0x00` for 2) is read; the peer reads one byte and refuses it",
    },
    KnownDifference {
        id: "third-party-without-location",
        why: "pymacaroons reads a caveat with a verification-key id but no location (a \
              third-party caveat, which PyPI then refuses); the peer refuses the macaroon",
    },
    KnownDifference {
        id: "v1-recursion",
        why: "the peer's V1 reader recurses once per packet and overflows the stack on long \
              tokens; inputs longer than PEER_V1_MAX_BYTES are not given to it",
    },
    KnownDifference {
        id: "v1-framing",
        why: "the V1 readers frame packets differently: pymacaroons parses the length with \
              Python's int() grammar, clamps slices and drops each packet's last byte \
              unchecked, reads vid/cl packets into the previous caveat and packets after the \
              signature; the peer requires exact framing, drops caveats after the signature \
              (and the last one when there is none) and seeds a random signature. Only \
              well-framed V1 (see `v1_well_framed`) must be read the same",
    },
];

/// A caveat as (id, verification-key id, location).
type CaveatFields = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// The peer's reading of the bytes.
#[derive(Debug, PartialEq, Eq)]
struct PeerMacaroon {
    location: Option<Vec<u8>>,
    identifier: Vec<u8>,
    caveats: Vec<CaveatFields>,
    signature: Vec<u8>,
}

fn peer_decode(data: &[u8]) -> Option<PeerMacaroon> {
    let m = peer::Macaroon::deserialize_binary(data).ok()?;
    let caveats = m
        .caveats()
        .into_iter()
        .map(|c| match c {
            peer::Caveat::FirstParty(fp) => (fp.predicate().0, None, None),
            peer::Caveat::ThirdParty(tp) => (
                tp.id().0,
                Some(tp.verifier_id().0),
                Some(tp.location().into_bytes()),
            ),
        })
        .collect();
    Some(PeerMacaroon {
        location: m.location().map(String::into_bytes),
        identifier: m.identifier().0,
        caveats,
        signature: AsRef::<[u8]>::as_ref(&m.signature()).to_vec(),
    })
}

fn ours_as_peer(m: &ours::Macaroon<'_>) -> PeerMacaroon {
    PeerMacaroon {
        location: m.location.map(<[u8]>::to_vec),
        identifier: m.identifier.to_vec(),
        caveats: m
            .caveats
            .iter()
            .map(|c| {
                (
                    c.id.to_vec(),
                    c.vid.map(<[u8]>::to_vec),
                    c.location.map(<[u8]>::to_vec),
                )
            })
            .collect(),
        signature: m.signature.to_vec(),
    }
}

/// Which known difference explains a disagreement on `data`, if any.
fn explain(
    data: &[u8],
    ours: Option<&ours::Macaroon<'_>>,
    theirs: Option<&PeerMacaroon>,
) -> Option<&'static str> {
    let first = *data.first()?;
    if first != 2 && !v1_well_framed(data) {
        return Some("v1-framing");
    }
    if multibyte_type(data) {
        return Some("v2-multibyte-type");
    }
    if let Some(m) = ours {
        if m.identifier.is_empty() {
            return Some("empty-identifier");
        }
        if m.signature.len() != 32 {
            return Some("signature-length");
        }
        if m.caveats
            .iter()
            .any(|c| c.vid.is_some() && c.location.is_none())
        {
            return Some("third-party-without-location");
        }
    }
    let _ = theirs;
    None
}

/// V1 bytes both readers frame the same way: packets with an exact lower-case 4-digit hex
/// length of at least 6 within the data, a key, a space and a value ending in `\n`; keys
/// `location` (UTF-8 value), `identifier` (non-empty) and `cid`, at most one location and
/// one identifier, and exactly one `signature` packet of 32 bytes, last.
fn v1_well_framed(data: &[u8]) -> bool {
    let mut rest = data;
    let (mut locations, mut identifiers) = (0, 0);
    while !rest.is_empty() {
        let Some(header) = rest.get(..4) else {
            return false;
        };
        if !header
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            return false;
        }
        let Some(len) = std::str::from_utf8(header)
            .ok()
            .and_then(|h| usize::from_str_radix(h, 16).ok())
        else {
            return false;
        };
        let Some(packet) = rest.get(4..len).filter(|_| len >= 6) else {
            return false;
        };
        let Some((&b'\n', body)) = packet.split_last() else {
            return false;
        };
        let Some(space) = body.iter().position(|&b| b == b' ') else {
            return false;
        };
        let (key, value) = (&body[..space], &body[space + 1..]);
        rest = &rest[len..];
        match key {
            b"location" if std::str::from_utf8(value).is_ok() => locations += 1,
            b"identifier" if !value.is_empty() => identifiers += 1,
            b"cid" => {}
            b"signature" => {
                return value.len() == 32 && rest.is_empty() && locations <= 1 && identifiers == 1
            }
            _ => return false,
        }
    }
    false
}

/// Whether a V2 field type in `data` is written in more than one varint byte, walking the
/// fields as pymacaroons frames them (type, then length and data unless the type is EOS).
fn multibyte_type(data: &[u8]) -> bool {
    fn varint(data: &[u8], at: &mut usize) -> Option<(u64, usize)> {
        let start = *at;
        let mut value: u64 = 0;
        loop {
            let b = *data.get(*at)?;
            *at += 1;
            let shift = 7 * (*at - start - 1);
            if shift < 64 {
                value |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Some((value, *at - start));
            }
        }
    }
    let mut at = 1;
    while let Some((kind, width)) = varint(data, &mut at) {
        if width > 1 {
            return true;
        }
        if kind != 0 {
            let Some((len, _)) = varint(data, &mut at) else {
                return false;
            };
            let Some(next) = usize::try_from(len).ok().and_then(|l| at.checked_add(l)) else {
                return false;
            };
            at = next;
        }
    }
    false
}

/// How the two decoders compare on one input.
#[derive(Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Not given to the peer (see [`PEER_V1_MAX_BYTES`]).
    Skipped,
    /// Same verdict, and the same fields where both read the input.
    Agree,
    /// A difference, explained by the [`KNOWN_DIFFERENCES`] entry with this id.
    Known(&'static str),
    /// A difference nothing explains: a finding.
    Unexplained(String),
}

/// Compares the decoders on `data`; see the module documentation.
pub fn compare(data: &[u8]) -> Comparison {
    let is_v1 = data.first().is_some_and(|&b| b != 2);
    if is_v1 && data.len() > PEER_V1_MAX_BYTES {
        return Comparison::Skipped;
    }
    let warehouse = ours::decode(data, Profile::Warehouse).ok();
    let strict = ours::decode(data, Profile::Strict).ok();
    let theirs = peer_decode(data);
    // What strict accepts, the peer reads identically: no tolerance at all.
    if let Some(s) = &strict {
        if theirs.as_ref() != Some(&ours_as_peer(s)) {
            return Comparison::Unexplained(format!("strictly valid, peer reads {theirs:?}"));
        }
    }
    let agree = match (&warehouse, &theirs) {
        (Some(w), Some(t)) => ours_as_peer(w) == *t,
        (None, None) => true,
        _ => false,
    };
    if agree {
        return Comparison::Agree;
    }
    match explain(data, warehouse.as_ref(), theirs.as_ref()) {
        Some(id) => Comparison::Known(id),
        None => Comparison::Unexplained(format!(
            "ours {:?}, peer {:?}",
            warehouse.as_ref().map(ours_as_peer),
            theirs
        )),
    }
}

/// The differential body: no unexplained difference in decoding, and the same HMAC chain.
pub fn differential(data: &[u8]) {
    match compare(data) {
        Comparison::Unexplained(why) => panic!("unexplained disagreement: {why}"),
        // Never hand the peer what `compare` kept from it.
        Comparison::Skipped => return,
        Comparison::Agree | Comparison::Known(_) => {}
    }
    let theirs = peer_decode(data);

    // The HMAC chain: the peer's minting against ours, on what the peer read.
    if let Some(t) = theirs.filter(|t| t.caveats.iter().all(|c| c.1.is_none())) {
        let root: Vec<u8> = data.iter().rev().take(32).copied().collect();
        let key = peer::MacaroonKey::generate(&root);
        let Ok(mut m) = peer::Macaroon::create(None, &key, peer::ByteString(t.identifier.clone()))
        else {
            return;
        };
        for (id, _, _) in &t.caveats {
            m.add_first_party_caveat(peer::ByteString(id.clone()));
        }
        let ours_sig = chain::chain(
            &chain::derive_key(&root),
            &t.identifier,
            t.caveats.iter().map(|c| c.0.as_slice()),
        );
        assert_eq!(
            AsRef::<[u8]>::as_ref(&m.signature()),
            &ours_sig[..],
            "the HMAC chains differ"
        );
    }
}
