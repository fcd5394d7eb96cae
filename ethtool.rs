// SPDX-License-Identifier: GPL-2.0

//! ethtool callbacks for rust_igb, following `igb_ethtool.c`: `-i`, link
//! settings (`ethtool <if>`, `-s`, `-r`), pause parameters (`-a/-A`),
//! message level, register dump (`-d`), EEPROM (`-e`), identify (`-p`),
//! RSS hash fields (`-n/-N rx-flow-hash`, see [`rxfh_fields`]),
//! statistics (`-S`, see [`crate::stats`]; the standard groups of `-S
//! --all-groups` and the PAUSE counts of `-I -a` in [`std_stats`]) and
//! self-test (`-t`, see [`crate::selftest`]).
//!
//! All callbacks run in process context with RTNL held, so they are
//! serialised with each other and with `open`/`stop`. The settings they
//! change live in [`Control`], read by `open` and the watchdog.

use core::sync::atomic::{
    AtomicU32,
    AtomicU64,
    Ordering::Relaxed, //
};

use kernel::{io::Io, new_mutex, prelude::*, sync::Mutex};

use crate::{
    ctl_regs::{self, CtlOwner},
    hw::FlowControl,
    mac,
    net::{
        ethtool::{
            mode, pci_ids, DrvInfo, EthCtrlStats, EthMacStats, FlowType, HashFields, LedState,
            LinkRequest, LinkSettings, Operations, PauseParams, PauseStats, RegsOut, RmonRange,
            RmonStats, StatsOut, Strings, TestResults, WolInfo, PORT_TP,
        },
        ethtool_queues::{Channels, Coalesce, RingParams, COALESCE_USECS},
        Device, Rtnl,
    },
    netdev::Adapter,
    nvm, phy, regdump,
    regs::{self, Bar0},
    rss::{KEY_LEN, RETA_SIZE},
    selftest,
    stats::{self, MacCounters},
    tuning,
};

mod rxfh_fields;
mod std_stats;

/// Copper modes the igb PHYs support and advertise by default.
const COPPER_MODES: u32 = mode::T10_HALF
    | mode::T10_FULL
    | mode::T100_HALF
    | mode::T100_FULL
    | mode::T1000_FULL
    | mode::AUTONEG
    | mode::TP
    | mode::PAUSE
    | mode::ASYM_PAUSE;

/// The speed/duplex modes among [`COPPER_MODES`], with their PHY
/// advertisement bits (`ADVERTISE_*`).
const SPEED_MODES: [(u32, u16); 5] = [
    (mode::T10_HALF, phy::ADVERTISE_10_HALF),
    (mode::T10_FULL, phy::ADVERTISE_10_FULL),
    (mode::T100_HALF, phy::ADVERTISE_100_HALF),
    (mode::T100_FULL, phy::ADVERTISE_100_FULL),
    (mode::T1000_FULL, phy::ADVERTISE_1000_FULL),
];

/// `DEFAULT_MSG_ENABLE` of the C driver: NETIF_MSG_DRV | PROBE | LINK.
const DEFAULT_MSG_ENABLE: u32 = 0x7;

/// Forced link speed/duplex (`ethtool -s <if> autoneg off speed S duplex D`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Forced {
    /// 10 Mb/s, full duplex if `true`.
    M10(bool),
    /// 100 Mb/s, full duplex if `true`.
    M100(bool),
}

impl Forced {
    fn encode(f: Option<Self>) -> u32 {
        match f {
            None => 0,
            Some(Self::M10(fd)) => 1 | (u32::from(fd) << 4),
            Some(Self::M100(fd)) => 2 | (u32::from(fd) << 4),
        }
    }

    fn decode(v: u32) -> Option<Self> {
        let fd = v & 0x10 != 0;
        match v & 0xf {
            1 => Some(Self::M10(fd)),
            2 => Some(Self::M100(fd)),
            _ => None,
        }
    }
}

