//! Writing `MSG` payloads (reference §10) into a caller's buffer.

use super::content_type::is_blank;
use super::num::write_decimal;
use super::{ContentType, Header, ImFormat, MAX_HEADERS, Separator};

/// Why a header or body field cannot be written (the payload would not parse back the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A header or field name is empty.
    #[error("empty header name")]
    EmptyName,
    /// A header or field name contains `:`, CR or LF.
    #[error("byte {byte:#04x} at index {index} cannot appear in a header name")]
    ForbiddenNameByte {
        /// Position in the name.
        index: usize,
        /// The byte.
        byte: u8,
    },
    /// A value contains CR or LF (or, in a `charset`, `;`, `"` or a space or tab at either end).
    #[error("byte {byte:#04x} at index {index} cannot appear in this value")]
    ForbiddenValueByte {
        /// Position in the value.
        index: usize,
        /// The byte.
        byte: u8,
    },
    /// A [`Separator::Colon`] header whose value starts with a space would read back as
    /// [`Separator::ColonSpace`].
    #[error("a header without a space after its colon cannot have a value starting with a space")]
    SpaceAfterBareColon,
    /// The header section would exceed [`MAX_HEADERS`] lines.
    #[error("more than {limit} header lines")]
    TooManyHeaders {
        /// The limit, [`MAX_HEADERS`].
        limit: usize,
    },
}

/// The fields of a new-mail notification, for [`MessageBuilder::email_notification`]
/// (reference §10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmailNotificationFields<'a> {
    /// `From`: the sender's name.
    pub from: &'a [u8],
    /// `Message-URL`: the message's URL.
    pub message_url: &'a [u8],
    /// `Post-URL`: the Passport login URL to post to.
    pub post_url: &'a [u8],
    /// `Subject`: the subject.
    pub subject: &'a [u8],
    /// `Dest-Folder`: the folder the mail went to.
    pub dest_folder: &'a [u8],
    /// `From-Addr`: the sender's address.
    pub from_addr: &'a [u8],
    /// `id` (MSNP3+): Hotmail's Passport site id; omitted when `None`.
    pub id: Option<u32>,
}

/// Writes one `MSG` payload into a caller's `Vec<u8>`, allocating nothing else (reference §10).
///
/// > All MSG payloads are MIME-style: header lines `Name: value` separated by CR LF, an empty
/// > line, then the body. (reference §10)
///
/// [`MessageBuilder::new`] writes `MIME-Version: 1.0` CR LF; each header adds `Name: value`
/// CR LF; [`MessageBuilder::body`] (or [`MessageBuilder::body_fields`]) writes the empty line and
/// the body and returns the payload's length, the number to put in the `MSG` command line
/// (reference §1.4). Names and values are checked so that the output always parses back, with
/// [`super::Message::parse`], to the same headers and body. A header that fails its check writes
/// nothing; a builder dropped before its body is written removes everything it wrote.
///
/// ```
/// use msnp6::message::{ContentType, Message, MessageBuilder};
///
/// let mut out = Vec::new();
/// let mut builder = MessageBuilder::new(&mut out);
/// builder.content_type(&ContentType::PlainText { charset: Some(b"UTF-8") })?;
/// let len = builder.body(b"unacknowledged");
/// // The 76-byte payload of `MSG 1 U 76` (reference §3.5).
/// assert_eq!(len, 76);
/// assert_eq!(
///     out,
///     b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nunacknowledged"
/// );
/// assert_eq!(Message::parse(&out)?.body(), b"unacknowledged");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct MessageBuilder<'o> {
    out: &'o mut Vec<u8>,
    start: usize,
    headers: usize,
    finished: bool,
}

impl Drop for MessageBuilder<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.out.truncate(self.start);
        }
    }
}

