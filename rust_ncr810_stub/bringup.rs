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
    dstat,
    scid,
    sist0,
    sist1,
    Identity,
    ProbeError,
    ResetState, //
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
    let state = ResetState {
        scntl0: bar.read(regs::SCNTL0).into(),
        scid: bar.read(regs::SCID).into(),
        istat: bar.read(regs::ISTAT).into(),
        dstat: bar.read(regs::DSTAT).into(),
        ctest2: bar.read(regs::CTEST2).into(),
        ctest3: bar.read(regs::CTEST3).into(),
    };
    ncr810::chip::validate_reset(&state, pdev.revision_id()).map_err(|e| probe_error(pdev, e))
}

/// Sets the chip up for SCSI after a soft reset: its ID, the interrupts the
/// driver handles, the selection time-out.
pub(crate) fn init(bar: &Bar<'_>, own_id: u8) {
    bar.write_reg(regs::SCID::from(scid::RRE | (own_id & scid::ID_MASK)));
    bar.write_reg(regs::RESPID::from(1u8 << own_id));
    bar.write_reg(regs::SCNTL3::zeroed().with_const_ccf::<3>());
    bar.write_reg(regs::SXFER::from(0u8));
    bar.write_reg(regs::STIME0::zeroed().with_const_sel::<0xc>());
    bar.write_reg(regs::STEST3::zeroed().with_te(true));
    bar.write_reg(regs::SIEN0::from(
        sist0::MA | sist0::UDC | sist0::RST | sist0::PAR | sist0::SGE,
    ));
    bar.write_reg(regs::SIEN1::from(sist1::STO));
    bar.write_reg(regs::DIEN::from(
        dstat::SIR | dstat::IID | dstat::ABRT | dstat::BF | dstat::MDPE,
    ));
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
    bar.write_reg(regs::DIEN::from(0u8));
    bar.write_reg(regs::SIEN0::from(0u8));
    bar.write_reg(regs::SIEN1::from(0u8));
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
