// SPDX-License-Identifier: GPL-2.0

//! Surprise removal: recognising a controller that dropped off the bus.
//!
//! A PCIe device that is gone (pulled, powered off, its link lost) answers
//! every read with all ones. The C driver checks that in `igb_rd32`: a read
//! of all ones, confirmed by STATUS reading all ones (STATUS never does on a
//! live device, while other registers may), logs "PCIe link lost", clears
//! `hw_addr` so nothing touches the device any more, and detaches the
//! interface (`netif_device_detach`). This driver does the same where it
//! reads registers that tell ([`check_read`]: the watchdog's STATUS, the
//! interrupt handlers' ICR) and before the paths that wait on the hardware
//! ([`check`]: queue disable and MAC reset in the teardown, the PHY
//! power-down of `stop`, the reset task), which must not spin for their
//! full timeouts on a dead device.
//!
//! The PCI core may know first: pciehp marks a device disconnected when it
//! sees the card gone before it calls the driver's remove, as do DPC and a
//! failed error recovery. That counts too. (Under QEMU an unplugged device's
//! registers read as 0, not all ones, so this is what the emulator can show.)
//!
//! Once gone, the adapter's `gone` flag stays set: the watchdog stops
//! polling and does not re-arm, the reset task returns, the teardown skips
//! the register waits (it still frees the rings, interrupts and NAPI
//! instances) and no statistics are read (all ones would be added to every
//! counter).

use kernel::{io::Io, prelude::*};

use crate::{
    net::Device,
    netdev::Adapter,
    regs::{self, Bar0},
};

/// What a dead device returns for every read.
const ALL_ONES: u32 = u32::MAX;

/// The decision of `igb_rd32`: after a register read returned `value`, is
/// the device gone? Yes if the PCI core says it is disconnected, or if
/// `value` is all ones and STATUS, read to confirm (`status` is only called
/// then), is all ones too.
pub(crate) fn gone(disconnected: bool, value: u32, status: impl FnOnce() -> u32) -> bool {
    disconnected || (value == ALL_ONES && status() == ALL_ONES)
}

/// Whether the device is gone, after a read of `value` from it: known
/// already, or found now ([`gone`]), in which case it is logged and the
/// interface detached (once). Any context (hard IRQ included): one field
/// read, and a STATUS read only when `value` is all ones.
pub(crate) fn check_read(dev: &Device<Adapter>, hw: &Bar0<'_>, value: u32) -> bool {
    let a = dev.data();
    if a.is_gone() {
        return true;
    }
    let disconnected = dev.pci_disconnected();
    let mut status = value;
    if !gone(disconnected, value, || {
        status = hw.read(regs::STATUS).into_raw();
        status
    }) {
        return false;
    }
    if a.set_gone() {
        dev_err!(
            dev.parent(),
            "{}: PCIe link lost, device now detached (read {:#010x}, STATUS {:#010x}{})\n",
            dev.name(),
            value,
            status,
            if disconnected {
                ", disconnected by the PCI core"
            } else {
                ""
            }
        );
        dev.detach();
    }
    true
}

/// Whether the device is gone: [`check_read`] on a fresh STATUS read.
/// Before the paths that wait for the hardware.
pub(crate) fn check(dev: &Device<Adapter>, hw: &Bar0<'_>) -> bool {
    if dev.data().is_gone() {
        return true;
    }
    let status = hw.read(regs::STATUS).into_raw();
    check_read(dev, hw, status)
}

#[kunit_tests(rust_igb_removal)]
mod tests {
    use super::*;

    #[test]
    fn all_ones_confirmed_by_status() {
        // Every read of a removed device is all ones, STATUS included.
        assert!(gone(false, ALL_ONES, || ALL_ONES));
        // A register may read all ones on a live device: STATUS decides.
        assert!(!gone(false, ALL_ONES, || 0x8008_0383));
        // QEMU after CTRL.RST: PHYRA | bit 31, a live device.
        assert!(!gone(false, ALL_ONES, || 0x8000_0400));
    }

    #[test]
    fn status_read_only_for_all_ones() {
        let mut read = false;
        assert!(!gone(false, 0x8008_0383, || {
            read = true;
            ALL_ONES
        }));
        assert!(!read);
        // Reads of 0 (QEMU's answer for an unplugged device) are no proof.
        assert!(!gone(false, 0, || 0));
    }

    #[test]
    fn pci_core_knows() {
        // pciehp saw the card go (or DPC, a failed AER recovery): gone,
        // whatever the registers read.
        let mut read = false;
        assert!(gone(true, 0, || {
            read = true;
            0
        }));
        assert!(!read);
        assert!(gone(true, 0x8008_0383, || 0x8008_0383));
    }
}
