//! The MIME-style payload of `MSG` (reference §10): header lines, an empty line, then the body.
//!
//! > All MSG payloads are MIME-style: header lines `Name: value` separated by CR LF, an empty line,
//! > then the body. (reference §10)
//!
//! Parsing is zero-copy and allocation-free: [`Message::parse`] validates the header section once
//! (linear time, at most [`MAX_HEADERS`] lines) and every accessor returns slices of the payload.
//! Nothing is lost: [`Message::as_bytes`] gives the payload back, and each [`Header`] records
//! whether its colon was followed by a space ([`Separator`]), so `name`, separator and `value`
//! concatenate to the exact line.
//!
//! Building goes through [`MessageBuilder`], which appends to a caller's `Vec<u8>` and allocates
//! nothing else; its output parses back to the same headers and body.
//!
//! ```
//! use msnp6::message::{ContentType, Message};
//!
//! // The 133-byte switchboard message of reference §10.2.
//! let payload = b"MIME-Version: 1.0\r\n\
//! Content-Type: text/plain; charset=UTF-8\r\n\
//! X-MMS-IM-Format: FN=Arial; EF=I; CO=0; CS=0; PF=22\r\n\
//! \r\n\
//! Hello! How are you?";
//! let message = Message::parse(payload)?;
//! assert_eq!(message.mime_version(), Some(&b"1.0"[..]));
//! assert_eq!(
//!     message.content_type(),
//!     Some(ContentType::PlainText { charset: Some(b"UTF-8") })
//! );
//! let format = message.im_format().expect("has the header")?;
//! assert_eq!(format.font_name(), Some(&b"Arial"[..]));
//! assert!(format.effects().is_some_and(|e| e.is_italic()));
//! assert_eq!(format.pitch_family(), Some(0x22));
//! assert_eq!(message.body(), b"Hello! How are you?");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod builder;
mod content_type;
mod fields;
mod im_format;
mod num;
#[cfg(test)]
mod tests;

pub use builder::{BuildError, EmailNotificationFields, MessageBuilder};
pub use content_type::ContentType;
pub use fields::{
    ActiveMailNotification, BodyFields, EmailNotification, InitialEmailNotification, Profile,
    SystemMessage,
};
pub use im_format::{Effects, ImFormat, ImFormatError, ImFormatFields, UnknownFields};

/// The most header lines a payload may have (the `MIME-Version` line included).
///
/// No source gives a limit (reference §12 lists none for MSG headers); 64 is far above what any
/// documented payload uses (the MSNP6 profile of reference §8 has 20 lines) and keeps the work of
/// [`Message::parse`] and of every header lookup bounded. A 65th line is
/// [`MessageError::TooManyHeaders`].
pub const MAX_HEADERS: usize = 64;

/// What follows the colon of a header line.
///
/// > header lines `Name: value` (reference §10)
///
/// The official client always writes `": "`; a line written `Name:value` is kept as
/// [`Separator::Colon`] so that the line can be reproduced byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Separator {
    /// `": "`: a colon and one space (the documented form); the value starts after the space.
    #[default]
    ColonSpace,
    /// `":"` not followed by a space; the value starts right after the colon.
    Colon,
}

impl Separator {
    /// The separator's bytes: `b": "` or `b":"`.
    pub const fn as_bytes(self) -> &'static [u8] {
        match self {
            Separator::ColonSpace => b": ",
            Separator::Colon => b":",
        }
    }
}

/// One `Name: value` line of a MIME header, or one `Key: value` line of a body (reference §10).
///
/// `name` is everything before the first colon, `value` everything after the [`Separator`] up to
/// the line's end (CR LF excluded), so `name + separator + value` is the exact line. A second
/// space after the colon belongs to the value: `Name:  x` has the value `b" x"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header<'a> {
    /// The bytes before the first colon (in a parsed message never empty and never containing
    /// `:`, CR or LF; [`MessageBuilder`] refuses such names).
    pub name: &'a [u8],
    /// The bytes after the separator, without the line ending (never containing CR or LF).
    pub value: &'a [u8],
    /// Whether the colon was followed by a space.
    pub separator: Separator,
}

