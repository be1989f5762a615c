//! Values built through the public API round-trip (issue 16 §3, docs/codec.md "Values that
//! cannot be built wrong"):
//!
//! * every variant, built by the generator from constructors and public fields only, is
//!   accepted by `Command::try_encode` in its contexts, and in EVERY context where `try_encode`
//!   accepts a value, its bytes decode back to an equal value (`VARIANT_NAMES` coverage
//!   asserted);
//! * the checked constructors accept exactly what round-trips: arbitrary field combinations of
//!   the forms with an invariant either are refused or round-trip in some context;
//! * each bad value of the issue is refused, by its constructor or by `try_encode`.

mod strategies;

use msnp6::commands::challenge::{Chl, Qry};
use msnp6::commands::lists::{Add, ListEntry, Lst, Rem};
use msnp6::commands::login::{UsrOk, UsrOther, XfrNotification};
use msnp6::commands::presence::Chg;
use msnp6::commands::services::{Fnd, FndFields, SndRequest};
use msnp6::commands::switchboard::MsgSend;
use msnp6::commands::{EncodeError, InvalidForm, Unknown};
use msnp6::types::{
    AckMode, AuthPackage, FriendlyName, Handle, List, Secret, Status, Token, Value,
};
use msnp6::{Command, Context, Dialect, Mode, Payload, TrId};
use proptest::prelude::*;
use strategies::{C, NS, S, SB, all_contexts, ctx, decoder};

fn t(s: &str) -> Token<'static> {
    Token::new(s.as_bytes().to_vec()).expect("a token")
}
fn h(s: &str) -> Handle<'static> {
    Handle::new(s.as_bytes().to_vec()).expect("a handle")
}
fn n(s: &str) -> FriendlyName<'static> {
    FriendlyName::new(s.as_bytes().to_vec()).expect("a name")
}

/// `try_encode` in `ctx`: `Ok` means the bytes decode back to `cmd` there (strict), whole.
fn accepted_roundtrips(ctx: Context, cmd: &Command<'_>) -> Result<bool, TestCaseError> {
    let mut out = Vec::new();
    if cmd.try_encode(ctx, &mut out).is_err() {
        prop_assert!(out.is_empty(), "a refused value appends nothing");
        return Ok(false);
    }
    prop_assert_eq!(
        &out,
        &cmd.to_bytes(),
        "try_encode writes what encode writes"
    );
    match decoder(ctx, Mode::Strict).decode(&out) {
        Ok(d) => {
            prop_assert_eq!(
                &d.command,
                cmd,
                "{:?}: {:?}",
                ctx,
                String::from_utf8_lossy(&out)
            );
            prop_assert_eq!(d.len, out.len());
        }
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "{ctx:?}: try_encode accepted {:?}, which does not decode: {e:?}",
                String::from_utf8_lossy(&out)
            )));
        }
    }
    Ok(true)
}

/// Whether `cmd` round-trips in some context `try_encode` accepts.
fn roundtrips_somewhere(cmd: &Command<'_>) -> Result<bool, TestCaseError> {
    let mut any = false;
    for c in all_contexts() {
        any |= accepted_roundtrips(c, cmd)?;
    }
    Ok(any)
}

#[cfg(feature = "fuzzing")]
#[test]
fn every_built_variant_roundtrips_where_try_encode_accepts_it() {
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    use std::collections::BTreeSet;
    let mut seen = BTreeSet::new();
    let config = proptest::test_runner::Config {
        cases: 4,
        ..config!("built_values", 4)
    };
    for context in all_contexts() {
        for (name, strategy) in strategies::forms(context) {
            seen.insert(name);
            let mut runner = TestRunner::new_with_rng(
                config.clone(),
                TestRng::deterministic_rng(RngAlgorithm::ChaCha),
            );
            let result = runner.run(&strategy, |cmd| {
                prop_assert!(
                    accepted_roundtrips(context, &cmd)?,
                    "try_encode refuses a valid {} in {:?}",
                    name,
                    context
                );
                roundtrips_somewhere(&cmd).map(|_| ())
            });
            if let Err(e) = result {
                panic!("{name} in {context:?}: {e}");
            }
        }
    }
    let all: BTreeSet<&str> = Command::VARIANT_NAMES.iter().copied().collect();
    assert_eq!(seen, all, "every Command variant is built and checked");
}

fn list() -> impl Strategy<Value = List> {
    prop_oneof![
        Just(List::Forward),
        Just(List::Allow),
        Just(List::Block),
        Just(List::Reverse)
    ]
}
fn small() -> impl Strategy<Value = u32> {
    0u32..3
}
fn opt_token(words: &'static [&'static str]) -> impl Strategy<Value = Option<Token<'static>>> {
    proptest::option::of(proptest::sample::select(words).prop_map(t))
}

