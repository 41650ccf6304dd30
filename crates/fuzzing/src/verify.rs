//! The `verify` target: tokens minted from arbitrary caveats, checked against an arbitrary
//! request (with or without the thumbprint of a DPoP proof's key), with invariants on the
//! verdicts rather than just "no panic".

use arbitrary::{Arbitrary, Unstructured};

use caveatspec::caveat::{self, Caveat};
use caveatspec::jose::testdata;
use caveatspec::macaroon::{self, chain};
use caveatspec::token;
use caveatspec::verify::{self, Issued, Owner, Project, Request, Verdict};
use caveatspec::Profile;

const KEY: [u8; 32] = [7; 32];
const OTHER_KEY: [u8; 32] = [8; 32];
const IDENTIFIER: &str = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
/// Timestamps are drawn close to this, so windows and `now` overlap often.
pub(crate) const BASE: i64 = 1_700_000_000;
/// Project display names, ids, users and publishers the inputs pick from.
pub(crate) const NAMES: &[&str] = &["Sample.Project", "sampleproject", "other", "a_b-c", "x"];
pub(crate) const IDS: &[&str] = &[
    "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41",
    "1e7c7b9f-3a1d-4a9f-9b4c-6c8f2d0e3b52",
    "0D6B6A8E-2F0C-4F8E-8A3B-5B7E1C9D2A41",
];
pub(crate) const USERS: &[&str] = &[
    "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b",
    "4f3a2b1c-0d9e-4f8a-9b7c-6d5e4f3a2b1c",
];
/// Thumbprints the key bindings and the presented proof pick from: the RFC 9449 and RFC 8037
/// example keys', and one of no key in particular.
pub(crate) const JKTS: &[&str] = &[
    testdata::RFC9449_JKT,
    testdata::RFC8037_JKT,
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
];
/// The most caveats one input carries (the strict profile allows 64 in all).
const MAX_CAVEATS: usize = 8;
/// The most key bindings added to them.
const MAX_BINDINGS: usize = 2;

/// A caveat to write into a token: a well-formed one of each kind, or any text.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub enum CaveatSpec {
    /// `[0, expires_at, not_before]`, offsets from [`BASE`].
    Expiration(i16, i16),
    /// `[1, [names…]]`, normalized names from [`NAMES`].
    ProjectNames(Vec<u8>),
    /// `[2, [ids…]]` from [`IDS`].
    ProjectIds(Vec<u8>),
    /// `[3, user]` from [`USERS`].
    User(u8),
    /// `[4, publisher]` from [`USERS`].
    Publisher(u8),
    /// `{"version": 1, "permissions": "user"}`.
    LegacyUser,
    /// Any caveat text.
    Raw(String),
}

/// Who owns the token in the database.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub enum OwnerSpec {
    /// A user from [`USERS`].
    User(u8),
    /// A publisher from [`USERS`] with projects from [`IDS`].
    Publisher(u8, Vec<u8>),
    /// Nobody known.
    Nobody,
}

/// What is wrong with the token, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Tamper {
    /// Minted correctly with the row's key.
    None,
    /// Minted with another key.
    WrongKey,
    /// One bit of the signature flipped (bit index modulo 256).
    FlipSignature(u8),
}

/// The DPoP proof presented with the request, as its key's thumbprint (`proof_jkt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum ProofSpec {
    /// No proof.
    None,
    /// A proof by the key with a thumbprint from [`JKTS`].
    Key(u8),
    /// A proof by the key of one of the token's key bindings, as the strict profile reads
    /// them (index modulo their number); as [`ProofSpec::Key`] when it has none.
    Bound(u8),
}

/// One structured input of the `verify` target. The last two fields came later: inputs that
/// end before them decode as they did (no bindings, no proof).
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary)]
pub struct VerifyCase {
    /// The caveats in the token.
    pub caveats: Vec<CaveatSpec>,
    /// A caveat appended afterwards, by anyone holding the token.
    pub extra: CaveatSpec,
    /// Caveats stored in the database row at issue time.
    pub stored: Vec<CaveatSpec>,
    /// `now`, as an offset from [`BASE`].
    pub now: i16,
    /// The request's project: an index into [`NAMES`] and one into [`IDS`].
    pub project: Option<(u8, u8)>,
    /// The row's owner.
    pub owner: OwnerSpec,
    /// How the token was damaged.
    pub tamper: Tamper,
    /// Key bindings `[5, jkt]` written after the caveats, thumbprints from [`JKTS`].
    pub bindings: Vec<u8>,
    /// The proof presented with the request.
    pub proof: ProofSpec,
}

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[usize::from(i) % pool.len()]
}

