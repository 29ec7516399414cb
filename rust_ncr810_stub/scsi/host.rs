// SPDX-License-Identifier: GPL-2.0

//! The host: its template, its registration, and the midlayer's entry
//! points into the driver.

use core::{
    marker::PhantomData,
    ptr::NonNull,
    sync::atomic::{
        AtomicBool,
        Ordering, //
    },
};

use kernel::{
    device::{
        Bound,
        Core,
        Device, //
    },
    error::to_result,
    ffi::{
        c_int, //
    },
    module::this_module,
    pci,
    prelude::*,
    str::{
        as_char_ptr_in_const_context,
        CStr, //
    },
    ModuleMetadata, //
};

use super::{
    bindings,
    command::{
        Command,
        CommandId, //
    },
};

/// What an error handler's reset covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResetScope {
    /// The SCSI bus (`eh_bus_reset_handler`).
    Bus,
    /// The whole host adapter and its bus (`eh_host_reset_handler`).
    Host,
}

/// What the midlayer calls: implemented by the driver's data.
///
/// The constants are the host template's; they are the same for every host
/// of the driver. What depends on the probed device is in [`HostLimits`].
pub(crate) trait HostOps: Sync {
    /// The module a host belongs to: an open disk on the host holds it.
    type OwnerModule: ModuleMetadata;
    /// The host's name (`proc_name`, and the log's).
    const NAME: &'static CStr;
    /// Commands the host takes at once.
    const CAN_QUEUE: u16;
    /// Commands the host takes at once for one device.
    const CMD_PER_LUN: u16;
    /// No DMA segment crosses a multiple of this plus one.
    const DMA_BOUNDARY: usize;
    /// The longest DMA segment (`u32::MAX` with a [`Self::VIRT_BOUNDARY`]:
    /// the midlayer requires it).
    const MAX_SEGMENT_SIZE: u32;
    /// If not 0, a mask of the boundary no gap between two segments may
    /// cross: every segment but the first starts on it, and every one but
    /// the last ends on it (the block layer splits or bounces what does
    /// not fit).
    const VIRT_BOUNDARY: usize;

    /// Starts `cmd`, or hands it back if the host is busy (the midlayer
    /// retries it later).
    fn queue(&self, cmd: Command) -> Result<(), Command>;
    /// The error handler wants `cmd` back: take it from the hardware if it
    /// is running there. Returns whether the abort succeeded.
    fn abort(&self, cmd: CommandId) -> bool;
    /// Resets one target (`eh_device_reset_handler`): its commands end as
    /// [`HostOps::reset`]'s do, other targets' go on. Returns whether the
    /// reset succeeded.
    fn reset_device(&self, target: u8, lun: u8, from_ioctl: bool) -> bool;
    /// Resets one target with all its logical units
    /// (`eh_target_reset_handler`, tried before the bus reset: by the error
    /// handler after a failed device reset, and by `SG_SCSI_RESET_TARGET`);
    /// `lun` is the unit the request came through. As
    /// [`HostOps::reset_device`] otherwise.
    fn reset_target(&self, target: u8, lun: u8, from_ioctl: bool) -> bool;
    /// Resets the bus, or the host and its bus. A running command is given
    /// up when the error handler asks (it owns every outstanding command),
    /// and failed with [`HostByte::BusReset`](super::HostByte::BusReset)
    /// when `from_ioctl` (`SG_SCSI_RESET`: normal I/O goes on around it, and
    /// nobody else would complete it). Returns whether the reset succeeded.
    fn reset(&self, scope: ResetScope, from_ioctl: bool) -> bool;
}

/// A host's limits, known once its device is probed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HostLimits {
    /// Segments per command.
    pub(crate) sg_tablesize: u16,
    /// 512-byte sectors per command.
    pub(crate) max_sectors: u32,
    /// The longest CDB (the midlayer fails longer ones itself).
    pub(crate) max_cmd_len: u8,
    /// The host's own SCSI ID on its bus.
    pub(crate) this_id: u8,
    /// Target IDs: `0..max_id`.
    pub(crate) max_id: u32,
    /// LUNs: `0..max_lun`.
    pub(crate) max_lun: u64,
    /// The highest channel number.
    pub(crate) max_channel: u32,
}

/// The template of `T`'s hosts: a constant per implementing type.
struct Template<T>(PhantomData<T>);

