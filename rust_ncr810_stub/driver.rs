// SPDX-License-Identifier: GPL-2.0

//! The PCI driver: probe, the host's entry points, unbind.

use kernel::{
    device::{
        Bound,
        Core, //
    },
    dma::Coherent,
    new_mutex, new_spinlock_irq, pci,
    prelude::*,
    str::CString,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Mutex, //
    },
};

use ncr810::program;

use crate::{
    bringup,
    chip::{
        self,
        Chip,
        Slots,
        Task, //
    },
    debugfs_file::ReadOnlyFile,
    regs,
    resources::{
        self,
        Enabled,
        Interrupt, //
    },
    scsi::{
        Command,
        CommandId,
        HostByte,
        HostLimits,
        HostOps,
        Outcome,
        PciHostDriver,
        ResetScope, //
    },
    selftest::{
        self,
        ChipState,
        SelfTest, //
    },
    MMIO_BAR,
};

/// The largest command, in 512-byte sectors (1 MiB: 256 segments of a
/// page, [`program::MAX_SEGMENTS`]).
const MAX_SECTORS: u32 = 2048;

kernel::pci_device_table!(
    PCI_TABLE,
    <Ncr810Driver as PciHostDriver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::LSI_LOGIC, 0x0001), ())]
);

/// The driver.
pub(crate) struct Ncr810Driver;

/// A bound NCR 53C810: the driver's data, which its SCSI host calls.
///
/// Fields drop in declaration order: the debugfs file first (its removal
/// drains the reads of the state; see [`ReadOnlyFile`]), then the
/// interrupt with the chip, then the vectors, and last the device's
/// enable (bus mastering off, device disabled). The host is removed before
/// any of them (`scsi::PciHost`).
#[pin_data(PinnedDrop)]
pub(crate) struct Ncr810<'bound> {
    state: ReadOnlyFile<ChipState>,
    #[pin]
    irq: Interrupt<'bound, Chip<'bound>>,
    pdev: &'bound pci::Device,
    _enabled: Enabled<'bound>,
    /// Held across each task-management request (abort, device and target
    /// reset, bus and host reset) and the ending of the commands it took.
    /// The midlayer's asynchronous abort, its error handler and
    /// `SG_SCSI_RESET` may each call at any time, and a request that finds
    /// its command gone answers that it ended: it must not answer while
    /// another request is still ending the commands it took (a retry of the
    /// command would meet that late completion).
    #[pin]
    tasks: Mutex<()>,
}

/// Who asked for a reset, for its log line.
fn requester(from_ioctl: bool) -> &'static str {
    if from_ioctl {
        "SG_SCSI_RESET"
    } else {
        "the error handler"
    }
}

impl<'bound> Ncr810<'bound> {
    fn chip(&self) -> &Chip<'bound> {
        self.irq.handler()
    }

    /// Sends BUS DEVICE RESET to `target` (IDENTIFY naming `lun`) for the
    /// `what` reset (device or target): every command of the target ends.
    fn bus_device_reset(&self, what: &str, target: u8, lun: u8, from_ioctl: bool) -> bool {
        let _tasks = self.tasks.lock();
        let (ok, taken) = self.chip().task(Task::DeviceReset { target, lun });
        self.irq.synchronize();
        dev_warn!(
            self.pdev,
            "{} reset of target {} by {}: {}, {} command(s) ended\n",
            what,
            target,
            requester(from_ioctl),
            if ok {
                "BUS DEVICE RESET taken"
            } else {
                "failed"
            },
            taken.iter().flatten().count()
        );
        end_taken(taken, from_ioctl);
        ok
    }
}

