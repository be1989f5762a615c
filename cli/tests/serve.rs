//! `msnp6 serve` (issue 20): starts on ephemeral loopback ports and prints them, creates its
//! database, answers VER on the DS and the NS, answers USR by each account's stored standing
//! (923, 924, `OK … 0`), and on SIGTERM sends `OUT SSD` to every client and exits 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `msnp6 serve`, killed with SIGKILL if still running when dropped (no orphan).
struct Serve {
    child: Child,
    addrs: Vec<(String, SocketAddr)>,
}

impl Serve {
    fn start(dir: &Path) -> Serve {
        Serve::start_with(dir, &[])
    }

    fn start_with(dir: &Path, extra: &[&str]) -> Serve {
        let log = std::fs::File::create(dir.join("serve.log")).expect("log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_msnp6"))
            .args(["serve", "--db", "test.sqlite"])
            .args(extra)
            .args([
                "--ds",
                "127.0.0.1:0",
                "--ns",
                "127.0.0.1:0",
                "--sb",
                "127.0.0.1:0",
            ])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn msnp6 serve");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut serve = Serve {
            child,
            addrs: Vec::new(),
        };
        for line in stdout.lines().take(3) {
            let line = line.expect("serve's stdout");
            let mut words = line.split(' ');
            assert_eq!(words.next(), Some("listening"), "{line:?}");
            let kind = words.next().expect("kind").to_owned();
            let addr = words.next().expect("address").parse().expect("an address");
            serve.addrs.push((kind, addr));
        }
        serve
    }

    fn addr(&self, kind: &str) -> SocketAddr {
        self.addrs
            .iter()
            .find(|(k, _)| k == kind)
            .unwrap_or_else(|| panic!("no `listening {kind}` line: {:?}", self.addrs))
            .1
    }

    /// Waits up to `patience` for the exit status.
    fn wait(&mut self, patience: Duration) -> Option<i32> {
        let until = Instant::now() + patience;
        while Instant::now() < until {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msnp6-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Waits (up to 20 s) until serve.log holds `needle` `count` times.
fn wait_for_log(dir: &Path, needle: &str, count: usize) {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        let log = std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default();
        if log.matches(needle).count() >= count {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("serve.log never said {needle:?} {count} times");
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

/// One line (without CR LF) from a reader.
fn line(r: &mut BufReader<TcpStream>) -> String {
    let mut l = String::new();
    r.read_line(&mut l).expect("a line within 10 s");
    l.trim_end().to_owned()
}

#[test]
fn serve_answers_ver_and_on_sigterm_sends_out_ssd_and_exits_0() {
    let dir = scratch("sigterm");
    let mut serve = Serve::start(&dir);
    assert!(
        dir.join("test.sqlite").exists(),
        "the database is created at first start"
    );
    let mut clients = Vec::new();
    for kind in ["ds", "ns"] {
        let mut s = connect(serve.addr(kind));
        s.write_all(b"VER 1 MSNP6 CVR0\r\n").expect("VER");
        let mut r = BufReader::new(s);
        let ver = line(&mut r);
        assert!(ver.starts_with("VER 1 MSNP6"), "{kind}: {ver:?}");
        clients.push(r);
    }
    let sb = connect(serve.addr("sb"));
    clients.push(BufReader::new(sb));
    // A connection still in the listen backlog at shutdown is reset, not sent OUT SSD: wait
    // until the server has accepted all three (its log says so).
    wait_for_log(&dir, "connection opened", 3);
    let kill = Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    for (i, r) in clients.iter_mut().enumerate() {
        let mut rest = String::new();
        r.read_to_string(&mut rest).expect("the rest, then the end");
        assert_eq!(rest, "OUT SSD\r\n", "client {i}");
    }
    assert_eq!(serve.wait(Duration::from_secs(20)), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_an_address_in_use_with_status_2() {
    let dir = scratch("in-use");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_msnp6"))
        .args(["serve", "--db", "test.sqlite", "--ds", &port])
        .args(["--ns", "127.0.0.1:0", "--sb", "127.0.0.1:0"])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen for the ds on"), "{err}");
    assert!(out.stdout.is_empty(), "nothing listening, nothing printed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_hands_out_the_public_host_with_the_bound_ports() {
    let dir = scratch("public-host");
    let serve = Serve::start_with(&dir, &["--public-host", "localhost"]);
    let mut s = connect(serve.addr("ds"));
    s.write_all(b"VER 1 MSNP6\r\nINF 2\r\nUSR 3 MD5 I alice@example.com\r\n")
        .expect("login start");
    let mut r = BufReader::new(s);
    assert_eq!(line(&mut r), "VER 1 MSNP6");
    assert_eq!(line(&mut r), "INF 2 MD5");
    let ns_port = serve.addr("ns").port();
    assert_eq!(line(&mut r), format!("XFR 3 NS localhost:{ns_port} 0"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_to_hand_out_an_unspecified_address_without_public_host() {
    let dir = scratch("unspecified");
    // Refused before anything is bound: the test never listens beyond loopback.
    let out = Command::new(env!("CARGO_BIN_EXE_msnp6"))
        .args(["serve", "--db", "test.sqlite", "--ds", "127.0.0.1:0"])
        .args(["--ns", "0.0.0.0:0", "--sb", "127.0.0.1:0"])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--ns 0.0.0.0:0") && err.contains("--public-host"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing listening, nothing printed");
    let bad = Command::new(env!("CARGO_BIN_EXE_msnp6"))
        .args(["serve", "--public-host", "a b"])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2), "a usage error");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `msnp6 account add HANDLE --password-stdin [flag]` on the test database of `dir`.
fn add_account(dir: &Path, handle: &str, flag: Option<&str>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_msnp6"))
        .args([
            "account",
            "add",
            handle,
            "--password-stdin",
            "--db",
            "test.sqlite",
        ])
        .args(flag)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn account add");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"pw\n").expect("password");
    drop(stdin);
    assert!(
        child.wait().expect("wait").success(),
        "account add {handle}"
    );
}

/// End to end (docs/msnp6-protocol.md §3.1 USR): accounts added with `--kids`, `--blocked` and
/// `--unverified` log in to `msnp6 serve` as `923` and close, `924` and close, and
/// `USR … OK … 0`. Fails when a flag does not reach the database or the server ignores it.
#[test]
fn serve_answers_usr_by_the_stored_standing() {
    use msnp6::auth::{Password, Salt, login_digest_string};
    let dir = scratch("standing");
    add_account(&dir, "kid@example.com", Some("--kids"));
    add_account(&dir, "blocked@example.com", Some("--blocked"));
    add_account(&dir, "soft@example.com", Some("--unverified"));
    let serve = Serve::start(&dir);
    for (handle, expected, closes) in [
        ("kid@example.com", "923 3".to_owned(), true),
        ("blocked@example.com", "924 3".to_owned(), true),
        (
            "soft@example.com",
            "USR 3 OK soft@example.com soft@example.com 0".to_owned(),
            false,
        ),
    ] {
        let mut s = connect(serve.addr("ns"));
        s.write_all(format!("VER 1 MSNP6\r\nUSR 2 MD5 I {handle}\r\n").as_bytes())
            .expect("VER, USR I");
        let mut r = BufReader::new(s.try_clone().expect("clone"));
        assert_eq!(line(&mut r), "VER 1 MSNP6");
        let salt = line(&mut r);
        let salt = salt.rsplit(' ').next().expect("a salt").to_owned();
        let digest = login_digest_string(
            Salt::new(salt.as_bytes()).expect("a salt"),
            Password::new(b"pw"),
        );
        s.write_all(format!("USR 3 MD5 S {digest}\r\n").as_bytes())
            .expect("USR S");
        assert_eq!(line(&mut r), expected, "{handle}");
        if closes {
            let mut rest = String::new();
            r.read_to_string(&mut rest).expect("the end");
            assert_eq!(rest, "", "{handle}: closed after the error");
        }
    }
    drop(serve);
    let _ = std::fs::remove_dir_all(&dir);
}
