// SPDX-License-Identifier: GPL-2.0

//! The probe's self-test, and what the debugfs `state` file shows of it.

use kernel::{
    io::{
        poll::read_poll_timeout,
        Io, //
    },
    pci,
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic,
        Relaxed, //
    },
    time::Delta,
};

use crate::{
    bringup,
    chip::Chip,
    regs,
    MMIO_BAR, //
};

/// The vector the self-test's `INT` carries ("810").
const SELFTEST_VECTOR: u32 = 0x0810;
/// How long the self-test waits for its interrupt.
const SELFTEST_TIMEOUT: Delta = Delta::from_millis(500);

/// What the self-test measured, and the registers right after it.
#[derive(Clone, Copy)]
pub(crate) struct SelfTest {
    pub(crate) ns: i64,
    pub(crate) dump: [u32; regs::DUMPED.len()],
}

/// Runs the SCRIPTS self-test: `INT SELFTEST_VECTOR`, fetched by DMA from
/// the program buffer, must raise the interrupt; then dumps the registers.
/// The probe resets the chip and the bus for SCSI afterwards.
pub(crate) fn run(pdev: &pci::Device, chip: &Chip<'_>) -> Result<SelfTest> {
    let [w0, w1] = ncr810::scripts::int(SELFTEST_VECTOR, ncr810::scripts::Condition::ALWAYS);
    let mut program = [0u8; crate::chip::BUFFER_BYTES];
    program[..4].copy_from_slice(&w0.to_le_bytes());
    program[4..8].copy_from_slice(&w1.to_le_bytes());
    (&chip.buffer).copy_from_slice(&program);
    let start = kernel::time::Instant::<kernel::time::Monotonic>::now();
    chip.bar.write_reg(regs::DIEN::zeroed().with_sir(true));
    chip.bar
        .write_reg(regs::DSP::zeroed().with_address(chip.buffer_addr));
    let seen = read_poll_timeout(
        || Ok(chip.selftest_count.load(Acquire)),
        |n| *n > 0,
        Delta::from_millis(1),
        SELFTEST_TIMEOUT,
    );
    chip.bar.write_reg(regs::DIEN::zeroed());
    if seen.is_err() {
        bringup::soft_reset(&chip.bar);
        dev_err!(
            pdev,
            "probe failed: self-test got no interrupt within {} ms\n",
            SELFTEST_TIMEOUT.as_millis()
        );
        return Err(ETIMEDOUT);
    }
    let elapsed = start.elapsed().as_nanos();
    let dstat_seen = chip.selftest_dstat.load(Relaxed) as u8;
    let dsps = chip.selftest_dsps.load(Relaxed);
    ncr810::chip::check_selftest(
        regs::DSTAT::from(dstat_seen).decode(),
        dsps,
        SELFTEST_VECTOR,
    )
    .map_err(|e| bringup::probe_error(pdev, e))?;
    dev_info!(
        pdev,
        "self-test: SCRIPTS INT {:#x} from DMA buffer {:#x} raised IRQ {} (DSTAT {:#04x}, DSPS {:#x}) in {} us\n",
        SELFTEST_VECTOR,
        chip.buffer_addr,
        chip.irq,
        dstat_seen,
        dsps,
        elapsed / 1000
    );
    Ok(SelfTest {
        ns: elapsed,
        dump: regs::dump(&chip.bar),
    })
}

/// What the chip showed when it was probed: the debugfs `state` file.
pub(crate) struct ChipState {
    pub(crate) identity: ncr810::chip::Identity,
    pub(crate) bar_start: u64,
    pub(crate) irq: u32,
    /// The SCSI host's number, once it is added.
    pub(crate) scsi_host: Atomic<u32>,
    pub(crate) selftest: SelfTest,
}

impl core::fmt::Debug for ChipState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let id = &self.identity;
        writeln!(f, "chip: NCR 53C810")?;
        writeln!(f, "pci_revision: {:#04x}", id.pci_revision)?;
        writeln!(f, "chip_revision: {}", id.chip_revision)?;
        writeln!(f, "scsi_id: {}", id.scsi_id)?;
        writeln!(f, "bar{}: {:#x}", MMIO_BAR, self.bar_start)?;
        writeln!(f, "irq: {}", self.irq)?;
        writeln!(f, "scsi_host: {}", self.scsi_host.load(Relaxed))?;
        writeln!(f, "selftest_roundtrip_ns: {}", self.selftest.ns)?;
        write!(f, "registers after the self-test:")?;
        for (r, v) in regs::DUMPED.iter().zip(self.selftest.dump.iter()) {
            write!(
                f,
                "\n{:#04x} {:<10} {v:#0w$x}",
                r.offset,
                r.name,
                w = 2 + 2 * r.bytes
            )?;
        }
        Ok(())
    }
}
