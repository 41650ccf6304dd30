//! Writes `fuzz/seeds/verify/` from the vectors: `cargo run -p caveatspec-fuzzing --example
//! verify_seeds`. Each seed is named by the SHA-256 of its bytes, so a rerun on the same
//! vectors writes the same files; `tests/seeds.rs` fails when the committed ones are stale.

use std::path::Path;

fn main() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = caveatspec_fuzzing::seeds::vector_files(&root.join("vectors"))?;
    let seeds = caveatspec_fuzzing::seeds::verify_seeds(files.iter().flatten());
    let dir = root.join("fuzz/seeds/verify");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for seed in &seeds {
        let path = dir.join(caveatspec_fuzzing::seeds::name(seed));
        std::fs::write(&path, seed).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("verify: {} seeds", seeds.len());
    Ok(())
}
