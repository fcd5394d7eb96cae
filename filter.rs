// SPDX-License-Identifier: GPL-2.0

//! Receive filters of the 82576: the station address and extra unicast
//! addresses (RAL/RAH, "RAR"), the multicast hash table (MTA), the VLAN
//! filter table (VFTA) and the promiscuous/filter-enable bits of RCTL.
//!
//! Follows `igb_set_rx_mode()`, `igb_write_mc_addr_list()`, `igb_uc_sync()`,
//! `igb_set_mac()`, `igb_vlan_rx_add_vid()`/`igb_vlan_rx_kill_vid()`
//! (`igb_main.c`) and `igb_hash_mc_addr()`/`igb_update_mc_addr_list()`/
//! `igb_vfta_set()` (`e1000_mac.c`), without VFs (all addresses in pool 0):
//!
//! - RAR 0 holds the station address; RAR 1..24 hold extra unicast
//!   addresses (the device's `uc` list: macvlan, `bridge fdb add ... self`).
//!   More than [`UC_ENTRIES`] of them: unicast promiscuous (RCTL.UPE).
//! - The multicast list is hashed into the 4096-bit MTA (RCTL.MO = 0: address
//!   bits 47:36). IFF_ALLMULTI: multicast promiscuous (RCTL.MPE).
//! - IFF_PROMISC: UPE and MPE, and VLAN filtering off (RCTL.VFE clear), as
//!   `igb_vlan_promisc_enable()` decides on an 82576 without VFs. Otherwise
//!   VFE is on and a tagged frame passes only if its VLAN ID's VFTA bit is
//!   set. VLAN 0 (priority tags) is always set, as `igb_restore_vlan()` does.
//!
//! QEMU (`hw/net/igb_core.c`, `igb_receive_assign()` without VMDq, and
//! `e1000x_rx_group_filter()`/`e1000x_rx_vlan_filter()`) implements these
//! same checks: the VFTA first (with VFE, for frames whose EtherType is VET),
//! then broadcast/BAM, MPE, UPE, RAR 0..16 and 16..24 with AV, and the MTA at
//! the MO-selected bits. A frame it rejects is never DMAed, so it does not
//! reach the driver's counters.
//!
//! # State and locking
//!
//! [`Filters`] is the software copy of what was programmed (as the C driver's
//! `mac_table`, `mta_shadow` and `shadow_vfta`), kept in the [`Adapter`]
//! under `Adapter::filters` (a `SpinLockIrq`: `set_rx_mode` runs with BHs off
//! under the address list lock, the VLAN and address callbacks in process
//! context under RTNL). Hardware writes happen under that lock, so the
//! registers always match the copy. [`restore`] rewrites everything from it
//! (and RAR 0 from the interface's current address); `open` calls it, and so
//! must any path that resets the MAC while the interface exists. The stack
//! calls `set_rx_mode` itself after every successful `open`.
//!
//! The mode bits live in RCTL and VMOLR(0), which other contexts also
//! change (ring set-up, `set_features`, teardown, the watchdog does CTRL and
//! TCTL): they are written through `Adapter::ctl_regs`, taken under
//! `filters` for each read-modify-write (see `ctl_regs.rs`).

use kernel::{
    io::{register::Array, Io},
    prelude::*,
};

use crate::{
    ctl_regs::{CtlLock, CtlOwner},
    hw::MacAddr,
    mac,
    net::{Device, RxMode},
    netdev::Adapter,
    regs::{self, Bar0, MTA_ENTRIES, RAR_ENTRIES, VFTA_ENTRIES},
};

/// Extra unicast addresses that fit: every RAR entry but the default (0).
pub(crate) const UC_ENTRIES: usize = RAR_ENTRIES - 1;

/// First RAR entry of the second bank (RAL/RAH at 0x54E0).
const RAR_BANK2: usize = 16;

