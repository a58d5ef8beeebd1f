//! Callbacks a verifier can be built with (`tv_verifier_new_ex2`): key-set
//! events and the credential validator of `"validator": true` auths.

use std::ffi::{c_int, c_void, CStr};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use tokenverify_sys as sys;

use crate::request::AuthMethod;

/// What happened to a provider's key set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A new key set is being served.
    KeysUpdated,
    /// A refresh confirmed the current set (304, or the same document).
    KeysUnchanged,
    /// A refresh failed; the last good set (if any) is still served.
    RefreshFailed,
    /// The last good set outlived `maxStale` and is no longer served.
    KeysDropped,
    /// A kind this crate does not know.
    Other(i32),
}

/// A key-set event. Borrowed: valid during the callback only.
#[derive(Clone, Copy, Debug)]
pub struct KeySetEvent<'a> {
    pub kind: EventKind,
    pub provider: &'a str,
    /// Generation of the key set served after the event.
    pub generation: u64,
    pub key_count: u64,
    /// Remote key sets: the response's HTTP status, 0 if none.
    pub http_status: i32,
    /// Human text: what failed, or where the keys came from.
    pub message: &'a str,
}

/// A credential handed to the validator: a `basic` or `apiKey` auth marked
/// `"validator": true`. Borrowed: valid during the callback only.
#[derive(Clone, Copy, Debug)]
pub struct Credential<'a> {
    /// The rule's name (or index).
    pub rule: &'a str,
    /// `AuthMethod::Basic` or `AuthMethod::ApiKey`.
    pub method: AuthMethod,
    /// Basic: the user name; apiKey: the key.
    pub user: &'a [u8],
    /// Basic: the password; apiKey: empty.
    pub password: &'a [u8],
}

type EventFn = dyn Fn(&KeySetEvent<'_>) + Send + Sync + 'static;
type ValidatorFn = dyn Fn(&Credential<'_>) -> bool + Send + Sync + 'static;

/// Options for [`Verifier::with_options`](crate::Verifier::with_options).
///
/// The callbacks run on the engine's threads: the key-set event on a
/// provider's refresher thread, the validator on the thread that called
/// `authenticate` (possibly several at once), hence `Send + Sync`. A panic in
/// a callback does not cross into the engine: it is caught (an event is then
/// dropped, a credential refused). Neither may close or drop the verifier
/// (so do not move the last `Arc<Verifier>` into one).
#[derive(Default)]
pub struct Options {
    pub(crate) on_event: Option<Box<EventFn>>,
    pub(crate) validator: Option<Box<ValidatorFn>>,
}

impl Options {
    pub fn new() -> Options {
        Options::default()
    }

    /// Called for each key-set event (refreshes, failures) of file and remote key sets.
    pub fn on_event(mut self, f: impl Fn(&KeySetEvent<'_>) + Send + Sync + 'static) -> Options {
        self.on_event = Some(Box::new(f));
        self
    }

    /// Decides the credentials of auths marked `"validator": true`: return true to accept.
    pub fn validator(mut self, f: impl Fn(&Credential<'_>) -> bool + Send + Sync + 'static) -> Options {
        self.validator = Some(Box::new(f));
        self
    }
}

impl Options {
    /// The C options pointing at these callbacks: valid while `self` stays
    /// where it is (the verifier keeps it boxed until the engine's verifier is freed).
    pub(crate) fn as_raw(&self) -> sys::tv_verifier_options {
        sys::tv_verifier_options {
            struct_size: std::mem::size_of::<sys::tv_verifier_options>(),
            on_event: self.on_event.as_ref().map(|_| event_trampoline as _),
            event_user_data: self
                .on_event
                .as_ref()
                .map_or(std::ptr::null_mut(), |f| f as *const Box<EventFn> as *mut c_void),
            validator: self.validator.as_ref().map(|_| validator_trampoline as _),
            validator_user_data: self
                .validator
                .as_ref()
                .map_or(std::ptr::null_mut(), |f| f as *const Box<ValidatorFn> as *mut c_void),
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("on_event", &self.on_event.is_some())
            .field("validator", &self.validator.is_some())
            .finish()
    }
}

fn c_text<'a>(p: *const std::ffi::c_char) -> &'a str {
    if p.is_null() {
        ""
    } else {
        // SAFETY: NUL-terminated, valid during the callback.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
    }
}

fn raw_bytes<'a>(p: *const std::ffi::c_char, n: usize) -> &'a [u8] {
    if p.is_null() || n == 0 {
        &[]
    } else {
        // SAFETY: n bytes at p, valid during the callback.
        unsafe { std::slice::from_raw_parts(p.cast(), n) }
    }
}

unsafe extern "C" fn event_trampoline(user_data: *mut c_void, event: *const sys::tv_event) {
    if user_data.is_null() || event.is_null() {
        return;
    }
    // SAFETY: user_data is the Box<EventFn> the verifier keeps until it is freed.
    let f = unsafe { &*(user_data as *const Box<EventFn>) };
    // SAFETY: valid during the callback.
    let e = unsafe { &*event };
    let kind = match e.kind {
        sys::TV_EVENT_KEYS_UPDATED => EventKind::KeysUpdated,
        sys::TV_EVENT_KEYS_UNCHANGED => EventKind::KeysUnchanged,
        sys::TV_EVENT_REFRESH_FAILED => EventKind::RefreshFailed,
        sys::TV_EVENT_KEYS_DROPPED => EventKind::KeysDropped,
        other => EventKind::Other(other),
    };
    let event = KeySetEvent {
        kind,
        provider: c_text(e.provider),
        generation: e.generation,
        key_count: e.key_count,
        http_status: e.http_status,
        message: c_text(e.message),
    };
    let _ = catch_unwind(AssertUnwindSafe(|| f(&event)));
}

unsafe extern "C" fn validator_trampoline(user_data: *mut c_void, credential: *const sys::tv_credential) -> c_int {
    if user_data.is_null() || credential.is_null() {
        return 0;
    }
    // SAFETY: user_data is the Box<ValidatorFn> the verifier keeps until it is freed.
    let f = unsafe { &*(user_data as *const Box<ValidatorFn>) };
    // SAFETY: valid during the callback.
    let c = unsafe { &*credential };
    let credential = Credential {
        rule: std::str::from_utf8(raw_bytes(c.rule, c.rule_len)).unwrap_or(""),
        method: AuthMethod::from_raw(c.method),
        user: raw_bytes(c.user, c.user_len),
        password: raw_bytes(c.password, c.password_len),
    };
    c_int::from(catch_unwind(AssertUnwindSafe(|| f(&credential))).unwrap_or(false))
}
