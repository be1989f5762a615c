//! Baseline (c) of issue 21 §2: the codec alone on the same bytes. The client -> server streams
//! the recording users sent are decoded again with the server's [`Framer`] (client to server,
//! 1460-byte chunks, as a socket delivers them), single-threaded, no sockets: how fast decoding
//! alone goes, and so how much of the server's CPU time decoding its input takes.

use std::time::{Duration, Instant};

use msnp6::{Decoder, Dialect, Direction, Framer};

use super::conn::Recording;

/// Chunk size: one Ethernet-MSS segment.
pub const CHUNK: usize = 1460;

/// What decoding the recording measured.
#[derive(Debug, Clone, Copy)]
pub struct CodecOutcome {
    /// Bytes in the recording.
    pub bytes: u64,
    /// Frames decoded per pass.
    pub commands: u64,
    /// Lines the framer refused per pass (none expected: the clients send valid MSNP6).
    pub refused: u64,
    /// Seconds per pass over the whole recording.
    pub seconds_per_pass: f64,
}

impl CodecOutcome {
    /// Commands decoded per second.
    pub fn commands_per_second(&self) -> f64 {
        self.commands as f64 / self.seconds_per_pass.max(f64::MIN_POSITIVE)
    }

    /// Seconds of decoding per byte.
    pub fn seconds_per_byte(&self) -> f64 {
        self.seconds_per_pass / (self.bytes.max(1) as f64)
    }
}

/// Decodes every recorded stream once; returns (frames, refused lines).
fn pass(recording: &Recording) -> (u64, u64) {
    let (mut frames, mut refused) = (0, 0);
    for (kind, bytes) in &recording.streams {
        let decoder = Decoder::new(Direction::ClientToServer, *kind).with_dialect(Dialect::Msnp6);
        let mut framer = Framer::new(decoder);
        for chunk in bytes.chunks(CHUNK) {
            framer.push(chunk);
            loop {
                match framer.next_frame() {
                    Ok(Some(f)) => {
                        std::hint::black_box(&f);
                        frames += 1;
                    }
                    Ok(None) => break,
                    Err(e) if e.is_fatal() => break,
                    Err(_) => refused += 1,
                }
            }
        }
    }
    (frames, refused)
}

/// Decodes the recording in passes for at least `min_time` (at least one pass).
pub fn measure(recording: &Recording, min_time: Duration) -> CodecOutcome {
    let bytes = recording.streams.iter().map(|(_, b)| b.len() as u64).sum();
    let start = Instant::now();
    let mut passes = 0u32;
    let mut counts = (0, 0);
    while passes == 0 || start.elapsed() < min_time {
        counts = pass(recording);
        passes += 1;
    }
    CodecOutcome {
        bytes,
        commands: counts.0,
        refused: counts.1,
        seconds_per_pass: start.elapsed().as_secs_f64() / f64::from(passes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msnp6::ServerKind;

    #[test]
    fn counts_the_frames_of_a_known_login() {
        // the client's half of reference §8 on the NS, with a QRY payload
        let ns = b"VER 4 MSNP6 MSNP5 MSNP4 CVR0\r\nINF 5\r\nUSR 6 MD5 I example@hotmail.com\r\n\
SYN 8 8\r\nCHG 9 NLN\r\nQRY 10 msmsgs@msnmsgr.com 32\r\n3b6666b60157322b6fc6e41a115968f5"
            .to_vec();
        let rec = Recording {
            streams: vec![(ServerKind::Notification, ns.clone())],
        };
        let out = measure(&rec, Duration::ZERO);
        assert_eq!(
            (out.commands, out.refused, out.bytes),
            (6, 0, ns.len() as u64)
        );
        // a line the server must refuse is counted as refused, not as a command
        let rec = Recording {
            streams: vec![(ServerKind::Notification, b"FOO 1\r\nSYN\r\n".to_vec())],
        };
        let out = measure(&rec, Duration::ZERO);
        assert_eq!(out.commands + out.refused, 2);
        assert!(out.refused >= 1);
    }
}
