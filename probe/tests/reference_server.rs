//! The reference server's sockets: the addresses it hands out, its connection limit, frames that
//! do not decode, and a clean stop.

mod reference_support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

use msnp6::ServerKind;
use msnp6_probe::reference::{Clock, Config, ReferenceServer, Running};
use reference_support::{Harness, Script, server_violations};

fn start(config: Config) -> Running {
    ReferenceServer::start(config).expect("starts on loopback")
}

fn script_server(script: &Script) -> Running {
    start(
        Config::loopback()
            .with_accounts(script.scenario.accounts.clone())
            .with_seed(script.scenario.seed)
            .with_clock(Clock::Manual),
    )
}

/// Reads until the server closes the connection (end of stream, or a reset: a server that stops
/// may drop bytes it did not read) or 10 s pass; returns what came and whether it closed.
fn read_to_close(s: &mut TcpStream) -> (Vec<u8>, bool) {
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut all = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (all, true),
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return (all, false);
            }
            Err(_) => return (all, true),
        }
    }
}

#[test]
fn xfr_and_rng_name_the_real_addresses() {
    let mut s = Script::new();
    s.connect("alice-ds", ServerKind::Dispatch);
    s.send("alice-ds", "VER {} MSNP6 CVR0\r\n");
    s.send("alice-ds", "USR {} MD5 I alice@example.com\r\n");
    s.login("alice");
    s.login("bob");
    s.call();
    let running = script_server(&s);
    let addrs = running.addrs();
    let mut h = Harness::new(&running, &s.scenario);
    h.play_all(&s.scenario);
    let ds = h.frames("alice-ds").join("");
    assert!(ds.contains(&format!("XFR 2 NS {} 0\r\n", addrs.ns)), "{ds}");
    let ns = h.frames("alice").join("");
    assert!(ns.contains(&format!(" SB {} CKI ", addrs.sb)), "{ns}");
    let rng = h.frames("bob").join("");
    assert!(
        rng.contains("RNG ") && rng.contains(&format!(" {} CKI ", addrs.sb)),
        "{rng}"
    );
    let report = h.finish();
    assert!(report.conforms, "{}", server_violations(&report.violations));
    running.shutdown();
}

#[test]
fn connections_over_the_limit_are_closed_at_once() {
    let mut config = Config::loopback();
    config.max_connections = 2;
    let running = start(config);
    let ns = running.addrs().ns;
    let mut a = TcpStream::connect(ns).expect("first");
    let _b = TcpStream::connect(ns).expect("second");
    let mut c = TcpStream::connect(ns).expect("third (accepted, then closed)");
    let _ = c.write_all(b"VER 1 MSNP6\r\n");
    let (bytes, closed) = read_to_close(&mut c);
    assert!(
        closed && bytes.is_empty(),
        "the third connection is closed unanswered"
    );
    // The first one is served.
    a.write_all(b"VER 1 MSNP6\r\n").expect("write");
    a.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut buf = [0u8; 64];
    let n = a.read(&mut buf).expect("VER reply");
    assert_eq!(&buf[..n], b"VER 1 MSNP6\r\n");
    running.shutdown();
}

#[test]
fn a_frame_that_does_not_decode_closes_the_connection() {
    // Reference §14: a TrID that is not an unsigned integer → disconnect.
    let running = start(Config::loopback());
    let mut s = TcpStream::connect(running.addrs().ns).expect("connect");
    s.write_all(b"VER 1 MSNP6\r\nCHG x NLN\r\nVER 3 MSNP6\r\n")
        .expect("write");
    let (bytes, closed) = read_to_close(&mut s);
    assert!(closed);
    assert_eq!(bytes, b"VER 1 MSNP6\r\n", "nothing after the bad line");
    // An endless line is cut at the framer's limit and closes too.
    let mut s = TcpStream::connect(running.addrs().ns).expect("connect");
    let _ = s.write_all(&vec![b'A'; 64 * 1024]);
    let (bytes, closed) = read_to_close(&mut s);
    assert!(closed && bytes.is_empty());
    running.shutdown();
}

#[test]
fn shutdown_stops_with_clients_connected() {
    let running = start(Config::loopback());
    let mut s = TcpStream::connect(running.addrs().ns).expect("connect");
    s.write_all(b"VER 1 MSNP6\r\n").expect("write");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        running.shutdown();
        let _ = tx.send(());
    });
    // A hang would fail here, not block the test run.
    rx.recv_timeout(Duration::from_secs(30))
        .expect("shutdown returns");
    let (_, closed) = read_to_close(&mut s);
    assert!(closed, "the client sees the end of the stream");
}

#[test]
fn bad_accounts_and_busy_addresses_are_start_errors() {
    let config = Config::loopback().with_accounts(vec![
        msnp6_oracle::model::AccountSpec::new("a@example.com", "x", "a"),
        msnp6_oracle::model::AccountSpec::new("a@example.com", "y", "a"),
    ]);
    let e = ReferenceServer::start(config).expect_err("a handle given twice");
    assert!(e.to_string().contains("a@example.com"), "{e}");
    let running = start(Config::loopback());
    let mut config = Config::loopback();
    config.ns = running.addrs().ns;
    let e = ReferenceServer::start(config).expect_err("the NS address is taken");
    assert!(e.to_string().contains("NS"), "{e}");
    running.shutdown();
}
