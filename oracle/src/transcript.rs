//! Transcript reader: turns a transcript file (see `docs/transcript-format.md`) into its header,
//! connection declarations, protocol lines with their payload lines, and events.
//!
//! This is a pure library: [`parse`] takes the file's bytes and never fails and never panics; it is
//! a front end over [`Stream`], which reads one file line at a time for files of any size.
//! Everything that does not follow the format is collected as a [`Problem`] with its 1-based line
//! number, and the reader carries on, so a checker can report every finding of a file at once.
//!
//! The reader works on bytes throughout: a file with non-UTF-8 bytes is read like any other, protocol
//! lines and payload lines are kept byte for byte, and only header values are converted to text
//! (lossily). It runs in time linear in the size of the input.
//!
//! Rules implemented (transcript-format.md):
//! * The file is split on LF. If it ends with LF, the empty piece after the final LF is not a line.
//! * The header is the leading `# key: value` lines (empty lines among them are ignored). It ends at
//!   the first protocol line or `# event:` line. Known keys: `source`, `server`, `versions`, `note`
//!   (repeats), `transformed` (repeats), `connection` (repeats, `NAME KIND`) and our extension
//!   `expect` (repeats, `LINE error|lenient REASON`). Unknown keys go to [`Header::other`].
//! * A line starting with `C: `, `S: `, `C@NAME: ` or `S@NAME: ` is a protocol line. Everything after
//!   the prefix is its command line, byte for byte.
//! * Every other line directly after a protocol line (empty lines and `#` lines included) is one of its
//!   payload lines, until the next protocol line, the next `# event:` line or the end of the file.
//! * After the header, the only `#` lines outside payloads are `# event: NAME connect|disconnect` and
//!   `# event: tick SECONDS`.
//! * A file uses either untagged or tagged protocol lines, and every tag names a declared connection.
//! * [`rebuild_payload`] turns payload lines back into payload bytes, trying the CR LF join, the CR LF
//!   join plus a final CR LF, and the LF join, in that order.

use core::fmt;
use std::collections::{HashMap, HashSet};

use msnp6::types::context::{Direction, ServerKind};

/// A parsed transcript file (transcript-format.md).
///
/// Built by [`parse`]; `problems` lists every place where the file departs from the format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transcript {
    /// The leading `# key: value` lines (transcript-format.md, "Rules").
    pub header: Header,
    /// The `# connection: NAME KIND` declarations, in file order, without duplicates
    /// (transcript-format.md, "Several connections in one transcript").
    pub connections: Vec<ConnectionDecl>,
    /// The protocol lines (`C: `, `S: `, `C@NAME: `, `S@NAME: `) in file order, each with its payload
    /// lines (transcript-format.md).
    pub lines: Vec<ProtocolLine>,
    /// The `# event:` lines in file order (transcript-format.md).
    pub events: Vec<Event>,
    /// Departures from transcript-format.md, sorted by line number (stable).
    pub problems: Vec<Problem>,
}

impl Transcript {
    /// The server kinds to try, in order, when decoding `line` (transcript-format.md, `server:` and
    /// `# connection:`): the declared kind of the line's connection tag, or for an untagged line the
    /// kinds of the `# server:` header line. Empty when the tag names no declared connection, or when
    /// an untagged line has no (valid) `# server:` line.
    pub fn server_kinds<'a>(&'a self, line: &'a ProtocolLine) -> &'a [ServerKind] {
        match (&line.connection, &line.connection_kind) {
            (_, Some(kind)) => core::slice::from_ref(kind),
            (Some(_), None) => &[],
            (None, None) => self
                .header
                .server
                .as_ref()
                .map_or(&[], |server| server.kinds.as_slice()),
        }
    }

    /// The declaration of the connection called `name` (transcript-format.md, `# connection:`), if
    /// any. Linear in the number of declared connections.
    pub fn connection(&self, name: &str) -> Option<&ConnectionDecl> {
        self.connections.iter().find(|decl| decl.name == name)
    }

    /// The expectation (`# expect:`, our extension of transcript-format.md) for the protocol line on
    /// file line `line`, if any. Linear in the number of expectations.
    pub fn expectation(&self, line: usize) -> Option<&Expectation> {
        self.header.expect.iter().find(|exp| exp.line == line)
    }
}

/// The header of a transcript: its leading `# key: value` lines (transcript-format.md, "Rules").
///
/// Values are the text after `# key: `, with surrounding ASCII whitespace trimmed and non-UTF-8
/// bytes replaced by U+FFFD.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    /// `# source:` — where the lines were copied from (the first, if given more than once).
    pub source: Option<String>,
    /// `# server:` — the connection(s) the untagged lines travel on; `None` if absent or invalid.
    pub server: Option<ServerSpec>,
    /// `# versions:` — the protocol versions the example applies to, as written.
    pub versions: Option<String>,
    /// Every `# note:` line, in order.
    pub notes: Vec<String>,
    /// Every `# transformed:` line, in order.
    pub transformed: Vec<String>,
    /// Every valid `# expect:` line, in order (our extension of transcript-format.md).
    pub expect: Vec<Expectation>,
    /// Header lines with keys this reader does not know, as (key, value), in order.
    pub other: Vec<(String, String)>,
}

