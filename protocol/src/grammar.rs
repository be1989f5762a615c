//! The shared pieces of the grammar: nom parsers for the parameter kinds, a cursor that walks
//! the parameters of one command line, and the writer that encodes them again.
//!
//! Every command form (in [`crate::commands`]) describes itself once, as a sequence of
//! parameters read by [`Params`] and written by [`Writer`] in the same order; the parameter
//! kinds are [`Field`]s, each with its nom parser and its encoder side by side.
//!
//! ```text
//! line      = verb *(SP param)            ; reference §1.1, strict: exactly one SP
//! verb      = 3UPPER / 3DIGIT
//! param     = 1*(%x01-08 / %x0B-0C / %x0E-1F / %x21-FF)   ; no SP TAB CR LF NUL
//! number    = "0" / (%x31-39 *9DIGIT)     ; ≤ 4294967295, no leading zeros
//! ```

use std::borrow::Cow;

use nom::IResult;

use crate::error::{DecodeError, Expected};
use crate::types::{
    Enumerated, ErrorCode, FriendlyName, Handle, Secret, Token, TokenList, TrId, Value,
    is_token_byte,
};

/// A grammar failure: how many bytes were left when it happened, and what was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fail {
    pub(crate) remaining: usize,
    pub(crate) expected: Expected,
}

impl<'a> nom::error::ParseError<&'a [u8]> for Fail {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        Fail {
            remaining: input.len(),
            expected: Expected::Token,
        }
    }
    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

pub(crate) type PResult<'a, O> = IResult<&'a [u8], O, Fail>;

#[cold]
fn fail<O>(i: &[u8], expected: Expected) -> PResult<'_, O> {
    Err(nom::Err::Error(Fail {
        remaining: i.len(),
        expected,
    }))
}

#[inline]
fn expecting<'a, O>(r: PResult<'a, O>, expected: Expected) -> PResult<'a, O> {
    r.map_err(|e| e.map(|f| Fail { expected, ..f }))
}

/// `param = 1*(any byte but SP TAB CR LF NUL)`
#[inline(always)]
pub(crate) fn token(i: &[u8]) -> PResult<'_, &[u8]> {
    let n = token_len(i);
    if n == 0 {
        return fail(i, Expected::Token);
    }
    Ok((&i[n..], &i[..n]))
}

/// The length of the run of token bytes at the start of `i`.
///
/// Every byte that ends a token (SP TAB CR LF NUL) is below 0x21, so the scan reads eight bytes
/// at a time and flags the bytes below 0x21 with the SWAR test `(w - 0x21…) & !w & 0x80…`,
/// whose lowest flag is exact (httparse scans the same way). A flagged byte that is a token byte
/// after all (a control byte other than TAB CR LF NUL) is stepped over. The tail is byte-wise.
#[inline]
fn token_len(i: &[u8]) -> usize {
    const LOW: u64 = 0x2121_2121_2121_2121;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut n = 0;
    while let Some(chunk) = i[n..].first_chunk::<8>() {
        let w = u64::from_le_bytes(*chunk);
        let below = w.wrapping_sub(LOW) & !w & HIGH;
        if below == 0 {
            n += 8;
            continue;
        }
        let at = n + (below.trailing_zeros() / 8) as usize;
        if !is_token_byte(i[at]) {
            return at;
        }
        n = at + 1;
    }
    while n < i.len() && is_token_byte(i[n]) {
        n += 1;
    }
    n
}

/// `number = "0" / (%x31-39 *9DIGIT)`, at most 4294967295, and not followed by a token byte.
/// One pass: the digits are counted and accumulated together; every failure is reported at the
/// start of the number.
#[inline]
pub(crate) fn number(i: &[u8]) -> PResult<'_, u32> {
    let mut len = 0;
    let mut n: u64 = 0;
    for &b in i {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        // Exact up to 19 digits; a longer run is rejected below whatever `n` is.
        n = n.wrapping_mul(10).wrapping_add(u64::from(digit));
        len += 1;
    }
    let canonical = len > 0 && len <= 10 && (len == 1 || i[0] != b'0');
    match u32::try_from(n) {
        Ok(n) if canonical && !i.get(len).is_some_and(|&b| is_token_byte(b)) => Ok((&i[len..], n)),
        _ => fail(i, Expected::Number),
    }
}

