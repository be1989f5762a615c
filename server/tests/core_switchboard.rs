//! The switchboard end to end through the core: users log in on the NS, `XFR SB`, SB `USR`,
//! `CAL`, `RNG` on the NS, `ANS`, `IRO`/`JOI`, `MSG` with `ACK`/`NAK`, `BYE`, privacy and limits
//! (reference §3.5, §8, §14; docs/server.md "Switchboard").
#![allow(clippy::unwrap_used)]

use msnp6::auth::{Password, Salt, login_digest_string};

use msnp6::types::{FriendlyName, Handle};
use msnp6::{Decoder, Direction, ServerKind};
use msnp6_server::core::{Config, ConnId, Core, Input, Machine, Millis, Output, SeededEntropy};
use msnp6_server::store::{Account, MemoryStore};

/// A core driven in-process, with every output rendered as `conn LINE` / `conn closed`.
struct World {
    core: Core,
    now: Millis,
    kinds: std::collections::HashMap<u64, ServerKind>,
}

fn account(handle: &str, password: &str, name: &str) -> Account {
    let handle = Handle::new(handle.as_bytes().to_vec()).unwrap();
    let name = FriendlyName::new(name.as_bytes().to_vec()).unwrap();
    Account::new(handle, password, name)
}

impl World {
    fn new(config: Config) -> Self {
        let accounts = vec![
            account("alice@x.com", "pa", "Alice"),
            account("bob@x.com", "pb", "Bob"),
            account("carol@x.com", "pc", "Carol"),
        ];
        let store = Box::new(MemoryStore::with_accounts(accounts));
        let entropy = Box::new(SeededEntropy::new(7));
        let core = Core::new(config, store, entropy).unwrap();
        World {
            core,
            now: 0,
            kinds: Default::default(),
        }
    }

    fn run(&mut self, input: Input<'_>) -> Vec<String> {
        let mut out = Vec::new();
        self.core.handle(self.now, input, &mut out);
        out.iter().filter_map(render).collect()
    }

    fn open(&mut self, conn: u64, kind: ServerKind) -> Vec<String> {
        self.kinds.insert(conn, kind);
        self.run(Input::Opened {
            conn: ConnId(conn),
            kind,
        })
    }

    fn send(&mut self, conn: u64, frame: &str) -> Vec<String> {
        let d = Decoder::new(Direction::ClientToServer, self.kinds[&conn]);
        let command = d.decode(frame.as_bytes()).unwrap().command;
        self.run(Input::Frame {
            conn: ConnId(conn),
            command,
        })
    }

    /// Logs `handle` in on NS connection `conn` and sets it online (reference §8).
    fn login(&mut self, conn: u64, handle: &str, password: &str) {
        self.open(conn, ServerKind::Notification);
        self.send(conn, "VER 1 MSNP6 MSNP5 MSNP4 CVR0\r\n");
        self.send(conn, "INF 2\r\n");
        let salt = self.send(conn, &format!("USR 3 MD5 I {handle}\r\n"));
        let salt = salt[0].rsplit(' ').next().unwrap().to_owned();
        let digest = login_digest_string(
            Salt::new(salt.as_bytes()).unwrap(),
            Password::new(password.as_bytes()),
        );
        let ok = self.send(conn, &format!("USR 4 MD5 S {digest}\r\n"));
        assert!(
            ok[0].starts_with(&format!("{conn} USR 4 OK {handle} ")),
            "{ok:?}"
        );
        self.send(conn, "SYN 5 0\r\n");
        self.send(conn, "CHG 6 NLN\r\n");
    }

    /// `XFR SB` on NS connection `ns`, then SB `USR` on a new SB connection `sb`.
    fn switchboard(&mut self, ns: u64, sb: u64, handle: &str) -> Vec<String> {
        let xfr = self.send(ns, "XFR 20 SB\r\n");
        assert_eq!(xfr.len(), 1, "{xfr:?}");
        let f: Vec<&str> = xfr[0].split(' ').collect();
        assert_eq!(
            &f[..5],
            [&*ns.to_string(), "XFR", "20", "SB", "127.0.0.1:1865"]
        );
        assert_eq!(f[5], "CKI");
        let cookie = f[6].to_owned();
        self.open(sb, ServerKind::Switchboard);
        self.send(sb, &format!("USR 1 {handle} {cookie}\r\n"))
    }
}

fn render(o: &Output) -> Option<String> {
    match o {
        Output::Send { conn, command } => {
            let bytes = command.to_bytes();
            Some(format!(
                "{} {}",
                conn.0,
                String::from_utf8_lossy(&bytes).trim_end()
            ))
        }
        Output::Close { conn } => Some(format!("{} closed", conn.0)),
        _ => None,
    }
}

