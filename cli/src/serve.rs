//! `msnp6 serve`: the MSNP6 server (issue 20) — the DS, NS and SB of msnp6-server's core behind
//! its tokio shell, accounts and lists in a SQLite database.
//!
//! ```text
//! msnp6 serve [--db FILE] [--ds ADDR] [--ns ADDR] [--sb ADDR] [--max-connections N]
//! ```
//! Prints `listening ds ADDR`, `listening ns ADDR`, `listening sb ADDR` on standard output once
//! the three listeners are bound (port 0 gives a free port, reported here), logs to standard
//! error (`RUST_LOG` filters; default `info`), and runs until SIGINT or SIGTERM: then every
//! client gets `OUT SSD`, the connections close and the database is closed. Exit status: 0
//! after a shutdown; 2 if the database cannot be opened or a listener cannot be bound.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use msnp6_server::core::{Config, Core, OsEntropy};
use msnp6_server::shell::{Server, ShellConfig, ShellLimits, kind_name, shutdown_signal};
use msnp6_server::store::SqliteStore;

use crate::diag::diag;

/// The arguments of `serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The database (accounts, lists, properties); created with its schema on first start.
    #[arg(long, value_name = "FILE", default_value = "msnp6.sqlite")]
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
    /// Connections open at once, all listeners together; more are closed at accept.
    #[arg(long, value_name = "N", default_value_t = ShellLimits::default().max_connections)]
    max_connections: usize,
}

/// Runs the server until SIGINT or SIGTERM.
pub(crate) fn run(args: &ServeArgs) -> ExitCode {
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
        Err(e) => {
            diag!("msnp6 serve: {e}");
            ExitCode::from(2)
        }
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

async fn serve(args: &ServeArgs) -> Result<(), String> {
    // The signal handlers first: a SIGTERM right after the addresses are printed is a shutdown.
    let stop = shutdown_signal().map_err(|e| format!("cannot handle signals: {e}"))?;
    let store = SqliteStore::open(&args.db).map_err(|e| format!("{}: {e}", args.db.display()))?;
    let server = Server::bind(ShellConfig {
        ds: args.ds,
        ns: args.ns,
        sb: args.sb,
        limits: ShellLimits {
            max_connections: args.max_connections,
            ..ShellLimits::default()
        },
    })
    .await
    .map_err(|e| e.to_string())?;
    let addrs = server.local_addrs();
    let config = Config {
        ns_addr: addrs.ns.to_string(),
        sb_addr: addrs.sb.to_string(),
        ..Config::default()
    };
    let core = Core::new(config, Box::new(store), Box::new(OsEntropy))
        .map_err(|e| format!("{}: {e}", args.db.display()))?;
    print_addrs(&[
        (kind_name(msnp6::ServerKind::Dispatch), addrs.ds),
        (kind_name(msnp6::ServerKind::Notification), addrs.ns),
        (kind_name(msnp6::ServerKind::Switchboard), addrs.sb),
    ]);
    let core = server.run_until(core, stop).await;
    // The store (and the database connection) closes here.
    drop(core);
    Ok(())
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
