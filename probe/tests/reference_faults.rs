//! Each deliberate fault of the reference server is visible to the live monitor: a short scripted
//! session over TCP against the faulty server makes the monitor report the fault's rule, and the
//! same session against the correct server conforms.
//!
//! Run with `cargo test -p msnp6-probe --features faults --test reference_faults`.
#![cfg(feature = "faults")]

mod reference_support;

use msnp6_oracle::model::Scenario;
use msnp6_probe::reference::{Clock, Config, Fault, ReferenceServer};
use reference_support::{Harness, Script, server_violations};

/// The session that shows `fault`.
fn script(fault: Fault) -> Scenario {
    let mut s = Script::new();
    s.login("alice");
    match fault {
        Fault::DuplicateAddAccepted => {
            s.send("alice", "ADD {} FL bob@example.com bob\r\n");
            s.send("alice", "ADD {} FL bob@example.com bob\r\n");
        }
        Fault::WrongTrid | Fault::PayloadLengthOffByOne => {
            s.send("alice", "PNG\r\n");
        }
        Fault::VersionNotRaised | Fault::BprMissingAfterAddFl => {
            s.send("alice", "ADD {} FL bob@example.com bob\r\n");
        }
        Fault::WrongQryAccepted => {
            s.send("alice", "CHL {}\r\n");
            s.send(
                "alice",
                "QRY {} msmsgs@msnmsgr.com 32\r\n00000000000000000000000000000000",
            );
        }
        Fault::RngNotSent | Fault::SessionIdNotDecimal => {
            s.login("bob");
            s.call();
        }
        Fault::UnknownIgnored => {
            s.send("alice", "LSG {}\r\n");
            s.send("alice", "CHG {} BSY\r\n");
        }
        Fault::NlnToBlocked => {
            s.login("bob");
            s.send("bob", "ADD {} FL alice@example.com alice\r\n");
            s.send("alice", "ADD {} BL bob@example.com bob\r\n");
            s.send("alice", "CHG {} BSY\r\n");
        }
        _ => panic!("no script for {fault}"),
    }
    s.scenario
}

/// Plays `scenario` against a server with `fault` (or none) and returns the report.
fn play(scenario: &Scenario, fault: Option<Fault>) -> msnp6_oracle::monitor::Report {
    let mut config = Config::loopback()
        .with_accounts(scenario.accounts.clone())
        .with_seed(scenario.seed)
        .with_clock(Clock::Manual);
    config.fault = fault;
    let running = ReferenceServer::start(config).expect("starts on loopback");
    let mut h = Harness::new(&running, scenario);
    h.play_all(scenario);
    let report = h.finish();
    running.shutdown();
    report
}

#[test]
fn every_fault_is_flagged_with_its_rule() {
    let mut failures = String::new();
    for &fault in Fault::ALL {
        let scenario = script(fault);
        let clean = play(&scenario, None);
        if !clean.conforms {
            failures += &format!(
                "{fault}: the correct server does not conform:\n{}",
                server_violations(&clean.violations)
            );
        }
        let faulty = play(&scenario, Some(fault));
        if !faulty.violations.iter().any(|v| v.rule == fault.rule()) {
            failures += &format!(
                "{fault}: no {} violation; got:\n{}{:?}\n",
                fault.rule(),
                server_violations(&faulty.violations),
                faulty.violations
            );
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

#[test]
fn faults_have_names_and_monitor_rules() {
    for &f in Fault::ALL {
        assert_eq!(Fault::from_name(f.name()), Some(f));
        assert!(
            msnp6_oracle::monitor::rule(f.rule()).is_some(),
            "{f}: {} is not a monitor rule",
            f.rule()
        );
    }
    assert_eq!(Fault::from_name("no-such-fault"), None);
}
