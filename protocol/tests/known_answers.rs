//! Known answers for every command form, in every direction and on every server where it is
//! valid: bytes → the expected typed value (written out literally) → the same bytes again.
//!
//! Lines are the documented examples of the protocol reference (`msnp6-protocol.md`, cited by
//! section) wherever one exists; other lines follow the documented syntax. Then come the
//! dialect-dependent shapes, the lossless cases (undocumented values kept byte for byte), a
//! negative table (the exact `DecodeError` of each invalid input) and the lenient-mode table.

mod strategies;

use std::collections::BTreeSet;

use msnp6::commands::challenge::{Chl, ChlRequest, Qry, QryOk};
use msnp6::commands::lists::{
    Add, AddRequest, Blp, BlpRequest, Bpr, Gtc, GtcRequest, ListEntry, Lst, LstRequest, Prp,
    PrpRequest, Rea, ReaRequest, Rem, RemRequest, ReverseAdd, ReverseRemove, Syn,
};
use msnp6::commands::login::{
    ClientVersion, Inf, InfRequest, Out, UsrInitial, UsrOk, UsrOther, UsrResponse, UsrSalt,
    UsrSwitchboard, UsrSwitchboardOk, Ver, VersionAdvice, XfrNotification, XfrRequest, XfrReset,
    XfrSwitchboard,
};
use msnp6::commands::presence::{Chg, Fln, Iln, Ims, ImsRequest, Nln};
use msnp6::commands::services::{
    Fnd, FndFields, FndRequest, InviteOk, Notice, Pag, Sdc, SndRequest, Url, UrlRequest,
};
use msnp6::commands::switchboard::{
    Ans, AnsOk, Bye, Cal, CalRinging, Delivery, Iro, Joi, Msg, MsgSend, Rng,
};
use msnp6::commands::{Bare, ErrorReply, Unknown};
use msnp6::error::{DecodeError, Expected, Misplacement, Warning};
use msnp6::types::{
    AckMode, AuthPackage, Enumerated, ErrorCode, FriendlyName, GtcMode, Handle, ImsState, List,
    OutReason, Privacy, Property, Secret, Status, Token, TokenList, TransferKind, Undocumented,
    UrlService, Value, Verified,
};
use msnp6::{Command, Dialect, Direction, Framer, Mode, Payload, ServerKind, TrId};
#[cfg(feature = "fuzzing")]
use strategies::forms;
use strategies::{ALL_VARIANTS, C, DS, NS, S, SB, ctx, decoder, variant_name};

// ---------------------------------------------------------------------------------------------
// Building expected values
// ---------------------------------------------------------------------------------------------

