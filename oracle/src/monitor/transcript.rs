//! The transcript front end: feeds a transcript's lines and events to a [`Monitor`], in file
//! order. Lines are decoded by [`decode_line`], the decoder `transcript check` uses.

use std::time::Duration;

use super::live::{Observed, Undecodable};
use super::rules::R;
use super::{Monitor, Report, Untagged, VerifyOptions};
use crate::check::{LineError, decode_line};
use crate::transcript::{Event, EventKind, Item, ProtocolLine, Transcript};
use msnp6::commands::Command;
use msnp6::types::{Direction, ServerKind};
use msnp6::{Decoder, Mode};

/// Verifies a transcript. Never panics, whatever the transcript holds.
///
/// Every line and event goes to one [`Monitor`] at its file line; a tagged line names its
/// connection, an untagged line belongs to the connection of the `# server:` header (with
/// `NS+SB`, to the first kind that decodes it). What is still owed is reported at the file's
/// last line. A front end over [`Verifier`].
pub fn verify(transcript: &Transcript, options: &VerifyOptions) -> Report {
    let mut v = Verifier::new(options);
    let mut events = transcript.events.iter().peekable();
    for line in &transcript.lines {
        while let Some(e) = events.next_if(|e| e.line < line.line) {
            v.event(transcript, e);
        }
        v.line(transcript, line);
    }
    for e in events {
        v.event(transcript, e);
    }
    v.finish()
}

/// Verifies a transcript given one line or event at a time, in file order (as
/// [`crate::transcript::Stream`] gives them): memory is the monitor's state, not the file's.
/// `t` gives the header and connection declarations only.
///
/// ```
/// use msnp6_oracle::monitor::{Verifier, VerifyOptions};
/// use msnp6_oracle::transcript::{Item, Stream};
/// let mut s = Stream::new();
/// let mut v = Verifier::new(&VerifyOptions::default());
/// for raw in [&b"# server: NS"[..], b"C: VER 1 MSNP6", b"S: VER 1 MSNP6"] {
///     s.line(raw);
///     for item in s.items() {
///         v.item(s.transcript(), &item);
///     }
/// }
/// let (t, rest) = s.finish();
/// for item in &rest {
///     v.item(&t, item);
/// }
/// assert!(v.finish().conforms);
/// ```
#[derive(Debug)]
pub struct Verifier {
    m: Monitor,
    time: Duration,
    started: bool,
    last: usize,
}

impl Verifier {
    /// A verifier at the start of a transcript.
    pub fn new(options: &VerifyOptions) -> Self {
        Verifier {
            m: Monitor::new(options.clone()),
            time: Duration::ZERO,
            started: false,
            last: 0,
        }
    }

    /// One item of the streaming reader: a line or an event (a format problem is not the
    /// monitor's business).
    pub fn item(&mut self, t: &Transcript, item: &Item) {
        match item {
            Item::Line(line) => self.line(t, line),
            Item::Event(e) => self.event(t, e),
            Item::Problem(_) => {}
        }
    }

    /// One protocol line.
    pub fn line(&mut self, t: &Transcript, line: &ProtocolLine) {
        if !core::mem::replace(&mut self.started, true) && line.connection.is_none() {
            let server = t.header.server.as_ref();
            self.m.untagged = Some(Untagged {
                name: server.map_or_else(|| "?".to_owned(), |s| s.raw.clone()),
                ambiguous: server.is_some_and(|s| !s.both_connections && s.kinds.len() > 1),
            });
        }
        let end = line.payload_lines.last().map_or(line.line, |p| p.line);
        self.last = self.last.max(line.line).max(end);
        protocol_line(&mut self.m, t, line, self.time);
    }

    /// One event.
    pub fn event(&mut self, t: &Transcript, e: &Event) {
        self.started = true;
        self.last = self.last.max(e.line);
        event(&mut self.m, t, e.line, &e.kind, &mut self.time);
    }

