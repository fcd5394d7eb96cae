// SPDX-License-Identifier: GPL-2.0

//! Creating and removing a network device: [`Config`] (what the driver asks
//! for), [`Registration`] (allocation, private data, vectors, registration,
//! and the teardown in reverse on drop, owned by the parent's devres).

use core::{marker::PhantomData, ptr::NonNull, sync::atomic::AtomicU32};

use kernel::{device, error::to_result, prelude::*, types::Opaque};

use super::{
    super::{
        addr, bindings,
        devlink::HealthSlot,
        ethtool,
        features::Features,
        irq::{IrqMode, IrqState},
        napi::{NapiSlot, QueueLinks, MAX_QUEUE_VECTORS},
        qstats,
    },
    netdev_priv,
    ops::{reset_callback, watchdog_callback, OpsTable},
    Device, Operations, Priv, NETDEV_ALIGN,
};

/// Static parameters of a new network device.
pub(crate) struct Config {
    /// The permanent MAC address.
    pub(crate) mac: [u8; 6],
    /// Number of TX queues to allocate.
    pub(crate) tx_queues: u32,
    /// Number of RX queues to allocate.
    pub(crate) rx_queues: u32,
    /// Smallest MTU accepted by `ip link set mtu`.
    pub(crate) min_mtu: u32,
    /// Largest MTU accepted by `ip link set mtu`.
    pub(crate) max_mtu: u32,
    /// Interrupt mechanism to try first (falling back towards INTx).
    pub(crate) irq_mode: IrqMode,
    /// Queue vectors wanted (MSI-X gets one more vector for other causes).
    pub(crate) queue_vectors: usize,
    /// Offloads enabled at registration (`dev->features`).
    pub(crate) features: Features,
    /// Offloads the user may toggle with `ethtool -K` (`dev->hw_features`).
    pub(crate) hw_features: Features,
    /// Offloads VLAN devices on top inherit (`dev->vlan_features`).
    pub(crate) vlan_features: Features,
    /// Offloads usable for encapsulated packets (`dev->hw_enc_features`): the core masks an
    /// `skb->encapsulation` packet's features with these.
    pub(crate) enc_features: Features,
    /// Tunnel segmentations done as `GSO_PARTIAL` (`dev->gso_partial_features`).
    pub(crate) gso_partial_features: Features,
    /// Offloads for MPLS-labelled packets (`dev->mpls_features`).
    pub(crate) mpls_features: Features,
}

/// A registered `net_device` with private data `T`, owned by the parent
/// device's devres (like C's `devm_register_netdev`).
///
/// It is dropped when the parent is unbound, after the driver's own unbind
/// work and before earlier device-managed resources (such as BAR mappings)
/// are released. Dropping it unregisters the device (closing it first if it
/// is up), stops the watchdog, drops `T` and frees the `net_device`.
///
/// Because the registration cannot outlive the binding, every callback runs
/// while the parent is bound, which is what makes
/// [`Device::parent_bound`] sound.
///
/// # Invariants
///
/// `dev` is a registered `net_device` allocated with a `Priv<T>` private area
/// that is fully initialised.
pub(crate) struct Registration<T: Operations> {
    dev: NonNull<bindings::net_device>,
    _t: PhantomData<T>,
}

