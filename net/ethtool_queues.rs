// SPDX-License-Identifier: GPL-2.0

//! The queue-related `ethtool_ops`: ring sizes (`-g/-G`), channels
//! (`-l/-L`), interrupt coalescing (`-c/-C`) and the RSS indirection table
//! and key (`-x/-X`), as typed values for the driver's
//! [`Operations`](super::ethtool::Operations).
//!
//! C headers: include/linux/ethtool.h, include/uapi/linux/ethtool.h
//!
//! All callbacks run in process context with RTNL held.

use kernel::{error::from_result, prelude::*};

use super::{bindings, device, rtnl::Rtnl, Device};

/// `ETH_RSS_HASH_NO_CHANGE` (include/linux/ethtool.h).
const ETH_RSS_HASH_NO_CHANGE: u8 = 0;
/// `ETH_RSS_HASH_TOP`: Toeplitz, `BIT(ETH_RSS_HASH_TOP_BIT)` with bit 0.
const ETH_RSS_HASH_TOP: u8 = 1;
/// `ETHTOOL_COALESCE_RX_USECS | ETHTOOL_COALESCE_TX_USECS`
/// (`ETHTOOL_COALESCE_USECS`).
pub(crate) const COALESCE_USECS: u32 = (1 << 0) | (1 << 4);

/// Ring sizes (`ethtool -g`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RingParams {
    /// Largest RX ring.
    pub(crate) rx_max: u32,
    /// Largest TX ring.
    pub(crate) tx_max: u32,
    /// RX descriptors per ring.
    pub(crate) rx: u32,
    /// TX descriptors per ring.
    pub(crate) tx: u32,
}

/// Channels (`ethtool -l`): queue pairs ("combined") and other vectors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Channels {
    /// Most combined channels.
    pub(crate) max_combined: u32,
    /// Most "other" channels (vectors for non-queue causes).
    pub(crate) max_other: u32,
    /// Combined channels in use.
    pub(crate) combined: u32,
    /// Other channels in use.
    pub(crate) other: u32,
    /// RX-only channels (requests for them are refused).
    pub(crate) rx: u32,
    /// TX-only channels (requests for them are refused).
    pub(crate) tx: u32,
}

/// Interrupt coalescing (`ethtool -c`), in the fields this driver supports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Coalesce {
    /// `rx-usecs`.
    pub(crate) rx_usecs: u32,
    /// `tx-usecs`.
    pub(crate) tx_usecs: u32,
}

