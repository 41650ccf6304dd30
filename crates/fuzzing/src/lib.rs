//! The bodies of the fuzz targets in `fuzz/`, kept in the library so that a plain
//! `cargo test` (`tests/fuzz_replay.rs`) replays the committed seeds and regression inputs
//! through exactly the code the fuzzer runs. Each body checks invariants and panics with a
//! description when one breaks: a panic is a finding.
//!
//! Compiled only with the `fuzzing` feature; not part of the crate's supported API.

mod atr;
mod dpop;
pub mod encode;
mod presented;
pub mod seeds;
mod verify;

#[cfg(feature = "differential")]
pub mod differential;

pub use atr::{atr_case, atr_token};
pub use dpop::{dpop_case, dpop_proof};
pub use presented::{presented_case, presented_request};
pub use verify::{
    verify, verify_case, verify_input, CaveatSpec, OwnerSpec, ProofSpec, Tamper, VerifyCase,
};

use caveatspec::caveat;
use caveatspec::inspect;
use caveatspec::macaroon::{self, Version};
use caveatspec::token;
use caveatspec::Profile;

/// The fuzz targets, by the name `cargo fuzz run` knows them by.
pub const TARGETS: &[&str] = &[
    "token",
    "macaroon",
    "caveat",
    "verify",
    "differential",
    "dpop",
    "atr",
    "presented",
];

/// Runs the body of `target` on `data`; `false` for an unknown target name.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "token" => token_text(data),
        "macaroon" => macaroon_bytes(data),
        "caveat" => caveat_text(data),
        "verify" => verify(data),
        "dpop" => dpop_proof(data),
        "atr" => atr_token(data),
        "presented" => presented_request(data),
        #[cfg(feature = "differential")]
        "differential" => differential::differential(data),
        _ => return false,
    }
    true
}

/// Token text (any bytes, read as UTF-8 where they are) through both profiles.
///
/// Invariants: the strict profile accepts only what the warehouse profile accepts, with the
/// same bytes and fields; a strictly accepted token is the canonical encoding of its
/// macaroon; `inspect` succeeds exactly when the warehouse layers decode.
pub fn token_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Any text can be a body too: try it with the prefix, as presented on the wire.
    let prefixed = format!("{}-{text}", token::PREFIX);
    for t in [text, prefixed.as_str()] {
        check_token(t);
    }
}

fn check_token(text: &str) {
    let decoded = |p: Profile| {
        token::split_prefix(text, p)
            .and_then(|b| token::decode_body(b, p))
            .map_err(|e| e.code())
    };
    let warehouse = decoded(Profile::Warehouse);
    let strict = decoded(Profile::Strict);
    if let Ok(s) = &strict {
        assert_eq!(
            warehouse.as_ref().ok(),
            Some(s),
            "strict decoded a token body the warehouse profile decodes differently"
        );
        assert_eq!(
            token::encode(s),
            text,
            "a strictly accepted token is not the canonical encoding of its bytes"
        );
    }
    let inspected = inspect::inspect(text, Some(0));
    match &warehouse {
        Ok(bytes) => {
            let mac = macaroon::decode(bytes, Profile::Warehouse);
            assert_eq!(
                inspected.is_ok(),
                mac.is_ok(),
                "inspect disagrees with the warehouse decoder"
            );
            check_macaroon(bytes);
        }
        Err(_) => assert!(
            inspected.is_err(),
            "inspect read a token that does not decode"
        ),
    }
}

/// Macaroon bytes (V1 or V2) through both profiles; see [`check_macaroon`].
pub fn macaroon_bytes(data: &[u8]) {
    check_macaroon(data);
}

