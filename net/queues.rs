// SPDX-License-Identifier: GPL-2.0

//! Multi-queue support: how many queues are in use, transmit packet
//! steering (XPS), the RSS key, and the per-packet queue and hash fields of
//! skbs.
//!
//! C headers: include/linux/netdevice.h, include/linux/skbuff.h,
//! include/linux/cpumask.h
//!
//! Contexts: the queue-count and XPS setters run in process context under
//! RTNL (from `open`; the queue count takes an [`Rtnl`] token); the skb
//! accessors in the datapath.

use kernel::{error::to_result, prelude::*};

use super::{
    bindings,
    device::{Device, Operations},
    rtnl::Rtnl,
    skb::SkBuff,
};

/// Number of CPUs online now (`num_online_cpus`).
pub(crate) fn num_online_cpus() -> u32 {
    // SAFETY: Reads a global counter; callable from any context.
    unsafe { bindings::rust_igb_num_online_cpus() }
}

/// Fill `key` with the system-wide RSS key (`netdev_rss_key_fill`), so that
/// all devices hash a flow alike.
pub(crate) fn rss_key_fill(key: &mut [u8]) {
    // SAFETY: `key` is valid for `key.len()` bytes of writes.
    unsafe { bindings::netdev_rss_key_fill(key.as_mut_ptr().cast(), key.len()) }
}

impl<T: Operations> Device<T> {
    /// Set the number of TX and RX queues in use
    /// (`netif_set_real_num_{tx,rx}_queues`), at most what the device was
    /// allocated with. Process context, RTNL held (from `open`).
    pub(crate) fn set_real_num_queues(&self, _rtnl: Rtnl<'_>, tx: u32, rx: u32) -> Result {
        // SAFETY: Registered device; the core checks the counts; the token
        // proves RTNL is held.
        to_result(unsafe { bindings::netif_set_real_num_tx_queues(self.as_raw(), tx) })?;
        // SAFETY: As above.
        to_result(unsafe { bindings::netif_set_real_num_rx_queues(self.as_raw(), rx) })
    }

    /// Steer packets sent from `cpu` to TX queue `queue` (XPS,
    /// `netif_set_xps_queue`). Process context, RTNL held; may sleep.
    pub(crate) fn set_xps_queue(&self, _rtnl: Rtnl<'_>, cpu: u32, queue: u16) -> Result {
        // SAFETY: Registered device; the shim checks `cpu` and the core
        // checks `queue`; process context (an RTNL holder).
        to_result(unsafe { bindings::rust_igb_netif_set_xps_queue(self.as_raw(), cpu, queue) })
    }
}

impl SkBuff {
    /// The TX queue the stack picked for this skb (`skb_get_queue_mapping`).
    pub(crate) fn queue_mapping(&self) -> u16 {
        // SAFETY: `as_raw()` is a valid skb we own (`skb_get_queue_mapping`
        // reads the field, here without a call).
        unsafe { (*self.as_raw()).queue_mapping }
    }

    /// Record the RSS hash the hardware computed (`skb_set_hash`); `l4` says
    /// whether it covered the ports (TCP/UDP) or only the addresses.
    pub(crate) fn set_hash(&mut self, hash: u32, l4: bool) {
        // SAFETY: `as_raw()` is a valid skb we own.
        unsafe { bindings::rust_igb_skb_set_hash(self.as_raw(), hash, l4) }
    }
}
