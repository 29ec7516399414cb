// SPDX-License-Identifier: GPL-2.0

//! The kernel-independent FAT logic of `rust_vfat_demo`, built for the host.
//!
//! The modules below are the very files the kernel modules compile: host
//! tests and the fuzzer exercise the same code that runs in the kernel.

#[path = "../../fat_format.rs"]
pub mod fat_format;

/// What `vfat_walk` sees as the FAT API: in the kernel, `rust_fat`'s exports.
pub mod fat_api {
    pub use crate::fat_format::*;
}

#[path = "../../vfat_walk.rs"]
pub mod vfat_walk;

use fat_format::FatError;

impl<T> vfat_walk::GrowVec<T> for Vec<T> {
    fn try_push(&mut self, v: T) -> Result<(), FatError> {
        self.try_reserve(1).map_err(|_| FatError::NoMemory)?;
        self.push(v);
        Ok(())
    }
    fn pop_last(&mut self) -> Option<T> {
        self.pop()
    }
    fn last_item_mut(&mut self) -> Option<&mut T> {
        self.last_mut()
    }
    fn items(&self) -> &[T] {
        self
    }
    fn cut(&mut self, len: usize) {
        self.truncate(len)
    }
}

/// Lists a FAT image the way `/dev/rust_vfat` does.
pub fn listing(img: &[u8]) -> Result<String, FatError> {
    let vol = fat_format::Volume::open(img)?;
    let (mut out, mut path, mut stack) = (Vec::new(), Vec::new(), Vec::new());
    vfat_walk::write_listing(&vol, &mut out, &mut path, &mut stack)?;
    String::from_utf8(out).map_err(|_| FatError::LfnEncoding)
}
