#![no_main]
//! The `macaroon` target; its body is `caveatspec_fuzzing`, which `cargo test` replays.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    caveatspec_fuzzing::run("macaroon", data);
});
