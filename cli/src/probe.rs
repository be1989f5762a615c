//! `msnp6 probe`: judge a running MSNP6 server with generated client sessions, the live monitor
//! and delta debugging (issue 19; the library is `msnp6_probe`).

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use msnp6_probe::{Config, Finding, Progress, Summary, run};
use serde_json::json;

use crate::diag::{diag, plural};

/// The probe's options.
#[derive(Debug, Args)]
#[command(
    after_help = "Plays generated client sessions (valid and invalid frames, several \
users, switchboards, challenges, reconnects) over TCP, judges every frame the server sends with \
the reference monitor as it arrives, and shrinks each rule broken to a small session saved as a \
transcript (`msnp6 transcript verify` reproduces it). Polite: it connects only to the addresses \
given (and their hosts), at most 24 connections a session, at most 500 frames a second, within \
--time-limit. Exit status: 0 no server-side violation, 1 some, 2 usage error, unreachable server, \
or a server that refuses MSNP6."
)]
pub(crate) struct ProbeArgs {
    /// The dispatch server (HOST:PORT).
    #[arg(long, value_name = "ADDR", value_parser = parse_addr)]
    ds: Option<SocketAddr>,
    /// The notification server (HOST:PORT); asked from the DS (XFR NS) when not given.
    #[arg(long, value_name = "ADDR", value_parser = parse_addr)]
    ns: Option<SocketAddr>,
    /// An account that exists on the server, as HANDLE:PASSWORD (repeatable; several accounts
    /// let sessions reach presence and switchboards between users).
    #[arg(long = "account", value_name = "HANDLE:PASSWORD", value_parser = parse_account, required = true)]
    accounts: Vec<(String, String)>,
    /// Sessions to play at most.
    #[arg(long, default_value_t = 20)]
    sessions: usize,
    /// Seed of the generated sessions (the same seed plays the same sessions).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Bound on the whole run, shrinking included.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    time_limit: u64,
    /// Silence past this, where a reply is owed, is a finding (REPLY-MISSING).
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    reply_timeout: u64,
    /// Where the shrunk transcripts are saved.
    #[arg(long, value_name = "DIR", default_value = "probe-out")]
    out: PathBuf,
    /// One JSON object per finding, then a summary object.
    #[arg(long)]
    json: bool,
}

fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.to_socket_addrs()
        .map_err(|e| format!("{s:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("{s:?} names no address"))
}

fn parse_account(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((h, p)) if !p.is_empty() => match msnp6::types::Handle::new(h.as_bytes()) {
            Ok(_) => Ok((h.to_owned(), p.to_owned())),
            Err(e) => Err(format!("{h:?} is not a handle: {e}")),
        },
        _ => Err(format!("{s:?} is not HANDLE:PASSWORD")),
    }
}

/// Runs the probe: progress on stderr, findings and the summary on stdout.
pub(crate) fn run_probe(args: ProbeArgs) -> ExitCode {
    if args.ds.is_none() && args.ns.is_none() {
        diag!("msnp6 probe: give --ds ADDR and/or --ns ADDR");
        return ExitCode::from(2);
    }
    let mut config = Config::new(args.ds, args.ns, args.accounts);
    config.sessions = args.sessions;
    config.seed = args.seed;
    config.time_limit = Duration::from_secs(args.time_limit);
    config.reply_timeout = Duration::from_millis(args.reply_timeout.max(1));
    config.out = args.out;
    let json = args.json;
    let mut progress = |p: Progress<'_>| match p {
        Progress::Session {
            done,
            planned,
            findings,
        } => diag!(
            "msnp6 probe: session {done}/{planned} done, {}",
            plural(findings, "finding")
        ),
        Progress::Finding(f) => diag!("msnp6 probe: found {} (§{}), shrunk", f.rule, f.section),
    };
    let summary = match run(&config, &mut progress) {
        Ok(s) => s,
        Err(e) => {
            diag!("msnp6 probe: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    for f in &summary.findings {
        let _ = if json {
            writeln!(out, "{}", finding_json(f))
        } else {
            writeln!(out, "{}", finding_line(f))
        };
    }
    let _ = if json {
        writeln!(out, "{}", summary_json(&summary))
    } else {
        writeln!(out, "{}", summary_line(&summary))
    };
    for note in &summary.notes {
        diag!("msnp6 probe: note: {note}");
    }
    if summary.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn finding_line(f: &Finding) -> String {
    let saved = f.transcript.as_ref().map_or_else(
        || "transcript not saved".to_owned(),
        |p| {
            let check = if f.reproduced {
                "reproduces offline"
            } else {
                "does NOT reproduce offline"
            };
            format!("transcript {} ({check})", p.display())
        },
    );
    format!(
        "{} (§{}) [{}] {} -- in {}; shrunk from {} to {} events ({}) in {}; {saved}",
        f.rule,
        f.section,
        f.connection,
        f.message,
        plural(f.sessions, "session"),
        f.events,
        f.shrunk_events,
        plural(f.shrunk_frames, "client frame"),
        if f.shrink_tries == 1 {
            "1 try".to_owned()
        } else {
            format!("{} tries", f.shrink_tries)
        },
    )
}

fn finding_json(f: &Finding) -> serde_json::Value {
    json!({
        "type": "finding",
        "rule": f.rule,
        "section": f.section,
        "message": f.message,
        "connection": f.connection,
        "session": f.session,
        "sessions": f.sessions,
        "events": f.events,
        "shrunk_events": f.shrunk_events,
        "shrunk_client_frames": f.shrunk_frames,
        "shrink_tries": f.shrink_tries,
        "transcript": f.transcript.as_ref().map(|p| p.display().to_string()),
        "reproduced": f.reproduced,
    })
}

fn summary_line(s: &Summary) -> String {
    let rules: Vec<&str> = s.findings.iter().map(|f| f.rule).collect();
    format!(
        "probe: {}, {}, {} in {:.1} s{}{}",
        plural(s.sessions, "session"),
        plural(s.events, "event"),
        plural(s.findings.len(), "finding"),
        s.elapsed.as_secs_f64(),
        if rules.is_empty() {
            String::new()
        } else {
            format!(" ({})", rules.join(", "))
        },
        if s.time_limit_reached {
            "; time limit reached"
        } else {
            ""
        },
    )
}

fn summary_json(s: &Summary) -> serde_json::Value {
    json!({
        "type": "summary",
        "sessions": s.sessions,
        "events": s.events,
        "findings": s.findings.len(),
        "rules": s.findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
        "elapsed_ms": u64::try_from(s.elapsed.as_millis()).unwrap_or(u64::MAX),
        "time_limit_reached": s.time_limit_reached,
        "notes": s.notes,
    })
}
