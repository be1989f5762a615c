//! A [`tokio_util::codec`] codec: plug [`Msnp6Codec`] into [`Framed`] (or `FramedRead` /
//! `FramedWrite`) to read frames from and write commands to an async connection. Enabled by the
//! `tokio` feature.
//!
//! The codec is a thin adapter over the [`Framer`]: the bytes of each read are handed to it,
//! and its frames come out detached from its buffer ([`Frame<'static>`](Frame): command,
//! lenient-mode warnings, stream offset, length). So framing, limits and errors are the
//! framer's, and the `codec_stream` fuzz target checks that the codec, fed in arbitrary
//! chunks, gives exactly the framer's frames and errors (`msnp6::fuzzing::codec_stream`):
//!
//! * a frame is one line up to CR LF, then, for a payload command, exactly the declared number
//!   of bytes (reference §1.4);
//! * the hard limits are the decoder's [`Limits`]: once more than `max_line + 1` bytes have
//!   arrived without a line end, decoding fails with [`DecodeError::LineTooLong`], and a
//!   payload longer than its limit is [`DecodeError::PayloadTooLong`] as soon as its command
//!   line has arrived, before the payload is buffered. The codec takes every byte out of the
//!   read buffer at each call, and between reads holds at most one frame's worth of bytes;
//! * encoding writes [`Command::encode`]: the line, CR LF, and the payload.
//!
//! # After an invalid line: close, or skip it
//! What happens after an invalid line (a grammar error or a misplaced verb) is the codec's
//! type parameter, because it decides what the stream yields:
//!
//! * [`Close`] (the default, [`Msnp6Codec::new`]): the stream yields [`Frame`]s, and the first
//!   error of any kind is [`CodecError::Decode`]. `Framed` ends the stream there; the codec
//!   itself returns that error again on every later call and drops what arrives. This is what
//!   a server does: it answers an unknown command, a known command out of state or a malformed
//!   TrID by closing the connection (reference §14).
//! * [`SkipLine`] ([`Msnp6Codec::skipping`]): the stream yields `Result<Frame, FrameError>`; an
//!   invalid line is yielded as an `Err` item and skipped, and reading goes on after its line
//!   end (the framer's rule: a payload the line may have announced is not trusted, so not
//!   skipped). For readers that must see past a bad line: a client, a monitor, a proxy.
//!
//! Either way, an error that loses the framing — a line or a payload length over the limits —
//! is [`CodecError::Decode`] and ends the stream, and a connection closed in the middle of a
//! frame is [`CodecError::Io`] with [`std::io::ErrorKind::UnexpectedEof`].
//!
//! Decoding checks the shape of a line; whether its values are the documented ones, and what a
//! server answers when they are not, is [`Command::validate`].
//!
//! # Example
//! A dispatch server answering the version negotiation of an MSNP6 client (reference §8):
//!
//! ```
//! use futures_util::{SinkExt, StreamExt};
//! use msnp6::codec::Msnp6Codec;
//! use msnp6::commands::{Command, login::Ver};
//! use msnp6::types::TokenList;
//! use msnp6::validate::{Answer, negotiate};
//! use msnp6::{Decoder, Dialect, Direction, ServerKind};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use tokio_util::codec::Framed;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (mut client, connection) = tokio::io::duplex(4096);
//!
//! let server = tokio::spawn(async move {
//!     let decoder = Decoder::new(Direction::ClientToServer, ServerKind::Dispatch);
//!     let mut framed = Framed::new(connection, Msnp6Codec::new(decoder));
//!     // `?` on a decode error ends the task, which closes the connection.
//!     while let Some(frame) = framed.next().await.transpose()? {
//!         if let Command::Ver(ver) = &frame.command {
//!             let reply = match negotiate(ver, &[Dialect::Msnp6, Dialect::Msnp5]) {
//!                 Some(d) => Command::Ver(Ver { trid: ver.trid, dialects: TokenList::new(d.as_str().as_bytes())? }),
//!                 None => Answer::RefuseVersion.reply(ver.trid).expect("VER TrID 0"),
//!             };
//!             framed.send(&reply).await?;
//!         }
//!     }
//!     Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! });
//!
//! client.write_all(b"VER 1 MSNP6 MSNP5 MSNP4 CVR0\r\n").await?;
//! let mut reply = [0u8; 13];
//! client.read_exact(&mut reply).await?;
//! assert_eq!(&reply, b"VER 1 MSNP6\r\n");
//! drop(client); // end of stream: the server loop ends
//! server.await?.map_err(|e| e.to_string())?;
//! # Ok(())
//! # }
//! ```
//!
//! A client reading a server stream past an invalid line:
//!
//! ```
//! use futures_util::StreamExt;
//! use msnp6::codec::Msnp6Codec;
//! use msnp6::{Decoder, Direction, ServerKind};
//! use tokio_util::codec::FramedRead;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), msnp6::codec::CodecError> {
//! let input: &[u8] = b"QNG\r\nCHG x NLN\r\nQNG\r\n";
//! let decoder = Decoder::new(Direction::ServerToClient, ServerKind::Notification);
//! let mut items = FramedRead::new(input, Msnp6Codec::skipping(decoder));
//! assert_eq!(items.next().await.transpose()?.unwrap().unwrap().command.verb(), "QNG");
//! let bad = items.next().await.transpose()?.unwrap().unwrap_err();
//! assert_eq!((bad.line_offset, bad.offset()), (5, 9));
//! assert_eq!(items.next().await.transpose()?.unwrap().unwrap().offset, 16);
//! assert!(items.next().await.is_none());
//! # Ok(())
//! # }
//! ```
//!
//! [`Framed`]: tokio_util::codec::Framed
//! [`Limits`]: crate::Limits
//! [`DecodeError::LineTooLong`]: crate::DecodeError::LineTooLong
//! [`DecodeError::PayloadTooLong`]: crate::DecodeError::PayloadTooLong

