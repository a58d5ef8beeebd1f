package tokenverify

/*
#cgo noescape tv_authenticate
#include <stdlib.h>
#include <string.h>
#include "tokenverify.h"
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"net/http"
	"runtime"
	"unsafe"
)

// AuthMethod is how a request was authenticated.
type AuthMethod int32

// The methods of a Decision (tv_auth_method).
const (
	AuthNone   AuthMethod = C.TV_AUTH_NONE // no credential needed, or AllowMissing without one
	AuthJWT    AuthMethod = C.TV_AUTH_JWT
	AuthBasic  AuthMethod = C.TV_AUTH_BASIC
	AuthBearer AuthMethod = C.TV_AUTH_BEARER
	AuthAPIKey AuthMethod = C.TV_AUTH_API_KEY
	AuthHMAC   AuthMethod = C.TV_AUTH_HMAC
)

// String is the method as the decision document names it: "none", "jwt",
// "basic", "bearer", "apiKey", "hmac".
func (m AuthMethod) String() string {
	switch m {
	case AuthNone:
		return "none"
	case AuthJWT:
		return "jwt"
	case AuthBasic:
		return "basic"
	case AuthBearer:
		return "bearer"
	case AuthAPIKey:
		return "apiKey"
	case AuthHMAC:
		return "hmac"
	}
	return "unknown"
}

// Header is one header field to set on the forwarded request.
type Header struct{ Name, Value string }

// Decision is the engine's decision about one request (the README's "The
// decision"). It is a plain value: nothing in it references the verifier.
type Decision struct {
	Allowed    bool
	HTTPStatus int        // 200, 400, 401, 403 or 503
	Err        error      // nil when allowed, else the *Error that refused the request (6xx or the token's status)
	Method     AuthMethod // how the request was authenticated
	Principal  string     // the Basic user, the key's or token's name, the JWT's sub; "" when refused
	// WWWAuthenticate is the challenge of a 401 (and of a 400 about a bearer token), else "".
	WWWAuthenticate string
	SetHeaders      []Header // to add to the forwarded request (names in lower case)
	RemoveHeaders   []string // to strip from the forwarded request
	// Claims of the JWT that authenticated the request, else nil. They are a
	// copy owned by the Decision's reader: Close them when done (a cleanup
	// frees them otherwise).
	Claims *Claims
	// JSON is the whole decision document (allow, httpStatus, status, method,
	// rule, principal, provider, setHeaders, removeHeaders,
	// removeQueryParameters, removeCookies, omittedHeaders, wwwAuthenticate,
	// message); Document decodes it.
	JSON []byte
}

// DecisionDocument is the decision document decoded (Decision.Document).
type DecisionDocument struct {
	Allow                 bool              `json:"allow"`
	HTTPStatus            int               `json:"httpStatus"`
	Status                string            `json:"status"`
	Method                string            `json:"method"`
	Rule                  *string           `json:"rule"`
	Principal             *string           `json:"principal"`
	Provider              *string           `json:"provider"`
	SetHeaders            [][2]string       `json:"setHeaders"`
	RemoveHeaders         []string          `json:"removeHeaders"`
	RemoveQueryParameters []string          `json:"removeQueryParameters"`
	RemoveCookies         []string          `json:"removeCookies"`
	OmittedHeaders        []json.RawMessage `json:"omittedHeaders"`
	WWWAuthenticate       *string           `json:"wwwAuthenticate"`
	Message               string            `json:"message"`
}

// Document decodes the decision document (one JSON decode).
func (d *Decision) Document() (*DecisionDocument, error) {
	var doc DecisionDocument
	if err := json.Unmarshal(d.JSON, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// Authenticate decides whether r may pass, from its method, host, target and
// headers (the body is not read: see AuthenticateWithBody). The returned error
// is about the call (ErrClosed, misuse); a refused request is a Decision with
// Allowed false and its Err.
func (v *Verifier) Authenticate(r *http.Request) (*Decision, error) {
	return v.AuthenticateWithBody(r, nil)
}

// AuthenticateWithBody is Authenticate with the request's body, which only
// request-signature (HMAC) rules read. The caller reads the body (and puts
// it back for the handler if it needs it); Middleware does not.
func (v *Verifier) AuthenticateWithBody(r *http.Request, body []byte) (*Decision, error) {
	target := r.RequestURI
	if target == "" || target[0] != '/' {
		target = r.URL.RequestURI() // a client request, or absolute-form: the engine wants origin-form
	}
	headerCount, size := 0, len(r.Method)+len(r.Host)+len(target)
	for name, values := range r.Header {
		headerCount += len(values)
		for _, value := range values {
			size += len(name) + len(value)
		}
	}
	// One C allocation holds the tv_request, its tv_header array and every
	// string it points to: C memory may hold no unpinned Go pointer, and one
	// copy of a few hundred bytes costs less than pinning each string.
	reqSize := C.size_t(unsafe.Sizeof(C.tv_request{}))
	hdrSize := C.size_t(unsafe.Sizeof(C.tv_header{})) * C.size_t(headerCount)
	block := C.malloc(reqSize + hdrSize + C.size_t(size) + 1)
	if block == nil {
		return nil, statusError(int32(StatusOutOfMemory))
	}
	defer C.free(block)
	req := (*C.tv_request)(block)
	var hdrs []C.tv_header
	if headerCount > 0 {
		hdrs = unsafe.Slice((*C.tv_header)(unsafe.Add(block, reqSize)), headerCount)
	}
	text := unsafe.Slice((*byte)(unsafe.Add(block, reqSize+hdrSize)), size+1)
	used := 0
	put := func(s string) (*C.char, C.size_t) {
		p := (*C.char)(unsafe.Pointer(&text[used]))
		used += copy(text[used:], s)
		return p, C.size_t(len(s))
	}
	*req = C.tv_request{}
	req.method, req.method_len = put(r.Method)
	req.host, req.host_len = put(r.Host)
	req.target, req.target_len = put(target)
	i := 0
	for name, values := range r.Header {
		for _, value := range values {
			h := &hdrs[i]
			h.name, h.name_len = put(name)
			h.value, h.value_len = put(value)
			i++
		}
	}
	if headerCount > 0 {
		req.headers = &hdrs[0]
	}
	req.header_count = C.size_t(headerCount)
	var pin runtime.Pinner
	if len(body) > 0 {
		pin.Pin(&body[0]) // the body goes to the engine uncopied; req (C memory) points to it
		defer pin.Unpin()
		req.body = bytesPtr(body)
		req.body_len = C.size_t(len(body))
	}

	p := v.acquire()
	if p == nil {
		return nil, ErrClosed
	}
	var d *C.tv_decision
	s := C.tv_authenticate(p, &d, req)
	v.mu.RUnlock()
	if s != 0 {
		return nil, statusError(int32(s))
	}
	defer C.tv_decision_free(d)
	return newDecision(d), nil
}

func newDecision(d *C.tv_decision) *Decision {
	out := &Decision{
		HTTPStatus: int(C.tv_decision_http_status(d)),
		Method:     AuthMethod(C.tv_decision_method(d)),
	}
	if s := C.tv_decision_status(d); s == 0 {
		out.Allowed = true
	} else {
		out.Err = statusError(int32(s))
	}
	var p *C.char
	var n C.size_t
	if C.tv_decision_principal(d, &p, &n) == 0 {
		out.Principal = C.GoStringN(p, C.int(n))
	}
	if C.tv_decision_www_authenticate(d, &p, &n) == 0 {
		out.WWWAuthenticate = C.GoStringN(p, C.int(n))
	}
	if count := int(C.tv_decision_set_header_count(d)); count > 0 {
		out.SetHeaders = make([]Header, 0, count)
		for i := 0; i < count; i++ {
			var name, value *C.char
			var nameLen, valueLen C.size_t
			if C.tv_decision_set_header(d, C.size_t(i), &name, &nameLen, &value, &valueLen) == 0 {
				out.SetHeaders = append(out.SetHeaders,
					Header{C.GoStringN(name, C.int(nameLen)), C.GoStringN(value, C.int(valueLen))})
			}
		}
	}
	if count := int(C.tv_decision_remove_header_count(d)); count > 0 {
		out.RemoveHeaders = make([]string, 0, count)
		for i := 0; i < count; i++ {
			var name *C.char
			var nameLen C.size_t
			if C.tv_decision_remove_header(d, C.size_t(i), &name, &nameLen) == 0 {
				out.RemoveHeaders = append(out.RemoveHeaders, C.GoStringN(name, C.int(nameLen)))
			}
		}
	}
	out.Claims = dupClaims(C.tv_decision_claims(d))
	if C.tv_decision_json(d, &p, &n) == 0 {
		out.JSON = C.GoBytes(unsafe.Pointer(p), C.int(n))
	}
	return out
}

// stripsQueryOrCookies tells whether the decision names query parameters or
// cookies to remove, without decoding the document when it names none.
func (d *Decision) stripsQueryOrCookies() bool {
	return !bytes.Contains(d.JSON, []byte(`"removeQueryParameters":[]`)) ||
		!bytes.Contains(d.JSON, []byte(`"removeCookies":[]`))
}
