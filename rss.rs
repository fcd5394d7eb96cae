// SPDX-License-Identifier: GPL-2.0

//! Receive-side scaling: the hash key, the redirection table and the hashed
//! packet types (`igb_setup_mrqc`, `igb_write_rss_indir_tbl`).
//!
//! The MAC hashes each received packet with the Toeplitz function over its
//! addresses (and ports, for TCP, and for UDP if `ethtool -N` asks: see
//! [`UdpPorts`] for why not by default) using a 40-byte key, and a
//! 128-entry redirection table maps the low 7 bits of the hash to an RX
//! queue. As in the C driver, RSS is always on, even with one queue, so the
//! hash is reported to the stack for every packet.
//!
//! The configuration lives in the adapter under a mutex (process context
//! only: `open` and the ethtool RSS callbacks, both under RTNL).

use core::num::NonZeroUsize;

use kernel::{
    io::{register::Array, Io},
    prelude::*,
};

use crate::{
    ctl_regs::CtlOwner,
    regs::{self, Bar0},
};

/// Bytes of the hash key (RSSRK).
pub(crate) const KEY_LEN: usize = 40;
/// Entries of the redirection table (RETA).
pub(crate) const RETA_SIZE: usize = 128;

/// MRQC.MRQE: RSS only (`E1000_MRQC_ENABLE_RSS_MQ`).
const MRQE_RSS: u32 = 2;
/// MRQC field enables always on: TCP/IPv4, IPv4, TCP/IPv6Ex, IPv6, TCP/IPv6
/// (`E1000_MRQC_RSS_FIELD_*` >> 16), as `igb_setup_mrqc`.
const RSS_FIELDS_FIXED: u16 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 5);
/// MRQC field enable UDP/IPv4 (`E1000_MRQC_RSS_FIELD_IPV4_UDP` >> 16).
const RSS_FIELD_IPV4_UDP: u16 = 1 << 6;
/// MRQC field enable UDP/IPv6 (`E1000_MRQC_RSS_FIELD_IPV6_UDP` >> 16).
const RSS_FIELD_IPV6_UDP: u16 = 1 << 7;

/// Whether UDP flows are hashed with their ports (`ethtool -N <if>
/// rx-flow-hash udp4|udp6 sdfn`) or by their addresses only (`sd`), per IP
/// version (`IGB_FLAG_RSS_FIELD_IPV4_UDP`/`_IPV6_UDP`). TCP is always hashed
/// with its ports, other IP traffic by its addresses.
///
/// Default: addresses only, as the C driver. Only the first fragment of a
/// fragmented datagram carries the ports, so with ports hashed the first
/// fragment and the others (hashed as plain IP) can land on different
/// queues, be processed on different CPUs and reach the stack out of order;
/// hashing UDP by addresses keeps every fragment of a datagram, and every
/// datagram between two hosts, on one queue. `ethtool -N` spreads UDP by
/// ports where that matters more (many UDP flows between two hosts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct UdpPorts {
    /// UDP over IPv4 hashed with its ports.
    pub(crate) v4: bool,
    /// UDP over IPv6 hashed with its ports.
    pub(crate) v6: bool,
}

/// The MRQC value for RSS with `udp` (`igb_setup_mrqc` without VMDq): the
/// field enables and MRQE = RSS.
pub(crate) fn mrqc(udp: UdpPorts) -> regs::MRQC {
    let mut fields = RSS_FIELDS_FIXED;
    if udp.v4 {
        fields |= RSS_FIELD_IPV4_UDP;
    }
    if udp.v6 {
        fields |= RSS_FIELD_IPV6_UDP;
    }
    let r = regs::MRQC::zeroed().with_rss_field(fields);
    regs::MRQC::from_raw(r.into_raw() | MRQE_RSS)
}

/// What the RSS hash of a received packet covered (the descriptor's RSS
/// type), for `skb_set_hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HashType {
    /// No hash (not IP, or not hashed).
    None,
    /// Addresses only.
    L3,
    /// Addresses and ports.
    L4,
}

