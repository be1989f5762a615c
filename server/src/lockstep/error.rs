//! What the lockstep run can find: a [`Divergence`] between the core and the model, or the core
//! breaking the driver's contract (`server/src/core/mod.rs`).

use msnp6_oracle::model::rng::ServerValue;

/// A difference between the core and the reference model, or a broken contract. Every variant
/// names the step (1-based index of the scenario event), the event, and where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Divergence {
    /// A connection's `index`-th frame of the step differs (`None`: nothing was sent there).
    #[error(
        "step {step} ({event}): connection {conn}, frame {index}: the model sends {}, the core sent {}",
        shown(.expected),
        shown(.actual)
    )]
    Frame {
        /// The step.
        step: usize,
        /// The event, as text.
        event: String,
        /// The connection.
        conn: String,
        /// The frame's index among this step's frames on the connection (0-based).
        index: usize,
        /// The model's frame (its encoding), if it sends one.
        expected: Option<String>,
        /// The core's frame (its encoding), if it sent one.
        actual: Option<String>,
    },
    /// One side closed a connection, the other did not.
    #[error(
        "step {step} ({event}): connection {conn}: the model {}, the core {}",
        closes(*.model),
        closes(*.core)
    )]
    Close {
        /// The step.
        step: usize,
        /// The event, as text.
        event: String,
        /// The connection.
        conn: String,
        /// Whether the model closes it.
        model: bool,
        /// Whether the core closed it.
        core: bool,
    },
    /// A server-chosen value is not used consistently: the model's value was bound to one real
    /// value and now appears with another, or two model values share one real value (a reused
    /// cookie, salt, challenge or session id).
    #[error(
        "step {step} ({event}): connection {conn}: {kind:?} {model:?} is {real:?} here, {bound:?} before"
    )]
    Value {
        /// The step.
        step: usize,
        /// The event, as text.
        event: String,
        /// The connection.
        conn: String,
        /// Which kind of value.
        kind: ServerValue,
        /// The model's value.
        model: String,
        /// The core's value now.
        real: String,
        /// What it was bound to before (a real value, or the other model value).
        bound: String,
    },
    /// The core broke the driver's contract (a frame for an unknown or closed connection, a
    /// deadline that never passes, an account it cannot load).
    #[error("step {step} ({event}): contract: {what}")]
    Contract {
        /// The step.
        step: usize,
        /// The event, as text.
        event: String,
        /// What went wrong.
        what: String,
    },
}

fn shown(frame: &Option<String>) -> String {
    match frame {
        Some(f) => format!("{f:?}"),
        None => "nothing".to_owned(),
    }
}

fn closes(closed: bool) -> &'static str {
    if closed { "closes it" } else { "keeps it open" }
}
