// SPDX-License-Identifier: GPL-2.0

//! Raw FFI for the networking API: the kernel crate's bindings plus what our
//! own bindgen run generates (`net/bindings_generated.rs`, built by `Kbuild`).
//!
//! Items defined by the generated file shadow the glob import, and every type
//! the kernel's bindings already define was blocklisted at generation time, so
//! each C type has exactly one Rust type.

#![allow(
    dead_code,
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    improper_ctypes,
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::restriction,
    clippy::undocumented_unsafe_blocks
)]

pub(crate) use kernel::bindings::*;
use kernel::ffi;

include!("bindings_generated.rs");
