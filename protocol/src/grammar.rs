//! The shared pieces of the grammar: the nom leaf parsers of the parameter kinds, the
//! combinators the command forms are composed of, and the writer that encodes them again.
//!
//! Every command form (in [`crate::commands`]) describes itself once, as the list of its
//! parameters in wire order (the `form!` macro); from that list come its nom parser, a sequence
//! of the combinators below, and its encoder, a sequence of [`Writer`] calls. The parameter kinds
//! are [`Field`]s, each with its leaf parser and its encoder side by side.
//!
//! ```text
//! line      = verb *(SP param)            ; reference §1.1, strict: exactly one SP
//! verb      = 3UPPER / 3DIGIT
//! param     = 1*(%x01-08 / %x0B-0C / %x0E-1F / %x21-FF)   ; no SP TAB CR LF NUL
//! number    = "0" / (%x31-39 *9DIGIT)     ; ≤ 4294967295, no leading zeros
//! ```

use std::borrow::Cow;

use nom::branch::alt;
use nom::combinator::{cond, map};
use nom::sequence::preceded;
use nom::{IResult, Mode, OutputMode, Parser};

use crate::error::{DecodeError, Expected};
use crate::types::{
    Dialect, Enumerated, ErrorCode, FriendlyName, Handle, Secret, Token, TokenList, TrId, Value,
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

impl<T: IntoOwned> IntoOwned for Box<T> {
    type Owned = Box<T::Owned>;
    fn into_owned(self) -> Box<T::Owned> {
        Box::new(T::into_owned(*self))
    }
}

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;
    fn into_owned(self) -> Option<T::Owned> {
        self.map(IntoOwned::into_owned)
    }
}

/// How one line is read: the dialect (which picks version-dependent shapes), whether the form is
/// `CVQ`, and where the line ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    /// The dialect in force.
    pub(crate) dialect: Dialect,
    /// The form is read for `CVQ` (the `CVR0` verb), whose client id is optional in every
    /// dialect (reference §13.6).
    pub(crate) cvq: bool,
    /// The input starts with the line rather than being the line alone: the line then ends at
    /// the first CR, and the caller checks that CR LF follows. No parameter holds a CR, so a line
    /// that decodes unbounded and is followed by CR LF decodes the same when it is given alone:
    /// the decoder reads a frame in one pass this way, and reads it again bounded (for the exact
    /// error) only when it fails (issue 5, profile).
    pub(crate) unbounded: bool,
}

impl Shape {
    /// The shape of a line in `dialect`.
    pub(crate) const fn new(dialect: Dialect, unbounded: bool) -> Self {
        Shape {
            dialect,
            cvq: false,
            unbounded,
        }
    }
    /// Whether the dialect is `version` or later.
    #[inline(always)]
    pub(crate) fn since(self, version: u8) -> bool {
        self.dialect.version() >= version
    }
}

/// Where a field may appear in a dialect: the rule `[SP field]` has three shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Never: the dialect has no such parameter.
    Absent,
    /// `[SP field]`
    Optional,
    /// `SP field`
    Required,
}

/// The announcement of a payload command: its length parameter (how many bytes of the input
/// were left where it starts) and the declared length (reference §1.4).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Length {
    pub(crate) remaining: usize,
    pub(crate) declared: u32,
}

/// The positions of one line: offsets are counted from its start, `len` bytes before the end
/// of the input it was read from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    pub(crate) len: usize,
}

impl Line {
    /// The offset in the line of `rest`, a tail of its input.
    #[inline(always)]
    pub(crate) fn offset(self, rest: &[u8]) -> usize {
        self.len - rest.len()
    }
    /// The payload announcement as (offset of the length parameter, declared length).
    #[inline(always)]
    pub(crate) fn announce(self, l: Option<Length>) -> Option<(usize, u32)> {
        l.map(|l| (self.len - l.remaining, l.declared))
    }
    /// The decoding error of a grammar failure: where, and what was expected.
    #[cold]
    pub(crate) fn error(self, e: nom::Err<Fail>) -> DecodeError {
        match e {
            nom::Err::Error(f) | nom::Err::Failure(f) => DecodeError::Invalid {
                offset: self.len - f.remaining,
                expected: f.expected,
            },
            nom::Err::Incomplete(_) => DecodeError::Incomplete,
        }
    }
}

