//! The core's configuration: addresses it hands out and every limit, each with its reason.

use msnp6::types::Token;

use super::Millis;
use super::switchboard::Limits;

/// A rate limit: at most `max` events in any window of `window` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Events allowed per window.
    pub max: u32,
    /// The window, in milliseconds.
    pub window: Millis,
}

/// What the core needs to know that is not protocol: addresses and limits.
///
/// [`Config::default`] is for production; [`Config::reference`] behaves exactly as the
/// reference state machine (docs/model.md), which has no login timeout, no automatic
/// challenges and no rate limit (reference §14: "No NS idle timeout, no PNG requirement, no REA
/// rate window by default").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The NS address the DS refers clients to: `XFR TrID NS ns_addr 0` (reference §3.1 XFR).
    pub ns_addr: String,
    /// The SB address in `XFR TrID SB sb_addr CKI cookie` and `RNG` (reference §3.1, §3.4).
    pub sb_addr: String,
    /// A DS or NS connection that has not logged in after this long is closed without a line
    /// (an NS connection: no `USR … OK`; a DS connection: no referral). `None`: never. Default
    /// 60 s: the reference gives the SB about one minute for its USR (§3.1, §12), and a client
    /// logs in to the NS in a few round trips; without a limit, connections that never log in
    /// hold memory forever (issue 20, "1,000 connections that never log in").
    pub login_timeout: Option<Millis>,
    /// A logged-in NS connection that sends nothing for this long is closed (watchers get FLN).
    /// `None` (default): the reference has no NS idle timeout and no PNG requirement (§14).
    pub idle_timeout: Option<Millis>,
    /// The server sends `CHL 0 challenge` to each logged-in NS connection this long after its
    /// login and then this long after each challenge (at least 1 ms). `None`: only when asked
    /// ([`Core::challenge`](super::Core::challenge)) or requested by the client (`CHL TrID`).
    /// Default 5 minutes: the reference says "at any time" (§3.4 CHL) and gives no period.
    pub challenge_interval: Option<Millis>,
    /// A challenge not answered by a valid QRY within this time: `OUT`, then close (reference
    /// §3.4 CHL, §14 "about 50 s"). Default 50 s.
    pub challenge_timeout: Millis,
    /// The REA rate limit: a rename over it is answered `800` (reference §3.2 REA: the sixth
    /// rename in quick succession is refused). Default 5 per 60 s (the window is not documented).
    /// `None`: no limit (reference §14 default; 800 is then never sent).
    pub rename_rate: Option<RateLimit>,
    /// Entries per list (FL, AL, BL): the 151st ADD is answered `210` (reference §12: FL 150 in
    /// March 2003; §14 applies the same to AL and BL). Default 150.
    pub max_list_entries: usize,
    /// Switchboard sessions plus unused `XFR SB` cookies one user may hold at once (handed to
    /// the switchboard). Default 64: not documented; bounds memory per user. Over it, `XFR SB`
    /// is answered `714` (too many sessions, reference §4).
    pub switchboards_per_user: usize,
    /// Participants plus pending invitations of one switchboard (handed to the switchboard);
    /// `CAL` beyond it is answered `713`. Default 64: the reference documents none ("most
    /// likely greater than 30", §14); this bounds the fan-out of one MSG.
    pub switchboard_size: usize,
    /// Switchboard sessions plus unused `XFR SB` cookies of all users together (handed to the
    /// switchboard); `XFR SB` beyond it is answered `600` (server busy, reference §4). Default
    /// 50,000: bounds the switchboard's memory.
    pub max_switchboards: usize,
    /// How long an XFR/RNG cookie is usable (reference §14: 120 s, once). Default 120 s.
    pub cookie_lifetime: Millis,
    /// An SB connection without USR or ANS is closed after this long (reference §14: 60 s).
    pub sb_login_timeout: Millis,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ns_addr: "127.0.0.1:1863".to_owned(),
            sb_addr: "127.0.0.1:1865".to_owned(),
            login_timeout: Some(60_000),
            idle_timeout: None,
            challenge_interval: Some(300_000),
            challenge_timeout: 50_000,
            rename_rate: Some(RateLimit {
                max: 5,
                window: 60_000,
            }),
            max_list_entries: 150,
            switchboards_per_user: 64,
            switchboard_size: 64,
            max_switchboards: 50_000,
            cookie_lifetime: 120_000,
            sb_login_timeout: 60_000,
        }
    }
}

impl Config {
    /// The reference state machine's behaviour (docs/model.md): no login timeout, no idle
    /// timeout, no automatic challenges, no rate limit; the documented limits otherwise.
    pub fn reference() -> Self {
        Config {
            login_timeout: None,
            idle_timeout: None,
            challenge_interval: None,
            rename_rate: None,
            switchboards_per_user: usize::MAX,
            switchboard_size: usize::MAX,
            max_switchboards: usize::MAX,
            ..Config::default()
        }
    }

    /// The switchboard's limits taken from this configuration.
    pub fn switchboard_limits(&self) -> Limits {
        Limits {
            sb_addr: Token::try_from(self.sb_addr.clone())
                .unwrap_or_else(|_| Token::from_static(b"127.0.0.1:1865")),
            cookie_ttl: self.cookie_lifetime,
            login_timeout: self.sb_login_timeout,
            max_participants: self.switchboard_size,
            max_per_user: self.switchboards_per_user,
            max_sessions: self.max_switchboards,
            max_payload: 1664,
        }
    }
}
