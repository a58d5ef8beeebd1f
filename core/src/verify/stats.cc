// Verifier::StatsJson: every provider's key-set health and verification
// counts, the document behind tv_verifier_stats and `tokenverify keys`.
#include <string>

#include "json/writer.h"
#include "verify/verifier_impl.h"

namespace tokenverify {
namespace {

void WriteCounts(internal::JsonWriter& w, const internal::StatusCounters& counters) {
  w.BeginObject();
  for (const auto& [status, n] : counters.Totals()) w.Member(StatusName(status), n);
  w.EndObject();
}

// The keys a set left out: kid, kty, the status a token naming them gets, and why.
void WriteSkippedKeys(internal::JsonWriter& w, const internal::KeySet* keys) {
  w.BeginArray();
  if (keys != nullptr) {
    for (const internal::SkippedKey& s : keys->skipped()) {
      w.BeginObject();
      if (!s.kid.empty()) w.Member("kid", s.kid);
      if (!s.kty.empty()) w.Member("kty", s.kty);
      w.Member("status", StatusName(s.status));
      w.Member("reason", s.reason);
      w.EndObject();
    }
  }
  w.EndArray();
}

void WriteKeys(internal::JsonWriter& w, const internal::KeySet* keys) {
  w.BeginArray();
  if (keys != nullptr) {
    for (const auto& key : keys->keys()) {
      w.BeginObject();
      if (!key->kid().empty()) w.Member("kid", key->kid());
      w.Member("kty", key->kty());
      if (!key->member_alg().empty()) w.Member("alg", key->member_alg());
      if (key->curve().empty())
        w.Member("bits", static_cast<int64_t>(key->bits()));
      else
        w.Member("crv", key->curve());
      w.Member("thumbprint", key->thumbprint());
      w.EndObject();
    }
  }
  w.EndArray();
}

void WriteRevocation(internal::JsonWriter& w, const internal::RevocationList& list,
                     internal::RedisRevocationFeed* feed) {
  const internal::RevocationStats r = list.Stats();
  w.Key("revocation").BeginObject();
  w.Member("tokens", r.tokens).Member("subjects", r.subjects).Member("rejectedFull", r.rejected_full);
  w.Member("maxEntries", r.max_entries).Member("memoryBytes", r.memory_bytes);
  if (feed != nullptr) {
    const internal::RevocationFeedStats f = feed->Stats();
    w.Key("redis").BeginObject();
    w.Member("url", feed->config().url).Member("stream", feed->config().stream);
    w.Member("connected", f.connected).Member("lastEntryId", f.last_id).Member("lagMs", f.lag_ms);
    w.Member("entries", f.entries).Member("invalidEntries", f.invalid).Member("errors", f.errors);
    w.Member("reconnects", f.reconnects);
    if (!f.last_error.empty()) w.Member("lastError", f.last_error);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

std::string Verifier::StatsJson(bool with_keys) const {
  const Impl& im = *impl_;
  internal::JsonWriter w;
  w.BeginObject();
  w.Key("providers").BeginArray();
  for (const auto& p : im.providers) {
    const internal::KeyCacheStats s = p.cache->Stats();
    w.BeginObject();
    w.Member("name", p.cfg.name);
    if (p.cfg.issuer) w.Member("issuer", *p.cfg.issuer);
    w.Member("source", s.source);
    if (!s.location.empty()) w.Member("location", s.location);
    w.Member("healthy", s.healthy).Member("stale", s.stale);
    w.Member("keyCount", s.key_count).Member("generation", s.generation);
    w.Member("lastRefreshUnixMs", s.last_refresh_unix_ms).Member("lastOutcome", s.last_outcome);
    if (!s.last_error.empty()) w.Member("lastError", s.last_error);
    if (s.last_http_status != 0) w.Member("lastHttpStatus", s.last_http_status);
    w.Member("nextRefreshUnixMs", s.next_refresh_unix_ms);
    if (s.expires_unix_ms != 0) w.Member("expiresUnixMs", s.expires_unix_ms);
    w.Member("consecutiveFailures", s.consecutive_failures);
    w.Member("fetches", s.fetches).Member("notModified", s.not_modified).Member("errors", s.errors);
    w.Member("unknownKidRefreshes", s.unknown_kid_refreshes);
    w.Member("forkRestarts", s.fork_restarts);
    w.Key("verifications");
    WriteCounts(w, p.cache->verifications());
    const auto snap = p.cache->Read();
    const internal::KeySet* served = snap && snap->keys ? snap->keys.get() : nullptr;
    w.Key("skippedKeys");
    WriteSkippedKeys(w, served);
    // Kid-less keys beyond the bound fail tokens without a kid (ERR_TOO_MANY_CANDIDATE_KEYS).
    const size_t without_kid = served != nullptr ? served->keys_without_kid() : 0;
    w.Member("keysWithoutKid", without_kid);
    w.Member("keysWithoutKidBeyondLimit",
             without_kid > im.cfg.max_keys_without_kid ? without_kid - im.cfg.max_keys_without_kid : 0);
    if (im.token_cache != nullptr) {
      const internal::TokenCacheProviderStats c =
          im.token_cache->Stats(static_cast<uint32_t>(&p - im.providers.data()));
      w.Key("tokenCache").BeginObject();
      w.Member("hits", c.hits).Member("misses", c.misses).Member("evictions", c.evictions).Member("entries", c.entries);
      w.EndObject();
    }
    if (with_keys) {
      w.Key("keys");
      WriteKeys(w, served);
    }
    w.EndObject();
  }
  w.EndArray();
  WriteRevocation(w, *im.revocations, im.revocation_feed.get());
  w.Key("unattributed");
  WriteCounts(w, im.unattributed);
  w.EndObject();
  return w.str();
}

}  // namespace tokenverify
