//! Decoding whole frames from a buffer: strict and lenient modes, limits.

use std::cell::Cell;

use crate::commands::{Command, Context, LineParse, LineSink};
use crate::error::{DecodeError, Warning, Warnings};
use crate::grammar::Payload;
use crate::types::{Dialect, Direction, ServerKind};

/// How strictly the wire form is checked (reference §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Mode {
    /// CR LF, exactly one space between parameters, canonical numbers. The default.
    #[default]
    Strict,
    /// Also accepts what real peers send — a bare LF, repeated spaces or TABs between parameters,
    /// whitespace before the verb or after the last parameter, and the documented typo `MDS` for
    /// `MD5` in `USR` — and reports each deviation as a [`Warning`]. Numbers must still be
    /// canonical; no other typo is tolerated.
    Lenient,
}

/// Hard limits on what the decoder accepts. The defaults are justified in the field docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Longest command line, without CR LF. Default 2048: no source gives a limit (reference §12);
    /// the longest valid MSNP6 line is an `RNG` or `LST` with a 129-byte handle and a 387-byte
    /// name, about 600 bytes, so 2048 leaves room for long URLs and cookies.
    pub max_line: usize,
    /// Largest payload of a switchboard `MSG` (either direction). Default 1664, the documented
    /// switchboard limit (reference §3.5, §12).
    pub max_sb_msg: usize,
    /// Largest payload of an NS `MSG` (profile, e-mail notifications). Default 8192: no limit is
    /// documented; the largest documented payload is the 367-byte profile.
    pub max_ns_msg: usize,
    /// Largest `QRY` payload. Default 32: the response is always 32 bytes (reference §3.4, §12).
    pub max_qry: usize,
    /// Largest `SDC` or `PAG` payload. Default 1664 (no limit documented; the switchboard's).
    pub max_sdc_pag: usize,
    /// Largest `NOT` or `IPG` payload. Default 8192: `<BODY>` alone may take 1024 bytes
    /// (reference §11) and the envelope carries URLs.
    pub max_notification: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 2048,
            max_sb_msg: 1664,
            max_ns_msg: 8192,
            max_qry: 32,
            max_sdc_pag: 1664,
            max_notification: 8192,
        }
    }
}

impl Limits {
    /// The payload limit for a payload command.
    pub fn payload_limit(&self, command: &Command<'_>, server: ServerKind) -> usize {
        match command {
            Command::Qry(_) => self.max_qry,
            Command::Sdc(_) | Command::Pag(_) => self.max_sdc_pag,
            Command::Not(_) | Command::Ipg(_) => self.max_notification,
            Command::Msg(_) | Command::MsgSend(_) if server == ServerKind::Switchboard => {
                self.max_sb_msg
            }
            _ => self.max_ns_msg,
        }
    }
}

/// A frame decoded from the start of a buffer ([`Decoder::decode`]).
///
/// A [`Frame`](crate::Frame) of the [`Framer`](crate::Framer) is the same with one field more:
/// where the frame was in the stream, which only a reader of the stream knows. Both count the
/// frame's bytes in `len` (line, line end and payload: how far to advance in the input).
///
/// It is about 140 bytes (the widest unboxed command form decides; the rare wide ones are
/// boxed). Where frames are decoded at line rate, borrow the result where [`Decoder::decode`]
/// returned it (`match &result`) rather than moving the frame out of the `Result` (`?`,
/// `expect`): that copy still costs a noticeable part of the decoding (`docs/codec.md`, "What
/// moving a frame costs", "What nom costs, measured").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The command, with its payload attached.
    pub command: Command<'a>,
    /// How many input bytes it took: line, line end and payload.
    pub len: usize,
    /// What lenient mode had to accept (always empty in strict mode).
    pub warnings: Warnings,
}

/// Decodes frames (command line + payload) for one connection context.
///
/// ```
/// use msnp6::{Decoder, Direction, ServerKind};
/// use msnp6::commands::Command;
/// let d = Decoder::new(Direction::ServerToClient, ServerKind::Notification);
/// let frame = d.decode(b"CHL 0 11111111111111111111\r\n").unwrap();
/// assert!(matches!(frame.command, Command::Chl(_)));
/// assert_eq!(frame.len, 28);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decoder {
    /// Direction, server kind and dialect.
    pub context: Context,
    /// Strict or lenient.
    pub mode: Mode,
    /// Hard limits.
    pub limits: Limits,
}

