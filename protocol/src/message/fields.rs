//! Typed views: the profile (headers) and the `Key: value` bodies of NS messages (reference §10.1).

use super::num::{parse_decimal, parse_decimal_u32, parse_flag};
use super::{Header, Message, split_line};

/// Iterator over the `Key: value` lines of a body (reference §10.1).
///
/// > e-mail notifications and system messages carry `Key: value` lines in the body (reference
/// > §10.1)
///
/// Lines end in CR LF or LF; the last line need not end at all. Each line is split at its first
/// colon exactly like a header line ([`Header`]). Empty lines and lines without a colon or with an
/// empty name are skipped; nothing else is interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFields<'a> {
    rest: &'a [u8],
}

impl<'a> BodyFields<'a> {
    /// The fields of `body`.
    pub const fn new(body: &'a [u8]) -> Self {
        BodyFields { rest: body }
    }

    /// The value of the first field named `name`, ignoring ASCII case.
    pub fn get(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.clone().find(|h| h.is_named(name)).map(|h| h.value)
    }
}

impl<'a> Iterator for BodyFields<'a> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Header<'a>> {
        while !self.rest.is_empty() {
            let (line, rest) = split_line(self.rest);
            self.rest = rest;
            if let Some(header) = Header::split(line) {
                return Some(header);
            }
        }
        None
    }
}

impl core::iter::FusedIterator for BodyFields<'_> {}

/// Generates `Option<&'a [u8]>` getters that look a field up by name.
macro_rules! byte_getters {
    ($($(#[$doc:meta])* $fn:ident => $name:literal;)*) => {
        $(
            $(#[$doc])*
            pub fn $fn(&self) -> Option<&'a [u8]> {
                self.field($name)
            }
        )*
    };
}

/// The profile message sent right after `USR … OK` (reference §10.1, §8).
///
/// > `text/x-msmsgsprofile; charset=UTF-8` — sent right after USR OK; headers only, empty body —
/// > `LoginTime`, `EmailEnabled`, `MemberIdHigh`, `MemberIdLow`, `lang_preference`,
/// > `PreferredEmail`, `country`, `PostalCode`, `Gender`, `Kid`, `Age`, `BDayPre`, `Birthday`,
/// > `Wallet`, `Flags`, `sid`, `kv`, `MSPAuth` (MSNP2 profile has only `LoginTime`); field set
/// > changes over time, order not guaranteed (reference §10.1)
///
/// Each getter returns the header's value verbatim (an empty value such as `PostalCode: ` is
/// `Some(b"")`), or `None` when the header is absent; names are matched without regard to ASCII
/// case. The numeric helpers return `None` when the value is absent or not a plain decimal number
/// that fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile<'a> {
    message: Message<'a>,
}

impl<'a> Profile<'a> {
    /// A profile view over any message, whatever its `Content-Type` (use [`Message::profile`] to
    /// check the type).
    pub const fn new(message: Message<'a>) -> Self {
        Profile { message }
    }

    /// The underlying message.
    pub const fn message(&self) -> Message<'a> {
        self.message
    }

    /// The value of any profile header, ignoring ASCII case.
    pub fn field(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.message.header(name)
    }

    byte_getters! {
        /// `LoginTime`: login time in seconds since the Unix epoch.
        login_time => b"LoginTime";
        /// `EmailEnabled`: `1` if the account has Hotmail e-mail.
        email_enabled => b"EmailEnabled";
        /// `MemberIdHigh`: high 32 bits of the Passport member id (the `pid` of reference §11).
        member_id_high => b"MemberIdHigh";
        /// `MemberIdLow`: low 32 bits of the Passport member id.
        member_id_low => b"MemberIdLow";
        /// `lang_preference`: the preferred language as a Windows LCID (e.g. `1033`).
        lang_preference => b"lang_preference";
        /// `PreferredEmail`: the preferred e-mail address.
        preferred_email => b"PreferredEmail";
        /// `country`: the country code (e.g. `US`).
        country => b"country";
        /// `PostalCode`: the postal code (often empty).
        postal_code => b"PostalCode";
        /// `Gender`: the gender (often empty).
        gender => b"Gender";
        /// `Kid`: `1` for a kids' account.
        kid => b"Kid";
        /// `Age`: the age (often empty).
        age => b"Age";
        /// `BDayPre`: birthday precision (often empty).
        bday_pre => b"BDayPre";
        /// `Birthday`: the birthday (often empty).
        birthday => b"Birthday";
        /// `Wallet`: Passport wallet (often empty).
        wallet => b"Wallet";
        /// `Flags`: account flags.
        flags => b"Flags";
        /// `sid`: the Passport site id.
        sid => b"sid";
        /// `kv`: the key version.
        kv => b"kv";
        /// `MSPAuth`: the Passport authentication ticket.
        msp_auth => b"MSPAuth";
    }

    /// `LoginTime` as seconds since the Unix epoch.
    pub fn login_time_secs(&self) -> Option<u64> {
        self.login_time().and_then(parse_decimal)
    }

    /// `EmailEnabled` as a flag (`1` or `0`).
    pub fn is_email_enabled(&self) -> Option<bool> {
        self.email_enabled().and_then(parse_flag)
    }

    /// `MemberIdHigh` as a number.
    pub fn member_id_high_u32(&self) -> Option<u32> {
        self.member_id_high().and_then(parse_decimal_u32)
    }

    /// `MemberIdLow` as a number.
    pub fn member_id_low_u32(&self) -> Option<u32> {
        self.member_id_low().and_then(parse_decimal_u32)
    }

    /// The 64-bit member id `MemberIdHigh << 32 | MemberIdLow` (written
    /// `0xHHHHHHHH:0xLLLLLLLL` as the `pid` of notifications, reference §11).
    pub fn member_id(&self) -> Option<u64> {
        let high = self.member_id_high_u32()?;
        let low = self.member_id_low_u32()?;
        Some(u64::from(high) << 32 | u64::from(low))
    }

    /// `lang_preference` as a number (an LCID).
    pub fn lang_preference_u32(&self) -> Option<u32> {
        self.lang_preference().and_then(parse_decimal_u32)
    }

    /// `Kid` as a flag (`1` or `0`).
    pub fn is_kid(&self) -> Option<bool> {
        self.kid().and_then(parse_flag)
    }

    /// `Age` as a number.
    pub fn age_u32(&self) -> Option<u32> {
        self.age().and_then(parse_decimal_u32)
    }

    /// `Flags` as a number.
    pub fn flags_u32(&self) -> Option<u32> {
        self.flags().and_then(parse_decimal_u32)
    }

    /// `sid` as a number.
    pub fn sid_u32(&self) -> Option<u32> {
        self.sid().and_then(parse_decimal_u32)
    }

    /// `kv` as a number.
    pub fn kv_u32(&self) -> Option<u32> {
        self.kv().and_then(parse_decimal_u32)
    }
}

