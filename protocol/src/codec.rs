//! A [`tokio_util::codec`] codec: plug [`Msnp6Codec`] into [`Framed`] (or `FramedRead` /
//! `FramedWrite`) to read frames from and write commands to an async connection. Enabled by the
//! `tokio` feature.
//!
//! * Decoding yields a [`Frame<'static>`](Frame): the command (detached from the read buffer),
//!   its lenient-mode warnings, its stream offset and its length. Framing is the
//!   [`Decoder`]'s: one line up to CR LF, then, for a payload command, exactly the declared
//!   number of bytes (reference §1.4).
//! * The hard limits are the decoder's [`Limits`]: as soon as the read buffer holds more than
//!   `max_line + 1` bytes without a line end, decoding fails with
//!   [`DecodeError::LineTooLong`] (so the buffer grows by at most one read past the limit), and
//!   a payload longer than its limit is [`DecodeError::PayloadTooLong`] as soon as its command
//!   line has arrived, before the payload is buffered. Once a line has arrived, room for its
//!   whole frame is reserved in the buffer.
//! * Encoding writes [`Command::encode`]: the line, CR LF, and the payload.
//!
//! # Errors close the connection
//! Any decode error — an invalid line, a misplaced verb, a line or payload over the limits — is
//! returned as [`CodecError::Decode`], and a server answers it by closing the connection
//! (reference §14: "an unknown command … disconnect"). `Framed` ends the stream after the first
//! error; the codec itself consumes nothing of the offending frame, so calling it again returns
//! the same error. A connection closed in the middle of a frame is [`CodecError::Io`] with
//! [`std::io::ErrorKind::UnexpectedEof`].
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
//! [`Framed`]: tokio_util::codec::Framed
//! [`Limits`]: crate::Limits

use bytes::{Buf, BytesMut};

use crate::commands::Command;
use crate::decode::Decoder;
use crate::error::{DecodeError, Warnings};
use crate::framer::Frame;

/// An error of [`Msnp6Codec`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The bytes are not a valid frame (or exceed the limits): close the connection.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Reading or writing failed, or the connection ended in the middle of a frame.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The MSNP6 codec for `tokio_util::codec::Framed`. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct Msnp6Codec {
    decoder: Decoder,
    /// Stream offset of the first byte of the read buffer.
    offset: u64,
    /// How many bytes at the start of the read buffer hold no LF (the scan resumes there).
    scanned: usize,
    /// Length of the frame at the start of the read buffer, once its line has arrived.
    pending: Option<usize>,
    /// Reused encoding buffer.
    scratch: Vec<u8>,
}

impl Msnp6Codec {
    /// A codec decoding with `decoder` (its direction, server kind, dialect, mode and limits).
    pub fn new(decoder: Decoder) -> Self {
        Msnp6Codec {
            decoder,
            offset: 0,
            scanned: 0,
            pending: None,
            scratch: Vec::new(),
        }
    }

    /// The decoder in use.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// Changes the decoder, e.g. to the dialect chosen by `VER`; takes effect at the next frame.
    pub fn set_decoder(&mut self, decoder: Decoder) {
        self.decoder = decoder;
        self.scanned = 0;
        self.pending = None;
    }

    /// The stream offset of the next frame: the number of bytes decoded so far. After an error,
    /// the offset of the offending line.
    pub fn stream_offset(&self) -> u64 {
        self.offset
    }

    /// The length of the frame at the start of `src` when its line has arrived but its payload
    /// has not.
    fn frame_len(&self, src: &[u8]) -> Option<usize> {
        let mut warnings = Warnings::NONE;
        let (len, term) = self.decoder.line_end(src, &mut warnings).ok()?;
        let payload = self.decoder.payload_length(&src[..len]).ok()??;
        Some(len + term + payload)
    }
}

