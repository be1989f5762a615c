//! A streaming framer: arbitrary byte chunks in, frames out (sans-IO).
//!
//! A frame's first attempt decodes it where it lies, finding the line end in the same pass
//! (`docs/codec.md`, "Reading a frame in one pass"); most frames are whole by then. A valid line
//! whose payload has not all arrived tells the frame's length on that attempt, and the frame is
//! decoded once more when all of it is here. Otherwise the framer scans for the line end as bytes
//! arrive (its scan position survives between calls, so feeding one byte at a time stays linear),
//! decodes the line in one pass again once its end is here, and, if that fails, the reporting way
//! (`docs/codec.md`, "Frames cut by a chunk end"). It reads a payload only after a
//! line that is a valid payload command (reference §1.4): `SDC 7 anotheruser@hotmail.com 10` is
//! an invalid line, not 10 bytes of payload.
//!
//! # After an error
//! * An invalid line (grammar error, misplaced verb) is reported once and skipped: decoding goes
//!   on with the bytes after its line end. The payload a valid-looking line might have announced
//!   is not skipped (the line was invalid, so its length is not trusted).
//! * An error that loses the framing — a line longer than the limit, or a payload length over the
//!   limit — closes the framer: that error is returned again by every later call, and pushed
//!   bytes are dropped. A server answers both by closing the connection.

use std::cell::Cell;

use crate::commands::Command;
use crate::decode::{Decoded, Decoder};
use crate::error::{DecodeError, Warnings};

/// One frame of a stream: a command (with its payload) and where it was in the stream.
///
/// A [`Decoded`] (what [`Decoder::decode`] gives for the start of a buffer) plus the frame's
/// stream offset: `command`, `warnings` and `len` mean the same in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'b> {
    /// The command.
    pub command: Command<'b>,
    /// Lenient-mode warnings.
    pub warnings: Warnings,
    /// Stream offset of the first byte of the frame.
    pub offset: u64,
    /// Length of the frame in bytes.
    pub len: usize,
}

impl<'b> Frame<'b> {
    /// The frame detached from the framer's buffer (its command and payload copied).
    pub fn into_owned(self) -> Frame<'static> {
        Frame {
            command: self.command.into_owned(),
            warnings: self.warnings,
            offset: self.offset,
            len: self.len,
        }
    }

    /// The frame of a decoded command that starts at stream offset `offset`.
    #[inline]
    fn of(d: Decoded<'b>, offset: u64) -> Self {
        Frame {
            command: d.command,
            warnings: d.warnings,
            offset,
            len: d.len,
        }
    }
}

/// A framing error: the decode error and the stream offset of the line it concerns.
///
/// Never [`DecodeError::Incomplete`] (the framer waits for more bytes instead), so the error
/// always has an [`offset`](DecodeError::offset), and [`FrameError::offset`] is where in the
/// stream it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at stream offset {line_offset}: {error}")]
pub struct FrameError {
    /// Stream offset of the first byte of the offending line.
    pub line_offset: u64,
    /// What went wrong; offsets inside it are relative to the line.
    pub error: DecodeError,
}

impl FrameError {
    /// The stream offset where the error was found: `line_offset` plus the error's offset in
    /// its line (see [`DecodeError`] for each variant's).
    ///
    /// ```
    /// use msnp6::{Decoder, Direction, Framer, ServerKind};
    /// let mut f = Framer::new(Decoder::new(Direction::ClientToServer, ServerKind::Notification));
    /// f.push(b"PNG\r\nCHG x NLN\r\n");
    /// assert!(f.next_frame().unwrap().is_some());
    /// let e = f.next_frame().unwrap_err();
    /// // The line starts at byte 5; its TrID `x` is byte 4 of the line.
    /// assert_eq!((e.line_offset, e.offset()), (5, 9));
    /// ```
    pub fn offset(&self) -> u64 {
        self.line_offset + self.error.offset().unwrap_or(0) as u64
    }

    /// Whether the framer is closed after this error (framing lost).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.error,
            DecodeError::LineTooLong { .. } | DecodeError::PayloadTooLong { .. }
        )
    }
}