/// Settings and counters of the control plane, part of the [`Adapter`].
///
/// Contexts: the settings are written only by ethtool callbacks (process,
/// RTNL) and read by `open` (RTNL) and the watchdog (process, system
/// workqueue), hence atomics. `mac_counters` is a mutex taken by the
/// watchdog, `ethtool -S`, `-d` and the self-test (all process context,
/// never from softirq or hard IRQ), so the clear-on-read hardware counters
/// are read by one context at a time and no increment is lost.
#[pin_data]
pub(crate) struct Control {
    /// `msg_enable` (`ethtool -s <if> msglvl`).
    msg_enable: AtomicU32,
    /// Flow control from the NVM (the "default" mode).
    fc_default: AtomicU32,
    /// Requested flow control ([`FlowControl`] as `u32`).
    fc_requested: AtomicU32,
    /// Flow control negotiated (`ethtool -A <if> autoneg on`), as `0/1`.
    fc_autoneg: AtomicU32,
    /// Advertised speeds (`ADVERTISE_*` mask) while autonegotiating.
    advertised: AtomicU32,
    /// Forced speed/duplex ([`Forced::encode`]); 0 when autonegotiating.
    forced: AtomicU32,
    /// LEDCTL as it was before `ethtool -p`.
    ledctl_saved: AtomicU32,
    /// TX queue 0 wake-ups by the completion path ("restart_queue").
    pub(crate) tx_restart: AtomicU64,
    /// Interrupts handled, for the self-test's interrupt test.
    pub(crate) irqs: AtomicU64,
    /// Of those, the ones of MSI-X vector 0 (the "other" causes).
    pub(crate) irqs_vector0: AtomicU64,
    /// 64-bit accumulations of the clear-on-read MAC statistics.
    #[pin]
    pub(crate) mac_counters: Mutex<MacCounters>,
}

fn fc_to_u32(fc: FlowControl) -> u32 {
    match fc {
        FlowControl::None => 0,
        FlowControl::RxPause => 1,
        FlowControl::TxPause => 2,
        FlowControl::Full => 3,
    }
}

fn fc_from_u32(v: u32) -> FlowControl {
    match v {
        1 => FlowControl::RxPause,
        2 => FlowControl::TxPause,
        3 => FlowControl::Full,
        _ => FlowControl::None,
    }
}

impl Control {
    /// Defaults: flow control `fc` (from the NVM) negotiated, every copper
    /// speed advertised, counters zero.
    pub(crate) fn new(fc: FlowControl) -> impl PinInit<Self> {
        pin_init!(Self {
            msg_enable: AtomicU32::new(DEFAULT_MSG_ENABLE),
            fc_default: AtomicU32::new(fc_to_u32(fc)),
            fc_requested: AtomicU32::new(fc_to_u32(fc)),
            fc_autoneg: AtomicU32::new(1),
            advertised: AtomicU32::new(u32::from(phy::ADVERTISE_DEFAULT)),
            forced: AtomicU32::new(0),
            ledctl_saved: AtomicU32::new(0),
            tx_restart: AtomicU64::new(0),
            irqs: AtomicU64::new(0),
            irqs_vector0: AtomicU64::new(0),
            mac_counters <- new_mutex!(MacCounters::default(), "rust_igb_mac_counters"),
        })
    }

    /// The flow control mode to request from the link partner and apply at
    /// link-up.
    pub(crate) fn requested_fc(&self) -> FlowControl {
        fc_from_u32(self.fc_requested.load(Relaxed))
    }

    /// Count one interrupt of `vector` the handler claimed (`handled`);
    /// called from hard-IRQ context.
    pub(crate) fn count_irq(&self, vector: usize, handled: bool) {
        if handled {
            self.irqs.fetch_add(1, Relaxed);
            if vector == 0 {
                self.irqs_vector0.fetch_add(1, Relaxed);
            }
        }
    }

