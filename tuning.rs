// SPDX-License-Identifier: GPL-2.0

//! Queue tuning through ethtool, applied live: ring sizes (`-g/-G`),
//! channels (`-l/-L`), interrupt coalescing (`-c/-C`) and the RSS
//! indirection table and key (`-x/-X`), with the C driver's limits.
//!
//! Ring and channel changes rebuild the rings of a running interface
//! (`netdev::reconfigure`: new rings first, the old ones stay in service if
//! that fails); coalescing and RSS changes are written to the hardware in
//! place. Everything here runs in process context under RTNL.

use core::sync::atomic::Ordering::Relaxed;

use kernel::prelude::*;

use crate::{
    intr,
    itr::{ITR_ADAPTIVE, ITR_ADAPTIVE_CONSERVATIVE},
    net::{
        ethtool_queues::{Channels, Coalesce, RingParams},
        Device, Rtnl,
    },
    netdev::{self, Adapter},
    rss::{self, KEY_LEN, RETA_SIZE},
};

/// `IGB_MIN_TXD` / `IGB_MIN_RXD`: smallest ring.
pub(crate) const MIN_DESCS: u32 = 64;
/// `IGB_MAX_TXD` / `IGB_MAX_RXD`: largest ring.
pub(crate) const MAX_DESCS: u32 = 4096;
/// `REQ_TX_DESCRIPTOR_MULTIPLE` / `REQ_RX_DESCRIPTOR_MULTIPLE`: ring sizes
/// are rounded up to a multiple of 8 (the length register's granularity).
const DESC_MULTIPLE: u32 = 8;
/// `IGB_MIN_ITR_USECS` / `IGB_MAX_ITR_USECS`: fixed coalescing range.
const MIN_ITR_USECS: u32 = 10;
const MAX_ITR_USECS: u32 = 10000;
/// Vectors for causes other than queues (`NON_Q_VECTORS`), as the C driver
/// reports them.
const OTHER_VECTORS: u32 = 1;

/// `ethtool -g`.
pub(crate) fn get_ringparam(dev: &Device<Adapter>) -> RingParams {
    let a = dev.data();
    RingParams {
        rx_max: MAX_DESCS,
        tx_max: MAX_DESCS,
        rx: a.rx_ring_size.load(Relaxed),
        tx: a.tx_ring_size.load(Relaxed),
    }
}

/// A requested ring size, rounded up to the descriptor multiple; EINVAL
/// outside [`MIN_DESCS`]..=[`MAX_DESCS`] (the C driver silently clamps
/// small values; refusing them is what ethtool's convention asks).
pub(crate) fn ring_size(v: u32) -> Result<u32> {
    if !(MIN_DESCS..=MAX_DESCS).contains(&v) {
        return Err(EINVAL);
    }
    Ok(v.div_ceil(DESC_MULTIPLE) * DESC_MULTIPLE)
}

/// `ethtool -G`: new ring sizes, applied by rebuilding the rings.
pub(crate) fn set_ringparam(dev: &Device<Adapter>, rtnl: Rtnl<'_>, tx: u32, rx: u32) -> Result {
    let (tx, rx) = (ring_size(tx)?, ring_size(rx)?);
    let a = dev.data();
    let old = (a.tx_ring_size.load(Relaxed), a.rx_ring_size.load(Relaxed));
    if old == (tx, rx) {
        return Ok(());
    }
    netdev::reconfigure(
        dev,
        rtnl,
        |a| {
            a.tx_ring_size.store(tx, Relaxed);
            a.rx_ring_size.store(rx, Relaxed);
        },
        |a| {
            a.tx_ring_size.store(old.0, Relaxed);
            a.rx_ring_size.store(old.1, Relaxed);
        },
    )
}

/// `ethtool -l`.
pub(crate) fn get_channels(dev: &Device<Adapter>) -> Channels {
    let combined = if dev.is_running() {
        dev.data().queues()
    } else {
        netdev::queue_count(dev)
    };
    Channels {
        max_combined: netdev::max_queues(dev) as u32,
        max_other: OTHER_VECTORS,
        combined: combined as u32,
        other: OTHER_VECTORS,
        rx: 0,
        tx: 0,
    }
}

/// `ethtool -L combined N`: queue pairs, applied by rebuilding the rings,
/// vectors' routing and the RSS table. Separate RX or TX channels and a
/// change of the other vector are refused (EINVAL), as in the C driver.
pub(crate) fn set_channels(dev: &Device<Adapter>, rtnl: Rtnl<'_>, ch: &Channels) -> Result {
    let max = netdev::max_queues(dev) as u32;
    if ch.combined == 0
        || ch.rx != 0
        || ch.tx != 0
        || ch.other != OTHER_VECTORS
        || ch.combined > max
    {
        return Err(EINVAL);
    }
    let a = dev.data();
    let old = a.want_queues.load(Relaxed);
    if dev.is_running() && ch.combined as usize == a.queues() {
        a.want_queues.store(ch.combined, Relaxed);
        return Ok(());
    }
    netdev::reconfigure(
        dev,
        rtnl,
        |a| a.want_queues.store(ch.combined, Relaxed),
        |a| a.want_queues.store(old, Relaxed),
    )
}

