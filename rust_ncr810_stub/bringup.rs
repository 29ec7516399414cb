// SPDX-License-Identifier: GPL-2.0

//! Bringing the chip up: the soft reset, the identity check, and the set-up
//! for SCSI the driver repeats after every reset.

use kernel::{
    io::Io,
    pci,
    prelude::*,
    time::{
        delay::udelay,
        Delta, //
    },
};

use ncr810::chip::{
    Identity,
    ProbeError, //
};

use crate::{
    regs,
    Bar, //
};

/// Soft-resets the chip through ISTAT.SRST (set, then clear).
pub(crate) fn soft_reset(bar: &Bar<'_>) {
    bar.write_reg(regs::ISTAT::zeroed().with_srst(true));
    udelay(Delta::from_micros(10));
    bar.write_reg(regs::ISTAT::zeroed());
}

/// Soft-resets the chip and checks that what it shows is a 53C810's reset
/// state; returns who it is.
pub(crate) fn identify(pdev: &pci::Device, bar: &Bar<'_>) -> Result<Identity> {
    soft_reset(bar);
    let state = regs::reset_state(bar);
    ncr810::chip::validate_reset(&state, pdev.revision_id()).map_err(|e| probe_error(pdev, e))
}

/// Sets the chip up for SCSI after a soft reset: its ID, the interrupts the
/// driver handles, the selection time-out.
pub(crate) fn init(bar: &Bar<'_>, own_id: u8) {
    bar.write_reg(regs::scid(own_id));
    bar.write_reg(regs::RESPID::zeroed().with_ids(1u8 << (own_id & 7)));
    bar.write_reg(regs::SCNTL3::zeroed().with_const_ccf::<3>());
    bar.write_reg(regs::SXFER::zeroed());
    bar.write_reg(regs::STIME0::zeroed().with_const_sel::<0xc>());
    bar.write_reg(regs::STEST3::zeroed().with_te(true));
    bar.write_reg(
        regs::SIEN0::zeroed()
            .with_ma(true)
            .with_udc(true)
            .with_rst(true)
            .with_par(true)
            .with_sge(true),
    );
    bar.write_reg(regs::SIEN1::zeroed().with_sto(true));
    bar.write_reg(
        regs::DIEN::zeroed()
            .with_sir(true)
            .with_iid(true)
            .with_abrt(true)
            .with_bf(true)
            .with_mdpe(true),
    );
}

/// Resets the chip, then the SCSI bus (a target still connected lets go),
/// and sets the chip up again.
pub(crate) fn reset_chip_and_bus(bar: &Bar<'_>, own_id: u8) {
    soft_reset(bar);
    init(bar, own_id);
    bar.write_reg(regs::SCNTL1::zeroed().with_rst(true));
    // The SCSI reset hold time is 25 us.
    udelay(Delta::from_micros(30));
    bar.write_reg(regs::SCNTL1::zeroed());
    // Acknowledge the RST/ the chip saw on its own bus.
    let _ = bar.read(regs::SIST0);
    let _ = bar.read(regs::SIST1);
    let _ = bar.read(regs::DSTAT);
}

/// Quiets the chip for good (unbind): a reset, then every interrupt
/// disabled (a reset alone need not lower a pending interrupt; QEMU's model
/// does not).
pub(crate) fn quiesce(bar: &Bar<'_>) {
    soft_reset(bar);
    bar.write_reg(regs::DIEN::zeroed());
    bar.write_reg(regs::SIEN0::zeroed());
    bar.write_reg(regs::SIEN1::zeroed());
}

/// Logs why the probe failed; the probe returns `ENODEV`.
pub(crate) fn probe_error(pdev: &pci::Device, e: ProbeError) -> Error {
    dev_err!(
        pdev,
        "probe failed: {} (value {:#x})\n",
        e.describe(),
        e.value()
    );
    ENODEV
}
