// Revocations shared through a Redis stream (the README's "Revocation"
// section states the wire contract). One background thread per verifier:
// it reads the stream from its first entry, then blocks on XREAD from the
// last ID it has seen, and applies each entry to the verifier's revocation
// list. After a disconnect it reconnects with jittered backoff and reads the
// stream from its first entry again, so nothing published meanwhile is lost
// (applying an entry twice changes nothing). Verification never waits for
// Redis: while it is unreachable the list keeps what it has, and the stats
// say so.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "revocation/revocation_config.h"
#include "revocation/revocation_list.h"
#include "tokenverify/result.h"

struct redisReply;  // hiredis

namespace tokenverify::internal {

struct RevocationFeedStats {
  bool connected = false;
  std::string last_id;   // the last stream entry applied ("" before the first)
  int64_t lag_ms = 0;    // now minus the time in the last entry's ID, when it was applied
  uint64_t entries = 0;  // stream entries read (again after a reconnect)
  uint64_t invalid = 0;  // entries without a valid jti+exp or sub+before
  uint64_t errors = 0;   // failed connections and commands
  uint64_t reconnects = 0;
  std::string last_error;
};

// One revocation as the stream carries it.
struct RevocationEntry {
  enum class Kind { kToken, kSubject } kind = Kind::kToken;
  std::string id;      // jti or sub
  int64_t time_s = 0;  // exp (kToken) or before (kSubject), unix seconds
  std::string issuer;  // empty: any issuer
};

// Applies `e` to `list`: a jti lives until its exp plus the leeway, a subject
// until its before plus the subject TTL. False when the list is full.
bool ApplyRevocation(const RevocationEntry& e, RevocationList* list, int64_t leeway_s, int64_t subject_ttl_s,
                     int64_t now_s);

// What one XREAD reply held, once applied.
struct StreamBatch {
  bool well_formed = true;  // false: not the shape of an XREAD reply for one stream
  uint64_t applied = 0, invalid = 0;
  std::string last_id;  // of the last entry, "" when there was none
  int64_t last_ms = 0;  // the time part of last_id
};

// Applies every entry of an XREAD reply ([[stream, [[id, [field, value, ...]],
// ...]]]) to `list` (the reader thread's step; a fuzzer feeds it replies
// parsed by hiredis from arbitrary bytes, as a hostile server would send).
StreamBatch ApplyStreamReply(const redisReply* reply, RevocationList* list, int64_t leeway_s, int64_t subject_ttl_s,
                             int64_t now_s);

class RedisRevocationFeed {
 public:
  RedisRevocationFeed(RedisStreamConfig config, RevocationList* list, int64_t leeway_s, int64_t subject_ttl_s);
  ~RedisRevocationFeed();  // stops the thread (within one XREAD block, 100 ms)
  RedisRevocationFeed(const RedisRevocationFeed&) = delete;
  RedisRevocationFeed& operator=(const RedisRevocationFeed&) = delete;

  RevocationFeedStats Stats();  // not const: the first call in a child restarts the thread
  const RedisStreamConfig& config() const noexcept { return config_; }

  // In a child process after fork() the thread is gone: the first caller
  // there starts a new one (a relaxed load when nothing forked).
  void ResumeAfterForkIfNeeded();

 private:
  void Start();
  void Run();

  const RedisStreamConfig config_;
  RevocationList* const list_;
  const int64_t leeway_s_, subject_ttl_s_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;  // stats_ and the backoff sleep
  std::condition_variable wake_;
  RevocationFeedStats stats_;
  std::thread thread_;
  std::atomic<uint64_t> claimed_generation_{0}, ready_generation_{0};  // fork generations (keysets/key_cache.h)
};

// Publishes one revocation with XADD (the CLI's `tokenverify revoke`). On
// success *id gets the new entry's ID.
Status PublishRevocation(const RedisStreamConfig& config, const RevocationEntry& e, std::string* id, Error* err);

}  // namespace tokenverify::internal
