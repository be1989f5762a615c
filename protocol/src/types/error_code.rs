//! Numeric error replies `NNN TrID` (reference §1.3, §4).

use core::fmt;

use super::InvalidValue;

/// A three-digit error code (reference §4). Any code `100 … 999` can be carried; the documented
/// ones have a [`description`](ErrorCode::description) and, where the 1999 draft gave one, a
/// [`draft_name`](ErrorCode::draft_name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode(u16);

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ErrorCode {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ErrorCode(u.int_in_range(100..=999)?))
    }
}

/// One row of the error table of reference §4: code, draft constant name, meaning.
type Row = (u16, Option<&'static str>, &'static str);

/// The error table of reference §4 (ranges listed there are expanded).
const TABLE: &[Row] = &[
    (100, None, "unknown (MSNP2, not in draft)"),
    (146, None, "unknown (MSNP2, not in draft)"),
    (200, Some("ERR_SYNTAX_ERROR"), "syntax error"),
    (201, Some("ERR_INVALID_PARAMETER"), "invalid parameter"),
    (203, None, "invalid federated user"),
    (204, None, "user's network unavailable"),
    (
        205,
        Some("ERR_INVALID_USER"),
        "invalid or non-existent user",
    ),
    (
        206,
        Some("ERR_FQDN_MISSING"),
        "domain part of handle missing",
    ),
    (207, Some("ERR_ALREADY_LOGIN"), "already logged in"),
    (208, Some("ERR_INVALID_USERNAME"), "invalid user name"),
    (
        209,
        Some("ERR_INVALID_FRIENDLY_NAME"),
        "friendly name not allowed",
    ),
    (210, Some("ERR_LIST_FULL"), "list full"),
    (211, None, "unknown (MSNP2, not in draft)"),
    (212, None, "unexpected"),
    (213, None, "user does not exist / invalid rename request"),
    (
        215,
        Some("ERR_ALREADY_THERE"),
        "already on that list / already in session",
    ),
    (216, Some("ERR_NOT_ON_LIST"), "not on list"),
    (217, None, "user not accepting instant messages / offline"),
    (218, Some("ERR_ALREADY_IN_THE_MODE"), "already in that mode"),
    (
        219,
        Some("ERR_ALREADY_IN_OPPOSITE_LIST"),
        "user is in the opposite list",
    ),
    (220, None, "user not accepting pages"),
    (224, None, "group does not exist (MSNP7+)"),
    (225, None, "user not in that group (MSNP7+)"),
    (232, None, "invalid mobile number"),
    (233, None, "unknown mobile number"),
    (234, None, "unknown Japanese mobile domain"),
    (240, None, "invalid XML"),
    (241, None, "invalid XML data"),
    (280, Some("ERR_SWITCHBOARD_FAILED"), "switchboard failed"),
    (
        281,
        Some("ERR_NOTIFY_XFR_FAILED"),
        "transfer to switchboard failed",
    ),
    (282, None, "badly formatted MSG D (MSNP9+)"),
    (
        300,
        Some("ERR_REQUIRED_FIELDS_MISSING"),
        "required fields missing",
    ),
    (301, None, "too many FND results"),
    (302, Some("ERR_NOT_LOGGED_IN"), "not logged in"),
    (400, None, "address-book / subscription / market error"),
    (401, None, "address-book / subscription / market error"),
    (402, None, "address-book / subscription / market error"),
    (403, None, "address-book / subscription / market error"),
    (404, None, "address-book / subscription / market error"),
    (405, None, "address-book / subscription / market error"),
    (406, None, "address-book / subscription / market error"),
    (407, None, "address-book / subscription / market error"),
    (408, None, "address-book / subscription / market error"),
    (409, None, "address-book / subscription / market error"),
    (410, None, "address-book / subscription / market error"),
    (411, None, "address-book / subscription / market error"),
    (412, None, "address-book / subscription / market error"),
    (413, None, "address-book / subscription / market error"),
    (414, None, "address-book / subscription / market error"),
    (415, None, "address-book / subscription / market error"),
    (416, None, "address-book / subscription / market error"),
    (417, None, "address-book / subscription / market error"),
    (418, None, "address-book / subscription / market error"),
    (419, None, "address-book / subscription / market error"),
    (420, None, "invitation required / unknown client version"),
    (500, Some("ERR_INTERNAL_SERVER"), "internal server error"),
    (501, Some("ERR_DB_SERVER"), "database failure"),
    (502, None, "command disabled"),
    (503, None, "unspecified failure"),
    (504, None, "UPS failure"),
    (505, None, "SCS failure"),
    (508, None, "federation failure"),
    (509, None, "UUM failure"),
    (510, Some("ERR_FILE_OPERATION"), "file operation failed"),
    (511, None, "platform failure"),
    (520, Some("ERR_MEMORY_ALLOC"), "memory allocation failed"),
    (540, None, "challenge response wrong"),
    (600, Some("ERR_SERVER_BUSY"), "server busy"),
    (601, Some("ERR_SERVER_UNAVAILABLE"), "server unavailable"),
    (
        602,
        Some("ERR_PEER_NS_DOWN"),
        "peer notification server down",
    ),
    (603, Some("ERR_DB_CONNECT"), "database connect failed"),
    (604, Some("ERR_SERVER_GOING_DOWN"), "server going down"),
    (606, None, "paging unavailable"),
    (
        707,
        Some("ERR_CREATE_CONNECTION"),
        "could not create connection",
    ),
    (
        710,
        None,
        "paging unavailable / invalid language id (sources conflict)",
    ),
    (711, Some("ERR_BLOCKING_WRITE"), "blocking write"),
    (712, Some("ERR_SESSION_OVERLOAD"), "session overload"),
    (713, Some("ERR_USER_TOO_ACTIVE"), "user too active"),
    (714, Some("ERR_TOO_MANY_SESSIONS"), "too many sessions"),
    (715, Some("ERR_NOT_EXPECTED"), "command not expected"),
    (717, Some("ERR_BAD_FRIEND_FILE"), "corrupt contact list"),
    (718, None, "restricted / federated error"),
    (719, None, "restricted / federated error"),
    (726, None, "restricted / federated error"),
    (729, None, "restricted / federated error"),
    (731, None, "invalid CVQ parameters"),
    (800, None, "rate limited"),
    (910, None, "server too busy to authenticate"),
    (
        911,
        Some("ERR_AUTHENTICATION_FAILED"),
        "authentication failed",
    ),
    (912, None, "unknown (MSNP2, not in draft)"),
    (
        913,
        Some("ERR_NOT_ALLOWED_WHEN_OFFLINE"),
        "not allowed while hidden or offline",
    ),
    (914, None, "unknown (MSNP2, not in draft)"),
    (915, None, "unknown (introduced in MSNP6)"),
    (916, None, "unknown (introduced in MSNP6)"),
    (917, None, "invalid domain at authentication"),
    (918, None, "internal server error"),
    (919, None, "internal server error"),
    (
        920,
        Some("ERR_NOT_ACCEPTING_NEW_USERS"),
        "not accepting new users",
    ),
    (921, None, "server too busy to authenticate"),
    (922, None, "server too busy"),
    (923, None, "child account lacks parental consent"),
    (924, None, "account e-mail address not verified"),
    (
        926,
        None,
        "managed / restricted / federated / password error",
    ),
    (
        927,
        None,
        "managed / restricted / federated / password error",
    ),
    (
        928,
        None,
        "managed / restricted / federated / password error",
    ),
    (
        929,
        None,
        "managed / restricted / federated / password error",
    ),
    (
        930,
        None,
        "managed / restricted / federated / password error",
    ),
    (931, None, "wrong server for this account"),
    (
        934,
        None,
        "managed / restricted / federated / password error",
    ),
];