/// The RCTL and VMOLR(0) filter mode bits for one receive mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RxFlags {
    /// RCTL.UPE / VMOLR.ROPE: accept every unicast frame.
    pub(crate) upe: bool,
    /// RCTL.MPE / VMOLR.MPME: accept every multicast frame.
    pub(crate) mpe: bool,
    /// RCTL.VFE: drop tagged frames whose VLAN is not in the VFTA.
    pub(crate) vfe: bool,
    /// VMOLR.ROMPE: the pool accepts multicast frames matching the MTA.
    pub(crate) rompe: bool,
}

impl RxFlags {
    /// The mode before any `set_rx_mode`: exact filtering.
    const EXACT: Self = Self {
        upe: false,
        mpe: false,
        vfe: true,
        rompe: false,
    };

    /// The flags with receive-all (`rx-all`, `NETIF_F_RXALL`) on or off: on, VLAN
    /// filtering is off too, as in promiscuous mode (`igb_set_rx_mode()`: on the 82576
    /// without VFs `igb_vlan_promisc_enable()` declines, so VFE is cleared).
    pub(crate) const fn with_rx_all(self, on: bool) -> Self {
        Self {
            vfe: self.vfe && !on,
            ..self
        }
    }
}

/// The filter mode for the interface flags and list sizes (the policy of
/// `igb_set_rx_mode()`): promiscuous → UPE + MPE, VLAN filtering off;
/// all-multicast → MPE; more extra unicast addresses than RAR entries → UPE.
pub(crate) fn rx_flags(promisc: bool, allmulti: bool, uc_count: usize, mc_count: usize) -> RxFlags {
    let mpe = promisc || allmulti;
    RxFlags {
        upe: promisc || uc_count > UC_ENTRIES,
        mpe,
        vfe: !promisc,
        rompe: !mpe && mc_count > 0,
    }
}

/// The 12-bit MTA hash of multicast address `addr` for multicast offset `mo`
/// (RCTL.MO, 0..=3) on a 128-register MTA, as `igb_hash_mc_addr()`:
/// MO 0 takes address bits 47:36, 1 bits 46:35, 2 bits 45:34, 3 bits 43:32.
pub(crate) fn mta_hash(addr: &MacAddr, mo: u8) -> u16 {
    // For MO 0 the fifth byte's top nibble and the sixth byte (shift 4).
    let shift: u32 = match mo & 3 {
        0 => 4,
        1 => 5,
        2 => 6,
        _ => 8,
    };
    let v = (u32::from(addr[4]) >> (8 - shift)) | (u32::from(addr[5]) << shift);
    (v & 0xfff) as u16
}

/// The MTA register index and bit mask of `hash` (`igb_update_mc_addr_list()`).
pub(crate) fn mta_bit(hash: u16) -> (usize, u32) {
    (
        usize::from(hash >> 5) & (MTA_ENTRIES - 1),
        1 << (hash & 0x1f),
    )
}

/// The VFTA register index and bit mask of VLAN `vid` (`igb_vfta_set()`).
pub(crate) fn vfta_bit(vid: u16) -> (usize, u32) {
    (
        usize::from(vid >> 5) & (VFTA_ENTRIES - 1),
        1 << (vid & 0x1f),
    )
}

/// The multicast table for the addresses `addrs` (RCTL.MO = 0).
fn mta_table<'a>(addrs: impl Iterator<Item = &'a MacAddr>) -> [u32; MTA_ENTRIES] {
    let mut mta = [0u32; MTA_ENTRIES];
    for addr in addrs {
        let (reg, bit) = mta_bit(mta_hash(addr, 0));
        mta[reg] |= bit;
    }
    mta
}

