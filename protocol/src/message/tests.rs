//! Known-answer tests from the reference and property tests for `msnp6::message`.

use super::*;
use proptest::prelude::*;

/// `C: MSG 1 U 76` (reference §3.5).
const SB_76: &[u8] =
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nunacknowledged";
/// `S: MSG example@hotmail.com example%20user 73` (reference §3.5).
const SB_73: &[u8] =
    b"MIME-Version: 1.0\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nacknowledged";
/// `C: MSG 4 N 133` (reference §10.2).
const SB_133: &[u8] = b"MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=UTF-8\r\n\
X-MMS-IM-Format: FN=Arial; EF=I; CO=0; CS=0; PF=22\r\n\
\r\n\
Hello! How are you?";
/// `S: MSG Hotmail Hotmail 95`, the MSNP2 profile (reference §10.1).
const PROFILE_95: &[u8] = b"MIME-Version: 1.0\r\n\
Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n\
LoginTime: 1726321960\r\n\
\r\n";
/// `S: MSG Hotmail Hotmail 367`, the MSNP6 profile of the login sequence (reference §8).
const PROFILE_367: &[u8] = b"MIME-Version: 1.0\r\n\
Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n\
LoginTime: 1726321960\r\n\
EmailEnabled: 1\r\n\
MemberIdHigh: 1\r\n\
MemberIdLow: 2\r\n\
lang_preference: 1033\r\n\
PreferredEmail: example@hotmail.com\r\n\
country: US\r\n\
PostalCode: \r\n\
Gender: \r\n\
Kid: 0\r\n\
Age: \r\n\
BDayPre: \r\n\
Birthday: \r\n\
Wallet: \r\n\
Flags: 1027\r\n\
sid: 507\r\n\
kv: 11\r\n\
MSPAuth: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$$\r\n\
\r\n";
/// A typing notification (reference §10.2): control type, `TypingUser`, body a single CR LF.
const TYPING: &[u8] = b"MIME-Version: 1.0\r\n\
Content-Type: text/x-msmsgscontrol\r\n\
TypingUser: example@hotmail.com\r\n\
\r\n\
\r\n";
/// A new-mail notification with the §10.1 body fields.
const EMAIL: &[u8] = b"MIME-Version: 1.0\r\n\
Content-Type: text/x-msmsgsemailnotification; charset=UTF-8\r\n\
\r\n\
From: Another User\r\n\
Message-URL: /cgi-bin/getmsg?msg=MSG1.2&curmbox=ACTIVE\r\n\
Post-URL: https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033\r\n\
Subject: Hello\r\n\
Dest-Folder: ACTIVE\r\n\
From-Addr: anotheruser@hotmail.com\r\n\
id: 2\r\n";

