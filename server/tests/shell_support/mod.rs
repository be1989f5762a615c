//! Test support for the shell's tests (sockets, hostile, logs): a server on loopback in its own
//! runtime and thread, a client that reads frames through the codec, and `Echo`, a tiny
//! machine that exercises the shell without the real core.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use msnp6::commands::Command;
use msnp6::types::{Dialect, Direction, ServerKind};
use msnp6::{Decoder, Framer};
use msnp6_server::core::{ConnId, Input, Machine, Millis, Output};
use msnp6_server::shell::{LocalAddrs, Server, ShellConfig, ShellLimits, Stopped};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::oneshot;

use msnp6::auth::{Password, Salt, login_digest_string};
use msnp6::types::{FriendlyName, Handle};
use msnp6_server::core::{Config, Core, OsEntropy};
use msnp6_server::store::{Account, MemoryStore};
use std::sync::{Arc, Mutex};

/// How long a client waits for a frame before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A server running on loopback in a thread of its own (its own runtime), until [`stop`].
///
/// [`stop`]: TestServer::stop
#[derive(Debug)]
pub struct TestServer<M> {
    pub addrs: LocalAddrs,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Stopped<M>>>,
}

/// Loopback addresses with port 0 for the three listeners, and `limits`.
pub fn loopback(limits: ShellLimits) -> ShellConfig {
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    ShellConfig {
        ds: any,
        ns: any,
        sb: any,
        limits,
    }
}

impl<M: Machine + 'static> TestServer<M> {
    /// Binds `config` and serves with the machine `make` builds from the real addresses.
    pub fn start(config: ShellConfig, make: impl FnOnce(LocalAddrs) -> M + Send + 'static) -> Self {
        let (addrs_tx, addrs_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let server = Server::bind(config).await.expect("bind");
                let addrs = server.local_addrs();
                addrs_tx.send(addrs).expect("addresses");
                let machine = make(addrs);
                server
                    .run_until(machine, async {
                        let _ = stop_rx.await;
                    })
                    .await
            })
        });
        let addrs = addrs_rx.recv().expect("server started");
        TestServer {
            addrs,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Shuts the server down (as SIGTERM would) and returns its machine; panics if a commit
    /// failed.
    pub fn stop(self) -> M {
        let stopped = self.stopped();
        if let Some(e) = stopped.commit_failure {
            panic!("a commit failed: {e}");
        }
        stopped.machine
    }

    /// Shuts the server down if it is still running, and returns how it ended.
    pub fn stopped(mut self) -> Stopped<M> {
        let _ = self.stop.take().expect("running").send(());
        self.thread
            .take()
            .expect("running")
            .join()
            .expect("server thread")
    }
}

impl<M> Drop for TestServer<M> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What crossed the clients' connections, in an order that respects causality: a frame sent
/// is recorded before it is written, a frame received after it was read (for the monitor).
pub type Transcript = Arc<Mutex<Vec<Record>>>;

/// One entry of a [`Transcript`].
#[derive(Debug, Clone)]
pub enum Record {
    Connect(String, ServerKind),
    Frame(String, ServerKind, Direction, Command<'static>),
    Disconnect(String),
}

/// A client connection that reads the server's frames through the codec.
#[derive(Debug)]
pub struct Client {
    pub kind: ServerKind,
    rd: OwnedReadHalf,
    pub wr: OwnedWriteHalf,
    framer: Framer,
    buf: Vec<u8>,
    /// The connection's name and the transcript it records to, if any.
    record: Option<(String, Transcript)>,
}

impl Client {
    pub async fn connect(addr: SocketAddr, kind: ServerKind) -> Client {
        let stream = TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (rd, wr) = stream.into_split();
        Client {
            kind,
            rd,
            wr,
            framer: Framer::new(Decoder::new(Direction::ServerToClient, kind)),
            buf: vec![0; 4096],
            record: None,
        }
    }

    /// A client whose frames are recorded to `transcript` as connection `name`.
    pub async fn recorded(
        addr: SocketAddr,
        kind: ServerKind,
        name: &str,
        t: &Transcript,
    ) -> Client {
        let mut c = Client::connect(addr, kind).await;
        t.lock()
            .expect("transcript")
            .push(Record::Connect(name.to_owned(), kind));
        c.record = Some((name.to_owned(), Arc::clone(t)));
        c
    }

