// SPDX-License-Identifier: GPL-2.0

//! `ethtool_ops`: the callbacks behind the `ethtool` command.
//!
//! C headers: include/linux/ethtool.h, include/uapi/linux/ethtool.h
//!
//! All callbacks run in process context with RTNL held.

use core::{fmt, marker::PhantomData};

use kernel::{
    error::{from_result, VTABLE_DEFAULT_ERROR},
    prelude::*, //
};

use super::{
    bindings, device,
    ethtool_queues::{self as q, Channels, Coalesce, RingParams},
    Device,
};

/// Legacy (`u32`) link-mode bits of `include/uapi/linux/ethtool.h`
/// (`SUPPORTED_*` / `ADVERTISED_*`); the kernel converts them to link-mode
/// bitmaps. Their values are uapi and cannot change.
pub(crate) mod mode {
    /// 10BASE-T half duplex.
    pub(crate) const T10_HALF: u32 = 1 << 0;
    /// 10BASE-T full duplex.
    pub(crate) const T10_FULL: u32 = 1 << 1;
    /// 100BASE-TX half duplex.
    pub(crate) const T100_HALF: u32 = 1 << 2;
    /// 100BASE-TX full duplex.
    pub(crate) const T100_FULL: u32 = 1 << 3;
    /// 1000BASE-T full duplex.
    pub(crate) const T1000_FULL: u32 = 1 << 5;
    /// Autonegotiation.
    pub(crate) const AUTONEG: u32 = 1 << 6;
    /// Twisted-pair port.
    pub(crate) const TP: u32 = 1 << 7;
    /// Symmetric pause.
    pub(crate) const PAUSE: u32 = 1 << 13;
    /// Asymmetric pause.
    pub(crate) const ASYM_PAUSE: u32 = 1 << 14;
}

/// What `ethtool <if>` shows about the link.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LinkSettings {
    /// Speed in Mb/s, `None` while the link is down.
    pub(crate) speed_mbps: Option<u32>,
    /// Duplex, `None` while the link is down.
    pub(crate) full_duplex: Option<bool>,
    /// Whether autonegotiation is enabled.
    pub(crate) autoneg: bool,
    /// PHY address on the MDIO bus.
    pub(crate) phy_address: u8,
    /// Supported modes ([`mode`] bits).
    pub(crate) supported: u32,
    /// Advertised modes ([`mode`] bits).
    pub(crate) advertising: u32,
    /// Modes the link partner advertised ([`mode`] bits).
    pub(crate) lp_advertising: u32,
}

/// `struct ethtool_drvinfo` under construction: the abstraction fills in the
/// driver name and bus address; the driver adds versions.
pub(crate) struct DrvInfo<'a>(&'a mut bindings::ethtool_drvinfo);

impl DrvInfo<'_> {
    /// Set the firmware (NVM) version string, truncated to fit.
    pub(crate) fn set_fw_version(&mut self, args: fmt::Arguments<'_>) {
        copy_fmt(&mut self.0.fw_version, args);
    }
}

/// Format `args` into the fixed C string `dst`, truncating, NUL-terminated.
fn copy_fmt(dst: &mut [c_char], args: fmt::Arguments<'_>) {
    struct W<'b> {
        buf: &'b mut [c_char],
        pos: usize,
    }
    impl fmt::Write for W<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for &b in s.as_bytes() {
                // Keep the last byte for the terminating NUL.
                if self.pos + 1 >= self.buf.len() {
                    break;
                }
                self.buf[self.pos] = b as c_char;
                self.pos += 1;
            }
            Ok(())
        }
    }
    let mut w = W { buf: dst, pos: 0 };
    // Our writer never fails; truncation is intended.
    let _ = fmt::write(&mut w, args);
    if let Some(end) = w.buf.get_mut(w.pos) {
        *end = 0;
    }
}

/// Copy the C string `src` into `dst`, truncating, NUL-terminated.
fn copy_cstr(dst: &mut [c_char], src: &CStr) {
    let src = src.to_bytes();
    let n = src.len().min(dst.len().saturating_sub(1));
    for (i, d) in dst.iter_mut().enumerate().take(n) {
        *d = src.get(i).copied().unwrap_or(0) as c_char;
    }
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}

