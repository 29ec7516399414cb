// SPDX-License-Identifier: GPL-2.0

//! The project's test runner.
//!
//! Boots the test VM once per scenario (`tests/scenarios/<group>/<name>.sh`)
//! through `scripts/vm-run.sh`, and reports each scenario as one test case,
//! plus one test case per KUnit case found in the KTAP a scenario printed.
//! Every verdict comes from what the guest printed: its exit status, its
//! output and the kernel's console log.
//!
//! Scenario headers (comment lines starting with `# harness:`):
//! - `timeout=<secs>`: the guest's hard limit (default 120);
//! - `memory=<MiB>`: guest memory (default 512; files live in its RAM);
//! - `qemu-args=<args>`: extra QEMU arguments (`$TEST_DATA/...` as in
//!   `files`, for a read-only image: the run gets no copy of it);
//! - `kernel-args=<args>`: extra kernel command line arguments (after any
//!   run-wide `VM_APPEND`);
//! - `no-ncr810`: leave the default NCR 53C810 out;
//! - `files=<paths>`: files (relative to the repository, or `$TEST_DATA/..`)
//!   copied to `/vm/files/`;
//! - `scsi-disks=<paths>`: disk images (as `files`) attached to the NCR
//!   53C810 as SCSI targets 0, 1, ...; a `+` starts the disks of one more
//!   controller; each run gets fresh copies;
//! - `scsi-image-check`: after the VM has powered off, the harness reads
//!   each range the guest announced with a line
//!   `VM-SCSI-IMAGE <controller> <target> <offset> <length> <sha256>`
//!   from its copy of that disk image and requires the SHA-256 the guest
//!   computed of what it wrote, or, where the line says `zero` instead,
//!   bytes that are all zero (the guest need not hash what it never
//!   wrote); the scenario must announce at least one;
//! - `host-check=<script> [args]`: after the VM has powered off, the
//!   harness runs `<script>` (relative to the repository) with `args` and
//!   then the paths of its copies of the `scsi-disks` images, in their
//!   order, with `HOST_CHECK_OUTPUT` naming a file that holds the guest's
//!   output, in the repository (`$TEST_DATA/...` in `args` as in
//!   `files`); the test `<scenario>::host-check` passes if it exits 0,
//!   and shows its output;
//! - `runs=<check> <soak>`: the scenario is booted that many times (in
//!   `make check`, in `make soak`), one after the other, each with fresh
//!   disk copies and its number (0, 1, ...) in the guest's `/vm/run`; each
//!   run is the test `<scenario>::run<NN>` (with its `::host-check`), for a
//!   scenario whose runs differ only by where something happens, such as
//!   a power cut (`VM-CUT`, scripts/vm-run.sh);
//! - `host-summary=<script> [args]`: with `runs=`, after the last run the
//!   harness runs `<script>` with `args` and then one file per run holding
//!   that run's `host-check` output; the test `<scenario>` passes if it
//!   exits 0, and its output is printed either way;
//! - `kunit=<suite,...>`: suites whose KTAP the scenario must print between
//!   `VM-KTAP-BEGIN <suite>` and `VM-KTAP-END` lines;
//! - `boot-limit=<s>`: how long the kernel may take to start `/init`
//!   (scripts/vm-run.sh's `--boot-limit`);
//! - `expect=exit:<n>` / `expect=timeout`: for the build scripts' self-tests, the
//!   outcome the scenario must have for the test case to pass;
//! - `expect=boot-stall`: the kernel must stall before `/init`, be stopped
//!   at the boot limit and be booted once more (the harness's own test);
//! - `expect=panic:<message>`: the scenario must end in a kernel panic with
//!   this message (`Kernel panic - not syncing: <message>` on the console),
//!   for behaviour whose documented outcome is a panic (`errors=panic`).
//!
//! Exit status 0 is not enough: a scenario passes only if it ended through
//! the guest library's `scenario_done`, which prints `scenario-done: <N>
//! checks` with the number of checks it made (N > 0). A scenario that
//! exits 0 early, or checks nothing, fails ("scenario ended without
//! scenario_done"). The `expect=` self-tests are judged by their outcome
//! alone. The guest's output is read as bytes: what is not UTF-8 is shown
//! as U+FFFD, the rest of the output stays.
//!
//! A part of a scenario that does not apply to the running kernel is
//! reported as skipped by the guest itself (`skip_part` in the guest
//! library prints `VM-SKIP <part> <reason>`): it becomes the test
//! `<scenario>::<part>`, SKIP, with the reason.
//!
//! Beside the text report, on request: `--junit FILE` (JUnit XML),
//! `--ktap DIR` (the KTAP each scenario printed, `<group>.<name>.ktap`) and
//! `--kcidb FILE` (a KCIDB submission, console logs in `FILE.logs/`).

mod junit;
mod kcidb;
mod ktap;
mod results;
mod schedule;

use results::{
    Scenario,
    Status,
    Verdict, //
};

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
use std::time::{
    Instant,
    SystemTime,
    UNIX_EPOCH, //
};

/// What a scenario declares in its header.
#[derive(Debug, Default, Clone)]
struct Header {
    timeout: Option<u32>,
    /// Guest memory in MiB, for scenarios whose files do not fit the
    /// default (everything in the initramfs lives in RAM).
    memory: Option<u32>,
    qemu_args: String,
    kernel_args: String,
    /// `boot-limit=`: seconds the kernel may take to start `/init`.
    boot_limit: Option<u32>,
    no_ncr810: bool,
    files: Vec<String>,
    scsi_disks: Vec<String>,
    scsi_image_check: bool,
    host_check: Option<String>,
    /// `runs=`: how many times the scenario is booted (check, soak).
    runs: Option<(u32, u32)>,
    host_summary: Option<String>,
    kunit: Vec<String>,
    expect: Option<String>,
}

