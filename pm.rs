// SPDX-License-Identifier: GPL-2.0

//! Power management: system sleep (suspend and resume, which hibernation's
//! freeze/thaw/poweroff/restore reuse), shutdown and Wake-on-LAN, as the C
//! igb's `__igb_shutdown`, `__igb_resume`, `igb_shutdown` and
//! `igb_get_wol`/`igb_set_wol` do them. The PCI glue is `net/pm.rs`.
//!
//! Suspend (and shutdown): under RTNL the interface is detached
//! (`netif_device_detach`: the stack stops calling it) and, if it is up,
//! torn down exactly as `stop` does (`netdev::teardown`: DMA stopped,
//! interrupts masked and freed, NAPI disabled, MAC reset, rings freed) but
//! left administratively up; then the wake-up filters are programmed (WUC,
//! WUFC; the receive filters and RCTL as `igb_setup_rctl`/`igb_set_rx_mode`
//! leave them), the PHY kept powered for wake-up or powered down, the device
//! handed back to the firmware (CTRL_EXT.DRV_LOAD) and disabled
//! (`pci_disable_device`). The PCI core then saves its state and puts it in
//! D3hot, arming PME if the wake-up is enabled (`device_may_wakeup`).
//!
//! Resume: the device enabled again, the MAC reset and set up as at probe
//! (`netdev::reset_mac`: `mac::reset` + `mac::init_hw`, DRV_LOAD, SLU), the
//! wake-up status read and cleared, and, if the interface was up, it is
//! brought up on new rings (`open`'s path); then it is attached again. A
//! failed bring-up leaves the interface detached (as `__igb_resume`
//! returning an error does); `stop` then has nothing to undo.
//!
//! While suspended ([`PmState::is_suspended`]) `stop` and the reset task leave
//! the device alone: its state is the one suspend left, the rings are gone.
//!
//! Wake-on-LAN: the C driver supports it on port A (or where the NVM says
//! so, and with per-board exceptions) if the platform lets the device wake
//! the system (`device_can_wakeup`: PME support in the PCI PM capability).
//! QEMU's igb has a PM capability without PME support, so under QEMU neither
//! driver offers Wake-on-LAN ("Supports Wake-on: d"). The test knob debugfs
//! `rust_igb-<pci>/wol_capable` (1: assume the platform can wake) lets the
//! tests set `wol g` and see it programmed into WUFC at suspend; QEMU stores
//! WUC/WUFC but never wakes on a packet.
//!
//! Runtime PM (the C driver's `igb_runtime_*`) is not implemented. The C
//! driver drops the PCI core's runtime-PM reference at the end of probe and
//! takes it around open/close, so once user space allows runtime PM
//! (`power/control` = `auto`; PCI devices start with it forbidden) a port
//! whose link has been down for 5 s is put in D3 with WUFC.LNKC armed and
//! woken through PME on a link change. QEMU's igb cannot signal PME, so that
//! could not be tested here; without it rust_igb keeps the reference the PCI
//! core took for probe and its device stays in D0 while bound, whatever
//! `power/control` says.

use core::sync::atomic::{
    AtomicBool,
    AtomicU32,
    Ordering::Relaxed, //
};

use kernel::{
    debugfs::{Dir, File},
    device::Core,
    io::Io,
    pci,
    prelude::*,
    sync::atomic::{self as katomic},
};

use crate::{
    ctl_regs::CtlOwner,
    filter, mac,
    net::{self, ethtool::WolInfo, Device},
    netdev::{self, Adapter},
    nvm, phy, queue,
    regs::{self, Bar0},
};

/// `WAKE_*` bits of include/uapi/linux/ethtool.h (uapi: fixed values).
pub(crate) mod wake {
    /// Wake on PHY (link) activity.
    pub(crate) const PHY: u32 = 1 << 0;
    /// Wake on a unicast frame to us.
    pub(crate) const UCAST: u32 = 1 << 1;
    /// Wake on a multicast frame.
    pub(crate) const MCAST: u32 = 1 << 2;
    /// Wake on a broadcast frame.
    pub(crate) const BCAST: u32 = 1 << 3;
    /// Wake on an ARP request.
    pub(crate) const ARP: u32 = 1 << 4;
    /// Wake on a magic packet.
    pub(crate) const MAGIC: u32 = 1 << 5;
    /// Wake on a magic packet with SecureOn password.
    pub(crate) const MAGICSECURE: u32 = 1 << 6;
    /// Wake on a filter match.
    pub(crate) const FILTER: u32 = 1 << 7;
}