/// Invariants: both profiles read it as their general parser does (the one-pass reader of
/// common spellings never changes a result); strict accepts a subset of what warehouse accepts, with equal fields; what
/// strict accepts re-encodes to the same bytes; a warehouse-decoded macaroon re-encoded in
/// its own format decodes to the same fields (where pymacaroons could write it at all).
fn check_macaroon(data: &[u8]) {
    let warehouse = macaroon::decode(data, Profile::Warehouse);
    let strict = macaroon::decode(data, Profile::Strict);
    if let Ok(s) = &strict {
        assert_eq!(
            warehouse.as_ref().ok(),
            Some(s),
            "strict decoded a macaroon the warehouse profile decodes differently"
        );
        let ids: Vec<&[u8]> = s.caveats.iter().map(|c| c.id).collect();
        let sig: &[u8; 32] = s
            .signature
            .try_into()
            .expect("strict accepted a signature that is not 32 bytes");
        let again = macaroon::encode_v2(s.location.unwrap_or(b""), s.identifier, &ids, sig);
        assert_eq!(again, data, "strict accepted a non-canonical encoding");
    }
    let Ok(m) = warehouse else { return };
    // Re-encoding is defined for first-party caveats and 32-byte signatures only.
    let Ok(sig) = <&[u8; 32]>::try_from(m.signature) else {
        return;
    };
    if m.caveats
        .iter()
        .any(|c| !c.is_first_party() || c.location.is_some())
    {
        return;
    }
    let ids: Vec<&[u8]> = m.caveats.iter().map(|c| c.id).collect();
    let location = m.location.unwrap_or(b"");
    let again = match m.version {
        Version::V2 => Some(macaroon::encode_v2(location, m.identifier, &ids, sig)),
        // pymacaroons' V1 writer miscounts non-ASCII identifiers and locations (see
        // `macaroon::encode_v1`): what it writes then does not read back, by design.
        Version::V1 if !location.is_ascii() || !m.identifier.is_ascii() => None,
        Version::V1 => macaroon::encode_v1(location, m.identifier, &ids, sig),
    };
    let Some(again) = again else { return };
    let m2 = macaroon::decode(&again, Profile::Warehouse)
        .expect("a re-encoded macaroon does not decode");
    assert_eq!(m2.version, m.version, "re-encoding changed the format");
    if m.version == Version::V2 {
        assert_eq!(
            m2.identifier, m.identifier,
            "V2 round trip changed the identifier"
        );
        assert_eq!(
            m2.location.unwrap_or(b""),
            location,
            "V2 round trip changed the location"
        );
        assert_eq!(m2.caveats, m.caveats, "V2 round trip changed the caveats");
        assert_eq!(
            m2.signature, m.signature,
            "V2 round trip changed the signature"
        );
        assert_eq!(
            macaroon::decode(&again, Profile::Strict).is_ok(),
            !m.identifier.is_empty() && m.caveats.len() <= macaroon::STRICT_MAX_CAVEATS,
            "the canonical re-encoding is not strictly acceptable exactly when it should be"
        );
    } else {
        // The V1 writer may drop an empty location; caveats and signature must survive.
        assert_eq!(m2.caveats, m.caveats, "V1 round trip changed the caveats");
        assert_eq!(
            m2.signature, m.signature,
            "V1 round trip changed the signature"
        );
    }
}

/// What a parse result says: the kind and canonical form, or the error.
fn reading(
    parsed: &Result<caveat::Caveat<'_>, caveat::CaveatError>,
    user: Option<&str>,
) -> Result<(&'static str, Option<String>), caveat::CaveatError> {
    parsed
        .as_ref()
        .map(|c| (c.kind(), c.canonical(user)))
        .map_err(Clone::clone)
}

/// One caveat per profile. The first byte picks the request's user; the rest is the caveat.
///
/// Invariants: both profiles read it as their general parser does (the one-pass reader of
/// common spellings never changes a result); strict accepts a subset of what warehouse
/// accepts, as the same kind, except the legacy user caveat read without a request user and
/// the key binding (tag 5, which PyPI does not know), which only strict can read; the
/// canonical form of an accepted caveat parses back to the same kind and the same canonical
/// form (in the warehouse profile, or for a key binding the strict one), so canonical input
/// is a fixed point.
pub fn caveat_text(data: &[u8]) {
    let Some((&selector, raw)) = data.split_first() else {
        return;
    };
    let user = match selector % 3 {
        0 => None,
        1 => Some("3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b"),
        _ => Some(""),
    };
    let warehouse = caveat::parse(raw, Profile::Warehouse, user);
    let strict = caveat::parse(raw, Profile::Strict, user);
    for (profile, parsed) in [(Profile::Warehouse, &warehouse), (Profile::Strict, &strict)] {
        let general = caveat::parse_general(raw, profile, user);
        assert_eq!(
            reading(parsed, user),
            reading(&general, user),
            "the one-pass reader and the general parser disagree ({profile:?})"
        );
    }
    if let Ok(s) = &strict {
        if user.is_none() && matches!(s, caveat::Caveat::LegacyUser) {
            // Strict reads the legacy user caveat without context; PyPI cannot read it
            // without a request user. Both then refuse the token (`request_user.no_user`).
            return;
        }
        if matches!(s, caveat::Caveat::KeyBinding { .. }) {
            // PyPI knows no tag 5 and refuses it as an unknown tag.
            let e = warehouse.as_ref().err().map(|e| e.code);
            assert_eq!(
                e,
                Some("caveat.unknown_tag"),
                "warehouse read a key binding"
            );
        } else {
            let w = warehouse
                .as_ref()
                .unwrap_or_else(|e| panic!("strict accepted a caveat warehouse refuses ({e})"));
            assert_eq!(s.kind(), w.kind(), "the profiles read different kinds");
        }
    }
    for parsed in [&warehouse, &strict] {
        let Ok(c) = parsed else { continue };
        let Some(canonical) = c.canonical(user) else {
            continue;
        };
        let back = if matches!(c, caveat::Caveat::KeyBinding { .. }) {
            Profile::Strict
        } else {
            Profile::Warehouse
        };
        let again = caveat::parse(canonical.as_bytes(), back, user)
            .unwrap_or_else(|e| panic!("the canonical form {canonical:?} does not parse ({e})"));
        assert_eq!(
            again.kind(),
            c.kind(),
            "the canonical form changed the kind"
        );
        assert_eq!(
            again.canonical(user).as_deref(),
            Some(canonical.as_str()),
            "canonicalization is not idempotent"
        );
    }
    if let (Ok(s), Ok(w)) = (&strict, &warehouse) {
        assert_eq!(
            s.canonical(user),
            w.canonical(user),
            "the profiles canonicalize the same caveat differently"
        );
    }
}