impl ErrorCode {
    /// `201`: invalid parameter.
    pub const INVALID_PARAMETER: ErrorCode = ErrorCode(201);
    /// `205`: invalid or non-existent user.
    pub const INVALID_USER: ErrorCode = ErrorCode(205);
    /// `207`: already logged in.
    pub const ALREADY_LOGGED_IN: ErrorCode = ErrorCode(207);
    /// `208`: invalid user name.
    pub const INVALID_USERNAME: ErrorCode = ErrorCode(208);
    /// `209`: friendly name not allowed.
    pub const INVALID_FRIENDLY_NAME: ErrorCode = ErrorCode(209);
    /// `210`: list full.
    pub const LIST_FULL: ErrorCode = ErrorCode(210);
    /// `215`: already there.
    pub const ALREADY_THERE: ErrorCode = ErrorCode(215);
    /// `216`: not on list.
    pub const NOT_ON_LIST: ErrorCode = ErrorCode(216);
    /// `217`: user offline / not accepting IMs.
    pub const NOT_ACCEPTING: ErrorCode = ErrorCode(217);
    /// `218`: already in that mode.
    pub const ALREADY_IN_MODE: ErrorCode = ErrorCode(218);
    /// `219`: user is in the opposite list.
    pub const IN_OPPOSITE_LIST: ErrorCode = ErrorCode(219);
    /// `503`: unspecified failure.
    pub const UNSPECIFIED_FAILURE: ErrorCode = ErrorCode(503);
    /// `540`: challenge response wrong.
    pub const CHALLENGE_FAILED: ErrorCode = ErrorCode(540);
    /// `710`: invalid locale id (CVQ) / paging unavailable (reference §13.7).
    pub const INVALID_LOCALE: ErrorCode = ErrorCode(710);
    /// `715`: command not expected.
    pub const NOT_EXPECTED: ErrorCode = ErrorCode(715);
    /// `800`: rate limited.
    pub const RATE_LIMITED: ErrorCode = ErrorCode(800);
    /// `911`: authentication failed.
    pub const AUTHENTICATION_FAILED: ErrorCode = ErrorCode(911);
    /// `913`: not allowed while hidden or offline.
    pub const NOT_ALLOWED_WHEN_OFFLINE: ErrorCode = ErrorCode(913);
    /// `923`: child account lacks consent.
    pub const KIDS_ACCOUNT: ErrorCode = ErrorCode(923);
    /// `924`: account not verified.
    pub const NOT_VERIFIED: ErrorCode = ErrorCode(924);

