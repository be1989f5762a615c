//! Messages on standard error: never a panic when stderr is closed, and at most [`CAP`] messages
//! of one kind per file.
//!
//! `eprintln!` panics when standard error is a closed pipe (`msnp6 … 2>&1 | head -3`); [`diag!`]
//! writes the same line and ignores a failed write, so the tool goes on and exits with its status.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::io::Write;

/// How many messages of one kind a file shows before the rest are only counted.
pub(crate) const CAP: usize = 20;

/// Writes one line to standard error, ignoring a closed or failing stderr.
pub(crate) fn line(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// `eprintln!` that never panics: see [`line`](fn@line).
macro_rules! diag {
    ($($arg:tt)*) => {
        $crate::diag::line(format_args!($($arg)*))
    };
}
pub(crate) use diag;

/// `word` with an `s` unless `n` is 1: "1 line", "2 lines".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Counts the messages of each kind of one file; [`Capped::admit`] says whether to show the next.
#[derive(Debug)]
pub(crate) struct Capped<K> {
    /// Per kind: how many were seen, and the 1-based file line of the first.
    seen: HashMap<K, (usize, usize)>,
    /// The kinds in the order they first appeared, so the summary lines come in file order.
    order: Vec<K>,
}

impl<K: Hash + Eq + Clone> Capped<K> {
    /// No message seen yet.
    pub(crate) fn new() -> Self {
        Capped {
            seen: HashMap::new(),
            order: Vec::new(),
        }
    }

    /// Records a message of `kind` at file line `line`; `true` while fewer than [`CAP`] of that
    /// kind have been seen before it.
    pub(crate) fn admit(&mut self, kind: &K, line: usize) -> bool {
        let entry = self.seen.entry(kind.clone()).or_insert_with(|| {
            self.order.push(kind.clone());
            (0, line)
        });
        entry.0 += 1;
        entry.0 <= CAP
    }

    /// For each kind with more than [`CAP`] messages, in order of first appearance: the kind,
    /// the number not shown and the line of the first message of that kind.
    pub(crate) fn hidden(&self) -> impl Iterator<Item = (&K, usize, usize)> + '_ {
        self.order.iter().filter_map(|k| {
            let (n, first) = self.seen[k];
            (n > CAP).then(|| (k, n - CAP, first))
        })
    }
}