fn t(s: &'static str) -> Token<'static> {
    Token::new(s.as_bytes()).expect(s)
}
fn ot(s: &'static str) -> Option<Token<'static>> {
    Some(t(s))
}
fn h(s: &'static str) -> Handle<'static> {
    Handle::new(s.as_bytes()).expect(s)
}
fn n(s: &'static str) -> FriendlyName<'static> {
    FriendlyName::new(s.as_bytes()).expect(s)
}
fn tl(s: &'static str) -> TokenList<'static> {
    TokenList::new(s.as_bytes()).expect(s)
}
fn sec(s: &'static str) -> Secret<'static> {
    Secret::new(t(s))
}
fn k<T>(v: T) -> Value<'static, T> {
    Value::Known(v)
}
fn u<T: Enumerated>(s: &'static str) -> Value<'static, T> {
    Value::Unknown(Undocumented::new(t(s)).expect(s))
}
fn id(n: u32) -> TrId {
    TrId(n)
}
fn pl(b: &[u8]) -> Payload<'static> {
    Payload::new(b.to_vec())
}
fn err(code: u16, trid: u32) -> Command<'static> {
    Command::Error(ErrorReply {
        code: ErrorCode::new(code).expect("code"),
        trid: TrId(trid),
    })
}

const ALL: &[Dialect] = &Dialect::ALL;
const BEFORE6: &[Dialect] = &[
    Dialect::Cvr0,
    Dialect::Msnp2,
    Dialect::Msnp3,
    Dialect::Msnp4,
    Dialect::Msnp5,
];
const FROM6: &[Dialect] = &[Dialect::Msnp6, Dialect::Msnp7];
const V2: &[Dialect] = &[Dialect::Cvr0, Dialect::Msnp2];
const V3: &[Dialect] = &[Dialect::Msnp3];
const V2_TO_4: &[Dialect] = &[
    Dialect::Cvr0,
    Dialect::Msnp2,
    Dialect::Msnp3,
    Dialect::Msnp4,
];
const V3_TO_6: &[Dialect] = &[
    Dialect::Msnp3,
    Dialect::Msnp4,
    Dialect::Msnp5,
    Dialect::Msnp6,
];
const FROM3: &[Dialect] = &[
    Dialect::Msnp3,
    Dialect::Msnp4,
    Dialect::Msnp5,
    Dialect::Msnp6,
    Dialect::Msnp7,
];
const BEFORE4: &[Dialect] = &[Dialect::Cvr0, Dialect::Msnp2, Dialect::Msnp3];
const FROM4: &[Dialect] = &[
    Dialect::Msnp4,
    Dialect::Msnp5,
    Dialect::Msnp6,
    Dialect::Msnp7,
];
const V7: &[Dialect] = &[Dialect::Msnp7];

/// One known answer: in each of `servers` × `dialects`, `wire` decodes strictly to `expected`
/// (consuming every byte, no warning) and `expected` encodes to `wire`.
struct Row {
    dir: Direction,
    servers: &'static [ServerKind],
    dialects: &'static [Dialect],
    wire: Vec<u8>,
    expected: Command<'static>,
    source: &'static str,
}

impl Row {
    fn only(mut self, dialects: &'static [Dialect]) -> Self {
        self.dialects = dialects;
        self
    }
}

/// A command line without payload.
fn row(
    dir: Direction,
    servers: &'static [ServerKind],
    line: &str,
    expected: Command<'static>,
    source: &'static str,
) -> Row {
    row_p(dir, servers, line, b"", expected, source)
}

/// A command line and its payload.
fn row_p(
    dir: Direction,
    servers: &'static [ServerKind],
    line: &str,
    payload: &[u8],
    expected: Command<'static>,
    source: &'static str,
) -> Row {
    let mut wire = line.as_bytes().to_vec();
    wire.extend_from_slice(b"\r\n");
    wire.extend_from_slice(payload);
    Row {
        dir,
        servers,
        dialects: ALL,
        wire,
        expected,
        source,
    }
}

/// The SB payloads of reference §3.5 (CR LF between the lines, no final newline).
const UNACKNOWLEDGED: &[u8] =
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nunacknowledged";
const ACKNOWLEDGED: &[u8] =
    b"MIME-Version: 1.0\r\nContent-Type: text/plain;charset=UTF-8\r\n\r\nacknowledged";
const MESSAGE: &[u8] =
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nmessage";
/// Reference §10.2 (`MSG 4 N 133`).
const FORMATTED: &[u8] = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nX-MMS-IM-Format: FN=Arial; EF=I; CO=0; CS=0; PF=22\r\n\r\nHello! How are you?";
/// Reference §10.1 (`MSG Hotmail Hotmail 95`, MSNP2 profile).
const PROFILE_95: &[u8] = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: 1726321960\r\n\r\n";
/// Reference §3.4 PAG.
const PAGE: &[u8] = b"<TEXT xml:space=\"preserve\">This is an example message.</TEXT>";
/// Reference §3.4 QRY, §8, §9.
const QRY_RESPONSE: &[u8] = b"3b6666b60157322b6fc6e41a115968f5";
/// Reference §3.4 SDC.
const INVITATION: &[u8] = b"This will be added to the invitation.";
/// A `<NOTIFICATION>` of our own for `IPG 478` (reference §3.4 IPG, §8 elide it; this one
/// follows §11 and, like the documented length, uses LF separators — the corpus copy).
const IPG_478: &[u8] = b"<NOTIFICATION id=\"0\" siteid=\"111100400\" siteurl=\"http://mobile.msn.com/\">\n\t<TO name=\"example@hotmail.com\" pid=\"0x00000001:0x00000002\" email=\"example@hotmail.com\">\n\t\t<VIA agent=\"mobile\"/>\n\t</TO>\n\t<FROM pid=\"0x00000003:0x00000004\" name=\"anotheruser@hotmail.com\"/>\n\t<MSG pri=\"1\" id=\"1\">\n\t\t<ACTION url=\"2wayIM.asp\"/>\n\t\t<SUBSCR url=\"2wayIM.asp\"/>\n\t\t<BODY lang=\"1033\">\n\t\t\t<TEXT>Running late, sorry! I will be at the station at 8:30 pm, see you</TEXT>\n\t\t</BODY>\n\t</MSG>\n</NOTIFICATION>";
/// A `NOT` payload of our own (reference §11 shape; no example is documented).
const NOT_BODY: &[u8] = b"<NOTIFICATION ver=\"1\" id=\"1\" siteid=\"0\" siteurl=\"http://example.com/\"><TO pid=\"0x00000001:0x00000002\" name=\"example@hotmail.com\"/><MSG id=\"0\"><BODY lang=\"1033\"><TEXT>hi</TEXT></BODY></MSG></NOTIFICATION>";

/// The profile of reference §8: header lines joined by CR LF, empty values keeping their
/// trailing space, ending with CR LF CR LF (367 bytes).
fn profile_367() -> Vec<u8> {
    let lines = [
        "MIME-Version: 1.0",
        "Content-Type: text/x-msmsgsprofile; charset=UTF-8",
        "LoginTime: 1726321960",
        "EmailEnabled: 1",
        "MemberIdHigh: 1",
        "MemberIdLow: 2",
        "lang_preference: 1033",
        "PreferredEmail: example@hotmail.com",
        "country: US",
        "PostalCode: ",
        "Gender: ",
        "Kid: 0",
        "Age: ",
        "BDayPre: ",
        "Birthday: ",
        "Wallet: ",
        "Flags: 1027",
        "sid: 507",
        "kv: 11",
        "MSPAuth: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$$",
        "",
        "",
    ];
    lines.join("\r\n").into_bytes()
}

fn fnd_query() -> FndFields<'static> {
    FndFields {
        fname: t("fname=Another"),
        lname: t("lname=User"),
        city: t("city=*"),
        state: t("state=*"),
        country: t("country=DE"),
    }
}

fn client_version(
    trid: u32,
    version: &'static str,
    client_id: Option<&'static str>,
) -> ClientVersion<'static> {
    ClientVersion {
        trid: id(trid),
        locale: t("0x0409"),
        os_type: t("win"),
        os_version: t("4.10"),
        arch: t("i386"),
        library: t("MSMSGS"),
        client_version: t(version),
        client_id: client_id.map(t),
    }
}

fn version_advice(info: bool) -> VersionAdvice<'static> {
    VersionAdvice {
        trid: id(2),
        recommended: t("5.0.0537"),
        recommended2: t("5.0.0537"),
        minimum: t("1.0.0863"),
        download_url: t(
            "http://download.microsoft.com/download/msnmessenger/install/5.0/w98nt42kmexp/en-us/setupdl.exe",
        ),
        info_url: if info {
            ot("http://messenger.microsoft.com")
        } else {
            None
        },
    }
}

const DS_NS: &[ServerKind] = &[DS, NS];
const ON_NS: &[ServerKind] = &[NS];
const ON_DS: &[ServerKind] = &[DS];
const ON_SB: &[ServerKind] = &[SB];
const NS_SB: &[ServerKind] = &[NS, SB];
const EVERY: &[ServerKind] = &[DS, NS, SB];

const CVQ_URL: &str = "http://download.microsoft.com/download/msnmessenger/install/5.0/w98nt42kmexp/en-us/setupdl.exe";

#[allow(clippy::too_many_lines)]
fn rows() -> Vec<Row> {
    let usr_ok = |verified: Option<Value<'static, Verified>>| {
        Command::UsrOk(UsrOk {
            trid: id(4),
            handle: h("example@hotmail.com"),
            name: n("example%20user"),
            verified,
        })
    };
    let xfr_ns = |constant: Option<&'static str>, current: Option<&'static str>| {
        Command::XfrNotification(
            XfrNotification::new(id(4), t("10.0.0.5:1863"), constant.map(t), current.map(t))
                .expect("a valid form"),
        )
    };
    let url_inbox = |site: Option<&'static str>| {
        Command::Url(Url {
            trid: id(1),
            redirect: t("/cgi-bin/HoTMaiL"),
            login: t("https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033"),
            site_id: site.map(t),
        })
    };
    let long_handle: &'static str = "a".repeat(119).leak();
    let long_handle: &'static str = format!("{long_handle}@hotmail.c").leak(); // 129 bytes
    let long_name: &'static str = "%20".repeat(129).leak(); // 387 bytes
    let long_line: &'static str = format!("XYZ {}", "a".repeat(2044)).leak(); // 2048 bytes
    let max_sb_payload = vec![b'm'; 1664];
    let ns_payload_8192 = vec![b'n'; 8192];
    vec![
        // --- VER (§3.1 VER, §8) ---
        row(C, DS_NS, "VER 1 MSNP6 MSNP5 MSNP4 CVR0", Command::Ver(Ver { trid: id(1), dialects: tl("MSNP6 MSNP5 MSNP4 CVR0") }), "§3.1 VER, §8"),
        row(S, DS_NS, "VER 1 MSNP6", Command::Ver(Ver { trid: id(1), dialects: tl("MSNP6") }), "§3.1 VER, §8"),
        row(C, DS_NS, "VER 1 DISREGARDANCE FOR A REAL PROTOCOL", Command::Ver(Ver { trid: id(1), dialects: tl("DISREGARDANCE FOR A REAL PROTOCOL") }), "§3.1 VER (unknown dialects kept)"),
        row(S, DS_NS, "VER 1 0", Command::Ver(Ver { trid: id(1), dialects: tl("0") }), "§3.1 VER (refusal)"),
        row(S, DS_NS, "VER 1 MSNP7 MSNP6 MSNP5 MSNP4 CVR0", Command::Ver(Ver { trid: id(1), dialects: tl("MSNP7 MSNP6 MSNP5 MSNP4 CVR0") }), "§3.1 VER contradiction, §13.1 (server echoes the list)"),
        row(C, DS_NS, "VER 1 MSNP2 CVR0", Command::Ver(Ver { trid: id(1), dialects: tl("MSNP2 CVR0") }), "§3.1 CVQ example"),
        row(S, DS_NS, "VER 1 CVR0", Command::Ver(Ver { trid: id(1), dialects: tl("CVR0") }), "§3.1 CVQ example"),
        row(C, DS_NS, "VER 9 MSNP7 MSNP6 MSNP5 MSNP4", Command::Ver(Ver { trid: id(9), dialects: tl("MSNP7 MSNP6 MSNP5 MSNP4") }), "§3.1 XFR example"),
        // --- INF (§3.1 INF, §8) ---
        row(C, DS_NS, "INF 2", Command::InfRequest(InfRequest { trid: id(2) }), "§3.1 INF"),
        row(S, DS_NS, "INF 2 MD5", Command::Inf(Inf { trid: id(2), packages: tl("MD5") }), "§3.1 INF"),
        row(S, DS_NS, "INF 2 CTP MD5", Command::Inf(Inf { trid: id(2), packages: tl("CTP MD5") }), "§3.1 INF (MSNP2 packages)"),
        // --- USR (§3.1 USR, §8) ---
        row(C, DS_NS, "USR 3 MD5 I example@hotmail.com", Command::UsrInitial(UsrInitial { trid: id(3), handle: h("example@hotmail.com") }), "§3.1 USR step 1, §8"),
        row(S, DS_NS, "USR 3 MD5 S 1234567890.123456789", Command::UsrSalt(UsrSalt { trid: id(3), salt: t("1234567890.123456789") }), "§3.1 USR step 2"),
        row(S, DS_NS, "USR 6 MD5 S prefix", Command::UsrSalt(UsrSalt { trid: id(6), salt: t("prefix") }), "§8 with the MDS typo repaired"),
        row(C, DS_NS, "USR 4 MD5 S f59af8f2fa91d38aff7c870c17f99903", Command::UsrResponse(UsrResponse { trid: id(4), digest: sec("f59af8f2fa91d38aff7c870c17f99903") }), "§3.1 USR step 3"),
        row(S, DS_NS, "USR 4 OK example@hotmail.com example%20user 1", usr_ok(Some(k(Verified::Yes))), "§3.1 USR step 4 (MSNP6 verified flag)").only(FROM6),
        row(S, DS_NS, "USR 4 OK example@hotmail.com example%20user 0", usr_ok(Some(k(Verified::No))), "§3.1 USR step 4 (unverified)").only(FROM6),
        row(S, DS_NS, "USR 4 OK example@hotmail.com example%20user 2", usr_ok(Some(u("2"))), "§3.1 USR (undocumented flag kept)").only(FROM6),
        row(S, DS_NS, "USR 4 OK example@hotmail.com example%20user", usr_ok(None), "§3.1 USR: no verified flag before MSNP6").only(BEFORE6),
        row(S, DS_NS, "USR 7 OK example@hotmail.com example%40hotmail.com", Command::UsrOk(UsrOk { trid: id(7), handle: h("example@hotmail.com"), name: n("example%40hotmail.com"), verified: None }), "§7 (`%40` kept as sent)").only(BEFORE6),
        row(C, DS_NS, "USR 5 CTP I example@hotmail.com", Command::UsrOther(UsrOther::new(id(5), k(AuthPackage::Ctp), t("I"), sec("example@hotmail.com")).expect("a valid form")), "§3.1 USR (CTP, MSNP2)"),
        row(C, DS_NS, "USR 5 TWN I example@hotmail.com", Command::UsrOther(UsrOther::new(id(5), u("TWN"), t("I"), sec("example@hotmail.com")).expect("a valid form")), "§3.1 USR (unknown package kept)"),
        row(C, DS_NS, "USR 6 MDS I example@hotmail.com", Command::UsrOther(UsrOther::new(id(6), u("MDS"), t("I"), sec("example@hotmail.com")).expect("a valid form")), "§8, §13.12 (a client's MDS is an unknown package in both modes)"),
        row(S, DS_NS, "USR 5 CTP S password", Command::UsrOther(UsrOther::new(id(5), k(AuthPackage::Ctp), t("S"), sec("password")).expect("a valid form")), "§3.1 USR (CTP, MSNP2)"),
        row(C, ON_SB, "USR 21 example@passport.com 1234567890.1234567890.1234567890", Command::UsrSwitchboard(UsrSwitchboard { trid: id(21), handle: h("example@passport.com"), cookie: t("1234567890.1234567890.1234567890") }), "§3.1 USR (SB)"),
        row(S, ON_SB, "USR 21 OK example@passport.com example%20user", Command::UsrSwitchboardOk(UsrSwitchboardOk { trid: id(21), handle: h("example@passport.com"), name: n("example%20user") }), "§3.1 USR (SB)"),
        row(C, ON_SB, "USR 1 example@passport.com 16925950.1016955577.17693", Command::UsrSwitchboard(UsrSwitchboard { trid: id(1), handle: h("example@passport.com"), cookie: t("16925950.1016955577.17693") }), "§3.5 USR (SB)"),
        row(S, ON_SB, "USR 1 OK example@passport.com Mike", Command::UsrSwitchboardOk(UsrSwitchboardOk { trid: id(1), handle: h("example@passport.com"), name: n("Mike") }), "§3.5 USR (SB)"),
        row(C, ON_SB, "USR 1 MDS 16925950.1016955577.17693", Command::UsrSwitchboard(UsrSwitchboard { trid: id(1), handle: h("MDS"), cookie: t("16925950.1016955577.17693") }), "§3.5 USR (SB; a handle, not the MDS typo)"),
        row(S, DS_NS, "924 15", err(924, 15), "§3.1 USR errors"),
        // --- XFR (§3.1 XFR, §8) ---
        row(C, ON_NS, "XFR 1 SB", Command::XfrRequest(XfrRequest { trid: id(1), kind: k(TransferKind::Switchboard) }), "§3.1 XFR"),
        row(C, ON_NS, "XFR 1 NS", Command::XfrRequest(XfrRequest { trid: id(1), kind: k(TransferKind::Notification) }), "§3.1 XFR (pre-MSNP2 beta)"),
        row(S, ON_NS, "XFR 1 SB 10.0.1.200:1865 CKI 123456789.123456789.123456789", Command::XfrSwitchboard(XfrSwitchboard { trid: id(1), address: t("10.0.1.200:1865"), cookie: t("123456789.123456789.123456789") }), "§3.1 XFR"),
        row(S, DS_NS, "XFR 4 NS 10.0.0.5:1863 0", xfr_ns(Some("0"), None), "§3.1 XFR (MSNP3–MSNP6)").only(V3_TO_6),
        row(S, DS_NS, "XFR 4 NS 10.0.0.5:1863", xfr_ns(None, None), "§3.1 XFR (MSNP2: no trailing 0)").only(V2),
        row(S, DS_NS, "XFR 4 NS 10.0.0.5:1863 0 10.0.0.1:1863", xfr_ns(Some("0"), Some("10.0.0.1:1863")), "§3.1 XFR (MSNP7: current server)").only(V7),
        row(S, DS_NS, "XFR 3 NS 10.0.0.5:1863 0", Command::XfrNotification(XfrNotification::new(id(3), t("10.0.0.5:1863"), ot("0"), None).expect("a valid form")), "§8 (DS referral)").only(V3_TO_6),
        row(S, DS_NS, "XFR 0 NS 0", Command::XfrReset(XfrReset {}), "§3.1 XFR (forced soft reset)"),
        // --- CVR / CVQ (§3.1 CVR / CVQ) ---
        row(C, ON_NS, "CVR 2 0x0409 win 4.10 i386 MSMSGS 3.6.0038 MSMSGS", Command::Cvr(Box::new(client_version(2, "3.6.0038", Some("MSMSGS")))), "§3.1 CVR (MSNP4+ with client id; no example, §13.13)").only(FROM4),
        row(C, ON_NS, "CVR 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863", Command::Cvr(Box::new(client_version(2, "1.0.0863", None))), "§3.1 CVR (before MSNP4: no client id)").only(BEFORE4),
        row(S, ON_NS, &format!("CVR 2 5.0.0537 5.0.0537 1.0.0863 {CVQ_URL} http://messenger.microsoft.com"), Command::CvrAdvice(Box::new(version_advice(true))), "§3.1 CVR"),
        row(S, ON_NS, &format!("CVR 2 5.0.0537 5.0.0537 1.0.0863 {CVQ_URL}"), Command::CvrAdvice(Box::new(version_advice(false))), "§3.1 CVR (no info URL)"),
        row(C, ON_DS, "CVQ 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863", Command::Cvq(Box::new(client_version(2, "1.0.0863", None))), "§3.1 CVQ example"),
        row(C, ON_DS, "CVQ 1 0x0409 win 4.10 i386 MSMSGS 1.0.0863 MSMSGS", Command::Cvq(Box::new(ClientVersion { trid: id(1), ..client_version(2, "1.0.0863", Some("MSMSGS")) })), "§3.1 CVQ contradiction, §13.6 (client id sent)"),
        row(S, ON_DS, &format!("CVQ 2 5.0.0537 5.0.0537 1.0.0863 {CVQ_URL} http://messenger.microsoft.com"), Command::CvqAdvice(Box::new(version_advice(true))), "§3.1 CVQ example"),
        row(S, ON_DS, "420 2", err(420, 2), "§3.1 CVQ errors"),
        // --- OUT (§3.1 OUT, §8) ---
        row(C, EVERY, "OUT", Command::Out(Out { reason: None }), "§3.1 OUT, §8"),
        row(S, EVERY, "OUT", Command::Out(Out { reason: None }), "§3.1 OUT (unanswered challenge)"),
        row(S, EVERY, "OUT OTH", Command::Out(Out { reason: Some(k(OutReason::OtherLogin)) }), "§3.1 OUT"),
        row(S, EVERY, "OUT SSD", Command::Out(Out { reason: Some(k(OutReason::ServerShutdown)) }), "§3.1 OUT"),
        row(S, EVERY, "OUT MIG", Command::Out(Out { reason: Some(u("MIG")) }), "§3.1 OUT (MSNP10 reason kept)"),
        // --- PNG / QNG (§3.1) ---
        row(C, ON_NS, "PNG", Command::Png(Bare {}), "§3.1 PNG"),
        row(S, ON_NS, "QNG", Command::Qng(Bare {}), "§3.1 QNG"),
        // --- SYN (§3.2 SYN) ---
        row(C, ON_NS, "SYN 2 0", Command::Syn(Syn { trid: id(2), version: 0 }), "§3.2 SYN"),
        row(S, ON_NS, "SYN 2 255", Command::Syn(Syn { trid: id(2), version: 255 }), "§3.2 SYN"),
        row(C, ON_NS, "SYN 8 8", Command::Syn(Syn { trid: id(8), version: 8 }), "§3.2 SYN, §8"),
        row(S, ON_NS, "SYN 8 8", Command::Syn(Syn { trid: id(8), version: 8 }), "§3.2 SYN, §8"),
        row(S, ON_NS, "SYN 4294967295 4294967295", Command::Syn(Syn { trid: id(u32::MAX), version: u32::MAX }), "§12 (largest TrID and list version)"),
        // --- LST (§3.2 LST, SYN) ---
        row(C, ON_NS, "LST 1 FL", Command::LstRequest(LstRequest { trid: id(1), list: k(List::Forward) }), "§3.2 LST"),
        row(C, ON_NS, "LST 2 PL", Command::LstRequest(LstRequest { trid: id(2), list: u("PL") }), "§6 (MSNP10 list kept)"),
        row(S, ON_NS, "LST 1 FL 255 1 1 anotheruser@example.com another%20user", Command::Lst(Lst::new(id(1), k(List::Forward), 255, 1, 1, Some(ListEntry { handle: h("anotheruser@example.com"), name: n("another%20user"), groups: None })).expect("a valid form")), "§3.2 LST"),
        row(S, ON_NS, "LST 2 BL 255 0 0", Command::Lst(Lst::new(id(2), k(List::Block), 255, 0, 0, None).expect("a valid form")), "§3.2 LST, SYN (empty list)"),
        row(S, ON_NS, "LST 2 RL 255 1 1 anotheruser@hotmail.com another%20user", Command::Lst(Lst::new(id(2), k(List::Reverse), 255, 1, 1, Some(ListEntry { handle: h("anotheruser@hotmail.com"), name: n("another%20user"), groups: None })).expect("a valid form")), "§3.2 SYN"),
        row(S, ON_NS, "LST 2 FL 255 1 1 anotheruser@hotmail.com another%20user 0,1", Command::Lst(Lst::new(id(2), k(List::Forward), 255, 1, 1, Some(ListEntry { handle: h("anotheruser@hotmail.com"), name: n("another%20user"), groups: ot("0,1") })).expect("a valid form")), "§2 (MSNP7 group list)").only(V7),
        // --- GTC (§3.2 GTC, SYN) ---
        row(C, ON_NS, "GTC 1 A", Command::GtcRequest(GtcRequest { trid: id(1), mode: k(GtcMode::Ask) }), "§3.2 GTC"),
        row(S, ON_NS, "GTC 1 256 A", Command::Gtc(Gtc { trid: id(1), version: 256, mode: k(GtcMode::Ask) }), "§3.2 GTC"),
        row(S, ON_NS, "GTC 2 255 A", Command::Gtc(Gtc { trid: id(2), version: 255, mode: k(GtcMode::Ask) }), "§3.2 SYN"),
        row(C, ON_NS, "GTC 4 N", Command::GtcRequest(GtcRequest { trid: id(4), mode: k(GtcMode::DontAsk) }), "§3.2 GTC"),
        row(S, ON_NS, "218 4", err(218, 4), "§3.2 GTC"),
        // --- BLP (§3.2 BLP, SYN) ---
        row(C, ON_NS, "BLP 1 AL", Command::BlpRequest(BlpRequest { trid: id(1), privacy: k(Privacy::AllowAll) }), "§3.2 BLP"),
        row(S, ON_NS, "BLP 1 256 AL", Command::Blp(Blp { trid: id(1), version: 256, privacy: k(Privacy::AllowAll) }), "§3.2 BLP"),
        row(S, ON_NS, "BLP 2 255 BL", Command::Blp(Blp { trid: id(2), version: 255, privacy: k(Privacy::BlockAll) }), "§3.2 BLP"),
        row(C, ON_NS, "BLP 5 CL", Command::BlpRequest(BlpRequest { trid: id(5), privacy: u("CL") }), "§3.2 BLP (invalid value kept)"),
        // --- ADD (§3.2 ADD) ---
        row(C, ON_NS, "ADD 1 FL anotheruser@hotmail.com anotheruser@hotmail.com", Command::AddRequest(AddRequest { trid: id(1), list: k(List::Forward), handle: h("anotheruser@hotmail.com"), name: n("anotheruser@hotmail.com"), group: None }), "§3.2 ADD"),
        row(S, ON_NS, "ADD 1 FL 256 anotheruser@hotmail.com anotheruser@hotmail.com", Command::Add(Add::new(id(1), k(List::Forward), 256, h("anotheruser@hotmail.com"), n("anotheruser@hotmail.com"), None).expect("a valid form")), "§3.2 ADD"),
        row(S, ON_NS, "ADD 0 RL 258 anotheruser@hotmail.com anotheruser@hotmail.com", Command::ReverseAdd(ReverseAdd { version: 258, handle: h("anotheruser@hotmail.com"), name: n("anotheruser@hotmail.com") }), "§3.2 ADD (asynchronous)"),
        row(S, ON_NS, "ADD 0 FL 258 anotheruser@hotmail.com anotheruser@hotmail.com", Command::Add(Add::new(id(0), k(List::Forward), 258, h("anotheruser@hotmail.com"), n("anotheruser@hotmail.com"), None).expect("a valid form")), "§1.2 (TrID 0 on another list is an ordinary reply)"),
        row(S, ON_NS, "ADD 3 RL 258 anotheruser@hotmail.com anotheruser@hotmail.com", Command::Add(Add::new(id(3), k(List::Reverse), 258, h("anotheruser@hotmail.com"), n("anotheruser@hotmail.com"), None).expect("a valid form")), "§3.2 ADD (RL with a TrID is an ordinary reply)"),
        row(C, ON_NS, "ADD 9 BL anotheruser@hotmail.com anotheruser@hotmail.com", Command::AddRequest(AddRequest { trid: id(9), list: k(List::Block), handle: h("anotheruser@hotmail.com"), name: n("anotheruser@hotmail.com"), group: None }), "§3.2 ADD"),
        row(S, ON_NS, "219 9", err(219, 9), "§3.2 ADD"),
        row(C, ON_NS, "ADD 5 FL a@b a@b", Command::AddRequest(AddRequest { trid: id(5), list: k(List::Forward), handle: h("a@b"), name: n("a@b"), group: None }), "§14 (syntactic handle; validation gives 201)"),
        row(C, ON_NS, "ADD 2 AL anotheruser@hotmail anotheruser@hotmail", Command::AddRequest(AddRequest { trid: id(2), list: k(List::Allow), handle: h("anotheruser@hotmail"), name: n("anotheruser@hotmail"), group: None }), "§13.12 (typo handle kept)"),
        row(S, ON_NS, "201 20", err(201, 20), "§14 (ADD 20 FL a@b a@b → 201)"),
        row(C, ON_NS, "ADD 1 FL a@b.c a@b.c 0", Command::AddRequest(AddRequest { trid: id(1), list: k(List::Forward), handle: h("a@b.c"), name: n("a@b.c"), group: Some(0) }), "§2 (MSNP7 group id)").only(V7),
        row(S, ON_NS, "ADD 1 FL 256 a@b.c a@b.c 3", Command::Add(Add::new(id(1), k(List::Forward), 256, h("a@b.c"), n("a@b.c"), Some(3)).expect("a valid form")), "§2 (MSNP7 group id)").only(V7),
        row(S, ON_NS, &format!("ADD 1 FL 256 {long_handle} {long_name}"), Command::Add(Add::new(id(1), k(List::Forward), 256, h(long_handle), n(long_name), None).expect("a valid form")), "§12 (129-byte handle, 387-byte name)"),
        // --- REM (§3.2 REM) ---
        row(C, ON_NS, "REM 1 AL anotheruser@hotmail.com", Command::RemRequest(RemRequest { trid: id(1), list: k(List::Allow), handle: h("anotheruser@hotmail.com"), group: None }), "§3.2 REM"),
        row(S, ON_NS, "REM 1 AL 256 anotheruser@hotmail.com", Command::Rem(Rem::new(id(1), k(List::Allow), 256, h("anotheruser@hotmail.com"), None).expect("a valid form")), "§3.2 REM"),
        row(S, ON_NS, "REM 0 RL 259 anotheruser@hotmail.com", Command::ReverseRemove(ReverseRemove { version: 259, handle: h("anotheruser@hotmail.com") }), "§3.2 REM (asynchronous)"),
        row(C, ON_NS, "REM 1 FL a@b.c 0", Command::RemRequest(RemRequest { trid: id(1), list: k(List::Forward), handle: h("a@b.c"), group: Some(0) }), "§2 (MSNP7 group id)").only(V7),
        row(S, ON_NS, "REM 1 FL 256 a@b.c 0", Command::Rem(Rem::new(id(1), k(List::Forward), 256, h("a@b.c"), Some(0)).expect("a valid form")), "§2 (MSNP7 group id)").only(V7),
        // --- REA (§3.2 REA) ---
        row(C, ON_NS, "REA 1 example@hotmail.com new%20name", Command::ReaRequest(ReaRequest { trid: id(1), handle: h("example@hotmail.com"), name: n("new%20name") }), "§3.2 REA"),
        row(S, ON_NS, "REA 1 256 example@hotmail.com new%20name", Command::Rea(Rea { trid: id(1), version: 256, handle: h("example@hotmail.com"), name: n("new%20name") }), "§3.2 REA"),
        // --- PRP (§3.2 PRP, SYN) ---
        row(C, ON_NS, "PRP 1 PHH 1%20(222)%203333", Command::PrpRequest(PrpRequest { trid: id(1), property: k(Property::HomePhone), value: ot("1%20(222)%203333") }), "§3.2 PRP"),
        row(S, ON_NS, "PRP 1 256 PHH 1%20(222)%203333", Command::Prp(Prp { trid: id(1), version: 256, property: k(Property::HomePhone), value: ot("1%20(222)%203333") }), "§3.2 PRP"),
        row(C, ON_NS, "PRP 2 NEW very%20yes", Command::PrpRequest(PrpRequest { trid: id(2), property: u("NEW"), value: ot("very%20yes") }), "§3.2 PRP (unknown property kept)"),
        row(S, ON_NS, "715 2", err(715, 2), "§3.2 PRP"),
        row(C, ON_NS, "PRP 3 PHW", Command::PrpRequest(PrpRequest { trid: id(3), property: k(Property::WorkPhone), value: None }), "§3.2 PRP (unset)"),
        row(S, ON_NS, "PRP 2 255 PHH 123%20(4567)", Command::Prp(Prp { trid: id(2), version: 255, property: k(Property::HomePhone), value: ot("123%20(4567)") }), "§3.2 SYN"),
        row(S, ON_NS, "PRP 2 255 PHW", Command::Prp(Prp { trid: id(2), version: 255, property: k(Property::WorkPhone), value: None }), "§3.2 SYN (unset)"),
        row(S, ON_NS, "PRP 2 255 PHM", Command::Prp(Prp { trid: id(2), version: 255, property: k(Property::MobilePhone), value: None }), "§3.2 SYN"),
        row(S, ON_NS, "PRP 2 255 MOB N", Command::Prp(Prp { trid: id(2), version: 255, property: k(Property::MobileContact), value: ot("N") }), "§3.2 SYN"),
        row(S, ON_NS, "PRP 2 255 MBE N", Command::Prp(Prp { trid: id(2), version: 255, property: k(Property::MobileEnabled), value: ot("N") }), "§3.2 SYN"),
        // --- BPR (§3.2 BPR, SYN) ---
        row(S, ON_NS, "BPR 256 anotheruser@hotmail.com PHH 1%20(444)%20222%203333", Command::Bpr(Bpr { version: 256, handle: h("anotheruser@hotmail.com"), property: k(Property::HomePhone), value: ot("1%20(444)%20222%203333") }), "§3.2 BPR"),
        row(S, ON_NS, "BPR 255 anotheruser@hotmail.com PHW", Command::Bpr(Bpr { version: 255, handle: h("anotheruser@hotmail.com"), property: k(Property::WorkPhone), value: None }), "§3.2 SYN"),
        row(S, ON_NS, "BPR 255 anotheruser@hotmail.com MOB N", Command::Bpr(Bpr { version: 255, handle: h("anotheruser@hotmail.com"), property: k(Property::MobileContact), value: ot("N") }), "§3.2 SYN"),
        // --- CHG, ILN, NLN, FLN, IMS (§3.3) ---
        row(C, ON_NS, "CHG 1 NLN", Command::Chg(Chg { trid: id(1), status: k(Status::Online) }), "§3.3 CHG"),
        row(S, ON_NS, "CHG 1 NLN", Command::Chg(Chg { trid: id(1), status: k(Status::Online) }), "§3.3 CHG"),
        row(S, ON_NS, "CHG 0 FLN", Command::Chg(Chg { trid: id(0), status: k(Status::Offline) }), "§3.3 CHG (asynchronous)"),
        row(C, ON_NS, "CHG 9 HDN", Command::Chg(Chg { trid: id(9), status: k(Status::Hidden) }), "§5"),
        row(C, ON_NS, "CHG 4 HOT", Command::Chg(Chg { trid: id(4), status: u("HOT") }), "§3.3 CHG (unknown status kept)"),
        row(C, ON_NS, "CHG 4294967295 BRB", Command::Chg(Chg { trid: id(u32::MAX), status: k(Status::BeRightBack) }), "§1.2 (largest TrID)"),
        row(S, ON_NS, "ILN 1 NLN anotheruser@example.com another%20user", Command::Iln(Iln { trid: id(1), status: k(Status::Online), handle: h("anotheruser@example.com"), name: n("another%20user") }), "§3.3 ILN"),
        row(S, ON_NS, "NLN NLN anotheruser@example.com another%20user", Command::Nln(Nln { status: k(Status::Online), handle: h("anotheruser@example.com"), name: n("another%20user") }), "§3.3 NLN"),
        row(S, ON_NS, "NLN AWY anotheruser@example.com another%20user", Command::Nln(Nln { status: k(Status::Away), handle: h("anotheruser@example.com"), name: n("another%20user") }), "§3.3 NLN"),
        row(S, ON_NS, "FLN anotheruser@hotmail.com", Command::Fln(Fln { handle: h("anotheruser@hotmail.com") }), "§3.3 FLN"),
        row(C, ON_NS, "IMS 2 OFF", Command::ImsRequest(ImsRequest { trid: id(2), state: k(ImsState::Off) }), "§3.3 IMS"),
        row(S, ON_NS, "IMS 2 0 OFF", Command::Ims(Ims { trid: id(2), unknown: 0, state: k(ImsState::Off) }), "§3.3 IMS"),
        // --- URL (§3.4 URL) ---
        row(C, ON_NS, "URL 1 INBOX", Command::UrlRequest(UrlRequest { trid: id(1), service: k(UrlService::Inbox), parameter: None }), "§3.4 URL"),
        row(S, ON_NS, "URL 1 /cgi-bin/HoTMaiL https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033 2", url_inbox(Some("2")), "§3.4 URL (site id, MSNP3+)").only(FROM3),
        row(S, ON_NS, "URL 1 /cgi-bin/HoTMaiL https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033", url_inbox(None), "§3.4 URL (no site id: MSNP2, optional in MSNP3–4)").only(V2_TO_4),
        row(C, ON_NS, "URL 5 PROFILE 0x0409", Command::UrlRequest(UrlRequest { trid: id(5), service: k(UrlService::Profile), parameter: ot("0x0409") }), "§3.4 URL"),
        row(S, ON_NS, "URL 5 http://members.msn.com/Edit.asp?lc=1033 https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033 4263", Command::Url(Url { trid: id(5), redirect: t("http://members.msn.com/Edit.asp?lc=1033"), login: t("https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033"), site_id: ot("4263") }), "§3.4 URL").only(FROM3),
        row(C, ON_NS, "URL 6 CHAT", Command::UrlRequest(UrlRequest { trid: id(6), service: u("CHAT"), parameter: None }), "§3.4 URL (MSNP7 service kept)"),
        // --- FND (§3.4 FND) ---
        row(C, ON_NS, "FND 2 fname=Another lname=User city=* state=* country=DE", Command::FndRequest(Box::new(FndRequest { trid: id(2), query: fnd_query() })), "§3.4 FND"),
        row(S, ON_NS, "FND 2 0 0", Command::Fnd(Box::new(Fnd::new(id(2), 0, 0, None).expect("a valid form"))), "§3.4 FND"),
        row(S, ON_NS, "FND 1 1 2 fname=Another lname=User city=* state=* country=DE", Command::Fnd(Box::new(Fnd::new(id(1), 1, 2, Some(fnd_query())).expect("a valid form"))), "§3.4 FND (index and total, source defect)"),
        row(S, ON_NS, "502 2", err(502, 2), "§3.4 FND (disabled)"),
        // --- SND (§3.4 SND): parameter count by dialect ---
        row(C, ON_NS, "SND 3 anotheruser@hotmail.com", Command::SndRequest(SndRequest::new(id(3), t("anotheruser@hotmail.com"), None, None, None).expect("a valid form")), "§3.4 SND (MSNP2)").only(V2),
        row(C, ON_NS, "SND 3 anotheruser@hotmail.com 0x0409 MSMSGS", Command::SndRequest(SndRequest::new(id(3), t("anotheruser@hotmail.com"), ot("0x0409"), ot("MSMSGS"), None).expect("a valid form")), "§3.4 SND (MSNP3: LCID, library)").only(V3),
        row(C, ON_NS, "SND 3 anotheruser@hotmail.com 0x0409 MSMSGS MSMSGS", Command::SndRequest(SndRequest::new(id(3), t("anotheruser@hotmail.com"), ot("0x0409"), ot("MSMSGS"), ot("MSMSGS")).expect("a valid form")), "§3.4 SND (MSNP4: client id)").only(FROM4),
        row(S, ON_NS, "SND 3 OK", Command::SndOk(InviteOk { trid: id(3) }), "§3.4 SND"),
        // --- SDC (§3.4 SDC) ---
        row_p(C, ON_NS, "SDC 2 anotheruser@hotmail.com 0x0409 MSMSGS MSMSGS X X example%20name 37", INVITATION, Command::Sdc(Box::new(Sdc { trid: id(2), address: t("anotheruser@hotmail.com"), lcid: t("0x0409"), library: t("MSMSGS"), client_id: t("MSMSGS"), name: t("example%20name"), payload: pl(INVITATION) })), "§3.4 SDC"),
        row(C, ON_NS, "SDC 3 anotheruser@hotmail.com 0x0409 MSMSGS MSMSGS X X example%20name 0", Command::Sdc(Box::new(Sdc { trid: id(3), address: t("anotheruser@hotmail.com"), lcid: t("0x0409"), library: t("MSMSGS"), client_id: t("MSMSGS"), name: t("example%20name"), payload: pl(b"") })), "§3.4 SDC (0 = no payload)"),
        row(S, ON_NS, "SDC 2 OK", Command::SdcOk(InviteOk { trid: id(2) }), "§3.4 SDC"),
        row(S, ON_NS, "503 2", err(503, 2), "§3.4 SDC"),
        // --- PAG, NOT, IPG (§3.4) ---
        row_p(C, ON_NS, "PAG 1 anotheruser@hotmail.com 61", PAGE, Command::Pag(Pag { trid: id(1), handle: h("anotheruser@hotmail.com"), payload: pl(PAGE) }), "§3.4 PAG"),
        row_p(S, ON_NS, &format!("NOT {}", NOT_BODY.len()), NOT_BODY, Command::Not(Notice { payload: pl(NOT_BODY) }), "§3.4 NOT, §11 (own payload)"),
        row_p(S, ON_NS, "IPG 478", IPG_478, Command::Ipg(Notice { payload: pl(IPG_478) }), "§3.4 IPG, §8 (length as documented; payload of our own)"),
        // --- CHL, QRY (§3.4, §8, §9) ---
        row(S, ON_NS, "CHL 0 12345678901234567890", Command::Chl(Chl { trid: id(0), challenge: t("12345678901234567890") }), "§3.4 CHL"),
        row(C, ON_NS, "CHL 1", Command::ChlRequest(ChlRequest { trid: id(1) }), "§3.4 CHL"),
        row(S, ON_NS, "CHL 1 12345678901234567890", Command::Chl(Chl { trid: id(1), challenge: t("12345678901234567890") }), "§3.4 CHL"),
        row(S, ON_NS, "CHL 0 11111111111111111111", Command::Chl(Chl { trid: id(0), challenge: t("11111111111111111111") }), "§3.4 QRY, §8"),
        row_p(C, ON_NS, "QRY 10 msmsgs@msnmsgr.com 32", QRY_RESPONSE, Command::Qry(Qry { trid: id(10), public_key: t("msmsgs@msnmsgr.com"), payload: pl(QRY_RESPONSE) }), "§3.4 QRY, §8"),
        row(S, ON_NS, "QRY 10", Command::QryOk(QryOk { trid: id(10) }), "§3.4 QRY, §8"),
        row(S, ON_NS, "540 10", err(540, 10), "§3.4 QRY (wrong response)"),
        // --- MSG (§3.4, §3.5, §10) ---
        row_p(C, ON_SB, "MSG 1 U 76", UNACKNOWLEDGED, Command::MsgSend(MsgSend { trid: id(1), ack: k(AckMode::Unacknowledged), payload: pl(UNACKNOWLEDGED) }), "§3.5 MSG"),
        row_p(S, NS_SB, "MSG example@hotmail.com example%20user 73", ACKNOWLEDGED, Command::Msg(Msg { handle: h("example@hotmail.com"), name: n("example%20user"), payload: pl(ACKNOWLEDGED) }), "§3.5 MSG"),
        row_p(C, ON_SB, "MSG 1 N 69", MESSAGE, Command::MsgSend(MsgSend { trid: id(1), ack: k(AckMode::NegativeOnly), payload: pl(MESSAGE) }), "§3.5 NAK"),
        row_p(C, ON_SB, "MSG 4 N 133", FORMATTED, Command::MsgSend(MsgSend { trid: id(4), ack: k(AckMode::NegativeOnly), payload: pl(FORMATTED) }), "§10.2"),
        row_p(C, ON_SB, "MSG 2 A 0", b"", Command::MsgSend(MsgSend { trid: id(2), ack: k(AckMode::Acknowledged), payload: pl(b"") }), "§1.4 (empty payload)"),
        row_p(C, ON_SB, "MSG 2 D 0", b"", Command::MsgSend(MsgSend { trid: id(2), ack: u("D"), payload: pl(b"") }), "§3.5 MSG (MSNP9 ack type kept)"),
        row_p(C, ON_SB, "MSG 3 U 1664", &max_sb_payload, Command::MsgSend(MsgSend { trid: id(3), ack: k(AckMode::Unacknowledged), payload: pl(&max_sb_payload) }), "§12 (largest SB payload)"),
        row_p(S, ON_NS, "MSG Hotmail Hotmail 95", PROFILE_95, Command::Msg(Msg { handle: h("Hotmail"), name: n("Hotmail"), payload: pl(PROFILE_95) }), "§10.1"),
        row_p(S, ON_NS, "MSG Hotmail Hotmail 367", &profile_367(), Command::Msg(Msg { handle: h("Hotmail"), name: n("Hotmail"), payload: pl(&profile_367()) }), "§8"),
        row_p(S, ON_NS, "MSG Hotmail Hotmail 8192", &ns_payload_8192, Command::Msg(Msg { handle: h("Hotmail"), name: n("Hotmail"), payload: pl(&ns_payload_8192) }), "Limits::max_ns_msg"),
        // --- RNG (§3.4 RNG) ---
        row(S, ON_NS, "RNG 987654331 10.0.1.200:1865 CKI 123456789.123456789.123456789 anotheruser@hotmail.com another%20user", Command::Rng(Rng { session: t("987654331"), address: t("10.0.1.200:1865"), cookie: t("123456789.123456789.123456789"), handle: h("anotheruser@hotmail.com"), name: n("another%20user") }), "§3.4 RNG"),
        // --- CAL, JOI, ANS, IRO, ACK, NAK, BYE (§3.5) ---
        row(C, ON_SB, "CAL 1 anotheruser@hotmail.com", Command::Cal(Cal { trid: id(1), handle: h("anotheruser@hotmail.com") }), "§3.5 CAL"),
        row(S, ON_SB, "CAL 1 RINGING 987654321", Command::CalRinging(CalRinging { trid: id(1), session: t("987654321") }), "§3.5 CAL"),
        row(C, ON_SB, "CAL 2 name_123@hotmail.com", Command::Cal(Cal { trid: id(2), handle: h("name_123@hotmail.com") }), "§3.5 USR example"),
        row(S, ON_SB, "CAL 2 RINGING 11752099", Command::CalRinging(CalRinging { trid: id(2), session: t("11752099") }), "§3.5 USR example"),
        row(S, ON_SB, "217 4", err(217, 4), "§3.5 CAL"),
        row(C, ON_SB, "CAL 3 hello", Command::Cal(Cal { trid: id(3), handle: h("hello") }), "§3.5 CAL (syntactic handle; validation gives 208)"),
        row(S, ON_SB, "JOI name_123@hotmail.com Name_123", Command::Joi(Joi { handle: h("name_123@hotmail.com"), name: n("Name_123") }), "§3.5 USR example"),
        row(S, ON_SB, "JOI anotheruser@hotmail.com another%20user", Command::Joi(Joi { handle: h("anotheruser@hotmail.com"), name: n("another%20user") }), "§3.5 JOI"),
        row(C, ON_SB, "ANS 1 example@hotmail.com 123456789.123456789.123456789 987654321", Command::Ans(Ans { trid: id(1), handle: h("example@hotmail.com"), cookie: t("123456789.123456789.123456789"), session: t("987654321") }), "§3.5 IRO"),
        row(S, ON_SB, "IRO 1 1 1 anotheruser@hotmail.com another%20user", Command::Iro(Iro { trid: id(1), index: 1, total: 1, handle: h("anotheruser@hotmail.com"), name: n("another%20user") }), "§3.5 IRO"),
        row(S, ON_SB, "ANS 1 OK", Command::AnsOk(AnsOk { trid: id(1) }), "§3.5 IRO"),
        row(S, ON_SB, "ACK 1", Command::Ack(Delivery { trid: id(1) }), "§3.5 ACK"),
        row(S, ON_SB, "NAK 1", Command::Nak(Delivery { trid: id(1) }), "§3.5 NAK"),
        row(S, ON_SB, "BYE anotheruser@hotmail.com", Command::Bye(Bye { handle: h("anotheruser@hotmail.com"), reason: None }), "§3.5 BYE"),
        row(S, ON_SB, "BYE anotheruser@hotmail.com 1", Command::Bye(Bye { handle: h("anotheruser@hotmail.com"), reason: ot("1") }), "§3.5 BYE (idle timeout)"),
        // --- Error replies on every server (§1.3, §4) ---
        row(S, EVERY, "911 3", err(911, 3), "§1.3, §4"),
        row(S, EVERY, "100 0", err(100, 0), "§4 (lowest code)"),
        row(S, EVERY, "999 4294967295", err(999, u32::MAX), "§1.3 (undocumented code kept)"),
        // --- Unknown verbs, in every direction and on every server (§3.6) ---
        row(C, EVERY, "LSG 2 255 1 1 0 Other%20Contacts 0", Command::Unknown(Unknown::new(t("LSG"), Some(tl("2 255 1 1 0 Other%20Contacts 0"))).expect("a valid form")), "§3.6 (MSNP7 verb kept)"),
        row(S, EVERY, "ADG 3 256 New%20Group 1 0", Command::Unknown(Unknown::new(t("ADG"), Some(tl("3 256 New%20Group 1 0"))).expect("a valid form")), "§3.6 (MSNP7 verb kept)"),
        row(C, EVERY, "UUX", Command::Unknown(Unknown::new(t("UUX"), None).expect("a valid form")), "§3.6 (MSNP11 verb, no parameters)"),
        row(S, EVERY, "XYZ", Command::Unknown(Unknown::new(t("XYZ"), None).expect("a valid form")), "§1.1"),
        row(S, EVERY, long_line, Command::Unknown(Unknown::new(t("XYZ"), Some(TokenList::new(&long_line.as_bytes()[4..]).expect("token"))).expect("a valid form")), "Limits::max_line (2048-byte line)"),
    ]
}

