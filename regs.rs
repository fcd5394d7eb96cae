// SPDX-License-Identifier: GPL-2.0

//! Register map of the igb family, at the 82576 offsets (BAR 0, memory-mapped).
//!
//! Names follow the Intel 82576 datasheet (and the C driver's `e1000_regs.h` /
//! `e1000_defines.h`, which use the same names with an `E1000_` prefix). Only what the driver
//! foundation and the coming datapath plausibly use is defined; add registers here, never as
//! magic offsets elsewhere.
//!
//! Queue registers are defined once, as 16-entry arrays at their 82576 locations
//! `0xC000 + 0x40 * n` (Rx) and `0xE000 + 0x40 * n` (Tx). The C macros (`E1000_RDBAL(n)` & co.)
//! use the legacy aliases `0x2800 + 0x100 * n` / `0x3800 + 0x100 * n` for `n < 4`; on the 82576
//! (and QEMU's model of it, see `mac_reg_access[]` in `hw/net/igb_core.c`) both addresses reach
//! the same register, so the single array form is used here.

#![allow(dead_code)] // The map is defined ahead of the datapath that uses most of it.

use kernel::{
    io::register,
    pci, //
};

/// Size of the 82576 BAR 0 (memory-mapped registers): 128 KiB.
pub(crate) const BAR0_SIZE: usize = 128 * 1024;

/// BAR 0 of an igb device, with accesses below [`BAR0_SIZE`] checked at build time.
pub(crate) type Bar0<'a> = pci::Bar<'a, BAR0_SIZE>;

// CTRL, RCTL, TCTL and VMOLR are defined in `ctl_regs.rs`, which alone can access them (one
// owner for the registers several contexts read-modify-write); their value types are here.
pub(crate) use crate::ctl_regs::{CTRL, RCTL, TCTL, VMOLR};

/// Number of Rx and Tx queues of the 82576.
pub(crate) const NUM_QUEUES: usize = 16;
/// Number of receive address (RAL/RAH) pairs of the 82576 (`E1000_RAR_ENTRIES_82576`).
pub(crate) const RAR_ENTRIES: usize = 24;
/// Number of 32-bit Multicast Table Array registers.
pub(crate) const MTA_ENTRIES: usize = 128;
/// Number of 32-bit VLAN Filter Table Array registers (`E1000_VLAN_FILTER_TBL_SIZE`).
pub(crate) const VFTA_ENTRIES: usize = 128;
/// Number of 32-bit Unicast Table Array registers.
pub(crate) const UTA_ENTRIES: usize = 128;
/// Number of MSI-X vectors (and EITR registers) of the 82576.
pub(crate) const NUM_MSIX_VECTORS: usize = 25;

// General control and status.

