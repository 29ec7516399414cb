// SPDX-License-Identifier: GPL-2.0

//! What several host test files share: a minimal FAT12 image and the
//! reading of `mdir -/ -a` listings.

#![allow(dead_code)] // Each test file uses its own part.

use std::collections::BTreeMap;

/// A minimal FAT12 image: 512-byte sectors, 1 sector per cluster, one FAT
/// of 1 sector at sector 1, 16 root entries at sector 2, 64 sectors in
/// all; clusters 0 and 1 of the FAT hold the media byte and end of chain.
pub fn tiny_fat12() -> Vec<u8> {
    let mut b = vec![0u8; 64 * 512];
    b[11..13].copy_from_slice(&512u16.to_le_bytes());
    b[13] = 1;
    b[14..16].copy_from_slice(&1u16.to_le_bytes());
    b[16] = 1;
    b[17..19].copy_from_slice(&16u16.to_le_bytes());
    b[19..21].copy_from_slice(&64u16.to_le_bytes());
    b[21] = 0xf8;
    b[22..24].copy_from_slice(&1u16.to_le_bytes());
    b[512..515].copy_from_slice(&[0xf8, 0xff, 0xff]);
    b
}

/// One entry of an `mdir -/ -a` listing: the 8.3 name as shown, the long
/// name (empty: none) and the size (`None`: a directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MdirEntry {
    pub short: String,
    pub long: String,
    pub size: Option<u64>,
}

/// The entries of an `mdir -/ -a` listing by path (the long name, else the
/// 8.3 name as shown; `.` and `..` left out). Lines read
/// `NAME     EXT       SIZE YYYY-MM-DD  HH:MM  long name`, `<DIR>` for a
/// directory's size.
pub fn parse_mdir(text: &str) -> BTreeMap<String, MdirEntry> {
    let mut m = BTreeMap::new();
    let mut cur = String::new();
    for l in text.lines() {
        if let Some(d) = l.strip_prefix("Directory for ::") {
            cur = d.trim_end_matches('/').to_string();
            continue;
        }
        let chars: Vec<char> = l.chars().collect();
        if chars.len() < 24 || l.starts_with(' ') {
            continue;
        }
        let base: String = chars[..8].iter().collect::<String>().trim_end().to_string();
        let ext: String = chars[9..12]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string();
        if base == "." || base == ".." {
            continue;
        }
        let rest: String = chars[12..].iter().collect();
        let mut words = rest.split_whitespace();
        let size = match words.next() {
            Some("<DIR>") => None,
            Some(s) => match s.parse::<u64>() {
                Ok(v) => Some(v),
                Err(_) => continue,
            },
            None => continue,
        };
        let short = if ext.is_empty() {
            base
        } else {
            format!("{base}.{ext}")
        };
        // The long name starts two spaces after the time.
        let long = match rest.find(':') {
            Some(t) if rest.len() > t + 3 => rest[t + 3..].trim_start().to_string(),
            _ => String::new(),
        };
        let name = if long.is_empty() {
            short.clone()
        } else {
            long.clone()
        };
        m.insert(format!("{cur}/{name}"), MdirEntry { short, long, size });
    }
    m
}