impl Decoder {
    /// A strict MSNP6 decoder with default limits.
    pub fn new(direction: Direction, server: ServerKind) -> Self {
        Decoder {
            context: Context::new(direction, server),
            mode: Mode::Strict,
            limits: Limits::default(),
        }
    }
    /// With another dialect.
    pub fn with_dialect(mut self, dialect: Dialect) -> Self {
        self.context.dialect = dialect;
        self
    }
    /// With another mode.
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
    /// With other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Finds the end of the first line: `(line length, terminator length)`, or `Incomplete`,
    /// or `LineTooLong`.
    pub(crate) fn line_end(
        &self,
        buf: &[u8],
        warnings: &mut Warnings,
    ) -> Result<(usize, usize), DecodeError> {
        let window = &buf[..buf.len().min(self.limits.max_line.saturating_add(2))];
        let Some(lf) = memchr::memchr(b'\n', window) else {
            return Err(if buf.len() > self.limits.max_line.saturating_add(1) {
                DecodeError::LineTooLong {
                    limit: self.limits.max_line,
                }
            } else {
                DecodeError::Incomplete
            });
        };
        let (len, term) = if lf > 0 && buf[lf - 1] == b'\r' {
            (lf - 1, 2)
        } else if self.mode == Mode::Lenient {
            warnings.insert(Warning::BareLf);
            (lf, 1)
        } else if lf > self.limits.max_line {
            // A bare LF ending a line over the limit: the limit goes first, as in lenient mode
            // (fuzz/regressions/decode_line/bare-lf-after-long-line).
            return Err(DecodeError::LineTooLong {
                limit: self.limits.max_line,
            });
        } else {
            return Err(DecodeError::Invalid {
                offset: lf,
                expected: crate::error::Expected::CrLf,
            });
        };
        if len > self.limits.max_line {
            return Err(DecodeError::LineTooLong {
                limit: self.limits.max_line,
            });
        }
        Ok((len, term))
    }

