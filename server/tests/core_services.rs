//! Services, challenges and timeouts (reference §3.1 PNG/OUT, §3.3 IMS, §3.4, §9, §14).
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod core_support;

use core_support::{Harness, Scripted, account};
use msnp6::types::ServerKind;
use msnp6_server::core::{Config, Machine};
use msnp6_server::store::MemoryStore;

fn one() -> Harness {
    Harness::new(vec![
        account("example@hotmail.com", "pw", "example%20user"),
        account("anotheruser@hotmail.com", "pw", "another"),
    ])
}

#[test]
fn url_fnd_sdc_ims_png_known_answers() {
    let mut h = one();
    let ns = h.login("example@hotmail.com", "pw");
    // Reference §3.4 URL, FND, SDC; §3.3 IMS; §3.1 PNG examples.
    assert_eq!(
        h.send(ns, "URL 1 INBOX"),
        ["1: URL 1 /cgi-bin/HoTMaiL https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033 2"]
    );
    assert_eq!(
        h.send(ns, "URL 5 PROFILE 0x0409"),
        [
            "1: URL 5 http://members.msn.com/Edit.asp?lc=1033 https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033 4263"
        ]
    );
    assert_eq!(h.send(ns, "URL 6 PASSWORD"), ["1: 201 6"]);
    assert_eq!(
        h.send(
            ns,
            "FND 2 fname=Another lname=User city=* state=* country=DE"
        ),
        ["1: FND 2 0 0"]
    );
    assert_eq!(
        h.send(ns, "SDC 2 anotheruser@hotmail.com 0x0409 MSMSGS MSMSGS X X example%20name 37\r\nThis will be added to the invitation."),
        ["1: SDC 2 OK"]
    );
    assert_eq!(h.send(ns, "IMS 2 OFF"), ["1: IMS 2 0 OFF"]);
    assert_eq!(h.send(ns, "PNG"), ["1: QNG"]);
    // PAG to someone without MOB Y: 800 (docs/model.md MODEL-PAG).
    assert_eq!(
        h.send(ns, "PAG 1 anotheruser@hotmail.com 61\r\n<TEXT xml:space=\"preserve\">This is an example message.</TEXT>"),
        ["1: 800 1"]
    );
    assert_eq!(h.send(ns, "OUT"), ["1: <close>"]);
}

fn challenged() -> Harness {
    // The challenge of reference §8/§3.4: 11111111111111111111, the ninth value drawn (after
    // the salt's two and the profile MSPAuth's six).
    let entropy = Scripted(
        [1, 2, 3, 4, 5, 6, 7, 8, 11_111_111_111_111_111_111].into(),
        100,
    );
    let store =
        MemoryStore::with_accounts(vec![account("example@hotmail.com", "pw", "example%20user")]);
    Harness::with_entropy(Config::reference(), store, Box::new(entropy))
}

#[test]
fn challenge_and_qry_known_answer() {
    let mut h = challenged();
    let ns = h.login("example@hotmail.com", "pw");
    let mut out = Vec::new();
    h.core.challenge(h.now, ns, &mut out);
    assert_eq!(
        core_support::render(&out),
        ["1: CHL 0 11111111111111111111"]
    );
    assert_eq!(
        h.send(
            ns,
            "QRY 10 msmsgs@msnmsgr.com 32\r\n3b6666b60157322b6fc6e41a115968f5"
        ),
        ["1: QRY 10"]
    );
    // A wrong answer: 540 and close (reference §3.4 QRY).
    assert_eq!(
        h.send(
            ns,
            "QRY 11 msmsgs@msnmsgr.com 32\r\n00000000000000000000000000000000"
        ),
        ["1: 540 11", "1: <close>"]
    );
}

#[test]
fn unanswered_challenge_is_out_and_close_at_50_s() {
    let mut h = challenged();
    let ns = h.login("example@hotmail.com", "pw");
    let mut out = Vec::new();
    h.core.challenge(h.now, ns, &mut out);
    assert_eq!(h.core.next_deadline(), Some(h.now + 50_000));
    assert!(h.tick(49_999).is_empty());
    assert_eq!(h.tick(1), ["1: OUT", "1: <close>"]);
}

#[test]
fn login_timeout_closes_idle_connections() {
    let config = Config {
        login_timeout: Some(60_000),
        ..Config::reference()
    };
    let mut h = Harness::with(config, MemoryStore::default());
    let ns = h.open(ServerKind::Notification);
    let ds = h.open(ServerKind::Dispatch);
    h.send(ns, "VER 1 MSNP6");
    assert!(h.tick(59_999).is_empty());
    assert_eq!(
        h.tick(1),
        [format!("{}: <close>", ns.0), format!("{}: <close>", ds.0)]
    );
    assert_eq!(h.core.counts().timers, 0);
    assert_eq!(h.core.next_deadline(), None);
}

#[test]
fn rename_rate_limit_is_800() {
    let config = Config {
        rename_rate: Some(msnp6_server::core::RateLimit {
            max: 5,
            window: 60_000,
        }),
        ..Config::reference()
    };
    let store = MemoryStore::with_accounts(vec![account("example@hotmail.com", "pw", "me")]);
    let mut h = Harness::with(config, store);
    let ns = h.login("example@hotmail.com", "pw");
    for i in 1..=5 {
        let out = h.send(ns, &format!("REA {i} example@hotmail.com n{i}"));
        assert!(out[0].starts_with("1: REA"), "{out:?}");
    }
    // Reference §3.2 REA: the sixth rename in quick succession is refused.
    assert_eq!(h.send(ns, "REA 6 example@hotmail.com n6"), ["1: 800 6"]);
    h.now += 60_000;
    assert!(h.send(ns, "REA 7 example@hotmail.com n7")[0].starts_with("1: REA 7"));
}

#[test]
fn xfr_sb_needs_a_visible_status() {
    let mut h = one();
    let ns = h.login("example@hotmail.com", "pw");
    assert_eq!(h.send(ns, "XFR 1 SB"), ["1: 913 1"]);
    h.send(ns, "CHG 2 HDN");
    assert_eq!(h.send(ns, "XFR 3 SB"), ["1: 913 3"]);
    h.send(ns, "CHG 4 NLN");
    let out = h.send(ns, "XFR 5 SB");
    assert!(
        out[0].starts_with("1: XFR 5 SB 127.0.0.1:1865 CKI "),
        "{out:?}"
    );
    assert_eq!(h.send(ns, "XFR 6 NS"), ["1: <close>"]);
}

#[test]
fn periodic_challenges_follow_the_interval_even_a_zero_one() {
    let config = Config {
        challenge_interval: Some(0),
        ..Config::reference()
    };
    let store = MemoryStore::with_accounts(vec![account("example@hotmail.com", "pw", "me")]);
    let mut h = Harness::with(config, store);
    let ns = h.login("example@hotmail.com", "pw");
    // One challenge per passed deadline, at least 1 ms apart: a tick ends.
    let out = h.tick(1);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].starts_with(&format!("{}: CHL 0 ", ns.0)), "{out:?}");
    let config = Config {
        challenge_interval: Some(300_000),
        ..Config::reference()
    };
    let store = MemoryStore::with_accounts(vec![account("example@hotmail.com", "pw", "me")]);
    let mut h = Harness::with(config, store);
    h.login("example@hotmail.com", "pw");
    assert!(h.tick(299_999).is_empty());
    assert_eq!(h.tick(1).len(), 1);
}