fn parse_header(text: &str) -> Header {
    let mut h = Header::default();
    for line in text.lines() {
        let Some(d) = line.strip_prefix("# harness:") else {
            continue;
        };
        let d = d.trim();
        let (key, val) = d.split_once('=').unwrap_or((d, ""));
        match key.trim() {
            "timeout" => h.timeout = val.trim().parse().ok(),
            "memory" => h.memory = val.trim().parse().ok(),
            "qemu-args" => h.qemu_args = val.trim().to_string(),
            "kernel-args" => h.kernel_args = val.trim().to_string(),
            "boot-limit" => h.boot_limit = val.trim().parse().ok(),
            "no-ncr810" => h.no_ncr810 = true,
            "files" => h.files.extend(val.split_whitespace().map(str::to_string)),
            "scsi-disks" => h
                .scsi_disks
                .extend(val.split_whitespace().map(str::to_string)),
            "scsi-image-check" => h.scsi_image_check = true,
            "host-check" => h.host_check = Some(val.trim().to_string()),
            "runs" => {
                let n: Vec<u32> = val
                    .split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect();
                if let [check, soak] = n[..] {
                    h.runs = Some((check, soak));
                }
            }
            "host-summary" => h.host_summary = Some(val.trim().to_string()),
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

/// What a scenario's VM run or runs found.
struct Repeated {
    verdicts: Vec<Verdict>,
    /// The run the reports keep (the first that failed, else the last),
    /// its time and CPU those of all the runs.
    run: Run,
    /// The `host-summary` script's output, printed whatever its verdict.
    summary: Option<String>,
}

/// A scenario with `runs=`: boots it `n` times, judges each run as
/// `<scenario>::run<NN>`, then hands every run's `host-check` output to the
/// `host-summary` script, whose verdict is the test `<scenario>`.
fn run_repeated(
    name: &str,
    path: &Path,
    h: &Header,
    n: u32,
    root: &Path,
    opts: &RunOpts,
    data: &Path,
) -> Repeated {
    let mut verdicts = Vec::new();
    let mut checks = Vec::new();
    let (mut secs, mut cpu) = (0.0, Some(0.0));
    let mut kept: Option<(bool, Run)> = None;
    for i in 0..n {
        let run = run_vm(root, path, h, opts, data, Some(i));
        let v = judge(&format!("{name}::run{i:02}"), h, &run);
        let failed = v.iter().any(|v| !v.passed());
        secs += run.secs;
        cpu = cpu.zip(run.cpu).map(|(a, b)| a + b);
        checks.push(run.host_check.clone().map(|c| c.1).unwrap_or_default());
        verdicts.extend(v);
        if !matches!(kept, Some((true, _))) {
            kept = Some((failed, run));
        }
    }
    let mut run = match kept {
        Some((_, run)) => run,
        None => Run {
            status: -1,
            output: String::new(),
            console: format!("harness: runs= asks for no run of {name}"),
            secs: 0.0,
            cpu: None,
            image_checks: 0,
            image_problems: Vec::new(),
            host_check: None,
        },
    };
    run.secs = secs;
    run.cpu = cpu;
    let mut summary = None;
    if let Some(line) = &h.host_summary {
        let work = tempdir();
        let files: Vec<PathBuf> = checks
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let f = work.join(format!("run{i:02}.txt"));
                let _ = std::fs::write(&f, text);
                f
            })
            .collect();
        let mut words = line.split_whitespace();
        let script = words.next().unwrap_or_default();
        let (passed, text) = match Command::new(root.join(script))
            .args(words.map(|w| data_arg(w, data)))
            .args(&files)
            .current_dir(root)
            .output()
        {
            Ok(o) => {
                let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&o.stderr));
                (o.status.success() && n > 0, text)
            }
            Err(e) => (false, format!("cannot run {script}: {e}")),
        };
        let _ = std::fs::remove_dir_all(&work);
        verdicts.push(Verdict {
            name: name.to_string(),
            status: if passed { Status::Pass } else { Status::Fail },
            detail: text.clone(),
            secs: Some(secs),
        });
        summary = Some(text);
    }
    Repeated {
        verdicts,
        run,
        summary,
    }
}

/// An argument of a `host-check` or `host-summary` line: `$TEST_DATA/...`
/// becomes the path in the run's test data (as in `files=`), anything else
/// stays (the script runs in the repository).
fn data_arg(word: &str, data: &Path) -> String {
    match word.strip_prefix("$TEST_DATA/") {
        Some(rest) => data.join(rest).display().to_string(),
        None => word.to_string(),
    }
}

/// The outcome of one VM run.
struct Run {
    /// vm-run.sh's exit status: the script's, 124 at the timeout, 125 for
    /// a guest that died without one or oopsed; -1 when it did not run.
    status: i32,
    output: String,
    console: String,
    secs: f64,
    /// CPU seconds the VM run used, as vm-run.sh measured them.
    cpu: Option<f64>,
    /// The `VM-SCSI-IMAGE` ranges checked on the host, and what was
    /// wrong with any of them.
    image_checks: usize,
    image_problems: Vec<String>,
    /// The `host-check` script's verdict and output, if it ran.
    host_check: Option<(bool, String)>,
}

/// Options that apply to every scenario of a run.
#[derive(Clone)]
struct RunOpts {
    kdir: Option<String>,
    modules: Option<String>,
    /// The guest module tree as a cpio archive, staged once for the run.
    modules_cpio: Option<PathBuf>,
    timeout_scale: u32,
    /// The soak tier (`--soak`): the guest gets `/vm/soak` (VM_SOAK=1).
    soak: bool,
}

/// Runs `script` in a VM, and once more if the guest's kernel failed while
/// booting, before `/init` said it was up: no scenario ran, nothing of the
/// project's was loaded, and the next boot is a fresh one. Both kinds were
/// seen with Debian's kernel and two CPUs under TCG: a trap in patched code
/// (`sched_clock_cpu`) in a timer interrupt 1.8 s in, once in about 50
/// boots, and a boot that printed nothing after 0.96 s (vm-run.sh's boot
/// limit stops that one). The second run's output says that the first
/// failed, and how.
fn run_vm(
    root: &Path,
    script: &Path,
    h: &Header,
    opts: &RunOpts,
    data: &Path,
    run_index: Option<u32>,
) -> Run {
    let first = run_vm_once(root, script, h, opts, data, run_index);
    if !failed_while_booting(&first) {
        return first;
    }
    let mut again = run_vm_once(root, script, h, opts, data, run_index);
    again.output = format!(
        "harness: the guest's kernel {} while booting, before the scenario ran; \
         ran it again. The first boot's console ended:\n{}\n---- the second run ----\n{}",
        if first.status == 124 {
            "stalled"
        } else {
            "crashed"
        },
        tail(&first.console, 40),
        again.output
    );
    again.secs += first.secs;
    again.cpu = again.cpu.zip(first.cpu).map(|(a, b)| a + b);
    again
}

/// Whether the guest's kernel crashed or stalled (status 124: the boot
/// limit or the timeout) before `/init` announced itself (`harness: guest
/// up`): the scenario never started.
fn failed_while_booting(run: &Run) -> bool {
    !run.console.contains("harness: guest up")
        && (run.status == 124 || (run.status != 0 && kernel_problem(&run.console).is_some()))
}

