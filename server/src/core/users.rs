//! The accounts as the core keeps them in memory: loaded once from the store, changed only by
//! applying the [`Change`]s the store committed (so memory and disk agree), indexed by handle.

use crate::core::fasthash::FastMap;
use std::collections::VecDeque;

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
    by_handle: FastMap<Vec<u8>, UserId>,
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
            Change::Standing { owner, value } => {
                if let Some(a) = self.account_mut(owner) {
                    a.standing = *value;
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

#[cfg(test)]
mod tests {
    use msnp6::types::{FriendlyName, GtcMode, Handle, List, Privacy, Property, Token};

    use super::Users;
    use crate::store::{Account, Change, Entry, MemoryStore, Standing, Store};

    fn handle(i: u64) -> Handle<'static> {
        Handle::try_from(format!("u{i}@example.com")).expect("handle")
    }

    fn accounts() -> Vec<Account> {
        (0..4)
            .map(|i| Account::new(handle(i), "pw", FriendlyName::from_static(b"n")))
            .collect()
    }

    /// A change drawn from `r` over four accounts.
    fn change(r: u64) -> Change {
        let (owner, other) = (handle(r % 4), handle((r >> 8) % 4));
        let list =
            [List::Forward, List::Allow, List::Block, List::Reverse][((r >> 16) % 4) as usize];
        let name = FriendlyName::try_from(format!("n{}", (r >> 24) % 3)).expect("name");
        match (r >> 32) % 9 {
            0 | 1 => Change::EntryAdded {
                owner,
                list,
                entry: Entry {
                    handle: other,
                    name,
                },
            },
            2 => Change::EntryRemoved {
                owner,
                list,
                handle: other,
            },
            3 => Change::EntryRenamed {
                owner,
                handle: other,
                name,
            },
            4 => Change::Renamed { owner, name },
            5 => Change::Privacy {
                owner,
                value: if r & 1 == 0 {
                    Privacy::AllowAll
                } else {
                    Privacy::BlockAll
                },
            },
            6 => Change::Gtc {
                owner,
                value: if r & 1 == 0 {
                    GtcMode::Ask
                } else {
                    GtcMode::DontAsk
                },
            },
            8 => Change::Standing {
                owner,
                value: Standing::ALL[((r >> 40) % 4) as usize],
            },
            _ => Change::Property {
                owner,
                property: [Property::HomePhone, Property::MobileContact][(r & 1) as usize],
                value: ((r >> 40) % 3 != 0).then(|| Token::from_static(b"Y")),
            },
        }
    }

    #[test]
    fn memory_applies_changes_as_the_store_commits_them() {
        // What the core keeps in memory equals what a restarted core would load.
        let mut users = Users::new(accounts());
        let mut store = MemoryStore::with_accounts(accounts());
        let mut state = 7u64;
        for _ in 0..2_000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let c = change(state);
            store.commit(std::slice::from_ref(&c)).expect("commit");
            users.apply(&c);
        }
        for (i, stored) in store.accounts().iter().enumerate() {
            let mut mine = users.get(i).account.clone();
            let mut theirs = stored.clone();
            // Property order is not meaningful (SYN sends a fixed order).
            mine.properties.sort_by_key(|(p, _)| p.to_string());
            theirs.properties.sort_by_key(|(p, _)| p.to_string());
            assert_eq!(mine, theirs);
        }
    }

    #[test]
    fn visibility_follows_the_reference_rule() {
        // Reference §14: visible(U→W) iff W is not U, not on U's BL, and on U's AL or BLP AL.
        let mut users = Users::new(accounts());
        let entry = |i| Entry {
            handle: handle(i),
            name: FriendlyName::from_static(b"n"),
        };
        assert!(users.visible(0, 1));
        assert!(!users.visible(0, 0));
        users.apply(&Change::EntryAdded {
            owner: handle(0),
            list: List::Block,
            entry: entry(1),
        });
        assert!(!users.visible(0, 1));
        users.apply(&Change::Privacy {
            owner: handle(0),
            value: Privacy::BlockAll,
        });
        assert!(!users.visible(0, 2));
        users.apply(&Change::EntryAdded {
            owner: handle(0),
            list: List::Allow,
            entry: entry(2),
        });
        assert!(users.visible(0, 2));
        assert!(users.visible(1, 0), "U's lists decide, not W's");
    }
}
