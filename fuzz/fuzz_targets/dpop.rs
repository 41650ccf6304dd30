#![no_main]
//! The `dpop` target; its body is `caveatspec_fuzzing`, which `cargo test` replays.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    caveatspec_fuzzing::run("dpop", data);
});
