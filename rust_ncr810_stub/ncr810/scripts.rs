// SPDX-License-Identifier: GPL-2.0

//! SCRIPTS instructions, one encoder per instruction kind.
//!
//! Encodings as the NCR 53C810 data manual gives them (chapter "SCSI
//! SCRIPTS Instruction Set"). Every instruction here is two 32-bit words:
//! the first holds the opcode and its operands, the second an address, a
//! jump target or an interrupt vector. The chip fetches them little-endian.

/// One two-word SCRIPTS instruction.
pub type Insn = [u32; 2];

/// The largest byte count of a block move (a 24-bit field).
pub const MAX_MOVE: u32 = 0x00ff_ffff;

/// A SCSI bus phase as the MSG, C/D and I/O lines encode it (SSTAT1 bits
/// 2:0, and bits 26:24 of instructions that name a phase).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    /// Data out (initiator to target).
    DataOut = 0,
    /// Data in (target to initiator).
    DataIn = 1,
    /// Command.
    Command = 2,
    /// Status.
    Status = 3,
    /// Message out.
    MsgOut = 6,
    /// Message in.
    MsgIn = 7,
}

impl Phase {
    fn bits(self) -> u32 {
        (self as u32) << 24
    }
}

/// Why an instruction could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// A block move's byte count is zero or does not fit 24 bits.
    BadCount(u32),
    /// A SCSI ID beyond the 8-bit bus's 0..=7.
    BadId(u8),
    /// A register offset beyond the 7-bit field.
    BadRegister(u8),
}

/// `MOVE count, addr, WHEN phase`: waits for the target to request a
/// phase, moves `count` bytes at bus address `addr` if it is `phase`, and
/// raises a phase mismatch (SIST0.MA) if it is not or if the target changes
/// phase before the count is done. Block move (bits 31:30 = 00), MOVE
/// rather than chained move (bit 27), direct addressing.
pub fn block_move(phase: Phase, count: u32, addr: u32) -> Result<Insn, ScriptError> {
    if count == 0 || count > MAX_MOVE {
        return Err(ScriptError::BadCount(count));
    }
    Ok([0x0800_0000 | phase.bits() | count, addr])
}

/// The byte count and address of a block move made by [`block_move`].
pub fn block_move_parts(insn: Insn) -> (u32, u32) {
    (insn[0] & MAX_MOVE, insn[1])
}

/// `SELECT ATN id, alt`: arbitrates, selects target `id` with ATN asserted
/// (so the target goes to message out for the IDENTIFY), or jumps to `alt`
/// if the chip is reselected or selected first. I/O instruction (bits
/// 31:30 = 01, opcode 000), bit 24 ATN, bits 19:16 the target's ID.
pub fn select_atn(id: u8, alt: u32) -> Result<Insn, ScriptError> {
    if id > 7 {
        return Err(ScriptError::BadId(id));
    }
    Ok([0x4100_0000 | (u32::from(id) << 16), alt])
}

/// `WAIT DISCONNECT`: waits for the target to release the bus (I/O opcode
/// 001).
pub fn wait_disconnect() -> Insn {
    [0x4800_0000, 0]
}

/// `WAIT RESELECT alt`: waits to be reselected, or jumps to `alt` if the
/// chip is selected instead or ISTAT.SIGP is set (I/O opcode 010).
pub fn wait_reselect(alt: u32) -> Insn {
    [0x5000_0000, alt]
}

/// Signals `SET` and `CLEAR` act on (bits of the first word).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signals(u32);

impl Signals {
    /// SCSI ACK/.
    pub const ACK: Signals = Signals(0x40);
    /// SCSI ATN/.
    pub const ATN: Signals = Signals(0x08);
}

/// `SET signals` (I/O opcode 011).
pub fn set(s: Signals) -> Insn {
    [0x5800_0000 | s.0, 0]
}

/// `CLEAR signals` (I/O opcode 100): `CLEAR ACK` accepts a message byte.
pub fn clear(s: Signals) -> Insn {
    [0x6000_0000 | s.0, 0]
}

/// The operator of a read/write register instruction (bits 26:24).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RegOp {
    /// The immediate value itself.
    Load = 0,
    /// Shift left through carry.
    ShiftLeft = 1,
    /// OR.
    Or = 2,
    /// Exclusive OR.
    Xor = 3,
    /// AND.
    And = 4,
    /// Shift right through carry.
    ShiftRight = 5,
    /// Add.
    Add = 6,
    /// Add with carry.
    AddCarry = 7,
}

fn register_insn(opcode: u32, reg: u8, op: RegOp, data: u8) -> Result<Insn, ScriptError> {
    if reg > 0x7f {
        return Err(ScriptError::BadRegister(reg));
    }
    Ok([
        opcode | (u32::from(op as u8) << 24) | (u32::from(reg) << 16) | (u32::from(data) << 8),
        0,
    ])
}

/// `MOVE reg op data TO reg`: read-modify-write of a chip register (bits
/// 31:27 = 01111).
pub fn register_update(reg: u8, op: RegOp, data: u8) -> Result<Insn, ScriptError> {
    register_insn(0x7800_0000, reg, op, data)
}

