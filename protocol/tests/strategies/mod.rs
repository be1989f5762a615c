//! Shared proptest strategies: every `Command` form with only valid values, each paired with a
//! `Context` (direction, server, dialect) in which it decodes.
//!
//! The generators follow the grammar of the codec (reference §1.1, §3, §7, §12):
//! * tokens are 1..=64 bytes other than SP, TAB, CR, LF, NUL (mostly printable ASCII);
//! * handles are at most 129 bytes, friendly names at most 387 bytes;
//! * `Value::Unknown` never holds a documented name;
//! * `Unknown` commands never carry a verb of `msnp6::commands::VERBS` and never 3 digits;
//! * payloads stay within `Limits::default()`;
//! * lines stay within the default line limit (2048 bytes).
//!
//! Documented ambiguities of the wire form are excluded where they arise (see the comments).

#![allow(dead_code)]

use std::fmt::Debug;

use msnp6::commands::challenge::{Chl, ChlRequest, Qry, QryOk};
use msnp6::commands::lists::{
    Add, AddRequest, Blp, BlpRequest, Bpr, Gtc, GtcRequest, ListEntry, Lst, LstRequest, Prp,
    PrpRequest, Rea, ReaRequest, Rem, RemRequest, ReverseAdd, ReverseRemove, Syn,
};
use msnp6::commands::login::{
    ClientVersion, Inf, InfRequest, Out, UsrInitial, UsrOk, UsrOther, UsrResponse, UsrSalt,
    UsrSwitchboard, UsrSwitchboardOk, Ver, VersionAdvice, XfrNotification, XfrRequest, XfrReset,
    XfrSwitchboard,
};
use msnp6::commands::presence::{Chg, Fln, Iln, Ims, ImsRequest, Nln};
use msnp6::commands::services::{
    Fnd, FndFields, FndRequest, InviteOk, Notice, Pag, Sdc, SndRequest, Url, UrlRequest,
};
use msnp6::commands::switchboard::{
    Ans, AnsOk, Bye, Cal, CalRinging, Delivery, Iro, Joi, Msg, MsgSend, Rng,
};
use msnp6::commands::{Bare, ErrorReply, VERBS};
use msnp6::types::{
    AckMode, AuthPackage, Enumerated, ErrorCode, FriendlyName, GtcMode, Handle, ImsState, List,
    OutReason, Privacy, Property, Secret, Status, Token, TokenList, TransferKind, UrlService,
    Value, Verified,
};
use msnp6::{
    Command, Context, Decoder, Dialect, Direction, Limits, Mode, Payload, ServerKind, TrId,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

pub(crate) const C: Direction = Direction::ClientToServer;
pub(crate) const S: Direction = Direction::ServerToClient;
pub(crate) const DS: ServerKind = ServerKind::Dispatch;
pub(crate) const NS: ServerKind = ServerKind::Notification;
pub(crate) const SB: ServerKind = ServerKind::Switchboard;

/// Every variant of `Command`, by name (as `variant_name` reports it).
pub(crate) const ALL_VARIANTS: &[&str] = &[
    "Ver",
    "InfRequest",
    "Inf",
    "UsrInitial",
    "UsrSalt",
    "UsrResponse",
    "UsrOther",
    "UsrOk",
    "UsrSwitchboard",
    "UsrSwitchboardOk",
    "XfrRequest",
    "XfrSwitchboard",
    "XfrNotification",
    "XfrReset",
    "Cvr",
    "Cvq",
    "CvrAdvice",
    "CvqAdvice",
    "Out",
    "Png",
    "Qng",
    "Syn",
    "LstRequest",
    "Lst",
    "GtcRequest",
    "Gtc",
    "BlpRequest",
    "Blp",
    "AddRequest",
    "Add",
    "ReverseAdd",
    "RemRequest",
    "Rem",
    "ReverseRemove",
    "ReaRequest",
    "Rea",
    "PrpRequest",
    "Prp",
    "Bpr",
    "Chg",
    "Iln",
    "Nln",
    "Fln",
    "ImsRequest",
    "Ims",
    "UrlRequest",
    "Url",
    "FndRequest",
    "Fnd",
    "SndRequest",
    "SndOk",
    "Sdc",
    "SdcOk",
    "Pag",
    "Not",
    "Ipg",
    "ChlRequest",
    "Chl",
    "Qry",
    "QryOk",
    "MsgSend",
    "Msg",
    "Rng",
    "Cal",
    "CalRinging",
    "Ans",
    "AnsOk",
    "Iro",
    "Joi",
    "Ack",
    "Nak",
    "Bye",
    "Error",
    "Unknown",
];

/// The variant name of a command (`"other"` for a variant added after these tests).
pub(crate) fn variant_name(c: &Command<'_>) -> &'static str {
    match c {
        Command::Ver(_) => "Ver",
        Command::InfRequest(_) => "InfRequest",
        Command::Inf(_) => "Inf",
        Command::UsrInitial(_) => "UsrInitial",
        Command::UsrSalt(_) => "UsrSalt",
        Command::UsrResponse(_) => "UsrResponse",
        Command::UsrOther(_) => "UsrOther",
        Command::UsrOk(_) => "UsrOk",
        Command::UsrSwitchboard(_) => "UsrSwitchboard",
        Command::UsrSwitchboardOk(_) => "UsrSwitchboardOk",
        Command::XfrRequest(_) => "XfrRequest",
        Command::XfrSwitchboard(_) => "XfrSwitchboard",
        Command::XfrNotification(_) => "XfrNotification",
        Command::XfrReset(_) => "XfrReset",
        Command::Cvr(_) => "Cvr",
        Command::Cvq(_) => "Cvq",
        Command::CvrAdvice(_) => "CvrAdvice",
        Command::CvqAdvice(_) => "CvqAdvice",
        Command::Out(_) => "Out",
        Command::Png(_) => "Png",
        Command::Qng(_) => "Qng",
        Command::Syn(_) => "Syn",
        Command::LstRequest(_) => "LstRequest",
        Command::Lst(_) => "Lst",
        Command::GtcRequest(_) => "GtcRequest",
        Command::Gtc(_) => "Gtc",
        Command::BlpRequest(_) => "BlpRequest",
        Command::Blp(_) => "Blp",
        Command::AddRequest(_) => "AddRequest",
        Command::Add(_) => "Add",
        Command::ReverseAdd(_) => "ReverseAdd",
        Command::RemRequest(_) => "RemRequest",
        Command::Rem(_) => "Rem",
        Command::ReverseRemove(_) => "ReverseRemove",
        Command::ReaRequest(_) => "ReaRequest",
        Command::Rea(_) => "Rea",
        Command::PrpRequest(_) => "PrpRequest",
        Command::Prp(_) => "Prp",
        Command::Bpr(_) => "Bpr",
        Command::Chg(_) => "Chg",
        Command::Iln(_) => "Iln",
        Command::Nln(_) => "Nln",
        Command::Fln(_) => "Fln",
        Command::ImsRequest(_) => "ImsRequest",
        Command::Ims(_) => "Ims",
        Command::UrlRequest(_) => "UrlRequest",
        Command::Url(_) => "Url",
        Command::FndRequest(_) => "FndRequest",
        Command::Fnd(_) => "Fnd",
        Command::SndRequest(_) => "SndRequest",
        Command::SndOk(_) => "SndOk",
        Command::Sdc(_) => "Sdc",
        Command::SdcOk(_) => "SdcOk",
        Command::Pag(_) => "Pag",
        Command::Not(_) => "Not",
        Command::Ipg(_) => "Ipg",
        Command::ChlRequest(_) => "ChlRequest",
        Command::Chl(_) => "Chl",
        Command::Qry(_) => "Qry",
        Command::QryOk(_) => "QryOk",
        Command::MsgSend(_) => "MsgSend",
        Command::Msg(_) => "Msg",
        Command::Rng(_) => "Rng",
        Command::Cal(_) => "Cal",
        Command::CalRinging(_) => "CalRinging",
        Command::Ans(_) => "Ans",
        Command::AnsOk(_) => "AnsOk",
        Command::Iro(_) => "Iro",
        Command::Joi(_) => "Joi",
        Command::Ack(_) => "Ack",
        Command::Nak(_) => "Nak",
        Command::Bye(_) => "Bye",
        Command::Error(_) => "Error",
        Command::Unknown(_) => "Unknown",
        _ => "other",
    }
}

/// A decoder for `ctx` in `mode`, with the default limits.
pub(crate) fn decoder(ctx: Context, mode: Mode) -> Decoder {
    Decoder {
        context: ctx,
        mode,
        limits: Limits::default(),
    }
}

/// A context.
pub(crate) fn ctx(direction: Direction, server: ServerKind, dialect: Dialect) -> Context {
    Context {
        direction,
        server,
        dialect,
    }
}

/// Every context: 2 directions × 3 servers × 7 dialects.
pub(crate) fn all_contexts() -> Vec<Context> {
    let mut v = Vec::new();
    for direction in Direction::ALL {
        for server in ServerKind::ALL {
            for dialect in Dialect::ALL {
                v.push(ctx(direction, server, dialect));
            }
        }
    }
    v
}

/// Any context.
pub(crate) fn contexts() -> impl Strategy<Value = Context> {
    select(all_contexts())
}

/// Any mode.
pub(crate) fn modes() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Strict), Just(Mode::Lenient)]
}

