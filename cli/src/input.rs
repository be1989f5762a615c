//! Reading a transcript file for `check` and `verify`, one line at a time: CR LF line ends,
//! files that are not transcripts, and the reader's format problems
//! (docs/transcript-format.md).
//!
//! A file is read twice, each time line by line: a survey (NUL bytes, CR LF, whether any protocol
//! line exists) decides whether it is a transcript at all, then [`Loaded::for_each`] gives its
//! lines and events to the command. Memory is bounded by the longest line, not the file; standard
//! input (`-`), which cannot be read twice, is kept in memory.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::mem::Discriminant;

use msnp6_oracle::transcript::{Item, Problem, ProblemKind, Stream, Transcript};

use crate::diag::{Capped, diag, plural};

/// Where a file's bytes come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// A path, opened again for each pass.
    Path(String),
    /// Standard input, read into memory.
    Memory(Vec<u8>),
}

impl Source {
    /// A reader at the start of the file.
    fn reader(&self) -> std::io::Result<Box<dyn BufRead + '_>> {
        Ok(match self {
            Source::Path(p) => Box::new(BufReader::with_capacity(1 << 16, File::open(p)?)),
            Source::Memory(b) => Box::new(b.as_slice()),
        })
    }

    /// Calls `each` with every line of the file (without its LF; a CR before the LF is removed
    /// and counted) and the line's byte offset in the file. The empty piece after a final LF is
    /// not a line (transcript-format.md, "Rules").
    fn lines(&self, mut each: impl FnMut(&[u8], u64, bool)) -> std::io::Result<()> {
        let mut reader = self.reader()?;
        let mut buf = Vec::new();
        let mut offset = 0u64;
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf)?;
            if n == 0 {
                return Ok(());
            }
            let mut line = buf.as_slice();
            let mut cr = false;
            if let Some(l) = line.strip_suffix(b"\n") {
                line = l;
                if let Some(l) = line.strip_suffix(b"\r") {
                    line = l;
                    cr = true;
                }
            }
            each(line, offset, cr);
            offset = offset.saturating_add(n as u64);
        }
    }
}

/// Opens `path` (`-` is standard input, read into memory).
pub(crate) fn open(path: &str) -> std::io::Result<Source> {
    if path == "-" {
        let mut v = Vec::new();
        std::io::stdin().read_to_end(&mut v)?;
        Ok(Source::Memory(v))
    } else {
        File::open(path)?;
        Ok(Source::Path(path.to_owned()))
    }
}

/// A file that is a transcript, ready to be read.
#[derive(Debug)]
pub(crate) struct Loaded {
    source: Source,
    file: String,
    /// Whether the file departs from the format in a way the reader's problems do not list (CR LF
    /// line ends).
    pub(crate) crlf: bool,
    /// How many format problems the reader found (known after [`Loaded::for_each`]).
    pub(crate) problems: usize,
}

/// What came of surveying a file.
#[derive(Debug)]
pub(crate) enum Load {
    /// A transcript (possibly with format problems).
    Transcript(Box<Loaded>),
    /// Not a transcript: the reason, for the file's one summary line.
    NotATranscript(String),
}

/// What the first pass over a file found.
#[derive(Default)]
struct Survey {
    nul: Option<u64>,
    /// Lines ending CR LF: how many, and the 1-based line of the first.
    crlf: (usize, usize),
    protocol: bool,
    empty: bool,
}

fn survey(source: &Source) -> std::io::Result<Survey> {
    let mut s = Survey {
        empty: true,
        ..Survey::default()
    };
    let mut stream = Stream::new();
    let mut line_no = 0;
    source.lines(|line, offset, cr| {
        s.empty = false;
        line_no += 1;
        if s.nul.is_none() {
            s.nul = line
                .iter()
                .position(|&b| b == 0)
                .map(|at| offset + at as u64);
        }
        if cr {
            s.crlf.0 += 1;
            if s.crlf.1 == 0 {
                s.crlf.1 = line_no;
            }
        }
        if !s.protocol {
            stream.line(line);
            s.protocol = stream.items().any(|i| matches!(i, Item::Line(_)));
        }
    })?;
    if !s.protocol {
        s.protocol = stream.finish().1.iter().any(|i| matches!(i, Item::Line(_)));
    }
    Ok(s)
}

