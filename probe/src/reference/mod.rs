//! The reference server: the predictor of `msnp6-oracle` ([`World`]) behind real sockets.
//!
//! Three listeners (DS, NS, SB) accept TCP connections on the configured addresses (port 0
//! allowed). Each connection has a reader thread: a [`msnp6::Framer`] (client to server, in the
//! dialect the server's `VER` reply chose) turns its bytes into commands. One core thread owns
//! the [`World`]: every frame becomes `Event::Send`, a client's close `Event::Disconnect`, and
//! what the world sends is written to the connections it names; the connections it closes are
//! closed. A frame that does not decode is answered by closing the connection (reference §14:
//! "An unknown command, a known command out of state, or a TrID that is not an unsigned integer:
//! disconnect"). Time is the real clock in whole seconds ([`Clock::Real`]: challenges expire
//! after 50 s, switchboard logins after 60 s, cookies after 120 s, reference §14), or moved only
//! by [`Running::tick`] ([`Clock::Manual`], for tests that replay a scenario).
//!
//! The NS and SB addresses handed out in `XFR` and `RNG` are the real listening addresses; every
//! other server-chosen value is the model's for the seed, so a scenario generated for that seed
//! plays unchanged.
//!
//! **For testing, not production**: nothing persists, every account lives in memory, and the
//! world remembers every connection it ever had (so the total number of connections over the
//! server's life is bounded too, [`Config::max_total_connections`]).
//!
//! ```no_run
//! use msnp6_probe::reference::{Config, ReferenceServer};
//! let running = ReferenceServer::start(Config::loopback()).unwrap();
//! println!("listening ns {}", running.addrs().ns);
//! running.shutdown();
//! ```

mod core;
#[cfg(feature = "faults")]
mod faults;
mod listen;
mod reader;
mod values;

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[cfg(feature = "faults")]
pub use faults::Fault;
use msnp6::ServerKind;
use msnp6_oracle::model::{AccountSpec, World};

use self::core::{Core, Msg};
use self::listen::Listener;

/// How the server's clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Real time, in whole seconds since the start.
    Real,
    /// Only [`Running::tick`] moves time (tests replaying a scenario).
    Manual,
}

/// How to start a reference server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The dispatch server's listening address.
    pub ds: SocketAddr,
    /// The notification server's listening address.
    pub ns: SocketAddr,
    /// The switchboard server's listening address.
    pub sb: SocketAddr,
    /// The accounts.
    pub accounts: Vec<AccountSpec>,
    /// The seed of the server-chosen values (salts, challenges, cookies, session ids).
    pub seed: u64,
    /// Connections open at once, all roles together; one more is accepted and closed at once.
    pub max_connections: usize,
    /// Connections over the server's life (the world remembers each).
    pub max_total_connections: u64,
    /// The clock.
    pub clock: Clock,
    /// The deliberate fault (feature `faults`, test-only).
    #[cfg(feature = "faults")]
    pub fault: Option<Fault>,
}

/// The demo accounts of [`Config::loopback`]: `alice@example.com:alice-pw`,
/// `bob@example.com:bob-pw`, `carol@example.com:carol-pw`.
pub fn demo_accounts() -> Vec<AccountSpec> {
    ["alice", "bob", "carol"]
        .iter()
        .map(|n| AccountSpec::new(&format!("{n}@example.com"), &format!("{n}-pw"), n))
        .collect()
}

impl Config {
    /// DS, NS and SB on 127.0.0.1 with ports chosen by the system, the demo accounts, seed 1,
    /// 64 connections at once, 100 000 over the server's life, the real clock.
    pub fn loopback() -> Config {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        Config {
            ds: any,
            ns: any,
            sb: any,
            accounts: demo_accounts(),
            seed: 1,
            max_connections: 64,
            max_total_connections: 100_000,
            clock: Clock::Real,
            #[cfg(feature = "faults")]
            fault: None,
        }
    }

    /// The same with these accounts instead.
    pub fn with_accounts(mut self, accounts: Vec<AccountSpec>) -> Config {
        self.accounts = accounts;
        self
    }

    /// The same with this seed.
    pub fn with_seed(mut self, seed: u64) -> Config {
        self.seed = seed;
        self
    }

    /// The same with this clock.
    pub fn with_clock(mut self, clock: Clock) -> Config {
        self.clock = clock;
        self
    }

    /// The same with this fault.
    #[cfg(feature = "faults")]
    pub fn with_fault(mut self, fault: Fault) -> Config {
        self.fault = Some(fault);
        self
    }
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A listener could not bind.
    #[error("cannot listen for the {role} on {addr}: {source}")]
    Bind {
        /// `DS`, `NS` or `SB`.
        role: &'static str,
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// An account is not a valid wire value, or appears twice.
    #[error("account {handle:?}: not a valid handle or name, or given twice")]
    Account {
        /// The handle.
        handle: String,
    },
    /// A thread could not start.
    #[error("cannot start a thread: {0}")]
    Thread(std::io::Error),
}

/// The listening addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addrs {
    /// The dispatch server.
    pub ds: SocketAddr,
    /// The notification server.
    pub ns: SocketAddr,
    /// The switchboard server.
    pub sb: SocketAddr,
}

