// SPDX-License-Identifier: GPL-2.0

//! The bench's test runner.
//!
//! Boots the bench VM once per scenario (`tests/scenarios/<group>/<name>.sh`)
//! through `scripts/vm-run.sh`, and reports each scenario as one test case,
//! plus one test case per KUnit case found in the KTAP a scenario printed.
//! Every verdict comes from what the guest printed: its exit status, its
//! output and the kernel's console log.
//!
//! Scenario headers (comment lines starting with `# bench:`):
//! - `timeout=<secs>`: the guest's hard limit (default 120);
//! - `memory=<MiB>`: guest memory (default 512; files live in its RAM);
//! - `qemu-args=<args>`: extra QEMU arguments;
//! - `kernel-args=<args>`: extra kernel command line arguments (after any
//!   run-wide `BENCH_APPEND`);
//! - `no-ncr810`: leave the default NCR 53C810 out;
//! - `files=<paths>`: files (relative to the repository, or `$BENCH_DATA/..`)
//!   copied to `/bench/files/`;
//! - `scsi-disks=<paths>`: disk images (as `files`) attached to the NCR
//!   53C810 as SCSI targets 0, 1, ...; a `+` starts the disks of one more
//!   controller; each run gets fresh copies;
//! - `scsi-image-check`: after the VM has powered off, the harness reads
//!   each range the guest announced with a line
//!   `BENCH-SCSI-IMAGE <controller> <target> <offset> <length> <sha256>`
//!   from its copy of that disk image and requires the SHA-256 the guest
//!   computed of what it wrote; the scenario must announce at least one;
//! - `kunit=<suite,...>`: suites whose KTAP the scenario must print between
//!   `BENCH-KTAP-BEGIN <suite>` and `BENCH-KTAP-END` lines;
//! - `expect=exit:<n>` / `expect=timeout`: for the bench's self-tests, the
//!   outcome the scenario must have for the test case to pass.

mod ktap;

use std::collections::BTreeMap;
use std::path::{
    Path,
    PathBuf, //
};
use std::process::Command;
use std::sync::{
    Arc,
    Mutex, //
};
use std::time::Instant;

/// What a scenario declares in its header.
#[derive(Debug, Default, Clone)]
struct Header {
    timeout: Option<u32>,
    /// Guest memory in MiB, for scenarios whose files do not fit the
    /// default (everything in the initramfs lives in RAM).
    memory: Option<u32>,
    qemu_args: String,
    kernel_args: String,
    no_ncr810: bool,
    files: Vec<String>,
    scsi_disks: Vec<String>,
    scsi_image_check: bool,
    kunit: Vec<String>,
    expect: Option<String>,
}

fn parse_header(text: &str) -> Header {
    let mut h = Header::default();
    for line in text.lines() {
        let Some(d) = line.strip_prefix("# bench:") else {
            continue;
        };
        let d = d.trim();
        let (key, val) = d.split_once('=').unwrap_or((d, ""));
        match key.trim() {
            "timeout" => h.timeout = val.trim().parse().ok(),
            "memory" => h.memory = val.trim().parse().ok(),
            "qemu-args" => h.qemu_args = val.trim().to_string(),
            "kernel-args" => h.kernel_args = val.trim().to_string(),
            "no-ncr810" => h.no_ncr810 = true,
            "files" => h.files.extend(val.split_whitespace().map(str::to_string)),
            "scsi-disks" => h
                .scsi_disks
                .extend(val.split_whitespace().map(str::to_string)),
            "scsi-image-check" => h.scsi_image_check = true,
            "kunit" => h.kunit.extend(
                val.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            ),
            "expect" => h.expect = Some(val.trim().to_string()),
            _ => {}
        }
    }
    h
}

/// One test case's verdict.
struct Verdict {
    name: String,
    passed: bool,
    detail: String,
}

