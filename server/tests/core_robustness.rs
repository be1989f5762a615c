//! Hostile input never panics the core and never grows its state beyond the connections it
//! holds (house rules; issue 20 Proof 4 at the core's level).
//!
//! Many connections (DS, NS, SB; logged in or not) get valid lines, mutated lines and random
//! bytes through the codec's framer, as the shell delivers them, interleaved with ticks,
//! client closes and new connections. Afterwards every connection is closed and the core must
//! hold no connection, session, timer or switchboard session: nothing leaks.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod core_support;

use std::collections::BTreeMap;

use core_support::{Harness, account};
use msnp6::auth::{Password, Salt, login_digest_string};
use msnp6::commands::Command;
use msnp6::types::ServerKind;
use msnp6::{Decoder, Direction, Framer};
use msnp6_server::core::{Config, ConnId, Input, Output};
use msnp6_server::store::MemoryStore;

/// Lines a client might send, valid and not, for every server (reference §3).
const CORPUS: &[&str] = &[
    "VER 1 MSNP6 MSNP5 CVR0",
    "VER 2 CVR0",
    "INF 3",
    "USR 4 MD5 I u0@example.com",
    "USR 5 MD5 S 0123456789abcdef0123456789abcdef",
    "USR 6 CTP I x",
    "CVR 7 0x0409 win 4.10 i386 MSMSGS 3.6.0038 MSMSGS",
    "CVQ 8 0x0409 win 4.10 i386 MSMSGS 1.0.0863",
    "SYN 9 0",
    "SYN 10 4294967295",
    "LST 11 FL",
    "LST 12 RL",
    "GTC 13 N",
    "GTC 14 A",
    "GTC 15 X",
    "BLP 16 BL",
    "BLP 17 AL",
    "BLP 18 XX",
    "ADD 19 FL u1@example.com u1",
    "ADD 20 AL u2@example.com u2",
    "ADD 21 BL u1@example.com u1",
    "ADD 22 RL u3@example.com x",
    "ADD 23 FL a@b a@b",
    "ADD 24 FL nobody@example.com n",
    "ADD 25 FL u0@example.com me",
    "REM 26 FL u1@example.com",
    "REM 27 AL u2@example.com",
    "REM 28 BL u1@example.com",
    "REM 29 RL u1@example.com",
    "REA 30 u0@example.com new%20name",
    "REA 31 u1@example.com friend",
    "REA 32 x@y.z q",
    "PRP 33 PHH 123",
    "PRP 34 MOB Y",
    "PRP 35 MBE Y",
    "PRP 36 NEW x",
    "PRP 37 PHWX 1",
    "PRP 38 MOB Q",
    "CHG 39 NLN",
    "CHG 40 HDN",
    "CHG 41 BSY",
    "CHG 42 FLN",
    "CHG 43 ZZZ",
    "IMS 44 OFF",
    "IMS 45 ON",
    "IMS 46 MAYBE",
    "URL 47 INBOX",
    "URL 48 PASSWORD",
    "URL 49 CHAT",
    "FND 50 fname=a lname=b city=* state=* country=US",
    "FND 51 x=a lname=b city=* state=* country=US",
    "SND 52 u1@example.com 0x0409 MSMSGS MSMSGS",
    "PNG",
    "QNG",
    "SDC 53 u1@example.com 0x0409 MSMSGS MSMSGS X X me 5\r\nhello",
    "PAG 54 u1@example.com 4\r\n<a/>",
    "CHL 55",
    "QRY 56 msmsgs@msnmsgr.com 32\r\n0123456789abcdef0123456789abcdef",
    "QRY 57 PROD0038W!61ZTF9 32\r\n0123456789abcdef0123456789abcdef",
    "XFR 58 SB",
    "XFR 59 NS",
    "CAL 60 u1@example.com",
    "CAL 61 bad-handle",
    "ANS 62 u0@example.com 1.2 123",
    "USR 63 u0@example.com 1.2",
    "MSG 64 A 5\r\nhello",
    "MSG 65 D 2\r\nhi",
    "MSG 66 U 0\r\n",
    "OUT",
    "NLN NLN u1@example.com x",
    "LSG 67",
    "BPR 1 u1@example.com PHH",
    "RNG 1 a:1 CKI c u1@example.com x",
    "ACK 1",
    "200 5",
];

