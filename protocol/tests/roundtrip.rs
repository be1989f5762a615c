//! Round-trip properties of the codec over every command form (strategies in `strategies/`):
//!
//! * (a) encode → strict decode gives the same value, consumes every byte, warns nothing;
//! * (b) decode → encode gives the same bytes, and `Display`, `encode_line` and `encode` each
//!   give the input (checked on near-valid lines: bytes the encoder did not write);
//! * (c) lenient decoding of canonical bytes equals strict decoding, without warnings;
//! * (d) deliberately invalid mutations (double space, a missing parameter, `x` for a number, a
//!   bare LF) are rejected in strict mode, and never panic in either mode;
//! * `into_owned()` keeps the value;
//! * decode → encode is the identity on whatever near-valid line decodes.

// The strategies come from the crate's generator (feature `fuzzing`, on in the README's test
// command, `--all-features`).
#![cfg(feature = "fuzzing")]

mod strategies;

use std::collections::BTreeSet;

use msnp6::error::{DecodeError, Warning};
use msnp6::types::Enumerated;
use msnp6::{Command, Context, Mode};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
use strategies::{
    ALL_VARIANTS, all_contexts, context_and_command, contexts, decoder, forms, modes, variant_name,
};

/// Checks (a), (b), (c) and `into_owned` for one command in one context.
fn check_roundtrip(ctx: Context, cmd: &Command<'static>) -> Result<(), TestCaseError> {
    let bytes = cmd.to_bytes();
    // (a) encode → strict decode.
    let strict = decoder(ctx, Mode::Strict).decode(&bytes);
    let strict = match strict {
        Ok(d) => d,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "{ctx:?}: {:?} does not decode: {e:?}",
                String::from_utf8_lossy(&bytes)
            )));
        }
    };
    prop_assert_eq!(
        &strict.command,
        cmd,
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    prop_assert_eq!(strict.len, bytes.len());
    prop_assert!(strict.warnings.is_empty());
    // (b) is checked on bytes the encoder did not write (`near_valid_lines`, the known answers):
    // here the bytes are `cmd`'s encoding, so re-encoding the equal value could not differ.
    // (c) lenient decoding of canonical bytes.
    let lenient = decoder(ctx, Mode::Lenient)
        .decode(&bytes)
        .map_err(|e| TestCaseError::fail(format!("lenient: {e:?}")))?;
    prop_assert_eq!(&lenient.command, cmd);
    prop_assert_eq!(lenient.len, bytes.len());
    prop_assert!(
        lenient.warnings.is_empty(),
        "{:?}",
        lenient.warnings.iter().collect::<Vec<_>>()
    );
    // `into_owned` keeps the value.
    let owned: Command<'static> = strict.command.clone().into_owned();
    prop_assert_eq!(&owned, cmd);
    Ok(())
}

