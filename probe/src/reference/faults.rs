//! Deliberate faults (feature `faults`, test-only): each changes what the reference server sends
//! (or, for two, what its world reads) at the socket boundary, so that a judge of servers — the monitor,
//! the probe — has a server that must be found wrong, and a rule it must name.
//!
//! The world itself stays correct: a fault is applied to what it sent (or to what it is given),
//! so the server's state and what it wrote differ from then on.

use std::collections::BTreeMap;

use msnp6::Payload;
use msnp6::commands::Command;
use msnp6::commands::lists::Add;
use msnp6::commands::presence::Nln;
use msnp6::types::{FriendlyName, Handle, List, Token, TrId};
use msnp6_oracle::model::{Event, World, rules};

use super::core::Record;

/// One deliberate fault of the reference server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// `ADD` of a handle already on that list is accepted (`ADD TrID list version …`) instead of
    /// answered `215` (reference §3.2 ADD).
    DuplicateAddAccepted,
    /// The reply to `CHG` carries the request's TrID plus one (reference §1.2).
    WrongTrid,
    /// The `ADD` reply carries the list version before the change, not the raised one
    /// (reference §3.2 "list version").
    VersionNotRaised,
    /// A `QRY` with a wrong digest is accepted (the server reads the right one instead;
    /// reference §3.4 QRY, §9).
    WrongQryAccepted,
    /// The called user never gets the `RNG` of a `CAL` (reference §3.5, §14).
    RngNotSent,
    /// Switchboard session ids in `CAL … RINGING` and `RNG` are not decimal (`s` + the id;
    /// reference §14).
    SessionIdNotDecimal,
    /// An unknown command is ignored instead of closing the connection, and later commands are
    /// answered (reference §14).
    UnknownIgnored,
    /// Every server `MSG` declares a payload one byte shorter than it sends (reference §1.4).
    PayloadLengthOffByOne,
    /// The four `BPR` lines after `ADD … FL` are not sent (reference §14 "ADD FL C").
    BprMissingAfterAddFl,
    /// A status change is also sent as `NLN` to the users the changer blocks (reference §14
    /// "Presence": watchers only).
    NlnToBlocked,
}

impl Fault {
    /// Every fault.
    pub const ALL: &'static [Fault] = &[
        Fault::DuplicateAddAccepted,
        Fault::WrongTrid,
        Fault::VersionNotRaised,
        Fault::WrongQryAccepted,
        Fault::RngNotSent,
        Fault::SessionIdNotDecimal,
        Fault::UnknownIgnored,
        Fault::PayloadLengthOffByOne,
        Fault::BprMissingAfterAddFl,
        Fault::NlnToBlocked,
    ];

    /// The fault's name (`--fault NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::DuplicateAddAccepted => "duplicate-add-accepted",
            Fault::WrongTrid => "wrong-trid",
            Fault::VersionNotRaised => "version-not-raised",
            Fault::WrongQryAccepted => "wrong-qry-accepted",
            Fault::RngNotSent => "rng-not-sent",
            Fault::SessionIdNotDecimal => "session-id-not-decimal",
            Fault::UnknownIgnored => "unknown-ignored",
            Fault::PayloadLengthOffByOne => "payload-length-off-by-one",
            Fault::BprMissingAfterAddFl => "bpr-missing-after-add-fl",
            Fault::NlnToBlocked => "nln-to-blocked",
        }
    }

    /// The fault of this name.
    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The monitor rule (`msnp6_oracle::monitor::RULES`) the fault breaks.
    pub fn rule(self) -> &'static str {
        match self {
            Fault::DuplicateAddAccepted => "LIST-215",
            Fault::WrongTrid => "TRID-ECHO",
            Fault::VersionNotRaised => "LIST-VERSION-MONOTONIC",
            Fault::WrongQryAccepted => "QRY-DIGEST",
            Fault::RngNotSent => "RNG-TARGET",
            Fault::SessionIdNotDecimal => "SB-SESSION-ID",
            Fault::UnknownIgnored => "DISCONNECT-EXPECTED",
            Fault::PayloadLengthOffByOne => "LINE-SYNTAX",
            Fault::BprMissingAfterAddFl => "ADD-FL-FOLLOWUP",
            Fault::NlnToBlocked => "PRESENCE-WATCHER",
        }
    }
}