/// The events `igb_get_wol` reports as supported.
pub(crate) const WAKE_SUPPORTED: u32 =
    wake::UCAST | wake::MCAST | wake::BCAST | wake::MAGIC | wake::PHY;

/// WUS bits of a packet the C driver hands to the stack after resume
/// (`WAKE_PKT_WUS`: directed exact, ARP, IPv4, IPv6, NS); not done here.
const WAKE_PKT_WUS: u32 = (1 << 2) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 10);

/// The WUFC filters for the `WAKE_*` events `wolopts` (`igb_set_wol`).
///
/// # Errors
///
/// `EOPNOTSUPP` for ARP, SecureOn and filter wake-up, which the C driver
/// refuses too.
pub(crate) fn wufc_from_wolopts(wolopts: u32) -> Result<regs::WUFC> {
    if wolopts & (wake::ARP | wake::MAGICSECURE | wake::FILTER) != 0 {
        return Err(EOPNOTSUPP);
    }
    Ok(regs::WUFC::zeroed()
        .with_ex(wolopts & wake::UCAST != 0)
        .with_mc(wolopts & wake::MCAST != 0)
        .with_bc(wolopts & wake::BCAST != 0)
        .with_mag(wolopts & wake::MAGIC != 0)
        .with_lnkc(wolopts & wake::PHY != 0))
}

/// The `WAKE_*` events the WUFC filters `wufc` stand for (`igb_get_wol`).
pub(crate) fn wolopts_from_wufc(wufc: regs::WUFC) -> u32 {
    [
        (wufc.ex(), wake::UCAST),
        (wufc.mc(), wake::MCAST),
        (wufc.bc(), wake::BCAST),
        (wufc.mag(), wake::MAGIC),
        (wufc.lnkc(), wake::PHY),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .fold(0, |acc, (_, bit)| acc | bit)
}

/// The filters to arm at suspend (`__igb_shutdown`): the stored ones, less
/// the link-change wake-up while the link is up (it would wake at once).
pub(crate) fn wake_filters(wol: regs::WUFC, link_up: bool) -> regs::WUFC {
    if link_up {
        wol.with_lnkc(false)
    } else {
        wol
    }
}

/// `NVM_INIT_CONTROL3_PORT_B`'s `IGB_EEPROM_APME` bit: APM wake-up enabled
/// for port B.
const NVM_APME: u16 = 0x0400;

/// The port's Wake-on-LAN capability as far as the NIC decides it
/// (`igb_sw_init`/`igb_probe`), before the platform has its say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PortWake {
    /// This port cannot wake the system.
    No,
    /// It can, if the platform lets the device wake (`device_can_wakeup`).
    IfPlatform,
    /// It can (boards the C driver does not ask the platform about).
    Yes,
}

/// Wake-on-LAN capability of port `lan_id` of a `device_id` board, with
/// `nvm_apme` the APME bit of its NVM init control word (`igb_probe`):
/// port A always, other ports if the NVM enables APM wake-up; then the
/// exceptions: none on the 82575GB quad copper board, port A only on the
/// 82575EB/82576 fiber and SerDes boards and on 82576 quad copper boards
/// (the C driver counts probes to find the first port of each group of four;
/// this takes function 0), the platform's word on all others.
pub(crate) fn port_wake(device_id: u16, lan_id: u8, nvm_apme: bool) -> PortWake {
    let port = lan_id == 0 || nvm_apme;
    match device_id {
        0x10D6 => PortWake::No,
        0x10A9 | 0x10E6 | 0x10E7 | 0x10E8 | 0x1526 if port && lan_id == 0 => PortWake::Yes,
        0x10A9 | 0x10E6 | 0x10E7 | 0x10E8 | 0x1526 => PortWake::No,
        _ if port => PortWake::IfPlatform,
        _ => PortWake::No,
    }
}

/// Whether Wake-on-LAN is supported: the port can wake and, where that
/// depends on it, the platform can (or the test knob says to assume so).
pub(crate) fn wake_supported(port: PortWake, platform: bool) -> bool {
    match port {
        PortWake::No => false,
        PortWake::IfPlatform => platform,
        PortWake::Yes => true,
    }
}

/// Read the port's Wake-on-LAN capability at probe.
pub(crate) fn probe_port_wake(hw: &Bar0<'_>, device_id: u16) -> Result<PortWake> {
    let lan_id = mac::lan_id(hw);
    let apme = match lan_id {
        0 => false,
        1 => nvm::read_word(hw, nvm::NVM_INIT_CONTROL3_PORT_B)? & NVM_APME != 0,
        _ => false,
    };
    Ok(port_wake(device_id, lan_id, apme))
}

