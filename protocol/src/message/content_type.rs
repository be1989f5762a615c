//! `Content-Type` classification (reference §10.1, §10.2).

/// What a message is, from its `Content-Type` header (reference §10.1, §10.2).
///
/// The media type (before the first `;`) is matched without regard to ASCII case and with
/// surrounding spaces ignored; the `charset` parameter is found whether written `; charset=` or
/// `;charset=` (both appear in the reference's examples, §3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentType<'a> {
    /// `text/x-msmsgsprofile`: the profile sent right after `USR … OK`; headers only (reference
    /// §10.1).
    Profile,
    /// `text/x-msmsgsinitialemailnotification` (MSNP3+): the unread-mail summary at login
    /// (reference §10.1).
    InitialEmailNotification,
    /// `text/x-msmsgsemailnotification` (MSNP3+): new mail (reference §10.1).
    EmailNotification,
    /// `text/x-msmsgsactivemailnotification`: mailbox activity (reference §10.1).
    ActiveMailNotification,
    /// `application/x-msmsgsemailnotification`: the MSNP2 type used for both e-mail
    /// notifications before MSNP3 renamed them (reference §10.1, §2).
    LegacyEmailNotification,
    /// `application/x-msmsgssystemmessage`: a system message such as a shutdown warning
    /// (reference §10.1).
    SystemMessage,
    /// `text/plain`: an instant message; without a charset the text is ISO-8859-1, with
    /// `charset=UTF-8` it is UTF-8 (reference §10.2).
    PlainText {
        /// The `charset` parameter's value, if any (quotes removed).
        charset: Option<&'a [u8]>,
    },
    /// `text/x-msmsgscontrol`: a typing notification; must not carry a charset (reference §10.2).
    Control,
    /// `text/x-msmsgsinvite`: an invitation (file transfer etc.); charset mandatory (reference
    /// §10.2).
    Invite,
    /// Any other type, holding the whole header value verbatim. Clients ignore unknown content
    /// types (reference §10.2).
    Other(&'a [u8]),
}

/// The known media types, their variants and whether the official form carries `charset=UTF-8`.
const KNOWN: [(&str, ContentType<'static>, bool); 8] = [
    ("text/x-msmsgsprofile", ContentType::Profile, true),
    (
        "text/x-msmsgsinitialemailnotification",
        ContentType::InitialEmailNotification,
        true,
    ),
    (
        "text/x-msmsgsemailnotification",
        ContentType::EmailNotification,
        true,
    ),
    (
        "text/x-msmsgsactivemailnotification",
        ContentType::ActiveMailNotification,
        true,
    ),
    (
        "application/x-msmsgsemailnotification",
        ContentType::LegacyEmailNotification,
        false,
    ),
    (
        "application/x-msmsgssystemmessage",
        ContentType::SystemMessage,
        false,
    ),
    ("text/x-msmsgscontrol", ContentType::Control, false),
    ("text/x-msmsgsinvite", ContentType::Invite, true),
];

impl<'a> ContentType<'a> {
    /// Classifies a `Content-Type` header value (reference §10.1, §10.2). Never fails: an
    /// unknown media type is [`ContentType::Other`].
    pub fn parse(value: &'a [u8]) -> Self {
        let media = media_type(value);
        if media.eq_ignore_ascii_case(b"text/plain") {
            return ContentType::PlainText {
                charset: charset_param(value),
            };
        }
        KNOWN
            .iter()
            .find(|(name, _, _)| media.eq_ignore_ascii_case(name.as_bytes()))
            .map_or(ContentType::Other(value), |(_, ct, _)| *ct)
    }

    /// The media type as the official client writes it (e.g. `text/x-msmsgsprofile`); for
    /// [`ContentType::Other`], the media type part of its value.
    pub fn media_type(&self) -> &'a [u8] {
        match self {
            ContentType::PlainText { .. } => b"text/plain",
            ContentType::Other(value) => media_type(value),
            known => KNOWN
                .iter()
                .find(|(_, ct, _)| ct == known)
                .map_or(&b""[..], |(name, _, _)| name.as_bytes()),
        }
    }

    /// The header value as the official client writes it (reference §10.1, §10.2):
    /// `text/x-msmsgsprofile`, the e-mail notifications and `text/x-msmsgsinvite` with
    /// `; charset=UTF-8`; `text/x-msmsgscontrol`, the system message and the MSNP2 type without a
    /// charset; `text/plain` with `; charset=` and its charset if it has one; [`Other`] verbatim.
    ///
    /// [`Other`]: ContentType::Other
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ContentType::PlainText { charset } => {
                out.extend_from_slice(b"text/plain");
                if let Some(charset) = charset {
                    out.extend_from_slice(b"; charset=");
                    out.extend_from_slice(charset);
                }
            }
            ContentType::Other(value) => out.extend_from_slice(value),
            known => {
                if let Some((name, _, utf8)) = KNOWN.iter().find(|(_, ct, _)| ct == known) {
                    out.extend_from_slice(name.as_bytes());
                    if *utf8 {
                        out.extend_from_slice(b"; charset=UTF-8");
                    }
                }
            }
        }
    }
}