fn quoted_list(pool: &[&str], picks: &[u8], normalize: bool) -> String {
    let items: Vec<String> = picks
        .iter()
        .take(4)
        .map(|&i| {
            let s = pick(pool, i);
            let s = if normalize {
                caveat::normalize_name(s)
            } else {
                s.to_owned()
            };
            format!("\"{s}\"")
        })
        .collect();
    format!("[{}]", items.join(","))
}

impl CaveatSpec {
    /// The caveat's bytes as written into the token.
    pub fn text(&self) -> String {
        match self {
            CaveatSpec::Expiration(e, nb) => {
                format!("[0,{},{}]", BASE + i64::from(*e), BASE + i64::from(*nb))
            }
            CaveatSpec::ProjectNames(p) => format!("[1,{}]", quoted_list(NAMES, p, true)),
            CaveatSpec::ProjectIds(p) => format!("[2,{}]", quoted_list(IDS, p, false)),
            CaveatSpec::User(u) => format!("[3,\"{}\"]", pick(USERS, *u)),
            CaveatSpec::Publisher(u) => format!("[4,\"{}\"]", pick(USERS, *u)),
            CaveatSpec::LegacyUser => r#"{"permissions":"user","version":1}"#.to_owned(),
            CaveatSpec::Raw(s) => s.clone(),
        }
    }

    /// Whether the caveat holds, decided here from its meaning rather than by the verifier;
    /// `None` for any text, which only the verifier can judge.
    fn holds(&self, case: &VerifyCase, profile: Profile) -> Option<bool> {
        let now = BASE + i64::from(case.now);
        let project = case.project.map(|(n, i)| (pick(NAMES, n), pick(IDS, i)));
        Some(match self {
            CaveatSpec::Expiration(e, nb) => {
                BASE + i64::from(*nb) <= now && now < BASE + i64::from(*e)
            }
            CaveatSpec::ProjectNames(p) => project.is_some_and(|(name, _)| {
                let name = caveat::normalize_name(name);
                p.iter()
                    .take(4)
                    .any(|&i| caveat::normalize_name(pick(NAMES, i)) == name)
            }),
            // Strict reads only lower-case hyphenated UUIDs: one in another spelling makes
            // the caveat unreadable there, so it cannot hold.
            CaveatSpec::ProjectIds(p)
                if profile == Profile::Strict
                    && !p
                        .iter()
                        .take(4)
                        .all(|&i| caveat::is_canonical_uuid(pick(IDS, i))) =>
            {
                false
            }
            CaveatSpec::ProjectIds(p) => {
                project.is_some_and(|(_, id)| p.iter().take(4).any(|&i| pick(IDS, i) == id))
            }
            CaveatSpec::User(u) => {
                matches!(case.owner, OwnerSpec::User(o) if pick(USERS, o) == pick(USERS, *u))
            }
            CaveatSpec::Publisher(u) => match &case.owner {
                OwnerSpec::Publisher(p, projects) => {
                    pick(USERS, *p) == pick(USERS, *u)
                        && project.is_some_and(|(_, id)| {
                            projects.iter().take(4).any(|&i| pick(IDS, i) == id)
                        })
                }
                _ => false,
            },
            CaveatSpec::LegacyUser => matches!(case.owner, OwnerSpec::User(_)),
            CaveatSpec::Raw(_) => return None,
        })
    }
}

/// Mints the token for `caveats` as the case says (key, tampering).
fn mint(caveats: &[String], tamper: Tamper) -> String {
    let key = if tamper == Tamper::WrongKey {
        &OTHER_KEY
    } else {
        &KEY
    };
    let refs: Vec<&[u8]> = caveats.iter().map(|c| c.as_bytes()).collect();
    let mut sig = chain::chain(&chain::derive_key(key), IDENTIFIER.as_bytes(), refs.clone());
    if let Tamper::FlipSignature(bit) = tamper {
        sig[usize::from(bit / 8)] ^= 1 << (bit % 8);
    }
    token::encode(&macaroon::encode_v2(
        b"pypi.org",
        IDENTIFIER.as_bytes(),
        &refs,
        &sig,
    ))
}

