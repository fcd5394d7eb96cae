// SPDX-License-Identifier: GPL-2.0

//! `ethtool_ops`: the callbacks behind the `ethtool` command.
//!
//! C headers: include/linux/ethtool.h, include/uapi/linux/ethtool.h
//!
//! All callbacks run in process context with RTNL held. Those that reconfigure
//! the interface (`set_ringparam`, `set_channels`, `self_test`) receive an
//! [`Rtnl`] token for the functions that need RTNL; others can be given one
//! the same way when a driver needs it.
//!
//! Buffers the core allocated are sized from what the core says it
//! allocated (`regs->len`, the string count `get_sset_count` returned, the
//! lengths in `ethtool_stats`/`ethtool_test`/`ethtool_eeprom`), never by
//! asking the driver's length callbacks again: a driver whose answer changed
//! in between must not make the glue write past the buffer.
//!
//! This file holds the driver's [`Operations`] trait and the types its
//! methods take; the `ethtool_ops` table and its C callbacks are in `ops`.
//! The standard statistics (`ethtool -S --all-groups`, `ethtool -I -a`) are
//! in [`std_stats`].

use core::fmt;

use kernel::{
    error::VTABLE_DEFAULT_ERROR,
    prelude::*, //
};

use super::{
    bindings, device,
    ethtool_queues::{self as q, Channels, Coalesce, RingParams},
    rtnl::Rtnl,
    Device,
};

mod ops;
mod rx_class;
mod rxfh_fields;
pub(crate) mod std_stats;

pub(crate) use ops::OpsTable;
pub(crate) use rxfh_fields::{FlowType, HashFields};
pub(crate) use std_stats::{EthCtrlStats, EthMacStats, PauseStats, RmonRange, RmonStats};

/// Legacy (`u32`) link-mode bits of `include/uapi/linux/ethtool.h`
/// (`SUPPORTED_*` / `ADVERTISED_*`); the kernel converts them to link-mode
/// bitmaps. Their values are uapi and cannot change.
pub(crate) mod mode {
    /// 10BASE-T half duplex.
    pub(crate) const T10_HALF: u32 = 1 << 0;
    /// 10BASE-T full duplex.
    pub(crate) const T10_FULL: u32 = 1 << 1;
    /// 100BASE-TX half duplex.
    pub(crate) const T100_HALF: u32 = 1 << 2;
    /// 100BASE-TX full duplex.
    pub(crate) const T100_FULL: u32 = 1 << 3;
    /// 1000BASE-T full duplex.
    pub(crate) const T1000_FULL: u32 = 1 << 5;
    /// Autonegotiation.
    pub(crate) const AUTONEG: u32 = 1 << 6;
    /// Twisted-pair port.
    pub(crate) const TP: u32 = 1 << 7;
    /// Symmetric pause.
    pub(crate) const PAUSE: u32 = 1 << 13;
    /// Asymmetric pause.
    pub(crate) const ASYM_PAUSE: u32 = 1 << 14;
}

/// What `ethtool <if>` shows about the link.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LinkSettings {
    /// Speed in Mb/s, `None` while the link is down.
    pub(crate) speed_mbps: Option<u32>,
    /// Duplex, `None` while the link is down.
    pub(crate) full_duplex: Option<bool>,
    /// Whether autonegotiation is enabled.
    pub(crate) autoneg: bool,
    /// PHY address on the MDIO bus.
    pub(crate) phy_address: u8,
    /// Supported modes ([`mode`] bits).
    pub(crate) supported: u32,
    /// Advertised modes ([`mode`] bits).
    pub(crate) advertising: u32,
    /// Modes the link partner advertised ([`mode`] bits).
    pub(crate) lp_advertising: u32,
}

/// `struct ethtool_drvinfo` under construction: the abstraction fills in the
/// driver name and bus address; the driver adds versions.
pub(crate) struct DrvInfo<'a>(&'a mut bindings::ethtool_drvinfo);

impl DrvInfo<'_> {
    /// Set the firmware (NVM) version string, truncated to fit.
    pub(crate) fn set_fw_version(&mut self, args: fmt::Arguments<'_>) {
        copy_fmt(&mut self.0.fw_version, args);
    }
}

