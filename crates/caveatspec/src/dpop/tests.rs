//! [`verify_proof`] and [`ReplayCache`] on the RFC 9449 example proofs, and on proofs signed
//! with the RFC 8037 Ed25519 key for the cases that need a new signature.

use super::*;
use crate::jose::testdata::{
    fig13, fig13_low_s, fig2, fig2_low_s, fig7, sign_ed25519, RFC7638_JKT, RFC8037_JKT, RFC8037_X,
    RFC9449_JKT, RFC9449_X, RFC9449_Y,
};
use serde_json::json;

const TOKEN_URL: &str = "https://server.example.com/token";
const RESOURCE_URL: &str = "https://resource.example.org/protectedresource";
const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const FIG2_IAT: i64 = 1562262616;
const FIG7_IAT: i64 = 1562265296;
const FIG13_IAT: i64 = 1562262618;

fn fig13_request(now: i64) -> ProofRequest<'static> {
    ProofRequest {
        access_token: Some(ACCESS_TOKEN),
        expected_jkt: Some(RFC9449_JKT),
        ..ProofRequest::new("GET", RESOURCE_URL, now)
    }
}

fn header() -> Value {
    json!({"typ": "dpop+jwt", "alg": "EdDSA",
        "jwk": {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}})
}

fn claims() -> Value {
    json!({"jti": "ed25519-proof-1", "htm": "POST", "htu": TOKEN_URL, "iat": FIG2_IAT})
}

/// A proof over `header` and `claims`, signed with the RFC 8037 key.
fn signed(header: &Value, claims: &Value) -> String {
    sign_ed25519(&header.to_string(), &claims.to_string())
}

fn with(mut value: Value, name: &str, member: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.insert(name.into(), member);
    }
    value
}

fn without(mut value: Value, name: &str) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.remove(name);
    }
    value
}

fn token_request() -> ProofRequest<'static> {
    ProofRequest::new("POST", TOKEN_URL, FIG2_IAT)
}

fn check(header: &Value, claims: &Value) -> Result<VerifiedProof, DpopError> {
    verify_proof(&signed(header, claims), &token_request())
}

#[test]
fn figure_2_verifies_at_its_clock() {
    let proof = verify_proof(&fig2(), &token_request()).unwrap();
    assert_eq!(proof.alg, Alg::Es256);
    assert_eq!(proof.jkt, RFC9449_JKT);
    assert_eq!(proof.jti, "-BwC3ESc6acc2lTc");
    assert_eq!(proof.iat, FIG2_IAT);
    assert_eq!(proof.htm, "POST");
    assert_eq!(proof.htu, TOKEN_URL);
    assert_eq!(proof.nonce, None);
}

#[test]
fn figure_2_window_edges() {
    let at = |now| verify_proof(&fig2(), &ProofRequest::new("POST", TOKEN_URL, now));
    assert!(at(FIG2_IAT + 300).is_ok());
    assert_eq!(
        at(FIG2_IAT + 301),
        Err(DpopError::IatTooOld {
            iat: FIG2_IAT,
            now: FIG2_IAT + 301
        })
    );
    assert!(at(FIG2_IAT - 60).is_ok());
    assert_eq!(
        at(FIG2_IAT - 61),
        Err(DpopError::IatInFuture {
            iat: FIG2_IAT,
            now: FIG2_IAT - 61
        })
    );
    let wide = ProofRequest {
        max_age: 3600,
        ..ProofRequest::new("POST", TOKEN_URL, FIG2_IAT + 3600)
    };
    assert!(verify_proof(&fig2(), &wide).is_ok());
}

#[test]
fn figure_13_verifies_with_its_access_token_and_jkt() {
    let proof = verify_proof(&fig13(), &fig13_request(FIG13_IAT)).unwrap();
    assert_eq!(proof.jkt, RFC9449_JKT);
    assert_eq!(proof.jti, "e1j3V_bKic8-LAEB");
    assert_eq!(
        proof.claims.get("ath").and_then(Value::as_str),
        Some("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo")
    );
}

