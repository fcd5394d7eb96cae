// SPDX-License-Identifier: GPL-2.0

//! The `net_device_ops` table for an [`Operations`] type and the C callbacks
//! in it, plus the watchdog and reset work callbacks: each turns the raw
//! `net_device` back into a [`Device<T>`] and calls the driver.

use core::{marker::PhantomData, mem::offset_of};

use kernel::{error::from_result, prelude::*};

use super::{
    super::{
        addr, bindings,
        features::Features,
        process::Process,
        rtnl::{Rtnl, RtnlGuard},
        skb::SkBuff,
        skb_offload::TxHeaders,
    },
    Device, Operations, Priv, Stats64,
};

/// The `net_device_ops` table for `T`.
pub(super) struct OpsTable<T>(PhantomData<T>);

impl<T: Operations> OpsTable<T> {
    const OPS: bindings::net_device_ops = bindings::net_device_ops {
        ndo_open: Some(ndo_open::<T>),
        ndo_stop: Some(ndo_stop::<T>),
        ndo_start_xmit: Some(ndo_start_xmit::<T>),
        ndo_get_stats64: Some(ndo_get_stats64::<T>),
        ndo_validate_addr: Some(bindings::eth_validate_addr),
        ndo_tx_timeout: if T::HAS_TX_TIMEOUT {
            Some(ndo_tx_timeout::<T>)
        } else {
            None
        },
        ndo_change_mtu: if T::HAS_CHANGE_MTU {
            Some(ndo_change_mtu::<T>)
        } else {
            None
        },
        ndo_set_rx_mode: if T::HAS_SET_RX_MODE {
            Some(addr::ndo_set_rx_mode::<T>)
        } else {
            None
        },
        ndo_set_mac_address: if T::HAS_SET_MAC_ADDRESS {
            Some(addr::ndo_set_mac_address::<T>)
        } else {
            None
        },
        ndo_vlan_rx_add_vid: if T::HAS_VLAN_RX_ADD_VID {
            Some(addr::ndo_vlan_rx_add_vid::<T>)
        } else {
            None
        },
        ndo_vlan_rx_kill_vid: if T::HAS_VLAN_RX_KILL_VID {
            Some(addr::ndo_vlan_rx_kill_vid::<T>)
        } else {
            None
        },
        ndo_fix_features: if T::HAS_FIX_FEATURES {
            Some(ndo_fix_features::<T>)
        } else {
            None
        },
        ndo_set_features: if T::HAS_SET_FEATURES {
            Some(ndo_set_features::<T>)
        } else {
            None
        },
        ndo_features_check: if T::HAS_FEATURES_CHECK {
            Some(ndo_features_check::<T>)
        } else {
            None
        },
        // SAFETY: All other members are optional callbacks or plain data for
        // which all-zero (NULL / 0) is the valid "not provided" value.
        ..unsafe { core::mem::zeroed() }
    };

    pub(super) const fn netdev_ops() -> &'static bindings::net_device_ops {
        &Self::OPS
    }
}

/// # Safety
///
/// Called by the net core with a device registered by `Registration<T>`.
unsafe extern "C" fn ndo_open<T: Operations>(dev: *mut bindings::net_device) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: The core calls `ndo_open` with RTNL held; the token does not
    // outlive this call.
    let rtnl = unsafe { Rtnl::assume_held() };
    from_result(|| T::open(dev, rtnl).map(|()| 0))
}

/// # Safety
///
/// Called by the net core with a device registered by `Registration<T>`.
unsafe extern "C" fn ndo_stop<T: Operations>(dev: *mut bindings::net_device) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: The core calls `ndo_stop` with RTNL held; the token does not
    // outlive this call.
    let rtnl = unsafe { Rtnl::assume_held() };
    from_result(|| T::stop(dev, rtnl).map(|()| 0))
}

/// # Safety
///
/// Called by the net core with an skb whose ownership passes to us and a
/// device registered by `Registration<T>`.
unsafe extern "C" fn ndo_start_xmit<T: Operations>(
    skb: *mut bindings::sk_buff,
    dev: *mut bindings::net_device,
) -> bindings::netdev_tx_t {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: The net core passes us ownership of a valid skb.
    if let Some(skb) = unsafe { SkBuff::from_raw(skb) } {
        T::start_xmit(dev, skb);
    }
    bindings::netdev_tx_NETDEV_TX_OK
}

