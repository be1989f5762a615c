//! Differential: strict against lenient decoding of arbitrary bytes, in every context.
//!
//! Oracle (`msnp6::fuzzing::strict_vs_lenient`): whatever strict mode accepts, lenient mode
//! accepts with the same value and no warnings; whatever lenient mode accepts with warnings,
//! strict mode rejects, and its canonical encoding decodes strictly to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6::fuzzing::strict_vs_lenient(data));