#[test]
fn figure_13_negatives_without_resigning() {
    let req = fig13_request(FIG13_IAT);
    let run = |req: &ProofRequest<'_>| verify_proof(&fig13(), req);
    assert_eq!(
        run(&ProofRequest {
            method: "POST",
            ..req
        }),
        Err(DpopError::Htm)
    );
    assert_eq!(
        run(&ProofRequest {
            method: "get",
            ..req
        }),
        Err(DpopError::Htm)
    );
    let other_path = "https://resource.example.org/protectedresource/";
    assert_eq!(
        run(&ProofRequest {
            url: other_path,
            ..req
        }),
        Err(DpopError::Htu)
    );
    let other_host = "https://resource.example.com/protectedresource";
    assert_eq!(
        run(&ProofRequest {
            url: other_host,
            ..req
        }),
        Err(DpopError::Htu)
    );
    for url in [
        "https://resource.example.org/protectedresource?x=1",
        "https://resource.example.org/protectedresource#frag",
        "https://resource.example.org/protectedresource?x=1#frag",
        "HTTPS://Resource.Example.ORG:443/protectedresource",
    ] {
        assert!(run(&ProofRequest { url, ..req }).is_ok(), "{url}");
    }
    assert_eq!(
        run(&ProofRequest {
            url: "/protectedresource",
            ..req
        }),
        Err(DpopError::RequestUrl("no scheme and authority"))
    );
    let altered = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxV";
    assert_eq!(
        run(&ProofRequest {
            access_token: Some(altered),
            ..req
        }),
        Err(DpopError::Ath)
    );
    assert_eq!(
        run(&ProofRequest {
            expected_jkt: Some(RFC7638_JKT),
            ..req
        }),
        Err(DpopError::Jkt)
    );
    assert_eq!(
        run(&ProofRequest {
            nonce: Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
            ..req
        }),
        Err(DpopError::Nonce)
    );
    assert!(matches!(
        run(&fig13_request(FIG13_IAT + 301)),
        Err(DpopError::IatTooOld { .. })
    ));
    // Without the access token the proof is still a valid proof (a token-endpoint reading).
    assert!(run(&ProofRequest {
        access_token: None,
        ..req
    })
    .is_ok());
}

#[test]
fn figure_2_at_a_resource_lacks_ath() {
    let req = ProofRequest {
        access_token: Some(ACCESS_TOKEN),
        ..token_request()
    };
    assert_eq!(
        verify_proof(&fig2(), &req),
        Err(DpopError::MissingClaim("ath"))
    );
}

#[test]
fn high_s_policy() {
    let reject = |req: ProofRequest<'static>| ProofRequest {
        high_s: HighS::Reject,
        ..req
    };
    assert!(verify_proof(&fig2_low_s(), &token_request()).is_ok());
    assert!(verify_proof(&fig2_low_s(), &reject(token_request())).is_ok());
    assert!(verify_proof(&fig13_low_s(), &reject(fig13_request(FIG13_IAT))).is_ok());
    let err = verify_proof(&fig2(), &reject(token_request())).unwrap_err();
    assert_eq!(err, DpopError::Signature(JoseError::HighS));
    assert_eq!(err.code(), "dpop.signature");
    assert_eq!(err.jose().map(JoseError::code), Some("jose.high_s"));
}

#[test]
fn replay_through_the_cache() {
    let mut cache = ReplayCache::new(16, DEFAULT_MAX_AGE);
    let first = verify_proof(&fig2(), &token_request()).unwrap();
    cache.check_and_insert(&first, FIG2_IAT).unwrap();
    // The same proof a second later, and its low-S twin: same jti.
    for proof in [fig2(), fig2_low_s()] {
        let req = ProofRequest::new("POST", TOKEN_URL, FIG2_IAT + 1);
        let again = verify_proof(&proof, &req).unwrap();
        assert_eq!(
            cache.check_and_insert(&again, FIG2_IAT + 1),
            Err(DpopError::Replay)
        );
    }
    // Figure 7 reuses the jti 2,680 s later, after the entry expired.
    let later = ProofRequest::new("POST", TOKEN_URL, FIG7_IAT);
    let seventh = verify_proof(&fig7(), &later).unwrap();
    assert_eq!(seventh.jti, first.jti);
    cache.check_and_insert(&seventh, FIG7_IAT).unwrap();
    assert_eq!(
        cache.check_and_insert(&seventh, FIG7_IAT + 10),
        Err(DpopError::Replay)
    );
}

#[test]
fn ed25519_proofs_verify_under_both_names() {
    let proof = check(&header(), &claims()).unwrap();
    assert_eq!(proof.alg, Alg::EdDsa);
    assert_eq!(proof.jkt, RFC8037_JKT);
    let proof = check(&with(header(), "alg", json!("Ed25519")), &claims()).unwrap();
    assert_eq!(proof.alg, Alg::Ed25519);
}

