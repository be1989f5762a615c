//! [`SqliteStore`] against [`MemoryStore`], the oracle of what a store does.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use msnp6::types::{FriendlyName, GtcMode, Handle, List, Privacy, Property, Token};
use proptest::prelude::*;

use super::SqliteStore;
use crate::store::{Account, Change, Entry, MemoryStore, Standing, Store, StoreError};

/// A database file in the temporary directory, removed (with its WAL files) when dropped.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let name = format!("msnp6-store-test-{}-{n}.sqlite", std::process::id());
        let db = TempDb(std::env::temp_dir().join(name));
        db.remove();
        db
    }
    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    fn open(&self) -> SqliteStore {
        SqliteStore::open(&self.0).expect("open the test database")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}

const HANDLES: [&str; 4] = [
    "alice@example.com",
    "bob@example.com",
    "carol@example.com",
    "dave@example.com",
];
const NAMES: [&str; 3] = ["Alice", "example%20user", "bob%40example.com"];
const LISTS: [List; 4] = [List::Forward, List::Allow, List::Block, List::Reverse];
const PROPERTIES: [Property; 5] = [
    Property::HomePhone,
    Property::WorkPhone,
    Property::MobilePhone,
    Property::MobileContact,
    Property::MobileEnabled,
];

fn handle(i: usize) -> Handle<'static> {
    Handle::new(HANDLES[i].as_bytes()).expect("a valid handle")
}
fn name(i: usize) -> FriendlyName<'static> {
    FriendlyName::new(NAMES[i].as_bytes()).expect("a valid name")
}
fn token(s: &str) -> Token<'static> {
    Token::new(s.as_bytes().to_vec()).expect("a valid token")
}

fn any_account() -> impl Strategy<Value = Account> {
    let entries = prop::collection::vec((0..4usize, 0..4usize, 0..3usize), 0..4);
    let props = prop::collection::vec((0..5usize, "[0-9]{1,4}"), 0..3);
    (
        0..4usize,
        0..3usize,
        0..4usize,
        any::<u32>(),
        any::<bool>(),
        any::<bool>(),
        entries,
        props,
    )
        .prop_map(|(h, n, standing, version, blp, gtc, entries, props)| {
            let mut a = Account::new(handle(h), "pass word!", name(n));
            a.standing = Standing::ALL[standing];
            a.list_version = version;
            a.privacy = if blp {
                Privacy::BlockAll
            } else {
                Privacy::AllowAll
            };
            a.gtc = if gtc { GtcMode::DontAsk } else { GtcMode::Ask };
            for (l, h, n) in entries {
                let list = &mut a.lists[l];
                if !list.iter().any(|e| e.handle == handle(h)) {
                    list.push(Entry {
                        handle: handle(h),
                        name: name(n),
                    });
                }
            }
            for (p, v) in props {
                if !a.properties.iter().any(|(q, _)| *q == PROPERTIES[p]) {
                    a.properties.push((PROPERTIES[p], token(&v)));
                }
            }
            a
        })
}

