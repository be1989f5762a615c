//! Services, search, invitations and notifications on the NS: `URL FND SND SDC PAG NOT IPG`,
//! and the NS `MSG` (reference §3.4).

use super::{InvalidForm, entry_count, form};
use crate::grammar::{Payload, Presence, Shape};
use crate::types::{Handle, Token, TrId, UrlService, Value};

form! {
    /// `URL TrID service [SP parameter]` — ask for a Passport-authenticated URL (reference §3.4 URL).
    pub struct UrlRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Which service.
        pub service: Value<'a, UrlService>,
        /// The service's parameter, if any.
        pub parameter: Option<Token<'a>> = opt,
    }
}

form! {
    /// `URL TrID redirect-url login-url [SP site-id]` — the server's URLs (reference §3.4 URL).
    /// The site id is absent in MSNP2, optional in MSNP3–MSNP4 and required from MSNP5 on.
    pub struct Url<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The URL to post the login form to.
        pub redirect: Token<'a>,
        /// The Passport login URL.
        pub login: Token<'a>,
        /// The site id (MSNP3+).
        pub site_id: Option<Token<'a>> = shape(site_id),
    }
}

/// Where `URL` carries the site id: absent in MSNP2, optional in MSNP3–MSNP4, required from
/// MSNP5 on (reference §3.4 URL).
fn site_id(g: Shape) -> Presence {
    match g.dialect.version() {
        ..=2 => Presence::Absent,
        3 | 4 => Presence::Optional,
        _ => Presence::Required,
    }
}

form! {
    /// The five search fields of FND: `fname=F lname=L city=C state=ST country=CC`, URL-encoded,
    /// kept as sent (reference §3.4 FND).
    pub struct FndFields<'a> {
        /// `fname=…`: first name.
        pub fname: Token<'a>,
        /// `lname=…`: last name.
        pub lname: Token<'a>,
        /// `city=…`.
        pub city: Token<'a>,
        /// `state=…`.
        pub state: Token<'a>,
        /// `country=…`.
        pub country: Token<'a>,
    }
}

impl<'a> FndFields<'a> {
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
    pub struct FndRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The search fields.
        pub query: FndFields<'a> = nested,
    }
}

form! {
    checked
    /// `FND TrID index total fname=… lname=… city=… state=… country=…`, or `FND TrID 0 0` when
    /// nothing matched (reference §3.4 FND).
    pub struct Fnd<'a> {
        /// Transaction ID.
        trid: TrId,
        /// 1-based index of this result, 0 when nothing matched.
        index: u32,
        /// Number of results, 0 when nothing matched.
        total: u32,
        /// The result; `None` exactly for `0 0`.
        result: Option<FndFields<'a>> = when(index != 0 || total != 0, FndFields),
    }
}

impl<'a> Fnd<'a> {
    /// A server `FND`; refuses a result where index and total are both 0, and a missing result
    /// where either is not ([`InvalidForm::EntryCount`]).
    pub fn new(
        trid: TrId,
        index: u32,
        total: u32,
        result: Option<FndFields<'a>>,
    ) -> Result<Self, InvalidForm> {
        entry_count("FND", index, total, result.is_some())?;
        Ok(Fnd {
            trid,
            index,
            total,
            result,
        })
    }
}

form! {
    checked
    /// `SND TrID address [SP lcid SP library [SP client-id]]` — e-mail invitation, MSNP2–MSNP4
    /// (reference §3.4 SND): MSNP3 adds LCID and library, MSNP4 the client id.
    pub struct SndRequest<'a> {
        /// Transaction ID.
        trid: TrId,
        /// The e-mail address to invite.
        address: Token<'a>,
        /// Locale id (MSNP3+).
        lcid: Option<Token<'a>> = since(3),
        /// Client library (MSNP3+).
        library: Option<Token<'a>> = since(3),
        /// Client id (MSNP4+).
        client_id: Option<Token<'a>> = since(4),
    }
}

impl<'a> SndRequest<'a> {
    /// A client `SND`; refuses a library without an LCID or the reverse, and a client id without
    /// them: MSNP3 adds LCID and library together, MSNP4 the client id after them
    /// ([`InvalidForm::SndParameters`]).
    pub fn new(
        trid: TrId,
        address: Token<'a>,
        lcid: Option<Token<'a>>,
        library: Option<Token<'a>>,
        client_id: Option<Token<'a>>,
    ) -> Result<Self, InvalidForm> {
        if lcid.is_some() != library.is_some() || (client_id.is_some() && lcid.is_none()) {
            return Err(InvalidForm::SndParameters);
        }
        Ok(SndRequest {
            trid,
            address,
            lcid,
            library,
            client_id,
        })
    }
}

form! {
    /// `SND TrID OK` / `SDC TrID OK` — the invitation was sent (reference §3.4 SND, SDC).
    pub struct InviteOk {
        /// Transaction ID.
        pub trid: TrId,
    } "OK"
}

form! {
    /// `SDC TrID address lcid library client-id X X my-friendly-name length` + free text —
    /// e-mail invitation, MSNP5+ (reference §3.4 SDC). Both `X` are literal.
    pub struct Sdc<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The e-mail address to invite.
        pub address: Token<'a>,
        /// Locale id.
        pub lcid: Token<'a>,
        /// Client library.
        pub library: Token<'a>,
        /// Client id.
        pub client_id: Token<'a>,
        /// The sender's name, URL-encoded (kept as a token: SDC re-encodes bad escapes, §7).
        "X" "X" pub name: Token<'a>,
        /// The free text.
        pub payload: Payload<'a> = payload,
    }
}

form! {
    /// `PAG TrID user-handle length` + XML — page a mobile device, MSNP5–MSNP8 (reference §3.4 PAG).
    pub struct Pag<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The contact to page.
        pub handle: Handle<'a>,
        /// The page, XML.
        pub payload: Payload<'a> = payload,
    }
}

form! {
    /// `NOT length` / `IPG length` + `<NOTIFICATION>` XML — no TrID (reference §3.4 NOT, IPG; §11).
    pub struct Notice<'a> {
        /// The XML document.
        pub payload: Payload<'a> = payload,
    }
}
