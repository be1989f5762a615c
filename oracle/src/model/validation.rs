//! Bad values in client commands: the model's own reading ([`bad_value`], reference §3, §4, §13,
//! §14) says what a server answers, and the model does that, naming the model rule that covers
//! the command.

use super::bad_values::{BadValue, bad_value};
use super::rules;
use super::world::{Step, World};
use msnp6::commands::Command;
use msnp6::commands::login::Ver;
use msnp6::types::{ErrorCode, TokenList, TrId};

/// The model rule that answers a bad value in `frame` with `answer`.
fn rule_for(frame: &Command<'_>, answer: BadValue) -> &'static str {
    use Command as C;
    let code = answer.code();
    match frame {
        C::Ver(_) => rules::VER_REFUSE,
        C::UsrInitial(_) | C::UsrResponse(_) => rules::USR_911,
        C::UsrOther(_) => rules::USR_PACKAGE,
        C::UsrSwitchboard(_) => rules::SB_USR_911,
        C::XfrRequest(_) => rules::XFR_NS,
        C::Cvq(_) => rules::VER_CVR0,
        C::LstRequest(_) => rules::LIST_BAD,
        C::AddRequest(_) if code == Some(201) => rules::ADD_201,
        C::AddRequest(_) | C::RemRequest(_) if code.is_none() => rules::LIST_BAD,
        C::RemRequest(_) => rules::REM_216,
        C::ReaRequest(_) => rules::REA_216,
        C::GtcRequest(_) => rules::GTC_BAD,
        C::BlpRequest(_) => rules::BLP_BAD,
        C::PrpRequest(_) => match code {
            None => rules::PRP_CLOSE,
            Some(715) => rules::PRP_715,
            Some(_) => rules::PRP_MOB_201,
        },
        C::Chg(_) => rules::CHG_BAD,
        C::ImsRequest(_) => rules::IMS,
        C::UrlRequest(_) => rules::URL_201,
        C::FndRequest(_) => rules::FND_201,
        C::SndRequest(_) | C::Sdc(_) => rules::SND_503,
        C::Pag(_) => rules::PAG,
        C::Qry(_) => rules::QRY_540,
        C::MsgSend(_) => rules::MSG_BAD,
        C::Cal(_) => rules::CAL_208,
        C::Ans(_) => rules::ANS_BAD,
        C::Unknown(_) => rules::UNKNOWN,
        _ => rules::VALIDATE,
    }
}

/// The reply to a bad value, if any: an error reply or `VER TrID 0` (reference §1.3, §3.1 VER).
fn reply(answer: BadValue, trid: TrId) -> Option<Command<'static>> {
    match answer {
        BadValue::RefuseVersion => Some(Command::Ver(Ver {
            trid,
            dialects: TokenList::new(&b"0"[..]).ok()?,
        })),
        _ => Some(super::world::error(
            ErrorCode::new(answer.code()?).ok()?,
            trid,
        )),
    }
}

impl World {
    /// Validates a client frame accepted in the connection's current phase. Returns false, after
    /// answering as [`bad_value`] says (MODEL-VALIDATE and the rule of the command), when
    /// a value is bad.
    pub(crate) fn validated(
        &mut self,
        conn: &str,
        frame: &Command<'static>,
        step: &mut Step,
    ) -> bool {
        let Some(c) = self.conns.get(conn) else {
            return false;
        };
        let Some(answer) = bad_value(frame, c.dialect.unwrap_or_default()) else {
            return true;
        };
        let rule = rule_for(frame, answer);
        if let Some(reply) = frame.trid().and_then(|t| reply(answer, t)) {
            self.send(step, conn, reply, rule);
        }
        if answer.closes() {
            self.close(conn, rule, step);
        }
        false
    }
}
