// SPDX-License-Identifier: GPL-2.0

//! PCIe error recovery, as the C driver's `igb_err_handler`
//! (`igb_io_error_detected`, `igb_io_slot_reset`, `igb_io_resume`).
//!
//! - A non-fatal error (the device stays accessible) is logged and needs
//!   nothing: the interface keeps running, and `resume` does nothing.
//! - A fatal one freezes the link until the port is reset: the interface is
//!   detached, quiesced and its rings freed (the teardown of `stop`; the
//!   device counts as gone meanwhile, so the teardown does not wait on
//!   registers that read all ones), and the PCI device disabled; the driver
//!   asks for a slot reset.
//! - After the reset the device is enabled again, its configuration space
//!   restored and the MAC reset to its probe-time state; the device is no
//!   longer gone (`igb_io_slot_reset` restores `hw_addr`).
//! - `resume` brings the interface up again on new rings if it was up, and
//!   attaches it.
//! - A permanent failure detaches the interface for good.
//!
//! The quiesced interface is in the same state as after a system suspend
//! (`PmState::is_suspended`): `stop` and the reset task leave it alone.

use kernel::{device::Core, io::Io, pci, prelude::*};

use crate::{
    mac,
    net::{
        self,
        aer::{ChannelState, ErsResult},
        Device,
    },
    netdev::{self, Adapter},
    regs::{self},
};

/// `error_detected`.
pub(crate) fn error_detected(
    pdev: &pci::Device<Core<'_>>,
    dev: &Device<Adapter>,
    state: ChannelState,
) -> ErsResult {
    if state == ChannelState::Normal {
        dev_warn!(pdev, "Non-correctable non-fatal error reported.\n");
        return ErsResult::CanRecover;
    }
    dev.detach();
    if state == ChannelState::PermFailure {
        dev_err!(
            pdev,
            "{}: permanent PCIe failure, device detached\n",
            dev.name()
        );
        return ErsResult::Disconnect;
    }
    let a = dev.data();
    net::pm::with_rtnl(pdev, |rtnl| {
        if a.pm.is_suspended() {
            return;
        }
        // Frozen: reads return all ones until the reset; nothing to wait for.
        a.set_gone();
        if dev.is_running() {
            if let Ok(hw) = Adapter::hw(dev) {
                netdev::teardown(dev, rtnl, hw);
            }
        }
        a.pm.set_quiesced();
    });
    net::pm::disable_device(pdev);
    dev_info!(
        pdev,
        "{}: PCIe error, requesting a slot reset\n",
        dev.name()
    );
    ErsResult::NeedReset
}

/// `slot_reset`.
pub(crate) fn slot_reset(pdev: &pci::Device<Core<'_>>, dev: &Device<Adapter>) -> ErsResult {
    if net::pm::enable_device(pdev).is_err() {
        dev_err!(pdev, "Cannot re-enable PCI device after reset.\n");
        return ErsResult::Disconnect;
    }
    net::aer::restore_config(pdev);
    let a = dev.data();
    a.revive();
    let Ok(hw) = Adapter::hw(dev) else {
        return ErsResult::Disconnect;
    };
    // `igb_reset` and the wake-up status cleared.
    netdev::reset_mac(dev, hw);
    hw.write_reg(regs::WUS::from_raw(u32::MAX));
    if hw.read(regs::STATUS).into_raw() == u32::MAX {
        dev_err!(
            pdev,
            "{}: the device does not answer after the reset\n",
            dev.name()
        );
        return ErsResult::Disconnect;
    }
    ErsResult::Recovered
}

/// `resume`.
pub(crate) fn resume(pdev: &pci::Device<Core<'_>>, dev: &Device<Adapter>) {
    let a = dev.data();
    if !a.pm.is_suspended() {
        dev_dbg!(pdev, "Resuming from non-fatal error, do nothing.\n");
        return;
    }
    let Ok(hw) = Adapter::hw(dev) else {
        return;
    };
    net::pm::with_rtnl(pdev, |rtnl| match crate::pm::reopen(dev, rtnl, hw) {
        Ok(()) => {
            mac::get_hw_control(hw);
            dev_info!(pdev, "{}: recovered from a PCIe error\n", dev.name());
        }
        Err(e) => dev_err!(
            pdev,
            "{}: bringing the interface up after the reset failed ({:?}), it stays detached\n",
            dev.name(),
            e
        ),
    });
}
