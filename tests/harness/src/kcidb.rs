// SPDX-License-Identifier: GPL-2.0

//! The KCIDB submission: one checkout (the kernel source), one build per
//! kernel tree the modules were built against, one test per verdict, each
//! test with its scenario's console log attached as a `file://` output
//! file. `scripts/kcidb-venv.sh --validate` checks it with kcidb-io's own
//! schema validator; the JSON is written by hand because the harness has no
//! dependencies.

use crate::results::{
    rfc3339,
    Scenario,
    Status, //
};
use std::path::{
    Path,
    PathBuf, //
};

/// The origin: the name of "the CI system" that submits, and the prefix of
/// every id (`origin:local-id`), as the schema requires (`^[a-z0-9_]+$`).
pub const ORIGIN: &str = "rust_modules";

/// The schema version written: `kcidb_io.schema.LATEST` of the kcidb-io
/// release `scripts/kcidb-venv.sh` pins (141: v5.3). Bump both together.
pub const VERSION: (u32, u32) = (5, 3);

/// The schema's `maxLength` for `log_excerpt` (in characters).
const EXCERPT_MAX: usize = 16384;

/// A JSON value, just what the submission needs.
#[derive(Clone, Debug)]
pub enum Json {
    /// A string.
    Str(String),
    /// A finite number (durations).
    Num(f64),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// An array.
    Arr(Vec<Json>),
    /// An object, keys in the order given.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub fn obj<const N: usize>(pairs: [(&str, Json); N]) -> Json {
        Json::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// Appends the value, indented by `depth` levels (one space each),
    /// to `out`.
    fn write(&self, out: &mut String, depth: usize) {
        let pad = |out: &mut String, d: usize| {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', d));
        };
        match self {
            Json::Str(s) => out.push_str(&json_string(s)),
            // JSON has no NaN or infinity; a duration is never one, but a
            // broken clock must not make the file unparsable.
            Json::Num(n) if n.is_finite() => out.push_str(&format!("{n:.3}")),
            Json::Num(_) => out.push('0'),
            Json::Int(i) => out.push_str(&i.to_string()),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Arr(a) if a.is_empty() => out.push_str("[]"),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    pad(out, depth + 1);
                    v.write(out, depth + 1);
                }
                pad(out, depth);
                out.push(']');
            }
            Json::Obj(o) if o.is_empty() => out.push_str("{}"),
            Json::Obj(o) => {
                out.push('{');
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    pad(out, depth + 1);
                    out.push_str(&json_string(k));
                    out.push_str(": ");
                    v.write(out, depth + 1);
                }
                pad(out, depth);
                out.push('}');
            }
        }
    }

    /// The value as a JSON text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, 0);
        s.push('\n');
        s
    }
}

/// `s` as a JSON string literal (RFC 8259 section 7): quote, backslash and
/// the C0 controls escaped, everything else as UTF-8.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a KCIDB string field: the schema forbids NUL in every free-form
/// string (`^[^\0]*$`), and a crashing guest's console can carry some.
fn text(s: &str) -> String {
    s.replace('\0', "\\x00")
}

/// A log excerpt within the schema's length limit. The head (exit status,
/// first lines of the script output) and the tail (the end of the console,
/// where an oops is) matter most, so the middle goes.
fn excerpt(s: &str) -> String {
    let s = text(s);
    let n = s.chars().count();
    if n <= EXCERPT_MAX {
        return s;
    }
    let marker = "\n[... cut ...]\n";
    let keep = (EXCERPT_MAX - marker.len()) / 2;
    let head: String = s.chars().take(keep).collect();
    let tail: String = s.chars().skip(n - keep).collect();
    format!("{head}{marker}{tail}")
}

/// One component of a test path: the schema allows `[a-zA-Z0-9_-]`; `-`
/// becomes `_` too, so the scenario names read like the KUnit case names
/// beside them (`rust_modules.ncr810.scsi_write.image_on_host`).
fn path_part(s: &str) -> String {
    let p: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if p.is_empty() {
        "_".into()
    } else {
        p
    }
}

/// The KCIDB test path of a verdict name:
/// `vfat::03-refcount` -> `rust_modules.vfat.refcount`,
/// `ncr810::11-scsi-write::image-on-host` ->
/// `rust_modules.ncr810.scsi_write.image_on_host`,
/// `kunit::rust_fat_format::<case>` -> `kunit.rust_fat_format.<case>`.
/// The `NN-` ordering prefix of a scenario file is dropped: it orders the
/// files, it is not part of what the test is.
pub fn test_path(name: &str) -> String {
    let parts: Vec<&str> = name.split("::").collect();
    let mut out: Vec<String> = Vec::new();
    if parts.first() == Some(&"kunit") {
        out.push("kunit".into());
        out.extend(parts[1..].iter().map(|p| path_part(p)));
    } else {
        out.push(ORIGIN.into());
        for (i, p) in parts.iter().enumerate() {
            let p = if i == 1 { strip_order(p) } else { p };
            out.push(path_part(p));
        }
    }
    out.join(".")
}

