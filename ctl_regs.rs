// SPDX-License-Identifier: GPL-2.0

//! The shared control registers CTRL, RCTL, TCTL and VMOLR(0..8), and their one owner.
//!
//! These registers hold unrelated bits that different contexts change by read-modify-write:
//!
//! | register | bits | who changes them, in which context |
//! |---|---|---|
//! | RCTL | UPE, MPE, VFE | `set_rx_mode` ([`crate::filter`]): BH off, `netif_addr_lock_bh`, maybe no RTNL |
//! | RCTL | EN, LPE, BSIZE, SECRC, ... | ring set-up in `open`, teardown ([`crate::queue`]): process, RTNL |
//! | RCTL, CTRL, VMOLR(0) | CFIEN, VME, STRVLAN | `set_features` ([`crate::offload`]): process, RTNL |
//! | VMOLR(0) | ROPE, MPME, ROMPE / RLPML, LPE / RSSE | `set_rx_mode` / `open`, `change_mtu` / `ethtool -X`, `-L` |
//! | CTRL | SLU, FRCSPD, FRCDPX, SPEED, FD, TFCE, RFCE | ethtool link and pause settings ([`crate::ethtool`], [`crate::phy`]): process, RTNL |
//! | CTRL, TCTL | TFCE, RFCE / COLD | the watchdog after link-up ([`crate::mac::config_after_link_up`]): process, no RTNL |
//! | CTRL, RCTL, TCTL | RST, PHY_RST, GIO master disable / whole value | resets ([`crate::mac::reset`], [`crate::phy`]): process |
//!
//! RTNL does not cover `set_rx_mode` or the watchdog, so RTNL is not enough: two of these
//! updates interleaving lose one of them (a promiscuous mode switched off again by a ring
//! set-up that read RCTL before `set_rx_mode` wrote it, say).
//!
//! # The owner
//!
//! [`CtlRegs`] is the only way to write these registers, and a `&mut CtlRegs` exists only:
//!
//! - inside [`Adapter::ctl_regs`](crate::netdev::Adapter), a [`SoftirqLock`]: held for one
//!   read-modify-write at a time (never across a sleep or a delay), taken from process context
//!   (interrupts saved) and from `set_rx_mode` with bottom halves off (plain), under the
//!   filters lock there (order: `filters`, then `ctl_regs`; nothing takes them the other way);
//! - through [`Unregistered`], which only probe can make (it needs the bound PCI device in its
//!   `Core` context): before the interface is registered no callback, watchdog or reset task
//!   can run, so the probe-time reset and PHY set-up are the device's only users.
//!
//! Code that may run either way ([`crate::mac::reset`], [`crate::phy::setup_link`]) takes a
//! [`CtlOwner`], which hands out a `&mut CtlRegs` for one closure at a time.
//!
//! # What the compiler enforces
//!
//! The registers are *relative* registers (the kernel's `register!` `Family + offset` form)
//! whose only base, `sealed::Bar0Base`, is private to this module: `regs::RCTL` names the
//! value type (its field accessors and pure computations on it work anywhere), but no code
//! outside this module can build a location for `Io::read`, `write`, `write_reg` or `update`,
//! and a register value is not a location by itself (unlike a fixed register's). The accessors
//! below take `&mut self`, so a write needs the lock guard (or the probe-time token); plain
//! reads need neither, since a single read cannot lose anyone's update. The compile-fail
//! probes (`scripts/compile-fail.sh`, group `ctl_regs`) check that a direct access refuses to
//! build.
//!
//! Not enforced: code that implements `RegisterBase` for the family (reachable as
//! `<regs::RCTL as WithBase>::BaseFamily`), builds a `RegisterArrayLoc<regs::VMOLR>` by hand or
//! writes the raw offsets (`regdump.rs` reads them for `ethtool -d`; the offline self-test's
//! register test in `selftest.rs` writes them holding the lock, with the interface closed,
//! and resets the MAC afterwards). Each of those is a deliberate detour a review sees.
//!
//! None of these registers is touched per packet; the lock costs the datapath nothing.