    /// Decodes the frame at the start of `buf`: one command line ending in CR LF (or a bare LF in
    /// lenient mode) and, for a payload command, its payload. `Incomplete` when the line end or
    /// the payload has not arrived yet.
    pub fn decode<'a>(&self, buf: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        // First in one pass: the line is read up to the first CR, and the sink checks that CR LF
        // ends it within the limit. A frame that decodes this way decodes the same way below
        // (`Shape::unbounded`), and it has no deviation lenient mode would repair. Anything else —
        // an error, an incomplete frame, a line lenient mode repairs — is decoded again below,
        // where the line end is found first, so that what is reported is exact.
        if let Ok(frame) = self.decode_one_pass(buf, None) {
            return Ok(frame);
        }
        self.decode_bounded(buf)
    }

    /// The first way of [`Decoder::decode`] alone: the frame, when the line reads in one pass
    /// and CR LF ends it; an error for anything else, which only `decode_bounded` states
    /// exactly.
    ///
    /// When the line reads in one pass and ends in CR LF but its payload has not all arrived,
    /// the error is `Incomplete` and `frame_len`, if given, is set to the length of the whole
    /// frame (line, line end and payload): what the framer waits for before decoding again.
    #[inline(always)]
    pub(crate) fn decode_one_pass<'a>(
        &self,
        buf: &'a [u8],
        frame_len: Option<&Cell<Option<usize>>>,
    ) -> Result<Decoded<'a>, DecodeError> {
        let window = &buf[..buf.len().min(self.limits.max_line.saturating_add(2))];
        let first = FrameSink {
            decoder: self,
            buf,
            line_end: LineEnd::Unchecked,
            warnings: Warnings::NONE,
            frame_len,
        };
        Command::parse_line_into(window, true, self.context, first)
    }

    /// [`Decoder::decode`] with the line end found first.
    #[inline(never)]
    pub(crate) fn decode_bounded<'a>(&self, buf: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        let mut warnings = Warnings::NONE;
        let (len, term) = self.line_end(buf, &mut warnings)?;
        let frame = FrameSink {
            decoder: self,
            buf,
            line_end: LineEnd::Known(len + term),
            warnings,
            frame_len: None,
        };
        if self.mode == Mode::Strict || !Normalized::deviates(&buf[..len], self.md5_typo()) {
            // The frame is completed where the command is built (see `LineSink`). A lenient
            // line without deviations takes the same path: it decodes exactly as in strict mode.
            Command::parse_line_into(&buf[..len], false, self.context, frame)
        } else {
            self.decode_normalized(&buf[..len], frame)
        }
    }

    /// The lenient way for a line with deviations: decoded in its canonical form.
    #[inline(never)]
    fn decode_normalized<'a>(
        &self,
        line: &'a [u8],
        mut frame: FrameSink<'a, '_>,
    ) -> Result<Decoded<'a>, DecodeError> {
        let line = self.parse_line(line, &mut frame.warnings)?;
        frame.finish(line.command, line.payload, 0)
    }

    /// Decodes one command line given without its line end. A payload command comes back with an
    /// empty payload; [`Decoder::payload_length`] tells its declared length.
    pub fn decode_line<'a>(&self, line: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        let mut warnings = Warnings::NONE;
        if line.len() > self.limits.max_line {
            return Err(DecodeError::LineTooLong {
                limit: self.limits.max_line,
            });
        }
        let LineParse { command, .. } = self.parse_line(line, &mut warnings)?;
        Ok(Decoded {
            command,
            len: line.len(),
            warnings,
        })
    }

    /// The declared payload length of a command line (without line end), if it is a valid
    /// payload command within the limits.
    pub fn payload_length(&self, line: &[u8]) -> Result<Option<usize>, DecodeError> {
        let mut warnings = Warnings::NONE;
        let LineParse { command, payload } = self.parse_line(line, &mut warnings)?;
        match payload {
            None => Ok(None),
            Some((offset, declared)) => {
                let limit = self.limits.payload_limit(&command, self.context.server);
                if declared as usize > limit {
                    Err(DecodeError::PayloadTooLong {
                        verb: verb_name(&command),
                        offset,
                        declared: u64::from(declared),
                        limit,
                    })
                } else {
                    Ok(Some(declared as usize))
                }
            }
        }
    }

    /// Whether lenient mode repairs the documented `MDS` typo (reference §8) here: in a server
    /// `USR` on the DS/NS only, where strict mode rejects it (a client `USR` with package `MDS`
    /// is a valid `UsrOther`, and on the SB the third parameter of `USR` is a cookie).
    fn md5_typo(&self) -> bool {
        self.context.direction == Direction::ServerToClient
            && self.context.server != ServerKind::Switchboard
    }

    /// The command of one line and its payload announcement. Returns the `LineParse` as it is
    /// (no re-packing into a tuple), so the 120-byte `Command` is moved as few times as possible.
    #[inline]
    fn parse_line<'a>(
        &self,
        line: &'a [u8],
        warnings: &mut Warnings,
    ) -> Result<LineParse<'a>, DecodeError> {
        if self.mode == Mode::Lenient {
            if let Some(norm) = Normalized::of(line, self.md5_typo()) {
                warnings.merge(norm.warnings);
                return match Command::parse_line(&norm.line, self.context) {
                    Ok(p) => Ok(LineParse {
                        command: p.command.into_owned(),
                        payload: p.payload.map(|(o, n)| (norm.map(o), n)),
                    }),
                    Err(e) => Err(norm.map_error(e)),
                };
            }
        }
        Command::parse_line(line, self.context)
    }
}

/// Completes a decoded line into a frame: checks the payload length against the limits, attaches
/// the payload.
struct FrameSink<'a, 'd> {
    decoder: &'d Decoder,
    buf: &'a [u8],
    line_end: LineEnd,
    warnings: Warnings,
    /// Where to tell the length of a frame whose payload has not all arrived (the framer's).
    frame_len: Option<&'d Cell<Option<usize>>>,
}

/// Where the line of a frame ends.
#[derive(Clone, Copy)]
enum LineEnd {
    /// Known: the length of the line with its line end.
    Known(usize),
    /// Where the line was read up to; CR LF must follow, within the line limit.
    Unchecked,
}

impl FrameSink<'_, '_> {
    /// The length of the line with its line end; `end` is where the line was read up to. An
    /// unchecked line without CR LF right there is `Incomplete`: decoded again, bounded.
    #[inline(always)]
    fn line_length(&self, end: usize) -> Result<usize, DecodeError> {
        match self.line_end {
            LineEnd::Known(n) => Ok(n),
            LineEnd::Unchecked
                if end <= self.decoder.limits.max_line
                    && self.buf.get(end..end + 2) == Some(b"\r\n") =>
            {
                Ok(end + 2)
            }
            LineEnd::Unchecked => Err(DecodeError::Incomplete),
        }
    }
}