/// ASCII space or tab.
pub(super) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Strips spaces and tabs from both ends.
pub(super) fn trim_blank(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_blank(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_blank(b))
        .map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// The media type: the value up to the first `;`, trimmed.
fn media_type(value: &[u8]) -> &[u8] {
    let end = memchr::memchr(b';', value).unwrap_or(value.len());
    trim_blank(value.get(..end).unwrap_or_default())
}

/// The value of the `charset` parameter of a `Content-Type` value (`; charset=UTF-8` or
/// `;charset=UTF-8`, reference §3.5), trimmed and without surrounding double quotes.
pub(super) fn charset_param(value: &[u8]) -> Option<&[u8]> {
    value.split(|&b| b == b';').skip(1).find_map(|param| {
        let eq = memchr::memchr(b'=', param)?;
        let (key, rest) = param.split_at(eq);
        if !trim_blank(key).eq_ignore_ascii_case(b"charset") {
            return None;
        }
        let v = trim_blank(rest.get(1..).unwrap_or_default());
        Some(
            v.strip_prefix(b"\"")
                .and_then(|v| v.strip_suffix(b"\""))
                .unwrap_or(v),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_documented_type() {
        let cases: [(&[u8], ContentType<'_>); 11] = [
            (b"text/x-msmsgsprofile; charset=UTF-8", ContentType::Profile),
            (
                b"text/x-msmsgsinitialemailnotification; charset=UTF-8",
                ContentType::InitialEmailNotification,
            ),
            (
                b"text/x-msmsgsemailnotification; charset=UTF-8",
                ContentType::EmailNotification,
            ),
            (
                b"text/x-msmsgsactivemailnotification; charset=UTF-8",
                ContentType::ActiveMailNotification,
            ),
            (
                b"application/x-msmsgsemailnotification",
                ContentType::LegacyEmailNotification,
            ),
            (
                b"application/x-msmsgssystemmessage",
                ContentType::SystemMessage,
            ),
            (
                b"text/plain; charset=UTF-8",
                ContentType::PlainText {
                    charset: Some(b"UTF-8"),
                },
            ),
            (
                b"text/plain;charset=UTF-8",
                ContentType::PlainText {
                    charset: Some(b"UTF-8"),
                },
            ),
            (b"text/plain", ContentType::PlainText { charset: None }),
            (b"text/x-msmsgscontrol", ContentType::Control),
            (b"text/x-msmsgsinvite; charset=UTF-8", ContentType::Invite),
        ];
        for (value, expected) in cases {
            assert_eq!(ContentType::parse(value), expected, "{value:?}");
            // The official form encodes back to the same bytes.
            let mut out = Vec::new();
            expected.encode(&mut out);
            if value != b"text/plain;charset=UTF-8" {
                assert_eq!(out, value);
            }
        }
    }

    #[test]
    fn media_type_is_case_insensitive_and_trimmed() {
        assert_eq!(
            ContentType::parse(b"  TEXT/X-MSMSGSCONTROL "),
            ContentType::Control
        );
        assert_eq!(
            ContentType::parse(b"Text/Plain ; Charset = \"utf-8\""),
            ContentType::PlainText {
                charset: Some(b"utf-8")
            }
        );
        assert_eq!(
            ContentType::parse(b"text/plain; format=flowed"),
            ContentType::PlainText { charset: None }
        );
    }

    #[test]
    fn other_keeps_the_whole_value() {
        let v = b"text/x-mms-emoticon; charset=UTF-8";
        let ct = ContentType::parse(v);
        assert_eq!(ct, ContentType::Other(v));
        assert_eq!(ct.media_type(), b"text/x-mms-emoticon");
        assert_eq!(ContentType::Profile.media_type(), b"text/x-msmsgsprofile");
        assert_eq!(ContentType::parse(b""), ContentType::Other(b""));
    }

    #[test]
    fn charset_of_any_type() {
        assert_eq!(
            charset_param(b"text/x-msmsgsprofile; charset=UTF-8"),
            Some(&b"UTF-8"[..])
        );
        assert_eq!(charset_param(b"text/x-msmsgscontrol"), None);
        assert_eq!(charset_param(b"a; x=1; charset="), Some(&b""[..]));
    }
}