/// Software copy of the programmed filters (see the module docs).
pub(crate) struct Filters {
    /// RCTL/VMOLR mode bits of the receive mode (`set_rx_mode`).
    flags: RxFlags,
    /// Receive-all is on (`set_rx_all`): VLAN filtering off whatever `flags` say.
    rx_all: bool,
    /// Extra unicast addresses in RAR 1.., the first `uc_len` valid.
    uc: [MacAddr; UC_ENTRIES],
    /// Number of valid entries of `uc`.
    uc_len: usize,
    /// The multicast table.
    mta: [u32; MTA_ENTRIES],
    /// The VLAN filter table.
    vfta: [u32; VFTA_ENTRIES],
}

impl Filters {
    /// Nothing subscribed, exact filtering, VLAN 0 accepted.
    pub(crate) const fn new() -> Self {
        let mut vfta = [0u32; VFTA_ENTRIES];
        vfta[0] = 1;
        Self {
            flags: RxFlags::EXACT,
            rx_all: false,
            uc: [[0; 6]; UC_ENTRIES],
            uc_len: 0,
            mta: [0; MTA_ENTRIES],
            vfta,
        }
    }
}

/// Flushes posted writes by reading STATUS (`wrfl()`).
fn flush(bar: &Bar0<'_>) {
    let _ = bar.read(regs::STATUS);
}

/// Writes RAR entry `index` (1..24) with `addr` in pool 0 (POOLSEL bit 0,
/// `E1000_RAH_POOL_1`) and AV set, or clears it (`igb_rar_set_index()`).
fn write_rar(bar: &Bar0<'_>, index: usize, addr: Option<&MacAddr>) -> Result {
    let (ral, rah) = match addr {
        Some(a) => (
            u32::from_le_bytes([a[0], a[1], a[2], a[3]]),
            regs::RAH::zeroed()
                .with_rah(u16::from_le_bytes([a[4], a[5]]))
                .with_poolsel(1u8)
                .with_av(true),
        ),
        None => (0, regs::RAH::zeroed()),
    };
    if index == 0 {
        return Err(EINVAL);
    }
    if index < RAR_BANK2 {
        bar.try_write(
            regs::RAL::try_at(index).ok_or(EINVAL)?,
            regs::RAL::from_raw(ral),
        )?;
        flush(bar);
        bar.try_write(regs::RAH::try_at(index).ok_or(EINVAL)?, rah)?;
    } else {
        let i = index - RAR_BANK2;
        bar.try_write(
            regs::RAL2::try_at(i).ok_or(EINVAL)?,
            regs::RAL2::from_raw(ral),
        )?;
        flush(bar);
        let rah = regs::RAH2::from_raw(rah.into_raw());
        bar.try_write(regs::RAH2::try_at(i).ok_or(EINVAL)?, rah)?;
    }
    flush(bar);
    Ok(())
}

/// Writes MTA register `index`.
fn write_mta(bar: &Bar0<'_>, index: usize, value: u32) -> Result {
    bar.try_write(
        regs::MTA::try_at(index).ok_or(EINVAL)?,
        regs::MTA::from_raw(value),
    )
}

/// Writes VFTA register `index` (`igb_write_vfta()`).
fn write_vfta(bar: &Bar0<'_>, index: usize, value: u32) -> Result {
    bar.try_write(
        regs::VFTA::try_at(index).ok_or(EINVAL)?,
        regs::VFTA::from_raw(value),
    )?;
    flush(bar);
    Ok(())
}

/// RCTL with the mode bits of `f` (UPE, MPE, VFE) and every other bit of
/// `r` kept.
pub(crate) fn rctl_with_flags(r: regs::RCTL, f: RxFlags) -> regs::RCTL {
    r.with_upe(f.upe).with_mpe(f.mpe).with_vfe(f.vfe)
}

/// VMOLR(0) with the mode bits of `f` (ROPE, MPME, ROMPE; used by the
/// hardware only with VMDq) and every other bit of `r` kept.
pub(crate) fn vmolr_with_flags(r: regs::VMOLR, f: RxFlags) -> regs::VMOLR {
    r.with_rope(f.upe).with_mpme(f.mpe).with_rompe(f.rompe)
}

