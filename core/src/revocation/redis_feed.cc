// The Redis stream of revocations: the reader thread, the entry format, and
// the one-shot publisher (see redis_feed.h).
#include "revocation/redis_feed.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>
#include <memory>
#include <new>
#include <random>
#include <string_view>
#include <vector>

#include "base/saturating.h"
#include "keysets/key_cache.h"  // g_fork_generation

namespace tokenverify::internal {
namespace {

constexpr int kBlockMs = 100;  // one XREAD waits at most this long: the stop latency
constexpr int kReadTimeoutMs = 5000;
constexpr int kEntriesPerRead = 1000;
constexpr int64_t kFirstBackoffMs = 100, kMaxBackoffMs = 5000;

int64_t UnixMsNow() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

timeval ToTimeval(int64_t ms) { return {static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)}; }

struct ContextFree {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextFree>;
struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

Reply Command(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return Reply(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data())));
}

std::string_view Text(const redisReply* r) { return {r->str, r->len}; }

// Why a command failed, or "" when it did not.
std::string CommandError(redisContext* c, const Reply& r) {
  if (r == nullptr) return c->errstr[0] != '\0' ? std::string(c->errstr) : "connection lost";
  if (r->type == REDIS_REPLY_ERROR) return std::string(Text(r.get()));
  return "";
}

// Connects, authenticates and selects the database; "" or why not.
std::string Connect(const RedisStreamConfig& cfg, Context* out) {
  Context c(redisConnectWithTimeout(cfg.host.c_str(), cfg.port, ToTimeval(cfg.connect_timeout_ms)));
  if (c == nullptr) return "out of memory";
  if (c->err != 0) return "cannot connect to " + cfg.url + ": " + c->errstr;
  redisSetTimeout(c.get(), ToTimeval(kReadTimeoutMs));
  if (!cfg.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!cfg.user.empty()) auth.push_back(cfg.user);
    auth.push_back(cfg.password);
    if (std::string why = CommandError(c.get(), Command(c.get(), auth)); !why.empty()) return "AUTH: " + why;
  }
  if (cfg.db != 0) {
    if (std::string why = CommandError(c.get(), Command(c.get(), {"SELECT", std::to_string(cfg.db)})); !why.empty())
      return "SELECT " + std::to_string(cfg.db) + ": " + why;
  }
  *out = std::move(c);
  return "";
}

bool ParseUnixSeconds(std::string_view text, int64_t* out) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return false;
  *out = v;
  return true;
}

// A stream entry's fields: jti+exp or sub+before, and an optional iss.
// Other fields are the producer's business (a reason, an actor) and ignored.
bool ParseEntry(const redisReply* fields, RevocationEntry* e) {
  if (fields == nullptr || fields->type != REDIS_REPLY_ARRAY || fields->elements % 2 != 0) return false;
  std::optional<std::string_view> jti, exp, sub, before, iss;
  for (size_t i = 0; i + 1 < fields->elements; i += 2) {
    const redisReply* k = fields->element[i];
    const redisReply* v = fields->element[i + 1];
    if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) return false;
    const std::string_view name = Text(k);
    if (name == "jti")
      jti = Text(v);
    else if (name == "exp")
      exp = Text(v);
    else if (name == "sub")
      sub = Text(v);
    else if (name == "before")
      before = Text(v);
    else if (name == "iss")
      iss = Text(v);
  }
  if (jti && exp && !sub && !before && !jti->empty()) {
    e->kind = RevocationEntry::Kind::kToken;
    e->id = std::string(*jti);
    if (!ParseUnixSeconds(*exp, &e->time_s)) return false;
  } else if (sub && before && !jti && !exp && !sub->empty()) {
    e->kind = RevocationEntry::Kind::kSubject;
    e->id = std::string(*sub);
    if (!ParseUnixSeconds(*before, &e->time_s)) return false;
  } else {
    return false;
  }
  e->issuer = iss ? std::string(*iss) : std::string();
  return true;
}

}  // namespace

