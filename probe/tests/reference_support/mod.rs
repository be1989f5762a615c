//! A test client for the reference server: plays events over TCP, one at a time, and feeds every
//! frame that crosses a connection to the live monitor in the order it crossed ("sent before
//! received": each client frame, then what the server wrote because of it).
//!
//! Synchronisation without timing assumptions: after each client frame the client waits until
//! the server reports that it applied it ([`Running::progress`]); the server writes its answers
//! before it reports, so they are in the client's socket buffers by then.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use msnp6::commands::Command;
use msnp6::{Decoder, Direction, Framer, ServerKind};
use msnp6_oracle::model::{Event, Scenario};
use msnp6_oracle::monitor::{Monitor, Observed, Report, VerifyOptions, Violation};
use msnp6_probe::reference::{Progress, Running};

/// How long the client waits for the server to apply something.
const WAIT: Duration = Duration::from_secs(10);

/// One client connection.
struct Client {
    kind: ServerKind,
    stream: TcpStream,
    local: SocketAddr,
    framer: Framer,
    /// Bytes received and not yet framed, starting at stream offset `base`.
    received: Vec<u8>,
    base: u64,
    sent: u64,
    open: bool,
}

/// The client side of a test: connections by name, the monitor, the time.
pub struct Harness<'r> {
    running: &'r Running,
    monitor: Monitor,
    clients: BTreeMap<String, Client>,
    now: u64,
}

impl<'r> Harness<'r> {
    pub fn new(running: &'r Running, options: VerifyOptions) -> Self {
        Harness {
            running,
            monitor: Monitor::new(options),
            clients: BTreeMap::new(),
            now: 0,
        }
    }

    /// Whether the connection is open as far as the client knows (no end of stream read).
    pub fn is_open(&self, name: &str) -> bool {
        self.clients.get(name).is_some_and(|c| c.open)
    }

    /// The violations so far.
    pub fn violations(&self) -> &[Violation] {
        self.monitor.violations()
    }

    /// Ends the observation.
    pub fn finish(self) -> Report {
        self.monitor.finish()
    }

    /// Plays one model event.
    pub fn play(&mut self, event: &Event) {
        match event {
            Event::Connect { conn, kind } => self.connect(conn, *kind),
            Event::Send { conn, frame } => self.send(conn, frame),
            Event::Disconnect { conn } => self.disconnect(conn),
            Event::Tick { seconds } => self.tick(*seconds),
            Event::ServerChallenge { conn } => self.challenge(conn),
            Event::Shutdown => {
                self.running.announce_shutdown();
                self.drain();
            }
            _ => {}
        }
    }

    /// Plays a whole scenario.
    pub fn play_all(&mut self, scenario: &Scenario) {
        for e in &scenario.events {
            self.play(e);
        }
    }

    fn addr(&self, kind: ServerKind) -> SocketAddr {
        let a = self.running.addrs();
        match kind {
            ServerKind::Dispatch => a.ds,
            ServerKind::Notification => a.ns,
            ServerKind::Switchboard => a.sb,
        }
    }

    pub fn connect(&mut self, name: &str, kind: ServerKind) {
        if self.clients.contains_key(name) {
            return;
        }
        let stream = TcpStream::connect(self.addr(kind)).expect("connect on loopback");
        stream.set_nodelay(true).expect("nodelay");
        stream.set_nonblocking(true).expect("nonblocking");
        let local = stream.local_addr().expect("local address");
        self.monitor.connect(name, kind);
        let client = Client {
            kind,
            stream,
            local,
            framer: Framer::new(Decoder::new(Direction::ServerToClient, kind)),
            received: Vec::new(),
            base: 0,
            sent: 0,
            open: true,
        };
        self.clients.insert(name.to_owned(), client);
        self.wait(name, |p| p.is_some());
    }

    /// Sends a command's bytes (if the connection is open).
    pub fn send(&mut self, name: &str, frame: &Command<'static>) {
        self.send_bytes(name, &frame.to_bytes());
    }

    /// Sends one frame's bytes as they are.
    pub fn send_bytes(&mut self, name: &str, bytes: &[u8]) {
        let Some(c) = self.clients.get_mut(name).filter(|c| c.open) else {
            return;
        };
        c.stream.set_nonblocking(false).expect("blocking");
        c.stream.write_all(bytes).expect("write on loopback");
        c.stream.set_nonblocking(true).expect("nonblocking");
        c.sent += 1;
        let (kind, sent) = (c.kind, c.sent);
        trace(name, "C", bytes);
        let observed = self
            .monitor
            .decode(name, kind, Direction::ClientToServer, bytes);
        let time = Duration::from_secs(self.now);
        self.monitor.observe(Observed {
            connection: name,
            kind,
            direction: Direction::ClientToServer,
            frame: observed,
            time,
        });
        self.wait(name, |p| p.is_some_and(|p| p.frames >= sent || p.ended));
        self.drain();
    }

