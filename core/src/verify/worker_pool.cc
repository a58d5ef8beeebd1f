#include "verify/worker_pool.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "keysets/key_cache.h"

namespace tokenverify::internal {

namespace {

using std::memory_order_acq_rel;
using std::memory_order_acquire;
using std::memory_order_relaxed;
using std::memory_order_release;

// How long an idle worker watches for the next job before it sleeps, and how
// long a caller watches for its last helper before it sleeps. Waking a
// sleeping thread costs several microseconds (a futex call, then the
// scheduler), as much as a few HS256 verifications: batches that follow each
// other (a queue consumer, the benchmark) find their workers awake. Bounded,
// so an idle pool costs no CPU.
constexpr std::chrono::microseconds kIdleSpin{50};
constexpr std::chrono::microseconds kFinishSpin{20};

inline void CpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls `done` for up to `budget`; true as soon as it holds. Every 64 polls
// it also yields: when the machine has fewer free cores than threads (a
// shared host), the thread this one waits for may be queued behind it on the
// same core, and a spin that never yields would only delay it.
template <typename Done>
bool SpinFor(Done done, std::chrono::microseconds budget) noexcept {
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 1;; ++i) {
    if (done()) return true;
    CpuRelax();
    if ((i & 63) == 0) {
      if (std::chrono::steady_clock::now() - start > budget) return done();
      std::this_thread::yield();
    }
  }
}

// Guided self-scheduling: each grab takes a share of what is left (half of
// it spread over the participants), between 1 and kMaxChunk indexes. Large
// grabs early keep the shared counter, and the cache lines of neighbouring
// results that two threads would otherwise both write (a tv_status is 4
// bytes: 16 share a line), out of the way; grabs of one or two at the end let
// the threads finish together. A fixed chunk of 2 tokens cost HS256 batches on
// 2 threads 14% more CPU per token than one thread; a fixed chunk large enough
// to avoid that leaves one thread idle for several tokens at the end.
constexpr size_t kMaxChunk = 64;

size_t GrabSize(size_t remaining, unsigned participants) noexcept {
  return std::clamp<size_t>(remaining / (2 * size_t{participants}), 1, kMaxChunk);
}

}  // namespace

struct WorkerPool::Job {
  ChunkFn chunk_fn = nullptr;
  void* context = nullptr;
  size_t count = 0;
  unsigned participants = 1;    // the caller and the helpers wanted
  std::atomic<size_t> next{0};  // the first index no thread has taken yet
  unsigned helpers_wanted = 0;
  unsigned helpers_joined = 0;  // under Crew::mu
  // Workers inside Work(). Changed under Crew::mu; the caller also polls it
  // without the lock once the job is out of the list (no one joins then).
  std::atomic<unsigned> helpers_inside{0};
  Job* next_job = nullptr;  // Crew::jobs, under Crew::mu

  bool WantsHelp() const noexcept { return helpers_joined < helpers_wanted && next.load(memory_order_relaxed) < count; }

  void Work() noexcept {
    size_t begin = next.load(memory_order_relaxed);
    while (begin < count) {
      const size_t end = begin + GrabSize(count - begin, participants);
      // On failure `begin` is reloaded: another thread took that range.
      if (next.compare_exchange_weak(begin, end, memory_order_relaxed, memory_order_relaxed)) {
        chunk_fn(context, begin, end);
        begin = next.load(memory_order_relaxed);
      }
    }
  }
};

struct WorkerPool::Crew {
  explicit Crew(uint64_t fork_generation) : generation(fork_generation) {
    workers.reserve(kMaxParticipants);  // never reallocated while threads start
  }

  void WorkerMain() noexcept;
  Job* FirstJobWantingHelp() const noexcept {
    for (Job* j = jobs; j != nullptr; j = j->next_job)
      if (j->WantsHelp()) return j;
    return nullptr;
  }

  const uint64_t generation;  // g_fork_generation of the process these workers run in
  std::mutex mu;
  std::condition_variable work_posted;  // idle workers sleep here
  std::condition_variable helper_left;  // callers wait here for their job's last helper
  std::vector<std::thread> workers;     // under mu; only grows
  std::atomic<size_t> worker_count{0};  // workers.size(), readable without mu
  Job* jobs = nullptr;                  // jobs still running, oldest first; under mu
  std::atomic<uint64_t> posted{0};      // jobs ever posted: what idle workers watch
  std::atomic<bool> stop{false};        // set under mu
};

