//! Validation: whether a decoded command uses the documented values, and what a server answers
//! when it does not.
//!
//! Decoding is syntactic and lossless: `ADD 1 RL a@b.com a`, `CHG 1 XYZ` or `USR 7 MD5 S nonsense`
//! decode, because their *shape* is right, and re-encode byte for byte. [`Command::validate`]
//! is the separate, second step: it checks the values against the reference and, for a client
//! command, says what the server does about a bad one ([`Answer`]). For a server line there is
//! no answer: an [`Invalid`] there only says that the value is not one the reference documents
//! (a client, a monitor or a test may warn, ignore or fail).
//!
//! ```
//! use msnp6::{Decoder, Direction, ServerKind};
//! use msnp6::types::ErrorCode;
//! use msnp6::validate::Answer;
//!
//! let d = Decoder::new(Direction::ClientToServer, ServerKind::Notification);
//! let frame = d.decode(b"ADD 20 FL a@b a@b\r\n").unwrap();
//! let invalid = frame.command.validate(d.context).unwrap_err();
//! assert_eq!(invalid.field, "handle");
//! assert_eq!(invalid.answer, Some(Answer::Error(ErrorCode::INVALID_PARAMETER)));
//! // The reply line a server sends: `201 20`.
//! let reply = invalid.answer.unwrap().reply(frame.command.trid().unwrap()).unwrap();
//! assert_eq!(reply.to_bytes(), b"201 20\r\n");
//! ```
//!
//! Validation is stateless: it looks at one command. Rules that need the session — whether a
//! contact is on a list (`215`, `216`, `219`), whether a status is already set (`218`), the
//! order of login, whether a QRY answers the current challenge, rate limits — belong to the
//! server (reference §8, §14). Parameters are checked in wire order and the first problem is
//! reported.
//!
//! # Rules
//!
//! *C* = client command (the answer is what the server does), *S* = server line (no answer: the
//! value is undocumented). "e-mail" means [`Handle::is_email`]: `local@domain.tld` (reference §14,
//! "Handle syntax"). A *decision* is a rule no source states, chosen here and documented so that
//! every implementation agrees (reference §14 preamble); the reason is in the rule's doc comment.
//!
//! | command | dir | check | answer | reference | decision |
//! | --- | --- | --- | --- | --- | --- |
//! | any verb | C | verb is not an MSNP6 command (e.g. MSNP7 `LSG`) | disconnect | §14, §3.6 | |
//! | any verb | S | verb is not an MSNP6 command | – | §3.6 | |
//! | `IMS`, `PRP`, `PAG`, `SDC`, `CHL`, `QRY` | C | verb introduced after the negotiated dialect (IMS: MSNP3; PRP, PAG, SDC: MSNP5; CHL, QRY: MSNP6) | disconnect | §2, §14 | yes |
//! | `IMS`, `PRP`, `BPR`, `NOT`, `SDC`, `CHL`, `IPG`, `QRY` | S | verb introduced after the negotiated dialect | – | §2 | |
//! | `VER` | C | no offered dialect is `MSNP2` … `MSNP7` or `CVR0` | `VER TrID 0`, disconnect | §3.1 VER | |
//! | `VER` | S | not the single `0`, and some item is not `MSNP2` … `MSNP7` / `CVR0` (an echo of the whole list is tolerated, §13.1) | – | §3.1 VER, §13.1 | |
//! | `INF` | S | a package other than `MD5` (`CTP` only in MSNP2) | – | §3.1 INF, §2 | |
//! | `USR MD5 I` | C | handle not e-mail | `911`, disconnect | §3.1 USR, §14 | yes |
//! | `USR MD5 S` | C | digest not 32 lower-case hex digits | `911`, disconnect | §3.1 USR, §9 | |
//! | `USR` other package | C | `CTP` outside MSNP2, or an unknown package | disconnect | §3.1 USR, §2 | |
//! | `USR` other package | S | `CTP` outside MSNP2, or an unknown package | – | §3.1 USR, §2 | |
//! | `USR … OK` | S | verified flag not `0` / `1` | – | §3.1 USR | |
//! | `USR` (SB) | C | handle not e-mail | `911`, disconnect | §14 (SB USR), §3.5 | yes |
//! | `XFR` | C | not `SB` (`NS` is pre-MSNP2 beta) | disconnect | §3.1 XFR, §14 | yes |
//! | `XFR … NS` | S | constant parameter (MSNP3+) not `0` | – | §3.1 XFR | |
//! | `CVQ` | C | locale not `0x` + 4 hex digits | `710` | §3.1 CVR / CVQ | yes (shape) |
//! | `OUT` | S | reason not `OTH` / `SSD` | – | §3.1 OUT | |
//! | `LST` | C | list not `FL` / `AL` / `BL` / `RL` | disconnect | §3.2 LST, §6 | yes |
//! | `LST` | S | list not `FL` / `AL` / `BL` / `RL`; entry index not in `1 ..= total` | – | §3.2 LST, §6 | |
//! | `GTC` | C | not `A` / `N` | disconnect | §3.2 GTC | |
//! | `GTC` | S | not `A` / `N` | – | §3.2 GTC | |
//! | `BLP` | C | not `AL` / `BL` | disconnect (current wiki; an older revision guessed `201`) | §3.2 BLP, §13.9 | yes |
//! | `BLP` | S | not `AL` / `BL` | – | §3.2 BLP | |
//! | `ADD` | C | list `RL` | disconnect | §3.2 ADD, §6 | |
//! | `ADD` | C | list not `FL` / `AL` / `BL` / `RL` | disconnect | §3.2 ADD, §6 | yes |
//! | `ADD` | C | handle not e-mail | `201` | §3.2 ADD, §14 | |
//! | `ADD` | C | friendly name over 387 bytes (disconnect): cannot reach validation, the decoder refuses it | – | §7, §12 | |
//! | `ADD` | S | list not `FL` / `AL` / `BL` / `RL`; `RL` with a TrID other than `0` | – | §3.2 ADD, §6 | |
//! | `REM` | C | list `RL` | disconnect | §3.2 REM, §6 | |
//! | `REM` | C | list not `FL` / `AL` / `BL` / `RL` | disconnect | §3.2 REM, §6 | yes |
//! | `REM` | C | handle not e-mail | `216` | §3.2 REM, §14 | yes |
//! | `REM` | S | list not `FL` / `AL` / `BL` / `RL`; `RL` with a TrID other than `0` | – | §3.2 REM, §6 | |
//! | `REA` | C | handle not e-mail | `216` | §3.2 REA, §14 | yes |
//! | `REA` | C | friendly name over 387 bytes (disconnect): cannot reach validation, the decoder refuses it | – | §7, §12 | |
//! | `PRP` | C | property name longer than 3 bytes | disconnect | §3.2 PRP | |
//! | `PRP` | C | unknown property | `715` | §3.2 PRP | |
//! | `PRP` | C | `MBE` (server-set) | `715` | §3.2 PRP | yes |
//! | `PRP` | C | value longer than 95 bytes | disconnect | §3.2 PRP, §12 | |
//! | `PRP` | C | `MOB` value not `Y` / `N` | `201` | §3.2 PRP | yes |
//! | `PRP` | S | unknown property; value over 95 bytes; `MOB` / `MBE` value not `Y` / `N` | – | §3.2 PRP, §12 | |
//! | `BPR` | S | property not `PHH` / `PHW` / `PHM` / `MOB`; value over 95 bytes; `MOB` value not `Y` / `N` | – | §3.2 BPR, §12 | |
//! | `CHG` | C | unknown status (`FLN` is valid: "semi-offline") | disconnect | §3.3 CHG, §5, §13.2 | yes (`FLN`) |
//! | `CHG` | S | unknown status | – | §3.3 CHG, §5 | |
//! | `ILN` | S | unknown status, or `HDN` / `FLN` | – | §3.3 ILN, §5 | |
//! | `NLN` | S | unknown status, or `HDN` / `FLN` | – | §3.3 NLN, §5, §14 | |
//! | `IMS` | C | not `ON` / `OFF` | disconnect | §3.3 IMS | |
//! | `IMS` | S | not `ON` / `OFF` | – | §3.3 IMS | |
//! | `URL` | C | unknown service, or one introduced after the dialect (MOBILE, CHGMOB: MSNP5; PROFILE, N2PACCOUNT, N2PFUND: MSNP6) | `201` | §3.4 URL | yes |
//! | `FND` | C | keys not exactly `fname=` `lname=` `city=` `state=` `country=` | `201` | §3.4 FND | |
//! | `FND` | S | keys as above; result index not in `1 ..= total` | – | §3.4 FND | |
//! | `SND` | C | address neither e-mail nor an FND result index | `503`, disconnect | §3.4 SND | |
//! | `SDC` | C | address not e-mail (`X X` is checked by the decoder) | `503`, disconnect | §3.4 SDC | |
//! | `PAG` | C | handle not e-mail | `201` | §3.4 PAG | yes |
//! | `QRY` | C | public key not in the table of §9 | `540`, disconnect | §3.4 QRY, §9 | yes |
//! | `QRY` | C | payload not 32 bytes, or not 32 lower-case hex digits | `540`, disconnect | §3.4 QRY, §12 | |
//! | `RNG` | S | session id not decimal | – | §3.4 RNG, §14 | |
//! | `MSG` | C | acknowledgement not `U` / `N` / `A` (`D` is MSNP9) | disconnect | §3.5 MSG | |
//! | `CAL` | C | handle not e-mail | `208` | §3.5 CAL, §14 | |
//! | `CAL … RINGING` | S | session id not decimal | – | §3.5 CAL, §14 | |
//! | `ANS` | C | handle not e-mail, or session id not decimal | disconnect | §3.5 ANS, §14 | |
//! | `IRO` | S | index not in `1 ..= total` | – | §3.5 IRO | |
//! | `BYE` | S | reason not `1` | – | §3.5 BYE | |
//! | `NNN` error | S | code not in the table of §4 ([`ErrorCode::is_documented`]) | – | §4 | |
//!
//! Enforced by the decoder, so never seen here (a server answers these decode errors by
//! disconnecting, reference §14): a TrID that is not a number `0 … 4294967295` (§1.2); a handle
//! over 129 bytes, a friendly name over 387 bytes (§7, §12); payloads over the [`Limits`] (SB
//! `MSG` 1664 bytes, `QRY` 32 bytes; §3.5, §12); the literal `X X` of `SDC` (§3.4); a client
//! `MSG` to the NS, and every verb sent by the wrong side (`BPR`, `NOT`, `IPG`, `RNG`, `ACK`,
//! `NAK`, `QNG`, error codes from a client; §1.4, §3).
//!
//! [`Limits`]: crate::Limits

