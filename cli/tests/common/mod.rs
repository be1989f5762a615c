//! What the CLI tests share: running the `msnp6` binary and reading the corpus.

#![allow(dead_code)] // each test binary uses its own part

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The `msnp6` binary built for these tests.
pub(crate) fn msnp6() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msnp6"))
}

/// A path below the repository's `corpus/`.
pub(crate) fn corpus(path: &str) -> String {
    format!("{}/../corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// `msnp6 transcript <subcommand>` over every transcript of `corpus/examples` and
/// `corpus/sessions` but the session with the documented defects (`msnp6-login-ns.txt`).
pub(crate) fn over_the_corpus_but_the_defective_session(subcommand: &str) -> Command {
    let mut cmd = msnp6();
    cmd.args(["transcript", subcommand]);
    for dir in ["examples", "sessions"] {
        for e in std::fs::read_dir(corpus(dir)).expect("dir") {
            let p = e.expect("entry").path();
            // 3.1-xfr.txt stops after a client VER that the excerpt never answers: `verify`
            // reports it at the end (issue 17 §3).
            let unanswered = subcommand == "verify" && p.ends_with("3.1-xfr.txt");
            if !p.ends_with("msnp6-login-ns.txt") && !unanswered {
                cmd.arg(p);
            }
        }
    }
    cmd
}

/// Runs `msnp6 args…` with `input` on standard input: (exit status, standard output).
pub(crate) fn run_stdin(args: &[&str], input: &[u8]) -> (i32, String) {
    let mut child = msnp6()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Output with one JSON object per line.
pub(crate) fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}
