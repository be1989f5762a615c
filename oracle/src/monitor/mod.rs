//! The monitor: decides whether the **server** side of an observed transcript conforms to the
//! reference (`msnp6-protocol.md`).
//!
//! Each server line is judged against what the lines above it (in file order) established: the
//! login phase and dialect of its connection, the commands still waiting for a reply, the
//! account's lists, list version and settings, the presence of the users seen in the file, the
//! switchboard's participants. Values the server chooses (salt, challenge, cookies, session ids,
//! addresses) are learned from its lines and checked for shape and consistency. Where the file
//! does not show the state (a session whose login is not in the file, lists not sent because the
//! client's version was current, a switchboard whose XFR is elsewhere), the monitor learns from
//! the server's lines instead of judging them.
//!
//! Every rule has a stable id and the section it implements: see [`RULES`] and `docs/monitor.md`.
//! Client mistakes are reported too, as [`Side::Client`] violations; they do not affect
//! [`Report::conforms`].
//!
//! Two ways in:
//! * **Live**: a [`Monitor`] observes frames one at a time as they cross connections (which
//!   connection and its server kind, which direction, the decoded command or the decode error,
//!   the time), reports each violation as soon as it is certain, and [`Monitor::finish`] reports
//!   what is still owed. No text, no file: see [`live`].
//! * **Transcripts**: [`verify`] reads a transcript file and feeds its lines and events to a
//!   [`Monitor`]; lines are decoded by [`crate::check::decode_line`], the decoder of
//!   `transcript check`.
//!
//! ```
//! use msnp6_oracle::monitor::{verify, VerifyOptions};
//! use msnp6_oracle::transcript::parse;
//!
//! let t = parse(b"# server: NS\nC: CHG 1 NLN\nS: CHG 1 NLN\nC: GTC 2 A\nS: GTC 3 7 A\n");
//! let report = verify(&t, &VerifyOptions::default());
//! assert!(!report.conforms);
//! let v = &report.violations[0];
//! assert_eq!((v.line, v.rule, v.section), (5, "TRID-ECHO", "1.2"));
//! ```

mod challenge;
mod lists;
pub mod live;
mod login;
mod notify;
mod presence;
mod report;
mod rules;
mod state;
mod switchboard;
mod transcript;

use std::collections::{BTreeMap, BTreeSet};

pub use live::{Observed, Undecodable};
pub use report::{Report, Side, Violation};
pub use rules::{RULES, Rule, rule};
pub use transcript::{Verifier, verify, verify_bytes};

use msnp6::commands::Command;
use msnp6::types::{Dialect, Direction, ServerKind};
use rules::R;
use state::{Account, Bytes, Closed, Conn, Cookie, Exp, Family, Pending, Phase, Seen};

/// What the monitor is told besides the transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Known accounts as `(handle, password)`: the login digest of these accounts is checked
    /// (reference §3.1 USR, §9). Without a password the digest is checked for shape only.
    pub accounts: Vec<(String, String)>,
    /// The dialect of every connection until the server's VER reply chooses one; `None` is MSNP6
    /// (the reference's default). A VER reply always wins.
    pub dialect: Option<Dialect>,
}

impl VerifyOptions {
    /// Adds an account's password.
    pub fn with_account(mut self, handle: impl Into<String>, password: impl Into<String>) -> Self {
        self.accounts.push((handle.into(), password.into()));
        self
    }

    fn password(&self, handle: &[u8]) -> Option<&str> {
        self.accounts
            .iter()
            .find(|(h, _)| h.as_bytes() == handle)
            .map(|(_, p)| p.as_str())
    }
}

