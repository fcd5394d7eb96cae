// SPDX-License-Identifier: GPL-2.0

//! devlink for rust_igb (issue 14 item 8; the C igb has none): `devlink dev
//! info` and the `tx_hang` health reporter, on the layer's `net::devlink`.
//!
//! - `devlink dev info pci/<bdf>`: the driver name (the core's), the serial
//!   number (the permanent MAC address as 12 hex digits), the fixed
//!   `board.id` (the PBA number, `nvm::read_pba`, when the NVM has one) and
//!   the running `fw` (the NVM image version, as `ethtool -i` shows it).
//! - Reporter `tx_hang`: the watchdog's hang detection (`netdev/hang.rs`,
//!   `check_tx_hang`) captures a [`HangReport`] (ring indices, TDH/TDT,
//!   interrupt masks, STATUS, link and TXOFF; no read-to-clear register) and
//!   reports it ([`report_tx_hang`]). The health core stores the report's
//!   dump (`devlink health dump show`, until `dump clear`) and, with
//!   `auto_recover` on (the default), recovers: `recover` schedules the
//!   driver's reset task (`netdev.rs` `reset`, as `igb_reinit_locked`) and
//!   returns at once. The reset itself runs later in its own work item under
//!   RTNL: `recover` runs under the devlink instance lock, where RTNL must not
//!   be taken. So a recovery devlink counts means "reset scheduled"; the
//!   reset is logged ("Reset adapter") and counted (`ethtool -S`
//!   `reset_count`). A user's `devlink health recover` does the same (the
//!   health core calls `recover` only while the reporter is in the error
//!   state: after a hang it did not recover, with `auto_recover` off).
//! - A detected hang still always resets the adapter, as before devlink: with
//!   `auto_recover` off, the reporter only records it and the queue stays
//!   stopped until the stack's TX timeout resets (`tx_timeout_count`); if the
//!   health core declines to recover (`ECANCELED`: the previous hang was not
//!   recovered, or a grace period a user set has not passed) or there is no
//!   reporter (devlink failed to register, or unbind is tearing it down), the
//!   watchdog schedules the reset itself.
//! - A dump without a report (a user's `dump show` before any hang) and
//!   `devlink health diagnose` describe the current state of the adapter and
//!   of every TX queue in use; `diagnose` adds the hang, TX timeout and reset
//!   counters.

use core::sync::atomic::Ordering::Relaxed;

use kernel::{io::Io, prelude::*};

use crate::{
    net::{
        self,
        devlink::{Fmsg, InfoRequest},
        Device, Process,
    },
    netdev::Adapter,
    queue, regs,
};

/// A TX hang as the watchdog saw it when it declared it, for the reporter's
/// dump.
pub(crate) struct HangReport {
    /// The hung queue.
    pub(crate) queue: u32,
    /// TDH: the descriptor the hardware reads next.
    pub(crate) tdh: u32,
    /// TDT: the tail the driver last wrote.
    pub(crate) tdt: u32,
    /// The ring's next descriptor to fill (`next_to_use`).
    pub(crate) next_to_use: u32,
    /// The ring's next descriptor to clean (`next_to_clean`).
    pub(crate) next_to_clean: u32,
    /// Descriptors posted and not cleaned.
    pub(crate) pending_descs: u32,
    /// Consecutive watchdog looks without a completion.
    pub(crate) looks: u64,
    /// The carrier was on.
    pub(crate) link: bool,
    /// STATUS.TXOFF: PAUSE frames held the transmitter off (never, for a
    /// hang: a paused queue is not declared hung).
    pub(crate) txoff: bool,
    /// STATUS.
    pub(crate) status: u32,
    /// EIMS: the extended interrupt mask (MSI-X vectors enabled).
    pub(crate) eims: u32,
    /// IMS: the interrupt cause mask.
    pub(crate) ims: u32,
}

impl HangReport {
    /// Write the report as flat pairs.
    fn put(&self, f: &mut Fmsg<'_>) {
        f.str(c"event", c"tx_hang");
        f.u32(c"queue", self.queue);
        f.u32(c"tdh", self.tdh);
        f.u32(c"tdt", self.tdt);
        f.u32(c"next_to_use", self.next_to_use);
        f.u32(c"next_to_clean", self.next_to_clean);
        f.u32(c"pending_descs", self.pending_descs);
        f.u64(c"looks_without_progress", self.looks);
        f.bool(c"link", self.link);
        f.bool(c"txoff", self.txoff);
        f.u32(c"status", self.status);
        f.u32(c"eims", self.eims);
        f.u32(c"ims", self.ims);
    }
}

