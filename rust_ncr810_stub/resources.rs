// SPDX-License-Identifier: GPL-2.0

//! The device resources the kernel crate of Linux 7.3 gives out only
//! through `unsafe` calls: the one place of the driver with `unsafe`
//! (`scripts/lint.sh` counts it: three blocks, each naming the API).
//!
//! - [`set_dma_mask`]: `dma::Device::dma_set_mask_and_coherent` is an
//!   `unsafe fn` (it must not race with DMA allocations of the device);
//! - [`Interrupt`]: `irq::Registration::new` is an `unsafe fn` (the
//!   registration must not be forgotten), and the IRQ vector it is
//!   requested for borrows the vector allocation
//!   (`pci::IrqVectorRegistration::index`), which lives beside it in the
//!   same pinned driver data: that borrow is the third block.

use kernel::{
    device::Bound,
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
