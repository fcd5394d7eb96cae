// SPDX-License-Identifier: GPL-2.0

//! ethtool callbacks for rust_igb (`ethtool -i`, `ethtool <if>`).

use kernel::prelude::*;

use crate::{
    mac,
    net::{
        ethtool::{mode, DrvInfo, LinkSettings, Operations},
        Device,
    },
    netdev::Adapter,
};

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

#[vtable]
impl Operations for Adapter {
    fn get_drvinfo(dev: &Device<Self>, info: &mut DrvInfo<'_>) {
        info.set_fw_version(format_args!("{}", dev.data().nvm_version));
    }

    fn get_link_settings(dev: &Device<Self>) -> Result<LinkSettings> {
        let link = mac::link_status(Adapter::hw(dev)?);
        let up = link.up && dev.carrier_ok();
        Ok(LinkSettings {
            speed_mbps: up.then_some(link.speed_mbps),
            full_duplex: up.then_some(link.full_duplex),
            autoneg: true,
            phy_address: 1,
            supported: COPPER_MODES,
            advertising: COPPER_MODES & !mode::TP,
            lp_advertising: 0,
        })
    }
}
