// SPDX-License-Identifier: GPL-2.0

//! The interface: `net_device_ops` for rust_igb (open, stop, transmit,
//! statistics) and the link watchdog.
//!
//! Bring-up and teardown follow the C driver's `__igb_open`/`igb_down`: rings
//! are allocated and programmed before interrupts are requested and NAPI
//! enabled; on the way down, transmit is stopped and the hardware quiesced
//! (DMA off, interrupts masked and synchronised, NAPI disabled) before any
//! ring memory or buffer is freed.
//!
//! The datapath state is split into queue vectors (`qvec.rs`), one per
//! interrupt vector and NAPI instance, each with its own ring locks; see
//! there for what each lock protects. The adapter-wide state below is
//! either immutable after probe, atomics written under RTNL (`open`, ethtool)
//! and read anywhere, or the RSS configuration under its mutex (process
//! context only).

use core::sync::atomic::{
    AtomicBool,
    AtomicI64,
    AtomicU32,
    AtomicU64,
    Ordering::Relaxed, //
};

use kernel::{
    debugfs::{Dir, File},
    io::Io,
    new_mutex, new_spinlock_irq,
    prelude::*,
    sync::{
        // debugfs files hold the kernel crate's atomics; the rest of the
        // state uses `core`'s, which compile inline (see qvec.rs).
        atomic::{self as katomic},
        Mutex,
        SpinLockIrq,
    },
    time::{Instant, Monotonic},
};

use crate::{
    filter::{self, Filters},
    hw::{FlowControl, MacAddr},
    intr,
    itr::{Itr, ItrSetting},
    mac, napi as poll,
    net::{
        self,
        addr::EthAddr,
        features::Features,
        irq::IrqMode,
        napi::{Napi, MAX_QUEUE_VECTORS},
        qstats::{QueueStatsRx, QueueStatsTx},
        queues::num_online_cpus,
        skb::SkBuff,
        skb_offload::TxHeaders,
        Device, Process, Rtnl, RxMode, Stats64,
    },
    nvm::{NvmVersion, Pba},
    offload, phy, queue,
    qvec::{QueuePair, VectorMap, MAX_QUEUES},
    regs::{self, Bar0, BAR0_SIZE},
    removal,
    rss::RssConfig,
    rx_ring::DEFAULT_RX_DESCS,
    tx_ring::DEFAULT_TX_DESCS,
};

mod hang;
mod updown;
mod xmit;

use hang::check_tx_hang;
use updown::restart;
pub(crate) use updown::{bring_up, reconfigure, reset_mac, teardown, RingSet};

/// How often the watchdog polls the link, in milliseconds.
const WATCHDOG_PERIOD_MS: u32 = 1000;

/// What probe read from the NVM to identify the board.
pub(crate) struct Identity {
    /// The NVM image version.
    pub(crate) nvm_version: NvmVersion,
    /// The permanent MAC address.
    pub(crate) perm_addr: MacAddr,
    /// The PBA number, if readable.
    pub(crate) pba: Option<Pba>,
}

