// SPDX-License-Identifier: GPL-2.0

//! PHY access through MDIC and copper link setup for the internal PHY of the 82575/82576
//! (IGP03E1000 family, PHY address 1).
//!
//! Follows `e1000_phy.c` (`igb_read_phy_reg_mdic()`, `igb_read_phy_reg_igp()`,
//! `igb_copper_link_setup_igp()`, `igb_copper_link_autoneg()`, `igb_phy_setup_autoneg()`) and
//! `igb_setup_copper_link_82575()`. Register accesses take the SW_FW_SYNC PHY semaphore shared
//! with the firmware and the other port.
//!
//! # Context
//!
//! Register access ([`read_reg`], [`write_reg`], [`has_link`], [`restart_autoneg`],
//! [`power_up`], [`power_down`]) never sleeps: it busy-waits for bounded times as the C driver
//! does (MDIC 96 ms, semaphore 5 ms per contended attempt), so it may run under
//! `Devres::try_access()` (RCU read lock) or a spinlock. [`setup_link`] sleeps (PHY reset,
//! 100 ms settle time, CFG_DONE poll), like `igb_reset()` which runs it in C: call it where
//! sleeping is allowed (probe, close), with the BAR obtained through `Devres::access()`.
//!
//! # What QEMU needs versus real hardware
//!
//! QEMU's model (`hw/net/igb_core.c`) answers MDIC synchronously (`igb_set_mdic()`), only at
//! PHY address 1 and only for the registers of `igb_phy_regcap[]` (0-6, 9, 10, 15, 0x10-0x13,
//! 0x19 and the write-only page select 0x1F); anything else sets MDIC.E, reported as `EIO`.
//! A CTRL.RST puts the PHY back to `igb_phy_reg_init[]` and drops STATUS.LU; the link only comes
//! back when BMCR is written with Restart Auto-Negotiation while Auto-Negotiation Enable is set
//! (`igb_set_phy_ctrl()` → `e1000x_restart_autoneg()`), after which STATUS.LU, BMSR.LINK_ST
//! and BMSR.AN_COMPLETE are set 500 ms later and ICR.LSC is raised. That BMCR write is the
//! only step QEMU needs; it ignores CTRL.SLU, CTRL.PHY_RST (only STATUS.PHYRA is set), the
//! LPLU/MDI-X/advertisement settings, and it never sets EEMNGCTL.CFG_DONE0, so the wait for it
//! times out (as in the C driver, not an error).
//!
//! Real hardware additionally needs CTRL.SLU (the MAC follows the PHY link only with it), the
//! PHY reset and the wait for the manageability configuration cycle, D0 LPLU disabled (or the
//! PHY links at the lowest speed), automatic MDI/MDI-X and the advertisement registers.

use kernel::{
    io::{
        poll::{
            read_poll_timeout,
            read_poll_timeout_atomic, //
        },
        Io, //
    },
    prelude::*,
    time::{
        delay::{
            fsleep,
            udelay, //
        },
        Delta, //
    },
};

use crate::{
    ctl_regs::CtlOwner,
    hw::FlowControl,
    mac::{
        self,
        MediaType, //
    },
    nvm,
    regs::{
        self,
        Bar0, //
    },
};

/// PHY_CONTROL (BMCR): MII control register.
pub(crate) const PHY_CONTROL: u32 = 0x00;
/// PHY_STATUS (BMSR): MII status register.
pub(crate) const PHY_STATUS: u32 = 0x01;
/// PHY_ID1: PHY identifier, high word.
pub(crate) const PHY_ID1: u32 = 0x02;
/// PHY_ID2: PHY identifier, low word and revision.
pub(crate) const PHY_ID2: u32 = 0x03;
/// PHY_AUTONEG_ADV (ANAR): autonegotiation advertisement.
pub(crate) const PHY_AUTONEG_ADV: u32 = 0x04;
/// PHY_LP_ABILITY (ANLPAR): link partner ability, base page.
pub(crate) const PHY_LP_ABILITY: u32 = 0x05;
/// PHY_1000T_CTRL: 1000BASE-T control.
pub(crate) const PHY_1000T_CTRL: u32 = 0x09;
/// IGP01E1000_PHY_PORT_CTRL: port control (MDI/MDI-X).
pub(crate) const IGP01E1000_PHY_PORT_CTRL: u32 = 0x12;
/// IGP02E1000_PHY_POWER_MGMT: power management (LPLU).
pub(crate) const IGP02E1000_PHY_POWER_MGMT: u32 = 0x19;
/// IGP01E1000_PHY_PAGE_SELECT: page select for registers above 0x0F.
pub(crate) const IGP01E1000_PHY_PAGE_SELECT: u32 = 0x1f;

