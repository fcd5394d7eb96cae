// SPDX-License-Identifier: GPL-2.0

//! 82576 advanced descriptors: the layouts the rings hold in DMA memory, their encodings and
//! the decoding of what the hardware writes back.
//!
//! Follows `union e1000_adv_tx_desc` / `union e1000_adv_rx_desc` (`e1000_82575.h`),
//! `igb_tx_cmd_type()`, `igb_tx_olinfo_status()`, `igb_tx_map()`, `igb_clean_tx_irq()` and
//! `igb_clean_rx_irq()` (`igb_main.c`). Everything here is pure (no register or memory access),
//! so it is covered by the KUnit suite at the end of the file.
//!
//! # Byte order
//!
//! Descriptors are little endian (`__le64`/`__le32` in the C unions). The structs below hold
//! their fields *already in descriptor byte order*: the constructors apply `to_le()`, so a field
//! is written to descriptor memory unchanged, and the parsers ([`tx_done`],
//! [`RxWriteback::parse`]) take the raw words read back from descriptor memory and apply
//! `from_le()`. On x86 both are no-ops.
//!
//! # Ring memory
//!
//! The structs are `#[repr(C)]`, padding-free and valid for every bit pattern, and derive
//! zerocopy's `FromBytes`/`IntoBytes` for `io_read!`/`io_write!` projections. Allocating a
//! `kernel::dma::Coherent<[T]>` of them additionally needs the kernel's own
//! `kernel::transmute::{AsBytes, FromBytes}`, which are `unsafe` traits without a derive: that
//! `unsafe impl` belongs in the abstraction layer (`net/`). Alternatively a ring can be a
//! `Coherent<[[u64; 2]]>` and use [`AdvTxDesc::to_qwords`] / [`AdvRxDesc::to_qwords`].
//!
//! # What QEMU writes back (`hw/net/igb_core.c`)
//!
//! - Tx (`igb_txdesc_writeback()`): only for descriptors with RS set; it writes the whole
//!   16 bytes back with `olinfo_status | DD` in the status dword (PAYLEN stays in bits 31:14),
//!   unless TDWBAL bit 0 selects head write-back (never set by this driver). Processing is
//!   synchronous with the TDT write, so DD is in memory when the tail write returns.
//! - Rx (`igb_write_adv_rx_descr()`, `igb_pci_dma_write_rx_desc()`): the buffer is written first,
//!   then the 16-byte write-back with DD clear, then the status dword with DD, so DD is the last
//!   thing to land. Status bits set: DD, EOP, VP (tag stripped, CTRL.VME), IPCS, L4CS (TCPCS, for
//!   TCP, UDP and SCTP), UDPCS, IPE/L4E (TCPE) on bad checksums, IPIDV and bit 16 (timestamp).
//!   The frame error bits (RXE, CE, SE, SEQ, CXE) are never set. `rss` holds the RSS hash only
//!   with RXCSUM.PCSD set and MRQC in RSS mode, otherwise the IP id (IPIDV). `length` counts the
//!   bytes written to the buffer, including 4 FCS bytes (zeros) unless RCTL.SECRC strips them.

#![allow(dead_code)] // Part of the datapath API ahead of its users (multi-queue, offloads, ITR).

use kernel::prelude::*;

/// `E1000_ADVTXD_DTYP_DATA`: advanced data descriptor.
pub(crate) const ADVTXD_DTYP_DATA: u32 = 0x0030_0000;
/// `E1000_ADVTXD_DCMD_EOP`: end of packet.
pub(crate) const ADVTXD_DCMD_EOP: u32 = 0x0100_0000;
/// `E1000_ADVTXD_DCMD_IFCS`: insert the Ethernet FCS.
pub(crate) const ADVTXD_DCMD_IFCS: u32 = 0x0200_0000;
/// `E1000_ADVTXD_DCMD_RS`: report status (write back DD).
pub(crate) const ADVTXD_DCMD_RS: u32 = 0x0800_0000;
/// `E1000_ADVTXD_DCMD_DEXT`: descriptor extension (advanced format).
pub(crate) const ADVTXD_DCMD_DEXT: u32 = 0x2000_0000;
/// `E1000_ADVTXD_PAYLEN_SHIFT`: position of PAYLEN in `olinfo_status`.
pub(crate) const ADVTXD_PAYLEN_SHIFT: u32 = 14;
/// DTALEN: data length field of `cmd_type_len` (bits 15:0).
const ADVTXD_DTALEN_MASK: u32 = 0xffff;
/// PAYLEN is 18 bits wide (`olinfo_status` bits 31:14).
const ADVTXD_PAYLEN_MASK: u32 = 0x3_ffff;
/// `E1000_TXD_STAT_DD`: descriptor done, in the write-back status dword.
pub(crate) const TXD_STAT_DD: u32 = 0x0000_0001;
/// `IGB_MAX_DATA_PER_TXD`: most bytes the C driver puts in one Tx descriptor.
pub(crate) const MAX_DATA_PER_TXD: u32 = 1 << 15;

