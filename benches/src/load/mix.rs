//! The mix each user plays on the notification server, one action at a time (issue 21 §2:
//! "SYN of long lists, presence changes fanned out to watchers, ADD/REM, CHL/QRY, switchboard
//! sessions with MSG and ACK").
//!
//! | action | weight | request | what the server does besides replying |
//! | --- | ---: | --- | --- |
//! | [`Action::Status`] | 50% | `CHG t STATUS` (NLN BSY AWY BRB PHN LUN IDL) | `NLN` to every online watcher (the user's RL) |
//! | [`Action::AddRemove`] | 30% | `ADD t FL h h` / `REM t FL h`, alternating | `ADD 0 RL` / `REM 0 RL` to the contact |
//! | [`Action::Sync`] | 10% | `SYN t 0` | every list (`LST` lines, `BPR`), `GTC`, `BLP` |
//! | [`Action::Switchboard`] | 10% | `XFR t SB`, then a session ([`super::switchboard`]) | `RNG` to the callee, `JOI`, `MSG` delivered, `ACK` |
//!
//! `CHL`/`QRY`: whenever the server challenges, the user answers `QRY` at once (latency counted
//! like any request). A switchboard session sends [`super::switchboard::MESSAGES`] `MSG A`
//! (each answered `ACK`), so switchboard requests (`USR`, `CAL`, `ANS`, `MSG`) are about half
//! of all requests.

use crate::SplitMix64;

/// One step of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `CHG`: a presence change.
    Status,
    /// `ADD FL` or `REM FL` of the user's churn contact.
    AddRemove,
    /// `SYN 0`: the whole lists.
    Sync,
    /// `XFR SB` and a switchboard session.
    Switchboard,
}

/// The statuses `CHG` cycles through (not `HDN`: a hidden user may not open a switchboard,
/// reference §8 point 5).
pub const STATUSES: &[&str] = &["NLN", "BSY", "AWY", "BRB", "PHN", "LUN", "IDL"];

impl Action {
    /// Draws the next action with the weights of the table above.
    pub fn pick(rng: &mut SplitMix64) -> Action {
        match rng.below(100) {
            0..50 => Action::Status,
            50..80 => Action::AddRemove,
            80..90 => Action::Sync,
            _ => Action::Switchboard,
        }
    }
}
