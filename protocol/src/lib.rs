//! # msnp6 — the MSNP6 protocol, exactly
//!
//! A codec for MSNP6, the protocol of MSN Messenger 3.6 (2003), on the dispatch (DS),
//! notification (NS) and switchboard (SB) servers, in both directions.
//!
//! The protocol facts it implements, with their sources, are in the repository's
//! `docs/msnp6-protocol.md`. Throughout these docs, "reference §N" (or "`msnp6-protocol.md` §N")
//! means section N of that file: §1 the wire format, §3 the commands, §9 challenges, §12 the
//! documented limits, §13 the contradictions between sources, §14 server behaviour. Transcript
//! files follow `docs/transcript-format.md` (cited as "transcript-format.md"). How the codec reads
//! the reference where it is silent or contradicts itself is in `docs/codec.md`.
//!
//! * [`types`] — validated values: [`TrId`], [`Handle`](types::Handle),
//!   [`FriendlyName`](types::FriendlyName), [`List`](types::List), [`Status`](types::Status),
//!   [`ErrorCode`](types::ErrorCode), [`Dialect`], …
//! * [`commands`] — every command form as a typed value, grouped by family (login, lists,
//!   presence, services, challenge, switchboard); parser and encoder side by side. A form with a
//!   rule across its fields has a checked constructor ([`commands::InvalidForm`]);
//!   [`Command::try_encode`] also checks the context: place, dialect and limits
//!   ([`commands::EncodeError`]).
//! * [`Decoder`] — decodes one frame (line + payload) from a buffer, strict or lenient.
//! * [`Framer`] — a streaming, sans-IO framer over arbitrary chunks, with hard limits.
//! * [`validate`] — whether decoded values are the documented ones, and what a server answers.
//! * [`message`] — the MIME payloads of `MSG`.
//! * [`auth`] — QRY responses and MD5 login digests.
//! * `codec` (feature `tokio`) — `tokio-util` codec over the framer; `fuzzing` (feature
//!   `fuzzing`) — the fuzz oracles of the codec.
//!
//! This crate is the codec only. The reference state machine (a predictor of what a correct
//! server sends and a monitor judging observed traffic), the transcript reader and
//! `msnp6 transcript check` are in the crate `msnp6-oracle` (`oracle/`).
//!
//! ```
//! use msnp6::{Decoder, Direction, ServerKind};
//! use msnp6::commands::Command;
//!
//! let d = Decoder::new(Direction::ServerToClient, ServerKind::Notification);
//! let frame = d.decode(b"USR 7 OK example@hotmail.com example%20user 1\r\n").unwrap();
//! let Command::UsrOk(ok) = &frame.command else { panic!() };
//! assert_eq!(ok.name.decode_lossy(), "example user");
//! assert_eq!(frame.command.to_bytes(), b"USR 7 OK example@hotmail.com example%20user 1\r\n");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod commands;
mod decode;
pub mod error;
mod framer;
#[cfg(feature = "fuzzing")]
#[cfg_attr(docsrs, doc(cfg(feature = "fuzzing")))]
pub mod fuzzing;
pub(crate) mod grammar;
pub mod message;
pub mod types;
pub mod validate;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod codec;

pub use commands::{Command, Context};
pub use decode::{Decoded, Decoder, Limits, Mode};
pub use error::{DecodeError, Expected, Warning, Warnings};
pub use framer::{Frame, FrameError, Framer};
pub use grammar::Payload;
pub use types::{Dialect, Direction, ServerKind, TrId};

/// The repository's README, compiled: its Rust example runs as a doctest, so the README and the
/// code cannot drift apart.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}
