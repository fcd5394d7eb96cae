// SPDX-License-Identifier: GPL-2.0

//! `ethtool -S`: the MAC statistics counters, accumulated to 64 bits, and the
//! per-queue software counters.
//!
//! The MAC counters are clear-on-read 32-bit registers (the octet counters
//! are split in a low and a high half; reading the high half clears both).
//! As `igb_update_stats` does every watchdog tick, [`update`] reads them all
//! and adds them into [`MacCounters`] under the adapter's `ctl.mac_counters`
//! mutex; `ethtool -S` (also its standard groups, ethtool/std_stats.rs),
//! `-d` and the self-test call it too before reading, so the values are
//! current. The mutex is only taken in process context
//! (the watchdog work item and RTNL-holding ethtool callbacks).

use core::sync::atomic::Ordering::Relaxed;

use kernel::io::Io;

use crate::{
    net::{
        ethtool::{StatsOut, Strings},
        Device,
    },
    netdev::Adapter,
    regs::{self, Bar0},
};

/// Defines [`MacCounters`] (one `u64` per counter) and its accumulation from
/// the registers: `field: REG` for a 32-bit counter, `field: LOW + HIGH` for
/// a 64-bit one.
macro_rules! mac_counters {
    ($($field:ident: $reg:ident $(+ $high:ident)?),* $(,)?) => {
        /// The MAC statistics counters, accumulated to 64 bits
        /// (`struct e1000_hw_stats`, the subset the 82576 has and QEMU counts).
        #[derive(Clone, Copy, Debug, Default)]
        pub(crate) struct MacCounters {
            $(
                #[doc = concat!("Accumulated ", stringify!($reg), ".")]
                pub(crate) $field: u64,
            )*
        }

        impl MacCounters {
            /// Read every counter (clearing it) and add it in.
            fn accumulate(&mut self, hw: &Bar0<'_>) {
                $(
                    let v = u64::from(hw.read(regs::$reg).count());
                    $( let v = v | (u64::from(hw.read(regs::$high).count()) << 32); )?
                    self.$field = self.$field.wrapping_add(v);
                )*
            }
        }
    };
}

mac_counters! {
    crcerrs: CRCERRS, algnerrc: ALGNERRC, symerrs: SYMERRS, rxerrc: RXERRC, mpc: MPC,
    scc: SCC, ecol: ECOL, mcc: MCC, latecol: LATECOL, colc: COLC, dc: DC, tncrs: TNCRS,
    sec: SEC, cexterr: CEXTERR, rlec: RLEC, xonrxc: XONRXC, xontxc: XONTXC,
    xoffrxc: XOFFRXC, xofftxc: XOFFTXC, fcruc: FCRUC, prc64: PRC64, prc127: PRC127,
    prc255: PRC255, prc511: PRC511, prc1023: PRC1023, prc1522: PRC1522, gprc: GPRC,
    bprc: BPRC, mprc: MPRC, gptc: GPTC, gorc: GORCL + GORCH, gotc: GOTCL + GOTCH,
    rnbc: RNBC, ruc: RUC, rfc: RFC, roc: ROC, rjc: RJC, mgprc: MGTPRC, mgpdc: MGTPDC,
    mgptc: MGTPTC, tor: TORL + TORH, tot: TOTL + TOTH, tpr: TPR, tpt: TPT, ptc64: PTC64,
    ptc127: PTC127, ptc255: PTC255, ptc511: PTC511, ptc1023: PTC1023, ptc1522: PTC1522,
    mptc: MPTC, bptc: BPTC, tsctc: TSCTC, tsctfc: TSCTFC, iac: IAC,
}

/// Accumulate the hardware counters (the watchdog's periodic call, also
/// before every read of them). Process context only (takes a mutex).
pub(crate) fn update(dev: &Device<Adapter>, hw: &Bar0<'_>) {
    dev.data().ctl.mac_counters.lock().accumulate(hw);
}

