//! The server's logs never hold a password, a login digest, a challenge response or a
//! switchboard cookie (issue 20): a session with a login, a QRY and a switchboard login, every
//! log line of the crate captured at the most verbose level (frames included, redacted).

mod shell_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use msnp6::auth::{Challenge, KeyPair, Password, Salt, login_digest_string, qry_response_string};
use msnp6::types::ServerKind;
use msnp6_server::core::Config;
use msnp6_server::shell::ShellLimits;
use shell_support::{Client, account, start_core};

const HANDLE: &str = "secretive@example.com";
const PASSWORD: &str = "pa55-w0rd-never-logged";

/// A log sink shared with the test.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("sink").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_password_digest_response_or_cookie() {
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("msnp6_server=trace")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let accounts = vec![account(HANDLE, PASSWORD, "name")];
    let server = start_core(ShellLimits::default(), Config::reference(), accounts);
    let mut c = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    c.say("VER 1 MSNP6 CVR0").await;
    c.until("VER").await;
    c.say(&format!("USR 2 MD5 I {HANDLE}")).await;
    let salt = Client::text(&c.until("USR").await)
        .strip_prefix("USR 2 MD5 S ")
        .expect("salt")
        .to_owned();
    let digest = login_digest_string(
        Salt::new(salt.as_bytes()).expect("salt"),
        Password::new(PASSWORD.as_bytes()),
    );
    c.say(&format!("USR 3 MD5 S {digest}")).await;
    assert!(Client::text(&c.until("USR").await).starts_with("USR 3 OK"));
    // A challenge asked for, answered right (reference §3.4 CHL, QRY).
    c.say("CHL 4").await;
    let chl = Client::text(&c.until("CHL").await);
    let challenge = chl.strip_prefix("CHL 4 ").expect("challenge").to_owned();
    let key = KeyPair::MSMSGS.private_key.expect("the MSNP6 key");
    let response = qry_response_string(
        Challenge::new(challenge.as_bytes()).expect("challenge"),
        key,
    );
    c.send(format!("QRY 5 msmsgs@msnmsgr.com 32\r\n{response}").as_bytes())
        .await;
    assert_eq!(Client::text(&c.until("QRY").await), "QRY 5");
    // A switchboard cookie, used (online first: reference §3.1 XFR, 913 when offline).
    c.say("CHG 6 NLN").await;
    c.until("CHG").await;
    c.say("XFR 7 SB").await;
    let xfr = Client::text(&c.until("XFR").await);
    let cookie = xfr.rsplit(' ').next().expect("cookie").to_owned();
    let mut sb = Client::connect(server.addrs.sb, ServerKind::Switchboard).await;
    sb.say(&format!("USR 1 {HANDLE} {cookie}")).await;
    assert!(Client::text(&sb.until("USR").await).starts_with("USR 1 OK"));
    sb.say("OUT").await;
    sb.rest().await;
    c.say("OUT").await;
    c.rest().await;
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .expect("stop");

    let logs = String::from_utf8_lossy(&sink.0.lock().expect("sink")).into_owned();
    // The frames are logged (so the check below means something), redacted.
    assert!(logs.contains("<- USR 3 [redacted]"), "{logs}");
    assert!(logs.contains("<- QRY 5 [redacted]"), "{logs}");
    assert!(
        logs.contains("<- CHG") || logs.contains("<- CHL 4"),
        "{logs}"
    );
    for (what, secret) in [
        ("password", PASSWORD),
        ("digest", digest.as_str()),
        ("QRY response", response.as_str()),
        ("cookie", cookie.as_str()),
    ] {
        assert!(
            !logs.contains(secret),
            "the {what} {secret} is in the logs:\n{logs}"
        );
    }
}
