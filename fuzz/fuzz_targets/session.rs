//! The server core driven in-process by an arbitrary sequence of events for several users, in
//! lockstep with the reference model and under the live monitor (issue 21 §1).
//!
//! Oracle (`msnp6_server::fuzzing::session`): no panic or hang; open connections bounded; the
//! core's frames equal the model's frame by frame (server-chosen values learned) and the same
//! connections close; the monitor finds no server-side violation. `MSNP6_SESSION_FAULT=NAME`
//! seeds a known fault (docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6_server::fuzzing::session(data));
