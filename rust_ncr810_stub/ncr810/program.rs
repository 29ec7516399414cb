// SPDX-License-Identifier: GPL-2.0

//! The SCRIPTS program that runs one SCSI command, and what an interrupt
//! during it means.
//!
//! Each command the driver queues (up to 16, tagged where the device takes
//! tags) gets a program of its own in its slot of the chip's DMA buffer,
//! written before the chip starts it: select with ATN, IDENTIFY (and SIMPLE
//! QUEUE TAG with the slot's tag), the CDB, then a phase loop that
//! moves data (one block move per scatter-gather segment), takes the status
//! byte, and handles the messages a target sends: COMMAND COMPLETE, SAVE
//! DATA POINTER, and DISCONNECT. A target that reselects is met by the one
//! [`ReselectProgram`], which reads its IDENTIFY and tag; the driver then
//! resumes that command's program. The program ends with `INT`
//! [`vector::DONE`]. A target that wants more data out than the
//! command has (a write whose CDB asks for more than its buffer holds, or
//! data out for a command that has none) gets ABORT (ABORT TAG for a
//! tagged command) and lets go of the bus: the program ends with `INT`
//! [`vector::ABORTED`], the command alone fails, and no reset touches the
//! other targets.
//! Everything it does not handle ends in another `INT` the driver decodes
//! with [`Program::on_interrupt`].
//!
//! The buffer's layout (byte offsets; [`BUFFER_BYTES`] in all):
//!
//! | offset | contents |
//! |---|---|
//! | [`MSG_OUT`] | the IDENTIFY message, and SIMPLE QUEUE TAG with the tag |
//! | [`STATUS`] | the status byte the target sends |
//! | [`MSG_IN`] | the last message byte received |
//! | [`ABORT_MSG`] | ABORT (ABORT TAG for a tagged command), for a data-out phase the command cannot feed |
//! | [`FILLER`] | a zero byte sent while a target keeps asking for data out before it takes the ABORT |
//! | [`CDB`] | the command descriptor block |
//! | [`PROGRAM`] | the program |
//! | [`SENSE`] | sense data, for the driver's REQUEST SENSE |
//! | [`OVERRUN_BUCKET`] | where data in the command has no room for goes |

use crate::chip::{
    DmaStatus,
    ScsiStatus, //
};
use crate::scripts::{
    self,
    Condition,
    Insn,
    Phase,
    RegOp,
    ScriptError,
    Signals, //
};

/// Offset of the message out: IDENTIFY, then, for a tagged command,
/// SIMPLE QUEUE TAG and the tag.
pub const MSG_OUT: usize = 0x00;
/// Offset of the status byte.
pub const STATUS: usize = 0x04;
/// Offset of the last message-in byte.
pub const MSG_IN: usize = 0x08;
/// Offset of the ABORT message byte (ABORT TAG for a tagged command).
pub const ABORT_MSG: usize = 0x0c;
/// Offset of the zero filler byte.
pub const FILLER: usize = 0x0d;
/// Offset of the command descriptor block.
pub const CDB: usize = 0x10;
/// The longest CDB (16 bytes: READ(16)).
pub const MAX_CDB: usize = 16;
/// Offset of the program.
pub const PROGRAM: usize = 0x20;
/// The most scatter-gather segments one command may have: 1 MiB in pages.
/// QEMU's model (7.2.x, with its fix for runaway scripts) pauses SCRIPTS
/// after 100 instructions in one run and resumes them from a timer; if the
/// target completes a transfer in between, the model takes the paused
/// move for a short one and raises a phase mismatch that did not happen.
/// A run moves at most one of QEMU's 128 KiB transfer chunks (the model
/// asks its disk for the next chunk only once the last is moved), and the
/// driver declares a virtual boundary of a page, so every segment but a
/// command's first and last is a whole page: a run has at most 34 moves,
/// and with the instructions around them stays under 100. (Before the
/// boundary, 64 segments of any size kept a whole command under it. The
/// kernel's sym53c8xx allows 96.)
pub const MAX_SEGMENTS: usize = 256;
/// Instructions of the program besides the data moves.
const FIXED_INSNS: usize = 49;
/// Offset of the sense data area (for the REQUEST SENSE the driver sends
/// after a CHECK CONDITION).
pub const SENSE: usize = PROGRAM + (FIXED_INSNS + MAX_SEGMENTS) * 8;
/// Bytes of the sense data area (the midlayer's SCSI_SENSE_BUFFERSIZE).
pub const SENSE_BYTES: usize = 96;
/// Offset of the overrun bucket: data in that a command has no room for
/// is drained into it, a block at a time, so that the target reaches its
/// status and the bus stays in a known state.
pub const OVERRUN_BUCKET: usize = SENSE + SENSE_BYTES;
/// Bytes of the overrun bucket: one move drains this much (QEMU hands
/// data over in chunks of up to 128 KiB; fewer, larger moves keep a long
/// overrun from spinning the script).
pub const OVERRUN_BUCKET_BYTES: usize = 512;
/// Bytes of the buffer the program and its data need.
pub const BUFFER_BYTES: usize = OVERRUN_BUCKET + OVERRUN_BUCKET_BYTES;
/// The parts of the buffer the chip writes while a command program runs
/// (the status and message bytes, the sense data); the rest it only
/// reads, or (the overrun bucket) nobody reads.
pub const CHIP_WRITES: [core::ops::Range<usize>; 2] = [0..PROGRAM, SENSE..SENSE + SENSE_BYTES];
// One page of coherent memory holds it.
const _: () = assert!(BUFFER_BYTES <= 4096);

/// What the program keeps in its data state register (SCRATCHA0, see
/// [`ScriptRegisters`]): 0 while data moves remain, [`DATA_DONE`] once they
/// are all done, [`OVERRAN`] once the target sent data beyond them.
/// Every data move is done.
pub const DATA_DONE: u8 = 1;
/// Every data move is done and the target sent more.
pub const OVERRAN: u8 = 2;

/// The chip registers the program itself reads and writes, as the driver's
/// register map places them (the chip's SCRIPTS address registers by
/// offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptRegisters {
    /// Offset of SCRATCHA0, the program's data state.
    pub data_state: u8,
    /// Offset of SCNTL2, whose SDU bit the program clears before a
    /// disconnect it expects.
    pub scntl2: u8,
    /// SCNTL2's SDU bit.
    pub scntl2_sdu: u8,
}

