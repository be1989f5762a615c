//! Hostile servers (issue 19): one that never answers, one that closes at once, one that sends
//! garbage, one that sends an endless line, one that refuses MSNP6, and no server at all. The
//! probe ends within its time limit with findings or a clear error, never a hang or a panic.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use msnp6_probe::{Config, ProbeError, Summary, run};

/// What the hostile server does with a connection.
#[derive(Clone, Copy)]
enum Behaviour {
    Silent,
    CloseAtOnce,
    Garbage,
    EndlessLine,
    RefuseMsnp6,
}

/// A server on 127.0.0.1 that stops (with its connection threads) when dropped.
struct Hostile {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Hostile {
    fn start(behaviour: Behaviour) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut conns = Vec::new();
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let flag = Arc::clone(&flag);
                        conns.push(std::thread::spawn(move || serve(stream, behaviour, &flag)));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            for c in conns {
                let _ = c.join();
            }
        });
        Hostile {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut stream: TcpStream, behaviour: Behaviour, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    // A peer that stops reading must not hold this thread (zero-window probes last minutes).
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let mut buf = [0u8; 4096];
    match behaviour {
        Behaviour::CloseAtOnce => {}
        Behaviour::EndlessLine => {
            let chunk = [b'A'; 4096];
            while !stop.load(Ordering::SeqCst) && stream.write_all(&chunk).is_ok() {}
        }
        Behaviour::Silent | Behaviour::Garbage | Behaviour::RefuseMsnp6 => {
            while !stop.load(Ordering::SeqCst) {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {
                        let reply: &[u8] = match behaviour {
                            Behaviour::Garbage => b"\x00\xff\xfe garbage\r\nHELLO 1 2 3\r\n",
                            Behaviour::RefuseMsnp6 => b"VER 1 0\r\n",
                            _ => b"",
                        };
                        if stream.write_all(reply).is_err() {
                            break;
                        }
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

fn config(addr: SocketAddr, out: &str) -> Config {
    let mut c = Config::new(
        None,
        Some(addr),
        vec![
            ("alice@example.com".into(), "alice-pw".into()),
            ("bob@example.com".into(), "bob-pw".into()),
        ],
    );
    c.sessions = 3;
    c.steps = 30;
    c.shrink_tries = 4;
    c.time_limit = Duration::from_secs(4);
    c.reply_timeout = Duration::from_millis(200);
    c.out = std::env::temp_dir().join(format!("msnp6-hostile-{out}-{}", std::process::id()));
    c
}

/// Runs the probe against `behaviour`; asserts it ended within its time limit (plus the last
/// reply timeout and slack for a loaded machine).
fn probe(behaviour: Behaviour, name: &str) -> Result<Summary, ProbeError> {
    let server = Hostile::start(behaviour);
    let config = config(server.addr, name);
    let started = Instant::now();
    let result = run(&config, &mut |_| {});
    let took = started.elapsed();
    assert!(
        took < config.time_limit + Duration::from_secs(6),
        "{name}: took {took:?}"
    );
    let _ = std::fs::remove_dir_all(&config.out);
    drop(server);
    result
}

fn rules(summary: &Summary) -> Vec<&'static str> {
    summary.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn a_silent_server_is_a_missing_reply() {
    let summary = probe(Behaviour::Silent, "silent").expect("runs");
    assert!(rules(&summary).contains(&"REPLY-MISSING"), "{summary:#?}");
}

#[test]
fn a_server_that_closes_at_once_is_a_clear_error() {
    let error = probe(Behaviour::CloseAtOnce, "close").expect_err("closed");
    assert!(matches!(error, ProbeError::Closed { .. }), "{error}");
}

#[test]
fn garbage_is_a_line_syntax_finding() {
    let summary = probe(Behaviour::Garbage, "garbage").expect("runs");
    assert!(rules(&summary).contains(&"LINE-SYNTAX"), "{summary:#?}");
}

#[test]
fn an_endless_line_is_a_finding_and_the_connection_is_given_up() {
    let summary = probe(Behaviour::EndlessLine, "endless").expect("runs");
    assert!(rules(&summary).contains(&"LINE-SYNTAX"), "{summary:#?}");
    assert!(
        summary.notes.iter().any(|n| n.contains("framing lost")),
        "{summary:#?}"
    );
}

#[test]
fn a_server_that_refuses_msnp6_is_a_clear_error() {
    let error = probe(Behaviour::RefuseMsnp6, "refuse").expect_err("refused");
    assert!(matches!(error, ProbeError::Refused { .. }), "{error}");
    assert!(error.to_string().contains("refuses MSNP6"), "{error}");
}

#[test]
fn no_server_is_a_clear_error() {
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let error = run(&config(addr, "none"), &mut |_| {}).expect_err("unreachable");
    assert!(matches!(error, ProbeError::Unreachable { .. }), "{error}");
}
