package tokenverify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"
)

var validatorRules = []byte(`{"rules": [{"name": "r", "paths": [
  {"path": "/keys/", "auth": {"type": "apiKey", "apiKey": {"validator": true}}},
  {"path": "/admin/", "auth": {"type": "basic", "basic": {"validator": true}}}]}]}`)

func TestValidatorCallback(t *testing.T) {
	var mu sync.Mutex
	var calls []Credential
	v, err := NewVerifierWithOptions(validatorRules, Options{Validator: func(c Credential) bool {
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
		if c.User == "boom" {
			panic("validator down")
		}
		return (c.User == "k1" && c.Password == "") || (c.User == "u" && c.Password == "p")
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	decide := func(target string, header ...string) *Decision {
		r := httptest.NewRequest("GET", target, nil)
		if len(header) == 2 {
			r.Header.Set(header[0], header[1])
		}
		d, err := v.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := decide("/keys/a", "X-Api-Key", "k1"); !d.Allowed || d.Method != AuthAPIKey {
		t.Fatalf("key k1: %+v", d)
	}
	wantStatus(t, decide("/keys/a", "X-Api-Key", "k2").Err, StatusUnknownKey)
	r := httptest.NewRequest("GET", "/admin/", nil)
	r.SetBasicAuth("u", "p")
	if d, _ := v.Authenticate(r); !d.Allowed || d.Principal != "u" {
		t.Fatalf("basic u:p: %+v", d)
	}
	r.SetBasicAuth("u", "x")
	if d, _ := v.Authenticate(r); d.Allowed || d.HTTPStatus != 401 {
		t.Fatalf("basic u:x: %+v", d)
	} else {
		wantStatus(t, d.Err, StatusBadCredentials)
	}
	if d := decide("/keys/a", "X-Api-Key", "boom"); d.Allowed || d.HTTPStatus != 401 {
		t.Fatalf("a panicking validator let the request through: %+v", d)
	}
	want := []Credential{{"r", AuthAPIKey, "k1", ""}, {"r", AuthAPIKey, "k2", ""}, {"r", AuthBasic, "u", "p"},
		{"r", AuthBasic, "u", "x"}, {"r", AuthAPIKey, "boom", ""}}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("calls %+v", calls)
	}
	// Concurrent calls into the validator, from several goroutines' cgo calls.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := httptest.NewRequest("GET", "/keys/x", nil)
				r.Header.Set("X-Api-Key", "k1")
				if d, err := v.Authenticate(r); err != nil || !d.Allowed {
					t.Errorf("concurrent validator: %+v %v", d, err)
					return
				}
			}
		}()
	}
	wg.Wait()

	_, err = NewVerifier(validatorRules)
	wantStatus(t, err, StatusConfig)
}

func TestKeySetEvents(t *testing.T) {
	t.Setenv("no_proxy", "127.0.0.1,localhost")
	t.Setenv("NO_PROXY", "127.0.0.1,localhost")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	server := newJWKSServer(t)
	server.serve(ecJWK(t, key, "k"))
	events := make(chan Event, 64)
	config := mustJSON(t, map[string]any{"providers": []any{map[string]any{
		"name": "idp", "issuer": testIssuer,
		"jwks": map[string]any{"remote": map[string]any{"url": server.srv.URL + "/jwks.json",
			"initialFetchWait": "5s", "requireInitialKeys": true}}}}})
	v, err := NewVerifierWithOptions(config, Options{OnEvent: func(e Event) {
		select {
		case events <- e:
		default:
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-events:
		if e.Kind != EventKeysUpdated || e.Provider != "idp" || e.KeyCount != 1 || e.Generation == 0 || e.HTTPStatus != 200 {
			t.Fatalf("first event %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no key-set event")
	}
	v.Close()
	v.Close()
}