fn any_change() -> impl Strategy<Value = Change> {
    let h = 0..4usize;
    prop_oneof![
        any_account().prop_map(Change::AccountAdded),
        h.clone().prop_map(|o| Change::AccountRemoved(handle(o))),
        (h.clone(), 0..4usize, h.clone(), 0..3usize).prop_map(|(o, l, c, n)| Change::EntryAdded {
            owner: handle(o),
            list: LISTS[l],
            entry: Entry {
                handle: handle(c),
                name: name(n)
            },
        }),
        (h.clone(), 0..4usize, h.clone()).prop_map(|(o, l, c)| Change::EntryRemoved {
            owner: handle(o),
            list: LISTS[l],
            handle: handle(c),
        }),
        (h.clone(), h.clone(), 0..3usize).prop_map(|(o, c, n)| Change::EntryRenamed {
            owner: handle(o),
            handle: handle(c),
            name: name(n),
        }),
        (h.clone(), 0..4usize).prop_map(|(o, s)| Change::Standing {
            owner: handle(o),
            value: Standing::ALL[s],
        }),
        (h.clone(), 0..3usize).prop_map(|(o, n)| Change::Renamed {
            owner: handle(o),
            name: name(n)
        }),
        (h.clone(), any::<bool>()).prop_map(|(o, b)| Change::Privacy {
            owner: handle(o),
            value: if b {
                Privacy::BlockAll
            } else {
                Privacy::AllowAll
            },
        }),
        (h.clone(), any::<bool>()).prop_map(|(o, b)| Change::Gtc {
            owner: handle(o),
            value: if b { GtcMode::DontAsk } else { GtcMode::Ask },
        }),
        (h.clone(), 0..5usize, prop::option::of("[0-9A-Z%]{1,6}")).prop_map(|(o, p, v)| {
            Change::Property {
                owner: handle(o),
                property: PROPERTIES[p],
                value: v.map(|v| token(&v)),
            }
        }),
        (h, any::<u32>()).prop_map(|(o, v)| Change::ListVersion {
            owner: handle(o),
            version: v
        }),
    ]
}

/// Commits that start with the accounts, so most later changes have an owner.
fn any_commits() -> impl Strategy<Value = Vec<Vec<Change>>> {
    let setup = prop::collection::vec(any_account().prop_map(Change::AccountAdded), 1..4);
    let commits = prop::collection::vec(prop::collection::vec(any_change(), 1..5), 1..12);
    (setup, commits).prop_map(|(setup, mut commits)| {
        commits.insert(0, setup);
        commits
    })
}

proptest! {
    // Each case opens, fsyncs and reopens a file: 48 cases stay within seconds at load 8.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every change kind through commit and a reopen equals MemoryStore's result; a commit
    /// fails in SQLite exactly when it fails in memory, and then applies nothing.
    #[test]
    fn commits_survive_a_reopen_as_in_memory(commits in any_commits()) {
        let db = TempDb::new();
        let mut memory = MemoryStore::default();
        let mut store = db.open();
        for changes in &commits {
            let expected = memory.commit(changes);
            let got = store.commit(changes);
            prop_assert_eq!(expected.is_ok(), got.is_ok(), "{:?} vs {:?} on {:?}", expected, got, changes);
        }
        prop_assert_eq!(&store.load().expect("load"), memory.accounts());
        drop(store);
        prop_assert_eq!(&db.open().load().expect("load after reopen"), memory.accounts());
    }
}

fn alice() -> Account {
    Account::new(handle(0), "secret", name(0))
}

#[test]
fn a_failing_change_in_the_middle_applies_nothing() {
    let mut store = SqliteStore::in_memory().expect("open");
    let bob = Account::new(handle(1), "x", name(1));
    store.commit(&[Change::AccountAdded(bob)]).expect("bob");
    let before = store.load().expect("load");
    let changes = [
        Change::AccountAdded(alice()),
        Change::EntryAdded {
            owner: handle(1),
            list: List::Forward,
            entry: Entry {
                handle: handle(0),
                name: name(0),
            },
        },
        Change::Privacy {
            owner: handle(1),
            value: Privacy::BlockAll,
        },
        // No account carol: the whole commit fails.
        Change::Renamed {
            owner: handle(2),
            name: name(2),
        },
        Change::ListVersion {
            owner: handle(1),
            version: 7,
        },
    ];
    let err = store.commit(&changes).expect_err("carol has no account");
    assert!(
        matches!(&err, StoreError::Invalid(m) if m.contains("carol")),
        "{err}"
    );
    assert_eq!(store.load().expect("load"), before);
    // The transaction is gone: the next commit works.
    store.commit(&changes[..3]).expect("without carol");
    assert_eq!(store.load().expect("load").len(), 2);
}

