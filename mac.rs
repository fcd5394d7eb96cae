// SPDX-License-Identifier: GPL-2.0

//! MAC layer: device identification, global reset, receive address filters, the MAC side of
//! flow control and link state.
//!
//! Follows `igb_reset_hw_82575()`, `igb_init_hw_82575()` (`e1000_82575.c`) and the generic
//! helpers of `e1000_mac.c`.
//!
//! # Context
//!
//! Only [`reset`] sleeps: call it where sleeping is allowed (probe, or with the BAR obtained
//! through `Devres::access()`), never under `Devres::try_access()`, whose guard holds the RCU
//! read lock. Everything else here only busy-waits for bounded times (NVM and PHY polls, like
//! the C driver) and may run in any context; [`link_status`] is a single register read.

use kernel::{
    io::{
        poll::read_poll_timeout,
        register::Array,
        Io, //
    },
    prelude::*,
    time::{
        delay::fsleep,
        Delta, //
    },
};

use crate::{
    ctl_regs::{self, CtlOwner},
    hw::{
        FlowControl,
        MacAddr,
        ETH_ALEN, //
    },
    nvm, phy,
    regs::{
        self,
        Bar0, //
    },
};

/// MAC generation of an igb device (`enum e1000_mac_type`, igb subset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacType {
    /// 82575 (EB/GB).
    I82575,
    /// 82576 (what QEMU's `-device igb` emulates).
    I82576,
    /// 82580 and DH89xxCC.
    I82580,
    /// I350.
    I350,
    /// I354 (Atom C2000 SoC).
    I354,
    /// I210.
    I210,
    /// I211.
    I211,
}

/// Every PCI device ID (vendor Intel) the C igb driver binds to (`igb_pci_tbl`, IDs from
/// `e1000_hw.h`), with its MAC type; the crate root's PCI ID table lists the same IDs.
pub(crate) const DEVICE_IDS: &[(u16, MacType)] = &[
    (0x10c9, MacType::I82576), // E1000_DEV_ID_82576
    (0x10e6, MacType::I82576), // E1000_DEV_ID_82576_FIBER
    (0x10e7, MacType::I82576), // E1000_DEV_ID_82576_SERDES
    (0x10e8, MacType::I82576), // E1000_DEV_ID_82576_QUAD_COPPER
    (0x1526, MacType::I82576), // E1000_DEV_ID_82576_QUAD_COPPER_ET2
    (0x150a, MacType::I82576), // E1000_DEV_ID_82576_NS
    (0x1518, MacType::I82576), // E1000_DEV_ID_82576_NS_SERDES
    (0x150d, MacType::I82576), // E1000_DEV_ID_82576_SERDES_QUAD
    (0x10a7, MacType::I82575), // E1000_DEV_ID_82575EB_COPPER
    (0x10a9, MacType::I82575), // E1000_DEV_ID_82575EB_FIBER_SERDES
    (0x10d6, MacType::I82575), // E1000_DEV_ID_82575GB_QUAD_COPPER
    (0x150e, MacType::I82580), // E1000_DEV_ID_82580_COPPER
    (0x150f, MacType::I82580), // E1000_DEV_ID_82580_FIBER
    (0x1510, MacType::I82580), // E1000_DEV_ID_82580_SERDES
    (0x1511, MacType::I82580), // E1000_DEV_ID_82580_SGMII
    (0x1516, MacType::I82580), // E1000_DEV_ID_82580_COPPER_DUAL
    (0x1527, MacType::I82580), // E1000_DEV_ID_82580_QUAD_FIBER
    (0x0438, MacType::I82580), // E1000_DEV_ID_DH89XXCC_SGMII
    (0x043a, MacType::I82580), // E1000_DEV_ID_DH89XXCC_SERDES
    (0x043c, MacType::I82580), // E1000_DEV_ID_DH89XXCC_BACKPLANE
    (0x0440, MacType::I82580), // E1000_DEV_ID_DH89XXCC_SFP
    (0x1521, MacType::I350),   // E1000_DEV_ID_I350_COPPER
    (0x1522, MacType::I350),   // E1000_DEV_ID_I350_FIBER
    (0x1523, MacType::I350),   // E1000_DEV_ID_I350_SERDES
    (0x1524, MacType::I350),   // E1000_DEV_ID_I350_SGMII
    (0x1f40, MacType::I354),   // E1000_DEV_ID_I354_BACKPLANE_1GBPS
    (0x1f41, MacType::I354),   // E1000_DEV_ID_I354_SGMII
    (0x1f45, MacType::I354),   // E1000_DEV_ID_I354_BACKPLANE_2_5GBPS
    (0x1533, MacType::I210),   // E1000_DEV_ID_I210_COPPER
    (0x1536, MacType::I210),   // E1000_DEV_ID_I210_FIBER
    (0x1537, MacType::I210),   // E1000_DEV_ID_I210_SERDES
    (0x1538, MacType::I210),   // E1000_DEV_ID_I210_SGMII
    (0x157b, MacType::I210),   // E1000_DEV_ID_I210_COPPER_FLASHLESS
    (0x157c, MacType::I210),   // E1000_DEV_ID_I210_SERDES_FLASHLESS
    (0x1539, MacType::I211),   // E1000_DEV_ID_I211_COPPER
];

