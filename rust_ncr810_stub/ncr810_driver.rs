// SPDX-License-Identifier: GPL-2.0

//! `rust_ncr810`: a SCSI host driver for the NCR 53C810.
//!
//! Binds the chip (PCI 1000:0001, which QEMU emulates as `-device
//! lsi53c810`), soft-resets it, checks its identity, proves its interrupt
//! and DMA with a one-instruction SCRIPTS self-test, and registers a SCSI
//! host whose bus scan turns the targets into disks through `sd`.
//!
//! One command runs at a time (`can_queue = 1`): [`ncr810::program`] writes
//! a SCRIPTS program for it into the chip's DMA buffer, the chip runs it,
//! and the interrupt handler decodes where it stopped. The midlayer's
//! entry points arrive through [`scsi`], the only file that touches the
//! midlayer; the register map is [`regs`].

use kernel::{
    device::{
        Bound,
        Core, //
    },
    dma::{
        self,
        Coherent,
        DmaMask, //
    },
    io::{
        poll::read_poll_timeout,
        Io, //
    },
    irq::{
        self,
        IrqRequest,
        IrqReturn, //
    },
    new_spinlock_irq, pci,
    prelude::*,
    str::CString,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Relaxed,
            Release, //
        },
        SpinLockIrq,
    },
    time::{delay::udelay, Delta},
};

use ncr810::{
    chip::{
        dstat,
        scid,
        sist0,
        sist1,
        ProbeError,
        ResetState, //
    },
    program::{
        self,
        Direction,
        Failure,
        Interrupt,
        Program,
        Segment,
        Step, //
    },
};

mod debugfs_owned;
mod regs;
mod scsi;

use debugfs_owned::OwnedFile;
use scsi::{
    Command,
    Host,
    HostOps,
    Outcome,
    RawCommand, //
};

/// The vector the self-test's `INT` carries ("810").
const SELFTEST_VECTOR: u32 = 0x0810;
/// How long the self-test waits for its interrupt.
const SELFTEST_TIMEOUT: Delta = Delta::from_millis(500);
/// The BAR holding the registers in memory space (BAR0 is the same set in I/O space).
const MMIO_BAR: u32 = 1;
/// The largest command, in 512-byte sectors (256 KiB: 64 segments of a page).
const MAX_SECTORS: u32 = 512;
/// SCSI status CHECK CONDITION.
const CHECK_CONDITION: u8 = 0x02;
/// REQUEST SENSE for the driver's own sense buffer.
const REQUEST_SENSE: [u8; 6] = [0x03, 0, 0, 0, program::SENSE_BYTES as u8, 0];

type Bar<'bound> = pci::Bar<'bound, { regs::SPAN }>;

kernel::pci_device_table!(
    PCI_TABLE,
    <Ncr810Driver as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::LSI_LOGIC, 0x0001), ())]
);

/// What the chip showed when it was probed, for the debugfs `state` file.
struct ChipState {
    identity: ncr810::chip::Identity,
    bar_start: u64,
    irq: u32,
    scsi_host: u32,
    selftest: SelfTest,
}

/// What the self-test measured, and the registers right after it.
#[derive(Clone, Copy)]
struct SelfTest {
    ns: i64,
    dump: [u32; regs::DUMPED.len()],
}

impl core::fmt::Debug for ChipState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let id = &self.identity;
        writeln!(f, "chip: NCR 53C810")?;
        writeln!(f, "pci_revision: {:#04x}", id.pci_revision)?;
        writeln!(f, "chip_revision: {}", id.chip_revision)?;
        writeln!(f, "scsi_id: {}", id.scsi_id)?;
        writeln!(f, "bar{}: {:#x}", MMIO_BAR, self.bar_start)?;
        writeln!(f, "irq: {}", self.irq)?;
        writeln!(f, "scsi_host: {}", self.scsi_host)?;
        writeln!(f, "selftest_roundtrip_ns: {}", self.selftest.ns)?;
        write!(f, "registers after the self-test:")?;
        for (r, v) in regs::DUMPED.iter().zip(self.selftest.dump.iter()) {
            write!(
                f,
                "\n{:#04x} {:<10} {v:#0w$x}",
                r.offset,
                r.name,
                w = 2 + 2 * r.bytes
            )?;
        }
        Ok(())
    }
}

