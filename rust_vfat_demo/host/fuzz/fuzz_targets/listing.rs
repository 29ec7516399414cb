// SPDX-License-Identifier: GPL-2.0

//! Feeds arbitrary bytes, as a volume, to the code `rust_fat` runs on every
//! mount: BPB validation, directory reading through the device trait, chain
//! walking, long names and name display (as the `fatlist` listing), inode
//! attributes, the mapping of file data to the device, both namespaces'
//! names and mount options (`fat_logic::exercise`), and the invariant
//! between readdir and lookup (every name shown is found).
//! Any panic (the kernel build would oops on it) or hang is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Attributes, block mapping, names and options of whatever it holds.
    let _ = fat_logic::exercise(data);
    if let Err(lost) = fat_logic::lookup_finds_every_shown_name(data) {
        panic!("readdir shows a name lookup does not find: {lost:?}");
    }
    if let Ok(listing) = fat_logic::listing(data) {
        // Whatever is listed has the documented shape.
        for line in listing.lines().skip(1) {
            assert_eq!(line.split('\t').count(), 4, "{line:?}");
        }
    }
});
