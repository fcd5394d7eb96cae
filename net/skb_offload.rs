// SPDX-License-Identifier: GPL-2.0

//! Socket buffer accessors for checksum, segmentation and VLAN offloads.
//!
//! C header: include/linux/skbuff.h, include/linux/if_vlan.h
//!
//! Transmit: [`SkBuff::tx_headers`] reads, in one call, the facts the driver needs to describe
//! a packet to the hardware (checksum request, header offsets, GSO parameters, VLAN tag) as a
//! plain [`TxHeaders`]; [`SkBuff::tso_prepare`] makes the headers writable and edits them the
//! way the hardware's segmentation expects (`igb_tso()`); [`SkBuff::checksum_help`] falls back
//! to a software checksum. Receive: [`SkBuff::set_csum_unnecessary`] and
//! [`SkBuff::put_vlan_tag`] record what the hardware verified or stripped.

use kernel::{error::to_result, prelude::*};

use super::{bindings, skb::SkBuff};

/// GSO parameters of a packet the stack wants segmented (`skb_shinfo(skb)->gso_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Gso {
    /// `gso_size`: payload bytes per segment (the MSS).
    pub(crate) size: u32,
    /// `gso_segs`: segments the packet becomes.
    pub(crate) segs: u32,
    /// What the packet is segmented as, if the hardware can do it.
    pub(crate) kind: Option<GsoKind>,
}

/// The segmentations the hardware does (`skb_shinfo(skb)->gso_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GsoKind {
    /// `SKB_GSO_TCPV4` or `SKB_GSO_TCPV6`: TCP segmentation, tunnelled or not.
    Tcp,
    /// `SKB_GSO_UDP_L4`: one UDP datagram per segment (`UDP_SEGMENT`), tunnelled or not.
    UdpL4,
}

/// What the transmit offloads need to know about a packet, read before it is posted.
///
/// Offsets are relative to `skb->data` (the start of the Ethernet header). They are signed as
/// in C: for a packet without a checksum request `csum_start` need not point into the packet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TxHeaders {
    /// `skb->len`: bytes of the whole packet.
    pub(crate) len: u32,
    /// `skb->ip_summed == CHECKSUM_PARTIAL`: the stack asks for a checksum at
    /// `csum_start + csum_offset`.
    pub(crate) csum_partial: bool,
    /// `skb_network_offset()`: bytes of the MAC header (14, or 18 with an in-line tag).
    pub(crate) network_offset: i32,
    /// `skb_checksum_start_offset()`: where the checksummed (L4) part starts.
    pub(crate) csum_start: i32,
    /// `skb->csum_offset`: where the checksum field is, from `csum_start`.
    pub(crate) csum_offset: u32,
    /// `skb_csum_is_sctp()`: the checksum is an SCTP CRC32c, not an Internet checksum.
    pub(crate) sctp: bool,
    /// The 802.1Q tag to insert (`skb_vlan_tag_present()` / `skb_vlan_tag_get()`).
    pub(crate) vlan: Option<u16>,
    /// GSO parameters, for a packet larger than one segment (`skb_is_gso()`).
    pub(crate) gso: Option<Gso>,
    /// `skb->encapsulation`: tunnelled packet (inner headers).
    pub(crate) encapsulation: bool,
}

impl TxHeaders {
    fn from_c(h: &bindings::rust_igb_tx_headers) -> Self {
        Self {
            len: h.len,
            csum_partial: h.csum_partial,
            network_offset: h.network_offset,
            csum_start: h.csum_start,
            csum_offset: u32::from(h.csum_offset),
            sctp: h.sctp,
            vlan: h.vlan_present.then_some(h.vlan_tci),
            gso: h.gso.then_some(Gso {
                size: h.gso_size,
                segs: h.gso_segs,
                kind: if h.gso_udp_l4 {
                    Some(GsoKind::UdpL4)
                } else if h.gso_tcp {
                    Some(GsoKind::Tcp)
                } else {
                    None
                },
            }),
            encapsulation: h.encapsulation,
        }
    }

