// The portable base64url kernel: the scalar reference decoder itself.
#include "base64url/base64url.h"

namespace tokenverify::internal::fallback {

bool Base64urlDecode(const char* in, size_t len, uint8_t* out) noexcept { return Base64urlDecodeScalar(in, len, out); }

}  // namespace tokenverify::internal::fallback
