// SPDX-License-Identifier: GPL-2.0

//! Checksum, segmentation (TCP, UDP, tunnels), VLAN and receive-all offloads: which features
//! the interface advertises, how a packet's offload requests become a context descriptor and
//! data descriptor bits, what the receive write-back says about checksums and tags, and the
//! registers that switch the receive offloads.
//!
//! Follows `igb_tso()`, `igb_tx_csum()`, `igb_tx_cmd_type()`, `igb_tx_olinfo_status()`,
//! `igb_features_check()`, `igb_fix_features()`, `igb_rx_checksum()`, the VLAN part of
//! `igb_process_skb_fields()`, `igb_vlan_mode()`, the RXCSUM part of `igb_setup_mrqc()`, the
//! receive-all parts of `igb_setup_rctl()` and `igb_cleanup_headers()`, and the features
//! `igb_probe()` advertises (`igb_main.c`). The planning functions are pure (a [`TxHeaders`]
//! in, descriptor values out) and covered by the KUnit suite at the end of the file.
//!
//! # What QEMU does (`hw/net/igb_core.c`)
//!
//! - Transmit (`igb_process_tx_desc()`, `igb_setup_tx_offloads()`): a context descriptor is
//!   stored per context index; the packet's first data descriptor selects it. TSE segments the
//!   packet in software by the context's MSS (it parses the headers itself); TXSM computes the
//!   L4 checksum (SCTP CRC32c with L4T_SCTP), IXSM the IPv4 header checksum; VLE inserts the
//!   context's tag, independent of CTRL.VME. The header lengths of the context are not used:
//!   QEMU finds the L4 header by parsing the outer IP header, so it segments plain TCP only.
//!   A UDP segmentation becomes IP fragments of one datagram (UFO), and a tunnelled packet
//!   (GRE, IPIP: no TCP/UDP after the outer IP header) leaves as one oversized frame whose
//!   inner checksum nobody fills in; a tunnelled packet asking only for a checksum gets none
//!   either (`net_tx_pkt_build_vheader()` knows the outer L4 header only). The C igb
//!   advertises the same offloads and meets the same model; `tests/guest/tunnel.sh` checks
//!   what the driver hands over against the datasheet's segmentation instead.
//! - Receive (`igb_build_rx_metadata()`, `igb_verify_csum_in_sw()`): with RXCSUM.IPOFL and
//!   TUOFL it verifies the checksums of each frame and reports IPCS/L4CS/UDPCS and IPE/L4E;
//!   without them, nothing. CTRL.VME strips the tag (VP and `vlan` in the write-back) when
//!   VMDq is off (MRQC bit 0).

use kernel::{io::Io, prelude::*};

use crate::{
    ctl_regs::CtlOwner,
    desc::{
        AdvTxContextDesc, RxChecksum, RxWriteback, ADVTXD_DCMD_TSE, ADVTXD_DCMD_VLE,
        ADVTXD_L4LEN_SHIFT, ADVTXD_MACLEN_SHIFT, ADVTXD_MSS_SHIFT, ADVTXD_POPTS_IXSM,
        ADVTXD_POPTS_TXSM, ADVTXD_TUCMD_IPV4, ADVTXD_TUCMD_L4T_SCTP, ADVTXD_TUCMD_L4T_TCP,
        ADVTXD_TUCMD_L4T_UDP, ADVTXD_VLAN_SHIFT,
    },
    net::{
        features::Features,
        skb_offload::{GsoKind, TsoHeaders, TxHeaders},
    },
    regs::{self, Bar0},
};

/// `IGB_MAX_MAC_HDR_LEN`: largest MACLEN a context descriptor holds.
pub(crate) const MAX_MAC_HDR_LEN: i32 = 127;
/// `IGB_MAX_NETWORK_HDR_LEN`: largest IPLEN a context descriptor holds.
pub(crate) const MAX_NETWORK_HDR_LEN: i32 = 511;
/// Largest L4LEN (8 bits).
const MAX_L4_HDR_LEN: u32 = 255;
/// `offsetof(struct tcphdr, check)`.
const TCP_CSUM_OFFSET: u32 = 16;
/// `offsetof(struct udphdr, check)`.
const UDP_CSUM_OFFSET: u32 = 6;
/// `offsetof(struct sctphdr, checksum)`.
const SCTP_CSUM_OFFSET: u32 = 8;
/// Frame length at which the 82576 may flag a good SCTP CRC as bad (`igb_rx_checksum()`
/// erratum, `IGB_RING_FLAG_RX_SCTP_CSUM`): such an error is not counted.
const SCTP_ERRATUM_LEN: u32 = 60;