/// The command the chip runs.
struct Active {
    cmd: Command,
    program: Program,
    /// Set while the chip runs the REQUEST SENSE that follows a CHECK
    /// CONDITION: the command's own residual.
    sensing: Option<u32>,
}

/// What the lock guards: the running command and the segment table the
/// next one is mapped into (too big for the stack of an interrupt).
struct Slot {
    active: Option<Active>,
    segments: [Segment; program::MAX_SEGMENTS],
    /// How many of `segments` the command in `active` (or being started) uses.
    mapped: usize,
}

/// The chip, shared by the midlayer's entry points and the interrupt
/// handler.
#[pin_data]
pub(crate) struct Chip<'bound> {
    pdev: &'bound pci::Device<Bound>,
    bar: Bar<'bound>,
    /// The interrupt line, for the log.
    irq: u32,
    /// The chip's own SCSI ID.
    own_id: u8,
    /// The SCRIPTS program, its CDB, status and message bytes.
    buffer: Coherent<[u8]>,
    /// Bus address of `buffer` (the chip addresses 32 bits).
    buffer_addr: u32,
    #[pin]
    slot: SpinLockIrq<Slot>,
    /// Interrupts the self-test saw, and their DSTAT and DSPS.
    selftest_count: Atomic<u32>,
    selftest_dstat: Atomic<u32>,
    selftest_dsps: Atomic<u32>,
}

