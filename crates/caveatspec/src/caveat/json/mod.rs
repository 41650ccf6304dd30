//! JSON exactly as CPython 3.11's `json` module reads and writes it.
//!
//! PyPI (Warehouse) reads every caveat with `json.loads(caveat_str)` and serializes caveats with
//! `json.dumps(obj, sort_keys=True, separators=(",", ":"))`. Python's `json` is not RFC 8259:
//! it accepts `NaN`, `Infinity` and `-Infinity`, keeps lone UTF-16 surrogates from `\u`
//! escapes, lets duplicate object keys through (the last one wins), reads integers of any size
//! (up to the 4300-digit limit of `int(str)`), and fails on deep nesting with `RecursionError`.
//! A verifier that must agree with PyPI byte for byte has to read and write exactly that
//! language, so this module reproduces it:
//!
//! - [`parse`] accepts exactly the strings `json.loads(s)` accepts (for a `str` argument), fails
//!   where it fails with Python's own message and position (as a byte offset), and keeps enough
//!   of the source ([`Int`] as decimal text, [`JsonStr`] undecoded, every object member in
//!   source order) that no information is lost and a strict reader can detect duplicates;
//! - [`dumps_sorted_compact`] writes what `json.dumps(json.loads(s), sort_keys=True,
//!   separators=(",", ":"))` writes, byte for byte.
//!
//! Neither recurses on the Rust stack: nesting is handled with explicit stacks, bounded by
//! [`Limits::max_depth`].
//!
//! The module is layered: [`JsonStr`] (a string kept as written, with Python's code point
//! semantics) and [`Value`]/[`Int`] (the value model) are what the reader builds and the
//! writer walks; the reader (`reader.rs`) is Python's scanner, the writer (`writer.rs`) its
//! encoder.

mod reader;
mod string;
mod value;
mod writer;

pub use reader::{parse, PY_ERROR_REPORT_DEPTH};
pub use string::{CodePoints, JsonStr, LoneSurrogate};
pub use value::{Int, Value};
pub use writer::{dumps_sorted_compact, sorted_members, write_json_str};
pub(crate) use writer::{write_tree, Style};

/// Bounds applied while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays and objects accepted: `[]` has depth 1, `[[]]` depth 2, a
    /// scalar depth 0. One more opening bracket fails with [`JsonError::TooDeep`].
    ///
    /// This stands in for CPython's `RecursionError`: its C scanner spends one unit of the
    /// interpreter's recursion limit (1000) per array or object, on top of the Python frames
    /// already on the stack. Called from a module's top level (`<module>`, `loads`, `decode`,
    /// `raw_decode`: 4 frames) `json.loads` accepts 995 nested containers and fails at 996;
    /// every extra caller frame lowers that by one. Reporting most syntax errors costs Python 3
    /// more levels, so such an error within 2 levels of the limit is `TooDeep` too, exactly as
    /// CPython turns it into `RecursionError` (see [`PY_ERROR_REPORT_DEPTH`]); with `max_depth`
    /// set to CPython's accepting depth in some call context, [`parse`] then agrees with
    /// `json.loads` there on every input.
    ///
    /// It also bounds the recursion of dropping the parsed [`Value`] (Rust's drop glue
    /// recurses), so keep it to a few thousand.
    pub max_depth: usize,
}

/// Why [`parse`] refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// `json.JSONDecodeError`: `message` is Python's `msg` verbatim (e.g. `Expecting value`,
    /// `Extra data`, `Invalid \uXXXX escape`) and `offset` is Python's `pos` converted from a
    /// character index to a byte offset into the input.
    #[error("{message}: byte {offset}")]
    Syntax {
        /// Python's message, without the position.
        message: &'static str,
        /// Byte offset of the position Python reports.
        offset: usize,
    },
    /// `RecursionError`: more nested arrays/objects than [`Limits::max_depth`]. Raised, as in
    /// Python, on reaching the opening bracket that is one too deep, so a syntax error before
    /// it wins and anything after it is never looked at. Also a syntax error raised within 2
    /// levels of the limit, which CPython cannot report for lack of recursion either (see
    /// [`PY_ERROR_REPORT_DEPTH`]).
    #[error("maximum nesting depth exceeded")]
    TooDeep,
    /// `ValueError: Exceeds the limit (4300 digits) for integer string conversion`. CPython
    /// 3.11 converts an integer literal with `int(text)`, which refuses more than 4300 digits
    /// (`sys.int_info.default_max_str_digits`; the `-` sign is not counted). A literal with a
    /// fraction or an exponent is a float and has no such limit.
    #[error("integer literal has {digits} digits, more than Python's limit of 4300")]
    IntTooLong {
        /// Digits in the literal, sign excluded.
        digits: usize,
    },
}

impl JsonError {
    /// Machine-readable code: `json.syntax`, `json.too_deep` or `json.int_too_long`.
    pub fn code(&self) -> &'static str {
        match self {
            JsonError::Syntax { .. } => "json.syntax",
            JsonError::TooDeep => "json.too_deep",
            JsonError::IntTooLong { .. } => "json.int_too_long",
        }
    }
}

/// CPython's `sys.int_info.default_max_str_digits`.
pub const PY_INT_MAX_STR_DIGITS: usize = 4300;

#[cfg(test)]
mod tests;
