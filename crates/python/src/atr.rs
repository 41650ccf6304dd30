//! Tokens presented in HTTP requests: Apache Trusted Releases' JWTs as ATR checks them today
//! (bearer), the same JWTs bound to a DPoP key (`cnf.jkt`), and PyPI tokens presented with a
//! DPoP proof.

use caveatspec::atr::{self, AtrClaims, BoundRequest};
use caveatspec::dpop::presentation::RequestFields;
use caveatspec::verify::{self, PresentedRequest};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};
use serde_json::{Map, Value};

use crate::args::{now_or_clock, text, Key, Text, TextList, Time};
use crate::dpop::{expected_nonce, ReplayCache};
use crate::errors::{refusal, AtrError, RequestError};
use crate::json;
use crate::tokens::{OwnerArgs, RowArgs};

/// An accepted ATR token: its `sub` (the ASF user id), `jti`, every claim, and the `jkt` of
/// the key it is bound to (None for an unbound bearer token).
#[pyclass(frozen, module = "caveatspec")]
pub struct AtrIdentity {
    #[pyo3(get)]
    sub: String,
    #[pyo3(get)]
    jti: String,
    #[pyo3(get)]
    jkt: Option<String>,
    claims: Map<String, Value>,
}

#[pymethods]
impl AtrIdentity {
    /// Every claim of the token, as a dict.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        json::map_to_py(py, &self.claims)
    }
    fn __repr__(&self) -> String {
        let jkt = self
            .jkt
            .as_ref()
            .map_or("None".to_owned(), |j| format!("{j:?}"));
        format!(
            "AtrIdentity(sub={:?}, jti={:?}, jkt={jkt})",
            self.sub, self.jti
        )
    }
}

impl AtrIdentity {
    fn new(c: AtrClaims, jkt: Option<String>) -> Self {
        AtrIdentity {
            sub: c.sub,
            jti: c.jti,
            jkt,
            claims: c.claims,
        }
    }
}

/// ATR's HMAC key: the hex string's text (`str`, whose UTF-8 bytes are the key, as ATR uses
/// it) or the key bytes.
pub struct AtrKey(Vec<u8>);

impl<'a, 'py> FromPyObject<'a, 'py> for AtrKey {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyString>() {
            Ok(AtrKey(text(&obj)?.0.into_bytes()))
        } else {
            Ok(AtrKey(obj.extract::<Key>()?.0))
        }
    }
}

/// Header field values: one `str`, or a list of them (every field of that name, in order).
pub struct Fields(Vec<String>);

impl<'a, 'py> FromPyObject<'a, 'py> for Fields {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyString>() {
            Ok(Fields(vec![text(&obj)?.0]))
        } else if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            Err(PyTypeError::new_err(
                "expected str or a list of str, got bytes",
            ))
        } else {
            Ok(Fields(obj.extract::<TextList>()?.0))
        }
    }
}

/// Checks an `Authorization` header value exactly as Apache Trusted Releases does today
/// (`Bearer <JWT>`, HS256 under `key`, issuer and audience `iss_aud`, 120 s leeway, every
/// required claim). Returns an `AtrIdentity`; raises `AtrError` with PyJWT's refusal as a
/// code.
#[pyfunction]
#[pyo3(signature = (authorization, key, iss_aud, *, now=None))]
pub fn verify_atr(
    py: Python<'_>,
    authorization: Text,
    key: AtrKey,
    iss_aud: Text,
    now: Option<Time>,
) -> PyResult<AtrIdentity> {
    atr::verify_atr(&authorization.0, &key.0, &iss_aud.0, now_or_clock(now))
        .map(|c| AtrIdentity::new(c, None))
        .map_err(|e| refusal::<AtrError>(py, &[e.code()], &e.to_string()))
}

