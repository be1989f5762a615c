//! The listeners: accept, bound the connections, hand each to the core and to a reader thread.

use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;
use std::time::Duration;

use msnp6::ServerKind;

use super::core::Msg;
use super::reader::Reader;

/// How often a listener looks for a stop while no client connects.
const POLL: Duration = Duration::from_millis(10);

/// The connection limits, shared by the three listeners.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    at_once: usize,
    total: u64,
    open: Arc<AtomicUsize>,
    accepted: Arc<AtomicU64>,
}

impl Limits {
    pub(crate) fn new(at_once: usize, total: u64) -> Self {
        Limits {
            at_once,
            total,
            open: Arc::default(),
            accepted: Arc::default(),
        }
    }

    /// Takes a place for a new connection, if there is one.
    fn admit(&self) -> bool {
        if self.accepted.load(Ordering::SeqCst) >= self.total {
            return false;
        }
        let open = self.open.fetch_add(1, Ordering::SeqCst);
        if open >= self.at_once {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        self.accepted.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// A place the reader of a connection gives back when it ends.
    pub(crate) fn release(&self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One listener (DS, NS or SB).
#[derive(Debug)]
pub(crate) struct Listener {
    kind: ServerKind,
    listener: TcpListener,
    core: SyncSender<Msg>,
    stop: Arc<AtomicBool>,
    limits: Limits,
    readers: Vec<JoinHandle<()>>,
}

impl Listener {
    pub(crate) fn new(
        kind: ServerKind,
        listener: TcpListener,
        core: SyncSender<Msg>,
        stop: Arc<AtomicBool>,
        limits: Limits,
    ) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Ok(Listener {
            kind,
            listener,
            core,
            stop,
            limits,
            readers: Vec::new(),
        })
    }

    /// Accepts until the stop flag is set, then waits for its readers.
    pub(crate) fn run(mut self) {
        while !self.stop.load(Ordering::SeqCst) {
            match self.listener.accept() {
                Ok((stream, _)) => self.accepted(stream),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::sleep(POLL),
                Err(_) => std::thread::sleep(POLL),
            }
            self.readers.retain(|r| !r.is_finished());
        }
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }

    fn accepted(&mut self, stream: TcpStream) {
        if !self.limits.admit() {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        match self.start_reader(stream) {
            Some(handle) => self.readers.push(handle),
            None => self.limits.release(),
        }
    }

    /// Registers the connection with the core, then starts its reader (so that the core sees the
    /// connection before any of its frames).
    fn start_reader(&self, stream: TcpStream) -> Option<JoinHandle<()>> {
        stream.set_nonblocking(false).ok()?;
        stream.set_nodelay(true).ok()?;
        let peer = stream.peer_addr().ok()?;
        let writer = stream.try_clone().ok()?;
        let closed = Arc::new(AtomicBool::new(false));
        let (named, name) = std::sync::mpsc::channel();
        self.core
            .send(Msg::Accepted {
                kind: self.kind,
                peer,
                stream: writer,
                closed: Arc::clone(&closed),
                named,
            })
            .ok()?;
        let name = name.recv().ok()?;
        let name_copy = name.clone();
        let reader = Reader::new(
            name,
            self.kind,
            stream,
            self.core.clone(),
            Arc::clone(&self.stop),
            closed,
            self.limits.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("msnp6-reference-conn".to_owned())
            .spawn(move || reader.run());
        if spawned.is_err() {
            // No reader: the core forgets the connection (and closes it).
            let _ = self.core.send(Msg::Eof { name: name_copy });
        }
        spawned.ok()
    }
}
