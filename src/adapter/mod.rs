//! Running the vectors through implementations in any language: the adapter protocol
//! (`spec/adapter-protocol.md`), a runner that survives misbehaving adapters, the reference
//! implementation served through the same protocol, and the conformance matrix.
//!
//! An adapter is a child process speaking JSON lines on stdin/stdout. The runner never trusts
//! it: every line is bounded, every answer has a deadline, and a crash, a hang or garbage costs
//! the vector it happened on, never the run. Reports never carry the tokens or keys a vector
//! holds (see [`redact`]).

mod matrix;
mod process;
mod protocol;
mod redact;
mod serve;

pub use matrix::{
    load_config, write_matrix, AdapterConfig, Cell, ConfigFile, Failure, ImplEntry, Matrix, Skipped,
};
pub use process::{run_adapter, AdapterReport, RunOptions, VectorReport, Verdict};
pub use protocol::{Hello, Request, Response, PROTOCOL_VERSION};
pub use redact::redact;
pub use serve::serve;
