package tokenverify

import (
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

const gofrKey = "9221e451-451f-4cd6-a23d-2b2d3adea9cf"

func TestAuthenticateAPIKeys(t *testing.T) {
	v := mustVerifier(t, readRepoFile(t, "examples/requests/gofr.json"))
	r := httptest.NewRequest("GET", "/orders?x=1", nil)
	r.Header.Set("X-Api-Key", gofrKey)
	d, err := v.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed || d.HTTPStatus != 200 || d.Err != nil || d.Method != AuthAPIKey || d.Principal != "orders-service" {
		t.Fatalf("allowed decision: %+v", d)
	}
	doc, err := d.Document()
	if err != nil || doc.Rule == nil || *doc.Rule != "orders" || doc.Method != "apiKey" || doc.Status != "TV_OK" {
		t.Fatalf("document %s: %v", d.JSON, err)
	}

	missing, err := v.Authenticate(httptest.NewRequest("GET", "/orders", nil))
	if err != nil {
		t.Fatal(err)
	}
	if missing.Allowed || missing.HTTPStatus != 401 || missing.Principal != "" || missing.Claims != nil {
		t.Fatalf("missing key: %+v", missing)
	}
	wantStatus(t, missing.Err, StatusCredentialMissing)
	if !errors.Is(missing.Err, ErrRequest) {
		t.Fatal("a missing credential is not a request error")
	}

	r.Header.Set("X-Api-Key", "not-a-key")
	unknown, _ := v.Authenticate(r)
	wantStatus(t, unknown.Err, StatusUnknownKey)

	open, _ := v.Authenticate(httptest.NewRequest("GET", "/.well-known/jwks.json", nil))
	if !open.Allowed || open.Method != AuthNone {
		t.Fatalf("open path: %+v", open)
	}
}

func TestAuthenticateKgatewayJWT(t *testing.T) {
	v := mustVerifier(t, repoConfig(t, "examples/requests/kgateway.json"))
	r := httptest.NewRequest("GET", "/api", nil)
	r.Header.Set("x-jwt", "Bearer "+kgatewayToken(t))
	r.Header.Set("X-Team", "spoofed")
	d, err := v.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed || d.Method != AuthJWT || d.Principal != "alice" || d.Claims == nil {
		t.Fatalf("decision %+v (%s)", d, d.JSON)
	}
	defer d.Claims.Close()
	if team, _ := d.Claims.String("team"); team != "dev" || d.Claims.Provider() != "kgateway" {
		t.Fatalf("claims team %q provider %q", team, d.Claims.Provider())
	}
	if want := []Header{{"x-team", "dev"}, {"x-org", "solo.io"}}; !reflect.DeepEqual(d.SetHeaders, want) {
		t.Fatalf("set headers %v", d.SetHeaders)
	}
	if want := []string{"x-team", "x-org", "x-jwt"}; !reflect.DeepEqual(d.RemoveHeaders, want) {
		t.Fatalf("remove headers %v", d.RemoveHeaders)
	}

	r.Header.Set("x-jwt", "Bearer "+kgatewayToken(t)[:40])
	bad, _ := v.Authenticate(r)
	if bad.Allowed || bad.HTTPStatus != 401 || !strings.HasPrefix(bad.WWWAuthenticate, `Bearer realm="tokenverify"`) {
		t.Fatalf("bad token: %+v", bad)
	}
	if !errors.Is(bad.Err, ErrMalformed) {
		t.Fatalf("a truncated token's status: %v", bad.Err)
	}
	r.Header.Del("x-jwt")
	none, _ := v.Authenticate(r)
	if none.WWWAuthenticate != `Bearer realm="tokenverify"` {
		t.Fatalf("no token: %+v", none)
	}
	wantStatus(t, none.Err, StatusCredentialMissing)
}

func TestAuthenticateBasicRulesAndMalformedRequests(t *testing.T) {
	v := mustVerifier(t, []byte(`{"rules": [
	  {"name": "site", "host": "example.com", "auth": {"type": "basic", "basic": {"realm": "admin",
	    "users": [{"username": "ops", "password": "plain text"}]}}}]}`))
	r := httptest.NewRequest("GET", "http://example.com/admin", nil)
	r.SetBasicAuth("ops", "plain text")
	d, err := v.Authenticate(r)
	if err != nil || !d.Allowed || d.Method != AuthBasic || d.Principal != "ops" {
		t.Fatalf("basic: %+v %v", d, err)
	}
	r.SetBasicAuth("ops", "wrong")
	d, _ = v.Authenticate(r)
	wantStatus(t, d.Err, StatusBadCredentials)
	if d.HTTPStatus != 401 || d.WWWAuthenticate != `Basic realm="admin", charset="UTF-8"` {
		t.Fatalf("wrong password: %+v", d)
	}
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("ops")))
	d, _ = v.Authenticate(r)
	wantStatus(t, d.Err, StatusMalformedCredential)

	other := httptest.NewRequest("GET", "http://other.test/admin", nil)
	d, _ = v.Authenticate(other)
	wantStatus(t, d.Err, StatusNoMatchingRule)
	if d.HTTPStatus != 403 {
		t.Fatalf("no rule: %+v", d)
	}
	bad := httptest.NewRequest("GET", "http://example.com/admin", nil)
	bad.Method = "GE T"
	d, _ = v.Authenticate(bad)
	wantStatus(t, d.Err, StatusMalformedRequest)
	if d.HTTPStatus != 400 {
		t.Fatalf("malformed: %+v", d)
	}
}

// The README's AuthGate example: an HMAC signature over the method, target and body.
func TestAuthenticateWithBodyHMAC(t *testing.T) {
	config := strings.Replace(string(readRepoFile(t, "examples/requests/authgate.json")), "{", `{"now": 1700000100, `, 1)
	v := mustVerifier(t, []byte(config))
	body := []byte(`{"client":"svc"}`)
	r := httptest.NewRequest("POST", "/api/v1/tokens?scope=read", nil)
	r.Header.Set("X-Timestamp", "1700000000")
	r.Header.Set("X-Signature", "408208fe7de43b470cc550ed87f190bf9cd838ba16650e2292285f4f75d8fc82")
	d, err := v.AuthenticateWithBody(r, body)
	if err != nil || !d.Allowed || d.Method != AuthHMAC || d.Principal != "billing" {
		t.Fatalf("hmac: %+v %v", d, err)
	}
	// The same signature again is a replay; another body does not verify.
	d, _ = v.AuthenticateWithBody(r, body)
	wantStatus(t, d.Err, StatusReplayedRequest)
	d, _ = v.AuthenticateWithBody(r, []byte(`{"client":"evil"}`))
	wantStatus(t, d.Err, StatusRequestSignatureInvalid)
	d, _ = v.Authenticate(r)
	wantStatus(t, d.Err, StatusRequestSignatureInvalid)
}