    /// The client closes the connection.
    pub fn disconnect(&mut self, name: &str) {
        let Some(c) = self.clients.get_mut(name).filter(|c| c.open) else {
            return;
        };
        let _ = c.stream.shutdown(Shutdown::Both);
        c.open = false;
        self.monitor.disconnect(name);
        self.wait(name, |p| p.is_some_and(|p| p.ended));
        self.drain();
    }

    pub fn tick(&mut self, seconds: u64) {
        self.running.tick(seconds);
        self.now += seconds;
        self.drain();
    }

    pub fn challenge(&mut self, name: &str) {
        if let Some(c) = self.clients.get(name) {
            self.running.challenge(c.local);
        }
        self.drain();
    }

    /// Waits until the server's progress on `name` satisfies `done`.
    fn wait(&self, name: &str, done: impl Fn(Option<&Progress>) -> bool) {
        let Some(local) = self.clients.get(name).map(|c| c.local) else {
            return;
        };
        let start = Instant::now();
        while !done(self.running.progress(local).as_ref()) {
            assert!(
                start.elapsed() < WAIT,
                "the server did not apply {name}'s input"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Reads what every open connection has received and observes its frames.
    pub fn drain(&mut self) {
        let names: Vec<String> = self.clients.keys().cloned().collect();
        for name in names {
            self.drain_one(&name);
        }
    }

    fn drain_one(&mut self, name: &str) {
        let Some(c) = self.clients.get_mut(name).filter(|c| c.open) else {
            return;
        };
        let mut buf = [0u8; 8192];
        let mut eof = false;
        loop {
            match c.stream.read(&mut buf) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    c.framer.push(&buf[..n]);
                    c.received.extend_from_slice(&buf[..n]);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    eof = true;
                    break;
                }
            }
        }
        self.observe_frames(name);
        if eof {
            if let Some(c) = self.clients.get_mut(name) {
                c.open = false;
            }
            self.monitor.disconnect(name);
        }
    }

    /// Frames the received bytes; each frame (or undecodable line) goes to the monitor.
    fn observe_frames(&mut self, name: &str) {
        loop {
            let Some(c) = self.clients.get_mut(name) else {
                return;
            };
            let kind = c.kind;
            let (start, end, is_ver, fatal) = match c.framer.next_frame() {
                Ok(None) => return,
                Ok(Some(f)) => (
                    f.offset,
                    f.offset + f.len as u64,
                    matches!(f.command, Command::Ver(_)),
                    false,
                ),
                Err(e) => {
                    let from = (e.line_offset - c.base) as usize;
                    let rest = &c.received[from.min(c.received.len())..];
                    let line = rest
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(rest.len(), |i| i + 1);
                    (
                        e.line_offset,
                        e.line_offset + line as u64,
                        false,
                        e.is_fatal(),
                    )
                }
            };
            let from = (start - c.base) as usize;
            let to = ((end - c.base) as usize).min(c.received.len());
            let bytes: Vec<u8> = c.received[from..to].to_vec();
            c.received.drain(..to);
            c.base += to as u64;
            trace(name, "S", &bytes);
            let frame = self
                .monitor
                .decode(name, kind, Direction::ServerToClient, &bytes);
            let time = Duration::from_secs(self.now);
            self.monitor.observe(Observed {
                connection: name,
                kind,
                direction: Direction::ServerToClient,
                frame,
                time,
            });
            if is_ver {
                let dialect = self.monitor.dialect(name, kind);
                if let Some(c) = self.clients.get_mut(name) {
                    let d = Decoder::new(Direction::ServerToClient, kind).with_dialect(dialect);
                    c.framer.set_decoder(d);
                }
            }
            if fatal {
                return;
            }
        }
    }
}

/// The monitor's options for a scenario: every account with its password.
pub fn options(scenario: &Scenario) -> VerifyOptions {
    scenario
        .accounts
        .iter()
        .fold(VerifyOptions::default(), |o, a| {
            o.with_account(&a.handle, &a.password)
        })
}

/// The server violations of a report, one per line.
pub fn server_violations(violations: &[Violation]) -> String {
    violations
        .iter()
        .filter(|v| v.side == msnp6_oracle::monitor::Side::Server)
        .map(|v| format!("{} at {}: {}\n", v.rule, v.line, v.message))
        .collect()
}

/// With `MSNP6_TRACE` set, prints each frame as it is observed.
fn trace(name: &str, side: &str, bytes: &[u8]) {
    if std::env::var_os("MSNP6_TRACE").is_some() {
        eprintln!("{side}@{name}: {:?}", String::from_utf8_lossy(bytes));
    }
}
