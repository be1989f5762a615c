//! One simulated user on the notification server: the login of reference §8 (DS -> `XFR NS` ->
//! NS with the MD5 digest of `msnp6::auth`), the contact lists, then the mix until the window
//! ends; switchboard sessions run beside it ([`super::switchboard`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use msnp6::ServerKind;
use msnp6::auth::{self, KeyPair};
use msnp6::commands::Command;
use tokio::time::Instant;

use super::conn::Conn;
use super::mix::{Action, STATUSES};
use super::stats::Stats;
use super::{LoadError, Shared, Window};
use crate::SplitMix64;

/// The handle of user `i`: every target serves accounts `load0@example.com` … (`load{N-1}`).
pub fn handle(i: usize) -> String {
    format!("load{i}@example.com")
}

/// The password of user `i`.
pub fn password(i: usize) -> String {
    format!("pw{i}")
}

/// The `k`-th contact (0-based, `k < contacts`) on user `i`'s FL and AL: the next users in a
/// ring, so each user is on the RL of the `contacts` users before it.
pub fn contact(i: usize, k: usize, users: usize) -> usize {
    (i + 1 + k) % users
}

/// A request waiting for its reply (matched by TrID).
#[derive(Debug, Clone, Copy)]
struct Pending {
    trid: u32,
    sent: Instant,
    action: Action,
}

/// A logged-in user's NS connection and its state.
#[derive(Debug)]
pub struct Client {
    /// The user's index.
    pub index: usize,
    conn: Conn,
    next_trid: u32,
    rng: SplitMix64,
    pending: Vec<Pending>,
    /// Whether the churn contact is on the FL now (ADD and REM alternate).
    churn_added: bool,
    /// A switchboard session this user called is running.
    calling: Arc<AtomicBool>,
    /// What this client measured.
    pub stats: Stats,
}

impl Client {
    /// Logs user `index` in: DS `VER INF USR I` -> `XFR NS`, then the NS login (reference §8).
    pub async fn login(
        shared: &Arc<Shared>,
        index: usize,
        deadline: Instant,
    ) -> Result<Self, LoadError> {
        let h = handle(index);
        let recorder = shared.recorder_for(index);
        let mut ds =
            Conn::connect(shared.ds, ServerKind::Dispatch, recorder.clone(), deadline).await?;
        let ns_addr = dispatch(&mut ds, &h, deadline).await?;
        ds.close().await;
        let mut ns = Conn::connect(ns_addr, ServerKind::Notification, recorder, deadline).await?;
        authenticate(&mut ns, &h, &password(index), deadline).await?;
        Ok(Client {
            index,
            conn: ns,
            next_trid: 10,
            rng: SplitMix64::new(shared.seed ^ (index as u64).wrapping_mul(0x9e37_79b9)),
            pending: Vec::new(),
            churn_added: false,
            calling: Arc::new(AtomicBool::new(false)),
            stats: Stats::default(),
        })
    }

    fn trid(&mut self) -> u32 {
        self.next_trid = self.next_trid.wrapping_add(1).max(1);
        self.next_trid
    }