impl MacType {
    /// Returns the MAC type of PCI device `device_id` (vendor Intel), `None` if not an igb.
    pub(crate) fn from_device_id(device_id: u16) -> Option<Self> {
        DEVICE_IDS
            .iter()
            .find(|&&(id, _)| id == device_id)
            .map(|&(_, mac)| mac)
    }

    /// Returns `true` if this driver drives this MAC type now (the 82576 only); probe refuses
    /// the others with ENODEV.
    pub(crate) fn is_supported(self) -> bool {
        matches!(self, Self::I82576)
    }

    /// Returns the marketing name, for log messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::I82575 => "82575",
            Self::I82576 => "82576",
            Self::I82580 => "82580",
            Self::I350 => "I350",
            Self::I354 => "I354",
            Self::I210 => "I210",
            Self::I211 => "I211",
        }
    }

    /// Returns the number of receive address (RAR) entries (`E1000_RAR_ENTRIES_*`).
    #[cfg_attr(not(CONFIG_KUNIT), allow(dead_code))] // Used by the KUnit tests.
    pub(crate) fn rar_entries(self) -> usize {
        match self {
            Self::I82575 | Self::I210 | Self::I211 => 16,
            Self::I82576 | Self::I82580 => 24,
            Self::I350 | Self::I354 => 32,
        }
    }
}

/// Physical interface selected by CTRL_EXT.LINK_MODE (`igb_get_invariants_82575()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MediaType {
    /// Internal copper PHY (LINK_MODE 00); QEMU's model and the 82576 copper parts.
    Copper,
    /// SGMII to an external PHY (LINK_MODE 10).
    Sgmii,
    /// Internal SerDes or 1000BASE-KX (LINK_MODE 01 or 11).
    Serdes,
}

/// Returns the media type from CTRL_EXT.LINK_MODE.
pub(crate) fn media_type(bar: &Bar0<'_>) -> MediaType {
    match bar.read(regs::CTRL_EXT).link_mode().get() {
        0 => MediaType::Copper,
        2 => MediaType::Sgmii,
        _ => MediaType::Serdes,
    }
}

/// Returns the LAN port (PCI function) number from STATUS.LAN_ID; always 0 on QEMU.
pub(crate) fn lan_id(bar: &Bar0<'_>) -> u8 {
    bar.read(regs::STATUS).lan_id().get() as u8
}

/// Flushes posted writes by reading STATUS (`wrfl()`).
fn flush(bar: &Bar0<'_>) {
    let _ = bar.read(regs::STATUS);
}

/// Returns `Err(ENODEV)` if the device no longer answers (reads of all ones, as `igb_rd32()`
/// detects a surprise removal).
pub(crate) fn check_present(bar: &Bar0<'_>) -> Result {
    if bar.read(regs::STATUS).into_raw() == u32::MAX {
        Err(ENODEV)
    } else {
        Ok(())
    }
}

/// Returns `true` if manageability firmware blocks PHY resets (MANC.BLK_PHY_RST_ON_IDE,
/// `igb_check_reset_block()`); then link setup must leave the PHY alone.
pub(crate) fn check_reset_block(bar: &Bar0<'_>) -> bool {
    bar.read(regs::MANC).blk_phy_rst_on_ide()
}

