//! DPoP on the client side: a fresh Ed25519 or P-256 key, and a proof for each request.

use caveatspec::dpop::TYP;
use caveatspec::encoding::base64url;
use caveatspec::jose::jwk;
use ed25519_dalek::Signer as _;
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::args::{now_or_clock, Key, Text, Time};
use crate::errors::input_error;
use crate::json;

/// The private half, by algorithm.
enum Signing {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

/// A DPoP key pair held by a client. The private key never appears in the repr; export it
/// with `private_bytes()` into a secrets store.
#[pyclass(frozen, module = "caveatspec")]
pub struct PrivateKey {
    signing: Signing,
    public_jwk: Map<String, Value>,
    jkt: String,
}

/// `n` bytes from the operating system's generator.
fn random<const N: usize>() -> PyResult<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)
        .map_err(|e| PyOSError::new_err(format!("the system random generator failed: {e}")))?;
    Ok(buf)
}

impl PrivateKey {
    fn from_signing(signing: Signing) -> PyResult<Self> {
        let public_jwk = match &signing {
            Signing::Ed25519(k) => json!({
                "crv": "Ed25519",
                "kty": "OKP",
                "x": base64url::encode(k.verifying_key().as_bytes()),
            }),
            Signing::P256(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                let (Some(x), Some(y)) = (point.x(), point.y()) else {
                    unreachable!("an uncompressed point has both coordinates")
                };
                json!({
                    "crv": "P-256",
                    "kty": "EC",
                    "x": base64url::encode(x),
                    "y": base64url::encode(y),
                })
            }
        };
        let Value::Object(public_jwk) = public_jwk else {
            unreachable!("json! of an object literal")
        };
        let jkt = jwk::thumbprint(&public_jwk)
            .map_err(|e| PyOSError::new_err(format!("a generated key has no thumbprint: {e}")))?;
        Ok(PrivateKey {
            signing,
            public_jwk,
            jkt,
        })
    }

    fn alg_name(&self) -> &'static str {
        match self.signing {
            Signing::Ed25519(_) => "EdDSA",
            Signing::P256(_) => "ES256",
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.signing {
            Signing::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            Signing::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
        }
    }
}

fn alg_error(py: Python<'_>) -> PyErr {
    input_error(
        py,
        "alg",
        "alg must be \"EdDSA\" (Ed25519) or \"ES256\" (P-256)",
    )
}

#[pymethods]
impl PrivateKey {
    /// A fresh key from the operating system's generator: `alg` is `"EdDSA"` (Ed25519) or
    /// `"ES256"` (P-256).
    #[staticmethod]
    #[pyo3(signature = (alg=Text("EdDSA".to_owned())))]
    fn generate(py: Python<'_>, alg: Text) -> PyResult<Self> {
        match alg.0.as_str() {
            "EdDSA" => PrivateKey::from_signing(Signing::Ed25519(
                ed25519_dalek::SigningKey::from_bytes(&random::<32>()?),
            )),
            "ES256" => loop {
                // A uniformly random scalar: retry the (2^-128 likely) values out of range.
                if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&random::<32>()?) {
                    break PrivateKey::from_signing(Signing::P256(k));
                }
            },
            _ => Err(alg_error(py)),
        }
    }
    /// A key from its 32 private bytes (`private_bytes()`'s output).
    #[staticmethod]
    fn from_private_bytes(py: Python<'_>, alg: Text, data: Key) -> PyResult<Self> {
        let bytes: [u8; 32] = data
            .0
            .as_slice()
            .try_into()
            .map_err(|_| input_error(py, "key", "a private key is 32 bytes"))?;
        match alg.0.as_str() {
            "EdDSA" => PrivateKey::from_signing(Signing::Ed25519(
                ed25519_dalek::SigningKey::from_bytes(&bytes),
            )),
            "ES256" => {
                let k = p256::ecdsa::SigningKey::from_slice(&bytes)
                    .map_err(|_| input_error(py, "key", "not a P-256 private scalar"))?;
                PrivateKey::from_signing(Signing::P256(k))
            }
            _ => Err(alg_error(py)),
        }
    }
    /// The 32 private bytes (the Ed25519 seed, or the P-256 scalar). Keep them secret.
    fn private_bytes(&self) -> Vec<u8> {
        match &self.signing {
            Signing::Ed25519(k) => k.to_bytes().to_vec(),
            Signing::P256(k) => k.to_bytes().to_vec(),
        }
    }
    /// `"EdDSA"` or `"ES256"`.
    #[getter]
    fn alg(&self) -> &'static str {
        self.alg_name()
    }
    /// The public key as a JWK dict.
    #[getter]
    fn public_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        json::map_to_py(py, &self.public_jwk)
    }
    /// The public key's RFC 7638 thumbprint: the `jkt` a server binds tokens to.
    #[getter]
    fn jkt(&self) -> &str {
        &self.jkt
    }
    /// A DPoP proof for one request: `method` and `url` (its query and fragment are left
    /// out of `htu`, RFC 9449 §4.2), `iat` = `now` (default the clock), a fresh random `jti`
    /// unless given, `ath` over `access_token` when given, and the server's `nonce` when
    /// given. Send it as the `DPoP` header.
    #[pyo3(signature = (method, url, *, access_token=None, nonce=None, now=None, jti=None))]
    fn proof(
        &self,
        method: Text,
        url: Text,
        access_token: Option<Text>,
        nonce: Option<Text>,
        now: Option<Time>,
        jti: Option<Text>,
    ) -> PyResult<String> {
        let htu = url.0.split(['?', '#']).next().unwrap_or_default();
        let jti = match jti {
            Some(j) => j.0,
            None => base64url::encode(&random::<16>()?),
        };
        let mut claims = Map::new();
        claims.insert("jti".into(), Value::String(jti));
        claims.insert("htm".into(), Value::String(method.0));
        claims.insert("htu".into(), Value::String(htu.to_owned()));
        claims.insert("iat".into(), Value::from(now_or_clock(now)));
        if let Some(token) = access_token {
            let ath = base64url::encode(&Sha256::digest(token.0.as_bytes()));
            claims.insert("ath".into(), Value::String(ath));
        }
        if let Some(n) = nonce {
            claims.insert("nonce".into(), Value::String(n.0));
        }
        let header = json!({ "typ": TYP, "alg": self.alg_name(), "jwk": self.public_jwk });
        let signing_input = format!(
            "{}.{}",
            base64url::encode(header.to_string().as_bytes()),
            base64url::encode(Value::Object(claims).to_string().as_bytes())
        );
        let signature = self.sign(signing_input.as_bytes());
        Ok(format!("{signing_input}.{}", base64url::encode(&signature)))
    }
    fn __repr__(&self) -> String {
        format!("PrivateKey(alg={:?}, jkt={:?})", self.alg_name(), self.jkt)
    }
}
