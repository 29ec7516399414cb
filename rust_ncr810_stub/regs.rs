// SPDX-License-Identifier: GPL-2.0

//! The NCR 53C810's operating registers: the one register map.
//!
//! Offsets and fields as the NCR/Symbios 53C810 data manual gives them,
//! defined with the kernel crate's `register!` (`kernel::io::register`).
//! Every register access of the driver goes through a type of this map, and
//! every bit it writes or tests is a field here: the chip logic (the
//! `ncr810` crate, host-tested) gets what the fields say ([`DSTAT::decode`],
//! [`scsi_status`], [`reset_state`]) and the registers its SCRIPTS address
//! ([`script_registers`]), never a bit or an offset of its own.

use kernel::{
    io::{
        register,
        register::Register,
        Io, //
    },
    num::Bounded,
    prelude::*,
};

use ncr810::{
    chip::{
        DmaStatus,
        ResetState,
        ScsiStatus, //
    },
    program::ScriptRegisters,
};

/// Bytes of the operating register set the driver maps and dumps.
pub(crate) const SPAN: usize = 0x60;

register! {
    /// SCSI Control Zero.
    pub(crate) SCNTL0(u8) @ 0x00 {
        /// Arbitration mode (3 after reset: full arbitration).
        7:6 arb;
    }

    /// SCSI Control One.
    pub(crate) SCNTL1(u8) @ 0x01 {
        /// Assert SCSI RST/ (a bus reset while set).
        3:3 rst => bool;
    }

    /// SCSI Control Two.
    pub(crate) SCNTL2(u8) @ 0x02 {
        /// SCSI disconnect unexpected.
        7:7 sdu => bool;
    }

    /// SCSI Control Three: clock conversion for asynchronous transfers.
    pub(crate) SCNTL3(u8) @ 0x03 {
        /// Clock conversion factor (3: SCLK/2, for the 810's 40 MHz clock).
        2:0 ccf;
    }

    /// SCSI Chip ID.
    pub(crate) SCID(u8) @ 0x04 {
        /// Reserved on the 53C810.
        7:7 reserved_7 => bool;
        /// Respond to reselection.
        6:6 rre => bool;
        /// Respond to selection.
        5:5 sre => bool;
        /// Reserved on the 53C810 (an 8-bit SCSI chip).
        4:3 reserved_4_3;
        /// The chip's own SCSI ID.
        2:0 id;
    }

    /// SCSI Transfer: zero is asynchronous.
    pub(crate) SXFER(u8) @ 0x05 {
        7:0 value;
    }

    /// SCSI Destination ID.
    pub(crate) SDID(u8) @ 0x06 {
        7:0 value;
    }

    /// General Purpose.
    pub(crate) GPREG(u8) @ 0x07 {
        7:0 value;
    }

    /// SCSI First Byte Received.
    pub(crate) SFBR(u8) @ 0x08 {
        7:0 value;
    }

    /// SCSI Output Control Latch.
    pub(crate) SOCL(u8) @ 0x09 {
        7:0 value;
    }

    /// SCSI Selector ID: who reselected the chip.
    pub(crate) SSID(u8) @ 0x0a {
        7:0 value;
    }

    /// SCSI Bus Control Lines.
    pub(crate) SBCL(u8) @ 0x0b {
        7:0 value;
    }

    /// DMA Status (reading it clears the DMA interrupt).
    pub(crate) DSTAT(u8) @ 0x0c {
        /// DMA FIFO empty.
        7:7 dfe => bool;
        /// Master data parity error.
        6:6 mdpe => bool;
        /// Bus fault.
        5:5 bf => bool;
        /// Aborted.
        4:4 abrt => bool;
        /// SCRIPTS single-step interrupt.
        3:3 ssi => bool;
        /// SCRIPTS interrupt instruction received.
        2:2 sir => bool;
        /// Illegal instruction detected.
        0:0 iid => bool;
    }

    /// SCSI Status Zero.
    pub(crate) SSTAT0(u8) @ 0x0d {
        7:0 value;
    }

    /// SCSI Status One (bits 2:0: the bus phase).
    pub(crate) SSTAT1(u8) @ 0x0e {
        7:0 value;
    }

    /// SCSI Status Two.
    pub(crate) SSTAT2(u8) @ 0x0f {
        7:0 value;
    }

    /// Data Structure Address.
    pub(crate) DSA(u32) @ 0x10 {
        31:0 value;
    }

    /// Interrupt Status.
    pub(crate) ISTAT(u8) @ 0x14 {
        /// Abort the running SCRIPTS.
        7:7 abrt => bool;
        /// Software reset.
        6:6 srst => bool;
        /// Signal process.
        5:5 sigp => bool;
        /// Semaphore.
        4:4 sem => bool;
        /// Connected.
        3:3 con => bool;
        /// Interrupt on the fly.
        2:2 intf => bool;
        /// SCSI interrupt pending.
        1:1 sip => bool;
        /// DMA interrupt pending.
        0:0 dip => bool;
    }

    /// Chip Test Zero.
    pub(crate) CTEST0(u8) @ 0x18 {
        7:0 value;
    }

    /// Chip Test One.
    pub(crate) CTEST1(u8) @ 0x19 {
        7:0 value;
    }

    /// Chip Test Two.
    pub(crate) CTEST2(u8) @ 0x1a {
        7:0 value;
    }

    /// Chip Test Three.
    pub(crate) CTEST3(u8) @ 0x1b {
        /// Chip revision.
        7:4 rev;
        /// Clear the DMA FIFO.
        2:2 clf => bool;
    }

    /// Temporary (the return address of a SCRIPTS `CALL`).
    pub(crate) TEMP(u32) @ 0x1c {
        31:0 value;
    }

    /// DMA FIFO.
    pub(crate) DFIFO(u8) @ 0x20 {
        7:0 value;
    }

    /// Chip Test Four.
    pub(crate) CTEST4(u8) @ 0x21 {
        7:0 value;
    }

    /// Chip Test Five.
    pub(crate) CTEST5(u8) @ 0x22 {
        7:0 value;
    }

    /// Chip Test Six.
    pub(crate) CTEST6(u8) @ 0x23 {
        7:0 value;
    }

    /// DMA Byte Counter and DMA Command: what a stopped block move had left.
    pub(crate) DBC(u32) @ 0x24 {
        /// DCMD: the instruction's first byte.
        31:24 dcmd;
        /// Bytes left.
        23:0 count;
    }

    /// DMA Next Address.
    pub(crate) DNAD(u32) @ 0x28 {
        31:0 value;
    }

    /// DMA SCRIPTS Pointer: writing it starts SCRIPTS at that bus address.
    pub(crate) DSP(u32) @ 0x2c {
        31:0 address;
    }

    /// DMA SCRIPTS Pointer Save: an `INT`'s vector.
    pub(crate) DSPS(u32) @ 0x30 {
        31:0 value;
    }

    /// Scratch A (byte 0: the program's data state, see
    /// [`ncr810::program::ScriptRegisters::data_state`]).
    pub(crate) SCRATCHA(u32) @ 0x34 {
        7:0 byte0;
    }

    /// DMA Mode.
    pub(crate) DMODE(u8) @ 0x38 {
        7:0 value;
    }

    /// DMA Interrupt Enable (bits as DSTAT's).
    pub(crate) DIEN(u8) @ 0x39 {
        /// Master data parity error.
        6:6 mdpe => bool;
        /// Bus fault.
        5:5 bf => bool;
        /// Aborted.
        4:4 abrt => bool;
        /// SCRIPTS single-step interrupt.
        3:3 ssi => bool;
        /// SCRIPTS interrupt instruction received.
        2:2 sir => bool;
        /// Illegal instruction detected.
        0:0 iid => bool;
    }

    /// DMA Watchdog Timer.
    pub(crate) DWT(u8) @ 0x3a {
        7:0 value;
    }

    /// DMA Control.
    pub(crate) DCNTL(u8) @ 0x3b {
        7:0 value;
    }

    /// Adder Sum Output.
    pub(crate) ADDER(u32) @ 0x3c {
        31:0 value;
    }

    /// SCSI Interrupt Enable Zero (bits as SIST0's).
    pub(crate) SIEN0(u8) @ 0x40 {
        /// Phase mismatch.
        7:7 ma => bool;
        /// Function complete.
        6:6 cmp => bool;
        /// Selected.
        5:5 sel => bool;
        /// Reselected.
        4:4 rsl => bool;
        /// SCSI gross error.
        3:3 sge => bool;
        /// Unexpected disconnect.
        2:2 udc => bool;
        /// SCSI RST/ received.
        1:1 rst => bool;
        /// SCSI parity error.
        0:0 par => bool;
    }

    /// SCSI Interrupt Enable One (bits as SIST1's).
    pub(crate) SIEN1(u8) @ 0x41 {
        /// Selection or reselection time-out.
        2:2 sto => bool;
        /// General purpose timer expired.
        1:1 gen => bool;
        /// Handshake-to-handshake timer expired.
        0:0 hth => bool;
    }

    /// SCSI Interrupt Status Zero (reading it clears the SCSI interrupt).
    pub(crate) SIST0(u8) @ 0x42 {
        /// Phase mismatch (initiator mode).
        7:7 ma => bool;
        /// Function complete.
        6:6 cmp => bool;
        /// Selected.
        5:5 sel => bool;
        /// Reselected.
        4:4 rsl => bool;
        /// SCSI gross error.
        3:3 sge => bool;
        /// Unexpected disconnect.
        2:2 udc => bool;
        /// SCSI RST/ received.
        1:1 rst => bool;
        /// SCSI parity error.
        0:0 par => bool;
    }

    /// SCSI Interrupt Status One (reading it clears the SCSI interrupt).
    pub(crate) SIST1(u8) @ 0x43 {
        /// Selection or reselection time-out.
        2:2 sto => bool;
        /// General purpose timer expired.
        1:1 gen => bool;
        /// Handshake-to-handshake timer expired.
        0:0 hth => bool;
    }

    /// SCSI Longitudinal Parity.
    pub(crate) SLPAR(u8) @ 0x44 {
        7:0 value;
    }

    /// Memory Access Control.
    pub(crate) MACNTL(u8) @ 0x46 {
        7:0 value;
    }

    /// General Purpose Pin Control.
    pub(crate) GPCNTL(u8) @ 0x47 {
        7:0 value;
    }

    /// SCSI Timer Zero.
    pub(crate) STIME0(u8) @ 0x48 {
        /// Selection time-out (0 disables it; 0xc is about 200 ms).
        3:0 sel;
    }

    /// SCSI Timer One.
    pub(crate) STIME1(u8) @ 0x49 {
        7:0 value;
    }

    /// Response ID: the IDs the chip answers reselection for.
    pub(crate) RESPID(u8) @ 0x4a {
        7:0 ids;
    }

    /// SCSI Test Zero.
    pub(crate) STEST0(u8) @ 0x4c {
        7:0 value;
    }

    /// SCSI Test One.
    pub(crate) STEST1(u8) @ 0x4d {
        7:0 value;
    }

    /// SCSI Test Two.
    pub(crate) STEST2(u8) @ 0x4e {
        7:0 value;
    }

    /// SCSI Test Three.
    pub(crate) STEST3(u8) @ 0x4f {
        /// TolerANT enable.
        7:7 te => bool;
        /// Clear the SCSI FIFO.
        1:1 csf => bool;
    }

    /// SCSI Input Data Latch.
    pub(crate) SIDL(u8) @ 0x50 {
        7:0 value;
    }

    /// SCSI Output Data Latch.
    pub(crate) SODL(u8) @ 0x54 {
        7:0 value;
    }

    /// SCSI Bus Data Lines.
    pub(crate) SBDL(u8) @ 0x58 {
        7:0 value;
    }

    /// Scratch B.
    pub(crate) SCRATCHB(u32) @ 0x5c {
        31:0 value;
    }
}

