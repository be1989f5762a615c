//! Shared proptest strategies: every `Command` form with only valid values, each paired with a
//! `Context` (direction, server, dialect) in which it decodes.
//!
//! The values come from the crate's one generator (`msnp6::fuzzing::arbitrary_variant`, the
//! fuzz targets' `Arbitrary`), driven by bytes that proptest generates and shrinks: a shorter or
//! smaller input gives a smaller value, so counterexamples shrink (docs/codec.md, "One
//! generator"). Which forms go where is the generator's `variants_in`. The generator needs the
//! `fuzzing` feature; without it only the context helpers are here.

#![allow(dead_code)]

use msnp6::{Command, Context, Decoder, Dialect, Direction, Limits, Mode, ServerKind};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

pub(crate) const C: Direction = Direction::ClientToServer;
pub(crate) const S: Direction = Direction::ServerToClient;
pub(crate) const DS: ServerKind = ServerKind::Dispatch;
pub(crate) const NS: ServerKind = ServerKind::Notification;
pub(crate) const SB: ServerKind = ServerKind::Switchboard;

/// Every variant of `Command`, by name (`Command::VARIANT_NAMES`, made by the enum's macro).
pub(crate) const ALL_VARIANTS: &[&str] = Command::VARIANT_NAMES;

/// The variant name of a command.
pub(crate) fn variant_name(c: &Command<'_>) -> &'static str {
    c.variant_name()
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

// ---------------------------------------------------------------------------------------------
// Commands, from the one generator
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "fuzzing")]
pub(crate) use generated::*;

#[cfg(feature = "fuzzing")]
mod generated {
    use arbitrary::Unstructured;
    use msnp6::fuzzing::{Target, arbitrary_variant, variants_in};
    use msnp6::{Command, Context};
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::contexts;

    type Gen = BoxedStrategy<Command<'static>>;

    /// The bytes the generator reads (proptest shrinks them towards shorter and smaller).
    fn input() -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..=1024)
    }

    /// The generator on `bytes`: variant `VARIANT_NAMES[i]` in the shape `ctx` reads.
    fn generate(ctx: Context, i: usize, bytes: &[u8]) -> Command<'static> {
        arbitrary_variant(&mut Unstructured::new(bytes), i, Target::of(ctx))
            .expect("the generator makes every variant from any input")
    }

    /// The command forms that decode in `ctx`, by variant name.
    pub(crate) fn forms(ctx: Context) -> Vec<(&'static str, Gen)> {
        variants_in(ctx)
            .into_iter()
            .map(|i| {
                let g = input().prop_map(move |b| generate(ctx, i, &b)).boxed();
                (Command::VARIANT_NAMES[i], g)
            })
            .collect()
    }

    /// Any command that decodes in `ctx`.
    pub(crate) fn command_in(ctx: Context) -> Gen {
        (select(variants_in(ctx)), input())
            .prop_map(move |(i, b)| generate(ctx, i, &b))
            .boxed()
    }

    /// Any context with a command that decodes in it.
    pub(crate) fn context_and_command() -> impl Strategy<Value = (Context, Command<'static>)> {
        contexts().prop_flat_map(|ctx| command_in(ctx).prop_map(move |c| (ctx, c)))
    }

    /// Any context with 1..=max commands that decode in it.
    pub(crate) fn context_and_commands(
        max: usize,
    ) -> impl Strategy<Value = (Context, Vec<Command<'static>>)> {
        contexts()
            .prop_flat_map(move |ctx| vec(command_in(ctx), 1..=max).prop_map(move |c| (ctx, c)))
    }
}