    fn forced(&self) -> Option<Forced> {
        Forced::decode(self.forced.load(Relaxed))
    }

    fn advertised(&self) -> u16 {
        self.advertised.load(Relaxed) as u16
    }

    /// The link settings `setup_link` programs.
    fn link_config(&self) -> LinkConfig {
        LinkConfig {
            advertised: self.advertised.load(Relaxed),
            forced: self.forced.load(Relaxed),
            fc_autoneg: self.fc_autoneg.load(Relaxed),
            fc_requested: self.fc_requested.load(Relaxed),
        }
    }

    /// Put back settings saved by [`Self::link_config`].
    fn set_link_config(&self, l: LinkConfig) {
        self.advertised.store(l.advertised, Relaxed);
        self.forced.store(l.forced, Relaxed);
        self.fc_autoneg.store(l.fc_autoneg, Relaxed);
        self.fc_requested.store(l.fc_requested, Relaxed);
    }
}

/// A copy of the link settings of [`Control`], to put back when a change
/// cannot be applied.
#[derive(Clone, Copy)]
struct LinkConfig {
    advertised: u32,
    forced: u32,
    fc_autoneg: u32,
    fc_requested: u32,
}

/// Change the link settings with `change` (which validates the request and
/// stores the new settings) and program the link. If either fails, the
/// previous settings are put back, and programmed again if programming the
/// new ones failed: what `ethtool <if>` reports stays what the PHY was last
/// told, not a request that never took effect. Process context, RTNL held.
fn change_link(dev: &Device<Adapter>, change: impl FnOnce(&Control) -> Result) -> Result {
    let c = &dev.data().ctl;
    let before = c.link_config();
    if let Err(e) = change(c) {
        c.set_link_config(before);
        return Err(e);
    }
    if let Err(e) = relink(dev) {
        c.set_link_config(before);
        if let Err(again) = relink(dev) {
            dev_err!(
                dev.parent(),
                "{}: restoring the previous link settings failed too ({:?})\n",
                dev.name(),
                again
            );
        }
        return Err(e);
    }
    Ok(())
}

/// Program the link as the settings say: restart autonegotiation with the
/// advertised speeds and requested flow control, or force speed/duplex
/// (`igb_setup_copper_link`/`igb_phy_force_speed_duplex_igp`). Called by
/// `open` and by the ethtool callbacks that change the link.
///
/// QEMU only raises the link after an autonegotiation restart; a forced
/// setting keeps a link that is up and changes the speed/duplex STATUS
/// reports (it honours CTRL.FRCSPD/FRCDPX).
pub(crate) fn setup_link(dev: &Device<Adapter>, hw: &Bar0<'_>) -> Result {
    if dev.data().inject_link_failure() {
        return Err(EIO);
    }
    let c = &dev.data().ctl;
    match c.forced() {
        None => {
            dev.data()
                .ctl_regs
                .with(|o| o.update_ctrl(hw, |r| r.with_frcspd(false).with_frcdpx(false)));
            phy::restart_autoneg(hw, c.advertised(), c.requested_fc())
        }
        Some(f) => {
            let (speed, fd) = match f {
                Forced::M10(fd) => (0u32, fd),
                Forced::M100(fd) => (1u32, fd),
            };
            dev.data().ctl_regs.with(|o| {
                o.update_ctrl(hw, |r| {
                    let r = r
                        .with_frcspd(true)
                        .with_frcdpx(true)
                        .with_slu(true)
                        .with_fd(fd);
                    if speed == 1 {
                        r.with_const_speed::<1>()
                    } else {
                        r.with_const_speed::<0>()
                    }
                })
            });
            // BMCR: autonegotiation off, speed 100 (bit 13) or 10, duplex (bit 8).
            let bmcr = phy::read_reg(hw, phy::PHY_CONTROL)?;
            let mut v = bmcr
                & !(phy::MII_CR_AUTO_NEG_EN
                    | phy::MII_CR_RESTART_AUTO_NEG
                    | phy::MII_CR_SPEED_100
                    | phy::MII_CR_SPEED_1000
                    | phy::MII_CR_FULL_DUPLEX);
            if speed == 1 {
                v |= phy::MII_CR_SPEED_100;
            }
            if fd {
                v |= phy::MII_CR_FULL_DUPLEX;
            }
            phy::write_reg(hw, phy::PHY_CONTROL, v)?;
            // Forced speed means forced flow control (`igb_force_mac_fc`).
            mac::force_mac_fc(
                hw,
                &dev.data().ctl_regs,
                if fd {
                    c.requested_fc()
                } else {
                    FlowControl::None
                },
            );
            Ok(())
        }
    }
}

