// SPDX-License-Identifier: GPL-2.0

//! The command path: a bound chip, its command slots, and its interrupt.
//!
//! A command gets a slot: its SCRIPTS program (written by
//! [`ncr810::program`] into the slot's region of the DMA buffer), its
//! mapped segments, and what the chip is doing for it. The host takes
//! [`SLOTS`] commands at once; a tagged command's queue tag is its slot.
//! The chip runs one program at a time, and the driver schedules them
//! from the interrupt handler ([`Chip::kick`]):
//!
//! - a command's program selects its target, sends IDENTIFY (and SIMPLE
//!   QUEUE TAG), the CDB, and runs until the command completes or its
//!   target disconnects;
//! - while commands are disconnected and nothing is to be started, the
//!   shared reselection program ([`ReselectProgram`], a region of its own)
//!   waits for a target to reselect; it reports the target (SSID), the LUN
//!   and the tag, and the driver lets the command's program go on. A new
//!   command breaks the wait with ISTAT.SIGP;
//! - task management (the error handler's abort and device reset) runs a
//!   program of its own in a third kind of region ([`TaskProgram`]): it
//!   selects the target and sends ABORT (ABORT TAG) or BUS DEVICE RESET.

use kernel::{
    alloc::KVec,
    dma::Coherent,
    io::{
        io_project,
        Io, //
    },
    irq::{
        self,
        IrqReturn, //
    },
    pci,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed,
            Release, //
        },
        SpinLockIrq,
    },
    time::{
        delay::fsleep,
        Delta,
        Instant,
        Monotonic, //
    },
};

use ncr810::program::{
    self,
    Direction,
    Failure,
    Interrupt,
    Program,
    ReselectProgram,
    Reselection,
    Segment,
    Step,
    TaskMessage,
    TaskProgram, //
};

use crate::{
    bringup, regs,
    scsi::{
        Command,
        CommandId,
        DataDirection,
        HostByte,
        Outcome, //
    },
    Bar,
};

/// Commands the chip takes at once (`can_queue`), each with a SCRIPTS
/// program of its own; a tagged command's tag is its slot's number.
pub(crate) const SLOTS: usize = 16;
/// The region of the reselection program.
const RESELECT_REGION: usize = SLOTS;
/// The region of the task management program.
const TASK_REGION: usize = SLOTS + 1;
/// Bytes of the DMA buffer: a region of [`program::BUFFER_BYTES`] per slot,
/// one for the reselection program and one for task management.
pub(crate) const BUFFER_BYTES: usize = (SLOTS + 2) * program::BUFFER_BYTES;
/// How long the error handler waits for a task management program.
const TASK_TIMEOUT: Delta = Delta::from_millis(10_000);
/// SCSI status CHECK CONDITION.
const CHECK_CONDITION: u8 = 0x02;
/// REQUEST SENSE for the driver's own sense buffer.
const REQUEST_SENSE: [u8; 6] = [0x03, 0, 0, 0, program::SENSE_BYTES as u8, 0];

/// Where a command is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotState {
    /// Its program is written; the chip has not started it.
    Ready,
    /// The chip runs its program (it selects, or the target is connected).
    Connected,
    /// Its target disconnected; it reselects to go on.
    Disconnected,
}

/// A command in a slot.
struct Active {
    cmd: Command,
    program: Program,
    /// Set while the chip runs the REQUEST SENSE that follows a CHECK
    /// CONDITION: the command's own residual.
    sensing: Option<u32>,
    state: SlotState,
    target: u8,
    lun: u8,
    /// The queue tag (the slot's number) if the command is tagged.
    tag: Option<u8>,
    /// The program's data state register (SCRATCHA0), kept while the
    /// command is disconnected (other programs use the register).
    data_state: u8,
}

/// A command slot.
struct Slot {
    /// The command the slot holds, if any.
    active: Option<Active>,
    /// How many of the slot's segments (in [`Slots::segments`]) it uses.
    mapped: usize,
}

impl Slot {
    const EMPTY: Slot = Slot {
        active: None,
        mapped: 0,
    };
}

/// What a task management request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Task {
    /// End this one command (`eh_abort_handler`).
    Abort(CommandId),
    /// End every command of this target (`eh_device_reset_handler`).
    DeviceReset {
        /// The target.
        target: u8,
        /// The logical unit named in the IDENTIFY.
        lun: u8,
    },
}

/// Where a task management request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TaskState {
    /// Waiting for the bus: the chip runs a command, or the reselection
    /// program waits (ISTAT.SIGP breaks it).
    Waiting,
    /// The task program runs.
    Running,
    /// Over: whether the target took the message.
    Done(bool),
}

