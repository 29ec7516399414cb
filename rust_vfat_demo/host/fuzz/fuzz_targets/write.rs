// SPDX-License-Identifier: GPL-2.0

//! Feeds arbitrary bytes, as a volume mounted read-write, to the write
//! side `rust_fat` runs: the FAT state and FSInfo at mount, names made by
//! both namespaces' create rules, records added (directories grown),
//! removed and moved, clusters allocated, truncated and freed, the dirty
//! flag set and cleared (`fat_logic::exercise_writes`, its script chosen
//! by the input's last bytes); then the result is listed and walked.
//! Any panic (the kernel build would oops on it) or hang is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let out = fat_logic::exercise_writes(data);
    assert_eq!(out.len(), data.len());
    let _ = fat_logic::listing(&out);
    let _ = fat_logic::exercise(&out);
});