register! {
    /// STATUS: Device Status (read-only).
    pub(crate) STATUS(u32) @ 0x00000008 {
        /// GIO Master Enable Status: PCIe master requests may be pending.
        19:19 gio_master_enable => bool;
        /// PHYRA: PHY reset asserted (write 0 to clear).
        10:10 phyra => bool;
        /// SPEED: link speed (00 = 10, 01 = 100, 1x = 1000 Mb/s).
        7:6 speed;
        /// TXOFF: transmission paused by a received PAUSE frame.
        4:4 txoff => bool;
        /// LAN ID: PCI function number of this port.
        3:2 lan_id;
        /// LU: link up.
        1:1 lu => bool;
        /// FD: full duplex.
        0:0 fd => bool;
    }

    /// EECD: EEPROM/Flash Control.
    pub(crate) EECD(u32) @ 0x00000010 {
        /// EE_SIZE: NVM size; the word count is `1 << (EE_SIZE + 6)`.
        14:11 ee_size;
        /// EE_ADDR_SIZE: SPI address width (0 = 8 bit, 1 = 16 bit).
        10:10 ee_addr_size => bool;
        /// Auto_RD: NVM auto-read after reset done.
        9:9 auto_rd => bool;
        /// EE_PRES: NVM present.
        8:8 ee_pres => bool;
        /// EE_GNT: bit-bang access granted.
        7:7 ee_gnt => bool;
        /// EE_REQ: request bit-bang access.
        6:6 ee_req => bool;
    }

    /// EERD: EEPROM Read (word reads through the hardware NVM interface).
    pub(crate) EERD(u32) @ 0x00000014 {
        /// DATA: word read.
        31:16 data => u16;
        /// ADDR: word address to read.
        15:2 addr;
        /// DONE: read completed.
        1:1 done => bool;
        /// START: start a read (write 1).
        0:0 start => bool;
    }

    /// CTRL_EXT: Extended Device Control.
    pub(crate) CTRL_EXT(u32) @ 0x00000018 {
        /// DRV_LOAD: driver loaded, tells the manageability firmware the driver owns the port.
        28:28 drv_load => bool;
        /// I2C_Enabled: the I2C (SFP/SGMII PHY) interface is enabled.
        25:25 i2c_ena => bool;
        /// EIAME: extended interrupt auto-mask enable.
        24:24 eiame => bool;
        /// LINK_MODE: 00 = internal copper PHY, 01 = 1000BASE-KX, 10 = SGMII, 11 = SerDes.
        23:22 link_mode;
        /// PFRSTD: PF reset done (for the VF mailboxes).
        14:14 pfrstd => bool;
        /// EE_RST: reload the NVM (self-clearing).
        13:13 ee_rst => bool;
        /// SDP3_DATA: software-definable pin 3 value.
        7:7 sdp3_data => bool;
        /// SDP2_DATA: software-definable pin 2 value.
        6:6 sdp2_data => bool;
    }

    /// MDIC: MDI Control (PHY register access).
    pub(crate) MDIC(u32) @ 0x00000020 {
        /// E: error, the PHY did not answer.
        30:30 error => bool;
        /// I: raise ICR.MDAC when the access completes.
        29:29 int_en => bool;
        /// R: ready, the access completed.
        28:28 ready => bool;
        /// OP: opcode (01 = write, 10 = read).
        27:26 op;
        /// PHYADD: PHY address (1 for the internal PHY).
        25:21 phyadd;
        /// REGADD: PHY register address.
        20:16 regadd;
        /// DATA: data written or read.
        15:0 data => u16;
    }

    /// FCAL: Flow Control Address Low (PAUSE destination address).
    pub(crate) FCAL(u32) @ 0x00000028 {
        /// Low 32 bits of the PAUSE frame destination address.
        31:0 fcal;
    }

    /// FCAH: Flow Control Address High.
    pub(crate) FCAH(u32) @ 0x0000002c {
        /// High 16 bits of the PAUSE frame destination address.
        15:0 fcah => u16;
    }

    /// FCT: Flow Control Type (PAUSE EtherType).
    pub(crate) FCT(u32) @ 0x00000030 {
        /// EtherType of PAUSE frames (0x8808).
        15:0 fct => u16;
    }

    /// VET: VLAN EtherType.
    pub(crate) VET(u32) @ 0x00000038 {
        /// VET_EXT: EtherType of the outer (extended) VLAN tag.
        31:16 vet_ext => u16;
        /// VET: EtherType of the VLAN tag (0x8100).
        15:0 vet => u16;
    }

    /// FCTTV: Flow Control Transmit Timer Value.
    pub(crate) FCTTV(u32) @ 0x00000170 {
        /// TTV: pause time sent in transmitted PAUSE frames.
        15:0 ttv => u16;
    }

    /// FCRTL: Flow Control Receive Threshold Low.
    pub(crate) FCRTL(u32) @ 0x00002160 {
        /// XONE: send XON when the Rx FIFO drains below RTL.
        31:31 xone => bool;
        /// RTL: low threshold in bytes (16-byte granularity).
        15:0 rtl => u16;
    }

    /// FCRTH: Flow Control Receive Threshold High.
    pub(crate) FCRTH(u32) @ 0x00002168 {
        /// RTH: high threshold in bytes (16-byte granularity); XOFF is sent above it.
        15:0 rth => u16;
    }

    /// RXPBS: Rx Packet Buffer Size.
    pub(crate) RXPBS(u32) @ 0x00002404 {
        /// RXPBSIZE: Rx packet buffer size in KB (`E1000_RXPBS_SIZE_MASK_82576`).
        6:0 rxpbsize;
    }

    /// EEMNGCTL: Manageability EEPROM Control.
    pub(crate) EEMNGCTL(u32) @ 0x00001010 {
        /// CFG_DONE1: manageability configuration cycle done for port 1.
        19:19 cfg_done1 => bool;
        /// CFG_DONE0: manageability configuration cycle done for port 0.
        18:18 cfg_done0 => bool;
    }

    /// MANC: Management Control.
    pub(crate) MANC(u32) @ 0x00005820 {
        /// EN_MAC_ADDR_FILTER: manageability MAC address filtering enabled.
        20:20 en_mac_addr_filter => bool;
        /// BLK_PHY_RST_ON_IDE: PHY resets are blocked (SOL/IDER session active).
        18:18 blk_phy_rst_on_ide => bool;
        /// RCV_TCO_EN: receive TCO packets enabled.
        17:17 rcv_tco_en => bool;
    }

    /// WUC: Wake Up Control.
    pub(crate) WUC(u32) @ 0x00005800 {
        /// PME_En: PME enable.
        1:1 pme_en => bool;
        /// APME: advanced power management enable.
        0:0 apme => bool;
    }

    /// WUFC: Wake Up Filter Control: the packets (and the link change) that wake the system
    /// once the device is in D3 with WUC.PME_En set.
    pub(crate) WUFC(u32) @ 0x00005808 {
        /// IPV6: directed IPv6 packet wake-up enable.
        7:7 ipv6 => bool;
        /// IPV4: directed IPv4 packet wake-up enable.
        6:6 ipv4 => bool;
        /// ARP: ARP request packet wake-up enable.
        5:5 arp => bool;
        /// BC: broadcast wake-up enable.
        4:4 bc => bool;
        /// MC: directed multicast wake-up enable.
        3:3 mc => bool;
        /// EX: directed exact (unicast) wake-up enable.
        2:2 ex => bool;
        /// MAG: magic packet wake-up enable.
        1:1 mag => bool;
        /// LNKC: link status change wake-up enable.
        0:0 lnkc => bool;
    }

    /// WUS: Wake Up Status: which filter matched the packet (or event) that woke the system;
    /// write 1s to clear. Same bit layout as [`WUFC`].
    pub(crate) WUS(u32) @ 0x00005810 {
        /// IPV6: a directed IPv6 packet matched.
        7:7 ipv6 => bool;
        /// IPV4: a directed IPv4 packet matched.
        6:6 ipv4 => bool;
        /// ARP: an ARP request matched.
        5:5 arp => bool;
        /// BC: a broadcast packet matched.
        4:4 bc => bool;
        /// MC: a directed multicast packet matched.
        3:3 mc => bool;
        /// EX: a directed exact packet matched.
        2:2 ex => bool;
        /// MAG: a magic packet matched.
        1:1 mag => bool;
        /// LNKC: the link status changed.
        0:0 lnkc => bool;
    }

    /// WUPL: Wake Up Packet Length (the first 128 bytes are kept in WUPM).
    pub(crate) WUPL(u32) @ 0x00005900 {
        /// LEN: length of the wake-up packet.
        11:0 len;
    }

    /// GCR: PCIe Control.
    pub(crate) GCR(u32) @ 0x00005b00 {
        /// Capability version 2 of the PCIe capability structure.
        18:18 cap_ver2 => bool;
        /// Completion timeout resend enable.
        16:16 cmpl_tmout_resend => bool;
        /// Completion timeout value (0 = default, 1 = 10 ms).
        15:12 cmpl_tmout;
    }

    /// SWSM: Software Semaphore.
    pub(crate) SWSM(u32) @ 0x00005b50 {
        /// SWESMBI: software/firmware semaphore bit (set by software, latched if granted).
        1:1 swesmbi => bool;
        /// SMBI: driver semaphore bit, set by hardware when SWSM is read.
        0:0 smbi => bool;
    }

    /// SW_FW_SYNC: Software-Firmware Synchronization of shared resources.
    pub(crate) SW_FW_SYNC(u32) @ 0x00005b5c {
        /// FW bits: resources owned by firmware (same layout as SW, shifted by 16).
        31:16 fw => u16;
        /// SW bits: resources owned by software (bit 0 NVM, 1 PHY0, 2 PHY1, 5 PHY2, 6 PHY3).
        15:0 sw => u16;
    }
}

