//! `msnp6`: check and verify MSNP6 transcripts, compute challenge responses.
//!
//! ```text
//! msnp6 transcript check [--lenient] [--dialect MSNPn] [--json] FILE...   (- reads stdin)
//! msnp6 transcript verify [--account HANDLE:PASSWORD]... [--dialect MSNPn] [--json] FILE...   (- reads stdin)
//! msnp6 challenge CHALLENGE [--key PUBLIC_KEY | --private-key KEY]
//! msnp6 account add HANDLE [--db FILE] [--name NAME] [--password-stdin] [--verified | --unverified | --blocked | --kids]
//! msnp6 account list [--db FILE]
//! msnp6 account set HANDLE [--db FILE] (--verified | --unverified | --blocked | --kids)
//! msnp6 account remove HANDLE [--db FILE]
//! msnp6 serve [--db FILE] [--ds ADDR] [--ns ADDR] [--sb ADDR] [--public-host HOST] [--max-connections N]
//! msnp6 serve --reference [--ds ADDR] [--ns ADDR] [--sb ADDR] [--account HANDLE:PASSWORD]... [--seed S] [--time-limit SECONDS]
//! msnp6 probe [--ds ADDR] [--ns ADDR] --account HANDLE:PASSWORD... [--sessions N] [--seed S] [--time-limit SECONDS] [--reply-timeout MS] [--out DIR] [--json]
//! ```
//! Exit status: 0 success; 1 a line did not check (`check`), the server side broke a rule
//! (`verify`, `probe`), or a file is not a transcript (empty, binary, or no protocol line); 2 usage
//! or I/O error, a string that is not a challenge, or (`probe`) a server that is unreachable or
//! refuses MSNP6. `account`: 1 the account exists (`add`) or does not (`set`, `remove`), 2 a
//! usage or database error. `serve`: 0 after SIGINT or SIGTERM, 1 when a commit to the database
//! failed (it stops by itself), 2 when it cannot start. Transcripts follow
//! `docs/transcript-format.md`.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use msnp6::Dialect;
use msnp6_oracle::check::{CheckOptions, LineReport, Outcome, check_line};
use serde_json::json;

mod account;
mod challenge;
mod diag;
mod input;
mod probe;
mod serve;
mod serve_reference;
mod verify;

use diag::{diag, plural};
use input::{Load, load, open};

#[derive(Debug, Parser)]
#[command(
    name = "msnp6",
    version,
    about = "MSNP6 (MSN Messenger 3.6) protocol tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(Debug, Subcommand)]
enum Top {
    /// Read transcripts (format: docs/transcript-format.md in the msnp6-lab repository).
    #[command(subcommand)]
    Transcript(TranscriptCmd),
    /// Print the QRY response to a CHL challenge: lower-case hex MD5(challenge + private key)
    /// (docs/msnp6-protocol.md §9).
    Challenge(challenge::ChallengeArgs),
    /// Add, list, change or remove the accounts of a server's database (default msnp6.sqlite).
    #[command(subcommand)]
    Account(account::AccountCmd),
    /// Run the MSNP6 server (DS, NS, SB) on a database (default msnp6.sqlite) until SIGINT or
    /// SIGTERM.
    Serve(serve::ServeArgs),
    /// Judge a running MSNP6 server: generated client sessions over TCP, every frame judged by
    /// the reference monitor, each rule broken shrunk to a small transcript.
    Probe(probe::ProbeArgs),
}

#[derive(Debug, Subcommand)]
enum TranscriptCmd {
    /// Decode every protocol line in its direction and on its connection, re-encode it and
    /// compare the bytes.
    Check(CheckArgs),
    /// Judge whether the server side of each transcript conforms (the monitor).
    Verify(verify::VerifyArgs),
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Accept what real peers send (bare LF, repeated spaces or tabs, whitespace before the verb
    /// or after the last parameter, the MDS typo), reported as warnings and result "lenient".
    #[arg(long)]
    lenient: bool,
    /// Dialect used for every line of every file: MSNP2 … MSNP7 or CVR0.
    #[arg(long, default_value = "MSNP6", value_parser = parse_dialect)]
    dialect: Dialect,
    /// One JSON object per protocol line.
    #[arg(long)]
    json: bool,
    /// Transcript files; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse::<Dialect>().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Top::Challenge(args) => challenge::run(&args),
        Top::Account(cmd) => account::run(&cmd),
        Top::Serve(args) => serve::run(&args),
        Top::Transcript(TranscriptCmd::Check(args)) => transcript_check(&args),
        Top::Transcript(TranscriptCmd::Verify(args)) => verify::run(&args),
        Top::Probe(args) => probe::run_probe(args),
    }
}

