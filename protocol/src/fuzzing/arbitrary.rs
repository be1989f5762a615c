//! The one generator of [`Command`] values, for the fuzz targets (`Arbitrary`) and the property
//! tests (driven from proptest's bytes): every variant reachable, only valid values.
//!
//! "Valid" means the value is one the encoder writes and some decoder reads back as the same
//! value: tokens obey the token rule and their type's length limit, `Value::Unknown` never holds
//! a documented name, an [`Unknown`] never carries an MSNP6 verb, payloads stay within the
//! default [`Limits`](crate::Limits) of every context the command is valid in, and the whole line
//! fits [`Limits::max_line`](crate::Limits). Shapes that decode as another form are not generated
//! (`ADD 0 RL …` is a `ReverseAdd`, not an `Add`; the MSNP2 referral `XFR 0 NS 0` is an
//! `XfrReset`). [`valid_contexts`] says where each value decodes back.
//!
//! One generator per variant ([`arbitrary_variant`], keyed by [`Command::VARIANT_NAMES`]); a
//! [`Target`] asks for the shape one context reads (the dialect-dependent optional fields, the
//! forms whose shape depends on the sender), and [`variants_in`] says which variants it places in
//! a context. A variant without a generator fails the unit test `every_variant_is_generated`.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::commands::challenge::*;
use crate::commands::lists::*;
use crate::commands::login::*;
use crate::commands::presence::*;
use crate::commands::services::*;
use crate::commands::switchboard::*;
use crate::commands::{Bare, Command, Context, ErrorReply, Unknown, VERBS, is_known_verb};
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
/// Dialect names and the refusal `0`, for `VER`.
const DIALECT_WORDS: &[&str] = &[
    "MSNP2", "MSNP3", "MSNP4", "MSNP5", "MSNP6", "MSNP7", "MSNP8", "CVR0", "0",
];
/// Package names, for `INF`.
const PACKAGE_WORDS: &[&str] = &["MD5", "CTP", "TWN"];

/// What a value is generated for. A `None` field lets the generator pick any shape that some
/// context reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Target {
    /// The protocol version of the dialect ([`Dialect::version`]): it decides the optional
    /// fields of `USR OK`, `XFR NS`, `CVR`, `SND`, `URL` and the MSNP7 group ids.
    pub version: Option<u8>,
    /// The sender: it decides `OUT`'s reason and the package of `USR` with another package.
    pub direction: Option<Direction>,
}

impl Target {
    /// Any shape.
    pub const ANY: Target = Target {
        version: None,
        direction: None,
    };

    /// The shape `ctx` reads.
    pub fn of(ctx: Context) -> Target {
        Target {
            version: Some(ctx.dialect.version()),
            direction: Some(ctx.direction),
        }
    }

    /// Present exactly from `version` on, when the target has a version.
    fn since(self, version: u8) -> Option<bool> {
        self.version.map(|v| v >= version)
    }

    /// The MSNP7 group ids: absent before MSNP7, optional from it.
    fn msnp7_optional(self) -> Option<bool> {
        match self.version {
            Some(v) if v < 7 => Some(false),
            _ => None,
        }
    }

    /// Which of three shapes (by version ranges `first`, `second`, the rest), or any.
    fn shape(self, u: &mut Unstructured<'_>, first: u8, second: u8) -> Result<u8> {
        Ok(match self.version {
            Some(v) if v <= first => 0,
            Some(v) if v <= second => 1,
            Some(_) => 2,
            None => u.int_in_range(0..=2)?,
        })
    }
}

