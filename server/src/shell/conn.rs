//! One connection's task: it reads the socket through the codec's streaming [`Framer`] and sends
//! the frames to the hub, and writes what the hub queues for it, in order.
//!
//! The hub never waits for a connection: it appends to the connection's unbounded queue and
//! counts the queued bytes ([`Queue`]); the task subtracts what it wrote. The hub closes a
//! connection whose count would pass the limit. The task waits for the hub (the bounded event
//! channel), which is what slows a client that sends faster than the core answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use msnp6::commands::Command;
use msnp6::types::{Dialect, Direction, ServerKind};
use msnp6::{Decoder, FrameError, Framer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout, timeout_at};

use crate::core::ConnId;

/// Bytes read from the socket at once: a few KiB carry dozens of commands, and every
/// connection holds this buffer (issue 21: memory per idle connection).
const READ_CHUNK: usize = 4096;

/// Queued chunks are joined into one write up to this size (fewer system calls under load).
const WRITE_BATCH: usize = 64 * 1024;

/// What a connection task tells the hub, in the order it happened on that connection.
#[derive(Debug)]
pub(crate) enum Event {
    /// A decoded frame. After a `VER` the task reads nothing more until [`ToConn::Resume`].
    Frame {
        conn: ConnId,
        command: Command<'static>,
    },
    /// A line the framer refused.
    Undecodable { conn: ConnId, error: FrameError },
    /// The client closed its side, or reading or writing failed: nothing more will be read.
    Ended { conn: ConnId, why: String },
    /// The task is over; its socket is closed.
    Gone { conn: ConnId },
}

/// What the hub tells a connection task, in order.
#[derive(Debug)]
pub(crate) enum ToConn {
    /// Bytes to write (already counted in the [`Queue`]).
    Bytes(Vec<u8>),
    /// Decode the next lines in this dialect.
    Dialect(Dialect),
    /// Go on reading (after a `VER`).
    Resume,
    /// Flush what came before, close, linger, end.
    Close,
}

/// The hub's end of a connection's output queue: the channel and the count of bytes queued
/// and not yet written.
#[derive(Debug)]
pub(crate) struct Queue {
    tx: mpsc::UnboundedSender<ToConn>,
    queued: Arc<AtomicUsize>,
}

impl Queue {
    /// Queues `bytes` unless that would put more than `limit` bytes in the queue; `false` means
    /// the limit was hit and nothing was queued.
    pub(crate) fn push(&self, bytes: Vec<u8>, limit: usize) -> bool {
        let len = bytes.len();
        let before = self.queued.fetch_add(len, Ordering::AcqRel);
        if before.saturating_add(len) > limit {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            return false;
        }
        // A send fails only if the task is over; its bytes are then moot.
        let _ = self.tx.send(ToConn::Bytes(bytes));
        true
    }

    /// Sends a control message (a task that is over needs none).
    pub(crate) fn control(&self, message: ToConn) {
        let _ = self.tx.send(message);
    }
}

/// A connection task before it runs.
#[derive(Debug)]
pub(crate) struct ConnTask {
    conn: ConnId,
    framer: Framer,
    rx: mpsc::UnboundedReceiver<ToConn>,
    queued: Arc<AtomicUsize>,
    events: mpsc::Sender<Event>,
    write_stall: Duration,
    linger: Duration,
}

/// Whether the task goes on reading after it handed the framer's frames to the hub.
enum Reading {
    /// Reading.
    On,
    /// Waiting for [`ToConn::Resume`] after a `VER`.
    Paused,
    /// Done (end of stream, read error, framing lost).
    Off,
}

impl ConnTask {
    /// A task for connection `conn` to a `kind` listener, and the hub's end of its queue.
    pub(crate) fn new(
        conn: ConnId,
        kind: ServerKind,
        limits: &super::ShellLimits,
        events: mpsc::Sender<Event>,
    ) -> (Self, Queue) {
        let (tx, rx) = mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let decoder = Decoder::new(Direction::ClientToServer, kind).with_limits(limits.codec);
        let task = ConnTask {
            conn,
            framer: Framer::new(decoder),
            rx,
            queued: Arc::clone(&queued),
            events,
            write_stall: limits.write_stall,
            linger: limits.linger,
        };
        (task, Queue { tx, queued })
    }

