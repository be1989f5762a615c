//! Each deliberate fault of the reference server is visible to the live monitor: a short scripted
//! session over TCP against the faulty server makes the monitor report the fault's rule, and the
//! same session against the correct server conforms.
//!
//! Run with `cargo test -p msnp6-probe --features faults --test reference_faults`.
#![cfg(feature = "faults")]

mod reference_support;

use msnp6::commands::Command;
use msnp6::{Decoder, Direction, ServerKind};
use msnp6_oracle::model::{AccountSpec, Event, Scenario, Step, World};
use msnp6_probe::reference::{Clock, Config, Fault, ReferenceServer};
use reference_support::{Harness, options, server_violations};

const SEED: u64 = 5;

/// A scripted session, built against a mirror world with the server's seed, so that the salts and
/// cookies the script uses are the server's.
struct Script {
    world: World,
    scenario: Scenario,
    trid: u32,
    last: Step,
}

impl Script {
    fn new() -> Script {
        let accounts = vec![
            AccountSpec::new("alice@example.com", "alice-pw", "alice"),
            AccountSpec::new("bob@example.com", "bob-pw", "bob"),
        ];
        let mut world = World::new(SEED);
        for a in &accounts {
            world.add_account(a);
        }
        let mut scenario = Scenario::new(SEED);
        scenario.accounts = accounts;
        Script {
            world,
            scenario,
            trid: 0,
            last: Step::default(),
        }
    }

    fn event(&mut self, e: Event) {
        self.last = self.world.apply(&e);
        self.scenario.events.push(e);
    }

    fn connect(&mut self, conn: &str, kind: ServerKind) {
        self.event(Event::Connect {
            conn: conn.into(),
            kind,
        });
    }

    /// Sends a client line; `{}` in it is replaced by the next TrID.
    fn send(&mut self, conn: &str, line: &str) {
        self.trid += 1;
        let line = line.replace("{}", &self.trid.to_string());
        let kind = self.world.kind(conn).unwrap_or(ServerKind::Notification);
        let frame = Decoder::new(Direction::ClientToServer, kind)
            .decode(line.as_bytes())
            .unwrap_or_else(|e| panic!("{line:?}: {e}"))
            .command
            .into_owned();
        self.event(Event::Send {
            conn: conn.into(),
            frame,
        });
    }

    /// Logs `who` in on an NS connection of that name: VER, USR I, USR S, SYN, CHG NLN.
    fn login(&mut self, who: &str) {
        let (handle, password) = (format!("{who}@example.com"), format!("{who}-pw"));
        self.connect(who, ServerKind::Notification);
        self.send(who, "VER {} MSNP6 CVR0\r\n");
        self.send(who, &format!("USR {{}} MD5 I {handle}\r\n"));
        let Some(Command::UsrSalt(s)) = self.last.deliveries.first().map(|d| d.command.clone())
        else {
            panic!("no salt: {:?}", self.last);
        };
        let salt = msnp6::auth::Salt::new(s.salt.as_bytes()).expect("salt");
        let digest =
            msnp6::auth::login_digest_string(salt, msnp6::auth::Password::new(password.as_bytes()));
        self.send(who, &format!("USR {{}} MD5 S {digest}\r\n"));
        self.send(who, "SYN {} 0\r\n");
        self.send(who, "CHG {} NLN\r\n");
    }

    /// Alice calls Bob on a switchboard: XFR SB, USR on the SB, CAL.
    fn call(&mut self) {
        self.send("alice", "XFR {} SB\r\n");
        let cookie = self
            .last
            .deliveries
            .iter()
            .find_map(|d| match &d.command {
                Command::XfrSwitchboard(x) => Some(x.cookie.to_string()),
                _ => None,
            })
            .expect("XFR SB answered");
        self.connect("alice-sb", ServerKind::Switchboard);
        self.send(
            "alice-sb",
            &format!("USR {{}} alice@example.com {cookie}\r\n"),
        );
        self.send("alice-sb", "CAL {} bob@example.com\r\n");
    }
}

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
    let mut h = Harness::new(&running, options(scenario));
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