impl Chip<'_> {
    /// Sets the chip up for SCSI after a soft reset: its ID, the
    /// interrupts the driver handles, the selection time-out.
    fn init(&self) {
        let bar = &self.bar;
        bar.write_reg(regs::SCID::from(scid::RRE | (self.own_id & scid::ID_MASK)));
        bar.write_reg(regs::RESPID::from(1u8 << self.own_id));
        bar.write_reg(regs::SCNTL3::zeroed().with_const_ccf::<3>());
        bar.write_reg(regs::SXFER::from(0u8));
        bar.write_reg(regs::STIME0::zeroed().with_const_sel::<0xc>());
        bar.write_reg(regs::STEST3::zeroed().with_te(true));
        bar.write_reg(regs::SIEN0::from(
            sist0::MA | sist0::UDC | sist0::RST | sist0::PAR | sist0::SGE,
        ));
        bar.write_reg(regs::SIEN1::from(sist1::STO));
        bar.write_reg(regs::DIEN::from(
            dstat::SIR | dstat::IID | dstat::ABRT | dstat::BF | dstat::MDPE,
        ));
    }

    /// Resets the chip, then the SCSI bus (a target still connected lets
    /// go), and sets the chip up again.
    fn reset_chip_and_bus(&self) {
        soft_reset(&self.bar);
        self.init();
        self.bar.write_reg(regs::SCNTL1::zeroed().with_rst(true));
        // The SCSI reset hold time is 25 us.
        udelay(Delta::from_micros(30));
        self.bar.write_reg(regs::SCNTL1::zeroed());
        // Acknowledge the RST/ the chip saw on its own bus.
        let _ = self.bar.read(regs::SIST0);
        let _ = self.bar.read(regs::SIST1);
        let _ = self.bar.read(regs::DSTAT);
    }

    /// Writes `cmd`'s program and starts the chip on it.
    fn start(&self, slot: &mut Slot, cmd: Command, sensing: Option<u32>) -> Result<(), Command> {
        let info = cmd.info();
        let sense_segment = [Segment {
            addr: self.buffer_addr + program::SENSE as u32,
            len: program::SENSE_BYTES as u32,
        }];
        let (cdb, direction, segments): (&[u8], _, &[Segment]) = match sensing {
            Some(_) => (&REQUEST_SENSE, Direction::FromDevice, &sense_segment),
            None => (
                info.cdb,
                info.direction.unwrap_or(Direction::None),
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
        // SAFETY: The chip runs no program (there is no active command and
        // the slot's lock is held), so nothing else reads or writes the
        // buffer while the slice lives.
        let buf = unsafe { self.buffer.as_mut() };
        let program = match Program::build(buf, self.buffer_addr, &command) {
            Ok(p) => p,
            Err(_) => return Err(cmd),
        };
        self.bar.write_reg(regs::SCRATCHA::zeroed());
        slot.active = Some(Active {
            cmd,
            program,
            sensing,
        });
        self.bar
            .write_reg(regs::DSP::zeroed().with_address(program.entry()));
        Ok(())
    }

    /// The interrupt handler's work, under the slot's lock. Returns a
    /// finished command with its outcome, to complete after unlocking.
    fn service(&self, slot: &mut Slot, istat: regs::ISTAT) -> Option<Finished> {
        let irq = Interrupt {
            dstat: if istat.dip() {
                self.bar.read(regs::DSTAT).into()
            } else {
                0
            },
            sist0: if istat.sip() {
                self.bar.read(regs::SIST0).into()
            } else {
                0
            },
            sist1: if istat.sip() {
                self.bar.read(regs::SIST1).into()
            } else {
                0
            },
            dsps: self.bar.read(regs::DSPS).into(),
            dsp: self.bar.read(regs::DSP).into(),
            dbc: self.bar.read(regs::DBC).count().get(),
            data_done: self.bar.read(regs::SCRATCHA).byte0().get() as u8,
        };
        let Some(active) = slot.active.as_mut() else {
            if irq.dstat & dstat::SIR != 0 {
                // The probe's self-test.
                self.selftest_dstat.store(irq.dstat.into(), Relaxed);
                self.selftest_dsps.store(irq.dsps, Relaxed);
                self.selftest_count.fetch_add(1, Release);
            }
            // Otherwise the RST/ of a reset the driver made: nothing ran.
            return None;
        };
        // SAFETY: The chip stopped on this interrupt, so it does not touch
        // the buffer; the slot's lock keeps everyone else out.
        let buf = unsafe { self.buffer.as_mut() };
        match active.program.on_interrupt(buf, &irq) {
            Step::Resume(at) => {
                // A phase mismatch may leave bytes in the chip's FIFOs.
                self.bar.write_reg(regs::CTEST3::zeroed().with_clf(true));
                self.bar
                    .write_reg(regs::STEST3::zeroed().with_te(true).with_csf(true));
                self.bar.write_reg(regs::DSP::zeroed().with_address(at));
                None
            }
            Step::Done { status, residual } => {
                let active = slot.active.take()?;
                match active.sensing {
                    None if status == CHECK_CONDITION => {
                        match self.start(slot, active.cmd, Some(residual)) {
                            Ok(()) => None,
                            Err(cmd) => Some(Finished::status(cmd, status, residual, 0)),
                        }
                    }
                    None => Some(Finished::status(active.cmd, status, residual, 0)),
                    Some(own_residual) => {
                        let mut f = Finished::status(active.cmd, CHECK_CONDITION, own_residual, 0);
                        if status == 0 {
                            let len = program::SENSE_BYTES
                                - (residual as usize).min(program::SENSE_BYTES);
                            // Copied under the lock: once it is dropped, the
                            // next command may reuse the buffer.
                            f.sense_len = self.copy_sense(&mut f.sense[..len]);
                        }
                        Some(f)
                    }
                }
            }
            Step::Failed { why, reset } => {
                let active = slot.active.take()?;
                if reset {
                    self.reset_chip_and_bus();
                }
                Some(match active.sensing {
                    // The command itself ended with CHECK CONDITION; only its
                    // REQUEST SENSE failed: the midlayer gets the status
                    // without sense data and asks for it itself.
                    Some(own_residual) => {
                        Finished::status(active.cmd, CHECK_CONDITION, own_residual, 0)
                    }
                    None => Finished {
                        cmd: active.cmd,
                        outcome: Outcome::Failed(why),
                        status: 0,
                        residual: active.program.total(),
                        sense: [0; program::SENSE_BYTES],
                        sense_len: 0,
                    },
                })
            }
        }
    }

    /// Copies the sense data the chip's REQUEST SENSE left in the buffer
    /// into `out`; returns how many bytes it copied. Called with the slot's
    /// lock held and the chip stopped.
    fn copy_sense(&self, out: &mut [u8]) -> usize {
        // SAFETY: The chip stopped on the interrupt that finished the
        // REQUEST SENSE and runs nothing until the next command starts,
        // which needs the slot's lock the caller holds.
        let buf = unsafe { self.buffer.as_ref() };
        match buf.get(program::SENSE..program::SENSE + out.len()) {
            Some(src) => {
                out.copy_from_slice(src);
                out.len()
            }
            None => 0,
        }
    }

    /// Waits for a running interrupt handler to finish, completion
    /// included: after it, a command not in the slot is back with the
    /// midlayer.
    fn sync_irq(&self) {
        // SAFETY: `self.irq` is the interrupt this chip's handler is
        // registered for, for as long as `self` exists; called from the error
        // handler's process context, never from the handler.
        unsafe { kernel::bindings::synchronize_irq(self.irq) };
    }
}

/// A command the chip is done with, and its sense data (copied out of the
/// DMA buffer under the lock).
struct Finished {
    cmd: Command,
    outcome: Outcome,
    status: u8,
    residual: u32,
    sense: [u8; program::SENSE_BYTES],
    sense_len: usize,
}

impl Finished {
    fn status(cmd: Command, status: u8, residual: u32, sense_len: usize) -> Self {
        Finished {
            cmd,
            outcome: Outcome::Status,
            status,
            residual,
            sense: [0; program::SENSE_BYTES],
            sense_len,
        }
    }

    /// Gives the command back to the midlayer (without the slot's lock:
    /// `scsi_done` may start the next one).
    fn complete(self) {
        let sense = self.sense.get(..self.sense_len).unwrap_or(&[]);
        self.cmd
            .complete(self.outcome, self.status, self.residual, sense);
    }
}

impl HostOps for Chip<'_> {
    fn queue(&self, mut cmd: Command) -> Result<(), Command> {
        let info = cmd.info();
        let length = info.length;
        let refuse = if info.channel != 0 || info.target > 7 || info.target == self.own_id.into() {
            Some(Failure::NoConnect)
        } else if info.lun > 7 || info.direction.is_none() || info.cdb.len() > program::MAX_CDB {
            Some(Failure::Error)
        } else {
            None
        };
        if let Some(why) = refuse {
            cmd.complete(Outcome::Failed(why), 0, length, &[]);
            return Ok(());
        }
        let mut guard = self.slot.lock();
        if guard.active.is_some() {
            return Err(cmd);
        }
        let slot = &mut *guard;
        slot.mapped = match cmd.map(&mut slot.segments) {
            Ok(n) => n,
            Err(e) => {
                drop(guard);
                dev_warn!(self.bar_dev(), "cannot map a command's data: {e:?}\n");
                cmd.complete(Outcome::Failed(Failure::Error), 0, length, &[]);
                return Ok(());
            }
        };
        if let Err(cmd) = self.start(slot, cmd, None) {
            drop(guard);
            cmd.complete(Outcome::Failed(Failure::Error), 0, length, &[]);
        }
        Ok(())
    }

    fn abort(&self, cmd: *const RawCommand) -> bool {
        let mut slot = self.slot.lock();
        let mine = slot.active.as_ref().is_some_and(|a| a.cmd.is(cmd));
        let taken = if mine {
            self.reset_chip_and_bus();
            slot.active.take()
        } else {
            None
        };
        drop(slot);
        match taken {
            Some(a) => {
                dev_warn!(
                    self.bar_dev(),
                    "abort: command stopped, chip and bus reset\n"
                );
                a.cmd.give_up();
            }
            // Not running: done, or being completed by a handler that took
            // it out of the slot; that handler must be finished with it
            // before the error handler reuses it.
            None => self.sync_irq(),
        }
        true
    }

    fn reset(&self, whole_chip: bool, from_ioctl: bool) -> bool {
        let mut slot = self.slot.lock();
        self.reset_chip_and_bus();
        let taken = slot.active.take();
        drop(slot);
        // The chip is reset: no handler completes anything after this.
        self.sync_irq();
        dev_warn!(
            self.bar_dev(),
            "{} reset by {}\n",
            if whole_chip { "chip and bus" } else { "bus" },
            if from_ioctl {
                "SG_SCSI_RESET"
            } else {
                "the error handler"
            }
        );
        if let Some(a) = taken {
            if from_ioctl {
                // Normal I/O: the midlayer retries a DID_RESET command.
                let length = a.cmd.info().length;
                a.cmd
                    .complete(Outcome::Failed(Failure::BusReset), 0, length, &[]);
            } else {
                // The error handler owns every command while it runs.
                a.cmd.give_up();
            }
        }
        true
    }
}