/// Surveys `source` as the transcript `file` and reports on stderr its CR LF line ends. A file
/// with a NUL byte (a transcript is plain text, and no command line holds NUL: reference §1.1) or
/// without a protocol line (`C: `, `S: `, `C@NAME: `, `S@NAME: `) is not a transcript, and nothing
/// else is reported. The format problems are reported by [`Loaded::for_each`].
pub(crate) fn load(file: &str, source: Source) -> std::io::Result<Load> {
    let s = survey(&source)?;
    if let Some(at) = s.nul {
        return Ok(Load::NotATranscript(format!(
            "a binary file (a NUL byte at offset {at}; transcripts are plain text)"
        )));
    }
    if !s.protocol {
        return Ok(Load::NotATranscript(
            why_not_a_transcript(s.empty).to_owned(),
        ));
    }
    let (count, first) = s.crlf;
    if count > 0 {
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
    Ok(Load::Transcript(Box::new(Loaded {
        source,
        file: file.to_owned(),
        crlf: count > 0,
        problems: 0,
    })))
}

impl Loaded {
    /// Reads the file again, line by line, and calls `each` with the header read so far (complete
    /// from the first line or event on) and every protocol line and event, in file order. Format
    /// problems go to stderr, at most [`crate::diag::CAP`] of each kind, then how many of each kind
    /// were left out.
    pub(crate) fn for_each(
        &mut self,
        mut each: impl FnMut(&Transcript, &Item),
    ) -> std::io::Result<()> {
        let mut stream = Stream::new();
        let mut report = Problems::new(&self.file);
        self.source.lines(|line, _, _| {
            stream.line(line);
            for item in stream.items() {
                report.item(&item);
                each(stream.transcript(), &item);
            }
        })?;
        let (t, rest) = stream.finish();
        for item in &rest {
            report.item(item);
            each(&t, item);
        }
        self.problems = report.finish();
        Ok(())
    }
}

/// The format problems of one file, printed as they come.
struct Problems<'a> {
    file: &'a str,
    capped: Capped<Discriminant<ProblemKind>>,
    count: usize,
}

impl<'a> Problems<'a> {
    fn new(file: &'a str) -> Self {
        Problems {
            file,
            capped: Capped::new(),
            count: 0,
        }
    }

    fn item(&mut self, item: &Item) {
        if let Item::Problem(p) = item {
            self.problem(p);
        }
    }

    fn problem(&mut self, p: &Problem) {
        self.count += 1;
        if self.capped.admit(&std::mem::discriminant(&p.kind), p.line) {
            diag!("{}:{}: transcript format: {}", self.file, p.line, p.kind);
        }
    }

    /// Prints how many of each kind were left out; returns how many problems there were.
    fn finish(self) -> usize {
        for (_, n, first) in self.capped.hidden() {
            diag!(
                "{}: transcript format: {} like the one at line {first}, not shown",
                self.file,
                plural(n, "more problem")
            );
        }
        self.count
    }
}

/// Why a file without a protocol line is not a transcript.
fn why_not_a_transcript(empty: bool) -> &'static str {
    if empty {
        "the file is empty"
    } else {
        "no protocol line (`C: ...` or `S: ...`, docs/transcript-format.md)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(bytes: &[u8]) -> Vec<(Vec<u8>, u64, bool)> {
        let mut v = Vec::new();
        Source::Memory(bytes.to_vec())
            .lines(|l, o, cr| v.push((l.to_vec(), o, cr)))
            .expect("in memory");
        v
    }

    #[test]
    fn cr_before_lf_is_removed_and_counted() {
        let got = lines_of(b"a\r\nb\nc\r\n\r\nd\r");
        let want: Vec<(Vec<u8>, u64, bool)> = vec![
            (b"a".to_vec(), 0, true),
            (b"b".to_vec(), 3, false),
            (b"c".to_vec(), 5, true),
            (b"".to_vec(), 8, true),
            (b"d\r".to_vec(), 10, false),
        ];
        assert_eq!(got, want);
        assert!(lines_of(b"").is_empty());
        assert_eq!(lines_of(b"\n"), [(b"".to_vec(), 0, false)]);
    }
}
