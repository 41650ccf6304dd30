//! The caveatspec reference implementation wired to the vector harness.
//!
//! [`Reference`] implements every kind of [`caveatspec_vectors::Implementation`] with the
//! public API of the `caveatspec` crate and nothing else: it is an implementation written from
//! outside both crates, as any other Rust library's glue would be, and the suite runs on it
//! through the same `tests!` line (`tests/vectors.rs`). The command line serves it over the
//! adapter protocol and runs it in `caveatspec run`.

use std::borrow::Cow;

use caveatspec::atr;
use caveatspec::attenuate::{self, Restrictions};
use caveatspec::caveat;
use caveatspec::dpop::presentation::RequestFields;
use caveatspec::dpop::{self, DpopError, ProofRequest, ReplayCache};
use caveatspec::encoding::hex;
use caveatspec::jose::jwk;
use caveatspec::macaroon::{self, Version};
use caveatspec::token;
use caveatspec::verify::{self, Issued, Owner, Project, Request};
use caveatspec_vectors::*;

/// A vector input that names a token's database row and a request, read as the arguments of
/// [`verify::verify`] and [`verify::verify_presented`]. The vector model is plain data; this is
/// where the reference's types meet it.
pub trait RowArguments {
    /// Calls `f` with the token's row and the request. `Err` when the key is not hex.
    fn with_row<R>(&self, f: impl FnOnce(&Issued<'_>, &Request<'_>) -> R) -> Result<R, String>;
}

impl RowArguments for VerifyInput {
    fn with_row<R>(&self, f: impl FnOnce(&Issued<'_>, &Request<'_>) -> R) -> Result<R, String> {
        row_arguments(
            &self.key_hex,
            self.now,
            self.project.as_ref(),
            &self.row,
            self.proof_jkt.as_deref(),
            f,
        )
    }
}

/// The proof key is not among the arguments: it comes from the proof.
impl RowArguments for MacaroonDpopRequestInput {
    fn with_row<R>(&self, f: impl FnOnce(&Issued<'_>, &Request<'_>) -> R) -> Result<R, String> {
        row_arguments(
            &self.key_hex,
            self.now,
            self.project.as_ref(),
            &self.row,
            None,
            f,
        )
    }
}

/// What a `verify` vector and a `macaroon_dpop_request` vector both say about the token's row
/// and the request, as [`verify`] takes them.
fn row_arguments<R>(
    key_hex: &str,
    now: i64,
    project: Option<&ProjectInput>,
    row: &RowInput,
    proof_jkt: Option<&str>,
    f: impl FnOnce(&Issued<'_>, &Request<'_>) -> R,
) -> Result<R, String> {
    let key = hex::decode(key_hex).map_err(|e| e.to_string())?;
    let project_ids: Vec<&str>;
    let owner = match &row.owner {
        OwnerInput::User { user_id } => Owner::User { user_id },
        OwnerInput::Publisher {
            publisher_id,
            publisher_project_ids,
        } => {
            project_ids = publisher_project_ids.iter().map(String::as_str).collect();
            Owner::Publisher {
                publisher_id,
                project_ids: &project_ids,
            }
        }
    };
    let stored: Vec<&str> = row.stored_caveats.iter().map(String::as_str).collect();
    let issued = Issued {
        identifier: &row.identifier,
        root_key: &key,
        owner,
        stored_caveats: &stored,
    };
    let request = Request {
        now,
        project: project.map(|p| Project {
            name: &p.name,
            id: &p.id,
        }),
        proof_jkt,
    };
    Ok(f(&issued, &request))
}

/// A request vector's header fields, method, URL and nonce, as the request-level verifiers read
/// them.
pub trait RequestArguments {
    /// The request, with the `Authorization` and `DPoP` field lists borrowed as `&str` (the
    /// caller owns those slices).
    fn fields<'a>(&'a self, authorization: &'a [&'a str], dpop: &'a [&'a str])
        -> RequestFields<'a>;
}

/// `RequestArguments` for the request kinds, which share `method`, `url` and `nonce`.
macro_rules! request_arguments {
    ($input:ty) => {
        impl RequestArguments for $input {
            fn fields<'a>(
                &'a self,
                authorization: &'a [&'a str],
                dpop: &'a [&'a str],
            ) -> RequestFields<'a> {
                RequestFields {
                    authorization,
                    dpop,
                    method: &self.method,
                    url: &self.url,
                    nonce: self.nonce.as_deref(),
                }
            }
        }
    };
}
request_arguments!(AtrDpopRequestInput);
request_arguments!(MacaroonDpopRequestInput);

/// The reference implementation.
#[derive(Debug, Default, Clone, Copy)]
pub struct Reference;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn restrictions(r: &RestrictionsInput) -> Restrictions {
    Restrictions {
        not_before: r.not_before,
        not_after: r.not_after,
        project_names: r.project_names.clone(),
        project_ids: r.project_ids.clone(),
        user_id: r.user_id.clone(),
        bind_jkt: r.bind_jkt.clone(),
    }
}

