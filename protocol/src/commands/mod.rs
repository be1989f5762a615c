//! Typed commands: every MSNP6 command on DS, NS and SB, in both directions.
//!
//! Each documented form is a struct in the module of its family — [`login`], [`lists`],
//! [`presence`], [`services`], [`challenge`], [`switchboard`] — with its parser and its encoder
//! side by side (one `Form` impl: `parse` reads the parameters in the order `write` writes them).
//! [`Command`] gathers them; decoding dispatches on the verb, the direction and the kind of
//! server.

use core::fmt;

use crate::error::{DecodeError, Expected, Misplacement};
use crate::grammar::{IntoOwned, Params, Payload, Writer};
use crate::types::{Dialect, Direction, ErrorCode, ServerKind, Token, TokenList, TrId};

pub mod challenge;
pub mod lists;
pub mod login;
pub mod presence;
pub mod services;
pub mod switchboard;

use challenge::*;
use lists::*;
use login::*;
use presence::*;
use services::*;
use switchboard::*;

/// One command form: its parser and its encoder, which read and write the parameters after the
/// verb in the same order.
pub(crate) trait Form<'a>: Sized {
    /// Reads the parameters after the verb (the dialect picks version-dependent shapes).
    fn parse(p: &mut Params<'a>, dialect: Dialect) -> Result<Self, DecodeError>;
    /// Writes the parameters after the verb.
    fn write(&self, w: &mut Writer<'_>);
}

/// Declares a command form: a struct with public fields, `Debug`/`Clone`/`Eq`/`Hash`, and
/// `into_owned`.
macro_rules! form {
    ($(#[$m:meta])* pub struct $name:ident<'a> { $($(#[$fm:meta])* pub $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub struct $name<'a> { $($(#[$fm])* pub $f: $t,)* }

        impl $name<'_> {
            /// Detaches the value from the buffer it was decoded from.
            pub fn into_owned(self) -> $name<'static> {
                $name { $($f: $crate::grammar::IntoOwned::into_owned(self.$f),)* }
            }
        }

        impl $crate::grammar::IntoOwned for $name<'_> {
            type Owned = $name<'static>;
            fn into_owned(self) -> $name<'static> { $name::into_owned(self) }
        }
    };
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub struct $name { $($(#[$fm])* pub $f: $t,)* }

        impl $crate::grammar::IntoOwned for $name {
            type Owned = $name;
            fn into_owned(self) -> $name { self }
        }
    };
}
pub(crate) use form;

form! {
    /// `NNN TrID` — a numeric error reply (reference §1.3, §4).
    pub struct ErrorReply { pub code: ErrorCode, pub trid: TrId }
}

form! {
    /// A well-formed line whose verb is not an MSNP6 command (e.g. the MSNP7 `LSG`), kept byte
    /// for byte. Never holds a verb that is known in MSNP6.
    pub struct Unknown<'a> {
        /// The three upper-case letters.
        pub verb: Token<'a>,
        /// The parameters after the verb, as sent.
        pub params: Option<TokenList<'a>>,
    }
}

/// A set of server kinds, one bit per kind.
type Servers = u8;

/// The bit of one server kind in [`Servers`].
const fn bit(kind: ServerKind) -> Servers {
    match kind {
        ServerKind::Dispatch => 1,
        ServerKind::Notification => 2,
        ServerKind::Switchboard => 4,
    }
}

/// A verb's wire name as text (the table holds byte strings, which are what patterns match).
const fn verb_name(bytes: &'static [u8; 3]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(name) => name,
        Err(_) => panic!("a verb is ASCII"),
    }
}

/// The MSNP6 verbs and where each may be sent: the servers a client sends it to, and the
/// servers that send it (reference §3). One row per verb, in reference order.
macro_rules! verbs {
    ($($var:ident = $bytes:literal: $client:expr, $server:expr;)*) => {
        /// An MSNP6 verb: the line's first three bytes, classified once. The dispatch
        /// `match` on it is one jump table (issue 5, profile).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Verb { $($var,)* }

        /// The MSNP6 verbs (reference §3), in reference order.
        pub const VERBS: &[&str] = &[$(verb_name($bytes),)*];

        impl Verb {
            /// Every verb, in table order.
            const ALL: &[Verb] = &[$(Verb::$var,)*];
            /// The wire bytes of each verb, in table order.
            const BYTES: &[&[u8; 3]] = &[$($bytes,)*];

            /// The verb these bytes spell, if it is an MSNP6 verb: one multiplication, one
            /// table load and one compare, where a `match` on the bytes is a tree of byte
            /// compares whose branches the processor mispredicts (issue 5, profile).
            #[inline]
            fn of(bytes: &[u8; 3]) -> Option<Verb> {
                let key = verb_key(bytes);
                let (at, verb) = VERB_SLOTS[verb_slot(key)];
                if at == key { verb } else { None }
            }

            /// The wire name.
            fn name(self) -> &'static str {
                VERBS[self as usize]
            }

            /// Where it may be sent: (servers a client sends it to, servers that send it).
            #[inline]
            fn places(self) -> (Servers, Servers) {
                const NONE: Servers = 0;
                const D: Servers = bit(ServerKind::Dispatch);
                const N: Servers = bit(ServerKind::Notification);
                const S: Servers = bit(ServerKind::Switchboard);
                match self {
                    $(Verb::$var => ($client, $server),)*
                }
            }

            /// The servers this verb may be sent to or by, in `direction`.
            #[inline]
            fn servers(self, direction: Direction) -> Servers {
                let (client, server) = self.places();
                match direction {
                    Direction::ClientToServer => client,
                    Direction::ServerToClient => server,
                }
            }

            /// The error for this verb where [`Verb::servers`] does not include the server.
            #[cold]
            fn misplaced(self, ctx: Context) -> DecodeError {
                // Only the other side ever sends it (a client `IPG`, a server `PNG`): wrong
                // direction. This side sends it, but on other servers (`CAL` on the NS, a
                // client `MSG` to the NS): wrong server.
                let reason = if self.servers(ctx.direction) == 0 {
                    Misplacement::WrongDirection
                } else {
                    Misplacement::WrongServer
                };
                DecodeError::Misplaced {
                    verb: self.name(),
                    direction: ctx.direction,
                    server: ctx.server,
                    reason,
                }
            }
        }
    };
}

