// SPDX-License-Identifier: GPL-2.0

//! System sleep (`dev_pm_ops`) and shutdown for a PCI driver, and the PCI
//! and wake-up calls they need.
//!
//! C headers: include/linux/pm.h, include/linux/pci.h, include/linux/pm_wakeup.h
//!
//! The 7.3 kernel crate's `pci::Adapter` registers `probe` and `remove` only:
//! no `driver.pm`, no `shutdown`, no `err_handler`. [`Adapter`] is a
//! registration that fills those three fields (the PCIe error callbacks are
//! in `net::aer`) and then hands the `struct pci_driver` to `pci::Adapter`,
//! which sets the rest and registers it; `kernel::module_driver!` takes it in
//! place of `pci::Adapter`. The callbacks reach the driver's [`Driver`] impl
//! with the bound `pci::Device<Core>` and the driver's PCI data, as
//! `pci::Driver::unbind` gets them.
//!
//! Why the data is alive: the PM core runs a device's system-sleep callbacks
//! (`device_suspend`, `device_resume`) and `device_shutdown` runs
//! `pci_device_shutdown` with the device lock held, and the PCI core calls
//! the driver's `pm` / `shutdown` only while `dev->driver` is set. Binding
//! (probe, which stores the data before it returns success) and unbinding
//! (remove, then the release of the data, then `dev->driver` cleared) happen
//! under the same lock, and system sleep waits for probes in flight
//! (`dpm_prepare` → `wait_for_device_probe`). So whenever a callback runs,
//! the data the driver stored at probe exists and stays until it returns.
//!
//! Runtime PM is not registered (no `runtime_*` callbacks): see `pm.rs`.

use core::{ffi::c_int, marker::PhantomData, mem::offset_of, pin::Pin};

use kernel::{
    device::{self, Core, CoreInternal},
    driver::{DriverLayout, RegistrationOps},
    error::from_result,
    pci,
    prelude::*,
    types::Opaque,
    ThisModule, //
};

use super::{
    aer::{self, ErrorHandler},
    bindings,
    device::{Device, Operations},
    rtnl::{Rtnl, RtnlGuard},
};

/// `PCI_D3hot` and `PCI_D3cold` of include/linux/pci.h (`pci_power_t`
/// casts, which bindgen does not translate).
const PCI_D3HOT: c_int = 3;
/// See [`PCI_D3HOT`].
const PCI_D3COLD: c_int = 4;

/// The system-sleep and shutdown callbacks of a PCI driver.
///
/// Each runs in process context with the device lock held, while the driver
/// is bound; `this` is the data its probe returned.
pub(crate) trait Driver: pci::Driver + 'static {
    /// `suspend`, `freeze` and `poweroff` of the system sleep transitions:
    /// quiesce the device and prepare its wake-up. On an error the PM core
    /// aborts the transition and resumes what it suspended.
    fn suspend<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> Result;

    /// `resume`, `thaw` and `restore`: bring the device back.
    fn resume<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> Result;

    /// `shutdown` (reboot, power-off, kexec): leave the device quiet.
    fn shutdown<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>);
}

/// The registration of a PCI driver with system-sleep and shutdown
/// callbacks: `pci::Adapter<T>` plus `driver.pm` and `shutdown`.
pub(crate) struct Adapter<T>(PhantomData<T>);

// SAFETY: The same layout as `pci::Adapter<T>`'s: `struct pci_driver` is a
// `repr(C)` binding, `T::Data` is the driver's bus device private data (what
// the probe callback of `pci::Adapter<T>` stores), and the offset is that of
// the embedded `struct device_driver`.
unsafe impl<T: Driver + ErrorHandler> DriverLayout for Adapter<T> {
    type DriverType = bindings::pci_driver;
    type DriverData<'bound> = T::Data<'bound>;
    const DEVICE_DRIVER_OFFSET: usize = offset_of!(bindings::pci_driver, driver);
}

impl<T: Driver> Adapter<T> {
    /// The sleep callbacks, as `SYSTEM_SLEEP_PM_OPS(suspend, resume)`.
    const PM_OPS: bindings::dev_pm_ops = bindings::dev_pm_ops {
        suspend: Some(suspend_callback::<T>),
        resume: Some(resume_callback::<T>),
        freeze: Some(suspend_callback::<T>),
        thaw: Some(resume_callback::<T>),
        poweroff: Some(suspend_callback::<T>),
        restore: Some(resume_callback::<T>),
        // SAFETY: The other members are optional callbacks; all-zero is NULL.
        ..unsafe { core::mem::zeroed() }
    };
}

