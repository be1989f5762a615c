//! A test client for the reference server: plays events over TCP, one at a time, and feeds every
//! frame that crosses a connection to the live monitor in the order it crossed ("sent before
//! received": each client frame, then what the server wrote because of it).
//!
//! Synchronisation without timing assumptions: after each client frame the client waits until
//! the server reports that it applied it ([`Running::progress`]); the server writes its answers
//! before it reports, so they are in the client's socket buffers by then.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use msnp6::commands::Command;
use msnp6::{Decoder, Direction, Framer, ServerKind};
use msnp6_oracle::model::{AccountSpec, Event, Scenario, Step, World};
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
    /// Every server frame received, in order.
    log: Vec<Vec<u8>>,
    /// Frames received and not yet observed.
    queue: VecDeque<Vec<u8>>,
    /// The end of stream was read.
    eof: bool,
    /// The server's name for the connection.
    server_name: String,
    /// The framing was lost (a fatal framer error): later bytes are dropped.
    broken: bool,
}

/// The client side of a test: connections by name, the monitor, the time, and a mirror world
/// (the model with the server's seed and accounts) whose steps give the order across connections.
pub struct Harness<'r> {
    running: &'r Running,
    monitor: Monitor,
    mirror: World,
    /// The mirror's step for the event being played.
    hint: Step,
    /// Every server connection name seen.
    server_names: BTreeSet<String>,
    clients: BTreeMap<String, Client>,
    now: u64,
}

impl<'r> Harness<'r> {
    /// A client of `running`, which was started with `scenario`'s seed and accounts.
    pub fn new(running: &'r Running, scenario: &Scenario) -> Self {
        let mut mirror = World::new(scenario.seed);
        for a in &scenario.accounts {
            mirror.add_account(a);
        }
        Harness {
            running,
            monitor: Monitor::new(options(scenario)),
            mirror,
            hint: Step::default(),
            server_names: BTreeSet::new(),
            clients: BTreeMap::new(),
            now: 0,
        }
    }

    /// Whether the connection is open as far as the client knows (no end of stream read).
    pub fn is_open(&self, name: &str) -> bool {
        self.clients.get(name).is_some_and(|c| c.open)
    }

    /// The server frames received on `name`, as text.
    pub fn frames(&self, name: &str) -> Vec<String> {
        self.clients.get(name).map_or_else(Vec::new, |c| {
            c.log
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect()
        })
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
        self.hint = self.mirror.apply(event);
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

    fn connect(&mut self, name: &str, kind: ServerKind) {
        if self.clients.contains_key(name) {
            return;
        }
        let stream = TcpStream::connect(self.addr(kind)).expect("connect on loopback");
        stream.set_nodelay(true).expect("nodelay");
        stream.set_nonblocking(true).expect("nonblocking");
        let local = stream.local_addr().expect("local address");
        trace(name, "connect", b"");
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
            log: Vec::new(),
            queue: VecDeque::new(),
            eof: false,
            server_name: String::new(),
            broken: false,
        };
        self.clients.insert(name.to_owned(), client);
        // The server's table is by client address, and a closed connection's port may be
        // reused: wait for an entry of a connection name not seen before.
        let seen = &self.server_names;
        let fresh = self.wait_for(name, |p| p.is_some_and(|p| !seen.contains(&p.name)));
        if let Some(c) = self.clients.get_mut(name) {
            c.server_name = fresh.name.clone();
        }
        self.server_names.insert(fresh.name);
    }

    /// Sends a command's bytes (if the connection is open).
    fn send(&mut self, name: &str, frame: &Command<'static>) {
        self.send_bytes(name, &frame.to_bytes());
    }

    /// Sends one frame's bytes as they are.
    fn send_bytes(&mut self, name: &str, bytes: &[u8]) {
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
        self.wait(name, |p| p.frames >= sent || p.ended);
        self.drain();
    }

    /// The client closes the connection.
    fn disconnect(&mut self, name: &str) {
        let Some(c) = self.clients.get_mut(name).filter(|c| c.open) else {
            return;
        };
        let _ = c.stream.shutdown(Shutdown::Both);
        c.open = false;
        trace(name, "client-close", b"");
        self.monitor.disconnect(name);
        self.wait(name, |p| p.ended);
        self.drain();
    }

    fn tick(&mut self, seconds: u64) {
        self.running.tick(seconds);
        self.now += seconds;
        self.drain();
    }

    fn challenge(&mut self, name: &str) {
        if let Some(c) = self.clients.get(name) {
            self.running.challenge(c.local);
        }
        self.drain();
    }

