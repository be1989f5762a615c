//! Loading a transcript file for `check` and `verify`: CR LF line ends, files that are not
//! transcripts, and the reader's format problems (docs/transcript-format.md).

use std::io::Read;
use std::mem::Discriminant;

use msnp6_oracle::transcript::{ProblemKind, Transcript};

use crate::diag::{Capped, diag, plural};

/// A file read and parsed as a transcript.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The transcript, read after removing each CR before an LF.
    pub(crate) transcript: Transcript,
    /// Whether the file departs from the format in a way the reader's problems do not list (CR LF
    /// line ends).
    pub(crate) crlf: bool,
}

/// What came of reading a file.
#[derive(Debug)]
pub(crate) enum Load {
    /// A transcript (possibly with format problems).
    Transcript(Box<Loaded>),
    /// Not a transcript: the reason, for the file's one summary line.
    NotATranscript(String),
}

/// Reads `path` (`-` is standard input).
pub(crate) fn read_input(path: &str) -> std::io::Result<Vec<u8>> {
    if path == "-" {
        let mut v = Vec::new();
        std::io::stdin().read_to_end(&mut v)?;
        Ok(v)
    } else {
        std::fs::read(path)
    }
}

/// Parses `bytes` as the transcript `file` and reports on stderr its CR LF line ends and its
/// format problems, at most [`crate::diag::CAP`] of each kind. A file with a NUL byte (a
/// transcript is plain text, and no command line holds NUL: reference §1.1) or without a
/// protocol line (`C: `, `S: `, `C@NAME: `, `S@NAME: `) is not a transcript, and nothing else is
/// reported.
pub(crate) fn load(file: &str, mut bytes: Vec<u8>) -> Load {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Load::NotATranscript(format!(
            "a binary file (a NUL byte at offset {at}; transcripts are plain text)"
        ));
    }
    let crlf = strip_cr_before_lf(&mut bytes);
    let transcript = msnp6_oracle::transcript::parse(&bytes);
    if transcript.lines.is_empty() {
        return Load::NotATranscript(why_not_a_transcript(&bytes).to_owned());
    }
    if let Some((count, first)) = crlf {
        let lines = if count == 1 {
            "1 line ends".to_owned()
        } else {
            format!("{count} lines end")
        };
        diag!(
            "{file}:{first}: transcript format: {lines} with CR LF, but transcript files end \
             lines with LF (docs/transcript-format.md): read without the CR"
        );
    }
    report_problems(file, &transcript);
    Load::Transcript(Box::new(Loaded {
        transcript,
        crlf: crlf.is_some(),
    }))
}

/// Removes every CR directly before an LF; returns how many, and the 1-based line of the first,
/// if any. A transcript's lines end with LF (transcript-format.md, "Rules": "Files use LF line
/// endings"); a file saved with CR LF would otherwise have a CR at the end of every command line.
fn strip_cr_before_lf(bytes: &mut Vec<u8>) -> Option<(usize, usize)> {
    if !bytes.windows(2).any(|w| w == b"\r\n") {
        return None;
    }
    let (mut count, mut first, mut line) = (0, 0, 1);
    let mut kept = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            count += 1;
            if first == 0 {
                first = line;
            }
            continue;
        }
        line += usize::from(b == b'\n');
        kept.push(b);
    }
    if count == 0 {
        return None;
    }
    *bytes = kept;
    Some((count, first))
}

/// Why a file without a protocol line is not a transcript.
fn why_not_a_transcript(bytes: &[u8]) -> &'static str {
    if bytes.is_empty() {
        "the file is empty"
    } else {
        "no protocol line (`C: ...` or `S: ...`, docs/transcript-format.md)"
    }
}

/// Prints the reader's format problems, at most [`crate::diag::CAP`] of each kind, then how many
/// of each kind were left out.
fn report_problems(file: &str, t: &Transcript) {
    let mut capped: Capped<Discriminant<ProblemKind>> = Capped::new();
    for p in &t.problems {
        if capped.admit(&std::mem::discriminant(&p.kind), p.line) {
            diag!("{file}:{}: transcript format: {}", p.line, p.kind);
        }
    }
    for (_, n, first) in capped.hidden() {
        diag!(
            "{file}: transcript format: {} like the one at line {first}, not shown",
            plural(n, "more problem")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cr_before_lf_is_removed_and_counted() {
        let mut b = b"a\r\nb\nc\r\n\r\nd\r".to_vec();
        assert_eq!(strip_cr_before_lf(&mut b), Some((3, 1)));
        assert_eq!(b, b"a\nb\nc\n\nd\r");
        let mut lf = b"a\nb\r".to_vec();
        assert_eq!(strip_cr_before_lf(&mut lf), None);
        assert_eq!(lf, b"a\nb\r");
    }
}