/// `token` with one more caveat, as anyone holding it can add one (no key needed).
fn attenuate(token_text: &str, extra: &str) -> String {
    let body = token::split_prefix(token_text, Profile::Strict).expect("minted token");
    let bytes = token::decode_body(body, Profile::Strict).expect("minted token");
    let m = macaroon::decode(&bytes, Profile::Warehouse).expect("minted token");
    let mut ids: Vec<&[u8]> = m.caveats.iter().map(|c| c.id).collect();
    ids.push(extra.as_bytes());
    let sig = chain::hmac(m.signature, extra.as_bytes());
    token::encode(&macaroon::encode_v2(
        m.location.unwrap_or(b""),
        m.identifier,
        &ids,
        &sig,
    ))
}

/// The text of a key-binding caveat.
fn binding(jkt: &str) -> String {
    format!("[5,\"{jkt}\"]")
}

/// The thumbprints of the key bindings among `caveats`, as the strict profile reads them
/// (JSON escapes decoded).
fn bound_jkts<'a>(caveats: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    caveats
        .into_iter()
        .filter_map(
            |c| match caveat::parse(c.as_bytes(), Profile::Strict, None) {
                Ok(Caveat::KeyBinding { jkt }) => jkt.decode().ok().map(|j| j.into_owned()),
                _ => None,
            },
        )
        .collect()
}

struct Context<'a> {
    stored: Vec<String>,
    owner_projects: Vec<&'a str>,
    proof_jkt: Option<String>,
    case: &'a VerifyCase,
}

impl Context<'_> {
    fn run(&self, token_text: &str, stored: &[String], profile: Profile) -> Verdict {
        let stored: Vec<&str> = stored.iter().map(String::as_str).collect();
        let owner = match &self.case.owner {
            OwnerSpec::User(u) => Owner::User {
                user_id: pick(USERS, *u),
            },
            OwnerSpec::Publisher(p, _) => Owner::Publisher {
                publisher_id: pick(USERS, *p),
                project_ids: &self.owner_projects,
            },
            OwnerSpec::Nobody => Owner::Nobody,
        };
        let issued = Issued {
            identifier: IDENTIFIER,
            root_key: &KEY,
            owner,
            stored_caveats: &stored,
        };
        let request = Request {
            now: BASE + i64::from(self.case.now),
            project: self.case.project.map(|(n, i)| Project {
                name: pick(NAMES, n),
                id: pick(IDS, i),
            }),
            proof_jkt: self.proof_jkt.as_deref(),
        };
        verify::verify(token_text, &issued, &request, profile)
    }
}

/// Failure codes the strict profile may report on a token the warehouse profile accepts:
/// its own grammar and size rules (`spec/SPEC.md` §3–4). Every evaluation code (a caveat
/// that parsed but does not hold) must agree between the profiles.
fn strict_only(code: &str) -> bool {
    code.starts_with("caveat.") || code.starts_with("json.") || code == "stored.invalid"
}

/// Decodes `data` into a [`VerifyCase`] and checks it; see [`verify_case`].
pub fn verify(data: &[u8]) {
    verify_input(data);
}

/// [`verify`], returning the case and its verdicts (warehouse, strict) so tests can see what
/// the seeds reach; `None` when `data` does not decode.
pub fn verify_input(data: &[u8]) -> Option<(VerifyCase, Vec<Verdict>)> {
    let case = VerifyCase::arbitrary(&mut Unstructured::new(data)).ok()?;
    let verdicts = verify_case(&case);
    Some((case, verdicts))
}