/// Every row decodes strictly to its value, consuming every byte without warnings, in each
/// listed context; the value encodes to the same bytes; lenient decoding agrees.
#[test]
fn known_answers() {
    for row in rows() {
        let line_end = row
            .wire
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("CR LF");
        assert_eq!(
            row.expected.to_bytes(),
            row.wire,
            "{}: encoding of {:?}",
            row.source,
            row.expected
        );
        assert_eq!(
            row.expected.to_string().as_bytes(),
            &row.wire[..line_end],
            "{}: Display",
            row.source
        );
        let mut line = Vec::new();
        row.expected.encode_line(&mut line);
        assert_eq!(line, &row.wire[..line_end], "{}: encode_line", row.source);
        for &server in row.servers {
            for &dialect in row.dialects {
                let context = ctx(row.dir, server, dialect);
                for mode in [Mode::Strict, Mode::Lenient] {
                    let got = decoder(context, mode).decode(&row.wire);
                    let got = got.unwrap_or_else(|e| {
                        panic!(
                            "{}: {:?} in {context:?} ({mode:?}): {e:?}",
                            row.source,
                            String::from_utf8_lossy(&row.wire[..line_end])
                        )
                    });
                    assert_eq!(
                        got.command, row.expected,
                        "{}: {context:?} {mode:?}",
                        row.source
                    );
                    assert_eq!(got.len, row.wire.len(), "{}: consumed", row.source);
                    assert!(got.warnings.is_empty(), "{}: warnings", row.source);
                    assert_eq!(
                        got.command.to_bytes(),
                        row.wire,
                        "{}: re-encoding",
                        row.source
                    );
                    assert_eq!(
                        got.command.into_owned(),
                        row.expected,
                        "{}: into_owned",
                        row.source
                    );
                }
            }
        }
    }
}