/// The tunnel segmentations done as `GSO_PARTIAL` (`IGB_GSO_PARTIAL_FEATURES`): the stack
/// fixes every header up to the innermost IP header for one segment, and the hardware,
/// told that the IP header is all of it (IPLEN from the outer IP header to the inner L4
/// header), segments the inner TCP or UDP payload and rewrites the outer IP header.
pub(crate) const GSO_PARTIAL_FEATURES: Features = Features::GSO_GRE
    .with(Features::GSO_GRE_CSUM)
    .with(Features::GSO_IPXIP4)
    .with(Features::GSO_IPXIP6)
    .with(Features::GSO_UDP_TUNNEL)
    .with(Features::GSO_UDP_TUNNEL_CSUM);

/// What the interface advertises and enables at probe (`igb_probe()` for the 82576: UDP
/// segmentation and the partial tunnel segmentations included, without HW_TC and NTUPLE,
/// which the C driver offers from the i350 on only (no flow steering rules on the 82576);
/// VLAN filtering is added where its callbacks are registered, `net/addr.rs`).
///
/// QEMU's model segments only plain TCP over IPv4/IPv6 (`net_tx_pkt_do_sw_fragmentation()`):
/// it turns a UDP segmentation into IP fragments of one datagram and sends a tunnelled
/// segmentation, or a tunnelled checksum, unsegmented and unchecksummed. The C igb
/// advertises the same and fares the same there; `Documentation/status.md` has the tests.
pub(crate) const FEATURES: Features = Features::SG
    .with(Features::HW_CSUM)
    .with(Features::TSO)
    .with(Features::TSO6)
    .with(Features::SCTP_CRC)
    .with(Features::GSO_UDP_L4)
    .with(Features::GSO_PARTIAL)
    .with(GSO_PARTIAL_FEATURES)
    .with(Features::RXCSUM)
    .with(Features::RXHASH)
    .with(Features::HW_VLAN_CTAG_RX)
    .with(Features::HW_VLAN_CTAG_TX);
/// What `ethtool -K` may toggle: all of [`FEATURES`], and receiving all frames (`rx-all`,
/// off at probe).
pub(crate) const HW_FEATURES: Features = FEATURES.with(Features::RXALL);
/// What VLAN devices on top inherit (`netdev->vlan_features`): the offloads but tag
/// insertion and stripping, and TSO_MANGLEID (a tunnel's inner IPv4 ID stays the same in
/// every segment the hardware cuts).
pub(crate) const VLAN_FEATURES: Features = FEATURES
    .without(Features::HW_VLAN_CTAG_RX)
    .without(Features::HW_VLAN_CTAG_TX)
    .with(Features::TSO_MANGLEID);
/// What encapsulated packets may use (`netdev->hw_enc_features`, the C driver's copy of
/// `vlan_features`): checksums and segmentation at the inner headers.
pub(crate) const ENC_FEATURES: Features = VLAN_FEATURES;
/// What MPLS-labelled packets may use (`netdev->mpls_features`).
pub(crate) const MPLS_FEATURES: Features = Features::HW_CSUM;
/// The features that need a context descriptor describing the headers.
const HEADER_OFFLOADS: Features = Features::HW_CSUM
    .with(Features::SCTP_CRC)
    .with(Features::GSO_UDP_L4)
    .with(Features::TSO)
    .with(Features::TSO6);

/// `igb_fix_features()`: tag insertion follows tag stripping (no separate control).
pub(crate) fn fix_features(features: Features) -> Features {
    if features.contains(Features::HW_VLAN_CTAG_RX) {
        features.with(Features::HW_VLAN_CTAG_TX)
    } else {
        features.without(Features::HW_VLAN_CTAG_TX)
    }
}

/// `igb_features_check()`: drop the offloads a context descriptor cannot describe for this
/// packet (MAC header over 127 bytes, network header, from the outer IP header to the
/// checksum start, over 511 bytes), and IPv4 TSO of a tunnelled packet unless the inner
/// IPv4 ID may be mangled (TSO_MANGLEID, which [`ENC_FEATURES`] has).
pub(crate) fn features_check(h: &TxHeaders, features: Features) -> Features {
    if h.network_offset > MAX_MAC_HDR_LEN {
        return features
            .without(HEADER_OFFLOADS)
            .without(Features::HW_VLAN_CTAG_TX);
    }
    // Unsigned in C: a checksum start before the network header is "too long" too.
    let network_hdr_len = h.csum_start.wrapping_sub(h.network_offset);
    if !(0..=MAX_NETWORK_HDR_LEN).contains(&network_hdr_len) {
        return features.without(HEADER_OFFLOADS);
    }
    if h.encapsulation && !features.contains(Features::TSO_MANGLEID) {
        return features.without(Features::TSO);
    }
    features
}

