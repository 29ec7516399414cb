// SPDX-License-Identifier: GPL-2.0

//! What the NCR 53C810's register values mean.
//!
//! The registers and their bits are defined once, in the driver's register
//! map (`regs.rs`, the kernel's `register!`); the driver reads them through
//! it and hands what their fields say to these functions, which decide what
//! it means. Host tests run them on made-up values.

/// DSTAT, as the register map's fields decode it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DmaStatus {
    /// The raw value, for the log.
    pub raw: u8,
    /// SIR: a SCRIPTS `INT` ran (DSPS holds its vector).
    pub script_int: bool,
    /// IID, ABRT, BF or MDPE: an illegal instruction, an abort, a bus fault
    /// or a parity error on the PCI side.
    pub error: bool,
    /// DFE: the DMA FIFO is empty.
    pub fifo_empty: bool,
}

/// SIST0 and SIST1, as the register map's fields decode them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScsiStatus {
    /// SIST0.MA: a phase mismatch.
    pub phase_mismatch: bool,
    /// SIST0.UDC: an unexpected disconnect.
    pub unexpected_disconnect: bool,
    /// SIST0.SGE: a SCSI gross error.
    pub gross_error: bool,
    /// SIST0.RST: SCSI RST/ was received.
    pub bus_reset: bool,
    /// SIST0.PAR: a SCSI parity error.
    pub parity: bool,
    /// SIST1.STO: a selection or reselection time-out.
    pub selection_timeout: bool,
}

/// What the registers showed right after the software reset, as the
/// register map's fields decode them (raw values for the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetState {
    /// ISTAT, raw.
    pub istat: u8,
    /// ISTAT shows a reset, an abort or an interrupt still pending (SRST,
    /// ABRT, INTF, SIP or DIP).
    pub istat_busy: bool,
    /// DSTAT.
    pub dstat: DmaStatus,
    /// SCNTL0, raw.
    pub scntl0: u8,
    /// SCNTL0 holds its reset value (full arbitration, nothing else).
    pub scntl0_at_reset: bool,
    /// SCID, raw.
    pub scid: u8,
    /// SCID has reserved bits set.
    pub scid_reserved: bool,
    /// SCID's ID field: the chip's own SCSI ID.
    pub scsi_id: u8,
    /// CTEST3's revision field.
    pub chip_revision: u8,
}

/// Who the chip says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity {
    /// PCI revision ID from configuration space.
    pub pci_revision: u8,
    /// The revision field of CTEST3 (bits 7:4).
    pub chip_revision: u8,
    /// The chip's own SCSI ID from SCID.
    pub scsi_id: u8,
}

/// Why the chip's reset state was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeError {
    /// Every register reads as all ones: nothing answers at this BAR.
    NotResponding,
    /// ISTAT still shows a reset or a pending interrupt after the reset.
    IstatNotClear(u8),
    /// DSTAT does not report an empty DMA FIFO after the reset.
    DmaFifoNotEmpty(u8),
    /// SCNTL0 does not hold its reset value.
    Scntl0(u8),
    /// SCID has reserved bits set.
    ScidReserved(u8),
    /// The SCRIPTS self-test interrupt reported an error in DSTAT.
    SelfTestDstat(u8),
    /// The self-test interrupt was not the SCRIPTS `INT`.
    SelfTestNotSir(u8),
    /// DSPS did not hold the self-test's vector.
    SelfTestVector(u32),
}

impl ProbeError {
    /// A description for the kernel log.
    pub fn describe(&self) -> &'static str {
        match self {
            ProbeError::NotResponding => "registers read all ones: chip not responding",
            ProbeError::IstatNotClear(_) => "ISTAT shows reset or interrupt pending after reset",
            ProbeError::DmaFifoNotEmpty(_) => "DSTAT: DMA FIFO not empty after reset",
            ProbeError::Scntl0(_) => "SCNTL0 not at its reset value",
            ProbeError::ScidReserved(_) => "SCID has reserved bits set",
            ProbeError::SelfTestDstat(_) => "self-test: DSTAT reports an error",
            ProbeError::SelfTestNotSir(_) => "self-test: interrupt without DSTAT.SIR",
            ProbeError::SelfTestVector(_) => "self-test: DSPS holds the wrong vector",
        }
    }

    /// The register value involved, for the log.
    pub fn value(&self) -> u32 {
        match *self {
            ProbeError::NotResponding => 0xff,
            ProbeError::IstatNotClear(v)
            | ProbeError::DmaFifoNotEmpty(v)
            | ProbeError::Scntl0(v)
            | ProbeError::ScidReserved(v)
            | ProbeError::SelfTestDstat(v)
            | ProbeError::SelfTestNotSir(v) => u32::from(v),
            ProbeError::SelfTestVector(v) => v,
        }
    }
}

