//! What a newcomer feeds the `msnp6` binary by mistake (issue 18): files that are not
//! transcripts, floods of one message, CR LF transcripts, closed pipes, strings that are not
//! challenges. Each runs through the built binary; the exit status and the message are asserted.

mod common;

use std::path::PathBuf;
use std::process::Stdio;

use common::{corpus, msnp6};

/// Runs `msnp6 args…`: (exit status, standard output, standard error).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = msnp6().args(args).output().expect("run msnp6");
    (
        out.status.code().expect("exit status"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A file of this test process holding `bytes`, named after `name`.
fn temp_file(name: &str, bytes: &[u8]) -> String {
    let dir: PathBuf = std::env::temp_dir().join(format!("msnp6-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path.to_str().expect("utf-8 path").to_owned()
}

/// `check` and `verify` of `file`: exit status 1 and the one summary line
/// `FILE: not a transcript: WHY`, never "conforms", and nothing on stderr.
fn assert_not_a_transcript(file: &str, why: &str) {
    for sub in ["check", "verify"] {
        let (code, out, err) = run(&["transcript", sub, file]);
        assert_eq!(code, 1, "{sub} {file}: {out}{err}");
        assert_eq!(out, format!("{file}: not a transcript: {why}\n"), "{sub}");
        assert_eq!(err, "", "{sub} {file}");
    }
}

#[test]
fn a_binary_file_is_not_a_transcript() {
    // The binary under test: a file that is surely there and surely binary.
    let exe = env!("CARGO_BIN_EXE_msnp6");
    let at = std::fs::read(exe)
        .expect("read the binary")
        .iter()
        .position(|&b| b == 0)
        .expect("a NUL byte");
    assert_not_a_transcript(
        exe,
        &format!("a binary file (a NUL byte at offset {at}; transcripts are plain text)"),
    );
    // Random bytes that happen to hold protocol lines are still binary, not a transcript that
    // "conforms".
    let mut bytes = b"# server: NS\nC: OUT\n".to_vec();
    let mut x: u32 = 0x6d73_6e70;
    bytes.extend((0..4096).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x.to_le_bytes()[0]
    }));
    bytes.extend_from_slice(b"\0\nC: OUT\n");
    let at = bytes.iter().position(|&b| b == 0).expect("a NUL byte");
    assert_not_a_transcript(
        &temp_file("random.bin", &bytes),
        &format!("a binary file (a NUL byte at offset {at}; transcripts are plain text)"),
    );
}

#[test]
fn an_empty_file_is_not_a_transcript() {
    assert_not_a_transcript(&temp_file("empty.txt", b""), "the file is empty");
}

#[test]
fn a_file_without_protocol_lines_is_not_a_transcript() {
    let file = temp_file(
        "prose.txt",
        b"# source: a note\nClient connects, then:\nVER 1 MSNP6\n",
    );
    assert_not_a_transcript(
        &file,
        "no protocol line (`C: ...` or `S: ...`, docs/transcript-format.md)",
    );
}

#[test]
fn the_json_summary_of_a_file_that_is_not_a_transcript() {
    let file = temp_file("empty-json.txt", b"");
    let (code, out, _) = run(&["transcript", "verify", "--json", &file]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["conforms"], false);
    assert_eq!(v["error"], "the file is empty");
    let (code, out, _) = run(&["transcript", "check", "--json", &file]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["result"], "error");
}

#[test]
fn messages_of_one_kind_stop_after_twenty_then_a_count() {
    let mut text: Vec<u8> = (0..5000)
        .flat_map(|i| format!("narrative text {i}\n").into_bytes())
        .collect();
    text.extend_from_slice(b"C: VER 1 MSNP6 CVR0\n");
    let file = temp_file("flood.txt", &text);
    for sub in ["check", "verify"] {
        let (_, _, err) = run(&["transcript", sub, &file]);
        let stray = err
            .lines()
            .filter(|l| l.contains("neither a header"))
            .count();
        assert_eq!(stray, 20, "{sub}: {err}");
        assert!(
            err.contains(&format!(
                "{file}: transcript format: 4980 more problems like the one at line 1, not shown"
            )),
            "{sub}: {err}"
        );
        assert!(err.lines().count() < 30, "{sub}: {err}");
    }
}

#[test]
fn verify_shows_twenty_violations_of_a_rule_then_a_count() {
    let mut text = b"# server: NS\n".to_vec();
    for i in 0..30 {
        text.extend_from_slice(format!("S: BOGUS {i}\n").as_bytes());
    }
    let file = temp_file("violations.txt", &text);
    let (code, out, _) = run(&["transcript", "verify", &file]);
    assert_eq!(code, 1);
    let shown = out
        .lines()
        .filter(|l| l.contains("LINE-SYNTAX (§1.1)"))
        .count();
    assert_eq!(shown, 20, "{out}");
    assert!(
        out.ends_with(&format!(
            "{file}: 10 more server LINE-SYNTAX violations not shown (the first at line 2; at \
             most 20 per rule)\n{file}: does not conform (30 server violation(s), 0 client \
             violation(s))\n"
        )),
        "{out}"
    );
    // JSON shows them all.
    let (_, out, _) = run(&["transcript", "verify", "--json", &file]);
    assert_eq!(out.lines().count(), 31, "{out}");
}

#[test]
fn a_crlf_transcript_is_read_and_its_cr_reported() {
    let lf = std::fs::read(corpus("sessions/msnp6-login-ns-fixed.txt")).expect("corpus");
    let crlf: Vec<u8> = lf
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    let lines = lf.iter().filter(|&&b| b == b'\n').count();
    let file = temp_file("crlf.txt", &crlf);
    let message = format!(
        "{file}:1: transcript format: {lines} lines end with CR LF, but transcript files end \
         lines with LF (docs/transcript-format.md): read without the CR\n"
    );

    // Strict: every protocol line checks, and the CR is a deviation (exit 1).
    let (code, out, err) = run(&["transcript", "check", &file]);
    assert_eq!(err, message);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.ends_with(": 18 lines: 18 ok, 0 lenient, 0 error\n"),
        "{out}"
    );
    // Lenient: the same lines, the CR reported, exit 0.
    let (code, _, err) = run(&["transcript", "check", "--lenient", &file]);
    assert_eq!((code, err.as_str()), (0, message.as_str()));
    // verify judges the server side: it conforms; the CR is reported.
    let (code, out, err) = run(&["transcript", "verify", &file]);
    assert_eq!((code, err.as_str()), (0, message.as_str()), "{out}");
    assert!(out.ends_with(": conforms (0 server violation(s), 0 client violation(s))\n"));
}

#[test]
fn one_line_is_one_line() {
    let file = temp_file("one.txt", b"# server: NS\nC: OUT\n");
    let (code, out, _) = run(&["transcript", "check", &file]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with(&format!("{file}: 1 line: 1 ok, 0 lenient, 0 error\n")),
        "{out}"
    );
}

/// `msnp6 … 2>&1 | head -3`: standard output and standard error closed while the tool still
/// writes to both. The tool must end with its status (1 or 2), not panic (101).
#[test]
fn closed_stdout_and_stderr_are_no_panic() {
    // One stderr message (a stray line) and stdout lines per file, 2000 times: more than a
    // pipe's buffer, so writes fail whenever the pipes are closed.
    let file = temp_file("stray.txt", b"stray\n# server: NS\nC: OUT\nS: OUT\n");
    for sub in ["check", "verify"] {
        let mut child = msnp6()
            .args(["transcript", sub])
            .args(std::iter::repeat_n(&file, 2000))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().expect("wait");
        assert!(matches!(status.code(), Some(1 | 2)), "{sub}: {status}");
    }
    // The challenge's one line, to a closed stdout.
    let mut child = msnp6()
        .args(["challenge", "11111111111111111111"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().expect("wait");
    assert!(matches!(status.code(), Some(0 | 2)), "challenge: {status}");
}

#[test]
fn what_is_not_a_challenge_is_refused() {
    let long = "1".repeat(3000);
    for (challenge, why) in [
        ("", "empty value"),
        (
            "has space",
            "byte 0x20 at offset 3 cannot appear in a parameter",
        ),
        (long.as_str(), "3000 bytes, more than the limit of 2033"),
        (&"7".repeat(2034), "2034 bytes, more than the limit of 2033"),
    ] {
        let (code, out, err) = run(&["challenge", challenge]);
        assert_eq!((code, out.as_str()), (2, ""), "{challenge:?}");
        assert!(
            err.starts_with("msnp6: not a challenge (docs/msnp6-protocol.md §3.4 CHL, §9): ")
                && err.contains(why),
            "{err}"
        );
    }
    let (code, out, _) = run(&["challenge", &"7".repeat(2033)]);
    assert_eq!((code, out.len()), (0, 33));
    let (code, out, _) = run(&["challenge", "11111111111111111111"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "3b6666b60157322b6fc6e41a115968f5\n")
    );
}