/// Driver state of one interface (the `net_device` private data).
#[pin_data(PinnedDrop)]
pub(crate) struct Adapter {
    /// BAR0; device-managed, so it stays mapped while the interface exists.
    bar: kernel::pci::DevresBar<BAR0_SIZE>,
    /// NVM image version, for `ethtool -i` and `devlink dev info`.
    pub(crate) nvm_version: NvmVersion,
    /// The permanent MAC address (the serial number of `devlink dev info`).
    pub(crate) perm_addr: MacAddr,
    /// The board's PBA number, if the NVM has a readable one (`devlink dev
    /// info` board.id).
    pub(crate) pba: Option<Pba>,
    /// Flow control requested by the NVM, applied at each link-up.
    fc: FlowControl,
    /// The queue pairs; the first [`Adapter::queues`] are in use while up.
    #[pin]
    pub(crate) pairs: [QueuePair; MAX_QUEUES],
    /// Adaptive interrupt moderation of each queue vector (see
    /// [`Adapter::vector_map`]); touched by the vector's own poll and by
    /// `open` and `ethtool -C` (RTNL) while it cannot run or harmlessly.
    pub(crate) itr: [Itr; MAX_QUEUE_VECTORS],
    /// Queue pairs in use (1..=[`MAX_QUEUES`]); set by `open` before the
    /// datapath starts, read by the datapath.
    num_queues: AtomicU32,
    /// Queue pairs the user asked for (`ethtool -L`); 0: one per CPU, as
    /// many as the interrupt vectors allow. RTNL.
    pub(crate) want_queues: AtomicU32,
    /// TX descriptors per ring (`ethtool -G`). RTNL.
    pub(crate) tx_ring_size: AtomicU32,
    /// RX descriptors per ring (`ethtool -G`). RTNL.
    pub(crate) rx_ring_size: AtomicU32,
    /// EIMS bit of the MSI-X "other" vector (set in `open`).
    pub(crate) eims_other: AtomicU32,
    /// Going down (the C driver's `__IGB_DOWN`): set from the start of a
    /// teardown until the next bring-up unmasks interrupts, and while the
    /// interface is down. While set, the poll does not unmask its vector,
    /// the handlers do not unmask the "other" causes or schedule the
    /// watchdog, completions do not wake TX queues and the watchdog does
    /// not raise the carrier or re-arm itself.
    down: AtomicBool,
    /// The device dropped off the bus (`removal.rs`; the C driver clears
    /// `hw_addr`): set once, never cleared. The watchdog and the reset task
    /// stop touching the device, the teardown skips its register waits.
    gone: AtomicBool,
    /// Interrupt moderation setting (`ethtool -C`).
    pub(crate) itr_setting: ItrSetting,
    /// Link speed in Mb/s while the carrier is on, else 0 (watchdog).
    pub(crate) link_speed: AtomicU32,
    /// RSS key and redirection table (process context under RTNL).
    #[pin]
    pub(crate) rss: Mutex<RssConfig>,
    /// Time origin of [`Adapter::last_hang_look`].
    epoch: Instant<Monotonic>,
    /// When the watchdog last looked at the TX queues for hangs, in
    /// nanoseconds since `epoch` (watchdog only).
    last_hang_look: AtomicI64,
    /// TX timeouts reported by the stack.
    pub(crate) tx_timeouts: AtomicU64,
    /// Resets done by the reset task (TX timeouts and detected hangs).
    pub(crate) resets: AtomicU64,
    /// TX hangs the watchdog detected (each also reported to devlink).
    pub(crate) tx_hangs: AtomicU64,
    /// Fault injection for the tests, debugfs `rust_igb-<pci>/tx_stall`:
    /// 1 withholds every TX tail write (a hung transmitter) until the next
    /// reset, which the watchdog's hang detection triggers; 2 does the same
    /// with hang detection off, leaving it to the stack's TX timeout; 3 is 1
    /// with the watchdog lingering 0.5 s after it queued the reset, so that
    /// the reset task's cancel of the watchdog has to wait for it.
    #[pin]
    tx_stall: File<katomic::Atomic<u32>>,
    /// Fault injection for the tests, debugfs `rust_igb-<pci>/link_fail`:
    /// the number of coming link set-ups (`ethtool::setup_link`) to fail
    /// with `EIO`, as a PHY that does not answer would.
    #[pin]
    link_fail: File<katomic::Atomic<u32>>,
    /// System sleep and Wake-on-LAN state (`pm.rs`; its debugfs knob
    /// `wol_capable` lives in the directory below).
    #[pin]
    pub(crate) pm: crate::pm::PmState,
    /// The debugfs directory holding `tx_stall` and `link_fail`.
    _debugfs: Dir,
    /// Software copy of the receive filters (RAR, MTA, VFTA, mode bits),
    /// written with the hardware under this lock (see `filter.rs`).
    #[pin]
    pub(crate) filters: SpinLockIrq<Filters>,
    /// ethtool settings and counters (see [`crate::ethtool::Control`]).
    #[pin]
    pub(crate) ctl: crate::ethtool::Control,
    /// Owner of the shared control registers CTRL, RCTL, TCTL and VMOLR:
    /// every write to them goes through this lock, held for one
    /// read-modify-write. Taken in process context (`open`/`stop`,
    /// `set_features`, ethtool, the watchdog, resets) and from
    /// `set_rx_mode` with bottom halves off under `filters` (lock order:
    /// `filters`, then `ctl_regs`). See `ctl_regs.rs`.
    #[pin]
    pub(crate) ctl_regs: crate::ctl_regs::CtlLock,
}

