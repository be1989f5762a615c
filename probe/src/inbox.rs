//! What one connection receives, cut into frames by the codec's [`Framer`] (server to client,
//! lenient, in the dialect the connection's VER chose), each with its exact bytes for the monitor
//! and the transcript.
//!
//! A line the framer cannot read is handed on as its bytes (the monitor reports it); a line past
//! the line limit or a payload past its limit loses the framing (reference §12): the connection
//! is then given up ([`Received::Lost`]).

use msnp6::commands::Command;
use msnp6::{Decoder, Dialect, Direction, Framer, Mode, ServerKind};

/// The most bytes of a lost frame kept for the monitor and the transcript.
const LOST_KEPT: usize = 256;

/// One thing read from a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A frame (command line, CR LF, payload) and its lenient reading when it has one.
    Frame(Vec<u8>, Option<Command<'static>>),
    /// The framing is lost: the start of the offending bytes, and why.
    Lost(Vec<u8>, String),
}

/// The framer of one connection and the bytes it has not consumed yet.
#[derive(Debug)]
pub struct Inbox {
    kind: ServerKind,
    dialect: Dialect,
    framer: Framer,
    /// Bytes from stream offset `base` on, not yet handed out.
    raw: Vec<u8>,
    base: u64,
}

fn decoder(kind: ServerKind, dialect: Dialect) -> Decoder {
    Decoder::new(Direction::ServerToClient, kind)
        .with_dialect(dialect)
        .with_mode(Mode::Lenient)
}

impl Inbox {
    /// The inbox of a connection to a server of `kind`.
    pub fn new(kind: ServerKind) -> Inbox {
        let dialect = Dialect::default();
        Inbox {
            kind,
            dialect,
            framer: Framer::new(decoder(kind, dialect)),
            raw: Vec::new(),
            base: 0,
        }
    }

    /// Reads the next lines in `dialect` (the one the connection's VER reply chose).
    pub fn set_dialect(&mut self, dialect: Dialect) {
        if dialect != self.dialect {
            self.dialect = dialect;
            self.framer.set_decoder(decoder(self.kind, dialect));
        }
    }

    /// Takes arrived bytes; returns the frames now complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Received> {
        if self.framer.is_closed() {
            return Vec::new();
        }
        self.framer.push(bytes);
        self.raw.extend_from_slice(bytes);
        let mut out = Vec::new();
        loop {
            let (start, end, command) = match self.framer.next_frame() {
                Ok(None) => break,
                Ok(Some(frame)) => {
                    let start = frame.offset;
                    let end = start + frame.len as u64;
                    (start, end, Some(frame.command.into_owned()))
                }
                Err(e) if e.is_fatal() => {
                    let from = self.index(e.line_offset);
                    let kept = self.raw[from..].iter().take(LOST_KEPT).copied().collect();
                    out.push(Received::Lost(kept, e.to_string()));
                    self.raw = Vec::new();
                    break;
                }
                Err(e) => {
                    let from = self.index(e.line_offset);
                    let end = self.raw[from..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(self.raw.len(), |p| from + p + 1);
                    (e.line_offset, self.base + end as u64, None)
                }
            };
            let (from, to) = (self.index(start), self.index(end));
            out.push(Received::Frame(self.raw[from..to].to_vec(), command));
            self.raw.drain(..to);
            self.base += to as u64;
        }
        out
    }

    fn index(&self, offset: u64) -> usize {
        usize::try_from(offset.saturating_sub(self.base))
            .unwrap_or(usize::MAX)
            .min(self.raw.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_keep_their_bytes_across_chunks() {
        let mut inbox = Inbox::new(ServerKind::Notification);
        assert_eq!(inbox.push(b"VER 1 MSNP6\r\nQNG").len(), 1);
        let got = inbox.push(b"\r\nCHG x NLN\r\nCHG 2 NLN\r\n");
        let bytes: Vec<&[u8]> = got
            .iter()
            .map(|r| match r {
                Received::Frame(b, _) | Received::Lost(b, _) => b.as_slice(),
            })
            .collect();
        assert_eq!(bytes, [&b"QNG\r\n"[..], b"CHG x NLN\r\n", b"CHG 2 NLN\r\n"]);
        assert!(matches!(&got[1], Received::Frame(_, None)));
    }

    #[test]
    fn an_endless_line_loses_the_framing() {
        let mut inbox = Inbox::new(ServerKind::Notification);
        let got = inbox.push(&[b'A'; 5000]);
        assert!(matches!(&got[..], [Received::Lost(b, _)] if b.len() == LOST_KEPT));
        assert!(inbox.push(b"VER 1 MSNP6\r\n").is_empty());
    }
}
