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
    /// `gso_type` has `SKB_GSO_TCPV4` or `SKB_GSO_TCPV6` (TCP segmentation).
    pub(crate) tcp: bool,
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
                tcp: h.gso_tcp,
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

/// The headers of a packet prepared for TCP segmentation by [`SkBuff::tso_prepare`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TsoHeaders {
    /// The network header is IPv4 (its `version` field), else IPv6.
    pub(crate) ipv4: bool,
    /// Offset of the TCP header from `skb->data`.
    pub(crate) l4_offset: u32,
    /// Bytes of all headers up to the TCP payload (`l4_offset + tcp_hdrlen()`).
    pub(crate) hdr_len: u32,
}

impl SkBuff {
    /// Reads the transmit offload facts of the packet (see [`TxHeaders`]).
    pub(crate) fn tx_headers(&self) -> TxHeaders {
        // SAFETY: We own the skb (type invariant of `SkBuff`), so it is valid.
        unsafe { TxHeaders::from_raw(self.as_raw()) }
    }

    /// Prepares a TCP GSO packet for hardware segmentation as `igb_tso()` does: makes the
    /// headers private (`skb_cow_head`), zeroes the IP total/payload length, sets the IPv4
    /// header checksum seed and removes the payload length from the TCP pseudo-header checksum.
    /// Fails with `EINVAL` for a packet that is not a TCP GSO packet with `CHECKSUM_PARTIAL`
    /// (nothing is changed then), or with the error of `skb_cow_head` (out of memory).
    pub(crate) fn tso_prepare(&mut self) -> Result<TsoHeaders> {
        // SAFETY: A C struct of integers and booleans, for which all-zero is valid.
        let mut t: bindings::rust_igb_tso_headers = unsafe { core::mem::zeroed() };
        // SAFETY: We own the skb; `t` is a valid out-parameter.
        to_result(unsafe { bindings::rust_igb_skb_tso_prepare(self.as_raw(), &mut t) })?;
        Ok(TsoHeaders {
            ipv4: t.ipv4,
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
