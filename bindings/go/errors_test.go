package tokenverify

import (
	"errors"
	"regexp"
	"strconv"
	"testing"
)

// Every status of core/include/tokenverify/status.def maps to a typed error
// with its code, name, message and class, here and in the loaded library.
func TestEveryStatusOfStatusDefMapsToATypedError(t *testing.T) {
	def := readRepoFile(t, "core/include/tokenverify/status.def")
	entries := regexp.MustCompile(`(?m)^TV_STATUS\(([A-Z0-9_]+), ([0-9]+), "(.*)"\)$`).FindAllSubmatch(def, -1)
	if len(entries) < 60 || len(entries) != len(statusTable) {
		t.Fatalf("status.def has %d entries, the generated table %d", len(entries), len(statusTable))
	}
	classByHundreds := map[int]error{1: ErrMalformed, 2: ErrHeader, 3: ErrSignature, 4: ErrClaims, 5: ErrKeys,
		6: ErrRequest, 9: ErrMisuse}
	allClasses := []error{ErrMalformed, ErrHeader, ErrSignature, ErrClaims, ErrKeys, ErrRequest, ErrMisuse}
	for i, m := range entries {
		name, message := "TV_"+string(m[1]), string(m[3])
		code, _ := strconv.Atoi(string(m[2]))
		s := Status(code)
		if statusTable[i].status != s || s.Name() != name || s.Message() != message {
			t.Errorf("%s (%d): generated %v %q %q", name, code, statusTable[i].status, s.Name(), s.Message())
		}
		if got := cStatusName(int32(code)); got != name {
			t.Errorf("%d: the library names it %s, status.def %s", code, got, name)
		}
		if got := cStatusMessage(int32(code)); got != message {
			t.Errorf("%s: the library says %q, status.def %q", name, got, message)
		}
		if code == 0 {
			if s.Class() != nil {
				t.Errorf("TV_OK has a class")
			}
			continue
		}
		err := statusError(int32(code))
		var e *Error
		if !errors.As(err, &e) || e.Code != int32(code) || e.Name != name || e.Message != message || e.Status() != s {
			t.Errorf("%s: statusError gives %#v", name, err)
			continue
		}
		if !errors.Is(err, s) || errors.Is(err, Status(code+1)) {
			t.Errorf("%s: errors.Is with Status is wrong", name)
		}
		want := classByHundreds[code/100]
		if want == nil || s.Class() != want {
			t.Errorf("%s: class %v, want %v", name, s.Class(), want)
		}
		for _, c := range allClasses {
			if errors.Is(err, c) != (c == want) {
				t.Errorf("%s: errors.Is(err, %v) = %v", name, c, errors.Is(err, c))
			}
		}
		if err.Error() != name+": "+message {
			t.Errorf("%s: Error() = %q", name, err.Error())
		}
	}
}

func TestUnknownStatusStillCarriesTheLibrarysName(t *testing.T) {
	err := statusError(777)
	var e *Error
	if !errors.As(err, &e) || e.Code != 777 || e.Name != "TV_UNKNOWN_STATUS" {
		t.Fatalf("got %#v", err)
	}
	if errors.Is(err, ErrMisuse) || Status(777).Class() != nil {
		t.Fatal("7xx has no class")
	}
}

func TestConfigurationErrorCarriesTheFieldAtFault(t *testing.T) {
	_, err := NewVerifier([]byte(`{"providers": [{"name": "p", "isser": "x", "secret": "0123456789abcdef0123456789abcdef"}]}`))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	wantStatus(t, err, StatusConfig)
	if e.Field != "providers[0].isser" || e.Detail != `unknown field "isser"` {
		t.Fatalf("field %q detail %q", e.Field, e.Detail)
	}
	if !errors.Is(err, ErrMisuse) || e.Error() != `TV_ERR_CONFIG: configuration document is invalid (providers[0].isser: unknown field "isser")` {
		t.Fatalf("Error() = %q", e.Error())
	}
	_, err = NewVerifier([]byte(`not json`))
	wantStatus(t, err, StatusConfig)
	_, err = NewVerifier(nil)
	if err == nil {
		t.Fatal("an empty configuration was accepted")
	}
	_, err = NewVerifier([]byte(`{"providers": [{"name": "p", "jwks": {"local": {"file": "/nonexistent/jwks.json"}}}]}`))
	wantStatus(t, err, StatusIO)
}