/// Apply changed link settings: on a running interface, reprogram the PHY
/// and let the watchdog report the link again (the C driver does a full
/// `igb_down`/`igb_up`); a stopped one picks them up in `open`.
fn relink(dev: &Device<Adapter>) -> Result {
    if !dev.is_running() {
        return Ok(());
    }
    let hw = Adapter::hw(dev)?;
    setup_link(dev, hw)?;
    dev.carrier_off();
    dev.schedule_watchdog(0);
    Ok(())
}

/// Validate a link request (`ethtool -s`) and store it as the settings
/// ([`change_link`] programs them).
fn store_link_request(c: &Control, req: &LinkRequest) -> Result {
    if req.autoneg {
        let speeds = req.advertising & !(mode::AUTONEG | mode::TP | mode::PAUSE | mode::ASYM_PAUSE);
        if !req.advertising_legacy || speeds & !COPPER_MODES != 0 {
            return Err(EINVAL);
        }
        let adv = SPEED_MODES
            .iter()
            .filter(|(m, _)| speeds & m != 0)
            .fold(0u16, |a, (_, p)| a | p);
        if adv == 0 {
            return Err(EINVAL);
        }
        c.advertised.store(u32::from(adv), Relaxed);
        c.forced.store(0, Relaxed);
    } else {
        // `igb_set_spd_dplx`: 1000 Mb/s cannot be forced on copper (it
        // means autonegotiation advertising 1000/Full only).
        let fd = req.full_duplex.ok_or(EINVAL)?;
        match (req.speed_mbps.ok_or(EINVAL)?, fd) {
            (10, fd) => c
                .forced
                .store(Forced::encode(Some(Forced::M10(fd))), Relaxed),
            (100, fd) => c
                .forced
                .store(Forced::encode(Some(Forced::M100(fd))), Relaxed),
            (1000, true) => {
                c.advertised
                    .store(u32::from(phy::ADVERTISE_1000_FULL), Relaxed);
                c.forced.store(0, Relaxed);
            }
            _ => return Err(EINVAL),
        }
        if c.forced().is_some() {
            // Flow control cannot be negotiated without autonegotiation.
            c.fc_autoneg.store(0, Relaxed);
        }
    }
    Ok(())
}

#[vtable]
impl Operations for Adapter {
    fn get_drvinfo(dev: &Device<Self>, info: &mut DrvInfo<'_>) {
        info.set_fw_version(format_args!("{}", dev.data().nvm_version));
    }

    fn get_link_settings(dev: &Device<Self>) -> Result<LinkSettings> {
        let c = &dev.data().ctl;
        let link = mac::link_status(Adapter::hw(dev)?);
        let up = link.up && dev.carrier_ok();
        let mut advertising = mode::TP;
        let forced = c.forced();
        if forced.is_none() {
            advertising |= mode::AUTONEG;
            let adv = c.advertised();
            for (m, a) in SPEED_MODES {
                if adv & a != 0 {
                    advertising |= m;
                }
            }
        }
        // As `igb_get_link_ksettings`: pause bits from the requested mode.
        advertising |= match c.requested_fc() {
            FlowControl::Full | FlowControl::RxPause => mode::PAUSE,
            FlowControl::TxPause => mode::ASYM_PAUSE,
            FlowControl::None => 0,
        };
        Ok(LinkSettings {
            speed_mbps: up.then_some(link.speed_mbps),
            full_duplex: up.then_some(link.full_duplex),
            autoneg: forced.is_none(),
            phy_address: 1,
            supported: COPPER_MODES,
            advertising,
            lp_advertising: 0,
        })
    }

