// SPDX-License-Identifier: GPL-2.0

//! `rust_ncr810`: a PCI driver stub for the NCR 53C810 SCSI controller.
//!
//! Binds the chip (PCI 1000:0001, which QEMU emulates as `-device
//! lsi53c810`), soft-resets it, checks and logs its identity, and proves the
//! resources a driver must give back: its BAR, its interrupt and a
//! DMA-coherent buffer, through a one-instruction SCRIPTS self-test (an
//! `INT` with a known vector, fetched by the chip from the buffer). It does
//! no SCSI transfers. The register logic is in [`ncr810_regs`], shared with
//! host tests.

use core::sync::atomic::{
    AtomicU32,
    Ordering, //
};
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
        register,
        Io, //
    },
    irq::{
        self,
        IrqRequest,
        IrqReturn, //
    },
    pci,
    prelude::*,
    str::CString,
    time::{
        delay::fsleep,
        Delta, //
    },
};

#[path = "ncr810_regs.rs"]
pub mod ncr810_regs;

#[path = "debugfs_owned.rs"]
mod debugfs_owned;

use debugfs_owned::OwnedFile;

use ncr810_regs::{
    reg,
    ProbeError,
    ResetState, //
};

/// The vector the self-test's `INT` carries ("810").
const SELFTEST_VECTOR: u32 = 0x0810;
/// How long the self-test waits for its interrupt.
const SELFTEST_TIMEOUT_MS: u32 = 500;
/// The BAR holding the registers in memory space (BAR0 is the same set in I/O space).
const MMIO_BAR: u32 = 1;

mod regs {
    use super::*;

    register! {
        /// Interrupt Status.
        pub(super) ISTAT(u8) @ 0x14 {
            /// Software reset.
            6:6 srst => bool;
            /// SCSI interrupt pending.
            1:1 sip => bool;
            /// DMA interrupt pending.
            0:0 dip => bool;
        }

        /// DMA Interrupt Enable.
        pub(super) DIEN(u8) @ 0x39 {
            /// Interrupt on a SCRIPTS `INT` instruction.
            2:2 sir => bool;
        }

        /// DMA SCRIPTS Pointer: writing it starts SCRIPTS at that bus address.
        pub(super) DSP(u32) @ 0x2c {
            31:0 address;
        }

        /// DMA SCRIPTS Pointer Save: an `INT`'s vector.
        pub(super) DSPS(u32) @ 0x30 {
            31:0 value;
        }
    }
}

type Bar<'bound> = pci::Bar<'bound, { reg::SPAN }>;

kernel::pci_device_table!(
    PCI_TABLE,
    <Ncr810Driver as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::LSI_LOGIC, 0x0001), ())]
);

/// What the chip showed when it was probed, for the debugfs `state` file.
struct ChipState {
    identity: ncr810_regs::Identity,
    bar_start: u64,
    irq: u32,
    selftest_ns: i64,
    dump: [u8; reg::SPAN],
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
        writeln!(f, "selftest_roundtrip_ns: {}", self.selftest_ns)?;
        write!(f, "registers after the self-test:")?;
        for (off, v) in self.dump.iter().enumerate() {
            if let Some(name) = ncr810_regs::register_name(off) {
                write!(f, "\n{off:#04x} {name:<10} {v:#04x}")?;
            }
        }
        Ok(())
    }
}

/// The interrupt handler and what it saw.
#[pin_data]
struct Ncr810Irq<'bound> {
    bar: Bar<'bound>,
    /// The interrupt line, for the log.
    irq: u32,
    count: AtomicU32,
    dstat: AtomicU32,
    dsps: AtomicU32,
}

impl irq::Handler for Ncr810Irq<'_> {
    fn handle(&self) -> IrqReturn {
        let istat = self.bar.read(regs::ISTAT);
        if !istat.dip() && !istat.sip() {
            // The line is shared: not ours.
            return IrqReturn::None;
        }
        // Reading DSTAT acknowledges the DMA interrupt; SIST0/1 a SCSI one.
        let dstat = self.bar.try_read8(reg::DSTAT).unwrap_or(0);
        if istat.sip() {
            let _ = self.bar.try_read8(reg::SIST0);
            let _ = self.bar.try_read8(reg::SIST1);
        }
        let dsps: u32 = self.bar.read(regs::DSPS).value().into();
        self.dstat.store(u32::from(dstat), Ordering::Relaxed);
        self.dsps.store(dsps, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Release);
        IrqReturn::Handled
    }
}

