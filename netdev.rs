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
//! Locks (both `SpinLockIrq`, never held across a sleep):
//! - `tx`: the TX ring. Taken by `start_xmit` (softirq/process, BH off) and
//!   the NAPI poll (softirq); by `open`/`stop` (process) only to install or
//!   remove the ring while both of those are excluded.
//! - `rx`: the RX ring. Taken by the NAPI poll; by `open`/`stop` likewise.

use kernel::{
    new_spinlock_irq,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        barrier::{dma_mb, Write},
        SpinLockIrq,
    },
};

use crate::{
    hw::FlowControl,
    intr, mac,
    napi::{self as poll, QUEUE},
    net::{
        self,
        irq::IrqMode,
        napi::Napi,
        skb::{DropReason, SkBuff},
        Device, RxMode, Stats64,
    },
    nvm::NvmVersion,
    phy, queue,
    regs::{Bar0, BAR0_SIZE},
    rx_ring::{RxRing, DEFAULT_RX_DESCS, RX_BUFFER_LEN},
    tx_ring::{Prepared, TxRing, DEFAULT_TX_DESCS, DESC_NEEDED},
};

/// How often the watchdog polls the link, in milliseconds.
const WATCHDOG_PERIOD_MS: u32 = 1000;

/// Interface counters, updated locklessly by the datapath.
pub(crate) struct Stats {
    pub(crate) rx_packets: Atomic<u64>,
    pub(crate) rx_bytes: Atomic<u64>,
    pub(crate) rx_errors: Atomic<u64>,
    pub(crate) rx_dropped: Atomic<u64>,
    pub(crate) tx_packets: Atomic<u64>,
    pub(crate) tx_bytes: Atomic<u64>,
    pub(crate) tx_dropped: Atomic<u64>,
}

impl Stats {
    const fn new() -> Self {
        Self {
            rx_packets: Atomic::new(0),
            rx_bytes: Atomic::new(0),
            rx_errors: Atomic::new(0),
            rx_dropped: Atomic::new(0),
            tx_packets: Atomic::new(0),
            tx_bytes: Atomic::new(0),
            tx_dropped: Atomic::new(0),
        }
    }
}

/// Driver state of one interface (the `net_device` private data).
#[pin_data(PinnedDrop)]
pub(crate) struct Adapter {
    /// BAR0; device-managed, so it stays mapped while the interface exists.
    bar: kernel::pci::DevresBar<BAR0_SIZE>,
    /// NVM image version, for `ethtool -i`.
    pub(crate) nvm_version: NvmVersion,
    /// Flow control requested by the NVM, applied at each link-up.
    fc: FlowControl,
    /// The TX ring while the interface is up (see the module docs).
    #[pin]
    pub(crate) tx: SpinLockIrq<Option<TxRing>>,
    /// The RX ring while the interface is up (see the module docs).
    #[pin]
    pub(crate) rx: SpinLockIrq<Option<RxRing>>,
    /// EIMS bit of the MSI-X "other" vector (set in `open`).
    pub(crate) eims_other: Atomic<u32>,
    /// EIMS bit of the MSI-X queue vector (set in `open`).
    pub(crate) eims_queue: Atomic<u32>,
    /// Counters.
    pub(crate) stats: Stats,
    /// ethtool settings and counters (see [`crate::ethtool::Control`]).
    #[pin]
    pub(crate) ctl: crate::ethtool::Control,
}

impl Adapter {
    /// Create the interface state for a reset and identified controller.
    pub(crate) fn new(
        bar: kernel::pci::DevresBar<BAR0_SIZE>,
        nvm_version: NvmVersion,
        fc: FlowControl,
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            bar,
            nvm_version,
            fc,
            tx <- new_spinlock_irq!(None, "rust_igb_tx_ring"),
            rx <- new_spinlock_irq!(None, "rust_igb_rx_ring"),
            eims_other: Atomic::new(0),
            eims_queue: Atomic::new(0),
            stats: Stats::new(),
            ctl <- crate::ethtool::Control::new(*fc),
        }? Error)
    }

    /// BAR0 of the interface's controller. Callbacks run only while the PCI
    /// device is bound, so this takes no lock and may be held across sleeps.
    pub(crate) fn hw(dev: &Device<Self>) -> Result<&Bar0<'_>> {
        dev.data().bar.access(dev.parent_bound())
    }
}

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