/// The checksum type a `CHECKSUM_PARTIAL` request asks the hardware for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum L4Csum {
    /// TCP (`csum_offset` 16).
    Tcp,
    /// UDP (`csum_offset` 6).
    Udp,
    /// SCTP CRC32c (`csum_offset` 8 and `skb_csum_is_sctp()`).
    Sctp,
}

/// How a packet's checksum is to be done (the `csum_offset` switch of `igb_tx_csum()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CsumRequest {
    /// No checksum requested.
    None,
    /// By the hardware, of this type.
    Hardware(L4Csum),
    /// In software (`skb_checksum_help()`): the hardware cannot place it.
    Software,
}

/// Classifies the checksum request of a packet.
pub(crate) fn csum_request(h: &TxHeaders) -> CsumRequest {
    if !h.csum_partial {
        return CsumRequest::None;
    }
    match h.csum_offset {
        TCP_CSUM_OFFSET => CsumRequest::Hardware(L4Csum::Tcp),
        UDP_CSUM_OFFSET => CsumRequest::Hardware(L4Csum::Udp),
        SCTP_CSUM_OFFSET if h.sctp => CsumRequest::Hardware(L4Csum::Sctp),
        _ => CsumRequest::Software,
    }
}

/// The offload part of a packet's descriptors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TxOffload {
    /// The context descriptor to write before the data descriptors, if any.
    pub(crate) context: Option<AdvTxContextDesc>,
    /// DCMD bits for every data descriptor (VLE, TSE).
    pub(crate) cmd: u32,
    /// POPTS bits for the first data descriptor's `olinfo_status` (TXSM, IXSM).
    pub(crate) popts: u32,
    /// PAYLEN of the first data descriptor (`skb->len - hdr_len`).
    pub(crate) paylen: u32,
    /// Bytes on the wire for byte queue limits and statistics (headers counted per segment).
    pub(crate) bytes: u32,
    /// Frames on the wire (`gso_segs`, 1 without TSO).
    pub(crate) segs: u32,
}

impl TxOffload {
    /// Descriptors the offload adds before the data descriptors.
    pub(crate) fn extra_descs(&self) -> usize {
        usize::from(self.context.is_some())
    }
}

/// The VLAN tag in `vlan_macip_lens` position and the VLE bit, if the packet has a tag.
fn vlan_bits(h: &TxHeaders) -> (u32, u32) {
    match h.vlan {
        Some(tci) => (u32::from(tci) << ADVTXD_VLAN_SHIFT, ADVTXD_DCMD_VLE),
        None => (0, 0),
    }
}

/// Describes a TCP or UDP segmentation request (`igb_tso()`), tunnelled or not, for a packet
/// whose headers were prepared with `SkBuff::tso_prepare` (which gave `t`): MACLEN up to the
/// outer IP header, IPLEN from there to the segmented L4 header (through any tunnel
/// headers), L4LEN of that header (8 for UDP), and the MSS. `EINVAL` if the lengths cannot
/// be described or `t` does not match the packet's GSO type.
pub(crate) fn plan_tso(h: &TxHeaders, t: &TsoHeaders) -> Result<TxOffload> {
    let gso = h.gso.filter(|g| g.size > 0).ok_or(EINVAL)?;
    let l4t = match gso.kind {
        Some(GsoKind::Tcp) if !t.udp => ADVTXD_TUCMD_L4T_TCP,
        Some(GsoKind::UdpL4) if t.udp => ADVTXD_TUCMD_L4T_UDP,
        _ => return Err(EINVAL),
    };
    let maclen = u32::try_from(h.network_offset).map_err(|_| EINVAL)?;
    let iplen = t.l4_offset.checked_sub(maclen).ok_or(EINVAL)?;
    let l4len = t.hdr_len.checked_sub(t.l4_offset).ok_or(EINVAL)?;
    let paylen = h.len.checked_sub(t.hdr_len).ok_or(EINVAL)?;
    if maclen > MAX_MAC_HDR_LEN as u32
        || iplen > MAX_NETWORK_HDR_LEN as u32
        || l4len > MAX_L4_HDR_LEN
        || gso.size > 0xffff
    {
        return Err(EINVAL);
    }
    let segs = gso.segs.max(1);
    let bytes = (segs - 1)
        .checked_mul(t.hdr_len)
        .and_then(|b| b.checked_add(h.len))
        .ok_or(EINVAL)?;
    let (vlan, vle) = vlan_bits(h);
    let (ipv4_tucmd, ixsm) = if t.ipv4 {
        (ADVTXD_TUCMD_IPV4, ADVTXD_POPTS_IXSM)
    } else {
        (0, 0)
    };
    Ok(TxOffload {
        context: Some(AdvTxContextDesc::new(
            iplen | (maclen << ADVTXD_MACLEN_SHIFT) | vlan,
            l4t | ipv4_tucmd,
            (l4len << ADVTXD_L4LEN_SHIFT) | (gso.size << ADVTXD_MSS_SHIFT),
        )),
        cmd: ADVTXD_DCMD_TSE | vle,
        popts: ADVTXD_POPTS_TXSM | ixsm,
        paylen,
        bytes,
        segs,
    })
}

