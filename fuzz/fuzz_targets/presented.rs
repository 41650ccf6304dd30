#![no_main]
//! The `presented` target; its body is `caveatspec_fuzzing`, which `cargo test` replays.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    caveatspec_fuzzing::run("presented", data);
});
