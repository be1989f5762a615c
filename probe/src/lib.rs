//! # msnp6-probe — the reference state machine against a running MSNP6 server
//!
//! * the probe: plays generated client sessions over TCP against a server, judges every frame
//!   with the live monitor of `msnp6-oracle` as it arrives, and shrinks each finding to the
//!   smallest session that still shows it (`msnp6 probe`);
//! * the reference server: the predictor of `msnp6-oracle` behind real sockets, for testing
//!   clients and for calibrating the probe (`msnp6 serve --reference`; for testing, not
//!   production: nothing persists).
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
