#include "tokenverify/status.h"

#include <array>

namespace tokenverify {

std::string_view StatusName(Status s) noexcept {
  switch (s) {
#define TV_STATUS(sym, num, msg) \
  case Status::sym:              \
    return "TV_" #sym;
#include "tokenverify/status.def"
#undef TV_STATUS
  }
  return "TV_UNKNOWN_STATUS";
}

std::string_view StatusMessage(Status s) noexcept {
  switch (s) {
#define TV_STATUS(sym, num, msg) \
  case Status::sym:              \
    return msg;
#include "tokenverify/status.def"
#undef TV_STATUS
  }
  return "unknown status code";
}

int StatusIndex(Status s) noexcept {
  // Codes are below 1000 (the 9xx range is the last): a direct table.
  static constexpr auto kIndex = [] {
    std::array<int16_t, 1000> t{};
    t.fill(-1);
    for (int i = 0; i < kStatusCount; ++i) t[static_cast<size_t>(kAllStatuses[i])] = static_cast<int16_t>(i);
    return t;
  }();
  const auto code = static_cast<int32_t>(s);
  return code >= 0 && code < 1000 ? kIndex[static_cast<size_t>(code)] : -1;
}

bool IsKnownStatus(int32_t code) noexcept {
  switch (code) {
#define TV_STATUS(sym, num, msg) case num:
#include "tokenverify/status.def"
#undef TV_STATUS
    return true;
  }
  return false;
}

}  // namespace tokenverify
