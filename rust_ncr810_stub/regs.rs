// SPDX-License-Identifier: GPL-2.0

//! The NCR 53C810's operating registers: the one register map.
//!
//! Offsets and fields as the NCR/Symbios 53C810 data manual gives them. What
//! status values mean is decided in the `ncr810` crate (host-tested), which
//! gets their raw bytes; the fields here are the ones the driver writes.

use kernel::{
    io::register,
    prelude::*, //
};

/// Bytes of the operating register set the driver maps and dumps.
pub(crate) const SPAN: usize = 0x60;

register! {
    /// SCSI Control Zero (arbitration mode; 0xc0 after reset).
    pub(crate) SCNTL0(u8) @ 0x00 {
        7:0 value;
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
        /// Respond to reselection.
        6:6 rre => bool;
        /// Respond to selection.
        5:5 sre => bool;
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
        7:0 value;
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

    /// Chip Test Three (bits 7:4: chip revision).
    pub(crate) CTEST3(u8) @ 0x1b {
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

    /// Scratch A (byte 0: the program's data-done flag).
    pub(crate) SCRATCHA(u32) @ 0x34 {
        7:0 byte0;
    }

    /// DMA Mode.
    pub(crate) DMODE(u8) @ 0x38 {
        7:0 value;
    }

    /// DMA Interrupt Enable (bits as DSTAT's).
    pub(crate) DIEN(u8) @ 0x39 {
        7:0 value;
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
        7:0 value;
    }

    /// SCSI Interrupt Enable One (bits as SIST1's).
    pub(crate) SIEN1(u8) @ 0x41 {
        7:0 value;
    }

    /// SCSI Interrupt Status Zero (reading it clears the SCSI interrupt).
    pub(crate) SIST0(u8) @ 0x42 {
        7:0 value;
    }

    /// SCSI Interrupt Status One (reading it clears the SCSI interrupt).
    pub(crate) SIST1(u8) @ 0x43 {
        7:0 value;
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

/// A register's name, offset and width, for the debugfs dump, and its
/// typed read.
pub(crate) struct Named {
    pub(crate) name: &'static str,
    pub(crate) offset: usize,
    pub(crate) bytes: usize,
    pub(crate) read: fn(&crate::Bar<'_>) -> u32,
}

macro_rules! named {
    ($($r:ident),* $(,)?) => {
        [$(Named {
            name: stringify!($r),
            offset: <$r as kernel::io::register::Register>::OFFSET,
            bytes: core::mem::size_of::<<$r as kernel::io::register::Register>::Storage>(),
            read: {
                fn read(bar: &crate::Bar<'_>) -> u32 {
                    use kernel::io::Io;
                    <$r as kernel::io::register::Register>::Storage::from(bar.read($r)).into()
                }
                read
            },
        }),*]
    };
}

/// Every register of the map, in offset order. DSTAT, SIST0 and SIST1 are
/// left out: reading them acknowledges interrupts.
pub(crate) const DUMPED: [Named; 52] = named![
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
    use ncr810::chip::{
        dstat,
        scid,
        sist0,
        sist1, //
    };

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
        for off in [
            <DSTAT as kernel::io::register::Register>::OFFSET,
            <SIST0 as kernel::io::register::Register>::OFFSET,
            <SIST1 as kernel::io::register::Register>::OFFSET,
        ] {
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
    }

    #[test]
    fn chip_bits_match_the_map() {
        // The `ncr810` crate's bit values, as the map's fields place them.
        assert_eq!(u8::from(SCID::zeroed().with_rre(true)), scid::RRE);
        assert_eq!(u8::from(SCID::zeroed().with_sre(true)), scid::SRE);
        assert!(ISTAT::from(0x01).dip() && ISTAT::from(0x02).sip());
        assert_eq!(dstat::SIR, 0x04);
        assert_eq!(sist0::MA, 0x80);
        assert_eq!(sist1::STO, 0x04);
    }
}
