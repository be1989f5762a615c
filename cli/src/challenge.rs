//! `msnp6 challenge CHALLENGE [--key PUBLIC_KEY | --private-key KEY]`: the QRY response to a
//! CHL challenge (reference §3.4 CHL/QRY, §9).

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use msnp6::Limits;
use msnp6::auth::{KeyPair, qry_response};

use crate::diag::diag;

/// The arguments of `challenge`.
#[derive(Debug, Args)]
pub(crate) struct ChallengeArgs {
    /// The challenge of `CHL 0 challenge`: one token (no space, tab, CR, LF or NUL), normally 20
    /// decimal digits.
    challenge: String,
    /// The public key sent in QRY; its private key comes from the documented key-pair table.
    #[arg(long, conflicts_with = "private_key")]
    key: Option<String>,
    /// Hash with this private key directly.
    #[arg(long)]
    private_key: Option<String>,
}

/// Why a string is not a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotAChallenge {
    /// The empty string: a token has at least one byte.
    Empty,
    /// A byte a token may not hold, at this byte offset of the challenge.
    ForbiddenByte {
        /// Byte offset in the challenge.
        at: usize,
        /// The byte.
        byte: u8,
    },
    /// Longer than fits in a `CHL 0 challenge` line within the decoder's line limit.
    TooLong {
        /// The challenge's length in bytes.
        len: usize,
        /// The longest that fits.
        max: usize,
    },
}

impl fmt::Display for NotAChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotAChallenge::Empty => f.write_str("empty: expected at least one byte"),
            NotAChallenge::ForbiddenByte { at, byte } => write!(
                f,
                "invalid at byte {at}: {byte:#04x} is not allowed in a token \
                 (expected no space, tab, CR, LF or NUL)"
            ),
            NotAChallenge::TooLong { len, max } => write!(
                f,
                "{len} bytes, expected at most {max} (the line `CHL 0 challenge` is limited \
                 to {} bytes)",
                Limits::default().max_line
            ),
        }
    }
}

/// The line prefix before the challenge in the server's `CHL 0 challenge`.
const CHL_PREFIX: &str = "CHL 0 ";

/// Checks that `challenge` is what the server's `CHL 0 challenge` carries (reference §3.4 CHL:
/// "normally 20 decimal digits but may be any token"; §9 hashes it as sent):
/// `challenge = token` and `token = 1*(any byte except SP / TAB / CR / LF / NUL)` (reference §1.1),
/// with the line `CHL 0 challenge` within the decoder's line limit ([`Limits::max_line`], 2048
/// bytes; reference §12 documents none). When `msnp6::auth` has a checked challenge type, this
/// becomes a call to its constructor.
pub(crate) fn check_challenge(challenge: &[u8]) -> Result<(), NotAChallenge> {
    if challenge.is_empty() {
        return Err(NotAChallenge::Empty);
    }
    if let Some(at) = challenge
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0))
    {
        return Err(NotAChallenge::ForbiddenByte {
            at,
            byte: challenge[at],
        });
    }
    let max = Limits::default().max_line - CHL_PREFIX.len();
    if challenge.len() > max {
        return Err(NotAChallenge::TooLong {
            len: challenge.len(),
            max,
        });
    }
    Ok(())
}

/// The private key to hash with: `--private-key`, the documented one of `--key`, or MSMSGS's.
fn private_key(args: &ChallengeArgs) -> Result<String, String> {
    match (&args.private_key, &args.key) {
        (Some(p), _) => Ok(p.clone()),
        (None, Some(public)) => match KeyPair::by_public_key(public.as_bytes()) {
            Some(KeyPair {
                private_key: Some(p),
                ..
            }) => Ok(p.to_owned()),
            found => {
                let known: Vec<&str> = KeyPair::ALL
                    .iter()
                    .filter(|k| k.private_key.is_some())
                    .map(|k| k.public_key)
                    .collect();
                let why = if found.is_some() {
                    "its private key is not documented"
                } else {
                    "unknown public key"
                };
                Err(format!(
                    "{why}: {public}\nknown public keys: {}",
                    known.join(", ")
                ))
            }
        },
        (None, None) => Ok(KeyPair::MSMSGS.private_key.unwrap_or_default().to_owned()),
    }
}

/// Runs `challenge`: exit status 0 with the response, 2 for a string that is not a challenge or
/// a key that is not documented.
pub(crate) fn run(args: &ChallengeArgs) -> ExitCode {
    if let Err(e) = check_challenge(args.challenge.as_bytes()) {
        diag!("msnp6: not a challenge (docs/msnp6-protocol.md §3.4 CHL, §9): {e}");
        return ExitCode::from(2);
    }
    let private = match private_key(args) {
        Ok(p) => p,
        Err(e) => {
            diag!("msnp6: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = [0u8; 32];
    qry_response(args.challenge.as_bytes(), private.as_bytes(), &mut out);
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(&out)
        .and_then(|()| stdout.write_all(b"\n"))
    {
        diag!("msnp6: writing output: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_is_one_token_that_fits_the_line() {
        assert_eq!(check_challenge(b"12345678901234567890"), Ok(()));
        assert_eq!(check_challenge(b"x"), Ok(()));
        assert_eq!(check_challenge(b""), Err(NotAChallenge::Empty));
        assert_eq!(
            check_challenge(b"has space"),
            Err(NotAChallenge::ForbiddenByte { at: 3, byte: b' ' })
        );
        let max = Limits::default().max_line - CHL_PREFIX.len();
        assert_eq!(check_challenge(&vec![b'1'; max]), Ok(()));
        assert_eq!(
            check_challenge(&vec![b'1'; max + 1]),
            Err(NotAChallenge::TooLong { len: max + 1, max })
        );
    }

    /// The check agrees with the codec's CHL rule at the edges: what it accepts decodes as
    /// `CHL 0 challenge`, what it refuses does not.
    #[test]
    fn the_check_agrees_with_the_decoder() {
        use msnp6::{Command, Decoder, Direction, ServerKind};
        let d = Decoder::new(Direction::ServerToClient, ServerKind::Notification);
        let max = Limits::default().max_line - CHL_PREFIX.len();
        for c in [
            b"1".to_vec(),
            vec![b'7'; max],
            vec![b'7'; max + 1],
            b"has space".to_vec(),
            b"tab\t".to_vec(),
            Vec::new(),
        ] {
            let line = [CHL_PREFIX.as_bytes(), &c, b"\r\n"].concat();
            let decodes = matches!(d.decode(&line), Ok(f) if matches!(f.command, Command::Chl(_)));
            assert_eq!(decodes, check_challenge(&c).is_ok(), "{c:?}");
        }
    }
}
