//! The caveatspec reference as a Python extension module, `import caveatspec`.
//!
//! Every function is a thin layer over the `caveatspec` crate's public API, so that what the
//! vectors prove of the reference is what a Python service runs. Arguments are checked to
//! their type and value on the way in (`args`); refusals keep the Rust API's shape: a
//! token's verdict is a result, every other refusal an exception of its layer carrying the
//! specification's code (`errors`). Nothing here panics on input, and no message or repr
//! holds a token, key or proof.
//!
//! Built by maturin into one abi3 wheel (CPython 3.9 and later); see `pyproject.toml`.

use pyo3::prelude::*;

mod args;
mod atr;
mod client;
mod dpop;
mod errors;
mod json;
mod nonce;
mod tokens;

/// PyPI API tokens, DPoP proofs and Apache Trusted Releases JWTs, verified by the caveatspec
/// reference implementation.
#[pymodule]
fn caveatspec(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(tokens::verify, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::mint, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::restrict, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::inspect, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::decode, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::parse_caveat, m)?)?;
    m.add_class::<tokens::Verdict>()?;
    m.add_class::<tokens::Attenuated>()?;
    m.add_class::<tokens::Macaroon>()?;
    m.add_class::<tokens::ParsedCaveat>()?;
    m.add_function(wrap_pyfunction!(dpop::verify_proof, m)?)?;
    m.add_function(wrap_pyfunction!(dpop::jwk_thumbprint, m)?)?;
    m.add_class::<dpop::Proof>()?;
    m.add_class::<dpop::ReplayCache>()?;
    m.add_class::<nonce::NonceIssuer>()?;
    m.add_class::<client::PrivateKey>()?;
    m.add_function(wrap_pyfunction!(atr::verify_atr, m)?)?;
    m.add_function(wrap_pyfunction!(atr::verify_atr_request, m)?)?;
    m.add_function(wrap_pyfunction!(atr::verify_presented, m)?)?;
    m.add_class::<atr::AtrIdentity>()?;
    Ok(())
}