    fn note(&self, direction: Direction, command: &Command<'static>) {
        if let Some((name, t)) = &self.record {
            let r = Record::Frame(name.clone(), self.kind, direction, command.clone());
            t.lock().expect("transcript").push(r);
        }
    }

    /// Records the end of the connection (after the last frame read).
    pub fn note_end(&self) {
        if let Some((name, t)) = &self.record {
            t.lock()
                .expect("transcript")
                .push(Record::Disconnect(name.clone()));
        }
    }

    /// Sends raw bytes (recorded as the frames they decode to, when recording).
    pub async fn send(&mut self, bytes: &[u8]) {
        if self.record.is_some() {
            let decoder = Decoder::new(Direction::ClientToServer, self.kind);
            let mut framer = Framer::new(decoder);
            framer.push(bytes);
            while let Ok(Some(f)) = framer.next_frame() {
                let c = f.command.into_owned();
                self.note(Direction::ClientToServer, &c);
            }
        }
        self.wr.write_all(bytes).await.expect("write");
    }

    /// Sends one line (CR LF added).
    pub async fn say(&mut self, line: &str) {
        self.send(format!("{line}\r\n").as_bytes()).await;
    }

    /// Frames until one with `verb` (which is returned); panics at the end of the stream.
    pub async fn until(&mut self, verb: &str) -> Command<'static> {
        loop {
            match self.frame().await {
                Some(c) if c.verb() == verb => return c,
                Some(_) => {}
                None => panic!("closed while waiting for {verb}"),
            }
        }
    }

    /// The line of a command, without CR LF.
    pub fn text(c: &Command<'_>) -> String {
        let mut out = Vec::new();
        c.encode_line(&mut out);
        String::from_utf8_lossy(&out).trim_end().to_owned()
    }

    /// Logs in on the NS at `ns` as `handle` with `password` (reference §8): VER, USR I, USR S
    /// with `MD5(salt + password)`; returns after `USR … OK` and the profile `MSG`.
    pub async fn login(
        ns: SocketAddr,
        handle: &str,
        password: &str,
        record: Option<(&str, &Transcript)>,
    ) -> Client {
        let kind = ServerKind::Notification;
        let c = match record {
            Some((name, t)) => Client::recorded(ns, kind, name, t).await,
            None => Client::connect(ns, kind).await,
        };
        c.log_in(handle, password).await
    }

    /// A client connected with a receive buffer of about `bytes` (so that a client that does
    /// not read fills the kernels' buffers soon).
    pub async fn small_window(addr: SocketAddr, kind: ServerKind, bytes: u32) -> Client {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(bytes).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("connect");
        let (rd, wr) = stream.into_split();
        Client {
            kind,
            rd,
            wr,
            framer: Framer::new(Decoder::new(Direction::ServerToClient, kind)),
            buf: vec![0; 4096],
            record: None,
        }
    }

    /// [`Client::login`] on a connected client.
    pub async fn log_in(self, handle: &str, password: &str) -> Client {
        let mut c = self;
        c.say("VER 1 MSNP6 MSNP5 MSNP4 CVR0").await;
        assert_eq!(Client::text(&c.until("VER").await), "VER 1 MSNP6");
        c.say(&format!("USR 2 MD5 I {handle}")).await;
        let salt = Client::text(&c.until("USR").await);
        let salt = salt
            .strip_prefix("USR 2 MD5 S ")
            .expect("the salt")
            .to_owned();
        let salt = Salt::new(salt.as_bytes()).expect("a salt");
        let digest = login_digest_string(salt, Password::new(password.as_bytes()));
        c.say(&format!("USR 3 MD5 S {digest}")).await;
        let ok = Client::text(&c.until("USR").await);
        assert!(ok.starts_with(&format!("USR 3 OK {handle} ")), "{ok}");
        c.until("MSG").await;
        c
    }

    /// Sends a command.
    pub async fn command(&mut self, command: &Command<'_>) {
        self.send(&command.to_bytes()).await;
    }

