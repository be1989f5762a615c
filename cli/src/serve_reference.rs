//! `msnp6 serve --reference`: the reference state machine behind real sockets, for testing
//! clients and probes — not for production (nothing persists).

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use msnp6_oracle::model::AccountSpec;
use msnp6_probe::reference::{Config, ReferenceServer, Running};

use crate::diag::diag;

/// The options of `serve` that only `--reference` takes.
#[derive(Debug, Args)]
pub(crate) struct ReferenceOptions {
    /// With --reference: an account as HANDLE:PASSWORD (repeatable); its display name is the
    /// handle's local part.
    #[arg(long = "account", value_name = "HANDLE:PASSWORD", value_parser = parse_account, requires = "reference")]
    accounts: Vec<AccountSpec>,
    /// With --reference: seed of the server-chosen values (salts, challenges, cookies, session
    /// ids).
    #[arg(long, default_value_t = 1, requires = "reference")]
    seed: u64,
    /// With --reference: stop after this many seconds.
    #[arg(long, value_name = "SECONDS", requires = "reference")]
    time_limit: Option<u64>,
    /// With --reference: start with one deliberate fault (test builds only; `--fault list`
    /// names them).
    #[cfg(feature = "faults")]
    #[arg(long, value_name = "NAME", requires = "reference")]
    fault: Option<String>,
}

fn parse_account(s: &str) -> Result<AccountSpec, String> {
    let (handle, password) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not HANDLE:PASSWORD"))?;
    let name = handle.split('@').next().unwrap_or(handle);
    Ok(AccountSpec::new(handle, password, name))
}

/// Runs the reference server until SIGINT, SIGTERM or the time limit.
pub(crate) fn run(
    args: &ReferenceOptions,
    (ds, ns, sb): (SocketAddr, SocketAddr, SocketAddr),
    max_connections: Option<usize>,
) -> ExitCode {
    let mut config = Config::loopback().with_seed(args.seed);
    (config.ds, config.ns, config.sb) = (ds, ns, sb);
    config.max_connections = max_connections.unwrap_or(64);
    if !args.accounts.is_empty() {
        config.accounts = args.accounts.clone();
    }
    #[cfg(feature = "faults")]
    if let Some(name) = &args.fault {
        match fault(name) {
            Ok(f) => config.fault = Some(f),
            Err(code) => return code,
        }
    }
    let running = match ReferenceServer::start(config) {
        Ok(r) => r,
        Err(e) => {
            diag!("msnp6: {e}");
            return ExitCode::from(2);
        }
    };
    // The signal handlers are in place before the addresses are printed: whoever reads them may
    // signal at once.
    let stopped = wait_for_stop(args.time_limit, || announce(&running));
    running.shutdown();
    match stopped {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            diag!("msnp6: cannot wait for signals: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(feature = "faults")]
fn fault(name: &str) -> Result<msnp6_probe::reference::Fault, ExitCode> {
    use msnp6_probe::reference::Fault;
    if name == "list" {
        for f in Fault::ALL {
            println!("{f}\t{}", f.rule());
        }
        return Err(ExitCode::SUCCESS);
    }
    Fault::from_name(name).ok_or_else(|| {
        diag!("msnp6: no fault {name:?} (`--fault list` names them)");
        ExitCode::from(2)
    })
}

fn announce(running: &Running) {
    let a = running.addrs();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening ds {}", a.ds);
    let _ = writeln!(out, "listening ns {}", a.ns);
    let _ = writeln!(out, "listening sb {}", a.sb);
    let _ = out.flush();
    diag!("msnp6: reference server, for testing only: nothing persists");
}

/// Installs the SIGINT and SIGTERM handlers, calls `ready`, then blocks until SIGINT, SIGTERM
/// (Unix) or the time limit.
fn wait_for_stop(limit: Option<u64>, ready: impl FnOnce()) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut stop = Signals::install()?;
        ready();
        let limit = async {
            match limit {
                Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = stop.recv() => {}
            () = limit => {}
        }
        Ok(())
    })
}

/// The stop signals, listened to from their installation on.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn recv(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// The stop signal (Ctrl-C) elsewhere.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> std::io::Result<Self> {
        Ok(Signals)
    }

    async fn recv(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
