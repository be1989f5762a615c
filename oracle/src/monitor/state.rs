//! What the monitor learns from the lines it has read: accounts (lists, list version, settings,
//! presence), connections (login phase, outstanding commands, switchboard roster) and cookies.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::rules::R;
use msnp6::types::{AckMode, Dialect, GtcMode, List, Privacy, ServerKind, Status};

/// Bytes of a handle, name, cookie or other token.
pub(crate) type Bytes = Vec<u8>;

/// Which state machine a connection runs: DS and NS share one (the DS is an NS that refers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Family {
    Ns,
    Sb,
}

impl Family {
    pub(crate) fn of(kind: ServerKind) -> Family {
        match kind {
            ServerKind::Switchboard => Family::Sb,
            ServerKind::Dispatch | ServerKind::Notification => Family::Ns,
        }
    }
}

/// The position of a list in [`Account::lists`] and in the SYN reply.
pub(crate) const fn list_index(l: List) -> usize {
    match l {
        List::Forward => 0,
        List::Allow => 1,
        List::Block => 2,
        List::Reverse => 3,
        // `#[non_exhaustive]` in msnp6; the test `known_variants` fails if another exists.
        _ => 0,
    }
}

/// The lists in SYN order.
pub(crate) const LISTS: [List; 4] = [List::Forward, List::Allow, List::Block, List::Reverse];

/// What is known of one list: either all of it (`complete`), or some members and some
/// non-members learned from the server's lines.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListState {
    pub(crate) complete: bool,
    pub(crate) members: BTreeMap<Bytes, Bytes>,
    pub(crate) absent: BTreeSet<Bytes>,
}

impl ListState {
    /// `Some(true)` on the list, `Some(false)` known not on it, `None` unknown.
    pub(crate) fn contains(&self, h: &[u8]) -> Option<bool> {
        if self.members.contains_key(h) {
            Some(true)
        } else if self.complete || self.absent.contains(h) {
            Some(false)
        } else {
            None
        }
    }
    pub(crate) fn insert(&mut self, h: &[u8], name: &[u8]) {
        self.absent.remove(h);
        self.members.insert(h.to_vec(), name.to_vec());
    }
    pub(crate) fn remove(&mut self, h: &[u8]) {
        self.members.remove(h);
        if !self.complete {
            self.absent.insert(h.to_vec());
        }
    }
    /// Forgets whether `h` is on the list (it changed where the file cannot show it).
    pub(crate) fn forget(&mut self, h: &[u8]) {
        self.members.remove(h);
        self.absent.remove(h);
        self.complete = false;
    }
    /// Known size, when the whole list is known.
    pub(crate) fn size(&self) -> Option<usize> {
        self.complete.then_some(self.members.len())
    }
    pub(crate) fn replace(&mut self, entries: &[(Bytes, Bytes)]) {
        self.complete = true;
        self.absent.clear();
        self.members = entries.iter().cloned().collect();
    }
}

/// A user's presence as the file shows it (from the user's own NS connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// The user has no NS connection in the file yet: anything is possible.
    Unknown,
    /// Logged out (line of the logout).
    Offline(usize),
    /// Logged in, no status set yet (invisible to others).
    NoStatus,
    /// The status its last CHG set (line of the server's line).
    Status(Status, usize),
}

impl Seen {
    /// Whether others see the user online: `None` when unknown.
    pub(crate) fn visible(self) -> Option<bool> {
        match self {
            Seen::Unknown => None,
            Seen::Offline(_) | Seen::NoStatus => Some(false),
            Seen::Status(s, _) => Some(s.is_visible_online()),
        }
    }
}

/// One account (keyed by handle, or by a connection name for a session whose login is not in the
/// file).
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) version: Option<u32>,
    /// The list version went up after `version` by a change no line showed (another user's ADD
    /// or REM FL while this account had no session to notify, §3.2 "every change by either side
    /// increments it"): the next line that carries the version must carry one above `version`.
    pub(crate) version_moved: bool,
    pub(crate) lists: [ListState; 4],
    pub(crate) gtc: Option<GtcMode>,
    pub(crate) blp: Option<Privacy>,
    /// Display name (USR OK, REA of oneself).
    pub(crate) name: Option<Bytes>,
    /// A name asked for by REA of oneself and not yet confirmed.
    pub(crate) pending_name: Option<Bytes>,
    pub(crate) seen: Seen,
    /// A status asked for by CHG and not yet echoed.
    pub(crate) requested: Option<Status>,
    /// The line of its last CHG or REA of itself (presence sent after it may already be new).
    pub(crate) asked_line: usize,
    /// Keyed by a real handle (not an anonymous session).
    pub(crate) real: bool,
    /// Logged in somewhere in the file (so the account exists).
    pub(crate) exists: bool,
    /// Counts the changes of its presence or name (to tell a repeated presence line).
    pub(crate) changes: u64,
}