    fn get_ringparam(dev: &Device<Self>) -> RingParams {
        tuning::get_ringparam(dev)
    }

    fn set_ringparam(dev: &Device<Self>, rtnl: Rtnl<'_>, tx: u32, rx: u32) -> Result {
        tuning::set_ringparam(dev, rtnl, tx, rx)
    }

    fn get_channels(dev: &Device<Self>) -> Channels {
        tuning::get_channels(dev)
    }

    fn set_channels(dev: &Device<Self>, rtnl: Rtnl<'_>, ch: &Channels) -> Result {
        tuning::set_channels(dev, rtnl, ch)
    }

    const SUPPORTED_COALESCE: u32 = COALESCE_USECS;

    fn get_coalesce(dev: &Device<Self>) -> Result<Coalesce> {
        Ok(tuning::get_coalesce(dev))
    }

    fn set_coalesce(dev: &Device<Self>, c: &Coalesce) -> Result {
        tuning::set_coalesce(dev, c)
    }

    fn get_rx_ring_count(dev: &Device<Self>) -> u32 {
        dev.data().queues() as u32
    }

    fn rxfh_sizes(_dev: &Device<Self>) -> (u32, u32) {
        (RETA_SIZE as u32, KEY_LEN as u32)
    }

    fn get_rxfh(dev: &Device<Self>, indir: Option<&mut [u32]>, key: Option<&mut [u8]>) -> Result {
        tuning::get_rxfh(dev, indir, key)
    }

    fn set_rxfh(dev: &Device<Self>, indir: Option<&[u32]>, key: Option<&[u8]>) -> Result {
        tuning::set_rxfh(dev, indir, key)
    }

    // The 82576 has no flow steering rules (no NETIF_F_NTUPLE, as the C igb
    // before the i350): `ethtool -n` lists an empty table, as igb_get_rxnfc().
    const NO_RX_CLASS_RULES: bool = true;

    fn get_rxfh_fields(dev: &Device<Self>, flow: FlowType) -> Result<HashFields> {
        rxfh_fields::get(dev, flow)
    }

    fn set_rxfh_fields(dev: &Device<Self>, flow: FlowType, fields: HashFields) -> Result {
        rxfh_fields::set(dev, flow, fields)
    }

    fn get_msglevel(dev: &Device<Self>) -> u32 {
        dev.data().ctl.msg_enable.load(Relaxed)
    }

    fn set_msglevel(dev: &Device<Self>, level: u32) {
        dev.data().ctl.msg_enable.store(level, Relaxed);
    }

    fn get_wol(dev: &Device<Self>) -> WolInfo {
        crate::pm::get_wol(dev)
    }

    fn set_wol(dev: &Device<Self>, wolopts: u32) -> Result {
        crate::pm::set_wol(dev, wolopts)
    }

    fn get_regs_len(_dev: &Device<Self>) -> usize {
        regdump::REGS_LEN * 4
    }

    fn get_regs(dev: &Device<Self>, out: &mut RegsOut<'_>) -> u32 {
        let (_, device, revision) = pci_ids(dev);
        if let Ok(hw) = Adapter::hw(dev) {
            let counters = stats::snapshot(dev, hw);
            regdump::fill(hw, &counters, out);
        }
        // `igb_get_regs`: format 1, revision, device ID.
        (1 << 24) | (u32::from(revision) << 16) | u32::from(device)
    }

    fn get_eeprom_len(dev: &Device<Self>) -> usize {
        Adapter::hw(dev).map_or(0, |hw| nvm::word_size(hw) * 2)
    }

