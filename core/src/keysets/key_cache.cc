// The per-provider key cache and its refresher thread (see keysets/key_cache.h).
#include "keysets/key_cache.h"

#include <sys/stat.h>

#include <new>
#include <random>
#include <system_error>
#include <utility>

#include "keysets/http_fetch.h"
#include "keysets/refresh_policy.h"
#include "keysets/small_file.h"

namespace tokenverify::internal {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int64_t UnixMsNow() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A steady-clock time as unix milliseconds, for reports.
int64_t ToUnixMs(Clock::time_point t) {
  if (t == Clock::time_point{}) return 0;
  return UnixMsNow() + std::chrono::duration_cast<milliseconds>(t - Clock::now()).count();
}

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

const char* SourceName(KeySourceConfig::Kind k) {
  switch (k) {
    case KeySourceConfig::Kind::kStatic:
      return "static";
    case KeySourceConfig::Kind::kFile:
      return "file";
    case KeySourceConfig::Kind::kRemote:
      return "remote";
  }
  return "static";
}

std::string DescribeFailure(const HttpFetchResult& r) {
  if (r.outcome == HttpFetchResult::Outcome::kResponse)
    return "HTTP " + std::to_string(r.http_status) + (r.error.empty() ? "" : ": " + r.error);
  return r.error.empty() ? std::string("fetch failed") : r.error;
}

double Jitter() {
  thread_local std::minstd_rand rng(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

KeyCache::KeyCache(std::string provider, KeySourceConfig source, KeyEventSink events)
    : provider_(std::move(provider)), source_(std::move(source)), events_(std::move(events)) {
  stats_.source = SourceName(source_.kind);
  stats_.location = source_.kind == KeySourceConfig::Kind::kRemote ? source_.remote.url : source_.file;
  thread_generation_.store(g_fork_generation.load(std::memory_order_acquire), std::memory_order_relaxed);
  RegisterForFork(this);
}

Result<std::unique_ptr<KeyCache>> KeyCache::Create(std::string provider, KeySourceConfig source, KeyEventSink events,
                                                   Error* err, std::atomic<uint64_t>* publications) {
  std::unique_ptr<KeyCache> cache(new KeyCache(std::move(provider), std::move(source), std::move(events)));
  KeyCache& c = *cache;
  c.publications_ = publications;
  std::unique_lock<std::mutex> lock(c.mu_);
  if (c.source_.initial) {
    c.current_body_ = c.source_.initial_text;
    c.PublishKeys(c.source_.initial, /*changed=*/true);
    c.stats_.last_refresh_unix_ms = UnixMsNow();
    c.stats_.last_outcome = "updated";
  }
  if (!c.refreshable()) return cache;

  const int64_t first_delay = c.source_.kind == KeySourceConfig::Kind::kFile ? c.source_.check_interval_ms : 0;
  c.next_due_ = Clock::now() + milliseconds(first_delay);
  c.StartRefresher();

  const RemoteJwksConfig& remote = c.source_.remote;
  if (c.source_.kind == KeySourceConfig::Kind::kRemote && remote.initial_fetch_wait_ms > 0) {
    const auto deadline = Clock::now() + milliseconds(remote.initial_fetch_wait_ms);
    // Stop early once an attempt has failed and the next one (the retry
    // backoff, or cacheDuration after a 404 or an invalid set) is not due
    // before the deadline: waiting on could not bring a set.
    c.attempted_.wait_until(lock, deadline, [&c, deadline] {
      return c.current_ != nullptr || (c.attempts_ > 0 && c.next_due_ >= deadline);
    });
    if (c.current_ == nullptr && remote.require_initial_keys) {
      const std::string why = c.stats_.last_error.empty() ? "no answer yet" : c.stats_.last_error;
      lock.unlock();  // the destructor stops the thread
      if (err != nullptr) {
        err->status = Status::ERR_KEYS_UNAVAILABLE;
        err->message = "no key set from " + remote.url + " within the initial fetch wait: " + why;
      }
      return Status::ERR_KEYS_UNAVAILABLE;
    }
  }
  return cache;
}

KeyCache::~KeyCache() {
  UnregisterForFork(this);
  bool ours;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cancel_.store(true, std::memory_order_relaxed);
    ours = thread_generation_.load(std::memory_order_relaxed) == g_fork_generation.load(std::memory_order_acquire);
  }
  wake_.notify_all();
  attempted_.notify_all();
  if (!ours) ForgetThreadOfParent();  // freed in a child before any use there
  if (thread_.joinable()) thread_.join();
}

void KeyCache::StartRefresher() {
  thread_ = std::thread([this] { Run(); });
  thread_generation_.store(g_fork_generation.load(std::memory_order_acquire), std::memory_order_release);
}

void KeyCache::ForgetThreadOfParent() noexcept {
  // The std::thread holds the parent's pthread_t, whose memory the child's
  // libc may already have recycled for a thread of its own. Construct a
  // fresh (not joinable) object over it instead of destroying it, which
  // would call std::terminate on a joinable thread.
  new (&thread_) std::thread();
}

void KeyCache::ResumeAfterFork() noexcept {
  std::unique_lock<std::mutex> lock(mu_);  // unlocked for this thread by ChildAfterFork
  const uint64_t generation = g_fork_generation.load(std::memory_order_acquire);
  if (thread_generation_.load(std::memory_order_relaxed) == generation) return;  // another thread was first
  if (!refreshable() || stop_) {
    thread_generation_.store(generation, std::memory_order_release);
    return;
  }
  ForgetThreadOfParent();
  // The parent's refresher may have been inside a fetch, or owed an early
  // refresh to waiters that do not exist here: the new one starts clean and
  // fetches at once if the fetch was due.
  fetching_ = false;
  kid_refresh_wanted_ = false;
  kid_refresh_target_.store(-1, std::memory_order_relaxed);
  cancel_.store(false, std::memory_order_relaxed);
  try {
    StartRefresher();
  } catch (const std::system_error& e) {
    // No thread (the child's limits): keep serving the inherited set, and
    // do not try again on every read; the stats say why.
    thread_generation_.store(generation, std::memory_order_release);
    stats_.last_error = std::string("cannot restart the refresher after fork(): ") + e.what();
    return;
  }
  ++stats_.fork_restarts;
  // No refresher ran here since the fork: a refresh that fell due meanwhile
  // (a child idle for a while after fork) is made now, and this first use
  // waits for it, as long as one fetch may take, so that it sees what the
  // parent would have seen. Later users do not wait.
  if (Clock::now() >= next_due_) {
    const int64_t before = attempts_;
    const int64_t bound_ms = source_.kind == KeySourceConfig::Kind::kRemote ? source_.remote.timeout_ms : 1000;
    try {
      attempted_.wait_for(lock, milliseconds(bound_ms), [&] { return attempts_ > before || stop_; });
    } catch (const std::system_error&) {
      // The wait is a courtesy; the refresher runs either way.
    }
  }
}

bool KeyCache::ignores_kid() const noexcept {
  return source_.kind == KeySourceConfig::Kind::kStatic && source_.initial && source_.initial->ignores_kid();
}

void KeyCache::PublishKeys(std::shared_ptr<const KeySet> keys, bool changed) {
  if (changed) ++generation_;
  current_ = keys;
  dropped_ = false;
  auto snap = std::make_unique<KeySnapshot>();
  snap->keys = std::move(keys);
  snap->generation = generation_;
  Publish(std::move(snap));
}

void KeyCache::Publish(std::unique_ptr<KeySnapshot> snap) {
  cell_.Publish(std::move(snap));
  // After the cell: a verification that reads this serial reads this snapshot or a later one.
  if (publications_ != nullptr) publications_->fetch_add(1, std::memory_order_release);
}

void KeyCache::Emit(KeyEvent::Kind kind, long http_status, std::string message) {
  if (!events_) return;
  KeyEvent e;
  e.kind = kind;
  e.provider = provider_;
  e.generation = generation_;
  e.key_count = current_ ? current_->size() : 0;
  e.skipped_key_count = current_ ? current_->skipped().size() : 0;
  e.http_status = http_status;
  e.message = std::move(message);
  if (kind == KeyEvent::Kind::kUpdated && current_) e.message += current_->Notes(source_.max_keys_without_kid);
  pending_events_.push_back(std::move(e));
}

void KeyCache::DeliverEvents(std::unique_lock<std::mutex>& lock) {
  if (pending_events_.empty()) return;
  std::vector<KeyEvent> events = std::move(pending_events_);
  pending_events_.clear();
  lock.unlock();
  for (const KeyEvent& e : events) {
    try {
      events_(e);
    } catch (...) {
      // A callback's failure is the callback's business; the cache goes on.
    }
  }
  lock.lock();
}

int64_t KeyCache::RequestRefreshForUnknownKid() noexcept {
  if (source_.kind != KeySourceConfig::Kind::kRemote) return -1;
  ResumeAfterForkIfNeeded();
  const int64_t now = SteadyNs();
  // Inside the cooldown (the common case of a flood of unknown kids): no lock.
  // Acquire pairs with the release below, so a miss that sees this cooldown
  // also sees the target its requester published before it.
  if (now < next_kid_refresh_ns_.load(std::memory_order_acquire)) {
    // A refresh asked for by another miss may still be on its way: share it.
    return kid_refresh_target_.load(std::memory_order_acquire);
  }
  int64_t target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Misses racing at the cooldown's end: the first to get here asks; the
    // others share what it published.
    if (now < next_kid_refresh_ns_.load(std::memory_order_relaxed))
      return kid_refresh_target_.load(std::memory_order_relaxed);
    if (!thread_.joinable()) {
      // No refresher in this process (see ResumeAfterFork): nothing to wait
      // for, and the cooldown still spares the misses after this one the lock.
      kid_refresh_target_.store(-1, std::memory_order_relaxed);
      next_kid_refresh_ns_.store(now + source_.remote.unknown_kid_cooldown_ms * 1'000'000, std::memory_order_release);
      return -1;
    }
    kid_refresh_wanted_ = true;
    ++stats_.unknown_kid_refreshes;
    // An attempt already under way may have been answered before the kid
    // existed upstream: wait for the one after it, the one asked for here.
    target = attempts_ + (fetching_ ? 1 : 0);
    // The target first, then the cooldown that sends later misses to it:
    // published the other way round, a miss in between shared no refresh and
    // answered TV_ERR_KID_NOT_FOUND without waiting (seen with four threads
    // meeting a new kid at once).
    kid_refresh_target_.store(target, std::memory_order_relaxed);
    next_kid_refresh_ns_.store(now + source_.remote.unknown_kid_cooldown_ms * 1'000'000, std::memory_order_release);
  }
  wake_.notify_one();
  return target;
}

bool KeyCache::WaitForAttempt(int64_t attempts, Clock::time_point deadline) {
  ResumeAfterForkIfNeeded();
  std::unique_lock<std::mutex> lock(mu_);
  return attempted_.wait_until(lock, deadline, [&] { return attempts_ > attempts || stop_; }) && !stop_;
}

void KeyCache::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  const bool remote = source_.kind == KeySourceConfig::Kind::kRemote;
  while (!stop_) {
    Clock::time_point wake_at = next_due_;
    if (remote && current_ && !dropped_) wake_at = std::min(wake_at, drop_after_);
    wake_.wait_until(lock, wake_at, [&] { return stop_ || kid_refresh_wanted_; });
    if (stop_) break;
    const auto now = Clock::now();
    if (remote && current_ && !dropped_ && now >= drop_after_) {
      // Past maxStale: stop serving the last good set.
      dropped_ = true;
      auto snap = std::make_unique<KeySnapshot>();
      snap->generation = generation_;
      snap->unavailable = Status::ERR_KEYS_STALE;
      Publish(std::move(snap));
      Emit(KeyEvent::Kind::kDropped, 0, "the last good key set is older than maxStale; no keys are served");
    }
    const bool for_kid = std::exchange(kid_refresh_wanted_, false);
    if (for_kid || now >= next_due_) {
      fetching_ = true;
      if (remote)
        RefreshRemote(lock);
      else
        RefreshFile(lock);
      fetching_ = false;
      ++attempts_;
      // Done with the early refresh waiters wait for, unless a later one was
      // asked for while this attempt ran (its target is this count or more).
      if (kid_refresh_target_.load(std::memory_order_relaxed) < attempts_)
        kid_refresh_target_.store(-1, std::memory_order_relaxed);
      attempted_.notify_all();
    }
    DeliverEvents(lock);
  }
}