impl PciHostDriver for Ncr810Driver {
    type IdInfo = ();
    type Data<'bound> = Ncr810<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pin_init::pin_init_scope(move || setup(pdev))
    }

    fn limits(this: &Ncr810<'_>) -> HostLimits {
        HostLimits {
            sg_tablesize: program::MAX_SEGMENTS as u16,
            max_sectors: MAX_SECTORS,
            max_cmd_len: program::MAX_CDB as u8,
            this_id: this.chip().own_id,
            max_id: 8,
            max_lun: 8,
            max_channel: 0,
        }
    }

    fn host_added(this: &Ncr810<'_>, host_no: u32) {
        this.state.data().scsi_host.store(host_no, Relaxed);
        dev_info!(
            this.pdev,
            "SCSI host {}: {} commands at once (tagged), {} segments, {} KiB per command\n",
            host_no,
            chip::SLOTS,
            program::MAX_SEGMENTS,
            MAX_SECTORS / 2
        );
    }

    fn unbind<'bound>(_pdev: &'bound pci::Device<Core<'_>>, this: &Ncr810<'bound>) {
        // The host is removed: the chip is quiesced before its interrupt
        // and DMA buffer go away.
        let chip = this.chip();
        bringup::quiesce(&chip.bar);
        // With the host removed the midlayer has drained every queue, so
        // nothing runs; a command left would be failed here, while its
        // host still exists, rather than when the chip state is dropped.
        chip.fail_leftovers();
    }
}

fn setup<'bound>(
    pdev: &'bound pci::Device<Core<'_>>,
) -> Result<impl PinInit<Ncr810<'bound>, Error> + 'bound> {
    let enabled = Enabled::new(pdev)?;
    let bar_start = pdev.resource_start(MMIO_BAR)?;
    let bar = pdev.iomap_region_sized::<{ regs::SPAN }>(MMIO_BAR, c"rust_ncr810")?;
    let identity = bringup::identify(pdev, &bar)?;

    resources::set_dma_mask(pdev)?;
    let buffer = Coherent::<u8>::zeroed_slice(pdev.as_ref(), chip::BUFFER_BYTES, GFP_KERNEL)?;
    let buffer_addr = u32::try_from(buffer.dma_address()).map_err(|_| EINVAL)?;
    let slots = Slots::new()?;

    // From here on only the bound device is needed; the initializer must
    // not capture the probe-time `Core` context.
    let pdev: &'bound pci::Device<Bound> = pdev;
    let dir_name = CString::try_from_fmt(fmt!("rust_ncr810-{}", pdev.as_ref().name()))?;

    Ok(try_pin_init!(Ncr810 {
        irq <- Interrupt::new(pdev, c"rust_ncr810", move |irq| try_pin_init!(Chip {
            pdev,
            bar,
            irq,
            own_id: identity.scsi_id,
            buffer,
            buffer_addr,
            slots <- new_spinlock_irq!(slots, "rust_ncr810::slots"),
            selftest_count: Atomic::new(0),
            selftest_dstat: Atomic::new(0),
            selftest_dsps: Atomic::new(0),
        }? Error)),
        state: {
            let chip = irq.handler();
            let selftest: SelfTest = selftest::run(pdev, chip)?;
            dev_info!(pdev,
                "NCR 53C810 rev {:#04x} (CTEST3 rev {}), BAR{} MMIO {:#x}, SCSI ID {}, IRQ {}\n",
                identity.pci_revision, identity.chip_revision, MMIO_BAR, bar_start,
                identity.scsi_id, chip.irq);
            chip.reset_chip_and_bus();
            ReadOnlyFile::new(&dir_name, c"state", ChipState {
                identity,
                bar_start,
                irq: chip.irq,
                scsi_host: Atomic::new(0),
                selftest,
            })?
        },
        pdev,
        _enabled: enabled,
        tasks <- new_mutex!((), "rust_ncr810::tasks"),
    }))
}

