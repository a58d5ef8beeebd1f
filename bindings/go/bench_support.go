package tokenverify

/*
#include "tokenverify.h"

// tv_go_verify_loop runs tv_verify n times in C: the floor that the binding's
// benchmarks compare VerifyOnly with (the difference is the cost of cgo and of
// the binding).
static int tv_go_verify_loop(const tv_verifier* v, const uint8_t* token, size_t len, long n) {
  int ok = 0;
  for (long i = 0; i < n; i++) ok += tv_verify(v, NULL, token, len) == TV_OK;
  return ok;
}
*/
import "C"

// verifyLoopInC verifies token n times in one cgo call; it returns how many verified.
func verifyLoopInC(v *Verifier, token string, n int) int {
	p := v.acquire()
	if p == nil {
		return 0
	}
	defer v.mu.RUnlock()
	return int(C.tv_go_verify_loop(p, stringPtr(token), C.size_t(len(token)), C.long(n)))
}
