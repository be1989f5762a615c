//! The values the reference server chooses: the model's own (splitmix64 from the seed), except the
//! NS and SB addresses, which are the real listening addresses.

use msnp6_oracle::model::rng::{Seeded, ServerValue, ValueSource};

/// A [`Seeded`] source whose `NsAddress` and `SbAddress` draws are replaced by the real addresses.
///
/// The seeded draw still happens (and is thrown away), so every other value — salts, challenges,
/// cookies, session ids, tickets — is exactly the one `World::new(seed)` draws: a scenario
/// generated with `Scenario::generate(seed, …)` plays against the server with the same seed
/// without learning any value (reference §14 "Salt, SB cookie: opaque tokens").
#[derive(Debug, Clone)]
pub(crate) struct Addressed {
    inner: Seeded,
    ns: String,
    sb: String,
}

impl Addressed {
    /// The source of seed `seed`, handing out `ns` and `sb` (`host:port`) as the addresses.
    pub(crate) fn new(seed: u64, ns: String, sb: String) -> Self {
        Addressed {
            inner: Seeded::new(seed),
            ns,
            sb,
        }
    }
}

impl ValueSource for Addressed {
    fn next(&mut self, kind: ServerValue) -> String {
        let drawn = self.inner.next(kind);
        match kind {
            ServerValue::NsAddress => self.ns.clone(),
            ServerValue::SbAddress => self.sb.clone(),
            _ => drawn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_values_as_the_seeded_source_but_the_addresses() {
        let mut plain = Seeded::new(9);
        let mut ours = Addressed::new(9, "127.0.0.1:1".into(), "127.0.0.1:2".into());
        assert_ne!(plain.next(ServerValue::NsAddress), "127.0.0.1:1");
        assert_eq!(ours.next(ServerValue::NsAddress), "127.0.0.1:1");
        assert_eq!(ours.next(ServerValue::SbAddress), "127.0.0.1:2");
        plain.next(ServerValue::SbAddress);
        for kind in [
            ServerValue::Salt,
            ServerValue::Cookie,
            ServerValue::SessionId,
        ] {
            assert_eq!(ours.next(kind), plain.next(kind));
        }
    }
}