/// Program the rings into the hardware and fill the RX ring.
fn configure(dev: &Device<Adapter>, hw: &Bar0<'_>) -> Result {
    let a = dev.data();
    queue::setup_tctl(hw);
    queue::setup_rctl(hw);
    let (tx_dma, tx_count) =
        a.tx.lock()
            .as_ref()
            .map(|r| (r.dma_addr(), r.count()))
            .ok_or(EINVAL)?;
    queue::configure_tx_ring(hw, QUEUE, tx_dma, tx_count as u32)?;
    let (rx_dma, rx_count, rx_tail) =
        a.rx.lock()
            .as_ref()
            .map(|r| (r.dma_addr(), r.count(), r.tail()))
            .ok_or(EINVAL)?;
    queue::configure_rx_ring(hw, QUEUE, rx_dma, rx_count as u32, RX_BUFFER_LEN)?;
    // Longest frame accepted (RLPML): one buffer, as the RX ring expects.
    queue::set_max_frame(hw, crate::MAX_FRAME_SIZE_1500)?;
    // The descriptors were armed at allocation; hand them over.
    dma_mb(Write);
    queue::write_rx_tail(hw, QUEUE, rx_tail);
    queue::rx_enable(hw, true);
    Ok(())
}

/// Request interrupts, route the queue pair to them, enable NAPI, then
/// unmask: NAPI must be enabled before the first interrupt can fire.
fn setup_irqs(dev: &Device<Adapter>, hw: &Bar0<'_>) -> Result<IrqMode> {
    let mode = dev.request_irqs()?;
    let masks = match mode {
        IrqMode::MsiX => {
            let masks = intr::configure_msix(hw, 1);
            dev.data().eims_other.store(masks.other, Relaxed);
            dev.data().eims_queue.store(masks.queue(0), Relaxed);
            Some(masks)
        }
        IrqMode::Msi | IrqMode::Intx => {
            intr::configure_single(hw);
            None
        }
    };
    dev.napi_enable(QUEUE)?;
    intr::clear_pending(hw);
    match &masks {
        Some(masks) => intr::enable_msix(hw, masks),
        None => intr::enable_single(hw),
    }
    Ok(mode)
}

/// Quiesce the hardware and free the rings (the second half of `stop`, also
/// the unwinding of a failed `open`).
fn teardown(dev: &Device<Adapter>, hw: &Bar0<'_>) {
    let a = dev.data();
    dev.tx_disable();
    if queue::disable_all(hw).is_err() {
        // A queue did not stop: reset the MAC so no DMA outlives the rings.
        dev_warn!(
            dev.parent(),
            "{}: queues did not stop, resetting\n",
            dev.name()
        );
        let _ = mac::reset(hw);
    }
    intr::disable_all_irqs(hw);
    dev.synchronize_irqs();
    dev.napi_disable(QUEUE);
    dev.free_irqs();
    dev.napi_del(QUEUE);
    dev.cancel_watchdog();
    dev.carrier_off();
    // Nothing can reach the rings any more: take them out and free them
    // outside the locks (freeing coherent memory needs interrupts on).
    let tx = a.tx.lock().take();
    let rx = a.rx.lock().take();
    if let Some(mut tx) = tx {
        tx.drain(dev.parent_bound());
    }
    dev.tx_reset(QUEUE as u16);
    drop(rx);
}

#[vtable]
impl net::device::Operations for Adapter {
    fn open(dev: &Device<Self>) -> Result {
        let a = dev.data();
        let hw = Adapter::hw(dev)?;
        let bound = dev.parent_bound();
        let tx = TxRing::new(bound, DEFAULT_TX_DESCS)?;
        let rx = RxRing::new(bound, DEFAULT_RX_DESCS)?;
        *a.tx.lock() = Some(tx);
        *a.rx.lock() = Some(rx);
        dev.carrier_off();

        let res = (|| -> Result {
            phy::power_up(hw)?;
            configure(dev, hw)?;
            dev.napi_add(QUEUE)?;
            let mode = setup_irqs(dev, hw)?;
            dev.tx_start_all();
            dev_dbg!(
                dev.parent(),
                "{}: up with {:?} interrupts\n",
                dev.name(),
                mode
            );
            crate::ethtool::setup_link(dev, hw)?;
            dev.schedule_watchdog(0);
            Ok(())
        })();
        if res.is_err() {
            teardown(dev, hw);
        }
        res
    }

