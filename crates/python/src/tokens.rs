//! PyPI API tokens: verify against the token's database row, mint, restrict, inspect, decode,
//! and parse one caveat.
//!
//! A refused token is a [`Verdict`] with `valid=False` (the Rust API's verdict, not an error):
//! a server branches on it. What cannot be read at all (restrictions that cannot be written, a
//! token to narrow that does not decode) raises the layer's exception.

use std::borrow::Cow;

use caveatspec::attenuate::{self, AttenuateError, Restrictions};
use caveatspec::macaroon::{self, Version};
use caveatspec::verify::{self as reference, Issued, Owner, Project, Request};
use caveatspec::{caveat, inspect as inspection, token, Profile};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::args::{now_or_clock, text, Key, ProfileName, Text, TextList, Time};
use crate::errors::{
    input_error, refusal, refusal_with_message, CaveatError, RestrictError, TokenError,
};
use crate::json;

/// The outcome of verifying a token: `valid`, every failure's code in order, and PyPI's
/// message (warehouse profile). True in a boolean context only when valid.
#[pyclass(frozen, module = "caveatspec")]
pub struct Verdict {
    /// True only when the signature is right and every caveat holds.
    #[pyo3(get)]
    valid: bool,
    /// The code of each failure, in the order the profile finds them.
    #[pyo3(get)]
    codes: Vec<String>,
    /// PyPI's message (warehouse profile), or None.
    #[pyo3(get)]
    message: Option<String>,
    /// Each failure as `(code, PyPI's text or None)`.
    #[pyo3(get)]
    failures: Vec<(String, Option<String>)>,
}

#[pymethods]
impl Verdict {
    fn __bool__(&self) -> bool {
        self.valid
    }
    fn __repr__(&self) -> String {
        format!(
            "Verdict(valid={}, codes={:?})",
            py_bool(self.valid),
            self.codes
        )
    }
}

/// Python's spelling of a bool, for reprs.
pub fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// Who a token belongs to, from the keyword arguments.
pub struct OwnerArgs {
    pub user_id: Option<Text>,
    pub publisher: Option<(Text, TextList)>,
}

/// The database row and request of [`verify`] and `verify_presented`, as owned values.
pub struct RowArgs {
    pub identifier: String,
    pub key: Vec<u8>,
    pub owner: OwnerArgs,
    pub stored_caveats: Vec<String>,
    pub project: Option<(String, String)>,
    pub now: i64,
}

impl RowArgs {
    /// The row and request from `verify`'s arguments.
    pub fn new(
        key: Key,
        identifier: Text,
        now: i64,
        project: Option<(Text, Text)>,
        owner: OwnerArgs,
        stored_caveats: Option<TextList>,
    ) -> Self {
        RowArgs {
            identifier: identifier.0,
            key: key.0,
            owner,
            stored_caveats: stored_caveats.map(|l| l.0).unwrap_or_default(),
            project: project.map(|(n, i)| (n.0, i.0)),
            now,
        }
    }

    /// Calls `f` with the row and the request as the Rust API takes them.
    pub fn with_row<R>(
        &self,
        py: Python<'_>,
        proof_jkt: Option<&str>,
        f: impl FnOnce(&Issued<'_>, &Request<'_>) -> R,
    ) -> PyResult<R> {
        let project_ids: Vec<&str>;
        let owner = match (&self.owner.user_id, &self.owner.publisher) {
            (Some(_), Some(_)) => {
                return Err(input_error(
                    py,
                    "owner",
                    "a token belongs to a user or to a publisher, not both",
                ))
            }
            (Some(Text(user_id)), None) => Owner::User { user_id },
            (None, Some((Text(publisher_id), TextList(ids)))) => {
                project_ids = ids.iter().map(String::as_str).collect();
                Owner::Publisher {
                    publisher_id,
                    project_ids: &project_ids,
                }
            }
            (None, None) => Owner::Nobody,
        };
        let stored: Vec<&str> = self.stored_caveats.iter().map(String::as_str).collect();
        let issued = Issued {
            identifier: &self.identifier,
            root_key: &self.key,
            owner,
            stored_caveats: &stored,
        };
        let request = Request {
            now: self.now,
            project: self.project.as_ref().map(|(name, id)| Project { name, id }),
            proof_jkt,
        };
        Ok(f(&issued, &request))
    }
}

