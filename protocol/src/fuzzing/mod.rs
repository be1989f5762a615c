//! Fuzzing oracles: one function per `cargo fuzz` target (`fuzz/fuzz_targets/<name>.rs`), each
//! taking the raw fuzz input and panicking when the property it checks breaks. The targets call
//! them, and so does the stable replay test (`protocol/tests/fuzz_regressions.rs`), which runs
//! every committed regression and corpus input through them with an ordinary `cargo test`.
//!
//! | target | oracle |
//! | --- | --- |
//! | `decode_line` | [`decode_line`]: every context × mode; no panic, bounded work, encode∘decode = id, canonical bytes |
//! | `frame_stream` | [`frame_stream`]: whole = split = a reference framer built on [`Decoder::decode`]; limits hold |
//! | `roundtrip_typed` | [`roundtrip_typed`]: an arbitrary valid [`Command`] encodes and decodes back, strict and lenient |
//! | `strict_vs_lenient` | [`strict_vs_lenient`]: strict ⊆ lenient with the same value and no warnings; warnings ⇒ strict rejects |
//! | `challenge` | [`challenge`]: key table and examples of reference §9; QRY response and login digest = an independent MD5 |
//! | `transcript` | [`transcript`]: reader and `transcript check` never panic; every protocol line accounted for |
//! | `monitor` | [`monitor`]: arbitrary frames on arbitrary connections never panic or hang the live monitor; a predicted run reordered across connections as the reference allows conforms |
//!
//! Only built with the `fuzzing` feature.

use std::cell::Cell;

use ::arbitrary::{Arbitrary, Unstructured};

use crate::auth::{self, KeyPair};
use crate::check::{CheckOptions, Outcome, check};
use crate::commands::{Command, Context};
use crate::decode::{Decoded, Decoder, Limits, Mode};
use crate::error::{DecodeError, Warnings};
use crate::framer::{FrameError, Framer};
use crate::transcript;
use crate::types::{Dialect, Direction, ServerKind};

mod arbitrary;
pub mod md5;
mod monitor;

pub use self::arbitrary::{Target, arbitrary_variant, valid_contexts, variants_in};
pub use self::monitor::{monitor, predicted_options, run_predicted};

/// The largest input an oracle looks at: longer inputs are cut (libFuzzer's default `-max_len`
/// is 4096; the cut keeps replayed inputs bounded too).
pub const MAX_INPUT: usize = 1 << 16;

/// Every decoding context: 2 directions × 3 server kinds × 7 dialects.
pub fn contexts() -> impl Iterator<Item = Context> {
    Direction::ALL.into_iter().flat_map(|direction| {
        ServerKind::ALL.into_iter().flat_map(move |server| {
            Dialect::ALL
                .into_iter()
                .map(move |dialect| Context::new(direction, server).with_dialect(dialect))
        })
    })
}

/// The decoder for a context and mode, with default limits.
pub fn decoder(context: Context, mode: Mode) -> Decoder {
    Decoder::new(context.direction, context.server)
        .with_dialect(context.dialect)
        .with_mode(mode)
}