use core::marker::PhantomData;

use kernel::{
    device::Core,
    io::{
        register,
        register::WithBase,
        Io, //
    },
    pci,
    prelude::*,
};

use crate::{
    net::lock::{new_softirq_lock, SoftirqLock},
    regs::Bar0,
};

/// The base of the shared control registers, private to this module.
mod sealed {
    /// The register family: CTRL, RCTL, TCTL and VMOLR are relative to an implementor of
    /// `RegisterBase<Family>`; [`Bar0Base`] is the only one.
    pub(crate) struct Family;

    /// BAR 0 itself (offset 0) as the base of [`Family`].
    pub(crate) struct Bar0Base;

    impl kernel::io::register::RegisterBase<Family> for Bar0Base {
        const BASE: usize = 0;
    }
}

use sealed::{Bar0Base, Family};

register! {
    /// CTRL: Device Control.
    pub(crate) CTRL(u32) @ Family + 0x00000000 {
        /// PHY_RST: PHY reset (asserted while set).
        31:31 phy_rst => bool;
        /// VME: VLAN mode enable.
        30:30 vme => bool;
        /// TFCE: transmit flow control enable.
        28:28 tfce => bool;
        /// RFCE: receive flow control enable.
        27:27 rfce => bool;
        /// RST: device reset, self-clearing.
        26:26 rst => bool;
        /// SDP1_IODIR: software-definable pin 1 direction.
        23:23 sdp1_iodir => bool;
        /// SDP0_IODIR: software-definable pin 0 direction.
        22:22 sdp0_iodir => bool;
        /// ADVD3WUC: D3cold wake-up capability advertisement enable.
        20:20 advd3wuc => bool;
        /// SDP1_DATA: software-definable pin 1 value.
        19:19 sdp1_data => bool;
        /// SDP0_DATA: software-definable pin 0 value.
        18:18 sdp0_data => bool;
        /// FRCDPX: force duplex from CTRL.FD instead of the PHY.
        12:12 frcdpx => bool;
        /// FRCSPD: force speed from CTRL.SPEED instead of the PHY.
        11:11 frcspd => bool;
        /// SPEED: forced speed (0 = 10, 1 = 100, 2 = 1000 Mb/s).
        9:8 speed;
        /// ILOS: invert loss-of-signal.
        7:7 ilos => bool;
        /// SLU: set link up (lets the MAC follow the PHY link indication).
        6:6 slu => bool;
        /// LRST: link reset (legacy; QEMU sets it at reset).
        3:3 lrst => bool;
        /// GIO Master Disable: block new PCIe master requests.
        2:2 gio_master_disable => bool;
        /// FD: full duplex (used when FRCDPX is set).
        0:0 fd => bool;
    }

    /// RCTL: Receive Control.
    pub(crate) RCTL(u32) @ Family + 0x00000100 {
        /// SECRC: strip the Ethernet CRC.
        26:26 secrc => bool;
        /// PMCF: pass MAC control frames.
        23:23 pmcf => bool;
        /// DPF: discard PAUSE frames.
        22:22 dpf => bool;
        /// CFI: canonical form indicator value.
        20:20 cfi => bool;
        /// CFIEN: canonical form indicator enable.
        19:19 cfien => bool;
        /// VFE: VLAN filter enable.
        18:18 vfe => bool;
        /// BSIZE: legacy receive buffer size (00 = 2048 bytes; SRRCTL overrides it).
        17:16 bsize;
        /// BAM: broadcast accept mode.
        15:15 bam => bool;
        /// MO: multicast offset (which address bits index the MTA).
        13:12 mo;
        /// RDMTS: receive descriptor minimum threshold size.
        9:8 rdmts;
        /// LBM: loopback mode (00 = none, 01 = MAC loopback).
        7:6 lbm;
        /// LPE: long packet enable (frames up to RLPML).
        5:5 lpe => bool;
        /// MPE: multicast promiscuous enable.
        4:4 mpe => bool;
        /// UPE: unicast promiscuous enable.
        3:3 upe => bool;
        /// SBP: store bad packets.
        2:2 sbp => bool;
        /// EN: receiver enable.
        1:1 en => bool;
    }

    /// TCTL: Transmit Control.
    pub(crate) TCTL(u32) @ Family + 0x00000400 {
        /// RTLC: re-transmit on late collision.
        24:24 rtlc => bool;
        /// SWXOFF: send an XOFF frame (self-clearing).
        22:22 swxoff => bool;
        /// COLD: collision distance (63 for full duplex, `E1000_COLLISION_DISTANCE`).
        21:12 cold;
        /// CT: collision threshold (15, `E1000_COLLISION_THRESHOLD`).
        11:4 ct => u8;
        /// PSP: pad short packets.
        3:3 psp => bool;
        /// EN: transmitter enable.
        1:1 en => bool;
    }

    /// VMOLR: VM Offload Register, one per pool (82576 and later).
    pub(crate) VMOLR(u32)[8, stride = 4] @ Family + 0x00005ad0 {
        /// STRCRC: strip the CRC (`E1000_VMOLR_STRCRC`).
        31:31 strcrc => bool;
        /// STRVLAN: strip the VLAN tag (`E1000_VMOLR_STRVLAN`).
        30:30 strvlan => bool;
        /// MPME: multicast promiscuous (`E1000_VMOLR_MPME`).
        28:28 mpme => bool;
        /// BAM: accept broadcast packets (`E1000_VMOLR_BAM`).
        27:27 bam => bool;
        /// ROPE: accept unicast packets matching the UTA (`E1000_VMOLR_ROPE`).
        26:26 rope => bool;
        /// ROMPE: accept multicast packets matching the MTA (`E1000_VMOLR_ROMPE`).
        25:25 rompe => bool;
        /// AUPE: accept untagged packets (`E1000_VMOLR_AUPE`).
        24:24 aupe => bool;
        /// RSSE: enable RSS for the pool (`E1000_VMOLR_RSSE`).
        17:17 rsse => bool;
        /// LPE: accept long packets up to RLPML (`E1000_VMOLR_LPE`).
        16:16 lpe => bool;
        /// RLPML: longest packet accepted with LPE (`E1000_VMOLR_RLPML_MASK`).
        13:0 rlpml;
    }
}

