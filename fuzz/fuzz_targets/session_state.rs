//! `session` with state feedback: each protocol state the run reaches (per connection: kind x the
//! client's last verb x the reply's verb; per user: verb x status x the four list sizes bucketed)
//! visits a slot of a table of distinct never-inlined functions, so that a new state is a new
//! coverage edge for libFuzzer (the effect of extra counters, without `unsafe`).
//!
//! Oracle: the same as `session` (`msnp6_server::fuzzing::session_state`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6_server::fuzzing::session_state(data));
