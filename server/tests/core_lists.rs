//! Lists and properties against the documented examples (reference §3.2, §14 "Lists").
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod core_support;

use core_support::{Harness, account};
use msnp6::types::{FriendlyName, GtcMode, Handle, List, Privacy, Property, Token};
use msnp6_server::core::Config;
use msnp6_server::store::{Account, Entry, MemoryStore};

fn entry(handle: &str, name: &str) -> Entry {
    Entry {
        handle: Handle::try_from(handle.to_owned()).unwrap(),
        name: FriendlyName::try_from(name.to_owned()).unwrap(),
    }
}

/// The accounts of the §3.2 SYN example: version 255, FL/AL/RL anotheruser, PHH set.
fn syn_example() -> Vec<Account> {
    let mut me = account("example@hotmail.com", "password", "example%20user");
    me.list_version = 255;
    let other = entry("anotheruser@hotmail.com", "another%20user");
    me.lists[Account::list_index(List::Forward)].push(other.clone());
    me.lists[Account::list_index(List::Allow)].push(other.clone());
    me.lists[Account::list_index(List::Reverse)].push(other);
    me.properties.push((
        Property::HomePhone,
        Token::try_from("123%20(4567)".to_owned()).unwrap(),
    ));
    let mut another = account("anotheruser@hotmail.com", "pw", "another%20user");
    another.properties.push((
        Property::HomePhone,
        Token::try_from("1%20(222)%20333%204444".to_owned()).unwrap(),
    ));
    let back = entry("example@hotmail.com", "example%20user");
    another.lists[Account::list_index(List::Forward)].push(back.clone());
    another.lists[Account::list_index(List::Reverse)].push(back);
    vec![me, another]
}

#[test]
fn syn_full_reply_known_answer() {
    let mut h = Harness::new(syn_example());
    let ns = h.login("example@hotmail.com", "password");
    let out = h.send(ns, "SYN 2 0");
    let expected = [
        "SYN 2 255",
        "GTC 2 255 A",
        "BLP 2 255 AL",
        "PRP 2 255 PHH 123%20(4567)",
        "PRP 2 255 PHW",
        "PRP 2 255 PHM",
        "PRP 2 255 MOB N",
        "PRP 2 255 MBE N",
        "LST 2 FL 255 1 1 anotheruser@hotmail.com another%20user",
        "BPR 255 anotheruser@hotmail.com PHH 1%20(222)%20333%204444",
        "BPR 255 anotheruser@hotmail.com PHW",
        "BPR 255 anotheruser@hotmail.com PHM",
        "BPR 255 anotheruser@hotmail.com MOB N",
        "LST 2 AL 255 1 1 anotheruser@hotmail.com another%20user",
        "LST 2 BL 255 0 0",
        "LST 2 RL 255 1 1 anotheruser@hotmail.com another%20user",
    ]
    .map(|l| format!("1: {l}"));
    assert_eq!(out, expected);
    // A second SYN closes (reference §14).
    assert_eq!(h.send(ns, "SYN 3 0"), ["1: <close>"]);
}

#[test]
fn syn_current_version_is_one_line() {
    let mut h = Harness::new(syn_example());
    let ns = h.login("example@hotmail.com", "password");
    assert_eq!(h.send(ns, "SYN 8 255"), ["1: SYN 8 255"]);
}

#[test]
fn gtc_blp_prp_known_answers() {
    let mut accounts = syn_example();
    accounts[0].gtc = GtcMode::DontAsk;
    accounts[0].privacy = Privacy::BlockAll;
    let mut h = Harness::new(accounts);
    let ns = h.login("example@hotmail.com", "password");
    // Reference §3.2 GTC, BLP, PRP examples.
    assert_eq!(h.send(ns, "GTC 1 A"), ["1: GTC 1 256 A"]);
    assert_eq!(h.send(ns, "GTC 4 A"), ["1: 218 4"]);
    assert_eq!(h.send(ns, "BLP 5 AL"), ["1: BLP 5 257 AL"]);
    assert_eq!(h.send(ns, "BLP 6 AL"), ["1: 218 6"]);
    assert_eq!(
        h.send(ns, "PRP 7 PHH 1%20(222)%203333"),
        ["1: PRP 7 258 PHH 1%20(222)%203333"]
    );
    assert_eq!(h.send(ns, "PRP 2 NEW very%20yes"), ["1: 715 2"]);
    assert_eq!(h.send(ns, "GTC 8 X"), ["1: <close>"]);
}

