//! Where each error says it was found (`DecodeError::offset`, `FrameError::offset`): the
//! meaning documented on `DecodeError`, checked variant by variant on known lines and as a
//! property over arbitrary bytes in every context and mode.

use msnp6::{DecodeError, Decoder, Dialect, Direction, Framer, Limits, Mode, ServerKind};
use proptest::collection::vec;
use proptest::prelude::*;

fn ns_client(mode: Mode) -> Decoder {
    Decoder::new(Direction::ClientToServer, ServerKind::Notification).with_mode(mode)
}

fn short(d: Decoder, max_line: usize) -> Decoder {
    d.with_limits(Limits {
        max_line,
        ..Limits::default()
    })
}

#[track_caller]
fn offset_of(d: Decoder, input: &[u8]) -> (DecodeError, Option<usize>) {
    let e = d.decode(input).expect_err("an error");
    let o = e.offset();
    (e, o)
}

#[test]
fn each_variant_says_where() {
    let strict = ns_client(Mode::Strict);
    let lenient = ns_client(Mode::Lenient);
    // Invalid: the first byte the grammar could not take, or the line's length when a
    // parameter is missing.
    assert_eq!(offset_of(strict, b"CHG 1 NLN x\r\n").1, Some(9));
    let (e, o) = offset_of(strict, b"CHG 1\r\n");
    assert!(matches!(e, DecodeError::Invalid { .. }), "{e:?}");
    assert_eq!(o, Some(5));
    assert_eq!(offset_of(lenient, b"  CHG\t x NLN\n").1, Some(7));
    // Misplaced: 0, the whole line, leading whitespace included.
    assert_eq!(offset_of(strict, b"MSG 1 U 0\r\n").1, Some(0));
    let (e, o) = offset_of(lenient, b" \tMSG 1 U 0\n");
    assert!(matches!(e, DecodeError::Misplaced { .. }), "{e:?}");
    assert_eq!(o, Some(0));
    // LineTooLong: the limit, the first byte past it.
    for (d, input) in [
        (strict, &b"CHG 1 NLN 0\r\n"[..]),
        (lenient, b"CHG 1 NLN 0\n"),
        (strict, b"CHG 1 NLN\r\r\n"),
        (strict, b"CHG 1 NLN 0"),
    ] {
        let d = short(d, 8);
        assert_eq!(
            offset_of(d, input),
            (DecodeError::LineTooLong { limit: 8 }, Some(8)),
            "{input:?}"
        );
    }
    // PayloadTooLong: the first byte of the declared length, in the input as it came.
    assert_eq!(
        offset_of(strict, b"QRY 1 msmsgs@msnmsgr.com 33\r\n").1,
        Some(25)
    );
    assert_eq!(
        offset_of(lenient, b"QRY  1 msmsgs@msnmsgr.com \t33 \n").1,
        Some(27)
    );
    // Incomplete: none.
    assert_eq!(
        offset_of(strict, b"CHG 1 NL"),
        (DecodeError::Incomplete, None)
    );
}

#[test]
fn frame_errors_are_stream_offsets() {
    let mut f = Framer::new(short(ns_client(Mode::Strict), 16));
    f.push(b"PNG\r\nCHG 1 NLN x\r\nPNG\r\nMSG 1 U 0\r\nQRY 1 a@b.c 33\r\n");
    let mut found = Vec::new();
    loop {
        match f.next_frame() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                found.push((e.line_offset, e.offset()));
                if e.is_fatal() {
                    break;
                }
            }
        }
    }
    // the space after CHG's NLN at 5 + 9; MSG's line at 23; QRY's length at 34 + 12.
    assert_eq!(found, [(5, 14), (23, 23), (34, 46)]);
    let mut f = Framer::new(short(ns_client(Mode::Strict), 16));
    f.push(b"PNG\r\nSYN 1 0123456789012345");
    assert!(f.next_frame().is_ok());
    let e = f.next_frame().expect_err("too long");
    assert_eq!((e.line_offset, e.offset()), (5, 21));
}

fn decoders() -> impl Strategy<Value = Decoder> {
    (
        prop::sample::select(Direction::ALL.to_vec()),
        prop::sample::select(ServerKind::ALL.to_vec()),
        prop::sample::select(Dialect::ALL.to_vec()),
        prop::bool::ANY,
        prop::option::of(4usize..40),
    )
        .prop_map(|(direction, server, dialect, lenient, max_line)| {
            let mode = if lenient { Mode::Lenient } else { Mode::Strict };
            let d = Decoder::new(direction, server)
                .with_dialect(dialect)
                .with_mode(mode);
            match max_line {
                Some(n) => short(d, n),
                None => d,
            }
        })
}

/// Bytes that look like command lines: verbs, numbers, separators, line ends.
fn protocolish() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"CHG", b"MSG", b"QRY", b"USR", b"ADD", b"LST", b"NLN", b"FL", b"U", b"N", b"1", b"0",
        b"12", b"33", b"1665", b"a@b.c", b"x", b" ", b" ", b"\t", b"\r\n", b"\n", b"\r",
    ];
    vec(prop::sample::select(pieces), 0..24).prop_map(|v| v.concat())
}

/// 2000 cases; failures persist to `proptest-regressions/error_offsets.txt`.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../proptest-regressions/error_offsets.txt"
            )),
        )),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Every error's offset means what `DecodeError` documents.
    #[test]
    fn offsets_mean_what_they_say(d in decoders(), data in protocolish()) {
        let Err(e) = d.decode(&data) else { return Ok(()) };
        let lf = data.iter().position(|&b| b == b'\n');
        match (&e, e.offset()) {
            (DecodeError::Incomplete, o) => prop_assert_eq!(o, None),
            (DecodeError::Invalid { .. }, Some(o)) => {
                let lf = lf.expect("an invalid line has ended");
                prop_assert!(o <= lf, "{:?} past the line end {}", e, lf);
            }
            (DecodeError::Misplaced { .. }, o) => prop_assert_eq!(o, Some(0)),
            (DecodeError::LineTooLong { limit }, Some(o)) => {
                prop_assert_eq!(o, *limit);
                prop_assert!(o < data.len(), "no byte past the limit");
                prop_assert!(!data[..=o].contains(&b'\n'), "the line ended before the limit");
            }
            (DecodeError::PayloadTooLong { declared, .. }, Some(o)) => {
                let digits = declared.to_string();
                prop_assert!(
                    data[o..].starts_with(digits.as_bytes()),
                    "{:?}: no {} at {}", e, digits, o
                );
            }
            (e, o) => prop_assert!(false, "{:?} with offset {:?}", e, o),
        }
    }

    /// A framer's error is never `Incomplete`, and its offset is the line's plus the error's.
    #[test]
    fn frame_error_offsets_add_up(d in decoders(), data in protocolish()) {
        let mut f = Framer::new(d);
        f.push(&data);
        for _ in 0..=data.len() {
            match f.next_frame() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    let o = e.error.offset();
                    prop_assert!(o.is_some(), "{:?}", e);
                    prop_assert_eq!(e.offset(), e.line_offset + o.unwrap_or(0) as u64);
                    prop_assert!(e.offset() <= data.len() as u64);
                    if e.is_fatal() {
                        break;
                    }
                }
            }
        }
    }
}