/// Write the current state: the interface, link, STATUS, the interrupt
/// masks and every TX queue in use (none while the interface is down).
fn put_state(dev: &Device<Adapter>, f: &mut Fmsg<'_>) {
    let a = dev.data();
    f.bool(c"interface_up", dev.is_running());
    f.bool(c"link", dev.carrier_ok());
    let hw = match Adapter::hw(dev) {
        Ok(hw) if !a.is_gone() && !a.pm.is_suspended() => hw,
        _ => {
            // No register to read: the device is gone or asleep.
            f.bool(c"device_accessible", false);
            return;
        }
    };
    let status = hw.read(regs::STATUS);
    f.bool(c"txoff", status.txoff());
    f.u32(c"status", status.into_raw());
    f.u32(c"eims", hw.read(regs::EIMS).into_raw());
    f.u32(c"ims", hw.read(regs::IMS).into_raw());
    f.arr(c"tx_queues", |arr| {
        for (q, qp) in a.active().iter().enumerate() {
            let ring = qp
                .tx
                .lock()
                .as_ref()
                .map(|r| (r.tail(), r.next_to_clean(), r.in_flight()));
            let Some((ntu, ntc, descs)) = ring else {
                continue;
            };
            arr.obj(|o| {
                o.u32(c"queue", q as u32);
                o.u32(c"tdh", queue::read_tx_head(hw, q));
                o.u32(c"tdt", queue::read_tx_tail(hw, q));
                o.u32(c"next_to_use", ntu);
                o.u32(c"next_to_clean", ntc);
                o.u32(c"pending_descs", descs as u32);
                o.u64(c"looks_without_progress", qp.stats.hang_ticks.load(Relaxed));
                o.bool(c"stopped", dev.tx_stopped(q as u16));
            });
        }
    });
}

impl net::devlink::Operations for Adapter {
    type Report = HangReport;

    const REPORTER: &'static CStr = c"tx_hang";

    fn info_get(dev: &Device<Self>, req: &mut InfoRequest<'_>) -> Result {
        let a = dev.data();
        let m = &a.perm_addr;
        req.serial_number(fmt!(
            "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            m[0],
            m[1],
            m[2],
            m[3],
            m[4],
            m[5]
        ))?;
        if let Some(pba) = &a.pba {
            req.version_fixed(c"board.id", fmt!("{}", pba))?;
        }
        req.version_running(c"fw", fmt!("{}", a.nvm_version))
    }

    fn dump(dev: &Device<Self>, report: Option<&HangReport>, fmsg: &mut Fmsg<'_>) -> Result {
        match report {
            Some(r) => r.put(fmsg),
            None => put_state(dev, fmsg),
        }
        Ok(())
    }

    fn diagnose(dev: &Device<Self>, fmsg: &mut Fmsg<'_>) -> Result {
        let a = dev.data();
        fmsg.u64(c"tx_hangs", a.tx_hangs.load(Relaxed));
        fmsg.u64(c"tx_timeouts", a.tx_timeouts.load(Relaxed));
        fmsg.u64(c"resets", a.resets.load(Relaxed));
        put_state(dev, fmsg);
        Ok(())
    }

    fn recover(dev: &Device<Self>, _report: Option<&HangReport>) -> Result {
        // The reset task takes RTNL, which must not be taken under the
        // devlink instance lock held here: schedule it. It does nothing
        // while the interface is down (nothing to recover then).
        dev.schedule_reset();
        Ok(())
    }
}

/// Register devlink for the interface (after its registration, in probe).
/// A failure is logged and the interface goes on without devlink: hangs are
/// then reset without a report.
pub(crate) fn register(dev: &Device<Adapter>) {
    if let Err(e) = net::devlink::Registration::register(dev) {
        dev_warn!(
            dev.parent(),
            "{}: devlink not registered ({:?}); TX hangs are reset without a health report\n",
            dev.name(),
            e
        );
    }
}

/// Report a TX hang the watchdog detected (see the module documentation):
/// the health core dumps and recovers it (the reset), and if it does not
/// recover it for a reason other than `auto_recover` off, the reset is
/// scheduled here.
pub(crate) fn report_tx_hang(dev: &Device<Adapter>, ctx: Process<'_>, report: &HangReport) {
    if let Err(e) = dev.health_report(ctx, c"TX unit hang", report) {
        if e != ENODEV {
            dev_warn!(
                dev.parent(),
                "{}: devlink health did not recover the TX hang ({:?}); resetting\n",
                dev.name(),
                e
            );
        }
        dev.schedule_reset();
    }
}
