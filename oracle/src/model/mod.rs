//! The reference state machine: an executable model of the MSNP6 world (dispatch, notification
//! and switchboard servers, any number of users), written for clarity, one rule at a time.
//!
//! Sans-IO: a [`World`] takes [`Event`]s (a client connects, sends a frame, disconnects; time
//! passes; the server challenges or shuts down) and returns a [`Step`]: the exact frames each
//! connection receives, each with the id of the rule that produced it, and the connections that
//! closed. Server-chosen values (salts, challenges, cookies, session ids, addresses) come from an
//! injected [`ValueSource`](rng::ValueSource), by default splitmix64 started at a seed, so a run
//! is reproducible from its seed. No sockets, no clock, no global state.
//!
//! The behaviour follows `msnp6-protocol.md` §3, §4, §8 and §14; every rule is listed in
//! [`rules::RULES`] and, with the decisions taken where sources disagree or are silent, in
//! `docs/model.md`.
//!
//! * [`predict`] runs a [`Scenario`] and writes the transcript (several-connections format).
//! * [`Scenario::generate`] / [`Scenario::random`] build scenarios from the current state
//!   (mostly valid, sometimes deliberately invalid); `tests/model_support/mod.rs` wraps them as
//!   proptest strategies.
//!
//! ```
//! use msnp6_oracle::model::{AccountSpec, Event, World};
//! use msnp6::commands::{Command, login::{Ver, UsrInitial}};
//! use msnp6::types::{TokenList, TrId, Handle};
//! use msnp6::ServerKind;
//!
//! let mut w = World::new(7);
//! w.add_account(&AccountSpec::new("alice@example.com", "password", "alice"));
//! w.apply(&Event::Connect { conn: "ns".into(), kind: ServerKind::Notification });
//! let ver = Command::Ver(Ver { trid: TrId(1), dialects: TokenList::new(&b"MSNP6 CVR0"[..]).unwrap() });
//! let step = w.apply(&Event::Send { conn: "ns".into(), frame: ver });
//! assert_eq!(step.deliveries[0].command.to_string(), "VER 1 MSNP6");
//! assert_eq!(step.deliveries[0].rule, "MODEL-VER-CHOOSE");
//! ```

mod accounts;
mod bad_values;
mod challenge;
mod learn;
mod lists;
mod login;
pub(crate) mod md5;
mod presence;
pub mod rng;
pub mod rules;
mod scenario;
mod services;
mod switchboard;
mod transcript_out;
mod validation;
mod world;

pub use accounts::{AccountSpec, Verification};
pub use bad_values::{BadValue, bad_value};
pub use learn::Learner;
pub use rules::{RULES, Rule};
pub use scenario::Scenario;
pub use transcript_out::{
    Traced, TracedLine, connections, payload_is_representable, predict, predict_traced,
    predict_with,
};
pub use world::{Closed, ConnName, Delivery, Event, Step, World};
