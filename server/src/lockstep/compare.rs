//! Frame-by-frame comparison of the core's frames with the model's, server-chosen values bound
//! as they appear (reference §3.1 USR/XFR, §3.4 CHL, §3.5 CAL/RNG, §10.1 the profile).
//!
//! A frame that carries a server-chosen value (salt, challenge, cookie, session id, addresses,
//! the profile's `MSPAuth`) matches the model's when it is the same form and, once each real
//! value is replaced by the model value it is bound to, the same bytes. The first time a model
//! value appears, it is bound to the core's value; a later different value, or a real value bound
//! to two model values, is a [`Divergence::Value`](super::Divergence::Value).

use std::collections::BTreeMap;

use msnp6::commands::Command;
use msnp6::types::Token;
use msnp6_oracle::model::rng::ServerValue;

/// A frame's server-chosen values: the name of its form and `(kind, value)` pairs in order.
pub(crate) type Carried = (&'static str, Vec<(ServerValue, Vec<u8>)>);

/// The server-chosen values `command` carries (the same set as the oracle's `Learner`, plus the
/// profile's ticket), if any.
pub(crate) fn carried(command: &Command<'_>) -> Option<Carried> {
    use ServerValue as V;
    let v = |t: &Token<'_>| t.as_bytes().to_vec();
    Some(match command {
        Command::UsrSalt(u) => ("UsrSalt", vec![(V::Salt, v(&u.salt))]),
        Command::XfrNotification(x) => ("XfrNotification", vec![(V::NsAddress, v(x.address()))]),
        Command::XfrSwitchboard(x) => (
            "XfrSwitchboard",
            vec![(V::SbAddress, v(&x.address)), (V::Cookie, v(&x.cookie))],
        ),
        Command::Rng(r) => (
            "Rng",
            vec![
                (V::SessionId, v(&r.session)),
                (V::SbAddress, v(&r.address)),
                (V::Cookie, v(&r.cookie)),
            ],
        ),
        Command::CalRinging(c) => ("CalRinging", vec![(V::SessionId, v(&c.session))]),
        Command::Chl(c) => ("Chl", vec![(V::Challenge, v(&c.challenge))]),
        Command::Msg(m) if is_profile(m.payload.as_bytes()) => (
            "Profile",
            header(m.payload.as_bytes(), b"MSPAuth")
                .map(|t| vec![(V::Ticket, t.to_vec())])
                .unwrap_or_default(),
        ),
        _ => return None,
    })
}

/// Whether a `MSG Hotmail Hotmail` payload is the login profile (reference §10.1).
fn is_profile(payload: &[u8]) -> bool {
    header(payload, b"Content-Type").is_some_and(|t| t.starts_with(b"text/x-msmsgsprofile"))
}

/// The value of a MIME header of `payload` (before the empty line).
fn header<'p>(payload: &'p [u8], name: &[u8]) -> Option<&'p [u8]> {
    payload
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (n, v) = l.split_at(l.iter().position(|&b| b == b':')?);
            (n == name).then(|| v[1..].strip_prefix(b" ").unwrap_or(&v[1..]))
        })
}

/// A mismatch of bound values: (kind, model value, real value now, what it was bound to).
pub(crate) type Conflict = (ServerValue, String, String, String);

/// Model value ↔ real value, per kind, in both directions.
#[derive(Debug, Default, Clone)]
pub(crate) struct Bindings {
    to_real: BTreeMap<(ServerValue, Vec<u8>), Vec<u8>>,
    to_model: BTreeMap<(ServerValue, Vec<u8>), Vec<u8>>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Bindings {
    /// Binds `model` to `real` (or checks an earlier binding).
    fn bind(&mut self, kind: ServerValue, model: &[u8], real: &[u8]) -> Result<(), Conflict> {
        let conflict = |bound: &[u8]| (kind, text(model), text(real), text(bound));
        match self.to_real.get(&(kind, model.to_vec())) {
            Some(r) if r != real => return Err(conflict(r)),
            Some(_) => return Ok(()),
            None => {}
        }
        if let Some(m) = self.to_model.get(&(kind, real.to_vec())) {
            // Addresses are shared by design (one NS, one SB); everything else is unique.
            if m != model && !matches!(kind, ServerValue::NsAddress | ServerValue::SbAddress) {
                return Err(conflict(m));
            }
        }
        self.to_real.insert((kind, model.to_vec()), real.to_vec());
        self.to_model.insert((kind, real.to_vec()), model.to_vec());
        Ok(())
    }
}

/// How one pair of frames compares.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Same,
    Different,
    Conflict(Conflict),
}

/// Compares the model's frame with the core's, binding the server-chosen values they carry.
pub(crate) fn compare(
    bindings: &mut Bindings,
    expected: &Command<'_>,
    actual: &Command<'_>,
) -> Verdict {
    let (e, a) = (expected.to_bytes(), actual.to_bytes());
    if e == a {
        // Still bind: a later frame may carry the same values.
        if let Some((_, values)) = carried(expected) {
            for (kind, v) in values {
                if let Err(c) = bindings.bind(kind, &v, &v) {
                    return Verdict::Conflict(c);
                }
            }
        }
        return Verdict::Same;
    }
    if let Some(same) = same_advice(expected, actual) {
        return if same {
            Verdict::Same
        } else {
            Verdict::Different
        };
    }
    let (Some((ef, ev)), Some((af, av))) = (carried(expected), carried(actual)) else {
        return Verdict::Different;
    };
    if ef != af || ev.len() != av.len() {
        return Verdict::Different;
    }
    for ((kind, m), (_, r)) in ev.iter().zip(&av) {
        if let Err(c) = bindings.bind(*kind, m, r) {
            return Verdict::Conflict(c);
        }
    }
    if ef == "Profile" {
        return same_profile(&e, &a);
    }
    let models: Vec<&[u8]> = ev.iter().map(|(_, m)| m.as_slice()).collect();
    if replace(&a, positions(af), &models) == e {
        Verdict::Same
    } else {
        Verdict::Different
    }
}