/// A task management request, from the error handler's thread to the
/// interrupt handler and back.
struct TaskRequest {
    task: Task,
    target: u8,
    lun: u8,
    /// The tag of the command an abort is for, if tagged.
    tag: Option<u8>,
    state: TaskState,
    program: Option<TaskProgram>,
    /// The commands the task ended, for the error handler's thread.
    taken: [Option<Command>; SLOTS],
}

/// What the chip runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runner {
    /// Nothing: the chip is stopped.
    Stopped,
    /// The program of this slot.
    Slot(usize),
    /// The reselection program.
    Reselect,
    /// The task management program.
    Task,
}

/// What the chip's lock guards: the slots, what the chip runs, the task
/// management request, and the CPU's copy of the DMA buffer (programs are
/// built in it and copied to the chip's buffer a region at a time).
pub(crate) struct Slots {
    slots: [Slot; SLOTS],
    runner: Runner,
    /// ISTAT.SIGP was set and not cleared since.
    sigp: bool,
    /// Targets that rejected a queue tag (bit per ID): untagged, one
    /// command at a time, from then on.
    untagged: u8,
    reselect: Option<ReselectProgram>,
    task: Option<TaskRequest>,
    /// Every slot's segment table, [`program::MAX_SEGMENTS`] each.
    segments: KVec<Segment>,
    image: KVec<u8>,
}

impl Slots {
    /// No command anywhere; the buffers allocated.
    pub(crate) fn new() -> Result<Self> {
        Ok(Slots {
            slots: [Slot::EMPTY; SLOTS],
            runner: Runner::Stopped,
            sigp: false,
            untagged: 0,
            reselect: None,
            task: None,
            segments: KVec::from_elem(
                Segment { addr: 0, len: 0 },
                SLOTS * program::MAX_SEGMENTS,
                GFP_KERNEL,
            )?,
            image: KVec::from_elem(0u8, BUFFER_BYTES, GFP_KERNEL)?,
        })
    }

    fn free(&self) -> Option<usize> {
        self.slots.iter().position(|s| s.active.is_none())
    }

    fn find(&self, id: CommandId) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.active.as_ref().is_some_and(|a| a.cmd.id() == id))
    }

    /// Takes every command out of its slot; the chip runs nothing after.
    fn take_all(&mut self) -> [Option<Command>; SLOTS] {
        self.runner = Runner::Stopped;
        // A task the reset overtakes: its waiter sees it gone. Commands it
        // had taken are failed (`Command`'s drop), once.
        self.task = None;
        let mut taken = [const { None }; SLOTS];
        for (out, s) in taken.iter_mut().zip(self.slots.iter_mut()) {
            *out = s.active.take().map(|a| a.cmd);
        }
        taken
    }
}

/// A bound NCR 53C810: its registers, its DMA buffer and its commands,
/// shared by the midlayer's entry points and the interrupt handler.
#[pin_data]
pub(crate) struct Chip<'bound> {
    pub(crate) pdev: &'bound pci::Device<kernel::device::Bound>,
    pub(crate) bar: Bar<'bound>,
    /// The interrupt line, for the log.
    pub(crate) irq: u32,
    /// The chip's own SCSI ID.
    pub(crate) own_id: u8,
    /// The SCRIPTS programs, their CDBs, status and message bytes.
    pub(crate) buffer: Coherent<[u8]>,
    /// Bus address of `buffer` (the chip addresses 32 bits).
    pub(crate) buffer_addr: u32,
    #[pin]
    pub(crate) slots: SpinLockIrq<Slots>,
    /// Interrupts the self-test saw, and their DSTAT and DSPS.
    pub(crate) selftest_count: Atomic<u32>,
    pub(crate) selftest_dstat: Atomic<u32>,
    pub(crate) selftest_dsps: Atomic<u32>,
}

/// A command the chip is done with, and its sense data (copied out of the
/// DMA buffer under the lock).
struct Finished {
    cmd: Command,
    outcome: Outcome,
    residual: u32,
    sense: [u8; program::SENSE_BYTES],
    sense_len: usize,
}

impl Finished {
    fn new(cmd: Command, outcome: Outcome, residual: u32) -> Self {
        Finished {
            cmd,
            outcome,
            residual,
            sense: [0; program::SENSE_BYTES],
            sense_len: 0,
        }
    }

    /// Gives the command back to the midlayer (without the chip's lock:
    /// `scsi_done` may queue the next one).
    fn complete(self) {
        let sense = self.sense.get(..self.sense_len).unwrap_or(&[]);
        self.cmd.complete(self.outcome, self.residual, sense);
    }
}

/// What an interrupt ended: a command, and the commands a chip and bus
/// reset took along (completed with `DID_RESET`, which the midlayer
/// retries).
struct Ended {
    finished: Option<Finished>,
    reset: [Option<Command>; SLOTS],
}

impl Ended {
    fn none() -> Self {
        Ended {
            finished: None,
            reset: [const { None }; SLOTS],
        }
    }

    fn one(f: Finished) -> Self {
        Ended {
            finished: Some(f),
            ..Ended::none()
        }
    }