impl Chip<'_> {
    fn bar_dev(&self) -> &kernel::device::Device {
        self.pdev.as_ref()
    }
}

impl irq::Handler for Chip<'_> {
    fn handle(&self) -> IrqReturn {
        let istat = self.bar.read(regs::ISTAT);
        if !istat.dip() && !istat.sip() {
            // The line is shared: not ours.
            return IrqReturn::None;
        }
        let finished = {
            let mut slot = self.slot.lock();
            self.service(&mut slot, istat)
        };
        if let Some(f) = finished {
            f.complete();
        }
        IrqReturn::Handled
    }
}

/// Soft-resets the chip through ISTAT.SRST (set, then clear).
fn soft_reset(bar: &Bar<'_>) {
    bar.write_reg(regs::ISTAT::zeroed().with_srst(true));
    udelay(Delta::from_micros(10));
    bar.write_reg(regs::ISTAT::zeroed());
}

fn read_reset_state(bar: &Bar<'_>) -> ResetState {
    ResetState {
        scntl0: bar.read(regs::SCNTL0).into(),
        scid: bar.read(regs::SCID).into(),
        istat: bar.read(regs::ISTAT).into(),
        dstat: bar.read(regs::DSTAT).into(),
        ctest2: bar.read(regs::CTEST2).into(),
        ctest3: bar.read(regs::CTEST3).into(),
    }
}

