// SPDX-License-Identifier: GPL-2.0

//! NVM (EEPROM) access through the EERD register: word reads, checksum validation, the
//! permanent and alternate MAC addresses, the image version shown by `ethtool -i` and the PBA
//! (board) number `devlink dev info` shows.
//!
//! Follows `e1000_nvm.c` and the NVM parts of `e1000_82575.c`. Only the EERD read path is
//! implemented: it is what the C driver uses on the 82575/82576 for every NVM smaller than 32K
//! words, and it needs no software/firmware semaphore. The bit-banged SPI path (EECD, 32K-word
//! parts), NVM writes and the i210/i211 iNVM/flash are not implemented.
//!
//! QEMU (`hw/net/igb.c`, `igb_eeprom_template[]`) exposes a 64-word image with EECD.EE_SIZE = 2
//! (256 words): words 0..2 hold the `-device igb,mac=` address, word 0x3F is computed by
//! `e1000x_core_prepare_eeprom()` so the sum is 0xBABA, word 0x05 is 0x2010 (version "2.1.0"),
//! word 0x0F is 0x70c3 (full flow control) and word 0x37 is 0xFFFF (no alternate MAC address).
//! Reads of words beyond the template return 0; EERD completes synchronously
//! (`igb_set_eerd()` in `hw/net/igb_core.c`).

use kernel::{
    fmt,
    io::{
        poll::read_poll_timeout_atomic,
        Io, //
    },
    prelude::*,
    time::Delta, //
};

use crate::{
    hw::{
        self,
        MacAddr,
        ETH_ALEN, //
    },
    mac::{
        self,
        MacType, //
    },
    regs::{
        self,
        Bar0, //
    },
};

/// `NVM_VERSION`: image version word.
pub(crate) const NVM_VERSION: u16 = 0x05;
/// `NVM_PBA_OFFSET_0`: first PBA word (or [`NVM_PBA_PTR_GUARD`]).
pub(crate) const NVM_PBA_OFFSET_0: u16 = 0x08;
/// `NVM_PBA_OFFSET_1`: second PBA word (or the pointer to the PBA string section).
pub(crate) const NVM_PBA_OFFSET_1: u16 = 0x09;
/// `NVM_PBA_PTR_GUARD`: word 0x08 value saying word 0x09 points to a PBA string.
pub(crate) const NVM_PBA_PTR_GUARD: u16 = 0xfafa;
/// `NVM_INIT_CONTROL2_REG`: Initialization Control Word 2 (default flow control, ...).
pub(crate) const NVM_INIT_CONTROL2_REG: u16 = 0x0f;
/// `NVM_INIT_CONTROL3_PORT_B`: Initialization Control Word 3 of port B (APM wake-up enable).
pub(crate) const NVM_INIT_CONTROL3_PORT_B: u16 = 0x14;
/// `NVM_ALT_MAC_ADDR_PTR`: pointer to the alternate MAC address block.
pub(crate) const NVM_ALT_MAC_ADDR_PTR: u16 = 0x37;
/// `NVM_CHECKSUM_REG`: checksum word, the last of the checksummed range 0x00..=0x3F.
pub(crate) const NVM_CHECKSUM_REG: u16 = 0x3f;
/// `NVM_ETRACK_WORD`: low word of the EETRACK ID.
pub(crate) const NVM_ETRACK_WORD: u16 = 0x42;
/// `NVM_ETRACK_HIWORD`: high word of the EETRACK ID.
pub(crate) const NVM_ETRACK_HIWORD: u16 = 0x43;
/// `NVM_SUM`: the value words 0x00..=0x3F must add up to.
pub(crate) const NVM_SUM: u16 = 0xbaba;

/// `E1000_NVM_RW_REG_DONE` polling interval of the C driver.
const EERD_POLL_DELAY: Delta = Delta::from_micros(5);
/// `igb_poll_eerd_eewr_done()` attempts: 100000 x 5 us, 0.5 s at most.
const EERD_POLL_ATTEMPTS: usize = 100_000;
/// `NVM_WORD_SIZE_BASE_SHIFT`: EECD.EE_SIZE is a shift relative to 64 words.
const NVM_WORD_SIZE_BASE_SHIFT: u32 = 6;
/// Largest NVM the C driver reads through EERD (larger ones use the SPI path).
const NVM_EERD_MAX_WORDS: usize = 1 << 14;

