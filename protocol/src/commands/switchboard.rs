//! The switchboard: `MSG CAL ANS IRO JOI ACK NAK BYE` and the NS invitation `RNG`
//! (reference §3.4 RNG, §3.5).

use super::{Form, form};
use crate::error::DecodeError;
use crate::grammar::{Params, Payload, Writer};
use crate::types::{AckMode, Dialect, FriendlyName, Handle, Token, TrId, Value};

form! {
    /// `MSG TrID U|N|A length` + MIME message — a client sends a message on the SB
    /// (reference §3.5 MSG, §10.2).
    pub struct MsgSend<'a> { pub trid: TrId, pub ack: Value<'a, AckMode>, pub payload: Payload<'a> }
}

impl<'a> Form<'a> for MsgSend<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(MsgSend {
            trid: p.field()?,
            ack: p.field()?,
            payload: p.payload_length()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.ack)
            .payload_length(&self.payload);
    }
}

form! {
    /// `MSG sender-handle sender-friendly-name length` + MIME message — a message delivered by
    /// the SB, or by the NS as `MSG Hotmail Hotmail length`; no TrID (reference §3.4, §3.5 MSG, §10).
    pub struct Msg<'a> { pub handle: Handle<'a>, pub name: FriendlyName<'a>, pub payload: Payload<'a> }
}

impl<'a> Form<'a> for Msg<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Msg {
            handle: p.field()?,
            name: p.field()?,
            payload: p.payload_length()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.handle)
            .field(&self.name)
            .payload_length(&self.payload);
    }
}

form! {
    /// `RNG session-id address:port CKI cookie inviter-handle inviter-friendly-name` — an
    /// invitation to a switchboard; no TrID (reference §3.4 RNG).
    pub struct Rng<'a> {
        /// The switchboard session id (decimal).
        pub session: Token<'a>,
        pub address: Token<'a>,
        pub cookie: Token<'a>,
        pub handle: Handle<'a>,
        pub name: FriendlyName<'a>,
    }
}

impl<'a> Form<'a> for Rng<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let session = p.field()?;
        let address = p.field()?;
        p.literal("CKI")?;
        Ok(Rng {
            session,
            address,
            cookie: p.field()?,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.session)
            .field(&self.address)
            .literal("CKI")
            .field(&self.cookie)
            .field(&self.handle)
            .field(&self.name);
    }
}

form! {
    /// `CAL TrID user-handle` — invite someone into the session (reference §3.5 CAL).
    pub struct Cal<'a> { pub trid: TrId, pub handle: Handle<'a> }
}

impl<'a> Form<'a> for Cal<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Cal {
            trid: p.field()?,
            handle: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.handle);
    }
}

form! {
    /// `CAL TrID RINGING session-id` — the invitation is on its way (reference §3.5 CAL).
    pub struct CalRinging<'a> { pub trid: TrId, pub session: Token<'a> }
}

impl<'a> Form<'a> for CalRinging<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("RINGING")?;
        Ok(CalRinging {
            trid,
            session: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).literal("RINGING").field(&self.session);
    }
}

form! {
    /// `ANS TrID my-handle cookie session-id` — join a session you were invited to
    /// (reference §3.5 ANS).
    pub struct Ans<'a> { pub trid: TrId, pub handle: Handle<'a>, pub cookie: Token<'a>, pub session: Token<'a> }
}

impl<'a> Form<'a> for Ans<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Ans {
            trid: p.field()?,
            handle: p.field()?,
            cookie: p.field()?,
            session: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.handle)
            .field(&self.cookie)
            .field(&self.session);
    }
}

form! {
    /// `ANS TrID OK` — joined (reference §3.5 ANS).
    pub struct AnsOk { pub trid: TrId }
}

impl<'a> Form<'a> for AnsOk {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("OK")?;
        Ok(AnsOk { trid })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).literal("OK");
    }
}

form! {
    /// `IRO TrID index total participant-handle participant-friendly-name` — the roster sent
    /// after ANS (reference §3.5 IRO).
    pub struct Iro<'a> { pub trid: TrId, pub index: u32, pub total: u32, pub handle: Handle<'a>, pub name: FriendlyName<'a> }
}

impl<'a> Form<'a> for Iro<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Iro {
            trid: p.field()?,
            index: p.field()?,
            total: p.field()?,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.index)
            .field(&self.total)
            .field(&self.handle)
            .field(&self.name);
    }
}

form! {
    /// `JOI user-handle friendly-name` — a participant joined; no TrID (reference §3.5 JOI).
    pub struct Joi<'a> { pub handle: Handle<'a>, pub name: FriendlyName<'a> }
}

impl<'a> Form<'a> for Joi<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Joi {
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.handle).field(&self.name);
    }
}

form! {
    /// `ACK TrID` / `NAK TrID` — delivery result of `MSG A` / `MSG N` (reference §3.5 ACK/NAK).
    pub struct Delivery { pub trid: TrId }
}

impl<'a> Form<'a> for Delivery {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Delivery { trid: p.field()? })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid);
    }
}

form! {
    /// `BYE user-handle [SP 1]` — a participant left; `1` when the server timed it out
    /// (reference §3.5 BYE).
    pub struct Bye<'a> { pub handle: Handle<'a>, pub reason: Option<Token<'a>> }
}

impl<'a> Form<'a> for Bye<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Bye {
            handle: p.field()?,
            reason: p.opt_field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.handle).opt_field(&self.reason);
    }
}