impl DSTAT {
    /// What the chip logic needs of DSTAT.
    pub(crate) fn decode(self) -> DmaStatus {
        DmaStatus {
            raw: self.into(),
            script_int: self.sir(),
            error: self.iid() || self.abrt() || self.bf() || self.mdpe(),
            fifo_empty: self.dfe(),
        }
    }
}

/// What the chip logic needs of SIST0 and SIST1.
pub(crate) fn scsi_status(sist0: SIST0, sist1: SIST1) -> ScsiStatus {
    ScsiStatus {
        phase_mismatch: sist0.ma(),
        unexpected_disconnect: sist0.udc(),
        gross_error: sist0.sge(),
        bus_reset: sist0.rst(),
        parity: sist0.par(),
        selection_timeout: sist1.sto(),
    }
}

/// Reads what the chip logic checks after a soft reset.
pub(crate) fn reset_state(bar: &crate::Bar<'_>) -> ResetState {
    let scntl0 = bar.read(SCNTL0);
    let scid = bar.read(SCID);
    let istat = bar.read(ISTAT);
    // Read as the probe always has (reading CTEST2 clears ISTAT.SIGP).
    let _ = bar.read(CTEST2);
    ResetState {
        istat: istat.into(),
        istat_busy: istat.srst() || istat.abrt() || istat.intf() || istat.sip() || istat.dip(),
        dstat: bar.read(DSTAT).decode(),
        scntl0: scntl0.into(),
        scntl0_at_reset: scntl0.into_raw() == SCNTL0::zeroed().with_const_arb::<3>().into_raw(),
        scid: scid.into(),
        scid_reserved: scid.reserved_7() || scid.reserved_4_3().get() != 0,
        scsi_id: scid.id().get(),
        chip_revision: bar.read(CTEST3).rev().get(),
    }
}

