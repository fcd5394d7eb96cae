// SPDX-License-Identifier: GPL-2.0

//! `ethtool -n/-N <if> rx-flow-hash`: the header fields the RSS hash covers
//! per flow type (`igb_get_rxfh_fields`/`igb_set_rxfh_fields`).
//!
//! The 82576 hashes TCP by addresses and ports and any other IP traffic by
//! addresses; only UDP can go either way, per IP version (MRQC's UDP field
//! enables, [`UdpPorts`], which also explains the default: addresses only).
//! So, as in the C driver, `-N` accepts for `udp4`/`udp6` the source and
//! destination addresses with both ports (`sdfn`) or without (`sd`), for
//! `tcp4`/`tcp6` only `sdfn`, and for the other IP types only `sd`;
//! anything else (one address, one port, VLAN, L2 address, ...) is refused
//! with `EINVAL` and changes nothing. One difference: the C driver refuses
//! even `sd` for `ip4`/`ip6` (its switch has no case for them), which is
//! what the hardware does for them, so it is accepted here as the no-op it
//! is.
//!
//! A change is written to MRQC at once if the interface is up (the MAC
//! applies it from the next frame; no reset, as `igb_set_rxfh_fields`),
//! under the `rss` mutex that every writer of the RSS registers holds; a
//! stopped interface programs it in `open`. Process context, RTNL and the
//! core's `rss_lock` held.

use kernel::prelude::*;

use crate::{
    net::{
        ethtool::{FlowType, HashFields},
        Device,
    },
    netdev::Adapter,
    rss::{self, UdpPorts},
};

/// Source and destination addresses (`sd`).
const ADDRS: HashFields = HashFields::IP_SRC.union(HashFields::IP_DST);
/// Source and destination ports (`fn`).
const PORTS: HashFields = HashFields::L4_B_0_1.union(HashFields::L4_B_2_3);

/// The fields hashed for `flow` when `udp` says which UDP flows are hashed
/// with their ports; `None` for a flow type the MAC does not hash.
fn fields_of(udp: UdpPorts, flow: FlowType) -> Option<HashFields> {
    let with_ports = |on: bool| if on { ADDRS | PORTS } else { ADDRS };
    match flow {
        FlowType::TcpV4 | FlowType::TcpV6 => Some(ADDRS | PORTS),
        FlowType::UdpV4 => Some(with_ports(udp.v4)),
        FlowType::UdpV6 => Some(with_ports(udp.v6)),
        FlowType::SctpV4
        | FlowType::AhEspV4
        | FlowType::AhV4
        | FlowType::EspV4
        | FlowType::IpV4
        | FlowType::SctpV6
        | FlowType::AhEspV6
        | FlowType::AhV6
        | FlowType::EspV6
        | FlowType::IpV6 => Some(ADDRS),
        FlowType::Other(_) => None,
    }
}

/// What `udp` becomes if `fields` are to be hashed for `flow`, or `EINVAL`
/// for a set the MAC cannot hash for that type.
fn request(udp: UdpPorts, flow: FlowType, fields: HashFields) -> Result<UdpPorts> {
    // Only addresses and ports, always both addresses, both ports or none.
    if !fields.difference(ADDRS | PORTS).is_empty() || !fields.contains(ADDRS) {
        return Err(EINVAL);
    }
    let ports = fields.intersection(PORTS);
    let ports = if ports.is_empty() {
        false
    } else if ports == PORTS {
        true
    } else {
        return Err(EINVAL);
    };
    let mut new = udp;
    match flow {
        FlowType::UdpV4 => new.v4 = ports,
        FlowType::UdpV6 => new.v6 = ports,
        // The others are fixed: only what is hashed already.
        _ if fields_of(udp, flow) == Some(fields) => {}
        _ => return Err(EINVAL),
    }
    Ok(new)
}

/// `ethtool -n <if> rx-flow-hash TYPE`.
pub(crate) fn get(dev: &Device<Adapter>, flow: FlowType) -> Result<HashFields> {
    let udp = dev.data().rss.lock().udp_ports;
    fields_of(udp, flow).ok_or(EINVAL)
}

