//! Issue 20, Proof 3 (durability): clients change their lists (ADD, REM, REA, BLP) while
//! `msnp6 serve` is killed with SIGKILL at random moments; after each restart every change a
//! client saw acknowledged is there, nothing is half-applied (a user's lists, name, BLP and list
//! version move together, and an FL change moves with the contact's RL and list version), and
//! each list version counts the changes made to its account.
//!
//! A change sent but not acknowledged when the server died is "in doubt": after the restart it
//! must be either wholly there or wholly absent. Bounded: [`ROUNDS`] kills, each after at most
//! [`MAX_KILL_DELAY_MS`]; every socket read times out after [`READ_TIMEOUT`]. Loopback only.
//! The seed is printed; `MSNP6_DURABILITY_SEED=n` replays one.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use msnp6::auth::{
    Challenge, Password, PrivateKey, Salt, login_digest_string, qry_response_string,
};
use msnp6::types::{Direction, ServerKind};
use msnp6::{Decoder, Framer};

const ROUNDS: usize = 6;
const MAX_KILL_DELAY_MS: u64 = 300;
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The users who change their lists, each on its own connection.
const USERS: [&str; 3] = ["u0@example.com", "u1@example.com", "u2@example.com"];
/// The accounts they add, remove and rename (never logged in during a round).
const CONTACTS: [&str; 4] = [
    "c0@example.com",
    "c1@example.com",
    "c2@example.com",
    "c3@example.com",
];
const LISTS: [&str; 3] = ["FL", "AL", "BL"];

fn password(handle: &str) -> String {
    format!("pw-{handle}")
}

// ---------------------------------------------------------------------------------------------
// A seeded generator (no crate): xorshift64*.

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
    fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// What each user's account must hold.

/// One list-changing request.
#[derive(Debug, Clone)]
enum Op {
    Add {
        list: usize,
        contact: String,
        name: String,
    },
    Rem {
        list: usize,
        contact: String,
    },
    ReaSelf {
        name: String,
    },
    ReaContact {
        contact: String,
        name: String,
    },
    Blp {
        value: String,
    },
}

impl Op {
    /// The request of user `me` without its TrID: (verb, parameters).
    fn request(&self, me: &str) -> (&'static str, String) {
        match self {
            Op::Add {
                list,
                contact,
                name,
            } => ("ADD", format!("{} {contact} {name}", LISTS[*list])),
            Op::Rem { list, contact } => ("REM", format!("{} {contact}", LISTS[*list])),
            Op::ReaSelf { name } => ("REA", format!("{me} {name}")),
            Op::ReaContact { contact, name } => ("REA", format!("{contact} {name}")),
            Op::Blp { value } => ("BLP", value.clone()),
        }
    }

    /// The contact whose RL (and list version) this changes: an FL add or remove.
    fn reverse_of(&self) -> Option<&str> {
        match self {
            Op::Add {
                list: 0, contact, ..
            }
            | Op::Rem { list: 0, contact } => Some(contact),
            _ => None,
        }
    }
}

/// A user's account as the server must report it after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserState {
    name: String,
    version: u32,
    blp: String,
    /// FL, AL, BL: (handle, stored name), in list order.
    lists: [Vec<(String, String)>; 3],
}

impl UserState {
    fn new(handle: &str) -> Self {
        UserState {
            name: handle.to_owned(),
            version: 0,
            blp: "AL".into(),
            lists: Default::default(),
        }
    }

    /// The state after `op` was acknowledged.
    fn after(&self, op: &Op) -> Self {
        let mut s = self.clone();
        s.version += 1;
        match op {
            Op::Add {
                list,
                contact,
                name,
            } => s.lists[*list].push((contact.clone(), name.clone())),
            Op::Rem { list, contact } => s.lists[*list].retain(|(h, _)| h != contact),
            Op::ReaSelf { name } => s.name = name.clone(),
            Op::ReaContact { contact, name } => {
                for (h, n) in s.lists.iter_mut().flatten() {
                    if h == contact {
                        *n = name.clone();
                    }
                }
            }
            Op::Blp { value } => s.blp = value.clone(),
        }
        s
    }

