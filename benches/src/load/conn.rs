//! One client connection: a loopback TCP stream, the codec's [`Framer`] over what the server
//! sends, and an optional record of what the client sends (the codec baseline decodes it).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use msnp6::commands::Command;
use msnp6::{Decoder, Dialect, Direction, Framer, ServerKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use super::LoadError;

/// At most this many bytes of one connection are recorded for the codec baseline.
pub const RECORD_LIMIT: usize = 256 * 1024;

/// What the clients sent, per connection (bounded by [`RECORD_LIMIT`] each and by the number of
/// clients that record, [`super::Config::record_clients`]).
#[derive(Debug, Default)]
pub struct Recording {
    /// One client -> server byte stream and its server kind.
    pub streams: Vec<(ServerKind, Vec<u8>)>,
}

/// A shared recording.
pub type Recorder = Arc<Mutex<Recording>>;

/// A framed client connection.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    framer: Framer,
    buf: Vec<u8>,
    kind: ServerKind,
    record: Option<(Recorder, Vec<u8>)>,
    /// Bytes written since the last [`Conn::take_bytes_out`].
    bytes_out: u64,
}

impl Conn {
    /// Connects to `addr` (a server of `kind`) before `deadline`.
    pub async fn connect(
        addr: SocketAddr,
        kind: ServerKind,
        recorder: Option<Recorder>,
        deadline: Instant,
    ) -> Result<Conn, LoadError> {
        let stream = timeout_at(deadline, TcpStream::connect(addr))
            .await
            .map_err(|_| LoadError::Timeout("connect"))?
            .map_err(|e| LoadError::Io("connect", e))?;
        stream
            .set_nodelay(true)
            .map_err(|e| LoadError::Io("nodelay", e))?;
        let decoder = Decoder::new(Direction::ServerToClient, kind).with_dialect(Dialect::Msnp6);
        Ok(Conn {
            stream,
            framer: Framer::new(decoder),
            buf: vec![0; 16 * 1024],
            kind,
            record: recorder.map(|r| (r, Vec::new())),
            bytes_out: 0,
        })
    }

    /// Writes `bytes` (one or more whole frames).
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), LoadError> {
        self.stream
            .write_all(bytes)
            .await
            .map_err(|e| LoadError::Io("write", e))?;
        self.bytes_out += bytes.len() as u64;
        if let Some((_, rec)) = &mut self.record {
            let room = RECORD_LIMIT.saturating_sub(rec.len());
            rec.extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        Ok(())
    }

    /// Bytes written since the last call.
    pub fn take_bytes_out(&mut self) -> u64 {
        std::mem::take(&mut self.bytes_out)
    }

    /// The next frame from the server (owned), reading before `deadline`; `Ok(None)` when the
    /// server closed the connection.
    pub async fn next(&mut self, deadline: Instant) -> Result<Option<Command<'static>>, LoadError> {
        loop {
            match self.framer.next_frame() {
                Ok(Some(frame)) => return Ok(Some(frame.command.into_owned())),
                Ok(None) => {}
                Err(e) if e.is_fatal() => return Err(LoadError::Frame(e.to_string())),
                // an invalid line is skipped by the framer: count it as the server's fault
                Err(e) => return Err(LoadError::Frame(e.to_string())),
            }
            let n = timeout_at(deadline, self.stream.read(&mut self.buf))
                .await
                .map_err(|_| LoadError::Timeout("read"))?
                .map_err(|e| LoadError::Io("read", e))?;
            if n == 0 {
                return Ok(None);
            }
            self.framer.push(&self.buf[..n]);
        }
    }

    /// Like [`Conn::next`], but a closed connection is an error.
    pub async fn expect(&mut self, deadline: Instant) -> Result<Command<'static>, LoadError> {
        self.next(deadline).await?.ok_or(LoadError::Closed)
    }

    /// Closes the connection, handing the recorded bytes to the recorder.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.stream.shutdown()).await;
        let Some((recorder, bytes)) = self.record.take() else {
            return;
        };
        if let Ok(mut r) = recorder.lock() {
            r.streams.push((self.kind, bytes));
        }
    }
}