impl HostOps for Ncr810<'_> {
    type OwnerModule = crate::LocalModule;
    const NAME: &'static CStr = c"rust_ncr810";
    const CAN_QUEUE: u16 = chip::SLOTS as u16;
    /// The queue depth a device starts with (`queue_depth` in sysfs
    /// changes it, up to `can_queue`).
    const CMD_PER_LUN: u16 = chip::SLOTS as u16;
    /// The chip addresses 32 bits.
    const DMA_BOUNDARY: usize = 0xffff_ffff;
    /// A block move counts 24 bits, but with a virtual boundary the
    /// midlayer takes no other limit than `u32::MAX`: a command's
    /// `MAX_SECTORS` (1 MiB) bound its segments below the 24 bits instead.
    const MAX_SEGMENT_SIZE: u32 = u32::MAX;
    /// Page-sized segments: see [`program::MAX_SEGMENTS`].
    const VIRT_BOUNDARY: usize = 4095;

    fn queue(&self, cmd: Command) -> Result<(), Command> {
        self.chip().queue(cmd)
    }

    fn abort(&self, cmd: CommandId) -> bool {
        let _tasks = self.tasks.lock();
        let (ok, taken) = self.chip().task(Task::Abort(cmd));
        let n = taken.iter().flatten().count();
        // The error handler owns the aborted command. The abort runs beside
        // normal I/O (the midlayer's asynchronous abort of a timed-out
        // command): the other commands a failed abort's chip and bus reset
        // took are live, and are completed as the bus reset ended them
        // (normal I/O retries them); one whose own timer expired is the
        // error handler's too.
        for taken in taken.into_iter().flatten() {
            if taken.id() == cmd || taken.timed_out() {
                taken.give_up();
            } else {
                let length = taken.info().length;
                taken.complete(Outcome::Failed(HostByte::BusReset), length, &[]);
            }
        }
        // A command no longer in a slot is done, or being completed by a
        // handler that took it out; that handler must be finished with it
        // before the error handler reuses it.
        self.irq.synchronize();
        if n > 0 {
            dev_warn!(
                self.pdev,
                "abort: {}\n",
                if ok {
                    "the target took ABORT; the command ended alone"
                } else {
                    "ABORT failed; chip and bus reset"
                }
            );
        }
        ok
    }

    fn reset_device(&self, target: u8, lun: u8, from_ioctl: bool) -> bool {
        self.bus_device_reset("device", target, lun, from_ioctl)
    }

    /// A BUS DEVICE RESET resets the whole target, all its logical units:
    /// the same message as the device reset (sym53c8xx's target reset
    /// sends it too). Without this handler the midlayer goes from the
    /// device reset straight to a bus reset, which every other target sees.
    fn reset_target(&self, target: u8, lun: u8, from_ioctl: bool) -> bool {
        self.bus_device_reset("target", target, lun, from_ioctl)
    }

    fn reset(&self, scope: ResetScope, from_ioctl: bool) -> bool {
        let _tasks = self.tasks.lock();
        let taken = self.chip().reset();
        // The chip is reset: no handler completes anything after this.
        self.irq.synchronize();
        dev_warn!(
            self.pdev,
            "{} reset by {}: {} command(s) ended\n",
            match scope {
                ResetScope::Host => "chip and bus",
                ResetScope::Bus => "bus",
            },
            requester(from_ioctl),
            taken.iter().flatten().count()
        );
        end_taken(taken, from_ioctl);
        true
    }
}

/// Ends the commands a reset took from the chip: each exactly once.
fn end_taken(taken: [Option<Command>; chip::SLOTS], from_ioctl: bool) {
    for cmd in taken.into_iter().flatten() {
        // A command whose timer expired is the error handler's, whoever
        // asked for the reset.
        if from_ioctl && !cmd.timed_out() {
            // Normal I/O: the midlayer retries a DID_RESET command.
            let length = cmd.info().length;
            cmd.complete(Outcome::Failed(HostByte::BusReset), length, &[]);
        } else {
            // The error handler owns every command while it runs, and
            // one that timed out at any time.
            cmd.give_up();
        }
    }
}

#[pinned_drop]
impl PinnedDrop for Ncr810<'_> {
    fn drop(self: Pin<&mut Self>) {
        dev_info!(
            self.pdev,
            "remove: chip reset; freeing IRQ {}, the {}-byte DMA buffer and BAR{}\n",
            self.chip().irq,
            self.chip().buffer.size(),
            MMIO_BAR
        );
    }
}