/// Reads every register of the map that has no read side effect.
fn dump_registers(bar: &Bar<'_>) -> [u32; regs::DUMPED.len()] {
    let mut v = [0u32; regs::DUMPED.len()];
    for (r, v) in regs::DUMPED.iter().zip(v.iter_mut()) {
        *v = match r.bytes {
            1 => bar.try_read8(r.offset).map(u32::from),
            2 => bar.try_read16(r.offset).map(u32::from),
            _ => bar.try_read32(r.offset),
        }
        .unwrap_or(u32::MAX);
    }
    v
}

fn probe_error(pdev: &pci::Device, e: ProbeError) -> Error {
    dev_err!(
        pdev,
        "probe failed: {} (value {:#x})\n",
        e.describe(),
        e.value()
    );
    ENODEV
}

/// Runs the SCRIPTS self-test: `INT SELFTEST_VECTOR`, fetched by DMA from
/// the program buffer; returns how long the round trip took.
fn self_test(pdev: &pci::Device<Bound>, chip: &Chip<'_>) -> Result<i64> {
    // SAFETY: The chip runs nothing yet and the SCSI host does not exist:
    // nobody else uses the buffer.
    let buf = unsafe { chip.buffer.as_mut() };
    let [w0, w1] = ncr810::scripts::int(SELFTEST_VECTOR, ncr810::scripts::Condition::ALWAYS);
    buf[..4].copy_from_slice(&w0.to_le_bytes());
    buf[4..8].copy_from_slice(&w1.to_le_bytes());
    let start = kernel::time::Instant::<kernel::time::Monotonic>::now();
    chip.bar.write_reg(regs::DIEN::from(dstat::SIR));
    chip.bar
        .write_reg(regs::DSP::zeroed().with_address(chip.buffer_addr));
    let seen = read_poll_timeout(
        || Ok(chip.selftest_count.load(Acquire)),
        |n| *n > 0,
        Delta::from_millis(1),
        SELFTEST_TIMEOUT,
    );
    chip.bar.write_reg(regs::DIEN::from(0u8));
    if seen.is_err() {
        soft_reset(&chip.bar);
        dev_err!(
            pdev,
            "probe failed: self-test got no interrupt within {} ms\n",
            SELFTEST_TIMEOUT.as_millis()
        );
        return Err(ETIMEDOUT);
    }
    let elapsed = start.elapsed().as_nanos();
    let dstat_seen = chip.selftest_dstat.load(Relaxed) as u8;
    let dsps = chip.selftest_dsps.load(Relaxed);
    ncr810::chip::check_selftest(dstat_seen, dsps, SELFTEST_VECTOR)
        .map_err(|e| probe_error(pdev, e))?;
    dev_info!(
        pdev,
        "self-test: SCRIPTS INT {:#x} from DMA buffer {:#x} raised IRQ {} (DSTAT {:#04x}, DSPS {:#x}) in {} us\n",
        SELFTEST_VECTOR,
        chip.buffer_addr,
        chip.irq,
        dstat_seen,
        dsps,
        elapsed / 1000
    );
    Ok(elapsed)
}