#[test]
fn list_order_survives_a_reopen() {
    let db = TempDb::new();
    let mut store = db.open();
    let add = |c: usize| Change::EntryAdded {
        owner: handle(0),
        list: List::Allow,
        entry: Entry {
            handle: handle(c),
            name: name(0),
        },
    };
    store
        .commit(&[Change::AccountAdded(alice()), add(3), add(1), add(2)])
        .expect("adds");
    let remove = Change::EntryRemoved {
        owner: handle(0),
        list: List::Allow,
        handle: handle(1),
    };
    store
        .commit(&[remove, add(1), add(3)])
        .expect("remove, re-add");
    drop(store);
    let loaded = db.open().load().expect("load");
    let order: Vec<_> = loaded[0]
        .list(List::Allow)
        .iter()
        .map(|e| e.handle.clone())
        .collect();
    assert_eq!(order, [handle(2), handle(1), handle(3)]);
}

#[test]
fn a_newer_schema_is_refused() {
    let db = TempDb::new();
    drop(db.open());
    let conn = rusqlite::Connection::open(&db.0).expect("raw open");
    conn.pragma_update(None, "user_version", 3)
        .expect("set version");
    drop(conn);
    let err = SqliteStore::open(&db.0).expect_err("version 3 is newer");
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 3,
                supported: 2
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("schema version 3"), "{err}");
}

#[test]
fn a_foreign_database_is_refused() {
    let db = TempDb::new();
    let conn = rusqlite::Connection::open(&db.0).expect("raw open");
    conn.execute_batch("CREATE TABLE t (x)").expect("a table");
    drop(conn);
    let err = SqliteStore::open(&db.0).expect_err("not ours");
    assert!(matches!(err, StoreError::NotOurs(_)), "{err}");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let db = TempDb::new();
    std::fs::write(
        &db.0,
        b"this is not a database, it is text, long enough to be a header....",
    )
    .expect("write");
    let err = SqliteStore::open(&db.0).expect_err("not sqlite");
    assert!(matches!(err, StoreError::Database(_)), "{err}");
}

/// Edits one stored value by hand and returns what `load` says.
fn load_after(edit: &str) -> StoreError {
    let mut store = SqliteStore::in_memory().expect("open");
    let mut a = alice();
    a.lists[0].push(Entry {
        handle: handle(1),
        name: name(1),
    });
    a.properties.push((Property::HomePhone, token("555")));
    store.commit(&[Change::AccountAdded(a)]).expect("alice");
    let edit = format!("PRAGMA foreign_keys = OFF; {edit}");
    store.conn.execute_batch(&edit).expect("the edit");
    store.load().expect_err("the edited value is invalid")
}

#[test]
fn invalid_stored_values_are_named_never_a_panic() {
    let cases = [
        (
            "UPDATE account SET handle = X'6120622E6F7267'",
            "table account row 1 column handle",
        ),
        (
            "UPDATE account SET name = ''",
            "table account row 1 column name",
        ),
        (
            "UPDATE account SET password = X'FF'",
            "table account row 1 column password",
        ),
        (
            "UPDATE account SET standing = 'superuser'",
            "table account row 1 column standing: \"superuser\" is not one of verified, \
             unverified, blocked, kids",
        ),
        (
            "UPDATE account SET standing = 'Verified'",
            "table account row 1 column standing",
        ),
        (
            "UPDATE account SET standing = 1",
            "table account row 1 column standing",
        ),
        (
            "UPDATE account SET list_version = -1",
            "table account row 1 column list_version",
        ),
        (
            "UPDATE account SET list_version = 'x'",
            "table account row 1 column list_version",
        ),
        (
            "UPDATE account SET privacy = 'XX'",
            "table account row 1 column privacy",
        ),
        (
            "UPDATE account SET gtc = 1",
            "table account row 1 column gtc",
        ),
        (
            "UPDATE entry SET list = 'PL'",
            "table entry row 1 column list",
        ),
        (
            "UPDATE entry SET handle = X'00'",
            "table entry row 1 column handle",
        ),
        (
            "UPDATE property SET property = 'PHX'",
            "table property row 1 column property",
        ),
        (
            "UPDATE property SET value = X'20'",
            "table property row 1 column value",
        ),
        (
            "UPDATE entry SET owner = X'7A'",
            "table entry row 1 column owner",
        ),
        (
            "INSERT INTO account (handle, password, name, standing, list_version, privacy, gtc) \
             SELECT CAST(handle AS TEXT), password, name, standing, list_version, privacy, gtc \
             FROM account",
            "table account row 2 column handle: a second account",
        ),
        (
            "INSERT INTO entry SELECT owner, list, CAST(handle AS TEXT), name, 9 FROM entry",
            "table entry row 2 column handle",
        ),
        (
            "INSERT INTO property SELECT CAST(owner AS TEXT), property, value, 9 FROM property",
            "column property: PHH set twice",
        ),
    ];
    for (edit, expected) in cases {
        let err = load_after(edit);
        assert!(
            matches!(&err, StoreError::Invalid(m) if m.contains(expected)),
            "{edit}: {err}"
        );
    }
}

