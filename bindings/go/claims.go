package tokenverify

/*
#cgo noescape tv_claims_get_string
#cgo nocallback tv_claims_get_string
#cgo noescape tv_claims_get_int64
#cgo nocallback tv_claims_get_int64
#cgo noescape tv_claims_get_raw
#cgo nocallback tv_claims_get_raw
#include "tokenverify.h"
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"runtime"
	"sync"
	"unsafe"
)

// Claims is a verified token's payload as the engine keeps it: a lazy view
// (String, Int64 and Raw read one claim without decoding the rest; Map and
// Decode decode the whole payload, once per call). It owns the engine's
// tv_claims; Close frees it (idempotent; later reads return ErrClosed), and a
// cleanup frees a Claims that was never closed. Claims are safe for concurrent
// use, Close included (a sync.RWMutex).
type Claims struct {
	mu      sync.RWMutex
	p       *C.tv_claims
	cleanup runtime.Cleanup
}

func newClaims(p *C.tv_claims) *Claims {
	c := &Claims{p: p}
	c.cleanup = runtime.AddCleanup(c, func(p *C.tv_claims) {
		cleanupFrees.Add(1)
		C.tv_claims_free(p)
	}, p)
	return c
}

// Close frees the claims. It may be called any number of times.
func (c *Claims) Close() {
	c.mu.Lock()
	p := c.p
	c.p = nil
	c.mu.Unlock()
	if p != nil {
		c.cleanup.Stop()
		// c must stay reachable across Stop (runtime.Cleanup's contract): once
		// the handle is copied out of it, nothing else here uses c, and a
		// garbage collection during Stop could queue the cleanup, which would
		// then free p a second time (a crash seen under TestCloseDuringVerificationsIsSafe).
		runtime.KeepAlive(c)
		C.tv_claims_free(p)
	}
}

func (c *Claims) acquire() *C.tv_claims {
	c.mu.RLock()
	p := c.p
	if p == nil {
		c.mu.RUnlock()
	}
	return p
}

// String returns the string claim name, unescaped. An absent claim is an
// *Error with StatusNotFound, one of another type StatusWrongType.
func (c *Claims) String(name string) (string, error) {
	p := c.acquire()
	if p == nil {
		return "", ErrClosed
	}
	defer c.mu.RUnlock()
	var out *C.char
	var n C.size_t
	if s := C.tv_claims_get_string(p, &out, &n, charPtr(name), C.size_t(len(name))); s != 0 {
		return "", statusError(int32(s))
	}
	return C.GoStringN(out, C.int(n)), nil
}

// Int64 returns the integer claim name (StatusWrongType when it is not a JSON
// integer that fits an int64).
func (c *Claims) Int64(name string) (int64, error) {
	p := c.acquire()
	if p == nil {
		return 0, ErrClosed
	}
	defer c.mu.RUnlock()
	var out C.int64_t
	if s := C.tv_claims_get_int64(p, &out, charPtr(name), C.size_t(len(name))); s != 0 {
		return 0, statusError(int32(s))
	}
	return int64(out), nil
}

// Raw returns the JSON text of the top-level claim name as it appears in the
// token, e.g. `"alice"`, `1700000000` or `["a","b"]`.
func (c *Claims) Raw(name string) (json.RawMessage, error) {
	p := c.acquire()
	if p == nil {
		return nil, ErrClosed
	}
	defer c.mu.RUnlock()
	var out *C.char
	var n C.size_t
	if s := C.tv_claims_get_raw(p, &out, &n, charPtr(name), C.size_t(len(name))); s != 0 {
		return nil, statusError(int32(s))
	}
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// Provider is the name of the provider that accepted the token ("" for claims
// of InspectUnverified, or after Close).
func (c *Claims) Provider() string {
	p := c.acquire()
	if p == nil {
		return ""
	}
	defer c.mu.RUnlock()
	var out *C.char
	var n C.size_t
	if C.tv_claims_provider(p, &out, &n) != 0 {
		return ""
	}
	return C.GoStringN(out, C.int(n))
}

// JSON returns the decoded payload, a JSON object, exactly as it appeared in the token.
func (c *Claims) JSON() ([]byte, error) { return c.document(false) }

// HeaderJSON returns the decoded protected header (JSON object).
func (c *Claims) HeaderJSON() ([]byte, error) { return c.document(true) }

func (c *Claims) document(header bool) ([]byte, error) {
	p := c.acquire()
	if p == nil {
		return nil, ErrClosed
	}
	defer c.mu.RUnlock()
	var out *C.char
	var n C.size_t
	var s C.tv_status
	if header {
		s = C.tv_claims_header_json(p, &out, &n)
	} else {
		s = C.tv_claims_json(p, &out, &n)
	}
	if s != 0 {
		return nil, statusError(int32(s))
	}
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// Map decodes the whole payload (numbers as json.Number, so that integers keep
// their precision).
func (c *Claims) Map() (map[string]any, error) {
	doc, err := c.JSON()
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// Decode unmarshals the payload into out (encoding/json rules), e.g. a struct
// with the claims an application reads.
func (c *Claims) Decode(out any) error {
	doc, err := c.JSON()
	if err != nil {
		return err
	}
	return json.Unmarshal(doc, out)
}

// dupClaims copies claims borrowed from a decision into a Claims of their own.
func dupClaims(borrowed *C.tv_claims) *Claims {
	if borrowed == nil {
		return nil
	}
	var p *C.tv_claims
	if C.tv_claims_dup(&p, borrowed) != 0 || p == nil {
		return nil
	}
	return newClaims(p)
}