proptest! {
    #![proptest_config(config!("roundtrip", 3000))]

    /// (a), (b), (c) and `into_owned` over every form in every context.
    #[test]
    fn encode_decode_roundtrip((ctx, cmd) in context_and_command()) {
        check_roundtrip(ctx, &cmd)?;
    }

    /// (d) Invalid mutations are rejected in strict mode; double spaces and bare LFs are
    /// repaired in lenient mode with the right warning.
    #[test]
    fn invalid_mutations_are_rejected(
        (ctx, cmd) in context_and_command(),
        which in 0u8..4,
        at in any::<Index>(),
    ) {
        let bytes = cmd.to_bytes();
        let crlf = bytes.windows(2).position(|w| w == b"\r\n").expect("a line end");
        let (line, rest) = (&bytes[..crlf], &bytes[crlf + 2..]);
        let spaces: Vec<usize> =
            line.iter().enumerate().filter(|&(_, b)| *b == b' ').map(|(i, _)| i).collect();
        let strict = decoder(ctx, Mode::Strict);
        let lenient = decoder(ctx, Mode::Lenient);
        let (mutated, repaired_by): (Vec<u8>, Option<Warning>) = match which {
            // Double space.
            0 => {
                if spaces.is_empty() {
                    return Ok(());
                }
                let i = spaces[at.index(spaces.len())];
                let mut m = line[..i].to_vec();
                m.push(b' ');
                m.extend_from_slice(&line[i..]);
                m.extend_from_slice(b"\r\n");
                m.extend_from_slice(rest);
                (m, Some(Warning::RepeatedSpace))
            }
            // Remove the last parameter (unless it is optional).
            1 => {
                let Some(&i) = spaces.last() else { return Ok(()) };
                if last_param_removable(&cmd, ctx) {
                    return Ok(());
                }
                let mut m = line[..i].to_vec();
                m.extend_from_slice(b"\r\n");
                m.extend_from_slice(rest);
                (m, None)
            }
            // Replace a number by `x`.
            2 => {
                let numbers = number_params(&cmd);
                if numbers.is_empty() {
                    return Ok(());
                }
                let n = numbers[at.index(numbers.len())];
                let mut params: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
                params[n + 1] = b"x";
                let mut m = params.join(&b' ');
                m.extend_from_slice(b"\r\n");
                m.extend_from_slice(rest);
                (m, None)
            }
            // Bare LF.
            _ => {
                let mut m = line.to_vec();
                m.push(b'\n');
                m.extend_from_slice(rest);
                (m, Some(Warning::BareLf))
            }
        };
        match strict.decode(&mutated) {
            Err(DecodeError::Invalid { offset, .. }) => {
                let lf = mutated.iter().position(|&b| b == b'\n').expect("LF");
                prop_assert!(offset <= lf, "offset {}", offset);
            }
            other => prop_assert!(
                false,
                "mutation {} of {:?} accepted: {:?} -> {:?}",
                which,
                String::from_utf8_lossy(&bytes),
                String::from_utf8_lossy(&mutated),
                other
            ),
        }
        let lenient_result = lenient.decode(&mutated);
        if let Some(w) = repaired_by {
            let d = lenient_result.map_err(|e| {
                let m = String::from_utf8_lossy(&mutated);
                TestCaseError::fail(format!("lenient rejects {m:?}: {e:?}"))
            })?;
            prop_assert_eq!(&d.command, &cmd);
            prop_assert_eq!(d.len, mutated.len());
            prop_assert_eq!(d.warnings.iter().collect::<Vec<_>>(), vec![w]);
        }
    }

    /// decode → encode is the identity on every near-valid line that decodes strictly; lenient
    /// decoding agrees with strict decoding; nothing panics; error offsets lie in the line.
    #[test]
    fn near_valid_lines(
        ctx in contexts(),
        mode in modes(),
        line in near_valid_line(),
        payload in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut buf = line.clone();
        buf.extend_from_slice(&payload);
        let lf = buf.iter().position(|&b| b == b'\n').expect("LF");
        match decoder(ctx, mode).decode(&buf) {
            Ok(d) => {
                prop_assert!(d.len <= buf.len());
                let again = d.command.to_bytes();
                if d.warnings.is_empty() {
                    // (b) Each encoding API, against the input (they share the encoder's line
                    // writer, so comparing them with one another could not fail).
                    prop_assert_eq!(&again[..], &buf[..d.len], "{:?}", d.command);
                    let input_line = &buf[..lf - 1];
                    let mut line = Vec::new();
                    d.command.encode_line(&mut line);
                    prop_assert_eq!(&line[..], input_line, "encode_line");
                    if let Ok(text) = std::str::from_utf8(input_line) {
                        prop_assert_eq!(d.command.to_string(), text, "Display");
                    }
                }
                // The re-encoding is canonical: it decodes strictly to the same value.
                let canon = decoder(ctx, Mode::Strict).decode(&again);
                prop_assert_eq!(canon.map(|c| c.command), Ok(d.command.clone()));
                if mode == Mode::Strict {
                    prop_assert!(d.warnings.is_empty());
                    let lenient = decoder(ctx, Mode::Lenient).decode(&buf);
                    prop_assert_eq!(
                        lenient.map(|l| (l.command, l.warnings.is_empty())),
                        Ok((d.command.clone(), true))
                    );
                }
            }
            Err(DecodeError::Invalid { offset, .. }) => {
                prop_assert!(offset <= lf, "offset {} beyond the line end {}", offset, lf);
            }
            Err(DecodeError::PayloadTooLong { offset, .. }) => prop_assert!(offset <= lf),
            Err(_) => {}
        }
    }
}