/// The three bytes of a verb as one number, the key of [`Verb::of`].
const fn verb_key(bytes: &[u8; 3]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], 0])
}

/// A multiplier under which the keys of the 41 verbs fall into distinct slots of
/// [`VERB_SLOTS`] (found by a search over random odd numbers; `VERB_SLOTS` checks it when the
/// crate compiles).
const VERB_MULTIPLIER: u32 = 0x83b5_f511;

/// The slot of a key: the top seven bits of the key times [`VERB_MULTIPLIER`].
const fn verb_slot(key: u32) -> usize {
    (key.wrapping_mul(VERB_MULTIPLIER) >> 25) as usize
}

/// For each slot, the key and the verb whose key falls there (`(0, None)`: no verb; no key is
/// 0). Built at compile time; two verbs in one slot stop the build.
const VERB_SLOTS: [(u32, Option<Verb>); 128] = {
    let mut slots = [(0, None); 128];
    let mut i = 0;
    while i < Verb::ALL.len() {
        let key = verb_key(Verb::BYTES[i]);
        let slot = verb_slot(key);
        assert!(
            slots[slot].1.is_none(),
            "two verbs share a slot of VERB_SLOTS"
        );
        slots[slot] = (key, Some(Verb::ALL[i]));
        i += 1;
    }
    slots
};

verbs! {
    Ver = b"VER": D | N, D | N;
    Inf = b"INF": D | N, D | N;
    Usr = b"USR": D | N | S, D | N | S;
    Xfr = b"XFR": N, D | N;
    Cvr = b"CVR": N, N;
    Cvq = b"CVQ": D, D;
    Out = b"OUT": D | N | S, D | N | S;
    Png = b"PNG": N, NONE;
    Qng = b"QNG": NONE, N;
    Syn = b"SYN": N, N;
    Lst = b"LST": N, N;
    Gtc = b"GTC": N, N;
    Blp = b"BLP": N, N;
    Add = b"ADD": N, N;
    Rem = b"REM": N, N;
    Rea = b"REA": N, N;
    Prp = b"PRP": N, N;
    Bpr = b"BPR": NONE, N;
    Chg = b"CHG": N, N;
    Iln = b"ILN": NONE, N;
    Nln = b"NLN": NONE, N;
    Fln = b"FLN": NONE, N;
    Ims = b"IMS": N, N;
    Url = b"URL": N, N;
    Fnd = b"FND": N, N;
    Snd = b"SND": N, N;
    Sdc = b"SDC": N, N;
    Pag = b"PAG": N, NONE;
    Not = b"NOT": NONE, N;
    Ipg = b"IPG": NONE, N;
    Chl = b"CHL": N, N;
    Qry = b"QRY": N, N;
    Msg = b"MSG": S, N | S;
    Rng = b"RNG": NONE, N;
    Cal = b"CAL": S, S;
    Joi = b"JOI": NONE, S;
    Ans = b"ANS": S, S;
    Iro = b"IRO": NONE, S;
    Ack = b"ACK": NONE, S;
    Nak = b"NAK": NONE, S;
    Bye = b"BYE": NONE, S;
}

