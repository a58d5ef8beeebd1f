// A thread's header scratch together with the last header it decoded.
//
// Why: every token one issuer signs with one key carries the very same
// protected header ({"alg":"RS256","typ":"JWT","kid":"..."}), byte for byte.
// When a token's header segment equals the last one decoded here, the
// scratch still holds its decoded bytes and the parse's answer is known:
// comparing the segment (tens of bytes) replaces its base64url decode, the
// fast path's admission pass and the walk (about 30 ns of a 650 ns HS256
// verification; the header + payload parse bench, 210 ns, loses as much).
//
// The answer depends on nothing but the segment's bytes and the maximum
// depth (ParseHeader is a function of them), so both are the key. Only a
// parse that succeeded is kept; anything else empties the memo. The scratch
// is private, written only by Decode, so what the memo says it holds, it
// holds: a hit's views (kid, typ, the verified header's JSON) point into it
// exactly as a fresh decode's would, until this thread's next Decode.
#pragma once

#include <cstring>
#include <string_view>

#include "json/scanner.h"
#include "token/decode.h"
#include "token/token.h"

namespace tokenverify::internal {

class HeaderMemo {
 public:
  // Longer header segments are decoded every time (and not copied).
  static constexpr size_t kMaxSegment = 256;

  // DecodeHeader on parts.header, or the memo's answer when the segment and
  // max_depth are the last successful decode's.
  Status Decode(const TokenParts& parts, int max_depth, JoseHeader* out, size_t* out_len) noexcept {
    const std::string_view segment = parts.header;
    if (segment.size() == segment_size_ && max_depth == max_depth_ &&
        std::memcmp(segment.data(), segment_, segment.size()) == 0) [[likely]] {
      *out = header_;
      *out_len = decoded_size_;
      return Status::OK;
    }
    segment_size_ = 0;  // the scratch is about to change: empty until this parse succeeds
    const Status st = DecodeHeader(parts, scratch_, max_depth, out, out_len);
    if (st == Status::OK && segment.size() <= kMaxSegment) {
      std::memcpy(segment_, segment.data(), segment.size());
      segment_size_ = segment.size();  // never 0 here: an empty header is refused by the split
      max_depth_ = max_depth;
      header_ = *out;
      decoded_size_ = *out_len;
    }
    return st;
  }

  // The decoded header of the last Decode (what views into it point at).
  const uint8_t* data() const noexcept { return scratch_.data(); }

 private:
  TokenJsonScratch scratch_;
  char segment_[kMaxSegment];
  size_t segment_size_ = 0;  // 0: nothing kept
  int max_depth_ = 0;
  JoseHeader header_;
  size_t decoded_size_ = 0;
};

}  // namespace tokenverify::internal
