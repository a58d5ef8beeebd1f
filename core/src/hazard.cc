// The registry of per-thread hazard records (see internal/hazard.h).
//
// Records live in a global singly linked list that only grows; a thread takes
// a free record on first use and gives it back when it exits, so the list is
// as long as the most threads that ever read at once. Records are never freed
// (a scanning writer may be walking the list at any time).
#include <cstdio>
#include <cstdlib>

#include "internal/hazard.h"

namespace tokenverify::internal {
namespace {

struct alignas(64) HazardRecord {
  std::atomic<const void*> slots[kHazardSlotsPerThread] = {};
  std::atomic<bool> owned{false};
  bool busy[kHazardSlotsPerThread] = {};  // touched only by the owning thread
  HazardRecord* next = nullptr;           // immutable once the record is in the list
};

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

// Gives the record back when its thread exits.
struct ThreadRecord {
  HazardRecord* record = ClaimRecord();
  ~ThreadRecord() {
    for (int i = 0; i < kHazardSlotsPerThread; ++i) {
      record->busy[i] = false;
      record->slots[i].store(nullptr, std::memory_order_release);
    }
    record->owned.store(false, std::memory_order_release);
  }
};

HazardRecord* ThisThreadRecord() {
  thread_local ThreadRecord mine;
  return mine.record;
}

}  // namespace

std::atomic<const void*>* AcquireHazardSlot() {
  HazardRecord* r = ThisThreadRecord();
  for (int i = 0; i < kHazardSlotsPerThread; ++i) {
    if (!r->busy[i]) {
      r->busy[i] = true;
      return &r->slots[i];
    }
  }
  std::fputs("tokenverify: more snapshot readers nested on one thread than hazard slots\n", stderr);
  std::abort();
}

void ReleaseHazardSlot(std::atomic<const void*>* slot) noexcept {
  HazardRecord* r = ThisThreadRecord();
  slot->store(nullptr, std::memory_order_release);
  r->busy[slot - r->slots] = false;
}

void CollectHazards(std::vector<const void*>* out) {
  for (HazardRecord* r = g_records.load(std::memory_order_acquire); r != nullptr; r = r->next) {
    for (const auto& s : r->slots) {
      if (const void* p = s.load(std::memory_order_seq_cst)) out->push_back(p);
    }
  }
}

}  // namespace tokenverify::internal
