//! `msnp6::message` through its public API only: a switchboard conversation's payloads built,
//! parsed and rebuilt (reference §3.5, §10).

use msnp6::message::{
    BuildError, ContentType, Effects, Header, ImFormat, MAX_HEADERS, Message, MessageBuilder,
    MessageError, Separator,
};
use proptest::prelude::*;

#[test]
fn a_formatted_message_survives_build_parse_rebuild() {
    let format = ImFormat::official(
        b"MS%20Sans%20Serif",
        Effects::new(true, false, true, false),
        0xff,
        0,
        0x22,
    )
    .and_then(|f| f.with_right_align(b"1"))
    .expect("valid format");
    let mut out = Vec::new();
    let len = MessageBuilder::plain_text(&mut out, b"line one\r\nline two", Some(&format));
    assert_eq!(len, out.len());
    assert_eq!(
        out,
        b"MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=UTF-8\r\n\
X-MMS-IM-Format: FN=MS%20Sans%20Serif; EF=BU; CO=ff; CS=0; PF=22; RL=1\r\n\
\r\n\
line one\r\nline two"
    );

    let message = Message::parse(&out).expect("parses");
    let parsed = message.im_format().expect("present").expect("valid");
    assert_eq!(parsed, format);
    assert_eq!(parsed.color_rgb(), Some((0xff, 0, 0)));
    assert!(parsed.is_right_aligned());

    let mut again = Vec::new();
    let mut builder = MessageBuilder::new(&mut again);
    for header in message.headers().skip(1) {
        builder.push_header(&header).expect("valid header");
    }
    builder.body(message.body());
    assert_eq!(again, out);
}

#[test]
fn a_payload_without_mime_header_is_an_error_callers_can_ignore() {
    let err = Message::parse(b"hello").expect_err("no header section");
    assert_eq!(err, MessageError::MissingHeaderEnd { offset: 5 });
    assert_eq!(err.offset(), 5);
}

#[test]
fn typed_content_types_drive_the_views() {
    let mut out = Vec::new();
    MessageBuilder::system_shutdown(&mut out, 10);
    let message = Message::parse(&out).expect("parses");
    assert_eq!(message.content_type(), Some(ContentType::SystemMessage));
    assert_eq!(message.system_message().and_then(|s| s.minutes()), Some(10));
    assert!(message.profile().is_none());
}

#[test]
fn builder_limits_match_the_parser() {
    let mut out = Vec::new();
    let mut builder = MessageBuilder::new(&mut out);
    for _ in 1..MAX_HEADERS {
        builder.header(b"X-Filler", b"1").expect("under the limit");
    }
    assert!(matches!(
        builder.header(b"X-Filler", b"1"),
        Err(BuildError::TooManyHeaders { .. })
    ));
    builder.body(b"");
    assert_eq!(
        Message::parse(&out).map(|m| m.header_count()),
        Ok(MAX_HEADERS)
    );
}

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../proptest-regressions/message.txt"
            )),
        )),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Printable-ASCII headers in both separator forms round-trip through the builder.
    #[test]
    fn printable_headers_round_trip(
        headers in prop::collection::vec(
            ("[!-9;-~]{1,12}", "[ -~]{0,24}", any::<bool>()),
            0..8,
        ),
        body in "[ -~\r\n]{0,64}",
    ) {
        let headers: Vec<Header<'_>> = headers
            .iter()
            .map(|(name, value, colon)| Header {
                name: name.as_bytes(),
                value: value.as_bytes(),
                separator: if *colon && !value.starts_with(' ') {
                    Separator::Colon
                } else {
                    Separator::ColonSpace
                },
            })
            .collect();
        let mut out = Vec::new();
        let mut builder = MessageBuilder::new(&mut out);
        for header in &headers {
            builder.push_header(header).expect("valid header");
        }
        builder.body(body.as_bytes());
        let message = Message::parse(&out).expect("parses");
        let parsed: Vec<Header<'_>> = message.headers().skip(1).collect();
        prop_assert_eq!(parsed, headers);
        prop_assert_eq!(message.body(), body.as_bytes());
    }

    /// No input makes the parser panic.
    #[test]
    fn parse_never_panics(payload in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Err(err) = Message::parse(&payload) {
            prop_assert!(err.offset() <= payload.len());
        }
    }
}
