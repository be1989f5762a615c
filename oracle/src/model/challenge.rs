//! Challenges (reference §3.4 CHL/QRY, §9, §14): `CHL 0`, the client's `CHL TrID`, QRY, and the
//! 50-second timeout (in [`World::apply`](super::World::apply)'s tick).

use super::accounts::server_token;
use super::md5::digest;
use super::rng::ServerValue;
use super::rules;
use super::world::{Challenge, ConnName, Step, World, error};
use msnp6::auth::KeyPair;
use msnp6::commands::Command;
use msnp6::commands::challenge::{Chl, Qry, QryOk};
use msnp6::types::{ErrorCode, TrId};

impl World {
    /// Issues a challenge on an NS session: `CHL trid challenge`, remembered as the last one
    /// (the one before it becomes the previous; older ones are forgotten).
    pub(crate) fn challenge(
        &mut self,
        conn: &str,
        trid: TrId,
        rule: &'static str,
        step: &mut Step,
    ) {
        if !self.conns.get(conn).is_some_and(|c| c.is_ns_session()) {
            return;
        }
        let text = self.draw(ServerValue::Challenge);
        let now = self.now;
        if let Some(c) = self.conns.get_mut(conn) {
            c.challenges.push(Challenge {
                text: text.clone(),
                issued_at: now,
                answered: false,
            });
            if c.challenges.len() > 2 {
                c.challenges.remove(0);
            }
        }
        self.send(
            step,
            conn,
            Command::Chl(Chl {
                trid,
                challenge: server_token(&text),
            }),
            rule,
        );
    }

    /// A server-initiated `CHL 0 …` (MODEL-CHL-SERVER).
    pub(crate) fn server_challenge(&mut self, conn: &str, step: &mut Step) {
        self.challenge(conn, TrId::ASYNC, rules::CHL_SERVER, step);
    }

    /// QRY (reference §3.4, §9): MODEL-QRY-OK or MODEL-QRY-540.
    pub(crate) fn qry(&mut self, conn: &ConnName, q: &Qry<'static>, step: &mut Step) {
        let private = KeyPair::by_public_key(q.public_key.as_bytes()).and_then(|k| k.private_key);
        let answer = q.payload.as_bytes();
        let matched = private.and_then(|key| {
            let challenges = &self.conns.get(conn)?.challenges;
            challenges
                .iter()
                .rposition(|ch| digest(ch.text.as_bytes(), key.as_bytes()).as_bytes() == answer)
        });
        match matched {
            Some(i) => {
                if let Some(ch) = self
                    .conns
                    .get_mut(conn)
                    .and_then(|c| c.challenges.get_mut(i))
                {
                    ch.answered = true;
                }
                self.send(
                    step,
                    conn,
                    Command::QryOk(QryOk { trid: q.trid }),
                    rules::QRY_OK,
                );
            }
            None => self.reply_and_close(
                conn,
                error(ErrorCode::CHALLENGE_FAILED, q.trid),
                rules::QRY_540,
                step,
            ),
        }
    }
}
