//! Streaming properties of `Framer` and `Decoder::decode`:
//!
//! * (a) any split of a stream of encoded frames into chunks gives the same frames as feeding
//!   it whole;
//! * (b) every strict prefix of a valid frame is `Incomplete` for `Decoder::decode`;
//! * (c) feeding one byte at a time works;
//! * (d) an invalid line is skipped and decoding goes on at the next line; a line or a payload
//!   over the limit closes the framer, which then returns the same error again;
//! * (e) arbitrary bytes never panic, and the framer's results never depend on the chunking.

// The strategies come from the crate's generator (feature `fuzzing`, on in the README's test
// command, `--all-features`).
#![cfg(feature = "fuzzing")]

mod strategies;

use msnp6::error::{DecodeError, Expected, Warnings};
use msnp6::{Command, Context, Decoder, Dialect, FrameError, Framer, Limits, Mode};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use strategies::{
    C, NS, S, SB, command_in, context_and_command, context_and_commands, contexts, ctx, decoder,
    modes,
};

/// One framer result, detached from the framer.
type Out = Result<(Command<'static>, Warnings, u64, usize), FrameError>;

/// Takes frames until the framer needs more bytes; `true` once it is closed (after pushing the
/// fatal error and checking that the framer repeats it).
fn drain(f: &mut Framer, out: &mut Vec<Out>) -> bool {
    // Every call either consumes bytes or stops, so this bound is never reached.
    for _ in 0..1_000_000 {
        match f.next_frame() {
            Ok(Some(frame)) => out.push(Ok((
                frame.command.into_owned(),
                frame.warnings,
                frame.offset,
                frame.len,
            ))),
            Ok(None) => return false,
            Err(e) => {
                let fatal = e.is_fatal();
                out.push(Err(e.clone()));
                if fatal {
                    assert!(f.is_closed());
                    assert_eq!(
                        f.next_frame().err(),
                        Some(e.clone()),
                        "a closed framer repeats its error"
                    );
                    f.push(b"PNG\r\nQNG\r\n");
                    assert_eq!(
                        f.next_frame().err(),
                        Some(e),
                        "a closed framer ignores new bytes"
                    );
                    return true;
                }
            }
        }
    }
    panic!("the framer makes no progress");
}

/// Feeds `chunks` one after another, taking frames after each.
fn feed<'c>(decoder: Decoder, chunks: impl IntoIterator<Item = &'c [u8]>) -> Vec<Out> {
    let mut f = Framer::new(decoder);
    let mut out = Vec::new();
    for chunk in chunks {
        f.push(chunk);
        if drain(&mut f, &mut out) {
            break;
        }
    }
    out
}

/// Splits `bytes` at the given points.
fn split<'b>(bytes: &'b [u8], points: &[Index]) -> Vec<&'b [u8]> {
    let mut at: Vec<usize> = points.iter().map(|i| i.index(bytes.len() + 1)).collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    at.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

