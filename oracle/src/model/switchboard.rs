//! Switchboards (reference §3.1 XFR, §3.4 RNG, §3.5, §14 "Switchboard"): XFR SB, USR, CAL/RNG,
//! ANS/IRO/JOI, MSG/ACK/NAK, OUT/BYE.

use super::accounts::server_token;
use super::rng::ServerValue;
use super::rules;
use super::world::{
    COOKIE_SECONDS, ConnName, Invitation, Phase, Step, Switchboard, Ticket, World, error,
};
use msnp6::commands::Command;
use msnp6::commands::login::{UsrSwitchboard, UsrSwitchboardOk, XfrRequest, XfrSwitchboard};
use msnp6::commands::switchboard::{
    Ans, AnsOk, Bye, Cal, CalRinging, Delivery, Iro, Joi, Msg, MsgSend, Rng,
};
use msnp6::types::{AckMode, ErrorCode, Handle, ServerKind, TransferKind, Value};

use super::login::is_client_command;

/// The largest switchboard MSG payload (reference §3.5, §12).
const MSG_LIMIT: usize = 1664;

impl World {
    /// XFR from the client (reference §3.1 XFR): MODEL-XFR-NS, MODEL-XFR-913, MODEL-XFR-SB.
    pub(crate) fn xfr(&mut self, conn: &ConnName, x: &XfrRequest<'static>, step: &mut Step) {
        if x.kind != Value::Known(TransferKind::Switchboard) {
            return self.close(conn, rules::XFR_NS, step);
        }
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let status = self.conns.get(conn).map(|c| c.status);
        if !status.is_some_and(|s| s.is_visible_online()) {
            return self.send(
                step,
                conn,
                error(ErrorCode::NOT_ALLOWED_WHEN_OFFLINE, x.trid),
                rules::XFR_913,
            );
        }
        let cookie = self.draw(ServerValue::Cookie);
        self.tickets.push(Ticket {
            cookie: cookie.clone(),
            handle: user,
            issued_at: self.now,
            used: false,
        });
        let reply = XfrSwitchboard {
            trid: x.trid,
            address: server_token(&self.sb_address),
            cookie: server_token(&cookie),
        };
        self.send(step, conn, Command::XfrSwitchboard(reply), rules::XFR_SB);
    }

    /// A frame on an SB connection.
    pub(crate) fn sb_command(
        &mut self,
        conn: &ConnName,
        frame: &Command<'static>,
        step: &mut Step,
    ) {
        if !is_client_command(ServerKind::Switchboard, frame) {
            return self.close(conn, rules::UNKNOWN, step);
        }
        if self.accepts(conn, frame) && !self.validated(conn, frame, step) {
            return;
        }
        let joined = self
            .conns
            .get(conn)
            .is_some_and(|c| c.phase == Phase::LoggedIn);
        match (frame, joined) {
            (Command::Out(_), _) => self.close(conn, rules::OUT_CLIENT, step),
            (Command::UsrSwitchboard(u), false) => self.sb_usr(conn, u, step),
            (Command::UsrSwitchboard(u), true) => {
                self.send(
                    step,
                    conn,
                    error(ErrorCode::ALREADY_LOGGED_IN, u.trid),
                    rules::USR_207,
                );
            }
            (Command::Ans(a), false) => self.ans(conn, a, step),
            (Command::Ans(_), true) => self.close(conn, rules::ANS_BAD, step),
            (Command::Cal(c), true) => self.cal(conn, c, step),
            (Command::MsgSend(m), true) => self.msg(conn, m, step),
            _ => self.close(conn, rules::SB_LOGIN_FIRST, step),
        }
    }

