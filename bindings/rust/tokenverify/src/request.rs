//! Request authentication: a borrowed request in, an owned decision out.

use std::ffi::c_char;
use std::fmt;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use tokenverify_sys as sys;

use crate::claims::ClaimsRef;
use crate::error::{check, Error};

/// One header field as received: laid out exactly as the C ABI's `tv_header`,
/// so a `&[Header]` goes to the engine without a copy. Values are bytes (HTTP
/// allows non-UTF-8 values).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Header<'a> {
    raw: sys::tv_header,
    _borrow: PhantomData<&'a [u8]>,
}

// `&[Header]` is handed to the engine as `const tv_header*`.
const _: () = assert!(
    std::mem::size_of::<Header<'static>>() == std::mem::size_of::<sys::tv_header>()
        && std::mem::align_of::<Header<'static>>() == std::mem::align_of::<sys::tv_header>()
);

// SAFETY: only shared borrows of bytes.
unsafe impl Send for Header<'_> {}
unsafe impl Sync for Header<'_> {}

impl<'a> Header<'a> {
    /// A header `name: value` (`&str`, `&[u8]`, `&String`, `http::HeaderValue::as_bytes()`, ...).
    pub fn new<N, V>(name: &'a N, value: &'a V) -> Header<'a>
    where
        N: AsRef<[u8]> + ?Sized,
        V: AsRef<[u8]> + ?Sized,
    {
        let (name, value) = (name.as_ref(), value.as_ref());
        Header {
            raw: sys::tv_header {
                name: name.as_ptr().cast(),
                name_len: name.len(),
                value: value.as_ptr().cast(),
                value_len: value.len(),
            },
            _borrow: PhantomData,
        }
    }

    /// The name as given.
    pub fn name(&self) -> &'a [u8] {
        // SAFETY: borrowed for 'a by `new`.
        unsafe { bytes(self.raw.name, self.raw.name_len) }
    }

    /// The value as given.
    pub fn value(&self) -> &'a [u8] {
        // SAFETY: borrowed for 'a by `new`.
        unsafe { bytes(self.raw.value, self.raw.value_len) }
    }
}

impl fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", String::from_utf8_lossy(self.name()), String::from_utf8_lossy(self.value()))
    }
}

unsafe fn bytes<'a>(p: *const c_char, n: usize) -> &'a [u8] {
    if n == 0 {
        &[]
    } else {
        // SAFETY: the caller vouches for n bytes at p living for 'a.
        unsafe { std::slice::from_raw_parts(p.cast(), n) }
    }
}

/// A request to authenticate, borrowed from the caller (nothing is copied).
///
/// ```
/// use tokenverify::{Header, Request};
/// let headers = [Header::new("X-Api-Key", "9221e451-451f-4cd6-a23d-2b2d3adea9cf")];
/// let req = Request { method: "GET", target: "/orders?page=2", headers: &headers, ..Request::default() };
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `"GET"`, `"POST"`, ...
    pub method: &'a str,
    /// `Host` or `:authority`; may be empty.
    pub host: &'a str,
    /// Origin-form target with query: `"/api/x?y=1"`.
    pub target: &'a str,
    /// As received; repeated names kept, in order.
    pub headers: &'a [Header<'a>],
    /// Only read by request-signature (HMAC) rules; may be empty.
    pub body: &'a [u8],
}

impl Default for Request<'_> {
    /// `GET /` with no host, headers or body.
    fn default() -> Self {
        Request { method: "GET", host: "", target: "/", headers: &[], body: &[] }
    }
}

impl<'a> Request<'a> {
    /// `method target` with no host, headers or body.
    pub fn new(method: &'a str, target: &'a str) -> Request<'a> {
        Request { method, target, ..Request::default() }
    }

    pub(crate) fn as_raw(&self) -> sys::tv_request {
        sys::tv_request {
            method: self.method.as_ptr().cast(),
            method_len: self.method.len(),
            host: self.host.as_ptr().cast(),
            host_len: self.host.len(),
            target: self.target.as_ptr().cast(),
            target_len: self.target.len(),
            headers: self.headers.as_ptr().cast::<sys::tv_header>(),
            header_count: self.headers.len(),
            body: self.body.as_ptr(),
            body_len: self.body.len(),
        }
    }
}

/// How a request was authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMethod {
    /// No credential needed, or `AllowMissing` without one.
    None,
    Jwt,
    Basic,
    Bearer,
    ApiKey,
    Hmac,
    /// A method this crate does not know (a newer library).
    Other(i32),
}

impl AuthMethod {
    pub(crate) fn from_raw(m: i32) -> AuthMethod {
        match m {
            sys::TV_AUTH_NONE => AuthMethod::None,
            sys::TV_AUTH_JWT => AuthMethod::Jwt,
            sys::TV_AUTH_BASIC => AuthMethod::Basic,
            sys::TV_AUTH_BEARER => AuthMethod::Bearer,
            sys::TV_AUTH_API_KEY => AuthMethod::ApiKey,
            sys::TV_AUTH_HMAC => AuthMethod::Hmac,
            other => AuthMethod::Other(other),
        }
    }

    /// The name the decision's JSON uses: `"jwt"`, `"basic"`, `"bearer"`, `"apiKey"`, `"hmac"`, `"none"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::Jwt => "jwt",
            AuthMethod::Basic => "basic",
            AuthMethod::Bearer => "bearer",
            AuthMethod::ApiKey => "apiKey",
            AuthMethod::Hmac => "hmac",
            AuthMethod::Other(_) => "other",
        }
    }
}

