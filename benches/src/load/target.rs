//! The servers the load generator starts, each as a child process (a re-execution of the `load`
//! binary with `serve-child`), so that its RSS and CPU time are its own: (a) the production
//! server (msnp6-server: `Core` + shell + store, accounts and lists created in its store), (b)
//! the reference server (`msnp6_probe::reference`, accounts from its account list, lists built by
//! the clients with `ADD`). A child prints `listening ds ADDR` (and ns, sb), serves until its
//! stdin closes (the parent exited or dropped it) or `max_seconds` pass, then stops: no orphans.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Duration;

use msnp6::types::{FriendlyName, Handle, List};
use msnp6_server::core::{Config as CoreConfig, Core, SeededEntropy};
use msnp6_server::shell::{Server, ShellConfig, ShellLimits};
use msnp6_server::store::{Account, Change, Entry, SqliteStore, Store, StoreError};

use super::client::{contact, handle, password};
use super::{Endpoint, LoadError};

/// Which server a child runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// msnp6-server whose commits are discarded ([`DiscardStore`]): the server without a store.
    ProductionNoStore,
    /// msnp6-server with its accounts in a [`SqliteStore`] (a file in the temp directory; WAL,
    /// `synchronous=FULL`: every acknowledged change is durable).
    ProductionSqlite,
    /// The reference server of `msnp6-probe`.
    Reference,
}