/// What [`reset`] observed. None of it is fatal, as in the C driver; log it at debug level.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ResetReport {
    /// STATUS.GIO_MASTER_ENABLE did not clear within 80 ms before the reset.
    pub(crate) master_disable_timed_out: bool,
    /// EECD.Auto_RD was seen within 10 ms of the reset. Never on QEMU: its EECD reset value
    /// (`igb_mac_reg_init[EECD]`) lacks the bit and its NVM needs no load time.
    pub(crate) auto_read_done: bool,
    /// The alternate MAC address found in the NVM and installed in RAR[0], if any.
    pub(crate) alt_mac_addr: Option<MacAddr>,
}

/// Disables PCIe master accesses and waits (100 us steps, 80 ms at most) for the outstanding
/// ones to drain (`igb_disable_pcie_master()`); `ENODEV` at once if the device reads as all
/// ones (gone).
pub(crate) fn disable_pcie_master(bar: &Bar0<'_>, ctl: &impl CtlOwner) -> Result {
    ctl.with(|c| c.update_ctrl(bar, |ctrl| ctrl.with_gio_master_disable(true)));
    // A device that dropped off the bus reads all ones: no use waiting.
    let status = read_poll_timeout(
        || Ok(bar.read(regs::STATUS)),
        |status: &regs::STATUS| !status.gio_master_enable() || status.into_raw() == u32::MAX,
        Delta::from_micros(100),
        Delta::from_millis(80),
    )?;
    if status.into_raw() == u32::MAX {
        return Err(ENODEV);
    }
    Ok(())
}

/// Sets a 10 ms PCIe completion timeout if none is set and disables completion resend
/// (`igb_set_pcie_completion_timeout()`).
///
/// With a version 2 capability (QEMU's GCR advertises one) the C driver writes the timeout
/// into the PCIe Device Control 2 config register instead; that needs config space access,
/// which this BAR-only code does not have, so the device default is kept.
fn set_pcie_completion_timeout(bar: &Bar0<'_>) {
    let gcr = bar.read(regs::GCR);
    let gcr = if gcr.cmpl_tmout() == 0 && !gcr.cap_ver2() {
        gcr.with_const_cmpl_tmout::<1>()
    } else {
        gcr
    };
    bar.write_reg(gcr.with_cmpl_tmout_resend(false));
}

/// Global reset of an 82575/82576 (`igb_reset_hw_82575()`): disable PCIe mastering, mask all
/// interrupts, stop Rx/Tx, set CTRL.RST, wait for the NVM auto-read, mask interrupts again
/// and clear ICR, then install the NVM's alternate MAC address (if any) in RAR[0].
///
/// On QEMU CTRL.RST is handled synchronously (`igb_set_ctrl()` → `igb_reset(core, true)`):
/// every MAC register except RXPBS/TXPBS/EITR and every PHY register returns to its reset
/// value, RAR[0] is reloaded with the permanent address and STATUS.LU is cleared even if the
/// backend link is up (while BMSR.LINK_ST reads 1 from `igb_phy_reg_init[]`), so
/// autonegotiation must be restarted ([`crate::phy::setup_link`] or
/// [`crate::phy::restart_autoneg`]) to get the link back.
///
/// Sleeps for about 12 ms, 22 ms when the NVM auto-read never signals completion (QEMU).
///
/// # Errors
///
/// `ENODEV` if the device reads as all ones, `ETIMEDOUT` if CTRL.RST does not self-clear
/// within 20 ms.
pub(crate) fn reset(bar: &Bar0<'_>, ctl: &impl CtlOwner) -> Result<ResetReport> {
    check_present(bar)?;

    let mut report = ResetReport {
        master_disable_timed_out: disable_pcie_master(bar, ctl).is_err(),
        ..ResetReport::default()
    };

    set_pcie_completion_timeout(bar);

    bar.write_reg(regs::IMC::from_raw(u32::MAX));
    ctl.with(|c| {
        c.write_rctl(bar, regs::RCTL::zeroed());
        c.write_tctl(bar, regs::TCTL::zeroed().with_psp(true));
    });
    flush(bar);
    fsleep(Delta::from_millis(10));

    ctl.with(|c| c.update_ctrl(bar, |ctrl| ctrl.with_rst(true)));
    fsleep(Delta::from_millis(1));

    let ctrl = read_poll_timeout(
        || Ok(ctl_regs::read_ctrl(bar)),
        |ctrl: &regs::CTRL| !ctrl.rst() || ctrl.into_raw() == u32::MAX,
        Delta::from_millis(1),
        Delta::from_millis(20),
    )?;
    if ctrl.into_raw() == u32::MAX {
        return Err(ENODEV);
    }

    // `igb_get_auto_rd_done()`: not fatal, "this can happen in situations where there is no
    // eeprom and prevents getting link".
    report.auto_read_done = read_poll_timeout(
        || Ok(bar.read(regs::EECD)),
        |eecd: &regs::EECD| eecd.auto_rd(),
        Delta::from_millis(1),
        Delta::from_millis(10),
    )
    .is_ok();

    // Without an EEPROM the 82575 needs `igb_reset_init_script_82575()`; the 82576 does not.

    bar.write_reg(regs::IMC::from_raw(u32::MAX));
    let _ = bar.read(regs::ICR);

    // `igb_check_alt_mac_addr()`: NVM errors are not fatal (the C probe ignores them too).
    if let Some(addr) = nvm::read_alt_mac_addr(bar, lan_id(bar)).ok().flatten() {
        set_rar(bar, 0, &addr)?;
        report.alt_mac_addr = Some(addr);
    }

    Ok(report)
}