/// Whether removing the last parameter of `cmd` can leave a valid line: an optional trailing
/// parameter, or a documented ambiguity (`XFR 0 NS 0 c` without `c` is `XFR 0 NS 0`).
fn last_param_removable(cmd: &Command<'_>, ctx: Context) -> bool {
    let v = ctx.dialect.version();
    match cmd {
        Command::Ver(x) => x.dialects.len() > 1,
        Command::Inf(x) => x.packages.len() > 1,
        Command::Cvq(x) => x.client_id.is_some(),
        Command::CvrAdvice(x) | Command::CvqAdvice(x) => x.info_url.is_some(),
        Command::Out(x) => x.reason.is_some(),
        Command::Lst(x) => x.entry().as_ref().is_some_and(|e| e.groups.is_some()),
        Command::AddRequest(x) => x.group.is_some(),
        Command::Add(x) => x.group().is_some(),
        Command::RemRequest(x) => x.group.is_some(),
        Command::Rem(x) => x.group().is_some(),
        Command::PrpRequest(x) => x.value.is_some(),
        Command::Prp(x) => x.value.is_some(),
        Command::Bpr(x) => x.value.is_some(),
        Command::UrlRequest(x) => x.parameter.is_some(),
        Command::Url(x) => x.site_id.is_some() && (3..=4).contains(&v),
        Command::Bye(x) => x.reason.is_some(),
        Command::XfrNotification(x) => {
            x.trid().0 == 0 && x.address().as_bytes() == b"0" && x.current().is_none()
        }
        Command::Unknown(_) => true,
        _ => false,
    }
}

/// The indices (0 = first parameter after the verb) of the numeric parameters of `cmd`.
fn number_params(cmd: &Command<'_>) -> Vec<usize> {
    let group = |g: Option<u32>, at: usize| g.map(|_| at);
    match cmd {
        Command::Out(_)
        | Command::Png(_)
        | Command::Qng(_)
        | Command::Nln(_)
        | Command::Fln(_)
        | Command::Rng(_)
        | Command::Joi(_)
        | Command::Bye(_)
        | Command::Unknown(_) => vec![],
        Command::Syn(_)
        | Command::Gtc(_)
        | Command::Blp(_)
        | Command::Rea(_)
        | Command::Prp(_)
        | Command::Ims(_) => vec![0, 1],
        Command::Lst(_) => vec![0, 2, 3, 4],
        Command::Fnd(_) | Command::Iro(_) => vec![0, 1, 2],
        Command::AddRequest(x) => [Some(0), group(x.group, 4)].into_iter().flatten().collect(),
        Command::Add(x) => [Some(0), Some(2), group(*x.group(), 5)]
            .into_iter()
            .flatten()
            .collect(),
        Command::RemRequest(x) => [Some(0), group(x.group, 3)].into_iter().flatten().collect(),
        Command::Rem(x) => [Some(0), Some(2), group(*x.group(), 4)]
            .into_iter()
            .flatten()
            .collect(),
        Command::ReverseAdd(_) | Command::ReverseRemove(_) => vec![0, 2],
        Command::Bpr(_) | Command::Not(_) | Command::Ipg(_) => vec![0],
        Command::Sdc(_) => vec![0, 8],
        Command::Pag(_) | Command::Qry(_) | Command::MsgSend(_) => vec![0, 2],
        Command::Msg(_) => vec![2],
        // Everything else starts with its TrID (XfrReset: the `0` in the TrID position).
        _ => vec![0],
    }
}