    /// Reads the headers of a packet the driver does not own (`ndo_features_check`).
    ///
    /// # Safety
    ///
    /// `skb` must point to a valid `sk_buff` for the duration of the call.
    pub(super) unsafe fn from_raw(skb: *const bindings::sk_buff) -> Self {
        // SAFETY: A C struct of integers and booleans, for which all-zero is valid.
        let mut h: bindings::rust_igb_tx_headers = unsafe { core::mem::zeroed() };
        // SAFETY: `skb` is valid per the safety requirements; `h` is a valid out-parameter.
        unsafe { bindings::rust_igb_skb_tx_headers(skb, &mut h) };
        Self::from_c(&h)
    }
}

/// The headers of a packet prepared for segmentation by [`SkBuff::tso_prepare`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TsoHeaders {
    /// The (outermost) network header is IPv4 (its `version` field), else IPv6.
    pub(crate) ipv4: bool,
    /// The segmented L4 header is UDP (`SKB_GSO_UDP_L4`), else TCP.
    pub(crate) udp: bool,
    /// Offset of the (innermost) L4 header from `skb->data`: the checksum start.
    pub(crate) l4_offset: u32,
    /// Bytes of all headers up to the L4 payload (`l4_offset` plus the TCP header's
    /// `doff * 4`, or the 8 bytes of a UDP header).
    pub(crate) hdr_len: u32,
}

impl SkBuff {
    /// Reads the transmit offload facts of the packet (see [`TxHeaders`]).
    pub(crate) fn tx_headers(&self) -> TxHeaders {
        // SAFETY: We own the skb (type invariant of `SkBuff`), so it is valid.
        unsafe { TxHeaders::from_raw(self.as_raw()) }
    }

    /// Prepares a TCP or UDP (`GSO_UDP_L4`) GSO packet, tunnelled (`GSO_PARTIAL`) or not, for
    /// hardware segmentation as `igb_tso()` does: makes the headers private (`skb_cow_head`),
    /// zeroes the outer IP total/payload length, seeds the outer IPv4 header checksum so that
    /// the tunnel headers up to the inner L4 header cancel out, and removes the payload length
    /// from the L4 pseudo-header checksum. Fails with `EINVAL` for a packet that is not such a
    /// GSO packet with `CHECKSUM_PARTIAL` (nothing is changed then), or with the error of
    /// `skb_cow_head` (out of memory).
    pub(crate) fn tso_prepare(&mut self) -> Result<TsoHeaders> {
        // SAFETY: A C struct of integers and booleans, for which all-zero is valid.
        let mut t: bindings::rust_igb_tso_headers = unsafe { core::mem::zeroed() };
        // SAFETY: We own the skb; `t` is a valid out-parameter.
        to_result(unsafe { bindings::rust_igb_skb_tso_prepare(self.as_raw(), &mut t) })?;
        Ok(TsoHeaders {
            ipv4: t.ipv4,
            udp: t.udp,
            l4_offset: t.l4_offset,
            hdr_len: t.hdr_len,
        })
    }

    /// Computes the requested checksum in software (`skb_checksum_help`, or
    /// `skb_crc32c_csum_help` for an SCTP CRC32c), for a request the hardware cannot serve;
    /// afterwards the packet no longer asks for one.
    pub(crate) fn checksum_help(&mut self) -> Result {
        // SAFETY: We own the skb.
        to_result(unsafe { bindings::rust_igb_skb_checksum_help(self.as_raw()) })
    }

    /// Marks a received frame's L4 checksum as verified by the hardware
    /// (`ip_summed = CHECKSUM_UNNECESSARY`).
    pub(crate) fn set_csum_unnecessary(&mut self) {
        // SAFETY: We own the skb.
        unsafe { bindings::rust_igb_skb_csum_unnecessary(self.as_raw()) }
    }

    /// Records the 802.1Q tag `tci` the hardware stripped from a received frame
    /// (`__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), tci)`).
    pub(crate) fn put_vlan_tag(&mut self, tci: u16) {
        // SAFETY: We own the skb.
        unsafe { bindings::rust_igb_skb_put_vlan_tag(self.as_raw(), tci) }
    }
}
