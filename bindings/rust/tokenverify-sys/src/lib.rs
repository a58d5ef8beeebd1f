//! Raw declarations of tokenverify's C ABI, kept by hand in the order of
//! `bindings/c/include/tokenverify.h` (no bindgen, no libclang). Everything here
//! is `unsafe` and documented in that header; the safe API is the `tokenverify`
//! crate. The status constants and `STATUS_TABLE` are generated at build time
//! from `core/include/tokenverify/status.def`.
//!
//! `tests/abi.rs` checks the struct layouts against the C header's (sizes and
//! offsets a C11 compiler would give them on this target) and the status table
//! against the loaded library's `tv_status_name`.

#![allow(non_camel_case_types)]
#![no_std]

use core::ffi::{c_char, c_int, c_uint, c_void};
use core::marker::{PhantomData, PhantomPinned};

/// `int32_t`: `TV_OK` (0) or a failure from the status table.
pub type tv_status = i32;

include!(concat!(env!("OUT_DIR"), "/status.rs"));

/// The directory of the libtokenverify this crate was linked against
/// (`TOKENVERIFY_LIB_DIR` at build time, or `<repo>/build`).
pub const LINKED_LIB_DIR: &str = env!("TOKENVERIFY_LINKED_LIB_DIR");

// ---------------------------------------------------------------- versions

pub const TV_VERSION_MAJOR: u32 = 0;
pub const TV_VERSION_MINOR: u32 = 2;
pub const TV_VERSION_PATCH: u32 = 0;
/// The version of the header these declarations mirror.
pub const TV_VERSION_NUMBER: u32 = TV_VERSION_MAJOR * 10000 + TV_VERSION_MINOR * 100 + TV_VERSION_PATCH;

// ---------------------------------------------------------------- opaque handles

macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        pub struct $name {
            _data: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    )*};
}
opaque!(tv_verifier, tv_claims, tv_decision);

// ---------------------------------------------------------------- structs

#[repr(C)]
#[derive(Clone, Copy)]
pub struct tv_diag {
    pub status: tv_status,
    pub field: [c_char; 128],
    pub message: [c_char; 384],
}

impl tv_diag {
    /// An empty diagnostics struct (every byte zero).
    pub const fn zeroed() -> Self {
        tv_diag { status: 0, field: [0; 128], message: [0; 384] }
    }
}

pub const TV_EVENT_KEYS_UPDATED: i32 = 1;
pub const TV_EVENT_KEYS_UNCHANGED: i32 = 2;
pub const TV_EVENT_REFRESH_FAILED: i32 = 3;
pub const TV_EVENT_KEYS_DROPPED: i32 = 4;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct tv_event {
    pub kind: i32,
    pub provider: *const c_char,
    pub generation: u64,
    pub key_count: u64,
    pub http_status: i32,
    pub message: *const c_char,
}

pub type tv_event_fn = Option<unsafe extern "C" fn(user_data: *mut c_void, event: *const tv_event)>;

pub const TV_STATS_KEYS: u32 = 1;

