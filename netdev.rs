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
        barrier::{dma_mb, Write},
        Mutex,
        SpinLockIrq,
    },
    time::{delay::fsleep, Delta, Instant, Monotonic},
};

use crate::{
    devlink::HangReport,
    filter::{self, Filters},
    hw::{FlowControl, MacAddr},
    intr,
    itr::{Itr, ItrSetting},
    mac, napi as poll,
    net::{
        self,
        addr::EthAddr,
        features::Features,
        irq::{IrqMode, VectorUse},
        lock::must_not_spin,
        napi::{Napi, MAX_QUEUE_VECTORS},
        queues::num_online_cpus,
        skb::{DropReason, SkBuff},
        skb_offload::TxHeaders,
        Device, Process, Rtnl, RxMode, Stats64,
    },
    nvm::{NvmVersion, Pba},
    offload, phy, queue,
    qvec::{bump, QueuePair, VectorMap, MAX_QUEUES},
    regs::{self, Bar0, BAR0_SIZE},
    removal,
    rss::{self, RssConfig},
    rx_ring::{buffer_len, RxRing, DEFAULT_RX_DESCS},
    tx_ring::{doorbell_now, Prepared, TxRing, DEFAULT_TX_DESCS, DESC_NEEDED},
};

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

/// The rings of an interface, allocated before they are installed so that a
/// reconfiguration can fail without touching the rings in service.
pub(crate) struct RingSet(KVec<(TxRing, RxRing)>);

impl RingSet {
    /// Allocate `n` ring pairs of the configured sizes.
    pub(crate) fn alloc(dev: &Device<Adapter>, n: usize) -> Result<Self> {
        let a = dev.data();
        let bound = dev.parent_bound();
        let (tx, rx) = (
            a.tx_ring_size.load(Relaxed) as usize,
            a.rx_ring_size.load(Relaxed) as usize,
        );
        let buf_len = buffer_len(max_frame(dev.mtu()));
        let limit = rx_frame_limit(dev.mtu());
        let mut set = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            set.push(
                (
                    TxRing::new(bound, tx)?,
                    RxRing::new(bound, rx, buf_len, limit)?,
                ),
                GFP_KERNEL,
            )?;
        }
        Ok(Self(set))
    }

    /// Number of ring pairs.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Take the rings in service out of the queue pairs (the interface is
    /// quiesced), into `self`, which has room for them (see
    /// [`reconfigure`]): a ring pair that does not fit is dropped.
    fn take_from(&mut self, a: &Adapter) {
        for qp in a.pairs.iter() {
            let tx = qp.tx.lock().take();
            let rx = qp.rx.lock().take();
            if let (Some(tx), Some(rx)) = (tx, rx) {
                let _ = self.0.push_within_capacity((tx, rx));
            }
        }
    }

    /// Back to the state of new rings on the memory they hold (TX rings
    /// are drained by [`quiesce`]; RX descriptors re-armed on their pages).
    fn rearm(mut self) -> Result<Self> {
        for (_, rx) in self.0.iter_mut() {
            rx.rearm()?;
        }
        Ok(self)
    }

    /// Put the rings into the first queue vectors.
    fn install(self, a: &Adapter) {
        for ((tx, rx), qp) in self.0.into_iter().zip(a.pairs.iter()) {
            *qp.tx.lock() = Some(tx);
            *qp.rx.lock() = Some(rx);
        }
    }
}

/// Program the rings and RSS into the hardware and hand the armed RX
/// descriptors over (`igb_configure`).
fn configure(dev: &Device<Adapter>, hw: &Bar0<'_>) -> Result {
    let a = dev.data();
    queue::setup_tctl(hw, &a.ctl_regs);
    queue::setup_rctl(hw, &a.ctl_regs);
    for (q, qp) in a.active().iter().enumerate() {
        let (tx_dma, tx_count) = qp
            .tx
            .lock()
            .as_ref()
            .map(|r| (r.dma_addr(), r.count()))
            .ok_or(EINVAL)?;
        queue::configure_tx_ring(hw, q, tx_dma, tx_count as u32)?;
        let (rx_dma, rx_count, buf_len) = qp
            .rx
            .lock()
            .as_ref()
            .map(|r| (r.dma_addr(), r.count(), r.buf_len()))
            .ok_or(EINVAL)?;
        queue::configure_rx_ring(hw, &a.ctl_regs, q, rx_dma, rx_count as u32, buf_len)?;
    }
    {
        let mut cfg = a.rss.lock();
        cfg.fit(a.queues());
        rss::program(hw, &a.ctl_regs, &cfg, a.queues())?;
    }
    // Longest frame accepted (RLPML): the MTU's, which fits one buffer
    // (`buffer_len`), as the RX ring expects.
    queue::set_max_frame(hw, &a.ctl_regs, rx_frame_limit(dev.mtu()))?;
    // Receive checksum and VLAN stripping as the features say.
    offload::configure(hw, &a.ctl_regs, dev.features());
    // The descriptors were armed at allocation; hand them over.
    dma_mb(Write);
    for (q, qp) in a.active().iter().enumerate() {
        if let Some(tail) = qp.rx.lock().as_ref().map(RxRing::tail) {
            queue::write_rx_tail(hw, q, tail);
        }
    }
    queue::rx_enable(hw, &a.ctl_regs, true);
    Ok(())
}

