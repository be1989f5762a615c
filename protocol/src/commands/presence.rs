//! Presence on the NS: `CHG ILN NLN FLN IMS` and the keep-alive `PNG QNG`
//! (reference §3.1 PNG/QNG, §3.3, §5).

use super::form;
use crate::types::{FriendlyName, Handle, ImsState, Status, TrId, Value};

form! {
    /// `CHG TrID status` — both directions: the client sets its status, the server echoes it or
    /// pushes `CHG 0 status` (reference §3.3 CHG).
    pub struct Chg<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The status.
        pub status: Value<'a, Status>,
    }
}

form! {
    /// `ILN TrID status user-handle friendly-name` — a contact's presence, with the TrID of the
    /// initial CHG or of an ADD (reference §3.3 ILN).
    pub struct Iln<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The contact's status.
        pub status: Value<'a, Status>,
        /// The contact.
        pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `NLN status user-handle friendly-name` — a contact came online, changed status or renamed
    /// itself; no TrID (reference §3.3 NLN).
    pub struct Nln<'a> {
        /// The contact's status.
        pub status: Value<'a, Status>,
        /// The contact.
        pub handle: Handle<'a>,
        /// Its display name.
        pub name: FriendlyName<'a>,
    }
}

form! {
    /// `FLN user-handle` — a contact went offline or hidden; no TrID (reference §3.3 FLN).
    pub struct Fln<'a> {
        /// The contact.
        pub handle: Handle<'a>,
    }
}

form! {
    /// `IMS TrID ON|OFF` — client turns switchboard access on or off (reference §3.3 IMS, MSNP3+).
    pub struct ImsRequest<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// On or off.
        pub state: Value<'a, ImsState>,
    }
}

form! {
    /// `IMS TrID 0 ON|OFF` — server's reply; the `0` is of unknown meaning and kept as sent
    /// (reference §3.3 IMS).
    pub struct Ims<'a> {
        /// Transaction ID.
        pub trid: TrId,
        /// The number of unknown meaning (`0`).
        pub unknown: u32,
        /// On or off.
        pub state: Value<'a, ImsState>,
    }
}
