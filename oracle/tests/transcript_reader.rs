//! Known-answer and property tests of the transcript reader (`msnp6_oracle::transcript`), following
//! `docs/transcript-format.md`.

use msnp6::{Direction, ServerKind};
use msnp6_oracle::transcript::{
    ConnectionDecl, Event, EventKind, ExpectedResult, PayloadJoin, PayloadLine, PayloadMismatch,
    Problem, ProblemKind, ProtocolLine, Transcript, parse, rebuild_payload,
};
use proptest::prelude::*;

const C: Direction = Direction::ClientToServer;
const S: Direction = Direction::ServerToClient;

/// `(line, kind)` of every problem, for compact assertions.
fn problems(t: &Transcript) -> Vec<(usize, ProblemKind)> {
    t.problems
        .iter()
        .map(|p| (p.line, p.kind.clone()))
        .collect()
}

/// `(line, direction, text)` of every protocol line.
fn texts(t: &Transcript) -> Vec<(usize, Direction, Vec<u8>)> {
    t.lines
        .iter()
        .map(|l| (l.line, l.direction, l.text.clone()))
        .collect()
}

/// The payload lines of protocol line `index`, as byte vectors.
fn payload(t: &Transcript, index: usize) -> Vec<Vec<u8>> {
    t.lines[index]
        .payload_lines
        .iter()
        .map(|p| p.bytes.clone())
        .collect()
}

