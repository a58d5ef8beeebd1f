#include "tokenverify/status.h"

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
