//! What the clients measured: counts and a bounded latency histogram.

use std::time::Duration;

/// Sub-buckets per power of two: a bucket is at most 1/16 (6.25%) wider than its lower bound.
const SUB: u32 = 16;
/// Powers of two covered, from 1 µs: 2^36 µs is about 19 hours, far beyond any bounded run.
const OCTAVES: u32 = 36;
const BUCKETS: usize = (OCTAVES * SUB) as usize;

/// A log-linear latency histogram in microseconds: fixed size (576 counters), so recording
/// never allocates and memory does not grow with the run.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Box<[u64; BUCKETS]>,
    total: u64,
    max_us: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
            max_us: 0,
        }
    }
}

impl Histogram {
    /// The bucket of `us` microseconds: octave `floor(log2(us))`, then 16 linear steps in it.
    fn bucket(us: u64) -> usize {
        let us = us.max(1);
        let octave = 63 - us.leading_zeros();
        if octave < 4 {
            // below 16 µs every microsecond has its own bucket
            return us as usize;
        }
        let sub = (us >> (octave - 4)) & u64::from(SUB - 1);
        ((octave * SUB) as usize + sub as usize).min(BUCKETS - 1)
    }

    /// The upper bound (µs) of bucket `i`: what a percentile reports (never under-reports).
    fn upper(i: usize) -> u64 {
        let i = i as u32;
        if i < 4 * SUB {
            return u64::from(i);
        }
        let (octave, sub) = (i / SUB, i % SUB);
        (u64::from(SUB + sub + 1)) << (octave - 4)
    }

    /// Records one latency.
    pub fn record(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.counts[Self::bucket(us)] += 1;
        self.total += 1;
        self.max_us = self.max_us.max(us);
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        self.total += other.total;
        self.max_us = self.max_us.max(other.max_us);
    }

    /// Latencies recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `q`-quantile (`0.0..=1.0`) in microseconds, rounded up to its bucket's upper bound
    /// (and never above the largest latency recorded); 0 when empty.
    pub fn quantile_us(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::upper(i).min(self.max_us);
            }
        }
        self.max_us
    }
}

/// Counts of one client (merged into the run's at the end).
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Requests answered inside the measured window (a reply with the request's TrID).
    pub answered: u64,
    /// Of those, answered with an error reply (`NNN TrID`).
    pub errors: u64,
    /// The error replies by code (at most 900 codes exist: bounded).
    pub error_codes: std::collections::BTreeMap<u16, u64>,
    /// Calls not answered in time (`CAL` rang, no `JOI` within the wait: the callee was logging
    /// in again, or busy).
    pub unanswered_calls: u64,
    /// Request -> first reply with its TrID, inside the window.
    pub latency: Histogram,
    /// Frames received from the server inside the window (replies, list lines, fan-out).
    pub frames_in: u64,
    /// Bytes the clients sent, inside the window.
    pub bytes_out: u64,
    /// Switchboard sessions that reached `JOI` (the callee joined).
    pub sessions: u64,
    /// Challenges (`CHL`) answered with `QRY`.
    pub challenges: u64,
    /// Logins again inside the window (each: `OUT`, DS and NS login, `SYN 0`, `CHG NLN`).
    pub relogins: u64,
    /// Clients that failed (login refused, connection lost, a step timed out).
    pub failures: u64,
    /// The first failures' reasons (at most 8 kept).
    pub failure_notes: Vec<String>,
}

impl Stats {
    /// Adds another client's counts.
    pub fn merge(&mut self, other: &Stats) {
        self.answered += other.answered;
        self.errors += other.errors;
        for (code, n) in &other.error_codes {
            *self.error_codes.entry(*code).or_default() += n;
        }
        self.unanswered_calls += other.unanswered_calls;
        self.latency.merge(&other.latency);
        self.frames_in += other.frames_in;
        self.bytes_out += other.bytes_out;
        self.sessions += other.sessions;
        self.challenges += other.challenges;
        self.relogins += other.relogins;
        self.failures += other.failures;
        for note in &other.failure_notes {
            if self.failure_notes.len() < 8 {
                self.failure_notes.push(note.clone());
            }
        }
    }

    /// Records a request answered inside the window: its latency and whether it was refused.
    pub fn answered(&mut self, latency: std::time::Duration, reply: &msnp6::Command<'_>) {
        self.answered += 1;
        self.latency.record(latency);
        if let msnp6::Command::Error(e) = reply {
            self.errors += 1;
            *self.error_codes.entry(e.code.get()).or_default() += 1;
        }
    }

    /// Records a failure and its reason.
    pub fn fail(&mut self, note: String) {
        self.failures += 1;
        if self.failure_notes.len() < 8 {
            self.failure_notes.push(note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_known_spread() {
        let mut h = Histogram::default();
        for us in 1..=1000u64 {
            h.record(Duration::from_micros(us));
        }
        // each quantile lies within one bucket (6.25%) above the exact value
        for (q, exact) in [(0.5, 500u64), (0.99, 990), (0.999, 999)] {
            let got = h.quantile_us(q);
            assert!(
                got >= exact && got <= exact + exact / 16 + 1,
                "q{q}: {got} vs {exact}"
            );
        }
        assert_eq!(h.quantile_us(1.0), 1000);
        assert_eq!(h.count(), 1000);
    }

    #[test]
    fn buckets_are_monotonic_and_cover_their_values() {
        let mut last = 0;
        for us in [1u64, 2, 15, 16, 17, 31, 32, 1000, 123_456, 1 << 40] {
            let b = Histogram::bucket(us);
            assert!(b >= last);
            last = b;
            assert!(
                Histogram::upper(b) >= us.min(Histogram::upper(BUCKETS - 1)),
                "{us}"
            );
        }
    }

    #[test]
    fn merge_adds_counts() {
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        a.record(Duration::from_micros(10));
        b.record(Duration::from_millis(10));
        a.merge(&b);
        assert_eq!(a.count(), 2);
        assert_eq!(a.quantile_us(1.0), 10_000);
    }
}
