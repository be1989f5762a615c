//! The shell over real sockets (issue 20 Proof 2): frames cross loopback in order, the dialect
//! changes after VER, shutdown sends `OUT SSD`, the limits refuse and close.

mod shell_support;

use std::time::Duration;

use msnp6::types::{Dialect, ServerKind};
use msnp6_server::shell::ShellLimits;
use shell_support::{Client, Echo, TestServer, loopback};

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
    let server = TestServer::start(loopback(ShellLimits::default()), |_| Echo::new(60_000));
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
