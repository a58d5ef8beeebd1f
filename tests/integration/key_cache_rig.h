// Shared by the key-cache integration tests: configuration text for a remote
// provider, reading StatsJson fields, an event log, and polling with deadlines.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/signer.h"
#include "tokenverify/status.h"
#include "tokenverify/verifier.h"

namespace tokenverify {

inline void PrintTo(Status s, std::ostream* os) { *os << StatusName(s); }

namespace cachetest {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t).count();
}

// One ES256 provider named "p" with a remote key set at `url`; `knobs` are
// more members of the "remote" object, e.g. R"("cacheDuration":"100ms")".
inline std::string RemoteConfig(const std::string& url, std::string_view knobs) {
  std::string c =
      R"({"providers":[{"name":"p","algorithms":["ES256"],"jwks":{"remote":{"url":)" + testing::JsonQuote(url);
  if (!knobs.empty()) c += "," + std::string(knobs);
  return c + "}}}]}";
}

// The raw text of member `name` of the first provider in a StatsJson
// document (a number, true/false, or a quoted string), "" if absent.
inline std::string StatText(const std::string& json, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":";
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  size_t end = start;
  if (end < json.size() && json[end] == '"')
    end = json.find('"', end + 1) + 1;
  else
    while (end < json.size() && json[end] != ',' && json[end] != '}') ++end;
  return json.substr(start, end - start);
}

inline int64_t StatInt(const std::string& json, std::string_view name) {
  const std::string t = StatText(json, name);
  EXPECT_FALSE(t.empty()) << name << " missing from " << json;
  return std::strtoll(t.c_str(), nullptr, 10);
}

inline bool StatBool(const std::string& json, std::string_view name) {
  const std::string t = StatText(json, name);
  EXPECT_TRUE(t == "true" || t == "false") << name << " in " << json;
  return t == "true";
}

// Key-set events as the verifier's callback reports them.
class EventLog {
 public:
  KeySetEventCallback Callback() {
    return [this](const KeySetEvent& e) {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(e);
    };
  }
  int Count(KeySetEvent::Kind kind) const {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& e : events_) n += e.kind == kind;
    return n;
  }
  std::vector<KeySetEvent> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<KeySetEvent> events_;
};

// Calls `done` every few milliseconds until it returns true (then true) or
// `timeout` passes (then false).
template <class F, class Step = milliseconds>
bool PollUntil(F done, milliseconds timeout, Step step = milliseconds(5)) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace cachetest
}  // namespace tokenverify
