//! Login and session commands on the DS and NS: `VER INF USR XFR CVR CVQ OUT PNG QNG`
//! (reference §3.1), and the switchboard forms of `USR` (reference §3.1, §3.5).

use super::{Form, form};
use crate::error::DecodeError;
use crate::grammar::{Params, Writer};
use crate::types::{
    AuthPackage, Dialect, FriendlyName, Handle, OutReason, Secret, Token, TokenList, TrId,
    TransferKind, Value, Verified,
};

form! {
    /// `VER TrID dialect *(SP dialect)` — both directions (reference §3.1 VER).
    ///
    /// The client lists every dialect it speaks; the server answers the one it chose, `0` when
    /// none is acceptable, or (a documented alternative, reference §13.1) echoes the whole list.
    /// Dialect names outside the documented set are kept as sent.
    pub struct Ver<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The dialects, as sent.
        pub dialects: TokenList<'a>,
    }
}

impl<'a> Ver<'a> {
    /// The dialects that name a known protocol version, in order.
    pub fn known_dialects(&self) -> impl Iterator<Item = Dialect> + '_ {
        self.dialects.iter().filter_map(Dialect::from_bytes)
    }
    /// Whether this is the server's refusal `VER TrID 0`.
    pub fn is_refusal(&self) -> bool {
        self.dialects.as_bytes() == b"0"
    }
}

impl<'a> Form<'a> for Ver<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Ver {
            trid: p.field()?,
            dialects: p.token_list()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).token_list(&self.dialects);
    }
}

form! {
    /// `INF TrID` — client asks for the authentication packages (reference §3.1 INF).
    pub struct InfRequest { pub trid: TrId }
}

impl<'a> Form<'a> for InfRequest {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(InfRequest { trid: p.field()? })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid);
    }
}

form! {
    /// `INF TrID package *(SP package)` — server lists its packages, `MD5` in MSNP3–MSNP7
    /// (reference §3.1 INF).
    pub struct Inf<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The packages, as sent.
        pub packages: TokenList<'a>,
    }
}

impl<'a> Form<'a> for Inf<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Inf {
            trid: p.field()?,
            packages: p.token_list()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).token_list(&self.packages);
    }
}

form! {
    /// `USR TrID MD5 I user-handle` — client starts an MD5 login (reference §3.1 USR, step 1).
    pub struct UsrInitial<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The account.
        pub handle: Handle<'a>,
    }
}

impl<'a> Form<'a> for UsrInitial<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("MD5")?;
        p.literal("I")?;
        Ok(UsrInitial {
            trid,
            handle: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .literal("MD5")
            .literal("I")
            .field(&self.handle);
    }
}

form! {
    /// `USR TrID MD5 S salt` — server sends the salt (reference §3.1 USR, step 2).
    pub struct UsrSalt<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The opaque salt (e.g. `1234567890.123456789`).
        pub salt: Token<'a>,
    }
}

impl<'a> Form<'a> for UsrSalt<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("MD5")?;
        p.literal("S")?;
        Ok(UsrSalt {
            trid,
            salt: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .literal("MD5")
            .literal("S")
            .field(&self.salt);
    }
}

form! {
    /// `USR TrID MD5 S digest` — client proves the password: lower-case hex MD5 of salt followed
    /// by password (reference §3.1 USR step 3, §9). The digest never appears in `Debug`.
    pub struct UsrResponse<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The 32 hex digits, as sent (validation checks the shape).
        pub digest: Secret<'a>,
    }
}

impl<'a> Form<'a> for UsrResponse<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("MD5")?;
        p.literal("S")?;
        Ok(UsrResponse {
            trid,
            digest: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .literal("MD5")
            .literal("S")
            .field(&self.digest);
    }
}

form! {
    /// `USR TrID package stage parameter` with a package other than `MD5`: `CTP` (MSNP2) or an
    /// unknown one (reference §3.1 USR: unknown package → disconnect). The parameter may be a
    /// password, so it never appears in `Debug`.
    pub struct UsrOther<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The package (never `MD5`).
        pub package: Value<'a, AuthPackage>,
        /// The stage (`I`, `S`, …).
        pub stage: Token<'a>,
        /// The parameter.
        pub parameter: Secret<'a>,
    }
}

