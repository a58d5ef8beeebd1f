// A small JSON text builder for the documents the engine emits (stats, key
// lists): objects and arrays with commas placed for the caller, strings
// escaped per RFC 8259. Not on any hot path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tokenverify::internal {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // The name of the next member of the current object.
  JsonWriter& Key(std::string_view name);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Key + value in one call.
  template <class T>
  JsonWriter& Member(std::string_view name, const T& value) {
    Key(name);
    return Value(value);
  }
  const std::string& str() const noexcept { return out_; }

 private:
  JsonWriter& Value(std::string_view v) { return String(v); }
  JsonWriter& Value(const std::string& v) { return String(v); }
  JsonWriter& Value(const char* v) { return String(v); }
  JsonWriter& Value(bool v) { return Bool(v); }
  JsonWriter& Value(int v) { return Int(v); }
  JsonWriter& Value(long v) { return Int(v); }
  JsonWriter& Value(long long v) { return Int(v); }
  JsonWriter& Value(unsigned v) { return Uint(v); }
  JsonWriter& Value(unsigned long v) { return Uint(v); }
  JsonWriter& Value(unsigned long long v) { return Uint(v); }
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  void Separate();  // a comma before every value but the first of a container

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace tokenverify::internal