    /// The next frame, or `None` at the end of the stream (or on a reset); panics after
    /// [`PATIENCE`].
    pub async fn frame(&mut self) -> Option<Command<'static>> {
        self.frame_within(PATIENCE)
            .await
            .expect("a frame or the end within PATIENCE")
    }

    /// The next frame, `Ok(None)` at the end, `Err(())` if nothing came within `wait`.
    pub async fn frame_within(&mut self, wait: Duration) -> Result<Option<Command<'static>>, ()> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            match self.framer.next_frame() {
                Ok(Some(f)) => {
                    let c = f.command.into_owned();
                    self.note(Direction::ServerToClient, &c);
                    return Ok(Some(c));
                }
                Ok(None) => {}
                Err(e) => panic!("the server sent an undecodable frame: {e}"),
            }
            match tokio::time::timeout_at(until, self.rd.read(&mut self.buf)).await {
                Err(_) => return Err(()),
                Ok(Ok(0)) | Ok(Err(_)) => return Ok(None),
                Ok(Ok(n)) => self.framer.push(&self.buf[..n]),
            }
        }
    }

    /// The next frame as its line (without CR LF); `None` at the end.
    pub async fn line(&mut self) -> Option<String> {
        let c = self.frame().await?;
        let mut out = Vec::new();
        c.encode_line(&mut out);
        Some(String::from_utf8_lossy(&out).trim_end().to_owned())
    }

    /// Every remaining line until the server closes the connection.
    pub async fn rest(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(l) = self.line().await {
            lines.push(l);
        }
        lines
    }

    /// `PNG`, then the lines until `QNG` (which must come within `wait`): how long it took.
    pub async fn ping(&mut self, wait: Duration) -> Result<Duration, String> {
        let sent = tokio::time::Instant::now();
        self.send(b"PNG\r\n").await;
        loop {
            match self.frame_within(wait).await {
                Ok(Some(c)) if c.verb() == "QNG" => return Ok(sent.elapsed()),
                Ok(Some(_)) => {}
                Ok(None) => return Err("closed".to_owned()),
                Err(()) => return Err(format!("no QNG within {wait:?}")),
            }
        }
    }
}

/// A bystander: a logged-in NS client that pings every 50 ms in a task of its own, and once
/// more when stopped; [`finish`] says the slowest QNG (a failure if one took more than `max`).
///
/// [`finish`]: Bystander::finish
#[derive(Debug)]
pub struct Bystander {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(usize, Duration), String>>,
}

impl Bystander {
    pub fn start(mut client: Client, max: Duration) -> Bystander {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let (mut pings, mut slowest) = (0, Duration::ZERO);
            loop {
                let took = client.ping(max).await?;
                pings += 1;
                slowest = slowest.max(took);
                tokio::select! {
                    _ = &mut stopped => {
                        // One more: the server still answers after the hostile client is done.
                        let took = client.ping(max).await?;
                        return Ok((pings + 1, slowest.max(took)));
                    }
                    () = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
            }
        });
        Bystander { stop, task }
    }

    /// Stops pinging: the number of pings and the slowest answer, or why one failed.
    pub async fn finish(self) -> (usize, Duration) {
        let _ = self.stop.send(());
        match self.task.await.expect("bystander task") {
            Ok(r) => r,
            Err(e) => panic!("the bystander's PNG was not answered: {e}"),
        }
    }
}

/// An account `(handle, password, name)`.
pub fn account(handle: &str, password: &str, name: &str) -> Account {
    Account::new(
        Handle::try_from(handle.to_owned()).expect("handle"),
        password,
        FriendlyName::try_from(name.to_owned()).expect("name"),
    )
}

/// The real core over a memory store with `accounts`, behind the shell on loopback; `config`
/// gets the real NS and SB addresses.
pub fn start_core(limits: ShellLimits, config: Config, accounts: Vec<Account>) -> TestServer<Core> {
    TestServer::start(loopback(limits), move |addrs| {
        let config = Config {
            ns_addr: addrs.ns.to_string(),
            sb_addr: addrs.sb.to_string(),
            ..config
        };
        let store = Box::new(MemoryStore::with_accounts(accounts));
        Core::new(config, store, Box::new(OsEntropy)).expect("core")
    })
}

/// A server-to-client command from its line (a known answer written as on the wire).
pub fn server_line(kind: ServerKind, line: &str) -> Command<'static> {
    let bytes = format!("{line}\r\n");
    Decoder::new(Direction::ServerToClient, kind)
        .decode(bytes.as_bytes())
        .unwrap_or_else(|e| panic!("{line:?}: {e}"))
        .command
        .into_owned()
}