// Interrupts.

/// Defines registers sharing the ICR bit layout (ICR, ICS, IMS, IMC, IAM).
macro_rules! interrupt_cause_registers {
    ($($name:ident @ $offset:literal, $doc:literal;)*) => {
        register! {
            $(
            #[doc = $doc]
            pub(crate) $name(u32) @ $offset {
                /// INTA: interrupt asserted (ICR only).
                31:31 int_asserted => bool;
                /// DRSTA: device reset asserted.
                30:30 drsta => bool;
                /// DOUTSYNC: DMA Tx descriptor write-back out of sync.
                28:28 doutsync => bool;
                /// Time_Sync: IEEE 1588 time sync event.
                19:19 time_sync => bool;
                /// VMMB: VF mailbox event.
                8:8 vmmb => bool;
                /// RXDW (RXT0): receive descriptor written back.
                7:7 rxdw => bool;
                /// Rx Miss (RXO): packet dropped, no Rx buffer.
                6:6 rx_miss => bool;
                /// RXDMT0: receive descriptor minimum threshold reached.
                4:4 rxdmt0 => bool;
                /// RXSEQ: receive sequence error.
                3:3 rxseq => bool;
                /// LSC: link status change.
                2:2 lsc => bool;
                /// TXDW: transmit descriptor written back.
                0:0 txdw => bool;
            }
            )*
        }
    };
}