pub const TV_REVOKE_TOKEN: u32 = 1;
pub const TV_REVOKE_SUBJECT: u32 = 2;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct tv_revocation {
    pub kind: u32,
    pub id: *const c_char,
    pub id_len: usize,
    pub time: i64,
    pub issuer: *const c_char,
    pub issuer_len: usize,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct tv_header {
    pub name: *const c_char,
    pub name_len: usize,
    pub value: *const c_char,
    pub value_len: usize,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct tv_request {
    pub method: *const c_char,
    pub method_len: usize,
    pub host: *const c_char,
    pub host_len: usize,
    pub target: *const c_char,
    pub target_len: usize,
    pub headers: *const tv_header,
    pub header_count: usize,
    pub body: *const u8,
    pub body_len: usize,
}

pub const TV_AUTH_NONE: i32 = 0;
pub const TV_AUTH_JWT: i32 = 1;
pub const TV_AUTH_BASIC: i32 = 2;
pub const TV_AUTH_BEARER: i32 = 3;
pub const TV_AUTH_API_KEY: i32 = 4;
pub const TV_AUTH_HMAC: i32 = 5;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct tv_credential {
    pub rule: *const c_char,
    pub rule_len: usize,
    pub method: i32,
    pub user: *const c_char,
    pub user_len: usize,
    pub password: *const c_char,
    pub password_len: usize,
}

pub type tv_validator_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, credential: *const tv_credential) -> c_int>;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct tv_verifier_options {
    pub struct_size: usize,
    pub on_event: tv_event_fn,
    pub event_user_data: *mut c_void,
    pub validator: tv_validator_fn,
    pub validator_user_data: *mut c_void,
}

// ---------------------------------------------------------------- functions

extern "C" {
    pub fn tv_version_number() -> u32;
    pub fn tv_version_string() -> *const c_char;

    pub fn tv_status_name(s: tv_status) -> *const c_char;
    pub fn tv_status_message(s: tv_status) -> *const c_char;

    pub fn tv_verifier_new(
        out: *mut *mut tv_verifier,
        config_json: *const c_char,
        config_len: usize,
        diag: *mut tv_diag,
    ) -> tv_status;
    pub fn tv_verifier_new_ex(
        out: *mut *mut tv_verifier,
        config_json: *const c_char,
        config_len: usize,
        on_event: tv_event_fn,
        user_data: *mut c_void,
        diag: *mut tv_diag,
    ) -> tv_status;
    pub fn tv_verifier_free(v: *mut tv_verifier);

    pub fn tv_verify(
        v: *const tv_verifier,
        out_claims: *mut *mut tv_claims,
        token: *const u8,
        token_len: usize,
    ) -> tv_status;
    pub fn tv_verify_signature(v: *const tv_verifier, token: *const u8, token_len: usize) -> tv_status;
    pub fn tv_verify_batch(
        v: *const tv_verifier,
        statuses_out: *mut tv_status,
        claims_out: *mut *mut tv_claims,
        tokens: *const *const u8,
        token_lens: *const usize,
        n: usize,
        threads: c_uint,
    ) -> tv_status;

    pub fn tv_verifier_stats(
        v: *const tv_verifier,
        out_json: *mut *mut c_char,
        out_len: *mut usize,
        flags: u32,
    ) -> tv_status;
    pub fn tv_string_free(s: *mut c_char);

    pub fn tv_verifier_revoke(v: *const tv_verifier, jti: *const c_char, jti_len: usize, exp: i64) -> tv_status;
    pub fn tv_verifier_revoke_subject(
        v: *const tv_verifier,
        sub: *const c_char,
        sub_len: usize,
        issued_before: i64,
    ) -> tv_status;
    pub fn tv_revocation_publish(
        config_json: *const c_char,
        config_len: usize,
        r: *const tv_revocation,
        out_id: *mut *mut c_char,
        diag: *mut tv_diag,
    ) -> tv_status;

    pub fn tv_claims_free(c: *mut tv_claims);
    pub fn tv_claims_json(c: *const tv_claims, out: *mut *const c_char, out_len: *mut usize) -> tv_status;
    pub fn tv_claims_header_json(c: *const tv_claims, out: *mut *const c_char, out_len: *mut usize) -> tv_status;
    pub fn tv_claims_provider(c: *const tv_claims, out: *mut *const c_char, out_len: *mut usize) -> tv_status;
    pub fn tv_claims_get_raw(
        c: *const tv_claims,
        out: *mut *const c_char,
        out_len: *mut usize,
        name: *const c_char,
        name_len: usize,
    ) -> tv_status;
    pub fn tv_claims_get_string(
        c: *const tv_claims,
        out: *mut *const c_char,
        out_len: *mut usize,
        name: *const c_char,
        name_len: usize,
    ) -> tv_status;
    pub fn tv_claims_get_int64(c: *const tv_claims, out: *mut i64, name: *const c_char, name_len: usize) -> tv_status;
    pub fn tv_claims_dup(out: *mut *mut tv_claims, c: *const tv_claims) -> tv_status;
    pub fn tv_inspect_unverified(out_claims: *mut *mut tv_claims, token: *const u8, token_len: usize) -> tv_status;

    pub fn tv_authenticate(v: *const tv_verifier, out: *mut *mut tv_decision, req: *const tv_request) -> tv_status;
    pub fn tv_decision_free(d: *mut tv_decision);
    pub fn tv_decision_status(d: *const tv_decision) -> tv_status;
    pub fn tv_decision_http_status(d: *const tv_decision) -> i32;
    pub fn tv_decision_method(d: *const tv_decision) -> i32;
    pub fn tv_decision_json(d: *const tv_decision, out: *mut *const c_char, out_len: *mut usize) -> tv_status;
    pub fn tv_decision_principal(d: *const tv_decision, out: *mut *const c_char, out_len: *mut usize) -> tv_status;
    pub fn tv_decision_www_authenticate(
        d: *const tv_decision,
        out: *mut *const c_char,
        out_len: *mut usize,
    ) -> tv_status;
    pub fn tv_decision_set_header_count(d: *const tv_decision) -> usize;
    pub fn tv_decision_set_header(
        d: *const tv_decision,
        index: usize,
        name: *mut *const c_char,
        name_len: *mut usize,
        value: *mut *const c_char,
        value_len: *mut usize,
    ) -> tv_status;
    pub fn tv_decision_remove_header_count(d: *const tv_decision) -> usize;
    pub fn tv_decision_remove_header(
        d: *const tv_decision,
        index: usize,
        name: *mut *const c_char,
        name_len: *mut usize,
    ) -> tv_status;
    pub fn tv_decision_claims(d: *const tv_decision) -> *const tv_claims;

    pub fn tv_verifier_new_ex2(
        out: *mut *mut tv_verifier,
        config_json: *const c_char,
        config_len: usize,
        options: *const tv_verifier_options,
        diag: *mut tv_diag,
    ) -> tv_status;

    pub fn tv_base64url_implementation() -> *const c_char;
}
