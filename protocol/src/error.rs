//! Decoding errors and lenient-mode warnings.

use core::fmt;

use crate::types::{Direction, ServerKind};

/// What the grammar expected where decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// A three-letter command code or a three-digit error code.
    Verb,
    /// One space between parameters.
    Space,
    /// A transaction ID: a canonical decimal number `0 … 4294967295`.
    TrId,
    /// A canonical decimal number `0 … 4294967295`.
    Number,
    /// A parameter: bytes other than SP, TAB, CR, LF, NUL.
    Token,
    /// A user handle of at most 129 bytes.
    Handle,
    /// A URL-encoded friendly name of at most 387 bytes.
    FriendlyName,
    /// This exact word.
    Literal(&'static str),
    /// The end of the command line (no further parameters).
    EndOfLine,
    /// A further parameter.
    Parameter,
    /// CR LF ending the line.
    CrLf,
    /// At most this many dialects / packages.
    FewerItems(usize),
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Verb => f.write_str("a command code (three upper-case letters or digits)"),
            Expected::Space => f.write_str("one space"),
            Expected::TrId => {
                f.write_str("a transaction ID (decimal 0-4294967295, no leading zeros)")
            }
            Expected::Number => f.write_str("a decimal number 0-4294967295 without leading zeros"),
            Expected::Token => f.write_str("a parameter"),
            Expected::Handle => f.write_str("a user handle of at most 129 bytes"),
            Expected::FriendlyName => f.write_str("a friendly name of at most 387 bytes"),
            Expected::Literal(s) => write!(f, "{s:?}"),
            Expected::EndOfLine => f.write_str("the end of the line"),
            Expected::Parameter => f.write_str("another parameter"),
            Expected::CrLf => f.write_str("CR LF"),
            Expected::FewerItems(n) => write!(f, "at most {n} items"),
        }
    }
}

/// Why a known command cannot appear where it was decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Misplacement {
    /// Only the other side sends this verb (e.g. a client `IPG` or `ACK`).
    WrongDirection,
    /// This verb is not used on this kind of server (e.g. `CAL` on the NS, a client `MSG` to the NS).
    WrongServer,
}

/// Why decoding failed.
///
/// Every error but [`Incomplete`](DecodeError::Incomplete) says where, as a 0-based byte offset
/// from the first byte of the command line ([`DecodeError::offset`]); in the input of a lenient
/// decoder, leading whitespace included. [`FrameError::offset`](crate::FrameError::offset) turns
/// it into a stream offset.
///
/// | variant | offset |
/// | --- | --- |
/// | `Incomplete` | none: nothing is wrong yet, more input is needed |
/// | `Invalid` | the first byte the grammar could not take (the line's length when a parameter is missing) |
/// | `Misplaced` | 0: the line as a whole cannot appear here, from its first byte |
/// | `LineTooLong` | the limit: the first byte past it, which is not the line end |
/// | `PayloadTooLong` | the first byte of the declared length |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// More bytes are needed: the line end or the payload has not arrived yet. A line is judged
    /// only once its end has arrived, so this is returned for any input without a line end
    /// (within the line limit), even one that can no longer become valid.
    #[error("incomplete: more input is needed")]
    Incomplete,
    /// The bytes break the grammar at `offset`.
    #[error("invalid at byte {offset}: expected {expected}")]
    Invalid {
        /// Where the grammar stopped.
        offset: usize,
        /// What it expected there.
        expected: Expected,
    },
    /// A known verb where it cannot appear; the server answers it by disconnecting.
    #[error("{verb} is not sent {direction} on the {server}: {why}", why = match reason {
        Misplacement::WrongDirection => "only the other side sends it",
        Misplacement::WrongServer => "not used on this server",
    })]
    Misplaced {
        /// The verb.
        verb: &'static str,
        /// The direction it was decoded in.
        direction: Direction,
        /// The server it was decoded on.
        server: ServerKind,
        /// Which rule it breaks.
        reason: Misplacement,
    },
    /// The line is longer than the configured limit (counted without CR LF).
    #[error("command line longer than the limit of {limit} bytes")]
    LineTooLong {
        /// The limit.
        limit: usize,
    },
    /// A payload length over the configured limit for its command.
    #[error(
        "payload length {declared} at byte {offset} exceeds the limit of {limit} bytes for {verb}"
    )]
    PayloadTooLong {
        /// The verb.
        verb: &'static str,
        /// Offset of the length parameter.
        offset: usize,
        /// The declared length.
        declared: u64,
        /// The limit.
        limit: usize,
    },
}

