//! Presence on the NS: `CHG ILN NLN FLN IMS` and the keep-alive `PNG QNG`
//! (reference §3.1 PNG/QNG, §3.3, §5).

use super::{Form, form};
use crate::error::DecodeError;
use crate::grammar::{Params, Writer};
use crate::types::{Dialect, FriendlyName, Handle, ImsState, Status, TrId, Value};

form! {
    /// `CHG TrID status` — both directions: the client sets its status, the server echoes it or
    /// pushes `CHG 0 status` (reference §3.3 CHG).
    pub struct Chg<'a> { pub trid: TrId, pub status: Value<'a, Status> }
}

impl<'a> Form<'a> for Chg<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Chg {
            trid: p.field()?,
            status: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.status);
    }
}

form! {
    /// `ILN TrID status user-handle friendly-name` — a contact's presence, with the TrID of the
    /// initial CHG or of an ADD (reference §3.3 ILN).
    pub struct Iln<'a> { pub trid: TrId, pub status: Value<'a, Status>, pub handle: Handle<'a>, pub name: FriendlyName<'a> }
}

impl<'a> Form<'a> for Iln<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Iln {
            trid: p.field()?,
            status: p.field()?,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.status)
            .field(&self.handle)
            .field(&self.name);
    }
}

form! {
    /// `NLN status user-handle friendly-name` — a contact came online, changed status or renamed
    /// itself; no TrID (reference §3.3 NLN).
    pub struct Nln<'a> { pub status: Value<'a, Status>, pub handle: Handle<'a>, pub name: FriendlyName<'a> }
}

impl<'a> Form<'a> for Nln<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Nln {
            status: p.field()?,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.status).field(&self.handle).field(&self.name);
    }
}

form! {
    /// `FLN user-handle` — a contact went offline or hidden; no TrID (reference §3.3 FLN).
    pub struct Fln<'a> { pub handle: Handle<'a> }
}

impl<'a> Form<'a> for Fln<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Fln { handle: p.field()? })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.handle);
    }
}

form! {
    /// `IMS TrID ON|OFF` — client turns switchboard access on or off (reference §3.3 IMS, MSNP3+).
    pub struct ImsRequest<'a> { pub trid: TrId, pub state: Value<'a, ImsState> }
}

impl<'a> Form<'a> for ImsRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(ImsRequest {
            trid: p.field()?,
            state: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.state);
    }
}

form! {
    /// `IMS TrID 0 ON|OFF` — server's reply; the `0` is of unknown meaning and kept as sent
    /// (reference §3.3 IMS).
    pub struct Ims<'a> { pub trid: TrId, pub unknown: u32, pub state: Value<'a, ImsState> }
}

impl<'a> Form<'a> for Ims<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Ims {
            trid: p.field()?,
            unknown: p.field()?,
            state: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.unknown).field(&self.state);
    }
}
