// The Redis revocation stream as a hostile server could send it: arbitrary
// bytes parsed by hiredis's reply reader (as the reader thread's connection
// does), each reply handed to ApplyStreamReply, the step that applies XREAD
// entries to the revocation list. Properties: no crash or leak; every entry of
// a well-formed reply is counted once, as applied or invalid; the list never
// holds more live entries than its bound.
#include <hiredis/hiredis.h>

#include <cstdint>
#include <cstdlib>

#include "revocation/redis_feed.h"
#include "revocation/revocation_list.h"

namespace {

using tokenverify::internal::ApplyStreamReply;
using tokenverify::internal::RevocationList;

constexpr size_t kMaxEntries = 64;
constexpr int64_t kNow = 1800000000;

// hiredis allocates an array reply's element table as soon as it reads the
// declared count ("*800000000\r\n" asks for 6.4 GB of address space, which
// Linux hands out lazily and libFuzzer's malloc limit reports as an OOM). That
// is hiredis's allocation, before any of our code runs: counts above a
// million are left out, so the fuzzer explores ours.
bool DeclaresAHugeArray(const uint8_t* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != '*') continue;  // anywhere: hiredis skips the two bytes after a bulk string unread
    size_t digits = 0;
    while (i + 1 + digits < size && data[i + 1 + digits] >= '0' && data[i + 1 + digits] <= '9') ++digits;
    if (digits > 6) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (DeclaresAHugeArray(data, size)) return 0;
  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) return 0;
  RevocationList list(kMaxEntries);
  if (redisReaderFeed(reader, reinterpret_cast<const char*>(data), size) == REDIS_OK) {
    for (int n = 0; n < 16; ++n) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader, &reply) != REDIS_OK || reply == nullptr) break;
      const auto* r = static_cast<const redisReply*>(reply);
      const auto batch = ApplyStreamReply(r, &list, 60, 3600, kNow);
      if (batch.well_formed) {
        const size_t entries = r->element[0]->element[1]->elements;
        if (batch.applied + batch.invalid != entries) std::abort();
      }
      freeReplyObject(reply);
    }
  }
  const auto stats = list.Stats();
  if (stats.tokens + stats.subjects > kMaxEntries) std::abort();
  redisReaderFree(reader);
  return 0;
}