/// Encodes `addr` as the RAL value and the address bits of RAH (little endian, first byte of
/// the address in bits 7:0 of RAL), the layout `igb_rar_set()` writes.
fn rar_words(addr: &MacAddr) -> (u32, u16) {
    (
        u32::from_le_bytes([addr[0], addr[1], addr[2], addr[3]]),
        u16::from_le_bytes([addr[4], addr[5]]),
    )
}

/// Decodes RAL/RAH values into an address (inverse of [`rar_words`]).
#[cfg_attr(not(CONFIG_KUNIT), allow(dead_code))] // Used by the KUnit tests.
fn rar_addr(ral: u32, rah: u16) -> MacAddr {
    let mut addr = [0u8; ETH_ALEN];
    addr[..4].copy_from_slice(&ral.to_le_bytes());
    addr[4..].copy_from_slice(&rah.to_le_bytes());
    addr
}

/// Writes receive address entry `index` (RAL then RAH, each flushed as the C driver does).
fn write_rar(bar: &Bar0<'_>, index: usize, ral: u32, rah: regs::RAH) -> Result {
    if let Some(loc) = regs::RAL::try_at(index) {
        bar.try_write(loc, regs::RAL::from_raw(ral))?;
        flush(bar);
        bar.try_write(regs::RAH::try_at(index).ok_or(EINVAL)?, rah)?;
    } else {
        let index = index.checked_sub(16).ok_or(EINVAL)?;
        bar.try_write(
            regs::RAL2::try_at(index).ok_or(EINVAL)?,
            regs::RAL2::from_raw(ral),
        )?;
        flush(bar);
        let rah = regs::RAH2::from_raw(rah.into_raw());
        bar.try_write(regs::RAH2::try_at(index).ok_or(EINVAL)?, rah)?;
    }
    flush(bar);
    Ok(())
}

/// Programs receive address entry `index` with `addr` (`igb_rar_set()`): RAH.AV is set unless
/// the address is all zeros, which disables the entry.
///
/// # Errors
///
/// `EINVAL` if `index` is not below [`regs::RAR_ENTRIES`] (24 on the 82576).
pub(crate) fn set_rar(bar: &Bar0<'_>, index: usize, addr: &MacAddr) -> Result {
    let (ral, rah) = rar_words(addr);
    let valid = ral != 0 || rah != 0;
    write_rar(
        bar,
        index,
        ral,
        regs::RAH::zeroed().with_rah(rah).with_av(valid),
    )
}

/// Installs `addr` as the default (entry 0) unicast filter of the PF, as
/// `igb_set_default_mac_filter()` does on the 82576: RAH.AV plus POOLSEL bit 0 (the PF's pool
/// when no VFs are allocated).
///
/// # Errors
///
/// `EINVAL` if `addr` is all zeros.
pub(crate) fn set_default_mac_filter(bar: &Bar0<'_>, addr: &MacAddr) -> Result {
    let (ral, rah) = rar_words(addr);
    if ral == 0 && rah == 0 {
        return Err(EINVAL);
    }
    let rah = regs::RAH::zeroed()
        .with_rah(rah)
        .with_poolsel(1u8)
        .with_av(true);
    write_rar(bar, 0, ral, rah)
}

