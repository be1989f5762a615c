//! The live API: a [`Monitor`] observes frames one at a time as they cross connections.
//!
//! Each call says which connection (a name the caller chooses, and its server kind), which
//! direction, the decoded [`Command`] or why the frame did not decode, and the time since the
//! observation began. The call returns the violations it made certain; [`Monitor::finish`]
//! returns the [`Report`] with everything still owed.
//!
//! **Order.** Frames of one connection are observed in the order they crossed it. Across
//! connections only "sent before received" is meaningful (reference §1.2, `transcript-format.md`):
//! a line the server owes on another connection because of a client command (ADD 0 RL, RNG, JOI,
//! presence, BPR pushes) must be observed after that command, and may come before or after the
//! reply on the sender's own connection.
//!
//! **Positions.** Each violation carries the position of the call that found it: by default
//! 1, 2, 3 … counting the calls; [`Monitor::at`] sets it (the transcript front end passes file
//! lines).
//!
//! ```
//! use std::time::Duration;
//! use msnp6_oracle::monitor::{Monitor, Observed, VerifyOptions};
//! use msnp6::{Direction, ServerKind};
//!
//! let mut m = Monitor::new(VerifyOptions::default());
//! m.connect("ns", ServerKind::Notification);
//! let frame = |m: &Monitor, direction, bytes: &[u8]| Observed {
//!     connection: "ns",
//!     kind: ServerKind::Notification,
//!     direction,
//!     frame: m.decode("ns", ServerKind::Notification, direction, bytes),
//!     time: Duration::ZERO,
//! };
//! let ver = frame(&m, Direction::ClientToServer, b"VER 1 MSNP6 CVR0\r\n");
//! assert!(m.observe(ver).is_empty());
//! // A reply with a TrID no command used is certain at once.
//! let wrong = frame(&m, Direction::ServerToClient, b"VER 2 MSNP6\r\n");
//! assert_eq!(m.observe(wrong)[0].rule, "TRID-ECHO");
//! // The VER (call 2) is still owed its reply when the observation ends (call 4).
//! let report = m.finish();
//! assert!(!report.conforms);
//! assert_eq!(report.violations[1].rule, "REPLY-MISSING");
//! assert_eq!(report.violations[1].line, 4);
//! ```

use std::time::Duration;

use super::{Monitor, Report, Side, Violation};
use crate::check::{LineError, decode_frame};
use msnp6::commands::Command;
use msnp6::types::{Dialect, Direction, ServerKind};
use msnp6::{Decoder, Mode};

/// One frame as it crossed a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed<'a> {
    /// The connection's name, chosen by the caller; a name and the kind's family (DS/NS or SB)
    /// identify a connection.
    pub connection: &'a str,
    /// The kind of server at the other end.
    pub kind: ServerKind,
    /// Who sent it.
    pub direction: Direction,
    /// The command, or why the bytes did not decode.
    pub frame: Result<Command<'static>, Undecodable>,
    /// Time since the observation began (switchboard cookies expire, reference §14).
    pub time: Duration,
}

/// A frame that did not decode strictly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    /// Why, with the byte offset.
    pub message: String,
    /// The verb is known but may not be sent in this direction or on this server (§3.6): a
    /// client sending it is owed a disconnect.
    pub misplaced: bool,
    /// The first word, when it is a documented verb.
    pub verb: Option<&'static str>,
    /// The second word, when it is a canonical TrID (the command a reply probably answers).
    pub trid: Option<u32>,
    /// The second word is missing or not a number: a client command with it has no TrID, which
    /// the server disconnects on (reference §1.2, §14).
    pub no_trid: bool,
    /// The frame as read in lenient mode, when it decodes so: it is then judged on that reading
    /// after a `LINE-SYNTAX` (or `CLIENT-SYNTAX`) violation.
    pub lenient: Option<Box<Command<'static>>>,
}

impl Undecodable {
    /// The failure `error` of the frame whose command line is `line` (without CR LF).
    pub fn new(line: &[u8], error: LineError, lenient: Option<Command<'static>>) -> Self {
        let lenient = lenient.map(Box::new);
        Undecodable {
            message: error.message,
            misplaced: error.misplaced,
            verb: raw_verb(line),
            trid: raw_trid(line),
            no_trid: !second_word_is_number(line),
            lenient,
        }
    }
}

