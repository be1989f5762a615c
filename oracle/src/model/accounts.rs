//! Accounts: handle, password, display name, verification, the four lists with their stored
//! names, one list version, GTC, BLP and the phone properties (reference §3.2, §6, §14).

use msnp6::types::{FriendlyName, GtcMode, Handle, List, Privacy, Token};

/// How an account logs in (reference §3.1 USR, §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Verification {
    /// Verified: `USR … OK handle name 1`.
    #[default]
    Verified,
    /// Unverified, soft warning (MSNP6): `USR … OK handle name 0`; renaming oneself gives 209.
    Unverified,
    /// Unverified, hard block (MSNP5+): `924` after a right digest.
    Blocked,
    /// A kids account without parental consent (MSNP4+): `923` after a right digest.
    KidWithoutConsent,
}

/// An account as a scenario declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSpec {
    /// The handle (`local@domain`).
    pub handle: String,
    /// The password (MD5 login digest input, reference §3.1).
    pub password: String,
    /// The display name, URL-encoded as on the wire (e.g. `example%20user`).
    pub name: String,
    /// How the account logs in.
    pub verification: Verification,
    /// The list version the account starts with (0 for a new account).
    pub list_version: u32,
}

impl AccountSpec {
    /// A verified account.
    pub fn new(handle: &str, password: &str, name: &str) -> Self {
        AccountSpec {
            handle: handle.to_owned(),
            password: password.to_owned(),
            name: name.to_owned(),
            verification: Verification::Verified,
            list_version: 0,
        }
    }

    /// The same account with another verification state.
    pub fn with_verification(mut self, verification: Verification) -> Self {
        self.verification = verification;
        self
    }

    /// The same account starting at another list version (e.g. to replay a documented SYN).
    pub fn with_list_version(mut self, version: u32) -> Self {
        self.list_version = version;
        self
    }
}

/// One list entry: a handle and the name stored for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) handle: Handle<'static>,
    pub(crate) name: FriendlyName<'static>,
}

/// The phone properties of an account (reference §3.2 PRP/BPR). `MOB` and `MBE` default to `N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Properties {
    pub(crate) home: Option<Token<'static>>,
    pub(crate) work: Option<Token<'static>>,
    pub(crate) mobile: Option<Token<'static>>,
    pub(crate) mob: Token<'static>,
    pub(crate) mbe: Token<'static>,
}

/// The most entries FL, AL and BL may hold (reference §12, §14: 150 in March 2003).
pub(crate) const LIST_LIMIT: usize = 150;

/// An account's server-side state.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) handle: Handle<'static>,
    pub(crate) password: String,
    pub(crate) name: FriendlyName<'static>,
    pub(crate) verification: Verification,
    pub(crate) fl: Vec<Entry>,
    pub(crate) al: Vec<Entry>,
    pub(crate) bl: Vec<Entry>,
    pub(crate) rl: Vec<Entry>,
    pub(crate) version: u32,
    pub(crate) gtc: GtcMode,
    pub(crate) blp: Privacy,
    pub(crate) props: Properties,
}

/// Builds a token from a value the model itself made (digits, dots, letters): never fails.
pub(crate) fn server_token(s: &str) -> Token<'static> {
    let mut bytes: Vec<u8> = s
        .bytes()
        .filter(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0))
        .collect();
    bytes.truncate(msnp6::types::MAX_TOKEN_LEN);
    if bytes.is_empty() {
        bytes.push(b'0');
    }
    match Token::new(bytes) {
        Ok(t) => t,
        // Unreachable: the bytes above satisfy the token rule.
        Err(_) => Token::from_static(b"0").into_owned(),
    }
}

impl Account {
    /// An account from its spec; `None` if the handle or name is not a valid wire value.
    pub(crate) fn from_spec(spec: &AccountSpec) -> Option<Account> {
        Some(Account {
            handle: Handle::new(spec.handle.clone().into_bytes()).ok()?,
            password: spec.password.clone(),
            name: FriendlyName::new(spec.name.clone().into_bytes()).ok()?,
            verification: spec.verification,
            fl: Vec::new(),
            al: Vec::new(),
            bl: Vec::new(),
            rl: Vec::new(),
            version: spec.list_version,
            gtc: GtcMode::Ask,
            blp: Privacy::AllowAll,
            props: Properties {
                home: None,
                work: None,
                mobile: None,
                mob: server_token("N"),
                mbe: server_token("N"),
            },
        })
    }

    /// The list (FL, AL, BL or RL).
    pub(crate) fn list(&self, list: List) -> &Vec<Entry> {
        match list {
            List::Forward => &self.fl,
            List::Allow => &self.al,
            List::Block => &self.bl,
            _ => &self.rl,
        }
    }

    /// The list, mutably.
    pub(crate) fn list_mut(&mut self, list: List) -> &mut Vec<Entry> {
        match list {
            List::Forward => &mut self.fl,
            List::Allow => &mut self.al,
            List::Block => &mut self.bl,
            _ => &mut self.rl,
        }
    }

    /// Whether `handle` is on `list`.
    pub(crate) fn has(&self, list: List, handle: &[u8]) -> bool {
        self.list(list)
            .iter()
            .any(|e| e.handle.as_bytes() == handle)
    }

    /// Adds one to the list version (reference §3.2: every change adds one) and returns it.
    pub(crate) fn bump(&mut self) -> u32 {
        self.version = self.version.saturating_add(1);
        self.version
    }

    /// visible(self → watcher) of reference §14: the watcher is not self, not on BL, and on AL or
    /// BLP is AL.
    pub(crate) fn lets_see(&self, watcher: &[u8]) -> bool {
        watcher != self.handle.as_bytes()
            && !self.has(List::Block, watcher)
            && (self.has(List::Allow, watcher) || self.blp == Privacy::AllowAll)
    }

    /// The value of a property, in the order PHH, PHW, PHM, MOB, MBE.
    pub(crate) fn property(&self, p: msnp6::types::Property) -> Option<Token<'static>> {
        use msnp6::types::Property;
        match p {
            Property::HomePhone => self.props.home.clone(),
            Property::WorkPhone => self.props.work.clone(),
            Property::MobilePhone => self.props.mobile.clone(),
            Property::MobileContact => Some(self.props.mob.clone()),
            _ => Some(self.props.mbe.clone()),
        }
    }
}