/// The header fields of one request, borrowed as the Rust API reads them.
fn with_fields<R>(
    authorization: &Fields,
    dpop: &Fields,
    method: &str,
    url: &str,
    nonce: Option<&str>,
    f: impl FnOnce(RequestFields<'_>) -> R,
) -> R {
    let authorization: Vec<&str> = authorization.0.iter().map(String::as_str).collect();
    let dpop: Vec<&str> = dpop.0.iter().map(String::as_str).collect();
    f(RequestFields {
        authorization: &authorization,
        dpop: &dpop,
        method,
        url,
        nonce,
    })
}

/// A request-level check's clock, `DPoP` fields, and the nonce its proof must carry (read
/// from the one proof when `nonce` is a `NonceIssuer`).
fn request_context(
    now: Option<Time>,
    dpop: Option<Fields>,
    nonce: Option<&Bound<'_, PyAny>>,
) -> PyResult<(i64, Fields, Option<String>)> {
    let now = now_or_clock(now);
    let dpop = dpop.unwrap_or(Fields(Vec::new()));
    let proof = match dpop.0.as_slice() {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let nonce = expected_nonce(nonce, proof, now)?;
    Ok((now, dpop, nonce))
}

/// Checks one request to an ATR-style API that accepts DPoP-bound tokens (SPEC §10.8): the
/// `Authorization` field(s) (`Bearer` or `DPoP`), the `DPoP` field(s), the method and URL as
/// received. A bound token (`cnf.jkt`) needs `DPoP` and a proof by that key (`ath` over the
/// token); an unbound token is accepted under `Bearer` alone, as ATR accepts it today. The
/// proof's `jti` goes into `replay`. `nonce` is the expected nonce, or a `NonceIssuer`.
/// Returns an `AtrIdentity`; raises `RequestError` with the code.
#[pyfunction]
#[pyo3(signature = (authorization, *, dpop=None, method, url, key, iss_aud, replay, now=None,
    nonce=None))]
#[allow(clippy::too_many_arguments)]
pub fn verify_atr_request(
    py: Python<'_>,
    authorization: Fields,
    dpop: Option<Fields>,
    method: Text,
    url: Text,
    key: AtrKey,
    iss_aud: Text,
    replay: &ReplayCache,
    now: Option<Time>,
    nonce: Option<&Bound<'_, PyAny>>,
) -> PyResult<AtrIdentity> {
    let (now, dpop, nonce) = request_context(now, dpop, nonce)?;
    let r = with_fields(
        &authorization,
        &dpop,
        &method.0,
        &url.0,
        nonce.as_deref(),
        |fields| {
            let req = BoundRequest {
                fields,
                now,
                key: &key.0,
                iss_aud: &iss_aud.0,
            };
            atr::verify_bound_request(&req, &mut replay.lock(py))
        },
    );
    r.map(|b| AtrIdentity::new(b.claims, b.jkt))
        .map_err(|e| refusal::<RequestError>(py, &[e.code()], &e.to_string()))
}

/// Checks one request presenting a PyPI token (SPEC §10.9, strict profile): `Bearer` for an
/// unbound token, `DPoP` with a proof by the bound key for a token bound with `bind_jkt`.
/// The row and request arguments are `verify`'s. Returns the bound key's `jkt` (None for an
/// unbound token); raises `RequestError` with every code (the token's failures included).
#[pyfunction]
#[pyo3(signature = (authorization, *, dpop=None, method, url, key, identifier, replay, now=None,
    project=None, user_id=None, publisher=None, stored_caveats=None, nonce=None))]
#[allow(clippy::too_many_arguments)]
pub fn verify_presented(
    py: Python<'_>,
    authorization: Fields,
    dpop: Option<Fields>,
    method: Text,
    url: Text,
    key: Key,
    identifier: Text,
    replay: &ReplayCache,
    now: Option<Time>,
    project: Option<(Text, Text)>,
    user_id: Option<Text>,
    publisher: Option<(Text, TextList)>,
    stored_caveats: Option<TextList>,
    nonce: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    let (now, dpop, nonce) = request_context(now, dpop, nonce)?;
    let owner = OwnerArgs { user_id, publisher };
    let row = RowArgs::new(key, identifier, now, project, owner, stored_caveats);
    let r = row.with_row(py, None, |issued, request| {
        with_fields(
            &authorization,
            &dpop,
            &method.0,
            &url.0,
            nonce.as_deref(),
            |fields| {
                let req = PresentedRequest {
                    fields,
                    request: *request,
                };
                verify::verify_presented(&req, issued, &mut replay.lock(py))
            },
        )
    })?;
    r.map_err(|e| refusal::<RequestError>(py, &e.codes(), &e.to_string()))
}
