// One verification, end to end (DESIGN.md): size, split, decode, header,
// payload, provider, key, claims, signature.
#include "tokenverify/verifier.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <iterator>
#include <system_error>
#include <limits>
#include <new>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "internal/base64url.h"
#include "internal/config.h"
#include "internal/jws.h"
#include "internal/key.h"
#include "internal/json_writer.h"
#include "internal/key_cache.h"
#include "internal/key_cache_testing.h"
#include "internal/status_counters.h"
#include "internal/token.h"

namespace tokenverify {

using namespace internal;  // NOLINT: this file is the glue of the internal pieces

namespace {

struct Matcher {
  int interest = 0;  // index into ClaimInterest
  const ClaimMatcher* rule = nullptr;
};

struct Provider {
  ProviderConfig cfg;
  uint64_t required_mask = 0;
  std::vector<Matcher> matchers;
  std::unique_ptr<KeyCache> cache;
};

// Per-thread working memory, reused by every verification on the thread:
// after the first few tokens a thread allocates nothing.
struct ThreadScratch {
  TokenJsonScratch header;
  TokenJsonScratch payload;
  std::vector<std::string_view> strings;
};

ThreadScratch& Scratch() {
  thread_local ThreadScratch scratch;
  return scratch;
}

int64_t SatAdd(int64_t a, int64_t b) noexcept {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<int64_t>::max()
                                                     : std::numeric_limits<int64_t>::min();
  return r;
}

int64_t SatSub(int64_t a, int64_t b) noexcept {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? std::numeric_limits<int64_t>::max()
                                                     : std::numeric_limits<int64_t>::min();
  return r;
}

char Lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// typ is a media type: compared case-insensitively, with the "application/"
// prefix optional (RFC 7515 section 4.1.9).
bool TypMatches(std::string_view got, std::string_view want) noexcept {
  auto strip = [](std::string_view t) {
    constexpr std::string_view kPrefix = "application/";
    if (t.size() > kPrefix.size()) {
      bool same = true;
      for (size_t i = 0; i < kPrefix.size() && same; ++i) same = Lower(t[i]) == kPrefix[i];
      if (same) t.remove_prefix(kPrefix.size());
    }
    return t;
  };
  got = strip(got);
  want = strip(want);
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i)
    if (Lower(got[i]) != Lower(want[i])) return false;
  return true;
}

// Inline: it runs for the audiences and every claim matcher of each verification.
[[gnu::always_inline]] inline bool AnyEqual(std::span<const std::string_view> have,
                                            const std::vector<std::string>& want) noexcept {
  for (std::string_view h : have)
    for (const std::string& w : want)
      if (h == w) return true;
  return false;
}

// Statuses that mean "this provider has no key for the token", as opposed to
// "the token is bad"; with several providers the latter is the better report.
bool IsNotThisProvider(Status s) noexcept {
  return s == Status::ERR_ALG_NOT_ALLOWED || s == Status::ERR_KID_NOT_FOUND ||
         s == Status::ERR_NO_MATCHING_KEY || s == Status::ERR_KEY_ALG_MISMATCH ||
         s == Status::ERR_KEYS_UNAVAILABLE || s == Status::ERR_KEYS_STALE;
}

using SnapshotReader = SnapshotCell<KeySnapshot>::Reader;

// internal::SetAfterKidMissHookForTesting: called after a first pass ends in
// ERR_KID_NOT_FOUND, before the verifier decides on a second one.
std::atomic<void (*)()> g_after_kid_miss_hook{nullptr};

// The key snapshot a verification holds from its header check on: the one
// hazard-slot write (a seq_cst store) that serves both the kid prescreen and
// the provider's own check, and the key the kid named in it.
struct HeldKeys {
  size_t provider = std::numeric_limits<size_t>::max();  // whose snapshot `reader` holds
  std::optional<SnapshotReader> reader;
  bool kid_looked_up = false;  // kid_key is the snapshot's key for the token's kid (or null)
  const Key* kid_key = nullptr;
  // After ERR_KID_NOT_FOUND: the sum of the generations of the key sets the
  // kid was missing from (every provider's when Prescreen failed, else the
  // one provider's), to tell whether a refresh has landed since.
  uint64_t missed_in_generations = 0;
};

}  // namespace

