//! The core thread: the one [`World`], its events in, its frames out to the sockets.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use msnp6::commands::Command;
use msnp6::{Dialect, ServerKind};
use msnp6_oracle::model::{Closed, Event, Step, World};

use super::{Clock, Config, Peer, Progress, ProgressTable};

/// How long a write to a client may block before the connection is dropped.
const WRITE_WAIT: Duration = Duration::from_secs(5);
/// How often the real clock is read while nothing happens.
const CLOCK_POLL: Duration = Duration::from_millis(250);

/// What the listeners, readers and the [`Running`](super::Running) handle tell the core.
#[derive(Debug)]
pub(crate) enum Msg {
    /// A client connected; the core answers with the connection's name.
    Accepted {
        kind: ServerKind,
        peer: SocketAddr,
        stream: TcpStream,
        closed: Arc<AtomicBool>,
        named: Sender<String>,
    },
    /// A client frame; for `VER`, the core answers with the dialect its reply chose.
    Frame {
        name: String,
        command: Command<'static>,
        dialect: Option<Sender<Option<Dialect>>>,
    },
    /// The client closed (or the socket failed).
    Eof { name: String },
    /// A client frame did not decode: the server closes the connection (reference §14).
    Invalid { name: String },
    /// Time passes.
    Tick { seconds: u64, ack: Sender<()> },
    /// The NS challenges a connection.
    Challenge { peer: SocketAddr, ack: Sender<bool> },
    /// `OUT SSD` everywhere.
    Announce { ack: Sender<()> },
    /// Stop the core.
    Stop,
}

/// One frame on its way out: the model's delivery and its bytes (which a fault may change).
#[derive(Debug, Clone)]
pub(crate) struct Record {
    /// The connection that receives it.
    pub(crate) conn: String,
    /// The model's frame.
    #[cfg_attr(not(feature = "faults"), allow(dead_code))]
    pub(crate) command: Command<'static>,
    /// The model rule that produced it.
    #[cfg_attr(not(feature = "faults"), allow(dead_code))]
    pub(crate) rule: &'static str,
    /// What is written.
    pub(crate) bytes: Vec<u8>,
}

/// An open connection's writing end.
#[derive(Debug)]
struct Link {
    stream: TcpStream,
    closed: Arc<AtomicBool>,
}

/// The core: the world and the connections' writing ends.
#[derive(Debug)]
pub(crate) struct Core {
    world: World,
    links: BTreeMap<String, Link>,
    peers: BTreeMap<String, Peer>,
    names: BTreeMap<Peer, String>,
    progress: ProgressTable,
    clock: Clock,
    started: Instant,
    count: u64,
    #[cfg(feature = "faults")]
    injector: Option<super::faults::Injector>,
}

impl Core {
    /// The core of `config`; `world` is built in the core's own thread (a world is not `Send`).
    pub(crate) fn new(world: World, config: &Config, progress: ProgressTable) -> Self {
        Core {
            world,
            links: BTreeMap::new(),
            peers: BTreeMap::new(),
            names: BTreeMap::new(),
            progress,
            clock: config.clock,
            started: Instant::now(),
            count: 0,
            #[cfg(feature = "faults")]
            injector: config.fault.map(super::faults::Injector::new),
        }
    }

