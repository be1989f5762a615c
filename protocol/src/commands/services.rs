//! Services, search, invitations and notifications on the NS: `URL FND SND SDC PAG NOT IPG`,
//! and the NS `MSG` (reference §3.4).

use super::{Form, form};
use crate::error::DecodeError;
use crate::grammar::{Params, Payload, Writer};
use crate::types::{Dialect, Handle, Token, TrId, UrlService, Value};

form! {
    /// `URL TrID service [SP parameter]` — ask for a Passport-authenticated URL (reference §3.4 URL).
    pub struct UrlRequest<'a> { pub trid: TrId, pub service: Value<'a, UrlService>, pub parameter: Option<Token<'a>> }
}

impl<'a> Form<'a> for UrlRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(UrlRequest {
            trid: p.field()?,
            service: p.field()?,
            parameter: p.opt_field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.service)
            .opt_field(&self.parameter);
    }
}

form! {
    /// `URL TrID redirect-url login-url [SP site-id]` — the server's URLs (reference §3.4 URL).
    /// The site id is absent in MSNP2, optional in MSNP3–MSNP4 and required from MSNP5 on.
    pub struct Url<'a> { pub trid: TrId, pub redirect: Token<'a>, pub login: Token<'a>, pub site_id: Option<Token<'a>> }
}

impl<'a> Form<'a> for Url<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        let redirect = p.field()?;
        let login = p.field()?;
        let site_id = match d.version() {
            ..=2 => None,
            3 | 4 => p.opt_field()?,
            _ => Some(p.field()?),
        };
        Ok(Url {
            trid,
            redirect,
            login,
            site_id,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.redirect)
            .field(&self.login)
            .opt_field(&self.site_id);
    }
}

form! {
    /// The five search fields of FND: `fname=F lname=L city=C state=ST country=CC`, URL-encoded,
    /// kept as sent (reference §3.4 FND).
    pub struct FndFields<'a> {
        pub fname: Token<'a>,
        pub lname: Token<'a>,
        pub city: Token<'a>,
        pub state: Token<'a>,
        pub country: Token<'a>,
    }
}

impl<'a> FndFields<'a> {
    fn parse(p: &mut Params<'a>) -> Result<Self, DecodeError> {
        Ok(FndFields {
            fname: p.field()?,
            lname: p.field()?,
            city: p.field()?,
            state: p.field()?,
            country: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.fname)
            .field(&self.lname)
            .field(&self.city)
            .field(&self.state)
            .field(&self.country);
    }
    /// The `key=value` fields in wire order, with their documented keys.
    pub fn iter(&self) -> [(&'static str, &Token<'a>); 5] {
        [
            ("fname", &self.fname),
            ("lname", &self.lname),
            ("city", &self.city),
            ("state", &self.state),
            ("country", &self.country),
        ]
    }
}

form! {
    /// `FND TrID fname=F lname=L city=C state=ST country=CC` — member search (reference §3.4 FND).
    pub struct FndRequest<'a> { pub trid: TrId, pub query: FndFields<'a> }
}

impl<'a> Form<'a> for FndRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(FndRequest {
            trid: p.field()?,
            query: FndFields::parse(p)?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid);
        self.query.write(w);
    }
}

form! {
    /// `FND TrID index total fname=… lname=… city=… state=… country=…`, or `FND TrID 0 0` when
    /// nothing matched (reference §3.4 FND).
    pub struct Fnd<'a> { pub trid: TrId, pub index: u32, pub total: u32, pub result: Option<FndFields<'a>> }
}

impl<'a> Form<'a> for Fnd<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        let index = p.field()?;
        let total = p.field()?;
        let result = if index == 0 && total == 0 {
            None
        } else {
            Some(FndFields::parse(p)?)
        };
        Ok(Fnd {
            trid,
            index,
            total,
            result,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.index).field(&self.total);
        if let Some(r) = &self.result {
            r.write(w);
        }
    }
}

form! {
    /// `SND TrID address [SP lcid SP library [SP client-id]]` — e-mail invitation, MSNP2–MSNP4
    /// (reference §3.4 SND): MSNP3 adds LCID and library, MSNP4 the client id.
    pub struct SndRequest<'a> {
        pub trid: TrId,
        pub address: Token<'a>,
        pub lcid: Option<Token<'a>>,
        pub library: Option<Token<'a>>,
        pub client_id: Option<Token<'a>>,
    }
}

impl<'a> Form<'a> for SndRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        let address = p.field()?;
        let (lcid, library) = if d.version() >= 3 {
            (Some(p.field()?), Some(p.field()?))
        } else {
            (None, None)
        };
        let client_id = if d.version() >= 4 {
            Some(p.field()?)
        } else {
            None
        };
        Ok(SndRequest {
            trid,
            address,
            lcid,
            library,
            client_id,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.address)
            .opt_field(&self.lcid)
            .opt_field(&self.library)
            .opt_field(&self.client_id);
    }
}

form! {
    /// `SND TrID OK` / `SDC TrID OK` — the invitation was sent (reference §3.4 SND, SDC).
    pub struct InviteOk { pub trid: TrId }
}

impl<'a> Form<'a> for InviteOk {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("OK")?;
        Ok(InviteOk { trid })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).literal("OK");
    }
}

form! {
    /// `SDC TrID address lcid library client-id X X my-friendly-name length` + free text —
    /// e-mail invitation, MSNP5+ (reference §3.4 SDC). Both `X` are literal.
    pub struct Sdc<'a> {
        pub trid: TrId,
        pub address: Token<'a>,
        pub lcid: Token<'a>,
        pub library: Token<'a>,
        pub client_id: Token<'a>,
        /// The sender's name, URL-encoded (kept as a token: SDC re-encodes bad escapes, §7).
        pub name: Token<'a>,
        pub payload: Payload<'a>,
    }
}

impl<'a> Form<'a> for Sdc<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        let address = p.field()?;
        let lcid = p.field()?;
        let library = p.field()?;
        let client_id = p.field()?;
        p.literal("X")?;
        p.literal("X")?;
        Ok(Sdc {
            trid,
            address,
            lcid,
            library,
            client_id,
            name: p.field()?,
            payload: p.payload_length()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.address)
            .field(&self.lcid)
            .field(&self.library)
            .field(&self.client_id)
            .literal("X")
            .literal("X")
            .field(&self.name)
            .payload_length(&self.payload);
    }
}

form! {
    /// `PAG TrID user-handle length` + XML — page a mobile device, MSNP5–MSNP8 (reference §3.4 PAG).
    pub struct Pag<'a> { pub trid: TrId, pub handle: Handle<'a>, pub payload: Payload<'a> }
}

impl<'a> Form<'a> for Pag<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Pag {
            trid: p.field()?,
            handle: p.field()?,
            payload: p.payload_length()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.handle)
            .payload_length(&self.payload);
    }
}

form! {
    /// `NOT length` / `IPG length` + `<NOTIFICATION>` XML — no TrID (reference §3.4 NOT, IPG; §11).
    pub struct Notification<'a> { pub payload: Payload<'a> }
}

impl<'a> Form<'a> for Notification<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Notification {
            payload: p.payload_length()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.payload_length(&self.payload);
    }
}
