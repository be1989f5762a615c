//! `msnp6 transcript verify`: runs the monitor (`msnp6_oracle::monitor`) on transcripts.
//!
//! ```text
//! msnp6 transcript verify [--account HANDLE:PASSWORD]... [--dialect MSNPn] [--json] FILE...
//! ```
//! Exit status: 0 when every file is a transcript with no server-side violation, 1 otherwise (a
//! file that is empty, has a NUL byte or has no protocol line is not a transcript), 2 for usage
//! or I/O errors.
//! Client-side violations are reported but do not change the exit status. The human output shows
//! at most [`CAP`] violations of one rule per file, then how many more.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use msnp6::Dialect;
use msnp6_oracle::monitor::{Report, Verifier, VerifyOptions};
use serde_json::json;

use crate::diag::{CAP, Capped, diag, plural};
use crate::input::{Load, load, open};

/// The arguments of `transcript verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// An account's password, to check its MD5 login digest (`HANDLE:PASSWORD`; may repeat).
    /// Without it the digest is checked for shape only.
    #[arg(long = "account", value_name = "HANDLE:PASSWORD", value_parser = parse_account)]
    accounts: Vec<(String, String)>,
    /// Dialect of every connection until the server's VER reply chooses one (default MSNP6).
    #[arg(long, value_parser = parse_dialect)]
    dialect: Option<Dialect>,
    /// One JSON object per violation, then one per file.
    #[arg(long)]
    json: bool,
    /// Transcript files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
}

fn parse_account(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((h, p)) if !h.is_empty() => Ok((h.to_owned(), p.to_owned())),
        _ => Err(format!("`{s}` is not HANDLE:PASSWORD")),
    }
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse::<Dialect>().map_err(|e| e.to_string())
}

/// Runs `transcript verify`.
pub(crate) fn run(args: &VerifyArgs) -> ExitCode {
    let options = VerifyOptions {
        accounts: args.accounts.clone(),
        dialect: args.dialect,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_conform = true;
    for file in &args.files {
        let loaded = match open(file).and_then(|source| load(file, source)) {
            Ok(l) => l,
            Err(e) => {
                diag!("msnp6: {file}: {e}");
                return ExitCode::from(2);
            }
        };
        let written = match loaded {
            Load::NotATranscript(why) => {
                all_conform = false;
                print_not_a_transcript(&mut out, file, &why, args.json)
            }
            Load::Transcript(mut loaded) => {
                let mut verifier = Verifier::new(&options);
                if let Err(e) = loaded.for_each(|t, item| verifier.item(t, item)) {
                    diag!("msnp6: {file}: {e}");
                    return ExitCode::from(2);
                }
                let report = verifier.finish();
                all_conform &= report.conforms;
                if args.json {
                    print_json(&mut out, file, &report)
                } else {
                    print_human(&mut out, file, &report)
                }
            }
        };
        if let Err(e) = written {
            diag!("msnp6: writing output: {e}");
            return ExitCode::from(2);
        }
    }
    if all_conform {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_json(out: &mut impl Write, file: &str, report: &Report) -> std::io::Result<()> {
    for v in &report.violations {
        let o = json!({
            "file": file,
            "line": v.line,
            "connection": v.connection,
            "side": v.side.as_str(),
            "rule": v.rule,
            "section": v.section,
            "message": v.message,
        });
        writeln!(out, "{o}")?;
    }
    writeln!(
        out,
        "{}",
        json!({ "file": file, "conforms": report.conforms })
    )
}

/// The one summary line of a file that is not a transcript.
fn print_not_a_transcript(
    out: &mut impl Write,
    file: &str,
    why: &str,
    json: bool,
) -> std::io::Result<()> {
    if json {
        let o = json!({ "file": file, "conforms": false, "error": why });
        writeln!(out, "{o}")
    } else {
        writeln!(out, "{file}: not a transcript: {why}")
    }
}

fn print_human(out: &mut impl Write, file: &str, report: &Report) -> std::io::Result<()> {
    let mut capped = Capped::new();
    for v in &report.violations {
        if capped.admit(&(v.side, v.rule), v.line) {
            writeln!(
                out,
                "{file}:{}: [{}] {} {} (§{}): {}",
                v.line, v.connection, v.side, v.rule, v.section, v.message
            )?;
        }
    }
    for ((side, rule), n, first) in capped.hidden() {
        writeln!(
            out,
            "{file}: {} not shown (the first at line {first}; at most {CAP} per rule)",
            plural(n, &format!("more {side} {rule} violation"))
        )?;
    }
    let server = report.server_violations().count();
    let client = report.client_violations().count();
    let verdict = if report.conforms {
        "conforms"
    } else {
        "does not conform"
    };
    writeln!(
        out,
        "{file}: {verdict} ({server} server violation(s), {client} client violation(s))"
    )
}
