// SPDX-License-Identifier: GPL-2.0

//! PCIe error recovery (`struct pci_error_handlers`) for a PCI driver: the
//! callbacks the AER, DPC and EEH cores run when the link to the device
//! reports an error (Documentation/PCI/pci-error-recovery.rst).
//!
//! C header: include/linux/pci.h
//!
//! [`net::pm::Adapter`](super::pm::Adapter) registers them with the driver.
//! Why the driver's data is alive when they run: `pcie_do_recovery` calls
//! each of them (`report_error_detected`, `report_slot_reset`,
//! `report_resume` in drivers/pci/pcie/err.c) with the device lock held and
//! only while a driver is bound, which is the situation of the system-sleep
//! callbacks (see `net::pm`).

use core::marker::PhantomData;

use kernel::{device::Core, pci, prelude::*};

use super::{bindings, pm};

/// What happened to the link, as the error core says
/// (`pci_channel_state_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChannelState {
    /// The device is accessible: a non-fatal error (`pci_channel_io_normal`).
    Normal,
    /// I/O to the device is blocked until a reset (`pci_channel_io_frozen`).
    Frozen,
    /// The device is gone for good (`pci_channel_io_perm_failure`).
    PermFailure,
}

impl ChannelState {
    /// From the C value; an unknown one is treated as frozen, the state
    /// that asks the most of the driver.
    fn from_raw(v: bindings::pci_channel_state_t) -> Self {
        match v {
            1 => Self::Normal,
            3 => Self::PermFailure,
            _ => Self::Frozen,
        }
    }
}

/// A driver's answer to the error core (`pci_ers_result_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErsResult {
    /// The driver can recover without a reset (`PCI_ERS_RESULT_CAN_RECOVER`).
    CanRecover,
    /// The driver needs a slot reset (`PCI_ERS_RESULT_NEED_RESET`).
    NeedReset,
    /// The device cannot be recovered (`PCI_ERS_RESULT_DISCONNECT`).
    Disconnect,
    /// The device works again (`PCI_ERS_RESULT_RECOVERED`).
    Recovered,
}

impl ErsResult {
    /// The C value (include/linux/pci.h; `__force` casts bindgen does not
    /// translate).
    fn to_raw(self) -> bindings::pci_ers_result_t {
        match self {
            Self::CanRecover => 2,
            Self::NeedReset => 3,
            Self::Disconnect => 4,
            Self::Recovered => 5,
        }
    }
}

/// The PCIe error callbacks of a PCI driver (`igb_err_handler`).
///
/// Each runs in process context with the device lock held, while the driver
/// is bound; `this` is the data its probe returned. The order is
/// `error_detected`, then (if every driver below the port asked for it and
/// the port was reset) `slot_reset`, then `resume` once traffic may flow.
pub(crate) trait ErrorHandler: pci::Driver + 'static {
    /// An error was detected: stop using the device as `state` requires.
    fn error_detected<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
        state: ChannelState,
    ) -> ErsResult;

    /// The slot was reset: bring the device back to a working state.
    fn slot_reset<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> ErsResult;

    /// Recovery is over: resume normal operation.
    fn resume<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>);
}

/// The `struct pci_error_handlers` of a driver `T`.
pub(super) struct Handlers<T>(PhantomData<T>);

impl<T: ErrorHandler> Handlers<T> {
    /// `error_detected`, `slot_reset` and `resume`, as `igb_err_handler`.
    pub(super) const ERROR_HANDLERS: bindings::pci_error_handlers = bindings::pci_error_handlers {
        error_detected: Some(error_detected_callback::<T>),
        mmio_enabled: None,
        slot_reset: Some(slot_reset_callback::<T>),
        reset_prepare: None,
        reset_done: None,
        resume: Some(resume_callback::<T>),
        cor_error_detected: None,
    };
}

/// Restore the configuration space saved at probe or at the last slot
/// reset, and save it again for the next one (`igb_io_slot_reset`:
/// `pci_restore_state`, `pci_save_state`).
pub(crate) fn restore_config(pdev: &pci::Device<Core<'_>>) {
    let raw = core::ptr::from_ref(pdev)
        .cast_mut()
        .cast::<bindings::pci_dev>();
    // SAFETY: `raw` is the bound device (a transparent wrapper); the device
    // lock (`Core`) is held.
    unsafe {
        bindings::pci_restore_state(raw);
        bindings::pci_save_state(raw);
    }
}

/// # Safety
///
/// Called by the PCI error core (`report_error_detected`) for a device
/// bound to this driver, with its device lock held.
unsafe extern "C" fn error_detected_callback<T: ErrorHandler>(
    pdev: *mut bindings::pci_dev,
    state: bindings::pci_channel_state_t,
) -> bindings::pci_ers_result_t {
    // SAFETY: Per the function's safety requirements, which are those of
    // `pm::bound` for the device embedded in `pdev`.
    let (pdev, data) = unsafe { pm::bound::<T>(&raw mut (*pdev).dev) };
    T::error_detected(pdev, data, ChannelState::from_raw(state)).to_raw()
}

/// # Safety
///
/// Called by the PCI error core (`report_slot_reset`) for a device bound to
/// this driver, with its device lock held.
unsafe extern "C" fn slot_reset_callback<T: ErrorHandler>(
    pdev: *mut bindings::pci_dev,
) -> bindings::pci_ers_result_t {
    // SAFETY: As for `error_detected_callback`.
    let (pdev, data) = unsafe { pm::bound::<T>(&raw mut (*pdev).dev) };
    T::slot_reset(pdev, data).to_raw()
}

/// # Safety
///
/// Called by the PCI error core (`report_resume`) for a device bound to
/// this driver, with its device lock held.
unsafe extern "C" fn resume_callback<T: ErrorHandler>(pdev: *mut bindings::pci_dev) {
    // SAFETY: As for `error_detected_callback`.
    let (pdev, data) = unsafe { pm::bound::<T>(&raw mut (*pdev).dev) };
    T::resume(pdev, data);
}