/// The monitor: observes the frames of any number of connections and judges the server's.
///
/// Feed it with [`Monitor::connect`], [`Monitor::observe`] and [`Monitor::disconnect`] in the
/// order the frames crossed the connections (see [`live`] for what order across connections
/// means), then call [`Monitor::finish`]. Never panics, whatever it is fed.
#[derive(Debug)]
pub struct Monitor {
    opts: VerifyOptions,
    /// Set by the transcript front end for a file without connection tags.
    untagged: Option<Untagged>,
    violations: Vec<Violation>,
    /// How many of `violations` earlier calls have already returned.
    returned: usize,
    conns: Vec<Conn>,
    index: BTreeMap<(String, Family), usize>,
    accounts: BTreeMap<Bytes, Account>,
    cookies: BTreeMap<Bytes, Cookie>,
    /// Whole seconds since the observation began.
    now: u64,
    /// The position of the current observation (a file line, or a count).
    position: usize,
    /// The position the next call reports at, when set with [`Monitor::at`].
    next_position: Option<usize>,
    /// Lines owed to connections because of other connections' lines.
    expected: Vec<notify::Expected>,
    /// Lines that came before the reply that decides they are owed (`since`: where they came).
    early: Vec<notify::Expected>,
    /// The last presence line each connection got about each contact.
    last_presence: BTreeMap<(usize, Bytes), notify::Heard>,
    /// Switchboard session ids and the connections in them.
    sessions: BTreeMap<Bytes, BTreeSet<usize>>,
    /// Switchboard session ids and the handles invited there (CAL RINGING) and not yet joined.
    /// An invitation belongs to the session, not to the inviter's connection: it outlives the
    /// inviter's departure (§3.5 CAL "already invited").
    invitations: BTreeMap<Bytes, BTreeSet<Bytes>>,
}

/// A transcript without connection tags: one connection name, perhaps an ambiguous kind.
#[derive(Debug, Clone)]
struct Untagged {
    /// The `# server:` value, the name of every connection.
    name: String,
    /// The header names several kinds with `/` (DS/NS): the exact kind is unknown.
    ambiguous: bool,
}

impl Monitor {
    /// A monitor that has observed nothing yet.
    pub fn new(options: VerifyOptions) -> Self {
        Monitor {
            opts: options,
            untagged: None,
            violations: Vec::new(),
            returned: 0,
            conns: Vec::new(),
            index: BTreeMap::new(),
            accounts: BTreeMap::new(),
            cookies: BTreeMap::new(),
            now: 0,
            position: 0,
            next_position: None,
            expected: Vec::new(),
            early: Vec::new(),
            last_presence: BTreeMap::new(),
            sessions: BTreeMap::new(),
            invitations: BTreeMap::new(),
        }
    }

    /// Whether connections are told apart (always, except for an untagged transcript).
    fn tagged(&self) -> bool {
        self.untagged.is_none()
    }

    fn initial_dialect(&self) -> Dialect {
        self.opts.dialect.unwrap_or_default()
    }

    // ----- reporting -------------------------------------------------------------------------

    fn violate(&mut self, cid: usize, line: usize, r: R, message: impl Into<String>) {
        let name = self.conns.get(cid).map_or_else(
            || self.untagged.as_ref().map_or("?", |u| &u.name).to_owned(),
            |c| c.name.clone(),
        );
        self.violate_on(name, line, r, message.into());
    }

    fn violate_on(&mut self, connection: String, line: usize, r: R, message: String) {
        let rule = r.rule();
        self.violations.push(Violation {
            line,
            connection,
            side: rule.side,
            rule: rule.id,
            section: rule.section,
            message,
        });
    }

    // ----- connections -----------------------------------------------------------------------

    /// The connection `name` of this kind (created, with its start unseen, if new).
    fn conn(&mut self, name: &str, kind: ServerKind) -> usize {
        let family = Family::of(kind);
        if let Some(&i) = self.index.get(&(name.to_owned(), family)) {
            return i;
        }
        let ambiguous = self.untagged.as_ref().is_some_and(|u| u.ambiguous);
        let exact = if ambiguous { None } else { Some(kind) };
        let i = self.conns.len();
        self.conns.push(Conn::new(
            name,
            family,
            exact,
            self.initial_dialect(),
            false,
        ));
        self.index.insert((name.to_owned(), family), i);
        i
    }