    /// SB USR (reference §3.1, §14): MODEL-SB-USR-OK, MODEL-SB-USR-911.
    fn sb_usr(&mut self, conn: &ConnName, u: &UsrSwitchboard<'static>, step: &mut Step) {
        let now = self.now;
        let ticket = self.tickets.iter_mut().find(|t| {
            t.cookie.as_bytes() == u.cookie.as_bytes()
                && t.handle == u.handle
                && !t.used
                && now <= t.issued_at + COOKIE_SECONDS
        });
        let Some(ticket) = ticket else {
            return self.reply_and_close(
                conn,
                error(ErrorCode::AUTHENTICATION_FAILED, u.trid),
                rules::SB_USR_911,
                step,
            );
        };
        ticket.used = true;
        let id = self.new_session_id();
        self.switchboards.insert(
            id,
            Switchboard {
                participants: vec![(conn.clone(), u.handle.clone())],
                invitations: Vec::new(),
            },
        );
        if let Some(c) = self.conns.get_mut(conn) {
            c.phase = Phase::LoggedIn;
            c.user = Some(u.handle.clone());
            c.session = Some(id);
        }
        let name = self.display_name(u.handle.as_bytes());
        let ok = UsrSwitchboardOk {
            trid: u.trid,
            handle: u.handle.clone(),
            name,
        };
        self.send(step, conn, Command::UsrSwitchboardOk(ok), rules::SB_USR_OK);
    }

    /// A session id not in use.
    fn new_session_id(&mut self) -> u64 {
        loop {
            let id = self
                .draw(ServerValue::SessionId)
                .parse::<u64>()
                .unwrap_or(0);
            if !self.switchboards.contains_key(&id) {
                return id;
            }
        }
    }

    fn session_of_conn(&self, conn: &str) -> Option<(u64, Handle<'static>)> {
        let c = self.conns.get(conn)?;
        Some((c.session?, c.user.clone()?))
    }

    /// CAL (reference §3.5, §14): MODEL-CAL-208, MODEL-CAL-215, MODEL-CAL-217, MODEL-CAL-RINGING.
    fn cal(&mut self, conn: &ConnName, c: &Cal<'static>, step: &mut Step) {
        let Some((id, caller)) = self.session_of_conn(conn) else {
            return;
        };
        let now = self.now;
        let Some(sb) = self.switchboards.get(&id) else {
            return;
        };
        let target = c.handle.as_bytes();
        let present = sb.participants.iter().any(|(_, h)| h.as_bytes() == target);
        let invited = sb.invitations.iter().any(|i| {
            i.handle.as_bytes() == target && !i.used && now <= i.issued_at + COOKIE_SECONDS
        });
        let session = self
            .session_of(target)
            .map(|(n, s)| (n.clone(), s.status, s.ims_off));
        let err = if !c.handle.is_email() {
            Some((ErrorCode::INVALID_USERNAME, rules::CAL_208))
        } else if target == caller.as_bytes() || present || invited {
            Some((ErrorCode::ALREADY_THERE, rules::CAL_215))
        } else if !session
            .as_ref()
            .is_some_and(|(_, status, off)| status.is_visible_online() && !off)
            || !self.visible(target, caller.as_bytes())
        {
            Some((ErrorCode::NOT_ACCEPTING, rules::CAL_217))
        } else {
            None
        };
        if let Some((code, rule)) = err {
            return self.send(step, conn, error(code, c.trid), rule);
        }
        let Some((target_conn, _, _)) = session else {
            return;
        };
        let cookie = self.draw(ServerValue::Cookie);
        if let Some(sb) = self.switchboards.get_mut(&id) {
            sb.invitations.push(Invitation {
                cookie: cookie.clone(),
                handle: c.handle.clone(),
                issued_at: now,
                used: false,
            });
        }
        let session_token = server_token(&id.to_string());
        let ringing = CalRinging {
            trid: c.trid,
            session: session_token.clone(),
        };
        self.send(step, conn, Command::CalRinging(ringing), rules::CAL_RINGING);
        let rng = Rng {
            session: session_token,
            address: server_token(&self.sb_address),
            cookie: server_token(&cookie),
            handle: caller.clone(),
            name: self.display_name(caller.as_bytes()),
        };
        self.send(step, &target_conn, Command::Rng(rng), rules::CAL_RINGING);
    }

