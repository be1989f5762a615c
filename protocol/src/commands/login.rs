//! Login and session commands on the DS and NS: `VER INF USR XFR CVR CVQ OUT PNG QNG`
//! (reference §3.1), and the switchboard forms of `USR` (reference §3.1, §3.5).

use super::{InvalidForm, form};
use crate::grammar::{Presence, Shape};
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
        pub dialects: TokenList<'a> = list,
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

form! {
    /// `INF TrID` — client asks for the authentication packages (reference §3.1 INF).
    pub struct InfRequest {
        /// Transaction ID.
        pub trid: TrId,
    }
}

form! {
    /// `INF TrID package *(SP package)` — server lists its packages, `MD5` in MSNP3–MSNP7
    /// (reference §3.1 INF).
    pub struct Inf<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The packages, as sent.
        pub packages: TokenList<'a> = list,
    }
}

form! {
    /// `USR TrID MD5 I user-handle` — client starts an MD5 login (reference §3.1 USR, step 1).
    pub struct UsrInitial<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The account.
        "MD5" "I" pub handle: Handle<'a>,
    }
}

form! {
    /// `USR TrID MD5 S salt` — server sends the salt (reference §3.1 USR, step 2).
    pub struct UsrSalt<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The opaque salt (e.g. `1234567890.123456789`).
        "MD5" "S" pub salt: Token<'a>,
    }
}

form! {
    /// `USR TrID MD5 S digest` — client proves the password: lower-case hex MD5 of salt followed
    /// by password (reference §3.1 USR step 3, §9). The digest never appears in `Debug`.
    pub struct UsrResponse<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The 32 hex digits, as sent (validation checks the shape).
        "MD5" "S" pub digest: Secret<'a>,
    }
}

form! {
    checked
    /// `USR TrID package stage parameter` with a package other than `MD5`: `CTP` (MSNP2) or an
    /// unknown one (reference §3.1 USR: unknown package → disconnect). The parameter may be a
    /// password, so it never appears in `Debug`.
    pub struct UsrOther<'a> {
        /// Transaction ID.
        trid: TrId,
        /// The package (never `MD5`).
        package: Value<'a, AuthPackage>,
        /// The stage (`I`, `S`, …).
        stage: Token<'a>,
        /// The parameter.
        parameter: Secret<'a>,
    }
}

impl<'a> UsrOther<'a> {
    /// A `USR` with another package; refuses `MD5`, whose lines are the MD5 forms
    /// ([`InvalidForm::UsrOtherMd5`]).
    pub fn new(
        trid: TrId,
        package: Value<'a, AuthPackage>,
        stage: Token<'a>,
        parameter: Secret<'a>,
    ) -> Result<Self, InvalidForm> {
        if package.known() == Some(AuthPackage::Md5) {
            return Err(InvalidForm::UsrOtherMd5);
        }
        Ok(UsrOther {
            trid,
            package,
            stage,
            parameter,
        })
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
        "OK" pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
        /// The verified flag (MSNP6+), `None` before MSNP6.
        pub verified: Option<Value<'a, Verified>> = since(6),
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

form! {
    /// `USR TrID OK user-handle friendly-name` — switchboard login succeeded (reference §3.1).
    pub struct UsrSwitchboardOk<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The user.
        "OK" pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
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

form! {
    /// `XFR TrID SB address:port CKI cookie` — the switchboard to connect to (reference §3.1 XFR).
    pub struct XfrSwitchboard<'a> {
        /// Transaction ID of the client's `XFR TrID SB`.
        pub trid: TrId,
        /// `address:port`.
        "SB" pub address: Token<'a>,
        /// The cookie for `USR` on the switchboard.
        "CKI" pub cookie: Token<'a>,
    }
}

form! {
    checked
    /// `XFR TrID NS address:port [SP 0 [SP current-server]]` — referral to another NS
    /// (reference §3.1 XFR). MSNP2 has no trailing parameter, MSNP3–MSNP6 a constant `0`, MSNP7
    /// appends the current server: the dialect decides the shape.
    pub struct XfrNotification<'a> {
        /// Transaction ID of the `USR … I` it answers.
        trid: TrId,
        /// `address:port` of the NS to use.
        "NS" address: Token<'a>,
        /// The constant parameter (`0`), MSNP3+.
        constant: Option<Token<'a>> = since(3),
        /// The current server, MSNP7 only.
        current: Option<Token<'a>> = since(7),
    }
}

impl<'a> XfrNotification<'a> {
    /// A referral to an NS; refuses a current server without the constant before it
    /// ([`InvalidForm::XfrCurrentWithoutConstant`]) and `XFR 0 NS 0` with nothing after it,
    /// which is the reset [`XfrReset`] ([`InvalidForm::XfrResetShape`]).
    pub fn new(
        trid: TrId,
        address: Token<'a>,
        constant: Option<Token<'a>>,
        current: Option<Token<'a>>,
    ) -> Result<Self, InvalidForm> {
        if current.is_some() && constant.is_none() {
            return Err(InvalidForm::XfrCurrentWithoutConstant);
        }
        if trid == TrId::ASYNC && address.as_bytes() == b"0" && constant.is_none() {
            return Err(InvalidForm::XfrResetShape);
        }
        Ok(XfrNotification {
            trid,
            address,
            constant,
            current,
        })
    }
}

form! {
    /// `XFR 0 NS 0` — forced soft reset: restart the login on the same server from `VER`
    /// (reference §3.1 XFR, §8 point 7).
    pub struct XfrReset {} "0" "NS" "0"
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
        /// Client id (MSNP4+; optional in `CVQ`).
        pub client_id: Option<Token<'a>> = shape(client_id),
    }
}

/// Where `CVR`/`CVQ` carry the client id: `CVR` from MSNP4 on, `CVQ` optionally in every
/// dialect (reference §3.1 CVR, §13.6).
fn client_id(g: Shape) -> Presence {
    match (g.cvq, g.since(4)) {
        (true, _) => Presence::Optional,
        (false, true) => Presence::Required,
        (false, false) => Presence::Absent,
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
        pub info_url: Option<Token<'a>> = opt,
    }
}

form! {
    /// `OUT [SP reason]` — graceful disconnect, no TrID (reference §3.1 OUT). Only the server
    /// gives a reason (`OTH`, `SSD`).
    pub struct Out<'a> {
        /// The reason (server only).
        pub reason: Option<Value<'a, OutReason>> = opt,
    }
}
