//! The `jti` replay cache (RFC 9449 §11.1), kept apart from [`super::verify_proof`] so that
//! the stateless checks stay testable and a server can share one cache across threads or
//! processes however it likes.
//!
//! Policy, and why:
//!
//! - **Keyed on the proof's key and its `jti`**, not on the proof string or signature (an
//!   ES256 proof has a second valid signature, `(r, n − s)`, so the same proof exists as two
//!   strings), and not per target URI as §11.1 suggests: refusing a `jti`'s reuse by the same
//!   key anywhere is stricter and simpler. The key is part of the entry so that nobody can
//!   pre-claim another key's `jti`: a replayed proof always carries the key that signed it, so
//!   nothing a replay needs is lost, while a `jti` seen in transit and sent first under a
//!   throwaway key no longer blocks the genuine proof.
//! - **Stores SHA-256 of the thumbprint and the `jti`**, 32 bytes whatever their length
//!   (§11.1's advice against memory exhaustion).
//! - **Fed only with accepted requests.** [`ReplayCache::check_and_insert`] takes a
//!   [`VerifiedProof`], so only a proof that passed every stateless check can reach it, and
//!   the request-level procedures call it last, once the token is accepted too: a flood of
//!   valid proofs by throwaway keys with worthless tokens leaves the cache as it was.
//! - **An entry lives until `iat + retention`**, the last second at which a proof with that
//!   `iat` still passes the window; build the cache with `retention` equal to the verifier's
//!   `max_age`. After that the `jti` is accepted again (RFC 9449 Figure 7 reuses Figure 2's
//!   `jti` 2,680 s later), since the window check alone refuses the old proof.
//! - **A proof too old to remember is refused** ([`DpopError::IatTooOld`]): `iat + retention`
//!   before `now` means no entry could protect it.
//! - **When full, new `jti`s are refused** ([`DpopError::ReplayCacheFull`]) once expired
//!   entries are dropped, rather than evicting live ones: eviction would let anyone who can
//!   send many proofs flush a captured `jti` and replay it. The cost is that a flood makes the
//!   server refuse proofs until entries expire; size `capacity` for the peak rate times the
//!   window.

use super::{DpopError, VerifiedProof};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};

/// A bounded set of recently seen `jti` values; see the module documentation.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    capacity: usize,
    retention: i64,
    expiry_of: HashMap<[u8; 32], i64>,
    by_expiry: BTreeSet<(i64, [u8; 32])>,
}