/// `E1000_RXD_STAT_DD`: descriptor done.
pub(crate) const RXD_STAT_DD: u32 = 0x01;
/// `E1000_RXD_STAT_EOP`: end of packet.
pub(crate) const RXD_STAT_EOP: u32 = 0x02;
/// `E1000_RXD_STAT_IXSM`: ignore the checksum indications.
pub(crate) const RXD_STAT_IXSM: u32 = 0x04;
/// `E1000_RXD_STAT_VP`: an 802.1Q tag was stripped into `vlan`.
pub(crate) const RXD_STAT_VP: u32 = 0x08;
/// `E1000_RXD_STAT_UDPCS`: the L4 checksum was computed over UDP.
pub(crate) const RXD_STAT_UDPCS: u32 = 0x10;
/// `E1000_RXD_STAT_TCPCS` (datasheet L4CS): the L4 checksum was computed.
pub(crate) const RXD_STAT_TCPCS: u32 = 0x20;
/// `E1000_RXD_STAT_IPCS` (e1000e name; not in igb's headers): the IPv4 header checksum was
/// computed.
pub(crate) const RXD_STAT_IPCS: u32 = 0x40;
/// `E1000_RXDEXT_STATERR_LB`: the packet was looped back (VM to VM).
pub(crate) const RXDEXT_STATERR_LB: u32 = 0x0004_0000;
/// `E1000_RXDEXT_STATERR_CE`: CRC or alignment error.
pub(crate) const RXDEXT_STATERR_CE: u32 = 0x0100_0000;
/// `E1000_RXDEXT_STATERR_SE`: symbol error.
pub(crate) const RXDEXT_STATERR_SE: u32 = 0x0200_0000;
/// `E1000_RXDEXT_STATERR_SEQ`: sequence error.
pub(crate) const RXDEXT_STATERR_SEQ: u32 = 0x0400_0000;
/// `E1000_RXDEXT_STATERR_CXE`: carrier extension error.
pub(crate) const RXDEXT_STATERR_CXE: u32 = 0x1000_0000;
/// `E1000_RXDEXT_STATERR_TCPE` (datasheet L4E): bad TCP/UDP/SCTP checksum.
pub(crate) const RXDEXT_STATERR_TCPE: u32 = 0x2000_0000;
/// `E1000_RXDEXT_STATERR_IPE`: bad IPv4 header checksum.
pub(crate) const RXDEXT_STATERR_IPE: u32 = 0x4000_0000;
/// `E1000_RXDEXT_STATERR_RXE`: Rx data error.
pub(crate) const RXDEXT_STATERR_RXE: u32 = 0x8000_0000;
/// `E1000_RXDEXT_ERR_FRAME_ERR_MASK`: the errors for which `igb_cleanup_headers()` drops a
/// frame (unless NETIF_F_RXALL).
pub(crate) const RXDEXT_ERR_FRAME_ERR_MASK: u32 = RXDEXT_STATERR_CE
    | RXDEXT_STATERR_SE
    | RXDEXT_STATERR_SEQ
    | RXDEXT_STATERR_CXE
    | RXDEXT_STATERR_RXE;
/// `E1000_RSS_TYPE_MASK`: RSS type in the low bits of `pkt_info`.
pub(crate) const RSS_TYPE_MASK: u16 = 0x000f;

/// One advanced transmit descriptor, read (software-written) format of
/// `union e1000_adv_tx_desc`. 16 bytes; fields in descriptor (little-endian) byte order.
///
/// The write-back format overlays it: `olinfo_status` becomes the status dword whose bit 0 is
/// DD (see [`tx_done`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes)]
pub(crate) struct AdvTxDesc {
    /// `read.buffer_addr`: bus address of the data buffer.
    pub(crate) buffer_addr: u64,
    /// `read.cmd_type_len`: DCMD, DTYP and DTALEN (buffer length, bits 15:0).
    pub(crate) cmd_type_len: u32,
    /// `read.olinfo_status`: PAYLEN (bits 31:14) and offload options; `wb.status` after
    /// write-back.
    pub(crate) olinfo_status: u32,
}

