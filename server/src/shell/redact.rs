//! Frames as they may appear in logs: never a password, a digest, a challenge response or a
//! cookie (issue 20: "passwords and digests never appear in logs").

use core::fmt;

use msnp6::commands::Command;

/// Verbs whose parameters may carry a secret: `USR` (MD5 digest, SB cookie; the salt), `QRY`
/// (the challenge response, in its payload), `ANS` and `RNG` (SB cookies), `XFR` (SB cookie).
const SECRET_VERBS: [&str; 5] = ["USR", "QRY", "ANS", "RNG", "XFR"];

/// A command rendered for a log: the whole line, except that commands that may carry a secret
/// show only their verb and TrID, and a payload only its length.
///
/// ```
/// use msnp6::{Decoder, Direction, ServerKind};
/// use msnp6_server::shell::Redacted;
/// let d = Decoder::new(Direction::ClientToServer, ServerKind::Notification);
/// let usr = d.decode(b"USR 4 MD5 S 2a4a8a1b3bb75d16a8e4b22b0d5d9f12\r\n").unwrap();
/// assert_eq!(Redacted(&usr.command).to_string(), "USR 4 [redacted]");
/// let chg = d.decode(b"CHG 5 NLN\r\n").unwrap();
/// assert_eq!(Redacted(&chg.command).to_string(), "CHG 5 NLN");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Redacted<'c, 'a>(pub &'c Command<'a>);

impl fmt::Display for Redacted<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        let verb = c.verb();
        let head = |f: &mut fmt::Formatter<'_>| match c.trid() {
            Some(t) => write!(f, "{verb} {}", t.0),
            None => write!(f, "{verb}"),
        };
        if SECRET_VERBS.contains(&verb) {
            head(f)?;
            return f.write_str(" [redacted]");
        }
        if let Some(p) = c.payload() {
            head(f)?;
            return write!(f, " [payload of {} bytes]", p.as_bytes().len());
        }
        let mut line = Vec::new();
        c.encode_line(&mut line);
        let text = String::from_utf8_lossy(&line);
        f.write_str(text.trim_end_matches(['\r', '\n']))
    }
}