impl<'a> Form<'a> for UsrOther<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(UsrOther {
            trid: p.field()?,
            package: p.field()?,
            stage: p.field()?,
            parameter: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.package)
            .field(&self.stage)
            .field(&self.parameter);
    }
}

form! {
    /// `USR TrID OK user-handle friendly-name [SP verified]` — login succeeded (reference §3.1
    /// USR step 4). The verified flag (`0`/`1`) exists from MSNP6 on: the dialect decides whether
    /// it is present.
    pub struct UsrOk<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The account.
        pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
        /// The verified flag (MSNP6+), `None` before MSNP6.
        pub verified: Option<Value<'a, Verified>>,
    }
}

impl<'a> Form<'a> for UsrOk<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("OK")?;
        let handle = p.field()?;
        let name = p.field()?;
        let verified = if d.version() >= 6 {
            Some(p.field()?)
        } else {
            None
        };
        Ok(UsrOk {
            trid,
            handle,
            name,
            verified,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .literal("OK")
            .field(&self.handle)
            .field(&self.name)
            .opt_field(&self.verified);
    }
}

form! {
    /// `USR TrID user-handle cookie` — client logs in to a switchboard with the cookie of
    /// `XFR … SB` (reference §3.1 USR, SB form; §3.5).
    pub struct UsrSwitchboard<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The user.
        pub handle: Handle<'a>,
        /// The cookie from `XFR … SB`.
        pub cookie: Token<'a>,
    }
}

impl<'a> Form<'a> for UsrSwitchboard<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(UsrSwitchboard {
            trid: p.field()?,
            handle: p.field()?,
            cookie: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.handle).field(&self.cookie);
    }
}

form! {
    /// `USR TrID OK user-handle friendly-name` — switchboard login succeeded (reference §3.1).
    pub struct UsrSwitchboardOk<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The user.
        pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
    }
}

impl<'a> Form<'a> for UsrSwitchboardOk<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("OK")?;
        Ok(UsrSwitchboardOk {
            trid,
            handle: p.field()?,
            name: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .literal("OK")
            .field(&self.handle)
            .field(&self.name);
    }
}

form! {
    /// `XFR TrID SB` — client asks for a new switchboard (`XFR TrID NS` only in the pre-MSNP2
    /// beta; reference §3.1 XFR).
    pub struct XfrRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// What is asked for.
        pub kind: Value<'a, TransferKind>,
    }
}

impl<'a> Form<'a> for XfrRequest<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(XfrRequest {
            trid: p.field()?,
            kind: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid).field(&self.kind);
    }
}

form! {
    /// `XFR TrID SB address:port CKI cookie` — the switchboard to connect to (reference §3.1 XFR).
    pub struct XfrSwitchboard<'a> {
        /// Transaction ID of the client's `XFR TrID SB`.
        pub trid: TrId,
        /// `address:port`.
        pub address: Token<'a>,
        /// The cookie for `USR` on the switchboard.
        pub cookie: Token<'a>,
    }
}

impl<'a> Form<'a> for XfrSwitchboard<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("SB")?;
        let address = p.field()?;
        p.literal("CKI")?;
        Ok(XfrSwitchboard {
            trid,
            address,
            cookie: p.field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .literal("SB")
            .field(&self.address)
            .literal("CKI")
            .field(&self.cookie);
    }
}

form! {
    /// `XFR TrID NS address:port [SP 0 [SP current-server]]` — referral to another NS
    /// (reference §3.1 XFR). MSNP2 has no trailing parameter, MSNP3–MSNP6 a constant `0`, MSNP7
    /// appends the current server: the dialect decides the shape.
    pub struct XfrNotification<'a> {
        /// Transaction ID of the `USR … I` it answers.
        pub trid: TrId,
        /// `address:port` of the NS to use.
        pub address: Token<'a>,
        /// The constant parameter (`0`), MSNP3+.
        pub constant: Option<Token<'a>>,
        /// The current server, MSNP7 only.
        pub current: Option<Token<'a>>,
    }
}

impl<'a> Form<'a> for XfrNotification<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        let trid = p.field()?;
        p.literal("NS")?;
        let address = p.field()?;
        let constant = if d.version() >= 3 {
            Some(p.field()?)
        } else {
            None
        };
        let current = if d.version() >= 7 {
            Some(p.field()?)
        } else {
            None
        };
        Ok(XfrNotification {
            trid,
            address,
            constant,
            current,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .literal("NS")
            .field(&self.address)
            .opt_field(&self.constant)
            .opt_field(&self.current);
    }
}

