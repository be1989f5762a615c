//! Judge: every frame of every connection goes to the oracle's live monitor
//! (`msnp6_oracle::monitor::live`) as it crosses; server-side violations are the findings.

use std::time::Instant;

use msnp6::{Direction, ServerKind};
use msnp6_oracle::monitor::{Monitor, Observed, Side, VerifyOptions, Violation};

/// The live monitor of one session, with the session's clock.
#[derive(Debug)]
pub struct Judge {
    monitor: Monitor,
    started: Instant,
}

impl Judge {
    /// A judge that knows these accounts' passwords (login digests are checked, §3.1).
    pub fn new(accounts: &[(String, String)]) -> Judge {
        let mut options = VerifyOptions::default();
        for (handle, password) in accounts {
            options = options.with_account(handle.clone(), password.clone());
        }
        Judge {
            monitor: Monitor::new(options),
            started: Instant::now(),
        }
    }

    /// A connection opened.
    pub fn connect(&mut self, conn: &str, kind: ServerKind) {
        self.monitor.connect(conn, kind);
    }

    /// A connection closed.
    pub fn disconnect(&mut self, conn: &str) {
        self.monitor.disconnect(conn);
    }

    /// A whole frame crossed `conn`: decoded strictly in the dialect in force and observed.
    pub fn frame(&mut self, conn: &str, kind: ServerKind, direction: Direction, bytes: &[u8]) {
        let frame = self.monitor.decode(conn, kind, direction, bytes);
        self.monitor.observe(Observed {
            connection: conn,
            kind,
            direction,
            frame,
            time: self.started.elapsed(),
        });
    }

    /// The dialect the connection's VER reply chose.
    pub fn dialect(&self, conn: &str, kind: ServerKind) -> msnp6::Dialect {
        self.monitor.dialect(conn, kind)
    }

    /// Ends the observation: the server-side violations, those still owed included.
    pub fn finish(self) -> Vec<Violation> {
        server_side(self.monitor.finish().violations)
    }
}

/// Only the server's violations (the client's are the probe's own deliberate mistakes).
pub fn server_side(violations: Vec<Violation>) -> Vec<Violation> {
    violations
        .into_iter()
        .filter(|v| v.side == Side::Server)
        .collect()
}