/// The value of the `# server:` header line (transcript-format.md): `DS`, `NS`, `SB`, `DS/NS`,
/// `NS/SB` or `NS+SB` (any non-repeating list of kinds separated only by `/` or only by `+` is
/// accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSpec {
    /// The value as written.
    pub raw: String,
    /// The kinds in the order written: try them in this order.
    pub kinds: Vec<ServerKind>,
    /// `true` for `+` (the file holds lines of several connections, each line on one of them);
    /// `false` for a single kind or `/` (the example is valid on either).
    pub both_connections: bool,
}

/// One `# expect: LINE error|lenient REASON` header line: our extension of transcript-format.md
/// that records what a checker must find for a line copied with its documentation's mistakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The 1-based file line of the protocol line concerned.
    pub line: usize,
    /// What the checker must report for that line.
    pub result: ExpectedResult,
    /// The free-text reason (may be empty).
    pub reason: String,
    /// The 1-based file line of the `# expect:` header line itself.
    pub declared_at: usize,
}

/// The expected outcome named by `# expect:` (our extension of transcript-format.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExpectedResult {
    /// `error`: the line must be rejected.
    Error,
    /// `lenient`: the line must decode only leniently, with a warning.
    Lenient,
}

impl ExpectedResult {
    /// The keyword used in the header: `error` or `lenient`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExpectedResult::Error => "error",
            ExpectedResult::Lenient => "lenient",
        }
    }
}

impl fmt::Display for ExpectedResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `# connection: NAME KIND` declaration (transcript-format.md, "Several connections in one
/// transcript").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionDecl {
    /// The connection's name: ASCII letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// The kind of server at the other end.
    pub kind: ServerKind,
    /// The 1-based file line of the declaration.
    pub line: usize,
}

/// One protocol line (`C: `, `S: `, `C@NAME: `, `S@NAME: `) with the payload lines that follow it
/// (transcript-format.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolLine {
    /// The 1-based file line.
    pub line: usize,
    /// `C` (client to server) or `S` (server to client).
    pub direction: Direction,
    /// The connection tag of a `C@NAME: ` / `S@NAME: ` line; `None` for an untagged line.
    pub connection: Option<String>,
    /// The declared kind of the tagged connection, filled in by [`parse`]; `None` for an untagged
    /// line or a tag that names no declared connection.
    pub connection_kind: Option<ServerKind>,
    /// The command line: the bytes after the prefix, exactly (without the LF that ends the file
    /// line; on the wire the line ends with CR LF).
    pub text: Vec<u8>,
    /// The file lines directly after this one that form its payload, possibly empty lines
    /// (transcript-format.md: "never strip trailing empty lines").
    pub payload_lines: Vec<PayloadLine>,
}

impl ProtocolLine {
    /// Rebuilds this line's payload for the declared length `declared`; see [`rebuild_payload`]
    /// (transcript-format.md).
    pub fn rebuild_payload(
        &self,
        declared: usize,
    ) -> Result<(Vec<u8>, PayloadJoin), PayloadMismatch> {
        rebuild_payload(&self.payload_lines, declared)
    }
}

/// One payload line of a protocol line (transcript-format.md): a file line, byte for byte, without
/// its LF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadLine {
    /// The 1-based file line.
    pub line: usize,
    /// The line's bytes (real TAB bytes and trailing spaces kept).
    pub bytes: Vec<u8>,
}

/// One `# event:` line (transcript-format.md, "Several connections in one transcript").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The 1-based file line.
    pub line: usize,
    /// What happened.
    pub kind: EventKind,
}

/// What an `# event:` line records (transcript-format.md).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// `# event: NAME connect`: the connection opened.
    Connect(String),
    /// `# event: NAME disconnect`: the connection closed.
    Disconnect(String),
    /// `# event: tick SECONDS`: time passed.
    Tick(u64),
}

/// A departure from transcript-format.md, found by [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 1-based file line, or 0 for a problem of the file as a whole.
    pub line: usize,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "line {}: {}", self.line, self.kind)
        }
    }
}

