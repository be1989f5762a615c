//! Challenges on the NS: `CHL QRY` (reference §3.4 CHL/QRY, §9).

use super::form;
use crate::grammar::Payload;
use crate::types::{Token, TrId};

form! {
    /// `CHL TrID` — client asks for a challenge (reference §3.4 CHL).
    pub struct ChlRequest {
        /// Transaction ID.
        pub trid: TrId,
    }
}

form! {
    /// `CHL TrID challenge` — the server's challenge: `CHL 0 …` at any time, or the reply to a
    /// client `CHL TrID` (reference §3.4 CHL). Normally 20 decimal digits, but any token.
    pub struct Chl<'a> {
        /// Transaction ID (0 when unsolicited).
        pub trid: TrId,
        /// The challenge.
        pub challenge: Token<'a>,
    }
}

form! {
    /// `QRY TrID public-key length` + response — the client's answer on a new TrID; the payload is
    /// the 32 lower-case hex digits of MD5(challenge + private key) (reference §3.4 QRY, §9).
    pub struct Qry<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The client's public key (client id).
        pub public_key: Token<'a>,
        /// The response: 32 lower-case hex digits.
        pub payload: Payload<'a> = payload,
    }
}

form! {
    /// `QRY TrID` — the server accepted the response (reference §3.4 QRY).
    pub struct QryOk {
        /// Transaction ID.
        pub trid: TrId,
    }
}
