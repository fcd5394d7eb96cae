// SPDX-License-Identifier: GPL-2.0

//! `ethtool -d`: the register dump in the layout of `igb_get_regs` (format
//! version 1, 740 words), so `ethtool -d` decodes it as for the C driver and
//! the two dumps can be compared word by word.
//!
//! The offsets are those of `e1000_regs.h` (datasheet names in the tables).
//! Words 54-120 are the accumulated statistics (low 32 bits, as in C), not
//! live registers. Registers QEMU does not model read as zero.

use kernel::{io::Io, prelude::*};

use crate::{net::ethtool::RegsOut, regs::Bar0, stats::MacCounters};

/// Words in the dump (`IGB_REGS_LEN`).
pub(crate) const REGS_LEN: usize = 740;

/// Single registers: (word, offset).
const SINGLES: &[(usize, usize)] = &[
    (0, 0x00000),   // CTRL
    (1, 0x00008),   // STATUS
    (2, 0x00018),   // CTRL_EXT
    (3, 0x00020),   // MDIC
    (4, 0x00024),   // SCTL
    (5, 0x00034),   // CONNSW
    (6, 0x00038),   // VET
    (7, 0x00e00),   // LEDCTL
    (8, 0x01000),   // PBA
    (9, 0x01008),   // PBS
    (10, 0x01048),  // FRTIMER
    (11, 0x0104c),  // TCPTIMER
    (12, 0x00010),  // EECD
    (13, 0x01520),  // EICS (for EICR: same value, not cleared by the read)
    (14, 0x01520),  // EICS
    (15, 0x01524),  // EIMS
    (16, 0x01528),  // EIMC
    (17, 0x0152c),  // EIAC
    (18, 0x01530),  // EIAM
    (19, 0x000c8),  // ICS (for ICR)
    (20, 0x000c8),  // ICS
    (21, 0x000d0),  // IMS
    (22, 0x000d8),  // IMC
    (23, 0x04100),  // IAC
    (24, 0x000e0),  // IAM
    (25, 0x05ac0),  // IMIRVP
    (26, 0x00028),  // FCAL
    (27, 0x0002c),  // FCAH
    (28, 0x00170),  // FCTTV
    (29, 0x02160),  // FCRTL
    (30, 0x02168),  // FCRTH
    (31, 0x02460),  // FCRTV
    (32, 0x00100),  // RCTL
    (33, 0x05000),  // RXCSUM
    (34, 0x05004),  // RLPML
    (35, 0x05008),  // RFCTL
    (36, 0x05818),  // MRQC
    (37, 0x0581c),  // VT_CTL
    (38, 0x00400),  // TCTL
    (39, 0x00404),  // TCTL_EXT
    (40, 0x00410),  // TIPG
    (41, 0x03590),  // DTXCTL
    (42, 0x05800),  // WUC
    (43, 0x05808),  // WUFC
    (44, 0x05810),  // WUS
    (45, 0x05838),  // IPAV
    (46, 0x05900),  // WUPL
    (47, 0x04200),  // PCS_CFG0
    (48, 0x04208),  // PCS_LCTL
    (49, 0x0420c),  // PCS_LSTAT
    (50, 0x04218),  // PCS_ANADV
    (51, 0x0421c),  // PCS_LPAB
    (52, 0x04220),  // PCS_NPTX
    (53, 0x04224),  // PCS_LPABNP
    (547, 0x03410), // TDFH
    (548, 0x03418), // TDFT
    (549, 0x03420), // TDFHS
    (550, 0x03430), // TDFPC
];

/// Offset of per-queue register `base` (its queue-0 offset in the
/// `0xC000`/`0xE000` blocks, see `regs.rs`) for queue `n`.
const fn queue_reg(base: usize, n: usize) -> usize {
    base + 0x40 * n
}

/// Per-queue registers: (word for queue 0..4, word for queue 4..16 or 0 if
/// not dumped, queue-0 offset). The 82576 part of the dump holds queues
/// 4-15 from word 555 on.
const QUEUE_REGS: &[(usize, usize, usize)] = &[
    (121, 555, 0x0c00c), // SRRCTL
    (129, 571, 0x0c000), // RDBAL
    (133, 583, 0x0c004), // RDBAH
    (137, 595, 0x0c008), // RDLEN
    (141, 607, 0x0c010), // RDH
    (145, 619, 0x0c018), // RDT
    (149, 631, 0x0c028), // RXDCTL
    (211, 643, 0x0e000), // TDBAL
    (215, 655, 0x0e004), // TDBAH
    (219, 667, 0x0e008), // TDLEN
    (223, 679, 0x0e010), // TDH
    (227, 691, 0x0e018), // TDT
    (231, 703, 0x0e028), // TXDCTL
    (235, 715, 0x0e038), // TDWBAL
    (239, 727, 0x0e03c), // TDWBAH
    (243, 0, 0x0e014),   // DCA_TXCTRL
];