/// The proptest config of a test binary: `cases` (or `PROPTEST_CASES`), failures persisted to
/// `proptest-regressions/<binary>.txt` at the top of the workspace.
#[macro_export]
macro_rules! config {
    ($binary:literal, $cases:expr) => {
        proptest::test_runner::Config {
            // `PROPTEST_CASES` overrides the default number of cases (for longer local runs).
            cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or($cases),
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::Direct(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../proptest-regressions/",
                    $binary,
                    ".txt"
                )),
            )),
            ..proptest::test_runner::Config::default()
        }
    };
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// Whether `b` may appear in a parameter (reference §1.1).
pub(crate) fn is_token_byte(b: u8) -> bool {
    !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0)
}

/// One byte of a parameter: mostly printable ASCII, sometimes any allowed byte.
pub(crate) fn token_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        8 => 0x21u8..=0x7e,
        1 => any::<u8>().prop_map(|b| if is_token_byte(b) { b } else { b'_' }),
    ]
}

/// Parameter bytes of 1..=max bytes.
pub(crate) fn token_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(token_byte(), 1..=max)
}

/// A token of 1..=max bytes.
pub(crate) fn token_max(max: usize) -> impl Strategy<Value = Token<'static>> {
    token_bytes(max).prop_map(|b| Token::new(b).expect("generated token"))
}

