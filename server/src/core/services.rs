//! Services (reference §3.3 IMS, §3.4): URL, FND, SND/SDC, PAG, IMS, and PNG (§3.1).

use msnp6::commands::Bare;
use msnp6::commands::Command;
use msnp6::commands::presence::Ims;
use msnp6::commands::services::{Fnd, InviteOk, Url};
use msnp6::types::{ErrorCode, ImsState, Property, Token, TrId, UrlService};

use super::machine::{error, send};
use super::users::UserId;
use super::{ConnId, Core, Output};

/// The Passport login URL of the documented URL replies (reference §3.4 URL).
const LOGIN_URL: &[u8] = b"https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033";

impl Core {
    /// `URL TrID service [param]` (reference §3.4 URL; docs/model.md MODEL-URL, MODEL-URL-201):
    /// `PASSWORD` (dropped in MSNP3) is `201`.
    pub(crate) fn url(
        &mut self,
        conn: ConnId,
        trid: TrId,
        service: UrlService,
        out: &mut Vec<Output>,
    ) {
        let Some((redirect, site)) = url_target(service) else {
            return send(out, conn, error(ErrorCode::INVALID_PARAMETER, trid));
        };
        let url = Url {
            trid,
            redirect: Token::from_static(redirect),
            login: Token::from_static(LOGIN_URL),
            site_id: Some(Token::from_static(site)),
        };
        send(out, conn, Command::Url(url));
    }

    /// `FND …` (reference §3.4 FND): no member directory, so always `FND TrID 0 0`.
    pub(crate) fn fnd(&mut self, conn: ConnId, trid: TrId, out: &mut Vec<Output>) {
        if let Ok(f) = Fnd::new(trid, 0, 0, None) {
            send(out, conn, Command::Fnd(Box::new(f)));
        }
    }

    /// `SND`/`SDC` (reference §3.4): no mail is sent; the invitation is acknowledged.
    pub(crate) fn invite_ok(&mut self, conn: ConnId, trid: TrId, sdc: bool, out: &mut Vec<Output>) {
        let ok = InviteOk { trid };
        send(
            out,
            conn,
            if sdc {
                Command::SdcOk(ok)
            } else {
                Command::SndOk(ok)
            },
        );
    }

    /// `PAG TrID handle length` (reference §3.4 PAG; docs/model.md MODEL-PAG): no positive
    /// reply when the target has MOB Y and lets the sender see it; else `800`. No mobile gateway
    /// exists, so nothing is delivered.
    pub(crate) fn pag(
        &mut self,
        conn: ConnId,
        user: UserId,
        trid: TrId,
        handle: &[u8],
        out: &mut Vec<Output>,
    ) {
        let reachable = self.users.id(handle).is_some_and(|t| {
            self.users
                .property(t, Property::MobileContact)
                .is_some_and(|v| v.as_bytes() == b"Y")
                && self.users.visible(t, user)
        });
        if !reachable {
            send(out, conn, error(ErrorCode::RATE_LIMITED, trid));
        }
    }

    /// `IMS TrID ON|OFF` → `IMS TrID 0 ON|OFF` (reference §3.3 IMS); OFF makes the user
    /// uncallable.
    pub(crate) fn ims(&mut self, conn: ConnId, trid: TrId, state: ImsState, out: &mut Vec<Output>) {
        if let Some(s) = self.conns.get_mut(&conn).and_then(|c| c.session_mut()) {
            s.ims_off = state == ImsState::Off;
        }
        send(
            out,
            conn,
            Command::Ims(Ims {
                trid,
                unknown: 0,
                state: state.into(),
            }),
        );
    }

    /// `PNG` → `QNG` (reference §3.1 PNG/QNG).
    pub(crate) fn png(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        send(out, conn, Command::Qng(Bare {}));
    }
}

/// The redirect URL and site id per service: the documented ones for INBOX and PROFILE
/// (reference §3.4 URL examples); for the others, which the reference gives no example of, the
/// same pages of the era as the reference state machine (docs/model.md `MODEL-URL`), so that the
/// lockstep comparison holds (server/LOCKSTEP-FINDINGS.md).
fn url_target(service: UrlService) -> Option<(&'static [u8], &'static [u8])> {
    Some(match service {
        UrlService::Inbox => (b"/cgi-bin/HoTMaiL", b"2"),
        UrlService::Compose => (b"/cgi-bin/compose", b"2"),
        UrlService::Message => (b"/cgi-bin/HoTMaiL", b"2"),
        UrlService::Folders => (b"/cgi-bin/folders", b"2"),
        UrlService::Person => (b"http://members.msn.com/Edit.asp?lc=1033", b"4263"),
        UrlService::Mobile => (b"http://mobile.msn.com/", b"4263"),
        UrlService::ChangeMobile => (b"http://mobile.msn.com/edit", b"4263"),
        UrlService::Profile => (b"http://members.msn.com/Edit.asp?lc=1033", b"4263"),
        UrlService::N2pAccount => (b"http://net2phone.msn.com/account", b"4263"),
        UrlService::N2pFund => (b"http://net2phone.msn.com/fund", b"4263"),
        _ => return None,
    })
}
