//! The mix each user plays on the notification server, one action at a time (issue 21 §2:
//! "SYN of long lists, presence changes fanned out to watchers, ADD/REM, CHL/QRY, switchboard
//! sessions with MSG and ACK").
//!
//! | action | weight | request | what the server does besides replying |
//! | --- | ---: | --- | --- |
//! | [`Action::Status`] | 40% | `CHG t STATUS` (NLN BSY AWY BRB PHN LUN IDL) | `NLN` to every online watcher (the user's RL) |
//! | [`Action::Challenge`] | 5% | `CHL t` (reference §3.4), answered `CHL t challenge`; then `QRY` with the MSNP6 key | `QRY t` |
//! | [`Action::AddRemove`] | 30% | `ADD t FL h h` / `REM t FL h`, alternating | `ADD 0 RL` / `REM 0 RL` to the contact |
//! | [`Action::List`] | 10% | `LST t FL`, `AL` or `RL` (one long list) | one `LST` line per entry |
//! | [`Action::Switchboard`] | 13% | `XFR t SB`, then a session ([`super::switchboard`]) | `RNG` to the callee, `JOI`, `MSG` delivered, `ACK` |
//! | [`Action::Relogin`] | 2% | `OUT`, then the whole login (DS, NS, MD5), `SYN t 0`, `CHG t NLN` | `FLN`, then `NLN` to watchers; `SYN`: every list with `BPR`s |
//!
//! `SYN` is allowed once per connection (reference §3.2 SYN; the server closes a connection that
//! sends a second one): the long lists are downloaded at each login, and by `LST` in between.
//!
//! `CHL`/`QRY`: a challenge (asked for, or the server's own `CHL 0`) is answered by `QRY` at
//! once, whose reply's latency is counted like any request's. A switchboard session sends [`super::switchboard::MESSAGES`] `MSG A`
//! (each answered `ACK`), so switchboard requests (`USR`, `CAL`, `ANS`, `MSG`) are about half
//! of all requests.

use crate::SplitMix64;

/// One step of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `CHG`: a presence change.
    Status,
    /// `CHL t`: a challenge asked for, then answered with `QRY`.
    Challenge,
    /// `ADD FL` or `REM FL` of the user's churn contact.
    AddRemove,
    /// `LST`: one whole list.
    List,
    /// `XFR SB` and a switchboard session.
    Switchboard,
    /// Log out and in again, `SYN 0`, `CHG NLN`.
    Relogin,
}

/// The statuses `CHG` cycles through (not `HDN`: a hidden user may not open a switchboard,
/// reference §8 point 5).
pub const STATUSES: &[&str] = &["NLN", "BSY", "AWY", "BRB", "PHN", "LUN", "IDL"];

impl Action {
    /// Draws the next action with the weights of the table above.
    pub fn pick(rng: &mut SplitMix64) -> Action {
        match rng.below(100) {
            0..40 => Action::Status,
            40..45 => Action::Challenge,
            45..75 => Action::AddRemove,
            75..85 => Action::List,
            85..98 => Action::Switchboard,
            _ => Action::Relogin,
        }
    }
}
