//! The schema of [`SqliteStore`](super::SqliteStore) and its version (`PRAGMA user_version`).

use rusqlite::{Connection, TransactionBehavior};

use crate::store::StoreError;

/// The schema version this store writes and reads (`PRAGMA user_version`). Older versions are
/// migrated in place when opened ([`ensure`]).
///
/// * 1: accounts with a `verified` flag (0 or 1).
/// * 2: the flag replaced by `standing` (`verified`, `unverified`, `blocked`, `kids`: reference
///   §3.1 USR `OK … 1`, `OK … 0`, `924`, `923`).
pub const SCHEMA_VERSION: i64 = 2;

/// Version 1 (a new database is made as version 1, then migrated, so that a migrated database
/// and a new one have the same schema). Wire values (handles, names, property values) are BLOBs
/// holding their exact wire bytes; enumerations (list, BLP, GTC, property) are TEXT holding their wire names. List order
/// is `position` (the order of addition, which SYN reports, reference §3.2); the account order
/// is the rowid (the order of creation).
const SCHEMA_V1: &str = "
CREATE TABLE account (
    handle       BLOB    NOT NULL UNIQUE,
    password     TEXT    NOT NULL,
    name         BLOB    NOT NULL,
    verified     INTEGER NOT NULL,
    list_version INTEGER NOT NULL,
    privacy      TEXT    NOT NULL,
    gtc          TEXT    NOT NULL
);
CREATE TABLE entry (
    owner    BLOB    NOT NULL REFERENCES account(handle),
    list     TEXT    NOT NULL,
    handle   BLOB    NOT NULL,
    name     BLOB    NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (owner, list, handle)
);
CREATE INDEX entry_by_handle ON entry(handle);
CREATE TABLE property (
    owner    BLOB    NOT NULL REFERENCES account(handle),
    property TEXT    NOT NULL,
    value    BLOB    NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (owner, property)
);
";

/// Version 1 → 2: `verified` 1 becomes `standing` `verified`, 0 `unverified`. The `DEFAULT` only
/// fills the rows of the migration: every `INSERT` names the standing.
const MIGRATE_V2: &str = "
ALTER TABLE account ADD COLUMN standing TEXT NOT NULL DEFAULT 'verified';
UPDATE account SET standing = 'unverified' WHERE verified = 0;
ALTER TABLE account DROP COLUMN verified;
";

/// Creates the schema in an empty database, accepts ours, migrates an older one of ours in place,
/// refuses a newer or a foreign one. Creation and migration run in one transaction: a migration
/// that fails leaves the database as it was.
pub(super) fn ensure(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    match version {
        SCHEMA_VERSION => return Ok(()),
        v if v > SCHEMA_VERSION => {
            return Err(StoreError::NewerSchema {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        0 => {
            let tables: i64 =
                tx.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
            if tables != 0 {
                return Err(StoreError::NotOurs(format!(
                    "{tables} schema objects and no schema version"
                )));
            }
            tx.execute_batch(SCHEMA_V1)?;
        }
        1 => check_v1(&tx)?,
        v => return Err(StoreError::NotOurs(format!("schema version {v}"))),
    }
    tx.execute_batch(MIGRATE_V2)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// A version 1 database's `verified` values are 0 or 1 (as its loading checked): anything else is
/// [`StoreError::Invalid`] naming the row, and the database is not migrated.
fn check_v1(tx: &Connection) -> Result<(), StoreError> {
    let sql = "SELECT rowid, quote(verified) FROM account \
               WHERE typeof(verified) != 'integer' OR verified NOT IN (0, 1) ORDER BY rowid LIMIT 1";
    let bad: Option<(i64, String)> = tx
        .prepare(sql)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .next()
        .transpose()?;
    match bad {
        Some((rowid, value)) => Err(StoreError::Invalid(format!(
            "table account row {rowid} column verified: {value} is not 0 or 1 (schema version 1, \
             not migrated)"
        ))),
        None => Ok(()),
    }
}