impl<T: HostOps> Template<T> {
    const TEMPLATE: bindings::scsi_host_template = bindings::scsi_host_template {
        module: this_module::<T::OwnerModule>().as_ptr().cast(),
        name: as_char_ptr_in_const_context(T::NAME).cast(),
        proc_name: as_char_ptr_in_const_context(T::NAME).cast(),
        queuecommand: Some(queuecommand::<T>),
        eh_abort_handler: Some(eh_abort::<T>),
        eh_device_reset_handler: Some(eh_device_reset::<T>),
        eh_target_reset_handler: Some(eh_target_reset::<T>),
        // The midlayer's own: `queue_depth` in sysfs is writable.
        change_queue_depth: Some(bindings::scsi_change_queue_depth),
        eh_bus_reset_handler: Some(eh_bus_reset::<T>),
        eh_host_reset_handler: Some(eh_host_reset::<T>),
        can_queue: T::CAN_QUEUE as c_int,
        cmd_per_lun: T::CMD_PER_LUN as i16,
        dma_boundary: T::DMA_BOUNDARY,
        max_segment_size: T::MAX_SEGMENT_SIZE,
        virt_boundary_mask: T::VIRT_BOUNDARY,
        // SAFETY: Every other field of the template is an integer, a raw
        // pointer, an `Option` of a function pointer or a bitfield: zero is
        // valid for each and means "not set", as in a C initializer.
        ..unsafe { core::mem::zeroed() }
    };

    fn get() -> &'static bindings::scsi_host_template {
        &Self::TEMPLATE
    }
}

/// A host added to the midlayer.
///
/// # Invariants
///
/// `shost` came from `scsi_host_alloc` and was added with
/// `scsi_add_host_with_dma`; this value holds the allocation's reference.
/// Its private data points to the [`HostOps`] it was added for, which stays
/// valid until the host is removed.
struct Host {
    shost: NonNull<bindings::Scsi_Host>,
    removed: AtomicBool,
}

// SAFETY: The midlayer's host may be removed and released from any process
// context.
unsafe impl Send for Host {}
// SAFETY: Through `&Host` only `number` (a read of a field fixed at
// allocation) and `remove` (once, guarded by `removed`) run; both may run
// on any thread.
unsafe impl Sync for Host {}

impl Host {
    /// Allocates a host for `ops`, adds it under `dev` and scans its bus.
    ///
    /// # Safety
    ///
    /// `ops` must stay valid, and able to take commands, until the host is
    /// removed ([`Host::remove`], or the drop).
    unsafe fn add<T: HostOps>(dev: &Device<Bound>, ops: &T, limits: &HostLimits) -> Result<Host> {
        let size = core::mem::size_of::<*const T>() as c_int;
        // SAFETY: The template is a constant of `T`'s, valid for the
        // module's lifetime, which every host holds.
        let shost = unsafe { bindings::scsi_host_alloc(Template::<T>::get(), size) };
        let shost = NonNull::new(shost).ok_or(ENOMEM)?;
        let raw = shost.as_ptr();
        // SAFETY: `raw` is a fresh host, not yet added: nothing else reads
        // it. Its private data has room for one pointer, asked for above.
        unsafe {
            bindings::rust_ncr810_shost_priv(raw)
                .cast::<*const T>()
                .write(core::ptr::from_ref(ops));
            (*raw).sg_tablesize = limits.sg_tablesize;
            (*raw).max_sectors = limits.max_sectors;
            (*raw).max_cmd_len = u16::from(limits.max_cmd_len);
            (*raw).this_id = c_int::from(limits.this_id);
            (*raw).max_id = limits.max_id;
            (*raw).max_lun = limits.max_lun;
            (*raw).max_channel = limits.max_channel;
        }
        // `Device` is a transparent wrapper of `struct device`.
        let dev = core::ptr::from_ref(dev)
            .cast_mut()
            .cast::<bindings::device>();
        // SAFETY: `raw` is a fresh host; `dev` is a bound device that
        // outlives it (the host is removed before the driver unbinds). The
        // DMA device is the device itself, as `scsi_add_host` has it.
        let ret = unsafe { bindings::scsi_add_host_with_dma(raw, dev, dev) };
        if let Err(e) = to_result(ret) {
            // SAFETY: `raw` was never added; this drops the only reference.
            unsafe { bindings::scsi_host_put(raw) };
            return Err(e);
        }
        // SAFETY: The host is added.
        unsafe { bindings::scsi_scan_host(raw) };
        // INVARIANT: allocated, added, its private data points to `ops`.
        Ok(Host {
            shost,
            removed: AtomicBool::new(false),
        })
    }

    /// The midlayer's host number (`scsi<N>` in the log, `host<N>` in sysfs).
    fn number(&self) -> u32 {
        // SAFETY: The host is allocated until the drop (type invariant).
        unsafe { (*self.shost.as_ptr()).host_no }
    }

