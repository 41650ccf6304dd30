//! DPoP on the server side (RFC 9449): proofs checked against their request, a thread-safe
//! `jti` replay cache, and JWK thumbprints.

use std::sync::{Mutex, MutexGuard, TryLockError};

use caveatspec::dpop::{self, ProofRequest, VerifiedProof};
use caveatspec::jose::jwk;
use caveatspec::jose::jws;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::args::{now_or_clock, text, Text, Time};
use crate::errors::{refusal, DpopError, JoseError};
use crate::json;
use crate::nonce::NonceIssuer;

/// A proof that passed every check: the key's thumbprint (`jkt`, what `cnf.jkt` binds to),
/// `jti`, `iat`, `htm`, `htu`, `alg`, `nonce`, the public `jwk` and every claim (`claims`).
#[pyclass(frozen, module = "caveatspec")]
pub struct Proof {
    pub verified: VerifiedProof,
}

#[pymethods]
impl Proof {
    /// The RFC 7638 thumbprint of the proof's key.
    #[getter]
    fn jkt(&self) -> &str {
        &self.verified.jkt
    }
    /// The `jti` claim.
    #[getter]
    fn jti(&self) -> &str {
        &self.verified.jti
    }
    /// The `iat` claim, Unix seconds.
    #[getter]
    fn iat(&self) -> i64 {
        self.verified.iat
    }
    /// The `htm` claim.
    #[getter]
    fn htm(&self) -> &str {
        &self.verified.htm
    }
    /// The `htu` claim as sent.
    #[getter]
    fn htu(&self) -> &str {
        &self.verified.htu
    }
    /// `ES256`, `EdDSA` or `Ed25519`.
    #[getter]
    fn alg(&self) -> &'static str {
        self.verified.alg.name()
    }
    /// The `nonce` claim, if it is a string.
    #[getter]
    fn nonce(&self) -> Option<&str> {
        self.verified.nonce.as_deref()
    }
    /// The proof's public key: the JWK's required members (RFC 7638), as a dict.
    #[getter]
    fn jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let members: serde_json::Value =
            serde_json::from_str(&self.verified.jwk.thumbprint_input())
                .map_err(|_| PyValueError::new_err("the key's members do not serialize"))?;
        json::to_py(py, &members)
    }
    /// Every claim, as a dict.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        json::map_to_py(py, &self.verified.claims)
    }
    fn __repr__(&self) -> String {
        format!(
            "Proof(jkt={:?}, jti={:?}, iat={}, htm={:?}, htu={:?})",
            self.verified.jkt,
            self.verified.jti,
            self.verified.iat,
            self.verified.htm,
            self.verified.htu
        )
    }
}

/// A bounded, thread-safe set of recently seen (key, `jti`) pairs (RFC 9449 §11.1). Keep one
/// per server process, shared by every request; an entry lives `retention` seconds after
/// its proof's `iat` (the verifier's `max_age`). When full, new proofs are refused
/// (`dpop.replay_cache_full`) rather than live entries evicted.
#[pyclass(frozen, module = "caveatspec")]
pub struct ReplayCache {
    inner: Mutex<dpop::ReplayCache>,
    capacity: usize,
    retention: u32,
}

impl ReplayCache {
    /// The cache, locked. Waiting happens with the GIL released, and no Python code runs
    /// while the lock is held (callers turn errors into exceptions after releasing it): a
    /// thread holding the lock can always take the GIL back, so two threads never wait on
    /// each other. A panic while the lock was held cannot leave the cache half-updated
    /// (every update is one insertion), so a poisoned lock is taken over.
    pub fn lock(&self, py: Python<'_>) -> MutexGuard<'_, dpop::ReplayCache> {
        loop {
            match self.inner.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(e)) => return e.into_inner(),
                Err(TryLockError::WouldBlock) => py.detach(|| {
                    // Wait until the holder is done; the guard cannot leave this closure
                    // (it is not Send), so the lock is taken again with the GIL held.
                    drop(self.inner.lock());
                }),
            }
        }
    }
}

#[pymethods]
impl ReplayCache {
    #[new]
    #[pyo3(signature = (capacity=65_536, retention=dpop::DEFAULT_MAX_AGE))]
    fn new(capacity: usize, retention: u32) -> Self {
        ReplayCache {
            inner: Mutex::new(dpop::ReplayCache::new(capacity, retention)),
            capacity,
            retention,
        }
    }
    /// Records `proof` (at `now`, default the clock), or raises `DpopError` (`dpop.replay`)
    /// if its key already used its `jti`. Call it once the request is accepted otherwise.
    #[pyo3(signature = (proof, *, now=None))]
    fn check_and_insert(&self, py: Python<'_>, proof: &Proof, now: Option<Time>) -> PyResult<()> {
        let checked = self
            .lock(py)
            .check_and_insert(&proof.verified, now_or_clock(now));
        checked.map_err(|e| dpop_error(py, &e))
    }
    /// Drops the entries expired before `now` (default the clock).
    #[pyo3(signature = (now=None))]
    fn purge(&self, py: Python<'_>, now: Option<Time>) {
        self.lock(py).purge(now_or_clock(now));
    }
    fn __len__(&self, py: Python<'_>) -> usize {
        self.lock(py).len()
    }
    fn __repr__(&self, py: Python<'_>) -> String {
        let len = self.lock(py).len();
        format!(
            "ReplayCache(capacity={}, retention={}, len={len})",
            self.capacity, self.retention
        )
    }
}