/// Soft-resets the chip through ISTAT.SRST (set, then clear).
fn soft_reset(bar: &Bar<'_>) {
    bar.write_reg(regs::ISTAT::zeroed().with_srst(true));
    fsleep(Delta::from_micros(10));
    bar.write_reg(regs::ISTAT::zeroed());
}

fn read_reset_state(bar: &Bar<'_>) -> Result<ResetState> {
    Ok(ResetState {
        scntl0: bar.try_read8(reg::SCNTL0)?,
        scid: bar.try_read8(reg::SCID)?,
        istat: bar.try_read8(reg::ISTAT)?,
        dstat: bar.try_read8(reg::DSTAT)?,
        ctest2: bar.try_read8(reg::CTEST2)?,
        ctest3: bar.try_read8(reg::CTEST3)?,
    })
}

/// Reads every named register that has no read side effect.
fn dump_registers(bar: &Bar<'_>) -> [u8; reg::SPAN] {
    let mut d = [0u8; reg::SPAN];
    for (off, v) in d.iter_mut().enumerate() {
        if ncr810_regs::register_name(off).is_some() && !ncr810_regs::read_has_side_effects(off) {
            *v = bar.try_read8(off).unwrap_or(0xff);
        }
    }
    d
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

/// A bound NCR 53C810.
///
/// Fields drop in declaration order: the debugfs directory and file first
/// (an open file holds the module, not the device: see [`OwnedFile`]), then
/// the interrupt (freed before the vectors it came from, and with it the BAR
/// its handler uses), then the DMA buffer.
#[pin_data(PinnedDrop)]
struct Ncr810<'bound> {
    state: OwnedFile<ChipState>,
    #[pin]
    irq: irq::Registration<'bound, Ncr810Irq<'bound>>,
    vectors: pci::IrqVectorRegistration<'bound>,
    script: Coherent<[u32]>,
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
        // Quiesce the chip before its interrupt and DMA buffer go away.
        let handler = this.irq.handler();
        handler.bar.write_reg(regs::DIEN::zeroed());
        soft_reset(&handler.bar);
    }
}

