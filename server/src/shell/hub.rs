//! The hub: the one task that owns the machine. It accepts connections (refusing those over the
//! limits), feeds the machine every input with the clock, and carries out its outputs in order.
//!
//! Group commit (docs/server.md, "Shell"): the hub feeds the machine a batch of inputs (the
//! events queued when it wakes, at most [`MAX_BATCH`]) between [`Machine::begin_batch`] and
//! [`Machine::end_batch`], and holds the batch's outputs in an [`Outbox`] until `end_batch`
//! succeeded: one commit per batch, and nothing is acknowledged before it is committed. When
//! `end_batch` fails, nothing of the batch is sent and the server stops.

use crate::core::fasthash::FastMap;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use msnp6::types::ServerKind;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::{Instant, sleep_until, timeout_at};
use tracing::{debug, error, info, trace, warn};

use super::conn::{ConnTask, Event, Queue, ToConn};
use super::outbox::Outbox;
use super::{LocalAddrs, Redacted, ShellLimits, Stopped, kind_name};
use crate::core::{ConnId, Input, Machine, Millis, Output};
use crate::store::StoreError;
use msnp6::commands::Command;

/// Events the connection tasks may have queued for the hub before they wait: enough that
/// tasks rarely wait, small enough to hold little memory (each task has at most one event in
/// flight).
const EVENT_QUEUE: usize = 256;

/// At most this many events go into one batch (one commit): the queue's size, so that a batch
/// takes what was queued when the hub woke.
const MAX_BATCH: usize = EVENT_QUEUE;

/// How long accepting pauses after an error (out of file descriptors): accepting again at once
/// would spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// The hub's record of a connection, from accept until its task is gone.
#[derive(Debug)]
struct Conn {
    kind: ServerKind,
    ip: IpAddr,
    queue: Queue,
    task: AbortHandle,
    /// Whether the machine knows the connection (no `Close` from it, no `Closed` to it yet).
    live: bool,
}

/// The hub's state.
#[derive(Debug)]
pub(super) struct Hub<M> {
    machine: M,
    limits: ShellLimits,
    start: Instant,
    conns: FastMap<ConnId, Conn>,
    per_ip: HashMap<IpAddr, usize>,
    next_id: u64,
    events_tx: mpsc::Sender<Event>,
    events_rx: mpsc::Receiver<Event>,
    outputs: Vec<Output>,
    /// What the current batch will tell the connection tasks once committed.
    outbox: Outbox,
    /// The last frame encoded (kept for its capacity).
    encoded: Vec<u8>,
    /// A batch's commit failed (the first failure): the hub stops.
    failed: Option<StoreError>,
    /// When the last `Tick` was fed: the next comes at least 1 ms later, even if the machine
    /// asks for an earlier one (a machine that never moves its deadline cannot spin the hub).
    last_tick: Option<Millis>,
}

impl<M: Machine> Hub<M> {
    pub(super) fn new(machine: M, limits: ShellLimits, addrs: LocalAddrs) -> Self {
        info!(ds = %addrs.ds, ns = %addrs.ns, sb = %addrs.sb, "serving");
        let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
        Hub {
            machine,
            limits,
            start: Instant::now(),
            conns: FastMap::default(),
            per_ip: HashMap::new(),
            next_id: 1,
            events_tx,
            events_rx,
            outputs: Vec::new(),
            outbox: Outbox::default(),
            encoded: Vec::new(),
            failed: None,
            last_tick: None,
        }
    }

    /// Serves until `shutdown` or a failed commit, then shuts down and returns the machine.
    pub(super) async fn run(
        mut self,
        listeners: [(ServerKind, TcpListener); 3],
        shutdown: impl Future<Output = ()>,
    ) -> Stopped<M> {
        let [(k0, l0), (k1, l1), (k2, l2)] = listeners;
        let mut shutdown = std::pin::pin!(shutdown);
        let mut paused_until: Option<Instant> = None;
        while self.failed.is_none() {
            let tick = self.next_tick();
            let accepting = paused_until.is_none_or(|t| Instant::now() >= t);
            tokio::select! {
                () = &mut shutdown => break,
                Some(event) = self.events_rx.recv() => self.batch(event),
                r = l0.accept(), if accepting => self.accepted(r, k0, &mut paused_until),
                r = l1.accept(), if accepting => self.accepted(r, k1, &mut paused_until),
                r = l2.accept(), if accepting => self.accepted(r, k2, &mut paused_until),
                () = sleep_until_some(tick) => {
                    self.last_tick = Some(self.now());
                    self.feed(Input::Tick);
                }
                () = sleep_until_some(paused_until), if !accepting => paused_until = None,
            }
        }
        drop((l0, l1, l2));
        let commit_failure = self.shut_down().await;
        Stopped {
            machine: self.machine,
            commit_failure,
        }
    }

