// The SHA-256 blocks on the SHA extensions (keys/sha256_ni.h) against
// OpenSSL's SHA-256: every tail length around the padding's one-or-two-block
// boundary, from the initial value and from a state mid-message.
#include "keys/sha256_ni.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace tokenverify::internal {
namespace {

#if defined(__x86_64__)
// SHA-256 of `msg` on sha256_ni, starting from `start` (a context that has
// absorbed `start_bytes` whole blocks already).
std::vector<uint8_t> HashOnExtensions(const SHA256_CTX& start, uint64_t start_bytes, const std::string& msg) {
  uint32_t h[8];
  std::memcpy(h, start.h, sizeof h);
  sha256_ni::ToLaneOrder(h);
  const auto* p = reinterpret_cast<const uint8_t*>(msg.data());
  size_t n = msg.size();
  for (; n >= 64; n -= 64, p += 64) sha256_ni::Block(h, p);
  uint8_t last[128];
  const size_t blocks = sha256_ni::PadLastBlocks(p, n, (start_bytes + msg.size()) * 8, last);
  EXPECT_EQ(blocks, n < 56 ? 1u : 2u);
  for (size_t b = 0; b < blocks; ++b) sha256_ni::Block(h, last + 64 * b);
  sha256_ni::FromLaneOrder(h);
  std::vector<uint8_t> out(32);
  sha256_ni::DigestBytes(h, out.data());
  return out;
}

TEST(Sha256Ni, LaneOrderRoundTrips) {
  uint32_t h[8] = {1, 2, 3, 4, 5, 6, 7, 8}, want[8];
  std::memcpy(want, h, sizeof h);
  sha256_ni::ToLaneOrder(h);
  EXPECT_NE(std::memcmp(h, want, sizeof h), 0);
  sha256_ni::FromLaneOrder(h);
  EXPECT_EQ(std::memcmp(h, want, sizeof h), 0);
}

TEST(Sha256Ni, MatchesOpenSslForEveryTailLength) {
  if (!sha256_ni::Active()) GTEST_SKIP() << "this CPU has no SHA extensions (or they are forced off)";
  std::mt19937 rng(7);
  const std::string prefix(64, 'p');  // one whole block before the message, as the HMAC's ipad block
  for (size_t len = 0; len <= 3 * 64 + 1; ++len) {
    std::string msg(len, '\0');
    for (char& c : msg) c = static_cast<char>(rng());
    uint8_t want[32];
    SHA256(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), want);
    SHA256_CTX init;
    SHA256_Init(&init);
    EXPECT_EQ(HashOnExtensions(init, 0, msg), std::vector<uint8_t>(want, want + 32)) << len << " bytes";
    uint8_t whole_message[32];
    sha256_ni::Digest(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), whole_message);
    EXPECT_EQ(std::memcmp(whole_message, want, 32), 0) << "Digest, " << len << " bytes";

    SHA256_CTX mid;
    SHA256_Init(&mid);
    SHA256_Update(&mid, prefix.data(), prefix.size());
    const std::string whole = prefix + msg;
    SHA256(reinterpret_cast<const uint8_t*>(whole.data()), whole.size(), want);
    EXPECT_EQ(HashOnExtensions(mid, 64, msg), std::vector<uint8_t>(want, want + 32)) << "64 + " << len << " bytes";
  }
}

// The outer block of HMAC-SHA-256 from the inner digest's words: the
// SHA-256 of a 64-byte block followed by the digest's 32 bytes.
TEST(Sha256Ni, HmacOuterBlockMatchesOpenSsl) {
  if (!sha256_ni::Active()) GTEST_SKIP() << "this CPU has no SHA extensions (or they are forced off)";
  for (int round = 0; round < 16; ++round) {
    const std::string opad(64, static_cast<char>(0x5c ^ round));
    uint8_t inner_bytes[32];
    const std::string seed = "inner " + std::to_string(round);
    SHA256(reinterpret_cast<const uint8_t*>(seed.data()), seed.size(), inner_bytes);
    uint32_t inner[8];
    for (int i = 0; i < 8; ++i)
      inner[i] = uint32_t{inner_bytes[4 * i]} << 24 | uint32_t{inner_bytes[4 * i + 1]} << 16 |
                 uint32_t{inner_bytes[4 * i + 2]} << 8 | inner_bytes[4 * i + 3];
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, opad.data(), opad.size());
    uint32_t h[8];
    std::memcpy(h, ctx.h, sizeof h);
    sha256_ni::ToLaneOrder(h);
    sha256_ni::HmacOuterBlock(h, inner);
    sha256_ni::FromLaneOrder(h);
    uint8_t got[32], want[32];
    sha256_ni::DigestBytes(h, got);
    SHA256_Update(&ctx, inner_bytes, sizeof inner_bytes);
    SHA256_Final(want, &ctx);
    EXPECT_EQ(std::memcmp(got, want, sizeof want), 0) << round;
  }
}
#endif

TEST(Sha256Ni, ActiveOnlyWhereCompiled) {
  if (!sha256_ni::kCompiled) EXPECT_FALSE(sha256_ni::Active());
  if (const char* forced = std::getenv("TOKENVERIFY_FORCE_IMPLEMENTATION");
      forced != nullptr && std::string(forced) == "fallback")
    EXPECT_FALSE(sha256_ni::Active());
}

}  // namespace
}  // namespace tokenverify::internal