    /// Replaces connection `cid` by a new connection with the same name (a reconnection).
    fn reopen(&mut self, cid: usize, fresh: bool) {
        if self
            .conns
            .get(cid)
            .is_some_and(|c| c.closed.is_none() && c.client_out.is_none())
        {
            self.logout(cid, 0);
        }
        self.forget_owed(cid);
        for members in self.sessions.values_mut() {
            members.remove(&cid);
        }
        let dialect = self.initial_dialect();
        if let Some(c) = self.conns.get_mut(cid) {
            *c = Conn::new(&c.name.clone(), c.family, c.kind, dialect, fresh);
        }
    }

    /// The user of NS connection `cid` is no longer logged in there.
    fn logout(&mut self, cid: usize, line: usize) {
        let Some(c) = self.conns.get(cid) else { return };
        let family = c.family;
        if family == Family::Ns && c.ns.phase == Phase::LoggedIn {
            let key = c.ns.account.clone();
            let elsewhere = self.ns_conns_of(&key).iter().any(|&o| o != cid);
            if elsewhere {
                // A second login replaced this session (OUT OTH): the newer one is the user's.
                return;
            }
            let acct = self.account(&key);
            let old = acct.seen;
            acct.seen = Seen::Offline(line);
            acct.requested = None;
            acct.changes = acct.changes.wrapping_add(1);
            self.broadcast(&key, line, old, false);
        }
        if family == Family::Sb {
            self.leave_session(cid, line);
        }
    }

    /// Closes connection `cid` (by the server, or by an event).
    fn close(&mut self, cid: usize, line: usize, why: impl Into<String>) {
        if self.conns.get(cid).is_some_and(|c| c.client_out.is_none()) {
            self.logout(cid, line);
            self.forget_owed(cid);
        }
        if let Some(c) = self.conns.get_mut(cid) {
            c.closed = Some(Closed {
                line,
                why: why.into(),
            });
            c.pending.clear();
        }
    }

    fn account(&mut self, key: &[u8]) -> &mut Account {
        let real = !key.starts_with(b"\0");
        self.accounts
            .entry(key.to_vec())
            .or_insert_with(|| Account::new(real))
    }

    /// The account key of NS connection `cid`.
    fn key(&self, cid: usize) -> Bytes {
        self.conns
            .get(cid)
            .map(|c| c.ns.account.clone())
            .unwrap_or_default()
    }

    // ----- observations ----------------------------------------------------------------------

    /// A client opened connection `name` to a server of `kind`: its start is observed.
    fn opened(&mut self, name: &str, kind: ServerKind) {
        let cid = self.conn(name, kind);
        self.reopen(cid, true);
    }

    /// Connection `name` closed (every kind of that name), by either side.
    fn closed(&mut self, name: &str) {
        let at = self.position;
        let ids: Vec<usize> = self
            .index
            .iter()
            .filter(|((n, _), _)| n == name)
            .map(|(_, &i)| i)
            .collect();
        for cid in ids {
            let Some(c) = self.conns.get_mut(cid) else {
                continue;
            };
            if c.closed.is_some() {
                continue;
            }
            if c.client_out.is_some() {
                // The server read OUT after these commands: their replies were due first.
                let pending: Vec<Pending> = c.pending.drain(..).collect();
                for p in pending
                    .iter()
                    .filter(|p| !matches!(p.exp, Exp::Close { .. }))
                {
                    self.finalize(cid, at, p);
                }
            }
            self.close(cid, at, "the connection closed (event)");
        }
    }

