//! Arbitrary text through the transcript reader and the `transcript check` logic.
//!
//! Oracle (`msnp6_oracle::fuzzing::transcript`): no panic; every protocol line accounted for (the
//! reader's protocol lines are exactly the file lines with a `C: `/`S: `/`C@NAME: `/`S@NAME: `
//! prefix, payload lines follow them, no line counted twice); the checker reports each protocol
//! line once, in order, and only claims `ok` for a line that decodes strictly on a server the file
//! gives it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6_oracle::fuzzing::transcript(data));
