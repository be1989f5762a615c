//! A driver for the core in tests: opens connections, decodes client lines with the codec,
//! feeds them to the core and renders what it sends as text (`"3: CHG 9 NLN"`, `"3: <close>"`).
#![allow(dead_code)]

use msnp6::auth::{Password, Salt, login_digest_string};
use msnp6::types::{FriendlyName, Handle, ServerKind};
use msnp6::{Decoder, Direction};
use msnp6_server::core::{
    Config, ConnId, Core, Entropy, Input, Machine, Millis, Output, SeededEntropy,
};
use msnp6_server::store::{Account, MemoryStore};

/// The core under test with a clock and connection names.
#[derive(Debug)]
pub(crate) struct Harness {
    pub(crate) core: Core,
    pub(crate) now: Millis,
    next: u64,
    kinds: std::collections::HashMap<ConnId, ServerKind>,
}

/// An account `(handle, password, name)`.
pub(crate) fn account(handle: &str, password: &str, name: &str) -> Account {
    Account::new(
        Handle::try_from(handle.to_owned()).expect("handle"),
        password,
        FriendlyName::try_from(name.to_owned()).expect("name"),
    )
}

impl Harness {
    /// A core with the reference configuration, seed 1, over these accounts.
    pub(crate) fn new(accounts: Vec<Account>) -> Self {
        Self::with(Config::reference(), MemoryStore::with_accounts(accounts))
    }

    pub(crate) fn with(config: Config, store: MemoryStore) -> Self {
        Self::with_entropy(config, store, Box::new(SeededEntropy::new(1)))
    }

    pub(crate) fn with_entropy(
        config: Config,
        store: MemoryStore,
        entropy: Box<dyn Entropy>,
    ) -> Self {
        Self::from_core(Core::new(config, Box::new(store), entropy).expect("core"))
    }

    pub(crate) fn from_core(core: Core) -> Self {
        Harness {
            core,
            now: 0,
            next: 1,
            kinds: Default::default(),
        }
    }

    /// Runs one input and renders the outputs.
    pub(crate) fn input(&mut self, input: Input<'_>) -> Vec<String> {
        let mut out = Vec::new();
        self.core.handle(self.now, input, &mut out);
        render(&out)
    }

    pub(crate) fn open(&mut self, kind: ServerKind) -> ConnId {
        let conn = ConnId(self.next);
        self.next += 1;
        self.kinds.insert(conn, kind);
        let out = self.input(Input::Opened { conn, kind });
        assert!(out.is_empty(), "{out:?}");
        conn
    }

    /// Sends one client frame (a line with CR LF added, then the payload if any).
    pub(crate) fn send(&mut self, conn: ConnId, frame: &str) -> Vec<String> {
        let kind = self.kinds[&conn];
        let bytes = if frame.contains("\r\n") {
            frame.to_owned()
        } else {
            format!("{frame}\r\n")
        };
        let decoded = Decoder::new(Direction::ClientToServer, kind)
            .decode(bytes.as_bytes())
            .unwrap_or_else(|e| panic!("{frame:?} does not decode: {e}"));
        self.input(Input::Frame {
            conn,
            command: decoded.command,
        })
    }

    pub(crate) fn tick(&mut self, ms: Millis) -> Vec<String> {
        self.now += ms;
        self.input(Input::Tick)
    }

    /// A full NS login (VER, USR I, USR S) of `handle`; returns the connection.
    pub(crate) fn login(&mut self, handle: &str, password: &str) -> ConnId {
        let ns = self.open(ServerKind::Notification);
        self.send(ns, "VER 1 MSNP6 MSNP5 MSNP4 CVR0");
        let salt_line = self.send(ns, &format!("USR 2 MD5 I {handle}"));
        let salt = salt_line[0].rsplit(' ').next().expect("salt").to_owned();
        let digest = login_digest_string(
            Salt::new(salt.as_bytes()).expect("salt"),
            Password::new(password.as_bytes()),
        );
        let ok = self.send(ns, &format!("USR 3 MD5 S {digest}"));
        assert!(ok[0].contains("USR 3 OK"), "{ok:?}");
        ns
    }

    /// Login, SYN 0 and CHG NLN.
    pub(crate) fn online(&mut self, handle: &str, password: &str) -> ConnId {
        let ns = self.login(handle, password);
        self.send(ns, "SYN 4 0");
        self.send(ns, "CHG 5 NLN");
        ns
    }
}

/// `"conn: line"` per sent frame (payload after a `|`), `"conn: <close>"` per close.
pub(crate) fn render(out: &[Output]) -> Vec<String> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { conn, command } => {
                let bytes = command.to_bytes();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let text = text
                    .strip_suffix("\r\n")
                    .unwrap_or(&text)
                    .replacen("\r\n", "|", 1);
                Some(format!("{}: {}", conn.0, text))
            }
            Output::Close { conn } => Some(format!("{}: <close>", conn.0)),
            _ => None,
        })
        .collect()
}

/// Entropy that hands out given values first, then counts up from 1 (known answers).
#[derive(Debug)]
pub(crate) struct Scripted(pub(crate) std::collections::VecDeque<u64>, pub(crate) u64);

impl Entropy for Scripted {
    fn next_u64(&mut self) -> u64 {
        self.0.pop_front().unwrap_or_else(|| {
            self.1 += 1;
            self.1
        })
    }
}
