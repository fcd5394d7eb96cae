// SPDX-License-Identifier: GPL-2.0

//! devlink for the parent of a network device: `devlink dev info` and one
//! health reporter (Documentation/networking/devlink/devlink-health.rst,
//! devlink-info.rst).
//!
//! C header: include/net/devlink.h
//!
//! A driver implements [`Operations`] for its private data type `T` (the
//! same `T` as its [`device::Operations`]) and, after its
//! [`net::Registration`](super::Registration), creates a [`Registration<T>`]
//! on the registered [`Device<T>`]: a devlink instance on the device's parent
//! (the PCI function: `pci/0000:00:03.0`) with `info_get` and one health
//! reporter ([`Operations::REPORTER`]) whose `dump`, `diagnose` and `recover`
//! call the driver. The driver reports an error with
//! [`Device::health_report`], passing what it captured at detection (an
//! [`Operations::Report`]); the health core stores the dump
//! ([`Operations::dump`] with that report) and, unless the user turned
//! `auto_recover` off, runs [`Operations::recover`] with it, both before
//! `health_report` returns. A user's `devlink health dump show` before any
//! report, `diagnose` and `recover` get no report (`None`).
//!
//! # Lifetimes and teardown
//!
//! The registration is owned by the parent's devres, like the net_device's,
//! and added after it (it is made from a `&Device<T>`, which exists only once
//! the net_device's registration is in devres), so at unbind it is released
//! first, while the net_device is still registered: the devlink instance and
//! the reporter keep a pointer to the `net_device` (their private data),
//! valid for their whole life. Every devlink callback runs with the instance
//! lock (`devl_lock`) held, and the reporter's destruction, the instance's
//! unregistration and `devlink_free` each take that lock, so no callback runs
//! after the registration's drop.
//!
//! The driver reports from work it runs itself (its watchdog), which the
//! net_device's registration stops only after this registration is gone. So
//! the reporter is published to the net_device's private area (a slot behind
//! a mutex, [`HealthSlot`]) only once the instance is registered, and the
//! drop takes it out under that mutex before destroying anything: a report in
//! flight finishes first (it holds the mutex), a later one finds the slot
//! empty and returns `ENODEV`. No report reaches a destroyed reporter or an
//! unregistered instance (`devlink_recover_notify` asserts registration).
//!
//! # Contexts and locks
//!
//! `devlink_health_report` sleeps (the instance lock, `GFP_KERNEL`
//! allocations for the dump), so [`Device::health_report`] takes a
//! [`Process`] token, which only the watchdog's glue makes. Lock order:
//! the slot's mutex, then the instance lock (inside `devlink_health_report`).
//! The callbacks run under the instance lock and must not take the slot
//! nor RTNL, and cannot: the slot is private to this module (they reach the
//! device through the reporter's private data), they get neither a
//! [`Process`] nor an `Rtnl` token and cannot make one (so no report from
//! inside a report, and the driver's `recover` only queues its reset task,
//! which takes RTNL in its own work item). The devlink core takes no RTNL under the
//! instance lock in 7.3, and `ethtool -i` calls `info_get` through
//! `devlink_compat_running_version` after releasing RTNL, and only for a
//! net_device with a devlink port, which this layer does not create.

use core::{marker::PhantomData, ptr::NonNull};

use kernel::{
    error::{from_err_ptr, from_result, to_result},
    fmt,
    new_mutex,
    prelude::*,
    str::{as_char_ptr_in_const_context, CString},
    sync::Mutex, //
};

use super::{
    bindings,
    device::{self, Device},
    process::Process,
};

/// The devlink side of a driver whose net_device private data is `Self`.
///
/// Every callback runs in process context with the devlink instance lock
/// held, while the net_device is registered; none may take RTNL or call
/// [`Device::health_report`].
pub(crate) trait Operations: device::Operations {
    /// What the driver captured when it detected the error it reports.
    type Report;

    /// The health reporter's name (`devlink health show`).
    const REPORTER: &'static CStr;

