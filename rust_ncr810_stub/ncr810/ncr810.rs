// SPDX-License-Identifier: GPL-2.0

//! `ncr810`: the NCR 53C810's logic, independent of the kernel.
//!
//! One crate, built twice from the same sources: by Kbuild into the
//! `rust_ncr810` module and by cargo for the host tests. The driver reads
//! registers and hands their values here; what comes back is what to write
//! or what to tell the SCSI midlayer. Allocation-free and panic-free.
//!
//! - [`chip`]: what register values mean: the reset state, the self-test;
//! - [`scripts`]: typed encoders, one per SCRIPTS instruction kind, as the
//!   53C810 data manual encodes them;
//! - [`program`]: the SCRIPTS programs (one per command, the shared
//!   reselection program, task management), and what an interrupt during
//!   each means.

pub mod chip;
pub mod program;
pub mod scripts;