impl Account {
    pub(crate) fn new(real: bool) -> Account {
        Account {
            version: None,
            version_moved: false,
            lists: Default::default(),
            gtc: None,
            blp: None,
            name: None,
            pending_name: None,
            seen: Seen::Unknown,
            requested: None,
            asked_line: 0,
            real,
            exists: false,
            changes: 0,
        }
    }
    pub(crate) fn list(&self, l: List) -> &ListState {
        &self.lists[list_index(l)]
    }
    pub(crate) fn list_mut(&mut self, l: List) -> &mut ListState {
        &mut self.lists[list_index(l)]
    }
    /// visible(self → w), §14: w not on BL, and on AL or BLP is AL.
    pub(crate) fn allows(&self, w: &[u8]) -> Option<bool> {
        match self.list(List::Block).contains(w) {
            Some(true) => return Some(false),
            None => return None,
            Some(false) => {}
        }
        match self.list(List::Allow).contains(w) {
            Some(true) => Some(true),
            Some(false) => self.blp.map(|b| b == Privacy::AllowAll),
            None => None,
        }
    }
}

/// The login phase of a DS/NS connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The connection's start is not in the file.
    Unknown,
    /// Nothing sent yet.
    Fresh,
    /// VER answered.
    Ver,
    /// Salt sent for this handle.
    Salt {
        handle: Bytes,
        salt: Bytes,
    },
    LoggedIn,
    /// Referred to another NS: the client should leave.
    Referred,
    /// `VER … CVR0` chosen: the client-update exchange.
    Cvr0,
}

/// Why and where a connection closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Closed {
    pub(crate) line: usize,
    pub(crate) why: String,
}

/// What a DS/NS connection knows.
#[derive(Debug, Clone)]
pub(crate) struct NsConn {
    pub(crate) phase: Phase,
    /// The account key (handle, or an anonymous key).
    pub(crate) account: Bytes,
    /// SYN sent on this connection.
    pub(crate) syn: Option<bool>,
    /// First CHG sent on this connection.
    pub(crate) first_chg: Option<bool>,
    pub(crate) inf: bool,
    /// The last two challenges (newest last), and whether every challenge is known.
    pub(crate) challenges: Vec<Bytes>,
    pub(crate) challenges_known: bool,
    /// The next server line must be the profile MSG (line of USR OK).
    pub(crate) expect_profile: Option<usize>,
}

/// What a switchboard connection knows.
#[derive(Debug, Clone, Default)]
pub(crate) struct SbConn {
    /// The user of this connection (USR/ANS handle).
    pub(crate) me: Option<Bytes>,
    /// Logged in (USR OK / ANS OK); `None` unknown.
    pub(crate) joined: Option<bool>,
    /// The other participants.
    pub(crate) roster: BTreeSet<Bytes>,
    /// Whether `roster` is all of them (the login is in the file).
    pub(crate) roster_complete: bool,
    /// Invited by this connection (CAL RINGING), not yet joined.
    pub(crate) invited: BTreeSet<Bytes>,
    pub(crate) session: Option<Bytes>,
}

/// One connection of the transcript.
#[derive(Debug, Clone)]
pub(crate) struct Conn {
    pub(crate) name: String,
    pub(crate) family: Family,
    /// The exact kind, when the file names one kind for it.
    pub(crate) kind: Option<ServerKind>,
    pub(crate) dialect: Dialect,
    pub(crate) lines: usize,
    /// Closed by the server, or by an event.
    pub(crate) closed: Option<Closed>,
    /// The client sent OUT (line).
    pub(crate) client_out: Option<usize>,
    pub(crate) pending: VecDeque<Pending>,
    pub(crate) png: std::collections::VecDeque<usize>,
    pub(crate) trids: BTreeSet<u32>,
    pub(crate) ns: NsConn,
    pub(crate) sb: SbConn,
}

impl Conn {
    pub(crate) fn new(
        name: &str,
        family: Family,
        kind: Option<ServerKind>,
        dialect: Dialect,
        fresh: bool,
    ) -> Conn {
        let mut c = Conn {
            name: name.to_owned(),
            family,
            kind,
            dialect,
            lines: 0,
            closed: None,
            client_out: None,
            pending: VecDeque::new(),
            png: std::collections::VecDeque::new(),
            trids: BTreeSet::new(),
            ns: NsConn {
                phase: Phase::Unknown,
                account: anonymous(name),
                syn: None,
                first_chg: None,
                inf: false,
                challenges: Vec::new(),
                challenges_known: false,
                expect_profile: None,
            },
            sb: SbConn::default(),
        };
        if fresh {
            c.make_fresh();
        }
        c
    }