/// Tells the firmware that the driver owns the device (CTRL_EXT.DRV_LOAD, `igb_get_hw_control()`).
pub(crate) fn get_hw_control(bar: &Bar0<'_>) {
    bar.update(regs::CTRL_EXT, |r| r.with_drv_load(true));
}

/// Hands the device back to the firmware (`igb_release_hw_control()`), when the interface's
/// state is dropped: on remove, and when probe fails after [`get_hw_control`].
pub(crate) fn release_hw_control(bar: &Bar0<'_>) {
    bar.update(regs::CTRL_EXT, |r| r.with_drv_load(false));
}

/// Sets CTRL.SLU and clears CTRL.FRCSPD/FRCDPX: the MAC takes speed and duplex from the PHY
/// (the CTRL part of `igb_setup_copper_link_82575()`). [`reset`] clears CTRL.SLU.
pub(crate) fn set_link_up(bar: &Bar0<'_>, ctl: &impl CtlOwner) {
    ctl.with(|c| {
        c.update_ctrl(bar, |ctrl| {
            ctrl.with_slu(true).with_frcspd(false).with_frcdpx(false)
        })
    });
}

/// `MAX_JUMBO_FRAME_SIZE`: largest frame the Rx FIFO must absorb after an XOFF.
const MAX_JUMBO_FRAME_SIZE: u32 = 0x2600;

/// Computes the flow control (high, low) water marks in bytes from the Rx packet buffer size
/// in KB, as `igb_reset()` does: room for one full frame of ours plus one jumbo frame of the
/// partner above the high mark, 16-byte granularity, low = high - 16.
///
/// FCRTH/FCRTL hold 16 bits, so the marks are capped at 0xFFF0 (only reached with buffers over
/// 74 KB; the 82576 default and QEMU's RXPBS are 64 KB, giving 0xD400/0xD3F0 for 1500 MTU).
///
/// # Errors
///
/// `EINVAL` if the buffer is too small for the frame sizes.
fn fc_watermarks(rx_pba_kb: u32, max_frame_size: u32) -> Result<(u16, u16)> {
    let reserved = max_frame_size
        .checked_add(MAX_JUMBO_FRAME_SIZE)
        .ok_or(EINVAL)?;
    let high = rx_pba_kb
        .checked_mul(1024)
        .and_then(|bytes| bytes.checked_sub(reserved))
        .ok_or(EINVAL)?
        .min(0xfff0)
        & 0xffff_fff0;
    let low = high.checked_sub(16).ok_or(EINVAL)?;
    Ok((high as u16, low as u16))
}

/// Clears the clear-on-read statistics counters (`igb_clear_hw_cntrs_82575()`).
///
/// # Errors
///
/// None in practice: the counter offsets are inside BAR 0.
pub(crate) fn clear_hw_counters(bar: &Bar0<'_>) -> Result {
    macro_rules! read_counters {
        ($($reg:ident),* $(,)?) => { $( let _ = bar.read(regs::$reg); )* };
    }

    read_counters!(
        CRCERRS, ALGNERRC, SYMERRS, RXERRC, MPC, SCC, ECOL, MCC, LATECOL, COLC, DC, TNCRS, SEC,
        CEXTERR, RLEC, XONRXC, XONTXC, XOFFRXC, XOFFTXC, FCRUC, PRC64, PRC127, PRC255, PRC511,
        PRC1023, PRC1522, GPRC, BPRC, MPRC, GPTC, GORCL, GORCH, GOTCL, GOTCH, RNBC, RUC, RFC, ROC,
        RJC, MGTPRC, MGTPDC, MGTPTC, TORL, TORH, TOTL, TOTH, TPR, TPT, PTC64, PTC127, PTC255,
        PTC511, PTC1023, PTC1522, MPTC, BPTC, TSCTC, TSCTFC, IAC,
    );

    for offset in regs::MISC_COUNTERS {
        let _ = bar.try_read32(offset)?;
    }

    Ok(())
}

/// Flow control constants of `igb_setup_link()`: FCAL/FCAH hold 01:80:C2:00:00:01, FCT 0x8808.
const FLOW_CONTROL_ADDRESS_LOW: u32 = 0x00c2_8001;
const FLOW_CONTROL_ADDRESS_HIGH: u16 = 0x0100;
const FLOW_CONTROL_TYPE: u16 = 0x8808;
/// `fc->pause_time` of `igb_reset()`.
const FC_PAUSE_TIME: u16 = 0xffff;
/// `ETHERNET_IEEE_VLAN_TYPE`.
const ETH_P_8021Q: u16 = 0x8100;