/// Format `args` into the fixed C string `dst`, truncating, NUL-terminated.
fn copy_fmt(dst: &mut [c_char], args: fmt::Arguments<'_>) {
    struct W<'b> {
        buf: &'b mut [c_char],
        pos: usize,
    }
    impl fmt::Write for W<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for &b in s.as_bytes() {
                // Keep the last byte for the terminating NUL.
                if self.pos + 1 >= self.buf.len() {
                    break;
                }
                self.buf[self.pos] = b as c_char;
                self.pos += 1;
            }
            Ok(())
        }
    }
    let mut w = W { buf: dst, pos: 0 };
    // Our writer never fails; truncation is intended.
    let _ = fmt::write(&mut w, args);
    if let Some(end) = w.buf.get_mut(w.pos) {
        *end = 0;
    }
}

/// Copy the C string `src` into `dst`, truncating, NUL-terminated.
fn copy_cstr(dst: &mut [c_char], src: &CStr) {
    let src = src.to_bytes();
    let n = src.len().min(dst.len().saturating_sub(1));
    for (i, d) in dst.iter_mut().enumerate().take(n) {
        *d = src.get(i).copied().unwrap_or(0) as c_char;
    }
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}

/// The `ethtool_ops` a driver provides for its private data type.
#[vtable]
pub(crate) trait Operations: Sized {
    /// `get_drvinfo`: add versions to `info` (driver name and bus address are
    /// already filled in).
    fn get_drvinfo(_dev: &Device<Self>, _info: &mut DrvInfo<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_link_ksettings`: the current link settings.
    fn get_link_settings(_dev: &Device<Self>) -> Result<LinkSettings> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    // Queue-related operations (see `ethtool_queues.rs`).

    /// `get_ringparam`: ring sizes and their maxima.
    fn get_ringparam(_dev: &Device<Self>) -> RingParams {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_ringparam`: resize the TX and RX rings (values above the maxima
    /// were already refused by the core).
    fn set_ringparam(_dev: &Device<Self>, _rtnl: Rtnl<'_>, _tx: u32, _rx: u32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_channels`: queue channels in use and their maxima.
    fn get_channels(_dev: &Device<Self>) -> Channels {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_channels`: change the number of channels.
    fn set_channels(_dev: &Device<Self>, _rtnl: Rtnl<'_>, _ch: &Channels) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The coalescing parameters `set_coalesce` accepts
    /// (`supported_coalesce_params`; the core refuses the others).
    const SUPPORTED_COALESCE: u32 = 0;

    /// `get_coalesce`: interrupt coalescing in force.
    fn get_coalesce(_dev: &Device<Self>) -> Result<Coalesce> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_coalesce`: change interrupt coalescing.
    fn set_coalesce(_dev: &Device<Self>, _c: &Coalesce) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_rx_ring_count`: RX queues in use (bounds the RSS table entries).
    fn get_rx_ring_count(_dev: &Device<Self>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Entries of the RSS indirection table and bytes of the RSS key.
    fn rxfh_sizes(_dev: &Device<Self>) -> (u32, u32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_rxfh`: fill whichever of the indirection table and key the
    /// caller asked for (sized by [`Operations::rxfh_sizes`]).
    fn get_rxfh(
        _dev: &Device<Self>,
        _indir: Option<&mut [u32]>,
        _key: Option<&mut [u8]>,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_rxfh`: replace the indirection table and/or key (Toeplitz only;
    /// other hash functions are refused before this is called).
    fn set_rxfh(_dev: &Device<Self>, _indir: Option<&[u32]>, _key: Option<&[u8]>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Answer `ethtool -n <if>` (`get_rxnfc`'s rule queries) with an empty
    /// rule table, as a driver without flow steering rules does (see
    /// [`rx_class`]). Off: no `get_rxnfc`, and the core answers `EOPNOTSUPP`.
    const NO_RX_CLASS_RULES: bool = false;

    /// `get_rxfh_fields`: the header fields hashed for `flow` (`ethtool -n
    /// <if> rx-flow-hash`); `EINVAL` for a flow type not hashed.
    fn get_rxfh_fields(_dev: &Device<Self>, _flow: FlowType) -> Result<HashFields> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_rxfh_fields`: hash `fields` for `flow` (`ethtool -N <if>
    /// rx-flow-hash`); `EINVAL`, with nothing changed, for a set the device
    /// cannot hash.
    fn set_rxfh_fields(_dev: &Device<Self>, _flow: FlowType, _fields: HashFields) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    // Control-plane operations (issue 5); each one left out stays `NULL` in
    // the table, so the core answers `EOPNOTSUPP`.

    /// `get_msglevel`.
    fn get_msglevel(_dev: &Device<Self>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `set_msglevel`.
    fn set_msglevel(_dev: &Device<Self>, _level: u32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_regs_len` in bytes (a multiple of 4).
    fn get_regs_len(_dev: &Device<Self>) -> usize {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_regs`: fill `out` (zeroed, as many bytes as the core allocated,
    /// at most [`Self::get_regs_len`]) and return the dump version.
    fn get_regs(_dev: &Device<Self>, _out: &mut RegsOut<'_>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_eeprom_len` in bytes.
    fn get_eeprom_len(_dev: &Device<Self>) -> usize {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_eeprom`: read `out.len()` bytes from byte `offset` (validated
    /// against [`Self::get_eeprom_len`], non-empty); returns the magic.
    fn get_eeprom(_dev: &Device<Self>, _offset: usize, _out: &mut [u8]) -> Result<u32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `set_link_ksettings`: `EINVAL` for unsupported combinations.
    fn set_link_settings(_dev: &Device<Self>, _req: &LinkRequest) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `nway_reset`: restart autonegotiation.
    fn nway_reset(_dev: &Device<Self>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_pauseparam`.
    fn get_pause(_dev: &Device<Self>) -> PauseParams {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `set_pauseparam`.
    fn set_pause(_dev: &Device<Self>, _p: PauseParams) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_wol`: the Wake-on-LAN events supported and enabled.
    fn get_wol(_dev: &Device<Self>) -> WolInfo {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `set_wol`: enable the `WAKE_*` events `wolopts` (all others off).
    fn set_wol(_dev: &Device<Self>, _wolopts: u32) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `set_phys_id`; for [`LedState::Active`] returns the blink frequency.
    fn set_phys_id(_dev: &Device<Self>, _state: LedState) -> Result<u32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Names of the `ethtool -S` statistics. The count is taken by a
    /// counting pass (`get_sset_count`) and the buffer sized from it: names
    /// beyond it are dropped, missing ones left empty. [`Self::get_stats`]
    /// pushes the values in the same order.
    fn stat_strings(_dev: &Device<Self>, _out: &mut Strings<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Values of the `ethtool -S` statistics.
    fn get_stats(_dev: &Device<Self>, _out: &mut StatsOut<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// Names of the self-tests, one per result slot of [`Self::self_test`].
    fn test_strings(_dev: &Device<Self>, _out: &mut Strings<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `self_test`: run the online tests, and the offline ones too if
    /// `offline`; a failed result sets `ETH_TEST_FL_FAILED`.
    fn self_test(_dev: &Device<Self>, _rtnl: Rtnl<'_>, _offline: bool, _out: &mut TestResults<'_>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    // Standard statistics (see `ethtool/std_stats.rs`); counters left `None`
    // are not reported.

    /// `get_eth_mac_stats`: IEEE 802.3 MAC counters (`ethtool -S <if>
    /// --groups eth-mac`).
    fn get_eth_mac_stats(_dev: &Device<Self>) -> EthMacStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_eth_ctrl_stats`: IEEE 802.3 MAC Control counters (`--groups
    /// eth-ctrl`).
    fn get_eth_ctrl_stats(_dev: &Device<Self>) -> EthCtrlStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// The packet-size buckets of [`Self::get_rmon_stats`]'s histograms, at
    /// most `ETHTOOL_RMON_HIST_MAX`, none empty or `0..=0` (checked at
    /// compile time).
    const RMON_RANGES: &'static [RmonRange] = &[];
    /// `get_rmon_stats`: RMON counters and the size histograms (`--groups
    /// rmon`).
    fn get_rmon_stats(_dev: &Device<Self>) -> RmonStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
    /// `get_pause_stats`: PAUSE frames sent and received (`ethtool -I -a`).
    fn get_pause_stats(_dev: &Device<Self>) -> PauseStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

// --- Control-plane operations (issue 5): types, trait and C callbacks. -----

/// `PORT_TP`: twisted-pair port (uapi).
pub(crate) const PORT_TP: u32 = bindings::PORT_TP;

/// What `ethtool -s` asks for (`set_link_ksettings`), decoded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinkRequest {
    /// Autonegotiation requested.
    pub(crate) autoneg: bool,
    /// Forced speed in Mb/s (`None` if unknown/unset).
    pub(crate) speed_mbps: Option<u32>,
    /// Forced duplex (`None` if unknown/unset).
    pub(crate) full_duplex: Option<bool>,
    /// Advertised modes as legacy [`mode`] bits.
    pub(crate) advertising: u32,
    /// Whether the advertised link-mode map fits in the legacy bits (a mode
    /// beyond them, e.g. 2500BASE-T, makes this `false`).
    pub(crate) advertising_legacy: bool,
    /// `eth_tp_mdix_ctrl` (0 = not set, 1 = MDI, 2 = MDI-X, 3 = auto).
    pub(crate) mdix_ctrl: u8,
    /// Requested port type (`PORT_*`).
    pub(crate) port: u8,
}

/// Flow control (PAUSE) parameters of `ethtool -a/-A`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PauseParams {
    /// Flow control negotiated with the link partner.
    pub(crate) autoneg: bool,
    /// Received PAUSE frames are honoured.
    pub(crate) rx_pause: bool,
    /// PAUSE frames are sent.
    pub(crate) tx_pause: bool,
}

/// Wake-on-LAN of `ethtool <if>` / `ethtool -s <if> wol ...`: `WAKE_*`
/// bits of include/uapi/linux/ethtool.h (`struct ethtool_wolinfo`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct WolInfo {
    /// The wake-up events the device supports ("Supports Wake-on").
    pub(crate) supported: u32,
    /// The events enabled ("Wake-on").
    pub(crate) wolopts: u32,
}

/// State requested by `ethtool -p` (`enum ethtool_phys_id_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LedState {
    /// Identification starts; return the on/off cycles per second (0 if the
    /// driver blinks by itself).
    Active,
    /// Turn the LED on.
    On,
    /// Turn the LED off.
    Off,
    /// Identification ends; restore the LED.
    Inactive,
}

/// A string set of `ethtool -S` / `ethtool -t`: one fixed-width
/// (`ETH_GSTRING_LEN`) name per entry. In counting mode nothing is written.
pub(crate) struct Strings<'a> {
    buf: Option<&'a mut [u8]>,
    n: usize,
}

impl Strings<'_> {
    /// Append one name, truncated to `ETH_GSTRING_LEN - 1` bytes.
    pub(crate) fn push(&mut self, args: fmt::Arguments<'_>) {
        const LEN: usize = bindings::ETH_GSTRING_LEN as usize;
        if let Some(buf) = self.buf.as_deref_mut() {
            let Some(slot) = buf.get_mut(self.n * LEN..(self.n + 1) * LEN) else {
                // Beyond the count the core sized the buffer for.
                return;
            };
            let mut tmp = [0 as c_char; LEN];
            copy_fmt(&mut tmp, args);
            for (d, s) in slot.iter_mut().zip(tmp.iter()) {
                *d = *s;
            }
        }
        self.n += 1;
    }
}

/// The values of `ethtool -S`, in the order of the names.
pub(crate) struct StatsOut<'a> {
    data: &'a mut [u64],
    n: usize,
}

impl StatsOut<'_> {
    /// Append the next value (ignored beyond the announced count).
    pub(crate) fn push(&mut self, value: u64) {
        if let Some(d) = self.data.get_mut(self.n) {
            *d = value;
        }
        self.n += 1;
    }
}

/// Results of `ethtool -t`: one value per test (0 = pass).
pub(crate) struct TestResults<'a> {
    data: &'a mut [u64],
    failed: bool,
}

impl TestResults<'_> {
    /// Record test `index`: `Ok(())` passes (0), `Err(code)` fails with a
    /// non-zero code (as the C drivers report their failure location).
    pub(crate) fn set(&mut self, index: usize, result: core::result::Result<(), u64>) {
        let v = match result {
            Ok(()) => 0,
            Err(code) => code.max(1),
        };
        if v != 0 {
            self.failed = true;
        }
        if let Some(d) = self.data.get_mut(index) {
            *d = v;
        }
    }
}

/// The register dump buffer of `ethtool -d`, in 32-bit words.
pub(crate) struct RegsOut<'a>(&'a mut [u8]);

impl RegsOut<'_> {
    /// Store `value` as word `index` (native byte order, as the C drivers
    /// do); out-of-range indices are ignored.
    pub(crate) fn set(&mut self, index: usize, value: u32) {
        if let Some(w) = self.0.get_mut(index * 4..index * 4 + 4) {
            w.copy_from_slice(&value.to_ne_bytes());
        }
    }
}

