//! Byte-string parameters: tokens, lists of tokens, handles, friendly names and secrets.
//!
//! Every parameter on an MSNP command line is a *token*: one or more bytes, none of them SP, TAB,
//! CR, LF or NUL (reference §1.1: parameters are separated by one space and the line ends with
//! CR LF). Tokens keep their exact wire bytes so that decoding then encoding is byte-exact.

use core::fmt;
use std::borrow::Cow;

use super::InvalidValue;

/// Whether `b` may appear inside a token.
#[inline]
pub(crate) const fn is_token_byte(b: u8) -> bool {
    !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0)
}

/// Checks the token rule: non-empty, no SP/TAB/CR/LF/NUL.
pub(crate) fn check_token(b: &[u8]) -> Result<(), InvalidValue> {
    if b.is_empty() {
        return Err(InvalidValue::Empty);
    }
    match b.iter().position(|&c| !is_token_byte(c)) {
        Some(at) => Err(InvalidValue::ForbiddenByte { at, byte: b[at] }),
        None => Ok(()),
    }
}

fn fmt_bytes(b: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match core::str::from_utf8(b) {
        Ok(s) => f.write_str(s),
        Err(_) => f.write_str(&String::from_utf8_lossy(b)),
    }
}

macro_rules! bytes_newtype {
    ($(#[$m:meta])* $name:ident, max = $max:expr, what = $what:literal) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(Cow<'a, [u8]>);

        impl<'a> $name<'a> {
            /// The longest value this type accepts, in bytes.
            pub const MAX_LEN: usize = $max;

            /// Builds a value from borrowed or owned bytes, refusing bytes that break its rule.
            pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Result<Self, InvalidValue> {
                let bytes = bytes.into();
                check_token(&bytes)?;
                if bytes.len() > Self::MAX_LEN {
                    return Err(InvalidValue::TooLong { len: bytes.len(), max: Self::MAX_LEN });
                }
                Ok(Self(bytes))
            }

            /// Builds a value whose bytes the grammar has already checked.
            #[inline]
            pub(crate) fn from_checked(bytes: &'a [u8]) -> Self {
                debug_assert!(Self::new(bytes).is_ok());
                Self(Cow::Borrowed(bytes))
            }

            /// The exact wire bytes.
            #[inline]
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// The wire bytes as UTF-8, if they are.
            pub fn as_str(&self) -> Option<&str> {
                core::str::from_utf8(&self.0).ok()
            }

            /// Detaches the value from the buffer it was decoded from.
            pub fn into_owned(self) -> $name<'static> {
                $name(Cow::Owned(self.0.into_owned()))
            }
        }

        impl $name<'static> {
            /// Builds a value from a literal written in the program, such as a default or a
            /// placeholder (`Handle::from_static(b"Hotmail")`).
            ///
            /// # Panics
            ///
            /// When the literal breaks the value's rule: a mistake in the program, never in its
            /// input (for bytes that come from input, use [`new`](Self::new)).
            #[track_caller]
            pub fn from_static(bytes: &'static [u8]) -> Self {
                match Self::new(bytes) {
                    Ok(value) => value,
                    Err(e) => panic!(concat!("invalid ", stringify!($name), " literal: {}"), e),
                }
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt_bytes(&self.0, f)
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), String::from_utf8_lossy(&self.0))
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = InvalidValue;
            fn try_from(s: &'a str) -> Result<Self, InvalidValue> {
                Self::new(s.as_bytes())
            }
        }

        impl<'a> TryFrom<&'a [u8]> for $name<'a> {
            type Error = InvalidValue;
            fn try_from(s: &'a [u8]) -> Result<Self, InvalidValue> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name<'static> {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, InvalidValue> {
                Self::new(s.into_bytes())
            }
        }

        impl AsRef<[u8]> for $name<'_> {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }

        impl PartialEq<str> for $name<'_> {
            fn eq(&self, other: &str) -> bool {
                &*self.0 == other.as_bytes()
            }
        }

        impl PartialEq<&str> for $name<'_> {
            fn eq(&self, other: &&str) -> bool {
                &*self.0 == other.as_bytes()
            }
        }
    };
}