/// Accumulate, then return a copy of the counters.
pub(crate) fn snapshot(dev: &Device<Adapter>, hw: &Bar0<'_>) -> MacCounters {
    let mut c = dev.data().ctl.mac_counters.lock();
    c.accumulate(hw);
    *c
}

/// The counters as `ethtool` reports them: accumulated first if the device
/// is reachable, else the last accumulation. Process context only.
pub(crate) fn current(dev: &Device<Adapter>) -> MacCounters {
    match Adapter::hw(dev) {
        Ok(hw) => snapshot(dev, hw),
        Err(_) => *dev.data().ctl.mac_counters.lock(),
    }
}

/// Reads one statistic from the accumulated counters.
type StatFn = fn(&MacCounters) -> u64;

/// Names and values of the MAC statistics, in `igb_gstrings_stats` order
/// (the entries for features rust_igb does not have are left out).
const MAC_STATS: &[(&str, StatFn)] = &[
    ("rx_packets", |c| c.gprc),
    ("tx_packets", |c| c.gptc),
    ("rx_bytes", |c| c.gorc),
    ("tx_bytes", |c| c.gotc),
    ("rx_broadcast", |c| c.bprc),
    ("tx_broadcast", |c| c.bptc),
    ("rx_multicast", |c| c.mprc),
    ("tx_multicast", |c| c.mptc),
    ("multicast", |c| c.mprc),
    ("collisions", |c| c.colc),
    ("rx_crc_errors", |c| c.crcerrs),
    ("rx_no_buffer_count", |c| c.rnbc),
    ("rx_missed_errors", |c| c.mpc),
    ("tx_aborted_errors", |c| c.ecol),
    ("tx_carrier_errors", |c| c.tncrs),
    ("tx_window_errors", |c| c.latecol),
    ("tx_abort_late_coll", |c| c.latecol),
    ("tx_deferred_ok", |c| c.dc),
    ("tx_single_coll_ok", |c| c.scc),
    ("tx_multi_coll_ok", |c| c.mcc),
    ("rx_long_length_errors", |c| c.roc),
    ("rx_short_length_errors", |c| c.ruc),
    ("rx_align_errors", |c| c.algnerrc),
    ("tx_tcp_seg_good", |c| c.tsctc),
    ("tx_tcp_seg_failed", |c| c.tsctfc),
    ("rx_flow_control_xon", |c| c.xonrxc),
    ("rx_flow_control_xoff", |c| c.xoffrxc),
    ("tx_flow_control_xon", |c| c.xontxc),
    ("tx_flow_control_xoff", |c| c.xofftxc),
    ("rx_long_byte_count", |c| c.gorc),
    ("tx_smbus", |c| c.mgptc),
    ("rx_smbus", |c| c.mgprc),
    ("dropped_smbus", |c| c.mgpdc),
];

/// The interface counters reported next (`igb_gstrings_net_stats`, those
/// the driver keeps).
const NET_STATS: [&str; 6] = [
    "rx_errors",
    "rx_dropped",
    "tx_dropped",
    "tx_timeout_count",
    "reset_count",
    "tx_hang_count",
];

/// One queue's counters (`struct igb_tx_queue_stats` / `igb_rx_queue_stats`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct QueueStats {
    /// Packets transmitted.
    pub(crate) tx_packets: u64,
    /// Bytes transmitted.
    pub(crate) tx_bytes: u64,
    /// Queue wake-ups after it was stopped for lack of descriptors.
    pub(crate) tx_restart: u64,
    /// TSO packets transmitted (each several frames of `tx_packets`).
    pub(crate) tx_tso: u64,
    /// Packets received.
    pub(crate) rx_packets: u64,
    /// Bytes received.
    pub(crate) rx_bytes: u64,
    /// Frames received but dropped (no skb).
    pub(crate) rx_drops: u64,
    /// Frames the hardware flagged with a checksum error.
    pub(crate) rx_csum_err: u64,
    /// Failed receive allocations (each a dropped frame, in `rx_drops`).
    pub(crate) rx_alloc_failed: u64,
}