    /// `devlink dev info`: put the serial number and versions into `req`
    /// (the core adds the driver's name).
    fn info_get(dev: &Device<Self>, req: &mut InfoRequest<'_>) -> Result;

    /// The reporter's dump: `report` is the one passed to
    /// [`Device::health_report`] when the health core dumps at a report,
    /// `None` when a user asks for a dump before any (then describe the
    /// current state). The core stores the dump until the user clears it.
    fn dump(dev: &Device<Self>, report: Option<&Self::Report>, fmsg: &mut Fmsg<'_>) -> Result;

    /// The reporter's diagnosis: the current state (`devlink health diagnose`).
    fn diagnose(dev: &Device<Self>, fmsg: &mut Fmsg<'_>) -> Result;

    /// Recover from the reported error (`report`, or `None` for a user's
    /// `devlink health recover`). Success marks the reporter healthy and
    /// counts a recovery.
    fn recover(dev: &Device<Self>, report: Option<&Self::Report>) -> Result;
}

/// A `devlink dev info` reply being built (`struct devlink_info_req`).
///
/// # Invariants
///
/// `req` is the request the devlink core passed to `info_get`, valid for
/// `'a`.
pub(crate) struct InfoRequest<'a> {
    req: *mut bindings::devlink_info_req,
    _p: PhantomData<&'a mut ()>,
}

impl InfoRequest<'_> {
    /// The device's serial number.
    pub(crate) fn serial_number(&mut self, value: fmt::Arguments<'_>) -> Result {
        let v = CString::try_from_fmt(value)?;
        // SAFETY: `req` is valid (type invariant); the core copies the string.
        to_result(unsafe { bindings::devlink_info_serial_number_put(self.req, v.as_char_ptr()) })
    }

    /// A version of a part that cannot change (the board).
    pub(crate) fn version_fixed(&mut self, name: &CStr, value: fmt::Arguments<'_>) -> Result {
        let v = CString::try_from_fmt(value)?;
        // SAFETY: `req` is valid (type invariant); both strings are copied.
        to_result(unsafe {
            bindings::devlink_info_version_fixed_put(self.req, name.as_char_ptr(), v.as_char_ptr())
        })
    }

    /// The version of a component as it runs now.
    pub(crate) fn version_running(&mut self, name: &CStr, value: fmt::Arguments<'_>) -> Result {
        let v = CString::try_from_fmt(value)?;
        // SAFETY: `req` is valid (type invariant); both strings are copied.
        to_result(unsafe {
            bindings::devlink_info_version_running_put(
                self.req,
                name.as_char_ptr(),
                v.as_char_ptr(),
            )
        })
    }
}

/// A health reporter's formatted message being built (`struct
/// devlink_fmsg`): name/value pairs and arrays of objects (what the driver
/// needs; named objects and binary data are not wrapped).
///
/// In 7.3 the put functions return nothing: the first failure (no memory)
/// is recorded in the message, every later put is skipped, and the core
/// fails the dump or diagnosis with it. Nesting is balanced by construction
/// (the nested content is a closure).
///
/// # Invariants
///
/// `fmsg` is the message the devlink core passed to the callback, valid for
/// `'a`.
pub(crate) struct Fmsg<'a> {
    fmsg: *mut bindings::devlink_fmsg,
    _p: PhantomData<&'a mut ()>,
}

impl Fmsg<'_> {
    /// A `u32` value.
    pub(crate) fn u32(&mut self, name: &CStr, value: u32) {
        // SAFETY: `fmsg` is valid (type invariant); the name is copied.
        unsafe { bindings::devlink_fmsg_u32_pair_put(self.fmsg, name.as_char_ptr(), value) }
    }

    /// A `u64` value.
    pub(crate) fn u64(&mut self, name: &CStr, value: u64) {
        // SAFETY: As for `u32`.
        unsafe { bindings::devlink_fmsg_u64_pair_put(self.fmsg, name.as_char_ptr(), value) }
    }

    /// A boolean value.
    pub(crate) fn bool(&mut self, name: &CStr, value: bool) {
        // SAFETY: As for `u32`.
        unsafe { bindings::devlink_fmsg_bool_pair_put(self.fmsg, name.as_char_ptr(), value) }
    }

    /// A string value.
    pub(crate) fn str(&mut self, name: &CStr, value: &CStr) {
        // SAFETY: As for `u32`; the value is copied too.
        unsafe {
            bindings::devlink_fmsg_string_pair_put(
                self.fmsg,
                name.as_char_ptr(),
                value.as_char_ptr(),
            )
        }
    }

    /// An array named `name` whose objects `f` puts.
    pub(crate) fn arr(&mut self, name: &CStr, f: impl FnOnce(&mut FmsgArray<'_>)) {
        // SAFETY: As for `u32`; the nest is closed below.
        unsafe { bindings::devlink_fmsg_arr_pair_nest_start(self.fmsg, name.as_char_ptr()) };
        f(&mut FmsgArray {
            fmsg: Fmsg {
                fmsg: self.fmsg,
                _p: PhantomData,
            },
        });
        // SAFETY: Closes the array opened above.
        unsafe { bindings::devlink_fmsg_arr_pair_nest_end(self.fmsg) };
    }
}

