//! [`Core`]: the server's state machine. It owns the accounts (loaded once from the store), the
//! connections and the timers; the handlers of each command family live in their own modules
//! (`login`, `lists`, `presence`, `services`, `challenge`) as `impl Core` blocks.

use crate::core::fasthash::FastMap;
use std::collections::BTreeSet;

use msnp6::commands::Command;
use msnp6::types::{Direction, ServerKind, TrId};
use msnp6::validate::Answer;
use msnp6::{Context, Payload};

use super::config::Config;
use super::conn::{Conn, Phase};
use super::switchboard::Switchboards;
use super::users::Users;
use super::{ConnId, Entropy, Input, Machine, Millis, Output};
use crate::store::{Change, Store, StoreError};

/// The server core: DS, NS and the glue to the switchboard (reference §3, §14). Its `Debug`
/// shows the configuration and the counts only: the accounts hold passwords, which never appear
/// in logs (issue 20).
pub struct Core {
    pub(crate) config: Config,
    pub(crate) store: Box<dyn Store>,
    pub(crate) entropy: Box<dyn Entropy>,
    pub(crate) users: Users,
    pub(crate) conns: FastMap<ConnId, Conn>,
    /// `(deadline, conn)` for every connection with a deadline, mirroring `Conn::deadline`.
    pub(crate) timers: BTreeSet<(Millis, ConnId)>,
    /// The switchboard: SB connections, sessions, cookies, invitations.
    pub(crate) sb: Switchboards,
}

/// Counts of what the core holds, for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Open connections (DS, NS and SB).
    pub connections: usize,
    /// Open SB connections.
    pub sb_connections: usize,
    /// Live switchboard sessions.
    pub sb_sessions: usize,
    /// NS connections logged in.
    pub sessions: usize,
    /// Accounts.
    pub accounts: usize,
    /// Registered timers.
    pub timers: usize,
}

impl core::fmt::Debug for Core {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Core")
            .field("config", &self.config)
            .field("counts", &self.counts())
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A core over `store`, whose accounts it loads once and keeps in memory.
    pub fn new(
        config: Config,
        mut store: Box<dyn Store>,
        entropy: Box<dyn Entropy>,
    ) -> Result<Core, StoreError> {
        let users = Users::new(store.load()?);
        let sb = Switchboards::new(config.switchboard_limits());
        Ok(Core {
            sb,
            config,
            store,
            entropy,
            users,
            conns: FastMap::default(),
            timers: BTreeSet::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The open DS and NS connections, in id order (SB connections: [`Core::switchboards`]).
    pub fn connections(&self) -> Vec<ConnId> {
        let mut ids: Vec<ConnId> = self.conns.keys().copied().collect();
        ids.sort();
        ids
    }

    /// How much the core holds.
    pub fn counts(&self) -> Counts {
        Counts {
            connections: self.conns.len() + self.sb.connections(),
            sb_connections: self.sb.connections(),
            sb_sessions: self.sb.sessions(),
            sessions: self
                .conns
                .values()
                .filter(|c| c.session().is_some())
                .count(),
            accounts: self.users.len(),
            timers: self.timers.len() + self.sb.timers(),
        }
    }

    fn on_input(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>) {
        match input {
            Input::Opened { conn, kind } => self.opened(now, conn, kind),
            Input::Frame { conn, command } => self.frame(now, conn, command, out),
            Input::Undecodable { conn, .. } => {
                // Reference §14: a line that does not decode (bad TrID, over a limit, …)
                // disconnects.
                if self.conns.contains_key(&conn) {
                    self.close(now, conn, out);
                } else {
                    self.sb.undecodable(conn, out);
                }
            }
            Input::Closed { conn } => self.drop_conn(now, conn, out),
            Input::Tick => self.tick(now, out),
            Input::Shutdown => self.shutdown(out),
        }
    }

    fn opened(&mut self, now: Millis, conn: ConnId, kind: ServerKind) {
        if self.conns.contains_key(&conn) || self.sb.contains(conn) {
            return;
        }
        if kind == ServerKind::Switchboard {
            return self.sb_opened(now, conn);
        }
        self.conns.insert(
            conn,
            Conn {
                kind,
                phase: Phase::Fresh,
                opened: now,
                last_seen: now,
                deadline: None,
            },
        );
        self.reschedule(conn);
    }

    fn frame(&mut self, now: Millis, conn: ConnId, command: Command<'_>, out: &mut Vec<Output>) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return self.sb_frame(now, conn, command, out);
        };
        c.last_seen = now;
        match c.kind {
            ServerKind::Dispatch => self.ds_frame(now, conn, command, out),
            _ => self.ns_frame(now, conn, command, out),
        }
        self.reschedule(conn);
    }

    /// The validation step of docs/model.md MODEL-VALIDATE: the codec's reading of a bad value
    /// (the reference's answer: an error, a disconnect, or both). `true` when the command may
    /// go on to its handler.
    pub(crate) fn check_values(
        &mut self,
        now: Millis,
        conn: ConnId,
        command: &Command<'_>,
        out: &mut Vec<Output>,
    ) -> bool {
        let Some(c) = self.conns.get(&conn) else {
            return false;
        };
        let ctx = Context::new(Direction::ClientToServer, c.kind).with_dialect(c.dialect());
        let Err(invalid) = command.validate(ctx) else {
            return true;
        };
        let answer = invalid.answer.unwrap_or(Answer::Disconnect);
        if let Some(reply) = answer.reply(command.trid().unwrap_or(TrId::ASYNC)) {
            send(out, conn, reply);
        }
        if answer.closes_connection() {
            self.close(now, conn, out);
        }
        false
    }

    /// Commits `changes` and applies them in memory: `Err` (nothing changed anywhere) when the
    /// store refused. The caller then answers `500 TrID` (docs/server.md "Decisions").
    pub(crate) fn commit(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.store.commit(changes)?;
        for change in changes {
            self.users.apply(change);
        }
        Ok(())
    }

    /// The core closes `conn`: `Close`, then what its departure means for others.
    pub(crate) fn close(&mut self, now: Millis, conn: ConnId, out: &mut Vec<Output>) {
        if self.conns.contains_key(&conn) {
            out.push(Output::Close { conn });
            self.drop_conn(now, conn, out);
        }
    }

    /// Forgets `conn` (closed by either side): its watchers get FLN when it was online
    /// (reference §14), the switchboard forgets its participant.
    pub(crate) fn drop_conn(&mut self, now: Millis, conn: ConnId, out: &mut Vec<Output>) {
        let Some(c) = self.conns.remove(&conn) else {
            return self.sb.closed(conn, out);
        };
        if let Some(d) = c.deadline {
            self.timers.remove(&(d, conn));
        }
        if let Phase::LoggedIn(session) = c.phase {
            self.logged_out(now, &session, out);
        }
    }

    /// Recomputes `conn`'s deadline and keeps the timer set in step with it.
    pub(crate) fn reschedule(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let next = deadline_of(&self.config, c);
        if next != c.deadline {
            if let Some(d) = c.deadline {
                self.timers.remove(&(d, conn));
            }
            if let Some(d) = next {
                self.timers.insert((d, conn));
            }
            c.deadline = next;
        }
    }

    fn tick(&mut self, now: Millis, out: &mut Vec<Output>) {
        while let Some(&(at, conn)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, conn));
            if let Some(c) = self.conns.get_mut(&conn) {
                c.deadline = None;
            }
            self.expire(now, conn, out);
            self.reschedule(conn);
        }
        self.sb_tick(now, out);
    }