#[test]
fn add_rem_rea_known_answers_and_errors() {
    let mut h = Harness::new(vec![
        account("example@hotmail.com", "password", "example%20user"),
        account("anotheruser@hotmail.com", "pw", "another"),
    ]);
    let ns = h.login("example@hotmail.com", "password");
    let other = h.login("anotheruser@hotmail.com", "pw");
    let (n, o) = (ns.0, other.0);
    // Reference §3.2 ADD: the reply, and the contact (logged in) gets ADD 0 RL.
    assert_eq!(
        h.send(
            ns,
            "ADD 1 FL anotheruser@hotmail.com anotheruser@hotmail.com"
        ),
        [
            format!("{n}: ADD 1 FL 1 anotheruser@hotmail.com anotheruser@hotmail.com"),
            format!("{o}: ADD 0 RL 1 example@hotmail.com example%20user"),
        ]
    );
    assert_eq!(
        h.send(ns, "ADD 2 FL anotheruser@hotmail.com x"),
        [format!("{n}: 215 2")]
    );
    assert_eq!(
        h.send(ns, "ADD 3 AL anotheruser@hotmail.com x"),
        [format!("{n}: ADD 3 AL 2 anotheruser@hotmail.com x")]
    );
    assert_eq!(
        h.send(ns, "ADD 9 BL anotheruser@hotmail.com x"),
        [format!("{n}: 219 9")]
    );
    assert_eq!(h.send(ns, "ADD 20 FL a@b a@b"), [format!("{n}: 201 20")]);
    assert_eq!(
        h.send(ns, "ADD 21 FL nobody@hotmail.com x"),
        [format!("{n}: 205 21")]
    );
    // Reference §3.2 REM.
    assert_eq!(
        h.send(ns, "REM 4 AL anotheruser@hotmail.com"),
        [format!("{n}: REM 4 AL 3 anotheruser@hotmail.com")]
    );
    assert_eq!(
        h.send(ns, "REM 5 AL anotheruser@hotmail.com"),
        [format!("{n}: 216 5")]
    );
    assert_eq!(
        h.send(ns, "REM 6 FL anotheruser@hotmail.com"),
        [
            format!("{n}: REM 6 FL 4 anotheruser@hotmail.com"),
            format!("{o}: REM 0 RL 2 example@hotmail.com"),
        ]
    );
    // Reference §3.2 REA.
    assert_eq!(
        h.send(ns, "REA 7 example@hotmail.com new%20name"),
        [format!("{n}: REA 7 5 example@hotmail.com new%20name")]
    );
    assert_eq!(
        h.send(ns, "REA 8 stranger@hotmail.com x"),
        [format!("{n}: 216 8")]
    );
    // RL is the server's (reference §6).
    assert_eq!(
        h.send(ns, "ADD 10 RL anotheruser@hotmail.com x"),
        [format!("{n}: <close>")]
    );
}

#[test]
fn list_full_is_210() {
    let mut accounts = vec![account("me@hotmail.com", "pw", "me")];
    for i in 0..4 {
        accounts.push(account(&format!("u{i}@hotmail.com"), "pw", "u"));
    }
    let config = Config {
        max_list_entries: 3,
        ..Config::reference()
    };
    let mut h = Harness::with(config, MemoryStore::with_accounts(accounts));
    let ns = h.login("me@hotmail.com", "pw");
    for i in 0..3 {
        let out = h.send(ns, &format!("ADD {i} AL u{i}@hotmail.com u"));
        assert!(out[0].contains("ADD"), "{out:?}");
    }
    assert_eq!(h.send(ns, "ADD 9 AL u3@hotmail.com u"), ["1: 210 9"]);
}

