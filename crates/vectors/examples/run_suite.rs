//! Run the whole caveatspec suite against your own implementation from Rust.
//!
//! This example is a second, deliberately tiny implementation: it only mints tokens, written
//! straight on `hmac` and `sha2` without using caveatspec's own code. It implements
//! `Implementation::mint`; everything else defaults to "unsupported" and is reported as
//! skipped. Run it with `cargo run -p caveatspec-vectors --example run_suite`.

use caveatspec_vectors::{
    decode_hex, Implementation, MintInput, MintOutcome, Outcome, Produced, Status, Suite,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

struct TinyMinter;

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

fn varint(mut n: usize, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn field(kind: u8, data: &[u8], out: &mut Vec<u8>) {
    out.push(kind);
    varint(data.len(), out);
    out.extend_from_slice(data);
}

fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    s
}

impl Implementation for TinyMinter {
    fn name(&self) -> &str {
        "tiny-minter"
    }

    fn mint(&self, input: &MintInput) -> Option<MintOutcome> {
        let r = &input.restrictions;
        // Only the simplest restriction this example understands; the rest is "unsupported".
        if r.not_before.is_some()
            || r.not_after.is_some()
            || r.project_ids.is_some()
            || r.project_names.is_some()
            || r.bind_jkt.is_some()
        {
            return None;
        }
        let caveats: Vec<String> = r.user_id.iter().map(|u| format!("[3,\"{u}\"]")).collect();
        let key = decode_hex(&input.key_hex).ok()?;
        let mut sig = hmac(
            &hmac(b"macaroons-key-generator", &key),
            input.identifier.as_bytes(),
        );
        for c in &caveats {
            sig = hmac(&sig, c.as_bytes());
        }
        let mut out = vec![2];
        field(1, input.location.as_bytes(), &mut out);
        field(2, input.identifier.as_bytes(), &mut out);
        out.push(0);
        for c in &caveats {
            field(2, c.as_bytes(), &mut out);
            out.push(0);
        }
        out.push(0);
        field(6, &sig, &mut out);
        Some(Outcome::accept(
            Produced {
                caveats,
                token: format!("pypi-{}", b64url(&out)),
            },
            None,
        ))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = Suite::shipped()?
        .expect_failure(
            "mint/invalid-user",
            "this minter does not check that a user id is a UUID",
        )
        .run(&TinyMinter);
    println!("{report}");
    if report.failures().next().is_some() || report.count(|s| *s == Status::Passed) == 0 {
        std::process::exit(1);
    }
    Ok(())
}