/// `03-refcount` -> `refcount`; names without a numeric prefix stay.
fn strip_order(name: &str) -> &str {
    match name.split_once('-') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => name,
    }
}

/// FNV-1a, 64 bits, as 16 hex digits: short stable ids without a hashing
/// crate (they name things, they protect nothing).
pub fn fnv64(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// `path` as a `file://` URL: the schema wants URLs for output files, and
/// the logs are local files next to the submission. Bytes outside RFC
/// 3986's unreserved set (and `/`) are percent-encoded.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.display().to_string().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// What the submission says about the kernel tree the modules were built
/// against, read from the tree itself.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// The build tree (KDIR).
    pub kdir: String,
    /// `include/config/kernel.release`.
    pub release: String,
    /// The source tree's name (`source` link of an out-of-tree build, e.g.
    /// Debian's `linux-source-7.3_...`), else the tree's own name.
    pub source: String,
    /// `UTS_MACHINE` from `include/generated/compile.h`.
    pub arch: Option<String>,
    /// The C and Rust compilers from `.config`.
    pub compiler: Option<String>,
}

impl Kernel {
    /// Reads what there is to read from the build tree `kdir`.
    pub fn probe(kdir: &Path) -> Kernel {
        let read = |p: &str| std::fs::read_to_string(kdir.join(p)).unwrap_or_default();
        let release = read("include/config/kernel.release").trim().to_string();
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string())
        };
        let source = std::fs::read_link(kdir.join("source"))
            .map(|p| name(&p))
            .unwrap_or_else(|_| name(kdir));
        let quoted = |text: &str, key: &str| {
            text.lines()
                .find_map(|l| l.split_once(key).map(|(_, v)| v))
                .map(|v| v.trim().trim_matches('"').to_string())
        };
        let arch = quoted(&read("include/generated/compile.h"), "UTS_MACHINE");
        let config = read(".config");
        let compilers: Vec<String> = ["CONFIG_CC_VERSION_TEXT=", "CONFIG_RUSTC_VERSION_TEXT="]
            .iter()
            .filter_map(|k| quoted(&config, k))
            .collect();
        Kernel {
            kdir: kdir.display().to_string(),
            release,
            source,
            arch,
            compiler: (!compilers.is_empty()).then(|| compilers.join(", ")),
        }
    }

    /// The checkout id: the same source (package and release) gives the
    /// same id on every machine, whichever trees were built from it.
    pub fn checkout_id(&self) -> String {
        format!(
            "{ORIGIN}:linux-{}-{}",
            path_part(&self.release),
            fnv64(&format!("{}\n{}", self.source, self.release))
        )
    }

    /// The build id. The project's cached trees are named by the key of
    /// everything that changes the build (`kernel-main-<key>`,
    /// scripts/lib.sh), so that name identifies the build across machines;
    /// any other tree is named by its path.
    pub fn build_id(&self) -> String {
        let base = Path::new(&self.kdir)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let keyed = base
            .rsplit_once('-')
            .is_some_and(|(v, k)| v.starts_with("kernel-") && k.len() == 16);
        if keyed {
            format!("{ORIGIN}:{base}")
        } else {
            format!(
                "{ORIGIN}:kdir-{}",
                fnv64(&format!("{}\n{}", self.kdir, self.release))
            )
        }
    }
}

