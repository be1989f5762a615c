//! Challenges (reference §3.4 CHL/QRY, §9): the server's challenges are learned, and QRY must be
//! accepted exactly when its response is MD5(last or previous challenge + private key).

use super::Monitor;
use super::rules::R;
use super::state::Exp;
use crate::model::md5::{digest, is_digest_shape};
use msnp6::auth::KeyPair;
use msnp6::commands::challenge::{Chl, Qry};

impl Monitor {
    pub(super) fn server_chl(&mut self, cid: usize, line: usize, c: &Chl<'static>) {
        let t = c.trid.0;
        let reply = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::ChlReq)
        });
        if reply.is_none() {
            if t != 0 {
                self.violate(cid, line, R::TridAsync, format!("CHL {t} answers no CHL request: a challenge pushed by the server uses TrID 0"));
            } else {
                self.require_login(cid, line, "CHL 0");
            }
        }
        if let Some(conn) = self.conns.get_mut(cid) {
            conn.ns.challenges.push(c.challenge.as_bytes().to_vec());
            if conn.ns.challenges.len() > 2 {
                conn.ns.challenges.remove(0);
            }
        }
    }

    pub(super) fn client_qry(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        reused: bool,
        q: &Qry<'static>,
    ) {
        if reused {
            self.violate(
                cid,
                line,
                R::ClientQryTrid,
                format!("QRY {trid} reuses a TrID: QRY is sent on a new TrID"),
            );
        }
        let response = q.payload.as_bytes();
        if !is_digest_shape(response) {
            self.violate(
                cid,
                line,
                R::ClientDigest,
                "the QRY response is not 32 lower-case hex digits",
            );
        }
        let (challenges, known) = self.conns.get(cid).map_or((Vec::new(), false), |c| {
            (c.ns.challenges.clone(), c.ns.challenges_known)
        });
        let key = KeyPair::by_public_key(q.public_key.as_bytes());
        let (accept, why) = match key {
            None => (
                Some(false),
                format!("`{}` is not a documented public key", q.public_key),
            ),
            Some(KeyPair {
                private_key: None, ..
            }) => (
                None,
                "the private key of this public key is not documented".to_owned(),
            ),
            Some(KeyPair {
                private_key: Some(private),
                ..
            }) => {
                let right = challenges
                    .iter()
                    .rev()
                    .any(|ch| digest(ch, private.as_bytes()).as_bytes() == response);
                if right {
                    (
                        Some(true),
                        "the response matches the last or the previous challenge".to_owned(),
                    )
                } else if known || challenges.len() >= 2 {
                    let why = if challenges.is_empty() {
                        "no challenge was sent".to_owned()
                    } else {
                        "the response matches neither the last nor the previous challenge"
                            .to_owned()
                    };
                    (Some(false), why)
                } else {
                    (None, "an earlier challenge is not in the file".to_owned())
                }
            }
        };
        if accept == Some(false) && key.is_some() {
            self.violate(
                cid,
                line,
                R::ClientDigest,
                format!("wrong QRY response: {why}"),
            );
        }
        self.push(cid, line, trid, "QRY", Exp::Qry { accept, why });
    }

    pub(super) fn qry_ok(&mut self, cid: usize, line: usize, trid: u32) {
        match self.answer(cid, line, trid, |p| {
            !p.answered && matches!(p.exp, Exp::Qry { .. })
        }) {
            Some(p) => {
                if let Exp::Qry {
                    accept: Some(false),
                    why,
                } = &p.exp
                {
                    self.violate(
                        cid,
                        line,
                        R::QryDigest,
                        format!("QRY accepted although {why}: 540 expected"),
                    );
                }
            }
            None => self.opaque_or(cid, line, trid, "QRY"),
        }
    }
}