/// Describes a packet without segmentation (`igb_tx_csum()`): a hardware checksum of type
/// `csum` (none if `None`) and/or a VLAN tag need a context descriptor; a packet with neither
/// needs none. `EINVAL` if the checksum's headers cannot be described (the caller then
/// checksums in software and plans again without `csum`).
pub(crate) fn plan_csum(h: &TxHeaders, csum: Option<L4Csum>) -> Result<TxOffload> {
    let (vlan, vle) = vlan_bits(h);
    let mut off = TxOffload {
        context: None,
        cmd: vle,
        popts: 0,
        paylen: h.len,
        bytes: h.len,
        segs: 1,
    };
    let Some(csum) = csum else {
        if h.vlan.is_some() {
            // MACLEN only matters for checksums; keep it in its field.
            let maclen = (h.network_offset as u32) & (MAX_MAC_HDR_LEN as u32);
            off.context = Some(AdvTxContextDesc::new(
                (maclen << ADVTXD_MACLEN_SHIFT) | vlan,
                ADVTXD_TUCMD_L4T_UDP,
                0,
            ));
        }
        return Ok(off);
    };
    let iplen = h.csum_start.wrapping_sub(h.network_offset);
    if !(0..=MAX_MAC_HDR_LEN).contains(&h.network_offset)
        || !(0..=MAX_NETWORK_HDR_LEN).contains(&iplen)
    {
        return Err(EINVAL);
    }
    let tucmd = match csum {
        L4Csum::Tcp => ADVTXD_TUCMD_L4T_TCP,
        L4Csum::Udp => ADVTXD_TUCMD_L4T_UDP,
        L4Csum::Sctp => ADVTXD_TUCMD_L4T_SCTP,
    };
    off.context = Some(AdvTxContextDesc::new(
        (iplen as u32) | ((h.network_offset as u32) << ADVTXD_MACLEN_SHIFT) | vlan,
        tucmd,
        0,
    ));
    off.popts = ADVTXD_POPTS_TXSM;
    Ok(off)
}

/// What the receive write-back of a frame means for its skb (`igb_rx_checksum()` and the
/// VLAN part of `igb_process_skb_fields()`), given the interface's `features`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RxOffload {
    /// Mark the skb `CHECKSUM_UNNECESSARY`.
    pub(crate) csum_unnecessary: bool,
    /// Count a checksum error (the stack still verifies the frame and drops it if bad).
    pub(crate) csum_error: bool,
    /// The stripped tag to record (`__vlan_hwaccel_put_tag`).
    pub(crate) vlan: Option<u16>,
}

/// Interprets the write-back `wb` of a `len`-byte frame.
pub(crate) fn rx_offload(wb: &RxWriteback, len: u32, features: Features) -> RxOffload {
    let mut r = RxOffload::default();
    if features.contains(Features::RXCSUM) {
        match wb.checksum() {
            RxChecksum::Unnecessary => r.csum_unnecessary = true,
            RxChecksum::Error => r.csum_error = len != SCTP_ERRATUM_LEN,
            RxChecksum::None => {}
        }
    }
    if features.contains(Features::HW_VLAN_CTAG_RX) && wb.vlan_present() {
        r.vlan = Some(wb.vlan);
    }
    r
}