fn cut(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

/// The most bytes one frame may take under `limits`: the longest line, CR LF, the largest
/// payload.
fn frame_bound(limits: &Limits) -> usize {
    limits.max_line
        + 2
        + [
            limits.max_sb_msg,
            limits.max_ns_msg,
            limits.max_qry,
            limits.max_sdc_pag,
            limits.max_notification,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
}

/// Splits an encoded frame into its command line (without CR LF) and the rest.
fn split_frame(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.windows(2).position(|w| w == b"\r\n") {
        Some(at) => (&bytes[..at], &bytes[at + 2..]),
        None => (bytes, &[]),
    }
}

/// **`decode_line`** — arbitrary bytes, decoded as one frame in every context (direction ×
/// server × dialect) and both modes.
///
/// * the one-pass decoding equals the decoding that finds the line end first;
/// * never panics, and the work is bounded: the result depends only on the first
///   `max_line + 2 + payload limit` bytes (a decoded frame is at most that long, and decoding the
///   consumed bytes alone, or the input with more bytes appended, gives the same result);
/// * every strictly shorter prefix of a decoded frame is `Incomplete`; an error other than
///   `Incomplete` stays the same when more bytes arrive; offsets lie inside the line;
/// * when decoding succeeds: encoding the value and decoding it again (strictly) gives the same
///   value and consumes the whole encoding; `Display` and `encode_line` are the line of the
///   encoding; `payload_length` and `decode_line` agree with `decode`;
/// * canonical: when no warning was raised (always in strict mode), re-encoding gives exactly the
///   consumed bytes.
pub fn decode_line(data: &[u8]) {
    let data = cut(data);
    for context in contexts() {
        for mode in [Mode::Strict, Mode::Lenient] {
            check_frame(&decoder(context, mode), data);
        }
    }
}

fn check_frame(d: &Decoder, data: &[u8]) {
    let result = d.decode(data);
    // The one-pass way (the line read up to its first CR) is an optimisation: a frame it reads
    // must be exactly what finding the line end first gives (`decode` is the one-pass frame or
    // else the bounded result, so compare the two ways, not `decode` with one of them).
    let bounded = d.decode_bounded(data);
    let frame_len = Cell::new(None);
    if let Ok(one_pass) = d.decode_one_pass(data, Some(&frame_len)) {
        assert_eq!(
            Ok(one_pass),
            bounded,
            "one-pass and bounded decoding differ ({d:?})"
        );
    }
    // The frame length the one-pass way tells the framer when the payload has not all arrived
    // is what the bounded way finds: the line end, then the line's declared payload length.
    if let Some(total) = frame_len.get() {
        assert_eq!(
            bounded,
            Err(DecodeError::Incomplete),
            "frame length told ({d:?})"
        );
        assert!(
            total > data.len(),
            "frame length {total} told for a whole frame ({d:?})"
        );
        let mut w = Warnings::NONE;
        let (len, term) = d.line_end(data, &mut w).expect("the line ended");
        let payload = d.payload_length(&data[..len]).expect("a valid line");
        assert_eq!(
            Some(total),
            payload.map(|p| len + term + p),
            "frame length ({d:?})"
        );
    }
    assert_eq!(result, bounded, "decode is not the bounded result ({d:?})");
    // Appending bytes never changes a result that is not `Incomplete`.
    if !matches!(result, Err(DecodeError::Incomplete)) {
        let mut longer = data.to_vec();
        longer.extend_from_slice(b"\r\nPNG\r\n\n\0 ");
        assert_eq!(
            d.decode(&longer),
            result,
            "appending bytes changed the result ({d:?})"
        );
    }
    check_line_api(d, data, &result);
    match result {
        Ok(frame) => check_decoded(d, data, &frame),
        // `is_incomplete` is what callers branch on: it must name exactly the `Incomplete`
        // variant, so the oracle branches on it and checks it against the variant.
        Err(e) if e.is_incomplete() => {
            assert_eq!(e, DecodeError::Incomplete, "is_incomplete() of {e:?}");
            check_incomplete(d, data);
        }
        Err(e) => {
            assert_ne!(e, DecodeError::Incomplete, "is_incomplete() of Incomplete");
            assert!(!e.to_string().is_empty());
            if let Some(offset) = e.offset() {
                assert!(
                    offset <= data.len().min(d.limits.max_line),
                    "error offset {offset} outside the line: {e:?} ({d:?})"
                );
            }
        }
    }
}

/// `decode_line` on the first line of the input (without its line end) agrees with `decode`.
fn check_line_api(d: &Decoder, data: &[u8], result: &Result<Decoded<'_>, DecodeError>) {
    let Some(lf) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let crlf = lf > 0 && data[lf - 1] == b'\r';
    let line = if crlf { &data[..lf - 1] } else { &data[..lf] };
    let by_line = d.decode_line(line);
    match (result, &by_line) {
        (Ok(frame), Ok(l)) => {
            let mut command = frame.command.clone();
            command.set_payload(crate::Payload::default());
            assert_eq!(l.command, command, "decode_line and decode differ ({d:?})");
            assert_eq!(l.consumed, line.len());
        }
        // Where `decode` saw a complete line, `decode_line` fails on it the same way (a bare
        // LF in strict mode and a payload over the limit are the line end's and the payload's
        // business, which `decode_line` does not see).
        (Err(e @ (DecodeError::Invalid { .. } | DecodeError::Misplaced { .. })), _)
            if crlf || d.mode == Mode::Lenient =>
        {
            assert_eq!(by_line.as_ref().err(), Some(e), "decode_line ({d:?})");
        }
        (Ok(_), Err(e)) => panic!("decode accepts, decode_line rejects the line: {e} ({d:?})"),
        _ => {}
    }
}

fn check_decoded(d: &Decoder, data: &[u8], frame: &Decoded<'_>) {
    let consumed = frame.consumed;
    let command = &frame.command;
    assert!(
        consumed > 0 && consumed <= data.len(),
        "consumed {consumed}"
    );
    assert!(
        consumed <= frame_bound(&d.limits),
        "a frame of {consumed} bytes is over the limits ({d:?})"
    );
    if d.mode == Mode::Strict {
        assert!(frame.warnings.is_empty(), "warnings in strict mode");
    }
    // Bounded work: the consumed bytes alone give the same frame; every shorter prefix is
    // incomplete (checked at both ends of the range and at the line end).
    let again = d.decode(&data[..consumed]);
    assert_eq!(
        again.as_ref(),
        Ok(frame),
        "decoding the consumed bytes alone"
    );
    for k in [consumed - 1, 0] {
        assert_eq!(
            d.decode(&data[..k]),
            Err(DecodeError::Incomplete),
            "a {k}-byte prefix of a {consumed}-byte frame ({d:?})"
        );
    }
    if let Some(p) = command.payload() {
        assert!(
            p.len() <= d.limits.payload_limit(command, d.context.server),
            "payload over its limit"
        );
        let line_end = consumed - p.len();
        if line_end > 0 {
            assert_eq!(
                d.decode(&data[..line_end]).err(),
                if p.is_empty() {
                    None
                } else {
                    Some(DecodeError::Incomplete)
                },
                "the line without its payload"
            );
        }
    }

    // encode → decode gives the same value.
    let bytes = command.to_bytes();
    let strict = d.with_mode(Mode::Strict);
    let re = strict.decode(&bytes).unwrap_or_else(|e| {
        panic!(
            "the encoding {:?} of {command:?} does not decode: {e} ({d:?})",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(&re.command, command, "encode then decode changed the value");
    assert_eq!(re.consumed, bytes.len(), "decoding the encoding left bytes");
    assert_eq!(re.warnings, Warnings::NONE);

    // Canonical: without deviations, the encoding is the input, byte for byte.
    if frame.warnings.is_empty() {
        assert_eq!(
            bytes.as_slice(),
            &data[..consumed],
            "re-encoding differs from the consumed bytes ({d:?})"
        );
    }

    // The line-level APIs, each against the input: `encode`, `encode_line` and `Display` share
    // the encoder's `write_line`, so comparing them with one another could not fail.
    let lf = data[..consumed]
        .iter()
        .position(|&b| b == b'\n')
        .expect("a decoded frame has a line end");
    let mut line = Vec::new();
    command.encode_line(&mut line);
    if frame.warnings.is_empty() {
        let input_line = &data[..lf - 1];
        assert_eq!(line.as_slice(), input_line, "encode_line is the input line");
        if let Ok(text) = core::str::from_utf8(input_line) {
            assert_eq!(command.to_string(), text, "Display is the input line");
        }
    }
    assert_eq!(
        split_frame(&bytes).1,
        command.payload().map_or(&[][..], |p| p.as_bytes()),
        "the encoding is line, CR LF, payload"
    );
    assert_eq!(
        strict.payload_length(&line),
        Ok(command.payload().map(|p| p.len())),
        "payload_length of the line"
    );
    let by_line = strict
        .decode_line(&line)
        .unwrap_or_else(|e| panic!("decode_line of {line:?}: {e}"));
    let mut without_payload = command.clone();
    if let Some(p) = command.payload() {
        without_payload.set_payload(crate::Payload::default());
        check_payload(&data[..consumed], lf, p);
    }
    assert_eq!(by_line.command, without_payload, "decode_line");
    // The accessors never panic and agree with the value.
    let _ = command.verb();
    let _ = command.trid();
    assert_eq!(&command.clone().into_owned(), command);
}

/// A decoded payload is the input after the line end (`frame[lf]` is its LF), as many bytes as
/// the line's last parameter declares (reference §1.1: the length is the last parameter).
fn check_payload(frame: &[u8], lf: usize, p: &crate::Payload<'_>) {
    let declared = frame[..lf]
        .split(|b| b.is_ascii_whitespace())
        .rfind(|t| !t.is_empty())
        .and_then(|t| core::str::from_utf8(t).ok()?.parse::<usize>().ok());
    assert_eq!(
        declared,
        Some(p.len()),
        "the payload length is the declared one"
    );
    assert_eq!(
        p.as_bytes(),
        &frame[lf + 1..],
        "the payload is the input after the line"
    );
}

fn check_incomplete(d: &Decoder, data: &[u8]) {
    // Incomplete: either no line end within the limit yet, or a complete valid payload line
    // whose payload has not all arrived.
    let window = &data[..data.len().min(d.limits.max_line + 2)];
    let Some(lf) = window.iter().position(|&b| b == b'\n') else {
        assert!(
            data.len() <= d.limits.max_line + 1,
            "Incomplete for {} bytes without a line end",
            data.len()
        );
        return;
    };
    let line = if lf > 0 && data[lf - 1] == b'\r' {
        &data[..lf - 1]
    } else {
        &data[..lf]
    };
    match d.payload_length(line) {
        Ok(Some(n)) => assert!(
            data.len() < lf + 1 + n,
            "Incomplete although the payload has arrived"
        ),
        other => {
            panic!("Incomplete after a complete line that is not a payload command: {other:?}")
        }
    }
}

/// One event of a framer run: a frame (detached) or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Frame {
        command: Command<'static>,
        warnings: Warnings,
        offset: u64,
        len: usize,
    },
    Error(FrameError),
}

/// The parsed input of [`frame_stream`].
#[derive(Debug)]
struct StreamInput<'a> {
    decoder: Decoder,
    chunks: Vec<usize>,
    stream: &'a [u8],
}

impl<'a> StreamInput<'a> {
    /// Byte 0: context and mode (bit 0 direction, bits 1–2 server, bit 3 lenient, bits 4–6
    /// dialect). Byte 1: 0 for the default limits, else the line limit, with byte 2 the limit of
    /// every payload. Byte 3: how many chunk sizes follow (0–15); then the sizes (each 0–255,
    /// used in a cycle; all 0 means 1). The rest is the stream.
    fn parse(data: &'a [u8]) -> Option<Self> {
        let (&[ctx, lim, pay, n], rest) = data.split_first_chunk::<4>()?;
        let direction = Direction::ALL[usize::from(ctx & 1)];
        let server = ServerKind::ALL[usize::from((ctx >> 1) & 3).min(2)];
        let mode = if ctx & 8 == 0 {
            Mode::Strict
        } else {
            Mode::Lenient
        };
        let dialect = Dialect::ALL
            .get(usize::from(ctx >> 4 & 7))
            .copied()
            .unwrap_or_default();
        let mut decoder = decoder(Context::new(direction, server).with_dialect(dialect), mode);
        if lim != 0 {
            let p = usize::from(pay);
            decoder = decoder.with_limits(Limits {
                max_line: usize::from(lim),
                max_sb_msg: p,
                max_ns_msg: p,
                max_qry: p,
                max_sdc_pag: p,
                max_notification: p,
            });
        }
        let n = usize::from(n & 15).min(rest.len());
        let (sizes, stream) = rest.split_at(n);
        let mut chunks: Vec<usize> = sizes.iter().map(|&s| usize::from(s)).collect();
        if chunks.iter().all(|&s| s == 0) {
            chunks.push(1);
        }
        Some(StreamInput {
            decoder,
            chunks,
            stream: cut(stream),
        })
    }
}

/// Drains the framer; returns false once it is closed.
fn drain(f: &mut Framer, events: &mut Vec<Event>, bound: usize) -> bool {
    loop {
        match f.next_frame() {
            Ok(Some(frame)) => {
                assert!(frame.len <= bound, "a frame of {} bytes", frame.len);
                events.push(Event::Frame {
                    command: frame.command.into_owned(),
                    warnings: frame.warnings,
                    offset: frame.offset,
                    len: frame.len,
                });
            }
            Ok(None) => {
                // Memory stays bounded: what is kept is at most one frame.
                assert!(
                    f.buffered() <= bound,
                    "{} bytes buffered without a frame",
                    f.buffered()
                );
                return true;
            }
            Err(e) => {
                let fatal = e.is_fatal();
                events.push(Event::Error(e.clone()));
                if fatal {
                    assert!(f.is_closed());
                    assert_eq!(
                        f.next_frame().err(),
                        Some(e.clone()),
                        "a closed framer repeats"
                    );
                    f.push(b"PNG\r\n");
                    assert_eq!(f.buffered(), 0, "a closed framer keeps no bytes");
                    assert_eq!(
                        f.next_frame().err(),
                        Some(e),
                        "a closed framer stays closed"
                    );
                    return false;
                }
                assert!(!f.is_closed());
            }
        }
    }
}

/// The reference framer: `Decoder::decode` at each position; after a non-fatal error, skip past
/// the line end; stop at `Incomplete` or a fatal error.
fn reference_events(d: &Decoder, data: &[u8]) -> Vec<Event> {
    let mut events = Vec::new();
    let mut pos = 0;
    while pos <= data.len() {
        match d.decode(&data[pos..]) {
            Ok(frame) => {
                events.push(Event::Frame {
                    command: frame.command.into_owned(),
                    warnings: frame.warnings,
                    offset: pos as u64,
                    len: frame.consumed,
                });
                pos += frame.consumed;
            }
            Err(DecodeError::Incomplete) => break,
            Err(error) => {
                let e = FrameError {
                    line_offset: pos as u64,
                    error,
                };
                let fatal = e.is_fatal();
                events.push(Event::Error(e));
                if fatal {
                    break;
                }
                match data[pos..].iter().position(|&b| b == b'\n') {
                    Some(lf) => pos += lf + 1,
                    None => panic!("a non-fatal error without a line end at {pos}"),
                }
            }
        }
    }
    events
}

/// **`frame_stream`** — arbitrary bytes plus arbitrary chunk boundaries (see the layout in the
/// source: a context byte, optional small limits, chunk sizes, then the stream).
///
/// * the framer emits the same frames and the same errors at the same stream offsets whether the
///   stream arrives whole or in the given chunks, and the same as a reference framer that calls
///   [`Decoder::decode`] at each position (skipping past the line end after a non-fatal error,
///   stopping at a fatal one);
/// * no frame exceeds the configured limits (`max_line + 2 + payload limit`), and after each
///   drained chunk at most that many bytes stay buffered (memory bounded);
/// * a closed framer repeats its error; frames tile the stream in order.
///
/// Work stays linear: the framer remembers how far it scanned; a quadratic regression shows up
/// as a libFuzzer timeout or slow unit on the one-byte-chunk inputs of the corpus.
pub fn frame_stream(data: &[u8]) {
    let Some(input) = StreamInput::parse(data) else {
        return;
    };
    let d = input.decoder;
    let bound = frame_bound(&d.limits);

    let mut whole = Vec::new();
    let mut f = Framer::new(d);
    f.push(input.stream);
    drain(&mut f, &mut whole, bound);

    let mut split = Vec::new();
    let mut f = Framer::new(d);
    let mut pos = 0;
    let mut open = drain(&mut f, &mut split, bound);
    'feed: while open && pos < input.stream.len() {
        for &size in &input.chunks {
            let end = (pos + size).min(input.stream.len());
            f.push(&input.stream[pos..end]);
            pos = end;
            open = drain(&mut f, &mut split, bound);
            if !open || pos == input.stream.len() {
                break 'feed;
            }
        }
    }
    assert_eq!(
        whole, split,
        "whole and split input framed differently ({d:?})"
    );

    let reference = reference_events(&d, input.stream);
    assert_eq!(
        whole, reference,
        "the framer differs from Decoder::decode ({d:?})"
    );

    // Frames tile the stream: each starts where the previous frame or skipped line ended.
    let mut last_end = 0u64;
    for e in &whole {
        if let Event::Frame {
            command,
            offset,
            len,
            ..
        } = e
        {
            assert!(*offset >= last_end, "frames overlap");
            assert!(*len <= bound);
            assert!(
                *len <= d.limits.max_line + 2 + d.limits.payload_limit(command, d.context.server)
            );
            last_end = offset + *len as u64;
        }
    }
}

/// **`roundtrip_typed`** — structure-aware: an arbitrary valid [`Command`] (see
/// [`Command::arbitrary`](::arbitrary::Arbitrary)) is valid in at least one context, and in every
/// context where it is valid ([`valid_contexts`]) its encoding decodes, strictly and leniently,
/// to an equal value with no warning, consuming every byte; the encoding fits the line limit.
pub fn roundtrip_typed(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(command) = Command::arbitrary(&mut u) else {
        return;
    };
    let contexts = valid_contexts(&command);
    assert!(
        !contexts.is_empty(),
        "the generator made a value that is valid nowhere: {command:?}"
    );
    if let Command::Unknown(un) = &command {
        assert!(!crate::commands::is_known_verb(un.verb.as_bytes()));
    }
    let bytes = command.to_bytes();
    let (line, _) = split_frame(&bytes);
    assert!(
        line.len() <= Limits::default().max_line,
        "line over the limit"
    );
    for context in contexts {
        for mode in [Mode::Strict, Mode::Lenient] {
            let d = decoder(context, mode);
            let frame = d.decode(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{command:?} encodes as {:?}, which does not decode in {context:?} {mode:?}: {e}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            assert_eq!(frame.command, command, "{context:?} {mode:?}");
            assert_eq!(frame.consumed, bytes.len());
            assert!(frame.warnings.is_empty(), "warnings {:?}", frame.warnings);
        }
    }
}

/// **`strict_vs_lenient`** — differential, in every context:
///
/// * whatever strict mode accepts, lenient mode accepts with the same value, the same length and
///   no warnings;
/// * whatever lenient mode accepts with warnings, strict mode rejects; lenient mode without
///   warnings is strict mode;
/// * what lenient mode accepts is sound: its canonical encoding decodes strictly to the same
///   value.
pub fn strict_vs_lenient(data: &[u8]) {
    let data = cut(data);
    for context in contexts() {
        let strict = decoder(context, Mode::Strict).decode(data);
        let lenient = decoder(context, Mode::Lenient).decode(data);
        match (&strict, &lenient) {
            (Ok(s), Ok(l)) => {
                assert_eq!(s, l, "strict and lenient differ ({context:?})");
            }
            (Ok(s), Err(e)) => {
                panic!("strict accepts {s:?}, lenient rejects: {e} ({context:?})")
            }
            (Err(_), Ok(l)) => {
                assert!(
                    !l.warnings.is_empty(),
                    "lenient accepts without a warning what strict rejects: {strict:?} ({context:?})"
                );
                let bytes = l.command.to_bytes();
                let canonical = decoder(context, Mode::Strict).decode(&bytes);
                assert_eq!(
                    canonical.map(|c| c.command),
                    Ok(l.command.clone()),
                    "the lenient value does not survive its canonical encoding ({context:?})"
                );
            }
            (Err(_), Err(_)) => {}
        }
    }
}

/// Splits the input of [`challenge`] into challenge, key, salt and password.
fn challenge_parts(data: &[u8]) -> Option<[&[u8]; 4]> {
    let mut u = Unstructured::new(data);
    let challenge = <&[u8]>::arbitrary(&mut u).ok()?;
    let key = <&[u8]>::arbitrary(&mut u).ok()?;
    let salt = <&[u8]>::arbitrary(&mut u).ok()?;
    let password = u.take_rest();
    Some([challenge, key, salt, password])
}

/// Whether `b` is a token by the rule of reference §1.1 — restated here, independently of
/// `types` and `auth` — that fits a 2048-byte line after `prefix`: 1 or more bytes, none SP TAB
/// CR LF NUL.
fn is_token_after(prefix: &str, b: &[u8]) -> bool {
    !b.is_empty()
        && prefix.len() + b.len() <= 2048
        && !b
            .iter()
            .any(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0))
}

/// The characters of a private key (reference §9).
const KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789{}!@*%_?$#";

/// The documented key pairs of the MSNP6–MSNP10 challenge rule (reference §9), written here from
/// the reference and not taken from [`KeyPair::ALL`], which the oracle checks against it.
const KEY_PAIRS: [(&str, Option<&str>); 7] = [
    ("msmsgs@msnmsgr.com", Some("Q1P7W2E4J9R8U3S5")),
    ("PROD0038W!61ZTF9", Some("VT6PX?UQTM4WM%YR")),
    ("PROD0058#7IL2{QD", Some("QHDCY@7R1TB6W?5B")),
    ("PROD0061VRRZH@4F", Some("JXQ6J@TUOGYV@N0M")),
    ("PROD00504RLUG%WL", Some("I2EBK%PYNLZL5_J4")),
    ("PROD0076ENE8*@AW", Some("CEQJ8}OE0!WTSWII")),
    ("PROD00517IFH4@RV", None),
];

/// The verified examples of reference §9: a challenge and its response with the
/// `msmsgs@msnmsgr.com` pair.
const QRY_KNOWN_ANSWERS: [(&[u8], &[u8; 32]); 2] = [
    (b"12345678901234567890", b"8ba1bb9d6dbf624fee31a2053af5fdd0"),
    (b"11111111111111111111", b"3b6666b60157322b6fc6e41a115968f5"),
];

/// The crate's QRY response, both ways (allocation-free and `String`), checked to agree.
fn crate_qry_response(challenge: auth::Challenge<'_>, key: auth::PrivateKey<'_>) -> [u8; 32] {
    let mut out = [0u8; 32];
    auth::qry_response(challenge, key, &mut out);
    let s = auth::qry_response_string(challenge, key);
    assert_eq!(s.as_bytes(), &out, "qry_response_string");
    out
}

/// The crate's login digest, both ways, checked to agree.
fn crate_login_digest(salt: auth::Salt<'_>, password: auth::Password<'_>) -> [u8; 32] {
    let mut out = [0u8; 32];
    auth::login_digest(salt, password, &mut out);
    let s = auth::login_digest_string(salt, password);
    assert_eq!(s.as_bytes(), &out, "login_digest_string");
    out
}

/// Whether `b` is 32 lower-case hexadecimal digits (the digest shape of reference §8, §9),
/// checked here without the crate's `is_digest_shape`.
fn lower_hex_32(b: &[u8]) -> bool {
    b.len() == 32 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// **`challenge`** — the protocol rules of reference §8 and §9, checked independently of `auth`:
///
/// * the constructors of [`auth::Challenge`], [`auth::Salt`] and [`auth::PrivateKey`] accept
///   exactly what the reference allows (a token that fits its command line, `CHL TrID challenge`
///   or `USR TrID MD5 S salt`, §1.1 / §3.4 CHL / §14; 16 characters from `[A-Z0-9{}!@*%_?$#]`,
///   §9);
/// * the crate's key table is the reference's (every public key finds its documented private
///   key, and the table has no other pair); the verified examples of §9 give their documented
///   responses, through the crate and through `reference`;
/// * on arbitrary challenge, key, salt and password bytes: the QRY response with the private key
///   of every documented pair (looked up by its public key) and with an arbitrary key (its bytes
///   mapped onto the key characters) is the lower-case hex of `reference`'s MD5 of challenge then
///   private key (§9); the login digest is that of salt then password (§8); both `String` forms
///   agree.
///
/// `reference` is an MD5 other than the crate's (the target passes the `md5` crate and
/// [`md5::md5`], the replay test [`md5::md5`], itself checked on RFC 1321's suite).
pub fn challenge(data: &[u8], reference: &dyn Fn(&[&[u8]]) -> [u8; 16]) {
    let Some([challenge, key, salt, password]) = challenge_parts(cut(data)) else {
        return;
    };
    check_key_table();
    check_known_answers(reference);
    let rule = |a: &[u8], b: &[u8]| md5::hex32(&reference(&[a, b]));

    let is_key = key.len() == 16 && key.iter().all(|b| KEY_CHARS.contains(b));
    assert_eq!(
        auth::PrivateKey::new(key).is_ok(),
        is_key,
        "private key {key:?}"
    );
    let mapped: Vec<u8> = key
        .iter()
        .map(|&b| KEY_CHARS[usize::from(b) % KEY_CHARS.len()])
        .chain(core::iter::repeat(b'A'))
        .take(16)
        .collect();
    let Ok(mapped) = auth::PrivateKey::new(&mapped) else {
        panic!("a key of the documented shape is refused: {mapped:?}");
    };

    let made = auth::Challenge::new(challenge);
    let fits = is_token_after("CHL 4294967295 ", challenge);
    assert_eq!(made.is_ok(), fits, "challenge {challenge:?}");
    if let Ok(ch) = made {
        for (public, private) in KEY_PAIRS {
            let Some(private) = private else { continue };
            let pair = KeyPair::by_public_key(public.as_bytes()).expect("a documented public key");
            let crate_private = pair.private_key.expect("a documented private key");
            let out = crate_qry_response(ch, crate_private);
            assert_eq!(
                out,
                rule(challenge, private.as_bytes()),
                "QRY with {public}"
            );
        }
        let out = crate_qry_response(ch, mapped);
        assert!(lower_hex_32(&out), "QRY response shape");
        assert_eq!(out, rule(challenge, mapped.as_bytes()), "QRY response");
    }

    let made = auth::Salt::new(salt);
    let fits = is_token_after("USR 4294967295 MD5 S ", salt);
    assert_eq!(made.is_ok(), fits, "salt {salt:?}");
    if let Ok(s) = made {
        let out = crate_login_digest(s, auth::Password::new(password));
        assert!(lower_hex_32(&out), "login digest shape");
        assert_eq!(out, rule(salt, password), "login digest");
    }
}

/// The verified examples of reference §9 give their documented responses, through the crate and
/// through `reference`.
fn check_known_answers(reference: &dyn Fn(&[&[u8]]) -> [u8; 16]) {
    let msmsgs = KEY_PAIRS[0].1.unwrap_or_default().as_bytes();
    let key = auth::PrivateKey::new(msmsgs).expect("the msmsgs key has the documented shape");
    for (chl, want) in QRY_KNOWN_ANSWERS {
        let ch = auth::Challenge::new(chl).expect("a documented challenge");
        assert_eq!(&crate_qry_response(ch, key), want, "reference §9 example");
        assert_eq!(
            &md5::hex32(&reference(&[chl, msmsgs])),
            want,
            "reference MD5"
        );
    }
}

/// The crate's key table ([`KeyPair::ALL`], [`KeyPair::by_public_key`]) is [`KEY_PAIRS`].
fn check_key_table() {
    for (public, private) in KEY_PAIRS {
        let pair = KeyPair::by_public_key(public.as_bytes());
        assert_eq!(
            pair.map(|p| p.private_key.map(|k| k.as_bytes())),
            Some(private.map(str::as_bytes)),
            "key pair {public}"
        );
    }
    assert_eq!(KeyPair::ALL.len(), KEY_PAIRS.len(), "documented key pairs");
}

/// The file lines of a transcript, as transcript-format.md splits them.
fn file_lines(input: &[u8]) -> Vec<&[u8]> {
    if input.is_empty() {
        return Vec::new();
    }
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    body.split(|&b| b == b'\n').collect()
}

/// The direction and command text of a protocol line (`C: `, `S: `, `C@NAME: `, `S@NAME: `).
fn protocol_prefix(line: &[u8]) -> Option<(Direction, &[u8])> {
    let direction = match line.first()? {
        b'C' => Direction::ClientToServer,
        b'S' => Direction::ServerToClient,
        _ => return None,
    };
    let rest = &line[1..];
    if let Some(text) = rest.strip_prefix(b": ") {
        return Some((direction, text));
    }
    let rest = rest.strip_prefix(b"@")?;
    let name_len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    if name_len == 0 {
        return None;
    }
    rest[name_len..].strip_prefix(b": ").map(|t| (direction, t))
}

/// **`transcript`** — arbitrary text through the transcript reader and the `transcript check`
/// logic ([`check`]), strict and lenient, in two dialects:
///
/// * nothing panics;
/// * every protocol line is accounted for: the reader's protocol lines are exactly the file lines
///   with a protocol prefix (same line numbers, directions and text), payload lines are the file
///   lines that follow, in order, and no file line is both; problems name existing lines;
/// * the checker reports each protocol line once, in order, with its line number and direction;
///   `ok` only with a server and a command, whose line decodes strictly there; `lenient` only
///   under `--lenient`; a server only from the kinds the file gives the line.
pub fn transcript(data: &[u8]) {
    let data = cut(data);
    let t = transcript::parse(data);
    let lines = file_lines(data);

    let expected: Vec<(usize, Direction, &[u8])> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| protocol_prefix(l).map(|(d, text)| (i + 1, d, text)))
        .collect();
    assert_eq!(
        t.lines.len(),
        expected.len(),
        "protocol lines: the reader found {}, the file has {}",
        t.lines.len(),
        expected.len()
    );
    let mut claimed = vec![false; lines.len() + 1];
    for (pl, &(n, direction, text)) in t.lines.iter().zip(&expected) {
        assert_eq!((pl.line, pl.direction), (n, direction));
        assert_eq!(pl.text.as_slice(), text, "line {n}: text");
        assert!(!claimed[n], "line {n} counted twice");
        claimed[n] = true;
        for (k, payload) in pl.payload_lines.iter().enumerate() {
            assert_eq!(
                payload.line,
                n + 1 + k,
                "payload lines follow their command"
            );
            assert!(
                !claimed[payload.line],
                "line {} counted twice",
                payload.line
            );
            claimed[payload.line] = true;
            assert_eq!(payload.bytes.as_slice(), lines[payload.line - 1]);
            assert!(protocol_prefix(lines[payload.line - 1]).is_none());
        }
    }
    assert!(t.problems.iter().all(|p| p.line <= lines.len()));
    // What `transcript check` prints never panics, and the lookups find what was declared.
    for p in &t.problems {
        assert!(!p.to_string().is_empty());
    }
    for c in &t.connections {
        assert_eq!(t.connection(&c.name).map(|d| d.line), Some(c.line));
    }
    for e in &t.header.expect {
        assert_eq!(t.expectation(e.line).map(|x| x.line), Some(e.line));
        assert!(!e.result.to_string().is_empty());
    }
    assert!(t.problems.windows(2).all(|w| w[0].line <= w[1].line));

    let second = Dialect::ALL[data.len() % Dialect::ALL.len()];
    for dialect in [Dialect::Msnp6, second] {
        for lenient in [false, true] {
            let options = CheckOptions { lenient, dialect };
            let report = check(&t, &options);
            assert_eq!(report.len(), t.lines.len(), "one report per protocol line");
            for (r, pl) in report.iter().zip(&t.lines) {
                assert_eq!((r.line, r.direction), (pl.line, pl.direction));
                let kinds = t.server_kinds(pl);
                if let Some(server) = r.server {
                    assert!(kinds.contains(&server), "line {}: server {server}", r.line);
                }
                assert_eq!(r.payload_len.is_some(), r.payload_join.is_some());
                // The outcome's word is the one transcript-format.md and `# expect:` use.
                let word = match r.outcome {
                    Outcome::Ok => "ok",
                    Outcome::Lenient => "lenient",
                    Outcome::Error(_) => "error",
                };
                assert_eq!(r.outcome.as_str(), word, "line {}", r.line);
                // The join named is one that gives the declared length (transcript-format.md:
                // "the declared length in the command line is the authority").
                if let (Some(join), Some(len)) = (r.payload_join, r.payload_len) {
                    assert_eq!(join.joined_len(&pl.payload_lines), len, "line {}", r.line);
                }
                // Warnings are lenient mode's: a line with warnings is never `ok` or an error.
                if !r.warnings.is_empty() {
                    assert_eq!(r.outcome, Outcome::Lenient, "line {}: warnings", r.line);
                }
                match &r.outcome {
                    Outcome::Ok => {
                        let server = r.server.expect("an ok line has a server");
                        assert!(r.command.is_some() && r.warnings.is_empty());
                        let d = decoder(
                            Context::new(pl.direction, server).with_dialect(dialect),
                            Mode::Strict,
                        );
                        assert!(d.decode_line(&pl.text).is_ok(), "line {}", r.line);
                    }
                    Outcome::Lenient => {
                        assert!(lenient, "lenient outcome without --lenient");
                        assert!(r.server.is_some() && r.command.is_some());
                    }
                    Outcome::Error(message) => assert!(!message.is_empty()),
                }
                if kinds.is_empty() {
                    assert!(matches!(r.outcome, Outcome::Error(_)));
                }
            }
        }
    }
}

/// Seed inputs for a target, made from the bytes of transcript files (used by `fuzz/seeds.sh`):
/// each protocol line as a wire frame (line, CR LF, rebuilt payload) for `decode_line` and
/// `strict_vs_lenient` (plus its bare-LF form); each file's frames of one direction, as one
/// stream in the file's first server context, for `frame_stream` (whole and in 1- and 7-byte
/// chunks); the files themselves for `transcript`; for `monitor`, each file's first 2 KiB after
/// the byte `0` (arbitrary frames) and after `1` (a predicted run). Other targets get no
/// transcript seeds.
pub fn seeds(target: &str, files: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for file in files {
        if target == "monitor" {
            let head = file.get(..2048).unwrap_or(file);
            for half in [0u8, 1] {
                out.push([&[half][..], head].concat());
            }
            continue;
        }
        let t = transcript::parse(file);
        let mut streams: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        let mut server = [None, None];
        for pl in &t.lines {
            let mut frame = pl.text.clone();
            frame.extend_from_slice(b"\r\n");
            let kinds = t.server_kinds(pl);
            let declared = kinds.iter().find_map(|&k| {
                decoder(Context::new(pl.direction, k), Mode::Lenient)
                    .payload_length(&pl.text)
                    .ok()
                    .flatten()
            });
            if let Some(n) = declared {
                if let Ok((payload, _)) = pl.rebuild_payload(n) {
                    frame.extend_from_slice(&payload);
                }
            }
            match target {
                "decode_line" | "strict_vs_lenient" => {
                    out.push(frame.clone());
                    if declared.is_none() {
                        let mut bare = pl.text.clone();
                        bare.push(b'\n');
                        out.push(bare);
                    }
                }
                _ => {}
            }
            let i = usize::from(pl.direction == Direction::ServerToClient);
            streams[i].extend_from_slice(&frame);
            if server[i].is_none() {
                server[i] = kinds.first().copied();
            }
        }
        match target {
            "frame_stream" => {
                for (i, stream) in streams.iter().enumerate() {
                    let Some(kind) = server[i] else { continue };
                    let k = ServerKind::ALL.iter().position(|&s| s == kind).unwrap_or(1) as u8;
                    // Byte 0: direction, server, strict, dialect MSNP6 (index 5).
                    let ctx = (i as u8) | (k << 1) | (5 << 4);
                    for chunks in [&[][..], &[1][..], &[7, 0, 3][..]] {
                        let mut seed = vec![ctx, 0, 0, chunks.len() as u8];
                        seed.extend_from_slice(chunks);
                        seed.extend_from_slice(stream);
                        out.push(seed);
                    }
                }
            }
            "transcript" => out.push(file.clone()),
            _ => {}
        }
    }
    out.extend(extra_seeds(target));
    out
}

/// Hand-made seeds for the branches the transcripts do not reach: lines over the limit, payload
/// lengths over the limits (strict and lenient), tagged transcripts with events and
/// expectations.
fn extra_seeds(target: &str) -> Vec<Vec<u8>> {
    let long_line = |verb: &[u8]| {
        let mut l = verb.to_vec();
        l.extend(std::iter::repeat_n(b'a', 2100));
        l.extend_from_slice(b"\r\n");
        l
    };
    let lines: [&[u8]; 10] = [
        b"NOT 8193\r\n",
        b"IPG  8193\r\n",
        b"MSG 1 U 1665\r\n",
        b"MSG  1 U 1665\n",
        b"QRY 1 msmsgs@msnmsgr.com 33\r\n",
        b"QRY\t1 msmsgs@msnmsgr.com 33 \r\n",
        b"SDC 1 a@b.c 0x0409 MSMSGS WindowsMessenger X X n 1665\r\n",
        b"PAG 1 a@b.c 99999\r\n",
        b"MSG Hotmail Hotmail 8193\r\n",
        b"000 1\r\n",
    ];
    match target {
        "decode_line" | "strict_vs_lenient" => {
            let mut v: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
            v.push(long_line(b"MSG "));
            v.push(long_line(b" CHG 1 "));
            v
        }
        "frame_stream" => {
            let mut v = Vec::new();
            for ctx in [0x53u8, 0x52, 0x54, 0x5b] {
                let mut s = vec![ctx, 0, 0, 0];
                s.extend(lines.concat());
                v.push(s.clone());
                let mut small = vec![ctx, 16, 8, 2, 1, 5];
                small.extend(lines.concat());
                v.push(small);
                let mut long = vec![ctx, 0, 0, 1, 200];
                long.extend(b"PNG\r\n");
                long.extend(long_line(b"CHG 1 "));
                v.push(long);
            }
            v
        }
        "transcript" => vec![
            b"# connection: ns NS\n# connection: sb SB\n# event: ns connect\nC@ns: PNG\nS@ns: QNG\n\
              # event: tick 60\n# event: sb connect\nC@sb: MSG 1 U 2\nhi\nS@sb: BYE a@b.c\n\
              # event: sb disconnect\n"
                .to_vec(),
            b"# server: NS+SB\n# expect: 3 error bad\n# expect: 4 lenient spaces\nC: CHG 1 HOT x\n\
              S: CHG  1 NLN\nC@x: PNG\n# event: tick x\n# event: a connect\n"
                .to_vec(),
            b"# source: a\n# source: b\n# server: XX\n# connection: bad\n# expect: 0 nope\n\
              # connection: a NS\n# connection: a SB\nS@a: QNG\nC:PNG\nS@: x\nstray\n# x\n"
                .to_vec(),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// A deterministic byte source (xorshift) for the generator tests.
    fn bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn arbitrary_reaches_every_variant_and_round_trips() {
        let mut seen = HashSet::new();
        for seed in 0..20_000u64 {
            let data = bytes(seed, 512);
            let mut u = Unstructured::new(&data);
            if let Ok(c) = Command::arbitrary(&mut u) {
                seen.insert(c.variant_name());
                if seed % 10 == 0 {
                    roundtrip_typed(&data);
                }
            }
        }
        assert_eq!(seen.len(), Command::VARIANT_NAMES.len(), "variants reached");
    }

    #[test]
    fn hand_made_seeds_pass_their_oracles() {
        for t in [
            "decode_line",
            "strict_vs_lenient",
            "frame_stream",
            "transcript",
        ] {
            let seeds = extra_seeds(t);
            assert!(!seeds.is_empty());
            for s in &seeds {
                match t {
                    "decode_line" => decode_line(s),
                    "strict_vs_lenient" => strict_vs_lenient(s),
                    "frame_stream" => frame_stream(s),
                    _ => transcript(s),
                }
            }
        }
    }

    #[test]
    fn oracles_accept_the_documented_examples() {
        let frames: &[&[u8]] = &[
            b"USR 7 OK example@hotmail.com example%20user 1\r\n",
            b"QRY 10 msmsgs@msnmsgr.com 32\r\n3b6666b60157322b6fc6e41a115968f5",
            b"CHG  9\tNLN \n",
            b"MSG 1 U 2\r\nhi",
        ];
        for f in frames {
            decode_line(f);
            strict_vs_lenient(f);
        }
        challenge(b"\x0011111111111111111111", &|p| md5::md5(p));
        transcript(b"# server: NS\nC: CHG 9 NLN\nS: CHG 9 NLN\nS: CHG  0 FLN\n");
        frame_stream(b"\x03\x00\x00\x01\x01CHG 9 NLN\r\nQRY 1 k 2\r\nab");
    }
}
