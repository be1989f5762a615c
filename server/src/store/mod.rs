//! What must survive a restart (issue 20): accounts, the four lists with their stored names, the
//! list version, BLP, GTC, the phone properties and display names (reference §3.2, §6, §14).
//!
//! The core keeps every account in memory and writes each command's changes through a [`Store`]
//! in one transaction *before* it sends the acknowledgement: a change a client saw acknowledged
//! is committed. [`MemoryStore`] keeps them in memory (tests, fuzzing, benchmarks);
//! [`SqliteStore`] keeps them in a SQLite database (production, `msnp6 serve --db`).

mod sqlite;

pub use sqlite::{SCHEMA_VERSION, SqliteStore};

use std::collections::HashMap;

use msnp6::types::{FriendlyName, GtcMode, Handle, List, Privacy, Property, Token};

/// One list entry: a handle and the name stored for it (reference §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The contact's handle.
    pub handle: Handle<'static>,
    /// The name stored with it (URL-encoded, as on the wire).
    pub name: FriendlyName<'static>,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The handle (`local@domain`), the account's key.
    pub handle: Handle<'static>,
    /// The password. MD5 login (reference §3.1) needs `MD5(salt + password)` for a fresh salt
    /// at every login, so the server must be able to recover the password itself: it is stored
    /// as given (the trade-off is documented in docs/server.md).
    pub password: String,
    /// The display name (URL-encoded, as on the wire).
    pub name: FriendlyName<'static>,
    /// How the account logs in: verified, unverified (soft warning), blocked (`924`) or a kids
    /// account without consent (`923`) (reference §3.1 USR).
    pub standing: Standing,
    /// The list version (reference §6): raised by one at every list or property change.
    pub list_version: u32,
    /// FL, AL, BL, RL, in the order of [`List::ALL`](msnp6::types::Enumerated::ALL): see [`Account::list`].
    pub lists: [Vec<Entry>; 4],
    /// BLP (default `AL`).
    pub privacy: Privacy,
    /// GTC (default `A`).
    pub gtc: GtcMode,
    /// The phone properties set with PRP (PHH, PHW, PHM, MOB, MBE), in [`Property`] order of
    /// setting; MOB and MBE read as `N` when absent.
    pub properties: Vec<(Property, Token<'static>)>,
}

/// How an account logs in (reference §3.1 USR step 4 and its errors, §4): the four cases the
/// reference distinguishes, as the model's `Verification` (docs/model.md MODEL-USR-OK,
/// MODEL-USR-923, MODEL-USR-924). Each is checked only after a right digest (`911` first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Standing {
    /// Verified: `USR TrID OK handle name 1`.
    #[default]
    Verified,
    /// Unverified, soft warning (MSNP6): `USR TrID OK handle name 0`; renaming oneself (`REA`)
    /// gives `209` (reference §7).
    Unverified,
    /// Unverified, hard block (MSNP5+): `924 TrID`, then the server closes.
    Blocked,
    /// A kids account without parental consent (MSNP4+): `923 TrID`, then the server closes.
    KidWithoutConsent,
}

impl Standing {
    /// Every standing, in declaration order.
    pub const ALL: [Standing; 4] = [
        Standing::Verified,
        Standing::Unverified,
        Standing::Blocked,
        Standing::KidWithoutConsent,
    ];