fn payload_lines(lines: &[&[u8]]) -> Vec<PayloadLine> {
    lines
        .iter()
        .enumerate()
        .map(|(i, bytes)| PayloadLine {
            line: i + 1,
            bytes: bytes.to_vec(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Header

#[test]
fn header_keys_are_read() {
    let t = parse(
        b"# source: https://example.invalid/page  \n\
          # server: DS/NS\n\
          # versions: MSNP5-MSNP6\n\
          # note: first note\n\
          \n\
          # transformed: prefixes converted from >>> and <<<\n\
          # note: second note\n\
          # Colour: blue\n\
          # expect: 12 error the MDS typo\n\
          # transformed:\n\
          C: VER 0 MSNP6\n",
    );
    let h = &t.header;
    assert_eq!(h.source.as_deref(), Some("https://example.invalid/page"));
    let server = h.server.as_ref().expect("server");
    assert_eq!(server.raw, "DS/NS");
    assert_eq!(
        server.kinds,
        [ServerKind::Dispatch, ServerKind::Notification]
    );
    assert!(!server.both_connections);
    assert_eq!(h.versions.as_deref(), Some("MSNP5-MSNP6"));
    assert_eq!(h.notes, ["first note", "second note"]);
    assert_eq!(h.transformed, ["prefixes converted from >>> and <<<", ""]);
    assert_eq!(h.other, [("Colour".to_owned(), "blue".to_owned())]);
    assert_eq!(h.expect.len(), 1);
    assert_eq!(h.expect[0].line, 12);
    assert_eq!(h.expect[0].result, ExpectedResult::Error);
    assert_eq!(h.expect[0].reason, "the MDS typo");
    assert_eq!(h.expect[0].declared_at, 9);
    assert_eq!(texts(&t), [(11, C, b"VER 0 MSNP6".to_vec())]);
    // The expectation names line 12, which is no protocol line.
    assert_eq!(
        problems(&t),
        [(9, ProblemKind::ExpectationNotOnProtocolLine { target: 12 })]
    );
}

#[test]
fn expectation_on_a_protocol_line_is_fine() {
    let t = parse(b"# server: NS\n# expect: 3 lenient swapped parameters\nC: USR 1 MD5 I x\n");
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(
        t.expectation(3).map(|e| e.result),
        Some(ExpectedResult::Lenient)
    );
    assert_eq!(t.expectation(2), None);
    assert_eq!(ExpectedResult::Lenient.to_string(), "lenient");
    assert_eq!(ExpectedResult::Error.as_str(), "error");
}

#[test]
fn server_spec_variants() {
    let kinds = |value: &str| {
        let t = parse(format!("# server: {value}\nC: PNG\n").as_bytes());
        t.header.server.map(|s| (s.kinds, s.both_connections))
    };
    use ServerKind::{Dispatch as Ds, Notification as Ns, Switchboard as Sb};
    assert_eq!(kinds("DS"), Some((vec![Ds], false)));
    assert_eq!(kinds("NS"), Some((vec![Ns], false)));
    assert_eq!(kinds("SB"), Some((vec![Sb], false)));
    assert_eq!(kinds("DS/NS"), Some((vec![Ds, Ns], false)));
    assert_eq!(kinds("NS/SB"), Some((vec![Ns, Sb], false)));
    assert_eq!(kinds("NS+SB"), Some((vec![Ns, Sb], true)));
    assert_eq!(kinds("XX"), None);
}

#[test]
fn empty_lines_before_the_first_protocol_line_are_ignored() {
    let t = parse(b"\n# server: NS\n\n\nC: PNG\nS: QNG 50\n");
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(
        texts(&t),
        [(5, C, b"PNG".to_vec()), (6, S, b"QNG 50".to_vec())]
    );
    assert!(t.lines.iter().all(|l| l.payload_lines.is_empty()));
}

#[test]
fn header_values_of_non_utf8_files_are_lossy_and_lines_are_bytes() {
    let t = parse(b"# server: SB\n# note: caf\xe9\nS: JOI a@b.c caf\xe9\nMSG-body \xff\xfe\n");
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(t.header.notes, ["caf\u{FFFD}"]);
    assert_eq!(t.lines[0].text, b"JOI a@b.c caf\xe9");
    assert_eq!(payload(&t, 0), [b"MSG-body \xff\xfe".to_vec()]);
}

// ---------------------------------------------------------------------------------------------
// Protocol lines and payload lines

#[test]
fn command_lines_are_kept_byte_for_byte() {
    let t = parse(b"# server: NS\nC: ADD  5 FL x\tx  \nS: ADD 5 FL 1 x x\r\nC: \nS:  LST\n");
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(
        texts(&t),
        [
            (2, C, b"ADD  5 FL x\tx  ".to_vec()),
            (3, S, b"ADD 5 FL 1 x x\r".to_vec()),
            (4, C, b"".to_vec()),
            (5, S, b" LST".to_vec()),
        ]
    );
}

#[test]
fn file_without_final_lf_keeps_its_last_line() {
    let t = parse(b"# server: NS\nC: OUT");
    assert_eq!(texts(&t), [(2, C, b"OUT".to_vec())]);
}

/// The SB MSG examples of msnp6-protocol.md §3.5: 76 and 73 bytes with CR LF between the lines.
#[test]
fn sb_msg_example_rebuilds_with_crlf() {
    let t = parse(
        b"# source: msnp6-protocol.md 3.5\n\
          # server: SB\n\
          C: MSG 1 U 76\n\
          MIME-Version: 1.0\n\
          Content-Type: text/plain; charset=UTF-8\n\
          \n\
          unacknowledged\n\
          S: MSG example@hotmail.com example%20user 73\n\
          MIME-Version: 1.0\n\
          Content-Type: text/plain;charset=UTF-8\n\
          \n\
          acknowledged\n",
    );
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(t.lines.len(), 2);
    let first = &t.lines[0];
    assert_eq!(
        first
            .payload_lines
            .iter()
            .map(|p| p.line)
            .collect::<Vec<_>>(),
        [4, 5, 6, 7]
    );
    let (bytes, join) = first.rebuild_payload(76).expect("76 bytes");
    assert_eq!(join, PayloadJoin::Crlf);
    assert_eq!(
        bytes,
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nunacknowledged"
    );
    let (bytes, join) = t.lines[1].rebuild_payload(73).expect("73 bytes");
    assert_eq!(join, PayloadJoin::Crlf);
    assert_eq!(bytes.len(), 73);
    assert_eq!(t.server_kinds(first), [ServerKind::Switchboard]);
}

#[test]
fn crlf_plus_final_crlf_join() {
    let t = parse(b"# server: NS\nS: MSG Hotmail Hotmail 21\nMIME-Version: 1.0\n\nS: CHL 0 1\n");
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(
        payload(&t, 0),
        [b"MIME-Version: 1.0".to_vec(), b"".to_vec()]
    );
    let (bytes, join) = t.lines[0].rebuild_payload(21).expect("21 bytes");
    assert_eq!(join, PayloadJoin::CrlfPlusCrlf);
    assert_eq!(bytes, b"MIME-Version: 1.0\r\n\r\n");
    assert_eq!(join.to_string(), "crlf+crlf");
}

/// Like the IPG example of msnp6-protocol.md §3.4, whose declared length matches LF separators.
#[test]
fn lf_join() {
    let t = parse(b"# server: NS\nS: IPG 26\n<NOTIFICATION>\n\t<TO/>\n</N>\n");
    let (bytes, join) = t.lines[0].rebuild_payload(26).expect("26 bytes");
    assert_eq!(join, PayloadJoin::Lf);
    assert_eq!(bytes, b"<NOTIFICATION>\n\t<TO/>\n</N>");
    assert_eq!(PayloadJoin::Lf.as_str(), "lf");
    assert_eq!(PayloadJoin::Crlf.to_string(), "crlf");
}

#[test]
fn joins_are_tried_in_order() {
    // One line: CR LF join and LF join both give the line itself; CR LF wins.
    let lines = payload_lines(&[b"abc"]);
    assert_eq!(
        rebuild_payload(&lines, 3),
        Ok((b"abc".to_vec(), PayloadJoin::Crlf))
    );
    assert_eq!(
        rebuild_payload(&lines, 5),
        Ok((b"abc\r\n".to_vec(), PayloadJoin::CrlfPlusCrlf))
    );
    // Zero lines: an empty payload.
    assert_eq!(rebuild_payload(&[], 0), Ok((Vec::new(), PayloadJoin::Crlf)));
    assert_eq!(
        rebuild_payload(&[], 2),
        Err(PayloadMismatch {
            declared: 2,
            crlf: 0,
            crlf_plus_crlf: 0,
            lf: 0
        })
    );
}

#[test]
fn payload_mismatch_reports_every_candidate() {
    let lines = payload_lines(&[&b"1234567890"[..]; 20]);
    let err = rebuild_payload(&lines, 367).expect_err("no join gives 367");
    assert_eq!(
        err,
        PayloadMismatch {
            declared: 367,
            crlf: 238,
            crlf_plus_crlf: 240,
            lf: 219
        }
    );
    let example = PayloadMismatch {
        declared: 367,
        crlf: 365,
        crlf_plus_crlf: 367,
        lf: 348,
    };
    assert_eq!(
        example.to_string(),
        "declared 367 bytes, lines joined with CR LF give 365, \
         with CR LF plus a final CR LF 367, with LF 348"
    );
}

/// transcript-format.md: "When the payload's last line is empty, the file keeps that empty line."
#[test]
fn empty_last_payload_line_is_kept() {
    // Last line of the file: the payload's empty last line followed by the file's final LF.
    let t = parse(b"# server: SB\nS: MSG a b 19\nMIME-Version: 1.0\n\n");
    assert_eq!(
        payload(&t, 0),
        [b"MIME-Version: 1.0".to_vec(), b"".to_vec()]
    );
    assert_eq!(t.lines[0].payload_lines[1].line, 4);
    assert_eq!(
        t.lines[0].rebuild_payload(19).map(|(_, join)| join),
        Ok(PayloadJoin::Crlf)
    );
    // Without the final LF the last empty line is not there.
    let t = parse(b"# server: SB\nS: MSG a b 19\nMIME-Version: 1.0\n");
    assert_eq!(payload(&t, 0), [b"MIME-Version: 1.0".to_vec()]);
    // Two empty last lines, then another command.
    let t = parse(b"# server: SB\nS: MSG a b 4\n\n\n\nC: OUT\n");
    assert_eq!(payload(&t, 0), [b"".to_vec(), b"".to_vec(), b"".to_vec()]);
    assert_eq!(
        t.lines[0].rebuild_payload(4).map(|(bytes, _)| bytes),
        Ok(b"\r\n\r\n".to_vec())
    );
    assert!(t.problems.is_empty(), "{:?}", t.problems);
}

#[test]
fn hash_lines_inside_a_payload_are_payload_lines_but_events_end_it() {
    let t = parse(
        b"# connection: a SB\n\
          C@a: MSG 1 U 30\n\
          # not an event\n\
          # source: not a header\n\
          #\n\
          # event: a disconnect\n\
          \n\
          # event: tick 5\n",
    );
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(
        payload(&t, 0),
        [
            b"# not an event".to_vec(),
            b"# source: not a header".to_vec(),
            b"#".to_vec()
        ]
    );
    assert_eq!(
        t.events,
        [
            Event {
                line: 6,
                kind: EventKind::Disconnect("a".into())
            },
            Event {
                line: 8,
                kind: EventKind::Tick(5)
            },
        ]
    );
    assert_eq!(t.header.source, None);
}

#[test]
fn malformed_event_still_ends_the_payload() {
    let t = parse(b"# server: SB\nC: MSG 1 U 3\nabc\n# event: a\nS: ACK 1\n");
    assert_eq!(payload(&t, 0), [b"abc".to_vec()]);
    assert_eq!(
        problems(&t),
        [(4, ProblemKind::MalformedEvent { value: " a".into() })]
    );
    assert!(t.events.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Tagged files and events

#[test]
fn tagged_file_with_events() {
    let t = parse(
        b"# source: scenario\n\
          # connection: alice-ns NS\n\
          # connection: bob_ns.2 NS\n\
          # connection: alice-sb SB\n\
          # event: alice-ns connect\n\
          C@alice-ns: ADD 5 FL bob@example.com bob\n\
          S@alice-ns: ADD 5 FL 12 bob@example.com bob\n\
          S@bob_ns.2: ADD 0 RL 7 alice@example.com alice\n\
          # event: tick 30\n\
          # event: alice-sb connect\n\
          C@alice-sb: MSG 1 U 2\n\
          hi\n\
          # event: alice-sb disconnect\n",
    );
    assert!(t.problems.is_empty(), "{:?}", t.problems);
    assert_eq!(
        t.connections,
        [
            ConnectionDecl {
                name: "alice-ns".into(),
                kind: ServerKind::Notification,
                line: 2
            },
            ConnectionDecl {
                name: "bob_ns.2".into(),
                kind: ServerKind::Notification,
                line: 3
            },
            ConnectionDecl {
                name: "alice-sb".into(),
                kind: ServerKind::Switchboard,
                line: 4
            },
        ]
    );
    assert_eq!(
        t.lines[0],
        ProtocolLine {
            line: 6,
            direction: C,
            connection: Some("alice-ns".into()),
            connection_kind: Some(ServerKind::Notification),
            text: b"ADD 5 FL bob@example.com bob".to_vec(),
            payload_lines: Vec::new(),
        }
    );
    assert_eq!(t.lines[2].connection.as_deref(), Some("bob_ns.2"));
    assert_eq!(t.lines[2].direction, S);
    assert_eq!(t.server_kinds(&t.lines[2]), [ServerKind::Notification]);
    assert_eq!(t.server_kinds(&t.lines[3]), [ServerKind::Switchboard]);
    assert_eq!(payload(&t, 3), [b"hi".to_vec()]);
    assert_eq!(
        t.events
            .iter()
            .map(|e| (e.line, e.kind.clone()))
            .collect::<Vec<_>>(),
        [
            (5, EventKind::Connect("alice-ns".into())),
            (9, EventKind::Tick(30)),
            (10, EventKind::Connect("alice-sb".into())),
            (13, EventKind::Disconnect("alice-sb".into())),
        ]
    );
    assert_eq!(
        t.connection("alice-sb").map(|c| c.kind),
        Some(ServerKind::Switchboard)
    );
    assert_eq!(t.connection("carol"), None);
}

#[test]
fn server_kinds_of_untagged_lines_come_from_the_header() {
    let t = parse(b"# server: NS+SB\nC: PNG\n");
    assert_eq!(
        t.server_kinds(&t.lines[0]),
        [ServerKind::Notification, ServerKind::Switchboard]
    );
    assert!(t.header.server.as_ref().is_some_and(|s| s.both_connections));
    let t = parse(b"C: PNG\n");
    assert!(t.server_kinds(&t.lines[0]).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Problems

#[test]
fn stray_text_before_and_instead_of_the_header() {
    let t = parse(b"Example 1\n# server: NS\nClient connects\nC: VER 0 MSNP6\n");
    assert_eq!(
        problems(&t),
        [(1, ProblemKind::StrayText), (3, ProblemKind::StrayText)]
    );
    // The header is still read.
    assert!(t.header.server.is_some());
    assert_eq!(t.lines.len(), 1);

    let t = parse(b"just some text\n");
    assert_eq!(
        problems(&t),
        [
            (0, ProblemKind::NoProtocolLines),
            (1, ProblemKind::StrayText)
        ]
    );
}

#[test]
fn stray_text_after_an_event() {
    let t = parse(b"# connection: a NS\nC@a: OUT\n# event: a disconnect\nsome time passes\n\n");
    assert_eq!(problems(&t), [(4, ProblemKind::StrayText)]);
    assert!(t.lines[0].payload_lines.is_empty());
}

#[test]
fn hash_line_after_the_header() {
    let t = parse(b"# connection: a NS\n# event: a connect\n# note: late\nC@a: PNG\n");
    assert_eq!(problems(&t), [(3, ProblemKind::HashLineAfterHeader)]);
    assert!(t.header.notes.is_empty());
    let t = parse(b"# connection: a NS\nC@a: OUT\n# event: a disconnect\n# connection: b NS\n");
    assert_eq!(problems(&t), [(4, ProblemKind::HashLineAfterHeader)]);
    assert_eq!(t.connections.len(), 1);
}

#[test]
fn malformed_header_lines() {
    let t = parse(b"#source: x\n# server NS\n#\n# server:NS\n# server: NS\nC: PNG\n");
    assert_eq!(
        problems(&t),
        [
            (1, ProblemKind::MalformedHeaderLine),
            (2, ProblemKind::MalformedHeaderLine),
            (3, ProblemKind::MalformedHeaderLine),
            (4, ProblemKind::MalformedHeaderLine),
        ]
    );
    assert!(t.header.server.is_some());
}

#[test]
fn duplicate_header_keys() {
    let t = parse(
        b"# source: a\n# source: b\n# server: NS\n# server: SB\n# versions: MSNP6\n# versions: MSNP5\nC: PNG\n",
    );
    assert_eq!(
        problems(&t),
        [
            (
                2,
                ProblemKind::DuplicateHeaderKey {
                    key: "source".into()
                }
            ),
            (
                4,
                ProblemKind::DuplicateHeaderKey {
                    key: "server".into()
                }
            ),
            (
                6,
                ProblemKind::DuplicateHeaderKey {
                    key: "versions".into()
                }
            ),
        ]
    );
    assert_eq!(t.header.source.as_deref(), Some("a"));
    assert_eq!(t.header.server.map(|s| s.raw), Some("NS".into()));
    assert_eq!(t.header.versions.as_deref(), Some("MSNP6"));
}

#[test]
fn bad_server_and_missing_server() {
    let t = parse(b"# server: NS/SB+DS\nC: PNG\n");
    assert_eq!(
        problems(&t),
        [(
            1,
            ProblemKind::BadServer {
                value: "NS/SB+DS".into()
            }
        )]
    );
    assert_eq!(t.header.server, None);

    let t = parse(b"# source: x\n\nS: QNG\nC: PNG\n");
    assert_eq!(problems(&t), [(3, ProblemKind::MissingServer)]);

    // A tagged file needs no `# server:`.
    let t = parse(b"# connection: a DS\nC@a: VER 0 MSNP6\n");
    assert!(t.problems.is_empty(), "{:?}", t.problems);
}

#[test]
fn bad_and_duplicate_connection_declarations() {
    let t = parse(
        b"# connection: a NS\n\
          # connection: b\n\
          # connection: c XX\n\
          # connection: d@e NS\n\
          # connection: f NS extra\n\
          # connection: a SB\n\
          C@a: PNG\n",
    );
    assert_eq!(
        problems(&t),
        [
            (
                2,
                ProblemKind::BadConnectionDeclaration { value: "b".into() }
            ),
            (
                3,
                ProblemKind::BadConnectionDeclaration {
                    value: "c XX".into()
                }
            ),
            (
                4,
                ProblemKind::BadConnectionDeclaration {
                    value: "d@e NS".into()
                }
            ),
            (
                5,
                ProblemKind::BadConnectionDeclaration {
                    value: "f NS extra".into()
                }
            ),
            (6, ProblemKind::DuplicateConnection { name: "a".into() }),
        ]
    );
    assert_eq!(t.connections.len(), 1);
    assert_eq!(t.server_kinds(&t.lines[0]), [ServerKind::Notification]);
}

#[test]
fn bad_and_duplicate_expectations() {
    let t = parse(
        b"# server: NS\n\
          # expect: x error\n\
          # expect: 5 maybe\n\
          # expect: 6 error first\n\
          # expect: 6 lenient second\n\
          C: PNG\n",
    );
    assert_eq!(
        problems(&t),
        [
            (
                2,
                ProblemKind::BadExpectation {
                    value: "x error".into()
                }
            ),
            (
                3,
                ProblemKind::BadExpectation {
                    value: "5 maybe".into()
                }
            ),
            (5, ProblemKind::DuplicateExpectation { target: 6 }),
        ]
    );
    assert_eq!(t.header.expect.len(), 2);
}

#[test]
fn malformed_events() {
    let t = parse(
        b"# connection: a NS\n\
          # event: a\n\
          # event: a open\n\
          # event: tick\n\
          # event: tick soon\n\
          #event: tick 1\n\
          # event:tick 1\n\
          C@a: PNG\n",
    );
    let malformed = |value: &str| ProblemKind::MalformedEvent {
        value: value.into(),
    };
    assert_eq!(
        problems(&t),
        [
            (2, malformed(" a")),
            (3, malformed(" a open")),
            (4, malformed(" tick")),
            (5, malformed(" tick soon")),
            // `#event:` is not an event line, and the header ended at line 2.
            (6, ProblemKind::HashLineAfterHeader),
            (7, malformed("tick 1")),
        ]
    );
}

#[test]
fn unknown_connections_in_tags_and_events() {
    let t = parse(
        b"# connection: a NS\n\
          C@a: PNG\n\
          S@b: QNG\n\
          # event: c connect\n\
          S@b: QNG\n",
    );
    let unknown = |name: &str| ProblemKind::UnknownConnection { name: name.into() };
    assert_eq!(
        problems(&t),
        [(3, unknown("b")), (4, unknown("c")), (5, unknown("b"))]
    );
    // The lines are still returned, with their tags.
    assert_eq!(t.lines.len(), 3);
    assert_eq!(t.lines[1].connection.as_deref(), Some("b"));
    assert_eq!(t.lines[1].connection_kind, None);
    assert!(t.server_kinds(&t.lines[1]).is_empty());
    assert_eq!(t.events.len(), 1);
}

#[test]
fn tagged_and_untagged_lines_mixed() {
    let t = parse(b"# server: NS\n# connection: a NS\nC: PNG\nS@a: QNG\nC@a: PNG\n");
    assert_eq!(
        problems(&t),
        [(4, ProblemKind::TaggedLineInUntaggedFile { first: 3 })]
    );
    assert_eq!(t.lines.len(), 3);

    let t = parse(b"# connection: a NS\nC@a: PNG\nS: QNG\nS: QNG\n");
    assert_eq!(
        problems(&t),
        [
            (3, ProblemKind::UntaggedLineInTaggedFile { first: 2 }),
            (3, ProblemKind::MissingServer),
        ]
    );
    assert_eq!(t.lines.len(), 3);
}

#[test]
fn prefix_without_its_space() {
    let t = parse(b"# server: NS\nC:PNG\nC: MSG 1 U 3\nS:x\n# connection: bad\nS@a:QNG\n");
    assert_eq!(
        problems(&t),
        [
            (
                2,
                ProblemKind::MissingSpaceAfterPrefix {
                    prefix: "C:".into()
                }
            ),
            (
                4,
                ProblemKind::MissingSpaceAfterPrefix {
                    prefix: "S:".into()
                }
            ),
            (
                6,
                ProblemKind::MissingSpaceAfterPrefix {
                    prefix: "S@a:".into()
                }
            ),
        ]
    );
    // Line 2 is dropped (nothing to be a payload of); lines 4 to 6 are payload lines of line 3.
    assert_eq!(texts(&t), [(3, C, b"MSG 1 U 3".to_vec())]);
    assert_eq!(
        payload(&t, 0),
        [
            b"S:x".to_vec(),
            b"# connection: bad".to_vec(),
            b"S@a:QNG".to_vec()
        ]
    );
    let t = parse(b"# server: NS\nS:\n");
    assert_eq!(
        problems(&t),
        [
            (0, ProblemKind::NoProtocolLines),
            (
                2,
                ProblemKind::MissingSpaceAfterPrefix {
                    prefix: "S:".into()
                }
            ),
        ]
    );
}

#[test]
fn bad_tags() {
    let t = parse(b"# connection: a NS\nC@: PNG\nC@a b: PNG\nC@a\nS@a: MSG x y 1\nC@a@b: z\n");
    let bad = |prefix: &str| ProblemKind::BadTag {
        prefix: prefix.into(),
    };
    assert_eq!(
        problems(&t),
        [
            (2, bad("C@")),
            (3, bad("C@")),
            (4, bad("C@")),
            (6, bad("C@"))
        ]
    );
    assert_eq!(texts(&t), [(5, S, b"MSG x y 1".to_vec())]);
    assert_eq!(payload(&t, 0), [b"C@a@b: z".to_vec()]);
}

#[test]
fn no_protocol_lines() {
    for input in [&b""[..], b"\n", b"# server: NS\n", b"# server: NS\n\n\n"] {
        let t = parse(input);
        assert_eq!(
            problems(&t),
            [(0, ProblemKind::NoProtocolLines)],
            "{input:?}"
        );
    }
}

#[test]
fn problem_display() {
    let problem = Problem {
        line: 7,
        kind: ProblemKind::MissingSpaceAfterPrefix {
            prefix: "C:".into(),
        },
    };
    assert_eq!(
        problem.to_string(),
        "line 7: `C:` is not followed by a space, so this is not a protocol line"
    );
    let whole = Problem {
        line: 0,
        kind: ProblemKind::NoProtocolLines,
    };
    assert_eq!(whole.to_string(), "the transcript has no protocol lines");
    assert_eq!(
        ProblemKind::BadServer { value: "XX".into() }.to_string(),
        "`# server: XX` names no server (expected DS, NS, SB, DS/NS, NS/SB or NS+SB)"
    );
}

// ---------------------------------------------------------------------------------------------
// Properties

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../proptest-regressions/transcript_reader.txt"
            )),
        )),
        ..ProptestConfig::default()
    }
}

/// File lines built from pieces that matter to the reader, so that arbitrary inputs hit every rule.
fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"C: ".to_vec()),
        Just(b"S: ".to_vec()),
        Just(b"C:".to_vec()),
        Just(b"S@a: ".to_vec()),
        Just(b"C@b: ".to_vec()),
        Just(b"C@".to_vec()),
        Just(b"# ".to_vec()),
        Just(b"# event: ".to_vec()),
        Just(b"# connection: a NS".to_vec()),
        Just(b"# server: NS+SB".to_vec()),
        Just(b"# expect: 3 error x".to_vec()),
        Just(b"a connect".to_vec()),
        Just(b"tick 5".to_vec()),
        Just(b"source: ".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"#".to_vec()),
        Just(b":".to_vec()),
        Just(b"@".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    proptest::collection::vec(piece, 0..4).prop_map(|pieces| pieces.concat())
}

fn file_strategy() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(line_strategy(), 0..20),
        any::<bool>(),
    )
        .prop_map(|(lines, final_lf)| {
            let mut file = lines.join(&b'\n');
            if final_lf {
                file.push(b'\n');
            }
            file
        })
}

