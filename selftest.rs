// SPDX-License-Identifier: GPL-2.0

//! `ethtool -t`: the diagnostics of `igb_diag_test`.
//!
//! Online, only the link test runs. Offline, as in C: the link test first
//! (before any reset disturbs autonegotiation), then the interface is
//! brought down (the driver's own `stop`), the register and NVM checksum
//! tests run, the MAC is reset, the loopback test sends frames through
//! rings of its own with the MAC in loopback mode, the MAC is reset again
//! and the interface brought back up (`open`). The interrupt test runs last,
//! on the reopened interface: rust_igb's interrupt handlers are requested by
//! `open` only (the C driver hooks a test handler of its own instead), so it
//! raises causes by software on the live handlers and checks that a masked
//! cause does not interrupt and an unmasked one does.
//!
//! Where QEMU differs: the loopback test uses MAC loopback (RCTL.LBM) rather
//! than the PHY loopback C uses on copper; QEMU models both the same way,
//! but receives nothing (looped-back frames included) while STATUS.LU is
//! clear, so the test waits for the link after the reset.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use kernel::{
    dma::Coherent,
    io::{io_read, io_write, Io},
    prelude::*,
    sync::barrier::{dma_mb, Read, Write},
    time::{delay::fsleep, Delta},
};

use crate::{
    ctl_regs::CtlOwner,
    desc::{AdvRxDesc, AdvTxDesc, RxWriteback},
    intr, mac,
    net::{self, ethtool::TestResults, irq::IrqMode, Device, Rtnl},
    netdev::{self, Adapter},
    nvm, phy, queue,
    regs::Bar0,
    stats,
};

/// Result slots, in `igb_gstrings_test` order.
const TEST_REG: usize = 0;
const TEST_EEP: usize = 1;
const TEST_IRQ: usize = 2;
const TEST_LOOP: usize = 3;
const TEST_LINK: usize = 4;

/// The test names (`igb_gstrings_test`).
const NAMES: [&str; 5] = [
    "Register test  (offline)",
    "Eeprom test    (offline)",
    "Interrupt test (offline)",
    "Loopback test  (offline)",
    "Link test   (on/offline)",
];

/// Push the test names.
pub(crate) fn strings(out: &mut net::ethtool::Strings<'_>) {
    for n in NAMES {
        out.push(format_args!("{n}"));
    }
}

/// Run the tests (see the module documentation).
pub(crate) fn run(dev: &Device<Adapter>, rtnl: Rtnl<'_>, offline: bool, out: &mut TestResults<'_>) {
    let Ok(hw) = Adapter::hw(dev) else {
        for i in 0..NAMES.len() {
            out.set(i, Err(1));
        }
        return;
    };
    out.set(TEST_LINK, link_test(dev, hw));
    if !offline {
        // Online: the offline tests are reported as passed (zero), as C.
        return;
    }
    dev_info!(dev.parent(), "{}: offline testing starting\n", dev.name());
    let running = dev.is_running();
    if running {
        let _ = <Adapter as net::device::Operations>::stop(dev, rtnl);
    }
    // Keep the counts the resets would clear.
    stats::update(dev, hw);

    out.set(TEST_REG, reg_test(dev, hw));
    let _ = reset(dev, hw);
    out.set(TEST_EEP, eeprom_test(hw));
    out.set(TEST_LOOP, loopback_test(dev, hw));
    let _ = reset(dev, hw);

    // The interrupt test needs the handlers of an open interface.
    let opened = <Adapter as net::device::Operations>::open(dev, rtnl);
    let irq = match opened {
        Ok(()) => intr_test(dev, hw),
        Err(_) => Err(1),
    };
    out.set(TEST_IRQ, irq);
    if opened.is_ok() {
        // The reset cleared the receive filters, which the core's open
        // would program after `ndo_open`.
        net::ethtool::replay_rx_mode(dev);
        if !running {
            let _ = <Adapter as net::device::Operations>::stop(dev, rtnl);
        }
    }
    dev_info!(dev.parent(), "{}: offline testing done\n", dev.name());
}