/// The vectors of the program's `INT`s (DSPS).
pub mod vector {
    /// The command completed: the status byte is valid.
    pub const DONE: u32 = 0x1000;
    /// The target went to a phase the command does not have.
    pub const UNEXPECTED_PHASE: u32 = 0x1001;
    /// The target sent a message the program does not handle.
    pub const UNEXPECTED_MESSAGE: u32 = 0x1002;
    /// The reselecting target's IDENTIFY did not name the command's LUN.
    pub const BAD_RESELECT: u32 = 0x1003;
    /// The chip was selected, or reselected while selecting.
    pub const SELECTED: u32 = 0x1004;
    /// The target asked for data out the command does not have; it took
    /// the ABORT message and disconnected.
    pub const ABORTED: u32 = 0x1005;
    /// The driver set ISTAT.SIGP while the reselection program waited for
    /// a target to reselect: the bus is free.
    pub const SIGNALLED: u32 = 0x1006;
    /// A task management program sent its message and the target let go
    /// of the bus.
    pub const TASK_DONE: u32 = 0x1007;
    /// The command disconnected (SAVE DATA POINTER was taken): its target
    /// reselects when it is ready to go on.
    pub const DISCONNECTED: u32 = 0x1008;
    /// A target reselected: the reselection program has read its IDENTIFY
    /// (and queue tag message, if any).
    pub const RESELECTED: u32 = 0x1009;
    /// The target answered the command's message out with MESSAGE REJECT.
    pub const REJECTED: u32 = 0x100a;
    /// A target reselected for a tagged command: IDENTIFY, then SIMPLE
    /// QUEUE TAG and the tag.
    pub const RESELECTED_TAGGED: u32 = 0x100b;
}

/// SCSI messages the program knows.
mod msg {
    pub(super) const COMMAND_COMPLETE: u8 = 0x00;
    pub(super) const SAVE_DATA_POINTER: u8 = 0x02;
    pub(super) const DISCONNECT: u8 = 0x04;
    /// ABORT: the target ends the I/O process of this initiator on the
    /// logical unit, without touching other initiators' or targets'.
    pub(super) const ABORT: u8 = 0x06;
    /// MESSAGE REJECT.
    pub(super) const MESSAGE_REJECT: u8 = 0x07;
    /// ABORT TAG: the target ends the tagged I/O process named before.
    pub(super) const ABORT_TAG: u8 = 0x0d;
    /// SIMPLE QUEUE TAG, followed by the tag.
    pub(super) const SIMPLE_QUEUE_TAG: u8 = 0x20;
    /// BUS DEVICE RESET: the target clears every I/O process of every
    /// initiator on all its logical units.
    pub(super) const BUS_DEVICE_RESET: u8 = 0x0c;
    /// IDENTIFY, without the disconnect privilege.
    pub(super) const IDENTIFY: u8 = 0x80;
    /// IDENTIFY, with the disconnect privilege granted.
    pub(super) const IDENTIFY_DISC: u8 = 0xc0;
}

/// Which way a command's data goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// No data phase.
    None,
    /// To the device (a write).
    ToDevice,
    /// From the device (a read).
    FromDevice,
}

/// One scatter-gather segment, as mapped for the chip (laid out as the
/// driver's C side fills it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Segment {
    /// Bus address.
    pub addr: u32,
    /// Length in bytes.
    pub len: u32,
}

/// A SCSI command, as the program needs it.
#[derive(Clone, Copy, Debug)]
pub struct Command<'a> {
    /// Target ID (0..=7, not the chip's own).
    pub target: u8,
    /// Logical unit (0..=7).
    pub lun: u8,
    /// The CDB (1..=16 bytes).
    pub cdb: &'a [u8],
    /// Data direction.
    pub direction: Direction,
    /// The data, mapped (empty if `direction` is [`Direction::None`]).
    pub segments: &'a [Segment],
    /// The queue tag, for a tagged command (SIMPLE QUEUE TAG after the
    /// IDENTIFY).
    pub tag: Option<u8>,
    /// Where the chip goes if a target reselects it while it selects
    /// (the reselection program, [`ReselectProgram::reselected`]).
    pub on_reselect: u32,
}

/// Why a command cannot be run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The buffer is smaller than [`BUFFER_BYTES`].
    BufferTooSmall,
    /// The CDB is empty or longer than [`MAX_CDB`].
    BadCdb(usize),
    /// More segments than [`MAX_SEGMENTS`].
    TooManySegments(usize),
    /// A data direction with no data, or data with no direction.
    DirectionMismatch,
    /// The LUN does not fit IDENTIFY's three bits.
    BadLun(u8),
    /// An instruction could not be encoded.
    Script(ScriptError),
}

impl From<ScriptError> for BuildError {
    fn from(e: ScriptError) -> Self {
        BuildError::Script(e)
    }
}

/// What the chip's registers showed when it interrupted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interrupt {
    /// DSTAT (nothing unless ISTAT.DIP was set).
    pub dma: DmaStatus,
    /// SIST0 and SIST1 (nothing unless ISTAT.SIP was set).
    pub scsi: ScsiStatus,
    /// DSPS: an `INT`'s vector (0 unless ISTAT.DIP was set).
    pub dsps: u32,
    /// DSP: the bus address of the instruction after the one that stopped
    /// (0 unless ISTAT.SIP was set).
    pub dsp: u32,
    /// DBC: what a block move that stopped had left to move (24 bits; 0
    /// unless ISTAT.SIP was set).
    pub dbc: u32,
    /// The program's data state register ([`ScriptRegisters::data_state`];
    /// 0 unless ISTAT.DIP was set).
    pub data_done: u8,
}

/// Why a command failed without a status from the target; the driver
/// turns these into the midlayer's host bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Selection timed out: no device at this ID (`DID_NO_CONNECT`).
    NoConnect,
    /// The bus was reset under the command (`DID_RESET`).
    BusReset,
    /// A parity error (`DID_PARITY`).
    Parity,
    /// The target sent more data in than the command has room for
    /// (`DID_ERROR`, as the kernel's sym53c8xx reports it).
    Overrun,
    /// The target wanted data out the command does not have and was sent
    /// ABORT (`DID_ERROR`, what sym53c8xx reports for the same command).
    Aborted,
    /// Anything else: a protocol or chip error (`DID_ERROR`).
    Error,
}

/// What the driver does after an interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The command completed with this status byte; `residual` bytes of
    /// its data were not moved.
    Done {
        /// The SCSI status byte.
        status: u8,
        /// Bytes not transferred.
        residual: u32,
    },
    /// Start SCRIPTS again at this bus address.
    Resume(u32),
    /// The command disconnected; the bus is free. When its target
    /// reselects, the program goes on at [`Program::resume`].
    Disconnected,
    /// The target rejected the message out (the queue tag): the command
    /// goes on untagged from [`Program::after_reject`].
    Rejected,
    /// The command failed. `reset` says the chip and bus must be reset
    /// before the next command (the target may still be connected).
    Failed {
        /// Why.
        why: Failure,
        /// Whether the bus state is unknown.
        reset: bool,
    },
}

/// A program written into a buffer, and where its parts are.
#[derive(Clone, Copy, Debug)]
pub struct Program {
    /// Bus address of the buffer.
    base: u32,
    /// Instruction index of the phase loop.
    dispatch: usize,
    /// Instruction index of the data gate's jump into the data moves.
    data_jump: usize,
    /// Instruction index of the first data move.
    data_start: usize,
    /// Instruction index of the overrun bucket's move.
    bucket: usize,
    /// Number of data moves.
    moves: usize,
    /// The first data move not yet finished (after a phase mismatch).
    next_move: usize,
    /// Bytes of data in all.
    total: u32,
}