/// BMCR: restart autonegotiation (self-clearing).
pub(crate) const MII_CR_RESTART_AUTO_NEG: u16 = 0x0200;
/// BMCR: power down.
pub(crate) const MII_CR_POWER_DOWN: u16 = 0x0800;
/// BMCR: autonegotiation enable.
pub(crate) const MII_CR_AUTO_NEG_EN: u16 = 0x1000;
/// BMCR: speed select LSB, 100 Mb/s when forcing (`MII_CR_SPEED_100`).
pub(crate) const MII_CR_SPEED_100: u16 = 0x2000;
/// BMCR: speed select MSB, 1000 Mb/s when forcing (`MII_CR_SPEED_1000`).
pub(crate) const MII_CR_SPEED_1000: u16 = 0x0040;
/// BMCR: full duplex when forcing (`MII_CR_FULL_DUPLEX`).
pub(crate) const MII_CR_FULL_DUPLEX: u16 = 0x0100;
/// BMSR: autonegotiation complete.
pub(crate) const MII_SR_AUTONEG_COMPLETE: u16 = 0x0020;
/// ANAR: 10BASE-T half duplex.
pub(crate) const NWAY_AR_10T_HD_CAPS: u16 = 0x0020;
/// ANAR: 10BASE-T full duplex.
pub(crate) const NWAY_AR_10T_FD_CAPS: u16 = 0x0040;
/// ANAR: 100BASE-TX half duplex.
pub(crate) const NWAY_AR_100TX_HD_CAPS: u16 = 0x0080;
/// ANAR: 100BASE-TX full duplex.
pub(crate) const NWAY_AR_100TX_FD_CAPS: u16 = 0x0100;
/// ANAR/ANLPAR: symmetric PAUSE.
pub(crate) const NWAY_AR_PAUSE: u16 = 0x0400;
/// ANAR/ANLPAR: asymmetric PAUSE direction.
pub(crate) const NWAY_AR_ASM_DIR: u16 = 0x0800;
/// 1000T_CTRL: advertise 1000BASE-T half duplex.
pub(crate) const CR_1000T_HD_CAPS: u16 = 0x0100;
/// 1000T_CTRL: advertise 1000BASE-T full duplex.
pub(crate) const CR_1000T_FD_CAPS: u16 = 0x0200;
/// PORT_CTRL: automatic MDI/MDI-X.
pub(crate) const IGP01E1000_PSCR_AUTO_MDIX: u16 = 0x1000;
/// POWER_MGMT: low power link up in D0.
pub(crate) const IGP02E1000_PM_D0_LPLU: u16 = 0x0002;

/// `ADVERTISE_10_HALF` (software advertisement mask, not a register bit).
pub(crate) const ADVERTISE_10_HALF: u16 = 0x0001;
/// `ADVERTISE_10_FULL`.
pub(crate) const ADVERTISE_10_FULL: u16 = 0x0002;
/// `ADVERTISE_100_HALF`.
pub(crate) const ADVERTISE_100_HALF: u16 = 0x0004;
/// `ADVERTISE_100_FULL`.
pub(crate) const ADVERTISE_100_FULL: u16 = 0x0008;
/// `ADVERTISE_1000_FULL` (1000 half duplex is never advertised, as in C).
pub(crate) const ADVERTISE_1000_FULL: u16 = 0x0020;
/// `AUTONEG_ADVERTISE_SPEED_DEFAULT`: every speed/duplex except 1000 half.
pub(crate) const ADVERTISE_DEFAULT: u16 = ADVERTISE_10_HALF
    | ADVERTISE_10_FULL
    | ADVERTISE_100_HALF
    | ADVERTISE_100_FULL
    | ADVERTISE_1000_FULL;

