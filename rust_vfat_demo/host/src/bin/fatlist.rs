// SPDX-License-Identifier: GPL-2.0

//! Lists a FAT image on the host with the same code `rust_vfat` runs.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: fatlist IMAGE");
        std::process::exit(2);
    };
    let img = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("fatlist: {path}: {e}");
            std::process::exit(2);
        }
    };
    match fat_logic::listing(&img) {
        Ok(s) => print!("{s}"),
        Err(e) => {
            eprintln!("fatlist: {path}: {}", e.describe());
            std::process::exit(1);
        }
    }
}
