//! The load generator against the production server started in this process (`Core` + shell,
//! commits discarded): every user logs in (reference §8 with the MD5 digest), the mix runs, the
//! replies are matched by TrID, nothing fails. Bounded: 12 users, a 1 s window, all on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use msnp6_benches::load::target::{DiscardStore, accounts};
use msnp6_benches::load::{self, Config, Endpoint};
use msnp6_server::core::{Config as CoreConfig, Core, SeededEntropy};
use msnp6_server::shell::{Server, ShellConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_log_in_and_play_the_mix() {
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = Server::bind(ShellConfig {
        ds: any,
        ns: any,
        sb: any,
        limits: Default::default(),
    })
    .await
    .expect("bind");
    let a = server.local_addrs();
    let users = 12;
    let config = CoreConfig {
        ns_addr: a.ns.to_string(),
        sb_addr: a.sb.to_string(),
        ..CoreConfig::default()
    };
    let store = DiscardStore::new(accounts(users, 4).expect("accounts"));
    let core = Core::new(config, Box::new(store), Box::new(SeededEntropy::new(3))).expect("core");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(core, async move {
        let _ = stopped.await;
    }));

    let run = Config {
        clients: users,
        seconds: 1.0,
        contacts: 4,
        think: Duration::ZERO,
        seed: 9,
        record_clients: 4,
    };
    let endpoint = Endpoint {
        name: "in-process".into(),
        ds: a.ds,
        pid: None,
        preseeded: true,
    };
    let recording = load::recorder();
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        load::run(&run, &endpoint, Some(recording.clone())),
    )
    .await
    .expect("the run ends by itself");
    let _ = stop.send(());
    let stopped = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("the server stops within its grace period")
        .expect("the server task");
    assert!(
        stopped.commit_failure.is_none(),
        "{:?}",
        stopped.commit_failure
    );

    let s = &outcome.stats;
    assert_eq!(outcome.logged_in, users, "failures: {:?}", s.failure_notes);
    assert_eq!(s.failures, 0, "{:?}", s.failure_notes);
    assert!(s.answered > 100, "requests answered: {}", s.answered);
    assert_eq!(s.latency.count(), s.answered);
    assert!(
        s.relogins + s.sessions + s.challenges > 0,
        "the whole mix ran"
    );
    // the only refusal the mix provokes: a call to a user who is logging in again (217)
    assert!(
        s.error_codes.keys().all(|&c| c == 217),
        "{:?}",
        s.error_codes
    );
    assert!(s.frames_in > s.answered, "fan-out arrives too");
    // what the recording users sent decodes as it was sent: no refused line
    let rec = recording.lock().expect("recording");
    let codec = load::baseline::measure(&rec, Duration::ZERO);
    assert!(codec.commands > 0);
    assert_eq!(codec.refused, 0);
}
