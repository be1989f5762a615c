//! Switchboard sessions (reference §3.5, §8): the caller (`USR` with the cookie of `XFR SB`,
//! `CAL`, wait for `JOI`, [`MESSAGES`] × `MSG A` -> `ACK`, `OUT`) and the callee (on `RNG`:
//! `ANS`, `IRO`s, `ANS OK`, read until the caller leaves, `OUT`). Each runs as its own task,
//! bounded by the window's end plus the grace period.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use msnp6::ServerKind;
use msnp6::commands::Command;
use msnp6::commands::switchboard::Rng;
use tokio::time::Instant;

use super::client::{expect, handle};
use super::conn::Conn;
use super::stats::Stats;
use super::{LoadError, Shared, Window};

/// How long a caller waits for the callee's `JOI` (the callee may be logging in again: its
/// `RNG` went to the connection it closed).
pub const JOIN_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Messages the caller sends per session.
pub const MESSAGES: u32 = 5;

/// A plain-text message as MSN Messenger 3.6 sends it (reference §10.2).
const MESSAGE: &str = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\
X-MMS-IM-Format: FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=0\r\n\r\nhello from the load generator";

/// A session to call.
#[derive(Debug)]
pub struct Call {
    /// The caller's index.
    pub caller: usize,
    /// The callee's index.
    pub callee: usize,
    /// The SB address of `XFR SB`.
    pub address: String,
    /// The cookie of `XFR SB`.
    pub cookie: String,
    /// Cleared when the session ends (the caller may call again).
    pub done: Arc<AtomicBool>,
}

/// Starts the caller's session as a task.
pub fn call(shared: &Arc<Shared>, call: Call, window: Window) {
    let shared = Arc::clone(shared);
    shared.started();
    tokio::spawn(async move {
        let mut stats = Stats::default();
        if let Err(e) = caller(&shared, &call, window, &mut stats).await {
            stats.fail(format!("caller {} -> {}: {e}", call.caller, call.callee));
        }
        call.done.store(false, Ordering::Relaxed);
        shared.finish(&stats);
    });
}

/// Starts the callee's session (after `RNG`) as a task.
pub fn answer(shared: &Arc<Shared>, callee: usize, rng: &Rng<'static>, window: Window) {
    let shared = Arc::clone(shared);
    shared.started();
    let ring = (
        rng.session.as_str().unwrap_or_default().to_owned(),
        rng.address.as_str().unwrap_or_default().to_owned(),
        rng.cookie.as_str().unwrap_or_default().to_owned(),
    );
    tokio::spawn(async move {
        let mut stats = Stats::default();
        if let Err(e) = callee_session(&shared, callee, &ring, window, &mut stats).await {
            stats.fail(format!("callee {callee}: {e}"));
        }
        shared.finish(&stats);
    });
}

/// Times one request: sends `line`, waits for the reply with `trid` (frames before it are
/// counted), records the latency if inside the window.
async fn request(
    sb: &mut Conn,
    trid: u32,
    line: &[u8],
    window: Window,
    stats: &mut Stats,
) -> Result<Command<'static>, LoadError> {
    let sent = Instant::now();
    sb.send(line).await?;
    loop {
        let command = sb.expect(window.end + window.grace).await?;
        let now = Instant::now();
        if window.contains(now) {
            stats.frames_in += 1;
        }
        if command.trid().map(|t| t.get()) == Some(trid) {
            if window.contains(sent) && window.contains(now) {
                stats.answered(now - sent, &command);
            }
            return Ok(command);
        }
    }
}

async fn caller(
    shared: &Shared,
    call: &Call,
    window: Window,
    stats: &mut Stats,
) -> Result<(), LoadError> {
    let hard = window.end + window.grace;
    let addr = call
        .address
        .parse()
        .map_err(|_| LoadError::Protocol("XFR SB address"))?;
    let mut sb = Conn::connect(
        addr,
        ServerKind::Switchboard,
        shared.recorder_for(call.caller),
        hard,
    )
    .await?;
    let me = handle(call.caller);
    let line = format!("USR 1 {me} {}\r\n", call.cookie);
    let reply = request(&mut sb, 1, line.as_bytes(), window, stats).await?;
    if !matches!(reply, Command::UsrSwitchboardOk(_)) {
        return Err(LoadError::Unexpected("SB USR OK", reply.verb().to_owned()));
    }
    let line = format!("CAL 2 {}\r\n", handle(call.callee));
    let reply = request(&mut sb, 2, line.as_bytes(), window, stats).await?;
    if matches!(reply, Command::CalRinging(_)) {
        // the callee answers from its own task: wait for JOI, at most JOIN_WAIT
        let wait = hard.min(Instant::now() + JOIN_WAIT);
        match expect(&mut sb, "JOI", wait, |c| matches!(c, Command::Joi(_))).await {
            Ok(_) => stats.sessions += 1,
            Err(LoadError::Timeout(_)) => {
                stats.unanswered_calls += 1;
                sb.close().await;
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        for k in 0..MESSAGES {
            if Instant::now() >= window.end {
                break;
            }
            let t = 3 + k;
            let mut line = format!("MSG {t} A {}\r\n", MESSAGE.len()).into_bytes();
            line.extend_from_slice(MESSAGE.as_bytes());
            request(&mut sb, t, &line, window, stats).await?;
        }
    }
    sb.send(b"OUT\r\n").await?;
    stats.bytes_out += sb.take_bytes_out();
    sb.close().await;
    Ok(())
}

async fn callee_session(
    shared: &Shared,
    callee: usize,
    (session, address, cookie): &(String, String, String),
    window: Window,
    stats: &mut Stats,
) -> Result<(), LoadError> {
    let hard = window.end + window.grace;
    let addr = address
        .parse()
        .map_err(|_| LoadError::Protocol("RNG address"))?;
    let mut sb = Conn::connect(
        addr,
        ServerKind::Switchboard,
        shared.recorder_for(callee),
        hard,
    )
    .await?;
    let line = format!("ANS 1 {} {cookie} {session}\r\n", handle(callee));
    let reply = match request(&mut sb, 1, line.as_bytes(), window, stats).await {
        Ok(reply) => reply,
        // the caller gave up waiting (JOIN_WAIT) and left: the session is gone
        Err(LoadError::Closed) => {
            stats.unanswered_calls += 1;
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if matches!(reply, Command::Error(_)) {
        // the invitation is gone (the caller gave up waiting and left): counted as an error
        // reply by its code, and as a call not answered
        stats.unanswered_calls += 1;
        sb.close().await;
        return Ok(());
    }
    // the caller's messages, until it leaves (BYE) or closes
    loop {
        match sb.next(hard).await? {
            None | Some(Command::Bye(_)) => break,
            Some(_) if window.contains(Instant::now()) => stats.frames_in += 1,
            Some(_) => {}
        }
    }
    let _ = sb.send(b"OUT\r\n").await;
    stats.bytes_out += sb.take_bytes_out();
    sb.close().await;
    Ok(())
}
