//! Verification profiles.
//!
//! The caveat language has two readings. `Warehouse` reproduces, byte for byte and message for
//! message, what PyPI's server accepts today, including the leniency it inherits from Python and
//! pymacaroons. `Strict` is what a careful new verifier should accept: canonical encodings only,
//! no Python coercions, bounded sizes, and the signature checked before any caveat is evaluated.

use std::fmt;
use std::str::FromStr;

/// Which reading of the token and caveat grammar to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Exactly what PyPI (pypi/warehouse) accepts and rejects, with its messages.
    Warehouse,
    /// Fail-closed canonical reading recommended for new verifiers.
    Strict,
}

impl Profile {
    /// Every profile, in the order reports list them.
    pub const ALL: [Profile; 2] = [Profile::Warehouse, Profile::Strict];

    /// The name used in vector files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Warehouse => "warehouse",
            Profile::Strict => "strict",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name given is not a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown profile {:?} (expected \"warehouse\" or \"strict\")",
            self.0
        )
    }
}

impl std::error::Error for UnknownProfile {}

impl FromStr for Profile {
    type Err = UnknownProfile;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warehouse" => Ok(Profile::Warehouse),
            "strict" => Ok(Profile::Strict),
            other => Err(UnknownProfile(other.to_owned())),
        }
    }
}
