//! Validated values of the protocol.
//!
//! Values that callers build themselves refuse invalid input in their constructors; values that
//! come off the wire may be outside the documented sets and are then kept, byte for byte, as
//! [`Value::Unknown`].

pub mod context;
mod error_code;
mod token;
mod trid;
mod values;

pub use context::{Dialect, Direction, ServerKind};
pub use error_code::ErrorCode;
pub use token::{FriendlyName, Handle, MAX_TOKEN_LEN, Secret, Token, TokenList, url_decode};
pub(crate) use token::{check_token, is_token_byte};
pub use trid::TrId;
pub use values::{
    AckMode, AuthPackage, Enumerated, GtcMode, ImsState, List, OutReason, Privacy, Property,
    Status, TransferKind, Undocumented, UrlService, Value, Verified,
};

/// Why a value was refused by a constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidValue {
    /// The value is empty.
    #[error("empty value")]
    Empty,
    /// The value contains a byte that cannot appear in a parameter.
    #[error("byte 0x{byte:02x} at offset {at} cannot appear in a parameter")]
    ForbiddenByte {
        /// Offset of the byte.
        at: usize,
        /// The byte.
        byte: u8,
    },
    /// The value is longer than its documented limit.
    #[error("{len} bytes, more than the limit of {max}")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A list has more items than allowed.
    #[error("{count} items, more than the limit of {max}")]
    TooMany {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A number out of its documented range.
    #[error("{value} is outside {min}..={max}")]
    OutOfRange {
        /// The number.
        value: u64,
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
    /// A name that is not one of the documented values.
    #[error("{0:?} is not a documented value")]
    NotDocumented(String),
    /// A documented name where an undocumented value was asked for
    /// ([`Undocumented::new`]): the value is `Value::Known`.
    #[error("{0:?} is a documented value")]
    Documented(&'static str),
    /// Bytes without the documented shape of what they should be (a private key, reference §9).
    #[error("not {0}")]
    Shape(&'static str),
}
