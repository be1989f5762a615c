//! The model's own reading of bad values in client commands: which value is bad and what the
//! server answers (reference §3, §4, §13, §14). Written from the reference, not from the codec's
//! `validate` table: the property `model_bad_values` compares the two, and docs/model.md records
//! how each disagreement was decided.
//!
//! Only the codec's types are shared (the decoded [`Command`] and its fields, read as bytes); the
//! keyword lists, the handle syntax, the key table and the answers are this module's.

use msnp6::commands::Command;
use msnp6::types::Dialect;

/// What the server answers a bad value with (reference §1.3, §4, §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadValue {
    /// An error reply with this code; the connection stays open.
    Error(u16),
    /// The connection is closed without a reply.
    Disconnect,
    /// An error reply with this code, then the connection is closed.
    ErrorThenDisconnect(u16),
    /// `VER TrID 0`, then the connection is closed (reference §3.1 VER).
    RefuseVersion,
}

impl BadValue {
    /// The error code of the reply, if the answer is an error reply.
    pub fn code(self) -> Option<u16> {
        match self {
            BadValue::Error(c) | BadValue::ErrorThenDisconnect(c) => Some(c),
            BadValue::Disconnect | BadValue::RefuseVersion => None,
        }
    }

    /// Whether the server closes the connection.
    pub fn closes(self) -> bool {
        !matches!(self, BadValue::Error(_))
    }
}

/// The documented lists (reference §6).
const LISTS: [&[u8]; 4] = [b"FL", b"AL", b"BL", b"RL"];
/// The nine statuses (reference §5).
const STATUSES: [&[u8]; 9] = [
    b"NLN", b"BSY", b"IDL", b"BRB", b"AWY", b"PHN", b"LUN", b"HDN", b"FLN",
];
/// The dialects a client may offer (reference §2, §3.1 VER).
const DIALECTS: [&[u8]; 7] = [
    b"MSNP2", b"MSNP3", b"MSNP4", b"MSNP5", b"MSNP6", b"MSNP7", b"CVR0",
];
/// The public keys of the key table of reference §9.
const PUBLIC_KEYS: [&[u8]; 7] = [
    b"msmsgs@msnmsgr.com",
    b"PROD0038W!61ZTF9",
    b"PROD0058#7IL2{QD",
    b"PROD0061VRRZH@4F",
    b"PROD00504RLUG%WL",
    b"PROD0076ENE8*@AW",
    b"PROD00517IFH4@RV",
];

/// How the server answers the values of client command `frame` on a connection that speaks
/// `dialect`, or `None` when every value is good. Only client forms are judged.
///
/// ```
/// use msnp6_oracle::model::{BadValue, bad_value};
/// use msnp6::{Decoder, Dialect, Direction, ServerKind};
/// let d = Decoder::new(Direction::ClientToServer, ServerKind::Notification);
/// let add = d.decode(b"ADD 20 FL a@b a@b\r\n").unwrap().command;
/// assert_eq!(bad_value(&add, Dialect::Msnp6), Some(BadValue::Error(201)));
/// ```
pub fn bad_value(frame: &Command<'_>, dialect: Dialect) -> Option<BadValue> {
    if introduced(frame).is_some_and(|v| dialect.version() < v) {
        // Reference §2, §14: a verb the dialect does not have is an unknown command.
        return Some(BadValue::Disconnect);
    }
    login_values(frame, dialect)
        .or_else(|| list_values(frame))
        .or_else(|| service_values(frame, dialect))
}

/// The version that added a client verb (reference §2), for the verbs added after MSNP2.
fn introduced(frame: &Command<'_>) -> Option<u8> {
    match frame {
        Command::ImsRequest(_) => Some(3),
        Command::PrpRequest(_) | Command::Pag(_) | Command::Sdc(_) => Some(5),
        Command::ChlRequest(_) | Command::Qry(_) => Some(6),
        _ => None,
    }
}

