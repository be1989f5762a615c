//! Presence against reference §3.3 and §14 "Presence": ILN after the first CHG, NLN/FLN to
//! watchers, privacy, FLN on a drop, hidden users.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod core_support;

use core_support::{Harness, account};
use msnp6_server::core::{ConnId, Input};

/// Two accounts that have each other on FL (and RL).
fn friends() -> (Harness, ConnId, ConnId) {
    let mut h = Harness::new(vec![
        account("example@hotmail.com", "pw", "example%20user"),
        account("anotheruser@example.com", "pw", "another%20user"),
    ]);
    let a = h.online("example@hotmail.com", "pw");
    let b = h.login("anotheruser@example.com", "pw");
    h.send(a, "ADD 6 FL anotheruser@example.com another");
    h.send(b, "ADD 1 FL example@hotmail.com example");
    (h, a, b)
}

#[test]
fn first_chg_gets_iln_and_watchers_get_nln() {
    let (mut h, a, b) = friends();
    let (a, b) = (a.0, b.0);
    // Reference §3.3 ILN example: the first CHG is followed by ILN with its TrID; the
    // watcher (who did its first CHG) gets NLN.
    assert_eq!(
        h.send(ConnId(b), "CHG 1 NLN"),
        [
            format!("{b}: CHG 1 NLN"),
            format!("{b}: ILN 1 NLN example@hotmail.com example%20user"),
            format!("{a}: NLN NLN anotheruser@example.com another%20user"),
        ]
    );
    // A change between online states: NLN; the same status again: only the echo.
    assert_eq!(
        h.send(ConnId(b), "CHG 2 BSY"),
        [
            format!("{b}: CHG 2 BSY"),
            format!("{a}: NLN BSY anotheruser@example.com another%20user")
        ]
    );
    assert_eq!(h.send(ConnId(b), "CHG 3 BSY"), [format!("{b}: CHG 3 BSY")]);
    // Hidden: FLN; back online: NLN.
    assert_eq!(
        h.send(ConnId(b), "CHG 4 HDN"),
        [
            format!("{b}: CHG 4 HDN"),
            format!("{a}: FLN anotheruser@example.com")
        ]
    );
    assert_eq!(
        h.send(ConnId(b), "CHG 5 NLN"),
        [
            format!("{b}: CHG 5 NLN"),
            format!("{a}: NLN NLN anotheruser@example.com another%20user")
        ]
    );
    // Renaming oneself while online (reference §14): NLN with the new name.
    assert_eq!(
        h.send(ConnId(b), "REA 6 anotheruser@example.com new%20name"),
        [
            format!("{b}: REA 6 3 anotheruser@example.com new%20name"),
            format!("{a}: NLN NLN anotheruser@example.com new%20name")
        ]
    );
    // An unknown status closes; the watcher gets FLN (reference §14).
    assert_eq!(
        h.send(ConnId(b), "CHG 7 ZZZ"),
        [
            format!("{b}: <close>"),
            format!("{a}: FLN anotheruser@example.com")
        ]
    );
}

#[test]
fn a_drop_sends_fln_a_hidden_drop_does_not() {
    let (mut h, a, b) = friends();
    h.send(b, "CHG 1 NLN");
    assert_eq!(
        h.input(Input::Closed { conn: b }),
        [format!("{}: FLN anotheruser@example.com", a.0)]
    );
    let b = h.login("anotheruser@example.com", "pw");
    h.send(b, "CHG 1 HDN");
    assert!(h.input(Input::Closed { conn: b }).is_empty());
}

#[test]
fn blocking_withdraws_presence_and_unblocking_restores_it() {
    let (mut h, a, b) = friends();
    h.send(b, "CHG 1 NLN");
    let (an, bn) = (a.0, b.0);
    // Reference §14 "Blocking": ADD BL while online → the watcher gets FLN.
    assert_eq!(
        h.send(b, "ADD 2 BL example@hotmail.com x"),
        [
            format!("{bn}: ADD 2 BL 3 example@hotmail.com x"),
            format!("{an}: FLN anotheruser@example.com")
        ]
    );
    // Blocked: no presence, no ILN on ADD.
    assert_eq!(h.send(b, "CHG 3 AWY"), [format!("{bn}: CHG 3 AWY")]);
    assert_eq!(
        h.send(b, "REM 4 BL example@hotmail.com"),
        [
            format!("{bn}: REM 4 BL 4 example@hotmail.com"),
            format!("{an}: NLN AWY anotheruser@example.com another%20user")
        ]
    );
    // BLP BL without AL: withdrawn; BLP AL: granted.
    assert_eq!(
        h.send(b, "BLP 5 BL"),
        [
            format!("{bn}: BLP 5 5 BL"),
            format!("{an}: FLN anotheruser@example.com")
        ]
    );
    assert_eq!(
        h.send(b, "ADD 6 AL example@hotmail.com x"),
        [
            format!("{bn}: ADD 6 AL 6 example@hotmail.com x"),
            format!("{an}: NLN AWY anotheruser@example.com another%20user")
        ]
    );
}

#[test]
fn add_fl_of_an_online_contact_gets_bprs_and_iln() {
    let mut h = Harness::new(vec![
        account("example@hotmail.com", "pw", "me"),
        account("anotheruser@hotmail.com", "pw", "another"),
    ]);
    let b = h.online("anotheruser@hotmail.com", "pw");
    let a = h.online("example@hotmail.com", "pw");
    let (an, bn) = (a.0, b.0);
    // Reference §14 "ADD FL C, in this order".
    assert_eq!(
        h.send(
            a,
            "ADD 7 FL anotheruser@hotmail.com anotheruser@hotmail.com"
        ),
        [
            format!("{an}: ADD 7 FL 1 anotheruser@hotmail.com anotheruser@hotmail.com"),
            format!("{an}: BPR 1 anotheruser@hotmail.com PHH"),
            format!("{an}: BPR 1 anotheruser@hotmail.com PHW"),
            format!("{an}: BPR 1 anotheruser@hotmail.com PHM"),
            format!("{an}: BPR 1 anotheruser@hotmail.com MOB N"),
            format!("{an}: ILN 7 NLN anotheruser@hotmail.com another"),
            format!("{bn}: ADD 0 RL 1 example@hotmail.com me"),
        ]
    );
    // A PRP change goes to watchers that sent SYN, raising their version (MODEL-PRP-BPR).
    assert_eq!(
        h.send(b, "PRP 9 PHH 12345"),
        [
            format!("{bn}: PRP 9 2 PHH 12345"),
            format!("{an}: BPR 2 anotheruser@hotmail.com PHH 12345")
        ]
    );
}

#[test]
fn shutdown_sends_out_ssd_everywhere() {
    let (mut h, a, b) = friends();
    let out = h.input(Input::Shutdown);
    assert_eq!(
        out,
        [
            format!("{}: OUT SSD", a.0),
            format!("{}: OUT SSD", b.0),
            format!("{}: <close>", a.0),
            format!("{}: <close>", b.0)
        ]
    );
    assert!(h.core.connections().is_empty());
}