/// Program the receive filters again (`ndo_set_rx_mode` with the current
/// flags and address lists), e.g. after a MAC reset inside an ethtool
/// callback that brought the interface down and up by itself.
pub(crate) fn replay_rx_mode<T: device::Operations>(dev: &Device<T>) {
    // SAFETY: `dev` is a registered interface; the helper takes the address
    // list lock around the driver's own `ndo_set_rx_mode`, as the core does.
    unsafe { bindings::rust_igb_netdev_replay_rx_mode(dev.as_raw()) };
}

/// PCI identification of the interface's parent device: (vendor, device,
/// revision), for the register dump version and the EEPROM magic.
pub(crate) fn pci_ids<T: device::Operations>(dev: &Device<T>) -> (u16, u16, u8) {
    let (mut v, mut d, mut r) = (0u16, 0u16, 0u8);
    // SAFETY: The parent of a registered interface is its bound PCI device;
    // the helper only reads its ID fields into the three locals.
    unsafe { bindings::rust_igb_pci_ids(dev.parent_raw(), &mut v, &mut d, &mut r) };
    (v, d, r)
}

#[kunit_tests(rust_igb_net_ethtool)]
mod tests {
    use super::{ops::sset_slot, *};

    const LEN: usize = bindings::ETH_GSTRING_LEN as usize;