/// splitmix64: the test's own randomness, seeded.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One frame's bytes: a corpus line as it is, mutated, cut short, or random bytes.
fn garbage(rng: &mut Rng) -> Vec<u8> {
    let line = CORPUS[rng.below(CORPUS.len())];
    let mut bytes = format!("{line}\r\n").into_bytes();
    match rng.below(6) {
        0 | 1 => {}
        2 => {
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
        }
        3 => bytes.truncate(rng.below(bytes.len())),
        4 => {
            let len = rng.below(64);
            bytes = (0..len).map(|_| rng.next() as u8).collect();
        }
        _ => {
            // A payload command announcing a length far beyond what follows.
            bytes = format!(
                "QRY {} msmsgs@msnmsgr.com {}\r\n",
                rng.below(99),
                rng.next()
            )
            .into_bytes();
        }
    }
    bytes
}

/// A connection as the driver sees it.
struct Link {
    framer: Framer,
}

/// Runs `events` random events on a core with `config`, then closes everything.
fn hammer(config: Config, seed: u64, events: usize) -> BTreeMap<String, usize> {
    let accounts = (0..6)
        .map(|i| account(&format!("u{i}@example.com"), "pw", &format!("U{i}")))
        .collect();
    let mut h = Harness::with(config, MemoryStore::with_accounts(accounts));
    let mut rng = Rng(seed);
    let mut links: BTreeMap<ConnId, Link> = BTreeMap::new();
    let mut next = 1000u64;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..events {
        match rng.below(20) {
            3 | 4 => {
                // A full login, SYN and CHG: logged-in states are reached over and over.
                let conn = ConnId(next);
                next += 1;
                let user = rng.below(6);
                let out = login(&mut h, conn, user, &mut links);
                count(&mut seen, &out);
            }
            0 => {
                let kind = [
                    ServerKind::Dispatch,
                    ServerKind::Notification,
                    ServerKind::Switchboard,
                ][rng.below(3)];
                let conn = ConnId(next);
                next += 1;
                let out = run(&mut h, Input::Opened { conn, kind }, &mut links);
                assert!(out.is_empty());
                links.insert(conn, link(kind));
            }
            1 => {
                if let Some(&conn) = links.keys().nth(rng.below(links.len().max(1))) {
                    links.remove(&conn);
                    run(&mut h, Input::Closed { conn }, &mut links);
                }
            }
            2 => {
                h.now += rng.below(70_000) as u64;
                run(&mut h, Input::Tick, &mut links);
            }
            _ => {
                let Some(&conn) = links.keys().nth(rng.below(links.len().max(1))) else {
                    continue;
                };
                let bytes = garbage(&mut rng);
                let out = feed(&mut h, conn, &bytes, &mut links);
                count(&mut seen, &out);
            }
        }
        let counts = h.core.counts();
        assert!(
            counts.connections <= links.len() + 4,
            "{counts:?} for {} links",
            links.len()
        );
        assert!(
            counts.timers
                <= 4 * (counts.connections + 1)
                    + counts.sb_sessions
                    + h.core.switchboards().pending_grants()
                    + h.core.switchboards().pending_invitations()
        );
    }
    for conn in links.keys().copied().collect::<Vec<_>>() {
        links.remove(&conn);
        run(&mut h, Input::Closed { conn }, &mut links);
    }
    let counts = h.core.counts();
    assert_eq!(
        (counts.connections, counts.sessions, counts.sb_sessions),
        (0, 0, 0),
        "{counts:?}"
    );
    assert!(h.core.connections().is_empty());
    // What timers are left are the switchboard's cookies and invitations, none of the core's.
    assert_eq!(counts.timers, h.core.switchboards().timers(), "{counts:?}");
    // Shutdown of an empty server sends nothing.
    assert!(run(&mut h, Input::Shutdown, &mut links).is_empty());
    seen
}

/// The replies that show the run reached logged-in states.
fn assert_deep(seen: &BTreeMap<String, usize>) {
    for verb in [
        "ADD", "REM", "REA", "CHG", "NLN", "FLN", "SYN", "PRP", "XFR", "URL", "201", "215",
    ] {
        assert!(seen.contains_key(verb), "no {verb} in {seen:?}");
    }
}