impl Ncr810Driver {
    fn setup<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
    ) -> Result<impl PinInit<Ncr810<'bound>, Error> + 'bound> {
        pdev.enable_device_mem()?;
        pdev.set_master();
        let bar_start = pdev.resource_start(MMIO_BAR)?;
        let bar = pdev.iomap_region_sized::<{ reg::SPAN }>(MMIO_BAR, c"rust_ncr810")?;

        soft_reset(&bar);
        let reset = read_reset_state(&bar)?;
        let identity = ncr810_regs::validate_reset(&reset, pdev.revision_id())
            .map_err(|e| probe_error(pdev, e))?;

        // SAFETY: Called once, in probe, before any DMA allocation of this device.
        unsafe { dma::Device::dma_set_mask_and_coherent(pdev, DmaMask::new::<32>())? };
        let script = Coherent::from_slice(
            pdev.as_ref(),
            &ncr810_regs::script_int(SELFTEST_VECTOR),
            GFP_KERNEL,
        )?;
        let script_addr = u32::try_from(script.dma_address()).map_err(|_| EINVAL)?;

        // From here on only the bound device is needed; the initializer must
        // not capture the probe-time `Core` context.
        let pdev: &'bound pci::Device<Bound> = pdev;
        let dir_name = CString::try_from_fmt(fmt!("rust_ncr810-{}", pdev.as_ref().name()))?;

        Ok(try_pin_init!(&this in Ncr810 {
            vectors: pdev.alloc_irq_vectors(1, 1, pci::IrqTypes::default().with(pci::IrqType::Intx))?,
            script,
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
                        try_pin_init!(Ncr810Irq {
                            bar,
                            irq: irq_number,
                            count: AtomicU32::new(0),
                            dstat: AtomicU32::new(0),
                            dsps: AtomicU32::new(0),
                        }? Error),
                    )
                }
            },
            state: {
                // `irq` is the field initialized above.
                let handler = irq.handler();
                let irq_number = handler.irq;

                // The SCRIPTS self-test: INT SELFTEST_VECTOR, fetched by DMA.
                let start = kernel::time::Instant::<kernel::time::Monotonic>::now();
                handler.bar.write_reg(regs::DIEN::zeroed().with_sir(true));
                handler.bar.write_reg(regs::DSP::zeroed().with_address(script_addr));
                let mut waited = 0;
                while handler.count.load(Ordering::Acquire) == 0 && waited < SELFTEST_TIMEOUT_MS {
                    fsleep(Delta::from_millis(1));
                    waited += 1;
                }
                handler.bar.write_reg(regs::DIEN::zeroed());
                if handler.count.load(Ordering::Acquire) == 0 {
                    soft_reset(&handler.bar);
                    dev_err!(pdev, "probe failed: self-test got no interrupt within {} ms\n",
                        SELFTEST_TIMEOUT_MS);
                    return Err(ETIMEDOUT);
                }
                let elapsed = start.elapsed().as_nanos();
                let dstat = handler.dstat.load(Ordering::Relaxed) as u8;
                let dsps = handler.dsps.load(Ordering::Relaxed);
                ncr810_regs::check_selftest(dstat, dsps, SELFTEST_VECTOR)
                    .map_err(|e| probe_error(pdev, e))?;
                dev_info!(pdev,
                    "NCR 53C810 rev {:#04x} (CTEST3 rev {}), BAR{} MMIO {:#x}, SCSI ID {}, IRQ {}\n",
                    identity.pci_revision, identity.chip_revision, MMIO_BAR, bar_start,
                    identity.scsi_id, irq_number);
                dev_info!(pdev,
                    "self-test: SCRIPTS INT {:#x} from DMA buffer {:#x} raised IRQ {} (DSTAT {:#04x}, DSPS {:#x}) in {} us\n",
                    SELFTEST_VECTOR, script_addr, irq_number, dstat, dsps, elapsed / 1000);
                let dump = dump_registers(&handler.bar);
                OwnedFile::new(&dir_name, c"state", ChipState {
                    identity,
                    bar_start,
                    irq: irq_number,
                    selftest_ns: elapsed,
                    dump,
                })?
            },
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
            self.script.size(),
            MMIO_BAR
        );
    }
}

kernel::module_pci_driver! {
    type: Ncr810Driver,
    name: "rust_ncr810",
    authors: ["rust_ncr810_stub authors"],
    description: "PCI driver stub for the NCR 53C810 SCSI controller (no SCSI transfers)",
    license: "GPL",
}

#[kunit_tests(rust_ncr810_regs)]
mod tests {
    use super::ncr810_regs::*;

    #[test]
    fn qemu_reset_values_validate() {
        let s = ResetState {
            scntl0: 0xc0,
            scid: 0x07,
            istat: 0,
            dstat: dstat::DFE,
            ctest2: 0x11,
            ctest3: 0,
        };
        assert_eq!(validate_reset(&s, 0).map(|i| i.scsi_id), Ok(7));
        let dead = ResetState {
            scntl0: 0xff,
            scid: 0xff,
            istat: 0xff,
            dstat: 0xff,
            ctest2: 0xff,
            ctest3: 0xff,
        };
        assert_eq!(validate_reset(&dead, 0), Err(ProbeError::NotResponding));
    }

    #[test]
    fn selftest_checks() {
        assert_eq!(check_selftest(dstat::SIR, 0x810, 0x810), Ok(()));
        assert!(check_selftest(dstat::IID, 0x810, 0x810).is_err());
        assert!(check_selftest(dstat::SIR, 0x811, 0x810).is_err());
    }

    #[test]
    fn int_encoding() {
        assert_eq!(script_int(0x810), [0x9808_0000, 0x810]);
    }
}