    /// Removes the host: its devices go away, commands in flight complete
    /// or fail, and the midlayer calls no entry point after it returns.
    /// Later calls do nothing.
    fn remove(&self) {
        if !self.removed.swap(true, Ordering::AcqRel) {
            // SAFETY: The host was added (type invariant) and not removed yet.
            unsafe { bindings::scsi_remove_host(self.shost.as_ptr()) };
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.remove();
        // SAFETY: Removed above; this drops the reference the value holds.
        unsafe { bindings::scsi_host_put(self.shost.as_ptr()) };
    }
}

/// The [`HostOps`] behind `shost`'s private data, for the call being served.
///
/// # Safety
///
/// `shost` is a host [`Host::add`] added for a `T`, not yet removed.
unsafe fn ops_of<'a, T: HostOps>(shost: *mut bindings::Scsi_Host) -> &'a T {
    // SAFETY: The private data holds the pointer `Host::add` wrote, to a `T`
    // valid until the host is removed (the caller's guarantee); the
    // midlayer calls no entry point after that.
    unsafe { &**bindings::rust_ncr810_shost_priv(shost).cast::<*const T>() }
}

/// The host a command the error handler holds belongs to.
///
/// # Safety
///
/// `cmd` is a command of a live host, handed to an error handler.
unsafe fn host_of(cmd: *mut bindings::scsi_cmnd) -> *mut bindings::Scsi_Host {
    // SAFETY: A command's device and its host outlive the command.
    unsafe { (*(*cmd).device).host }
}

/// Whether `cmd` is the one `SG_SCSI_RESET` made (not the error handler's).
///
/// # Safety
///
/// `cmd` is a command handed to an error handler.
unsafe fn from_reset_ioctl(cmd: *mut bindings::scsi_cmnd) -> bool {
    // SAFETY: `submitter` is set before the command reaches the driver.
    unsafe { (*cmd).submitter == bindings::scsi_cmnd_submitter_SUBMITTED_BY_SCSI_RESET_IOCTL }
}

fn disposition(ok: bool) -> c_int {
    (if ok {
        bindings::scsi_disposition_SUCCESS
    } else {
        bindings::scsi_disposition_FAILED
    }) as c_int
}

/// `queuecommand`.
///
/// # Safety
///
/// Called by the midlayer through `T`'s template, for a host added for a
/// `T` and not removed, with a command it hands over.
unsafe extern "C" fn queuecommand<T: HostOps>(
    shost: *mut bindings::Scsi_Host,
    cmd: *mut bindings::scsi_cmnd,
) -> bindings::scsi_qc_status {
    // SAFETY: The midlayer calls `queuecommand` through `T`'s template
    // only for hosts `Host::add` added for a `T`, and not after their
    // removal returned.
    let ops = unsafe { ops_of::<T>(shost) };
    let Some(cmd) = NonNull::new(cmd) else {
        return 0;
    };
    // SAFETY: The midlayer just handed `cmd` over, unmapped.
    let cmd = unsafe { Command::from_queued(cmd) };
    match ops.queue(cmd) {
        Ok(()) => 0,
        Err(cmd) => {
            cmd.hand_back();
            bindings::scsi_qc_status_SCSI_MLQUEUE_HOST_BUSY
        }
    }
}

/// `eh_abort_handler`.
///
/// # Safety
///
/// Called by the midlayer's error handler through `T`'s template, with a
/// command of a host added for a `T` and not removed.
unsafe extern "C" fn eh_abort<T: HostOps>(cmd: *mut bindings::scsi_cmnd) -> c_int {
    // SAFETY: The error handler calls `eh_abort_handler` through `T`'s
    // template with a command of a live host added for a `T`; the host's
    // removal waits for the error handler.
    let ops = unsafe { ops_of::<T>(host_of(cmd)) };
    disposition(ops.abort(CommandId::new(cmd)))
}

/// The host, whether the request is `SG_SCSI_RESET`'s, and the target and
/// LUN of `cmd`'s device: what the device and target reset handlers need.
/// `None` for a target or LUN past 255 (the host's limits keep both below
/// 8).
///
/// # Safety
///
/// As [`eh_abort`]'s: a command of a live host added for a `T`.
unsafe fn reset_request<'a, T: HostOps>(
    cmd: *mut bindings::scsi_cmnd,
) -> Option<(&'a T, bool, u8, u8)> {
    // SAFETY: `cmd` belongs to a live host added for a `T` (the function's
    // safety section); its device outlives it.
    let (ops, ioctl, target, lun) = unsafe {
        let dev = (*cmd).device;
        (
            ops_of::<T>(host_of(cmd)),
            from_reset_ioctl(cmd),
            (*dev).id,
            (*dev).lun,
        )
    };
    Some((
        ops,
        ioctl,
        u8::try_from(target).ok()?,
        u8::try_from(lun).ok()?,
    ))
}

