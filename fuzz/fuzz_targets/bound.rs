#![no_main]
//! The `bound` target; its body is `caveatspec::fuzzing`, which `cargo test` replays.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    caveatspec::fuzzing::run("bound", data);
});