/// Returns the NVM size in 16-bit words, from EECD.EE_SIZE (`igb_init_nvm_params_82575()`).
pub(crate) fn word_size(bar: &Bar0<'_>) -> usize {
    word_size_from_eecd(bar.read(regs::EECD))
}

/// Computes the NVM word count encoded in `eecd`, capped at 32K words like the C driver.
fn word_size_from_eecd(eecd: regs::EECD) -> usize {
    let shift = (eecd.ee_size().get() + NVM_WORD_SIZE_BASE_SHIFT).min(15);
    1 << shift
}

/// Reads NVM word `offset` through EERD (`igb_read_nvm_eerd()`).
///
/// Busy-waits (5 us steps, 0.5 s at most) for EERD.DONE, so it may be called from any context.
///
/// # Errors
///
/// `EINVAL` if `offset` is beyond the NVM (or beyond what EERD can address), `ETIMEDOUT` if the
/// read does not complete.
pub(crate) fn read_word(bar: &Bar0<'_>, offset: u16) -> Result<u16> {
    let words = word_size(bar).min(NVM_EERD_MAX_WORDS);
    if usize::from(offset) >= words {
        return Err(EINVAL);
    }

    bar.write_reg(regs::EERD::zeroed().try_with_addr(offset)?.with_start(true));

    let eerd = read_poll_timeout_atomic(
        || Ok(bar.read(regs::EERD)),
        |eerd: &regs::EERD| eerd.done(),
        EERD_POLL_DELAY,
        EERD_POLL_ATTEMPTS,
    )?;

    Ok(eerd.data())
}

/// Fills `words` with the NVM words starting at `offset`.
///
/// # Errors
///
/// As [`read_word`]; `EINVAL` also if the range overflows.
pub(crate) fn read_words(bar: &Bar0<'_>, offset: u16, words: &mut [u16]) -> Result {
    for (i, word) in words.iter_mut().enumerate() {
        let i = u16::try_from(i).map_err(|_| EINVAL)?;
        *word = read_word(bar, offset.checked_add(i).ok_or(EINVAL)?)?;
    }

    Ok(())
}

/// Returns the 16-bit wrapping sum of `words`, the NVM checksum arithmetic.
pub(crate) fn checksum_sum(words: &[u16]) -> u16 {
    words.iter().fold(0u16, |sum, &w| sum.wrapping_add(w))
}

/// Returns `true` if `sum` (the sum of words 0x00..=0x3F) is the expected [`NVM_SUM`].
pub(crate) fn checksum_is_valid(sum: u16) -> bool {
    sum == NVM_SUM
}

/// Reads words 0x00..=0x3F and returns their sum; valid images sum to [`NVM_SUM`].
///
/// Use this to report the computed value when [`validate_checksum`] fails.
///
/// # Errors
///
/// As [`read_word`].
pub(crate) fn read_checksum(bar: &Bar0<'_>) -> Result<u16> {
    let mut words = [0u16; NVM_CHECKSUM_REG as usize + 1];
    read_words(bar, 0, &mut words)?;
    Ok(checksum_sum(&words))
}

/// Validates the NVM checksum (`igb_validate_nvm_checksum()`, used for the 82575/82576; the
/// 82580/i350 per-port variants are not implemented).
///
/// # Errors
///
/// `EIO` if the sum of words 0x00..=0x3F is not 0xBABA (the C probe's error for a bad
/// checksum; call [`read_checksum`] for the computed value), or a [`read_word`] error.
pub(crate) fn validate_checksum(bar: &Bar0<'_>) -> Result {
    if checksum_is_valid(read_checksum(bar)?) {
        Ok(())
    } else {
        Err(EIO)
    }
}

/// Converts three little-endian NVM words into a MAC address.
fn mac_addr_from_words(words: &[u16; 3]) -> MacAddr {
    let [a, b, c] = words.map(u16::to_le_bytes);
    [a[0], a[1], b[0], b[1], c[0], c[1]]
}

