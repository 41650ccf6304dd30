//! The macaroon signature chain, HMAC-SHA256 throughout (libmacaroons, pymacaroons,
//! go-macaroon and js-macaroon agree on these bytes).
//!
//! ```text
//! derived = HMAC(key = b"macaroons-key-generator", msg = root_key)
//! sig     = HMAC(key = derived, msg = identifier)
//! sig     = HMAC(key = sig, msg = caveat)          for each first-party caveat, in order
//! ```
//!
//! The location is not covered. libmacaroons zero-pads the 23-byte generator key to 32
//! bytes before use; HMAC pads short keys with zeros anyway, so the result is the same.

use hmac::{Hmac, Mac};
use sha2::digest::generic_array::GenericArray;
use sha2::Sha256;
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The key pymacaroons' `generate_derived_key` uses as the HMAC key.
pub const KEY_GENERATOR: &[u8] = b"macaroons-key-generator";

/// SHA-256's block length: HMAC pads keys up to it.
const BLOCK: usize = 64;

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// HMAC-SHA256 once the key is absorbed: the inner and outer SHA-256 states after the
/// `K ⊕ ipad` and `K ⊕ opad` blocks (RFC 2104 §2). Written on SHA-256's compression function
/// so that a link of the chain is exactly its compressions: the two of the key, the message's,
/// and the outer hash's one, with nothing buffered or copied in between.
#[derive(Clone, Copy)]
struct Keyed {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Keyed {
    /// A key of at most one block (every key of the chain: 32-byte signatures, the 23-byte
    /// generator key).
    fn new(key: &[u8]) -> Option<Keyed> {
        if key.len() > BLOCK {
            return None;
        }
        let mut ipad = [0x36u8; BLOCK];
        let mut opad = [0x5cu8; BLOCK];
        for ((i, o), k) in ipad.iter_mut().zip(opad.iter_mut()).zip(key) {
            *i ^= k;
            *o ^= k;
        }
        let (mut inner, mut outer) = (IV, IV);
        compress(&mut inner, &ipad);
        compress(&mut outer, &opad);
        Some(Keyed { inner, outer })
    }

    fn mac(&self, msg: &[u8]) -> [u8; 32] {
        let inner = finish(self.inner, msg);
        finish(self.outer, &inner)
    }
}

/// One 64-byte block into `state`.
fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

/// The digest of a message that is one block already absorbed into `state`, then `msg`.
fn finish(mut state: [u32; 8], msg: &[u8]) -> [u8; 32] {
    let mut blocks = msg.chunks_exact(BLOCK);
    for block in &mut blocks {
        if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
            compress(&mut state, block);
        }
    }
    let rest = blocks.remainder();
    // The rest, 0x80, zeros, and the message length in bits (one block ahead of `msg`), in
    // one block when the length still fits after the rest, in two otherwise.
    let mut block = [0u8; BLOCK];
    block[..rest.len()].copy_from_slice(rest);
    block[rest.len()] = 0x80;
    if rest.len() >= BLOCK - 8 {
        compress(&mut state, &block);
        block = [0u8; BLOCK];
    }
    let bits = ((BLOCK + msg.len()) as u64).wrapping_mul(8);
    block[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
    compress(&mut state, &block);
    let mut out = [0u8; 32];
    for (bytes, word) in out.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// HMAC-SHA256(key, msg): one link of the chain. Callers that extend a presented signature
/// (PyPI appends its stored caveats with `add_first_party_caveat`, which HMACs with whatever
/// signature bytes the token carried, of any length) use it directly.
pub fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    if let Some(keyed) = Keyed::new(key) {
        return keyed.mac(msg);
    }
    // A key longer than a block is hashed first (RFC 2104 §2): the general implementation.
    let mut mac = keyed(key);
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// pymacaroons' key derivation: HMAC-SHA256(key = b"macaroons-key-generator", msg = root_key).
/// PyPI stores a 32-byte random root key per token and always derives.
///
/// The generator key never changes, so the HMAC states after absorbing its padded inner and
/// outer blocks are computed once per process: every derivation saves the two SHA-256
/// compressions of the key schedule (two of the four an HMAC of a short message costs).
pub fn derive_key(root_key: &[u8]) -> [u8; 32] {
    static GENERATOR: OnceLock<Option<Keyed>> = OnceLock::new();
    match GENERATOR.get_or_init(|| Keyed::new(KEY_GENERATOR)) {
        Some(generator) => generator.mac(root_key),
        None => hmac(KEY_GENERATOR, root_key),
    }
}

/// An HMAC-SHA256 instance for `key`.
fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (RFC 2104 §2), and `new_from_slice` never fails for it.
    let Ok(mac) = HmacSha256::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac
}

/// HMAC-SHA256(derived, identifier), then HMAC(sig, caveat) per first-party caveat.
pub fn chain<'c>(
    derived_key: &[u8; 32],
    identifier: &[u8],
    caveats: impl IntoIterator<Item = &'c [u8]>,
) -> [u8; 32] {
    let mut sig = hmac(derived_key, identifier);
    for c in caveats {
        sig = hmac(&sig, c);
    }
    sig
}