#[test]
fn account_management() {
    let db = TempDb::new();
    let mut store = db.open();
    assert!(store.add_account(alice()).expect("add"));
    assert!(
        !store.add_account(alice()).expect("add again"),
        "alice exists"
    );
    let bob = Account::new(handle(1), "x", name(1));
    assert!(store.add_account(bob).expect("add bob"));
    let on_bob = Change::EntryAdded {
        owner: handle(1),
        list: List::Forward,
        entry: Entry {
            handle: handle(0),
            name: name(0),
        },
    };
    store.commit(&[on_bob]).expect("alice on bob's FL");
    assert!(store.remove_account(&handle(0)).expect("remove"));
    assert!(
        !store.remove_account(&handle(0)).expect("remove again"),
        "alice is gone"
    );
    drop(store);
    let accounts = db.open().accounts().expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert!(
        accounts[0].list(List::Forward).is_empty(),
        "alice's entry went with her"
    );
}

/// Every standing (reference §3.1 USR: `OK … 1`, `OK … 0`, `924`, `923`) round-trips through
/// both stores: added with the account, changed with [`Change::Standing`], read back after a
/// reopen. Fails when a store drops or confuses a standing (e.g. stores only a verified flag).
#[test]
fn every_standing_round_trips_in_both_stores() {
    let db = TempDb::new();
    let mut sqlite = db.open();
    let mut memory = MemoryStore::default();
    let added: Vec<Change> = Standing::ALL
        .iter()
        .enumerate()
        .map(|(i, &standing)| {
            let mut a = Account::new(handle(i), "pw", name(0));
            a.standing = standing;
            Change::AccountAdded(a)
        })
        .collect();
    sqlite.commit(&added).expect("sqlite add");
    memory.commit(&added).expect("memory add");
    let standings = |accounts: &[Account]| accounts.iter().map(|a| a.standing).collect::<Vec<_>>();
    assert_eq!(standings(memory.accounts()), Standing::ALL);
    drop(sqlite);
    assert_eq!(standings(&db.open().load().expect("load")), Standing::ALL);
    // Each account moved one standing on: every pair of old and new differs.
    let moved: Vec<Change> = (0..4)
        .map(|i| Change::Standing {
            owner: handle(i),
            value: Standing::ALL[(i + 1) % 4],
        })
        .collect();
    let mut sqlite = db.open();
    sqlite.commit(&moved).expect("sqlite set");
    memory.commit(&moved).expect("memory set");
    let expected: Vec<_> = (0..4).map(|i| Standing::ALL[(i + 1) % 4]).collect();
    assert_eq!(standings(memory.accounts()), expected);
    drop(sqlite);
    let mut sqlite = db.open();
    assert_eq!(standings(&sqlite.load().expect("load")), expected);
    // `msnp6 account set`: an existing account, then one that is not there.
    assert!(
        sqlite
            .set_standing(&handle(0), Standing::Blocked)
            .expect("set")
    );
    assert_eq!(sqlite.load().expect("load")[0].standing, Standing::Blocked);
    let nobody = Handle::new(b"nobody@example.com".to_vec()).expect("a handle");
    assert!(
        !sqlite
            .set_standing(&nobody, Standing::Verified)
            .expect("set nobody")
    );
}

