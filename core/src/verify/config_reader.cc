#include "verify/config_reader.h"

#include "verify/duration.h"

namespace tokenverify::internal {

[[noreturn]] void Fail(const std::string& field, const std::string& message, Status status) {
  throw ConfigFailure{status, field, message};
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

object AsObject(element e, const std::string& path) {
  object o;
  if (e.get_object().get(o)) Fail(path, "must be a JSON object");
  return o;
}

std::string AsString(element e, const std::string& path) {
  std::string_view s;
  if (e.get_string().get(s)) Fail(path, "must be a string");
  return std::string(s);
}

bool AsBool(element e, const std::string& path) {
  bool b;
  if (e.get_bool().get(b)) Fail(path, "must be true or false");
  return b;
}

int64_t AsInt(element e, const std::string& path, int64_t lo, int64_t hi) {
  int64_t v;
  if (e.get_int64().get(v)) Fail(path, "must be an integer");
  if (v < lo || v > hi) Fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return v;
}

simdjson::dom::array AsArray(element e, const std::string& path, std::string_view what) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) Fail(path, "must be an array of " + std::string(what));
  return arr;
}

std::vector<std::string> AsStringList(element e, const std::string& path) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr)) Fail(path, "must be an array of strings");
  std::vector<std::string> out;
  size_t i = 0;
  for (element item : arr) out.push_back(AsString(item, Index(path, i++)));
  return out;
}

// A string or a list of strings.
std::vector<std::string> AsStringOrList(element e, const std::string& path) {
  if (e.is_string()) return {AsString(e, path)};
  return AsStringList(e, path);
}

int64_t AsDurationMs(element e, const std::string& path) {
  int64_t ms = 0;
  std::string why;
  bool ok;
  if (e.is_number()) {
    double d = 0;
    if (e.get_double().get(d)) Fail(path, "must be a number");
    ok = DurationFromSeconds(d, &ms, &why);
  } else if (e.is_string()) {
    ok = ParseDuration(AsString(e, path), &ms, &why);
  } else {
    ok = false;
    why = "must be a number of seconds or a duration string such as \"60s\"";
  }
  if (!ok) Fail(path, why);
  return ms;
}

int64_t AsDurationSeconds(element e, const std::string& path) {
  const int64_t ms = AsDurationMs(e, path);
  if (ms % 1000 != 0) Fail(path, "must be a whole number of seconds");
  return ms / 1000;
}

[[noreturn]] void UnknownField(const std::string& path, std::string_view key) {
  Fail(Join(path, key), "unknown field \"" + std::string(key) + "\"");
}

int64_t AsPositiveDurationMs(element e, const std::string& path, int64_t max_ms) {
  const int64_t ms = AsDurationMs(e, path);
  if (ms <= 0) Fail(path, "must be longer than zero");
  if (ms > max_ms) Fail(path, "must be at most " + std::to_string(max_ms / 1000) + " seconds");
  return ms;
}

}  // namespace tokenverify::internal