fn run_vm_once(
    root: &Path,
    script: &Path,
    h: &Header,
    opts: &RunOpts,
    data: &Path,
    run_index: Option<u32>,
) -> Run {
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
    // (Without the header, vm-run.sh's own limit: VM_BOOT_LIMIT, which
    // check-debug.sh raises for its slow kernel.)
    if let Some(limit) = h.boot_limit {
        cmd.arg("--boot-limit")
            .arg((limit * opts.timeout_scale).to_string());
    }
    if let Some(k) = &opts.kdir {
        cmd.arg("--kdir").arg(k);
    }
    cmd.arg("--cpu-time").arg(work.join("cpu"));
    if opts.soak {
        cmd.env("VM_SOAK", "1");
    }
    if let Some(i) = run_index {
        cmd.arg("--run").arg(i.to_string());
    }
    if let Some(m) = &opts.modules_cpio {
        cmd.arg("--modules-cpio").arg(m);
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
        let data_dir = format!("{}/", data.display());
        cmd.arg("--qemu-args")
            .arg(h.qemu_args.replace("$TEST_DATA/", &data_dir));
    }
    if !h.kernel_args.is_empty() {
        let base = std::env::var("VM_APPEND").unwrap_or_default();
        cmd.env("VM_APPEND", format!("{base} {}", h.kernel_args));
    }
    let host_path = |f: &String| match f.strip_prefix("$TEST_DATA/") {
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
                console: format!("harness: cannot copy the SCSI disk {f}: {e}"),
                secs: 0.0,
                cpu: None,
                image_checks: 0,
                image_problems: Vec::new(),
                host_check: None,
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
    let output = read_lossy(&out);
    let mut console = read_lossy(&log);
    if !stderr.is_empty() {
        console.push_str("\n---- vm-run.sh said ----\n");
        console.push_str(&stderr);
    }
    let (image_checks, image_problems) = check_images(&output, &placed);
    let host_check = h.host_check.as_ref().map(|line| {
        let images: Vec<&PathBuf> = placed.values().collect();
        let mut words = line.split_whitespace();
        let script = words.next().unwrap_or_default();
        match Command::new(root.join(script))
            .args(words.map(|w| data_arg(w, data)))
            .args(&images)
            .env("HOST_CHECK_OUTPUT", &out)
            .current_dir(root)
            .output()
        {
            Ok(o) => {
                let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&o.stderr));
                (o.status.success(), text)
            }
            Err(e) => (false, format!("cannot run {script}: {e}")),
        }
    });
    let cpu = std::fs::read_to_string(work.join("cpu"))
        .ok()
        .and_then(|c| c.trim().parse().ok());
    let _ = std::fs::remove_dir_all(&work);
    Run {
        status,
        output,
        console,
        secs,
        cpu,
        image_checks,
        image_problems,
        host_check,
    }
}

