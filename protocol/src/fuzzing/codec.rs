//! The oracle of the `codec_stream` target: the tokio codec ([`Msnp6Codec`]) against the
//! [`Framer`] it adapts.

use bytes::BytesMut;
use tokio_util::codec::{Decoder as _, Encoder as _};

use super::{Event, StreamInput, drain, frame_bound};
use crate::codec::{Close, CodecError, Msnp6Codec, SkipLine};
use crate::decode::{Decoder, Mode};
use crate::framer::{Frame, FrameError, Framer};

/// How a codec run ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// At the end of the input, nothing left of a frame.
    Eof,
    /// At the end of the input, in the middle of a frame (`UnexpectedEof`).
    Truncated,
    /// With this error (the stream ends there).
    Error(FrameError),
}

/// What one codec run gave: its events and how it ended.
struct Run {
    events: Vec<Event>,
    end: End,
}

fn event(frame: Frame<'static>) -> Event {
    Event::Frame {
        command: frame.command,
        warnings: frame.warnings,
        offset: frame.offset,
        len: frame.len,
    }
}

/// Feeds `input`'s stream to `codec` in its chunks, as `Framed` does: after each read, `decode`
/// until it has nothing; at the end, `decode_eof` until it has nothing. `item` turns an item
/// into an event; `held` tells how many bytes the codec keeps. Checks that the codec takes
/// every byte of the read buffer and keeps at most `bound` bytes.
fn feed<C>(
    codec: &mut C,
    input: &StreamInput<'_>,
    bound: usize,
    item: impl Fn(C::Item) -> Event,
    held: impl Fn(&C) -> usize,
) -> Run
where
    C: tokio_util::codec::Decoder<Error = CodecError>,
{
    let mut events = Vec::new();
    let mut buf = BytesMut::new();
    let ended = |e: CodecError, events| match e {
        CodecError::Decode(e) => Run {
            events,
            end: End::Error(e),
        },
        CodecError::Io(e) => {
            assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
            Run {
                events,
                end: End::Truncated,
            }
        }
    };
    let stream = input.stream;
    let mut pos = 0;
    for &size in input.chunks.iter().cycle() {
        if pos == stream.len() {
            break;
        }
        let end = (pos + size).min(stream.len());
        buf.extend_from_slice(&stream[pos..end]);
        pos = end;
        loop {
            match codec.decode(&mut buf) {
                Ok(Some(i)) => events.push(item(i)),
                Ok(None) => break,
                Err(e) => return ended(e, events),
            }
            check_progress(&events, stream);
        }
        assert!(buf.is_empty(), "the codec left bytes in the read buffer");
        let n = held(codec);
        assert!(n <= bound, "{n} bytes held without a frame");
    }
    loop {
        match codec.decode_eof(&mut buf) {
            Ok(Some(i)) => events.push(item(i)),
            Ok(None) => {
                return Run {
                    events,
                    end: End::Eof,
                };
            }
            Err(e) => return ended(e, events),
        }
        check_progress(&events, stream);
    }
}

/// Each frame, and each skipped line, takes at least one byte of the stream: a codec yielding
/// more items than that is stuck (it would loop for ever).
fn check_progress(events: &[Event], stream: &[u8]) {
    assert!(
        events.len() <= stream.len(),
        "{} items from {} bytes: the codec makes no progress",
        events.len(),
        stream.len()
    );
}

/// After a run that ended with `error`: the codec repeats it, whatever arrives, and keeps
/// nothing.
fn check_repeats<C>(codec: &mut C, error: &FrameError)
where
    C: tokio_util::codec::Decoder<Error = CodecError>,
    C::Item: std::fmt::Debug,
{
    let mut more = BytesMut::from(&b"PNG\r\n"[..]);
    match codec.decode(&mut more) {
        Err(CodecError::Decode(e)) => assert_eq!(&e, error, "a closed codec repeats its error"),
        other => panic!("a closed codec went on: {other:?}"),
    }
    assert!(
        more.is_empty(),
        "a closed codec leaves bytes in the read buffer"
    );
}