use core::fmt;

use crate::auth::{KeyPair, is_digest_shape};
use crate::commands::challenge::Qry;
use crate::commands::lists::{Add, AddRequest, Bpr, Lst, Prp, PrpRequest, Rem, RemRequest};
use crate::commands::login::{UsrOther, Ver, XfrNotification};
use crate::commands::services::{FndFields, UrlRequest};
use crate::commands::switchboard::Ans;
use crate::commands::{Command, Context, ErrorReply};
use crate::types::{
    AuthPackage, Dialect, Direction, ErrorCode, Handle, List, Property, Status, Token, TokenList,
    TrId, TransferKind, UrlService, Value,
};

/// What a server does about an invalid client command (reference §1.3, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Answer {
    /// Reply `NNN TrID` and keep the connection.
    Error(ErrorCode),
    /// Close the connection without a reply.
    Disconnect,
    /// Reply `NNN TrID`, then close the connection.
    ErrorThenDisconnect(ErrorCode),
    /// Reply `VER TrID 0` (no acceptable dialect), then close the connection (reference §3.1 VER).
    RefuseVersion,
}

impl Answer {
    /// The error code sent, if any.
    pub fn error_code(self) -> Option<ErrorCode> {
        match self {
            Answer::Error(code) | Answer::ErrorThenDisconnect(code) => Some(code),
            Answer::Disconnect | Answer::RefuseVersion => None,
        }
    }

    /// Whether the server closes the connection (after the reply, if there is one).
    pub fn closes_connection(self) -> bool {
        !matches!(self, Answer::Error(_))
    }

    /// The line the server sends for a command with TrID `trid`: `NNN TrID` or `VER TrID 0`;
    /// `None` for a plain disconnect.
    ///
    /// ```
    /// use msnp6::types::TrId;
    /// use msnp6::validate::Answer;
    /// assert_eq!(Answer::RefuseVersion.reply(TrId(1)).unwrap().to_bytes(), b"VER 1 0\r\n");
    /// assert!(Answer::Disconnect.reply(TrId(1)).is_none());
    /// ```
    pub fn reply(self, trid: TrId) -> Option<Command<'static>> {
        match self {
            Answer::Error(code) | Answer::ErrorThenDisconnect(code) => {
                Some(Command::Error(ErrorReply { code, trid }))
            }
            Answer::RefuseVersion => Some(Command::Ver(Ver {
                trid,
                dialects: TokenList::from_checked(b"0"),
            })),
            Answer::Disconnect => None,
        }
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Error(code) => write!(f, "error {code}"),
            Answer::Disconnect => f.write_str("disconnect"),
            Answer::ErrorThenDisconnect(code) => write!(f, "error {code}, then disconnect"),
            Answer::RefuseVersion => f.write_str("VER TrID 0, then disconnect"),
        }
    }
}

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// The verb is not an MSNP6 command.
    UnknownCommand,
    /// The command or value was introduced by a later protocol version than the dialect in use.
    NotInDialect {
        /// The version that introduced it.
        introduced: Dialect,
        /// The dialect in use.
        dialect: Dialect,
    },
    /// The value exists only in another protocol version (`CTP` outside MSNP2).
    OnlyInDialect {
        /// The only version that has it.
        only: Dialect,
        /// The dialect in use.
        dialect: Dialect,
    },
    /// Not one of the documented values.
    Undocumented {
        /// The documented values.
        expected: &'static str,
    },
    /// The reverse list is changed only by the server, as `ADD 0 RL` / `REM 0 RL`.
    ReverseList,
    /// Not an e-mail address `local@domain.tld`.
    NotEmail,
    /// Neither an e-mail address nor an FND result index.
    NotEmailOrIndex,
    /// A property name longer than three bytes.
    PropertyNameTooLong {
        /// Its length.
        len: usize,
    },
    /// A property only the server sets (`MBE`).
    ServerSetProperty,
    /// A value longer than its documented limit.
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A payload of the wrong length.
    WrongLength {
        /// Its length in bytes.
        len: usize,
        /// The documented length.
        expected: usize,
    },
    /// Not 32 lower-case hexadecimal digits.
    NotHexDigest,
    /// None of the offered dialects is a known protocol version.
    NoKnownDialect,
    /// A challenge public key that is not in the table of reference §9.
    UnknownPublicKey,
    /// A search field without its documented key.
    WrongKey {
        /// The key expected in this position, e.g. `fname=`.
        expected: &'static str,
    },
    /// `HDN` or `FLN` where only an online status is sent.
    NotOnlineStatus,
    /// Not a decimal number.
    NotDecimal,
    /// An index outside `1 ..= total`.
    IndexOutOfRange {
        /// The index.
        index: u32,
        /// The total.
        total: u32,
    },
    /// An error code the reference does not list.
    UndocumentedErrorCode,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownCommand => f.write_str("not an MSNP6 command"),
            Problem::NotInDialect {
                introduced,
                dialect,
            } => {
                write!(f, "introduced in {introduced}, not available in {dialect}")
            }
            Problem::OnlyInDialect { only, dialect } => {
                write!(f, "exists only in {only}, not in {dialect}")
            }
            Problem::Undocumented { expected } => {
                write!(f, "not a documented value (expected {expected})")
            }
            Problem::ReverseList => {
                f.write_str("the reverse list is changed only by the server (ADD 0 RL / REM 0 RL)")
            }
            Problem::NotEmail => f.write_str("not an e-mail address local@domain.tld"),
            Problem::NotEmailOrIndex => {
                f.write_str("neither an e-mail address nor an FND result index")
            }
            Problem::PropertyNameTooLong { len } => {
                write!(f, "property name of {len} bytes, longer than 3")
            }
            Problem::ServerSetProperty => f.write_str("a property only the server sets"),
            Problem::TooLong { len, max } => {
                write!(f, "{len} bytes, longer than the limit of {max}")
            }
            Problem::WrongLength { len, expected } => {
                write!(f, "{len} bytes instead of {expected}")
            }
            Problem::NotHexDigest => f.write_str("not 32 lower-case hexadecimal digits"),
            Problem::NoKnownDialect => f.write_str("no offered dialect is MSNP2 ... MSNP7 or CVR0"),
            Problem::UnknownPublicKey => f.write_str("not a documented challenge public key"),
            Problem::WrongKey { expected } => write!(f, "does not start with {expected}"),
            Problem::NotOnlineStatus => f.write_str("HDN or FLN where only online states are sent"),
            Problem::NotDecimal => f.write_str("not a decimal number"),
            Problem::IndexOutOfRange { index, total } => {
                write!(f, "index {index} outside 1..={total}")
            }
            Problem::UndocumentedErrorCode => f.write_str("not a documented error code"),
        }
    }
}

/// A value that is not the documented one: which parameter, what is wrong, and — for a client
/// command — what the server does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct Invalid {
    /// The parameter, named as the field of the command struct (`"list"`, `"handle"`, …;
    /// `"verb"` for the command itself).
    pub field: &'static str,
    /// What is wrong.
    pub problem: Problem,
    /// For a client command, what the server does (reference §3, §14); `None` for a server line,
    /// whose value is merely undocumented.
    pub answer: Option<Answer>,
}

impl Command<'_> {
    /// Checks the values of a decoded (or built) command against the reference; see the
    /// [module documentation](crate::validate) for every rule.
    ///
    /// `ctx` gives the dialect (some values depend on it) and, for the forms both sides send
    /// (`VER`, `CHG`, unknown verbs), the direction. Client commands come back with
    /// [`Invalid::answer`] set, server lines without.
    pub fn validate(&self, ctx: Context) -> Result<(), Invalid> {
        let client = ctx.direction == Direction::ClientToServer;
        let dialect = ctx.dialect;
        if let Some(introduced) = introduced(self) {
            if dialect.version() < introduced.version() {
                let problem = Problem::NotInDialect {
                    introduced,
                    dialect,
                };
                return Err(if client && is_client_form(self) {
                    c("verb", problem, Answer::Disconnect)
                } else {
                    s("verb", problem)
                });
            }
        }
        match self {
            Command::Unknown(_) if client => {
                Err(c("verb", Problem::UnknownCommand, Answer::Disconnect))
            }
            Command::Unknown(_) => Err(s("verb", Problem::UnknownCommand)),
            Command::Error(e) => error_code(e),

            // Login and session (reference §3.1).
            Command::Ver(v) if client => ver_request(v),
            Command::Ver(v) => ver_reply(v),
            Command::Inf(v) => inf_packages(&v.packages, dialect),
            Command::UsrInitial(v) => usr_initial_handle(&v.handle),
            Command::UsrResponse(v) => usr_digest(v.digest.expose()),
            Command::UsrOther(v) => usr_package(v, dialect, client),
            Command::UsrOk(v) => match &v.verified {
                Some(Value::Unknown(_)) => {
                    Err(s("verified", Problem::Undocumented { expected: "0 or 1" }))
                }
                _ => Ok(()),
            },
            Command::UsrSwitchboard(v) => sb_usr_handle(&v.handle),
            Command::XfrRequest(v) => xfr_kind(v.kind.known()),
            Command::XfrNotification(v) => xfr_constant(v),
            Command::Cvq(v) => cvq_locale(&v.locale),
            Command::Out(v) => match &v.reason {
                Some(Value::Unknown(_)) => Err(s(
                    "reason",
                    Problem::Undocumented {
                        expected: "OTH or SSD",
                    },
                )),
                _ => Ok(()),
            },

            // Lists and properties (reference §3.2).
            Command::LstRequest(v) => lst_request_list(&v.list),
            Command::Lst(v) => lst_reply(v),
            Command::GtcRequest(v) => gtc_mode(v.mode.known().is_some(), true),
            Command::Gtc(v) => gtc_mode(v.mode.known().is_some(), false),
            Command::BlpRequest(v) => blp_privacy(v.privacy.known().is_some(), true),
            Command::Blp(v) => blp_privacy(v.privacy.known().is_some(), false),
            Command::AddRequest(v) => add_request(v),
            Command::Add(v) => add_reply(v),
            Command::RemRequest(v) => rem_request(v),
            Command::Rem(v) => rem_reply(v),
            Command::ReaRequest(v) => rea_handle(&v.handle),
            Command::PrpRequest(v) => prp_request(v),
            Command::Prp(v) => prp_reply(v),
            Command::Bpr(v) => bpr(v),

            // Presence (reference §3.3).
            Command::Chg(v) => chg_status(&v.status, client),
            Command::Iln(v) => online_status(&v.status),
            Command::Nln(v) => online_status(&v.status),
            Command::ImsRequest(v) => ims_state(v.state.known().is_some(), true),
            Command::Ims(v) => ims_state(v.state.known().is_some(), false),

            // Services (reference §3.4).
            Command::UrlRequest(v) => url_service(v, dialect),
            Command::FndRequest(v) => fnd_keys(&v.query, true),
            Command::Fnd(v) => match &v.result() {
                Some(r) => index_in_range(*v.index(), *v.total()).and_then(|()| fnd_keys(r, false)),
                None => Ok(()),
            },
            Command::SndRequest(v) => snd_address(v.address()),
            Command::Sdc(v) => sdc_address(&v.address),
            Command::Pag(v) => pag_handle(&v.handle),
            Command::Qry(v) => qry(v),
            Command::Rng(v) => session_id(&v.session),

            // Switchboard (reference §3.5).
            Command::MsgSend(v) => msg_ack(v.ack.known().is_some()),
            Command::Cal(v) => cal_handle(&v.handle),
            Command::CalRinging(v) => session_id(&v.session),
            Command::Ans(v) => ans(v),
            Command::Iro(v) => index_in_range(v.index, v.total),
            Command::Bye(v) => bye_reason(v.reason.as_ref()),

            // Forms whose grammar is their whole rule: every value that decodes is valid. Listed
            // one by one (no wildcard), so that a new variant needs a decision here.
            Command::InfRequest(_)
            | Command::UsrSalt(_)
            | Command::UsrSwitchboardOk(_)
            | Command::XfrSwitchboard(_)
            | Command::XfrReset(_)
            | Command::Cvr(_)
            | Command::CvrAdvice(_)
            | Command::CvqAdvice(_)
            | Command::Png(_)
            | Command::Qng(_) => Ok(()),
            Command::Syn(_)
            | Command::ReverseAdd(_)
            | Command::ReverseRemove(_)
            | Command::Rea(_)
            | Command::Fln(_) => Ok(()),
            Command::Url(_)
            | Command::SndOk(_)
            | Command::SdcOk(_)
            | Command::Not(_)
            | Command::Ipg(_)
            | Command::ChlRequest(_)
            | Command::Chl(_)
            | Command::QryOk(_) => Ok(()),
            Command::Msg(_)
            | Command::AnsOk(_)
            | Command::Joi(_)
            | Command::Ack(_)
            | Command::Nak(_) => Ok(()),
        }
    }
}