/// Request interrupts, route the queue pairs to them, enable NAPI, then
/// unmask: NAPI must be enabled before the first interrupt can fire.
fn setup_irqs(dev: &Device<Adapter>, rtnl: Rtnl<'_>, hw: &Bar0<'_>) -> Result<IrqMode> {
    let a = dev.data();
    let map = vector_map(dev);
    // Each queue vector on the CPU XPS sends its queue's packets from, so a
    // flow's transmits, completions and (with RSS) receives share a CPU.
    let cpus = num_online_cpus().max(1);
    let msix = dev.irq_mode() == Some(IrqMode::MsiX);
    let used = if msix { map.vectors() + 1 } else { 1 };
    let mode = dev.request_irqs(rtnl, used, |i| {
        let serves = i
            .checked_sub(1)
            .filter(|_| msix)
            .and_then(|v| map.serves(v));
        match serves {
            None => (VectorUse::Device, None),
            Some(s) => {
                let q = s.queue as u32;
                let what = match (s.tx, s.rx) {
                    (true, true) => VectorUse::TxRx(q),
                    (false, _) => VectorUse::Rx(q),
                    (true, false) => VectorUse::Tx(q),
                };
                (what, Some(q % cpus))
            }
        }
    })?;
    let masks = match mode {
        IrqMode::MsiX => {
            let masks = intr::configure_msix(hw, &map);
            a.eims_other.store(masks.other, Relaxed);
            Some(masks)
        }
        IrqMode::Msi | IrqMode::Intx => {
            intr::configure_single(hw);
            None
        }
    };
    let initial = a.itr_setting.initial();
    for (v, itr) in a.itr.iter().enumerate().take(map.vectors()) {
        itr.reset(initial);
        intr::write_itr(hw, msix_vector(dev, v), initial >> 2)?;
        dev.napi_enable(rtnl, v)?;
    }
    intr::clear_pending(hw);
    match &masks {
        Some(masks) => intr::enable_msix(hw, masks),
        None => intr::enable_single(hw),
    }
    Ok(mode)
}

/// Send each queue's packets from the CPU its interrupt is aimed at (XPS),
/// so a flow's transmit and its completions stay on one CPU. A hint: the
/// stack falls back to hashing flows over the queues.
fn setup_xps(dev: &Device<Adapter>, rtnl: Rtnl<'_>) {
    let cpus = num_online_cpus() as usize;
    for q in 0..dev.data().queues().min(cpus) {
        let _ = dev.set_xps_queue(rtnl, q as u32, q as u16);
    }
}

/// Reset the MAC and bring it back to its probe-time configuration, as
/// `igb_down` does with `igb_reset`: a global reset (which also stops all DMA
/// and masks every interrupt cause), then the MAC set-up of probe
/// (`mac::init_hw`: filters cleared, the station address in RAR\[0\], flow
/// control registers, statistics cleared), the driver's claim on the device
/// (CTRL_EXT.DRV_LOAD) and CTRL.SLU. The PHY keeps its settings (the C
/// driver resets it only on SGMII ports); `open` reprograms everything else.
/// Process context; sleeps for about 25 ms.
pub(crate) fn reset_mac(dev: &Device<Adapter>, hw: &Bar0<'_>) {
    // The statistics registers are cleared by the reset: keep their counts
    // (`igb_down`: "record the stats before reset").
    crate::stats::update(dev, hw);
    let ctl = &dev.data().ctl_regs;
    let res = mac::reset(hw, ctl)
        .and_then(|_| mac::init_hw(hw, &dev.dev_addr(), max_frame(dev.mtu())))
        .map(|_| {
            mac::get_hw_control(hw);
            mac::set_link_up(hw, ctl);
        });
    if let Err(e) = res {
        dev_err!(
            dev.parent(),
            "{}: Hardware Error: reset failed ({:?})\n",
            dev.name(),
            e
        );
    }
}

