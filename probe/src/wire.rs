//! Wire: real TCP client connections on which the probe writes frames, and one reader thread per
//! connection that hands what arrives to the session through one channel, in arrival order.
//!
//! Politeness: connections only to the addresses given ([`Wire::open`] refuses others), a
//! connect timeout, at most [`MAX_BYTES`] read per connection, TCP_NODELAY. Closing a connection
//! (or dropping the [`Wire`]) shuts its socket down, which ends its reader thread; the threads
//! are joined, so nothing outlives a session.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The most bytes read from one connection; past it the connection is closed.
pub const MAX_BYTES: usize = 1 << 20;
/// The smallest gap between two frames the probe writes (at most 500 frames a second).
pub const MIN_GAP: Duration = Duration::from_millis(2);

/// What a reader thread reports.
#[derive(Debug)]
pub enum Arrival {
    /// Bytes arrived on connection `.0`.
    Data(usize, Vec<u8>),
    /// Connection `.0` ended (the peer closed it, or reading failed: the reason).
    Closed(usize, Option<String>),
}

/// A wire error.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The address is not one the probe was told to use.
    #[error("{0} is not an address the probe was given; not connecting")]
    NotAllowed(SocketAddr),
    /// Connecting failed.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

#[derive(Debug)]
struct Link {
    stream: TcpStream,
    reader: Option<JoinHandle<()>>,
    open: bool,
}

/// The connections of one session.
#[derive(Debug)]
pub struct Wire {
    allowed: Vec<std::net::IpAddr>,
    connect_timeout: Duration,
    links: Vec<Link>,
    tx: Sender<Arrival>,
    rx: Receiver<Arrival>,
    last_write: Option<Instant>,
}

impl Wire {
    /// A wire that connects only to hosts with these IP addresses.
    pub fn new(allowed: Vec<std::net::IpAddr>, connect_timeout: Duration) -> Wire {
        let (tx, rx) = channel();
        Wire {
            allowed,
            connect_timeout,
            links: Vec::new(),
            tx,
            rx,
            last_write: None,
        }
    }

    /// Opens a connection; returns its index.
    pub fn open(&mut self, addr: SocketAddr) -> Result<usize, WireError> {
        if !self.allowed.contains(&addr.ip()) {
            return Err(WireError::NotAllowed(addr));
        }
        let stream = TcpStream::connect_timeout(&addr, self.connect_timeout)
            .map_err(|source| WireError::Connect { addr, source })?;
        let _ = stream.set_nodelay(true);
        let index = self.links.len();
        let reader = stream
            .try_clone()
            .ok()
            .map(|s| spawn_reader(index, s, self.tx.clone()));
        if reader.is_none() {
            let _ = self
                .tx
                .send(Arrival::Closed(index, Some("cannot read".into())));
        }
        self.links.push(Link {
            stream,
            reader,
            open: true,
        });
        Ok(index)
    }

    /// Writes bytes on connection `index` (paced by [`MIN_GAP`]); false if it is closed or the
    /// write failed.
    pub fn write(&mut self, index: usize, bytes: &[u8]) -> bool {
        if let Some(last) = self.last_write {
            let next = last + MIN_GAP;
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
        }
        self.last_write = Some(Instant::now());
        match self.links.get_mut(index).filter(|l| l.open) {
            Some(link) => link.stream.write_all(bytes).is_ok(),
            None => false,
        }
    }

    /// Closes connection `index` (both directions); its reader thread ends.
    pub fn close(&mut self, index: usize) {
        if let Some(link) = self.links.get_mut(index) {
            link.open = false;
            let _ = link.stream.shutdown(Shutdown::Both);
        }
    }

    /// The next arrival, waiting until `until` at most.
    pub fn next(&self, until: Instant) -> Option<Arrival> {
        let wait = until.saturating_duration_since(Instant::now());
        self.rx.recv_timeout(wait).ok()
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        for link in &mut self.links {
            let _ = link.stream.shutdown(Shutdown::Both);
        }
        for link in &mut self.links {
            if let Some(reader) = link.reader.take() {
                let _ = reader.join();
            }
        }
    }
}

fn spawn_reader(index: usize, mut stream: TcpStream, tx: Sender<Arrival>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        let mut total = 0usize;
        let reason = loop {
            match stream.read(&mut buf) {
                Ok(0) => break None,
                Ok(n) => {
                    total += n;
                    if tx.send(Arrival::Data(index, buf[..n].to_vec())).is_err() {
                        break None;
                    }
                    if total >= MAX_BYTES {
                        let _ = stream.shutdown(Shutdown::Both);
                        break Some(format!("more than {MAX_BYTES} bytes read; closed"));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Some(e.to_string()),
            }
        };
        let _ = tx.send(Arrival::Closed(index, reason));
    })
}