fn headers(message: &Message<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    message
        .headers()
        .map(|h| (h.name.to_vec(), h.value.to_vec()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    list.iter()
        .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

#[test]
fn sb_76_byte_message() {
    assert_eq!(SB_76.len(), 76);
    let m = Message::parse(SB_76).expect("valid");
    assert_eq!(
        headers(&m),
        pairs(&[
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8")
        ])
    );
    assert_eq!(m.header_count(), 2);
    assert_eq!(m.headers().len(), 2);
    assert_eq!(m.mime_version(), Some(&b"1.0"[..]));
    assert_eq!(
        m.content_type(),
        Some(ContentType::PlainText {
            charset: Some(b"UTF-8")
        })
    );
    assert_eq!(m.charset(), Some(&b"UTF-8"[..]));
    assert_eq!(m.body(), b"unacknowledged");
    assert_eq!(m.body_offset(), 62);
    assert_eq!(m.as_bytes(), SB_76);
    assert_eq!(m.im_format(), None);
    assert_eq!(m.typing_user(), None);
    assert_eq!(m.profile(), None);

    let mut out = Vec::new();
    assert_eq!(
        MessageBuilder::plain_text(&mut out, b"unacknowledged", None),
        76
    );
    assert_eq!(out, SB_76);
}

#[test]
fn sb_73_byte_message_without_space_before_charset() {
    assert_eq!(SB_73.len(), 73);
    let m = Message::parse(SB_73).expect("valid");
    assert_eq!(
        m.header(b"content-type"),
        Some(&b"text/plain;charset=UTF-8"[..])
    );
    assert_eq!(
        m.content_type(),
        Some(ContentType::PlainText {
            charset: Some(b"UTF-8")
        })
    );
    assert_eq!(m.body(), b"acknowledged");

    // Re-encoding the parsed headers reproduces the payload byte for byte.
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out);
    for h in m.headers().skip(1) {
        b.push_header(&h).expect("valid header");
    }
    assert_eq!(b.body(m.body()), 73);
    assert_eq!(out, SB_73);
}

#[test]
fn sb_133_byte_message_with_im_format() {
    assert_eq!(SB_133.len(), 133);
    let m = Message::parse(SB_133).expect("valid");
    assert_eq!(
        m.header(b"X-MMS-IM-Format"),
        Some(&b"FN=Arial; EF=I; CO=0; CS=0; PF=22"[..])
    );
    let f = m.im_format().expect("present").expect("valid");
    assert_eq!(f.font_name(), Some(&b"Arial"[..]));
    assert_eq!(f.effects().map(|e| e.as_bytes()), Some(&b"I"[..]));
    assert_eq!(
        (f.color(), f.charset(), f.pitch_family()),
        (Some(0), Some(0), Some(0x22))
    );
    assert_eq!(m.body(), b"Hello! How are you?");

    let format = ImFormat::official(
        b"Arial",
        Effects::new(false, true, false, false),
        0,
        0,
        0x22,
    )
    .expect("valid");
    assert_eq!(format, f);
    let mut out = Vec::new();
    assert_eq!(
        MessageBuilder::plain_text(&mut out, b"Hello! How are you?", Some(&format)),
        133
    );
    assert_eq!(out, SB_133);
}

#[test]
fn msnp2_profile_95_bytes() {
    assert_eq!(PROFILE_95.len(), 95);
    let m = Message::parse(PROFILE_95).expect("valid");
    assert_eq!(m.content_type(), Some(ContentType::Profile));
    assert_eq!(m.charset(), Some(&b"UTF-8"[..]));
    assert_eq!(m.body(), b"");
    let p = m.profile().expect("profile");
    assert_eq!(p.login_time(), Some(&b"1726321960"[..]));
    assert_eq!(p.login_time_secs(), Some(1_726_321_960));
    assert_eq!(p.email_enabled(), None);
    assert_eq!(p.msp_auth(), None);
    assert_eq!(p.member_id(), None);

    let mut out = Vec::new();
    let len = MessageBuilder::profile(&mut out, &[Header::new(b"LoginTime", b"1726321960")])
        .expect("valid");
    assert_eq!(len, 95);
    assert_eq!(out, PROFILE_95);
}

#[test]
fn msnp6_profile_367_bytes() {
    assert_eq!(PROFILE_367.len(), 367);
    assert!(PROFILE_367.ends_with(b"\r\n\r\n"));
    let m = Message::parse(PROFILE_367).expect("valid");
    assert_eq!(m.header_count(), 20);
    assert_eq!(m.body(), b"");
    let p = m.profile().expect("profile");
    assert_eq!(p.login_time_secs(), Some(1_726_321_960));
    assert_eq!(p.is_email_enabled(), Some(true));
    assert_eq!(p.member_id_high_u32(), Some(1));
    assert_eq!(p.member_id_low_u32(), Some(2));
    assert_eq!(p.member_id(), Some(0x1_0000_0002));
    assert_eq!(p.lang_preference_u32(), Some(1033));
    assert_eq!(p.preferred_email(), Some(&b"example@hotmail.com"[..]));
    assert_eq!(p.country(), Some(&b"US"[..]));
    // Empty values keep their place: `PostalCode: ` is present and empty.
    for empty in [
        p.postal_code(),
        p.gender(),
        p.age(),
        p.bday_pre(),
        p.birthday(),
        p.wallet(),
    ] {
        assert_eq!(empty, Some(&b""[..]));
    }
    assert_eq!(p.age_u32(), None);
    assert_eq!(p.is_kid(), Some(false));
    assert_eq!(p.flags_u32(), Some(1027));
    assert_eq!(p.sid_u32(), Some(507));
    assert_eq!(p.kv_u32(), Some(11));
    assert_eq!(
        p.msp_auth(),
        Some(&b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$$"[..])
    );
    assert_eq!(p.field(b"LANG_PREFERENCE"), Some(&b"1033"[..]));
    assert!(
        m.headers()
            .filter(|h| h.value.is_empty())
            .all(|h| h.separator == Separator::ColonSpace)
    );

    let fields: Vec<Header<'_>> = m.headers().skip(2).collect();
    let mut out = Vec::new();
    let len = MessageBuilder::profile(&mut out, &fields).expect("valid");
    assert_eq!(len, 367);
    assert_eq!(out, PROFILE_367);
}

#[test]
fn typing_notification() {
    let m = Message::parse(TYPING).expect("valid");
    assert_eq!(m.content_type(), Some(ContentType::Control));
    assert_eq!(m.charset(), None);
    assert_eq!(m.typing_user(), Some(&b"example@hotmail.com"[..]));
    assert_eq!(m.body(), b"\r\n");

    let mut out = Vec::new();
    let len = MessageBuilder::typing(&mut out, b"example@hotmail.com").expect("valid");
    assert_eq!(len, TYPING.len());
    assert_eq!(out, TYPING);
}

#[test]
fn email_notification() {
    let m = Message::parse(EMAIL).expect("valid");
    assert_eq!(m.content_type(), Some(ContentType::EmailNotification));
    let e = m.email_notification().expect("new mail");
    assert_eq!(e.from(), Some(&b"Another User"[..]));
    assert_eq!(
        e.message_url(),
        Some(&b"/cgi-bin/getmsg?msg=MSG1.2&curmbox=ACTIVE"[..])
    );
    assert_eq!(
        e.post_url(),
        Some(&b"https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033"[..])
    );
    assert_eq!(e.subject(), Some(&b"Hello"[..]));
    assert_eq!(e.dest_folder(), Some(&b"ACTIVE"[..]));
    assert_eq!(e.from_addr(), Some(&b"anotheruser@hotmail.com"[..]));
    assert_eq!(e.id_u32(), Some(2));
    assert_eq!(e.fields().count(), 7);
    assert_eq!(m.initial_email_notification(), None);
    assert_eq!(m.body_field(b"SUBJECT"), Some(&b"Hello"[..]));

    let mut out = Vec::new();
    let len = MessageBuilder::email_notification(
        &mut out,
        &EmailNotificationFields {
            from: b"Another User",
            message_url: b"/cgi-bin/getmsg?msg=MSG1.2&curmbox=ACTIVE",
            post_url: b"https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033",
            subject: b"Hello",
            dest_folder: b"ACTIVE",
            from_addr: b"anotheruser@hotmail.com",
            id: Some(2),
        },
    )
    .expect("valid");
    assert_eq!(len, EMAIL.len());
    assert_eq!(out, EMAIL);
}

#[test]
fn initial_and_active_mail_notifications_round_trip() {
    let mut out = Vec::new();
    MessageBuilder::initial_email_notification(
        &mut out,
        3,
        0,
        b"/cgi-bin/HoTMaiL",
        b"/cgi-bin/folders",
        b"https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033",
    )
    .expect("valid");
    let m = Message::parse(&out).expect("valid");
    assert_eq!(
        m.content_type(),
        Some(ContentType::InitialEmailNotification)
    );
    let i = m.initial_email_notification().expect("summary");
    assert_eq!(i.inbox_unread_count(), Some(3));
    assert_eq!(i.folders_unread_count(), Some(0));
    assert_eq!(i.inbox_url(), Some(&b"/cgi-bin/HoTMaiL"[..]));
    assert_eq!(i.folders_url(), Some(&b"/cgi-bin/folders"[..]));
    assert!(i.post_url().is_some());
    assert_eq!(m.email_notification(), None);

    let mut out = Vec::new();
    MessageBuilder::active_mail_notification(&mut out, b"ACTIVE", b"trAsH", 1).expect("valid");
    assert_eq!(
        out,
        b"MIME-Version: 1.0\r\n\
Content-Type: text/x-msmsgsactivemailnotification; charset=UTF-8\r\n\
\r\n\
Src-Folder: ACTIVE\r\n\
Dest-Folder: trAsH\r\n\
Message-Delta: 1\r\n"
    );
    let m = Message::parse(&out).expect("valid");
    let a = m.active_mail_notification().expect("activity");
    assert_eq!(a.src_folder(), Some(&b"ACTIVE"[..]));
    assert_eq!(a.dest_folder(), Some(&b"trAsH"[..]));
    assert_eq!(a.message_delta_count(), Some(1));
}

#[test]
fn system_shutdown() {
    let mut out = Vec::new();
    let len = MessageBuilder::system_shutdown(&mut out, 5);
    let expected: &[u8] = b"MIME-Version: 1.0\r\n\
Content-Type: application/x-msmsgssystemmessage\r\n\
\r\n\
Type: 1\r\n\
Arg1: 5\r\n";
    assert_eq!(out, expected);
    assert_eq!(len, expected.len());
    let m = Message::parse(&out).expect("valid");
    let s = m.system_message().expect("system message");
    assert!(s.is_shutdown());
    assert_eq!(s.minutes(), Some(5));
    assert_eq!(s.message_type(), Some(&b"1"[..]));
    assert_eq!(m.body_fields().count(), 2);

    let mut out = Vec::new();
    MessageBuilder::system_shutdown(&mut out, u32::MAX);
    let m = Message::parse(&out).expect("valid");
    assert_eq!(m.system_message().and_then(|s| s.minutes()), Some(u32::MAX));
}

#[test]
fn legacy_msnp2_notifications_dispatch_on_their_fields() {
    let initial = b"MIME-Version: 1.0\r\nContent-Type: application/x-msmsgsemailnotification\r\n\r\nInbox-Unread: 1\r\nFolders-Unread: 0\r\n";
    let m = Message::parse(initial).expect("valid");
    assert_eq!(m.content_type(), Some(ContentType::LegacyEmailNotification));
    assert_eq!(
        m.initial_email_notification()
            .and_then(|i| i.inbox_unread_count()),
        Some(1)
    );
    assert_eq!(m.email_notification(), None);

    let new_mail = b"MIME-Version: 1.0\r\nContent-Type: application/x-msmsgsemailnotification\r\n\r\nFrom: A\r\nSubject: B\r\n";
    let m = Message::parse(new_mail).expect("valid");
    assert_eq!(
        m.email_notification().and_then(|e| e.subject()),
        Some(&b"B"[..])
    );
    assert_eq!(m.initial_email_notification(), None);
}

#[test]
fn views_require_their_content_type() {
    let m = Message::parse(SB_76).expect("valid");
    assert_eq!(m.profile(), None);
    assert_eq!(m.email_notification(), None);
    assert_eq!(m.initial_email_notification(), None);
    assert_eq!(m.active_mail_notification(), None);
    assert_eq!(m.system_message(), None);
    let no_type = Message::parse(b"MIME-Version: 1.0\r\n\r\n").expect("valid");
    assert_eq!(no_type.content_type(), None);
    assert_eq!(no_type.system_message(), None);
}

#[test]
fn separator_is_kept_losslessly() {
    let payload = b"A:x\r\nB: y\r\nC:  z\r\nD:\r\nE: \r\n\r\n";
    let m = Message::parse(payload).expect("valid");
    let got: Vec<_> = m.headers().collect();
    assert_eq!(
        got,
        [
            Header {
                name: b"A",
                value: b"x",
                separator: Separator::Colon
            },
            Header::new(b"B", b"y"),
            Header::new(b"C", b" z"),
            Header {
                name: b"D",
                value: b"",
                separator: Separator::Colon
            },
            Header::new(b"E", b""),
        ]
    );
    let mut rebuilt = Vec::new();
    for h in &got {
        rebuilt.extend_from_slice(h.name);
        rebuilt.extend_from_slice(h.separator.as_bytes());
        rebuilt.extend_from_slice(h.value);
        rebuilt.extend_from_slice(b"\r\n");
        assert_eq!(
            h.line_len() + 2,
            h.name.len() + h.separator.as_bytes().len() + h.value.len() + 2
        );
    }
    assert_eq!(rebuilt, m.header_bytes());
    // The value keeps every byte after the first colon, colons included.
    let m = Message::parse(b"Roster: 987654321;10.0.1.200:1863\r\n\r\n").expect("valid");
    assert_eq!(m.header(b"roster"), Some(&b"987654321;10.0.1.200:1863"[..]));
}

#[test]
fn line_endings_and_body_edges() {
    // Bare LF is accepted; the payload need not end in a newline (reference §3.5).
    let m = Message::parse(b"MIME-Version: 1.0\nContent-Type: text/plain\n\nhi").expect("valid");
    assert_eq!(
        m.content_type(),
        Some(ContentType::PlainText { charset: None })
    );
    assert_eq!(m.body(), b"hi");
    // Only an empty line: no headers, empty body.
    let m = Message::parse(b"\r\n").expect("valid");
    assert_eq!(m.header_count(), 0);
    assert_eq!(m.body(), b"");
    // The body is verbatim, blank lines and header-like lines included.
    let m = Message::parse(b"A: b\r\n\r\n\r\nC: d\r\n\r\n").expect("valid");
    assert_eq!(m.header_count(), 1);
    assert_eq!(m.body(), b"\r\nC: d\r\n\r\n");
    assert_eq!(m.header_bytes(), b"A: b\r\n");
    // Duplicate headers: lookup finds the first, iteration yields both.
    let m = Message::parse(b"X: 1\r\nx: 2\r\n\r\n").expect("valid");
    assert_eq!(m.header(b"X"), Some(&b"1"[..]));
    assert_eq!(m.headers().count(), 2);
}

#[test]
fn errors_carry_offsets_and_display() {
    let cases: [(&[u8], MessageError); 9] = [
        (b"", MessageError::MissingHeaderEnd { offset: 0 }),
        (
            b"just some text",
            MessageError::MissingHeaderEnd { offset: 14 },
        ),
        (
            b"MIME-Version: 1.0\r\nContent-Type: text/plain",
            MessageError::MissingHeaderEnd { offset: 43 },
        ),
        (
            b"MIME-Version: 1.0\r\n",
            MessageError::MissingHeaderEnd { offset: 19 },
        ),
        (
            b"MIME-Version: 1.0\r\nno colon\r\n\r\n",
            MessageError::MissingColon { offset: 19 },
        ),
        (
            b"MIME-Version: 1.0\r\n: x\r\n\r\n",
            MessageError::EmptyName { offset: 19 },
        ),
        (
            b"A: b\rc\r\n\r\n",
            MessageError::BareCarriageReturn { offset: 4 },
        ),
        (
            b"A: b\r\r\n\r\n",
            MessageError::BareCarriageReturn { offset: 4 },
        ),
        (b" \r\n\r\n", MessageError::MissingColon { offset: 0 }),
    ];
    for (payload, expected) in cases {
        let err = Message::parse(payload).expect_err("invalid");
        assert_eq!(err, expected, "{:?}", payload.escape_ascii().to_string());
        assert_eq!(err.offset(), expected.offset());
        assert!(err.offset() <= payload.len());
    }
    assert_eq!(
        MessageError::MissingColon { offset: 19 }.to_string(),
        "the header line at offset 19 has no colon"
    );
    assert_eq!(
        MessageError::MissingHeaderEnd { offset: 7 }.to_string(),
        "no empty line ends the MIME header: the payload ends at offset 7"
    );
}

fn many_headers(n: usize) -> Vec<u8> {
    let mut payload = Vec::new();
    for i in 0..n {
        payload.extend_from_slice(b"X-");
        num::write_decimal(&mut payload, i as u64);
        payload.extend_from_slice(b": v\r\n");
    }
    payload.extend_from_slice(b"\r\nbody");
    payload
}

#[test]
fn header_limit() {
    let ok = many_headers(MAX_HEADERS);
    let m = Message::parse(&ok).expect("64 lines are allowed");
    assert_eq!(m.header_count(), MAX_HEADERS);
    assert_eq!(m.body(), b"body");

    let too_many = many_headers(MAX_HEADERS + 1);
    let offset = ok.len() - b"\r\nbody".len();
    assert_eq!(
        Message::parse(&too_many),
        Err(MessageError::TooManyHeaders {
            offset,
            limit: MAX_HEADERS
        })
    );
    assert_eq!(
        MessageError::TooManyHeaders { offset, limit: 64 }.to_string(),
        format!("more than 64 header lines: the line at offset {offset} is one too many")
    );

    // The builder stops at the same limit.
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out);
    for _ in 1..MAX_HEADERS {
        b.header(b"X", b"v").expect("under the limit");
    }
    assert_eq!(b.header_count(), MAX_HEADERS);
    assert_eq!(
        b.header(b"X", b"v").map(|_| ()),
        Err(BuildError::TooManyHeaders { limit: MAX_HEADERS })
    );
    b.body(b"");
    assert_eq!(
        Message::parse(&out).map(|m| m.header_count()),
        Ok(MAX_HEADERS)
    );
}

#[test]
fn builder_refuses_what_would_not_parse_back() {
    let mut out = b"prefix".to_vec();
    {
        let mut b = MessageBuilder::new(&mut out);
        assert_eq!(b.header(b"", b"v").map(|_| ()), Err(BuildError::EmptyName));
        assert_eq!(
            b.header(b"A:B", b"v").map(|_| ()),
            Err(BuildError::ForbiddenNameByte {
                index: 1,
                byte: b':'
            })
        );
        assert_eq!(
            b.header(b"A", b"x\r\nEvil: 1").map(|_| ()),
            Err(BuildError::ForbiddenValueByte {
                index: 1,
                byte: b'\r'
            })
        );
        assert_eq!(
            b.push_header(&Header {
                name: b"A",
                value: b" x",
                separator: Separator::Colon
            })
            .map(|_| ()),
            Err(BuildError::SpaceAfterBareColon)
        );
        assert_eq!(
            b.content_type(&ContentType::PlainText {
                charset: Some(b"UTF-8; x")
            })
            .map(|_| ()),
            Err(BuildError::ForbiddenValueByte {
                index: 5,
                byte: b';'
            })
        );
        assert_eq!(
            b.content_type(&ContentType::Other(b"a\nb")).map(|_| ()),
            Err(BuildError::ForbiddenValueByte {
                index: 1,
                byte: b'\n'
            })
        );
        assert_eq!(b.header_count(), 1);
        // Dropped without a body: everything it wrote is removed.
    }
    assert_eq!(out, b"prefix");
    assert_eq!(
        MessageBuilder::typing(&mut out, b"bad\r\nhandle"),
        Err(BuildError::ForbiddenValueByte {
            index: 3,
            byte: b'\r'
        })
    );
    assert_eq!(out, b"prefix");
    assert_eq!(
        MessageBuilder::profile(&mut out, &[Header::new(b"Login:Time", b"1")]),
        Err(BuildError::ForbiddenNameByte {
            index: 5,
            byte: b':'
        })
    );
    assert_eq!(out, b"prefix");

    // Appends after what the buffer already holds and returns only the payload's length.
    let len = MessageBuilder::plain_text(&mut out, b"unacknowledged", None);
    assert_eq!(len, 76);
    assert_eq!(&out[6..], SB_76);
}

#[test]
fn builder_other_content_type_and_body_fields() {
    let mut out = Vec::new();
    let mut b = MessageBuilder::new(&mut out);
    b.content_type(&ContentType::Invite)
        .expect("valid")
        .header(b"X-Custom", b"")
        .expect("valid");
    let len = b
        .body_fields(&[
            Header::new(b"Invitation-Command", b"INVITE"),
            Header {
                name: b"Raw",
                value: b"1",
                separator: Separator::Colon,
            },
        ])
        .expect("valid");
    assert_eq!(len, out.len());
    let m = Message::parse(&out).expect("valid");
    assert_eq!(m.content_type(), Some(ContentType::Invite));
    assert_eq!(
        m.header(b"content-type"),
        Some(&b"text/x-msmsgsinvite; charset=UTF-8"[..])
    );
    assert_eq!(m.header(b"X-Custom"), Some(&b""[..]));
    assert_eq!(m.body(), b"Invitation-Command: INVITE\r\nRaw:1\r\n");
    assert_eq!(m.body_field(b"raw"), Some(&b"1"[..]));
}

fn proptest_config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../proptest-regressions/msnp6-lib.txt"
            )),
        )),
        ..ProptestConfig::default()
    }
}

