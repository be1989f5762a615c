//! The profile message the NS sends right after `USR … OK` (reference §8 point 3, §10.1).

use msnp6::commands::Command;
use msnp6::commands::switchboard::Msg;
use msnp6::types::{FriendlyName, Handle};

use super::machine::payload;
use super::users::UserId;
use super::{Core, Millis};

impl Core {
    /// `MSG Hotmail Hotmail length` + the MSNP6 profile: the field set of reference §8, headers
    /// only, ending with an empty line. As docs/model.md MODEL-PROFILE: `LoginTime` is
    /// 1000000000 + the core's seconds, `EmailEnabled: 0` (no mailbox, so no initial e-mail
    /// notification), `MemberIdLow` the account's position counted from 1, `MSPAuth` random.
    pub(crate) fn profile(&mut self, now: Millis, user: UserId) -> Command<'static> {
        let auth = self.mspauth();
        let handle = String::from_utf8_lossy(self.users.get(user).account.handle.as_bytes());
        let text = format!(
            "MIME-Version: 1.0\r\n\
             Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n\
             LoginTime: {login}\r\n\
             EmailEnabled: 0\r\n\
             MemberIdHigh: 0\r\n\
             MemberIdLow: {member}\r\n\
             lang_preference: 1033\r\n\
             PreferredEmail: {handle}\r\n\
             country: US\r\n\
             PostalCode: \r\n\
             Gender: \r\n\
             Kid: 0\r\n\
             Age: \r\n\
             BDayPre: \r\n\
             Birthday: \r\n\
             Wallet: \r\n\
             Flags: 1027\r\n\
             sid: 507\r\n\
             kv: 11\r\n\
             MSPAuth: {auth}\r\n\
             \r\n",
            login = 1_000_000_000 + now / 1000,
            member = user + 1,
        );
        Command::Msg(Msg {
            handle: Handle::from_static(b"Hotmail"),
            name: FriendlyName::from_static(b"Hotmail"),
            payload: payload(text.into_bytes()),
        })
    }

    /// The profile's `MSPAuth`: 48 random characters of `[A-Za-z0-9!*]`, 6 bits each, 8 per
    /// draw (the model's length, so that the profile's length is the model's).
    fn mspauth(&mut self) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*";
        let mut text = String::with_capacity(48);
        for _ in 0..6 {
            let mut bits = self.entropy.next_u64();
            for _ in 0..8 {
                text.push(ALPHABET[(bits & 63) as usize] as char);
                bits >>= 6;
            }
        }
        text
    }
}