interrupt_cause_registers! {
    ICR @ 0x000000c0, "ICR: Interrupt Cause Read (clear on read, see GPIE.NSICR).";
    ICS @ 0x000000c8, "ICS: Interrupt Cause Set (write 1 to raise a cause).";
    IMS @ 0x000000d0, "IMS: Interrupt Mask Set/Read (write 1 to enable a cause).";
    IMC @ 0x000000d8, "IMC: Interrupt Mask Clear (write 1 to disable a cause).";
    IAM @ 0x000000e0, "IAM: Interrupt Acknowledge Auto Mask.";
}

/// Defines registers sharing the EICR bit layout (EICR, EICS, EIMS, EIMC, EIAC, EIAM).
macro_rules! extended_interrupt_registers {
    ($($name:ident @ $offset:literal, $doc:literal;)*) => {
        register! {
            $(
            #[doc = $doc]
            pub(crate) $name(u32) @ $offset {
                /// Other Cause (non-MSI-X mode): some ICR cause is active.
                31:31 other => bool;
                /// TCP Timer (non-MSI-X mode).
                30:30 tcp_timer => bool;
                /// MSIX: one bit per MSI-X vector (MSI-X mode, GPIE.Multiple_MSIX set).
                24:0 msix;
                /// RTxQ: one bit per Rx/Tx queue pair (non-MSI-X mode).
                15:0 rtxq => u16;
            }
            )*
        }
    };
}

extended_interrupt_registers! {
    EICS @ 0x00001520, "EICS: Extended Interrupt Cause Set.";
    EIMS @ 0x00001524, "EIMS: Extended Interrupt Mask Set/Read.";
    EIMC @ 0x00001528, "EIMC: Extended Interrupt Mask Clear.";
    EIAC @ 0x0000152c, "EIAC: Extended Interrupt Auto Clear.";
    EIAM @ 0x00001530, "EIAM: Extended Interrupt Auto Mask Enable.";
    EICR @ 0x00001580, "EICR: Extended Interrupt Cause Read.";
}

