//! `msnp6 probe` (issue 19): exit 0 against the reference server, 1 against a faulty one (with
//! `--features faults`), 2 for usage errors and an unreachable server; `--json` prints one object
//! per finding and a summary.

use std::net::{SocketAddr, TcpListener};
use std::process::{Command, Output};

use msnp6_probe::reference::{Config, ReferenceServer};
use serde_json::Value;

fn msnp6() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msnp6"))
}

const ACCOUNTS: [&str; 6] = [
    "--account",
    "alice@example.com:alice-pw",
    "--account",
    "bob@example.com:bob-pw",
    "--account",
    "carol@example.com:carol-pw",
];

fn out_dir(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("msnp6-cli-probe-{name}-{}", std::process::id()))
        .display()
        .to_string()
}

/// `msnp6 probe --ns ADDR` with the demo accounts and `extra` arguments.
fn probe(ns: SocketAddr, name: &str, extra: &[&str]) -> Output {
    let out = out_dir(name);
    let output = msnp6()
        .args(["probe", "--ns", &ns.to_string()])
        .args(["--out", &out])
        .args(ACCOUNTS)
        .args(extra)
        .output()
        .expect("msnp6 runs");
    let _ = std::fs::remove_dir_all(out);
    output
}

fn json_lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn the_reference_server_probes_clean() {
    let server = ReferenceServer::start(Config::loopback()).expect("reference starts");
    let output = probe(
        server.addrs().ns,
        "clean",
        &[
            "--sessions",
            "2",
            "--seed",
            "4",
            "--time-limit",
            "30",
            "--reply-timeout",
            "1500",
        ],
    );
    server.shutdown();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("probe: 2 sessions, "), "{stdout}");
    assert!(stdout.contains(", 0 findings in "), "{stdout}");
    assert!(stderr.contains("session 2/2 done, 0 findings"), "{stderr}");
}

#[test]
fn json_is_one_summary_object_when_clean() {
    let server = ReferenceServer::start(Config::loopback()).expect("reference starts");
    let output = probe(
        server.addrs().ns,
        "json",
        &[
            "--sessions",
            "1",
            "--json",
            "--time-limit",
            "30",
            "--reply-timeout",
            "1500",
        ],
    );
    server.shutdown();
    assert_eq!(output.status.code(), Some(0));
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["type"], "summary");
    assert_eq!(lines[0]["sessions"], 1);
    assert_eq!(lines[0]["findings"], 0);
}

#[cfg(feature = "faults")]
#[test]
fn a_faulty_server_is_exit_1_with_its_rule() {
    use msnp6_probe::reference::Fault;
    let server = ReferenceServer::start(Config::loopback().with_fault(Fault::WrongTrid))
        .expect("reference starts");
    let output = probe(
        server.addrs().ns,
        "fault",
        &[
            "--sessions",
            "1",
            "--json",
            "--time-limit",
            "12",
            "--reply-timeout",
            "1500",
        ],
    );
    server.shutdown();
    assert_eq!(output.status.code(), Some(1));
    let lines = json_lines(&output);
    let finding = lines
        .iter()
        .find(|l| l["type"] == "finding" && l["rule"] == "TRID-ECHO")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(finding["section"], "1.2");
    assert_eq!(finding["reproduced"], true);
    assert!(
        finding["shrunk_events"].as_u64() < finding["events"].as_u64(),
        "{finding:#}"
    );
    assert_eq!(
        lines.last().map(|l| l["type"].clone()),
        Some("summary".into())
    );
}

#[test]
fn usage_errors_and_an_unreachable_server_are_exit_2() {
    let no_account = msnp6()
        .args(["probe", "--ns", "127.0.0.1:1"])
        .output()
        .expect("runs");
    assert_eq!(no_account.status.code(), Some(2));
    let no_address = msnp6()
        .args(["probe"])
        .args(ACCOUNTS)
        .output()
        .expect("runs");
    assert_eq!(no_address.status.code(), Some(2));
    let bad_account = msnp6()
        .args(["probe", "--ns", "127.0.0.1:1", "--account", "alice"])
        .output()
        .expect("runs");
    assert_eq!(bad_account.status.code(), Some(2));
    let bad_handle = msnp6()
        .args(["probe", "--ns", "127.0.0.1:1", "--account", "al ice:pw"])
        .output()
        .expect("runs");
    assert_eq!(bad_handle.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_handle.stderr);
    assert!(stderr.contains("is not a handle"), "{stderr}");
    let free = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let unreachable = probe(free, "unreachable", &["--time-limit", "5"]);
    assert_eq!(unreachable.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unreachable.stderr);
    assert!(
        stderr.contains(&format!("cannot connect to {free}")),
        "{stderr}"
    );
}

#[test]
fn huge_limits_do_not_panic() {
    let server = ReferenceServer::start(Config::loopback()).expect("reference starts");
    let max = u64::MAX.to_string();
    let output = probe(
        server.addrs().ns,
        "huge",
        &[
            "--sessions",
            "1",
            "--time-limit",
            &max,
            "--reply-timeout",
            &max,
        ],
    );
    server.shutdown();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}
