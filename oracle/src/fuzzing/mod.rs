//! The oracles of the `transcript` and `monitor` fuzz targets (`fuzz/fuzz_targets/`), and the
//! seed corpus of every fuzz target made from transcript files (`fuzz/examples/seeds.rs`). The
//! codec's targets and their oracles are in `msnp6::fuzzing`; the stable replay of these targets'
//! regressions and corpus is `oracle/tests/fuzz_regressions.rs`.
//!
//! | target | oracle |
//! | --- | --- |
//! | `transcript` | [`transcript`]: reader and `transcript check` never panic; every protocol line accounted for |
//! | `monitor` | [`monitor`]: arbitrary frames on arbitrary connections never panic or hang the live monitor; a predicted run reordered across connections as the reference allows conforms |
//!
//! Only built with the `fuzzing` feature.

use msnp6::Mode;
use msnp6::commands::Context;
use msnp6::fuzzing::{MAX_INPUT, decoder, extra_seeds};
use msnp6::types::{Dialect, Direction, ServerKind};

use crate::check::{CheckOptions, Outcome, check};
use crate::transcript;

mod monitor;
pub use self::monitor::{monitor, predicted_options, run_predicted};

fn cut(data: &[u8]) -> &[u8] {
    &data[..data.len().min(MAX_INPUT)]
}

/// The file lines of a transcript, as transcript-format.md splits them.
fn file_lines(input: &[u8]) -> Vec<&[u8]> {
    if input.is_empty() {
        return Vec::new();
    }
    let body = input.strip_suffix(b"\n").unwrap_or(input);
    body.split(|&b| b == b'\n').collect()
}

/// The direction and command text of a protocol line (`C: `, `S: `, `C@NAME: `, `S@NAME: `).
fn protocol_prefix(line: &[u8]) -> Option<(Direction, &[u8])> {
    let direction = match line.first()? {
        b'C' => Direction::ClientToServer,
        b'S' => Direction::ServerToClient,
        _ => return None,
    };
    let rest = &line[1..];
    if let Some(text) = rest.strip_prefix(b": ") {
        return Some((direction, text));
    }
    let rest = rest.strip_prefix(b"@")?;
    let name_len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    if name_len == 0 {
        return None;
    }
    rest[name_len..].strip_prefix(b": ").map(|t| (direction, t))
}

/// **`transcript`** — arbitrary text through the transcript reader and the `transcript check`
/// logic ([`check`]), strict and lenient, in two dialects:
///
/// * nothing panics;
/// * every protocol line is accounted for: the reader's protocol lines are exactly the file lines
///   with a protocol prefix (same line numbers, directions and text), payload lines are the file
///   lines that follow, in order, and no file line is both; problems name existing lines;
/// * the checker reports each protocol line once, in order, with its line number and direction;
///   `ok` only with a server and a command, whose line decodes strictly there; `lenient` only
///   under `--lenient`; a server only from the kinds the file gives the line.
pub fn transcript(data: &[u8]) {
    let data = cut(data);
    let t = transcript::parse(data);
    let lines = file_lines(data);

    let expected: Vec<(usize, Direction, &[u8])> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| protocol_prefix(l).map(|(d, text)| (i + 1, d, text)))
        .collect();
    assert_eq!(
        t.lines.len(),
        expected.len(),
        "protocol lines: the reader found {}, the file has {}",
        t.lines.len(),
        expected.len()
    );
    let mut claimed = vec![false; lines.len() + 1];
    for (pl, &(n, direction, text)) in t.lines.iter().zip(&expected) {
        assert_eq!((pl.line, pl.direction), (n, direction));
        assert_eq!(pl.text.as_slice(), text, "line {n}: text");
        assert!(!claimed[n], "line {n} counted twice");
        claimed[n] = true;
        for (k, payload) in pl.payload_lines.iter().enumerate() {
            assert_eq!(
                payload.line,
                n + 1 + k,
                "payload lines follow their command"
            );
            assert!(
                !claimed[payload.line],
                "line {} counted twice",
                payload.line
            );
            claimed[payload.line] = true;
            assert_eq!(payload.bytes.as_slice(), lines[payload.line - 1]);
            assert!(protocol_prefix(lines[payload.line - 1]).is_none());
        }
    }
    assert!(t.problems.iter().all(|p| p.line <= lines.len()));
    // What `transcript check` prints never panics, and the lookups find what was declared.
    for p in &t.problems {
        assert!(!p.to_string().is_empty());
    }
    for c in &t.connections {
        assert_eq!(t.connection(&c.name).map(|d| d.line), Some(c.line));
    }
    for e in &t.header.expect {
        assert_eq!(t.expectation(e.line).map(|x| x.line), Some(e.line));
        assert!(!e.result.to_string().is_empty());
    }
    assert!(t.problems.windows(2).all(|w| w[0].line <= w[1].line));

    let second = Dialect::ALL[data.len() % Dialect::ALL.len()];
    for dialect in [Dialect::Msnp6, second] {
        for lenient in [false, true] {
            let options = CheckOptions { lenient, dialect };
            let report = check(&t, &options);
            assert_eq!(report.len(), t.lines.len(), "one report per protocol line");
            for (r, pl) in report.iter().zip(&t.lines) {
                assert_eq!((r.line, r.direction), (pl.line, pl.direction));
                let kinds = t.server_kinds(pl);
                if let Some(server) = r.server {
                    assert!(kinds.contains(&server), "line {}: server {server}", r.line);
                }
                assert_eq!(r.payload_len.is_some(), r.payload_join.is_some());
                // The outcome's word is the one transcript-format.md and `# expect:` use.
                let word = match r.outcome {
                    Outcome::Ok => "ok",
                    Outcome::Lenient => "lenient",
                    Outcome::Error(_) => "error",
                };
                assert_eq!(r.outcome.as_str(), word, "line {}", r.line);
                // The join named is one that gives the declared length (transcript-format.md:
                // "the declared length in the command line is the authority").
                if let (Some(join), Some(len)) = (r.payload_join, r.payload_len) {
                    assert_eq!(join.joined_len(&pl.payload_lines), len, "line {}", r.line);
                }
                // Warnings are lenient mode's: a line with warnings is never `ok` or an error.
                if !r.warnings.is_empty() {
                    assert_eq!(r.outcome, Outcome::Lenient, "line {}: warnings", r.line);
                }
                match &r.outcome {
                    Outcome::Ok => {
                        let server = r.server.expect("an ok line has a server");
                        assert!(r.command.is_some() && r.warnings.is_empty());
                        let d = decoder(
                            Context::new(pl.direction, server).with_dialect(dialect),
                            Mode::Strict,
                        );
                        assert!(d.decode_line(&pl.text).is_ok(), "line {}", r.line);
                    }
                    Outcome::Lenient => {
                        assert!(lenient, "lenient outcome without --lenient");
                        assert!(r.server.is_some() && r.command.is_some());
                    }
                    Outcome::Error(message) => assert!(!message.is_empty()),
                }
                if kinds.is_empty() {
                    assert!(matches!(r.outcome, Outcome::Error(_)));
                }
            }
        }
    }
}

