#![no_main]
//! The `differential` target; its body is `caveatspec_fuzzing`, which `cargo test` replays.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    caveatspec_fuzzing::run("differential", data);
});
