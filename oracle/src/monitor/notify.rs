//! Lines the server owes to *other* connections (reference §14): presence broadcasts to watchers
//! (NLN/FLN), the reverse-list notices ADD/REM 0 RL, RNG to a called user, and on a switchboard
//! the JOI, relayed MSG and BYE every other participant gets.
//!
//! Each is recorded as an expectation on the receiving connection when its cause is read, or, for
//! the lines a reply decides (ADD/REM 0 RL after the ADD/REM FL reply, RNG after CAL RINGING,
//! JOI after ANS OK, OUT OTH after USR OK, BYE after a close the server decides), when that
//! reply or close comes. It is met by the matching
//! server line on that connection. Across connections only "sent before received" orders lines
//! (reference §1.2): such a line may come before the reply on the sender's connection; it is then
//! kept as *early* and claimed by the reply, provided it came after the cause (the command). It is reported missing (REPLY-MISSING or
//! PRESENCE-WATCHER) at the first reply on that connection to a client command sent after the
//! cause — the server had processed the cause before reading that command, so it would have queued
//! the notice first — or at the end of the observation (`Monitor::finish`).

use super::rules::R;
use super::state::{Bytes, Family, Phase, Seen};
use super::{Monitor, lossy};
use msnp6::types::{List, Status};

/// What a connection is owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Want {
    /// NLN (`Some(status)`) or FLN (`None`) about a contact.
    Presence {
        about: Bytes,
        status: Option<Status>,
    },
    ReverseAdd {
        about: Bytes,
    },
    ReverseRemove {
        about: Bytes,
    },
    Rng {
        session: Bytes,
        inviter: Bytes,
    },
    Joi {
        who: Bytes,
    },
    SbMsg {
        from: Bytes,
    },
    Bye {
        who: Bytes,
    },
    /// OUT OTH to the older session of an account that logged in again.
    OutOth,
}

impl Want {
    fn describe(&self) -> String {
        match self {
            Want::Presence {
                about,
                status: Some(s),
            } => format!("NLN {s} {}", lossy(about)),
            Want::Presence {
                about,
                status: None,
            } => format!("FLN {}", lossy(about)),
            Want::ReverseAdd { about } => format!("ADD 0 RL … {}", lossy(about)),
            Want::ReverseRemove { about } => format!("REM 0 RL … {}", lossy(about)),
            Want::Rng { session, inviter } => {
                format!("RNG {} from {}", lossy(session), lossy(inviter))
            }
            Want::Joi { who } => format!("JOI {}", lossy(who)),
            Want::SbMsg { from } => format!("MSG from {}", lossy(from)),
            Want::Bye { who } => format!("BYE {}", lossy(who)),
            Want::OutOth => "OUT OTH".to_owned(),
        }
    }
    fn rule(&self) -> R {
        match self {
            Want::Presence { .. } => R::PresenceWatcher,
            Want::ReverseAdd { .. } | Want::ReverseRemove { .. } => R::ListRl,
            Want::Rng { .. } => R::RngTarget,
            Want::Joi { .. } => R::SbRoster,
            Want::SbMsg { .. } => R::SbMsgSender,
            Want::Bye { .. } => R::SbBye,
            Want::OutOth => R::LoginOth,
        }
    }
}

/// One line owed to a connection.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub(crate) conn: usize,
    /// The file line of the cause.
    pub(crate) since: usize,
    pub(crate) want: Want,
}

/// The last presence line a connection got about a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heard {
    pub(crate) status: Option<Status>,
    pub(crate) name: Option<Bytes>,
    /// The contact's generation (changes) when it was sent.
    pub(crate) changes: u64,
    /// Where it was sent.
    pub(crate) line: usize,
}

/// Whether a line may come before the reply that decides it is owed (see the module's doc).
fn decided_by_a_reply(want: &Want) -> bool {
    matches!(
        want,
        Want::ReverseAdd { .. }
            | Want::ReverseRemove { .. }
            | Want::Rng { .. }
            | Want::Joi { .. }
            | Want::Bye { .. }
            | Want::OutOth
    )
}

