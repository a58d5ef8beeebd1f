// WorkerPool: the threads a verifier keeps for batch verification
// (Verifier::VerifyBatch, batch.cc). Started on the first batch that asks for
// more than one thread, grown to the largest number asked for (up to
// kMaxParticipants), and joined when the verifier is destroyed: a batch never
// creates a thread of its own once the pool is large enough.
//
// One Run hands the indexes [0, count) out in chunks through an atomic
// counter (large chunks first, single indexes at the end); the calling thread
// takes chunks too, and Run returns when every index is done. Several threads may Run on one pool at once: each Run is
// a job in a list, and an idle worker joins the first job that still wants helpers, so concurrent batches share the
// workers instead of waiting for each other.
//
// fork(): a child has none of the parent's workers. The pool's threads belong
// to a "crew" stamped with the fork generation (keysets/key_cache.h) of the
// process that started them; a Run in a process of another generation leaves
// that crew untouched (its mutex may have been held by a worker at the fork)
// and starts a new one, so a child never waits for a thread that is not there.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace tokenverify::internal {

class WorkerPool {
 public:
  // The most threads one job runs on, the caller included; larger requests
  // are cut to it. Past the core count more threads only add switching.
  static constexpr unsigned kMaxParticipants = 64;

  // The work of a job: called with disjoint ranges [begin, end) that together
  // cover [0, count), from the caller and the workers at once. Must not throw.
  using ChunkFn = void (*)(void* context, size_t begin, size_t end) noexcept;

  WorkerPool() = default;
  ~WorkerPool();  // stops and joins the workers (those of this process; see above)
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `chunk_fn(context, begin, end)` over [0, count) on the calling
  // thread and up to `participants - 1` workers, and returns when every index
  // is done. With participants <= 1, or when no worker can be had (thread
  // creation failed), the calling thread does it all.
  void Run(size_t count, unsigned participants, ChunkFn chunk_fn, void* context) noexcept;

  // The same with any callable `void(size_t begin, size_t end) noexcept`.
  template <typename F>
  void Run(size_t count, unsigned participants, F& body) noexcept {
    Run(
        count, participants, [](void* c, size_t b, size_t e) noexcept { (*static_cast<F*>(c))(b, e); }, &body);
  }

  // The number of workers started in this process (the caller not counted).
  // For tests: it shows that repeated batches reuse the same threads.
  size_t worker_count() const noexcept;

 private:
  struct Job;
  struct Crew;

  // The crew of this process with at least `workers` workers (fewer if
  // threads cannot be created), or nullptr when none can be made at all.
  Crew* CrewWithWorkers(unsigned workers) noexcept;

  // Replaced (never freed) in a child process; freed by the destructor.
  std::atomic<Crew*> crew_{nullptr};
};

}  // namespace tokenverify::internal