/// A bound NCR 53C810.
///
/// Fields drop in declaration order: the debugfs file first (an open file
/// holds the module, not the device: see [`OwnedFile`]), then the SCSI host
/// (its removal lets commands in flight finish, so the interrupt is still
/// there), then the interrupt with the chip state, then the vectors.
#[pin_data(PinnedDrop)]
struct Ncr810<'bound> {
    state: OwnedFile<ChipState>,
    host: Host,
    selftest: SelfTest,
    #[pin]
    irq: irq::Registration<'bound, Chip<'bound>>,
    vectors: pci::IrqVectorRegistration<'bound>,
    pci_dev: &'bound pci::Device,
}

struct Ncr810Driver;

impl pci::Driver for Ncr810Driver {
    type IdInfo = ();
    type Data<'bound> = Ncr810<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pin_init::pin_init_scope(move || Self::setup(pdev))
    }

    fn unbind<'bound>(_pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        // The disks go first, while the chip can still finish their
        // commands; then the chip is quiesced before its interrupt and DMA
        // buffer go away.
        this.host.remove();
        let chip = this.irq.handler();
        // The interrupt enables are written after the reset: a reset alone
        // need not lower a pending interrupt (QEMU's model does not).
        soft_reset(&chip.bar);
        chip.bar.write_reg(regs::DIEN::from(0u8));
        chip.bar.write_reg(regs::SIEN0::from(0u8));
        chip.bar.write_reg(regs::SIEN1::from(0u8));
        // With the host removed the midlayer has drained every queue, so
        // nothing runs; a command left would be failed here, while its
        // host still exists, rather than when the chip state is dropped.
        let left = chip.slot.lock().active.take();
        if let Some(a) = left {
            dev_warn!(
                chip.bar_dev(),
                "unbind: a command was still running; failed\n"
            );
            let total = a.program.total();
            a.cmd
                .complete(Outcome::Failed(Failure::Error), 0, total, &[]);
        }
    }
}

