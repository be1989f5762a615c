//! `msnp6 account add|list|remove` through the binary (issue 20).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use msnp6::types::List;
use msnp6_server::store::{SqliteStore, Standing, Store};

const PASSWORD: &str = "correct horse";

/// A fresh directory under cargo's test scratch space; the database is `msnp6.sqlite` in it.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("account-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `msnp6 account args…` in `dir` with `input` on stdin: (status, stdout, stderr).
fn account(dir: &PathBuf, args: &[&str], input: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msnp6"))
        .arg("account")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    // The binary may exit before reading (a usage error): a broken pipe is fine.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        !stdout.contains(PASSWORD) && !stderr.contains(PASSWORD),
        "password printed"
    );
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn add_list_remove() {
    let dir = scratch("add_list_remove");
    let line = format!("{PASSWORD}\r\n");
    let add = [
        "add",
        "alice@example.com",
        "--password-stdin",
        "--name",
        "Alice A",
    ];
    assert_eq!(account(&dir, &add, &line).0, 0, "add creates msnp6.sqlite");
    assert!(dir.join("msnp6.sqlite").exists());
    let (status, _, stderr) = account(&dir, &add, &line);
    assert_eq!(status, 1, "alice exists");
    assert!(stderr.contains("exists"), "{stderr}");
    let bob = ["add", "bob@example.com", "--password-stdin"];
    assert_eq!(account(&dir, &bob, "pw\n").0, 0);

    let (status, stdout, _) = account(&dir, &["list"], "");
    assert_eq!(status, 0);
    assert_eq!(
        stdout,
        "alice@example.com Alice%20A FL=0 AL=0 BL=0 RL=0 version=0 standing=verified\n\
         bob@example.com bob@example.com FL=0 AL=0 BL=0 RL=0 version=0 standing=verified\n"
    );
    // What the server will read: the password without its line end.
    let accounts = SqliteStore::open(dir.join("msnp6.sqlite"))
        .expect("open")
        .load()
        .expect("load");
    assert_eq!(accounts[0].password, PASSWORD);
    assert!(accounts[0].list(List::Forward).is_empty());

    assert_eq!(account(&dir, &["remove", "alice@example.com"], "").0, 0);
    let (status, _, stderr) = account(&dir, &["remove", "alice@example.com"], "");
    assert_eq!(status, 1, "alice is gone");
    assert!(stderr.contains("no account"), "{stderr}");
    let (_, stdout, _) = account(&dir, &["list"], "");
    assert!(
        stdout.starts_with("bob@example.com ") && stdout.lines().count() == 1,
        "{stdout}"
    );
}

#[test]
fn another_database_with_db() {
    let dir = scratch("db");
    let add = [
        "add",
        "carol@example.com",
        "--db",
        "other.sqlite",
        "--password-stdin",
    ];
    assert_eq!(account(&dir, &add, "pw\n").0, 0);
    assert!(dir.join("other.sqlite").exists() && !dir.join("msnp6.sqlite").exists());
    let (_, stdout, _) = account(&dir, &["list", "--db", "other.sqlite"], "");
    assert!(stdout.starts_with("carol@example.com "), "{stdout}");
}

#[test]
fn usage_errors_exit_2_and_change_nothing() {
    let dir = scratch("usage");
    let cases: [(&[&str], &str, &str); 6] = [
        (
            &["add", "not-an-email", "--password-stdin"],
            "pw\n",
            "local@domain",
        ),
        (&["add", "a@b", "--password-stdin"], "pw\n", "local@domain"),
        (
            &["add", "a b@example.com", "--password-stdin"],
            "pw\n",
            "handle",
        ),
        (&["add", "d@example.com", "--password-stdin"], "\n", "empty"),
        (
            &["add", "d@example.com", "--password-stdin"],
            &"x".repeat(5000),
            "longer",
        ),
        // Standard input is a pipe, not a terminal: no prompt to answer.
        (&["add", "d@example.com"], "pw\n", "--password-stdin"),
    ];
    for (args, input, why) in cases {
        let (status, _, stderr) = account(&dir, args, input);
        assert_eq!(status, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
    }
    assert_eq!(account(&dir, &["remove", "nobody"], "").0, 2);
    assert_eq!(
        account(&dir, &["frobnicate"], "").0,
        2,
        "clap's usage error"
    );
    assert!(!dir.join("msnp6.sqlite").exists(), "nothing was opened");
}

#[test]
fn a_database_that_is_not_ours_exits_2() {
    let dir = scratch("not_ours");
    std::fs::write(
        dir.join("msnp6.sqlite"),
        "a text file, not a SQLite database, at all....",
    )
    .expect("write");
    let (status, _, stderr) = account(&dir, &["list"], "");
    assert_eq!(status, 2);
    assert!(stderr.contains("msnp6.sqlite"), "{stderr}");
}

/// `add --unverified | --blocked | --kids` store the standing the server answers USR with
/// (docs/msnp6-protocol.md §3.1: `OK … 0`, `924`, `923`), `list` shows it, `set` changes it.
/// Fails when a flag is ignored (every account verified), when `list` does not show the
/// standing, or when `set` does not reach the database.
#[test]
fn standings_are_added_listed_and_set() {
    let dir = scratch("standings");
    for (handle, flag) in [
        ("alice@example.com", None),
        ("bob@example.com", Some("--unverified")),
        ("carol@example.com", Some("--blocked")),
        ("dave@example.com", Some("--kids")),
    ] {
        let mut args = vec!["add", handle, "--password-stdin"];
        args.extend(flag);
        let (status, _, stderr) = account(&dir, &args, "pw\n");
        assert_eq!(status, 0, "{args:?}: {stderr}");
    }
    let standings = |dir: &PathBuf| -> Vec<String> {
        let (status, stdout, _) = account(dir, &["list"], "");
        assert_eq!(status, 0);
        stdout
            .lines()
            .map(|l| l.rsplit(' ').next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        standings(&dir),
        [
            "standing=verified",
            "standing=unverified",
            "standing=blocked",
            "standing=kids"
        ]
    );
    let stored = SqliteStore::open(dir.join("msnp6.sqlite"))
        .expect("open")
        .load()
        .expect("load");
    let stored: Vec<_> = stored.iter().map(|a| a.standing).collect();
    assert_eq!(stored, Standing::ALL);

    let set = |args: &[&str]| account(&dir, &[&["set"], args].concat(), "");
    assert_eq!(set(&["alice@example.com", "--kids"]).0, 0);
    assert_eq!(set(&["dave@example.com", "--verified"]).0, 0);
    assert_eq!(standings(&dir)[0], "standing=kids");
    assert_eq!(standings(&dir)[3], "standing=verified");

    let (status, _, stderr) = set(&["nobody@example.com", "--blocked"]);
    assert_eq!(status, 1, "no such account: {stderr}");
    assert!(stderr.contains("no account"), "{stderr}");
    let (status, _, stderr) = set(&["bob@example.com"]);
    assert_eq!(status, 2, "no standing given: {stderr}");
    assert!(stderr.contains("--unverified"), "{stderr}");
    assert_eq!(set(&["bob@example.com", "--blocked", "--kids"]).0, 2);
    let two = [
        "add",
        "erin@example.com",
        "--password-stdin",
        "--blocked",
        "--kids",
    ];
    assert_eq!(account(&dir, &two, "pw\n").0, 2, "two standings");
    assert_eq!(
        standings(&dir),
        [
            "standing=kids",
            "standing=unverified",
            "standing=blocked",
            "standing=verified"
        ],
        "the refused commands changed nothing"
    );
}