/// `igb_link_test`: the link is up (STATUS.LU).
fn link_test(dev: &Device<Adapter>, hw: &Bar0<'_>) -> core::result::Result<(), u64> {
    // Autonegotiation may still be running: give it up to 4 s, as the C
    // driver's offline link test waits for it.
    for _ in 0..40 {
        if mac::link_status(hw).up {
            return Ok(());
        }
        if !dev.is_running() {
            break;
        }
        fsleep(Delta::from_millis(100));
    }
    Err(1)
}

/// Reset and reinitialise the MAC and PHY as probe does (`igb_reset`).
fn reset(dev: &Device<Adapter>, hw: &Bar0<'_>) -> Result {
    let addr = nvm::read_mac_addr(hw)?;
    let ctl = &dev.data().ctl_regs;
    mac::reset(hw, ctl)?;
    let fc = mac::init_hw(hw, &addr, crate::MAX_FRAME_SIZE_1500)?;
    mac::get_hw_control(hw);
    phy::setup_link(hw, ctl, fc).inspect_err(|e| {
        dev_err!(dev.parent(), "self-test: PHY setup failed: {:?}\n", e);
    })?;
    Ok(())
}

/// How a register of [`REG_TESTS`] is tested (`PATTERN_TEST` & co.).
#[derive(Clone, Copy)]
enum Kind {
    /// Write four patterns (masked by `write`), read back under `mask`.
    Pattern,
    /// Write `write & mask` once and read it back.
    SetRead,
    /// Write `write` without checking (set-up step).
    WriteOnly,
}

/// `reg_test_82576`: (offset of entry 0, stride, count, kind, mask, write).
/// Queue registers use their 0xC000/0xE000 locations for all 16 queues
/// (the C table reaches queues 0-3 through the legacy aliases, the same
/// registers on the 82576).
const REG_TESTS: &[(usize, usize, usize, Kind, u32, u32)] = &[
    (0x00028, 0, 1, Kind::Pattern, 0xffff_ffff, 0xffff_ffff), // FCAL
    (0x0002c, 0, 1, Kind::Pattern, 0x0000_ffff, 0xffff_ffff), // FCAH
    (0x00030, 0, 1, Kind::Pattern, 0x0000_ffff, 0xffff_ffff), // FCT
    (0x00038, 0, 1, Kind::Pattern, 0xffff_ffff, 0xffff_ffff), // VET
    (0x0c000, 0x40, 16, Kind::Pattern, 0xffff_ff80, 0xffff_ffff), // RDBAL
    (0x0c004, 0x40, 16, Kind::Pattern, 0xffff_ffff, 0xffff_ffff), // RDBAH
    (0x0c008, 0x40, 16, Kind::Pattern, 0x000f_fff0, 0x000f_ffff), // RDLEN
    (0x0c028, 0x40, 16, Kind::WriteOnly, 0, 1 << 25),         // RXDCTL.ENABLE
    (0x0c018, 0x40, 16, Kind::Pattern, 0x0000_ffff, 0x0000_ffff), // RDT
    (0x0c028, 0x40, 16, Kind::WriteOnly, 0, 0),               // RXDCTL
    (0x02168, 0, 1, Kind::Pattern, 0x0000_fff0, 0x0000_fff0), // FCRTH
    (0x00170, 0, 1, Kind::Pattern, 0x0000_ffff, 0x0000_ffff), // FCTTV
    (0x00410, 0, 1, Kind::Pattern, 0x3fff_ffff, 0x3fff_ffff), // TIPG
    (0x0e000, 0x40, 16, Kind::Pattern, 0xffff_ff80, 0xffff_ffff), // TDBAL
    (0x0e004, 0x40, 16, Kind::Pattern, 0xffff_ffff, 0xffff_ffff), // TDBAH
    (0x0e008, 0x40, 16, Kind::Pattern, 0x000f_fff0, 0x000f_ffff), // TDLEN
    (0x00100, 0, 1, Kind::SetRead, 0xffff_ffff, 0x0000_0000), // RCTL
    (0x00100, 0, 1, Kind::SetRead, 0x04cf_b0fe, 0x003f_fffb), // RCTL
    (0x00100, 0, 1, Kind::SetRead, 0x04cf_b0fe, 0xffff_ffff), // RCTL
    (0x00400, 0, 1, Kind::SetRead, 0xffff_ffff, 0x0000_0000), // TCTL
    (0x05400, 8, 16, Kind::Pattern, 0xffff_ffff, 0xffff_ffff), // RAL(0..16)
    (0x05404, 8, 16, Kind::Pattern, 0x83ff_ffff, 0xffff_ffff), // RAH(0..16)
    (0x054e0, 8, 8, Kind::Pattern, 0xffff_ffff, 0xffff_ffff), // RAL(16..24)
    (0x054e4, 8, 8, Kind::Pattern, 0x83ff_ffff, 0xffff_ffff), // RAH(16..24)
    (0x05200, 4, 128, Kind::Pattern, 0xffff_ffff, 0xffff_ffff), // MTA
];