/// A valid header name: non-empty, no `:`, CR or LF.
fn name_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        any::<u8>().prop_map(|b| {
            if matches!(b, b':' | b'\r' | b'\n') {
                b'n'
            } else {
                b
            }
        }),
        1..16,
    )
}

/// A valid header value: no CR or LF.
fn value_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        any::<u8>().prop_map(|b| if matches!(b, b'\r' | b'\n') { b'v' } else { b }),
        0..32,
    )
}

/// A valid header: a name, a value, and a separator that keeps the value's bytes.
fn header_strategy() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Separator)> {
    (name_strategy(), value_strategy(), any::<bool>()).prop_map(|(n, v, colon)| {
        let separator = if colon && v.first() != Some(&b' ') {
            Separator::Colon
        } else {
            Separator::ColonSpace
        };
        (n, v, separator)
    })
}

/// Bytes that look like a message: header-ish lines, separators and noise.
fn messageish_strategy() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"MIME-Version: 1.0\r\n".to_vec()),
        Just(b"Content-Type: text/plain; charset=UTF-8\r\n".to_vec()),
        Just(b"Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n".to_vec()),
        Just(b"Content-Type: application/x-msmsgssystemmessage\r\n".to_vec()),
        Just(b"Content-Type: application/x-msmsgsemailnotification\r\n".to_vec()),
        Just(b"X-MMS-IM-Format: FN=Arial; EF=I; CO=0; CS=0; PF=22\r\n".to_vec()),
        Just(b"X-MMS-IM-Format: ;=;CO=zz;EF\r\n".to_vec()),
        Just(b"Type: 1\r\nArg1: 5\r\n".to_vec()),
        Just(b"Inbox-Unread: 99999999999\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b":".to_vec()),
        prop::collection::vec(any::<u8>(), 0..12),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Calls every accessor; none may panic.
fn exercise(payload: &[u8]) {
    match Message::parse(payload) {
        Ok(m) => {
            assert_eq!(m.as_bytes(), payload);
            assert!(m.header_count() <= MAX_HEADERS);
            assert_eq!(m.headers().count(), m.header_count());
            assert!(m.body_offset() <= payload.len());
            assert_eq!(&payload[m.body_offset()..], m.body());
            let _ = (
                m.mime_version(),
                m.content_type(),
                m.charset(),
                m.typing_user(),
            );
            if let Some(Ok(f)) = m.im_format() {
                let mut out = Vec::new();
                f.encode(&mut out);
                assert_eq!(ImFormat::parse(&out), Ok(f));
            }
            let _ = m.body_fields().count();
            if let Some(p) = m.profile() {
                let _ = (p.login_time_secs(), p.member_id(), p.kv_u32(), p.msp_auth());
            }
            if let Some(e) = m.email_notification() {
                let _ = (e.from(), e.id_u32());
            }
            if let Some(i) = m.initial_email_notification() {
                let _ = (i.inbox_unread_count(), i.post_url());
            }
            if let Some(a) = m.active_mail_notification() {
                let _ = a.message_delta_count();
            }
            if let Some(s) = m.system_message() {
                let _ = (s.is_shutdown(), s.minutes());
            }
        }
        Err(e) => {
            assert!(e.offset() <= payload.len());
            assert!(!e.to_string().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn builder_output_parses_back_to_the_same_headers_and_body(
        headers in prop::collection::vec(header_strategy(), 0..MAX_HEADERS),
        body in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        let mut out = b"unrelated".to_vec();
        let mut b = MessageBuilder::new(&mut out);
        for (name, value, separator) in &headers {
            b.push_header(&Header { name, value, separator: *separator }).expect("valid header");
        }
        let len = b.body(&body);
        let payload = &out[9..];
        prop_assert_eq!(len, payload.len());
        let m = Message::parse(payload).expect("builder output parses");
        prop_assert_eq!(m.as_bytes(), payload);
        prop_assert_eq!(m.header_count(), headers.len() + 1);
        prop_assert_eq!(m.mime_version(), Some(&b"1.0"[..]));
        let parsed: Vec<Header<'_>> = m.headers().skip(1).collect();
        let expected: Vec<Header<'_>> = headers
            .iter()
            .map(|(name, value, separator)| Header { name, value, separator: *separator })
            .collect();
        prop_assert_eq!(parsed, expected);
        prop_assert_eq!(m.body(), &body[..]);
    }

    #[test]
    fn body_fields_round_trip(
        fields in prop::collection::vec(header_strategy(), 0..16),
    ) {
        let mut out = Vec::new();
        let mut b = MessageBuilder::new(&mut out);
        b.content_type(&ContentType::SystemMessage).expect("valid");
        let fields: Vec<Header<'_>> = fields
            .iter()
            .map(|(name, value, separator)| Header { name, value, separator: *separator })
            .collect();
        b.body_fields(&fields).expect("valid fields");
        let m = Message::parse(&out).expect("parses");
        let parsed: Vec<Header<'_>> = m.body_fields().collect();
        prop_assert_eq!(parsed, fields);
    }

    #[test]
    fn arbitrary_bytes_never_panic(payload in prop::collection::vec(any::<u8>(), 0..512)) {
        exercise(&payload);
    }

    #[test]
    fn messageish_bytes_never_panic(payload in messageish_strategy()) {
        exercise(&payload);
        // With CR LF endings only, the parsed lines rebuild the header section exactly.
        if let Ok(m) = Message::parse(&payload) {
            let mut rebuilt = Vec::new();
            for h in m.headers() {
                rebuilt.extend_from_slice(h.name);
                rebuilt.extend_from_slice(h.separator.as_bytes());
                rebuilt.extend_from_slice(h.value);
                rebuilt.extend_from_slice(b"\r\n");
            }
            if !m.header_bytes().windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r')
                && !m.header_bytes().starts_with(b"\n")
            {
                prop_assert_eq!(rebuilt, m.header_bytes());
            }
        }
    }

    #[test]
    fn im_format_arbitrary_values_never_panic(value in prop::collection::vec(any::<u8>(), 0..64)) {
        match ImFormat::parse(&value) {
            Ok(f) => {
                let mut out = Vec::new();
                f.encode(&mut out);
                prop_assert_eq!(ImFormat::parse(&out), Ok(f));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn canonical_im_format_encodes_back_to_its_exact_bytes(
        font in proptest::option::of("[A-Za-z0-9%]{0,12}"),
        effects in proptest::option::of(0u8..16),
        color in proptest::option::of(any::<u32>()),
        charset in proptest::option::of(any::<u8>()),
        pitch in proptest::option::of(any::<u8>()),
        rl in proptest::option::of("[01]"),
        unknown in prop::collection::vec(("X[A-Z]{1,3}", "[A-Za-z0-9]{0,5}"), 0..3),
    ) {
        let mut parts: Vec<String> = Vec::new();
        if let Some(font) = &font {
            parts.push(format!("FN={font}"));
        }
        let effects = effects.map(|i| Effects::new(i & 1 != 0, i & 2 != 0, i & 4 != 0, i & 8 != 0));
        if let Some(e) = effects {
            parts.push(format!("EF={}", e.as_bytes().escape_ascii()));
        }
        if let Some(c) = color {
            parts.push(format!("CO={c:x}"));
        }
        if let Some(c) = charset {
            parts.push(format!("CS={c:x}"));
        }
        if let Some(p) = pitch {
            parts.push(format!("PF={p:x}"));
        }
        if let Some(rl) = &rl {
            parts.push(format!("RL={rl}"));
        }
        for (k, v) in &unknown {
            parts.push(format!("{k}={v}"));
        }
        let text = parts.join("; ");
        let parsed = ImFormat::parse(text.as_bytes()).expect("canonical value parses");
        let mut out = Vec::new();
        parsed.encode(&mut out);
        prop_assert_eq!(&out, text.as_bytes());

        // The same value built from typed parts is equal and encodes the same.
        if unknown.is_empty() {
            let mut built = ImFormat::new();
            if let Some(font) = &font {
                built = built.with_font_name(font.as_bytes()).expect("valid font");
            }
            if let Some(e) = effects {
                built = built.with_effects(e);
            }
            if let Some(c) = color {
                built = built.with_color(c);
            }
            if let Some(c) = charset {
                built = built.with_charset(c);
            }
            if let Some(p) = pitch {
                built = built.with_pitch_family(p);
            }
            if let Some(rl) = &rl {
                built = built.with_right_align(rl.as_bytes()).expect("valid RL");
            }
            prop_assert_eq!(built, parsed);
            let mut again = Vec::new();
            built.encode(&mut again);
            prop_assert_eq!(again, out);
        }
    }
}