impl HashType {
    /// Decode the RSS type field of an RX descriptor (`E1000_RSS_TYPE_*`:
    /// 1 TCP/IPv4, 2 IPv4, 3 TCP/IPv6, 4 IPv6Ex, 5 IPv6, 6 TCP/IPv6Ex,
    /// 7 UDP/IPv4, 8 UDP/IPv6, 9 UDP/IPv6Ex).
    pub(crate) fn from_rss_type(t: u16) -> Self {
        match t {
            1 | 3 | 6 | 7 | 8 | 9 => Self::L4,
            2 | 4 | 5 => Self::L3,
            _ => Self::None,
        }
    }
}

/// The RSS configuration of an interface.
pub(crate) struct RssConfig {
    /// The Toeplitz key.
    pub(crate) key: [u8; KEY_LEN],
    /// The redirection table: an RX queue per entry.
    pub(crate) reta: [u8; RETA_SIZE],
    /// Whether the user set the table (`ethtool -X`); otherwise it is
    /// spread evenly over however many queues are in use.
    pub(crate) user_reta: bool,
    /// Which UDP flows are hashed with their ports (`ethtool -N`).
    pub(crate) udp_ports: UdpPorts,
}

impl RssConfig {
    /// A configuration with the system's RSS key and an even table over one
    /// queue.
    pub(crate) fn new() -> Self {
        let mut key = [0u8; KEY_LEN];
        crate::net::queues::rss_key_fill(&mut key);
        Self {
            key,
            reta: default_reta(1),
            user_reta: false,
            udp_ports: UdpPorts::default(),
        }
    }

    /// Make the table fit `queues` queues: the default spread unless the
    /// user's table only names queues that exist.
    pub(crate) fn fit(&mut self, queues: usize) {
        if !self.user_reta || self.reta.iter().any(|&q| usize::from(q) >= queues) {
            self.reta = default_reta(queues);
            self.user_reta = false;
        }
    }
}

/// The default table: entry `i` to queue `i % queues`
/// (`ethtool_rxfh_indir_default`).
pub(crate) fn default_reta(queues: usize) -> [u8; RETA_SIZE] {
    let n = NonZeroUsize::new(queues).unwrap_or(NonZeroUsize::MIN);
    let mut reta = [0u8; RETA_SIZE];
    for (i, e) in reta.iter_mut().enumerate() {
        *e = (i % n) as u8;
    }
    reta
}

/// Little-endian 32-bit words of `bytes` (a multiple of 4 long).
fn le_words<const W: usize>(bytes: &[u8]) -> [u32; W] {
    let mut words = [0u32; W];
    for (i, w) in words.iter_mut().enumerate() {
        if let Some(&[b0, b1, b2, b3]) = bytes.get(4 * i..4 * i + 4) {
            *w = u32::from_le_bytes([b0, b1, b2, b3]);
        }
    }
    words
}

/// The RETA register values of `reta`: four entries per register, entry
/// `4n` in the low byte.
pub(crate) fn reta_words(reta: &[u8; RETA_SIZE]) -> [u32; RETA_SIZE / 4] {
    le_words(reta)
}

/// The RSSRK register values of `key`: four bytes per register, the first
/// in the low byte.
pub(crate) fn key_words(key: &[u8; KEY_LEN]) -> [u32; KEY_LEN / 4] {
    le_words(key)
}

/// Program RSS into the hardware for `queues` RX queues: key, table, the
/// packet checksum replaced by the hash in descriptors (RXCSUM.PCSD, which
/// QEMU also requires), the PF pool's RSS enable and MRQC. Before the
/// receiver is enabled.
pub(crate) fn program(
    hw: &Bar0<'_>,
    ctl: &impl CtlOwner,
    cfg: &RssConfig,
    queues: usize,
) -> Result {
    for (n, w) in key_words(&cfg.key).into_iter().enumerate() {
        hw.try_write(
            regs::RSSRK::try_at(n).ok_or(EINVAL)?,
            regs::RSSRK::from_raw(w),
        )?;
    }
    write_reta(hw, &cfg.reta)?;
    hw.update(regs::RXCSUM, |r| r.with_pcsd(true));
    ctl.with(|c| c.update_vmolr0(hw, |r| r.with_rsse(queues > 1)));
    write_mrqc(hw, cfg);
    Ok(())
}