void WorkerPool::Crew::WorkerMain() noexcept {
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    if (stop.load(memory_order_relaxed)) return;
    if (Job* job = FirstJobWantingHelp()) {
      ++job->helpers_joined;
      job->helpers_inside.fetch_add(1, memory_order_relaxed);
      lock.unlock();
      job->Work();
      lock.lock();
      // Release: the caller reads what this thread wrote once it sees 0.
      if (job->helpers_inside.fetch_sub(1, memory_order_acq_rel) == 1) helper_left.notify_all();
      continue;  // the job may be gone now: never touched again
    }
    // Nothing to join. Taken under mu: a job posted from now on changes it.
    const uint64_t seen = posted.load(memory_order_relaxed);
    auto woken = [&] { return posted.load(memory_order_relaxed) != seen || stop.load(memory_order_relaxed); };
    lock.unlock();
    SpinFor(woken, kIdleSpin);
    lock.lock();
    work_posted.wait(lock, woken);
  }
}

WorkerPool::~WorkerPool() {
  Crew* crew = crew_.load(memory_order_acquire);
  if (crew == nullptr) return;
  // A crew of the parent process: its threads are not in this one, and a
  // worker may have held its mutex at the fork. Left as it is, never freed.
  if (crew->generation != g_fork_generation.load(memory_order_acquire)) return;
  {
    std::lock_guard<std::mutex> lock(crew->mu);
    crew->stop.store(true, memory_order_relaxed);
  }
  crew->work_posted.notify_all();
  for (std::thread& t : crew->workers) t.join();
  delete crew;
}

size_t WorkerPool::worker_count() const noexcept {
  const Crew* crew = crew_.load(memory_order_acquire);
  if (crew == nullptr || crew->generation != g_fork_generation.load(memory_order_acquire)) return 0;
  return crew->worker_count.load(memory_order_acquire);
}

WorkerPool::Crew* WorkerPool::CrewWithWorkers(unsigned workers) noexcept {
  CountForks();  // before the first read of the generation: see key_cache.h
  const uint64_t generation = g_fork_generation.load(memory_order_acquire);
  Crew* crew = crew_.load(memory_order_acquire);
  while (crew == nullptr || crew->generation != generation) {
    Crew* fresh = new (std::nothrow) Crew(generation);
    if (fresh == nullptr) return nullptr;
    // On success the parent's crew (if crew was one) is dropped, not freed.
    if (crew_.compare_exchange_strong(crew, fresh, memory_order_acq_rel, memory_order_acquire)) {
      crew = fresh;
      break;
    }
    delete fresh;  // another thread installed a crew first: check that one
  }
  if (crew->worker_count.load(memory_order_acquire) < workers) {
    std::lock_guard<std::mutex> lock(crew->mu);
    while (crew->workers.size() < workers) {
      try {
        crew->workers.emplace_back([crew] { crew->WorkerMain(); });
      } catch (...) {  // std::system_error: the process's thread limit; run with those we have
        break;
      }
      crew->worker_count.store(crew->workers.size(), memory_order_release);
    }
  }
  return crew->worker_count.load(memory_order_acquire) > 0 ? crew : nullptr;
}

void WorkerPool::Run(size_t count, unsigned participants, ChunkFn chunk_fn, void* context) noexcept {
  if (count == 0) return;
  participants = std::clamp(participants, 1u, kMaxParticipants);
  // No more helpers than there are indexes besides the caller's first.
  const auto helpers = static_cast<unsigned>(std::min<size_t>(participants - 1, count - 1));
  Crew* crew = helpers > 0 ? CrewWithWorkers(helpers) : nullptr;
  if (crew == nullptr) {
    chunk_fn(context, 0, count);
    return;
  }

  Job job;
  job.chunk_fn = chunk_fn;
  job.context = context;
  job.count = count;
  job.participants = helpers + 1;
  job.helpers_wanted = helpers;
  {
    std::lock_guard<std::mutex> lock(crew->mu);
    Job** tail = &crew->jobs;
    while (*tail != nullptr) tail = &(*tail)->next_job;
    *tail = &job;
    crew->posted.fetch_add(1, memory_order_relaxed);
  }
  if (helpers >= crew->worker_count.load(memory_order_relaxed)) {
    crew->work_posted.notify_all();
  } else {
    for (unsigned i = 0; i < helpers; ++i) crew->work_posted.notify_one();
  }

  job.Work();

  // Every chunk is taken. Out of the list, the job gains no helper, so once
  // helpers_inside is 0 no thread touches it again and it may go.
  {
    std::lock_guard<std::mutex> lock(crew->mu);
    Job** link = &crew->jobs;
    while (*link != &job) link = &(*link)->next_job;
    *link = job.next_job;
  }
  auto finished = [&] { return job.helpers_inside.load(memory_order_acquire) == 0; };
  if (SpinFor(finished, kFinishSpin)) return;
  std::unique_lock<std::mutex> lock(crew->mu);
  crew->helper_left.wait(lock, finished);
}

}  // namespace tokenverify::internal