impl Adapter {
    /// Create the interface state for a reset and identified controller.
    ///
    /// Once the state exists, the driver claims the device from the
    /// firmware (CTRL_EXT.DRV_LOAD, `igb_get_hw_control`, which C probe does
    /// last before `register_netdev`): from then on the state's drop hands
    /// it back, on every path (a failed registration included), and before
    /// it nothing was claimed.
    pub(crate) fn new(
        bar: kernel::pci::DevresBar<BAR0_SIZE>,
        ident: Identity,
        fc: FlowControl,
        debugfs: Dir,
        wake: (crate::pm::PortWake, bool),
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            tx_stall <- debugfs.read_write_file(c"tx_stall", katomic::Atomic::<u32>::new(0)),
            link_fail <- debugfs.read_write_file(c"link_fail", katomic::Atomic::<u32>::new(0)),
            pm <- crate::pm::PmState::new(&debugfs, wake.0, wake.1),
            _debugfs: debugfs,
            bar,
            nvm_version: ident.nvm_version,
            perm_addr: ident.perm_addr,
            pba: ident.pba,
            fc,
            pairs <- pin_init::pin_init_array_from_fn(|_| QueuePair::new()),
            itr: [const { Itr::new() }; MAX_QUEUE_VECTORS],
            num_queues: AtomicU32::new(1),
            want_queues: AtomicU32::new(0),
            tx_ring_size: AtomicU32::new(DEFAULT_TX_DESCS as u32),
            rx_ring_size: AtomicU32::new(DEFAULT_RX_DESCS as u32),
            eims_other: AtomicU32::new(0),
            down: AtomicBool::new(true),
            gone: AtomicBool::new(false),
            itr_setting: ItrSetting::new(),
            link_speed: AtomicU32::new(0),
            rss <- new_mutex!(RssConfig::new(), "rust_igb_rss"),
            epoch: Instant::now(),
            last_hang_look: AtomicI64::new(i64::MIN),
            tx_timeouts: AtomicU64::new(0),
            resets: AtomicU64::new(0),
            tx_hangs: AtomicU64::new(0),
            filters <- new_spinlock_irq!(Filters::new(), "rust_igb_filters"),
            ctl <- crate::ethtool::Control::new(*fc),
            ctl_regs <- crate::ctl_regs::new_lock(),
        }? Error)
        .pin_chain(|a| {
            if let Some(bar) = a.bar.try_access() {
                mac::get_hw_control(&bar);
            }
            Ok(())
        })
    }

    /// BAR0 of the interface's controller. Callbacks run only while the PCI
    /// device is bound, so this takes no lock and may be held across sleeps.
    pub(crate) fn hw(dev: &Device<Self>) -> Result<&Bar0<'_>> {
        dev.data().bar.access(dev.parent_bound())
    }

    /// Whether the interface is down or going down (`__IGB_DOWN`). One
    /// relaxed load: what orders it against a teardown is the masking,
    /// `napi_disable` and `synchronize_irq` that follow the store there
    /// (see [`teardown`]).
    pub(crate) fn is_down(&self) -> bool {
        self.down.load(Relaxed)
    }

    /// Whether the device is known to be gone (see `removal.rs`).
    pub(crate) fn is_gone(&self) -> bool {
        self.gone.load(Relaxed)
    }

    /// Record that the device is gone; returns whether this call did (the
    /// first one logs it and detaches the interface).
    pub(crate) fn set_gone(&self) -> bool {
        !self.gone.swap(true, Relaxed)
    }

    /// The device answers again after a slot reset (PCIe error recovery,
    /// `igb_io_slot_reset` restoring `hw_addr`): no longer gone.
    pub(crate) fn revive(&self) {
        self.gone.store(false, Relaxed);
    }

    /// Whether a test asked this link set-up to fail (debugfs `link_fail`
    /// above zero); counts the failure down.
    pub(crate) fn inject_link_failure(&self) -> bool {
        let mut n = self.link_fail.load(katomic::Relaxed);
        while n > 0 {
            match self.link_fail.cmpxchg(n, n - 1, katomic::Relaxed) {
                Ok(_) => return true,
                Err(now) => n = now,
            }
        }
        false
    }

    /// Queue pairs in use.
    pub(crate) fn queues(&self) -> usize {
        (self.num_queues.load(Relaxed) as usize).clamp(1, MAX_QUEUES)
    }

    /// The queue pairs in use.
    pub(crate) fn active(&self) -> &[QueuePair] {
        &self.pairs[..self.queues()]
    }

    /// The queue pair of TX queue `queue` as the stack picked it, folded
    /// into the queues in use (`igb_tx_queue_mapping`).
    fn tx_pair(&self, queue: u16) -> (usize, &QueuePair) {
        // The core picks a queue below `real_num_tx_queues`: the division
        // only runs for one that is not (there is none).
        let (q, n) = (usize::from(queue), self.queues());
        let q = if q < n { q } else { q % n };
        (q, &self.pairs[q])
    }
}

