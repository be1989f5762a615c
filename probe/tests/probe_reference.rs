//! Probing the reference server over loopback finds nothing (issue 19): for several seeds, every
//! session's frames, judged live by the monitor, conform.

use std::time::Duration;

use msnp6_probe::reference::{Config as ServerConfig, ReferenceServer, demo_accounts};
use msnp6_probe::{Config, run};

fn accounts() -> Vec<(String, String)> {
    demo_accounts()
        .into_iter()
        .map(|a| (a.handle, a.password))
        .collect()
}

#[test]
fn probing_the_reference_finds_nothing() {
    let server = ReferenceServer::start(ServerConfig::loopback()).expect("reference starts");
    let addrs = server.addrs();
    let out = std::env::temp_dir().join(format!("msnp6-probe-ref-{}", std::process::id()));
    for seed in [1, 2, 3] {
        let mut config = Config::new(Some(addrs.ds), Some(addrs.ns), accounts());
        config.seed = seed;
        config.sessions = 3;
        config.time_limit = Duration::from_secs(30);
        config.reply_timeout = Duration::from_millis(1500);
        config.out = out.clone();
        let summary = run(&config, &mut |_| {}).expect("the probe runs");
        assert_eq!(summary.sessions, 3, "seed {seed}: {summary:?}");
        assert!(summary.events > 150, "seed {seed}: {summary:?}");
        assert!(
            summary.findings.is_empty(),
            "seed {seed}: {:#?}",
            summary.findings
        );
    }
    server.shutdown();
    let _ = std::fs::remove_dir_all(out);
}

/// The sessions reach deep states on the reference: logins with the real accounts (the login
/// digest recomputed with the server's salt and the real password), and switchboards joined
/// through the server's real cookies and session ids (the learner's translation).
#[test]
fn sessions_log_in_and_reach_switchboards() {
    use msnp6_probe::plan::{Limits, Plan};
    use msnp6_probe::record::Item;
    use msnp6_probe::session::{Target, play};
    use std::time::Instant;

    let server = ReferenceServer::start(ServerConfig::loopback().with_seed(77)).expect("starts");
    let target = Target {
        ds: Some(server.addrs().ds),
        ns: server.addrs().ns,
        accounts: accounts(),
        reply_timeout: Duration::from_millis(1500),
    };
    let limits = Limits {
        accounts: 3,
        dispatch: true,
    };
    let (mut logins, mut joined) = (0, 0);
    for index in 0..3 {
        let plan = Plan::new(11, index, 150, limits);
        let outcome = play(
            &plan.scenario(),
            &target,
            Instant::now() + Duration::from_secs(20),
        );
        assert!(outcome.violations.is_empty(), "{:#?}", outcome.violations);
        for item in &outcome.record.items {
            if let Item::Server(conn, bytes) = item {
                let line = String::from_utf8_lossy(bytes);
                logins += usize::from(line.starts_with("USR ") && line.contains(" OK "));
                joined += usize::from(conn.contains("-sb") && line.starts_with("IRO "));
                joined += usize::from(conn.contains("-sb") && line.starts_with("JOI "));
            }
        }
    }
    server.shutdown();
    assert!(logins >= 6, "{logins} logins");
    assert!(joined >= 1, "{joined} switchboard joins");
}
