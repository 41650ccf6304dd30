//! Properties of the public API, checked on generated inputs: codec round trips, attenuation
//! only narrows, verification is deterministic and blind to caveat order, and `inspect`
//! reads every token `verify` accepts.

use caveatspec::attenuate::{self, Restrictions};
use caveatspec::caveat;
use caveatspec::inspect;
use caveatspec::macaroon::{self, chain};
use caveatspec::token;
use caveatspec::verify::{self, Issued, Owner, Project, Request};
use caveatspec::Profile;
use proptest::prelude::*;

const KEY: [u8; 32] = [3; 32];
const IDENT: &str = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
const BASE: i64 = 1_700_000_000;
const USERS: [&str; 2] = [
    "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b",
    "4f3a2b1c-0d9e-4f8a-9b7c-6d5e4f3a2b1c",
];
const IDS: [&str; 2] = [
    "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41",
    "1e7c7b9f-3a1d-4a9f-9b4c-6c8f2d0e3b52",
];
const NAMES: [&str; 3] = ["Sample.Project", "sampleproject", "other_one"];

fn restrictions() -> impl Strategy<Value = Restrictions> {
    let window = proptest::option::of((0i64..200, 1i64..200));
    let names = proptest::option::of(proptest::sample::subsequence(NAMES.to_vec(), 1..=3));
    let ids = proptest::option::of(proptest::sample::subsequence(IDS.to_vec(), 1..=2));
    let user = proptest::option::of(proptest::sample::select(USERS.to_vec()));
    (window, names, ids, user)
        .prop_map(|(w, names, ids, user)| Restrictions {
            not_before: w.map(|(nb, _)| BASE + nb),
            not_after: w.map(|(nb, len)| BASE + nb + len),
            project_names: names.map(|v| v.into_iter().map(str::to_owned).collect()),
            project_ids: ids.map(|v| v.into_iter().map(str::to_owned).collect()),
            user_id: user.map(str::to_owned),
            bind_jkt: None,
        })
        .prop_filter("at least one restriction", |r| !r.is_empty())
}

/// A request: `now`, the project (by index), the owning user (by index).
fn request() -> impl Strategy<Value = (i64, Option<usize>, usize)> {
    (
        -10i64..420,
        proptest::option::of(0..NAMES.len()),
        0..USERS.len(),
    )
}

fn check(token_text: &str, req: (i64, Option<usize>, usize), profile: Profile) -> verify::Verdict {
    check_with_proof(token_text, req, profile, None)
}

/// Two real key thumbprints: RFC 9449's example P-256 key and RFC 8037's Ed25519 key.
const JKTS: [&str; 2] = [
    "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
    "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
];

/// [`check`] with the key thumbprint of an already verified DPoP proof.
fn check_with_proof(
    token_text: &str,
    req: (i64, Option<usize>, usize),
    profile: Profile,
    proof_jkt: Option<&str>,
) -> verify::Verdict {
    let (now, project, user) = req;
    let issued = Issued {
        identifier: IDENT,
        root_key: &KEY,
        owner: Owner::User {
            user_id: USERS[user],
        },
        stored_caveats: &[],
    };
    let request = Request {
        now: BASE + now,
        project: project.map(|i| Project {
            name: NAMES[i],
            id: IDS[i % IDS.len()],
        }),
        proof_jkt,
    };
    verify::verify(token_text, &issued, &request, profile)
}

fn mint_raw(caveats: &[String]) -> String {
    let refs: Vec<&[u8]> = caveats.iter().map(|c| c.as_bytes()).collect();
    let sig = chain::chain(&chain::derive_key(&KEY), IDENT.as_bytes(), refs.clone());
    token::encode(&macaroon::encode_v2(
        b"pypi.org",
        IDENT.as_bytes(),
        &refs,
        &sig,
    ))
}