use core::marker::PhantomData;

use bytes::BytesMut;

use crate::commands::Command;
use crate::decode::Decoder;
use crate::framer::{Frame, FrameError, Framer};

/// An error of [`Msnp6Codec`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The bytes are not a valid frame (or exceed the limits), at the stream offset the error
    /// tells: the stream ends here.
    #[error(transparent)]
    Decode(#[from] FrameError),
    /// Reading or writing failed, or the connection ended in the middle of a frame.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What [`Msnp6Codec`] does after an invalid line: the stream ends with the error ([`Close`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Close;

/// What [`Msnp6Codec`] does after an invalid line: yields its error as an item, skips the line
/// and goes on ([`SkipLine`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SkipLine;

/// The MSNP6 codec for `tokio_util::codec::Framed`, over a [`Framer`]; `P` ([`Close`] or
/// [`SkipLine`]) says what happens after an invalid line. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Msnp6Codec<P = Close> {
    framer: Framer,
    /// Under [`Close`]: the error that closed the codec.
    closed: Option<FrameError>,
    /// Reused encoding buffer.
    scratch: Vec<u8>,
    policy: PhantomData<P>,
}

impl Msnp6Codec<Close> {
    /// A codec decoding with `decoder` (its direction, server kind, dialect, mode and limits)
    /// that ends the stream at the first error.
    pub fn new(decoder: Decoder) -> Self {
        Self::with_policy(decoder)
    }
}

impl Msnp6Codec<SkipLine> {
    /// A codec decoding with `decoder` that yields each invalid line's error as an item and goes
    /// on after its line end; errors that lose the framing still end the stream.
    pub fn skipping(decoder: Decoder) -> Self {
        Self::with_policy(decoder)
    }
}

impl<P> Msnp6Codec<P> {
    fn with_policy(decoder: Decoder) -> Self {
        Msnp6Codec {
            framer: Framer::new(decoder),
            closed: None,
            scratch: Vec::new(),
            policy: PhantomData,
        }
    }

