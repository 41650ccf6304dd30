#![no_main]
//! The `presented` target; its body is `caveatspec::fuzzing`, which `cargo test` replays.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    caveatspec::fuzzing::run("presented", data);
});