    /// A request to try next: mostly ones that should succeed, some that should be refused.
    fn next_op(&self, rng: &mut Rng, serial: u64) -> Op {
        let contact = rng.pick(&CONTACTS).to_owned();
        let name = format!("n{serial}");
        let list = rng.below(3) as usize;
        let on = self.lists[list].iter().any(|(h, _)| *h == contact);
        match rng.below(10) {
            0..=4 if !on || rng.below(4) == 0 => Op::Add {
                list,
                contact,
                name,
            },
            0..=5 => Op::Rem { list, contact },
            6 => Op::ReaSelf { name },
            7 | 8 => Op::ReaContact { contact, name },
            _ => Op::Blp {
                value: if self.blp == "AL" {
                    "BL".into()
                } else {
                    "AL".into()
                },
            },
        }
    }
}

/// Every account's expected state, shared by the round's client threads.
#[derive(Debug)]
struct Model {
    users: Vec<UserState>,
    /// Each user's request sent but not answered when its connection died.
    in_doubt: Vec<Option<Op>>,
    /// Each contact's list version: one per FL change naming it.
    contact_versions: Vec<u32>,
    /// In-doubt changes found after a restart: (absent, applied).
    doubts: (usize, usize),
}

// ---------------------------------------------------------------------------------------------
// A client connection: lines out, frames in (the codec's framer), CHL answered.

struct Conn {
    stream: TcpStream,
    framer: Framer,
    trid: u32,
}

impl Conn {
    fn connect(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        let decoder = Decoder::new(Direction::ServerToClient, ServerKind::Notification);
        Ok(Conn {
            stream,
            framer: Framer::new(decoder),
            trid: 0,
        })
    }

    /// The next frame's line as words, after answering any CHL with its QRY.
    fn next(&mut self) -> std::io::Result<Vec<String>> {
        loop {
            let frame = self.framer.next_frame();
            let frame =
                frame.unwrap_or_else(|e| panic!("the server sent an undecodable frame: {e}"));
            if let Some(frame) = frame {
                let mut line = Vec::new();
                frame.command.encode_line(&mut line);
                let words: Vec<String> = String::from_utf8_lossy(&line)
                    .split(' ')
                    .map(str::to_owned)
                    .collect();
                if words[0] == "CHL" {
                    self.answer_challenge(&words[2])?;
                    continue;
                }
                return Ok(words);
            }
            let mut buf = [0u8; 4096];
            let n = self.stream.read(&mut buf)?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.framer.push(&buf[..n]);
        }
    }

    fn answer_challenge(&mut self, challenge: &str) -> std::io::Result<()> {
        let challenge = Challenge::new(challenge.as_bytes()).expect("a challenge");
        let response = qry_response_string(challenge, PrivateKey::MSMSGS);
        self.trid += 1;
        let qry = format!("QRY {} msmsgs@msnmsgr.com 32\r\n{response}", self.trid);
        self.stream.write_all(qry.as_bytes())
    }

    /// Sends `verb TrID params`; returns the first reply with that TrID (its own verb or an
    /// error number), skipping asynchronous frames.
    fn request(&mut self, verb: &str, params: &str) -> std::io::Result<Vec<String>> {
        self.trid += 1;
        let trid = self.trid.to_string();
        let line = if params.is_empty() {
            format!("{verb} {trid}\r\n")
        } else {
            format!("{verb} {trid} {params}\r\n")
        };
        self.stream.write_all(line.as_bytes())?;
        loop {
            let words = self.next()?;
            let is_error = words[0].bytes().all(|b| b.is_ascii_digit());
            if words.get(1) == Some(&trid) && (words[0] == verb || is_error) {
                return Ok(words);
            }
        }
    }

    /// VER, INF, USR MD5 I, USR MD5 S digest (reference §8): the display name of `USR … OK`.
    fn login(addr: SocketAddr, handle: &str) -> std::io::Result<(Conn, String)> {
        let mut conn = Conn::connect(addr)?;
        conn.request("VER", "MSNP6 CVR0")?;
        conn.request("INF", "")?;
        let salt = conn.request("USR", &format!("MD5 I {handle}"))?;
        assert_eq!(salt[2..4], ["MD5", "S"], "{salt:?}");
        let pw = password(handle);
        let salt = Salt::new(salt[4].as_bytes()).expect("a salt");
        let digest = login_digest_string(salt, Password::new(pw.as_bytes()));
        let ok = conn.request("USR", &format!("MD5 S {digest}"))?;
        assert_eq!(ok[2..4], ["OK".to_owned(), handle.to_owned()], "{ok:?}");
        Ok((conn, ok[4].clone()))
    }