impl ReplayCache {
    /// A cache of at most `capacity` entries, each kept for `retention` seconds after its
    /// proof's `iat`.
    pub fn new(capacity: usize, retention: u32) -> Self {
        ReplayCache {
            capacity,
            retention: i64::from(retention),
            expiry_of: HashMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// Number of entries held, expired ones not yet dropped included.
    pub fn len(&self) -> usize {
        self.expiry_of.len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.expiry_of.is_empty()
    }

    /// Refuses `proof` if a live entry holds its key's `jti`; otherwise remembers it until
    /// `iat + retention`. Call it once the request is accepted in every other respect (the
    /// proof by [`super::verify_proof`], and the token it came with), with the same `now`.
    pub fn check_and_insert(&mut self, proof: &VerifiedProof, now: i64) -> Result<(), DpopError> {
        self.check_and_insert_entry(&proof.jkt, &proof.jti, proof.iat, now)
    }

    /// [`Self::check_and_insert`] on the parts of a proof.
    fn check_and_insert_entry(
        &mut self,
        jkt: &str,
        jti: &str,
        iat: i64,
        now: i64,
    ) -> Result<(), DpopError> {
        let expiry = iat.saturating_add(self.retention);
        if expiry < now {
            return Err(DpopError::IatTooOld { iat, now });
        }
        let key = entry_key(jkt, jti);
        if let Some(&old) = self.expiry_of.get(&key) {
            if old >= now {
                return Err(DpopError::Replay);
            }
            self.by_expiry.remove(&(old, key));
            self.expiry_of.remove(&key);
        }
        if self.expiry_of.len() >= self.capacity {
            self.purge(now);
            if self.expiry_of.len() >= self.capacity {
                return Err(DpopError::ReplayCacheFull);
            }
        }
        self.expiry_of.insert(key, expiry);
        self.by_expiry.insert((expiry, key));
        Ok(())
    }

    /// Drops every entry that expired before `now`.
    pub fn purge(&mut self, now: i64) {
        while let Some(&(expiry, key)) = self.by_expiry.first() {
            if expiry >= now {
                break;
            }
            self.by_expiry.pop_first();
            self.expiry_of.remove(&key);
        }
    }
}

/// The entry of `jti` under the key whose thumbprint is `jkt`: SHA-256 over the thumbprint's
/// length, the thumbprint and the `jti`, so that no two (key, `jti`) pairs share an entry.
fn entry_key(jkt: &str, jti: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update((jkt.len() as u64).to_be_bytes());
    hash.update(jkt.as_bytes());
    hash.update(jti.as_bytes());
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key every test proof is signed with, unless a test says otherwise.
    const K: &str = "key-a";

    impl ReplayCache {
        fn insert_jti(&mut self, jti: &str, iat: i64, now: i64) -> Result<(), DpopError> {
            self.check_and_insert_entry(K, jti, iat, now)
        }
    }

    #[test]
    fn one_keys_jti_does_not_claim_another_keys() {
        let mut cache = ReplayCache::new(4, 300);
        cache
            .check_and_insert_entry("attacker", "j", 1000, 1000)
            .unwrap();
        cache
            .check_and_insert_entry("client", "j", 1000, 1000)
            .unwrap();
        assert_eq!(
            cache.check_and_insert_entry("client", "j", 1000, 1001),
            Err(DpopError::Replay)
        );
        // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
        cache.check_and_insert_entry("ab", "c", 1000, 1000).unwrap();
        cache.check_and_insert_entry("a", "bc", 1000, 1000).unwrap();
    }

    #[test]
    fn replay_within_retention_and_reuse_after() {
        let mut cache = ReplayCache::new(4, 300);
        cache.insert_jti("a", 1000, 1000).unwrap();
        assert_eq!(cache.insert_jti("a", 1000, 1000), Err(DpopError::Replay));
        assert_eq!(cache.insert_jti("a", 1200, 1300), Err(DpopError::Replay));
        // The entry lives to iat + retention inclusive.
        assert_eq!(cache.insert_jti("a", 1250, 1300), Err(DpopError::Replay));
        cache.insert_jti("a", 1301, 1301).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn too_old_to_remember() {
        let mut cache = ReplayCache::new(4, 300);
        assert_eq!(
            cache.insert_jti("a", 1000, 1301),
            Err(DpopError::IatTooOld {
                iat: 1000,
                now: 1301
            })
        );
        assert!(cache.is_empty());
    }

    #[test]
    fn full_cache_refuses_until_entries_expire() {
        let mut cache = ReplayCache::new(2, 300);
        cache.insert_jti("a", 1000, 1000).unwrap();
        cache.insert_jti("b", 1100, 1100).unwrap();
        assert_eq!(
            cache.insert_jti("c", 1100, 1100),
            Err(DpopError::ReplayCacheFull)
        );
        // "a" has expired at 1301; "b" has not, and is still refused.
        cache.insert_jti("c", 1301, 1301).unwrap();
        assert_eq!(cache.insert_jti("b", 1301, 1301), Err(DpopError::Replay));
        assert_eq!(cache.len(), 2);
        let mut none = ReplayCache::new(0, 300);
        assert_eq!(none.insert_jti("a", 1, 1), Err(DpopError::ReplayCacheFull));
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let mut cache = ReplayCache::new(2, u32::MAX);
        cache.insert_jti("a", i64::MAX, i64::MIN).unwrap();
        cache.purge(i64::MAX);
        assert_eq!(cache.len(), 1);
        assert_eq!(
            cache.insert_jti("b", i64::MIN, i64::MAX),
            Err(DpopError::IatTooOld {
                iat: i64::MIN,
                now: i64::MAX
            })
        );
    }
}