proptest! {
    #![proptest_config(config!("built_values", 256))]

    /// Whatever the checked constructors accept round-trips in some context.
    #[test]
    fn checked_constructors_accept_only_what_roundtrips(
        trid in small(), l in list(), index in small(), total in small(), some in any::<bool>(),
        group in proptest::option::of(0u32..2),
        address in proptest::sample::select(&["0", "10.0.0.5:1863"][..]),
        constant in opt_token(&["0", "1"]), current in opt_token(&["0", "10.0.0.1:1863"]),
        lcid in opt_token(&["0x0409"]), library in opt_token(&["MSMSGS"]),
        client_id in opt_token(&["MSMSGS"]),
        package in proptest::sample::select(&["MD5", "CTP", "TWN"][..]),
        verb in proptest::sample::select(&["LSG", "MSG", "msg", "AB", "ABCD", "A1C", "XYZ"][..]),
    ) {
        let trid = TrId(trid);
        let entry = some.then(|| ListEntry { handle: h("a@b.c"), name: n("a"), groups: None });
        let fields = FndFields { fname: t("fname=A"), lname: t("lname=B"), city: t("city=*"),
            state: t("state=*"), country: t("country=DE") };
        let mut built = Vec::new();
        built.extend(Add::new(trid, l.into(), 5, h("a@b.c"), n("a"), group).ok().map(Command::Add));
        built.extend(Rem::new(trid, l.into(), 5, h("a@b.c"), group).ok().map(Command::Rem));
        built.extend(Lst::new(trid, l.into(), 5, index, total, entry).ok().map(Command::Lst));
        built.extend(Fnd::new(trid, index, total, some.then_some(fields)).ok()
            .map(|f| Command::Fnd(Box::new(f))));
        built.extend(XfrNotification::new(trid, t(address), constant, current).ok()
            .map(Command::XfrNotification));
        built.extend(SndRequest::new(trid, t("a@b.c"), lcid, library, client_id).ok()
            .map(Command::SndRequest));
        let package = Value::<AuthPackage>::from_token(t(package));
        built.extend(UsrOther::new(trid, package, t("I"), Secret::new(t("x"))).ok()
            .map(Command::UsrOther));
        built.extend(Unknown::new(t(verb), None).ok().map(Command::Unknown));
        for cmd in &built {
            prop_assert!(roundtrips_somewhere(cmd)?, "{:?} is built but decodes nowhere", cmd);
        }
    }
}

fn add(trid: u32, l: List) -> Result<Add<'static>, InvalidForm> {
    Add::new(TrId(trid), l.into(), 5, h("a@b.c"), n("a"), None)
}

#[test]
fn a_reply_with_trid_0_on_rl_is_refused() {
    assert_eq!(
        add(0, List::Reverse),
        Err(InvalidForm::ReverseListReply { verb: "ADD" })
    );
    assert!(add(0, List::Forward).is_ok());
    assert!(add(1, List::Reverse).is_ok());
    let rem = Rem::new(TrId(0), List::Reverse.into(), 5, h("a@b.c"), None);
    assert_eq!(rem, Err(InvalidForm::ReverseListReply { verb: "REM" }));
}

#[test]
fn index_and_total_must_agree_with_the_entry() {
    let entry = || {
        Some(ListEntry {
            handle: h("a@b.c"),
            name: n("a"),
            groups: None,
        })
    };
    let lst = |i, n, e| Lst::new(TrId(1), List::Forward.into(), 5, i, n, e);
    let refused = |verb, index, total| Err(InvalidForm::EntryCount { verb, index, total });
    assert_eq!(lst(1, 1, None), refused("LST", 1, 1));
    assert_eq!(lst(0, 0, entry()), refused("LST", 0, 0));
    assert!(lst(0, 0, None).is_ok() && lst(1, 2, entry()).is_ok());
    let fnd = Fnd::new(TrId(1), 0, 3, None);
    assert_eq!(
        fnd,
        Err(InvalidForm::EntryCount {
            verb: "FND",
            index: 0,
            total: 3
        })
    );
}

#[test]
fn xfr_ns_current_needs_the_constant_and_is_never_the_reset() {
    let xfr = |trid, address, constant: Option<&str>, current: Option<&str>| {
        XfrNotification::new(TrId(trid), t(address), constant.map(t), current.map(t))
    };
    assert_eq!(
        xfr(1, "a:1", None, Some("b:2")),
        Err(InvalidForm::XfrCurrentWithoutConstant)
    );
    assert_eq!(xfr(0, "0", None, None), Err(InvalidForm::XfrResetShape));
    assert!(xfr(0, "0", Some("0"), None).is_ok() && xfr(1, "0", None, None).is_ok());
}

