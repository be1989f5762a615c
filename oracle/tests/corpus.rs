//! Every transcript of the corpus (`corpus/`) checks as its `# expect:` lines say: each listed
//! line gives the listed result, every other protocol line is "ok" (decoded strictly and
//! re-encoded to the same bytes).

use std::path::{Path, PathBuf};

use msnp6::Decoder;
use msnp6_oracle::check::{CheckOptions, Outcome, check};
use msnp6_oracle::transcript::{ExpectedResult, parse};

fn corpus_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut files = Vec::new();
    for dir in ["examples", "sessions"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("corpus directory") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn corpus_checks_as_expected() {
    let files = corpus_files();
    assert!(
        files.len() >= 40,
        "the corpus has one file per documented example"
    );
    let mut failures = Vec::new();
    let mut lines = 0;
    for path in &files {
        let t = parse(&std::fs::read(path).expect("read"));
        assert!(
            t.problems.is_empty(),
            "{}: {:?}",
            path.display(),
            t.problems
        );
        let strict = check(&t, &CheckOptions::default());
        let lenient = check(
            &t,
            &CheckOptions {
                lenient: true,
                ..CheckOptions::default()
            },
        );
        for (s, l) in strict.iter().zip(&lenient) {
            lines += 1;
            let expected = t.expectation(s.line).map(|e| e.result);
            let ok = match expected {
                None => s.outcome == Outcome::Ok,
                Some(ExpectedResult::Error) => {
                    matches!(s.outcome, Outcome::Error(_)) && matches!(l.outcome, Outcome::Error(_))
                }
                Some(ExpectedResult::Lenient) => {
                    matches!(s.outcome, Outcome::Error(_))
                        && l.outcome == Outcome::Lenient
                        && !l.warnings.is_empty()
                }
                Some(_) => false,
            };
            if !ok {
                failures.push(format!(
                    "{}:{}: expected {:?}, strict {:?}, lenient {:?}",
                    path.display(),
                    s.line,
                    expected,
                    s.outcome,
                    l.outcome
                ));
            }
        }
        // Every expectation names a protocol line.
        for e in &t.header.expect {
            assert!(
                strict.iter().any(|r| r.line == e.line),
                "{}: # expect: names line {} which is no protocol line",
                path.display(),
                e.line
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(lines > 150, "{lines} protocol lines checked");
}

/// Reference §8: the MSNP6 session works byte for byte, payloads included.
#[test]
fn section_8_session_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/sessions");
    let t = parse(&std::fs::read(root.join("msnp6-login-ns-fixed.txt")).expect("read"));
    let report = check(&t, &CheckOptions::default());
    assert!(
        report.iter().all(|r| r.outcome == Outcome::Ok),
        "{report:#?}"
    );
    let profile = report
        .iter()
        .find(|r| r.payload_len == Some(367))
        .expect("the 367-byte profile");
    assert_eq!(profile.payload_join.map(|j| j.as_str()), Some("crlf+crlf"));
    let ipg = report
        .iter()
        .find(|r| r.command.as_deref() == Some("IPG"))
        .expect("IPG");
    assert_eq!(ipg.payload_len, Some(478));
    assert_eq!(ipg.payload_join.map(|j| j.as_str()), Some("lf"));
}

/// Every documented example validates (`msnp6::validate`), except the two client lines the
/// reference shows being refused, and for those the next server line is exactly the
/// `Answer::reply`.
#[test]
fn documented_examples() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus");
    let mut refused = Vec::new();
    for dir in ["examples", "sessions"] {
        let entries = std::fs::read_dir(format!("{root}/{dir}")).expect("corpus directory");
        for entry in entries {
            let path = entry.expect("entry").path();
            let t = parse(&std::fs::read(&path).expect("readable"));
            for (i, l) in t.lines.iter().enumerate() {
                for &server in t.server_kinds(l) {
                    let d = Decoder::new(l.direction, server);
                    let Ok(declared) = d.payload_length(&l.text) else {
                        continue;
                    };
                    let mut frame = l.text.clone();
                    frame.extend_from_slice(b"\r\n");
                    if let Some(n) = declared {
                        let Ok((payload, _)) = l.rebuild_payload(n) else {
                            continue;
                        };
                        frame.extend_from_slice(&payload);
                    }
                    let Ok(decoded) = d.decode(&frame) else {
                        continue;
                    };
                    if let Err(e) = decoded.command.validate(d.context) {
                        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                        let answer = e
                            .answer
                            .unwrap_or_else(|| panic!("{name:?}:{}: server line {e}", l.line));
                        let trid = decoded
                            .command
                            .trid()
                            .expect("client commands with answers have a TrID");
                        let reply = answer.reply(trid).expect("a reply line").to_string();
                        let next = t
                            .lines
                            .get(i + 1)
                            .map(|n| String::from_utf8_lossy(&n.text).into_owned());
                        assert_eq!(next.as_deref(), Some(reply.as_str()), "{name:?}:{}", l.line);
                        refused.push(String::from_utf8_lossy(&l.text).into_owned());
                    }
                    break;
                }
            }
        }
    }
    refused.sort();
    assert_eq!(
        refused,
        [
            "PRP 2 NEW very%20yes",
            "VER 1 DISREGARDANCE FOR A REAL PROTOCOL"
        ]
    );
}