StreamBatch ApplyStreamReply(const redisReply* r, RevocationList* list, int64_t leeway_s, int64_t subject_ttl_s,
                             int64_t now_s) {
  StreamBatch batch;
  // [[stream, [[id, [field, value, ...]], ...]]]
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 1 || r->element[0]->type != REDIS_REPLY_ARRAY ||
      r->element[0]->elements != 2 || r->element[0]->element[1]->type != REDIS_REPLY_ARRAY) {
    batch.well_formed = false;
    return batch;
  }
  const redisReply* entries = r->element[0]->element[1];
  for (size_t i = 0; i < entries->elements; ++i) {
    const redisReply* entry = entries->element[i];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 || entry->element[0]->type != REDIS_REPLY_STRING) {
      ++batch.invalid;
      continue;
    }
    batch.last_id = std::string(Text(entry->element[0]));
    int64_t ms = 0;
    if (std::from_chars(batch.last_id.data(), batch.last_id.data() + batch.last_id.size(), ms).ec == std::errc())
      batch.last_ms = ms;
    RevocationEntry e;
    if (!ParseEntry(entry->element[1], &e)) {
      ++batch.invalid;
      continue;
    }
    ApplyRevocation(e, list, leeway_s, subject_ttl_s, now_s);
    ++batch.applied;
  }
  return batch;
}

bool ApplyRevocation(const RevocationEntry& e, RevocationList* list, int64_t leeway_s, int64_t subject_ttl_s,
                     int64_t now_s) {
  const RevocationList::Added added =
      e.kind == RevocationEntry::Kind::kToken
          ? list->RevokeToken(e.id, e.issuer, SatAdd(e.time_s, leeway_s), now_s)
          : list->RevokeSubject(e.id, e.issuer, e.time_s, SatAdd(e.time_s, subject_ttl_s), now_s);
  return added != RevocationList::Added::kFull;
}

RedisRevocationFeed::RedisRevocationFeed(RedisStreamConfig config, RevocationList* list, int64_t leeway_s,
                                         int64_t subject_ttl_s)
    : config_(std::move(config)), list_(list), leeway_s_(leeway_s), subject_ttl_s_(subject_ttl_s) {
  CountForks();  // before the first read of the generation: see keysets/key_cache.h
  const uint64_t generation = g_fork_generation.load(std::memory_order_acquire);
  claimed_generation_.store(generation);
  ready_generation_.store(generation);
  Start();
}

