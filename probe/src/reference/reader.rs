//! One connection's reader: bytes from the client through a [`Framer`] to the core.

use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::time::{Duration, Instant};

use msnp6::commands::Command;
use msnp6::{Decoder, Direction, Framer, ServerKind};

use super::core::Msg;
use super::listen::Limits;

/// How long a read waits before the reader looks at the stop and closed flags.
const READ_WAIT: Duration = Duration::from_millis(100);
/// How long a connection the server closed is still read (and its bytes dropped), so that the
/// client can read the last lines before the socket is released.
const LINGER: Duration = Duration::from_secs(2);
/// How long the reader waits for the core to say which dialect `VER` chose.
const DIALECT_WAIT: Duration = Duration::from_secs(10);

/// The reader of one connection.
#[derive(Debug)]
pub(crate) struct Reader {
    name: String,
    stream: TcpStream,
    framer: Framer,
    core: SyncSender<Msg>,
    stop: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
    limits: Limits,
}

/// What the reader does after some bytes.
enum Next {
    /// Go on reading.
    More,
    /// A frame did not decode: the server closes; read no more frames.
    Dead,
    /// The core is gone.
    End,
}

impl Reader {
    pub(crate) fn new(
        name: String,
        kind: ServerKind,
        stream: TcpStream,
        core: SyncSender<Msg>,
        stop: Arc<AtomicBool>,
        closed: Arc<AtomicBool>,
        limits: Limits,
    ) -> Self {
        Reader {
            name,
            stream,
            framer: Framer::new(Decoder::new(Direction::ClientToServer, kind)),
            core,
            stop,
            closed,
            limits,
        }
    }

    /// Reads until the client closes, the server closed (plus [`LINGER`]) or the server stops.
    pub(crate) fn run(mut self) {
        let _ = self.stream.set_read_timeout(Some(READ_WAIT));
        let mut buf = [0u8; 4096];
        let mut closed_at: Option<Instant> = None;
        while !self.stop.load(Ordering::SeqCst) {
            if self.closed.load(Ordering::SeqCst) {
                let since = *closed_at.get_or_insert_with(Instant::now);
                if since.elapsed() > LINGER {
                    break;
                }
            }
            match self.stream.read(&mut buf) {
                Ok(0) => {
                    let _ = self.core.send(Msg::Eof {
                        name: self.name.clone(),
                    });
                    break;
                }
                // Closed by the server: what the client still sends is dropped.
                Ok(_) if closed_at.is_some() => {}
                Ok(n) => match self.received(&buf[..n]) {
                    Next::More => {}
                    Next::Dead => closed_at = Some(Instant::now()),
                    Next::End => break,
                },
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    let _ = self.core.send(Msg::Eof {
                        name: self.name.clone(),
                    });
                    break;
                }
            }
        }
        self.limits.release();
    }

    /// Frames the bytes and hands each frame to the core. A frame that does not decode ends the
    /// connection (reference §14: unknown command, bad TrID → disconnect).
    fn received(&mut self, bytes: &[u8]) -> Next {
        self.framer.push(bytes);
        loop {
            let command = match self.framer.next_frame() {
                Ok(Some(frame)) => frame.command.into_owned(),
                Ok(None) => return Next::More,
                Err(_) => {
                    let _ = self.core.send(Msg::Invalid {
                        name: self.name.clone(),
                    });
                    return Next::Dead;
                }
            };
            if !self.forward(command) {
                return Next::End;
            }
        }
    }

    /// Sends one frame to the core; after `VER`, waits for the dialect the reply chose and
    /// decodes the following frames in it. False when the core is gone.
    fn forward(&mut self, command: Command<'static>) -> bool {
        if !matches!(command, Command::Ver(_)) {
            let name = self.name.clone();
            return self
                .core
                .send(Msg::Frame {
                    name,
                    command,
                    dialect: None,
                })
                .is_ok();
        }
        let (tx, rx) = mpsc::channel();
        let name = self.name.clone();
        if self
            .core
            .send(Msg::Frame {
                name,
                command,
                dialect: Some(tx),
            })
            .is_err()
        {
            return false;
        }
        if let Ok(Some(dialect)) = rx.recv_timeout(DIALECT_WAIT) {
            let decoder = self.framer.decoder().with_dialect(dialect);
            self.framer.set_decoder(decoder);
        }
        true
    }
}