/// Derives the address of LAN port `lan_id` from NVM words 0..2.
///
/// The 82575/82576 keep a single address in the NVM; the second port of a dual-port part uses
/// it with the least significant bit of the last byte inverted. This is what the hardware loads
/// into RAR[0] of LAN1 and what the C driver did in software before it switched to reading RAR[0]
/// (the rule survives in the comment of `igb_read_mac_addr()`).
///
/// # Errors
///
/// `EINVAL` for `lan_id` > 1: 82575/82576 chips have two ports (quad-port boards carry two
/// chips, each with its own NVM); per-port NVM sections of the 82580 and later are not handled.
pub(crate) fn mac_addr_for_lan(words: &[u16; 3], lan_id: u8) -> Result<MacAddr> {
    let mut addr = mac_addr_from_words(words);
    match lan_id {
        0 => {}
        1 => addr[ETH_ALEN - 1] ^= 1,
        _ => return Err(EINVAL),
    }
    Ok(addr)
}

/// Reads the permanent MAC address of this port from NVM words 0..2 (port number from
/// STATUS.LAN_ID, see [`mac_addr_for_lan`]).
///
/// The C driver does not do this: `igb_read_mac_addr()` reads RAR[0], which the hardware loads
/// from the NVM at reset (already adjusted for the port, and replaced by the alternate address
/// if there is one), see [`crate::mac::read_mac_addr`]. This function is the cross-check and
/// fallback. QEMU exposes every igb as PCI function 0 and fills words 0..2 with the same
/// address it loads into RAR[0], so both agree there.
///
/// # Errors
///
/// As [`read_word`] and [`mac_addr_for_lan`].
pub(crate) fn read_mac_addr(bar: &Bar0<'_>) -> Result<MacAddr> {
    let mut words = [0u16; 3];
    read_words(bar, 0, &mut words)?;
    mac_addr_for_lan(&words, mac::lan_id(bar))
}

/// Offset of the alternate MAC address of `lan_id` inside the alternate address block
/// (`E1000_ALT_MAC_ADDRESS_OFFSET_LAN0..3`).
fn alt_mac_offset(lan_id: u8) -> u16 {
    3 * u16::from(lan_id & 0x3)
}

/// Reads the alternate MAC address installed by pre-boot software (`igb_check_alt_mac_addr()`,
/// 82575/82576 only: the option ROM handles it on the 82580 and later).
///
/// Returns `None` if there is no alternate address block (pointer 0x0000 or 0xFFFF) or if the
/// stored address is multicast (the C driver ignores those).
///
/// # Errors
///
/// As [`read_word`].
pub(crate) fn read_alt_mac_addr(bar: &Bar0<'_>, lan_id: u8) -> Result<Option<MacAddr>> {
    let ptr = read_word(bar, NVM_ALT_MAC_ADDR_PTR)?;
    if ptr == 0 || ptr == 0xffff {
        return Ok(None);
    }

    let mut words = [0u16; 3];
    read_words(
        bar,
        ptr.checked_add(alt_mac_offset(lan_id)).ok_or(EINVAL)?,
        &mut words,
    )?;

    let addr = mac_addr_from_words(&words);
    Ok((!hw::is_multicast_ether_addr(&addr)).then_some(addr))
}

/// NVM image version, the "firmware-version" of `ethtool -i` (`struct e1000_fw_version` without
/// the option ROM and iNVM fields).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NvmVersion {
    /// Major version.
    pub(crate) major: u8,
    /// Minor version (decimal, as the C driver shows it).
    pub(crate) minor: u8,
    /// Image build/ID (only in the legacy 82575/82576/82580 format).
    pub(crate) build: u8,
    /// EETRACK ID, 0 if the image has none.
    pub(crate) etrack_id: u32,
}

impl NvmVersion {
    /// `NVM_ETRACK_VALID` pattern in the top nibble of [`NVM_ETRACK_HIWORD`].
    const ETRACK_VALID: u16 = 0x8000;

    /// Returns `true` if `etrack_hi` (word 0x43) marks a valid EETRACK ID.
    fn etrack_valid(etrack_hi: u16) -> bool {
        etrack_hi & 0xf000 == Self::ETRACK_VALID
    }

