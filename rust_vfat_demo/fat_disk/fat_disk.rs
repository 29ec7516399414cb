// SPDX-License-Identifier: GPL-2.0

//! `fat_disk`: the FAT file system's on-disk logic, independent of the kernel.
//!
//! One crate, built twice from the same sources: by Kbuild into the
//! `rust_fat` module (whose VFS layer reads the device through the buffer
//! cache) and by cargo for the host tests and the fuzzer (which read images
//! in memory). Both go through [`volume::BlockDevice`], so what the host
//! tests and the fuzzer run is what the kernel runs.
//!
//! Allocation-free and panic-free: every offset read from a volume is
//! bounds-checked and every computation on on-disk values is checked, so a
//! malformed volume gives a [`format::FatError`], never a panic.
//!
//! The write side ([`alloc`]: the FAT, allocation, FSInfo, the dirty flag;
//! [`dir_write`]: directory records) writes through
//! [`volume::BlockDeviceMut`] under the locking rules their module
//! documentation gives.

pub mod alloc;
pub mod dir;
pub mod dir_write;
pub mod format;
pub mod inode;
pub mod names;
pub mod namespace;
pub mod options;
pub mod time;
pub mod volume;