/// The table has every form in every direction and on every server where the generator
/// (`strategies::forms`) places it — and nowhere else.
#[cfg(feature = "fuzzing")]
#[test]
fn known_answers_cover_every_form_and_place() {
    let mut table = BTreeSet::new();
    for row in rows() {
        for &server in row.servers {
            table.insert((
                variant_name(&row.expected),
                format!("{:?}", row.dir),
                format!("{server:?}"),
            ));
        }
    }
    let mut places = BTreeSet::new();
    for direction in [C, S] {
        for server in [DS, NS, SB] {
            for (name, _) in forms(ctx(direction, server, Dialect::Msnp6)) {
                places.insert((name, format!("{direction:?}"), format!("{server:?}")));
            }
        }
    }
    let missing: Vec<_> = places.difference(&table).collect();
    let extra: Vec<_> = table.difference(&places).collect();
    assert!(
        missing.is_empty(),
        "forms without a known answer: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "known answers outside the generators' places: {extra:?}"
    );
}

/// The table has a row for every `Command` variant (`Command::VARIANT_NAMES` comes from the
/// enum's macro, so a new variant fails here until it has a known answer).
#[test]
fn known_answers_cover_every_variant() {
    let names: BTreeSet<&str> = rows().iter().map(|r| variant_name(&r.expected)).collect();
    let all: BTreeSet<&str> = ALL_VARIANTS.iter().copied().collect();
    let missing: Vec<_> = all.difference(&names).collect();
    assert!(
        missing.is_empty(),
        "variants without a known answer: {missing:?}"
    );
}