/// `IGP03E1000_E_PHY_ID`: the 82575/82576 internal PHY (QEMU reports it too).
pub(crate) const IGP03E1000_E_PHY_ID: u32 = 0x02a8_0390;
/// `PHY_REVISION_MASK`: PHY_ID2 bits 3:0 are the revision.
const PHY_REVISION_MASK: u32 = 0xffff_fff0;

/// MDIC.PHYADD of the internal PHY.
const PHY_ADDR: u32 = 1;
/// `MAX_PHY_REG_ADDRESS`: MDIC.REGADD is 5 bits.
const MAX_PHY_REG_ADDRESS: u32 = 0x1f;
/// `MAX_PHY_MULTI_PAGE_REG`: registers above need a page select write first.
const MAX_PHY_MULTI_PAGE_REG: u32 = 0x0f;
/// MDIC.OP for a write.
const MDIC_OP_WRITE: u32 = 0b01;
/// MDIC.OP for a read.
const MDIC_OP_READ: u32 = 0b10;
/// `E1000_GEN_POLL_TIMEOUT * 3` polls of 50 us (96 ms) for MDIC.R.
const MDIC_POLL_ATTEMPTS: usize = 640 * 3;

// Software/firmware semaphores (`igb_get_hw_semaphore()`, `igb_acquire_swfw_sync_82575()`).

/// SW_FW_SYNC bit of the PHY of LAN port 0 (`E1000_SWFW_PHY0_SM`).
const SWFW_PHY0_SM: u16 = 0x02;
/// PHY of LAN port 1.
const SWFW_PHY1_SM: u16 = 0x04;
/// PHY of LAN port 2.
const SWFW_PHY2_SM: u16 = 0x20;
/// PHY of LAN port 3.
const SWFW_PHY3_SM: u16 = 0x40;

/// Returns the SW_FW_SYNC bit guarding the PHY of LAN port `lan_id`.
fn swfw_phy_mask(lan_id: u8) -> u16 {
    match lan_id {
        0 => SWFW_PHY0_SM,
        1 => SWFW_PHY1_SM,
        2 => SWFW_PHY2_SM,
        _ => SWFW_PHY3_SM,
    }
}

/// Acquires the SWSM hardware semaphore (`igb_get_hw_semaphore()`): SMBI, set by hardware when
/// SWSM is read while clear, then SWESMBI against the firmware. Busy-waits 50 us per attempt,
/// as many attempts as the NVM has words plus one (13 ms on QEMU), like the C driver. `ENODEV`
/// if the device reads as all ones (gone).
fn get_hw_semaphore(bar: &Bar0<'_>) -> Result {
    let attempts = nvm::word_size(bar) + 1;
    let step = Delta::from_micros(50);

    // A device that dropped off the bus reads all ones (SMBI set, and a
    // bogus NVM size that would make this wait long): `ENODEV` at once.
    let swsm = read_poll_timeout_atomic(
        || Ok(bar.read(regs::SWSM)),
        |swsm: &regs::SWSM| !swsm.smbi() || swsm.into_raw() == u32::MAX,
        step,
        attempts,
    )?;
    if swsm.into_raw() == u32::MAX {
        return Err(ENODEV);
    }

    let granted = read_poll_timeout_atomic(
        || {
            let swsm = bar.read(regs::SWSM);
            bar.write_reg(swsm.with_swesmbi(true));
            Ok(bar.read(regs::SWSM))
        },
        |swsm: &regs::SWSM| swsm.swesmbi(),
        step,
        attempts,
    );
    if granted.is_err() {
        put_hw_semaphore(bar);
    }
    granted.map(|_| ())
}

/// Releases the SWSM hardware semaphore (`igb_put_hw_semaphore()`).
fn put_hw_semaphore(bar: &Bar0<'_>) {
    bar.update(regs::SWSM, |swsm| swsm.with_smbi(false).with_swesmbi(false));
}

/// Ownership of SW_FW_SYNC resources, released on drop.
pub(crate) struct SwFwSync<'a, 'b> {
    bar: &'a Bar0<'b>,
    mask: u16,
}