/// Switches VLAN tag stripping (and, on real hardware, insertion) as `igb_vlan_mode()` does:
/// CTRL.VME, RCTL.CFIEN cleared when enabling, and VMOLR(0).STRVLAN for the PF pool
/// (`igb_set_vf_vlan_strip()`; only used with VMDq). Non-sleeping.
/// Each register is one read-modify-write under `ctl` (the bits are shared with the filters,
/// ring set-up and link code, see `ctl_regs.rs`).
pub(crate) fn set_vlan_strip(bar: &Bar0<'_>, ctl: &impl CtlOwner, on: bool) {
    ctl.with(|c| c.update_ctrl(bar, |r| r.with_vme(on)));
    if on {
        ctl.with(|c| c.update_rctl(bar, |r| r.with_cfien(false)));
    }
    ctl.with(|c| c.update_vmolr0(bar, |r| r.with_strvlan(on)));
}

/// Switches receive checksum offload: RXCSUM.IPOFL, TUOFL and CRCOFL (SCTP, 82576 and later),
/// which `igb_setup_mrqc()` leaves at their reset value (on) plus CRCOFL. PCSD (RSS hash
/// instead of the IP id) is left to the RSS set-up. Non-sleeping.
pub(crate) fn set_rx_csum(bar: &Bar0<'_>, on: bool) {
    bar.update(regs::RXCSUM, |r| {
        r.with_ipofl(on).with_tuofl(on).with_crcofl(on)
    });
}

/// RCTL for receive-all on or off (`igb_setup_rctl()`): on, store bad frames (SBP), accept
/// every broadcast (BAM, always set) and MAC control frame (PMCF), pass filtered pause
/// frames (DPF clear) and do not drop frames with the CFI bit (CFIEN clear). Off, SBP and
/// PMCF clear (their reset values, which the C driver gets back through the reset of its
/// reinit); DPF and CFIEN are left to the code that owns them.
pub(crate) fn rctl_rx_all(r: regs::RCTL, on: bool) -> regs::RCTL {
    let r = r.with_sbp(on).with_pmcf(on).with_bam(true);
    if on {
        r.with_dpf(false).with_cfien(false)
    } else {
        r
    }
}

/// Programs the receive offloads for `features` (from `open`, after a reset, and from
/// `ndo_set_features`): checksums, tag stripping and the RCTL bits of receive-all (the
/// filter side of receive-all is `filter::set_rx_all`). Non-sleeping.
pub(crate) fn configure(bar: &Bar0<'_>, ctl: &impl CtlOwner, features: Features) {
    set_rx_csum(bar, features.contains(Features::RXCSUM));
    set_vlan_strip(bar, ctl, features.contains(Features::HW_VLAN_CTAG_RX));
    let rx_all = features.contains(Features::RXALL);
    ctl.with(|c| c.update_rctl(bar, |r| rctl_rx_all(r, rx_all)));
}

/// Whether a frame the MAC flagged as bad (CRC, symbol, sequence, carrier extension or
/// data error) is passed up instead of dropped: only with receive-all
/// (`igb_cleanup_headers()`).
pub(crate) fn keep_bad_frames(features: Features) -> bool {
    features.contains(Features::RXALL)
}

#[kunit_tests(rust_igb_offload)]
mod tests {
    use super::*;
    use crate::net::skb_offload::Gso;

    /// A TCP/IPv4 packet: 14-byte MAC, 20-byte IP, 32-byte TCP header, 5000 bytes in all.
    fn tcp4() -> TxHeaders {
        TxHeaders {
            len: 5000,
            csum_partial: true,
            network_offset: 14,
            csum_start: 34,
            csum_offset: 16,
            ..Default::default()
        }
    }

    #[test]
    fn checksum_classes() {
        let mut h = tcp4();
        assert_eq!(csum_request(&h), CsumRequest::Hardware(L4Csum::Tcp));
        h.csum_offset = 6;
        assert_eq!(csum_request(&h), CsumRequest::Hardware(L4Csum::Udp));
        h.csum_offset = 8;
        assert_eq!(csum_request(&h), CsumRequest::Software);
        h.sctp = true;
        assert_eq!(csum_request(&h), CsumRequest::Hardware(L4Csum::Sctp));
        h.csum_offset = 10;
        assert_eq!(csum_request(&h), CsumRequest::Software);
        h.csum_partial = false;
        assert_eq!(csum_request(&h), CsumRequest::None);
    }

