//! Server nonces for DPoP (RFC 9449 §8, §9), stateless: a nonce is its time window's number
//! and a MAC over it under the server's key, so every instance holding the key issues and
//! accepts the same nonces without sharing state. A nonce is accepted in its own window and
//! the next one, so one issued just before a rotation still works for a whole `lifetime`.

use caveatspec::encoding::base64url;
use hmac::{Hmac, Mac};
use pyo3::prelude::*;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::args::{now_or_clock, Key, Time};
use crate::errors::input_error;

/// What the MAC covers besides the window: keeps these MACs apart from any other use of the
/// key.
const DOMAIN: &[u8] = b"caveatspec dpop nonce v1\0";
/// Bytes of MAC kept: 128 bits.
const TAG_LEN: usize = 16;
/// The shortest key accepted.
const MIN_KEY_LEN: usize = 32;

/// The `WWW-Authenticate` value of a nonce challenge from a resource server (RFC 9449 §9).
const CHALLENGE: &str =
    "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"";

/// Issues and checks DPoP server nonces; see the module documentation. The key (at least 32
/// bytes, from a secrets store) is not in the repr.
#[pyclass(frozen, module = "caveatspec")]
pub struct NonceIssuer {
    key: Vec<u8>,
    lifetime: i64,
}

impl NonceIssuer {
    fn window(&self, now: i64) -> i64 {
        now.div_euclid(self.lifetime)
    }

    fn tag(&self, window: i64) -> [u8; TAG_LEN] {
        // HMAC takes a key of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(DOMAIN);
        mac.update(&window.to_be_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full[..TAG_LEN]);
        tag
    }

    fn nonce_for(&self, window: i64) -> String {
        let mut bytes = window.to_be_bytes().to_vec();
        bytes.extend_from_slice(&self.tag(window));
        base64url::encode(&bytes)
    }

    /// The nonce of `now`'s window.
    pub fn current(&self, now: i64) -> String {
        self.nonce_for(self.window(now))
    }

    /// True when `nonce` was issued by this key in `now`'s window or the one before.
    pub fn accepts(&self, nonce: &str, now: i64) -> bool {
        let Ok(bytes) = base64url::decode(nonce) else {
            return false;
        };
        let Ok(bytes) = <[u8; 8 + TAG_LEN]>::try_from(bytes.as_slice()) else {
            return false;
        };
        let mut window = [0u8; 8];
        window.copy_from_slice(&bytes[..8]);
        let window = i64::from_be_bytes(window);
        let current = self.window(now);
        if window != current && Some(window) != current.checked_sub(1) {
            return false;
        }
        bool::from(self.tag(window).ct_eq(&bytes[8..]))
    }
}

#[pymethods]
impl NonceIssuer {
    /// `key`: at least 32 secret bytes, the same on every instance; `lifetime`: seconds per
    /// window (a nonce lives between one and two of them).
    #[new]
    #[pyo3(signature = (key, *, lifetime=300))]
    fn new(py: Python<'_>, key: Key, lifetime: u32) -> PyResult<Self> {
        if key.0.len() < MIN_KEY_LEN {
            return Err(input_error(
                py,
                "key",
                "a nonce key needs at least 32 bytes",
            ));
        }
        if lifetime == 0 {
            return Err(input_error(
                py,
                "lifetime",
                "lifetime must be at least one second",
            ));
        }
        Ok(NonceIssuer {
            key: key.0,
            lifetime: i64::from(lifetime),
        })
    }
    /// The nonce to hand out at `now` (default the clock): the `DPoP-Nonce` header value.
    #[pyo3(signature = (now=None))]
    fn issue(&self, now: Option<Time>) -> String {
        self.current(now_or_clock(now))
    }
    /// True when `nonce` is one this issuer's key gave out and it has not expired at `now`.
    #[pyo3(signature = (nonce, *, now=None))]
    fn check(&self, nonce: crate::args::Text, now: Option<Time>) -> bool {
        self.accepts(&nonce.0, now_or_clock(now))
    }
    /// The headers of a 401 nonce challenge (RFC 9449 §9): `WWW-Authenticate` with
    /// `error="use_dpop_nonce"` and `DPoP-Nonce` with a fresh nonce.
    #[pyo3(signature = (now=None))]
    fn challenge(&self, now: Option<Time>) -> Vec<(&'static str, String)> {
        vec![
            ("WWW-Authenticate", CHALLENGE.to_owned()),
            ("DPoP-Nonce", self.current(now_or_clock(now))),
        ]
    }
    /// Seconds per window.
    #[getter]
    fn lifetime(&self) -> i64 {
        self.lifetime
    }
    fn __repr__(&self) -> String {
        format!("NonceIssuer(key=<hidden>, lifetime={})", self.lifetime)
    }
}