const _: () = assert!(core::mem::size_of::<AdvTxDesc>() == 16);

impl AdvTxDesc {
    /// Returns the `cmd_type_len` dword (CPU byte order) of a data descriptor for `len` bytes,
    /// as `igb_tx_cmd_type()` and `igb_tx_map()` build it: DTYP_DATA | DEXT | IFCS | len, plus
    /// EOP | RS (`IGB_TXD_DCMD`) on the last descriptor of a packet (`eop`). No VLE, TSE or
    /// timestamp bits (no offloads yet).
    ///
    /// `len` must not exceed [`MAX_DATA_PER_TXD`]; only its low 16 bits (DTALEN) are used, so a
    /// larger value cannot corrupt the command bits.
    pub(crate) const fn cmd_type_len(len: u32, eop: bool) -> u32 {
        let cmd =
            ADVTXD_DTYP_DATA | ADVTXD_DCMD_DEXT | ADVTXD_DCMD_IFCS | (len & ADVTXD_DTALEN_MASK);
        if eop {
            cmd | ADVTXD_DCMD_EOP | ADVTXD_DCMD_RS
        } else {
            cmd
        }
    }

    /// Returns the `olinfo_status` dword (CPU byte order) of the first descriptor of a packet:
    /// PAYLEN = `paylen` (the whole packet's length without TSO, `skb->len - hdr_len` with
    /// `hdr_len` 0) shifted by `E1000_ADVTXD_PAYLEN_SHIFT`, as `igb_tx_olinfo_status()`; no
    /// checksum offload bits. Only the low 18 bits of `paylen` fit.
    pub(crate) const fn olinfo_paylen(paylen: u32) -> u32 {
        (paylen & ADVTXD_PAYLEN_MASK) << ADVTXD_PAYLEN_SHIFT
    }

    /// Builds the data descriptor for one buffer of a packet: `addr`/`len` is the buffer, `eop`
    /// marks the last buffer (EOP and RS, as `igb_tx_map()`), `paylen` is `Some(packet length)`
    /// on the first descriptor of the packet and `None` on the others (whose `olinfo_status`
    /// the C driver zeroes).
    ///
    /// `len` must not exceed [`MAX_DATA_PER_TXD`] (see [`AdvTxDesc::cmd_type_len`]).
    pub(crate) const fn data(addr: u64, len: u32, eop: bool, paylen: Option<u32>) -> Self {
        let olinfo = match paylen {
            Some(p) => Self::olinfo_paylen(p),
            None => 0,
        };
        Self {
            buffer_addr: addr.to_le(),
            cmd_type_len: Self::cmd_type_len(len, eop).to_le(),
            olinfo_status: olinfo.to_le(),
        }
    }

    /// Returns the descriptor as the two little-endian qwords it occupies in memory (for a ring
    /// of `[u64; 2]`): `buffer_addr`, then `cmd_type_len` in the low and `olinfo_status` in the
    /// high half of the second.
    pub(crate) const fn to_qwords(self) -> [u64; 2] {
        let hi = (u32::from_le(self.cmd_type_len) as u64)
            | ((u32::from_le(self.olinfo_status) as u64) << 32);
        [self.buffer_addr, hi.to_le()]
    }
}

