//! tokenverify for Rust: the engine's JWT verification and request
//! authentication over its C ABI (the `tokenverify-sys` crate). Thin: every
//! check is the engine's; this crate passes pointers and lengths and turns
//! statuses into [`Error`]s.
//!
//! ```no_run
//! let verifier = tokenverify::Verifier::new(r#"{"providers": [{"name": "hs", "issuer": "me",
//!     "jwks": {"local": {"inline": {"keys": []}}}}]}"#)?;
//! match verifier.verify(b"eyJ...") {
//!     Ok(claims) => println!("sub={}", claims.get_str("sub")?),
//!     Err(e) => println!("{} ({}): {}", e.name(), e.code(), e.message()),
//! }
//! # Ok::<(), tokenverify::Error>(())
//! ```
//!
//! See `bindings/rust/README.md` for the guide.

#![deny(unsafe_op_in_unsafe_fn)]
#![allow(clippy::missing_safety_doc)]

mod claims;
mod error;
mod options;
mod request;
mod verifier;

use std::ffi::CStr;

pub use claims::{Claims, ClaimsRef};
pub use error::{Error, ErrorClass, ErrorKind};
pub use options::{Credential, EventKind, KeySetEvent, Options};
pub use request::{AuthMethod, Decision, Header, Request};
pub use tokenverify_sys as sys;
pub use verifier::Verifier;

use tokenverify_sys as ffi;

/// Decodes `token` WITHOUT verifying anything but its shape (three segments,
/// strict base64url, JSON object header and payload). Never trust the result:
/// it is for debugging tools.
pub fn inspect_unverified(token: &[u8]) -> Result<Claims, Error> {
    let mut out = std::ptr::null_mut();
    // SAFETY: out pointer and token as pointer + length.
    error::check(unsafe { ffi::tv_inspect_unverified(&mut out, token.as_ptr(), token.len()) })?;
    if out.is_null() {
        return Err(Error::from_code(ffi::TV_ERR_INTERNAL));
    }
    // SAFETY: a new tv_claims, now ours.
    Ok(unsafe { Claims::from_raw(out) })
}

fn static_str(p: *const std::ffi::c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // SAFETY: the library's static NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
}

/// The version of the library actually loaded, e.g. `"0.2.0"`.
pub fn version() -> &'static str {
    // SAFETY: no arguments; a static string.
    static_str(unsafe { ffi::tv_version_string() })
}

/// The loaded library's version as `major * 10000 + minor * 100 + patch`.
pub fn version_number() -> u32 {
    // SAFETY: no arguments.
    unsafe { ffi::tv_version_number() }
}

/// The base64url kernel this process uses (`"haswell"`, `"fallback"`, ...).
pub fn base64url_implementation() -> &'static str {
    // SAFETY: no arguments; a static string.
    static_str(unsafe { ffi::tv_base64url_implementation() })
}

/// The loaded library's name for a status code (`"TV_UNKNOWN_STATUS"` for an unknown one).
pub fn status_name(code: i32) -> &'static str {
    // SAFETY: any value; a static string.
    static_str(unsafe { ffi::tv_status_name(code) })
}

/// The loaded library's sentence for a status code.
pub fn status_message(code: i32) -> &'static str {
    // SAFETY: any value; a static string.
    static_str(unsafe { ffi::tv_status_message(code) })
}

/// One revocation to publish on a Redis stream (see [`publish_revocation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revocation<'a> {
    /// Refuse the token whose `jti` is this until `exp` (unix seconds).
    Token { jti: &'a str, exp: i64 },
    /// Refuse the tokens of subject `sub` issued before `before` (unix seconds).
    Subject { sub: &'a str, before: i64 },
}

/// Adds `revocation` to the Redis stream that `config` names in
/// `"revocation.redis"` (only that member is read; no key set is loaded), for
/// every verifier reading that stream; `issuer` (optional) limits it to tokens
/// of that `iss`. Returns the new stream entry's ID. Fails with
/// `TV_ERR_CONFIG` (no `revocation.redis`, or a bad document),
/// `TV_ERR_INVALID_ARGUMENT` or `TV_ERR_IO` (Redis unreachable or refusing),
/// with the reason in [`Error::detail`].
pub fn publish_revocation(config: &str, revocation: Revocation<'_>, issuer: Option<&str>) -> Result<String, Error> {
    let (kind, id, time) = match revocation {
        Revocation::Token { jti, exp } => (ffi::TV_REVOKE_TOKEN, jti, exp),
        Revocation::Subject { sub, before } => (ffi::TV_REVOKE_SUBJECT, sub, before),
    };
    let issuer = issuer.unwrap_or("");
    let r = ffi::tv_revocation {
        kind,
        id: id.as_ptr().cast(),
        id_len: id.len(),
        time,
        issuer: issuer.as_ptr().cast(),
        issuer_len: issuer.len(),
    };
    let mut out: *mut std::ffi::c_char = std::ptr::null_mut();
    let mut diag = ffi::tv_diag::zeroed();
    // SAFETY: config as pointer + length; r, out and diag owned here.
    let status = unsafe { ffi::tv_revocation_publish(config.as_ptr().cast(), config.len(), &r, &mut out, &mut diag) };
    if status != ffi::TV_OK {
        return Err(Error::from_diag(status, &diag));
    }
    if out.is_null() {
        return Ok(String::new());
    }
    // SAFETY: a NUL-terminated string allocated for us: copied, then freed once.
    let id = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    unsafe { ffi::tv_string_free(out) };
    Ok(id)
}
