//! Commands per second through the core with `MemoryStore` (issue 21 wants >= 100,000/s for the
//! whole server). A measurement, not an assertion (timings are never asserted): run with
//! `cargo test --release -p msnp6-server --test core_throughput -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod core_support;

use core_support::{Harness, account};
use msnp6::types::ServerKind;
use msnp6::{Decoder, Direction};
use msnp6_server::core::{Input, Machine};

/// A store that accepts every commit and keeps nothing: the core's own cost.
#[derive(Debug)]
struct NullStore(Vec<msnp6_server::store::Account>);

impl msnp6_server::store::Store for NullStore {
    fn load(
        &mut self,
    ) -> Result<Vec<msnp6_server::store::Account>, msnp6_server::store::StoreError> {
        Ok(std::mem::take(&mut self.0))
    }
    fn commit(
        &mut self,
        _: &[msnp6_server::store::Change],
    ) -> Result<(), msnp6_server::store::StoreError> {
        Ok(())
    }
}

#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn commands_per_second_memory_store() {
    measure(false);
}

#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn commands_per_second_null_store() {
    measure(true);
}

fn measure(null: bool) {
    const USERS: usize = 200;
    const FRIENDS: usize = 20;
    let accounts = (0..USERS)
        .map(|i| account(&format!("u{i}@example.com"), "pw", "name"))
        .collect();
    let mut h = if null {
        let core = msnp6_server::core::Core::new(
            msnp6_server::core::Config::reference(),
            Box::new(NullStore(accounts)),
            Box::new(msnp6_server::core::SeededEntropy::new(1)),
        )
        .unwrap();
        Harness::from_core(core)
    } else {
        Harness::new(accounts)
    };
    let conns: Vec<_> = (0..USERS)
        .map(|i| h.online(&format!("u{i}@example.com"), "pw"))
        .collect();
    for (i, &c) in conns.iter().enumerate() {
        for k in 1..=FRIENDS {
            h.send(c, &format!("ADD {k} FL u{}@example.com f", (i + k) % USERS));
        }
    }
    let lines: Vec<Vec<u8>> = [
        "PNG",
        "CHG 7 BSY",
        "CHG 8 NLN",
        "REA 9 u0@example.com x",
        "ADD 10 AL u1@example.com a",
        "REM 11 AL u1@example.com",
        "URL 12 INBOX",
        "GTC 13 N",
        "GTC 14 A",
    ]
    .iter()
    .map(|l| format!("{l}\r\n").into_bytes())
    .collect();
    let decoder = Decoder::new(Direction::ClientToServer, ServerKind::Notification);
    let mut out = Vec::new();
    let rounds = if null { 20_000 } else { 1_000 };
    let start = std::time::Instant::now();
    let mut n = 0u64;
    for r in 0..rounds {
        let conn = conns[r % USERS];
        for line in &lines {
            let frame = decoder.decode(line).unwrap();
            out.clear();
            h.core.handle(
                0,
                Input::Frame {
                    conn,
                    command: frame.command,
                },
                &mut out,
            );
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} commands in {secs:.3} s: {:.0} commands/s (decode + core, {})",
        n as f64 / secs,
        if null {
            "a store that keeps nothing"
        } else {
            "MemoryStore"
        }
    );
}