    /// The end of the transcript: what is still owed is reported at its last line.
    pub fn finish(mut self) -> Report {
        self.m.at(self.last);
        self.m.finish()
    }
}

/// Parses transcript bytes (see [`crate::transcript::parse`]) and verifies them.
pub fn verify_bytes(input: &[u8], options: &VerifyOptions) -> Report {
    verify(&crate::transcript::parse(input), options)
}

fn event(m: &mut Monitor, t: &Transcript, at: usize, kind: &EventKind, time: &mut Duration) {
    match kind {
        EventKind::Tick(s) => *time = time.saturating_add(Duration::from_secs(*s)),
        EventKind::Connect(name) => {
            if let Some(decl) = t.connection(name) {
                m.at(at).connect(name, decl.kind);
            }
        }
        EventKind::Disconnect(name) => {
            m.at(at).disconnect(name);
        }
    }
}

/// One protocol line: decoded on the first of its connection's kinds that accepts it, strictly
/// first, then leniently.
fn protocol_line(m: &mut Monitor, t: &Transcript, line: &ProtocolLine, time: Duration) {
    let kinds = t.server_kinds(line);
    let name = match (&line.connection, &m.untagged) {
        (Some(c), _) => c.clone(),
        (None, Some(u)) => u.name.clone(),
        (None, None) => "?".to_owned(),
    };
    if kinds.is_empty() {
        let r = if line.direction == Direction::ServerToClient {
            R::TranscriptConnection
        } else {
            R::ClientSyntax
        };
        m.at(line.line);
        m.advance();
        m.violate_on(
            name,
            line.line,
            r,
            "the file names no connection for this line".to_owned(),
        );
        return;
    }
    let (kind, frame) = decode(m, &name, kinds, line).unwrap_or_else(|(kind, e)| {
        match lenient(m, &name, kinds, line) {
            Some((k, c)) => (k, Err(Undecodable::new(&line.text, e, Some(c)))),
            None => (kind, Err(Undecodable::new(&line.text, e, None))),
        }
    });
    m.at(line.line).observe(Observed {
        connection: &name,
        kind,
        direction: line.direction,
        frame,
        time,
    });
}

/// A line's kind and reading, or the kind and error to report.
type Attempt = Result<(ServerKind, Result<Command<'static>, Undecodable>), (ServerKind, LineError)>;

/// The strict reading on the first kind that gives one; else the error to report: the first one
/// that is not "verb misplaced on this server", if any.
fn decode(m: &Monitor, name: &str, kinds: &[ServerKind], line: &ProtocolLine) -> Attempt {
    let mut failure: Option<(ServerKind, LineError)> = None;
    for &kind in kinds {
        let decoder = Decoder::new(line.direction, kind)
            .with_dialect(m.dialect(name, kind))
            .with_mode(Mode::Strict);
        let error = match decode_line(line, &decoder) {
            Ok(d) if d.reencoded.is_ok() => return Ok((kind, Ok(d.command))),
            Ok(d) => LineError {
                message: d.reencoded.err().unwrap_or_default(),
                misplaced: false,
            },
            Err(e) => e,
        };
        let better = failure
            .as_ref()
            .is_none_or(|(_, old)| old.misplaced && !error.misplaced);
        if better {
            failure = Some((kind, error));
        }
    }
    Err(failure.unwrap_or_else(|| {
        (
            kinds.first().copied().unwrap_or(ServerKind::Notification),
            LineError {
                message: String::new(),
                misplaced: false,
            },
        )
    }))
}

/// The lenient reading on the first kind that gives one.
fn lenient(
    m: &Monitor,
    name: &str,
    kinds: &[ServerKind],
    line: &ProtocolLine,
) -> Option<(ServerKind, Command<'static>)> {
    kinds.iter().find_map(|&kind| {
        let decoder = Decoder::new(line.direction, kind)
            .with_dialect(m.dialect(name, kind))
            .with_mode(Mode::Lenient);
        decode_line(line, &decoder).ok().map(|d| (kind, d.command))
    })
}