/// Verifies `token` as the token of the database row (`key`, `identifier`, the owner and the
/// caveats stored at issue time) for a request at `now` acting on `project` (`(name, id)`).
///
/// The owner is `user_id` (a user's token) or `publisher` (`(publisher_id, [project_id, …])`,
/// a Trusted Publishing token); with neither, user and publisher caveats fail. `proof_jkt` is
/// the thumbprint of a DPoP proof's key already checked against this exact token (strict
/// profile key bindings read it). `profile` is `"warehouse"` (exactly what PyPI accepts
/// today, messages included) or `"strict"`. Returns a `Verdict`; a refusal is not an
/// exception.
#[pyfunction]
#[pyo3(signature = (token, key, *, identifier, now=None, project=None, user_id=None,
    publisher=None, stored_caveats=None, proof_jkt=None, profile=ProfileName(Profile::Warehouse)))]
#[allow(clippy::too_many_arguments)]
pub fn verify(
    py: Python<'_>,
    token: Text,
    key: Key,
    identifier: Text,
    now: Option<Time>,
    project: Option<(Text, Text)>,
    user_id: Option<Text>,
    publisher: Option<(Text, TextList)>,
    stored_caveats: Option<TextList>,
    proof_jkt: Option<Text>,
    profile: ProfileName,
) -> PyResult<Verdict> {
    let profile = profile.0;
    let owner = OwnerArgs { user_id, publisher };
    let row = RowArgs::new(
        key,
        identifier,
        now_or_clock(now),
        project,
        owner,
        stored_caveats,
    );
    let v = row.with_row(
        py,
        proof_jkt.as_ref().map(|t| t.0.as_str()),
        |issued, request| reference::verify(&token.0, issued, request, profile),
    )?;
    Ok(Verdict {
        valid: v.valid,
        codes: v.codes().into_iter().map(str::to_owned).collect(),
        message: v.message.map(Cow::into_owned),
        failures: v
            .failures
            .into_iter()
            .map(|f| (f.code.to_owned(), f.message))
            .collect(),
    })
}

/// A minted or narrowed token and the caveats written into it. The token is a secret: it is
/// not in the repr.
#[pyclass(frozen, module = "caveatspec")]
pub struct Attenuated {
    /// The new token (`pypi-…`).
    #[pyo3(get)]
    token: String,
    /// The caveats written, in order, as PyPI serializes them.
    #[pyo3(get)]
    caveats: Vec<String>,
}

#[pymethods]
impl Attenuated {
    fn __repr__(&self) -> String {
        format!("Attenuated(token=<hidden>, caveats={:?})", self.caveats)
    }
}

fn restrictions(
    projects: Option<TextList>,
    project_ids: Option<TextList>,
    user_id: Option<Text>,
    not_before: Option<Time>,
    not_after: Option<Time>,
    bind_jkt: Option<Text>,
) -> Restrictions {
    Restrictions {
        not_before: not_before.map(|t| t.0),
        not_after: not_after.map(|t| t.0),
        project_names: projects.map(|l| l.0),
        project_ids: project_ids.map(|l| l.0),
        user_id: user_id.map(|t| t.0),
        bind_jkt: bind_jkt.map(|t| t.0),
    }
}

fn attenuated(
    py: Python<'_>,
    r: Result<(String, Vec<String>), AttenuateError>,
) -> PyResult<Attenuated> {
    match r {
        Ok((token, caveats)) => Ok(Attenuated { token, caveats }),
        Err(e) => Err(refusal::<RestrictError>(py, &[e.code()], &e.to_string())),
    }
}

/// Mints a token with the root `key` and `identifier` (the database id), at `location`, with
/// the given restrictions (none is allowed): the way PyPI writes its own caveats, byte for
/// byte. Raises `RestrictError` for restrictions that cannot be written.
#[pyfunction]
#[pyo3(signature = (key, identifier, *, location=Text("pypi.org".to_owned()), projects=None,
    project_ids=None, user_id=None, not_before=None, not_after=None, bind_jkt=None))]
