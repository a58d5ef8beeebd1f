// The small readers every part of the configuration parser shares: typed
// values out of simdjson elements, and the field paths that errors name
// ("providers[0].jwks.remote.url"). Parsing a configuration is not on any hot
// path, and a configuration error can be found many calls deep; one internal
// exception type (ConfigFailure) keeps each reader short. It never leaves the
// parser: ParseConfig catches it.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenverify/status.h"

namespace tokenverify::internal {

using simdjson::dom::element;
using simdjson::dom::object;

struct ConfigFailure {
  Status status;
  std::string field;
  std::string message;
};

[[noreturn]] void Fail(const std::string& field, const std::string& message, Status status = Status::ERR_CONFIG);
[[noreturn]] void UnknownField(const std::string& path, std::string_view key);

std::string Join(const std::string& path, std::string_view key);  // "a" + "b" -> "a.b"
std::string Index(const std::string& path, size_t i);             // "a" + 2 -> "a[2]"

object AsObject(element e, const std::string& path);
simdjson::dom::array AsArray(element e, const std::string& path, std::string_view what);
std::string AsString(element e, const std::string& path);
bool AsBool(element e, const std::string& path);
int64_t AsInt(element e, const std::string& path, int64_t lo, int64_t hi);
std::vector<std::string> AsStringList(element e, const std::string& path);
std::vector<std::string> AsStringOrList(element e, const std::string& path);  // a string or a list of strings
// A duration: a number of seconds or a string such as "60s" or "1h30m".
int64_t AsDurationMs(element e, const std::string& path);
int64_t AsDurationSeconds(element e, const std::string& path);  // a whole number of seconds
// A positive duration in milliseconds, at most `max_ms`.
int64_t AsPositiveDurationMs(element e, const std::string& path, int64_t max_ms);

}  // namespace tokenverify::internal