impl<'a> LineSink<'a> for FrameSink<'a, '_> {
    type Out = Decoded<'a>;

    #[inline(always)]
    fn finish_form<F, W: FnOnce(F) -> Command<'a>>(
        self,
        form: F,
        wrap: W,
        payload: Option<(usize, u32)>,
        end: usize,
    ) -> Result<Decoded<'a>, DecodeError> {
        match payload {
            // Built in place: no move of the whole `Command`.
            None => Ok(Decoded {
                len: self.line_length(end)?,
                command: wrap(form),
                warnings: self.warnings,
            }),
            Some(_) => self.finish(wrap(form), payload, end),
        }
    }

    #[inline]
    fn finish(
        self,
        mut command: Command<'a>,
        payload: Option<(usize, u32)>,
        end: usize,
    ) -> Result<Decoded<'a>, DecodeError> {
        let mut len = self.line_length(end)?;
        if let Some((offset, declared)) = payload {
            let d = self.decoder;
            let limit = d.limits.payload_limit(&command, d.context.server);
            let declared = declared as usize;
            if declared > limit {
                return Err(DecodeError::PayloadTooLong {
                    verb: verb_name(&command),
                    offset,
                    declared: declared as u64,
                    limit,
                });
            }
            let Some(body) = self.buf.get(len..len + declared) else {
                if let Some(frame_len) = self.frame_len {
                    frame_len.set(Some(len + declared));
                }
                return Err(DecodeError::Incomplete);
            };
            command.set_payload(Payload::new(body));
            len += declared;
        }
        Ok(Decoded {
            command,
            len,
            warnings: self.warnings,
        })
    }
}

