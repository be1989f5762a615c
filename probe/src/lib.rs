//! # msnp6-probe — the reference state machine against a running MSNP6 server
//!
//! * the probe: plays generated client sessions over TCP against a server, judges every frame
//!   with the live monitor of `msnp6-oracle` as it arrives, and shrinks each finding to the
//!   smallest session that still shows it (`msnp6 probe`);
//! * the reference server: the predictor of `msnp6-oracle` behind real sockets, for testing
//!   clients and for calibrating the probe (`msnp6 serve --reference`; for testing, not
//!   production: nothing persists).
//!
//! The probe, module by module: [`plan`] (sessions from the scenario generator), [`session`]
//! (one session over TCP: translation with the oracle's `Learner`, waiting for replies),
//! [`wire`] (connections and reader threads), [`inbox`] (the codec's framer, server to client),
//! [`judge`] (the live monitor), [`shrink`] (delta debugging), [`record`] (transcripts),
//! [`mod@run`] (the whole run: preflight, sessions, findings). [`run()`] is `msnp6 probe`:
//!
//! ```no_run
//! use msnp6_probe::{Config, run};
//! let ns = "127.0.0.1:1864".parse().unwrap();
//! let accounts = vec![("alice@example.com".to_owned(), "alice-pw".to_owned())];
//! let summary = run(&Config::new(None, Some(ns), accounts), &mut |_| {}).unwrap();
//! for f in &summary.findings {
//!     println!("{} (§{}): {}", f.rule, f.section, f.message);
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod inbox;
pub mod judge;
pub mod plan;
pub mod record;
pub mod reference;
pub mod run;
pub mod session;
pub mod shrink;
pub mod wire;

pub use run::{Config, Finding, ProbeError, Progress, Summary, run};