/// Accessors agree with the documented examples.
#[test]
fn accessors() {
    let d = decoder(ctx(S, NS, Dialect::Msnp6), Mode::Strict);
    let name = d
        .decode(b"USR 7 OK example@hotmail.com example%40hotmail.com 1\r\n")
        .expect("USR OK");
    let Command::UsrOk(ok) = &name.command else {
        panic!("{:?}", name.command)
    };
    assert_eq!(
        ok.name.decode_lossy(),
        "example@hotmail.com",
        "§7: %40 decodes to @"
    );
    assert_eq!(
        ok.name.as_bytes(),
        b"example%40hotmail.com",
        "§7: kept as sent"
    );
    let add = d.decode(b"ADD 0 RL 258 a@b.c a@b.c\r\n").expect("ADD 0 RL");
    assert_eq!(add.command.trid(), Some(TrId(0)));
    assert_eq!(add.command.verb(), "ADD");
    let ver = d
        .decode(b"VER 1 MSNP7 MSNP6 MSNP5 MSNP4 CVR0\r\n")
        .expect("VER");
    let Command::Ver(ver) = &ver.command else {
        panic!()
    };
    assert_eq!(
        ver.known_dialects().collect::<Vec<_>>(),
        [
            Dialect::Msnp7,
            Dialect::Msnp6,
            Dialect::Msnp5,
            Dialect::Msnp4,
            Dialect::Cvr0
        ]
    );
    let refusal = d.decode(b"VER 1 0\r\n").expect("VER 0");
    assert!(matches!(&refusal.command, Command::Ver(v) if v.is_refusal()));
    let unknown_dialects = decoder(ctx(C, DS, Dialect::Msnp6), Mode::Strict)
        .decode(b"VER 1 DISREGARDANCE FOR A REAL PROTOCOL\r\n")
        .expect("VER");
    assert!(
        matches!(&unknown_dialects.command, Command::Ver(v) if v.known_dialects().count() == 0 && v.dialects.len() == 5)
    );
}