/// A leaf parser (a function or closure over the input) as a nom [`Parser`] whose `process` is
/// always inlined. nom's own impl of `Parser` for functions is not marked `inline`, and with
/// dozens of forms LLVM kept it out of line: a call per parameter (607 instead of 570
/// instructions per frame, `docs/codec.md`).
#[derive(Clone, Copy)]
pub(crate) struct Leaf<F>(pub(crate) F);

impl<'a, O, F> Parser<&'a [u8]> for Leaf<F>
where
    F: FnMut(&'a [u8]) -> PResult<'a, O>,
{
    type Output = O;
    type Error = Fail;

    #[inline(always)]
    fn process<OM: OutputMode>(&mut self, i: &'a [u8]) -> nom::PResult<OM, &'a [u8], O, Fail> {
        match (self.0)(i) {
            Ok((rest, o)) => Ok((rest, OM::Output::bind(|| o))),
            Err(nom::Err::Error(e)) => Err(nom::Err::Error(OM::Error::bind(|| e))),
            Err(nom::Err::Failure(e)) => Err(nom::Err::Failure(e)),
            Err(nom::Err::Incomplete(n)) => Err(nom::Err::Incomplete(n)),
        }
    }
}

/// The leaf parser of a parameter kind: `T::parse` as a [`Leaf`].
#[inline(always)]
pub(crate) fn field<'a, T: Field<'a>>() -> impl Parser<&'a [u8], Output = T, Error = Fail> + Clone {
    Leaf(T::parse)
}

/// `SP`: exactly one space. At the end of the input another parameter was expected.
#[inline(always)]
pub(crate) fn space(i: &[u8]) -> PResult<'_, ()> {
    match i.split_first() {
        Some((b' ', r)) => Ok((r, ())),
        None => fail(i, Expected::Parameter),
        Some(_) => fail(i, Expected::Space),
    }
}

/// `SP p`
#[inline(always)]
pub(crate) fn sp<'a, P>(p: P) -> impl Parser<&'a [u8], Output = P::Output, Error = Fail>
where
    P: Parser<&'a [u8], Error = Fail>,
{
    preceded(Leaf(space), p)
}

/// `SP word`: a parameter that is exactly `word` (e.g. `OK`, `CKI`, `RL`); any other parameter
/// is reported at its start.
#[inline(always)]
pub(crate) fn lit<'a>(word: &'static str) -> impl Parser<&'a [u8], Output = (), Error = Fail> {
    sp(Leaf(move |i: &'a [u8]| literal(i, word)))
}

/// `word`, a parameter spelled exactly so.
#[inline(always)]
fn literal<'a>(i: &'a [u8], word: &'static str) -> PResult<'a, ()> {
    let (rest, t) = token(i)?;
    if t == word.as_bytes() {
        Ok((rest, ()))
    } else {
        fail(i, Expected::Literal(word))
    }
}

/// The end of the line: nothing left of it, or, unbounded, a CR next.
#[inline(always)]
pub(crate) fn eol<'a>(g: Shape) -> impl Parser<&'a [u8], Output = (), Error = Fail> {
    Leaf(move |i: &'a [u8]| {
        let ended = if g.unbounded {
            i.first() == Some(&b'\r')
        } else {
            i.is_empty()
        };
        if ended {
            Ok((i, ()))
        } else {
            fail(i, Expected::EndOfLine)
        }
    })
}