    fn stop(dev: &Device<Self>) -> Result {
        let hw = Adapter::hw(dev)?;
        teardown(dev, hw);
        phy::power_down(hw)
    }

    fn start_xmit(dev: &Device<Self>, skb: SkBuff) {
        let a = dev.data();
        let Ok(hw) = Adapter::hw(dev) else {
            skb.drop_with(DropReason::DevReady);
            a.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        };
        let bound = dev.parent_bound();
        // Pad and map before taking the ring lock.
        let mut p = Prepared::new(bound, skb);
        if p.is_none() {
            a.stats.tx_dropped.fetch_add(1, Relaxed);
            return;
        }
        {
            let mut guard = a.tx.lock();
            if let Some(ring) = &mut *guard {
                if let Some(bytes) = ring.post(&mut p) {
                    dev.tx_sent(QUEUE as u16, bytes);
                }
                // Stop before the ring could overflow; the poll wakes
                // the queue under this same lock once there is room.
                if ring.unused() < DESC_NEEDED {
                    dev.tx_stop(QUEUE as u16);
                }
                if !dev.xmit_more() || dev.tx_stopped(QUEUE as u16) {
                    // Descriptor writes must be visible before the tail.
                    dma_mb(Write);
                    queue::write_tx_tail(hw, QUEUE, ring.tail());
                }
            }
        }
        if let Some(p) = p {
            // No room (the queue is stopped early, so this is not expected)
            // or the interface is going down: a counted drop, never BUSY.
            p.release(bound, DropReason::DevReady);
            a.stats.tx_dropped.fetch_add(1, Relaxed);
        }
    }

    fn get_stats64(dev: &Device<Self>, stats: &mut Stats64) {
        let s = &dev.data().stats;
        stats.rx_packets = s.rx_packets.load(Relaxed);
        stats.rx_bytes = s.rx_bytes.load(Relaxed);
        stats.rx_errors = s.rx_errors.load(Relaxed);
        stats.rx_dropped = s.rx_dropped.load(Relaxed);
        stats.tx_packets = s.tx_packets.load(Relaxed);
        stats.tx_bytes = s.tx_bytes.load(Relaxed);
        stats.tx_dropped = s.tx_dropped.load(Relaxed);
    }

    fn watchdog(dev: &Device<Self>) {
        // A failed access means the device is going away: stop polling.
        let Ok(hw) = Adapter::hw(dev) else {
            return;
        };
        let link = mac::link_status(hw);
        if link.up && !dev.carrier_ok() {
            let fc = mac::config_after_link_up(hw, dev.data().ctl.requested_fc())
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
            dev.carrier_on();
            dev.tx_wake(QUEUE as u16);
        } else if !link.up && dev.carrier_ok() {
            dev_info!(dev.parent(), "{}: NIC Link is Down\n", dev.name());
            dev.carrier_off();
        }
        crate::stats::update(dev, hw);
        if dev.is_running() {
            dev.schedule_watchdog(WATCHDOG_PERIOD_MS);
        }
    }

    fn set_rx_mode(dev: &Device<Self>, mode: RxMode) {
        let Ok(hw) = Adapter::hw(dev) else {
            return;
        };
        // No multicast table (MTA) hashing yet: any subscription (IPv6
        // neighbour discovery needs its solicited-node groups) accepts all
        // multicast, as IFF_ALLMULTI does.
        let multicast = mode.promisc || mode.allmulti || mode.mc_count > 0;
        queue::set_promisc(hw, mode.promisc, multicast);
    }

    fn poll(dev: &Device<Self>, napi: &Napi<'_>, budget: i32) -> i32 {
        poll::poll(dev, napi, budget)
    }

    fn irq(dev: &Device<Self>, vector: usize) -> bool {
        let handled = poll::irq(dev, vector);
        dev.data().ctl.count_irq(vector, handled);
        handled
    }
}