/// The kinds of departure from transcript-format.md that [`parse`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A line before the first protocol line, or after an `# event:` line, that is not empty, not a
    /// header line, not an event and not a protocol line (narrative belongs in `# note:`).
    StrayText,
    /// A `#` line after the header that is not an `# event:` line and not inside a payload.
    HashLineAfterHeader,
    /// A `#` line in the header that is not `# key: value`.
    MalformedHeaderLine,
    /// `# source:`, `# server:` or `# versions:` given more than once (the first is used).
    DuplicateHeaderKey {
        /// The key.
        key: String,
    },
    /// A `# server:` value that names no server kind(s).
    BadServer {
        /// The value as written.
        value: String,
    },
    /// Untagged protocol lines in a file without a `# server:` line (reported at the first untagged
    /// line).
    MissingServer,
    /// A `# connection:` value that is not `NAME KIND`.
    BadConnectionDeclaration {
        /// The value as written.
        value: String,
    },
    /// A connection name declared more than once (the first declaration is used).
    DuplicateConnection {
        /// The name.
        name: String,
    },
    /// An `# expect:` value that is not `LINE error|lenient REASON`.
    BadExpectation {
        /// The value as written.
        value: String,
    },
    /// An `# expect:` line naming a line that is not a protocol line (reported at the `# expect:`
    /// line).
    ExpectationNotOnProtocolLine {
        /// The line named.
        target: usize,
    },
    /// A second `# expect:` line for the same line (reported at the second).
    DuplicateExpectation {
        /// The line named.
        target: usize,
    },
    /// An `# event:` line that is not `# event: NAME connect|disconnect` or `# event: tick SECONDS`.
    MalformedEvent {
        /// The text after `# event:`.
        value: String,
    },
    /// A tag or an event naming a connection that no `# connection:` line declares.
    UnknownConnection {
        /// The name.
        name: String,
    },
    /// A tagged protocol line in a file whose first protocol line is untagged (reported once, at
    /// the first such line).
    TaggedLineInUntaggedFile {
        /// The line of the first (untagged) protocol line.
        first: usize,
    },
    /// An untagged protocol line in a file whose first protocol line is tagged (reported once, at
    /// the first such line).
    UntaggedLineInTaggedFile {
        /// The line of the first (tagged) protocol line.
        first: usize,
    },
    /// `C:`, `S:`, `C@NAME:` or `S@NAME:` not followed by a space. The line is not a protocol line
    /// (it is a payload line if it follows one).
    MissingSpaceAfterPrefix {
        /// The prefix as written, e.g. `C:`.
        prefix: String,
    },
    /// `C@` or `S@` not followed by a valid `NAME: `. The line is not a protocol line (it is a
    /// payload line if it follows one).
    BadTag {
        /// `C@` or `S@`.
        prefix: String,
    },
    /// The file has no protocol line at all (reported with line 0).
    NoProtocolLines,
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::StrayText => f.write_str(
                "text that is neither a header line, an event nor a protocol line \
                 (narrative belongs in `# note:`)",
            ),
            ProblemKind::HashLineAfterHeader => f.write_str(
                "`#` line after the header that is not an `# event:` line and not inside a payload",
            ),
            ProblemKind::MalformedHeaderLine => f.write_str("header line is not `# key: value`"),
            ProblemKind::DuplicateHeaderKey { key } => {
                write!(
                    f,
                    "header key `{key}` given more than once (the first is used)"
                )
            }
            ProblemKind::BadServer { value } => write!(
                f,
                "`# server: {value}` names no server (expected DS, NS, SB, DS/NS, NS/SB or NS+SB)"
            ),
            ProblemKind::MissingServer => {
                f.write_str("untagged protocol lines but no `# server:` header line")
            }
            ProblemKind::BadConnectionDeclaration { value } => write!(
                f,
                "`# connection: {value}` is not `NAME KIND` \
                 (NAME: letters, digits, -, _, .; KIND: DS, NS or SB)"
            ),
            ProblemKind::DuplicateConnection { name } => write!(
                f,
                "connection `{name}` declared more than once (the first declaration is used)"
            ),
            ProblemKind::BadExpectation { value } => {
                write!(f, "`# expect: {value}` is not `LINE error|lenient REASON`")
            }
            ProblemKind::ExpectationNotOnProtocolLine { target } => {
                write!(
                    f,
                    "`# expect:` names line {target}, which is not a protocol line"
                )
            }
            ProblemKind::DuplicateExpectation { target } => {
                write!(f, "more than one `# expect:` line for line {target}")
            }
            ProblemKind::MalformedEvent { value } => write!(
                f,
                "`# event:{value}` is not `# event: NAME connect|disconnect` or `# event: tick SECONDS`"
            ),
            ProblemKind::UnknownConnection { name } => {
                write!(
                    f,
                    "connection `{name}` is not declared by a `# connection:` line"
                )
            }
            ProblemKind::TaggedLineInUntaggedFile { first } => write!(
                f,
                "tagged protocol line, but the first protocol line (line {first}) is untagged; \
                 a file uses either untagged or tagged lines"
            ),
            ProblemKind::UntaggedLineInTaggedFile { first } => write!(
                f,
                "untagged protocol line, but the first protocol line (line {first}) is tagged; \
                 a file uses either untagged or tagged lines"
            ),
            ProblemKind::MissingSpaceAfterPrefix { prefix } => write!(
                f,
                "`{prefix}` is not followed by a space, so this is not a protocol line"
            ),
            ProblemKind::BadTag { prefix } => write!(
                f,
                "`{prefix}` is not followed by a connection name (letters, digits, -, _, .) and `: `, \
                 so this is not a protocol line"
            ),
            ProblemKind::NoProtocolLines => f.write_str("the transcript has no protocol lines"),
        }
    }
}

/// How payload lines were joined to give the declared length (transcript-format.md, "The declared
/// length in the command line is the authority").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadJoin {
    /// Lines joined with CR LF, no final line ending.
    Crlf,
    /// Lines joined with CR LF, plus one final CR LF.
    CrlfPlusCrlf,
    /// Lines joined with LF, no final line ending.
    Lf,
}

impl PayloadJoin {
    /// All joins, in the order a reader tries them.
    pub const ALL: [PayloadJoin; 3] = [
        PayloadJoin::Crlf,
        PayloadJoin::CrlfPlusCrlf,
        PayloadJoin::Lf,
    ];

