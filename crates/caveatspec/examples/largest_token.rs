//! Builds the largest token the strict profile accepts and verifies it in both profiles:
//! the input of the peak-memory measurement in `spec/SPEC.md` §5.6.
//!
//! 64 caveats (the strict count limit), each a project-name list of normalized names, sized
//! so that the whole token is as close to 16,384 characters (the strict size limit) as the
//! base64 granularity allows. Run it under valgrind's massif to see its peak heap and stack:
//!
//! ```text
//! cargo build --release --example largest_token
//! valgrind --tool=massif --stacks=yes --massif-out-file=massif.out target/release/examples/largest_token
//! ms_print massif.out | head -40
//! ```

use caveatspec::attenuate::{self, Restrictions};
use caveatspec::macaroon::STRICT_MAX_CAVEATS;
use caveatspec::token::STRICT_MAX_TOKEN_CHARS;
use caveatspec::verify::{self, Issued, Owner, Project, Request};
use caveatspec::Profile;

const KEY: [u8; 32] = [7; 32];
const IDENTIFIER: &str = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
const USER: &str = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b";

/// A token with `STRICT_MAX_CAVEATS` project-name caveats of `filler` extra bytes each.
fn token_with(filler: usize) -> String {
    let names = |i: usize| Restrictions {
        project_names: Some(vec![
            "sample-project".to_owned(),
            format!("p{i}x{}", "x".repeat(filler)),
        ]),
        ..Restrictions::default()
    };
    let (mut token, _) =
        attenuate::mint(&KEY, IDENTIFIER, "pypi.org", &names(0)).expect("valid restrictions");
    for i in 1..STRICT_MAX_CAVEATS {
        token = attenuate::restrict(&token, &names(i))
            .expect("restrictable")
            .0;
    }
    token
}

fn main() {
    // The largest filler that keeps the token within the strict limit (binary search: the
    // length grows with the filler).
    let (mut fits, mut too_long) = (0, 4096);
    assert!(token_with(fits).len() <= STRICT_MAX_TOKEN_CHARS);
    while too_long - fits > 1 {
        let mid = (fits + too_long) / 2;
        if token_with(mid).len() <= STRICT_MAX_TOKEN_CHARS {
            fits = mid;
        } else {
            too_long = mid;
        }
    }
    let filler = fits;
    let token = token_with(filler);
    let issued = Issued {
        identifier: IDENTIFIER,
        root_key: &KEY,
        owner: Owner::User { user_id: USER },
        stored_caveats: &[],
    };
    let request = Request {
        now: 1_700_000_500,
        project: Some(Project {
            name: "Sample.Project",
            id: "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41",
        }),
        proof_jkt: None,
    };
    for profile in Profile::ALL {
        let verdict = verify::verify(&token, &issued, &request, profile);
        assert!(verdict.valid, "{profile:?}: {verdict:?}");
    }
    println!(
        "verified a {}-character token with {STRICT_MAX_CAVEATS} caveats in both profiles",
        token.len()
    );
}