/// Applies the mode bits to RCTL and VMOLR(0), each one read-modify-write
/// under the register lock (`ctl`), since ring set-up, `set_features` and
/// teardown change other bits of both.
fn write_flags(bar: &Bar0<'_>, ctl: &CtlLock, f: RxFlags) {
    ctl.with(|c| c.update_rctl(bar, |r| rctl_with_flags(r, f)));
    ctl.with(|c| c.update_vmolr0(bar, |r| vmolr_with_flags(r, f)));
    flush(bar);
}

/// `ndo_set_rx_mode`: program the multicast table, the extra unicast
/// addresses and the mode bits for `mode`. Non-sleeping; only the registers
/// that change are written.
pub(crate) fn set_rx_mode(dev: &Device<Adapter>, mode: &RxMode) {
    let Ok(hw) = Adapter::hw(dev) else {
        return;
    };
    let flags = rx_flags(
        mode.promisc,
        mode.allmulti,
        mode.uc_count as usize,
        mode.mc_count as usize,
    );
    let mta = mta_table(mode.mc_addrs());
    let mut f = dev.data().filters.lock();
    let mut res = Ok(());
    for (i, (new, old)) in mta.iter().zip(f.mta.iter_mut()).enumerate() {
        if new != old {
            *old = *new;
            res = res.and(write_mta(hw, i, *new));
        }
    }
    // As `__dev_uc_sync()` with `igb_uc_sync()`: the addresses that fit get
    // an entry; UPE (in `flags`) takes the rest.
    let mut n = 0;
    for addr in mode.uc_addrs().take(UC_ENTRIES) {
        if n >= f.uc_len || f.uc[n] != *addr {
            f.uc[n] = *addr;
            res = res.and(write_rar(hw, n + 1, Some(addr)));
        }
        n += 1;
    }
    for i in n..f.uc_len {
        res = res.and(write_rar(hw, i + 1, None));
    }
    f.uc_len = n;
    f.flags = flags;
    write_flags(hw, &dev.data().ctl_regs, flags.with_rx_all(f.rx_all));
    drop(f);
    if res.is_err() {
        dev_warn!(
            dev.parent(),
            "{}: receive filter update failed\n",
            dev.name()
        );
    }
}

/// `ndo_set_mac_address`: install `addr` as the station address in RAR 0
/// (`igb_set_mac()` → `igb_set_default_mac_filter()`).
pub(crate) fn set_mac_address(dev: &Device<Adapter>, addr: &MacAddr) -> Result {
    let hw = Adapter::hw(dev)?;
    let _f = dev.data().filters.lock();
    mac::set_default_mac_filter(hw, addr)
}

/// Accept (`on`) or stop accepting VLAN `vid` in the VFTA (`igb_vfta_set()`
/// without VLVF). VLAN 0 is never removed, as in `igb_vlan_rx_kill_vid()`.
pub(crate) fn set_vlan(dev: &Device<Adapter>, vid: u16, on: bool) -> Result {
    if vid >= crate::net::addr::VLAN_N_VID {
        return Err(EINVAL);
    }
    if vid == 0 && !on {
        return Ok(());
    }
    let hw = Adapter::hw(dev)?;
    let (reg, bit) = vfta_bit(vid);
    let mut f = dev.data().filters.lock();
    let word = f.vfta.get_mut(reg).ok_or(EINVAL)?;
    let new = if on { *word | bit } else { *word & !bit };
    if new != *word {
        *word = new;
        write_vfta(hw, reg, new)?;
    }
    Ok(())
}

