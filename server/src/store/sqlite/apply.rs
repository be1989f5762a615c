//! One [`Change`] applied inside the commit's transaction, with the semantics of
//! [`MemoryStore`](crate::store::MemoryStore) (the property tests hold the two equal).

use msnp6::types::{Enumerated, Handle, List};
use rusqlite::{Connection, params};

use crate::store::{Account, Change, Entry, StoreError};

/// Whether `handle` has an account.
pub(super) fn account_exists(tx: &Connection, handle: &Handle<'_>) -> Result<bool, StoreError> {
    let mut stmt = tx.prepare_cached("SELECT count(*) FROM account WHERE handle = ?1")?;
    let n: i64 = stmt.query_row([handle.as_bytes()], |row| row.get(0))?;
    Ok(n != 0)
}

fn require(tx: &Connection, owner: &Handle<'_>) -> Result<(), StoreError> {
    if account_exists(tx, owner)? {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("no account {owner}")))
    }
}

/// Applies one change; an error leaves the transaction to be rolled back.
pub(super) fn apply(tx: &Connection, change: &Change) -> Result<(), StoreError> {
    match change {
        Change::AccountAdded(account) => add_account(tx, account),
        Change::AccountRemoved(handle) => remove_account(tx, handle),
        Change::EntryAdded { owner, list, entry } => {
            require(tx, owner)?;
            remove_entry(tx, owner, *list, &entry.handle)?;
            insert_entry(tx, owner, *list, entry)
        }
        Change::EntryRemoved {
            owner,
            list,
            handle,
        } => {
            require(tx, owner)?;
            remove_entry(tx, owner, *list, handle)
        }
        Change::EntryRenamed {
            owner,
            handle,
            name,
        } => {
            require(tx, owner)?;
            let sql = "UPDATE entry SET name = ?3 WHERE owner = ?1 AND handle = ?2";
            let args = params![owner.as_bytes(), handle.as_bytes(), name.as_bytes()];
            tx.prepare_cached(sql)?.execute(args)?;
            Ok(())
        }
        Change::Renamed { owner, name } => set(tx, owner, "name", name.as_bytes()),
        Change::Privacy { owner, value } => set(tx, owner, "privacy", value.as_str()),
        Change::Gtc { owner, value } => set(tx, owner, "gtc", value.as_str()),
        Change::Standing { owner, value } => set(tx, owner, "standing", value.as_str()),
        Change::ListVersion { owner, version } => set(tx, owner, "list_version", version),
        Change::Property {
            owner,
            property,
            value,
        } => {
            require(tx, owner)?;
            let sql = "DELETE FROM property WHERE owner = ?1 AND property = ?2";
            let args = params![owner.as_bytes(), property.as_str()];
            tx.prepare_cached(sql)?.execute(args)?;
            match value {
                Some(value) => insert_property(tx, owner, property.as_str(), value.as_bytes()),
                None => Ok(()),
            }
        }
    }
}

/// Sets one column of `owner`'s account row; `column` is one of this module's literals.
fn set(
    tx: &Connection,
    owner: &Handle<'_>,
    column: &'static str,
    value: impl rusqlite::ToSql,
) -> Result<(), StoreError> {
    let sql = format!("UPDATE account SET {column} = ?2 WHERE handle = ?1");
    let changed = tx
        .prepare_cached(&sql)?
        .execute(params![owner.as_bytes(), value])?;
    if changed == 0 {
        return Err(StoreError::Invalid(format!("no account {owner}")));
    }
    Ok(())
}

fn add_account(tx: &Connection, account: &Account) -> Result<(), StoreError> {
    if account_exists(tx, &account.handle)? {
        return Err(StoreError::Invalid(format!(
            "account {} exists",
            account.handle
        )));
    }
    let sql = "INSERT INTO account (handle, password, name, standing, list_version, privacy, gtc) \
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    tx.prepare_cached(sql)?.execute(params![
        account.handle.as_bytes(),
        account.password,
        account.name.as_bytes(),
        account.standing.as_str(),
        account.list_version,
        account.privacy.as_str(),
        account.gtc.as_str(),
    ])?;
    for list in List::ALL {
        for entry in account.list(*list) {
            insert_entry(tx, &account.handle, *list, entry)?;
        }
    }
    for (property, value) in &account.properties {
        insert_property(tx, &account.handle, property.as_str(), value.as_bytes())?;
    }
    Ok(())
}

/// Removes the account, its lists and properties, and every entry naming it on others' lists.
fn remove_account(tx: &Connection, handle: &Handle<'_>) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM entry WHERE owner = ?1 OR handle = ?1",
        "DELETE FROM property WHERE owner = ?1",
        "DELETE FROM account WHERE handle = ?1",
    ] {
        tx.prepare_cached(sql)?.execute([handle.as_bytes()])?;
    }
    Ok(())
}

fn remove_entry(
    tx: &Connection,
    owner: &Handle<'_>,
    list: List,
    handle: &Handle<'_>,
) -> Result<(), StoreError> {
    let sql = "DELETE FROM entry WHERE owner = ?1 AND list = ?2 AND handle = ?3";
    let args = params![owner.as_bytes(), list.as_str(), handle.as_bytes()];
    tx.prepare_cached(sql)?.execute(args)?;
    Ok(())
}

/// Appends an entry at the end of the list (one past the highest position).
fn insert_entry(
    tx: &Connection,
    owner: &Handle<'_>,
    list: List,
    entry: &Entry,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO entry (owner, list, handle, name, position) VALUES (?1, ?2, ?3, ?4, \
               (SELECT coalesce(max(position), -1) + 1 FROM entry WHERE owner = ?1 AND list = ?2))";
    let args = params![
        owner.as_bytes(),
        list.as_str(),
        entry.handle.as_bytes(),
        entry.name.as_bytes()
    ];
    tx.prepare_cached(sql)?.execute(args)?;
    Ok(())
}

/// Appends a property after the ones set before it.
fn insert_property(
    tx: &Connection,
    owner: &Handle<'_>,
    property: &str,
    value: &[u8],
) -> Result<(), StoreError> {
    let sql = "INSERT INTO property (owner, property, value, position) VALUES (?1, ?2, ?3, \
               (SELECT coalesce(max(position), -1) + 1 FROM property WHERE owner = ?1))";
    tx.prepare_cached(sql)?
        .execute(params![owner.as_bytes(), property, value])?;
    Ok(())
}