/// # Safety
///
/// `dev` must be a device registered by `Registration<T>`.
unsafe fn dev<'a, T: device::Operations>(dev: *mut bindings::net_device) -> &'a Device<T> {
    // SAFETY: Per the function's safety requirements.
    unsafe { Device::<T>::from_raw(dev) }
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `ring`.
pub(super) unsafe extern "C" fn get_ringparam<T: device::Operations>(
    d: *mut bindings::net_device,
    ring: *mut bindings::ethtool_ringparam,
    _kring: *mut bindings::kernel_ethtool_ringparam,
    _extack: *mut bindings::netlink_ext_ack,
) {
    // SAFETY: Per the function's safety requirements.
    let (d, ring) = unsafe { (dev::<T>(d), &mut *ring) };
    let p = T::get_ringparam(d);
    ring.rx_max_pending = p.rx_max;
    ring.tx_max_pending = p.tx_max;
    ring.rx_pending = p.rx;
    ring.tx_pending = p.tx;
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `ring`
/// (the core already refused values above the maxima).
pub(super) unsafe extern "C" fn set_ringparam<T: device::Operations>(
    d: *mut bindings::net_device,
    ring: *mut bindings::ethtool_ringparam,
    _kring: *mut bindings::kernel_ethtool_ringparam,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (d, ring) = unsafe { (dev::<T>(d), &*ring) };
    from_result(|| {
        if ring.rx_mini_pending != 0 || ring.rx_jumbo_pending != 0 {
            return Err(EINVAL);
        }
        // SAFETY: ethtool callbacks run with RTNL held; the token does not
        // outlive this call.
        let rtnl = unsafe { Rtnl::assume_held() };
        T::set_ringparam(d, rtnl, ring.tx_pending, ring.rx_pending)?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `ch`.
pub(super) unsafe extern "C" fn get_channels<T: device::Operations>(
    d: *mut bindings::net_device,
    ch: *mut bindings::ethtool_channels,
) {
    // SAFETY: Per the function's safety requirements.
    let (d, ch) = unsafe { (dev::<T>(d), &mut *ch) };
    let c = T::get_channels(d);
    ch.max_combined = c.max_combined;
    ch.max_other = c.max_other;
    ch.combined_count = c.combined;
    ch.other_count = c.other;
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `ch`.
pub(super) unsafe extern "C" fn set_channels<T: device::Operations>(
    d: *mut bindings::net_device,
    ch: *mut bindings::ethtool_channels,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (d, ch) = unsafe { (dev::<T>(d), &*ch) };
    from_result(|| {
        // SAFETY: ethtool callbacks run with RTNL held; the token does not
        // outlive this call.
        let rtnl = unsafe { Rtnl::assume_held() };
        T::set_channels(
            d,
            rtnl,
            &Channels {
                max_combined: ch.max_combined,
                max_other: ch.max_other,
                combined: ch.combined_count,
                other: ch.other_count,
                rx: ch.rx_count,
                tx: ch.tx_count,
            },
        )?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `ec`.
pub(super) unsafe extern "C" fn get_coalesce<T: device::Operations>(
    d: *mut bindings::net_device,
    ec: *mut bindings::ethtool_coalesce,
    _kec: *mut bindings::kernel_ethtool_coalesce,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (d, ec) = unsafe { (dev::<T>(d), &mut *ec) };
    from_result(|| {
        let c = T::get_coalesce(d)?;
        ec.rx_coalesce_usecs = c.rx_usecs;
        ec.tx_coalesce_usecs = c.tx_usecs;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `ec`
/// (the core refused parameters outside `supported_coalesce_params`).
pub(super) unsafe extern "C" fn set_coalesce<T: device::Operations>(
    d: *mut bindings::net_device,
    ec: *mut bindings::ethtool_coalesce,
    _kec: *mut bindings::kernel_ethtool_coalesce,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (d, ec) = unsafe { (dev::<T>(d), &*ec) };
    from_result(|| {
        T::set_coalesce(
            d,
            &Coalesce {
                rx_usecs: ec.rx_coalesce_usecs,
                tx_usecs: ec.tx_coalesce_usecs,
            },
        )?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a registered device.
pub(super) unsafe extern "C" fn get_rx_ring_count<T: device::Operations>(
    d: *mut bindings::net_device,
) -> u32 {
    // SAFETY: Per the function's safety requirements.
    T::get_rx_ring_count(unsafe { dev::<T>(d) })
}

/// # Safety
///
/// Called by the ethtool core with a registered device.
pub(super) unsafe extern "C" fn get_rxfh_indir_size<T: device::Operations>(
    d: *mut bindings::net_device,
) -> u32 {
    // SAFETY: Per the function's safety requirements.
    T::rxfh_sizes(unsafe { dev::<T>(d) }).0
}

/// # Safety
///
/// Called by the ethtool core with a registered device.
pub(super) unsafe extern "C" fn get_rxfh_key_size<T: device::Operations>(
    d: *mut bindings::net_device,
) -> u32 {
    // SAFETY: Per the function's safety requirements.
    T::rxfh_sizes(unsafe { dev::<T>(d) }).1
}

/// The indirection table and key buffers of `p`, each `None` if the caller
/// did not ask for it.
///
/// # Safety
///
/// `p.indir`, if non-null, must be valid for `p.indir_size` `u32`s and
/// `p.key`, if non-null, for `p.key_size` bytes, for `'a`, unaliased.
unsafe fn rxfh_buffers<'a>(
    p: &bindings::ethtool_rxfh_param,
) -> (Option<&'a mut [u32]>, Option<&'a mut [u8]>) {
    let indir = (!p.indir.is_null()).then(|| {
        // SAFETY: Per the function's safety requirements.
        unsafe { core::slice::from_raw_parts_mut(p.indir, p.indir_size as usize) }
    });
    let key = (!p.key.is_null()).then(|| {
        // SAFETY: Per the function's safety requirements.
        unsafe { core::slice::from_raw_parts_mut(p.key, p.key_size as usize) }
    });
    (indir, key)
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `p`
/// whose buffers (if set) have the sizes we reported.
pub(super) unsafe extern "C" fn get_rxfh<T: device::Operations>(
    d: *mut bindings::net_device,
    p: *mut bindings::ethtool_rxfh_param,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (d, p) = unsafe { (dev::<T>(d), &mut *p) };
    p.hfunc = ETH_RSS_HASH_TOP;
    // SAFETY: The core sized the buffers from our get_rxfh_*_size.
    let (indir, key) = unsafe { rxfh_buffers(p) };
    from_result(|| {
        T::get_rxfh(d, indir, key)?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a registered device and a valid `p`
/// whose buffers (if set) have the sizes we reported.
pub(super) unsafe extern "C" fn set_rxfh<T: device::Operations>(
    d: *mut bindings::net_device,
    p: *mut bindings::ethtool_rxfh_param,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (d, p) = unsafe { (dev::<T>(d), &mut *p) };
    from_result(|| {
        if p.hfunc != ETH_RSS_HASH_NO_CHANGE && p.hfunc != ETH_RSS_HASH_TOP {
            return Err(EOPNOTSUPP);
        }
        if p.rss_context != 0 {
            return Err(EOPNOTSUPP);
        }
        // SAFETY: The core sized the buffers from our get_rxfh_*_size.
        let (indir, key) = unsafe { rxfh_buffers(p) };
        T::set_rxfh(d, indir.map(|s| &*s), key.map(|s| &*s))?;
        Ok(0)
    })
}
