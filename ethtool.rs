// SPDX-License-Identifier: GPL-2.0

//! ethtool callbacks for rust_igb (`ethtool -i`, `ethtool <if>`).

use kernel::prelude::*;

use crate::{
    mac,
    net::{
        ethtool::{mode, DrvInfo, LinkSettings, Operations},
        ethtool_queues::{Channels, Coalesce, RingParams, COALESCE_USECS},
        Device,
    },
    netdev::Adapter,
    rss::{KEY_LEN, RETA_SIZE},
    tuning,
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

    fn get_ringparam(dev: &Device<Self>) -> RingParams {
        tuning::get_ringparam(dev)
    }

    fn set_ringparam(dev: &Device<Self>, tx: u32, rx: u32) -> Result {
        tuning::set_ringparam(dev, tx, rx)
    }

    fn get_channels(dev: &Device<Self>) -> Channels {
        tuning::get_channels(dev)
    }

    fn set_channels(dev: &Device<Self>, ch: &Channels) -> Result {
        tuning::set_channels(dev, ch)
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
}
