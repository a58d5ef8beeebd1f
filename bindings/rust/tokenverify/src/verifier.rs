//! The verifier: one engine instance, shared by any number of threads.

use std::cell::Cell;
use std::ffi::c_char;
use std::fmt;
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokenverify_sys as sys;

use crate::claims::Claims;
use crate::error::{check, Error};
use crate::options::Options;
use crate::request::{Decision, Request};

/// How many in-flight counters a verifier has; each thread uses one of them
/// (assigned round-robin on its first call), so that threads verifying at once
/// do not write one shared cache line.
const SLOTS: usize = 16;

/// One counter on its own cache lines (128 bytes: adjacent-line prefetch too).
#[repr(align(128))]
struct Slot(AtomicUsize);

/// This thread's slot index.
#[inline]
fn slot_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    SLOT.with(|slot| {
        let i = slot.get();
        if i != usize::MAX {
            return i;
        }
        let i = NEXT.fetch_add(1, Ordering::Relaxed) % SLOTS;
        slot.set(i);
        i
    })
}

/// A verifier built from a configuration document (see the repository README,
/// "Configuration"): its providers, key sets (local or remote, refreshed in the
/// background), claim rules and request rules.
///
/// **Threads**: `Verifier` is `Send + Sync`; share one (`&Verifier`,
/// `Arc<Verifier>`, a `static`) across threads and tasks. The engine never
/// blocks a verification on a lock.
///
/// **Lifetime**: dropping the verifier frees it (and stops its key-set
/// refreshers and batch pool). [`close`](Verifier::close) frees it earlier
/// through a shared reference; it is idempotent, and every call after it returns
/// an [`Error`] whose [`is_closed`](Error::is_closed) is true (status
/// `TV_ERR_INVALID_ARGUMENT`). Close never races with calls in flight: each
/// call counts itself in (one atomic increment and one decrement, on a counter
/// of its thread's own, so threads do not contend), and the engine's verifier is
/// freed by whichever of `close` or the last call in flight finishes last,
/// exactly once.
pub struct Verifier {
    raw: *mut sys::tv_verifier,
    /// Calls in flight, spread over per-thread counters.
    slots: Box<[Slot; SLOTS]>,
    /// Set once by `close`.
    closed: AtomicBool,
    /// Whether `raw` was freed (set once, by the one that frees it).
    freed: AtomicBool,
    /// The callbacks the engine holds pointers to: dropped after `raw` is freed.
    _callbacks: Option<Box<Options>>,
}

// SAFETY: a tv_verifier may be used by any number of threads at once (the
// header's THREAD SAFETY note); freeing it is serialised by `slots`, `closed`
// and `freed`.
unsafe impl Send for Verifier {}
unsafe impl Sync for Verifier {}

/// Holds one count on the verifier while the engine works.
struct Use<'a>(&'a Verifier, &'a AtomicUsize);

impl Drop for Use<'_> {
    #[inline]
    fn drop(&mut self) {
        // SeqCst (a locked RMW and a plain load on x86): the decrement must be
        // ordered before the load of `closed` (see `acquire`).
        self.1.fetch_sub(1, Ordering::SeqCst);
        if self.0.closed.load(Ordering::SeqCst) {
            self.0.free_if_unused();
        }
    }
}

impl Verifier {
    /// Builds a verifier from a JSON configuration document. A rejected
    /// document is an error whose [`field`](Error::field) names the path at
    /// fault and whose [`detail`](Error::detail) says what was wrong
    /// (`TV_ERR_CONFIG`, `TV_ERR_IO`, `TV_ERR_JWKS_MALFORMED`, ...).
    /// Paths in the document are relative to the current directory.
    pub fn new(config: &str) -> Result<Verifier, Error> {
        let mut raw = ptr::null_mut();
        let mut diag = sys::tv_diag::zeroed();
        // SAFETY: config as pointer + length, out pointer and diag owned here.
        let status = unsafe { sys::tv_verifier_new(&mut raw, config.as_ptr().cast(), config.len(), &mut diag) };
        Verifier::built(status, raw, &diag, None)
    }

    /// [`Verifier::new`] with callbacks: key-set events and the validator of
    /// `"validator": true` auths (see [`Options`]).
    pub fn with_options(config: &str, options: Options) -> Result<Verifier, Error> {
        // The engine keeps these pointers until the verifier is freed; the boxes
        // live in the Verifier, which frees the engine's verifier before them.
        let options = Box::new(options);
        let raw_options = options.as_raw();
        let mut raw = ptr::null_mut();
        let mut diag = sys::tv_diag::zeroed();
        // SAFETY: config as pointer + length, options and diag owned here; the
        // user data outlives the verifier (see above).
        let status = unsafe {
            sys::tv_verifier_new_ex2(&mut raw, config.as_ptr().cast(), config.len(), &raw_options, &mut diag)
        };
        Verifier::built(status, raw, &diag, Some(options))
    }

