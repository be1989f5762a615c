//! What the monitor reports: violations, each with its line, connection, side and rule.

use core::fmt;

/// Whose line broke a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The server (a conformance failure).
    Server,
    /// The client (reported, but does not affect conformance).
    Client,
}

impl Side {
    /// `server` or `client`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Violation {
    /// Where it is reported: the 1-based file line (transcripts), or the position of the live
    /// call that found it (see [`Monitor::at`](super::Monitor::at)).
    pub line: usize,
    /// The connection: the name given to the live monitor (a transcript's tag name), or the
    /// `# server:` value of an untagged file.
    pub connection: String,
    /// Whose line broke the rule.
    pub side: Side,
    /// The rule's stable id (see [`RULES`](super::RULES)).
    pub rule: &'static str,
    /// The section of the reference the rule implements.
    pub section: &'static str,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} [{}] {} {} (§{}): {}",
            self.line, self.connection, self.side, self.rule, self.section, self.message
        )
    }
}

/// The verdict on one transcript.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Every violation, in the order found (file order of the lines they are reported at, except
    /// omissions found at the end, which come last).
    pub violations: Vec<Violation>,
    /// `true` when no violation is on the server side.
    pub conforms: bool,
}

impl Report {
    /// The server-side violations.
    pub fn server_violations(&self) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(|v| v.side == Side::Server)
    }

    /// The client-side violations.
    pub fn client_violations(&self) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(|v| v.side == Side::Client)
    }

    /// The violations reported at `line`.
    pub fn at_line(&self, line: usize) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(move |v| v.line == line)
    }

    /// The first server-side violation, if any.
    pub fn first_server_violation(&self) -> Option<&Violation> {
        self.server_violations().next()
    }
}
