//! Contact lists and properties on the NS: `SYN LST GTC BLP ADD REM REA PRP BPR`
//! (reference §3.2, §6).
//!
//! Every list-changing server reply carries the new list version (reference §3.2).

use super::{Form, form};
use crate::error::DecodeError;
use crate::grammar::{Params, Writer};
use crate::types::{
    Dialect, FriendlyName, GtcMode, Handle, List, Privacy, Property, Token, TrId, Value,
};

form! {
    /// `SYN TrID list-version` — both directions (reference §3.2 SYN): the client's cached
    /// version, and the server's current one.
    pub struct Syn { pub trid: TrId, pub version: u32 }
}

impl<'a> Form<'a> for Syn {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Syn {
            trid: p.field()?,
            version: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.version);
    }
}

form! {
    /// `LST TrID list` — stand-alone list request (reference §3.2 LST).
    pub struct LstRequest<'a> { pub trid: TrId, pub list: Value<'a, List> }
}

impl<'a> Form<'a> for LstRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(LstRequest {
            trid: p.field()?,
            list: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.list);
    }
}

form! {
    /// One list entry: `user-handle SP friendly-name` (MSNP7: `SP groups` follows on FL).
    pub struct ListEntry<'a> {
        /// The contact.
        pub handle: Handle<'a>,
        /// The name stored for it.
        pub name: FriendlyName<'a>,
        /// MSNP7 group ids (e.g. `0,1`), only in the MSNP7 dialect.
        pub groups: Option<Token<'a>>,
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
        pub entry: Option<ListEntry<'a>>,
    }
}

impl<'a> Form<'a> for Lst<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        let list = p.field()?;
        let version = p.field()?;
        let index = p.field()?;
        let total = p.field()?;
        let entry = if index == 0 && total == 0 {
            None
        } else {
            let handle = p.field()?;
            let name = p.field()?;
            let groups = if d.version() >= 7 {
                p.opt_field()?
            } else {
                None
            };
            Some(ListEntry {
                handle,
                name,
                groups,
            })
        };
        Ok(Lst {
            trid,
            list,
            version,
            index,
            total,
            entry,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.list)
            .field(&self.version)
            .field(&self.index)
            .field(&self.total);
        if let Some(e) = &self.entry {
            w.field(&e.handle).field(&e.name).opt_field(&e.groups);
        }
    }
}

form! {
    /// `GTC TrID A|N` — client sets the reverse-list prompt (reference §3.2 GTC).
    pub struct GtcRequest<'a> { pub trid: TrId, pub mode: Value<'a, GtcMode> }
}

impl<'a> Form<'a> for GtcRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(GtcRequest {
            trid: p.field()?,
            mode: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.mode);
    }
}

form! {
    /// `GTC TrID list-version A|N` — server's reply, also inside SYN (reference §3.2 GTC).
    pub struct Gtc<'a> { pub trid: TrId, pub version: u32, pub mode: Value<'a, GtcMode> }
}

impl<'a> Form<'a> for Gtc<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Gtc {
            trid: p.field()?,
            version: p.field()?,
            mode: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.version).field(&self.mode);
    }
}

form! {
    /// `BLP TrID AL|BL` — client sets the default privacy (reference §3.2 BLP).
    pub struct BlpRequest<'a> { pub trid: TrId, pub privacy: Value<'a, Privacy> }
}

impl<'a> Form<'a> for BlpRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(BlpRequest {
            trid: p.field()?,
            privacy: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.privacy);
    }
}

form! {
    /// `BLP TrID list-version AL|BL` — server's reply, also inside SYN (reference §3.2 BLP).
    pub struct Blp<'a> { pub trid: TrId, pub version: u32, pub privacy: Value<'a, Privacy> }
}

impl<'a> Form<'a> for Blp<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Blp {
            trid: p.field()?,
            version: p.field()?,
            privacy: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.version)
            .field(&self.privacy);
    }
}

/// The MSNP7 group id that may end `ADD`/`REM` (reference §2: not valid in MSNP6).
fn group<'a>(p: &mut Params<'a>, d: Dialect) -> Result<Option<u32>, DecodeError> {
    if d.version() >= 7 {
        p.opt_field()
    } else {
        Ok(None)
    }
}

form! {
    /// `ADD TrID FL|AL|BL user-handle friendly-name` — client adds a contact (reference §3.2 ADD;
    /// MSNP7 appends a group id).
    pub struct AddRequest<'a> {
        pub trid: TrId,
        pub list: Value<'a, List>,
        pub handle: Handle<'a>,
        pub name: FriendlyName<'a>,
        /// MSNP7 group id.
        pub group: Option<u32>,
    }
}

impl<'a> Form<'a> for AddRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        Ok(AddRequest {
            trid: p.field()?,
            list: p.field()?,
            handle: p.field()?,
            name: p.field()?,
            group: group(p, d)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.list)
            .field(&self.handle)
            .field(&self.name)
            .opt_field(&self.group);
    }
}

form! {
    /// `ADD TrID list list-version user-handle friendly-name` — server confirms an add
    /// (reference §3.2 ADD). `ADD 0 RL …` decodes as [`ReverseAdd`](super::Command::ReverseAdd).
    pub struct Add<'a> {
        pub trid: TrId,
        pub list: Value<'a, List>,
        pub version: u32,
        pub handle: Handle<'a>,
        pub name: FriendlyName<'a>,
        /// MSNP7 group id.
        pub group: Option<u32>,
    }
}

