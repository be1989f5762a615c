//! The `msnp6` binary: exit statuses, JSON output, stdin, the challenge command.

mod common;

use common::{corpus, json_lines, msnp6, over_the_corpus_but_the_defective_session, run_stdin};

#[test]
fn check_the_whole_corpus_but_the_defective_session() {
    let out = over_the_corpus_but_the_defective_session("check")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn defective_session_exit_status_and_json() {
    let file = corpus("sessions/msnp6-login-ns.txt");
    let strict = msnp6()
        .args(["transcript", "check", "--json", &file])
        .output()
        .expect("run");
    assert_eq!(strict.status.code(), Some(1));
    let lines = json_lines(&strict.stdout);
    let mds = lines.iter().find(|v| v["line"] == 19).expect("line 19");
    assert_eq!(mds["result"], "error");
    assert_eq!(mds["dir"], "S");
    assert_eq!(mds["server"], "NS");
    assert!(
        mds["error"].as_str().expect("error").contains("byte 6"),
        "{mds}"
    );
    let profile = lines
        .iter()
        .find(|v| v["payload_len"] == 367)
        .expect("profile");
    assert_eq!(profile["payload_join"], "crlf+crlf");
    assert_eq!(profile["command"], "MSG");
    assert_eq!(profile["result"], "ok");

    // Lenient: the MDS typo decodes with a warning; the $md5(...) placeholder still fails.
    let lenient = msnp6()
        .args(["transcript", "check", "--lenient", "--json", &file])
        .output()
        .expect("run");
    assert_eq!(lenient.status.code(), Some(1));
    let v = json_lines(&lenient.stdout);
    assert_eq!(
        v.iter().find(|x| x["line"] == 19).expect("19")["result"],
        "lenient"
    );
    assert_eq!(
        v.iter().find(|x| x["line"] == 20).expect("20")["result"],
        "error"
    );
}

#[test]
fn stdin_error_codes_and_usage() {
    let (code, out) = run_stdin(
        &["transcript", "check", "--json", "-"],
        b"# server: NS\nC: ADD 9 BL a@b.c a\nS: 219 9\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"command\":\"219\""), "{out}");
    let (code, _) = run_stdin(&["transcript", "check", "-"], b"# server: SB\nC: IPG 5\n");
    assert_eq!(code, 1);
    assert_eq!(
        msnp6()
            .args(["transcript", "check", "/nonexistent/file"])
            .output()
            .expect("run")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        msnp6()
            .args(["transcript", "check", "--dialect", "MSNP9", "-"])
            .output()
            .expect("run")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        msnp6()
            .args(["transcript", "frobnicate"])
            .output()
            .expect("run")
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn dialect_changes_shapes() {
    let input = b"# server: NS\nS: USR 4 OK example@hotmail.com example%20user\n";
    assert_eq!(run_stdin(&["transcript", "check", "-"], input).0, 1);
    assert_eq!(
        run_stdin(&["transcript", "check", "--dialect", "MSNP5", "-"], input).0,
        0
    );
}

#[test]
fn challenge_known_answers() {
    let out = msnp6()
        .args(["challenge", "11111111111111111111"])
        .output()
        .expect("run");
    assert_eq!(out.stdout, b"3b6666b60157322b6fc6e41a115968f5\n");
    let out = msnp6()
        .args([
            "challenge",
            "12345678901234567890",
            "--key",
            "msmsgs@msnmsgr.com",
        ])
        .output()
        .expect("run");
    assert_eq!(out.stdout, b"8ba1bb9d6dbf624fee31a2053af5fdd0\n");
    let out = msnp6()
        .args(["challenge", "1", "--private-key", "Q1P7W2E4J9R8U3S5"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let out = msnp6()
        .args(["challenge", "1", "--key", "nobody"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("msmsgs@msnmsgr.com"));
}