// SAFETY: `register` delegates to `pci::Adapter<T>`'s, `unregister` to its
// `unregister`, so a successful registration is undone by the matching call.
unsafe impl<T: Driver + ErrorHandler> RegistrationOps for Adapter<T> {
    unsafe fn register(
        pdrv: &Opaque<Self::DriverType>,
        name: &'static CStr,
        module: &'static ThisModule,
    ) -> Result {
        // SAFETY: The registration initialises `pdrv` and has not registered
        // it yet, so nothing reads it concurrently; `PM_OPS` and
        // `ERROR_HANDLERS` are `'static` constants. `pci::Adapter::register`
        // sets only `name`, `probe`, `remove` and `id_table` and keeps these.
        unsafe {
            (*pdrv.get()).driver.pm = &Self::PM_OPS;
            (*pdrv.get()).shutdown = Some(shutdown_callback::<T>);
            (*pdrv.get()).err_handler = &aer::Handlers::<T>::ERROR_HANDLERS;
        }
        // SAFETY: Per this function's own safety requirements (`pdrv` stays
        // pinned and valid until `unregister`).
        unsafe { <pci::Adapter<T> as RegistrationOps>::register(pdrv, name, module) }
    }

    unsafe fn unregister(pdrv: &Opaque<Self::DriverType>) {
        // SAFETY: `register` above succeeded, which means
        // `pci::Adapter::register` did.
        unsafe { <pci::Adapter<T> as RegistrationOps>::unregister(pdrv) }
    }
}

/// The bound `pci::Device<Core>` behind `dev`, and the driver's data.
///
/// # Safety
///
/// `dev` must be the `struct device` of a PCI device bound to the driver
/// `Adapter<T>` registered, and the caller must hold its device lock for
/// `'a` (see the module documentation).
pub(super) unsafe fn bound<'a, T: pci::Driver + 'static>(
    dev: *mut bindings::device,
) -> (&'a pci::Device<Core<'a>>, Pin<&'a T::Data<'a>>) {
    // SAFETY: `dev` is embedded in a `struct pci_dev` (a PCI driver's
    // callback); `pci::Device` is a transparent wrapper of it. The device lock
    // is held, which is what the `Core` context stands for.
    let pdev = unsafe { &*bindings::rust_igb_to_pci_dev(dev).cast::<pci::Device<Core<'a>>>() };
    // SAFETY: `device::Device` is a transparent wrapper of `struct device`;
    // `CoreInternal` holds for the same reason as `Core` above.
    let ddev = unsafe { &*dev.cast::<device::Device<CoreInternal<'a>>>() };
    // SAFETY: The driver is bound and its probe succeeded, so the data
    // `pci::Adapter`'s probe callback stored is a `T::Data`; it is released
    // only at unbind, which the device lock excludes until we return.
    let data = unsafe { ddev.drvdata_borrow::<T::Data<'a>>() };
    (pdev, data)
}

/// # Safety
///
/// Called by the PCI core's `pci_pm_suspend` / `_freeze` / `_poweroff` for a
/// device bound to this driver, with its device lock held.
unsafe extern "C" fn suspend_callback<T: Driver>(dev: *mut bindings::device) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (pdev, data) = unsafe { bound::<T>(dev) };
    from_result(|| T::suspend(pdev, data).map(|()| 0))
}

/// # Safety
///
/// Called by the PCI core's `pci_pm_resume` / `_thaw` / `_restore` for a
/// device bound to this driver, with its device lock held.
unsafe extern "C" fn resume_callback<T: Driver>(dev: *mut bindings::device) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (pdev, data) = unsafe { bound::<T>(dev) };
    from_result(|| T::resume(pdev, data).map(|()| 0))
}

/// # Safety
///
/// Called by `pci_device_shutdown` for a device bound to this driver, with
/// its device lock held (`device_shutdown`).
unsafe extern "C" fn shutdown_callback<T: Driver>(pdev: *mut bindings::pci_dev) {
    // SAFETY: `pdev` is valid; its embedded `struct device` is what the other
    // callbacks receive, and the requirements are the same.
    let (pdev, data) = unsafe { bound::<T>(&raw mut (*pdev).dev) };
    T::shutdown(pdev, data);
}

/// Run `f` with RTNL held (`rtnl_lock`), from a bus callback (the `Core`
/// context: the device lock is held, which RTNL nests inside, as in
/// `__igb_shutdown`/`__igb_resume`). The token cannot leave `f`.
pub(crate) fn with_rtnl<R>(_pdev: &pci::Device<Core<'_>>, f: impl FnOnce(Rtnl<'_>) -> R) -> R {
    let guard = RtnlGuard::lock();
    let r = f(guard.token());
    drop(guard);
    r
}

