//! Login on the DS and the NS against the documented sequence (reference §8, §3.1).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed
mod core_support;

use core_support::{Harness, account};
use msnp6::auth::{Password, Salt, login_digest_string};
use msnp6::types::ServerKind;
use msnp6_server::store::Standing;

fn example() -> Harness {
    Harness::new(vec![account(
        "example@hotmail.com",
        "password",
        "example%20user",
    )])
}

#[test]
fn dispatch_refers_to_the_ns() {
    // Reference §8, dispatch server part.
    let mut h = example();
    let ds = h.open(ServerKind::Dispatch);
    assert_eq!(
        h.send(ds, "VER 1 MSNP6 MSNP5 MSNP4 CVR0"),
        ["1: VER 1 MSNP6"]
    );
    assert_eq!(h.send(ds, "INF 2"), ["1: INF 2 MD5"]);
    assert_eq!(
        h.send(ds, "USR 3 MD5 I example@hotmail.com"),
        ["1: XFR 3 NS 127.0.0.1:1863 0"]
    );
    // Anything after the referral closes (docs/model.md MODEL-LOGIN-ORDER).
    assert_eq!(h.send(ds, "INF 4"), ["1: <close>"]);
    assert!(h.core.connections().is_empty());
}

#[test]
fn notification_login_known_answer() {
    // Reference §8, notification server part, and §3.1 USR.
    let mut h = example();
    let ns = h.open(ServerKind::Notification);
    assert_eq!(
        h.send(ns, "VER 4 MSNP6 MSNP5 MSNP4 CVR0"),
        ["1: VER 4 MSNP6"]
    );
    assert_eq!(h.send(ns, "INF 5"), ["1: INF 5 MD5"]);
    let salt = h.send(ns, "USR 6 MD5 I example@hotmail.com");
    assert_eq!(salt.len(), 1);
    let salt = salt[0]
        .strip_prefix("1: USR 6 MD5 S ")
        .expect("salt line")
        .to_owned();
    let digest = login_digest_string(
        Salt::new(salt.as_bytes()).unwrap(),
        Password::new(b"password"),
    );
    let ok = h.send(ns, &format!("USR 7 MD5 S {digest}"));
    assert_eq!(ok[0], "1: USR 7 OK example@hotmail.com example%20user 1");
    assert!(ok[1].starts_with("1: MSG Hotmail Hotmail "), "{ok:?}");
    assert!(ok[1].contains("Content-Type: text/x-msmsgsprofile; charset=UTF-8"));
    assert_eq!(ok.len(), 2);
    // Up-to-date cache (reference §8: `SYN 8 8` / `SYN 8 8`): version 0 here.
    assert_eq!(h.send(ns, "SYN 8 0"), ["1: SYN 8 0"]);
    assert_eq!(h.send(ns, "CHG 9 NLN"), ["1: CHG 9 NLN"]);
}

#[test]
fn salts_are_fresh_per_login() {
    let mut h = example();
    let a = h.open(ServerKind::Notification);
    let b = h.open(ServerKind::Notification);
    h.send(a, "VER 1 MSNP6");
    h.send(b, "VER 1 MSNP6");
    let sa = h.send(a, "USR 2 MD5 I example@hotmail.com");
    let sb = h.send(b, "USR 2 MD5 I example@hotmail.com");
    assert_ne!(sa[0][3..], sb[0][3..]);
}

#[test]
fn wrong_password_is_911_and_close() {
    let mut h = example();
    let ns = h.open(ServerKind::Notification);
    h.send(ns, "VER 1 MSNP6");
    h.send(ns, "USR 2 MD5 I example@hotmail.com");
    let wrong = "f59af8f2fa91d38aff7c870c17f99903";
    assert_eq!(
        h.send(ns, &format!("USR 3 MD5 S {wrong}")),
        ["1: 911 3", "1: <close>"]
    );
}