impl core::fmt::Display for Fault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault and what it needs to remember of the traffic.
#[derive(Debug)]
pub(crate) struct Injector {
    fault: Fault,
    /// The challenges sent on each connection, newest last (at most two kept).
    challenges: BTreeMap<String, Vec<String>>,
    /// Each logged-in user's NS connection and display name, from `USR OK` and `REA`.
    users: BTreeMap<Vec<u8>, (String, FriendlyName<'static>)>,
}

impl Injector {
    pub(crate) fn new(fault: Fault) -> Self {
        Injector {
            fault,
            challenges: BTreeMap::new(),
            users: BTreeMap::new(),
        }
    }

    /// The event the world applies: a wrong `QRY` made right ([`Fault::WrongQryAccepted`]);
    /// none for an unknown command ([`Fault::UnknownIgnored`]: the world never sees it, so the
    /// connection stays open and later commands are answered).
    pub(crate) fn incoming(&self, event: &Event) -> Option<Event> {
        Some(match (self.fault, event) {
            (
                Fault::UnknownIgnored,
                Event::Send {
                    frame: Command::Unknown(_),
                    ..
                },
            ) => return None,
            (
                Fault::WrongQryAccepted,
                Event::Send {
                    conn,
                    frame: Command::Qry(q),
                },
            ) => {
                let mut q = q.clone();
                if let Some(right) = self.right_answer(conn, q.public_key.as_bytes()) {
                    q.payload = Payload::new(right.into_bytes());
                }
                Event::Send {
                    conn: conn.clone(),
                    frame: Command::Qry(q),
                }
            }
            _ => event.clone(),
        })
    }

    fn right_answer(&self, conn: &str, public_key: &[u8]) -> Option<String> {
        let challenge = self.challenges.get(conn)?.last()?;
        let key = msnp6::auth::KeyPair::by_public_key(public_key)?.private_key?;
        let challenge = msnp6::auth::Challenge::new(challenge.as_bytes()).ok()?;
        Some(msnp6::auth::qry_response_string(challenge, key))
    }

    /// Changes what goes out.
    pub(crate) fn outgoing(&mut self, world: &World, event: &Event, records: &mut Vec<Record>) {
        self.remember(records);
        let request = match event {
            Event::Send { conn, frame } => Some((conn.as_str(), frame)),
            _ => None,
        };
        match (self.fault, request) {
            (Fault::DuplicateAddAccepted, Some((conn, Command::AddRequest(r)))) => {
                let version = world.user(conn).and_then(|u| world.list_version(u));
                for rec in records.iter_mut().filter(|x| x.conn == conn) {
                    if let (Command::Error(e), Some(v)) = (&rec.command, version) {
                        if e.code.get() == 215 && e.trid == r.trid {
                            let add = Add::new(
                                r.trid,
                                r.list.clone(),
                                v,
                                r.handle.clone(),
                                r.name.clone(),
                                None,
                            );
                            if let Ok(add) = add {
                                set(rec, Command::Add(add));
                            }
                        }
                    }
                }
            }
            (Fault::WrongTrid, Some((conn, Command::Chg(c)))) => {
                for rec in records.iter_mut().filter(|x| x.conn == conn) {
                    if let Command::Chg(reply) = &rec.command {
                        if reply.trid == c.trid {
                            let mut reply = reply.clone();
                            reply.trid = TrId(c.trid.0.wrapping_add(1).max(1));
                            set(rec, Command::Chg(reply));
                        }
                    }
                }
            }
            (Fault::VersionNotRaised, Some((conn, Command::AddRequest(_)))) => {
                for rec in records.iter_mut().filter(|x| x.conn == conn) {
                    if let Command::Add(a) = &rec.command {
                        let v = a.version().saturating_sub(1);
                        let add = Add::new(
                            *a.trid(),
                            a.list().clone(),
                            v,
                            a.handle().clone(),
                            a.name().clone(),
                            *a.group(),
                        );
                        if let Ok(add) = add {
                            set(rec, Command::Add(add));
                        }
                    }
                }
            }
            (Fault::NlnToBlocked, Some((conn, Command::Chg(_)))) => {
                self.nln_to_blocked(world, conn, records);
            }
            _ => {}
        }
        self.always(records);
    }

