//! The model's own reading of bad client values (`msnp6_oracle::model::bad_value`) against the codec's
//! `Command::validate` (issue 17 §4): a valid client command from the one generator gets one of
//! its parameters replaced by a bad (or good) value, and when the result still decodes, both must
//! give the same answer (the error code, whether the connection closes, `VER TrID 0`). Each
//! disagreement found was decided against the reference and the wrong side fixed
//! (docs/model.md, "Bad values").
#![cfg(feature = "fuzzing")]

/// The codec's proptest strategies (one generator, `msnp6::fuzzing`), shared with its tests.
#[path = "../../protocol/tests/strategies/mod.rs"]
mod strategies;

use msnp6::validate::Answer;
use msnp6::{Command, Context, Decoder, Direction, ServerKind};
use msnp6_oracle::model::{BadValue, bad_value};
use proptest::prelude::*;
use proptest::sample::select;
use strategies::{all_contexts, command_in};

/// Values that are bad somewhere (and some that are good elsewhere): lists, statuses, handles,
/// properties, services, keys, locales, ack letters, digests, FND fields.
const POOL: &[&str] = &[
    "a@b",
    "a@.com",
    "a@b.",
    "a@b..c",
    "@b.c",
    "a@b@c.d",
    "x@y.z",
    "a",
    "12",
    "1x",
    "RL",
    "PL",
    "FL",
    "ZZ",
    "N",
    "A",
    "U",
    "D",
    "AL",
    "BL",
    "ON",
    "OFF",
    "FLN",
    "HDN",
    "XYZ",
    "NLN",
    "MBE",
    "MOB",
    "PHH",
    "PHHH",
    "Y",
    "CHAT",
    "PASSWORD",
    "PROFILE",
    "MOBILE",
    "INBOX",
    "0x0409",
    "0x04g9",
    "0X0409",
    "CTP",
    "MD5",
    "TWN",
    "SB",
    "NS",
    "MSNP6",
    "MSNP8",
    "CVR0",
    "0",
    "msmsgs@msnmsgr.com",
    "PROD0038W!61ZTF9",
    "PROD9999XXXXXXXX",
    "fname=x",
    "lname=y",
    "city=",
    "state=",
    "country=",
    "0123456789abcdef0123456789abcdef",
    "0123456789ABCDEF0123456789ABCDEF",
];

/// The client contexts.
fn client_contexts() -> Vec<Context> {
    all_contexts()
        .into_iter()
        .filter(|c| c.direction == Direction::ClientToServer)
        .collect()
}

/// A client command with parameter `index` (after the verb, modulo the count) replaced by `value`.
fn mutated() -> impl Strategy<Value = (Context, Vec<u8>)> {
    select(client_contexts()).prop_flat_map(|ctx| {
        let value = prop_oneof![
            3 => select(POOL).prop_map(|s| s.as_bytes().to_vec()),
            1 => strategies::token_bytes(100),
        ];
        (command_in(ctx), any::<usize>(), value).prop_map(move |(cmd, index, value)| {
            (ctx, replace_param(&cmd.to_bytes(), index, &value))
        })
    })
}

/// `frame` with the parameter `index` (modulo the number of parameters) of its line replaced.
fn replace_param(frame: &[u8], index: usize, value: &[u8]) -> Vec<u8> {
    let end = frame
        .windows(2)
        .position(|w| w == b"\r\n")
        .unwrap_or(frame.len());
    let (line, rest) = frame.split_at(end);
    let mut params: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    if params.len() > 1 {
        let i = 1 + index % (params.len() - 1);
        params[i] = value;
    }
    let mut out = params.join(&b' ');
    out.extend_from_slice(rest);
    out
}

/// The codec's answer in the model's terms.
fn codec_answer(cmd: &Command<'_>, ctx: Context) -> Option<BadValue> {
    let answer = cmd.validate(ctx).err()?.answer?;
    Some(match answer {
        Answer::RefuseVersion => BadValue::RefuseVersion,
        a => match (a.error_code().map(|c| c.get()), a.closes_connection()) {
            (Some(code), false) => BadValue::Error(code),
            (Some(code), true) => BadValue::ErrorThenDisconnect(code),
            (None, _) => BadValue::Disconnect,
        },
    })
}

proptest! {
    #![proptest_config(config!("model_bad_values", 4096))]

    /// On every mutated client command that still decodes, the model and `validate` agree.
    #[test]
    fn model_and_validate_agree_on_bad_values((ctx, frame) in mutated()) {
        let decoder = Decoder::new(ctx.direction, ctx.server).with_dialect(ctx.dialect);
        let Ok(decoded) = decoder.decode(&frame) else { return Ok(()) };
        let cmd = decoded.command;
        let model = bad_value(&cmd, ctx.dialect);
        let codec = codec_answer(&cmd, ctx);
        prop_assert_eq!(
            model, codec,
            "{} in {:?}: model {:?}, validate {:?}",
            String::from_utf8_lossy(&frame), ctx, model, codec
        );
    }
}

/// The decisions recorded in docs/model.md, "Bad values", one line each: the model's answer.
#[test]
fn recorded_decisions() {
    use BadValue::{Disconnect, Error, ErrorThenDisconnect};
    let cases: &[(ServerKind, &str, Option<BadValue>)] = &[
        (
            ServerKind::Notification,
            "ADD 20 FL a@b a@b",
            Some(Error(201)),
        ),
        (
            ServerKind::Notification,
            "ADD 20 RL a@b.c a@b.c",
            Some(Disconnect),
        ),
        (
            ServerKind::Notification,
            "ADD 20 FL a@b..c a",
            Some(Error(201)),
        ),
        (ServerKind::Notification, "REM 2 FL a@b", Some(Error(216))),
        (ServerKind::Notification, "BLP 2 XX", Some(Disconnect)),
        (ServerKind::Notification, "CHG 2 FLN", None),
        (ServerKind::Notification, "URL 2 CHAT", Some(Error(201))),
        (ServerKind::Notification, "URL 2 PASSWORD", None),
        (
            ServerKind::Notification,
            "SND 2 7 0x0409 MSMSGS MSMSGS",
            None,
        ),
        (
            ServerKind::Notification,
            "SND 2 x 0x0409 MSMSGS MSMSGS",
            Some(ErrorThenDisconnect(503)),
        ),
        (ServerKind::Switchboard, "CAL 2 a", Some(Error(208))),
        (
            ServerKind::Switchboard,
            "ANS 2 a@b.c ck 1x",
            Some(Disconnect),
        ),
    ];
    for &(server, line, want) in cases {
        let d = Decoder::new(Direction::ClientToServer, server);
        let frame = format!("{line}\r\n");
        let cmd = d.decode(frame.as_bytes()).expect(line).command;
        assert_eq!(bad_value(&cmd, d.context.dialect), want, "{line}");
    }
}
