//! Run: `msnp6 probe` — a preflight (the server is reachable and speaks MSNP6), then sessions
//! until `--sessions` or `--time-limit`; each new rule broken is shrunk, saved as a transcript and
//! checked to reproduce offline ([`msnp6_oracle::monitor::verify_bytes`]).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use msnp6_oracle::monitor::{VerifyOptions, verify_bytes};

use crate::plan::{Limits, Plan};
use crate::session::{Outcome, Target, later, play};
use crate::shrink::shrink;

/// Events generated per session.
pub const STEPS: usize = 150;
/// Candidates played at most when shrinking one finding.
pub const SHRINK_TRIES: usize = 64;
/// The most notes (what the probe could not do) kept in a summary.
const MAX_NOTES: usize = 20;

/// What to probe and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// The dispatch server (`--ds`).
    pub ds: Option<SocketAddr>,
    /// The notification server (`--ns`); asked from the DS (`XFR … NS`) when not given.
    pub ns: Option<SocketAddr>,
    /// The accounts (`--account HANDLE:PASSWORD`), at least one.
    pub accounts: Vec<(String, String)>,
    /// Sessions to play at most (`--sessions`).
    pub sessions: usize,
    /// Seed of the generated sessions (`--seed`).
    pub seed: u64,
    /// Bound on the whole run, shrinking included (`--time-limit`).
    pub time_limit: Duration,
    /// Silence past this is a server that did not reply (`--reply-timeout`).
    pub reply_timeout: Duration,
    /// Where the shrunk transcripts go (`--out`).
    pub out: PathBuf,
    /// Events per session.
    pub steps: usize,
    /// Shrinking tries per finding.
    pub shrink_tries: usize,
}

impl Config {
    /// A configuration with the defaults: 20 sessions, seed 0, 60 s, 2000 ms, `probe-out/`.
    pub fn new(
        ds: Option<SocketAddr>,
        ns: Option<SocketAddr>,
        accounts: Vec<(String, String)>,
    ) -> Self {
        Config {
            ds,
            ns,
            accounts,
            sessions: 20,
            seed: 0,
            time_limit: Duration::from_secs(60),
            reply_timeout: Duration::from_millis(2000),
            out: PathBuf::from("probe-out"),
            steps: STEPS,
            shrink_tries: SHRINK_TRIES,
        }
    }
}

/// Why the probe could not run.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// Neither `--ds` nor `--ns`.
    #[error("no server address: give --ds ADDR and/or --ns ADDR")]
    NoAddress,
    /// No `--account`.
    #[error("no account: give --account HANDLE:PASSWORD (an account that exists on the server)")]
    NoAccount,
    /// Connecting failed.
    #[error("cannot connect to {addr}: {source}")]
    Unreachable {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server answered `VER 1 MSNP6 CVR0` without choosing MSNP6.
    #[error(
        "{addr} refuses MSNP6: it answered `VER 1 MSNP6 CVR0` with `{reply}` (the probe speaks only MSNP6)"
    )]
    Refused {
        /// Where.
        addr: SocketAddr,
        /// The server's reply line.
        reply: String,
    },
    /// The server closed the connection without answering `VER 1 MSNP6 CVR0`.
    #[error("{addr} closed the connection without answering `VER 1 MSNP6 CVR0`")]
    Closed {
        /// Where.
        addr: SocketAddr,
    },
    /// The DS gave no usable NS address.
    #[error("the DS at {addr} gave no NS address the probe may use ({why}); give --ns ADDR")]
    NoReferral {
        /// The DS.
        addr: SocketAddr,
        /// What happened.
        why: String,
    },
}

/// One distinct finding: a rule the server broke, shrunk.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The monitor's rule id.
    pub rule: &'static str,
    /// The reference section.
    pub section: &'static str,
    /// The monitor's message (of the shrunk run).
    pub message: String,
    /// The connection it was on.
    pub connection: String,
    /// The session (0-based) that found it first.
    pub session: usize,
    /// Sessions in which the rule was broken.
    pub sessions: usize,
    /// Events of the session that found it.
    pub events: usize,
    /// Events of the shrunk session.
    pub shrunk_events: usize,
    /// Client frames sent in the shrunk session.
    pub shrunk_frames: usize,
    /// Candidates played while shrinking.
    pub shrink_tries: usize,
    /// The saved transcript, if it could be written.
    pub transcript: Option<PathBuf>,
    /// Whether `transcript verify` of the saved transcript reports the same rule.
    pub reproduced: bool,
}

