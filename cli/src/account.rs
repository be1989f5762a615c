//! `msnp6 account add|list|set|remove`: the accounts of a server's database (issue 20).
//!
//! ```text
//! msnp6 account add HANDLE [--db FILE] [--name NAME] [--password-stdin] [--verified | --unverified | --blocked | --kids]
//! msnp6 account list [--db FILE]
//! msnp6 account set HANDLE [--db FILE] (--verified | --unverified | --blocked | --kids)
//! msnp6 account remove HANDLE [--db FILE]
//! ```
//! The standing is how the account logs in (docs/msnp6-protocol.md §3.1 USR): verified
//! (`USR … OK … 1`, the default), unverified (`USR … OK … 0`, a soft warning), blocked (`924`,
//! then the server closes) or a kids account without parental consent (`923`, then the server
//! closes).
//!
//! Exit status: 0 done; 1 the account exists (`add`) or does not (`set`, `remove`); 2 a usage
//! error (a handle that is not `local@domain`, an empty or unreadable password, two standings) or
//! a database error. Passwords are never printed. A running `msnp6 serve` reads its accounts at
//! start: an account added, changed or removed while it runs takes effect at its next start
//! (docs/server.md, "Store").

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use msnp6::types::{FriendlyName, Handle};
use msnp6_server::store::{Account, SqliteStore, Standing};

use crate::diag::diag;

/// The longest password read, in bytes: a longer line is refused, never read into memory whole.
const MAX_PASSWORD: usize = 1024;

/// The default database, in the current directory (the same as `msnp6 serve`'s).
const DEFAULT_DB: &str = "msnp6.sqlite";

/// The subcommands of `account`.
#[derive(Debug, Subcommand)]
pub(crate) enum AccountCmd {
    /// Add an account. The password is read as one line from standard input: on a terminal after
    /// a prompt, and the terminal shows what you type (hiding it needs a crate this tool does not
    /// use); with --password-stdin, without a prompt (for scripts: `printf 'pw\n' | msnp6 account
    /// add …`).
    Add(AddArgs),
    /// List the accounts: handle, display name, list sizes, list version, standing (never a
    /// password).
    List(DbArg),
    /// Change an account's standing (how it logs in).
    Set(SetArgs),
    /// Remove an account, its lists, and every list entry naming it.
    Remove(RemoveArgs),
}

/// `--db FILE`.
#[derive(Debug, Args)]
pub(crate) struct DbArg {
    /// The server's database; created with its schema on first use.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_DB)]
    db: PathBuf,
}

/// The arguments of `account add`.
#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The account's handle: `local@domain`, a dot in the domain (docs/msnp6-protocol.md §14).
    handle: String,
    #[command(flatten)]
    db: DbArg,
    /// The display name (plain text; URL-encoded for the wire). Default: the handle.
    #[arg(long)]
    name: Option<String>,
    /// Read the password as the first line of standard input, without a prompt; required when
    /// standard input is not a terminal.
    #[arg(long)]
    password_stdin: bool,
    #[command(flatten)]
    standing: StandingArgs,
}

/// How the account logs in (docs/msnp6-protocol.md §3.1 USR, §4): at most one; verified when
/// none is given.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub(crate) struct StandingArgs {
    /// Verified: `USR … OK handle name 1` (the default of `add`).
    #[arg(long)]
    verified: bool,
    /// Unverified, soft warning: `USR … OK handle name 0`; renaming oneself gets 209.
    #[arg(long)]
    unverified: bool,
    /// Unverified, hard block: `924` after the right password, then the server closes.
    #[arg(long)]
    blocked: bool,
    /// A kids account without parental consent: `923` after the right password, then the
    /// server closes.
    #[arg(long)]
    kids: bool,
}

impl StandingArgs {
    /// The standing asked for, if any.
    fn get(&self) -> Option<Standing> {
        [
            (self.verified, Standing::Verified),
            (self.unverified, Standing::Unverified),
            (self.blocked, Standing::Blocked),
            (self.kids, Standing::KidWithoutConsent),
        ]
        .into_iter()
        .find_map(|(given, standing)| given.then_some(standing))
    }
}

/// The arguments of `account set`.
#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    /// The account's handle.
    handle: String,
    #[command(flatten)]
    db: DbArg,
    /// The new standing: exactly one.
    #[command(flatten)]
    standing: StandingArgs,
}

/// The arguments of `account remove`.
#[derive(Debug, Args)]
pub(crate) struct RemoveArgs {
    /// The account's handle.
    handle: String,
    #[command(flatten)]
    db: DbArg,
}