/// Splits a file into its lines (the piece after a final LF is not a line).
fn file_lines(input: &[u8]) -> Vec<&[u8]> {
    if input.is_empty() {
        return Vec::new();
    }
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    body.split(|&b| b == b'\n').collect()
}

/// Checks the structural invariants of a parse against the file's lines.
fn check_structure(input: &[u8], t: &Transcript) -> Result<(), TestCaseError> {
    let lines = file_lines(input);
    // Every line starting with `C: ` / `S: ` is a protocol line, with the text after the prefix.
    for (index, line) in lines.iter().enumerate() {
        for (prefix, direction) in [(&b"C: "[..], C), (b"S: ", S)] {
            if let Some(text) = line.strip_prefix(prefix) {
                let found = t.lines.iter().find(|l| l.line == index + 1);
                prop_assert!(found.is_some(), "line {} missing", index + 1);
                if let Some(found) = found {
                    prop_assert_eq!(found.direction, direction);
                    prop_assert_eq!(&found.text, &text.to_vec());
                    prop_assert_eq!(&found.connection, &None);
                }
            }
        }
    }
    // Every protocol line and payload line is the file line it claims to be, in order, and the
    // payload lines directly follow their command line.
    let mut previous = 0;
    for line in &t.lines {
        prop_assert!(line.line > previous);
        let raw = lines.get(line.line - 1).copied().unwrap_or_default();
        prop_assert!(raw.ends_with(&line.text));
        let prefix_len = raw.len() - line.text.len();
        prop_assert!(raw[..prefix_len].ends_with(b": "));
        let mut expected = line.line;
        for payload in &line.payload_lines {
            expected += 1;
            prop_assert_eq!(payload.line, expected);
            prop_assert_eq!(
                &payload.bytes,
                &lines
                    .get(expected - 1)
                    .copied()
                    .unwrap_or_default()
                    .to_vec()
            );
        }
        previous = expected;
    }
    for problem in &t.problems {
        prop_assert!(problem.line <= lines.len());
        prop_assert!(!problem.to_string().is_empty());
    }
    for event in &t.events {
        prop_assert!(event.line >= 1 && event.line <= lines.len());
    }
    Ok(())
}

