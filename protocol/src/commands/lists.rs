//! Contact lists and properties on the NS: `SYN LST GTC BLP ADD REM REA PRP BPR`
//! (reference §3.2, §6).
//!
//! Every list-changing server reply carries the new list version (reference §3.2).

use super::{InvalidForm, entry_count, form};
use crate::types::{FriendlyName, GtcMode, Handle, List, Privacy, Property, Token, TrId, Value};

form! {
    /// `SYN TrID list-version` — both directions (reference §3.2 SYN): the client's cached
    /// version, and the server's current one.
    pub struct Syn {
        /// Transaction ID.
        pub trid: TrId,
        /// The list version.
        pub version: u32,
    }
}

form! {
    /// `LST TrID list` — stand-alone list request (reference §3.2 LST).
    pub struct LstRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Which list.
        pub list: Value<'a, List>,
    }
}

form! {
    /// One list entry: `user-handle SP friendly-name [SP groups]`, the groups only in MSNP7
    /// (reference §3.2 LST, §2).
    pub struct ListEntry<'a> {
        /// The contact.
        pub handle: Handle<'a>,
        /// The name stored for it.
        pub name: FriendlyName<'a>,
        /// MSNP7 group ids (e.g. `0,1`), only in the MSNP7 dialect.
        pub groups: Option<Token<'a>> = since_opt(7),
    }
}

form! {
    checked
    /// `LST TrID list list-version index total [SP user-handle SP friendly-name]` — one entry, or
    /// `LST TrID list list-version 0 0` for an empty list (reference §3.2 LST, SYN).
    pub struct Lst<'a> {
        /// Transaction ID (of the SYN or LST request).
        trid: TrId,
        /// Which list.
        list: Value<'a, List>,
        /// List version.
        version: u32,
        /// 1-based index, 0 for an empty list.
        index: u32,
        /// Number of entries, 0 for an empty list.
        total: u32,
        /// The entry; `None` exactly for the empty-list line `0 0`.
        entry: Option<ListEntry<'a>> = when(index != 0 || total != 0, ListEntry),
    }
}

impl<'a> Lst<'a> {
    /// A server `LST`; refuses an entry where index and total are both 0, and a missing entry
    /// where either is not ([`InvalidForm::EntryCount`]).
    pub fn new(
        trid: TrId,
        list: Value<'a, List>,
        version: u32,
        index: u32,
        total: u32,
        entry: Option<ListEntry<'a>>,
    ) -> Result<Self, InvalidForm> {
        entry_count("LST", index, total, entry.is_some())?;
        Ok(Lst {
            trid,
            list,
            version,
            index,
            total,
            entry,
        })
    }
}

form! {
    /// `GTC TrID A|N` — client sets the reverse-list prompt (reference §3.2 GTC).
    pub struct GtcRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The prompt mode.
        pub mode: Value<'a, GtcMode>,
    }
}

form! {
    /// `GTC TrID list-version A|N` — server's reply, also inside SYN (reference §3.2 GTC).
    pub struct Gtc<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// List version.
        pub version: u32,
        /// The prompt mode.
        pub mode: Value<'a, GtcMode>,
    }
}

form! {
    /// `BLP TrID AL|BL` — client sets the default privacy (reference §3.2 BLP).
    pub struct BlpRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The default for users on neither list.
        pub privacy: Value<'a, Privacy>,
    }
}

form! {
    /// `BLP TrID list-version AL|BL` — server's reply, also inside SYN (reference §3.2 BLP).
    pub struct Blp<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// List version.
        pub version: u32,
        /// The default for users on neither list.
        pub privacy: Value<'a, Privacy>,
    }
}

form! {
    /// `ADD TrID FL|AL|BL user-handle friendly-name [SP group]` — client adds a contact
    /// (reference §3.2 ADD; the group id only in MSNP7, reference §2).
    pub struct AddRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The list to add to.
        pub list: Value<'a, List>,
        /// The contact.
        pub handle: Handle<'a>,
        /// The name to store.
        pub name: FriendlyName<'a>,
        /// MSNP7 group id.
        pub group: Option<u32> = since_opt(7),
    }
}

form! {
    checked
    /// `ADD TrID list list-version user-handle friendly-name [SP group]` — server confirms an add
    /// (reference §3.2 ADD). `ADD 0 RL …` decodes as [`ReverseAdd`](super::Command::ReverseAdd).
    pub struct Add<'a> {
        /// Transaction ID.
        trid: TrId,
        /// The list added to.
        list: Value<'a, List>,
        /// The new list version.
        version: u32,
        /// The contact.
        handle: Handle<'a>,
        /// The name stored.
        name: FriendlyName<'a>,
        /// MSNP7 group id.
        group: Option<u32> = since_opt(7),
    }
}

