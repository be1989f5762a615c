//! The fuzz input, decoded with `arbitrary`: a seed, the scenario generator's choices (meaningful
//! events for several users: logins, list changes, presence, challenges answered, switchboards,
//! ticks, deliberately invalid frames) and raw operations spliced in at chosen places (any client
//! frame of any form on any connection, arbitrary bytes, connects, disconnects, long ticks).

use arbitrary::Unstructured;
use msnp6::types::ServerKind;

/// The most generator choices one input holds.
pub(crate) const MAX_CHOICES: usize = 150;
/// The most raw operations one input holds.
pub(crate) const MAX_RAWS: usize = 40;
/// The most bytes of one raw frame's description or of raw bytes.
const MAX_BLOB: usize = 96;

/// A raw operation, on the `conn`-th connection opened so far (modulo their number).
#[derive(Debug, Clone)]
pub(crate) enum Raw {
    /// A frame of an arbitrary form valid in `conn`'s context (or, `misplaced`, in the other
    /// direction's), built from `blob` at play time.
    Frame {
        conn: u8,
        misplaced: bool,
        blob: Vec<u8>,
    },
    /// Arbitrary bytes.
    Bytes { conn: u8, bytes: Vec<u8> },
    /// A new connection of the `kind`-th kind.
    Connect { kind: u8 },
    /// The client leaves.
    Disconnect { conn: u8 },
    /// Time passes.
    Tick { seconds: u16 },
}

/// A decoded input.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub(crate) seed: u64,
    pub(crate) choices: Vec<u64>,
    /// Raw operations and the scenario event index they come before.
    pub(crate) raws: Vec<(usize, Raw)>,
}

impl Plan {
    /// Reads a plan; whatever the bytes, within the limits above.
    pub(crate) fn read(u: &mut Unstructured<'_>) -> Plan {
        let mut plan = Plan {
            seed: u.arbitrary().unwrap_or(0),
            ..Plan::default()
        };
        let choices = u.int_in_range(1..=MAX_CHOICES).unwrap_or(1);
        let raws = u.int_in_range(0..=MAX_RAWS).unwrap_or(0);
        for _ in 0..choices {
            plan.choices.push(u.arbitrary().unwrap_or(0));
        }
        for _ in 0..raws {
            if u.is_empty() {
                break;
            }
            let at = usize::from(u.arbitrary::<u16>().unwrap_or(0));
            plan.raws.push((at, raw(u)));
        }
        plan
    }
}

fn blob(u: &mut Unstructured<'_>) -> Vec<u8> {
    let n = u.int_in_range(0..=MAX_BLOB).unwrap_or(0).min(u.len());
    u.bytes(n).map(<[u8]>::to_vec).unwrap_or_default()
}

fn raw(u: &mut Unstructured<'_>) -> Raw {
    let conn = u.arbitrary().unwrap_or(0);
    match u.int_in_range(0u8..=9).unwrap_or(0) {
        0..=4 => Raw::Frame {
            conn,
            misplaced: false,
            blob: blob(u),
        },
        5 => Raw::Frame {
            conn,
            misplaced: true,
            blob: blob(u),
        },
        6 => Raw::Bytes {
            conn,
            bytes: blob(u),
        },
        7 => Raw::Connect {
            kind: u.arbitrary().unwrap_or(0),
        },
        8 => Raw::Disconnect { conn },
        _ => Raw::Tick {
            seconds: u.arbitrary().unwrap_or(0),
        },
    }
}

/// The `k`-th server kind (modulo 3).
pub(crate) fn kind(k: u8) -> ServerKind {
    ServerKind::ALL[usize::from(k) % ServerKind::ALL.len()]
}