    /// Decodes the version like `igb_get_fw_version()`.
    ///
    /// `legacy` selects the 82575/82576/82580 format (used when there is no EETRACK ID);
    /// `version` is word 0x05, `etrack` words 0x42 (low) and 0x43 (high).
    fn decode(legacy: bool, version: u16, etrack: (u16, u16)) -> Self {
        let (etrack_lo, etrack_hi) = etrack;
        let major = (version >> 12) as u8;

        if legacy && !Self::etrack_valid(etrack_hi) {
            return Self {
                major,
                minor: ((version >> 4) & 0xff) as u8,
                build: (version & 0xf) as u8,
                etrack_id: 0,
            };
        }

        // Newer format: the minor number is stored as two BCD-like nibbles.
        let verl = if version & 0x0f00 == 0 {
            version & 0xff
        } else {
            (version >> 4) & 0xff
        };
        let minor = ((verl / 16) * 10 + verl % 16) as u8;
        let etrack_id = if Self::etrack_valid(etrack_hi) {
            (u32::from(etrack_hi) << 16) | u32::from(etrack_lo)
        } else {
            0
        };

        Self {
            major,
            minor,
            build: 0,
            etrack_id,
        }
    }
}

impl NvmVersion {
    /// Formats like `igb_set_fw_version()`: "major.minor, 0xetrack" or "major.minor.build".
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.etrack_id != 0 {
            write!(f, "{}.{}, 0x{:08x}", self.major, self.minor, self.etrack_id)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.build)
        }
    }
}

/// For the kernel's `fmt!`-based macros (`pr_info!`, `dev_info!`, ...).
impl fmt::Display for NvmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

/// For `core::format_args!` users (e.g. the ethtool firmware-version string).
impl core::fmt::Display for NvmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

/// Reads the NVM image version (`igb_get_fw_version()`); QEMU's image reads as "2.1.0".
///
/// The i354 has none (all zeros, as in C). The option ROM version (i350/i210 combo images) is
/// not read.
///
/// # Errors
///
/// `EOPNOTSUPP` for the i210/i211 (iNVM or flash, not implemented), or a [`read_word`] error.
pub(crate) fn read_version(bar: &Bar0<'_>, mac: MacType) -> Result<NvmVersion> {
    let legacy = match mac {
        MacType::I82575 | MacType::I82576 | MacType::I82580 => true,
        MacType::I350 => false,
        MacType::I354 => return Ok(NvmVersion::default()),
        MacType::I210 | MacType::I211 => return Err(EOPNOTSUPP),
    };

    let etrack_hi = read_word(bar, NVM_ETRACK_HIWORD)?;
    let version = read_word(bar, NVM_VERSION)?;
    let etrack_lo = if NvmVersion::etrack_valid(etrack_hi) {
        read_word(bar, NVM_ETRACK_WORD)?
    } else {
        0
    };

    Ok(NvmVersion::decode(legacy, version, (etrack_lo, etrack_hi)))
}

/// Longest PBA string kept, in bytes (16 NVM words). The C driver's buffer
/// (`E1000_PBANUM_LENGTH`) holds 10 characters; longer string sections make it print
/// "Unknown", this keeps up to 32.
const PBA_MAX: usize = 32;

/// The Printed Board Assembly number (`igb_read_part_string()`), e.g. "1040FF-0FF".
///
/// # Invariants
///
/// `buf[..len]` is printable ASCII.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pba {
    buf: [u8; PBA_MAX],
    len: usize,
}

impl Pba {
    /// Decodes the PBA from words 0x08 (`word0`) and 0x09 (`word1`) as `igb_read_part_string()`:
    /// unless `word0` is [`NVM_PBA_PTR_GUARD`], the two words are the legacy format, six hex
    /// digits, a dash, a zero and two hex digits; else `word1` points to a section whose first
    /// word is its length in words (itself included), followed by two characters per word, high
    /// byte first. `read` reads the section's words. The string ends at its first NUL;
    /// characters outside printable ASCII are shown as '?'.
    ///
    /// # Errors
    ///
    /// `EINVAL` for a section length of 0 or 0xFFFF (`E1000_ERR_NVM_PBA_SECTION`), `ENOSPC` for
    /// a string longer than [`PBA_MAX`], or an error of `read`.
    fn decode(word0: u16, word1: u16, mut read: impl FnMut(u16) -> Result<u16>) -> Result<Self> {
        let mut pba = Self {
            buf: [0; PBA_MAX],
            len: 0,
        };
        if word0 != NVM_PBA_PTR_GUARD {
            // `None` is the dash.
            let nibbles = [
                Some(word0 >> 12),
                Some(word0 >> 8),
                Some(word0 >> 4),
                Some(word0),
                Some(word1 >> 12),
                Some(word1 >> 8),
                None,
                Some(0),
                Some(word1 >> 4),
                Some(word1),
            ];
            for n in nibbles {
                pba.push(n.map_or(b'-', |n| HEX_UPPER[usize::from(n & 0xf)]));
            }
            return Ok(pba);
        }
        let length = read(word1)?;
        if length == 0 || length == 0xffff {
            return Err(EINVAL);
        }
        let words = usize::from(length - 1);
        if words * 2 > PBA_MAX {
            return Err(ENOSPC);
        }
        for i in 0..words {
            let offset = word1
                .checked_add(1)
                .and_then(|o| o.checked_add(u16::try_from(i).ok()?))
                .ok_or(EINVAL)?;
            let w = read(offset)?;
            for b in [(w >> 8) as u8, w as u8] {
                if b == 0 {
                    return Ok(pba);
                }
                pba.push(if b.is_ascii_graphic() || b == b' ' {
                    b
                } else {
                    b'?'
                });
            }
        }
        Ok(pba)
    }