/// The frames a stream of `commands` must give.
fn expected_frames(commands: &[Command<'static>]) -> (Vec<u8>, Vec<Out>) {
    let mut stream = Vec::new();
    let mut out = Vec::new();
    for c in commands {
        let at = stream.len();
        c.encode(&mut stream);
        out.push(Ok((
            c.clone(),
            Warnings::NONE,
            at as u64,
            stream.len() - at,
        )));
    }
    (stream, out)
}

/// Line ends, good and bad.
const LINE_ENDS: &[&[u8]] = &[b"\r\n", b"\n", b"\r"];
/// Stray line ends and blank lines.
const STRAY: &[&[u8]] = &[b"\r\n", b"\n", b"  \t\r\n"];

/// A noisy stream for one context: valid frames, random bytes, garbage lines, stray line ends,
/// over-long runs.
fn noisy_stream() -> impl Strategy<Value = (Context, Mode, Vec<u8>)> {
    (contexts(), modes()).prop_flat_map(|(ctx, mode)| {
        let piece = prop_oneof![
            6 => command_in(ctx).prop_map(|c| c.to_bytes()),
            2 => vec(any::<u8>(), 0..64),
            2 => (strategies::token_bytes(20), proptest::sample::select(LINE_ENDS))
                .prop_map(|(mut l, end)| { l.extend_from_slice(end); l }),
            1 => proptest::sample::select(STRAY).prop_map(<[u8]>::to_vec),
            1 => (2040usize..2060).prop_map(|n| vec![b'a'; n]),
            1 => (0u32..3000).prop_map(|n| format!("MSG 1 U {n}\r\n").into_bytes()),
        ];
        vec(piece, 0..10).prop_map(move |pieces| (ctx, mode, pieces.concat()))
    })
}

proptest! {
    #![proptest_config(config!("framing", 1500))]

    /// (a) Any split of a stream into chunks gives the frames of the whole stream, at their
    /// offsets, with their lengths.
    #[test]
    fn any_split_gives_the_same_frames(
        (ctx, commands) in context_and_commands(8),
        mode in modes(),
        points in vec(any::<Index>(), 0..12),
    ) {
        let (stream, expected) = expected_frames(&commands);
        let d = decoder(ctx, mode);
        let whole = feed(d, [&stream[..]]);
        prop_assert_eq!(&whole, &expected);
        let chunked = feed(d, split(&stream, &points));
        prop_assert_eq!(&chunked, &expected);
    }

    /// (b) Every strict prefix of a valid frame is `Incomplete` (never `Invalid`), in both modes.
    #[test]
    fn every_strict_prefix_is_incomplete((ctx, cmd) in context_and_command(), mode in modes()) {
        let frame = cmd.to_bytes();
        let d = decoder(ctx, mode);
        let line_end = frame.windows(2).position(|w| w == b"\r\n").expect("CR LF") + 2;
        // Every prefix of the line; a sample of the prefixes inside a long payload.
        let stride = ((frame.len() - line_end) / 64).max(1);
        let prefixes = (0..line_end)
            .chain((line_end..frame.len()).step_by(stride))
            .chain(frame.len().saturating_sub(2)..frame.len());
        for n in prefixes {
            if n >= frame.len() {
                continue;
            }
            let got = d.decode(&frame[..n]);
            let line = String::from_utf8_lossy(&frame[..line_end]);
            prop_assert_eq!(got, Err(DecodeError::Incomplete), "prefix {} of {:?}", n, line);
        }
        let whole = d.decode(&frame).map(|x| (x.command, x.len));
        prop_assert_eq!(whole, Ok((cmd, frame.len())));
    }

    /// (c) Feeding one byte at a time gives the frames of the whole stream.
    #[test]
    fn one_byte_at_a_time((ctx, commands) in context_and_commands(4), mode in modes()) {
        let (stream, expected) = expected_frames(&commands);
        let got = feed(decoder(ctx, mode), stream.chunks(1));
        prop_assert_eq!(got, expected);
    }

    /// (d) An invalid line between valid frames is reported once, at its offset, and skipped.
    #[test]
    fn invalid_line_is_skipped(
        (ctx, commands) in context_and_commands(6),
        mode in modes(),
        at in any::<Index>(),
        garbage in strategies::token_bytes(40),
        points in vec(any::<Index>(), 0..8),
    ) {
        let (_, expected) = expected_frames(&commands);
        // A line starting with a lower-case letter is never valid (reference §1.1).
        let mut bad = b"x".to_vec();
        bad.extend_from_slice(&garbage);
        bad.extend_from_slice(b"\r\n");
        let insert_before = at.index(commands.len() + 1);
        let bad_at = |offset: usize| -> Out {
            let error = DecodeError::Invalid { offset: 0, expected: Expected::Verb };
            Err(FrameError { line_offset: offset as u64, error })
        };
        let mut stream = Vec::new();
        let mut want = Vec::new();
        for (i, c) in commands.iter().enumerate() {
            if i == insert_before {
                want.push(bad_at(stream.len()));
                stream.extend_from_slice(&bad);
            }
            let start = stream.len();
            c.encode(&mut stream);
            let Ok((cmd, w, _, len)) = &expected[i] else { unreachable!() };
            want.push(Ok((cmd.clone(), *w, start as u64, *len)));
        }
        if insert_before == commands.len() {
            want.push(bad_at(stream.len()));
            stream.extend_from_slice(&bad);
        }
        let d = decoder(ctx, mode);
        prop_assert_eq!(&feed(d, [&stream[..]]), &want);
        prop_assert_eq!(&feed(d, split(&stream, &points)), &want);
    }

    /// (e) Arbitrary and noisy bytes never panic, and the framer gives the same results whatever
    /// the chunking; successful `Decoder::decode` results re-encode to their input.
    #[test]
    fn noisy_streams_never_panic(
        (ctx, mode, stream) in noisy_stream(),
        points in vec(any::<Index>(), 0..12),
    ) {
        let d = decoder(ctx, mode);
        let whole = feed(d, [&stream[..]]);
        let chunked = feed(d, split(&stream, &points));
        prop_assert_eq!(&chunked, &whole);
        for r in &whole {
            match r {
                Ok((cmd, w, offset, len)) => {
                    let bytes = &stream[*offset as usize..*offset as usize + len];
                    let again = d.decode(bytes).map(|x| (x.command, x.warnings, x.len));
                    prop_assert_eq!(again, Ok((cmd.clone(), *w, *len)));
                    if w.is_empty() {
                        prop_assert_eq!(&cmd.to_bytes()[..], bytes);
                    }
                }
                Err(e) => prop_assert!(e.line_offset <= stream.len() as u64),
            }
        }
    }

    /// (e) Purely random bytes, in every context and mode, fed whole and one byte at a time.
    #[test]
    fn random_bytes_never_panic(
        ctx in contexts(),
        mode in modes(),
        bytes in vec(any::<u8>(), 0..300),
    ) {
        let d = decoder(ctx, mode);
        let _ = d.decode(&bytes);
        let _ = d.decode_line(&bytes);
        let whole = feed(d, [&bytes[..]]);
        let bytewise = feed(d, bytes.chunks(1));
        prop_assert_eq!(whole, bytewise);
    }
}

// ---------------------------------------------------------------------------------------------
// (d) Error behaviour, by example
// ---------------------------------------------------------------------------------------------

fn ns_client() -> Decoder {
    decoder(ctx(C, NS, Dialect::Msnp6), Mode::Strict)
}

#[test]
fn invalid_lines_are_skipped() {
    let mut f = Framer::new(ns_client());
    f.push(b"CHG x NLN\r\nCHG 1 NLN\r\nchg 2 NLN\r\nIPG 5\r\nPNG\r\n");
    let e = f.next_frame().expect_err("bad TrID");
    assert_eq!(
        e,
        FrameError {
            line_offset: 0,
            error: DecodeError::Invalid {
                offset: 4,
                expected: Expected::TrId
            }
        }
    );
    assert!(!e.is_fatal());
    let chg = f.next_frame().expect("CHG").expect("frame");
    assert_eq!((chg.offset, chg.len), (11, 11));
    assert_eq!(f.next_frame().expect_err("lower case").line_offset, 22);
    let ipg = f.next_frame().expect_err("client IPG");
    assert_eq!(ipg.line_offset, 33);
    assert!(matches!(ipg.error, DecodeError::Misplaced { .. }));
    // The misplaced `IPG 5` announced a payload; as the line is invalid nothing is skipped.
    let png = f.next_frame().expect("PNG").expect("frame");
    assert_eq!((png.command.verb(), png.offset), ("PNG", 40));
    assert_eq!(f.next_frame(), Ok(None));
    assert!(!f.is_closed());
    assert_eq!(f.buffered(), 0);
}

#[test]
fn a_line_over_the_limit_closes_the_framer() {
    // No line end within the limit.
    let mut f = Framer::new(ns_client());
    f.push(b"PNG\r\n");
    f.push(&[b'A'; 3000]);
    assert!(f.next_frame().expect("PNG").is_some());
    let e = f.next_frame().expect_err("too long");
    assert_eq!(
        e,
        FrameError {
            line_offset: 5,
            error: DecodeError::LineTooLong { limit: 2048 }
        }
    );
    assert!(e.is_fatal() && f.is_closed());
    f.push(b"\r\nPNG\r\n");
    assert_eq!(f.next_frame(), Err(e.clone()));
    assert_eq!(f.next_frame(), Err(e));

    // A line end that arrives after the limit does not help.
    let mut f = Framer::new(ns_client());
    let mut long = b"XYZ ".to_vec();
    long.extend_from_slice(&[b'a'; 2045]);
    long.extend_from_slice(b"\r\nPNG\r\n");
    f.push(&long);
    let e = f.next_frame().expect_err("too long");
    assert_eq!(e.error, DecodeError::LineTooLong { limit: 2048 });
    assert_eq!(f.next_frame(), Err(e));
}

#[test]
fn the_line_limit_is_exact() {
    let limits = Limits {
        max_line: 16,
        ..Limits::default()
    };
    let d = ns_client().with_limits(limits);
    let line16 = b"XYZ 123456789012"; // 16 bytes
    assert_eq!(line16.len(), 16);
    // A line of exactly the limit, its CR arriving before its LF.
    let mut f = Framer::new(d);
    f.push(line16);
    assert_eq!(f.next_frame(), Ok(None));
    f.push(b"\r");
    assert_eq!(
        f.next_frame(),
        Ok(None),
        "the CR of a line at the limit is not too long"
    );
    f.push(b"\n");
    let frame = f.next_frame().expect("line at the limit").expect("frame");
    assert_eq!(frame.len, 18);
    // One byte more is too long.
    let mut f = Framer::new(d);
    f.push(b"XYZ 1234567890123");
    assert_eq!(f.next_frame(), Ok(None));
    f.push(b"\r");
    assert_eq!(
        f.next_frame().expect_err("17 bytes").error,
        DecodeError::LineTooLong { limit: 16 }
    );
    // The decoder agrees.
    assert_eq!(
        d.decode(b"XYZ 1234567890123\r\n"),
        Err(DecodeError::LineTooLong { limit: 16 })
    );
    assert_eq!(
        d.decode(b"XYZ 123456789012\r"),
        Err(DecodeError::Incomplete)
    );
    assert_eq!(
        d.decode_line(b"XYZ 1234567890123"),
        Err(DecodeError::LineTooLong { limit: 16 })
    );
}

#[test]
fn a_payload_over_the_limit_closes_the_framer() {
    let mut f = Framer::new(decoder(ctx(C, SB, Dialect::Msnp6), Mode::Strict));
    f.push(b"MSG 1 U 2\r\nhiMSG 2 U 1665\r\n");
    let msg = f.next_frame().expect("MSG 1").expect("frame");
    assert_eq!((msg.offset, msg.len), (0, 13));
    let e = f.next_frame().expect_err("too long");
    assert_eq!(
        e,
        FrameError {
            line_offset: 13,
            error: DecodeError::PayloadTooLong {
                verb: "MSG",
                offset: 8,
                declared: 1665,
                limit: 1664
            }
        }
    );
    assert!(e.is_fatal() && f.is_closed());
    f.push(&[b'x'; 1665]);
    assert_eq!(f.next_frame(), Err(e.clone()));
    assert_eq!(f.next_frame(), Err(e));

    // The NS limit of a server MSG is larger; a QRY has 32 bytes at most.
    let mut f = Framer::new(decoder(ctx(S, NS, Dialect::Msnp6), Mode::Strict));
    f.push(b"MSG Hotmail Hotmail 8193\r\n");
    assert!(f.next_frame().expect_err("too long").is_fatal());
    let mut f = Framer::new(ns_client());
    f.push(b"QRY 10 msmsgs@msnmsgr.com 33\r\n");
    assert_eq!(
        f.next_frame().expect_err("too long").error,
        DecodeError::PayloadTooLong {
            verb: "QRY",
            offset: 26,
            declared: 33,
            limit: 32
        }
    );
}

#[test]
fn payloads_may_hold_line_ends() {
    // The length decides where a payload ends (reference §1.4, §3.5).
    let mut f = Framer::new(decoder(ctx(S, SB, Dialect::Msnp6), Mode::Strict));
    f.push(b"MSG a@b.c n 7\r\nPNG\r\n\r\nBYE a@b.c\r\n");
    let msg = f.next_frame().expect("MSG").expect("frame");
    assert_eq!(
        msg.command.payload().map(|p| p.as_bytes().to_vec()),
        Some(b"PNG\r\n\r\n".to_vec())
    );
    let bye = f.next_frame().expect("BYE").expect("frame");
    assert_eq!((bye.command.verb(), bye.offset), ("BYE", 22));
}

#[test]
fn lenient_framing_reports_warnings() {
    let mut f = Framer::new(decoder(ctx(C, NS, Dialect::Msnp6), Mode::Lenient));
    f.push(b"CHG 1  NLN\nQRY 10 msmsgs@msnmsgr.com 32\n3b6666b60157322b6fc6e41a115968f5PNG\r\n");
    let chg = f.next_frame().expect("CHG").expect("frame");
    assert_eq!(
        chg.warnings.iter().collect::<Vec<_>>(),
        vec![msnp6::Warning::BareLf, msnp6::Warning::RepeatedSpace]
    );
    assert_eq!(chg.len, 11);
    let qry = f.next_frame().expect("QRY").expect("frame");
    assert_eq!((qry.offset, qry.len), (11, 61));
    let png = f.next_frame().expect("PNG").expect("frame");
    assert!(png.warnings.is_empty());
    assert_eq!(png.offset, 72);
}
