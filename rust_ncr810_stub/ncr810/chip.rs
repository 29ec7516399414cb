// SPDX-License-Identifier: GPL-2.0

//! What the NCR 53C810's register values mean.
//!
//! Bit names as the NCR/Symbios 53C810 data manual gives them (the register
//! offsets are in the driver's `regs.rs`, the one register map). The driver
//! reads registers and hands the bytes to these functions; host tests run
//! them on made-up values.

/// ISTAT bits.
pub mod istat {
    /// Abort operation.
    pub const ABRT: u8 = 0x80;
    /// Software reset.
    pub const SRST: u8 = 0x40;
    /// Signal process.
    pub const SIGP: u8 = 0x20;
    /// Semaphore.
    pub const SEM: u8 = 0x10;
    /// Connected.
    pub const CON: u8 = 0x08;
    /// Interrupt on the fly.
    pub const INTF: u8 = 0x04;
    /// SCSI interrupt pending.
    pub const SIP: u8 = 0x02;
    /// DMA interrupt pending.
    pub const DIP: u8 = 0x01;
}

/// DSTAT bits (and the matching DIEN enable bits).
pub mod dstat {
    /// DMA FIFO empty.
    pub const DFE: u8 = 0x80;
    /// Master data parity error.
    pub const MDPE: u8 = 0x40;
    /// Bus fault.
    pub const BF: u8 = 0x20;
    /// Aborted.
    pub const ABRT: u8 = 0x10;
    /// SCRIPTS single-step interrupt.
    pub const SSI: u8 = 0x08;
    /// SCRIPTS interrupt instruction received.
    pub const SIR: u8 = 0x04;
    /// Illegal instruction detected.
    pub const IID: u8 = 0x01;
    /// The bits that report a failure.
    pub const ERRORS: u8 = MDPE | BF | ABRT | IID;
}

/// SIST0 bits (and the matching SIEN0 enable bits).
pub mod sist0 {
    /// Phase mismatch (initiator mode).
    pub const MA: u8 = 0x80;
    /// Function complete.
    pub const CMP: u8 = 0x40;
    /// Selected.
    pub const SEL: u8 = 0x20;
    /// Reselected.
    pub const RSL: u8 = 0x10;
    /// SCSI gross error.
    pub const SGE: u8 = 0x08;
    /// Unexpected disconnect.
    pub const UDC: u8 = 0x04;
    /// SCSI RST/ received.
    pub const RST: u8 = 0x02;
    /// SCSI parity error.
    pub const PAR: u8 = 0x01;
}

/// SIST1 bits (and the matching SIEN1 enable bits).
pub mod sist1 {
    /// Selection or reselection time-out.
    pub const STO: u8 = 0x04;
    /// General purpose timer expired.
    pub const GEN: u8 = 0x02;
    /// Handshake-to-handshake timer expired.
    pub const HTH: u8 = 0x01;
}

/// SCID fields.
pub mod scid {
    /// Enable response to reselection.
    pub const RRE: u8 = 0x40;
    /// Enable response to selection.
    pub const SRE: u8 = 0x20;
    /// The chip's own SCSI ID (3 bits on this 8-bit SCSI chip).
    pub const ID_MASK: u8 = 0x07;
    /// Bits the 53C810 keeps reserved.
    pub const RESERVED: u8 = 0x98;
}

/// SCNTL0 after reset: full arbitration (ARB1, ARB0).
pub const SCNTL0_RESET: u8 = 0xc0;
/// DMODE: manual start (SCRIPTS start only by DCNTL.STD when set).
pub const DMODE_MAN: u8 = 0x01;

/// What the registers showed right after the software reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetState {
    /// SCNTL0.
    pub scntl0: u8,
    /// SCID.
    pub scid: u8,
    /// ISTAT.
    pub istat: u8,
    /// DSTAT.
    pub dstat: u8,
    /// CTEST2.
    pub ctest2: u8,
    /// CTEST3.
    pub ctest3: u8,
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
    if s.istat == 0xff && s.dstat == 0xff && s.scid == 0xff {
        return Err(ProbeError::NotResponding);
    }
    if s.istat & (istat::SRST | istat::DIP | istat::SIP | istat::INTF | istat::ABRT) != 0 {
        return Err(ProbeError::IstatNotClear(s.istat));
    }
    if s.dstat & dstat::DFE == 0 {
        return Err(ProbeError::DmaFifoNotEmpty(s.dstat));
    }
    if s.scntl0 != SCNTL0_RESET {
        return Err(ProbeError::Scntl0(s.scntl0));
    }
    if s.scid & scid::RESERVED != 0 {
        return Err(ProbeError::ScidReserved(s.scid));
    }
    Ok(Identity {
        pci_revision,
        chip_revision: s.ctest3 >> 4,
        scsi_id: s.scid & scid::ID_MASK,
    })
}

/// Checks what the interrupt handler saw for the self-test's `INT vector`.
pub fn check_selftest(dstat_seen: u8, dsps: u32, vector: u32) -> Result<(), ProbeError> {
    if dstat_seen & dstat::ERRORS != 0 {
        return Err(ProbeError::SelfTestDstat(dstat_seen));
    }
    if dstat_seen & dstat::SIR == 0 {
        return Err(ProbeError::SelfTestNotSir(dstat_seen));
    }
    if dsps != vector {
        return Err(ProbeError::SelfTestVector(dsps));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What QEMU's lsi53c810 shows after ISTAT.SRST.
    const QEMU_RESET: ResetState = ResetState {
        scntl0: 0xc0,
        scid: 0x07,
        istat: 0x00,
        dstat: 0x80,
        ctest2: 0x11,
        ctest3: 0x00,
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
            scntl0: 0xff,
            scid: 0xff,
            istat: 0xff,
            dstat: 0xff,
            ctest2: 0xff,
            ctest3: 0xff,
        };
        assert_eq!(validate_reset(&ones, 0), Err(ProbeError::NotResponding));
        let s = ResetState {
            istat: istat::DIP,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::IstatNotClear(1)));
        let s = ResetState {
            dstat: 0,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::DmaFifoNotEmpty(0)));
        let s = ResetState {
            scntl0: 0,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::Scntl0(0)));
        let s = ResetState {
            scid: 0x87,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 0), Err(ProbeError::ScidReserved(0x87)));
    }

    #[test]
    fn revision_comes_from_ctest3_high_nibble() {
        let s = ResetState {
            ctest3: 0x21,
            ..QEMU_RESET
        };
        assert_eq!(validate_reset(&s, 2).unwrap().chip_revision, 2);
    }

    #[test]
    fn selftest_outcomes() {
        assert_eq!(
            check_selftest(dstat::DFE | dstat::SIR, 0x810, 0x810),
            Ok(())
        );
        assert_eq!(
            check_selftest(dstat::DFE | dstat::IID, 0x810, 0x810),
            Err(ProbeError::SelfTestDstat(0x81))
        );
        assert_eq!(
            check_selftest(dstat::DFE, 0x810, 0x810),
            Err(ProbeError::SelfTestNotSir(0x80))
        );
        assert_eq!(
            check_selftest(dstat::SIR, 1, 0x810),
            Err(ProbeError::SelfTestVector(1))
        );
    }
}