/// The registers the SCRIPTS programs address, for [`ncr810::program`].
pub(crate) fn script_registers() -> ScriptRegisters {
    ScriptRegisters {
        data_state: SCRATCHA::OFFSET as u8,
        scntl2: SCNTL2::OFFSET as u8,
        scntl2_sdu: SCNTL2::zeroed().with_sdu(true).into_raw(),
    }
}

/// SCID for the chip's own SCSI ID, responding to reselection.
pub(crate) fn scid(own_id: u8) -> SCID {
    let id = Bounded::<u8, 3>::try_new(own_id).unwrap_or(Bounded::<u8, 3>::new::<7>());
    SCID::zeroed().with_rre(true).with_id(id)
}

/// A register's name, offset and width, for the debugfs dump.
pub(crate) struct Named {
    pub(crate) name: &'static str,
    pub(crate) offset: usize,
    pub(crate) bytes: usize,
}

/// [`DUMPED`] for the registers given, in that order.
macro_rules! dumped {
    ($($r:ident),* $(,)?) => {
        /// Every register of the map, in offset order. DSTAT, SIST0 and
        /// SIST1 are left out: reading them acknowledges interrupts.
        pub(crate) const DUMPED: [Named; [$(stringify!($r)),*].len()] = [$(Named {
            name: stringify!($r),
            offset: <$r as Register>::OFFSET,
            bytes: core::mem::size_of::<<$r as Register>::Storage>(),
        }),*];
    };
}

