//! Files that tests derive from the code or the vectors and that are committed too (the
//! error-code registry's derived fields, SPEC §6's tables, the vector id ledger). A test
//! compares the committed text with the derived one; with `CAVEATSPEC_BLESS=1` in the
//! environment it writes the derived text instead of failing.

use std::path::{Path, PathBuf};

/// The environment variable that turns a comparison into a rewrite.
pub const BLESS_VAR: &str = "CAVEATSPEC_BLESS";

/// A path under the crate's root.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(relative)
}

/// Reads a committed file.
pub fn read(relative: &str) -> Result<String, String> {
    std::fs::read_to_string(repo_path(relative)).map_err(|e| format!("{relative}: {e}"))
}

/// Whether this run rewrites instead of comparing.
pub fn blessing() -> bool {
    std::env::var_os(BLESS_VAR).is_some_and(|v| v == "1")
}

/// `Ok` when `committed` is `derived`; otherwise writes `derived` under bless (through a
/// temporary file and a rename, so a test reading it concurrently never sees half of it) or
/// fails with `what` is stale.
pub fn check_or_bless(
    relative: &str,
    committed: &str,
    derived: &str,
    what: &str,
) -> Result<(), String> {
    if committed == derived {
        return Ok(());
    }
    if !blessing() {
        return Err(format!(
            "{relative}: {what} is not up to date; run `{BLESS_VAR}=1 cargo test -p caveatspec-conformance --test codes --test ledger` and review the diff"
        ));
    }
    let path = repo_path(relative);
    let temporary = path.with_extension("blessing");
    std::fs::write(&temporary, derived).map_err(|e| format!("{}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, &path).map_err(|e| format!("{relative}: {e}"))
}