/// MAC-side initialization after [`reset`] (`igb_init_hw_82575()` and the register parts of
/// `igb_reset()`/`igb_setup_link()`): clear WUC, the VLAN filter table, the unicast and
/// multicast hash tables and RAR[1..]; install `addr` as the default filter in RAR[0]; set the
/// VLAN EtherType; read the default flow control mode from NVM word 0x0F and program the PAUSE
/// address/type/timer and the Rx FIFO water marks for `max_frame_size` (MTU + 14 + 4 + 4); clear
/// the statistics.
///
/// Returns the requested flow control mode, to pass to [`crate::phy::setup_link`] (which must
/// follow, as `igb_setup_link()` calls the copper setup) and to [`config_after_link_up`].
///
/// Not done (not needed by the 82576 foundation): identification LED init (ethtool identify),
/// the i210 PLL workaround, DMA coalescing, EEE, VFs.
///
/// # Errors
///
/// NVM read errors, `EINVAL` if `addr` is all zeros or the packet buffer is too small.
pub(crate) fn init_hw(bar: &Bar0<'_>, addr: &MacAddr, max_frame_size: u32) -> Result<FlowControl> {
    bar.write_reg(regs::WUC::zeroed());

    for i in 0..regs::VFTA_ENTRIES {
        bar.try_write(regs::VFTA::try_at(i).ok_or(EINVAL)?, regs::VFTA::zeroed())?;
        flush(bar);
    }

    set_default_mac_filter(bar, addr)?;
    for i in 1..regs::RAR_ENTRIES {
        set_rar(bar, i, &[0; ETH_ALEN])?;
    }

    for i in 0..regs::MTA_ENTRIES {
        bar.try_write(regs::MTA::try_at(i).ok_or(EINVAL)?, regs::MTA::zeroed())?;
    }
    for i in 0..regs::UTA_ENTRIES {
        bar.try_write(regs::UTA::try_at(i).ok_or(EINVAL)?, regs::UTA::zeroed())?;
    }

    bar.write_reg(regs::VET::zeroed().with_vet(ETH_P_8021Q));

    let fc = FlowControl::from_nvm_init_control2(nvm::read_word(bar, nvm::NVM_INIT_CONTROL2_REG)?);

    // `igb_setup_link()` leaves everything alone while firmware blocks PHY resets.
    if !check_reset_block(bar) {
        bar.write_reg(regs::FCT::zeroed().with_fct(FLOW_CONTROL_TYPE));
        bar.write_reg(regs::FCAH::zeroed().with_fcah(FLOW_CONTROL_ADDRESS_HIGH));
        bar.write_reg(regs::FCAL::from_raw(FLOW_CONTROL_ADDRESS_LOW));
        bar.write_reg(regs::FCTTV::zeroed().with_ttv(FC_PAUSE_TIME));

        // `igb_set_fc_watermarks()`: thresholds only matter if we send PAUSE frames.
        let (fcrtl, fcrth) = if fc.tx_pause() {
            let rx_pba_kb = bar.read(regs::RXPBS).rxpbsize().get();
            let (high, low) = fc_watermarks(rx_pba_kb, max_frame_size)?;
            (
                regs::FCRTL::zeroed().with_rtl(low).with_xone(true),
                regs::FCRTH::zeroed().with_rth(high),
            )
        } else {
            (regs::FCRTL::zeroed(), regs::FCRTH::zeroed())
        };
        bar.write_reg(fcrtl);
        bar.write_reg(fcrth);
    }

    clear_hw_counters(bar)?;
    Ok(fc)
}

/// Link state decoded from STATUS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkStatus {
    /// STATUS.LU.
    pub(crate) up: bool,
    /// 10, 100 or 1000 when up, 0 when down.
    pub(crate) speed_mbps: u32,
    /// STATUS.FD when up, `false` when down.
    pub(crate) full_duplex: bool,
}

impl LinkStatus {
    /// Decodes STATUS like `igb_get_speed_and_duplex_copper()`.
    pub(crate) fn from_status(status: regs::STATUS) -> Self {
        if !status.lu() {
            return Self {
                up: false,
                speed_mbps: 0,
                full_duplex: false,
            };
        }

        let speed = status.speed().get();
        Self {
            up: true,
            speed_mbps: if speed & 0b10 != 0 {
                1000
            } else if speed & 0b01 != 0 {
                100
            } else {
                10
            },
            full_duplex: status.fd(),
        }
    }
}