/// Takes the SW_FW_SYNC resources in `mask` (`igb_acquire_swfw_sync_82575()`): up to 200
/// attempts, busy-waiting 5 ms (the C `mdelay(5)`) while firmware or the other port holds them.
///
/// # Errors
///
/// `ETIMEDOUT` if the semaphore or the resources cannot be obtained.
pub(crate) fn acquire_swfw<'a, 'b>(bar: &'a Bar0<'b>, mask: u16) -> Result<SwFwSync<'a, 'b>> {
    for _ in 0..200 {
        get_hw_semaphore(bar)?;

        let sync = bar.read(regs::SW_FW_SYNC);
        if (sync.sw() | sync.fw()) & mask == 0 {
            bar.write_reg(sync.with_sw(sync.sw() | mask));
            put_hw_semaphore(bar);
            return Ok(SwFwSync { bar, mask });
        }

        put_hw_semaphore(bar);
        udelay(Delta::from_millis(5));
    }

    Err(ETIMEDOUT)
}

impl Drop for SwFwSync<'_, '_> {
    /// `igb_release_swfw_sync_82575()`, with a bounded wait: if SWSM cannot be taken the bits
    /// are cleared anyway (leaving SWSM alone, which the other port may hold).
    fn drop(&mut self) {
        let locked = get_hw_semaphore(self.bar).is_ok();

        let sync = self.bar.read(regs::SW_FW_SYNC);
        self.bar.write_reg(sync.with_sw(sync.sw() & !self.mask));

        if locked {
            put_hw_semaphore(self.bar);
        }
    }
}

/// Waits for the MDIC access in flight (busy-wait, 50 us steps, 96 ms at most).
fn wait_mdic(bar: &Bar0<'_>) -> Result<regs::MDIC> {
    let mdic = read_poll_timeout_atomic(
        || Ok(bar.read(regs::MDIC)),
        |mdic: &regs::MDIC| mdic.ready(),
        Delta::from_micros(50),
        MDIC_POLL_ATTEMPTS,
    )?;

    if mdic.error() {
        Err(EIO)
    } else {
        Ok(mdic)
    }
}

/// Builds the MDIC command for register `offset` of the internal PHY.
fn mdic_command(offset: u32, op: u32, data: u16) -> Result<regs::MDIC> {
    if offset > MAX_PHY_REG_ADDRESS {
        return Err(EINVAL);
    }
    Ok(regs::MDIC::zeroed()
        .try_with_regadd(offset)?
        .with_const_phyadd::<PHY_ADDR>()
        .try_with_op(op)?
        .with_data(data))
}

/// Reads PHY register `offset` (0..=0x1F) through MDIC, without semaphore or paging
/// (`igb_read_phy_reg_mdic()`). Busy-waits at most 96 ms.
///
/// # Errors
///
/// `EINVAL` for an offset above 0x1F, `ETIMEDOUT` if MDIC.R never sets, `EIO` if MDIC.E is
/// set (no PHY, or a register QEMU does not model).
pub(crate) fn read_mdic(bar: &Bar0<'_>, offset: u32) -> Result<u16> {
    bar.write_reg(mdic_command(offset, MDIC_OP_READ, 0)?);
    Ok(wait_mdic(bar)?.data())
}

/// Writes PHY register `offset` (0..=0x1F) through MDIC, without semaphore or paging
/// (`igb_write_phy_reg_mdic()`). Busy-waits at most 96 ms.
///
/// # Errors
///
/// As [`read_mdic`].
pub(crate) fn write_mdic(bar: &Bar0<'_>, offset: u32, data: u16) -> Result {
    bar.write_reg(mdic_command(offset, MDIC_OP_WRITE, data)?);
    wait_mdic(bar).map(|_| ())
}

/// Selects the page of `offset` if it is a multi-page register (`igb_read_phy_reg_igp()`).
fn select_page(bar: &Bar0<'_>, offset: u32) -> Result {
    if offset > MAX_PHY_MULTI_PAGE_REG {
        write_mdic(
            bar,
            IGP01E1000_PHY_PAGE_SELECT,
            u16::try_from(offset).map_err(|_| EINVAL)?,
        )?;
    }
    Ok(())
}

/// Reads PHY register `offset` with the PHY semaphore held and the page selected
/// (`igb_read_phy_reg_igp()`). Busy-waits, never sleeps.
///
/// # Errors
///
/// As [`read_mdic`], plus `ETIMEDOUT` if the semaphore cannot be taken.
pub(crate) fn read_reg(bar: &Bar0<'_>, offset: u32) -> Result<u16> {
    let _sync = acquire_swfw(bar, swfw_phy_mask(mac::lan_id(bar)))?;
    select_page(bar, offset)?;
    read_mdic(bar, offset & MAX_PHY_REG_ADDRESS)
}

