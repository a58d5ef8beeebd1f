// The key cache of one provider: an immutable key-set snapshot published
// through one atomic pointer (SnapshotCell, hazard pointers), and for file and
// remote sources a background thread that keeps it fresh.
//
// Readers (every verification) call Read() and keep the Reader for the whole
// verification: they take no lock and write only their own thread's hazard
// slot, and a verification that started on one snapshot finishes on it even if
// a refresh publishes another meanwhile.
//
// The refresher is one thread per refreshable provider. It is also the only
// thread that fetches, which makes refreshes single-flight by construction:
// requests for an early refresh (an unknown kid) just set a flag and wake it.
//
// fork(): a child process has only the thread that forked, so a cache built
// before fork() (pre-forking servers) has no refresher there. The
// pthread_atfork handlers (key_cache_fork.cc) make the state the refresher
// guards consistent across the fork and bump a process-wide fork generation;
// the first use of the cache in the child (Read, Stats, an unknown kid)
// starts a new refresher, and the destructor never joins the parent's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status_counters.h"
#include "keys/key.h"
#include "keysets/key_source.h"
#include "keysets/snapshot.h"
#include "tokenverify/result.h"
#include "tokenverify/status.h"
#include "tokenverify/verifier.h"

namespace tokenverify::internal {

// What readers see. `keys` is null when there are none to use; then
// `unavailable` says why (ERR_KEYS_UNAVAILABLE before the first set arrives,
// ERR_KEYS_STALE once the last good set is older than maxStale).
struct KeySnapshot {
  std::shared_ptr<const KeySet> keys;
  uint64_t generation = 0;  // 1 for the first set, +1 for every set that differs from the previous
  Status unavailable = Status::ERR_KEYS_UNAVAILABLE;
};

// A refresh event, reported to the verifier's optional callback.
using KeyEvent = KeySetEvent;
using KeyEventSink = std::function<void(const KeyEvent&)>;

// One provider's key-cache state for stats and tooling (a consistent copy).
struct KeyCacheStats {
  std::string source;    // "static", "file" or "remote"
  std::string location;  // the file path or URL ("" for static)
  bool healthy = true;   // keys present, fresh, and the last refresh succeeded
  bool stale = false;    // serving a set past its lifetime (remote)
  size_t key_count = 0;
  uint64_t generation = 0;
  int64_t last_refresh_unix_ms = 0;  // 0: never
  std::string last_outcome;          // "", "updated", "unchanged", "not_modified", "failed"
  std::string last_error;
  long last_http_status = 0;
  int64_t next_refresh_unix_ms = 0;  // 0: none scheduled (static)
  int64_t expires_unix_ms = 0;       // remote: when the current set's lifetime ends
  uint32_t consecutive_failures = 0;
  uint64_t fetches = 0, not_modified = 0, errors = 0, unknown_kid_refreshes = 0;
  uint64_t fork_restarts = 0;  // refreshers started again in this process after fork()
};

// Bumped by the atfork child handler in every child process (so a grandchild
// has 2); a cache whose refresher belongs to an older generation is in a
// process where that thread does not exist.
extern std::atomic<uint64_t> g_fork_generation;

// Installs the atfork handlers (once per process) that bump
// g_fork_generation. A key cache calls it when it is built; anything else that
// keeps threads and reads g_fork_generation (the batch worker pool, which a
// verifier without key sets also has) calls it before its first read, since
// the generation only counts forks made after this.
void CountForks();

class KeyCache {
 public:
  // Publishes the initial set (static, file) and starts the refresher (file,
  // remote). For remote sources with initial_fetch_wait_ms, waits for the
  // first fetch; fails with ERR_KEYS_UNAVAILABLE (and says why in *err) if
  // require_initial_keys and none arrived.
  // `publications` (may be null) is advanced after every snapshot this cache
  // publishes: the verifier's key-set serial, which the token cache tags its
  // entries with (cache/token_cache.h). Shared by a verifier's providers.
  static Result<std::unique_ptr<KeyCache>> Create(std::string provider, KeySourceConfig source, KeyEventSink events,
                                                  Error* err, std::atomic<uint64_t>* publications = nullptr);
  ~KeyCache();  // stops the refresher, cancelling a fetch in flight
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;

  // Not const: the first read in a child process restarts the refresher.
  SnapshotCell<KeySnapshot>::Reader Read() {
    ResumeAfterForkIfNeeded();
    return cell_.Read();
  }

  bool refreshable() const noexcept { return source_.kind != KeySourceConfig::Kind::kStatic; }
  // True when the keys can never change and never carry kids (secret, PEM).
  bool ignores_kid() const noexcept;

