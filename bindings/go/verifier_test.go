package tokenverify

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	testSecret = "go-binding-test-secret-0123456789abcdef"
	testIssuer = "https://issuer.test"
	testNow    = 1_800_000_000
)

func hsConfig(t testing.TB, extra map[string]any) []byte {
	provider := map[string]any{"name": "main", "issuer": testIssuer, "algorithms": []string{"HS256"}, "secret": testSecret}
	doc := map[string]any{"now": testNow, "providers": []any{provider}}
	for k, v := range extra {
		doc[k] = v
	}
	return mustJSON(t, doc)
}

func goodPayload() map[string]any {
	return map[string]any{"iss": testIssuer, "sub": "alice", "exp": testNow + 600, "iat": testNow - 10, "team": "dev",
		"jti": "token-1", "n": 42, "roles": []string{"a", "b"}}
}

func TestKgatewayExample(t *testing.T) {
	v := mustVerifier(t, repoConfig(t, "examples/kgateway/config.json"))
	token := kgatewayToken(t)
	if err := v.VerifyOnly(token); err != nil {
		t.Fatalf("VerifyOnly: %v", err)
	}
	c, err := v.Verify(token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	defer c.Close()
	if sub, err := c.String("sub"); err != nil || sub != "alice" {
		t.Fatalf("sub = %q, %v", sub, err)
	}
	if team, _ := c.String("team"); team != "dev" {
		t.Fatalf("team = %q", team)
	}
	if exp, err := c.Int64("exp"); err != nil || exp != 2074274884 {
		t.Fatalf("exp = %d, %v", exp, err)
	}
	if raw, err := c.Raw("llms"); err != nil || string(raw) != `{"openai":["gpt-3.5-turbo"]}` {
		t.Fatalf("llms = %s, %v", raw, err)
	}
	if c.Provider() != "kgateway" {
		t.Fatalf("provider %q", c.Provider())
	}
	header, err := c.HeaderJSON()
	if err != nil || !strings.Contains(string(header), `"kid":"solo-public-key-001"`) {
		t.Fatalf("header %s, %v", header, err)
	}
	m, err := c.Map()
	if err != nil || m["org"] != "solo.io" || m["exp"] != json.Number("2074274884") {
		t.Fatalf("map %v, %v", m, err)
	}
	var typed struct {
		Sub  string              `json:"sub"`
		LLMs map[string][]string `json:"llms"`
	}
	if err := c.Decode(&typed); err != nil || typed.Sub != "alice" || typed.LLMs["openai"][0] != "gpt-3.5-turbo" {
		t.Fatalf("decode %+v, %v", typed, err)
	}
	_, err = c.String("missing")
	wantStatus(t, err, StatusNotFound)
	_, err = c.Int64("sub")
	wantStatus(t, err, StatusWrongType)
	_, err = c.String("exp")
	wantStatus(t, err, StatusWrongType)
}

func TestTamperedTokenIsABadSignature(t *testing.T) {
	v := mustVerifier(t, repoConfig(t, "examples/kgateway/config.json"))
	token := kgatewayToken(t)
	sig := strings.LastIndexByte(token, '.') + 10
	flipped := byte('A')
	if token[sig] == 'A' {
		flipped = 'B'
	}
	tampered := token[:sig] + string(flipped) + token[sig+1:]
	err := v.VerifyOnly(tampered)
	wantStatus(t, err, StatusSignatureInvalid)
	var e *Error
	if !errors.As(err, &e) || e.Code != 300 || e.Name != "TV_ERR_SIGNATURE_INVALID" || !errors.Is(err, ErrSignature) {
		t.Fatalf("got %#v", err)
	}
	// The payload changed under the same signature: forged, whatever its claims say.
	parts := strings.Split(token, ".")
	forged := parts[0] + "." + b64([]byte(`{"iss":"solo.io","sub":"mallory","exp":2074274884}`)) + "." + parts[2]
	_, err = v.Verify(forged)
	wantStatus(t, err, StatusSignatureInvalid)
}

// One status of every class, each with its exact code.
func TestOneStatusOfEveryClass(t *testing.T) {
	v := mustVerifier(t, hsConfig(t, nil))
	payload := goodPayload()
	good := hs256(t, testSecret, payload)
	if err := v.VerifyOnly(good); err != nil {
		t.Fatalf("good token: %v", err)
	}
	expired := goodPayload()
	expired["exp"] = testNow - 600
	wrongIssuer := goodPayload()
	wrongIssuer["iss"] = "https://other.test"
	noneHeader := b64([]byte(`{"alg":"none"}`)) + "." + b64(mustJSON(t, payload)) + "."
	es := strings.Split(hs256(t, testSecret, payload), ".")
	es[0] = b64([]byte(`{"alg":"ES256","typ":"JWT"}`))
	cases := []struct {
		token string
		want  Status
		class error
	}{
		{"junk", StatusMalformedToken, ErrMalformed},
		{"a.b", StatusMalformedToken, ErrMalformed},
		{"!!!.e30.e30", StatusBadBase64URL, ErrMalformed},
		{noneHeader, StatusAlgNone, ErrHeader},
		{good[:strings.LastIndexByte(good, '.')+1], StatusEmptySignature, ErrMalformed},
		{strings.Join(es, "."), StatusAlgNotAllowed, ErrHeader},
		{good[:len(good)-4] + "AAAA", StatusSignatureInvalid, ErrSignature},
		{hs256(t, "another-secret-0123456789abcdef-0123456789", payload), StatusSignatureInvalid, ErrSignature},
		{hs256(t, testSecret, expired), StatusExpired, ErrClaims},
		{hs256(t, testSecret, wrongIssuer), StatusIssuerMismatch, ErrClaims},
	}
	for _, c := range cases {
		err := v.VerifyOnly(c.token)
		wantStatus(t, err, c.want)
		if !errors.Is(err, c.class) {
			t.Errorf("%s is not in its class", c.want.Name())
		}
		if _, err2 := v.Verify(c.token); err2 != err {
			t.Errorf("Verify and VerifyOnly disagree: %v / %v", err2, err)
		}
	}
	// 5xx: a kid that the key set does not have.
	kv := mustVerifier(t, repoConfig(t, "examples/kgateway/config.json"))
	parts := strings.Split(kgatewayToken(t), ".")
	parts[0] = b64([]byte(`{"alg":"RS256","typ":"JWT","kid":"no-such-kid"}`))
	err := kv.VerifyOnly(strings.Join(parts, "."))
	wantStatus(t, err, StatusKidNotFound)
	if !errors.Is(err, ErrKeys) {
		t.Fatal("kid not found is not a key error")
	}
	// 6xx is a request's (TestAuthenticate...), 9xx a configuration's (TestConfiguration...).
}

func TestRevocation(t *testing.T) {
	v := mustVerifier(t, hsConfig(t, nil))
	token := hs256(t, testSecret, goodPayload())
	if err := v.VerifyOnly(token); err != nil {
		t.Fatal(err)
	}
	if err := v.Revoke("token-1", time.Unix(testNow+600, 0)); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, v.VerifyOnly(token), StatusRevoked)
	other := goodPayload()
	other["jti"], other["sub"] = "token-2", "bob"
	bob := hs256(t, testSecret, other)
	if err := v.VerifyOnly(bob); err != nil {
		t.Fatal(err)
	}
	if err := v.RevokeSubject("bob", time.Unix(testNow, 0)); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, v.VerifyOnly(bob), StatusRevoked)
	wantStatus(t, v.Revoke("", time.Unix(testNow, 0)), StatusInvalidArgument)
}