/// A file the guest wrote, as text: its bytes, with any that are not UTF-8
/// (names in a code page, a damaged volume's bytes) shown as U+FFFD, so the
/// lines around them still reach the report, the KTAP parser and the
/// image checks. Empty if the file cannot be read.
fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Checks each `VM-SCSI-IMAGE <controller> <target> <offset> <length>
/// <sha256>` line of the guest's output against the disk image the guest
/// wrote, after the VM is gone: returns how many ranges were checked and
/// what did not match.
fn check_images(output: &str, placed: &BTreeMap<(u32, u32), PathBuf>) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut problems = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("VM-SCSI-IMAGE ") else {
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
        // `zero`: the range must hold only zero bytes, hashed here from
        // /dev/zero rather than by the guest under emulation.
        let zeros;
        let want = if want == "zero" {
            match sha256_of_range(Path::new("/dev/zero"), 0, len) {
                Ok(z) => {
                    zeros = z;
                    zeros.as_str()
                }
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            }
        } else {
            want
        };
        match sha256_of_range(image, off, len) {
            Ok(got) if got == want => {}
            Ok(_) if f[4] == "zero" => problems.push(format!(
                "controller {c} target {t}: bytes {off}..{} of the image are not all zero",
                off + len
            )),
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

/// The kernel tree the modules are built against: `--kdir`, else the
/// the project's cached one (`scripts/kdir.sh`). The reports name it too.
fn kernel_tree(root: &Path, opts: &RunOpts) -> Result<String, String> {
    if let Some(k) = &opts.kdir {
        return Ok(k.clone());
    }
    let o = Command::new(root.join("scripts/kdir.sh"))
        .output()
        .map_err(|e| format!("cannot run scripts/kdir.sh: {e}"))?;
    let k = String::from_utf8_lossy(&o.stdout).trim().to_string();
    if k.is_empty() {
        return Err("no kernel tree: pass --kdir or run 'make kernel'".into());
    }
    Ok(k)
}

/// Stages the guests' module tree with `scripts/stage-modules.sh --cpio`
/// (cached by content): returns the archive.
fn stage_modules(root: &Path, opts: &RunOpts) -> Result<PathBuf, String> {
    let kdir = kernel_tree(root, opts)?;
    let modules = opts
        .modules
        .clone()
        .unwrap_or_else(|| root.display().to_string());
    let o = Command::new(root.join("scripts/stage-modules.sh"))
        .args(["--cpio", &kdir, &modules])
        .output()
        .map_err(|e| format!("cannot run scripts/stage-modules.sh: {e}"))?;
    if o.status.success() {
        Ok(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
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
        "harness-{}-{}",
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

/// The KTAP blocks a scenario printed, in the order printed: (suite, text).
fn ktap_blocks(output: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in output.lines() {
        if let Some(s) = line.strip_prefix("VM-KTAP-BEGIN ") {
            cur = Some((s.trim().to_string(), String::new()));
        } else if line.starts_with("VM-KTAP-END") {
            if let Some(b) = cur.take() {
                blocks.push(b);
            }
        } else if let Some((_, t)) = cur.as_mut() {
            t.push_str(line);
            t.push('\n');
        }
    }
    blocks
}

/// Why a test was skipped, in one line: a KTAP `# SKIP <reason>` directive
/// in its detail (a KUnit case, or a whole suite), else the detail's first
/// line (a part the guest skipped).
fn skip_reason(detail: &str) -> &str {
    detail
        .lines()
        .filter_map(|l| l.split_once("SKIP ").map(|(_, r)| r))
        .next_back()
        .or_else(|| detail.lines().next())
        .unwrap_or("")
}

/// The parts the guest said do not apply here: `VM-SKIP <part> <reason>`.
fn skipped_parts(output: &str) -> Vec<(&str, &str)> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("VM-SKIP "))
        .filter_map(|l| l.trim().split_once(' '))
        .collect()
}

/// Whether the guest ran its script to the end: it reported an exit status
/// (`VM-EXIT`), or the power cut it asked for ended it (`VM-CUT-DONE`,
/// scripts/vm-run.sh), and was not killed at the timeout. A run that did
/// not finish tells nothing about the code, unless the kernel said why.
fn finished(run: &Run) -> bool {
    run.status != 124
        && run
            .output
            .lines()
            .any(|l| l.starts_with("VM-EXIT ") || l.starts_with("VM-CUT-DONE "))
}

/// How many checks the scenario declared it made when it ended: the
/// `scenario-done: <N> checks` line that the guest library's
/// `scenario_done` prints (the last one, if several).
fn declared_checks(output: &str) -> Option<u32> {
    output
        .lines()
        .filter_map(|l| l.trim_end().strip_prefix("scenario-done: "))
        .filter_map(|l| l.strip_suffix(" checks"))
        .filter_map(|n| n.parse().ok())
        .next_back()
}

/// Why a scenario that exited 0 proves nothing: it did not end through
/// `scenario_done`, or declared no check.
const NO_SCENARIO_DONE: &str = "scenario ended without scenario_done: an early exit proves nothing";

/// What counts as the kernel reporting a problem in its log, one fixed
/// string per line: the same list `scripts/vm-run.sh` and the guest's
/// `no_kernel_problems` use.
const KERNEL_PROBLEMS: &str = include_str!("../../../scripts/kernel-problems");

/// The first line of [`KERNEL_PROBLEMS`] found in `console`.
fn kernel_problem(console: &str) -> Option<&'static str> {
    KERNEL_PROBLEMS
        .lines()
        .filter(|p| !p.is_empty())
        .find(|p| console.contains(*p))
}

fn judge(name: &str, h: &Header, run: &Run) -> Vec<Verdict> {
    let oops = kernel_problem(&run.console);
    // How a verdict that did not pass is reported: a kernel report means
    // the code is faulty (FAIL) even when the guest died of it; a guest
    // that did not finish for no reported reason is an ERROR (the code's
    // state is unknown); anything else is a FAIL.
    let not_passed = if oops.is_some() || finished(run) {
        Status::Fail
    } else {
        Status::Error
    };
    let status = |passed: bool| if passed { Status::Pass } else { not_passed };
    let failure_detail = || {
        format!(
            "guest exit status {}{}\n---- script output ----\n{}\n---- console log (last 80 lines) ----\n{}",
            run.status,
            if run.status == 124 {
                " (killed at the timeout or the boot limit)"
            } else {
                ""
            },
            tail(&run.output, 80),
            tail(&run.console, 80)
        )
    };
    let mut verdicts = Vec::new();
    let main = match h.expect.as_deref() {
        Some("timeout") => {
            let passed = run.status == 124 && run.console.contains("killed at the");
            Verdict {
                name: name.to_string(),
                // Finishing is this self-test's failure, not an error.
                status: if passed {
                    Status::Pass
                } else if run.status == -1 {
                    Status::Error
                } else {
                    Status::Fail
                },
                detail: format!("expected a timeout; {}", failure_detail()),
                secs: Some(run.secs),
            }
        }
        Some("boot-stall") => Verdict {
            name: name.to_string(),
            status: status(
                run.status == 124
                    && run.console.contains("the boot stalled")
                    && run.output.contains("kernel stalled while booting")
                    && run.output.contains("---- the second run ----"),
            ),
            detail: format!(
                "expected a boot stopped at the boot limit, twice; {}",
                failure_detail()
            ),
            secs: Some(run.secs),
        },
        Some(e) if e.starts_with("panic:") => {
            let want = format!("Kernel panic - not syncing: {}", &e[6..]);
            Verdict {
                name: name.to_string(),
                status: if run.console.contains(&want) {
                    Status::Pass
                } else if run.status == -1 {
                    Status::Error
                } else {
                    Status::Fail
                },
                detail: format!("expected '{want}'; {}", failure_detail()),
                secs: Some(run.secs),
            }
        }
        Some(e) if e.starts_with("exit:") => {
            let want: i32 = e[5..].parse().unwrap_or(-999);
            Verdict {
                name: name.to_string(),
                status: status(
                    run.status == want && run.output.contains(&format!("VM-EXIT {want}")),
                ),
                detail: format!("expected exit status {want}; {}", failure_detail()),
                secs: Some(run.secs),
            }
        }
        _ => {
            // Exit status 0 alone is not a pass: the scenario must have
            // reached its end and declared the checks it made.
            let declared = declared_checks(&run.output).is_some_and(|n| n > 0);
            Verdict {
                name: name.to_string(),
                status: status(run.status == 0 && oops.is_none() && declared),
                detail: match oops {
                    Some(p) if run.status == 0 => {
                        format!("the kernel reported '{p}'; {}", failure_detail())
                    }
                    None if run.status == 0 && !declared => {
                        format!("{NO_SCENARIO_DONE}; {}", failure_detail())
                    }
                    _ => failure_detail(),
                },
                secs: Some(run.secs),
            }
        }
    };
    verdicts.push(main);
    if h.scsi_image_check && run.image_checks == 0 {
        verdicts.push(Verdict {
            name: format!("{name}::image-on-host"),
            status: status(false),
            detail: "the scenario announced no VM-SCSI-IMAGE range to check".into(),
            secs: None,
        });
    } else if run.image_checks > 0 {
        // The ranges were announced, so the comparison itself is a finding.
        verdicts.push(Verdict {
            name: format!("{name}::image-on-host"),
            status: if run.image_problems.is_empty() {
                Status::Pass
            } else {
                Status::Fail
            },
            detail: run.image_problems.join("\n"),
            secs: None,
        });
    }

    if h.host_check.is_some() {
        let (passed, text) = run
            .host_check
            .clone()
            .unwrap_or((false, "the host check did not run".into()));
        verdicts.push(Verdict {
            name: format!("{name}::host-check"),
            status: status(passed),
            detail: text,
            secs: None,
        });
    }

    for (part, reason) in skipped_parts(&run.output) {
        verdicts.push(Verdict {
            name: format!("{name}::{part}"),
            status: Status::Skip,
            detail: reason.to_string(),
            secs: None,
        });
    }

    // A suite that printed nothing, or was cut short, did not complete:
    // its cases' state is unknown unless the kernel reported a bug.
    let suite_broken = if oops.is_some() {
        Status::Fail
    } else {
        Status::Error
    };
    let blocks = ktap_blocks(&run.output);
    for suite in &h.kunit {
        // A suite printed twice counts by its last block, as before.
        let Some((_, text)) = blocks.iter().rev().find(|(s, _)| s == suite) else {
            verdicts.push(Verdict {
                name: format!("kunit::{suite}"),
                status: suite_broken,
                detail: format!(
                    "suite {suite} printed no KTAP (missing or crashed)\n{}",
                    tail(&run.console, 60)
                ),
                secs: None,
            });
            continue;
        };
        let s = ktap::parse_suite(text);
        if let Some(p) = s.problem() {
            verdicts.push(Verdict {
                name: format!("kunit::{suite}"),
                status: suite_broken,
                detail: format!("{p}\n{text}"),
                secs: None,
            });
        }
        // A suite skipped as a whole (`1..0`, its result `# SKIP`, as the
        // guest prints for a kernel without KUnit) is one skipped test
        // case, so the report says what did not run and why.
        if s.cases.is_empty() && s.planned == Some(0) && s.result == Some(ktap::Outcome::Skip) {
            verdicts.push(Verdict {
                name: format!("kunit::{suite}"),
                status: Status::Skip,
                detail: text.clone(),
                secs: None,
            });
        }
        for c in &s.cases {
            verdicts.push(Verdict {
                name: format!("kunit::{suite}::{}", c.name),
                status: match c.outcome {
                    ktap::Outcome::Pass => Status::Pass,
                    ktap::Outcome::Skip => Status::Skip,
                    ktap::Outcome::Fail => Status::Fail,
                },
                detail: c.diagnostics.join("\n"),
                secs: None,
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
        modules_cpio: None,
        timeout_scale: 1,
        soak: false,
    };
    let mut dir_arg = None;
    let mut durations_arg = None;
    let mut list = false;
    let mut reports = Reports::default();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jobs" => jobs = args.next().and_then(|j| j.parse().ok()).unwrap_or(1),
            "--kdir" => opts.kdir = args.next(),
            "--modules" => opts.modules = args.next(),
            "--scenarios" => dir_arg = args.next(),
            "--durations" => durations_arg = args.next(),
            "--timeout-scale" => {
                opts.timeout_scale = args.next().and_then(|j| j.parse().ok()).unwrap_or(1)
            }
            "--list" => list = true,
            "--soak" => opts.soak = true,
            "--junit" => reports.junit = args.next().map(PathBuf::from),
            "--ktap" => reports.ktap = args.next().map(PathBuf::from),
            "--kcidb" => reports.kcidb = args.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!(
                    "usage: harness [--jobs N] [--kdir DIR] [--modules DIR] [--scenarios DIR] \
                     [--timeout-scale N] [--soak] [--list] [--junit FILE] [--ktap DIR] \
                     [--kcidb FILE] [--durations FILE] [FILTER...]"
                );
                return;
            }
            f => filters.push(f.to_string()),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let data = std::env::var_os("TEST_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/test-data"));

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
        eprintln!("harness: no scenario matches {filters:?}");
        std::process::exit(2);
    }
    // The soak tier runs the scenarios with counts of their own (`reps`);
    // the others ran as they are in `make check`.
    if opts.soak {
        scenarios.retain(|(_, p)| {
            std::fs::read_to_string(p)
                .is_ok_and(|t| schedule::has_soak_counts(&t) || parse_header(&t).runs.is_some())
        });
        if scenarios.is_empty() {
            eprintln!("harness: no scenario matching {filters:?} has soak counts (reps)");
            std::process::exit(2);
        }
    }
    // Longest first, while the CPUs have room (schedule.rs), by the timings the last
    // run of the same tier (or kernel: --durations) recorded, and for what it
    // has not timed yet, the tier's seed.
    let durations_file = durations_arg.map(PathBuf::from).unwrap_or_else(|| {
        root.join(if opts.soak {
            "target/harness-durations-soak.txt"
        } else {
            "target/harness-durations.txt"
        })
    });
    let seed = root.join(if opts.soak {
        "tests/harness/durations-soak.txt"
    } else {
        "tests/harness/durations.txt"
    });
    let mut durations = schedule::load_seeded(&seed, &durations_file);
    let count = scenarios.len();
    let queue = schedule::Queue::new(scenarios, &durations, schedule::capacity(jobs));
    let sleepers = queue.sleepers();
    println!(
        "running {} scenario(s) on {} CPU(s), up to {} at a time while their CPU shares fit{}",
        count,
        jobs.max(1),
        2 * jobs.max(1),
        if sleepers > 0 {
            format!(" ({sleepers} mostly wait)")
        } else {
            String::new()
        }
    );

    // The reports name the kernel tree; resolved once, as staging does.
    let kernel = kernel_tree(&root, &opts)
        .ok()
        .map(|k| kcidb::Kernel::probe(Path::new(&k)));
    // Install the modules once for all the guests, not once per guest.
    match stage_modules(&root, &opts) {
        Ok(f) => opts.modules_cpio = Some(f),
        Err(e) => {
            eprintln!("harness: {e}");
            std::process::exit(2);
        }
    }

    let queue = Arc::new((Mutex::new(queue), std::sync::Condvar::new()));
    let results: Arc<Mutex<Vec<Scenario>>> = Arc::new(Mutex::new(Vec::new()));
    let timings: Arc<Mutex<Vec<(String, schedule::Timing)>>> = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let started = SystemTime::now();
    // At most two VMs a CPU: the shares decide how many run.
    let slots = 2 * jobs.max(1);
    let workers: Vec<_> = (0..slots)
        .map(|_| {
            let timings = timings.clone();
            let (queue, results, root, opts, data) = (
                queue.clone(),
                results.clone(),
                root.clone(),
                opts.clone(),
                data.clone(),
            );
            std::thread::spawn(move || {
                while let Some((name, path, share)) = next_scenario(&queue) {
                    // Gives the share back when the scenario ends, even by
                    // a panic: a share never given back would keep the
                    // other workers waiting for room.
                    let _running = Running {
                        queue: &queue,
                        share,
                    };
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    let h = parse_header(&text);
                    let vm_start = SystemTime::now();
                    let run = match h.runs {
                        Some((check, soak)) => {
                            let n = if opts.soak { soak } else { check };
                            run_repeated(&name, &path, &h, n, &root, &opts, &data)
                        }
                        None => {
                            let run = run_vm(&root, &path, &h, &opts, &data, None);
                            Repeated {
                                verdicts: judge(&name, &h, &run),
                                run,
                                summary: None,
                            }
                        }
                    };
                    let Repeated {
                        verdicts,
                        run,
                        summary,
                    } = run;
                    if let Ok(mut t) = timings.lock() {
                        t.push((
                            name.clone(),
                            schedule::Timing {
                                wall: run.secs,
                                cpu: run.cpu,
                            },
                        ));
                    }
                    for v in &verdicts {
                        // A skip passes, but says so and why.
                        let word = match v.status {
                            Status::Skip => format!("ok # SKIP {}", skip_reason(&v.detail)),
                            _ if v.passed() => "ok".to_string(),
                            _ => "FAILED".to_string(),
                        };
                        match v.secs {
                            Some(secs) => println!("test {} ... {} ({:.1}s)", v.name, word, secs),
                            None => println!("test {} ... {}", v.name, word),
                        }
                    }
                    if let Some(text) = summary {
                        println!("{text}");
                    }
                    let ktap = ktap_blocks(&run.output);
                    let scenario = Scenario {
                        name,
                        start: vm_start,
                        console: run.console,
                        ktap,
                        verdicts,
                    };
                    if let Ok(mut r) = results.lock() {
                        r.push(scenario);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    if let Ok(t) = timings.lock() {
        durations.extend(t.iter().cloned());
        schedule::save(&durations_file, &durations);
    }
    let scenarios = results.lock().map(|r| r.clone()).unwrap_or_default();
    let results: Vec<_> = scenarios
        .iter()
        .flat_map(|s| &s.verdicts)
        .map(|v| (v.name.clone(), v.passed(), v.detail.clone()))
        .collect();
    let run_id = format!(
        "{}-{}",
        started
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs(),
        std::process::id()
    );
    let report_errors = reports.write(
        &scenarios,
        kernel.as_ref(),
        started,
        start.elapsed().as_secs_f64(),
        &run_id,
    );
    let failed: Vec<_> = results.iter().filter(|r| !r.1).collect();
    for (name, _, detail) in &failed {
        println!("\n==== FAILED: {name} ====\n{detail}");
    }
    println!(
        "\nharness result: {}. {} passed; {} failed; finished in {:.1}s",
        if failed.is_empty() { "ok" } else { "FAILED" },
        results.len() - failed.len(),
        failed.len(),
        start.elapsed().as_secs_f64()
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
    if report_errors > 0 {
        std::process::exit(2);
    }
}

/// The next scenario to run, once the CPU shares of the running ones leave
/// room for it; `None` when all have been taken.
fn next_scenario<T>(
    queue: &(Mutex<schedule::Queue<T>>, std::sync::Condvar),
) -> Option<(String, T, f64)> {
    let (q, ready) = queue;
    let mut q = q.lock().ok()?;
    loop {
        if q.is_empty() {
            return None;
        }
        if let Some(next) = q.take() {
            return Some(next);
        }
        q = ready.wait(q).ok()?;
    }
}

/// A scenario's VM running with its CPU share taken from the queue.
struct Running<'a, T> {
    queue: &'a (Mutex<schedule::Queue<T>>, std::sync::Condvar),
    share: f64,
}

impl<T> Drop for Running<'_, T> {
    fn drop(&mut self) {
        let (q, ready) = self.queue;
        // (A poisoned lock: a worker panicked while holding it; the others
        // can take nothing more either way.)
        if let Ok(mut q) = q.lock() {
            q.done(self.share);
        }
        ready.notify_all();
    }
}

/// The result files asked for beside the text report.
#[derive(Default)]
struct Reports {
    /// `--junit FILE`.
    junit: Option<PathBuf>,
    /// `--ktap DIR`.
    ktap: Option<PathBuf>,
    /// `--kcidb FILE`.
    kcidb: Option<PathBuf>,
}

impl Reports {
    /// Writes each requested file; says on stderr what could not be
    /// written (the text report on stdout stays as it is) and returns how
    /// many failed.
    fn write(
        &self,
        scenarios: &[Scenario],
        kernel: Option<&kcidb::Kernel>,
        started: SystemTime,
        secs: f64,
        run_id: &str,
    ) -> usize {
        let mut errors = 0;
        let mut check = |what: &str, r: Result<(), String>| {
            if let Err(e) = r {
                eprintln!("harness: cannot write the {what}: {e}");
                errors += 1;
            }
        };
        if let Some(f) = &self.junit {
            let xml = junit::render(scenarios, started, secs);
            check(
                "JUnit report",
                create_parent(f)
                    .and_then(|()| std::fs::write(f, xml))
                    .map_err(|e| format!("{}: {e}", f.display())),
            );
        }
        if let Some(d) = &self.ktap {
            check(
                "KTAP files",
                write_ktap(d, scenarios).map_err(|e| format!("{}: {e}", d.display())),
            );
        }
        if let Some(f) = &self.kcidb {
            let r = match kernel {
                Some(k) => kcidb::write(f, k, scenarios, run_id)
                    .map_err(|e| format!("{}: {e}", f.display())),
                None => Err("no kernel tree to name as the build".into()),
            };
            check("KCIDB submission", r);
        }
        errors
    }
}

/// Creates the directory a file goes in.
fn create_parent(f: &Path) -> std::io::Result<()> {
    match f.parent() {
        Some(p) if !p.as_os_str().is_empty() => std::fs::create_dir_all(p),
        _ => Ok(()),
    }
}

/// Writes `<dir>/<group>.<name>.ktap` with the KTAP blocks each scenario
/// printed, all suites in the order printed, for the scenarios that
/// printed any. The `.ktap` files of an earlier run go first, so the
/// directory holds this run's and nothing else.
fn write_ktap(dir: &Path, scenarios: &[Scenario]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for e in std::fs::read_dir(dir)?.flatten() {
        if e.path().extension().is_some_and(|x| x == "ktap") {
            std::fs::remove_file(e.path())?;
        }
    }
    for s in scenarios.iter().filter(|s| !s.ktap.is_empty()) {
        let text: String = s.ktap.iter().map(|(_, t)| t.as_str()).collect();
        std::fs::write(dir.join(format!("{}.ktap", s.file_stem())), text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scenario has a line in the schedule's seed, and every one with
    /// soak counts a line in the soak tier's: a scenario added without one
    /// would run last in a fresh clone's first run.
    #[test]
    fn the_seed_times_every_scenario() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let seed = |f: &str| schedule::load(&root.join("tests/harness").join(f));
        let (check, soak) = (seed("durations.txt"), seed("durations-soak.txt"));
        let mut missing = Vec::new();
        for g in std::fs::read_dir(root.join("tests/scenarios"))
            .unwrap()
            .flatten()
        {
            for f in std::fs::read_dir(g.path()).unwrap().flatten() {
                let p = f.path();
                if p.extension().is_none_or(|e| e != "sh") {
                    continue;
                }
                let name = format!(
                    "{}::{}",
                    g.file_name().to_string_lossy(),
                    p.file_stem().unwrap_or_default().to_string_lossy()
                );
                let text = std::fs::read_to_string(&p).unwrap();
                if !check.contains_key(&name) {
                    missing.push(format!("{name} (durations.txt)"));
                }
                if (schedule::has_soak_counts(&text) || parse_header(&text).runs.is_some())
                    && !soak.contains_key(&name)
                {
                    missing.push(format!("{name} (durations-soak.txt)"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in tests/harness's seed (copy the line from target/harness-durations*.txt \
             after a run): {missing:?}"
        );
    }

    #[test]
    fn header_directives() {
        let h = parse_header(
            "#!/bin/sh\n# harness: timeout=30\n# harness: kunit=a, b\n# harness: no-ncr810\n# harness: qemu-args=-device lsi53c810\n# harness: memory=1024\n# harness: kernel-args=slab_debug=U\n",
        );
        assert_eq!(h.timeout, Some(30));
        assert_eq!(h.kunit, vec!["a", "b"]);
        assert!(h.no_ncr810);
        assert_eq!(h.qemu_args, "-device lsi53c810");
        assert_eq!(h.memory, Some(1024));
        assert_eq!(h.kernel_args, "slab_debug=U");
        assert_eq!(h.runs, None);
        let h = parse_header("# harness: runs=3 50\n# harness: host-summary=scripts/s.py a\n");
        assert_eq!(h.runs, Some((3, 50)));
        assert_eq!(h.host_summary.as_deref(), Some("scripts/s.py a"));
        assert_eq!(parse_header("# harness: runs=3\n").runs, None);
    }

    #[test]
    fn test_data_in_host_check_arguments() {
        let data = Path::new("/d");
        assert_eq!(data_arg("$TEST_DATA/rw/pattern", data), "/d/rw/pattern");
        assert_eq!(data_arg("--tags", data), "--tags");
    }

    #[test]
    fn a_power_cut_ends_a_run() {
        // The guest declared its checks, asked for the cut, and the host
        // cut it: no VM-EXIT, and a pass.
        let out = "scenario-done: 5 checks\nVM-CUT 300\nworking\nVM-CUT-DONE 300\n";
        let v = judge("x::run00", &Header::default(), &run(0, out, ""));
        assert_eq!(v[0].status, Status::Pass);
        // Cut short without the host's cut: unknown.
        let v = judge(
            "x::run00",
            &Header::default(),
            &run(125, "VM-CUT 300\n", ""),
        );
        assert_eq!(v[0].status, Status::Error);
    }

    #[test]
    fn missing_suite_fails() {
        let h = Header {
            kunit: vec!["s".into()],
            ..Default::default()
        };
        let run = run(0, "scenario-done: 1 checks\nVM-EXIT 0\n", "");
        let v = judge("x", &h, &run);
        assert!(v[0].passed());
        assert!(!v[1].passed());
        // Finished, no KTAP for the suite: it did not complete.
        assert_eq!(v[1].status, Status::Error);
    }

    #[test]
    fn oops_fails_a_passing_script() {
        let run = run(
            0,
            "scenario-done: 1 checks\nVM-EXIT 0\n",
            "BUG: kernel NULL pointer dereference",
        );
        let v = judge("x", &Header::default(), &run);
        assert!(!v[0].passed());
        assert_eq!(v[0].status, Status::Fail);
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
        let ok = format!("VM-SCSI-IMAGE 1 2 4096 4096 {want}\n");
        assert_eq!(check_images(&ok, &placed), (1, vec![]));
        let wrong = format!(
            "VM-SCSI-IMAGE 1 2 0 4096 {want}\nVM-SCSI-IMAGE 0 0 0 1 {want}\nVM-SCSI-IMAGE x\n"
        );
        let (n, problems) = check_images(&wrong, &placed);
        assert_eq!(n, 3);
        assert_eq!(problems.len(), 3);
        // `zero` passes over zeros only.
        let mut zeros = bytes.clone();
        zeros[2 * 4096..].fill(0);
        std::fs::write(&img, &zeros).unwrap();
        let z = "VM-SCSI-IMAGE 1 2 8192 4096 zero\n";
        assert_eq!(check_images(z, &placed), (1, vec![]));
        let (_, problems) = check_images("VM-SCSI-IMAGE 1 2 4095 4096 zero\n", &placed);
        assert_eq!(problems.len(), 1);
        let h = Header {
            scsi_image_check: true,
            ..Default::default()
        };
        let run = run(0, "VM-EXIT 0\n", "");
        assert!(!judge("x", &h, &run)[1].passed());
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn run(status: i32, output: &str, console: &str) -> Run {
        Run {
            status,
            output: output.into(),
            console: console.into(),
            secs: 1.0,
            cpu: None,
            image_checks: 0,
            image_problems: Vec::new(),
            host_check: None,
        }
    }

    #[test]
    fn status_of_scenarios() {
        let h = Header::default();
        let st = |r: &Run| judge("x", &h, r)[0].status;
        assert_eq!(
            st(&run(0, "scenario-done: 1 checks\nVM-EXIT 0\n", "")),
            Status::Pass
        );
        // The script failed: the code is faulty.
        assert_eq!(st(&run(1, "VM-EXIT 1\n", "")), Status::Fail);
        // The script passed, the kernel oopsed (vm-run.sh says 125).
        assert_eq!(st(&run(125, "VM-EXIT 0\n", "WARNING: at x")), Status::Fail);
        // Timeout, or no exit status and no kernel report: unknown.
        assert_eq!(st(&run(124, "", "killed at the 5s timeout")), Status::Error);
        assert_eq!(st(&run(125, "half", "")), Status::Error);
        assert_eq!(st(&run(-1, "", "")), Status::Error);
        // A panic ends the guest without an exit status, but says why.
        assert_eq!(
            st(&run(125, "", "Kernel panic - not syncing")),
            Status::Fail
        );
        assert_eq!(
            judge("x", &h, &run(0, "VM-EXIT 0\n", ""))[0].secs,
            Some(1.0)
        );
    }

    #[test]
    fn only_a_failure_before_init_is_run_again() {
        let boot = "[ 1.8] RIP: sched_clock_cpu\n[ 1.8] Kernel panic - not syncing: Fatal exception in interrupt\n";
        assert!(failed_while_booting(&run(125, "", boot)));
        // A boot that stalled: stopped at the boot limit (or the timeout).
        let stalled = "[ 0.95] acpi PNP0A03:00: fail to add MMCONFIG information\n";
        assert!(failed_while_booting(&run(124, "", stalled)));
        // The scenario ran: its crash or its timeout is the verdict.
        let after = format!("harness: guest up, kernel 7.3\n{boot}");
        assert!(!failed_while_booting(&run(125, "", &after)));
        let after = format!("{stalled}harness: guest up, kernel 7.3\n");
        assert!(!failed_while_booting(&run(124, "", &after)));
        // Neither: QEMU that did not start, a guest that passed.
        assert!(!failed_while_booting(&run(125, "", "")));
        assert!(!failed_while_booting(&run(0, "VM-EXIT 0\n", boot)));
    }

    #[test]
    fn exit_0_without_scenario_done_fails() {
        let h = Header::default();
        let v = |out: &str| judge("x", &h, &run(0, out, "")).remove(0);
        // An early `exit 0`: the script ended, its status is 0, nothing
        // says it reached its end.
        let early = v("== first step\nVM-EXIT 0\n");
        assert_eq!(early.status, Status::Fail);
        assert!(
            early.detail.starts_with(NO_SCENARIO_DONE),
            "{}",
            early.detail
        );
        // Zero checks, or a malformed line, is no declaration either.
        assert_eq!(
            v("scenario-done: 0 checks\nVM-EXIT 0\n").status,
            Status::Fail
        );
        assert_eq!(
            v("scenario-done: many checks\nVM-EXIT 0\n").status,
            Status::Fail
        );
        assert_eq!(
            v("scenario-done: 12 checks\r\nVM-EXIT 0\n").status,
            Status::Pass
        );
        // A failing script fails for its own reason, not for the marker.
        let failed = judge("x", &h, &run(1, "FAIL: it broke\nVM-EXIT 1\n", "")).remove(0);
        assert_eq!(failed.status, Status::Fail);
        assert!(!failed.detail.contains(NO_SCENARIO_DONE));
        assert_eq!(
            declared_checks("scenario-done: 3 checks\nscenario-done: 7 checks\n"),
            Some(7)
        );
    }

    #[test]
    fn output_that_is_not_utf8_reaches_the_report() {
        // An msdos name with byte 0x9a in a MISMATCH line, then a KTAP
        // block and an image range: none of it may be lost.
        let dir = tempdir();
        let f = dir.join("output.log");
        let mut bytes =
            b"== compare\nMISMATCH fat12.rust_msdos (- C, + Rust):\n-./\x9a.TXT file 755\n"
                .to_vec();
        bytes.extend_from_slice(
            b"VM-KTAP-BEGIN s\nKTAP version 1\n    KTAP version 1\n    # Subtest: s\n    1..1\n    not ok 1 name_\x9a_case\nnot ok 1 s\nVM-KTAP-END\n",
        );
        bytes.extend_from_slice(b"VM-SCSI-IMAGE 0 0 0 1 00\nscenario-done: 4 checks\nVM-EXIT 1\n");
        std::fs::write(&f, &bytes).unwrap();
        assert!(String::from_utf8(bytes).is_err());
        let output = read_lossy(&f);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(output.contains("MISMATCH fat12.rust_msdos"));
        assert!(output.contains("-./\u{fffd}.TXT file 755"));
        let h = Header {
            kunit: vec!["s".into()],
            ..Default::default()
        };
        let v = judge("realdata::x", &h, &run(1, &output, ""));
        assert_eq!(v[0].status, Status::Fail);
        assert!(v[0].detail.contains("-./\u{fffd}.TXT"), "{}", v[0].detail);
        assert_eq!(v[1].name, "kunit::s::name_\u{fffd}_case");
        assert_eq!(v[1].status, Status::Fail);
        assert_eq!(check_images(&output, &BTreeMap::new()).0, 1);
        assert_eq!(declared_checks(&output), Some(4));
    }

    #[test]
    fn status_of_self_tests() {
        let timeout = Header {
            expect: Some("timeout".into()),
            ..Default::default()
        };
        let st = |h: &Header, r: &Run| judge("x", h, r)[0].status;
        assert_eq!(
            st(&timeout, &run(124, "", "killed at the 5s")),
            Status::Pass
        );
        assert_eq!(st(&timeout, &run(0, "VM-EXIT 0\n", "")), Status::Fail);
        let exit3 = Header {
            expect: Some("exit:3".into()),
            ..Default::default()
        };
        assert_eq!(st(&exit3, &run(3, "VM-EXIT 3\n", "")), Status::Pass);
        assert_eq!(st(&exit3, &run(0, "VM-EXIT 0\n", "")), Status::Fail);
        assert_eq!(st(&exit3, &run(124, "", "")), Status::Error);
        let panic = Header {
            expect: Some("panic:fs (x): boom".into()),
            ..Default::default()
        };
        let said = "[ 1.0] Kernel panic - not syncing: fs (x): boom\n";
        assert_eq!(st(&panic, &run(125, "", said)), Status::Pass);
        assert_eq!(st(&panic, &run(1, "VM-EXIT 1\n", "")), Status::Fail);
        let other = "[ 1.0] Kernel panic - not syncing: Oops\n";
        assert_eq!(st(&panic, &run(125, "", other)), Status::Fail);
    }

    #[test]
    fn status_of_kunit_cases() {
        let h = Header {
            kunit: vec!["demo".into(), "gone".into()],
            ..Default::default()
        };
        let out = "VM-KTAP-BEGIN demo\nKTAP version 1\n    KTAP version 1\n    # Subtest: demo\n    1..3\n    ok 1 first\n    # second: ASSERTION FAILED\n    not ok 2 second\n    ok 3 third # SKIP not here\nnot ok 1 demo\nVM-KTAP-END\nscenario-done: 1 checks\nVM-EXIT 0\n";
        let v = judge("g::08-k", &h, &run(0, out, ""));
        let got: Vec<(&str, Status)> = v.iter().map(|v| (v.name.as_str(), v.status)).collect();
        assert_eq!(
            got,
            vec![
                ("g::08-k", Status::Pass),
                ("kunit::demo::first", Status::Pass),
                ("kunit::demo::second", Status::Fail),
                ("kunit::demo::third", Status::Skip),
                ("kunit::gone", Status::Error),
            ]
        );
        // The text report counts a skip as ok, as it always has.
        assert!(v[3].passed());
        assert_eq!(ktap_blocks(out).len(), 1);
        assert!(ktap_blocks(out)[0].1.starts_with("KTAP version 1\n"));
    }

    #[test]
    fn parts_the_guest_skipped() {
        let out = "== a\nVM-SKIP abi-crc no CONFIG_MODVERSIONS here\nVM-SKIP\nscenario-done: 1 checks\nVM-EXIT 0\n";
        let v = judge("vfat::07-v", &Header::default(), &run(0, out, ""));
        let got: Vec<(&str, Status, &str)> = v
            .iter()
            .map(|v| (v.name.as_str(), v.status, v.detail.as_str()))
            .collect();
        assert_eq!(got[0].1, Status::Pass);
        assert_eq!(
            got[1],
            (
                "vfat::07-v::abi-crc",
                Status::Skip,
                "no CONFIG_MODVERSIONS here"
            )
        );
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn suite_skipped_as_a_whole() {
        let h = Header {
            kunit: vec!["s".into()],
            ..Default::default()
        };
        let out = "VM-KTAP-BEGIN s\nKTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..0\nok 1 s # SKIP the kernel is built without CONFIG_KUNIT\nVM-KTAP-END\nscenario-done: 1 checks\nVM-EXIT 0\n";
        let v = judge("x", &h, &run(0, out, ""));
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].name, "kunit::s");
        assert_eq!(v[1].status, Status::Skip);
        assert_eq!(
            skip_reason(&v[1].detail),
            "the kernel is built without CONFIG_KUNIT"
        );
        assert_eq!(
            skip_reason("no CONFIG_MODVERSIONS here"),
            "no CONFIG_MODVERSIONS here"
        );
    }

    #[test]
    fn ktap_files_per_scenario() {
        let dir = tempdir();
        std::fs::write(dir.join("old.ktap"), "stale").unwrap();
        let s = |name: &str, ktap: Vec<(String, String)>| Scenario {
            name: name.into(),
            start: UNIX_EPOCH,
            console: String::new(),
            ktap,
            verdicts: Vec::new(),
        };
        let two = vec![
            ("b".into(), "KTAP b\n".into()),
            ("a".into(), "KTAP a\n".into()),
        ];
        write_ktap(&dir, &[s("vfat::08-kunit", two), s("vfat::01-x", vec![])]).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec!["vfat.08-kunit.ktap"]);
        assert_eq!(
            std::fs::read_to_string(dir.join("vfat.08-kunit.ktap")).unwrap(),
            "KTAP b\nKTAP a\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