register! {
    /// GPIE: General Purpose Interrupt Enable.
    pub(crate) GPIE(u32) @ 0x00001514 {
        /// PBA_support: MSI-X pending bit array support.
        31:31 pba_support => bool;
        /// EIAME: extended interrupt auto-mask enable.
        30:30 eiame => bool;
        /// Multiple_MSIX: one MSI-X vector per cause (MSI-X mode).
        4:4 multiple_msix => bool;
        /// NSICR: non-selective interrupt clear on read of ICR.
        0:0 nsicr => bool;
    }

    /// EITR: Extended Interrupt Throttle, one per MSI-X vector.
    pub(crate) EITR(u32)[NUM_MSIX_VECTORS, stride = 4] @ 0x00001680 {
        /// CNT_IGNR: do not reset the interval counter on this write.
        31:31 cnt_ignr => bool;
        /// Interval: minimum inter-interrupt interval, in 1 us units (82576).
        14:2 interval;
    }

    /// IVAR: Interrupt Vector Allocation. Entry bytes hold `vector | 0x80` (valid bit 7).
    /// 82576 layout: row `n` maps Rx/Tx queue `n` (low half) and `n + 8` (high half).
    pub(crate) IVAR(u32)[8, stride = 4] @ 0x00001700 {
        /// INT_Alloc[3]: vector of Tx queue `n + 8`.
        31:24 tx_hi => u8;
        /// INT_Alloc[2]: vector of Rx queue `n + 8`.
        23:16 rx_hi => u8;
        /// INT_Alloc[1]: vector of Tx queue `n`.
        15:8 tx_lo => u8;
        /// INT_Alloc[0]: vector of Rx queue `n`.
        7:0 rx_lo => u8;
    }

    /// IVAR_MISC: Interrupt Vector Allocation for the miscellaneous causes.
    pub(crate) IVAR_MISC(u32) @ 0x00001740 {
        /// Vector (with valid bit 7) of the "other" (ICR) causes.
        15:8 other => u8;
        /// Vector (with valid bit 7) of the TCP timer.
        7:0 tcp_timer => u8;
    }
}

// Receive and transmit control.

register! {
    /// TIPG: Transmit Inter Packet Gap.
    pub(crate) TIPG(u32) @ 0x00000410 {
        /// IPGR: IPG receive time 2.
        29:20 ipgr;
        /// IPGR1: IPG receive time 1.
        19:10 ipgr1;
        /// IPGT: IPG transmit time.
        9:0 ipgt;
    }

    /// RXCSUM: Receive Checksum Control.
    pub(crate) RXCSUM(u32) @ 0x00005000 {
        /// PCSD: packet checksum disable (report the RSS hash instead).
        13:13 pcsd => bool;
        /// CRCOFL: SCTP CRC32 offload enable.
        11:11 crcofl => bool;
        /// TUOFL: TCP/UDP checksum offload enable.
        9:9 tuofl => bool;
        /// IPOFL: IPv4 header checksum offload enable.
        8:8 ipofl => bool;
        /// PCSS: packet checksum start.
        7:0 pcss => u8;
    }

    /// RLPML: Receive Long Packet Maximum Length.
    pub(crate) RLPML(u32) @ 0x00005004 {
        /// RLPML: maximum frame length accepted when RCTL.LPE is set.
        13:0 rlpml;
    }

    /// MRQC: Multiple Receive Queues Command.
    pub(crate) MRQC(u32) @ 0x00005818 {
        /// RSS field enables: bit 16 TCP/IPv4, 17 IPv4, 18 TCP/IPv6Ex, 20 IPv6, 21 TCP/IPv6,
        /// 22 UDP/IPv4, 23 UDP/IPv6, 24 UDP/IPv6Ex.
        31:16 rss_field => u16;
        /// MRQE: multiple receive queues enable (0 = none, 2 = RSS, 3 = VMDq).
        2:0 mrqe;
    }

    /// RETA: RSS Redirection Table, four 8-bit entries per register.
    pub(crate) RETA(u32)[32, stride = 4] @ 0x00005c00 {
        /// Entry `4n + 3`.
        31:24 entry3 => u8;
        /// Entry `4n + 2`.
        23:16 entry2 => u8;
        /// Entry `4n + 1`.
        15:8 entry1 => u8;
        /// Entry `4n`.
        7:0 entry0 => u8;
    }

    /// RSSRK: RSS Random Key (40 bytes).
    pub(crate) RSSRK(u32)[10, stride = 4] @ 0x00005c80 {
        /// Four key bytes, first byte in bits 7:0.
        31:0 key;
    }
}

// Receive filter control and per-pool offloads (added for the datapath).

register! {
    /// RFCTL: Receive Filter Control.
    pub(crate) RFCTL(u32) @ 0x00005008 {
        /// LEF: long packet enable filter (`E1000_RFCTL_LEF`).
        18:18 lef => bool;
        /// IPv6_EX_DIS: disable IPv6 extension header parsing (`E1000_RFCTL_IPV6_EX_DIS`).
        16:16 ipv6_ex_dis => bool;
    }

}

// Address filtering.

