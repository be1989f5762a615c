//! Values that cannot be built wrong (issue 16 §3): every value of the types in `msnp6::types`
//! and of `auth::Challenge`/`auth::Salt` that the public constructors accept encodes, inside a
//! command that carries it, to bytes that decode back to an equal value.
//!
//! The inputs are arbitrary bytes near the rules (forbidden bytes, documented names, lengths at
//! the limits); whatever a constructor refuses is skipped, whatever it accepts must round-trip.
//! A command with several long parameters may still exceed the line: that is the encoder's
//! check, not a value's, so each carrier below holds one value under test.

use msnp6::auth::{Challenge, Salt};
use msnp6::commands::Unknown;
use msnp6::commands::challenge::{Chl, ChlRequest};
use msnp6::commands::lists::{BlpRequest, GtcRequest, LstRequest, PrpRequest};
use msnp6::commands::login::{UsrOk, UsrOther, UsrResponse, UsrSalt, Ver, XfrRequest};
use msnp6::commands::presence::{Chg, Fln, ImsRequest, Nln};
use msnp6::commands::services::UrlRequest;
use msnp6::commands::switchboard::MsgSend;
use msnp6::commands::{Command, ErrorReply};
use msnp6::types::{
    AckMode, AuthPackage, Enumerated, ErrorCode, FriendlyName, GtcMode, Handle, ImsState, List,
    MAX_TOKEN_LEN, OutReason, Privacy, Property, Secret, Status, Token, TokenList, TransferKind,
    Undocumented, UrlService, Value, Verified,
};
use msnp6::{Decoder, Direction, Payload, ServerKind, TrId};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use Direction::{ClientToServer as C, ServerToClient as S};
use ServerKind::{Notification as NS, Switchboard as SB};

/// `cases` cases; failures persist to `proptest-regressions/values.txt`.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../proptest-regressions/values.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// Encodes `cmd`, decodes it strictly in its context, and returns the decoded command.
fn reencode(dir: Direction, server: ServerKind, cmd: &Command<'_>) -> Command<'static> {
    let bytes = cmd.to_bytes();
    match Decoder::new(dir, server).decode(&bytes) {
        Ok(d) => d.command.into_owned(),
        Err(e) => panic!("{:?} does not decode: {e}", String::from_utf8_lossy(&bytes)),
    }
}

/// Asserts that `cmd` decodes back to itself.
fn roundtrips(dir: Direction, server: ServerKind, cmd: Command<'_>) -> Result<(), TestCaseError> {
    prop_assert_eq!(reencode(dir, server, &cmd), cmd.into_owned());
    Ok(())
}

/// A byte of a token, or now and then one that no token holds.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        12 => b'!'..=b'~',
        2 => 0x80u8..=0xff,
        1 => prop_oneof![Just(b' '), Just(b'\t'), Just(b'\r'), Just(b'\n'), Just(0u8), 1u8..0x20],
    ]
}

/// Bytes of every length up to `MAX_TOKEN_LEN + 2`, often at the limits given.
fn bytes(limits: &'static [usize]) -> impl Strategy<Value = Vec<u8>> {
    let near = proptest::sample::select(limits)
        .prop_flat_map(|max| (max.saturating_sub(2)..=max + 2).prop_map(|n| vec![b'7'; n]));
    prop_oneof![
        6 => vec(byte(), 0..12),
        2 => vec(byte(), 0..=MAX_TOKEN_LEN + 2),
        3 => near,
    ]
}

/// Bytes for a value of `T`: often a documented name, or a near miss.
fn value_bytes<T: Enumerated + core::fmt::Debug>() -> impl Strategy<Value = Vec<u8>> {
    let names = proptest::sample::select(T::ALL).prop_map(|v| v.as_str().as_bytes().to_vec());
    prop_oneof![
        3 => names.clone(),
        1 => names.prop_map(|n| n.to_ascii_lowercase()),
        3 => vec(byte(), 1..6),
    ]
}

/// A value of `T` built through the public API: `Known`, `from_token`, or `Undocumented::new`.
fn build<T: Enumerated>(b: &[u8], via_unknown: bool) -> Option<Value<'static, T>> {
    let t = Token::new(b.to_vec()).ok()?;
    if via_unknown {
        Undocumented::new(t).ok().map(Value::Unknown)
    } else {
        Some(Value::from_token(t))
    }
}

const TOKEN_LIMITS: &[usize] = &[MAX_TOKEN_LEN, Challenge::MAX_LEN, Salt::MAX_LEN];

