//! The probe finds a deliberate fault of the reference server (a duplicate `ADD` accepted instead
//! of `215`, reference §3.2), names its rule, shrinks the session, and the saved transcript
//! reproduces the finding offline. (Engineer `reference` covers every fault in `probe_faults.rs`.)
//!
//! Run with `cargo test -p msnp6-probe --features faults --test probe_fault`.
#![cfg(feature = "faults")]

use std::time::Duration;

use msnp6_oracle::monitor::{VerifyOptions, verify_bytes};
use msnp6_probe::reference::{Config as ServerConfig, Fault, ReferenceServer, demo_accounts};
use msnp6_probe::{Config, run};

#[test]
fn a_duplicate_add_accepted_is_found_and_shrunk() {
    let server =
        ReferenceServer::start(ServerConfig::loopback().with_fault(Fault::DuplicateAddAccepted))
            .expect("reference starts");
    let addrs = server.addrs();
    let accounts: Vec<(String, String)> = demo_accounts()
        .into_iter()
        .map(|a| (a.handle, a.password))
        .collect();
    let out = std::env::temp_dir().join(format!("msnp6-probe-fault-{}", std::process::id()));
    let mut config = Config::new(None, Some(addrs.ns), accounts.clone());
    config.seed = 1;
    config.sessions = 3;
    config.time_limit = Duration::from_secs(40);
    config.reply_timeout = Duration::from_millis(1500);
    config.out = out.clone();
    let summary = run(&config, &mut |_| {}).expect("the probe runs");
    server.shutdown();

    let finding = summary
        .findings
        .iter()
        .find(|f| f.rule == Fault::DuplicateAddAccepted.rule())
        .unwrap_or_else(|| panic!("{summary:#?}"));
    assert_eq!(finding.rule, "LIST-215");
    assert_eq!(finding.section, "3.2");
    println!(
        "{}: {} events shrunk to {} ({} client frames) in {} tries",
        finding.rule,
        finding.events,
        finding.shrunk_events,
        finding.shrunk_frames,
        finding.shrink_tries
    );
    assert!(finding.shrunk_events < finding.events, "{finding:#?}");
    assert!(finding.shrunk_frames <= 12, "{finding:#?}");
    assert!(finding.reproduced, "{finding:#?}");
    let path = finding.transcript.as_ref().expect("transcript saved");
    let text = std::fs::read(path).expect("transcript readable");
    let mut options = VerifyOptions::default();
    for (h, p) in &accounts {
        options = options.with_account(h.clone(), p.clone());
    }
    let report = verify_bytes(&text, &options);
    assert!(
        report.violations.iter().any(|v| v.rule == "LIST-215"),
        "{report:#?}"
    );
    let _ = std::fs::remove_dir_all(out);
}