impl Monitor {
    pub(super) fn owe(&mut self, conn: usize, since: usize, want: Want) {
        self.expected.push(Expected { conn, since, want });
    }

    /// `want` is owed to `conn` because of the client command of line `cause`, as the reply at
    /// `line` shows: met already if it came early (after the cause), else owed from `line` on.
    pub(super) fn owe_caused(&mut self, conn: usize, cause: usize, line: usize, want: Want) {
        if !self.claim_early(conn, cause, &want) {
            self.owe(conn, line, want);
        }
    }

    /// Takes the early line on `conn` that meets `want` and came after line `cause`, if any.
    pub(super) fn claim_early(&mut self, conn: usize, cause: usize, want: &Want) -> bool {
        let early = self
            .early
            .iter()
            .position(|e| e.conn == conn && e.since > cause && meets(&e.want, want));
        early.map(|i| self.early.remove(i)).is_some()
    }

    /// Keeps a line that met no expectation and may be claimed by a later reply; forgets early
    /// lines no unanswered command can claim any more.
    fn keep_early(&mut self, conn: usize, line: usize, want: &Want) {
        let oldest = self
            .conns
            .iter()
            .filter_map(|c| c.pending.front().map(|p| p.line))
            .min()
            .unwrap_or(line);
        self.early.retain(|e| e.since > oldest);
        if decided_by_a_reply(want) && oldest < line {
            self.early.push(Expected {
                conn,
                since: line,
                want: want.clone(),
            });
        }
    }

    /// Whether an unanswered command on another connection may still decide that `want` is owed
    /// (the line came early, see the module's doc).
    pub(super) fn may_come_early(&self, conn: usize, want: &Want) -> bool {
        self.early.iter().any(|e| e.conn == conn && e.want == *want)
    }

    /// Meets the first expectation on `conn` that `want` matches; returns whether there was one.
    /// Presence lines about one contact come in the order of its changes: an older notice about
    /// the same contact that this line does not meet never came (reported at `line`).
    pub(super) fn deliver(&mut self, conn: usize, line: usize, want: &Want) -> bool {
        while let Some(i) = self
            .expected
            .iter()
            .position(|e| e.conn == conn && same_subject(&e.want, want))
        {
            let e = self.expected.remove(i);
            if meets(want, &e.want) {
                return true;
            }
            let msg = format!(
                "{} was owed because of line {} and did not come before this line",
                e.want.describe(),
                e.since
            );
            self.violate(conn, line, e.want.rule(), msg);
        }
        match self
            .expected
            .iter()
            .position(|e| e.conn == conn && meets(want, &e.want))
        {
            Some(i) => {
                self.expected.remove(i);
                true
            }
            None => {
                self.keep_early(conn, line, want);
                false
            }
        }
    }

    /// A reply on `conn` to the client command of line `command_line`: everything owed to `conn`
    /// because of a cause before that command is overdue.
    pub(super) fn overdue(&mut self, conn: usize, line: usize, command_line: usize) {
        let (late, keep): (Vec<Expected>, Vec<Expected>) = self
            .expected
            .drain(..)
            .partition(|e| e.conn == conn && e.since < command_line);
        self.expected = keep;
        for e in late {
            let msg = format!(
                "{} was owed because of line {} and never came",
                e.want.describe(),
                e.since
            );
            self.violate(conn, line, e.want.rule(), msg);
        }
    }

    /// Forgets what was owed to `conn` (it closed: the file cannot show the notices), except an
    /// OUT OTH, which had to come before the close (reported at the file's last line).
    pub(super) fn forget_owed(&mut self, conn: usize) {
        let (gone, keep): (Vec<Expected>, Vec<Expected>) =
            self.expected.drain(..).partition(|e| e.conn == conn);
        self.expected = keep;
        let last = self.position;
        for e in gone.into_iter().filter(|e| e.want == Want::OutOth) {
            let msg = format!(
                "{} was owed because of the login of line {} and never came",
                e.want.describe(),
                e.since
            );
            self.violate(conn, last, e.want.rule(), msg);
        }
    }