/// Quiesce the hardware and free the rings (`igb_down` and the rest of
/// `__igb_close`: the second half of `stop`, also the unwinding of a failed
/// `open` and the first half of a reconfiguration): [`quiesce`], then the
/// rings unmapped and freed. Idempotent.
pub(crate) fn teardown(dev: &Device<Adapter>, rtnl: Rtnl<'_>, hw: &Bar0<'_>) {
    quiesce(dev, rtnl, hw);
    // Nothing can reach the rings any more: take them out and free them
    // outside the locks (freeing coherent memory needs interrupts on).
    for qp in dev.data().pairs.iter() {
        let tx = qp.tx.lock().take();
        let rx = qp.rx.lock().take();
        drop(tx);
        drop(rx);
    }
}

/// Stop the device from interrupting and reaching memory, and empty the
/// TX rings, keeping the rings themselves (`igb_down`).
///
/// The order closes every window in which the device could interrupt or
/// reach memory after its owner went away:
/// 1. going down is flagged first, so that from now on no poll unmasks its
///    vector and no handler unmasks the "other" causes or schedules the
///    watchdog;
/// 2. transmit is stopped, RX/TX DMA and the queues disabled;
/// 3. every cause is masked and the handlers synchronised, then NAPI is
///    disabled (waiting for running polls);
/// 4. everything is masked and synchronised again: a poll or handler that
///    ran before it saw the flag may have unmasked its vector meanwhile,
///    and none can run any more;
/// 5. the MAC is reset (`igb_reset`), which also leaves every cause masked,
///    so that the PHY power-down of `stop` cannot raise a link interrupt on
///    a (possibly shared) line whose handler is gone;
/// 6. only then are the handlers freed and the packets still on the TX
///    rings unmapped and freed.
fn quiesce(dev: &Device<Adapter>, rtnl: Rtnl<'_>, hw: &Bar0<'_>) {
    let a = dev.data();
    // A device that is gone can neither stop its queues nor be reset: the
    // waits for it are skipped (they would run into their timeouts), the
    // rest (masking, freeing) is harmless on it and needed for the rings.
    let mut gone = removal::check(dev, hw);
    a.down.store(true, Relaxed);
    dev.tx_disable(rtnl);
    if !gone && queue::disable_all(hw, &a.ctl_regs).is_err() {
        gone = removal::check(dev, hw);
        if !gone {
            // A queue did not stop: reset the MAC so no DMA outlives the rings.
            dev_warn!(
                dev.parent(),
                "{}: queues did not stop, resetting\n",
                dev.name()
            );
            let _ = mac::reset(hw, &a.ctl_regs);
        }
    }
    intr::disable_all_irqs(hw);
    dev.synchronize_irqs(rtnl);
    for q in 0..MAX_QUEUES {
        dev.napi_disable(rtnl, q);
    }
    intr::disable_all_irqs(hw);
    dev.synchronize_irqs(rtnl);
    dev.cancel_watchdog(rtnl);
    dev.carrier_off();
    a.link_speed.store(0, Relaxed);
    if !gone {
        reset_mac(dev, hw);
    }
    dev.free_irqs(rtnl);
    for q in 0..MAX_QUEUES {
        dev.napi_del(rtnl, q);
    }
    for (q, qp) in a.pairs.iter().enumerate() {
        let drained = match &mut *qp.tx.lock() {
            Some(tx) => {
                tx.drain(dev.parent_bound());
                true
            }
            None => false,
        };
        if drained {
            dev.tx_reset(q as u16);
        }
    }
}