    /// ANS (reference §3.5): MODEL-ANS-BAD, MODEL-ANS-IRO, MODEL-ANS-JOI.
    fn ans(&mut self, conn: &ConnName, a: &Ans<'static>, step: &mut Step) {
        let now = self.now;
        let id = a.session.as_str().and_then(|s| s.parse::<u64>().ok());
        let sb = id.and_then(|id| self.switchboards.get_mut(&id));
        let invitation = sb.and_then(|sb| {
            sb.invitations.iter_mut().find(|i| {
                i.cookie.as_bytes() == a.cookie.as_bytes()
                    && i.handle == a.handle
                    && !i.used
                    && now <= i.issued_at + COOKIE_SECONDS
            })
        });
        let (Some(invitation), Some(id)) = (invitation, id) else {
            return self.close(conn, rules::ANS_BAD, step);
        };
        invitation.used = true;
        let Some(sb) = self.switchboards.get_mut(&id) else {
            return;
        };
        let others = sb.participants.clone();
        sb.participants.push((conn.clone(), a.handle.clone()));
        if let Some(c) = self.conns.get_mut(conn) {
            c.phase = Phase::LoggedIn;
            c.user = Some(a.handle.clone());
            c.session = Some(id);
        }
        let total = u32::try_from(others.len()).unwrap_or(u32::MAX);
        for (i, (_, h)) in others.iter().enumerate() {
            let index = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let iro = Iro {
                trid: a.trid,
                index,
                total,
                handle: h.clone(),
                name: self.display_name(h.as_bytes()),
            };
            self.send(step, conn, Command::Iro(iro), rules::ANS_IRO);
        }
        self.send(
            step,
            conn,
            Command::AnsOk(AnsOk { trid: a.trid }),
            rules::ANS_IRO,
        );
        let name = self.display_name(a.handle.as_bytes());
        for (other, _) in &others {
            let joi = Joi {
                handle: a.handle.clone(),
                name: name.clone(),
            };
            self.send(step, other, Command::Joi(joi), rules::ANS_JOI);
        }
    }

    /// MSG (reference §3.5, §13.3, §14): MODEL-MSG-BAD, MODEL-MSG-RELAY, MODEL-MSG-ACK,
    /// MODEL-MSG-NAK.
    fn msg(&mut self, conn: &ConnName, m: &MsgSend<'static>, step: &mut Step) {
        let Value::Known(ack) = m.ack else {
            return self.close(conn, rules::MSG_BAD, step);
        };
        if m.payload.len() > MSG_LIMIT {
            return self.close(conn, rules::MSG_BAD, step);
        }
        let Some((id, sender)) = self.session_of_conn(conn) else {
            return;
        };
        let others: Vec<ConnName> = self
            .switchboards
            .get(&id)
            .map(|sb| {
                sb.participants
                    .iter()
                    .filter(|(c, _)| c != conn)
                    .map(|(c, _)| c.clone())
                    .collect()
            })
            .unwrap_or_default();
        let name = self.display_name(sender.as_bytes());
        for other in &others {
            let relayed = Msg {
                handle: sender.clone(),
                name: name.clone(),
                payload: m.payload.clone(),
            };
            self.send(step, other, Command::Msg(relayed), rules::MSG_RELAY);
        }
        let delivered = !others.is_empty();
        match ack {
            AckMode::Acknowledged if delivered => self.send(
                step,
                conn,
                Command::Ack(Delivery { trid: m.trid }),
                rules::MSG_ACK,
            ),
            AckMode::Acknowledged | AckMode::NegativeOnly if !delivered => {
                self.send(
                    step,
                    conn,
                    Command::Nak(Delivery { trid: m.trid }),
                    rules::MSG_NAK,
                );
            }
            _ => {}
        }
    }

    /// A participant left (MODEL-SB-BYE); an empty session ends.
    pub(crate) fn leave_switchboard(
        &mut self,
        id: u64,
        conn: &str,
        user: &Handle<'static>,
        step: &mut Step,
    ) {
        let Some(sb) = self.switchboards.get_mut(&id) else {
            return;
        };
        sb.participants.retain(|(c, _)| c != conn);
        let others: Vec<ConnName> = sb.participants.iter().map(|(c, _)| c.clone()).collect();
        if others.is_empty() {
            self.switchboards.remove(&id);
        }
        for other in others {
            self.send(
                step,
                &other,
                Command::Bye(Bye {
                    handle: user.clone(),
                    reason: None,
                }),
                rules::SB_BYE,
            );
        }
    }
}