/// Chooses the dialect a server answers to a client `VER`: the highest offered MSNP dialect that
/// is also in `supported`, else `CVR0` if both offer it (the client-update sub-protocol,
/// reference §3.1 VER); `None` means refuse with `VER TrID 0` ([`Answer::RefuseVersion`]).
///
/// ```
/// use msnp6::{Decoder, Dialect, Direction, ServerKind};
/// use msnp6::commands::Command;
/// use msnp6::validate::negotiate;
/// let d = Decoder::new(Direction::ClientToServer, ServerKind::Dispatch);
/// let Command::Ver(ver) = d.decode(b"VER 1 MSNP6 MSNP5 MSNP4 CVR0\r\n").unwrap().command else { panic!() };
/// assert_eq!(negotiate(&ver, &[Dialect::Msnp5, Dialect::Msnp6, Dialect::Cvr0]), Some(Dialect::Msnp6));
/// assert_eq!(negotiate(&ver, &[Dialect::Msnp7, Dialect::Cvr0]), Some(Dialect::Cvr0));
/// assert_eq!(negotiate(&ver, &[Dialect::Msnp7]), None);
/// ```
pub fn negotiate(ver: &Ver<'_>, supported: &[Dialect]) -> Option<Dialect> {
    let offered = || ver.known_dialects().filter(|d| supported.contains(d));
    offered()
        .filter(|&d| d != Dialect::Cvr0)
        .max()
        .or_else(|| offered().find(|&d| d == Dialect::Cvr0))
}

/// A client rule's violation.
fn c(field: &'static str, problem: Problem, answer: Answer) -> Invalid {
    Invalid {
        field,
        problem,
        answer: Some(answer),
    }
}

/// A server line's violation.
fn s(field: &'static str, problem: Problem) -> Invalid {
    Invalid {
        field,
        problem,
        answer: None,
    }
}

/// A client or server violation of the same check.
fn either(client: bool, field: &'static str, problem: Problem, answer: Answer) -> Invalid {
    if client {
        c(field, problem, answer)
    } else {
        s(field, problem)
    }
}

/// The version that introduced a verb, for verbs newer than MSNP2 (reference §2): IMS in MSNP3;
/// BPR, NOT, PAG, PRP, SDC in MSNP5; CHL, IPG, QRY in MSNP6.
///
/// Decision for client commands (reference §14, "an unknown command … disconnect"): a verb the
/// negotiated dialect does not have is an unknown command there, answered by a disconnect.
fn introduced(command: &Command<'_>) -> Option<Dialect> {
    match command {
        Command::ImsRequest(_) | Command::Ims(_) => Some(Dialect::Msnp3),
        Command::PrpRequest(_)
        | Command::Prp(_)
        | Command::Bpr(_)
        | Command::Not(_)
        | Command::Pag(_)
        | Command::Sdc(_)
        | Command::SdcOk(_) => Some(Dialect::Msnp5),
        Command::ChlRequest(_)
        | Command::Chl(_)
        | Command::Qry(_)
        | Command::QryOk(_)
        | Command::Ipg(_) => Some(Dialect::Msnp6),
        // Every other form is in MSNP2 (listed, so that a new variant needs a decision here).
        Command::Ver(_)
        | Command::InfRequest(_)
        | Command::Inf(_)
        | Command::UsrInitial(_)
        | Command::UsrSalt(_)
        | Command::UsrResponse(_)
        | Command::UsrOther(_)
        | Command::UsrOk(_)
        | Command::UsrSwitchboard(_)
        | Command::UsrSwitchboardOk(_)
        | Command::XfrRequest(_)
        | Command::XfrSwitchboard(_)
        | Command::XfrNotification(_)
        | Command::XfrReset(_)
        | Command::Cvr(_)
        | Command::Cvq(_)
        | Command::CvrAdvice(_)
        | Command::CvqAdvice(_)
        | Command::Out(_)
        | Command::Png(_)
        | Command::Qng(_)
        | Command::Syn(_)
        | Command::LstRequest(_)
        | Command::Lst(_)
        | Command::GtcRequest(_)
        | Command::Gtc(_)
        | Command::BlpRequest(_)
        | Command::Blp(_)
        | Command::AddRequest(_)
        | Command::Add(_)
        | Command::ReverseAdd(_)
        | Command::RemRequest(_)
        | Command::Rem(_)
        | Command::ReverseRemove(_)
        | Command::ReaRequest(_)
        | Command::Rea(_)
        | Command::Chg(_)
        | Command::Iln(_)
        | Command::Nln(_)
        | Command::Fln(_)
        | Command::UrlRequest(_)
        | Command::Url(_)
        | Command::FndRequest(_)
        | Command::Fnd(_)
        | Command::SndRequest(_)
        | Command::SndOk(_)
        | Command::MsgSend(_)
        | Command::Msg(_)
        | Command::Rng(_)
        | Command::Cal(_)
        | Command::CalRinging(_)
        | Command::Ans(_)
        | Command::AnsOk(_)
        | Command::Iro(_)
        | Command::Joi(_)
        | Command::Ack(_)
        | Command::Nak(_)
        | Command::Bye(_)
        | Command::Error(_)
        | Command::Unknown(_) => None,
    }
}

/// Whether a form of [`introduced`] is the client's.
fn is_client_form(command: &Command<'_>) -> bool {
    matches!(
        command,
        Command::ImsRequest(_)
            | Command::PrpRequest(_)
            | Command::Pag(_)
            | Command::Sdc(_)
            | Command::ChlRequest(_)
            | Command::Qry(_)
    )
}

/// Error replies use the codes of reference §4 ([`ErrorCode::is_documented`]).
fn error_code(e: &ErrorReply) -> Result<(), Invalid> {
    if e.code.is_documented() {
        Ok(())
    } else {
        Err(s("code", Problem::UndocumentedErrorCode))
    }
}

/// Client `VER`: when no offered dialect is a known one (`MSNP2` … `MSNP7`, `CVR0`), the server
/// answers `VER TrID 0` and disconnects (reference §3.1 VER: `VER 1 DISREGARDANCE FOR A REAL
/// PROTOCOL` → `VER 1 0`). Which known dialect a particular server accepts is [`negotiate`]'s
/// business.
fn ver_request(v: &Ver<'_>) -> Result<(), Invalid> {
    if v.known_dialects().next().is_some() {
        Ok(())
    } else {
        Err(c(
            "dialects",
            Problem::NoKnownDialect,
            Answer::RefuseVersion,
        ))
    }
}

/// Server `VER`: the single chosen dialect or the refusal `0` (reference §3.1 VER); an echo of
/// the whole client list is the documented alternative of §13.1 and passes as long as every item
/// is a known dialect.
fn ver_reply(v: &Ver<'_>) -> Result<(), Invalid> {
    if v.is_refusal() || v.dialects.iter().all(|d| Dialect::from_bytes(d).is_some()) {
        Ok(())
    } else {
        Err(s(
            "dialects",
            Problem::Undocumented {
                expected: "0, or MSNP2 ... MSNP7 / CVR0",
            },
        ))
    }
}

/// Whether an authentication package exists in `dialect`: `MD5` in MSNP2–MSNP7, `CTP` only in
/// MSNP2 (reference §2, §3.1 INF / USR).
fn package_in_dialect(
    package: Option<AuthPackage>,
    dialect: Dialect,
    field: &'static str,
    client: bool,
) -> Result<(), Invalid> {
    match package {
        Some(AuthPackage::Md5) => Ok(()),
        Some(AuthPackage::Ctp) if dialect == Dialect::Msnp2 => Ok(()),
        Some(AuthPackage::Ctp) => Err(either(
            client,
            field,
            Problem::OnlyInDialect {
                only: Dialect::Msnp2,
                dialect,
            },
            Answer::Disconnect,
        )),
        _ => Err(either(
            client,
            field,
            Problem::Undocumented {
                expected: "MD5 (CTP in MSNP2)",
            },
            Answer::Disconnect,
        )),
    }
}

/// Server `INF`: the packages are `MD5` (MSNP3–MSNP7), and `CTP` only in MSNP2
/// (reference §3.1 INF, §2).
fn inf_packages(packages: &TokenList<'_>, dialect: Dialect) -> Result<(), Invalid> {
    for p in packages.iter() {
        let known = match p {
            b"MD5" => Some(AuthPackage::Md5),
            b"CTP" => Some(AuthPackage::Ctp),
            _ => None,
        };
        package_in_dialect(known, dialect, "packages", false)?;
    }
    Ok(())
}