    /// The faults that apply to every step.
    fn always(&self, records: &mut Vec<Record>) {
        match self.fault {
            Fault::RngNotSent => records.retain(|r| !matches!(r.command, Command::Rng(_))),
            Fault::BprMissingAfterAddFl => records.retain(|r| {
                !(matches!(r.command, Command::Bpr(_)) && r.rule == rules::ADD_FL_SEQUENCE)
            }),
            Fault::SessionIdNotDecimal => {
                for rec in records.iter_mut() {
                    let command = match &rec.command {
                        Command::CalRinging(c) => {
                            let mut c = c.clone();
                            c.session = not_decimal(&c.session);
                            Command::CalRinging(c)
                        }
                        Command::Rng(r) => {
                            let mut r = r.clone();
                            r.session = not_decimal(&r.session);
                            Command::Rng(r)
                        }
                        _ => continue,
                    };
                    set(rec, command);
                }
            }
            Fault::PayloadLengthOffByOne => {
                for rec in records.iter_mut() {
                    if matches!(rec.command, Command::Msg(_)) {
                        rec.bytes = shorter_length(&rec.bytes);
                    }
                }
            }
            _ => {}
        }
    }

    /// Remembers challenges, logins and own renames from what goes out.
    fn remember(&mut self, records: &[Record]) {
        for r in records {
            match &r.command {
                Command::Chl(c) => {
                    let list = self.challenges.entry(r.conn.clone()).or_default();
                    list.push(c.challenge.to_string());
                    if list.len() > 2 {
                        list.remove(0);
                    }
                }
                Command::UsrOk(ok) => {
                    let entry = (r.conn.clone(), ok.name.clone().into_owned());
                    self.users.insert(ok.handle.as_bytes().to_vec(), entry);
                }
                Command::Rea(rea) => {
                    if let Some(u) = self.users.get_mut(rea.handle.as_bytes()) {
                        if u.0 == r.conn {
                            u.1 = rea.name.clone().into_owned();
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// After a status change of the user on `conn`: `NLN` to each blocked user that is logged in.
    fn nln_to_blocked(&self, world: &World, conn: &str, records: &mut Vec<Record>) {
        let Some(user) = world.user(conn) else {
            return;
        };
        let status = world.status(user);
        let Some((_, name)) = self.users.get(user.as_bytes()) else {
            return;
        };
        if !status.is_visible_online() {
            return;
        }
        let Ok(handle) = Handle::new(user.as_bytes().to_vec()) else {
            return;
        };
        for blocked in world.list(user, List::Block) {
            let Some((to, _)) = self.users.get(blocked.as_bytes()) else {
                continue;
            };
            if !world.is_open(to) || world.user(to) != Some(blocked.as_str()) {
                continue;
            }
            let nln = Command::Nln(Nln {
                status: status.into(),
                handle: handle.clone(),
                name: name.clone(),
            });
            records.push(Record {
                conn: to.clone(),
                bytes: nln.to_bytes(),
                command: nln,
                rule: "FAULT-NLN-TO-BLOCKED",
            });
        }
    }
}

/// Replaces a record's frame.
fn set(rec: &mut Record, command: Command<'static>) {
    rec.bytes = command.to_bytes();
    rec.command = command;
}

/// `s` + the session id.
fn not_decimal(session: &Token<'_>) -> Token<'static> {
    let mut bytes = b"s".to_vec();
    bytes.extend_from_slice(session.as_bytes());
    Token::new(bytes).unwrap_or_else(|_| Token::from_static(b"s"))
}

/// The frame with its command line's last word (the payload length) one less.
fn shorter_length(frame: &[u8]) -> Vec<u8> {
    let Some(end) = frame.windows(2).position(|w| w == b"\r\n") else {
        return frame.to_vec();
    };
    let line = &frame[..end];
    let Some(space) = line.iter().rposition(|&b| b == b' ') else {
        return frame.to_vec();
    };
    let Some(n) = std::str::from_utf8(&line[space + 1..])
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n > 0)
    else {
        return frame.to_vec();
    };
    let mut out = line[..=space].to_vec();
    out.extend_from_slice((n - 1).to_string().as_bytes());
    out.extend_from_slice(&frame[end..]);
    out
}