    /// One observed frame.
    fn frame(&mut self, o: Observed<'_>) {
        let cid = self.conn(o.connection, o.kind);
        let at = self.position;
        match o.frame {
            Ok(cmd) => self.dispatch(cid, at, o.direction, cmd),
            Err(Undecodable {
                lenient: Some(cmd),
                message,
                ..
            }) => {
                let r = if o.direction == Direction::ServerToClient {
                    R::LineSyntax
                } else {
                    R::ClientSyntax
                };
                self.violate(cid, at, r, format!("decodes only leniently: {message}"));
                self.dispatch(cid, at, o.direction, *cmd);
            }
            Err(u) => self.undecodable(cid, at, o.direction, u),
        }
    }

    /// A line no decoder accepts.
    fn undecodable(&mut self, cid: usize, n: usize, direction: Direction, f: Undecodable) {
        if !self.enter(cid, n, direction, None) {
            return;
        }
        let trid = f.trid;
        match direction {
            Direction::ServerToClient => {
                let r = if f.misplaced {
                    R::VerbPlace
                } else {
                    R::LineSyntax
                };
                self.violate(cid, n, r, f.message);
                // Close the command it probably answers, without judging it.
                if let Some(t) = trid {
                    if let Some(p) = self.answer(cid, n, t, |_| true) {
                        self.put_back(
                            cid,
                            Pending {
                                answered: true,
                                ..p
                            },
                        );
                    }
                }
            }
            Direction::ClientToServer => {
                self.violate(cid, n, R::ClientSyntax, f.message);
                let verb = f.verb.unwrap_or("???");
                if f.misplaced {
                    // A known verb the client may not send here: documented disconnect.
                    self.push(
                        cid,
                        n,
                        trid.unwrap_or(0),
                        verb,
                        Exp::Close {
                            allowed: &[],
                            why: format!("client {verb} is not allowed here"),
                        },
                    );
                } else if let Some(t) = trid {
                    self.push(cid, n, t, verb, Exp::Opaque);
                    self.learn_from_opaque(cid, verb);
                } else if f.no_trid && !matches!(f.verb, None | Some("PNG")) {
                    // A command whose TrID is missing or not a number: "a TrID that is not a
                    // positive integer makes the server disconnect immediately" (§1.2, §14). A
                    // client OUT with parameters ends the connection either way.
                    let why = if verb == "OUT" {
                        "client OUT with parameters".to_owned()
                    } else {
                        format!("client {verb} without a TrID")
                    };
                    self.push(cid, n, 0, verb, Exp::Close { allowed: &[], why });
                } else {
                    // Not judged (§1.2 calls a TrID above 2^32-1 "unpredictable"; garbage is no
                    // command the reference names), but the server may close on it.
                    self.push(cid, n, 0, verb, Exp::Unread);
                }
            }
        }
    }

    /// What an undecodable client line most likely was: enough to follow the login.
    fn learn_from_opaque(&mut self, cid: usize, verb: &str) {
        if let Some(c) = self.conns.get_mut(cid) {
            match verb {
                "SYN" => c.ns.syn = Some(true),
                "CHG" => c.ns.first_chg = Some(true),
                _ => {}
            }
        }
    }