/// Power-management state of an interface (part of the [`Adapter`]).
#[pin_data]
pub(crate) struct PmState {
    /// What the NIC says about Wake-on-LAN on this port (probe).
    port: PortWake,
    /// The wake-up filters `ethtool -s wol` stored (WUFC bits), armed at
    /// suspend. Written under RTNL.
    wufc: AtomicU32,
    /// Suspended: the interface was detached and quiesced by a suspend (or
    /// shutdown) and not brought back by a resume. Written under RTNL.
    suspended: AtomicBool,
    /// Test knob, debugfs `rust_igb-<pci>/wol_capable`: non-zero makes
    /// Wake-on-LAN available though the platform cannot wake the device
    /// (QEMU), so that its programming can be tested.
    #[pin]
    wol_capable: File<katomic::Atomic<u32>>,
}

impl PmState {
    /// The state of a new interface: Wake-on-LAN by magic packet if the port
    /// and the platform (`platform`) support it, as the C driver's default.
    pub(crate) fn new<'a>(
        debugfs: &'a Dir,
        port: PortWake,
        platform: bool,
    ) -> impl PinInit<Self, Error> + 'a {
        let wufc = if wake_supported(port, platform) {
            regs::WUFC::zeroed().with_mag(true).into_raw()
        } else {
            0
        };
        try_pin_init!(Self {
            port,
            wufc: AtomicU32::new(wufc),
            suspended: AtomicBool::new(false),
            wol_capable <- debugfs.read_write_file(c"wol_capable", katomic::Atomic::<u32>::new(0)),
        }? Error)
    }

    /// Whether a suspend quiesced the interface and no resume brought it
    /// back (see the module documentation). RTNL.
    pub(crate) fn is_suspended(&self) -> bool {
        self.suspended.load(Relaxed)
    }

    /// Record that PCIe error recovery (`aer.rs`) quiesced and detached the
    /// interface, as a suspend does; [`reopen`] brings it back. RTNL.
    pub(crate) fn set_quiesced(&self) {
        self.suspended.store(true, Relaxed);
    }

    /// The stored wake-up filters.
    fn wol(&self) -> regs::WUFC {
        regs::WUFC::from_raw(self.wufc.load(Relaxed))
    }
}

/// Whether Wake-on-LAN is available on `dev` now.
fn supported(dev: &Device<Adapter>) -> bool {
    let pm = &dev.data().pm;
    let platform = net::pm::can_wakeup(dev.parent()) || pm.wol_capable.load(katomic::Relaxed) != 0;
    wake_supported(pm.port, platform)
}

/// Tell the PM core whether the device should wake the system (after
/// probe, `device_set_wakeup_enable` as `igb_probe`).
pub(crate) fn init_wakeup(dev: &Device<Adapter>) {
    net::pm::set_wakeup_enable(dev.parent(), dev.data().pm.wufc.load(Relaxed) != 0);
}

/// `ethtool <if>`: "Supports Wake-on" / "Wake-on" (`igb_get_wol`).
pub(crate) fn get_wol(dev: &Device<Adapter>) -> WolInfo {
    if !supported(dev) {
        return WolInfo::default();
    }
    WolInfo {
        supported: WAKE_SUPPORTED,
        wolopts: wolopts_from_wufc(dev.data().pm.wol()),
    }
}

/// `ethtool -s <if> wol ...` (`igb_set_wol`): store the filters for the
/// next suspend and tell the PM core whether to arm the wake-up. RTNL.
pub(crate) fn set_wol(dev: &Device<Adapter>, wolopts: u32) -> Result {
    let wufc = wufc_from_wolopts(wolopts)?;
    if !supported(dev) {
        return if wolopts != 0 {
            Err(EOPNOTSUPP)
        } else {
            Ok(())
        };
    }
    dev.data().pm.wufc.store(wufc.into_raw(), Relaxed);
    net::pm::set_wakeup_enable(dev.parent(), wufc.into_raw() != 0);
    Ok(())
}

