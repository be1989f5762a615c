use std::time::{Duration, Instant};
use msnp6_probe::plan::{Limits, Plan};
use msnp6_probe::reference::{Config as ServerConfig, ReferenceServer, demo_accounts};
use msnp6_probe::session::{Target, play};

fn main() {
    let server = ReferenceServer::start(ServerConfig::loopback()).expect("reference starts");
    let addrs = server.addrs();
    let accounts: Vec<(String, String)> = demo_accounts().into_iter().map(|a| (a.handle, a.password)).collect();
    let target = Target { ds: Some(addrs.ds), ns: addrs.ns, accounts, reply_timeout: Duration::from_millis(1500) };
    let limits = Limits { accounts: 3, dispatch: true };
    let idx: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let steps: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(40); let plan = Plan::new(1, idx, steps, limits);
    let t = Instant::now();
    let o = play(&plan.scenario(), &target, Instant::now() + Duration::from_secs(30));
    eprintln!("elapsed {:?} events {} played {} notes {:?}", t.elapsed(), o.events, o.played, o.notes);
    for v in &o.violations { eprintln!("{v}"); }
    print!("{}", String::from_utf8_lossy(&o.record.transcript("debug")));
    server.shutdown();
}