// ---------------------------------------------------------------------------------------------
// Negative table
// ---------------------------------------------------------------------------------------------

fn misplaced(
    verb: &'static str,
    direction: Direction,
    server: ServerKind,
    reason: Misplacement,
) -> DecodeError {
    DecodeError::Misplaced {
        verb,
        direction,
        server,
        reason,
    }
}
fn invalid(offset: usize, expected: Expected) -> DecodeError {
    DecodeError::Invalid { offset, expected }
}

/// `(direction, server, dialect, wire, expected error, what)`, strict mode.
type NegativeRow = (
    Direction,
    ServerKind,
    Dialect,
    Vec<u8>,
    DecodeError,
    &'static str,
);

/// The negative table.
#[allow(clippy::too_many_lines)]
fn negative_rows() -> Vec<NegativeRow> {
    use Dialect::{Cvr0, Msnp2, Msnp3, Msnp4, Msnp5, Msnp6, Msnp7};
    use Misplacement::{WrongDirection, WrongServer};
    let b = |s: &str| s.as_bytes().to_vec();
    let handle_130 = format!("FLN {}\r\n", "h".repeat(130));
    let name_388 = format!("JOI a@b.c {}\r\n", "n".repeat(388));
    let ver_33 = format!("VER 1{}\r\n", " MSNP6".repeat(33));
    let line_2049 = format!("XYZ {}\r\n", "a".repeat(2045));
    let mut qry_partial = b("QRY 10 msmsgs@msnmsgr.com 32\r\n");
    qry_partial.extend_from_slice(&QRY_RESPONSE[..4]);
    vec![
        // Wrong direction (§3: "client-sent X → disconnect").
        (
            C,
            NS,
            Msnp6,
            b("IPG 478\r\n"),
            misplaced("IPG", C, NS, WrongDirection),
            "client IPG",
        ),
        (
            C,
            NS,
            Msnp6,
            b("NOT 0\r\n"),
            misplaced("NOT", C, NS, WrongDirection),
            "client NOT",
        ),
        (
            C,
            SB,
            Msnp6,
            b("ACK 1\r\n"),
            misplaced("ACK", C, SB, WrongDirection),
            "client ACK",
        ),
        (
            C,
            SB,
            Msnp6,
            b("NAK 1\r\n"),
            misplaced("NAK", C, SB, WrongDirection),
            "client NAK",
        ),
        (
            C,
            NS,
            Msnp6,
            b("BPR 256 a@b.c PHH 1\r\n"),
            misplaced("BPR", C, NS, WrongDirection),
            "client BPR",
        ),
        (
            C,
            NS,
            Msnp6,
            b("RNG 1 a:1 CKI c a@b.c n\r\n"),
            misplaced("RNG", C, NS, WrongDirection),
            "client RNG",
        ),
        (
            C,
            NS,
            Msnp6,
            b("QNG\r\n"),
            misplaced("QNG", C, NS, WrongDirection),
            "client QNG (§3.1)",
        ),
        (
            S,
            NS,
            Msnp6,
            b("PNG\r\n"),
            misplaced("PNG", S, NS, WrongDirection),
            "server PNG",
        ),
        (
            S,
            NS,
            Msnp6,
            b("PAG 1 a@b.c 0\r\n"),
            misplaced("PAG", S, NS, WrongDirection),
            "server PAG",
        ),
        (
            C,
            NS,
            Msnp6,
            b("201 5\r\n"),
            misplaced("error reply", C, NS, WrongDirection),
            "client error reply",
        ),
        // Wrong server.
        (
            C,
            NS,
            Msnp6,
            b("MSG 1 U 0\r\n"),
            misplaced("MSG", C, NS, WrongServer),
            "client MSG to the NS (§1.4)",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CAL 1 a@b.c\r\n"),
            misplaced("CAL", C, NS, WrongServer),
            "CAL on the NS (§3.5 CAL)",
        ),
        (
            S,
            NS,
            Msnp6,
            b("CAL 1 RINGING 5\r\n"),
            misplaced("CAL", S, NS, WrongServer),
            "CAL on the NS",
        ),
        (
            S,
            DS,
            Msnp6,
            b("MSG Hotmail Hotmail 0\r\n"),
            misplaced("MSG", S, DS, WrongServer),
            "MSG on the DS",
        ),
        (
            S,
            SB,
            Msnp6,
            b("RNG 1 a:1 CKI c a@b.c n\r\n"),
            misplaced("RNG", S, SB, WrongServer),
            "RNG on the SB",
        ),
        (
            S,
            NS,
            Msnp6,
            b("JOI a@b.c n\r\n"),
            misplaced("JOI", S, NS, WrongServer),
            "JOI on the NS",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CVQ 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863\r\n"),
            misplaced("CVQ", C, NS, WrongServer),
            "CVQ on the NS (DS only)",
        ),
        (
            C,
            DS,
            Msnp6,
            b("CVR 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863 MSMSGS\r\n"),
            misplaced("CVR", C, DS, WrongServer),
            "CVR on the DS (NS until MSNP8)",
        ),
        (
            C,
            SB,
            Msnp6,
            b("CHG 1 NLN\r\n"),
            misplaced("CHG", C, SB, WrongServer),
            "CHG on the SB",
        ),
        // TrIDs (§1.2).
        (
            C,
            NS,
            Msnp6,
            b("CHG x NLN\r\n"),
            invalid(4, Expected::TrId),
            "non-numeric TrID",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG -1 NLN\r\n"),
            invalid(4, Expected::TrId),
            "negative TrID",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 4294967296 NLN\r\n"),
            invalid(4, Expected::TrId),
            "TrID above 2^32-1",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 01 NLN\r\n"),
            invalid(4, Expected::TrId),
            "leading zero",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1x NLN\r\n"),
            invalid(4, Expected::TrId),
            "TrID with a letter",
        ),
        (
            S,
            NS,
            Msnp6,
            b("SYN 1 01\r\n"),
            invalid(6, Expected::Number),
            "list version with a leading zero",
        ),
        (
            S,
            NS,
            Msnp6,
            b("SYN 1 4294967296\r\n"),
            invalid(6, Expected::Number),
            "list version above 2^32-1",
        ),
        // Separators and line ends (§1.1).
        (
            C,
            NS,
            Msnp6,
            b("CHG 1  NLN\r\n"),
            invalid(6, Expected::Token),
            "double space",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG  1 NLN\r\n"),
            invalid(4, Expected::TrId),
            "double space after the verb",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1 NLN \r\n"),
            invalid(9, Expected::EndOfLine),
            "trailing space",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1\tNLN\r\n"),
            invalid(5, Expected::Space),
            "tab",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG\t1 NLN\r\n"),
            invalid(3, Expected::Space),
            "tab after the verb",
        ),
        (
            C,
            NS,
            Msnp6,
            b(" CHG 1 NLN\r\n"),
            invalid(0, Expected::Verb),
            "leading space",
        ),
        (
            C,
            NS,
            Msnp6,
            b("chg 1 NLN\r\n"),
            invalid(0, Expected::Verb),
            "lower-case verb",
        ),
        (
            C,
            NS,
            Msnp6,
            b("Chg 1 NLN\r\n"),
            invalid(1, Expected::Verb),
            "mixed-case verb",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG1 NLN\r\n"),
            invalid(3, Expected::Space),
            "verb not followed by a space",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1 NLN\n"),
            invalid(9, Expected::CrLf),
            "bare LF in strict mode",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1 NLN\r\r\n"),
            invalid(9, Expected::EndOfLine),
            "CR CR LF",
        ),
        (
            C,
            NS,
            Msnp6,
            b("\r\n"),
            invalid(0, Expected::Verb),
            "empty line",
        ),
        (
            S,
            NS,
            Msnp6,
            b("099 1\r\n"),
            invalid(0, Expected::Verb),
            "error code below 100",
        ),
        // Lengths (§7, §12).
        (
            S,
            NS,
            Msnp6,
            b(&handle_130),
            invalid(4, Expected::Handle),
            "handle of 130 bytes",
        ),
        (
            S,
            SB,
            Msnp6,
            b(&name_388),
            invalid(10, Expected::FriendlyName),
            "friendly name of 388 bytes",
        ),
        (
            C,
            NS,
            Msnp6,
            b(&ver_33),
            invalid(5, Expected::FewerItems(32)),
            "33 dialects",
        ),
        (
            S,
            NS,
            Msnp6,
            b(&line_2049),
            DecodeError::LineTooLong { limit: 2048 },
            "2049-byte line",
        ),
        // Parameter counts.
        (
            C,
            NS,
            Msnp6,
            b("CHG 1\r\n"),
            invalid(5, Expected::Parameter),
            "missing parameter",
        ),
        (
            S,
            NS,
            Msnp6,
            b("FLN\r\n"),
            invalid(3, Expected::Parameter),
            "missing handle",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1 NLN 0\r\n"),
            invalid(9, Expected::EndOfLine),
            "extra parameter (MSNP8 capabilities)",
        ),
        (
            S,
            NS,
            Msnp6,
            b("QNG 50\r\n"),
            invalid(3, Expected::EndOfLine),
            "QNG seconds (MSNP9)",
        ),
        (
            C,
            NS,
            Msnp6,
            b("SDC 7 anotheruser@hotmail.com 10\r\n"),
            invalid(32, Expected::Parameter),
            "SDC without its parameters: not a payload command",
        ),
        (
            C,
            NS,
            Msnp6,
            b("USR 5 MD5 X abc\r\n"),
            invalid(10, Expected::Literal("S")),
            "MD5 with an unknown stage",
        ),
        (
            S,
            NS,
            Msnp6,
            b("USR 6 MDS S prefix\r\n"),
            invalid(6, Expected::Literal("MD5")),
            "MDS typo in strict mode (§8, §13.12)",
        ),
        (
            S,
            NS,
            Msnp6,
            b("XFR 1 SB 10.0.1.200:1865 XYZ c\r\n"),
            invalid(25, Expected::Literal("CKI")),
            "XFR SB without CKI",
        ),
        (
            S,
            SB,
            Msnp6,
            b("CAL 1 RING 5\r\n"),
            invalid(6, Expected::Literal("RINGING")),
            "CAL without RINGING",
        ),
        (
            S,
            NS,
            Msnp6,
            b("LST 2 BL 255 0 1\r\n"),
            invalid(16, Expected::Parameter),
            "LST entry missing",
        ),
        (
            S,
            NS,
            Msnp6,
            b("LST 2 BL 255 0 0 a@b.c n\r\n"),
            invalid(16, Expected::EndOfLine),
            "LST 0 0 with an entry",
        ),
        (
            S,
            NS,
            Msnp6,
            b("FND 2 0 0 fname=A lname=B city=* state=* country=DE\r\n"),
            invalid(9, Expected::EndOfLine),
            "FND 0 0 with a result",
        ),
        // Dialect-dependent shapes.
        (
            S,
            NS,
            Msnp6,
            b("USR 4 OK example@hotmail.com example%20user\r\n"),
            invalid(43, Expected::Parameter),
            "USR OK without the verified flag in MSNP6",
        ),
        (
            S,
            NS,
            Msnp5,
            b("USR 4 OK example@hotmail.com example%20user 1\r\n"),
            invalid(43, Expected::EndOfLine),
            "USR OK with a verified flag in MSNP5",
        ),
        (
            S,
            DS,
            Msnp2,
            b("XFR 4 NS 10.0.0.5:1863 0\r\n"),
            invalid(22, Expected::EndOfLine),
            "XFR NS with the trailing 0 in MSNP2",
        ),
        (
            S,
            DS,
            Msnp6,
            b("XFR 4 NS 10.0.0.5:1863\r\n"),
            invalid(22, Expected::Parameter),
            "XFR NS without the trailing 0 in MSNP6",
        ),
        (
            S,
            DS,
            Msnp7,
            b("XFR 4 NS 10.0.0.5:1863 0\r\n"),
            invalid(24, Expected::Parameter),
            "XFR NS without the current server in MSNP7",
        ),
        (
            S,
            DS,
            Msnp6,
            b("XFR 4 NS 10.0.0.5:1863 0 10.0.0.1:1863\r\n"),
            invalid(24, Expected::EndOfLine),
            "XFR NS with a current server in MSNP6",
        ),
        (
            C,
            NS,
            Cvr0,
            b("SND 3 a@b.c 0x0409 MSMSGS\r\n"),
            invalid(11, Expected::EndOfLine),
            "SND with LCID in MSNP2",
        ),
        (
            C,
            NS,
            Msnp3,
            b("SND 3 a@b.c\r\n"),
            invalid(11, Expected::Parameter),
            "SND without LCID in MSNP3",
        ),
        (
            C,
            NS,
            Msnp3,
            b("SND 3 a@b.c 0x0409 MSMSGS MSMSGS\r\n"),
            invalid(25, Expected::EndOfLine),
            "SND with client id in MSNP3",
        ),
        (
            C,
            NS,
            Msnp4,
            b("SND 3 a@b.c 0x0409 MSMSGS\r\n"),
            invalid(25, Expected::Parameter),
            "SND without client id in MSNP4",
        ),
        (
            S,
            NS,
            Msnp2,
            b("URL 1 /a https://b 2\r\n"),
            invalid(18, Expected::EndOfLine),
            "URL with a site id in MSNP2",
        ),
        (
            S,
            NS,
            Msnp5,
            b("URL 1 /a https://b\r\n"),
            invalid(18, Expected::Parameter),
            "URL without a site id in MSNP5",
        ),
        (
            C,
            NS,
            Msnp6,
            b("ADD 1 FL a@b.c a@b.c 0\r\n"),
            invalid(20, Expected::EndOfLine),
            "ADD with a group id in MSNP6",
        ),
        (
            C,
            NS,
            Msnp6,
            b("REM 1 FL a@b.c 0\r\n"),
            invalid(14, Expected::EndOfLine),
            "REM with a group id in MSNP6",
        ),
        (
            S,
            NS,
            Msnp6,
            b("LST 2 FL 255 1 1 a@b.c n 0\r\n"),
            invalid(24, Expected::EndOfLine),
            "LST with groups in MSNP6",
        ),
        (
            C,
            NS,
            Msnp7,
            b("ADD 1 FL a@b.c a@b.c x\r\n"),
            invalid(21, Expected::Number),
            "ADD with a non-numeric group id in MSNP7",
        ),
        (
            C,
            NS,
            Msnp4,
            b("CVR 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863\r\n"),
            invalid(42, Expected::Parameter),
            "CVR without client id in MSNP4",
        ),
        (
            C,
            NS,
            Msnp3,
            b("CVR 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863 MSMSGS\r\n"),
            invalid(42, Expected::EndOfLine),
            "CVR with client id in MSNP3",
        ),
        (
            C,
            DS,
            Msnp6,
            b("CVQ 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863 MSMSGS x\r\n"),
            invalid(49, Expected::EndOfLine),
            "CVQ with 8 parameters",
        ),
        (
            C,
            SB,
            Msnp6,
            b("OUT OTH\r\n"),
            invalid(3, Expected::EndOfLine),
            "client OUT with a reason",
        ),
        // Payloads (§1.4, §12).
        (
            S,
            SB,
            Msnp6,
            b("MSG a@b.c name 1665\r\n"),
            DecodeError::PayloadTooLong {
                verb: "MSG",
                offset: 15,
                declared: 1665,
                limit: 1664,
            },
            "SB MSG payload over 1664",
        ),
        (
            C,
            SB,
            Msnp6,
            b("MSG 1 U 1665\r\n"),
            DecodeError::PayloadTooLong {
                verb: "MSG",
                offset: 8,
                declared: 1665,
                limit: 1664,
            },
            "client SB MSG payload over 1664",
        ),
        (
            S,
            NS,
            Msnp6,
            b("MSG Hotmail Hotmail 8193\r\n"),
            DecodeError::PayloadTooLong {
                verb: "MSG",
                offset: 20,
                declared: 8193,
                limit: 8192,
            },
            "NS MSG payload over 8192",
        ),
        (
            C,
            NS,
            Msnp6,
            b("QRY 10 msmsgs@msnmsgr.com 33\r\n"),
            DecodeError::PayloadTooLong {
                verb: "QRY",
                offset: 26,
                declared: 33,
                limit: 32,
            },
            "QRY payload over 32",
        ),
        (
            C,
            NS,
            Msnp6,
            b("PAG 1 a@b.c 1665\r\n"),
            DecodeError::PayloadTooLong {
                verb: "PAG",
                offset: 12,
                declared: 1665,
                limit: 1664,
            },
            "PAG payload over 1664",
        ),
        (
            S,
            NS,
            Msnp6,
            b("IPG 8193\r\n"),
            DecodeError::PayloadTooLong {
                verb: "IPG",
                offset: 4,
                declared: 8193,
                limit: 8192,
            },
            "IPG payload over 8192",
        ),
        (
            S,
            NS,
            Msnp6,
            b("NOT 4294967296\r\n"),
            invalid(4, Expected::Number),
            "payload length above 2^32-1",
        ),
        (
            C,
            SB,
            Msnp6,
            b("MSG 1 U -1\r\n"),
            invalid(8, Expected::Number),
            "negative payload length",
        ),
        // Incomplete input.
        (C, NS, Msnp6, b(""), DecodeError::Incomplete, "nothing"),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1 NLN"),
            DecodeError::Incomplete,
            "no line end",
        ),
        (
            C,
            NS,
            Msnp6,
            b("CHG 1 NLN\r"),
            DecodeError::Incomplete,
            "CR without LF",
        ),
        (
            C,
            NS,
            Msnp6,
            qry_partial,
            DecodeError::Incomplete,
            "payload not fully arrived",
        ),
        (
            S,
            SB,
            Msnp6,
            b("MSG a@b.c name 2\r\n"),
            DecodeError::Incomplete,
            "payload not arrived",
        ),
    ]
}

