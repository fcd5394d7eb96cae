// SPDX-License-Identifier: GPL-2.0

//! Interrupts of a PCI network device: vector allocation (MSI-X, MSI or
//! legacy INTx) when the device is registered, and handlers requested in
//! `open` and freed in `stop`, as the C igb does.
//!
//! C headers: include/linux/pci.h, include/linux/interrupt.h
//!
//! (The kernel crate's `irq::Registration` borrows from the probe-time
//! device reference, which `open` does not have.)
//!
//! Contexts: request/free of handlers run in process context under RTNL (they
//! take an [`Rtnl`] token) and may sleep; the handler
//! ([`Operations::irq`](super::device::Operations::irq)) runs in hard-IRQ
//! context and must only acknowledge and schedule NAPI.
//!
//! The slots live in the `net_device` private area behind shared references,
//! so what changes after registration is atomic, except a slot's name, which
//! is in an `UnsafeCell` and written only while the slot has no handler (RTNL
//! serialises the writers; the IRQ core reads it only while requested).
//! `Registration::register` initialises the state explicitly
//! ([`IrqState::new`]) to the all-zero state a fresh private area holds.

use core::{
    cell::UnsafeCell,
    ptr,
    sync::atomic::{AtomicPtr, AtomicU32, AtomicU8, Ordering},
};

use kernel::prelude::*;

use super::{
    bindings,
    device::{Device, Operations},
    napi::MAX_QUEUE_VECTORS,
    rtnl::Rtnl,
};

/// Vectors a device can have: one per queue vector plus one for other causes.
pub(crate) const MAX_VECTORS: usize = MAX_QUEUE_VECTORS + 1;

/// `PCI_IRQ_INTX`, `PCI_IRQ_MSI`, `PCI_IRQ_MSIX` (include/linux/pci.h).
const PCI_IRQ_INTX: u32 = 1 << 0;
const PCI_IRQ_MSI: u32 = 1 << 1;
const PCI_IRQ_MSIX: u32 = 1 << 2;
/// `IRQF_SHARED`: legacy INTx lines may be shared.
const IRQF_SHARED: c_ulong = 0x80;

/// The interrupt mechanism in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IrqMode {
    /// One vector per queue vector plus one for other causes.
    MsiX,
    /// A single message-signalled vector for everything.
    Msi,
    /// The legacy (possibly shared) INTx line.
    Intx,
}

impl IrqMode {
    fn from_u8(v: u8) -> Option<Self> {
        match v {
            1 => Some(Self::MsiX),
            2 => Some(Self::Msi),
            3 => Some(Self::Intx),
            _ => None,
        }
    }

    fn as_u8(self) -> u8 {
        match self {
            Self::MsiX => 1,
            Self::Msi => 2,
            Self::Intx => 3,
        }
    }
}

/// What a vector serves, which names it in `/proc/interrupts` the way the C
/// Intel drivers do (tools that place interrupts match these names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VectorUse {
    /// Everything, or the causes other than queues: `<ifname>`.
    Device,
    /// TX and RX queue `n`: `<ifname>-TxRx-<n>`.
    TxRx(u32),
    /// RX queue `n`: `<ifname>-rx-<n>`.
    Rx(u32),
    /// TX queue `n`: `<ifname>-tx-<n>`.
    Tx(u32),
}

/// One requested vector, in the private area.
pub(super) struct IrqSlot {
    /// The owning device, set before the handler is requested.
    dev: AtomicPtr<bindings::net_device>,
    /// Vector index, as passed to the driver's handler; set with `dev`.
    index: AtomicU32,
    /// Linux IRQ number while requested, else 0.
    irq: AtomicU32,
    /// `/proc/interrupts` name, NUL-terminated; must outlive the request.
    /// Written only while `irq` is 0, under RTNL.
    name: UnsafeCell<[u8; 24]>,
}

impl IrqSlot {
    const fn new() -> Self {
        Self {
            dev: AtomicPtr::new(ptr::null_mut()),
            index: AtomicU32::new(0),
            irq: AtomicU32::new(0),
            name: UnsafeCell::new([0; 24]),
        }
    }
}

