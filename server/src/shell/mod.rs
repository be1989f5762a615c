//! The tokio shell: sockets, framers, the clock and the timers around a [`Machine`] (the
//! [`Core`](crate::core), or any other). Architecture: docs/server.md, "Shell".
//!
//! * Three listeners (DS, NS, SB) on configurable addresses ([`ShellConfig`]).
//! * One task per connection: it reads through the codec's streaming [`msnp6::Framer`] and
//!   writes the connection's output queue.
//! * One hub, the future [`Server::run_until`] runs: it owns the machine, accepts connections,
//!   feeds the machine every [`Input`](crate::core::Input) with a monotonic clock in
//!   milliseconds (a `Tick` at [`Machine::next_deadline`]) and carries out its outputs in order.
//!   No mutex: the tasks and the hub talk through channels.
//!
//! ```no_run
//! # async fn example<M: msnp6_server::core::Machine>(machine: M) -> Result<(), Box<dyn std::error::Error>> {
//! use msnp6_server::shell::{Server, ShellConfig, shutdown_signal};
//! let stop = shutdown_signal()?;
//! let server = Server::bind(ShellConfig::default()).await?;
//! println!("listening ds {}", server.local_addrs().ds);
//! let stopped = server.run_until(machine, stop).await;
//! if let Some(e) = &stopped.commit_failure {
//!     eprintln!("stopped: a commit failed: {e}");
//! }
//! drop(stopped.machine); // the store, if any, closes here
//! # Ok(()) }
//! ```

mod conn;
mod hub;
mod limits;
mod outbox;
mod redact;

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use msnp6::types::ServerKind;
use tokio::net::TcpListener;

use crate::core::Machine;
use crate::store::StoreError;

pub use limits::ShellLimits;
pub use redact::Redacted;

/// Where the three servers listen, and the shell's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellConfig {
    /// The dispatch server. Default `127.0.0.1:1863`, the documented MSNP port (reference §1.5).
    pub ds: SocketAddr,
    /// The notification server. Default `127.0.0.1:1864`.
    pub ns: SocketAddr,
    /// The switchboard. Default `127.0.0.1:1865`.
    pub sb: SocketAddr,
    /// The shell's limits.
    pub limits: ShellLimits,
}

impl Default for ShellConfig {
    fn default() -> Self {
        let local = |port| SocketAddr::from(([127, 0, 0, 1], port));
        ShellConfig {
            ds: local(1863),
            ns: local(1864),
            sb: local(1865),
            limits: ShellLimits::default(),
        }
    }
}

/// The addresses the three listeners are bound to (with the real ports when port 0 was asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalAddrs {
    /// The dispatch server.
    pub ds: SocketAddr,
    /// The notification server.
    pub ns: SocketAddr,
    /// The switchboard.
    pub sb: SocketAddr,
}

/// Why the shell could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShellError {
    /// A listener could not be bound.
    #[error("cannot listen for the {kind} on {addr}: {source}")]
    Bind {
        /// Which server.
        kind: &'static str,
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
}

/// How [`Server::run_until`] ended.
#[derive(Debug)]
#[must_use = "a failed commit is reported here and nowhere else but the logs"]
pub struct Stopped<M> {
    /// The machine, for the caller to inspect or drop (closing its store).
    pub machine: M,
    /// `Some` when a batch's commit failed: the server stopped by itself, without
    /// acknowledging anything of that batch. `None` when `shutdown` completed and every commit
    /// succeeded.
    pub commit_failure: Option<StoreError>,
}

/// The three listeners, bound and not yet accepting.
#[derive(Debug)]
pub struct Server {
    listeners: [(ServerKind, TcpListener); 3],
    addrs: LocalAddrs,
    limits: ShellLimits,
}

impl Server {
    /// Binds the DS, NS and SB listeners.
    pub async fn bind(config: ShellConfig) -> Result<Server, ShellError> {
        let ds = listen(ServerKind::Dispatch, config.ds).await?;
        let ns = listen(ServerKind::Notification, config.ns).await?;
        let sb = listen(ServerKind::Switchboard, config.sb).await?;
        let addr = |(kind, l): &(ServerKind, TcpListener), asked| {
            l.local_addr().map_err(|source| ShellError::Bind {
                kind: kind_name(*kind),
                addr: asked,
                source,
            })
        };
        let addrs = LocalAddrs {
            ds: addr(&ds, config.ds)?,
            ns: addr(&ns, config.ns)?,
            sb: addr(&sb, config.sb)?,
        };
        Ok(Server {
            listeners: [ds, ns, sb],
            addrs,
            limits: config.limits,
        })
    }

    /// Where the listeners are bound.
    pub fn local_addrs(&self) -> LocalAddrs {
        self.addrs
    }

    /// Serves with `machine` until `shutdown` completes or a batch's commit fails
    /// ([`Machine::end_batch`]; nothing of that batch is acknowledged); then feeds it
    /// `Input::Shutdown` (`OUT SSD` to every client, reference §14), flushes and closes every
    /// connection (waiting at most [`ShellLimits::shutdown_grace`]) and returns the machine, so
    /// that its store is dropped by the caller, cleanly, with the failed commit if there was one.
    pub async fn run_until<M, F>(self, machine: M, shutdown: F) -> Stopped<M>
    where
        M: Machine,
        F: Future<Output = ()>,
    {
        hub::Hub::new(machine, self.limits, self.addrs)
            .run(self.listeners, shutdown)
            .await
    }
}

async fn listen(
    kind: ServerKind,
    addr: SocketAddr,
) -> Result<(ServerKind, TcpListener), ShellError> {
    match TcpListener::bind(addr).await {
        Ok(l) => Ok((kind, l)),
        Err(source) => Err(ShellError::Bind {
            kind: kind_name(kind),
            addr,
            source,
        }),
    }
}

/// The short name used in logs and in `msnp6 serve`'s output: `ds`, `ns`, `sb`.
pub fn kind_name(kind: ServerKind) -> &'static str {
    match kind {
        ServerKind::Dispatch => "ds",
        ServerKind::Notification => "ns",
        _ => "sb",
    }
}

/// Completes at the first SIGINT or SIGTERM (on other platforms, Ctrl-C). The handlers are
/// installed when this is called, not when the future is first polled: call it before telling
/// anyone the server is up.
pub fn shutdown_signal() -> io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => tracing::info!("SIGINT: shutting down"),
                _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("Ctrl-C: shutting down");
        })
    }
}
