//! Arbitrary frames on arbitrary connections through the live monitor, and predicted runs
//! reordered across connections.
//!
//! Oracle (`msnp6_oracle::fuzzing::monitor`): the first byte picks the half. Even: arbitrary connects,
//! disconnects, ticks and frames (arbitrary bytes or valid commands) on four connections never
//! panic or hang `Monitor::connect/observe/disconnect/finish`. Odd: a scenario generated from the
//! input, predicted by the model and fed to the monitor with each step's lines interleaved across
//! connections in an order the reference allows (§1.2), gives no server-side violation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6_oracle::fuzzing::monitor(data));