/// Program the wake-up filters `wufc` for the sleep to come (the WUC/WUFC
/// half of `__igb_shutdown`), on a quiesced device. RTNL (the receive
/// filters are restored from the software copy and the station address).
fn arm_wakeup(dev: &Device<Adapter>, hw: &Bar0<'_>, wufc: regs::WUFC) -> Result {
    let ctl = &dev.data().ctl_regs;
    if wufc.into_raw() == 0 {
        hw.write_reg(regs::WUC::zeroed());
        hw.write_reg(regs::WUFC::zeroed());
        return Ok(());
    }
    // Receive as `igb_setup_rctl` + `igb_set_rx_mode` leave it: the station
    // address in RAR 0, the other filters, BAM; all-multicast for multicast
    // wake-up; the receiver on (no queue is enabled: nothing is DMAed).
    queue::setup_rctl(hw, ctl);
    filter::restore(dev, hw)?;
    if wufc.mc() {
        ctl.with(|c| c.update_rctl(hw, |r| r.with_mpe(true)));
    }
    queue::rx_enable(hw, ctl, true);
    ctl.with(|c| c.update_ctrl(hw, |r| r.with_advd3wuc(true)));
    // Let pending master requests drain (`igb_disable_pcie_master`).
    if mac::disable_pcie_master(hw, ctl).is_err() {
        dev_warn!(
            dev.parent(),
            "{}: PCIe master disable timed out before sleep\n",
            dev.name()
        );
    }
    hw.write_reg(regs::WUC::zeroed().with_pme_en(true));
    hw.write_reg(wufc);
    Ok(())
}

/// Quiesce the device for sleep or shutdown (`__igb_shutdown`); returns
/// whether wake-up is armed.
fn quiesce(pdev: &pci::Device<Core<'_>>, dev: &Device<Adapter>, why: &str) -> Result<bool> {
    let a = dev.data();
    let hw = Adapter::hw(dev)?;
    let wufc = if supported(dev) {
        a.pm.wol()
    } else {
        regs::WUFC::zeroed()
    };
    let wufc = net::pm::with_rtnl(pdev, |rtnl| {
        if !a.pm.is_suspended() {
            dev.detach();
            if dev.is_running() {
                netdev::teardown(dev, rtnl, hw);
            }
            a.pm.suspended.store(true, Relaxed);
        }
        let wufc = wake_filters(wufc, hw.read(regs::STATUS).lu());
        // The device is quiesced whatever happens here: a wake-up that
        // cannot be armed is logged, not a reason to abort the sleep
        // (`__igb_shutdown` cannot fail either).
        match arm_wakeup(dev, hw, wufc) {
            Ok(()) => wufc,
            Err(e) => {
                dev_warn!(
                    pdev,
                    "{}: cannot arm the wake-up ({:?}), sleeping without it\n",
                    dev.name(),
                    e
                );
                hw.write_reg(regs::WUC::zeroed());
                hw.write_reg(regs::WUFC::zeroed());
                regs::WUFC::zeroed()
            }
        }
    });
    let wake = wufc.into_raw() != 0;
    let _ = if wake {
        phy::power_up(hw)
    } else {
        phy::power_down(hw)
    };
    // Hand the device back to the firmware (`igb_release_hw_control`).
    mac::release_hw_control(hw);
    dev_info!(
        pdev,
        "{}: {} (WUC {:#010x}, WUFC {:#010x})\n",
        dev.name(),
        why,
        hw.read(regs::WUC).into_raw(),
        hw.read(regs::WUFC).into_raw()
    );
    net::pm::disable_device(pdev);
    Ok(wake)
}

/// The `suspend`/`freeze`/`poweroff` callback.
pub(crate) fn suspend(pdev: &pci::Device<Core<'_>>, dev: &Device<Adapter>) -> Result {
    quiesce(pdev, dev, "suspend").map(|_| ())
}

/// The `resume`/`thaw`/`restore` callback (`__igb_resume`).
pub(crate) fn resume(pdev: &pci::Device<Core<'_>>, dev: &Device<Adapter>) -> Result {
    let a = dev.data();
    net::pm::enable_device(pdev)
        .inspect_err(|e| dev_err!(pdev, "Cannot enable PCI device from suspend ({:?})\n", e))?;
    let hw = Adapter::hw(dev)?;
    net::pm::with_rtnl(pdev, |rtnl| {
        // `igb_reset` (which also clears WUC) and `igb_get_hw_control`.
        netdev::reset_mac(dev, hw);
        hw.write_reg(regs::WUC::zeroed());
        let wus = hw.read(regs::WUS).into_raw();
        hw.write_reg(regs::WUS::from_raw(u32::MAX));
        let res = if a.pm.is_suspended() {
            reopen(dev, rtnl, hw)
        } else {
            Ok(())
        };
        match res {
            Ok(()) => {
                let note = if wus & WAKE_PKT_WUS != 0 {
                    ", wake packet not delivered"
                } else {
                    ""
                };
                dev_info!(pdev, "{}: resume (WUS {:#010x}{})\n", dev.name(), wus, note);
            }
            Err(e) => dev_err!(
                pdev,
                "{}: resume failed ({:?}), the interface stays detached\n",
                dev.name(),
                e
            ),
        }
        res
    })
}

