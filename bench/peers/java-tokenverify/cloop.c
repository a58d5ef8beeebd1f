/* cloop.c: the native side of TokenverifyPeer's paired overhead measurement, a test-only
 * helper library (never part of the Java package). run.sh builds it against the harness's
 * libtokenverify into the work dir's bin and passes its path in -Dtokenverify.peer.cloop.
 *
 *  - tv_peer_cloop: the baseline, tv_verify called in a plain C loop (what a C caller pays),
 *    one downcall per block, so the Java side adds nothing per verification;
 *  - tv_peer_cpu_ns: CLOCK_PROCESS_CPUTIME_ID (all threads, JIT and GC included). The
 *    runner's own clock, OperatingSystemMXBean.getProcessCpuTime(), reads times() on Linux
 *    and so moves in 10 ms ticks: too coarse for blocks of 2 ms.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11; before any header */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tokenverify.h"

/* n verifications of |token| (|len| bytes) by |v|: how many returned TV_OK. */
int tv_peer_cloop(const tv_verifier* v, const uint8_t* token, size_t len, long n) {
  int ok = 0;
  for (long i = 0; i < n; i++) ok += tv_verify(v, NULL, token, len) == TV_OK;
  return ok;
}

/* The process's CPU time in ns, -1 if the clock is unavailable. */
int64_t tv_peer_cpu_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return -1;
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
