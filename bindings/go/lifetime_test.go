package tokenverify

import (
	"errors"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestCloseIsIdempotentAndLaterCallsFailClearly(t *testing.T) {
	v, err := NewVerifier(hsConfig(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	token := hs256(t, testSecret, goodPayload())
	c, err := v.Verify(token)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	v.Close()
	if err := v.VerifyOnly(token); !errors.Is(err, ErrClosed) {
		t.Fatalf("VerifyOnly after Close: %v", err)
	}
	if _, err := v.Verify(token); !errors.Is(err, ErrClosed) {
		t.Fatalf("Verify after Close: %v", err)
	}
	if _, err := v.VerifyBatch([]string{token}, 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("VerifyBatch after Close: %v", err)
	}
	if _, err := v.Stats(false); !errors.Is(err, ErrClosed) {
		t.Fatalf("Stats after Close: %v", err)
	}
	if err := v.Revoke("x", time.Now()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Revoke after Close: %v", err)
	}
	if err := v.RevokeSubject("x", time.Now()); !errors.Is(err, ErrClosed) {
		t.Fatalf("RevokeSubject after Close: %v", err)
	}
	if _, err := v.Authenticate(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Authenticate after Close: %v", err)
	}
	// Claims outlive their verifier, then close twice too.
	if sub, err := c.String("sub"); err != nil || sub != "alice" {
		t.Fatalf("claims after the verifier closed: %q %v", sub, err)
	}
	c.Close()
	c.Close()
	if _, err := c.String("sub"); !errors.Is(err, ErrClosed) {
		t.Fatalf("String after Close: %v", err)
	}
	if _, err := c.Int64("exp"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Int64 after Close: %v", err)
	}
	if _, err := c.Raw("exp"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Raw after Close: %v", err)
	}
	if _, err := c.Map(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Map after Close: %v", err)
	}
	if c.Provider() != "" {
		t.Fatal("Provider after Close")
	}
}

// Close while goroutines verify: every call either verified or saw ErrClosed,
// none crashed, and Close returned only once the engine was no longer in use.
func TestCloseDuringVerificationsIsSafe(t *testing.T) {
	for round := 0; round < 5; round++ {
		v, err := NewVerifier(hsConfig(t, nil))
		if err != nil {
			t.Fatal(err)
		}
		token := hs256(t, testSecret, goodPayload())
		var wg sync.WaitGroup
		started := make(chan struct{}, 8)
		failures := make(chan error, 8)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				started <- struct{}{}
				for i := 0; i < 100000; i++ {
					var err error
					if i%2 == 0 {
						err = v.VerifyOnly(token)
					} else {
						var c *Claims
						if c, err = v.Verify(token); err == nil {
							c.Close()
						}
					}
					if errors.Is(err, ErrClosed) {
						return
					}
					if err != nil {
						failures <- err
						return
					}
				}
			}()
		}
		for g := 0; g < 8; g++ {
			<-started
		}
		time.Sleep(time.Millisecond)
		v.Close()
		wg.Wait()
		close(failures)
		for err := range failures {
			t.Fatalf("a verification failed around Close: %v", err)
		}
	}
}

// Verifiers and claims nobody closed are freed by their cleanups.
func TestForgottenVerifiersAndClaimsAreFreed(t *testing.T) {
	before := cleanupFrees.Load()
	token := hs256(t, testSecret, goodPayload())
	func() {
		for i := 0; i < 5; i++ {
			v, err := NewVerifier(hsConfig(t, nil))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Verify(token); err != nil {
				t.Fatal(err)
			}
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for cleanupFrees.Load()-before < 10 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := cleanupFrees.Load() - before; n < 10 {
		t.Fatalf("%d of 5 verifiers + 5 claims freed by their cleanups", n)
	}
	// A closed one is not freed twice: its cleanup was cancelled.
	v, _ := NewVerifier(hsConfig(t, nil))
	v.Close()
	v = nil
	before = cleanupFrees.Load()
	for i := 0; i < 5; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if cleanupFrees.Load() != before {
		t.Fatal("a closed verifier was freed again by its cleanup")
	}
}