#[allow(clippy::too_many_arguments)]
pub fn mint(
    py: Python<'_>,
    key: Key,
    identifier: Text,
    location: Text,
    projects: Option<TextList>,
    project_ids: Option<TextList>,
    user_id: Option<Text>,
    not_before: Option<Time>,
    not_after: Option<Time>,
    bind_jkt: Option<Text>,
) -> PyResult<Attenuated> {
    let r = restrictions(
        projects,
        project_ids,
        user_id,
        not_before,
        not_after,
        bind_jkt,
    );
    attenuated(py, attenuate::mint(&key.0, &identifier.0, &location.0, &r))
}

/// Narrows `token` offline (no key needed): an expiry window (`not_before` and `not_after`
/// together), project names (display names are normalized), project ids, the owning user,
/// a DPoP key binding (`bind_jkt`, strict profile only: PyPI refuses it today). At least one
/// restriction. Raises `RestrictError`.
#[pyfunction]
#[pyo3(signature = (token, *, projects=None, project_ids=None, user_id=None,
    not_before=None, not_after=None, bind_jkt=None))]
#[allow(clippy::too_many_arguments)]
pub fn restrict(
    py: Python<'_>,
    token: Text,
    projects: Option<TextList>,
    project_ids: Option<TextList>,
    user_id: Option<Text>,
    not_before: Option<Time>,
    not_after: Option<Time>,
    bind_jkt: Option<Text>,
) -> PyResult<Attenuated> {
    let r = restrictions(
        projects,
        project_ids,
        user_id,
        not_before,
        not_after,
        bind_jkt,
    );
    attenuated(py, attenuate::restrict(&token.0, &r))
}

/// Describes `token` without its key: version, location, identifier, each caveat (`raw`,
/// `kind`, `fields`, `meaning`, `warnings`) and warnings about the whole. `now` (default:
/// the clock) dates the expiry warnings. Raises `TokenError` when it is not a token.
#[pyfunction]
#[pyo3(signature = (token, *, now=None))]
pub fn inspect<'py>(
    py: Python<'py>,
    token: Text,
    now: Option<Time>,
) -> PyResult<Bound<'py, PyAny>> {
    let report = inspection::inspect(&token.0, Some(now_or_clock(now)))
        .map_err(|e| refusal::<TokenError>(py, &[e.code()], &e.to_string()))?;
    let value = serde_json::to_value(&report)
        .map_err(|_| input_error(py, "inspect", "the report does not serialize"))?;
    json::to_py(py, &value)
}

/// One caveat of a decoded macaroon: id, verification id, location.
type CaveatBytes = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>);

/// A decoded macaroon. The signature is what lets anyone narrow the token: it is not in the
/// repr.
#[pyclass(frozen, module = "caveatspec")]
pub struct Macaroon {
    /// 1 or 2.
    #[pyo3(get)]
    version: u8,
    /// The location's bytes, or None.
    #[pyo3(get)]
    location: Option<Vec<u8>>,
    /// The identifier's bytes.
    #[pyo3(get)]
    identifier: Vec<u8>,
    /// Each caveat as `(id, verification id or None, location or None)`, all bytes.
    #[pyo3(get)]
    caveats: Vec<CaveatBytes>,
    /// The 32-byte signature.
    #[pyo3(get)]
    signature: Vec<u8>,
}

#[pymethods]
impl Macaroon {
    fn __repr__(&self) -> String {
        format!(
            "Macaroon(version={}, identifier={}, caveats={}, signature=<hidden>)",
            self.version,
            String::from_utf8_lossy(&self.identifier),
            self.caveats.len()
        )
    }
}

