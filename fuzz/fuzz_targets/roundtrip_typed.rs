//! Structure-aware: an `Arbitrary` `Command` (every variant reachable, only valid values; an
//! `Unknown` never carries an MSNP6 verb) is encoded.
//!
//! Oracle (`msnp6::fuzzing::roundtrip_typed`): the value is valid in at least one context, and in
//! every context where it is valid the bytes decode, strictly and leniently, to an equal value
//! with no warning, consuming every byte.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6::fuzzing::roundtrip_typed(data));
