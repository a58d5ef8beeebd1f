package main

// The package's overhead measured in this process: VerifyOnly against
// tv_verify looped in C, in alternating blocks of about 2 ms of CPU each
// (every runtime's runner does the same; bench/peers/report.py's
// PAIRED_PROTOCOL describes it). The C ABI row timed by another process
// minutes apart differs from this one by more than the 2 % the RS256 target
// allows, on a shared machine.
//
// Go's difference, on purpose: run.sh runs this part (--paired) with
// GOMAXPROCS=2 and not pinned to a CPU. A cgo call that outlasts a scheduler
// tick has its P handed to another thread by the runtime's monitor (sysmon);
// on one CPU that thread preempts the verification being timed, and a C loop
// (one long cgo call) disturbs the blocks around it, so one CPU cannot
// measure this at all. On two CPUs the runtime's threads run beside the
// verification, as in any Go service with more than one CPU; their CPU time
// still counts (process CPU time, all threads, as everywhere in the harness).

/*
#cgo LDFLAGS: -ltokenverify
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include "tokenverify.h"

// A native verifier of its own, built from the same configuration.
static tv_verifier* peer_verifier_new(const char* config, size_t len) {
  tv_verifier* v = NULL;
  return tv_verifier_new(&v, config, len, NULL) == TV_OK ? v : NULL;
}

// n verifications from C: how many were valid.
static long peer_cloop(const tv_verifier* v, const char* token, size_t len, long n) {
  long ok = 0;
  for (long i = 0; i < n; i++) ok += tv_verify(v, NULL, (const uint8_t*)token, len) == TV_OK;
  return ok;
}

// CPU time of the whole process (every thread), in ns: finer than getrusage.
static int64_t peer_process_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
*/
import "C"

import (
	"errors"
	"runtime"
	"sort"
	"strconv"
	"time"
	"unsafe"

	tokenverify "tokenverify/bindings/go"
)

type pairedResult struct {
	Peer      string  `json:"peer"`
	Language  string  `json:"language"`
	Version   string  `json:"version"`
	Alg       string  `json:"alg"`
	Kind      string  `json:"kind"`
	Ratio     float64 `json:"ratio"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	Pairs     int     `json:"pairs"`
	Block     int64   `json:"block"`
	PackageNs float64 `json:"package_ns"`
	CNs       float64 `json:"c_ns"`
	Baseline  string  `json:"baseline"`
}

// pairedOverhead alternates blocks of v.VerifyOnly(token) with blocks of
// tv_verify looped in C on a native verifier built from config, for about
// `seconds`, and returns the median and spread of the blocks' CPU-time ratios.
func pairedOverhead(v *tokenverify.Verifier, config []byte, token string, seconds float64) (pairedResult, error) {
	var r pairedResult
	cconfig := C.CBytes(config)
	defer C.free(cconfig)
	native := C.peer_verifier_new((*C.char)(cconfig), C.size_t(len(config)))
	if native == nil {
		return r, errors.New("tv_verifier_new refused the configuration")
	}
	defer C.tv_verifier_free(native)
	ctoken := C.CString(token)
	defer C.free(unsafe.Pointer(ctoken))

	cpu := func() int64 { return int64(C.peer_process_cpu_ns()) }
	pkg := func(n int64) int64 {
		t := cpu()
		for i := int64(0); i < n; i++ {
			if v.VerifyOnly(token) != nil {
				return -1
			}
		}
		return cpu() - t
	}
	cloop := func(n int64) int64 {
		t := cpu()
		if int64(C.peer_cloop(native, ctoken, C.size_t(len(token)), C.long(n))) != n {
			return -1
		}
		return cpu() - t
	}
	warm := max(int64(1), pkg(256))
	block := max(int64(1), int64(2e6*256/float64(warm)))
	var ratios, pkgNs, cNs []float64
	start := time.Now()
	for i := 0; i < 20 || time.Since(start).Seconds() < seconds; i++ {
		var a, b int64
		if i%2 == 0 { // which side goes first alternates: drift over a pair cancels
			a, b = pkg(block), cloop(block)
		} else {
			b, a = cloop(block), pkg(block)
		}
		if a < 0 || b < 0 {
			return r, errors.New("a verification failed during the paired run")
		}
		if b == 0 {
			continue
		}
		ratios = append(ratios, float64(a)/float64(b))
		pkgNs = append(pkgNs, float64(a)/float64(block))
		cNs = append(cNs, float64(b)/float64(block))
	}
	pct := func(s []float64, p float64) float64 {
		sort.Float64s(s)
		return s[int(p*float64(len(s)-1))]
	}
	r.Kind, r.Pairs, r.Block = "paired_overhead", len(ratios), block
	r.Ratio, r.Low, r.High = round4(pct(ratios, 0.5)), round4(pct(ratios, 0.1)), round4(pct(ratios, 0.9))
	r.PackageNs, r.CNs = round1(pct(pkgNs, 0.5)), round1(pct(cNs, 0.5))
	r.Baseline = "tv_verify looped in C (cgo, this runner), same process, a native verifier of the same " +
		"configuration; GOMAXPROCS=" + strconv.Itoa(runtime.GOMAXPROCS(0)) + ", not pinned"
	return r, nil
}

func round4(x float64) float64 { return float64(int64(x*1e4+0.5)) / 1e4 }
