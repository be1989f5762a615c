//! [`ModelMachine`]: the reference model behind the [`Driven`] trait, a test double for the
//! lockstep harness itself: started at another seed, it chooses other salts, cookies, session ids
//! and challenges than the lockstep's model, so a run against it exercises the learning and the
//! binding of server-chosen values, and must never diverge.

use std::collections::BTreeMap;

use msnp6::commands::Command;
use msnp6_oracle::model::{AccountSpec, ConnName, Event, Step, World};

use super::Driven;
use crate::core::{ConnId, Input, Millis, Output};

/// The model as a [`Driven`] machine. A line the framer refuses closes the connection (reference §14).
#[derive(Debug)]
pub struct ModelMachine {
    world: World,
    names: BTreeMap<ConnId, ConnName>,
    ids: BTreeMap<ConnName, ConnId>,
}

impl ModelMachine {
    /// The model at `seed` with `accounts`.
    pub fn new(seed: u64, accounts: &[AccountSpec]) -> Self {
        let mut world = World::new(seed);
        for a in accounts {
            world.add_account(a);
        }
        ModelMachine {
            world,
            names: BTreeMap::new(),
            ids: BTreeMap::new(),
        }
    }

    fn emit(&self, step: Step, out: &mut Vec<Output>) {
        for d in step.deliveries {
            let Some(&conn) = self.ids.get(&d.conn) else {
                continue;
            };
            let dialect = match &d.command {
                Command::Ver(v) => v.known_dialects().next(),
                _ => None,
            };
            out.push(Output::Send {
                conn,
                command: d.command,
            });
            if let Some(dialect) = dialect {
                out.push(Output::Dialect { conn, dialect });
            }
        }
        for c in step.closed.iter().filter(|c| c.rule != "CLIENT") {
            if let Some(&conn) = self.ids.get(&c.conn) {
                out.push(Output::Close { conn });
            }
        }
    }
}

impl Driven for ModelMachine {
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>) {
        let seconds = (now / 1000).saturating_sub(self.world.now());
        if seconds > 0 {
            let step = self.world.apply(&Event::Tick { seconds });
            self.emit(step, out);
        }
        let name = |c: &ConnId| self.names.get(c).cloned().unwrap_or_default();
        let event = match input {
            Input::Opened { conn, kind } => {
                let n = format!("c{}", conn.0);
                self.names.insert(conn, n.clone());
                self.ids.insert(n.clone(), conn);
                Event::Connect { conn: n, kind }
            }
            Input::Frame { conn, command } => Event::Send {
                conn: name(&conn),
                frame: command.into_owned(),
            },
            Input::Undecodable { conn, .. } => {
                let step = self.world.apply(&Event::Disconnect { conn: name(&conn) });
                self.emit(step, out);
                out.push(Output::Close { conn });
                return;
            }
            Input::Closed { conn } => Event::Disconnect { conn: name(&conn) },
            Input::Shutdown => Event::Shutdown,
            _ => return,
        };
        let step = self.world.apply(&event);
        self.emit(step, out);
    }

    fn next_deadline(&self) -> Option<Millis> {
        None
    }

    fn challenge(&mut self, _now: Millis, conn: ConnId, out: &mut Vec<Output>) {
        let Some(name) = self.names.get(&conn).cloned() else {
            return;
        };
        let step = self.world.apply(&Event::ServerChallenge { conn: name });
        self.emit(step, out);
    }
}