/// Exclusive access to CTRL, RCTL, TCTL and VMOLR: see the module documentation.
///
/// Only this module creates one (for [`new_lock`] and [`Unregistered`]).
pub(crate) struct CtlRegs {
    _private: (),
}

/// The lock owning the shared control registers ([`crate::netdev::Adapter::ctl_regs`]).
pub(crate) type CtlLock = SoftirqLock<CtlRegs>;

/// Initialiser of the interface's [`CtlLock`].
pub(crate) fn new_lock() -> impl PinInit<CtlLock> {
    new_softirq_lock!(CtlRegs { _private: () }, "rust_igb_ctl_regs")
}

impl CtlRegs {
    /// Read-modify-write of CTRL.
    pub(crate) fn update_ctrl(&mut self, bar: &Bar0<'_>, f: impl FnOnce(CTRL) -> CTRL) {
        bar.update(CTRL::of::<Bar0Base>(), f)
    }

    /// Read-modify-write of RCTL.
    pub(crate) fn update_rctl(&mut self, bar: &Bar0<'_>, f: impl FnOnce(RCTL) -> RCTL) {
        bar.update(RCTL::of::<Bar0Base>(), f)
    }

    /// Writes RCTL.
    pub(crate) fn write_rctl(&mut self, bar: &Bar0<'_>, value: RCTL) {
        bar.write(RCTL::of::<Bar0Base>(), value)
    }

    /// Read-modify-write of TCTL.
    pub(crate) fn update_tctl(&mut self, bar: &Bar0<'_>, f: impl FnOnce(TCTL) -> TCTL) {
        bar.update(TCTL::of::<Bar0Base>(), f)
    }