/// A generic token (1..=64 bytes), sometimes a short word or a number.
pub(crate) fn token() -> impl Strategy<Value = Token<'static>> {
    prop_oneof![
        4 => token_max(64),
        1 => "[A-Za-z0-9]{1,8}".prop_map(|s| Token::new(s.into_bytes()).expect("word")),
        1 => any::<u32>().prop_map(|n| Token::new(n.to_string().into_bytes()).expect("number")),
    ]
}

/// An optional generic token.
pub(crate) fn opt_token() -> impl Strategy<Value = Option<Token<'static>>> {
    proptest::option::of(token())
}

/// A TrID: 0, small, or any.
pub(crate) fn trid() -> impl Strategy<Value = TrId> {
    prop_oneof![Just(0u32), 1u32..100, any::<u32>(), Just(u32::MAX)].prop_map(TrId)
}

/// A number (`u32`): 0, small, or any.
pub(crate) fn number() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), 1u32..1000, any::<u32>(), Just(u32::MAX)]
}

/// A user handle: e-mail-like, any token of at most 129 bytes, or exactly 129 bytes.
pub(crate) fn handle() -> impl Strategy<Value = Handle<'static>> {
    prop_oneof![
        4 => "[a-z0-9._]{1,20}@[a-z]{1,10}\\.[a-z]{2,3}"
            .prop_map(|s| Handle::new(s.into_bytes()).expect("email handle")),
        2 => token_bytes(Handle::MAX_LEN).prop_map(|b| Handle::new(b).expect("token handle")),
        1 => vec(token_byte(), Handle::MAX_LEN)
            .prop_map(|b| Handle::new(b).expect("129-byte handle")),
    ]
}

/// A friendly name: the URL-encoding of some text, any token of at most 387 bytes, or exactly
/// 387 bytes.
pub(crate) fn name() -> impl Strategy<Value = FriendlyName<'static>> {
    prop_oneof![
        4 => ".{1,60}"
            .prop_filter_map("encoded name too long", |s: String| FriendlyName::encode(&s).ok()),
        2 => token_bytes(FriendlyName::MAX_LEN)
            .prop_map(|b| FriendlyName::new(b).expect("token name")),
        1 => vec(token_byte(), FriendlyName::MAX_LEN)
            .prop_map(|b| FriendlyName::new(b).expect("387-byte name")),
    ]
}

/// A secret (password, digest): a token, often 32 hex digits.
pub(crate) fn secret() -> impl Strategy<Value = Secret<'static>> {
    prop_oneof![
        "[0-9a-f]{32}".prop_map(|s| Token::new(s.into_bytes()).expect("hex")),
        token(),
    ]
    .prop_map(Secret::new)
}

/// A list of 1..=32 tokens (of at most `item` bytes), drawn partly from `words`.
pub(crate) fn token_list_of(
    words: &'static [&'static str],
    item: usize,
) -> impl Strategy<Value = TokenList<'static>> {
    let word = prop_oneof![
        select(words).prop_map(|w| w.as_bytes().to_vec()),
        token_bytes(item),
    ];
    vec(word, 1..=TokenList::MAX_ITEMS)
        .prop_map(|items| TokenList::new(items.join(&b' ')).expect("token list"))
}

/// A documented value or an undocumented token (never a documented name), excluding the
/// names in `not` (for dispatch ambiguities).
pub(crate) fn value_except<T: Enumerated + Debug>(
    not: &'static [&'static str],
) -> impl Strategy<Value = Value<'static, T>> {
    let known: Vec<T> = T::ALL
        .iter()
        .copied()
        .filter(|v| !not.contains(&v.as_str()))
        .collect();
    let unknown = prop_oneof![
        // Near misses: short upper-case words, lower-case forms of the documented names.
        2 => "[A-Z0-9]{1,4}".prop_map(String::into_bytes),
        1 => select(T::ALL).prop_map(|v| v.as_str().to_ascii_lowercase().into_bytes()),
        2 => token_bytes(24),
    ]
    .prop_filter("a documented name or an excluded one", move |b| {
        T::from_bytes(b).is_none() && !not.iter().any(|n| n.as_bytes() == b.as_slice())
    })
    .prop_map(|b| Value::Unknown(Token::new(b).expect("unknown value")));
    if known.is_empty() {
        unknown.boxed()
    } else {
        prop_oneof![3 => select(known).prop_map(Value::Known), 1 => unknown].boxed()
    }
}

/// A documented value or an undocumented token.
pub(crate) fn value<T: Enumerated + Debug>() -> impl Strategy<Value = Value<'static, T>> {
    value_except::<T>(&[])
}

/// A payload of at most `max` bytes: mostly short, sometimes up to the limit, sometimes exactly
/// at the limit.
pub(crate) fn payload(max: usize) -> impl Strategy<Value = Payload<'static>> {
    prop_oneof![
        6 => vec(any::<u8>(), 0..=max.min(64)),
        2 => vec(any::<u8>(), 0..=max),
        1 => vec(any::<u8>(), max),
    ]
    .prop_map(Payload::new)
}