/// Instruction index of the command program's phase loop.
const DISPATCH: usize = 3;
/// Instruction index of the command program's `CLEAR ACK`, then the loop.
const ACK: usize = 21;
/// Instruction index of the command program's first data move.
const DATA: usize = 47;

fn put_insn(buf: &mut [u8], index: usize, insn: Insn) {
    let at = PROGRAM + index * 8;
    if let Some(dst) = buf.get_mut(at..at + 8) {
        dst[..4].copy_from_slice(&insn[0].to_le_bytes());
        dst[4..].copy_from_slice(&insn[1].to_le_bytes());
    }
}

fn get_insn(buf: &[u8], index: usize) -> Insn {
    let at = PROGRAM + index * 8;
    let word = |o: usize| {
        buf.get(at + o..at + o + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    [word(0), word(4)]
}

impl Program {
    /// Writes the program for `cmd` into `buf`, a DMA buffer at bus
    /// address `base` the chip is not running from.
    pub fn build(
        buf: &mut [u8],
        base: u32,
        regs: &ScriptRegisters,
        cmd: &Command<'_>,
    ) -> Result<Program, BuildError> {
        if buf.len() < BUFFER_BYTES {
            return Err(BuildError::BufferTooSmall);
        }
        if cmd.cdb.is_empty() || cmd.cdb.len() > MAX_CDB {
            return Err(BuildError::BadCdb(cmd.cdb.len()));
        }
        if cmd.segments.len() > MAX_SEGMENTS {
            return Err(BuildError::TooManySegments(cmd.segments.len()));
        }
        if (cmd.direction == Direction::None) != cmd.segments.is_empty() {
            return Err(BuildError::DirectionMismatch);
        }
        if cmd.lun > 7 {
            return Err(BuildError::BadLun(cmd.lun));
        }
        let data_phase = match cmd.direction {
            Direction::FromDevice => Phase::DataIn,
            _ => Phase::DataOut,
        };
        let at = |index: usize| base.wrapping_add((PROGRAM + index * 8) as u32);
        let field = |offset: usize| base.wrapping_add(offset as u32);

        buf[MSG_OUT] = msg::IDENTIFY_DISC | cmd.lun;
        let msg_out_len = match cmd.tag {
            Some(tag) => {
                buf[MSG_OUT + 1] = msg::SIMPLE_QUEUE_TAG;
                buf[MSG_OUT + 2] = tag;
                3
            }
            None => 1,
        };
        buf[STATUS] = 0xff;
        buf[MSG_IN] = 0xff;
        // A tagged command is aborted alone; ABORT would end every command
        // of this initiator on the logical unit.
        buf[ABORT_MSG] = if cmd.tag.is_some() {
            msg::ABORT_TAG
        } else {
            msg::ABORT
        };
        buf[FILLER] = 0;
        buf[CDB..CDB + cmd.cdb.len()].copy_from_slice(cmd.cdb);

        // Instruction indices, fixed so that jumps can name them.
        const SELECT: usize = 0;
        const DATA_GATE: usize = 10;
        const DATA_JUMP: usize = 12;
        const STATUS_IN: usize = 13;
        const MESSAGE_IN: usize = 15;
        const DISCONNECT: usize = 23;
        const COMPLETE: usize = 27;
        const REJECTED: usize = 31;
        const BUCKET: usize = 32;
        const ABORT: usize = 36;
        const ABORT_LOOP: usize = 37;
        const ABORT_SEND: usize = 40;
        const ABORT_FILL: usize = 45;

        let mut p = [[0u32; 2]; DATA];
        p[SELECT] = scripts::select_atn(cmd.target, cmd.on_reselect)?;
        p[1] = scripts::block_move(Phase::MsgOut, msg_out_len, field(MSG_OUT))?;
        p[2] = scripts::block_move(Phase::Command, cmd.cdb.len() as u32, field(CDB))?;
        // The phase loop.
        p[DISPATCH] = scripts::jump(at(STATUS_IN), Condition::when(Phase::Status));
        p[4] = scripts::jump(at(MESSAGE_IN), Condition::if_phase(Phase::MsgIn));
        p[5] = if cmd.segments.is_empty() {
            scripts::jump(at(BUCKET), Condition::if_phase(Phase::DataIn))
        } else {
            scripts::jump(at(DATA_GATE), Condition::if_phase(data_phase))
        };
        p[6] = scripts::jump(at(BUCKET), Condition::if_phase(Phase::DataIn));
        // Data out the command has none of (no data, or data in).
        p[7] = scripts::jump(at(ABORT), Condition::if_phase(Phase::DataOut));
        // The CDB again: after a rejected tag message the target asks for
        // it (the move above was never made).
        p[8] = scripts::jump(at(2), Condition::if_phase(Phase::Command));
        p[9] = scripts::int(vector::UNEXPECTED_PHASE, Condition::ALWAYS);
        // The data gate: once every move is done, more data in goes to the
        // bucket; more data out is not there to send: the command is
        // aborted (filler would end on the medium).
        p[DATA_GATE] = scripts::register_to_sfbr(regs.data_state, RegOp::Or, 0)?;
        p[11] = if data_phase == Phase::DataIn {
            scripts::jump(at(BUCKET), Condition::if_data(0).not())
        } else {
            scripts::jump(at(ABORT), Condition::if_data(0).not())
        };
        p[DATA_JUMP] = scripts::jump(at(DATA), Condition::ALWAYS);
        p[STATUS_IN] = scripts::block_move(Phase::Status, 1, field(STATUS))?;
        p[14] = scripts::jump(at(DISPATCH), Condition::ALWAYS);
        // Messages.
        p[MESSAGE_IN] = scripts::block_move(Phase::MsgIn, 1, field(MSG_IN))?;
        p[16] = scripts::jump(at(COMPLETE), Condition::if_data(msg::COMMAND_COMPLETE));
        p[17] = scripts::jump(at(DISCONNECT), Condition::if_data(msg::DISCONNECT));
        p[18] = scripts::jump(at(ACK), Condition::if_data(msg::SAVE_DATA_POINTER));
        p[19] = scripts::jump(at(REJECTED), Condition::if_data(msg::MESSAGE_REJECT));
        p[20] = scripts::int(vector::UNEXPECTED_MESSAGE, Condition::ALWAYS);
        p[ACK] = scripts::clear(Signals::ACK);
        p[22] = scripts::jump(at(DISPATCH), Condition::ALWAYS);
        // DISCONNECT: let the target go; the driver runs other commands,
        // and the reselection program brings this one back.
        p[DISCONNECT] = scripts::register_update(regs.scntl2, RegOp::And, !regs.scntl2_sdu)?;
        p[24] = scripts::clear(Signals::ACK);
        p[25] = scripts::wait_disconnect();
        p[26] = scripts::int(vector::DISCONNECTED, Condition::ALWAYS);
        // COMMAND COMPLETE: the target disconnects, the command is done.
        p[COMPLETE] = scripts::register_update(regs.scntl2, RegOp::And, !regs.scntl2_sdu)?;
        p[28] = scripts::clear(Signals::ACK);
        p[29] = scripts::wait_disconnect();
        p[30] = scripts::int(vector::DONE, Condition::ALWAYS);
        p[REJECTED] = scripts::int(vector::REJECTED, Condition::ALWAYS);
        // The bucket: a data-in phase the command has no room for. Data
        // that arrives is drained and marks the command overran, and the
        // target goes on to its status; a target that is only slow to
        // finish (QEMU shows data in while a command without data runs)
        // changes phase, and the phase mismatch goes back to the loop.
        p[BUCKET] = scripts::block_move(
            Phase::DataIn,
            OVERRUN_BUCKET_BYTES as u32,
            field(OVERRUN_BUCKET),
        )?;
        p[33] = scripts::register_update(regs.data_state, RegOp::Load, OVERRAN)?;
        p[34] = scripts::jump(at(BUCKET), Condition::when(Phase::DataIn));
        p[35] = scripts::jump(at(DISPATCH), Condition::ALWAYS);
        // ABORT: a data-out phase the command cannot feed. ATN asks the
        // target for a message-out phase; until it goes there it gets zero
        // bytes one at a time (a target need not honour ATN at once; QEMU's
        // model does). It takes ABORT (ABORT TAG for a tagged command),
        // forgets the command and lets go of the bus; nothing else on the
        // bus is disturbed.
        p[ABORT] = scripts::set(Signals::ATN);
        p[ABORT_LOOP] = scripts::jump(at(ABORT_SEND), Condition::when(Phase::MsgOut));
        p[38] = scripts::jump(at(ABORT_FILL), Condition::if_phase(Phase::DataOut));
        p[39] = scripts::int(vector::UNEXPECTED_PHASE, Condition::ALWAYS);
        p[ABORT_SEND] = scripts::register_update(regs.scntl2, RegOp::And, !regs.scntl2_sdu)?;
        p[41] = scripts::block_move(Phase::MsgOut, 1, field(ABORT_MSG))?;
        p[42] = scripts::clear(Signals::ATN);
        p[43] = scripts::wait_disconnect();
        p[44] = scripts::int(vector::ABORTED, Condition::ALWAYS);
        p[ABORT_FILL] = scripts::block_move(Phase::DataOut, 1, field(FILLER))?;
        p[46] = scripts::jump(at(ABORT_LOOP), Condition::ALWAYS);
        for (i, insn) in p.iter().enumerate() {
            put_insn(buf, i, *insn);
        }

        let mut total = 0u32;
        for (i, seg) in cmd.segments.iter().enumerate() {
            put_insn(
                buf,
                DATA + i,
                scripts::block_move(data_phase, seg.len, seg.addr)?,
            );
            total = total.saturating_add(seg.len);
        }
        let tail = DATA + cmd.segments.len();
        put_insn(
            buf,
            tail,
            scripts::register_update(regs.data_state, RegOp::Load, DATA_DONE)?,
        );
        put_insn(
            buf,
            tail + 1,
            scripts::jump(at(DISPATCH), Condition::ALWAYS),
        );
        Ok(Program {
            base,
            dispatch: DISPATCH,
            data_jump: DATA_JUMP,
            data_start: DATA,
            bucket: BUCKET,
            moves: cmd.segments.len(),
            next_move: 0,
            total,
        })
    }

    /// Bytes from the start of the buffer through the program's last
    /// instruction: what the chip must be given (the sense area and the
    /// bucket it only writes).
    pub fn used_bytes(&self) -> usize {
        PROGRAM + (self.data_start + self.moves + 2) * 8
    }

    /// The bus address the chip starts the program at (DSP), once
    /// the data state register is cleared.
    pub fn entry(&self) -> u32 {
        self.at(0)
    }

    fn at(&self, index: usize) -> u32 {
        self.base.wrapping_add((PROGRAM + index * 8) as u32)
    }

    /// Where the program goes on after its target reselected it (the
    /// reselection program has taken the IDENTIFY and tag): the phase loop.
    pub fn resume(&self) -> u32 {
        self.at(DISPATCH)
    }

    /// Where the program goes on after a MESSAGE REJECT ([`Step::Rejected`]).
    pub fn after_reject(&self) -> u32 {
        self.at(ACK)
    }

    /// Bytes of data the command has.
    pub fn total(&self) -> u32 {
        self.total
    }

    /// Bytes not moved: everything from the first unfinished move on.
    fn residual(&self, buf: &[u8], data_done: u8) -> u32 {
        if data_done != 0 {
            return 0;
        }
        (self.next_move..self.moves)
            .map(|i| scripts::block_move_parts(get_insn(buf, self.data_start + i)).0)
            .fold(0u32, u32::saturating_add)
    }

    /// Decodes an interrupt that stopped the program and says what to do.
    /// A phase mismatch inside the data moves rewrites the move that was
    /// cut short to its remainder, so that a later data phase (after a
    /// disconnect and reselection) goes on where the data stopped.
    pub fn on_interrupt(&mut self, buf: &mut [u8], irq: &Interrupt) -> Step {
        if irq.scsi.bus_reset {
            // The chip may be left mid-phase (QEMU's model keeps its
            // message state across a bus reset): reset it too.
            return Step::Failed {
                why: Failure::BusReset,
                reset: true,
            };
        }
        if irq.scsi.selection_timeout {
            return Step::Failed {
                why: Failure::NoConnect,
                reset: false,
            };
        }
        if irq.scsi.parity {
            return Step::Failed {
                why: Failure::Parity,
                reset: true,
            };
        }
        if irq.scsi.unexpected_disconnect || irq.scsi.gross_error || irq.dma.error {
            return Step::Failed {
                why: Failure::Error,
                reset: true,
            };
        }
        if irq.scsi.phase_mismatch {
            return self.phase_mismatch(buf, irq);
        }
        if irq.dma.script_int {
            return match irq.dsps {
                // Data the command had no room for was drained: the bus is
                // in order, the command is not (as sym53c8xx: DID_ERROR).
                vector::DONE if irq.data_done == OVERRAN => Step::Failed {
                    why: Failure::Overrun,
                    reset: false,
                },
                vector::DONE => Step::Done {
                    status: buf[STATUS],
                    residual: self.residual(buf, irq.data_done),
                },
                // The target took ABORT and let go of the bus: the command
                // failed, the bus is in order.
                vector::ABORTED => Step::Failed {
                    why: Failure::Aborted,
                    reset: false,
                },
                vector::DISCONNECTED => Step::Disconnected,
                vector::REJECTED => Step::Rejected,
                _ => Step::Failed {
                    why: Failure::Error,
                    reset: true,
                },
            };
        }
        // An interrupt with nothing the program asks for.
        Step::Failed {
            why: Failure::Error,
            reset: true,
        }
    }

    fn phase_mismatch(&mut self, buf: &mut [u8], irq: &Interrupt) -> Step {
        // DSP has moved past the instruction that stopped.
        let stopped = irq.dsp.wrapping_sub(self.at(0)) / 8;
        let Some(stopped) = (stopped as usize).checked_sub(1) else {
            return Step::Failed {
                why: Failure::Error,
                reset: true,
            };
        };
        if stopped == self.bucket && irq.dbc & scripts::MAX_MOVE < OVERRUN_BUCKET_BYTES as u32 {
            // The bucket took data before the target changed phase: on to
            // the instruction that marks the command overran.
            return Step::Resume(self.at(self.bucket + 1));
        }
        if stopped >= self.data_start && stopped < self.data_start + self.moves {
            let index = stopped - self.data_start;
            let (len, addr) = scripts::block_move_parts(get_insn(buf, stopped));
            let left = irq.dbc & scripts::MAX_MOVE;
            if left > len {
                return Step::Failed {
                    why: Failure::Error,
                    reset: true,
                };
            }
            self.next_move = index;
            if left == 0 {
                self.next_move = index + 1;
            } else if let Ok(insn) = scripts::block_move(
                if get_insn(buf, stopped)[0] & (1 << 24) != 0 {
                    Phase::DataIn
                } else {
                    Phase::DataOut
                },
                left,
                addr.wrapping_add(len - left),
            ) {
                put_insn(buf, stopped, insn);
            }
            put_insn(
                buf,
                self.data_jump,
                scripts::jump(self.at(self.data_start + self.next_move), Condition::ALWAYS),
            );
        }
        // Whatever phase the target went to, the loop takes it from here.
        Step::Resume(self.at(self.dispatch))
    }
}

/// What a task management program tells a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskMessage {
    /// ABORT, or ABORT TAG for a tagged command: the target drops that
    /// one command of this initiator on the logical unit.
    Abort,
    /// BUS DEVICE RESET: the target drops every command on all its logical
    /// units; other targets are not touched.
    DeviceReset,
}

/// A task management program: selects a target, sends IDENTIFY and one
/// message ([`TaskMessage`]) and waits for the target to let go of the
/// bus. It runs while no command program is connected. For a tagged
/// command, ABORT is ABORT TAG, sent in a second message-out phase after
/// IDENTIFY and SIMPLE QUEUE TAG have named the command (QEMU's model
/// looks the tag up when a message-out phase starts).
#[derive(Clone, Copy, Debug)]
pub struct TaskProgram {
    base: u32,
}

impl TaskProgram {
    /// Writes the program into `buf`, a region of the DMA buffer at bus
    /// address `base` the chip is not running from. `on_reselect` is where
    /// the chip goes if a target reselects it while it selects.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        buf: &mut [u8],
        base: u32,
        regs: &ScriptRegisters,
        target: u8,
        lun: u8,
        tag: Option<u8>,
        message: TaskMessage,
        on_reselect: u32,
    ) -> Result<TaskProgram, BuildError> {
        if buf.len() < BUFFER_BYTES {
            return Err(BuildError::BufferTooSmall);
        }
        if lun > 7 {
            return Err(BuildError::BadLun(lun));
        }
        let field = |offset: usize| base.wrapping_add(offset as u32);
        buf[MSG_OUT] = msg::IDENTIFY | lun;
        let mut p = [[0u32; 2]; 9];
        p[0] = scripts::select_atn(target, on_reselect)?;
        // The target disconnects after the message: expected.
        p[1] = scripts::register_update(regs.scntl2, RegOp::And, !regs.scntl2_sdu)?;
        let mut n = 2;
        match (message, tag) {
            (TaskMessage::Abort, Some(tag)) => {
                buf[MSG_OUT + 1] = msg::SIMPLE_QUEUE_TAG;
                buf[MSG_OUT + 2] = tag;
                buf[MSG_OUT + 3] = msg::ABORT_TAG;
                p[n] = scripts::block_move(Phase::MsgOut, 3, field(MSG_OUT))?;
                p[n + 1] = scripts::set(Signals::ATN);
                p[n + 2] = scripts::block_move(Phase::MsgOut, 1, field(MSG_OUT + 3))?;
                n += 3;
            }
            _ => {
                buf[MSG_OUT + 1] = match message {
                    TaskMessage::Abort => msg::ABORT,
                    TaskMessage::DeviceReset => msg::BUS_DEVICE_RESET,
                };
                p[n] = scripts::block_move(Phase::MsgOut, 2, field(MSG_OUT))?;
                n += 1;
            }
        }
        p[n] = scripts::clear(Signals::ATN);
        p[n + 1] = scripts::wait_disconnect();
        p[n + 2] = scripts::int(vector::TASK_DONE, Condition::ALWAYS);
        for (i, insn) in p.iter().enumerate().take(n + 3) {
            put_insn(buf, i, *insn);
        }
        Ok(TaskProgram { base })
    }

    /// The bus address the chip starts the program at.
    pub fn entry(&self) -> u32 {
        self.base.wrapping_add(PROGRAM as u32)
    }

    /// Decodes an interrupt that stopped the program: [`Step::Done`] once
    /// the message is delivered, else [`Step::Failed`] (with `reset` when
    /// the bus state is unknown).
    pub fn on_interrupt(&self, irq: &Interrupt) -> Step {
        if irq.scsi.selection_timeout {
            return Step::Failed {
                why: Failure::NoConnect,
                reset: false,
            };
        }
        let clean = !irq.scsi.phase_mismatch
            && !irq.scsi.unexpected_disconnect
            && !irq.scsi.gross_error
            && !irq.scsi.bus_reset
            && !irq.scsi.parity
            && !irq.dma.error;
        if clean && irq.dma.script_int && irq.dsps == vector::TASK_DONE {
            return Step::Done {
                status: 0,
                residual: 0,
            };
        }
        Step::Failed {
            why: Failure::Error,
            reset: true,
        }
    }
}

