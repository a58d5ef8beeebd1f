package tokenverify

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// echo answers with what the handler saw: the decision, the claims and the headers.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	d, ok := DecisionFromContext(r.Context())
	if !ok {
		http.Error(w, "no decision in the context", 500)
		return
	}
	out := map[string]any{"principal": d.Principal, "method": d.Method.String(), "query": r.URL.RawQuery,
		"x-team": r.Header.Values("X-Team"), "x-jwt": r.Header.Get("X-Jwt"), "cookie": r.Header.Get("Cookie")}
	if d.Claims != nil {
		out["sub"], _ = d.Claims.String("sub")
	}
	if r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		out["body"] = string(body)
	}
	json.NewEncoder(w).Encode(out)
})

func get(t *testing.T, client *http.Client, method, url string, body string, headers ...string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
	} else {
		out = map[string]any{"text": string(raw)}
	}
	return resp, out
}

func TestMiddlewareOnARealServer(t *testing.T) {
	v := mustVerifier(t, repoConfig(t, "examples/requests/kgateway.json"))
	srv := httptest.NewServer(v.Middleware(echo))
	defer srv.Close()
	client := srv.Client()
	token := kgatewayToken(t)

	resp, out := get(t, client, "GET", srv.URL+"/api", "", "x-jwt", "Bearer "+token, "X-Team", "spoofed")
	if resp.StatusCode != 200 || out["principal"] != "alice" || out["sub"] != "alice" || out["method"] != "jwt" {
		t.Fatalf("allowed: %d %v", resp.StatusCode, out)
	}
	// The client's X-Team is gone, the claim's is set; the token header is not forwarded.
	if team := out["x-team"].([]any); len(team) != 1 || team[0] != "dev" || out["x-jwt"] != "" {
		t.Fatalf("forwarded headers: %v", out)
	}

	resp, out = get(t, client, "GET", srv.URL+"/api", "")
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="tokenverify"` {
		t.Fatalf("no token: %d %v %v", resp.StatusCode, resp.Header, out)
	}
	resp, out = get(t, client, "GET", srv.URL+"/api", "", "x-jwt", "Bearer "+token+"x")
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) ||
		strings.Contains(out["text"].(string), "SIGNATURE") {
		t.Fatalf("bad token: %d %v %v", resp.StatusCode, resp.Header, out)
	}
	resp, _ = get(t, client, "GET", srv.URL+"/api", "", "x-jwt", "Bearer "+token, "x-jwt", "Bearer "+token)
	if resp.StatusCode != 400 {
		t.Fatalf("token twice: %d", resp.StatusCode)
	}

	v.Close()
	resp, _ = get(t, client, "GET", srv.URL+"/api", "", "x-jwt", "Bearer "+token)
	if resp.StatusCode != 503 {
		t.Fatalf("closed verifier: %d", resp.StatusCode)
	}
}

func TestMiddlewareStripsATokenFromTheQueryAndCookies(t *testing.T) {
	for _, source := range []string{"query", "cookie"} {
		tokenSource := map[string]any{"queryParameter": "access_token"}
		if source == "cookie" {
			tokenSource = map[string]any{"cookie": "session"}
		}
		provider := map[string]any{"name": "main", "issuer": testIssuer, "algorithms": []string{"HS256"},
			"secret": testSecret, "tokenSource": tokenSource}
		v := mustVerifier(t, mustJSON(t, map[string]any{"now": testNow, "providers": []any{provider}}))
		srv := httptest.NewServer(v.Middleware(echo))
		token := hs256(t, testSecret, goodPayload())
		var resp *http.Response
		var out map[string]any
		if source == "query" {
			resp, out = get(t, srv.Client(), "GET", srv.URL+"/x?a=1&access_token="+token, "")
			if out["query"] != "a=1" {
				t.Errorf("query left: %v", out)
			}
		} else {
			resp, out = get(t, srv.Client(), "GET", srv.URL+"/x", "", "Cookie", "theme=dark; session="+token)
			if out["cookie"] != "theme=dark" {
				t.Errorf("cookie left: %v", out)
			}
		}
		if resp.StatusCode != 200 || out["sub"] != "alice" {
			t.Errorf("%s: %d %v", source, resp.StatusCode, out)
		}
		srv.Close()
	}
}

func TestMiddlewareWithBodyForHMACRules(t *testing.T) {
	config := strings.Replace(string(readRepoFile(t, "examples/requests/authgate.json")), "{", `{"now": 1700000100, `, 1)
	v := mustVerifier(t, []byte(config))
	srv := httptest.NewServer(v.MiddlewareWithBody(1<<20, echo))
	defer srv.Close()
	sig := "408208fe7de43b470cc550ed87f190bf9cd838ba16650e2292285f4f75d8fc82"
	resp, out := get(t, srv.Client(), "POST", srv.URL+"/api/v1/tokens?scope=read", `{"client":"svc"}`,
		"X-Timestamp", "1700000000", "X-Signature", sig)
	if resp.StatusCode != 200 || out["principal"] != "billing" || out["body"] != `{"client":"svc"}` {
		t.Fatalf("signed request: %d %v", resp.StatusCode, out)
	}
	resp, _ = get(t, srv.Client(), "POST", srv.URL+"/api/v1/tokens?scope=read", `{"client":"svc"}`,
		"X-Timestamp", "1700000000", "X-Signature", sig)
	if resp.StatusCode != 401 {
		t.Fatalf("replayed request: %d", resp.StatusCode)
	}
	small := httptest.NewServer(v.MiddlewareWithBody(4, echo))
	defer small.Close()
	resp, _ = get(t, small.Client(), "POST", small.URL+"/api/v1/tokens", `{"client":"svc"}`)
	if resp.StatusCode != 413 {
		t.Fatalf("body over the limit: %d", resp.StatusCode)
	}
}
