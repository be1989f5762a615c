//! The sans-IO core: every protocol decision of the server, no sockets, no clock, no global
//! state. The shell (or a test, or a fuzz target) feeds it [`Input`]s with the current time and
//! carries out the [`Output`]s it returns, in order.
//!
//! Contract between the core and whoever drives it:
//! * Connections are named by [`ConnId`]s chosen by the driver, unique for the life of the core.
//! * Time is milliseconds since an arbitrary start, never decreasing, passed with every call;
//!   [`Core::next_deadline`] says when the core next needs [`Input::Tick`].
//! * Frames arrive decoded by the driver's framer (client to server, the connection's
//!   [`ServerKind`], the dialect last set by [`Output::Dialect`], MSNP6 before that). A line the
//!   framer refuses arrives as [`Input::Undecodable`]; the core decides what the reference says
//!   (reference §14: close).
//! * Outputs are carried out in order: a [`Output::Send`] before a [`Output::Close`] of the same
//!   connection is written before it is closed. After `Close` the driver sends no more input for
//!   that connection (and no [`Input::Closed`]).
//! * Randomness (salts, cookies, session ids, challenges) comes from an injected
//!   [`Entropy`]; with a seeded one the core is deterministic.

use msnp6::FrameError;
use msnp6::commands::Command;
use msnp6::types::{Dialect, ServerKind};

mod challenge;
mod config;
mod conn;
mod contacts;
mod entropy;
pub(crate) mod fasthash;
mod lists;
mod login;
mod machine;
mod ns;
mod presence;
mod profile;
mod sb;
mod services;
pub mod switchboard;
mod users;

pub use config::{Config, RateLimit};
pub use entropy::{OsEntropy, SeededEntropy};
pub use machine::{Core, Counts};

/// A connection, named by the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u64);

/// Milliseconds since an arbitrary start chosen by the driver.
pub type Millis = u64;

/// What happens to the server.
#[derive(Debug)]
#[non_exhaustive]
pub enum Input<'a> {
    /// A client connected to the listener of `kind`.
    Opened {
        /// The new connection.
        conn: ConnId,
        /// Which server's listener it connected to.
        kind: ServerKind,
    },
    /// The client sent a frame (decoded by the driver's framer).
    Frame {
        /// The connection.
        conn: ConnId,
        /// The decoded command, payload included.
        command: Command<'a>,
    },
    /// The client sent a line the framer could not decode.
    Undecodable {
        /// The connection.
        conn: ConnId,
        /// The framer's error.
        error: FrameError,
    },
    /// The connection ended without the core asking (the client closed it, or the driver did:
    /// a write failed or its output queue overflowed).
    Closed {
        /// The connection.
        conn: ConnId,
    },
    /// Time passed (see [`Core::next_deadline`]).
    Tick,
    /// The server shuts down: `OUT SSD` to every client, then every connection closes.
    Shutdown,
}

/// What the driver must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Send a frame on a connection.
    Send {
        /// The connection.
        conn: ConnId,
        /// The frame (encode with [`Command::encode`]).
        command: Command<'static>,
    },
    /// Decode this connection's next lines in `dialect` (after VER).
    Dialect {
        /// The connection.
        conn: ConnId,
        /// The negotiated dialect.
        dialect: Dialect,
    },
    /// Close a connection (after writing what was sent before).
    Close {
        /// The connection.
        conn: ConnId,
    },
}

/// Where the core gets its randomness. Production: the operating system's CSPRNG (cookies must
/// be unguessable); tests and fuzzing: a seeded generator.
pub trait Entropy: core::fmt::Debug + Send {
    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64;
}

/// A server state machine the shell can drive: the [`Core`](crate::core) of this crate, or
/// another (the reference server of `msnp6-probe` behind the same shell, a test double).
pub trait Machine: core::fmt::Debug + Send {
    /// Handles one input at time `now`, appending what the driver must do to `out`, in order.
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>);
    /// When the machine next needs [`Input::Tick`], if ever.
    fn next_deadline(&self) -> Option<Millis>;
    /// Group commit (docs/server.md, "Shell"): the driver will hand several inputs before
    /// [`Machine::end_batch`], and holds their outputs until then. The default does nothing.
    fn begin_batch(&mut self) {}
    /// Makes every change of the inputs since [`Machine::begin_batch`] durable. Only on `Ok`
    /// may the driver carry out their outputs; on `Err` it must acknowledge none of them (the
    /// shell stops the server).
    fn end_batch(&mut self) -> Result<(), crate::store::StoreError> {
        Ok(())
    }
}