/// CVR/CVQ version advice (reference §3.1 CVR/CVQ): which client versions and download URLs a
/// server recommends is its operator's choice, not protocol (the reference's one example is of a
/// later era); the model and the core chose differently. The same form and TrID match.
fn same_advice(expected: &Command<'_>, actual: &Command<'_>) -> Option<bool> {
    match (expected, actual) {
        (Command::CvrAdvice(e), Command::CvrAdvice(a))
        | (Command::CvqAdvice(e), Command::CvqAdvice(a)) => Some(e.trid == a.trid),
        _ => None,
    }
}

/// Where a carrier form's values are on its command line (word indexes, verb = 0), in the order
/// of [`carried`] (reference §3.1, §3.4, §3.5).
fn positions(form: &str) -> &'static [usize] {
    match form {
        "UsrSalt" => &[4],           // USR trid MD5 S salt
        "XfrNotification" => &[3],   // XFR trid NS address 0
        "XfrSwitchboard" => &[3, 5], // XFR trid SB address CKI cookie
        "Rng" => &[1, 2, 4],         // RNG session address CKI cookie handle name
        "CalRinging" => &[3],        // CAL trid RINGING session
        "Chl" => &[2],               // CHL 0 challenge
        _ => &[],
    }
}

/// `frame` with the words at `positions` of its command line replaced by `values`, in order.
fn replace(frame: &[u8], positions: &[usize], values: &[&[u8]]) -> Vec<u8> {
    let end = frame
        .iter()
        .position(|&b| b == b'\r')
        .unwrap_or(frame.len());
    let mut words: Vec<&[u8]> = frame[..end].split(|&b| b == b' ').collect();
    for (&p, &v) in positions.iter().zip(values) {
        if let Some(w) = words.get_mut(p) {
            *w = v;
        }
    }
    let mut out = words.join(&b' ');
    out.extend_from_slice(&frame[end..]);
    out
}

/// Two profiles (reference §10.1) match when their headers are the same, in the same order,
/// apart from `LoginTime` (the server's clock), `MSPAuth` (the ticket, bound by the caller) and
/// the payload length on the command line (the ticket's length is the server's choice).
fn same_profile(expected: &[u8], actual: &[u8]) -> Verdict {
    let masked = |frame: &[u8]| -> Vec<Vec<u8>> {
        frame
            .split(|&b| b == b'\n')
            .skip(1)
            .map(|l| {
                if l.starts_with(b"LoginTime:") {
                    b"LoginTime: *".to_vec()
                } else if l.starts_with(b"MSPAuth:") {
                    b"MSPAuth: *".to_vec()
                } else {
                    l.to_vec()
                }
            })
            .collect()
    };
    if masked(expected) == masked(actual) {
        Verdict::Same
    } else {
        Verdict::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use msnp6::commands::login::UsrSalt;
    use msnp6::types::TrId;

    fn salt(s: &'static [u8]) -> Command<'static> {
        Command::UsrSalt(UsrSalt {
            trid: TrId(3),
            salt: Token::from_static(s),
        })
    }

    #[test]
    fn a_salt_binds_once_and_only_once() {
        let mut b = Bindings::default();
        assert_eq!(compare(&mut b, &salt(b"1.2"), &salt(b"9.9")), Verdict::Same);
        assert_eq!(compare(&mut b, &salt(b"1.2"), &salt(b"9.9")), Verdict::Same);
        // The same model salt, another real salt.
        assert!(matches!(
            compare(&mut b, &salt(b"1.2"), &salt(b"8.8")),
            Verdict::Conflict(_)
        ));
        // A reused real salt for another model salt.
        assert!(matches!(
            compare(&mut b, &salt(b"3.4"), &salt(b"9.9")),
            Verdict::Conflict(_)
        ));
    }

    #[test]
    fn values_are_replaced_where_the_form_has_them() {
        // A session id equal to the TrID: only the session's word is the value.
        assert_eq!(
            replace(b"CAL 1 RINGING 1\r\n", positions("CalRinging"), &[b"77"]),
            b"CAL 1 RINGING 77\r\n"
        );
    }

    #[test]
    fn profile_headers() {
        let p = |t: &str| {
            format!(
                "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: {t}\r\n\r\n"
            )
        };
        assert!(is_profile(p("1").as_bytes()));
        assert_eq!(header(p("17").as_bytes(), b"LoginTime"), Some(&b"17"[..]));
        let line = |t: &str| format!("MSG Hotmail Hotmail 99\r\n{}", p(t));
        assert_eq!(
            same_profile(line("1").as_bytes(), line("2").as_bytes()),
            Verdict::Same
        );
        let other = line("1").replace("1.0", "2.0");
        assert_eq!(
            same_profile(line("1").as_bytes(), other.as_bytes()),
            Verdict::Different
        );
    }
}
