// The registry of per-thread hazard records (see keysets/snapshot.h).
//
// Records live in a global singly linked list that only grows; a thread takes
// a free record on its first read and gives it back when it exits, so the
// list is as long as the most threads that ever read at once. Records are
// never freed (a scanning writer may be walking the list at any time).
//
// After fork() the child has only the thread that forked: the records of the
// other threads stay owned, and their slots keep naming whatever those
// threads were reading when the parent forked, though no reader in the child
// can use those snapshots. A child handler gives those records back (slots
// cleared), so the child reclaims such snapshots and reuses the records.
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "keysets/snapshot.h"

namespace tokenverify::internal {

constinit thread_local HazardRecord* tl_hazard_record = nullptr;

namespace {

// Process-wide: every thread's hazard record, a list that only grows.
std::atomic<HazardRecord*> g_records{nullptr};

HazardRecord* ClaimRecord() {
  for (HazardRecord* r = g_records.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    bool expected = false;
    if (!r->owned.load(std::memory_order_relaxed) &&
        r->owned.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
      return r;
  }
  auto* r = new HazardRecord();  // NOLINT: never freed, see above
  r->owned.store(true, std::memory_order_relaxed);
  HazardRecord* head = g_records.load(std::memory_order_relaxed);
  do {
    r->next = head;
  } while (!g_records.compare_exchange_weak(head, r, std::memory_order_release, std::memory_order_relaxed));
  return r;
}

// Gives the thread's record back when the thread exits.
struct RecordReturner {
  HazardRecord* record = nullptr;
  ~RecordReturner() {
    if (record == nullptr) return;
    for (int i = 0; i < kHazardSlotsPerThread; ++i) {
      record->busy[i] = false;
      record->slots[i].store(nullptr, std::memory_order_release);
    }
    record->owned.store(false, std::memory_order_release);
    tl_hazard_record = nullptr;
  }
};

// In the child, inside fork(): only this thread exists, so nobody else reads
// or claims records while we walk them.
void ReleaseRecordsOfThreadsLeftBehind() noexcept {
  for (HazardRecord* r = g_records.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    if (r == tl_hazard_record) continue;  // this thread's own, maybe holding a snapshot right now
    for (int i = 0; i < kHazardSlotsPerThread; ++i) {
      r->busy[i] = false;
      r->slots[i].store(nullptr, std::memory_order_relaxed);
    }
    r->owned.store(false, std::memory_order_release);
  }
}

}  // namespace

HazardRecord* ClaimHazardRecord() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, &ReleaseRecordsOfThreadsLeftBehind); });
  thread_local RecordReturner returner;
  HazardRecord* r = ClaimRecord();
  returner.record = r;
  tl_hazard_record = r;
  return r;
}

void HazardSlotsExhausted() noexcept {
  std::fputs("tokenverify: more snapshot readers nested on one thread than hazard slots\n", stderr);
  std::abort();
}

void CollectHazards(std::vector<const void*>* out) {
  for (HazardRecord* r = g_records.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    for (const auto& s : r->slots) {
      if (const void* p = s.load(std::memory_order_seq_cst)) out->push_back(p);
    }
  }
}

}  // namespace tokenverify::internal
