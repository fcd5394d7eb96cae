// SPDX-License-Identifier: GPL-2.0

//! Offload feature flags of a network device (`netdev_features_t`).
//!
//! C header: include/linux/netdev_features.h
//!
//! [`Features`] is a small typed set of the `NETIF_F_*` bits the driver advertises and tests,
//! so driver code never handles raw C constants. The stack owns `dev->features`: a driver
//! advertises what it can do through [`super::Config`] and is told about changes through
//! `Operations::set_features` (`ndo_set_features`, after `ndo_fix_features`).

use super::bindings;

/// `1 << bit` as a `netdev_features_t` value.
const fn bit(b: u32) -> u64 {
    1u64 << b
}

/// A set of `NETIF_F_*` feature bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Features(u64);

impl Features {
    /// No feature.
    #[cfg_attr(not(CONFIG_KUNIT), allow(dead_code))] // Used by the KUnit tests.
    pub(crate) const EMPTY: Self = Self(0);
    /// `NETIF_F_SG`: scatter-gather (page fragments) on transmit.
    pub(crate) const SG: Self = Self(bit(bindings::NETIF_F_SG_BIT));
    /// `NETIF_F_HW_CSUM`: generic transmit checksum (`csum_start`/`csum_offset`).
    pub(crate) const HW_CSUM: Self = Self(bit(bindings::NETIF_F_HW_CSUM_BIT));
    /// `NETIF_F_HW_VLAN_CTAG_TX`: 802.1Q tag insertion on transmit.
    pub(crate) const HW_VLAN_CTAG_TX: Self = Self(bit(bindings::NETIF_F_HW_VLAN_CTAG_TX_BIT));
    /// `NETIF_F_HW_VLAN_CTAG_RX`: 802.1Q tag stripping on receive.
    pub(crate) const HW_VLAN_CTAG_RX: Self = Self(bit(bindings::NETIF_F_HW_VLAN_CTAG_RX_BIT));
    /// `NETIF_F_TSO`: TCP segmentation over IPv4.
    pub(crate) const TSO: Self = Self(bit(bindings::NETIF_F_TSO_BIT));
    /// `NETIF_F_TSO6`: TCP segmentation over IPv6.
    pub(crate) const TSO6: Self = Self(bit(bindings::NETIF_F_TSO6_BIT));
    /// `NETIF_F_SCTP_CRC`: SCTP CRC32c on transmit.
    pub(crate) const SCTP_CRC: Self = Self(bit(bindings::NETIF_F_SCTP_CRC_BIT));
    /// `NETIF_F_RXCSUM`: receive checksum offload.
    pub(crate) const RXCSUM: Self = Self(bit(bindings::NETIF_F_RXCSUM_BIT));
    /// Report the receive hash (RSS) to the stack.
    pub(crate) const RXHASH: Self = Self(bit(bindings::NETIF_F_RXHASH_BIT));
    /// `NETIF_F_RXALL`: receive frames the MAC flags as bad, and frames the filters would drop.
    pub(crate) const RXALL: Self = Self(bit(bindings::NETIF_F_RXALL_BIT));
    /// `NETIF_F_GSO_UDP_L4`: UDP segmentation (`UDP_SEGMENT`): one datagram per segment.
    pub(crate) const GSO_UDP_L4: Self = Self(bit(bindings::NETIF_F_GSO_UDP_L4_BIT));
    /// `NETIF_F_GSO_PARTIAL`: the stack fixes up every header but the outermost IP header and
    /// the innermost L4 header, which the hardware segments (`gso_partial_features`).
    pub(crate) const GSO_PARTIAL: Self = Self(bit(bindings::NETIF_F_GSO_PARTIAL_BIT));
    /// `NETIF_F_GSO_GRE`: segmentation of GRE-tunnelled packets.
    pub(crate) const GSO_GRE: Self = Self(bit(bindings::NETIF_F_GSO_GRE_BIT));
    /// `NETIF_F_GSO_GRE_CSUM`: the same, with the GRE checksum.
    pub(crate) const GSO_GRE_CSUM: Self = Self(bit(bindings::NETIF_F_GSO_GRE_CSUM_BIT));
    /// `NETIF_F_GSO_IPXIP4`: segmentation of IP-in-IPv4 (IPIP, SIT).
    pub(crate) const GSO_IPXIP4: Self = Self(bit(bindings::NETIF_F_GSO_IPXIP4_BIT));
    /// `NETIF_F_GSO_IPXIP6`: segmentation of IP-in-IPv6.
    pub(crate) const GSO_IPXIP6: Self = Self(bit(bindings::NETIF_F_GSO_IPXIP6_BIT));
    /// `NETIF_F_GSO_UDP_TUNNEL`: segmentation of UDP-tunnelled packets (VXLAN, GENEVE).
    pub(crate) const GSO_UDP_TUNNEL: Self = Self(bit(bindings::NETIF_F_GSO_UDP_TUNNEL_BIT));
    /// `NETIF_F_GSO_UDP_TUNNEL_CSUM`: the same, with the outer UDP checksum.
    pub(crate) const GSO_UDP_TUNNEL_CSUM: Self =
        Self(bit(bindings::NETIF_F_GSO_UDP_TUNNEL_CSUM_BIT));
    /// `NETIF_F_TSO_MANGLEID`: TSO may give every segment the same (or any) IPv4 ID, which
    /// is what segmenting a tunnel's outer header by MSS does to the inner one.
    pub(crate) const TSO_MANGLEID: Self = Self(bit(bindings::NETIF_F_TSO_MANGLEID_BIT));

    /// The raw `netdev_features_t` value.
    pub(crate) const fn bits(self) -> u64 {
        self.0
    }

    /// From a raw `netdev_features_t` value (unknown bits are kept, so a value read from the
    /// stack can be handed back unchanged).
    pub(crate) const fn from_bits(bits: u64) -> Self {
        Self(bits)
    }

    /// The union of `self` and `other`.
    pub(crate) const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `self` without the bits of `other`.
    pub(crate) const fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether every bit of `other` is set in `self`.
    pub(crate) const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set in `self`.
    pub(crate) const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// The bits that differ between `self` and `other`.
    pub(crate) const fn changed(self, other: Self) -> Self {
        Self(self.0 ^ other.0)
    }
}

impl core::ops::BitOr for Features {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        self.with(rhs)
    }
}

impl<T: super::device::Operations> super::Device<T> {
    /// The features currently enabled (`dev->features`).
    pub(crate) fn features(&self) -> Features {
        // SAFETY: `as_raw()` is a valid net_device; a plain read of a word the core updates
        // under RTNL (a stale value during a change is what the C drivers see too).
        Features(unsafe { bindings::rust_igb_netdev_features(self.as_raw()) })
    }
}