/// The frames of `events` encoded by the codec's `Encoder` and decoded again by a strict codec
/// of the same context and limits give the same commands.
fn check_encoder(d: &Decoder, events: &[Event]) {
    let strict = d.with_mode(Mode::Strict);
    let mut codec = Msnp6Codec::new(strict);
    let mut wire = BytesMut::new();
    let mut commands = Vec::new();
    for e in events {
        if let Event::Frame { command, .. } = e {
            codec
                .encode(command, &mut wire)
                .expect("encoding cannot fail");
            commands.push(command);
        }
    }
    let mut again = Vec::new();
    loop {
        match codec.decode_eof(&mut wire) {
            Ok(Some(f)) => again.push(f.command),
            Ok(None) => break,
            Err(e) => panic!("the codec's encoding does not decode: {e} ({d:?})"),
        }
    }
    assert_eq!(
        again.iter().collect::<Vec<_>>(),
        commands,
        "encoded and decoded again by the codec ({d:?})"
    );
}

/// **`codec_stream`** — the input of [`frame_stream`](super::frame_stream) (context, limits,
/// chunk sizes, stream), with bit 7 of the first byte choosing the codec's policy: 0
/// [`Close`], 1 [`SkipLine`]. The tokio codec is fed the stream in the chunks, as `Framed`
/// feeds it (`decode` after each read until it has nothing, `decode_eof` at the end):
///
/// * under `SkipLine` it yields exactly the framer's frames and errors (the framer fed the
///   whole stream at once), ending with the framer's fatal error if there is one;
/// * under `Close` it yields the framer's events up to its first error, ends with that error,
///   and repeats it afterwards, whatever arrives;
/// * at the end of the stream, it reports a truncated frame exactly when the framer holds
///   bytes of one;
/// * it takes every byte out of the read buffer, keeps at most one frame's worth
///   (`max_line + 2 + payload limit`), and yields no more items than the stream has bytes;
/// * what it decoded, encoded by its `Encoder` and decoded again strictly, gives the same
///   commands.
pub fn codec_stream(data: &[u8]) {
    let Some(input) = StreamInput::parse(data) else {
        return;
    };
    let skip = data[0] & 0x80 != 0;
    let d = input.decoder;
    let bound = frame_bound(&d.limits);

    let mut reference = Vec::new();
    let mut framer = Framer::new(d);
    framer.push(input.stream);
    let open = drain(&mut framer, &mut reference, bound);

    let run = if skip {
        let mut codec = Msnp6Codec::skipping(d);
        let run = feed(
            &mut codec,
            &input,
            bound,
            |i| i.map_or_else(Event::Error, event),
            |c: &Msnp6Codec<SkipLine>| c.framer().buffered(),
        );
        if let End::Error(e) = &run.end {
            assert!(e.is_fatal(), "SkipLine ended the stream at {e}");
            check_repeats(&mut codec, e);
        }
        run
    } else {
        let mut codec = Msnp6Codec::new(d);
        let run = feed(&mut codec, &input, bound, event, |c: &Msnp6Codec<Close>| {
            c.framer().buffered()
        });
        if let End::Error(e) = &run.end {
            check_repeats(&mut codec, e);
        }
        run
    };

    // What the codec should give: the framer's events, up to the first error under `Close`,
    // up to the fatal one under `SkipLine` (always the last).
    let last = match reference.iter().position(|e| matches!(e, Event::Error(_))) {
        Some(i) if !skip => Some(i),
        _ if !open => Some(reference.len() - 1),
        _ => None,
    };
    let (expected, end) = match last {
        Some(i) => match reference[i].clone() {
            Event::Error(e) => (&reference[..i], End::Error(e)),
            Event::Frame { .. } => unreachable!("the framer closed after a frame"),
        },
        None if framer.buffered() > 0 => (&reference[..], End::Truncated),
        None => (&reference[..], End::Eof),
    };
    assert_eq!(
        run.events,
        expected,
        "the codec ({}) and the framer differ ({d:?})",
        if skip { "SkipLine" } else { "Close" }
    );
    assert_eq!(
        run.end, end,
        "the codec and the framer end differently ({d:?})"
    );
    check_encoder(&d, &run.events);
}

/// The seeds of `codec_stream`: those of `frame_stream`, each under both policies.
pub fn seeds(frame_stream: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(2 * frame_stream.len());
    for seed in frame_stream {
        let mut skipping = seed.clone();
        if let Some(ctx) = skipping.first_mut() {
            *ctx |= 0x80;
        }
        out.push(seed);
        out.push(skipping);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_made_stream_seeds_pass_under_both_policies() {
        let all = seeds(super::super::extra_seeds("frame_stream"));
        assert!(all.len() >= 2);
        for s in &all {
            codec_stream(s);
        }
    }
}
