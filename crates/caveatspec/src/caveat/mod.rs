//! The caveat language: one first-party caveat's bytes to a typed [`Caveat`], per profile.
//!
//! PyPI's caveats are JSON arrays `[tag, field…]`, with older mapping forms adapted on read.
//! The `warehouse` profile reads them the way `warehouse/macaroons/caveats/_core.py` does on top
//! of Python's `json` module and pydantic's strict types, including every coercion that leaks
//! through (`true` is tag 1, trailing elements are ignored, NaN is a number). The `strict`
//! profile accepts only the canonical shapes. See `spec/SPEC.md` §4.
//!
//! The module is layered: the typed caveat and its canonical text (`model.rs`), the error both
//! readers report (`error.rs`), one reader per profile (`warehouse.rs`, `strict.rs`) over the
//! shapes they share (`fields.rs`), the one-pass reader of the common spellings (`fast.rs`),
//! and the name and identifier rules the caveats refer to (`names.rs`). Python's JSON (`json`)
//! and Python's `repr` of it (`pyfmt`) sit underneath.

mod error;
mod fast;
mod fields;
pub mod json;
mod model;
mod names;
pub mod pyfmt;
mod strict;
mod warehouse;

pub use error::CaveatError;
pub use model::{write_plain_str, Caveat, StrList, StrListIter};
pub use names::{
    is_canonical_jkt, is_canonical_uuid, is_normalized_form_of, is_normalized_name,
    is_valid_project_name, normalize_name, uuid_value, NormalizedName,
};

use crate::Profile;

/// Largest caveat the strict profile reads, in bytes.
pub const STRICT_MAX_CAVEAT_BYTES: usize = 4096;
/// Deepest JSON nesting the strict profile accepts (PyPI's caveats nest at most 3 deep).
pub const STRICT_MAX_DEPTH: usize = 8;
/// Nesting at which the warehouse profile stops, standing in for CPython's RecursionError
/// (CPython 3.11's `json.loads` called from a module's top level accepts 995 nested containers
/// and fails at 996; inside PyPI's request stack the limit is lower and not fixed, so nesting
/// between a few hundred and 995 is implementation-defined and no vector depends on it).
pub const WAREHOUSE_MAX_DEPTH: usize = 995;

/// Parses one caveat's bytes. `request_user` is the user of the request the caveat is read in
/// (PyPI adapts the legacy user caveat to it and cannot read it without one).
pub fn parse<'a>(
    raw: &'a [u8],
    profile: Profile,
    request_user: Option<&str>,
) -> Result<Caveat<'a>, CaveatError> {
    match profile {
        Profile::Warehouse => warehouse::parse(raw, request_user),
        Profile::Strict => strict::parse(raw),
    }
}

/// [`parse`] with the general parser alone, bypassing the one-pass reader of the common
/// spellings. Both must give the same result on every input; the property tests and the
/// `caveat` fuzz target check it through this function.
#[doc(hidden)]
pub fn parse_general<'a>(
    raw: &'a [u8],
    profile: Profile,
    request_user: Option<&str>,
) -> Result<Caveat<'a>, CaveatError> {
    match profile {
        Profile::Warehouse => {
            let text =
                std::str::from_utf8(raw).map_err(|_| CaveatError::abort("caveat.not_utf8"))?;
            warehouse::parse_text(text, request_user)
        }
        Profile::Strict => {
            if raw.len() > STRICT_MAX_CAVEAT_BYTES {
                return Err(CaveatError::strict("caveat.too_long"));
            }
            let text =
                std::str::from_utf8(raw).map_err(|_| CaveatError::strict("caveat.not_utf8"))?;
            strict::parse_text(text)
        }
    }
}
