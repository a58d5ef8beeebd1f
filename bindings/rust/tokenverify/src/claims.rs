//! Claims of a verified token: a lazy view over the engine's `tv_claims`.

use std::borrow::Borrow;
use std::cell::UnsafeCell;
use std::ffi::c_char;
use std::fmt;
use std::marker::PhantomPinned;
use std::ops::Deref;
use std::ptr::{self, NonNull};

use tokenverify_sys as sys;

use crate::error::{check, Error};

/// A borrowed view of claims: what [`Claims`] derefs to, and what a
/// [`Decision`](crate::Decision) lends out. `&ClaimsRef` *is* a `const tv_claims*`.
///
/// Every getter reads the engine's decoded token in place: nothing is decoded
/// into Rust values unless [`to_map`](ClaimsRef::to_map) is called.
#[repr(transparent)]
pub struct ClaimsRef(UnsafeCell<sys::tv_claims>, PhantomPinned);

// SAFETY: a tv_claims is immutable and may be read from several threads at once
// (the header's THREAD SAFETY note); it references neither verifier nor token.
unsafe impl Send for ClaimsRef {}
unsafe impl Sync for ClaimsRef {}

/// Text out of the engine: UTF-8 by contract (it validated the JSON), checked anyway.
fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, Error> {
    if len == 0 {
        return Ok("");
    }
    // SAFETY: the engine gave (ptr, len) for bytes that live as long as the claims
    // or decision 'a borrows from.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|_| Error::from_code(sys::TV_ERR_INVALID_UTF8))
}

impl ClaimsRef {
    /// # Safety
    /// `ptr` is a valid `tv_claims` that outlives `'a`.
    pub(crate) unsafe fn from_ptr<'a>(ptr: *const sys::tv_claims) -> &'a ClaimsRef {
        // SAFETY: ClaimsRef is a transparent wrapper of tv_claims; the caller vouches for ptr.
        unsafe { &*ptr.cast::<ClaimsRef>() }
    }

    fn as_ptr(&self) -> *const sys::tv_claims {
        self.0.get()
    }

    fn slice_of(
        &self,
        f: unsafe extern "C" fn(*const sys::tv_claims, *mut *const c_char, *mut usize) -> sys::tv_status,
    ) -> &str {
        let (mut p, mut n) = (ptr::null(), 0usize);
        // SAFETY: a valid tv_claims and two out parameters.
        check(unsafe { f(self.as_ptr(), &mut p, &mut n) }).and_then(|()| text(p, n)).unwrap_or_default()
    }

    fn named(
        &self,
        name: &str,
        f: unsafe extern "C" fn(
            *const sys::tv_claims,
            *mut *const c_char,
            *mut usize,
            *const c_char,
            usize,
        ) -> sys::tv_status,
    ) -> Result<&str, Error> {
        let (mut p, mut n) = (ptr::null(), 0usize);
        // SAFETY: a valid tv_claims, two out parameters, and name as pointer + length.
        check(unsafe { f(self.as_ptr(), &mut p, &mut n, name.as_ptr().cast(), name.len()) })?;
        text(p, n)
    }

    /// The unescaped value of the string claim `name` (e.g. `"sub"`).
    /// `TV_ERR_NOT_FOUND` when absent, `TV_ERR_WRONG_TYPE` when not a string.
    pub fn get_str(&self, name: &str) -> Result<&str, Error> {
        self.named(name, sys::tv_claims_get_string)
    }

    /// The value of the integer claim `name` (e.g. `"exp"`).
    /// `TV_ERR_NOT_FOUND` when absent, `TV_ERR_WRONG_TYPE` when not an integer that fits i64.
    pub fn get_i64(&self, name: &str) -> Result<i64, Error> {
        let mut v = 0i64;
        // SAFETY: a valid tv_claims, an out parameter, name as pointer + length.
        check(unsafe { sys::tv_claims_get_int64(self.as_ptr(), &mut v, name.as_ptr().cast(), name.len()) })?;
        Ok(v)
    }

