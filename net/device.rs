// SPDX-License-Identifier: GPL-2.0

//! Network devices: allocation and registration of a `struct net_device` with
//! typed private data, the `net_device_ops` callbacks, carrier control and a
//! per-device watchdog work item.
//!
//! C headers: include/linux/netdevice.h, include/linux/etherdevice.h
//!
//! A driver implements [`Operations`] (and [`ethtool::Operations`]) for its
//! private data type `T` and creates a [`Registration<T>`]. The private data
//! lives inside the `net_device` allocation (`netdev_priv()`), is pinned there
//! and is dropped after the device is unregistered. Callbacks receive a
//! [`Device<T>`], from which the driver reaches its data with [`Device::data`].
//!
//! Parts: [`registration`] creates and removes the device ([`Config`],
//! [`Registration`]); `ops` holds the `net_device_ops` table and its C
//! callbacks; this file the [`Operations`] trait, [`Device`] and the private
//! area they share.
//!
//! Contexts: `open`/`stop` run in process context under RTNL (and receive an
//! [`Rtnl`] token to prove it to the functions that need it); `start_xmit`
//! runs in softirq or process context with BHs disabled, under the TX queue
//! lock; `get_stats64` may run concurrently with everything else; the
//! watchdog runs in process context (system workqueue) without RTNL.

use core::{fmt, marker::PhantomData, sync::atomic::AtomicU32};

use kernel::{
    device,
    error::VTABLE_DEFAULT_ERROR,
    prelude::*,
    types::Opaque, //
};

use super::{
    addr::{EthAddr, RxMode},
    bindings,
    devlink::HealthSlot,
    ethtool,
    features::Features,
    irq::IrqState,
    napi::{Napi, NapiSlot, QueueLinks, MAX_QUEUE_VECTORS},
    process::Process,
    qstats::{QueueStatsRx, QueueStatsTx},
    rtnl::Rtnl,
    skb::SkBuff,
    skb_offload::TxHeaders, //
};

mod ops;
mod registration;

pub(crate) use registration::{Config, Registration};

/// `NETDEV_ALIGN`: the alignment of `netdev_priv()`.
const NETDEV_ALIGN: usize = 32;

/// `netdev_priv()`: the private area of `dev`, at a fixed offset.
///
/// # Safety
///
/// `dev` must point to a `net_device` allocated by `alloc_netdev_mqs`.
unsafe fn netdev_priv(dev: *mut bindings::net_device) -> *mut c_void {
    // SAFETY: The private area starts `rust_igb_netdev_priv_offset` bytes
    // into the allocation (`offsetof(struct net_device, priv)`), which is
    // inside it per the safety requirements; the static is a constant.
    unsafe {
        dev.cast::<u8>()
            .add(bindings::rust_igb_netdev_priv_offset)
            .cast()
    }
}

/// Interface counters reported by `ndo_get_stats64` (`struct rtnl_link_stats64`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats64 {
    /// Frames received and passed up.
    pub(crate) rx_packets: u64,
    /// Frames handed to the hardware and completed.
    pub(crate) tx_packets: u64,
    /// Bytes of `rx_packets`.
    pub(crate) rx_bytes: u64,
    /// Bytes of `tx_packets`.
    pub(crate) tx_bytes: u64,
    /// Bad frames received.
    pub(crate) rx_errors: u64,
    /// Frames that failed to transmit.
    pub(crate) tx_errors: u64,
    /// Good frames dropped on receive (no buffer, ...).
    pub(crate) rx_dropped: u64,
    /// Frames dropped by the driver on transmit.
    pub(crate) tx_dropped: u64,
    /// Multicast frames received.
    pub(crate) multicast: u64,
    /// Frames received with a CRC error.
    pub(crate) rx_crc_errors: u64,
    /// Frames the MAC missed for lack of descriptors.
    pub(crate) rx_missed_errors: u64,
    /// Frames received with a length error.
    pub(crate) rx_length_errors: u64,
}

/// `IFNAMSIZ`: bytes of an interface name, its NUL included.
pub(crate) const IFNAMSIZ: usize = 16;