/// The outcome of one VM run.
struct Run {
    status: i32,
    output: String,
    console: String,
    secs: f64,
    /// The `BENCH-SCSI-IMAGE` ranges checked on the host, and what was
    /// wrong with any of them.
    image_checks: usize,
    image_problems: Vec<String>,
}

/// Options that apply to every scenario of a run.
#[derive(Clone)]
struct RunOpts {
    kdir: Option<String>,
    modules: Option<String>,
    /// The guest module tree, staged once for the whole run.
    modroot: Option<PathBuf>,
    timeout_scale: u32,
}

fn run_vm(root: &Path, script: &Path, h: &Header, opts: &RunOpts, data: &Path) -> Run {
    let work = tempdir();
    let out = work.join("output.log");
    let log = work.join("console.log");
    let mut cmd = Command::new(root.join("scripts/vm-run.sh"));
    cmd.arg("--quiet")
        .arg("--output")
        .arg(&out)
        .arg("--log")
        .arg(&log)
        .arg("--timeout")
        .arg((h.timeout.unwrap_or(120) * opts.timeout_scale).to_string());
    if let Some(k) = &opts.kdir {
        cmd.arg("--kdir").arg(k);
    }
    if let Some(m) = &opts.modroot {
        cmd.arg("--modroot").arg(m);
    } else if let Some(m) = &opts.modules {
        cmd.arg("--modules").arg(m);
    }
    if h.no_ncr810 {
        cmd.arg("--no-ncr810");
    }
    if let Some(mib) = h.memory {
        // A run-wide VM_MEM (the debug kernel's) may already ask for more.
        let base = std::env::var("VM_MEM")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        cmd.env("VM_MEM", mib.max(base).to_string());
    }
    if !h.qemu_args.is_empty() {
        cmd.arg("--qemu-args").arg(&h.qemu_args);
    }
    if !h.kernel_args.is_empty() {
        let base = std::env::var("BENCH_APPEND").unwrap_or_default();
        cmd.env("BENCH_APPEND", format!("{base} {}", h.kernel_args));
    }
    let host_path = |f: &String| match f.strip_prefix("$BENCH_DATA/") {
        Some(rest) => data.join(rest),
        None => root.join(f),
    };
    let files: Vec<String> = h
        .files
        .iter()
        .map(|f| host_path(f).display().to_string())
        .collect();
    if !files.is_empty() {
        cmd.arg("--files").arg(files.join(" "));
    }
    // The guest writes to its disks: each run gets copies.
    let mut disks = Vec::new();
    for (i, f) in h.scsi_disks.iter().enumerate() {
        if f == "+" {
            disks.push(f.clone());
            continue;
        }
        let copy = work.join(format!("scsi-disk{i}.img"));
        if let Err(e) = std::fs::copy(host_path(f), &copy) {
            let _ = std::fs::remove_dir_all(&work);
            return Run {
                status: -1,
                output: String::new(),
                console: format!("bench: cannot copy the SCSI disk {f}: {e}"),
                secs: 0.0,
                image_checks: 0,
                image_problems: Vec::new(),
            };
        }
        disks.push(copy.display().to_string());
    }
    // (controller, target) of each copy, as vm-run.sh numbers them.
    let mut placed = BTreeMap::new();
    let (mut controller, mut target) = (0u32, 0u32);
    for d in &disks {
        if d == "+" {
            controller += 1;
            target = 0;
        } else {
            placed.insert((controller, target), PathBuf::from(d));
            target += 1;
        }
    }
    if !disks.is_empty() {
        cmd.arg("--scsi-disks").arg(disks.join(" "));
    }
    cmd.arg(script);
    let start = Instant::now();
    let result = cmd.output();
    let secs = start.elapsed().as_secs_f64();
    let (status, stderr) = match result {
        Ok(o) => (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
        Err(e) => (-1, format!("cannot run vm-run.sh: {e}")),
    };
    let output = std::fs::read_to_string(&out).unwrap_or_default();
    let mut console = std::fs::read(&log)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    if !stderr.is_empty() {
        console.push_str("\n---- vm-run.sh said ----\n");
        console.push_str(&stderr);
    }
    let (image_checks, image_problems) = check_images(&output, &placed);
    let _ = std::fs::remove_dir_all(&work);
    Run {
        status,
        output,
        console,
        secs,
        image_checks,
        image_problems,
    }
}

/// Checks each `BENCH-SCSI-IMAGE <controller> <target> <offset> <length>
/// <sha256>` line of the guest's output against the disk image the guest
/// wrote, after the VM is gone: returns how many ranges were checked and
/// what did not match.
fn check_images(output: &str, placed: &BTreeMap<(u32, u32), PathBuf>) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut problems = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("BENCH-SCSI-IMAGE ") else {
            continue;
        };
        checked += 1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        let parsed = match f.as_slice() {
            [c, t, off, len, sha] => c
                .parse::<u32>()
                .ok()
                .zip(t.parse::<u32>().ok())
                .zip(off.parse::<u64>().ok().zip(len.parse::<u64>().ok()))
                .map(|((c, t), (off, len))| (c, t, off, len, *sha)),
            _ => None,
        };
        let Some((c, t, off, len, want)) = parsed else {
            problems.push(format!("malformed line: {line}"));
            continue;
        };
        let Some(image) = placed.get(&(c, t)) else {
            problems.push(format!(
                "no disk image for controller {c} target {t}: {line}"
            ));
            continue;
        };
        match sha256_of_range(image, off, len) {
            Ok(got) if got == want => {}
            Ok(got) => problems.push(format!(
                "controller {c} target {t}: bytes {off}..{} of the image have SHA-256 {got}, the guest wrote {want}",
                off + len
            )),
            Err(e) => problems.push(format!("controller {c} target {t}: {e}")),
        }
    }
    (checked, problems)
}