/// Write MRQC for `cfg` (also live, from `ethtool -N rx-flow-hash`, as
/// `igb_set_rxfh_fields` does: the MAC picks the new hashed types up from
/// the next frame, no reset needed). Under the `rss` mutex, like every
/// writer of the RSS registers.
pub(crate) fn write_mrqc(hw: &Bar0<'_>, cfg: &RssConfig) {
    hw.write_reg(mrqc(cfg.udp_ports));
}

/// Write the redirection table (also live, from `ethtool -X`).
pub(crate) fn write_reta(hw: &Bar0<'_>, reta: &[u8; RETA_SIZE]) -> Result {
    for (n, w) in reta_words(reta).into_iter().enumerate() {
        hw.try_write(
            regs::RETA::try_at(n).ok_or(EINVAL)?,
            regs::RETA::from_raw(w),
        )?;
    }
    Ok(())
}

#[kunit_tests(rust_igb_rss)]
mod tests {
    use super::*;

    #[test]
    fn tables() {
        let reta = default_reta(2);
        assert_eq!(reta[0], 0);
        assert_eq!(reta[1], 1);
        assert_eq!(reta[127], 1);
        // Four entries per register, entry 4n in the low byte.
        assert_eq!(reta_words(&reta)[0], 0x0100_0100);
        assert_eq!(reta_words(&default_reta(4))[31], 0x0302_0100);
        assert!(default_reta(1).iter().all(|&q| q == 0));
        assert_eq!(default_reta(0), default_reta(1));
        let mut key = [0u8; KEY_LEN];
        key[0] = 0x6d;
        key[3] = 0x5a;
        assert_eq!(key_words(&key)[0], 0x5a00_006d);
    }

    #[test]
    fn fit() {
        let mut cfg = RssConfig {
            key: [0; KEY_LEN],
            reta: [0; RETA_SIZE],
            user_reta: true,
            udp_ports: UdpPorts::default(),
        };
        // A user table naming only queue 0 survives any queue count.
        cfg.fit(2);
        assert!(cfg.user_reta);
        // One naming queue 3 does not survive going to 2 queues.
        cfg.reta[5] = 3;
        cfg.fit(2);
        assert!(!cfg.user_reta);
        assert_eq!(cfg.reta, default_reta(2));
    }

    #[test]
    fn mrqc_fields() {
        // The C driver's values (`E1000_MRQC_RSS_FIELD_*`, `_ENABLE_RSS_MQ`):
        // IPV4_TCP 0x10000 | IPV4 0x20000 | IPV6_TCP_EX 0x40000 |
        // IPV6 0x100000 | IPV6_TCP 0x200000, RSS = 2.
        let fixed = 0x0037_0002;
        assert_eq!(mrqc(UdpPorts::default()).into_raw(), fixed);
        let v4 = UdpPorts {
            v4: true,
            v6: false,
        };
        assert_eq!(mrqc(v4).into_raw(), fixed | 0x0040_0000);
        let v6 = UdpPorts {
            v4: false,
            v6: true,
        };
        assert_eq!(mrqc(v6).into_raw(), fixed | 0x0080_0000);
        let both = UdpPorts { v4: true, v6: true };
        assert_eq!(mrqc(both).into_raw(), fixed | 0x00c0_0000);
        // Never VMDq (bit 0) nor UDP/IPv6Ex (bit 24, which the C driver
        // leaves off too).
        assert_eq!(mrqc(both).into_raw() & 0x0100_0001, 0);
        // The default: UDP by addresses only, as the C driver.
        let cfg = RssConfig::new();
        assert_eq!(
            cfg.udp_ports,
            UdpPorts {
                v4: false,
                v6: false
            }
        );
    }

    #[test]
    fn hash_types() {
        assert_eq!(HashType::from_rss_type(1), HashType::L4);
        assert_eq!(HashType::from_rss_type(7), HashType::L4);
        assert_eq!(HashType::from_rss_type(2), HashType::L3);
        assert_eq!(HashType::from_rss_type(0), HashType::None);
        assert_eq!(HashType::from_rss_type(15), HashType::None);
    }
}