/// `igb_reg_test`: STATUS read-only bits, then [`REG_TESTS`]. A failure
/// reports the register's offset, as C.
fn reg_test(dev: &Device<Adapter>, hw: &Bar0<'_>) -> core::result::Result<(), u64> {
    const TOGGLE: u32 = 0x7fff_f3ff;
    let rd = |off: usize| hw.try_read32(off).unwrap_or(0);
    let wr = |off: usize, v: u32| {
        let _ = hw.try_write32(v, off);
    };
    let before = rd(0x8);
    let value = before & TOGGLE;
    wr(0x8, TOGGLE);
    let after = rd(0x8) & TOGGLE;
    if value != after {
        dev_err!(
            dev.parent(),
            "failed STATUS register test got: {:#010x} expected: {:#010x}\n",
            after,
            value
        );
        return Err(1);
    }
    wr(0x8, before);

    // The table writes RCTL and TCTL by raw offset: own the shared control
    // registers for the whole walk (non-sleeping), so a `set_rx_mode` that
    // the core runs meanwhile (the interface stays IFF_UP) cannot interleave.
    let _owner = dev.data().ctl_regs.lock();
    for &(base, stride, count, kind, mask, write) in REG_TESTS {
        for i in 0..count {
            let reg = base + stride * i;
            let patterns: &[u32] = match kind {
                Kind::Pattern => &[0x5a5a_5a5a, 0xa5a5_a5a5, 0, 0xffff_ffff],
                Kind::SetRead => &[0xffff_ffff],
                Kind::WriteOnly => {
                    wr(reg, write);
                    continue;
                }
            };
            for &p in patterns {
                let (w, expect) = match kind {
                    Kind::SetRead => (write & mask, write & mask),
                    _ => (p & write, p & write & mask),
                };
                wr(reg, w);
                let got = rd(reg) & mask;
                if got != expect {
                    dev_err!(
                        dev.parent(),
                        "register test reg {:#06x} failed: got {:#010x} expected {:#010x}\n",
                        reg,
                        got,
                        expect
                    );
                    return Err(reg as u64);
                }
            }
        }
    }
    Ok(())
}

/// `igb_eeprom_test`: the NVM checksum (result 2 on failure, as C).
fn eeprom_test(hw: &Bar0<'_>) -> core::result::Result<(), u64> {
    nvm::validate_checksum(hw).map_err(|_| 2)
}

/// Wait up to `ms` milliseconds for `counter` to pass `start`.
fn wait_count(counter: &AtomicU64, start: u64, ms: u32) -> bool {
    for _ in 0..ms {
        if counter.load(Relaxed) != start {
            return true;
        }
        fsleep(Delta::from_millis(1));
    }
    counter.load(Relaxed) != start
}

