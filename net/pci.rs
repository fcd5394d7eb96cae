// SPDX-License-Identifier: GPL-2.0

//! PCI set-up steps whose kernel-crate API is `unsafe` because of conditions
//! that hold by construction at probe time.

use kernel::{
    device::Core,
    dma::{self, DmaMask},
    pci,
    prelude::*, //
};

/// Set the streaming and coherent DMA masks of `pdev` to `bits` bits.
///
/// Taking a `Device<Core>` means this runs from probe, before the driver has
/// allocated or mapped any DMA memory for the device.
pub(crate) fn set_dma_mask(pdev: &pci::Device<Core<'_>>, bits: u32) -> Result {
    let mask = DmaMask::try_new(bits)?;
    // SAFETY: Only callable with the `Core` context, i.e. from probe; the driver
    // does not allocate or map DMA memory before its probe has set the mask, so
    // nothing runs concurrently with this call.
    unsafe { dma::Device::dma_set_mask_and_coherent(pdev, mask) }
}