    /// Appends printable ASCII `b`; [`Pba::decode`] never appends more than [`PBA_MAX`].
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            // INVARIANT: callers only append printable ASCII.
            *slot = b;
            self.len += 1;
        }
    }

    /// The PBA string.
    pub(crate) fn as_str(&self) -> &str {
        // The bytes are ASCII (type invariant), so this never falls back.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("?")
    }
}

/// Upper-case hex digits, as the C driver writes the legacy PBA.
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// For the kernel's `fmt!`-based macros.
impl fmt::Display for Pba {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads the PBA number (`igb_read_part_string()`); QEMU's image (words 0x1040, 0xFFFF) reads
/// as "1040FF-0FF", as the C igb prints it ("PBA No:").
///
/// # Errors
///
/// As [`Pba::decode`] and [`read_word`].
pub(crate) fn read_pba(bar: &Bar0<'_>) -> Result<Pba> {
    let word0 = read_word(bar, NVM_PBA_OFFSET_0)?;
    let word1 = read_word(bar, NVM_PBA_OFFSET_1)?;
    Pba::decode(word0, word1, |offset| read_word(bar, offset))
}

#[kunit_tests(rust_igb_hw_nvm)]
mod tests {
    use super::*;

    /// QEMU's `igb_eeprom_template[]` words 0x00..=0x3F with MAC 52:54:00:12:34:56 and the
    /// checksum word computed as `e1000x_core_prepare_eeprom()` does.
    fn qemu_image() -> [u16; 64] {
        let mut words: [u16; 64] = [
            0x5452, 0x1200, 0x5634, 0x0d34, 0xffff, 0x2010, 0xffff, 0xffff, 0x1040, 0xffff, 0x002b,
            0x10c9, 0x8086, 0x10c9, 0x0000, 0x70c3, 0x0004, 0x10c9, 0x5c00, 0x0000, 0x2880, 0x0014,
            0x4a40, 0x0060, 0x6cfb, 0xc7b0, 0x0abe, 0x0403, 0x0783, 0x10a6, 0x0001, 0x0602, 0x0004,
            0x0020, 0x0000, 0x004a, 0x2080, 0x00f5, 0x10ca, 0x0000, 0x0000, 0x0000, 0x4784, 0x4602,
            0x0000, 0x0000, 0x1000, 0xffff, 0x0100, 0x4000, 0x131f, 0x4013, 0x0100, 0x4000, 0xffff,
            0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0x00e0, 0xffff, 0x0000,
        ];
        let sum = checksum_sum(&words[..63]);
        words[63] = NVM_SUM.wrapping_sub(sum);
        words
    }

    #[test]
    fn checksum_arithmetic() {
        let mut image = qemu_image();
        assert!(checksum_is_valid(checksum_sum(&image)));
        image[5] ^= 1;
        assert!(!checksum_is_valid(checksum_sum(&image)));
        assert_eq!(checksum_sum(&[0xffff, 0x0002]), 0x0001);
        assert_eq!(checksum_sum(&[]), 0);
    }

