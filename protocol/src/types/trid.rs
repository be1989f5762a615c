//! Transaction IDs (reference §1.2).

use core::fmt;
use core::str::FromStr;

/// A transaction ID: `0 … 4294967295` (reference §1.2). `0` is used by asynchronous server
/// commands (`ADD 0 RL …`, `CHL 0 …`, `XFR 0 NS 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct TrId(pub u32);

impl TrId {
    /// The TrID asynchronous server commands use.
    pub const ASYNC: TrId = TrId(0);

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl From<u32> for TrId {
    fn from(n: u32) -> Self {
        TrId(n)
    }
}

impl fmt::Display for TrId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for TrId {
    type Err = super::InvalidValue;
    /// Parses the canonical decimal form (no sign, no leading zeros).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::grammar::parse_canonical_u32(s.as_bytes())
            .map(TrId)
            .ok_or_else(|| super::InvalidValue::NotDocumented(s.to_owned()))
    }
}
