//! The predictor's output: a scenario run through the model, written in the transcript format
//! with the several-connections extension (`transcript-format.md`).
//!
//! Payloads are written one line per CR LF-separated piece, so the reader's first join (CR LF)
//! rebuilds them exactly. A payload is representable when it has no bare CR or LF and no piece
//! that would read as a protocol or event line ([`payload_is_representable`]); the generator only
//! makes such payloads, and every payload the model itself makes is one.

use super::scenario::Scenario;
use super::world::{Event, World};
use msnp6::commands::Command;
use msnp6::types::ServerKind;

/// Runs `scenario` from a world started at `seed` and returns the transcript.
///
/// Header: `# source:` naming the predictor, `# versions: MSNP6`, one
/// `# note: account HANDLE:PASSWORD` per account (so `transcript verify --account` can check the
/// login digests), and one `# connection: NAME KIND` per connection the scenario opens. Then per
/// event, in order: `# event: NAME connect`, `C@NAME: …` for a frame sent on an open connection,
/// `# event: NAME disconnect` for a client disconnect, `# event: tick SECONDS`; followed by the
/// server's frames `S@NAME: …` in the order the model sent them, and `# event: NAME disconnect`
/// for each connection the server closed.
pub fn predict(scenario: &Scenario, seed: u64) -> String {
    let mut world = World::new(seed);
    predict_with(scenario, &mut world)
}

/// Like [`predict`], with a world the caller built (e.g. with a scripted value source).
pub fn predict_with(scenario: &Scenario, world: &mut World) -> String {
    predict_traced(scenario, world).text
}

/// A predicted transcript and, for each server line, where it is and which rule produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traced {
    /// The transcript (as [`predict`] writes it).
    pub text: String,
    /// One entry per `S@…` line, in file order.
    pub server_lines: Vec<TracedLine>,
}

/// A server line of a [`Traced`] transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedLine {
    /// The 1-based line number of the `S@NAME: …` line in the file (as the transcript reader and
    /// the monitor count).
    pub line: usize,
    /// The connection.
    pub conn: String,
    /// The frame.
    pub command: Command<'static>,
    /// The id of the rule that produced it.
    pub rule: &'static str,
}

/// A string that counts the lines written to it.
struct Out {
    text: String,
    lines: usize,
}

impl Out {
    fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
        self.lines += 1;
    }
}

/// `# event: NAME disconnect` for every connection the server closed in `step`.
fn write_closes(out: &mut Out, step: &super::world::Step) {
    for c in &step.closed {
        if c.rule != super::world::CLIENT {
            out.line(&format!("# event: {} disconnect", c.conn));
        }
    }
}

/// Like [`predict_with`], and says which rule produced each server line (for properties such as
/// "a mutation of this line is rejected at this line").
pub fn predict_traced(scenario: &Scenario, world: &mut World) -> Traced {
    let mut out = Out {
        text: String::new(),
        lines: 0,
    };
    let mut server_lines = Vec::new();
    out.line("# source: msnp6 model predictor");
    out.line("# versions: MSNP6");
    for a in &scenario.accounts {
        world.add_account(a);
        out.line(&format!("# note: account {}:{}", a.handle, a.password));
    }
    for (conn, kind) in connections(scenario) {
        out.line(&format!("# connection: {conn} {}", kind.as_str()));
    }
    for e in &scenario.events {
        match e {
            Event::Connect { conn, .. } if !world.knows(conn) => {
                out.line(&format!("# event: {conn} connect"));
            }
            Event::Send { conn, frame } if world.is_open(conn) => {
                write_frame(&mut out, 'C', conn, frame);
            }
            Event::Disconnect { conn } if world.is_open(conn) => {
                out.line(&format!("# event: {conn} disconnect"));
            }
            Event::Tick { seconds } => out.line(&format!("# event: tick {seconds}")),
            _ => {}
        }
        let step = world.apply(e);
        // What a connection the server closes in this step receives comes first, then its close,
        // then what the others receive (e.g. the FLN its watchers get): the order an observer
        // sees, since the server notifies the others after the close.
        let server_closed = |conn: &str| {
            step.closed
                .iter()
                .any(|c| c.rule != super::world::CLIENT && c.conn == conn)
        };
        let (mut ordered, rest): (Vec<_>, Vec<_>) = step
            .deliveries
            .iter()
            .cloned()
            .partition(|d| server_closed(&d.conn));
        let closing_at = ordered.len();
        ordered.extend(rest);
        for (i, d) in ordered.into_iter().enumerate() {
            if i == closing_at {
                write_closes(&mut out, &step);
            }
            write_frame(&mut out, 'S', &d.conn, &d.command);
            let line = out.lines
                - d.command
                    .payload()
                    .map_or(0, |p| payload_lines(p.as_bytes()));
            server_lines.push(TracedLine {
                line,
                conn: d.conn,
                command: d.command,
                rule: d.rule,
            });
        }
        if closing_at == step.deliveries.len() {
            write_closes(&mut out, &step);
        }
    }
    Traced {
        text: out.text,
        server_lines,
    }
}

/// How many file lines a payload takes (none when empty).
fn payload_lines(b: &[u8]) -> usize {
    if b.is_empty() { 0 } else { split_crlf(b).len() }
}

/// Writes one frame: the tagged command line, then its payload split on CR LF.
fn write_frame(out: &mut Out, side: char, conn: &str, command: &Command<'_>) {
    let mut line = Vec::new();
    command.encode_line(&mut line);
    out.line(&format!(
        "{side}@{conn}: {}",
        String::from_utf8_lossy(&line)
    ));
    if let Some(p) = command.payload().filter(|p| !p.is_empty()) {
        for piece in split_crlf(p.as_bytes()) {
            out.line(&String::from_utf8_lossy(piece));
        }
    }
}

/// Splits on CR LF (an empty input gives one empty piece).
fn split_crlf(b: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\r' && b[i + 1] == b'\n' {
            pieces.push(&b[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    pieces.push(&b[start..]);
    pieces
}

/// Whether a payload survives the transcript format byte for byte when written by the predictor:
/// valid UTF-8, no CR or LF outside CR LF pairs, and no CR LF-separated piece that a reader would
/// take for a protocol line (`C: `, `S: `, `C@…: `, `S@…: `) or an `# event:` line.
pub fn payload_is_representable(b: &[u8]) -> bool {
    if core::str::from_utf8(b).is_err() {
        return false;
    }
    split_crlf(b).iter().all(|piece| {
        !piece.contains(&b'\r')
            && !piece.contains(&b'\n')
            && !piece.starts_with(b"C: ")
            && !piece.starts_with(b"S: ")
            && !piece.starts_with(b"C@")
            && !piece.starts_with(b"S@")
            && !piece.starts_with(b"# event:")
    })
}

/// The connection kinds a scenario declares, in first-use order.
pub fn connections(scenario: &Scenario) -> Vec<(String, ServerKind)> {
    let mut v: Vec<(String, ServerKind)> = Vec::new();
    for e in &scenario.events {
        if let Event::Connect { conn, kind } = e {
            if !v.iter().any(|(n, _)| n == conn) {
                v.push((conn.clone(), *kind));
            }
        }
    }
    v
}