/// The longest token: 2044 bytes, the longest parameter a command line of the default limit
/// ([`Limits::max_line`](crate::Limits), 2048 bytes) can hold — the line minus a three-letter
/// verb and its space (`OUT token`, an unknown verb's lone parameter).
///
/// No source documents a line or token limit (reference §1.1, §12, §13.13); the codec chooses
/// the line limit, and a token longer than any line the decoder accepts could be built but never
/// sent. So every token that can be built fits a line the encoder writes and the decoder reads,
/// and the decoder refuses a longer one (under a raised `max_line`) as it would refuse building
/// it. Whether a whole command with several parameters fits the line is the encoder's check.
pub const MAX_TOKEN_LEN: usize = 2048 - 4;

bytes_newtype!(
    /// An opaque parameter: a salt, cookie, challenge, address, URL, property value, ….
    ///
    /// Grammar: `token = 1*(any byte except SP / TAB / CR / LF / NUL)` (reference §1.1).
    Token, max = MAX_TOKEN_LEN, what = "token"
);

bytes_newtype!(
    /// A user handle (account name, "Passport"): a token of at most 129 bytes (reference §7, §12).
    ///
    /// Decoding is syntactic: `a@b` and `hello` are handles on the wire. Whether a handle is a
    /// well-formed e-mail address (`local@domain` with a dot in the domain, reference §14) is
    /// answered by [`Handle::is_email`] and checked by validation (error 201 / 208).
    Handle, max = 129, what = "handle"
);

bytes_newtype!(
    /// A friendly (display) name as sent on the wire: URL-encoded, at most 387 bytes *after*
    /// encoding (reference §7, §12: 129 characters × 3 for `%XX`).
    ///
    /// The wire bytes are kept as sent (`example%40hotmail.com` stays that way); use
    /// [`FriendlyName::decode`] to get the text and [`FriendlyName::encode`] to build one.
    FriendlyName, max = 387, what = "friendly name"
);

impl Handle<'_> {
    /// Whether the handle has the documented e-mail shape: `local@domain`, a non-empty local
    /// part, exactly one `@`, and a domain with at least one dot that neither starts nor ends the
    /// domain (reference §14, "Handle syntax").
    pub fn is_email(&self) -> bool {
        let b = self.as_bytes();
        let mut parts = b.split(|&c| c == b'@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        !local.is_empty()
            && domain.contains(&b'.')
            && !domain.starts_with(b".")
            && !domain.ends_with(b".")
            && !domain.windows(2).any(|w| w == b"..")
    }
}

/// Bytes that [`FriendlyName::encode`] writes as `%XX`: everything that may not appear in a
/// token, `%` itself, and every non-ASCII or control byte (the official client encodes at least
/// spaces and `%`, reference §7).
const fn must_escape(b: u8) -> bool {
    !is_token_byte(b) || b == b'%' || b < 0x20 || b >= 0x7f
}

impl FriendlyName<'static> {
    /// URL-encodes `text` (reference §7): space, `%`, control and non-ASCII bytes become `%XX`
    /// (upper-case hex), everything else is kept.
    ///
    /// ```
    /// use msnp6::types::FriendlyName;
    /// let name = FriendlyName::encode("example user").unwrap();
    /// assert_eq!(name.as_bytes(), b"example%20user");
    /// assert_eq!(&*name.decode(), b"example user");
    /// ```
    pub fn encode(text: &str) -> Result<Self, InvalidValue> {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut out = Vec::with_capacity(text.len());
        for &b in text.as_bytes() {
            if must_escape(b) {
                out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            } else {
                out.push(b);
            }
        }
        FriendlyName::new(out)
    }
}

impl FriendlyName<'_> {
    /// URL-decodes the wire bytes: every `%XX` with two hex digits becomes one byte; a `%` not
    /// followed by two hex digits is kept as it is (reference §7).
    pub fn decode(&self) -> Cow<'_, [u8]> {
        url_decode(self.as_bytes())
    }

    /// The decoded name as text (UTF-8, lossy for invalid sequences).
    pub fn decode_lossy(&self) -> String {
        String::from_utf8_lossy(&self.decode()).into_owned()
    }
}

/// URL-decodes bytes as MSNP does (reference §7): `%XX` → one byte, other bytes unchanged.
pub fn url_decode(b: &[u8]) -> Cow<'_, [u8]> {
    if !b.contains(&b'%') {
        return Cow::Borrowed(b);
    }
    fn hex(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Cow::Owned(out)
}