    /// Sends `line` (with the TrID `trid` already in it) and waits for its reply, handling what
    /// arrives in between; outside the measured window.
    async fn call(
        &mut self,
        shared: &Arc<Shared>,
        trid: u32,
        line: &str,
        deadline: Instant,
        window: Option<Window>,
    ) -> Result<Command<'static>, LoadError> {
        self.conn.send(line.as_bytes()).await?;
        loop {
            let command = self.conn.expect(deadline).await?;
            if command.trid().map(|t| t.get()) == Some(trid) {
                return Ok(command);
            }
            self.background(shared, &command, window).await?;
        }
    }

    /// Puts the user's `contacts` first users on its FL and AL with `ADD` (targets whose store
    /// the load generator cannot fill beforehand).
    pub async fn build_lists(
        &mut self,
        shared: &Arc<Shared>,
        deadline: Instant,
    ) -> Result<(), LoadError> {
        for k in 0..shared.contacts {
            let c = handle(contact(self.index, k, shared.users));
            for list in ["FL", "AL"] {
                let t = self.trid();
                let reply = self
                    .call(
                        shared,
                        t,
                        &format!("ADD {t} {list} {c} {c}\r\n"),
                        deadline,
                        None,
                    )
                    .await?;
                if let Command::Error(e) = reply {
                    return Err(LoadError::Refused("ADD", e.code.get()));
                }
            }
        }
        Ok(())
    }

    /// `SYN 0` (every list) and the first `CHG NLN`: the user is online, its watchers told.
    pub async fn go_online(
        &mut self,
        shared: &Arc<Shared>,
        deadline: Instant,
    ) -> Result<(), LoadError> {
        let t = self.trid();
        self.call(shared, t, &format!("SYN {t} 0\r\n"), deadline, None)
            .await?;
        let t = self.trid();
        self.call(shared, t, &format!("CHG {t} NLN\r\n"), deadline, None)
            .await?;
        self.conn.take_bytes_out();
        Ok(())
    }

    /// `OUT`, then the whole login again, `SYN 0` and `CHG NLN` (their latencies recorded inside
    /// the window; the login's requests are counted as answered, untimed).
    async fn relogin(
        &mut self,
        shared: &Arc<Shared>,
        window: Window,
        hard: Instant,
    ) -> Result<(), LoadError> {
        self.conn.send(b"OUT\r\n").await?;
        self.stats.bytes_out += self.conn.take_bytes_out();
        let fresh = Client::login(shared, self.index, hard).await?;
        let old = std::mem::replace(&mut self.conn, fresh.conn);
        old.close().await;
        self.pending.clear();
        self.stats.relogins += 1;
        for line in ["SYN {t} 0\r\n", "CHG {t} NLN\r\n"] {
            let t = self.trid();
            let sent = Instant::now();
            let line = line.replace("{t}", &t.to_string());
            let reply = self.call(shared, t, &line, hard, Some(window)).await?;
            let now = Instant::now();
            if window.contains(sent) && window.contains(now) {
                self.stats.answered(now - sent, &reply);
            }
        }
        self.stats.bytes_out += self.conn.take_bytes_out();
        Ok(())
    }

    /// Plays the mix until the window ends (one request outstanding, `think` between them),
    /// then `OUT`.
    pub async fn play(mut self, shared: Arc<Shared>, window: Window) -> Stats {
        let hard = window.end + shared.grace;
        if let Err(e) = self.mix_loop(&shared, window, hard).await {
            let last = self.pending.last().map(|p| p.action);
            self.stats
                .fail(format!("user {}: {e} (waiting for {last:?})", self.index));
        }
        let _ = self.conn.send(b"OUT\r\n").await;
        self.stats.bytes_out += self.conn.take_bytes_out();
        self.conn.close().await;
        self.stats
    }

    async fn mix_loop(
        &mut self,
        shared: &Arc<Shared>,
        window: Window,
        hard: Instant,
    ) -> Result<(), LoadError> {
        let mut main: Option<u32> = None;
        // the next request goes out at `next_at`; meanwhile the user keeps reading (replies to a
        // QRY, fan-out), so that a think time never adds to a measured latency
        let mut next_at = Instant::now();
        loop {
            if main.is_none() {
                let now = Instant::now();
                if now >= window.end {
                    return Ok(());
                }
                if now >= next_at {
                    let action = Action::pick(&mut self.rng);
                    if action == Action::Relogin {
                        self.relogin(shared, window, hard).await?;
                        next_at = Instant::now() + shared.think;
                        continue;
                    }
                    main = Some(self.send_action(shared, action).await?);
                }
            }
            let until = if main.is_none() {
                next_at.min(hard)
            } else {
                hard
            };
            let command = match self.conn.next(until).await {
                Ok(Some(command)) => command,
                Ok(None) => return Err(LoadError::Closed),
                // time for the next request (a read cut by its deadline loses nothing: the
                // framer keeps what arrived)
                Err(LoadError::Timeout(_)) if main.is_none() && Instant::now() < hard => continue,
                Err(e) => return Err(e),
            };
            let answered = self.background(shared, &command, Some(window)).await?;
            if answered.is_some() && answered == main {
                main = None;
                next_at = Instant::now() + shared.think;
            }
        }
    }

    /// Picks and sends the next action of the mix; returns its TrID.
    async fn send_action(
        &mut self,
        shared: &Arc<Shared>,
        mut action: Action,
    ) -> Result<u32, LoadError> {
        if action == Action::Switchboard && self.calling.load(Ordering::Relaxed) {
            action = Action::Status;
        }
        let t = self.trid();
        let line = match action {
            Action::Status => format!("CHG {t} {}\r\n", self.rng.pick(STATUSES)),
            Action::Challenge => format!("CHL {t}\r\n"),
            Action::AddRemove => {
                let churn = handle((self.index + shared.users / 2) % shared.users);
                self.churn_added = !self.churn_added;
                if self.churn_added {
                    format!("ADD {t} FL {churn} {churn}\r\n")
                } else {
                    format!("REM {t} FL {churn}\r\n")
                }
            }
            Action::List => format!("LST {t} {}\r\n", self.rng.pick(&["FL", "AL", "RL"])),
            // the loop logs in again itself, before it would send a request
            Action::Relogin => return Err(LoadError::Protocol("a login again is not one request")),
            Action::Switchboard => {
                self.calling.store(true, Ordering::Relaxed);
                format!("XFR {t} SB\r\n")
            }
        };
        self.conn.send(line.as_bytes()).await?;
        self.pending.push(Pending {
            trid: t,
            sent: Instant::now(),
            action,
        });
        Ok(t)
    }

    /// Handles one frame from the server: a reply (latency recorded inside `window`), a
    /// challenge (answered), a ring (a callee session started), anything else counted. Returns
    /// the TrID it answered, if any.
    async fn background(
        &mut self,
        shared: &Arc<Shared>,
        command: &Command<'static>,
        window: Option<Window>,
    ) -> Result<Option<u32>, LoadError> {
        let now = Instant::now();
        let in_window = window.is_some_and(|w| w.contains(now));
        if in_window {
            self.stats.frames_in += 1;
        }
        match command {
            Command::Chl(chl) => {
                let mut digest = [0u8; 32];
                let challenge = auth::Challenge::new(chl.challenge.as_bytes())
                    .map_err(|_| LoadError::Protocol("CHL challenge"))?;
                let key = KeyPair::MSMSGS;
                let private = key.private_key.ok_or(LoadError::Protocol("key"))?;
                auth::qry_response(challenge, private, &mut digest);
                let t = self.trid();
                let mut line = format!("QRY {t} {} 32\r\n", key.public_key).into_bytes();
                line.extend_from_slice(&digest);
                self.conn.send(&line).await?;
                self.pending.push(Pending {
                    trid: t,
                    sent: Instant::now(),
                    action: Action::Status,
                });
                self.stats.challenges += 1;
                if chl.trid.get() == 0 {
                    return Ok(None);
                }
                // `CHL t challenge` also answers the user's `CHL t`: matched below
            }
            Command::Rng(rng) => {
                if let Some(w) = window {
                    super::switchboard::answer(shared, self.index, rng, w);
                }
                return Ok(None);
            }
            Command::Out(_) => return Err(LoadError::Protocol("the server sent OUT")),
            _ => {}
        }
        let Some(trid) = command.trid().map(|t| t.get()).filter(|&t| t != 0) else {
            return Ok(None);
        };
        let Some(i) = self.pending.iter().position(|p| p.trid == trid) else {
            return Ok(None);
        };
        let p = self.pending.swap_remove(i);
        if window.is_some_and(|w| w.contains(p.sent)) && in_window {
            self.stats.answered(now - p.sent, command);
        }
        if p.action == Action::Switchboard {
            self.start_call(shared, command, window);
        }
        Ok(Some(trid))
    }

    /// After `XFR SB`'s reply: the caller's session, to one of the user's contacts.
    fn start_call(
        &mut self,
        shared: &Arc<Shared>,
        command: &Command<'static>,
        window: Option<Window>,
    ) {
        let (Command::XfrSwitchboard(xfr), Some(window)) = (command, window) else {
            self.calling.store(false, Ordering::Relaxed);
            return;
        };
        let callee = contact(
            self.index,
            self.rng.below(shared.contacts.max(1)),
            shared.users,
        );
        let call = super::switchboard::Call {
            caller: self.index,
            callee,
            address: xfr.address.as_str().unwrap_or_default().to_owned(),
            cookie: xfr.cookie.as_str().unwrap_or_default().to_owned(),
            done: self.calling.clone(),
        };
        super::switchboard::call(shared, call, window);
    }
}

