// SPDX-License-Identifier: GPL-2.0

//! PCI set-up steps whose kernel-crate API is `unsafe` because of conditions
//! that hold by construction at probe time, and the device-managed enabling
//! of the device.

use core::ptr::NonNull;

use kernel::{
    device::Core,
    dma::{self, DmaMask},
    pci,
    prelude::*, //
};

use super::bindings;

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

/// Enable the memory space of `pdev` and its bus mastering
/// (`pci_enable_device_mem`, `pci_set_master`) for as long as the driver is
/// bound to it.
///
/// Undone by the driver core when the driver is unbound, or when probe fails
/// after this call: bus mastering is cleared and the device disabled
/// (`pci_clear_master`, `pci_disable_device`), as `igb_remove` and the
/// unwinding of `igb_probe` do, so the device cannot reach memory the driver
/// freed. Device resources are released in the reverse order of their
/// set-up, so this comes after everything acquired later in probe (BAR
/// mapping, the network interface and its rings).
pub(crate) fn enable_device_mem_master(pdev: &pci::Device<Core<'_>>) -> Result {
    pdev.enable_device_mem()?;
    // `pci::Device` is a transparent wrapper of `struct pci_dev`.
    let raw = NonNull::from(pdev).cast::<bindings::pci_dev>();
    // On failure the guard is dropped at once, disabling the device again.
    kernel::devres::register(pdev.as_ref(), Enabled(raw), GFP_KERNEL)?;
    pdev.set_master();
    // What a PCIe error's slot reset restores (`pci_restore_state` in the
    // driver's `slot_reset`), as `igb_probe` does after `pci_set_master`:
    // the PCI core saved the configuration when the device was added, before
    // any driver enabled it, and restoring that would turn memory decoding
    // and bus mastering off again (no DMA, no MSI-X message after the reset).
    // SAFETY: `raw` is the bound device; the device lock (`Core`) is held.
    unsafe { bindings::pci_save_state(raw.as_ptr()) };
    Ok(())
}

/// An enabled PCI device, disabled on drop (see
/// [`enable_device_mem_master`]).
struct Enabled(NonNull<bindings::pci_dev>);

// SAFETY: The pointer is only used to disable the device, which the PCI core
// allows from any thread.
unsafe impl Send for Enabled {}

impl Drop for Enabled {
    fn drop(&mut self) {
        let pdev = self.0.as_ptr();
        // SAFETY: Dropped by the device's devres release (or at once if the
        // registration failed), while the bound `pci_dev` still exists; the
        // device was enabled by `enable_device_mem_master`, which this
        // balances. `pci_disable_device` clears bus mastering too; it is
        // cleared first for the case where another enable count keeps the
        // device enabled. A system sleep disables the device and its resume
        // enables it again (`net::pm`); if that resume failed, the count
        // is already given back and is not dropped twice.
        unsafe {
            if bindings::rust_igb_pci_is_enabled(pdev) {
                bindings::pci_clear_master(pdev);
                bindings::pci_disable_device(pdev);
            }
        }
    }
}