/// Common part of the body views.
macro_rules! body_view {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name<'a> {
            body: &'a [u8],
        }

        impl<'a> $name<'a> {
            /// A view over any body, whatever the message's `Content-Type` (the `Message`
            /// accessor of the same name checks the type).
            pub const fn from_body(body: &'a [u8]) -> Self {
                $name { body }
            }

            /// The body.
            pub const fn body(&self) -> &'a [u8] {
                self.body
            }

            /// All `Key: value` lines of the body, in order.
            pub const fn fields(&self) -> BodyFields<'a> {
                BodyFields::new(self.body)
            }

            /// The value of any body field, ignoring ASCII case.
            pub fn field(&self, name: &[u8]) -> Option<&'a [u8]> {
                self.fields().get(name)
            }
        }
    };
}

body_view! {
    /// A new-mail notification, `text/x-msmsgsemailnotification` (reference §10.1).
    ///
    /// > body: `From`, `Message-URL`, `Post-URL`, `Subject`, `Dest-Folder`, `From-Addr`, `id`
    /// > (the `id` header is MSNP3+) (reference §10.1)
    EmailNotification
}

impl<'a> EmailNotification<'a> {
    byte_getters! {
        /// `From`: the sender's name.
        from => b"From";
        /// `Message-URL`: the message's URL (relative to the Hotmail site).
        message_url => b"Message-URL";
        /// `Post-URL`: the Passport login URL to post to.
        post_url => b"Post-URL";
        /// `Subject`: the subject (possibly MIME-encoded).
        subject => b"Subject";
        /// `Dest-Folder`: the folder the mail went to (e.g. `ACTIVE`).
        dest_folder => b"Dest-Folder";
        /// `From-Addr`: the sender's address.
        from_addr => b"From-Addr";
        /// `id`: the Passport site id of Hotmail (MSNP3+).
        id => b"id";
    }

    /// `id` as a number.
    pub fn id_u32(&self) -> Option<u32> {
        self.id().and_then(parse_decimal_u32)
    }
}