/// A payload line that the reader cannot mistake for anything else.
fn plain_payload_line() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..12).prop_map(|mut bytes| {
        bytes.retain(|&b| b != b'\n');
        if matches!(bytes.first(), Some(b'C' | b'S' | b'#')) {
            bytes.insert(0, b'x');
        }
        bytes
    })
}

fn command_text() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..16).prop_map(|mut bytes| {
        bytes.retain(|&b| b != b'\n');
        bytes
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..200)) {
        let t = parse(&input);
        check_structure(&input, &t)?;
    }

    #[test]
    fn structured_noise_keeps_every_protocol_line(input in file_strategy()) {
        let t = parse(&input);
        check_structure(&input, &t)?;
        for line in &t.lines {
            // Rebuilding never panics, whatever the declared length.
            let _ = line.rebuild_payload(line.text.len());
            let _ = t.server_kinds(line);
        }
    }

    #[test]
    fn well_formed_untagged_files_read_back_exactly(
        server in prop_oneof![Just("DS"), Just("NS"), Just("SB"), Just("DS/NS"), Just("NS/SB"), Just("NS+SB")],
        notes in proptest::collection::vec("[a-z ]{0,10}", 0..3),
        lines in proptest::collection::vec(
            (any::<bool>(), command_text(), proptest::collection::vec(plain_payload_line(), 0..4)),
            1..8,
        ),
        final_lf in any::<bool>(),
    ) {
        let mut file = format!("# server: {server}\n").into_bytes();
        for note in &notes {
            file.extend_from_slice(format!("# note: {note}\n").as_bytes());
        }
        let mut expected = Vec::new();
        let mut line_no = 1 + notes.len();
        for (client, text, payload) in &lines {
            line_no += 1;
            file.extend_from_slice(if *client { b"C: " } else { b"S: " });
            file.extend_from_slice(text);
            file.push(b'\n');
            let command_line = line_no;
            let mut payload_lines = Vec::new();
            for bytes in payload {
                line_no += 1;
                file.extend_from_slice(bytes);
                file.push(b'\n');
                payload_lines.push(PayloadLine { line: line_no, bytes: bytes.clone() });
            }
            expected.push(ProtocolLine {
                line: command_line,
                direction: if *client { C } else { S },
                connection: None,
                connection_kind: None,
                text: text.clone(),
                payload_lines,
            });
        }
        // Without the final LF, the last line is the same unless it is an empty payload line.
        let last_is_empty = lines
            .last()
            .and_then(|(_, _, payload)| payload.last())
            .is_some_and(Vec::is_empty);
        if !final_lf && !last_is_empty {
            file.pop();
        }
        let t = parse(&file);
        prop_assert!(t.problems.is_empty(), "{:?}", t.problems);
        prop_assert_eq!(t.header.server.as_ref().map(|s| s.raw.as_str()), Some(server));
        let trimmed: Vec<String> = notes.iter().map(|n| n.trim().to_owned()).collect();
        prop_assert_eq!(&t.header.notes, &trimmed);
        prop_assert_eq!(t.lines, expected);
    }

    #[test]
    fn rebuild_payload_picks_the_first_matching_join(
        raw in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..8), 0..6),
        declared in 0usize..60,
    ) {
        let lines: Vec<PayloadLine> = raw
            .iter()
            .enumerate()
            .map(|(i, bytes)| PayloadLine { line: i + 1, bytes: bytes.clone() })
            .collect();
        let joins: Vec<Vec<u8>> = if raw.is_empty() {
            vec![Vec::new(); 3]
        } else {
            vec![
                raw.join(&b"\r\n"[..]),
                [raw.join(&b"\r\n"[..]), b"\r\n".to_vec()].concat(),
                raw.join(&b"\n"[..]),
            ]
        };
        match rebuild_payload(&lines, declared) {
            Ok((bytes, join)) => {
                let index = PayloadJoin::ALL.iter().position(|j| *j == join).unwrap_or(usize::MAX);
                prop_assert!(index < 3);
                prop_assert_eq!(&bytes, &joins[index]);
                prop_assert_eq!(bytes.len(), declared);
                for earlier in &joins[..index] {
                    prop_assert_ne!(earlier.len(), declared);
                }
            }
            Err(mismatch) => {
                prop_assert_eq!(
                    mismatch,
                    PayloadMismatch {
                        declared,
                        crlf: joins[0].len(),
                        crlf_plus_crlf: joins[1].len(),
                        lf: joins[2].len(),
                    }
                );
                prop_assert!(joins.iter().all(|j| j.len() != declared));
            }
        }
    }
}