/// Reprogram every filter from the software copy, and RAR 0 from the
/// interface's current address: after a MAC reset and in `open`. Process
/// context (RTNL held, so the station address is stable); non-sleeping.
pub(crate) fn restore(dev: &Device<Adapter>, hw: &Bar0<'_>) -> Result {
    let f = dev.data().filters.lock();
    mac::set_default_mac_filter(hw, &dev.dev_addr())?;
    for i in 0..UC_ENTRIES {
        write_rar(hw, i + 1, f.uc.get(i).filter(|_| i < f.uc_len))?;
    }
    for (i, v) in f.mta.iter().enumerate() {
        write_mta(hw, i, *v)?;
    }
    for (i, v) in f.vfta.iter().enumerate() {
        write_vfta(hw, i, *v)?;
    }
    write_flags(hw, &dev.data().ctl_regs, f.flags.with_rx_all(f.rx_all));
    Ok(())
}

/// Switches the filter side of receive-all (`ndo_set_features` with `NETIF_F_RXALL`
/// changed): VLAN filtering (RCTL.VFE) off while it is on, back to what the receive mode
/// says when it is off. The RCTL bits for bad and control frames are the offload code's
/// ([`crate::offload::configure`]). Non-sleeping; down, only the state is kept, for
/// `restore` to write.
pub(crate) fn set_rx_all(dev: &Device<Adapter>, on: bool) {
    let mut f = dev.data().filters.lock();
    f.rx_all = on;
    if let Ok(hw) = Adapter::hw(dev) {
        write_flags(hw, &dev.data().ctl_regs, f.flags.with_rx_all(on));
    }
}

#[kunit_tests(rust_igb_filter)]
mod tests {
    use super::*;

    /// Bits `set_rx_mode` owns in RCTL: UPE (3), MPE (4), VFE (18).
    const RCTL_MODE: u32 = (1 << 3) | (1 << 4) | (1 << 18);
    /// Bits it owns in VMOLR(0): ROMPE (25), ROPE (26), MPME (28).
    const VMOLR_MODE: u32 = (1 << 25) | (1 << 26) | (1 << 28);

    /// The receive mode changes only its own bits: RCTL.EN, LPE, SECRC,
    /// BAM, CFIEN (ring set-up, `set_features`) and VMOLR's RLPML, LPE,
    /// STRVLAN, RSSE, AUPE, BAM survive every mode.
    #[test]
    fn mode_bits_keep_the_rest() {
        let rctl = crate::queue::rctl_value(regs::RCTL::zeroed())
            .with_en(true)
            .with_cfien(true);
        let vmolr = regs::VMOLR::from_raw(0x4903_05f2); // STRVLAN|BAM|AUPE|RSSE|LPE|1522
        for (p, a, uc, mc) in [
            (true, false, 0, 0),
            (false, true, 0, 0),
            (false, false, UC_ENTRIES + 1, 0),
            (false, false, 0, 3),
            (false, false, 0, 0),
        ] {
            let f = rx_flags(p, a, uc, mc);
            let r = rctl_with_flags(rctl, f);
            assert_eq!(r.into_raw() & !RCTL_MODE, rctl.into_raw() & !RCTL_MODE);
            assert_eq!((r.upe(), r.mpe(), r.vfe()), (f.upe, f.mpe, f.vfe));
            let v = vmolr_with_flags(vmolr, f);
            assert_eq!(v.into_raw() & !VMOLR_MODE, vmolr.into_raw() & !VMOLR_MODE);
            assert_eq!((v.rope(), v.mpme(), v.rompe()), (f.upe, f.mpe, f.rompe));
        }
    }

    /// The worked example of `igb_hash_mc_addr()` (e1000_mac.c): address
    /// 01:AA:00:12:34:56 hashes to 0x563, 0xAC6, 0x58D, 0x634 for
    /// `mc_filter_type` 0..3. (The C comment says 0x163 for type 2, but its
    /// own expression, `((0x34 >> 2) | (0x56 << 6)) & 0xFFF`, is 0x58D, which
    /// is what the C code computes and QEMU matches.)
    #[test]
    fn hash_matches_c() -> Result {
        let a = [0x01, 0xaa, 0x00, 0x12, 0x34, 0x56];
        assert_eq!(mta_hash(&a, 0), 0x563);
        assert_eq!(mta_hash(&a, 1), 0xac6);
        assert_eq!(mta_hash(&a, 2), 0x58d);
        assert_eq!(mta_hash(&a, 3), 0x634);
        Ok(())
    }