/// `ethtool -N <if> rx-flow-hash TYPE FIELDS`: validate, then store and, if
/// the interface is up, write MRQC; on any error nothing changed.
pub(crate) fn set(dev: &Device<Adapter>, flow: FlowType, fields: HashFields) -> Result {
    let a = dev.data();
    let mut cfg = a.rss.lock();
    let was = cfg.udp_ports;
    let new = request(was, flow, fields)?;
    if new == was {
        return Ok(());
    }
    let hw = if dev.is_running() {
        Some(Adapter::hw(dev)?)
    } else {
        None
    };
    cfg.udp_ports = new;
    if let Some(hw) = hw {
        rss::write_mrqc(hw, &cfg);
    }
    if (new.v4 && !was.v4) || (new.v6 && !was.v6) {
        // As the C driver says it (there at error level, once for both
        // versions; a warning here, for each version turned on).
        dev_warn!(
            dev.parent(),
            "{}: enabling UDP RSS: fragmented packets may arrive out of order to the stack above\n",
            dev.name()
        );
    }
    Ok(())
}

#[kunit_tests(rust_igb_rxfh_fields)]
mod tests {
    use super::*;

    const OFF: UdpPorts = UdpPorts {
        v4: false,
        v6: false,
    };

    #[test]
    fn reported_fields() {
        // `igb_get_rxfh_fields` with the UDP flags off (the default).
        let all = ADDRS | PORTS;
        assert_eq!(fields_of(OFF, FlowType::TcpV4), Some(all));
        assert_eq!(fields_of(OFF, FlowType::TcpV6), Some(all));
        assert_eq!(fields_of(OFF, FlowType::UdpV4), Some(ADDRS));
        assert_eq!(fields_of(OFF, FlowType::UdpV6), Some(ADDRS));
        assert_eq!(fields_of(OFF, FlowType::SctpV4), Some(ADDRS));
        assert_eq!(fields_of(OFF, FlowType::IpV6), Some(ADDRS));
        assert_eq!(fields_of(OFF, FlowType::Other(18)), None);
        let v4 = UdpPorts {
            v4: true,
            v6: false,
        };
        assert_eq!(fields_of(v4, FlowType::UdpV4), Some(all));
        assert_eq!(fields_of(v4, FlowType::UdpV6), Some(ADDRS));
        // As ethtool encodes them: sd = 0x30, sdfn = 0xf0.
        assert_eq!(ADDRS.bits(), 0x30);
        assert_eq!((ADDRS | PORTS).bits(), 0xf0);
    }

    #[test]
    fn requests() -> Result {
        let f = HashFields::from_bits;
        // UDP: ports on and off, per version.
        let on4 = request(OFF, FlowType::UdpV4, f(0xf0))?;
        assert_eq!(
            on4,
            UdpPorts {
                v4: true,
                v6: false
            }
        );
        assert_eq!(request(on4, FlowType::UdpV4, f(0x30))?, OFF);
        let on6 = request(on4, FlowType::UdpV6, f(0xf0))?;
        assert!(on6.v4 && on6.v6);
        // TCP only with ports; the other types only by addresses.
        assert_eq!(request(OFF, FlowType::TcpV4, f(0xf0))?, OFF);
        assert_eq!(request(OFF, FlowType::TcpV6, f(0x30)), Err(EINVAL));
        assert_eq!(request(OFF, FlowType::SctpV4, f(0x30))?, OFF);
        assert_eq!(request(OFF, FlowType::EspV6, f(0xf0)), Err(EINVAL));
        assert_eq!(request(OFF, FlowType::IpV4, f(0x30))?, OFF);
        // One address, one port, no field, or a field the MAC cannot hash.
        assert_eq!(request(OFF, FlowType::UdpV4, f(0x10)), Err(EINVAL));
        assert_eq!(request(OFF, FlowType::UdpV4, f(0x70)), Err(EINVAL));
        assert_eq!(request(OFF, FlowType::UdpV4, f(0xb0)), Err(EINVAL));
        assert_eq!(request(OFF, FlowType::UdpV4, f(0)), Err(EINVAL));
        // RXH_VLAN, RXH_L2DA, RXH_IP6_FL, RXH_DISCARD.
        for extra in [0x4, 0x2, 0x200, 0x8000_0000] {
            assert_eq!(request(OFF, FlowType::UdpV6, f(0xf0 | extra)), Err(EINVAL));
        }
        // Flow types that are not hashed.
        assert_eq!(request(OFF, FlowType::Other(18), f(0x30)), Err(EINVAL));
        Ok(())
    }
}
