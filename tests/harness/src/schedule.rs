// SPDX-License-Identifier: GPL-2.0

//! The order and overlap of the scenarios' VMs.
//!
//! Each run records every scenario's wall time and the CPU time its VM run
//! used (`vm-run.sh --cpu-time`); the next run starts the longest first, so
//! the slow ones do not end up alone at the end, and runs the scenarios that
//! mostly sleep (a throttled disk, a module's idle timeout, a hang the
//! harness must time out) on extra slots beside the `--jobs` ones: they take
//! wall time but hardly any CPU.

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

/// The scenarios that mostly sleep: runs of two seconds or more that used
/// under a third of the CPU share the median scenario used (a machine busy
/// with other work stretches every run's wall time alike, so the share is
/// compared with the others', not with one CPU).
pub(crate) fn sleepers(timings: &BTreeMap<String, Timing>) -> Vec<&str> {
    let mut shares: Vec<f64> = timings.values().filter_map(Timing::busy).collect();
    if shares.len() < 3 {
        return Vec::new();
    }
    shares.sort_by(f64::total_cmp);
    let median = shares[shares.len() / 2];
    timings
        .iter()
        .filter(|(_, t)| t.wall >= 2.0 && t.busy().is_some_and(|b| b < median / 3.0))
        .map(|(n, _)| n.as_str())
        .collect()
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

/// The scenarios still to run, longest first, in two queues: those that
/// compute and those that mostly sleep.
pub(crate) struct Queue<T> {
    compute: VecDeque<(String, T)>,
    sleepy: VecDeque<(String, T)>,
}

impl<T> Queue<T> {
    /// Orders `items` by the last recorded wall time, longest first (ones
    /// never timed go last, in the order given).
    pub(crate) fn new(items: Vec<(String, T)>, timings: &BTreeMap<String, Timing>) -> Self {
        let mut items = items;
        let wall = |n: &String| timings.get(n).map_or(0.0, |t| t.wall);
        items.sort_by(|a, b| wall(&b.0).total_cmp(&wall(&a.0)));
        let sleep = sleepers(timings);
        let (mut compute, mut sleepy) = (VecDeque::new(), VecDeque::new());
        for it in items {
            if sleep.contains(&it.0.as_str()) {
                sleepy.push_back(it);
            } else {
                compute.push_back(it);
            }
        }
        Queue { compute, sleepy }
    }

    /// How many scenarios mostly sleep.
    pub(crate) fn sleepers(&self) -> usize {
        self.sleepy.len()
    }

    /// The next scenario for a worker: one of the `--jobs` workers takes
    /// the longest that computes, then any sleeper left; an extra worker
    /// (`sleeper_slot`) takes only sleepers.
    pub(crate) fn next(&mut self, sleeper_slot: bool) -> Option<(String, T)> {
        if sleeper_slot {
            self.sleepy.pop_front()
        } else {
            self.compute.pop_front().or_else(|| self.sleepy.pop_front())
        }
    }
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
    fn longest_first_sleepers_apart() {
        let timings = BTreeMap::from([
            ("a".to_string(), t(3.0, Some(2.9))),
            ("b".to_string(), t(20.0, Some(19.0))),
            ("hang".to_string(), t(6.0, Some(0.4))),
            ("idle".to_string(), t(14.0, Some(2.0))),
            ("short".to_string(), t(1.0, Some(0.1))),
            ("c".to_string(), t(4.0, Some(3.9))),
        ]);
        let names = ["a", "b", "hang", "idle", "short", "new"];
        let items: Vec<(String, ())> = names.iter().map(|n| (n.to_string(), ())).collect();
        let mut q = Queue::new(items, &timings);
        assert_eq!(q.sleepers(), 2);
        let name = |x: Option<(String, ())>| x.map(|(n, _)| n);
        assert_eq!(name(q.next(true)).as_deref(), Some("idle"));
        assert_eq!(name(q.next(false)).as_deref(), Some("b"));
        assert_eq!(name(q.next(false)).as_deref(), Some("a"));
        // A run under two seconds is not worth a slot of its own.
        assert_eq!(name(q.next(false)).as_deref(), Some("short"));
        assert_eq!(name(q.next(false)).as_deref(), Some("new"));
        assert_eq!(name(q.next(false)).as_deref(), Some("hang"));
        assert_eq!(name(q.next(true)), None);
        assert_eq!(name(q.next(false)), None);
    }

    #[test]
    fn sleepers_on_a_busy_machine() {
        // Every run took four times its CPU time: none sleeps but the one
        // that used far less than the others.
        let timings = BTreeMap::from([
            ("a".to_string(), t(4.0, Some(1.0))),
            ("b".to_string(), t(8.0, Some(2.0))),
            ("c".to_string(), t(12.0, Some(3.1))),
            ("idle".to_string(), t(20.0, Some(1.0))),
        ]);
        assert_eq!(sleepers(&timings), vec!["idle"]);
        // Too few timed runs to tell.
        let one = BTreeMap::from([("idle".to_string(), t(20.0, Some(1.0)))]);
        assert!(sleepers(&one).is_empty());
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
