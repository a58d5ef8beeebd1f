// Where a provider's keys come from and how they are kept fresh: the part of
// the configuration that the key cache (keysets/key_cache.h) acts on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "keys/key.h"
#include "keys/key_set_format.h"

namespace tokenverify::internal {

// jwks.remote: a JWK set fetched over HTTP(S) and refreshed in the background.
// Every duration is in milliseconds. The defaults are the documented ones.
struct RemoteJwksConfig {
  std::string url;
  int64_t cache_duration_ms = 5 * 60'000;    // refresh interval when the response says nothing
  int64_t timeout_ms = 5'000;                // one fetch, connect included
  bool use_cache_headers = true;             // honour Cache-Control max-age / Expires
  int64_t min_refresh_interval_ms = 60'000;  // clamp for header-derived lifetimes
  int64_t max_refresh_interval_ms = 24 * 3'600'000;
  int64_t refresh_ahead_ms = 30'000;         // refresh this long before the set expires (at most half its lifetime)
  int64_t max_stale_ms = -1;                 // serve the last good set this long past expiry; -1: 10x cache_duration
  int64_t backoff_initial_ms = 1'000;        // retry delay after a network error, 5xx or 429 ...
  double backoff_multiplier = 2.0;           // ... multiplied after each consecutive failure ...
  int64_t backoff_max_ms = 10'000;           // ... up to this (each delay jittered down by up to half)
  int64_t unknown_kid_cooldown_ms = 30'000;  // at most one refresh per cooldown for unknown kids
  int64_t unknown_kid_wait_ms = 0;           // how long a verify waits for that refresh (0: not at all)
  int64_t initial_fetch_wait_ms = 0;         // verifier creation waits this long for the first set
  bool require_initial_keys = false;         // ... and fails if it has not arrived by then
  size_t max_response_bytes = 1 << 20;
  bool verify_tls = true;
  std::string ca_file;           // PEM bundle for https; empty: the system's
  bool follow_redirects = true;  // up to 3, never https -> http; false: a 3xx is a failed fetch
  // "headers": sent with every fetch (an API gateway's key, a User-Agent).
  // Checked at load: names are HTTP tokens, values hold no control characters.
  std::vector<std::pair<std::string, std::string>> headers;

  int64_t EffectiveMaxStaleMs() const noexcept { return max_stale_ms >= 0 ? max_stale_ms : 10 * cache_duration_ms; }
};

struct KeySourceConfig {
  enum class Kind {
    kStatic,  // jwks.local.inline, jwks.local.pem, secret: loaded once
    kFile,    // jwks.local.file: reloaded when the file changes
    kRemote,  // jwks.remote
  };
  Kind kind = Kind::kStatic;
  std::shared_ptr<const KeySet> initial;        // kStatic and kFile: the set loaded with the configuration
  std::string file;                             // kFile
  std::string initial_text;                     // kFile: the text `initial` was parsed from
  int64_t check_interval_ms = 10'000;           // kFile: how often the file is checked for changes
  RemoteJwksConfig remote;                      // kRemote
  KeySetFormat format = KeySetFormat::kDetect;  // kFile and kRemote: how each new text is parsed
  // "strictKeySet": true refuses a set (at load, and as a failed refresh)
  // that holds any key the engine cannot use, instead of skipping that key;
  // "allowShortHmacSecrets" loads HMAC secrets shorter than the hash.
  KeyPolicy policy;
  // limits.maxKeysWithoutKid, to report sets whose kid-less keys exceed it.
  size_t max_keys_without_kid = 4;
};

}  // namespace tokenverify::internal
