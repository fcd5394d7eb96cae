// SPDX-License-Identifier: GPL-2.0

//! Bringing the interface up and down: the rings allocated as a set before
//! anything is torn down, the hardware configured, interrupts and NAPI set
//! up, and the reverse (`__igb_open`, `igb_down`, `igb_up`, `igb_reinit_locked`),
//! with the reconfigurations (`ethtool -G/-L`, MTU) that swap the rings of a
//! running interface and the restart after a MAC reset that keeps them.

use core::sync::atomic::Ordering::Relaxed;

use kernel::{
    prelude::*,
    sync::barrier::{dma_mb, Write},
};

use super::{max_frame, msix_vector, queue_count, rx_frame_limit, vector_map, Adapter};
use crate::{
    filter, intr, mac,
    net::{
        irq::{IrqMode, VectorUse},
        napi::{QueueKind, MAX_QUEUE_VECTORS},
        queues::num_online_cpus,
        Device, Rtnl,
    },
    offload, phy, queue,
    qvec::MAX_QUEUES,
    regs::Bar0,
    removal, rss,
    rx_ring::{buffer_len, RxRing},
    tx_ring::TxRing,
};

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
        // What netdev netlink shows (`igb_request_msix`'s
        // `netif_napi_set_irq`, here in every mode): the instance's
        // interrupt, then its queues (`igb_set_queue_napi`, after
        // `napi_enable`). Informational: a failure is logged, not fatal.
        if let Err(e) = dev.napi_set_irq(rtnl, v, Some(msix_vector(dev, v))) {
            dev_warn!(
                dev.parent(),
                "{}: NAPI {} IRQ not recorded ({:?})\n",
                dev.name(),
                v,
                e
            );
        }
        dev.napi_enable(rtnl, v)?;
    }
    for q in 0..map.queues() {
        for (kind, v) in [
            (QueueKind::Rx, map.rx_vector(q)),
            (QueueKind::Tx, map.tx_vector(q)),
        ] {
            if let Err(e) = dev.queue_set_napi(rtnl, kind, q, Some(v)) {
                dev_warn!(
                    dev.parent(),
                    "{}: {:?} queue {} not linked to NAPI {} ({:?})\n",
                    dev.name(),
                    kind,
                    q,
                    v,
                    e
                );
            }
        }
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
    // The NAPI instances stay added, disabled, as the C igb keeps its
    // q_vectors while down: their settings (sysfs `threaded`, netlink
    // `napi-set`) can be changed while the interface is down. `start`
    // deletes those the next vector layout does not use; the registration's
    // drop deletes the rest.
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
pub(super) fn restart(dev: &Device<Adapter>, rtnl: Rtnl<'_>) -> Result {
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
        // One NAPI instance per queue vector in use: the ones still added
        // from before are reused, those beyond the layout deleted.
        let vectors = vector_map(dev).vectors();
        for v in 0..MAX_QUEUE_VECTORS {
            if v >= vectors {
                dev.napi_del(rtnl, v);
            } else if !dev.napi_is_added(v) {
                dev.napi_add(rtnl, v)?;
            }
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