impl<'a> Add<'a> {
    /// A server `ADD` reply; refuses TrID 0 on RL, which is the asynchronous [`ReverseAdd`]
    /// ([`InvalidForm::ReverseListReply`]).
    pub fn new(
        trid: TrId,
        list: Value<'a, List>,
        version: u32,
        handle: Handle<'a>,
        name: FriendlyName<'a>,
        group: Option<u32>,
    ) -> Result<Self, InvalidForm> {
        not_reverse("ADD", trid, &list)?;
        Ok(Add {
            trid,
            list,
            version,
            handle,
            name,
            group,
        })
    }
}

form! {
    /// `ADD 0 RL list-version user-handle friendly-name` — asynchronous: someone added you
    /// (reference §3.2 ADD).
    pub struct ReverseAdd<'a> {
        /// The new list version.
        "0" "RL" pub version: u32,
        /// Who added you.
        pub handle: Handle<'a>,
        /// Their name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `REM TrID FL|AL|BL user-handle [SP group]` — client removes a contact (reference §3.2
    /// REM; the group id only in MSNP7).
    pub struct RemRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The list to remove from.
        pub list: Value<'a, List>,
        /// The contact.
        pub handle: Handle<'a>,
        /// MSNP7 group id.
        pub group: Option<u32> = since_opt(7),
    }
}

form! {
    checked
    /// `REM TrID list list-version user-handle [SP group]` — server confirms a removal (reference
    /// §3.2 REM). `REM 0 RL …` decodes as [`ReverseRemove`](super::Command::ReverseRemove).
    pub struct Rem<'a> {
        /// Transaction ID.
        trid: TrId,
        /// The list removed from.
        list: Value<'a, List>,
        /// The new list version.
        version: u32,
        /// The contact.
        handle: Handle<'a>,
        /// MSNP7 group id.
        group: Option<u32> = since_opt(7),
    }
}

impl<'a> Rem<'a> {
    /// A server `REM` reply; refuses TrID 0 on RL, which is the asynchronous [`ReverseRemove`]
    /// ([`InvalidForm::ReverseListReply`]).
    pub fn new(
        trid: TrId,
        list: Value<'a, List>,
        version: u32,
        handle: Handle<'a>,
        group: Option<u32>,
    ) -> Result<Self, InvalidForm> {
        not_reverse("REM", trid, &list)?;
        Ok(Rem {
            trid,
            list,
            version,
            handle,
            group,
        })
    }
}

/// `reverse-add = "ADD" SP "0" SP "RL" SP …` comes first in the grammar (reference §3.2 ADD,
/// REM): a reply with TrID 0 on RL would decode as the asynchronous form.
fn not_reverse(verb: &'static str, trid: TrId, list: &Value<'_, List>) -> Result<(), InvalidForm> {
    if trid == TrId::ASYNC && list.known() == Some(List::Reverse) {
        return Err(InvalidForm::ReverseListReply { verb });
    }
    Ok(())
}

form! {
    /// `REM 0 RL list-version user-handle` — asynchronous: someone removed you (reference §3.2 REM).
    pub struct ReverseRemove<'a> {
        /// The new list version.
        "0" "RL" pub version: u32,
        /// Who removed you.
        pub handle: Handle<'a>,
    }
}

form! {
    /// `REA TrID user-handle new-name` — rename yourself or a contact (reference §3.2 REA).
    pub struct ReaRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Yourself or the contact.
        pub handle: Handle<'a>,
        /// The new name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `REA TrID list-version user-handle new-name` — server confirms a rename (reference §3.2 REA).
    pub struct Rea<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The new list version.
        pub version: u32,
        /// Yourself or the contact.
        pub handle: Handle<'a>,
        /// The new name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `PRP TrID property [SP value]` — client sets one of its phone properties (reference §3.2
    /// PRP, MSNP5+). The value is URL-encoded; without one the property is unset.
    pub struct PrpRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Which property.
        pub property: Value<'a, Property>,
        /// The value, URL-encoded; `None` unsets it.
        pub value: Option<Token<'a>> = opt,
    }
}

form! {
    /// `PRP TrID list-version property [SP value]` — server's reply, also inside SYN, where an
    /// unset property has no value (reference §3.2 PRP, SYN).
    pub struct Prp<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// List version.
        pub version: u32,
        /// Which property.
        pub property: Value<'a, Property>,
        /// The value, URL-encoded; `None` when unset.
        pub value: Option<Token<'a>> = opt,
    }
}

form! {
    /// `BPR list-version user-handle property [SP value]` — a contact's property, no TrID
    /// (reference §3.2 BPR, MSNP5+).
    pub struct Bpr<'a> {
        /// List version.
        pub version: u32,
        /// The contact.
        pub handle: Handle<'a>,
        /// Which property.
        pub property: Value<'a, Property>,
        /// The value, URL-encoded; `None` when unset.
        pub value: Option<Token<'a>> = opt,
    }
}
