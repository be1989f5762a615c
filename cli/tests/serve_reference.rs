//! `msnp6 serve --reference`: prints its listening addresses, hands out the real NS address, stops on
//! SIGTERM and SIGINT (exit 0) or after `--time-limit`, and refuses a bad start (exit 2).
//! Everything on 127.0.0.1; every server started here stops within the test.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::msnp6;

/// Starts the server and reads its three `listening ROLE ADDRESS` lines.
fn start(extra: &[&str]) -> (Child, Vec<(String, SocketAddr)>) {
    let mut child = msnp6()
        .args(["serve", "--reference"])
        .args([
            "--ds",
            "127.0.0.1:0",
            "--ns",
            "127.0.0.1:0",
            "--sb",
            "127.0.0.1:0",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("msnp6 runs");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut roles = Vec::new();
    for _ in 0..3 {
        let line = lines.next().expect("a line").expect("text");
        let mut words = line.split(' ');
        assert_eq!(words.next(), Some("listening"), "{line}");
        let role = words.next().expect("role").to_owned();
        let addr = words.next().expect("address").parse().expect("an address");
        roles.push((role, addr));
    }
    (child, roles)
}

/// Waits for the child to exit (20 s at most, then it is killed and the test fails).
fn wait(child: &mut Child) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the server did not stop");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[test]
fn prints_its_addresses_refers_to_the_real_ns_and_stops_on_sigterm() {
    let (mut child, roles) = start(&["--account", "alice@example.com:secret"]);
    let names: Vec<&str> = roles.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(names, ["ds", "ns", "sb"]);
    assert!(
        roles
            .iter()
            .all(|(_, a)| a.ip().is_loopback() && a.port() != 0)
    );
    let mut ds = TcpStream::connect(roles[0].1).expect("DS");
    ds.write_all(b"VER 1 MSNP6\r\nUSR 2 MD5 I alice@example.com\r\n")
        .expect("write");
    ds.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut got = Vec::new();
    let want = format!("VER 1 MSNP6\r\nXFR 2 NS {} 0\r\n", roles[1].1);
    let mut buf = [0u8; 256];
    while got.len() < want.len() {
        let n = ds.read(&mut buf).expect("reply");
        assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(String::from_utf8_lossy(&got), want);
    signal(&child, "TERM");
    assert_eq!(wait(&mut child).code(), Some(0));
}

#[test]
fn stops_on_sigint_and_after_its_time_limit() {
    let (mut child, _) = start(&[]);
    signal(&child, "INT");
    assert_eq!(wait(&mut child).code(), Some(0));
    let (mut child, _) = start(&["--time-limit", "1"]);
    assert_eq!(wait(&mut child).code(), Some(0));
}

#[test]
fn a_bad_start_is_exit_2() {
    let twice = msnp6()
        .args(["serve", "--reference", "--account", "a@example.com:x"])
        .args(["--account", "a@example.com:y", "--time-limit", "5"])
        .output()
        .expect("runs");
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("a@example.com"));
    let not_an_account = msnp6()
        .args([
            "serve",
            "--reference",
            "--account",
            "nocolon",
            "--time-limit",
            "5",
        ])
        .output()
        .expect("runs");
    assert_eq!(not_an_account.status.code(), Some(2));
}
