package tokenverify

import (
	"sync"
	"sync/atomic"
	"testing"
)

func benchVerifier(b *testing.B) (*Verifier, string) {
	v := mustVerifier(b, hsConfig(b, nil))
	token := hs256(b, testSecret, goodPayload())
	if err := v.VerifyOnly(token); err != nil {
		b.Fatal(err)
	}
	return v, token
}

// BenchmarkVerifyOnlyHS256 is the binding's fast path; BenchmarkCLoopHS256 the
// same verification looped in C. Their difference is the binding's cost per call.
func BenchmarkVerifyOnlyHS256(b *testing.B) {
	v, token := benchVerifier(b)
	b.ReportAllocs()
	for b.Loop() {
		if v.VerifyOnly(token) != nil {
			b.Fatal("refused")
		}
	}
}

func BenchmarkCLoopHS256(b *testing.B) {
	v, token := benchVerifier(b)
	b.ResetTimer()
	if verifyLoopInC(v, token, b.N) != b.N {
		b.Fatal("refused")
	}
}

func BenchmarkVerifyHS256WithClaims(b *testing.B) {
	v, token := benchVerifier(b)
	b.ReportAllocs()
	for b.Loop() {
		c, err := v.Verify(token)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

func BenchmarkVerifyOnlyHS256Parallel(b *testing.B) {
	v, token := benchVerifier(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if v.VerifyOnly(token) != nil {
				b.Fatal("refused")
			}
		}
	})
}

func BenchmarkVerifyOnlyRefused(b *testing.B) {
	v, _ := benchVerifier(b)
	b.ReportAllocs()
	for b.Loop() {
		if v.VerifyOnly("junk") == nil {
			b.Fatal("accepted")
		}
	}
}

// What guarding Close costs per call: the read lock pair that each call takes,
// against the atomic reference count that could replace it.
func BenchmarkGuardRWMutexPair(b *testing.B) {
	var mu sync.RWMutex
	for b.Loop() {
		mu.RLock()
		mu.RUnlock()
	}
}

func BenchmarkGuardAtomicPair(b *testing.B) {
	var n atomic.Int64
	for b.Loop() {
		if n.Add(1) < 0 {
			b.Fatal()
		}
		n.Add(-1)
	}
}
