//! Every shipped vector as its own test, named `<vector id> [<profile>]`, run on the reference
//! implementation exactly as any implementation runs them: one line. `cargo test -p
//! caveatspec-conformance --test vectors -- <filter>` runs a subset; `--list` shows the names.

caveatspec_vectors::tests!(caveatspec_conformance::Reference);