#[test]
fn negative_table() {
    for (direction, server, dialect, wire, expected, what) in negative_rows() {
        let context = ctx(direction, server, dialect);
        let got = decoder(context, Mode::Strict).decode(&wire);
        assert_eq!(
            got,
            Err(expected.clone()),
            "{what}: {:?} in {context:?}",
            String::from_utf8_lossy(&wire)
        );
        // Misplacement, limits and incomplete input do not depend on the mode.
        if !matches!(expected, DecodeError::Invalid { .. }) {
            let lenient = decoder(context, Mode::Lenient).decode(&wire);
            assert_eq!(lenient, Err(expected), "{what} (lenient)");
        }
    }
}

/// A line without a payload length is never followed by a payload: the framer skips the
/// invalid `SDC` line and decodes what follows as the next line (reference §1.4).
#[test]
fn invalid_payload_line_reads_no_payload() {
    let mut f = Framer::new(decoder(ctx(C, NS, Dialect::Msnp6), Mode::Strict));
    f.push(b"SDC 7 anotheruser@hotmail.com 10\r\nPNG\r\n");
    let e = f.next_frame().expect_err("invalid SDC");
    assert_eq!(e.error, invalid(32, Expected::Parameter));
    assert_eq!(e.line_offset, 0);
    let png = f.next_frame().expect("PNG").expect("a frame");
    assert_eq!(png.command, Command::Png(Bare {}));
    assert_eq!(png.offset, 34);
}