/// `ethtool -c`: `rx-usecs` 0 (no moderation), 1 (adaptive), 3 (adaptive,
/// conservative: the default) or a fixed interval in microseconds. The
/// vectors serve TX and RX together, so `tx-usecs` is 0, as in the C driver
/// with queue pairs.
pub(crate) fn get_coalesce(dev: &Device<Adapter>) -> Coalesce {
    let s = dev.data().itr_setting.get();
    Coalesce {
        rx_usecs: if s <= ITR_ADAPTIVE_CONSERVATIVE {
            s
        } else {
            s >> 2
        },
        tx_usecs: 0,
    }
}

/// The `ItrSetting` value for `rx-usecs` (`igb_set_coalesce`): 0, 1 and 3
/// as they are, a fixed interval of 10..=10000 us as `us << 2`; EINVAL
/// otherwise (2, 4..=9, above 10000).
pub(crate) fn itr_setting(rx_usecs: u32) -> Result<u32> {
    match rx_usecs {
        0 | ITR_ADAPTIVE | ITR_ADAPTIVE_CONSERVATIVE => Ok(rx_usecs),
        MIN_ITR_USECS..=MAX_ITR_USECS => Ok(rx_usecs << 2),
        _ => Err(EINVAL),
    }
}

/// `ethtool -C rx-usecs N`: written to every vector's EITR at once.
pub(crate) fn set_coalesce(dev: &Device<Adapter>, c: &Coalesce) -> Result {
    if c.tx_usecs != 0 {
        return Err(EINVAL);
    }
    let setting = itr_setting(c.rx_usecs)?;
    let a = dev.data();
    a.itr_setting.set(setting);
    if !dev.is_running() {
        return Ok(());
    }
    let hw = Adapter::hw(dev)?;
    let initial = a.itr_setting.initial();
    let vectors = netdev::vector_map(dev).vectors();
    for (v, itr) in a.itr.iter().enumerate().take(vectors) {
        itr.reset(initial);
        intr::write_itr(hw, netdev::msix_vector(dev, v), initial >> 2)?;
    }
    Ok(())
}

/// `ethtool -x`: the indirection table and/or the key.
pub(crate) fn get_rxfh(
    dev: &Device<Adapter>,
    indir: Option<&mut [u32]>,
    key: Option<&mut [u8]>,
) -> Result {
    let cfg = dev.data().rss.lock();
    if let Some(indir) = indir {
        if indir.len() != RETA_SIZE {
            return Err(EINVAL);
        }
        for (d, &q) in indir.iter_mut().zip(cfg.reta.iter()) {
            *d = u32::from(q);
        }
    }
    if let Some(key) = key {
        if key.len() != KEY_LEN {
            return Err(EINVAL);
        }
        key.copy_from_slice(&cfg.key);
    }
    Ok(())
}

/// `ethtool -X`: a new indirection table (every entry a queue in use,
/// else EINVAL) and/or key, written to the hardware at once if up.
pub(crate) fn set_rxfh(dev: &Device<Adapter>, indir: Option<&[u32]>, key: Option<&[u8]>) -> Result {
    let a = dev.data();
    let queues = a.queues() as u32;
    let mut reta = None;
    if let Some(indir) = indir {
        if indir.len() != RETA_SIZE || indir.iter().any(|&q| q >= queues) {
            return Err(EINVAL);
        }
        let mut t = [0u8; RETA_SIZE];
        for (d, &q) in t.iter_mut().zip(indir.iter()) {
            *d = q as u8;
        }
        reta = Some(t);
    }
    let new_key = match key {
        Some(k) => Some(<[u8; KEY_LEN]>::try_from(k).map_err(|_| EINVAL)?),
        None => None,
    };
    let mut cfg = a.rss.lock();
    if let Some(t) = reta {
        cfg.reta = t;
        cfg.user_reta = true;
    }
    if let Some(k) = new_key {
        cfg.key = k;
    }
    if dev.is_running() {
        rss::program(Adapter::hw(dev)?, &a.ctl_regs, &cfg, a.queues())?;
    }
    Ok(())
}

#[kunit_tests(rust_igb_tuning)]
mod tests {
    use super::*;

    #[test]
    fn rings() -> Result {
        assert_eq!(ring_size(256)?, 256);
        assert_eq!(ring_size(64)?, 64);
        assert_eq!(ring_size(100)?, 104);
        assert_eq!(ring_size(4096)?, 4096);
        assert!(ring_size(63).is_err());
        assert!(ring_size(4097).is_err());
        assert!(ring_size(0).is_err());
        Ok(())
    }

    #[test]
    fn coalesce() -> Result {
        assert_eq!(itr_setting(0)?, 0);
        assert_eq!(itr_setting(1)?, 1);
        assert_eq!(itr_setting(3)?, 3);
        assert_eq!(itr_setting(10)?, 40);
        assert_eq!(itr_setting(10000)?, 40000);
        assert!(itr_setting(2).is_err());
        assert!(itr_setting(4).is_err());
        assert!(itr_setting(9).is_err());
        assert!(itr_setting(10001).is_err());
        Ok(())
    }
}