/// Interrupt test on the live handlers: with every cause masked a
/// software-raised cause must not interrupt (within 10 ms); unmasked, it
/// must (within 200 ms). Under MSI-X both the "other" vector (through an
/// ICR cause and EICS) and the queue vector (EICS) are checked.
fn intr_test(dev: &Device<Adapter>, hw: &Bar0<'_>) -> core::result::Result<(), u64> {
    let c = &dev.data().ctl;
    match dev.irq_mode() {
        Some(IrqMode::MsiX) => {
            // The masks of the open interface, so that the interrupts it
            // uses are all unmasked again afterwards.
            let masks = intr::MsixMasks::new(netdev::vector_map(dev).vectors());
            // Masked: no interrupt of vector 0.
            intr::disable_all_irqs(hw);
            fsleep(Delta::from_millis(10));
            let start = c.irqs_vector0.load(Relaxed);
            intr::trigger_msix(hw, masks.other);
            if wait_count(&c.irqs_vector0, start, 10) {
                intr::enable_msix(hw, &masks);
                return Err(3);
            }
            // Unmasked: the pending cause fires once enabled.
            let start = c.irqs_vector0.load(Relaxed);
            intr::enable_msix(hw, &masks);
            intr::trigger_msix(hw, masks.other);
            if !wait_count(&c.irqs_vector0, start, 200) {
                return Err(4);
            }
            // The queue vector.
            let start = c.irqs.load(Relaxed);
            intr::trigger_msix(hw, masks.queue(0));
            if !wait_count(&c.irqs, start, 200) {
                return Err(5);
            }
            Ok(())
        }
        Some(IrqMode::Msi) | Some(IrqMode::Intx) => {
            intr::disable_all_irqs(hw);
            fsleep(Delta::from_millis(10));
            let start = c.irqs.load(Relaxed);
            intr::trigger_single(hw);
            if wait_count(&c.irqs, start, 10) {
                intr::enable_single(hw);
                return Err(3);
            }
            let start = c.irqs.load(Relaxed);
            intr::enable_single(hw);
            intr::trigger_single(hw);
            if !wait_count(&c.irqs, start, 200) {
                return Err(4);
            }
            Ok(())
        }
        None => Err(1),
    }
}

/// Loopback test geometry: frames sent, descriptors per ring, frame size
/// (`igb_run_loopback_test` sends 64 frames of 1024 bytes per round).
const LB_FRAMES: usize = 64;
const LB_DESCS: usize = 128;
const LB_FRAME_LEN: usize = 1024;
/// Receive buffer size per descriptor (SRRCTL.BSIZEPACKET).
const LB_RX_BUF: usize = 2048;

/// Byte `j` of loopback frame `i`: broadcast destination, a locally
/// administered source, the local experimental EtherType 0x88B5, the frame
/// number, then a pattern that differs per frame (`igb_create_lbtest_frame`
/// uses one pattern for all).
fn lb_byte(i: usize, j: usize) -> u8 {
    match j {
        0..=5 => 0xff,
        6 => 0x02,
        7..=10 => 0,
        11 => 0x01,
        12 => 0x88,
        13 => 0xb5,
        14 => i as u8,
        _ => (i.wrapping_mul(7) ^ j) as u8,
    }
}