// SAFETY: The registration is only used to unregister the device on drop,
// which the net core allows from any thread; `T` is `Send + Sync`.
unsafe impl<T: Operations> Send for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// Allocate an Ethernet `net_device` for `parent`, initialise its private
    /// data with `data` and register it until `parent` is unbound.
    pub(crate) fn register<'a>(
        parent: &'a kernel::pci::Device<device::Bound>,
        config: &Config,
        data: impl PinInit<T, Error>,
    ) -> Result<&'a Device<T>> {
        const { assert!(align_of::<Priv<T>>() <= NETDEV_ALIGN) };
        check_layouts()?;
        let priv_size = c_int::try_from(size_of::<Priv<T>>())?;

        // SAFETY: Plain allocation call; the result is checked below.
        let raw =
            unsafe { bindings::alloc_etherdev_mqs(priv_size, config.tx_queues, config.rx_queues) };
        let dev = NonNull::new(raw).ok_or(ENOMEM)?;
        let priv_ptr = {
            // SAFETY: `dev` is a valid, not yet registered net_device.
            unsafe { netdev_priv(dev.as_ptr()) }.cast::<Priv<T>>()
        };

        // SAFETY: `priv_ptr` points to `priv_size` bytes of zeroed, suitably
        // aligned (checked above) memory that nothing else uses yet; the
        // fields are initialised in place, `data` last since it can fail.
        // The NAPI and interrupt slots are written explicitly, though zeroed
        // memory is the same state: nothing relies on the allocator.
        let init = unsafe {
            (&raw mut (*priv_ptr).dev).write(dev.as_ptr());
            (&raw mut (*priv_ptr).napi).write([const { NapiSlot::new() }; MAX_QUEUE_VECTORS]);
            (&raw mut (*priv_ptr).links).write(QueueLinks::new());
            (&raw mut (*priv_ptr).irq).write(IrqState::new());
            (&raw mut (*priv_ptr).sset_counts).write([const { AtomicU32::new(0) }; 2]);
            // Infallible; pinned in place like the rest of the area.
            pin_init::raw_init(&raw mut (*priv_ptr).health, HealthSlot::new());
            // A lockdep class each: the reset task cancels the watchdog.
            bindings::rust_igb_init_delayed_work(
                Opaque::cast_into(&raw mut (*priv_ptr).watchdog),
                Some(watchdog_callback::<T>),
                c"(work_completion)rust_igb_watchdog".as_char_ptr(),
                kernel::static_lock_class!().as_ptr(),
            );
            bindings::rust_igb_init_delayed_work(
                Opaque::cast_into(&raw mut (*priv_ptr).reset),
                Some(reset_callback::<T>),
                c"(work_completion)rust_igb_reset".as_char_ptr(),
                kernel::static_lock_class!().as_ptr(),
            );
            pin_init::raw_try_init(&raw mut (*priv_ptr).data, data)
        };
        if let Err(e) = init {
            // SAFETY: `dev` was allocated above and never registered.
            unsafe { bindings::free_netdev(dev.as_ptr()) };
            return Err(e);
        }

        // SAFETY: `dev` and `parent` are valid; the ops tables are 'static.
        unsafe {
            bindings::rust_igb_netdev_setup(
                dev.as_ptr(),
                raw_device(parent.as_ref()),
                OpsTable::<T>::netdev_ops(),
                ethtool::OpsTable::<T>::ethtool_ops(),
                qstats::StatOpsTable::<T>::stat_ops(),
                config.min_mtu,
                config.max_mtu,
            );
            bindings::rust_igb_eth_hw_addr_set(dev.as_ptr(), config.mac.as_ptr());
            bindings::rust_igb_netdev_set_features(
                dev.as_ptr(),
                config.features.bits(),
                config.hw_features.bits(),
                config.vlan_features.bits(),
                config.enc_features.bits(),
                config.gso_partial_features.bits(),
                config.mpls_features.bits(),
            );
            addr::enable_filters::<T>(dev.as_ptr());
        }

        // SAFETY: The private area is initialised; nothing is registered yet.
        let d = unsafe { Device::<T>::from_raw(dev.as_ptr()) };
        let ret = d
            .alloc_vectors(config.irq_mode, config.queue_vectors)
            // SAFETY: The device is fully set up; callbacks may run from now
            // on and find an initialised `Priv<T>`.
            .and_then(|_| to_result(unsafe { bindings::register_netdev(dev.as_ptr()) }));
        if let Err(e) = ret {
            d.free_vectors();
            // SAFETY: Registration failed, so no callback can run any more:
            // drop the private data and free the device.
            unsafe {
                core::ptr::drop_in_place(&raw mut (*priv_ptr).data);
                bindings::free_netdev(dev.as_ptr());
            }
            return Err(e);
        }
        // INVARIANT: registered with an initialised `Priv<T>`. On failure
        // `devres::register` drops the registration, unregistering again.
        let reg = Self {
            dev,
            _t: PhantomData,
        };
        kernel::devres::register::<Self, Error>(parent.as_ref(), Ok(reg), GFP_KERNEL)?;
        // SAFETY: The registration now lives until `parent` is unbound, which
        // is after `'a` (a borrow of the bound device) ends.
        Ok(unsafe { Device::from_raw(dev.as_ptr()) })
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        let dev = self.dev.as_ptr();
        // SAFETY: `dev` is registered (type invariant). `unregister_netdev`
        // closes it if up (calling `ndo_stop`), waits for all callbacks of the
        // core and references to finish. What the driver runs by itself is
        // then stopped for good: the watchdog first, since it may queue the
        // reset task, then the reset task; both are disabled, not just
        // cancelled, so a late `schedule_*` (from an interrupt the driver's
        // `stop` left enabled, say) is ignored instead of queueing work into
        // freed memory. Then the interrupts and NAPI instances a `stop` left
        // behind are released, and nothing but us can reach the private area:
        // `T` is dropped and the device freed.
        unsafe {
            let priv_ptr = netdev_priv(dev).cast::<Priv<T>>();
            bindings::unregister_netdev(dev);
            // A reset task running now takes RTNL, finds the device down and
            // returns; the disable waits for it.
            bindings::disable_delayed_work_sync(Opaque::cast_into(&raw mut (*priv_ptr).watchdog));
            bindings::disable_delayed_work_sync(Opaque::cast_into(&raw mut (*priv_ptr).reset));
            // No callback, work item or RTNL holder can reach the slots any
            // more: the exclusive variants need no RTNL.
            let d = Device::<T>::from_raw(dev);
            for i in 0..MAX_QUEUE_VECTORS {
                d.napi_del_excl(i);
            }
            d.free_vectors();
            core::ptr::drop_in_place(&raw mut (*priv_ptr).data);
            bindings::free_netdev(dev);
        }
    }
}

/// Check that the C structs embedded by value in `Priv` have the size the C
/// compiler gives them: a binding that is opaque or stale would otherwise
/// make them overlap.
fn check_layouts() -> Result {
    // SAFETY: The helpers only return `sizeof` values.
    let (dw, napi) = unsafe {
        (
            bindings::rust_igb_sizeof_delayed_work(),
            bindings::rust_igb_sizeof_napi_struct(),
        )
    };
    if dw as usize != size_of::<bindings::delayed_work>()
        || napi as usize != size_of::<bindings::napi_struct>()
    {
        kernel::pr_err!("rust_igb: C struct layouts differ from the Rust bindings\n");
        return Err(EINVAL);
    }
    Ok(())
}

/// The raw `struct device` behind `dev`.
///
/// `device::Device::as_raw()` is private to the kernel crate; the type is a
/// `#[repr(transparent)]` wrapper of `Opaque<bindings::device>`, so the
/// reference's address is the C object's.
fn raw_device<Ctx: device::DeviceContext>(dev: &device::Device<Ctx>) -> *mut bindings::device {
    core::ptr::from_ref(dev).cast_mut().cast()
}