    /// `SYN TrID 0` (reference §3.2): (list version, BLP, FL, AL, BL, RL).
    fn syn(&mut self) -> std::io::Result<Synced> {
        let first = self.request("SYN", "0")?;
        assert_eq!(first[0], "SYN", "{first:?}");
        let trid = first[1].clone();
        let mut synced = Synced {
            version: first[2].parse().expect("a list version"),
            blp: "AL".into(),
            lists: Default::default(),
        };
        while synced.version != 0 {
            let words = self.next()?;
            if words.get(1) != Some(&trid) {
                continue; // BPR (no TrID), asynchronous frames
            }
            match words[0].as_str() {
                "BLP" => synced.blp = words[3].clone(),
                "LST" => {
                    let i = ["FL", "AL", "BL", "RL"]
                        .iter()
                        .position(|l| *l == words[2])
                        .expect("a list");
                    if words[4] != "0" {
                        synced.lists[i].push((words[6].clone(), words[7].clone()));
                    }
                    if i == 3 && words[4] == words[5] {
                        break;
                    }
                }
                _ => {}
            }
        }
        Ok(synced)
    }
}

/// What SYN reported.
#[derive(Debug)]
struct Synced {
    version: u32,
    blp: String,
    lists: [Vec<(String, String)>; 4],
}

// ---------------------------------------------------------------------------------------------
// The server process.

fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("durability");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn msnp6() -> Command {
    Command::new(env!("CARGO_BIN_EXE_msnp6"))
}

fn add_account(db: &Path, handle: &str) {
    let mut child = msnp6()
        .args(["account", "add", handle, "--password-stdin", "--db"])
        .arg(db)
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn account add");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(format!("{}\n", password(handle)).as_bytes())
        .expect("password");
    drop(stdin);
    assert!(
        child.wait().expect("wait").success(),
        "account add {handle}"
    );
}

/// A running `msnp6 serve`, killed with SIGKILL when dropped (never an orphan).
struct Server {
    child: Child,
    ns: SocketAddr,
    /// Kept open: a server writing to a closed stdout would die of it.
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Server {
    /// Starts `msnp6 serve` on ephemeral loopback ports; reads the three addresses it prints.
    fn start(dir: &Path, round: usize) -> Server {
        let log = std::fs::File::create(dir.join(format!("serve-{round}.log"))).expect("log");
        let mut child = msnp6()
            .args(["serve", "--db", "msnp6.sqlite"])
            .args([
                "--ds",
                "127.0.0.1:0",
                "--ns",
                "127.0.0.1:0",
                "--sb",
                "127.0.0.1:0",
            ])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut ns = None;
        for _ in 0..3 {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(addr) = line.strip_prefix("listening ns ") {
                        ns = Some(addr.trim().parse().expect("the NS address"));
                    }
                }
                _ => break,
            }
        }
        let Some(ns) = ns else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("msnp6 serve printed no NS address (see {})", dir.display());
        };
        Server {
            child,
            ns,
            _stdout: lines,
        }
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// A round: clients change lists until the server is killed.

/// One user's requests until its connection dies; acknowledgements update the model.
fn work(ns: SocketAddr, user: usize, model: Arc<Mutex<Model>>, seed: u64) {
    let Ok((mut conn, _)) = Conn::login(ns, USERS[user]) else {
        return;
    };
    let mut rng = Rng(seed | 1);
    for serial in 0.. {
        let op = {
            let mut m = model.lock().expect("model");
            let op = m.users[user].next_op(&mut rng, seed % 100_000 * 1000 + serial);
            m.in_doubt[user] = Some(op.clone());
            op
        };
        let (verb, params) = op.request(USERS[user]);
        let Ok(reply) = conn.request(verb, &params) else {
            return;
        };
        let mut m = model.lock().expect("model");
        m.in_doubt[user] = None;
        if reply[0] != verb {
            continue; // an error reply: nothing changed
        }
        let version_at = if verb == "ADD" || verb == "REM" { 3 } else { 2 };
        let version: u32 = reply[version_at].parse().expect("a list version");
        let expected = m.users[user].after(&op);
        assert_eq!(
            version, expected.version,
            "{verb} {params}: the version counts the changes"
        );
        m.users[user] = expected;
        if let Some(contact) = op.reverse_of() {
            let c = CONTACTS
                .iter()
                .position(|h| *h == contact)
                .expect("a contact");
            m.contact_versions[c] += 1;
        }
    }
}