/// JSON text near the spellings real caveats use: small and huge integers, floats, strings
/// with and without escapes or control characters, lists, null, booleans, objects, spacing.
fn caveat_like() -> impl Strategy<Value = String> {
    let ws = prop_oneof![Just(""), Just(" "), Just("\n\t"), Just(" \r ")];
    let string = prop_oneof![
        "[a-z0-9-]{0,12}",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        // Key thumbprints, canonical or not in their last character, and near misses.
        "[A-Za-z0-9_-]{42}[A-Za-z0-9_-]",
        "[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]=?",
        "[A-Za-z._ \\\\\"\u{1}é😀-]{0,8}",
    ]
    .prop_map(|s| format!("\"{s}\""));
    let number = prop_oneof![
        (-5i64..10).prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("-0".to_owned()),
        Just("01".to_owned()),
        Just("1.0".to_owned()),
        Just("1e3".to_owned()),
        Just("99999999999999999999999".to_owned()),
    ];
    let list = (proptest::collection::vec(string.clone(), 0..4), ws.clone())
        .prop_map(|(items, w)| format!("[{w}{}{w}]", items.join(&format!("{w},"))));
    let item = prop_oneof![
        4 => number.clone(),
        3 => string,
        3 => list,
        1 => Just("null".to_owned()),
        1 => Just("true".to_owned()),
        1 => Just("{}".to_owned()),
    ];
    let tag = prop_oneof![4 => (0i64..6).prop_map(|n| n.to_string()), 1 => number];
    (
        tag,
        proptest::collection::vec(item, 0..4),
        ws.clone(),
        ws,
        any::<bool>(),
    )
        .prop_map(|(tag, items, w1, w2, close)| {
            let mut s = format!("{w1}[{w2}{tag}");
            for i in items {
                s.push_str(&format!("{w2},{w1}{i}"));
            }
            if close {
                s.push(']');
            }
            s.push_str(w1);
            s
        })
}

