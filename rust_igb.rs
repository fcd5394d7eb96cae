// SPDX-License-Identifier: GPL-2.0

//! rust_igb: a Rust driver for Intel igb Gigabit Ethernet controllers.
//!
//! It drives the 82576, the MAC QEMU's `-device igb` emulates, and only that:
//! the PCI ID table lists the whole igb family (82575, 82576, 82580, I350,
//! I354, I210, I211: 35 IDs, as the C driver's `igb_pci_tbl`), so the driver
//! core offers it every igb port, but probe refuses every other MAC type
//! (`MacType::is_supported`) with a log message naming it, before touching
//! the device, which stays free for the C igb.
//!
//! The crate root only binds the PCI driver; everything else lives in one file
//! per concern, mirroring drivers/net/ethernet/meta/fbnic:
//!
//! - `regs.rs`, `mac.rs`, `nvm.rs`, `phy.rs`: the hardware blocks;
//! - `netdev.rs` and `netdev/`: the net_device callbacks and the link
//!   watchdog; bring-up and teardown (`updown.rs`), the transmit entry
//!   point (`xmit.rs`), TX hang detection (`hang.rs`);
//! - `ethtool.rs`: the ethtool callbacks;
//! - `devlink.rs`: `devlink dev info` and the TX hang health reporter;
//! - `net.rs` and `net/`: the abstraction layer over the kernel's networking
//!   C API, the only place with FFI calls (each with its safety argument).
//!
//! `unsafe` code is denied in the whole crate and allowed only in `net`: a
//! driver module that needs it does not compile, and must get a safe
//! abstraction in `net/` instead.

#![deny(unsafe_code)]

use kernel::{
    device::Core,
    pci,
    prelude::*, //
};

mod aer;
mod ctl_regs;
mod desc;
mod devlink;
mod ethtool;
mod filter;
mod hw;
mod intr;
mod itr;
mod mac;
mod napi;
#[allow(unsafe_code)]
mod net;
mod netdev;
mod nvm;
mod offload;
mod phy;
mod pm;
mod queue;
mod qvec;
mod regdump;
mod regs;
mod removal;
mod ring;
mod rss;
mod rx_ring;
mod selftest;
mod stats;
mod tuning;
mod tx_ring;

use hw::MacDisplay;
use mac::MacType;
use netdev::Adapter;
use regs::BAR0_SIZE;

/// Largest MTU: 9216-byte jumbo frames, as the C igb allows.
const MAX_MTU: u32 = 9216;
/// Smallest MTU the IPv4 stack accepts (`ETH_MIN_MTU`).
const MIN_MTU: u32 = 68;
/// Largest frame for the default 1500-byte MTU: MTU + Ethernet header, FCS
/// and one VLAN tag (1500 + 14 + 4 + 4).
pub(crate) const MAX_FRAME_SIZE_1500: u32 = 1522;

/// The PCI driver.
struct IgbDriver;

/// Per-device driver data, alive from probe to unbind. The interface itself
/// is device-managed (see `net::Registration`).
struct IgbDevice<'bound> {
    /// The registered network interface.
    netdev: &'bound net::Device<Adapter>,
}

// The whole igb family, so that a port of another MAC type is refused with a
// message naming it; only the 82576 IDs bind (see the crate documentation).
kernel::pci_device_table!(
    PCI_TABLE,
    <IgbDriver as pci::Driver>::IdInfo,
    [
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1F40), ()), // I354 backplane 1G
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1F41), ()), // I354 SGMII
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1F45), ()), // I354 backplane 2.5G
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1539), ()), // I211 copper
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1533), ()), // I210 copper
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1536), ()), // I210 fiber
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1537), ()), // I210 SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1538), ()), // I210 SGMII
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x157B), ()), // I210 copper flashless
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x157C), ()), // I210 SerDes flashless
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1521), ()), // I350 copper
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1522), ()), // I350 fiber
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1523), ()), // I350 SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1524), ()), // I350 SGMII
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x150E), ()), // 82580 copper
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x150F), ()), // 82580 fiber
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1527), ()), // 82580 quad fiber
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1510), ()), // 82580 SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1511), ()), // 82580 SGMII
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1516), ()), // 82580 dual copper
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x0438), ()), // DH89xxCC SGMII
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x043A), ()), // DH89xxCC SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x043C), ()), // DH89xxCC backplane
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x0440), ()), // DH89xxCC SFP
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10C9), ()), // 82576 (QEMU's igb)
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x150A), ()), // 82576 NS
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1518), ()), // 82576 NS SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10E6), ()), // 82576 fiber
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10E7), ()), // 82576 SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x150D), ()), // 82576 quad SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1526), ()), // 82576 quad copper ET2
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10E8), ()), // 82576 quad copper
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10A7), ()), // 82575EB copper
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10A9), ()), // 82575EB fiber/SerDes
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10D6), ()), // 82575GB quad copper
    ]
);

