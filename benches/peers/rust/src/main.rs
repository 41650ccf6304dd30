//! DPoP proof checks, caveatspec against jsonwebtoken and the bare signature primitives, on
//! the same proofs, in paired batches in one process.
//!
//!   dpop-peers --provider aws_lc_rs|rust_crypto [--vectors FILE] [--batch-seconds S] [--rounds N]
//!
//! The proofs are two shipped vectors of `vectors/dpop.json`: `dpop/rfc/figure-13` (ES256,
//! with `ath` and a bound `jkt`) and `dpop/nonce/with-ath-and-jkt` (EdDSA, with `ath`, `jkt`
//! and a nonce). One round times one batch of each contender, in an order that rotates from
//! round to round; the ratio of a contender to caveatspec is taken within each round and the
//! median over rounds is reported, so load from elsewhere on the machine weighs on both sides
//! of each ratio alike. Prints one JSON line per contender and proof (with `round` copied from
//! PEERS_ROUND when it is set, so that benches/peers/report.py can pair processes of a round).
//!
//! jsonwebtoken's process-wide crypto provider can be installed once, so one process measures
//! one of its backends; caveatspec's backend is the one this binary was built with (feature
//! `aws-lc-rs`).

use std::hint::black_box;
use std::time::Instant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use caveatspec::dpop::{self, ProofRequest};
use jsonwebtoken::jwk::ThumbprintHash;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The two proofs, by vector id.
const PROOFS: [(&str, &str); 2] = [
    ("es256", "dpop/rfc/figure-13"),
    ("eddsa", "dpop/nonce/with-ath-and-jkt"),
];

/// A `dpop_proof` vector's input (the members the benchmark uses).
#[derive(Deserialize)]
struct Input {
    proof: String,
    method: String,
    url: String,
    now: i64,
    access_token: Option<String>,
    expected_jkt: Option<String>,
    nonce: Option<String>,
}

impl Input {
    fn request(&self) -> ProofRequest<'_> {
        ProofRequest {
            access_token: self.access_token.as_deref(),
            expected_jkt: self.expected_jkt.as_deref(),
            nonce: self.nonce.as_deref(),
            ..ProofRequest::new(&self.method, &self.url, self.now)
        }
    }
}

/// The claims a DPoP check reads, for jsonwebtoken.
#[derive(Deserialize)]
struct Claims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    ath: Option<String>,
    nonce: Option<String>,
}

/// caveatspec: every check of RFC 9449 §4.3 with `ath`, `jkt` and the nonce.
fn caveatspec_check(input: &Input, proof: &str) -> bool {
    dpop::verify_proof(proof, &input.request()).is_ok()
}

/// jsonwebtoken: the same checks on its full JWT decode, the key taken from the header.
fn jsonwebtoken_check(input: &Input, proof: &str) -> bool {
    let Ok(header) = jsonwebtoken::decode_header(proof) else {
        return false;
    };
    if header.typ.as_deref() != Some("dpop+jwt")
        || !matches!(header.alg, Algorithm::ES256 | Algorithm::EdDSA)
    {
        return false;
    }
    let Some(jwk) = header.jwk.as_ref() else {
        return false;
    };
    let Ok(key) = DecodingKey::from_jwk(jwk) else {
        return false;
    };
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let Ok(data) = jsonwebtoken::decode::<Claims>(proof, &key, &validation) else {
        return false;
    };
    let c = data.claims;
    let fresh = c.iat >= input.now - 300 && c.iat <= input.now + 60;
    let ath_ok = match &input.access_token {
        Some(token) => c.ath.as_deref() == Some(&URL_SAFE_NO_PAD.encode(Sha256::digest(token))),
        None => true,
    };
    let nonce_ok = input.nonce.is_none() || c.nonce == input.nonce;
    let jkt_ok = match &input.expected_jkt {
        Some(jkt) => jwk.thumbprint(ThumbprintHash::SHA256).ok().as_ref() == Some(jkt),
        None => true,
    };
    !c.jti.is_empty()
        && c.htm == input.method
        && c.htu == input.url
        && fresh
        && ath_ok
        && nonce_ok
        && jkt_ok
}

