//! `load`: the load generator of issue 21 §2 (README, Performance, "Server").
//!
//! ```sh
//! cargo run --release -p msnp6-benches --bin load -- --target production --target reference \
//!     --clients 1000 --seconds 10
//! ```
//!
//! Each `--target` is `production` (msnp6-server with a SQLite store), `production-nostore` (the
//! same with its commits discarded: the server without a store), `reference` (the reference server of msnp6-probe), each started as a
//! child process on 127.0.0.1 and stopped after its run, or `ADDR` (a DS already listening on
//! loopback, serving accounts `load0@example.com`… with passwords `pw0`…; `--pid` for its RSS and
//! CPU). After the targets, the codec alone decodes what the first target's users sent.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use msnp6_benches::load::{self, Config, Endpoint, baseline, report, target};

#[derive(Debug, Parser)]
#[command(
    name = "load",
    about = "Command throughput of MSNP6 servers over loopback (issue 21 §2)"
)]
struct Args {
    #[command(subcommand)]
    child: Option<Child>,
    /// production | production-nostore | reference | DS ADDR (127.0.0.1:PORT); repeatable.
    #[arg(long = "target", default_values = ["production", "reference"])]
    targets: Vec<String>,
    /// Users, one NS connection each (mind `ulimit -n`: about 3 descriptors per user).
    #[arg(long, default_value_t = 100)]
    clients: usize,
    /// Length of the measured window, seconds.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Contacts on each user's FL and AL.
    #[arg(long, default_value_t = 20)]
    contacts: usize,
    /// Pause between a reply and the next request, milliseconds (0: closed loop).
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// Seed of the users' choices.
    #[arg(long, default_value_t = 0x6c6f_6164)]
    seed: u64,
    /// The process of an ADDR target (for RSS and CPU time).
    #[arg(long)]
    pid: Option<u32>,
    /// Users recording what they send, for the codec baseline.
    #[arg(long, default_value_t = 200)]
    record_clients: usize,
}

#[derive(Debug, Subcommand)]
enum Child {
    /// (internal) serve a target as the child process of a run.
    #[command(hide = true)]
    ServeChild {
        kind: String,
        #[arg(long)]
        users: usize,
        #[arg(long)]
        contacts: usize,
        #[arg(long)]
        max_seconds: u64,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Child::ServeChild {
        kind,
        users,
        contacts,
        max_seconds,
    }) = &args.child
    {
        let Some(kind) = target::Kind::parse(kind) else {
            eprintln!("unknown target kind {kind}");
            return ExitCode::from(2);
        };
        return target::serve_child(kind, *users, *contacts, *max_seconds);
    }
    if args.clients < 2 || !(args.seconds > 0.0 && args.seconds <= 3600.0) {
        eprintln!("--clients must be 2 or more, --seconds in (0, 3600]");
        return ExitCode::from(2);
    }
    let config = Config {
        clients: args.clients,
        seconds: args.seconds,
        contacts: args.contacts,
        think: Duration::from_millis(args.think_ms),
        seed: args.seed,
        record_clients: args.record_clients,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let recording = load::recorder();
    let mut outcomes = Vec::new();
    // a child stops by itself after this long, even if this process is killed
    let max_seconds = 120 + args.seconds as u64 + args.clients as u64 / 10;
    for (i, name) in args.targets.iter().enumerate() {
        let child;
        let endpoint = if let Some(kind) = target::Kind::parse(name) {
            match target::spawn(kind, args.clients, args.contacts, max_seconds) {
                Ok(c) => {
                    child = c;
                    child.endpoint.clone()
                }
                Err(e) => {
                    eprintln!("{name}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            match name.parse::<SocketAddr>() {
                Ok(ds) if ds.ip().is_loopback() => Endpoint {
                    name: name.clone(),
                    ds,
                    pid: args.pid,
                    preseeded: false,
                },
                _ => {
                    eprintln!("--target {name}: not a target kind nor a loopback address");
                    return ExitCode::from(2);
                }
            }
        };
        eprintln!(
            "{}: {} clients, {} s window ...",
            endpoint.name, args.clients, args.seconds
        );
        let rec = (i == 0).then(|| recording.clone());
        outcomes.push(runtime.block_on(load::run(&config, &endpoint, rec)));
    }
    runtime.shutdown_timeout(Duration::from_secs(2));
    let codec = recording
        .lock()
        .ok()
        .filter(|r| !r.streams.is_empty())
        .map(|r| baseline::measure(&r, Duration::from_millis(500)));
    println!("{}", report::table(&outcomes, codec.as_ref()));
    print!("{}", report::notes(&outcomes, codec.as_ref()));
    ExitCode::SUCCESS
}