#[test]
fn usr_other_is_never_md5() {
    let other = |p: AuthPackage| UsrOther::new(TrId(1), p.into(), t("I"), Secret::new(t("x")));
    assert_eq!(other(AuthPackage::Md5), Err(InvalidForm::UsrOtherMd5));
    assert!(other(AuthPackage::Ctp).is_ok());
}

#[test]
fn snd_parameters_come_in_dialect_order() {
    let snd = |l: Option<&str>, b: Option<&str>, c: Option<&str>| {
        SndRequest::new(TrId(1), t("a@b.c"), l.map(t), b.map(t), c.map(t))
    };
    assert_eq!(
        snd(Some("0x0409"), None, None),
        Err(InvalidForm::SndParameters)
    );
    assert_eq!(
        snd(None, None, Some("MSMSGS")),
        Err(InvalidForm::SndParameters)
    );
    assert!(snd(Some("0x0409"), Some("MSMSGS"), None).is_ok());
}

#[test]
fn unknown_never_holds_a_known_or_malformed_verb() {
    assert_eq!(Unknown::new(t("MSG"), None), Err(InvalidForm::KnownVerb));
    for bad in ["msg", "AB", "ABCD", "A1C"] {
        assert_eq!(
            Unknown::new(t(bad), None),
            Err(InvalidForm::UnknownVerbShape),
            "{bad}"
        );
    }
    assert!(Unknown::new(t("LSG"), None).is_ok());
}

#[test]
fn try_encode_refuses_payloads_over_their_limit_and_long_lines() {
    let sb = ctx(C, SB, Dialect::Msnp6);
    let msg = |len| {
        let ack = AckMode::Acknowledged.into();
        Command::MsgSend(MsgSend {
            trid: TrId(1),
            ack,
            payload: Payload::new(vec![b'x'; len]),
        })
    };
    let mut out = Vec::new();
    assert!(msg(1664).try_encode(sb, &mut out).is_ok());
    let refused = EncodeError::PayloadTooLong {
        verb: "MSG",
        len: 1665,
        limit: 1664,
    };
    assert_eq!(msg(1665).try_encode(sb, &mut Vec::new()), Err(refused));
    let qry = Command::Qry(Qry {
        trid: TrId(1),
        public_key: t("msmsgs@msnmsgr.com"),
        payload: Payload::new(vec![b'0'; 33]),
    });
    let ns = ctx(C, NS, Dialect::Msnp6);
    let refused = EncodeError::PayloadTooLong {
        verb: "QRY",
        len: 33,
        limit: 32,
    };
    assert_eq!(qry.try_encode(ns, &mut Vec::new()), Err(refused));
    let challenge = Token::new(vec![b'1'; 2044]).expect("the longest token");
    let long = Command::Chl(Chl {
        trid: TrId(1),
        challenge,
    });
    let refused = EncodeError::LineTooLong {
        len: 2050,
        limit: 2048,
    };
    assert_eq!(
        long.try_encode(ctx(S, NS, Dialect::Msnp6), &mut Vec::new()),
        Err(refused)
    );
}

#[test]
fn try_encode_refuses_what_the_dialect_or_the_place_cannot_carry() {
    let ok = Command::UsrOk(UsrOk {
        trid: TrId(1),
        handle: h("a@b.c"),
        name: n("a"),
        verified: Some(msnp6::types::Verified::Yes.into()),
    });
    let refused = EncodeError::Shape {
        verb: "USR",
        field: "verified",
        dialect: Dialect::Msnp5,
    };
    assert_eq!(
        ok.try_encode(ctx(S, NS, Dialect::Msnp5), &mut Vec::new()),
        Err(refused)
    );
    assert!(
        ok.try_encode(ctx(S, NS, Dialect::Msnp6), &mut Vec::new())
            .is_ok()
    );
    let chg = Command::Chg(Chg {
        trid: TrId(1),
        status: Status::Online.into(),
    });
    let refused = EncodeError::Misplaced {
        verb: "CHG",
        direction: C,
        server: SB,
    };
    assert_eq!(
        chg.try_encode(ctx(C, SB, Dialect::Msnp6), &mut Vec::new()),
        Err(refused)
    );
    let add = Command::Add(add(1, List::Forward).expect("add"));
    let refused = EncodeError::Misplaced {
        verb: "ADD",
        direction: C,
        server: NS,
    };
    assert_eq!(
        add.try_encode(ctx(C, NS, Dialect::Msnp6), &mut Vec::new()),
        Err(refused)
    );
}