struct Verifier::Impl {
  VerifierConfig cfg;
  ClaimInterest interest;
  std::vector<Provider> providers;
  // The provider for each issuer (the first to name it). Few providers name
  // one in practice: up to kIssuersInOrder are compared in order (the length
  // check alone rejects most), which costs less than hashing the token's iss.
  static constexpr size_t kIssuersInOrder = 8;
  std::vector<std::pair<std::string, size_t>> issuers;
  absl::flat_hash_map<std::string, size_t> by_issuer;
  std::vector<size_t> without_issuer;
  std::vector<size_t> every_provider;  // 0, 1, ... n-1
  AlgSet any_provider_algs = 0;   // union of every provider's allow-list
  bool any_ignores_kid = false;   // some provider ignores kid
  bool any_remote = false;        // some provider's keys may gain a kid by refreshing
  StatusCounters unattributed;    // verifications that failed before a provider was chosen

  static constexpr size_t kNoProvider = std::numeric_limits<size_t>::max();
  // The index of the provider whose issuer is `iss`, or kNoProvider.
  size_t ProviderForIssuer(std::string_view iss) const noexcept {
    if (issuers.size() <= kIssuersInOrder) {
      for (const auto& [name, index] : issuers)
        if (name == iss) return index;
      return kNoProvider;
    }
    // Debian's abseil has its own string_view type, hence the conversion.
    const auto it = by_issuer.find(absl::string_view(iss.data(), iss.size()));
    return it == by_issuer.end() ? kNoProvider : it->second;
  }

  // OK when some provider could accept a token with this header, as far as
  // its alg and kid tell; otherwise the status every provider would return.
  // Answering before the payload is parsed keeps floods of tokens with
  // foreign algs or kids cheap. Keeps in *held the snapshot it looked the kid
  // up in (the first provider that has the kid, or has no keys), for
  // CheckProvider to reuse.
  Status Prescreen(const JoseHeader& h, HeldKeys* held) const;

  // issuer_matched: the token's iss already chose this provider by its issuer.
  Status CheckClaims(const Provider& p, const JoseHeader& h, const PayloadView& pv,
                     bool issuer_matched) const noexcept;
  // *generation gets the generation of the key set it checked against (0 without one).
  Status CheckProvider(size_t index, const JoseHeader& h, const PayloadView& pv, bool issuer_matched,
                       std::string_view signing_input, std::span<const uint8_t> sig,
                       const HeldKeys& held, uint64_t* generation) const;

  // One pass of the whole verification; *provider gets the index of the
  // provider the result belongs to (the one that accepted the token, or whose
  // failure is reported), or -1. After ERR_KID_NOT_FOUND, *missed_in
  // identifies the key sets the kid was missing from (HeldKeys).
  Status VerifyOnce(std::string_view token, VerifiedToken* out, int* provider, uint64_t* missed_in) const;

  // The HeldKeys::missed_in_generations the key sets of `provider` (or of
  // every provider, for -1) would give now: different from what a pass saw
  // when a refresh has published another set since.
  uint64_t CurrentGenerations(int provider) const;

  // After ERR_KID_NOT_FOUND: asks the remote key sets concerned (the
  // provider's, or all) for an early refresh, within their cooldown, and
  // waits for it if they are configured to. True when a refresh completed
  // and the token deserves another pass.
  bool RefreshForUnknownKid(int provider) const;
};

Status Verifier::Impl::Prescreen(const JoseHeader& h, HeldKeys* held) const {
  if (!AlgSetHas(any_provider_algs, h.alg)) return Status::ERR_ALG_NOT_ALLOWED;
  if (!h.has_kid || any_ignores_kid) return Status::OK;
  for (size_t i = 0; i < providers.size(); ++i) {
    SnapshotReader snap = providers[i].cache->Read();
    // Without keys a provider cannot rule the kid out; its own check will say why.
    const bool has_keys = snap && snap->keys;
    const Key* key = has_keys ? snap->keys->FindByKid(h.kid) : nullptr;
    // A kid of a skipped key is this provider's too: its check refuses the
    // token with that key's status, not ERR_KID_NOT_FOUND.
    if (!has_keys || key != nullptr ||
        snap->keys->StatusForMissingKid(h.kid) != Status::ERR_KID_NOT_FOUND) {
      held->provider = i;
      held->reader.emplace(std::move(snap));
      held->kid_looked_up = has_keys;
      held->kid_key = key;
      return Status::OK;
    }
    held->missed_in_generations += snap->generation;
  }
  return Status::ERR_KID_NOT_FOUND;
}

