//! [`SqliteStore`]: the [`Store`] of production, a SQLite database through `rusqlite` (issue 20).
//!
//! * One transaction per [`Store::commit`]: a command's changes are applied all together or not
//!   at all (`BEGIN IMMEDIATE` … `COMMIT`; any failure rolls back).
//! * Group commit: between [`Store::begin`] and [`Store::end`] one `BEGIN IMMEDIATE`
//!   transaction is open (from the batch's first commit); each commit is a `SAVEPOINT`,
//!   released when all its changes applied, rolled back to when one failed (all-or-none per
//!   command); `end` runs the one `COMMIT` (and fsync) of the batch, or rolls everything back.
//! * Durable when [`Store::commit`] returns: the database runs in WAL mode with
//!   `synchronous=FULL`, so the commit record is fsynced to the WAL before `COMMIT` returns. With
//!   `synchronous=NORMAL` (the usual WAL choice) a power loss can undo the last commits, and the
//!   core acknowledges a change to the client only after `commit` returns: an acknowledged change
//!   must survive a crash of the machine, not only of the process.
//! * Nothing is reloaded per commit: the core keeps every account in memory; `commit` only
//!   writes, through statements prepared once and cached (`prepare_cached`).
//! * [`Store::load`] checks every stored value with the codec's types ([`Handle::new`], …) and
//!   fails with [`StoreError::Invalid`] naming the table and row, never panics.
//!
//! Schema, pragmas and what survives a restart: docs/server.md, "Store".

use std::path::Path;
use std::time::Duration;

use msnp6::types::Handle;
use rusqlite::{Connection, TransactionBehavior};

use super::{Account, Change, Standing, Store, StoreError};

mod apply;
mod load;
mod schema;

pub use schema::SCHEMA_VERSION;

/// How long a writer waits for another writer (an `msnp6 account` command next to a running
/// server) before the commit fails with [`StoreError::Database`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Statements kept prepared: every statement the store runs fits (about 20).
const STATEMENT_CACHE: usize = 32;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

/// Accounts, lists and properties in a SQLite database.
///
/// ```
/// use msnp6::types::{FriendlyName, Handle};
/// use msnp6_server::store::{Account, SqliteStore, Store};
///
/// let mut store = SqliteStore::in_memory().unwrap();
/// let handle = Handle::from_static(b"example@hotmail.com");
/// let name = FriendlyName::from_static(b"example%20user");
/// assert!(store.add_account(Account::new(handle.clone(), "password", name)).unwrap());
/// assert_eq!(store.load().unwrap()[0].handle, handle);
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    /// Between [`Store::begin`] and [`Store::end`].
    batch: bool,
    /// A batch's transaction is open (`BEGIN IMMEDIATE` ran, `COMMIT` not yet).
    open: bool,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and the schema on first start.
    ///
    /// Fails with [`StoreError::NewerSchema`] when the file was written by a newer version of
    /// this store, with [`StoreError::NotOurs`] when it holds tables but no schema version of
    /// ours, and with [`StoreError::Database`] when it is not a SQLite database or refuses WAL.
    ///
    /// On Unix a new file is created readable and writable by its owner only (mode 0600; SQLite
    /// gives its `-wal` and `-shm` files the same mode): it holds the passwords (docs/server.md,
    /// "Passwords").
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        create_private(path)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Database(format!(
                "the database refused WAL mode (journal mode {mode})"
            )));
        }
        Self::with_connection(conn)
    }

    /// A database in memory, gone when the store is dropped (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        schema::ensure(&mut conn)?;
        Ok(SqliteStore {
            conn,
            batch: false,
            open: false,
        })
    }

    /// Adds an account (`msnp6 account add`); `false` when one with its handle exists.
    pub fn add_account(&mut self, account: Account) -> Result<bool, StoreError> {
        let handle = account.handle.clone();
        self.commit_if(&[Change::AccountAdded(account)], |tx| {
            Ok(!apply::account_exists(tx, &handle)?)
        })
    }

    /// Removes an account and every list entry naming it (`msnp6 account remove`); `false` when
    /// there is no such account.
    pub fn remove_account(&mut self, handle: &Handle<'_>) -> Result<bool, StoreError> {
        let owned = handle.clone().into_owned();
        self.commit_if(&[Change::AccountRemoved(owned)], |tx| {
            apply::account_exists(tx, handle)
        })
    }

    /// Sets an account's standing (`msnp6 account set`); `false` when there is no such account.
    /// A running server reads it at its next start, as an added account.
    pub fn set_standing(
        &mut self,
        handle: &Handle<'_>,
        standing: Standing,
    ) -> Result<bool, StoreError> {
        let change = Change::Standing {
            owner: handle.clone().into_owned(),
            value: standing,
        };
        self.commit_if(&[change], |tx| apply::account_exists(tx, handle))
    }

    /// Every stored account (`msnp6 account list`): the same as [`Store::load`].
    pub fn accounts(&mut self) -> Result<Vec<Account>, StoreError> {
        self.load()
    }

    /// Applies `changes` in one transaction when `check`, run in that transaction first, says so;
    /// returns what `check` said.
    fn commit_if(
        &mut self,
        changes: &[Change],
        check: impl FnOnce(&Connection) -> Result<bool, StoreError>,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !check(&tx)? {
            return Ok(false);
        }
        for change in changes {
            apply::apply(&tx, change)?;
        }
        tx.commit()?;
        Ok(true)
    }
}

/// Creates `path` empty with mode 0600 if it does not exist (an empty file is an empty SQLite
/// database); elsewhere than Unix, SQLite creates it.
fn create_private(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::Database(format!("cannot create the file: {e}")));
            }
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl Store for SqliteStore {
    fn load(&mut self) -> Result<Vec<Account>, StoreError> {
        load::load(&self.conn)
    }

    /// Applies `changes` in one `BEGIN IMMEDIATE` transaction; on any error the transaction is
    /// rolled back (dropped) and nothing is applied.
    fn commit(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        if !self.batch {
            return self.commit_if(changes, |_| Ok(true)).map(|_| ());
        }
        if !self.open {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.open = true;
        }
        self.conn.execute_batch("SAVEPOINT command")?;
        let applied = changes.iter().try_for_each(|c| apply::apply(&self.conn, c));
        if applied.is_err() {
            self.conn
                .execute_batch("ROLLBACK TO command; RELEASE command")?;
        } else {
            self.conn.execute_batch("RELEASE command")?;
        }
        applied
    }

    fn begin(&mut self) {
        self.batch = true;
    }

    /// `COMMIT` of the batch's transaction (if any commit opened one); on failure the whole
    /// transaction is rolled back.
    fn end(&mut self) -> Result<(), StoreError> {
        self.batch = false;
        if !std::mem::take(&mut self.open) {
            return Ok(());
        }
        let committed = self.conn.execute_batch("COMMIT");
        if committed.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        Ok(committed?)
    }
}

#[cfg(test)]
mod tests;
