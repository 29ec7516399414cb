// SPDX-License-Identifier: GPL-2.0

//! `rust_fat_callbench`: the cost of a call across the module boundary,
//! for the benchmark only.
//!
//! A consumer of `rust_fat` built exactly like `rust_vfat` (against
//! `rust_fat_core`'s metadata, its calls fixed up at load to `rust_fat`'s
//! exported symbols). At load it times [`RUNS`] runs of [`CALLS`] calls of
//! `rust_fat`'s exported `lfn_checksum` against the same function compiled
//! into this module, logs one line per run and then stays loaded doing
//! nothing else. `bench/guest.sh` loads it and reads those lines from the
//! kernel log; nothing else uses it and it offers no interface.

use kernel::{
    prelude::*,
    time::{
        Instant,
        Monotonic, //
    },
};
use rust_fat_core::fat_disk::format::lfn_checksum;

/// How many timed runs the module makes at load.
pub const RUNS: u32 = 5;

/// How many calls each run times, for each of the two functions.
pub const CALLS: u64 = 1_000_000;

module! {
    type: RustFatCallbench,
    name: "rust_fat_callbench",
    authors: ["rust_vfat_demo authors"],
    description: "Benchmark only: times calls into rust_fat against calls inside the module",
    license: "GPL",
}

/// The twin of `rust_fat`'s `lfn_checksum`, compiled into this module, so
/// the benchmark can compare a call inside the module with one across the
/// boundary. Not inlined, like the exported one.
#[inline(never)]
fn local_lfn_checksum(name: &[u8; 11]) -> u8 {
    name.iter().fold(0u8, |sum, &c| {
        ((sum & 1) << 7).wrapping_add(sum >> 1).wrapping_add(c)
    })
}

/// Times `n` calls of `f`, in ns. Generic over the function item, so each
/// loop makes a direct call (a `fn` pointer would make both indirect).
fn time_calls<F: Fn(&[u8; 11]) -> u8>(n: u64, f: F) -> u64 {
    let mut name = *b"README  TXT";
    let mut acc = 0u8;
    let start = Instant::<Monotonic>::now();
    for i in 0..n {
        name[0] = i as u8;
        acc = acc.wrapping_add(f(core::hint::black_box(&name)));
    }
    let ns = start.elapsed().as_nanos();
    core::hint::black_box(acc);
    u64::try_from(ns).unwrap_or(0)
}

/// The loaded module; it holds nothing.
struct RustFatCallbench;

impl kernel::Module for RustFatCallbench {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // Both functions must agree, or the timings compare different work.
        if lfn_checksum(b"README  TXT") != local_lfn_checksum(b"README  TXT") {
            pr_err!("lfn_checksum and its local twin disagree\n");
            return Err(EINVAL);
        }
        for run in 1..=RUNS {
            let cross = time_calls(CALLS, lfn_checksum);
            let local = time_calls(CALLS, local_lfn_checksum);
            pr_info!(
                "run {}: {} calls across the module boundary {} ns, inside the module {} ns\n",
                run,
                CALLS,
                cross,
                local
            );
        }
        Ok(RustFatCallbench)
    }
}

impl Drop for RustFatCallbench {
    fn drop(&mut self) {
        pr_info!("unloading: nothing held\n");
    }
}
