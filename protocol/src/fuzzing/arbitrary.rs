//! `Arbitrary` for [`Command<'static>`]: every variant reachable, only valid values.
//!
//! "Valid" means the value is one the encoder writes and some decoder reads back as the same
//! value: tokens obey the token rule and their type's length limit, `Value::Unknown` never holds
//! a documented name, an [`Unknown`] never carries an MSNP6 verb, numbers are any `u32`, payloads
//! stay within the default [`Limits`](crate::Limits) of every context the command is valid in,
//! and the whole line fits [`Limits::max_line`](crate::Limits). Shapes that decode as another
//! form are not generated (`ADD 0 RL …` is a `ReverseAdd`, not an `Add`; the MSNP2 referral
//! `XFR 0 NS 0` is an `XfrReset`). [`valid_contexts`] says where each value decodes back.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::commands::challenge::*;
use crate::commands::lists::*;
use crate::commands::login::*;
use crate::commands::presence::*;
use crate::commands::services::*;
use crate::commands::switchboard::*;
use crate::commands::{Bare, Command, Context, ErrorReply, Unknown, is_known_verb};
use crate::grammar::Payload;
use crate::types::{
    AuthPackage, Dialect, Direction, Enumerated, ErrorCode, FriendlyName, Handle, List, Secret,
    ServerKind, Token, TokenList, TrId, Value,
};

/// The longest generic token generated: 32 of them (an unknown verb's parameters) still fit
/// the 2048-byte line.
const TOKEN_MAX: usize = 48;
/// Payload limits of the default `Limits` that hold in every context a command is valid in.
const SB_PAYLOAD_MAX: usize = 1664;
const QRY_MAX: usize = 32;
const NOTIFICATION_MAX: usize = 8192;

/// How many slots [`Command::arbitrary`] chooses from: one per variant of [`Command`] (74), but
/// `Unknown` takes seven (three with parameters, four without).
pub const VARIANTS: u32 = 80;

fn token_bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let len = u.int_in_range(1..=max)?;
    let mut out = Vec::with_capacity(len);
    for _ in 0..len {
        let b = u8::arbitrary(u)?;
        // SP TAB CR LF NUL cannot appear in a parameter: map them into the token alphabet.
        out.push(match b {
            b' ' | b'\t' | b'\r' | b'\n' | 0 => b'%',
            b => b,
        });
    }
    Ok(out)
}

