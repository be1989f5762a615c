//! The table the `load` binary prints (Markdown, as in the README's Performance section).

use std::fmt::Write as _;

use super::Outcome;
use super::baseline::CodecOutcome;

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

/// Commands per second of an outcome.
pub fn rate(o: &Outcome) -> f64 {
    o.stats.answered as f64 / o.seconds.max(f64::MIN_POSITIVE)
}

/// RSS per logged-in idle connection, KiB.
pub fn rss_per_connection(o: &Outcome) -> Option<f64> {
    o.rss_kib
        .filter(|_| o.logged_in > 0)
        .map(|(before, after)| (after.saturating_sub(before)) as f64 / o.logged_in as f64)
}

/// The fraction of the server's CPU time that decoding its input would take (codec alone on the
/// same bytes, extrapolated to the bytes the clients sent in the window).
pub fn decode_share(o: &Outcome, codec: Option<&CodecOutcome>) -> Option<f64> {
    let (cpu, codec) = (o.server_cpu?, codec?);
    (cpu > 0.0).then(|| codec.seconds_per_byte() * o.stats.bytes_out as f64 / cpu)
}

/// The table: one row per target (ratios to the first target named `reference`, if any), then
/// the codec alone.
pub fn table(outcomes: &[Outcome], codec: Option<&CodecOutcome>) -> String {
    let reference = outcomes.iter().find(|o| o.name == "reference").map(rate);
    let mut t = String::new();
    t.push_str("| target | clients | commands/s | vs reference | p50 | p99 | p99.9 | error replies | frames in/s | server CPU | decoding share | RSS per idle connection |\n");
    t.push_str(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for o in outcomes {
        let h = &o.stats.latency;
        let _ = writeln!(
            t,
            "| {} | {}/{} | {:.0} | {} | {} | {} | {} | {:.2}% | {:.0} | {} | {} | {} |",
            o.name,
            o.logged_in,
            o.clients,
            rate(o),
            reference.map_or("-".into(), |r| format!(
                "{:.2}×",
                rate(o) / r.max(f64::MIN_POSITIVE)
            )),
            ms(h.quantile_us(0.5)),
            ms(h.quantile_us(0.99)),
            ms(h.quantile_us(0.999)),
            100.0 * o.stats.errors as f64 / (o.stats.answered.max(1) as f64),
            o.stats.frames_in as f64 / o.seconds.max(f64::MIN_POSITIVE),
            o.server_cpu
                .map_or("-".into(), |c| format!("{:.2} cores", c / o.seconds)),
            decode_share(o, codec).map_or("-".into(), |s| format!("{:.1}%", 100.0 * s)),
            rss_per_connection(o).map_or("-".into(), |k| format!("{k:.1} KiB")),
        );
    }
    if let Some(c) = codec {
        let _ = writeln!(
            t,
            "| codec alone (framer, 1 thread, no sockets) | - | {:.0} | - | - | - | - | - | - | - | - | - |",
            c.commands_per_second()
        );
    }
    t
}

/// Notes under the table: counts that explain the figures, and failures.
pub fn notes(outcomes: &[Outcome], codec: Option<&CodecOutcome>) -> String {
    let mut t = String::new();
    for o in outcomes {
        let s = &o.stats;
        let _ = writeln!(
            t,
            "{}: {} requests answered in {:.1} s, {} switchboard sessions joined, {} challenges answered, {} logins again, {} client failures{}",
            o.name,
            s.answered,
            o.seconds,
            s.sessions,
            s.challenges,
            s.relogins,
            s.failures,
            if s.failure_notes.is_empty() {
                String::new()
            } else {
                format!(" (first: {})", s.failure_notes.join("; "))
            },
        );
        if !s.error_codes.is_empty() || s.unanswered_calls > 0 {
            let codes: Vec<String> = s
                .error_codes
                .iter()
                .map(|(c, n)| format!("{c}: {n}"))
                .collect();
            let _ = writeln!(
                t,
                "{}: error replies by code {{{}}}, {} calls not answered within {:?}",
                o.name,
                codes.join(", "),
                s.unanswered_calls,
                super::switchboard::JOIN_WAIT
            );
        }
        if let Some((before, after)) = o.rss_kib {
            let _ = writeln!(
                t,
                "{}: server RSS {before} KiB before the logins, {after} KiB after",
                o.name
            );
        }
        if let Some((cpu, sys)) = o.server_cpu.zip(o.server_system_cpu) {
            let _ = writeln!(
                t,
                "{}: server CPU {cpu:.2} s in the window, {sys:.2} s of it in the kernel; {:.0} commands per server CPU second",
                o.name,
                o.stats.answered as f64 / cpu.max(f64::MIN_POSITIVE)
            );
        }
        if let Some(c) = o.client_cpu {
            let cores = c / o.seconds.max(f64::MIN_POSITIVE);
            let _ = writeln!(
                t,
                "{}: the load generator used {cores:.2} cores in the window",
                o.name
            );
        }
    }
    if let Some(c) = codec {
        let _ = writeln!(
            t,
            "codec: {} bytes recorded ({} commands, {} refused), {:.3} ms per pass",
            c.bytes,
            c.commands,
            c.refused,
            c.seconds_per_pass * 1e3
        );
    }
    t
}