    /// The decoder in use.
    pub fn decoder(&self) -> &Decoder {
        self.framer.decoder()
    }

    /// Changes the decoder, e.g. to the dialect chosen by `VER`; takes effect at the next line.
    pub fn set_decoder(&mut self, decoder: Decoder) {
        self.framer.set_decoder(decoder);
    }

    /// The framer underneath: how many bytes it holds, whether it is closed.
    pub fn framer(&self) -> &Framer {
        &self.framer
    }

    /// Hands the bytes of `src` to the framer (leaving `src` empty) and returns its next frame,
    /// detached, or its error.
    fn next(&mut self, src: &mut BytesMut) -> Result<Option<Frame<'static>>, FrameError> {
        if !src.is_empty() {
            self.framer.push(src);
            src.clear();
        }
        Ok(self.framer.next_frame()?.map(Frame::into_owned))
    }

    /// At the end of the stream: nothing may be left of a frame.
    fn at_eof<T>(&self) -> Result<Option<T>, CodecError> {
        match self.framer.buffered() {
            0 => Ok(None),
            n => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("connection closed in the middle of a frame ({n} bytes buffered)"),
            )
            .into()),
        }
    }
}

impl tokio_util::codec::Decoder for Msnp6Codec<Close> {
    type Item = Frame<'static>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame<'static>>, CodecError> {
        if let Some(e) = &self.closed {
            src.clear();
            return Err(e.clone().into());
        }
        self.next(src).map_err(|e| {
            self.closed = Some(e.clone());
            e.into()
        })
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame<'static>>, CodecError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None => self.at_eof(),
        }
    }
}

impl tokio_util::codec::Decoder for Msnp6Codec<SkipLine> {
    type Item = Result<Frame<'static>, FrameError>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, CodecError> {
        match self.next(src) {
            Ok(frame) => Ok(frame.map(Ok)),
            Err(e) if e.is_fatal() => Err(e.into()),
            Err(e) => Ok(Some(Err(e))),
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Self::Item>, CodecError> {
        match self.decode(src)? {
            Some(item) => Ok(Some(item)),
            None => self.at_eof(),
        }
    }
}

impl<'c, P> tokio_util::codec::Encoder<&Command<'c>> for Msnp6Codec<P> {
    type Error = CodecError;

    fn encode(&mut self, item: &Command<'c>, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.scratch.clear();
        item.encode(&mut self.scratch);
        dst.extend_from_slice(&self.scratch);
        Ok(())
    }
}

impl<'c, P> tokio_util::codec::Encoder<Command<'c>> for Msnp6Codec<P> {
    type Error = CodecError;

    fn encode(&mut self, item: Command<'c>, dst: &mut BytesMut) -> Result<(), CodecError> {
        tokio_util::codec::Encoder::<&Command<'c>>::encode(self, &item, dst)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::{SinkExt, StreamExt};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_util::codec::{Decoder as _, Encoder as _, Framed, FramedRead};

    use super::*;
    use crate::commands::presence::Chg;
    use crate::error::{DecodeError, Expected, Warning};
    use crate::types::{Direction, ServerKind, Status, TrId};
    use crate::{Limits, Mode};

    const QRY: &[u8] = b"QRY 10 msmsgs@msnmsgr.com 32\r\n3b6666b60157322b6fc6e41a115968f5";

    fn codec(direction: Direction, server: ServerKind) -> Msnp6Codec {
        Msnp6Codec::new(Decoder::new(direction, server))
    }

    fn client_ns() -> Msnp6Codec {
        codec(Direction::ClientToServer, ServerKind::Notification)
    }

    #[track_caller]
    fn frame(c: &mut Msnp6Codec, buf: &mut BytesMut) -> Frame<'static> {
        c.decode(buf).expect("no error").expect("a frame")
    }