/// `Some(f(u))` when `present` says so (or, when it does not say, when the input says so).
fn opt<T>(
    u: &mut Unstructured<'_>,
    present: Option<bool>,
    f: impl FnOnce(&mut Unstructured<'_>) -> Result<T>,
) -> Result<Option<T>> {
    let present = match present {
        Some(p) => p,
        None => bool::arbitrary(u)?,
    };
    if present { f(u).map(Some) } else { Ok(None) }
}

fn bad<E>(_: E) -> arbitrary::Error {
    arbitrary::Error::IncorrectFormat
}

fn token_bytes(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<u8>> {
    let len = u.int_in_range(1..=max)?;
    exactly(u, len)
}

/// `len` parameter bytes: SP TAB CR LF NUL, which cannot appear in a parameter, are mapped into
/// the token alphabet (and so is the exhausted input's 0).
fn exactly(u: &mut Unstructured<'_>, len: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(len);
    for _ in 0..len {
        out.push(match u8::arbitrary(u)? {
            b' ' | b'\t' | b'\r' | b'\n' | 0 => b'%',
            b => b,
        });
    }
    Ok(out)
}

/// 1..=max bytes of `alphabet`.
fn word(u: &mut Unstructured<'_>, alphabet: &[u8], max: usize) -> Result<Vec<u8>> {
    let len = u.int_in_range(1..=max)?;
    (0..len).map(|_| u.choose(alphabet).copied()).collect()
}

const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// A generic token: any parameter bytes, a short word or a number.
fn token(u: &mut Unstructured<'_>) -> Result<Token<'static>> {
    let bytes = match u.int_in_range(0..=5)? {
        4 => word(u, ALNUM, 8)?,
        5 => num(u)?.to_string().into_bytes(),
        _ => token_bytes(u, TOKEN_MAX)?,
    };
    Token::new(bytes).map_err(bad)
}

fn word_token(w: &str) -> Result<Token<'static>> {
    Token::new(w.as_bytes().to_vec()).map_err(bad)
}

/// A user handle: e-mail-like, any parameter bytes, or exactly the longest.
fn handle(u: &mut Unstructured<'_>) -> Result<Handle<'static>> {
    let bytes = match u.int_in_range(0..=5)? {
        0..=2 => {
            let mut h = word(u, b"abcdefghijklmnopqrstuvwxyz0123456789._", 20)?;
            h.push(b'@');
            h.extend(word(u, LOWER, 10)?);
            h.push(b'.');
            h.extend(word(u, LOWER, 3)?);
            h
        }
        3 => exactly(u, Handle::MAX_LEN)?,
        _ => token_bytes(u, Handle::MAX_LEN)?,
    };
    Handle::new(bytes).map_err(bad)
}

/// A friendly name: the URL-encoding of some text, any parameter bytes, or exactly the longest.
fn name(u: &mut Unstructured<'_>) -> Result<FriendlyName<'static>> {
    let bytes = match u.int_in_range(0..=5)? {
        0..=2 => {
            let len = u.int_in_range(1..=60)?;
            let text = String::from_utf8_lossy(u.bytes(len.min(u.len()))?).into_owned();
            match FriendlyName::encode(&text) {
                Ok(n) if !n.as_bytes().is_empty() => return Ok(n),
                _ => token_bytes(u, FriendlyName::MAX_LEN)?,
            }
        }
        3 => exactly(u, FriendlyName::MAX_LEN)?,
        _ => token_bytes(u, FriendlyName::MAX_LEN)?,
    };
    FriendlyName::new(bytes).map_err(bad)
}

/// A secret (password, digest): often 32 hex digits.
fn secret(u: &mut Unstructured<'_>) -> Result<Secret<'static>> {
    let t = if bool::arbitrary(u)? {
        Token::new(exactly_from(u, b"0123456789abcdef", 32)?).map_err(bad)?
    } else {
        token(u)?
    };
    Ok(Secret::new(t))
}

fn exactly_from(u: &mut Unstructured<'_>, alphabet: &[u8], len: usize) -> Result<Vec<u8>> {
    (0..len).map(|_| u.choose(alphabet).copied()).collect()
}

/// 1..=32 items, each one of `words` or a token.
fn token_list_of(u: &mut Unstructured<'_>, words: &[&str]) -> Result<TokenList<'static>> {
    let n = u.int_in_range(1..=TokenList::MAX_ITEMS)?;
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        items.push(if bool::arbitrary(u)? {
            word_token(u.choose(words)?)?
        } else {
            token(u)?
        });
    }
    TokenList::from_tokens(&items).map_err(bad)
}

/// A documented value, or a token outside the documented set (never a documented name): often
/// a near miss (the lower-case form of a documented name).
fn value<T: Enumerated>(u: &mut Unstructured<'_>) -> Result<Value<'static, T>> {
    Ok(match u.int_in_range(0..=5)? {
        0..=3 => Value::Known(*u.choose(T::ALL)?),
        4 => {
            let near = u.choose(T::ALL)?.as_str().to_ascii_lowercase();
            Value::from_token(Token::new(near.into_bytes()).map_err(bad)?)
        }
        _ => Value::from_token(token(u)?),
    })
}

/// At most `max` bytes: mostly short, sometimes any length, sometimes exactly `max` (padded
/// when the input runs out). The exhausted input (zeros) gives the shortest.
fn payload(u: &mut Unstructured<'_>, max: usize) -> Result<Payload<'static>> {
    let len = match u.int_in_range(0..=7)? {
        0..=4 => u.int_in_range(0..=max.min(64))?,
        5 | 6 => u.int_in_range(0..=max)?,
        _ => max,
    };
    let mut p = u.bytes(len.min(u.len()))?.to_vec();
    p.resize(len, b'.');
    Ok(Payload::new(p))
}

/// A payload, or a MIME message (header lines, blank line, body) cut to `max` bytes.
fn mime_payload(u: &mut Unstructured<'_>, max: usize) -> Result<Payload<'static>> {
    if bool::arbitrary(u)? {
        return payload(u, max);
    }
    let mut p = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n".to_vec();
    let len = u.int_in_range(0..=80)?;
    p.extend_from_slice(u.bytes(len.min(u.len()))?);
    p.truncate(max);
    Ok(Payload::new(p))
}

/// A number: 0, small, any, or the largest.
fn num(u: &mut Unstructured<'_>) -> Result<u32> {
    Ok(match u.int_in_range(0..=3)? {
        0 => 0,
        1 => u.int_in_range(1..=999)?,
        2 => u32::arbitrary(u)?,
        _ => u32::MAX,
    })
}

fn trid(u: &mut Unstructured<'_>) -> Result<TrId> {
    num(u).map(TrId)
}

/// `(index, total)`, with `0 0` (no entry) generated often.
fn index_total(u: &mut Unstructured<'_>) -> Result<(u32, u32)> {
    Ok(if u.ratio(1, 4)? {
        (0, 0)
    } else {
        (num(u)?, num(u)?)
    })
}

fn client_version(
    u: &mut Unstructured<'_>,
    client_id: Option<bool>,
) -> Result<ClientVersion<'static>> {
    Ok(ClientVersion {
        trid: trid(u)?,
        locale: token(u)?,
        os_type: token(u)?,
        os_version: token(u)?,
        arch: token(u)?,
        library: token(u)?,
        client_version: token(u)?,
        client_id: opt(u, client_id, token)?,
    })
}

fn version_advice(u: &mut Unstructured<'_>) -> Result<VersionAdvice<'static>> {
    Ok(VersionAdvice {
        trid: trid(u)?,
        recommended: token(u)?,
        recommended2: token(u)?,
        minimum: token(u)?,
        download_url: token(u)?,
        info_url: opt(u, None, token)?,
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
    Token::new(verb.to_vec()).map_err(bad)
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

/// The package of a `USR` with another package: from the server only `CTP` (a server `USR`
/// with another package is a `UsrSalt`); from the client anything but `MD5`, sometimes the
/// documented typo `MDS` (reference §8).
fn other_package(u: &mut Unstructured<'_>, t: Target) -> Result<Value<'static, AuthPackage>> {
    if t.direction == Some(Direction::ServerToClient) {
        return Ok(Value::Known(AuthPackage::Ctp));
    }
    let package = match u.int_in_range(0..=4)? {
        0 => Value::from_token(word_token("MDS")?),
        _ => value::<AuthPackage>(u)?,
    };
    Ok(if package == Value::Known(AuthPackage::Md5) {
        Value::Known(AuthPackage::Ctp)
    } else {
        package
    })
}

impl<'a> Arbitrary<'a> for Command<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let variant = u.choose_index(Command::VARIANT_NAMES.len())?;
        arbitrary_variant(u, variant, Target::ANY)
    }
}

/// A value of the variant `Command::VARIANT_NAMES[variant]`, in the shape `target` reads.
///
/// # Errors
/// `IncorrectFormat` for an index out of range, or a variant without a generator (which the
/// unit test `every_variant_is_generated` catches).
pub fn arbitrary_variant(
    u: &mut Unstructured<'_>,
    variant: usize,
    target: Target,
) -> Result<Command<'static>> {
    let name = Command::VARIANT_NAMES
        .get(variant)
        .ok_or(arbitrary::Error::IncorrectFormat)?;
    if let Some(c) = login(u, name, target)? {
        return Ok(c);
    }
    if let Some(c) = lists(u, name, target)? {
        return Ok(c);
    }
    if let Some(c) = services(u, name, target)? {
        return Ok(c);
    }
    switchboard(u, name).and_then(|c| c.ok_or(arbitrary::Error::IncorrectFormat))
}

/// The variants ([`Command::VARIANT_NAMES`] indices) the generator places in `ctx`: those whose
/// value generated for `ctx` from an all-zero input decodes there.
pub fn variants_in(ctx: Context) -> Vec<usize> {
    let zeros = [0u8; 64];
    (0..Command::VARIANT_NAMES.len())
        .filter(|&i| {
            arbitrary_variant(&mut Unstructured::new(&zeros), i, Target::of(ctx))
                .is_ok_and(|c| valid_contexts(&c).contains(&ctx))
        })
        .collect()
}

/// Login, session and version forms (reference §3.1); `None` for another variant.
fn login(u: &mut Unstructured<'_>, variant: &str, t: Target) -> Result<Option<Command<'static>>> {
    Ok(Some(match variant {
        "Ver" => Command::Ver(Ver {
            trid: trid(u)?,
            dialects: token_list_of(u, DIALECT_WORDS)?,
        }),
        "InfRequest" => Command::InfRequest(InfRequest { trid: trid(u)? }),
        "Inf" => Command::Inf(Inf {
            trid: trid(u)?,
            packages: token_list_of(u, PACKAGE_WORDS)?,
        }),
        "UsrInitial" => Command::UsrInitial(UsrInitial {
            trid: trid(u)?,
            handle: handle(u)?,
        }),
        "UsrSalt" => Command::UsrSalt(UsrSalt {
            trid: trid(u)?,
            salt: token(u)?,
        }),
        "UsrResponse" => Command::UsrResponse(UsrResponse {
            trid: trid(u)?,
            digest: secret(u)?,
        }),
        "UsrOther" => Command::UsrOther(
            UsrOther::new(trid(u)?, other_package(u, t)?, token(u)?, secret(u)?)
                .map_err(|_| arbitrary::Error::IncorrectFormat)?,
        ),
        // The verified flag exists exactly from MSNP6 on (reference §3.1 USR).
        "UsrOk" => Command::UsrOk(UsrOk {
            trid: trid(u)?,
            handle: handle(u)?,
            name: name(u)?,
            verified: opt(u, t.since(6), value)?,
        }),
        "UsrSwitchboard" => Command::UsrSwitchboard(UsrSwitchboard {
            trid: trid(u)?,
            handle: handle(u)?,
            cookie: token(u)?,
        }),
        "UsrSwitchboardOk" => Command::UsrSwitchboardOk(UsrSwitchboardOk {
            trid: trid(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "XfrRequest" => Command::XfrRequest(XfrRequest {
            trid: trid(u)?,
            kind: value(u)?,
        }),
        "XfrSwitchboard" => Command::XfrSwitchboard(XfrSwitchboard {
            trid: trid(u)?,
            address: token(u)?,
            cookie: token(u)?,
        }),
        "XfrNotification" => xfr_notification(u, t)?,
        "XfrReset" => Command::XfrReset(XfrReset {}),
        // The client id exists from MSNP4 on (reference §3.1 CVR); CVQ's is optional in every
        // dialect (reference §13.6).
        "Cvr" => Command::Cvr(Box::new(client_version(u, t.since(4))?)),
        "Cvq" => Command::Cvq(Box::new(client_version(u, None)?)),
        "CvrAdvice" => Command::CvrAdvice(Box::new(version_advice(u)?)),
        "CvqAdvice" => Command::CvqAdvice(Box::new(version_advice(u)?)),
        // Only the server gives a reason (reference §3.1 OUT).
        "Out" => {
            let client = t.direction == Some(Direction::ClientToServer);
            Command::Out(Out {
                reason: opt(u, client.then_some(false), value)?,
            })
        }
        "Png" => Command::Png(Bare {}),
        "Qng" => Command::Qng(Bare {}),
        _ => return Ok(None),
    }))
}

/// `XFR TrID NS address [0 [current]]`: the MSNP2, MSNP3–6 and MSNP7 shapes (reference §3.1
/// XFR), never the reset `XFR 0 NS 0`.
fn xfr_notification(u: &mut Unstructured<'_>, t: Target) -> Result<Command<'static>> {
    let trid = trid(u)?;
    let zero_or_token = |u: &mut Unstructured<'_>| {
        if u.ratio(1, 4)? {
            word_token("0")
        } else {
            token(u)
        }
    };
    let mut address = zero_or_token(u)?;
    let (constant, current) = match t.shape(u, 2, 6)? {
        0 => (None, None),
        1 => (Some(zero_or_token(u)?), None),
        _ => (Some(zero_or_token(u)?), Some(token(u)?)),
    };
    if trid == TrId::ASYNC && constant.is_none() && address.as_bytes() == b"0" {
        address = word_token("1")?;
    }
    Ok(Command::XfrNotification(
        XfrNotification::new(trid, address, constant, current)
            .map_err(|_| arbitrary::Error::IncorrectFormat)?,
    ))
}

/// List, property and presence forms (reference §3.2, §3.3); `None` for another variant.
fn lists(u: &mut Unstructured<'_>, variant: &str, t: Target) -> Result<Option<Command<'static>>> {
    let group = t.msnp7_optional();
    Ok(Some(match variant {
        "Syn" => Command::Syn(Syn {
            trid: trid(u)?,
            version: num(u)?,
        }),
        "LstRequest" => Command::LstRequest(LstRequest {
            trid: trid(u)?,
            list: value(u)?,
        }),
        "Lst" => lst(u, t)?,
        "GtcRequest" => Command::GtcRequest(GtcRequest {
            trid: trid(u)?,
            mode: value(u)?,
        }),
        "Gtc" => Command::Gtc(Gtc {
            trid: trid(u)?,
            version: num(u)?,
            mode: value(u)?,
        }),
        "BlpRequest" => Command::BlpRequest(BlpRequest {
            trid: trid(u)?,
            privacy: value(u)?,
        }),
        "Blp" => Command::Blp(Blp {
            trid: trid(u)?,
            version: num(u)?,
            privacy: value(u)?,
        }),
        "AddRequest" => Command::AddRequest(AddRequest {
            trid: trid(u)?,
            list: value(u)?,
            handle: handle(u)?,
            name: name(u)?,
            group: opt(u, group, num)?,
        }),
        "Add" => {
            let trid = trid(u)?;
            let list = value(u)?;
            Command::Add(
                Add::new(
                    trid,
                    non_reverse(u, trid, list)?,
                    num(u)?,
                    handle(u)?,
                    name(u)?,
                    opt(u, group, num)?,
                )
                .map_err(|_| arbitrary::Error::IncorrectFormat)?,
            )
        }
        "ReverseAdd" => Command::ReverseAdd(ReverseAdd {
            version: num(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "RemRequest" => Command::RemRequest(RemRequest {
            trid: trid(u)?,
            list: value(u)?,
            handle: handle(u)?,
            group: opt(u, group, num)?,
        }),
        "Rem" => {
            let trid = trid(u)?;
            let list = value(u)?;
            Command::Rem(
                Rem::new(
                    trid,
                    non_reverse(u, trid, list)?,
                    num(u)?,
                    handle(u)?,
                    opt(u, group, num)?,
                )
                .map_err(|_| arbitrary::Error::IncorrectFormat)?,
            )
        }
        "ReverseRemove" => Command::ReverseRemove(ReverseRemove {
            version: num(u)?,
            handle: handle(u)?,
        }),
        "ReaRequest" => Command::ReaRequest(ReaRequest {
            trid: trid(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "Rea" => Command::Rea(Rea {
            trid: trid(u)?,
            version: num(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "PrpRequest" => Command::PrpRequest(PrpRequest {
            trid: trid(u)?,
            property: value(u)?,
            value: opt(u, None, token)?,
        }),
        "Prp" => Command::Prp(Prp {
            trid: trid(u)?,
            version: num(u)?,
            property: value(u)?,
            value: opt(u, None, token)?,
        }),
        "Bpr" => Command::Bpr(Bpr {
            version: num(u)?,
            handle: handle(u)?,
            property: value(u)?,
            value: opt(u, None, token)?,
        }),
        "Chg" => Command::Chg(Chg {
            trid: trid(u)?,
            status: value(u)?,
        }),
        "Iln" => Command::Iln(Iln {
            trid: trid(u)?,
            status: value(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "Nln" => Command::Nln(Nln {
            status: value(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "Fln" => Command::Fln(Fln { handle: handle(u)? }),
        "ImsRequest" => Command::ImsRequest(ImsRequest {
            trid: trid(u)?,
            state: value(u)?,
        }),
        "Ims" => Command::Ims(Ims {
            trid: trid(u)?,
            unknown: num(u)?,
            state: value(u)?,
        }),
        _ => return Ok(None),
    }))
}

/// `LST …`: `0 0` has no entry, an entry never has `0 0` (reference §3.2 LST); MSNP7 may append
/// the entry's group ids.
fn lst(u: &mut Unstructured<'_>, t: Target) -> Result<Command<'static>> {
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
            groups: opt(u, t.msnp7_optional(), token)?,
        })
    };
    Ok(Command::Lst(
        Lst::new(trid, list, version, index, total, entry)
            .map_err(|_| arbitrary::Error::IncorrectFormat)?,
    ))
}

/// Service forms (reference §3.4); `None` for another variant.
fn services(
    u: &mut Unstructured<'_>,
    variant: &str,
    t: Target,
) -> Result<Option<Command<'static>>> {
    Ok(Some(match variant {
        "UrlRequest" => Command::UrlRequest(UrlRequest {
            trid: trid(u)?,
            service: value(u)?,
            parameter: opt(u, None, token)?,
        }),
        // The site id is absent in MSNP2, optional in MSNP3–4, required from MSNP5.
        "Url" => {
            let site = match t.version {
                Some(..=2) => Some(false),
                Some(3 | 4) | None => None,
                Some(_) => Some(true),
            };
            Command::Url(Url {
                trid: trid(u)?,
                redirect: token(u)?,
                login: token(u)?,
                site_id: opt(u, site, token)?,
            })
        }
        "FndRequest" => Command::FndRequest(Box::new(FndRequest {
            trid: trid(u)?,
            query: fnd_fields(u)?,
        })),
        // `FND … 0 0` has no result and vice versa.
        "Fnd" => {
            let trid = trid(u)?;
            let (index, total) = index_total(u)?;
            let result = if index == 0 && total == 0 {
                None
            } else {
                Some(fnd_fields(u)?)
            };
            Command::Fnd(Box::new(
                Fnd::new(trid, index, total, result)
                    .map_err(|_| arbitrary::Error::IncorrectFormat)?,
            ))
        }
        "SndRequest" => snd_request(u, t)?,
        "SndOk" => Command::SndOk(InviteOk { trid: trid(u)? }),
        "Sdc" => Command::Sdc(Box::new(Sdc {
            trid: trid(u)?,
            address: token(u)?,
            lcid: token(u)?,
            library: token(u)?,
            client_id: token(u)?,
            name: token(u)?,
            payload: payload(u, SB_PAYLOAD_MAX)?,
        })),
        "SdcOk" => Command::SdcOk(InviteOk { trid: trid(u)? }),
        "Pag" => Command::Pag(Pag {
            trid: trid(u)?,
            handle: handle(u)?,
            payload: payload(u, SB_PAYLOAD_MAX)?,
        }),
        "Not" => Command::Not(Notice {
            payload: payload(u, NOTIFICATION_MAX)?,
        }),
        "Ipg" => Command::Ipg(Notice {
            payload: payload(u, NOTIFICATION_MAX)?,
        }),
        "ChlRequest" => Command::ChlRequest(ChlRequest { trid: trid(u)? }),
        "Chl" => Command::Chl(Chl {
            trid: trid(u)?,
            challenge: token(u)?,
        }),
        "Qry" => Command::Qry(Qry {
            trid: trid(u)?,
            public_key: token(u)?,
            payload: payload(u, QRY_MAX)?,
        }),
        "QryOk" => Command::QryOk(QryOk { trid: trid(u)? }),
        _ => return Ok(None),
    }))
}

/// `SND`: LCID and library from MSNP3, client id from MSNP4 (reference §3.4 SND).
fn snd_request(u: &mut Unstructured<'_>, t: Target) -> Result<Command<'static>> {
    let trid = trid(u)?;
    let address = token(u)?;
    let (lcid, library, client_id) = match t.shape(u, 2, 3)? {
        0 => (None, None, None),
        1 => (Some(token(u)?), Some(token(u)?), None),
        _ => (Some(token(u)?), Some(token(u)?), Some(token(u)?)),
    };
    Ok(Command::SndRequest(
        SndRequest::new(trid, address, lcid, library, client_id)
            .map_err(|_| arbitrary::Error::IncorrectFormat)?,
    ))
}

/// Switchboard and `MSG` forms (reference §3.5), error replies and unknown verbs; `None` for
/// another variant.
fn switchboard(u: &mut Unstructured<'_>, variant: &str) -> Result<Option<Command<'static>>> {
    Ok(Some(match variant {
        "MsgSend" => Command::MsgSend(MsgSend {
            trid: trid(u)?,
            ack: value(u)?,
            payload: mime_payload(u, SB_PAYLOAD_MAX)?,
        }),
        "Msg" => Command::Msg(Msg {
            handle: handle(u)?,
            name: name(u)?,
            payload: mime_payload(u, SB_PAYLOAD_MAX)?,
        }),
        "Rng" => Command::Rng(Rng {
            session: token(u)?,
            address: token(u)?,
            cookie: token(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "Cal" => Command::Cal(Cal {
            trid: trid(u)?,
            handle: handle(u)?,
        }),
        "CalRinging" => Command::CalRinging(CalRinging {
            trid: trid(u)?,
            session: token(u)?,
        }),
        "Ans" => Command::Ans(Ans {
            trid: trid(u)?,
            handle: handle(u)?,
            cookie: token(u)?,
            session: token(u)?,
        }),
        "AnsOk" => Command::AnsOk(AnsOk { trid: trid(u)? }),
        "Iro" => Command::Iro(Iro {
            trid: trid(u)?,
            index: num(u)?,
            total: num(u)?,
            handle: handle(u)?,
            name: name(u)?,
        }),
        "Joi" => Command::Joi(Joi {
            handle: handle(u)?,
            name: name(u)?,
        }),
        "Ack" => Command::Ack(Delivery { trid: trid(u)? }),
        "Nak" => Command::Nak(Delivery { trid: trid(u)? }),
        "Bye" => Command::Bye(Bye {
            handle: handle(u)?,
            reason: opt(u, None, token)?,
        }),
        "Error" => Command::Error(ErrorReply {
            code: ErrorCode::arbitrary(u)?,
            trid: trid(u)?,
        }),
        "Unknown" => Command::Unknown(
            Unknown::new(unknown_verb(u)?, opt(u, None, |u| token_list_of(u, VERBS))?)
                .map_err(|_| arbitrary::Error::IncorrectFormat)?,
        ),
        _ => return Ok(None),
    }))
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
            if *o.package() == Value::Known(AuthPackage::Ctp) {
                (&[(C, DS_NS), (S, DS_NS)], Box::new(any))
            } else if *o.package() == Value::Known(AuthPackage::Md5) {
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
            let shape = match (&x.constant(), &x.current()) {
                (None, None) => Some(2..=2),
                (Some(_), None) => Some(3..=6),
                (Some(_), Some(_)) => Some(7..=7),
                (None, Some(_)) => None,
            };
            let reset = *x.trid() == TrId::ASYNC
                && x.address().as_bytes() == b"0"
                && x.constant().is_none();
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
            let shape = match (&s.lcid(), &s.library(), &s.client_id()) {
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
            let groups = l.entry().as_ref().is_some_and(|e| e.groups.is_some());
            let consistent = (*l.index() == 0 && *l.total() == 0) == l.entry().is_none();
            if consistent {
                (&[(S, &[NS])], Box::new(move |d| !groups || v(d) >= 7))
            } else {
                (&[], Box::new(any))
            }
        }
        Command::Fnd(f) => {
            if (*f.index() == 0 && *f.total() == 0) == f.result().is_none() {
                (&[(S, &[NS])], Box::new(any))
            } else {
                (&[], Box::new(any))
            }
        }
        Command::Add(a) => {
            let group = a.group().is_some();
            if *a.trid() == TrId::ASYNC && *a.list() == Value::Known(List::Reverse) {
                (&[], Box::new(any))
            } else {
                (&[(S, &[NS])], Box::new(move |d| !group || v(d) >= 7))
            }
        }
        Command::Rem(r) => {
            let group = r.group().is_some();
            if *r.trid() == TrId::ASYNC && *r.list() == Value::Known(List::Reverse) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::contexts;

    /// A deterministic byte source (xorshift).
    fn bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    /// Every variant has a generator, which makes that variant, valid somewhere.
    #[test]
    fn every_variant_is_generated() {
        for (i, name) in Command::VARIANT_NAMES.iter().enumerate() {
            for seed in 0..20 {
                let data = bytes(seed, 600);
                let c = arbitrary_variant(&mut Unstructured::new(&data), i, Target::ANY)
                    .unwrap_or_else(|e| panic!("no generator for {name}: {e}"));
                assert_eq!(c.variant_name(), *name);
                assert!(!valid_contexts(&c).is_empty(), "{c:?} is valid nowhere");
            }
        }
    }

    /// What is generated for a context decodes there; every variant is placed somewhere, and
    /// in the same places in every dialect (every form has a shape for every dialect, so a
    /// variant missing from one dialect is a generator that makes the wrong shape there).
    #[test]
    fn targeted_values_are_valid_in_their_context() {
        let mut placed = vec![false; Command::VARIANT_NAMES.len()];
        for ctx in contexts() {
            let msnp6 = variants_in(ctx.with_dialect(Dialect::Msnp6));
            let names = |v: &[usize]| {
                v.iter()
                    .map(|&i| Command::VARIANT_NAMES[i])
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                names(&variants_in(ctx)),
                names(&msnp6),
                "{ctx:?} against MSNP6"
            );
            for i in variants_in(ctx) {
                placed[i] = true;
                for seed in 0..8 {
                    let data = bytes(seed, 400);
                    let mut u = Unstructured::new(&data);
                    let c = arbitrary_variant(&mut u, i, Target::of(ctx)).expect("generated");
                    assert!(valid_contexts(&c).contains(&ctx), "{c:?} in {ctx:?}");
                }
            }
        }
        let unplaced: Vec<_> = (0..placed.len())
            .filter(|&i| !placed[i])
            .map(|i| Command::VARIANT_NAMES[i])
            .collect();
        assert!(unplaced.is_empty(), "variants placed nowhere: {unplaced:?}");
    }
}
