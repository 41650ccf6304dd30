#![no_main]
//! The `caveat` target; its body is `caveatspec_fuzzing`, which `cargo test` replays.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    caveatspec_fuzzing::run("caveat", data);
});