/// The SHA-256 of `len` bytes at `off` in `path` (by `dd | sha256sum`:
/// the harness has no hashing crate, the host has coreutils).
fn sha256_of_range(path: &Path, off: u64, len: u64) -> Result<String, String> {
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "dd if=\"$0\" iflag=skip_bytes,count_bytes skip={off} count={len} bs=1M status=none | sha256sum"
        ))
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run dd | sha256sum: {e}"))?;
    let sum = String::from_utf8_lossy(&o.stdout);
    let sum = sum.split_whitespace().next().unwrap_or_default();
    if !o.status.success() || sum.len() != 64 {
        return Err(format!(
            "cannot hash {}: {}",
            path.display(),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(sum.to_string())
}

/// Stages the guests' module tree with `scripts/stage-modules.sh`.
fn stage_modules(root: &Path, opts: &RunOpts, out: &Path) -> Result<(), String> {
    let kdir = match &opts.kdir {
        Some(k) => k.clone(),
        None => {
            let o = Command::new(root.join("scripts/kdir.sh"))
                .output()
                .map_err(|e| format!("cannot run scripts/kdir.sh: {e}"))?;
            let k = String::from_utf8_lossy(&o.stdout).trim().to_string();
            if k.is_empty() {
                return Err("no kernel tree: pass --kdir or run 'make kernel'".into());
            }
            k
        }
    };
    let modules = opts
        .modules
        .clone()
        .unwrap_or_else(|| root.display().to_string());
    let o = Command::new(root.join("scripts/stage-modules.sh"))
        .args([&kdir, &modules])
        .arg(out)
        .output()
        .map_err(|e| format!("cannot run scripts/stage-modules.sh: {e}"))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "staging the modules failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{
        AtomicU32,
        Ordering, //
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "bench-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::create_dir_all(&d);
    d
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// The KTAP blocks a scenario printed, by suite.
fn ktap_blocks(output: &str) -> BTreeMap<String, String> {
    let mut blocks = BTreeMap::new();
    let mut cur: Option<(String, String)> = None;
    for line in output.lines() {
        if let Some(s) = line.strip_prefix("BENCH-KTAP-BEGIN ") {
            cur = Some((s.trim().to_string(), String::new()));
        } else if line.starts_with("BENCH-KTAP-END") {
            if let Some((s, t)) = cur.take() {
                blocks.insert(s, t);
            }
        } else if let Some((_, t)) = cur.as_mut() {
            t.push_str(line);
            t.push('\n');
        }
    }
    blocks
}

fn judge(name: &str, h: &Header, run: &Run) -> Vec<Verdict> {
    let oops = ["Oops", "BUG:", "Kernel panic", "WARNING:", "Call Trace:"]
        .iter()
        .find(|p| run.console.contains(*p));
    let failure_detail = || {
        format!(
            "guest exit status {}{}\n---- script output ----\n{}\n---- console log (last 80 lines) ----\n{}",
            run.status,
            if run.status == 124 {
                " (killed at the timeout)"
            } else {
                ""
            },
            tail(&run.output, 80),
            tail(&run.console, 80)
        )
    };
    let mut verdicts = Vec::new();
    let main = match h.expect.as_deref() {
        Some("timeout") => Verdict {
            name: name.to_string(),
            passed: run.status == 124 && run.console.contains("killed at the"),
            detail: format!("expected a timeout; {}", failure_detail()),
        },
        Some(e) if e.starts_with("exit:") => {
            let want: i32 = e[5..].parse().unwrap_or(-999);
            Verdict {
                name: name.to_string(),
                passed: run.status == want && run.output.contains(&format!("BENCH-EXIT {want}")),
                detail: format!("expected exit status {want}; {}", failure_detail()),
            }
        }
        _ => Verdict {
            name: name.to_string(),
            passed: run.status == 0 && oops.is_none(),
            detail: match oops {
                Some(p) if run.status == 0 => {
                    format!("the kernel reported '{p}'; {}", failure_detail())
                }
                _ => failure_detail(),
            },
        },
    };
    verdicts.push(main);
    if h.scsi_image_check && run.image_checks == 0 {
        verdicts.push(Verdict {
            name: format!("{name}::image-on-host"),
            passed: false,
            detail: "the scenario announced no BENCH-SCSI-IMAGE range to check".into(),
        });
    } else if run.image_checks > 0 {
        verdicts.push(Verdict {
            name: format!("{name}::image-on-host"),
            passed: run.image_problems.is_empty(),
            detail: run.image_problems.join("\n"),
        });
    }

    let blocks = ktap_blocks(&run.output);
    for suite in &h.kunit {
        let Some(text) = blocks.get(suite) else {
            verdicts.push(Verdict {
                name: format!("kunit::{suite}"),
                passed: false,
                detail: format!(
                    "suite {suite} printed no KTAP (missing or crashed)\n{}",
                    tail(&run.console, 60)
                ),
            });
            continue;
        };
        let s = ktap::parse_suite(text);
        if let Some(p) = s.problem() {
            verdicts.push(Verdict {
                name: format!("kunit::{suite}"),
                passed: false,
                detail: format!("{p}\n{text}"),
            });
        }
        for c in &s.cases {
            verdicts.push(Verdict {
                name: format!("kunit::{suite}::{}", c.name),
                passed: c.outcome != ktap::Outcome::Fail,
                detail: c.diagnostics.join("\n"),
            });
        }
    }
    verdicts
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut filters = Vec::new();
    let mut jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut opts = RunOpts {
        kdir: None,
        modules: None,
        modroot: None,
        timeout_scale: 1,
    };
    let mut dir_arg = None;
    let mut list = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jobs" => jobs = args.next().and_then(|j| j.parse().ok()).unwrap_or(1),
            "--kdir" => opts.kdir = args.next(),
            "--modules" => opts.modules = args.next(),
            "--scenarios" => dir_arg = args.next(),
            "--timeout-scale" => {
                opts.timeout_scale = args.next().and_then(|j| j.parse().ok()).unwrap_or(1)
            }
            "--list" => list = true,
            "-h" | "--help" => {
                println!(
                    "usage: bench [--jobs N] [--kdir DIR] [--modules DIR] [--scenarios DIR] \
                     [--timeout-scale N] [--list] [FILTER...]"
                );
                return;
            }
            f => filters.push(f.to_string()),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let data = std::env::var_os("BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-data"));

    let mut scenarios = Vec::new();
    let dir = dir_arg
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("tests/scenarios"));
    let mut groups: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    groups.sort();
    for g in groups.iter().filter(|g| g.is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(g)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "sh"))
        {
            let name = format!(
                "{}::{}",
                g.file_name().unwrap_or_default().to_string_lossy(),
                f.file_stem().unwrap_or_default().to_string_lossy()
            );
            if filters.is_empty() || filters.iter().any(|p| name.contains(p.as_str())) {
                scenarios.push((name, f.clone()));
            }
        }
    }
    if list {
        for (n, _) in &scenarios {
            println!("{n}");
        }
        return;
    }
    if scenarios.is_empty() {
        eprintln!("bench: no scenario matches {filters:?}");
        std::process::exit(2);
    }
    // Longest first (by the durations the last run recorded), so the
    // slow scenarios do not end up alone at the end of the run.
    let durations_file = root.join("target/bench-durations.txt");
    let mut durations: BTreeMap<String, f64> = std::fs::read_to_string(&durations_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (n, d) = l.split_once(' ')?;
            Some((n.to_string(), d.parse().ok()?))
        })
        .collect();
    scenarios.sort_by(|a, b| {
        let da = durations.get(&a.0).copied().unwrap_or(0.0);
        let db = durations.get(&b.0).copied().unwrap_or(0.0);
        db.total_cmp(&da)
    });
    println!(
        "running {} scenario(s), {} at a time",
        scenarios.len(),
        jobs
    );

    // Install the modules once for all the guests, not once per guest.
    let modroot = root.join(format!("target/bench-stage-{}", std::process::id()));
    match stage_modules(&root, &opts, &modroot) {
        Ok(()) => opts.modroot = Some(modroot.clone()),
        Err(e) => {
            eprintln!("bench: {e}");
            std::process::exit(2);
        }
    }

    let queue = Arc::new(Mutex::new(scenarios.into_iter().collect::<Vec<_>>()));
    let results: Arc<Mutex<Vec<Verdict>>> = Arc::new(Mutex::new(Vec::new()));
    let timings: Arc<Mutex<Vec<(String, f64)>>> = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let workers: Vec<_> = (0..jobs.max(1))
        .map(|_| {
            let timings = timings.clone();
            let (queue, results, root, opts, data) = (
                queue.clone(),
                results.clone(),
                root.clone(),
                opts.clone(),
                data.clone(),
            );
            std::thread::spawn(move || loop {
                let next = queue.lock().ok().and_then(|mut q| {
                    if q.is_empty() {
                        None
                    } else {
                        Some(q.remove(0))
                    }
                });
                let Some((name, path)) = next else {
                    break;
                };
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let h = parse_header(&text);
                let run = run_vm(&root, &path, &h, &opts, &data);
                let verdicts = judge(&name, &h, &run);
                if let Ok(mut t) = timings.lock() {
                    t.push((name.clone(), run.secs));
                }
                for v in &verdicts {
                    if v.name == name {
                        println!(
                            "test {} ... {} ({:.1}s)",
                            v.name,
                            if v.passed { "ok" } else { "FAILED" },
                            run.secs
                        );
                    } else {
                        println!(
                            "test {} ... {}",
                            v.name,
                            if v.passed { "ok" } else { "FAILED" }
                        );
                    }
                }
                if let Ok(mut r) = results.lock() {
                    r.extend(verdicts);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    if let Ok(t) = timings.lock() {
        durations.extend(t.iter().cloned());
        let text: String = durations
            .iter()
            .map(|(n, d)| format!("{n} {d:.1}\n"))
            .collect();
        let _ = std::fs::write(&durations_file, text);
    }
    let results = results
        .lock()
        .map(|r| {
            r.iter()
                .map(|v| (v.name.clone(), v.passed, v.detail.clone()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let _ = std::fs::remove_dir_all(&modroot);
    let failed: Vec<_> = results.iter().filter(|r| !r.1).collect();
    for (name, _, detail) in &failed {
        println!("\n==== FAILED: {name} ====\n{detail}");
    }
    println!(
        "\nbench result: {}. {} passed; {} failed; finished in {:.1}s",
        if failed.is_empty() { "ok" } else { "FAILED" },
        results.len() - failed.len(),
        failed.len(),
        start.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_directives() {
        let h = parse_header(
            "#!/bin/sh\n# bench: timeout=30\n# bench: kunit=a, b\n# bench: no-ncr810\n# bench: qemu-args=-device lsi53c810\n# bench: memory=1024\n# bench: kernel-args=slab_debug=U\n",
        );
        assert_eq!(h.timeout, Some(30));
        assert_eq!(h.kunit, vec!["a", "b"]);
        assert!(h.no_ncr810);
        assert_eq!(h.qemu_args, "-device lsi53c810");
        assert_eq!(h.memory, Some(1024));
        assert_eq!(h.kernel_args, "slab_debug=U");
    }

    #[test]
    fn missing_suite_fails() {
        let h = Header {
            kunit: vec!["s".into()],
            ..Default::default()
        };
        let run = Run {
            status: 0,
            output: "BENCH-EXIT 0\n".into(),
            console: String::new(),
            secs: 0.0,
            image_checks: 0,
            image_problems: Vec::new(),
        };
        let v = judge("x", &h, &run);
        assert!(v[0].passed);
        assert!(!v[1].passed);
    }

    #[test]
    fn oops_fails_a_passing_script() {
        let run = Run {
            status: 0,
            output: "BENCH-EXIT 0\n".into(),
            console: "BUG: kernel NULL pointer dereference".into(),
            secs: 0.0,
            image_checks: 0,
            image_problems: Vec::new(),
        };
        assert!(!judge("x", &Header::default(), &run)[0].passed);
    }

    #[test]
    fn image_ranges_are_checked_on_the_host() {
        let dir = tempdir();
        let img = dir.join("d.img");
        let bytes: Vec<u8> = (0..3 * 4096u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&img, &bytes).unwrap();
        let placed = BTreeMap::from([((1, 2), img.clone())]);
        let want = sha256_of_range(&img, 4096, 4096).unwrap();
        let other = sha256_of_range(&img, 0, 4096).unwrap();
        assert_ne!(want, other);
        let ok = format!("BENCH-SCSI-IMAGE 1 2 4096 4096 {want}\n");
        assert_eq!(check_images(&ok, &placed), (1, vec![]));
        let wrong = format!("BENCH-SCSI-IMAGE 1 2 0 4096 {want}\nBENCH-SCSI-IMAGE 0 0 0 1 {want}\nBENCH-SCSI-IMAGE x\n");
        let (n, problems) = check_images(&wrong, &placed);
        assert_eq!(n, 3);
        assert_eq!(problems.len(), 3);
        let h = Header {
            scsi_image_check: true,
            ..Default::default()
        };
        let run = Run {
            status: 0,
            output: "BENCH-EXIT 0\n".into(),
            console: String::new(),
            secs: 0.0,
            image_checks: 0,
            image_problems: Vec::new(),
        };
        assert!(!judge("x", &h, &run)[1].passed);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