body_view! {
    /// The unread-mail summary sent at login, `text/x-msmsgsinitialemailnotification`
    /// (reference §10.1).
    ///
    /// > body: `Inbox-Unread`, `Folders-Unread`, `Inbox-URL`, `Folders-URL`, `Post-URL`
    /// > (reference §10.1)
    InitialEmailNotification
}

impl<'a> InitialEmailNotification<'a> {
    byte_getters! {
        /// `Inbox-Unread`: unread messages in the inbox.
        inbox_unread => b"Inbox-Unread";
        /// `Folders-Unread`: unread messages in other folders.
        folders_unread => b"Folders-Unread";
        /// `Inbox-URL`: the inbox's URL.
        inbox_url => b"Inbox-URL";
        /// `Folders-URL`: the folder list's URL.
        folders_url => b"Folders-URL";
        /// `Post-URL`: the Passport login URL to post to.
        post_url => b"Post-URL";
    }

    /// `Inbox-Unread` as a number.
    pub fn inbox_unread_count(&self) -> Option<u32> {
        self.inbox_unread().and_then(parse_decimal_u32)
    }

    /// `Folders-Unread` as a number.
    pub fn folders_unread_count(&self) -> Option<u32> {
        self.folders_unread().and_then(parse_decimal_u32)
    }
}

body_view! {
    /// Mailbox activity, `text/x-msmsgsactivemailnotification` (reference §10.1).
    ///
    /// > body: `Src-Folder`, `Dest-Folder`, `Message-Delta` (reference §10.1)
    ActiveMailNotification
}

impl<'a> ActiveMailNotification<'a> {
    byte_getters! {
        /// `Src-Folder`: the folder messages left.
        src_folder => b"Src-Folder";
        /// `Dest-Folder`: the folder messages went to.
        dest_folder => b"Dest-Folder";
        /// `Message-Delta`: how many messages moved.
        message_delta => b"Message-Delta";
    }

    /// `Message-Delta` as a number.
    pub fn message_delta_count(&self) -> Option<u32> {
        self.message_delta().and_then(parse_decimal_u32)
    }
}

body_view! {
    /// A system message, `application/x-msmsgssystemmessage` (reference §10.1).
    ///
    /// > body: `Type` (1 = server shutdown), `Arg1` (minutes until shutdown for type 1)
    /// > (reference §10.1)
    SystemMessage
}

impl<'a> SystemMessage<'a> {
    /// The `Type` of a server-shutdown warning.
    pub const SHUTDOWN: u32 = 1;

    byte_getters! {
        /// `Type`: the kind of system message (`1` = server shutdown).
        message_type => b"Type";
        /// `Arg1`: the first argument (minutes until shutdown for type 1).
        arg1 => b"Arg1";
    }

    /// `Type` as a number.
    pub fn message_type_u32(&self) -> Option<u32> {
        self.message_type().and_then(parse_decimal_u32)
    }

    /// Whether this announces a server shutdown (`Type: 1`).
    pub fn is_shutdown(&self) -> bool {
        self.message_type_u32() == Some(Self::SHUTDOWN)
    }

    /// Minutes until the server shuts down: `Arg1` of a shutdown message as a number; `None` for
    /// other types.
    pub fn minutes(&self) -> Option<u32> {
        if self.is_shutdown() {
            self.arg1().and_then(parse_decimal_u32)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_fields_skip_blank_and_malformed_lines() {
        let body = b"\r\nType: 1\r\nnot a field\r\n:empty\nArg1:5\r\n\r\nTail: x";
        let fields: Vec<_> = BodyFields::new(body).collect();
        assert_eq!(
            fields,
            [
                Header::new(b"Type", b"1"),
                Header {
                    name: b"Arg1",
                    value: b"5",
                    separator: super::super::Separator::Colon
                },
                Header::new(b"Tail", b"x"),
            ]
        );
        let sys = SystemMessage::from_body(body);
        assert!(sys.is_shutdown());
        assert_eq!(sys.minutes(), Some(5));
        assert_eq!(sys.field(b"tail"), Some(&b"x"[..]));
    }

    #[test]
    fn minutes_only_for_shutdown() {
        let sys = SystemMessage::from_body(b"Type: 2\r\nArg1: 5\r\n");
        assert!(!sys.is_shutdown());
        assert_eq!(sys.minutes(), None);
        assert_eq!(sys.arg1(), Some(&b"5"[..]));
        assert_eq!(SystemMessage::from_body(b"").message_type(), None);
    }
}