// `#[pinned_drop]` expands to `unsafe impl PinnedDrop` (pin-init's contract,
// which the macro itself upholds); no `unsafe` is written here.
#[allow(unsafe_code)]
#[pinned_drop]
impl PinnedDrop for Adapter {
    fn drop(self: Pin<&mut Self>) {
        // The interface is unregistered: hand the device back to the
        // firmware (`igb_release_hw_control`). Non-sleeping, so the RCU-guarded
        // access is fine; if the BAR is already revoked there is nothing to do.
        if let Some(bar) = self.bar.try_access() {
            mac::release_hw_control(&bar);
        }
    }
}

/// Which interrupt mechanism `open` asks for first (module parameter
/// `int_mode`: 0 MSI-X, 1 MSI, 2 legacy INTx); it falls back from there.
pub(crate) fn preferred_irq_mode() -> IrqMode {
    match crate::module_parameters::int_mode.value() {
        1 => IrqMode::Msi,
        2 => IrqMode::Intx,
        _ => IrqMode::MsiX,
    }
}

/// The longest frame for `mtu`: MTU + Ethernet header, FCS and one VLAN tag
/// (`max_frame_size` in the C driver).
pub(crate) fn max_frame(mtu: u32) -> u32 {
    mtu + 14 + 4 + 4
}

/// The longest frame the MAC accepts at `mtu` (RLPML, `igb_set_rx_mode`):
/// the MTU's, at least `IGB_MAX_FRAME_BUILD_SKB`. RX buffers hold it.
pub(crate) fn rx_frame_limit(mtu: u32) -> u32 {
    max_frame(mtu).max(queue::MAX_FRAME_BUILD_SKB)
}

/// How many queue pairs `open` sets up: one per online CPU (or what the
/// user asked for with `ethtool -L`), at most one per MSI-X queue vector;
/// one without MSI-X.
pub(crate) fn queue_count(dev: &Device<Adapter>) -> usize {
    let want = match dev.data().want_queues.load(Relaxed) {
        0 => num_online_cpus() as usize,
        n => n as usize,
    };
    want.clamp(1, max_queues(dev))
}

/// Most queue pairs: one per online CPU, at most one per queue vector; one
/// without MSI-X.
pub(crate) fn max_queues(dev: &Device<Adapter>) -> usize {
    queue_vectors(dev)
        .min(num_online_cpus() as usize)
        .clamp(1, MAX_QUEUES)
}

/// The queue vectors the interrupts offer: the MSI-X vectors but the
/// "other" one, or the single MSI/INTx vector.
fn queue_vectors(dev: &Device<Adapter>) -> usize {
    match dev.irq_mode() {
        Some(IrqMode::MsiX) => dev.irq_vectors().saturating_sub(1).max(1),
        _ => 1,
    }
}

/// How the queue pairs in use map onto the queue vectors. Fixed while the
/// interface is up (the queue count and the vectors change only while it
/// is down), so the datapath may ask at any time.
pub(crate) fn vector_map(dev: &Device<Adapter>) -> VectorMap {
    VectorMap::new(dev.data().queues(), queue_vectors(dev))
}

/// The MSI-X vector of queue vector `v` (the "other" vector is 0), or 0 in
/// the single-vector modes.
pub(crate) fn msix_vector(dev: &Device<Adapter>, v: usize) -> usize {
    match dev.irq_mode() {
        Some(IrqMode::MsiX) => intr::MsixMasks::vector(v),
        _ => 0,
    }
}

