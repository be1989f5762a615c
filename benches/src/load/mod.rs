//! The load generator of issue 21 §2: N users log in over loopback and play a realistic mix
//! against a server; it measures commands per second, reply latency by TrID and the server's
//! memory per connection and CPU time. Driven by the `load` binary (`src/load/main.rs`; README,
//! Performance, "Server").
//!
//! A run against one target, in phases, each bounded in time:
//! 1. **login**: every user logs in as reference §8 documents (DS `VER INF USR I` -> `XFR NS`,
//!    NS `VER INF USR I` -> salt, `USR S` with the MD5 digest of [`msnp6::auth`] -> `USR OK`),
//!    at most [`LOGIN_CONCURRENCY`] at a time. The server's RSS before and after gives the
//!    memory per idle connection.
//! 2. **lists** (targets whose store the generator cannot fill): `ADD FL` and `ADD AL` of the
//!    user's [`Config::contacts`] contacts; then `SYN 0` and `CHG NLN` for everyone.
//! 3. **window**: [`Config::seconds`] of the mix ([`mix`]); only requests sent and answered
//!    inside the window count. Then every user sends `OUT` and closes.

pub mod baseline;
pub mod client;
pub mod conn;
pub mod core_mix;
pub mod mix;
pub mod report;
pub mod stats;
pub mod switchboard;
pub mod target;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};

use client::Client;
use conn::{Recorder, Recording};
use stats::Stats;

/// Logins in flight at once (a burst of 1,000 connects would overflow a listen backlog).
pub const LOGIN_CONCURRENCY: usize = 64;