    /// Builds a code; refuses numbers outside `100 … 999`.
    pub const fn new(code: u16) -> Result<Self, InvalidValue> {
        if code >= 100 && code <= 999 {
            Ok(ErrorCode(code))
        } else {
            Err(InvalidValue::OutOfRange {
                value: code as u64,
                min: 100,
                max: 999,
            })
        }
    }

    /// The number.
    pub const fn get(self) -> u16 {
        self.0
    }

    fn row(self) -> Option<&'static Row> {
        TABLE
            .binary_search_by_key(&self.0, |r| r.0)
            .ok()
            .and_then(|i| TABLE.get(i))
    }

    /// Whether reference §4 lists this code.
    pub fn is_documented(self) -> bool {
        self.row().is_some()
    }

    /// The documented meaning (reference §4), if any.
    pub fn description(self) -> Option<&'static str> {
        self.row().map(|r| r.2)
    }

    /// The constant name of the 1999 IETF draft (e.g. `ERR_INVALID_PARAMETER`), if it has one.
    pub fn draft_name(self) -> Option<&'static str> {
        self.row().and_then(|r| r.1)
    }

    /// Every documented code, ascending.
    pub fn documented() -> impl Iterator<Item = ErrorCode> {
        TABLE.iter().map(|r| ErrorCode(r.0))
    }

    /// The three ASCII digits.
    pub(crate) fn digits(self) -> [u8; 3] {
        // `new` keeps the value in 100..=999, so each digit fits in a u8.
        let n = self.0;
        [
            b'0' + (n / 100 % 10) as u8,
            b'0' + (n / 10 % 10) as u8,
            b'0' + (n % 10) as u8,
        ]
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_in_range() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TABLE.iter().all(|r| (100..=999).contains(&r.0)));
    }

    #[test]
    fn lookup() {
        assert_eq!(
            ErrorCode::AUTHENTICATION_FAILED.draft_name(),
            Some("ERR_AUTHENTICATION_FAILED")
        );
        assert_eq!(
            ErrorCode::CHALLENGE_FAILED.description(),
            Some("challenge response wrong")
        );
        assert!(!ErrorCode(999).is_documented());
        assert!(ErrorCode::new(99).is_err());
        assert!(ErrorCode::new(1000).is_err());
        assert_eq!(ErrorCode(540).digits(), *b"540");
    }
}