    #[test]
    fn strings_stop_at_the_allocated_count() {
        // The core allocated two names; the driver pushes three.
        let mut buf = [0xffu8; 3 * LEN];
        let mut s = Strings {
            buf: Some(&mut buf[..2 * LEN]),
            n: 0,
        };
        s.push(format_args!("a"));
        s.push(format_args!("b"));
        s.push(format_args!("c"));
        // The third is dropped, not written after the second.
        assert_eq!(s.n, 2);
        assert_eq!(buf[0], b'a');
        assert_eq!(buf[LEN], b'b');
        // Nothing written past the allocation.
        assert!(buf[2 * LEN..].iter().all(|&b| b == 0xff));
    }

    #[test]
    fn regs_stop_at_the_allocated_length() {
        // `regs->len` cut to 6 bytes: one whole word fits.
        let mut buf = [0u8; 8];
        let mut out = RegsOut(&mut buf[..6]);
        out.set(0, 0x0403_0201);
        out.set(1, 0xffff_ffff);
        assert_eq!(&buf[..4], &0x0403_0201u32.to_ne_bytes());
        assert_eq!(&buf[4..], &[0, 0, 0, 0]);
    }

    #[test]
    fn string_sets_have_cache_slots() {
        assert_eq!(sset_slot(bindings::ethtool_stringset_ETH_SS_STATS), Some(0));
        assert_eq!(sset_slot(bindings::ethtool_stringset_ETH_SS_TEST), Some(1));
        assert_eq!(
            sset_slot(bindings::ethtool_stringset_ETH_SS_PRIV_FLAGS),
            None
        );
    }
}