RedisRevocationFeed::~RedisRevocationFeed() {
  stop_.store(true);
  if (ready_generation_.load() != g_fork_generation.load()) {
    // Freed in a child that never used it: the parent's thread is not here,
    // and the lock and condition variable may still count it (held, or
    // waiting), so they are remade before their destructors run.
    new (&mu_) std::mutex();
    new (&wake_) std::condition_variable();
    new (&thread_) std::thread();
    return;
  }
  { std::lock_guard<std::mutex> lock(mu_); }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RedisRevocationFeed::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RedisRevocationFeed::ResumeAfterForkIfNeeded() {
  const uint64_t generation = g_fork_generation.load(std::memory_order_acquire);
  if (ready_generation_.load(std::memory_order_acquire) == generation) [[likely]]
    return;
  uint64_t seen = claimed_generation_.load(std::memory_order_acquire);
  if (seen != generation && claimed_generation_.compare_exchange_strong(seen, generation)) {
    // Only this thread exists of the parent's in here: the lock, the
    // condition variable and the thread object are remade, not destroyed
    // (a lock held by the parent's feed thread at fork() stays held).
    new (&mu_) std::mutex();
    new (&wake_) std::condition_variable();
    new (&thread_) std::thread();
    stats_.connected = false;
    try {
      Start();
    } catch (const std::system_error& e) {
      stats_.last_error = std::string("cannot restart the Redis reader after fork(): ") + e.what();
    }
    ready_generation_.store(generation, std::memory_order_release);
    return;
  }
  while (ready_generation_.load(std::memory_order_acquire) != generation) std::this_thread::yield();
}

RevocationFeedStats RedisRevocationFeed::Stats() {
  ResumeAfterForkIfNeeded();
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void RedisRevocationFeed::Run() {
  std::minstd_rand jitter(std::random_device{}());
  int64_t backoff_ms = kFirstBackoffMs;
  bool ever_connected = false;
  auto failed = [&](std::string why) {
    std::unique_lock<std::mutex> lock(mu_);
    ++stats_.errors;
    stats_.connected = false;
    stats_.last_error = std::move(why);
    // Jittered backoff (half to all of it), so a fleet does not reconnect in step.
    const int64_t wait_ms = backoff_ms / 2 + static_cast<int64_t>(jitter() % static_cast<uint64_t>(backoff_ms / 2 + 1));
    wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stop_.load(); });
    backoff_ms = std::min(backoff_ms * 2, kMaxBackoffMs);
  };
  while (!stop_.load()) {
    Context c;
    if (std::string why = Connect(config_, &c); !why.empty()) {
      failed(std::move(why));
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.connected = true;
      if (ever_connected) ++stats_.reconnects;
    }
    ever_connected = true;
    backoff_ms = kFirstBackoffMs;
    // From the first entry on every connection: whatever was published while
    // we were away (or before we started) is applied.
    std::string last_id = "0-0";
    std::string why;
    while (!stop_.load()) {
      Reply r = Command(c.get(), {"XREAD", "COUNT", std::to_string(kEntriesPerRead), "BLOCK", std::to_string(kBlockMs),
                                  "STREAMS", config_.stream, last_id});
      if (why = CommandError(c.get(), r); !why.empty()) break;
      if (r->type == REDIS_REPLY_NIL) continue;  // nothing new within the block
      const StreamBatch batch = ApplyStreamReply(r.get(), list_, leeway_s_, subject_ttl_s_, UnixMsNow() / 1000);
      if (!batch.well_formed) {
        why = "unexpected XREAD reply";
        break;
      }
      if (!batch.last_id.empty()) last_id = batch.last_id;
      std::lock_guard<std::mutex> lock(mu_);
      stats_.entries += batch.applied + batch.invalid;
      stats_.invalid += batch.invalid;
      stats_.last_id = last_id;
      if (batch.last_ms > 0) stats_.lag_ms = std::max<int64_t>(0, UnixMsNow() - batch.last_ms);
      if (batch.invalid > 0)
        stats_.last_error = "stream entry without a valid jti+exp or sub+before (up to " + last_id + ")";
    }
    if (!stop_.load()) failed(why.empty() ? "connection closed" : why);
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.connected = false;
}

Status PublishRevocation(const RedisStreamConfig& config, const RevocationEntry& e, std::string* id, Error* err) {
  auto fail = [&](Status s, std::string message) {
    if (err != nullptr) {
      err->status = s;
      err->message = std::move(message);
      err->field = "revocation.redis";
    }
    return s;
  };
  if (e.id.empty()) return fail(Status::ERR_INVALID_ARGUMENT, "the jti or sub is empty");
  Context c;
  if (std::string why = Connect(config, &c); !why.empty()) return fail(Status::ERR_IO, why);
  std::vector<std::string> args = {"XADD", config.stream, "*"};
  const bool token = e.kind == RevocationEntry::Kind::kToken;
  args.emplace_back(token ? "jti" : "sub");
  args.push_back(e.id);
  args.emplace_back(token ? "exp" : "before");
  args.push_back(std::to_string(e.time_s));
  if (!e.issuer.empty()) {
    args.emplace_back("iss");
    args.push_back(e.issuer);
  }
  Reply r = Command(c.get(), args);
  if (std::string why = CommandError(c.get(), r); !why.empty()) return fail(Status::ERR_IO, "XADD: " + why);
  if (r->type != REDIS_REPLY_STRING) return fail(Status::ERR_IO, "XADD: unexpected reply");
  if (id != nullptr) *id = std::string(Text(r.get()));
  return Status::OK;
}

}  // namespace tokenverify::internal