void KeyCache::RefreshRemote(std::unique_lock<std::mutex>& lock) {
  const RemoteJwksConfig& cfg = source_.remote;
  HttpFetchRequest req;
  req.url = cfg.url;
  if (current_) req.if_none_match = etag_;
  req.timeout_ms = cfg.timeout_ms;
  req.max_body_bytes = cfg.max_response_bytes;
  req.verify_tls = cfg.verify_tls;
  req.ca_file = cfg.ca_file;
  req.follow_redirects = cfg.follow_redirects;
  req.headers = cfg.headers;
  req.cancel = &cancel_;

  lock.unlock();  // never hold the lock across the network
  HttpFetchResult r = HttpFetch(req);
  std::shared_ptr<const KeySet> parsed;
  bool same_body = false;
  std::string failure;
  if (r.outcome == HttpFetchResult::Outcome::kResponse && r.http_status == 200) {
    same_body = current_ != nullptr && r.body == current_body_;  // current_body_ is only written by this thread
    if (!same_body) {
      Error err;
      // A set left with no usable key (an empty one, or all skipped) is an
      // error here: the last good set keeps serving.
      auto set = ParseKeySetDocument(r.body, source_.format, &err, source_.policy);
      if (set.ok())
        parsed = std::move(set).value();
      else
        failure = "invalid key set: " + (err.message.empty() ? std::string(StatusName(set.status())) : err.message);
    }
  } else if (r.outcome == HttpFetchResult::Outcome::kResponse && r.http_status == 304 && current_ == nullptr) {
    failure = "HTTP 304 to a request that was not conditional";
  } else if (!(r.outcome == HttpFetchResult::Outcome::kResponse && r.http_status == 304)) {
    failure = DescribeFailure(r);
  }
  lock.lock();
  if (r.outcome == HttpFetchResult::Outcome::kCancelled) return;  // shutting down

  ++stats_.fetches;
  stats_.last_refresh_unix_ms = UnixMsNow();
  stats_.last_http_status = r.http_status;
  const auto now = Clock::now();
  if (failure.empty()) {
    const bool not_modified = r.http_status == 304;
    const bool updated = parsed != nullptr;
    if (not_modified) ++stats_.not_modified;
    if (updated) {
      current_body_ = std::move(r.body);
      PublishKeys(std::move(parsed), /*changed=*/true);
    } else if (dropped_) {
      PublishKeys(current_, /*changed=*/false);  // the same set, confirmed again: serve it again
    }
    if (!r.etag.empty() || !not_modified) etag_ = r.etag;
    const int64_t lifetime = FreshLifetimeMs(cfg, r, UnixMsNow() / 1000);
    expires_ = now + milliseconds(lifetime);
    drop_after_ = expires_ + milliseconds(cfg.EffectiveMaxStaleMs());
    next_due_ = now + milliseconds(RefreshDelayMs(cfg, lifetime));
    stats_.consecutive_failures = 0;
    stats_.last_error.clear();
    stats_.last_outcome = not_modified ? "not_modified" : updated ? "updated" : "unchanged";
    Emit(updated ? KeyEvent::Kind::kUpdated : KeyEvent::Kind::kUnchanged, r.http_status,
         updated ? "new key set from " + cfg.url : "key set unchanged at " + cfg.url);
    return;
  }
  ++stats_.errors;
  ++stats_.consecutive_failures;
  stats_.last_error = failure;
  stats_.last_outcome = "failed";
  const int64_t delay = IsRetryableFailure(r) && failure.rfind("invalid key set", 0) != 0
                            ? RetryDelayMs(cfg, stats_.consecutive_failures, Jitter(), r)
                            : cfg.cache_duration_ms;
  next_due_ = now + milliseconds(delay);
  Emit(KeyEvent::Kind::kFailed, r.http_status, failure);
}