/// Returns the link state from STATUS (one register read; callable from any context).
///
/// QEMU sets STATUS.LU 500 ms (virtual time) after the PHY's autonegotiation is restarted
/// (`e1000x_restart_autoneg()` → `igb_autoneg_timer()`), raises ICR.LSC, reports 1000 Mb/s full
/// duplex unless speed/duplex are forced in CTRL (`igb_get_status()`), and ignores CTRL.SLU.
/// The C watchdog (`igb_has_link()`) asks the PHY (BMSR.LINK_ST, see
/// [`crate::phy::has_link`]) and reads speed/duplex from STATUS; on the 82576 with CTRL.SLU set
/// STATUS.LU follows the PHY link.
pub(crate) fn link_status(bar: &Bar0<'_>) -> LinkStatus {
    LinkStatus::from_status(bar.read(regs::STATUS))
}

/// Sets CTRL.TFCE/RFCE for `fc` (`igb_force_mac_fc()`).
pub(crate) fn force_mac_fc(bar: &Bar0<'_>, ctl: &impl CtlOwner, fc: FlowControl) {
    ctl.with(|c| {
        c.update_ctrl(bar, |ctrl| {
            ctrl.with_tfce(fc.tx_pause()).with_rfce(fc.rx_pause())
        })
    });
}

/// Resolves the flow control mode after autonegotiation from our advertisement (`local`, PHY
/// register 4) and the partner's (`partner`, register 5), following the IEEE 802.3 Annex 28B
/// table as `igb_config_fc_after_link_up()` does (with `strict_ieee` off). Half duplex disables
/// flow control.
pub(crate) fn resolve_fc(
    requested: FlowControl,
    local: u16,
    partner: u16,
    full_duplex: bool,
) -> FlowControl {
    let (pause, asm_dir) = (phy::NWAY_AR_PAUSE, phy::NWAY_AR_ASM_DIR);
    let local_pause = local & pause != 0;
    let local_asm = local & asm_dir != 0;
    let partner_pause = partner & pause != 0;
    let partner_asm = partner & asm_dir != 0;

    let fc = if local_pause && partner_pause {
        if requested == FlowControl::Full {
            FlowControl::Full
        } else {
            FlowControl::RxPause
        }
    } else if !local_pause && local_asm && partner_pause && partner_asm {
        FlowControl::TxPause
    } else if local_pause && local_asm && !partner_pause && partner_asm {
        FlowControl::RxPause
    } else if matches!(requested, FlowControl::None | FlowControl::TxPause) {
        FlowControl::None
    } else {
        FlowControl::RxPause
    };

    if full_duplex {
        fc
    } else {
        FlowControl::None
    }
}

/// `E1000_COLLISION_DISTANCE`: TCTL.COLD value programmed once link is up.
const COLLISION_DISTANCE: u32 = 63;

/// Configures the MAC for a link that just came up (the tail of `igb_check_for_copper_link()`):
/// sets the collision distance and the flow control mode resolved from the autonegotiation
/// result (`igb_config_fc_after_link_up()`). Call it from the watchdog when
/// [`link_status`] goes from down to up; `requested` is what [`init_hw`] returned.
///
/// Returns the flow control mode in effect. On QEMU the partner advertises symmetric PAUSE
/// (`igb_phy_reg_init[MII_ANLPAR]`), so a full request resolves to full, matching the
/// CTRL.TFCE/RFCE QEMU sets itself when autonegotiation completes.
///
/// Takes the PHY semaphore; busy-waits, never sleeps (fine under `Devres::try_access()`).
///
/// # Errors
///
/// PHY access errors (see [`crate::phy::read_reg`]).
///
/// CTRL and TCTL are shared with ring set-up, `set_features`, ethtool and teardown, and the
/// watchdog runs without RTNL: each update takes `ctl` (the adapter's register lock).
pub(crate) fn config_after_link_up(
    bar: &Bar0<'_>,
    ctl: &impl CtlOwner,
    requested: FlowControl,
) -> Result<FlowControl> {
    ctl.with(|c| c.update_tctl(bar, |tctl| tctl.with_const_cold::<COLLISION_DISTANCE>()));
    flush(bar);

    force_mac_fc(bar, ctl, requested);

    // BMSR is read twice: its link bit latches low.
    let _ = phy::read_reg(bar, phy::PHY_STATUS)?;
    let bmsr = phy::read_reg(bar, phy::PHY_STATUS)?;
    if bmsr & phy::MII_SR_AUTONEG_COMPLETE == 0 {
        return Ok(requested);
    }

    let local = phy::read_reg(bar, phy::PHY_AUTONEG_ADV)?;
    let partner = phy::read_reg(bar, phy::PHY_LP_ABILITY)?;
    let fc = resolve_fc(requested, local, partner, link_status(bar).full_duplex);
    force_mac_fc(bar, ctl, fc);
    Ok(fc)
}