/// The schema of version 1 exactly as msnp6 wrote it before standings (a fixture: not the
/// store's constant, so that a change there cannot hide a broken migration).
const V1_FIXTURE: &str = "
CREATE TABLE account (
    handle       BLOB    NOT NULL UNIQUE,
    password     TEXT    NOT NULL,
    name         BLOB    NOT NULL,
    verified     INTEGER NOT NULL,
    list_version INTEGER NOT NULL,
    privacy      TEXT    NOT NULL,
    gtc          TEXT    NOT NULL
);
CREATE TABLE entry (
    owner    BLOB    NOT NULL REFERENCES account(handle),
    list     TEXT    NOT NULL,
    handle   BLOB    NOT NULL,
    name     BLOB    NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (owner, list, handle)
);
CREATE INDEX entry_by_handle ON entry(handle);
CREATE TABLE property (
    owner    BLOB    NOT NULL REFERENCES account(handle),
    property TEXT    NOT NULL,
    value    BLOB    NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (owner, property)
);
INSERT INTO account VALUES (X'616C696365406578616D706C652E636F6D', 'secret', X'416C696365', 1, 3, 'AL', 'A');
INSERT INTO account VALUES (X'626F62406578616D706C652E636F6D', 'x', X'626F62', 0, 7, 'BL', 'N');
INSERT INTO entry VALUES (X'626F62406578616D706C652E636F6D', 'FL', X'616C696365406578616D706C652E636F6D', X'416C696365', 1);
INSERT INTO property VALUES (X'616C696365406578616D706C652E636F6D', 'PHH', X'353535', 1);
PRAGMA user_version = 1;
";

/// A version 1 database file made with [`V1_FIXTURE`] (alice verified, bob not); `edit` runs after.
fn v1_database(edit: &str) -> TempDb {
    let db = TempDb::new();
    let conn = rusqlite::Connection::open(&db.0).expect("raw open");
    conn.execute_batch(V1_FIXTURE)
        .expect("the version 1 fixture");
    conn.execute_batch(edit).expect("the edit");
    drop(conn);
    db
}

fn user_version(db: &TempDb) -> i64 {
    let conn = rusqlite::Connection::open(&db.0).expect("raw open");
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("user_version")
}