proptest! {
    #![proptest_config(config(256))]

    /// A token is at most `MAX_TOKEN_LEN` bytes and fits a line after a verb (`OUT token`), and
    /// in `CHL TrID token` whenever that line fits the limit.
    #[test]
    fn tokens(b in bytes(TOKEN_LIMITS), trid in any::<u32>()) {
        let Ok(t) = Token::new(b.clone()) else { return Ok(()) };
        prop_assert!(t.as_bytes().len() <= MAX_TOKEN_LEN);
        let reason = Some(Value::<OutReason>::from_token(t.clone()));
        roundtrips(S, NS, Command::Out(msnp6::commands::login::Out { reason }))?;
        if format!("CHL {trid} ").len() + b.len() <= 2048 {
            roundtrips(S, NS, Command::Chl(Chl { trid: TrId(trid), challenge: t }))?;
        }
    }

    /// A challenge fits `CHL TrID challenge` for every TrID and comes back as the same challenge.
    #[test]
    fn challenges(b in bytes(TOKEN_LIMITS), trid in any::<u32>()) {
        let Ok(ch) = Challenge::new(&b) else { return Ok(()) };
        let t = Token::new(ch.as_bytes()).expect("a challenge is a token");
        let back = reencode(S, NS, &Command::Chl(Chl { trid: TrId(trid), challenge: t }));
        let Command::Chl(back) = back else { panic!("not CHL: {back:?}") };
        prop_assert_eq!(Challenge::try_from(&back.challenge), Ok(ch));
    }

    /// A salt fits `USR TrID MD5 S salt` for every TrID and comes back as the same salt.
    #[test]
    fn salts(b in bytes(TOKEN_LIMITS), trid in any::<u32>()) {
        let Ok(salt) = Salt::new(&b) else { return Ok(()) };
        let t = Token::new(salt.as_bytes()).expect("a salt is a token");
        let back = reencode(S, NS, &Command::UsrSalt(UsrSalt { trid: TrId(trid), salt: t }));
        let Command::UsrSalt(back) = back else { panic!("not USR S: {back:?}") };
        prop_assert_eq!(Salt::try_from(&back.salt), Ok(salt));
    }

    /// Handles (`FLN handle`), friendly names (`NLN NLN a@b.c name`), secrets whose
    /// `USR TrID MD5 S secret` line fits, TrIDs and error codes.
    #[test]
    fn handles_names_secrets_codes(
        b in bytes(&[Handle::MAX_LEN, FriendlyName::MAX_LEN, Salt::MAX_LEN]),
        trid in any::<u32>(),
        code in any::<u16>(),
    ) {
        if let Ok(handle) = Handle::new(b.clone()) {
            roundtrips(S, NS, Command::Fln(Fln { handle }))?;
        }
        if let Ok(name) = FriendlyName::new(b.clone()) {
            let handle = Handle::new(&b"a@b.c"[..]).expect("handle");
            let status = Value::Known(Status::Online);
            roundtrips(S, NS, Command::Nln(Nln { status, handle, name }))?;
        }
        if let (Ok(t), true) = (Token::new(b.clone()), b.len() <= Salt::MAX_LEN) {
            let digest = Secret::new(t);
            roundtrips(C, NS, Command::UsrResponse(UsrResponse { trid: TrId(trid), digest }))?;
        }
        roundtrips(C, NS, Command::ChlRequest(ChlRequest { trid: TrId(trid) }))?;
        if let Ok(code) = ErrorCode::new(code) {
            roundtrips(S, NS, Command::Error(ErrorReply { code, trid: TrId(trid) }))?;
        }
    }

    /// Token lists: `VER TrID list` where it fits, and an unknown verb's parameters (`XYZ list`).
    #[test]
    fn token_lists(
        items in vec(bytes(&[MAX_TOKEN_LEN / 2, MAX_TOKEN_LEN / 32 - 1]), 1..=34),
        trid in any::<u32>(),
    ) {
        let Ok(list) = TokenList::new(items.join(&b' ')) else { return Ok(()) };
        prop_assert!(list.len() <= TokenList::MAX_ITEMS);
        let verb = Token::new(&b"XYZ"[..]).expect("verb");
        let params = Some(list.clone());
        roundtrips(S, NS, Command::Unknown(Unknown::new(verb, params).expect("a valid form")))?;
        if format!("VER {trid} ").len() + list.as_bytes().len() <= 2048 {
            roundtrips(C, NS, Command::Ver(Ver { trid: TrId(trid), dialects: list }))?;
        }
    }
}