    /// Writes TCTL.
    pub(crate) fn write_tctl(&mut self, bar: &Bar0<'_>, value: TCTL) {
        bar.write(TCTL::of::<Bar0Base>(), value)
    }

    /// Read-modify-write of VMOLR(0), the PF pool's (the only one used without VMDq).
    pub(crate) fn update_vmolr0(&mut self, bar: &Bar0<'_>, f: impl FnOnce(VMOLR) -> VMOLR) {
        bar.update(VMOLR::of::<Bar0Base>().at(0), f)
    }

    /// Read-modify-write of VMOLR(`pool`); `EINVAL` if there is no such pool (8 on the 82576).
    pub(crate) fn update_vmolr(
        &mut self,
        bar: &Bar0<'_>,
        pool: usize,
        f: impl FnOnce(VMOLR) -> VMOLR,
    ) -> Result {
        bar.try_update(VMOLR::of::<Bar0Base>().try_at(pool).ok_or(EINVAL)?, f)
    }
}

/// Reads CTRL (no lock: a read alone cannot lose an update).
pub(crate) fn read_ctrl(bar: &Bar0<'_>) -> CTRL {
    bar.read(CTRL::of::<Bar0Base>())
}

/// Whoever may write the shared control registers in the caller's context.
pub(crate) trait CtlOwner {
    /// Runs `f` with exclusive access to the registers. `f` must not sleep (it may run under
    /// a spinlock with interrupts off); keep it to one read-modify-write.
    fn with<R>(&self, f: impl FnOnce(&mut CtlRegs) -> R) -> R;
}

impl CtlOwner for CtlLock {
    fn with<R>(&self, f: impl FnOnce(&mut CtlRegs) -> R) -> R {
        f(&mut self.lock())
    }
}

/// Access to the registers during probe, before the interface (and with it the lock, the
/// callbacks, the watchdog and the reset task) exists: nothing else can touch the device.
pub(crate) struct Unregistered<'a>(PhantomData<&'a ()>);

impl<'a> Unregistered<'a> {
    /// The probe-time owner. Needs the PCI device in its `Core` context, which only the bus
    /// callbacks (probe, unbind) hold; call it before the interface is registered.
    pub(crate) fn new(_probe: &'a pci::Device<Core<'_>>) -> Self {
        Self(PhantomData)
    }
}

impl CtlOwner for Unregistered<'_> {
    fn with<R>(&self, f: impl FnOnce(&mut CtlRegs) -> R) -> R {
        f(&mut CtlRegs { _private: () })
    }
}

#[kunit_tests(rust_igb_ctl_regs)]
mod tests {
    use super::*;
    use kernel::io::register::Register;

    /// The owner excludes: inside `with` nobody else gets the lock (so a
    /// read-modify-write cannot interleave with another), after it they do.
    #[test]
    fn owner_excludes() -> Result {
        let lock = KBox::pin_init(new_lock(), GFP_KERNEL)?;
        assert!(lock.with(|_| lock.try_lock().is_none()));
        assert!(lock.try_lock().is_some());
        // The probe-time token runs the closure too.
        let mut ran = false;
        let token = Unregistered(PhantomData);
        token.with(|_| ran = true);
        assert!(ran);
        Ok(())
    }

    #[test]
    fn offsets_match_the_datasheet() {
        // The relative form must keep the 82576 offsets (base 0).
        assert_eq!(
            <Bar0Base as kernel::io::register::RegisterBase<Family>>::BASE,
            0
        );
        assert_eq!(<CTRL as Register>::OFFSET, 0x0000);
        assert_eq!(<RCTL as Register>::OFFSET, 0x0100);
        assert_eq!(<TCTL as Register>::OFFSET, 0x0400);
        assert_eq!(<VMOLR as Register>::OFFSET, 0x5ad0);
        assert_eq!(<VMOLR as kernel::io::register::RegisterArray>::SIZE, 8);
        assert_eq!(<VMOLR as kernel::io::register::RegisterArray>::STRIDE, 4);
    }
}