    /// The name stored in the database and shown by `msnp6 account list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Verified => "verified",
            Standing::Unverified => "unverified",
            Standing::Blocked => "blocked",
            Standing::KidWithoutConsent => "kids",
        }
    }

    /// The standing named `name` ([`Standing::as_str`]), if any.
    pub fn from_name(name: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl core::fmt::Display for Standing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Account {
    /// A new verified account with empty lists at list version 0.
    pub fn new(handle: Handle<'static>, password: &str, name: FriendlyName<'static>) -> Self {
        Account {
            handle,
            password: password.to_owned(),
            name,
            standing: Standing::Verified,
            list_version: 0,
            lists: Default::default(),
            privacy: Privacy::AllowAll,
            gtc: GtcMode::Ask,
            properties: Vec::new(),
        }
    }

    /// The index of `list` in [`Account::lists`].
    pub fn list_index(list: List) -> usize {
        match list {
            List::Forward => 0,
            List::Allow => 1,
            List::Block => 2,
            List::Reverse => 3,
            // `List` is #[non_exhaustive]; the four lists are the reference's (§6).
            _ => 3,
        }
    }

    /// The entries of one list.
    pub fn list(&self, list: List) -> &[Entry] {
        &self.lists[Self::list_index(list)]
    }
}

/// One change to the stored state. A command's changes are committed together
/// ([`Store::commit`]) or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A new account (`msnp6 account add`).
    AccountAdded(Account),
    /// An account removed (`msnp6 account remove`), with every entry naming it.
    AccountRemoved(Handle<'static>),
    /// An entry added to one of `owner`'s lists.
    EntryAdded {
        /// Whose list.
        owner: Handle<'static>,
        /// Which list.
        list: List,
        /// The entry.
        entry: Entry,
    },
    /// An entry removed from one of `owner`'s lists.
    EntryRemoved {
        /// Whose list.
        owner: Handle<'static>,
        /// Which list.
        list: List,
        /// The contact's handle.
        handle: Handle<'static>,
    },
    /// The name stored for a contact on every list of `owner` that holds it (REA of a contact).
    EntryRenamed {
        /// Whose lists.
        owner: Handle<'static>,
        /// The contact's handle.
        handle: Handle<'static>,
        /// The new name.
        name: FriendlyName<'static>,
    },
    /// The account's own display name (REA of oneself).
    Renamed {
        /// The account.
        owner: Handle<'static>,
        /// The new name.
        name: FriendlyName<'static>,
    },
    /// BLP.
    Privacy {
        /// The account.
        owner: Handle<'static>,
        /// The new setting.
        value: Privacy,
    },
    /// GTC.
    Gtc {
        /// The account.
        owner: Handle<'static>,
        /// The new setting.
        value: GtcMode,
    },
    /// PRP: a phone property set (`Some`) or cleared (`None`).
    Property {
        /// The account.
        owner: Handle<'static>,
        /// Which property.
        property: Property,
        /// The new value.
        value: Option<Token<'static>>,
    },
    /// The account's standing (`msnp6 account set`; the core never changes it).
    Standing {
        /// The account.
        owner: Handle<'static>,
        /// The new standing.
        value: Standing,
    },
    /// The list version after this command's changes.
    ListVersion {
        /// The account.
        owner: Handle<'static>,
        /// The new version.
        version: u32,
    },
}

/// Why the store failed. The core answers a command whose commit failed with an error reply
/// (docs/server.md) and changes nothing in memory.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused.
    #[error("database: {0}")]
    Database(String),
    /// The stored data breaks a rule of the codec's types (edited by hand?).
    #[error("stored data is invalid: {0}")]
    Invalid(String),
    /// The database was written by a newer version of this store (`PRAGMA user_version`).
    #[error(
        "the database has schema version {found}, newer than {supported}, the newest this \
         version of msnp6 reads: use a newer msnp6"
    )]
    NewerSchema {
        /// The database's version.
        found: i64,
        /// The newest version this store reads.
        supported: i64,
    },
    /// The database is not one of this store's (it holds other tables, or an unknown version).
    #[error("not an msnp6 database: {0}")]
    NotOurs(String),
}

/// Where the core keeps what must survive a restart.
///
/// Group commit (docs/server.md, "Store"): between [`Store::begin`] and [`Store::end`], each
/// [`Store::commit`] is still all-or-none for its own changes, but it is made durable only by
/// `end`, together with the others of the batch (one fsync per batch, not per command). The
/// driver releases the replies of a batch only after `end` succeeded.
pub trait Store: core::fmt::Debug + Send {
    /// Every stored account.
    fn load(&mut self) -> Result<Vec<Account>, StoreError>;
    /// Applies `changes` in one transaction: all of them, or none. Inside a batch, they are
    /// durable only once [`Store::end`] returns `Ok`.
    fn commit(&mut self, changes: &[Change]) -> Result<(), StoreError>;
    /// Starts a batch. The default (a store without a disk) does nothing: every commit is
    /// final at once.
    fn begin(&mut self) {}
    /// Ends the batch: every commit since [`Store::begin`] is durable when this returns `Ok`;
    /// on `Err` none of them may be (the caller must not acknowledge any).
    fn end(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Accounts kept in memory: what a [`Store`] does, without a disk (tests, fuzzing, benchmarks).
/// A core built on a clone of it after commits sees what a restarted server would.
///
/// A commit copies only the accounts it changes (an account change copies them all), so its
/// cost does not grow with the number of accounts.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    accounts: Vec<Account>,
    index: HashMap<Handle<'static>, usize>,
}

impl MemoryStore {
    /// A store holding `accounts`.
    pub fn with_accounts(accounts: Vec<Account>) -> Self {
        let mut store = MemoryStore {
            accounts,
            index: HashMap::new(),
        };
        store.reindex();
        store
    }