/// Parses a canonical decimal `u32`: digits only, no leading zero unless the number is `0` —
/// [`number`] taking all of `d`.
pub(crate) fn parse_canonical_u32(d: &[u8]) -> Option<u32> {
    match number(d) {
        Ok(([], n)) => Some(n),
        _ => None,
    }
}

/// Writes a `u32` in canonical decimal without allocating.
#[inline]
pub(crate) fn write_u32(out: &mut Vec<u8>, n: u32) {
    write_decimal(out, u64::from(n));
}

/// Writes a number in canonical decimal (no leading zeros) without allocating: the one decimal
/// writer of the crate (command parameters and MSG header values).
pub(crate) fn write_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        // `n % 10` < 10, so the cast cannot truncate.
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A parameter kind: its nom parser and its encoder, side by side.
pub(crate) trait Field<'a>: Sized {
    /// Parses the parameter at the start of `i` (no leading space).
    fn parse(i: &'a [u8]) -> PResult<'a, Self>;
    /// Appends the wire form.
    fn write(&self, out: &mut Vec<u8>);
}

impl<'a> Field<'a> for TrId {
    /// `trid = number` (reference §1.2)
    #[inline(always)]
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        expecting(number(i), Expected::TrId).map(|(r, n)| (r, TrId(n)))
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_u32(out, self.0);
    }
}

impl<'a> Field<'a> for u32 {
    #[inline(always)]
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        number(i)
    }
    fn write(&self, out: &mut Vec<u8>) {
        write_u32(out, *self);
    }
}

impl<'a> Field<'a> for Token<'a> {
    #[inline(always)]
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, t) = token(i)?;
        if t.len() > Token::MAX_LEN {
            return fail(i, Expected::Token);
        }
        Ok((r, Token::from_checked(t)))
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl<'a> Field<'a> for Handle<'a> {
    /// `handle = param` of at most 129 bytes (reference §7)
    #[inline(always)]
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, t) = expecting(token(i), Expected::Handle)?;
        if t.len() > Handle::MAX_LEN {
            return fail(i, Expected::Handle);
        }
        Ok((r, Handle::from_checked(t)))
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl<'a> Field<'a> for FriendlyName<'a> {
    /// `friendly-name = param` of at most 387 bytes, URL-encoded (reference §7)
    #[inline(always)]
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        let (r, t) = expecting(token(i), Expected::FriendlyName)?;
        if t.len() > FriendlyName::MAX_LEN {
            return fail(i, Expected::FriendlyName);
        }
        Ok((r, FriendlyName::from_checked(t)))
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl<'a> Field<'a> for Secret<'a> {
    #[inline(always)]
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        Token::parse(i).map(|(r, t)| (r, Secret::new(t)))
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.expose().as_bytes());
    }
}

impl<'a, T: Enumerated> Field<'a> for Value<'a, T> {
    #[inline(always)]
    fn parse(i: &'a [u8]) -> PResult<'a, Self> {
        Token::parse(i).map(|(r, t)| (r, Value::from_token(t)))
    }
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

/// A payload: the bytes after a payload command's line, `length` bytes long (reference §1.4).
///
/// Its `Debug` output shows only the length: a QRY payload is a challenge response.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Payload<'a>(Cow<'a, [u8]>);

impl<'a> Payload<'a> {
    /// The largest payload length the encoder can write (a `u32`).
    pub const MAX_LEN: usize = u32::MAX as usize;

    /// Wraps bytes.
    pub fn new(bytes: impl Into<Cow<'a, [u8]>>) -> Self {
        Payload(bytes.into())
    }
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Detaches the value from the buffer it was decoded from.
    pub fn into_owned(self) -> Payload<'static> {
        Payload(Cow::Owned(self.0.into_owned()))
    }
}

impl core::fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Payload({} bytes)", self.0.len())
    }
}

/// Detaching a decoded value from its input buffer.
pub(crate) trait IntoOwned {
    type Owned;
    fn into_owned(self) -> Self::Owned;
}

macro_rules! into_owned_identity {
    ($($t:ty),*) => { $(impl IntoOwned for $t { type Owned = $t; fn into_owned(self) -> $t { self } })* };
}
into_owned_identity!(TrId, u32, bool, ErrorCode);

macro_rules! into_owned_cow {
    ($($t:ident),*) => { $(impl IntoOwned for $t<'_> { type Owned = $t<'static>; fn into_owned(self) -> $t<'static> { $t::into_owned(self) } })* };
}
into_owned_cow!(Token, Handle, FriendlyName, Secret, TokenList, Payload);

impl<T: Enumerated> IntoOwned for Value<'_, T> {
    type Owned = Value<'static, T>;
    fn into_owned(self) -> Value<'static, T> {
        Value::into_owned(self)
    }
}

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;
    fn into_owned(self) -> Option<T::Owned> {
        self.map(IntoOwned::into_owned)
    }
}

