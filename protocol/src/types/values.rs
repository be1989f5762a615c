//! The documented enumerations: lists, statuses, modes, properties, services, reasons.

use core::fmt;
use core::marker::PhantomData;

use super::{InvalidValue, Token};

mod sealed {
    /// Only this module's enumerations are [`Enumerated`](super::Enumerated): their names are
    /// tokens and distinct, which [`Value`](super::Value) relies on to round-trip.
    pub trait Sealed {}
}

/// An enumeration with a fixed set of documented wire names.
///
/// Sealed: implemented by the enumerations of this module only, whose names are distinct
/// tokens (a name with a space, or two values with one name, would not decode back).
pub trait Enumerated: sealed::Sealed + Sized + Copy + Eq + 'static {
    /// Every documented value.
    const ALL: &'static [Self];
    /// The wire name.
    fn as_str(self) -> &'static str;
    /// The value named by exactly these bytes (case-sensitive, reference §1.1).
    fn from_bytes(b: &[u8]) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str().as_bytes() == b)
    }
}

macro_rules! enumerated {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        #[non_exhaustive]
        pub enum $name { $($(#[$vm])* $var),+ }

        impl sealed::Sealed for $name {}

        impl Enumerated for $name {
            const ALL: &'static [Self] = &[$($name::$var),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl core::str::FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, InvalidValue> {
                <$name as Enumerated>::from_bytes(s.as_bytes())
                    .ok_or_else(|| InvalidValue::NotDocumented(s.to_owned()))
            }
        }
    };
}

enumerated!(
    /// A contact list (reference §6). `PL` is MSNP10+ and not a list here.
    List {
        /// `FL`: the people whose presence you follow.
        Forward = "FL",
        /// `AL`: the people allowed to see you.
        Allow = "AL",
        /// `BL`: the people blocked.
        Block = "BL",
        /// `RL`: the people who have you on their FL (server-maintained).
        Reverse = "RL",
    }
);

enumerated!(
    /// A presence status (reference §5). Case-sensitive.
    Status {
        /// `NLN`: online.
        Online = "NLN",
        /// `BSY`: busy.
        Busy = "BSY",
        /// `IDL`: idle.
        Idle = "IDL",
        /// `BRB`: be right back.
        BeRightBack = "BRB",
        /// `AWY`: away.
        Away = "AWY",
        /// `PHN`: on the phone.
        OnThePhone = "PHN",
        /// `LUN`: out to lunch.
        OutToLunch = "LUN",
        /// `HDN`: hidden (appear offline).
        Hidden = "HDN",
        /// `FLN`: offline ("semi-offline" as a CHG value).
        Offline = "FLN",
    }
);

impl Status {
    /// Whether others see the user online (every status but `HDN` and `FLN`, reference §5).
    pub fn is_visible_online(self) -> bool {
        !matches!(self, Status::Hidden | Status::Offline)
    }
}

enumerated!(
    /// The `BLP` setting: what happens to users on neither AL nor BL (reference §3.2).
    Privacy {
        /// `AL`: they may see and contact you.
        AllowAll = "AL",
        /// `BL`: they are blocked.
        BlockAll = "BL",
    }
);

enumerated!(
    /// The `GTC` setting (reference §3.2).
    GtcMode {
        /// `A`: ask before adding someone who added you.
        Ask = "A",
        /// `N`: do not ask.
        DontAsk = "N",
    }
);

enumerated!(
    /// A phone / mobile property of `PRP` and `BPR` (reference §3.2).
    Property {
        /// `PHH`: home phone.
        HomePhone = "PHH",
        /// `PHW`: work phone.
        WorkPhone = "PHW",
        /// `PHM`: mobile phone.
        MobilePhone = "PHM",
        /// `MOB`: allow MSN Mobile contact (`Y`/`N`).
        MobileContact = "MOB",
        /// `MBE`: mobile enabled (server-set).
        MobileEnabled = "MBE",
    }
);

enumerated!(
    /// The argument of `IMS` (reference §3.3).
    ImsState {
        /// `ON`.
        On = "ON",
        /// `OFF`.
        Off = "OFF",
    }
);

enumerated!(
    /// A service of `URL` usable in MSNP6 (reference §3.4).
    UrlService {
        /// `INBOX`.
        Inbox = "INBOX",
        /// `COMPOSE`.
        Compose = "COMPOSE",
        /// `MESSAGE`.
        Message = "MESSAGE",
        /// `FOLDERS`.
        Folders = "FOLDERS",
        /// `PERSON`.
        Person = "PERSON",
        /// `MOBILE` (MSNP5+).
        Mobile = "MOBILE",
        /// `CHGMOB` (MSNP5+).
        ChangeMobile = "CHGMOB",
        /// `PROFILE` (MSNP6+).
        Profile = "PROFILE",
        /// `N2PACCOUNT` (MSNP6+).
        N2pAccount = "N2PACCOUNT",
        /// `N2PFUND` (MSNP6+).
        N2pFund = "N2PFUND",
        /// `PASSWORD` (dropped by the official client in MSNP3).
        Password = "PASSWORD",
    }
);

enumerated!(
    /// The acknowledgement mode of a client `MSG` (reference §3.5).
    AckMode {
        /// `U`: no reply.
        Unacknowledged = "U",
        /// `N`: NAK on failure only.
        NegativeOnly = "N",
        /// `A`: ACK on success.
        Acknowledged = "A",
    }
);

enumerated!(
    /// The reason of a server `OUT` valid in MSNP6 (reference §3.1).
    OutReason {
        /// `OTH`: signed in elsewhere.
        OtherLogin = "OTH",
        /// `SSD`: server shutting down.
        ServerShutdown = "SSD",
    }
);

enumerated!(
    /// An authentication package of `INF`/`USR` (reference §3.1).
    AuthPackage {
        /// `MD5`: MSNP2–MSNP7.
        Md5 = "MD5",
        /// `CTP`: clear-text password, MSNP2 only.
        Ctp = "CTP",
    }
);

enumerated!(
    /// What a client `XFR` asks for (reference §3.1).
    TransferKind {
        /// `SB`: a new switchboard.
        Switchboard = "SB",
        /// `NS`: pre-MSNP2 beta only.
        Notification = "NS",
    }
);

enumerated!(
    /// The verified flag of `USR … OK` (MSNP6+, reference §3.1).
    Verified {
        /// `0`: unverified account.
        No = "0",
        /// `1`: verified account.
        Yes = "1",
    }
);

/// A parameter whose documented values form a set: either one of them, or the exact bytes of a
/// token outside the set (decoding is lossless, reference §1.1; validation judges it).
///
/// Grammar: `value = documented-name / token` (reference §1.1); which one is decided by the bytes
/// alone, so a value built either way decodes back to itself.
///
/// ```
/// use msnp6::types::{Status, Token, Undocumented, Value};
/// let nln = Value::<Status>::from_token(Token::new(&b"NLN"[..]).unwrap());
/// assert_eq!(nln, Value::Known(Status::Online));
/// // An undocumented value can only be built from bytes that name no documented one.
/// assert!(Undocumented::<Status>::new(Token::new(&b"NLN"[..]).unwrap()).is_err());
/// assert!(Undocumented::<Status>::new(Token::new(&b"ZZZ"[..]).unwrap()).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value<'a, T> {
    /// A documented value.
    Known(T),
    /// Anything else, byte for byte: never the name of a documented value (its constructor
    /// refuses one).
    Unknown(Undocumented<'a, T>),
}

/// The bytes of a token that names no documented value of `T` (the `Unknown` arm of
/// [`Value`]). Built only by [`Undocumented::new`] or [`Value::from_token`], which refuse a
/// documented name: `Value::Unknown` of `NLN` cannot exist, so equal values have equal bytes.
pub struct Undocumented<'a, T> {
    token: Token<'a>,
    of: PhantomData<fn() -> T>,
}