Status Verifier::Impl::CheckClaims(const Provider& p, const JoseHeader& h, const PayloadView& pv,
                                   bool issuer_matched) const noexcept {
  const ProviderConfig& c = p.cfg;
  if (c.typ && (!h.has_typ || !TypMatches(h.typ, *c.typ))) return Status::ERR_TYP_MISMATCH;

  const int64_t now = cfg.now ? *cfg.now : static_cast<int64_t>(std::time(nullptr));
  const int64_t leeway = cfg.leeway_s;
  if (pv.has_exp && now >= SatAdd(pv.exp, leeway)) return Status::ERR_EXPIRED;
  if (pv.has_nbf && SatAdd(now, leeway) < pv.nbf) return Status::ERR_NOT_YET_VALID;
  if (pv.has_iat && pv.iat > SatAdd(now, leeway)) return Status::ERR_ISSUED_IN_FUTURE;
  if (c.max_token_age_s > 0) {
    if (!pv.has_iat) return Status::ERR_MISSING_CLAIM;
    if (SatSub(now, pv.iat) > SatAdd(c.max_token_age_s, leeway)) return Status::ERR_TOKEN_TOO_OLD;
  }
  if ((pv.present & p.required_mask) != p.required_mask) return Status::ERR_MISSING_CLAIM;

  // A value check fails with its own mismatch status whether the claim is
  // absent or different (as gateways report it); ERR_MISSING_CLAIM is for
  // requiredClaims and for the iat that maxTokenAge needs.
  if (c.issuer && !issuer_matched && (!pv.has_iss || pv.iss != *c.issuer))
    return Status::ERR_ISSUER_MISMATCH;
  if (!c.audiences.empty() && (!pv.has_aud || !AnyEqual(pv.Strings(pv.aud), c.audiences)))
    return Status::ERR_AUDIENCE_MISMATCH;
  if (c.subject && (!pv.has_sub || pv.sub != *c.subject)) return Status::ERR_SUBJECT_MISMATCH;
  for (const Matcher& m : p.matchers) {
    // values[] is empty for an absent claim, so AnyEqual fails for it too.
    if (!AnyEqual(pv.Strings(pv.values[m.interest]), m.rule->values)) return Status::ERR_CLAIM_MISMATCH;
  }
  return Status::OK;
}

Status Verifier::Impl::CheckProvider(size_t index, const JoseHeader& h, const PayloadView& pv,
                                     bool issuer_matched, std::string_view signing_input,
                                     std::span<const uint8_t> sig, const HeldKeys& held,
                                     uint64_t* generation) const {
  const Provider& p = providers[index];
  if (!AlgSetHas(p.cfg.algorithms, h.alg)) return Status::ERR_ALG_NOT_ALLOWED;
  // One snapshot for the whole check, even if a refresh publishes another:
  // the one Prescreen holds when it is this provider's, else our own.
  std::optional<SnapshotReader> own;
  const KeySnapshot* snap;
  const Key* const* kid_key = nullptr;  // the kid's key in snap, when already looked up
  if (held.provider == index) {
    snap = held.reader->get();
    if (held.kid_looked_up) kid_key = &held.kid_key;
  } else {
    snap = own.emplace(p.cache->Read()).get();
  }
  if (snap == nullptr) return Status::ERR_KEYS_UNAVAILABLE;
  *generation = snap->generation;
  if (!snap->keys) return snap->unavailable;
  const KeySet& keys = *snap->keys;
  // Key selection first (an O(1) lookup): with several providers it tells
  // "not this provider's token" apart from "a bad token".
  const Key* key = nullptr;
  TV_RETURN_IF_ERROR(SelectKey(keys, h, &key, kid_key));
  // The signature before the claims: a claim status must never answer a
  // sender who has no key (it would tell them which guessed aud, sub or
  // matcher value is accepted). Claims first would only save work on tokens
  // whose claims fail, and a forger can always make those pass.
  TV_RETURN_IF_ERROR(VerifySignature(keys, h, key, signing_input, sig, cfg.max_keys_without_kid));
  return CheckClaims(p, h, pv, issuer_matched);
}