/// The submission for one run against `kernel`. `logs` maps a scenario
/// name to the `file://` URL of its console log; `run` makes the test ids
/// of this run unique.
pub fn submission(
    kernel: &Kernel,
    scenarios: &[Scenario],
    logs: &dyn Fn(&Scenario) -> Option<String>,
    run: &str,
) -> Json {
    let checkout = Json::obj([
        ("id", Json::str(kernel.checkout_id())),
        ("origin", Json::str(ORIGIN)),
        (
            "comment",
            Json::str(text(&format!(
                "Linux {} from {}",
                kernel.release, kernel.source
            ))),
        ),
        ("valid", Json::Bool(true)),
        (
            "misc",
            Json::obj([
                ("kernel_release", Json::str(text(&kernel.release))),
                ("source", Json::str(text(&kernel.source))),
            ]),
        ),
    ]);
    let mut build = vec![
        ("checkout_id".to_string(), Json::str(kernel.checkout_id())),
        ("id".into(), Json::str(kernel.build_id())),
        ("origin".into(), Json::str(ORIGIN)),
        (
            "comment".into(),
            Json::str(text(&format!("kernel tree {}", kernel.kdir))),
        ),
        (
            "config_name".into(),
            Json::str(text(
                &Path::new(&kernel.kdir)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )),
        ),
        // The harness only runs scenarios once the modules were staged
        // (installed with depmod) against this tree, so the build worked.
        ("status".into(), Json::str(Status::Pass.kcidb())),
        (
            "misc".into(),
            Json::obj([("kdir", Json::str(text(&kernel.kdir)))]),
        ),
    ];
    if let Some(a) = &kernel.arch {
        let a: String = a
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        build.insert(3, ("architecture".into(), Json::Str(a)));
    }
    if let Some(c) = &kernel.compiler {
        build.insert(3, ("compiler".into(), Json::str(text(c))));
    }
    let mut tests = Vec::new();
    for s in scenarios {
        let log = logs(s);
        for v in &s.verdicts {
            let mut t = vec![
                ("build_id".to_string(), Json::str(kernel.build_id())),
                (
                    "id".into(),
                    Json::str(text(&format!("{}/{run}/{}", kernel.build_id(), v.name))),
                ),
                ("origin".into(), Json::str(ORIGIN)),
                ("path".into(), Json::str(test_path(&v.name))),
                ("status".into(), Json::str(v.status.kcidb())),
                ("comment".into(), Json::str(text(&v.name))),
                ("start_time".into(), Json::str(rfc3339(s.start))),
            ];
            if let Some(secs) = v.secs {
                t.push(("duration".into(), Json::Num(secs)));
            }
            if !v.passed() || (v.status == Status::Skip && !v.detail.is_empty()) {
                t.push(("log_excerpt".into(), Json::str(excerpt(&v.detail))));
            }
            if let Some(url) = &log {
                t.push((
                    "output_files".into(),
                    Json::Arr(vec![Json::obj([
                        ("name", Json::str("console.log")),
                        ("url", Json::str(url.clone())),
                    ])]),
                ));
            }
            t.push((
                "misc".into(),
                Json::obj([("scenario", Json::str(text(&s.name)))]),
            ));
            tests.push(Json::Obj(t));
        }
    }
    Json::obj([
        (
            "version",
            Json::obj([
                ("major", Json::Int(VERSION.0.into())),
                ("minor", Json::Int(VERSION.1.into())),
            ]),
        ),
        ("checkouts", Json::Arr(vec![checkout])),
        ("builds", Json::Arr(vec![Json::Obj(build)])),
        ("tests", Json::Arr(tests)),
    ])
}

