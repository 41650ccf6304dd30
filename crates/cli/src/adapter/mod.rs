//! Running the vectors through implementations in any language: the adapter protocol
//! (`spec/adapter-protocol.md`), a runner that survives misbehaving adapters, the reference
//! implementation served through the same protocol, and the conformance matrix.
//!
//! An adapter is a child process speaking JSON lines on stdin/stdout. The runner never trusts
//! it: it runs in its own process group, ended whole; every line is bounded, every answer has
//! one deadline, and a crash, a hang or garbage costs the vector it happened on, never the run.
//! Reports never carry what a vector holds in a field its schema marks `x-secret` (see
//! [`redact`]), and every failure has a [`FailureClass`].

mod gate;
mod judge;
mod matrix;
mod process;
mod protocol;
mod redact;
mod secrets;
mod serve;
mod text;

pub use gate::{GateReport, SkipRule, SkippedVector, Skips, StaleEntry};
pub use judge::{run_in_process, Answer, FailureClass, Judgement, VectorReport};
pub use matrix::{
    load_config, write_matrix, AdapterConfig, Bases, BasisCount, Cell, Classes, ConfigFile,
    FailedVector, ImplEntry, Matrix, Skipped, Stamp, Who,
};
pub use process::{run_adapter, run_adapter_with_progress, AdapterReport, RunOptions};
pub use protocol::{Hello, Request, Response, EARLIER_PROOF_REFUSED, PROTOCOL_VERSION, RESERVED};
pub use redact::{redact, Secrets};
pub use secrets::{secret_fields, SecretFields};
pub use serve::serve;
pub use text::{clip, printable};