#[test]
fn typ_must_be_exactly_dpop_jwt() {
    for typ in [
        json!("DPoP+JWT"),
        json!("application/dpop+jwt"),
        json!("JWT"),
        json!("dpop+jwt "),
        json!(1),
        json!(null),
    ] {
        assert_eq!(
            check(&with(header(), "typ", typ.clone()), &claims()),
            Err(DpopError::Typ),
            "{typ}"
        );
    }
    assert_eq!(
        check(&without(header(), "typ"), &claims()),
        Err(DpopError::Typ)
    );
}

#[test]
fn alg_must_be_supported_and_asymmetric() {
    for (alg, jose) in [
        (json!("none"), JoseError::AlgNone),
        (json!("HS256"), JoseError::AlgSymmetric("HS256".into())),
        (json!("RS256"), JoseError::AlgUnsupported("RS256".into())),
        (json!("eddsa"), JoseError::AlgUnknown("eddsa".into())),
        (json!(["EdDSA"]), JoseError::MemberType("alg")),
    ] {
        assert_eq!(
            check(&with(header(), "alg", alg), &claims()),
            Err(DpopError::Alg(jose))
        );
    }
    assert_eq!(
        check(&without(header(), "alg"), &claims()),
        Err(DpopError::Alg(JoseError::MissingMember("alg")))
    );
    assert_eq!(
        check(&with(header(), "alg", json!("ES256")), &claims()),
        Err(DpopError::Signature(JoseError::KeyAlgMismatch("ES256")))
    );
    // An unsecured JWT is not even well-formed here.
    let unsigned = signed(&with(header(), "alg", json!("none")), &claims());
    let (input, _) = unsigned.rsplit_once('.').unwrap_or_default();
    assert_eq!(
        verify_proof(&format!("{input}."), &token_request()),
        Err(DpopError::Malformed(JoseError::EmptySignature))
    );
}

#[test]
fn jwk_must_be_a_supported_public_key() {
    let okp = json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X});
    assert_eq!(
        check(
            &with(header(), "jwk", with(okp.clone(), "d", json!("x"))),
            &claims()
        ),
        Err(DpopError::JwkPrivate("d"))
    );
    assert_eq!(
        check(
            &with(header(), "jwk", json!({"kty": "oct", "k": "c2VjcmV0"})),
            &claims()
        ),
        Err(DpopError::JwkSymmetric)
    );
    assert_eq!(
        check(&without(header(), "jwk"), &claims()),
        Err(DpopError::JwkMissing)
    );
    assert_eq!(
        check(
            &with(
                header(),
                "jwk",
                json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"})
            ),
            &claims()
        ),
        Err(DpopError::Jwk(JoseError::JwkRsaUnsupported))
    );
    assert_eq!(
        check(&with(header(), "jwk", json!(RFC8037_X)), &claims()),
        Err(DpopError::Jwk(JoseError::MemberType("jwk")))
    );
    // Another valid key than the one that signed.
    let ec = json!({"kty": "EC", "crv": "P-256", "x": RFC9449_X, "y": RFC9449_Y});
    assert_eq!(
        check(&with(header(), "jwk", ec), &claims()),
        Err(DpopError::Signature(JoseError::KeyAlgMismatch("EdDSA")))
    );
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
    let other = with(okp, "x", json!(base64url::encode(other.as_bytes())));
    assert_eq!(
        check(&with(header(), "jwk", other), &claims()),
        Err(DpopError::Signature(JoseError::Signature))
    );
}

#[test]
fn crit_is_refused() {
    let h = with(with(header(), "crit", json!(["exp"])), "exp", json!(1));
    assert_eq!(
        check(&h, &claims()),
        Err(DpopError::Crit(JoseError::Crit(
            "names an extension that is not understood"
        )))
    );
}

#[test]
fn required_claims() {
    for name in ["jti", "htm", "htu", "iat"] {
        assert_eq!(
            check(&header(), &without(claims(), name)),
            Err(DpopError::MissingClaim(name))
        );
        assert_eq!(
            check(&header(), &with(claims(), name, json!({}))),
            Err(DpopError::ClaimType(name))
        );
    }
    for iat in [
        json!("1562262616"),
        json!(1562262616.0),
        json!(1.562262616e9),
        json!(u64::MAX),
        json!(null),
    ] {
        assert_eq!(
            check(&header(), &with(claims(), "iat", iat.clone())),
            Err(DpopError::ClaimType("iat")),
            "{iat}"
        );
    }
    assert_eq!(
        check(&header(), &with(claims(), "jti", json!(""))),
        Err(DpopError::JtiLength(0))
    );
    let long = "j".repeat(MAX_JTI_LEN + 1);
    assert_eq!(
        check(&header(), &with(claims(), "jti", json!(long))),
        Err(DpopError::JtiLength(MAX_JTI_LEN + 1))
    );
    assert!(check(
        &header(),
        &with(claims(), "jti", json!("j".repeat(MAX_JTI_LEN)))
    )
    .is_ok());
}

