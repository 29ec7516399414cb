// SPDX-License-Identifier: GPL-2.0

//! The register logic of `rust_ncr810_stub`, the very file the module
//! compiles, built for host tests.

#[path = "../../ncr810_regs.rs"]
pub mod ncr810_regs;

#[cfg(test)]
mod tests {
    use super::ncr810_regs::*;

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

    #[test]
    fn int_instruction_encoding() {
        // Transfer control, INT, jump-if-true: what the data manual's
        // assembler emits for `INT 0x810`.
        assert_eq!(script_int(0x810), [0x9808_0000, 0x810]);
        assert_eq!(SCRIPT_INT >> 30, 0b10);
        assert_eq!((SCRIPT_INT >> 27) & 7, 0b011);
    }

    #[test]
    fn register_names() {
        assert_eq!(register_name(reg::ISTAT), Some("ISTAT"));
        assert_eq!(register_name(reg::DSTAT), Some("DSTAT"));
        assert_eq!(register_name(reg::CTEST3), Some("CTEST3"));
        assert_eq!(register_name(reg::DIEN), Some("DIEN"));
        assert_eq!(register_name(reg::SIEN1), Some("SIEN1"));
        assert_eq!(register_name(0x15), None);
        assert_eq!(register_name(0x100), None);
        assert!(read_has_side_effects(reg::DSTAT));
    }
}