impl<'a, T: Enumerated> Undocumented<'a, T> {
    /// Wraps `token`; refuses a documented name of `T` ([`InvalidValue::Documented`]).
    pub fn new(token: Token<'a>) -> Result<Self, InvalidValue> {
        match T::from_bytes(token.as_bytes()) {
            Some(v) => Err(InvalidValue::Documented(v.as_str())),
            None => Ok(Undocumented {
                token,
                of: PhantomData,
            }),
        }
    }
}

impl<'a, T> Undocumented<'a, T> {
    /// The token.
    pub fn as_token(&self) -> &Token<'a> {
        &self.token
    }
    /// The exact wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.token.as_bytes()
    }
    /// The token, giving up the guarantee.
    pub fn into_token(self) -> Token<'a> {
        self.token
    }
    /// Detaches the value from the buffer it was decoded from.
    pub fn into_owned(self) -> Undocumented<'static, T> {
        Undocumented {
            token: self.token.into_owned(),
            of: PhantomData,
        }
    }
}

impl<T> Clone for Undocumented<'_, T> {
    fn clone(&self) -> Self {
        Undocumented {
            token: self.token.clone(),
            of: PhantomData,
        }
    }
}

impl<T> PartialEq for Undocumented<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.token == other.token
    }
}

impl<T> Eq for Undocumented<'_, T> {}

impl<T> core::hash::Hash for Undocumented<'_, T> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.token.hash(state);
    }
}

impl<T> fmt::Debug for Undocumented<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Undocumented({:?})",
            String::from_utf8_lossy(self.as_bytes())
        )
    }
}

impl<T> fmt::Display for Undocumented<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.token, f)
    }
}

impl<'a, T: Enumerated> Value<'a, T> {
    /// Classifies a token: [`Value::Known`] if it names a documented value, else
    /// [`Value::Unknown`].
    #[inline]
    pub fn from_token(t: Token<'a>) -> Self {
        match T::from_bytes(t.as_bytes()) {
            Some(v) => Value::Known(v),
            None => Value::Unknown(Undocumented {
                token: t,
                of: PhantomData,
            }),
        }
    }
    /// The documented value, if it is one.
    pub fn known(&self) -> Option<T> {
        match self {
            Value::Known(v) => Some(*v),
            Value::Unknown(_) => None,
        }
    }
    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Value::Known(v) => v.as_str().as_bytes(),
            Value::Unknown(t) => t.as_bytes(),
        }
    }
    /// Detaches the value from the buffer it was decoded from.
    pub fn into_owned(self) -> Value<'static, T> {
        match self {
            Value::Known(v) => Value::Known(v),
            Value::Unknown(t) => Value::Unknown(t.into_owned()),
        }
    }
}

impl<T: Enumerated> From<T> for Value<'_, T> {
    fn from(v: T) -> Self {
        Value::Known(v)
    }
}

impl<T: Enumerated> fmt::Display for Value<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Known(v) => f.write_str(v.as_str()),
            Value::Unknown(t) => fmt::Display::fmt(t, f),
        }
    }
}