/// Whether `verb` is one of the MSNP6 verbs.
pub fn is_known_verb(verb: &[u8]) -> bool {
    verb.first_chunk::<3>()
        .is_some_and(|v| verb.len() == 3 && Verb::of(v).is_some())
}
macro_rules! commands {
    ($($(#[$m:meta])* $var:ident($ty:ty) = $verb:literal,)*) => {
        /// A decoded (or built) command. Borrows from the input; [`Command::into_owned`]
        /// detaches it.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Command<'a> {
            $($(#[$m])* $var($ty),)*
            /// `NNN TrID`: a numeric error reply.
            Error(ErrorReply),
            /// A well-formed line with a verb that is not an MSNP6 command.
            Unknown(Unknown<'a>),
        }

        impl<'a> Command<'a> {
            /// The name of every variant, in declaration order (`"Ver"` … `"Bye"`, then
            /// `"Error"`, `"Unknown"`): what [`Command::variant_name`] returns. `Command` is
            /// `#[non_exhaustive]`, so code outside the crate cannot match it exhaustively; the
            /// tests use this list to check that the generators and the known-answer tables
            /// cover every variant.
            pub const VARIANT_NAMES: &'static [&'static str] =
                &[$(stringify!($var),)* "Error", "Unknown"];

            /// The name of this command's variant, e.g. `"UsrOk"` (one of
            /// [`Command::VARIANT_NAMES`]).
            pub fn variant_name(&self) -> &'static str {
                match self {
                    $(Command::$var(_) => stringify!($var),)*
                    Command::Error(_) => "Error",
                    Command::Unknown(_) => "Unknown",
                }
            }

            /// The verb (for an error reply: `"error"`; its code is in [`ErrorReply::code`]).
            pub fn verb(&self) -> &str {
                match self {
                    $(Command::$var(_) => $verb,)*
                    Command::Error(_) => "error",
                    Command::Unknown(u) => u.verb.as_str().unwrap_or("???"),
                }
            }

            /// Detaches the command from the buffer it was decoded from.
            pub fn into_owned(self) -> Command<'static> {
                match self {
                    $(Command::$var(v) => Command::$var(IntoOwned::into_owned(v)),)*
                    Command::Error(v) => Command::Error(v),
                    Command::Unknown(v) => Command::Unknown(v.into_owned()),
                }
            }

            fn write_line(&self, out: &mut Vec<u8>) {
                match self {
                    $(Command::$var(v) => write_form(v, $verb, out),)*
                    Command::Error(e) => {
                        let mut w = Writer::new(out, &e.code.digits());
                        w.field(&e.trid);
                    }
                    Command::Unknown(u) => {
                        out.extend_from_slice(u.verb.as_bytes());
                        if let Some(p) = &u.params {
                            Writer::new(out, b"").token_list(p);
                        }
                    }
                }
            }
        }
    };
}

/// Writes a form after its verb.
fn write_form<'a, F: Form<'a>>(f: &F, verb: &str, out: &mut Vec<u8>) {
    let mut w = Writer::new(out, verb.as_bytes());
    f.write(&mut w);
}

impl<'a> Form<'a> for ClientVersion<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, d: Dialect) -> Result<Self, DecodeError> {
        ClientVersion::parse_cvr(p, d)
    }
    fn write(&self, w: &mut Writer<'_>) {
        ClientVersion::write(self, w);
    }
}

impl<'a> Form<'a> for Out<'a> {
    #[inline(always)]
    fn parse(p: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Out::parse_server(p)
    }
    fn write(&self, w: &mut Writer<'_>) {
        Out::write(self, w);
    }
}

form! {
    /// A command without parameters (`PNG`, `QNG`).
    pub struct Bare {}
}