/// Constant-time: true iff `presented` is exactly 32 bytes and equal to `expected`.
/// (pymacaroons compares hex strings with `hmac.compare_digest`; a wrong length is simply
/// unequal there too. Only the length, which is public, affects the timing here.)
pub fn signature_matches(presented: &[u8], expected: &[u8; 32]) -> bool {
    presented.len() == 32 && bool::from(presented.ct_eq(&expected[..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex::encode as hex;

    #[test]
    fn derived_key_vectors() {
        // pypi-caveats.md §6.4: root key 00..1f.
        let root: Vec<u8> = (0u8..32).collect();
        assert_eq!(
            hex(&derive_key(&root)),
            "7a48333781979c470801d9e308c78e75f4de306c63cb9435b16e84d60192417d"
        );
        // macaroon-formats.md §2: libmacaroons README secret.
        assert_eq!(
            hex(&derive_key(
                b"this is our super secret key; only we should know it"
            )),
            "a96173391e6bfa0356bbf095621b8af1510968e770e4d27d62109b7dc374814b"
        );
    }

    #[test]
    fn chain_vectors() {
        // pypi-caveats.md §6.4.
        let root: Vec<u8> = (0u8..32).collect();
        let dk = derive_key(&root);
        let id = b"5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
        assert_eq!(
            hex(&chain(&dk, id, [])),
            "05d10b4cf04112fcfbf03f015fe69843a5b87e75237e1a84739f647822003ea1"
        );
        let c1: &[u8] = br#"[1,["sampleproject"]]"#;
        let c2: &[u8] = br#"[2,["0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41"]]"#;
        assert_eq!(
            hex(&chain(&dk, id, [c1])),
            "0818a220310ecb4016f301c3793002c11d571efa65e9903dfaa012eaab326f45"
        );
        assert_eq!(
            hex(&chain(&dk, id, [c1, c2])),
            "068b72e0113203dda4f25b67d4dbe80326e2ce1529648d600df6daa2a0139446"
        );

        // macaroon-formats.md V-1 (libmacaroons README) and V-1b.
        let dk = derive_key(b"this is our super secret key; only we should know it");
        let id = b"we used our secret key";
        assert_eq!(
            hex(&chain(&dk, id, [])),
            "e3d9e02908526c4c0039ae15114115d97fdd68bf2ba379b342aaf0f617d0552f"
        );
        let readme: [&[u8]; 3] = [
            b"account = 3735928559",
            b"time < 2020-01-01T00:00",
            b"email = alice@example.org",
        ];
        assert_eq!(
            hex(&chain(&dk, id, readme[..1].iter().copied())),
            "1efe4763f290dbce0c1d08477367e11f4eee456a64933cf662d79772dbb82128"
        );
        assert_eq!(
            hex(&chain(&dk, id, readme[..2].iter().copied())),
            "b5f06c8c8ef92f6c82c6ff282cd1f8bd1849301d09a2db634ba182536a611c49"
        );
        assert_eq!(
            hex(&chain(&dk, id, readme)),
            "ddf553e46083e55b8d71ab822be3d8fcf21d6bf19c40d617bb9fb438934474b6"
        );
        assert_eq!(
            hex(&chain(&dk, id, [&b"test = caveat"[..]])),
            "197bac7a044af33332865b9266e26d493bdd668a660e44d88ce1a998c23dbd67"
        );

        // macaroon-formats.md V-2 (libmacaroons unit tests).
        let dk = derive_key(b"this is the key");
        assert_eq!(
            hex(&chain(&dk, b"keyid", [])),
            "7cdee792511c5bc6f528485805dfe9b24e785e28e2a99301f9d711c609e38ef7"
        );
        let v2: [&[u8]; 2] = [b"account = 3735928559", b"user = alice"];
        assert_eq!(
            hex(&chain(&dk, b"keyid", v2[..1].iter().copied())),
            "f54807f6dc6edf88bf0f7306b3822562a362533dbf7339ba61765da4bd259d87"
        );
        assert_eq!(
            hex(&chain(&dk, b"keyid", v2)),
            "4be967cd1ea0c6b26baf6a4a94ee9b05b15886da0ba85e8c42a93c8d0e125efc"
        );

        // macaroon-formats.md V-4: raw DB key 32 × 0x07.
        let dk = derive_key(&[7u8; 32]);
        let id = b"f3b37b6c-0000-4000-8000-000000000001";
        assert_eq!(
            hex(&chain(&dk, id, [&br#"[1,["sampleproject"]]"#[..]])),
            "3ac4946886664f24c3956819e3351dd88525181840b89bed4dd95e34f6351caf"
        );
        let two: [&[u8]; 2] = [
            b"[0,1900000000,1700000000]",
            br#"[3,"00000000-0000-4000-8000-00000000beef"]"#,
        ];
        assert_eq!(
            hex(&chain(&dk, id, two)),
            "96c2c7cf903c619a54b4b4f473b3b4ba47e2c9f4202fc1429c41e467b963afe6"
        );
        assert_eq!(
            hex(&chain(
                &dk,
                id,
                [&br#"{"version": 1, "permissions": "user"}"#[..]]
            )),
            "3054df6b9c71eeac4ac73c22ee13341c34678b5108d234d2aa316ddb0a5dd4b9"
        );
    }

    /// The chain's HMAC on the compression function against the `hmac` crate, for keys around
    /// the block length and messages around every padding boundary.
    #[test]
    fn hmac_agrees_with_the_hmac_crate() {
        for key_len in [0, 1, 23, 31, 32, 33, 63, 64, 65, 100, 200] {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 7 + 1) as u8).collect();
            for msg_len in 0..=200 {
                let msg: Vec<u8> = (0..msg_len).map(|i| (i * 13 + 5) as u8).collect();
                let mut reference = keyed(&key);
                reference.update(&msg);
                let reference: [u8; 32] = reference.finalize().into_bytes().into();
                assert_eq!(
                    hmac(&key, &msg),
                    reference,
                    "key {key_len}, message {msg_len}"
                );
            }
        }
        let root: Vec<u8> = (0u8..32).collect();
        let mut reference = keyed(KEY_GENERATOR);
        reference.update(&root);
        let reference: [u8; 32] = reference.finalize().into_bytes().into();
        assert_eq!(derive_key(&root), reference);
    }

    #[test]
    fn signature_compare() {
        let s = [9u8; 32];
        assert!(signature_matches(&s, &s));
        let mut t = s;
        t[31] ^= 1;
        assert!(!signature_matches(&t, &s));
        assert!(!signature_matches(&s[..31], &s));
        assert!(!signature_matches(&[9u8; 33], &s));
        assert!(!signature_matches(&[], &s));
    }
}