/// The `ethtool_ops` a driver provides for its private data type.
#[vtable]
pub(crate) trait Operations: Sized {
    /// `get_drvinfo`: add versions to `info` (driver name and bus address are
    /// already filled in).
    fn get_drvinfo(_dev: &Device<Self>, _info: &mut DrvInfo<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_link_ksettings`: the current link settings.
    fn get_link_settings(_dev: &Device<Self>) -> Result<LinkSettings> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    // Queue-related operations (see `ethtool_queues.rs`).

    /// `get_ringparam`: ring sizes and their maxima.
    fn get_ringparam(_dev: &Device<Self>) -> RingParams {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_ringparam`: resize the TX and RX rings (values above the maxima
    /// were already refused by the core).
    fn set_ringparam(_dev: &Device<Self>, _tx: u32, _rx: u32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_channels`: queue channels in use and their maxima.
    fn get_channels(_dev: &Device<Self>) -> Channels {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_channels`: change the number of channels.
    fn set_channels(_dev: &Device<Self>, _ch: &Channels) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The coalescing parameters `set_coalesce` accepts
    /// (`supported_coalesce_params`; the core refuses the others).
    const SUPPORTED_COALESCE: u32 = 0;

    /// `get_coalesce`: interrupt coalescing in force.
    fn get_coalesce(_dev: &Device<Self>) -> Result<Coalesce> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_coalesce`: change interrupt coalescing.
    fn set_coalesce(_dev: &Device<Self>, _c: &Coalesce) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_rx_ring_count`: RX queues in use (bounds the RSS table entries).
    fn get_rx_ring_count(_dev: &Device<Self>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Entries of the RSS indirection table and bytes of the RSS key.
    fn rxfh_sizes(_dev: &Device<Self>) -> (u32, u32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_rxfh`: fill whichever of the indirection table and key the
    /// caller asked for (sized by [`Operations::rxfh_sizes`]).
    fn get_rxfh(
        _dev: &Device<Self>,
        _indir: Option<&mut [u32]>,
        _key: Option<&mut [u8]>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_rxfh`: replace the indirection table and/or key (Toeplitz only;
    /// other hash functions are refused before this is called).
    fn set_rxfh(_dev: &Device<Self>, _indir: Option<&[u32]>, _key: Option<&[u8]>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The `ethtool_ops` table for `T`.
pub(crate) struct OpsTable<T>(PhantomData<T>);

impl<T: device::Operations> OpsTable<T> {
    const OPS: bindings::ethtool_ops = bindings::ethtool_ops {
        get_drvinfo: Some(get_drvinfo::<T>),
        get_link: Some(bindings::ethtool_op_get_link),
        get_link_ksettings: if T::HAS_GET_LINK_SETTINGS {
            Some(get_link_ksettings::<T>)
        } else {
            None
        },
        get_ringparam: if T::HAS_GET_RINGPARAM {
            Some(q::get_ringparam::<T>)
        } else {
            None
        },
        set_ringparam: if T::HAS_SET_RINGPARAM {
            Some(q::set_ringparam::<T>)
        } else {
            None
        },
        get_channels: if T::HAS_GET_CHANNELS {
            Some(q::get_channels::<T>)
        } else {
            None
        },
        set_channels: if T::HAS_SET_CHANNELS {
            Some(q::set_channels::<T>)
        } else {
            None
        },
        supported_coalesce_params: T::SUPPORTED_COALESCE,
        get_coalesce: if T::HAS_GET_COALESCE {
            Some(q::get_coalesce::<T>)
        } else {
            None
        },
        set_coalesce: if T::HAS_SET_COALESCE {
            Some(q::set_coalesce::<T>)
        } else {
            None
        },
        get_rx_ring_count: if T::HAS_GET_RX_RING_COUNT {
            Some(q::get_rx_ring_count::<T>)
        } else {
            None
        },
        get_rxfh_indir_size: if T::HAS_RXFH_SIZES {
            Some(q::get_rxfh_indir_size::<T>)
        } else {
            None
        },
        get_rxfh_key_size: if T::HAS_RXFH_SIZES {
            Some(q::get_rxfh_key_size::<T>)
        } else {
            None
        },
        get_rxfh: if T::HAS_GET_RXFH {
            Some(q::get_rxfh::<T>)
        } else {
            None
        },
        set_rxfh: if T::HAS_SET_RXFH {
            Some(q::set_rxfh::<T>)
        } else {
            None
        },
        // SAFETY: All other members are optional callbacks or capability
        // fields for which all-zero (NULL / none) is the valid default.
        ..unsafe { core::mem::zeroed() }
    };

    /// The `'static` table to install in a `net_device`.
    pub(crate) const fn ethtool_ops() -> &'static bindings::ethtool_ops {
        &Self::OPS
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by
/// `Registration<T>` and a valid, zeroed `info`.
unsafe extern "C" fn get_drvinfo<T: device::Operations>(
    dev: *mut bindings::net_device,
    info: *mut bindings::ethtool_drvinfo,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, info) = unsafe { (Device::<T>::from_raw(dev), &mut *info) };
    let parent = dev.parent_raw();
    // SAFETY: `parent` is the bound bus device; the driver name and device
    // name strings live as long as the binding.
    let (drv, bus) = unsafe {
        (
            CStr::from_char_ptr(bindings::rust_igb_dev_driver_name(parent)),
            CStr::from_char_ptr(bindings::rust_igb_dev_name(parent)),
        )
    };
    copy_cstr(&mut info.driver, drv);
    copy_cstr(&mut info.bus_info, bus);
    if T::HAS_GET_DRVINFO {
        T::get_drvinfo(dev, &mut DrvInfo(info));
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by
/// `Registration<T>` and a valid, zeroed `ks`.
unsafe extern "C" fn get_link_ksettings<T: device::Operations>(
    dev: *mut bindings::net_device,
    ks: *mut bindings::ethtool_link_ksettings,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    from_result(|| {
        let s = T::get_link_settings(dev)?;
        // SAFETY: `ks` is valid for writes per the safety requirements.
        let ks = unsafe { &mut *ks };
        ks.base.speed = s.speed_mbps.unwrap_or(bindings::SPEED_UNKNOWN as u32);
        ks.base.duplex = match s.full_duplex {
            Some(true) => bindings::DUPLEX_FULL as u8,
            Some(false) => bindings::DUPLEX_HALF as u8,
            None => bindings::DUPLEX_UNKNOWN as u8,
        };
        ks.base.port = bindings::PORT_TP as u8;
        ks.base.phy_address = s.phy_address;
        ks.base.autoneg = if s.autoneg {
            bindings::AUTONEG_ENABLE as u8
        } else {
            bindings::AUTONEG_DISABLE as u8
        };
        // SAFETY: `ks` is valid; the helper only writes its link-mode maps.
        unsafe {
            bindings::rust_igb_ksettings_set_modes(ks, s.supported, s.advertising, s.lp_advertising)
        };
        Ok(0)
    })
}