/// Checks the state after a software reset against what the data manual
/// says a 53C810 reports, and extracts its identity.
pub fn validate_reset(s: &ResetState, pci_revision: u8) -> Result<Identity, ProbeError> {
    if s.istat == 0xff && s.dstat.raw == 0xff && s.scid == 0xff {
        return Err(ProbeError::NotResponding);
    }
    if s.istat_busy {
        return Err(ProbeError::IstatNotClear(s.istat));
    }
    if !s.dstat.fifo_empty {
        return Err(ProbeError::DmaFifoNotEmpty(s.dstat.raw));
    }
    if !s.scntl0_at_reset {
        return Err(ProbeError::Scntl0(s.scntl0));
    }
    if s.scid_reserved {
        return Err(ProbeError::ScidReserved(s.scid));
    }
    Ok(Identity {
        pci_revision,
        chip_revision: s.chip_revision,
        scsi_id: s.scsi_id,
    })
}

/// Checks what the interrupt handler saw for the self-test's `INT vector`.
pub fn check_selftest(dstat: DmaStatus, dsps: u32, vector: u32) -> Result<(), ProbeError> {
    if dstat.error {
        return Err(ProbeError::SelfTestDstat(dstat.raw));
    }
    if !dstat.script_int {
        return Err(ProbeError::SelfTestNotSir(dstat.raw));
    }
    if dsps != vector {
        return Err(ProbeError::SelfTestVector(dsps));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What QEMU's lsi53c810 shows after ISTAT.SRST, decoded.
    const QEMU_RESET: ResetState = ResetState {
        istat: 0x00,
        istat_busy: false,
        dstat: DmaStatus {
            raw: 0x80,
            script_int: false,
            error: false,
            fifo_empty: true,
        },
        scntl0: 0xc0,
        scntl0_at_reset: true,
        scid: 0x07,
        scid_reserved: false,
        scsi_id: 7,
        chip_revision: 0,
    };

    #[test]
    fn qemu_reset_state_is_a_53c810() {
        let id = validate_reset(&QEMU_RESET, 0).unwrap();
        assert_eq!(id.scsi_id, 7);
        assert_eq!(id.chip_revision, 0);
    }

    #[test]
    fn impossible_values_are_refused() {
        let ones = ResetState {
            istat: 0xff,
            istat_busy: true,
            dstat: DmaStatus {
                raw: 0xff,
                script_int: true,
                error: true,
                fifo_empty: true,
            },
            scntl0: 0xff,
            scntl0_at_reset: false,
            scid: 0xff,
            scid_reserved: true,
            scsi_id: 7,
            chip_revision: 15,
        };
        assert_eq!(validate_reset(&ones, 0), Err(ProbeError::NotResponding));
        let s = ResetState {
            istat: 0x01,
            istat_busy: true,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::IstatNotClear(1)));
        let s = ResetState {
            dstat: DmaStatus {
                raw: 0,
                ..Default::default()
            },
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::DmaFifoNotEmpty(0)));
        let s = ResetState {
            scntl0: 0,
            scntl0_at_reset: false,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::Scntl0(0)));
        let s = ResetState {
            scid: 0x87,
            scid_reserved: true,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::ScidReserved(0x87)));
    }

    #[test]
    fn revision_is_passed_on() {
        let s = ResetState {
            chip_revision: 2,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 2).unwrap().chip_revision, 2);
        assert_eq!(validate_reset(&s, 2).unwrap().pci_revision, 2);
    }

    #[test]
    fn selftest_outcomes() {
        let sir = DmaStatus {
            raw: 0x84,
            script_int: true,
            fifo_empty: true,
            ..Default::default()
        };
        assert_eq!(check_selftest(sir, 0x810, 0x810), Ok(()));
        let iid = DmaStatus {
            raw: 0x81,
            error: true,
            fifo_empty: true,
            ..Default::default()
        };
        assert_eq!(
            check_selftest(iid, 0x810, 0x810),
            Err(ProbeError::SelfTestDstat(0x81))
        );
        let nothing = DmaStatus {
            raw: 0x80,
            fifo_empty: true,
            ..Default::default()
        };
        assert_eq!(
            check_selftest(nothing, 0x810, 0x810),
            Err(ProbeError::SelfTestNotSir(0x80))
        );
        assert_eq!(
            check_selftest(sir, 1, 0x810),
            Err(ProbeError::SelfTestVector(1))
        );
    }
}
