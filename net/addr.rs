// SPDX-License-Identifier: GPL-2.0

//! Receive filtering: the receive mode with the device's unicast and
//! multicast address lists (`ndo_set_rx_mode`), the station address
//! (`ndo_set_mac_address`) and VLAN ID filtering (`ndo_vlan_rx_add_vid` /
//! `ndo_vlan_rx_kill_vid`).
//!
//! C headers: include/linux/netdevice.h (`netdev_for_each_uc_addr`,
//! `netdev_for_each_mc_addr`, `netdev_uc_count`), include/linux/etherdevice.h
//! (`is_valid_ether_addr`, `eth_hw_addr_set`).
//!
//! The address lists are walked in place, without copying: an [`RxMode`] is
//! only handed to the driver by reference inside `ndo_set_rx_mode`, which the
//! core calls with the device's address list lock held (`netif_addr_lock_bh`),
//! so the lists cannot change while the driver iterates them, and no address
//! borrowed from them can outlive the callback. Nothing here allocates.
//!
//! A driver that implements `set_rx_mode` is registered with
//! `IFF_UNICAST_FLT` (it receives the extra unicast addresses instead of
//! being put in promiscuous mode by the core); one that implements both VLAN
//! callbacks is registered with `NETIF_F_HW_VLAN_CTAG_FILTER`.

use core::marker::PhantomData;

use kernel::{error::from_result, prelude::*};

use super::{bindings, device::Operations, Device};

/// Length of an Ethernet address (`ETH_ALEN`).
pub(crate) const ETH_ALEN: usize = 6;

/// An Ethernet (MAC) address.
pub(crate) type EthAddr = [u8; ETH_ALEN];

/// Number of VLAN IDs (`VLAN_N_VID`); valid IDs are `0..VLAN_N_VID`.
pub(crate) const VLAN_N_VID: u16 = 4096;

/// `ETH_P_8021Q`: the only VLAN protocol whose filtering is advertised.
const ETH_P_8021Q: u16 = 0x8100;

/// `IFF_PROMISC` and `IFF_ALLMULTI` (include/uapi/linux/if.h).
const IFF_PROMISC: u32 = 0x100;
const IFF_ALLMULTI: u32 = 0x200;

/// The receive filter the stack asks for (`ndo_set_rx_mode`), with the
/// device's address lists.
///
/// # Invariants
///
/// `dev` is a registered `net_device` whose address list lock is held for as
/// long as this value exists (it is created inside `ndo_set_rx_mode` and only
/// lent to the driver).
pub(crate) struct RxMode {
    /// `IFF_PROMISC`: accept every frame.
    pub(crate) promisc: bool,
    /// `IFF_ALLMULTI`: accept every multicast frame.
    pub(crate) allmulti: bool,
    /// Number of multicast addresses subscribed to (`netdev_mc_count`).
    pub(crate) mc_count: u32,
    /// Number of extra unicast addresses (`netdev_uc_count`), beyond the
    /// station address.
    pub(crate) uc_count: u32,
    dev: *mut bindings::net_device,
}

impl RxMode {
    /// The multicast addresses subscribed to (`netdev_for_each_mc_addr`).
    pub(crate) fn mc_addrs(&self) -> HwAddrs<'_> {
        HwAddrs::new(self, false)
    }

    /// The extra unicast addresses (`netdev_for_each_uc_addr`): secondary
    /// addresses added by macvlan, bridges (`bridge fdb add ... self`) etc.
    pub(crate) fn uc_addrs(&self) -> HwAddrs<'_> {
        HwAddrs::new(self, true)
    }
}

impl core::fmt::Debug for RxMode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RxMode")
            .field("promisc", &self.promisc)
            .field("allmulti", &self.allmulti)
            .field("mc_count", &self.mc_count)
            .field("uc_count", &self.uc_count)
            .finish()
    }
}

/// An iterator over one of the address lists of an [`RxMode`].
pub(crate) struct HwAddrs<'a> {
    dev: *mut bindings::net_device,
    uc: bool,
    next: *mut bindings::netdev_hw_addr,
    _mode: PhantomData<&'a RxMode>,
}

impl<'a> HwAddrs<'a> {
    fn new(mode: &'a RxMode, uc: bool) -> Self {
        // SAFETY: By the invariant of `RxMode`, `mode.dev` is registered and
        // its address lists are locked while `mode` (and so `'a`) lives.
        let next = unsafe { bindings::rust_igb_netdev_hw_addr_first(mode.dev, uc) };
        Self {
            dev: mode.dev,
            uc,
            next,
            _mode: PhantomData,
        }
    }
}

impl<'a> Iterator for HwAddrs<'a> {
    type Item = &'a EthAddr;

    fn next(&mut self) -> Option<&'a EthAddr> {
        if self.next.is_null() {
            return None;
        }
        let ha = self.next;
        // SAFETY: `ha` is an entry of the locked list (see `HwAddrs::new`);
        // entries stay allocated while the lock is held, which is for `'a`.
        // `addr` holds `MAX_ADDR_LEN` (32) bytes, the first six being the
        // Ethernet address; `[u8; 6]` has alignment 1.
        let addr = unsafe {
            self.next = bindings::rust_igb_netdev_hw_addr_next(self.dev, self.uc, ha);
            &*bindings::rust_igb_netdev_hw_addr_addr(ha).cast::<EthAddr>()
        };
        Some(addr)
    }
}