impl<'a> Form<'a> for Bare {
    #[inline(always)]
    fn parse(_: &mut Params<'a>, _: Dialect) -> Result<Self, DecodeError> {
        Ok(Bare {})
    }
    fn write(&self, _: &mut Writer<'_>) {}
}

commands! {
    /// `VER` (both directions).
    Ver(Ver<'a>) = "VER",
    /// Client `INF TrID`.
    InfRequest(InfRequest) = "INF",
    /// Server `INF TrID packages`.
    Inf(Inf<'a>) = "INF",
    /// Client `USR TrID MD5 I handle`.
    UsrInitial(UsrInitial<'a>) = "USR",
    /// Server `USR TrID MD5 S salt`.
    UsrSalt(UsrSalt<'a>) = "USR",
    /// Client `USR TrID MD5 S digest`.
    UsrResponse(UsrResponse<'a>) = "USR",
    /// `USR` with another package (`CTP`, unknown).
    UsrOther(UsrOther<'a>) = "USR",
    /// Server `USR TrID OK handle name [verified]`.
    UsrOk(UsrOk<'a>) = "USR",
    /// Client `USR TrID handle cookie` on the SB.
    UsrSwitchboard(UsrSwitchboard<'a>) = "USR",
    /// Server `USR TrID OK handle name` on the SB.
    UsrSwitchboardOk(UsrSwitchboardOk<'a>) = "USR",
    /// Client `XFR TrID SB`.
    XfrRequest(XfrRequest<'a>) = "XFR",
    /// Server `XFR TrID SB address CKI cookie`.
    XfrSwitchboard(XfrSwitchboard<'a>) = "XFR",
    /// Server `XFR TrID NS address [0 [current]]`.
    XfrNotification(XfrNotification<'a>) = "XFR",
    /// Server `XFR 0 NS 0`.
    XfrReset(XfrReset) = "XFR",
    /// Client `CVR`.
    Cvr(ClientVersion<'a>) = "CVR",
    /// Client `CVQ` (CVR0).
    Cvq(ClientVersion<'a>) = "CVQ",
    /// Server `CVR`.
    CvrAdvice(VersionAdvice<'a>) = "CVR",
    /// Server `CVQ` (CVR0).
    CvqAdvice(VersionAdvice<'a>) = "CVQ",
    /// `OUT [reason]` (both directions; only the server gives a reason).
    Out(Out<'a>) = "OUT",
    /// Client `PNG`.
    Png(Bare) = "PNG",
    /// Server `QNG`.
    Qng(Bare) = "QNG",
    /// `SYN TrID version` (both directions).
    Syn(Syn) = "SYN",
    /// Client `LST TrID list`.
    LstRequest(LstRequest<'a>) = "LST",
    /// Server `LST …`.
    Lst(Lst<'a>) = "LST",
    /// Client `GTC TrID A|N`.
    GtcRequest(GtcRequest<'a>) = "GTC",
    /// Server `GTC TrID version A|N`.
    Gtc(Gtc<'a>) = "GTC",
    /// Client `BLP TrID AL|BL`.
    BlpRequest(BlpRequest<'a>) = "BLP",
    /// Server `BLP TrID version AL|BL`.
    Blp(Blp<'a>) = "BLP",
    /// Client `ADD`.
    AddRequest(AddRequest<'a>) = "ADD",
    /// Server `ADD TrID list version handle name`.
    Add(Add<'a>) = "ADD",
    /// Server `ADD 0 RL version handle name`.
    ReverseAdd(ReverseAdd<'a>) = "ADD",
    /// Client `REM`.
    RemRequest(RemRequest<'a>) = "REM",
    /// Server `REM TrID list version handle`.
    Rem(Rem<'a>) = "REM",
    /// Server `REM 0 RL version handle`.
    ReverseRemove(ReverseRemove<'a>) = "REM",
    /// Client `REA`.
    ReaRequest(ReaRequest<'a>) = "REA",
    /// Server `REA`.
    Rea(Rea<'a>) = "REA",
    /// Client `PRP`.
    PrpRequest(PrpRequest<'a>) = "PRP",
    /// Server `PRP`.
    Prp(Prp<'a>) = "PRP",
    /// Server `BPR`.
    Bpr(Bpr<'a>) = "BPR",
    /// `CHG TrID status` (both directions).
    Chg(Chg<'a>) = "CHG",
    /// Server `ILN`.
    Iln(Iln<'a>) = "ILN",
    /// Server `NLN`.
    Nln(Nln<'a>) = "NLN",
    /// Server `FLN`.
    Fln(Fln<'a>) = "FLN",
    /// Client `IMS`.
    ImsRequest(ImsRequest<'a>) = "IMS",
    /// Server `IMS`.
    Ims(Ims<'a>) = "IMS",
    /// Client `URL`.
    UrlRequest(UrlRequest<'a>) = "URL",
    /// Server `URL`.
    Url(Url<'a>) = "URL",
    /// Client `FND`.
    FndRequest(FndRequest<'a>) = "FND",
    /// Server `FND`.
    Fnd(Fnd<'a>) = "FND",
    /// Client `SND`.
    SndRequest(SndRequest<'a>) = "SND",
    /// Server `SND TrID OK`.
    SndOk(InviteOk) = "SND",
    /// Client `SDC` + payload.
    Sdc(Sdc<'a>) = "SDC",
    /// Server `SDC TrID OK`.
    SdcOk(InviteOk) = "SDC",
    /// Client `PAG` + payload.
    Pag(Pag<'a>) = "PAG",
    /// Server `NOT` + payload.
    Not(Notification<'a>) = "NOT",
    /// Server `IPG` + payload.
    Ipg(Notification<'a>) = "IPG",
    /// Client `CHL TrID`.
    ChlRequest(ChlRequest) = "CHL",
    /// Server `CHL TrID challenge`.
    Chl(Chl<'a>) = "CHL",
    /// Client `QRY` + payload.
    Qry(Qry<'a>) = "QRY",
    /// Server `QRY TrID`.
    QryOk(QryOk) = "QRY",
    /// Client `MSG TrID ack length` + payload (SB).
    MsgSend(MsgSend<'a>) = "MSG",
    /// Server `MSG handle name length` + payload (NS, SB).
    Msg(Msg<'a>) = "MSG",
    /// Server `RNG` (NS).
    Rng(Rng<'a>) = "RNG",
    /// Client `CAL`.
    Cal(Cal<'a>) = "CAL",
    /// Server `CAL TrID RINGING session`.
    CalRinging(CalRinging<'a>) = "CAL",
    /// Client `ANS`.
    Ans(Ans<'a>) = "ANS",
    /// Server `ANS TrID OK`.
    AnsOk(AnsOk) = "ANS",
    /// Server `IRO`.
    Iro(Iro<'a>) = "IRO",
    /// Server `JOI`.
    Joi(Joi<'a>) = "JOI",
    /// Server `ACK TrID`.
    Ack(Delivery) = "ACK",
    /// Server `NAK TrID`.
    Nak(Delivery) = "NAK",
    /// Server `BYE handle [1]`.
    Bye(Bye<'a>) = "BYE",
}

/// The context a line is decoded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Context {
    /// Who sent it.
    pub direction: Direction,
    /// Which kind of server the connection is to.
    pub server: ServerKind,
    /// The dialect in force.
    pub dialect: Dialect,
}

impl Context {
    /// A context with the default dialect (MSNP6).
    pub const fn new(direction: Direction, server: ServerKind) -> Self {
        Context {
            direction,
            server,
            dialect: Dialect::Msnp6,
        }
    }
    /// The same context with another dialect.
    pub const fn with_dialect(self, dialect: Dialect) -> Self {
        Context { dialect, ..self }
    }
}

/// A decoded command line: the command (payload not yet attached) and, for a payload command,
/// the offset of its length parameter and the declared length.
pub(crate) struct LineParse<'a> {
    pub(crate) command: Command<'a>,
    pub(crate) payload: Option<(usize, u32)>,
}

/// What a decoded line becomes: [`Command::parse_line_into`] hands the command to the sink
/// where it is built, so a caller that completes it (the decoder attaches the payload and makes
/// the frame) does so without moving it: each move of a `Command` is a 184-byte copy (issue 5,
/// profile).
pub(crate) trait LineSink<'a> {
    /// What the line becomes.
    type Out;
    /// Completes the command of a well-formed line; `payload` as in [`LineParse`]; `end` is
    /// the offset where the line ended.
    fn finish(
        self,
        command: Command<'a>,
        payload: Option<(usize, u32)>,
        end: usize,
    ) -> Result<Self::Out, DecodeError>;

    /// [`LineSink::finish`] for a form and the variant that wraps it. A sink may build the
    /// command right where it keeps it: a `Command` is moved whole, all 184 bytes, whatever
    /// the variant.
    #[inline(always)]
    fn finish_form<F, W: FnOnce(F) -> Command<'a>>(
        self,
        form: F,
        wrap: W,
        payload: Option<(usize, u32)>,
        end: usize,
    ) -> Result<Self::Out, DecodeError>
    where
        Self: Sized,
    {
        self.finish(wrap(form), payload, end)
    }
}

/// The sink that keeps the line as a [`LineParse`].
pub(crate) struct AsLine;

impl<'a> LineSink<'a> for AsLine {
    type Out = LineParse<'a>;
    #[inline]
    fn finish(
        self,
        command: Command<'a>,
        payload: Option<(usize, u32)>,
        _end: usize,
    ) -> Result<LineParse<'a>, DecodeError> {
        Ok(LineParse { command, payload })
    }
}

/// Reads one form up to the end of the line and hands it to the sink. The dispatch `match` in
/// [`Command::parse_line_into`] has these calls as its tail expressions, so the command is built
/// where the sink puts it.
#[inline(never)]
fn decode_form<'a, F: Form<'a>, K: LineSink<'a>, W: FnOnce(F) -> Command<'a>>(
    p: &mut Params<'a>,
    d: Dialect,
    wrap: W,
    sink: K,
) -> Result<K::Out, DecodeError> {
    let v = F::parse(p, d)?;
    p.end()?;
    sink.finish_form(v, wrap, p.payload, p.offset())
}

/// A command without payload whose parameters are already read, once the line has ended.
fn ended<'a, K: LineSink<'a>>(
    p: &Params<'a>,
    command: Command<'a>,
    sink: K,
) -> Result<K::Out, DecodeError> {
    p.end()?;
    sink.finish(command, None, p.offset())
}

impl<'a> Command<'a> {
    /// Decodes one command line (without its CR LF, strict grammar). A payload command comes back
    /// with an empty payload and its declared length.
    pub(crate) fn parse_line(line: &'a [u8], ctx: Context) -> Result<LineParse<'a>, DecodeError> {
        Command::parse_line_into(line, false, ctx, AsLine)
    }

    /// [`Command::parse_line`], handing the command of a well-formed line to `sink`. With
    /// `unbounded`, `line` is the input that starts with the line, which ends at the first CR
    /// (see `Params::ended`); the sink checks the line end.
    pub(crate) fn parse_line_into<K: LineSink<'a>>(
        line: &'a [u8],
        unbounded: bool,
        ctx: Context,
        sink: K,
    ) -> Result<K::Out, DecodeError> {
        use Direction::{ClientToServer as C, ServerToClient as S};
        use ServerKind::{Notification as NS, Switchboard as SB};

        // The MSNP6 verbs first: one table lookup (see `Verb::of`).
        let Some(verb) = line.first_chunk::<3>().and_then(Verb::of) else {
            return Command::parse_other_line(line, unbounded, ctx, sink);
        };
        let mut p = Params::new(line, &line[3..], unbounded);
        if !p.at_end() && line.get(3) != Some(&b' ') {
            return Err(DecodeError::Invalid {
                offset: 3,
                expected: Expected::Space,
            });
        }
        if verb.servers(ctx.direction) & bit(ctx.server) == 0 {
            return Err(verb.misplaced(ctx));
        }
        let d = ctx.dialect;
        let p = &mut p;

        let dir = ctx.direction;
        let server = ctx.server;
        // One jump table on the verb, then the direction.
        match (verb, dir) {
            (Verb::Ver, _) => decode_form(p, d, Command::Ver, sink),
            (Verb::Inf, C) => decode_form(p, d, Command::InfRequest, sink),
            (Verb::Inf, S) => decode_form(p, d, Command::Inf, sink),
            (Verb::Usr, C) if server == SB => decode_form(p, d, Command::UsrSwitchboard, sink),
            (Verb::Usr, S) if server == SB => decode_form(p, d, Command::UsrSwitchboardOk, sink),
            (Verb::Usr, C) => match (second(p), third(p)) {
                (Some(b"MD5"), Some(b"I")) => decode_form(p, d, Command::UsrInitial, sink),
                (Some(b"MD5"), _) => decode_form(p, d, Command::UsrResponse, sink),
                _ => decode_form(p, d, Command::UsrOther, sink),
            },
            // The server only sends the MD5 forms and OK (and CTP in MSNP2): any other package
            // is reported against `MD5`, so the documented typo `MDS` is an error in strict mode.
            (Verb::Usr, S) => match second(p) {
                Some(b"OK") => decode_form(p, d, Command::UsrOk, sink),
                Some(b"CTP") => decode_form(p, d, Command::UsrOther, sink),
                _ => decode_form(p, d, Command::UsrSalt, sink),
            },
            (Verb::Xfr, C) => decode_form(p, d, Command::XfrRequest, sink),
            // Evaluated lazily, in this order: each look-ahead rescans the parameters.
            (Verb::Xfr, S)
                if p.peek() == Some(b"0")
                    && second(p) == Some(b"NS")
                    && third(p) == Some(b"0")
                    && p.remaining() == 3 =>
            {
                decode_form(p, d, Command::XfrReset, sink)
            }
            (Verb::Xfr, S) if server == NS && second(p) == Some(b"SB") => {
                decode_form(p, d, Command::XfrSwitchboard, sink)
            }
            (Verb::Xfr, S) => decode_form(p, d, Command::XfrNotification, sink),
            (Verb::Cvr, C) => decode_form(p, d, Command::Cvr, sink),
            (Verb::Cvr, S) => decode_form(p, d, Command::CvrAdvice, sink),
            (Verb::Cvq, C) => {
                ClientVersion::parse_cvq(p).and_then(|v| ended(p, Command::Cvq(v), sink))
            }
            (Verb::Cvq, S) => decode_form(p, d, Command::CvqAdvice, sink),
            (Verb::Out, C) => ended(p, Command::Out(Out { reason: None }), sink),
            (Verb::Out, S) => decode_form(p, d, Command::Out, sink),
            (Verb::Png, _) => decode_form(p, d, Command::Png, sink),
            (Verb::Qng, _) => decode_form(p, d, Command::Qng, sink),
            (Verb::Syn, _) => decode_form(p, d, Command::Syn, sink),
            (Verb::Lst, C) => decode_form(p, d, Command::LstRequest, sink),
            (Verb::Lst, S) => decode_form(p, d, Command::Lst, sink),
            (Verb::Gtc, C) => decode_form(p, d, Command::GtcRequest, sink),
            (Verb::Gtc, S) => decode_form(p, d, Command::Gtc, sink),
            (Verb::Blp, C) => decode_form(p, d, Command::BlpRequest, sink),
            (Verb::Blp, S) => decode_form(p, d, Command::Blp, sink),
            (Verb::Add, C) => decode_form(p, d, Command::AddRequest, sink),
            (Verb::Add, S) if is_reverse(p) => decode_form(p, d, Command::ReverseAdd, sink),
            (Verb::Add, S) => decode_form(p, d, Command::Add, sink),
            (Verb::Rem, C) => decode_form(p, d, Command::RemRequest, sink),
            (Verb::Rem, S) if is_reverse(p) => decode_form(p, d, Command::ReverseRemove, sink),
            (Verb::Rem, S) => decode_form(p, d, Command::Rem, sink),
            (Verb::Rea, C) => decode_form(p, d, Command::ReaRequest, sink),
            (Verb::Rea, S) => decode_form(p, d, Command::Rea, sink),
            (Verb::Prp, C) => decode_form(p, d, Command::PrpRequest, sink),
            (Verb::Prp, S) => decode_form(p, d, Command::Prp, sink),
            (Verb::Bpr, _) => decode_form(p, d, Command::Bpr, sink),
            (Verb::Chg, _) => decode_form(p, d, Command::Chg, sink),
            (Verb::Iln, _) => decode_form(p, d, Command::Iln, sink),
            (Verb::Nln, _) => decode_form(p, d, Command::Nln, sink),
            (Verb::Fln, _) => decode_form(p, d, Command::Fln, sink),
            (Verb::Ims, C) => decode_form(p, d, Command::ImsRequest, sink),
            (Verb::Ims, S) => decode_form(p, d, Command::Ims, sink),
            (Verb::Url, C) => decode_form(p, d, Command::UrlRequest, sink),
            (Verb::Url, S) => decode_form(p, d, Command::Url, sink),
            (Verb::Fnd, C) => decode_form(p, d, Command::FndRequest, sink),
            (Verb::Fnd, S) => decode_form(p, d, Command::Fnd, sink),
            (Verb::Snd, C) => decode_form(p, d, Command::SndRequest, sink),
            (Verb::Snd, S) => decode_form(p, d, Command::SndOk, sink),
            (Verb::Sdc, C) => decode_form(p, d, Command::Sdc, sink),
            (Verb::Sdc, S) => decode_form(p, d, Command::SdcOk, sink),
            (Verb::Pag, _) => decode_form(p, d, Command::Pag, sink),
            (Verb::Not, _) => decode_form(p, d, Command::Not, sink),
            (Verb::Ipg, _) => decode_form(p, d, Command::Ipg, sink),
            (Verb::Chl, C) => decode_form(p, d, Command::ChlRequest, sink),
            (Verb::Chl, S) => decode_form(p, d, Command::Chl, sink),
            (Verb::Qry, C) => decode_form(p, d, Command::Qry, sink),
            (Verb::Qry, S) => decode_form(p, d, Command::QryOk, sink),
            (Verb::Msg, C) => decode_form(p, d, Command::MsgSend, sink),
            (Verb::Msg, S) => decode_form(p, d, Command::Msg, sink),
            (Verb::Rng, _) => decode_form(p, d, Command::Rng, sink),
            (Verb::Cal, C) => decode_form(p, d, Command::Cal, sink),
            (Verb::Cal, S) => decode_form(p, d, Command::CalRinging, sink),
            (Verb::Ans, C) => decode_form(p, d, Command::Ans, sink),
            (Verb::Ans, S) => decode_form(p, d, Command::AnsOk, sink),
            (Verb::Iro, _) => decode_form(p, d, Command::Iro, sink),
            (Verb::Joi, _) => decode_form(p, d, Command::Joi, sink),
            (Verb::Ack, _) => decode_form(p, d, Command::Ack, sink),
            (Verb::Nak, _) => decode_form(p, d, Command::Nak, sink),
            (Verb::Bye, _) => decode_form(p, d, Command::Bye, sink),
        }
    }

    /// [`Command::parse_line_into`] for a line whose first three bytes are not an MSNP6 verb:
    /// an error reply (`NNN TrID`), a well-formed unknown verb, or an error.
    #[inline(never)]
    fn parse_other_line<K: LineSink<'a>>(
        line: &'a [u8],
        unbounded: bool,
        ctx: Context,
        sink: K,
    ) -> Result<K::Out, DecodeError> {
        let verb_len = line.len().min(3);
        let verb = &line[..verb_len];
        let is_letters = verb.len() == 3 && verb.iter().all(u8::is_ascii_uppercase);
        let is_digits = verb.len() == 3 && verb.iter().all(u8::is_ascii_digit);
        if !(is_letters || is_digits) {
            let bad = verb
                .iter()
                .position(|b| !b.is_ascii_uppercase() && !b.is_ascii_digit())
                .unwrap_or(verb.len());
            return Err(DecodeError::Invalid {
                offset: bad,
                expected: Expected::Verb,
            });
        }
        let mut p = Params::new(line, &line[3..], unbounded);
        if !p.at_end() && line.get(3).is_some_and(|&b| b != b' ') {
            return Err(DecodeError::Invalid {
                offset: 3,
                expected: Expected::Space,
            });
        }
        let p = &mut p;

        if is_digits {
            if ctx.direction == Direction::ClientToServer {
                return Err(DecodeError::Misplaced {
                    verb: "error reply",
                    direction: Direction::ClientToServer,
                    server: ctx.server,
                    reason: Misplacement::WrongDirection,
                });
            }
            let n = verb.iter().fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
            let code = ErrorCode::new(n).map_err(|_| DecodeError::Invalid {
                offset: 0,
                expected: Expected::Verb,
            })?;
            let trid = p.field()?;
            p.end()?;
            return sink.finish(Command::Error(ErrorReply { code, trid }), None, p.offset());
        }

        // Three upper-case letters (checked above) that are not an MSNP6 verb.
        let params = if p.at_end() {
            None
        } else {
            Some(p.token_list()?)
        };
        sink.finish(
            Command::Unknown(Unknown {
                verb: Token::from_checked(verb),
                params,
            }),
            None,
            p.offset(),
        )
    }

    /// Appends the command line, CR LF, and the payload of a payload command.
    ///
    /// ```
    /// use msnp6::commands::{Command, presence::Chg};
    /// use msnp6::types::{Status, TrId};
    /// let mut out = Vec::new();
    /// Command::Chg(Chg { trid: TrId(9), status: Status::Online.into() }).encode(&mut out);
    /// assert_eq!(out, b"CHG 9 NLN\r\n");
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.write_line(out);
        out.extend_from_slice(b"\r\n");
        if let Some(p) = self.payload() {
            out.extend_from_slice(p.as_bytes());
        }
    }

    /// Appends the command line alone: no CR LF, no payload.
    pub fn encode_line(&self, out: &mut Vec<u8>) {
        self.write_line(out);
    }

    /// The encoded frame in a new buffer.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }

    /// The payload of a payload command (`MSG QRY SDC PAG NOT IPG`).
    pub fn payload(&self) -> Option<&Payload<'a>> {
        match self {
            Command::Qry(v) => Some(&v.payload),
            Command::Sdc(v) => Some(&v.payload),
            Command::Pag(v) => Some(&v.payload),
            Command::Not(v) | Command::Ipg(v) => Some(&v.payload),
            Command::MsgSend(v) => Some(&v.payload),
            Command::Msg(v) => Some(&v.payload),
            _ => None,
        }
    }

    /// Sets the payload of a payload command; no effect on other commands.
    pub fn set_payload(&mut self, payload: Payload<'a>) {
        match self {
            Command::Qry(v) => v.payload = payload,
            Command::Sdc(v) => v.payload = payload,
            Command::Pag(v) => v.payload = payload,
            Command::Not(v) | Command::Ipg(v) => v.payload = payload,
            Command::MsgSend(v) => v.payload = payload,
            Command::Msg(v) => v.payload = payload,
            _ => {}
        }
    }

    /// The transaction ID, for the forms that have one (reference §1.2).
    pub fn trid(&self) -> Option<TrId> {
        Some(match self {
            Command::Ver(v) => v.trid,
            Command::InfRequest(v) => v.trid,
            Command::Inf(v) => v.trid,
            Command::UsrInitial(v) => v.trid,
            Command::UsrSalt(v) => v.trid,
            Command::UsrResponse(v) => v.trid,
            Command::UsrOther(v) => v.trid,
            Command::UsrOk(v) => v.trid,
            Command::UsrSwitchboard(v) => v.trid,
            Command::UsrSwitchboardOk(v) => v.trid,
            Command::XfrRequest(v) => v.trid,
            Command::XfrSwitchboard(v) => v.trid,
            Command::XfrNotification(v) => v.trid,
            Command::XfrReset(_) | Command::ReverseAdd(_) | Command::ReverseRemove(_) => {
                TrId::ASYNC
            }
            Command::Cvr(v) | Command::Cvq(v) => v.trid,
            Command::CvrAdvice(v) | Command::CvqAdvice(v) => v.trid,
            Command::Syn(v) => v.trid,
            Command::LstRequest(v) => v.trid,
            Command::Lst(v) => v.trid,
            Command::GtcRequest(v) => v.trid,
            Command::Gtc(v) => v.trid,
            Command::BlpRequest(v) => v.trid,
            Command::Blp(v) => v.trid,
            Command::AddRequest(v) => v.trid,
            Command::Add(v) => v.trid,
            Command::RemRequest(v) => v.trid,
            Command::Rem(v) => v.trid,
            Command::ReaRequest(v) => v.trid,
            Command::Rea(v) => v.trid,
            Command::PrpRequest(v) => v.trid,
            Command::Prp(v) => v.trid,
            Command::Chg(v) => v.trid,
            Command::Iln(v) => v.trid,
            Command::ImsRequest(v) => v.trid,
            Command::Ims(v) => v.trid,
            Command::UrlRequest(v) => v.trid,
            Command::Url(v) => v.trid,
            Command::FndRequest(v) => v.trid,
            Command::Fnd(v) => v.trid,
            Command::SndRequest(v) => v.trid,
            Command::SndOk(v) | Command::SdcOk(v) => v.trid,
            Command::Sdc(v) => v.trid,
            Command::Pag(v) => v.trid,
            Command::ChlRequest(v) => v.trid,
            Command::Chl(v) => v.trid,
            Command::Qry(v) => v.trid,
            Command::QryOk(v) => v.trid,
            Command::MsgSend(v) => v.trid,
            Command::Cal(v) => v.trid,
            Command::CalRinging(v) => v.trid,
            Command::Ans(v) => v.trid,
            Command::AnsOk(v) => v.trid,
            Command::Iro(v) => v.trid,
            Command::Ack(v) | Command::Nak(v) => v.trid,
            Command::Error(v) => v.trid,
            Command::Out(_)
            | Command::Png(_)
            | Command::Qng(_)
            | Command::Bpr(_)
            | Command::Nln(_)
            | Command::Fln(_)
            | Command::Not(_)
            | Command::Ipg(_)
            | Command::Msg(_)
            | Command::Rng(_)
            | Command::Joi(_)
            | Command::Bye(_)
            | Command::Unknown(_) => return None,
        })
    }
}

/// The second parameter (after the TrID), without consuming anything.
fn second<'a>(p: &Params<'a>) -> Option<&'a [u8]> {
    nth(p, 1)
}

fn third<'a>(p: &Params<'a>) -> Option<&'a [u8]> {
    nth(p, 2)
}

fn nth<'a>(p: &Params<'a>, n: usize) -> Option<&'a [u8]> {
    p.peek_nth(n)
}

/// `ADD 0 RL …` / `REM 0 RL …`: the asynchronous reverse-list forms.
fn is_reverse(p: &Params<'_>) -> bool {
    p.peek() == Some(b"0") && second(p) == Some(b"RL")
}

impl fmt::Display for Command<'_> {
    /// The command line as it goes on the wire, without CR LF and payload.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut v = Vec::with_capacity(64);
        self.write_line(&mut v);
        f.write_str(&String::from_utf8_lossy(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hashed lookup finds every verb under its own name and nothing else: every string
    /// of three upper-case letters is tried.
    #[test]
    fn verb_lookup_is_exact() {
        for (i, name) in VERBS.iter().enumerate() {
            let bytes = name.as_bytes().first_chunk::<3>().expect("three bytes");
            assert_eq!(Verb::of(bytes).map(Verb::name), Some(*name));
            assert_eq!(Verb::ALL[i].name(), *name);
        }
        let mut known = 0;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                for c in b'A'..=b'Z' {
                    let v = [a, b, c];
                    let listed = VERBS.iter().any(|n| n.as_bytes() == v);
                    assert_eq!(Verb::of(&v).is_some(), listed, "{v:?}");
                    assert_eq!(is_known_verb(&v), listed);
                    known += usize::from(listed);
                }
            }
        }
        assert_eq!(known, 41);
        assert!(!is_known_verb(b"VE"));
        assert!(!is_known_verb(b"VERB"));
        assert!(Verb::of(b"000").is_none());
    }
}