/// Offset, in the reselection program's region, of the IDENTIFY a
/// reselecting target sends.
pub const RESELECT_IDENTIFY: usize = MSG_IN;
/// Offset of the SIMPLE QUEUE TAG message and its tag after it.
pub const RESELECT_TAG: usize = MSG_IN + 1;

/// What the reselection program stopped for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reselection {
    /// The driver set ISTAT.SIGP: the bus is free.
    Signalled,
    /// A target reselected; its command's program goes on (the target ID
    /// is in SSID).
    Reselected {
        /// The logical unit from the IDENTIFY.
        lun: u8,
        /// The queue tag, for a tagged command.
        tag: Option<u8>,
    },
    /// Something else: the bus state is unknown.
    Failed,
}

/// The reselection program, shared by every command: waits for a target
/// to reselect (or for ISTAT.SIGP), takes its IDENTIFY and, for a tagged
/// command, the SIMPLE QUEUE TAG message, and stops for the driver to
/// find the command and go on with its program ([`Program::resume`]).
#[derive(Clone, Copy, Debug)]
pub struct ReselectProgram {
    base: u32,
}

impl ReselectProgram {
    /// Writes the program into `buf`, a region of the DMA buffer at bus
    /// address `base`.
    pub fn build(buf: &mut [u8], base: u32) -> Result<ReselectProgram, BuildError> {
        if buf.len() < BUFFER_BYTES {
            return Err(BuildError::BufferTooSmall);
        }
        let at = |index: usize| base.wrapping_add((PROGRAM + index * 8) as u32);
        let field = |offset: usize| base.wrapping_add(offset as u32);
        let p = [
            scripts::wait_reselect(at(8)),
            scripts::block_move(Phase::MsgIn, 1, field(RESELECT_IDENTIFY))?,
            scripts::clear(Signals::ACK),
            scripts::jump(at(5), Condition::when(Phase::MsgIn)),
            scripts::int(vector::RESELECTED, Condition::ALWAYS),
            scripts::block_move(Phase::MsgIn, 2, field(RESELECT_TAG))?,
            scripts::clear(Signals::ACK),
            scripts::int(vector::RESELECTED_TAGGED, Condition::ALWAYS),
            scripts::int(vector::SIGNALLED, Condition::ALWAYS),
        ];
        for (i, insn) in p.iter().enumerate() {
            put_insn(buf, i, *insn);
        }
        Ok(ReselectProgram { base })
    }

