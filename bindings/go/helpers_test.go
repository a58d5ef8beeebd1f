package tokenverify

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the repository's root: the tests run in bindings/go.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readRepoFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// repoConfig reads a configuration of the repository and makes the key files
// it names (relative to the root) absolute.
func repoConfig(t testing.TB, rel string) []byte {
	t.Helper()
	text := string(readRepoFile(t, rel))
	return []byte(strings.ReplaceAll(text, `"examples/`, `"`+repoRoot(t)+`/examples/`))
}

func kgatewayToken(t testing.TB) string {
	return strings.TrimSpace(string(readRepoFile(t, "examples/kgateway/token.jwt")))
}

func mustVerifier(t testing.TB, config []byte) *Verifier {
	t.Helper()
	v, err := NewVerifier(config)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	t.Cleanup(v.Close)
	return v
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func signingInput(t testing.TB, header, payload map[string]any) string {
	return b64(mustJSON(t, header)) + "." + b64(mustJSON(t, payload))
}

// hs256 signs payload with secret (header: alg HS256 plus extra members).
func hs256(t testing.TB, secret string, payload map[string]any, extra ...string) string {
	header := map[string]any{"alg": "HS256", "typ": "JWT"}
	for i := 0; i+1 < len(extra); i += 2 {
		header[extra[i]] = extra[i+1]
	}
	in := signingInput(t, header, payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(in))
	return in + "." + b64(mac.Sum(nil))
}

// es256 signs payload with key (kid in the header), r||s as JWS wants it.
func es256(t testing.TB, key *ecdsa.PrivateKey, kid string, payload map[string]any) string {
	in := signingInput(t, map[string]any{"alg": "ES256", "typ": "JWT", "kid": kid}, payload)
	digest := sha256.Sum256([]byte(in))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return in + "." + b64(sig)
}

// ecJWK is key's public half as a JWK.
func ecJWK(t testing.TB, key *ecdsa.PrivateKey, kid string) map[string]any {
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	raw := pub.Bytes() // 0x04 || X || Y
	return map[string]any{"kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
		"x": b64(raw[1:33]), "y": b64(raw[33:65])}
}

// wantStatus fails unless err is an *Error of status want (and of want's class).
func wantStatus(t testing.TB, err error, want Status) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want %s", err, err, want.Name())
	}
	if e.Code != int32(want) || e.Name != want.Name() {
		t.Fatalf("got %s (%d), want %s (%d)", e.Name, e.Code, want.Name(), int32(want))
	}
	if !errors.Is(err, want) || !errors.Is(err, want.Class()) {
		t.Fatalf("errors.Is(%v, %s / its class) is false", err, want.Name())
	}
}