fn produced(r: Result<(String, Vec<String>), attenuate::AttenuateError>) -> MintOutcome {
    match r {
        Ok((token, caveats)) => Outcome::accept(Produced { caveats, token }, None),
        Err(e) => Outcome::reject(vec![e.code().to_owned()], None),
    }
}

/// Room in the replay cache of a `dpop_proof` vector; far more than any vector's history.
const REPLAY_CAPACITY: usize = 1024;

fn dpop_request(i: &DpopProofInput, now: i64) -> ProofRequest<'_> {
    ProofRequest {
        access_token: i.access_token.as_deref(),
        expected_jkt: i.expected_jkt.as_deref(),
        nonce: i.nonce.as_deref(),
        ..ProofRequest::new(&i.method, &i.url, now)
    }
}

/// Runs `check` on each earlier proof of `replay` at its own clock (`Some(proof)`), then on the
/// input under test (`None`), all through the same verifier and replay cache that `check`
/// holds. The history is what the verifier accepted: one it refuses is a broken vector.
fn after_history<T>(
    replay: &[EarlierProof],
    now: i64,
    mut check: impl FnMut(Option<&str>, i64) -> Result<T, Vec<String>>,
) -> Result<T, Vec<String>> {
    for earlier in replay {
        check(Some(&earlier.proof), earlier.now).map_err(|_| vec!["input.replay".to_owned()])?;
    }
    check(None, now)
}

fn codes(codes: Vec<&'static str>) -> Vec<String> {
    codes.into_iter().map(str::to_owned).collect()
}

/// The proof under test, after the earlier ones.
fn dpop_check(i: &DpopProofInput) -> Result<AcceptedProof, Vec<String>> {
    let mut cache = ReplayCache::new(REPLAY_CAPACITY, dpop::DEFAULT_MAX_AGE);
    let p = after_history(&i.replay, i.now, |earlier, now| {
        let refused = |e: DpopError| codes(vec![e.code()]);
        let p = dpop::verify_proof(earlier.unwrap_or(&i.proof), &dpop_request(i, now))
            .map_err(refused)?;
        cache.check_and_insert(&p, now).map_err(refused)?;
        Ok(p)
    })?;
    Ok(AcceptedProof {
        jkt: p.jkt,
        jti: p.jti,
    })
}

/// The request under test, after the earlier proofs, each as the only `DPoP` field of the
/// same request at its own clock.
fn atr_dpop_check(i: &AtrDpopRequestInput) -> Result<AtrBoundIdentity, Vec<String>> {
    let mut cache = ReplayCache::new(REPLAY_CAPACITY, dpop::DEFAULT_MAX_AGE);
    let authorization: Vec<&str> = i.authorization.iter().map(String::as_str).collect();
    let fields: Vec<&str> = i.dpop.iter().map(String::as_str).collect();
    let accepted = after_history(&i.replay, i.now, |earlier, now| {
        let earlier = earlier.map(|proof| [proof]);
        let req = atr::BoundRequest {
            fields: i.fields(&authorization, earlier.as_ref().map_or(&fields, |e| e)),
            now,
            key: i.key.as_bytes(),
            iss_aud: &i.iss_aud,
        };
        atr::verify_bound_request(&req, &mut cache).map_err(|e| codes(vec![e.code()]))
    })?;
    Ok(AtrBoundIdentity {
        sub: accepted.claims.sub,
        jti: accepted.claims.jti,
        jkt: accepted.jkt,
    })
}

/// The request under test, after the earlier proofs, as in [`atr_dpop_check`].
fn macaroon_dpop_check(i: &MacaroonDpopRequestInput) -> Result<Option<String>, Vec<String>> {
    let mut cache = ReplayCache::new(REPLAY_CAPACITY, dpop::DEFAULT_MAX_AGE);
    let authorization: Vec<&str> = i.authorization.iter().map(String::as_str).collect();
    let fields: Vec<&str> = i.dpop.iter().map(String::as_str).collect();
    after_history(&i.replay, i.now, |earlier, now| {
        let earlier = earlier.map(|proof| [proof]);
        i.with_row(|issued, request| {
            let req = verify::PresentedRequest {
                fields: i.fields(&authorization, earlier.as_ref().map_or(&fields, |e| e)),
                request: verify::Request { now, ..*request },
            };
            verify::verify_presented(&req, issued, &mut cache).map_err(|e| codes(e.codes()))
        })
        .map_err(|e| vec![e])?
    })
}

impl Implementation for Reference {
    fn name(&self) -> &str {
        "caveatspec"
    }