/// A MIME-like payload (header lines, blank line, body) of at most `max` bytes.
pub(crate) fn mime_payload(max: usize) -> impl Strategy<Value = Payload<'static>> {
    prop_oneof![
        payload(max),
        ("[ -~]{0,40}", "[ -~\r\n]{0,80}").prop_map(move |(header, body)| {
            let mut p = format!(
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\
                     X-Test: {header}\r\n\r\n{body}"
            )
            .into_bytes();
            p.truncate(max);
            Payload::new(p)
        }),
    ]
}

/// An `Option` present exactly when `present`.
fn opt_if<T: Debug + Clone + 'static>(
    present: bool,
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    if present {
        s.prop_map(Some).boxed()
    } else {
        Just(None).boxed()
    }
}

/// `(index, total)` that is not `(0, 0)`.
fn index_total() -> impl Strategy<Value = (u32, u32)> {
    (number(), number()).prop_filter("0 0 is the empty form", |&(i, t)| !(i == 0 && t == 0))
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/// Dialect names and the refusal `0`, for `VER`.
const DIALECT_WORDS: &[&str] = &[
    "MSNP2", "MSNP3", "MSNP4", "MSNP5", "MSNP6", "MSNP7", "MSNP8", "CVR0", "0",
];
/// Package names, for `INF`.
const PACKAGE_WORDS: &[&str] = &["MD5", "CTP", "TWN"];

type Gen = BoxedStrategy<Command<'static>>;

fn client_version(
    client_id: BoxedStrategy<Option<Token<'static>>>,
) -> impl Strategy<Value = ClientVersion<'static>> {
    (
        trid(),
        token(),
        token(),
        token(),
        token(),
        token(),
        token(),
        client_id,
    )
        .prop_map(
            |(trid, locale, os_type, os_version, arch, library, client_version, client_id)| {
                ClientVersion {
                    trid,
                    locale,
                    os_type,
                    os_version,
                    arch,
                    library,
                    client_version,
                    client_id,
                }
            },
        )
}

fn version_advice() -> impl Strategy<Value = VersionAdvice<'static>> {
    (trid(), token(), token(), token(), token(), opt_token()).prop_map(
        |(trid, recommended, recommended2, minimum, download_url, info_url)| VersionAdvice {
            trid,
            recommended,
            recommended2,
            minimum,
            download_url,
            info_url,
        },
    )
}

fn fnd_fields() -> impl Strategy<Value = FndFields<'static>> {
    (token(), token(), token(), token(), token()).prop_map(
        |(fname, lname, city, state, country)| FndFields {
            fname,
            lname,
            city,
            state,
            country,
        },
    )
}

fn unknown_verb() -> impl Strategy<Value = Token<'static>> {
    "[A-Z]{3}"
        .prop_filter("a known verb", |v| !VERBS.contains(&v.as_str()))
        .prop_map(|v| Token::new(v.into_bytes()).expect("verb"))
}