/// A large file parses in linear time (a quadratic reader would take minutes here).
#[test]
fn large_inputs_are_linear() {
    let mut file = b"# server: SB\nC: MSG 1 U 1\n".to_vec();
    file.extend(std::iter::repeat_n(&b"x\n"[..], 400_000).flatten());
    file.extend(std::iter::repeat_n(&b"# event: a connect\n"[..], 50_000).flatten());
    file.extend(std::iter::repeat_n(&b"C: PNG\n"[..], 200_000).flatten());
    let t = parse(&file);
    assert_eq!(t.lines.len(), 200_001);
    assert_eq!(t.lines[0].payload_lines.len(), 400_000);
    assert_eq!(t.problems.len(), 50_000);
}

/// The streaming reader gives each protocol line out as soon as the next line shows it complete,
/// so a caller holds one line at a time (issue 17 §5); `parse` is a front end over it and gives
/// the same lines. Fails if `Stream` kept the lines until `finish`.
#[test]
fn stream_gives_lines_out_as_they_complete() {
    use msnp6_oracle::transcript::{Item, Stream};
    let mut file = String::from("# server: NS\n");
    for i in 1..=1000 {
        file.push_str(&format!("C: PNG\nS: QNG\n# event: tick {i}\n"));
    }
    let mut s = Stream::new();
    let mut given = Vec::new();
    let mut fed_protocol = 0;
    for raw in file.lines() {
        s.line(raw.as_bytes());
        fed_protocol += usize::from(raw.starts_with("C: ") || raw.starts_with("S: "));
        given.extend(s.items().filter_map(|i| match i {
            Item::Line(l) => Some(l),
            _ => None,
        }));
        assert!(
            given.len() + 1 >= fed_protocol,
            "held back: {fed_protocol} fed, {} given",
            given.len()
        );
    }
    let (t, rest) = s.finish();
    assert!(rest.is_empty(), "{rest:?}");
    assert!(t.lines.is_empty() && t.events.is_empty() && t.problems.is_empty());
    assert_eq!(given, parse(file.as_bytes()).lines);
}