fn schema_of(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
        .expect("prepare");
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// A version 1 database opens: migrated in place to version 2, its accounts keep their verified
/// flag (1 → verified, 0 → unverified), lists, properties, versions and order; the migrated schema
/// is the one a new database gets. Fails when the migration is missing (the new columns are not
/// there), maps the flag wrongly, or leaves the version at 1.
#[test]
fn a_version_1_database_is_migrated_in_place() {
    let db = v1_database("");
    let mut store = db.open();
    let accounts = store.load().expect("load the migrated accounts");
    let mut alice = alice();
    alice.list_version = 3;
    alice.properties.push((Property::HomePhone, token("555")));
    let mut bob = Account::new(
        handle(1),
        "x",
        FriendlyName::new(&b"bob"[..]).expect("a name"),
    );
    bob.standing = Standing::Unverified;
    bob.list_version = 7;
    bob.privacy = Privacy::BlockAll;
    bob.gtc = GtcMode::DontAsk;
    bob.lists[0].push(Entry {
        handle: handle(0),
        name: name(0),
    });
    assert_eq!(accounts, [alice, bob]);
    // The new standings are writable after the migration.
    let mut carol = Account::new(handle(2), "c", name(2));
    carol.standing = Standing::KidWithoutConsent;
    assert!(store.add_account(carol.clone()).expect("add carol"));
    drop(store);
    assert_eq!(user_version(&db), 2);
    let reopened = db.open().load().expect("reopen");
    assert_eq!(reopened.len(), 3);
    assert_eq!(reopened[2], carol);
    let fresh = SqliteStore::in_memory().expect("a new database");
    let migrated = rusqlite::Connection::open(&db.0).expect("raw open");
    assert_eq!(schema_of(&migrated), schema_of(&fresh.conn));
}

/// A version 1 database whose `verified` is not 0 or 1 is refused as its loading did
/// (`StoreError::Invalid` naming the row), and left as it was: version 1, not migrated.
#[test]
fn an_invalid_version_1_database_is_refused_and_left_alone() {
    for (edit, shown) in [
        ("UPDATE account SET verified = 2 WHERE rowid = 2", "2 is"),
        (
            "UPDATE account SET verified = 'yes' WHERE rowid = 2",
            "'yes' is",
        ),
    ] {
        let db = v1_database(edit);
        let err = SqliteStore::open(&db.0).expect_err("an invalid flag");
        assert!(
            matches!(&err, StoreError::Invalid(m)
                if m.contains("table account row 2 column verified") && m.contains(shown)),
            "{edit}: {err}"
        );
        assert_eq!(user_version(&db), 1, "{edit}: not migrated");
        let conn = rusqlite::Connection::open(&db.0).expect("raw open");
        let flags: i64 = conn
            .query_row("SELECT count(verified) FROM account", [], |row| row.get(0))
            .expect("the verified column is still there");
        assert_eq!(flags, 2);
    }
}

#[cfg(unix)]
#[test]
fn a_new_database_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let db = TempDb::new();
    let mut store = db.open();
    store.add_account(alice()).expect("add");
    for suffix in ["", "-wal"] {
        let mut p = db.0.clone().into_os_string();
        p.push(suffix);
        let mode = std::fs::metadata(&p).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{p:?}");
    }
}

/// Commits per second with `synchronous=FULL` on this disk (one fsync each): not a test, a
/// measurement. `cargo test -p msnp6-server --lib commit_rate -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a test"]
fn commit_rate() {
    let db = TempDb::new();
    let mut store = db.open();
    store.add_account(alice()).expect("add");
    let n = 500u32;
    let start = std::time::Instant::now();
    for v in 1..=n {
        let change = Change::ListVersion {
            owner: handle(0),
            version: v,
        };
        store.commit(&[change]).expect("commit");
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} commits in {secs:.3} s: {:.0} commits/s",
        f64::from(n) / secs
    );
}

/// Commit `k` of the crash test: contact `k` replaces contact `k - 1` on alice's FL, PHH and the
/// list version become `k`. Half of it applied would show as a mismatch.
fn crash_commit(k: u32) -> Vec<Change> {
    let contact = |k: u32| Handle::new(format!("c{k}@example.com").into_bytes()).expect("handle");
    let mut changes = vec![Change::EntryAdded {
        owner: handle(0),
        list: List::Forward,
        entry: Entry {
            handle: contact(k),
            name: name(0),
        },
    }];
    if k > 1 {
        changes.push(Change::EntryRemoved {
            owner: handle(0),
            list: List::Forward,
            handle: contact(k - 1),
        });
    }
    let value = Some(token(&k.to_string()));
    changes.push(Change::Property {
        owner: handle(0),
        property: Property::HomePhone,
        value,
    });
    changes.push(Change::ListVersion {
        owner: handle(0),
        version: k,
    });
    changes
}

