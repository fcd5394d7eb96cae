// SPDX-License-Identifier: GPL-2.0

//! The interface: `net_device_ops` for rust_igb and the link watchdog.
//!
//! The watchdog polls the MAC's link state and drives the carrier, as the C
//! driver's `igb_watchdog_task` does. It runs only while the interface is up.

use core::fmt;

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed}, //
};

use crate::{
    mac::{self, MacType},
    net::{self, skb::DropReason, skb::SkBuff, Device, Stats64},
    nvm::NvmVersion,
    phy,
    regs::{Bar0, BAR0_SIZE},
};

/// How often the watchdog polls the link, in milliseconds.
const WATCHDOG_PERIOD_MS: u32 = 1000;

/// Driver state of one interface (the `net_device` private data).
pub(crate) struct Adapter {
    /// BAR0, revoked by the driver core when the device is unbound.
    bar: kernel::pci::DevresBar<BAR0_SIZE>,
    /// Which member of the igb family this is.
    pub(crate) mac_type: MacType,
    /// NVM image version, for `ethtool -i`.
    pub(crate) nvm_version: NvmVersion,
    /// Frames dropped by `start_xmit` (xmit context, read by stats readers).
    tx_dropped: Atomic<u64>,
}

impl Adapter {
    /// Create the interface state for a reset and identified controller.
    pub(crate) fn new(
        bar: kernel::pci::DevresBar<BAR0_SIZE>,
        mac_type: MacType,
        nvm_version: NvmVersion,
    ) -> Self {
        Self {
            bar,
            mac_type,
            nvm_version,
            tx_dropped: Atomic::new(0),
        }
    }

    /// Run `f` with BAR0, or fail with `ENODEV` once the device is gone.
    pub(crate) fn with_hw<R>(&self, f: impl FnOnce(&Bar0<'_>) -> Result<R>) -> Result<R> {
        let bar = self.bar.try_access().ok_or(ENODEV)?;
        f(&bar)
    }
}

/// Whether `addr` can be a station address: not multicast, not all zeroes
/// (`is_valid_ether_addr`).
pub(crate) fn is_valid_ether_addr(addr: &[u8; 6]) -> bool {
    addr[0] & 1 == 0 && addr.iter().any(|&b| b != 0)
}

/// Displays a MAC address as `xx:xx:xx:xx:xx:xx`.
pub(crate) struct MacAddr<'a>(pub(crate) &'a [u8; 6]);

impl fmt::Display for MacAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            a[0], a[1], a[2], a[3], a[4], a[5]
        )
    }
}

#[vtable]
impl net::device::Operations for Adapter {
    fn open(dev: &Device<Self>) -> Result {
        dev.data().with_hw(phy::setup_link)?;
        dev.carrier_off();
        dev.schedule_watchdog(0);
        Ok(())
    }

    fn stop(dev: &Device<Self>) -> Result {
        dev.cancel_watchdog();
        dev.carrier_off();
        Ok(())
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
        // A failed read means the device is gone: stop polling.
        let Ok(link) = dev.data().with_hw(|hw| Ok(mac::link_status(hw))) else {
            return;
        };
        if link.up && !dev.carrier_ok() {
            dev_info!(
                dev.parent(),
                "{}: NIC Link is Up {} Mbps {} Duplex\n",
                dev.name(),
                link.speed_mbps,
                if link.full_duplex { "Full" } else { "Half" }
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
