// Lock-free publication of immutable snapshots, with hazard pointers for
// reclamation.
//
// Why hazard pointers (and not epochs or shared_ptr): a reader must take no
// lock and write no cache line that another thread writes. std::atomic of a
// shared_ptr takes a lock and bumps a shared reference count. With hazard
// pointers, a reader announces the snapshot it is about to use in a slot of
// its own thread's record (a cache line no other reader writes), checks that
// the snapshot is still the current one, uses it, and clears the slot. A writer
// swaps the pointer, then frees a retired snapshot only once no slot names it.
// Unlike epochs, a reader that stalls (or waits) delays the reclamation of one
// snapshot, not of every snapshot retired after it.
//
// Memory order: the slot store and the re-check load are seq_cst, and so are
// the writer's exchange and its scan of the slots. Either the writer's scan
// sees the reader's slot (and keeps the snapshot), or the reader's re-check
// sees the new pointer (and retries): never neither.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace tokenverify::internal {

// Slots per thread. A verification holds at most two snapshots at once: the
// one Prescreen keeps for the provider its kid names, and another provider's
// that CheckProvider reads beside it (verify/providers.cc). A caller that
// reads cells while holding those (a stats call on a verifying thread) takes
// a third; the fourth is spare. Running out is a bug and aborts.
inline constexpr int kHazardSlotsPerThread = 4;

// One thread's hazard slots, on a cache line of its own: readers write only
// their own record. Records are never freed (see keysets/snapshot.cc).
struct alignas(64) HazardRecord {
  std::atomic<const void*> slots[kHazardSlotsPerThread] = {};
  std::atomic<bool> owned{false};
  bool busy[kHazardSlotsPerThread] = {};  // touched only by the owning thread
  HazardRecord* next = nullptr;           // immutable once the record is in the list
};

// This thread's record, null until its first read. constinit: a plain TLS
// load on the read path, with no initialisation guard or wrapper call.
extern constinit thread_local HazardRecord* tl_hazard_record;

// The first read on a thread: claims a record (a free one, or a new one) and
// arranges to give it back when the thread exits. May throw bad_alloc.
HazardRecord* ClaimHazardRecord();
[[noreturn]] void HazardSlotsExhausted() noexcept;

// Appends to *out every pointer currently announced by any thread.
void CollectHazards(std::vector<const void*>* out);

// One hold of this thread on the pointer a cell publishes: a free slot of the
// thread's record, taken (TakeHazardSlot), announcing the pointer it protects
// (Protect), until it is released (Release). SnapshotCell's readers and the
// token cache's hits (cache/token_cache.h) use it.
struct HazardSlot {
  HazardRecord* record;
  int index;

  static HazardSlot Take() {
    HazardRecord* r = tl_hazard_record;
    if (r == nullptr) [[unlikely]]
      r = ClaimHazardRecord();
    int i = 0;
    while (r->busy[i]) {
      if (++i == kHazardSlotsPerThread) [[unlikely]]
        HazardSlotsExhausted();
    }
    r->busy[i] = true;
    return {r, i};
  }

  // Announces what `cell` holds and returns it once the cell is seen still
  // holding it after the announcement (seq_cst both: see the top of this file).
  template <class P>
  P Protect(const std::atomic<P>& cell) const noexcept {
    std::atomic<const void*>& slot = record->slots[index];
    P p = cell.load(std::memory_order_acquire);
    for (;;) {
      slot.store(p, std::memory_order_seq_cst);
      const P again = cell.load(std::memory_order_seq_cst);
      if (again == p) return p;
      p = again;
    }
  }

  void Release() const noexcept {
    record->slots[index].store(nullptr, std::memory_order_release);
    record->busy[index] = false;
  }
};

// A published pointer to an immutable T that readers use without locks.
template <class T>
class SnapshotCell {
 public:
  // A reader's hold on the current snapshot; get() stays valid, and
  // unchanged, until the Reader is destroyed, whatever writers publish.
  class Reader {
   public:
    Reader(Reader&& o) noexcept : record_(o.record_), index_(o.index_), value_(o.value_) { o.record_ = nullptr; }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    Reader& operator=(Reader&&) = delete;
    ~Reader() {
      if (record_ != nullptr) HazardSlot{record_, index_}.Release();
    }
    const T* get() const noexcept { return value_; }
    const T* operator->() const noexcept { return value_; }
    explicit operator bool() const noexcept { return value_ != nullptr; }

   private:
    friend class SnapshotCell;
    Reader(HazardRecord* record, int index, const T* value) noexcept : record_(record), index_(index), value_(value) {}
    HazardRecord* record_;  // the reading thread's record (null once moved from)
    int index_;             // the slot this hold occupies
    const T* value_;
  };

  SnapshotCell() = default;
  explicit SnapshotCell(std::unique_ptr<T> initial) : current_(initial.release()) {}
  SnapshotCell(const SnapshotCell&) = delete;
  SnapshotCell& operator=(const SnapshotCell&) = delete;

  // No reader may be active (the owner is being destroyed).
  ~SnapshotCell() {
    delete current_.load(std::memory_order_relaxed);
    for (T* t : retired_) delete t;
  }

  // Takes a hold on the current snapshot (possibly null). Lock-free; writes
  // only this thread's own hazard slot.
  Reader Read() const {
    const HazardSlot slot = HazardSlot::Take();
    return Reader(slot.record, slot.index, slot.Protect(current_));
  }

  // Publishes `next` (may be null) and retires the previous snapshot, which
  // is freed once no reader holds it. Writers may call this concurrently.
  void Publish(std::unique_ptr<T> next) {
    std::lock_guard<std::mutex> lock(retire_mu_);
    retired_.reserve(retired_.size() + 1);  // the push_back below cannot throw after the swap
    T* old = current_.exchange(next.release(), std::memory_order_seq_cst);
    if (old != nullptr) retired_.push_back(old);
    ReclaimLocked();
  }

  // Frees retired snapshots that no reader holds any more; called by Publish,
  // and by an owner that wants memory back without publishing.
  void Reclaim() {
    std::lock_guard<std::mutex> lock(retire_mu_);
    ReclaimLocked();
  }

  // Snapshots retired and not yet freed (for tests and stats).
  size_t retired_count() const {
    std::lock_guard<std::mutex> lock(retire_mu_);
    return retired_.size();
  }

 private:
  void ReclaimLocked() {
    if (retired_.empty()) return;
    std::vector<const void*> held;
    CollectHazards(&held);
    size_t kept = 0;
    for (T* t : retired_) {
      bool in_use = false;
      for (const void* h : held) in_use |= h == t;
      if (in_use)
        retired_[kept++] = t;
      else
        delete t;
    }
    retired_.resize(kept);
  }

  // The pointer readers load has a cache line to itself: the writer's lock
  // and retired list change several times per publish, and beside it they
  // would cost every reader a miss per change instead of one per publish.
  alignas(64) std::atomic<T*> current_{nullptr};
  alignas(64) mutable std::mutex retire_mu_;
  std::vector<T*> retired_;
};

}  // namespace tokenverify::internal