/// `[SP p]` at the end of a line: `None` where the line ends, else `SP p`.
#[inline(always)]
pub(crate) fn opt_sp<'a, P>(
    g: Shape,
    p: P,
) -> impl Parser<&'a [u8], Output = Option<P::Output>, Error = Fail>
where
    P: Parser<&'a [u8], Error = Fail>,
{
    alt((map(eol(g), |()| None), map(sp(p), Some)))
}

/// A field whose presence the dialect decides: absent, `[SP p]` or `SP p`.
#[inline(always)]
pub(crate) fn present<'a, P>(
    g: Shape,
    presence: Presence,
    p: P,
) -> impl Parser<&'a [u8], Output = Option<P::Output>, Error = Fail>
where
    P: Parser<&'a [u8], Error = Fail> + Clone,
{
    Leaf(move |i: &'a [u8]| match presence {
        Presence::Absent => Ok((i, None)),
        Presence::Optional => opt_sp(g, p.clone()).parse(i),
        Presence::Required => map(sp(p.clone()), Some).parse(i),
    })
}

/// `cond(dialect >= version, SP p)`: a field that exists from `version` on.
#[inline(always)]
pub(crate) fn since<'a, P>(
    g: Shape,
    version: u8,
    p: P,
) -> impl Parser<&'a [u8], Output = Option<P::Output>, Error = Fail>
where
    P: Parser<&'a [u8], Error = Fail>,
{
    cond(g.since(version), sp(p))
}

/// `cond(dialect >= version, [SP p])`: an optional field that exists from `version` on.
#[inline(always)]
pub(crate) fn since_opt<'a, P>(
    g: Shape,
    version: u8,
    p: P,
) -> impl Parser<&'a [u8], Output = Option<P::Output>, Error = Fail>
where
    P: Parser<&'a [u8], Error = Fail>,
{
    map(cond(g.since(version), opt_sp(g, p)), Option::flatten)
}

/// `SP length`: the payload length of a payload command (reference §1.4).
#[inline(always)]
pub(crate) fn length(i: &[u8]) -> PResult<'_, Length> {
    let (rest, declared) = sp(Leaf(number)).parse(i)?;
    Ok((
        rest,
        Length {
            remaining: i.len() - 1,
            declared,
        },
    ))
}

/// `list = SP param *(SP param)` up to the end of the line, at most [`TokenList::MAX_ITEMS`]
/// parameters (reference §3.1 VER, INF): a leaf parser, like [`token`], returning the list as
/// sent.
pub(crate) fn token_list<'a>(
    g: Shape,
) -> impl Parser<&'a [u8], Output = TokenList<'a>, Error = Fail> {
    Leaf(move |i: &'a [u8]| {
        let (mut rest, ()) = space(i)?;
        let begin = rest;
        let mut count = 0;
        loop {
            let at = rest;
            (rest, _) = token(rest)?;
            // A longer list fits no default line (`TokenList::MAX_LEN`), only a raised limit.
            if begin.len() - rest.len() > TokenList::MAX_LEN {
                return fail(at, Expected::Token);
            }
            count += 1;
            if count > TokenList::MAX_ITEMS {
                return fail(i, Expected::FewerItems(TokenList::MAX_ITEMS));
            }
            if eol(g).parse(rest).is_ok() {
                break;
            }
            (rest, ()) = space(rest)?;
        }
        let used = begin.len() - rest.len();
        Ok((rest, TokenList::from_checked(&begin[..used])))
    })
}

/// The type inside an optional field (`Option<T>` → `T`), for the form macro.
pub(crate) trait Inner {
    type T;
}

impl<T> Inner for Option<T> {
    type T = T;
}

/// Writes a command line, one parameter after another, in the order the form's parser reads them.
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
        // The true length, never clamped: a payload longer than `u32::MAX` bytes encodes a length
        // the decoder refuses (`Expected::Number`), not a frame that means something else.
        self.out.push(b' ');
        write_decimal(self.out, p.len() as u64);
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