func TestStatsBatchInspectVersion(t *testing.T) {
	v := mustVerifier(t, hsConfig(t, nil))
	token := hs256(t, testSecret, goodPayload())
	errs, err := v.VerifyBatch([]string{token, "junk", token, ""}, 2)
	if err != nil || len(errs) != 4 || errs[0] != nil || errs[2] != nil {
		t.Fatalf("batch: %v, %v", errs, err)
	}
	wantStatus(t, errs[1], StatusMalformedToken)
	wantStatus(t, errs[3], v.VerifyOnly("").(*Error).Status())
	if errs, err := v.VerifyBatch(nil, 0); errs != nil || err != nil {
		t.Fatalf("empty batch: %v %v", errs, err)
	}

	for _, withKeys := range []bool{false, true} {
		doc, err := v.Stats(withKeys)
		if err != nil {
			t.Fatal(err)
		}
		var stats struct {
			Providers []struct {
				Name string           `json:"name"`
				Keys []map[string]any `json:"keys"`
			} `json:"providers"`
		}
		if err := json.Unmarshal(doc, &stats); err != nil || len(stats.Providers) != 1 || stats.Providers[0].Name != "main" {
			t.Fatalf("stats %s: %v", doc, err)
		}
		if withKeys != (len(stats.Providers[0].Keys) == 1) {
			t.Fatalf("stats keys (withKeys=%v): %s", withKeys, doc)
		}
	}

	c, err := InspectUnverified(hs256(t, "any-secret-at-all", goodPayload()))
	if err != nil {
		t.Fatal(err)
	}
	if sub, _ := c.String("sub"); sub != "alice" || c.Provider() != "" {
		t.Fatalf("inspect: %q %q", sub, c.Provider())
	}
	c.Close()
	_, err = InspectUnverified("junk")
	wantStatus(t, err, StatusMalformedToken)

	if Version() != BindingVersion || VersionNumber() == 0 || Base64URLImplementation() == "" {
		t.Fatalf("version %s (header %s) %d kernel %q", Version(), BindingVersion, VersionNumber(), Base64URLImplementation())
	}
}
