//! The accounts as the core keeps them in memory: loaded once from the store, changed only by
//! applying the [`Change`]s the store committed (so memory and disk agree), indexed by handle.

use std::collections::{HashMap, VecDeque};

use msnp6::types::{Handle, List, Privacy, Property, Token};

use super::{ConnId, Millis};
use crate::store::{Account, Change, Entry};

/// An account's index in [`Users`].
pub(crate) type UserId = usize;

/// One account and what the core keeps about it while running.
#[derive(Debug)]
pub(crate) struct User {
    /// The stored account.
    pub(crate) account: Account,
    /// Its logged-in NS connection, if any (at most one: a second login closes the first,
    /// reference §14).
    pub(crate) session: Option<ConnId>,
    /// Times of the recent renames, for the REA rate limit (at most `RateLimit::max` kept).
    pub(crate) renames: VecDeque<Millis>,
}

/// Every account, by id and by handle.
#[derive(Debug, Default)]
pub(crate) struct Users {
    users: Vec<User>,
    by_handle: HashMap<Vec<u8>, UserId>,
}

impl Users {
    /// The table of `accounts`, in the store's order.
    pub(crate) fn new(accounts: Vec<Account>) -> Self {
        let mut users = Users::default();
        for account in accounts {
            users.push(account);
        }
        users
    }

    fn push(&mut self, account: Account) {
        let id = self.users.len();
        self.by_handle
            .insert(account.handle.as_bytes().to_vec(), id);
        self.users.push(User {
            account,
            session: None,
            renames: VecDeque::new(),
        });
    }

    /// The account with this handle (compared byte for byte, docs/model.md "Decisions").
    pub(crate) fn id(&self, handle: &[u8]) -> Option<UserId> {
        self.by_handle.get(handle).copied()
    }

    pub(crate) fn get(&self, id: UserId) -> &User {
        &self.users[id]
    }

    pub(crate) fn get_mut(&mut self, id: UserId) -> &mut User {
        &mut self.users[id]
    }

    /// How many accounts there are.
    pub(crate) fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether `handle` is on `list` of `owner`.
    pub(crate) fn on_list(&self, owner: UserId, list: List, handle: &[u8]) -> bool {
        self.users[owner]
            .account
            .list(list)
            .iter()
            .any(|e| e.handle.as_bytes() == handle)
    }

    /// visible(U→W) (reference §14 Presence): W is not U, W is not on U's BL, and W is on U's
    /// AL or U's BLP is AL.
    pub(crate) fn visible(&self, u: UserId, w: UserId) -> bool {
        if u == w {
            return false;
        }
        let wh = self.users[w].account.handle.as_bytes();
        !self.on_list(u, List::Block, wh)
            && (self.users[u].account.privacy == Privacy::AllowAll
                || self.on_list(u, List::Allow, wh))
    }

    /// A stored property's value (`None` when unset).
    pub(crate) fn property(&self, id: UserId, property: Property) -> Option<&Token<'static>> {
        self.users[id]
            .account
            .properties
            .iter()
            .find(|(p, _)| *p == property)
            .map(|(_, v)| v)
    }

    /// Applies one committed change (the same meaning as `MemoryStore`'s). Changes naming an
    /// unknown account are ignored: the core only builds changes for accounts it has.
    pub(crate) fn apply(&mut self, change: &Change) {
        match change {
            Change::AccountAdded(account) => {
                if self.id(account.handle.as_bytes()).is_none() {
                    self.push(account.clone());
                }
            }
            // The core never removes accounts while running (`msnp6 account remove` works on
            // the database of a stopped server); nothing to do in memory.
            Change::AccountRemoved(_) => {}
            Change::EntryAdded { owner, list, entry } => {
                if let Some(a) = self.account_mut(owner) {
                    let l = &mut a.lists[Account::list_index(*list)];
                    l.retain(|e| e.handle != entry.handle);
                    l.push(entry.clone());
                }
            }
            Change::EntryRemoved {
                owner,
                list,
                handle,
            } => {
                if let Some(a) = self.account_mut(owner) {
                    a.lists[Account::list_index(*list)].retain(|e| e.handle != *handle);
                }
            }
            Change::EntryRenamed {
                owner,
                handle,
                name,
            } => {
                if let Some(a) = self.account_mut(owner) {
                    rename_entries(a, handle, name);
                }
            }
            Change::Renamed { owner, name } => {
                if let Some(a) = self.account_mut(owner) {
                    a.name = name.clone();
                }
            }
            Change::Privacy { owner, value } => {
                if let Some(a) = self.account_mut(owner) {
                    a.privacy = *value;
                }
            }
            Change::Gtc { owner, value } => {
                if let Some(a) = self.account_mut(owner) {
                    a.gtc = *value;
                }
            }
            Change::Property {
                owner,
                property,
                value,
            } => {
                if let Some(a) = self.account_mut(owner) {
                    set_property(a, *property, value.clone());
                }
            }
            Change::ListVersion { owner, version } => {
                if let Some(a) = self.account_mut(owner) {
                    a.list_version = *version;
                }
            }
        }
    }

    fn account_mut(&mut self, owner: &Handle<'_>) -> Option<&mut Account> {
        let id = self.id(owner.as_bytes())?;
        Some(&mut self.users[id].account)
    }
}

fn rename_entries(
    a: &mut Account,
    handle: &Handle<'_>,
    name: &msnp6::types::FriendlyName<'static>,
) {
    for list in &mut a.lists {
        for e in list.iter_mut().filter(|e: &&mut Entry| e.handle == *handle) {
            e.name = name.clone();
        }
    }
}

fn set_property(a: &mut Account, property: Property, value: Option<Token<'static>>) {
    match (a.properties.iter_mut().find(|(p, _)| *p == property), value) {
        (Some(slot), Some(v)) => slot.1 = v,
        (Some(_), None) => a.properties.retain(|(p, _)| *p != property),
        (None, Some(v)) => a.properties.push((property, v)),
        (None, None) => {}
    }
}