#[test]
fn unknown_account_gets_a_salt_then_911() {
    let mut h = example();
    let ns = h.open(ServerKind::Notification);
    h.send(ns, "VER 1 MSNP6");
    assert_eq!(h.send(ns, "USR 2 MD5 I nobody@hotmail.com").len(), 1);
    let out = h.send(ns, "USR 3 MD5 S f59af8f2fa91d38aff7c870c17f99903");
    assert_eq!(out, ["1: 911 3", "1: <close>"]);
}

#[test]
fn version_refusal_and_order() {
    let mut h = example();
    let ns = h.open(ServerKind::Notification);
    // Reference §3.1 VER example.
    assert_eq!(
        h.send(ns, "VER 1 DISREGARDANCE FOR A REAL PROTOCOL"),
        ["1: VER 1 0", "1: <close>"]
    );
    let ns = h.open(ServerKind::Notification);
    assert_eq!(
        h.send(ns, "INF 1"),
        ["2: <close>"],
        "anything before VER closes"
    );
    let ns = h.open(ServerKind::Notification);
    h.send(ns, "VER 1 MSNP6");
    assert_eq!(
        h.send(ns, "SYN 2 0"),
        ["3: <close>"],
        "SYN before login closes"
    );
    let ns = h.open(ServerKind::Notification);
    h.send(ns, "VER 1 MSNP6");
    assert_eq!(
        h.send(ns, "VER 2 MSNP6"),
        ["4: <close>"],
        "a second VER closes"
    );
}

#[test]
fn cvr0_on_the_dispatch_server() {
    // Reference §3.1 CVQ example (CVR0 fallback).
    let mut h = example();
    let ds = h.open(ServerKind::Dispatch);
    assert_eq!(h.send(ds, "VER 1 MSNP2 CVR0"), ["1: VER 1 CVR0"]);
}

#[test]
fn usr_after_login_is_207() {
    let mut h = example();
    let ns = h.login("example@hotmail.com", "password");
    assert_eq!(h.send(ns, "USR 9 MD5 I example@hotmail.com"), ["1: 207 9"]);
}

#[test]
fn second_login_closes_the_first_with_out_oth() {
    let mut h = Harness::new(vec![
        account("example@hotmail.com", "password", "example%20user"),
        account("another@hotmail.com", "pw", "another"),
    ]);
    let watcher = h.online("another@hotmail.com", "pw");
    h.send(watcher, "ADD 6 FL example@hotmail.com example");
    let first = h.online("example@hotmail.com", "password");
    let second = h.open(ServerKind::Notification);
    h.send(second, "VER 1 MSNP6");
    let salt = h.send(second, "USR 2 MD5 I example@hotmail.com");
    let salt = salt[0].rsplit(' ').next().unwrap().to_owned();
    let digest = login_digest_string(
        Salt::new(salt.as_bytes()).unwrap(),
        Password::new(b"password"),
    );
    let out = h.send(second, &format!("USR 3 MD5 S {digest}"));
    let f = first.0;
    let w = watcher.0;
    let s = second.0;
    assert_eq!(out[0], format!("{f}: OUT OTH"));
    assert_eq!(out[1], format!("{f}: <close>"));
    assert_eq!(out[2], format!("{w}: FLN example@hotmail.com"));
    assert!(out[3].starts_with(&format!("{s}: USR 3 OK example@hotmail.com")));
}

#[test]
fn inf_after_login_closes() {
    // INF belongs to the login (reference §3.1); after USR OK it is out of state (§14).
    let mut h = example();
    let ns = h.login("example@hotmail.com", "password");
    assert_eq!(h.send(ns, "INF 9"), ["1: <close>"]);
}

#[test]
fn debug_output_holds_no_password() {
    let mut h = example();
    h.login("example@hotmail.com", "password");
    let text = format!("{:?}", h.core);
    assert!(!text.contains("password"), "{text}");
    assert!(text.contains("sessions: 1"), "{text}");
}

