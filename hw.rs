// SPDX-License-Identifier: GPL-2.0

//! Small hardware-level types shared by [`crate::mac`], [`crate::nvm`] and [`crate::phy`].
//!
//! Everything here is pure (no register access), so it is covered by the KUnit suite at the end
//! of the file.

use kernel::prelude::*;

/// Length of an Ethernet (MAC) address in bytes.
pub(crate) const ETH_ALEN: usize = 6;

/// An Ethernet (MAC) address, in network byte order (first byte on the wire first).
pub(crate) type MacAddr = [u8; ETH_ALEN];

/// Returns `true` if `addr` is a multicast (or broadcast) address, i.e. bit 0 of the first octet
/// is set.
pub(crate) fn is_multicast_ether_addr(addr: &MacAddr) -> bool {
    addr[0] & 0x01 != 0
}

/// Returns `true` if `addr` is usable as a station address: neither all-zero nor multicast
/// (broadcast is a multicast address). Same rule as the C `is_valid_ether_addr()`.
pub(crate) fn is_valid_ether_addr(addr: &MacAddr) -> bool {
    !is_multicast_ether_addr(addr) && addr.iter().any(|&b| b != 0)
}

/// Displays a MAC address as `xx:xx:xx:xx:xx:xx` (for `dev_*!` logging and
/// `format_args!`).
pub(crate) struct MacDisplay<'a>(pub(crate) &'a MacAddr);

impl MacDisplay<'_> {
    fn write(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let a = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            a[0], a[1], a[2], a[3], a[4], a[5]
        )
    }
}

impl kernel::fmt::Display for MacDisplay<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.write(f)
    }
}

impl core::fmt::Display for MacDisplay<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.write(f)
    }
}

/// IEEE 802.3x flow control (PAUSE frame) mode, the `enum e1000_fc_mode` of the C driver without
/// its `e1000_fc_default` placeholder (the default is resolved from the NVM, see
/// [`FlowControl::from_nvm_init_control2`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlowControl {
    /// No PAUSE frames sent or honoured.
    None,
    /// Honour received PAUSE frames, never send any.
    RxPause,
    /// Send PAUSE frames, ignore received ones.
    TxPause,
    /// Send and honour PAUSE frames.
    Full,
}

impl FlowControl {
    /// `NVM_WORD0F_PAUSE_MASK`: PAUSE and ASM_DIR bits of NVM word 0x0F (Initialization Control
    /// Word 2).
    const NVM_WORD0F_PAUSE_MASK: u16 = 0x3000;
    /// `NVM_WORD0F_ASM_DIR`: asymmetric-direction-only setting of NVM word 0x0F.
    const NVM_WORD0F_ASM_DIR: u16 = 0x2000;

    /// Decodes the default flow control mode from NVM word 0x0F (Initialization Control Word 2),
    /// like the C `igb_set_default_fc()`: no bits → none, ASM_DIR only → TX pause, otherwise
    /// full.
    pub(crate) fn from_nvm_init_control2(word: u16) -> Self {
        match word & Self::NVM_WORD0F_PAUSE_MASK {
            0 => Self::None,
            Self::NVM_WORD0F_ASM_DIR => Self::TxPause,
            _ => Self::Full,
        }
    }

    /// Returns `true` if received PAUSE frames are honoured (CTRL.RFCE).
    pub(crate) fn rx_pause(self) -> bool {
        matches!(self, Self::RxPause | Self::Full)
    }

    /// Returns `true` if PAUSE frames are sent (CTRL.TFCE, FCRTL/FCRTH programmed).
    pub(crate) fn tx_pause(self) -> bool {
        matches!(self, Self::TxPause | Self::Full)
    }
}

#[kunit_tests(rust_igb_hw_types)]
mod tests {
    use super::*;

    #[test]
    fn ether_addr_validity() {
        assert!(is_valid_ether_addr(&[0x52, 0x54, 0x00, 0x12, 0x34, 0x56]));
        assert!(!is_valid_ether_addr(&[0; ETH_ALEN]));
        assert!(!is_valid_ether_addr(&[0xff; ETH_ALEN]));
        assert!(!is_valid_ether_addr(&[0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]));
        assert!(is_multicast_ether_addr(&[0x33, 0x33, 0, 0, 0, 1]));
        assert!(!is_multicast_ether_addr(&[0x02, 0, 0, 0, 0, 1]));
    }

    #[test]
    fn mac_display() {
        let mut buf = [0u8; 32];
        let mut w = kernel::str::Formatter::new(&mut buf);
        let r = core::fmt::write(
            &mut w,
            format_args!("{}", MacDisplay(&[0x52, 0x54, 0, 0xab, 0xcd, 0x0f])),
        );
        assert!(r.is_ok());
        let n = w.bytes_written();
        assert_eq!(&buf[..n], b"52:54:00:ab:cd:0f");
    }

    #[test]
    fn flow_control_from_nvm() {
        // QEMU's igb NVM template has 0x70c3 in word 0x0F.
        assert_eq!(
            FlowControl::from_nvm_init_control2(0x70c3),
            FlowControl::Full
        );
        assert_eq!(
            FlowControl::from_nvm_init_control2(0x40c3),
            FlowControl::None
        );
        assert_eq!(
            FlowControl::from_nvm_init_control2(0x2000),
            FlowControl::TxPause
        );
        assert_eq!(
            FlowControl::from_nvm_init_control2(0x1000),
            FlowControl::Full
        );
        assert!(FlowControl::Full.rx_pause() && FlowControl::Full.tx_pause());
        assert!(FlowControl::RxPause.rx_pause() && !FlowControl::RxPause.tx_pause());
        assert!(!FlowControl::None.rx_pause() && !FlowControl::None.tx_pause());
    }
}