/// Reads every register of [`DUMPED`] at its offset in the map, with its
/// width (a loop over the table: the same reads, a quarter of the code of
/// one typed read per register).
pub(crate) fn dump(bar: &crate::Bar<'_>) -> [u32; DUMPED.len()] {
    let mut v = [0u32; DUMPED.len()];
    for (r, v) in DUMPED.iter().zip(v.iter_mut()) {
        *v = match r.bytes {
            1 => bar.try_read8(r.offset).map(u32::from),
            2 => bar.try_read16(r.offset).map(u32::from),
            _ => bar.try_read32(r.offset),
        }
        .unwrap_or(u32::MAX);
    }
    v
}

dumped![
    SCNTL0, SCNTL1, SCNTL2, SCNTL3, SCID, SXFER, SDID, GPREG, SFBR, SOCL, SSID, SBCL, SSTAT0,
    SSTAT1, SSTAT2, DSA, ISTAT, CTEST0, CTEST1, CTEST2, CTEST3, TEMP, DFIFO, CTEST4, CTEST5,
    CTEST6, DBC, DNAD, DSP, DSPS, SCRATCHA, DMODE, DIEN, DWT, DCNTL, ADDER, SIEN0, SIEN1, SLPAR,
    MACNTL, GPCNTL, STIME0, STIME1, RESPID, STEST0, STEST1, STEST2, STEST3, SIDL, SODL, SBDL,
    SCRATCHB,
];

