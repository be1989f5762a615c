//! The schema of [`SqliteStore`](super::SqliteStore) and its version (`PRAGMA user_version`).

use rusqlite::{Connection, TransactionBehavior};

use crate::store::StoreError;

/// The schema version this store writes and reads (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// Version 1. Wire values (handles, names, property values) are BLOBs holding their exact wire
/// bytes; enumerations (list, BLP, GTC, property) are TEXT holding their wire names. List order
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

/// Creates the schema in an empty database, accepts ours, refuses a newer or a foreign one.
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
        0 => {}
        v => return Err(StoreError::NotOurs(format!("schema version {v}"))),
    }
    let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?;
    if tables != 0 {
        return Err(StoreError::NotOurs(format!(
            "{tables} schema objects and no schema version"
        )));
    }
    tx.execute_batch(SCHEMA_V1)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}