/// Number of queue pairs whose counters `ethtool -S` shows: those in use.
pub(crate) fn num_queues(dev: &Device<Adapter>) -> usize {
    dev.data().queues()
}

/// Counters of queue pair `q`.
pub(crate) fn queue_stats(dev: &Device<Adapter>, q: usize) -> QueueStats {
    let Some(qp) = dev.data().pairs.get(q) else {
        return QueueStats::default();
    };
    let s = &qp.stats;
    QueueStats {
        tx_packets: s.tx_packets.load(Relaxed),
        tx_bytes: s.tx_bytes.load(Relaxed),
        tx_restart: s.tx_restart.load(Relaxed),
        tx_tso: s.tx_tso.load(Relaxed),
        rx_packets: s.rx_packets.load(Relaxed),
        rx_bytes: s.rx_bytes.load(Relaxed),
        rx_drops: s.rx_dropped.load(Relaxed),
        rx_csum_err: s.rx_csum_errors.load(Relaxed),
        rx_alloc_failed: s.rx_alloc_failed.load(Relaxed),
    }
}

/// A counter summed over all queue vectors.
fn total(dev: &Device<Adapter>, f: impl Fn(&crate::qvec::QueueStats) -> u64) -> u64 {
    dev.data().pairs.iter().map(|qp| f(&qp.stats)).sum()
}

/// The `ethtool -S` names: MAC, interface, then per-queue counters (TX
/// queues first, as `igb_get_strings`).
pub(crate) fn strings(dev: &Device<Adapter>, out: &mut Strings<'_>) {
    for (name, _) in MAC_STATS {
        out.push(format_args!("{name}"));
    }
    for name in NET_STATS {
        out.push(format_args!("{name}"));
    }
    let n = num_queues(dev);
    for q in 0..n {
        out.push(format_args!("tx_queue_{q}_packets"));
        out.push(format_args!("tx_queue_{q}_bytes"));
        out.push(format_args!("tx_queue_{q}_restart"));
        out.push(format_args!("tx_queue_{q}_tso"));
    }
    for q in 0..n {
        out.push(format_args!("rx_queue_{q}_packets"));
        out.push(format_args!("rx_queue_{q}_bytes"));
        out.push(format_args!("rx_queue_{q}_drops"));
        out.push(format_args!("rx_queue_{q}_csum_err"));
        out.push(format_args!("rx_queue_{q}_alloc_failed"));
    }
}

/// The `ethtool -S` values, in the order of [`strings`].
pub(crate) fn values(dev: &Device<Adapter>, out: &mut StatsOut<'_>) {
    let c = current(dev);
    for (_, get) in MAC_STATS {
        out.push(get(&c));
    }
    let a = dev.data();
    out.push(total(dev, |s| s.rx_errors.load(Relaxed)));
    out.push(total(dev, |s| s.rx_dropped.load(Relaxed)));
    out.push(total(dev, |s| s.tx_dropped.load(Relaxed)));
    out.push(a.tx_timeouts.load(Relaxed));
    out.push(a.resets.load(Relaxed));
    out.push(a.tx_hangs.load(Relaxed));
    let n = num_queues(dev);
    for q in 0..n {
        let qs = queue_stats(dev, q);
        out.push(qs.tx_packets);
        out.push(qs.tx_bytes);
        out.push(qs.tx_restart);
        out.push(qs.tx_tso);
    }
    for q in 0..n {
        let qs = queue_stats(dev, q);
        out.push(qs.rx_packets);
        out.push(qs.rx_bytes);
        out.push(qs.rx_drops);
        out.push(qs.rx_csum_err);
        out.push(qs.rx_alloc_failed);
    }
}
