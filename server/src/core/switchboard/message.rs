//! `MSG TrID U|N|A length` + payload: relayed to every other participant, with `ACK`/`NAK` as
//! the ack mode asks (reference §3.5 MSG, ACK/NAK, §13.3, §14).

use msnp6::commands::Command;
use msnp6::commands::switchboard::{Delivery, Msg, MsgSend};
use msnp6::types::AckMode;

use super::state::SessionId;
use super::{ConnId, Directory, Output, Switchboards, send};

impl Switchboards {
    /// A participant's `MSG`: each other participant, in join order, gets `MSG handle name
    /// length` with the same payload (the sender's current display name). `A` then gets `ACK TrID`, or `NAK TrID` when nobody else
    /// is there; `N` gets `NAK TrID` only when nobody else is there; `U` never gets a reply
    /// (reference §14, §13.3 decided for the newer rendering). An undocumented ack letter
    /// (`D` is MSNP9) or a payload over [`Limits::max_payload`](super::Limits) closes the
    /// connection without delivering (reference §3.5 MSG, §12).
    pub(super) fn msg(
        &mut self,
        conn: ConnId,
        id: SessionId,
        v: &MsgSend<'_>,
        dir: &dyn Directory,
        out: &mut Vec<Output>,
    ) {
        let ack = v.ack.known();
        let (Some(ack), true) = (ack, v.payload.len() <= self.limits.max_payload) else {
            return self.drop_conn(conn, true, out);
        };
        let Some(session) = self.sessions.get(&id) else {
            return;
        };
        let Some(sender) = session.participant(conn) else {
            return;
        };
        let name = sender.current_name(dir);
        let mut delivered = false;
        let mut payload = None;
        for p in session.participants.iter().filter(|p| p.conn != conn) {
            let payload = payload.get_or_insert_with(|| v.payload.clone().into_owned());
            let relayed = Msg {
                handle: sender.handle.clone(),
                name: name.clone(),
                payload: payload.clone(),
            };
            send(p.conn, Command::Msg(relayed), out);
            delivered = true;
        }
        let trid = v.trid;
        match (ack, delivered) {
            (AckMode::Acknowledged, true) => send(conn, Command::Ack(Delivery { trid }), out),
            (AckMode::Acknowledged | AckMode::NegativeOnly, false) => {
                send(conn, Command::Nak(Delivery { trid }), out);
            }
            _ => {}
        }
    }
}