// ---------------------------------------------------------------------------------------------
// Lenient mode
// ---------------------------------------------------------------------------------------------

/// `(direction, server, deviating wire, canonical wire, warnings)`: each deviation decodes in
/// lenient mode to the value of the canonical line, with exactly these warnings.
type LenientRow = (
    Direction,
    ServerKind,
    &'static [u8],
    &'static [u8],
    Vec<Warning>,
);

/// The lenient table.
fn lenient_rows() -> Vec<LenientRow> {
    vec![
        (
            C,
            NS,
            b"CHG 1  NLN\r\n",
            b"CHG 1 NLN\r\n",
            vec![Warning::RepeatedSpace],
        ),
        (
            C,
            NS,
            b"CHG  1 NLN\r\n",
            b"CHG 1 NLN\r\n",
            vec![Warning::RepeatedSpace],
        ),
        (
            C,
            NS,
            b"CHG 1 NLN \r\n",
            b"CHG 1 NLN\r\n",
            vec![Warning::TrailingSpace],
        ),
        (
            C,
            NS,
            b"CHG 1\tNLN\r\n",
            b"CHG 1 NLN\r\n",
            vec![Warning::Tab],
        ),
        (
            C,
            NS,
            b"CHG 1 NLN\t\r\n",
            b"CHG 1 NLN\r\n",
            vec![Warning::Tab, Warning::TrailingSpace],
        ),
        (
            C,
            NS,
            b" CHG 1 NLN\r\n",
            b"CHG 1 NLN\r\n",
            vec![Warning::LeadingSpace],
        ),
        (
            C,
            NS,
            b"CHG 1 NLN\n",
            b"CHG 1 NLN\r\n",
            vec![Warning::BareLf],
        ),
        (
            C,
            NS,
            b"CHG 1  NLN \n",
            b"CHG 1 NLN\r\n",
            vec![
                Warning::BareLf,
                Warning::RepeatedSpace,
                Warning::TrailingSpace,
            ],
        ),
        (
            S,
            NS,
            b"USR 6 MDS S prefix\r\n",
            b"USR 6 MD5 S prefix\r\n",
            vec![Warning::Md5Typo],
        ),
        (
            S,
            NS,
            b"USR  6 MDS S prefix\n",
            b"USR 6 MD5 S prefix\r\n",
            vec![Warning::BareLf, Warning::RepeatedSpace, Warning::Md5Typo],
        ),
        (
            C,
            NS,
            b"QRY 10  msmsgs@msnmsgr.com 32\n3b6666b60157322b6fc6e41a115968f5",
            b"QRY 10 msmsgs@msnmsgr.com 32\r\n3b6666b60157322b6fc6e41a115968f5",
            vec![Warning::BareLf, Warning::RepeatedSpace],
        ),
        (
            S,
            SB,
            b"MSG  example@hotmail.com\texample%20user 12\nacknowledged",
            b"MSG example@hotmail.com example%20user 12\r\nacknowledged",
            vec![Warning::BareLf, Warning::RepeatedSpace, Warning::Tab],
        ),
        (
            S,
            NS,
            b"VER 1  MSNP6 \t MSNP5\r\n",
            b"VER 1 MSNP6 MSNP5\r\n",
            vec![Warning::RepeatedSpace, Warning::Tab],
        ),
        (C, SB, b"OUT \r\n", b"OUT\r\n", vec![Warning::TrailingSpace]),
    ]
}

#[test]
fn lenient_table() {
    for (direction, server, wire, canonical, warnings) in lenient_rows() {
        let context = ctx(direction, server, Dialect::Msnp6);
        let want = decoder(context, Mode::Strict)
            .decode(canonical)
            .expect("canonical line");
        let got = decoder(context, Mode::Lenient)
            .decode(wire)
            .unwrap_or_else(|e| panic!("{:?}: {e:?}", String::from_utf8_lossy(wire)));
        assert_eq!(
            got.command,
            want.command,
            "{:?}",
            String::from_utf8_lossy(wire)
        );
        assert_eq!(got.len, wire.len());
        assert_eq!(
            got.warnings.iter().collect::<Vec<_>>(),
            warnings,
            "{:?}",
            String::from_utf8_lossy(wire)
        );
        assert_eq!(
            got.command.to_bytes(),
            canonical,
            "lenient values re-encode canonically"
        );
        // Strict mode rejects each deviation.
        assert!(
            matches!(
                decoder(context, Mode::Strict).decode(wire),
                Err(DecodeError::Invalid { .. })
            ),
            "strict accepts {:?}",
            String::from_utf8_lossy(wire)
        );
    }
}

/// Lenient mode repairs only whitespace, line ends and `MDS`: other errors stay, with offsets
/// into the original line.
#[test]
fn lenient_errors_point_into_the_original_line() {
    let cases: Vec<(Direction, ServerKind, &[u8], DecodeError)> = vec![
        (C, NS, b"CHG 01 NLN\r\n", invalid(4, Expected::TrId)),
        (C, NS, b"CHG  x NLN\r\n", invalid(5, Expected::TrId)),
        (C, NS, b"CHG x  NLN\r\n", invalid(4, Expected::TrId)),
        (
            C,
            NS,
            b"  CHG 1  NLN  5\r\n",
            invalid(12, Expected::EndOfLine),
        ),
        (C, NS, b"chg 1 NLN\r\n", invalid(0, Expected::Verb)),
        (
            C,
            SB,
            b"MSG  1 U  1665\r\n",
            DecodeError::PayloadTooLong {
                verb: "MSG",
                offset: 10,
                declared: 1665,
                limit: 1664,
            },
        ),
        (
            S,
            NS,
            b"USR 6 MDT S prefix\r\n",
            invalid(6, Expected::Literal("MD5")),
        ),
        (C, NS, b"CHG 1 NLN\r\r\n", invalid(9, Expected::EndOfLine)),
    ];
    for (direction, server, wire, expected) in cases {
        let got = decoder(ctx(direction, server, Dialect::Msnp6), Mode::Lenient).decode(wire);
        assert_eq!(got, Err(expected), "{:?}", String::from_utf8_lossy(wire));
    }
}

/// The documented `MDS` typo (reference §8) is repaired only where strict mode rejects it: in
/// the server's `USR` on the DS/NS. Elsewhere strict mode accepts the line (a client's unknown
/// package, a switchboard handle), and lenient mode keeps the same value without a warning.
#[test]
fn lenient_mds_only_in_the_server_usr() {
    let cases: Vec<(Direction, ServerKind, &[u8], Command<'static>)> = vec![
        (
            C,
            SB,
            b"USR 1 MDS 16925950.1016955577.17693\r\n",
            Command::UsrSwitchboard(UsrSwitchboard {
                trid: id(1),
                handle: h("MDS"),
                cookie: t("16925950.1016955577.17693"),
            }),
        ),
        (
            C,
            NS,
            b"USR 6 MDS I example@hotmail.com\r\n",
            Command::UsrOther(
                UsrOther::new(id(6), u("MDS"), t("I"), sec("example@hotmail.com"))
                    .expect("a valid form"),
            ),
        ),
        (
            C,
            DS,
            b"USR 7 MDS S f59af8f2fa91d38aff7c870c17f99903\r\n",
            Command::UsrOther(
                UsrOther::new(
                    id(7),
                    u("MDS"),
                    t("S"),
                    sec("f59af8f2fa91d38aff7c870c17f99903"),
                )
                .expect("a valid form"),
            ),
        ),
    ];
    for (direction, server, wire, expected) in cases {
        for mode in [Mode::Strict, Mode::Lenient] {
            let d = decoder(ctx(direction, server, Dialect::Msnp6), mode)
                .decode(wire)
                .unwrap_or_else(|e| panic!("{:?} {mode:?}: {e:?}", String::from_utf8_lossy(wire)));
            assert_eq!(d.command, expected, "{mode:?}");
            assert!(d.warnings.is_empty(), "{mode:?}");
        }
    }
    // The server's `USR … MDS …` on the SB is no USR form at all, in either mode.
    for mode in [Mode::Strict, Mode::Lenient] {
        let got = decoder(ctx(S, SB, Dialect::Msnp6), mode).decode(b"USR 6 MDS S prefix\r\n");
        assert_eq!(got, Err(invalid(6, Expected::Literal("OK"))), "{mode:?}");
    }
}
