//! Reading every account back, each stored value checked by the codec's types.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;

use msnp6::types::{Enumerated, FriendlyName, GtcMode, Handle, List, Privacy, Property, Token};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use crate::store::{Account, Entry, Standing, StoreError};

/// Where a value was read: table, rowid, column (named in [`StoreError::Invalid`]).
#[derive(Clone, Copy)]
struct At<'a> {
    table: &'a str,
    rowid: i64,
}

impl At<'_> {
    fn invalid(self, column: &str, why: impl Display) -> StoreError {
        StoreError::Invalid(format!(
            "table {} row {} column {column}: {why}",
            self.table, self.rowid
        ))
    }

    /// The bytes of a TEXT or BLOB column.
    fn bytes(self, row: &rusqlite::Row<'_>, i: usize, column: &str) -> Result<Vec<u8>, StoreError> {
        match row.get_ref(i)? {
            ValueRef::Text(b) | ValueRef::Blob(b) => Ok(b.to_vec()),
            other => Err(self.invalid(column, format!("{:?} is not text", other.data_type()))),
        }
    }

    fn text(self, row: &rusqlite::Row<'_>, i: usize, column: &str) -> Result<String, StoreError> {
        String::from_utf8(self.bytes(row, i, column)?).map_err(|e| self.invalid(column, e))
    }

    fn enumerated<T: Enumerated>(
        self,
        row: &rusqlite::Row<'_>,
        i: usize,
        column: &str,
    ) -> Result<T, StoreError> {
        let b = self.bytes(row, i, column)?;
        T::from_bytes(&b).ok_or_else(|| {
            self.invalid(
                column,
                format!("{:?} is not documented", String::from_utf8_lossy(&b)),
            )
        })
    }

    fn integer(self, row: &rusqlite::Row<'_>, i: usize, column: &str) -> Result<i64, StoreError> {
        match row.get_ref(i)? {
            ValueRef::Integer(n) => Ok(n),
            other => {
                Err(self.invalid(column, format!("{:?} is not an integer", other.data_type())))
            }
        }
    }

    fn handle(
        self,
        row: &rusqlite::Row<'_>,
        i: usize,
        column: &str,
    ) -> Result<Handle<'static>, StoreError> {
        Handle::new(self.bytes(row, i, column)?).map_err(|e| self.invalid(column, e))
    }

    fn name(
        self,
        row: &rusqlite::Row<'_>,
        i: usize,
        column: &str,
    ) -> Result<FriendlyName<'static>, StoreError> {
        FriendlyName::new(self.bytes(row, i, column)?).map_err(|e| self.invalid(column, e))
    }
}

/// Every account with its lists (in position order) and properties (in order of setting).
pub(super) fn load(conn: &Connection) -> Result<Vec<Account>, StoreError> {
    let mut accounts = read_accounts(conn)?;
    let index: HashMap<Vec<u8>, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.handle.as_bytes().to_vec(), i))
        .collect();
    read_entries(conn, &index, &mut accounts)?;
    read_properties(conn, &index, &mut accounts)?;
    Ok(accounts)
}

fn read_accounts(conn: &Connection) -> Result<Vec<Account>, StoreError> {
    let sql = "SELECT rowid, handle, password, name, standing, list_version, privacy, gtc \
               FROM account ORDER BY rowid";
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([])?;
    let mut accounts = Vec::new();
    let mut seen = HashSet::new();
    while let Some(row) = rows.next()? {
        let at = At {
            table: "account",
            rowid: row.get(0)?,
        };
        let handle = at.handle(row, 1, "handle")?;
        // UNIQUE compares types too: a TEXT and a BLOB with the same bytes are two rows.
        if !seen.insert(handle.as_bytes().to_vec()) {
            return Err(at.invalid("handle", format!("a second account {handle}")));
        }
        let mut account = Account::new(handle, "", at.name(row, 3, "name")?);
        account.password = at.text(row, 2, "password")?;
        let standing = at.bytes(row, 4, "standing")?;
        account.standing = std::str::from_utf8(&standing)
            .ok()
            .and_then(Standing::from_name)
            .ok_or_else(|| {
                let names: Vec<_> = Standing::ALL.iter().map(|s| s.as_str()).collect();
                at.invalid(
                    "standing",
                    format!(
                        "{:?} is not one of {}",
                        String::from_utf8_lossy(&standing),
                        names.join(", ")
                    ),
                )
            })?;
        let version = at.integer(row, 5, "list_version")?;
        account.list_version = u32::try_from(version).map_err(|e| at.invalid("list_version", e))?;
        account.privacy = at.enumerated::<Privacy>(row, 6, "privacy")?;
        account.gtc = at.enumerated::<GtcMode>(row, 7, "gtc")?;
        accounts.push(account);
    }
    Ok(accounts)
}

/// The account `owner` names, or an error naming the row.
fn owner_of<'a>(
    at: At<'_>,
    index: &HashMap<Vec<u8>, usize>,
    accounts: &'a mut [Account],
    owner: &[u8],
) -> Result<&'a mut Account, StoreError> {
    match index.get(owner) {
        Some(&i) => Ok(&mut accounts[i]),
        None => Err(at.invalid(
            "owner",
            format!("no account {:?}", String::from_utf8_lossy(owner)),
        )),
    }
}

fn read_entries(
    conn: &Connection,
    index: &HashMap<Vec<u8>, usize>,
    accounts: &mut [Account],
) -> Result<(), StoreError> {
    let sql = "SELECT rowid, owner, list, handle, name FROM entry ORDER BY owner, list, position";
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let at = At {
            table: "entry",
            rowid: row.get(0)?,
        };
        let owner = at.bytes(row, 1, "owner")?;
        let list = at.enumerated::<List>(row, 2, "list")?;
        let entry = Entry {
            handle: at.handle(row, 3, "handle")?,
            name: at.name(row, 4, "name")?,
        };
        let account = owner_of(at, index, accounts, &owner)?;
        let entries = &mut account.lists[Account::list_index(list)];
        if entries.iter().any(|e| e.handle == entry.handle) {
            return Err(at.invalid("handle", format!("{} twice on one list", entry.handle)));
        }
        entries.push(entry);
    }
    Ok(())
}

fn read_properties(
    conn: &Connection,
    index: &HashMap<Vec<u8>, usize>,
    accounts: &mut [Account],
) -> Result<(), StoreError> {
    let sql = "SELECT rowid, owner, property, value FROM property ORDER BY owner, position";
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let at = At {
            table: "property",
            rowid: row.get(0)?,
        };
        let owner = at.bytes(row, 1, "owner")?;
        let property = at.enumerated::<Property>(row, 2, "property")?;
        let value = Token::new(at.bytes(row, 3, "value")?).map_err(|e| at.invalid("value", e))?;
        let properties = &mut owner_of(at, index, accounts, &owner)?.properties;
        if properties.iter().any(|(p, _)| *p == property) {
            return Err(at.invalid("property", format!("{property} set twice")));
        }
        properties.push((property, value));
    }
    Ok(())
}
