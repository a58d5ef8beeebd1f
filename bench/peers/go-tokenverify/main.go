// Command go-tokenverify is the "tokenverify (Go)" row of the tokenverify peer
// harness: the Go package (bindings/go, cgo over the C ABI) verifying the same
// token set as the golang-jwt runner (bench/peers/go), with the same timing
// scheme (CPU time of the whole process, growing batches, median of repeats).
//
//	go-tokenverify TOKENS_DIR [SECONDS [REPEATS]]
//	go-tokenverify --paired TOKENS_DIR [SECONDS]
//
// One Verifier per algorithm is built from <alg>.tv.json (signature, exp, iss
// and aud checked, as the C row "tokenverify"). Before timing, the good token
// must pass and every negative token must fail with the expected status class.
// The timed call is Verifier.VerifyOnly: no claims object, like the C row.
// One JSON line per algorithm on stdout. With --paired, only the paired
// overhead lines of HS256 and RS256 (paired.go).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	tokenverify "tokenverify/bindings/go"
)

var algs = []string{"HS256", "RS256", "PS256", "ES256", "EdDSA"}

// The negatives of the token set and the class each must be refused with.
var negatives = []struct {
	kind  string
	class error
}{
	{"bad_signature", tokenverify.ErrSignature},
	{"expired", tokenverify.ErrClaims},
	{"wrong_issuer", tokenverify.ErrClaims},
	{"wrong_audience", tokenverify.ErrClaims},
}

type entry struct {
	Token     string            `json:"token"`
	Negatives map[string]string `json:"negatives"`
	Config    string            `json:"tokenverify_config_file"`
}

type manifest struct {
	Algs map[string]entry `json:"algs"`
}

type result struct {
	Peer        string    `json:"peer"`
	Language    string    `json:"language"`
	Version     string    `json:"version"`
	Alg         string    `json:"alg"`
	NsPerOp     float64   `json:"ns_per_op,omitempty"`
	WallNsPerOp float64   `json:"wall_ns_per_op,omitempty"`
	Ops         int64     `json:"ops,omitempty"`
	RunsNs      []float64 `json:"runs_ns,omitempty"`
	Checks      string    `json:"checks,omitempty"`
	Note        string    `json:"note,omitempty"`
	Unavailable string    `json:"unavailable,omitempty"`
}

func emit(r result) {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// cpuNs is the CPU time of the whole process (every thread, GC included).
func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// timedRun is golang-jwt's runner's loop: batches double until one takes 5 ms.
func timedRun(v *tokenverify.Verifier, token string, seconds float64) (float64, float64, int64) {
	budget := time.Duration(seconds * 1e9)
	batch, done := int64(1), int64(0)
	cpu0 := cpuNs()
	start := time.Now()
	var elapsed time.Duration
	for elapsed < budget {
		for i := int64(0); i < batch; i++ {
			if err := v.VerifyOnly(token); err != nil {
				panic(err) // checked before timing; cannot happen
			}
		}
		done += batch
		elapsed = time.Since(start)
		if elapsed < 5*time.Millisecond {
			batch *= 2
		}
	}
	return float64(cpuNs()-cpu0) / float64(done), float64(elapsed.Nanoseconds()) / float64(done), done
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

func check(v *tokenverify.Verifier, e entry) string {
	if err := v.VerifyOnly(e.Token); err != nil {
		return "good token rejected: " + err.Error()
	}
	for _, n := range negatives {
		err := v.VerifyOnly(e.Negatives[n.kind])
		if err == nil {
			return n.kind + " token accepted"
		}
		if !errors.Is(err, n.class) {
			return n.kind + " token refused with " + err.Error()
		}
	}
	return ""
}

func main() {
	args := os.Args[1:]
	paired := len(args) > 0 && args[0] == "--paired"
	if paired {
		args = args[1:]
	}
	if len(args) < 1 || len(args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: go-tokenverify [--paired] TOKENS_DIR [SECONDS [REPEATS]]")
		os.Exit(2)
	}
	dir := args[0]
	seconds, repeats := 1.0, 3
	if len(args) > 1 {
		if s, err := strconv.ParseFloat(args[1], 64); err == nil && s > 0 {
			seconds = s
		}
	}
	if len(args) > 2 {
		if r, err := strconv.Atoi(args[2]); err == nil && r > 0 {
			repeats = r
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	base := result{Peer: "tokenverify (Go)", Language: "Go", Version: tokenverify.Version()}
	note := fmt.Sprintf("%s, GOMAXPROCS=%d; cgo; Verifier.VerifyOnly: no claims object; base64url kernel %s",
		runtime.Version(), runtime.GOMAXPROCS(0), tokenverify.Base64URLImplementation())
	for _, alg := range algs {
		r := base
		r.Alg = alg
		e := m.Algs[alg]
		name := e.Config
		if name == "" {
			name = strings.ToLower(alg) + ".tv.json"
		}
		config, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			r.Unavailable = "configuration unreadable: " + err.Error()
			emit(r)
			continue
		}
		v, err := tokenverify.NewVerifier(config)
		if err != nil {
			r.Unavailable = "configuration rejected: " + err.Error()
			emit(r)
			continue
		}
		if why := check(v, e); why != "" {
			r.Unavailable = why
			emit(r)
			v.Close()
			continue
		}
		if paired {
			if alg == "HS256" || alg == "RS256" {
				p, err := pairedOverhead(v, config, e.Token, seconds)
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s: no paired overhead: %v\n", alg, err)
				} else {
					p.Peer, p.Language, p.Version, p.Alg = base.Peer, base.Language, base.Version, alg
					b, _ := json.Marshal(p)
					fmt.Println(string(b))
				}
			}
			v.Close()
			continue
		}
		timedRun(v, e.Token, seconds/10) // warm-up
		runs := make([]float64, repeats)
		walls := make([]float64, repeats)
		ops := make([]int64, repeats)
		for i := range runs {
			runs[i], walls[i], ops[i] = timedRun(v, e.Token, seconds)
		}
		v.Close()
		sorted := append([]float64(nil), runs...)
		sort.Float64s(sorted)
		median := sorted[(repeats-1)/2]
		for i := range runs {
			if runs[i] == median {
				r.Ops, r.WallNsPerOp = ops[i], round1(walls[i])
			}
			runs[i] = round1(runs[i])
		}
		r.NsPerOp = round1(median)
		r.RunsNs, r.Checks, r.Note = runs, "ok", note
		emit(r)
	}
}
