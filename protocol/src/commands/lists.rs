//! Contact lists and properties on the NS: `SYN LST GTC BLP ADD REM REA PRP BPR`
//! (reference §3.2, §6).
//!
//! Every list-changing server reply carries the new list version (reference §3.2).

use super::form;
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
    /// `LST TrID list list-version index total [SP user-handle SP friendly-name]` — one entry, or
    /// `LST TrID list list-version 0 0` for an empty list (reference §3.2 LST, SYN).
    pub struct Lst<'a> {
        /// Transaction ID (of the SYN or LST request).
        pub trid: TrId,
        /// Which list.
        pub list: Value<'a, List>,
        /// List version.
        pub version: u32,
        /// 1-based index, 0 for an empty list.
        pub index: u32,
        /// Number of entries, 0 for an empty list.
        pub total: u32,
        /// The entry; `None` exactly for the empty-list line `0 0`.
        pub entry: Option<ListEntry<'a>> = when(index != 0 || total != 0, ListEntry),
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
    /// `ADD TrID list list-version user-handle friendly-name [SP group]` — server confirms an add
    /// (reference §3.2 ADD). `ADD 0 RL …` decodes as [`ReverseAdd`](super::Command::ReverseAdd).
    pub struct Add<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The list added to.
        pub list: Value<'a, List>,
        /// The new list version.
        pub version: u32,
        /// The contact.
        pub handle: Handle<'a>,
        /// The name stored.
        pub name: FriendlyName<'a>,
        /// MSNP7 group id.
        pub group: Option<u32> = since_opt(7),
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
    /// `REM TrID list list-version user-handle [SP group]` — server confirms a removal (reference
    /// §3.2 REM). `REM 0 RL …` decodes as [`ReverseRemove`](super::Command::ReverseRemove).
    pub struct Rem<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The list removed from.
        pub list: Value<'a, List>,
        /// The new list version.
        pub version: u32,
        /// The contact.
        pub handle: Handle<'a>,
        /// MSNP7 group id.
        pub group: Option<u32> = since_opt(7),
    }
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
