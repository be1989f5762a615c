//! `msnp6 challenge CHALLENGE [--key PUBLIC_KEY | --private-key KEY]`: the QRY response to a
//! CHL challenge (reference §3.4 CHL/QRY, §9).

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use msnp6::auth::{Challenge, KeyPair, PrivateKey, qry_response};

use crate::diag::diag;

/// The arguments of `challenge`.
#[derive(Debug, Args)]
pub(crate) struct ChallengeArgs {
    /// The challenge of `CHL 0 challenge`: one token (no space, tab, CR, LF or NUL), normally 20
    /// decimal digits.
    challenge: String,
    /// The public key sent in QRY; its private key comes from the documented key-pair table.
    /// Without `--key` and `--private-key`: msmsgs@msnmsgr.com (MSN Messenger 3.6's key).
    #[arg(long, conflicts_with = "private_key")]
    key: Option<String>,
    /// Hash with this private key directly: 16 characters from [A-Z0-9{}!@*%_?$#] (reference §9).
    #[arg(long)]
    private_key: Option<String>,
}

/// The private key to hash with: `--private-key` (checked by [`PrivateKey::new`]: 16 characters
/// from `[A-Z0-9{}!@*%_?$#]`, reference §9), the documented one of `--key`, or MSMSGS's.
fn private_key(args: &ChallengeArgs) -> Result<PrivateKey<'_>, String> {
    match (&args.private_key, &args.key) {
        (Some(p), _) => PrivateKey::new(p.as_bytes()).map_err(|e| {
            format!("--private-key is not a private key (docs/msnp6-protocol.md §9): {e}")
        }),
        (None, Some(public)) => match KeyPair::by_public_key(public.as_bytes()) {
            Some(KeyPair {
                private_key: Some(p),
                ..
            }) => Ok(p),
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
        (None, None) => Ok(PrivateKey::MSMSGS),
    }
}

/// Runs `challenge`: exit status 0 with the response, 2 for a string that is not a challenge or
/// a key that is not documented.
pub(crate) fn run(args: &ChallengeArgs) -> ExitCode {
    // A challenge is a token whose `CHL TrID challenge` line fits the limit (reference §3.4
    // CHL, §1.1): `Challenge::new` is that rule.
    let challenge = match Challenge::new(args.challenge.as_bytes()) {
        Ok(c) => c,
        Err(e) => {
            diag!("msnp6: not a challenge (docs/msnp6-protocol.md §3.4 CHL, §9): {e}");
            return ExitCode::from(2);
        }
    };
    let private = match private_key(args) {
        Ok(p) => p,
        Err(e) => {
            diag!("msnp6: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = [0u8; 32];
    qry_response(challenge, private, &mut out);
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
