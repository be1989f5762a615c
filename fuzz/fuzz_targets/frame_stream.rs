//! Arbitrary bytes plus arbitrary chunk boundaries through the streaming `Framer`.
//!
//! Oracle (`msnp6::fuzzing::frame_stream`): the framer emits the same frames and the same errors
//! at the same stream offsets whether the input arrives whole or split, and the same as a
//! reference framer built on `Decoder::decode`; no frame exceeds the configured limits (small
//! limits are fuzzed too); at most one frame's worth of bytes stays buffered (memory bounded); a
//! closed framer repeats its error. Work stays linear (a quadratic regression is a libFuzzer
//! timeout).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6::fuzzing::frame_stream(data));