/// `eh_device_reset_handler`.
///
/// # Safety
///
/// As [`eh_abort`]'s: a command of a live host added for a `T`.
unsafe extern "C" fn eh_device_reset<T: HostOps>(cmd: *mut bindings::scsi_cmnd) -> c_int {
    // SAFETY: `cmd` is a command of a live host added for a `T` (this
    // function's safety section), what `reset_request` asks.
    let request = unsafe { reset_request::<T>(cmd) };
    disposition(
        request.is_some_and(|(ops, ioctl, target, lun)| ops.reset_device(target, lun, ioctl)),
    )
}

/// `eh_target_reset_handler`.
///
/// # Safety
///
/// As [`eh_abort`]'s: a command of a live host added for a `T`.
unsafe extern "C" fn eh_target_reset<T: HostOps>(cmd: *mut bindings::scsi_cmnd) -> c_int {
    // SAFETY: `cmd` is a command of a live host added for a `T` (this
    // function's safety section), what `reset_request` asks.
    let request = unsafe { reset_request::<T>(cmd) };
    disposition(
        request.is_some_and(|(ops, ioctl, target, lun)| ops.reset_target(target, lun, ioctl)),
    )
}

/// `eh_bus_reset_handler`.
///
/// # Safety
///
/// As [`eh_abort`]'s: a command of a live host added for a `T`.
unsafe extern "C" fn eh_bus_reset<T: HostOps>(cmd: *mut bindings::scsi_cmnd) -> c_int {
    // SAFETY: `cmd` belongs to a live host added for a `T` (the function's
    // safety section).
    let (ops, ioctl) = unsafe { (ops_of::<T>(host_of(cmd)), from_reset_ioctl(cmd)) };
    disposition(ops.reset(ResetScope::Bus, ioctl))
}

/// `eh_host_reset_handler`.
///
/// # Safety
///
/// As [`eh_abort`]'s: a command of a live host added for a `T`.
unsafe extern "C" fn eh_host_reset<T: HostOps>(cmd: *mut bindings::scsi_cmnd) -> c_int {
    // SAFETY: `cmd` belongs to a live host added for a `T` (the function's
    // safety section).
    let (ops, ioctl) = unsafe { (ops_of::<T>(host_of(cmd)), from_reset_ioctl(cmd)) };
    disposition(ops.reset(ResetScope::Host, ioctl))
}

/// A PCI driver whose devices are SCSI hosts: what the driver implements
/// for [`PciHost`].
pub(crate) trait PciHostDriver: 'static {
    /// As [`pci::Driver::IdInfo`].
    type IdInfo: 'static;
    /// The driver's data for a bound device; the host's entry points call it.
    type Data<'bound>: HostOps + Send + 'bound;
    /// As [`pci::Driver::ID_TABLE`].
    const ID_TABLE: pci::IdTable<Self::IdInfo>;

    /// Probes the device; the host is added for the data once it is
    /// initialized.
    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound;

    /// The limits of the host for `data`.
    fn limits(data: &Self::Data<'_>) -> HostLimits;

    /// The host for `data` is added and scanned as number `host_no`.
    fn host_added(data: &Self::Data<'_>, host_no: u32) {
        let _ = (data, host_no);
    }

    /// The device is being unbound; its host is already removed, so no
    /// entry point runs any more.
    fn unbind<'bound>(pdev: &'bound pci::Device<Core<'_>>, data: &Self::Data<'bound>) {
        let _ = (pdev, data);
    }
}

/// The PCI driver of a [`PciHostDriver`]: give it to `module_pci_driver!`.
pub(crate) struct PciHost<D>(PhantomData<D>);

/// The driver data of a [`PciHost`]: the driver's data and its host.
///
/// Fields drop in declaration order: the host (removed by then, on unbind
/// or on a failed probe's way out) before the data it points to.
#[pin_data]
pub(crate) struct HostData<'bound, D: PciHostDriver> {
    host: Host,
    #[pin]
    data: D::Data<'bound>,
}

impl<D: PciHostDriver> pci::Driver for PciHost<D> {
    type IdInfo = D::IdInfo;
    type Data<'bound> = HostData<'bound, D>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = D::ID_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let bound: &'bound Device<Bound> = pdev.as_ref();
        try_pin_init!(&this in HostData {
            data <- D::probe(pdev, info),
            host: {
                // SAFETY: `data` is initialized above, and pinned in the
                // driver data with the host being made here.
                let data: &D::Data<'bound> = unsafe { &(*this.as_ptr()).data };
                // SAFETY: `data` lives in the pinned driver data until it is
                // dropped, after `host` (declared before it); `unbind`
                // removes the host before that, and a failed probe drops the
                // host, removing it, before the data.
                let host = unsafe { Host::add(bound, data, &D::limits(data))? };
                D::host_added(data, host.number());
                host
            },
        }? Error)
    }

    fn unbind<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        // The disks go first, while the driver can still finish their
        // commands.
        this.host.remove();
        D::unbind(pdev, &this.data);
    }
}