    #[test]
    fn tso_ipv4() -> Result {
        let mut h = tcp4();
        h.gso = Some(Gso {
            size: 1448,
            segs: 4,
            kind: Some(GsoKind::Tcp),
        });
        let t = TsoHeaders {
            ipv4: true,
            udp: false,
            l4_offset: 34,
            hdr_len: 66,
        };
        let o = plan_tso(&h, &t)?;
        // vlan_macip_lens = 20 | 14 << 9; TUCMD TCP | IPV4; L4LEN 32, MSS 1448.
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new(0x1c14, 0xc00, 0x05a8_2000))
        );
        assert_eq!(o.cmd, ADVTXD_DCMD_TSE);
        assert_eq!(o.popts, ADVTXD_POPTS_TXSM | ADVTXD_POPTS_IXSM);
        assert_eq!(o.paylen, 5000 - 66);
        // igb_tso(): bytecount += (gso_segs - 1) * hdr_len.
        assert_eq!(o.bytes, 5000 + 3 * 66);
        assert_eq!(o.segs, 4);
        assert_eq!(o.extra_descs(), 1);
        Ok(())
    }

    #[test]
    fn tso_ipv6_vlan() -> Result {
        let h = TxHeaders {
            len: 9000,
            csum_partial: true,
            network_offset: 14,
            csum_start: 54,
            csum_offset: 16,
            vlan: Some(0x200a),
            gso: Some(Gso {
                size: 1428,
                segs: 7,
                kind: Some(GsoKind::Tcp),
            }),
            ..Default::default()
        };
        let t = TsoHeaders {
            ipv4: false,
            udp: false,
            l4_offset: 54,
            hdr_len: 74,
        };
        let o = plan_tso(&h, &t)?;
        // IPLEN 40, MACLEN 14, tag 0x200a; TCP without IPV4; no IXSM.
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new(
                0x200a_0000 | (14 << 9) | 40,
                0x800,
                (20 << 8) | (1428 << 16)
            ))
        );
        assert_eq!(o.cmd, ADVTXD_DCMD_TSE | ADVTXD_DCMD_VLE);
        assert_eq!(o.popts, ADVTXD_POPTS_TXSM);
        assert_eq!(o.paylen, 9000 - 74);
        Ok(())
    }

    #[test]
    fn udp_segmentation() -> Result {
        // GSO_UDP_L4 over IPv4: 14 + 20, an 8-byte UDP header, 1400-byte datagrams.
        let h = TxHeaders {
            len: 14 + 20 + 8 + 4 * 1400,
            csum_partial: true,
            network_offset: 14,
            csum_start: 34,
            csum_offset: 6,
            gso: Some(Gso {
                size: 1400,
                segs: 4,
                kind: Some(GsoKind::UdpL4),
            }),
            ..Default::default()
        };
        let t = TsoHeaders {
            ipv4: true,
            udp: true,
            l4_offset: 34,
            hdr_len: 42,
        };
        let o = plan_tso(&h, &t)?;
        // IPLEN 20, MACLEN 14; TUCMD L4T_UDP (0) | IPV4; L4LEN 8, MSS 1400.
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new(
                (14 << 9) | 20,
                ADVTXD_TUCMD_IPV4,
                (8 << 8) | (1400 << 16)
            ))
        );
        assert_eq!(o.cmd, ADVTXD_DCMD_TSE);
        assert_eq!(o.popts, ADVTXD_POPTS_TXSM | ADVTXD_POPTS_IXSM);
        assert_eq!((o.paylen, o.segs), (4 * 1400, 4));
        // Each datagram carries its own 42 bytes of headers.
        assert_eq!(o.bytes, h.len + 3 * 42);
        // Headers prepared as the other kind: refused, nothing planned.
        assert!(plan_tso(&h, &TsoHeaders { udp: false, ..t }).is_err());
        let tcp = TxHeaders {
            gso: Some(Gso {
                kind: Some(GsoKind::Tcp),
                ..Gso::default()
            }),
            ..h
        };
        assert!(plan_tso(&tcp, &t).is_err());
        Ok(())
    }

    /// A TCP segmentation through a tunnel (`GSO_PARTIAL`): the context describes the outer
    /// IP header as MACLEN's end and everything up to the inner TCP header as IPLEN.
    fn tunnel(outer_v4: bool, tunnel_hdrs: u32, inner_ip: u32) -> Result<TxOffload> {
        let outer_ip = if outer_v4 { 20 } else { 40 };
        let l4 = 14 + outer_ip + tunnel_hdrs + inner_ip;
        let h = TxHeaders {
            len: l4 + 20 + 2 * 1360,
            csum_partial: true,
            network_offset: 14,
            csum_start: l4 as i32,
            csum_offset: 16,
            gso: Some(Gso {
                size: 1360,
                segs: 2,
                kind: Some(GsoKind::Tcp),
            }),
            encapsulation: true,
            ..Default::default()
        };
        let t = TsoHeaders {
            ipv4: outer_v4,
            udp: false,
            l4_offset: l4,
            hdr_len: l4 + 20,
        };
        plan_tso(&h, &t)
    }

    #[test]
    fn tunnel_segmentation() -> Result {
        let mss_l4 = (20 << 8) | (1360 << 16);
        let tcp4 = ADVTXD_TUCMD_L4T_TCP | ADVTXD_TUCMD_IPV4;
        // GRE (4-byte header) over IPv4 around IPv4: IPLEN 20 + 4 + 20.
        let o = tunnel(true, 4, 20)?;
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new((14 << 9) | 44, tcp4, mss_l4))
        );
        assert_eq!(o.popts, ADVTXD_POPTS_TXSM | ADVTXD_POPTS_IXSM);
        // GRE with checksum (8 bytes): IPLEN 48.
        assert_eq!(
            tunnel(true, 8, 20)?.context,
            Some(AdvTxContextDesc::new((14 << 9) | 48, tcp4, mss_l4))
        );
        // IPIP: no tunnel header, IPLEN 40.
        assert_eq!(
            tunnel(true, 0, 20)?.context,
            Some(AdvTxContextDesc::new((14 << 9) | 40, tcp4, mss_l4))
        );
        // VXLAN over IPv4: UDP 8 + VXLAN 8 + inner Ethernet 14 + inner IPv4 20 = IPLEN 70.
        assert_eq!(
            tunnel(true, 30, 20)?.context,
            Some(AdvTxContextDesc::new((14 << 9) | 70, tcp4, mss_l4))
        );
        // IPv4 in IPv6 (IPXIP6): IPLEN 60, no IPV4 command, no IXSM.
        let o = tunnel(false, 0, 20)?;
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new(
                (14 << 9) | 60,
                ADVTXD_TUCMD_L4T_TCP,
                mss_l4
            ))
        );
        assert_eq!(o.popts, ADVTXD_POPTS_TXSM);
        // Headers past IPLEN's 9 bits cannot be described.
        assert!(tunnel(true, 500, 20).is_err());
        Ok(())
    }

    #[test]
    fn receive_all_rctl() {
        // igb_setup_rctl() with NETIF_F_RXALL: SBP | BAM | PMCF set, DPF and CFIEN clear.
        let r = regs::RCTL::zeroed().with_dpf(true).with_cfien(true);
        let on = rctl_rx_all(r, true);
        assert!(on.sbp() && on.bam() && on.pmcf() && !on.dpf() && !on.cfien());
        // Off: SBP and PMCF back to their reset values; the rest untouched.
        let off = rctl_rx_all(on, false);
        assert!(!off.sbp() && off.bam() && !off.pmcf());
        assert_eq!(
            rctl_rx_all(r, false).into_raw(),
            r.with_bam(true).into_raw()
        );
        assert!(keep_bad_frames(Features::RXALL) && !keep_bad_frames(FEATURES));
    }

    #[test]
    fn tso_rejects() {
        let mut h = tcp4();
        let t = TsoHeaders {
            ipv4: true,
            udp: false,
            l4_offset: 34,
            hdr_len: 66,
        };
        // Not GSO, or not TCP GSO.
        assert!(plan_tso(&h, &t).is_err());
        h.gso = Some(Gso {
            size: 1448,
            segs: 4,
            kind: None,
        });
        assert!(plan_tso(&h, &t).is_err());
        // Headers longer than the packet.
        h.gso = Some(Gso {
            size: 1448,
            segs: 4,
            kind: Some(GsoKind::Tcp),
        });
        h.len = 60;
        assert!(plan_tso(&h, &t).is_err());
    }

    #[test]
    fn csum_contexts() -> Result {
        // Plain packet: no context, PAYLEN = len, no offload bits.
        let mut h = tcp4();
        h.csum_partial = false;
        h.len = 60;
        let o = plan_csum(&h, None)?;
        assert_eq!(o.context, None);
        assert_eq!(
            (o.cmd, o.popts, o.paylen, o.bytes, o.segs),
            (0, 0, 60, 60, 1)
        );

        // Tag only: a context carrying the tag and MACLEN, VLE.
        h.vlan = Some(10);
        let o = plan_csum(&h, None)?;
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new((10 << 16) | (14 << 9), 0, 0))
        );
        assert_eq!((o.cmd, o.popts), (ADVTXD_DCMD_VLE, 0));

        // UDP over IPv6 with a tag: IPLEN 40, L4T_UDP, TXSM only.
        let h = TxHeaders {
            len: 200,
            csum_partial: true,
            network_offset: 14,
            csum_start: 54,
            csum_offset: 6,
            vlan: Some(10),
            ..Default::default()
        };
        let o = plan_csum(&h, Some(L4Csum::Udp))?;
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new((10 << 16) | (14 << 9) | 40, 0, 0))
        );
        assert_eq!((o.cmd, o.popts), (ADVTXD_DCMD_VLE, ADVTXD_POPTS_TXSM));

        // SCTP, in-line tag (MACLEN 18).
        let h = TxHeaders {
            len: 200,
            csum_partial: true,
            network_offset: 18,
            csum_start: 38,
            csum_offset: 8,
            sctp: true,
            ..Default::default()
        };
        let o = plan_csum(&h, Some(L4Csum::Sctp))?;
        assert_eq!(
            o.context,
            Some(AdvTxContextDesc::new(
                (18 << 9) | 20,
                ADVTXD_TUCMD_L4T_SCTP,
                0
            ))
        );
        Ok(())
    }

    #[test]
    fn csum_rejects_long_headers() {
        let mut h = tcp4();
        h.csum_start = 14 + 512;
        assert!(plan_csum(&h, Some(L4Csum::Tcp)).is_err());
        h.csum_start = 10;
        assert!(plan_csum(&h, Some(L4Csum::Tcp)).is_err());
        h.csum_start = 34;
        h.network_offset = 128;
        assert!(plan_csum(&h, Some(L4Csum::Tcp)).is_err());
    }

    #[test]
    fn features() {
        let mut h = tcp4();
        assert_eq!(features_check(&h, FEATURES), FEATURES);
        h.csum_start = 14 + 600;
        let f = features_check(&h, FEATURES);
        assert!(!f.intersects(HEADER_OFFLOADS));
        assert!(f.contains(Features::HW_VLAN_CTAG_TX | Features::SG));
        h.network_offset = 200;
        let f = features_check(&h, FEATURES);
        assert!(!f.intersects(HEADER_OFFLOADS | Features::HW_VLAN_CTAG_TX));
        let mut h = tcp4();
        h.encapsulation = true;
        assert_eq!(
            features_check(&h, FEATURES),
            FEATURES.without(Features::TSO)
        );
        // The core masks a tunnelled packet's features with hw_enc_features, which allow
        // mangling the inner IPv4 ID: TSO stays (igb_features_check()).
        assert_eq!(features_check(&h, ENC_FEATURES), ENC_FEATURES);
        assert!(ENC_FEATURES.contains(Features::TSO | Features::GSO_UDP_L4 | Features::HW_CSUM));
        // A tunnel whose headers up to the inner L4 header exceed IPLEN: no offload needing
        // a context, UDP segmentation included.
        h.csum_start = 14 + 512;
        let f = features_check(&h, ENC_FEATURES);
        assert!(!f.intersects(HEADER_OFFLOADS) && !f.intersects(Features::GSO_UDP_L4));
        // What ethtool may switch: everything advertised, and rx-all, which is off at probe.
        assert!(HW_FEATURES.contains(FEATURES | Features::RXALL));
        assert!(!FEATURES.intersects(Features::RXALL));
        assert!(FEATURES.contains(GSO_PARTIAL_FEATURES | Features::GSO_PARTIAL));

        assert!(fix_features(Features::HW_VLAN_CTAG_RX).contains(Features::HW_VLAN_CTAG_TX));
        assert_eq!(fix_features(Features::HW_VLAN_CTAG_TX), Features::EMPTY);
    }

    #[test]
    fn receive() {
        let on = FEATURES;
        let off = FEATURES.without(Features::RXCSUM | Features::HW_VLAN_CTAG_RX);
        // DD | EOP | VP | TCPCS | IPCS, tag 0x0064.
        let hi = (0x0064u64 << 48) | (98u64 << 32) | 0x6b;
        let wb = RxWriteback::parse(0, hi.to_le());
        assert_eq!(
            rx_offload(&wb, 98, on),
            RxOffload {
                csum_unnecessary: true,
                csum_error: false,
                vlan: Some(0x64)
            }
        );
        assert_eq!(rx_offload(&wb, 98, off), RxOffload::default());
        // L4E: counted, not marked; but not at 60 bytes (SCTP erratum).
        let wb = RxWriteback::parse(0, ((98u64 << 32) | 0x2000_0023).to_le());
        assert!(rx_offload(&wb, 98, on).csum_error);
        assert!(!rx_offload(&wb, 98, on).csum_unnecessary);
        assert!(!rx_offload(&wb, 60, on).csum_error);
        assert!(!rx_offload(&wb, 98, off).csum_error);
    }
}