    /// The JSON text of the top-level claim `name`, e.g. `"\"alice\""`, `1700000000`
    /// or `["a","b"]`. `TV_ERR_NOT_FOUND` when absent.
    pub fn get_raw(&self, name: &str) -> Result<&str, Error> {
        self.named(name, sys::tv_claims_get_raw)
    }

    /// Whether the top-level claim `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get_raw(name).is_ok()
    }

    /// The name of the provider that accepted the token (`""` for
    /// [`inspect_unverified`](crate::inspect_unverified)).
    pub fn provider(&self) -> &str {
        self.slice_of(sys::tv_claims_provider)
    }

    /// The decoded payload, a JSON object exactly as it appeared in the token.
    pub fn json(&self) -> &str {
        self.slice_of(sys::tv_claims_json)
    }

    /// The decoded protected header as JSON text.
    pub fn header_json(&self) -> &str {
        self.slice_of(sys::tv_claims_header_json)
    }

    /// The whole payload decoded into a map (one JSON decode, on each call).
    #[cfg(feature = "serde_json")]
    pub fn to_map(&self) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        serde_json::from_str(self.json()).map_err(|_| Error::from_code(sys::TV_ERR_MALFORMED_JSON))
    }

    /// The whole protected header decoded into a map.
    #[cfg(feature = "serde_json")]
    pub fn header_map(&self) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        serde_json::from_str(self.header_json()).map_err(|_| Error::from_code(sys::TV_ERR_MALFORMED_JSON))
    }

    /// An owned copy (`tv_claims_dup`), e.g. of claims borrowed from a decision.
    pub fn try_to_owned(&self) -> Result<Claims, Error> {
        let mut out = ptr::null_mut();
        // SAFETY: a valid tv_claims and an out parameter.
        check(unsafe { sys::tv_claims_dup(&mut out, self.as_ptr()) })?;
        // SAFETY: TV_OK wrote a new tv_claims that we now own.
        Ok(unsafe { Claims::from_raw(out) })
    }
}

impl fmt::Debug for ClaimsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("provider", &self.provider())
            .field("header", &self.header_json())
            .field("payload", &self.json())
            .finish()
    }
}

impl ToOwned for ClaimsRef {
    type Owned = Claims;
    /// Copies the claims (`tv_claims_dup`). Panics only if the engine is out of memory.
    fn to_owned(&self) -> Claims {
        self.try_to_owned().expect("tv_claims_dup")
    }
}

/// The claims of a verified token: owns its `tv_claims` and frees it on drop.
/// Derefs to [`ClaimsRef`] for the getters. `Send + Sync`; independent of the
/// verifier that made it (it may outlive it).
pub struct Claims(NonNull<sys::tv_claims>);

// SAFETY: see ClaimsRef; the pointer is owned and freed exactly once, in Drop.
unsafe impl Send for Claims {}
unsafe impl Sync for Claims {}

impl Claims {
    /// # Safety
    /// `ptr` is a non-NULL `tv_claims` whose ownership passes to the result.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::tv_claims) -> Claims {
        // SAFETY: non-NULL by the caller's contract.
        Claims(unsafe { NonNull::new_unchecked(ptr) })
    }

    /// The `tv_claims*`, still owned by `self` (for calling the C ABI directly).
    pub fn as_ptr(&self) -> *const sys::tv_claims {
        self.0.as_ptr()
    }
}

impl Drop for Claims {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { sys::tv_claims_free(self.0.as_ptr()) }
    }
}

impl Deref for Claims {
    type Target = ClaimsRef;
    fn deref(&self) -> &ClaimsRef {
        // SAFETY: the claims live as long as self.
        unsafe { ClaimsRef::from_ptr(self.0.as_ptr()) }
    }
}

impl Borrow<ClaimsRef> for Claims {
    fn borrow(&self) -> &ClaimsRef {
        self
    }
}

impl AsRef<ClaimsRef> for Claims {
    fn as_ref(&self) -> &ClaimsRef {
        self
    }
}

impl Clone for Claims {
    fn clone(&self) -> Claims {
        (**self).to_owned()
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}
