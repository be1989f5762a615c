//! The reference server over TCP conforms: generated scenarios (the predictor's generator) are
//! played on loopback sockets against a server started with the scenario's accounts and seed,
//! and every connection's frames, fed to the live monitor as they cross, conform.
//!
//! No server-chosen value is learned: the server draws the same salts, challenges, cookies and
//! session ids as the generator's world (same seed), so the generated USR digests, QRY answers
//! and switchboard cookies are right as they are (`reference_server_is_the_model_with_its_seed`
//! checks this: digests are judged by the monitor with the accounts' passwords).

mod reference_support;

use msnp6::ServerKind;
use msnp6::commands::Command;
use msnp6_oracle::model::{AccountSpec, Event, Scenario};
use msnp6_probe::reference::{Clock, Config, ReferenceServer};
use reference_support::{Harness, server_violations};

fn server_for(scenario: &Scenario) -> msnp6_probe::reference::Running {
    let mut config = Config::loopback()
        .with_accounts(scenario.accounts.clone())
        .with_seed(scenario.seed)
        .with_clock(Clock::Manual);
    // Generated scenarios leave many connections open; a closed one frees its place only once
    // its reader has seen the client's end.
    config.max_connections = 512;
    ReferenceServer::start(config).expect("the reference server starts on loopback")
}

/// Plays `scenario` and returns the monitor's report.
fn play(scenario: &Scenario) -> msnp6_oracle::monitor::Report {
    let running = server_for(scenario);
    let mut h = Harness::new(&running, scenario);
    h.play_all(scenario);
    let report = h.finish();
    running.shutdown();
    report
}

#[test]
fn generated_scenarios_conform_over_tcp() {
    let seeds: u64 = std::env::var("MSNP6_REFERENCE_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    for seed in 1..=seeds {
        let scenario = Scenario::random(seed, 400);
        let report = play(&scenario);
        assert!(
            report.conforms,
            "seed {seed}:\n{}",
            server_violations(&report.violations)
        );
    }
}

#[test]
fn reference_server_is_the_model_with_its_seed() {
    // A login with the right digest for the seed's salt: OK. The same scenario against a server
    // with another seed fails the login (the digest is for another salt): the salt is the seed's.
    let scenario = Scenario::new(11)
        .account(AccountSpec::new("alice@example.com", "pw", "alice"))
        .event(Event::Connect {
            conn: "a".into(),
            kind: ServerKind::Notification,
        });
    let mut world = msnp6_oracle::model::World::new(11);
    world.add_account(&scenario.accounts[0]);
    world.apply(&scenario.events[0]);
    let mut scenario = scenario;
    for line in ["VER 1 MSNP6\r\n", "USR 2 MD5 I alice@example.com\r\n"] {
        let frame = msnp6::Decoder::new(msnp6::Direction::ClientToServer, ServerKind::Notification)
            .decode(line.as_bytes())
            .expect("a documented client line")
            .command
            .into_owned();
        let step = world.apply(&Event::Send {
            conn: "a".into(),
            frame: frame.clone(),
        });
        scenario.events.push(Event::Send {
            conn: "a".into(),
            frame,
        });
        if let Some(Command::UsrSalt(s)) = step.deliveries.first().map(|d| &d.command) {
            let salt = msnp6::auth::Salt::new(s.salt.as_bytes()).expect("a salt");
            let digest = msnp6::auth::login_digest_string(salt, msnp6::auth::Password::new(b"pw"));
            let line = format!("USR 3 MD5 S {digest}\r\n");
            let frame =
                msnp6::Decoder::new(msnp6::Direction::ClientToServer, ServerKind::Notification)
                    .decode(line.as_bytes())
                    .expect("USR S")
                    .command
                    .into_owned();
            scenario.events.push(Event::Send {
                conn: "a".into(),
                frame,
            });
        }
    }
    assert_eq!(scenario.events.len(), 4);
    let running = server_for(&scenario);
    let mut h = Harness::new(&running, &scenario);
    h.play_all(&scenario);
    let logged_in = h.is_open("a");
    let report = h.finish();
    assert!(report.conforms, "{}", server_violations(&report.violations));
    assert!(logged_in, "the login with the seed's salt succeeded");
    running.shutdown();

    let mut other = scenario.clone();
    other.seed = 12;
    let running = server_for(&other);
    let mut h = Harness::new(&running, &other);
    h.play_all(&other);
    assert!(!h.is_open("a"), "911 closes");
    running.shutdown();
}