impl<T: Operations> Device<T> {
    /// Mark the device present again (`netif_device_attach`) and, if the
    /// interface is up, wake its queues and restart the TX watchdog.
    pub(crate) fn attach(&self, _rtnl: Rtnl<'_>) {
        // SAFETY: `as_raw()` is a valid registered net_device; RTNL is held.
        unsafe { bindings::netif_device_attach(self.as_raw()) }
    }
}

/// The raw `struct pci_dev` of `pdev` (a transparent wrapper).
fn raw_pci<Ctx: device::DeviceContext>(pdev: &pci::Device<Ctx>) -> *mut bindings::pci_dev {
    core::ptr::from_ref(pdev).cast_mut().cast()
}

/// The raw `struct device` of `dev` (a transparent wrapper).
fn raw_dev<Ctx: device::DeviceContext>(dev: &device::Device<Ctx>) -> *mut bindings::device {
    core::ptr::from_ref(dev).cast_mut().cast()
}

/// Disable the device for sleep or shutdown (`pci_disable_device`, as
/// `__igb_shutdown` does last): bus mastering off, the enable count the probe
/// took dropped. A device already disabled (a resume that could not enable
/// it) is left alone, so the count never goes below zero.
pub(crate) fn disable_device(pdev: &pci::Device<Core<'_>>) {
    let raw = raw_pci(pdev);
    // SAFETY: `raw` is the bound device; the device lock (`Core`) serialises
    // this with the resume path and with the unbind that disables it too.
    unsafe {
        if bindings::rust_igb_pci_is_enabled(raw) {
            bindings::pci_disable_device(raw);
        }
    }
}

/// Enable the device again after sleep (`__igb_resume`): memory space and
/// bus mastering, and PME signalling off (`pci_enable_wake(.., false)` for
/// D3hot and D3cold), the device being back in D0.
pub(crate) fn enable_device(pdev: &pci::Device<Core<'_>>) -> Result {
    let raw = raw_pci(pdev);
    // SAFETY: `raw` is the bound device; see `disable_device`.
    if unsafe { bindings::rust_igb_pci_is_enabled(raw) } {
        // Not disabled by our suspend (it failed before): keep one count.
        return Ok(());
    }
    pdev.enable_device_mem()?;
    pdev.set_master();
    // SAFETY: `raw` is the bound device in D0.
    unsafe {
        bindings::pci_enable_wake(raw, PCI_D3HOT, false);
        bindings::pci_enable_wake(raw, PCI_D3COLD, false);
    }
    Ok(())
}

/// At power-off only (`igb_shutdown`): arm PME from D3 if `wake` and put the
/// device in D3hot. Other shutdowns (reboot, kexec) leave it in D0.
pub(crate) fn power_off_to_d3(pdev: &pci::Device<Core<'_>>, wake: bool) {
    let raw = raw_pci(pdev);
    // SAFETY: `raw` is the bound device; `system_state` is read by the
    // shim. The calls accept a device that cannot wake (an error we ignore,
    // as the C driver does).
    unsafe {
        if bindings::rust_igb_system_powering_off() {
            bindings::pci_wake_from_d3(raw, wake);
            bindings::pci_set_power_state(raw, PCI_D3HOT);
        }
    }
}

/// Whether the platform lets the device wake the system
/// (`device_can_wakeup`: the PCI core found PME support in its PM
/// capability).
pub(crate) fn can_wakeup<Ctx: device::DeviceContext>(dev: &device::Device<Ctx>) -> bool {
    // SAFETY: `dev` is a valid device.
    unsafe { bindings::rust_igb_device_can_wakeup(raw_dev(dev)) }
}

/// Ask the PM core to arm (or not) the device's wake-up at the next system
/// sleep (`device_set_wakeup_enable`); the PCI core then enables PME for the
/// target state. A device that cannot wake refuses (`EINVAL`), which, as in
/// the C driver, is not an error for the caller.
pub(crate) fn set_wakeup_enable<Ctx: device::DeviceContext>(dev: &device::Device<Ctx>, on: bool) {
    // SAFETY: `dev` is a valid device.
    let _ = unsafe { bindings::device_set_wakeup_enable(raw_dev(dev), on) };
}
