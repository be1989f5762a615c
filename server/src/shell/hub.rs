//! The hub: the one task that owns the machine. It accepts connections (refusing those over the
//! limits), feeds the machine every input with the clock, and carries out its outputs in order.

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
use tracing::{debug, info, trace, warn};

use super::conn::{ConnTask, Event, Queue, ToConn};
use super::{LocalAddrs, Redacted, ShellLimits, kind_name};
use crate::core::{ConnId, Input, Machine, Millis, Output};

/// Events the connection tasks may have queued for the hub before they wait: enough that
/// tasks rarely wait, small enough to hold little memory (each task has at most one event in
/// flight).
const EVENT_QUEUE: usize = 256;

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
    conns: HashMap<ConnId, Conn>,
    per_ip: HashMap<IpAddr, usize>,
    next_id: u64,
    events_tx: mpsc::Sender<Event>,
    events_rx: mpsc::Receiver<Event>,
    outputs: Vec<Output>,
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
            conns: HashMap::new(),
            per_ip: HashMap::new(),
            next_id: 1,
            events_tx,
            events_rx,
            outputs: Vec::new(),
            last_tick: None,
        }
    }

    /// Serves until `shutdown`, then shuts down and returns the machine.
    pub(super) async fn run(
        mut self,
        listeners: [(ServerKind, TcpListener); 3],
        shutdown: impl Future<Output = ()>,
    ) -> M {
        let [(k0, l0), (k1, l1), (k2, l2)] = listeners;
        let mut shutdown = std::pin::pin!(shutdown);
        let mut paused_until: Option<Instant> = None;
        loop {
            let tick = self.next_tick();
            let accepting = paused_until.is_none_or(|t| Instant::now() >= t);
            tokio::select! {
                () = &mut shutdown => break,
                Some(event) = self.events_rx.recv() => self.event(event),
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
        self.shut_down().await;
        self.machine
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
                self.feed(Input::Frame { conn, command });
                if let Some(c) = self.conns.get(&conn).filter(|_| ver) {
                    c.queue.control(ToConn::Resume);
                }
            }
            Event::Undecodable { conn, error } => {
                if self.conns.get(&conn).is_some_and(|c| c.live) {
                    debug!(conn = conn.0, "undecodable: {error}");
                    self.feed(Input::Undecodable { conn, error });
                }
            }
            Event::Ended { conn, why } => {
                if self.conns.get(&conn).is_some_and(|c| c.live) {
                    debug!(conn = conn.0, "{why}");
                    self.feed(Input::Closed { conn });
                    self.close(conn);
                }
            }
            Event::Gone { conn } => self.forget(conn),
        }
    }

    /// Feeds one input, then `Closed` for every connection closed by the shell meanwhile
    /// (output queue over its limit).
    fn feed(&mut self, input: Input<'_>) {
        let mut dropped = Vec::new();
        self.step(input, &mut dropped);
        while let Some(conn) = dropped.pop() {
            self.step(Input::Closed { conn }, &mut dropped);
        }
    }

    fn step(&mut self, input: Input<'_>, dropped: &mut Vec<ConnId>) {
        let now = self.now();
        let mut outputs = std::mem::take(&mut self.outputs);
        self.machine.handle(now, input, &mut outputs);
        self.carry_out(&outputs, dropped);
        outputs.clear();
        self.outputs = outputs;
    }

    /// Carries out outputs in order; the frames for one connection are written together.
    fn carry_out(&mut self, outputs: &[Output], dropped: &mut Vec<ConnId>) {
        let mut pending: Vec<(ConnId, Vec<u8>)> = Vec::new();
        for output in outputs {
            match output {
                Output::Send { conn, command } => {
                    trace!(conn = conn.0, "-> {}", Redacted(command));
                    let at = match pending.iter().position(|(c, _)| c == conn) {
                        Some(at) => at,
                        None => {
                            pending.push((*conn, Vec::new()));
                            pending.len() - 1
                        }
                    };
                    command.encode(&mut pending[at].1);
                }
                Output::Dialect { conn, dialect } => {
                    self.flush(*conn, &mut pending, dropped);
                    if let Some(c) = self.conns.get(conn).filter(|c| c.live) {
                        c.queue.control(ToConn::Dialect(*dialect));
                    }
                }
                Output::Close { conn } => {
                    self.flush(*conn, &mut pending, dropped);
                    self.close(*conn);
                }
                #[allow(unreachable_patterns)]
                _ => warn!("output not carried out: {output:?}"),
            }
        }
        for (conn, bytes) in pending {
            self.push(conn, bytes, dropped);
        }
    }

    fn flush(
        &mut self,
        conn: ConnId,
        pending: &mut Vec<(ConnId, Vec<u8>)>,
        dropped: &mut Vec<ConnId>,
    ) {
        if let Some(at) = pending.iter().position(|(c, _)| *c == conn) {
            let (_, bytes) = pending.swap_remove(at);
            self.push(conn, bytes, dropped);
        }
    }

    /// Queues bytes for a live connection; over the queue limit, the connection is dropped at
    /// once and the machine will be told (`dropped`).
    fn push(&mut self, conn: ConnId, bytes: Vec<u8>, dropped: &mut Vec<ConnId>) {
        let limit = self.limits.max_output_queue;
        let Some(c) = self.conns.get(&conn).filter(|c| c.live) else {
            return;
        };
        if !c.queue.push(bytes, limit) {
            warn!(
                conn = conn.0,
                "output queue over {limit} bytes: the client does not read; closing"
            );
            c.task.abort();
            self.forget(conn);
            dropped.push(conn);
        }
    }

    /// Closes a connection: its task flushes what was queued before, closes and lingers.
    fn close(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.get_mut(&conn).filter(|c| c.live) {
            c.live = false;
            c.queue.control(ToConn::Close);
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
    /// flushed and closed within the grace period; what is left is dropped.
    async fn shut_down(&mut self) {
        info!(connections = self.conns.len(), "shutting down");
        self.feed(Input::Shutdown);
        let live: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.live)
            .map(|(id, _)| *id)
            .collect();
        for conn in live {
            self.close(conn);
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
    }
}

/// Sleeps until `at`, or forever.
async fn sleep_until_some(at: Option<Instant>) {
    match at {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}