/// `E1000_ADVTXD_DTYP_CTXT`: advanced context descriptor.
pub(crate) const ADVTXD_DTYP_CTXT: u32 = 0x0020_0000;
/// `E1000_ADVTXD_DCMD_VLE`: insert the VLAN tag of the packet's context.
pub(crate) const ADVTXD_DCMD_VLE: u32 = 0x4000_0000;
/// `E1000_ADVTXD_DCMD_TSE`: TCP segmentation with the packet's context.
pub(crate) const ADVTXD_DCMD_TSE: u32 = 0x8000_0000;
/// `E1000_TXD_POPTS_IXSM << 8` (`E1000_ADVTXD_POPTS_IXSM`): insert the IPv4 header checksum.
pub(crate) const ADVTXD_POPTS_IXSM: u32 = 0x01 << 8;
/// `E1000_TXD_POPTS_TXSM << 8` (`E1000_ADVTXD_POPTS_TXSM`): insert the L4 checksum.
pub(crate) const ADVTXD_POPTS_TXSM: u32 = 0x02 << 8;
/// `E1000_ADVTXD_MACLEN_SHIFT`: MACLEN in `vlan_macip_lens` (IPLEN is bits 8:0).
pub(crate) const ADVTXD_MACLEN_SHIFT: u32 = 9;
/// `IGB_TX_FLAGS_VLAN_SHIFT`: the VLAN tag in `vlan_macip_lens` (bits 31:16).
pub(crate) const ADVTXD_VLAN_SHIFT: u32 = 16;
/// `E1000_ADVTXD_TUCMD_IPV4`: the packet is IPv4.
pub(crate) const ADVTXD_TUCMD_IPV4: u32 = 0x0000_0400;
/// `E1000_ADVTXD_TUCMD_L4T_UDP`: L4 type UDP (zero).
pub(crate) const ADVTXD_TUCMD_L4T_UDP: u32 = 0x0000_0000;
/// `E1000_ADVTXD_TUCMD_L4T_TCP`: L4 type TCP.
pub(crate) const ADVTXD_TUCMD_L4T_TCP: u32 = 0x0000_0800;
/// `E1000_ADVTXD_TUCMD_L4T_SCTP`: L4 type SCTP.
pub(crate) const ADVTXD_TUCMD_L4T_SCTP: u32 = 0x0000_1000;
/// `E1000_ADVTXD_L4LEN_SHIFT`: L4LEN in `mss_l4len_idx`.
pub(crate) const ADVTXD_L4LEN_SHIFT: u32 = 8;
/// `E1000_ADVTXD_MSS_SHIFT`: MSS in `mss_l4len_idx`.
pub(crate) const ADVTXD_MSS_SHIFT: u32 = 16;
/// `E1000_TXD_CMD_DEXT` in `type_tucmd_mlhl`: advanced (extended) descriptor.
const TXD_CMD_DEXT: u32 = 0x2000_0000;

/// One advanced transmit context descriptor (`struct e1000_adv_tx_context_desc`): the offload
/// parameters of the packet whose data descriptors follow it. 16 bytes; fields in descriptor
/// (little-endian) byte order. Context index 0 is always used (a unique index per ring is an
/// 82575 requirement, `IGB_RING_FLAG_TX_CTX_IDX`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes)]
pub(crate) struct AdvTxContextDesc {
    /// VLAN tag (31:16), MACLEN (15:9), IPLEN (8:0).
    pub(crate) vlan_macip_lens: u32,
    /// Launch time / IPsec; zero here.
    pub(crate) seqnum_seed: u32,
    /// DEXT | DTYP_CTXT | TUCMD (L4 type, IPv4).
    pub(crate) type_tucmd_mlhl: u32,
    /// MSS (31:16), L4LEN (15:8), context index (bit 4).
    pub(crate) mss_l4len_idx: u32,
}

const _: () = assert!(core::mem::size_of::<AdvTxContextDesc>() == 16);

impl AdvTxContextDesc {
    /// Builds a context descriptor as `igb_tx_ctxtdesc()` does from the three values
    /// `igb_tso()`/`igb_tx_csum()` compute (CPU byte order): DEXT | DTYP_CTXT are added to
    /// `type_tucmd`, `seqnum_seed` is 0.
    pub(crate) const fn new(vlan_macip_lens: u32, type_tucmd: u32, mss_l4len_idx: u32) -> Self {
        Self {
            vlan_macip_lens: vlan_macip_lens.to_le(),
            seqnum_seed: 0,
            type_tucmd_mlhl: (type_tucmd | TXD_CMD_DEXT | ADVTXD_DTYP_CTXT).to_le(),
            mss_l4len_idx: mss_l4len_idx.to_le(),
        }
    }

    /// Returns the descriptor as the two little-endian qwords it occupies in memory.
    pub(crate) const fn to_qwords(self) -> [u64; 2] {
        let lo = (u32::from_le(self.vlan_macip_lens) as u64)
            | ((u32::from_le(self.seqnum_seed) as u64) << 32);
        let hi = (u32::from_le(self.type_tucmd_mlhl) as u64)
            | ((u32::from_le(self.mss_l4len_idx) as u64) << 32);
        [lo.to_le(), hi.to_le()]
    }
}

impl AdvTxDesc {
    /// Builds a data descriptor like [`AdvTxDesc::data`] with offload bits: `cmd` (VLE, TSE)
    /// is or-ed into `cmd_type_len` of every descriptor of the packet and `popts` (TXSM,
    /// IXSM) into the first descriptor's `olinfo_status`, as `igb_tx_cmd_type()` and
    /// `igb_tx_olinfo_status()`.
    pub(crate) const fn data_offload(
        addr: u64,
        len: u32,
        eop: bool,
        paylen: Option<u32>,
        cmd: u32,
        popts: u32,
    ) -> Self {
        let olinfo = match paylen {
            Some(p) => Self::olinfo_paylen(p) | popts,
            None => 0,
        };
        Self {
            buffer_addr: addr.to_le(),
            cmd_type_len: (Self::cmd_type_len(len, eop) | cmd).to_le(),
            olinfo_status: olinfo.to_le(),
        }
    }
}