/// The child of `commits_survive_sigkill`: commits forever from the stored version on,
/// printing `k` after commit `k` returned. Does nothing unless run by that test (`MSNP6_CRASH_DB` set).
#[test]
#[ignore = "run by commits_survive_sigkill in a child process"]
fn crash_child() {
    let Some(path) = std::env::var_os("MSNP6_CRASH_DB") else {
        return;
    };
    let mut store = SqliteStore::open(path).expect("open");
    let start = store.load().expect("load")[0].list_version;
    for k in start + 1.. {
        store.commit(&crash_commit(k)).expect("commit");
        println!("acked {k}");
    }
}

/// A process committing in a loop is killed with SIGKILL at random moments: after each kill the
/// database holds every commit the process saw return, plus at most the one in flight, whole.
#[test]
fn commits_survive_sigkill() {
    use std::io::BufRead;
    let db = TempDb::new();
    db.open().add_account(alice()).expect("alice");
    let mut acked = 0u32;
    for round in 0..8u64 {
        let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([
                "store::sqlite::tests::crash_child",
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env("MSNP6_CRASH_DB", &db.0)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn the child");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        // Kill after a varying number of commits seen, so the moment moves through the commit.
        let wanted = 20 + round * 37 % 50;
        let mut seen = 0;
        for line in &mut lines {
            let line = line.expect("the child's stdout");
            if let Some(k) = line.strip_prefix("acked ") {
                acked = k.trim().parse().expect("a number");
                seen += 1;
                if seen == wanted {
                    break;
                }
            }
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
        // The child went on committing until the kill landed: what it acknowledged meanwhile
        // is still in the pipe.
        for line in lines.map_while(Result::ok) {
            if let Some(k) = line.strip_prefix("acked ") {
                acked = k.trim().parse().expect("a number");
            }
        }
        let accounts = db.open().load().expect("load after SIGKILL");
        let a = &accounts[0];
        let v = a.list_version;
        assert!(
            v == acked || v == acked + 1,
            "version {v}, acknowledged {acked}"
        );
        let fl: Vec<_> = a
            .list(List::Forward)
            .iter()
            .map(|e| e.handle.to_string())
            .collect();
        assert_eq!(
            fl,
            [format!("c{v}@example.com")],
            "FL moves with the version"
        );
        assert_eq!(a.properties, [(Property::HomePhone, token(&v.to_string()))]);
        // The next child goes on from what is stored.
        acked = v;
    }
}

/// Group commit: inside a batch a failing command rolls back to its savepoint only; `end`
/// makes the others durable together; a batch never ended is not durable.
#[test]
fn a_batch_keeps_commands_all_or_none_and_is_durable_only_at_end() {
    let db = TempDb::new();
    let mut store = db.open();
    store
        .commit(&[Change::AccountAdded(alice())])
        .expect("alice");
    let privacy = |value| Change::Privacy {
        owner: handle(0),
        value,
    };
    let version = |version| Change::ListVersion {
        owner: handle(0),
        version,
    };
    let carol = Change::Renamed {
        owner: handle(2),
        name: name(2),
    };
    store.begin();
    store.commit(&[privacy(Privacy::BlockAll)]).expect("blp");
    let gtc = Change::Gtc {
        owner: handle(0),
        value: GtcMode::DontAsk,
    };
    let err = store.commit(&[gtc, carol]).expect_err("no carol");
    assert!(
        matches!(&err, StoreError::Invalid(m) if m.contains("carol")),
        "{err}"
    );
    store.commit(&[version(1)]).expect("version");
    store.end().expect("end");
    let stored = db.open().load().expect("load after the batch");
    assert_eq!(stored[0].privacy, Privacy::BlockAll);
    assert_eq!(stored[0].list_version, 1);
    assert_eq!(
        stored[0].gtc,
        GtcMode::Ask,
        "the failed command left nothing"
    );

    store.begin();
    store.commit(&[version(2)]).expect("version 2");
    drop(store);
    let stored = db.open().load().expect("load after a batch never ended");
    assert_eq!(
        stored[0].list_version, 1,
        "a batch never ended is not durable"
    );
}