/// `MOVE reg op data TO SFBR` (bits 31:27 = 01110): loads the first byte
/// register, which data comparisons test.
pub fn register_to_sfbr(reg: u8, op: RegOp, data: u8) -> Result<Insn, ScriptError> {
    register_insn(0x7000_0000, reg, op, data)
}

/// When a transfer control instruction acts (bits 19:16, 26:24, 15:0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition(u32);

impl Condition {
    /// Jump if true (bit 19) with nothing compared: always.
    pub const ALWAYS: Condition = Condition(1 << 19);

    /// `WHEN phase`: waits for the target's request (bit 16), then compares
    /// the phase (bit 17).
    pub const fn when(phase: Phase) -> Condition {
        Condition((1 << 19) | (1 << 17) | (1 << 16) | ((phase as u32) << 24))
    }

    /// `IF phase`: compares the phase last latched, without waiting.
    pub const fn if_phase(phase: Phase) -> Condition {
        Condition((1 << 19) | (1 << 17) | ((phase as u32) << 24))
    }

    /// `IF value`: compares SFBR with `value` (bit 18).
    pub const fn if_data(value: u8) -> Condition {
        Condition::if_data_masked(value, 0xff)
    }

    /// `IF value AND MASK`: compares only the bits of SFBR set in `care`
    /// (the instruction's mask field holds the bits *not* compared).
    pub const fn if_data_masked(value: u8, care: u8) -> Condition {
        Condition((1 << 19) | (1 << 18) | (((!care) as u32) << 8) | value as u32)
    }

    /// The opposite condition (`IF NOT ...`): clears jump-if-true.
    pub const fn not(self) -> Condition {
        Condition(self.0 ^ (1 << 19))
    }
}

/// `JUMP addr, condition` (transfer control, bits 31:30 = 10, opcode 000).
pub fn jump(addr: u32, cond: Condition) -> Insn {
    [0x8000_0000 | cond.0, addr]
}

/// `INT vector, condition` (opcode 011): stops SCRIPTS and raises
/// DSTAT.SIR with the vector in DSPS.
pub fn int(vector: u32, cond: Condition) -> Insn {
    [0x9800_0000 | cond.0, vector]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected words are the data manual's encodings, as the C driver
    // sym53c8xx writes them (drivers/scsi/sym53c8xx_2/sym_defs.h).

    #[test]
    fn block_moves() {
        assert_eq!(
            block_move(Phase::MsgOut, 1, 0x1000),
            Ok([0x0e00_0001, 0x1000])
        );
        assert_eq!(
            block_move(Phase::DataIn, 512, 0x2000),
            Ok([0x0900_0200, 0x2000])
        );
        assert_eq!(block_move(Phase::Command, 6, 0), Ok([0x0a00_0006, 0]));
        assert_eq!(block_move(Phase::Status, 1, 4), Ok([0x0b00_0001, 4]));
        assert_eq!(
            block_move(Phase::DataOut, 0, 0),
            Err(ScriptError::BadCount(0))
        );
        assert_eq!(
            block_move(Phase::DataOut, 1 << 24, 0),
            Err(ScriptError::BadCount(1 << 24))
        );
        assert_eq!(
            block_move_parts(block_move(Phase::DataIn, MAX_MOVE, 8).unwrap()),
            (MAX_MOVE, 8)
        );
    }

    #[test]
    fn io_instructions() {
        assert_eq!(select_atn(3, 0x40), Ok([0x4103_0000, 0x40]));
        assert_eq!(select_atn(8, 0), Err(ScriptError::BadId(8)));
        assert_eq!(wait_disconnect(), [0x4800_0000, 0]);
        assert_eq!(wait_reselect(0x80), [0x5000_0000, 0x80]);
        assert_eq!(clear(Signals::ACK), [0x6000_0040, 0]);
        assert_eq!(set(Signals::ATN), [0x5800_0008, 0]);
    }

    #[test]
    fn register_instructions() {
        // MOVE SCNTL2 & 0x7f TO SCNTL2
        assert_eq!(
            register_update(0x02, RegOp::And, 0x7f),
            Ok([0x7c02_7f00, 0])
        );
        // MOVE 1 TO SCRATCHA0
        assert_eq!(register_update(0x34, RegOp::Load, 1), Ok([0x7834_0100, 0]));
        // MOVE SCRATCHA0 | 0 TO SFBR
        assert_eq!(register_to_sfbr(0x34, RegOp::Or, 0), Ok([0x7234_0000, 0]));
        assert_eq!(
            register_update(0x80, RegOp::Load, 0),
            Err(ScriptError::BadRegister(0x80))
        );
    }

    #[test]
    fn transfer_control() {
        assert_eq!(jump(0x100, Condition::ALWAYS), [0x8008_0000, 0x100]);
        assert_eq!(int(0x810, Condition::ALWAYS), [0x9808_0000, 0x810]);
        assert_eq!(
            jump(0x100, Condition::when(Phase::DataIn)),
            [0x810b_0000, 0x100]
        );
        assert_eq!(
            jump(0x100, Condition::if_phase(Phase::MsgIn)),
            [0x870a_0000, 0x100]
        );
        assert_eq!(jump(0x100, Condition::if_data(0x04)), [0x800c_0004, 0x100]);
        assert_eq!(
            int(7, Condition::if_data_masked(0x80, 0x87).not()),
            [0x9804_7880, 7]
        );
    }
}