    #[test]
    fn mac_addr_words() -> Result {
        let image = qemu_image();
        let words = [image[0], image[1], image[2]];
        assert_eq!(
            mac_addr_for_lan(&words, 0)?,
            [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
        );
        assert_eq!(
            mac_addr_for_lan(&words, 1)?,
            [0x52, 0x54, 0x00, 0x12, 0x34, 0x57]
        );
        assert!(mac_addr_for_lan(&words, 2).is_err());
        assert_eq!(alt_mac_offset(1), 3);
        assert_eq!(alt_mac_offset(3), 9);
        Ok(())
    }

    #[test]
    fn nvm_word_size() {
        // QEMU: EECD.EE_SIZE = 2, 256 words.
        assert_eq!(word_size_from_eecd(regs::EECD::from_raw(2 << 11)), 256);
        assert_eq!(word_size_from_eecd(regs::EECD::from_raw(15 << 11)), 1 << 15);
        assert_eq!(word_size_from_eecd(regs::EECD::zeroed()), 64);
    }

    #[test]
    fn version_decode() {
        // QEMU: word 0x05 = 0x2010, no EETRACK ID.
        let v = NvmVersion::decode(true, 0x2010, (0, 0));
        assert_eq!(
            v,
            NvmVersion {
                major: 2,
                minor: 1,
                build: 0,
                etrack_id: 0
            }
        );
        // EETRACK present: BCD-like minor and the 32-bit ID.
        let v = NvmVersion::decode(true, 0x1234, (0x5678, 0x8001));
        assert_eq!(v.major, 1);
        assert_eq!(v.minor, 23);
        assert_eq!(v.etrack_id, 0x8001_5678);
        // i350 format without EETRACK: minor from the low byte when bits 11:8 are clear.
        let v = NvmVersion::decode(false, 0x1019, (0, 0));
        assert_eq!((v.major, v.minor, v.build, v.etrack_id), (1, 19, 0, 0));
    }

    #[test]
    fn pba_legacy() -> Result {
        // QEMU: word 0x08 = 0x1040, word 0x09 = 0xFFFF; the C igb prints "1040FF-0FF".
        let image = qemu_image();
        let no_read = |_: u16| -> Result<u16> { Err(EIO) };
        let pba = Pba::decode(image[8], image[9], no_read)?;
        assert_eq!(pba.as_str(), "1040FF-0FF");
        // Every nibble in place.
        assert_eq!(Pba::decode(0xe647, 0x5002, no_read)?.as_str(), "E64750-002");
        assert_eq!(Pba::decode(0, 0, no_read)?.as_str(), "000000-000");
        Ok(())
    }

    #[test]
    fn pba_string() -> Result {
        // Word 0x09 points to 0x20: length 6 words (itself included), "G12345-006".
        let mut nvm = [0xffffu16; 64];
        nvm[0x20] = 6;
        for (i, pair) in b"G12345-006".chunks(2).enumerate() {
            nvm[0x21 + i] = (u16::from(pair[0]) << 8) | u16::from(pair[1]);
        }
        let read = |o: u16| nvm.get(usize::from(o)).copied().ok_or(EINVAL);
        assert_eq!(Pba::decode(0xfafa, 0x20, read)?.as_str(), "G12345-006");
        // The string ends at its first NUL.
        nvm[0x25] = 0;
        let read = |o: u16| nvm.get(usize::from(o)).copied().ok_or(EINVAL);
        assert_eq!(Pba::decode(0xfafa, 0x20, read)?.as_str(), "G12345-0");
        // Unprintable bytes are shown as '?'.
        nvm[0x25] = 0x0130;
        let read = |o: u16| nvm.get(usize::from(o)).copied().ok_or(EINVAL);
        assert_eq!(Pba::decode(0xfafa, 0x20, read)?.as_str(), "G12345-0?0");
        // Invalid section lengths, an oversized string and a failed read.
        for bad in [0, 0xffff] {
            nvm[0x20] = bad;
            let read = |o: u16| nvm.get(usize::from(o)).copied().ok_or(EINVAL);
            assert_eq!(Pba::decode(0xfafa, 0x20, read), Err(EINVAL));
        }
        nvm[0x20] = 18;
        let read = |o: u16| nvm.get(usize::from(o)).copied().ok_or(EINVAL);
        assert_eq!(Pba::decode(0xfafa, 0x20, read), Err(ENOSPC));
        nvm[0x20] = 6;
        let read = |o: u16| nvm.get(usize::from(o)).copied().ok_or(EIO);
        assert_eq!(Pba::decode(0xfafa, 0x40, read), Err(EIO));
        Ok(())
    }
}