    /// `crlf`, `crlf+crlf` or `lf`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PayloadJoin::Crlf => "crlf",
            PayloadJoin::CrlfPlusCrlf => "crlf+crlf",
            PayloadJoin::Lf => "lf",
        }
    }

    /// The byte length of `lines` joined this way. Zero lines give 0 bytes for every join.
    pub fn joined_len(self, lines: &[PayloadLine]) -> usize {
        let count = lines.len();
        if count == 0 {
            return 0;
        }
        let content = lines
            .iter()
            .fold(0usize, |sum, line| sum.saturating_add(line.bytes.len()));
        let separators = count - 1;
        let endings = match self {
            PayloadJoin::Crlf => separators.saturating_mul(2),
            PayloadJoin::CrlfPlusCrlf => count.saturating_mul(2),
            PayloadJoin::Lf => separators,
        };
        content.saturating_add(endings)
    }

    /// `lines` joined this way. Zero lines give no bytes for every join.
    pub fn join(self, lines: &[PayloadLine]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.joined_len(lines));
        let separator: &[u8] = match self {
            PayloadJoin::Crlf | PayloadJoin::CrlfPlusCrlf => b"\r\n",
            PayloadJoin::Lf => b"\n",
        };
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                out.extend_from_slice(separator);
            }
            out.extend_from_slice(&line.bytes);
        }
        if self == PayloadJoin::CrlfPlusCrlf && !lines.is_empty() {
            out.extend_from_slice(b"\r\n");
        }
        out
    }
}

impl fmt::Display for PayloadJoin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// No join of the payload lines gives the declared length (transcript-format.md): a finding to
/// report for the line, with every candidate length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "declared {declared} bytes, lines joined with CR LF give {crlf}, \
     with CR LF plus a final CR LF {crlf_plus_crlf}, with LF {lf}"
)]
pub struct PayloadMismatch {
    /// The length declared in the command line.
    pub declared: usize,
    /// The length of the lines joined with CR LF.
    pub crlf: usize,
    /// The length of the lines joined with CR LF plus a final CR LF.
    pub crlf_plus_crlf: usize,
    /// The length of the lines joined with LF.
    pub lf: usize,
}

/// Rebuilds payload bytes from payload lines (transcript-format.md): tries, in this order, the
/// lines joined with CR LF, joined with CR LF plus one final CR LF, and joined with LF, and returns
/// the first whose length equals `declared`, with the join used.
///
/// Zero lines rebuild to an empty payload (declared length 0, [`PayloadJoin::Crlf`]).
///
/// # Errors
/// [`PayloadMismatch`] with every candidate length when none equals `declared`.
pub fn rebuild_payload(
    lines: &[PayloadLine],
    declared: usize,
) -> Result<(Vec<u8>, PayloadJoin), PayloadMismatch> {
    match PayloadJoin::ALL
        .into_iter()
        .find(|join| join.joined_len(lines) == declared)
    {
        Some(join) => Ok((join.join(lines), join)),
        None => Err(PayloadMismatch {
            declared,
            crlf: PayloadJoin::Crlf.joined_len(lines),
            crlf_plus_crlf: PayloadJoin::CrlfPlusCrlf.joined_len(lines),
            lf: PayloadJoin::Lf.joined_len(lines),
        }),
    }
}

/// Reads a transcript (transcript-format.md) from its bytes.
///
/// Never fails and never panics: every departure from the format is recorded in
/// [`Transcript::problems`] and reading carries on. Linear in the length of `input`.
///
/// # Example
/// ```
/// use msnp6_oracle::transcript::{parse, EventKind, PayloadJoin};
/// use msnp6::{Direction, ServerKind};
///
/// let file = concat!(
///     "# source: capture 2003-04-01\n",
///     "# server: SB\n",
///     "C: MSG 1 U 23\n",
///     "MIME-Version: 1.0\n",
///     "\n",
///     "hi\n",
///     "S: BYE alice@example.com\n",
/// );
/// let t = parse(file.as_bytes());
/// assert!(t.problems.is_empty());
/// assert_eq!(t.header.source.as_deref(), Some("capture 2003-04-01"));
/// assert_eq!(t.lines.len(), 2);
/// assert_eq!(t.lines[0].direction, Direction::ClientToServer);
/// assert_eq!(t.lines[0].text, b"MSG 1 U 23");
/// assert_eq!(t.server_kinds(&t.lines[0]), [ServerKind::Switchboard]);
/// let (payload, join) = t.lines[0].rebuild_payload(23).expect("23 bytes with CR LF");
/// assert_eq!(payload, b"MIME-Version: 1.0\r\n\r\nhi");
/// assert_eq!(join, PayloadJoin::Crlf);
/// assert!(t.lines[1].payload_lines.is_empty());
///
/// let tagged = parse(b"# connection: a NS\n# event: a connect\nC@a: PNG\nS@a: QNG\n# event: tick 60\n");
/// assert!(tagged.problems.is_empty());
/// assert_eq!(tagged.lines[1].connection.as_deref(), Some("a"));
/// assert_eq!(tagged.events[1].kind, EventKind::Tick(60));
/// ```
pub fn parse(input: &[u8]) -> Transcript {
    let mut stream = Stream::new();
    let mut items = Vec::new();
    for raw in split_lines(input) {
        stream.line(raw);
        items.extend(stream.items());
    }
    let (mut transcript, rest) = stream.finish();
    for item in items.into_iter().chain(rest) {
        match item {
            Item::Line(line) => transcript.lines.push(line),
            Item::Event(event) => transcript.events.push(event),
            Item::Problem(problem) => transcript.problems.push(problem),
        }
    }
    transcript.problems.sort_by_key(|problem| problem.line);
    transcript
}