/// Returns `true` if the hardware has written the descriptor back (`E1000_TXD_STAT_DD` in
/// `wb.status`, the dword that holds `olinfo_status` when software writes it), as
/// `igb_clean_tx_irq()` tests the packet's last (EOP) descriptor. `status` is the raw
/// little-endian value read from the descriptor.
///
/// Only descriptors with RS are written back (see [`AdvTxDesc::data`]): test the last
/// descriptor of each packet.
pub(crate) const fn tx_done(status: u32) -> bool {
    u32::from_le(status) & TXD_STAT_DD != 0
}

/// One advanced receive descriptor, read (software-written) format of
/// `union e1000_adv_rx_desc`. 16 bytes; fields in descriptor (little-endian) byte order.
///
/// The write-back overlays both qwords (see [`RxWriteback::parse`]): `pkt_addr` becomes
/// `wb.lower` (packet info, header info, RSS hash) and `hdr_addr` becomes `wb.upper`
/// (status/error, length, VLAN tag). Bit 0 of `hdr_addr` is therefore DD: it must be zero when
/// the descriptor is handed to the hardware, which [`AdvRxDesc::new`] ensures (the C driver
/// instead zeroes `wb.upper.length` and tests the length).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromBytes, IntoBytes)]
pub(crate) struct AdvRxDesc {
    /// `read.pkt_addr`: bus address of the packet buffer.
    pub(crate) pkt_addr: u64,
    /// `read.hdr_addr`: bus address of the header buffer; unused with one-buffer descriptors
    /// (SRRCTL.DESCTYPE = 001b) and zero here, which also clears the write-back DD and length.
    pub(crate) hdr_addr: u64,
}

const _: () = assert!(core::mem::size_of::<AdvRxDesc>() == 16);

impl AdvRxDesc {
    /// Builds the read descriptor for a one-buffer ring: `pkt_addr` = `addr`, `hdr_addr` = 0
    /// (which clears DD and the length of the previous write-back). Write `hdr_addr` too when
    /// re-arming a descriptor, then issue a write barrier before moving RDT.
    pub(crate) const fn new(addr: u64) -> Self {
        Self {
            pkt_addr: addr.to_le(),
            hdr_addr: 0,
        }
    }

    /// Returns the descriptor as the two little-endian qwords it occupies in memory (for a ring
    /// of `[u64; 2]`).
    pub(crate) const fn to_qwords(self) -> [u64; 2] {
        [self.pkt_addr, self.hdr_addr]
    }
}

/// What the Rx checksum indications of a write-back say (`igb_rx_checksum()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RxChecksum {
    /// Nothing verified (IXSM set, or neither L4CS nor UDPCS): `CHECKSUM_NONE`.
    None,
    /// TCP/UDP checksum verified good: `CHECKSUM_UNNECESSARY`.
    Unnecessary,
    /// IPE or L4E set: leave it to the stack (the C driver counts `csum_err`).
    Error,
}

/// The decoded write-back format of `union e1000_adv_rx_desc` (`wb`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RxWriteback {
    /// DD: the descriptor was written back; nothing else is valid before it is seen.
    pub(crate) dd: bool,
    /// EOP: last descriptor of the frame.
    pub(crate) eop: bool,
    /// `wb.upper.length`: bytes written to this descriptor's buffer.
    pub(crate) length: u16,
    /// The `E1000_RXDEXT_ERR_FRAME_ERR_MASK` bits of `status_error` (RXE, CE, SE, SEQ, CXE):
    /// non-zero means drop the frame, as `igb_cleanup_headers()`.
    pub(crate) errors: u32,
    /// `wb.lower.hi_dword.rss`: RSS hash (with RXCSUM.PCSD; otherwise IP id and checksum).
    pub(crate) rss_hash: u32,
    /// `wb.upper.vlan`: stripped 802.1Q tag, valid when [`RxWriteback::vlan_present`].
    pub(crate) vlan: u16,
    /// `wb.upper.status_error`: all extended status and error bits.
    pub(crate) status_error: u32,
    /// `wb.lower.lo_dword.pkt_info`: RSS type (bits 3:0) and packet type.
    pub(crate) pkt_info: u16,
    /// `wb.lower.lo_dword.hdr_info`: header length and SPH (header split only).
    pub(crate) hdr_info: u16,
}