impl<T: Operations> Device<T> {
    /// The interface's current station address (`dev->dev_addr`). Stable
    /// under RTNL (e.g. in `open`); the address is changed only through
    /// [`Operations::set_mac_address`].
    pub(crate) fn dev_addr(&self) -> EthAddr {
        let mut addr = [0u8; ETH_ALEN];
        // SAFETY: Registered device; `addr` has room for `ETH_ALEN` bytes.
        unsafe { bindings::rust_igb_netdev_dev_addr(self.as_raw(), addr.as_mut_ptr()) };
        addr
    }
}

/// Whether `addr` is a valid station address: neither multicast nor all
/// zeros (`is_valid_ether_addr`).
pub(crate) fn is_valid_ether_addr(addr: &EthAddr) -> bool {
    // SAFETY: `addr` points to `ETH_ALEN` readable bytes.
    unsafe { bindings::rust_igb_is_valid_ether_addr(addr.as_ptr()) }
}

/// Advertise the filters `T` implements, before `register_netdev`.
///
/// # Safety
///
/// `dev` is a valid `net_device` that is not registered yet.
pub(super) unsafe fn enable_filters<T: Operations>(dev: *mut bindings::net_device) {
    let vlan = T::HAS_VLAN_RX_ADD_VID && T::HAS_VLAN_RX_KILL_VID;
    // SAFETY: Per the function's safety requirements.
    unsafe { bindings::rust_igb_netdev_enable_filters(dev, T::HAS_SET_RX_MODE, vlan) };
}

/// # Safety
///
/// Called by the net core with a device registered by `Registration<T>`,
/// with the device's address list lock held.
pub(super) unsafe extern "C" fn ndo_set_rx_mode<T: Operations>(dev: *mut bindings::net_device) {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    let raw = dev.as_raw();
    // SAFETY: Reads of a registered device under the address list lock.
    let (flags, mc, uc) = unsafe {
        (
            bindings::rust_igb_netdev_flags(raw),
            bindings::rust_igb_netdev_mc_count(raw),
            bindings::rust_igb_netdev_uc_count(raw),
        )
    };
    // INVARIANT: the address list lock is held for this whole function, and
    // the driver only borrows `mode`.
    let mode = RxMode {
        promisc: flags & IFF_PROMISC != 0,
        allmulti: flags & IFF_ALLMULTI != 0,
        mc_count: u32::try_from(mc).unwrap_or(0),
        uc_count: u32::try_from(uc).unwrap_or(0),
        dev: raw,
    };
    T::set_rx_mode(dev, &mode);
}

/// # Safety
///
/// Called by the net core (RTNL held) with a device registered by
/// `Registration<T>` and `sa` pointing to a `struct sockaddr_storage`.
pub(super) unsafe extern "C" fn ndo_set_mac_address<T: Operations>(
    dev: *mut bindings::net_device,
    sa: *mut c_void,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    from_result(|| {
        let mut addr = [0u8; ETH_ALEN];
        // SAFETY: `sa` is a valid sockaddr_storage, whose data part holds at
        // least `ETH_ALEN` bytes.
        let data = unsafe { bindings::rust_igb_sockaddr_data(sa) };
        // SAFETY: See above; `addr` is a distinct local buffer.
        unsafe { core::ptr::copy_nonoverlapping(data, addr.as_mut_ptr(), ETH_ALEN) };
        if !is_valid_ether_addr(&addr) {
            return Err(EADDRNOTAVAIL);
        }
        T::set_mac_address(dev, &addr)?;
        // SAFETY: Registered device, RTNL held (as `eth_commit_mac_addr_change`).
        unsafe { bindings::rust_igb_eth_hw_addr_set(dev.as_raw(), addr.as_ptr()) };
        Ok(0)
    })
}

/// Common part of the VLAN trampolines: 802.1Q only, IDs below 4096.
fn vlan_vid(proto: bindings::__be16, vid: u16) -> Result<u16> {
    if u16::from_be(proto) != ETH_P_8021Q {
        return Err(EPROTONOSUPPORT);
    }
    if vid >= VLAN_N_VID {
        return Err(EINVAL);
    }
    Ok(vid)
}

/// # Safety
///
/// Called by the net core (RTNL held) with a device registered by
/// `Registration<T>`.
pub(super) unsafe extern "C" fn ndo_vlan_rx_add_vid<T: Operations>(
    dev: *mut bindings::net_device,
    proto: bindings::__be16,
    vid: u16,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    from_result(|| T::vlan_rx_add_vid(dev, vlan_vid(proto, vid)?).map(|()| 0))
}

/// # Safety
///
/// Called by the net core (RTNL held) with a device registered by
/// `Registration<T>`.
pub(super) unsafe extern "C" fn ndo_vlan_rx_kill_vid<T: Operations>(
    dev: *mut bindings::net_device,
    proto: bindings::__be16,
    vid: u16,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    from_result(|| T::vlan_rx_kill_vid(dev, vlan_vid(proto, vid)?).map(|()| 0))
}