    fn built(
        status: sys::tv_status,
        raw: *mut sys::tv_verifier,
        diag: &sys::tv_diag,
        callbacks: Option<Box<Options>>,
    ) -> Result<Verifier, Error> {
        if status != sys::TV_OK || raw.is_null() {
            return Err(Error::from_diag(if status == sys::TV_OK { sys::TV_ERR_INTERNAL } else { status }, diag));
        }
        Ok(Verifier {
            raw,
            slots: Box::new(std::array::from_fn(|_| Slot(AtomicUsize::new(0)))),
            closed: AtomicBool::new(false),
            freed: AtomicBool::new(false),
            _callbacks: callbacks,
        })
    }

    /// [`Verifier::new`] with the document read from a file (`TV_ERR_IO` if it
    /// cannot be read, with the reason in [`detail`](Error::detail)).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Verifier, Error> {
        let path = path.as_ref();
        let config = std::fs::read_to_string(path)
            .map_err(|e| Error::with_detail(sys::TV_ERR_IO, path.display().to_string(), e.to_string()))?;
        Verifier::new(&config)
    }

    #[inline]
    fn acquire(&self) -> Result<Use<'_>, Error> {
        // Count in, then look at `closed`; `close` sets `closed`, then looks at
        // the counts. All SeqCst, so at least one side sees the other: a call
        // that saw `closed` unset is counted when `close` (or the last call to
        // leave after it) sums the counters, and a call counted in after that
        // sees `closed` and backs out.
        let slot = &self.slots[slot_index()].0;
        slot.fetch_add(1, Ordering::SeqCst);
        let guard = Use(self, slot); // from here on, counted out on every path
        if self.closed.load(Ordering::SeqCst) {
            return Err(Error::closed());
        }
        Ok(guard)
    }

    /// Frees the engine's verifier if no call is in flight (after `close`).
    #[cold]
    fn free_if_unused(&self) {
        if self.slots.iter().all(|s| s.0.load(Ordering::SeqCst) == 0) && !self.freed.swap(true, Ordering::AcqRel) {
            // SAFETY: closed and no call in flight: nobody can reach raw any more.
            unsafe { sys::tv_verifier_free(self.raw) }
        }
    }

    /// Closes the verifier now: frees it once the calls in flight have
    /// returned (it does not wait for them). Idempotent. Later calls return an
    /// error ([`Error::is_closed`]). Dropping a verifier closes it too.
    pub fn close(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.free_if_unused();
        }
    }

    /// Whether [`close`](Verifier::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }

    /// Verifies the compact JWS/JWT `token` (structure, header, algorithm, key,
    /// signature, then claims) and returns its claims, or the first failure.
    pub fn verify(&self, token: &[u8]) -> Result<Claims, Error> {
        let _use = self.acquire()?;
        let mut claims = ptr::null_mut();
        // SAFETY: a live verifier (counted), an out pointer, token as pointer + length.
        check(unsafe { sys::tv_verify(self.raw, &mut claims, token.as_ptr(), token.len()) })?;
        if claims.is_null() {
            return Err(Error::from_code(sys::TV_ERR_INTERNAL));
        }
        // SAFETY: TV_OK wrote a new tv_claims that we now own.
        Ok(unsafe { Claims::from_raw(claims) })
    }

    /// [`verify`](Verifier::verify) without the claims: nothing is allocated,
    /// by this crate or (on a warm verifier) by the engine. The fast path.
    #[inline]
    pub fn verify_only(&self, token: &[u8]) -> Result<(), Error> {
        let _use = self.acquire()?;
        // SAFETY: a live verifier (counted), no claims wanted, token as pointer + length.
        check(unsafe { sys::tv_verify(self.raw, ptr::null_mut(), token.as_ptr(), token.len()) })
    }

    /// Checks only the signature of a compact JWS, as [`verify`](Verifier::verify)
    /// checks it (allow-lists, key choice, a remote set's refresh); the payload
    /// is not parsed and no claim is checked. For a JWS whose payload is not a
    /// JWT, or claims checked by rules of your own: never a verified JWT.
    pub fn verify_signature(&self, token: &[u8]) -> Result<(), Error> {
        let _use = self.acquire()?;
        // SAFETY: a live verifier (counted), token as pointer + length.
        check(unsafe { sys::tv_verify_signature(self.raw, token.as_ptr(), token.len()) })
    }

    /// Verifies many tokens in one call on the verifier's worker pool
    /// (`threads` counts the calling thread; 0 = one per CPU, at most 64):
    /// one result per token, in order, each what [`verify`](Verifier::verify)
    /// would have returned.
    pub fn verify_batch<T: AsRef<[u8]>>(
        &self,
        tokens: &[T],
        threads: u32,
    ) -> Result<Vec<Result<Claims, Error>>, Error> {
        let mut claims: Vec<*mut sys::tv_claims> = vec![ptr::null_mut(); tokens.len()];
        let statuses = self.batch(tokens, threads, claims.as_mut_ptr())?;
        Ok(statuses
            .into_iter()
            .zip(claims)
            .map(|(status, c)| {
                if status == sys::TV_OK && !c.is_null() {
                    // SAFETY: a new tv_claims for this token, now ours.
                    Ok(unsafe { Claims::from_raw(c) })
                } else {
                    // SAFETY: NULL for a failed token (a no-op), or freed if inconsistent.
                    unsafe { sys::tv_claims_free(c) };
                    Err(Error::from_code(if status == sys::TV_OK { sys::TV_ERR_INTERNAL } else { status }))
                }
            })
            .collect())
    }

    /// [`verify_batch`](Verifier::verify_batch) without claims.
    pub fn verify_batch_only<T: AsRef<[u8]>>(
        &self,
        tokens: &[T],
        threads: u32,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        Ok(self.batch(tokens, threads, ptr::null_mut())?.into_iter().map(check).collect())
    }

    fn batch<T: AsRef<[u8]>>(
        &self,
        tokens: &[T],
        threads: u32,
        claims: *mut *mut sys::tv_claims,
    ) -> Result<Vec<sys::tv_status>, Error> {
        let _use = self.acquire()?;
        let ptrs: Vec<*const u8> = tokens.iter().map(|t| t.as_ref().as_ptr()).collect();
        let lens: Vec<usize> = tokens.iter().map(|t| t.as_ref().len()).collect();
        let mut statuses = vec![0; tokens.len()];
        // SAFETY: a live verifier; n-element arrays that outlive the call.
        check(unsafe {
            sys::tv_verify_batch(
                self.raw,
                statuses.as_mut_ptr(),
                claims,
                ptrs.as_ptr(),
                lens.as_ptr(),
                tokens.len(),
                threads,
            )
        })?;
        Ok(statuses)
    }

    /// Decides whether a whole request may pass (the configuration's rules, or
    /// its providers' tokens). `Ok` whenever a decision was made, allowed or
    /// denied: see [`Decision::allowed`] and [`Decision::error`]. `Err` only
    /// for misuse or out of memory.
    pub fn authenticate(&self, request: &Request<'_>) -> Result<Decision, Error> {
        let _use = self.acquire()?;
        let req = request.as_raw();
        let mut out = ptr::null_mut();
        // SAFETY: a live verifier; the request's slices outlive the call.
        check(unsafe { sys::tv_authenticate(self.raw, &mut out, &req) })?;
        if out.is_null() {
            return Err(Error::from_code(sys::TV_ERR_INTERNAL));
        }
        // SAFETY: a new decision, now ours.
        Ok(unsafe { Decision::from_raw(out) })
    }

    /// Refuses from now on every token whose `jti` is `jti` (`TV_ERR_REVOKED`),
    /// until `exp` (unix seconds) plus the leeway.
    pub fn revoke(&self, jti: &str, exp: i64) -> Result<(), Error> {
        let _use = self.acquire()?;
        // SAFETY: a live verifier, jti as pointer + length.
        check(unsafe { sys::tv_verifier_revoke(self.raw, jti.as_ptr().cast(), jti.len(), exp) })
    }

    /// Refuses every token of subject `sub` issued before `issued_before`
    /// (unix seconds), or without `iat` ("log out everywhere").
    pub fn revoke_subject(&self, sub: &str, issued_before: i64) -> Result<(), Error> {
        let _use = self.acquire()?;
        // SAFETY: a live verifier, sub as pointer + length.
        check(unsafe { sys::tv_verifier_revoke_subject(self.raw, sub.as_ptr().cast(), sub.len(), issued_before) })
    }

    /// Every provider's health and counters as a JSON document (README "Health and stats").
    pub fn stats(&self) -> Result<String, Error> {
        self.stats_flags(0)
    }

    /// [`stats`](Verifier::stats) with each provider's keys (kid, kty, alg, size, thumbprint).
    pub fn stats_with_keys(&self) -> Result<String, Error> {
        self.stats_flags(sys::TV_STATS_KEYS)
    }

    fn stats_flags(&self, flags: u32) -> Result<String, Error> {
        let _use = self.acquire()?;
        let (mut p, mut n): (*mut c_char, usize) = (ptr::null_mut(), 0);
        // SAFETY: a live verifier and out parameters.
        check(unsafe { sys::tv_verifier_stats(self.raw, &mut p, &mut n, flags) })?;
        // SAFETY: n bytes at p, allocated for us; copied, then freed.
        let s = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(p.cast::<u8>(), n) }).into_owned();
        // SAFETY: the library's string, freed once.
        unsafe { sys::tv_string_free(p) };
        Ok(s)
    }

    /// The `tv_verifier*` for calling the C ABI directly, or `None` once closed.
    /// It stays valid until `close` or drop; the caller must not use it across those.
    pub fn as_ptr(&self) -> Option<*const sys::tv_verifier> {
        (!self.is_closed()).then_some(self.raw.cast_const())
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        // &mut self: no call is in flight and none can start.
        if !*self.freed.get_mut() {
            *self.freed.get_mut() = true;
            // SAFETY: not freed yet, and nobody else can reach it.
            unsafe { sys::tv_verifier_free(self.raw) }
        }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier").field("closed", &self.is_closed()).finish()
    }
}