    /// The connection starts here: everything about it is known from now on.
    pub(crate) fn make_fresh(&mut self) {
        self.ns.phase = Phase::Fresh;
        self.ns.syn = Some(false);
        self.ns.first_chg = Some(false);
        self.ns.challenges_known = true;
        self.sb.joined = Some(false);
        self.sb.roster_complete = true;
    }

    /// Whether the user may be logged in (logged in, or unknown).
    pub(crate) fn maybe_logged_in(&self) -> bool {
        matches!(self.ns.phase, Phase::LoggedIn | Phase::Unknown)
    }
}

/// The account key of a session whose login is not in the file.
pub(crate) fn anonymous(conn: &str) -> Bytes {
    let mut k = b"\0session:".to_vec();
    k.extend_from_slice(conn.as_bytes());
    k
}

/// An XFR SB or RNG cookie seen in the file.
#[derive(Debug, Clone)]
pub(crate) struct Cookie {
    /// The user it was given to (`None` when that user's handle is unknown).
    pub(crate) owner: Option<Bytes>,
    /// Session id (RNG only).
    pub(crate) session: Option<Bytes>,
    /// Time (seconds of `# event: tick`) when issued.
    pub(crate) issued: u64,
    pub(crate) used: bool,
    pub(crate) line: usize,
}

/// A client command waiting for (the rest of) its reply.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) line: usize,
    pub(crate) trid: u32,
    pub(crate) verb: &'static str,
    pub(crate) exp: Exp,
    /// The main reply arrived; the entry stays for trailing lines (ILN, BPR, batch lines).
    pub(crate) answered: bool,
}

/// The SYN reply being read.
#[derive(Debug, Clone, Default)]
pub(crate) struct SynBatch {
    pub(crate) version: u32,
    /// 0 GTC, 1 BLP, 2 PRP, 3 FL, 4 AL, 5 BL, 6 RL, 7 done.
    pub(crate) stage: u8,
    /// Index and total of the list being read.
    pub(crate) index: u32,
    pub(crate) total: u32,
    pub(crate) last_fl: Option<Bytes>,
    pub(crate) bprs: Vec<Bytes>,
    pub(crate) props: Vec<Bytes>,
    pub(crate) lists: [Vec<(Bytes, Bytes)>; 4],
    pub(crate) gtc: Option<GtcMode>,
    pub(crate) blp: Option<Privacy>,
    /// Lists started so far (bit per list, SYN order).
    pub(crate) seen: u8,
}

/// What follows an ADD FL reply.
#[derive(Debug, Clone)]
pub(crate) struct AddAfter {
    pub(crate) version: u32,
    pub(crate) bprs: usize,
    /// BPRs required (`Some(true)`), forbidden (`Some(false)`) or either.
    pub(crate) bpr: Option<bool>,
    pub(crate) iln: bool,
    /// An ILN is required (the contact is known online and visible).
    pub(crate) iln_required: bool,
}

/// What follows the first CHG's echo.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChgAfter {
    pub(crate) ilns: BTreeSet<Bytes>,
    pub(crate) required: BTreeSet<Bytes>,
}

