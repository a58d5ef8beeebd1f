package tokenverify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// jwksServer serves a JWK set on 127.0.0.1 that the test switches at will. It
// answers at most maxRequests requests (then 503) and is closed by the test.
type jwksServer struct {
	mu       sync.Mutex
	keys     []map[string]any
	requests atomic.Int64
	srv      *httptest.Server
}

const maxRequests = 500

func newJWKSServer(t *testing.T) *jwksServer {
	s := &jwksServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.requests.Add(1) > maxRequests || r.URL.Path != "/jwks.json" {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		s.mu.Lock()
		body, _ := json.Marshal(map[string]any{"keys": s.keys})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *jwksServer) serve(keys ...map[string]any) {
	s.mu.Lock()
	s.keys = keys
	s.mu.Unlock()
}

// hammer verifies tokens from several goroutines for d and passes each outcome
// to check, which returns a non-nil error for an unexpected one.
func hammer(t *testing.T, v *Verifier, d time.Duration, tokens []string, check func(g, i int, err error) error) {
	t.Helper()
	const goroutines = 6
	var wg sync.WaitGroup
	var failed atomic.Value
	deadline := time.Now().Add(d)
	var total atomic.Int64
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; n < 200000 && time.Now().Before(deadline); n++ {
				i := n % len(tokens)
				var err error
				if n%3 == 0 {
					var c *Claims
					if c, err = v.Verify(tokens[i]); err == nil {
						if sub, _ := c.String("sub"); sub != "alice" {
							err = fmt.Errorf("sub %q", sub)
						}
						c.Close()
					}
				} else {
					err = v.VerifyOnly(tokens[i])
				}
				total.Add(1)
				if bad := check(g, i, err); bad != nil {
					failed.CompareAndSwap(nil, bad)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if bad := failed.Load(); bad != nil {
		t.Fatal(bad)
	}
	if total.Load() < goroutines {
		t.Fatalf("only %d verifications", total.Load())
	}
}

func mustOK(g, i int, err error) error {
	if err != nil {
		return fmt.Errorf("goroutine %d, token %d: unexpected failure %v", g, i, err)
	}
	return nil
}

// One verifier shared by goroutines while its remote key set rotates from key
// A to A+B to B: tokens of a served key always verify, and once B alone is
// served, A's tokens are refused with TV_ERR_KID_NOT_FOUND, exactly.
func TestConcurrentVerificationWhileTheRemoteKeySetRotates(t *testing.T) {
	t.Setenv("no_proxy", "127.0.0.1,localhost")
	t.Setenv("NO_PROXY", "127.0.0.1,localhost")
	keyA, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keyB, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwkA, jwkB := ecJWK(t, keyA, "A"), ecJWK(t, keyB, "B")
	server := newJWKSServer(t)
	server.serve(jwkA)

	config := mustJSON(t, map[string]any{"providers": []any{map[string]any{
		"name": "idp", "issuer": testIssuer, "algorithms": []string{"ES256"},
		"jwks": map[string]any{"remote": map[string]any{
			"url": server.srv.URL + "/jwks.json", "cacheDuration": "400ms", "refreshAhead": "0s",
			"unknownKidWait": "3s", "unknownKidCooldown": "200ms",
			"initialFetchWait": "5s", "requireInitialKeys": true}},
	}}})
	v := mustVerifier(t, config)
	payload := func() map[string]any {
		return map[string]any{"iss": testIssuer, "sub": "alice", "exp": time.Now().Unix() + 3600}
	}
	tokensA := []string{es256(t, keyA, "A", payload()), es256(t, keyA, "A", payload())}
	tokensB := []string{es256(t, keyB, "B", payload()), es256(t, keyB, "B", payload())}

	// 1. A is served: A verifies everywhere.
	hammer(t, v, 300*time.Millisecond, tokensA, mustOK)

	// 2. A+B: a B token waits for the early refresh its unknown kid asks for.
	server.serve(jwkA, jwkB)
	deadline := time.Now().Add(10 * time.Second)
	for v.VerifyOnly(tokensB[0]) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("key B was never picked up: %v", v.VerifyOnly(tokensB[0]))
		}
		time.Sleep(20 * time.Millisecond)
	}
	both := append(append([]string{}, tokensA...), tokensB...)
	hammer(t, v, 500*time.Millisecond, both, mustOK) // spans refreshes of the same set

	// 3. B alone: B keeps verifying; A verifies until the refresh lands, then is
	// refused with TV_ERR_KID_NOT_FOUND, and never verifies again in a goroutine
	// that saw it refused (a published key set is never unpublished).
	server.serve(jwkB)
	var refusedA atomic.Int64
	var seenRefused [6]bool
	hammer(t, v, 1500*time.Millisecond, both, func(g, i int, err error) error {
		if i >= len(tokensA) {
			return mustOK(g, i, err)
		}
		if err == nil {
			if seenRefused[g] {
				return fmt.Errorf("goroutine %d: token of removed key A verified after being refused", g)
			}
			return nil
		}
		if !errors.Is(err, StatusKidNotFound) {
			return fmt.Errorf("goroutine %d: token of key A refused with %v, want TV_ERR_KID_NOT_FOUND", g, err)
		}
		seenRefused[g] = true
		refusedA.Add(1)
		return nil
	})
	deadline = time.Now().Add(10 * time.Second)
	for v.VerifyOnly(tokensA[0]) == nil {
		if time.Now().After(deadline) {
			t.Fatal("key A was never dropped")
		}
		time.Sleep(20 * time.Millisecond)
	}
	hammer(t, v, 300*time.Millisecond, both, func(g, i int, err error) error {
		if i < len(tokensA) {
			if !errors.Is(err, StatusKidNotFound) {
				return fmt.Errorf("token of removed key A: %v, want TV_ERR_KID_NOT_FOUND", err)
			}
			return nil
		}
		return mustOK(g, i, err)
	})
	wantStatus(t, v.VerifyOnly(tokensA[1]), StatusKidNotFound)

	stats, err := v.Stats(true)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Providers []struct {
			KeyCount   int              `json:"keyCount"`
			Generation int              `json:"generation"`
			Keys       []map[string]any `json:"keys"`
		} `json:"providers"`
	}
	if err := json.Unmarshal(stats, &doc); err != nil || len(doc.Providers) != 1 {
		t.Fatalf("stats %s: %v", stats, err)
	}
	if p := doc.Providers[0]; p.KeyCount != 1 || len(p.Keys) != 1 || p.Keys[0]["kid"] != "B" || p.Generation < 3 {
		t.Fatalf("provider after the rotation: %s", stats)
	}
	t.Logf("%d JWKS requests; A refused %d times while B alone was served", server.requests.Load(), refusedA.Load())
}