/// What the streaming reader gives: a protocol line with all its payload lines, an event, or a
/// departure from the format (transcript-format.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A protocol line, complete with its payload lines.
    Line(ProtocolLine),
    /// An `# event:` line.
    Event(Event),
    /// A departure from the format.
    Problem(Problem),
}

/// Reads a transcript one file line at a time, in memory bounded by the header and the longest
/// protocol line with its payload, not by the file: [`parse`] is a front end over it.
///
/// Feed each file line without its LF to [`Stream::line`] (an LF-terminated file has no line after
/// its final LF; an empty file has none), take the complete items with [`Stream::items`] after each
/// (lines and events in file order, problems as found), and end with [`Stream::finish`]. The header
/// and the connection declarations are complete once the first line or event is given out, and are
/// in [`Stream::transcript`] (whose `lines`, `events` and `problems` stay empty).
///
/// ```
/// use msnp6_oracle::transcript::{Item, Stream};
/// let mut s = Stream::new();
/// let mut lines = 0;
/// for raw in [&b"# server: NS"[..], b"C: PNG", b"S: QNG"] {
///     s.line(raw);
///     lines += s.items().filter(|i| matches!(i, Item::Line(_))).count();
/// }
/// assert_eq!(lines, 1); // `S: QNG` may still get payload lines
/// let (t, rest) = s.finish();
/// assert_eq!(rest.len(), 1);
/// assert_eq!(t.header.server.map(|s| s.raw), Some("NS".to_owned()));
/// ```
#[derive(Debug, Default)]
pub struct Stream {
    reader: Reader,
    lines_read: usize,
}

impl Stream {
    /// A reader at the start of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the next file line (without its LF).
    pub fn line(&mut self, raw: &[u8]) {
        self.lines_read = self.lines_read.saturating_add(1);
        self.reader.line(self.lines_read, raw);
    }

    /// The items completed so far and not yet taken: problems as found, then lines and events in
    /// file order.
    pub fn items(&mut self) -> impl Iterator<Item = Item> + use<> {
        self.reader.drain(false).into_iter()
    }

    /// The header and connection declarations read so far (no lines, events or problems).
    pub fn transcript(&self) -> &Transcript {
        &self.reader.transcript
    }

    /// Ends the file: the header and connections, and the items not yet taken, with the problems
    /// only the end can show (`# expect:` targets, a missing `# server:`, no protocol line).
    pub fn finish(mut self) -> (Transcript, Vec<Item>) {
        let mut items = self.reader.drain(true);
        items.extend(self.reader.finish().into_iter().map(Item::Problem));
        (self.reader.transcript, items)
    }
}

