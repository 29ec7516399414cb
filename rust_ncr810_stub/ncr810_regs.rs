// SPDX-License-Identifier: GPL-2.0

//! NCR 53C810 registers and what their values mean.
//!
//! Offsets and bit names as the NCR/Symbios 53C810 data manual gives them.
//! Kernel-independent and panic-free: the driver reads registers and hands
//! the bytes to these functions; host tests run them on made-up values.

/// Register offsets in the operating register set (I/O or memory space).
pub mod reg {
    /// SCSI Control Zero.
    pub const SCNTL0: usize = 0x00;
    /// SCSI Control One.
    pub const SCNTL1: usize = 0x01;
    /// SCSI Chip ID.
    pub const SCID: usize = 0x04;
    /// DMA Status (reading it clears the DMA interrupt).
    pub const DSTAT: usize = 0x0c;
    /// SCSI Status One.
    pub const SSTAT1: usize = 0x0e;
    /// Interrupt Status.
    pub const ISTAT: usize = 0x14;
    /// Chip Test Two.
    pub const CTEST2: usize = 0x1a;
    /// Chip Test Three (bits 7:4: chip revision).
    pub const CTEST3: usize = 0x1b;
    /// DMA Command.
    pub const DCMD: usize = 0x27;
    /// DMA SCRIPTS Pointer (writing its last byte starts SCRIPTS).
    pub const DSP: usize = 0x2c;
    /// DMA SCRIPTS Pointer Save (an `INT`'s vector lands here).
    pub const DSPS: usize = 0x30;
    /// DMA Mode.
    pub const DMODE: usize = 0x38;
    /// DMA Interrupt Enable.
    pub const DIEN: usize = 0x39;
    /// DMA Control.
    pub const DCNTL: usize = 0x3b;
    /// SCSI Interrupt Enable Zero.
    pub const SIEN0: usize = 0x40;
    /// SCSI Interrupt Enable One.
    pub const SIEN1: usize = 0x41;
    /// SCSI Interrupt Status Zero (reading it clears the SCSI interrupt).
    pub const SIST0: usize = 0x42;
    /// SCSI Interrupt Status One (reading it clears the SCSI interrupt).
    pub const SIST1: usize = 0x43;
    /// Bytes of the operating register set the driver maps and dumps.
    pub const SPAN: usize = 0x60;
}

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

/// The first SCRIPTS word of `INT <vector>`, unconditional: transfer
/// control (bits 31:30 = 10), opcode INT (29:27 = 011), jump if true (19)
/// with no comparison enabled.
pub const SCRIPT_INT: u32 = 0x9808_0000;

/// The two SCRIPTS words of an unconditional `INT vector`.
pub fn script_int(vector: u32) -> [u32; 2] {
    [SCRIPT_INT, vector]
}

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

/// The data manual's name of the register at `offset`, if it has one.
pub fn register_name(offset: usize) -> Option<&'static str> {
    const NAMES: [&str; 0x60] = [
        "SCNTL0",
        "SCNTL1",
        "SCNTL2",
        "SCNTL3",
        "SCID",
        "SXFER",
        "SDID",
        "GPREG",
        "SFBR",
        "SOCL",
        "SSID",
        "SBCL",
        "DSTAT",
        "SSTAT0",
        "SSTAT1",
        "SSTAT2",
        "DSA0",
        "DSA1",
        "DSA2",
        "DSA3",
        "ISTAT",
        "",
        "",
        "",
        "CTEST0",
        "CTEST1",
        "CTEST2",
        "CTEST3",
        "TEMP0",
        "TEMP1",
        "TEMP2",
        "TEMP3",
        "DFIFO",
        "CTEST4",
        "CTEST5",
        "CTEST6",
        "DBC0",
        "DBC1",
        "DBC2",
        "DCMD",
        "DNAD0",
        "DNAD1",
        "DNAD2",
        "DNAD3",
        "DSP0",
        "DSP1",
        "DSP2",
        "DSP3",
        "DSPS0",
        "DSPS1",
        "DSPS2",
        "DSPS3",
        "SCRATCHA0",
        "SCRATCHA1",
        "SCRATCHA2",
        "SCRATCHA3",
        "DMODE",
        "DIEN",
        "DWT",
        "DCNTL",
        "ADDER0",
        "ADDER1",
        "ADDER2",
        "ADDER3",
        "SIEN0",
        "SIEN1",
        "SIST0",
        "SIST1",
        "SLPAR",
        "",
        "MACNTL",
        "GPCNTL",
        "STIME0",
        "STIME1",
        "RESPID",
        "",
        "STEST0",
        "STEST1",
        "STEST2",
        "STEST3",
        "SIDL",
        "",
        "",
        "",
        "SODL",
        "",
        "",
        "",
        "SBDL",
        "",
        "",
        "",
        "SCRATCHB0",
        "SCRATCHB1",
        "SCRATCHB2",
        "SCRATCHB3",
    ];
    NAMES.get(offset).copied().filter(|n| !n.is_empty())
}

/// Registers a dump must not read: reading DSTAT, SIST0 or SIST1 clears
/// pending interrupts.
pub fn read_has_side_effects(offset: usize) -> bool {
    matches!(offset, reg::DSTAT | reg::SIST0 | reg::SIST1)
}