    /// The machine's clock: milliseconds since the hub started (monotonic).
    fn now(&self) -> Millis {
        Millis::try_from(self.start.elapsed().as_millis()).unwrap_or(Millis::MAX)
    }

    /// When to feed the next `Tick`: the machine's deadline, but not within 1 ms of the last.
    fn next_tick(&self) -> Option<Instant> {
        let deadline = self.machine.next_deadline()?;
        let earliest = self.last_tick.map_or(0, |t| t.saturating_add(1));
        Some(self.start + Duration::from_millis(deadline.max(earliest)))
    }

    fn accepted(
        &mut self,
        accepted: io::Result<(TcpStream, SocketAddr)>,
        kind: ServerKind,
        paused_until: &mut Option<Instant>,
    ) {
        match accepted {
            Ok((stream, peer)) => self.open(stream, peer, kind),
            Err(e) => {
                warn!(
                    kind = kind_name(kind),
                    "accept failed: {e}; pausing accepts"
                );
                *paused_until = Some(Instant::now() + ACCEPT_PAUSE);
            }
        }
    }

    /// A new connection: refused (closed at once) over the limits, else given a task and
    /// announced to the machine.
    fn open(&mut self, stream: TcpStream, peer: SocketAddr, kind: ServerKind) {
        let ip = peer.ip();
        let from_ip = self.per_ip.get(&ip).copied().unwrap_or(0);
        if self.conns.len() >= self.limits.max_connections {
            debug!(%peer, kind = kind_name(kind), "refused: {} connections open", self.conns.len());
            return;
        }
        if from_ip >= self.limits.max_per_address {
            debug!(%peer, kind = kind_name(kind), "refused: {from_ip} connections from {ip}");
            return;
        }
        let _ = stream.set_nodelay(true);
        let conn = ConnId(self.next_id);
        self.next_id += 1;
        let (task, queue) = ConnTask::new(conn, kind, &self.limits, self.events_tx.clone());
        let task = tokio::spawn(task.run(stream)).abort_handle();
        let record = Conn {
            kind,
            ip,
            queue,
            task,
            live: true,
        };
        self.conns.insert(conn, record);
        *self.per_ip.entry(ip).or_default() += 1;
        info!(conn = conn.0, kind = kind_name(kind), %peer, "connection opened");
        self.feed(Input::Opened { conn, kind });
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Frame { conn, command } => {
                let Some(c) = self.conns.get(&conn).filter(|c| c.live) else {
                    return;
                };
                trace!(
                    conn = conn.0,
                    kind = kind_name(c.kind),
                    "<- {}",
                    Redacted(&command)
                );
                let ver = command.verb() == "VER";
                self.step(Input::Frame { conn, command });
                if ver && self.conns.contains_key(&conn) {
                    self.outbox.control(conn, ToConn::Resume);
                }
            }
            Event::Undecodable { conn, error } => {
                if self.conns.get(&conn).is_some_and(|c| c.live) {
                    debug!(conn = conn.0, "undecodable: {error}");
                    self.step(Input::Undecodable { conn, error });
                }
            }
            Event::Ended { conn, why } => {
                if self.conns.get(&conn).is_some_and(|c| c.live) {
                    debug!(conn = conn.0, "{why}");
                    self.step(Input::Closed { conn });
                    self.close(conn);
                }
            }
            Event::Gone { conn } => self.forget(conn),
        }
    }

    /// One batch: `first` and the events queued behind it (at most [`MAX_BATCH`]).
    fn batch(&mut self, first: Event) {
        self.machine.begin_batch();
        self.event(first);
        for _ in 1..MAX_BATCH {
            match self.events_rx.try_recv() {
                Ok(event) => self.event(event),
                Err(_) => break,
            }
        }
        self.finish_batch();
    }

    /// Feeds one input as a batch of its own.
    fn feed(&mut self, input: Input<'_>) {
        self.machine.begin_batch();
        self.step(input);
        self.finish_batch();
    }

    /// Commits the batch, then releases its outputs; `Closed` for every connection the shell
    /// dropped meanwhile (output queue over its limit) goes into a batch of its own. A failed
    /// commit sends nothing and stops the hub.
    fn finish_batch(&mut self) {
        loop {
            if let Err(e) = self.machine.end_batch() {
                error!("commit failed: {e}; stopping, nothing of the last batch acknowledged");
                self.outbox.clear();
                self.failed.get_or_insert(e);
                return;
            }
            let dropped = self.release();
            if dropped.is_empty() {
                return;
            }
            self.machine.begin_batch();
            for conn in dropped {
                self.step(Input::Closed { conn });
            }
        }
    }

    fn step(&mut self, input: Input<'_>) {
        let now = self.now();
        let mut outputs = std::mem::take(&mut self.outputs);
        self.machine.handle(now, input, &mut outputs);
        self.carry_out(&outputs);
        outputs.clear();
        self.outputs = outputs;
    }

    /// Carries out outputs in order into the outbox: frames are encoded, closes take effect in
    /// the hub at once (no more input from the connection), the tasks hear of them at release.
    ///
    /// A frame equal to the one before it (a fan-out: the same `NLN` to every watcher) is
    /// encoded once and its bytes copied.
    fn carry_out(&mut self, outputs: &[Output]) {
        let mut last: Option<&Command<'static>> = None;
        let mut encoded = std::mem::take(&mut self.encoded);
        for output in outputs {
            match output {
                Output::Send { conn, command } => {
                    trace!(conn = conn.0, "-> {}", Redacted(command));
                    if !self.conns.get(conn).is_some_and(|c| c.live) {
                        continue;
                    }
                    if last != Some(command) {
                        encoded.clear();
                        command.encode(&mut encoded);
                        last = Some(command);
                    }
                    self.outbox
                        .encode(*conn, |buf| buf.extend_from_slice(&encoded));
                }
                Output::Dialect { conn, dialect } => {
                    if self.conns.get(conn).is_some_and(|c| c.live) {
                        self.outbox.control(*conn, ToConn::Dialect(*dialect));
                    }
                }
                Output::Close { conn } => self.close(*conn),
                #[allow(unreachable_patterns)]
                _ => warn!("output not carried out: {output:?}"),
            }
        }
        self.encoded = encoded;
    }

    /// Hands the outbox to the connection tasks; returns the connections dropped because
    /// their output queue would pass its limit.
    fn release(&mut self) -> Vec<ConnId> {
        let limit = self.limits.max_output_queue;
        let mut dropped = Vec::new();
        for (conn, messages) in self.outbox.take() {
            for message in messages {
                let Some(c) = self.conns.get(&conn) else {
                    break;
                };
                let ToConn::Bytes(bytes) = message else {
                    c.queue.control(message);
                    continue;
                };
                if !c.queue.push(bytes, limit) {
                    warn!(
                        conn = conn.0,
                        "output queue over {limit} bytes: the client does not read; closing"
                    );
                    c.task.abort();
                    let live = c.live;
                    self.forget(conn);
                    if live {
                        dropped.push(conn);
                    }
                    break;
                }
            }
        }
        dropped
    }

    /// Closes a connection: its task flushes what was queued before, closes and lingers.
    fn close(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.get_mut(&conn).filter(|c| c.live) {
            c.live = false;
            self.outbox.control(conn, ToConn::Close);
            debug!(conn = conn.0, "closing");
        }
    }

    /// The connection's task is over: its slot is free.
    fn forget(&mut self, conn: ConnId) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        if let Some(n) = self.per_ip.get_mut(&c.ip) {
            *n -= 1;
            if *n == 0 {
                self.per_ip.remove(&c.ip);
            }
        }
        info!(conn = conn.0, kind = kind_name(c.kind), "connection closed");
    }

    /// `OUT SSD` to every client (the machine's answer to `Shutdown`), then every connection
    /// flushed and closed within the grace period; what is left is dropped. Returns the first
    /// commit that failed, if any (the one that stopped the hub, or the shutdown's own).
    async fn shut_down(&mut self) -> Option<StoreError> {
        info!(connections = self.conns.len(), "shutting down");
        let stopped_by = self.failed.take();
        self.feed(Input::Shutdown);
        // Every task closes (a task told twice stops at the first).
        for (conn, c) in &mut self.conns {
            c.live = false;
            c.queue.control(ToConn::Close);
            debug!(conn = conn.0, "closing");
        }
        let until = Instant::now() + self.limits.shutdown_grace;
        while !self.conns.is_empty() {
            match timeout_at(until, self.events_rx.recv()).await {
                Ok(Some(Event::Gone { conn })) => self.forget(conn),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        for (conn, c) in self.conns.drain() {
            debug!(conn = conn.0, "dropped at shutdown");
            c.task.abort();
        }
        info!("shut down");
        stopped_by.or(self.failed.take())
    }
}

/// Sleeps until `at`, or forever.
async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}