/// The interrupt state of a device, in the private area.
pub(super) struct IrqState {
    slots: [IrqSlot; MAX_VECTORS],
    /// `IrqMode::as_u8()` while vectors are allocated, else 0.
    mode: AtomicU8,
    /// Number of allocated vectors.
    vectors: AtomicU32,
    /// Number of requested handlers. RTNL.
    count: AtomicU32,
}

impl IrqState {
    /// No vectors allocated, no handler requested: the state a zeroed
    /// private area holds.
    pub(super) const fn new() -> Self {
        Self {
            slots: [const { IrqSlot::new() }; MAX_VECTORS],
            mode: AtomicU8::new(0),
            vectors: AtomicU32::new(0),
            count: AtomicU32::new(0),
        }
    }
}

impl<T: Operations> Device<T> {
    pub(super) fn pci_dev(&self) -> *mut bindings::pci_dev {
        // SAFETY: Devices are registered with a PCI parent
        // (`Registration::register` takes a `pci::Device`).
        unsafe { bindings::rust_igb_to_pci_dev(self.parent_raw()) }
    }

    /// The interrupt mode while interrupts are requested.
    pub(crate) fn irq_mode(&self) -> Option<IrqMode> {
        IrqMode::from_u8(self.priv_irq().mode.load(Ordering::Relaxed))
    }

    /// Allocate interrupt vectors: with `MsiX`, up to `queue_vectors + 1`
    /// (vector 0 for other causes) and at least 2, else one; modes are tried from `prefer` down to
    /// INTx. Done once, before the device is registered, so that the PCI
    /// core's device-managed MSI state outlives the registration.
    pub(super) fn alloc_vectors(
        &self,
        prefer: IrqMode,
        queue_vectors: usize,
    ) -> Result<(IrqMode, usize)> {
        let st = self.priv_irq();
        let queue_vectors = queue_vectors.clamp(1, MAX_QUEUE_VECTORS);
        let order: &[IrqMode] = match prefer {
            IrqMode::MsiX => &[IrqMode::MsiX, IrqMode::Msi, IrqMode::Intx],
            IrqMode::Msi => &[IrqMode::Msi, IrqMode::Intx],
            IrqMode::Intx => &[IrqMode::Intx],
        };
        let mut last = ENODEV;
        for &mode in order {
            // MSI-X takes what it can get down to one queue vector (plus
            // the other-causes vector): fewer queues, not a fallback to MSI.
            let (flags, min, max) = match mode {
                IrqMode::MsiX => (PCI_IRQ_MSIX, 2, queue_vectors + 1),
                IrqMode::Msi => (PCI_IRQ_MSI, 1, 1),
                IrqMode::Intx => (PCI_IRQ_INTX, 1, 1),
            };
            // SAFETY: `pci_dev()` is our bound PCI device; no vectors are
            // allocated yet (called once, from registration).
            let ret = unsafe {
                bindings::pci_alloc_irq_vectors(self.pci_dev(), min as u32, max as u32, flags)
            };
            if ret < 0 {
                last = Error::from_errno(ret);
                continue;
            }
            let n = (ret as usize).min(max);
            st.mode.store(mode.as_u8(), Ordering::Relaxed);
            st.vectors.store(n as u32, Ordering::Relaxed);
            return Ok((mode, n));
        }
        Err(last)
    }

    /// Free the handlers and the vectors. The caller excludes every other
    /// user of the interrupt state (registration failed, or the device is
    /// unregistered).
    pub(super) fn free_vectors(&self) {
        self.free_irqs_excl();
        let st = self.priv_irq();
        st.vectors.store(0, Ordering::Relaxed);
        if st.mode.swap(0, Ordering::Relaxed) != 0 {
            // SAFETY: Vectors were allocated and all handlers are freed.
            unsafe { bindings::pci_free_irq_vectors(self.pci_dev()) };
        }
    }

    /// The number of allocated vectors.
    pub(crate) fn irq_vectors(&self) -> usize {
        self.priv_irq().vectors.load(Ordering::Relaxed) as usize
    }

