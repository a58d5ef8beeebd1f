package tokenverify

/*
#include <stdlib.h>
#include "tokenverify.h"
int tvGoValidatorTrampoline(void* user, const tv_credential* c);
void tvGoEventTrampoline(void* user, const tv_event* e);
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// Credential is what a validator is asked about: a "basic" or "apiKey" auth
// marked "validator": true (the README's "Custom validators").
type Credential struct {
	Rule     string     // the rule's name (or index)
	Method   AuthMethod // AuthBasic or AuthAPIKey
	User     string     // basic: the user name; apiKey: the key
	Password string     // basic: the password; apiKey: ""
}

// EventKind says what happened to a provider's key set.
type EventKind int32

// The kinds of Event (tv_event_kind).
const (
	EventKeysUpdated   EventKind = C.TV_EVENT_KEYS_UPDATED   // a new key set is being served
	EventKeysUnchanged EventKind = C.TV_EVENT_KEYS_UNCHANGED // a refresh confirmed the current set
	EventRefreshFailed EventKind = C.TV_EVENT_REFRESH_FAILED // a refresh failed; the last good set is still served
	EventKeysDropped   EventKind = C.TV_EVENT_KEYS_DROPPED   // the last good set outlived maxStale
)

// Event is a change in a provider's key set (file or remote key sets).
type Event struct {
	Kind       EventKind
	Provider   string
	Generation uint64 // of the key set served after the event
	KeyCount   uint64
	HTTPStatus int    // remote key sets: the response status, 0 if none
	Message    string // what failed, or where the keys came from
}

// Options are the callbacks of NewVerifierWithOptions. Both run on threads
// that are not the caller's goroutine and must return quickly; neither may
// Close the verifier. A callback that refers to its Verifier keeps it
// reachable: Close such a verifier (its cleanup cannot run).
type Options struct {
	// Validator decides about credentials of rules marked "validator": true;
	// it runs inside Authenticate, possibly from several goroutines at once.
	// A panic in it refuses the credential.
	Validator func(Credential) bool
	// OnEvent receives key-set events from the engine's refresher threads, one
	// at a time per provider.
	OnEvent func(Event)
}

// NewVerifierWithOptions is NewVerifier with a credential validator and a
// key-set event callback (tv_verifier_new_ex2).
func NewVerifierWithOptions(config []byte, opts Options) (*Verifier, error) {
	if opts.Validator == nil && opts.OnEvent == nil {
		return NewVerifier(config)
	}
	// The engine keeps a C pointer to a C word holding the handle: user data
	// may not be a Go pointer, and the handle keeps the callbacks alive.
	handle := cgo.NewHandle(&opts)
	user := (*cgo.Handle)(C.malloc(C.size_t(unsafe.Sizeof(handle))))
	*user = handle
	var copts C.tv_verifier_options
	copts.struct_size = C.size_t(unsafe.Sizeof(copts))
	if opts.Validator != nil {
		copts.validator = C.tv_validator_fn(unsafe.Pointer(C.tvGoValidatorTrampoline))
		copts.validator_user_data = unsafe.Pointer(user)
	}
	if opts.OnEvent != nil {
		copts.on_event = C.tv_event_fn(unsafe.Pointer(C.tvGoEventTrampoline))
		copts.event_user_data = unsafe.Pointer(user)
	}
	release := func() {
		handle.Delete()
		C.free(unsafe.Pointer(user))
	}
	return newVerifier(config, &copts, release)
}

//export tvGoValidator
func tvGoValidator(user unsafe.Pointer, cred *C.tv_credential) (accepted C.int) {
	opts := (*(*cgo.Handle)(user)).Value().(*Options)
	c := Credential{
		Rule:     C.GoStringN(cred.rule, C.int(cred.rule_len)),
		Method:   AuthMethod(cred.method),
		User:     C.GoStringN(cred.user, C.int(cred.user_len)),
		Password: C.GoStringN(cred.password, C.int(cred.password_len)),
	}
	defer func() {
		if recover() != nil {
			accepted = 0
		}
	}()
	if opts.Validator(c) {
		return 1
	}
	return 0
}

//export tvGoEvent
func tvGoEvent(user unsafe.Pointer, ev *C.tv_event) {
	opts := (*(*cgo.Handle)(user)).Value().(*Options)
	e := Event{
		Kind:       EventKind(ev.kind),
		Generation: uint64(ev.generation),
		KeyCount:   uint64(ev.key_count),
		HTTPStatus: int(ev.http_status),
	}
	if ev.provider != nil {
		e.Provider = C.GoString(ev.provider)
	}
	if ev.message != nil {
		e.Message = C.GoString(ev.message)
	}
	defer func() { _ = recover() }() // a panic must not unwind into the engine's thread
	opts.OnEvent(e)
}