/// After a restart: each user's state is the acknowledged one, or that plus its in-doubt change
/// (then the model takes it); each contact's RL and version match the users' FLs.
fn verify(ns: SocketAddr, model: &mut Model) {
    for (u, handle) in USERS.iter().enumerate() {
        let (mut conn, name) = Conn::login(ns, handle).expect("login after restart");
        let synced = conn.syn().expect("SYN after restart");
        let [fl, al, bl, _] = synced.lists;
        let seen = UserState {
            name,
            version: synced.version,
            blp: synced.blp,
            lists: [fl, al, bl],
        };
        let acked = model.users[u].clone();
        let doubt = model.in_doubt[u].take();
        let applied = doubt.as_ref().map(|op| acked.after(op));
        if seen == acked {
            model.doubts.0 += usize::from(doubt.is_some());
            continue;
        }
        assert_eq!(
            Some(&seen),
            applied.as_ref(),
            "{handle}: acknowledged {acked:?}, in doubt {doubt:?}"
        );
        model.users[u] = seen;
        model.doubts.1 += 1;
        if let Some(contact) = doubt.as_ref().and_then(Op::reverse_of) {
            let c = CONTACTS
                .iter()
                .position(|h| *h == contact)
                .expect("a contact");
            model.contact_versions[c] += 1;
        }
    }
    for (c, handle) in CONTACTS.iter().enumerate() {
        let (mut conn, _) = Conn::login(ns, handle).expect("contact login");
        let synced = conn.syn().expect("contact SYN");
        let rl: BTreeSet<&str> = synced.lists[3].iter().map(|(h, _)| h.as_str()).collect();
        let on_fl: BTreeSet<&str> = USERS
            .iter()
            .zip(&model.users)
            .filter(|(_, s)| s.lists[0].iter().any(|(h, _)| h == handle))
            .map(|(u, _)| *u)
            .collect();
        assert_eq!(rl, on_fl, "{handle}'s RL is the users whose FL holds it");
        assert_eq!(
            synced.version, model.contact_versions[c],
            "{handle}: one version per RL change"
        );
    }
}

#[test]
fn acknowledged_changes_survive_sigkill() {
    let seed = std::env::var("MSNP6_DURABILITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            t.map(|d| d.as_nanos() as u64).unwrap_or(1)
        });
    println!("MSNP6_DURABILITY_SEED={seed}");
    let dir = scratch();
    let db = dir.join("msnp6.sqlite");
    for handle in USERS.iter().chain(&CONTACTS) {
        add_account(&db, handle);
    }
    let mut model = Model {
        users: USERS.iter().map(|h| UserState::new(h)).collect(),
        in_doubt: vec![None; USERS.len()],
        contact_versions: vec![0; CONTACTS.len()],
        doubts: (0, 0),
    };
    let mut rng = Rng(seed | 1);
    let mut acked = 0;
    for round in 0..ROUNDS {
        let server = Server::start(&dir, round);
        let shared = Arc::new(Mutex::new(model));
        let workers: Vec<_> = (0..USERS.len())
            .map(|u| {
                let (shared, ns, s) = (Arc::clone(&shared), server.ns, rng.below(u64::MAX));
                std::thread::spawn(move || work(ns, u, shared, s))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(20 + rng.below(MAX_KILL_DELAY_MS)));
        server.kill();
        for w in workers {
            w.join().expect("a client thread panicked");
        }
        model = Arc::try_unwrap(shared)
            .expect("threads done")
            .into_inner()
            .expect("model");
        let server = Server::start(&dir, round + 100);
        verify(server.ns, &mut model);
        server.kill();
        acked = model.users.iter().map(|s| s.version).sum::<u32>();
    }
    let (absent, applied) = model.doubts;
    println!(
        "{acked} changes across {ROUNDS} SIGKILLs; in doubt at a kill: {absent} absent, \
         {applied} applied"
    );
    assert!(
        acked > 0,
        "no change was acknowledged: the test proved nothing"
    );
}
