// SPDX-License-Identifier: GPL-2.0

//! The `ethtool_ops` table for an [`Operations`] type and the C callbacks in
//! it: link settings, the control-plane operations (issue 5) and, through
//! [`super::ethtool_queues`], [`rxfh_fields`](super::rxfh_fields),
//! [`rx_class`](super::rx_class) and [`std_stats`](super::std_stats), the
//! queue, RSS, rule and standard-statistics ones. Each callback turns the raw
//! `net_device` back into a [`Device<T>`] and calls the driver.

use core::{marker::PhantomData, sync::atomic::Ordering};

use kernel::{error::from_result, prelude::*};

use super::*;

/// The `ethtool_ops` table for `T`.
pub(crate) struct OpsTable<T>(PhantomData<T>);

impl<T: device::Operations> OpsTable<T> {
    const OPS: bindings::ethtool_ops = Self::with_control(bindings::ethtool_ops {
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
        get_rxnfc: if T::NO_RX_CLASS_RULES {
            Some(rx_class::get_rxnfc_none)
        } else {
            None
        },
        get_rxfh_fields: if T::HAS_GET_RXFH_FIELDS {
            Some(rxfh_fields::get_rxfh_fields::<T>)
        } else {
            None
        },
        set_rxfh_fields: if T::HAS_GET_RXFH_FIELDS && T::HAS_SET_RXFH_FIELDS {
            Some(rxfh_fields::set_rxfh_fields::<T>)
        } else {
            None
        },
        // SAFETY: All other members are optional callbacks or capability
        // fields for which all-zero (NULL / none) is the valid default.
        ..unsafe { core::mem::zeroed() }
    });

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

impl<T: device::Operations> OpsTable<T> {
    /// Fill in the control-plane callbacks `T` implements (with the
    /// standard statistics).
    const fn with_control(mut ops: bindings::ethtool_ops) -> bindings::ethtool_ops {
        if T::HAS_GET_MSGLEVEL {
            ops.get_msglevel = Some(get_msglevel::<T>);
        }
        if T::HAS_SET_MSGLEVEL {
            ops.set_msglevel = Some(set_msglevel::<T>);
        }
        if T::HAS_GET_REGS_LEN && T::HAS_GET_REGS {
            ops.get_regs_len = Some(get_regs_len::<T>);
            ops.get_regs = Some(get_regs::<T>);
        }
        if T::HAS_GET_EEPROM_LEN && T::HAS_GET_EEPROM {
            ops.get_eeprom_len = Some(get_eeprom_len::<T>);
            ops.get_eeprom = Some(get_eeprom::<T>);
        }
        if T::HAS_SET_LINK_SETTINGS {
            ops.set_link_ksettings = Some(set_link_ksettings::<T>);
        }
        if T::HAS_NWAY_RESET {
            ops.nway_reset = Some(nway_reset::<T>);
        }
        if T::HAS_GET_PAUSE {
            ops.get_pauseparam = Some(get_pauseparam::<T>);
        }
        if T::HAS_SET_PAUSE {
            ops.set_pauseparam = Some(set_pauseparam::<T>);
        }
        if T::HAS_SET_PHYS_ID {
            ops.set_phys_id = Some(set_phys_id::<T>);
        }
        if T::HAS_GET_WOL && T::HAS_SET_WOL {
            ops.get_wol = Some(get_wol::<T>);
            ops.set_wol = Some(set_wol::<T>);
        }
        let stats = T::HAS_STAT_STRINGS && T::HAS_GET_STATS;
        let tests = T::HAS_TEST_STRINGS && T::HAS_SELF_TEST;
        if stats || tests {
            ops.get_sset_count = Some(get_sset_count::<T>);
            ops.get_strings = Some(get_strings::<T>);
        }
        if stats {
            ops.get_ethtool_stats = Some(get_ethtool_stats::<T>);
        }
        if tests {
            ops.self_test = Some(self_test::<T>);
        }
        std_stats::install::<T>(ops)
    }
}

/// The slot of string set `sset` in the count cache
/// ([`Device::priv_sset_counts`]).
pub(super) fn sset_slot(sset: u32) -> Option<usize> {
    match sset {
        bindings::ethtool_stringset_ETH_SS_STATS => Some(0),
        bindings::ethtool_stringset_ETH_SS_TEST => Some(1),
        _ => None,
    }
}

/// Number of entries of a string set (a counting pass over the names).
fn count_strings<T: device::Operations>(dev: &Device<T>, sset: u32) -> Option<usize> {
    let mut s = Strings { buf: None, n: 0 };
    if sset == bindings::ethtool_stringset_ETH_SS_STATS && T::HAS_STAT_STRINGS {
        T::stat_strings(dev, &mut s);
    } else if sset == bindings::ethtool_stringset_ETH_SS_TEST && T::HAS_TEST_STRINGS {
        T::test_strings(dev, &mut s);
    } else {
        return None;
    }
    Some(s.n)
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`.
unsafe extern "C" fn get_msglevel<T: device::Operations>(dev: *mut bindings::net_device) -> u32 {
    // SAFETY: Per the function's safety requirements.
    T::get_msglevel(unsafe { Device::<T>::from_raw(dev) })
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`.
unsafe extern "C" fn set_msglevel<T: device::Operations>(
    dev: *mut bindings::net_device,
    level: u32,
) {
    // SAFETY: Per the function's safety requirements.
    T::set_msglevel(unsafe { Device::<T>::from_raw(dev) }, level)
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`.
unsafe extern "C" fn get_regs_len<T: device::Operations>(dev: *mut bindings::net_device) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let len = T::get_regs_len(unsafe { Device::<T>::from_raw(dev) });
    c_int::try_from(len & !3).unwrap_or(0)
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`,
/// a valid `regs` and a buffer `p` of at least `regs->len` bytes (the core
/// allocates what `get_regs_len` returned and cuts `regs->len` to it), or
/// NULL.
unsafe extern "C" fn get_regs<T: device::Operations>(
    dev: *mut bindings::net_device,
    regs: *mut bindings::ethtool_regs,
    p: *mut c_void,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, regs) = unsafe { (Device::<T>::from_raw(dev), &mut *regs) };
    let mut empty = [];
    let buf: &mut [u8] = if p.is_null() {
        &mut empty
    } else {
        // SAFETY: The core allocated at least `regs->len` bytes at `p` (see
        // above) and nothing else accesses them during the call.
        unsafe { core::slice::from_raw_parts_mut(p.cast::<u8>(), regs.len as usize) }
    };
    buf.fill(0);
    regs.version = T::get_regs(dev, &mut RegsOut(buf));
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`.
unsafe extern "C" fn get_eeprom_len<T: device::Operations>(
    dev: *mut bindings::net_device,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let len = T::get_eeprom_len(unsafe { Device::<T>::from_raw(dev) });
    c_int::try_from(len).unwrap_or(0)
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`,
/// a valid `ee` and a buffer `bytes` of `ee->len` bytes.
unsafe extern "C" fn get_eeprom<T: device::Operations>(
    dev: *mut bindings::net_device,
    ee: *mut bindings::ethtool_eeprom,
    bytes: *mut u8,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: `ee` is valid per the safety requirements.
    let ee = unsafe { &mut *ee };
    from_result(|| {
        let (offset, len) = (ee.offset as usize, ee.len as usize);
        let end = offset.checked_add(len).ok_or(EINVAL)?;
        if len == 0 || end > T::get_eeprom_len(dev) {
            return Err(EINVAL);
        }
        // SAFETY: The core passes a buffer of `ee->len` bytes, used by
        // nothing else during the call.
        let out = unsafe { core::slice::from_raw_parts_mut(bytes, len) };
        ee.magic = T::get_eeprom(dev, offset, out)?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `ks`.
unsafe extern "C" fn set_link_ksettings<T: device::Operations>(
    dev: *mut bindings::net_device,
    ks: *const bindings::ethtool_link_ksettings,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (dev, ks) = unsafe { (Device::<T>::from_raw(dev), &*ks) };
    from_result(|| {
        let mut advertising = 0u32;
        // SAFETY: `ks` is valid; the helper only reads its advertising map.
        let legacy = unsafe { bindings::rust_igb_ksettings_get_advertising(ks, &mut advertising) };
        let b = &ks.base;
        let req = LinkRequest {
            autoneg: u32::from(b.autoneg) == bindings::AUTONEG_ENABLE,
            speed_mbps: (b.speed != bindings::SPEED_UNKNOWN as u32 && b.speed != 0)
                .then_some(b.speed),
            full_duplex: match u32::from(b.duplex) {
                bindings::DUPLEX_FULL => Some(true),
                bindings::DUPLEX_HALF => Some(false),
                _ => None,
            },
            advertising,
            advertising_legacy: legacy,
            mdix_ctrl: b.eth_tp_mdix_ctrl,
            port: b.port,
        };
        T::set_link_settings(dev, &req)?;
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`.
unsafe extern "C" fn nway_reset<T: device::Operations>(dev: *mut bindings::net_device) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    from_result(|| T::nway_reset(dev).map(|()| 0))
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `wol` (zeroed but for `cmd`).
unsafe extern "C" fn get_wol<T: device::Operations>(
    dev: *mut bindings::net_device,
    wol: *mut bindings::ethtool_wolinfo,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, wol) = unsafe { (Device::<T>::from_raw(dev), &mut *wol) };
    let v = T::get_wol(dev);
    wol.supported = v.supported;
    wol.wolopts = v.wolopts;
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `wol`.
unsafe extern "C" fn set_wol<T: device::Operations>(
    dev: *mut bindings::net_device,
    wol: *mut bindings::ethtool_wolinfo,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (dev, wol) = unsafe { (Device::<T>::from_raw(dev), &*wol) };
    from_result(|| T::set_wol(dev, wol.wolopts).map(|()| 0))
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `p`.
unsafe extern "C" fn get_pauseparam<T: device::Operations>(
    dev: *mut bindings::net_device,
    p: *mut bindings::ethtool_pauseparam,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, p) = unsafe { (Device::<T>::from_raw(dev), &mut *p) };
    let v = T::get_pause(dev);
    p.autoneg = v.autoneg.into();
    p.rx_pause = v.rx_pause.into();
    p.tx_pause = v.tx_pause.into();
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `p`.
unsafe extern "C" fn set_pauseparam<T: device::Operations>(
    dev: *mut bindings::net_device,
    p: *mut bindings::ethtool_pauseparam,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (dev, p) = unsafe { (Device::<T>::from_raw(dev), &*p) };
    from_result(|| {
        let v = PauseParams {
            autoneg: p.autoneg != 0,
            rx_pause: p.rx_pause != 0,
            tx_pause: p.tx_pause != 0,
        };
        T::set_pause(dev, v).map(|()| 0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`.
unsafe extern "C" fn set_phys_id<T: device::Operations>(
    dev: *mut bindings::net_device,
    state: bindings::ethtool_phys_id_state,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    from_result(|| {
        let s = match state {
            bindings::ethtool_phys_id_state_ETHTOOL_ID_ACTIVE => LedState::Active,
            bindings::ethtool_phys_id_state_ETHTOOL_ID_ON => LedState::On,
            bindings::ethtool_phys_id_state_ETHTOOL_ID_OFF => LedState::Off,
            bindings::ethtool_phys_id_state_ETHTOOL_ID_INACTIVE => LedState::Inactive,
            _ => return Err(EINVAL),
        };
        let r = T::set_phys_id(dev, s)?;
        Ok(c_int::try_from(r).unwrap_or(0))
    })
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`.
unsafe extern "C" fn get_sset_count<T: device::Operations>(
    dev: *mut bindings::net_device,
    sset: c_int,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    let Some(sset) = u32::try_from(sset).ok() else {
        return EOPNOTSUPP.to_errno();
    };
    match (count_strings(dev, sset), sset_slot(sset)) {
        (Some(n), Some(slot)) => {
            let n = c_int::try_from(n).unwrap_or(0);
            // What the core will size the `get_strings` buffer from, which
            // it calls next under the same RTNL section.
            dev.priv_sset_counts()[slot].store(n as u32, Ordering::Relaxed);
            n
        }
        _ => EOPNOTSUPP.to_errno(),
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a buffer of `n * ETH_GSTRING_LEN` bytes, `n` being what
/// `get_sset_count(sset)` returned just before under the same RTNL section
/// (every caller in the core sizes the buffer so), or NULL.
unsafe extern "C" fn get_strings<T: device::Operations>(
    dev: *mut bindings::net_device,
    sset: u32,
    data: *mut u8,
) {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    let Some(slot) = sset_slot(sset) else {
        return;
    };
    if data.is_null() {
        return;
    }
    // The count the core allocated for, not a new counting pass: the
    // driver's answer may have changed since (queues added, say).
    let n = dev.priv_sset_counts()[slot].load(Ordering::Relaxed) as usize;
    let len = n * bindings::ETH_GSTRING_LEN as usize;
    // SAFETY: The core sized `data` from the count `get_sset_count` returned
    // and we recorded (see above); nothing else accesses it during the call.
    let buf = unsafe { core::slice::from_raw_parts_mut(data, len) };
    let mut s = Strings {
        buf: Some(buf),
        n: 0,
    };
    if sset == bindings::ethtool_stringset_ETH_SS_STATS {
        T::stat_strings(dev, &mut s);
    } else {
        T::test_strings(dev, &mut s);
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`,
/// a valid `stats` and `data` of `stats->n_stats` values.
unsafe extern "C" fn get_ethtool_stats<T: device::Operations>(
    dev: *mut bindings::net_device,
    stats: *mut bindings::ethtool_stats,
    data: *mut u64,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, n) = unsafe { (Device::<T>::from_raw(dev), (*stats).n_stats as usize) };
    // SAFETY: `data` holds `n_stats` values, used by nothing else meanwhile.
    let data = unsafe { core::slice::from_raw_parts_mut(data, n) };
    data.fill(0);
    T::get_stats(dev, &mut StatsOut { data, n: 0 });
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`,
/// a valid `test` and `data` of `test->len` values.
unsafe extern "C" fn self_test<T: device::Operations>(
    dev: *mut bindings::net_device,
    test: *mut bindings::ethtool_test,
    data: *mut u64,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, test) = unsafe { (Device::<T>::from_raw(dev), &mut *test) };
    // SAFETY: `data` holds `test->len` values, used by nothing else meanwhile.
    let data = unsafe { core::slice::from_raw_parts_mut(data, test.len as usize) };
    data.fill(0);
    let offline = test.flags & bindings::ethtool_test_flags_ETH_TEST_FL_OFFLINE != 0;
    let mut r = TestResults {
        data,
        failed: false,
    };
    // SAFETY: ethtool callbacks run with RTNL held; the token does not
    // outlive this call.
    let rtnl = unsafe { Rtnl::assume_held() };
    T::self_test(dev, rtnl, offline, &mut r);
    if r.failed {
        test.flags |= bindings::ethtool_test_flags_ETH_TEST_FL_FAILED;
    }
}