    /// Common handling before a line is judged: closed connections, the connection's start.
    /// Returns whether the line is to be judged.
    fn enter(
        &mut self,
        cid: usize,
        line: usize,
        dir: Direction,
        cmd: Option<&Command<'static>>,
    ) -> bool {
        let Some(c) = self.conns.get(cid) else {
            return false;
        };
        let closed = c.closed.clone();
        let out = c.client_out;
        let replies_pending = cmd
            .and_then(Command::trid)
            .is_some_and(|t| c.pending.iter().any(|p| p.trid == t.0));
        if closed.is_some() || out.is_some() {
            let reply_after_out =
                closed.is_none() && dir == Direction::ServerToClient && replies_pending;
            if reply_after_out {
                // A reply to a command sent before the client's OUT.
            } else if !self.tagged() {
                // Untagged files cannot record reconnections: a line after the close starts a
                // new connection (documentation excerpts hold several exchanges).
                let fresh = dir == Direction::ClientToServer && cmd.is_some_and(|c| is_start(c));
                self.reopen(cid, fresh);
            } else if dir == Direction::ClientToServer {
                let why = closed.map_or_else(
                    || format!("the client sent OUT at line {}", out.unwrap_or(0)),
                    |c| c.why,
                );
                self.violate(
                    cid,
                    line,
                    R::ClientAfterClose,
                    format!("client line after the connection closed ({why})"),
                );
                return false;
            } else {
                let why = match (closed, out) {
                    (Some(c), _) if c.line > 0 => format!("closed at line {}: {}", c.line, c.why),
                    (Some(c), _) => c.why,
                    (None, o) => format!("the client sent OUT at line {}", o.unwrap_or(0)),
                };
                self.violate(
                    cid,
                    line,
                    R::ClosedSilent,
                    format!("server line after the connection ended ({why})"),
                );
                return false;
            }
        }
        let Some(c) = self.conns.get_mut(cid) else {
            return false;
        };
        if c.lines == 0 && dir == Direction::ClientToServer && cmd.is_some_and(|c| is_start(c)) {
            c.make_fresh();
        }
        c.lines += 1;
        true
    }

    fn dispatch(&mut self, cid: usize, line: usize, dir: Direction, cmd: Command<'static>) {
        if !self.enter(cid, line, dir, Some(&cmd)) {
            return;
        }
        let family = self.conns.get(cid).map_or(Family::Ns, |c| c.family);
        match (dir, family) {
            (Direction::ClientToServer, Family::Ns) => self.client_ns(cid, line, cmd),
            (Direction::ClientToServer, Family::Sb) => self.client_sb(cid, line, cmd),
            (Direction::ServerToClient, fam) => {
                if self.close_expected(cid, line, &cmd) {
                    // The line should not exist: judging it further would only repeat that.
                    return;
                }
                self.check_values(cid, line, &cmd);
                match fam {
                    Family::Ns => self.server_ns(cid, line, cmd),
                    Family::Sb => self.server_sb(cid, line, cmd),
                }
            }
        }
    }

    /// A server line while the oldest outstanding command is one the server must close on:
    /// reports it and returns `true`.
    fn close_expected(&mut self, cid: usize, line: usize, cmd: &Command<'static>) -> bool {
        let Some(front) = self.conns.get(cid).and_then(|c| c.pending.front()) else {
            return false;
        };
        let Exp::Close { allowed, why } = &front.exp else {
            return false;
        };
        if let Command::Error(e) = cmd {
            if e.trid.0 == front.trid && allowed.contains(&e.code.get()) {
                return false;
            }
        }
        let msg = format!(
            "the server should have closed the connection after line {} ({why})",
            front.line
        );
        self.violate(cid, line, R::DisconnectExpected, msg);
        if let Some(c) = self.conns.get_mut(cid) {
            c.pending.pop_front();
        }
        true
    }

    // ----- outstanding commands --------------------------------------------------------------

    /// A client command whose verb is not an MSNP6 verb, on any server: a client mistake, and
    /// the server closes the connection (reference §14).
    fn client_unknown(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        verb: &'static str,
        name: &msnp6::types::Token<'_>,
    ) {
        self.violate(
            cid,
            line,
            R::ClientSyntax,
            format!("`{name}` is not an MSNP6 command"),
        );
        self.push(
            cid,
            line,
            trid,
            verb,
            Exp::Close {
                allowed: &[],
                why: "unknown command".to_owned(),
            },
        );
    }

    fn push(&mut self, cid: usize, line: usize, trid: u32, verb: &'static str, exp: Exp) {
        if let Some(c) = self.conns.get_mut(cid) {
            c.pending.push_back(Pending {
                line,
                trid,
                verb,
                exp,
                answered: false,
            });
        }
    }

