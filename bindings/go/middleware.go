package tokenverify

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
)

type decisionKey struct{}

// DecisionFromContext returns the Decision that Middleware put in the
// request's context (claims, principal, method), or nil and false.
func DecisionFromContext(ctx context.Context) (*Decision, bool) {
	d, ok := ctx.Value(decisionKey{}).(*Decision)
	return d, ok && d != nil
}

// Middleware authenticates every request with the engine (Authenticate) before
// next sees it:
//   - refused: answers with the decision's HTTP status (400, 401, 403, 503), its
//     WWW-Authenticate challenge and the status text only (the reason is in
//     the Decision, never sent to the client); next is not called;
//   - allowed: calls next with a copy of the request from which the decision's
//     RemoveHeaders (and any token query parameter or cookie it names) are
//     stripped and to which its SetHeaders are added, and whose context holds
//     the Decision (DecisionFromContext). The Decision's Claims are closed
//     when next returns: copy what outlives the request.
//
// The body is not read: for rules that sign it (HMAC), use MiddlewareWithBody.
// An error of the call itself (a closed verifier) answers 503.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return &middleware{v: v, next: next, maxBody: -1}
}

// MiddlewareWithBody is Middleware for HMAC request-signature rules: it reads
// the body (at most maxBodyBytes; a longer one is refused with 413), passes it
// to the engine, and hands next a request whose Body reads the same bytes.
func (v *Verifier) MiddlewareWithBody(maxBodyBytes int64, next http.Handler) http.Handler {
	if maxBodyBytes < 0 {
		maxBodyBytes = 0
	}
	return &middleware{v: v, next: next, maxBody: maxBodyBytes}
}

type middleware struct {
	v       *Verifier
	next    http.Handler
	maxBody int64 // -1: the body is not read
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if m.maxBody >= 0 && r.Body != nil && r.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, m.maxBody+1))
		r.Body.Close()
		if err != nil {
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
		if int64(len(body)) > m.maxBody {
			http.Error(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
			return
		}
	}
	d, err := m.v.AuthenticateWithBody(r, body)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	if d.Claims != nil {
		defer d.Claims.Close()
	}
	if !d.Allowed {
		if d.WWWAuthenticate != "" {
			w.Header().Set("WWW-Authenticate", d.WWWAuthenticate)
		}
		status := d.HTTPStatus
		if status < 400 {
			status = http.StatusUnauthorized // never let a refused request through by accident
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	fwd := r.Clone(context.WithValue(r.Context(), decisionKey{}, d))
	if m.maxBody >= 0 && r.Body != nil && r.Body != http.NoBody {
		fwd.Body = io.NopCloser(bytes.NewReader(body))
	}
	for _, name := range d.RemoveHeaders {
		fwd.Header.Del(name)
	}
	for _, h := range d.SetHeaders {
		fwd.Header.Add(h.Name, h.Value)
	}
	if d.stripsQueryOrCookies() {
		if doc, err := d.Document(); err == nil {
			stripQuery(fwd, doc.RemoveQueryParameters)
			stripCookies(fwd, doc.RemoveCookies)
		}
	}
	m.next.ServeHTTP(w, fwd)
}

func stripQuery(r *http.Request, names []string) {
	if len(names) == 0 || r.URL.RawQuery == "" {
		return
	}
	q := r.URL.Query()
	for _, name := range names {
		q.Del(name)
	}
	r.URL.RawQuery = q.Encode()
	r.RequestURI = r.URL.RequestURI()
	r.Form, r.PostForm = nil, nil
}

func stripCookies(r *http.Request, names []string) {
	if len(names) == 0 {
		return
	}
	kept := make([]string, 0, 4)
	for _, c := range r.Cookies() {
		drop := false
		for _, name := range names {
			if c.Name == name {
				drop = true
				break
			}
		}
		if !drop {
			kept = append(kept, c.String())
		}
	}
	r.Header.Del("Cookie")
	if len(kept) > 0 {
		r.Header.Set("Cookie", strings.Join(kept, "; "))
	}
}