/// The invariants, per profile:
///
/// 1. verification is deterministic;
/// 2. a token is valid only if its signature chain is right and every caveat (embedded and
///    stored) holds on its own, and a token whose chain is right and whose caveats each hold
///    is valid (so the verdict does not depend on caveat order);
/// 3. a well-formed caveat holds exactly when its meaning, computed here, says so;
/// 4. adding a caveat never turns an invalid verdict into a valid one;
/// 5. strict accepts only what warehouse accepts (except a token with a key binding, which
///    warehouse refuses only for its unknown tag), and refuses a token warehouse accepts only
///    with its own grammar rules;
/// 6. in the strict profile a token with key bindings (embedded or stored) is accepted only
///    if `proof_jkt` equals the thumbprint of every one of them, and a binding holds on its
///    own exactly when it does.
pub fn verify_case(case: &VerifyCase) -> Vec<Verdict> {
    let caveats: Vec<String> = case
        .caveats
        .iter()
        .take(MAX_CAVEATS)
        .map(CaveatSpec::text)
        .collect();
    let binding_jkts: Vec<&str> = case
        .bindings
        .iter()
        .take(MAX_BINDINGS)
        .map(|&i| pick(JKTS, i))
        .collect();
    let token_caveats: Vec<String> = caveats
        .iter()
        .cloned()
        .chain(binding_jkts.iter().map(|j| binding(j)))
        .collect();
    let stored: Vec<String> = case.stored.iter().take(2).map(CaveatSpec::text).collect();
    let bound = bound_jkts(token_caveats.iter().chain(&stored));
    let proof_jkt = match case.proof {
        ProofSpec::None => None,
        ProofSpec::Bound(i) if !bound.is_empty() => {
            Some(bound[usize::from(i) % bound.len()].clone())
        }
        ProofSpec::Key(i) | ProofSpec::Bound(i) => Some(pick(JKTS, i).to_owned()),
    };
    let owner_projects = match &case.owner {
        OwnerSpec::Publisher(_, p) => p.iter().take(4).map(|&i| pick(IDS, i)).collect(),
        _ => Vec::new(),
    };
    let ctx = Context {
        stored: stored.clone(),
        owner_projects,
        proof_jkt,
        case,
    };
    let token_text = mint(&token_caveats, case.tamper);
    let mut verdicts = Vec::new();
    for profile in Profile::ALL {
        let v = ctx.run(&token_text, &ctx.stored, profile);
        assert_eq!(
            v,
            ctx.run(&token_text, &ctx.stored, profile),
            "not deterministic"
        );
        assert_eq!(v.valid, v.failures.is_empty(), "valid with failures: {v:?}");

        // 2 and 3: the verdict is the conjunction of the caveats taken one at a time.
        let mut all_hold = case.tamper == Tamper::None;
        let singles = caveats
            .iter()
            .map(|c| (mint(std::slice::from_ref(c), Tamper::None), Vec::new()))
            .chain(
                stored
                    .iter()
                    .map(|s| (mint(&[], Tamper::None), vec![s.clone()])),
            );
        let specs = case
            .caveats
            .iter()
            .take(MAX_CAVEATS)
            .chain(case.stored.iter().take(2));
        for ((t, s), spec) in singles.zip(specs) {
            let single = ctx.run(&t, &s, profile);
            let holds = single.valid;
            if let Some(expected) = spec.holds(case, profile) {
                assert_eq!(
                    holds,
                    expected,
                    "{profile:?}: caveat {:?} verdict {single:?} disagrees with its meaning in {case:?}",
                    spec.text()
                );
            }
            all_hold &= holds;
        }
        for jkt in &binding_jkts {
            let single = ctx.run(&mint(&[binding(jkt)], Tamper::None), &[], profile);
            let expected = profile == Profile::Strict && ctx.proof_jkt.as_deref() == Some(jkt);
            assert_eq!(
                single.valid, expected,
                "{profile:?}: the binding to {jkt} with proof {:?} gave {single:?}",
                ctx.proof_jkt
            );
            all_hold &= single.valid;
        }
        assert_eq!(
            v.valid, all_hold,
            "{profile:?}: verdict {v:?} is not the conjunction of the caveats"
        );

        // 6: a key binding holds only for a proof by its key.
        if profile == Profile::Strict && v.valid {
            for jkt in &bound {
                assert_eq!(
                    ctx.proof_jkt.as_deref(),
                    Some(jkt.as_str()),
                    "strict accepted a token bound to {jkt} with proof {:?}",
                    ctx.proof_jkt
                );
            }
        }

        // 4: one more caveat never helps.
        let extra = case.extra.text();
        let more = ctx.run(&attenuate(&token_text, &extra), &ctx.stored, profile);
        assert!(
            v.valid || !more.valid,
            "{profile:?}: adding {extra:?} made an invalid token valid"
        );
        verdicts.push(v);
    }
    // 5: profiles differ only where the spec lets them.
    let (warehouse, strict) = (&verdicts[0], &verdicts[1]);
    if strict.valid && !bound.is_empty() {
        assert!(
            warehouse.codes().iter().all(|c| *c == "caveat.unknown_tag"),
            "warehouse refused a bound token strict accepts for another reason: {:?}",
            warehouse.codes()
        );
    } else if strict.valid {
        assert!(warehouse.valid, "strict accepted what warehouse refuses");
    } else if warehouse.valid {
        assert!(
            strict.codes().iter().all(|c| strict_only(c)),
            "strict refused a token warehouse accepts for a non-grammar reason: {:?}",
            strict.codes()
        );
    }
    verdicts
}
