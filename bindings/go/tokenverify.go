// Package tokenverify verifies JWTs and authenticates HTTP requests with the
// tokenverify engine (a C++20 library) through its C ABI, with cgo.
//
// The package is thin: every decision is the engine's. A Verifier is built
// once from a JSON configuration document (the engine's README documents it)
// and is shared by any number of goroutines:
//
//	v, err := tokenverify.NewVerifier(config)
//	defer v.Close()
//	claims, err := v.Verify(token)        // *Error on failure: errors.Is(err, tokenverify.ErrClaims)
//	defer claims.Close()
//	sub, _ := claims.String("sub")
//
// VerifyOnly is the allocation-free fast path when the claims are not needed.
// Authenticate decides about a whole *http.Request, and Middleware wraps an
// http.Handler with it.
//
// Building: cgo needs the header and the library; the package names only
// -ltokenverify and takes the rest from the environment:
//
//	CGO_CFLAGS="-I$REPO/bindings/c/include -I$BUILD/generated/include"
//	CGO_LDFLAGS="-L$BUILD -Wl,-rpath,$BUILD"
package tokenverify

/*
#cgo LDFLAGS: -ltokenverify
#cgo noescape tv_verify
#cgo nocallback tv_verify
#cgo noescape tv_verify_batch
#cgo nocallback tv_verify_batch
#cgo noescape tv_verifier_revoke
#cgo nocallback tv_verifier_revoke
#cgo noescape tv_verifier_revoke_subject
#cgo nocallback tv_verifier_revoke_subject
#cgo noescape tv_inspect_unverified
#cgo nocallback tv_inspect_unverified
#include <stdlib.h>
#include "tokenverify.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// BindingVersion is the version of the C header this package was built against.
const BindingVersion = C.TV_VERSION_STRING

// Version is the version of the library actually loaded, e.g. "0.2.0".
func Version() string { return C.GoString(C.tv_version_string()) }

// VersionNumber is the loaded library's TV_VERSION_NUMBER (major*10000 + minor*100 + patch).
func VersionNumber() uint32 { return uint32(C.tv_version_number()) }

// Base64URLImplementation names the base64url kernel in use ("haswell", "fallback", ...).
func Base64URLImplementation() string { return C.GoString(C.tv_base64url_implementation()) }

func cStatusName(code int32) string    { return C.GoString(C.tv_status_name(C.tv_status(code))) }
func cStatusMessage(code int32) string { return C.GoString(C.tv_status_message(C.tv_status(code))) }

// bytesPtr and stringPtr pass Go bytes to C without copying. The cgo pointer
// rules allow it: the memory holds no Go pointers, and C keeps none after the call.
func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b)))
}

func stringPtr(s string) *C.uint8_t { return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))) }

func charPtr(s string) *C.char { return (*C.char)(unsafe.Pointer(unsafe.StringData(s))) }

// cleanupFrees counts the verifiers and claims freed by a cleanup rather than
// by Close (for the lifetime tests).
var cleanupFrees atomic.Int64

// Verifier verifies tokens and authenticates requests with one configuration.
//
// Thread safety: a Verifier is safe for concurrent use by any number of
// goroutines. Close waits for the calls in flight (a sync.RWMutex: each call
// holds the read lock while the engine works, Close the write lock), so it never
// frees the engine under a running call; calls after Close return ErrClosed.
//
// Lifetime: Close releases the engine (its key-set refresher threads and worker
// pool too) and may be called any number of times. A Verifier that becomes
// unreachable without Close is freed by a cleanup (runtime.AddCleanup), but
// only when the garbage collector gets to it: call Close.
type Verifier struct {
	mu      sync.RWMutex
	p       *C.tv_verifier // nil once closed
	release func()         // frees what the callbacks need, after p (NewVerifierWithOptions)
	cleanup runtime.Cleanup
}

// NewVerifier builds a verifier from a JSON configuration document (the
// engine's "Configuration"; relative key file paths are relative to the
// current directory). A bad document is an *Error with Code 901
// (TV_ERR_CONFIG) and the Field and Detail at fault; a key set that cannot be
// read or parsed is TV_ERR_IO, TV_ERR_JWKS_MALFORMED, ...
func NewVerifier(config []byte) (*Verifier, error) {
	return newVerifier(config, nil, nil)
}

// owned is what a Verifier's cleanup frees: the engine's verifier, then what
// its callbacks needed (release, may be nil).
type owned struct {
	p       *C.tv_verifier
	release func()
}

func (o owned) free() {
	C.tv_verifier_free(o.p)
	if o.release != nil {
		o.release()
	}
}

func newVerifier(config []byte, opts *C.tv_verifier_options, release func()) (*Verifier, error) {
	var p *C.tv_verifier
	var diag C.tv_diag
	cfg := (*C.char)(unsafe.Pointer(bytesPtr(config)))
	if s := C.tv_verifier_new_ex2(&p, cfg, C.size_t(len(config)), opts, &diag); s != 0 {
		if release != nil {
			release()
		}
		e := Error{Code: int32(s), Name: cStatusName(int32(s)), Message: cStatusMessage(int32(s))}
		e.Field = C.GoString(&diag.field[0])
		e.Detail = C.GoString(&diag.message[0])
		return nil, &e
	}
	v := &Verifier{p: p, release: release}
	v.cleanup = runtime.AddCleanup(v, func(o owned) {
		cleanupFrees.Add(1)
		o.free()
	}, owned{p, release})
	return v, nil
}

// Close frees the engine's verifier after the calls in flight have returned.
// It is idempotent; later calls return ErrClosed. Claims and Decisions already
// returned stay valid (they do not reference the verifier).
func (v *Verifier) Close() {
	v.mu.Lock()
	p := v.p
	v.p = nil
	v.mu.Unlock()
	if p != nil {
		v.cleanup.Stop()
		// Reading v.release keeps v reachable across Stop, as runtime.Cleanup
		// requires (see Claims.Close).
		owned{p, v.release}.free()
	}
}

// acquire returns the engine's verifier with the read lock held, or nil
// (lock released) when the verifier is closed. Callers release with v.mu.RUnlock.
func (v *Verifier) acquire() *C.tv_verifier {
	v.mu.RLock()
	p := v.p
	if p == nil {
		v.mu.RUnlock()
	}
	return p
}

// VerifyOnly verifies token (signature, header, key and claims) and returns nil
// when it is valid, else an *Error. It allocates nothing on a warm verifier
// and passes the token's bytes to the engine without copying them: this is the
// fast path.
func (v *Verifier) VerifyOnly(token string) error {
	p := v.acquire()
	if p == nil {
		return ErrClosed
	}
	s := C.tv_verify(p, nil, stringPtr(token), C.size_t(len(token)))
	v.mu.RUnlock()
	if s != 0 {
		return statusError(int32(s))
	}
	return nil
}

// Verify verifies token like VerifyOnly and returns its claims, a lazy view
// over the engine's copy (nothing is decoded until asked). Close the Claims
// when done (a cleanup frees forgotten ones).
func (v *Verifier) Verify(token string) (*Claims, error) {
	p := v.acquire()
	if p == nil {
		return nil, ErrClosed
	}
	var c *C.tv_claims
	s := C.tv_verify(p, &c, stringPtr(token), C.size_t(len(token)))
	v.mu.RUnlock()
	if s != 0 {
		return nil, statusError(int32(s))
	}
	return newClaims(c), nil
}

// VerifyBatch verifies tokens on the engine's worker pool (threads counts the
// calling thread; 0 means one per CPU) and returns one error per token, in
// order: nil for a token that verified, else its *Error. It is what len(tokens)
// calls of VerifyOnly would return, in one call.
func (v *Verifier) VerifyBatch(tokens []string, threads int) ([]error, error) {
	n := len(tokens)
	if n == 0 {
		return nil, nil
	}
	if threads < 0 {
		threads = 0
	}
	// The token pointer array lives in C memory: Go memory passed to C may not
	// hold Go pointers unless pinned, and pinning each token costs more.
	arr := (*[1 << 30]*C.uint8_t)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.uint8_t)(nil)))))[:n:n]
	defer C.free(unsafe.Pointer(&arr[0]))
	var pin runtime.Pinner
	defer pin.Unpin()
	lens := make([]C.size_t, n)
	statuses := make([]C.tv_status, n)
	for i, t := range tokens {
		if len(t) > 0 {
			pin.Pin(unsafe.StringData(t))
		}
		arr[i] = stringPtr(t)
		lens[i] = C.size_t(len(t))
	}
	p := v.acquire()
	if p == nil {
		return nil, ErrClosed
	}
	s := C.tv_verify_batch(p, &statuses[0], nil, &arr[0], &lens[0], C.size_t(n), C.unsigned(threads))
	v.mu.RUnlock()
	if s != 0 {
		return nil, statusError(int32(s))
	}
	errs := make([]error, n)
	for i, st := range statuses {
		if st != 0 {
			errs[i] = statusError(int32(st))
		}
	}
	return errs, nil
}

// Revoke refuses, from now on, every token whose "jti" is jti (TV_ERR_REVOKED)
// until exp (the token's expiry) plus the leeway.
func (v *Verifier) Revoke(jti string, exp time.Time) error {
	p := v.acquire()
	if p == nil {
		return ErrClosed
	}
	s := C.tv_verifier_revoke(p, charPtr(jti), C.size_t(len(jti)), C.int64_t(exp.Unix()))
	v.mu.RUnlock()
	if s != 0 {
		return statusError(int32(s))
	}
	return nil
}

// RevokeSubject ("log out everywhere") refuses every token of subject sub
// issued before issuedBefore (or without "iat") with TV_ERR_REVOKED.
func (v *Verifier) RevokeSubject(sub string, issuedBefore time.Time) error {
	p := v.acquire()
	if p == nil {
		return ErrClosed
	}
	s := C.tv_verifier_revoke_subject(p, charPtr(sub), C.size_t(len(sub)), C.int64_t(issuedBefore.Unix()))
	v.mu.RUnlock()
	if s != 0 {
		return statusError(int32(s))
	}
	return nil
}

// Stats returns the engine's stats document (JSON): every provider's key
// source, health, key-set generation, refresh outcomes and verification
// counts by status; withKeys adds each key's kid, kty, alg and thumbprint.
func (v *Verifier) Stats(withKeys bool) ([]byte, error) {
	p := v.acquire()
	if p == nil {
		return nil, ErrClosed
	}
	var flags C.uint32_t
	if withKeys {
		flags = C.TV_STATS_KEYS
	}
	var out *C.char
	var n C.size_t
	s := C.tv_verifier_stats(p, &out, &n, flags)
	v.mu.RUnlock()
	if s != 0 {
		return nil, statusError(int32(s))
	}
	defer C.tv_string_free(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// InspectUnverified decodes token WITHOUT verifying anything but its shape.
// Never trust what it returns: it is for debugging tools.
func InspectUnverified(token string) (*Claims, error) {
	var c *C.tv_claims
	if s := C.tv_inspect_unverified(&c, stringPtr(token), C.size_t(len(token))); s != 0 {
		return nil, statusError(int32(s))
	}
	return newClaims(c), nil
}
