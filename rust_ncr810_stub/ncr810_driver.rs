// SPDX-License-Identifier: GPL-2.0

//! `rust_ncr810`: a SCSI host driver for the NCR 53C810.
//!
//! Binds the chip (PCI 1000:0001, which QEMU emulates as `-device
//! lsi53c810`), soft-resets it, checks its identity, proves its interrupt
//! and DMA with a one-instruction SCRIPTS self-test, and adds a SCSI host
//! whose bus scan turns the targets into disks through `sd`.
//!
//! The layers, from the bottom:
//!
//! - [`scsi`]: the SCSI host layer (no NCR 810 in it): the host template
//!   built in Rust, a PCI driver whose data is a host, commands;
//! - [`regs`]: the register map, which every register access goes through;
//! - the chip's logic, host-tested: the crate `ncr810` (SCRIPTS encoders,
//!   the per-command, reselection and task management programs, what
//!   register values mean);
//! - the driver: [`driver`] (probe, the host's entry points, unbind),
//!   [`chip`] (the command slots and the interrupt), [`bringup`] (reset,
//!   identity, set-up), [`selftest`] (the probe's self-test and the
//!   debugfs `state` file);
//! - [`resources`]: the only `unsafe` of the driver, where the kernel
//!   crate's own API asks for it (DMA mask, IRQ registration, disabling
//!   the device).

mod bringup;
mod chip;
mod debugfs_file;
mod driver;
mod regs;
mod resources;
mod scsi;
mod selftest;

/// The BAR holding the registers in memory space (BAR0 is the same set in I/O space).
const MMIO_BAR: u32 = 1;

/// The mapped registers.
type Bar<'bound> = kernel::pci::Bar<'bound, { regs::SPAN }>;

kernel::module_pci_driver! {
    type: scsi::PciHost<driver::Ncr810Driver>,
    name: "rust_ncr810",
    authors: ["rust_ncr810_stub authors"],
    description: "SCSI host driver for the NCR 53C810: tagged queueing, error ladder",
    license: "GPL",
}