/// Splits on LF; the empty piece after a final LF is not a line, and an empty input has no lines.
fn split_lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    let mut rest = if input.is_empty() { None } else { Some(body) };
    core::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr(b'\n', current) {
            Some(at) => {
                let (line, after) = current.split_at_checked(at)?;
                rest = after.get(1..);
                Some(line)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// How a file line begins.
enum LineClass<'a> {
    /// `C: `, `S: `, `C@NAME: `, `S@NAME: `.
    Protocol {
        direction: Direction,
        tag: Option<&'a [u8]>,
        text: &'a [u8],
    },
    /// `C:`/`S:`/`C@NAME:`/`S@NAME:` without the space; holds the prefix.
    MissingSpace(&'a [u8]),
    /// `C@`/`S@` without a valid `NAME:`; holds `C@` or `S@`.
    BadTag(&'a [u8]),
    /// `# event:`; holds the rest of the line.
    Event(&'a [u8]),
    /// Any other line starting with `#`.
    Hash,
    /// An empty line.
    Empty,
    /// Anything else.
    Text,
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.')
}

fn is_name(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&byte| is_name_byte(byte))
}

fn classify(raw: &[u8]) -> LineClass<'_> {
    let Some((&first, rest)) = raw.split_first() else {
        return LineClass::Empty;
    };
    let direction = match first {
        b'C' => Direction::ClientToServer,
        b'S' => Direction::ServerToClient,
        b'#' => {
            return match raw.strip_prefix(b"# event:") {
                Some(after) => LineClass::Event(after),
                None => LineClass::Hash,
            };
        }
        _ => return LineClass::Text,
    };
    match rest.split_first() {
        Some((b':', after)) => match after.strip_prefix(b" ") {
            Some(text) => LineClass::Protocol {
                direction,
                tag: None,
                text,
            },
            None => LineClass::MissingSpace(raw.get(..2).unwrap_or(raw)),
        },
        Some((b'@', after)) => {
            let name_len = after.iter().take_while(|&&byte| is_name_byte(byte)).count();
            let bad_tag = LineClass::BadTag(raw.get(..2).unwrap_or(raw));
            let Some((name, after_name)) = after.split_at_checked(name_len) else {
                return bad_tag;
            };
            if name.is_empty() {
                return bad_tag;
            }
            match after_name.strip_prefix(b":") {
                Some(after_colon) => match after_colon.strip_prefix(b" ") {
                    Some(text) => LineClass::Protocol {
                        direction,
                        tag: Some(name),
                        text,
                    },
                    // "C@" + name + ":"
                    None => LineClass::MissingSpace(
                        raw.get(..name_len.saturating_add(3)).unwrap_or(raw),
                    ),
                },
                None => bad_tag,
            }
        }
        _ => LineClass::Text,
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits `# key: value` (or `# key:` with an empty value) into key and trimmed value.
fn split_header_line(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = raw.strip_prefix(b"# ")?;
    let colon = memchr::memchr(b':', rest)?;
    let (key, after) = rest.split_at_checked(colon)?;
    let after = after.get(1..)?;
    let key_ok = !key.is_empty()
        && key
            .iter()
            .all(|&byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_'));
    if !key_ok || !(after.is_empty() || after.starts_with(b" ")) {
        return None;
    }
    Some((key, after.trim_ascii()))
}

fn parse_server(value: &str) -> Option<ServerSpec> {
    let both_connections = value.contains('+');
    if both_connections && value.contains('/') {
        return None;
    }
    let separator = if both_connections { '+' } else { '/' };
    let mut kinds = Vec::new();
    for part in value.split(separator) {
        let kind: ServerKind = part.trim().parse().ok()?;
        if kinds.contains(&kind) {
            return None;
        }
        kinds.push(kind);
    }
    Some(ServerSpec {
        raw: value.to_owned(),
        kinds,
        both_connections,
    })
}

fn parse_connection(value: &str, line: usize) -> Option<ConnectionDecl> {
    let mut tokens = value.split_ascii_whitespace();
    let name = tokens.next()?;
    let kind = tokens.next()?.parse().ok()?;
    if tokens.next().is_some() || !is_name(name.as_bytes()) {
        return None;
    }
    Some(ConnectionDecl {
        name: name.to_owned(),
        kind,
        line,
    })
}

fn parse_decimal<T: core::str::FromStr>(token: &str) -> Option<T> {
    if token.is_empty() || !token.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

fn parse_expectation(value: &str, declared_at: usize) -> Option<Expectation> {
    let value = value.trim_ascii();
    let (line_token, rest) = value
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((value, ""));
    let rest = rest.trim_ascii_start();
    let (result_token, reason) = rest
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((rest, ""));
    let line = parse_decimal::<usize>(line_token).filter(|&line| line > 0)?;
    let result = match result_token {
        "error" => ExpectedResult::Error,
        "lenient" => ExpectedResult::Lenient,
        _ => return None,
    };
    Some(Expectation {
        line,
        result,
        reason: reason.trim_ascii().to_owned(),
        declared_at,
    })
}

/// Parses the text after `# event:`.
fn parse_event(after: &[u8]) -> Option<EventKind> {
    let rest = after.strip_prefix(b" ")?;
    let mut tokens = rest
        .split(|byte| byte.is_ascii_whitespace())
        .filter(|token| !token.is_empty());
    let first = tokens.next()?;
    let second = tokens.next()?;
    if tokens.next().is_some() {
        return None;
    }
    match second {
        b"connect" if is_name(first) => Some(EventKind::Connect(lossy(first))),
        b"disconnect" if is_name(first) => Some(EventKind::Disconnect(lossy(first))),
        _ if first == b"tick" => {
            parse_decimal(core::str::from_utf8(second).ok()?).map(EventKind::Tick)
        }
        _ => None,
    }
}

/// The line-by-line state of [`Stream`].
#[derive(Debug, Default)]
struct Reader {
    transcript: Transcript,
    /// Still reading the header (no protocol line or event seen yet).
    header_done: bool,
    /// The last protocol line is collecting payload lines.
    collecting: bool,
    /// Declared connection names and kinds.
    kinds: HashMap<String, ServerKind>,
    /// Header keys already seen among `source`, `server`, `versions`.
    seen_source: bool,
    seen_server: bool,
    seen_versions: bool,
    /// The first protocol line: its line number and whether it is tagged.
    first_protocol: Option<(usize, bool)>,
    mixing_reported: bool,
    first_untagged: Option<usize>,
    /// The target lines of the `# expect:` lines, and those of them that are protocol lines.
    expect_targets: HashSet<usize>,
    expect_hits: HashSet<usize>,
    /// How many protocol lines [`Reader::drain`] gave out.
    lines_given: usize,
}

impl Reader {
    fn problem(&mut self, line: usize, kind: ProblemKind) {
        self.transcript.problems.push(Problem { line, kind });
    }

    fn payload(&mut self, line: usize, raw: &[u8]) {
        if let Some(last) = self.transcript.lines.last_mut() {
            last.payload_lines.push(PayloadLine {
                line,
                bytes: raw.to_vec(),
            });
        }
    }

    fn line(&mut self, line: usize, raw: &[u8]) {
        match classify(raw) {
            LineClass::Protocol {
                direction,
                tag,
                text,
            } => self.protocol_line(line, direction, tag, text),
            LineClass::MissingSpace(prefix) => {
                self.problem(
                    line,
                    ProblemKind::MissingSpaceAfterPrefix {
                        prefix: lossy(prefix),
                    },
                );
                if self.collecting {
                    self.payload(line, raw);
                }
            }
            LineClass::BadTag(prefix) => {
                self.problem(
                    line,
                    ProblemKind::BadTag {
                        prefix: lossy(prefix),
                    },
                );
                if self.collecting {
                    self.payload(line, raw);
                }
            }
            LineClass::Event(after) => {
                self.header_done = true;
                self.collecting = false;
                self.event(line, after);
            }
            LineClass::Hash if self.collecting => self.payload(line, raw),
            LineClass::Hash if !self.header_done => self.header_line(line, raw),
            LineClass::Hash => self.problem(line, ProblemKind::HashLineAfterHeader),
            LineClass::Empty | LineClass::Text if self.collecting => self.payload(line, raw),
            LineClass::Empty => {}
            LineClass::Text => self.problem(line, ProblemKind::StrayText),
        }
    }

    fn protocol_line(
        &mut self,
        line: usize,
        direction: Direction,
        tag: Option<&[u8]>,
        text: &[u8],
    ) {
        self.header_done = true;
        self.collecting = true;
        let tagged = tag.is_some();
        match self.first_protocol {
            None => self.first_protocol = Some((line, tagged)),
            Some((first, first_tagged)) if first_tagged != tagged && !self.mixing_reported => {
                self.mixing_reported = true;
                let kind = if tagged {
                    ProblemKind::TaggedLineInUntaggedFile { first }
                } else {
                    ProblemKind::UntaggedLineInTaggedFile { first }
                };
                self.problem(line, kind);
            }
            Some(_) => {}
        }
        if self.expect_targets.contains(&line) {
            self.expect_hits.insert(line);
        }
        let connection = tag.map(lossy);
        let connection_kind = match &connection {
            Some(name) => {
                let kind = self.kinds.get(name).copied();
                if kind.is_none() {
                    self.problem(line, ProblemKind::UnknownConnection { name: name.clone() });
                }
                kind
            }
            None => {
                self.first_untagged.get_or_insert(line);
                None
            }
        };
        self.transcript.lines.push(ProtocolLine {
            line,
            direction,
            connection,
            connection_kind,
            text: text.to_vec(),
            payload_lines: Vec::new(),
        });
    }

    fn event(&mut self, line: usize, after: &[u8]) {
        let Some(kind) = parse_event(after) else {
            self.problem(
                line,
                ProblemKind::MalformedEvent {
                    value: lossy(after),
                },
            );
            return;
        };
        let unknown = match &kind {
            EventKind::Connect(name) | EventKind::Disconnect(name)
                if !self.kinds.contains_key(name) =>
            {
                Some(name.clone())
            }
            _ => None,
        };
        if let Some(name) = unknown {
            self.problem(line, ProblemKind::UnknownConnection { name });
        }
        self.transcript.events.push(Event { line, kind });
    }

    fn header_line(&mut self, line: usize, raw: &[u8]) {
        let Some((key, value)) = split_header_line(raw) else {
            self.problem(line, ProblemKind::MalformedHeaderLine);
            return;
        };
        let value = lossy(value);
        let header = &mut self.transcript.header;
        match key {
            b"source" | b"server" | b"versions" => {
                let seen = match key {
                    b"source" => &mut self.seen_source,
                    b"server" => &mut self.seen_server,
                    _ => &mut self.seen_versions,
                };
                if core::mem::replace(seen, true) {
                    let key = lossy(key);
                    self.problem(line, ProblemKind::DuplicateHeaderKey { key });
                    return;
                }
                match key {
                    b"source" => header.source = Some(value),
                    b"versions" => header.versions = Some(value),
                    _ => match parse_server(&value) {
                        Some(server) => header.server = Some(server),
                        None => self.problem(line, ProblemKind::BadServer { value }),
                    },
                }
            }
            b"note" => header.notes.push(value),
            b"transformed" => header.transformed.push(value),
            b"expect" => match parse_expectation(&value, line) {
                Some(expectation) => {
                    self.expect_targets.insert(expectation.line);
                    header.expect.push(expectation);
                }
                None => self.problem(line, ProblemKind::BadExpectation { value }),
            },
            b"connection" => match parse_connection(&value, line) {
                Some(decl) if self.kinds.contains_key(&decl.name) => {
                    let name = decl.name;
                    self.problem(line, ProblemKind::DuplicateConnection { name });
                }
                Some(decl) => {
                    self.kinds.insert(decl.name.clone(), decl.kind);
                    self.transcript.connections.push(decl);
                }
                None => self.problem(line, ProblemKind::BadConnectionDeclaration { value }),
            },
            _ => header.other.push((lossy(key), value)),
        }
    }

    /// The complete items: every problem, every event, and every protocol line but one still
    /// collecting payload lines (unless `all`); lines and events merged in file order.
    fn drain(&mut self, all: bool) -> Vec<Item> {
        let t = &mut self.transcript;
        let keep = usize::from(!all && self.collecting && !t.lines.is_empty());
        let lines: Vec<ProtocolLine> = t.lines.drain(..t.lines.len() - keep).collect();
        self.lines_given = self.lines_given.saturating_add(lines.len());
        let mut items: Vec<Item> = t.problems.drain(..).map(Item::Problem).collect();
        let mut events = t.events.drain(..).peekable();
        for line in lines {
            while let Some(e) = events.next_if(|e| e.line < line.line) {
                items.push(Item::Event(e));
            }
            items.push(Item::Line(line));
        }
        items.extend(events.map(Item::Event));
        items
    }

    /// The problems only the end of the file shows.
    fn finish(&mut self) -> Vec<Problem> {
        let mut found = Vec::new();
        if let Some(line) = self.first_untagged.filter(|_| !self.seen_server) {
            found.push(Problem {
                line,
                kind: ProblemKind::MissingServer,
            });
        }
        if self.lines_given == 0 {
            found.push(Problem {
                line: 0,
                kind: ProblemKind::NoProtocolLines,
            });
        }
        let mut targets = HashSet::new();
        for expectation in &self.transcript.header.expect {
            let target = expectation.line;
            if !self.expect_hits.contains(&target) {
                found.push(Problem {
                    line: expectation.declared_at,
                    kind: ProblemKind::ExpectationNotOnProtocolLine { target },
                });
            }
            if !targets.insert(target) {
                found.push(Problem {
                    line: expectation.declared_at,
                    kind: ProblemKind::DuplicateExpectation { target },
                });
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lines_follows_the_final_lf_rule() {
        let split = |input: &[u8]| split_lines(input).map(<[u8]>::to_vec).collect::<Vec<_>>();
        assert!(split(b"").is_empty());
        assert_eq!(split(b"\n"), [b"".to_vec()]);
        assert_eq!(split(b"a"), [b"a".to_vec()]);
        assert_eq!(split(b"a\n"), [b"a".to_vec()]);
        assert_eq!(split(b"a\n\n"), [b"a".to_vec(), b"".to_vec()]);
        assert_eq!(split(b"a\nb"), [b"a".to_vec(), b"b".to_vec()]);
        assert_eq!(
            split(b"\n\na\n"),
            [b"".to_vec(), b"".to_vec(), b"a".to_vec()]
        );
    }

    #[test]
    fn header_line_grammar() {
        assert_eq!(
            split_header_line(b"# source: x y "),
            Some((&b"source"[..], &b"x y"[..]))
        );
        assert_eq!(
            split_header_line(b"# note:"),
            Some((&b"note"[..], &b""[..]))
        );
        assert_eq!(split_header_line(b"#source: x"), None);
        assert_eq!(split_header_line(b"# source:x"), None);
        assert_eq!(split_header_line(b"# so urce: x"), None);
        assert_eq!(split_header_line(b"# : x"), None);
        assert_eq!(split_header_line(b"#"), None);
        assert_eq!(split_header_line(b"# http://example.com"), None);
    }

    #[test]
    fn server_specs() {
        use ServerKind::{Dispatch as Ds, Notification as Ns, Switchboard as Sb};
        let spec = |s: &str| parse_server(s).map(|spec| (spec.kinds, spec.both_connections));
        assert_eq!(spec("NS"), Some((vec![Ns], false)));
        assert_eq!(spec("DS/NS"), Some((vec![Ds, Ns], false)));
        assert_eq!(spec("NS/SB"), Some((vec![Ns, Sb], false)));
        assert_eq!(spec("NS+SB"), Some((vec![Ns, Sb], true)));
        assert_eq!(spec("SB+NS"), Some((vec![Sb, Ns], true)));
        assert_eq!(spec("NS/SB+DS"), None);
        assert_eq!(spec("NS/NS"), None);
        assert_eq!(spec("ns"), None);
        assert_eq!(spec(""), None);
        assert_eq!(spec("NS/"), None);
    }

    #[test]
    fn events() {
        assert_eq!(
            parse_event(b" a connect"),
            Some(EventKind::Connect("a".into()))
        );
        assert_eq!(
            parse_event(b" tick disconnect"),
            Some(EventKind::Disconnect("tick".into()))
        );
        assert_eq!(parse_event(b" tick 0"), Some(EventKind::Tick(0)));
        assert_eq!(parse_event(b" tick +1"), None);
        assert_eq!(parse_event(b" tick 99999999999999999999999"), None);
        assert_eq!(parse_event(b"a connect"), None);
        assert_eq!(parse_event(b" a connect now"), None);
        assert_eq!(parse_event(b" a@b connect"), None);
        assert_eq!(parse_event(b" a open"), None);
        assert_eq!(parse_event(b""), None);
    }

    #[test]
    fn expectations() {
        let exp = parse_expectation("12 error the MDS typo", 3);
        assert_eq!(
            exp,
            Some(Expectation {
                line: 12,
                result: ExpectedResult::Error,
                reason: "the MDS typo".into(),
                declared_at: 3
            })
        );
        assert_eq!(
            parse_expectation("4 lenient", 1).map(|e| (e.result, e.reason)),
            Some((ExpectedResult::Lenient, String::new()))
        );
        assert_eq!(parse_expectation("0 error x", 1), None);
        assert_eq!(parse_expectation("x error", 1), None);
        assert_eq!(parse_expectation("4 fails", 1), None);
        assert_eq!(parse_expectation("", 1), None);
    }
}
