//! The `jti` replay cache (RFC 9449 §11.1), kept apart from [`super::verify_proof`] so that
//! the stateless checks stay testable and a server can share one cache across threads or
//! processes however it likes.
//!
//! Policy, and why:
//!
//! - **Keyed on `jti` alone**, not on the proof string or signature (an ES256 proof has a
//!   second valid signature, `(r, n − s)`, so the same proof exists as two strings), and not
//!   per target URI as §11.1 suggests: a `jti` is meant to be unique, so refusing its reuse
//!   anywhere is stricter and simpler.
//! - **Stores SHA-256 of the `jti`**, 32 bytes whatever its length (§11.1's advice against
//!   memory exhaustion).
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

use super::DpopError;
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

    /// Refuses `jti` if a live entry holds it; otherwise remembers it until
    /// `iat + retention`. Call it after [`super::verify_proof`] accepted the proof, with the
    /// proof's `jti` and `iat` and the same `now`.
    pub fn check_and_insert(&mut self, jti: &str, iat: i64, now: i64) -> Result<(), DpopError> {
        let expiry = iat.saturating_add(self.retention);
        if expiry < now {
            return Err(DpopError::IatTooOld { iat, now });
        }
        let key: [u8; 32] = Sha256::digest(jti.as_bytes()).into();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_within_retention_and_reuse_after() {
        let mut cache = ReplayCache::new(4, 300);
        cache.check_and_insert("a", 1000, 1000).unwrap();
        assert_eq!(
            cache.check_and_insert("a", 1000, 1000),
            Err(DpopError::Replay)
        );
        assert_eq!(
            cache.check_and_insert("a", 1200, 1300),
            Err(DpopError::Replay)
        );
        // The entry lives to iat + retention inclusive.
        assert_eq!(
            cache.check_and_insert("a", 1250, 1300),
            Err(DpopError::Replay)
        );
        cache.check_and_insert("a", 1301, 1301).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn too_old_to_remember() {
        let mut cache = ReplayCache::new(4, 300);
        assert_eq!(
            cache.check_and_insert("a", 1000, 1301),
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
        cache.check_and_insert("a", 1000, 1000).unwrap();
        cache.check_and_insert("b", 1100, 1100).unwrap();
        assert_eq!(
            cache.check_and_insert("c", 1100, 1100),
            Err(DpopError::ReplayCacheFull)
        );
        // "a" has expired at 1301; "b" has not, and is still refused.
        cache.check_and_insert("c", 1301, 1301).unwrap();
        assert_eq!(
            cache.check_and_insert("b", 1301, 1301),
            Err(DpopError::Replay)
        );
        assert_eq!(cache.len(), 2);
        let mut none = ReplayCache::new(0, 300);
        assert_eq!(
            none.check_and_insert("a", 1, 1),
            Err(DpopError::ReplayCacheFull)
        );
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let mut cache = ReplayCache::new(2, u32::MAX);
        cache.check_and_insert("a", i64::MAX, i64::MIN).unwrap();
        cache.purge(i64::MAX);
        assert_eq!(cache.len(), 1);
        assert_eq!(
            cache.check_and_insert("b", i64::MIN, i64::MAX),
            Err(DpopError::IatTooOld {
                iat: i64::MIN,
                now: i64::MAX
            })
        );
    }
}