form! {
    /// `XFR 0 NS 0` — forced soft reset: restart the login on the same server from `VER`
    /// (reference §3.1 XFR, §8 point 7).
    pub struct XfrReset {}
}

impl<'a> Form<'a> for XfrReset {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        p.literal("0")?;
        p.literal("NS")?;
        p.literal("0")?;
        Ok(XfrReset {})
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.literal("0").literal("NS").literal("0");
    }
}

form! {
    /// `CVR`/`CVQ TrID locale os-type os-ver arch library client-version [SP client-id]` — the
    /// client describes itself (reference §3.1 CVR / CVQ). `CVR` carries the client id from MSNP4
    /// on; for `CVQ` it is optional in every dialect (reference §13.6).
    pub struct ClientVersion<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Locale id, e.g. `0x0409`.
        pub locale: Token<'a>,
        /// OS type, e.g. `win`.
        pub os_type: Token<'a>,
        /// OS version, e.g. `4.10`.
        pub os_version: Token<'a>,
        /// CPU architecture, e.g. `i386`.
        pub arch: Token<'a>,
        /// Client library, e.g. `MSMSGS`.
        pub library: Token<'a>,
        /// Client version, e.g. `1.0.0863`.
        pub client_version: Token<'a>,
        /// Client id (MSNP4+).
        pub client_id: Option<Token<'a>>,
    }
}

impl<'a> ClientVersion<'a> {
    fn parse_fields(p: &mut Params<'a>, client_id: Option<bool>) -> Result<Self, DecodeError> {
        let mut v = ClientVersion {
            trid: p.field()?,
            locale: p.field()?,
            os_type: p.field()?,
            os_version: p.field()?,
            arch: p.field()?,
            library: p.field()?,
            client_version: p.field()?,
            client_id: None,
        };
        v.client_id = match client_id {
            Some(true) => Some(p.field()?),
            Some(false) => None,
            None => p.opt_field()?,
        };
        Ok(v)
    }

    /// Parses the `CVR` shape of `d`.
    pub(crate) fn parse_cvr(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        Self::parse_fields(p, Some(d.version() >= 4))
    }

    /// Parses the `CVQ` shape (client id optional).
    pub(crate) fn parse_cvq(p: &mut Params<'a>) -> Result<Self, DecodeError> {
        Self::parse_fields(p, None)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.locale)
            .field(&self.os_type)
            .field(&self.os_version)
            .field(&self.arch)
            .field(&self.library)
            .field(&self.client_version)
            .opt_field(&self.client_id);
    }
}

form! {
    /// `CVR`/`CVQ TrID recommended recommended2 minimum download-url [SP info-url]` — the server's
    /// version advice (reference §3.1 CVR / CVQ).
    pub struct VersionAdvice<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Recommended version.
        pub recommended: Token<'a>,
        /// Second recommended version.
        pub recommended2: Token<'a>,
        /// Minimum version.
        pub minimum: Token<'a>,
        /// Download URL.
        pub download_url: Token<'a>,
        /// Information URL (always present for CVQ).
        pub info_url: Option<Token<'a>>,
    }
}

impl<'a> Form<'a> for VersionAdvice<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(VersionAdvice {
            trid: p.field()?,
            recommended: p.field()?,
            recommended2: p.field()?,
            minimum: p.field()?,
            download_url: p.field()?,
            info_url: p.opt_field()?,
        })
    }
    fn write(&self, w: &mut Writer<'_>) {
        w.field(&self.trid)
            .field(&self.recommended)
            .field(&self.recommended2)
            .field(&self.minimum)
            .field(&self.download_url)
            .opt_field(&self.info_url);
    }
}

form! {
    /// `OUT [SP reason]` — graceful disconnect, no TrID (reference §3.1 OUT). Only the server
    /// gives a reason (`OTH`, `SSD`).
    pub struct Out<'a> {
        /// The reason (server only).
        pub reason: Option<Value<'a, OutReason>>,
    }
}

impl<'a> Out<'a> {
    pub(crate) fn parse_server(p: &mut Params<'a>) -> Result<Self, DecodeError> {
        Ok(Out {
            reason: p.opt_field()?,
        })
    }
    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.opt_field(&self.reason);
    }
}