/// Reset a running interface on the rings it has (`igb_reinit_locked`:
/// `igb_down`, `igb_up`): [`quiesce`] (which resets the MAC), the RX rings
/// re-armed on the pages they hold, and the interface started again. No
/// ring memory is allocated, so a reset under memory pressure still brings
/// the interface back. If starting fails (its unwinding frees the rings),
/// one more try on new rings, as `open` would; if that fails too, the
/// interface is closed rather than left up without rings. Process context,
/// RTNL held.
fn restart(dev: &Device<Adapter>, rtnl: Rtnl<'_>) -> Result {
    if !dev.is_running() {
        return Ok(());
    }
    let a = dev.data();
    let hw = Adapter::hw(dev)?;
    let n = a.queues();
    quiesce(dev, rtnl, hw);
    let rearmed = a
        .active()
        .iter()
        .try_for_each(|qp| match &mut *qp.rx.lock() {
            Some(rx) => rx.rearm(),
            None => Err(EINVAL),
        });
    // A failed start has undone everything itself.
    let res = match rearmed {
        Ok(()) => start(dev, rtnl, n),
        Err(e) => {
            teardown(dev, rtnl, hw);
            Err(e)
        }
    };
    if let Err(e) = res {
        dev_err!(
            dev.parent(),
            "{}: restart failed ({:?}), trying on new rings\n",
            dev.name(),
            e
        );
        if let Err(again) = RingSet::alloc(dev, n).and_then(|r| bring_up(dev, rtnl, r)) {
            dev_err!(
                dev.parent(),
                "{}: bringing the interface up failed too ({:?}), closing it\n",
                dev.name(),
                again
            );
            dev.close(rtnl);
        }
        return Err(e);
    }
    Ok(())
}

/// The body of `open` once the rings exist: install them, program the
/// hardware, request interrupts, enable NAPI and start the queues. On
/// failure everything is undone (the rings freed).
pub(crate) fn bring_up(dev: &Device<Adapter>, rtnl: Rtnl<'_>, rings: RingSet) -> Result {
    let n = rings.len().max(1);
    rings.install(dev.data());
    start(dev, rtnl, n)
}

/// Start the interface on the `n` ring pairs installed (`igb_up` and the
/// rest of `__igb_open`); on failure everything is undone, the rings freed.
fn start(dev: &Device<Adapter>, rtnl: Rtnl<'_>, n: usize) -> Result {
    let a = dev.data();
    let hw = Adapter::hw(dev)?;
    a.num_queues.store(n as u32, Relaxed);
    dev.carrier_off();

    let res = (|| -> Result {
        dev.set_real_num_queues(rtnl, n as u32, n as u32)?;
        phy::power_up(hw)?;
        // Receive filters as they were (RAR, MTA, VFTA, RCTL modes).
        filter::restore(dev, hw)?;
        configure(dev, hw)?;
        for v in 0..vector_map(dev).vectors() {
            dev.napi_add(rtnl, v)?;
        }
        // Up from here (`igb_up` clears `__IGB_DOWN` before enabling NAPI
        // and unmasking): polls may unmask their vectors again.
        a.down.store(false, Relaxed);
        let mode = setup_irqs(dev, rtnl, hw)?;
        setup_xps(dev, rtnl);
        dev.tx_start_all();
        dev_dbg!(
            dev.parent(),
            "{}: up with {:?} interrupts, {} queue pair(s), {}\n",
            dev.name(),
            mode,
            n,
            if vector_map(dev).is_split() {
                "a vector per ring"
            } else {
                "a vector per pair"
            }
        );
        // Autonegotiation or forced speed as ethtool last set it.
        crate::ethtool::setup_link(dev, hw)?;
        dev.schedule_watchdog(0);
        Ok(())
    })();
    if res.is_err() {
        teardown(dev, rtnl, hw);
    }
    res
}