impl pci::Driver for IgbDriver {
    type IdInfo = ();
    type Data<'bound> = IgbDevice<'bound>;
    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        probe_device(pdev)
    }
}

// System sleep and shutdown (`pm.rs`), registered by `net::pm::Adapter`.
impl net::pm::Driver for IgbDriver {
    fn suspend<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> Result {
        pm::suspend(pdev, this.netdev)
    }

    fn resume<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> Result {
        pm::resume(pdev, this.netdev)
    }

    fn shutdown<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        pm::shutdown(pdev, this.netdev)
    }
}

// PCIe error recovery (`aer.rs`), registered by `net::pm::Adapter`.
impl net::aer::ErrorHandler for IgbDriver {
    fn error_detected<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
        state: net::aer::ChannelState,
    ) -> net::aer::ErsResult {
        aer::error_detected(pdev, this.netdev, state)
    }

    fn slot_reset<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> net::aer::ErsResult {
        aer::slot_reset(pdev, this.netdev)
    }

    fn resume<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        aer::resume(pdev, this.netdev)
    }
}

/// Bring up one controller: identify it, map BAR0, reset the MAC, check the
/// NVM, read the MAC address, set up the PHY and register the interface.
/// Everything acquired before the registration is device-managed or dropped
/// on return, so an error at any point leaves nothing behind.
fn probe_device<'bound>(pdev: &'bound pci::Device<Core<'_>>) -> Result<IgbDevice<'bound>> {
    let device_id = pdev.device_id();
    let Some(mac_type) = MacType::from_device_id(device_id) else {
        // Only reachable through a dynamic ID (sysfs new_id).
        dev_err!(
            pdev,
            "device {:#06x} is not an igb controller; refusing it\n",
            device_id
        );
        return Err(ENODEV);
    };
    if !mac_type.is_supported() {
        dev_err!(
            pdev,
            "{} (device {:#06x}) is not supported by rust_igb yet; use the igb driver\n",
            mac_type.name(),
            device_id
        );
        return Err(ENODEV);
    }

    // Undone at unbind or if probe fails from here on (device-managed).
    net::pci::enable_device_mem_master(pdev)?;
    net::pci::set_dma_mask(pdev, 64)?;
    let bar = pdev
        .iomap_region_sized::<BAR0_SIZE>(0, c"rust_igb")?
        .into_devres()?;

    let hw = bar.access(pdev.as_ref())?;
    // Nothing else can reach the device before the interface is registered:
    // the shared control registers are written without the adapter's lock.
    let ctl = ctl_regs::Unregistered::new(pdev);
    let reset =
        mac::reset(hw, &ctl).inspect_err(|e| dev_err!(pdev, "MAC reset failed: {:?}\n", e))?;
    if reset.master_disable_timed_out {
        dev_warn!(pdev, "PCIe master disable timed out during reset\n");
    }
    if let Err(e) = nvm::validate_checksum(hw) {
        let sum = nvm::read_checksum(hw).unwrap_or(0);
        dev_err!(
            pdev,
            "The NVM Checksum Is Not Valid (sum {:#06x}, expected 0xbaba)\n",
            sum
        );
        return Err(e);
    }
    // The station address: the NVM's, unless pre-boot software installed an
    // alternate one (which `mac::reset` found, as `igb_check_alt_mac_addr`).
    let addr = match reset.alt_mac_addr {
        Some(alt) => alt,
        None => nvm::read_mac_addr(hw)?,
    };
    if !hw::is_valid_ether_addr(&addr) {
        dev_err!(pdev, "Invalid MAC Address {}\n", MacDisplay(&addr));
        return Err(EIO);
    }
    let nvm_version = nvm::read_version(hw, mac_type)?;
    // The board's PBA number, for `devlink dev info` (as the C driver, a
    // probe without one goes on).
    let pba = nvm::read_pba(hw).ok();
    let fc = mac::init_hw(hw, &addr, MAX_FRAME_SIZE_1500)?;
    phy::setup_link(hw, &ctl, fc).inspect_err(|e| dev_err!(pdev, "PHY setup failed: {:?}\n", e))?;
    // As the C driver: the PHY stays powered down until the interface is up.
    phy::power_down(hw)?;
    // Wake-on-LAN: what the port allows, and whether the platform lets the
    // device wake the system (`igb_probe`).
    let wake = (
        pm::probe_port_wake(hw, device_id)?,
        net::pm::can_wakeup(pdev.as_ref()),
    );

    let config = net::Config {
        mac: addr,
        tx_queues: qvec::MAX_QUEUES as u32,
        rx_queues: qvec::MAX_QUEUES as u32,
        min_mtu: MIN_MTU,
        max_mtu: MAX_MTU,
        irq_mode: netdev::preferred_irq_mode(),
        // A queue pair per CPU, with a vector per ring where that fits (the
        // vectors are allocated once, here).
        queue_vectors: qvec::vectors_for(net::queues::num_online_cpus() as usize),
        features: offload::FEATURES,
        hw_features: offload::HW_FEATURES,
        vlan_features: offload::VLAN_FEATURES,
        enc_features: offload::ENC_FEATURES,
        gso_partial_features: offload::GSO_PARTIAL_FEATURES,
        mpls_features: offload::MPLS_FEATURES,
    };
    // Per-device debugfs directory (fault injection for the tests).
    let debugfs = kernel::debugfs::Dir::new(&kernel::str::CString::try_from_fmt(fmt!(
        "rust_igb-{}",
        pdev.as_ref().name()
    ))?);
    // The adapter claims the device from the firmware (CTRL_EXT.DRV_LOAD)
    // once it exists and hands it back when dropped, also when the
    // registration fails (C: `err_register`).
    let netdev = net::Registration::register(
        pdev,
        &config,
        Adapter::new(
            bar,
            netdev::Identity {
                nvm_version,
                perm_addr: addr,
                pba,
            },
            fc,
            debugfs,
            wake,
        ),
    )?;
    pm::init_wakeup(netdev);
    // After the interface: devres releases it first at unbind.
    devlink::register(netdev);
    dev_info!(pdev, "Intel(R) Gigabit Ethernet Network Connection\n");
    if let Some(mode) = netdev.irq_mode() {
        dev_info!(
            pdev,
            "{}: using {:?} interrupts, {} vector(s)\n",
            netdev.name(),
            mode,
            netdev.irq_vectors()
        );
    }
    dev_info!(
        pdev,
        "{}: {} {}, NVM version {}\n",
        netdev.name(),
        mac_type.name(),
        MacDisplay(&addr),
        nvm_version
    );
    match &pba {
        Some(pba) => dev_info!(pdev, "{}: PBA No: {}\n", netdev.name(), pba),
        None => dev_info!(pdev, "{}: PBA No: Unknown\n", netdev.name()),
    }
    Ok(IgbDevice { netdev })
}

// `module_pci_driver!` with `net::pm::Adapter` in place of `pci::Adapter`,
// which registers no PM or shutdown callbacks.
kernel::module_driver!(<T>, net::pm::Adapter<T>, {
    type: IgbDriver,
    name: "rust_igb",
    authors: ["The rust_igb developers"],
    description: "Intel(R) Gigabit Ethernet Network Driver, in Rust",
    license: "GPL v2",
    params: {
        int_mode: u32 {
            default: 0,
            description: "Interrupt mode to try first: 0 MSI-X (default), 1 MSI, 2 legacy INTx",
        },
    },
});