impl tokio_util::codec::Decoder for Msnp6Codec {
    type Item = Frame<'static>;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame<'static>>, CodecError> {
        if let Some(total) = self.pending {
            if src.len() < total {
                src.reserve(total - src.len());
                return Ok(None);
            }
        } else {
            // Find the line end once, resuming where the last call stopped, so that a line
            // arriving byte by byte costs linear time. The window is the decoder's.
            let max_line = self.decoder.limits.max_line;
            let window = src.len().min(max_line.saturating_add(2));
            let from = self.scanned.min(window);
            if memchr::memchr(b'\n', &src[from..window]).is_none() {
                self.scanned = window;
                if src.len() > max_line.saturating_add(1) {
                    return Err(DecodeError::LineTooLong { limit: max_line }.into());
                }
                return Ok(None);
            }
        }
        let decoded = self
            .decoder
            .decode(src)
            .map(|d| (d.command.into_owned(), d.warnings, d.len));
        match decoded {
            Ok((command, warnings, len)) => {
                let frame = Frame {
                    command,
                    warnings,
                    offset: self.offset,
                    len,
                };
                src.advance(len);
                self.offset += len as u64;
                self.scanned = 0;
                self.pending = None;
                Ok(Some(frame))
            }
            Err(DecodeError::Incomplete) => {
                // The line is complete, so the payload is missing: remember the frame length
                // and make room for all of it (it is within the payload limit).
                self.pending = self.frame_len(src);
                if let Some(total) = self.pending {
                    src.reserve(total.saturating_sub(src.len()));
                }
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame<'static>>, CodecError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty() => Ok(None),
            None => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "connection closed in the middle of a frame ({} bytes buffered)",
                    src.len()
                ),
            )
            .into()),
        }
    }
}

impl<'c> tokio_util::codec::Encoder<&Command<'c>> for Msnp6Codec {
    type Error = CodecError;

    fn encode(&mut self, item: &Command<'c>, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.scratch.clear();
        item.encode(&mut self.scratch);
        dst.extend_from_slice(&self.scratch);
        Ok(())
    }
}

impl<'c> tokio_util::codec::Encoder<Command<'c>> for Msnp6Codec {
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
    use crate::error::{Expected, Warning};
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
    fn decode_error(r: Result<Option<Frame<'static>>, CodecError>) -> DecodeError {
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
        assert_eq!(c.stream_offset(), 30);
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
        assert_eq!(&buf[..], b"SYN");
        buf.extend_from_slice(b" 2 0\r\n");
        assert_eq!(frame(&mut c, &mut buf).offset, 83);
    }

    #[test]
    fn switchboard_messages_and_buffer_reservation() {
        let mut c = codec(Direction::ServerToClient, ServerKind::Switchboard);
        let body =
            b"MIME-Version: 1.0\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nacknowledged";
        let line = format!("MSG example@hotmail.com example%20user {}\r\n", body.len());
        let mut buf = BytesMut::from(line.as_bytes());
        buf.extend_from_slice(&body[..10]);
        assert!(c.decode(&mut buf).expect("ok").is_none());
        // Room for the whole frame is reserved once its line has arrived.
        assert!(buf.capacity() >= line.len() + body.len());
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
    fn invalid_line_is_an_error_and_stays_one() {
        let mut c = client_ns();
        let mut buf = BytesMut::from(&b"PNG\r\nCHG x NLN\r\nPNG\r\n"[..]);
        frame(&mut c, &mut buf);
        let e = decode_error(c.decode(&mut buf));
        assert_eq!(
            e,
            DecodeError::Invalid {
                offset: 4,
                expected: Expected::TrId
            }
        );
        assert_eq!(c.stream_offset(), 5);
        // Nothing of the offending frame is consumed: the same error again.
        assert_eq!(decode_error(c.decode(&mut buf)), e);
        assert_eq!(buf.len(), 16);
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
        assert!(matches!(c.decode_eof(&mut buf), Err(CodecError::Io(_))));
        let mut empty = BytesMut::new();
        assert!(client_ns().decode_eof(&mut empty).expect("ok").is_none());
    }

    /// `set_decoder` switches the dialect between frames (here: the MSNP5 `USR … OK` without the
    /// verified flag).
    #[test]
    fn dialect_change() {
        let mut c = codec(Direction::ServerToClient, ServerKind::Notification);
        let mut buf = BytesMut::from(&b"USR 7 OK example@hotmail.com example%20user\r\n"[..]);
        assert!(c.decode(&mut buf).is_err());
        c.set_decoder(c.decoder().with_dialect(crate::Dialect::Msnp5));
        assert_eq!(frame(&mut c, &mut buf).command.verb(), "USR");
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
            Some(Err(CodecError::Decode(DecodeError::LineTooLong { limit: 2048 }))) => {}
            other => panic!("{other:?}"),
        }
        // One read (tokio-util reads into an 8 KiB buffer) past the limit at most.
        let buffered = framed.read_buffer().len();
        assert!(buffered > 2049 && buffered <= 8 * 1024, "{buffered}");
        assert!(
            framed.next().await.is_none(),
            "the stream ends after an error"
        );
        drop(framed);
        writer.await.expect("writer ends");
    }
}