/// Decodes a token's text and macaroon as `profile` reads them. Raises `TokenError` with the
/// profile's code (`warehouse` reports every unreadable macaroon as `macaroon.malformed`, as
/// PyPI does) and, in the warehouse profile, PyPI's text as `message`.
#[pyfunction]
#[pyo3(signature = (token, *, profile=ProfileName(Profile::Warehouse)))]
pub fn decode(py: Python<'_>, token: Text, profile: ProfileName) -> PyResult<Macaroon> {
    let profile = profile.0;
    // PyPI's texts: the token is not looked up at all, or its body does not decode.
    let pypi_text = |text: &'static str| (profile == Profile::Warehouse).then_some(text);
    let refused = |code: &str, text: String, pypi: Option<&str>| {
        refusal_with_message::<TokenError>(py, &[code], &text, pypi)
    };
    let body = token::split_prefix(&token.0, profile).map_err(|e| {
        refused(
            e.code(),
            e.to_string(),
            pypi_text("malformed or nonexistent macaroon"),
        )
    })?;
    let malformed = pypi_text("malformed macaroon");
    let bytes = token::decode_body(body, profile)
        .map_err(|e| refused(e.code(), e.to_string(), malformed))?;
    let mac = macaroon::decode(&bytes, profile).map_err(|e| {
        let code = match profile {
            Profile::Warehouse => "macaroon.malformed",
            Profile::Strict => reference::strict_macaroon_code(&e),
        };
        refused(code, e.to_string(), malformed)
    })?;
    Ok(Macaroon {
        version: if mac.version == Version::V1 { 1 } else { 2 },
        location: mac.location.map(<[u8]>::to_vec),
        identifier: mac.identifier.to_vec(),
        caveats: mac
            .caveats
            .iter()
            .map(|c| {
                (
                    c.id.to_vec(),
                    c.vid.map(<[u8]>::to_vec),
                    c.location.map(<[u8]>::to_vec),
                )
            })
            .collect(),
        signature: mac.signature.to_vec(),
    })
}

/// A caveat read: its `kind` and its `canonical` text.
#[pyclass(frozen, module = "caveatspec")]
pub struct ParsedCaveat {
    /// What it restricts, e.g. `expiration`, `project_names`.
    #[pyo3(get)]
    kind: String,
    /// The caveat as the profile re-serializes it.
    #[pyo3(get)]
    canonical: String,
}

#[pymethods]
impl ParsedCaveat {
    fn __repr__(&self) -> String {
        format!(
            "ParsedCaveat(kind={:?}, canonical={:?})",
            self.kind, self.canonical
        )
    }
}

/// Parses one caveat (`str`, or `bytes` as a macaroon carries it) as `profile` reads it;
/// `request_user` is the request's user id where PyPI would pass one. Raises `CaveatError`
/// with the code and PyPI's message (`message`, warehouse profile).
#[pyfunction]
#[pyo3(signature = (raw, *, request_user=None, profile=ProfileName(Profile::Warehouse)))]
pub fn parse_caveat(
    py: Python<'_>,
    raw: &Bound<'_, PyAny>,
    request_user: Option<Text>,
    profile: ProfileName,
) -> PyResult<ParsedCaveat> {
    let profile = profile.0;
    let bytes: Vec<u8> = if let Ok(b) = raw.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(b) = raw.cast::<PyByteArray>() {
        b.to_vec()
    } else if raw.is_instance_of::<PyString>() {
        text(raw)?.0.into_bytes()
    } else {
        return Err(PyTypeError::new_err("expected str or bytes"));
    };
    let user = request_user.as_ref().map(|t| t.0.as_str());
    match caveat::parse(&bytes, profile, user) {
        Ok(c) => match c.canonical(user) {
            Some(canonical) => Ok(ParsedCaveat {
                kind: c.kind().to_owned(),
                canonical,
            }),
            None => Err(refusal::<CaveatError>(
                py,
                &["request_user.no_user"],
                "a legacy user caveat needs the request's user",
            )),
        },
        Err(e) => {
            let message = match profile {
                Profile::Warehouse => Some(
                    e.message
                        .clone()
                        .unwrap_or_else(|| "unknown error".to_owned()),
                ),
                Profile::Strict => None,
            };
            Err(refusal_with_message::<CaveatError>(
                py,
                &[e.code],
                "the caveat does not parse",
                message.as_deref(),
            ))
        }
    }
}