impl<'a> Header<'a> {
    /// A header in the documented `Name: value` form.
    pub const fn new(name: &'a [u8], value: &'a [u8]) -> Self {
        Header {
            name,
            value,
            separator: Separator::ColonSpace,
        }
    }

    /// Whether this header's name equals `name`, ignoring ASCII case (MIME header names are
    /// case-insensitive).
    pub fn is_named(&self, name: &[u8]) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// Length of the line without its line ending: `name + separator + value`.
    pub const fn line_len(&self) -> usize {
        self.name.len() + self.separator.as_bytes().len() + self.value.len()
    }

    /// Splits one line (without its line ending) at its first colon; `None` without a colon or
    /// with an empty name.
    pub(crate) fn split(line: &'a [u8]) -> Option<Self> {
        let colon = memchr::memchr(b':', line)?;
        if colon == 0 {
            return None;
        }
        let (name, rest) = line.split_at(colon);
        let after = rest.get(1..).unwrap_or_default();
        let (separator, value) = match after.strip_prefix(b" ") {
            Some(value) => (Separator::ColonSpace, value),
            None => (Separator::Colon, after),
        };
        Some(Header {
            name,
            value,
            separator,
        })
    }
}

/// Why a payload is not a MIME-style message (reference §10).
///
/// Every variant carries the byte offset, from the start of the payload, where the problem is.
/// Clients ignore messages without a MIME header (reference §10.2), so a caller may simply drop a
/// payload that fails to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The payload ends before the empty line that closes the header section: a message without a
    /// MIME header. `offset` is the payload's length.
    #[error("no empty line ends the MIME header: the payload ends at offset {offset}")]
    MissingHeaderEnd {
        /// Where the payload ended (its length).
        offset: usize,
    },
    /// More than [`MAX_HEADERS`] header lines. `offset` is where the first line over the limit
    /// starts.
    #[error("more than {limit} header lines: the line at offset {offset} is one too many")]
    TooManyHeaders {
        /// Start of the first line over the limit.
        offset: usize,
        /// The limit, [`MAX_HEADERS`].
        limit: usize,
    },
    /// A header line has no colon. `offset` is where the line starts.
    #[error("the header line at offset {offset} has no colon")]
    MissingColon {
        /// Start of the line.
        offset: usize,
    },
    /// A header line starts with its colon. `offset` is where the line starts.
    #[error("the header line at offset {offset} has an empty name")]
    EmptyName {
        /// Start of the line.
        offset: usize,
    },
    /// A carriage return inside the header section is not followed by a line feed. `offset` is
    /// the carriage return's.
    #[error("carriage return without line feed at offset {offset} in the MIME header")]
    BareCarriageReturn {
        /// Position of the carriage return.
        offset: usize,
    },
}

impl MessageError {
    /// The byte offset, from the start of the payload, where the problem is.
    pub const fn offset(&self) -> usize {
        match *self {
            MessageError::MissingHeaderEnd { offset }
            | MessageError::TooManyHeaders { offset, .. }
            | MessageError::MissingColon { offset }
            | MessageError::EmptyName { offset }
            | MessageError::BareCarriageReturn { offset } => offset,
        }
    }
}

/// A parsed `MSG` payload: header lines, an empty line, the body (reference §10).
///
/// > All MSG payloads are MIME-style: header lines `Name: value` separated by CR LF, an empty
/// > line, then the body. (reference §10)
///
/// Lines end in CR LF; a bare LF is accepted as well (the server accepts it on command lines,
/// reference §1.1), a bare CR is not. The payload need not end in a newline: the length decides
/// where it ends (reference §3.5), so the body is everything after the empty line, verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Message<'a> {
    bytes: &'a [u8],
    /// Offset of the empty line (end of the last header line's line ending).
    header_end: usize,
    /// Offset of the first body byte.
    body_start: usize,
    /// Number of header lines (at most [`MAX_HEADERS`]).
    header_count: usize,
}