/// The streaming, sans-IO framer: bytes in with [`Framer::push`], frames out with
/// [`Framer::next_frame`] (which also says what happens after an error).
///
/// Chunks may cut a frame anywhere, in its line or in its payload (reference §1.4); a frame comes
/// out once all of it has arrived:
///
/// ```
/// use msnp6::{Direction, Framer, ServerKind, Decoder};
/// let mut f = Framer::new(Decoder::new(Direction::ClientToServer, ServerKind::Notification));
/// f.push(b"QRY 10 msmsgs@msnmsgr.com 32\r\n3b6666b6015732");
/// assert!(f.next_frame().unwrap().is_none());
/// f.push(b"2b6fc6e41a115968f5PNG\r\n");
/// let frame = f.next_frame().unwrap().unwrap();
/// assert_eq!(frame.command.verb(), "QRY");
/// assert_eq!(f.next_frame().unwrap().unwrap().command.verb(), "PNG");
/// ```
#[derive(Debug, Clone)]
pub struct Framer {
    buf: Vec<u8>,
    /// Everything but the bytes, apart from them so that a frame may borrow `buf` while the
    /// positions change.
    state: State,
}

/// A framer's decoder and its positions in the buffer and in the stream.
#[derive(Debug, Clone)]
struct State {
    decoder: Decoder,
    /// Start of the unconsumed bytes in `buf`.
    start: usize,
    /// Bytes of the last returned frame, released at the next call.
    release: usize,
    /// How far past `start` no LF has been found.
    scanned: usize,
    /// Total length (line + payload) of the frame at `start`, once its line is known.
    frame_len: Option<usize>,
    /// Stream offset of `buf[start]`.
    stream_offset: u64,
    closed: Option<FrameError>,
}

impl Framer {
    /// A framer over `decoder` (its context, mode and limits).
    pub fn new(decoder: Decoder) -> Self {
        Framer {
            buf: Vec::new(),
            state: State {
                decoder,
                start: 0,
                release: 0,
                scanned: 0,
                frame_len: None,
                stream_offset: 0,
                closed: None,
            },
        }
    }

    /// The decoder in use.
    pub fn decoder(&self) -> &Decoder {
        &self.state.decoder
    }

    /// Changes the decoder (e.g. the dialect after `VER`); takes effect for the next line.
    pub fn set_decoder(&mut self, decoder: Decoder) {
        self.state.decoder = decoder;
        self.state.frame_len = None;
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        let s = &mut self.state;
        s.consume_released();
        if s.closed.is_some() {
            // Closed: what arrives is dropped, and so is what was left.
            self.buf = Vec::new();
            s.start = 0;
            return;
        }
        if s.start > 0 && s.start >= self.buf.len() / 2 {
            self.buf.drain(..s.start);
            s.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.state.start - self.state.release
    }

    /// Whether the framer stopped after an error that lost the framing.
    pub fn is_closed(&self) -> bool {
        self.state.closed.is_some()
    }

    /// The next complete frame, `Ok(None)` if more bytes are needed, or the error of the next
    /// line.
    ///
    /// After an error: an invalid line (grammar error, misplaced verb) is reported once and
    /// skipped, and decoding goes on after its line end (a payload it may have announced is not
    /// trusted, so not skipped). A line longer than the limit, or a payload length over the limit,
    /// loses the framing: the framer is closed, returns that error on every later call, and drops
    /// pushed bytes. A server answers both by closing the connection.
    #[inline(always)]
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_>>, FrameError> {
        // Inlined into the caller, with the parts that build no frame out of line (`State`):
        // the frame is then built where the caller keeps it, instead of being copied there on
        // the way out (issue 5: a copy of a 200-byte frame just written costs about as much as
        // decoding a short line; docs/codec.md, "The framer's frames are not copied").
        let Framer { buf, state: s } = self;
        let buf: &[u8] = buf;
        s.consume_released();
        let line_offset = s.stream_offset;
        if s.closed.is_none() && s.frame_len.is_none() && (s.scanned == 0 || s.line_arrived(buf)) {
            // Before any scan of this frame, or once the line end it waited for has arrived:
            // most frames are whole by now, and decoding finds the line end itself, in the same
            // pass. Anything else — an error, a frame not all here — takes the way below, which
            // scans for the line end as bytes arrive, so that feeding one byte at a time stays
            // linear (this way is tried once before the scan and once when it finds the line
            // end), and then decodes finding the line end first (what `Decoder::decode` falls
            // back to).
            let frame_len = Cell::new(None);
            match s.decoder.decode_one_pass(&buf[s.start..], Some(&frame_len)) {
                Ok(d) => {
                    s.scanned = 0;
                    s.release = d.len;
                    return Ok(Some(Frame::of(d, line_offset)));
                }
                // The line is whole and valid, its payload not all here: wait for the frame's
                // length, then decode it once (not the line again now and at every push).
                Err(_) if frame_len.get().is_some() => {
                    s.frame_len = frame_len.get();
                    return Ok(None);
                }
                Err(_) => {}
            }
        }
        let d = match s.locate(buf)? {
            Located::NotYet => return Ok(None),
            // The line is complete: decode the frame where it lies. Most frames are whole by
            // now, so each line is parsed once; only when the payload has not all arrived is the
            // frame's length learned (once) and the frame decoded again when it is complete.
            Located::Line { lf } => match s.decoder.decode_bounded(&buf[s.start..]) {
                Ok(d) => {
                    s.scanned = 0;
                    d
                }
                Err(error) => {
                    return match s.line_failed(buf, lf, error) {
                        None => Ok(None),
                        Some(e) => Err(e),
                    };
                }
            },
            Located::Frame { total } => match s.decoder.decode(&buf[s.start..s.start + total]) {
                // `total` bytes were decoded, and the frame is all of them.
                Ok(d) => d,
                Err(error) => return Err(FrameError { line_offset, error }),
            },
        };
        s.release = d.len;
        Ok(Some(Frame::of(d, line_offset)))
    }
}

/// How much of the frame at `start` has arrived, as far as the framer knows without decoding it.
enum Located {
    /// Its line has not ended yet, or its payload has not all arrived.
    NotYet,
    /// Its line ends with the LF at `start + lf`; whether a payload follows is not known yet.
    Line { lf: usize },
    /// All of it: `total` bytes, line and payload.
    Frame { total: usize },
}

impl State {
    fn consume_released(&mut self) {
        self.start += self.release;
        self.stream_offset += self.release as u64;
        self.release = 0;
    }