#[vtable]
impl net::device::Operations for Adapter {
    fn open(dev: &Device<Self>, rtnl: Rtnl<'_>) -> Result {
        let rings = RingSet::alloc(dev, queue_count(dev))?;
        bring_up(dev, rtnl, rings)
    }

    fn stop(dev: &Device<Self>, rtnl: Rtnl<'_>) -> Result {
        // A suspend quiesced the device and freed the rings (`igb_close`
        // skips a detached device too).
        if dev.data().pm.is_suspended() {
            return Ok(());
        }
        let hw = Adapter::hw(dev)?;
        teardown(dev, rtnl, hw);
        if dev.data().is_gone() {
            return Ok(());
        }
        phy::power_down(hw)
    }

    fn start_xmit(dev: &Device<Self>, skb: SkBuff) {
        xmit::start_xmit(dev, skb);
    }

    fn queue_stats_rx(dev: &Device<Self>, _rtnl: Rtnl<'_>, queue: u32, s: &mut QueueStatsRx) {
        if let Some(qp) = dev.data().pairs.get(queue as usize) {
            *s = qp.stats.qstats_rx();
        }
    }

    fn queue_stats_tx(dev: &Device<Self>, _rtnl: Rtnl<'_>, queue: u32, s: &mut QueueStatsTx) {
        if let Some(qp) = dev.data().pairs.get(queue as usize) {
            *s = qp.stats.qstats_tx();
        }
    }

    fn base_stats(
        dev: &Device<Self>,
        _rtnl: Rtnl<'_>,
        rx: &mut QueueStatsRx,
        tx: &mut QueueStatsTx,
    ) {
        // Every pair's counters run from probe and are never reset, and the
        // stack asks for the queues in use (the first `queues()`): the base
        // is the pairs beyond them, so base plus live queues is every pair,
        // what `get_stats64` sums too. Zeroes make every counter reported.
        *rx = QueueStatsRx::zero();
        *tx = QueueStatsTx::zero();
        let a = dev.data();
        for qp in a.pairs.iter().skip(a.queues()) {
            rx.add(&qp.stats.qstats_rx());
            tx.add(&qp.stats.qstats_tx());
        }
    }

    fn get_stats64(dev: &Device<Self>, stats: &mut Stats64) {
        for qp in &dev.data().pairs {
            let s = &qp.stats;
            stats.rx_packets += s.rx_packets.load(Relaxed);
            stats.rx_bytes += s.rx_bytes.load(Relaxed);
            stats.rx_errors += s.rx_errors.load(Relaxed);
            stats.rx_dropped += s.rx_dropped.load(Relaxed);
            stats.tx_packets += s.tx_packets.load(Relaxed);
            stats.tx_bytes += s.tx_bytes.load(Relaxed);
            stats.tx_dropped += s.tx_dropped.load(Relaxed);
        }
    }

    fn watchdog(dev: &Device<Self>, ctx: Process<'_>) {
        // Going down: the teardown cancels this work; raising the carrier
        // or waking queues now would undo what it just did.
        if dev.data().is_down() {
            return;
        }
        // A failed access means the device is going away: stop polling.
        let Ok(hw) = Adapter::hw(dev) else {
            return;
        };
        // A device that dropped off the bus reads all ones (which would
        // also look like a link at 1000 Mb/s): stop polling it, for good.
        let status = hw.read(regs::STATUS);
        if removal::check_read(dev, hw, status.into_raw()) {
            return;
        }
        let link = mac::LinkStatus::from_status(status);
        if link.up && !dev.carrier_ok() {
            let fc =
                mac::config_after_link_up(hw, &dev.data().ctl_regs, dev.data().ctl.requested_fc())
                    .unwrap_or(FlowControl::None);
            dev_info!(
                dev.parent(),
                "{}: NIC Link is Up {} Mbps {} Duplex, Flow Control: {}\n",
                dev.name(),
                link.speed_mbps,
                if link.full_duplex { "Full" } else { "Half" },
                match fc {
                    FlowControl::Full => "RX/TX",
                    FlowControl::RxPause => "RX",
                    FlowControl::TxPause => "TX",
                    FlowControl::None => "None",
                }
            );
            dev.data().link_speed.store(link.speed_mbps, Relaxed);
            dev.carrier_on();
            for q in 0..dev.data().queues() {
                dev.tx_wake(q as u16);
            }
        } else if !link.up && dev.carrier_ok() {
            dev_info!(dev.parent(), "{}: NIC Link is Down\n", dev.name());
            dev.data().link_speed.store(0, Relaxed);
            dev.carrier_off();
        }
        check_tx_hang(dev, hw, ctx);
        crate::stats::update(dev, hw);
        if dev.is_running() && !dev.data().is_down() {
            dev.schedule_watchdog(WATCHDOG_PERIOD_MS);
        }
    }