#[test]
fn changes_are_committed_before_the_reply() {
    // A core restarted on the store sees every acknowledged change.
    let store = MemoryStore::with_accounts(vec![
        account("a@hotmail.com", "pw", "a"),
        account("b@hotmail.com", "pw", "b"),
    ]);
    let shared = SharedStore::default();
    *shared.0.lock().unwrap() = store;
    let core = msnp6_server::core::Core::new(
        Config::reference(),
        Box::new(shared.clone()),
        Box::new(msnp6_server::core::SeededEntropy::new(3)),
    )
    .unwrap();
    let mut h = Harness::from_core(core);
    let ns = h.login("a@hotmail.com", "pw");
    h.send(ns, "ADD 1 FL b@hotmail.com bee");
    h.send(ns, "BLP 2 BL");
    h.send(ns, "PRP 3 MOB Y");
    let stored = shared.0.lock().unwrap().accounts().to_vec();
    let a = &stored[0];
    assert_eq!(a.list_version, 3);
    assert_eq!(a.list(List::Forward)[0].name.as_bytes(), b"bee");
    assert_eq!(a.privacy, Privacy::BlockAll);
    assert_eq!(a.properties[0].1.as_bytes(), b"Y");
    let b = &stored[1];
    assert_eq!(
        (b.list_version, b.list(List::Reverse)[0].handle.as_bytes()),
        (1, &b"a@hotmail.com"[..])
    );
}

#[test]
fn a_refused_commit_is_500_and_changes_nothing() {
    let mut h = Harness::from_core(
        msnp6_server::core::Core::new(
            Config::reference(),
            Box::new(FailingStore(vec![account("a@hotmail.com", "pw", "a")])),
            Box::new(msnp6_server::core::SeededEntropy::new(3)),
        )
        .unwrap(),
    );
    let ns = h.login("a@hotmail.com", "pw");
    assert_eq!(h.send(ns, "BLP 2 BL"), ["1: 500 2"]);
    // Nothing changed in memory: the same request fails the same way, not with 218.
    assert_eq!(h.send(ns, "BLP 3 BL"), ["1: 500 3"]);
    assert_eq!(
        h.send(ns, "SYN 4 1"),
        [
            "1: SYN 4 0",
            "1: GTC 4 0 A",
            "1: BLP 4 0 AL",
            "1: PRP 4 0 PHH",
            "1: PRP 4 0 PHW",
            "1: PRP 4 0 PHM",
            "1: PRP 4 0 MOB N",
            "1: PRP 4 0 MBE N",
            "1: LST 4 FL 0 0 0",
            "1: LST 4 AL 0 0 0",
            "1: LST 4 BL 0 0 0",
            "1: LST 4 RL 0 0 0"
        ]
    );
}

/// A store shared with the test, to look at what was committed.
#[derive(Debug, Clone, Default)]
struct SharedStore(std::sync::Arc<std::sync::Mutex<MemoryStore>>);

impl msnp6_server::store::Store for SharedStore {
    fn load(&mut self) -> Result<Vec<Account>, msnp6_server::store::StoreError> {
        self.0.lock().unwrap().load()
    }
    fn commit(
        &mut self,
        changes: &[msnp6_server::store::Change],
    ) -> Result<(), msnp6_server::store::StoreError> {
        self.0.lock().unwrap().commit(changes)
    }
}

/// A store whose every commit fails.
#[derive(Debug)]
struct FailingStore(Vec<Account>);

impl msnp6_server::store::Store for FailingStore {
    fn load(&mut self) -> Result<Vec<Account>, msnp6_server::store::StoreError> {
        Ok(self.0.clone())
    }
    fn commit(
        &mut self,
        _: &[msnp6_server::store::Change],
    ) -> Result<(), msnp6_server::store::StoreError> {
        Err(msnp6_server::store::StoreError::Database(
            "disk full".into(),
        ))
    }
}

#[test]
fn adding_and_removing_oneself_counts_both_lists() {
    // docs/server.md "Decisions": the reply carries the version after the FL change, the
    // notice to oneself the version after the RL change.
    let mut h = Harness::new(vec![account("me@hotmail.com", "pw", "me")]);
    let ns = h.login("me@hotmail.com", "pw");
    assert_eq!(
        h.send(ns, "ADD 1 FL me@hotmail.com me"),
        [
            "1: ADD 1 FL 1 me@hotmail.com me",
            "1: ADD 0 RL 2 me@hotmail.com me"
        ]
    );
    assert_eq!(
        h.send(ns, "REM 2 FL me@hotmail.com"),
        [
            "1: REM 2 FL 3 me@hotmail.com",
            "1: REM 0 RL 4 me@hotmail.com"
        ]
    );
    assert_eq!(h.send(ns, "SYN 3 4"), ["1: SYN 3 4"]);
}
