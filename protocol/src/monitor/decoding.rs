//! Decoding one transcript line (command line + rebuilt payload) the way `transcript check` does
//! (see [`crate::check`]), for the monitor.

use crate::commands::Command;
use crate::decode::{Decoder, Mode};
use crate::error::DecodeError;
use crate::transcript::ProtocolLine;
use crate::types::{Dialect, ServerKind};

/// Why a line did not decode: the message and whether the verb was merely misplaced.
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) misplaced: bool,
}

/// Decodes `line` on a `kind` connection in `dialect`: the payload is rebuilt from the payload
/// lines (transcript-format.md) and, in strict mode, the bytes must re-encode identically.
pub(crate) fn decode(
    line: &ProtocolLine,
    kind: ServerKind,
    dialect: Dialect,
    mode: Mode,
) -> Result<Command<'static>, Failure> {
    let decoder = Decoder::new(line.direction, kind)
        .with_dialect(dialect)
        .with_mode(mode);
    let fail = |e: DecodeError| Failure {
        misplaced: matches!(e, DecodeError::Misplaced { .. }),
        message: e.to_string(),
    };
    let declared = decoder.payload_length(&line.text).map_err(fail)?;
    let mut frame = line.text.clone();
    frame.extend_from_slice(b"\r\n");
    match declared {
        Some(n) => {
            let (payload, _) = line.rebuild_payload(n).map_err(|m| Failure {
                message: format!("payload: {m}"),
                misplaced: false,
            })?;
            frame.extend_from_slice(&payload);
        }
        None if !line.payload_lines.is_empty() => {
            let first = line.payload_lines.first().map_or(0, |p| p.line);
            return Err(Failure {
                message: format!("line {first} follows a command that has no payload"),
                misplaced: false,
            });
        }
        None => {}
    }
    let decoded = decoder.decode(&frame).map_err(fail)?;
    if mode == Mode::Strict {
        if decoded.len != frame.len() {
            return Err(Failure {
                message: format!("decoding used {} of {} bytes", decoded.len, frame.len()),
                misplaced: false,
            });
        }
        if decoded.command.to_bytes() != frame {
            return Err(Failure {
                message: "re-encoding differs from the input".to_owned(),
                misplaced: false,
            });
        }
    }
    Ok(decoded.command.into_owned())
}

/// The TrID of a line that did not decode, when its second word is a canonical number.
pub(crate) fn raw_trid(text: &[u8]) -> Option<u32> {
    let word = text.split(|&b| b == b' ').nth(1)?;
    if word.is_empty()
        || word.len() > 10
        || !word.iter().all(u8::is_ascii_digit)
        || (word.len() > 1 && word[0] == b'0')
    {
        return None;
    }
    core::str::from_utf8(word).ok()?.parse().ok()
}

/// The first word of a line, if it looks like a verb (three upper-case letters).
pub(crate) fn raw_verb(text: &[u8]) -> Option<&'static str> {
    let word = text.get(..3)?;
    crate::commands::VERBS
        .iter()
        .copied()
        .find(|v| v.as_bytes() == word)
}