    /// Whether the line end of the frame at `start` has arrived since the last scan (which
    /// found none): the new bytes are scanned, within the line limit. Run only after a scan,
    /// whose position it leaves alone: `locate` scans again only if the frame fails to decode.
    #[inline]
    fn line_arrived(&self, buf: &[u8]) -> bool {
        let pending = &buf[self.start..];
        let window_end = pending
            .len()
            .min(self.decoder.limits.max_line.saturating_add(2));
        self.scanned < window_end
            && memchr::memchr(b'\n', &pending[self.scanned..window_end]).is_some()
    }

    /// Where the frame at `start` stands in `buf`, the buffered bytes: the line end is scanned
    /// for (from where the last scan stopped), or the payload counted in. A line longer than
    /// the limit closes the framer.
    #[inline(never)]
    fn locate(&mut self, buf: &[u8]) -> Result<Located, FrameError> {
        if let Some(e) = &self.closed {
            return Err(e.clone());
        }
        if let Some(total) = self.frame_len {
            if buf.len() - self.start < total {
                return Ok(Located::NotYet);
            }
            self.frame_len = None;
            self.scanned = 0;
            self.release = total;
            return Ok(Located::Frame { total });
        }
        let pending = &buf[self.start..];
        let limit = self.decoder.limits.max_line.saturating_add(2);
        let from = self.scanned.min(pending.len());
        let window_end = pending.len().min(limit);
        let lf = if from < window_end {
            memchr::memchr(b'\n', &pending[from..window_end]).map(|i| i + from)
        } else {
            None
        };
        if let Some(lf) = lf {
            return Ok(Located::Line { lf });
        }
        self.scanned = window_end;
        if pending.len() > self.decoder.limits.max_line.saturating_add(1) {
            let e = FrameError {
                line_offset: self.stream_offset,
                error: DecodeError::LineTooLong {
                    limit: self.decoder.limits.max_line,
                },
            };
            self.closed = Some(e.clone());
            self.start = buf.len();
            return Err(e);
        }
        Ok(Located::NotYet)
    }

    /// After the complete line ending at `start + lf` did not decode with `error`: `None` when
    /// its payload has not all arrived (the frame's length is known from now on); otherwise the
    /// error to report, after which the line is skipped or, when the framing is lost, the
    /// framer closed.
    #[inline(never)]
    fn line_failed(&mut self, buf: &[u8], lf: usize, error: DecodeError) -> Option<FrameError> {
        let line_offset = self.stream_offset;
        if error == DecodeError::Incomplete {
            let pending = &buf[self.start..];
            let mut w = Warnings::NONE;
            let total = self
                .decoder
                .line_end(pending, &mut w)
                .and_then(|(len, term)| {
                    self.decoder
                        .payload_length(&pending[..len])
                        .map(|p| len + term + p.unwrap_or(0))
                });
            return match total {
                Ok(total) => {
                    self.frame_len = Some(total);
                    None
                }
                // Not reached: the line decoded up to its payload just before.
                Err(error) => Some(FrameError { line_offset, error }),
            };
        }
        let e = FrameError { line_offset, error };
        if e.is_fatal() {
            self.closed = Some(e.clone());
            self.start = buf.len();
        } else {
            self.start += lf + 1;
            self.stream_offset += (lf + 1) as u64;
            self.scanned = 0;
            self.frame_len = None;
        }
        Some(e)
    }
}