    #[track_caller]
    fn decode_error<T: std::fmt::Debug>(r: Result<Option<T>, CodecError>) -> DecodeError {
        frame_error(r).error
    }

    #[track_caller]
    fn frame_error<T: std::fmt::Debug>(r: Result<Option<T>, CodecError>) -> FrameError {
        match r {
            Err(CodecError::Decode(e)) => e,
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn partial_line() {
        let mut c = codec(Direction::ClientToServer, ServerKind::Dispatch);
        let mut buf = BytesMut::from(&b"VER 1 MSNP6 MSN"[..]);
        assert!(c.decode(&mut buf).expect("ok").is_none());
        buf.extend_from_slice(b"P5 MSNP4 CVR0\r");
        assert!(c.decode(&mut buf).expect("ok").is_none());
        buf.extend_from_slice(b"\n");
        let f = frame(&mut c, &mut buf);
        assert_eq!(f.command.to_bytes(), b"VER 1 MSNP6 MSNP5 MSNP4 CVR0\r\n");
        assert_eq!((f.offset, f.len), (0, 30));
        assert!(buf.is_empty());
        assert_eq!(c.framer().buffered(), 0);
    }

    #[test]
    fn byte_at_a_time_with_payload() {
        let mut c = client_ns();
        let mut buf = BytesMut::new();
        for (i, &b) in QRY.iter().enumerate() {
            buf.extend_from_slice(&[b]);
            let got = c.decode(&mut buf).expect("no error");
            if i + 1 < QRY.len() {
                assert!(got.is_none(), "frame after {} bytes", i + 1);
            } else {
                let f = got.expect("the whole frame");
                assert_eq!(f.command.verb(), "QRY");
                assert_eq!(f.command.payload().map(|p| p.as_bytes()), Some(&QRY[30..]));
                assert_eq!(f.len, QRY.len());
            }
        }
        assert!(buf.is_empty());
    }

    #[test]
    fn several_frames_in_one_buffer() {
        let mut c = client_ns();
        let mut input = b"PNG\r\nCHG 9 NLN\r\n".to_vec();
        input.extend_from_slice(QRY);
        input.extend_from_slice(b"OUT\r\nSYN");
        let mut buf = BytesMut::from(&input[..]);
        let got: Vec<_> = std::iter::from_fn(|| c.decode(&mut buf).expect("no error")).collect();
        let summary: Vec<_> = got
            .iter()
            .map(|f| (f.command.verb().to_owned(), f.offset, f.len))
            .collect();
        assert_eq!(
            summary,
            [
                ("PNG".into(), 0, 5),
                ("CHG".into(), 5, 11),
                ("QRY".into(), 16, 62),
                ("OUT".into(), 78, 5)
            ]
        );
        // The codec takes every byte of the read buffer; the framer keeps the partial line.
        assert!(buf.is_empty());
        assert_eq!(c.framer().buffered(), 3);
        buf.extend_from_slice(b" 2 0\r\n");
        assert_eq!(frame(&mut c, &mut buf).offset, 83);
    }

    #[test]
    fn switchboard_messages() {
        let mut c = codec(Direction::ServerToClient, ServerKind::Switchboard);
        let body =
            b"MIME-Version: 1.0\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nacknowledged";
        let line = format!("MSG example@hotmail.com example%20user {}\r\n", body.len());
        let mut buf = BytesMut::from(line.as_bytes());
        buf.extend_from_slice(&body[..10]);
        assert!(c.decode(&mut buf).expect("ok").is_none());
        buf.extend_from_slice(&body[10..]);
        buf.extend_from_slice(b"ACK 1\r\n");
        let f = frame(&mut c, &mut buf);
        let Command::Msg(msg) = &f.command else {
            panic!("{:?}", f.command)
        };
        assert_eq!(msg.payload.as_bytes(), body);
        assert_eq!(frame(&mut c, &mut buf).command.verb(), "ACK");
    }

    #[test]
    fn empty_payload() {
        let mut c = codec(Direction::ServerToClient, ServerKind::Notification);
        let mut buf = BytesMut::from(&b"MSG Hotmail Hotmail 0\r\nQNG\r\n"[..]);
        let f = frame(&mut c, &mut buf);
        assert_eq!(f.command.payload().map(|p| p.len()), Some(0));
        assert_eq!(frame(&mut c, &mut buf).command.verb(), "QNG");
    }

    #[test]
    fn close_after_an_invalid_line() {
        let mut c = client_ns();
        let mut buf = BytesMut::from(&b"PNG\r\nCHG x NLN\r\nPNG\r\n"[..]);
        frame(&mut c, &mut buf);
        let e = frame_error(c.decode(&mut buf));
        assert_eq!(
            e,
            FrameError {
                line_offset: 5,
                error: DecodeError::Invalid {
                    offset: 4,
                    expected: Expected::TrId
                }
            }
        );
        // Closed: the same error again, whatever arrives, and nothing is kept.
        buf.extend_from_slice(b"PNG\r\n");
        assert_eq!(frame_error(c.decode(&mut buf)), e);
        assert!(buf.is_empty());
        assert_eq!(frame_error(c.decode_eof(&mut buf)), e);
    }

    #[test]
    fn skip_an_invalid_line() {
        let mut c = Msnp6Codec::skipping(Decoder::new(
            Direction::ClientToServer,
            ServerKind::Notification,
        ));
        // The invalid line announces a payload: it is not trusted, so not skipped.
        let mut buf = BytesMut::from(&b"PNG\r\nQRY x msmsgs@msnmsgr.com 5\r\nCHG 9 NLN\r\nPN"[..]);
        let mut items = Vec::new();
        while let Some(item) = c.decode(&mut buf).expect("no fatal error") {
            items.push(item.map(|f| (f.command.verb().to_owned(), f.offset)));
        }
        assert_eq!(
            items,
            [
                Ok(("PNG".to_owned(), 0)),
                Err(FrameError {
                    line_offset: 5,
                    error: DecodeError::Invalid {
                        offset: 4,
                        expected: Expected::TrId
                    }
                }),
                Ok(("CHG".to_owned(), 33)),
            ]
        );
        assert_eq!(c.framer().buffered(), 2);
        buf.extend_from_slice(b"G\r\n");
        assert!(matches!(c.decode_eof(&mut buf), Ok(Some(Ok(f))) if f.offset == 44));
        assert!(matches!(c.decode_eof(&mut buf), Ok(None)));
        // A line over the limit still ends the stream.
        let mut long = BytesMut::from(&[b'A'; 2050][..]);
        assert!(matches!(
            decode_error(c.decode(&mut long)),
            DecodeError::LineTooLong { limit: 2048 }
        ));
        assert!(c.framer().is_closed());
    }

    #[test]
    fn misplaced_and_bare_lf() {
        let mut c = client_ns();
        let mut buf = BytesMut::from(&b"MSG 1 U 0\r\n"[..]);
        assert!(matches!(
            decode_error(c.decode(&mut buf)),
            DecodeError::Misplaced { verb: "MSG", .. }
        ));
        let mut c = client_ns();
        let mut buf = BytesMut::from(&b"PNG\n"[..]);
        assert!(matches!(
            decode_error(c.decode(&mut buf)),
            DecodeError::Invalid {
                expected: Expected::CrLf,
                ..
            }
        ));
    }

    #[test]
    fn lenient_warnings_are_kept() {
        let mut c = Msnp6Codec::new(
            Decoder::new(Direction::ClientToServer, ServerKind::Notification)
                .with_mode(Mode::Lenient),
        );
        let mut buf = BytesMut::from(&b"CHG  9 NLN\n"[..]);
        let f = frame(&mut c, &mut buf);
        assert!(
            f.warnings.contains(Warning::BareLf) && f.warnings.contains(Warning::RepeatedSpace)
        );
        assert_eq!(f.command.to_bytes(), b"CHG 9 NLN\r\n");
        assert_eq!(f.len, 11);
    }

    /// The read buffer never holds more than `max_line + 1` bytes without a line end.
    #[test]
    fn line_limit() {
        let limits = Limits {
            max_line: 16,
            ..Limits::default()
        };
        let decoder =
            Decoder::new(Direction::ClientToServer, ServerKind::Notification).with_limits(limits);
        // A 16-byte line fits, CR LF arriving separately.
        let mut c = Msnp6Codec::new(decoder);
        let mut buf = BytesMut::from(&b"URL 1 INBOX 1234"[..]);
        assert!(c.decode(&mut buf).expect("ok").is_none());
        buf.extend_from_slice(b"\r");
        assert!(c.decode(&mut buf).expect("ok").is_none());
        buf.extend_from_slice(b"\n");
        assert_eq!(frame(&mut c, &mut buf).len, 18);
        // 17 bytes without a line end may still be 16 + CR; the 18th byte without LF is too many.
        let mut c = Msnp6Codec::new(decoder);
        let mut buf = BytesMut::new();
        for _ in 0..17 {
            buf.extend_from_slice(b"A");
            assert!(c.decode(&mut buf).expect("ok").is_none());
        }
        buf.extend_from_slice(b"A");
        assert_eq!(
            decode_error(c.decode(&mut buf)),
            DecodeError::LineTooLong { limit: 16 }
        );
        // A line end beyond the limit, all in one read.
        let mut c = Msnp6Codec::new(decoder);
        let mut buf = BytesMut::from(&b"URL 1 INBOX 12345678\r\n"[..]);
        assert_eq!(
            decode_error(c.decode(&mut buf)),
            DecodeError::LineTooLong { limit: 16 }
        );
        // A 17-byte line with its CR LF.
        let mut c = Msnp6Codec::new(decoder);
        let mut buf = BytesMut::from(&b"URL 1 INBOX 12345\r\n"[..]);
        assert_eq!(
            decode_error(c.decode(&mut buf)),
            DecodeError::LineTooLong { limit: 16 }
        );
    }

    /// A payload over its limit is refused as soon as its line has arrived.
    #[test]
    fn payload_limit() {
        let mut c = codec(Direction::ClientToServer, ServerKind::Switchboard);
        let mut buf = BytesMut::from(&b"MSG 1 U 1665\r\n"[..]);
        assert!(matches!(
            decode_error(c.decode(&mut buf)),
            DecodeError::PayloadTooLong {
                verb: "MSG",
                declared: 1665,
                limit: 1664,
                ..
            }
        ));
        let mut c = client_ns();
        let mut buf = BytesMut::from(&b"QRY 10 msmsgs@msnmsgr.com 33\r\n"[..]);
        assert!(matches!(
            decode_error(c.decode(&mut buf)),
            DecodeError::PayloadTooLong { verb: "QRY", .. }
        ));
    }

    #[test]
    fn end_of_stream() {
        let mut c = client_ns();
        let mut buf = BytesMut::from(&b"PNG\r\nPN"[..]);
        assert!(c.decode_eof(&mut buf).expect("a frame").is_some());
        match c.decode_eof(&mut buf) {
            Err(CodecError::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
            other => panic!("{other:?}"),
        }
        let mut buf = BytesMut::from(&QRY[..40]);
        assert!(matches!(
            client_ns().decode_eof(&mut buf),
            Err(CodecError::Io(_))
        ));
        let mut empty = BytesMut::new();
        assert!(client_ns().decode_eof(&mut empty).expect("ok").is_none());
    }

    /// `set_decoder` switches the dialect between frames (here: the MSNP5 `USR … OK` without the
    /// verified flag).
    #[test]
    fn dialect_change() {
        let usr: &[u8] = b"USR 7 OK example@hotmail.com example%20user\r\n";
        let mut c = codec(Direction::ServerToClient, ServerKind::Notification);
        assert!(c.decode(&mut BytesMut::from(usr)).is_err());
        // Both lines arrive in one read; the dialect changes after the first frame.
        let mut buf = BytesMut::from(&b"VER 1 MSNP5\r\n"[..]);
        buf.extend_from_slice(usr);
        let mut c = codec(Direction::ServerToClient, ServerKind::Notification);
        assert_eq!(frame(&mut c, &mut buf).command.verb(), "VER");
        c.set_decoder(c.decoder().with_dialect(crate::Dialect::Msnp5));
        assert_eq!(frame(&mut c, &mut buf).offset, 13);
    }

    #[test]
    fn encoder() {
        let mut c = codec(Direction::ServerToClient, ServerKind::Notification);
        let chg = Command::Chg(Chg {
            trid: TrId(9),
            status: Status::Online.into(),
        });
        let mut dst = BytesMut::new();
        c.encode(&chg, &mut dst).expect("encodes");
        c.encode(chg.clone(), &mut dst).expect("encodes");
        assert_eq!(&dst[..], b"CHG 9 NLN\r\nCHG 9 NLN\r\n");
        // Payload commands carry their payload; the decoder reads back the same frame.
        let qry = client_ns()
            .decode(&mut BytesMut::from(QRY))
            .expect("ok")
            .expect("frame")
            .command;
        let mut dst = BytesMut::new();
        c.encode(&qry, &mut dst).expect("encodes");
        assert_eq!(&dst[..], QRY);
    }

    #[tokio::test]
    async fn framed_over_a_duplex() {
        let (mut client, server) = tokio::io::duplex(64);
        let task = tokio::spawn(async move {
            let mut framed = Framed::new(server, client_ns());
            let mut verbs = Vec::new();
            while let Some(frame) = framed.next().await {
                let frame = frame?;
                verbs.push(frame.command.verb().to_owned());
                if let Command::Chg(chg) = &frame.command {
                    framed.send(Command::Chg(chg.clone())).await?;
                }
            }
            Ok::<_, CodecError>(verbs)
        });
        // Frames split at arbitrary points across writes.
        let mut input = b"SYN 8 8\r\nCHG 9 NLN\r\n".to_vec();
        input.extend_from_slice(QRY);
        input.extend_from_slice(b"OUT\r\n");
        for chunk in input.chunks(7) {
            client.write_all(chunk).await.expect("write");
        }
        let mut echo = [0u8; 11];
        client.read_exact(&mut echo).await.expect("read");
        assert_eq!(&echo, b"CHG 9 NLN\r\n");
        drop(client);
        let verbs = task.await.expect("joins").expect("no codec error");
        assert_eq!(verbs, ["SYN", "CHG", "QRY", "OUT"]);
    }

    /// An endless line without LF ends the stream with `LineTooLong`, after a bounded buffer.
    #[tokio::test]
    async fn framed_stops_an_endless_line() {
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let writer = tokio::spawn(async move {
            let chunk = [b'A'; 1024];
            // Fails once the reader is gone.
            while client.write_all(&chunk).await.is_ok() {}
        });
        let mut framed = FramedRead::new(server, client_ns());
        match framed.next().await {
            Some(Err(CodecError::Decode(FrameError {
                line_offset: 0,
                error: DecodeError::LineTooLong { limit: 2048 },
            }))) => {}
            other => panic!("{other:?}"),
        }
        // The codec took the read buffer's bytes; the closed framer keeps none.
        assert!(framed.read_buffer().is_empty());
        assert!(framed.decoder().framer().is_closed());
        assert_eq!(framed.decoder().framer().buffered(), 0);
        assert!(
            framed.next().await.is_none(),
            "the stream ends after an error"
        );
        drop(framed);
        writer.await.expect("writer ends");
    }
}