    /// Waits until the server's progress on `name` (its own connection, not an earlier one
    /// from the same client address) satisfies `done`.
    fn wait(&self, name: &str, done: impl Fn(&Progress) -> bool) {
        let Some(server_name) = self.clients.get(name).map(|c| c.server_name.clone()) else {
            return;
        };
        self.wait_for(name, |p| {
            p.is_some_and(|p| p.name == server_name && done(p))
        });
    }

    /// Waits until the server's progress entry for `name`'s client address satisfies `done`.
    fn wait_for(&self, name: &str, done: impl Fn(Option<&Progress>) -> bool) -> Progress {
        let local = self.clients.get(name).map(|c| (c.kind, c.local));
        let start = Instant::now();
        loop {
            let p = local.and_then(|(kind, l)| self.running.progress(kind, l));
            if done(p.as_ref()) {
                if let Some(p) = p {
                    return p;
                }
            }
            assert!(
                start.elapsed() < WAIT,
                "the server did not apply {name}'s input (client {local:?}, server's progress {p:?}, expected name {:?})",
                self.clients.get(name).map(|c| &c.server_name)
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Reads what every open connection has received and observes it: first in the order the
    /// model sent it (`hint`, the mirror world's step for the same event), then whatever the
    /// model did not send, connection by connection; then the ends of stream.
    ///
    /// TCP keeps the order within a connection, not across connections; the monitor needs the
    /// cause before the effect across connections too (a client's `OUT` before the `FLN` its
    /// watchers get), so the model's order stands in for the order the server wrote in.
    fn drain(&mut self) {
        let hint = std::mem::take(&mut self.hint);
        for c in self.clients.values_mut() {
            c.read_available();
        }
        for d in &hint.deliveries {
            let next = self
                .clients
                .get_mut(&d.conn)
                .and_then(|c| c.queue.pop_front());
            if let Some(bytes) = next {
                self.observe_server(&d.conn, &bytes);
            }
        }
        for closed in &hint.closed {
            if self
                .clients
                .get(&closed.conn)
                .is_some_and(|c| c.queue.is_empty())
            {
                self.observe_eof(&closed.conn);
            }
        }
        let names: Vec<String> = self.clients.keys().cloned().collect();
        for name in names {
            while let Some(bytes) = self
                .clients
                .get_mut(&name)
                .and_then(|c| c.queue.pop_front())
            {
                self.observe_server(&name, &bytes);
            }
            self.observe_eof(&name);
        }
    }

    fn observe_server(&mut self, name: &str, bytes: &[u8]) {
        let Some(kind) = self.clients.get(name).map(|c| c.kind) else {
            return;
        };
        trace(name, "S", bytes);
        let frame = self
            .monitor
            .decode(name, kind, Direction::ServerToClient, bytes);
        let time = Duration::from_secs(self.now);
        self.monitor.observe(Observed {
            connection: name,
            kind,
            direction: Direction::ServerToClient,
            frame,
            time,
        });
    }

    /// The server's end of stream on `name`, if it was read and not yet observed.
    fn observe_eof(&mut self, name: &str) {
        let Some(c) = self.clients.get_mut(name).filter(|c| c.eof && c.open) else {
            return;
        };
        c.open = false;
        // The client closes its end too, which frees the server's place at once.
        let _ = c.stream.shutdown(Shutdown::Both);
        trace(name, "server-close", b"");
        self.monitor.disconnect(name);
    }
}

impl Client {
    /// Reads what has arrived and frames it into `queue`; notes the end of stream.
    fn read_available(&mut self) {
        if !self.open || self.eof {
            return;
        }
        let mut buf = [0u8; 8192];
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    if !self.broken {
                        self.framer.push(&buf[..n]);
                        self.received.extend_from_slice(&buf[..n]);
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.eof = true;
                    break;
                }
            }
        }
        while !self.broken && self.next_frame() {}
    }

    /// Moves the next frame (or undecodable line) from `received` to `queue`; false when there
    /// is none yet.
    fn next_frame(&mut self) -> bool {
        let (start, end, dialect) = match self.framer.next_frame() {
            Ok(None) => return false,
            Ok(Some(f)) => {
                let dialect = match &f.command {
                    Command::Ver(v) => v
                        .dialects
                        .iter()
                        .next()
                        .and_then(msnp6::Dialect::from_bytes),
                    _ => None,
                };
                (f.offset, f.offset + f.len as u64, dialect)
            }
            Err(e) => {
                let from = (e.line_offset - self.base) as usize;
                let rest = &self.received[from.min(self.received.len())..];
                let line = if e.is_fatal() {
                    self.broken = true;
                    rest.len()
                } else {
                    rest.iter()
                        .position(|&b| b == b'\n')
                        .map_or(rest.len(), |i| i + 1)
                };
                (e.line_offset, e.line_offset + line as u64, None)
            }
        };
        let from = ((start - self.base) as usize).min(self.received.len());
        let to = ((end - self.base) as usize).min(self.received.len());
        let bytes = self.received[from..to].to_vec();
        self.received.drain(..to);
        self.base += to as u64;
        self.log.push(bytes.clone());
        self.queue.push_back(bytes);
        if let Some(d) = dialect {
            let decoder = Decoder::new(Direction::ServerToClient, self.kind).with_dialect(d);
            self.framer.set_decoder(decoder);
        }
        true
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
        .map(|v| {
            format!(
                "{} at {} on {}: {}\n",
                v.rule, v.line, v.connection, v.message
            )
        })
        .collect()
}

/// With `MSNP6_TRACE` set, prints each frame as it is observed.
fn trace(name: &str, side: &str, bytes: &[u8]) {
    if std::env::var_os("MSNP6_TRACE").is_some() {
        eprintln!("{side}@{name}: {:?}", String::from_utf8_lossy(bytes));
    }
}

/// The seed of [`Script`]s.
pub const SEED: u64 = 5;

/// A scripted session, built against a mirror world with the server's seed, so that the salts and
/// cookies the script uses are the server's.
pub struct Script {
    pub world: World,
    pub scenario: Scenario,
    trid: u32,
    pub last: Step,
}

impl Script {
    pub fn new() -> Script {
        let accounts = vec![
            AccountSpec::new("alice@example.com", "alice-pw", "alice"),
            AccountSpec::new("bob@example.com", "bob-pw", "bob"),
        ];
        let mut world = World::new(SEED);
        for a in &accounts {
            world.add_account(a);
        }
        let mut scenario = Scenario::new(SEED);
        scenario.accounts = accounts;
        Script {
            world,
            scenario,
            trid: 0,
            last: Step::default(),
        }
    }

    pub fn event(&mut self, e: Event) {
        self.last = self.world.apply(&e);
        self.scenario.events.push(e);
    }

    pub fn connect(&mut self, conn: &str, kind: ServerKind) {
        self.event(Event::Connect {
            conn: conn.into(),
            kind,
        });
    }

    /// Sends a client line; `{}` in it is replaced by the next TrID.
    pub fn send(&mut self, conn: &str, line: &str) {
        self.trid += 1;
        let line = line.replace("{}", &self.trid.to_string());
        let kind = self.world.kind(conn).unwrap_or(ServerKind::Notification);
        let frame = Decoder::new(Direction::ClientToServer, kind)
            .decode(line.as_bytes())
            .unwrap_or_else(|e| panic!("{line:?}: {e}"))
            .command
            .into_owned();
        self.event(Event::Send {
            conn: conn.into(),
            frame,
        });
    }

    /// Logs `who` in on an NS connection of that name: VER, USR I, USR S, SYN, CHG NLN.
    pub fn login(&mut self, who: &str) {
        let (handle, password) = (format!("{who}@example.com"), format!("{who}-pw"));
        self.connect(who, ServerKind::Notification);
        self.send(who, "VER {} MSNP6 CVR0\r\n");
        self.send(who, &format!("USR {{}} MD5 I {handle}\r\n"));
        let Some(Command::UsrSalt(s)) = self.last.deliveries.first().map(|d| d.command.clone())
        else {
            panic!("no salt: {:?}", self.last);
        };
        let salt = msnp6::auth::Salt::new(s.salt.as_bytes()).expect("salt");
        let digest =
            msnp6::auth::login_digest_string(salt, msnp6::auth::Password::new(password.as_bytes()));
        self.send(who, &format!("USR {{}} MD5 S {digest}\r\n"));
        self.send(who, "SYN {} 0\r\n");
        self.send(who, "CHG {} NLN\r\n");
    }

    /// Alice calls Bob on a switchboard: XFR SB, USR on the SB, CAL.
    pub fn call(&mut self) {
        self.send("alice", "XFR {} SB\r\n");
        let cookie = self
            .last
            .deliveries
            .iter()
            .find_map(|d| match &d.command {
                Command::XfrSwitchboard(x) => Some(x.cookie.to_string()),
                _ => None,
            })
            .expect("XFR SB answered");
        self.connect("alice-sb", ServerKind::Switchboard);
        self.send(
            "alice-sb",
            &format!("USR {{}} alice@example.com {cookie}\r\n"),
        );
        self.send("alice-sb", "CAL {} bob@example.com\r\n");
    }
}
