//! Issue 20 Proof 2, "and the probe against it finds nothing": the production server (the
//! shell, the core with `Config::default()` as `msnp6 serve` builds it, a SQLite store in a
//! temporary file with three accounts) on loopback, probed through the probe's library API
//! (`msnp6_probe::run`, what `msnp6 probe` runs) for several seeds: no finding. And the same
//! probe does flag a server that is wrong: one whose lists are capped at one entry answers the
//! second `ADD` with `210`, where the reference accepts it (reference §12: 150).

mod shell_support;

use std::path::PathBuf;
use std::time::Duration;

use msnp6_probe::{Config as ProbeConfig, Summary, run};
use msnp6_server::core::{Config, Core, OsEntropy};
use msnp6_server::shell::ShellLimits;
use msnp6_server::store::SqliteStore;
use shell_support::{TestServer, account, loopback};

const USERS: [(&str, &str, &str); 3] = [
    ("alice@example.com", "alice-pw", "Alice"),
    ("bob@example.com", "bob-pw", "Bob"),
    ("carol@example.com", "carol-pw", "Carol"),
];

/// A fresh path under the temporary directory for this test (`name`) and process.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("msnp6-server-probe-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// The production server as `msnp6 serve` builds it, with `config` changed by `adjust`, over a
/// SQLite database in `dir` holding the three [`USERS`].
fn start(dir: &std::path::Path, adjust: fn(Config) -> Config) -> TestServer<Core> {
    let mut store = SqliteStore::open(dir.join("msnp6.sqlite")).expect("database");
    for (h, p, n) in USERS {
        assert!(store.add_account(account(h, p, n)).expect("account added"));
    }
    TestServer::start(loopback(ShellLimits::default()), move |addrs| {
        let config = adjust(Config {
            ns_addr: addrs.ns.to_string(),
            sb_addr: addrs.sb.to_string(),
            ..Config::default()
        });
        Core::new(config, Box::new(store), Box::new(OsEntropy)).expect("core")
    })
}

/// Probes `server` with the three accounts, `sessions` sessions of seed `seed`.
fn probe(server: &TestServer<Core>, seed: u64, sessions: usize, out: PathBuf) -> Summary {
    let accounts = USERS
        .iter()
        .map(|(h, p, _)| ((*h).to_owned(), (*p).to_owned()))
        .collect();
    let mut config = ProbeConfig::new(Some(server.addrs.ds), Some(server.addrs.ns), accounts);
    config.seed = seed;
    config.sessions = sessions;
    config.time_limit = Duration::from_secs(60);
    config.reply_timeout = Duration::from_millis(3000);
    config.out = out;
    run(&config, &mut |_| {}).expect("the probe runs")
}

#[test]
fn probing_the_production_server_finds_nothing() {
    let dir = scratch("clean");
    let server = start(&dir, |c| c);
    for seed in [1, 2, 3] {
        let summary = probe(&server, seed, 2, dir.join("probe-out"));
        assert_eq!(summary.sessions, 2, "seed {seed}: {summary:?}");
        // The sessions were played, not cut short: 2 sessions of about 150 events each.
        assert!(summary.events > 150, "seed {seed}: {summary:?}");
        assert!(
            summary.findings.is_empty(),
            "seed {seed}: {:#?}",
            summary.findings
        );
    }
    drop(server.stop());
    let _ = std::fs::remove_dir_all(dir);
}

/// The test above can fail: a server whose lists hold one entry (a deliberately wrong
/// `max_list_entries`) is flagged, the finding is shrunk, saved and reproduced offline.
#[test]
fn the_probe_flags_a_server_with_a_wrong_list_limit() {
    let dir = scratch("capped");
    let server = start(&dir, |c| Config {
        max_list_entries: 1,
        ..c
    });
    let summary = probe(&server, 1, 3, dir.join("probe-out"));
    drop(server.stop());
    assert!(!summary.findings.is_empty(), "{summary:?}");
    let f = &summary.findings[0];
    assert_eq!(f.rule, "ADD-ERROR", "{f:#?}");
    assert!(f.reproduced, "{f:#?}");
    // The shrunk session is small (7 events from 154 with seed 1 when written).
    assert!(f.shrunk_events < f.events, "{f:#?}");
    assert!(f.transcript.as_ref().is_some_and(|t| t.exists()), "{f:#?}");
    let _ = std::fs::remove_dir_all(dir);
}