    /// Takes the outstanding command that a reply with TrID `trid` answers: the first that `fits`.
    /// The commands before it are done: those still missing (part of) a required reply are
    /// reported at `line`.
    fn answer(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        fits: impl Fn(&Pending) -> bool,
    ) -> Option<Pending> {
        let pos = self
            .conns
            .get(cid)?
            .pending
            .iter()
            .position(|p| p.trid == trid && fits(p))?;
        let command_line = self.conns.get(cid)?.pending.get(pos)?.line;
        self.overdue(cid, line, command_line);
        for _ in 0..pos {
            let Some(done) = self.conns.get_mut(cid).and_then(|c| c.pending.pop_front()) else {
                break;
            };
            self.finalize(cid, line, &done);
        }
        self.conns.get_mut(cid)?.pending.pop_front()
    }

    /// The server answered the client line `before` (QNG for a PNG, §3.1): it read every command
    /// sent before it, and replies come in order, so what they still miss is missing (reported
    /// at `line`).
    fn done_before(&mut self, cid: usize, line: usize, before: usize) {
        while let Some(p) = self.conns.get_mut(cid).and_then(|c| {
            c.pending
                .front()
                .is_some_and(|p| p.line < before && !matches!(p.exp, Exp::Close { .. }))
                .then(|| c.pending.pop_front())
                .flatten()
        }) {
            self.finalize(cid, line, &p);
        }
    }

    /// Puts an entry back at the front (its reply continues).
    fn put_back(&mut self, cid: usize, p: Pending) {
        if let Some(c) = self.conns.get_mut(cid) {
            c.pending.push_front(p);
        }
    }

    fn finalize(&mut self, cid: usize, line: usize, p: &Pending) {
        for (r, msg) in p.missing() {
            self.violate(cid, line, r, msg);
        }
        // The server read the command, so it may have applied it: the mode it sets is unknown
        // from now on, and a later 218 or reply on another connection is judged by neither
        // value (proptest-regressions/model_vs_monitor.txt: `GTC 47 N` unanswered before OUT,
        // then `218 66` for `GTC 66 N` on the next login was reported as a wrong 218).
        match p.exp {
            Exp::Gtc(_) => {
                let key = self.key(cid);
                self.account(&key).gtc = None;
            }
            Exp::Blp(_) => {
                let key = self.key(cid);
                self.account(&key).blp = None;
            }
            // A SYN batch is applied as it completes; nothing else stays open.
            _ => {}
        }
    }

    /// A reply that answers nothing outstanding.
    fn unanswerable(&mut self, cid: usize, line: usize, trid: u32, what: &str) {
        let other = self
            .conns
            .get(cid)
            .and_then(|c| c.pending.iter().find(|p| p.trid == trid))
            .map(|p| (p.verb, p.line));
        let msg = match other {
            Some((verb, at)) => format!("{what} {trid} cannot answer {verb} {trid} (line {at})"),
            None => format!("{what} {trid} answers no outstanding client command with TrID {trid}"),
        };
        self.violate(cid, line, R::TridEcho, msg);
    }

    /// Replies with no content to judge beyond their TrID.
    fn simple_reply(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        what: &str,
        fits: fn(&Exp) -> bool,
    ) {
        match self.answer(cid, line, trid, |p| !p.answered && fits(&p.exp)) {
            Some(_) => {}
            None => self.opaque_or(cid, line, trid, what),
        }
    }

    /// A reply that fits no typed command: it may still answer an undecodable client line.
    fn opaque_or(&mut self, cid: usize, line: usize, trid: u32, what: &str) {
        match self.answer(cid, line, trid, |p| matches!(p.exp, Exp::Opaque)) {
            Some(p) => self.put_back(
                cid,
                Pending {
                    answered: true,
                    ..p
                },
            ),
            None => self.unanswerable(cid, line, trid, what),
        }
    }