/// # Safety
///
/// Called by the net core with a device registered by `Registration<T>`.
unsafe extern "C" fn ndo_change_mtu<T: Operations>(
    dev: *mut bindings::net_device,
    new_mtu: c_int,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: The core calls `ndo_change_mtu` with RTNL held; the token does
    // not outlive this call.
    let rtnl = unsafe { Rtnl::assume_held() };
    from_result(|| {
        let mtu = u32::try_from(new_mtu).map_err(|_| EINVAL)?;
        T::change_mtu(dev, rtnl, mtu)?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the net core with a device registered by `Registration<T>` and a
/// valid, zero-initialised `stats`.
unsafe extern "C" fn ndo_get_stats64<T: Operations>(
    dev: *mut bindings::net_device,
    stats: *mut bindings::rtnl_link_stats64,
) {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    let mut s = Stats64::default();
    T::get_stats64(dev, &mut s);
    // SAFETY: `stats` is valid for writes per the safety requirements.
    let out = unsafe { &mut *stats };
    out.rx_packets = s.rx_packets;
    out.tx_packets = s.tx_packets;
    out.rx_bytes = s.rx_bytes;
    out.tx_bytes = s.tx_bytes;
    out.rx_errors = s.rx_errors;
    out.tx_errors = s.tx_errors;
    out.rx_dropped = s.rx_dropped;
    out.tx_dropped = s.tx_dropped;
    out.multicast = s.multicast;
    out.rx_crc_errors = s.rx_crc_errors;
    out.rx_missed_errors = s.rx_missed_errors;
    out.rx_length_errors = s.rx_length_errors;
}

/// # Safety
///
/// Called by the net core with a device registered by `Registration<T>`.
unsafe extern "C" fn ndo_fix_features<T: Operations>(
    dev: *mut bindings::net_device,
    features: bindings::netdev_features_t,
) -> bindings::netdev_features_t {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    T::fix_features(dev, Features::from_bits(features)).bits()
}

/// # Safety
///
/// Called by the net core with a device registered by `Registration<T>`.
unsafe extern "C" fn ndo_set_features<T: Operations>(
    dev: *mut bindings::net_device,
    features: bindings::netdev_features_t,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    from_result(|| T::set_features(dev, Features::from_bits(features)).map(|()| 0))
}

/// # Safety
///
/// Called by the net core with a valid skb it owns and a device registered by
/// `Registration<T>`.
unsafe extern "C" fn ndo_features_check<T: Operations>(
    skb: *mut bindings::sk_buff,
    dev: *mut bindings::net_device,
    features: bindings::netdev_features_t,
) -> bindings::netdev_features_t {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: `skb` is valid for the duration of the call.
    let headers = unsafe { TxHeaders::from_raw(skb) };
    T::features_check(dev, &headers, Features::from_bits(features)).bits()
}

/// # Safety
///
/// Called by the workqueue for the `watchdog` member of a `Priv<T>`.
pub(super) unsafe extern "C" fn watchdog_callback<T: Operations>(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the work_struct inside the delayed_work inside a
    // `Priv<T>`, per the safety requirements; walk back to the container.
    let dev = unsafe {
        let dw = bindings::rust_igb_to_delayed_work(work);
        let p = dw
            .cast::<u8>()
            .sub(offset_of!(Priv<T>, watchdog))
            .cast::<Priv<T>>();
        Device::<T>::from_raw((*p).dev)
    };
    if T::HAS_WATCHDOG {
        // SAFETY: A work item runs in process context and may sleep; the
        // token does not outlive this call.
        T::watchdog(dev, unsafe { Process::assume() });
    }
}

/// # Safety
///
/// Called by the net core's TX watchdog with a device registered by
/// `Registration<T>`.
unsafe extern "C" fn ndo_tx_timeout<T: Operations>(dev: *mut bindings::net_device, queue: c_uint) {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    T::tx_timeout(dev, queue);
}

/// # Safety
///
/// Called by the workqueue for the `reset` member of a `Priv<T>`.
pub(super) unsafe extern "C" fn reset_callback<T: Operations>(work: *mut bindings::work_struct) {
    // SAFETY: `work` is the work_struct inside the delayed_work inside a
    // `Priv<T>`, per the safety requirements; walk back to the container.
    // The registration cancels this work before the private area goes away.
    let dev = unsafe {
        let dw = bindings::rust_igb_to_delayed_work(work);
        let p = dw
            .cast::<u8>()
            .sub(offset_of!(Priv<T>, reset))
            .cast::<Priv<T>>();
        Device::<T>::from_raw((*p).dev)
    };
    let rtnl = RtnlGuard::lock();
    if T::HAS_RESET && dev.is_running() {
        T::reset(dev, rtnl.token());
    }
    drop(rtnl);
}