impl<'a> Message<'a> {
    /// Parses and validates a payload in one linear pass over its header section.
    ///
    /// Rules (reference §10): every header line has a non-empty name before its first colon; the
    /// header section ends with the first empty line; at most [`MAX_HEADERS`] lines. The body is
    /// not inspected. Never panics.
    pub fn parse(payload: &'a [u8]) -> Result<Self, MessageError> {
        let mut start = 0;
        let mut header_count = 0;
        loop {
            let rest = payload.get(start..).unwrap_or_default();
            let Some(lf) = memchr::memchr(b'\n', rest) else {
                return Err(MessageError::MissingHeaderEnd {
                    offset: payload.len(),
                });
            };
            let line = strip_cr(rest.get(..lf).unwrap_or_default());
            let next = start + lf + 1;
            if line.is_empty() {
                return Ok(Message {
                    bytes: payload,
                    header_end: start,
                    body_start: next,
                    header_count,
                });
            }
            if header_count == MAX_HEADERS {
                return Err(MessageError::TooManyHeaders {
                    offset: start,
                    limit: MAX_HEADERS,
                });
            }
            if let Some(cr) = memchr::memchr(b'\r', line) {
                return Err(MessageError::BareCarriageReturn { offset: start + cr });
            }
            match memchr::memchr(b':', line) {
                None => return Err(MessageError::MissingColon { offset: start }),
                Some(0) => return Err(MessageError::EmptyName { offset: start }),
                Some(_) => {}
            }
            header_count += 1;
            start = next;
        }
    }