fn verb_name(c: &Command<'_>) -> &'static str {
    match c {
        Command::Qry(_) => "QRY",
        Command::Sdc(_) => "SDC",
        Command::Pag(_) => "PAG",
        Command::Not(_) => "NOT",
        Command::Ipg(_) => "IPG",
        _ => "MSG",
    }
}

/// A lenient line rewritten to the canonical form, with a map back to the original offsets.
struct Normalized {
    line: Vec<u8>,
    /// (offset in `line`, offset in the original) of the start of each parameter.
    starts: Vec<(usize, usize)>,
    warnings: Warnings,
}

impl Normalized {
    /// Whether the line has a deviation lenient mode repairs (vectorised scans only: this runs
    /// for every lenient line).
    fn deviates(line: &[u8], md5_typo: bool) -> bool {
        let is_ws = |b: u8| b == b' ' || b == b'\t';
        line.first().is_some_and(|&b| is_ws(b))
            || line.last().is_some_and(|&b| is_ws(b))
            || memchr::memchr(b'\t', line).is_some()
            || memchr::memmem::find(line, b"  ").is_some()
            || (md5_typo
                && line.starts_with(b"USR ")
                && line.split(|&b| b == b' ').nth(2) == Some(b"MDS"))
    }

    /// The line rewritten; `None` when it has no deviation lenient mode would fix.
    fn of(line: &[u8], md5_typo: bool) -> Option<Normalized> {
        if !Normalized::deviates(line, md5_typo) {
            return None;
        }
        let is_ws = |b: u8| b == b' ' || b == b'\t';
        let mut warnings = Warnings::NONE;
        let mut out = Vec::with_capacity(line.len());
        let mut starts = Vec::new();
        let mut i = 0;
        let mut first = true;
        while i < line.len() {
            let ws_start = i;
            while i < line.len() && is_ws(line[i]) {
                i += 1;
            }
            let ws = &line[ws_start..i];
            if ws.contains(&b'\t') {
                warnings.insert(Warning::Tab);
            }
            if i == line.len() {
                if !ws.is_empty() {
                    warnings.insert(Warning::TrailingSpace);
                }
                break;
            }
            if first && !ws.is_empty() {
                warnings.insert(Warning::LeadingSpace);
            } else if !first && ws.iter().filter(|&&b| b == b' ').count() > 1 {
                warnings.insert(Warning::RepeatedSpace);
            }
            if !first {
                out.push(b' ');
            }
            first = false;
            let tok_start = i;
            while i < line.len() && !is_ws(line[i]) {
                i += 1;
            }
            starts.push((out.len(), tok_start));
            out.extend_from_slice(&line[tok_start..i]);
        }
        if md5_typo && out.starts_with(b"USR ") && out.split(|&b| b == b' ').nth(2) == Some(b"MDS")
        {
            if let Some(&(at, _)) = starts.get(2) {
                out[at + 2] = b'5';
                warnings.insert(Warning::Md5Typo);
            }
        }
        Some(Normalized {
            line: out,
            starts,
            warnings,
        })
    }

    /// Maps an offset in the normalized line back to the original line.
    fn map(&self, offset: usize) -> usize {
        match self.starts.iter().rev().find(|(n, _)| *n <= offset) {
            Some(&(n, o)) => o + (offset - n),
            None => offset,
        }
    }

    fn map_error(&self, e: DecodeError) -> DecodeError {
        match e {
            DecodeError::Invalid { offset, expected } => DecodeError::Invalid {
                offset: self.map(offset),
                expected,
            },
            DecodeError::PayloadTooLong {
                verb,
                offset,
                declared,
                limit,
            } => DecodeError::PayloadTooLong {
                verb,
                offset: self.map(offset),
                declared,
                limit,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found in review: with `max_line: usize::MAX` ("no limit") the line-end search computed
    /// `max_line + 2` unchecked and panicked on overflow (debug) in `decode` and the framer.
    #[test]
    fn the_largest_line_limit_does_not_overflow() {
        let limits = Limits {
            max_line: usize::MAX,
            ..Limits::default()
        };
        let d =
            Decoder::new(Direction::ServerToClient, ServerKind::Notification).with_limits(limits);
        assert_eq!(
            d.decode(b"CHG 1 NLN\r").err(),
            Some(DecodeError::Incomplete)
        );
        assert_eq!(d.decode(b"CHG 1 NLN\r\n").map(|f| f.len), Ok(11));
        let mut framer = crate::Framer::new(d);
        framer.push(b"CHG 1 NLN\r");
        assert!(matches!(framer.next_frame(), Ok(None)));
        framer.push(b"\n");
        assert!(matches!(framer.next_frame(), Ok(Some(_))));
    }

    /// Found while building the one-pass decoding (issue 5): a buffer holding only a verb, with
    /// no line end yet, indexed past its end in the one-pass read (the byte after the verb was
    /// looked at where only a line's own bytes were expected).
    #[test]
    fn a_verb_alone_is_incomplete() {
        for mode in [Mode::Strict, Mode::Lenient] {
            for server in [ServerKind::Notification, ServerKind::Switchboard] {
                for direction in [Direction::ClientToServer, Direction::ServerToClient] {
                    let d = Decoder::new(direction, server).with_mode(mode);
                    for input in [&b"OUT"[..], b"ABC", b"123", b"OUT\r", b"CHG 1 NLN\r"] {
                        assert_eq!(d.decode(input).err(), Some(DecodeError::Incomplete));
                    }
                }
            }
        }
    }

    /// Found by the `decode_line` fuzz target: a 2049-byte line ending in a bare LF was reported
    /// in strict mode as "expected CR LF" at byte 2049 — outside the line limit, and not fatal, so
    /// the framer skipped the line where lenient mode (and a CR LF ending) closed it as too long.
    #[test]
    fn bare_lf_after_a_line_over_the_limit_is_line_too_long() {
        let limits = Limits::default();
        for mode in [Mode::Strict, Mode::Lenient] {
            let d =
                Decoder::new(Direction::ClientToServer, ServerKind::Switchboard).with_mode(mode);
            let mut line = b"MSG ".to_vec();
            line.resize(limits.max_line + 1, b'a');
            line.push(b'\n');
            assert_eq!(
                d.decode(&line).err(),
                Some(DecodeError::LineTooLong {
                    limit: limits.max_line
                }),
                "{mode:?}"
            );
            // At the limit, strict mode still wants CR LF; lenient mode takes the bare LF.
            line.remove(0);
            let at_limit = d.decode(&line).err();
            match mode {
                Mode::Strict => assert_eq!(
                    at_limit,
                    Some(DecodeError::Invalid {
                        offset: limits.max_line,
                        expected: crate::error::Expected::CrLf,
                    })
                ),
                _ => assert!(!matches!(at_limit, Some(DecodeError::LineTooLong { .. }))),
            }
        }
    }
}