impl RxWriteback {
    /// Decodes a write-back from the two raw little-endian qwords of the descriptor as read from
    /// memory: `lo` at offset 0 (`pkt_addr` in the read format), `hi` at offset 8 (`hdr_addr`).
    ///
    /// Read `hi` first and check [`RxWriteback::dd`], then issue a read barrier (`dma_rmb()`)
    /// before reading `lo` and using the other fields.
    pub(crate) const fn parse(lo: u64, hi: u64) -> Self {
        let lo = u64::from_le(lo);
        let hi = u64::from_le(hi);
        let status_error = hi as u32;
        Self {
            dd: status_error & RXD_STAT_DD != 0,
            eop: status_error & RXD_STAT_EOP != 0,
            length: (hi >> 32) as u16,
            errors: status_error & RXDEXT_ERR_FRAME_ERR_MASK,
            rss_hash: (lo >> 32) as u32,
            vlan: (hi >> 48) as u16,
            status_error,
            pkt_info: lo as u16,
            hdr_info: (lo >> 16) as u16,
        }
    }

    /// Decodes a write-back from a descriptor read as a whole (see [`RxWriteback::parse`] for
    /// the ordering rule).
    pub(crate) const fn from_desc(desc: &AdvRxDesc) -> Self {
        Self::parse(desc.pkt_addr, desc.hdr_addr)
    }

    /// Returns `true` if the frame must be dropped for a MAC-level error
    /// (`igb_test_staterr(rx_desc, E1000_RXDEXT_ERR_FRAME_ERR_MASK)`).
    pub(crate) const fn has_errors(&self) -> bool {
        self.errors != 0
    }

    /// Returns `true` if any of `bits` is set in `status_error` (`igb_test_staterr()`).
    pub(crate) const fn test_staterr(&self, bits: u32) -> bool {
        self.status_error & bits != 0
    }

    /// VP: an 802.1Q tag was stripped into [`RxWriteback::vlan`].
    pub(crate) const fn vlan_present(&self) -> bool {
        self.test_staterr(RXD_STAT_VP)
    }

    /// IPCS: the IPv4 header checksum was verified (IPE tells the result).
    pub(crate) const fn ip_checksummed(&self) -> bool {
        self.test_staterr(RXD_STAT_IPCS)
    }

    /// L4CS (`E1000_RXD_STAT_TCPCS`): the TCP/UDP/SCTP checksum was verified (L4E tells the
    /// result).
    pub(crate) const fn l4_checksummed(&self) -> bool {
        self.test_staterr(RXD_STAT_TCPCS)
    }

    /// UDPCS: the verified L4 checksum was a UDP one.
    pub(crate) const fn udp_checksummed(&self) -> bool {
        self.test_staterr(RXD_STAT_UDPCS)
    }

    /// Returns the RSS type (`pkt_info & E1000_RSS_TYPE_MASK`); 0 means no hash.
    pub(crate) const fn rss_type(&self) -> u16 {
        self.pkt_info & RSS_TYPE_MASK
    }

    /// Classifies the checksum indications as `igb_rx_checksum()` does (NETIF_F_RXCSUM on,
    /// without its SCTP 60-byte erratum): IXSM → none; IPE or L4E → error; L4CS or UDPCS →
    /// verified; otherwise none.
    pub(crate) const fn checksum(&self) -> RxChecksum {
        if self.test_staterr(RXD_STAT_IXSM) {
            RxChecksum::None
        } else if self.test_staterr(RXDEXT_STATERR_TCPE | RXDEXT_STATERR_IPE) {
            RxChecksum::Error
        } else if self.test_staterr(RXD_STAT_TCPCS | RXD_STAT_UDPCS) {
            RxChecksum::Unnecessary
        } else {
            RxChecksum::None
        }
    }
}

#[kunit_tests(rust_igb_desc)]
mod tests {
    use super::*;

    #[test]
    fn tx_layout() {
        assert_eq!(core::mem::size_of::<AdvTxDesc>(), 16);
        assert_eq!(core::mem::size_of::<AdvRxDesc>(), 16);
        assert_eq!(core::mem::offset_of!(AdvTxDesc, cmd_type_len), 8);
        assert_eq!(core::mem::offset_of!(AdvTxDesc, olinfo_status), 12);
        assert_eq!(core::mem::offset_of!(AdvRxDesc, hdr_addr), 8);
    }