/// A handle that must be an e-mail address (reference §14, "Handle syntax"), and what the server
/// answers when it is not.
fn email_handle(handle: &Handle<'_>, answer: Answer) -> Result<(), Invalid> {
    if handle.is_email() {
        Ok(())
    } else {
        Err(c("handle", Problem::NotEmail, answer))
    }
}

/// Client `USR TrID MD5 I handle` with a handle that is not an e-mail address: `911` and
/// disconnect. Decision: no source gives this case; a handle that is not `local@domain.tld`
/// names no account (reference §14, "Handle syntax"), so the credentials are bad, and bad
/// credentials are `911` followed by a disconnect (reference §3.1 USR).
fn usr_initial_handle(handle: &Handle<'_>) -> Result<(), Invalid> {
    email_handle(
        handle,
        Answer::ErrorThenDisconnect(ErrorCode::AUTHENTICATION_FAILED),
    )
}

/// Client `USR TrID MD5 S digest`: the digest is 32 lower-case hex digits (reference §3.1 USR
/// step 3, §9); anything else cannot match, so it is "bad credentials": `911`, then disconnect
/// (reference §3.1 USR, errors).
fn usr_digest(digest: &Token<'_>) -> Result<(), Invalid> {
    if is_digest_shape(digest.as_bytes()) {
        Ok(())
    } else {
        Err(c(
            "digest",
            Problem::NotHexDigest,
            Answer::ErrorThenDisconnect(ErrorCode::AUTHENTICATION_FAILED),
        ))
    }
}

/// `USR` with a package other than `MD5`: `CTP` is valid only in MSNP2, an unknown package is
/// answered by a disconnect (reference §3.1 USR, §2: MSNP3 removed CTP).
fn usr_package(v: &UsrOther<'_>, dialect: Dialect, client: bool) -> Result<(), Invalid> {
    package_in_dialect(v.package().known(), dialect, "package", client)
}

/// Switchboard `USR TrID handle cookie` with a handle that is not an e-mail address: `911` and
/// disconnect. Decision: reference §14 answers a bad cookie with `911` and a close; a malformed
/// handle cannot match any cookie.
fn sb_usr_handle(handle: &Handle<'_>) -> Result<(), Invalid> {
    email_handle(
        handle,
        Answer::ErrorThenDisconnect(ErrorCode::AUTHENTICATION_FAILED),
    )
}

/// Client `XFR TrID kind`: only `SB` is valid (`XFR TrID NS` existed only in the pre-MSNP2 beta,
/// reference §3.1 XFR). Decision: anything else is answered by a disconnect, as an unknown
/// command is (reference §14).
fn xfr_kind(kind: Option<TransferKind>) -> Result<(), Invalid> {
    match kind {
        Some(TransferKind::Switchboard) => Ok(()),
        _ => Err(c(
            "kind",
            Problem::Undocumented { expected: "SB" },
            Answer::Disconnect,
        )),
    }
}

/// Server `XFR TrID NS address 0`: from MSNP3 on the trailing parameter is the constant `0`
/// (reference §3.1 XFR).
fn xfr_constant(v: &XfrNotification<'_>) -> Result<(), Invalid> {
    match &v.constant() {
        Some(t) if t.as_bytes() != b"0" => {
            Err(s("constant", Problem::Undocumented { expected: "0" }))
        }
        _ => Ok(()),
    }
}

/// Client `CVQ`: a bad locale id is answered `710` (reference §3.1 CVR / CVQ, errors).
/// Decision on the shape: the documented locale ids are `0x` and four hex digits (`0x0409`).
fn cvq_locale(locale: &Token<'_>) -> Result<(), Invalid> {
    let b = locale.as_bytes();
    let ok = b.len() == 6 && b.starts_with(b"0x") && b[2..].iter().all(u8::is_ascii_hexdigit);
    if ok {
        Ok(())
    } else {
        Err(c(
            "locale",
            Problem::Undocumented {
                expected: "0x and four hex digits",
            },
            Answer::Error(ErrorCode::INVALID_LOCALE),
        ))
    }
}

const LISTS: &str = "FL, AL, BL or RL";
const CLIENT_LISTS: &str = "FL, AL or BL";

/// Client `LST TrID list`: the lists are `FL`, `AL`, `BL`, `RL` (reference §3.2 LST, §6).
/// Decision: another list is answered by a disconnect, like the other enumerated parameters of
/// the list commands (ADD, REM, GTC, BLP).
fn lst_request_list(list: &Value<'_, List>) -> Result<(), Invalid> {
    match list {
        Value::Known(_) => Ok(()),
        Value::Unknown(_) => Err(c(
            "list",
            Problem::Undocumented { expected: LISTS },
            Answer::Disconnect,
        )),
    }
}

/// Server `LST`: a documented list (reference §6), and an entry's index counts `1 … total`
/// (reference §3.2 LST; the empty list is `0 0` without an entry).
fn lst_reply(v: &Lst<'_>) -> Result<(), Invalid> {
    if v.list().known().is_none() {
        return Err(s("list", Problem::Undocumented { expected: LISTS }));
    }
    if v.entry().is_some() {
        index_in_range(*v.index(), *v.total())
    } else {
        Ok(())
    }
}

/// `GTC`: `A` or `N`; other letters from a client → disconnect (reference §3.2 GTC).
fn gtc_mode(known: bool, client: bool) -> Result<(), Invalid> {
    if known {
        Ok(())
    } else {
        Err(either(
            client,
            "mode",
            Problem::Undocumented { expected: "A or N" },
            Answer::Disconnect,
        ))
    }
}

/// `BLP`: `AL` or `BL`. Decision (reference §13.9): an invalid value from a client is answered by
/// a disconnect, as the current msnp-wiki says; an older revision guessed `201`.
fn blp_privacy(known: bool, client: bool) -> Result<(), Invalid> {
    if known {
        Ok(())
    } else {
        Err(either(
            client,
            "privacy",
            Problem::Undocumented {
                expected: "AL or BL",
            },
            Answer::Disconnect,
        ))
    }
}

/// The list of a client `ADD` / `REM`: `RL` → disconnect (reference §3.2 ADD / REM, §6: the
/// server maintains RL). Decision: a list that is none of `FL` `AL` `BL` `RL` (e.g. the MSNP10
/// `PL`) is answered the same way — the client tried to change a list it may not change.
fn client_list(list: &Value<'_, List>) -> Result<(), Invalid> {
    match list {
        Value::Known(List::Reverse) => Err(c("list", Problem::ReverseList, Answer::Disconnect)),
        Value::Known(_) => Ok(()),
        Value::Unknown(_) => Err(c(
            "list",
            Problem::Undocumented {
                expected: CLIENT_LISTS,
            },
            Answer::Disconnect,
        )),
    }
}

/// Client `ADD TrID list handle name`: the list as in [`client_list`]; a handle that is not an
/// e-mail address → `201` (reference §3.2 ADD, §14: `ADD 20 FL a@b a@b` → 201). A name over 387
/// bytes (disconnect, §7) is refused by the decoder.
fn add_request(v: &AddRequest<'_>) -> Result<(), Invalid> {
    client_list(&v.list)?;
    email_handle(&v.handle, Answer::Error(ErrorCode::INVALID_PARAMETER))
}

/// Server confirmation of a list change: a documented list, and never `RL` with the TrID of a
/// client command — the server refuses a client's RL change (reference §3.2 ADD / REM); RL
/// changes arrive as `ADD 0 RL` / `REM 0 RL`.
fn reply_list(list: &Value<'_, List>, trid: TrId) -> Result<(), Invalid> {
    match list {
        Value::Unknown(_) => Err(s("list", Problem::Undocumented { expected: LISTS })),
        Value::Known(List::Reverse) if trid != TrId::ASYNC => Err(s("list", Problem::ReverseList)),
        Value::Known(_) => Ok(()),
    }
}

/// Server `ADD TrID list version handle name` (reference §3.2 ADD): see [`reply_list`].
fn add_reply(v: &Add<'_>) -> Result<(), Invalid> {
    reply_list(v.list(), *v.trid())
}

/// Client `REM TrID list handle`: the list as in [`client_list`]. Decision: a handle that is not
/// an e-mail address → `216` (not on list, reference §3.2 REM): ADD refuses such handles, so no
/// list holds one.
fn rem_request(v: &RemRequest<'_>) -> Result<(), Invalid> {
    client_list(&v.list)?;
    email_handle(&v.handle, Answer::Error(ErrorCode::NOT_ON_LIST))
}

/// Server `REM TrID list version handle` (reference §3.2 REM): see [`reply_list`].
fn rem_reply(v: &Rem<'_>) -> Result<(), Invalid> {
    reply_list(v.list(), *v.trid())
}

/// Client `REA TrID handle name`. Decision: a handle that is not an e-mail address → `216`
/// (handle on none of your lists, reference §3.2 REA): no list holds one, and it is not the
/// user's own handle either. A name over 387 bytes (disconnect, §7) is refused by the decoder.
fn rea_handle(handle: &Handle<'_>) -> Result<(), Invalid> {
    email_handle(handle, Answer::Error(ErrorCode::NOT_ON_LIST))
}

/// The longest PRP / BPR value: 95 bytes, URL-encoded (reference §3.2 PRP, §12).
const MAX_PROPERTY_VALUE: usize = 95;

/// A property value: at most 95 bytes; `MOB` and `MBE` take `Y` or `N` (reference §3.2 PRP).
fn property_value(
    property: Option<Property>,
    value: Option<&Token<'_>>,
    client: bool,
) -> Result<(), Invalid> {
    let Some(value) = value else { return Ok(()) };
    let len = value.as_bytes().len();
    if len > MAX_PROPERTY_VALUE {
        return Err(either(
            client,
            "value",
            Problem::TooLong {
                len,
                max: MAX_PROPERTY_VALUE,
            },
            Answer::Disconnect,
        ));
    }
    let yes_no = matches!(
        property,
        Some(Property::MobileContact | Property::MobileEnabled)
    );
    if yes_no && !matches!(value.as_bytes(), b"Y" | b"N") {
        return Err(either(
            client,
            "value",
            Problem::Undocumented { expected: "Y or N" },
            Answer::Error(ErrorCode::INVALID_PARAMETER),
        ));
    }
    Ok(())
}