/// A line built from verbs, numbers, documented words, handles and random tokens, with mostly
/// single spaces, and a line end.
fn near_valid_line() -> impl Strategy<Value = Vec<u8>> {
    const WORDS: &[&str] = &[
        "0",
        "1",
        "2",
        "8",
        "255",
        "32",
        "4294967295",
        "4294967296",
        "01",
        "x",
        "MD5",
        "MDS",
        "OK",
        "I",
        "S",
        "SB",
        "NS",
        "CKI",
        "RL",
        "FL",
        "AL",
        "BL",
        "NLN",
        "HDN",
        "FLN",
        "RINGING",
        "X",
        "A",
        "N",
        "U",
        "ON",
        "OFF",
        "PHH",
        "MOB",
        "OTH",
        "CTP",
        "0x0409",
        "MSMSGS",
        "a@b.c",
        "example%20user",
        "10.0.0.5:1863",
        "MSNP6",
        "CVR0",
    ];
    let verb = prop_oneof![
        8 => proptest::sample::select(msnp6::commands::VERBS).prop_map(|v| v.as_bytes().to_vec()),
        1 => proptest::sample::select(&["LSG", "ADG", "201", "911", "099", "chg", "US"][..])
            .prop_map(|v| v.as_bytes().to_vec()),
    ];
    let param = prop_oneof![
        6 => proptest::sample::select(WORDS).prop_map(|w| w.as_bytes().to_vec()),
        1 => strategies::token_bytes(12),
    ];
    let sep = prop_oneof![
        20 => Just(&b" "[..]),
        1 => Just(&b"  "[..]),
        1 => Just(&b"\t"[..]),
    ];
    let end = prop_oneof![8 => Just(&b"\r\n"[..]), 1 => Just(&b"\n"[..]), 1 => Just(&b" \r\n"[..])];
    (verb, proptest::collection::vec((sep, param), 0..9), end).prop_map(|(verb, params, end)| {
        let mut l = verb;
        for (sep, p) in params {
            l.extend_from_slice(sep);
            l.extend_from_slice(&p);
        }
        l.extend_from_slice(end);
        l
    })
}

/// Every form in every context where it is valid, a few values each (deterministic seed): the
/// generators cover every `Command` variant, and each of them round-trips.
#[test]
fn every_form_in_every_context() {
    let mut seen = BTreeSet::new();
    // A fixed number of cases per form and context (`PROPTEST_CASES` does not apply here).
    let config = proptest::test_runner::Config {
        cases: 12,
        ..config!("roundtrip", 12)
    };
    for ctx in all_contexts() {
        for (name, strategy) in forms(ctx) {
            seen.insert(name);
            let mut runner = TestRunner::new_with_rng(
                config.clone(),
                TestRng::deterministic_rng(RngAlgorithm::ChaCha),
            );
            let result = runner.run(&strategy, |cmd| {
                prop_assert_eq!(variant_name(&cmd), name);
                check_roundtrip(ctx, &cmd)
            });
            if let Err(e) = result {
                panic!("{name} in {ctx:?}: {e}");
            }
        }
    }
    let all: BTreeSet<&str> = ALL_VARIANTS.iter().copied().collect();
    assert_eq!(seen, all, "the generators must cover every Command variant");
}

/// `Value::Unknown` never holds a documented name, and `Unknown` commands never a known verb.
#[test]
fn unknown_values_are_never_documented() {
    let mut runner = TestRunner::new_with_rng(
        config!("roundtrip", 2000),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    runner
        .run(&context_and_command(), |(_, cmd)| {
            if let Command::Unknown(u) = &cmd {
                let v = u.verb().as_bytes();
                prop_assert!(!msnp6::commands::is_known_verb(v));
                prop_assert!(v.len() == 3 && v.iter().all(u8::is_ascii_uppercase));
            }
            if let Command::Chg(c) = &cmd {
                if let msnp6::types::Value::Unknown(t) = &c.status {
                    prop_assert!(msnp6::types::Status::from_bytes(t.as_bytes()).is_none());
                }
            }
            Ok(())
        })
        .expect("generated values are valid");
}
