package tokenverify

import (
	"errors"
	"strconv"
)

// Status is a status code of the engine (a tv_status). The named values
// (StatusExpired, ...) are generated from core/include/tokenverify/status.def
// into status_gen.go. Like syscall.Errno, a Status is an error, so
// errors.Is(err, tokenverify.StatusExpired) tells one failure from another.
type Status int32

type statusInfo struct {
	status  Status
	name    string // "TV_ERR_EXPIRED"
	message string // "token has expired (exp)"
}

// statusErrors holds one *Error per status of the table, indexed by code, so
// that a failed verification returns without allocating.
var statusErrors = func() (t [1000]*Error) {
	for i := range statusTable {
		info := &statusTable[i]
		t[info.status] = &Error{Code: int32(info.status), Name: info.name, Message: info.message}
	}
	return t
}()

func (s Status) info() *Error {
	if s >= 0 && int(s) < len(statusErrors) {
		return statusErrors[s]
	}
	return nil
}

// Name is the status's name in the C ABI, e.g. "TV_ERR_EXPIRED", or
// "TV_UNKNOWN_STATUS" for a code that is not in the table.
func (s Status) Name() string {
	if e := s.info(); e != nil {
		return e.Name
	}
	return "TV_UNKNOWN_STATUS"
}

// Message is the status's English sentence from the table.
func (s Status) Message() string {
	if e := s.info(); e != nil {
		return e.Message
	}
	return "unknown status " + strconv.Itoa(int(s))
}

// Error makes a Status usable as an errors.Is target.
func (s Status) Error() string { return s.Name() + ": " + s.Message() }

// Class is the class of the status: its hundreds (see the Err* class sentinels).
func (s Status) Class() error {
	if c := classOf(int32(s)); c != nil {
		return c
	}
	return nil
}

// classError is the type of the class sentinels.
type classError struct {
	hundreds int32
	text     string
}

func (c *classError) Error() string { return "tokenverify: " + c.text }

// The status classes. Every *Error matches exactly one of them with errors.Is:
//
//	errors.Is(err, tokenverify.ErrClaims)   // expired, wrong issuer, revoked, ...
var (
	// ErrMalformed: 1xx, the bytes are not a well-formed token (structure, base64url, JSON).
	ErrMalformed error = &classError{1, "malformed token"}
	// ErrHeader: 2xx, the header or its algorithm is refused.
	ErrHeader error = &classError{2, "header or algorithm refused"}
	// ErrSignature: 3xx, the signature does not verify.
	ErrSignature error = &classError{3, "signature refused"}
	// ErrClaims: 4xx, the times or claims are refused (signature verified first).
	ErrClaims error = &classError{4, "time or claims refused"}
	// ErrKeys: 5xx, no usable key (unknown kid, key set problems).
	ErrKeys error = &classError{5, "no usable key"}
	// ErrRequest: 6xx, a request's credentials are refused (Authenticate).
	ErrRequest error = &classError{6, "request refused"}
	// ErrMisuse: 9xx, misuse, configuration, I/O and internal errors.
	ErrMisuse error = &classError{9, "misuse, configuration or internal error"}
)

var classes = [...]*classError{
	1: ErrMalformed.(*classError), 2: ErrHeader.(*classError), 3: ErrSignature.(*classError),
	4: ErrClaims.(*classError), 5: ErrKeys.(*classError), 6: ErrRequest.(*classError), 9: ErrMisuse.(*classError),
}

func classOf(code int32) *classError {
	h := code / 100
	if code <= 0 || int(h) >= len(classes) {
		return nil
	}
	return classes[h]
}

// ErrClosed is returned by every method of a Verifier (or Claims) after Close.
var ErrClosed = errors.New("tokenverify: use of a closed verifier or claims")

// Error is a failure reported by the engine. Code and Name come from the
// status table (Code 405, Name "TV_ERR_AUDIENCE_MISMATCH"); Message is the
// table's sentence. NewVerifier's errors also carry the configuration Field at
// fault and a Detail (the engine's diagnostics: text for humans, not for
// matching). Errors of a token are shared values: do not modify them.
//
// errors.Is(err, target) is true for the err's own Status and for its class
// sentinel (ErrMalformed ... ErrMisuse).
type Error struct {
	Code    int32
	Name    string
	Message string
	Field   string // configuration path at fault, e.g. "providers[0].isser" (NewVerifier only)
	Detail  string // what was wrong there, e.g. `unknown field "isser"` (NewVerifier only)
}

func (e *Error) Error() string {
	s := e.Name + ": " + e.Message
	if e.Field != "" {
		s += " (" + e.Field + ": " + e.Detail + ")"
	} else if e.Detail != "" {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Status is the error's code as a Status.
func (e *Error) Status() Status { return Status(e.Code) }

// Is matches the error's Status and its class sentinel.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case Status:
		return int32(t) == e.Code
	case *classError:
		return classOf(e.Code) == t
	}
	return false
}

// statusError is the error of a failed call: the table's shared *Error, or a
// new one for a code the table (this package's copy) does not know.
func statusError(code int32) error {
	if e := Status(code).info(); e != nil {
		return e
	}
	return &Error{Code: code, Name: cStatusName(code), Message: cStatusMessage(code)}
}
