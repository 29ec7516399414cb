// SPDX-License-Identifier: GPL-2.0

//! The order and overlap of the scenarios' VMs.
//!
//! Each run records every scenario's wall time and the CPU time its VM run
//! used (`vm-run.sh --cpu-time`); the next run starts the longest first, so
//! the slow ones do not end up alone at the end, and starts a VM only while
//! the CPU shares of those running leave room for it. A scenario that
//! mostly waits (a throttled disk, the midlayer's settle time after a
//! reset, a module's idle timeout) takes wall time but little CPU, and the
//! CPUs it leaves go to the next scenarios instead of waiting with it.

use std::collections::{
    BTreeMap,
    VecDeque, //
};
use std::path::Path;

/// What the last run measured of one scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Timing {
    /// Wall seconds of its VM run.
    pub(crate) wall: f64,
    /// CPU seconds (user and system) of that run, when known.
    pub(crate) cpu: Option<f64>,
}

impl Timing {
    /// The share of a CPU the run used.
    fn busy(&self) -> Option<f64> {
        self.cpu.filter(|_| self.wall > 0.0).map(|c| c / self.wall)
    }
}

/// Whether a scenario's script has counts of its own for the soak tier:
/// it calls `reps` (scripts/guest/lib.sh).
pub(crate) fn has_soak_counts(script: &str) -> bool {
    script.lines().any(|l| {
        let code = l.split('#').next().unwrap_or("");
        code.contains("$(reps ")
    })
}

/// Reads the timings file: `<scenario> <wall> [<cpu>]` lines.
pub(crate) fn load(path: &Path) -> BTreeMap<String, Timing> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let name = f.next()?.to_string();
            let wall = f.next()?.parse().ok()?;
            let cpu = f.next().and_then(|c| c.parse().ok());
            Some((name, Timing { wall, cpu }))
        })
        .collect()
}

/// The timings to schedule by: the seed's (checked in, measured on a quiet
/// 2-core machine), overridden by this machine's file for every scenario it
/// has timed. A fresh clone has no file of its own yet, and without the seed
/// it would run the scenarios in name order, the longest wherever the name
/// puts them and the sleepers on the compute slots.
pub(crate) fn load_seeded(seed: &Path, path: &Path) -> BTreeMap<String, Timing> {
    let mut timings = load(seed);
    timings.extend(load(path));
    timings
}

/// Writes the timings file.
pub(crate) fn save(path: &Path, timings: &BTreeMap<String, Timing>) {
    let text: String = timings
        .iter()
        .map(|(n, t)| match t.cpu {
            Some(c) => format!("{n} {:.1} {c:.1}\n", t.wall),
            None => format!("{n} {:.1}\n", t.wall),
        })
        .collect();
    let _ = std::fs::write(path, text);
}

/// The share of a CPU a scenario is expected to use while it runs: its
/// measured share against the median scenario's (a machine busy with other
/// work stretches every run alike), at most one CPU. Never timed: one CPU.
fn expected_share(timing: Option<&Timing>, median: Option<f64>) -> f64 {
    match (timing.and_then(Timing::busy), median) {
        (Some(b), Some(m)) if m > 0.0 => (b / m).clamp(0.05, 1.0),
        _ => 1.0,
    }
}

/// The CPU shares the running VMs may add up to, for `jobs` CPUs: half a
/// CPU over them, so that two scenarios that compute still leave room for
/// ones that mostly wait, while a third that computes waits.
pub(crate) fn capacity(jobs: usize) -> f64 {
    jobs.max(1) as f64 + 0.5
}

/// The scenarios still to run, longest first, each with its expected CPU
/// share, and the shares of the VMs running now.
pub(crate) struct Queue<T> {
    waiting: VecDeque<(String, T, f64)>,
    running: f64,
    capacity: f64,
}

impl<T> Queue<T> {
    /// Orders `items` by the last recorded wall time, longest first (ones
    /// never timed go last, in the order given); the running VMs' shares
    /// may add up to `capacity`.
    pub(crate) fn new(
        items: Vec<(String, T)>,
        timings: &BTreeMap<String, Timing>,
        capacity: f64,
    ) -> Self {
        let mut items = items;
        let wall = |n: &String| timings.get(n).map_or(0.0, |t| t.wall);
        items.sort_by(|a, b| wall(&b.0).total_cmp(&wall(&a.0)));
        let median = median_share(timings);
        let waiting = items
            .into_iter()
            .map(|(n, it)| {
                let share = expected_share(timings.get(&n), median);
                (n, it, share)
            })
            .collect();
        Queue {
            waiting,
            running: 0.0,
            capacity,
        }
    }

    /// How many scenarios are expected to use under a third of a CPU.
    pub(crate) fn sleepers(&self) -> usize {
        self.waiting.iter().filter(|w| w.2 < 1.0 / 3.0).count()
    }

    /// Whether every scenario has been taken.
    pub(crate) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Takes the longest scenario whose share fits beside the running ones
    /// (any, when none runs), with its share, which [`Queue::done`] gives
    /// back; `None` while none fits.
    pub(crate) fn take(&mut self) -> Option<(String, T, f64)> {
        let room = self.capacity - self.running;
        let idle = self.running <= 0.0;
        let i = self
            .waiting
            .iter()
            .position(|w| idle || w.2 <= room + 1e-9)?;
        let taken = self.waiting.remove(i)?;
        self.running += taken.2;
        Some(taken)
    }