    /// The whole payload, exactly as parsed.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The header lines with their line endings, without the empty line.
    pub fn header_bytes(&self) -> &'a [u8] {
        self.bytes.get(..self.header_end).unwrap_or_default()
    }

    /// The body: every byte after the empty line, verbatim (it need not end in a newline,
    /// reference §3.5).
    pub fn body(&self) -> &'a [u8] {
        self.bytes.get(self.body_start..).unwrap_or_default()
    }

    /// Offset of the body's first byte in the payload.
    pub const fn body_offset(&self) -> usize {
        self.body_start
    }

    /// The number of header lines (at most [`MAX_HEADERS`]).
    pub const fn header_count(&self) -> usize {
        self.header_count
    }

    /// The header lines in order.
    pub fn headers(&self) -> Headers<'a> {
        Headers {
            rest: self.header_bytes(),
            remaining: self.header_count,
        }
    }

    /// The value of the first header named `name`, compared without regard to ASCII case.
    pub fn header(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.headers().find(|h| h.is_named(name)).map(|h| h.value)
    }

    /// The `MIME-Version` header (always `1.0` in the sources, reference §3.5 and §10).
    pub fn mime_version(&self) -> Option<&'a [u8]> {
        self.header(b"MIME-Version")
    }

    /// The `Content-Type` header, classified (reference §10.1, §10.2); `None` without one.
    pub fn content_type(&self) -> Option<ContentType<'a>> {
        self.header(b"Content-Type").map(ContentType::parse)
    }

    /// The `charset` parameter of `Content-Type` for any media type, e.g. `UTF-8` in
    /// `text/x-msmsgsprofile; charset=UTF-8` (reference §10.1).
    pub fn charset(&self) -> Option<&'a [u8]> {
        self.header(b"Content-Type")
            .and_then(content_type::charset_param)
    }

    /// The `TypingUser` header of a typing notification: the typing user's handle (reference
    /// §10.2).
    pub fn typing_user(&self) -> Option<&'a [u8]> {
        self.header(b"TypingUser")
    }

    /// The `X-MMS-IM-Format` header, parsed (reference §10.2); `None` without one.
    pub fn im_format(&self) -> Option<Result<ImFormat<'a>, ImFormatError>> {
        self.header(b"X-MMS-IM-Format").map(ImFormat::parse)
    }

    /// The `Key: value` lines of the body (e-mail notifications and system messages, reference
    /// §10.1). See [`BodyFields`] for the rules.
    pub fn body_fields(&self) -> BodyFields<'a> {
        BodyFields::new(self.body())
    }

    /// The value of the first body field named `name`, ignoring ASCII case.
    pub fn body_field(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.body_fields().get(name)
    }

    /// The profile view, if `Content-Type` is `text/x-msmsgsprofile` (reference §10.1).
    pub fn profile(&self) -> Option<Profile<'a>> {
        matches!(self.content_type(), Some(ContentType::Profile)).then(|| Profile::new(*self))
    }

    /// The new-mail view, if `Content-Type` is `text/x-msmsgsemailnotification`, or the MSNP2
    /// `application/x-msmsgsemailnotification` without an `Inbox-Unread` body field (reference
    /// §10.1: MSNP2 used that one type for both notifications).
    pub fn email_notification(&self) -> Option<EmailNotification<'a>> {
        match self.content_type()? {
            ContentType::EmailNotification => Some(EmailNotification::from_body(self.body())),
            ContentType::LegacyEmailNotification if self.body_field(b"Inbox-Unread").is_none() => {
                Some(EmailNotification::from_body(self.body()))
            }
            _ => None,
        }
    }

    /// The unread-mail summary view, if `Content-Type` is
    /// `text/x-msmsgsinitialemailnotification`, or the MSNP2
    /// `application/x-msmsgsemailnotification` with an `Inbox-Unread` body field (reference §10.1).
    pub fn initial_email_notification(&self) -> Option<InitialEmailNotification<'a>> {
        match self.content_type()? {
            ContentType::InitialEmailNotification => {
                Some(InitialEmailNotification::from_body(self.body()))
            }
            ContentType::LegacyEmailNotification if self.body_field(b"Inbox-Unread").is_some() => {
                Some(InitialEmailNotification::from_body(self.body()))
            }
            _ => None,
        }
    }

    /// The mailbox-activity view, if `Content-Type` is `text/x-msmsgsactivemailnotification`
    /// (reference §10.1).
    pub fn active_mail_notification(&self) -> Option<ActiveMailNotification<'a>> {
        matches!(
            self.content_type(),
            Some(ContentType::ActiveMailNotification)
        )
        .then(|| ActiveMailNotification::from_body(self.body()))
    }

    /// The system-message view, if `Content-Type` is `application/x-msmsgssystemmessage`
    /// (reference §10.1).
    pub fn system_message(&self) -> Option<SystemMessage<'a>> {
        matches!(self.content_type(), Some(ContentType::SystemMessage))
            .then(|| SystemMessage::from_body(self.body()))
    }
}

/// Iterator over the header lines of a [`Message`], in order (from [`Message::headers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers<'a> {
    rest: &'a [u8],
    remaining: usize,
}

impl<'a> Iterator for Headers<'a> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Header<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let (line, rest) = split_line(self.rest);
        self.rest = rest;
        self.remaining -= 1;
        let header = Header::split(line);
        if header.is_none() {
            // Unreachable for a validated message; end cleanly rather than panic.
            self.remaining = 0;
        }
        header
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Headers<'_> {}
impl core::iter::FusedIterator for Headers<'_> {}

/// Removes one trailing carriage return.
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits off the first line (without CR LF or LF) and returns it with the rest after the LF;
/// without an LF the whole input is the line.
fn split_line(bytes: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b'\n', bytes) {
        Some(lf) => (
            strip_cr(bytes.get(..lf).unwrap_or_default()),
            bytes.get(lf + 1..).unwrap_or_default(),
        ),
        None => (strip_cr(bytes), &[]),
    }
}
