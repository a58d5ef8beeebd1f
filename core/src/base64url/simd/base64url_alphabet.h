// The base64url alphabet (RFC 4648 section 5), shared by the scalar decoder
// and every vector kernel, which build their lookup tables from it at compile time.
#pragma once

namespace tokenverify::internal {

// The 6-bit value of base64url character `c`, or -1 if `c` is not in the alphabet.
constexpr int SextetOf(unsigned c) {
  if (c >= 'A' && c <= 'Z') return static_cast<int>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<int>(c - 'a') + 26;
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0') + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace tokenverify::internal