    fn get_eeprom(dev: &Device<Self>, offset: usize, out: &mut [u8]) -> Result<u32> {
        let hw = Adapter::hw(dev)?;
        // `igb_get_eeprom`: whole words from `offset / 2` on; the NVM is
        // little-endian and word addressed.
        let end = offset + out.len();
        for w in offset / 2..end.div_ceil(2) {
            let word = nvm::read_word(hw, u16::try_from(w).map_err(|_| EINVAL)?)?;
            for (k, byte) in word.to_le_bytes().into_iter().enumerate() {
                let pos = w * 2 + k;
                if (offset..end).contains(&pos) {
                    if let Some(b) = out.get_mut(pos - offset) {
                        *b = byte;
                    }
                }
            }
        }
        let (vendor, device, _) = pci_ids(dev);
        Ok(u32::from(vendor) | (u32::from(device) << 16))
    }

    fn set_link_settings(dev: &Device<Self>, req: &LinkRequest) -> Result {
        let hw = Adapter::hw(dev)?;
        if mac::check_reset_block(hw) {
            dev_err!(
                dev.parent(),
                "Cannot change link characteristics when SoL/IDER is active.\n"
            );
            return Err(EINVAL);
        }
        // Only twisted pair; MDI/MDI-X cannot be forced (auto or unset only).
        if u32::from(req.port) != PORT_TP {
            return Err(EINVAL);
        }
        match req.mdix_ctrl {
            0 | 3 => {}
            _ if !req.autoneg => return Err(EINVAL),
            _ => return Err(EOPNOTSUPP),
        }
        change_link(dev, |c| store_link_request(c, req))
    }

    fn nway_reset(dev: &Device<Self>) -> Result {
        if !dev.is_running() {
            // `igb_nway_reset`: only a running interface.
            return Ok(());
        }
        if dev.data().ctl.forced().is_some() {
            // Nothing to restart without autonegotiation.
            return Err(EINVAL);
        }
        relink(dev)
    }

    fn get_pause(dev: &Device<Self>) -> PauseParams {
        let c = &dev.data().ctl;
        // The mode in effect: CTRL.RFCE/TFCE while the link is up (resolved
        // at link-up), the requested one otherwise.
        let current = match Adapter::hw(dev) {
            Ok(hw) if dev.carrier_ok() => {
                let ctrl = ctl_regs::read_ctrl(hw);
                (ctrl.rfce(), ctrl.tfce())
            }
            _ => {
                let fc = c.requested_fc();
                (fc.rx_pause(), fc.tx_pause())
            }
        };
        PauseParams {
            autoneg: c.fc_autoneg.load(Relaxed) != 0,
            rx_pause: current.0,
            tx_pause: current.1,
        }
    }

    fn set_pause(dev: &Device<Self>, p: PauseParams) -> Result {
        let c = &dev.data().ctl;
        if p.autoneg && c.forced().is_some() {
            // Flow control autonegotiation needs link autonegotiation.
            return Err(EINVAL);
        }
        if p.autoneg {
            // `e1000_fc_default`: the NVM's mode, negotiated again.
            return change_link(dev, |c| {
                c.fc_autoneg.store(1, Relaxed);
                c.fc_requested.store(c.fc_default.load(Relaxed), Relaxed);
                Ok(())
            });
        }
        c.fc_autoneg.store(0, Relaxed);
        let fc = match (p.rx_pause, p.tx_pause) {
            (true, true) => FlowControl::Full,
            (true, false) => FlowControl::RxPause,
            (false, true) => FlowControl::TxPause,
            (false, false) => FlowControl::None,
        };
        c.fc_requested.store(fc_to_u32(fc), Relaxed);
        // `igb_force_mac_fc` on copper; kept at each link-up by the watchdog.
        mac::force_mac_fc(Adapter::hw(dev)?, &dev.data().ctl_regs, fc);
        Ok(())
    }