bool Verifier::Impl::RefreshForUnknownKid(int provider) const {
  using Clock = std::chrono::steady_clock;
  struct Wait {
    KeyCache* cache;
    int64_t attempts;
  };
  Wait waits[8];
  size_t n = 0;
  int64_t wait_ms = 0;
  for (size_t i = 0; i < providers.size(); ++i) {
    if (provider >= 0 && static_cast<size_t>(provider) != i) continue;
    KeyCache* cache = providers[i].cache.get();
    const int64_t attempts = cache->RequestRefreshForUnknownKid();
    if (attempts < 0 || cache->unknown_kid_wait_ms() == 0 || n == std::size(waits)) continue;
    waits[n++] = {cache, attempts};
    wait_ms = std::max(wait_ms, cache->unknown_kid_wait_ms());
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
  bool refreshed = false;
  for (size_t i = 0; i < n; ++i) refreshed |= waits[i].cache->WaitForAttempt(waits[i].attempts, deadline);
  return refreshed;
}

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::~Verifier() = default;

size_t Verifier::max_token_bytes() const noexcept { return impl_->cfg.max_token_bytes; }
int Verifier::max_json_depth() const noexcept { return impl_->cfg.max_json_depth; }

Result<std::unique_ptr<Verifier>> Verifier::Create(std::string_view config_json, Error* err,
                                                   KeySetEventCallback on_event) {
  Error local;
  if (err == nullptr) err = &local;
  auto fail = [&](Status st, std::string field, std::string message) {
    err->status = st;
    err->message = std::move(message);
    err->field = std::move(field);
    return st;
  };
  try {
    auto parsed = ParseConfig(config_json, err);
    if (!parsed.ok()) return parsed.status();
    auto impl = std::make_unique<Impl>();
    impl->cfg = std::move(parsed).value();

    auto interest_of = [&](const std::string& name, bool wants_values) { return impl->interest.Add(name, wants_values); };
    for (size_t i = 0; i < impl->cfg.providers.size(); ++i) {
      Provider p;
      p.cfg = std::move(impl->cfg.providers[i]);
      for (const auto& name : p.cfg.required_claims) p.required_mask |= uint64_t{1} << interest_of(name, false);
      for (const auto& rule : p.cfg.claims) p.matchers.push_back({interest_of(rule.name, true), &rule});
      if (impl->interest.size() > ClaimInterest::kMax)
        return fail(Status::ERR_CONFIG, "providers[" + std::to_string(i) + "]",
                    "more than 64 distinct required or matched claim names");
      impl->any_provider_algs |= p.cfg.algorithms;
      impl->any_remote |= p.cfg.keys.kind == KeySourceConfig::Kind::kRemote;
      auto cache = KeyCache::Create(p.cfg.name, std::move(p.cfg.keys), on_event, err);
      if (!cache.ok()) {
        err->field = "providers[" + std::to_string(i) + "].jwks.remote";
        return cache.status();
      }
      p.cache = std::move(cache).value();
      impl->any_ignores_kid |= p.cache->ignores_kid();
      impl->every_provider.push_back(impl->providers.size());
      if (!p.cfg.issuer) impl->without_issuer.push_back(impl->providers.size());
      else if (impl->by_issuer.emplace(*p.cfg.issuer, impl->providers.size()).second)
        impl->issuers.emplace_back(*p.cfg.issuer, impl->providers.size());
      impl->providers.push_back(std::move(p));
    }
    // Matchers point into their provider's config: fix them up after the moves.
    for (auto& p : impl->providers)
      for (size_t j = 0; j < p.matchers.size(); ++j) p.matchers[j].rule = &p.cfg.claims[j];
    impl->cfg.providers.clear();
    return std::unique_ptr<Verifier>(new Verifier(std::move(impl)));
  } catch (const std::bad_alloc&) {
    return fail(Status::ERR_OUT_OF_MEMORY, "", "out of memory");
  }
}

uint64_t Verifier::Impl::CurrentGenerations(int provider) const {
  uint64_t sum = 0;
  for (size_t i = 0; i < providers.size(); ++i) {
    if (provider >= 0 && static_cast<size_t>(provider) != i) continue;
    const SnapshotReader snap = providers[i].cache->Read();
    if (snap) sum += snap->generation;
  }
  return sum;
}

Status Verifier::Impl::VerifyOnce(std::string_view token, VerifiedToken* out, int* provider,
                                  uint64_t* missed_in) const {
  const Impl& im = *this;
  *provider = -1;
  if (token.size() > im.cfg.max_token_bytes) return Status::ERR_TOKEN_TOO_LARGE;
  TokenParts parts;
  TV_RETURN_IF_ERROR(SplitToken(token, &parts));
  {
    ThreadScratch& ts = Scratch();

    JoseHeader header;
    size_t header_len = 0;
    TV_RETURN_IF_ERROR(DecodeHeader(parts, ts.header, im.cfg.max_json_depth, &header, &header_len));
    HeldKeys held;
    if (const Status st = im.Prescreen(header, &held); st != Status::OK) {
      *missed_in = held.missed_in_generations;
      return st;
    }
    SignatureBuffer signature;
    TV_RETURN_IF_ERROR(DecodeSignature(parts.signature, &signature));

    size_t payload_len = 0;
    PayloadView pv;
    pv.strings = &ts.strings;
    TV_RETURN_IF_ERROR(DecodePayload(parts, ts.payload, im.cfg.max_json_depth, im.interest, &pv, &payload_len));

    // The token's iss picks its provider in O(1); otherwise the providers
    // without an issuer are tried in order. When every provider names an
    // issuer and none is this token's, they are all tried, so that the
    // refusal is ERR_ISSUER_MISMATCH only for a token whose signature one of
    // them verifies: which issuers are accepted is no answer for a forger.
    const size_t only = pv.has_iss ? im.ProviderForIssuer(pv.iss) : Impl::kNoProvider;
    Status result;
    const Provider* accepted = nullptr;
    uint64_t generation = 0;
    if (only != Impl::kNoProvider) {
      result = im.CheckProvider(only, header, pv, true, parts.signing_input, signature.span(), held, &generation);
      *provider = static_cast<int>(only);
      *missed_in = generation;
      if (result == Status::OK) accepted = &im.providers[only];
    } else {
      result = Status::ERR_NO_MATCHING_KEY;
      bool have_failure = false;
      for (size_t idx : im.without_issuer.empty() ? im.every_provider : im.without_issuer) {
        const Status st =
            im.CheckProvider(idx, header, pv, false, parts.signing_input, signature.span(), held, &generation);
        if (st == Status::OK) {
          accepted = &im.providers[idx];
          result = st;
          *provider = static_cast<int>(idx);
          break;
        }
        if (!have_failure || (IsNotThisProvider(result) && !IsNotThisProvider(st))) {
          result = st;
          *provider = static_cast<int>(idx);
          *missed_in = generation;
        }
        have_failure = true;
      }
    }
    if (result == Status::OK && out != nullptr) {
      out->header_json = std::string_view(reinterpret_cast<const char*>(ts.header.data()), header_len);
      out->payload_json = std::string_view(reinterpret_cast<const char*>(ts.payload.data()), payload_len);
      out->provider = accepted->cfg.name;
    }
    return result;
  }
}

Status Verifier::Verify(std::string_view token, VerifiedToken* out) const noexcept {
  const Impl& im = *impl_;
  int provider = -1;
  uint64_t missed_in = 0;
  Status result;
  try {
    result = im.VerifyOnce(token, out, &provider, &missed_in);
    if (result == Status::ERR_KID_NOT_FOUND && im.any_remote) {
      if (const auto hook = g_after_kid_miss_hook.load(std::memory_order_acquire)) hook();
      // A second pass when an early refresh completed for this token, or when
      // the one another token asked for a moment ago (still in its cooldown,
      // so not asked for again) has landed since this pass read the keys.
      if (im.RefreshForUnknownKid(provider) || im.CurrentGenerations(provider) != missed_in)
        result = im.VerifyOnce(token, out, &provider, &missed_in);
    }
  } catch (const std::bad_alloc&) {
    result = Status::ERR_OUT_OF_MEMORY;
  } catch (const std::system_error&) {  // a mutex or condition variable failed on the miss path
    result = Status::ERR_INTERNAL;
  }
  (provider >= 0 ? im.providers[static_cast<size_t>(provider)].cache->verifications() : im.unattributed)
      .Add(result);
  return result;
}

}  // namespace tokenverify

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

}  // namespace

void internal::SetAfterKidMissHookForTesting(void (*hook)()) {
  g_after_kid_miss_hook.store(hook, std::memory_order_release);
}

size_t internal::RepublishKeySetsForTesting(const Verifier& verifier) {
  size_t republished = 0;
  for (const auto& p : verifier.impl_->providers) republished += p.cache->RepublishForTesting();
  return republished;
}

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
    if (with_keys) {
      w.Key("keys");
      WriteKeys(w, served);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("unattributed");
  WriteCounts(w, im.unattributed);
  w.EndObject();
  return w.str();
}

}  // namespace tokenverify