    fn set_rx_mode(dev: &Device<Self>, mode: &RxMode) {
        filter::set_rx_mode(dev, mode);
    }

    fn tx_timeout(dev: &Device<Self>, queue: u32) {
        dev.data().tx_timeouts.fetch_add(1, Relaxed);
        dev_warn!(
            dev.parent(),
            "{}: TX queue {} timed out, resetting\n",
            dev.name(),
            queue
        );
        dev.schedule_reset();
    }

    fn reset(dev: &Device<Self>, rtnl: Rtnl<'_>) {
        let a = dev.data();
        // Queued before a suspend: the device is quiesced and disabled.
        if a.pm.is_suspended() {
            return;
        }
        // Nothing to reset on a device that is gone (the watchdog or an
        // interrupt may have queued this before they found out).
        match Adapter::hw(dev) {
            Ok(hw) if !removal::check(dev, hw) => {}
            _ => return,
        }
        dev_info!(dev.parent(), "{}: Reset adapter\n", dev.name());
        a.resets.fetch_add(1, Relaxed);
        a.tx_stall.store(0, katomic::Relaxed);
        if let Err(e) = restart(dev, rtnl) {
            dev_err!(dev.parent(), "{}: reset failed: {:?}\n", dev.name(), e);
        }
    }

    fn change_mtu(dev: &Device<Self>, rtnl: Rtnl<'_>, new_mtu: u32) -> Result {
        let old = dev.mtu();
        if new_mtu == old {
            return Ok(());
        }
        dev_info!(
            dev.parent(),
            "{}: changing MTU from {} to {}\n",
            dev.name(),
            old,
            new_mtu
        );
        // New receive buffers of the right size, then a restart on them.
        reconfigure(
            dev,
            rtnl,
            |_| dev.set_mtu(rtnl, new_mtu),
            |_| dev.set_mtu(rtnl, old),
        )
    }

    fn poll(dev: &Device<Self>, napi: &Napi<'_>) -> i32 {
        poll::poll(dev, napi)
    }

    fn irq(dev: &Device<Self>, vector: usize) -> bool {
        let handled = poll::irq(dev, vector);
        dev.data().ctl.count_irq(vector, handled);
        handled
    }

    fn fix_features(_dev: &Device<Self>, features: Features) -> Features {
        offload::fix_features(features)
    }

    fn set_features(dev: &Device<Self>, features: Features) -> Result {
        // Reprogram the receive offloads that changed (`igb_set_features()`).
        // Down, `open` programs them from the features; the registers keep
        // their values until then.
        let changed = dev.features().changed(features);
        if changed.contains(Features::RXALL) {
            filter::set_rx_all(dev, features.contains(Features::RXALL));
        }
        if changed.intersects(Features::RXCSUM | Features::HW_VLAN_CTAG_RX | Features::RXALL) {
            offload::configure(Adapter::hw(dev)?, &dev.data().ctl_regs, features);
        }
        Ok(())
    }

    fn features_check(_dev: &Device<Self>, headers: &TxHeaders, features: Features) -> Features {
        offload::features_check(headers, features)
    }

    fn set_mac_address(dev: &Device<Self>, addr: &EthAddr) -> Result {
        filter::set_mac_address(dev, addr)
    }

    fn vlan_rx_add_vid(dev: &Device<Self>, vid: u16) -> Result {
        filter::set_vlan(dev, vid, true)
    }

    fn vlan_rx_kill_vid(dev: &Device<Self>, vid: u16) -> Result {
        filter::set_vlan(dev, vid, false)
    }
}
