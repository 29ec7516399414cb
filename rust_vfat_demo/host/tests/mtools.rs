// SPDX-License-Identifier: GPL-2.0

//! The shared FAT logic against mtools, on images mkfs.fat and mtools made.
//!
//! For every image of `scripts/make-fat-images.sh`, the listing `rust_vfat`
//! would give has the same paths in the same (depth-first, on-disk) order
//! and the same attributes as `mattrib -/`, the same sizes as `mdir -/ -a`,
//! and the same label as `mlabel -s`.

mod common;

use std::collections::HashMap;
use std::path::{
    Path,
    PathBuf, //
};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The images `make-fat-images.sh` made, in a directory removed on drop.
struct Images {
    dir: PathBuf,
    paths: Vec<PathBuf>,
}

impl Drop for Images {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn images() -> Images {
    let dir = std::env::temp_dir().join(format!("fat-logic-images-{}", std::process::id()));
    let st = Command::new(repo().join("scripts/make-fat-images.sh"))
        .arg(&dir)
        .output()
        .expect("run scripts/make-fat-images.sh (needs dosfstools and mtools: scripts/setup-toolchain.sh)");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "img"))
        .collect();
    v.sort();
    assert!(v.len() >= 4);
    Images { dir, paths: v }
}

fn mtools(args: &[&str], img: &Path) -> String {
    // 8.3 names through code page 437, as the kernel reads them
    // (`codepage=437`), not mtools' default 850.
    let rc = img.with_file_name("mtoolsrc");
    std::fs::write(&rc, "DEFAULT_CODEPAGE=437\n").expect("mtoolsrc");
    let out = Command::new(args[0])
        .args(&args[1..])
        .arg("-i")
        .arg(img)
        .arg("::/")
        .env("MTOOLS_SKIP_CHECK", "1")
        .env("MTOOLSRC", &rc)
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("mtools");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `(path, attribute letters among r/h/s/a)` in mattrib's order.
fn mattrib(img: &Path) -> Vec<(String, String)> {
    mtools(&["mattrib", "-/"], img)
        .lines()
        .filter_map(|l| {
            let at = l.find("::/")?;
            let path = &l[at + 2..];
            if path == "/" {
                return None;
            }
            let flags = &l[..at];
            let mut a = String::new();
            for (c, letter) in [('R', 'r'), ('H', 'h'), ('S', 's'), ('A', 'a')] {
                if flags.contains(c) {
                    a.push(letter);
                }
            }
            Some((path.trim_end().to_string(), a))
        })
        .collect()
}

/// File sizes by path, from `mdir -/ -a` (directories left out).
fn mdir_sizes(img: &Path) -> HashMap<String, u64> {
    common::parse_mdir(&mtools(&["mdir", "-/", "-a"], img))
        .into_iter()
        .filter_map(|(path, e)| e.size.map(|s| (path, s)))
        .collect()
}

#[test]
fn listing_agrees_with_mtools() {
    let images = images();
    for img in images.paths.iter() {
        let bytes = std::fs::read(img).unwrap();
        let listing = fat_logic::listing(&bytes)
            .unwrap_or_else(|e| panic!("{}: {}", img.display(), e.describe()));
        let mut lines = listing.lines();
        let label = lines
            .next()
            .unwrap()
            .strip_prefix("label\t")
            .unwrap()
            .to_string();
        let ours: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();

        let theirs = mattrib(img);
        let our_paths: Vec<(String, String)> = ours
            .iter()
            .map(|f| {
                (
                    f[0].to_string(),
                    f[2].chars().skip(1).filter(|&c| c != '-').collect(),
                )
            })
            .collect();
        assert_eq!(
            our_paths,
            theirs,
            "{}: paths/attributes differ from mattrib",
            img.display()
        );

        let sizes = mdir_sizes(img);
        for f in &ours {
            if f[2].starts_with('d') {
                continue;
            }
            assert_eq!(
                sizes.get(f[0]).map(|s| s.to_string()).as_deref(),
                Some(f[1]),
                "{}: size of {}",
                img.display(),
                f[0]
            );
        }

        let mlabel = mtools(&["mlabel", "-s"], img);
        let want = mlabel
            .trim()
            .strip_prefix("Volume label is ")
            .map(|l| l.trim_end().to_string())
            .unwrap_or_default();
        assert_eq!(label, want, "{}: label", img.display());
    }
}