/// VER, `USR 2 MD5 I handle`, then `USR 3 MD5 S` with the digest of `password`: the replies to
/// the last.
fn attempt(h: &mut Harness, handle: &str, password: &str) -> Vec<String> {
    let ns = h.open(ServerKind::Notification);
    h.send(ns, "VER 1 MSNP6");
    let salt = h.send(ns, &format!("USR 2 MD5 I {handle}"));
    let salt = salt[0].rsplit(' ').next().unwrap().to_owned();
    let digest = login_digest_string(
        Salt::new(salt.as_bytes()).unwrap(),
        Password::new(password.as_bytes()),
    );
    h.send(ns, &format!("USR 3 MD5 S {digest}"))
}

/// One account of each standing, all with password `pw`, and a verified watcher who has them
/// all on FL.
fn standings() -> Harness {
    let with = |handle: &str, standing: Standing| {
        let mut a = account(handle, "pw", "name");
        a.standing = standing;
        a
    };
    Harness::new(vec![
        with("kid@example.com", Standing::KidWithoutConsent),
        with("blocked@example.com", Standing::Blocked),
        with("unverified@example.com", Standing::Unverified),
        with("verified@example.com", Standing::Verified),
    ])
}

#[test]
fn kids_account_without_consent_is_923_and_close() {
    // Reference §3.1 USR errors: `923` kids account without consent (MSNP4+), then disconnect;
    // docs/model.md MODEL-USR-923.
    let mut h = standings();
    assert_eq!(
        attempt(&mut h, "kid@example.com", "pw"),
        ["1: 923 3", "1: <close>"]
    );
    assert!(h.core.connections().is_empty(), "no session is left");
}

#[test]
fn blocked_unverified_account_is_924_and_close() {
    // Reference §3.1 USR errors: `924` unverified account hard-block (MSNP5+), then disconnect;
    // §13 item 8; docs/model.md MODEL-USR-924.
    let mut h = standings();
    let watcher = h.online("verified@example.com", "pw");
    h.send(watcher, "ADD 6 FL blocked@example.com blocked");
    let out = attempt(&mut h, "blocked@example.com", "pw");
    let conn = watcher.0 + 1;
    assert_eq!(out, [format!("{conn}: 924 3"), format!("{conn}: <close>")]);
    // Nobody saw the refused account come online.
    assert_eq!(h.core.connections().len(), 1);
}

#[test]
fn the_digest_is_checked_before_the_standing() {
    // docs/model.md MODEL-USR-911/923/924: 911 first, so a wrong password tells nothing of the
    // account's standing (the model's `login`: the digest, then the verification).
    let mut h = standings();
    for handle in ["kid@example.com", "blocked@example.com"] {
        let out = attempt(&mut h, handle, "wrong");
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].ends_with(": 911 3"), "{handle}: {out:?}");
        assert!(out[1].ends_with(": <close>"), "{handle}: {out:?}");
    }
}

#[test]
fn unverified_account_logs_in_with_flag_0() {
    // Reference §3.1 USR step 4: `verified` is 0 for an unverified account (soft warning,
    // MSNP6); §7/§13: REA of one's own name may be refused with 209 (docs/model.md MODEL-REA-209).
    let mut h = standings();
    let out = attempt(&mut h, "unverified@example.com", "pw");
    assert_eq!(out[0], "1: USR 3 OK unverified@example.com name 0");
    assert!(out[1].starts_with("1: MSG Hotmail Hotmail "), "{out:?}");
    assert_eq!(out.len(), 2);
    let ns = msnp6_server::core::ConnId(1);
    assert_eq!(
        h.send(ns, "REA 4 unverified@example.com other"),
        ["1: 209 4"]
    );
    let out = attempt(&mut h, "verified@example.com", "pw");
    assert_eq!(out[0], "2: USR 3 OK verified@example.com name 1");
}