/// Writes the submission to `file` and each scenario's console log to
/// `<file>.logs/<group>.<name>.log`, which the tests link to. Logs of an
/// earlier run in that directory go first, so every log there belongs to
/// this submission.
pub fn write(
    file: &Path,
    kernel: &Kernel,
    scenarios: &[Scenario],
    run: &str,
) -> std::io::Result<()> {
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    // file:// URLs must be absolute.
    let dir = dir.canonicalize()?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kcidb.json".into());
    let logs: PathBuf = dir.join(format!("{name}.logs"));
    std::fs::create_dir_all(&logs)?;
    for e in std::fs::read_dir(&logs)?.flatten() {
        if e.path().extension().is_some_and(|x| x == "log") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let mut urls = std::collections::BTreeMap::new();
    for s in scenarios {
        let p = logs.join(format!("{}.log", s.file_stem()));
        std::fs::write(&p, &s.console)?;
        urls.insert(s.name.clone(), file_url(&p));
    }
    let doc = submission(kernel, scenarios, &|s| urls.get(&s.name).cloned(), run);
    std::fs::write(dir.join(name), doc.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Verdict;
    use std::time::UNIX_EPOCH;

    #[test]
    fn json_escaping() {
        assert_eq!(json_string("plain"), "\"plain\"");
        assert_eq!(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            json_string("l1\nl2\r\t\u{8}\u{c}"),
            "\"l1\\nl2\\r\\t\\b\\f\""
        );
        assert_eq!(json_string("\u{1b}[0m\0"), "\"\\u001b[0m\\u0000\"");
        assert_eq!(json_string("é/\u{7f}"), "\"é/\u{7f}\"");
        let j = Json::obj([
            ("a", Json::Arr(vec![Json::Int(1), Json::Num(0.5)])),
            ("b", Json::Obj(vec![])),
            ("c", Json::Num(f64::NAN)),
        ]);
        assert_eq!(
            j.render(),
            "{\n \"a\": [\n  1,\n  0.500\n ],\n \"b\": {},\n \"c\": 0\n}\n"
        );
    }

    #[test]
    fn path_mapping() {
        assert_eq!(test_path("vfat::03-refcount"), "rust_modules.vfat.refcount");
        assert_eq!(
            test_path("ncr810::11-scsi-write::image-on-host"),
            "rust_modules.ncr810.scsi_write.image_on_host"
        );
        assert_eq!(
            test_path("harness::guest-hang"),
            "rust_modules.harness.guest_hang"
        );
        assert_eq!(
            test_path("kunit::rust_fat_format::parses_boot_sector"),
            "kunit.rust_fat_format.parses_boot_sector"
        );
        assert_eq!(test_path("kunit::rust_fat_format"), "kunit.rust_fat_format");
        assert_eq!(test_path("kunit::s::a b.c"), "kunit.s.a_b_c");
        assert_eq!(test_path("g::12-"), "rust_modules.g._");
    }

    #[test]
    fn urls_and_ids() {
        assert_eq!(
            file_url(Path::new("/a b/c~d/e%f.log")),
            "file:///a%20b/c~d/e%25f.log"
        );
        let k = Kernel {
            kdir: "/c/kernel-main-0db7e6ae7afd460d".into(),
            release: "7.3.4".into(),
            source: "linux-source-7.3".into(),
            arch: Some("x86_64".into()),
            compiler: None,
        };
        assert_eq!(k.build_id(), "rust_modules:kernel-main-0db7e6ae7afd460d");
        assert!(k.checkout_id().starts_with("rust_modules:linux-7_3_4-"));
        let other = Kernel {
            kdir: "/src/linux/build".into(),
            ..k.clone()
        };
        assert!(other.build_id().starts_with("rust_modules:kdir-"));
        assert_eq!(k.checkout_id(), other.checkout_id());
    }

    #[test]
    fn excerpts_fit_the_schema() {
        let long = "x".repeat(EXCERPT_MAX * 2) + "\0end";
        let e = excerpt(&long);
        assert!(e.chars().count() <= EXCERPT_MAX);
        assert!(e.ends_with("\\x00end"));
        assert!(!e.contains('\0'));
    }

    /// Writes a small submission with every status and has the real
    /// validator (kcidb-io, in the venv `scripts/kcidb-venv.sh` makes)
    /// check it; skipped with a note when that venv does not exist yet
    /// (`make check` creates it before the host tests, and validates the
    /// real submission anyway).
    #[test]
    fn validator_accepts_a_submission() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = std::env::temp_dir().join(format!("harness-kcidb-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("with space")).unwrap();
        let v = |name: &str, status, secs| Verdict {
            name: name.into(),
            status,
            detail: "guest exit status 1\n\u{1b}[1m\0 \"quoted\"".into(),
            secs,
        };
        let s = Scenario {
            name: "ncr810::11-scsi-write".into(),
            start: UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_123),
            console: "console\n".into(),
            ktap: Vec::new(),
            verdicts: vec![
                v("ncr810::11-scsi-write", Status::Fail, Some(12.5)),
                v("ncr810::11-scsi-write::image-on-host", Status::Error, None),
                v("kunit::rust_fat_format::a_case", Status::Pass, None),
                v("kunit::rust_fat_format::b_case", Status::Skip, None),
            ],
        };
        let k = Kernel {
            kdir: "/nowhere/kernel-main-0db7e6ae7afd460d".into(),
            release: "7.3.4".into(),
            source: "linux-source-7.3_7.3.4-1~bpo13+1_all".into(),
            arch: Some("x86_64".into()),
            compiler: Some("clang 19, \"rustc\" 1.95".into()),
        };
        let file = dir.join("with space/kcidb.json");
        write(&file, &k, &[s], "1700000000-42").unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("\"path\": \"rust_modules.ncr810.scsi_write.image_on_host\""));
        assert!(text.contains("file://"));
        assert!(dir
            .join("with space/kcidb.json.logs/ncr810.11-scsi-write.log")
            .exists());
        let out = std::process::Command::new(root.join("scripts/kcidb-venv.sh"))
            .args(["--no-create", "--validate"])
            .arg(&file)
            .output()
            .expect("cannot run scripts/kcidb-venv.sh");
        let said = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(3) {
            println!("note: skipped the kcidb-io validation: {said}");
        } else {
            assert!(out.status.success(), "kcidb-io rejected {text}\n{said}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