/// The inside of an [`Fmsg::arr`]: a sequence of objects.
pub(crate) struct FmsgArray<'a> {
    fmsg: Fmsg<'a>,
}

impl FmsgArray<'_> {
    /// One element, an object whose pairs `f` puts.
    pub(crate) fn obj(&mut self, f: impl FnOnce(&mut Fmsg<'_>)) {
        // SAFETY: `fmsg` is valid (type invariant of `Fmsg`); the nest is
        // closed below.
        unsafe { bindings::devlink_fmsg_obj_nest_start(self.fmsg.fmsg) };
        f(&mut self.fmsg);
        // SAFETY: Closes the object opened above.
        unsafe { bindings::devlink_fmsg_obj_nest_end(self.fmsg.fmsg) };
    }
}

/// A published health reporter: the pointer the driver's reports use.
struct Reporter(NonNull<bindings::devlink_health_reporter>);

// SAFETY: The health reporter API may be called from any thread; the pointer
// is only used while the slot's mutex is held (see `HealthSlot`).
unsafe impl Send for Reporter {}

/// The net_device's slot for its health reporter: set by
/// [`Registration::register`] once the devlink instance is registered,
/// emptied by the registration's drop before the reporter is destroyed;
/// [`Device::health_report`] uses the reporter only under the mutex.
#[pin_data]
pub(super) struct HealthSlot {
    #[pin]
    reporter: Mutex<Option<Reporter>>,
}

impl HealthSlot {
    /// An empty slot.
    pub(super) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            reporter <- new_mutex!(None, "rust_igb_health_slot"),
        })
    }
}

impl<T: Operations> Device<T> {
    /// Report an error to the health reporter, with `report`, what the
    /// driver captured at detection, and `msg` for the trace event. Before
    /// this returns the health core has stored the dump (unless one is
    /// stored already) and, with `auto_recover` on, run
    /// [`Operations::recover`].
    ///
    /// Returns `ENODEV` without a reporter (devlink not registered, or torn
    /// down at unbind), else the health core's result: `ECANCELED` when it
    /// declined to recover (the previous error was not recovered, or the
    /// grace period since the last recovery has not passed), the recovery's
    /// error if it failed. `Ok` also when `auto_recover` is off and nothing
    /// was recovered.
    pub(crate) fn health_report(
        &self,
        _ctx: Process<'_>,
        msg: &CStr,
        report: &T::Report,
    ) -> Result {
        let slot = self.priv_health().reporter.lock();
        let reporter = slot.as_ref().ok_or(ENODEV)?;
        let ctx = core::ptr::from_ref(report).cast_mut().cast::<c_void>();
        // SAFETY: The reporter is published and its devlink instance
        // registered while it is in the slot, whose mutex we hold (see
        // `Registration`'s drop); the token proves process context, where
        // the call may sleep. `ctx` points to a `T::Report` that outlives
        // the call; the core hands it only to this reporter's `dump` and
        // `recover` during the call, whose glue reads it back as one.
        to_result(unsafe {
            bindings::devlink_health_report(reporter.0.as_ptr(), msg.as_char_ptr(), ctx)
        })
    }
}

/// A devlink instance with one health reporter on the parent of a
/// net_device with private data `T`, owned by the parent's devres.
///
/// # Invariants
///
/// `devlink` was allocated by `devlink_alloc` with [`OpsTable<T>`]'s ops and
/// a private area holding `dev`, and is registered; `reporter` was created
/// on it with the reporter ops of `T` and private data `dev`; `dev` is the
/// net_device of a live `net::Registration<T>` that outlives this one.
pub(crate) struct Registration<T: Operations> {
    devlink: NonNull<bindings::devlink>,
    reporter: NonNull<bindings::devlink_health_reporter>,
    dev: NonNull<bindings::net_device>,
    _t: PhantomData<T>,
}

// SAFETY: The registration is only used to tear the instance down on drop,
// which devlink allows from any thread.
unsafe impl<T: Operations> Send for Registration<T> {}

