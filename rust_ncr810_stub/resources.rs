// SPDX-License-Identifier: GPL-2.0

//! The device resources the kernel crate of Linux 7.3 gives out only
//! through `unsafe` calls: the one place of the driver with `unsafe`
//! (`scripts/lint.sh` counts it: four blocks, each naming the API).
//!
//! - [`set_dma_mask`]: `dma::Device::dma_set_mask_and_coherent` is an
//!   `unsafe fn` (it must not race with DMA allocations of the device);
//! - [`Interrupt`]: `irq::Registration::new` is an `unsafe fn` (the
//!   registration must not be forgotten), and the IRQ vector it is
//!   requested for borrows the vector allocation
//!   (`pci::IrqVectorRegistration::index`), which lives beside it in the
//!   same pinned driver data: that borrow is the third block;
//! - [`Enabled`]: `pci::Device` enables a device (`enable_device_mem`,
//!   `set_master`) but has nothing to undo it, so a driver that unbinds
//!   leaves the device enabled and mastering (and its enable count one
//!   higher per probe); the C calls are the fourth block.

use kernel::{
    bindings,
    device::{
        Bound,
        Core, //
    },
    dma::{
        self,
        DmaMask, //
    },
    irq::{
        self,
        IrqRequest, //
    },
    pci,
    prelude::*,
};

/// The device, enabled for memory space and as a bus master while this
/// lives: made first in probe, dropped last on unbind or a failed probe
/// (after the interrupt and the DMA buffer are gone), when it clears bus
/// mastering and disables the device (`pci_clear_master`,
/// `pci_disable_device`), as a C driver's remove does.
pub(crate) struct Enabled<'bound> {
    pdev: &'bound pci::Device<Bound>,
}

impl<'bound> Enabled<'bound> {
    /// Enables memory decoding and bus mastering of `pdev`.
    pub(crate) fn new(pdev: &'bound pci::Device<Core<'_>>) -> Result<Self> {
        pdev.enable_device_mem()?;
        pdev.set_master();
        Ok(Enabled { pdev })
    }
}

impl Drop for Enabled<'_> {
    fn drop(&mut self) {
        // `pci::Device` is a transparent wrapper of `struct pci_dev`.
        let raw = core::ptr::from_ref(self.pdev)
            .cast_mut()
            .cast::<bindings::pci_dev>();
        // SAFETY: The kernel crate's `pci::Device` has no way to undo
        // `enable_device_mem` and `set_master`, so the C calls are made
        // directly. `raw` points to the bound device `self.pdev` borrows,
        // which `new` enabled once; this drop runs once, while the driver
        // is still bound (in probe's failure path or in unbind), balancing
        // that enable.
        unsafe {
            bindings::pci_clear_master(raw);
            bindings::pci_disable_device(raw);
        }
    }
}

/// Sets the device's DMA mask (streaming and coherent) to 32 bits.
///
/// Call once, in probe, before any DMA allocation of the device.
pub(crate) fn set_dma_mask(pdev: &pci::Device<kernel::device::Core<'_>>) -> Result {
    // SAFETY: `dma::Device::dma_set_mask_and_coherent` is an `unsafe fn`:
    // it must not run concurrently with a DMA allocation or mapping of the
    // device. This runs in probe (the device core holds the device lock),
    // before the driver has allocated or mapped anything for it.
    unsafe { dma::Device::dma_set_mask_and_coherent(pdev, DmaMask::new::<32>()) }
}

/// A device's interrupt: its vector allocation and the handler registered
/// on its first vector.
///
/// Fields drop in declaration order: the handler is freed before the
/// vectors it was requested on.
#[pin_data]
pub(crate) struct Interrupt<'bound, T: irq::Handler + 'bound> {
    #[pin]
    registration: irq::Registration<'bound, T>,
    vectors: pci::IrqVectorRegistration<'bound>,
}

impl<'bound, T: irq::Handler + 'bound> Interrupt<'bound, T> {
    /// Allocates one INTx vector of `pdev` and registers the handler
    /// `init(irq number)` makes for it, on a shared line.
    pub(crate) fn new<I>(
        pdev: &'bound pci::Device<Bound>,
        name: &'static CStr,
        init: impl FnOnce(u32) -> I + 'bound,
    ) -> impl PinInit<Self, Error> + 'bound
    where
        I: PinInit<T, Error> + 'bound,
    {
        try_pin_init!(&this in Self {
            vectors: pdev.alloc_irq_vectors(1, 1, pci::IrqTypes::default().with(pci::IrqType::Intx))?,
            registration <- {
                // SAFETY: `pci::IrqVectorRegistration::index` borrows the
                // vector allocation for as long as the IRQ is requested.
                // `vectors` is initialized above and lives in the same
                // pinned allocation as `registration`, which is declared
                // (so dropped) before it; the reference never outlives
                // `'bound`, for which `vectors` is valid.
                let vectors: &'bound pci::IrqVectorRegistration<'bound> =
                    unsafe { &(*this.as_ptr()).vectors };
                let request: IrqRequest<'bound> = vectors.index(0)?.into();
                let handler = init(request.irq());
                // SAFETY: `irq::Registration::new` is an `unsafe fn`: the
                // registration must not be forgotten. It is a field of this
                // value, which lives in the driver's data; the driver core
                // drops that, and nothing forgets it.
                unsafe { irq::Registration::new(request, irq::Flags::SHARED, name, handler) }
            },
        }? Error)
    }

    /// The registered handler.
    pub(crate) fn handler(&self) -> &T {
        self.registration.handler()
    }

    /// Waits for a running handler to finish (`synchronize_irq`).
    pub(crate) fn synchronize(&self) {
        self.registration.synchronize();
    }
}