/// Bring back an interface a suspend or a PCIe error quiesced (the
/// `igb_up` half of `__igb_resume` and `igb_io_resume`), its MAC reset: up
/// on new rings if it is administratively up, else the PHY left off as after
/// `stop`; then no longer suspended, and attached. On failure it stays
/// detached. RTNL held.
pub(crate) fn reopen(dev: &Device<Adapter>, rtnl: net::Rtnl<'_>, hw: &Bar0<'_>) -> Result {
    if dev.is_running() {
        netdev::RingSet::alloc(dev, netdev::queue_count(dev))
            .and_then(|rings| netdev::bring_up(dev, rtnl, rings))?;
    } else {
        phy::power_down(hw)?;
    }
    dev.data().pm.suspended.store(false, Relaxed);
    dev.attach(rtnl);
    Ok(())
}

/// The `shutdown` callback (`igb_shutdown`): quiesce as for suspend; at
/// power-off, arm PME if wake-up is on and put the device in D3hot.
pub(crate) fn shutdown(pdev: &pci::Device<Core<'_>>, dev: &Device<Adapter>) {
    let wake = quiesce(pdev, dev, "shutdown").unwrap_or_else(|e| {
        dev_err!(pdev, "{}: shutdown failed ({:?})\n", dev.name(), e);
        false
    });
    net::pm::power_off_to_d3(pdev, wake);
}

#[kunit_tests(rust_igb_pm)]
mod tests {
    use super::*;

    #[test]
    fn wol_encoding() -> Result {
        // `ethtool -s wol g`: magic packet, WUFC.MAG (bit 1).
        assert_eq!(wufc_from_wolopts(wake::MAGIC)?.into_raw(), 0x02);
        // p u m b g: LNKC, EX, MC, BC, MAG.
        assert_eq!(wufc_from_wolopts(WAKE_SUPPORTED)?.into_raw(), 0x1f);
        assert_eq!(wufc_from_wolopts(0)?.into_raw(), 0);
        for opts in [wake::ARP, wake::MAGICSECURE, wake::FILTER] {
            assert!(wufc_from_wolopts(opts | wake::MAGIC).is_err());
        }
        // Round trip of every supported combination.
        for opts in 0..=WAKE_SUPPORTED {
            if opts & !WAKE_SUPPORTED == 0 {
                assert_eq!(wolopts_from_wufc(wufc_from_wolopts(opts)?), opts);
            }
        }
        // Filters the driver never sets read back as nothing.
        assert_eq!(wolopts_from_wufc(regs::WUFC::from_raw(0xe0)), 0);
        Ok(())
    }

    #[test]
    fn link_change_wakeup_dropped_while_up() {
        let all = regs::WUFC::from_raw(0x1f);
        assert_eq!(wake_filters(all, true).into_raw(), 0x1e);
        assert_eq!(wake_filters(all, false).into_raw(), 0x1f);
    }

    #[test]
    fn port_capability() {
        // QEMU's 82576 (0x10c9), port A: up to the platform.
        assert_eq!(port_wake(0x10c9, 0, false), PortWake::IfPlatform);
        assert!(!wake_supported(port_wake(0x10c9, 0, false), false));
        assert!(wake_supported(port_wake(0x10c9, 0, false), true));
        // Port B only with APME in the NVM.
        assert_eq!(port_wake(0x10c9, 1, false), PortWake::No);
        assert_eq!(port_wake(0x10c9, 1, true), PortWake::IfPlatform);
        // Board exceptions.
        assert_eq!(port_wake(0x10d6, 0, true), PortWake::No);
        assert_eq!(port_wake(0x10e6, 0, false), PortWake::Yes);
        assert_eq!(port_wake(0x10e6, 1, true), PortWake::No);
        assert_eq!(port_wake(0x10e8, 0, false), PortWake::Yes);
        assert!(wake_supported(PortWake::Yes, false));
        assert!(!wake_supported(PortWake::No, true));
    }
}