impl<'o> MessageBuilder<'o> {
    /// Starts a payload at the end of `out` with `MIME-Version: 1.0` CR LF (reference §3.5).
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        let start = out.len();
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
        MessageBuilder {
            out,
            start,
            headers: 1,
            finished: false,
        }
    }

    /// Number of header lines written so far (`MIME-Version` included).
    pub const fn header_count(&self) -> usize {
        self.headers
    }

    /// Writes `name: value` CR LF. The name must be non-empty without `:`, CR or LF; the value
    /// must not contain CR or LF.
    pub fn header(&mut self, name: &[u8], value: &[u8]) -> Result<&mut Self, BuildError> {
        self.push_header(&Header::new(name, value))
    }

    /// Writes a header with its own separator (`Name: value` or `Name:value`), so a parsed
    /// header is reproduced byte for byte. Checks as [`MessageBuilder::header`]; a
    /// [`Separator::Colon`] value must not start with a space.
    pub fn push_header(&mut self, header: &Header<'_>) -> Result<&mut Self, BuildError> {
        check_field(header)?;
        self.reserve_line()?;
        self.write_line(header.name, header.separator, |out| {
            out.extend_from_slice(header.value);
        });
        Ok(self)
    }

    /// Writes `Content-Type` in the official form of [`ContentType::encode`] (reference §10.1,
    /// §10.2). A `charset` must not contain CR, LF, `;` or `"` nor start or end with a space or
    /// tab; an [`ContentType::Other`] value must not contain CR or LF.
    pub fn content_type(
        &mut self,
        content_type: &ContentType<'_>,
    ) -> Result<&mut Self, BuildError> {
        match content_type {
            ContentType::PlainText {
                charset: Some(charset),
            } => check_charset(charset)?,
            ContentType::Other(value) => check_value(value)?,
            _ => {}
        }
        self.reserve_line()?;
        self.write_line(b"Content-Type", Separator::ColonSpace, |out| {
            content_type.encode(out);
        });
        Ok(self)
    }

    /// Writes `X-MMS-IM-Format` with [`ImFormat::encode`] (reference §10.2).
    pub fn im_format(&mut self, format: &ImFormat<'_>) -> Result<&mut Self, BuildError> {
        self.reserve_line()?;
        self.write_line(b"X-MMS-IM-Format", Separator::ColonSpace, |out| {
            format.encode(out);
        });
        Ok(self)
    }

    /// Writes `TypingUser: handle` (reference §10.2).
    pub fn typing_user(&mut self, handle: &[u8]) -> Result<&mut Self, BuildError> {
        self.header(b"TypingUser", handle)
    }

    /// Writes the empty line and `body` verbatim; returns the payload's length in bytes.
    pub fn body(mut self, body: &[u8]) -> usize {
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(body);
        self.finish()
    }

    /// Writes the empty line and a body of `Key: value` CR LF lines (reference §10.1); returns
    /// the payload's length. Fields are checked like headers; on error the whole payload is
    /// removed from the buffer.
    pub fn body_fields(mut self, fields: &[Header<'_>]) -> Result<usize, BuildError> {
        fields.iter().try_for_each(check_field)?;
        self.out.extend_from_slice(b"\r\n");
        for field in fields {
            write_field(self.out, field.name, field.separator, |out| {
                out.extend_from_slice(field.value);
            });
        }
        Ok(self.finish())
    }

    /// A plain-text instant message (reference §10.2): `Content-Type: text/plain;
    /// charset=UTF-8`, then `X-MMS-IM-Format` if `format` is given, then `text` as the body
    /// (lines of the text separated by CR LF, no newline needed at the end). Returns the payload's
    /// length.
    pub fn plain_text(out: &mut Vec<u8>, text: &[u8], format: Option<&ImFormat<'_>>) -> usize {
        let mut builder = MessageBuilder::new(out);
        builder.write_line(b"Content-Type", Separator::ColonSpace, |out| {
            ContentType::PlainText {
                charset: Some(b"UTF-8"),
            }
            .encode(out);
        });
        if let Some(format) = format {
            builder.write_line(b"X-MMS-IM-Format", Separator::ColonSpace, |out| {
                format.encode(out);
            });
        }
        builder.body(text)
    }

    /// A typing notification (reference §10.2): `Content-Type: text/x-msmsgscontrol` (no
    /// charset), `TypingUser: handle`, and a body of a single CR LF. Returns the payload's length.
    pub fn typing(out: &mut Vec<u8>, handle: &[u8]) -> Result<usize, BuildError> {
        let mut builder = MessageBuilder::new(out);
        builder.content_type(&ContentType::Control)?;
        builder.typing_user(handle)?;
        Ok(builder.body(b"\r\n"))
    }

    /// A profile message (reference §10.1, §8): `Content-Type: text/x-msmsgsprofile;
    /// charset=UTF-8`, then `fields` as headers in the given order (order is not fixed and the
    /// field set changed over time, so the caller chooses), then an empty body. Returns the
    /// payload's length.
    pub fn profile(out: &mut Vec<u8>, fields: &[Header<'_>]) -> Result<usize, BuildError> {
        let mut builder = MessageBuilder::new(out);
        builder.content_type(&ContentType::Profile)?;
        for field in fields {
            builder.push_header(field)?;
        }
        Ok(builder.body(b""))
    }

    /// A server-shutdown warning (reference §10.1): `Content-Type:
    /// application/x-msmsgssystemmessage` and the body `Type: 1` CR LF `Arg1: minutes` CR LF.
    /// Returns the payload's length.
    pub fn system_shutdown(out: &mut Vec<u8>, minutes: u32) -> usize {
        let mut builder = MessageBuilder::new(out);
        builder.write_line(b"Content-Type", Separator::ColonSpace, |out| {
            ContentType::SystemMessage.encode(out);
        });
        builder.out.extend_from_slice(b"\r\nType: 1\r\nArg1: ");
        write_decimal(builder.out, u64::from(minutes));
        builder.out.extend_from_slice(b"\r\n");
        builder.finish()
    }

    /// A new-mail notification (reference §10.1): `Content-Type: text/x-msmsgsemailnotification;
    /// charset=UTF-8` and the body fields `From`, `Message-URL`, `Post-URL`, `Subject`,
    /// `Dest-Folder`, `From-Addr` and, if given, `id`. Returns the payload's length.
    pub fn email_notification(
        out: &mut Vec<u8>,
        fields: &EmailNotificationFields<'_>,
    ) -> Result<usize, BuildError> {
        let mut id_buf = [0u8; 10];
        let id = fields.id.map(|n| decimal(&mut id_buf, n));
        let all = [
            Header::new(b"From", fields.from),
            Header::new(b"Message-URL", fields.message_url),
            Header::new(b"Post-URL", fields.post_url),
            Header::new(b"Subject", fields.subject),
            Header::new(b"Dest-Folder", fields.dest_folder),
            Header::new(b"From-Addr", fields.from_addr),
            Header::new(b"id", id.unwrap_or_default()),
        ];
        let used = if id.is_some() { 7 } else { 6 };
        let mut builder = MessageBuilder::new(out);
        builder.content_type(&ContentType::EmailNotification)?;
        builder.body_fields(all.get(..used).unwrap_or_default())
    }

    /// The unread-mail summary sent at login (reference §10.1): `Content-Type:
    /// text/x-msmsgsinitialemailnotification; charset=UTF-8` and the body fields `Inbox-Unread`,
    /// `Folders-Unread`, `Inbox-URL`, `Folders-URL`, `Post-URL`. Returns the payload's length.
    pub fn initial_email_notification(
        out: &mut Vec<u8>,
        inbox_unread: u32,
        folders_unread: u32,
        inbox_url: &[u8],
        folders_url: &[u8],
        post_url: &[u8],
    ) -> Result<usize, BuildError> {
        let (mut a, mut b) = ([0u8; 10], [0u8; 10]);
        let fields = [
            Header::new(b"Inbox-Unread", decimal(&mut a, inbox_unread)),
            Header::new(b"Folders-Unread", decimal(&mut b, folders_unread)),
            Header::new(b"Inbox-URL", inbox_url),
            Header::new(b"Folders-URL", folders_url),
            Header::new(b"Post-URL", post_url),
        ];
        let mut builder = MessageBuilder::new(out);
        builder.content_type(&ContentType::InitialEmailNotification)?;
        builder.body_fields(&fields)
    }

    /// Mailbox activity (reference §10.1): `Content-Type: text/x-msmsgsactivemailnotification;
    /// charset=UTF-8` and the body fields `Src-Folder`, `Dest-Folder`, `Message-Delta`. Returns
    /// the payload's length.
    pub fn active_mail_notification(
        out: &mut Vec<u8>,
        src_folder: &[u8],
        dest_folder: &[u8],
        message_delta: u32,
    ) -> Result<usize, BuildError> {
        let mut delta = [0u8; 10];
        let fields = [
            Header::new(b"Src-Folder", src_folder),
            Header::new(b"Dest-Folder", dest_folder),
            Header::new(b"Message-Delta", decimal(&mut delta, message_delta)),
        ];
        let mut builder = MessageBuilder::new(out);
        builder.content_type(&ContentType::ActiveMailNotification)?;
        builder.body_fields(&fields)
    }

    /// Counts one more header line, refusing a line over [`MAX_HEADERS`].
    fn reserve_line(&mut self) -> Result<(), BuildError> {
        if self.headers >= MAX_HEADERS {
            return Err(BuildError::TooManyHeaders { limit: MAX_HEADERS });
        }
        self.headers += 1;
        Ok(())
    }

    /// Writes an already checked header line.
    fn write_line(&mut self, name: &[u8], separator: Separator, value: impl FnOnce(&mut Vec<u8>)) {
        write_field(self.out, name, separator, value);
    }

    /// Marks the payload complete and returns its length.
    fn finish(&mut self) -> usize {
        self.finished = true;
        self.out.len() - self.start
    }
}

/// Writes `name`, the separator, the value and CR LF.
fn write_field(
    out: &mut Vec<u8>,
    name: &[u8],
    separator: Separator,
    value: impl FnOnce(&mut Vec<u8>),
) {
    out.extend_from_slice(name);
    out.extend_from_slice(separator.as_bytes());
    value(out);
    out.extend_from_slice(b"\r\n");
}

/// Writes `n` in decimal into `buf` and returns the digits.
fn decimal(buf: &mut [u8; 10], n: u32) -> &[u8] {
    // A u32 has at most 10 digits.
    let mut n = n;
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
    buf.get(i..).unwrap_or_default()
}

/// A header or body field that parses back to itself.
fn check_field(header: &Header<'_>) -> Result<(), BuildError> {
    if header.name.is_empty() {
        return Err(BuildError::EmptyName);
    }
    if let Some(index) = header
        .name
        .iter()
        .position(|&b| matches!(b, b':' | b'\r' | b'\n'))
    {
        return Err(BuildError::ForbiddenNameByte {
            index,
            byte: header.name[index],
        });
    }
    check_value(header.value)?;
    if header.separator == Separator::Colon && header.value.first() == Some(&b' ') {
        return Err(BuildError::SpaceAfterBareColon);
    }
    Ok(())
}

/// No CR or LF.
fn check_value(value: &[u8]) -> Result<(), BuildError> {
    match value.iter().position(|&b| b == b'\r' || b == b'\n') {
        Some(index) => Err(BuildError::ForbiddenValueByte {
            index,
            byte: value[index],
        }),
        None => Ok(()),
    }
}

/// A charset that reads back unchanged from `; charset=…`.
fn check_charset(charset: &[u8]) -> Result<(), BuildError> {
    let bad = charset
        .iter()
        .position(|&b| matches!(b, b'\r' | b'\n' | b';' | b'"'))
        .or_else(|| charset.first().filter(|b| is_blank(**b)).map(|_| 0))
        .or_else(|| {
            charset
                .last()
                .filter(|b| is_blank(**b))
                .map(|_| charset.len() - 1)
        });
    match bad {
        Some(index) => Err(BuildError::ForbiddenValueByte {
            index,
            byte: charset[index],
        }),
        None => Ok(()),
    }
}
