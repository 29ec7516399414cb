// SPDX-License-Identifier: GPL-2.0

//! The command path: a bound chip, its command slots, and its interrupt.
//!
//! A command gets a slot: its SCRIPTS program (written by
//! [`ncr810::program`] into the slot's region of the DMA buffer), its
//! mapped segments, and what the chip is doing for it. The chip runs one
//! slot's program at a time and the host takes [`SLOTS`] commands at once,
//! so today the one slot is the whole queue; tagged queueing would add
//! slots, each with its region, and pick the slot from the interrupt.
//!
//! Task management (the error handler's abort and device reset) runs a
//! program of its own in a region after the slots' ([`TaskProgram`]): it
//! selects the target and sends ABORT or BUS DEVICE RESET. A command
//! program waiting for its target to reselect is parked for it with
//! ISTAT.SIGP and, unless the task ended its command, waits again after.

use kernel::{
    dma::Coherent,
    io::Io,
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

/// Commands the chip takes at once: one (`can_queue`), each with a SCRIPTS
/// program of its own.
pub(crate) const SLOTS: usize = 1;
/// Bytes of the DMA buffer: a region of [`program::BUFFER_BYTES`] per slot,
/// and one for the task management program.
pub(crate) const BUFFER_BYTES: usize = (SLOTS + 1) * program::BUFFER_BYTES;
/// The region of the task management program.
const TASK_REGION: usize = SLOTS;
/// How long the error handler waits for a task management program.
const TASK_TIMEOUT: Delta = Delta::from_millis(10_000);
/// SCSI status CHECK CONDITION.
const CHECK_CONDITION: u8 = 0x02;
/// REQUEST SENSE for the driver's own sense buffer.
const REQUEST_SENSE: [u8; 6] = [0x03, 0, 0, 0, program::SENSE_BYTES as u8, 0];

/// A command in a slot.
struct Active {
    cmd: Command,
    program: Program,
    /// Set while the chip runs the REQUEST SENSE that follows a CHECK
    /// CONDITION: the command's own residual.
    sensing: Option<u32>,
}

/// A command slot.
struct Slot {
    /// The command the slot holds, if any.
    active: Option<Active>,
    /// The segment table its data is mapped into.
    segments: [Segment; program::MAX_SEGMENTS],
    /// How many of `segments` it uses.
    mapped: usize,
}

impl Slot {
    const EMPTY: Slot = Slot {
        active: None,
        segments: [Segment { addr: 0, len: 0 }; program::MAX_SEGMENTS],
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
    /// ISTAT.SIGP is set: the command program runs until it parks (or its
    /// command ends).
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
    state: TaskState,
    program: Option<TaskProgram>,
    /// The slot whose program was parked for the task.
    parked: Option<usize>,
    /// The commands the task ended, for the error handler's thread.
    taken: [Option<Command>; SLOTS],
}

/// What the chip's lock guards: the slots, which one the chip runs, the
/// task management request, and the CPU's copy of the DMA buffer
/// (programs are built in it and copied to the chip's buffer whole; too
/// big for an interrupt's stack).
pub(crate) struct Slots {
    slots: [Slot; SLOTS],
    /// The slot whose program the chip runs.
    running: Option<usize>,
    task: Option<TaskRequest>,
    image: [u8; BUFFER_BYTES],
}

impl Slots {
    /// No command anywhere.
    pub(crate) const fn new() -> Self {
        Slots {
            slots: [Slot::EMPTY; SLOTS],
            running: None,
            task: None,
            image: [0; BUFFER_BYTES],
        }
    }

    fn free(&self) -> Option<usize> {
        self.slots.iter().position(|s| s.active.is_none())
    }

    /// Takes every command out of its slot, in slot order; the chip runs
    /// nothing after.
    fn take_all(&mut self) -> impl Iterator<Item = Option<Command>> + '_ {
        self.running = None;
        // A task the reset overtakes: its waiter sees it gone. Commands it
        // had taken are failed (`Command`'s drop), once.
        self.task = None;
        self.slots
            .iter_mut()
            .map(|s| s.active.take().map(|a| a.cmd))
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

    /// The region of slot `index` in the buffer and its bus address.
    fn region(index: usize) -> core::ops::Range<usize> {
        index * program::BUFFER_BYTES..(index + 1) * program::BUFFER_BYTES
    }

    /// Copies the CPU's image to the chip's buffer (the chip runs nothing).
    fn publish(&self, slots: &Slots) {
        (&self.buffer).copy_from_slice(&slots.image);
    }

    /// Copies what the chip wrote into its buffer to the CPU's image (the
    /// chip is stopped).
    fn fetch(&self, slots: &mut Slots) {
        (&self.buffer).copy_to_slice(&mut slots.image);
    }

    /// Writes the program of the command in slot `index` (or its REQUEST
    /// SENSE) and starts the chip on it.
    fn start(
        &self,
        slots: &mut Slots,
        index: usize,
        cmd: Command,
        sensing: Option<u32>,
    ) -> Result<(), Command> {
        let info = cmd.info();
        let region = Self::region(index);
        let base = self.buffer_addr + region.start as u32;
        let sense_segment = [Segment {
            addr: base + program::SENSE as u32,
            len: program::SENSE_BYTES as u32,
        }];
        let Some(slot) = slots.slots.get(index) else {
            return Err(cmd);
        };
        let (cdb, direction, segments): (&[u8], _, &[Segment]) = match sensing {
            Some(_) => (&REQUEST_SENSE, Direction::FromDevice, &sense_segment),
            None => (
                info.cdb,
                match info.direction {
                    DataDirection::ToDevice => Direction::ToDevice,
                    DataDirection::FromDevice => Direction::FromDevice,
                    _ => Direction::None,
                },
                slot.segments.get(..slot.mapped).unwrap_or(&[]),
            ),
        };
        let command = program::Command {
            target: info.target as u8,
            lun: info.lun as u8,
            cdb,
            direction,
            segments,
        };
        let Some(image) = slots.image.get_mut(region) else {
            return Err(cmd);
        };
        let program = match Program::build(image, base, &regs::script_registers(), &command) {
            Ok(p) => p,
            Err(_) => return Err(cmd),
        };
        self.publish(slots);
        self.bar.write_reg(regs::SCRATCHA::zeroed());
        if let Some(slot) = slots.slots.get_mut(index) {
            slot.active = Some(Active {
                cmd,
                program,
                sensing,
            });
        }
        slots.running = Some(index);
        self.bar
            .write_reg(regs::DSP::zeroed().with_address(program.entry()));
        Ok(())
    }

    /// Takes `cmd` into a free slot and starts it, or hands it back if
    /// every slot is taken.
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
        let mut guard = self.slots.lock();
        let slots = &mut *guard;
        let Some(index) = slots
            .free()
            .filter(|_| slots.running.is_none() && slots.task.is_none())
        else {
            return Err(cmd);
        };
        let mapped = match (cmd.map(), slots.slots.get_mut(index)) {
            (Ok(segs), Some(slot)) => map_segments(segs, &mut slot.segments),
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
        if let Err(cmd) = self.start(slots, index, cmd, None) {
            drop(guard);
            cmd.complete(Outcome::Failed(HostByte::Error), length, &[]);
        }
        Ok(())
    }

    /// The interrupt handler's work, under the chip's lock. Returns a
    /// finished command with its outcome, to complete after unlocking.
    fn service(&self, slots: &mut Slots, istat: regs::ISTAT) -> Option<Finished> {
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
        let irq = Interrupt {
            dma: dstat.decode(),
            scsi: regs::scsi_status(sist0, sist1),
            dsps: self.bar.read(regs::DSPS).into(),
            dsp: self.bar.read(regs::DSP).into(),
            dbc: self.bar.read(regs::DBC).count().get(),
            data_done: self.bar.read(regs::SCRATCHA).byte0().get() as u8,
        };
        if let Some(task) = slots
            .task
            .as_mut()
            .filter(|t| t.state == TaskState::Running)
        {
            let step = task.program.map_or(
                Step::Failed {
                    why: Failure::Error,
                    reset: true,
                },
                |p| p.on_interrupt(&irq),
            );
            self.task_done(slots, step);
            return None;
        }
        let Some(index) = slots.running else {
            if irq.dma.script_int {
                // The probe's self-test.
                self.selftest_dstat.store(irq.dma.raw.into(), Relaxed);
                self.selftest_dsps.store(irq.dsps, Relaxed);
                self.selftest_count.fetch_add(1, Release);
            }
            // Otherwise the RST/ of a reset the driver made: nothing ran.
            return None;
        };
        // The chip stopped on this interrupt: what it wrote is final.
        self.fetch(slots);
        let region = Self::region(index);
        let Slots {
            slots: all, image, ..
        } = slots;
        let active = all.get_mut(index)?.active.as_mut()?;
        let step = active.program.on_interrupt(image.get_mut(region)?, &irq);
        match step {
            Step::Resume(at) => {
                self.publish(slots);
                // A phase mismatch may leave bytes in the chip's FIFOs.
                self.bar.write_reg(regs::CTEST3::zeroed().with_clf(true));
                self.bar
                    .write_reg(regs::STEST3::zeroed().with_te(true).with_csf(true));
                self.bar.write_reg(regs::DSP::zeroed().with_address(at));
                None
            }
            Step::Parked => {
                // ISTAT.SIGP stopped the wait for reselection: clear it
                // (reading CTEST2 does), then run the task, or wait again.
                let _ = self.bar.read(regs::CTEST2);
                slots.running = None;
                match slots.task.as_mut() {
                    Some(task) if task.state == TaskState::Waiting => {
                        task.parked = Some(index);
                        self.start_task(slots);
                    }
                    _ => self.rewait(slots, index),
                }
                None
            }
            Step::Done { status, residual } => {
                slots.running = None;
                let active = slots.slots.get_mut(index)?.active.take()?;
                match active.sensing {
                    None if status == CHECK_CONDITION => {
                        match self.start(slots, index, active.cmd, Some(residual)) {
                            Ok(()) => None,
                            Err(cmd) => Some(Finished::new(cmd, Outcome::Status(status), residual)),
                        }
                    }
                    None => Some(Finished::new(active.cmd, Outcome::Status(status), residual)),
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
                        Some(f)
                    }
                }
            }
            Step::Failed { why, reset } => {
                slots.running = None;
                let active = slots.slots.get_mut(index)?.active.take()?;
                if reset {
                    self.reset_chip_and_bus();
                }
                Some(match active.sensing {
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
                })
            }
        }
    }

    /// Starts the command program of slot `index` again at its `WAIT
    /// RESELECT` (after a task that did not end its command).
    fn rewait(&self, slots: &mut Slots, index: usize) {
        let Some(at) = slots
            .slots
            .get(index)
            .and_then(|s| s.active.as_ref())
            .map(|a| a.program.rewait())
        else {
            return;
        };
        slots.running = Some(index);
        self.bar.write_reg(regs::DSP::zeroed().with_address(at));
    }

    /// Writes the task program and starts the chip on it (the chip runs
    /// nothing: no slot's program is connected).
    fn start_task(&self, slots: &mut Slots) {
        let region = Self::region(TASK_REGION);
        let base = self.buffer_addr + region.start as u32;
        let Some(task) = slots.task.as_mut() else {
            return;
        };
        let message = match task.task {
            Task::Abort(_) => TaskMessage::Abort,
            Task::DeviceReset { .. } => TaskMessage::DeviceReset,
        };
        let built = match slots.image.get_mut(region) {
            Some(image) => TaskProgram::build(
                image,
                base,
                &regs::script_registers(),
                task.target,
                task.lun,
                message,
            )
            .ok(),
            None => None,
        };
        let Some(program) = built else {
            self.task_done(
                slots,
                Step::Failed {
                    why: Failure::Error,
                    reset: false,
                },
            );
            return;
        };
        task.program = Some(program);
        task.state = TaskState::Running;
        self.publish(slots);
        self.bar
            .write_reg(regs::DSP::zeroed().with_address(program.entry()));
    }

    /// The task program ended with `step`: takes the commands the target
    /// dropped, restarts a parked program whose command is still there,
    /// and reports to the waiting thread.
    fn task_done(&self, slots: &mut Slots, step: Step) {
        let ok = matches!(step, Step::Done { .. });
        if let Step::Failed { reset: true, .. } = step {
            // The bus state is unknown: reset it; every command is ended
            // (the waiter hands them on).
            self.reset_chip_and_bus();
            let mut taken = [const { None }; SLOTS];
            slots.running = None;
            for (out, slot) in taken.iter_mut().zip(slots.slots.iter_mut()) {
                *out = slot.active.take().map(|a| a.cmd);
            }
            if let Some(task) = slots.task.as_mut() {
                task.taken = taken;
                task.state = TaskState::Done(false);
                task.parked = None;
            }
            return;
        }
        let Some(task) = slots.task.as_mut() else {
            return;
        };
        if ok {
            for (out, slot) in task.taken.iter_mut().zip(slots.slots.iter_mut()) {
                let hit = slot.active.as_ref().is_some_and(|a| match task.task {
                    Task::Abort(id) => a.cmd.id() == id,
                    Task::DeviceReset { target, .. } => a.cmd.info().target == u32::from(target),
                });
                if hit {
                    *out = slot.active.take().map(|a| a.cmd);
                }
            }
        }
        task.state = TaskState::Done(ok);
        if let Some(index) = task.parked.take() {
            self.rewait(slots, index);
        }
    }

    /// Starts a waiting task if the chip is idle (its command ended, or
    /// nothing ran). An abort whose command has ended has nothing to do.
    fn task_if_idle(&self, slots: &mut Slots) {
        if slots.running.is_some() {
            return;
        }
        let Some(task) = slots
            .task
            .as_mut()
            .filter(|t| t.state == TaskState::Waiting)
        else {
            return;
        };
        if let Task::Abort(id) = task.task {
            let present = slots
                .slots
                .iter()
                .any(|s| s.active.as_ref().is_some_and(|a| a.cmd.id() == id));
            if !present {
                task.state = TaskState::Done(true);
                return;
            }
        }
        // SIGP may still be set: a later WAIT RESELECT must not see it.
        let _ = self.bar.read(regs::CTEST2);
        self.start_task(slots);
    }

    /// Runs `task` (from the error handler's thread, which may sleep):
    /// parks the command program if one runs, sends the target ABORT or
    /// BUS DEVICE RESET, and returns whether the target took it and the
    /// commands it ended (the caller ends each: given up to the error
    /// handler, or completed). An abort of a command no longer in a slot
    /// succeeds at once. If the task does not end in time, the chip and
    /// the bus are reset and every command is returned.
    pub(crate) fn task(&self, task: Task) -> (bool, [Option<Command>; SLOTS]) {
        let none = || [const { None }; SLOTS];
        {
            let mut slots = self.slots.lock();
            if slots.task.is_some() {
                return (false, none());
            }
            let (target, lun) = match task {
                Task::Abort(id) => {
                    let Some(info) = slots
                        .slots
                        .iter()
                        .filter_map(|s| s.active.as_ref())
                        .find(|a| a.cmd.id() == id)
                        .map(|a| a.cmd.info())
                        .map(|i| (i.target as u8, i.lun as u8))
                    else {
                        return (true, none());
                    };
                    info
                }
                Task::DeviceReset { target, lun } => (target, lun),
            };
            slots.task = Some(TaskRequest {
                task,
                target,
                lun,
                state: TaskState::Waiting,
                program: None,
                parked: None,
                taken: none(),
            });
            if slots.running.is_some() {
                // The program parks at its next wait for reselection.
                self.bar.write_reg(regs::ISTAT::zeroed().with_sigp(true));
            } else {
                self.task_if_idle(&mut slots);
            }
        }
        let start = Instant::<Monotonic>::now();
        loop {
            {
                let mut slots = self.slots.lock();
                match slots.task.as_ref().map(|t| t.state) {
                    // A reset overtook it.
                    None => return (false, none()),
                    Some(TaskState::Done(ok)) => {
                        let taken = slots.task.take().map_or_else(none, |t| t.taken);
                        return (ok, taken);
                    }
                    Some(_) if start.elapsed() > TASK_TIMEOUT => {
                        dev_warn!(
                            self.dev(),
                            "task management timed out: chip and bus reset\n"
                        );
                        self.reset_chip_and_bus();
                        let _ = self.bar.read(regs::CTEST2);
                        let mut taken = slots.task.take().map_or_else(none, |t| t.taken);
                        slots.running = None;
                        for (out, slot) in taken.iter_mut().zip(slots.slots.iter_mut()) {
                            if out.is_none() {
                                *out = slot.active.take().map(|a| a.cmd);
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
        self.reset_chip_and_bus();
        let mut taken = [const { None }; SLOTS];
        for (out, cmd) in taken.iter_mut().zip(slots.take_all()) {
            *out = cmd;
        }
        taken
    }

    /// Fails what is left in the slots (unbind: the host is gone, so the
    /// midlayer has drained every queue and nothing should be left).
    pub(crate) fn fail_leftovers(&self) {
        let mut slots = self.slots.lock();
        slots.running = None;
        let left = slots
            .slots
            .iter_mut()
            .find_map(|s| s.active.take())
            .map(|a| (a.cmd, a.program.total()));
        drop(slots);
        if let Some((cmd, total)) = left {
            dev_warn!(self.dev(), "unbind: a command was still running; failed\n");
            cmd.complete(Outcome::Failed(HostByte::Error), total, &[]);
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
        let finished = {
            let mut slots = self.slots.lock();
            let finished = self.service(&mut slots, istat);
            self.task_if_idle(&mut slots);
            finished
        };
        if let Some(f) = finished {
            f.complete();
        }
        IrqReturn::Handled
    }
}
