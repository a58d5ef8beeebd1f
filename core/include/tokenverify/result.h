// Result<T>: a value or a non-OK Status, in the spirit of absl::StatusOr.
// Core functions never throw; they return Status or Result<T>.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "tokenverify/status.h"

namespace tokenverify {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status s) : v_(s) { assert(s != Status::OK); }  // NOLINT

  bool ok() const noexcept { return std::holds_alternative<T>(v_); }
  Status status() const noexcept { return ok() ? Status::OK : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> v_;
};

// Detail: a status plus a human sentence saying exactly what was wrong, for
// configuration and key-set loading (never on the verification hot path).
struct Error {
  Status status = Status::OK;
  std::string field;    // configuration path at fault, e.g. "providers[0].jwks.local.file", or ""
  std::string message;  // what was wrong, without the field: e.g. "cannot open \"x.json\""
};

}  // namespace tokenverify

#define TV_ASSIGN_OR_RETURN(lhs, expr)                     \
  auto TV_CONCAT_(tv_result_, __LINE__) = (expr);          \
  if (!TV_CONCAT_(tv_result_, __LINE__).ok()) [[unlikely]] \
    return TV_CONCAT_(tv_result_, __LINE__).status();      \
  lhs = std::move(TV_CONCAT_(tv_result_, __LINE__)).value()
#define TV_CONCAT_(a, b) TV_CONCAT_IMPL_(a, b)
#define TV_CONCAT_IMPL_(a, b) a##b
