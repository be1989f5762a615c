//! Arbitrary bytes plus arbitrary chunk boundaries through the tokio codec (`msnp6::codec`),
//! compared with the `Framer` it adapts.
//!
//! Oracle (`msnp6::fuzzing::codec_stream`): the input of `frame_stream` (context, limits, chunk
//! sizes, stream), bit 7 of the first byte choosing the policy after an invalid line (close or
//! skip it). Fed as `Framed` feeds it, the codec yields exactly the framer's frames and errors
//! (up to the first error when it closes), ends the stream as the framer says (fatal error,
//! truncated frame, clean end), repeats its error once closed, keeps at most one frame's worth
//! of bytes, and what it decoded re-encodes through its `Encoder` to the same commands.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| msnp6::fuzzing::codec_stream(data));