/// One property per enumeration: the value, built every public way, in a command carrying it.
macro_rules! value_property {
    ($name:ident, $t:ty, |$v:ident| ($dir:expr, $server:expr, $cmd:expr)) => {
        proptest! {
            #![proptest_config(config(128))]
            #[test]
            fn $name(b in value_bytes::<$t>(), via_unknown in any::<bool>()) {
                if let Some($v) = build::<$t>(&b, via_unknown) {
                    // `Value::Unknown` of a documented name cannot be built.
                    prop_assert_eq!(<$t>::from_bytes($v.as_bytes()).is_some(), $v.known().is_some());
                    roundtrips($dir, $server, $cmd)?;
                }
            }
        }
    };
}

const T1: TrId = TrId(1);

value_property!(lists, List, |list| (
    C,
    NS,
    Command::LstRequest(LstRequest { trid: T1, list })
));
value_property!(statuses, Status, |status| (
    C,
    NS,
    Command::Chg(Chg { trid: T1, status })
));
value_property!(privacy, Privacy, |privacy| (
    C,
    NS,
    Command::BlpRequest(BlpRequest { trid: T1, privacy })
));
value_property!(gtc_modes, GtcMode, |mode| (
    C,
    NS,
    Command::GtcRequest(GtcRequest { trid: T1, mode })
));
value_property!(properties, Property, |property| (
    C,
    NS,
    Command::PrpRequest(PrpRequest {
        trid: T1,
        property,
        value: Token::new(&b"1"[..]).ok()
    })
));
value_property!(ims_states, ImsState, |state| (
    C,
    NS,
    Command::ImsRequest(ImsRequest { trid: T1, state })
));
value_property!(url_services, UrlService, |service| (
    C,
    NS,
    Command::UrlRequest(UrlRequest {
        trid: T1,
        service,
        parameter: None
    })
));
value_property!(ack_modes, AckMode, |ack| (
    C,
    SB,
    Command::MsgSend(MsgSend {
        trid: T1,
        ack,
        payload: Payload::new(&b"hi"[..])
    })
));
value_property!(out_reasons, OutReason, |reason| (
    S,
    NS,
    Command::Out(msnp6::commands::login::Out {
        reason: Some(reason)
    })
));
value_property!(transfer_kinds, TransferKind, |kind| (
    C,
    NS,
    Command::XfrRequest(XfrRequest { trid: T1, kind })
));
value_property!(verified_flags, Verified, |v| (
    S,
    NS,
    Command::UsrOk(UsrOk {
        trid: T1,
        handle: Handle::new(&b"a@b.c"[..]).expect("handle"),
        name: FriendlyName::new(&b"a"[..]).expect("name"),
        verified: Some(v),
    })
));

proptest! {
    #![proptest_config(config(128))]
    /// Packages in `USR TrID package stage parameter`; a client `USR … MD5` is another form
    /// (`UsrInitial`/`UsrResponse`), so `MD5` is carried by those known-answer tests instead.
    #[test]
    fn auth_packages(b in value_bytes::<AuthPackage>(), via_unknown in any::<bool>()) {
        let Some(package) = build::<AuthPackage>(&b, via_unknown) else { return Ok(()) };
        if package.known() == Some(AuthPackage::Md5) {
            return Ok(());
        }
        let stage = Token::new(&b"I"[..]).expect("stage");
        let parameter = Secret::new(Token::new(&b"x"[..]).expect("parameter"));
        roundtrips(C, NS, Command::UsrOther(UsrOther::new(T1, package, stage, parameter).expect("a valid form")))?;
    }
}

/// The bounds themselves: a token of `MAX_TOKEN_LEN` bytes fills a default line after a verb
/// and its space; a token list too.
#[test]
fn limits_fill_the_default_line() {
    assert_eq!(
        MAX_TOKEN_LEN + "OUT ".len(),
        msnp6::Limits::default().max_line
    );
    assert_eq!(TokenList::MAX_LEN, MAX_TOKEN_LEN);
    assert_eq!(
        Challenge::MAX_LEN + "CHL 4294967295 ".len(),
        msnp6::Limits::default().max_line
    );
    assert_eq!(
        Salt::MAX_LEN + "USR 4294967295 MD5 S ".len(),
        msnp6::Limits::default().max_line
    );
    let longest = vec![b'x'; MAX_TOKEN_LEN];
    assert!(Token::new(longest.clone()).is_ok());
    assert!(Token::new([&longest[..], b"x"].concat()).is_err());
    assert!(Undocumented::<Status>::new(Token::new(&b"NLN"[..]).expect("token")).is_err());
}