/// What the core has done with one client connection (identified by the server it connected to
/// and the client's address: one client port may serve connections to two servers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The connection's name in the world (`ns3`, `sb7`, …).
    pub name: String,
    /// Client frames the world has applied (and whose answers are written).
    pub frames: u64,
    /// The connection ended: the client closed it, or the server did.
    pub ended: bool,
}

/// A client connection: the server it connected to, and the client's address.
pub(crate) type Peer = (ServerKind, SocketAddr);

/// The shared table of [`Progress`], by [`Peer`].
pub(crate) type ProgressTable = Arc<Mutex<BTreeMap<Peer, Progress>>>;

/// The reference server.
#[derive(Debug)]
pub struct ReferenceServer;

impl ReferenceServer {
    /// Binds the three listeners and starts the core, listener and reader threads.
    pub fn start(config: Config) -> Result<Running, StartError> {
        let bind = |role, addr| {
            TcpListener::bind(addr).map_err(|source| StartError::Bind { role, addr, source })
        };
        let listeners = [
            (ServerKind::Dispatch, bind("DS", config.ds)?),
            (ServerKind::Notification, bind("NS", config.ns)?),
            (ServerKind::Switchboard, bind("SB", config.sb)?),
        ];
        let addr = |i: usize| {
            listeners[i]
                .1
                .local_addr()
                .map_err(|source| StartError::Bind {
                    role: ["DS", "NS", "SB"][i],
                    addr: [config.ds, config.ns, config.sb][i],
                    source,
                })
        };
        let addrs = Addrs {
            ds: addr(0)?,
            ns: addr(1)?,
            sb: addr(2)?,
        };
        // Checked here; the core builds its own (a world is not `Send`).
        world(&config, &addrs)?;
        let (tx, rx) = mpsc::sync_channel(CORE_QUEUE);
        let stop = Arc::new(AtomicBool::new(false));
        let progress = ProgressTable::default();
        let (core_config, core_progress) = (config.clone(), Arc::clone(&progress));
        let mut threads = vec![spawn("msnp6-reference-core", move || {
            if let Ok(w) = world(&core_config, &addrs) {
                Core::new(w, &core_config, core_progress).run(&rx);
            }
        })?];
        let limits = listen::Limits::new(config.max_connections, config.max_total_connections);
        for (kind, listener) in listeners {
            let l = Listener::new(
                kind,
                listener,
                tx.clone(),
                Arc::clone(&stop),
                limits.clone(),
            )
            .map_err(StartError::Thread)?;
            threads.push(spawn("msnp6-reference-listen", move || l.run())?);
        }
        Ok(Running {
            addrs,
            control: tx,
            progress,
            stop,
            threads,
        })
    }
}

/// The world of `config`, with the real addresses.
fn world(config: &Config, addrs: &Addrs) -> Result<World, StartError> {
    let source = values::Addressed::new(config.seed, addrs.ns.to_string(), addrs.sb.to_string());
    let mut world = World::with_source(Box::new(source));
    for a in &config.accounts {
        if !world.add_account(a) {
            return Err(StartError::Account {
                handle: a.handle.clone(),
            });
        }
    }
    Ok(world)
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, StartError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(f)
        .map_err(StartError::Thread)
}

/// A running reference server. Dropping it stops it, as [`Running::shutdown`] does.
#[derive(Debug)]
pub struct Running {
    addrs: Addrs,
    control: SyncSender<Msg>,
    progress: ProgressTable,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Messages waiting for the core at most: a reader whose client sends faster than the core
/// applies waits (the memory a flood takes is bounded).
const CORE_QUEUE: usize = 1024;

/// How long a control call waits for the core.
const CONTROL_WAIT: Duration = Duration::from_secs(10);

impl Running {
    /// The listening addresses.
    pub fn addrs(&self) -> Addrs {
        self.addrs
    }

    /// What the core has done with the connection to the `kind` server whose client end is
    /// `peer` (the latest such connection: a client port may be used again).
    pub fn progress(&self, kind: ServerKind, peer: SocketAddr) -> Option<Progress> {
        self.progress.lock().ok()?.get(&(kind, peer)).cloned()
    }

    /// Time passes (`Event::Tick`); returns once the world has applied it. With [`Clock::Real`]
    /// this adds to the real clock.
    pub fn tick(&self, seconds: u64) {
        self.control_call(|ack| Msg::Tick { seconds, ack });
    }

    /// The NS challenges the NS connection whose client end is `peer` (`Event::ServerChallenge`,
    /// `CHL 0 …`, reference §3.4); returns once applied, false if no such connection is known.
    pub fn challenge(&self, peer: SocketAddr) -> bool {
        self.control_call(|ack| Msg::Challenge { peer, ack })
            .unwrap_or(false)
    }

    /// `OUT SSD` on every connection, which then closes (`Event::Shutdown`); the listeners stay
    /// open. Returns once applied.
    pub fn announce_shutdown(&self) {
        self.control_call(|ack| Msg::Announce { ack });
    }

    fn control_call<T>(&self, msg: impl FnOnce(Sender<T>) -> Msg) -> Option<T> {
        let (ack, done) = mpsc::channel();
        self.control.send(msg(ack)).ok()?;
        done.recv_timeout(CONTROL_WAIT).ok()
    }

    /// Stops the listeners, the readers and the core, and waits for them.
    pub fn shutdown(mut self) {
        self.stop_threads();
    }

    fn stop_threads(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.control.send(Msg::Stop);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop_threads();
    }
}