/// Seed inputs for a target, made from the bytes of transcript files (used by `fuzz/seeds.sh`):
/// each protocol line as a wire frame (line, CR LF, rebuilt payload) for `decode_line` and
/// `strict_vs_lenient` (plus its bare-LF form); each file's frames of one direction, as one
/// stream in the file's first server context, for `frame_stream` (whole and in 1- and 7-byte
/// chunks), and the same under both policies for `codec_stream`; the files themselves for
/// `transcript`. Other targets get no transcript seeds.
pub fn seeds(target: &str, files: &[Vec<u8>]) -> Vec<Vec<u8>> {
    if target == "codec_stream" {
        return msnp6::fuzzing::codec_stream_seeds(seeds("frame_stream", files));
    }
    let mut out = Vec::new();
    for file in files {
        if target == "monitor" {
            let head = file.get(..2048).unwrap_or(file);
            for half in [0u8, 1] {
                out.push([&[half][..], head].concat());
            }
            continue;
        }
        let t = transcript::parse(file);
        let mut streams: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        let mut server = [None, None];
        for pl in &t.lines {
            let mut frame = pl.text.clone();
            frame.extend_from_slice(b"\r\n");
            let kinds = t.server_kinds(pl);
            let declared = kinds.iter().find_map(|&k| {
                decoder(Context::new(pl.direction, k), Mode::Lenient)
                    .payload_length(&pl.text)
                    .ok()
                    .flatten()
            });
            if let Some(n) = declared {
                if let Ok((payload, _)) = pl.rebuild_payload(n) {
                    frame.extend_from_slice(&payload);
                }
            }
            match target {
                "decode_line" | "strict_vs_lenient" => {
                    out.push(frame.clone());
                    if declared.is_none() {
                        let mut bare = pl.text.clone();
                        bare.push(b'\n');
                        out.push(bare);
                    }
                }
                _ => {}
            }
            let i = usize::from(pl.direction == Direction::ServerToClient);
            streams[i].extend_from_slice(&frame);
            if server[i].is_none() {
                server[i] = kinds.first().copied();
            }
        }
        match target {
            "frame_stream" => {
                for (i, stream) in streams.iter().enumerate() {
                    let Some(kind) = server[i] else { continue };
                    let k = ServerKind::ALL.iter().position(|&s| s == kind).unwrap_or(1) as u8;
                    // Byte 0: direction, server, strict, dialect MSNP6 (index 5).
                    let ctx = (i as u8) | (k << 1) | (5 << 4);
                    for chunks in [&[][..], &[1][..], &[7, 0, 3][..]] {
                        let mut seed = vec![ctx, 0, 0, chunks.len() as u8];
                        seed.extend_from_slice(chunks);
                        seed.extend_from_slice(stream);
                        out.push(seed);
                    }
                }
            }
            "transcript" => out.push(file.clone()),
            _ => {}
        }
    }
    out.extend(extra_seeds(target));
    out.extend(transcript_seeds(target));
    out
}

/// Hand-made seeds of the `transcript` target for the branches the corpus does not reach: tagged
/// transcripts with events and expectations.
fn transcript_seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "transcript" => vec![
            b"# connection: ns NS\n# connection: sb SB\n# event: ns connect\nC@ns: PNG\nS@ns: QNG\n\
              # event: tick 60\n# event: sb connect\nC@sb: MSG 1 U 2\nhi\nS@sb: BYE a@b.c\n\
              # event: sb disconnect\n"
                .to_vec(),
            b"# server: NS+SB\n# expect: 3 error bad\n# expect: 4 lenient spaces\nC: CHG 1 HOT x\n\
              S: CHG  1 NLN\nC@x: PNG\n# event: tick x\n# event: a connect\n"
                .to_vec(),
            b"# source: a\n# source: b\n# server: XX\n# connection: bad\n# expect: 0 nope\n\
              # connection: a NS\n# connection: a SB\nS@a: QNG\nC:PNG\nS@: x\nstray\n# x\n"
                .to_vec(),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_made_seeds_pass_their_oracle() {
        let seeds = transcript_seeds("transcript");
        assert!(!seeds.is_empty());
        for s in &seeds {
            transcript(s);
        }
    }

    #[test]
    fn oracle_accepts_a_documented_example() {
        transcript(b"# server: NS\nC: CHG 9 NLN\nS: CHG 9 NLN\nS: CHG  0 FLN\n");
    }
}
