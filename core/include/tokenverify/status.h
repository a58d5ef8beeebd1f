// Status codes of the engine, generated from status.def.
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>

namespace tokenverify {

enum class Status : int32_t {
#define TV_STATUS(sym, num, msg) sym = num,
#include "tokenverify/status.def"
#undef TV_STATUS
};

// Every status in the table, in table order, and how many there are.
inline constexpr Status kAllStatuses[] = {
#define TV_STATUS(sym, num, msg) Status::sym,
#include "tokenverify/status.def"
#undef TV_STATUS
};
inline constexpr int kStatusCount = static_cast<int>(sizeof(kAllStatuses) / sizeof(kAllStatuses[0]));

// StatusIndex returns the position of `s` in kAllStatuses, or -1.
int StatusIndex(Status s) noexcept;

// StatusName returns the stable name, e.g. "TV_ERR_EXPIRED"; "TV_UNKNOWN_STATUS"
// for a number that is not in the table.
std::string_view StatusName(Status s) noexcept;

// StatusMessage returns a static English sentence describing `s`.
std::string_view StatusMessage(Status s) noexcept;

// IsKnownStatus reports whether `code` is a number from the table.
bool IsKnownStatus(int32_t code) noexcept;

constexpr bool IsOk(Status s) noexcept { return s == Status::OK; }

// Prints the name, e.g. "TV_ERR_EXPIRED" (also makes test failures readable).
inline std::ostream& operator<<(std::ostream& os, Status s) { return os << StatusName(s); }

}  // namespace tokenverify

// Propagates a non-OK Status out of the calling function.
#define TV_RETURN_IF_ERROR(expr)                                  \
  do {                                                            \
    ::tokenverify::Status tv_status_tmp_ = (expr);                \
    if (tv_status_tmp_ != ::tokenverify::Status::OK) [[unlikely]] \
      return tv_status_tmp_;                                      \
  } while (0)