/// Counts the verbs sent.
fn count(seen: &mut BTreeMap<String, usize>, out: &[Output]) {
    for o in out {
        if let Output::Send { command, .. } = o {
            *seen.entry(command.verb().to_owned()).or_default() += 1;
        }
    }
}

/// `u{user}` logs in on a new NS connection `conn` (reference §8), sends SYN and CHG.
fn login(
    h: &mut Harness,
    conn: ConnId,
    user: usize,
    links: &mut BTreeMap<ConnId, Link>,
) -> Vec<Output> {
    let kind = ServerKind::Notification;
    let mut all = run(h, Input::Opened { conn, kind }, links);
    links.insert(conn, link(kind));
    all.extend(feed(h, conn, b"VER 1 MSNP6\r\n", links));
    let out = feed(
        h,
        conn,
        format!("USR 2 MD5 I u{user}@example.com\r\n").as_bytes(),
        links,
    );
    let salt = out.iter().find_map(|o| match o {
        Output::Send {
            command: Command::UsrSalt(s),
            ..
        } => Some(s.salt.as_bytes().to_vec()),
        _ => None,
    });
    all.extend(out);
    let Some(salt) = salt else { return all };
    let digest = login_digest_string(Salt::new(&salt).unwrap(), Password::new(b"pw"));
    all.extend(feed(
        h,
        conn,
        format!("USR 3 MD5 S {digest}\r\n").as_bytes(),
        links,
    ));
    all.extend(feed(h, conn, b"SYN 4 0\r\nCHG 5 NLN\r\n", links));
    all
}

fn link(kind: ServerKind) -> Link {
    Link {
        framer: Framer::new(Decoder::new(Direction::ClientToServer, kind)),
    }
}

/// Bytes through the connection's framer into the core, as the shell delivers them.
fn feed(
    h: &mut Harness,
    conn: ConnId,
    bytes: &[u8],
    links: &mut BTreeMap<ConnId, Link>,
) -> Vec<Output> {
    let mut all = Vec::new();
    let Some(l) = links.get_mut(&conn) else {
        return all;
    };
    l.framer.push(bytes);
    for _ in 0..=bytes.len() {
        let Some(l) = links.get_mut(&conn) else {
            return all;
        };
        let input = match l.framer.next_frame() {
            Ok(None) => return all,
            Ok(Some(f)) => Input::Frame {
                conn,
                command: f.command.into_owned(),
            },
            Err(error) => Input::Undecodable { conn, error },
        };
        let fatal = matches!(&input, Input::Undecodable { error, .. } if error.is_fatal());
        all.extend(run(h, input, links));
        if fatal {
            // The core closed it (reference §14); the driver drops it either way.
            if links.remove(&conn).is_some() {
                all.extend(run(h, Input::Closed { conn }, links));
            }
            return all;
        }
    }
    all
}

/// One input; closes the core asked for are carried out (no more input for them).
fn run(h: &mut Harness, input: Input<'_>, links: &mut BTreeMap<ConnId, Link>) -> Vec<Output> {
    let mut out = Vec::new();
    msnp6_server::core::Machine::handle(&mut h.core, h.now, input, &mut out);
    for o in &out {
        if let Output::Close { conn } = o {
            links.remove(conn);
        }
    }
    out
}

#[test]
fn garbage_on_many_connections_reference_config() {
    let mut seen = BTreeMap::new();
    for seed in 0..8 {
        for (verb, n) in hammer(Config::reference(), seed, 10_000) {
            *seen.entry(verb).or_insert(0) += n;
        }
    }
    assert_deep(&seen);
}

#[test]
fn garbage_on_many_connections_production_config() {
    let mut seen = BTreeMap::new();
    for seed in 100..108 {
        for (verb, n) in hammer(Config::default(), seed, 10_000) {
            *seen.entry(verb).or_insert(0) += n;
        }
    }
    assert_deep(&seen);
}

#[test]
fn connections_that_never_log_in_are_bounded_by_the_login_timeout() {
    // Issue 20 Proof 4: "1,000 connections that never log in".
    let mut h = Harness::with(Config::default(), MemoryStore::default());
    for _ in 0..1000 {
        h.open(ServerKind::Notification);
    }
    assert_eq!(h.core.counts().connections, 1000);
    let out = h.tick(60_000);
    assert_eq!(out.len(), 1000);
    assert_eq!(h.core.counts().connections, 0);
    assert_eq!(h.core.counts().timers, 0);
}
