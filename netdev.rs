// SPDX-License-Identifier: GPL-2.0

//! The interface: `net_device_ops` for rust_igb and the link watchdog.
//!
//! The watchdog polls the MAC's link state and drives the carrier, as the C
//! driver's `igb_watchdog_task` does. It runs only while the interface is up.

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed}, //
};

use crate::{
    hw::FlowControl,
    mac,
    net::{self, skb::DropReason, skb::SkBuff, Device, Stats64},
    nvm::NvmVersion,
    phy,
    regs::{Bar0, BAR0_SIZE},
};

/// How often the watchdog polls the link, in milliseconds.
const WATCHDOG_PERIOD_MS: u32 = 1000;

/// Driver state of one interface (the `net_device` private data).
pub(crate) struct Adapter {
    /// BAR0; device-managed, so it stays mapped while the interface exists.
    bar: kernel::pci::DevresBar<BAR0_SIZE>,
    /// NVM image version, for `ethtool -i`.
    pub(crate) nvm_version: NvmVersion,
    /// Flow control requested by the NVM, applied at each link-up.
    fc: FlowControl,
    /// Frames dropped by `start_xmit` (xmit context, read by stats readers).
    tx_dropped: Atomic<u64>,
}

impl Adapter {
    /// Create the interface state for a reset and identified controller.
    pub(crate) fn new(
        bar: kernel::pci::DevresBar<BAR0_SIZE>,
        nvm_version: NvmVersion,
        fc: FlowControl,
    ) -> Self {
        Self {
            bar,
            nvm_version,
            fc,
            tx_dropped: Atomic::new(0),
        }
    }

    /// BAR0 of the interface's controller. Callbacks run only while the PCI
    /// device is bound, so this takes no lock and may be held across sleeps.
    pub(crate) fn hw(dev: &Device<Self>) -> Result<&Bar0<'_>> {
        dev.data().bar.access(dev.parent_bound())
    }
}

impl Drop for Adapter {
    fn drop(&mut self) {
        // The interface is unregistered: hand the device back to the
        // firmware (`igb_release_hw_control`). Non-sleeping, so the RCU-guarded
        // access is fine; if the BAR is already revoked there is nothing to do.
        if let Some(bar) = self.bar.try_access() {
            mac::release_hw_control(&bar);
        }
    }
}

#[vtable]
impl net::device::Operations for Adapter {
    fn open(dev: &Device<Self>) -> Result {
        let hw = Adapter::hw(dev)?;
        phy::power_up(hw)?;
        phy::restart_autoneg(hw, phy::ADVERTISE_DEFAULT, dev.data().fc)?;
        dev.carrier_off();
        dev.schedule_watchdog(0);
        Ok(())
    }

    fn stop(dev: &Device<Self>) -> Result {
        dev.cancel_watchdog();
        dev.carrier_off();
        phy::power_down(Adapter::hw(dev)?)
    }

    fn start_xmit(dev: &Device<Self>, skb: SkBuff) {
        // No datapath yet: every frame is a counted drop.
        dev.data().tx_dropped.fetch_add(1, Relaxed);
        skb.drop_with(DropReason::DevReady);
    }

    fn get_stats64(dev: &Device<Self>, stats: &mut Stats64) {
        stats.tx_dropped = dev.data().tx_dropped.load(Relaxed);
    }

    fn watchdog(dev: &Device<Self>) {
        // A failed access means the device is going away: stop polling.
        let Ok(hw) = Adapter::hw(dev) else {
            return;
        };
        let link = mac::link_status(hw);
        if link.up && !dev.carrier_ok() {
            let fc = mac::config_after_link_up(hw, dev.data().fc).unwrap_or(FlowControl::None);
            dev_info!(
                dev.parent(),
                "{}: NIC Link is Up {} Mbps {} Duplex, Flow Control: {}\n",
                dev.name(),
                link.speed_mbps,
                if link.full_duplex { "Full" } else { "Half" },
                match fc {
                    FlowControl::Full => "RX/TX",
                    FlowControl::RxPause => "RX",
                    FlowControl::TxPause => "TX",
                    FlowControl::None => "None",
                }
            );
            dev.carrier_on();
        } else if !link.up && dev.carrier_ok() {
            dev_info!(dev.parent(), "{}: NIC Link is Down\n", dev.name());
            dev.carrier_off();
        }
        if dev.is_running() {
            dev.schedule_watchdog(WATCHDOG_PERIOD_MS);
        }
    }
}
