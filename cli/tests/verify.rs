//! `msnp6 transcript verify`: exit statuses, human and JSON output, accounts, stdin.

mod common;

use common::{corpus, json_lines, msnp6, over_the_corpus_but_the_defective_session, run_stdin};

use serde_json::Value;

#[test]
fn the_corpus_verifies_but_the_defective_session() {
    let out = over_the_corpus_but_the_defective_session("verify")
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
fn defective_session_json() {
    let file = corpus("sessions/msnp6-login-ns.txt");
    let out = msnp6()
        .args(["transcript", "verify", "--json", &file])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v = json_lines(&out.stdout);
    assert_eq!(v.len(), 3, "{v:?}");
    assert_eq!(v[0]["file"], file.as_str());
    assert_eq!(v[0]["line"], 19);
    assert_eq!(v[0]["side"], "server");
    assert_eq!(v[0]["rule"], "LINE-SYNTAX");
    assert_eq!(v[0]["section"], "1.1");
    assert_eq!(v[0]["connection"], "NS");
    assert!(v[0]["message"].as_str().is_some_and(|m| m.contains("MD5")));
    assert_eq!(v[1]["line"], 20);
    assert_eq!(v[1]["side"], "client");
    assert_eq!(v[1]["rule"], "CLIENT-SYNTAX");
    assert_eq!(v[2]["file"], file.as_str());
    assert_eq!(v[2]["conforms"], false);
    assert!(v[2].get("line").is_none());
}

#[test]
fn accounts_check_the_digest() {
    let file = corpus("sessions/msnp6-login-ns-fixed.txt");
    let good = msnp6()
        .args([
            "transcript",
            "verify",
            "--account",
            "example@hotmail.com:password",
            &file,
        ])
        .output()
        .expect("run");
    assert_eq!(
        good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&good.stdout)
    );
    let bad = msnp6()
        .args([
            "transcript",
            "verify",
            "--json",
            "--account",
            "example@hotmail.com:letmein",
            &file,
        ])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(1));
    let v = json_lines(&bad.stdout);
    assert_eq!(v[0]["line"], 22);
    assert_eq!(v[0]["rule"], "LOGIN-DIGEST");
    assert_eq!(v.last().expect("file object")["conforms"], false);
}

#[test]
fn stdin_human_output_and_client_violations() {
    // A client mistake only: reported, exit status 0.
    let (code, out) = run_stdin(
        &["transcript", "verify", "-"],
        b"# server: NS\nC: PRP 2 NEW very%20yes\nS: 715 2\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("-:2: [NS] client CLIENT-VALUE"), "{out}");
    assert!(out.contains("-: conforms"), "{out}");
    // A server violation: exit status 1.
    let (code, out) = run_stdin(
        &["transcript", "verify", "-"],
        b"# server: NS\nC: CHG 1 NLN\nS: CHG 2 NLN\n",
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("-:3: [NS] server TRID-ECHO (§1.2)"), "{out}");
    assert!(out.contains("does not conform"), "{out}");
}

#[test]
fn several_files_and_corpus_verify() {
    let good = corpus("verify/good-two-users.txt");
    let bad = corpus("verify/bad-replies.txt");
    let out = msnp6()
        .args([
            "transcript",
            "verify",
            "--json",
            "--account",
            "alice@example.com:secret",
            "--account",
            "bob@example.com:hunter2",
            &good,
            &bad,
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v = json_lines(&out.stdout);
    let files: Vec<&Value> = v.iter().filter(|o| o.get("conforms").is_some()).collect();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["conforms"], true);
    assert_eq!(files[1]["conforms"], false);
    assert!(
        v.iter()
            .any(|o| o["file"] == bad.as_str() && o["rule"] == "TRID-ECHO")
    );
}

#[test]
fn usage_and_io_errors() {
    let status = |args: &[&str]| msnp6().args(args).output().expect("run").status.code();
    assert_eq!(
        status(&["transcript", "verify", "/nonexistent/file"]),
        Some(2)
    );
    assert_eq!(status(&["transcript", "verify"]), Some(2));
    assert_eq!(
        status(&["transcript", "verify", "--account", "no-colon", "-"]),
        Some(2)
    );
    assert_eq!(
        status(&["transcript", "verify", "--frobnicate", "-"]),
        Some(2)
    );
    assert_eq!(
        status(&["transcript", "verify", "--dialect", "MSNP9", "-"]),
        Some(2)
    );
}
