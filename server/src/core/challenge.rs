//! Challenges (reference §3.4 CHL/QRY, §9, §14): the server's `CHL 0`, the client's `CHL TrID`,
//! and the QRY check (wrong → `540` and close; late → `OUT` and close, see `Core::expire`).

use msnp6::auth::{Challenge as ChallengeText, KeyPair, qry_response};
use msnp6::commands::Command;
use msnp6::commands::challenge::{Chl, QryOk};
use msnp6::types::{ErrorCode, TrId};

use super::conn::Challenge;
use super::login::token;
use super::machine::{error, send};
use super::{ConnId, Core, Millis, Output};

impl Core {
    /// Sends `CHL 0 challenge` to a logged-in NS connection now (reference §3.4 CHL: "at any
    /// time"). For tests and the lockstep driver, which decide when the server challenges; the
    /// core itself does so every `Config::challenge_interval`. Nothing happens for another
    /// connection.
    pub fn challenge(&mut self, now: Millis, conn: ConnId, out: &mut Vec<Output>) {
        self.send_challenge(now, conn, TrId::ASYNC, out);
        self.reschedule(conn);
    }

    /// `CHL trid challenge` (20 decimal digits, reference §14), remembered with the previous one.
    pub(crate) fn send_challenge(
        &mut self,
        now: Millis,
        conn: ConnId,
        trid: TrId,
        out: &mut Vec<Output>,
    ) {
        let value = token(format!("{:020}", self.entropy.next_u64()));
        let interval = self.config.challenge_interval;
        let Some(s) = self.conns.get_mut(&conn).and_then(|c| c.session_mut()) else {
            return;
        };
        if s.challenges.len() == 2 {
            s.challenges.pop_front();
        }
        s.challenges.push_back(Challenge {
            value: value.clone(),
            sent: now,
            answered: false,
        });
        // At least 1 ms later: an interval of 0 must not make the tick loop forever.
        s.next_challenge = interval.map(|t| now.saturating_add(t.max(1)));
        send(
            out,
            conn,
            Command::Chl(Chl {
                trid,
                challenge: value,
            }),
        );
    }

    /// `QRY TrID public-key 32` + response (reference §3.4 QRY, §9; docs/model.md MODEL-QRY-*):
    /// right for the last or the previous challenge → `QRY TrID`; else `540` and close.
    pub(crate) fn qry(
        &mut self,
        now: Millis,
        conn: ConnId,
        trid: TrId,
        public_key: &[u8],
        response: &[u8],
        out: &mut Vec<Output>,
    ) {
        let key = KeyPair::by_public_key(public_key).and_then(|k| k.private_key);
        let Some(s) = self.conns.get_mut(&conn).and_then(|c| c.session_mut()) else {
            return;
        };
        let hit = key.and_then(|key| {
            s.challenges.iter_mut().find(|c| {
                let Ok(text) = ChallengeText::new(c.value.as_bytes()) else {
                    return false;
                };
                let mut expected = [0u8; 32];
                qry_response(text, key, &mut expected);
                expected.as_slice() == response
            })
        });
        match hit {
            Some(c) => {
                c.answered = true;
                send(out, conn, Command::QryOk(QryOk { trid }));
            }
            None => {
                send(out, conn, error(ErrorCode::CHALLENGE_FAILED, trid));
                self.close(now, conn, out);
            }
        }
    }
}