    /// The same hash as the receive side computes it (QEMU's
    /// `e1000x_rx_group_filter()`: bits 4..16 of `addr[5]:addr[4]` shifted
    /// right by 4, 3, 2 or 0 for MO 0..3), for a spread of addresses.
    #[test]
    fn hash_matches_receive_filter() -> Result {
        const SHIFT: [u32; 4] = [4, 3, 2, 0];
        for mo in 0..4u8 {
            for x in (0..=0xffffu32).step_by(0x0101) {
                let a = [0x01, 0, 0x5e, 0, (x & 0xff) as u8, (x >> 8) as u8];
                let want = ((x >> SHIFT[usize::from(mo)]) & 0xfff) as u16;
                assert_eq!(mta_hash(&a, mo), want);
            }
        }
        Ok(())
    }

    /// Groups the guest test uses: 239.1.2.3 and IPv6 all-nodes.
    #[test]
    fn hash_positions() -> Result {
        // 01:00:5e:01:02:03 -> (0x02 >> 4) | (0x03 << 4) = 0x030: MTA[1] bit 16.
        assert_eq!(mta_hash(&[0x01, 0x00, 0x5e, 0x01, 0x02, 0x03], 0), 0x030);
        assert_eq!(mta_bit(0x030), (1, 1 << 16));
        // 33:33:00:00:00:01 -> 0x010: MTA[0] bit 16.
        assert_eq!(
            mta_bit(mta_hash(&[0x33, 0x33, 0, 0, 0, 1], 0)),
            (0, 1 << 16)
        );
        // The last bit of the table.
        assert_eq!(mta_hash(&[0, 0, 0, 0, 0xff, 0xff], 0), 0xfff);
        assert_eq!(mta_bit(0xfff), (127, 1 << 31));
        let t = mta_table([[0x01, 0x00, 0x5e, 0x01, 0x02, 0x03]].iter());
        assert_eq!(t[1], 1 << 16);
        assert_eq!(t.iter().filter(|v| **v != 0).count(), 1);
        Ok(())
    }

    #[test]
    fn vfta_positions() -> Result {
        assert_eq!(vfta_bit(0), (0, 1));
        assert_eq!(vfta_bit(20), (0, 1 << 20));
        assert_eq!(vfta_bit(33), (1, 1 << 1));
        assert_eq!(vfta_bit(4095), (127, 1 << 31));
        Ok(())
    }

    #[test]
    fn policy() -> Result {
        let exact = rx_flags(false, false, 0, 0);
        assert_eq!(exact, RxFlags::EXACT);
        let f = rx_flags(false, false, UC_ENTRIES, 3);
        assert!(!f.upe && !f.mpe && f.vfe && f.rompe);
        let f = rx_flags(false, false, UC_ENTRIES + 1, 0);
        assert!(f.upe && !f.mpe && f.vfe);
        let f = rx_flags(false, true, 0, 3);
        assert!(!f.upe && f.mpe && f.vfe && !f.rompe);
        let f = rx_flags(true, false, 0, 0);
        assert!(f.upe && f.mpe && !f.vfe);
        // Receive-all turns VLAN filtering off and nothing else; off, the mode's own
        // flags (which `Filters` keeps apart, for this) are written as they are.
        let f = rx_flags(false, true, 0, 3);
        assert_eq!(f.with_rx_all(true), RxFlags { vfe: false, ..f });
        assert_eq!(f.with_rx_all(false), f);
        assert!(!rx_flags(true, false, 0, 0).with_rx_all(false).vfe);
        Ok(())
    }
}
