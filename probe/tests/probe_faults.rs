//! Probing each faulty reference server finds its fault: the probe names the fault's rule, shrinks
//! the session that showed it, and the saved transcript reproduces the finding offline
//! (`verify_bytes`, what `msnp6 transcript verify` runs).
//!
//! About 15 s per fault on a loaded 2-vCPU machine, so each is `#[ignore]`d; run them with
//! `cargo test -p msnp6-probe --features faults --test probe_faults -- --include-ignored
//! --nocapture` (the sizes reached are printed). `probe_fault.rs` runs one of them by default.
#![cfg(feature = "faults")]

use std::time::Duration;

use msnp6_oracle::monitor::{VerifyOptions, verify_bytes};
use msnp6_probe::reference::{Config as ServerConfig, Fault, ReferenceServer, demo_accounts};
use msnp6_probe::{Config, run};

/// Probes a server with `fault` and checks the finding of its rule.
fn finds(fault: Fault) {
    let server = ReferenceServer::start(ServerConfig::loopback().with_fault(fault))
        .expect("the reference server starts on loopback");
    let accounts: Vec<(String, String)> = demo_accounts()
        .into_iter()
        .map(|a| (a.handle, a.password))
        .collect();
    let out = std::env::temp_dir().join(format!(
        "msnp6-probe-faults-{}-{}",
        fault.name(),
        std::process::id()
    ));
    let mut config = Config::new(None, Some(server.addrs().ns), accounts.clone());
    config.seed = 1;
    config.sessions = 4;
    config.time_limit = Duration::from_secs(60);
    config.reply_timeout = Duration::from_millis(1500);
    config.out = out.clone();
    let summary = run(&config, &mut |_| {}).expect("the probe runs");
    server.shutdown();

    let rules: Vec<&str> = summary.findings.iter().map(|f| f.rule).collect();
    let finding = summary
        .findings
        .iter()
        .find(|f| f.rule == fault.rule())
        .unwrap_or_else(|| panic!("{fault}: no {} finding; found {rules:?}", fault.rule()));
    println!(
        "{fault}: {} ({}) found in session {}; {} events shrunk to {} ({} client frames) in {} tries; all findings {rules:?}",
        finding.rule,
        finding.section,
        finding.session,
        finding.events,
        finding.shrunk_events,
        finding.shrunk_frames,
        finding.shrink_tries
    );
    assert!(finding.shrunk_events < finding.events, "{finding:#?}");
    assert!(finding.reproduced, "{finding:#?}");
    let path = finding.transcript.as_ref().expect("transcript saved");
    let text = std::fs::read(path).expect("transcript readable");
    let options = accounts
        .iter()
        .fold(VerifyOptions::default(), |o, (h, p)| o.with_account(h, p));
    let report = verify_bytes(&text, &options);
    assert!(
        report.violations.iter().any(|v| v.rule == fault.rule()),
        "{fault}: the saved transcript does not reproduce {}: {report:#?}",
        fault.rule()
    );
    let _ = std::fs::remove_dir_all(out);
}

macro_rules! fault_tests {
    ($($name:ident => $fault:ident,)*) => {
        $(
            #[test]
            #[ignore = "about 15 s each; see the module documentation"]
            fn $name() {
                finds(Fault::$fault);
            }
        )*

        #[test]
        fn every_fault_has_a_test() {
            let covered = [$(Fault::$fault),*];
            for f in Fault::ALL {
                assert!(covered.contains(f), "{f} has no probe test");
            }
        }
    };
}

fault_tests! {
    duplicate_add_accepted => DuplicateAddAccepted,
    wrong_trid => WrongTrid,
    version_not_raised => VersionNotRaised,
    wrong_qry_accepted => WrongQryAccepted,
    rng_not_sent => RngNotSent,
    session_id_not_decimal => SessionIdNotDecimal,
    unknown_ignored => UnknownIgnored,
    payload_length_off_by_one => PayloadLengthOffByOne,
    bpr_missing_after_add_fl => BprMissingAfterAddFl,
    nln_to_blocked => NlnToBlocked,
}