    fn complete(self) {
        if let Some(f) = self.finished {
            f.complete();
        }
        for cmd in self.reset.into_iter().flatten() {
            let length = cmd.info().length;
            cmd.complete(Outcome::Failed(HostByte::BusReset), length, &[]);
        }
    }
}

/// The midlayer's host byte for a command the chip could not finish.
pub(crate) fn host_byte(why: Failure) -> HostByte {
    match why {
        Failure::NoConnect => HostByte::NoConnect,
        Failure::BusReset => HostByte::BusReset,
        Failure::Parity => HostByte::Parity,
        Failure::Overrun | Failure::Aborted | Failure::Error => HostByte::Error,
    }
}

impl Chip<'_> {
    pub(crate) fn dev(&self) -> &kernel::device::Device {
        self.pdev.as_ref()
    }

    /// The region of slot (or program) `index` in the buffer.
    fn region(index: usize) -> core::ops::Range<usize> {
        index * program::BUFFER_BYTES..(index + 1) * program::BUFFER_BYTES
    }

    /// The bus address of region `index`.
    fn base(&self, index: usize) -> u32 {
        self.buffer_addr + (index * program::BUFFER_BYTES) as u32
    }

    /// Copies region `index` of the CPU's image to the chip's buffer (the
    /// chip runs nothing from it).
    fn publish(&self, slots: &Slots, index: usize) {
        let region = Self::region(index);
        if let Some(src) = slots.image.get(region.clone()) {
            let copy = || -> Result {
                io_project!(&self.buffer, [try: region]).copy_from_slice(src);
                Ok(())
            };
            let _ = copy();
        }
    }

    /// Copies the first `len` bytes of command slot `index`'s region of
    /// the CPU's image to the chip's buffer (the chip runs nothing from
    /// it): the program and what it reads, not the whole region.
    fn publish_slot(&self, slots: &Slots, index: usize, len: usize) {
        let region = Self::region(index);
        let part = region.start..region.start + len.min(region.len());
        if let Some(src) = slots.image.get(part.clone()) {
            let copy = || -> Result {
                io_project!(&self.buffer, [try: part]).copy_from_slice(src);
                Ok(())
            };
            let _ = copy();
        }
    }

    /// Copies what a command program writes in slot `index`'s region of
    /// the chip's buffer to the CPU's image (the chip is stopped).
    fn fetch_slot(&self, slots: &mut Slots, index: usize) {
        let start = Self::region(index).start;
        for written in program::CHIP_WRITES {
            let part = start + written.start..start + written.end;
            if let Some(dst) = slots.image.get_mut(part.clone()) {
                let copy = || -> Result {
                    io_project!(&self.buffer, [try: part]).copy_to_slice(dst);
                    Ok(())
                };
                let _ = copy();
            }
        }
    }

    /// Copies region `index` of what the chip wrote to the CPU's image
    /// (the chip is stopped).
    fn fetch(&self, slots: &mut Slots, index: usize) {
        let region = Self::region(index);
        if let Some(dst) = slots.image.get_mut(region.clone()) {
            let copy = || -> Result {
                io_project!(&self.buffer, [try: region]).copy_to_slice(dst);
                Ok(())
            };
            let _ = copy();
        }
    }

    /// The reselection program, written on first use.
    fn reselect_program(&self, slots: &mut Slots) -> Option<ReselectProgram> {
        if slots.reselect.is_none() {
            let region = Self::region(RESELECT_REGION);
            let base = self.base(RESELECT_REGION);
            let built = slots
                .image
                .get_mut(region)
                .and_then(|image| ReselectProgram::build(image, base).ok());
            slots.reselect = built;
            self.publish(slots, RESELECT_REGION);
        }
        slots.reselect
    }

    /// Writes the program of the command in slot `index` (or its REQUEST
    /// SENSE); the slot waits for the chip ([`SlotState::Ready`]).
    fn prepare(
        &self,
        slots: &mut Slots,
        index: usize,
        cmd: Command,
        sensing: Option<u32>,
    ) -> Result<(), Command> {
        let Some(reselect) = self.reselect_program(slots) else {
            return Err(cmd);
        };
        let info = cmd.info();
        let (target, lun) = (info.target as u8, info.lun as u8);
        let tagged = info.tagged && slots.untagged & (1 << target) == 0;
        let tag = tagged.then_some(index as u8);
        let region = Self::region(index);
        let base = self.base(index);
        let sense_segment = [Segment {
            addr: base + program::SENSE as u32,
            len: program::SENSE_BYTES as u32,
        }];
        let Some(mapped) = slots.slots.get(index).map(|s| s.mapped) else {
            return Err(cmd);
        };
        let first = index * program::MAX_SEGMENTS;
        let (cdb, direction, segments): (&[u8], _, &[Segment]) = match sensing {
            Some(_) => (&REQUEST_SENSE, Direction::FromDevice, &sense_segment),
            None => (
                info.cdb,
                match info.direction {
                    DataDirection::ToDevice => Direction::ToDevice,
                    DataDirection::FromDevice => Direction::FromDevice,
                    _ => Direction::None,
                },
                slots.segments.get(first..first + mapped).unwrap_or(&[]),
            ),
        };
        let command = program::Command {
            target,
            lun,
            cdb,
            direction,
            segments,
            tag,
            on_reselect: reselect.reselected(),
        };
        let Some(image) = slots.image.get_mut(region) else {
            return Err(cmd);
        };
        let program = match Program::build(image, base, &regs::script_registers(), &command) {
            Ok(p) => p,
            Err(_) => return Err(cmd),
        };
        self.publish_slot(slots, index, program.used_bytes());
        if let Some(slot) = slots.slots.get_mut(index) {
            slot.active = Some(Active {
                cmd,
                program,
                sensing,
                state: SlotState::Ready,
                target,
                lun,
                tag,
                data_state: 0,
            });
        }
        Ok(())
    }

    /// Starts whatever should run next if the chip is free: a waiting
    /// task, a ready command, or the wait for reselections. While the
    /// reselection program waits, ISTAT.SIGP breaks it for the others.
    fn kick(&self, slots: &mut Slots) {
        let ready = |sense_only: bool| {
            slots.slots.iter().position(|s| {
                s.active.as_ref().is_some_and(|a| {
                    a.state == SlotState::Ready && (!sense_only || a.sensing.is_some())
                })
            })
        };
        // A REQUEST SENSE first: QEMU's disk, like a target without
        // contingent allegiance, keeps one sense per unit and clears it when
        // any other command of the unit completes, so a CHECK CONDITION's
        // sense is lost if other commands go ahead of it (sym53c8xx queues
        // its sense command before the unit's other commands too).
        let ready = ready(true).or_else(|| ready(false));
        let task_waiting = slots
            .task
            .as_ref()
            .is_some_and(|t| t.state == TaskState::Waiting);
        match slots.runner {
            Runner::Slot(_) | Runner::Task => {}
            Runner::Reselect => {
                if (ready.is_some() || task_waiting) && !slots.sigp {
                    self.bar.write_reg(regs::ISTAT::zeroed().with_sigp(true));
                    slots.sigp = true;
                }
            }
            Runner::Stopped => {
                if task_waiting {
                    self.start_task(slots);
                } else if let Some(index) = ready {
                    self.start_slot(slots, index);
                } else if slots.slots.iter().any(|s| {
                    s.active
                        .as_ref()
                        .is_some_and(|a| a.state == SlotState::Disconnected)
                }) {
                    self.start_reselect(slots);
                }
            }
        }
    }

    /// Clears ISTAT.SIGP (reading CTEST2 does).
    fn clear_sigp(&self, slots: &mut Slots) {
        let _ = self.bar.read(regs::CTEST2);
        slots.sigp = false;
    }

    fn start_slot(&self, slots: &mut Slots, index: usize) {
        let Some(active) = slots.slots.get_mut(index).and_then(|s| s.active.as_mut()) else {
            return;
        };
        active.state = SlotState::Connected;
        active.data_state = 0;
        let entry = active.program.entry();
        slots.runner = Runner::Slot(index);
        self.bar.write_reg(regs::SCRATCHA::zeroed());
        self.bar.write_reg(regs::DSP::zeroed().with_address(entry));
    }

    fn start_reselect(&self, slots: &mut Slots) {
        let Some(program) = self.reselect_program(slots) else {
            return;
        };
        self.clear_sigp(slots);
        slots.runner = Runner::Reselect;
        self.bar
            .write_reg(regs::DSP::zeroed().with_address(program.entry()));
    }

    /// Takes `cmd` into a free slot and starts it, or hands it back if
    /// every slot is taken, its target cannot take it now (an untagged
    /// command is alone at its target), or a task management request is
    /// pending.
    pub(crate) fn queue(&self, mut cmd: Command) -> Result<(), Command> {
        let info = cmd.info();
        let length = info.length;
        let refuse = if info.channel != 0 || info.target > 7 || info.target == self.own_id.into() {
            Some(HostByte::NoConnect)
        } else if info.lun > 7
            || info.direction == DataDirection::Bidirectional
            || info.cdb.len() > program::MAX_CDB
        {
            Some(HostByte::Error)
        } else {
            None
        };
        if let Some(why) = refuse {
            cmd.complete(Outcome::Failed(why), length, &[]);
            return Ok(());
        }
        let target = info.target as u8;
        let tagged = info.tagged;
        let mut guard = self.slots.lock();
        let slots = &mut *guard;
        // An untagged command is alone at its target.
        let untagged = !tagged || slots.untagged & (1 << target) != 0;
        let busy_target = slots
            .slots
            .iter()
            .filter_map(|s| s.active.as_ref())
            .any(|a| a.target == target && (untagged || a.tag.is_none()));
        let Some(index) = slots
            .free()
            .filter(|_| slots.task.is_none() && !busy_target)
        else {
            return Err(cmd);
        };
        let first = index * program::MAX_SEGMENTS;
        let mapped = match (
            cmd.map(),
            slots.segments.get_mut(first..first + program::MAX_SEGMENTS),
        ) {
            (Ok(segs), Some(table)) => map_segments(segs, table),
            (Err(e), _) => Err(e),
            (_, None) => Err(EINVAL),
        };
        match mapped {
            Ok(n) => {
                if let Some(slot) = slots.slots.get_mut(index) {
                    slot.mapped = n;
                }
            }
            Err(e) => {
                drop(guard);
                dev_warn!(self.dev(), "cannot map a command's data: {e:?}\n");
                cmd.complete(Outcome::Failed(HostByte::Error), length, &[]);
                return Ok(());
            }
        }
        if let Err(cmd) = self.prepare(slots, index, cmd, None) {
            drop(guard);
            cmd.complete(Outcome::Failed(HostByte::Error), length, &[]);
            return Ok(());
        }
        self.kick(slots);
        Ok(())
    }

    /// Resets the chip and the bus under the lock and takes every command
    /// (the bus reset ended them at their targets).
    fn reset_all(&self, slots: &mut Slots) -> [Option<Command>; SLOTS] {
        self.reset_chip_and_bus();
        slots.sigp = false;
        let task = slots.task.take();
        let taken = slots.take_all();
        // A task in flight keeps its state for its waiter: failed.
        if let Some(mut task) = task {
            task.state = TaskState::Done(false);
            task.program = None;
            slots.task = Some(task);
        }
        taken
    }

    /// A reselection reported (by the reselection program, or by a
    /// `SELECT` that found the chip reselected): finds the command and lets
    /// its program go on.
    fn reselected(&self, slots: &mut Slots, irq: &Interrupt) -> Ended {
        // A command or task whose SELECT lost to the reselection starts
        // again later.
        match slots.runner {
            Runner::Slot(i) => {
                if let Some(a) = slots.slots.get_mut(i).and_then(|s| s.active.as_mut()) {
                    a.state = SlotState::Ready;
                }
            }
            Runner::Task => {
                if let Some(t) = slots.task.as_mut() {
                    t.state = TaskState::Waiting;
                }
            }
            _ => {}
        }
        slots.runner = Runner::Stopped;
        self.fetch(slots, RESELECT_REGION);
        let region = Self::region(RESELECT_REGION);
        let decoded = slots
            .image
            .get(region)
            .map_or(Reselection::Failed, |buf| ReselectProgram::decode(buf, irq));
        let ssid = self.bar.read(regs::SSID).value().get();
        let target = ssid & 0x07;
        let found = match decoded {
            Reselection::Reselected { lun, tag } if ssid & 0x80 != 0 => {
                slots.slots.iter().position(|s| {
                    s.active.as_ref().is_some_and(|a| {
                        a.state == SlotState::Disconnected
                            && a.target == target
                            && a.tag == tag
                            && (tag.is_some() || a.lun == lun)
                    })
                })
            }
            _ => None,
        };
        let Some(index) = found else {
            dev_warn!(
                self.dev(),
                "reselection by target {} not matched ({:?}): chip and bus reset\n",
                target,
                decoded
            );
            return Ended {
                finished: None,
                reset: self.reset_all(slots),
            };
        };
        if let Some(a) = slots.slots.get_mut(index).and_then(|s| s.active.as_mut()) {
            a.state = SlotState::Connected;
            let at = a.program.resume();
            let data_state = a.data_state;
            slots.runner = Runner::Slot(index);
            self.bar
                .write_reg(regs::SCRATCHA::zeroed().with_byte0(data_state));
            self.bar.write_reg(regs::DSP::zeroed().with_address(at));
        }
        Ended::none()
    }

    /// The interrupt handler's work, under the chip's lock.
    fn service(&self, slots: &mut Slots, istat: regs::ISTAT) -> Ended {
        let dstat = if istat.dip() {
            self.bar.read(regs::DSTAT)
        } else {
            regs::DSTAT::zeroed()
        };
        let (sist0, sist1) = if istat.sip() {
            (self.bar.read(regs::SIST0), self.bar.read(regs::SIST1))
        } else {
            (regs::SIST0::zeroed(), regs::SIST1::zeroed())
        };
        // Each register read is an exit to the emulator under QEMU, and the
        // completion waits for them: only what the interrupt's kind is
        // decoded from. A script interrupt (DIP) is decoded from DSPS and
        // the data state, a SCSI one (SIP: a phase mismatch) from where the
        // move stopped, DSP and DBC.
        let (dsps, data_done) = if istat.dip() {
            (
                self.bar.read(regs::DSPS).into(),
                self.bar.read(regs::SCRATCHA).byte0().get() as u8,
            )
        } else {
            (0, 0)
        };
        let (dsp, dbc) = if istat.sip() {
            (
                self.bar.read(regs::DSP).into(),
                self.bar.read(regs::DBC).count().get(),
            )
        } else {
            (0, 0)
        };
        let irq = Interrupt {
            dma: dstat.decode(),
            scsi: regs::scsi_status(sist0, sist1),
            dsps,
            dsp,
            dbc,
            data_done,
        };
        if ReselectProgram::is_reselection(&irq) && slots.runner != Runner::Stopped {
            return self.reselected(slots, &irq);
        }
        match slots.runner {
            Runner::Stopped => {
                if irq.dma.script_int {
                    // The probe's self-test.
                    self.selftest_dstat.store(irq.dma.raw.into(), Relaxed);
                    self.selftest_dsps.store(irq.dsps, Relaxed);
                    self.selftest_count.fetch_add(1, Release);
                }
                // Otherwise the RST/ of a reset the driver made.
                Ended::none()
            }
            Runner::Reselect => {
                slots.runner = Runner::Stopped;
                match ReselectProgram::decode(&[], &irq) {
                    Reselection::Signalled => {
                        self.clear_sigp(slots);
                        Ended::none()
                    }
                    _ => {
                        dev_warn!(
                            self.dev(),
                            "waiting for reselection failed: chip and bus reset\n"
                        );
                        Ended {
                            finished: None,
                            reset: self.reset_all(slots),
                        }
                    }
                }
            }
            Runner::Task => {
                let step = slots.task.as_ref().and_then(|t| t.program).map_or(
                    Step::Failed {
                        why: Failure::Error,
                        reset: true,
                    },
                    |p| p.on_interrupt(&irq),
                );
                slots.runner = Runner::Stopped;
                self.task_done(slots, step)
            }
            Runner::Slot(index) => self.service_slot(slots, index, &irq),
        }
    }

    fn service_slot(&self, slots: &mut Slots, index: usize, irq: &Interrupt) -> Ended {
        // The chip stopped on this interrupt: what it wrote is final.
        self.fetch_slot(slots, index);
        let region = Self::region(index);
        let Slots {
            slots: all, image, ..
        } = slots;
        let (Some(active), Some(buf)) = (
            all.get_mut(index).and_then(|s| s.active.as_mut()),
            image.get_mut(region),
        ) else {
            slots.runner = Runner::Stopped;
            return Ended::none();
        };
        let step = active.program.on_interrupt(buf, irq);
        match step {
            Step::Resume(at) => {
                let used = active.program.used_bytes();
                self.publish_slot(slots, index, used);
                // A phase mismatch may leave bytes in the chip's FIFOs.
                self.bar.write_reg(regs::CTEST3::zeroed().with_clf(true));
                self.bar
                    .write_reg(regs::STEST3::zeroed().with_te(true).with_csf(true));
                self.bar.write_reg(regs::DSP::zeroed().with_address(at));
                Ended::none()
            }
            Step::Disconnected => {
                active.state = SlotState::Disconnected;
                active.data_state = irq.data_done;
                slots.runner = Runner::Stopped;
                Ended::none()
            }
            Step::Rejected => {
                // The target takes no queue tags: the command goes on
                // untagged, and so does every later one of the target.
                let target = active.target;
                active.tag = None;
                let at = active.program.after_reject();
                slots.untagged |= 1 << target;
                dev_warn!(
                    self.dev(),
                    "target {} rejected a queue tag: tagged queueing off\n",
                    target
                );
                self.bar.write_reg(regs::DSP::zeroed().with_address(at));
                Ended::none()
            }
            Step::Done { status, residual } => {
                slots.runner = Runner::Stopped;
                let Some(active) = slots.slots.get_mut(index).and_then(|s| s.active.take()) else {
                    return Ended::none();
                };
                match active.sensing {
                    None if status == CHECK_CONDITION => {
                        match self.prepare(slots, index, active.cmd, Some(residual)) {
                            Ok(()) => Ended::none(),
                            Err(cmd) => {
                                Ended::one(Finished::new(cmd, Outcome::Status(status), residual))
                            }
                        }
                    }
                    None => {
                        Ended::one(Finished::new(active.cmd, Outcome::Status(status), residual))
                    }
                    Some(own_residual) => {
                        let mut f = Finished::new(
                            active.cmd,
                            Outcome::Status(CHECK_CONDITION),
                            own_residual,
                        );
                        if status == 0 {
                            let len = program::SENSE_BYTES
                                - (residual as usize).min(program::SENSE_BYTES);
                            let at = Self::region(index).start + program::SENSE;
                            if let (Some(src), Some(dst)) =
                                (slots.image.get(at..at + len), f.sense.get_mut(..len))
                            {
                                dst.copy_from_slice(src);
                                f.sense_len = len;
                            }
                        }
                        Ended::one(f)
                    }
                }
            }
            Step::Failed { why, reset } => {
                slots.runner = Runner::Stopped;
                let Some(active) = slots.slots.get_mut(index).and_then(|s| s.active.take()) else {
                    return Ended::none();
                };
                let others = if reset {
                    self.reset_all(slots)
                } else {
                    [const { None }; SLOTS]
                };
                let f = match active.sensing {
                    // The command itself ended with CHECK CONDITION; only its
                    // REQUEST SENSE failed: the midlayer gets the status
                    // without sense data and asks for it itself.
                    Some(own_residual) => {
                        Finished::new(active.cmd, Outcome::Status(CHECK_CONDITION), own_residual)
                    }
                    None => Finished::new(
                        active.cmd,
                        Outcome::Failed(host_byte(why)),
                        active.program.total(),
                    ),
                };
                Ended {
                    finished: Some(f),
                    reset: others,
                }
            }
        }
    }

    /// Writes the task program and starts the chip on it (the chip runs
    /// nothing). An abort whose command has ended, or was never started,
    /// needs no bus.
    fn start_task(&self, slots: &mut Slots) {
        let Some(reselect) = self.reselect_program(slots) else {
            return;
        };
        let Some(task) = slots.task.as_ref() else {
            return;
        };
        if let Task::Abort(id) = task.task {
            match slots.find(id) {
                None => {
                    if let Some(t) = slots.task.as_mut() {
                        t.state = TaskState::Done(true);
                    }
                    return;
                }
                Some(i) => {
                    let ready = slots
                        .slots
                        .get(i)
                        .and_then(|s| s.active.as_ref())
                        .is_some_and(|a| a.state == SlotState::Ready);
                    if ready {
                        let cmd = slots
                            .slots
                            .get_mut(i)
                            .and_then(|s| s.active.take())
                            .map(|a| a.cmd);
                        if let Some(t) = slots.task.as_mut() {
                            if let Some(out) = t.taken.get_mut(i) {
                                *out = cmd;
                            }
                            t.state = TaskState::Done(true);
                        }
                        return;
                    }
                }
            }
        }
        let region = Self::region(TASK_REGION);
        let base = self.base(TASK_REGION);
        let (target, lun, tag, message) = (
            task.target,
            task.lun,
            task.tag,
            match task.task {
                Task::Abort(_) => TaskMessage::Abort,
                Task::DeviceReset { .. } => TaskMessage::DeviceReset,
            },
        );
        let built = slots.image.get_mut(region).and_then(|image| {
            TaskProgram::build(
                image,
                base,
                &regs::script_registers(),
                target,
                lun,
                tag,
                message,
                reselect.reselected(),
            )
            .ok()
        });
        let Some(program) = built else {
            if let Some(t) = slots.task.as_mut() {
                t.state = TaskState::Done(false);
            }
            return;
        };
        self.publish(slots, TASK_REGION);
        if let Some(t) = slots.task.as_mut() {
            t.program = Some(program);
            t.state = TaskState::Running;
        }
        self.clear_sigp(slots);
        slots.runner = Runner::Task;
        self.bar
            .write_reg(regs::DSP::zeroed().with_address(program.entry()));
    }

    /// The task program ended with `step`: takes the commands the target
    /// dropped and reports to the waiting thread.
    fn task_done(&self, slots: &mut Slots, step: Step) -> Ended {
        if let Step::Failed { reset: true, .. } = step {
            // The bus state is unknown: reset it; every command is ended
            // (the waiter hands them on).
            let taken = self.reset_all(slots);
            if let Some(task) = slots.task.as_mut() {
                task.taken = taken;
                task.state = TaskState::Done(false);
            }
            return Ended::none();
        }
        let ok = matches!(step, Step::Done { .. });
        let Slots {
            slots: all, task, ..
        } = slots;
        let Some(task) = task.as_mut() else {
            return Ended::none();
        };
        if ok {
            for (out, slot) in task.taken.iter_mut().zip(all.iter_mut()) {
                let hit = slot.active.as_ref().is_some_and(|a| match task.task {
                    Task::Abort(id) => a.cmd.id() == id,
                    Task::DeviceReset { target, .. } => a.target == target,
                });
                if hit {
                    *out = slot.active.take().map(|a| a.cmd);
                }
            }
        }
        task.state = TaskState::Done(ok);
        Ended::none()
    }

    /// Runs `task` (from the error handler's thread, which may sleep):
    /// waits for the bus, sends the target ABORT (ABORT TAG) or BUS DEVICE
    /// RESET, and returns whether the target took it and the commands it
    /// ended (the caller ends each: given up to the error handler, or
    /// completed). An abort of a command no longer in a slot succeeds at
    /// once. If the task does not end in time, the chip and the bus are
    /// reset and every command is returned.
    ///
    /// One task runs at a time: the driver asks for one at a time
    /// (`Ncr810::tasks`, held until the commands a request took are
    /// ended), because the midlayer's asynchronous abort, its error
    /// handler and `SG_SCSI_RESET` may each ask at any time and the kernel
    /// keeps none of them from the others. A request that still finds a
    /// task (a caller without that lock) fails.
    pub(crate) fn task(&self, task: Task) -> (bool, [Option<Command>; SLOTS]) {
        let none = || [const { None }; SLOTS];
        {
            let mut guard = self.slots.lock();
            let slots = &mut *guard;
            if slots.task.is_some() {
                return (false, none());
            }
            let (target, lun, tag) = match task {
                Task::Abort(id) => {
                    let Some(a) = slots
                        .find(id)
                        .and_then(|i| slots.slots.get(i))
                        .and_then(|s| s.active.as_ref())
                    else {
                        return (true, none());
                    };
                    (a.target, a.lun, a.tag)
                }
                Task::DeviceReset { target, lun } => (target, lun, None),
            };
            slots.task = Some(TaskRequest {
                task,
                target,
                lun,
                tag,
                state: TaskState::Waiting,
                program: None,
                taken: none(),
            });
            self.kick(slots);
        }
        let start = Instant::<Monotonic>::now();
        loop {
            {
                let mut guard = self.slots.lock();
                let slots = &mut *guard;
                match slots.task.as_ref().map(|t| t.state) {
                    // A reset overtook it.
                    None => return (false, none()),
                    Some(TaskState::Done(ok)) => {
                        let taken = slots.task.take().map_or_else(none, |t| t.taken);
                        self.kick(slots);
                        return (ok, taken);
                    }
                    Some(_) if start.elapsed() > TASK_TIMEOUT => {
                        dev_warn!(
                            self.dev(),
                            "task management timed out: chip and bus reset\n"
                        );
                        let mut taken = slots.task.take().map_or_else(none, |t| t.taken);
                        let all = self.reset_all(slots);
                        slots.task = None;
                        for (out, cmd) in taken.iter_mut().zip(all) {
                            if out.is_none() {
                                *out = cmd;
                            }
                        }
                        return (false, taken);
                    }
                    Some(_) => {}
                }
            }
            fsleep(Delta::from_millis(5));
        }
    }

    /// Resets the chip and the bus; returns the commands that were in the
    /// slots (the caller hands them to the midlayer, without the lock).
    pub(crate) fn reset(&self) -> [Option<Command>; SLOTS] {
        let mut slots = self.slots.lock();
        let taken = self.reset_all(&mut slots);
        slots.task = None;
        taken
    }

    /// Fails what is left in the slots (unbind: the host is gone, so the
    /// midlayer has drained every queue and nothing should be left).
    pub(crate) fn fail_leftovers(&self) {
        let left = self.slots.lock().take_all();
        let n = left.iter().flatten().count();
        if n > 0 {
            dev_warn!(
                self.dev(),
                "unbind: {} command(s) still queued; failed\n",
                n
            );
        }
        for cmd in left.into_iter().flatten() {
            let length = cmd.info().length;
            cmd.complete(Outcome::Failed(HostByte::Error), length, &[]);
        }
    }

    /// Resets the chip, then the SCSI bus (a target still connected lets
    /// go), and sets the chip up again.
    pub(crate) fn reset_chip_and_bus(&self) {
        bringup::reset_chip_and_bus(&self.bar, self.own_id);
    }
}

/// Copies a command's mapped segments into `table` as the chip addresses
/// them (32 bits); returns how many there are.
fn map_segments(segs: impl Iterator<Item = (u64, u32)>, table: &mut [Segment]) -> Result<usize> {
    let mut n = 0;
    for (addr, len) in segs {
        let entry = table.get_mut(n).ok_or(EINVAL)?;
        let end = addr
            .checked_add(u64::from(len).saturating_sub(1))
            .ok_or(EIO)?;
        let (Ok(addr), Ok(_)) = (u32::try_from(addr), u32::try_from(end)) else {
            return Err(EIO);
        };
        *entry = Segment { addr, len };
        n += 1;
    }
    Ok(n)
}

impl irq::Handler for Chip<'_> {
    fn handle(&self) -> IrqReturn {
        let istat = self.bar.read(regs::ISTAT);
        if !istat.dip() && !istat.sip() {
            // The line is shared: not ours.
            return IrqReturn::None;
        }
        let ended = {
            let mut slots = self.slots.lock();
            let ended = self.service(&mut slots, istat);
            self.kick(&mut slots);
            ended
        };
        ended.complete();
        IrqReturn::Handled
    }
}