impl<'a> Form<'a> for Add<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        Ok(Add {
            trid: p.field()?,
            list: p.field()?,
            version: p.field()?,
            handle: p.field()?,
            name: p.field()?,
            group: group(p, d)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.list)
            .field(&self.version)
            .field(&self.handle)
            .field(&self.name)
            .opt_field(&self.group);
    }
}

form! {
    /// `ADD 0 RL list-version user-handle friendly-name` — asynchronous: someone added you
    /// (reference §3.2 ADD).
    pub struct ReverseAdd<'a> {
        pub version: u32,
        pub handle: Handle<'a>,
        pub name: FriendlyName<'a>,
    }
}

impl<'a> Form<'a> for ReverseAdd<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        p.literal("0")?;
        p.literal("RL")?;
        Ok(ReverseAdd {
            version: p.field()?,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.literal("0")
            .literal("RL")
            .field(&self.version)
            .field(&self.handle)
            .field(&self.name);
    }
}

form! {
    /// `REM TrID FL|AL|BL user-handle` — client removes a contact (reference §3.2 REM; MSNP7
    /// appends a group id).
    pub struct RemRequest<'a> {
        pub trid: TrId,
        pub list: Value<'a, List>,
        pub handle: Handle<'a>,
        /// MSNP7 group id.
        pub group: Option<u32>,
    }
}

impl<'a> Form<'a> for RemRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        Ok(RemRequest {
            trid: p.field()?,
            list: p.field()?,
            handle: p.field()?,
            group: group(p, d)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.list)
            .field(&self.handle)
            .opt_field(&self.group);
    }
}

form! {
    /// `REM TrID list list-version user-handle` — server confirms a removal (reference §3.2 REM).
    /// `REM 0 RL …` decodes as [`ReverseRemove`](super::Command::ReverseRemove).
    pub struct Rem<'a> {
        pub trid: TrId,
        pub list: Value<'a, List>,
        pub version: u32,
        pub handle: Handle<'a>,
        /// MSNP7 group id.
        pub group: Option<u32>,
    }
}

impl<'a> Form<'a> for Rem<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        Ok(Rem {
            trid: p.field()?,
            list: p.field()?,
            version: p.field()?,
            handle: p.field()?,
            group: group(p, d)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.list)
            .field(&self.version)
            .field(&self.handle)
            .opt_field(&self.group);
    }
}

form! {
    /// `REM 0 RL list-version user-handle` — asynchronous: someone removed you (reference §3.2 REM).
    pub struct ReverseRemove<'a> { pub version: u32, pub handle: Handle<'a> }
}

impl<'a> Form<'a> for ReverseRemove<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        p.literal("0")?;
        p.literal("RL")?;
        Ok(ReverseRemove {
            version: p.field()?,
            handle: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.literal("0")
            .literal("RL")
            .field(&self.version)
            .field(&self.handle);
    }
}

form! {
    /// `REA TrID user-handle new-name` — rename yourself or a contact (reference §3.2 REA).
    pub struct ReaRequest<'a> { pub trid: TrId, pub handle: Handle<'a>, pub name: FriendlyName<'a> }
}

impl<'a> Form<'a> for ReaRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(ReaRequest {
            trid: p.field()?,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.handle).field(&self.name);
    }
}

form! {
    /// `REA TrID list-version user-handle new-name` — server confirms a rename (reference §3.2 REA).
    pub struct Rea<'a> { pub trid: TrId, pub version: u32, pub handle: Handle<'a>, pub name: FriendlyName<'a> }
}

impl<'a> Form<'a> for Rea<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Rea {
            trid: p.field()?,
            version: p.field()?,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.version)
            .field(&self.handle)
            .field(&self.name);
    }
}

form! {
    /// `PRP TrID property [SP value]` — client sets one of its phone properties (reference §3.2
    /// PRP, MSNP5+). The value is URL-encoded; without one the property is unset.
    pub struct PrpRequest<'a> { pub trid: TrId, pub property: Value<'a, Property>, pub value: Option<Token<'a>> }
}

impl<'a> Form<'a> for PrpRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(PrpRequest {
            trid: p.field()?,
            property: p.field()?,
            value: p.opt_field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.property)
            .opt_field(&self.value);
    }
}

form! {
    /// `PRP TrID list-version property [SP value]` — server's reply, also inside SYN, where an
    /// unset property has no value (reference §3.2 PRP, SYN).
    pub struct Prp<'a> { pub trid: TrId, pub version: u32, pub property: Value<'a, Property>, pub value: Option<Token<'a>> }
}

impl<'a> Form<'a> for Prp<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Prp {
            trid: p.field()?,
            version: p.field()?,
            property: p.field()?,
            value: p.opt_field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.version)
            .field(&self.property)
            .opt_field(&self.value);
    }
}

form! {
    /// `BPR list-version user-handle property [SP value]` — a contact's property, no TrID
    /// (reference §3.2 BPR, MSNP5+).
    pub struct Bpr<'a> { pub version: u32, pub handle: Handle<'a>, pub property: Value<'a, Property>, pub value: Option<Token<'a>> }
}

impl<'a> Form<'a> for Bpr<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Bpr {
            version: p.field()?,
            handle: p.field()?,
            property: p.field()?,
            value: p.opt_field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.version)
            .field(&self.handle)
            .field(&self.property)
            .opt_field(&self.value);
    }
}