/// The command forms that decode in `ctx`, by variant name.
///
/// Placement follows reference §3 as the codec implements it (`PLACES` in `commands/mod.rs`).
pub(crate) fn forms(ctx: Context) -> Vec<(&'static str, Gen)> {
    let v = ctx.dialect.version();
    let client = ctx.direction == C;
    let server = ctx.direction == S;
    let (ds, ns, sb) = (ctx.server == DS, ctx.server == NS, ctx.server == SB);
    let mut f: Vec<(&'static str, Gen)> = Vec::new();
    let mut add = |name: &'static str, g: Gen| f.push((name, g));

    // --- Login and session (DS, NS) ---
    if ds || ns {
        add(
            "Ver",
            (trid(), token_list_of(DIALECT_WORDS, 16))
                .prop_map(|(trid, dialects)| Command::Ver(Ver { trid, dialects }))
                .boxed(),
        );
        if client {
            add(
                "InfRequest",
                trid()
                    .prop_map(|trid| Command::InfRequest(InfRequest { trid }))
                    .boxed(),
            );
            add(
                "UsrInitial",
                (trid(), handle())
                    .prop_map(|(trid, handle)| Command::UsrInitial(UsrInitial { trid, handle }))
                    .boxed(),
            );
            add(
                "UsrResponse",
                (trid(), secret())
                    .prop_map(|(trid, digest)| Command::UsrResponse(UsrResponse { trid, digest }))
                    .boxed(),
            );
            // A client `USR` whose package is `MD5` is UsrInitial/UsrResponse, never UsrOther.
            // `MDS` (the documented typo, reference §8) is an unknown package here, in both
            // modes: lenient mode repairs it only in the server's `USR`.
            let package = prop_oneof![
                4 => value_except::<AuthPackage>(&["MD5"]),
                1 => Just(Value::Unknown(Token::new(&b"MDS"[..]).expect("MDS"))),
            ];
            add(
                "UsrOther",
                (trid(), package, token(), secret())
                    .prop_map(|(trid, package, stage, parameter)| {
                        Command::UsrOther(UsrOther {
                            trid,
                            package,
                            stage,
                            parameter,
                        })
                    })
                    .boxed(),
            );
        } else {
            add(
                "Inf",
                (trid(), token_list_of(PACKAGE_WORDS, 16))
                    .prop_map(|(trid, packages)| Command::Inf(Inf { trid, packages }))
                    .boxed(),
            );
            add(
                "UsrSalt",
                (trid(), token())
                    .prop_map(|(trid, salt)| Command::UsrSalt(UsrSalt { trid, salt }))
                    .boxed(),
            );
            // The verified flag exists exactly from MSNP6 on (reference §3.1 USR).
            add(
                "UsrOk",
                (
                    trid(),
                    handle(),
                    name(),
                    opt_if(v >= 6, value::<Verified>()),
                )
                    .prop_map(|(trid, handle, name, verified)| {
                        Command::UsrOk(UsrOk {
                            trid,
                            handle,
                            name,
                            verified,
                        })
                    })
                    .boxed(),
            );
            // The server sends only the MD5 forms, OK and (MSNP2) CTP: a server `USR` is
            // UsrOk with `OK` second, UsrOther with `CTP` second, and UsrSalt otherwise (so the
            // documented typo `MDS` is a strict error, commands/mod.rs). UsrOther is CTP only.
            add(
                "UsrOther",
                (
                    trid(),
                    Just(Value::Known(AuthPackage::Ctp)),
                    token(),
                    secret(),
                )
                    .prop_map(|(trid, package, stage, parameter)| {
                        Command::UsrOther(UsrOther {
                            trid,
                            package,
                            stage,
                            parameter,
                        })
                    })
                    .boxed(),
            );
            // MSNP2 has no constant, MSNP3+ a constant, MSNP7 adds the current server.
            // `XFR 0 NS 0` (trid 0, address `0`, no constant, no current — MSNP2 shape) is the
            // forced reset XfrReset (reference §3.1 XFR), so it is excluded here.
            add(
                "XfrNotification",
                (
                    trid(),
                    prop_oneof![Just(Token::new(&b"0"[..]).expect("0")), token()],
                    opt_if(
                        v >= 3,
                        prop_oneof![Just(Token::new(&b"0"[..]).expect("0")), token()],
                    ),
                    opt_if(v >= 7, token()),
                )
                    .prop_filter(
                        "XFR 0 NS 0 is XfrReset",
                        |(trid, address, constant, current)| {
                            !(trid.0 == 0
                                && address.as_bytes() == b"0"
                                && constant.is_none()
                                && current.is_none())
                        },
                    )
                    .prop_map(|(trid, address, constant, current)| {
                        Command::XfrNotification(XfrNotification {
                            trid,
                            address,
                            constant,
                            current,
                        })
                    })
                    .boxed(),
            );
            add("XfrReset", Just(Command::XfrReset(XfrReset {})).boxed());
        }
    }
    if ns && client {
        add(
            "XfrRequest",
            (trid(), value::<TransferKind>())
                .prop_map(|(trid, kind)| Command::XfrRequest(XfrRequest { trid, kind }))
                .boxed(),
        );
        // The client id exists from MSNP4 on (reference §3.1 CVR).
        add(
            "Cvr",
            client_version(opt_if(v >= 4, token()))
                .prop_map(|v| Command::Cvr(Box::new(v)))
                .boxed(),
        );
    }
    if ns && server {
        add(
            "XfrSwitchboard",
            (trid(), token(), token())
                .prop_map(|(trid, address, cookie)| {
                    Command::XfrSwitchboard(XfrSwitchboard {
                        trid,
                        address,
                        cookie,
                    })
                })
                .boxed(),
        );
        add(
            "CvrAdvice",
            version_advice()
                .prop_map(|v| Command::CvrAdvice(Box::new(v)))
                .boxed(),
        );
    }
    if ds && client {
        // CVQ: the client id is optional in every dialect (reference §13.6).
        add(
            "Cvq",
            client_version(opt_token().boxed())
                .prop_map(|v| Command::Cvq(Box::new(v)))
                .boxed(),
        );
    }
    if ds && server {
        add(
            "CvqAdvice",
            version_advice()
                .prop_map(|v| Command::CvqAdvice(Box::new(v)))
                .boxed(),
        );
    }
    // OUT on every server; only the server gives a reason (reference §3.1 OUT).
    if client {
        add("Out", Just(Command::Out(Out { reason: None })).boxed());
    } else {
        add(
            "Out",
            proptest::option::of(value::<OutReason>())
                .prop_map(|reason| Command::Out(Out { reason }))
                .boxed(),
        );
    }
    if ns && client {
        add("Png", Just(Command::Png(Bare {})).boxed());
    }
    if ns && server {
        add("Qng", Just(Command::Qng(Bare {})).boxed());
    }

    // --- Lists (NS) ---
    if ns {
        add(
            "Syn",
            (trid(), number())
                .prop_map(|(trid, version)| Command::Syn(Syn { trid, version }))
                .boxed(),
        );
        add(
            "Chg",
            (trid(), value::<Status>())
                .prop_map(|(trid, status)| Command::Chg(Chg { trid, status }))
                .boxed(),
        );
    }
    // The MSNP7 group id of ADD/REM (reference §2) is optional in MSNP7 and absent before.
    let group = move || {
        if v >= 7 {
            proptest::option::of(number()).boxed()
        } else {
            Just(None).boxed()
        }
    };
    if ns && client {
        add(
            "LstRequest",
            (trid(), value::<List>())
                .prop_map(|(trid, list)| Command::LstRequest(LstRequest { trid, list }))
                .boxed(),
        );
        add(
            "GtcRequest",
            (trid(), value::<GtcMode>())
                .prop_map(|(trid, mode)| Command::GtcRequest(GtcRequest { trid, mode }))
                .boxed(),
        );
        add(
            "BlpRequest",
            (trid(), value::<Privacy>())
                .prop_map(|(trid, privacy)| Command::BlpRequest(BlpRequest { trid, privacy }))
                .boxed(),
        );
        add(
            "AddRequest",
            (trid(), value::<List>(), handle(), name(), group())
                .prop_map(|(trid, list, handle, name, group)| {
                    Command::AddRequest(AddRequest {
                        trid,
                        list,
                        handle,
                        name,
                        group,
                    })
                })
                .boxed(),
        );
        add(
            "RemRequest",
            (trid(), value::<List>(), handle(), group())
                .prop_map(|(trid, list, handle, group)| {
                    Command::RemRequest(RemRequest {
                        trid,
                        list,
                        handle,
                        group,
                    })
                })
                .boxed(),
        );
        add(
            "ReaRequest",
            (trid(), handle(), name())
                .prop_map(|(trid, handle, name)| {
                    Command::ReaRequest(ReaRequest { trid, handle, name })
                })
                .boxed(),
        );
        add(
            "PrpRequest",
            (trid(), value::<Property>(), opt_token())
                .prop_map(|(trid, property, value)| {
                    Command::PrpRequest(PrpRequest {
                        trid,
                        property,
                        value,
                    })
                })
                .boxed(),
        );
    }
    if ns && server {
        // `LST … 0 0` has no entry, and a line with an entry never has index 0 and total 0
        // (reference §3.2 LST). MSNP7 may append the group ids of an entry.
        let entry = (
            handle(),
            name(),
            opt_if(v >= 7, opt_token()).prop_map(Option::flatten),
        )
            .prop_map(|(handle, name, groups)| ListEntry {
                handle,
                name,
                groups,
            });
        let lst_shape = prop_oneof![
            1 => Just((0u32, 0u32, None)),
            3 => (index_total(), entry).prop_map(|((i, t), e)| (i, t, Some(e))),
        ];
        add(
            "Lst",
            (trid(), value::<List>(), number(), lst_shape)
                .prop_map(|(trid, list, version, (index, total, entry))| {
                    Command::Lst(Lst {
                        trid,
                        list,
                        version,
                        index,
                        total,
                        entry,
                    })
                })
                .boxed(),
        );
        add(
            "Gtc",
            (trid(), number(), value::<GtcMode>())
                .prop_map(|(trid, version, mode)| {
                    Command::Gtc(Gtc {
                        trid,
                        version,
                        mode,
                    })
                })
                .boxed(),
        );
        add(
            "Blp",
            (trid(), number(), value::<Privacy>())
                .prop_map(|(trid, version, privacy)| {
                    Command::Blp(Blp {
                        trid,
                        version,
                        privacy,
                    })
                })
                .boxed(),
        );
        // `ADD 0 RL …` / `REM 0 RL …` are ReverseAdd / ReverseRemove (reference §3.2 ADD,
        // REM).
        add(
            "Add",
            (trid(), value::<List>(), number(), handle(), name(), group())
                .prop_filter("ADD 0 RL is ReverseAdd", |(trid, list, ..)| {
                    !(trid.0 == 0 && list == &Value::Known(List::Reverse))
                })
                .prop_map(|(trid, list, version, handle, name, group)| {
                    Command::Add(Add {
                        trid,
                        list,
                        version,
                        handle,
                        name,
                        group,
                    })
                })
                .boxed(),
        );
        add(
            "ReverseAdd",
            (number(), handle(), name())
                .prop_map(|(version, handle, name)| {
                    Command::ReverseAdd(ReverseAdd {
                        version,
                        handle,
                        name,
                    })
                })
                .boxed(),
        );
        add(
            "Rem",
            (trid(), value::<List>(), number(), handle(), group())
                .prop_filter("REM 0 RL is ReverseRemove", |(trid, list, ..)| {
                    !(trid.0 == 0 && list == &Value::Known(List::Reverse))
                })
                .prop_map(|(trid, list, version, handle, group)| {
                    Command::Rem(Rem {
                        trid,
                        list,
                        version,
                        handle,
                        group,
                    })
                })
                .boxed(),
        );
        add(
            "ReverseRemove",
            (number(), handle())
                .prop_map(|(version, handle)| {
                    Command::ReverseRemove(ReverseRemove { version, handle })
                })
                .boxed(),
        );
        add(
            "Rea",
            (trid(), number(), handle(), name())
                .prop_map(|(trid, version, handle, name)| {
                    Command::Rea(Rea {
                        trid,
                        version,
                        handle,
                        name,
                    })
                })
                .boxed(),
        );
        add(
            "Prp",
            (trid(), number(), value::<Property>(), opt_token())
                .prop_map(|(trid, version, property, value)| {
                    Command::Prp(Prp {
                        trid,
                        version,
                        property,
                        value,
                    })
                })
                .boxed(),
        );
        add(
            "Bpr",
            (number(), handle(), value::<Property>(), opt_token())
                .prop_map(|(version, handle, property, value)| {
                    Command::Bpr(Bpr {
                        version,
                        handle,
                        property,
                        value,
                    })
                })
                .boxed(),
        );

        // --- Presence (NS, server) ---
        add(
            "Iln",
            (trid(), value::<Status>(), handle(), name())
                .prop_map(|(trid, status, handle, name)| {
                    Command::Iln(Iln {
                        trid,
                        status,
                        handle,
                        name,
                    })
                })
                .boxed(),
        );
        add(
            "Nln",
            (value::<Status>(), handle(), name())
                .prop_map(|(status, handle, name)| {
                    Command::Nln(Nln {
                        status,
                        handle,
                        name,
                    })
                })
                .boxed(),
        );
        add(
            "Fln",
            handle()
                .prop_map(|handle| Command::Fln(Fln { handle }))
                .boxed(),
        );
        add(
            "Ims",
            (trid(), number(), value::<ImsState>())
                .prop_map(|(trid, unknown, state)| {
                    Command::Ims(Ims {
                        trid,
                        unknown,
                        state,
                    })
                })
                .boxed(),
        );

        // --- Services (NS, server) ---
        // The site id is absent in MSNP2, optional in MSNP3–4, required from MSNP5
        // (reference §3.4 URL).
        let site_id = match v {
            ..=2 => Just(None).boxed(),
            3 | 4 => opt_token().boxed(),
            _ => token().prop_map(Some).boxed(),
        };
        add(
            "Url",
            (trid(), token(), token(), site_id)
                .prop_map(|(trid, redirect, login, site_id)| {
                    Command::Url(Url {
                        trid,
                        redirect,
                        login,
                        site_id,
                    })
                })
                .boxed(),
        );
        // `FND … 0 0` has no result and vice versa (reference §3.4 FND).
        let fnd_shape = prop_oneof![
            1 => Just((0u32, 0u32, None)),
            3 => (index_total(), fnd_fields()).prop_map(|((i, t), r)| (i, t, Some(r))),
        ];
        add(
            "Fnd",
            (trid(), fnd_shape)
                .prop_map(|(trid, (index, total, result))| {
                    Command::Fnd(Box::new(Fnd {
                        trid,
                        index,
                        total,
                        result,
                    }))
                })
                .boxed(),
        );
        add(
            "SndOk",
            trid()
                .prop_map(|trid| Command::SndOk(InviteOk { trid }))
                .boxed(),
        );
        add(
            "SdcOk",
            trid()
                .prop_map(|trid| Command::SdcOk(InviteOk { trid }))
                .boxed(),
        );
        add(
            "Not",
            payload(Limits::default().max_notification)
                .prop_map(|payload| Command::Not(Notice { payload }))
                .boxed(),
        );
        add(
            "Ipg",
            payload(Limits::default().max_notification)
                .prop_map(|payload| Command::Ipg(Notice { payload }))
                .boxed(),
        );
        add(
            "Chl",
            (trid(), token())
                .prop_map(|(trid, challenge)| Command::Chl(Chl { trid, challenge }))
                .boxed(),
        );
        add(
            "QryOk",
            trid()
                .prop_map(|trid| Command::QryOk(QryOk { trid }))
                .boxed(),
        );
        add(
            "Rng",
            (token(), token(), token(), handle(), name())
                .prop_map(|(session, address, cookie, handle, name)| {
                    Command::Rng(Rng {
                        session,
                        address,
                        cookie,
                        handle,
                        name,
                    })
                })
                .boxed(),
        );
    }
    if ns && client {
        add(
            "ImsRequest",
            (trid(), value::<ImsState>())
                .prop_map(|(trid, state)| Command::ImsRequest(ImsRequest { trid, state }))
                .boxed(),
        );
        add(
            "UrlRequest",
            (trid(), value::<UrlService>(), opt_token())
                .prop_map(|(trid, service, parameter)| {
                    Command::UrlRequest(UrlRequest {
                        trid,
                        service,
                        parameter,
                    })
                })
                .boxed(),
        );
        add(
            "FndRequest",
            (trid(), fnd_fields())
                .prop_map(|(trid, query)| Command::FndRequest(Box::new(FndRequest { trid, query })))
                .boxed(),
        );
        // SND: LCID and library from MSNP3, client id from MSNP4 (reference §3.4 SND).
        add(
            "SndRequest",
            (
                trid(),
                token(),
                opt_if(v >= 3, token()),
                opt_if(v >= 3, token()),
                opt_if(v >= 4, token()),
            )
                .prop_map(|(trid, address, lcid, library, client_id)| {
                    Command::SndRequest(SndRequest {
                        trid,
                        address,
                        lcid,
                        library,
                        client_id,
                    })
                })
                .boxed(),
        );
        add(
            "Sdc",
            (
                trid(),
                token(),
                token(),
                token(),
                token(),
                token(),
                payload(Limits::default().max_sdc_pag),
            )
                .prop_map(|(trid, address, lcid, library, client_id, name, payload)| {
                    Command::Sdc(Box::new(Sdc {
                        trid,
                        address,
                        lcid,
                        library,
                        client_id,
                        name,
                        payload,
                    }))
                })
                .boxed(),
        );
        add(
            "Pag",
            (trid(), handle(), payload(Limits::default().max_sdc_pag))
                .prop_map(|(trid, handle, payload)| {
                    Command::Pag(Pag {
                        trid,
                        handle,
                        payload,
                    })
                })
                .boxed(),
        );
        add(
            "ChlRequest",
            trid()
                .prop_map(|trid| Command::ChlRequest(ChlRequest { trid }))
                .boxed(),
        );
        add(
            "Qry",
            (trid(), token(), payload(Limits::default().max_qry))
                .prop_map(|(trid, public_key, payload)| {
                    Command::Qry(Qry {
                        trid,
                        public_key,
                        payload,
                    })
                })
                .boxed(),
        );
    }

    // --- MSG: client on the SB, server on the NS and SB ---
    if sb && client {
        add(
            "MsgSend",
            (
                trid(),
                value::<AckMode>(),
                mime_payload(Limits::default().max_sb_msg),
            )
                .prop_map(|(trid, ack, payload)| Command::MsgSend(MsgSend { trid, ack, payload }))
                .boxed(),
        );
    }
    if (ns || sb) && server {
        let limit = if sb {
            Limits::default().max_sb_msg
        } else {
            Limits::default().max_ns_msg
        };
        add(
            "Msg",
            (handle(), name(), mime_payload(limit))
                .prop_map(|(handle, name, payload)| {
                    Command::Msg(Msg {
                        handle,
                        name,
                        payload,
                    })
                })
                .boxed(),
        );
    }

    // --- Switchboard ---
    if sb && client {
        add(
            "UsrSwitchboard",
            (trid(), handle(), token())
                .prop_map(|(trid, handle, cookie)| {
                    Command::UsrSwitchboard(UsrSwitchboard {
                        trid,
                        handle,
                        cookie,
                    })
                })
                .boxed(),
        );
        add(
            "Cal",
            (trid(), handle())
                .prop_map(|(trid, handle)| Command::Cal(Cal { trid, handle }))
                .boxed(),
        );
        add(
            "Ans",
            (trid(), handle(), token(), token())
                .prop_map(|(trid, handle, cookie, session)| {
                    Command::Ans(Ans {
                        trid,
                        handle,
                        cookie,
                        session,
                    })
                })
                .boxed(),
        );
    }
    if sb && server {
        add(
            "UsrSwitchboardOk",
            (trid(), handle(), name())
                .prop_map(|(trid, handle, name)| {
                    Command::UsrSwitchboardOk(UsrSwitchboardOk { trid, handle, name })
                })
                .boxed(),
        );
        add(
            "CalRinging",
            (trid(), token())
                .prop_map(|(trid, session)| Command::CalRinging(CalRinging { trid, session }))
                .boxed(),
        );
        add(
            "AnsOk",
            trid()
                .prop_map(|trid| Command::AnsOk(AnsOk { trid }))
                .boxed(),
        );
        add(
            "Iro",
            (trid(), number(), number(), handle(), name())
                .prop_map(|(trid, index, total, handle, name)| {
                    Command::Iro(Iro {
                        trid,
                        index,
                        total,
                        handle,
                        name,
                    })
                })
                .boxed(),
        );
        add(
            "Joi",
            (handle(), name())
                .prop_map(|(handle, name)| Command::Joi(Joi { handle, name }))
                .boxed(),
        );
        add(
            "Ack",
            trid()
                .prop_map(|trid| Command::Ack(Delivery { trid }))
                .boxed(),
        );
        add(
            "Nak",
            trid()
                .prop_map(|trid| Command::Nak(Delivery { trid }))
                .boxed(),
        );
        add(
            "Bye",
            (handle(), opt_token())
                .prop_map(|(handle, reason)| Command::Bye(Bye { handle, reason }))
                .boxed(),
        );
    }

    // --- Everywhere ---
    if server {
        add(
            "Error",
            (100u16..=999, trid())
                .prop_map(|(code, trid)| {
                    Command::Error(ErrorReply {
                        code: ErrorCode::new(code).expect("100..=999"),
                        trid,
                    })
                })
                .boxed(),
        );
    }
    add(
        "Unknown",
        (
            unknown_verb(),
            proptest::option::of(token_list_of(VERBS, 48)),
        )
            .prop_map(|(verb, params)| Command::Unknown(msnp6::commands::Unknown { verb, params }))
            .boxed(),
    );
    f
}

/// Any command that decodes in `ctx`.
pub(crate) fn command_in(ctx: Context) -> BoxedStrategy<Command<'static>> {
    let gens: Vec<Gen> = forms(ctx).into_iter().map(|(_, g)| g).collect();
    proptest::strategy::Union::new(gens).boxed()
}

/// Any context with a command that decodes in it.
pub(crate) fn context_and_command() -> impl Strategy<Value = (Context, Command<'static>)> {
    contexts().prop_flat_map(|ctx| command_in(ctx).prop_map(move |c| (ctx, c)))
}

/// Any context with 1..=max commands that decode in it.
pub(crate) fn context_and_commands(
    max: usize,
) -> impl Strategy<Value = (Context, Vec<Command<'static>>)> {
    contexts().prop_flat_map(move |ctx| vec(command_in(ctx), 1..=max).prop_map(move |c| (ctx, c)))
}
