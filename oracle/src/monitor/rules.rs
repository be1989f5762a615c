//! The rule table: every check of the monitor, with its stable id and the section of the protocol
//! reference (`msnp6-protocol.md`) it implements.

use super::report::Side;

/// One rule of the monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The stable id, e.g. `TRID-ECHO`.
    pub id: &'static str,
    /// The section(s) of the reference it implements, e.g. `1.2`.
    pub section: &'static str,
    /// Whose lines it judges.
    pub side: Side,
    /// What it checks, in one sentence.
    pub checks: &'static str,
}

macro_rules! rules {
    ($($(#[$m:meta])* $var:ident = $id:literal, $section:literal, $side:ident, $checks:literal;)*) => {
        /// The rules, as used inside the monitor.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum R { $($(#[$m])* $var,)* }

        /// Every rule of the monitor, in the order of docs/monitor.md.
        pub const RULES: &[Rule] = &[$(Rule { id: $id, section: $section, side: Side::$side, checks: $checks },)*];

        impl R {
            /// The rule's table entry.
            pub(crate) const fn rule(self) -> Rule {
                match self { $(R::$var => Rule { id: $id, section: $section, side: Side::$side, checks: $checks },)* }
            }
        }
    };
}

rules! {
    LineSyntax = "LINE-SYNTAX", "1.1", Server,
        "a server line decodes strictly in the dialect in force and re-encodes to the same bytes; its payload has its declared length";
    VerbPlace = "VERB-PLACE", "3.6", Server,
        "the server sends only MSNP6 verbs that a server sends on this kind of server";
    ValueDocumented = "VALUE-DOCUMENTED", "3", Server,
        "enumerated parameters of server lines (status, list, property, mode, IMS state, verified flag, OUT and BYE reasons) have documented values";
    TridEcho = "TRID-ECHO", "1.2", Server,
        "a reply carries the TrID of a client command on the same connection that it can answer";
    TridAsync = "TRID-ASYNC", "1.2", Server,
        "asynchronous lines that have a TrID field (ADD/REM RL, pushed CHG and CHL) use 0";
    ReplyMissing = "REPLY-MISSING", "1.2", Server,
        "every command that requires a reply gets it, complete, before the server answers a later command on that connection (replies in order, §14)";
    ErrorDocumented = "ERROR-DOCUMENTED", "4", Server,
        "an error reply uses a code the reference documents for the command it answers";
    DisconnectExpected = "DISCONNECT-EXPECTED", "14", Server,
        "after a client command documented to make the server disconnect, the server sends nothing more (or only the documented alternative error)";
    ClosedSilent = "CLOSED-SILENT", "3.1", Server,
        "nothing from the server after it sent OUT or a documented closing error, and after the client's OUT only replies to earlier commands";
    VerChoice = "VER-CHOICE", "3.1", Server,
        "the VER reply names one dialect the client offered, or 0, or echoes the client's whole list (§13.1); VER 0 closes";
    InfMd5 = "INF-MD5", "3.1", Server,
        "the INF reply lists MD5 as the only package (MSNP3-MSNP7; MSNP2 may add CTP)";
    LoginOrder = "LOGIN-ORDER", "8", Server,
        "the login replies follow VER, INF, USR I (salt or referral), USR S (OK), and nothing but login replies comes before OK";
    LoginOkHandle = "LOGIN-OK-HANDLE", "3.1", Server,
        "USR OK names the handle of the USR I of the login";
    LoginDigest = "LOGIN-DIGEST", "3.1", Server,
        "with the account's password known, a correct MD5 digest is accepted (OK, or 923/924) and a wrong one refused with 911";
    Login207 = "LOGIN-207", "3.1", Server,
        "a USR after login is answered by 207";
    LoginProfile = "LOGIN-PROFILE", "8", Server,
        "the first server line on the NS after USR OK is the profile MSG (text/x-msmsgsprofile)";
    LoginOth = "LOGIN-OTH",
    "14",
    Server,
    "a second login of an account seen in the file closes the older connection with OUT OTH";
    DsReferral = "DS-REFERRAL", "8", Server,
        "on a dispatch server, USR I is answered by an XFR NS referral";
    XfrShape = "XFR-SHAPE", "3.1", Server,
        "addresses in XFR and RNG are host:port, and the NS referral ends with the constant 0 (MSNP3-MSNP6)";
    SynCurrent = "SYN-CURRENT", "3.2", Server,
        "when the server's SYN version equals the client's, nothing else follows; otherwise the full lists follow";
    SynOrder = "SYN-ORDER", "3.2", Server,
        "the SYN reply is GTC, BLP, PRP for each property (MSNP5+), then LST FL, AL, BL, RL, all with the SYN's TrID";
    SynBpr = "SYN-BPR", "3.2", Server,
        "inside the SYN reply (MSNP5+), each FL entry is followed by BPR PHH, PHW, PHM, MOB for that entry, and BPR lines come nowhere else";
    IndexTotal = "INDEX-TOTAL", "3.2", Server,
        "LST, FND and IRO lines count index 1..total with a constant total, and an empty list is `0 0`";
    ListVersionMonotonic = "LIST-VERSION-MONOTONIC", "3.2", Server,
        "one list version per account never decreases, and increases with every list-changing line (ADD, REM, REA, GTC, BLP, PRP, ADD/REM RL, BPR pushes)";
    ListVersionCurrent = "LIST-VERSION-CURRENT", "3.2", Server,
        "lines that report lists without changing them (the SYN reply's lines, LST, the BPRs after SYN entries and ADD FL) carry the current version";
    ReplyEcho = "REPLY-ECHO", "3.2", Server,
        "a reply repeats the request's values: list, handle, name, mode, property, value, status";
    List215 = "LIST-215", "3.2", Server,
        "ADD of a handle already on that list is answered 215, and 215 only then";
    List216 = "LIST-216", "3.2", Server,
        "REM of a handle not on that list, or REA of a handle on none of the lists, is answered 216, and 216 only then";
    List219 = "LIST-219", "6", Server,
        "ADD AL of a BL member or ADD BL of an AL member is answered 219, and 219 only then";
    Mode218 = "MODE-218", "3.2", Server,
        "GTC/BLP to the current value is answered 218, and 218 only then";
    AddError = "ADD-ERROR", "14", Server,
        "ADD: 201 exactly for a malformed handle, 205 never for an account seen logging in, 210 only for a full list";
    AddFollowup = "ADD-FL-FOLLOWUP", "14", Server,
        "after ADD FL: BPR PHH, PHW, PHM, MOB for the contact with the new version if SYN was sent on the connection (none otherwise), then at most one ILN for it";
    ListRl = "LIST-RL", "3.2", Server,
        "ADD 0 RL names a handle not yet on RL (that added the user, when seen), REM 0 RL a handle on RL; a user seen online is sent ADD/REM 0 RL when a contact adds or removes it on FL";
    BprTarget = "BPR-TARGET", "14", Server,
        "a pushed BPR names a contact on FL, on a connection that sent SYN";
    IlnTrid = "ILN-TRID", "3.3", Server,
        "ILN carries the TrID of the first CHG after login or of an ADD FL (for that contact), once per contact, while that reply is the latest";
    PresenceStatus = "PRESENCE-STATUS", "5", Server,
        "ILN and NLN never carry HDN or FLN";
    PresenceMatch = "PRESENCE-MATCH", "14", Server,
        "presence lines about a contact seen in the file carry its current status and display name; FLN only when it is offline, hidden or blocking";
    PresenceOffline = "PRESENCE-OFFLINE", "14", Server,
        "nothing but FLN about a contact after it went offline or hidden";
    PresenceWatcher = "PRESENCE-WATCHER", "14", Server,
        "presence goes only to watchers (the contact is on the user's FL and lets the user see it, and the user has sent its first CHG), and every watcher seen in the file gets the ILN/NLN/FLN a change owes it";
    Xfr913 = "XFR-913", "3.1", Server,
        "XFR SB is answered 913 exactly while the user is HDN/FLN or has not sent its first CHG";
    QryDigest = "QRY-DIGEST", "3.4", Server,
        "QRY is accepted only for MD5(last or previous challenge + private key of the public key sent), otherwise 540 (then close)";
    PngQng = "PNG-QNG", "3.1", Server,
        "QNG only answers a PNG";
    RngTarget = "RNG-TARGET", "14", Server,
        "RNG goes only to a logged-in user that is online and not hidden, with a decimal session id; a CAL that rings owes the callee (when logged in in the file) an RNG, and an RNG for a session of the file needs such a CAL";
    SbOrder = "SB-ORDER", "3.5", Server,
        "on a switchboard nothing but the reply to USR or ANS comes before USR OK / ANS OK";
    SbUsrOk = "SB-USR-OK", "3.5", Server,
        "the switchboard's USR OK names the handle that logged in";
    SbCookie = "SB-COOKIE", "14", Server,
        "a switchboard cookie from an XFR SB in the file is accepted once, within 120 s; reused or expired it is refused with 911";
    SbCal = "SB-CAL", "3.5", Server,
        "CAL is answered RINGING with a session id, or 215 (participant, invited, oneself), 208 (bad handle), 217/216 (offline, hidden, not allowed), 713, as the state says";
    SbSessionId = "SB-SESSION-ID", "14", Server,
        "a switchboard's session id is decimal and the same in every RINGING, RNG and ANS of that switchboard";
    SbRoster = "SB-ROSTER", "3.5", Server,
        "IRO lists the other participants, JOI announces a user who is not a participant yet (never the user itself), and every participant of the file gets the JOI of a user who answered";
    SbAck = "SB-ACK", "3.5", Server,
        "ACK/NAK only for MSG A/N with their TrID, never for MSG U; ACK never for N; MSG A with others present gets ACK or NAK, alone never ACK (§13.3)";
    SbMsgSender = "SB-MSG-SENDER", "3.5", Server,
        "a relayed MSG comes from a current participant other than the user, and every other participant of the file gets each MSG a client sends";
    SbBye = "SB-BYE", "3.5", Server,
        "BYE names a current participant other than the user, and every other participant of the file gets the BYE of a user who left";
    TranscriptConnection = "TRANSCRIPT-CONNECTION", "transcript-format", Server,
        "every protocol line belongs to a connection the file declares (tag or `# server:`)";
    ClientSyntax = "CLIENT-SYNTAX", "1.1", Client,
        "a client line decodes strictly in the dialect in force, with a documented MSNP6 verb";
    ClientOrder = "CLIENT-ORDER", "8", Client,
        "the client follows the login order, sends VER, INF, USR and SYN once, and waits for login before other commands";
    ClientValue = "CLIENT-VALUE", "3", Client,
        "client parameters have documented values (list, status, mode, property)";
    ClientDigest = "CLIENT-DIGEST", "9", Client,
        "USR S and QRY carry 32 lower-case hex digits, and the QRY response is right when it can be computed";
    ClientQryTrid = "CLIENT-QRY-TRID", "3.4", Client,
        "QRY is sent on a new TrID";
    ClientAfterClose = "CLIENT-AFTER-CLOSE", "3.1", Client,
        "no client line on a connection after it closed (tagged files; untagged files start a new connection)";
}

/// The table entry of the rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