    /// Request a handler on the first `n` allocated vectors (at most all of
    /// them). `spec(i)` says what vector `i` serves (its name) and, with
    /// MSI-X, which CPU to hint its affinity to (`None`: no hint). Process
    /// context, RTNL held (from `open`); may sleep.
    pub(crate) fn request_irqs(
        &self,
        rtnl: Rtnl<'_>,
        n: usize,
        spec: impl Fn(usize) -> (VectorUse, Option<u32>),
    ) -> Result<IrqMode> {
        let mode = self.irq_mode().ok_or(ENODEV)?;
        if self.priv_irq().count.load(Ordering::Relaxed) != 0 {
            return Err(EBUSY);
        }
        if let Err(e) = self.request_handlers(rtnl, mode, n.min(self.irq_vectors()), spec) {
            self.free_irqs(rtnl);
            return Err(e);
        }
        Ok(mode)
    }

    fn request_handlers(
        &self,
        _rtnl: Rtnl<'_>,
        mode: IrqMode,
        n: usize,
        spec: impl Fn(usize) -> (VectorUse, Option<u32>),
    ) -> Result {
        let st = self.priv_irq();
        let ifname = self.name();
        let name = ifname.as_bytes();
        for (i, slot) in st.slots.iter().enumerate().take(n) {
            let (what, cpu) = spec(i);
            // SAFETY: Vectors are allocated; `i < n` vectors exist.
            let irq = unsafe { bindings::pci_irq_vector(self.pci_dev(), i as u32) };
            if irq < 0 {
                return Err(Error::from_errno(irq));
            }
            if slot.irq.load(Ordering::Relaxed) != 0 {
                return Err(EBUSY);
            }
            // Read by the handler, which cannot run before the request below.
            slot.dev.store(self.as_raw(), Ordering::Relaxed);
            slot.index.store(i as u32, Ordering::Relaxed);
            // SAFETY: The slot has no handler (checked above), so the IRQ core
            // holds no pointer to the name, and the only writer is this
            // function, which RTNL (the token) serialises: the reference is
            // exclusive while it lives.
            fill_name(unsafe { &mut *slot.name.get() }, name, what);
            let flags = if mode == IrqMode::Intx {
                IRQF_SHARED
            } else {
                0
            };
            // SAFETY: The handler and cookie stay valid until `free_irq` in
            // `free_irqs`, which runs before the private area is freed; the
            // name lives in the slot.
            let ret = unsafe {
                bindings::request_threaded_irq(
                    irq as u32,
                    Some(irq_callback::<T>),
                    None,
                    flags,
                    slot.name.get().cast::<c_char>().cast_const(),
                    core::ptr::from_ref(slot).cast_mut().cast(),
                )
            };
            if ret != 0 {
                return Err(Error::from_errno(ret));
            }
            slot.irq.store(irq as u32, Ordering::Relaxed);
            st.count.store(i as u32 + 1, Ordering::Relaxed);
            if let (IrqMode::MsiX, Some(cpu)) = (mode, cpu) {
                // Only a hint: failure is harmless.
                // SAFETY: `irq` is requested; the hint is cleared before it
                // is freed (`free_irqs`).
                let _ = unsafe { bindings::rust_igb_irq_set_affinity_hint(irq as u32, cpu) };
            }
        }
        Ok(())
    }

    /// Free all requested handlers (a no-op if none); the vectors stay
    /// allocated. Process context, RTNL held; waits for running handlers.
    pub(crate) fn free_irqs(&self, _rtnl: Rtnl<'_>) {
        self.free_irqs_excl();
    }

    /// [`Self::free_irqs`] for a caller that excludes every other user of
    /// the interrupt state by other means than RTNL.
    fn free_irqs_excl(&self) {
        let st = self.priv_irq();
        let count = st.count.swap(0, Ordering::Relaxed) as usize;
        for slot in st.slots.iter().take(count) {
            let irq = slot.irq.swap(0, Ordering::Relaxed);
            if irq != 0 {
                // SAFETY: `irq` was requested with this slot as cookie; the
                // affinity hint (if any) must be gone before it is freed.
                unsafe {
                    bindings::rust_igb_irq_clear_affinity_hint(irq);
                    bindings::free_irq(irq, core::ptr::from_ref(slot).cast_mut().cast());
                }
            }
        }
    }