    /// Handles messages until [`Msg::Stop`] or until every sender is gone; then closes every
    /// connection.
    pub(crate) fn run(mut self, rx: &Receiver<Msg>) {
        loop {
            let msg = match rx.recv_timeout(CLOCK_POLL) {
                Ok(msg) => msg,
                Err(RecvTimeoutError::Timeout) => {
                    self.real_time();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            self.real_time();
            if !self.handle(msg) {
                break;
            }
        }
        for (_, link) in std::mem::take(&mut self.links) {
            let _ = link.stream.shutdown(Shutdown::Both);
            link.closed.store(true, Ordering::SeqCst);
        }
    }

    /// With the real clock: the world's time catches up with the seconds since the start.
    fn real_time(&mut self) {
        if self.clock != Clock::Real {
            return;
        }
        let elapsed = self.started.elapsed().as_secs();
        if elapsed > self.world.now() {
            let seconds = elapsed - self.world.now();
            self.apply(&Event::Tick { seconds });
        }
    }

    /// One message; false for [`Msg::Stop`].
    fn handle(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::Accepted {
                kind,
                peer,
                stream,
                closed,
                named,
            } => self.accepted(kind, peer, stream, closed, &named),
            Msg::Frame {
                name,
                command,
                dialect,
            } => self.frame(name, command, dialect),
            Msg::Eof { name } => self.ended(&name, false),
            Msg::Invalid { name } => self.ended(&name, true),
            Msg::Tick { seconds, ack } => {
                self.apply(&Event::Tick { seconds });
                let _ = ack.send(());
            }
            Msg::Challenge { peer, ack } => {
                let name = self.names.get(&(ServerKind::Notification, peer)).cloned();
                if let Some(conn) = &name {
                    self.apply(&Event::ServerChallenge { conn: conn.clone() });
                }
                let _ = ack.send(name.is_some());
            }
            Msg::Announce { ack } => {
                self.apply(&Event::Shutdown);
                let _ = ack.send(());
            }
            Msg::Stop => return false,
        }
        true
    }

    fn accepted(
        &mut self,
        kind: ServerKind,
        peer: SocketAddr,
        stream: TcpStream,
        closed: Arc<AtomicBool>,
        named: &Sender<String>,
    ) {
        self.count += 1;
        let tag = match kind {
            ServerKind::Dispatch => "ds",
            ServerKind::Notification => "ns",
            ServerKind::Switchboard => "sb",
        };
        let name = format!("{tag}{}", self.count);
        let _ = stream.set_write_timeout(Some(WRITE_WAIT));
        self.apply(&Event::Connect {
            conn: name.clone(),
            kind,
        });
        self.links.insert(name.clone(), Link { stream, closed });
        self.peers.insert(name.clone(), (kind, peer));
        self.names.insert((kind, peer), name.clone());
        self.set_progress(&name, |p| {
            *p = Progress {
                name: name.clone(),
                frames: 0,
                ended: false,
            }
        });
        let _ = named.send(name);
    }

    fn frame(
        &mut self,
        name: String,
        command: Command<'static>,
        dialect: Option<Sender<Option<Dialect>>>,
    ) {
        let event = Event::Send {
            conn: name.clone(),
            frame: command,
        };
        let chosen = self.apply(&event);
        if let Some(tx) = dialect {
            let _ = tx.send(chosen.get(&name).copied());
        }
        self.set_progress(&name, |p| p.frames += 1);
    }

    /// The client closed (`invalid`: a frame did not decode, and the server closes).
    fn ended(&mut self, name: &str, invalid: bool) {
        if self.world.is_open(name) {
            self.apply(&Event::Disconnect {
                conn: name.to_owned(),
            });
        }
        self.close_link(name);
        self.set_progress(name, |p| {
            p.frames += u64::from(invalid);
            p.ended = true;
        });
    }

    /// Applies an event and writes what it produced; returns the dialect each `VER` reply chose.
    fn apply(&mut self, event: &Event) -> BTreeMap<String, Dialect> {
        #[cfg(feature = "faults")]
        let event = &match &mut self.injector {
            Some(i) => match i.incoming(event) {
                Some(e) => e,
                None => return BTreeMap::new(),
            },
            None => event.clone(),
        };
        let step = self.world.apply(event);
        let chosen = chosen_dialects(&step);
        let mut failed = self.output(step, event);
        // A client whose socket fails is disconnected; that may send more (FLN, BYE).
        while let Some(conn) = failed.pop() {
            if self.world.is_open(&conn) {
                let gone = Event::Disconnect { conn: conn.clone() };
                let step = self.world.apply(&gone);
                failed.extend(self.output(step, &gone));
            }
            self.close_link(&conn);
        }
        chosen
    }

    /// Writes the step's frames and carries out its closes; returns the connections whose
    /// writes failed.
    fn output(&mut self, step: Step, event: &Event) -> Vec<String> {
        let mut records: Vec<Record> = step
            .deliveries
            .into_iter()
            .map(|d| Record {
                bytes: d.command.to_bytes(),
                conn: d.conn,
                command: d.command,
                rule: d.rule,
            })
            .collect();
        let closes: Vec<Closed> = step.closed;
        self.inject(event, &mut records);
        let mut failed = Vec::new();
        for r in records {
            if failed.contains(&r.conn) {
                continue; // one write timeout per connection, not one per frame
            }
            if let Some(link) = self.links.get_mut(&r.conn) {
                if link.stream.write_all(&r.bytes).is_err() {
                    failed.push(r.conn);
                }
            }
        }
        for c in closes {
            self.close_link(&c.conn);
        }
        failed
    }

    /// The fault, if any, changes what goes out (feature `faults`).
    fn inject(&mut self, event: &Event, records: &mut Vec<Record>) {
        #[cfg(feature = "faults")]
        if let Some(i) = &mut self.injector {
            i.outgoing(&self.world, event, records);
        }
        #[cfg(not(feature = "faults"))]
        let _ = (event, records);
    }

    /// Closes the writing end (the client reads what was written, then the end of stream); the
    /// reader lingers a little, then lets the socket go.
    fn close_link(&mut self, name: &str) {
        if let Some(link) = self.links.remove(name) {
            let _ = link.stream.shutdown(Shutdown::Write);
            link.closed.store(true, Ordering::SeqCst);
        }
        self.set_progress(name, |p| p.ended = true);
    }

    fn set_progress(&self, name: &str, f: impl FnOnce(&mut Progress)) {
        let Some(peer) = self.peers.get(name) else {
            return;
        };
        if let Ok(mut table) = self.progress.lock() {
            let p = table.entry(*peer).or_insert_with(|| Progress {
                name: name.to_owned(),
                frames: 0,
                ended: false,
            });
            f(p);
        }
    }
}

/// The dialect each `VER` reply of the step chose, by connection (`VER TrID 0` chooses none).
fn chosen_dialects(step: &Step) -> BTreeMap<String, Dialect> {
    step.deliveries
        .iter()
        .filter_map(|d| match &d.command {
            Command::Ver(v) => v
                .dialects
                .iter()
                .next()
                .and_then(Dialect::from_bytes)
                .map(|dialect| (d.conn.clone(), dialect)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Config;

    fn core(clock: Clock) -> Core {
        let config = Config::loopback().with_clock(clock);
        Core::new(World::new(1), &config, ProgressTable::default())
    }

    #[test]
    fn the_real_clock_moves_the_world() {
        let mut c = core(Clock::Real);
        let Some(earlier) = Instant::now().checked_sub(Duration::from_secs(61)) else {
            return; // a machine up for less than a minute cannot fake the start
        };
        c.started = earlier;
        c.real_time();
        assert!(c.world.now() >= 61, "{}", c.world.now());
        let before = c.world.now();
        c.real_time();
        assert!(
            c.world.now() - before <= 1,
            "no second tick for the same seconds"
        );
    }

    #[test]
    fn the_manual_clock_moves_only_by_tick() {
        let mut c = core(Clock::Manual);
        if let Some(earlier) = Instant::now().checked_sub(Duration::from_secs(61)) {
            c.started = earlier;
        }
        c.real_time();
        assert_eq!(c.world.now(), 0);
        c.apply(&Event::Tick { seconds: 5 });
        assert_eq!(c.world.now(), 5);
    }

    #[test]
    fn the_ver_reply_chooses_the_dialect() {
        let mut w = World::new(1);
        w.apply(&Event::Connect {
            conn: "ds".into(),
            kind: ServerKind::Dispatch,
        });
        let ver = msnp6::Decoder::new(msnp6::Direction::ClientToServer, ServerKind::Dispatch)
            .decode(b"VER 1 CVR0\r\n")
            .map(|d| d.command.into_owned());
        let Ok(frame) = ver else {
            panic!("VER decodes");
        };
        let step = w.apply(&Event::Send {
            conn: "ds".into(),
            frame,
        });
        assert_eq!(chosen_dialects(&step).get("ds"), Some(&Dialect::Cvr0));
    }
}