// The register map exists only in the kernel build: its checks run as KUnit
// at load (the chip logic's own tests run on the host, `cargo test -p ncr810`).
#[kunit_tests(rust_ncr810_regs)]
mod tests {
    use super::*;

    #[test]
    fn dump_table_is_the_map_in_offset_order() {
        // Each register starts where the one before it ended, or later, and
        // ends inside the mapped span.
        let mut end = 0;
        for r in &DUMPED {
            assert!(r.offset >= end);
            end = r.offset + r.bytes;
            assert!(end <= SPAN);
        }
        // Reading these acknowledges interrupts: never dumped.
        for off in [DSTAT::OFFSET, SIST0::OFFSET, SIST1::OFFSET] {
            assert!(DUMPED.iter().all(|r| r.offset != off));
        }
    }

    #[test]
    fn fields_encode_as_the_data_manual() {
        assert_eq!(u8::from(SCNTL1::zeroed().with_rst(true)), 0x08);
        assert_eq!(u8::from(SCNTL2::zeroed().with_sdu(true)), 0x80);
        assert_eq!(u8::from(SCNTL3::zeroed().with_const_ccf::<3>()), 0x03);
        assert_eq!(u8::from(ISTAT::zeroed().with_srst(true)), 0x40);
        assert_eq!(u8::from(ISTAT::zeroed().with_abrt(true)), 0x80);
        assert_eq!(u8::from(CTEST3::zeroed().with_clf(true)), 0x04);
        assert_eq!(
            u8::from(STEST3::zeroed().with_te(true).with_csf(true)),
            0x82
        );
        assert_eq!(u8::from(STIME0::zeroed().with_const_sel::<0xc>()), 0x0c);
        assert_eq!(DBC::from(0x0912_3456u32).count().get(), 0x12_3456);
        assert_eq!(DBC::from(0x0912_3456u32).dcmd().get(), 0x09);
        assert_eq!(u8::from(scid(7)), 0x47);
        assert_eq!(u8::from(DIEN::zeroed().with_sir(true)), 0x04);
        assert_eq!(u8::from(SIEN0::zeroed().with_ma(true)), 0x80);
        assert_eq!(u8::from(SIEN1::zeroed().with_sto(true)), 0x04);
    }

    #[test]
    fn status_decodes_as_the_data_manual() {
        // QEMU's DSTAT after the self-test's INT: DFE and SIR.
        let d = DSTAT::from(0x84u8).decode();
        assert!(d.script_int && d.fifo_empty && !d.error);
        assert!(DSTAT::from(0x01u8).decode().error);
        let s = scsi_status(SIST0::from(0x80u8), SIST1::from(0x04u8));
        assert!(s.phase_mismatch && s.selection_timeout && !s.bus_reset);
        assert!(ISTAT::from(0x01u8).dip() && ISTAT::from(0x02u8).sip());
        assert_eq!(
            script_registers(),
            ScriptRegisters {
                data_state: 0x34,
                scntl2: 0x02,
                scntl2_sdu: 0x80,
            }
        );
    }
}