impl<T: Operations> Registration<T> {
    /// Create and register the devlink instance of `dev`'s parent with its
    /// health reporter, until the parent is unbound (see the module
    /// documentation for why it is released before `dev`).
    ///
    /// `EBUSY` if the device already has one (a second registration would
    /// take the slot from the first; the drops stay sound either way, since
    /// each only empties the slot before destroying its own reporter).
    pub(crate) fn register(dev: &Device<T>) -> Result {
        if dev.priv_health().reporter.lock().is_some() {
            return Err(EBUSY);
        }
        let parent = dev.parent_raw();
        let netdev = NonNull::new(dev.as_raw()).ok_or(EINVAL)?;
        // SAFETY: `parent` is the bound parent device (it has a driver, which
        // `devlink_alloc` records); the ops table is 'static.
        let raw = unsafe {
            bindings::rust_igb_devlink_alloc(
                OpsTable::<T>::devlink_ops(),
                size_of::<*mut bindings::net_device>(),
                parent,
            )
        };
        let devlink = NonNull::new(raw).ok_or(ENOMEM)?;
        // SAFETY: The private area has room for one pointer (allocated above,
        // suitably aligned by the core: it is `priv[] __aligned(NETDEV_ALIGN)`).
        unsafe {
            bindings::devlink_priv(devlink.as_ptr())
                .cast::<*mut bindings::net_device>()
                .write(netdev.as_ptr())
        };
        // SAFETY: `devlink` is valid and not registered; the reporter ops are
        // 'static; the private data is the net_device, which outlives the
        // reporter (see the module documentation).
        let reporter = from_err_ptr(unsafe {
            bindings::devlink_health_reporter_create(
                devlink.as_ptr(),
                OpsTable::<T>::reporter_ops(),
                netdev.as_ptr().cast(),
            )
        })
        .and_then(|r| NonNull::new(r).ok_or(ENOMEM));
        let reporter = match reporter {
            Ok(r) => r,
            Err(e) => {
                // SAFETY: Allocated above, never registered.
                unsafe { bindings::devlink_free(devlink.as_ptr()) };
                return Err(e);
            }
        };
        // SAFETY: `devlink` is fully set up; from here on its callbacks may
        // run (under its lock) and find the net_device in its private area.
        unsafe { bindings::devlink_register(devlink.as_ptr()) };
        // The instance is registered: reports may go to the reporter now.
        *dev.priv_health().reporter.lock() = Some(Reporter(reporter));
        // INVARIANT: as set up above. On failure `devres::register` drops the
        // registration, which tears everything down again.
        let reg = Self {
            devlink,
            reporter,
            dev: netdev,
            _t: PhantomData,
        };
        kernel::devres::register::<Self, Error>(dev.parent_bound(), Ok(reg), GFP_KERNEL)
    }
}

impl<T: Operations> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: `dev` is the net_device of a live registration (type
        // invariant).
        let dev = unsafe { Device::<T>::from_raw(self.dev.as_ptr()) };
        // Unpublish first: a report in flight holds the mutex and finishes;
        // later ones find the slot empty.
        let _unpublished = dev.priv_health().reporter.lock().take();
        // SAFETY: Nothing can reach the reporter through the slot any more;
        // the destruction and the unregistration take the instance lock, so
        // they wait for a devlink callback in flight, and after them none
        // can start; then the instance is freed (the core keeps the memory
        // until its last reference, taken by netlink requests, is gone).
        unsafe {
            bindings::devlink_health_reporter_destroy(self.reporter.as_ptr());
            bindings::devlink_unregister(self.devlink.as_ptr());
            bindings::devlink_free(self.devlink.as_ptr());
        }
    }
}

/// The `devlink_ops` and `devlink_health_reporter_ops` of `T`.
struct OpsTable<T>(PhantomData<T>);

impl<T: Operations> OpsTable<T> {
    const DEVLINK_OPS: bindings::devlink_ops = bindings::devlink_ops {
        info_get: Some(info_get_callback::<T>),
        // SAFETY: All other members are optional callbacks or plain data for
        // which all-zero (NULL / 0: no reload actions) is "not provided".
        ..unsafe { core::mem::zeroed() }
    };

    const REPORTER_OPS: bindings::devlink_health_reporter_ops =
        bindings::devlink_health_reporter_ops {
            name: as_char_ptr_in_const_context(T::REPORTER).cast_mut(),
            recover: Some(recover_callback::<T>),
            dump: Some(dump_callback::<T>),
            diagnose: Some(diagnose_callback::<T>),
            test: None,
            // No grace period: every report is recovered, as the driver did
            // before it had a reporter (a user may set one).
            default_graceful_period: 0,
            default_burst_period: 0,
        };