/// Apply a change that needs new rings (`ethtool -G`, `-L`, the MTU) to a
/// running interface (`igb_reinit_queues`): `apply` changes the settings,
/// then the new rings are allocated first, so that on failure `restore` puts
/// the settings back and the old rings stay in service; then the interface
/// is quiesced and brought up on the new rings. If that fails, the previous
/// settings are restored and brought up again on the old rings, kept for
/// this (re-armed, no ring memory allocated: a failure under memory
/// pressure does not also lose the rings in service); if that fails too,
/// the interface is closed (`dev_close`) rather than left up without rings.
/// Process context, RTNL held.
pub(crate) fn reconfigure(
    dev: &Device<Adapter>,
    rtnl: Rtnl<'_>,
    apply: impl Fn(&Adapter),
    restore: impl Fn(&Adapter),
) -> Result {
    let a = dev.data();
    apply(a);
    if !dev.is_running() {
        return Ok(());
    }
    // Everything that can fail before the switch: new rings, room to keep
    // the old ones, the BAR.
    let prepared = RingSet::alloc(dev, queue_count(dev)).and_then(|rings| {
        let old = RingSet(KVec::with_capacity(MAX_QUEUES, GFP_KERNEL)?);
        Ok((rings, old, Adapter::hw(dev)?))
    });
    let (rings, mut old, hw) = match prepared {
        Ok(p) => p,
        Err(e) => {
            restore(a);
            return Err(e);
        }
    };
    quiesce(dev, rtnl, hw);
    old.take_from(a);
    if let Err(e) = bring_up(dev, rtnl, rings) {
        dev_err!(
            dev.parent(),
            "{}: reconfiguration failed ({:?}), restoring the previous settings\n",
            dev.name(),
            e
        );
        restore(a);
        let res = match old.len() {
            0 => RingSet::alloc(dev, queue_count(dev)),
            _ => old.rearm(),
        };
        if let Err(again) = res.and_then(|r| bring_up(dev, rtnl, r)) {
            // Neither came up, and the failed bring-up freed the rings: an
            // interface left up would look up and drop everything. Take
            // it down; the administrator's next `up` tries again.
            dev_err!(
                dev.parent(),
                "{}: restoring the previous settings failed too ({:?}), closing the interface\n",
                dev.name(),
                again
            );
            dev.close(rtnl);
        }
        return Err(e);
    }
    // The old rings are freed here, the interface running on the new ones.
    drop(old);
    Ok(())
}

/// The shortest time between two hang looks: a link-change interrupt runs
/// the watchdog at once (`kick_watchdog`), between its periodic runs, and
/// two looks in quick succession must not make a hang out of a queue that
/// had no time to progress. Three quarters of the period, so that periodic
/// runs (a period apart, give or take scheduling) always look.
const HANG_LOOK_MIN_INTERVAL: Delta = Delta::from_millis(WATCHDOG_PERIOD_MS as i64 * 3 / 4);

/// Whether a watchdog run at `now_ns` looks for hangs, the previous look
/// having been at `last_ns` (nanoseconds on one clock).
fn hang_look_due(last_ns: i64, now_ns: i64) -> bool {
    now_ns.saturating_sub(last_ns) >= HANG_LOOK_MIN_INTERVAL.as_nanos()
}

/// Watchdog looks without progress after which a TX queue with pending
/// packets counts as hung (the C driver waits a second; looks are a second
/// apart, and this also rides out a look that lands just before a
/// completion).
const HANG_TICKS: u64 = 2;

/// One watchdog look at a TX queue for hang detection: returns the new count
/// of consecutive looks without progress and whether the queue is hung
/// (`igb_clean_tx_irq`'s `detect_tx_hung` test). `pending`: packets are
/// posted and not completed; `progressed`: some completed since the last
/// look; `paused`: STATUS.TXOFF, the transmitter is held off by PAUSE frames
/// from the link partner; `link`: the carrier is on. A paused transmitter is
/// not hung (the C driver tests `!(rd32(E1000_STATUS) & E1000_STATUS_TXOFF)`),
/// nor is one without a link (the C driver arms its hang check only with the
/// carrier on): the count starts over, so a queue is declared hung only after
/// [`HANG_TICKS`] consecutive looks with the link up, without progress and
/// without a pause; a look before a link loss never counts towards a hang
/// after it.
fn hang_look(ticks: u64, pending: bool, progressed: bool, paused: bool, link: bool) -> (u64, bool) {
    if !pending || progressed || paused || !link {
        return (0, false);
    }
    let ticks = ticks.saturating_add(1);
    if ticks >= HANG_TICKS {
        (0, true)
    } else {
        (ticks, false)
    }
}

