//! The shell's limits: what bounds the memory, the file descriptors and the time one client can
//! take from the others. Each default is justified on its field (docs/server.md, "Limits").

use std::time::Duration;

/// Limits of the tokio shell (the core has its own: login, idle and challenge timeouts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellLimits {
    /// Connections open at once, all listeners together; one more is refused by closing it at
    /// accept. Default 1000: every connection may hold up to [`max_output_queue`] bytes of
    /// output plus a 4 KiB read buffer and a framer buffer (up to a line and a payload, about
    /// 10 KiB with the codec's default limits), so the default bounds the shell's memory at
    /// about 1 GiB in the worst case, and stays under common file-descriptor limits.
    ///
    /// [`max_output_queue`]: ShellLimits::max_output_queue
    pub max_connections: usize,
    /// Connections open at once from one IP address; one more is refused by closing it at
    /// accept. Default 64: a client holds one NS connection and one per conversation
    /// (switchboard), and a few clients may share an address behind NAT; 64 leaves room for
    /// that while one address cannot take all of [`max_connections`].
    ///
    /// [`max_connections`]: ShellLimits::max_connections
    pub max_per_address: usize,
    /// Bytes queued for one connection and not yet written to its socket. A client whose queue
    /// would exceed it is closed at once (without the queue): a client that stops reading never
    /// stalls the others nor grows memory. Default 1 MiB: the largest burst the server sends at
    /// once is the reply to `SYN`, at most 150 entries on each of FL, AL and BL and about 1000
    /// on RL (reference §12), each `LST` line at most about 570 bytes: about 830 KB.
    pub max_output_queue: usize,
    /// How long one write may make no progress (the client's receive window stays closed)
    /// before the connection is closed. Default 30 s: a client that reads at all drains a
    /// socket buffer far sooner; one that never reads would otherwise keep its connection (and
    /// its task) forever when the server has nothing more to send it.
    pub write_stall: Duration,
    /// After the server closes a connection (its output flushed and its write side shut down),
    /// how long the shell keeps reading and discarding what the client still sends. Default
    /// 2 s: closing a socket with unread input makes the kernel reset the connection, and the
    /// client may then lose the last frames (`OUT`, an error reply) before reading them.
    pub linger: Duration,
    /// At shutdown, how long to wait for every connection to flush `OUT SSD` and close before
    /// the remaining ones are dropped. Default 5 s (a client that does not read gets no more).
    pub shutdown_grace: Duration,
    /// The codec's limits for every connection's framer: line length and payload lengths
    /// (their defaults are justified in [`msnp6::Limits`]). A line or payload over them closes
    /// the framer; the core then closes the connection (reference §14).
    pub codec: msnp6::Limits,
}

impl Default for ShellLimits {
    fn default() -> Self {
        ShellLimits {
            max_connections: 1000,
            max_per_address: 64,
            max_output_queue: 1 << 20,
            write_stall: Duration::from_secs(30),
            linger: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(5),
            codec: msnp6::Limits::default(),
        }
    }
}