    /// Where the chip waits for a reselection.
    pub fn entry(&self) -> u32 {
        self.base.wrapping_add(PROGRAM as u32)
    }

    /// Where the chip goes once reselected (a `SELECT`'s alternative: the
    /// chip was reselected before it could select).
    pub fn reselected(&self) -> u32 {
        self.base.wrapping_add((PROGRAM + 8) as u32)
    }

    /// Whether `irq` is the reselection program's report of a reselection
    /// (which a command or task program's `SELECT` may also lead to).
    pub fn is_reselection(irq: &Interrupt) -> bool {
        irq.dma.script_int
            && !irq.dma.error
            && (irq.dsps == vector::RESELECTED || irq.dsps == vector::RESELECTED_TAGGED)
    }

    /// Decodes an interrupt of the program; `buf` is its region.
    pub fn decode(buf: &[u8], irq: &Interrupt) -> Reselection {
        let clean = !irq.scsi.phase_mismatch
            && !irq.scsi.unexpected_disconnect
            && !irq.scsi.gross_error
            && !irq.scsi.bus_reset
            && !irq.scsi.parity
            && !irq.scsi.selection_timeout
            && !irq.dma.error;
        if !clean || !irq.dma.script_int {
            return Reselection::Failed;
        }
        if irq.dsps == vector::SIGNALLED {
            return Reselection::Signalled;
        }
        let byte = |o: usize| buf.get(o).copied().unwrap_or(0);
        let identify = byte(RESELECT_IDENTIFY);
        if identify & 0x80 == 0 {
            return Reselection::Failed;
        }
        let tag = match irq.dsps {
            vector::RESELECTED => None,
            vector::RESELECTED_TAGGED if byte(RESELECT_TAG) == msg::SIMPLE_QUEUE_TAG => {
                Some(byte(RESELECT_TAG + 1))
            }
            _ => return Reselection::Failed,
        };
        Reselection::Reselected {
            lun: identify & 7,
            tag,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: u32 = 0x1000_0000;
    /// Where a test program's SELECT goes when reselected.
    const RESELECT: u32 = 0x2000_0008 + PROGRAM as u32;
    /// The 53C810's SCRATCHA0 and SCNTL2 (the driver's map has them).
    const REGS: ScriptRegisters = ScriptRegisters {
        data_state: 0x34,
        scntl2: 0x02,
        scntl2_sdu: 0x80,
    };

    fn read(buf: &[u8], index: usize) -> Insn {
        get_insn(buf, index)
    }

    fn two_segment_read(buf: &mut [u8]) -> Program {
        let segs = [
            Segment {
                addr: 0x2000,
                len: 4096,
            },
            Segment {
                addr: 0x8000,
                len: 512,
            },
        ];
        Program::build(
            buf,
            BASE,
            &REGS,
            &Command {
                target: 2,
                lun: 1,
                cdb: &[0x28, 0, 0, 0, 0, 0, 0, 0, 9, 0],
                direction: Direction::FromDevice,
                segments: &segs,
                tag: None,
                on_reselect: RESELECT,
            },
        )
        .unwrap()
    }

    fn one_block_write(buf: &mut [u8]) -> Program {
        let segs = [Segment {
            addr: 0x2000,
            len: 512,
        }];
        Program::build(
            buf,
            BASE,
            &REGS,
            &Command {
                target: 1,
                lun: 0,
                cdb: &[0x2a, 0, 0, 0, 0, 0, 0, 0, 8, 0],
                direction: Direction::ToDevice,
                segments: &segs,
                tag: Some(5),
                on_reselect: RESELECT,
            },
        )
        .unwrap()
    }

    #[test]
    fn short_write_is_aborted_without_reset() {
        let mut buf = [0u8; BUFFER_BYTES];
        let mut p = one_block_write(&mut buf);
        // Tagged: IDENTIFY, SIMPLE QUEUE TAG 5; ABORT TAG ends it alone.
        assert_eq!(&buf[MSG_OUT..MSG_OUT + 3], &[0xc0, 0x20, 5]);
        assert_eq!(read(&buf, 1), [0x0e00_0003, BASE + MSG_OUT as u32]);
        assert_eq!(buf[ABORT_MSG], 0x0d);
        assert_eq!(buf[FILLER], 0);
        // Data out after the last move: the gate goes to the abort.
        assert_eq!(read(&buf, 11), [0x8004_0000, p.at(36)]);
        // Data out for a command without it (or with data in) too.
        assert_eq!(read(&buf, 7), [0x800a_0000, p.at(36)]);
        // SET ATN, then ABORT once the target is in message out.
        assert_eq!(read(&buf, 36), [0x5800_0008, 0]);
        assert_eq!(read(&buf, 37), [0x860b_0000, p.at(40)]);
        assert_eq!(read(&buf, 41), [0x0e00_0001, BASE + ABORT_MSG as u32]);
        assert_eq!(read(&buf, 44), [0x9808_0000, vector::ABORTED]);
        // Filler while the target stays in data out.
        assert_eq!(read(&buf, 45), [0x0800_0001, BASE + FILLER as u32]);
        let aborted = Interrupt {
            dma: DmaStatus {
                script_int: true,
                ..Default::default()
            },
            dsps: vector::ABORTED,
            data_done: DATA_DONE,
            ..Default::default()
        };
        assert_eq!(
            p.on_interrupt(&mut buf, &aborted),
            Step::Failed {
                why: Failure::Aborted,
                reset: false
            }
        );
    }

    #[test]
    fn disconnect_reselect_and_task_programs() {
        let mut buf = [0u8; BUFFER_BYTES];
        let mut p = two_segment_read(&mut buf);
        // DISCONNECT ends in an INT: the driver runs other commands.
        assert_eq!(read(&buf, 17), [0x800c_0004, p.at(23)]);
        assert_eq!(read(&buf, 26), [0x9808_0000, vector::DISCONNECTED]);
        let int = |v| Interrupt {
            dma: DmaStatus {
                script_int: true,
                ..Default::default()
            },
            dsps: v,
            ..Default::default()
        };
        assert_eq!(
            p.on_interrupt(&mut buf, &int(vector::DISCONNECTED)),
            Step::Disconnected
        );
        assert_eq!(p.resume(), p.at(3));
        assert_eq!(
            p.on_interrupt(&mut buf, &int(vector::REJECTED)),
            Step::Rejected
        );
        assert_eq!(p.after_reject(), p.at(21));
        // A rejected tag: the target asks for the CDB from the loop.
        assert_eq!(read(&buf, 8), [0x820a_0000, p.at(2)]);
        // SELECT's alternative is the reselection program.
        assert_eq!(read(&buf, 0), [0x4102_0000, RESELECT]);

        let mut rbuf = [0u8; BUFFER_BYTES];
        let r = ReselectProgram::build(&mut rbuf, 0x2000_0000).unwrap();
        assert_eq!(r.reselected(), RESELECT);
        assert_eq!(r.entry(), 0x2000_0000 + PROGRAM as u32);
        assert_eq!(read(&rbuf, 0), [0x5000_0000, r.entry() + 64]);
        assert_eq!(
            read(&rbuf, 5),
            [0x0f00_0002, 0x2000_0000 + RESELECT_TAG as u32]
        );
        rbuf[RESELECT_IDENTIFY] = 0x80;
        rbuf[RESELECT_TAG] = 0x20;
        rbuf[RESELECT_TAG + 1] = 9;
        assert!(ReselectProgram::is_reselection(&int(
            vector::RESELECTED_TAGGED
        )));
        assert_eq!(
            ReselectProgram::decode(&rbuf, &int(vector::RESELECTED_TAGGED)),
            Reselection::Reselected {
                lun: 0,
                tag: Some(9)
            }
        );
        assert_eq!(
            ReselectProgram::decode(&rbuf, &int(vector::RESELECTED)),
            Reselection::Reselected { lun: 0, tag: None }
        );
        assert_eq!(
            ReselectProgram::decode(&rbuf, &int(vector::SIGNALLED)),
            Reselection::Signalled
        );
        rbuf[RESELECT_IDENTIFY] = 0;
        assert_eq!(
            ReselectProgram::decode(&rbuf, &int(vector::RESELECTED)),
            Reselection::Failed
        );

        let mut buf = [0u8; BUFFER_BYTES];
        let t = TaskProgram::build(
            &mut buf,
            BASE,
            &REGS,
            3,
            1,
            None,
            TaskMessage::DeviceReset,
            RESELECT,
        )
        .unwrap();
        assert_eq!(t.entry(), BASE + PROGRAM as u32);
        assert_eq!(&buf[MSG_OUT..MSG_OUT + 2], &[0x81, 0x0c]);
        assert_eq!(read(&buf, 0), [0x4103_0000, RESELECT]);
        assert_eq!(read(&buf, 2), [0x0e00_0002, BASE + MSG_OUT as u32]);
        assert_eq!(read(&buf, 5), [0x9808_0000, vector::TASK_DONE]);
        TaskProgram::build(&mut buf, BASE, &REGS, 3, 0, None, TaskMessage::Abort, 0).unwrap();
        assert_eq!(&buf[MSG_OUT..MSG_OUT + 2], &[0x80, 0x06]);
        TaskProgram::build(&mut buf, BASE, &REGS, 3, 0, Some(7), TaskMessage::Abort, 0).unwrap();
        assert_eq!(&buf[MSG_OUT..MSG_OUT + 4], &[0x80, 0x20, 7, 0x0d]);
        assert_eq!(read(&buf, 2), [0x0e00_0003, BASE + MSG_OUT as u32]);
        assert_eq!(read(&buf, 3), [0x5800_0008, 0]);
        assert_eq!(read(&buf, 4), [0x0e00_0001, BASE + MSG_OUT as u32 + 3]);
        assert_eq!(read(&buf, 7), [0x9808_0000, vector::TASK_DONE]);
        let sig = int(0);
        let done = Interrupt {
            dsps: vector::TASK_DONE,
            ..sig
        };
        assert_eq!(
            t.on_interrupt(&done),
            Step::Done {
                status: 0,
                residual: 0
            }
        );
        let sto = Interrupt {
            scsi: ScsiStatus {
                selection_timeout: true,
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            t.on_interrupt(&sto),
            Step::Failed {
                why: Failure::NoConnect,
                reset: false
            }
        );
        let mismatch = Interrupt {
            scsi: ScsiStatus {
                phase_mismatch: true,
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(matches!(
            t.on_interrupt(&mismatch),
            Step::Failed { reset: true, .. }
        ));
    }

    #[test]
    fn program_shape() {
        let mut buf = [0u8; BUFFER_BYTES];
        let p = two_segment_read(&mut buf);
        assert_eq!(p.entry(), BASE + PROGRAM as u32);
        assert_eq!(p.total(), 4608);
        assert_eq!(buf[MSG_OUT], 0xc1);
        assert_eq!(buf[CDB], 0x28);
        assert_eq!(read(&buf, 0), [0x4102_0000, RESELECT]);
        assert_eq!(read(&buf, 1), [0x0e00_0001, BASE + MSG_OUT as u32]);
        assert_eq!(read(&buf, 2), [0x0a00_000a, BASE + CDB as u32]);
        assert_eq!(read(&buf, 47), [0x0900_1000, 0x2000]);
        assert_eq!(read(&buf, 48), [0x0900_0200, 0x8000]);
        assert_eq!(read(&buf, 49), [0x7834_0100, 0]);
        assert_eq!(read(&buf, 50), [0x8008_0000, p.at(3)]);
        assert_eq!(read(&buf, 30), [0x9808_0000, vector::DONE]);
        // The bucket: a 512-byte move, the overran mark, again while the
        // target stays in data in, else back to the loop.
        assert_eq!(read(&buf, 32), [0x0900_0200, BASE + OVERRUN_BUCKET as u32]);
        assert_eq!(read(&buf, 33), [0x7834_0200, 0]);
        assert_eq!(read(&buf, 34), [0x810b_0000, p.at(32)]);
        assert_eq!(read(&buf, 35), [0x8008_0000, p.at(3)]);
    }

    #[test]
    fn overrun_is_drained_and_fails_without_reset() {
        let mut buf = [0u8; BUFFER_BYTES];
        let done = Interrupt {
            dma: DmaStatus {
                script_int: true,
                ..Default::default()
            },
            dsps: vector::DONE,
            data_done: OVERRAN,
            ..Default::default()
        };
        let mut p = two_segment_read(&mut buf);
        assert_eq!(
            p.on_interrupt(&mut buf, &done),
            Step::Failed {
                why: Failure::Overrun,
                reset: false
            }
        );
        // The bucket's move took 10 bytes before the target went to status:
        // the program goes on at the instruction that marks it overran.
        let mut p = two_segment_read(&mut buf);
        let cut = Interrupt {
            scsi: ScsiStatus {
                phase_mismatch: true,
                ..Default::default()
            },
            dsp: p.at(33),
            dbc: OVERRUN_BUCKET_BYTES as u32 - 10,
            ..Default::default()
        };
        assert_eq!(p.on_interrupt(&mut buf, &cut), Step::Resume(p.at(33)));
        let done_moves = Interrupt {
            data_done: DATA_DONE,
            ..done
        };
        // A target only slow to finish: the bucket took nothing.
        let mut p = two_segment_read(&mut buf);
        let slow = Interrupt {
            dbc: OVERRUN_BUCKET_BYTES as u32,
            ..cut
        };
        assert_eq!(p.on_interrupt(&mut buf, &slow), Step::Resume(p.at(3)));
        buf[STATUS] = 0;
        assert_eq!(
            p.on_interrupt(&mut buf, &done_moves),
            Step::Done {
                status: 0,
                residual: 0
            }
        );
    }

    #[test]
    fn done_with_all_data() {
        let mut buf = [0u8; BUFFER_BYTES];
        let mut p = two_segment_read(&mut buf);
        buf[STATUS] = 0;
        let irq = Interrupt {
            dma: DmaStatus {
                script_int: true,
                fifo_empty: true,
                ..Default::default()
            },
            dsps: vector::DONE,
            data_done: 1,
            ..Default::default()
        };
        assert_eq!(
            p.on_interrupt(&mut buf, &irq),
            Step::Done {
                status: 0,
                residual: 0
            }
        );
    }

    #[test]
    fn short_read_then_status() {
        let mut buf = [0u8; BUFFER_BYTES];
        let mut p = two_segment_read(&mut buf);
        // The target sent 1000 bytes of the first move, then went to status.
        let irq = Interrupt {
            scsi: ScsiStatus {
                phase_mismatch: true,
                ..Default::default()
            },
            dsp: p.at(48),
            dbc: 4096 - 1000,
            ..Default::default()
        };
        assert_eq!(p.on_interrupt(&mut buf, &irq), Step::Resume(p.at(3)));
        assert_eq!(read(&buf, 47), [0x0900_0000 | 3096, 0x2000 + 1000]);
        assert_eq!(read(&buf, 12), [0x8008_0000, p.at(47)]);
        buf[STATUS] = 0;
        let done = Interrupt {
            dma: DmaStatus {
                script_int: true,
                ..Default::default()
            },
            dsps: vector::DONE,
            ..Default::default()
        };
        assert_eq!(
            p.on_interrupt(&mut buf, &done),
            Step::Done {
                status: 0,
                residual: 3096 + 512
            }
        );
    }

    #[test]
    fn mismatch_at_a_move_boundary() {
        let mut buf = [0u8; BUFFER_BYTES];
        let mut p = two_segment_read(&mut buf);
        // The second move found the target in status phase.
        let irq = Interrupt {
            scsi: ScsiStatus {
                phase_mismatch: true,
                ..Default::default()
            },
            dsp: p.at(49),
            dbc: 512,
            ..Default::default()
        };
        assert_eq!(p.on_interrupt(&mut buf, &irq), Step::Resume(p.at(3)));
        let done = Interrupt {
            dma: DmaStatus {
                script_int: true,
                ..Default::default()
            },
            dsps: vector::DONE,
            ..Default::default()
        };
        buf[STATUS] = 2;
        assert_eq!(
            p.on_interrupt(&mut buf, &done),
            Step::Done {
                status: 2,
                residual: 512
            }
        );
    }

    #[test]
    fn failures() {
        let mut buf = [0u8; BUFFER_BYTES];
        let mut p = two_segment_read(&mut buf);
        let sto = Interrupt {
            scsi: ScsiStatus {
                selection_timeout: true,
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            p.on_interrupt(&mut buf, &sto),
            Step::Failed {
                why: Failure::NoConnect,
                reset: false
            }
        );
        let rst = Interrupt {
            scsi: ScsiStatus {
                bus_reset: true,
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            p.on_interrupt(&mut buf, &rst),
            Step::Failed {
                why: Failure::BusReset,
                reset: true
            }
        );
        let bad = Interrupt {
            dma: DmaStatus {
                script_int: true,
                ..Default::default()
            },
            dsps: vector::UNEXPECTED_MESSAGE,
            ..Default::default()
        };
        assert_eq!(
            p.on_interrupt(&mut buf, &bad),
            Step::Failed {
                why: Failure::Error,
                reset: true
            }
        );
        let iid = Interrupt {
            dma: DmaStatus {
                error: true,
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(matches!(
            p.on_interrupt(&mut buf, &iid),
            Step::Failed { .. }
        ));
        // A mismatch whose DBC exceeds the move is a chip error.
        let wild = Interrupt {
            scsi: ScsiStatus {
                phase_mismatch: true,
                ..Default::default()
            },
            dsp: p.at(48),
            dbc: 5000,
            ..Default::default()
        };
        assert!(matches!(
            p.on_interrupt(&mut buf, &wild),
            Step::Failed { .. }
        ));
    }

    #[test]
    fn bad_commands() {
        let mut buf = [0u8; BUFFER_BYTES];
        let cmd = |cdb: &'static [u8], dir, segs: &'static [Segment]| Command {
            target: 0,
            lun: 0,
            cdb,
            direction: dir,
            segments: segs,
            tag: None,
            on_reselect: 0,
        };
        assert_eq!(
            Program::build(&mut buf, 0, &REGS, &cmd(&[], Direction::None, &[])).err(),
            Some(BuildError::BadCdb(0))
        );
        assert_eq!(
            Program::build(&mut buf, 0, &REGS, &cmd(&[0], Direction::FromDevice, &[])).err(),
            Some(BuildError::DirectionMismatch)
        );
        assert_eq!(
            Program::build(&mut buf[..16], 0, &REGS, &cmd(&[0], Direction::None, &[])).err(),
            Some(BuildError::BufferTooSmall)
        );
        assert!(Program::build(&mut buf, 0, &REGS, &cmd(&[0; 6], Direction::None, &[])).is_ok());
    }
}
