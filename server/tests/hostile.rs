//! Hostile input (issue 20 Proof 4). Each test runs one hostile client against a server on
//! loopback while a bystander, logged in on the NS, pings every 50 ms: every `PNG` must be
//! answered within 1 s throughout (`MSNP6_PNG_DEADLINE_MS` raises the bound on a machine too
//! loaded for it), and the hostile client gets what the reference says — for a line that does
//! not decode, the connection closed without a reply (reference §14: "An unknown command … or a
//! TrID that is not an unsigned integer: disconnect"; a line or payload over the codec's limits
//! loses the framing, docs/codec.md).

mod shell_support;

use std::time::Duration;

use msnp6::types::ServerKind;
use msnp6_server::core::{Config, Core};
use msnp6_server::shell::{LocalAddrs, ShellLimits};
use shell_support::{Bystander, Client, TestServer, account, start_core};
use tokio::io::AsyncWriteExt;

/// The core's login timeout in these tests, in ms (default 60 s).
const LOGIN_TIMEOUT: u64 = 1_000;

const BYSTANDER: (&str, &str) = ("bystander@example.com", "bystander-pw");
const HOSTILE: (&str, &str) = ("hostile@example.com", "hostile-pw");

/// How long a bystander's `PNG` may wait for its `QNG`: 1 s (issue 20), unless
/// `MSNP6_PNG_DEADLINE_MS` says otherwise.
fn png_deadline() -> Duration {
    let ms = std::env::var("MSNP6_PNG_DEADLINE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    Duration::from_millis(ms)
}

/// The real core (default configuration but the login timeout, in ms) with two accounts.
fn start(limits: ShellLimits, login_timeout: u64) -> TestServer<Core> {
    let config = Config {
        login_timeout: Some(login_timeout),
        ..Config::default()
    };
    let accounts = [BYSTANDER, HOSTILE]
        .iter()
        .map(|(h, p)| account(h, p, "name"))
        .collect();
    start_core(limits, config, accounts)
}

/// The bystander, logged in on the NS.
async fn logged_in(addrs: LocalAddrs) -> Client {
    Client::login(addrs.ns, BYSTANDER.0, BYSTANDER.1, None).await
}

/// Runs `hostile` against a fresh server while a bystander pings; returns what the hostile
/// client's connection received before it was closed.
async fn with_bystander<F, Fut>(limits: ShellLimits, hostile: F) -> Fut::Output
where
    F: FnOnce(LocalAddrs) -> Fut,
    Fut: std::future::Future,
{
    with_bystander_and(limits, LOGIN_TIMEOUT, hostile).await
}

/// [`with_bystander`] with another login timeout.
async fn with_bystander_and<F, Fut>(
    limits: ShellLimits,
    login_timeout: u64,
    hostile: F,
) -> Fut::Output
where
    F: FnOnce(LocalAddrs) -> Fut,
    Fut: std::future::Future,
{
    let server = start(limits, login_timeout);
    let bystander = Bystander::start(logged_in(server.addrs).await, png_deadline());
    let result = hostile(server.addrs).await;
    let (pings, slowest) = bystander.finish().await;
    assert!(pings >= 2);
    eprintln!("bystander: {pings} pings, slowest {slowest:?}");
    tokio::task::spawn_blocking(move || drop(server))
        .await
        .expect("stop");
    result
}

/// Sends `bytes` on a fresh NS connection; the lines received until the server closed it.
async fn send_and_collect(addrs: LocalAddrs, bytes: Vec<u8>) -> Vec<String> {
    let mut c = Client::connect(addrs.ns, ServerKind::Notification).await;
    // The server may close before all is written (a reset is fine: it is a close).
    let _ = c.wr.write_all(&bytes).await;
    c.rest().await
}

/// A QRY line (a client payload command on the NS, reference §3.4) announcing `length`.
fn qry(length: &str) -> Vec<u8> {
    format!("QRY 5 msmsgs@msnmsgr.com {length}\r\n").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_payload_length_is_closed() {
    let got = with_bystander(ShellLimits::default(), |a| send_and_collect(a, qry("-32"))).await;
    assert_eq!(got, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn length_equal_to_minus_its_own_line_is_closed() {
    // The line `QRY 5 msmsgs@msnmsgr.com -N\r\n` is N bytes long.
    let n = (1..100)
        .find(|n| qry(&format!("-{n}")).len() == *n)
        .expect("a fixpoint");
    let line = qry(&format!("-{n}"));
    assert_eq!(line.len(), n);
    let got = with_bystander(ShellLimits::default(), |a| send_and_collect(a, line)).await;
    assert_eq!(got, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lengths_2_pow_32_and_2_pow_40_are_closed() {
    for length in [1u64 << 32, 1u64 << 40] {
        let line = qry(&length.to_string());
        let got = with_bystander(ShellLimits::default(), |a| send_and_collect(a, line)).await;
        assert_eq!(got, Vec::<String>::new(), "length {length}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_lines_are_closed() {
    let got = with_bystander(ShellLimits::default(), |a| {
        send_and_collect(a, b"\r\n\r\n\r\n".to_vec())
    })
    .await;
    assert_eq!(got, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10000_byte_line_is_closed() {
    let mut line = b"CHG 3 ".to_vec();
    line.resize(10_000, b'N');
    line.extend_from_slice(b"\r\n");
    let got = with_bystander(ShellLimits::default(), |a| send_and_collect(a, line)).await;
    assert_eq!(got, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_byte_every_10_ms_is_served() {
    let got = with_bystander(ShellLimits::default(), |a| async move {
        let mut c = Client::connect(a.ns, ServerKind::Notification).await;
        for b in b"VER 1 MSNP6 CVR0\r\nINF 2\r\n" {
            c.send(&[*b]).await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        vec![c.line().await, c.line().await]
    })
    .await;
    assert_eq!(
        got,
        [Some("VER 1 MSNP6".to_owned()), Some("INF 2 MD5".to_owned())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_closed() {
    // Its own requests fill the socket buffers with replies; then the server's writes make no
    // progress, so it stops reading the client (TCP flow control: the queue does not grow)
    // and closes it after `write_stall`. (Output caused by others overflows the queue
    // instead: sockets.rs, `output_for_a_client_that_never_reads_overflows_its_queue`.)
    let limits = ShellLimits {
        write_stall: Duration::from_secs(1),
        ..ShellLimits::default()
    };
    let closed = with_bystander(limits, |a| async move {
        // Logged in, then never reading again; a small receive window, so that the kernels'
        // buffers fill soon.
        let c = Client::small_window(a.ns, ServerKind::Notification, 4096).await;
        let mut c = c.log_in(HOSTILE.0, HOSTILE.1).await;
        let stream = &mut c.wr;
        // `URL 9 INBOX` (13 bytes) gets an 84-byte reply (reference §3.4 URL): the buffers fill
        // sooner than with PNG.
        let burst = b"URL 9 INBOX\r\n".repeat(400);
        let until = tokio::time::Instant::now() + Duration::from_secs(60);
        while tokio::time::Instant::now() < until {
            let write = tokio::time::timeout_at(until, stream.write_all(&burst)).await;
            if !matches!(write, Ok(Ok(()))) {
                return matches!(write, Ok(Err(_)));
            }
        }
        false
    })
    .await;
    assert!(closed, "a client that never reads still open after 60 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_that_never_log_in_stall_nobody() {
    let n = connections_allowed(1_000);
    let limits = ShellLimits {
        max_connections: n + 10,
        max_per_address: n + 10,
        ..ShellLimits::default()
    };
    // The default login timeout (60 s): all of them are open at once.
    let (last, first_open) = with_bystander_and(limits, 60_000, |a| async move {
        let mut idle = Vec::with_capacity(n);
        for i in 0..n {
            let kind = [
                ServerKind::Dispatch,
                ServerKind::Notification,
                ServerKind::Switchboard,
            ][i % 3];
            let addr = [a.ds, a.ns, a.sb][i % 3];
            idle.push(Client::connect(addr, kind).await);
        }
        // The last one is served like any other, and the first is still open.
        let mut last = Client::connect(a.ns, ServerKind::Notification).await;
        last.say("VER 1 MSNP6 CVR0").await;
        let ver = last.line().await;
        let first_open = idle[0]
            .frame_within(Duration::from_millis(200))
            .await
            .is_err();
        drop(idle);
        (ver, first_open)
    })
    .await;
    assert_eq!(last.as_deref(), Some("VER 1 MSNP6"));
    assert!(first_open, "the first idle connection was closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_never_completed_is_closed() {
    let got = with_bystander(ShellLimits::default(), |a| async move {
        let mut c = Client::connect(a.ns, ServerKind::Notification).await;
        c.send(b"VER 1 MSNP6 CVR0\r\n").await;
        let started = tokio::time::Instant::now();
        let lines = c.rest().await;
        (lines, started.elapsed())
    })
    .await;
    assert_eq!(got.0, ["VER 1 MSNP6"]);
    assert!(
        got.1 >= Duration::from_millis(LOGIN_TIMEOUT - 100),
        "{:?}",
        got.1
    );
}

/// `wanted` idle connections, or fewer if the open-file limit (two descriptors each: the
/// client's and the server's) does not allow them; says so when it scales.
fn connections_allowed(wanted: usize) -> usize {
    let limit = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(3)
                        .and_then(|v| v.parse::<usize>().ok())
                })
        })
        .unwrap_or(usize::MAX);
    let fits = limit.saturating_sub(200) / 2;
    if fits < wanted {
        eprintln!("open-file limit {limit}: {fits} idle connections instead of {wanted}");
    }
    wanted.min(fits)
}