impl DecodeError {
    /// Where the error was found: a byte offset from the first byte of the command line (see the
    /// table on [`DecodeError`]); `None` only for `Incomplete`.
    ///
    /// ```
    /// use msnp6::{DecodeError, Decoder, Direction, Limits, ServerKind};
    /// let d = Decoder::new(Direction::ClientToServer, ServerKind::Notification);
    /// // The TrID `x` is at byte 4.
    /// assert_eq!(d.decode(b"CHG x NLN\r\n").unwrap_err().offset(), Some(4));
    /// // A line over a 9-byte limit: byte 9 is the first past it.
    /// let short = d.with_limits(Limits { max_line: 9, ..Limits::default() });
    /// assert_eq!(short.decode(b"CHG 1 NLN 0\r\n").unwrap_err().offset(), Some(9));
    /// assert_eq!(d.decode(b"CHG 1").unwrap_err(), DecodeError::Incomplete);
    /// assert_eq!(DecodeError::Incomplete.offset(), None);
    /// ```
    pub fn offset(&self) -> Option<usize> {
        match self {
            DecodeError::Invalid { offset, .. } | DecodeError::PayloadTooLong { offset, .. } => {
                Some(*offset)
            }
            DecodeError::Misplaced { .. } => Some(0),
            DecodeError::LineTooLong { limit } => Some(*limit),
            DecodeError::Incomplete => None,
        }
    }

    /// Whether more input could still make the bytes decode.
    pub fn is_incomplete(&self) -> bool {
        matches!(self, DecodeError::Incomplete)
    }
}

/// A deviation from the canonical wire form that lenient mode accepted (reference §1.1, §13.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Warning {
    /// The line ended with a bare LF instead of CR LF.
    BareLf,
    /// Two or more spaces between parameters.
    RepeatedSpace,
    /// A TAB used as (part of) a separator.
    Tab,
    /// Whitespace after the last parameter.
    TrailingSpace,
    /// Whitespace before the command code.
    LeadingSpace,
    /// The documented typo `MDS` for `MD5` in `USR` (reference §8, §13.12).
    Md5Typo,
}

impl Warning {
    const ALL: [Warning; 6] = [
        Warning::BareLf,
        Warning::RepeatedSpace,
        Warning::Tab,
        Warning::TrailingSpace,
        Warning::LeadingSpace,
        Warning::Md5Typo,
    ];
    const fn bit(self) -> u8 {
        match self {
            Warning::BareLf => 1,
            Warning::RepeatedSpace => 2,
            Warning::Tab => 4,
            Warning::TrailingSpace => 8,
            Warning::LeadingSpace => 16,
            Warning::Md5Typo => 32,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Warning::BareLf => "line ends with a bare LF instead of CR LF",
            Warning::RepeatedSpace => "several spaces between parameters",
            Warning::Tab => "TAB used as a separator",
            Warning::TrailingSpace => "whitespace after the last parameter",
            Warning::LeadingSpace => "whitespace before the command code",
            Warning::Md5Typo => "documented typo MDS accepted as MD5",
        })
    }
}

/// The set of warnings of one decoded command (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Warnings(u8);

impl Warnings {
    /// No warnings.
    pub const NONE: Warnings = Warnings(0);
    /// Adds a warning.
    pub fn insert(&mut self, w: Warning) {
        self.0 |= w.bit();
    }
    /// Adds every warning of `other`.
    pub fn merge(&mut self, other: Warnings) {
        self.0 |= other.0;
    }
    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Whether `w` is in the set.
    pub fn contains(self, w: Warning) -> bool {
        self.0 & w.bit() != 0
    }
    /// The warnings, in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = Warning> {
        Warning::ALL.into_iter().filter(move |w| self.contains(*w))
    }
}