/// The engine's decision about one request: owns its `tv_decision` (freed on
/// drop); `Send + Sync`, independent of the verifier and the request.
pub struct Decision(NonNull<sys::tv_decision>);

// SAFETY: a tv_decision is immutable and may be read from several threads.
unsafe impl Send for Decision {}
unsafe impl Sync for Decision {}

impl Decision {
    /// # Safety
    /// `ptr` is a non-NULL decision whose ownership passes to the result.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::tv_decision) -> Decision {
        // SAFETY: non-NULL by the caller's contract.
        Decision(unsafe { NonNull::new_unchecked(ptr) })
    }

    fn raw(&self) -> *const sys::tv_decision {
        self.0.as_ptr()
    }

    fn text(
        &self,
        f: unsafe extern "C" fn(*const sys::tv_decision, *mut *const c_char, *mut usize) -> sys::tv_status,
    ) -> Option<&str> {
        let (mut p, mut n) = (ptr::null(), 0usize);
        // SAFETY: a valid decision and out parameters; the bytes live as long as self.
        check(unsafe { f(self.raw(), &mut p, &mut n) }).ok()?;
        std::str::from_utf8(unsafe { bytes(p, n) }).ok()
    }

    /// Whether the request may pass.
    pub fn allowed(&self) -> bool {
        self.status() == sys::TV_OK
    }

    /// `TV_OK` (0) or the status that refused the request.
    pub fn status(&self) -> i32 {
        // SAFETY: a valid decision.
        unsafe { sys::tv_decision_status(self.raw()) }
    }

    /// Why the request was refused (a 6xx, or the token's own status); `None` when allowed.
    pub fn error(&self) -> Option<Error> {
        check(self.status()).err()
    }

    /// `Ok(())` when allowed, else the refusing status as an error.
    pub fn result(&self) -> Result<(), Error> {
        check(self.status())
    }

    /// 200, 400, 401, 403 or 503.
    pub fn http_status(&self) -> u16 {
        // SAFETY: a valid decision.
        unsafe { sys::tv_decision_http_status(self.raw()) }.clamp(0, u16::MAX as i32) as u16
    }

    /// How the request was authenticated.
    pub fn method(&self) -> AuthMethod {
        // SAFETY: a valid decision.
        AuthMethod::from_raw(unsafe { sys::tv_decision_method(self.raw()) })
    }

    /// The user name, key or token name, or the token's `sub`.
    pub fn principal(&self) -> Option<&str> {
        self.text(sys::tv_decision_principal)
    }

    /// The `WWW-Authenticate` challenge of a 401.
    pub fn www_authenticate(&self) -> Option<&str> {
        self.text(sys::tv_decision_www_authenticate)
    }

    /// The headers to set on the forwarded request, `(name, value)` with names in lower case.
    pub fn set_headers(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        // SAFETY: a valid decision.
        let n = unsafe { sys::tv_decision_set_header_count(self.raw()) };
        (0..n).map(move |i| {
            let (mut np, mut nl, mut vp, mut vl) = (ptr::null(), 0usize, ptr::null(), 0usize);
            // SAFETY: index < count; the bytes live as long as self.
            if unsafe { sys::tv_decision_set_header(self.raw(), i, &mut np, &mut nl, &mut vp, &mut vl) } != sys::TV_OK {
                return ("", "");
            }
            let s = |p, l| std::str::from_utf8(unsafe { bytes(p, l) }).unwrap_or("");
            (s(np, nl), s(vp, vl))
        })
    }

    /// The headers to remove from the forwarded request.
    pub fn remove_headers(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        // SAFETY: a valid decision.
        let n = unsafe { sys::tv_decision_remove_header_count(self.raw()) };
        (0..n).map(move |i| {
            let (mut p, mut l) = (ptr::null(), 0usize);
            // SAFETY: index < count; the bytes live as long as self.
            if unsafe { sys::tv_decision_remove_header(self.raw(), i, &mut p, &mut l) } != sys::TV_OK {
                return "";
            }
            std::str::from_utf8(unsafe { bytes(p, l) }).unwrap_or("")
        })
    }

    /// The verified token's claims when a JWT authenticated the request
    /// (borrowed; `.to_owned()` makes a copy that outlives the decision).
    pub fn claims(&self) -> Option<&ClaimsRef> {
        // SAFETY: a valid decision; the claims live as long as it.
        let c = unsafe { sys::tv_decision_claims(self.raw()) };
        (!c.is_null()).then(|| unsafe { ClaimsRef::from_ptr(c) })
    }

    /// The whole decision as a JSON document (allow, httpStatus, status, method,
    /// rule, principal, provider, setHeaders, removeHeaders, ..., message).
    pub fn json(&self) -> &str {
        self.text(sys::tv_decision_json).unwrap_or("")
    }

    /// [`json`](Decision::json) decoded into a map.
    #[cfg(feature = "serde_json")]
    pub fn to_map(&self) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        serde_json::from_str(self.json()).map_err(|_| Error::from_code(sys::TV_ERR_MALFORMED_JSON))
    }
}

impl Drop for Decision {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { sys::tv_decision_free(self.0.as_ptr()) }
    }
}

impl fmt::Debug for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("allowed", &self.allowed())
            .field("http_status", &self.http_status())
            .field("method", &self.method())
            .field("principal", &self.principal())
            .finish()
    }
}
