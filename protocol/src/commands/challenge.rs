//! Challenges on the NS: `CHL QRY` (reference §3.4 CHL/QRY, §9).

use super::{Form, form};
use crate::error::DecodeError;
use crate::grammar::{Params, Payload, Writer};
use crate::types::{Dialect, Token, TrId};

form! {
    /// `CHL TrID` — client asks for a challenge (reference §3.4 CHL).
    pub struct ChlRequest { pub trid: TrId }
}

impl<'a> Form<'a> for ChlRequest {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(ChlRequest { trid: p.field()? })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid);
    }
}

form! {
    /// `CHL TrID challenge` — the server's challenge: `CHL 0 …` at any time, or the reply to a
    /// client `CHL TrID` (reference §3.4 CHL). Normally 20 decimal digits, but any token.
    pub struct Chl<'a> { pub trid: TrId, pub challenge: Token<'a> }
}

impl<'a> Form<'a> for Chl<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Chl {
            trid: p.field()?,
            challenge: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.challenge);
    }
}

form! {
    /// `QRY TrID public-key length` + response — the client's answer on a new TrID; the payload is
    /// the 32 lower-case hex digits of MD5(challenge + private key) (reference §3.4 QRY, §9).
    pub struct Qry<'a> { pub trid: TrId, pub public_key: Token<'a>, pub payload: Payload<'a> }
}

impl<'a> Form<'a> for Qry<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Qry {
            trid: p.field()?,
            public_key: p.field()?,
            payload: p.payload_length()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.public_key)
            .payload_length(&self.payload);
    }
}

form! {
    /// `QRY TrID` — the server accepted the response (reference §3.4 QRY).
    pub struct QryOk { pub trid: TrId }
}

impl<'a> Form<'a> for QryOk {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(QryOk { trid: p.field()? })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid);
    }
}