/// `(session id, cookie)` of an `RNG` line.
fn rng_fields(line: &str) -> (String, String) {
    let f: Vec<&str> = line.split(' ').collect();
    assert_eq!(f[1], "RNG", "{line}");
    assert_eq!(f[3], "127.0.0.1:1865");
    assert_eq!(f[4], "CKI");
    (f[2].to_owned(), f[5].to_owned())
}

const TEXT: &str = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nmessage";

/// Two users: XFR SB, USR, CAL, RNG, ANS, IRO/JOI, MSG A/ACK, MSG N alone/NAK, OUT/BYE.
#[test]
fn two_users_chat() {
    let mut w = World::new(Config::default());
    w.login(1, "alice@x.com", "pa");
    w.login(2, "bob@x.com", "pb");
    assert_eq!(
        w.switchboard(1, 11, "alice@x.com"),
        ["11 USR 1 OK alice@x.com Alice"]
    );
    let cal = w.send(11, "CAL 2 bob@x.com\r\n");
    assert_eq!(cal.len(), 2, "{cal:?}");
    let (session, cookie) = rng_fields(&cal[1]);
    assert_eq!(cal[0], format!("11 CAL 2 RINGING {session}"));
    assert!(cal[1].starts_with("2 RNG "));
    assert!(cal[1].ends_with(" alice@x.com Alice"));
    assert!(session.bytes().all(|b| b.is_ascii_digit()));
    w.open(12, ServerKind::Switchboard);
    assert_eq!(
        w.send(12, &format!("ANS 3 bob@x.com {cookie} {session}\r\n")),
        [
            "12 IRO 3 1 1 alice@x.com Alice",
            "12 ANS 3 OK",
            "11 JOI bob@x.com Bob",
        ]
    );
    assert_eq!(
        w.send(11, &format!("MSG 4 A 69\r\n{TEXT}")),
        [
            format!("12 MSG alice@x.com Alice 69\r\n{TEXT}"),
            "11 ACK 4".to_owned()
        ]
    );
    assert_eq!(w.send(12, "OUT\r\n"), ["11 BYE bob@x.com", "12 closed"]);
    assert_eq!(w.send(11, &format!("MSG 5 N 69\r\n{TEXT}")), ["11 NAK 5"]);
    assert_eq!(w.core.switchboards().sessions(), 1);
    assert!(w.run(Input::Closed { conn: ConnId(11) }).is_empty());
    assert_eq!(w.core.switchboards().sessions(), 0);
    assert_eq!(w.core.switchboards().connections(), 0);
}

/// §14: CAL of someone offline, hidden, blocking the caller, or not yet online: 217; a bad
/// handle 208; oneself 215. The RNG never goes out.
#[test]
fn cal_respects_presence_and_privacy() {
    let mut w = World::new(Config::default());
    w.login(1, "alice@x.com", "pa");
    w.switchboard(1, 11, "alice@x.com");
    assert_eq!(w.send(11, "CAL 2 bob@x.com\r\n"), ["11 217 2"]);
    assert_eq!(w.send(11, "CAL 3 nobody@x.com\r\n"), ["11 217 3"]);
    assert_eq!(w.send(11, "CAL 4 bad-handle\r\n"), ["11 208 4"]);
    assert_eq!(w.send(11, "CAL 5 alice@x.com\r\n"), ["11 215 5"]);
    w.login(2, "bob@x.com", "pb");
    w.send(2, "CHG 7 HDN\r\n");
    assert_eq!(w.send(11, "CAL 6 bob@x.com\r\n"), ["11 217 6"]);
    w.send(2, "CHG 8 NLN\r\n");
    let blocked = w.send(2, "ADD 9 BL alice@x.com alice@x.com\r\n");
    assert!(blocked[0].starts_with("2 ADD 9 BL"), "{blocked:?}");
    assert_eq!(w.send(11, "CAL 7 bob@x.com\r\n"), ["11 217 7"]);
    w.send(2, "REM 10 BL alice@x.com\r\n");
    assert_eq!(w.send(11, "CAL 8 bob@x.com\r\n").len(), 2);
}