/// DS: `VER`, `INF`, `USR MD5 I` -> the NS address of `XFR NS` (reference §8).
async fn dispatch(ds: &mut Conn, handle: &str, deadline: Instant) -> Result<SocketAddr, LoadError> {
    ds.send(b"VER 1 MSNP6 CVR0\r\n").await?;
    expect(ds, "VER", deadline, |c| matches!(c, Command::Ver(_))).await?;
    ds.send(b"INF 2\r\n").await?;
    expect(ds, "INF", deadline, |c| matches!(c, Command::Inf(_))).await?;
    ds.send(format!("USR 3 MD5 I {handle}\r\n").as_bytes())
        .await?;
    let reply = expect(ds, "XFR NS", deadline, |c| {
        matches!(c, Command::XfrNotification(_))
    })
    .await?;
    let Command::XfrNotification(xfr) = reply else {
        unreachable!("checked above")
    };
    xfr.address()
        .as_str()
        .and_then(|a| a.parse().ok())
        .ok_or(LoadError::Protocol("XFR NS address"))
}

/// NS: `VER`, `INF`, `USR MD5 I` -> salt, `USR MD5 S digest` -> `USR OK` (reference §8).
async fn authenticate(
    ns: &mut Conn,
    handle: &str,
    password: &str,
    deadline: Instant,
) -> Result<(), LoadError> {
    ns.send(b"VER 4 MSNP6 CVR0\r\n").await?;
    expect(ns, "VER", deadline, |c| matches!(c, Command::Ver(_))).await?;
    ns.send(b"INF 5\r\n").await?;
    expect(ns, "INF", deadline, |c| matches!(c, Command::Inf(_))).await?;
    ns.send(format!("USR 6 MD5 I {handle}\r\n").as_bytes())
        .await?;
    let reply = expect(ns, "USR S", deadline, |c| matches!(c, Command::UsrSalt(_))).await?;
    let Command::UsrSalt(salt) = reply else {
        unreachable!("checked above")
    };
    let salt = auth::Salt::new(salt.salt.as_bytes()).map_err(|_| LoadError::Protocol("salt"))?;
    let password = auth::Password::new(password.as_bytes());
    let digest = auth::login_digest_string(salt, password);
    ns.send(format!("USR 7 MD5 S {digest}\r\n").as_bytes())
        .await?;
    expect(ns, "USR OK", deadline, |c| matches!(c, Command::UsrOk(_))).await?;
    Ok(())
}

/// The next frame, which must satisfy `want`; an error reply is a refusal.
pub(super) async fn expect(
    conn: &mut Conn,
    what: &'static str,
    deadline: Instant,
    want: impl Fn(&Command<'static>) -> bool,
) -> Result<Command<'static>, LoadError> {
    let command = conn.expect(deadline).await?;
    if want(&command) {
        return Ok(command);
    }
    match command {
        Command::Error(e) => Err(LoadError::Refused(what, e.code.get())),
        other => Err(LoadError::Unexpected(what, other.verb().to_owned())),
    }
}