/// Walks the parameters of one command line, left to right.
#[derive(Debug)]
pub(crate) struct Params<'a> {
    line_len: usize,
    rest: &'a [u8],
    /// Whether `line` is the input that starts with the line rather than the line alone: the
    /// line then ends at the first CR, and the caller checks that CR LF follows (see
    /// [`Params::ended`]).
    unbounded: bool,
    /// The payload length parameter, once read: (offset of the parameter, declared length).
    pub(crate) payload: Option<(usize, u32)>,
}

impl<'a> Params<'a> {
    /// Starts after the verb; `line` is the whole command line without CR LF, or, `unbounded`,
    /// the input that starts with the line.
    pub(crate) fn new(line: &'a [u8], after_verb: &'a [u8], unbounded: bool) -> Self {
        Params {
            line_len: line.len(),
            rest: after_verb,
            unbounded,
            payload: None,
        }
    }

    /// The offset of the next byte to read: where the line ended, once it has.
    pub(crate) fn offset(&self) -> usize {
        self.line_len - self.rest.len()
    }

    /// Whether the line has ended: nothing is left of it, or, unbounded, a CR comes next. No
    /// parameter holds a CR, so a line that decodes unbounded and is followed by CR LF decodes
    /// the same when it is given alone: the decoder reads a frame in one pass this way, and
    /// reads it again bounded (for the exact error) only when it fails (issue 5, profile).
    #[inline]
    fn ended(&self) -> bool {
        if self.unbounded {
            self.rest.first() == Some(&b'\r')
        } else {
            self.rest.is_empty()
        }
    }

    #[cold]
    fn error(&self, f: Fail) -> DecodeError {
        DecodeError::Invalid {
            offset: self.line_len - f.remaining,
            expected: f.expected,
        }
    }

    #[inline]
    fn lift<O>(&self, r: PResult<'a, O>) -> Result<(&'a [u8], O), DecodeError> {
        r.map_err(|e| match e {
            nom::Err::Error(f) | nom::Err::Failure(f) => self.error(f),
            nom::Err::Incomplete(_) => DecodeError::Incomplete,
        })
    }

    #[inline]
    fn space(&mut self) -> Result<(), DecodeError> {
        match self.rest.split_first() {
            Some((b' ', r)) => {
                self.rest = r;
                Ok(())
            }
            None => Err(DecodeError::Invalid {
                offset: self.offset(),
                expected: Expected::Parameter,
            }),
            Some(_) => Err(DecodeError::Invalid {
                offset: self.offset(),
                expected: Expected::Space,
            }),
        }
    }

