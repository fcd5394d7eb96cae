// SPDX-License-Identifier: GPL-2.0

//! The header fields the RSS hash covers per flow type: `ethtool -n <if>
//! rx-flow-hash TYPE` and `ethtool -N <if> rx-flow-hash TYPE FIELDS`, as
//! typed values for the driver's [`Operations`](super::Operations).
//!
//! C headers: include/linux/ethtool.h (`struct ethtool_rxfh_fields`, the
//! `get_rxfh_fields`/`set_rxfh_fields` ethtool_ops), include/uapi/linux/ethtool.h
//! (`RXH_*`, `*_FLOW`).
//!
//! In 7.3 the core no longer passes `ETHTOOL_GRXFH`/`ETHTOOL_SRXFH` to
//! `get_rxnfc`/`set_rxnfc`: net/ethtool/ioctl.c (`ethtool_get_rxfh_fields`,
//! `ethtool_set_rxfh_fields`) and the netlink RSS requests
//! (net/ethtool/rss.c) call these two callbacks, with RTNL and
//! `dev->ethtool->rss_lock` held, and the C igb implements them
//! (`igb_get_rxfh_fields`/`igb_set_rxfh_fields`). The core strips
//! `FLOW_RSS` from the flow type and refuses a non-zero RSS context itself
//! (this table does not set `rxfh_per_ctx_fields`); the glue refuses one
//! too rather than trust that.

use core::ops::BitOr;

use kernel::{error::from_result, prelude::*};

use super::{bindings, device, Device};

/// A set of hashed header fields (`RXH_*` bits of
/// include/uapi/linux/ethtool.h). Bits the driver does not name are kept,
/// so that a request for them can be refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct HashFields(u32);

impl HashFields {
    /// Source IP address (`RXH_IP_SRC`, ethtool `s`).
    pub(crate) const IP_SRC: Self = Self(bindings::RXH_IP_SRC);
    /// Destination IP address (`RXH_IP_DST`, ethtool `d`).
    pub(crate) const IP_DST: Self = Self(bindings::RXH_IP_DST);
    /// Bytes 0-1 of the L4 header: the TCP/UDP source port
    /// (`RXH_L4_B_0_1`, ethtool `f`).
    pub(crate) const L4_B_0_1: Self = Self(bindings::RXH_L4_B_0_1);
    /// Bytes 2-3 of the L4 header: the TCP/UDP destination port
    /// (`RXH_L4_B_2_3`, ethtool `n`).
    pub(crate) const L4_B_2_3: Self = Self(bindings::RXH_L4_B_2_3);

    /// No field.
    pub(crate) const fn empty() -> Self {
        Self(0)
    }

    /// The `RXH_*` bits.
    pub(crate) const fn bits(self) -> u32 {
        self.0
    }

    /// The set of `RXH_*` bits `bits`, named or not.
    pub(crate) const fn from_bits(bits: u32) -> Self {
        Self(bits)
    }