/// Reference §14, "Handle syntax": `local@domain`, at least one dot in the domain. Decision: a
/// domain is dot-separated labels, none empty (`a@.b`, `a@b.`, `a@b..c` name no account).
fn is_email(b: &[u8]) -> bool {
    let mut parts = b.split(|&c| c == b'@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains(&b'.')
        && domain.split(|&c| c == b'.').all(|l| !l.is_empty())
}

/// One or more ASCII digits (reference §14, "SB session id"; §3.4 SND "an FND result index").
fn is_decimal(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// 32 lower-case hexadecimal digits: the only shape an MD5 answer has (reference §3.1 USR, §9).
fn is_digest(b: &[u8]) -> bool {
    b.len() == 32 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// `answer` when `bad`.
fn when(bad: bool, answer: BadValue) -> Option<BadValue> {
    bad.then_some(answer)
}

/// Login and session commands (reference §3.1, §14).
fn login_values(frame: &Command<'_>, dialect: Dialect) -> Option<BadValue> {
    use BadValue::{Disconnect, ErrorThenDisconnect, RefuseVersion};
    match frame {
        // §3.1 VER: none acceptable → `VER TrID 0` and a disconnect.
        Command::Ver(v) => when(
            !v.dialects.iter().any(|d| DIALECTS.contains(&d)),
            RefuseVersion,
        ),
        // §3.1 USR: bad credentials → 911, then disconnect; a malformed handle or digest is one.
        Command::UsrInitial(v) => when(!is_email(v.handle.as_bytes()), ErrorThenDisconnect(911)),
        Command::UsrResponse(v) => when(
            !is_digest(v.digest.expose().as_bytes()),
            ErrorThenDisconnect(911),
        ),
        // §3.1 USR: unknown package → disconnect; §2: CTP only in MSNP2 (CVR0 is no MSNP2).
        Command::UsrOther(v) => {
            let ctp_here = v.package().as_bytes() == b"CTP" && dialect == Dialect::Msnp2;
            when(v.package().as_bytes() != b"MD5" && !ctp_here, Disconnect)
        }
        // §14: SB USR with a bad cookie → 911 and close; a malformed handle matches no cookie.
        Command::UsrSwitchboard(v) => {
            when(!is_email(v.handle.as_bytes()), ErrorThenDisconnect(911))
        }
        // §3.1 XFR: only `SB` (the NS form was pre-MSNP2); anything else is unknown (§14).
        Command::XfrRequest(v) => when(v.kind.as_bytes() != b"SB", Disconnect),
        // §3.1 CVQ: 710 for a bad LCID; the documented LCIDs are `0x` and four hex digits.
        Command::Cvq(v) => {
            let b = v.locale.as_bytes();
            let ok =
                b.len() == 6 && b.starts_with(b"0x") && b[2..].iter().all(u8::is_ascii_hexdigit);
            when(!ok, BadValue::Error(710))
        }
        // §14: an unknown command → disconnect.
        Command::Unknown(_) => Some(Disconnect),
        _ => None,
    }
}

/// The list of a client ADD / REM (reference §3.2 ADD / REM, §6): RL → disconnect; decision: a
/// list the reference does not know is the same attempt to change a list the client may not.
fn client_list_bad(list: &[u8]) -> bool {
    list == b"RL" || !LISTS.contains(&list)
}

/// Contact lists, properties and presence (reference §3.2, §3.3).
fn list_values(frame: &Command<'_>) -> Option<BadValue> {
    use BadValue::{Disconnect, Error};
    match frame {
        // Decision: an unknown list in LST is answered like the other list commands' bad lists.
        Command::LstRequest(v) => when(!LISTS.contains(&v.list.as_bytes()), Disconnect),
        // §3.2 GTC: other letters → disconnect.
        Command::GtcRequest(v) => when(!matches!(v.mode.as_bytes(), b"A" | b"N"), Disconnect),
        // §3.2 BLP, §13.9: invalid value → disconnect (current source).
        Command::BlpRequest(v) => when(!matches!(v.privacy.as_bytes(), b"AL" | b"BL"), Disconnect),
        // §3.2 ADD, §14: RL → disconnect; bad handle → 201 (`ADD 20 FL a@b a@b`).
        Command::AddRequest(v) if client_list_bad(v.list.as_bytes()) => Some(Disconnect),
        Command::AddRequest(v) => when(!is_email(v.handle.as_bytes()), Error(201)),
        // §3.2 REM: RL → disconnect; decision: a malformed handle is on no list → 216.
        Command::RemRequest(v) if client_list_bad(v.list.as_bytes()) => Some(Disconnect),
        Command::RemRequest(v) => when(!is_email(v.handle.as_bytes()), Error(216)),
        // §3.2 REA: 216 for a handle on none of the lists; a malformed one is on none.
        Command::ReaRequest(v) => when(!is_email(v.handle.as_bytes()), Error(216)),
        Command::PrpRequest(v) => prp(
            v.property.as_bytes(),
            v.value.as_ref().map(|t| t.as_bytes()),
        ),
        // §3.3 CHG: an unknown status → disconnect; §13.2: FLN is a status.
        Command::Chg(v) => when(!STATUSES.contains(&v.status.as_bytes()), Disconnect),
        // §3.3 IMS: invalid argument → disconnect.
        Command::ImsRequest(v) => when(!matches!(v.state.as_bytes(), b"ON" | b"OFF"), Disconnect),
        _ => None,
    }
}

/// Client PRP (reference §3.2 PRP, §12): a name over 3 bytes → disconnect; an unknown property →
/// 715; a value over 95 bytes → disconnect. Decisions: `MBE` is server-set, so a client setting it
/// is 715 like an unknown one; a `MOB` value other than `Y` / `N` is 201 (invalid parameter).
fn prp(property: &[u8], value: Option<&[u8]>) -> Option<BadValue> {
    use BadValue::{Disconnect, Error};
    if property.len() > 3 {
        return Some(Disconnect);
    }
    if !matches!(property, b"PHH" | b"PHW" | b"PHM" | b"MOB") {
        return Some(Error(715));
    }
    let value = value?;
    if value.len() > 95 {
        return Some(Disconnect);
    }
    when(
        property == b"MOB" && !matches!(value, b"Y" | b"N"),
        Error(201),
    )
}

/// The version that added a URL service (reference §3.4 URL), `None` for an unknown service.
/// Decision: `PASSWORD`, which the official client stopped using in MSNP3, stays a service.
fn url_introduced(service: &[u8]) -> Option<u8> {
    match service {
        b"INBOX" | b"COMPOSE" | b"MESSAGE" | b"FOLDERS" | b"PERSON" | b"PASSWORD" => Some(2),
        b"MOBILE" | b"CHGMOB" => Some(5),
        b"PROFILE" | b"N2PACCOUNT" | b"N2PFUND" => Some(6),
        _ => None,
    }
}

/// Services and the switchboard (reference §3.4, §3.5, §14).
fn service_values(frame: &Command<'_>, dialect: Dialect) -> Option<BadValue> {
    use BadValue::{Disconnect, Error, ErrorThenDisconnect};
    match frame {
        // Decision: a service the dialect does not have is an invalid parameter (201).
        Command::UrlRequest(v) => when(
            url_introduced(v.service.as_bytes()).is_none_or(|i| dialect.version() < i),
            Error(201),
        ),
        // §3.4 FND: bad parameters → 201; the fields are `fname=` … `country=`, in order.
        Command::FndRequest(v) => {
            let keys: [&[u8]; 5] = [b"fname=", b"lname=", b"city=", b"state=", b"country="];
            let fields = v.query.iter();
            let bad = fields
                .iter()
                .zip(keys)
                .any(|((_, t), k)| !t.as_bytes().starts_with(k));
            when(bad, Error(201))
        }
        // §3.4 SND: an e-mail address or an FND result index; invalid → 503 + disconnect.
        Command::SndRequest(v) => {
            let a = v.address().as_bytes();
            when(!is_email(a) && !is_decimal(a), ErrorThenDisconnect(503))
        }
        // §3.4 SDC: invalid → 503 + disconnect.
        Command::Sdc(v) => when(!is_email(v.address.as_bytes()), ErrorThenDisconnect(503)),
        // Decision: PAG's bad handle is an invalid parameter (201), as ADD's.
        Command::Pag(v) => when(!is_email(v.handle.as_bytes()), Error(201)),
        // §3.4 QRY, §9: an answer the server cannot match is a wrong response → 540 + disconnect.
        Command::Qry(v) => {
            let known = PUBLIC_KEYS.contains(&v.public_key.as_bytes());
            when(
                !known || !is_digest(v.payload.as_bytes()),
                ErrorThenDisconnect(540),
            )
        }
        // §3.5 MSG: `U`, `N`, `A`; anything else → the connection is closed.
        Command::MsgSend(v) => when(!matches!(v.ack.as_bytes(), b"U" | b"N" | b"A"), Disconnect),
        // §3.5 CAL, §14: invalid handle → 208.
        Command::Cal(v) => when(!is_email(v.handle.as_bytes()), Error(208)),
        // §3.5 ANS, §14: invalid data → disconnect.
        Command::Ans(v) => {
            let bad = !is_email(v.handle.as_bytes()) || !is_decimal(v.session.as_bytes());
            when(bad, Disconnect)
        }
        _ => None,
    }
}