/// Writes PHY register `offset` with the PHY semaphore held and the page selected
/// (`igb_write_phy_reg_igp()`). Busy-waits, never sleeps.
///
/// # Errors
///
/// As [`read_reg`].
pub(crate) fn write_reg(bar: &Bar0<'_>, offset: u32, data: u16) -> Result {
    let _sync = acquire_swfw(bar, swfw_phy_mask(mac::lan_id(bar)))?;
    select_page(bar, offset)?;
    write_mdic(bar, offset & MAX_PHY_REG_ADDRESS, data)
}

/// Combines PHY_ID1 and PHY_ID2 into the PHY ID without revision (`igb_get_phy_id()`).
fn phy_id_from_regs(id1: u16, id2: u16) -> u32 {
    ((u32::from(id1) << 16) | u32::from(id2)) & PHY_REVISION_MASK
}

/// Reads the PHY ID (OUI and model, revision masked off); QEMU reports
/// [`IGP03E1000_E_PHY_ID`].
///
/// # Errors
///
/// As [`read_reg`].
pub(crate) fn read_phy_id(bar: &Bar0<'_>) -> Result<u32> {
    let id1 = read_reg(bar, PHY_ID1)?;
    udelay(Delta::from_micros(20));
    let id2 = read_reg(bar, PHY_ID2)?;
    Ok(phy_id_from_regs(id1, id2))
}

/// Resets the PHY through CTRL.PHY_RST and waits for the manageability configuration cycle
/// (`igb_phy_hw_reset()` + `igb_get_cfg_done_82575()`).
///
/// Returns whether EEMNGCTL.CFG_DONE signalled within 100 ms (never on QEMU; not an error).
///
/// PHY_RST is set and cleared by two read-modify-writes under `ctl` (not one held across the
/// 100 us pulse, and not a write-back of a stale CTRL, which could undo a concurrent update).
fn hw_reset(bar: &Bar0<'_>, ctl: &impl CtlOwner) -> Result<bool> {
    let lan = mac::lan_id(bar);
    {
        let _sync = acquire_swfw(bar, swfw_phy_mask(lan))?;
        ctl.with(|c| c.update_ctrl(bar, |ctrl| ctrl.with_phy_rst(true)));
        let _ = bar.read(regs::STATUS);
        udelay(Delta::from_micros(100));
        ctl.with(|c| c.update_ctrl(bar, |ctrl| ctrl.with_phy_rst(false)));
        let _ = bar.read(regs::STATUS);
        udelay(Delta::from_micros(150));
    }

    let done = read_poll_timeout(
        || Ok(bar.read(regs::EEMNGCTL)),
        |r: &regs::EEMNGCTL| {
            if lan == 1 {
                r.cfg_done1()
            } else {
                r.cfg_done0()
            }
        },
        Delta::from_millis(1),
        Delta::from_millis(100),
    );
    Ok(done.is_ok())
}

/// Computes the ANAR value advertising `advertised` (`ADVERTISE_*` mask) and the PAUSE bits
/// for `fc`, keeping the other bits of `current` (`igb_phy_setup_autoneg()`).
fn autoneg_adv_value(current: u16, advertised: u16, fc: FlowControl) -> u16 {
    let speeds = [
        (ADVERTISE_10_HALF, NWAY_AR_10T_HD_CAPS),
        (ADVERTISE_10_FULL, NWAY_AR_10T_FD_CAPS),
        (ADVERTISE_100_HALF, NWAY_AR_100TX_HD_CAPS),
        (ADVERTISE_100_FULL, NWAY_AR_100TX_FD_CAPS),
    ];

    let mut value = speeds.iter().fold(current, |value, &(_, cap)| value & !cap);
    for (adv, cap) in speeds {
        if advertised & adv != 0 {
            value |= cap;
        }
    }

    // There is no way to advertise Rx-only PAUSE: advertise both and let the resolution after
    // link up (`crate::mac::resolve_fc`) disable transmission.
    match fc {
        FlowControl::None => value & !(NWAY_AR_ASM_DIR | NWAY_AR_PAUSE),
        FlowControl::RxPause | FlowControl::Full => value | NWAY_AR_ASM_DIR | NWAY_AR_PAUSE,
        FlowControl::TxPause => (value | NWAY_AR_ASM_DIR) & !NWAY_AR_PAUSE,
    }
}