void KeyCache::RefreshFile(std::unique_lock<std::mutex>& lock) {
  next_due_ = Clock::now() + milliseconds(source_.check_interval_ms);
  struct stat st {};
  std::string failure;
  FileStamp stamp;
  if (::stat(source_.file.c_str(), &st) != 0) {
    failure = "cannot stat \"" + source_.file + "\"";
  } else {
    stamp = {static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
             static_cast<int64_t>(st.st_size), static_cast<uint64_t>(st.st_ino)};
    if (stamp.mtime_ns == file_stamp_.mtime_ns && stamp.size == file_stamp_.size && stamp.inode == file_stamp_.inode)
      return;  // unchanged since the last look
  }
  std::shared_ptr<const KeySet> parsed;
  std::string text;
  if (failure.empty()) {
    lock.unlock();
    // On failure ReadSmallFile says why in `failure`.
    if (ReadSmallFile(source_.file, kMaxKeyFileBytes, &text, &failure) && text != current_body_) {
      Error err;
      auto set = ParseKeySetDocument(text, source_.format, &err, source_.policy);
      if (set.ok())
        parsed = std::move(set).value();
      else
        failure = "invalid key set in \"" + source_.file + "\": " + err.message;
    }
    lock.lock();
  }
  ++stats_.fetches;
  stats_.last_refresh_unix_ms = UnixMsNow();
  if (!failure.empty()) {
    // Keep serving the last good set; try again when the file changes.
    ++stats_.errors;
    ++stats_.consecutive_failures;
    stats_.last_error = failure;
    stats_.last_outcome = "failed";
    file_stamp_ = stamp;
    Emit(KeyEvent::Kind::kFailed, 0, failure);
    return;
  }
  file_stamp_ = stamp;
  stats_.consecutive_failures = 0;
  stats_.last_error.clear();
  stats_.last_outcome = parsed ? "updated" : "unchanged";
  current_body_ = std::move(text);
  if (parsed) {
    PublishKeys(std::move(parsed), /*changed=*/true);
    Emit(KeyEvent::Kind::kUpdated, 0, "new key set from \"" + source_.file + "\"");
  }
}

bool KeyCache::RepublishForTesting() {
  std::lock_guard<std::mutex> lock(mu_);
  if (current_ == nullptr || dropped_) return false;
  // Not PublishKeys: current_ stays untouched, as the refresher reads it unlocked.
  auto snap = std::make_unique<KeySnapshot>();
  snap->keys = current_;
  snap->generation = generation_;
  Publish(std::move(snap));
  return true;
}

KeyCacheStats KeyCache::Stats() {
  ResumeAfterForkIfNeeded();
  std::lock_guard<std::mutex> lock(mu_);
  KeyCacheStats s = stats_;
  const bool serving = current_ != nullptr && !dropped_;
  s.key_count = serving ? current_->size() : 0;
  s.generation = generation_;
  if (source_.kind == KeySourceConfig::Kind::kRemote) {
    s.stale = serving && Clock::now() >= expires_;
    s.expires_unix_ms = serving ? ToUnixMs(expires_) : 0;
  }
  s.next_refresh_unix_ms = refreshable() ? ToUnixMs(next_due_) : 0;
  s.healthy = serving && !s.stale && s.consecutive_failures == 0;
  return s;
}

}  // namespace tokenverify::internal