    /// At the end of the observation, everything still owed is missing.
    pub(super) fn owed_at_end(&mut self, last: usize) {
        let late = core::mem::take(&mut self.expected);
        for e in late {
            let msg = format!(
                "{} was owed because of line {} and never came",
                e.want.describe(),
                e.since
            );
            self.violate(e.conn, last, e.want.rule(), msg);
        }
    }

    /// The logged-in NS connections of `handle` (open).
    pub(super) fn ns_conns_of(&self, handle: &[u8]) -> Vec<usize> {
        self.conns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.family == Family::Ns
                    && c.closed.is_none()
                    && c.client_out.is_none()
                    && c.ns.phase == Phase::LoggedIn
                    && c.ns.account == handle
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The logged-in NS connections of `handle`, when it has set a status ("online", §14).
    pub(super) fn ns_conns_with_status(&self, handle: &[u8]) -> Vec<usize> {
        let online = self
            .accounts
            .get(handle)
            .is_some_and(|a| matches!(a.seen, Seen::Status(..)));
        if online {
            self.ns_conns_of(handle)
        } else {
            Vec::new()
        }
    }

    /// Whether a session of `handle` is ending: a connection of it is owed a disconnect (an
    /// outstanding command, or a QRY that is not known to be right: 540 closes), or a second login of the account awaits its USR OK (the
    /// older session gets OUT OTH, §14). The FLN the end causes may reach a watcher before the
    /// end is seen, since only "sent before received" orders connections (§1.2).
    pub(super) fn closing(&self, handle: &[u8]) -> bool {
        let owed_close = self.ns_conns_of(handle).iter().any(|&o| {
            self.conns.get(o).is_some_and(|c| {
                c.pending.iter().any(|p| {
                    matches!(
                        p.exp,
                        super::state::Exp::Close { .. }
                            | super::state::Exp::Qry {
                                accept: Some(false) | None,
                                ..
                            }
                    )
                })
            })
        });
        let second_login = self.conns.iter().any(|c| {
            matches!(&c.ns.phase, Phase::Salt { handle: h, .. } if h == handle)
                && c.pending
                    .iter()
                    .any(|p| matches!(p.exp, super::state::Exp::UsrS { .. }))
        });
        owed_close || second_login
    }

    /// Whether `handle` has a list command outstanding (its effect on presence may cross
    /// the notices).
    pub(super) fn changing_lists(&self, handle: &[u8]) -> bool {
        self.conns
            .iter()
            .filter(|c| c.family == Family::Ns && c.ns.account == handle)
            .any(|c| {
                c.pending.iter().any(|p| {
                    matches!(
                        p.exp,
                        super::state::Exp::Add { .. }
                            | super::state::Exp::Rem { .. }
                            | super::state::Exp::Blp(_)
                    )
                })
            })
    }

    /// `x` changed whom it allows (BLP, ADD/REM AL/BL): a connection that may no longer see it
    /// has stopped watching it, so the next presence line about `x` there (after an unblocking,
    /// §14) is not a repetition of the last one.
    pub(super) fn privacy_changed(&mut self, x: &[u8]) {
        let Some(acct) = self.accounts.get(x) else {
            return;
        };
        let conns = &self.conns;
        self.last_presence.retain(|(c, h), _| {
            h.as_slice() != x
                || conns
                    .get(*c)
                    .is_some_and(|w| acct.allows(&w.ns.account) == Some(true))
        });
    }

    /// Whether `handle` has sent a list command (ADD, REM, BLP) that is not answered yet: whom it
    /// allows is then not known, since the server may have processed it already (the lines of
    /// two connections only order "sent before received").
    pub(super) fn list_command_unanswered(&self, handle: &[u8]) -> bool {
        self.conns
            .iter()
            .filter(|c| c.family == Family::Ns && c.ns.account == handle)
            .any(|c| {
                c.pending.iter().any(|p| {
                    !p.answered
                        && matches!(
                            p.exp,
                            super::state::Exp::Add { .. }
                                | super::state::Exp::Rem { .. }
                                | super::state::Exp::Blp(_)
                        )
                })
            })
    }

    /// `handle`'s presence changed at `line` from `old` to its current state: every watcher is
    /// owed an NLN or FLN (§14). `renamed`: the display name changed.
    pub(super) fn broadcast(&mut self, handle: &[u8], line: usize, old: Seen, renamed: bool) {
        let Some(x) = self.accounts.get(handle).filter(|a| a.real) else {
            return;
        };
        let new = x.seen;
        let old_visible = old.visible() == Some(true);
        let new_status = match new {
            Seen::Status(s, _) if s.is_visible_online() => Some(s),
            _ => None,
        };
        let changed = match (old, new) {
            (Seen::Status(a, _), Seen::Status(b, _)) => a != b || renamed,
            _ => old_visible != new_status.is_some() || renamed,
        };
        if !changed || (!old_visible && new_status.is_none()) {
            return;
        }
        let watchers: Vec<usize> = self
            .conns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.family == Family::Ns
                    && c.closed.is_none()
                    && c.client_out.is_none()
                    && c.ns.phase == Phase::LoggedIn
                    && c.ns.account != handle
                    && c.ns.first_chg == Some(true)
                    && !c.pending.iter().any(|p| {
                        !p.answered && {
                            matches!(
                                p.exp,
                                super::state::Exp::Chg {
                                    first: Some(false),
                                    ..
                                }
                            )
                        }
                    })
            })
            .filter(|(_, c)| {
                let w = &c.ns.account;
                let on_fl = self.accounts.get(w).is_some_and(|a| {
                    a.real && a.list(List::Forward).contains(handle) == Some(true)
                });
                on_fl && x.allows(w) == Some(true)
            })
            .map(|(i, _)| i)
            .collect();
        let asked = x.asked_line;
        let name = x.name.clone();
        for w in watchers {
            // Already sent (the lines of two connections may come in either order)?
            let heard = self.last_presence.get(&(w, handle.to_vec()));
            let already = heard.is_some_and(|h| {
                h.line > asked && h.status == new_status && (new_status.is_none() || h.name == name)
            });
            if !already {
                self.owe(
                    w,
                    line,
                    Want::Presence {
                        about: handle.to_vec(),
                        status: new_status,
                    },
                );
            }
        }
    }

    /// Records a presence line about `handle` on `conn`; reports a repetition of the last one when
    /// nothing changed in between.
    pub(super) fn heard(
        &mut self,
        conn: usize,
        line: usize,
        handle: &[u8],
        status: Option<Status>,
        name: Option<&[u8]>,
        what: &str,
    ) {
        let Some(x) = self
            .accounts
            .get(handle)
            .filter(|a| a.real && a.seen != Seen::Unknown)
        else {
            self.deliver(
                conn,
                line,
                &Want::Presence {
                    about: handle.to_vec(),
                    status,
                },
            );
            return;
        };
        let heard = Heard {
            status,
            name: name.map(<[u8]>::to_vec),
            changes: x.changes,
            line,
        };
        let key = (conn, handle.to_vec());
        let repeat = self.last_presence.get(&key).is_some_and(|h| {
            h.status == heard.status && h.name == heard.name && h.changes == heard.changes
        });
        if what != "ILN" && repeat {
            self.violate(
                conn,
                line,
                R::PresenceMatch,
                format!(
                    "{what} repeats the last presence line about {} although nothing changed",
                    lossy(handle)
                ),
            );
        }
        self.last_presence.insert(key, heard);
        self.deliver(
            conn,
            line,
            &Want::Presence {
                about: handle.to_vec(),
                status,
            },
        );
    }
}

/// Two expectations about the same thing (the newer replaces the older).
fn same_subject(a: &Want, b: &Want) -> bool {
    match (a, b) {
        (Want::Presence { about: x, .. }, Want::Presence { about: y, .. }) => x == y,
        _ => false,
    }
}

/// Whether a delivered line meets an expectation.
fn meets(got: &Want, owed: &Want) -> bool {
    match (got, owed) {
        (
            Want::Presence {
                about: a,
                status: s,
            },
            Want::Presence {
                about: b,
                status: t,
            },
        ) => a == b && s.is_some() == t.is_some(),
        _ => got == owed,
    }
}
