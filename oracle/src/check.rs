//! Checking a transcript line by line: decode each protocol line in its direction and on its
//! connection, re-encode it, and compare the bytes (the logic of `msnp6 transcript check`).
//!
//! ```
//! use msnp6_oracle::check::{check, CheckOptions, Outcome};
//! let t = msnp6_oracle::transcript::parse(b"# server: NS\nC: CHG 9 NLN\nS: CHG 9 NLN\nS: CHG  0 FLN\n");
//! let report = check(&t, &CheckOptions::default());
//! assert_eq!(report[0].outcome, Outcome::Ok);
//! assert!(matches!(report[2].outcome, Outcome::Error(_)));
//! let lenient = check(&t, &CheckOptions { lenient: true, ..CheckOptions::default() });
//! assert_eq!(lenient[2].outcome, Outcome::Lenient);
//! ```

use crate::transcript::{PayloadJoin, ProtocolLine, Transcript};
use msnp6::commands::Command;
use msnp6::error::{DecodeError, Warning};
use msnp6::types::{Dialect, Direction, ServerKind};
use msnp6::{Decoder, Mode};

/// What to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckOptions {
    /// Also try lenient decoding when strict decoding fails.
    pub lenient: bool,
    /// The dialect for every line (the `# versions:` header never changes decoding).
    pub dialect: Dialect,
}

/// The verdict on one protocol line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Decoded strictly and re-encoded to the same bytes.
    Ok,
    /// Decoded only in lenient mode (see the warnings).
    Lenient,
    /// Not decoded, re-encoded differently, or its payload could not be rebuilt; the message says
    /// why (with the byte offset for decode errors).
    Error(String),
}

impl Outcome {
    /// `ok`, `lenient` or `error`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Lenient => "lenient",
            Outcome::Error(_) => "error",
        }
    }
}

/// The report on one protocol line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineReport {
    /// 1-based file line.
    pub line: usize,
    /// Who sent it.
    pub direction: Direction,
    /// The server kind that decoded it, or (on error) the first kind tried; `None` when the file
    /// gives no kind for the line.
    pub server: Option<ServerKind>,
    /// The verb, or the error code such as `201`, when decoded.
    pub command: Option<String>,
    /// The verdict.
    pub outcome: Outcome,
    /// Lenient-mode warnings.
    pub warnings: Vec<Warning>,
    /// For a payload command: the declared length.
    pub payload_len: Option<usize>,
    /// For a payload command: which rule of the transcript format rebuilt the payload.
    pub payload_join: Option<PayloadJoin>,
}

/// Checks every protocol line of `t`, in file order. Never panics.
pub fn check(t: &Transcript, options: &CheckOptions) -> Vec<LineReport> {
    t.lines
        .iter()
        .map(|line| check_line(t, line, options))
        .collect()
}

/// One line (or frame) decoded by one decoder: what [`decode_line`] and [`decode_frame`] give.
/// `transcript check` reports it; the monitor's transcript front end judges `command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDecoded {
    /// The command, owned.
    pub command: Command<'static>,
    /// Lenient-mode warnings.
    pub warnings: Vec<Warning>,
    /// For a payload command: the declared length.
    pub payload_len: Option<usize>,
    /// For a payload command read from a transcript: which join rule rebuilt the payload.
    pub payload_join: Option<PayloadJoin>,
    /// `Err` (with the byte offset) when the frame re-encodes to other bytes or decoding used
    /// only part of it.
    pub reencoded: Result<(), String>,
}

impl LineDecoded {
    /// Decoded strictly, with no warning, and re-encoded to the same bytes.
    pub fn exact(&self) -> bool {
        self.reencoded.is_ok() && self.warnings.is_empty()
    }
}

/// Why a line or frame did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// What went wrong, with the byte offset for decode errors.
    pub message: String,
    /// The verb is known but may not be sent in this direction or on this server (§3.6).
    pub misplaced: bool,
}

impl LineError {
    fn decode(e: &DecodeError) -> Self {
        LineError {
            message: e.to_string(),
            misplaced: matches!(e, DecodeError::Misplaced { .. }),
        }
    }

    fn other(message: String) -> Self {
        LineError {
            message,
            misplaced: false,
        }
    }
}