/// Why a client (or the run) failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A socket operation failed.
    #[error("{0}: {1}")]
    Io(&'static str, std::io::Error),
    /// A step did not finish before its deadline.
    #[error("timed out: {0}")]
    Timeout(&'static str),
    /// The server closed the connection where a reply was due.
    #[error("the server closed the connection")]
    Closed,
    /// The server's bytes did not frame.
    #[error("undecodable frame from the server: {0}")]
    Frame(String),
    /// A request answered with an error code.
    #[error("{0} refused with error {1}")]
    Refused(&'static str, u16),
    /// Another frame than the one due.
    #[error("expected {0}, got {1}")]
    Unexpected(&'static str, String),
    /// A value from the server was unusable.
    #[error("bad value from the server: {0}")]
    Protocol(&'static str),
    /// Starting or stopping a target failed.
    #[error("target: {0}")]
    Target(String),
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Users (one NS connection each).
    pub clients: usize,
    /// Length of the measured window.
    pub seconds: f64,
    /// Contacts on each user's FL and AL (so each user has as many watchers).
    pub contacts: usize,
    /// Pause between a reply and the user's next request (0: closed loop, as fast as replies).
    pub think: Duration,
    /// Seed of the users' choices.
    pub seed: u64,
    /// How many users record what they send, for the codec baseline.
    pub record_clients: usize,
}

/// The measured window: requests count when sent and answered in `start..=end`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Start.
    pub start: Instant,
    /// End.
    pub end: Instant,
    /// After `end`, how long a session may take to finish.
    pub grace: Duration,
}

impl Window {
    /// Whether `t` is inside the window.
    pub fn contains(&self, t: Instant) -> bool {
        self.start <= t && t <= self.end
    }
}

/// What every client of a run shares.
#[derive(Debug)]
pub struct Shared {
    /// The target's DS address.
    pub ds: SocketAddr,
    /// Users.
    pub users: usize,
    /// Contacts per user.
    pub contacts: usize,
    /// Seed.
    pub seed: u64,
    /// Pause between requests.
    pub think: Duration,
    /// After the window, how long a client may take to finish.
    pub grace: Duration,
    recorder: Option<Recorder>,
    record_clients: usize,
    sessions: Mutex<Stats>,
    sessions_running: AtomicUsize,
}

impl Shared {
    /// The recorder, for the users that record.
    pub fn recorder_for(&self, index: usize) -> Option<Recorder> {
        self.recorder
            .clone()
            .filter(|_| index < self.record_clients)
    }

    /// A session task starts.
    fn started(&self) {
        self.sessions_running.fetch_add(1, Ordering::SeqCst);
    }

    /// A session task ends with its counts.
    fn finish(&self, stats: &Stats) {
        if let Ok(mut s) = self.sessions.lock() {
            s.merge(stats);
        }
        self.sessions_running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A target to measure: where its DS listens, its process (for RSS and CPU time), and whether
/// its store already holds the users' lists.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// A name for the report.
    pub name: String,
    /// DS address.
    pub ds: SocketAddr,
    /// The server's process, when known.
    pub pid: Option<u32>,
    /// The lists are in the store already (no `ADD` phase).
    pub preseeded: bool,
}

/// What a run against one target measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The target's name.
    pub name: String,
    /// Users that logged in.
    pub logged_in: usize,
    /// Users asked for.
    pub clients: usize,
    /// The window's length in seconds.
    pub seconds: f64,
    /// Counts of every client and session.
    pub stats: Stats,
    /// Server RSS (KiB) before the logins and after them, when the process is known.
    pub rss_kib: Option<(u64, u64)>,
    /// Server CPU seconds (user + system) inside the window, when the process is known.
    pub server_cpu: Option<f64>,
    /// Of the server's CPU seconds, those in the kernel (system time).
    pub server_system_cpu: Option<f64>,
    /// The load generator's own CPU seconds inside the window (it shares the machine).
    pub client_cpu: Option<f64>,
}

/// Runs the three phases against `endpoint`; the recording (if any) receives what the
/// recording users sent.
pub async fn run(config: &Config, endpoint: &Endpoint, recorder: Option<Recorder>) -> Outcome {
    let shared = Arc::new(Shared {
        ds: endpoint.ds,
        users: config.clients,
        contacts: config.contacts.min(config.clients.saturating_sub(1)),
        seed: config.seed,
        think: config.think,
        grace: Duration::from_secs(5),
        recorder,
        record_clients: config.record_clients,
        sessions: Mutex::new(Stats::default()),
        sessions_running: AtomicUsize::new(0),
    });
    let mut stats = Stats::default();
    let rss_before = endpoint.pid.and_then(target::rss_kib);
    let clients = login_all(&shared, &mut stats).await;
    let logged_in = clients.len();
    sleep_until(Instant::now() + Duration::from_millis(300)).await;
    let rss_after = endpoint.pid.and_then(target::rss_kib);
    let clients = prepare_all(&shared, clients, endpoint.preseeded, &mut stats).await;
    let window = Window {
        start: Instant::now() + Duration::from_millis(100),
        end: Instant::now() + Duration::from_millis(100) + Duration::from_secs_f64(config.seconds),
        grace: shared.grace,
    };
    let mut players = JoinSet::new();
    for client in clients {
        players.spawn(client.play(Arc::clone(&shared), window));
    }
    sleep_until(window.start).await;
    let cpu_start = endpoint.pid.and_then(target::cpu_split);
    let own_start = target::cpu_seconds(std::process::id());
    sleep_until(window.end).await;
    let cpu_end = endpoint.pid.and_then(target::cpu_split);
    let own_end = target::cpu_seconds(std::process::id());
    let hard = window.end + shared.grace + Duration::from_secs(1);
    collect(&mut players, &mut stats, hard).await;
    while shared.sessions_running.load(Ordering::SeqCst) > 0 && Instant::now() < hard {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if let Ok(s) = shared.sessions.lock() {
        stats.merge(&s);
    }
    Outcome {
        name: endpoint.name.clone(),
        logged_in,
        clients: config.clients,
        seconds: config.seconds,
        stats,
        rss_kib: rss_before.zip(rss_after),
        server_cpu: cpu_start
            .zip(cpu_end)
            .map(|(a, b)| (b.0 + b.1) - (a.0 + a.1)),
        server_system_cpu: cpu_start.zip(cpu_end).map(|(a, b)| b.1 - a.1),
        client_cpu: own_start.zip(own_end).map(|(a, b)| b - a),
    }
}

/// Phase 1: every user logs in, [`LOGIN_CONCURRENCY`] at a time.
async fn login_all(shared: &Arc<Shared>, stats: &mut Stats) -> Vec<Client> {
    let deadline =
        Instant::now() + Duration::from_secs(30) + Duration::from_millis(30 * shared.users as u64);
    let gate = Arc::new(Semaphore::new(LOGIN_CONCURRENCY));
    let mut set = JoinSet::new();
    for i in 0..shared.users {
        let (shared, gate) = (Arc::clone(shared), Arc::clone(&gate));
        set.spawn(async move {
            let _permit = gate.acquire().await;
            Client::login(&shared, i, deadline)
                .await
                .map_err(|e| format!("login {i}: {e}"))
        });
    }
    let mut clients = Vec::with_capacity(shared.users);
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(c)) => clients.push(c),
            Ok(Err(e)) => stats.fail(e),
            Err(e) => stats.fail(format!("login task: {e}")),
        }
    }
    clients
}

/// Phase 2: lists (unless preseeded), `SYN 0`, `CHG NLN`.
async fn prepare_all(
    shared: &Arc<Shared>,
    clients: Vec<Client>,
    preseeded: bool,
    stats: &mut Stats,
) -> Vec<Client> {
    let deadline =
        Instant::now() + Duration::from_secs(60) + Duration::from_millis(20 * shared.users as u64);
    let gate = Arc::new(Semaphore::new(LOGIN_CONCURRENCY));
    let mut set = JoinSet::new();
    for mut client in clients {
        let (shared, gate) = (Arc::clone(shared), Arc::clone(&gate));
        set.spawn(async move {
            let _permit = gate.acquire().await;
            if !preseeded {
                client
                    .build_lists(&shared, deadline)
                    .await
                    .map_err(|e| format!("lists {}: {e}", client.index))?;
            }
            client
                .go_online(&shared, deadline)
                .await
                .map_err(|e| format!("online {}: {e}", client.index))?;
            Ok::<_, String>(client)
        });
    }
    let mut ready = Vec::with_capacity(shared.users);
    while let Some(r) = set.join_next().await {
        match r {
            Ok(Ok(c)) => ready.push(c),
            Ok(Err(e)) => stats.fail(e),
            Err(e) => stats.fail(format!("prepare task: {e}")),
        }
    }
    ready
}

/// Waits for the players until `hard`, then aborts the rest (counted as failures).
async fn collect(players: &mut JoinSet<Stats>, stats: &mut Stats, hard: Instant) {
    loop {
        match tokio::time::timeout_at(hard, players.join_next()).await {
            Ok(Some(Ok(s))) => stats.merge(&s),
            Ok(Some(Err(e))) => stats.fail(format!("player task: {e}")),
            Ok(None) => return,
            Err(_) => {
                let left = players.len();
                players.abort_all();
                stats.fail(format!(
                    "{left} players still running after the grace period"
                ));
                return;
            }
        }
    }
}

/// A new, empty recording.
pub fn recorder() -> Recorder {
    Arc::new(Mutex::new(Recording::default()))
}