    fn decode(&self, token_text: &str, profile: Profile) -> Option<DecodeOutcome> {
        let message =
            (profile == Profile::Warehouse).then_some("malformed or nonexistent macaroon");
        let body = match token::split_prefix(token_text, profile) {
            Ok(b) => b,
            Err(e) => {
                return Some(Outcome::reject(
                    vec![e.code().into()],
                    message.map(Into::into),
                ))
            }
        };
        let malformed = (profile == Profile::Warehouse).then(|| "malformed macaroon".to_owned());
        let bytes = match token::decode_body(body, profile) {
            Ok(b) => b,
            Err(e) => return Some(Outcome::reject(vec![e.code().into()], malformed)),
        };
        let mac = match macaroon::decode(&bytes, profile) {
            Ok(m) => m,
            Err(e) => {
                let code = match profile {
                    Profile::Warehouse => "macaroon.malformed",
                    Profile::Strict => verify::strict_macaroon_code(&e),
                };
                return Some(Outcome::reject(vec![code.into()], malformed));
            }
        };
        let fields = DecodedMacaroon {
            version: if mac.version == Version::V1 { 1 } else { 2 },
            // pymacaroons reports an absent location as ''.
            location: Some(text(mac.location.unwrap_or(b""))),
            identifier_hex: hex::encode(mac.identifier),
            caveats: mac
                .caveats
                .iter()
                .map(|c| DecodedCaveat {
                    id_hex: hex::encode(c.id),
                    vid_hex: c.vid.map(hex::encode),
                    location: c.location.filter(|l| !l.is_empty()).map(text),
                })
                .collect(),
            signature_hex: hex::encode(mac.signature),
        };
        Some(Outcome::accept(fields, None))
    }

    fn parse_caveat(
        &self,
        raw: &[u8],
        request_user: Option<&str>,
        profile: Profile,
    ) -> Option<CaveatOutcome> {
        Some(match caveat::parse(raw, profile, request_user) {
            Ok(c) => match c.canonical(request_user) {
                Some(canonical) => Outcome::accept(
                    ParsedCaveat {
                        kind: c.kind().to_owned(),
                        canonical,
                    },
                    None,
                ),
                // A legacy user caveat read with no user on the request (strict profile).
                None => Outcome::reject(vec!["request_user.no_user".to_owned()], None),
            },
            Err(e) => {
                let message = match profile {
                    Profile::Warehouse => {
                        Some(e.message.unwrap_or_else(|| "unknown error".to_owned()))
                    }
                    Profile::Strict => None,
                };
                Outcome::reject(vec![e.code.to_owned()], message)
            }
        })
    }

    fn verify(&self, i: &VerifyInput, profile: Profile) -> Option<VerifyOutcome> {
        let v = match i
            .with_row(|issued, request| verify::verify(&i.token, issued, request, profile))
        {
            Ok(v) => v,
            Err(_) => return Some(Outcome::reject(vec!["input.key_hex".to_owned()], None)),
        };
        let codes = v.codes().into_iter().map(str::to_owned).collect();
        Some(if v.valid {
            Outcome {
                valid: true,
                codes,
                message: v.message.map(Cow::into_owned),
                value: None,
            }
        } else {
            Outcome::reject(codes, v.message.map(Cow::into_owned))
        })
    }

    fn mint(&self, i: &MintInput) -> Option<MintOutcome> {
        let Ok(key) = hex::decode(&i.key_hex) else {
            return Some(Outcome::reject(vec!["input.key_hex".to_owned()], None));
        };
        Some(produced(attenuate::mint(
            &key,
            &i.identifier,
            &i.location,
            &restrictions(&i.restrictions),
        )))
    }

    fn restrict(&self, i: &RestrictInput) -> Option<MintOutcome> {
        Some(produced(attenuate::restrict(
            &i.token,
            &restrictions(&i.restrictions),
        )))
    }

    fn dpop_proof(&self, i: &DpopProofInput) -> Option<DpopOutcome> {
        Some(match dpop_check(i) {
            Ok(accepted) => Outcome::accept(accepted, None),
            Err(codes) => Outcome::reject(codes, None),
        })
    }

    fn jwk_thumbprint(&self, i: &JwkThumbprintInput) -> Option<ThumbprintOutcome> {
        Some(match jwk::thumbprint(&i.jwk) {
            Ok(thumbprint) => Outcome::accept(Thumbprint { thumbprint }, None),
            Err(e) => Outcome::reject(vec![e.code().to_owned()], None),
        })
    }

    fn atr_jwt(&self, i: &AtrJwtInput) -> Option<AtrOutcome> {
        Some(
            match atr::verify_atr(&i.authorization, i.key.as_bytes(), &i.iss_aud, i.now) {
                Ok(c) => Outcome::accept(
                    AtrIdentity {
                        sub: c.sub,
                        jti: c.jti,
                    },
                    None,
                ),
                Err(e) => Outcome::reject(vec![e.code().to_owned()], None),
            },
        )
    }

    fn macaroon_dpop_request(&self, i: &MacaroonDpopRequestInput) -> Option<MacaroonDpopOutcome> {
        Some(match macaroon_dpop_check(i) {
            Ok(jkt) => Outcome::accept(BoundKey { jkt }, None),
            Err(codes) => Outcome::reject(codes, None),
        })
    }

    fn atr_dpop_request(&self, i: &AtrDpopRequestInput) -> Option<AtrDpopOutcome> {
        Some(match atr_dpop_check(i) {
            Ok(accepted) => Outcome::accept(accepted, None),
            Err(codes) => Outcome::reject(codes, None),
        })
    }
}