impl Kind {
    /// The name on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Kind::ProductionNoStore => "production-nostore",
            Kind::ProductionSqlite => "production",
            Kind::Reference => "reference",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Kind> {
        [
            Kind::ProductionNoStore,
            Kind::ProductionSqlite,
            Kind::Reference,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A running child server; killed when dropped.
#[derive(Debug)]
pub struct ChildServer {
    child: Child,
    /// How to reach it.
    pub endpoint: Endpoint,
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        // closing its stdin asks it to stop; the kill makes sure
        drop(self.child.stdin.take());
        // a child under a profiler (MSNP6_LOAD_WRAP) takes longer to stop and write its profile
        let wait = if std::env::var_os("MSNP6_LOAD_WRAP").is_some() {
            60
        } else {
            3
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(wait);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a child serving `users` accounts, each with `contacts` contacts where the store can
/// hold them (`max_seconds`: the child stops by itself after that long).
pub fn spawn(
    kind: Kind,
    users: usize,
    contacts: usize,
    max_seconds: u64,
) -> Result<ChildServer, LoadError> {
    let exe =
        std::env::current_exe().map_err(|e| LoadError::Target(format!("current_exe: {e}")))?;
    // MSNP6_LOAD_WRAP="valgrind --tool=callgrind": run the child under a profiler
    let wrap = std::env::var("MSNP6_LOAD_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    let mut command = match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let mut child = command
        .args(["serve-child", kind.name()])
        .args([
            "--users",
            &users.to_string(),
            "--contacts",
            &contacts.to_string(),
        ])
        .args(["--max-seconds", &max_seconds.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| LoadError::Target(format!("spawn: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| LoadError::Target("no stdout".into()))?;
    let mut lines = BufReader::new(stdout).lines();
    let ds = loop {
        let Some(Ok(line)) = lines.next() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LoadError::Target(format!(
                "{} exited before listening",
                kind.name()
            )));
        };
        if let Some(addr) = line.strip_prefix("listening ds ") {
            break addr
                .parse::<SocketAddr>()
                .map_err(|e| LoadError::Target(format!("{line}: {e}")))?;
        }
    };
    let preseeded = kind != Kind::Reference;
    let endpoint = Endpoint {
        name: kind.name().into(),
        ds,
        pid: Some(child.id()),
        preseeded,
    };
    Ok(ChildServer { child, endpoint })
}

/// The child's side: serves `kind` until stdin closes or `max_seconds` pass.
pub fn serve_child(kind: Kind, users: usize, contacts: usize, max_seconds: u64) -> ExitCode {
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        // EOF (or an error) on stdin: the parent is gone or done
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        let _ = stop_tx.send(());
    });
    let stop = move || {
        let _ = stop_rx.recv_timeout(Duration::from_secs(max_seconds));
    };
    let result = match kind {
        Kind::Reference => serve_reference(users, stop),
        _ => serve_production(kind, users, contacts, stop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve-child {}: {e}", kind.name());
            ExitCode::FAILURE
        }
    }
}

fn print_addrs(ds: SocketAddr, ns: SocketAddr, sb: SocketAddr) {
    println!("listening ns {ns}");
    println!("listening sb {sb}");
    // the parent reads up to this line
    println!("listening ds {ds}");
}

fn serve_reference(users: usize, stop: impl FnOnce()) -> Result<(), String> {
    use msnp6_oracle::model::AccountSpec;
    use msnp6_probe::reference::{Config, ReferenceServer};
    let accounts = (0..users)
        .map(|i| AccountSpec::new(&handle(i), &password(i), &format!("load{i}")))
        .collect();
    let mut config = Config::loopback().with_accounts(accounts);
    // every user has an NS connection and up to two switchboard connections at once
    config.max_connections = users * 4 + 64;
    config.max_total_connections = u64::MAX;
    let running = ReferenceServer::start(config).map_err(|e| e.to_string())?;
    let a = running.addrs();
    print_addrs(a.ds, a.ns, a.sb);
    stop();
    running.shutdown();
    Ok(())
}

fn serve_production(
    kind: Kind,
    users: usize,
    contacts: usize,
    stop: impl FnOnce() + Send + 'static,
) -> Result<(), String> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    // MSNP6_LOAD_WORKERS=n: the server's runtime with n worker threads (default: one per CPU).
    if let Some(n) = std::env::var("MSNP6_LOAD_WORKERS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        builder.worker_threads(n);
    }
    let runtime = builder.enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        let limits = ShellLimits {
            max_connections: users * 4 + 64,
            max_per_address: usize::MAX,
            ..ShellLimits::default()
        };
        let server = Server::bind(ShellConfig {
            ds: any,
            ns: any,
            sb: any,
            limits,
        })
        .await
        .map_err(|e| e.to_string())?;
        let a = server.local_addrs();
        let config = CoreConfig {
            ns_addr: a.ns.to_string(),
            sb_addr: a.sb.to_string(),
            ..CoreConfig::default()
        };
        let accounts = accounts(users, contacts)?;
        let store: Box<dyn Store> = if kind == Kind::ProductionSqlite {
            Box::new(sqlite_store(accounts)?)
        } else {
            Box::new(DiscardStore::new(accounts))
        };
        let core = Core::new(config, store, Box::new(SeededEntropy::new(0x6c6f_6164)))
            .map_err(|e| e.to_string())?;
        print_addrs(a.ds, a.ns, a.sb);
        let stopped = tokio::task::spawn_blocking(stop);
        let served = server
            .run_until(core, async move {
                let _ = stopped.await;
            })
            .await;
        match served.commit_failure {
            None => Ok(()),
            Some(e) => Err(format!("a commit failed: {e}")),
        }
    })
}

/// A store that hands out its accounts once and accepts every commit without keeping it: what
/// the core costs without any store. (`MemoryStore` still copies each account a commit changes,
/// to stay all-or-nothing: a store's cost, not the core's.)
#[derive(Debug)]
pub struct DiscardStore {
    accounts: Vec<Account>,
}

impl DiscardStore {
    /// A store that loads `accounts`.
    pub fn new(accounts: Vec<Account>) -> Self {
        DiscardStore { accounts }
    }
}

impl Store for DiscardStore {
    fn load(&mut self) -> Result<Vec<Account>, StoreError> {
        Ok(std::mem::take(&mut self.accounts))
    }

    fn commit(&mut self, _changes: &[Change]) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A fresh SQLite database in the temp directory holding `accounts` (one commit).
fn sqlite_store(accounts: Vec<Account>) -> Result<SqliteStore, String> {
    let path = std::env::temp_dir().join(format!("msnp6-load-{}.sqlite", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut store = SqliteStore::open(&path).map_err(|e| e.to_string())?;
    let changes: Vec<Change> = accounts.into_iter().map(Change::AccountAdded).collect();
    store.commit(&changes).map_err(|e| e.to_string())?;
    Ok(store)
}

/// The users' accounts with their lists: FL and AL hold the next `contacts` users in the ring,
/// RL the previous ones (consistent: B is on A's FL exactly when A is on B's RL).
pub fn accounts(users: usize, contacts: usize) -> Result<Vec<Account>, String> {
    let contacts = contacts.min(users.saturating_sub(1));
    let entry = |i: usize| -> Result<Entry, String> {
        let h = handle(i);
        Ok(Entry {
            handle: Handle::new(h.clone().into_bytes()).map_err(|e| e.to_string())?,
            name: FriendlyName::new(h.into_bytes()).map_err(|e| e.to_string())?,
        })
    };
    (0..users)
        .map(|i| {
            let h = Handle::new(handle(i).into_bytes()).map_err(|e| e.to_string())?;
            let name =
                FriendlyName::new(format!("load{i}").into_bytes()).map_err(|e| e.to_string())?;
            let mut account = Account::new(h, &password(i), name);
            for k in 0..contacts {
                let forward = entry(contact(i, k, users))?;
                account.lists[Account::list_index(List::Forward)].push(forward.clone());
                account.lists[Account::list_index(List::Allow)].push(forward);
                account.lists[Account::list_index(List::Reverse)]
                    .push(entry((i + users - 1 - k) % users)?);
            }
            account.list_version = (3 * contacts) as u32;
            Ok(account)
        })
        .collect()
}

/// The resident set size of process `pid`, KiB (`VmRSS` of /proc/PID/status).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user + system) process `pid` used so far (/proc/PID/stat fields 14 and 15, in
/// clock ticks of 1/100 s: Linux's USER_HZ).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    cpu_split(pid).map(|(user, system)| user + system)
}

/// CPU seconds of process `pid` so far, (user, system): system time is the kernel's work for it
/// (sockets, epoll, scheduling), which callgrind does not see.
pub fn cpu_split(pid: u32) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the command name (field 2) may hold spaces: count fields after its closing parenthesis
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime as f64 / 100.0, stime as f64 / 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_consistent() {
        let accounts = accounts(10, 3).expect("test value");
        for (i, a) in accounts.iter().enumerate() {
            assert_eq!(a.list(List::Forward).len(), 3);
            for e in a.list(List::Forward) {
                let j: usize = e.handle.as_str().expect("test value")[4..]
                    .split('@')
                    .next()
                    .expect("test value")
                    .parse()
                    .expect("test value");
                assert!(
                    accounts[j]
                        .list(List::Reverse)
                        .iter()
                        .any(|r| r.handle == a.handle),
                    "{i} -> {j}"
                );
            }
        }
    }

    #[test]
    fn own_process_has_rss_and_cpu() {
        let pid = std::process::id();
        assert!(rss_kib(pid).expect("test value") > 0);
        assert!(cpu_seconds(pid).is_some());
    }
}
