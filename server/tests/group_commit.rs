//! Group commit in the shell (docs/server.md, "Shell" and "Store"): the outputs of a batch are
//! sent only after `Machine::end_batch` succeeded; when it fails, nothing of the batch is sent
//! and the server stops (`OUT SSD`, then every connection closes).

mod shell_support;

use msnp6::types::ServerKind;
use msnp6_server::core::{Input, Machine, Millis, Output};
use msnp6_server::shell::ShellLimits;
use msnp6_server::store::StoreError;
use shell_support::{Client, Echo, TestServer, loopback};

/// `Echo`, whose batch commit fails when the batch held a `PNG`.
#[derive(Debug)]
struct FailingCommit {
    echo: Echo,
    png_in_batch: bool,
    batches: usize,
}

impl Machine for FailingCommit {
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>) {
        if matches!(&input, Input::Frame { command, .. } if command.verb() == "PNG") {
            self.png_in_batch = true;
        }
        self.echo.handle(now, input, out);
    }

    fn next_deadline(&self) -> Option<Millis> {
        self.echo.next_deadline()
    }

    fn begin_batch(&mut self) {
        self.png_in_batch = false;
    }

    fn end_batch(&mut self) -> Result<(), StoreError> {
        self.batches += 1;
        if self.png_in_batch {
            return Err(StoreError::Database("disk full (test)".to_owned()));
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_commit_acknowledges_nothing_and_stops_the_server() {
    let server = TestServer::start(loopback(ShellLimits::default()), |_| FailingCommit {
        echo: Echo::new(60_000),
        png_in_batch: false,
        batches: 0,
    });
    let mut c = Client::connect(server.addrs.ns, ServerKind::Notification).await;
    c.say("VER 1 MSNP6").await;
    assert_eq!(c.line().await.as_deref(), Some("VER 1 MSNP6"));
    c.say("PNG").await;
    // No QNG: the batch holding the PNG was not committed. The server stops by itself.
    assert_eq!(c.rest().await, ["OUT SSD"]);
    let stopped = tokio::task::spawn_blocking(move || server.stopped())
        .await
        .expect("stop");
    assert!(
        matches!(&stopped.commit_failure, Some(StoreError::Database(m)) if m == "disk full (test)"),
        "run_until reports the failed commit: {:?}",
        stopped.commit_failure
    );
    let machine = stopped.machine;
    assert!(
        machine.batches >= 3,
        "opened, VER, PNG: {}",
        machine.batches
    );
    assert_eq!(
        machine.echo.seen.last().map(String::as_str),
        Some("shutdown")
    );
}