impl Ncr810Driver {
    fn setup<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
    ) -> Result<impl PinInit<Ncr810<'bound>, Error> + 'bound> {
        pdev.enable_device_mem()?;
        pdev.set_master();
        let bar_start = pdev.resource_start(MMIO_BAR)?;
        let bar = pdev.iomap_region_sized::<{ regs::SPAN }>(MMIO_BAR, c"rust_ncr810")?;

        soft_reset(&bar);
        let identity = ncr810::chip::validate_reset(&read_reset_state(&bar), pdev.revision_id())
            .map_err(|e| probe_error(pdev, e))?;

        // SAFETY: Called once, in probe, before any DMA allocation of this device.
        unsafe { dma::Device::dma_set_mask_and_coherent(pdev, DmaMask::new::<32>())? };
        let buffer =
            Coherent::<u8>::zeroed_slice(pdev.as_ref(), program::BUFFER_BYTES, GFP_KERNEL)?;
        let buffer_addr = u32::try_from(buffer.dma_address()).map_err(|_| EINVAL)?;

        // From here on only the bound device is needed; the initializer must
        // not capture the probe-time `Core` context.
        let pdev: &'bound pci::Device<Bound> = pdev;
        let dir_name = CString::try_from_fmt(fmt!("rust_ncr810-{}", pdev.as_ref().name()))?;

        Ok(try_pin_init!(&this in Ncr810 {
            vectors: pdev.alloc_irq_vectors(1, 1, pci::IrqTypes::default().with(pci::IrqType::Intx))?,
            pci_dev: pdev,
            irq <- {
                // SAFETY: `vectors` is initialized above and lives in the same pinned
                // allocation as `irq`, which is declared (so dropped) before it; the
                // reference never outlives `'bound`, for which `vectors` is valid.
                let vectors: &'bound pci::IrqVectorRegistration<'bound> =
                    unsafe { &(*this.as_ptr()).vectors };
                let request: IrqRequest<'bound> = vectors.index(0)?.into();
                let irq_number = request.irq();
                // SAFETY: The registration is part of the driver data, which the
                // driver core drops; it is never forgotten.
                unsafe {
                    irq::Registration::new(
                        request,
                        irq::Flags::SHARED,
                        c"rust_ncr810",
                        try_pin_init!(Chip {
                            pdev,
                            bar,
                            irq: irq_number,
                            own_id: identity.scsi_id,
                            buffer,
                            buffer_addr,
                            slot <- new_spinlock_irq!(Slot {
                                active: None,
                                segments: [Segment::default(); program::MAX_SEGMENTS],
                                mapped: 0,
                            }, "rust_ncr810::slot"),
                            selftest_count: Atomic::new(0),
                            selftest_dstat: Atomic::new(0),
                            selftest_dsps: Atomic::new(0),
                        }? Error),
                    )
                }
            },
            selftest: {
                let chip = irq.handler();
                let ns = self_test(pdev, chip)?;
                dev_info!(pdev,
                    "NCR 53C810 rev {:#04x} (CTEST3 rev {}), BAR{} MMIO {:#x}, SCSI ID {}, IRQ {}\n",
                    identity.pci_revision, identity.chip_revision, MMIO_BAR, bar_start,
                    identity.scsi_id, chip.irq);
                let dump = dump_registers(&chip.bar);
                chip.reset_chip_and_bus();
                SelfTest { ns, dump }
            },
            host: {
                let chip = irq.handler();
                // SAFETY: `chip` lives in the driver data, pinned, until after the
                // host: `host` is declared before `irq`, and `unbind` removes it
                // before the chip is quiesced.
                let host = unsafe {
                    Host::register(
                        pdev.as_ref(),
                        chip,
                        program::MAX_SEGMENTS as u16,
                        MAX_SECTORS,
                        program::MAX_CDB as u8,
                        identity.scsi_id,
                    )?
                };
                dev_info!(pdev,
                    "SCSI host {}: one command at a time, {} segments, {} KiB per command\n",
                    host.number(), program::MAX_SEGMENTS, MAX_SECTORS / 2);
                host
            },
            state: OwnedFile::new(&dir_name, c"state", ChipState {
                identity,
                bar_start,
                irq: irq.handler().irq,
                scsi_host: host.number(),
                selftest: *selftest,
            })?,
        }))
    }
}

#[pinned_drop]
impl PinnedDrop for Ncr810<'_> {
    fn drop(self: Pin<&mut Self>) {
        dev_info!(
            self.pci_dev,
            "remove: chip reset; freeing IRQ {}, the {}-byte DMA buffer and BAR{}\n",
            self.irq.handler().irq,
            self.irq.handler().buffer.size(),
            MMIO_BAR
        );
    }
}

kernel::module_pci_driver! {
    type: Ncr810Driver,
    name: "rust_ncr810",
    authors: ["rust_ncr810_stub authors"],
    description: "SCSI host driver for the NCR 53C810 (one command at a time)",
    license: "GPL",
}
