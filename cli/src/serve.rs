//! `msnp6 serve`: the MSNP6 server (issue 20) — the DS, NS and SB of msnp6-server's core behind
//! its tokio shell, accounts and lists in a SQLite database.
//!
//! ```text
//! msnp6 serve [--db FILE] [--ds ADDR] [--ns ADDR] [--sb ADDR] [--public-host HOST] [--max-connections N]
//! msnp6 serve --reference [--ds ADDR] [--ns ADDR] [--sb ADDR] [--max-connections N] [--account HANDLE:PASSWORD]... [--seed S] [--time-limit SECONDS]
//! ```
//! With `--reference` it runs the reference server instead (`serve_reference`): the reference
//! state machine behind the same three addresses, for testing clients and probes; nothing
//! persists.
//! Prints `listening ds ADDR`, `listening ns ADDR`, `listening sb ADDR` on standard output once
//! the three listeners are bound (port 0 gives a free port, reported here), logs to standard
//! error (`RUST_LOG` filters; default `info`), and runs until SIGINT or SIGTERM: then every
//! client gets `OUT SSD`, the connections close and the database is closed. Exit status: 0
//! after a shutdown; 1 if a commit to the database failed (the server stops by itself,
//! acknowledging nothing of the batch that failed; docs/server.md, "Shell"); 2 if the database
//! cannot be opened or a listener cannot be bound.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use msnp6::ServerKind;
use msnp6_server::core::{Config, Core, Machine, OsEntropy};
use msnp6_server::shell::{
    LocalAddrs, Server, ShellConfig, ShellLimits, kind_name, shutdown_signal,
};
use msnp6_server::store::SqliteStore;

use crate::diag::diag;
use crate::serve_reference::{self, ReferenceOptions};

/// The arguments of `serve`.
#[derive(Debug, Args)]
#[command(
    after_help = "With --reference: the reference state machine behind sockets, for \
testing clients and probes, not for production: nothing persists (accounts, lists and sessions \
live in memory and are lost when it stops). Without --account it has the demo accounts \
alice@example.com:alice-pw, bob@example.com:bob-pw and carol@example.com:carol-pw."
)]
pub(crate) struct ServeArgs {
    /// The database (accounts, lists, properties); created with its schema on first start.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "msnp6.sqlite",
        conflicts_with = "reference"
    )]
    db: PathBuf,
    /// The dispatch server's address (port 0: any free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:1863")]
    ds: SocketAddr,
    /// The notification server's address, also the one the DS refers clients to.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:1864")]
    ns: SocketAddr,
    /// The switchboard's address, also the one XFR SB and RNG hand out.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:1865")]
    sb: SocketAddr,
    /// The IPv4 address or host name clients reach this machine at: XFR and RNG hand out
    /// HOST:PORT with the NS's and SB's bound ports instead of the bound addresses. Needed when
    /// --ns or --sb binds 0.0.0.0 (or behind a NAT).
    #[arg(long, value_name = "HOST", value_parser = public_host, conflicts_with = "reference")]
    public_host: Option<String>,
    /// Connections open at once, all listeners together; more are closed at accept (default
    /// 1000; with --reference 64).
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// Run the reference server (the reference state machine; in memory, for testing) instead.
    #[arg(long)]
    reference: bool,
    #[command(flatten)]
    reference_options: ReferenceOptions,
}

/// Runs the server until SIGINT or SIGTERM.
pub(crate) fn run(args: &ServeArgs) -> ExitCode {
    if args.reference {
        let addrs = (args.ds, args.ns, args.sb);
        return serve_reference::run(&args.reference_options, addrs, args.max_connections);
    }
    init_logs();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            diag!("msnp6 serve: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Start(e)) => {
            diag!("msnp6 serve: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Commit(e)) => {
            diag!("msnp6 serve: stopped: a commit to the database failed: {e}");
            ExitCode::from(1)
        }
    }
}

