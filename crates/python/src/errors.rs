//! The exceptions: one per layer, each carrying the specification's codes.
//!
//! Every exception is a `CaveatspecError`, itself a `ValueError` (the input's value is what is
//! refused); wrong argument types stay `TypeError`. A message says what was refused and never
//! repeats a token, key, proof or JWT: the caller may log it.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3::PyTypeInfo;

create_exception!(
    caveatspec,
    CaveatspecError,
    PyValueError,
    "Base of every refusal this module raises. `code` is the first specification code, `codes` all of them."
);
create_exception!(
    caveatspec,
    InputError,
    CaveatspecError,
    "An argument has the right type but a value no layer can take (a profile name, a lone surrogate, an out-of-range time)."
);
create_exception!(
    caveatspec,
    TokenError,
    CaveatspecError,
    "The token's text or its macaroon does not decode (codes `token.*`, `macaroon.*`)."
);
create_exception!(
    caveatspec,
    CaveatError,
    CaveatspecError,
    "A caveat does not parse (codes `caveat.*`); `message` is PyPI's text where PyPI has one."
);
create_exception!(
    caveatspec,
    RestrictError,
    CaveatspecError,
    "Restrictions cannot be written, or the token to narrow does not decode (codes `restrict.*`, `token.*`, `macaroon.*`)."
);
create_exception!(
    caveatspec,
    JoseError,
    CaveatspecError,
    "A JWK is refused (codes `jose.*`)."
);
create_exception!(
    caveatspec,
    DpopError,
    CaveatspecError,
    "A DPoP proof is refused (codes `dpop.*`); `dpop.nonce` asks for a nonce challenge."
);
create_exception!(
    caveatspec,
    AtrError,
    CaveatspecError,
    "An Apache Trusted Releases JWT is refused as ATR refuses it (codes `atr.*`)."
);
create_exception!(
    caveatspec,
    RequestError,
    CaveatspecError,
    "A request presenting a token (and maybe a proof) is refused: `bound.*` codes, or the token's or the proof's."
);

/// An exception of type `E` with `codes` (at least one) and a message free of secrets; the
/// message of a caveat refusal rides along as `message`.
pub fn refusal<E: PyTypeInfo>(py: Python<'_>, codes: &[&str], text: &str) -> PyErr {
    refusal_with_message::<E>(py, codes, text, None)
}

/// [`refusal`] with PyPI's message (warehouse profile) as the `message` attribute.
pub fn refusal_with_message<E: PyTypeInfo>(
    py: Python<'_>,
    codes: &[&str],
    text: &str,
    message: Option<&str>,
) -> PyErr {
    let code = codes.first().copied().unwrap_or("invalid");
    let err = PyErr::new::<E, _>(format!("{code}: {text}"));
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail short of memory
    // exhaustion; if it did, the exception still carries its message.
    let _ = value.setattr("code", code);
    if let Ok(all) = PyTuple::new(py, codes) {
        let _ = value.setattr("codes", all);
    }
    let _ = value.setattr("message", message);
    let _ = value.setattr("detail", py.None());
    err
}

/// An [`InputError`] with the code `input.<what>`.
pub fn input_error(py: Python<'_>, what: &str, text: &str) -> PyErr {
    refusal::<InputError>(py, &[&format!("input.{what}")], text)
}

/// Adds the exception types to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CaveatspecError", py.get_type::<CaveatspecError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("TokenError", py.get_type::<TokenError>())?;
    m.add("CaveatError", py.get_type::<CaveatError>())?;
    m.add("RestrictError", py.get_type::<RestrictError>())?;
    m.add("JoseError", py.get_type::<JoseError>())?;
    m.add("DpopError", py.get_type::<DpopError>())?;
    m.add("AtrError", py.get_type::<AtrError>())?;
    m.add("RequestError", py.get_type::<RequestError>())?;
    Ok(())
}