/// Decodes one transcript line with `decoder`: the payload is rebuilt from the payload lines by
/// the join rules of `transcript-format.md`, then the frame goes through [`decode_frame`]. The one
/// line decoder of `transcript check` and `transcript verify`.
pub fn decode_line(line: &ProtocolLine, decoder: &Decoder) -> Result<LineDecoded, LineError> {
    let declared = decoder
        .payload_length(&line.text)
        .map_err(|e| LineError::decode(&e))?;
    let mut frame = line.text.clone();
    frame.extend_from_slice(b"\r\n");
    let mut join = None;
    match declared {
        Some(n) => {
            let (payload, j) = line
                .rebuild_payload(n)
                .map_err(|m| LineError::other(format!("payload: {m}")))?;
            frame.extend_from_slice(&payload);
            join = Some(j);
        }
        None if !line.payload_lines.is_empty() => {
            let first = line.payload_lines.first().map_or(0, |p| p.line);
            return Err(LineError::other(format!(
                "line {first} follows a command that has no payload"
            )));
        }
        None => {}
    }
    let mut decoded = decode_frame(&frame, decoder)?;
    decoded.payload_join = join;
    decoded.payload_len = declared;
    Ok(decoded)
}

/// Decodes one whole frame (command line, CR LF, payload) with `decoder` and re-encodes it.
pub fn decode_frame(frame: &[u8], decoder: &Decoder) -> Result<LineDecoded, LineError> {
    let decoded = decoder.decode(frame).map_err(|e| LineError::decode(&e))?;
    let reencoded = if decoded.len != frame.len() {
        Err(format!(
            "decoding used {} of {} bytes",
            decoded.len,
            frame.len()
        ))
    } else {
        let again = decoded.command.to_bytes();
        if again == frame {
            Ok(())
        } else {
            let at = again
                .iter()
                .zip(frame)
                .position(|(a, b)| a != b)
                .unwrap_or(again.len().min(frame.len()));
            Err(format!("re-encoding differs from the input at byte {at}"))
        }
    };
    Ok(LineDecoded {
        payload_len: decoded.command.payload().map(|p| p.as_bytes().len()),
        warnings: decoded.warnings.iter().collect(),
        command: decoded.command.into_owned(),
        payload_join: None,
        reencoded,
    })
}

/// Checks one protocol line of `t` (only `t`'s header and connections are read, so a streaming
/// reader's [`crate::transcript::Stream::transcript`] will do). Never panics.
pub fn check_line(t: &Transcript, line: &ProtocolLine, options: &CheckOptions) -> LineReport {
    let kinds = t.server_kinds(line);
    let mut report = LineReport {
        line: line.line,
        direction: line.direction,
        server: kinds.first().copied(),
        command: None,
        outcome: Outcome::Error("the file names no server kind for this line".to_owned()),
        warnings: Vec::new(),
        payload_len: None,
        payload_join: None,
    };
    let modes: &[Mode] = if options.lenient {
        &[Mode::Strict, Mode::Lenient]
    } else {
        &[Mode::Strict]
    };
    // The error to report: the first one that is not "verb misplaced on this server", if any.
    let mut first_error: Option<(ServerKind, String, bool)> = None;
    for &mode in modes {
        for &kind in kinds {
            let decoder = Decoder::new(line.direction, kind)
                .with_dialect(options.dialect)
                .with_mode(mode);
            match decode_line(line, &decoder) {
                Ok(a) => {
                    report.server = Some(kind);
                    report.command = Some(match &a.command {
                        Command::Error(e) => e.code.to_string(),
                        c => c.verb().to_owned(),
                    });
                    report.payload_len = a.payload_len;
                    report.payload_join = a.payload_join;
                    report.outcome = match (a.reencoded, mode, a.warnings.is_empty()) {
                        (Err(e), Mode::Strict, _) => Outcome::Error(e),
                        (Ok(()), Mode::Strict, true) => Outcome::Ok,
                        (_, _, _) => Outcome::Lenient,
                    };
                    report.warnings = a.warnings;
                    return report;
                }
                Err(LineError { message, misplaced }) => {
                    let better = match &first_error {
                        None => true,
                        Some((_, _, was_misplaced)) => {
                            *was_misplaced && !misplaced && mode == Mode::Strict
                        }
                    };
                    if better {
                        first_error = Some((kind, message, misplaced));
                    }
                }
            }
        }
    }
    if let Some((kind, message, _)) = first_error {
        report.server = Some(kind);
        report.outcome = Outcome::Error(message);
    }
    report
}