    /// Runs the connection until the hub closes it, then lingers and reports it gone.
    pub(crate) async fn run(mut self, stream: TcpStream) {
        let (mut rd, mut wr) = stream.into_split();
        let mut buf = vec![0u8; READ_CHUNK];
        let mut reading = Reading::On;
        let mut broken = false;
        // A message taken from the queue while joining writes, handled next.
        let mut stash: Option<ToConn> = None;
        loop {
            if matches!(reading, Reading::On) {
                reading = self.hand_frames().await;
            }
            tokio::select! {
                biased;
                message = next(&mut self.rx, &mut stash) => match message {
                    Some(ToConn::Bytes(bytes)) => {
                        let bytes = self.join(bytes, &mut stash);
                        if !broken {
                            if let Err(why) = self.write(&mut wr, &bytes).await {
                                broken = true;
                                reading = Reading::Off;
                                self.ended(why).await;
                            }
                        }
                        self.queued.fetch_sub(bytes.len(), Ordering::AcqRel);
                    }
                    Some(ToConn::Dialect(d)) => {
                        let decoder = self.framer.decoder().with_dialect(d);
                        self.framer.set_decoder(decoder);
                    }
                    Some(ToConn::Resume) => {
                        if matches!(reading, Reading::Paused) {
                            reading = Reading::On;
                        }
                    }
                    Some(ToConn::Close) | None => break,
                },
                read = rd.read(&mut buf), if matches!(reading, Reading::On) => match read {
                    Ok(0) => {
                        reading = Reading::Off;
                        self.ended("closed by the client".to_owned()).await;
                    }
                    Ok(n) => self.framer.push(&buf[..n]),
                    Err(e) => {
                        reading = Reading::Off;
                        self.ended(format!("read failed: {e}")).await;
                    }
                },
            }
        }
        if !broken {
            let _ = timeout(self.write_stall, wr.shutdown()).await;
            self.linger(&mut rd).await;
        }
        drop((rd, wr));
        let _ = self.events.send(Event::Gone { conn: self.conn }).await;
    }

    /// Hands every complete frame to the hub; stops after a `VER` (the dialect may change) and
    /// after an error that lost the framing.
    async fn hand_frames(&mut self) -> Reading {
        loop {
            let event = match self.framer.next_frame() {
                Ok(None) => return Reading::On,
                Ok(Some(frame)) => Event::Frame {
                    conn: self.conn,
                    command: frame.command.into_owned(),
                },
                Err(error) => Event::Undecodable {
                    conn: self.conn,
                    error,
                },
            };
            let after = match &event {
                Event::Frame { command, .. } if command.verb() == "VER" => Reading::Paused,
                Event::Undecodable { error, .. } if error.is_fatal() => Reading::Off,
                _ => Reading::On,
            };
            if self.events.send(event).await.is_err() {
                return Reading::Off;
            }
            if !matches!(after, Reading::On) {
                return after;
            }
        }
    }

    /// `bytes` and the chunks queued right behind it, up to [`WRITE_BATCH`] bytes; a control
    /// message met on the way is left in `stash`.
    fn join(&mut self, mut bytes: Vec<u8>, stash: &mut Option<ToConn>) -> Vec<u8> {
        while stash.is_none() && bytes.len() < WRITE_BATCH {
            match self.rx.try_recv() {
                Ok(ToConn::Bytes(more)) => bytes.extend_from_slice(&more),
                Ok(other) => *stash = Some(other),
                Err(_) => break,
            }
        }
        bytes
    }

    /// Writes one chunk, failing if the client's window stays closed for `write_stall`.
    async fn write(&self, wr: &mut OwnedWriteHalf, bytes: &[u8]) -> Result<(), String> {
        match timeout(self.write_stall, wr.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("write failed: {e}")),
            Err(_) => Err(format!(
                "no write progress for {} s: the client does not read",
                self.write_stall.as_secs()
            )),
        }
    }

    /// Tells the hub nothing more will be read.
    async fn ended(&self, why: String) {
        let _ = self
            .events
            .send(Event::Ended {
                conn: self.conn,
                why,
            })
            .await;
    }

    /// Reads and discards until the client closes or `linger` passes (see
    /// [`ShellLimits::linger`](super::ShellLimits::linger)).
    async fn linger(&self, rd: &mut OwnedReadHalf) {
        let until = Instant::now() + self.linger;
        let mut sink = [0u8; 1024];
        while let Ok(Ok(n)) = timeout_at(until, rd.read(&mut sink)).await {
            if n == 0 {
                break;
            }
        }
    }
}

/// The stashed message, else the next from the queue (`None`: the hub is gone).
async fn next(
    rx: &mut mpsc::UnboundedReceiver<ToConn>,
    stash: &mut Option<ToConn>,
) -> Option<ToConn> {
    match stash.take() {
        Some(message) => Some(message),
        None => rx.recv().await,
    }
}
