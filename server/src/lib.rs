//! # msnp6-server — a production MSNP6 server
//!
//! The dispatch (DS), notification (NS) and switchboard (SB) servers of MSNP6 (MSN Messenger
//! 3.6) in one process: a sans-IO [`core`] (events in, actions out; clock and randomness
//! injected, deterministic from a seed), a SQLite store for what must survive a restart, and a
//! thin tokio shell that owns the sockets, the framers and the timers. It shares the codec
//! [`msnp6`] with the reference state machine (`msnp6-oracle`) and nothing else: the oracle
//! judges it. Architecture, decisions and limits: `docs/server.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod core;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
#[cfg(feature = "fuzzing")]
pub mod lockstep;
pub mod shell;
pub mod store;
