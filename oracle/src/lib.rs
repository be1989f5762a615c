//! # msnp6-oracle — the test oracle for MSNP6 servers
//!
//! The reference state machine of the MSNP6 protocol (MSN Messenger 3.6), built on the codec
//! crate [`msnp6`] through its public API only. A server author who only needs the codec adds
//! `msnp6`; this crate is for judging servers and for testing the codec against them.
//!
//! * [`model`] — the predictor: a sans-IO model of the dispatch, notification and switchboard
//!   servers with any number of users, giving the exact frames a correct server sends
//!   (`docs/model.md`), and the scenario generator.
//! * [`monitor`] — judges an observed transcript (one or several connections) against the
//!   reference, line by line (`msnp6 transcript verify`, `docs/monitor.md`).
//! * [`transcript`] — the transcript file format (`transcript-format.md`); [`check`] —
//!   `msnp6 transcript check`, every protocol line decoded and re-encoded.
//! * `fuzzing` (feature `fuzzing`) — the oracle of the `transcript` fuzz target, and the seed
//!   corpus made from transcript files.
//!
//! A transcript predicted by the model conforms for the monitor:
//!
//! ```
//! use msnp6_oracle::model::{AccountSpec, Event, Scenario};
//! use msnp6_oracle::monitor::{VerifyOptions, verify_bytes};
//! use msnp6::ServerKind;
//! use msnp6::commands::{Command, login::Ver};
//! use msnp6::types::{TokenList, TrId};
//!
//! let scenario = Scenario::new(7)
//!     .account(AccountSpec::new("alice@example.com", "password", "alice"))
//!     .event(Event::Connect { conn: "ns".into(), kind: ServerKind::Notification })
//!     .event(Event::Send {
//!         conn: "ns".into(),
//!         frame: Command::Ver(Ver { trid: TrId(1), dialects: TokenList::from_static(b"MSNP6 CVR0") }),
//!     });
//! let text = scenario.predict();
//! assert!(text.contains("S@ns: VER 1 MSNP6\n"), "{text}");
//! let options = VerifyOptions::default().with_account("alice@example.com", "password");
//! assert!(verify_bytes(text.as_bytes(), &options).conforms);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod model;
pub mod monitor;
pub mod transcript;

#[cfg(test)]
mod tests {
    use msnp6::types::{Enumerated, List};

    /// The model and the monitor read a fixed reference: four lists. `List` is `#[non_exhaustive]`
    /// in `msnp6` (as every enumerated value is), so the matches on it here end in a wildcard arm
    /// that cannot be reached today; when the codec adds a variant, this test fails and those arms
    /// (marked with a comment naming this test) must be revisited. (`Direction` and `ServerKind`
    /// are exhaustive: the compiler checks those matches.)
    #[test]
    fn known_variants() {
        assert_eq!(List::ALL.len(), 4);
    }
}