  // A verification met a kid that the current set lacks. Asks the refresher
  // for an early refresh unless one was asked for within the cooldown.
  // Returns the count of completed refresh attempts to wait beyond, or -1
  // if no refresh was requested (cooldown, or a static source).
  int64_t RequestRefreshForUnknownKid() noexcept;
  int64_t unknown_kid_wait_ms() const noexcept { return source_.remote.unknown_kid_wait_ms; }
  // Waits until more than `attempts` refresh attempts have completed, or
  // until `deadline`. True if an attempt completed.
  bool WaitForAttempt(int64_t attempts, std::chrono::steady_clock::time_point deadline);

  KeyCacheStats Stats();

  // Test and benchmark hook: publishes the current set again as a new
  // snapshot (same keys, same generation), which readers must not notice.
  // Returns false when there is no set to republish.
  bool RepublishForTesting();
  StatusCounters& verifications() noexcept { return verifications_; }
  const StatusCounters& verifications() const noexcept { return verifications_; }

 private:
  KeyCache(std::string provider, KeySourceConfig source, KeyEventSink events);
  void Run();
  // Under mu_: starts the refresher thread and records it as this process's.
  void StartRefresher();

  // After fork(): two relaxed loads on the read path; the slow path starts a
  // refresher for this process (once, whichever thread gets there first).
  void ResumeAfterForkIfNeeded() {
    if (thread_generation_.load(std::memory_order_relaxed) != g_fork_generation.load(std::memory_order_relaxed))
        [[unlikely]]
      ResumeAfterFork();
  }
  void ResumeAfterFork() noexcept;
  // Forgets thread_ without any call on it: it names a thread of another
  // process (joining or detaching it would hang or touch a stranger).
  void ForgetThreadOfParent() noexcept;

  // The atfork handlers and the registry of live caches they walk
  // (key_cache_fork.cc).
  friend void CountForks();
  static void RegisterForFork(KeyCache* cache);
  static void UnregisterForFork(KeyCache* cache);
  static void PrepareFork() noexcept;
  static void ParentAfterFork() noexcept;
  static void ChildAfterFork() noexcept;
  void RefreshRemote(std::unique_lock<std::mutex>& lock);
  void RefreshFile(std::unique_lock<std::mutex>& lock);
  // Under mu_: publishes `keys` (a new generation if `changed`).
  void PublishKeys(std::shared_ptr<const KeySet> keys, bool changed);
  // Under mu_: queues an event; the refresher delivers it once it has let go
  // of mu_, so a callback may call Stats().
  void Emit(KeyEvent::Kind kind, long http_status, std::string message);
  void DeliverEvents(std::unique_lock<std::mutex>& lock);
  // Under mu_: every snapshot goes out through here (cell_, then the serial).
  void Publish(std::unique_ptr<KeySnapshot> snap);

  const std::string provider_;
  const KeySourceConfig source_;
  const KeyEventSink events_;
  SnapshotCell<KeySnapshot> cell_;
  std::atomic<uint64_t>* publications_ = nullptr;  // see Create
  StatusCounters verifications_;

  // Unknown-kid rate limit: the earliest steady-clock time (ns) at which the
  // next early refresh may be asked for. Read on the miss path only.
  std::atomic<int64_t> next_kid_refresh_ns_{0};
  // The attempt count that waiters for an early refresh wait beyond; -1 when
  // none is pending.
  std::atomic<int64_t> kid_refresh_target_{-1};

  // Every write to cell_ happens under mu_, so holding mu_ across fork()
  // (PrepareFork) also keeps the cell's own lock and retired list consistent.
  mutable std::mutex mu_;
  std::condition_variable wake_;       // the refresher: stop, or an early refresh wanted
  std::condition_variable attempted_;  // waiters: a refresh attempt completed
  bool stop_ = false;
  bool kid_refresh_wanted_ = false;
  std::atomic<bool> cancel_{false};  // aborts a fetch in flight
  int64_t attempts_ = 0;
  bool fetching_ = false;  // an attempt is under way (its answer may predate a new kid)
  // Refresher state (under mu_).
  std::shared_ptr<const KeySet> current_;
  std::string current_body_;  // remote: the body of the current set, to spot unchanged sets
  std::string etag_;
  uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point next_due_{};
  std::chrono::steady_clock::time_point expires_{};     // remote: end of the current set's lifetime
  std::chrono::steady_clock::time_point drop_after_{};  // remote: expires_ + maxStale
  bool dropped_ = false;
  int64_t backoff_ms_ = 0;
  struct FileStamp {
    int64_t mtime_ns = 0;
    int64_t size = -1;
    uint64_t inode = 0;
  } file_stamp_;
  KeyCacheStats stats_;
  std::vector<KeyEvent> pending_events_;
  std::thread thread_;
  // The fork generation of the process that thread_ runs in.
  std::atomic<uint64_t> thread_generation_{0};
};

}  // namespace tokenverify::internal