/// A `DpopError` carrying the proof's code, and the JOSE-level reason's code as `detail`
/// where there is one (`jose.base64` under `dpop.malformed`).
pub fn dpop_error(py: Python<'_>, e: &dpop::DpopError) -> PyErr {
    let err = refusal::<DpopError>(py, &[e.code()], &e.to_string());
    if let Some(jose) = e.jose() {
        // As in `refusal`: only memory exhaustion could make this fail.
        let _ = err.value(py).setattr("detail", jose.code());
    }
    err
}

/// The nonce a proof must carry: the text given, or, with a `NonceIssuer`, the proof's own
/// `nonce` claim when the issuer accepts it and the issuer's current nonce otherwise (so the
/// proof is refused with `dpop.nonce` at the nonce's place in the order of checks).
pub fn expected_nonce(
    nonce: Option<&Bound<'_, PyAny>>,
    proof: Option<&str>,
    now: i64,
) -> PyResult<Option<String>> {
    let Some(nonce) = nonce else { return Ok(None) };
    if nonce.is_none() {
        return Ok(None);
    }
    if nonce.is_instance_of::<PyString>() {
        return Ok(Some(text(nonce)?.0));
    }
    let Ok(issuer) = nonce.cast::<NonceIssuer>() else {
        return Err(PyTypeError::new_err(
            "nonce must be str, a NonceIssuer, or None",
        ));
    };
    let issuer = issuer.get();
    let claimed = proof
        .and_then(|p| jws::parse_compact(p).ok())
        .and_then(|jws| jws.claims().ok())
        .and_then(|claims| {
            claims
                .get("nonce")
                .and_then(|n| n.as_str().map(str::to_owned))
        });
    Ok(Some(match claimed {
        Some(c) if issuer.accepts(&c, now) => c,
        _ => issuer.current(now),
    }))
}

/// Checks a DPoP `proof` against the request (`method`, `url` as received) at `now`: the
/// stateless checks of RFC 9449 §4.3 in the specification's order, then, with `replay`, the
/// `jti`. With `access_token`, `ath` must be its hash; with `jkt`, the key must have that
/// thumbprint (the token's `cnf.jkt`); `nonce` is the expected nonce, or a `NonceIssuer`.
/// `max_age` and `leeway` bound `iat` (seconds before and after `now`). Returns a `Proof`;
/// raises `DpopError` with the code. The GIL is released while the signature is checked.
#[pyfunction]
#[pyo3(signature = (proof, method, url, *, now=None, access_token=None, jkt=None, nonce=None,
    replay=None, max_age=dpop::DEFAULT_MAX_AGE, leeway=dpop::DEFAULT_LEEWAY))]
#[allow(clippy::too_many_arguments)]
pub fn verify_proof(
    py: Python<'_>,
    proof: Text,
    method: Text,
    url: Text,
    now: Option<Time>,
    access_token: Option<Text>,
    jkt: Option<Text>,
    nonce: Option<&Bound<'_, PyAny>>,
    replay: Option<&ReplayCache>,
    max_age: u32,
    leeway: u32,
) -> PyResult<Proof> {
    let now = now_or_clock(now);
    let nonce = expected_nonce(nonce, Some(&proof.0), now)?;
    let req = ProofRequest {
        access_token: access_token.as_ref().map(|t| t.0.as_str()),
        expected_jkt: jkt.as_ref().map(|t| t.0.as_str()),
        nonce: nonce.as_deref(),
        max_age,
        leeway,
        ..ProofRequest::new(&method.0, &url.0, now)
    };
    // The signature check is most of the time (an ES256 verification is hundreds of
    // microseconds) and touches no Python object: other threads run meanwhile.
    let checked = py.detach(|| dpop::verify_proof(&proof.0, &req));
    let verified = checked.map_err(|e| dpop_error(py, &e))?;
    if let Some(cache) = replay {
        let recorded = cache.lock(py).check_and_insert(&verified, now);
        recorded.map_err(|e| dpop_error(py, &e))?;
    }
    Ok(Proof { verified })
}

/// The RFC 7638 SHA-256 thumbprint of a public JWK (a dict, or JSON text of one). Raises
/// `JoseError` for a key it cannot take (private members, unsupported types, bad points).
#[pyfunction]
pub fn jwk_thumbprint(py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<String> {
    let map = json::object_from_py(jwk)?;
    jwk::thumbprint(&map).map_err(|e| refusal::<JoseError>(py, &[e.code()], &e.to_string()))
}