/// Computes the 1000T_CTRL value for `advertised`, keeping the other bits of `current`.
fn ctrl_1000t_value(current: u16, advertised: u16) -> u16 {
    let value = current & !(CR_1000T_HD_CAPS | CR_1000T_FD_CAPS);
    if advertised & ADVERTISE_1000_FULL != 0 {
        value | CR_1000T_FD_CAPS
    } else {
        value
    }
}

/// Programs the autonegotiation advertisement (ANAR and 1000T_CTRL) for `advertised`
/// (`ADVERTISE_*` mask) and `fc`, then restarts autonegotiation
/// (`igb_copper_link_autoneg()`). Does not sleep.
///
/// This is all QEMU needs to bring the link (back) up after a reset, and what ethtool
/// advertisement changes will use.
///
/// # Errors
///
/// `EINVAL` if `advertised` selects no speed, or a [`read_reg`] error.
pub(crate) fn restart_autoneg(bar: &Bar0<'_>, advertised: u16, fc: FlowControl) -> Result {
    let advertised = advertised & ADVERTISE_DEFAULT;
    if advertised == 0 {
        return Err(EINVAL);
    }

    let anar = read_reg(bar, PHY_AUTONEG_ADV)?;
    let ctrl_1000t = read_reg(bar, PHY_1000T_CTRL)?;
    write_reg(
        bar,
        PHY_AUTONEG_ADV,
        autoneg_adv_value(anar, advertised, fc),
    )?;
    write_reg(
        bar,
        PHY_1000T_CTRL,
        ctrl_1000t_value(ctrl_1000t, advertised),
    )?;

    let bmcr = read_reg(bar, PHY_CONTROL)?;
    write_reg(
        bar,
        PHY_CONTROL,
        bmcr | MII_CR_AUTO_NEG_EN | MII_CR_RESTART_AUTO_NEG,
    )
}

/// What [`setup_link`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PhySetup {
    /// PHY ID read from the PHY (revision masked off).
    pub(crate) phy_id: u32,
    /// The manageability configuration cycle signalled completion after the PHY reset (never
    /// on QEMU).
    pub(crate) cfg_done: bool,
    /// Firmware blocks PHY resets (MANC.BLK_PHY_RST_ON_IDE): nothing was changed, the link is
    /// managed by the firmware, as in `igb_setup_link()`.
    pub(crate) reset_blocked: bool,
}

/// Copper link setup of the 82575/82576 internal PHY (`igb_setup_copper_link_82575()` with
/// `igb_copper_link_setup_igp()` and `igb_copper_link_autoneg()`): set CTRL.SLU and clear
/// CTRL.FRCSPD/FRCDPX, reset the PHY, disable D0 LPLU, select automatic MDI/MDI-X, advertise
/// 10/100 half and full and 1000 full with the PAUSE bits of `fc`, and restart
/// autonegotiation. Call it after [`crate::mac::init_hw`] (whose result is `fc`).
///
/// It does not wait for the link: the watchdog polls [`crate::mac::link_status`] (QEMU: up
/// 500 ms later) and calls [`crate::mac::config_after_link_up`] when it comes up.
///
/// Sleeps about 100 ms (plus 100 ms waiting for CFG_DONE on QEMU): not under
/// `Devres::try_access()` (see the module documentation).
///
/// # Errors
///
/// `EOPNOTSUPP` if the port is not copper (SerDes/SGMII parts), `ENODEV` if the PHY is not an
/// IGP03E1000 (M88 and 82580-style PHYs are not supported yet), or a PHY access error.
pub(crate) fn setup_link(bar: &Bar0<'_>, ctl: &impl CtlOwner, fc: FlowControl) -> Result<PhySetup> {
    if mac::media_type(bar) != MediaType::Copper {
        return Err(EOPNOTSUPP);
    }

    // `igb_init_phy_params_82575()`: no I2C for an internal (non-SGMII) PHY.
    bar.update(regs::CTRL_EXT, |r| r.with_i2c_ena(false));

    let phy_id = read_phy_id(bar)?;
    if mac::check_reset_block(bar) {
        return Ok(PhySetup {
            phy_id,
            cfg_done: false,
            reset_blocked: true,
        });
    }
    if phy_id != IGP03E1000_E_PHY_ID {
        return Err(ENODEV);
    }

    ctl.with(|c| {
        c.update_ctrl(bar, |ctrl| {
            ctrl.with_slu(true).with_frcspd(false).with_frcdpx(false)
        })
    });

    let cfg_done = hw_reset(bar, ctl)?;
    // "Wait 100ms for MAC to configure PHY from NVM settings".
    fsleep(Delta::from_millis(100));

    let pm = read_reg(bar, IGP02E1000_PHY_POWER_MGMT)?;
    write_reg(bar, IGP02E1000_PHY_POWER_MGMT, pm & !IGP02E1000_PM_D0_LPLU)?;

    let port_ctrl = read_reg(bar, IGP01E1000_PHY_PORT_CTRL)?;
    write_reg(
        bar,
        IGP01E1000_PHY_PORT_CTRL,
        port_ctrl | IGP01E1000_PSCR_AUTO_MDIX,
    )?;

    // Master/slave resolution stays at the hardware default (`e1000_ms_hw_default`).
    restart_autoneg(bar, ADVERTISE_DEFAULT, fc)?;

    Ok(PhySetup {
        phy_id,
        cfg_done,
        reset_blocked: false,
    })
}