#[kunit_tests(rust_igb_hw_mac)]
mod tests {
    use super::*;

    #[test]
    fn device_ids() {
        assert_eq!(MacType::from_device_id(0x10c9), Some(MacType::I82576));
        assert_eq!(MacType::from_device_id(0x10a7), Some(MacType::I82575));
        assert_eq!(MacType::from_device_id(0x1533), Some(MacType::I210));
        assert_eq!(MacType::from_device_id(0x1539), Some(MacType::I211));
        assert_eq!(MacType::from_device_id(0x1f45), Some(MacType::I354));
        assert_eq!(MacType::from_device_id(0x100e), None);
        assert!(MacType::I82576.is_supported());
        assert!(!MacType::I350.is_supported());
        assert_eq!(MacType::I82576.rar_entries(), regs::RAR_ENTRIES);
        assert_eq!(DEVICE_IDS.len(), 35);
    }

    #[test]
    fn link_status_decode() {
        let up_1000_fd = LinkStatus::from_status(regs::STATUS::from_raw(0x8008_0083));
        assert_eq!(
            up_1000_fd,
            LinkStatus {
                up: true,
                speed_mbps: 1000,
                full_duplex: true
            }
        );
        let up_100_hd = LinkStatus::from_status(regs::STATUS::from_raw(0x42));
        assert_eq!((up_100_hd.speed_mbps, up_100_hd.full_duplex), (100, false));
        let up_10 = LinkStatus::from_status(regs::STATUS::from_raw(0x3));
        assert_eq!(up_10.speed_mbps, 10);
        // QEMU right after CTRL.RST: PHYRA | bit 31, no LU.
        assert!(!LinkStatus::from_status(regs::STATUS::from_raw(0x8000_0400)).up);
    }

    #[test]
    fn rar_encoding() {
        let addr = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
        let (ral, rah) = rar_words(&addr);
        assert_eq!(ral, 0x1200_5452);
        assert_eq!(rah, 0x5634);
        assert_eq!(rar_addr(ral, rah), addr);
        let high = regs::RAH::zeroed().with_rah(rah).with_av(true);
        assert_eq!(high.into_raw(), 0x8000_5634);
    }

    #[test]
    fn watermarks() -> Result {
        // 82576/QEMU: RXPBS = 64 KB, 1500 MTU + Ethernet, FCS and VLAN headers.
        assert_eq!(fc_watermarks(64, 1522)?, (0xd400, 0xd3f0));
        assert_eq!(fc_watermarks(127, 1522)?, (0xfff0, 0xffe0));
        assert!(fc_watermarks(8, 1522).is_err());
        assert!(fc_watermarks(64, u32::MAX).is_err());
        Ok(())
    }

    #[test]
    fn flow_control_resolution() {
        let (p, a) = (phy::NWAY_AR_PAUSE, phy::NWAY_AR_ASM_DIR);
        let full = FlowControl::Full;
        assert_eq!(resolve_fc(full, p | a, p, true), FlowControl::Full);
        assert_eq!(
            resolve_fc(FlowControl::RxPause, p | a, p, true),
            FlowControl::RxPause
        );
        assert_eq!(
            resolve_fc(FlowControl::TxPause, a, p | a, true),
            FlowControl::TxPause
        );
        assert_eq!(resolve_fc(full, p | a, a, true), FlowControl::RxPause);
        assert_eq!(resolve_fc(full, p | a, 0, true), FlowControl::RxPause);
        assert_eq!(resolve_fc(FlowControl::None, 0, 0, true), FlowControl::None);
        assert_eq!(resolve_fc(full, p | a, p, false), FlowControl::None);
    }
}
