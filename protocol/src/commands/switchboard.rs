//! The switchboard: `MSG CAL ANS IRO JOI ACK NAK BYE` and the NS invitation `RNG`
//! (reference §3.4 RNG, §3.5).

use super::form;
use crate::grammar::Payload;
use crate::types::{AckMode, FriendlyName, Handle, Token, TrId, Value};

form! {
    /// `MSG TrID U|N|A length` + MIME message — a client sends a message on the SB
    /// (reference §3.5 MSG, §10.2).
    pub struct MsgSend<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Which delivery reply is wanted.
        pub ack: Value<'a, AckMode>,
        /// The MIME message.
        pub payload: Payload<'a> = payload,
    }
}

form! {
    /// `MSG sender-handle sender-friendly-name length` + MIME message — a message delivered by
    /// the SB, or by the NS as `MSG Hotmail Hotmail length`; no TrID (reference §3.4, §3.5 MSG, §10).
    pub struct Msg<'a> {
        /// The sender.
        pub handle: Handle<'a>,
        /// The sender's display name.
        pub name: FriendlyName<'a>,
        /// The MIME message.
        pub payload: Payload<'a> = payload,
    }
}

form! {
    /// `RNG session-id address:port CKI cookie inviter-handle inviter-friendly-name` — an
    /// invitation to a switchboard; no TrID (reference §3.4 RNG).
    pub struct Rng<'a> {
        /// The switchboard session id (decimal).
        pub session: Token<'a>,
        /// `address:port` of the switchboard.
        pub address: Token<'a>,
        /// The cookie for `ANS`.
        "CKI" pub cookie: Token<'a>,
        /// Who invites.
        pub handle: Handle<'a>,
        /// The inviter's display name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `CAL TrID user-handle` — invite someone into the session (reference §3.5 CAL).
    pub struct Cal<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Who to invite.
        pub handle: Handle<'a>,
    }
}

form! {
    /// `CAL TrID RINGING session-id` — the invitation is on its way (reference §3.5 CAL).
    pub struct CalRinging<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The session id.
        "RINGING" pub session: Token<'a>,
    }
}

form! {
    /// `ANS TrID my-handle cookie session-id` — join a session you were invited to
    /// (reference §3.5 ANS).
    pub struct Ans<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// Your own handle.
        pub handle: Handle<'a>,
        /// The cookie of `RNG`.
        pub cookie: Token<'a>,
        /// The session id of `RNG`.
        pub session: Token<'a>,
    }
}

form! {
    /// `ANS TrID OK` — joined (reference §3.5 ANS).
    pub struct AnsOk {
        /// Transaction ID.
        pub trid: TrId,
    } "OK"
}

form! {
    /// `IRO TrID index total participant-handle participant-friendly-name` — the roster sent
    /// after ANS (reference §3.5 IRO).
    pub struct Iro<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// 1-based index of this participant.
        pub index: u32,
        /// Number of participants.
        pub total: u32,
        /// The participant.
        pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `JOI user-handle friendly-name` — a participant joined; no TrID (reference §3.5 JOI).
    pub struct Joi<'a> {
        /// The participant.
        pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `ACK TrID` / `NAK TrID` — delivery result of `MSG A` / `MSG N` (reference §3.5 ACK/NAK).
    pub struct Delivery {
        /// Transaction ID of the `MSG`.
        pub trid: TrId,
    }
}

form! {
    /// `BYE user-handle [SP 1]` — a participant left; `1` when the server timed it out
    /// (reference §3.5 BYE).
    pub struct Bye<'a> {
        /// The participant.
        pub handle: Handle<'a>,
        /// `1` when the server timed it out.
        pub reason: Option<Token<'a>> = opt,
    }
}