    fn set_phys_id(dev: &Device<Self>, state: LedState) -> Result<u32> {
        let hw = Adapter::hw(dev)?;
        let c = &dev.data().ctl;
        match state {
            LedState::Active => {
                c.ledctl_saved
                    .store(hw.read(regs::LEDCTL).into_raw(), Relaxed);
                // The core toggles On/Off twice a second.
                return Ok(2);
            }
            LedState::On => led_set(hw, true),
            LedState::Off => led_set(hw, false),
            LedState::Inactive => {
                hw.write_reg(regs::LEDCTL::from_raw(c.ledctl_saved.load(Relaxed)));
            }
        }
        Ok(0)
    }

    fn stat_strings(dev: &Device<Self>, out: &mut Strings<'_>) {
        stats::strings(dev, out);
    }

    fn get_stats(dev: &Device<Self>, out: &mut StatsOut<'_>) {
        stats::values(dev, out);
    }

    fn get_eth_mac_stats(dev: &Device<Self>) -> EthMacStats {
        std_stats::eth_mac(&stats::current(dev))
    }

    fn get_eth_ctrl_stats(dev: &Device<Self>) -> EthCtrlStats {
        std_stats::eth_ctrl(&stats::current(dev))
    }

    const RMON_RANGES: &'static [RmonRange] = &std_stats::RMON_RANGES;

    fn get_rmon_stats(dev: &Device<Self>) -> RmonStats {
        std_stats::rmon(&stats::current(dev))
    }

    fn get_pause_stats(dev: &Device<Self>) -> PauseStats {
        std_stats::pause(&stats::current(dev))
    }

    fn test_strings(_dev: &Device<Self>, out: &mut Strings<'_>) {
        selftest::strings(out);
    }

    fn self_test(dev: &Device<Self>, rtnl: Rtnl<'_>, offline: bool, out: &mut TestResults<'_>) {
        selftest::run(dev, rtnl, offline, out);
    }
}

/// LED0 mode "LED on" / "LED off" of LEDCTL (`E1000_LEDCTL_MODE_LED_ON/OFF`).
const LED_MODE_ON: u32 = 0xe;
/// See [`LED_MODE_ON`].
const LED_MODE_OFF: u32 = 0xf;

/// Turn LED0 on or off (`igb_led_on`/`igb_led_off` with the mode fields of
/// the ID LED, simplified to LED0 as QEMU has no LEDs to show).
fn led_set(hw: &Bar0<'_>, on: bool) {
    hw.update(regs::LEDCTL, |r| {
        let r = r.with_led0_blink(false);
        if on {
            r.with_const_led0_mode::<LED_MODE_ON>()
        } else {
            r.with_const_led0_mode::<LED_MODE_OFF>()
        }
    });
}

#[kunit_tests(rust_igb_ethtool)]
mod tests {
    use super::*;

    #[test]
    fn forced_encoding() {
        let all = [
            None,
            Some(Forced::M10(false)),
            Some(Forced::M10(true)),
            Some(Forced::M100(false)),
            Some(Forced::M100(true)),
        ];
        for f in all {
            assert_eq!(Forced::decode(Forced::encode(f)), f);
        }
        assert_eq!(Forced::encode(None), 0);
    }

    #[test]
    fn flow_control_encoding() {
        for fc in [
            FlowControl::None,
            FlowControl::RxPause,
            FlowControl::TxPause,
            FlowControl::Full,
        ] {
            assert_eq!(fc_from_u32(fc_to_u32(fc)), fc);
        }
    }

    #[test]
    fn speed_modes_are_supported() {
        let adv = SPEED_MODES.iter().fold(0u16, |a, (_, p)| a | p);
        assert_eq!(adv, phy::ADVERTISE_DEFAULT);
        for (m, _) in SPEED_MODES {
            assert!(COPPER_MODES & m != 0);
        }
    }
}
