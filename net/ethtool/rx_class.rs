// SPDX-License-Identifier: GPL-2.0

//! `get_rxnfc`: the flow classification (steering) rule queries behind
//! `ethtool -n <if>`, for a device that has no rules.
//!
//! C headers: include/linux/ethtool.h (`get_rxnfc`), include/uapi/linux/ethtool.h
//! (`struct ethtool_rxnfc`, `ETHTOOL_GRXCLS*`).
//!
//! In 7.3 `get_rxnfc` serves only the rule queries (the ring count and the
//! RSS hash fields have callbacks of their own). `ethtool -n <if>` asks for
//! the rule count (`ETHTOOL_GRXCLSRLCNT`), then for that many rule locations
//! (`ETHTOOL_GRXCLSRLALL`), then for each rule (`ETHTOOL_GRXCLSRULE`); the C
//! igb answers all three on every MAC, from its rule list, which stays empty
//! on the 82576 (no `NETIF_F_NTUPLE`), so it prints "Total 0 rules". A driver
//! whose [`Operations::NO_RX_CLASS_RULES`](super::Operations) is set gets the
//! same answers: count 0, no locations, `EINVAL` for a rule looked up by
//! location (there is none), `EOPNOTSUPP` for any other command.

use kernel::prelude::*;

use super::bindings;

/// `get_rxnfc` for a device without classification rules.
///
/// # Safety
///
/// Called by the ethtool core with `cmd` pointing to a valid, writable
/// `ethtool_rxnfc` (RTNL held); `rule_locs` is not used.
pub(super) unsafe extern "C" fn get_rxnfc_none(
    _dev: *mut bindings::net_device,
    cmd: *mut bindings::ethtool_rxnfc,
    _rule_locs: *mut u32,
) -> kernel::ffi::c_int {
    // SAFETY: `cmd` is valid and writable per the safety requirements, and
    // nothing else accesses it during the call.
    let cmd = unsafe { &mut *cmd };
    match cmd.cmd {
        bindings::ETHTOOL_GRXCLSRLCNT => {
            cmd.__bindgen_anon_1.rule_cnt = 0;
            0
        }
        bindings::ETHTOOL_GRXCLSRLALL => {
            // No location is written: the caller's buffer may be empty.
            cmd.data = 0;
            cmd.__bindgen_anon_1.rule_cnt = 0;
            0
        }
        bindings::ETHTOOL_GRXCLSRULE => EINVAL.to_errno(),
        _ => EOPNOTSUPP.to_errno(),
    }
}
