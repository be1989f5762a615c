//! Arbitrary bytes decoded as one frame in every dialect × direction × server kind ×
//! strict/lenient.
//!
//! Oracle (`msnp6::fuzzing::decode_line`): never panics; bounded work (the result depends only on
//! the first `max_line + 2 + payload limit` bytes, every shorter prefix of a frame is
//! `Incomplete`, errors do not change when more bytes arrive); when decoding succeeds, encode then
//! decode gives the same value, and the encoding is canonical: byte-exact with the consumed input
//! whenever no lenient warning was raised (always for strict input).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6::fuzzing::decode_line(data));