    #[test]
    fn tx_encoding() {
        // E1000_ADVTXD_DTYP_DATA | E1000_ADVTXD_DCMD_DEXT | E1000_ADVTXD_DCMD_IFCS
        // = 0x00300000 | 0x20000000 | 0x02000000 = 0x22300000, `| size` (igb_tx_map()).
        assert_eq!(AdvTxDesc::cmd_type_len(1514, false), 0x2230_05ea);
        // ... `| size | IGB_TXD_DCMD` (E1000_ADVTXD_DCMD_EOP | E1000_ADVTXD_DCMD_RS
        // = 0x01000000 | 0x08000000) on the last descriptor: 0x2B300000 | 60.
        assert_eq!(AdvTxDesc::cmd_type_len(60, true), 0x2b30_003c);
        assert_eq!(AdvTxDesc::cmd_type_len(MAX_DATA_PER_TXD, true), 0x2b30_8000);
        // DTALEN is 16 bits: an oversized length cannot set command bits.
        assert_eq!(AdvTxDesc::cmd_type_len(0x1_0000, false), 0x2230_0000);
        // `paylen << E1000_ADVTXD_PAYLEN_SHIFT` (igb_tx_olinfo_status()): 1514 << 14.
        assert_eq!(AdvTxDesc::olinfo_paylen(1514), 0x017a_8000);
        assert_eq!(AdvTxDesc::olinfo_paylen(60), 0x000f_0000);

        let first = AdvTxDesc::data(0x1_2345_6780, 1000, false, Some(1514));
        assert_eq!(u64::from_le(first.buffer_addr), 0x1_2345_6780);
        assert_eq!(u32::from_le(first.cmd_type_len), 0x2230_03e8);
        assert_eq!(u32::from_le(first.olinfo_status), 0x017a_8000);
        let last = AdvTxDesc::data(0xdead_b000, 514, true, None);
        assert_eq!(u32::from_le(last.cmd_type_len), 0x2b30_0202);
        assert_eq!(last.olinfo_status, 0);
        let single = AdvTxDesc::data(0x1000, 60, true, Some(60));
        assert_eq!(
            single.to_qwords(),
            [0x1000u64.to_le(), 0x000f_0000_2b30_003cu64.to_le()]
        );
    }

    #[test]
    fn tx_context_encoding() {
        assert_eq!(core::mem::size_of::<AdvTxContextDesc>(), 16);
        assert_eq!(core::mem::offset_of!(AdvTxContextDesc, type_tucmd_mlhl), 8);
        // TSO of TCP/IPv4, 14-byte MAC header, 20-byte IP header, 32-byte TCP header, MSS 1448:
        // vlan_macip_lens = 20 | 14 << 9 = 0x1c14; type_tucmd = L4T_TCP | IPV4 = 0xc00, plus
        // DEXT | DTYP_CTXT = 0x20200c00; mss_l4len_idx = 32 << 8 | 1448 << 16 = 0x05a82000.
        let c = AdvTxContextDesc::new(
            0x1c14,
            ADVTXD_TUCMD_L4T_TCP | ADVTXD_TUCMD_IPV4,
            0x05a8_2000,
        );
        assert_eq!(u32::from_le(c.type_tucmd_mlhl), 0x2020_0c00);
        assert_eq!(c.seqnum_seed, 0);
        assert_eq!(
            c.to_qwords(),
            [0x1c14u64.to_le(), 0x05a8_2000_2020_0c00u64.to_le()]
        );
        // The context type is not a data descriptor type (QEMU tells them apart by DTYP).
        assert_ne!(
            u32::from_le(c.type_tucmd_mlhl) & ADVTXD_DTYP_DATA,
            ADVTXD_DTYP_DATA
        );

        // A TSO data descriptor: TSE | VLE on the command, TXSM | IXSM and PAYLEN on the first.
        let d = AdvTxDesc::data_offload(
            0x1000,
            66,
            false,
            Some(2896),
            ADVTXD_DCMD_TSE | ADVTXD_DCMD_VLE,
            ADVTXD_POPTS_TXSM | ADVTXD_POPTS_IXSM,
        );
        assert_eq!(u32::from_le(d.cmd_type_len), 0xe230_0042);
        assert_eq!(u32::from_le(d.olinfo_status), (2896 << 14) | 0x300);
        // Later descriptors carry the command bits but no olinfo.
        let d = AdvTxDesc::data_offload(0x2000, 100, true, None, ADVTXD_DCMD_TSE, 0x300);
        assert_eq!(u32::from_le(d.cmd_type_len), 0xab30_0064);
        assert_eq!(d.olinfo_status, 0);
        // Without offload bits it is the plain data descriptor.
        assert_eq!(
            AdvTxDesc::data_offload(0x3000, 60, true, Some(60), 0, 0),
            AdvTxDesc::data(0x3000, 60, true, Some(60))
        );
    }

