//! [`Outbox`]: what the hub will tell each connection task once the batch is committed (group
//! commit, docs/server.md "Shell"). Per connection the messages keep their order; the frames
//! for one connection between two control messages are encoded into one buffer, so a
//! connection gets one write per batch however many inputs of the batch spoke to it.

use crate::core::fasthash::FastMap;

use super::conn::ToConn;
use crate::core::ConnId;

/// The capacity a connection's buffer starts with: a few frames without growing it.
const FIRST_BUFFER: usize = 512;

/// The messages held for each connection, in order.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    /// Connections in the order first given a message (so release order is deterministic).
    order: Vec<ConnId>,
    held: FastMap<ConnId, Vec<ToConn>>,
}

impl Outbox {
    fn messages(&mut self, conn: ConnId) -> &mut Vec<ToConn> {
        let order = &mut self.order;
        self.held.entry(conn).or_insert_with(|| {
            order.push(conn);
            Vec::new()
        })
    }

    /// Lets `encode` append frames for `conn`: to the last buffer held for it, unless a
    /// control message came after that buffer.
    pub(super) fn encode(&mut self, conn: ConnId, encode: impl FnOnce(&mut Vec<u8>)) {
        let messages = self.messages(conn);
        if let Some(ToConn::Bytes(bytes)) = messages.last_mut() {
            encode(bytes);
        } else {
            let mut bytes = Vec::with_capacity(FIRST_BUFFER);
            encode(&mut bytes);
            messages.push(ToConn::Bytes(bytes));
        }
    }

    /// Holds a control message for `conn`, after what is held for it.
    pub(super) fn control(&mut self, conn: ConnId, message: ToConn) {
        self.messages(conn).push(message);
    }

    /// Everything held, connection by connection; the outbox is empty afterwards.
    pub(super) fn take(&mut self) -> Vec<(ConnId, Vec<ToConn>)> {
        let held = &mut self.held;
        (self.order.drain(..))
            .filter_map(|conn| held.remove(&conn).map(|m| (conn, m)))
            .collect()
    }

    /// Forgets everything held (the batch was not committed: nothing is acknowledged).
    pub(super) fn clear(&mut self) {
        self.order.clear();
        self.held.clear();
    }
}