    /// What a passed deadline means for `conn` (reference §14 "Challenges, timeouts").
    fn expire(&mut self, now: Millis, conn: ConnId, out: &mut Vec<Output>) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let cfg = &self.config;
        match &c.phase {
            Phase::LoggedIn(s) => {
                if s.challenge_deadline(cfg.challenge_timeout)
                    .is_some_and(|d| d <= now)
                {
                    // §3.1 OUT: "a bare OUT when a challenge is not answered in time".
                    send(
                        out,
                        conn,
                        Command::Out(msnp6::commands::login::Out { reason: None }),
                    );
                    self.close(now, conn, out);
                } else if cfg
                    .idle_timeout
                    .is_some_and(|t| c.last_seen.saturating_add(t) <= now)
                {
                    self.close(now, conn, out);
                } else if s.next_challenge.is_some_and(|t| t <= now) {
                    self.send_challenge(now, conn, TrId::ASYNC, out);
                }
            }
            _ => {
                if cfg
                    .login_timeout
                    .is_some_and(|t| c.opened.saturating_add(t) <= now)
                {
                    self.close(now, conn, out);
                }
            }
        }
    }

    /// Reference §3.1 OUT, §14: `OUT SSD` on every connection, then every one closes. Nobody
    /// is left to be told of anybody's departure, so no FLN or BYE follows.
    fn shutdown(&mut self, out: &mut Vec<Output>) {
        self.sb_shutdown(out);
        let ids = self.connections();
        for &conn in &ids {
            send(
                out,
                conn,
                Command::Out(msnp6::commands::login::Out {
                    reason: Some(msnp6::types::OutReason::ServerShutdown.into()),
                }),
            );
        }
        for conn in ids {
            out.push(Output::Close { conn });
        }
        self.conns.clear();
        self.timers.clear();
        for user in 0..self.users.len() {
            self.users.get_mut(user).session = None;
        }
    }
}

impl Machine for Core {
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>) {
        self.on_input(now, input, out);
    }

    fn begin_batch(&mut self) {
        self.store.begin();
    }

    fn end_batch(&mut self) -> Result<(), StoreError> {
        self.store.end()
    }

    fn next_deadline(&self) -> Option<Millis> {
        let ours = self.timers.first().map(|&(at, _)| at);
        match (ours, self.sb_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The earliest time `c` needs attention.
fn deadline_of(cfg: &Config, c: &Conn) -> Option<Millis> {
    match &c.phase {
        Phase::LoggedIn(s) => [
            s.challenge_deadline(cfg.challenge_timeout),
            cfg.idle_timeout.map(|t| c.last_seen.saturating_add(t)),
            s.next_challenge,
        ]
        .into_iter()
        .flatten()
        .min(),
        _ => cfg.login_timeout.map(|t| c.opened.saturating_add(t)),
    }
}

/// Appends `Send { conn, command }`.
pub(crate) fn send(out: &mut Vec<Output>, conn: ConnId, command: Command<'static>) {
    out.push(Output::Send { conn, command });
}

/// An error reply `NNN TrID` (reference §1.3).
pub(crate) fn error(code: msnp6::types::ErrorCode, trid: TrId) -> Command<'static> {
    Command::Error(msnp6::commands::ErrorReply { code, trid })
}

/// An owned payload.
pub(crate) fn payload(bytes: Vec<u8>) -> Payload<'static> {
    Payload::new(bytes)
}
