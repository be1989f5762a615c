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