#[test]
fn duplicate_claims_are_malformed() {
    let payload =
        format!(r#"{{"jti":"a","htm":"POST","htu":"{TOKEN_URL}","iat":{FIG2_IAT},"htm":"GET"}}"#);
    let proof = sign_ed25519(&header().to_string(), &payload);
    assert_eq!(
        verify_proof(&proof, &token_request()),
        Err(DpopError::Malformed(JoseError::DuplicateMember {
            part: "payload",
            name: "htm".into()
        }))
    );
}

#[test]
fn htm_and_htu() {
    assert_eq!(
        check(&header(), &with(claims(), "htm", json!("post"))),
        Err(DpopError::Htm)
    );
    let spelled = json!("HTTPS://SERVER.EXAMPLE.COM:443/./token?q=1#f");
    assert!(check(&header(), &with(claims(), "htu", spelled)).is_ok());
    assert_eq!(
        check(
            &header(),
            &with(claims(), "htu", json!("ftp://server.example.com/token"))
        ),
        Err(DpopError::HtuInvalid("scheme is not http or https"))
    );
}

#[test]
fn nonce() {
    let nonce = "eyJ7S_zG.eyJH0-Z.HX4w-7v";
    let req = ProofRequest {
        nonce: Some(nonce),
        ..token_request()
    };
    let proof = signed(&header(), &with(claims(), "nonce", json!(nonce)));
    assert_eq!(
        verify_proof(&proof, &req).unwrap().nonce.as_deref(),
        Some(nonce)
    );
    // A nonce the server did not ask for is ignored.
    assert!(verify_proof(&proof, &token_request()).is_ok());
    let other = ProofRequest {
        nonce: Some("eyJ7S_zG.eyJbYu3.xQmBj-1"),
        ..token_request()
    };
    assert_eq!(verify_proof(&proof, &other), Err(DpopError::Nonce));
    assert_eq!(check(&header(), &claims()).map(|p| p.nonce), Ok(None));
    assert_eq!(
        verify_proof(&signed(&header(), &claims()), &req),
        Err(DpopError::Nonce)
    );
    let numeric = signed(&header(), &with(claims(), "nonce", json!(1)));
    assert_eq!(verify_proof(&numeric, &req), Err(DpopError::Nonce));
}

#[test]
fn extra_members_are_ignored() {
    let h = with(header(), "kid", json!("k1"));
    let c = with(claims(), "x-extension", json!({"a": [1, 2]}));
    assert!(check(&h, &c).is_ok());
}

#[test]
fn codes_are_distinct() {
    let errors = [
        DpopError::Malformed(JoseError::EmptySignature),
        DpopError::Typ,
        DpopError::Alg(JoseError::AlgNone),
        DpopError::Crit(JoseError::Crit("")),
        DpopError::JwkMissing,
        DpopError::JwkPrivate("d"),
        DpopError::JwkSymmetric,
        DpopError::Jwk(JoseError::JwkPoint),
        DpopError::Signature(JoseError::Signature),
        DpopError::MissingClaim("jti"),
        DpopError::ClaimType("jti"),
        DpopError::JtiLength(0),
        DpopError::Ath,
        DpopError::Htm,
        DpopError::Htu,
        DpopError::HtuInvalid(""),
        DpopError::RequestUrl(""),
        DpopError::IatTooOld { iat: 0, now: 0 },
        DpopError::IatInFuture { iat: 0, now: 0 },
        DpopError::Nonce,
        DpopError::Jkt,
        DpopError::Replay,
        DpopError::ReplayCacheFull,
    ];
    let mut codes: Vec<&str> = errors.iter().map(DpopError::code).collect();
    assert!(codes.iter().all(|c| c.starts_with("dpop.")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
}

#[test]
fn junk_is_refused_without_panicking() {
    for proof in [
        "",
        ".",
        "..",
        "...",
        "a.b.c",
        "\u{0}",
        "é.é.é",
        "e30.W10.e30",
    ] {
        assert!(matches!(
            verify_proof(proof, &token_request()),
            Err(DpopError::Malformed(_))
        ));
    }
    assert_eq!(
        verify_proof("e30.e30.e30", &token_request()),
        Err(DpopError::Typ)
    );
}
