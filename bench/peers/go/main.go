// Command golangjwt is the Go peer of the tokenverify peer harness:
// github.com/golang-jwt/jwt/v5.
//
//	golangjwt TOKENS_DIR [SECONDS [REPEATS]]
//
// Keys are parsed once (jwt.Parse*PublicKeyFromPEM / the raw secret); one
// jwt.Parser per algorithm allows that algorithm only and requires exp, iss and
// aud. Claims decode into a typed struct, as a Go service would. Before timing,
// the good token must pass and every negative token must fail. One JSON line
// per algorithm on stdout.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var algs = []string{"HS256", "RS256", "PS256", "ES256", "EdDSA"}
var negatives = []string{"bad_signature", "expired", "wrong_issuer", "wrong_audience"}

type entry struct {
	Token         string            `json:"token"`
	Negatives     map[string]string `json:"negatives"`
	PublicPEMFile string            `json:"public_pem_file"`
	SecretB64URL  string            `json:"secret_b64url"`
}

type manifest struct {
	Issuer   string           `json:"issuer"`
	Audience string           `json:"audience"`
	Algs     map[string]entry `json:"algs"`
}

// benchClaims mirrors the payload of the token set.
type benchClaims struct {
	jwt.RegisteredClaims
	Scope         string   `json:"scope"`
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Roles         []string `json:"roles"`
	Tenant        string   `json:"tenant"`
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

func loadKey(dir, alg string, e entry) (interface{}, error) {
	if alg == "HS256" {
		return base64.RawURLEncoding.DecodeString(e.SecretB64URL)
	}
	pem, err := os.ReadFile(filepath.Join(dir, e.PublicPEMFile))
	if err != nil {
		return nil, err
	}
	switch alg {
	case "RS256", "PS256":
		return jwt.ParseRSAPublicKeyFromPEM(pem)
	case "ES256":
		return jwt.ParseECPublicKeyFromPEM(pem)
	default:
		return jwt.ParseEdPublicKeyFromPEM(pem)
	}
}

// cpuNs is the CPU time of the whole process (every thread, GC included).
func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// timedRun runs verify in growing batches for about |seconds| of wall time and
// returns CPU ns/op, wall ns/op and the number of operations. CPU time is the
// figure that counts: a busy machine slows the run without skewing it.
func timedRun(verify func(string) error, token string, seconds float64) (float64, float64, int64) {
	budget := time.Duration(seconds * 1e9)
	batch, done := int64(1), int64(0)
	cpu0 := cpuNs()
	start := time.Now()
	var elapsed time.Duration
	for elapsed < budget {
		for i := int64(0); i < batch; i++ {
			if err := verify(token); err != nil {
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

func libVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == "github.com/golang-jwt/jwt/v5" {
				return d.Version
			}
		}
	}
	return "?"
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 4 {
		fmt.Fprintln(os.Stderr, "usage: golangjwt TOKENS_DIR [SECONDS [REPEATS]]")
		os.Exit(2)
	}
	dir := os.Args[1]
	seconds, repeats := 1.0, 3
	if len(os.Args) > 2 {
		if s, err := strconv.ParseFloat(os.Args[2], 64); err == nil && s > 0 {
			seconds = s
		}
	}
	if len(os.Args) > 3 {
		if r, err := strconv.Atoi(os.Args[3]); err == nil && r > 0 {
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
	base := result{Peer: "golang-jwt", Language: "Go", Version: libVersion()}
	note := fmt.Sprintf("%s, GOMAXPROCS=%d; ParseWithClaims into a typed struct", runtime.Version(),
		runtime.GOMAXPROCS(0))
	for _, alg := range algs {
		r := base
		r.Alg = alg
		e := m.Algs[alg]
		key, err := loadKey(dir, alg, e)
		if err != nil {
			r.Unavailable = "key setup failed: " + err.Error()
			emit(r)
			continue
		}
		parser := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithIssuer(m.Issuer),
			jwt.WithAudience(m.Audience), jwt.WithExpirationRequired())
		keyFunc := func(*jwt.Token) (interface{}, error) { return key, nil }
		verify := func(token string) error {
			var claims benchClaims
			_, err := parser.ParseWithClaims(token, &claims, keyFunc)
			return err
		}
		if err := verify(e.Token); err != nil {
			r.Unavailable = "good token rejected: " + err.Error()
			emit(r)
			continue
		}
		for _, kind := range negatives {
			if verify(e.Negatives[kind]) == nil {
				r.Unavailable = kind + " token accepted"
				break
			}
		}
		if r.Unavailable != "" {
			emit(r)
			continue
		}
		timedRun(verify, e.Token, seconds/10) // warm-up
		runs := make([]float64, repeats)
		walls := make([]float64, repeats)
		ops := make([]int64, repeats)
		for i := range runs {
			runs[i], walls[i], ops[i] = timedRun(verify, e.Token, seconds)
		}
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