/// Why `msnp6 serve` ended other than by a shutdown.
#[derive(Debug)]
enum Failure {
    /// It could not start (the database, the signal handlers, a listener): exit status 2.
    Start(String),
    /// A batch's commit failed and the server stopped itself: exit status 1.
    Commit(String),
}

impl From<String> for Failure {
    fn from(e: String) -> Failure {
        Failure::Start(e)
    }
}

/// Logs to standard error through `tracing`; `RUST_LOG` filters (default `info`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// `msnp6 serve`: the core over the SQLite store.
async fn serve(args: &ServeArgs) -> Result<(), Failure> {
    let db = args.db.display().to_string();
    let host = args.public_host.as_deref();
    for (option, bound) in [("--ns", args.ns), ("--sb", args.sb)] {
        if host.is_none() && bound.ip().is_unspecified() {
            return Err(Failure::Start(format!(
                "{option} {bound}: clients cannot be sent to an unspecified address \
                 (XFR and RNG hand it out); give --public-host HOST"
            )));
        }
    }
    let store = SqliteStore::open(&args.db).map_err(|e| format!("{db}: {e}"))?;
    serve_machine(args, move |addrs| {
        let config = Config {
            ns_addr: handed_out(host, addrs.ns),
            sb_addr: handed_out(host, addrs.sb),
            ..Config::default()
        };
        Core::new(config, Box::new(store), Box::new(OsEntropy)).map_err(|e| format!("{db}: {e}"))
    })
    .await
}

/// What `XFR` and `RNG` hand out for a listener bound at `bound` (reference §3.1 XFR, §3.4
/// RNG: `address:port`): `HOST:port` with `--public-host`, else the bound address.
fn handed_out(public_host: Option<&str>, bound: SocketAddr) -> String {
    match public_host {
        Some(host) => format!("{host}:{}", bound.port()),
        None => bound.to_string(),
    }
}

/// `--public-host`: an IPv4 address or a DNS name (letters, digits, `-` and `.`, at most 253
/// bytes), so that `HOST:port` is one protocol token (no space, no control byte, no `:`).
fn public_host(s: &str) -> Result<String, String> {
    let name_ok = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if s.is_empty() || s.len() > 253 || !name_ok || s.starts_with(['-', '.']) {
        return Err("an IPv4 address or a host name (letters, digits, '-', '.')".to_owned());
    }
    Ok(s.to_owned())
}

/// Binds the listeners, builds the machine from their real addresses (what `XFR` and `RNG`
/// hand out), prints them, and serves until SIGINT or SIGTERM; then the machine is dropped
/// (with its store, if it has one). Any [`Machine`] can be served this way.
async fn serve_machine<M: Machine>(
    args: &ServeArgs,
    make: impl FnOnce(LocalAddrs) -> Result<M, String>,
) -> Result<(), Failure> {
    // The signal handlers first: a SIGTERM right after the addresses are printed is a shutdown.
    let stop = shutdown_signal().map_err(|e| format!("cannot handle signals: {e}"))?;
    let server = Server::bind(ShellConfig {
        ds: args.ds,
        ns: args.ns,
        sb: args.sb,
        limits: ShellLimits {
            max_connections: (args.max_connections)
                .unwrap_or(ShellLimits::default().max_connections),
            ..ShellLimits::default()
        },
    })
    .await
    .map_err(|e| e.to_string())?;
    let addrs = server.local_addrs();
    let machine = make(addrs)?;
    print_addrs(&[
        (kind_name(ServerKind::Dispatch), addrs.ds),
        (kind_name(ServerKind::Notification), addrs.ns),
        (kind_name(ServerKind::Switchboard), addrs.sb),
    ]);
    let stopped = server.run_until(machine, stop).await;
    drop(stopped.machine);
    match stopped.commit_failure {
        None => Ok(()),
        Some(e) => Err(Failure::Commit(e.to_string())),
    }
}

/// `listening KIND ADDR`, one line each, flushed (tests and scripts read them).
fn print_addrs(addrs: &[(&str, SocketAddr)]) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (kind, addr) in addrs {
        let _ = writeln!(out, "listening {kind} {addr}");
    }
    let _ = out.flush();
}