/// Whether receive buffer `slot` holds loopback frame `i` ([`lb_byte`]).
fn lb_matches(rxb: &Coherent<[u8]>, slot: usize, i: usize) -> Result<bool> {
    for j in 0..LB_FRAME_LEN {
        let b: u8 = io_read!(rxb, [try: slot * LB_RX_BUF + j]);
        if b != lb_byte(i, j) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `igb_loopback_test` with MAC loopback: send [`LB_FRAMES`] frames on
/// queue 0 and check that each comes back intact, in order.
fn loopback_test(dev: &Device<Adapter>, hw: &Bar0<'_>) -> core::result::Result<(), u64> {
    let bound = dev.parent_bound();
    let ctl = &dev.data().ctl_regs;
    let alloc = || -> Result<_> {
        let txd = Coherent::<[u64; 2]>::zeroed_slice(bound, LB_DESCS, GFP_KERNEL)?;
        let rxd = Coherent::<[u64; 2]>::zeroed_slice(bound, LB_DESCS, GFP_KERNEL)?;
        let txb = Coherent::<u8>::zeroed_slice(bound, LB_FRAMES * LB_FRAME_LEN, GFP_KERNEL)?;
        let rxb = Coherent::<u8>::zeroed_slice(bound, LB_DESCS * LB_RX_BUF, GFP_KERNEL)?;
        Ok((txd, rxd, txb, rxb))
    };
    let Ok((txd, rxd, txb, rxb)) = alloc() else {
        return Err(1);
    };
    let res = (|| -> Result<core::result::Result<(), u64>> {
        // Frames and descriptors.
        for i in 0..LB_FRAMES {
            for j in 0..LB_FRAME_LEN {
                io_write!(txb, [try: i * LB_FRAME_LEN + j], lb_byte(i, j));
            }
            let addr = txb.dma_address() + (i * LB_FRAME_LEN) as u64;
            let len = LB_FRAME_LEN as u32;
            let [w0, w1] = AdvTxDesc::data(addr, len, true, Some(len)).to_qwords();
            io_write!(txd, [try: i][build: 0], w0);
            io_write!(txd, [try: i][build: 1], w1);
        }
        for i in 0..LB_DESCS {
            let addr = rxb.dma_address() + (i * LB_RX_BUF) as u64;
            let [w0, w1] = AdvRxDesc::new(addr).to_qwords();
            io_write!(rxd, [try: i][build: 0], w0);
            io_write!(rxd, [try: i][build: 1], w1);
        }
        // Rings, receive filters (all frames) and MAC loopback.
        queue::setup_tctl(hw, ctl);
        queue::setup_rctl(hw, ctl);
        queue::configure_tx_ring(hw, 0, txd.dma_address(), LB_DESCS as u32)?;
        queue::configure_rx_ring(
            hw,
            ctl,
            0,
            rxd.dma_address(),
            LB_DESCS as u32,
            LB_RX_BUF as u32,
        )?;
        queue::set_max_frame(hw, ctl, crate::MAX_FRAME_SIZE_1500)?;
        queue::set_promisc(hw, ctl, true, true);
        ctl.with(|c| c.update_rctl(hw, |r| r.with_const_lbm::<1>()));
        dma_mb(Write);
        queue::write_rx_tail(hw, 0, (LB_DESCS - 1) as u32);
        queue::rx_enable(hw, ctl, true);
        // QEMU receives (looped-back frames too) only with STATUS.LU set,
        // which the MAC reset cleared and autonegotiation restores about
        // 500 ms later: wait for it (up to 3 s) before transmitting.
        for _ in 0..300 {
            if mac::link_status(hw).up {
                break;
            }
            fsleep(Delta::from_millis(10));
        }
        queue::write_tx_tail(hw, 0, LB_FRAMES as u32);

        // Collect the frames (up to 2 s: the guest runs under TCG). Frames
        // from the wire may arrive in between (QEMU's loopback does not cut
        // the port off): they are skipped, as `igb_clean_test_rings` counts
        // only the test frames; ours must all come back, in order.
        let (mut got, mut slot, mut foreign) = (0, 0, 0);
        for _ in 0..200 {
            while got < LB_FRAMES && slot < LB_DESCS - 1 {
                // The status first: nothing else is valid before DD.
                let hi = io_read!(rxd, [try: slot][build: 1]);
                if !RxWriteback::parse(0, hi).dd {
                    break;
                }
                dma_mb(Read);
                let lo = io_read!(rxd, [try: slot][build: 0]);
                let wb = RxWriteback::parse(lo, io_read!(rxd, [try: slot][build: 1]));
                let ours = wb.eop
                    && !wb.has_errors()
                    && usize::from(wb.length) >= LB_FRAME_LEN
                    && io_read!(rxb, [try: slot * LB_RX_BUF + 12]) == 0x88u8
                    && io_read!(rxb, [try: slot * LB_RX_BUF + 13]) == 0xb5u8;
                if ours {
                    if !lb_matches(&rxb, slot, got)? {
                        dev_err!(
                            dev.parent(),
                            "loopback frame {} came back altered or out of order\n",
                            got
                        );
                        return Ok(Err(14));
                    }
                    got += 1;
                } else {
                    foreign += 1;
                }
                slot += 1;
            }
            if got == LB_FRAMES {
                break;
            }
            fsleep(Delta::from_millis(10));
        }
        if got < LB_FRAMES {
            dev_err!(
                dev.parent(),
                "loopback: {} of {} frames came back ({} other frames)\n",
                got,
                LB_FRAMES,
                foreign
            );
            return Ok(Err(13));
        }
        Ok(Ok(()))
    })();
    // Stop DMA before the rings are freed.
    ctl.with(|c| c.update_rctl(hw, |r| r.with_const_lbm::<0>()));
    if queue::disable_all(hw, ctl).is_err() {
        let _ = mac::reset(hw, ctl);
    }
    res.unwrap_or(Err(1))
}