    /// `SP field` (always inlined: the parameter stays in registers; issue 5, profile)
    #[inline(always)]
    pub(crate) fn field<T: Field<'a>>(&mut self) -> Result<T, DecodeError> {
        self.space()?;
        let (rest, v) = self.lift(T::parse(self.rest))?;
        self.rest = rest;
        Ok(v)
    }

    /// `[SP field]`: `None` at the end of the line.
    #[inline]
    pub(crate) fn opt_field<T: Field<'a>>(&mut self) -> Result<Option<T>, DecodeError> {
        if self.ended() {
            Ok(None)
        } else {
            self.field().map(Some)
        }
    }

    /// `SP literal`
    pub(crate) fn literal(&mut self, lit: &'static str) -> Result<(), DecodeError> {
        let at = self.offset();
        self.space()?;
        let (rest, t) = self.lift(token(self.rest))?;
        if t != lit.as_bytes() {
            return Err(DecodeError::Invalid {
                offset: at + 1,
                expected: Expected::Literal(lit),
            });
        }
        self.rest = rest;
        Ok(())
    }

    /// `SP length`: the payload length of a payload command (reference §1.4).
    #[inline]
    pub(crate) fn payload_length(&mut self) -> Result<Payload<'a>, DecodeError> {
        let at = self.offset() + 1;
        let n: u32 = self.field()?;
        self.payload = Some((at, n));
        Ok(Payload::default())
    }

    /// The next parameter, without consuming it.
    pub(crate) fn peek(&self) -> Option<&'a [u8]> {
        match self.rest.split_first() {
            Some((b' ', r)) => token(r).ok().map(|(_, t)| t),
            _ => None,
        }
    }

    /// The `n`-th next parameter (0 = the next one), without consuming anything.
    pub(crate) fn peek_nth(&self, n: usize) -> Option<&'a [u8]> {
        let mut r = self.rest;
        let mut i = 0;
        while let Some((b' ', rest)) = r.split_first() {
            let (rest, t) = token(rest).ok()?;
            if i == n {
                return Some(t);
            }
            i += 1;
            r = rest;
        }
        None
    }

    /// How many single-space-separated parameters are left (stops at the first malformed one).
    pub(crate) fn remaining(&self) -> usize {
        let mut n = 0;
        let mut r = self.rest;
        while let Some((b' ', rest)) = r.split_first() {
            match token(rest) {
                Ok((rest, _)) => {
                    n += 1;
                    r = rest;
                }
                Err(_) => break,
            }
        }
        n
    }

    pub(crate) fn at_end(&self) -> bool {
        self.ended()
    }

    /// `SP param *(SP param)` up to the end of the line.
    pub(crate) fn token_list(&mut self) -> Result<TokenList<'a>, DecodeError> {
        let start = self.offset();
        self.space()?;
        let begin = self.rest;
        let mut count = 0;
        loop {
            let at = self.offset();
            let (rest, _) = self.lift(token(self.rest))?;
            self.rest = rest;
            // A longer list fits no default line (`TokenList::MAX_LEN`), only a raised limit.
            if begin.len() - rest.len() > TokenList::MAX_LEN {
                return Err(DecodeError::Invalid {
                    offset: at,
                    expected: Expected::Token,
                });
            }
            count += 1;
            if count > TokenList::MAX_ITEMS {
                return Err(DecodeError::Invalid {
                    offset: start,
                    expected: Expected::FewerItems(TokenList::MAX_ITEMS),
                });
            }
            if self.ended() {
                break;
            }
            self.space()?;
        }
        let used = begin.len() - self.rest.len();
        Ok(TokenList::from_checked(&begin[..used]))
    }

    /// The end of the line: no further parameters.
    pub(crate) fn end(&self) -> Result<(), DecodeError> {
        if self.ended() {
            Ok(())
        } else {
            Err(DecodeError::Invalid {
                offset: self.offset(),
                expected: Expected::EndOfLine,
            })
        }
    }
}

/// Writes a command line, one parameter after another, in the order [`Params`] reads them.
#[derive(Debug)]
pub(crate) struct Writer<'v> {
    out: &'v mut Vec<u8>,
}

impl<'v> Writer<'v> {
    pub(crate) fn new(out: &'v mut Vec<u8>, verb: &[u8]) -> Self {
        out.extend_from_slice(verb);
        Writer { out }
    }
    /// `SP field`
    pub(crate) fn field<'a, T: Field<'a>>(&mut self, v: &T) -> &mut Self {
        self.out.push(b' ');
        v.write(self.out);
        self
    }
    /// `[SP field]`
    pub(crate) fn opt_field<'a, T: Field<'a>>(&mut self, v: &Option<T>) -> &mut Self {
        if let Some(v) = v {
            self.field(v);
        }
        self
    }
    /// `SP literal`
    pub(crate) fn literal(&mut self, lit: &'static str) -> &mut Self {
        self.out.push(b' ');
        self.out.extend_from_slice(lit.as_bytes());
        self
    }
    /// `SP length`
    pub(crate) fn payload_length(&mut self, p: &Payload<'_>) -> &mut Self {
        self.out.push(b' ');
        write_u32(self.out, u32::try_from(p.len()).unwrap_or(u32::MAX));
        self
    }
    /// `SP list`
    pub(crate) fn token_list(&mut self, l: &TokenList<'_>) -> &mut Self {
        self.out.push(b' ');
        self.out.extend_from_slice(l.as_bytes());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_canonical() {
        assert_eq!(parse_canonical_u32(b"0"), Some(0));
        assert_eq!(parse_canonical_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_canonical_u32(b"4294967296"), None);
        assert_eq!(parse_canonical_u32(b"007"), None);
        assert_eq!(parse_canonical_u32(b""), None);
        assert_eq!(parse_canonical_u32(b"-1"), None);
        assert!(number(b"12a").is_err());
        let mut v = Vec::new();
        write_u32(&mut v, 0);
        write_u32(&mut v, 4294967295);
        assert_eq!(v, b"04294967295");
    }
}