/// The proof's signing input, signature and public key bytes (SEC 1 uncompressed for P-256).
struct Parts {
    input: Vec<u8>,
    signature: Vec<u8>,
    key: Vec<u8>,
}

fn parts(proof: &str) -> Parts {
    let (input, sig) = proof.rsplit_once('.').expect("three segments");
    let header = input.split('.').next().expect("a header");
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64url")).expect("JSON");
    let coordinate = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(header["jwk"][name].as_str().expect("a coordinate"))
            .expect("base64url")
    };
    let key = if header["jwk"]["kty"] == "EC" {
        [vec![4], coordinate("x"), coordinate("y")].concat()
    } else {
        coordinate("x")
    };
    Parts {
        input: input.as_bytes().to_vec(),
        signature: URL_SAFE_NO_PAD.decode(sig).expect("base64url"),
        key,
    }
}

fn ring_verify(alg: &str, p: &Parts) -> bool {
    use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, ED25519};
    let scheme: &dyn ring::signature::VerificationAlgorithm = match alg {
        "es256" => &ECDSA_P256_SHA256_FIXED,
        _ => &ED25519,
    };
    UnparsedPublicKey::new(scheme, &p.key)
        .verify(&p.input, &p.signature)
        .is_ok()
}

fn aws_lc_verify(alg: &str, p: &Parts) -> bool {
    use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, ED25519};
    let scheme: &dyn aws_lc_rs::signature::VerificationAlgorithm = match alg {
        "es256" => &ECDSA_P256_SHA256_FIXED,
        _ => &ED25519,
    };
    UnparsedPublicKey::new(scheme, &p.key)
        .verify(&p.input, &p.signature)
        .is_ok()
}

/// RustCrypto's `p256` and `ed25519-dalek` (`verify_strict`), the key parsed every call as
/// the other two do.
fn rustcrypto_verify(alg: &str, p: &Parts) -> bool {
    if alg == "es256" {
        use p256::ecdsa::signature::Verifier;
        let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(&p.key) else {
            return false;
        };
        let Ok(sig) = p256::ecdsa::Signature::from_slice(&p.signature) else {
            return false;
        };
        key.verify(&p.input, &sig).is_ok()
    } else {
        let Ok(key) = <[u8; 32]>::try_from(p.key.as_slice()) else {
            return false;
        };
        let Ok(sig) = <[u8; 64]>::try_from(p.signature.as_slice()) else {
            return false;
        };
        ed25519_dalek::VerifyingKey::from_bytes(&key)
            .and_then(|k| k.verify_strict(&p.input, &ed25519_dalek::Signature::from_bytes(&sig)))
            .is_ok()
    }
}