/// Client `PRP TrID property value` (reference §3.2 PRP): a property name longer than 3 bytes →
/// disconnect; an unknown property → `715`; `MBE` → `715` (decision: it is server-set, so a
/// client setting it is "command not expected", the code PRP uses); a value over 95 bytes →
/// disconnect; a `MOB` value other than `Y` / `N` → `201` (decision: the documented values are
/// `Y` / `N`, no source gives the answer; 201 is "invalid parameter").
fn prp_request(v: &PrpRequest<'_>) -> Result<(), Invalid> {
    match &v.property {
        Value::Unknown(t) if t.as_bytes().len() > 3 => {
            return Err(c(
                "property",
                Problem::PropertyNameTooLong {
                    len: t.as_bytes().len(),
                },
                Answer::Disconnect,
            ));
        }
        Value::Unknown(_) => {
            return Err(c(
                "property",
                Problem::Undocumented {
                    expected: "PHH, PHW, PHM or MOB",
                },
                Answer::Error(ErrorCode::NOT_EXPECTED),
            ));
        }
        Value::Known(Property::MobileEnabled) => {
            return Err(c(
                "property",
                Problem::ServerSetProperty,
                Answer::Error(ErrorCode::NOT_EXPECTED),
            ));
        }
        Value::Known(_) => {}
    }
    property_value(v.property.known(), v.value.as_ref(), true)
}

/// Server `PRP TrID version property value` (reference §3.2 PRP, SYN): a documented property
/// (`MBE` included, the server sets it) and its value as in [`property_value`].
fn prp_reply(v: &Prp<'_>) -> Result<(), Invalid> {
    if v.property.known().is_none() {
        return Err(s(
            "property",
            Problem::Undocumented {
                expected: "PHH, PHW, PHM, MOB or MBE",
            },
        ));
    }
    property_value(v.property.known(), v.value.as_ref(), false)
}

/// Server `BPR version handle property value`: the properties are `PHH`, `PHW`, `PHM`, `MOB`
/// (reference §3.2 BPR, §14), the value as in [`property_value`].
fn bpr(v: &Bpr<'_>) -> Result<(), Invalid> {
    match v.property.known() {
        Some(Property::MobileEnabled) | None => Err(s(
            "property",
            Problem::Undocumented {
                expected: "PHH, PHW, PHM or MOB",
            },
        )),
        known => property_value(known, v.value.as_ref(), false),
    }
}

const STATUSES: &str = "NLN, BSY, IDL, BRB, AWY, PHN, LUN, HDN or FLN";

/// `CHG TrID status`: one of the nine statuses of reference §5; an unknown status from a client
/// → disconnect (reference §3.3 CHG). Decision (reference §13.2): `FLN` is valid, the
/// "semi-offline" state of msnp-wiki, not hypothetic's `201`.
fn chg_status(status: &Value<'_, Status>, client: bool) -> Result<(), Invalid> {
    match status {
        Value::Known(_) => Ok(()),
        Value::Unknown(_) => Err(either(
            client,
            "status",
            Problem::Undocumented { expected: STATUSES },
            Answer::Disconnect,
        )),
    }
}

/// Server `ILN` / `NLN`: a documented status, and never `HDN` or `FLN` (reference §3.3 ILN:
/// "status never HDN/FLN"; §5: FLN is "never sent there"; §14: a user going HDN is announced
/// with FLN, not NLN).
fn online_status(status: &Value<'_, Status>) -> Result<(), Invalid> {
    match status {
        Value::Known(st) if st.is_visible_online() => Ok(()),
        Value::Known(_) => Err(s("status", Problem::NotOnlineStatus)),
        Value::Unknown(_) => Err(s(
            "status",
            Problem::Undocumented {
                expected: "NLN, BSY, IDL, BRB, AWY, PHN or LUN",
            },
        )),
    }
}

/// `IMS`: `ON` or `OFF`; anything else from a client → disconnect (reference §3.3 IMS).
fn ims_state(known: bool, client: bool) -> Result<(), Invalid> {
    if known {
        Ok(())
    } else {
        Err(either(
            client,
            "state",
            Problem::Undocumented {
                expected: "ON or OFF",
            },
            Answer::Disconnect,
        ))
    }
}

/// The version that introduced a URL service (reference §3.4 URL).
fn service_introduced(service: UrlService) -> Dialect {
    match service {
        UrlService::Mobile | UrlService::ChangeMobile => Dialect::Msnp5,
        UrlService::Profile | UrlService::N2pAccount | UrlService::N2pFund => Dialect::Msnp6,
        _ => Dialect::Msnp2,
    }
}

/// Client `URL TrID service`: the services of reference §3.4 URL. Decision: an unknown service
/// (e.g. the MSNP7 `CHAT`), or one introduced after the negotiated dialect, is answered `201`
/// (invalid parameter) — no source gives the answer, and the connection stays usable.
fn url_service(v: &UrlRequest<'_>, dialect: Dialect) -> Result<(), Invalid> {
    let bad = |problem| {
        Err(c(
            "service",
            problem,
            Answer::Error(ErrorCode::INVALID_PARAMETER),
        ))
    };
    match v.service.known() {
        None => bad(Problem::Undocumented {
            expected: "INBOX, COMPOSE, MESSAGE, FOLDERS, PERSON, MOBILE, CHGMOB, PROFILE, N2PACCOUNT, N2PFUND or PASSWORD",
        }),
        Some(service) => {
            let introduced = service_introduced(service);
            if dialect.version() < introduced.version() {
                bad(Problem::NotInDialect {
                    introduced,
                    dialect,
                })
            } else {
                Ok(())
            }
        }
    }
}

/// `FND`: the five fields carry exactly the keys `fname=`, `lname=`, `city=`, `state=`,
/// `country=`, in that order; bad parameters from a client → `201` (reference §3.4 FND).
fn fnd_keys(fields: &FndFields<'_>, client: bool) -> Result<(), Invalid> {
    const KEYS: [(&str, &str); 5] = [
        ("fname", "fname="),
        ("lname", "lname="),
        ("city", "city="),
        ("state", "state="),
        ("country", "country="),
    ];
    for ((field, value), (_, key)) in fields.iter().into_iter().zip(KEYS) {
        if !value.as_bytes().starts_with(key.as_bytes()) {
            return Err(either(
                client,
                field,
                Problem::WrongKey { expected: key },
                Answer::Error(ErrorCode::INVALID_PARAMETER),
            ));
        }
    }
    Ok(())
}

/// An index that counts `1 … total` (reference §3.2 LST, §3.4 FND, §3.5 IRO).
fn index_in_range(index: u32, total: u32) -> Result<(), Invalid> {
    if (1..=total).contains(&index) {
        Ok(())
    } else {
        Err(s("index", Problem::IndexOutOfRange { index, total }))
    }
}

/// Client `SND TrID address …`: the address is an e-mail address or an FND result index
/// (reference §3.4 SND); invalid → `503`, then disconnect.
fn snd_address(address: &Token<'_>) -> Result<(), Invalid> {
    let b = address.as_bytes();
    let email = Handle::new(b).is_ok_and(|h| h.is_email());
    if email || is_decimal(b) {
        Ok(())
    } else {
        Err(c(
            "address",
            Problem::NotEmailOrIndex,
            Answer::ErrorThenDisconnect(ErrorCode::UNSPECIFIED_FAILURE),
        ))
    }
}

/// Client `SDC TrID address …`: the address is an e-mail address; invalid → `503`, then
/// disconnect (reference §3.4 SDC). The literal `X X` is checked by the decoder.
fn sdc_address(address: &Token<'_>) -> Result<(), Invalid> {
    if Handle::new(address.as_bytes()).is_ok_and(|h| h.is_email()) {
        Ok(())
    } else {
        Err(c(
            "address",
            Problem::NotEmail,
            Answer::ErrorThenDisconnect(ErrorCode::UNSPECIFIED_FAILURE),
        ))
    }
}

/// Client `PAG TrID handle length`. Decision: a handle that is not an e-mail address → `201`
/// (invalid parameter), as for ADD (reference §3.4 PAG gives no answer for it; §14 handle syntax).
fn pag_handle(handle: &Handle<'_>) -> Result<(), Invalid> {
    email_handle(handle, Answer::Error(ErrorCode::INVALID_PARAMETER))
}

/// The QRY response length (reference §3.4 QRY, §12).
const QRY_LEN: usize = 32;

/// Client `QRY TrID public-key 32` + response (reference §3.4 QRY, §9). A public key outside the
/// table of §9 → `540`, then disconnect (decision: the server cannot check the answer, so it is a
/// wrong response like any other, §3.4 "wrong response → 540 and disconnect"). A payload that is
/// not 32 bytes, or not 32 lower-case hex digits, is a wrong response: `540`, then disconnect.
/// Whether the response answers the current challenge is for the server to check.
fn qry(v: &Qry<'_>) -> Result<(), Invalid> {
    if KeyPair::by_public_key(v.public_key.as_bytes()).is_none() {
        return Err(c(
            "public_key",
            Problem::UnknownPublicKey,
            Answer::ErrorThenDisconnect(ErrorCode::CHALLENGE_FAILED),
        ));
    }
    let wrong = Answer::ErrorThenDisconnect(ErrorCode::CHALLENGE_FAILED);
    let len = v.payload.len();
    if len != QRY_LEN {
        return Err(c(
            "payload",
            Problem::WrongLength {
                len,
                expected: QRY_LEN,
            },
            wrong,
        ));
    }
    if !is_digest_shape(v.payload.as_bytes()) {
        return Err(c("payload", Problem::NotHexDigest, wrong));
    }
    Ok(())
}