    const fn devlink_ops() -> &'static bindings::devlink_ops {
        &Self::DEVLINK_OPS
    }

    const fn reporter_ops() -> &'static bindings::devlink_health_reporter_ops {
        &Self::REPORTER_OPS
    }
}

/// The net_device behind a reporter of `T`.
///
/// # Safety
///
/// `reporter` must be a reporter created by [`Registration<T>`], called from
/// one of its callbacks (the registration, and so the net_device's, is
/// alive until the callback returns).
unsafe fn reporter_device<'a, T: Operations>(
    reporter: *mut bindings::devlink_health_reporter,
) -> &'a Device<T> {
    // SAFETY: The reporter's private data is the net_device of a live
    // `net::Registration<T>` (type invariant of `Registration<T>`).
    unsafe {
        Device::from_raw(
            bindings::devlink_health_reporter_priv(reporter).cast::<bindings::net_device>(),
        )
    }
}

/// The report passed through the core as `priv_ctx`.
///
/// # Safety
///
/// `ctx` must be NULL or the pointer [`Device::health_report`] passed, during
/// that call.
unsafe fn report_from_ctx<'a, T: Operations>(ctx: *mut c_void) -> Option<&'a T::Report> {
    // SAFETY: Per the safety requirements: only `health_report` passes a
    // non-NULL context, a `&T::Report` alive for the call.
    unsafe { ctx.cast::<T::Report>().as_ref() }
}

/// # Safety
///
/// Called by the devlink core with an instance allocated by
/// [`Registration<T>`] and a valid request, under the instance lock.
unsafe extern "C" fn info_get_callback<T: Operations>(
    devlink: *mut bindings::devlink,
    req: *mut bindings::devlink_info_req,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: The private area holds the net_device of a live registration
    // (type invariant of `Registration<T>`): the instance is registered,
    // and unregistered before the net_device is, under the lock held here.
    let dev = unsafe {
        Device::<T>::from_raw(
            bindings::devlink_priv(devlink)
                .cast::<*mut bindings::net_device>()
                .read(),
        )
    };
    // INVARIANT: `req` is valid for this call.
    let mut req = InfoRequest {
        req,
        _p: PhantomData,
    };
    from_result(|| T::info_get(dev, &mut req).map(|()| 0))
}

/// # Safety
///
/// Called by the devlink core for a reporter created by [`Registration<T>`],
/// with a valid message and, as `ctx`, NULL or what
/// [`Device::health_report`] passed.
unsafe extern "C" fn dump_callback<T: Operations>(
    reporter: *mut bindings::devlink_health_reporter,
    fmsg: *mut bindings::devlink_fmsg,
    ctx: *mut c_void,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (dev, report) = unsafe { (reporter_device::<T>(reporter), report_from_ctx::<T>(ctx)) };
    // INVARIANT: `fmsg` is valid for this call.
    let mut fmsg = Fmsg {
        fmsg,
        _p: PhantomData,
    };
    from_result(|| T::dump(dev, report, &mut fmsg).map(|()| 0))
}

/// # Safety
///
/// Called by the devlink core for a reporter created by [`Registration<T>`]
/// with a valid message.
unsafe extern "C" fn diagnose_callback<T: Operations>(
    reporter: *mut bindings::devlink_health_reporter,
    fmsg: *mut bindings::devlink_fmsg,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { reporter_device::<T>(reporter) };
    // INVARIANT: `fmsg` is valid for this call.
    let mut fmsg = Fmsg {
        fmsg,
        _p: PhantomData,
    };
    from_result(|| T::diagnose(dev, &mut fmsg).map(|()| 0))
}

/// # Safety
///
/// Called by the devlink core for a reporter created by [`Registration<T>`],
/// with NULL or what [`Device::health_report`] passed as `ctx`.
unsafe extern "C" fn recover_callback<T: Operations>(
    reporter: *mut bindings::devlink_health_reporter,
    ctx: *mut c_void,
    _extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    // SAFETY: Per the function's safety requirements.
    let (dev, report) = unsafe { (reporter_device::<T>(reporter), report_from_ctx::<T>(ctx)) };
    from_result(|| T::recover(dev, report).map(|()| 0))
}
