//! The generated workload is valid MSNP6: every stream decodes completely with msnp6 (strict),
//! re-encodes byte for byte, frames identically through the streaming framer, and the baselines
//! see the same frames. Otherwise the benchmarks would compare different work.

use msnp6::Framer;
use msnp6_benches::{Workload, baseline};

fn workloads() -> Vec<Workload> {
    vec![
        Workload::standard(),
        Workload::generate(1, 200_000),
        Workload::generate(0xdead_beef, 50_000),
    ]
}

#[test]
fn decodes_completely_and_reencodes_byte_exact() {
    for w in workloads() {
        let mut total = 0;
        for s in &w.streams {
            let d = s.decoder();
            let mut pos = 0;
            let mut out = Vec::with_capacity(s.bytes.len());
            while pos < s.bytes.len() {
                let f = d
                    .decode(&s.bytes[pos..])
                    .unwrap_or_else(|e| panic!("seed {} {} at {pos}: {e}", w.seed, s.name));
                assert!(f.warnings.is_empty());
                f.command.encode(&mut out);
                pos += f.len;
            }
            assert_eq!(pos, s.bytes.len(), "{}: decoded to the last byte", s.name);
            assert!(out == s.bytes, "seed {} {}: byte-exact", w.seed, s.name);
            total += s.bytes.len();
        }
        assert_eq!(total, w.total_bytes());
    }
}

#[test]
fn mix_is_realistic() {
    let mix = Workload::standard().mix();
    assert!(mix.bytes >= msnp6_benches::STANDARD_BYTES);
    for verb in [
        "LST", "BPR", "ILN", "NLN", "FLN", "CHG", "ADD", "REM", "CHL", "QRY", "MSG", "ACK", "SYN",
    ] {
        assert!(mix.per_verb.get(verb).copied().unwrap_or(0) > 0, "{verb}");
    }
    let share = mix.payload_share();
    assert!((0.2..0.6).contains(&share), "payload share {share}");
}

#[test]
fn framer_sees_the_same_frames_in_any_chunking() {
    let w = Workload::generate(3, 60_000);
    for s in &w.streams {
        let whole = {
            let d = s.decoder();
            let mut v = Vec::new();
            let mut pos = 0;
            while pos < s.bytes.len() {
                let f = d.decode(&s.bytes[pos..]).expect("decode");
                v.push((pos as u64, f.len));
                pos += f.len;
            }
            v
        };
        for chunk in [1, 7, 1460] {
            let mut framer = Framer::new(s.decoder());
            let mut got = Vec::new();
            for c in s.bytes.chunks(chunk) {
                framer.push(c);
                while let Some(f) = framer.next_frame().expect("frame") {
                    got.push((f.offset, f.len));
                }
            }
            assert_eq!(got, whole, "{} in {chunk}-byte chunks", s.name);
            assert_eq!(framer.buffered(), 0);
        }
    }
}

#[test]
fn baselines_see_the_same_frames() {
    let w = Workload::standard();
    for s in &w.streams {
        let verbs = baseline::payload_verbs(s.direction);
        let d = s.decoder();
        let mut lines = Vec::new();
        let mut pos = 0;
        while pos < s.bytes.len() {
            let f = d.decode(&s.bytes[pos..]).expect("decode");
            let payload = f.command.payload().map_or(0, |p| p.len());
            lines.push(s.bytes[pos..pos + f.len - payload - 2].to_vec());
            pos += f.len;
        }
        let mut a = Vec::new();
        assert_eq!(
            baseline::memchr_frames(&s.bytes, verbs, |l| a.push(l.to_vec())),
            lines.len()
        );
        assert_eq!(a, lines, "{}: memchr", s.name);
        let mut b = Vec::new();
        baseline::split_vec(&s.bytes, verbs, |t| b.push(t.join(&b' ')));
        assert_eq!(b, lines, "{}: split into a Vec", s.name);
        let mut c = Vec::new();
        baseline::split_array(&s.bytes, verbs, |t| c.push(t.join(&b' ')));
        assert_eq!(c, lines, "{}: split into an array", s.name);
    }
}