/// Detect hung TX queues (`igb_clean_tx_irq`'s `detect_tx_hung`): packets
/// pending and no completion over [`HANG_TICKS`] watchdog looks while the
/// link is up and the transmitter is not paused ([`hang_look`]). A hung
/// queue is logged like the C driver does, its state captured in a
/// [`HangReport`] and reported to the devlink health reporter, whose
/// recovery resets the adapter (`devlink.rs`), without waiting for the
/// stack's longer TX timeout.
fn check_tx_hang(dev: &Device<Adapter>, hw: &Bar0<'_>, ctx: Process<'_>) {
    let a = dev.data();
    if !dev.is_running() || a.tx_stall.load(katomic::Relaxed) == 2 {
        return;
    }
    let now = a.epoch.elapsed().as_nanos();
    if !hang_look_due(a.last_hang_look.load(Relaxed), now) {
        return;
    }
    a.last_hang_look.store(now, Relaxed);
    // Without a carrier the looks still run, to start the counts over.
    let link = dev.carrier_ok();
    let status = hw.read(regs::STATUS);
    let paused = status.txoff();
    for (q, qp) in a.active().iter().enumerate() {
        let (pending, ntu, ntc, descs) = match qp.tx.lock().as_ref() {
            Some(r) => (r.pending(), r.tail(), r.next_to_clean(), r.in_flight()),
            None => continue,
        };
        let s = &qp.stats;
        let done = s.tx_packets.load(Relaxed);
        let progressed = done != s.hang_mark.swap(done, Relaxed);
        let (ticks, hung) = hang_look(
            s.hang_ticks.load(Relaxed),
            pending,
            progressed,
            paused,
            link,
        );
        s.hang_ticks.store(ticks, Relaxed);
        if !hung {
            continue;
        }
        let report = HangReport {
            queue: q as u32,
            tdh: queue::read_tx_head(hw, q),
            tdt: queue::read_tx_tail(hw, q),
            next_to_use: ntu,
            next_to_clean: ntc,
            pending_descs: descs as u32,
            looks: HANG_TICKS,
            link,
            txoff: paused,
            status: status.into_raw(),
            eims: hw.read(regs::EIMS).into_raw(),
            ims: hw.read(regs::IMS).into_raw(),
        };
        dev_err!(
            dev.parent(),
            "{}: Detected Tx Unit Hang: queue {}, TDH {}, TDT {}, next_to_use {}, next_to_clean {}\n",
            dev.name(),
            report.queue,
            report.tdh,
            report.tdt,
            report.next_to_use,
            report.next_to_clean
        );
        a.tx_hangs.fetch_add(1, Relaxed);
        dev.tx_stop(q as u16);
        crate::devlink::report_tx_hang(dev, ctx, &report);
        // Test knob (see `tx_stall`): the overlap of the two work items that
        // lockdep once reported as recursive locking (see `net/shim.c`).
        if a.tx_stall.load(katomic::Relaxed) == 3 {
            fsleep(Delta::from_millis(500));
        }
        return;
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
        let a = dev.data();
        let (q, qp) = a.tx_pair(skb.queue_mapping());
        let queue = q as u16;
        let Ok(hw) = Adapter::hw(dev) else {
            skb.drop_with(DropReason::DevReady);
            bump(&qp.stats.tx_dropped, 1);
            return;
        };
        let bound = dev.parent_bound();
        // Pad and plan the offloads before taking the ring lock; the
        // buffers are mapped under it, into the ring. `None`: dropped and
        // freed already.
        let p = Prepared::new(skb);
        let mut dropped = p.is_none();
        // Netpoll at panic (hard-IRQ/NMI context) only tries the ring lock
        // (`net::lock::must_not_spin`): a lost netconsole line, not a hung
        // panic.
        let guard = if must_not_spin() {
            qp.tx.try_lock()
        } else {
            Some(qp.tx.lock())
        };
        // A packet not posted, with the reason to drop it after unlocking.
        let mut refused = p.map(|p| (p, DropReason::DevReady));
        let doorbell = if let Some(mut guard) = guard {
            match &mut *guard {
                Some(ring) => {
                    let mut last = false;
                    if let Some((p, _)) = refused.take() {
                        match ring.post(bound, p) {
                            Ok(bytes) => last = dev.tx_sent(queue, bytes),
                            Err(r) => {
                                refused = Some(r);
                                dropped = true;
                            }
                        }
                    }
                    // Stop before the ring could overflow; the poll wakes
                    // the queue under this same lock once there is room.
                    if ring.unused() < DESC_NEEDED {
                        dev.tx_stop(queue);
                    }
                    let stalled = a.tx_stall.load(katomic::Relaxed) != 0;
                    // Defer the tail write while the stack has more frames
                    // for this queue (`xmit_more`), as `igb_tx_map` does,
                    // but not past a frame that was not posted.
                    let now =
                        doorbell_now(ring.unannounced(), last, dropped, || dev.tx_stopped(queue));
                    (!stalled && now).then(|| ring.doorbell())
                }
                None => None,
            }
        } else {
            None
        };
        // The doorbell is rung after the lock is released (with interrupts
        // on): under QEMU the tail write is where the NIC model transmits.
        // Only this queue's `start_xmit` writes its tail (the core
        // serialises them), so tails stay in order; `stop` waits for
        // `start_xmit` (`netif_tx_disable`) before the ring can go.
        if let Some(tail) = doorbell {
            // Descriptor writes must be visible before the tail.
            dma_mb(Write);
            queue::write_tx_tail(hw, q, tail);
        }
        if dropped && refused.is_none() {
            // Freed by `Prepared::new` already.
            bump(&qp.stats.tx_dropped, 1);
        }
        if let Some((p, reason)) = refused {
            // No room (the queue is stopped early, so this is not
            // expected), a mapping failed, or the interface is going down:
            // a counted drop, never BUSY.
            p.release(reason);
            bump(&qp.stats.tx_dropped, 1);
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
        if changed.intersects(Features::RXCSUM | Features::HW_VLAN_CTAG_RX) {
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

#[kunit_tests(rust_igb_netdev)]
mod tests {
    use super::*;

    /// Run `looks` watchdog looks (pending, progressed, paused) with the
    /// link up from a fresh queue; returns the index of the look that
    /// declared a hang.
    fn first_hang(looks: &[(bool, bool, bool)]) -> Option<usize> {
        let mut ticks = 0;
        for (i, &(pending, progressed, paused)) in looks.iter().enumerate() {
            let (t, hung) = hang_look(ticks, pending, progressed, paused, true);
            if hung {
                return Some(i);
            }
            ticks = t;
        }
        None
    }

    /// The same with the link state of each look (the fourth element).
    fn first_hang_link(looks: &[(bool, bool, bool, bool)]) -> Option<usize> {
        let mut ticks = 0;
        for (i, &(pending, progressed, paused, link)) in looks.iter().enumerate() {
            let (t, hung) = hang_look(ticks, pending, progressed, paused, link);
            if hung {
                return Some(i);
            }
            ticks = t;
        }
        None
    }

    #[test]
    fn tx_hang() {
        const STUCK: (bool, bool, bool) = (true, false, false);
        const PAUSED: (bool, bool, bool) = (true, false, true);
        const MOVING: (bool, bool, bool) = (true, true, false);
        const IDLE: (bool, bool, bool) = (false, false, false);
        // Work pending and nothing completing: hung at the second look.
        assert_eq!(first_hang(&[STUCK, STUCK, STUCK]), Some(1));
        // Progress or an empty ring in between starts the count over.
        assert_eq!(first_hang(&[STUCK, MOVING, STUCK, IDLE, STUCK]), None);
        assert_eq!(first_hang(&[STUCK, MOVING, STUCK, STUCK]), Some(3));
        // The link partner sends PAUSE frames (STATUS.TXOFF) for seconds:
        // not a hang, however long it lasts.
        assert_eq!(first_hang(&[PAUSED; 10]), None);
        assert_eq!(first_hang(&[STUCK, PAUSED, STUCK, PAUSED, STUCK]), None);
        // Once the pause is over, a queue that still does not move is hung
        // after the usual number of looks.
        assert_eq!(first_hang(&[PAUSED, PAUSED, STUCK, STUCK]), Some(3));
    }

    #[test]
    fn hang_look_spacing() {
        let period = i64::from(WATCHDOG_PERIOD_MS) * 1_000_000;
        // The first look, and periodic runs (a period apart, some early).
        assert!(hang_look_due(i64::MIN, 0));
        assert!(hang_look_due(0, period));
        assert!(hang_look_due(0, period * 9 / 10));
        // A run kicked by a link interrupt right after a look does not look.
        assert!(!hang_look_due(period, period + 1_000_000));
        assert!(!hang_look_due(period, period + period / 2));
    }

    #[test]
    fn tx_hang_link_loss() {
        const STUCK: (bool, bool, bool, bool) = (true, false, false, true);
        const NO_LINK: (bool, bool, bool, bool) = (true, false, false, false);
        // Frames stay queued while the cable is out: not a hang, however
        // long it lasts.
        assert_eq!(first_hang_link(&[NO_LINK; 10]), None);
        // A look without progress before the link went does not count
        // after it: the first look with the link back starts over.
        assert_eq!(first_hang_link(&[STUCK, NO_LINK, STUCK]), None);
        assert_eq!(first_hang_link(&[STUCK, NO_LINK, STUCK, STUCK]), Some(3));
    }
}