/// A test double for the core: `VER` → `VER n MSNP6` (and the dialect), `PNG` → `QNG`, `USR`
/// logs in (no reply), `CHG` sends 100 `ILN` lines of 420 bytes to every other connection, any other frame or an undecodable line closes, a connection not logged
/// in within `login_timeout` ms is closed, `Shutdown` sends `OUT SSD` and closes all.
#[derive(Debug, Default)]
pub struct Echo {
    pub login_timeout: Millis,
    /// The dialect `VER` chooses (MSNP6 by default).
    pub dialect: Dialect,
    conns: BTreeMap<ConnId, (ServerKind, Millis, bool)>,
    /// Every input kind seen, in order, for assertions.
    pub seen: Vec<String>,
    /// How many connections were opened, readable while the server runs.
    pub opened: Arc<std::sync::atomic::AtomicUsize>,
}

impl Echo {
    pub fn new(login_timeout: Millis) -> Self {
        Echo {
            login_timeout,
            ..Echo::default()
        }
    }
}

impl Machine for Echo {
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>) {
        match input {
            Input::Opened { conn, kind } => {
                self.seen.push(format!("opened {}", conn.0));
                self.opened
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                self.conns.insert(conn, (kind, now, false));
            }
            Input::Frame { conn, command } => {
                self.seen
                    .push(format!("frame {} {}", conn.0, command.verb()));
                let Some(&(kind, _, _)) = self.conns.get(&conn) else {
                    panic!("a frame for a connection the machine closed");
                };
                match command.verb() {
                    "VER" => {
                        let trid = command.trid().map_or(0, |t| t.0);
                        let command = server_line(kind, &format!("VER {trid} {}", self.dialect));
                        out.push(Output::Send { conn, command });
                        out.push(Output::Dialect {
                            conn,
                            dialect: self.dialect,
                        });
                    }
                    "PNG" => out.push(Output::Send {
                        conn,
                        command: server_line(kind, "QNG"),
                    }),
                    // A burst for everybody else (as presence would).
                    "CHG" => {
                        let others: Vec<(ConnId, ServerKind)> = self
                            .conns
                            .iter()
                            .filter(|(c, _)| **c != conn)
                            .map(|(c, (k, _, _))| (*c, *k))
                            .collect();
                        let name = "n".repeat(380);
                        let iln = format!("ILN 1 NLN example@passport.com {name}");
                        for (other, kind) in others {
                            let command = server_line(kind, &iln);
                            for _ in 0..100 {
                                let command = command.clone();
                                out.push(Output::Send {
                                    conn: other,
                                    command,
                                });
                            }
                        }
                    }
                    "USR" => {
                        if let Some(c) = self.conns.get_mut(&conn) {
                            c.2 = true;
                        }
                    }
                    _ => self.close(conn, out),
                }
            }
            Input::Undecodable { conn, .. } => {
                self.seen.push(format!("undecodable {}", conn.0));
                self.close(conn, out);
            }
            Input::Closed { conn } => {
                self.seen.push(format!("closed {}", conn.0));
                assert!(self.conns.remove(&conn).is_some(), "Closed after Close");
            }
            Input::Tick => {
                let late: Vec<ConnId> = self
                    .conns
                    .iter()
                    .filter(|(_, (_, at, logged))| !logged && now >= at + self.login_timeout)
                    .map(|(c, _)| *c)
                    .collect();
                for conn in late {
                    self.close(conn, out);
                }
            }
            Input::Shutdown => {
                self.seen.push("shutdown".to_owned());
                for (conn, (kind, _, _)) in std::mem::take(&mut self.conns) {
                    out.push(Output::Send {
                        conn,
                        command: server_line(kind, "OUT SSD"),
                    });
                    out.push(Output::Close { conn });
                }
            }
            _ => {}
        }
    }

    fn next_deadline(&self) -> Option<Millis> {
        self.conns
            .values()
            .filter(|(_, _, logged)| !logged)
            .map(|(_, at, _)| at + self.login_timeout)
            .min()
    }
}

impl Echo {
    fn close(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        if self.conns.remove(&conn).is_some() {
            out.push(Output::Close { conn });
        }
    }
}
