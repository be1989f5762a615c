//! Services on the NS (reference §3.4): URL, FND, SND/SDC, PAG.

use super::accounts::server_token;
use super::rules;
use super::world::{ConnName, Step, World, error};
use msnp6::commands::Command;
use msnp6::commands::services::{Fnd, FndRequest, InviteOk, Pag, Url, UrlRequest};
use msnp6::types::{ErrorCode, Handle, TrId, UrlService};

/// The Passport login URL of every URL reply (reference §3.4 URL examples).
const LOGIN_URL: &str = "https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033";

/// The redirect URL and site id of each service usable in MSNP6 (reference §3.4 URL).
fn service_target(service: UrlService) -> Option<(&'static str, &'static str)> {
    Some(match service {
        UrlService::Inbox => ("/cgi-bin/HoTMaiL", "2"),
        UrlService::Compose => ("/cgi-bin/compose", "2"),
        UrlService::Message => ("/cgi-bin/HoTMaiL", "2"),
        UrlService::Folders => ("/cgi-bin/folders", "2"),
        UrlService::Person => ("http://members.msn.com/Edit.asp?lc=1033", "4263"),
        UrlService::Mobile => ("http://mobile.msn.com/", "4263"),
        UrlService::ChangeMobile => ("http://mobile.msn.com/edit", "4263"),
        UrlService::Profile => ("http://members.msn.com/Edit.asp?lc=1033", "4263"),
        UrlService::N2pAccount => ("http://net2phone.msn.com/account", "4263"),
        UrlService::N2pFund => ("http://net2phone.msn.com/fund", "4263"),
        _ => return None,
    })
}

impl World {
    /// URL: MODEL-URL, MODEL-URL-201.
    pub(crate) fn url(&mut self, conn: &ConnName, u: &UrlRequest<'static>, step: &mut Step) {
        match u.service.known().and_then(service_target) {
            Some((redirect, site)) => {
                let reply = Url {
                    trid: u.trid,
                    redirect: server_token(redirect),
                    login: server_token(LOGIN_URL),
                    site_id: Some(server_token(site)),
                };
                self.send(step, conn, Command::Url(reply), rules::URL);
            }
            None => self.send(
                step,
                conn,
                error(ErrorCode::INVALID_PARAMETER, u.trid),
                rules::URL_201,
            ),
        }
    }

    /// FND: MODEL-FND, MODEL-FND-201.
    pub(crate) fn fnd(&mut self, conn: &ConnName, f: &FndRequest<'static>, step: &mut Step) {
        let well_formed = f.query.iter().iter().all(|(key, value)| {
            let b = value.as_bytes();
            b.len() > key.len() && b.starts_with(key.as_bytes()) && b[key.len()] == b'='
        });
        if well_formed {
            let reply =
                Fnd::new(f.trid, 0, 0, None).expect("FND 0 0 has no result (reference §3.4 FND)");
            self.send(step, conn, Command::Fnd(Box::new(reply)), rules::FND);
        } else {
            self.send(
                step,
                conn,
                error(ErrorCode::INVALID_PARAMETER, f.trid),
                rules::FND_201,
            );
        }
    }

    /// SND / SDC: MODEL-SND, MODEL-SND-503.
    pub(crate) fn invite_by_mail(
        &mut self,
        conn: &ConnName,
        trid: TrId,
        address: &[u8],
        sdc: bool,
        step: &mut Step,
    ) {
        // SND may also name an FND result index (reference §3.4 SND; the codec's validation).
        let index = !sdc && !address.is_empty() && address.iter().all(u8::is_ascii_digit);
        if index || Handle::new(address).is_ok_and(|h| h.is_email()) {
            let ok = InviteOk { trid };
            self.send(
                step,
                conn,
                if sdc {
                    Command::SdcOk(ok)
                } else {
                    Command::SndOk(ok)
                },
                rules::SND,
            );
        } else {
            self.reply_and_close(
                conn,
                error(ErrorCode::UNSPECIFIED_FAILURE, trid),
                rules::SND_503,
                step,
            );
        }
    }

    /// PAG: MODEL-PAG.
    pub(crate) fn pag(&mut self, conn: &ConnName, p: &Pag<'static>, step: &mut Step) {
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let target = p.handle.as_bytes();
        let reachable = self
            .accounts
            .get(target)
            .is_some_and(|a| a.props.mob == "Y")
            && self.visible(target, user.as_bytes());
        if !reachable {
            self.send(
                step,
                conn,
                error(ErrorCode::RATE_LIMITED, p.trid),
                rules::PAG,
            );
        }
    }
}