    /// The accounts as committed so far.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    fn reindex(&mut self) {
        self.index = (self.accounts.iter().enumerate())
            .map(|(i, a)| (a.handle.clone(), i))
            .collect();
    }

    /// Adds or removes accounts: the whole state is copied, changed, then kept (all or none).
    fn commit_accounts(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        let mut next = self.accounts.clone();
        for change in changes {
            match change {
                Change::AccountAdded(account) => {
                    if next.iter().any(|a| a.handle == account.handle) {
                        return Err(StoreError::Invalid(format!(
                            "account {} exists",
                            account.handle
                        )));
                    }
                    next.push(account.clone());
                }
                Change::AccountRemoved(handle) => {
                    next.retain(|a| a.handle != *handle);
                    for list in next.iter_mut().flat_map(|a| a.lists.iter_mut()) {
                        list.retain(|e| e.handle != *handle);
                    }
                }
                other => {
                    let Some(owner) = other.owner() else {
                        continue;
                    };
                    let account = (next.iter_mut().find(|a| a.handle == *owner))
                        .ok_or_else(|| no_account(owner))?;
                    apply_to(account, other);
                }
            }
        }
        self.accounts = next;
        self.reindex();
        Ok(())
    }
}

fn no_account(owner: &Handle<'_>) -> StoreError {
    StoreError::Invalid(format!("no account {owner}"))
}

impl Change {
    /// The account a change of one account's state belongs to (`None` for adding or removing
    /// an account).
    pub fn owner(&self) -> Option<&Handle<'static>> {
        match self {
            Change::AccountAdded(_) | Change::AccountRemoved(_) => None,
            Change::EntryAdded { owner, .. }
            | Change::EntryRemoved { owner, .. }
            | Change::EntryRenamed { owner, .. }
            | Change::Renamed { owner, .. }
            | Change::Privacy { owner, .. }
            | Change::Gtc { owner, .. }
            | Change::Property { owner, .. }
            | Change::Standing { owner, .. }
            | Change::ListVersion { owner, .. } => Some(owner),
        }
    }
}

/// Applies a change of one account's state to that account.
fn apply_to(account: &mut Account, change: &Change) {
    match change {
        Change::AccountAdded(_) | Change::AccountRemoved(_) => {}
        Change::EntryAdded { list, entry, .. } => {
            let list = &mut account.lists[Account::list_index(*list)];
            list.retain(|e| e.handle != entry.handle);
            list.push(entry.clone());
        }
        Change::EntryRemoved { list, handle, .. } => {
            account.lists[Account::list_index(*list)].retain(|e| e.handle != *handle);
        }
        Change::EntryRenamed { handle, name, .. } => {
            let entries = account.lists.iter_mut().flat_map(|l| l.iter_mut());
            entries
                .filter(|e| e.handle == *handle)
                .for_each(|e| e.name = name.clone());
        }
        Change::Renamed { name, .. } => account.name = name.clone(),
        Change::Privacy { value, .. } => account.privacy = *value,
        Change::Gtc { value, .. } => account.gtc = *value,
        Change::Property {
            property, value, ..
        } => {
            account.properties.retain(|(p, _)| p != property);
            if let Some(value) = value {
                account.properties.push((*property, value.clone()));
            }
        }
        Change::Standing { value, .. } => account.standing = *value,
        Change::ListVersion { version, .. } => account.list_version = *version,
    }
}

impl Store for MemoryStore {
    fn load(&mut self) -> Result<Vec<Account>, StoreError> {
        Ok(self.accounts.clone())
    }

    fn commit(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        // Copies of the accounts changed, in the order first touched; kept only if all apply.
        let mut staged: Vec<(usize, Account)> = Vec::new();
        for change in changes {
            let Some(owner) = change.owner() else {
                return self.commit_accounts(changes);
            };
            let i = *self.index.get(owner).ok_or_else(|| no_account(owner))?;
            let at = match staged.iter().position(|(j, _)| *j == i) {
                Some(at) => at,
                None => {
                    staged.push((i, self.accounts[i].clone()));
                    staged.len() - 1
                }
            };
            apply_to(&mut staged[at].1, change);
        }
        for (i, account) in staged {
            self.accounts[i] = account;
        }
        Ok(())
    }
}
