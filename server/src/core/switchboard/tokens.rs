//! Server-chosen values: cookies (unguessable, from [`Entropy`]) and session ids (decimal;
//! reference §14 "Salt, SB cookie: opaque tokens. SB session id: a decimal number").

use msnp6::types::Token;

use super::super::Entropy;
use super::state::SessionId;

/// A fresh cookie in the shape of the documented `16925950.1016955577.17693` (reference §3.5):
/// 128 random bits as two decimal numbers, then `serial` (distinct for every cookie the server
/// hands out, so two cookies never collide whatever the entropy), joined by dots, e.g.
/// `1234.56789.1`.
pub(super) fn cookie(entropy: &mut dyn Entropy, serial: u64) -> Token<'static> {
    let text = format!("{}.{}.{serial}", entropy.next_u64(), entropy.next_u64());
    Token::new(text.into_bytes()).unwrap_or_else(|_| Token::from_static(b"0.0"))
}

/// A session id not `taken`: random below 2^32 (at most 10 digits, like the documented
/// `11752099` and `987654321`), then, should 16 draws all collide, the next free one upwards.
pub(super) fn session_id(
    entropy: &mut dyn Entropy,
    taken: impl Fn(SessionId) -> bool,
) -> SessionId {
    let mut id = SessionId(entropy.next_u64() & 0xFFFF_FFFF);
    for _ in 0..16 {
        if !taken(id) {
            return id;
        }
        id = SessionId(entropy.next_u64() & 0xFFFF_FFFF);
    }
    while taken(id) {
        id = SessionId(id.0.wrapping_add(1) & 0xFFFF_FFFF);
    }
    id
}