/// `proof` with one bit of its signature flipped: every contender must refuse it.
fn tampered(proof: &str) -> String {
    let (input, sig) = proof.rsplit_once('.').expect("three segments");
    let mut bytes = URL_SAFE_NO_PAD.decode(sig).expect("base64url");
    bytes[5] ^= 1;
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

struct Options {
    provider: String,
    vectors: String,
    batch_seconds: f64,
    rounds: usize,
}

fn options() -> Options {
    let mut o = Options {
        provider: String::new(),
        vectors: concat!(env!("CARGO_MANIFEST_DIR"), "/../../../vectors/dpop.json").to_owned(),
        batch_seconds: 0.05,
        rounds: 21,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--provider" => o.provider = value(),
            "--vectors" => o.vectors = value(),
            "--batch-seconds" => o.batch_seconds = value().parse().expect("seconds"),
            "--rounds" => o.rounds = value().parse().expect("a count"),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    o
}

/// Nanoseconds per call of `f` over `n` calls.
fn time<F: FnMut() -> bool>(f: &mut F, n: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

type Contender<'a> = (&'static str, String, Box<dyn FnMut() -> bool + 'a>);

fn main() {
    let o = options();
    let provider = match o.provider.as_str() {
        "aws_lc_rs" => &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
        "rust_crypto" => &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
        other => panic!("--provider aws_lc_rs|rust_crypto, not {other:?}"),
    };
    provider
        .install_default()
        .expect("the first provider of the process");
    let text = std::fs::read_to_string(&o.vectors).expect("the DPoP vectors");
    let file: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let backend = caveatspec::jose::BACKEND;
    for (alg, id) in PROOFS {
        let vector = file["vectors"]
            .as_array()
            .and_then(|vs| vs.iter().find(|v| v["id"] == id))
            .unwrap_or_else(|| panic!("no vector {id}"));
        let input: Input = serde_json::from_value(vector["input"].clone()).expect("an input");
        let proof = input.proof.clone();
        let p = parts(&proof);
        let bad = tampered(&proof);
        let bad_parts = parts(&bad);
        assert!(caveatspec_check(&input, &proof) && !caveatspec_check(&input, &bad));
        assert!(jsonwebtoken_check(&input, &proof) && !jsonwebtoken_check(&input, &bad));
        assert!(ring_verify(alg, &p) && !ring_verify(alg, &bad_parts));
        assert!(aws_lc_verify(alg, &p) && !aws_lc_verify(alg, &bad_parts));
        assert!(rustcrypto_verify(alg, &p) && !rustcrypto_verify(alg, &bad_parts));
        let raw = if alg == "es256" {
            "p256 0.13.2"
        } else {
            "ed25519-dalek 2.2.0"
        };
        let mut contenders: Vec<Contender<'_>> = vec![
            (
                "caveatspec",
                format!(
                    "caveatspec {} verify_proof ({backend})",
                    env!("CARGO_PKG_VERSION")
                ),
                Box::new(|| caveatspec_check(&input, black_box(&proof))),
            ),
            (
                "jsonwebtoken",
                format!("jsonwebtoken 11.1.0 ({})", o.provider),
                Box::new(|| jsonwebtoken_check(&input, black_box(&proof))),
            ),
            (
                "raw",
                "ring 0.17.14".into(),
                Box::new(|| ring_verify(alg, black_box(&p))),
            ),
            (
                "raw",
                "aws-lc-rs 1.15.4".into(),
                Box::new(|| aws_lc_verify(alg, black_box(&p))),
            ),
            (
                "raw",
                raw.into(),
                Box::new(|| rustcrypto_verify(alg, black_box(&p))),
            ),
        ];
        // Warm-up, then a batch size per contender that lasts about `batch_seconds`.
        let batches: Vec<usize> = contenders
            .iter_mut()
            .map(|(_, _, f)| {
                time(f, 20);
                let per_call = time(f, 50);
                ((o.batch_seconds * 1e9 / per_call) as usize).max(5)
            })
            .collect();
        let n = contenders.len();
        let mut times = vec![Vec::new(); n];
        for round in 0..o.rounds {
            for k in 0..n {
                let i = (round + k) % n;
                times[i].push(time(&mut contenders[i].2, batches[i]));
            }
        }
        for (i, (kind, name, _)) in contenders.iter().enumerate() {
            let ratios: Vec<f64> = (0..o.rounds).map(|r| times[i][r] / times[0][r]).collect();
            let mut line = serde_json::json!({
                "alg": alg,
                "vector": id,
                "kind": kind,
                "peer": name,
                "caveatspec_backend": backend,
                "jsonwebtoken_provider": o.provider,
                "median_ns": median(times[i].clone()),
                "min_ns": times[i].iter().copied().fold(f64::INFINITY, f64::min),
                "max_ns": times[i].iter().copied().fold(0.0, f64::max),
                "ratio_to_caveatspec": median(ratios),
                "batch": batches[i],
                "rounds": o.rounds,
            });
            if let Some(round) = std::env::var("PEERS_ROUND")
                .ok()
                .and_then(|r| r.parse::<u32>().ok())
            {
                line["round"] = round.into();
            }
            println!("{line}");
        }
    }
}