    /// Wait for running handlers of all requested vectors to finish. May
    /// sleep: process context, RTNL held.
    pub(crate) fn synchronize_irqs(&self, _rtnl: Rtnl<'_>) {
        let st = self.priv_irq();
        for slot in &st.slots {
            let irq = slot.irq.load(Ordering::Relaxed);
            if irq != 0 {
                // SAFETY: `irq` is a requested interrupt of ours.
                unsafe { bindings::synchronize_irq(irq) };
            }
        }
    }
}

/// Write the `/proc/interrupts` name of a vector serving `what` on interface
/// `ifname` into `buf` (see [`VectorUse`]), NUL-terminated; what does not fit
/// is cut off.
fn fill_name(buf: &mut [u8; 24], ifname: &[u8], what: VectorUse) {
    let (suffix, queue): (&[u8], Option<u32>) = match what {
        VectorUse::Device => (b"", None),
        VectorUse::TxRx(q) => (b"-TxRx-", Some(q)),
        VectorUse::Rx(q) => (b"-rx-", Some(q)),
        VectorUse::Tx(q) => (b"-tx-", Some(q)),
    };
    let mut digits = [0u8; 10];
    let mut nd = 0;
    if let Some(mut q) = queue {
        loop {
            digits[nd] = b'0' + (q % 10) as u8;
            nd += 1;
            q /= 10;
            if q == 0 {
                break;
            }
        }
    }
    digits[..nd].reverse();
    let room = buf.len() - 1;
    let mut len = 0;
    for part in [ifname, suffix, &digits[..nd]] {
        let take = part.len().min(room - len);
        buf[len..len + take].copy_from_slice(&part[..take]);
        len += take;
    }
    buf[len] = 0;
}

/// # Safety
///
/// Called by the IRQ core with the cookie passed to `request_threaded_irq`:
/// an `IrqSlot` of a device of type `T`, valid until `free_irq` returns.
unsafe extern "C" fn irq_callback<T: Operations>(
    _irq: c_int,
    cookie: *mut c_void,
) -> bindings::irqreturn_t {
    // SAFETY: Per the function's safety requirements.
    let slot = unsafe { &*cookie.cast::<IrqSlot>() };
    // SAFETY: `dev` was set before the request to the device owning the
    // slot, which outlives its requested interrupts.
    let dev = unsafe { Device::<T>::from_raw(slot.dev.load(Ordering::Relaxed)) };
    if T::irq(dev, slot.index.load(Ordering::Relaxed) as usize) {
        bindings::irqreturn::IRQ_HANDLED
    } else {
        bindings::irqreturn::IRQ_NONE
    }
}

#[kunit_tests(rust_igb_irq_names)]
mod tests {
    use super::*;

    fn name(ifname: &[u8], what: VectorUse) -> KVec<u8> {
        let mut buf = [0xffu8; 24];
        fill_name(&mut buf, ifname, what);
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let mut v = KVec::new();
        let _ = v.extend_from_slice(&buf[..end], GFP_KERNEL);
        v
    }

    #[test]
    fn vector_names() {
        assert_eq!(&name(b"eth0", VectorUse::Device)[..], b"eth0");
        assert_eq!(&name(b"eth0", VectorUse::TxRx(3))[..], b"eth0-TxRx-3");
        assert_eq!(&name(b"eth1", VectorUse::Rx(0))[..], b"eth1-rx-0");
        assert_eq!(&name(b"eth1", VectorUse::Tx(12))[..], b"eth1-tx-12");
        // A 15-character name: 23 characters fit before the NUL.
        assert_eq!(
            &name(b"enp0s3f0np0abcd", VectorUse::TxRx(15))[..],
            b"enp0s3f0np0abcd-TxRx-15"
        );
        assert_eq!(
            &name(b"enp0s3f0np0abcd", VectorUse::TxRx(123))[..],
            b"enp0s3f0np0abcd-TxRx-12"
        );
    }
}