    /// Whether no field is in the set.
    pub(crate) const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every field of `other` is in the set.
    pub(crate) const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The fields in both sets.
    pub(crate) const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The fields of the set not in `other`.
    pub(crate) const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// The fields in either set (`|`, usable in constants).
    pub(crate) const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl BitOr for HashFields {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

/// The flow types RSS can hash (`*_FLOW` of include/uapi/linux/ethtool.h,
/// `FLOW_RSS` stripped); anything else is [`FlowType::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlowType {
    /// TCP over IPv4 (`tcp4`).
    TcpV4,
    /// UDP over IPv4 (`udp4`).
    UdpV4,
    /// SCTP over IPv4 (`sctp4`).
    SctpV4,
    /// IPsec AH or ESP over IPv4 (`ah4`/`esp4` together).
    AhEspV4,
    /// IPsec AH over IPv4 (`ah4`).
    AhV4,
    /// IPsec ESP over IPv4 (`esp4`).
    EspV4,
    /// Any other IPv4 (`ip4`).
    IpV4,
    /// TCP over IPv6 (`tcp6`).
    TcpV6,
    /// UDP over IPv6 (`udp6`).
    UdpV6,
    /// SCTP over IPv6 (`sctp6`).
    SctpV6,
    /// IPsec AH or ESP over IPv6.
    AhEspV6,
    /// IPsec AH over IPv6 (`ah6`).
    AhV6,
    /// IPsec ESP over IPv6 (`esp6`).
    EspV6,
    /// Any other IPv6 (`ip6`).
    IpV6,
    /// Another flow type (Ethernet, GTP, flag bits ...), as the core passed it.
    Other(u32),
}

impl FlowType {
    /// Decode the `flow_type` of `struct ethtool_rxfh_fields`.
    pub(crate) fn from_raw(v: u32) -> Self {
        match v {
            bindings::TCP_V4_FLOW => Self::TcpV4,
            bindings::UDP_V4_FLOW => Self::UdpV4,
            bindings::SCTP_V4_FLOW => Self::SctpV4,
            bindings::AH_ESP_V4_FLOW => Self::AhEspV4,
            bindings::AH_V4_FLOW => Self::AhV4,
            bindings::ESP_V4_FLOW => Self::EspV4,
            bindings::IPV4_FLOW => Self::IpV4,
            bindings::TCP_V6_FLOW => Self::TcpV6,
            bindings::UDP_V6_FLOW => Self::UdpV6,
            bindings::SCTP_V6_FLOW => Self::SctpV6,
            bindings::AH_ESP_V6_FLOW => Self::AhEspV6,
            bindings::AH_V6_FLOW => Self::AhV6,
            bindings::ESP_V6_FLOW => Self::EspV6,
            bindings::IPV6_FLOW => Self::IpV6,
            other => Self::Other(other),
        }
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by
/// `Registration<T>` and a valid `f`.
pub(super) unsafe extern "C" fn get_rxfh_fields<T: device::Operations>(
    dev: *mut bindings::net_device,
    f: *mut bindings::ethtool_rxfh_fields,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (dev, f) = unsafe { (Device::<T>::from_raw(dev), &mut *f) };
    from_result(|| {
        if f.rss_context != 0 {
            return Err(EINVAL);
        }
        f.data = T::get_rxfh_fields(dev, FlowType::from_raw(f.flow_type))?.bits();
        Ok(0)
    })
}

/// # Safety
///
/// Called by the ethtool core with a device registered by
/// `Registration<T>` and a valid `f`.
pub(super) unsafe extern "C" fn set_rxfh_fields<T: device::Operations>(
    dev: *mut bindings::net_device,
    f: *const bindings::ethtool_rxfh_fields,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (dev, f) = unsafe { (Device::<T>::from_raw(dev), &*f) };
    from_result(|| {
        if f.rss_context != 0 {
            return Err(EINVAL);
        }
        let flow = FlowType::from_raw(f.flow_type);
        T::set_rxfh_fields(dev, flow, HashFields::from_bits(f.data))?;
        Ok(0)
    })
}

#[kunit_tests(rust_igb_net_rxfh_fields)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        // uapi values (include/uapi/linux/ethtool.h).
        assert_eq!(HashFields::IP_SRC.bits(), 1 << 4);
        assert_eq!(HashFields::IP_DST.bits(), 1 << 5);
        assert_eq!(HashFields::L4_B_0_1.bits(), 1 << 6);
        assert_eq!(HashFields::L4_B_2_3.bits(), 1 << 7);
        let ip = HashFields::IP_SRC | HashFields::IP_DST;
        assert_eq!(ip.bits(), 0x30);
        assert!(ip.contains(HashFields::IP_SRC));
        assert!(!HashFields::IP_SRC.contains(ip));
        // Unnamed bits (RXH_VLAN) survive and show in the difference.
        let vlan = HashFields::from_bits(bindings::RXH_VLAN);
        assert_eq!((ip | vlan).difference(ip), vlan);
        assert!((ip | vlan).intersection(HashFields::L4_B_0_1).is_empty());
        assert!(HashFields::empty().is_empty());
    }

    #[test]
    fn flow_types() {
        assert_eq!(FlowType::from_raw(1), FlowType::TcpV4);
        assert_eq!(FlowType::from_raw(2), FlowType::UdpV4);
        assert_eq!(FlowType::from_raw(5), FlowType::TcpV6);
        assert_eq!(FlowType::from_raw(6), FlowType::UdpV6);
        assert_eq!(FlowType::from_raw(0x10), FlowType::IpV4);
        assert_eq!(FlowType::from_raw(0x11), FlowType::IpV6);
        // ETHER_FLOW, and a type with FLOW_EXT set, are not hashed types.
        assert_eq!(
            FlowType::from_raw(bindings::ETHER_FLOW),
            FlowType::Other(bindings::ETHER_FLOW)
        );
        let ext = bindings::UDP_V4_FLOW | bindings::FLOW_EXT;
        assert_eq!(FlowType::from_raw(ext), FlowType::Other(ext));
    }
}