register! {
    /// MTA: Multicast Table Array (4096-bit hash filter).
    pub(crate) MTA(u32)[MTA_ENTRIES, stride = 4] @ 0x00005200 {
        /// 32 hash bits.
        31:0 bits;
    }

    /// RAL: Receive Address Low, entries 0..16.
    pub(crate) RAL(u32)[16, stride = 8] @ 0x00005400 {
        /// First four address bytes, first byte in bits 7:0.
        31:0 ral;
    }

    /// RAH: Receive Address High, entries 0..16.
    pub(crate) RAH(u32)[16, stride = 8] @ 0x00005404 {
        /// AV: address valid.
        31:31 av => bool;
        /// POOLSEL: pool (VF) select bitmap.
        25:18 poolsel => u8;
        /// ASEL: address select (00 = destination, 01 = source).
        17:16 asel;
        /// Last two address bytes, fifth byte in bits 7:0.
        15:0 rah => u16;
    }

    /// RAL (second bank): Receive Address Low, entries 16..24.
    pub(crate) RAL2(u32)[8, stride = 8] @ 0x000054e0 {
        /// First four address bytes, first byte in bits 7:0.
        31:0 ral;
    }

    /// RAH (second bank): Receive Address High, entries 16..24.
    pub(crate) RAH2(u32)[8, stride = 8] @ 0x000054e4 {
        /// AV: address valid.
        31:31 av => bool;
        /// POOLSEL: pool (VF) select bitmap.
        25:18 poolsel => u8;
        /// ASEL: address select (00 = destination, 01 = source).
        17:16 asel;
        /// Last two address bytes, fifth byte in bits 7:0.
        15:0 rah => u16;
    }

    /// VFTA: VLAN Filter Table Array (one bit per VLAN ID).
    pub(crate) VFTA(u32)[VFTA_ENTRIES, stride = 4] @ 0x00005600 {
        /// 32 VLAN filter bits.
        31:0 bits;
    }

    /// UTA: Unicast Table Array (hash filter for VF unicast addresses).
    pub(crate) UTA(u32)[UTA_ENTRIES, stride = 4] @ 0x0000a000 {
        /// 32 hash bits.
        31:0 bits;
    }
}

// Receive queues (82576: queue n at 0xC000 + 0x40 * n).

