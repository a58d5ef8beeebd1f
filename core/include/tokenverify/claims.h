// Claims: an owned, immutable copy of one token's decoded header and payload,
// indexed by top-level member for typed lookups. Built only when a caller
// asks to keep the claims (never on the allocation-free verify path).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tokenverify/result.h"

namespace tokenverify {

class Claims {
 public:
  // Copies and indexes `header_json` and `payload_json` (both must be JSON
  // objects; anything else is ERR_MALFORMED_JSON / ERR_JSON_NOT_OBJECT).
  static Result<std::unique_ptr<Claims>> Create(std::string_view header_json, std::string_view payload_json);

  // Copies JSON that a verification (or DecodeUnverified) has already
  // checked, and defers the member index to the first lookup: keeping the
  // claims of a verified token then costs two copies, not a second parse.
  static Result<std::unique_ptr<Claims>> CreateFromChecked(std::string_view header_json, std::string_view payload_json);

  std::string_view header_json() const noexcept { return header_; }
  std::string_view payload_json() const noexcept { return payload_; }

  struct Member {
    std::string name;      // unescaped
    std::string_view raw;  // JSON text of the value, inside payload_json()
    bool is_string = false;
    bool is_int64 = false;
    std::string string_value;  // unescaped, when is_string
    int64_t int_value = 0;     // when is_int64
  };

  // Builds the member index if it is not built yet (thread-safe) and says
  // whether that worked: OK, or ERR_OUT_OF_MEMORY / a JSON status.
  Status Index() const noexcept;

  // Top-level payload member by unescaped name; nullptr when absent (or when
  // Index() fails).
  const Member* Find(std::string_view name) const noexcept;
  // Every top-level member, in order (empty when Index() fails).
  const std::vector<Member>& members() const noexcept;

 private:
  Status BuildIndex() const noexcept;

  std::string header_;
  std::string payload_;
  mutable std::once_flag indexed_;
  mutable Status index_status_ = Status::OK;
  mutable std::vector<Member> members_;
};

}  // namespace tokenverify