fn token(u: &mut Unstructured<'_>) -> Result<Token<'static>> {
    Token::new(token_bytes(u, TOKEN_MAX)?).map_err(|_| arbitrary::Error::IncorrectFormat)
}

fn opt_token(u: &mut Unstructured<'_>) -> Result<Option<Token<'static>>> {
    Ok(if bool::arbitrary(u)? {
        Some(token(u)?)
    } else {
        None
    })
}

fn handle(u: &mut Unstructured<'_>) -> Result<Handle<'static>> {
    Handle::new(token_bytes(u, Handle::MAX_LEN)?).map_err(|_| arbitrary::Error::IncorrectFormat)
}

fn name(u: &mut Unstructured<'_>) -> Result<FriendlyName<'static>> {
    FriendlyName::new(token_bytes(u, FriendlyName::MAX_LEN)?)
        .map_err(|_| arbitrary::Error::IncorrectFormat)
}

fn token_list(u: &mut Unstructured<'_>) -> Result<TokenList<'static>> {
    let n = u.int_in_range(1..=TokenList::MAX_ITEMS)?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        items.push(token(u)?);
    }
    TokenList::from_tokens(&items).map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// A documented value, or a token outside the documented set (never a documented name).
fn value<T: Enumerated>(u: &mut Unstructured<'_>) -> Result<Value<'static, T>> {
    if u.ratio(3, 4)? {
        Ok(Value::Known(*u.choose(T::ALL)?))
    } else {
        Ok(Value::from_token(token(u)?))
    }
}

fn payload(u: &mut Unstructured<'_>, max: usize) -> Result<Payload<'static>> {
    let len = u.int_in_range(0..=max)?;
    Ok(Payload::new(u.bytes(len)?.to_vec()))
}

fn trid(u: &mut Unstructured<'_>) -> Result<TrId> {
    TrId::arbitrary(u)
}

fn num(u: &mut Unstructured<'_>) -> Result<u32> {
    u32::arbitrary(u)
}

/// `(index, total)`, with `0 0` (no entry) generated often.
fn index_total(u: &mut Unstructured<'_>) -> Result<(u32, u32)> {
    Ok(if u.ratio(1, 4)? {
        (0, 0)
    } else {
        (num(u)?, num(u)?)
    })
}

fn client_version(u: &mut Unstructured<'_>) -> Result<ClientVersion<'static>> {
    Ok(ClientVersion {
        trid: trid(u)?,
        locale: token(u)?,
        os_type: token(u)?,
        os_version: token(u)?,
        arch: token(u)?,
        library: token(u)?,
        client_version: token(u)?,
        client_id: opt_token(u)?,
    })
}

fn version_advice(u: &mut Unstructured<'_>) -> Result<VersionAdvice<'static>> {
    Ok(VersionAdvice {
        trid: trid(u)?,
        recommended: token(u)?,
        recommended2: token(u)?,
        minimum: token(u)?,
        download_url: token(u)?,
        info_url: opt_token(u)?,
    })
}

fn fnd_fields(u: &mut Unstructured<'_>) -> Result<FndFields<'static>> {
    Ok(FndFields {
        fname: token(u)?,
        lname: token(u)?,
        city: token(u)?,
        state: token(u)?,
        country: token(u)?,
    })
}

fn unknown_verb(u: &mut Unstructured<'_>) -> Result<Token<'static>> {
    let mut verb = [0u8; 3];
    for b in &mut verb {
        *b = b'A' + u.int_in_range(0..=25)?;
    }
    if is_known_verb(&verb) {
        // Keep the first two letters, move the last one off every MSNP6 verb.
        let mut last = verb[2];
        while is_known_verb(&verb) {
            last = if last == b'Z' { b'A' } else { last + 1 };
            verb[2] = last;
        }
    }
    Token::new(verb.to_vec()).map_err(|_| arbitrary::Error::IncorrectFormat)
}

/// A list that is not `RL`, for `ADD`/`REM` replies with TrID 0 (which are the reverse forms).
fn non_reverse(
    u: &mut Unstructured<'_>,
    trid: TrId,
    list: Value<'static, List>,
) -> Result<Value<'static, List>> {
    if trid == TrId::ASYNC && list == Value::Known(List::Reverse) {
        Ok(Value::Known(*u.choose(&[
            List::Forward,
            List::Allow,
            List::Block,
        ])?))
    } else {
        Ok(list)
    }
}

impl<'a> Arbitrary<'a> for Command<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let variant = u.int_in_range(0..=VARIANTS - 1)?;
        Ok(match variant {
            0 => Command::Ver(Ver {
                trid: trid(u)?,
                dialects: token_list(u)?,
            }),
            1 => Command::InfRequest(InfRequest { trid: trid(u)? }),
            2 => Command::Inf(Inf {
                trid: trid(u)?,
                packages: token_list(u)?,
            }),
            3 => Command::UsrInitial(UsrInitial {
                trid: trid(u)?,
                handle: handle(u)?,
            }),
            4 => Command::UsrSalt(UsrSalt {
                trid: trid(u)?,
                salt: token(u)?,
            }),
            5 => Command::UsrResponse(UsrResponse {
                trid: trid(u)?,
                digest: Secret::new(token(u)?),
            }),
            6 => {
                let mut package = value::<AuthPackage>(u)?;
                if package == Value::Known(AuthPackage::Md5) {
                    package = Value::Known(AuthPackage::Ctp);
                }
                Command::UsrOther(UsrOther {
                    trid: trid(u)?,
                    package,
                    stage: token(u)?,
                    parameter: Secret::new(token(u)?),
                })
            }
            7 => Command::UsrOk(UsrOk {
                trid: trid(u)?,
                handle: handle(u)?,
                name: name(u)?,
                verified: if bool::arbitrary(u)? {
                    Some(value(u)?)
                } else {
                    None
                },
            }),
            8 => Command::UsrSwitchboard(UsrSwitchboard {
                trid: trid(u)?,
                handle: handle(u)?,
                cookie: token(u)?,
            }),
            9 => Command::UsrSwitchboardOk(UsrSwitchboardOk {
                trid: trid(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            10 => Command::XfrRequest(XfrRequest {
                trid: trid(u)?,
                kind: value(u)?,
            }),
            11 => Command::XfrSwitchboard(XfrSwitchboard {
                trid: trid(u)?,
                address: token(u)?,
                cookie: token(u)?,
            }),
            12 => {
                let trid = trid(u)?;
                let mut address = token(u)?;
                // The three shapes: MSNP2, MSNP3–6, MSNP7.
                let (constant, current) = match u.int_in_range(0..=2)? {
                    0 => (None, None),
                    1 => (Some(token(u)?), None),
                    _ => (Some(token(u)?), Some(token(u)?)),
                };
                if trid == TrId::ASYNC && constant.is_none() && address.as_bytes() == b"0" {
                    // `XFR 0 NS 0` is the reset, whatever the dialect.
                    address = Token::new(&b"1"[..])
                        .map_err(|_| arbitrary::Error::IncorrectFormat)?
                        .into_owned();
                }
                Command::XfrNotification(XfrNotification {
                    trid,
                    address,
                    constant,
                    current,
                })
            }
            13 => Command::XfrReset(XfrReset {}),
            14 => Command::Cvr(Box::new(client_version(u)?)),
            15 => Command::Cvq(Box::new(client_version(u)?)),
            16 => Command::CvrAdvice(Box::new(version_advice(u)?)),
            17 => Command::CvqAdvice(Box::new(version_advice(u)?)),
            18 => Command::Out(Out {
                reason: if bool::arbitrary(u)? {
                    Some(value(u)?)
                } else {
                    None
                },
            }),
            19 => Command::Png(Bare {}),
            20 => Command::Qng(Bare {}),
            21 => Command::Syn(Syn {
                trid: trid(u)?,
                version: num(u)?,
            }),
            22 => Command::LstRequest(LstRequest {
                trid: trid(u)?,
                list: value(u)?,
            }),
            23 => {
                let trid = trid(u)?;
                let list = value(u)?;
                let version = num(u)?;
                let (index, total) = index_total(u)?;
                let entry = if index == 0 && total == 0 {
                    None
                } else {
                    Some(ListEntry {
                        handle: handle(u)?,
                        name: name(u)?,
                        groups: opt_token(u)?,
                    })
                };
                Command::Lst(Lst {
                    trid,
                    list,
                    version,
                    index,
                    total,
                    entry,
                })
            }
            24 => Command::GtcRequest(GtcRequest {
                trid: trid(u)?,
                mode: value(u)?,
            }),
            25 => Command::Gtc(Gtc {
                trid: trid(u)?,
                version: num(u)?,
                mode: value(u)?,
            }),
            26 => Command::BlpRequest(BlpRequest {
                trid: trid(u)?,
                privacy: value(u)?,
            }),
            27 => Command::Blp(Blp {
                trid: trid(u)?,
                version: num(u)?,
                privacy: value(u)?,
            }),
            28 => Command::AddRequest(AddRequest {
                trid: trid(u)?,
                list: value(u)?,
                handle: handle(u)?,
                name: name(u)?,
                group: Option::<u32>::arbitrary(u)?,
            }),
            29 => {
                let trid = trid(u)?;
                let list = value(u)?;
                Command::Add(Add {
                    trid,
                    list: non_reverse(u, trid, list)?,
                    version: num(u)?,
                    handle: handle(u)?,
                    name: name(u)?,
                    group: Option::<u32>::arbitrary(u)?,
                })
            }
            30 => Command::ReverseAdd(ReverseAdd {
                version: num(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            31 => Command::RemRequest(RemRequest {
                trid: trid(u)?,
                list: value(u)?,
                handle: handle(u)?,
                group: Option::<u32>::arbitrary(u)?,
            }),
            32 => {
                let trid = trid(u)?;
                let list = value(u)?;
                Command::Rem(Rem {
                    trid,
                    list: non_reverse(u, trid, list)?,
                    version: num(u)?,
                    handle: handle(u)?,
                    group: Option::<u32>::arbitrary(u)?,
                })
            }
            33 => Command::ReverseRemove(ReverseRemove {
                version: num(u)?,
                handle: handle(u)?,
            }),
            34 => Command::ReaRequest(ReaRequest {
                trid: trid(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            35 => Command::Rea(Rea {
                trid: trid(u)?,
                version: num(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            36 => Command::PrpRequest(PrpRequest {
                trid: trid(u)?,
                property: value(u)?,
                value: opt_token(u)?,
            }),
            37 => Command::Prp(Prp {
                trid: trid(u)?,
                version: num(u)?,
                property: value(u)?,
                value: opt_token(u)?,
            }),
            38 => Command::Bpr(Bpr {
                version: num(u)?,
                handle: handle(u)?,
                property: value(u)?,
                value: opt_token(u)?,
            }),
            39 => Command::Chg(Chg {
                trid: trid(u)?,
                status: value(u)?,
            }),
            40 => Command::Iln(Iln {
                trid: trid(u)?,
                status: value(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            41 => Command::Nln(Nln {
                status: value(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            42 => Command::Fln(Fln { handle: handle(u)? }),
            43 => Command::ImsRequest(ImsRequest {
                trid: trid(u)?,
                state: value(u)?,
            }),
            44 => Command::Ims(Ims {
                trid: trid(u)?,
                unknown: num(u)?,
                state: value(u)?,
            }),
            45 => Command::UrlRequest(UrlRequest {
                trid: trid(u)?,
                service: value(u)?,
                parameter: opt_token(u)?,
            }),
            46 => Command::Url(Url {
                trid: trid(u)?,
                redirect: token(u)?,
                login: token(u)?,
                site_id: opt_token(u)?,
            }),
            47 => Command::FndRequest(Box::new(FndRequest {
                trid: trid(u)?,
                query: fnd_fields(u)?,
            })),
            48 => {
                let trid = trid(u)?;
                let (index, total) = index_total(u)?;
                let result = if index == 0 && total == 0 {
                    None
                } else {
                    Some(fnd_fields(u)?)
                };
                Command::Fnd(Box::new(Fnd {
                    trid,
                    index,
                    total,
                    result,
                }))
            }
            49 => {
                let trid = trid(u)?;
                let address = token(u)?;
                // The three shapes: MSNP2, MSNP3, MSNP4+.
                let (lcid, library, client_id) = match u.int_in_range(0..=2)? {
                    0 => (None, None, None),
                    1 => (Some(token(u)?), Some(token(u)?), None),
                    _ => (Some(token(u)?), Some(token(u)?), Some(token(u)?)),
                };
                Command::SndRequest(SndRequest {
                    trid,
                    address,
                    lcid,
                    library,
                    client_id,
                })
            }
            50 => Command::SndOk(InviteOk { trid: trid(u)? }),
            51 => Command::Sdc(Box::new(Sdc {
                trid: trid(u)?,
                address: token(u)?,
                lcid: token(u)?,
                library: token(u)?,
                client_id: token(u)?,
                name: token(u)?,
                payload: payload(u, SB_PAYLOAD_MAX)?,
            })),
            52 => Command::SdcOk(InviteOk { trid: trid(u)? }),
            53 => Command::Pag(Pag {
                trid: trid(u)?,
                handle: handle(u)?,
                payload: payload(u, SB_PAYLOAD_MAX)?,
            }),
            54 => Command::Not(Notice {
                payload: payload(u, NOTIFICATION_MAX)?,
            }),
            55 => Command::Ipg(Notice {
                payload: payload(u, NOTIFICATION_MAX)?,
            }),
            56 => Command::ChlRequest(ChlRequest { trid: trid(u)? }),
            57 => Command::Chl(Chl {
                trid: trid(u)?,
                challenge: token(u)?,
            }),
            58 => Command::Qry(Qry {
                trid: trid(u)?,
                public_key: token(u)?,
                payload: payload(u, QRY_MAX)?,
            }),
            59 => Command::QryOk(QryOk { trid: trid(u)? }),
            60 => Command::MsgSend(MsgSend {
                trid: trid(u)?,
                ack: value(u)?,
                payload: payload(u, SB_PAYLOAD_MAX)?,
            }),
            61 => Command::Msg(Msg {
                handle: handle(u)?,
                name: name(u)?,
                payload: payload(u, SB_PAYLOAD_MAX)?,
            }),
            62 => Command::Rng(Rng {
                session: token(u)?,
                address: token(u)?,
                cookie: token(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            63 => Command::Cal(Cal {
                trid: trid(u)?,
                handle: handle(u)?,
            }),
            64 => Command::CalRinging(CalRinging {
                trid: trid(u)?,
                session: token(u)?,
            }),
            65 => Command::Ans(Ans {
                trid: trid(u)?,
                handle: handle(u)?,
                cookie: token(u)?,
                session: token(u)?,
            }),
            66 => Command::AnsOk(AnsOk { trid: trid(u)? }),
            67 => Command::Iro(Iro {
                trid: trid(u)?,
                index: num(u)?,
                total: num(u)?,
                handle: handle(u)?,
                name: name(u)?,
            }),
            68 => Command::Joi(Joi {
                handle: handle(u)?,
                name: name(u)?,
            }),
            69 => Command::Ack(Delivery { trid: trid(u)? }),
            70 => Command::Nak(Delivery { trid: trid(u)? }),
            71 => Command::Bye(Bye {
                handle: handle(u)?,
                reason: opt_token(u)?,
            }),
            72 => Command::Error(ErrorReply {
                code: ErrorCode::arbitrary(u)?,
                trid: trid(u)?,
            }),
            // Unknown verbs get more weight: several slots, with and without parameters.
            73..=75 => Command::Unknown(Unknown {
                verb: unknown_verb(u)?,
                params: Some(token_list(u)?),
            }),
            _ => Command::Unknown(Unknown {
                verb: unknown_verb(u)?,
                params: None,
            }),
        })
    }
}

/// Where a form goes: (direction, servers) pairs.
type Places = &'static [(Direction, &'static [ServerKind])];
/// The dialects whose shape of a form is the one a value has.
type DialectFilter = Box<dyn Fn(Dialect) -> bool>;

/// Every context (direction, server, dialect) in which `command`'s encoding decodes back to
/// `command`, by the placement table of `docs/codec.md` and the dialect shapes of its forms. Empty
/// for a value the generator never makes (e.g. an `Add` with TrID 0 on `RL`).
pub fn valid_contexts(command: &Command<'_>) -> Vec<Context> {
    use Direction::{ClientToServer as C, ServerToClient as S};
    use ServerKind::{Dispatch as DS, Notification as NS, Switchboard as SB};
    const ALL: &[ServerKind] = &[DS, NS, SB];
    const DS_NS: &[ServerKind] = &[DS, NS];
    let any = |_: Dialect| true;
    let v = |d: Dialect| d.version();
    // (direction, servers) pairs and the dialects in which the shape is the one written.
    let (places, dialect_ok): (Places, DialectFilter) = match command {
        Command::Ver(_) => (&[(C, DS_NS), (S, DS_NS)], Box::new(any)),
        Command::InfRequest(_) | Command::UsrInitial(_) | Command::UsrResponse(_) => {
            (&[(C, DS_NS)], Box::new(any))
        }
        Command::Inf(_) | Command::UsrSalt(_) | Command::XfrReset(_) => {
            (&[(S, DS_NS)], Box::new(any))
        }
        Command::UsrOther(o) => {
            if o.package == Value::Known(AuthPackage::Ctp) {
                (&[(C, DS_NS), (S, DS_NS)], Box::new(any))
            } else if o.package == Value::Known(AuthPackage::Md5) {
                (&[], Box::new(any))
            } else {
                (&[(C, DS_NS)], Box::new(any))
            }
        }
        Command::UsrOk(o) => {
            let flag = o.verified.is_some();
            (&[(S, DS_NS)], Box::new(move |d| (v(d) >= 6) == flag))
        }
        Command::UsrSwitchboard(_) | Command::MsgSend(_) | Command::Cal(_) | Command::Ans(_) => {
            (&[(C, &[SB])], Box::new(any))
        }
        Command::UsrSwitchboardOk(_)
        | Command::CalRinging(_)
        | Command::AnsOk(_)
        | Command::Iro(_)
        | Command::Joi(_)
        | Command::Ack(_)
        | Command::Nak(_)
        | Command::Bye(_) => (&[(S, &[SB])], Box::new(any)),
        Command::XfrNotification(x) => {
            let shape = match (&x.constant, &x.current) {
                (None, None) => Some(2..=2),
                (Some(_), None) => Some(3..=6),
                (Some(_), Some(_)) => Some(7..=7),
                (None, Some(_)) => None,
            };
            let reset =
                x.trid == TrId::ASYNC && x.address.as_bytes() == b"0" && x.constant.is_none();
            match shape {
                Some(r) if !reset => (&[(S, DS_NS)], Box::new(move |d| r.contains(&v(d)))),
                _ => (&[], Box::new(any)),
            }
        }
        Command::Cvr(cv) => {
            let id = cv.client_id.is_some();
            (&[(C, &[NS])], Box::new(move |d| (v(d) >= 4) == id))
        }
        Command::Cvq(_) => (&[(C, &[DS])], Box::new(any)),
        Command::CvqAdvice(_) => (&[(S, &[DS])], Box::new(any)),
        Command::Out(o) => {
            if o.reason.is_some() {
                (&[(S, ALL)], Box::new(any))
            } else {
                (&[(C, ALL), (S, ALL)], Box::new(any))
            }
        }
        Command::Syn(_) | Command::Chg(_) => (&[(C, &[NS]), (S, &[NS])], Box::new(any)),
        Command::XfrRequest(_)
        | Command::Png(_)
        | Command::LstRequest(_)
        | Command::GtcRequest(_)
        | Command::BlpRequest(_)
        | Command::RemRequest(_)
        | Command::ReaRequest(_)
        | Command::PrpRequest(_)
        | Command::ImsRequest(_)
        | Command::UrlRequest(_)
        | Command::FndRequest(_)
        | Command::Sdc(_)
        | Command::Pag(_)
        | Command::ChlRequest(_)
        | Command::Qry(_)
        | Command::AddRequest(_) => {
            let group = match command {
                Command::AddRequest(a) => a.group.is_some(),
                Command::RemRequest(r) => r.group.is_some(),
                _ => false,
            };
            (&[(C, &[NS])], Box::new(move |d| !group || v(d) >= 7))
        }
        Command::SndRequest(s) => {
            let shape = match (&s.lcid, &s.library, &s.client_id) {
                (None, None, None) => Some(2..=2),
                (Some(_), Some(_), None) => Some(3..=3),
                (Some(_), Some(_), Some(_)) => Some(4..=7),
                _ => None,
            };
            match shape {
                Some(r) => (&[(C, &[NS])], Box::new(move |d| r.contains(&v(d)))),
                None => (&[], Box::new(any)),
            }
        }
        Command::Lst(l) => {
            let groups = l.entry.as_ref().is_some_and(|e| e.groups.is_some());
            let consistent = (l.index == 0 && l.total == 0) == l.entry.is_none();
            if consistent {
                (&[(S, &[NS])], Box::new(move |d| !groups || v(d) >= 7))
            } else {
                (&[], Box::new(any))
            }
        }
        Command::Fnd(f) => {
            if (f.index == 0 && f.total == 0) == f.result.is_none() {
                (&[(S, &[NS])], Box::new(any))
            } else {
                (&[], Box::new(any))
            }
        }
        Command::Add(a) => {
            let group = a.group.is_some();
            if a.trid == TrId::ASYNC && a.list == Value::Known(List::Reverse) {
                (&[], Box::new(any))
            } else {
                (&[(S, &[NS])], Box::new(move |d| !group || v(d) >= 7))
            }
        }
        Command::Rem(r) => {
            let group = r.group.is_some();
            if r.trid == TrId::ASYNC && r.list == Value::Known(List::Reverse) {
                (&[], Box::new(any))
            } else {
                (&[(S, &[NS])], Box::new(move |d| !group || v(d) >= 7))
            }
        }
        Command::Url(url) => {
            let site = url.site_id.is_some();
            (
                &[(S, &[NS])],
                Box::new(move |d| match v(d) {
                    ..=2 => !site,
                    3 | 4 => true,
                    _ => site,
                }),
            )
        }
        Command::CvrAdvice(_)
        | Command::Qng(_)
        | Command::Gtc(_)
        | Command::Blp(_)
        | Command::ReverseAdd(_)
        | Command::ReverseRemove(_)
        | Command::Rea(_)
        | Command::Prp(_)
        | Command::Bpr(_)
        | Command::Iln(_)
        | Command::Nln(_)
        | Command::Fln(_)
        | Command::Ims(_)
        | Command::SndOk(_)
        | Command::SdcOk(_)
        | Command::Not(_)
        | Command::Ipg(_)
        | Command::Chl(_)
        | Command::QryOk(_)
        | Command::Rng(_) => (&[(S, &[NS])], Box::new(any)),
        Command::XfrSwitchboard(_) => (&[(S, &[NS])], Box::new(any)),
        Command::Msg(_) => (&[(S, &[NS, SB])], Box::new(any)),
        Command::Error(_) => (&[(S, ALL)], Box::new(any)),
        Command::Unknown(_) => (&[(C, ALL), (S, ALL)], Box::new(any)),
    };
    let mut out = Vec::new();
    for (direction, servers) in places {
        for &server in *servers {
            for dialect in Dialect::ALL {
                if dialect_ok(dialect) {
                    out.push(Context::new(*direction, server).with_dialect(dialect));
                }
            }
        }
    }
    out
}
