//! The shell over real sockets (issue 20 Proof 2): the real core over loopback judged by the
//! live monitor; and, with the `Echo` double, the shell's own mechanics: frames cross in order,
//! the dialect changes after VER, shutdown sends `OUT SSD`, the limits refuse and close.

mod shell_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use msnp6::types::{Dialect, ServerKind};
use msnp6_oracle::monitor::{Monitor, Observed, Report, VerifyOptions};
use msnp6_server::core::Config;
use msnp6_server::shell::ShellLimits;
use shell_support::{Client, Echo, Record, TestServer, Transcript, account, loopback, start_core};
use tokio::io::AsyncWriteExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_frames_after_ver_are_answered_in_order() {
    let server = TestServer::start(loopback(ShellLimits::default()), |_| Echo::new(60_000));
    let mut c = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    // VER and what follows in one write: the shell must not decode past VER before the
    // machine has set the dialect, nor lose the bytes after it.
    c.send(b"VER 1 MSNP6 CVR0\r\nPNG\r\nPNG\r\n").await;
    assert_eq!(c.line().await.as_deref(), Some("VER 1 MSNP6"));
    assert_eq!(c.line().await.as_deref(), Some("QNG"));
    assert_eq!(c.line().await.as_deref(), Some("QNG"));
    let echo = server.stop();
    assert_eq!(
        &echo.seen[..4],
        ["opened 1", "frame 1 VER", "frame 1 PNG", "frame 1 PNG"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_line_after_ver_is_decoded_in_the_dialect_chosen() {
    let server = TestServer::start(loopback(ShellLimits::default()), |_| {
        let mut echo = Echo::new(60_000);
        echo.dialect = Dialect::Msnp7;
        echo
    });
    let mut c = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    // The group parameter `0` of ADD exists in MSNP7 only (reference §2): decoded in MSNP6,
    // the line is invalid.
    c.send(b"VER 1 MSNP7 MSNP6 CVR0\r\nADD 2 FL a@b.cd a 0\r\n")
        .await;
    assert_eq!(c.line().await.as_deref(), Some("VER 1 MSNP7"));
    // Echo closes on anything but VER, PNG and USR.
    assert!(c.rest().await.is_empty());
    let echo = tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop");
    assert_eq!(&echo.seen[..3], ["opened 1", "frame 1 VER", "frame 1 ADD"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_sends_out_ssd_to_every_client_and_returns_the_machine() {
    let echo = Echo::new(60_000);
    let opened = Arc::clone(&echo.opened);
    let server = TestServer::start(loopback(ShellLimits::default()), move |_| echo);
    let mut clients = Vec::new();
    for (addr, kind) in [
        (server.addrs.ds, ServerKind::Dispatch),
        (server.addrs.ns, ServerKind::Notification),
        (server.addrs.sb, ServerKind::Switchboard),
    ] {
        let mut c = Client::connect(addr, kind).await;
        if kind != ServerKind::Switchboard {
            // (VER is not sent on the SB, reference §3.5.)
            c.send(b"VER 1 MSNP6 CVR0\r\n").await;
            assert_eq!(c.line().await.as_deref(), Some("VER 1 MSNP6"));
        }
        clients.push(c);
    }
    // A connection still in the listen backlog at shutdown is reset, not sent OUT SSD.
    while opened.load(Ordering::SeqCst) < 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let echo = tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop");
    for c in &mut clients {
        assert_eq!(c.rest().await, ["OUT SSD"]);
    }
    assert_eq!(echo.seen.last().map(String::as_str), Some("shutdown"));
    assert!(
        !echo.seen.iter().any(|s| s.starts_with("closed")),
        "{:?}",
        echo.seen
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_per_address_limit_are_closed_at_accept() {
    let limits = ShellLimits {
        max_per_address: 3,
        ..ShellLimits::default()
    };
    let server = TestServer::start(loopback(limits), |_| Echo::new(60_000));
    let mut open = Vec::new();
    for _ in 0..3 {
        let mut c = Client::connect(server.addrs.ns, ServerKind::Notification).await;
        assert!(c.ping(Duration::from_secs(5)).await.is_ok());
        open.push(c);
    }
    let mut refused = Client::connect(server.addrs.sb, ServerKind::Switchboard).await;
    assert_eq!(
        refused.frame().await,
        None,
        "the fourth connection is closed"
    );
    // A slot freed is a slot again.
    drop(open.pop());
    let mut again = None;
    for _ in 0..50 {
        let mut c = Client::connect(server.addrs.ns, ServerKind::Notification).await;
        if c.ping(Duration::from_secs(5)).await.is_ok() {
            again = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "a freed slot is never reused");
    let echo = tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop");
    let opened = echo.seen.iter().filter(|s| s.starts_with("opened")).count();
    assert!(opened >= 4, "{:?}", echo.seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_total_limit_are_closed_at_accept() {
    let limits = ShellLimits {
        max_connections: 2,
        ..ShellLimits::default()
    };
    let server = TestServer::start(loopback(limits), |_| Echo::new(60_000));
    // (PNG is an NS command, reference §3.1.)
    let mut a = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    let mut b = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    assert!(a.ping(Duration::from_secs(5)).await.is_ok());
    assert!(b.ping(Duration::from_secs(5)).await.is_ok());
    let mut c = Client::connect(server.addrs.sb, ServerKind::Switchboard).await;
    assert_eq!(c.frame().await, None);
    assert!(a.ping(Duration::from_secs(5)).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_for_a_client_that_never_reads_overflows_its_queue() {
    let limits = ShellLimits {
        max_output_queue: 64 << 10,
        ..ShellLimits::default()
    };
    let server = TestServer::start(loopback(limits), |_| Echo::new(60_000));
    // The victim (connection 1) never reads, with a small receive window.
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
    let _victim = socket.connect(server.addrs.ns).await.expect("connect");
    let mut sender = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    // Each CHG queues 100 `ILN` lines (42 KB) for the victim: 400 of them, 17 MB (the
    // kernels buffer a few MB on loopback).
    for _ in 0..40 {
        sender.send(&b"CHG 1 NLN\r\n".repeat(10)).await;
        assert!(
            sender.ping(Duration::from_secs(5)).await.is_ok(),
            "the sender is stalled"
        );
    }
    let echo = tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop");
    let closed = echo.seen.iter().position(|s| s == "closed 1");
    let shutdown = echo.seen.iter().position(|s| s == "shutdown");
    assert!(
        closed.is_some() && closed < shutdown,
        "the victim was never closed"
    );
}

/// `PNG` and the lines until its `QNG`: everything the server sent before is read.
async fn sync(c: &mut Client) {
    c.say("PNG").await;
    c.until("QNG").await;
}

/// A plain-text switchboard message: `MSG trid ack length` + payload (reference §3.5).
fn msg(trid: u32, ack: char, text: &str) -> Vec<u8> {
    let payload =
        format!("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n{text}");
    let mut out = format!("MSG {trid} {ack} {}\r\n", payload.len()).into_bytes();
    out.extend_from_slice(payload.as_bytes());
    out
}

/// Reads to the end of the stream and records the disconnection.
async fn end(c: &mut Client) -> Vec<String> {
    let rest = c.rest().await;
    c.note_end();
    rest
}

const USERS: [(&str, &str, &str); 3] = [
    ("alice@example.com", "alice-pw", "Alice"),
    ("bob@example.com", "bob-pw", "Bob"),
    ("carol@example.com", "carol-pw", "Carol"),
];

/// Issue 20 Proof 2: the real core over loopback — a DS referral, three NS logins (MD5), lists,
/// presence, a switchboard with two participants, errors — every connection's frames fed to
/// the live monitor in an order that respects causality: no violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_over_loopback_satisfies_the_live_monitor() {
    let accounts = USERS.iter().map(|(h, p, n)| account(h, p, n)).collect();
    let server = start_core(ShellLimits::default(), Config::reference(), accounts);
    let a = server.addrs;
    let t = Transcript::default();

    // DS: referral to the NS the shell really listens on (reference §8).
    let mut ds = Client::recorded(a.ds, ServerKind::Dispatch, "alice-ds", &t).await;
    ds.say("VER 1 MSNP6 CVR0").await;
    ds.until("VER").await;
    ds.say("INF 2").await;
    ds.until("INF").await;
    ds.say("USR 3 MD5 I alice@example.com").await;
    let xfr = Client::text(&ds.until("XFR").await);
    assert_eq!(xfr, format!("XFR 3 NS {} 0", a.ns));
    ds.say("OUT").await;
    end(&mut ds).await;

    let login = |i: usize, t: &Transcript| {
        let (h, p, _) = USERS[i];
        let name = ["alice", "bob", "carol"][i];
        let t = t.clone();
        async move { Client::login(a.ns, h, p, Some((name, &t))).await }
    };
    let mut alice = login(0, &t).await;
    let mut bob = login(1, &t).await;
    let mut carol = login(2, &t).await;

    // Lists and presence.
    for c in [&mut alice, &mut bob, &mut carol] {
        c.say("SYN 4 0").await;
        c.say("CHG 5 NLN").await;
        sync(c).await;
    }
    bob.say("ADD 6 FL alice@example.com Alice").await;
    sync(&mut bob).await;
    sync(&mut alice).await;
    alice.say("ADD 6 AL bob@example.com Bob").await;
    alice.say("ADD 7 FL bob@example.com Bob").await;
    alice.say("CHG 8 BSY").await;
    sync(&mut alice).await;
    sync(&mut bob).await;
    carol.say("REA 6 carol@example.com Caroline").await;
    carol.say("BLP 7 BL").await;
    carol.say("ADD 8 FL nobody@example.com Nobody").await;
    sync(&mut carol).await;

    // A switchboard: alice invites bob, messages both ways, both leave.
    alice.say("XFR 9 SB").await;
    let xfr = Client::text(&alice.until("XFR").await);
    let cookie = xfr
        .strip_prefix(&format!("XFR 9 SB {} CKI ", a.sb))
        .unwrap_or_else(|| panic!("{xfr}"))
        .to_owned();
    let mut alice_sb = Client::recorded(a.sb, ServerKind::Switchboard, "alice-sb", &t).await;
    alice_sb
        .say(&format!("USR 1 alice@example.com {cookie}"))
        .await;
    alice_sb.until("USR").await;
    alice_sb.say("CAL 2 bob@example.com").await;
    let cal = Client::text(&alice_sb.until("CAL").await);
    let session = cal
        .strip_prefix("CAL 2 RINGING ")
        .expect("RINGING")
        .to_owned();
    let rng = Client::text(&bob.until("RNG").await);
    let words: Vec<&str> = rng.split(' ').collect();
    assert_eq!(words[1], session);
    assert_eq!(words[2], a.sb.to_string());
    let mut bob_sb = Client::recorded(a.sb, ServerKind::Switchboard, "bob-sb", &t).await;
    bob_sb
        .say(&format!("ANS 1 bob@example.com {} {session}", words[4]))
        .await;
    bob_sb.until("ANS").await;
    alice_sb.until("JOI").await;
    alice_sb.send(&msg(3, 'A', "hello bob")).await;
    alice_sb.until("ACK").await;
    bob_sb.until("MSG").await;
    bob_sb.send(&msg(2, 'U', "hello alice")).await;
    alice_sb.until("MSG").await;
    bob_sb.say("OUT").await;
    end(&mut bob_sb).await;
    alice_sb.until("BYE").await;
    alice_sb.say("OUT").await;
    end(&mut alice_sb).await;

    // An unknown command closes (reference §14); alice's OUT sends bob FLN.
    carol.say("XYZ 9").await;
    end(&mut carol).await;
    alice.say("OUT").await;
    end(&mut alice).await;
    bob.until("FLN").await;
    bob.say("OUT").await;
    end(&mut bob).await;
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop");

    let records = t.lock().expect("transcript").clone();
    let report = judge(&records);
    assert!(
        report.conforms,
        "{} frames, violations: {:#?}",
        records.len(),
        report.violations
    );
}

/// Feeds the records to the live monitor (knowing the passwords) and finishes it.
fn judge(records: &[Record]) -> Report {
    let mut options = VerifyOptions::default();
    for (h, p, _) in USERS {
        options = options.with_account(h, p);
    }
    let mut m = Monitor::new(options);
    for r in records {
        match r {
            Record::Connect(name, kind) => {
                m.connect(name, *kind);
            }
            Record::Frame(name, kind, direction, command) => {
                m.observe(Observed {
                    connection: name,
                    kind: *kind,
                    direction: *direction,
                    frame: Ok(command.clone()),
                    time: Duration::ZERO,
                });
            }
            Record::Disconnect(name) => {
                m.disconnect(name);
            }
        }
    }
    m.finish()
}

/// A refused login (reference §3.1 USR: 911, then close) while the client keeps sending: the
/// reply queued before the `Close` is written before the connection closes (the lines after
/// the USR are never answered). (Whether `linger` matters is not shown here: on Linux
/// loopback, data the client already received survives the reset a close without it causes.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_reply_before_a_close_reaches_a_client_that_keeps_sending() {
    let accounts = vec![account("alice@example.com", "alice-pw", "Alice")];
    let server = start_core(ShellLimits::default(), Config::reference(), accounts);
    let mut c = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    c.say("VER 1 MSNP6 CVR0").await;
    c.until("VER").await;
    c.say("USR 2 MD5 I alice@example.com").await;
    c.until("USR").await;
    let mut burst = b"USR 3 MD5 S 00000000000000000000000000000000\r\n".to_vec();
    burst.extend_from_slice(&b"PNG\r\n".repeat(20_000));
    let _ = c.wr.write_all(&burst).await;
    assert_eq!(c.rest().await, ["911 3"]);
}