proptest! {
    /// The one-pass reader of common caveat spellings answers exactly what the general parser
    /// answers, in both profiles, for every request user.
    #[test]
    fn caveat_fast_path_agrees(text in caveat_like()) {
        for profile in Profile::ALL {
            for user in [None, Some("3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b")] {
                let summary = |r: Result<caveat::Caveat<'_>, caveat::CaveatError>| {
                    r.map(|c| (c.kind(), c.canonical(user)))
                };
                prop_assert_eq!(
                    summary(caveat::parse(text.as_bytes(), profile, user)),
                    summary(caveat::parse_general(text.as_bytes(), profile, user)),
                    "{:?} in {:?}", text, profile
                );
            }
        }
    }

    /// The body decoders (with their one-pass path for clean bodies, into a stack buffer or a
    /// `Vec`) give what CPython's state machine gives on pymacaroons' padded input.
    #[test]
    fn body_decoding_agrees_with_the_state_machine(
        body in prop_oneof!["[A-Za-z0-9_-]{1,40}", "[A-Za-z0-9_/+=. -]{1,40}"],
    ) {
        let padded = format!("{body}{}", "=".repeat((4 - body.len() % 4) % 4));
        let cpython = macaroon::base64::a2b_base64_nonstrict(padded.as_bytes());
        let lenient = token::decode_body(&body, Profile::Warehouse);
        prop_assert_eq!(lenient.as_ref().ok(), cpython.as_ref().ok());
        for profile in Profile::ALL {
            let into = token::with_decoded_body(&body, profile, |r| r.map(<[u8]>::to_vec));
            prop_assert_eq!(&into, &token::decode_body(&body, profile));
        }
        // Strict accepts exactly the canonical spellings, with the same bytes.
        let strict = token::decode_body(&body, Profile::Strict);
        if let Ok(bytes) = &strict {
            prop_assert_eq!(Some(bytes), cpython.as_ref().ok());
            prop_assert_eq!(macaroon::base64::encode_url_nopad(bytes), body);
        }
    }

    #[test]
    fn token_text_round_trips(bytes in proptest::collection::vec(any::<u8>(), 1..300)) {
        let text = token::encode(&bytes);
        for profile in Profile::ALL {
            let body = token::split_prefix(&text, profile).expect("own prefix");
            prop_assert_eq!(token::decode_body(body, profile).expect("own encoding"), bytes.clone());
        }
    }

    #[test]
    fn v2_macaroon_round_trips(
        location in "[ -~]{0,20}",
        identifier in proptest::collection::vec(any::<u8>(), 1..64),
        caveats in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..8),
        signature in any::<[u8; 32]>(),
    ) {
        let refs: Vec<&[u8]> = caveats.iter().map(Vec::as_slice).collect();
        let bytes = macaroon::encode_v2(location.as_bytes(), &identifier, &refs, &signature);
        let m = macaroon::decode(&bytes, Profile::Strict).expect("canonical V2");
        prop_assert_eq!(m.location.unwrap_or(b""), location.as_bytes());
        prop_assert_eq!(m.identifier, identifier.as_slice());
        prop_assert_eq!(m.caveats.iter().map(|c| c.id).collect::<Vec<_>>(), refs);
        prop_assert_eq!(m.signature, &signature[..]);
    }

    #[test]
    fn written_caveats_are_canonical(r in restrictions()) {
        for c in r.caveats().expect("valid restrictions") {
            for profile in Profile::ALL {
                let parsed = caveat::parse(c.as_bytes(), profile, Some(USERS[0])).expect("parses");
                prop_assert_eq!(parsed.canonical(Some(USERS[0])), Some(c.clone()));
            }
        }
    }

    #[test]
    fn attenuation_only_narrows(
        first in restrictions(),
        second in restrictions(),
        req in request(),
    ) {
        let (wide, _) = attenuate::mint(&KEY, IDENT, "pypi.org", &first).expect("mints");
        let (narrow, _) = attenuate::restrict(&wide, &second).expect("restricts");
        for profile in Profile::ALL {
            let w = check(&wide, req, profile);
            let n = check(&narrow, req, profile);
            prop_assert_eq!(&w, &check(&wide, req, profile), "deterministic");
            prop_assert!(w.valid || !n.valid, "{:?}: restricting made a token valid", profile);
            for (t, v) in [(&wide, &w), (&narrow, &n)] {
                if v.valid {
                    prop_assert!(inspect::inspect(t, Some(BASE + req.0)).is_ok());
                }
            }
        }
    }

    /// In the strict profile a key binding adds exactly one condition: the verdict is the
    /// unbound token's, plus `key_binding.no_proof` or `key_binding.mismatch` unless the proof
    /// is by the bound key. A second binding to another key makes every proof fail.
    #[test]
    fn key_binding_adds_one_condition(
        r in restrictions(),
        req in request(),
        bound in 0usize..2,
        proof in proptest::option::of(0usize..2),
        rebind in any::<bool>(),
    ) {
        let (plain, _) = attenuate::mint(&KEY, IDENT, "pypi.org", &r).expect("mints");
        let bind = |t: &str, k: usize| {
            let with = attenuate::Restrictions { bind_jkt: Some(JKTS[k].to_owned()), ..Default::default() };
            attenuate::restrict(t, &with).expect("binds").0
        };
        let mut token_text = bind(&plain, bound);
        if rebind {
            token_text = bind(&token_text, 1 - bound);
        }
        let proof_jkt = proof.map(|k| JKTS[k]);
        let unbound = check_with_proof(&plain, req, Profile::Strict, proof_jkt);
        let v = check_with_proof(&token_text, req, Profile::Strict, proof_jkt);
        let mut want = unbound.codes();
        let bindings: &[usize] = if rebind { &[bound, 1 - bound] } else { &[bound] };
        for &k in bindings {
            match proof {
                None => want.push("key_binding.no_proof"),
                Some(p) if p != k => want.push("key_binding.mismatch"),
                Some(_) => {}
            }
        }
        prop_assert_eq!(v.codes(), want);
        prop_assert_eq!(v.valid, unbound.valid && !rebind && proof == Some(bound));
        // PyPI knows no tag 5: the warehouse profile never accepts a bound token.
        prop_assert!(!check_with_proof(&token_text, req, Profile::Warehouse, proof_jkt).valid);
    }

    #[test]
    fn verdict_ignores_caveat_order(
        r in restrictions(),
        extra in restrictions(),
        req in request(),
        rotate in 0usize..8,
    ) {
        let mut caveats = r.caveats().expect("valid");
        caveats.extend(extra.caveats().expect("valid"));
        let forward = mint_raw(&caveats);
        let n = caveats.len();
        caveats.rotate_left(rotate % n);
        caveats.reverse();
        let shuffled = mint_raw(&caveats);
        for profile in Profile::ALL {
            let a = check(&forward, req, profile);
            let b = check(&shuffled, req, profile);
            prop_assert_eq!(a.valid, b.valid);
            let mut ca = a.codes();
            let mut cb = b.codes();
            ca.sort_unstable();
            cb.sort_unstable();
            prop_assert_eq!(ca, cb, "the same failures in any order");
        }
    }
}

/// PyPI finds a token's row by a PostgreSQL uuid comparison, whose input never takes a
/// leading, trailing or doubled hyphen, though Python's `uuid.UUID` would. No vector can pin
/// this (see MUTANTS.md), so it is pinned here.
#[test]
fn identifier_spellings_follow_postgresql_uuid_input() {
    let plain = caveat::uuid_value("5f0b3a4e8c1d4e2f9a6b7c8d9e0f1a2b");
    assert!(plain.is_some());
    assert_eq!(
        caveat::uuid_value("5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b"),
        plain
    );
    assert_eq!(
        caveat::uuid_value("{5F0B3A4E-8C1D-4E2F-9A6B-7C8D9E0F1A2B}"),
        plain
    );
    for bad in [
        "-5f0b3a4e8c1d4e2f9a6b7c8d9e0f1a2b",
        "5f0b3a4e8c1d4e2f9a6b7c8d9e0f1a2b-",
        "5f0b3a4e--8c1d-4e2f-9a6b-7c8d9e0f1a2b",
        "{-5f0b3a4e8c1d4e2f9a6b7c8d9e0f1a2b}",
    ] {
        assert_eq!(caveat::uuid_value(bad), None, "{bad}");
    }
}