register! {
    /// RDBAL: Rx Descriptor Base Address Low (128-byte aligned).
    pub(crate) RDBAL(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000c000 {
        /// Low 32 bits of the ring's DMA address.
        31:0 rdbal;
    }

    /// RDBAH: Rx Descriptor Base Address High.
    pub(crate) RDBAH(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000c004 {
        /// High 32 bits of the ring's DMA address.
        31:0 rdbah;
    }

    /// RDLEN: Rx Descriptor Ring Length in bytes (multiple of 128).
    pub(crate) RDLEN(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000c008 {
        /// Ring length in bytes.
        19:0 len;
    }

    /// SRRCTL: Split and Replication Receive Control.
    pub(crate) SRRCTL(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000c00c {
        /// Drop_En: drop packets when no descriptor is available.
        31:31 drop_en => bool;
        /// Timestamp: prepend the Rx timestamp to the packet buffer.
        30:30 timestamp => bool;
        /// DESCTYPE: 000 = legacy, 001 = advanced one buffer, 101 = header split always.
        27:25 desctype;
        /// RDMTS: Rx descriptor minimum threshold (in units of 16 descriptors).
        24:20 rdmts;
        /// BSIZEHEADER: header buffer size, in 64-byte units.
        11:8 bsizeheader;
        /// BSIZEPACKET: packet buffer size, in 1 KB units.
        6:0 bsizepacket;
    }

    /// RDH: Rx Descriptor Head.
    pub(crate) RDH(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000c010 {
        /// Head index.
        15:0 rdh => u16;
    }

    /// RDT: Rx Descriptor Tail.
    pub(crate) RDT(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000c018 {
        /// Tail index.
        15:0 rdt => u16;
    }

    /// RXDCTL: Rx Descriptor Control.
    pub(crate) RXDCTL(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000c028 {
        /// SWFLUSH: flush the descriptor write-back (self-clearing).
        26:26 swflush => bool;
        /// ENABLE: queue enable (reads back 1 once the queue is running).
        25:25 enable => bool;
        /// WTHRESH: write-back threshold.
        20:16 wthresh;
        /// HTHRESH: host threshold.
        12:8 hthresh;
        /// PTHRESH: prefetch threshold.
        4:0 pthresh;
    }
}

// Transmit queues (82576: queue n at 0xE000 + 0x40 * n).

register! {
    /// TDBAL: Tx Descriptor Base Address Low (128-byte aligned).
    pub(crate) TDBAL(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000e000 {
        /// Low 32 bits of the ring's DMA address.
        31:0 tdbal;
    }

    /// TDBAH: Tx Descriptor Base Address High.
    pub(crate) TDBAH(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000e004 {
        /// High 32 bits of the ring's DMA address.
        31:0 tdbah;
    }

    /// TDLEN: Tx Descriptor Ring Length in bytes (multiple of 128).
    pub(crate) TDLEN(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000e008 {
        /// Ring length in bytes.
        19:0 len;
    }

    /// TDH: Tx Descriptor Head.
    pub(crate) TDH(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000e010 {
        /// Head index.
        15:0 tdh => u16;
    }

    /// TDT: Tx Descriptor Tail.
    pub(crate) TDT(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000e018 {
        /// Tail index.
        15:0 tdt => u16;
    }

    /// TXDCTL: Tx Descriptor Control.
    pub(crate) TXDCTL(u32)[NUM_QUEUES, stride = 0x40] @ 0x0000e028 {
        /// SWFLSH: flush pending descriptors (self-clearing).
        26:26 swflsh => bool;
        /// ENABLE: queue enable.
        25:25 enable => bool;
        /// WTHRESH: write-back threshold.
        20:16 wthresh;
        /// HTHRESH: host threshold.
        12:8 hthresh;
        /// PTHRESH: prefetch threshold.
        4:0 pthresh;
    }
}

// Statistics. All counters are clear-on-read; 64-bit octet counters are split in a low (L) and
// a high (H) register, and reading the high half clears both.

/// Defines 32-bit clear-on-read statistics counters, one `NAME @ offset, "doc";` per line.
macro_rules! statistics_counters {
    ($($name:ident @ $offset:literal, $doc:literal;)*) => {
        register! {
            $(
            #[doc = $doc]
            pub(crate) $name(u32) @ $offset {
                /// Counter value (cleared by the read).
                31:0 count;
            }
            )*
        }
    };
}

statistics_counters! {
    CRCERRS @ 0x00004000, "CRCERRS: CRC Error Count.";
    ALGNERRC @ 0x00004004, "ALGNERRC: Alignment Error Count.";
    SYMERRS @ 0x00004008, "SYMERRS: Symbol Error Count.";
    RXERRC @ 0x0000400c, "RXERRC: Rx Error Count.";
    MPC @ 0x00004010, "MPC: Missed Packets Count (Rx FIFO full).";
    SCC @ 0x00004014, "SCC: Single Collision Count.";
    ECOL @ 0x00004018, "ECOL: Excessive Collisions Count.";
    MCC @ 0x0000401c, "MCC: Multiple Collision Count.";
    LATECOL @ 0x00004020, "LATECOL: Late Collisions Count.";
    COLC @ 0x00004028, "COLC: Collision Count.";
    DC @ 0x00004030, "DC: Defer Count.";
    TNCRS @ 0x00004034, "TNCRS: Transmit with No CRS.";
    SEC @ 0x00004038, "SEC: Sequence Error Count.";
    CEXTERR @ 0x0000403c, "CEXTERR: Carrier Extension Error Count.";
    RLEC @ 0x00004040, "RLEC: Receive Length Error Count.";
    XONRXC @ 0x00004048, "XONRXC: XON Received Count.";
    XONTXC @ 0x0000404c, "XONTXC: XON Transmitted Count.";
    XOFFRXC @ 0x00004050, "XOFFRXC: XOFF Received Count.";
    XOFFTXC @ 0x00004054, "XOFFTXC: XOFF Transmitted Count.";
    FCRUC @ 0x00004058, "FCRUC: Flow Control Receive Unsupported Count.";
    PRC64 @ 0x0000405c, "PRC64: Packets Received (64 bytes).";
    PRC127 @ 0x00004060, "PRC127: Packets Received (65-127 bytes).";
    PRC255 @ 0x00004064, "PRC255: Packets Received (128-255 bytes).";
    PRC511 @ 0x00004068, "PRC511: Packets Received (256-511 bytes).";
    PRC1023 @ 0x0000406c, "PRC1023: Packets Received (512-1023 bytes).";
    PRC1522 @ 0x00004070, "PRC1522: Packets Received (1024 bytes and up).";
    GPRC @ 0x00004074, "GPRC: Good Packets Received Count.";
    BPRC @ 0x00004078, "BPRC: Broadcast Packets Received Count.";
    MPRC @ 0x0000407c, "MPRC: Multicast Packets Received Count.";
    GPTC @ 0x00004080, "GPTC: Good Packets Transmitted Count.";
    GORCL @ 0x00004088, "GORCL: Good Octets Received Count (low).";
    GORCH @ 0x0000408c, "GORCH: Good Octets Received Count (high).";
    GOTCL @ 0x00004090, "GOTCL: Good Octets Transmitted Count (low).";
    GOTCH @ 0x00004094, "GOTCH: Good Octets Transmitted Count (high).";
    RNBC @ 0x000040a0, "RNBC: Receive No Buffers Count.";
    RUC @ 0x000040a4, "RUC: Receive Undersize Count.";
    RFC @ 0x000040a8, "RFC: Receive Fragment Count.";
    ROC @ 0x000040ac, "ROC: Receive Oversize Count.";
    RJC @ 0x000040b0, "RJC: Receive Jabber Count.";
    MGTPRC @ 0x000040b4, "MGTPRC: Management Packets Received Count.";
    MGTPDC @ 0x000040b8, "MGTPDC: Management Packets Dropped Count.";
    MGTPTC @ 0x000040bc, "MGTPTC: Management Packets Transmitted Count.";
    TORL @ 0x000040c0, "TORL: Total Octets Received (low).";
    TORH @ 0x000040c4, "TORH: Total Octets Received (high).";
    TOTL @ 0x000040c8, "TOTL: Total Octets Transmitted (low).";
    TOTH @ 0x000040cc, "TOTH: Total Octets Transmitted (high).";
    TPR @ 0x000040d0, "TPR: Total Packets Received.";
    TPT @ 0x000040d4, "TPT: Total Packets Transmitted.";
    PTC64 @ 0x000040d8, "PTC64: Packets Transmitted (64 bytes).";
    PTC127 @ 0x000040dc, "PTC127: Packets Transmitted (65-127 bytes).";
    PTC255 @ 0x000040e0, "PTC255: Packets Transmitted (128-255 bytes).";
    PTC511 @ 0x000040e4, "PTC511: Packets Transmitted (256-511 bytes).";
    PTC1023 @ 0x000040e8, "PTC1023: Packets Transmitted (512-1023 bytes).";
    PTC1522 @ 0x000040ec, "PTC1522: Packets Transmitted (1024 bytes and up).";
    MPTC @ 0x000040f0, "MPTC: Multicast Packets Transmitted Count.";
    BPTC @ 0x000040f4, "BPTC: Broadcast Packets Transmitted Count.";
    TSCTC @ 0x000040f8, "TSCTC: TCP Segmentation Context Transmitted Count.";
    TSCTFC @ 0x000040fc, "TSCTFC: TCP Segmentation Context Tx Fail Count.";
    IAC @ 0x00004100, "IAC: Interrupt Assertion Count.";
}

/// Offsets of the remaining clear-on-read counters that `igb_clear_hw_cntrs_82575()` reads at
/// initialization: CBTMPC, the interrupt cause counters ICRXPTC..ICRXOC and the host counters
/// HGORCL..LENERRS.
pub(crate) const MISC_COUNTERS: [usize; 14] = [
    0x402c, 0x4104, 0x4108, 0x410c, 0x4110, 0x4118, 0x411c, 0x4120, 0x4124, 0x4128, 0x412c, 0x4130,
    0x4134, 0x4138,
];

// Control plane (ethtool, issue 5).

register! {
    /// LEDCTL: LED Control (four LEDs, one byte each; LED0 in bits 7:0).
    pub(crate) LEDCTL(u32) @ 0x00000e00 {
        /// LED0_BLINK: blink LED0.
        7:7 led0_blink => bool;
        /// LED0_IVRT: invert LED0.
        6:6 led0_ivrt => bool;
        /// LED0_MODE: what LED0 shows (0xE = always on, 0xF = always off).
        3:0 led0_mode;
    }
}