    #[test]
    fn tx_writeback() {
        // Not yet written back: PAYLEN but no DD.
        assert!(!tx_done(0x017a_8000u32.to_le()));
        // QEMU's igb_txdesc_writeback(): olinfo_status | E1000_TXD_STAT_DD.
        assert!(tx_done(0x017a_8001u32.to_le()));
        assert!(tx_done(TXD_STAT_DD.to_le()));
        assert!(!tx_done(0));
    }

    #[test]
    fn rx_read_format() {
        let d = AdvRxDesc::new(0x0000_0001_0000_2000);
        assert_eq!(u64::from_le(d.pkt_addr), 0x1_0000_2000);
        assert_eq!(d.hdr_addr, 0);
        assert_eq!(d.to_qwords(), [0x1_0000_2000u64.to_le(), 0]);
        // A freshly armed descriptor reads as not done, with length 0.
        let wb = RxWriteback::from_desc(&d);
        assert!(!wb.dd);
        assert_eq!(wb.length, 0);
    }

    #[test]
    fn rx_writeback_good_frame() {
        // A 98-byte IPv4/UDP frame as QEMU writes it back with RXCSUM.PCSD set and RSS on:
        // status_error = DD | EOP | UDPCS | TCPCS | IPCS = 0x73, length 98, no tag;
        // pkt_info = RSS type 7 (UDP/IPv4) | PKT_IP4 (bit 4) | PKT_UDP (bit 9) = 0x217,
        // rss = 0xcafef00d.
        let lo = (0xcafe_f00du64 << 32) | 0x0217;
        let hi = (98u64 << 32) | 0x73;
        let wb = RxWriteback::parse(lo.to_le(), hi.to_le());
        assert!(wb.dd && wb.eop);
        assert_eq!(wb.length, 98);
        assert!(!wb.has_errors());
        assert_eq!(wb.errors, 0);
        assert_eq!(wb.rss_hash, 0xcafe_f00d);
        assert_eq!(wb.rss_type(), 7);
        assert_eq!(wb.pkt_info, 0x0217);
        assert_eq!(wb.hdr_info, 0);
        assert!(!wb.vlan_present());
        assert!(wb.ip_checksummed() && wb.l4_checksummed() && wb.udp_checksummed());
        assert_eq!(wb.checksum(), RxChecksum::Unnecessary);
    }

    #[test]
    fn rx_writeback_vlan_and_errors() {
        // VLAN 100 stripped (VP), priority 5: tag 0xa064; length 60; DD | EOP | VP.
        let hi = (0xa064u64 << 48) | (60u64 << 32) | 0x0b;
        let wb = RxWriteback::parse(0, hi.to_le());
        assert!(wb.dd && wb.eop && wb.vlan_present());
        assert_eq!(wb.vlan, 0xa064);
        assert_eq!(wb.length, 60);
        assert_eq!(wb.checksum(), RxChecksum::None);

        // E1000_RXDEXT_ERR_FRAME_ERR_MASK = CE | SE | SEQ | CXE | RXE
        // = 0x01000000 | 0x02000000 | 0x04000000 | 0x10000000 | 0x80000000 = 0x97000000.
        assert_eq!(RXDEXT_ERR_FRAME_ERR_MASK, 0x9700_0000);
        let crc_error = RxWriteback::parse(0, ((64u64 << 32) | 0x0100_0003).to_le());
        assert!(crc_error.has_errors());
        assert_eq!(crc_error.errors, RXDEXT_STATERR_CE);
        // A bad L4 checksum (L4E, 0x20000000) is not a frame error: the stack checks it.
        let bad_csum = RxWriteback::parse(0, ((64u64 << 32) | 0x2000_0023).to_le());
        assert!(!bad_csum.has_errors());
        assert_eq!(bad_csum.checksum(), RxChecksum::Error);
        // IXSM overrides everything.
        let ignored = RxWriteback::parse(0, ((64u64 << 32) | 0x2000_0027).to_le());
        assert_eq!(ignored.checksum(), RxChecksum::None);
    }

    #[test]
    fn rx_writeback_not_done() {
        // DD clear (a non-EOP or pending descriptor): only the raw bits are meaningful.
        let wb = RxWriteback::parse(0, (2048u64 << 32).to_le());
        assert!(!wb.dd && !wb.eop);
        // Non-EOP but done: a frame spanning buffers.
        let wb = RxWriteback::parse(0, ((2048u64 << 32) | 0x01).to_le());
        assert!(wb.dd && !wb.eop);
        assert_eq!(wb.length, 2048);
    }
}