/// Runs one `account` subcommand.
pub(crate) fn run(cmd: &AccountCmd) -> ExitCode {
    let result = match cmd {
        AccountCmd::Add(args) => add(args),
        AccountCmd::List(args) => list(args),
        AccountCmd::Set(args) => set(args),
        AccountCmd::Remove(args) => remove(args),
    };
    result.unwrap_or_else(|why| {
        diag!("msnp6: {why}");
        ExitCode::from(2)
    })
}

fn open(db: &DbArg) -> Result<SqliteStore, String> {
    SqliteStore::open(&db.db).map_err(|e| format!("{}: {e}", db.db.display()))
}

/// A handle of the documented e-mail shape (reference §14), or why not.
fn handle(s: &str) -> Result<Handle<'static>, String> {
    let handle = Handle::new(s.as_bytes().to_vec()).map_err(|e| format!("handle {s:?}: {e}"))?;
    if !handle.is_email() {
        return Err(format!(
            "handle {s:?} is not local@domain with a dot in the domain (docs/msnp6-protocol.md §14)"
        ));
    }
    Ok(handle)
}

fn add(args: &AddArgs) -> Result<ExitCode, String> {
    let handle = handle(&args.handle)?;
    let name = match &args.name {
        Some(text) => FriendlyName::encode(text).map_err(|e| format!("--name: {e}"))?,
        None => FriendlyName::new(handle.as_bytes().to_vec()).map_err(|e| format!("{e}"))?,
    };
    let password = read_password(&handle, args.password_stdin)?;
    let mut store = open(&args.db)?;
    let mut account = Account::new(handle.clone(), &password, name);
    account.standing = args.standing.get().unwrap_or_default();
    if store.add_account(account).map_err(|e| e.to_string())? {
        Ok(ExitCode::SUCCESS)
    } else {
        diag!("msnp6: account {handle} exists");
        Ok(ExitCode::from(1))
    }
}

/// One line of standard input (its CR LF or LF removed): after a prompt on a terminal, or
/// as is with `--password-stdin`. Empty, longer than [`MAX_PASSWORD`] or not UTF-8: refused.
fn read_password(handle: &Handle<'_>, from_stdin: bool) -> Result<String, String> {
    let stdin = std::io::stdin();
    if !from_stdin {
        if !stdin.is_terminal() {
            return Err("standard input is not a terminal: use --password-stdin".into());
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "Password for {handle} (shown as you type): ");
        let _ = err.flush();
    }
    let mut line = Vec::new();
    // At most the password, CR LF: a longer line is cut here and refused below.
    let limit = u64::try_from(MAX_PASSWORD + 2).unwrap_or(u64::MAX);
    stdin
        .lock()
        .take(limit)
        .read_until(b'\n', &mut line)
        .map_err(|e| format!("reading the password: {e}"))?;
    let ended = line.ends_with(b"\n");
    if ended {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
    }
    if line.len() > MAX_PASSWORD {
        return Err(format!("the password is longer than {MAX_PASSWORD} bytes"));
    }
    if line.is_empty() {
        return Err("the password is empty".into());
    }
    String::from_utf8(line).map_err(|_| "the password is not UTF-8".into())
}

fn list(args: &DbArg) -> Result<ExitCode, String> {
    let accounts = open(args)?.accounts().map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    for a in &accounts {
        let [fl, al, bl, rl] = a.lists.each_ref().map(Vec::len);
        let written = writeln!(
            out,
            "{} {} FL={fl} AL={al} BL={bl} RL={rl} version={} standing={}",
            a.handle, a.name, a.list_version, a.standing
        );
        if let Err(e) = written {
            return Err(format!("writing output: {e}"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn set(args: &SetArgs) -> Result<ExitCode, String> {
    let handle = handle(&args.handle)?;
    let Some(standing) = args.standing.get() else {
        return Err("give the new standing: --verified, --unverified, --blocked or --kids".into());
    };
    if open(&args.db)?
        .set_standing(&handle, standing)
        .map_err(|e| e.to_string())?
    {
        Ok(ExitCode::SUCCESS)
    } else {
        diag!("msnp6: no account {handle}");
        Ok(ExitCode::from(1))
    }
}

fn remove(args: &RemoveArgs) -> Result<ExitCode, String> {
    let handle = handle(&args.handle)?;
    if open(&args.db)?
        .remove_account(&handle)
        .map_err(|e| e.to_string())?
    {
        Ok(ExitCode::SUCCESS)
    } else {
        diag!("msnp6: no account {handle}");
        Ok(ExitCode::from(1))
    }
}