/// A password or login digest: a token whose bytes never appear in `Debug` output.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret<'a>(Token<'a>);

impl<'a> Secret<'a> {
    /// Wraps a token.
    pub fn new(token: Token<'a>) -> Self {
        Secret(token)
    }
    /// The token (deliberately explicit: secrets are not printed by accident).
    pub fn expose(&self) -> &Token<'a> {
        &self.0
    }
    /// Detaches the value from the buffer it was decoded from.
    pub fn into_owned(self) -> Secret<'static> {
        Secret(self.0.into_owned())
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.as_bytes().len())
    }
}

/// One or more tokens separated by single spaces, kept as one wire slice (e.g. the dialects of
/// `VER`, the packages of `INF`). At most [`TokenList::MAX_ITEMS`] items and
/// [`TokenList::MAX_LEN`] bytes.
///
/// Grammar: `list = token *(SP token)` (reference §1.1).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenList<'a>(Cow<'a, [u8]>);

impl<'a> TokenList<'a> {
    /// The most items a list may hold.
    pub const MAX_ITEMS: usize = 32;
    /// The longest list in bytes, spaces included: [`MAX_TOKEN_LEN`], the longest run of
    /// parameters a default line holds after its verb (an unknown verb's parameters).
    pub const MAX_LEN: usize = MAX_TOKEN_LEN;

    /// Builds a list from tokens.
    pub fn from_tokens<'t>(
        tokens: impl IntoIterator<Item = &'t Token<'t>>,
    ) -> Result<TokenList<'static>, InvalidValue> {
        let mut out = Vec::new();
        for (n, t) in tokens.into_iter().enumerate() {
            if n > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(t.as_bytes());
        }
        TokenList::new(out)
    }

    /// Builds a list from its wire form (`MSNP6 MSNP5 CVR0`).
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Result<Self, InvalidValue> {
        let bytes = bytes.into();
        check_list(&bytes)?;
        Ok(TokenList(bytes))
    }

    /// Builds a list whose bytes the grammar has already checked.
    #[inline]
    pub(crate) fn from_checked(bytes: &'a [u8]) -> Self {
        debug_assert!(check_list(bytes).is_ok());
        TokenList(Cow::Borrowed(bytes))
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.0.split(|&b| b == b' ')
    }

    /// How many items the list has.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Always false: a list has at least one item.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The exact wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Detaches the value from the buffer it was decoded from.
    pub fn into_owned(self) -> TokenList<'static> {
        TokenList(Cow::Owned(self.0.into_owned()))
    }
}

/// Checks the list rule: tokens separated by single spaces, at most [`TokenList::MAX_ITEMS`]
/// of them and [`TokenList::MAX_LEN`] bytes in all.
fn check_list(bytes: &[u8]) -> Result<(), InvalidValue> {
    let mut n = 0;
    let mut start = 0;
    for item in bytes.split(|&b| b == b' ') {
        check_token(item).map_err(|e| match e {
            InvalidValue::ForbiddenByte { at, byte } => InvalidValue::ForbiddenByte {
                at: start + at,
                byte,
            },
            other => other,
        })?;
        start += item.len() + 1;
        n += 1;
    }
    if n > TokenList::MAX_ITEMS {
        return Err(InvalidValue::TooMany {
            count: n,
            max: TokenList::MAX_ITEMS,
        });
    }
    if bytes.len() > TokenList::MAX_LEN {
        return Err(InvalidValue::TooLong {
            len: bytes.len(),
            max: TokenList::MAX_LEN,
        });
    }
    Ok(())
}

impl TokenList<'static> {
    /// Builds a list from a literal written in the program (`TokenList::from_static(b"MSNP6")`).
    ///
    /// # Panics
    ///
    /// When the literal is not a list of tokens: a mistake in the program, never in its input
    /// (for bytes that come from input, use [`new`](Self::new)).
    #[track_caller]
    pub fn from_static(bytes: &'static [u8]) -> Self {
        match Self::new(bytes) {
            Ok(list) => list,
            Err(e) => panic!("invalid TokenList literal: {e}"),
        }
    }
}

impl fmt::Debug for TokenList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(String::from_utf8_lossy))
            .finish()
    }
}

impl fmt::Display for TokenList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_bytes(&self.0, f)
    }
}