/// The end of a run.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Sessions played.
    pub sessions: usize,
    /// Events played.
    pub events: usize,
    /// The distinct findings, in the order found.
    pub findings: Vec<Finding>,
    /// Wall time.
    pub elapsed: Duration,
    /// Whether the time limit cut the run.
    pub time_limit_reached: bool,
    /// What the probe could not do (first few).
    pub notes: Vec<String>,
}

/// Progress while a run goes on.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A session ended.
    Session {
        /// Sessions done.
        done: usize,
        /// Sessions planned.
        planned: usize,
        /// Distinct findings so far.
        findings: usize,
    },
    /// A new finding, shrunk and saved.
    Finding(&'a Finding),
}

/// Runs the probe.
pub fn run(config: &Config, progress: &mut dyn FnMut(Progress<'_>)) -> Result<Summary, ProbeError> {
    let started = Instant::now();
    let deadline = later(started, config.time_limit);
    if config.accounts.is_empty() {
        return Err(ProbeError::NoAccount);
    }
    let ns = match (config.ns, config.ds) {
        (Some(ns), _) => ns,
        (None, Some(ds)) => referral(ds, &config.accounts[0].0, config.reply_timeout)?,
        (None, None) => return Err(ProbeError::NoAddress),
    };
    preflight(ns, config.reply_timeout)?;
    if let Some(ds) = config.ds {
        preflight(ds, config.reply_timeout)?;
    }
    let target = Target {
        ds: config.ds,
        ns,
        accounts: config.accounts.clone(),
        reply_timeout: config.reply_timeout,
    };
    let limits = Limits {
        accounts: config.accounts.len(),
        dispatch: config.ds.is_some(),
    };
    let mut summary = Summary {
        sessions: 0,
        events: 0,
        findings: Vec::new(),
        elapsed: Duration::ZERO,
        time_limit_reached: false,
        notes: Vec::new(),
    };
    for index in 0..config.sessions {
        if Instant::now() >= deadline {
            summary.time_limit_reached = true;
            break;
        }
        let plan = Plan::new(config.seed, index as u64, config.steps, limits);
        let outcome = play(&plan.scenario(), &target, deadline);
        summary.sessions += 1;
        summary.events += outcome.played;
        for note in &outcome.notes {
            if summary.notes.len() < MAX_NOTES && !summary.notes.contains(note) {
                summary.notes.push(note.clone());
            }
        }
        let mut rules: Vec<&'static str> = Vec::new();
        for v in &outcome.violations {
            if !rules.contains(&v.rule) {
                rules.push(v.rule);
            }
        }
        for rule in rules {
            if let Some(f) = summary.findings.iter_mut().find(|f| f.rule == rule) {
                f.sessions += 1;
                continue;
            }
            let finding = found(
                config, &target, limits, index, &plan, &outcome, rule, deadline,
            );
            progress(Progress::Finding(&finding));
            summary.findings.push(finding);
        }
        progress(Progress::Session {
            done: summary.sessions,
            planned: config.sessions,
            findings: summary.findings.len(),
        });
    }
    summary.time_limit_reached |= Instant::now() >= deadline;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// A new rule broken in session `index`: shrink, save, check offline.
#[allow(clippy::too_many_arguments)]
fn found(
    config: &Config,
    target: &Target,
    limits: Limits,
    index: usize,
    plan: &Plan,
    outcome: &Outcome,
    rule: &'static str,
    deadline: Instant,
) -> Finding {
    // Half of the time left, so that later findings and sessions get their share.
    let now = Instant::now();
    let budget = now + deadline.saturating_duration_since(now) / 2;
    let shrunk = shrink(
        plan.clone(),
        outcome.clone(),
        rule,
        limits,
        config.shrink_tries,
        budget,
        |candidate| play(&candidate.scenario(), target, budget),
    );
    let violation = shrunk
        .outcome
        .violations
        .iter()
        .find(|v| v.rule == rule)
        .or_else(|| outcome.violations.iter().find(|v| v.rule == rule));
    let (section, message, connection) = violation
        .map_or(("", String::new(), String::new()), |v| {
            (v.section, v.message.clone(), v.connection.clone())
        });
    let note = format!(
        "rule {rule} (§{section}), session {index} of seed {}, shrunk from {} to {} events",
        config.seed, outcome.events, shrunk.outcome.events
    );
    let name = format!("finding-{index}-{}.txt", rule.to_ascii_lowercase());
    let record = &shrunk.outcome.record;
    let transcript = record.save(&config.out, &name, &note).ok();
    let mut options = VerifyOptions::default();
    for (h, p) in &config.accounts {
        options = options.with_account(h.clone(), p.clone());
    }
    let reproduced = verify_bytes(&record.transcript(&note), &options)
        .violations
        .iter()
        .any(|v| v.rule == rule);
    Finding {
        rule,
        section,
        message,
        connection,
        session: index,
        sessions: 1,
        events: outcome.events,
        shrunk_events: shrunk.outcome.events,
        shrunk_frames: record.client_frames(),
        shrink_tries: shrunk.tries,
        transcript,
        reproduced,
    }
}

/// What came back on a connection.
enum Reply {
    /// A line (without its line end; at most 512 bytes).
    Line(String),
    /// The connection closed before any byte.
    Closed,
    /// Nothing within the timeout.
    Silent,
}

/// Reads one line (at most 512 bytes) within `timeout`.
fn read_line(stream: &mut TcpStream, timeout: Duration) -> Reply {
    let _ = stream.set_read_timeout(Some(timeout.max(Duration::from_millis(1))));
    let until = later(Instant::now(), timeout);
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 512 && Instant::now() < until {
        match stream.read(&mut byte) {
            Ok(1) if byte[0] == b'\n' => break,
            Ok(1) => line.push(byte[0]),
            Ok(_) if line.is_empty() => return Reply::Closed,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && line.is_empty() => {
                return Reply::Closed;
            }
            _ => break,
        }
    }
    if line.is_empty() {
        return Reply::Silent;
    }
    Reply::Line(String::from_utf8_lossy(&line).trim_end().to_owned())
}

fn dial(addr: SocketAddr, timeout: Duration) -> Result<TcpStream, ProbeError> {
    TcpStream::connect_timeout(&addr, timeout.max(Duration::from_secs(1)))
        .map_err(|source| ProbeError::Unreachable { addr, source })
}

/// `VER 1 MSNP6 CVR0`: a reply `VER 1 …` without MSNP6 is a refusal (reference §3.1 VER), and
/// so is a close without a reply. A silent server is left to the sessions (the monitor reports
/// the replies it owes).
fn preflight(addr: SocketAddr, timeout: Duration) -> Result<(), ProbeError> {
    let mut stream = dial(addr, timeout)?;
    let _ = stream.write_all(b"VER 1 MSNP6 CVR0\r\n");
    match read_line(&mut stream, timeout) {
        Reply::Line(reply) if refuses(&reply) => Err(ProbeError::Refused { addr, reply }),
        Reply::Closed => Err(ProbeError::Closed { addr }),
        _ => Ok(()),
    }
}

/// A `VER 1 …` reply that does not choose MSNP6.
fn refuses(reply: &str) -> bool {
    reply.starts_with("VER 1 ") && !reply.split(' ').any(|w| w == "MSNP6")
}

/// The NS address from the DS: `VER`, `USR 2 MD5 I handle` → `XFR 2 NS host:port 0` (§3.1, §8).
/// Only an address on the DS's own host is used.
fn referral(ds: SocketAddr, handle: &str, timeout: Duration) -> Result<SocketAddr, ProbeError> {
    let mut stream = dial(ds, timeout)?;
    let no = |why: String| ProbeError::NoReferral { addr: ds, why };
    let _ = stream.write_all(b"VER 1 MSNP6 CVR0\r\n");
    match read_line(&mut stream, timeout) {
        Reply::Line(reply) if refuses(&reply) => {
            return Err(ProbeError::Refused { addr: ds, reply });
        }
        Reply::Closed => return Err(ProbeError::Closed { addr: ds }),
        _ => {}
    }
    let _ = stream.write_all(format!("USR 2 MD5 I {handle}\r\n").as_bytes());
    let Reply::Line(reply) = read_line(&mut stream, timeout) else {
        return Err(no("no reply to USR".into()));
    };
    let words: Vec<&str> = reply.split(' ').collect();
    let addr = match words[..] {
        ["XFR", "2", "NS", addr, ..] => addr
            .parse::<SocketAddr>()
            .map_err(|_| no(format!("`{reply}`")))?,
        _ => return Err(no(format!("`{reply}`"))),
    };
    if addr.ip() != ds.ip() {
        return Err(no(format!("{addr} is not on the DS's host")));
    }
    Ok(addr)
}