    /// A VM taken with `share` has ended.
    pub(crate) fn done(&mut self, share: f64) {
        self.running = (self.running - share).max(0.0);
    }
}

/// The median CPU share of the timed runs, when there are three or more.
fn median_share(timings: &BTreeMap<String, Timing>) -> Option<f64> {
    let mut shares: Vec<f64> = timings.values().filter_map(Timing::busy).collect();
    if shares.len() < 3 {
        return None;
    }
    shares.sort_by(f64::total_cmp);
    Some(shares[shares.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(wall: f64, cpu: Option<f64>) -> Timing {
        Timing { wall, cpu }
    }

    #[test]
    fn the_machines_timings_override_the_seed() {
        let dir = std::env::temp_dir().join(format!("harness-seed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (seed, own) = (dir.join("seed"), dir.join("own"));
        std::fs::write(&seed, "a 10.0 5.0\nb 3.0 1.0\n").unwrap();
        std::fs::write(&own, "b 4.0 2.0\nc 1.0\n").unwrap();
        let got = load_seeded(&seed, &own);
        assert_eq!(got["a"], t(10.0, Some(5.0)));
        assert_eq!(got["b"], t(4.0, Some(2.0)));
        assert_eq!(got["c"], t(1.0, None));
        // No file of the machine's own: the seed alone.
        assert_eq!(load_seeded(&seed, &dir.join("none")).len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn longest_first_while_the_cpus_have_room() {
        let timings = BTreeMap::from([
            ("a".to_string(), t(3.0, Some(2.9))),
            ("b".to_string(), t(20.0, Some(19.0))),
            ("hang".to_string(), t(6.0, Some(0.4))),
            ("idle".to_string(), t(14.0, Some(2.0))),
            ("resets".to_string(), t(50.0, Some(20.0))),
            ("c".to_string(), t(4.0, Some(3.9))),
        ]);
        let names = ["a", "b", "hang", "idle", "resets", "c", "new"];
        let items: Vec<(String, ())> = names.iter().map(|n| (n.to_string(), ())).collect();
        let mut q = Queue::new(items, &timings, capacity(2));
        assert_eq!(q.sleepers(), 2);
        let mut take = || q.take().map(|(n, _, share)| (n, share));
        // The longest, which waits more than half its time: 0.42 of a CPU.
        let (n, resets) = take().unwrap();
        assert_eq!(n, "resets");
        assert!((resets - 0.42).abs() < 0.01, "{resets}");
        // Two that compute beside it...
        let (n, b) = take().unwrap();
        assert_eq!((n.as_str(), b), ("b", 1.0));
        // ...and a third would not fit: the one that waits most takes
        // the room left.
        let (n, idle) = take().unwrap();
        assert_eq!(n, "idle");
        assert!(idle < 0.2, "{idle}");
        let (n, _) = take().unwrap();
        assert_eq!(n, "hang");
        assert_eq!(take(), None);
        // One ends: the next longest that fits starts.
        q.done(b);
        let (n, _, _) = q.take().unwrap();
        assert_eq!(n, "c");
        assert!(q.take().is_none());
        q.done(1.0);
        q.done(resets);
        q.done(idle);
        // The rest compute, the one never timed last.
        assert_eq!(q.take().map(|(n, _, s)| (n, s)), Some(("a".into(), 1.0)));
        assert_eq!(q.take().map(|(n, _, s)| (n, s)), Some(("new".into(), 1.0)));
        assert!(q.is_empty());
    }

    #[test]
    fn an_idle_machine_takes_any_scenario() {
        let mut q = Queue::new(vec![("x".to_string(), ())], &BTreeMap::new(), 0.5);
        assert_eq!(q.take().map(|(n, _, s)| (n, s)), Some(("x".into(), 1.0)));
    }

    #[test]
    fn shares_on_a_busy_machine() {
        // Every run took four times its CPU time: only the one that used
        // far less than the others is expected to leave room.
        let timings = BTreeMap::from([
            ("a".to_string(), t(4.0, Some(1.0))),
            ("b".to_string(), t(8.0, Some(2.0))),
            ("c".to_string(), t(12.0, Some(3.1))),
            ("idle".to_string(), t(20.0, Some(1.0))),
        ]);
        let median = median_share(&timings);
        assert_eq!(expected_share(timings.get("a"), median), 1.0);
        assert!(expected_share(timings.get("idle"), median) < 0.25);
        // Too few timed runs to tell: a whole CPU each.
        let one = BTreeMap::from([("idle".to_string(), t(20.0, Some(1.0)))]);
        assert_eq!(expected_share(one.get("idle"), median_share(&one)), 1.0);
    }

    #[test]
    fn soak_counts() {
        assert!(has_soak_counts("N=$(reps 10 100)\nrun_cycles $N cycle\n"));
        assert!(!has_soak_counts(
            "# N=$(reps 10 100)\nrun_cycles 10 cycle\n"
        ));
    }

    #[test]
    fn timings_file_round_trip() {
        let dir = std::env::temp_dir().join(format!("harness-schedule-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("t.txt");
        // The earlier format had no CPU column.
        std::fs::write(&f, "old 12.5\nbad\n").unwrap();
        let mut m = load(&f);
        assert_eq!(m.get("old"), Some(&t(12.5, None)));
        assert_eq!(m.len(), 1);
        m.insert("new".into(), t(2.0, Some(0.5)));
        save(&f, &m);
        assert_eq!(load(&f), m);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
