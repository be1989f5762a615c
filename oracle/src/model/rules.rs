//! The model's rules: one stable id per behaviour, the section of the protocol reference it
//! implements, and what it does. Every frame the model sends and every connection it closes
//! names the rule that produced it ([`Delivery::rule`](super::Delivery::rule),
//! [`Closed::rule`](super::Closed::rule)); `docs/model.md` lists the same table.

/// One rule of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Stable id, `MODEL-…`.
    pub id: &'static str,
    /// The section of `msnp6-protocol.md` it implements (several separated by `, `).
    pub section: &'static str,
    /// What the model does.
    pub text: &'static str,
}

macro_rules! rules {
    ($($konst:ident = $id:literal, $section:literal, $text:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "` (reference §", $section, "): ", $text)]
            pub const $konst: &str = $id;
        )*
        /// Every rule of the model, grouped by topic.
        pub const RULES: &[Rule] = &[$(Rule { id: $id, section: $section, text: $text }),*];
    };
}

rules! {
    // Connections and login (DS, NS).
    VER_CHOOSE = "MODEL-VER-CHOOSE", "3.1, 13.1",
        "VER offering MSNP6 is answered `VER TrID MSNP6`: the single chosen dialect, never an echo of the list.";
    VER_REFUSE = "MODEL-VER-REFUSE", "3.1",
        "VER offering neither MSNP6 nor (on the DS) CVR0 is answered `VER TrID 0` and the server closes.";
    VER_CVR0 = "MODEL-VER-CVR0", "3.1, 2",
        "On the DS, VER offering CVR0 but not MSNP6 is answered `VER TrID CVR0`; the CVQ that follows gets `CVQ TrID …` advice, then the server closes.";
    INF = "MODEL-INF", "3.1",
        "INF after VER is answered `INF TrID MD5`.";
    LOGIN_ORDER = "MODEL-LOGIN-ORDER", "8, 14",
        "A known command out of the login order (anything before VER, USR S before USR I, a command other than VER/INF/USR/CVR/OUT before USR OK, anything after the DS referral) closes the connection without a reply.";
    REPEAT = "MODEL-REPEAT", "3.1, 3.2, 14",
        "A second VER, INF, USR I or SYN on one connection closes it without a reply.";
    VALIDATE = "MODEL-VALIDATE", "3, 4, 14",
        "A client command accepted in the current phase but with a bad value is answered as the model's own reading `bad_value` says (an error, a disconnect, or both; \"Bad values\" below); the reply and close name the command's own rule where the model has one (e.g. MODEL-ADD-201), this one otherwise. Checked before any stateful check.";
    UNKNOWN = "MODEL-UNKNOWN", "1.1, 14",
        "An unknown verb, a server-only command sent by the client, or a command of another server closes the connection without a reply.";
    DS_REFER = "MODEL-DS-REFER", "3.1, 8",
        "The DS answers `USR TrID MD5 I handle` with `XFR TrID NS address:port 0`, for any handle.";
    USR_SALT = "MODEL-USR-SALT", "3.1, 8",
        "The NS answers `USR TrID MD5 I handle` with `USR TrID MD5 S salt` (a fresh salt) for any well-formed handle, whether or not the account exists (a malformed one gets 911 and a close by MODEL-VALIDATE).";
    USR_OK = "MODEL-USR-OK", "3.1, 8",
        "`USR TrID MD5 S digest` with digest = MD5(salt + password) logs in: `USR TrID OK handle name verified` (1, or 0 for an unverified account).";
    USR_911 = "MODEL-USR-911", "3.1, 4",
        "A wrong digest or an unknown account: `911 TrID`, then the server closes.";
    USR_923 = "MODEL-USR-923", "3.1, 4",
        "A kids account without consent (right digest): `923 TrID`, then the server closes.";
    USR_924 = "MODEL-USR-924", "3.1, 4",
        "An account blocked for not being verified (right digest): `924 TrID`, then the server closes.";
    USR_PACKAGE = "MODEL-USR-PACKAGE", "3.1",
        "USR with a package other than MD5 before login closes the connection.";
    USR_207 = "MODEL-USR-207", "3.1, 4, 14",
        "Any USR after a successful login (NS or SB) is answered `207 TrID`.";
    PROFILE = "MODEL-PROFILE", "8, 10.1",
        "Right after `USR … OK` the NS sends `MSG Hotmail Hotmail length` with the MSNP6 profile (headers only, ending with an empty line).";
    LOGIN_OTH = "MODEL-LOGIN-OTH", "14",
        "A second login of the same account: the older NS connection gets `OUT OTH` and is closed (its watchers get FLN) before the new login is answered.";
    OUT_CLIENT = "MODEL-OUT-CLIENT", "3.1",
        "A client OUT gets no reply; the server closes the connection.";
    PNG = "MODEL-PNG", "3.1",
        "PNG after login is answered by QNG (no TrID, no seconds in MSNP6).";
    CVR = "MODEL-CVR", "3.1",
        "CVR on the NS after VER is answered with the server's version advice `CVR TrID recommended recommended2 minimum download-url info-url`.";
    SHUTDOWN = "MODEL-SHUTDOWN", "3.1, 14",
        "A server shutdown sends `OUT SSD` on every open connection and closes them all.";
    // Lists (NS).
    LIST_VERSION = "MODEL-LIST-VERSION", "3.2",
        "One list version per account, starting at 0; every change by ADD, REM, REA, GTC, BLP or PRP (own or the ADD 0 RL / REM 0 RL of another) adds one, and the reply carries the new version. BPR never changes it.";
    SYN_CURRENT = "MODEL-SYN-CURRENT", "3.2",
        "SYN with the current list version is answered `SYN TrID version` and nothing else.";
    SYN_FULL = "MODEL-SYN-FULL", "3.2",
        "SYN with another version: `SYN TrID v`, `GTC TrID v mode`, `BLP TrID v mode`, PRP for PHH PHW PHM MOB MBE, then LST for FL, AL, BL, RL (entries in insertion order, `LST TrID L v 0 0` when empty), all with the SYN's TrID and the current version.";
    SYN_BPR = "MODEL-SYN-BPR", "3.2",
        "Inside the SYN reply every FL entry is followed by `BPR v handle PHH|PHW|PHM|MOB [value]` with the contact's own properties.";
    LST = "MODEL-LST", "3.2",
        "A stand-alone `LST TrID list` is answered like the LST part of SYN for that list.";
    GTC_SET = "MODEL-GTC-SET", "3.2",
        "GTC to the other mode: `GTC TrID v mode` with a new version; the value is stored and echoed only.";
    GTC_218 = "MODEL-GTC-218", "3.2",
        "GTC to the current mode: `218 TrID`.";
    GTC_BAD = "MODEL-GTC-BAD", "3.2",
        "GTC with a letter other than A or N closes the connection.";
    BLP_SET = "MODEL-BLP-SET", "3.2, 14",
        "BLP to the other mode: `BLP TrID v mode` with a new version; presence of the user is withdrawn from / granted to watchers accordingly (MODEL-PRIVACY-FLN/NLN).";
    BLP_218 = "MODEL-BLP-218", "3.2",
        "BLP to the current mode: `218 TrID`.";
    BLP_BAD = "MODEL-BLP-BAD", "3.2, 13.9",
        "BLP with a value other than AL or BL closes the connection (current msnp-wiki, not the older 201).";
    LIST_BAD = "MODEL-LIST-BAD", "3.2, 6",
        "ADD or REM naming RL, or a list name that is not FL/AL/BL, closes the connection.";
    ADD_201 = "MODEL-ADD-201", "3.2, 14",
        "ADD of a handle that is not `local@domain` with a dot in the domain: `201 TrID` (checked first).";
    ADD_205 = "MODEL-ADD-205", "3.2, 14",
        "ADD of a well-formed handle with no account: `205 TrID` (checked second).";
    ADD_215 = "MODEL-ADD-215", "3.2",
        "ADD of a handle already on that list: `215 TrID`.";
    ADD_219 = "MODEL-ADD-219", "3.2, 6",
        "ADD to AL of a handle on BL, or to BL of a handle on AL: `219 TrID`.";
    ADD_210 = "MODEL-ADD-210", "3.2, 12, 14",
        "ADD to a list that already holds 150 entries: `210 TrID`.";
    ADD_REPLY = "MODEL-ADD-REPLY", "3.2",
        "A successful ADD is answered `ADD TrID list v handle name` (the name as sent, stored for the entry).";
    ADD_FL_SEQUENCE = "MODEL-ADD-FL-SEQUENCE", "3.2, 14",
        "After `ADD TrID FL …`: if this connection sent SYN, four blank BPRs `BPR v C PHH`, `PHW`, `PHM`, `MOB N`.";
    ILN_ADD = "MODEL-ILN-ADD", "3.3, 14",
        "After an FL ADD (and its BPRs): `ILN TrID status C C-name` if C is online, not hidden, and visible to the adder.";
    RL_ADD = "MODEL-RL-ADD", "3.2, 14",
        "An FL ADD puts the adder on the contact's RL (new contact list version); a logged-in contact gets `ADD 0 RL v' adder adder-name`.";
    REM_216 = "MODEL-REM-216", "3.2",
        "REM of a handle not on that list: `216 TrID`.";
    REM_REPLY = "MODEL-REM-REPLY", "3.2",
        "A successful REM is answered `REM TrID list v handle`.";
    RL_REM = "MODEL-RL-REM", "3.2",
        "An FL REM removes the remover from the contact's RL (new contact list version); a logged-in contact gets `REM 0 RL v' remover`.";
    REA_SELF = "MODEL-REA-SELF", "3.2, 14",
        "REA of one's own handle sets the display name: `REA TrID v handle name`.";
    REA_CONTACT = "MODEL-REA-CONTACT", "3.2",
        "REA of a contact renames the stored name on every own list holding it: `REA TrID v handle name`.";
    REA_216 = "MODEL-REA-216", "3.2",
        "REA of a handle that is neither oneself nor on any own list: `216 TrID`.";
    REA_209 = "MODEL-REA-209", "3.2, 7",
        "REA of one's own name by an unverified account: `209 TrID`.";
    PRP_SET = "MODEL-PRP-SET", "3.2",
        "PRP of PHH, PHW, PHM (value optional, ≤ 95 bytes) or MOB (Y or N): `PRP TrID v property [value]`.";
    PRP_715 = "MODEL-PRP-715", "3.2",
        "PRP of an unknown property of at most 3 bytes, or of the server-set MBE: `715 TrID`.";
    PRP_CLOSE = "MODEL-PRP-CLOSE", "3.2",
        "PRP with a property name over 3 bytes or a value over 95 bytes closes the connection.";
    PRP_MOB_201 = "MODEL-PRP-MOB-201", "3.2",
        "PRP MOB with a value other than Y or N: `201 TrID`.";
    PRP_BPR = "MODEL-PRP-BPR", "3.2, 14",
        "After a PRP change, each watcher of the user that sent SYN gets `BPR v user property [value]`; BPR is a list-changing line, so the watcher's list version goes up by one (once per account) and the BPR carries it.";
    // Presence (NS).
    CHG_ECHO = "MODEL-CHG-ECHO", "3.3",
        "CHG to NLN BSY IDL BRB AWY PHN LUN, HDN or FLN is echoed `CHG TrID status`.";
    CHG_FLN = "MODEL-CHG-FLN", "3.3, 5, 13.2",
        "`CHG TrID FLN` is valid (\"semi-offline\", msnp-wiki; as the codec's validation decides): echoed, and for everybody else the user is offline exactly as with HDN (FLN to watchers, 913 for XFR SB, 217 for CAL).";
    CHG_BAD = "MODEL-CHG-BAD", "3.3",
        "CHG with an unknown status closes the connection.";
    ILN_FIRST_CHG = "MODEL-ILN-FIRST-CHG", "3.3, 14",
        "After the echo of the first CHG (any status, HDN included): `ILN TrID status C C-name` for every C on the FL (in list order) that is online, not hidden, and visible to the user.";
    NLN_STATUS = "MODEL-NLN-STATUS", "3.3, 14",
        "A change to another online status, or from HDN/FLN to an online status: every watcher gets `NLN status U U-name`.";
    FLN_HIDE = "MODEL-FLN-HIDE", "3.3, 14",
        "A change from an online status to HDN (or FLN): every watcher gets `FLN U`.";
    FLN_OFFLINE = "MODEL-FLN-OFFLINE", "3.3, 14",
        "A user whose status is online loses its NS connection (OUT, drop, OUT OTH, close after an error): every watcher gets `FLN U`. A hidden user's departure sends nothing.";
    NLN_RENAME = "MODEL-NLN-RENAME", "3.2, 14",
        "REA of one's own name to a new name while online (not hidden): every watcher gets `NLN status U new-name`.";
    PRIVACY_FLN = "MODEL-PRIVACY-FLN", "14",
        "ADD BL, REM AL or BLP change that stops an online user being visible to a watcher: that watcher gets `FLN U`.";
    PRIVACY_NLN = "MODEL-PRIVACY-NLN", "14",
        "ADD AL, REM BL or BLP change that makes an online user visible to a new watcher: that watcher gets `NLN status U U-name`.";
    IMS = "MODEL-IMS", "3.3",
        "`IMS TrID ON|OFF` is answered `IMS TrID 0 ON|OFF`; with OFF the user cannot be called into switchboards (CAL gives 217). Another value closes the connection.";
    // Services (NS).
    URL = "MODEL-URL", "3.4",
        "URL with an MSNP6 service is answered `URL TrID redirect-url login-url site-id`.";
    URL_201 = "MODEL-URL-201", "3.4",
        "URL PASSWORD (dropped in MSNP3) or an unknown service: `201 TrID`.";
    FND = "MODEL-FND", "3.4",
        "FND with the five `key=value` fields is answered `FND TrID 0 0` (no member directory is modelled).";
    FND_201 = "MODEL-FND-201", "3.4",
        "FND whose fields are not `fname= lname= city= state= country=` in that order: `201 TrID`.";
    SND = "MODEL-SND", "3.4",
        "SND to a well-formed e-mail address or an FND result index, or SDC to an e-mail address, is answered `SND TrID OK` / `SDC TrID OK`.";
    SND_503 = "MODEL-SND-503", "3.4",
        "SND or SDC to anything else: `503 TrID`, then the server closes.";
    PAG = "MODEL-PAG", "3.4",
        "PAG to an account with MOB Y that lets the sender see it gets no reply; to another well-formed handle `800 TrID` (a malformed one gets 201 by MODEL-VALIDATE).";
    // Challenges (NS).
    CHL_SERVER = "MODEL-CHL-SERVER", "3.4, 8",
        "A server challenge sends `CHL 0 challenge` (20 digits) to a logged-in NS connection.";
    CHL_REQUEST = "MODEL-CHL-REQUEST", "3.4",
        "`CHL TrID` after login is answered `CHL TrID challenge`; it must be answered like a server challenge.";
    QRY_OK = "MODEL-QRY-OK", "3.4, 9",
        "QRY whose payload is MD5(challenge + private key of the public key sent) for the last or the previous challenge: `QRY TrID`.";
    QRY_540 = "MODEL-QRY-540", "3.4, 9",
        "Any other QRY with a documented public key (wrong digest, key without a known private key, no challenge issued): `540 TrID`, then the server closes. A public key outside the table of §9 gets the same (MODEL-VALIDATE: the model's decision, \"Bad values\").";
    CHL_TIMEOUT = "MODEL-CHL-TIMEOUT", "3.4, 14",
        "A challenge not answered by a valid QRY within 50 seconds: `OUT`, then the server closes.";
    // Switchboard.
    XFR_SB = "MODEL-XFR-SB", "3.1",
        "`XFR TrID SB` while online and not hidden: `XFR TrID SB address:port CKI cookie` with a fresh one-use cookie valid for 120 seconds.";
    XFR_913 = "MODEL-XFR-913", "3.1, 5",
        "`XFR TrID SB` while hidden or before the first CHG: `913 TrID`.";
    XFR_NS = "MODEL-XFR-NS", "3.1",
        "`XFR TrID NS` (pre-MSNP2 beta) or another XFR kind from the client closes the connection.";
    SB_USR_OK = "MODEL-SB-USR-OK", "3.1, 3.5",
        "SB `USR TrID handle cookie` with an unused, unexpired XFR cookie issued to that handle opens a new session: `USR TrID OK handle name`.";
    SB_USR_911 = "MODEL-SB-USR-911", "14",
        "SB USR with a bad, used or expired cookie: `911 TrID`, then the server closes.";
    SB_LOGIN_FIRST = "MODEL-SB-LOGIN-FIRST", "3.5, 14",
        "On the SB, any command other than USR, ANS or OUT before joining closes the connection.";
    SB_TIMEOUT = "MODEL-SB-TIMEOUT", "3.1, 14",
        "An SB connection with no USR or ANS within 60 seconds of connecting is closed without a line.";
    CAL_RINGING = "MODEL-CAL-RINGING", "3.5, 3.4",
        "CAL of a callable user: `CAL TrID RINGING session-id`; the invitee's NS connection gets `RNG session-id address:port CKI cookie caller caller-name`.";
    CAL_208 = "MODEL-CAL-208", "3.5, 14",
        "CAL of a handle that is not a well-formed e-mail address: `208 TrID` (checked first).";
    CAL_215 = "MODEL-CAL-215", "3.5, 14",
        "CAL of oneself, of a participant, or of someone with a pending invitation: `215 TrID`.";
    CAL_217 = "MODEL-CAL-217", "3.5, 14",
        "CAL of an unknown, offline or hidden user, of one with IMS OFF, or of one who does not let the caller see them: `217 TrID`.";
    ANS_IRO = "MODEL-ANS-IRO", "3.5",
        "ANS with the cookie and session id of a pending invitation for that handle: `IRO TrID i n handle name` for each other participant in join order, then `ANS TrID OK`.";
    ANS_JOI = "MODEL-ANS-JOI", "3.5",
        "When someone joins by ANS, every other participant gets `JOI handle name`.";
    ANS_BAD = "MODEL-ANS-BAD", "3.5, 14",
        "ANS with bad data (unknown session, wrong or used or expired cookie, wrong handle), or ANS after joining, closes the connection.";
    MSG_RELAY = "MODEL-MSG-RELAY", "3.5",
        "`MSG TrID U|N|A length` from a participant is delivered to every other participant as `MSG handle name length` with the same payload.";
    MSG_ACK = "MODEL-MSG-ACK", "3.5, 13.3, 14",
        "MSG A delivered to at least one other participant: `ACK TrID` after the deliveries.";
    MSG_NAK = "MODEL-MSG-NAK", "3.5, 13.3, 14",
        "MSG A or MSG N from a participant who is alone in the session: `NAK TrID`. MSG U never gets a reply.";
    MSG_BAD = "MODEL-MSG-BAD", "3.5",
        "MSG with an ack letter other than U, N, A, or a payload over 1664 bytes, closes the connection without delivering.";
    SB_BYE = "MODEL-SB-BYE", "3.5, 14",
        "A participant that sends OUT or drops: every other participant gets `BYE handle` (never `BYE handle 1`: no idle timeout is modelled). An empty session ends.";
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len());
        assert!(
            RULES
                .iter()
                .all(|r| r.id.starts_with("MODEL-") && !r.section.is_empty())
        );
        assert_eq!(rule(QRY_540).map(|r| r.section), Some("3.4, 9"));
    }
}