fn transcript_check(args: &CheckArgs) -> ExitCode {
    let options = CheckOptions {
        lenient: args.lenient,
        dialect: args.dialect,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_good = true;
    for file in &args.files {
        let loaded = match open(file).and_then(|source| load(file, source)) {
            Ok(l) => l,
            Err(e) => {
                diag!("msnp6: {file}: {e}");
                return ExitCode::from(2);
            }
        };
        let result = match loaded {
            Load::NotATranscript(why) => {
                all_good = false;
                print_not_a_transcript(&mut out, file, &why, args.json)
            }
            Load::Transcript(mut loaded) => {
                let mut printer = Printer::new(file, args.json);
                let mut written = Ok(());
                let read = loaded.for_each(|t, item| {
                    if let (msnp6_oracle::transcript::Item::Line(line), Ok(())) = (item, &written) {
                        let r = check_line(t, line, &options);
                        all_good &= matches!(r.outcome, Outcome::Ok)
                            || (args.lenient && r.outcome == Outcome::Lenient);
                        written = printer.report(&mut out, &r);
                    }
                });
                if let Err(e) = read {
                    diag!("msnp6: {file}: {e}");
                    return ExitCode::from(2);
                }
                all_good &= loaded.problems == 0 && (args.lenient || !loaded.crlf);
                written.and_then(|()| printer.summary(&mut out))
            }
        };
        if let Err(e) = result {
            diag!("msnp6: writing output: {e}");
            return ExitCode::from(2);
        }
    }
    if all_good {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints one file's line reports as they come (one JSON object per line, or one text line),
/// then, in text, the file's counts.
struct Printer<'a> {
    file: &'a str,
    json: bool,
    /// Lines ok, lenient, error.
    counts: [usize; 3],
}

impl<'a> Printer<'a> {
    fn new(file: &'a str, json: bool) -> Self {
        Printer {
            file,
            json,
            counts: [0; 3],
        }
    }

    fn report(&mut self, out: &mut impl Write, r: &LineReport) -> std::io::Result<()> {
        let idx = match r.outcome {
            Outcome::Ok => 0,
            Outcome::Lenient => 1,
            _ => 2,
        };
        self.counts[idx] += 1;
        if self.json {
            print_json(out, self.file, r)
        } else {
            print_human(out, self.file, r)
        }
    }

    fn summary(&self, out: &mut impl Write) -> std::io::Result<()> {
        if self.json {
            return Ok(());
        }
        let [ok, lenient, error] = self.counts;
        writeln!(
            out,
            "{}: {}: {ok} ok, {lenient} lenient, {error} error",
            self.file,
            plural(ok + lenient + error, "line"),
        )
    }
}

fn print_json(out: &mut impl Write, file: &str, r: &LineReport) -> std::io::Result<()> {
    let mut o = json!({
        "file": file,
        "line": r.line,
        "dir": r.direction.letter().to_string(),
        "server": r.server.map(|s| s.as_str()),
        "command": r.command,
        "result": r.outcome.as_str(),
        "warnings": r.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    if let Outcome::Error(e) = &r.outcome {
        o["error"] = json!(e);
    }
    if let Some(n) = r.payload_len {
        o["payload_len"] = json!(n);
        o["payload_join"] = json!(r.payload_join.map(|j| j.as_str()));
    }
    writeln!(out, "{o}")
}

fn print_human(out: &mut impl Write, file: &str, r: &LineReport) -> std::io::Result<()> {
    let server = r.server.map_or("--", |s| s.as_str());
    let command = r.command.as_deref().unwrap_or("-");
    write!(
        out,
        "{file}:{}: {} {server} {command:<5} {}",
        r.line,
        r.direction.letter(),
        r.outcome.as_str()
    )?;
    if let Some(n) = r.payload_len {
        write!(
            out,
            " (payload {n} bytes{})",
            r.payload_join
                .map(|j| format!(", joined {j}"))
                .unwrap_or_default()
        )?;
    }
    if let Outcome::Error(e) = &r.outcome {
        write!(out, ": {e}")?;
    }
    for w in &r.warnings {
        write!(out, " [warning: {w}]")?;
    }
    writeln!(out)
}

/// The one summary line of a file that is not a transcript (`check` and `verify`).
fn print_not_a_transcript(
    out: &mut impl Write,
    file: &str,
    why: &str,
    json: bool,
) -> std::io::Result<()> {
    if json {
        writeln!(
            out,
            "{}",
            json!({ "file": file, "result": "error", "error": why })
        )
    } else {
        writeln!(out, "{file}: not a transcript: {why}")
    }
}