/// An interface name copied out of a `net_device` ([`Device::name`]).
///
/// # Invariants
///
/// `buf` holds at least one NUL byte (the last one).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct IfName {
    buf: [u8; IFNAMSIZ],
}

impl IfName {
    /// The name in `buf`, cut at its first NUL (the last byte always is one).
    pub(crate) fn new(mut buf: [u8; IFNAMSIZ]) -> Self {
        buf[IFNAMSIZ - 1] = 0;
        // INVARIANT: the last byte is NUL.
        Self { buf }
    }

    /// The name's bytes, without the NUL.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        let end = self.buf.iter().position(|&b| b == 0).unwrap_or(IFNAMSIZ);
        &self.buf[..end]
    }
}

// The kernel's formatting macros (`dev_info!`, `fmt!`) take
// `kernel::fmt::Display`.
impl kernel::fmt::Display for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        kernel::fmt::Display::fmt(kernel::str::BStr::from_bytes(self.as_bytes()), f)
    }
}

impl fmt::Debug for IfName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(kernel::str::BStr::from_bytes(self.as_bytes()), f)
    }
}

/// The `net_device_ops` a driver provides for its private data type.
#[vtable]
pub(crate) trait Operations: ethtool::Operations + Sized + Send + Sync + 'static {
    /// `ndo_open`: bring the interface up (process context, RTNL held).
    fn open(dev: &Device<Self>, rtnl: Rtnl<'_>) -> Result;

    /// `ndo_stop`: bring the interface down; after this returns the hardware
    /// must no longer touch host memory (process context, RTNL held).
    fn stop(dev: &Device<Self>, rtnl: Rtnl<'_>) -> Result;

    /// `ndo_start_xmit`: transmit `skb` or drop it with a reason; the driver
    /// always takes ownership (softirq/process context, BHs off).
    fn start_xmit(dev: &Device<Self>, skb: SkBuff);

    /// `ndo_get_stats64`: report the interface counters (any context).
    fn get_stats64(dev: &Device<Self>, stats: &mut Stats64);

    /// `netdev_stat_ops.get_queue_stats_rx`: the counters of RX queue
    /// `queue` (one of the `real_num_rx_queues` in use), for netdev
    /// netlink's `qstats-get`. RTNL held. See `net/qstats.rs`.
    fn queue_stats_rx(_dev: &Device<Self>, _rtnl: Rtnl<'_>, _queue: u32, _s: &mut QueueStatsRx) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `netdev_stat_ops.get_queue_stats_tx`: likewise for TX queue `queue`.
    fn queue_stats_tx(_dev: &Device<Self>, _rtnl: Rtnl<'_>, _queue: u32, _s: &mut QueueStatsTx) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `netdev_stat_ops.get_base_stats`: the device's history that belongs
    /// to no queue in use (queues a channel change removed), so that the
    /// base plus the live queues is the device's total. Every counter the
    /// per-queue calls report must be set (0 included). RTNL held.
    fn base_stats(
        _dev: &Device<Self>,
        _rtnl: Rtnl<'_>,
        _rx: &mut QueueStatsRx,
        _tx: &mut QueueStatsTx,
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_change_mtu`: switch to `new_mtu` (already checked against the
    /// device's MTU range by the core), calling [`Device::set_mtu`] once the
    /// hardware can take it (process context, RTNL held).
    fn change_mtu(_dev: &Device<Self>, _rtnl: Rtnl<'_>, _new_mtu: u32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_tx_timeout`: TX queue `queue` made no progress for the watchdog
    /// timeout. Runs in timer context with the TX lock held: schedule
    /// [`Device::schedule_reset`] rather than resetting here.
    fn tx_timeout(_dev: &Device<Self>, _queue: u32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The reset task, run after [`Device::schedule_reset`] in process
    /// context with RTNL held, only while the interface is up.
    fn reset(_dev: &Device<Self>, _rtnl: Rtnl<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The periodic watchdog (process context, no RTNL), run after
    /// [`Device::schedule_watchdog`]; `ctx` proves it may sleep (for
    /// [`Device::health_report`]).
    fn watchdog(_dev: &Device<Self>, _ctx: Process<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_set_rx_mode`: program the receive filter for `mode` (flags and
    /// address lists, see `addr.rs`). Runs with the address list lock held
    /// (BHs off): must not sleep.
    fn set_rx_mode(_dev: &Device<Self>, _mode: &RxMode) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The NAPI poll of instance `napi` (softirq): do at most
    /// [`Napi::budget`] units of receive work, return the work done; complete
    /// `napi` ([`Napi::complete_done`], which refuses a `work` not below the
    /// budget) and re-enable the interrupt only when it is less than the
    /// budget. A poll that returns less without completing is polled again.
    fn poll(_dev: &Device<Self>, _napi: &Napi<'_>) -> i32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The hard-IRQ handler of interrupt vector `vector`: acknowledge and
    /// schedule NAPI; return whether the interrupt was ours.
    fn irq(_dev: &Device<Self>, _vector: usize) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_fix_features`: adjust the `features` requested (by ethtool) to a combination the
    /// device supports (process context, RTNL held).
    fn fix_features(_dev: &Device<Self>, _features: Features) -> Features {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_set_features`: apply `features` (already fixed up); [`Device::features`] still
    /// returns the old set. On success the core stores `features` (process context, RTNL).
    fn set_features(_dev: &Device<Self>, _features: Features) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_features_check`: the subset of `features` usable for the packet described by
    /// `headers` (transmit path, any context; must not sleep).
    fn features_check(_dev: &Device<Self>, _headers: &TxHeaders, _features: Features) -> Features {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    // Receive filters (see `addr.rs`).

    /// `ndo_set_mac_address`: program `addr`, already checked to be a valid
    /// unicast address, as the station address (process context, RTNL
    /// held). On success the stack's copy (`dev_addr`) is updated.
    fn set_mac_address(_dev: &Device<Self>, _addr: &EthAddr) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_vlan_rx_add_vid`: accept 802.1Q frames of VLAN `vid` (below
    /// 4096, checked); process context, RTNL held, the interface may be down.
    fn vlan_rx_add_vid(_dev: &Device<Self>, _vid: u16) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_vlan_rx_kill_vid`: stop accepting VLAN `vid` (as above).
    fn vlan_rx_kill_vid(_dev: &Device<Self>, _vid: u16) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// What the `net_device` private area holds: the abstraction's own state
/// followed by the driver's data.
#[repr(C)]
#[pin_data]
struct Priv<T> {
    /// Back-pointer to the owning `net_device` (for the work item callback).
    dev: *mut bindings::net_device,
    /// The driver watchdog (`struct delayed_work`).
    #[pin]
    watchdog: Opaque<bindings::delayed_work>,
    /// The reset task (`struct delayed_work`, always queued without delay).
    #[pin]
    reset: Opaque<bindings::delayed_work>,
    /// NAPI instances (see `napi.rs`).
    napi: [NapiSlot; MAX_QUEUE_VECTORS],
    /// Which queue is linked to which NAPI instance (see `napi.rs`). RTNL.
    links: QueueLinks,
    /// Interrupt vectors (see `irq.rs`).
    irq: IrqState,
    /// What `get_sset_count` last returned for the statistics and the test
    /// string sets, which the core sized the `get_strings` buffer from (see
    /// `ethtool.rs`). RTNL.
    sset_counts: [AtomicU32; 2],
    /// The devlink health reporter, while one is registered (see
    /// `devlink.rs`).
    #[pin]
    health: HealthSlot,
    /// The driver's private data.
    #[pin]
    data: T,
}

/// A registered network device whose private data is a `T`.
///
/// # Invariants
///
/// Instances are only reachable (as `&Device<T>`) for a `net_device` that was
/// allocated by [`Registration::<T>::new`] and whose private area holds an
/// initialised `Priv<T>`, for as long as that registration exists.
#[repr(transparent)]
pub(crate) struct Device<T>(Opaque<bindings::net_device>, PhantomData<T>);

// SAFETY: The methods of `Device` call C functions that are safe to call from
// any thread for a registered device; the private data is `Sync`.
unsafe impl<T: Sync> Sync for Device<T> {}

impl<T: Operations> Device<T> {
    /// # Safety
    ///
    /// `ptr` must be a `net_device` created by a live [`Registration<T>`], and
    /// the registration must outlive `'a`.
    pub(super) unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `Device<T>` is a transparent wrapper of `net_device`; the
        // pointer is valid for `'a` per the safety requirements.
        unsafe { &*ptr.cast::<Self>() }
    }

    pub(super) fn as_raw(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    pub(super) fn priv_napi(&self) -> &[NapiSlot; MAX_QUEUE_VECTORS] {
        &self.priv_area().napi
    }

    pub(super) fn priv_links(&self) -> &QueueLinks {
        &self.priv_area().links
    }

    pub(super) fn priv_irq(&self) -> &IrqState {
        &self.priv_area().irq
    }

    pub(super) fn priv_sset_counts(&self) -> &[AtomicU32; 2] {
        &self.priv_area().sset_counts
    }

    pub(super) fn priv_health(&self) -> &HealthSlot {
        &self.priv_area().health
    }

    /// Stop TX queue `queue` (`netif_stop_subqueue`).
    pub(crate) fn tx_stop(&self, queue: u16) {
        // SAFETY: Registered device; the core checks the queue index.
        unsafe { bindings::rust_igb_netif_stop_subqueue(self.as_raw(), queue) }
    }

    /// Wake TX queue `queue` (`netif_wake_subqueue`).
    pub(crate) fn tx_wake(&self, queue: u16) {
        // SAFETY: Registered device.
        unsafe { bindings::rust_igb_netif_wake_subqueue(self.as_raw(), queue) }
    }

    /// Whether TX queue `queue` is stopped.
    pub(crate) fn tx_stopped(&self, queue: u16) -> bool {
        // SAFETY: Registered device.
        unsafe { bindings::rust_igb_netif_subqueue_stopped(self.as_raw(), queue) }
    }

    /// Start all TX queues (`netif_tx_start_all_queues`), in `open`.
    pub(crate) fn tx_start_all(&self) {
        // SAFETY: Registered device.
        unsafe { bindings::rust_igb_netif_tx_start_all_queues(self.as_raw()) }
    }

    /// Stop all TX queues and wait for running `start_xmit` calls
    /// (`netif_tx_disable`), in `stop`. Process context (RTNL held).
    pub(crate) fn tx_disable(&self, _rtnl: Rtnl<'_>) {
        // SAFETY: Registered device; process context (an RTNL holder).
        unsafe { bindings::rust_igb_netif_tx_disable(self.as_raw()) }
    }

    /// Byte queue limits: `bytes` were queued to the hardware on `queue`
    /// (`__netdev_tx_sent_queue`). Only inside `start_xmit`. Returns whether
    /// the tail must be written now: the stack has no further frame for this
    /// queue right behind this one (no `xmit_more`), or this one made byte
    /// queue limits stop the queue.
    pub(crate) fn tx_sent(&self, queue: u16, bytes: u32) -> bool {
        // SAFETY: Registered device, valid queue (from the core); reads the
        // per-CPU `xmit_more` flag the core sets around `start_xmit`.
        unsafe { bindings::rust_igb_netdev_tx_sent_queue(self.as_raw(), queue, bytes) }
    }

    /// Byte queue limits: `pkts` frames of `bytes` completed on `queue`.
    pub(crate) fn tx_completed(&self, queue: u16, pkts: u32, bytes: u32) {
        // SAFETY: Registered device.
        unsafe { bindings::rust_igb_netdev_tx_completed_queue(self.as_raw(), queue, pkts, bytes) }
    }

    /// Byte queue limits: forget in-flight bytes of `queue` (ring cleared).
    pub(crate) fn tx_reset(&self, queue: u16) {
        // SAFETY: Registered device.
        unsafe { bindings::rust_igb_netdev_tx_reset_queue(self.as_raw(), queue) }
    }

    fn priv_area(&self) -> &Priv<T> {
        // SAFETY: By the type invariant the private area holds an initialised
        // `Priv<T>` that lives as long as the device.
        unsafe { &*netdev_priv(self.as_raw()).cast::<Priv<T>>() }
    }

    /// The driver's private data.
    pub(crate) fn data(&self) -> &T {
        &self.priv_area().data
    }

    /// The interface name (`eth0`, ...), copied out of the device: a rename
    /// rewrites `dev->name` under RTNL while other contexts read it, so no
    /// reference into it is handed out.
    pub(crate) fn name(&self) -> IfName {
        let mut buf = [0u8; IFNAMSIZ];
        // SAFETY: `as_raw()` is a valid net_device; `buf` has room for the
        // `IFNAMSIZ` bytes the helper writes.
        unsafe { bindings::rust_igb_netdev_copy_name(self.as_raw(), buf.as_mut_ptr().cast()) };
        IfName::new(buf)
    }

    /// The raw parent (bus) device.
    pub(super) fn parent_raw(&self) -> *mut bindings::device {
        // SAFETY: `as_raw()` is a valid net_device; `dev.parent` is at this
        // offset (`offsetof` in the shim) and is written once, before the
        // device is registered.
        unsafe {
            self.as_raw()
                .cast::<u8>()
                .add(bindings::rust_igb_netdev_parent_offset)
                .cast::<*mut bindings::device>()
                .read()
        }
    }

    /// The parent (bus) device, for `dev_*!` logging.
    pub(crate) fn parent(&self) -> &device::Device {
        self.parent_bound()
    }

    /// The parent device, which is bound to its driver for as long as this
    /// `Device` is reachable: proof for `Devres::access` and DMA allocation.
    pub(crate) fn parent_bound(&self) -> &device::Device<device::Bound> {
        // SAFETY: `Device<T>` is only reachable while its `Registration<T>`
        // exists (type invariant), and the registration is owned by the
        // parent's devres, released at unbind, so the parent is bound. The
        // parent holds a reference for as long as the net_device exists.
        unsafe { &*self.parent_raw().cast::<device::Device<device::Bound>>() }
    }

    /// The current MTU.
    pub(crate) fn mtu(&self) -> u32 {
        // SAFETY: `as_raw()` is a valid net_device.
        unsafe { bindings::rust_igb_netdev_mtu(self.as_raw()) }
    }

    /// Record a new MTU (from [`Operations::change_mtu`], under RTNL).
    pub(crate) fn set_mtu(&self, _rtnl: Rtnl<'_>, mtu: u32) {
        // SAFETY: `as_raw()` is a valid net_device; the token proves RTNL is
        // held, which serialises writers of `dev->mtu`.
        unsafe { bindings::rust_igb_netdev_set_mtu(self.as_raw(), mtu) }
    }

    /// Tell the stack the link is up (`netif_carrier_on`).
    pub(crate) fn carrier_on(&self) {
        // SAFETY: `as_raw()` is a valid registered net_device.
        unsafe { bindings::netif_carrier_on(self.as_raw()) }
    }

    /// Tell the stack the link is down (`netif_carrier_off`).
    pub(crate) fn carrier_off(&self) {
        // SAFETY: `as_raw()` is a valid registered net_device.
        unsafe { bindings::netif_carrier_off(self.as_raw()) }
    }

    /// Mark the device removed (`netif_device_detach`): the stack stops its
    /// TX queues and no longer calls `open`, `start_xmit` or the ethtool
    /// callbacks; `stop` still comes at unregistration. For a device that
    /// dropped off the bus (the C driver's "PCIe link lost"). Any context.
    pub(crate) fn detach(&self) {
        // SAFETY: `as_raw()` is a valid registered net_device;
        // `netif_device_detach` only clears the present bit and stops the
        // TX queues, which is allowed from any context.
        unsafe { bindings::netif_device_detach(self.as_raw()) }
    }

    /// Whether the PCI core has declared the parent device disconnected
    /// (`pci_dev_is_disconnected`: a surprise removal seen by pciehp, DPC,
    /// a failed error recovery). One field read; any context.
    pub(crate) fn pci_disconnected(&self) -> bool {
        // SAFETY: The parent of a registered interface is its PCI device,
        // which outlives the registration; the helper reads one field.
        unsafe { bindings::rust_igb_pci_disconnected(self.parent_raw()) }
    }

    /// Take the interface down as the administrator would (`dev_close`):
    /// the core stops the queues and calls [`Operations::stop`]. For a
    /// driver that cannot bring a running interface back up (from a
    /// callback holding RTNL: ethtool, `change_mtu`, the reset task); a
    /// no-op if the interface is down.
    pub(crate) fn close(&self, _rtnl: Rtnl<'_>) {
        // SAFETY: `as_raw()` is a valid registered net_device; the token
        // proves RTNL is held. The device does not use the instance
        // lock (`netdev_need_ops_lock` is false), which `dev_close` takes
        // only where it is needed.
        unsafe { bindings::dev_close(self.as_raw()) }
    }

    /// Whether the stack currently sees the link up.
    pub(crate) fn carrier_ok(&self) -> bool {
        // SAFETY: `as_raw()` is a valid net_device.
        unsafe { bindings::rust_igb_netif_carrier_ok(self.as_raw()) }
    }

    /// Whether the interface is administratively up (`netif_running`).
    pub(crate) fn is_running(&self) -> bool {
        // SAFETY: `as_raw()` is a valid net_device.
        unsafe { bindings::rust_igb_netif_running(self.as_raw()) }
    }

    /// Run [`Operations::watchdog`] after `msecs` milliseconds, unless it is
    /// already pending.
    pub(crate) fn schedule_watchdog(&self, msecs: u32) {
        // SAFETY: The work item was initialised at registration and lives in
        // the private area for the device's lifetime.
        unsafe { bindings::rust_igb_schedule_delayed_work(self.priv_area().watchdog.get(), msecs) };
    }

    /// Run [`Operations::watchdog`] now, also if it is pending for later
    /// (`mod_delayed_work`; the C driver's `mod_timer(.., jiffies + 1)` on a
    /// link-change interrupt): the periodic watchdog is nearly always
    /// pending, so [`Device::schedule_watchdog`] would leave a link change
    /// waiting for the next period. Any context, hard IRQ included.
    pub(crate) fn kick_watchdog(&self) {
        // SAFETY: The work item was initialised at registration and lives in
        // the private area for the device's lifetime; a disabled work item
        // (unregistration) ignores the call.
        unsafe { bindings::rust_igb_kick_delayed_work(self.priv_area().watchdog.get()) };
    }

    /// Run [`Operations::reset`] soon (from any context), unless it is
    /// already pending.
    pub(crate) fn schedule_reset(&self) {
        // SAFETY: The work item was initialised at registration and lives in
        // the private area for the device's lifetime.
        unsafe { bindings::rust_igb_schedule_delayed_work(self.priv_area().reset.get(), 0) };
    }

    /// Cancel the watchdog and wait for a running instance to finish.
    ///
    /// Takes the RTNL token, which the watchdog (run without RTNL) never
    /// has: it cannot call this on itself and wait for itself forever, and
    /// cannot wait on RTNL while an RTNL holder waits for it here.
    pub(crate) fn cancel_watchdog(&self, _rtnl: Rtnl<'_>) {
        // SAFETY: The work item was initialised at registration. The caller
        // holds RTNL, so it is not the watchdog; a self-rearming work is
        // handled by the _sync variant.
        unsafe { bindings::cancel_delayed_work_sync(self.priv_area().watchdog.get()) };
    }
}

#[kunit_tests(rust_igb_net_device)]
mod tests {
    use super::*;

    #[test]
    fn ifname_is_terminated_and_cut_at_nul() {
        let mut buf = [0u8; IFNAMSIZ];
        buf[..4].copy_from_slice(b"eth0");
        assert_eq!(IfName::new(buf).as_bytes(), b"eth0");
        // Garbage after the NUL is not part of the name.
        buf[5] = b'x';
        assert_eq!(IfName::new(buf).as_bytes(), b"eth0");
        // No NUL at all (a torn copy): the last byte becomes one.
        assert_eq!(
            IfName::new([b'x'; IFNAMSIZ]).as_bytes(),
            &[b'x'; IFNAMSIZ - 1]
        );
    }
}