/// What a client command expects.
#[derive(Debug, Clone)]
pub(crate) enum Exp {
    Ver {
        offered: Vec<Bytes>,
    },
    Inf,
    /// `USR MD5 I`; `after_login`: the login phase is unknown, so 207 is possible too.
    UsrI {
        handle: Bytes,
        after_login: bool,
    },
    UsrS {
        digest: Bytes,
        after_login: bool,
    },
    Usr207,
    SbUsr {
        handle: Bytes,
        cookie: Bytes,
    },
    Ans {
        handle: Bytes,
        iro: Vec<Bytes>,
        total: Option<u32>,
    },
    XfrSb,
    Cvr,
    Syn {
        client: u32,
        batch: Option<SynBatch>,
    },
    Lst {
        list: Option<List>,
        got: Vec<(Bytes, Bytes)>,
        total: Option<u32>,
        version: Option<u32>,
    },
    Gtc(GtcMode),
    Blp(Privacy),
    Add {
        list: List,
        handle: Bytes,
        name: Bytes,
        after: Option<AddAfter>,
    },
    Rem {
        list: List,
        handle: Bytes,
    },
    Rea {
        handle: Bytes,
        name: Bytes,
    },
    Prp {
        property: Bytes,
        value: Option<Bytes>,
        known: bool,
    },
    Chg {
        status: Status,
        first: Option<bool>,
        after: Option<ChgAfter>,
    },
    Ims(Bytes),
    /// URL; `refusable`: the service is not documented for the dialect in force (or is the
    /// dropped PASSWORD), so `201` may answer it.
    Url {
        refusable: bool,
    },
    Fnd {
        got: u32,
        total: Option<u32>,
    },
    Invite,
    Pag,
    ChlReq,
    /// `Some(true)` must be accepted, `Some(false)` must be refused, `None` either.
    Qry {
        accept: Option<bool>,
        why: String,
    },
    Cal {
        handle: Bytes,
    },
    /// `required`: a reply must come (MSG A with others present).
    Msg {
        ack: AckMode,
        required: bool,
        alone: Option<bool>,
    },
    /// A client line the monitor could not decode: any reply with its TrID is accepted.
    Opaque,
    /// A client line the monitor could not decode and that has no TrID a reply could carry
    /// (garbage, a PNG with parameters, a TrID the codec refuses such as `01`): nothing is owed,
    /// but the server may close on it (§14), so it may be the cause of a close.
    Unread,
    /// The server must close (or send one of `allowed`).
    Close {
        allowed: &'static [u16],
        why: String,
    },
}

impl Pending {
    /// The rule and message for this command's missing reply, when it required one.
    /// Every part of the reply that never came: the reply, or the missing parts of a reply
    /// that came (one missing part does not hide another).
    pub(crate) fn missing(&self) -> Vec<(R, String)> {
        let at = self.line;
        if let Exp::Add {
            after: Some(a),
            handle,
            ..
        } = &self.exp
        {
            let handle = String::from_utf8_lossy(handle);
            let mut parts = Vec::new();
            if a.bpr == Some(true) && a.bprs < 4 {
                parts.push((
                    R::AddFollowup,
                    format!(
                        "after ADD FL {handle} (line {at}) only {} of the BPR lines PHH, PHW, PHM, MOB came",
                        a.bprs
                    ),
                ));
            }
            if a.iln_required && !a.iln {
                parts.push((
                    R::PresenceWatcher,
                    format!(
                        "after ADD FL {handle} (line {at}) no ILN came although the contact is online and visible"
                    ),
                ));
            }
            return parts;
        }
        self.missing_reply().into_iter().collect()
    }

    fn missing_reply(&self) -> Option<(R, String)> {
        let at = self.line;
        let verb = self.verb;
        let none = || {
            Some((
                R::ReplyMissing,
                format!("no reply came to {verb} {} (line {at})", self.trid),
            ))
        };
        match &self.exp {
            Exp::Opaque | Exp::Unread | Exp::Pag => None,
            Exp::Msg { required, .. } => (*required && !self.answered).then(|| {
                (R::SbAck, format!("MSG {} A (line {at}) with other participants present got neither ACK nor NAK", self.trid))
            }),
            Exp::Close { why, .. } => Some((
                R::DisconnectExpected,
                format!("the server should have closed the connection after line {at} ({why})"),
            )),
            _ if !self.answered => none(),
            Exp::Syn { batch: Some(b), .. } if b.stage < 7 => Some((
                R::SynOrder,
                format!("the SYN reply to line {at} is incomplete: {} missing", stage_name(b.stage)),
            )),
            Exp::Lst { total: Some(t), got, .. } if (got.len() as u64) < u64::from(*t) => Some((
                R::IndexTotal,
                format!("the LST reply to line {at} stopped after {} of {t} entries", got.len()),
            )),
            Exp::Fnd { got, total: Some(t) } if got < t => Some((
                R::IndexTotal,
                format!("the FND reply to line {at} stopped after {got} of {t} results"),
            )),
            Exp::Chg { after: Some(a), .. } => {
                let missing: Vec<String> =
                    a.required.difference(&a.ilns).map(|h| String::from_utf8_lossy(h).into_owned()).collect();
                (!missing.is_empty()).then(|| {
                    (
                        R::PresenceWatcher,
                        format!("the first CHG (line {at}) got no ILN for online contact(s) {}", missing.join(", ")),
                    )
                })
            }
            _ => None,
        }
    }
}

/// The name of a SYN stage, for messages.
pub(crate) fn stage_name(stage: u8) -> &'static str {
    match stage {
        0 => "GTC",
        1 => "BLP",
        2 => "LST FL",
        3 => "LST FL",
        4 => "LST AL",
        5 => "LST BL",
        6 => "LST RL",
        _ => "nothing",
    }
}