/// Powers the PHY up (BMCR.PDOWN cleared, `igb_power_up_phy_copper()`), on open. QEMU stores
/// the bit but ignores it.
///
/// # Errors
///
/// As [`read_reg`].
pub(crate) fn power_up(bar: &Bar0<'_>) -> Result {
    let bmcr = read_reg(bar, PHY_CONTROL)?;
    write_reg(bar, PHY_CONTROL, bmcr & !MII_CR_POWER_DOWN)
}

/// Powers the PHY down (BMCR.PDOWN set, `igb_power_down_phy_copper()`), on close or remove
/// when no manageability firmware needs the link. The PHY keeps its settings.
///
/// # Errors
///
/// As [`read_reg`].
pub(crate) fn power_down(bar: &Bar0<'_>) -> Result {
    if mac::check_reset_block(bar) {
        return Ok(());
    }
    let bmcr = read_reg(bar, PHY_CONTROL)?;
    write_reg(bar, PHY_CONTROL, bmcr | MII_CR_POWER_DOWN)?;
    udelay(Delta::from_millis(1));
    Ok(())
}

#[kunit_tests(rust_igb_hw_phy)]
mod tests {
    use super::*;

    #[test]
    fn phy_id() {
        // QEMU: PHYID1 = 0x02a8, PHYID2 = 0x0391.
        assert_eq!(phy_id_from_regs(0x02a8, 0x0391), IGP03E1000_E_PHY_ID);
    }

    #[test]
    fn mdic_encoding() -> Result {
        assert_eq!(mdic_command(1, MDIC_OP_READ, 0)?.into_raw(), 0x0821_0000);
        assert_eq!(
            mdic_command(PHY_CONTROL, MDIC_OP_WRITE, 0x1340)?.into_raw(),
            0x0420_1340
        );
        assert!(mdic_command(0x20, MDIC_OP_READ, 0).is_err());
        Ok(())
    }

    #[test]
    fn advertisement() {
        // QEMU's reset ANAR: CSMA | 10/100 half/full | PAUSE | ASM_DIR.
        let anar = 0x0de1;
        assert_eq!(
            autoneg_adv_value(anar, ADVERTISE_DEFAULT, FlowControl::Full),
            0x0de1
        );
        assert_eq!(
            autoneg_adv_value(anar, ADVERTISE_100_FULL, FlowControl::None),
            0x0101
        );
        assert_eq!(
            autoneg_adv_value(0x0001, ADVERTISE_10_HALF, FlowControl::TxPause),
            0x0821
        );
        // QEMU's reset 1000T_CTRL: half | full | port type | master.
        assert_eq!(ctrl_1000t_value(0x0f00, ADVERTISE_DEFAULT), 0x0e00);
        assert_eq!(ctrl_1000t_value(0x0300, ADVERTISE_100_FULL), 0x0000);
    }
}