/// One or more ASCII digits.
fn is_decimal(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// A switchboard session id is a decimal number (reference §14, "SB session id"), in `RNG`
/// (§3.4) and `CAL … RINGING` (§3.5).
fn session_id(session: &Token<'_>) -> Result<(), Invalid> {
    if is_decimal(session.as_bytes()) {
        Ok(())
    } else {
        Err(s("session", Problem::NotDecimal))
    }
}

/// Client `MSG TrID ack length`: `U`, `N` or `A`; anything else (including the MSNP9 `D`) → the
/// switchboard closes the connection without delivering (reference §3.5 MSG).
fn msg_ack(known: bool) -> Result<(), Invalid> {
    if known {
        Ok(())
    } else {
        Err(c(
            "ack",
            Problem::Undocumented {
                expected: "U, N or A",
            },
            Answer::Disconnect,
        ))
    }
}

/// Client `CAL TrID handle`: a handle that is not an e-mail address → `208` (reference §3.5 CAL,
/// §14).
fn cal_handle(handle: &Handle<'_>) -> Result<(), Invalid> {
    email_handle(handle, Answer::Error(ErrorCode::INVALID_USERNAME))
}

/// Client `ANS TrID handle cookie session`: invalid data → disconnect (reference §3.5 ANS, §14);
/// the handle is an e-mail address and the session id a decimal number (reference §14).
fn ans(v: &Ans<'_>) -> Result<(), Invalid> {
    if !v.handle.is_email() {
        return Err(c("handle", Problem::NotEmail, Answer::Disconnect));
    }
    if !is_decimal(v.session.as_bytes()) {
        return Err(c("session", Problem::NotDecimal, Answer::Disconnect));
    }
    Ok(())
}

/// Server `BYE handle [1]`: the only reason is `1`, a server-side idle timeout (reference §3.5 BYE).
fn bye_reason(reason: Option<&Token<'_>>) -> Result<(), Invalid> {
    match reason {
        Some(r) if r.as_bytes() != b"1" => {
            Err(s("reason", Problem::Undocumented { expected: "1" }))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Decoder;
    use crate::types::ServerKind;

    use Direction::{ClientToServer as C, ServerToClient as S};
    use ServerKind::{Dispatch as DS, Notification as NS, Switchboard as SB};

    /// Decodes one whole frame (line, CR LF, payload) with the strict decoder and validates it.
    fn run(
        dir: Direction,
        server: ServerKind,
        dialect: Dialect,
        line: &str,
        payload: &[u8],
    ) -> Result<(), Invalid> {
        let decoder = Decoder::new(dir, server).with_dialect(dialect);
        let mut frame = line.as_bytes().to_vec();
        frame.extend_from_slice(b"\r\n");
        frame.extend_from_slice(payload);
        let decoded = decoder
            .decode(&frame)
            .unwrap_or_else(|e| panic!("{line:?} does not decode: {e}"));
        assert_eq!(decoded.len, frame.len(), "{line:?}");
        decoded.command.validate(decoder.context)
    }

    /// A client line on the NS in MSNP6.
    fn c(line: &str) -> Result<(), Invalid> {
        run(C, NS, Dialect::Msnp6, line, b"")
    }
    /// A server line on the NS in MSNP6.
    fn s(line: &str) -> Result<(), Invalid> {
        run(S, NS, Dialect::Msnp6, line, b"")
    }
    fn c_sb(line: &str, payload: &[u8]) -> Result<(), Invalid> {
        run(C, SB, Dialect::Msnp6, line, payload)
    }
    fn s_sb(line: &str) -> Result<(), Invalid> {
        run(S, SB, Dialect::Msnp6, line, b"")
    }

    #[track_caller]
    fn ok(r: Result<(), Invalid>) {
        if let Err(e) = r {
            panic!("expected valid, got {e} ({:?})", e.answer);
        }
    }

    /// A client violation of `field` answered with `answer`.
    #[track_caller]
    fn answered(r: Result<(), Invalid>, field: &str, answer: Answer) {
        let e = r.expect_err("expected invalid");
        assert_eq!((e.field, e.answer), (field, Some(answer)), "{e}");
    }

    /// A server line with an undocumented `field`.
    #[track_caller]
    fn undocumented(r: Result<(), Invalid>, field: &str) {
        let e = r.expect_err("expected invalid");
        assert_eq!((e.field, e.answer), (field, None), "{e}");
    }

    fn err(code: u16) -> Answer {
        Answer::Error(ErrorCode::new(code).expect("in range"))
    }
    fn err_dc(code: u16) -> Answer {
        Answer::ErrorThenDisconnect(ErrorCode::new(code).expect("in range"))
    }
    const DC: Answer = Answer::Disconnect;

    const DIGEST: &str = "3b6666b60157322b6fc6e41a115968f5";

    #[test]
    fn unknown_verbs() {
        answered(c("LSG 1"), "verb", DC);
        undocumented(s("LSG 1 0 0"), "verb");
    }

    #[test]
    fn verbs_newer_than_the_dialect() {
        let in_dialect = |d, dir, line: &str, payload: &[u8]| run(dir, NS, d, line, payload);
        ok(in_dialect(Dialect::Msnp6, C, "CHL 1", b""));
        answered(in_dialect(Dialect::Msnp5, C, "CHL 1", b""), "verb", DC);
        answered(
            in_dialect(
                Dialect::Msnp5,
                C,
                "QRY 10 msmsgs@msnmsgr.com 32",
                DIGEST.as_bytes(),
            ),
            "verb",
            DC,
        );
        ok(in_dialect(Dialect::Msnp5, C, "PRP 1 PHH 1", b""));
        answered(
            in_dialect(Dialect::Msnp4, C, "PRP 1 PHH 1", b""),
            "verb",
            DC,
        );
        answered(
            in_dialect(Dialect::Msnp4, C, "PAG 1 a@b.com 0", b""),
            "verb",
            DC,
        );
        answered(
            in_dialect(
                Dialect::Msnp4,
                C,
                "SDC 2 a@b.com 0x0409 MSMSGS MSMSGS X X n 0",
                b"",
            ),
            "verb",
            DC,
        );
        ok(in_dialect(Dialect::Msnp3, C, "IMS 2 OFF", b""));
        answered(in_dialect(Dialect::Msnp2, C, "IMS 2 OFF", b""), "verb", DC);
        answered(in_dialect(Dialect::Cvr0, C, "IMS 2 OFF", b""), "verb", DC);
        undocumented(in_dialect(Dialect::Msnp5, S, "IPG 0", b""), "verb");
        undocumented(
            in_dialect(Dialect::Msnp5, S, "CHL 0 11111111111111111111", b""),
            "verb",
        );
        undocumented(
            in_dialect(Dialect::Msnp4, S, "BPR 1 a@b.com PHH", b""),
            "verb",
        );
        undocumented(in_dialect(Dialect::Msnp4, S, "NOT 0", b""), "verb");
        undocumented(in_dialect(Dialect::Msnp2, S, "IMS 2 0 OFF", b""), "verb");
        ok(in_dialect(Dialect::Msnp7, S, "IPG 0", b""));
    }

    #[test]
    fn ver() {
        let ds = |line: &str| run(C, DS, Dialect::Msnp6, line, b"");
        ok(ds("VER 1 MSNP6 MSNP5 MSNP4 CVR0"));
        ok(ds("VER 1 CVR0"));
        ok(ds("VER 1 MSNP9 MSNP2"));
        answered(
            ds("VER 1 DISREGARDANCE FOR A REAL PROTOCOL"),
            "dialects",
            Answer::RefuseVersion,
        );
        answered(ds("VER 1 MSNP8 MSNP9"), "dialects", Answer::RefuseVersion);
        let sv = |line: &str| run(S, DS, Dialect::Msnp6, line, b"");
        ok(sv("VER 1 MSNP6"));
        ok(sv("VER 1 0"));
        ok(sv("VER 1 MSNP7 MSNP6 MSNP5 MSNP4 CVR0"));
        undocumented(sv("VER 1 MSNP8"), "dialects");
        undocumented(sv("VER 1 0 MSNP6"), "dialects");
    }

    #[test]
    fn negotiation() {
        let d = Decoder::new(C, DS);
        let ver = |line: &'static [u8]| match d.decode(line).expect("decodes").command {
            Command::Ver(v) => v,
            other => panic!("{other:?}"),
        };
        let v = ver(b"VER 1 MSNP4 MSNP6 MSNP5\r\n");
        assert_eq!(negotiate(&v, &Dialect::ALL), Some(Dialect::Msnp6));
        assert_eq!(negotiate(&v, &[Dialect::Msnp5]), Some(Dialect::Msnp5));
        assert_eq!(negotiate(&v, &[Dialect::Cvr0]), None);
        assert_eq!(
            negotiate(
                &ver(b"VER 1 MSNP2 CVR0\r\n"),
                &[Dialect::Msnp6, Dialect::Cvr0]
            ),
            Some(Dialect::Cvr0)
        );
        assert_eq!(negotiate(&ver(b"VER 1 FOO\r\n"), &Dialect::ALL), None);
    }

    #[test]
    fn inf() {
        ok(s("INF 2 MD5"));
        undocumented(s("INF 2 CTP"), "packages");
        undocumented(s("INF 2 MD5 TWN"), "packages");
        ok(run(S, NS, Dialect::Msnp2, "INF 2 CTP MD5", b""));
    }

    #[test]
    fn usr_md5() {
        ok(c("USR 3 MD5 I example@hotmail.com"));
        answered(c("USR 3 MD5 I example"), "handle", err_dc(911));
        ok(c("USR 4 MD5 S f59af8f2fa91d38aff7c870c17f99903"));
        answered(
            c("USR 4 MD5 S F59AF8F2FA91D38AFF7C870C17F99903"),
            "digest",
            err_dc(911),
        );
        answered(
            c("USR 4 MD5 S f59af8f2fa91d38aff7c870c17f9990"),
            "digest",
            err_dc(911),
        );
        answered(
            c("USR 4 MD5 S f59af8f2fa91d38aff7c870c17f99903a"),
            "digest",
            err_dc(911),
        );
        ok(s("USR 3 MD5 S 1234567890.123456789"));
    }

    #[test]
    fn usr_other_packages() {
        answered(c("USR 3 CTP I example@hotmail.com"), "package", DC);
        ok(run(
            C,
            NS,
            Dialect::Msnp2,
            "USR 3 CTP I example@hotmail.com",
            b"",
        ));
        answered(
            run(
                C,
                NS,
                Dialect::Msnp2,
                "USR 3 TWN I example@hotmail.com",
                b"",
            ),
            "package",
            DC,
        );
        answered(c("USR 3 TWN I example@hotmail.com"), "package", DC);
        undocumented(s("USR 3 CTP S x"), "package");
        ok(run(S, NS, Dialect::Msnp2, "USR 3 CTP S x", b""));
        // Other server packages are refused by the decoder.
        assert!(
            Decoder::new(S, NS)
                .decode(b"USR 3 TWN S lc=1033\r\n")
                .is_err()
        );
    }

    #[test]
    fn usr_ok_verified() {
        ok(s("USR 4 OK example@hotmail.com example%20user 1"));
        ok(s("USR 4 OK example@hotmail.com example%20user 0"));
        undocumented(
            s("USR 4 OK example@hotmail.com example%20user 2"),
            "verified",
        );
        ok(run(
            S,
            NS,
            Dialect::Msnp5,
            "USR 4 OK example@hotmail.com example%20user",
            b"",
        ));
    }

    #[test]
    fn usr_switchboard() {
        ok(c_sb(
            "USR 21 example@passport.com 1234567890.1234567890.1234567890",
            b"",
        ));
        answered(
            c_sb("USR 21 example 1234567890.1234567890.1234567890", b""),
            "handle",
            err_dc(911),
        );
        ok(s_sb("USR 21 OK example@passport.com example%20user"));
    }

    #[test]
    fn xfr() {
        ok(c("XFR 1 SB"));
        answered(c("XFR 1 NS"), "kind", DC);
        answered(c("XFR 1 sb"), "kind", DC);
        ok(s("XFR 4 NS 10.0.0.5:1863 0"));
        ok(s("XFR 0 NS 0"));
        ok(s(
            "XFR 1 SB 10.0.1.200:1865 CKI 123456789.123456789.123456789",
        ));
        undocumented(s("XFR 4 NS 10.0.0.5:1863 1"), "constant");
        ok(run(S, NS, Dialect::Msnp2, "XFR 4 NS 10.0.0.5:1863", b""));
    }

    #[test]
    fn cvq_locale() {
        let cvq = |line: &str| run(C, DS, Dialect::Cvr0, line, b"");
        ok(cvq("CVQ 2 0x0409 win 4.10 i386 MSMSGS 1.0.0863"));
        ok(cvq("CVQ 1 0x0409 win 4.10 i386 MSMSGS 1.0.0863 MSMSGS"));
        answered(
            cvq("CVQ 2 0409 win 4.10 i386 MSMSGS 1.0.0863"),
            "locale",
            err(710),
        );
        answered(
            cvq("CVQ 2 0x04G9 win 4.10 i386 MSMSGS 1.0.0863"),
            "locale",
            err(710),
        );
        ok(c("CVR 2 0x0409 win 4.10 i386 MSMSGS 3.6.0038 MSMSGS"));
    }

    #[test]
    fn out_reason() {
        ok(c("OUT"));
        ok(s("OUT"));
        ok(s("OUT OTH"));
        ok(s("OUT SSD"));
        undocumented(s("OUT MIG"), "reason");
    }

    #[test]
    fn lst() {
        ok(c("LST 1 FL"));
        ok(c("LST 1 RL"));
        answered(c("LST 1 PL"), "list", DC);
        ok(s("LST 1 FL 255 1 1 anotheruser@example.com another%20user"));
        ok(s("LST 2 BL 255 0 0"));
        ok(s("LST 2 FL 255 3 3 a@b.com a"));
        undocumented(s("LST 2 PL 255 0 0"), "list");
        undocumented(s("LST 2 FL 255 2 1 a@b.com a"), "index");
        undocumented(s("LST 2 FL 255 0 3 a@b.com a"), "index");
    }

    #[test]
    fn gtc() {
        ok(c("GTC 1 A"));
        ok(c("GTC 1 N"));
        answered(c("GTC 1 a"), "mode", DC);
        answered(c("GTC 1 Y"), "mode", DC);
        ok(s("GTC 1 256 A"));
        undocumented(s("GTC 1 256 X"), "mode");
    }

    /// Reference §13.9: the current wiki (disconnect), not the older 201.
    #[test]
    fn blp() {
        ok(c("BLP 1 AL"));
        ok(c("BLP 1 BL"));
        answered(c("BLP 1 FL"), "privacy", DC);
        ok(s("BLP 1 256 BL"));
        undocumented(s("BLP 1 256 RL"), "privacy");
    }

    #[test]
    fn add() {
        ok(c(
            "ADD 1 FL anotheruser@hotmail.com anotheruser@hotmail.com",
        ));
        ok(c(
            "ADD 9 BL anotheruser@hotmail.com anotheruser@hotmail.com",
        ));
        ok(c("ADD 9 AL anotheruser@hotmail.com another%20user"));
        answered(
            c("ADD 1 RL anotheruser@hotmail.com anotheruser@hotmail.com"),
            "list",
            DC,
        );
        answered(
            c("ADD 1 PL anotheruser@hotmail.com anotheruser@hotmail.com"),
            "list",
            DC,
        );
        // The list is checked before the handle (wire order).
        answered(c("ADD 1 RL a@b a@b"), "list", DC);
        answered(c("ADD 20 FL a@b a@b"), "handle", err(201));
        answered(
            c("ADD 2 AL anotheruser@hotmail anotheruser@hotmail"),
            "handle",
            err(201),
        );
        answered(c("ADD 2 AL a@b.com@c.com x"), "handle", err(201));
        ok(s(
            "ADD 1 FL 256 anotheruser@hotmail.com anotheruser@hotmail.com",
        ));
        ok(s(
            "ADD 0 RL 258 anotheruser@hotmail.com anotheruser@hotmail.com",
        ));
        undocumented(s("ADD 1 PL 256 a@b.com a"), "list");
        undocumented(s("ADD 5 RL 256 a@b.com a"), "list");
    }

    /// A friendly name over 387 bytes never reaches validation (reference §7: disconnect).
    #[test]
    fn long_names_are_refused_by_the_decoder() {
        let d = Decoder::new(C, NS);
        let name = "x".repeat(388);
        for line in [
            format!("ADD 1 FL a@b.com {name}\r\n"),
            format!("REA 1 a@b.com {name}\r\n"),
        ] {
            assert!(d.decode(line.as_bytes()).is_err(), "{line}");
        }
        ok(c(&format!("REA 1 a@b.com {}", "x".repeat(387))));
    }

    #[test]
    fn rem() {
        ok(c("REM 1 AL anotheruser@hotmail.com"));
        answered(c("REM 1 RL anotheruser@hotmail.com"), "list", DC);
        answered(c("REM 1 XL anotheruser@hotmail.com"), "list", DC);
        answered(c("REM 1 FL anotheruser"), "handle", err(216));
        ok(s("REM 1 AL 256 anotheruser@hotmail.com"));
        ok(s("REM 0 RL 259 anotheruser@hotmail.com"));
        undocumented(s("REM 1 XL 256 anotheruser@hotmail.com"), "list");
        undocumented(s("REM 3 RL 256 anotheruser@hotmail.com"), "list");
    }

    #[test]
    fn rea() {
        ok(c("REA 1 example@hotmail.com new%20name"));
        answered(c("REA 1 example new%20name"), "handle", err(216));
        ok(s("REA 1 256 example@hotmail.com new%20name"));
    }

    #[test]
    fn prp_client() {
        ok(c("PRP 1 PHH 1%20(222)%203333"));
        ok(c("PRP 1 PHW"));
        ok(c("PRP 1 MOB Y"));
        ok(c("PRP 1 MOB N"));
        answered(c("PRP 2 NEW very%20yes"), "property", err(715));
        answered(c("PRP 2 phh 1"), "property", err(715));
        answered(c("PRP 2 PHHH 1"), "property", DC);
        answered(c("PRP 2 MFN name"), "property", err(715));
        answered(c("PRP 2 MBE Y"), "property", err(715));
        ok(c(&format!("PRP 3 PHM {}", "9".repeat(95))));
        answered(c(&format!("PRP 3 PHM {}", "9".repeat(96))), "value", DC);
        answered(c("PRP 3 MOB yes"), "value", err(201));
    }

    #[test]
    fn prp_server() {
        for line in [
            "PRP 2 255 PHH 123%20(4567)",
            "PRP 2 255 PHW",
            "PRP 2 255 MOB N",
            "PRP 2 255 MBE N",
            "PRP 1 256 PHH 1%20(222)%203333",
        ] {
            ok(s(line));
        }
        undocumented(s("PRP 2 255 NEW x"), "property");
        undocumented(s(&format!("PRP 2 255 PHH {}", "1".repeat(96))), "value");
        undocumented(s("PRP 2 255 MBE maybe"), "value");
    }

    #[test]
    fn bpr() {
        ok(s(
            "BPR 255 anotheruser@hotmail.com PHH 1%20(222)%20333%204444",
        ));
        ok(s("BPR 255 anotheruser@hotmail.com PHM"));
        ok(s("BPR 255 anotheruser@hotmail.com MOB N"));
        undocumented(s("BPR 255 anotheruser@hotmail.com MBE N"), "property");
        undocumented(s("BPR 255 anotheruser@hotmail.com NEW x"), "property");
        undocumented(s("BPR 255 anotheruser@hotmail.com MOB x"), "value");
        undocumented(
            s(&format!(
                "BPR 255 anotheruser@hotmail.com PHW {}",
                "1".repeat(96)
            )),
            "value",
        );
    }

    /// Reference §13.2: FLN is a valid CHG status (msnp-wiki), not 201 (hypothetic).
    #[test]
    fn chg() {
        for status in <Status as crate::types::Enumerated>::ALL {
            ok(c(&format!("CHG 1 {status}")));
            ok(s(&format!("CHG 1 {status}")));
        }
        answered(c("CHG 1 nln"), "status", DC);
        answered(c("CHG 1 XYZ"), "status", DC);
        ok(s("CHG 0 FLN"));
        undocumented(s("CHG 0 OFF"), "status");
    }

    #[test]
    fn iln_nln() {
        ok(s("ILN 1 NLN anotheruser@example.com another%20user"));
        ok(s("ILN 1 LUN anotheruser@example.com another%20user"));
        undocumented(
            s("ILN 1 HDN anotheruser@example.com another%20user"),
            "status",
        );
        undocumented(
            s("ILN 1 FLN anotheruser@example.com another%20user"),
            "status",
        );
        undocumented(
            s("ILN 1 ZZZ anotheruser@example.com another%20user"),
            "status",
        );
        ok(s("NLN AWY anotheruser@example.com another%20user"));
        undocumented(
            s("NLN HDN anotheruser@example.com another%20user"),
            "status",
        );
        undocumented(
            s("NLN FLN anotheruser@example.com another%20user"),
            "status",
        );
        undocumented(
            s("NLN away anotheruser@example.com another%20user"),
            "status",
        );
        ok(s("FLN anotheruser@hotmail.com"));
    }

    #[test]
    fn ims() {
        ok(c("IMS 2 ON"));
        ok(c("IMS 2 OFF"));
        answered(c("IMS 2 on"), "state", DC);
        ok(s("IMS 2 0 OFF"));
        undocumented(s("IMS 2 0 MAYBE"), "state");
    }

    #[test]
    fn url() {
        ok(c("URL 1 INBOX"));
        ok(c("URL 1 COMPOSE someone@example.com"));
        ok(c("URL 1 PASSWORD"));
        ok(c("URL 5 PROFILE 0x0409"));
        ok(c("URL 5 MOBILE"));
        answered(c("URL 1 CHAT"), "service", err(201));
        answered(c("URL 1 inbox"), "service", err(201));
        let msnp5 = |line: &str| run(C, NS, Dialect::Msnp5, line, b"");
        ok(msnp5("URL 5 CHGMOB"));
        answered(msnp5("URL 5 PROFILE 0x0409"), "service", err(201));
        answered(msnp5("URL 5 N2PFUND"), "service", err(201));
        answered(
            run(C, NS, Dialect::Msnp4, "URL 5 MOBILE", b""),
            "service",
            err(201),
        );
        ok(s(
            "URL 1 /cgi-bin/HoTMaiL https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033 2",
        ));
    }

    #[test]
    fn fnd() {
        ok(c(
            "FND 2 fname=Another lname=User city=* state=* country=DE",
        ));
        ok(c(
            "FND 2 fname=* lname=User city=New%20York state=NY country=US",
        ));
        answered(
            c("FND 2 fname=Another lname=User city=* state=* cntry=DE"),
            "country",
            err(201),
        );
        answered(
            c("FND 2 lname=User fname=Another city=* state=* country=DE"),
            "fname",
            err(201),
        );
        answered(c("FND 2 Another User * * DE"), "fname", err(201));
        ok(s("FND 2 0 0"));
        ok(s(
            "FND 1 1 2 fname=Another lname=User city=* state=* country=DE",
        ));
        ok(s(
            "FND 1 2 2 fname=Other lname=User city=* state=* country=DE",
        ));
        undocumented(
            s("FND 1 3 2 fname=Another lname=User city=* state=* country=DE"),
            "index",
        );
        undocumented(
            s("FND 1 1 1 fname=Another lname=User town=* state=* country=DE"),
            "city",
        );
    }

    #[test]
    fn snd_sdc() {
        let msnp4 = |line: &str| run(C, NS, Dialect::Msnp4, line, b"");
        ok(msnp4("SND 2 anotheruser@hotmail.com 0x0409 MSMSGS MSMSGS"));
        ok(msnp4("SND 2 1 0x0409 MSMSGS MSMSGS"));
        answered(
            msnp4("SND 2 anotheruser 0x0409 MSMSGS MSMSGS"),
            "address",
            err_dc(503),
        );
        answered(
            msnp4("SND 2 x1 0x0409 MSMSGS MSMSGS"),
            "address",
            err_dc(503),
        );
        ok(run(
            C,
            NS,
            Dialect::Msnp2,
            "SND 2 anotheruser@hotmail.com",
            b"",
        ));
        let text = b"This will be added to the invitation.";
        let sdc = |address: &str| {
            run(
                C,
                NS,
                Dialect::Msnp6,
                &format!("SDC 2 {address} 0x0409 MSMSGS MSMSGS X X example%20name 37"),
                text,
            )
        };
        ok(sdc("anotheruser@hotmail.com"));
        answered(sdc("anotheruser"), "address", err_dc(503));
        answered(sdc("1"), "address", err_dc(503));
        ok(s("SDC 2 OK"));
        // `X X` is the grammar's job.
        let d = Decoder::new(C, NS);
        assert!(
            d.decode(b"SDC 2 a@b.com 0x0409 MSMSGS MSMSGS X Y name 0\r\n")
                .is_err()
        );
    }

    #[test]
    fn pag() {
        let xml = b"<TEXT xml:space=\"preserve\">This is an example message.</TEXT>";
        ok(run(
            C,
            NS,
            Dialect::Msnp6,
            "PAG 1 anotheruser@hotmail.com 61",
            xml,
        ));
        answered(
            run(C, NS, Dialect::Msnp6, "PAG 1 anotheruser 61", xml),
            "handle",
            err(201),
        );
    }

    #[test]
    fn qry() {
        let qry = |key: &str, payload: &[u8]| {
            run(
                C,
                NS,
                Dialect::Msnp6,
                &format!("QRY 10 {key} {}", payload.len()),
                payload,
            )
        };
        ok(qry("msmsgs@msnmsgr.com", DIGEST.as_bytes()));
        ok(qry("PROD0038W!61ZTF9", DIGEST.as_bytes()));
        ok(qry("PROD00517IFH4@RV", DIGEST.as_bytes()));
        answered(
            qry("PROD0099XXXXXXXX", DIGEST.as_bytes()),
            "public_key",
            Answer::ErrorThenDisconnect(ErrorCode::CHALLENGE_FAILED),
        );
        answered(
            qry("msmsgs@msnmsgr.com", &DIGEST.as_bytes()[..31]),
            "payload",
            err_dc(540),
        );
        answered(qry("msmsgs@msnmsgr.com", b""), "payload", err_dc(540));
        answered(
            qry("msmsgs@msnmsgr.com", DIGEST.to_uppercase().as_bytes()),
            "payload",
            err_dc(540),
        );
        answered(
            qry("msmsgs@msnmsgr.com", b"3b6666b60157322b6fc6e41a115968g5"),
            "payload",
            err_dc(540),
        );
        // Longer than 32 bytes never decodes (Limits::max_qry).
        let d = Decoder::new(C, NS);
        assert!(
            d.decode(b"QRY 10 msmsgs@msnmsgr.com 33\r\n3b6666b60157322b6fc6e41a115968f5a")
                .is_err()
        );
        ok(s("QRY 10"));
    }

    #[test]
    fn rng_and_cal_session_ids() {
        ok(s(
            "RNG 987654331 10.0.1.200:1865 CKI 123456789.123456789.123456789 anotheruser@hotmail.com another%20user",
        ));
        undocumented(
            s(
                "RNG 98765433a 10.0.1.200:1865 CKI 123456789.123456789.123456789 anotheruser@hotmail.com another%20user",
            ),
            "session",
        );
        ok(s_sb("CAL 1 RINGING 987654321"));
        undocumented(s_sb("CAL 1 RINGING session"), "session");
    }

    #[test]
    fn msg_ack() {
        let body =
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nunacknowledged";
        for ack in ["U", "N", "A"] {
            ok(c_sb(&format!("MSG 1 {ack} {}", body.len()), body));
        }
        answered(c_sb(&format!("MSG 1 D {}", body.len()), body), "ack", DC);
        answered(c_sb(&format!("MSG 1 a {}", body.len()), body), "ack", DC);
        ok(run(
            S,
            SB,
            Dialect::Msnp6,
            "MSG example@hotmail.com example%20user 2",
            b"hi",
        ));
        ok(run(S, NS, Dialect::Msnp6, "MSG Hotmail Hotmail 0", b""));
    }

    #[test]
    fn cal() {
        ok(c_sb("CAL 1 anotheruser@hotmail.com", b""));
        answered(c_sb("CAL 1 anotheruser", b""), "handle", err(208));
        answered(c_sb("CAL 1 name_123@hotmail", b""), "handle", err(208));
    }

    #[test]
    fn ans() {
        ok(c_sb(
            "ANS 1 example@hotmail.com 123456789.123456789.123456789 987654321",
            b"",
        ));
        answered(
            c_sb("ANS 1 example 123456789.123456789.123456789 987654321", b""),
            "handle",
            DC,
        );
        answered(
            c_sb(
                "ANS 1 example@hotmail.com 123456789.123456789.123456789 98765432x",
                b"",
            ),
            "session",
            DC,
        );
        ok(s_sb("ANS 1 OK"));
    }

    #[test]
    fn iro() {
        ok(s_sb("IRO 1 1 1 anotheruser@hotmail.com another%20user"));
        ok(s_sb("IRO 1 2 3 anotheruser@hotmail.com another%20user"));
        undocumented(
            s_sb("IRO 1 0 1 anotheruser@hotmail.com another%20user"),
            "index",
        );
        undocumented(
            s_sb("IRO 1 2 1 anotheruser@hotmail.com another%20user"),
            "index",
        );
    }

    #[test]
    fn bye() {
        ok(s_sb("BYE anotheruser@hotmail.com"));
        ok(s_sb("BYE anotheruser@hotmail.com 1"));
        undocumented(s_sb("BYE anotheruser@hotmail.com 2"), "reason");
        ok(s_sb("JOI anotheruser@hotmail.com another%20user"));
        ok(s_sb("ACK 1"));
        ok(s_sb("NAK 1"));
    }

    #[test]
    fn error_codes() {
        ok(s("201 20"));
        ok(s("540 10"));
        ok(s_sb("217 4"));
        undocumented(s("999 5"), "code");
        undocumented(s("214 5"), "code");
    }

    #[test]
    fn commands_without_rules() {
        for line in [
            "PNG",
            "SYN 8 8",
            "INF 2",
            "CHL 1",
            "CVR 2 0x0409 win 4.10 i386 MSMSGS 3.6.0038 MSMSGS",
        ] {
            ok(c(line));
        }
        for line in [
            "QNG",
            "SYN 2 255",
            "CHL 0 11111111111111111111",
            "SND 2 OK",
            "NOT 0",
        ] {
            ok(s(line));
        }
    }

    #[test]
    fn answers() {
        assert_eq!(
            err(201).reply(TrId(20)).map(|c| c.to_bytes()),
            Some(b"201 20\r\n".to_vec())
        );
        assert_eq!(
            err_dc(540).reply(TrId(10)).map(|c| c.to_bytes()),
            Some(b"540 10\r\n".to_vec())
        );
        assert_eq!(
            Answer::RefuseVersion.reply(TrId(1)).map(|c| c.to_bytes()),
            Some(b"VER 1 0\r\n".to_vec())
        );
        assert_eq!(DC.reply(TrId(1)), None);
        assert!(!err(201).closes_connection());
        assert!(
            err_dc(540).closes_connection()
                && DC.closes_connection()
                && Answer::RefuseVersion.closes_connection()
        );
        assert_eq!(
            err_dc(911).error_code(),
            Some(ErrorCode::AUTHENTICATION_FAILED)
        );
        assert_eq!(Answer::RefuseVersion.error_code(), None);
        assert_eq!(err_dc(503).to_string(), "error 503, then disconnect");
        let e = c("ADD 1 RL a@b.com a").expect_err("invalid");
        assert_eq!(
            e.to_string(),
            "list: the reverse list is changed only by the server (ADD 0 RL / REM 0 RL)"
        );
    }

    /// Every problem has a message.
    #[test]
    fn problem_display() {
        let d = Dialect::Msnp5;
        let all = [
            Problem::UnknownCommand,
            Problem::NotInDialect {
                introduced: Dialect::Msnp6,
                dialect: d,
            },
            Problem::OnlyInDialect {
                only: Dialect::Msnp2,
                dialect: d,
            },
            Problem::Undocumented { expected: "A or N" },
            Problem::ReverseList,
            Problem::NotEmail,
            Problem::NotEmailOrIndex,
            Problem::PropertyNameTooLong { len: 4 },
            Problem::ServerSetProperty,
            Problem::TooLong { len: 96, max: 95 },
            Problem::WrongLength {
                len: 31,
                expected: 32,
            },
            Problem::NotHexDigest,
            Problem::NoKnownDialect,
            Problem::UnknownPublicKey,
            Problem::WrongKey { expected: "fname=" },
            Problem::NotOnlineStatus,
            Problem::NotDecimal,
            Problem::IndexOutOfRange { index: 2, total: 1 },
            Problem::UndocumentedErrorCode,
        ];
        for p in all {
            assert!(!p.to_string().is_empty());
        }
        assert_eq!(
            Problem::NotInDialect {
                introduced: Dialect::Msnp6,
                dialect: d
            }
            .to_string(),
            "introduced in MSNP6, not available in MSNP5"
        );
    }
}