    /// Everything still owed at the end of the observation is missing (reported at `last`).
    fn owed(&mut self, last: usize) {
        for cid in 0..self.conns.len() {
            let Some(c) = self.conns.get_mut(cid) else {
                continue;
            };
            if c.closed.is_some() {
                continue;
            }
            let pending: Vec<Pending> = c.pending.drain(..).collect();
            let png = core::mem::take(&mut c.png).len();
            for p in pending {
                if matches!(p.exp, Exp::Close { .. }) {
                    continue;
                }
                self.finalize(cid, last, &p);
            }
            if png > 0 {
                self.violate(
                    cid,
                    last,
                    R::ReplyMissing,
                    format!("{png} PNG(s) never got a QNG"),
                );
            }
        }
        self.owed_at_end(last);
    }

    // ----- small shared checks ---------------------------------------------------------------

    /// Whether the login of NS connection `cid` is complete (or unknown); reports LOGIN-ORDER
    /// otherwise.
    fn require_login(&mut self, cid: usize, line: usize, what: &str) -> bool {
        let ok = self.conns.get(cid).is_some_and(Conn::maybe_logged_in);
        if !ok {
            self.violate(
                cid,
                line,
                R::LoginOrder,
                format!("{what} before the login completed"),
            );
        }
        ok
    }

    fn check_values(&mut self, cid: usize, line: usize, cmd: &Command<'static>) {
        use msnp6::types::Value;
        fn unknown<T>(v: &Value<'_, T>) -> Option<String> {
            match v {
                Value::Unknown(t) => Some(String::from_utf8_lossy(t.as_bytes()).into_owned()),
                Value::Known(_) => None,
            }
        }
        let bad = match cmd {
            Command::Lst(l) => unknown(l.list()),
            Command::Gtc(g) => unknown(&g.mode),
            Command::Blp(b) => unknown(&b.privacy),
            Command::Add(a) => unknown(a.list()),
            Command::Rem(r) => unknown(r.list()),
            Command::Prp(p) => unknown(&p.property),
            Command::Bpr(b) => unknown(&b.property),
            Command::Chg(c) => unknown(&c.status),
            Command::Iln(i) => unknown(&i.status),
            Command::Nln(n) => unknown(&n.status),
            Command::Ims(i) => unknown(&i.state),
            Command::Out(o) => o.reason.as_ref().and_then(unknown),
            Command::UsrOk(u) => u.verified.as_ref().and_then(unknown),
            Command::Bye(b) => b
                .reason
                .as_ref()
                .filter(|r| r.as_bytes() != b"1")
                .map(|r| r.to_string()),
            _ => None,
        };
        if let Some(v) = bad {
            self.violate(
                cid,
                line,
                R::ValueDocumented,
                format!("`{v}` is not a documented value here"),
            );
        }
    }
}

/// Whether a client command starts a connection: VER on the DS/NS, USR or ANS on the SB.
fn is_start(cmd: &Command<'_>) -> bool {
    matches!(
        cmd,
        Command::Ver(_) | Command::UsrSwitchboard(_) | Command::Ans(_)
    )
}

/// `host:port` with a port 1..=65535 (reference §3.1 XFR).
fn is_address(b: &[u8]) -> bool {
    let Some(colon) = b.iter().rposition(|&c| c == b':') else {
        return false;
    };
    let (host, port) = (&b[..colon], &b[colon + 1..]);
    !host.is_empty()
        && !port.is_empty()
        && port.len() <= 5
        && port.iter().all(u8::is_ascii_digit)
        && core::str::from_utf8(port)
            .ok()
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|p| (1..=65535).contains(&p))
}

/// A decimal session id (reference §14).
fn is_decimal(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(is_address(b"10.0.0.5:1863"));
        assert!(!is_address(b"10.0.0.5"));
        assert!(!is_address(b":1863"));
        assert!(!is_address(b"host:0"));
        assert!(!is_address(b"host:99999"));
    }

    #[test]
    fn every_rule_id_is_unique() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