/// Register arrays: (first word, count, offset of entry 0, stride).
const ARRAYS: &[(usize, usize, usize, usize)] = &[
    (125, 4, 0x05480, 4),   // PSRTYPE(0..4)
    (567, 4, 0x05490, 4),   // PSRTYPE(4..8)
    (153, 10, 0x01680, 4),  // EITR
    (163, 8, 0x05a80, 4),   // IMIR
    (171, 8, 0x05aa0, 4),   // IMIREXT
    (179, 16, 0x05400, 8),  // RAL(0..16)
    (195, 16, 0x05404, 8),  // RAH(0..16)
    (247, 4, 0x05840, 8),   // IP4AT
    (251, 4, 0x05880, 4),   // IP6AT
    (255, 32, 0x05a00, 4),  // WUPM
    (287, 128, 0x09000, 8), // FFMT
    (415, 128, 0x09800, 8), // FFVT
    (543, 4, 0x05f00, 8),   // FFLT
];

/// Fill `out` with the dump; `c` are the accumulated statistics.
pub(crate) fn fill(hw: &Bar0<'_>, c: &MacCounters, out: &mut RegsOut<'_>) {
    let rd = |off: usize| hw.try_read32(off).unwrap_or(0);
    for &(w, off) in SINGLES {
        out.set(w, rd(off));
    }
    for &(w_lo, w_hi, base) in QUEUE_REGS {
        for n in 0..4 {
            out.set(w_lo + n, rd(queue_reg(base, n)));
        }
        if w_hi != 0 {
            for n in 4..16 {
                out.set(w_hi + n - 4, rd(queue_reg(base, n)));
            }
        }
    }
    for &(w, count, base, stride) in ARRAYS {
        for i in 0..count {
            out.set(w + i, rd(base + stride * i));
        }
    }
    // Statistics (words 54-120, as `igb_get_regs`; 64-bit ones take two
    // words of which C fills the first).
    let stats: [(usize, u64); 58] = [
        (54, c.crcerrs),
        (55, c.algnerrc),
        (56, c.symerrs),
        (57, c.rxerrc),
        (58, c.mpc),
        (59, c.scc),
        (60, c.ecol),
        (61, c.mcc),
        (62, c.latecol),
        (63, c.colc),
        (64, c.dc),
        (65, c.tncrs),
        (66, c.sec),
        (68, c.rlec),
        (69, c.xonrxc),
        (70, c.xontxc),
        (71, c.xoffrxc),
        (72, c.xofftxc),
        (73, c.fcruc),
        (74, c.prc64),
        (75, c.prc127),
        (76, c.prc255),
        (77, c.prc511),
        (78, c.prc1023),
        (79, c.prc1522),
        (80, c.gprc),
        (81, c.bprc),
        (82, c.mprc),
        (83, c.gptc),
        (84, c.gorc),
        (86, c.gotc),
        (88, c.rnbc),
        (89, c.ruc),
        (90, c.rfc),
        (91, c.roc),
        (92, c.rjc),
        (93, c.mgprc),
        (94, c.mgpdc),
        (95, c.mgptc),
        (96, c.tor),
        (98, c.tot),
        (100, c.tpr),
        (101, c.tpt),
        (102, c.ptc64),
        (103, c.ptc127),
        (104, c.ptc255),
        (105, c.ptc511),
        (106, c.ptc1023),
        (107, c.ptc1522),
        (108, c.mptc),
        (109, c.bptc),
        (110, c.tsctc),
        (111, c.iac),
        (67, 0),
        (112, 0),
        (113, 0),
        (118, 0),
        (119, 0),
    ];
    for (w, v) in stats {
        out.set(w, v as u32);
    }
}

#[kunit_tests(rust_igb_regdump)]
mod tests {
    use super::*;

    /// Every word of the layout is inside the dump and used once.
    #[test]
    fn layout_words_unique() {
        let mut used = [false; REGS_LEN];
        let mut mark = |w: usize| {
            assert!(w < REGS_LEN);
            assert!(!used[w]);
            used[w] = true;
        };
        for &(w, _) in SINGLES {
            mark(w);
        }
        for &(lo, hi, _) in QUEUE_REGS {
            for n in 0..4 {
                mark(lo + n);
            }
            if hi != 0 {
                for n in 0..12 {
                    mark(hi + n);
                }
            }
        }
        for &(w, count, _, _) in ARRAYS {
            for i in 0..count {
                mark(w + i);
            }
        }
        // Words 54-120 are the statistics.
        assert!(used[54..=120].iter().all(|u| !u));
    }
}