/// §14: SB USR with a bad cookie: 911 and close; a cookie works once.
#[test]
fn sb_usr_cookie_once() {
    let mut w = World::new(Config::default());
    w.login(1, "alice@x.com", "pa");
    let xfr = w.send(1, "XFR 20 SB\r\n");
    let cookie = xfr[0].rsplit(' ').next().unwrap().to_owned();
    w.open(11, ServerKind::Switchboard);
    assert_eq!(
        w.send(11, "USR 1 alice@x.com 1.2\r\n"),
        ["11 911 1", "11 closed"]
    );
    w.open(12, ServerKind::Switchboard);
    let usr = format!("USR 1 alice@x.com {cookie}\r\n");
    assert_eq!(w.send(12, &usr), ["12 USR 1 OK alice@x.com Alice"]);
    w.open(13, ServerKind::Switchboard);
    assert_eq!(w.send(13, &usr), ["13 911 1", "13 closed"]);
}

/// Three users in one session, then the server shuts down: `OUT SSD` everywhere.
#[test]
fn three_users_then_shutdown() {
    let mut w = World::new(Config::default());
    w.login(1, "alice@x.com", "pa");
    w.login(2, "bob@x.com", "pb");
    w.login(3, "carol@x.com", "pc");
    w.switchboard(1, 11, "alice@x.com");
    for (ns, sb, handle) in [(2, 12, "bob@x.com"), (3, 13, "carol@x.com")] {
        let cal = w.send(11, &format!("CAL 2 {handle}\r\n"));
        let (session, cookie) = rng_fields(&cal[1]);
        assert!(cal[1].starts_with(&format!("{ns} RNG")));
        w.open(sb, ServerKind::Switchboard);
        let ans = w.send(sb, &format!("ANS 1 {handle} {cookie} {session}\r\n"));
        assert!(ans.contains(&format!("{sb} ANS 1 OK")), "{ans:?}");
    }
    let msg = w.send(13, &format!("MSG 9 U 69\r\n{TEXT}"));
    assert_eq!(msg.len(), 2);
    assert!(msg[0].starts_with("11 MSG carol@x.com Carol 69"));
    assert!(msg[1].starts_with("12 MSG carol@x.com Carol 69"));
    let out = w.run(Input::Shutdown);
    for sb in [11, 12, 13] {
        assert!(out.contains(&format!("{sb} OUT SSD")), "{out:?}");
        assert!(out.contains(&format!("{sb} closed")), "{out:?}");
    }
    assert_eq!(w.core.switchboards().sessions(), 0);
}

/// Limits through the core's configuration: `XFR SB` beyond the per-user limit gets `714`, an
/// SB connection without USR/ANS closes after the login timeout.
#[test]
fn limits_through_config() {
    let config = Config {
        switchboards_per_user: 2,
        ..Config::default()
    };
    let mut w = World::new(config);
    w.login(1, "alice@x.com", "pa");
    assert_eq!(w.send(1, "XFR 20 SB\r\n").len(), 1);
    assert_eq!(w.send(1, "XFR 21 SB\r\n").len(), 1);
    assert_eq!(w.send(1, "XFR 22 SB\r\n"), ["1 714 22"]);
    w.open(11, ServerKind::Switchboard);
    w.now = 60_000;
    let out = w.run(Input::Tick);
    assert!(out.contains(&"11 closed".to_owned()), "{out:?}");
    w.now = 120_001;
    w.run(Input::Tick);
    assert_eq!(w.core.switchboards().pending_grants(), 0);
    assert_eq!(w.send(1, "XFR 23 SB\r\n").len(), 1);
}

/// A rename on the NS after joining shows in the switchboard: relayed MSG, RNG and IRO carry the
/// current display name (as the reference state machine does).
#[test]
fn rename_shows_in_session() {
    let mut w = World::new(Config::default());
    w.login(1, "alice@x.com", "pa");
    w.login(2, "bob@x.com", "pb");
    w.login(3, "carol@x.com", "pc");
    w.switchboard(1, 11, "alice@x.com");
    let rea = w.send(1, "REA 30 alice@x.com Alicia\r\n");
    assert!(rea[0].starts_with("1 REA 30 "), "{rea:?}");
    let cal = w.send(11, "CAL 2 bob@x.com\r\n");
    assert!(cal[1].ends_with(" alice@x.com Alicia"), "{cal:?}");
    let (session, cookie) = rng_fields(&cal[1]);
    w.open(12, ServerKind::Switchboard);
    let ans = w.send(12, &format!("ANS 3 bob@x.com {cookie} {session}\r\n"));
    assert_eq!(ans[0], "12 IRO 3 1 1 alice@x.com Alicia");
    assert_eq!(
        w.send(11, "MSG 4 U 2\r\nhi"),
        ["12 MSG alice@x.com Alicia 2\r\nhi"]
    );
}
