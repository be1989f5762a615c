//! The NS commands of a logged-in connection (reference §3.2–§3.4), each handed to its module.

use msnp6::commands::Command;

use super::{ConnId, Core, Millis, Output};

impl Core {
    /// A command that passed the login order and validation on a logged-in NS connection.
    /// Anything that is not an NS client command closes the connection (reference §14: an
    /// unknown command, a server-only command from the client, a command of another server).
    pub(crate) fn ns_logged_in(
        &mut self,
        now: Millis,
        conn: ConnId,
        command: Command<'_>,
        out: &mut Vec<Output>,
    ) {
        let Some(user) = self
            .conns
            .get(&conn)
            .and_then(|c| c.session())
            .map(|s| s.user)
        else {
            return self.close(now, conn, out);
        };
        match command {
            Command::Syn(s) => self.syn(conn, user, s, out),
            Command::LstRequest(l) => match l.list.known() {
                Some(list) => self.lst(conn, user, l.trid, list, false, out),
                None => self.close(now, conn, out),
            },
            Command::GtcRequest(g) => match g.mode.known() {
                Some(mode) => self.gtc(conn, user, g.trid, mode, out),
                None => self.close(now, conn, out),
            },
            Command::BlpRequest(b) => match b.privacy.known() {
                Some(p) => self.blp(conn, user, b.trid, p, out),
                None => self.close(now, conn, out),
            },
            Command::AddRequest(a) => self.add(conn, user, a, out),
            Command::RemRequest(r) => self.rem(conn, user, r, out),
            Command::ReaRequest(r) => self.rea(now, conn, user, r, out),
            Command::PrpRequest(p) => match p.property.known() {
                Some(prop) => self.prp(conn, user, p.trid, prop, p.value, out),
                None => self.close(now, conn, out),
            },
            Command::Chg(c) => match c.status.known() {
                Some(status) => self.chg(conn, user, c.trid, status, out),
                None => self.close(now, conn, out),
            },
            Command::ImsRequest(i) => match i.state.known() {
                Some(state) => self.ims(conn, i.trid, state, out),
                None => self.close(now, conn, out),
            },
            Command::UrlRequest(u) => match u.service.known() {
                Some(service) => self.url(conn, u.trid, service, out),
                None => self.close(now, conn, out),
            },
            Command::FndRequest(f) => self.fnd(conn, f.trid, out),
            Command::SndRequest(s) => self.invite_ok(conn, *s.trid(), false, out),
            Command::Sdc(s) => self.invite_ok(conn, s.trid, true, out),
            Command::Pag(p) => self.pag(conn, user, p.trid, p.handle.as_bytes(), out),
            Command::Png(_) => self.png(conn, out),
            Command::ChlRequest(c) => self.send_challenge(now, conn, c.trid, out),
            Command::Qry(q) => self.qry(
                now,
                conn,
                q.trid,
                q.public_key.as_bytes(),
                q.payload.as_bytes(),
                out,
            ),
            Command::XfrRequest(x) => self.xfr_sb(now, conn, user, x.trid, out),
            _ => self.close(now, conn, out),
        }
    }
}
