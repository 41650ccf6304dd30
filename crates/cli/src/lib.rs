//! The library side of the `caveatspec` command: the adapter runner, which runs the vectors
//! through implementations in any language, and the conformance matrix it writes. The
//! command itself (`src/main.rs`) is the rest of this package.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adapter;