impl Monitor {
    /// Sets the position the next call reports its violations at (then 1 more for each call).
    pub fn at(&mut self, position: usize) -> &mut Self {
        self.next_position = Some(position);
        self
    }

    pub(super) fn advance(&mut self) {
        self.position = self
            .next_position
            .take()
            .unwrap_or_else(|| self.position.saturating_add(1));
    }

    /// The violations found since the previous call.
    fn fresh(&mut self) -> &[Violation] {
        let from = self.returned.min(self.violations.len());
        self.returned = self.violations.len();
        self.violations.get(from..).unwrap_or_default()
    }

    /// A client opens `connection` to a server of `kind`: what follows is the connection's start.
    /// A known name is a reconnection.
    pub fn connect(&mut self, connection: &str, kind: ServerKind) -> &[Violation] {
        self.advance();
        self.opened(connection, kind);
        self.fresh()
    }

    /// `connection` closed, by either side (every family of that name).
    pub fn disconnect(&mut self, connection: &str) -> &[Violation] {
        self.advance();
        self.closed(connection);
        self.fresh()
    }

    /// One frame crossed a connection. Returns the violations it made certain.
    pub fn observe(&mut self, frame: Observed<'_>) -> &[Violation] {
        self.advance();
        self.now = self.now.max(frame.time.as_secs());
        self.frame(frame);
        self.fresh()
    }

    /// All violations so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The dialect in force on `connection`: the one its server's VER reply chose, else the
    /// options' dialect.
    pub fn dialect(&self, connection: &str, kind: ServerKind) -> Dialect {
        self.index
            .get(&(connection.to_owned(), super::state::Family::of(kind)))
            .and_then(|&i| self.conns.get(i))
            .map_or_else(|| self.initial_dialect(), |c| c.dialect)
    }

    /// Decodes a whole frame (command line, CR LF, payload) as it crossed `connection`: strictly
    /// in the dialect in force, re-encoding to the same bytes; else the failure, with the lenient
    /// reading if there is one.
    pub fn decode(
        &self,
        connection: &str,
        kind: ServerKind,
        direction: Direction,
        frame: &[u8],
    ) -> Result<Command<'static>, Undecodable> {
        let decoder = Decoder::new(direction, kind).with_dialect(self.dialect(connection, kind));
        let line = frame
            .iter()
            .position(|&b| b == b'\r')
            .map_or(frame, |end| &frame[..end]);
        let error = match decode_frame(frame, &decoder.with_mode(Mode::Strict)) {
            Ok(d) if d.reencoded.is_ok() => return Ok(d.command),
            Ok(d) => LineError {
                message: d.reencoded.err().unwrap_or_default(),
                misplaced: false,
            },
            Err(e) => e,
        };
        let lenient = decode_frame(frame, &decoder.with_mode(Mode::Lenient))
            .ok()
            .map(|d| d.command);
        Err(Undecodable::new(line, error, lenient))
    }

    /// Ends the observation: everything still owed is reported (at the position of this call)
    /// and the report of the whole observation returned.
    pub fn finish(mut self) -> Report {
        self.advance();
        let at = self.position;
        self.owed(at);
        let conforms = !self.violations.iter().any(|v| v.side == Side::Server);
        Report {
            violations: self.violations,
            conforms,
        }
    }
}

/// The TrID of a line that did not decode, when its second word is a canonical number.
fn raw_trid(text: &[u8]) -> Option<u32> {
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

/// Whether the second word of a line is a number (all digits), whether or not it is a canonical
/// TrID.
fn second_word_is_number(text: &[u8]) -> bool {
    text.split(|&b| b == b' ')
        .nth(1)
        .is_some_and(|w| !w.is_empty() && w.iter().all(u8::is_ascii_digit))
}

/// The first word of a line, if it is a documented verb.
fn raw_verb(text: &[u8]) -> Option<&'static str> {
    let word = text.get(..3)?;
    msnp6::commands::VERBS
        .iter()
        .copied()
        .find(|v| v.as_bytes() == word)
}
