// Keys at work: which algorithms a key may verify, and Verify itself for
// every family (exact lengths, tampering, PSS parameters, ECDSA ranges,
// HMAC precomputation, per-thread context reuse).
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <openssl/sha.h>

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "keys/digest_in_progress.h"
#include "keys/key.h"
#include "keys/mac_in_progress.h"
#include "keys/select.h"
#include "keys/sha256_ni.h"
#include "support/signer.h"

namespace tokenverify::internal {
namespace {

using testing::MakeKey;
using testing::SignRaw;
using testing::TestKey;

std::span<const uint8_t> S(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::unique_ptr<Key> Parse(const std::string& jwk) {
  Error err;
  auto r = ParseJwk(jwk, &err);
  EXPECT_TRUE(r.ok()) << err.message;
  if (!r.ok()) return nullptr;
  EXPECT_NE(r.value(), nullptr);
  return std::move(r).value();
}

std::shared_ptr<const KeySet> ParseSet(const std::string& json) {
  Error err;
  auto r = ParseJwks(json, &err);
  EXPECT_TRUE(r.ok()) << err.message;
  return r.ok() ? r.value() : nullptr;
}

Alg AlgOf(const TestKey& k) {
  Alg a = Alg::kHS256;
  EXPECT_EQ(ParseAlg(k.JwsAlg(), &a), Status::OK) << k.alg;
  return a;
}

const char* const kAllTestAlgs[] = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
                                    "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed448"};

// ---------------------------------------------------------------- Verify, per algorithm

class VerifyEveryAlg : public ::testing::TestWithParam<const char*> {};

TEST_P(VerifyEveryAlg, AcceptsItsOwnSignaturesAndNothingElse) {
  const TestKey tk = MakeKey(GetParam(), "k");
  auto key = Parse(tk.PublicJwk());
  ASSERT_NE(key, nullptr);
  const Alg alg = AlgOf(tk);
  ASSERT_EQ(key->CheckUsableFor(alg), Status::OK);

  const std::string input = "eyJhbGciOiJ4In0.eyJzdWIiOiJtZSJ9";
  const std::string sig = SignRaw(tk, input);
  EXPECT_EQ(key->Verify(alg, S(input), S(sig)), Status::OK);
  EXPECT_EQ(key->Verify(alg, S(input), S(sig)), Status::OK);  // again, on the cached context

  std::string tampered = input;
  tampered[3] ^= 1;
  EXPECT_EQ(key->Verify(alg, S(tampered), S(sig)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(alg, S(input + "x"), S(sig)), Status::ERR_SIGNATURE_INVALID);

  for (size_t at : {size_t{0}, sig.size() / 2, sig.size() - 1}) {
    std::string flipped = sig;
    flipped[at] ^= 0x01;
    EXPECT_EQ(key->Verify(alg, S(input), S(flipped)), Status::ERR_SIGNATURE_INVALID) << at;
  }
  EXPECT_EQ(key->Verify(alg, S(input), S(sig.substr(1))), Status::ERR_SIGNATURE_LENGTH);
  EXPECT_EQ(key->Verify(alg, S(input), S(sig + '\0')), Status::ERR_SIGNATURE_LENGTH);
  EXPECT_EQ(key->Verify(alg, S(input), S(std::string('\0' + sig))), Status::ERR_SIGNATURE_LENGTH);
  EXPECT_EQ(key->Verify(alg, S(input), S("")), Status::ERR_SIGNATURE_LENGTH);

  // A signature by another key of the same kind does not verify.
  const TestKey other = MakeKey(GetParam(), "other");
  EXPECT_EQ(key->Verify(alg, S(input), S(SignRaw(other, input))), Status::ERR_SIGNATURE_INVALID);

  // Empty signing input still works (the hash of nothing).
  EXPECT_EQ(key->Verify(alg, S(""), S(SignRaw(tk, ""))), Status::OK);
}

// What the begun MAC and digest are tried on: messages across block
// boundaries, and for each the signatures a check must tell apart (good, one
// bit flipped, a byte short, empty, another message's).
constexpr size_t kBegunLengths[] = {0, 1, 63, 64, 65, 127, 128, 129, 547, 1000};

std::string BegunMessage(size_t len) {
  std::string msg(len, '\0');
  for (size_t i = 0; i < len; ++i) msg[i] = static_cast<char>('a' + i % 26);
  return msg;
}

std::vector<std::string> SignaturesToTry(const TestKey& tk, const std::string& msg) {
  const std::string good = SignRaw(tk, msg);
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x10;
  return {good, flipped, good.substr(1), "", SignRaw(tk, msg + "x")};
}

// The HMAC a verification begins before the payload is parsed, advanced a
// step at a time between the payload's members (keys/mac_in_progress.h),
// answers exactly what Verify answers, however many steps ran before it is
// checked. Other keys begin nothing (their SHA-256 algs begin a digest
// instead: BegunDigestAnswersAsVerify).
TEST_P(VerifyEveryAlg, BegunMacAnswersAsVerify) {
  const TestKey tk = MakeKey(GetParam(), "k");
  auto key = Parse(tk.PublicJwk());
  ASSERT_NE(key, nullptr);
  const Alg alg = AlgOf(tk);
  const bool hmac = tk.alg == "HS256";  // HS384/512 hash in software: nothing to overlap (key_hmac.cc)
  for (size_t len : kBegunLengths) {
    const std::string msg = BegunMessage(len);
    const std::vector<std::string> signatures = SignaturesToTry(tk, msg);
    // From no step at all to more steps than the HMAC has (blocks, the inner hash's end, the outer hash).
    for (size_t steps = 0; steps <= len / 64 + 3; ++steps) {
      for (const std::string& sig : signatures) {
        MacInProgress begun;
        ASSERT_EQ(key->BeginMac(alg, S(msg), &begun), hmac);
        if (!hmac) {
          EXPECT_FALSE(begun.active());
          continue;
        }
        ASSERT_TRUE(begun.IsFor(key.get(), alg, S(msg)));
        for (size_t i = 0; i < steps; ++i) begun.Step();
        EXPECT_EQ(begun.Check(S(sig)), key->Verify(alg, S(msg), S(sig)))
            << GetParam() << " len " << len << " steps " << steps << " signature of " << sig.size() << " bytes";
        EXPECT_FALSE(begun.active());  // checked once; a later check verifies afresh
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Keys, VerifyEveryAlg, ::testing::ValuesIn(kAllTestAlgs));

// The digest a verification begins for RS256, PS256, ES256 and ES256K
// before choosing a key (keys/digest_in_progress.h), advanced any number of
// steps, verifies (VerifyWithKey) exactly what Verify answers; every other
// alg gets no digest from it and verifies as before.
TEST_P(VerifyEveryAlg, BegunDigestAnswersAsVerify) {
  const TestKey tk = MakeKey(GetParam(), "k");
  auto key = Parse(tk.PublicJwk());
  ASSERT_NE(key, nullptr);
  const Alg alg = AlgOf(tk);
  const bool covered = tk.alg == "RS256" || tk.alg == "PS256" || tk.alg == "ES256" || tk.alg == "ES256K";
  EXPECT_EQ(DigestInProgress::Covers(alg), covered);
  for (size_t len : kBegunLengths) {
    const std::string msg = BegunMessage(len);
    const std::vector<std::string> signatures = SignaturesToTry(tk, msg);
    for (size_t steps = 0; steps <= len / 64 + 2; ++steps) {
      for (const std::string& sig : signatures) {
        DigestInProgress digest;
        digest.Begin(S(msg));
        for (size_t i = 0; i < steps; ++i) digest.Step();
        EXPECT_EQ(digest.DigestFor(alg, S(msg)) != nullptr, covered);
        EXPECT_EQ(VerifyWithKey(*key, alg, S(msg), S(sig), {nullptr, &digest}), key->Verify(alg, S(msg), S(sig)))
            << GetParam() << " len " << len << " steps " << steps << " signature of " << sig.size() << " bytes";
      }
    }
  }
}

TEST(KeyVerify, BegunDigestIsOnlyForItsMessageAndSha256Algs) {
  const std::string msg = "header.payload", copy = msg;
  DigestInProgress digest;
  EXPECT_FALSE(digest.active());
  EXPECT_EQ(digest.DigestFor(Alg::kRS256, S(msg)), nullptr);  // never begun
  digest.Begin(S(msg));
  EXPECT_TRUE(digest.active());
  EXPECT_EQ(digest.DigestFor(Alg::kRS256, S(copy)), nullptr);  // the same text elsewhere is another message
  EXPECT_EQ(digest.DigestFor(Alg::kRS256, S(msg).first(5)), nullptr);
  for (Alg other : {Alg::kRS384, Alg::kPS512, Alg::kES384, Alg::kHS256, Alg::kEdDSA})
    EXPECT_EQ(digest.DigestFor(other, S(msg)), nullptr);
  const uint8_t* d = digest.DigestFor(Alg::kPS256, S(msg));
  ASSERT_NE(d, nullptr);
  uint8_t want[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), want);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d), 32), std::string(reinterpret_cast<const char*>(want), 32));
  EXPECT_EQ(digest.DigestFor(Alg::kES256, S(msg)), d);  // finished once, then the same for every SHA-256 alg

  // A verification through the begun digest uses it: a message changed after
  // it was finished still verifies with the signature of what was hashed.
  const TestKey tk = MakeKey("RS256", "k");
  auto key = Parse(tk.PublicJwk());
  std::string text = "signed text";
  const std::string sig = SignRaw(tk, text);
  DigestInProgress of_text;
  of_text.Begin(S(text));
  ASSERT_NE(of_text.DigestFor(Alg::kRS256, S(text)), nullptr);
  text[0] = 'S';
  EXPECT_EQ(key->Verify(Alg::kRS256, S(text), S(sig)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(VerifyWithKey(*key, Alg::kRS256, S(text), S(sig), {nullptr, &of_text}), Status::OK);
}

// The begun digest is SHA-256 for every message length around the padding's
// boundaries (a tail of 55, 56, 63, 64 bytes), after any number of steps,
// with and without the first-block memo.
TEST(KeyVerify, BegunDigestEveryLengthAndStepCount) {
  DigestInProgress::FirstBlock memo;
  for (size_t len = 0; len <= 3 * 64 + 1; ++len) {
    std::string msg(len, '\0');
    for (size_t i = 0; i < len; ++i) msg[i] = static_cast<char>('a' + (i * 5 + len / 64) % 26);
    uint8_t want[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), want);
    for (size_t steps : {0, 1, 2, 5}) {
      for (DigestInProgress::FirstBlock* m : {static_cast<DigestInProgress::FirstBlock*>(nullptr), &memo}) {
        DigestInProgress digest;
        digest.Begin(S(msg), m);
        for (size_t i = 0; i < steps; ++i) digest.Step();
        const uint8_t* d = digest.DigestFor(Alg::kPS256, S(msg));
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(std::memcmp(d, want, sizeof want), 0) << len << " bytes, " << steps << " steps";
      }
    }
  }
}

// A digest begun with a thread's first-block memo is the SHA-256 of its
// message whatever the memo holds: messages sharing their first 64 bytes,
// others, shorter ones, and ones finished before any step (which leave the
// memo as it was).
TEST(KeyVerify, BegunDigestFromFirstBlockMemo) {
  const std::string first(64, 'h'), other = "x" + first.substr(1), last = first.substr(0, 63) + "x";
  std::vector<std::string> messages;
  for (size_t tail : {0, 1, 63, 64, 65, 200}) {
    messages.push_back(first + BegunMessage(tail));
    messages.push_back(other + BegunMessage(tail));
    messages.push_back(first + BegunMessage(tail));
    messages.push_back(last + BegunMessage(tail));
  }
  messages.push_back(first + "end");
  messages.push_back(first.substr(0, 63));  // too short to touch the memo
  DigestInProgress::FirstBlock memo;
  for (size_t round = 0; round < 2; ++round) {
    for (const std::string& msg : messages) {
      for (size_t steps : {0, 1, 3}) {
        DigestInProgress digest;
        digest.Begin(S(msg), &memo);
        for (size_t i = 0; i < steps; ++i) digest.Step();
        const uint8_t* d = digest.DigestFor(Alg::kRS256, S(msg));
        ASSERT_NE(d, nullptr);
        uint8_t want[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), want);
        EXPECT_EQ(std::memcmp(d, want, sizeof want), 0) << msg.size() << " bytes, " << steps << " steps";
      }
    }
  }
  // A message that starts with the memo's block starts from the memo's state.
  ASSERT_TRUE(memo.kept);
  ASSERT_EQ(std::string(reinterpret_cast<const char*>(memo.block), 64), first);
  memo.ctx.h[0] ^= 1;
  const std::string msg = first + "tail";
  DigestInProgress digest;
  digest.Begin(S(msg), &memo);
  uint8_t want[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), want);
  EXPECT_NE(std::memcmp(digest.DigestFor(Alg::kRS256, S(msg)), want, sizeof want), 0);
}

TEST(KeyVerify, VerifyDigestTakesOnlyTheAlgsDigest) {
  for (const char* name : {"RS256", "PS384", "ES256", "ES512"}) {
    const TestKey tk = MakeKey(name, "k");
    auto key = Parse(tk.PublicJwk());
    ASSERT_NE(key, nullptr);
    const Alg alg = AlgOf(tk);
    const std::string sig = SignRaw(tk, "m");
    const EVP_MD* md = EVP_get_digestbyname(name[2] == '2' ? "SHA256" : name[2] == '3' ? "SHA384" : "SHA512");
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    ASSERT_EQ(EVP_Digest("m", 1, digest, &len, md, nullptr), 1);
    EXPECT_EQ(key->VerifyDigest(alg, {digest, len}, S(sig)), Status::OK) << name;
    EXPECT_EQ(key->VerifyDigest(alg, {digest, len - 1}, S(sig)), Status::ERR_SIGNATURE_INVALID) << name;
    digest[0] ^= 1;
    EXPECT_EQ(key->VerifyDigest(alg, {digest, len}, S(sig)), Status::ERR_SIGNATURE_INVALID) << name;
  }
  // Keys whose signatures do not sign a digest alone refuse one.
  for (const char* name : {"HS256", "EdDSA"}) {
    const TestKey tk = MakeKey(name, "k");
    auto key = Parse(tk.PublicJwk());
    ASSERT_NE(key, nullptr);
    const std::string sig = SignRaw(tk, "m");
    uint8_t digest[32] = {};
    EXPECT_EQ(key->VerifyDigest(AlgOf(tk), {digest, 32}, S(sig)), Status::ERR_SIGNATURE_INVALID) << name;
  }
}

TEST(KeyVerify, BegunMacIsOnlyForItsKeyAlgAndMessage) {
  auto key = Parse(R"({"kty":"oct","k":")" + testing::B64(std::string(64, 's')) + "\"}");
  auto other = Parse(R"({"kty":"oct","k":")" + testing::B64(std::string(64, 't')) + "\"}");
  ASSERT_NE(key, nullptr);
  ASSERT_NE(other, nullptr);
  const std::string msg = "header.payload", copy = msg;
  MacInProgress begun;
  ASSERT_TRUE(key->BeginMac(Alg::kHS256, S(msg), &begun));
  EXPECT_TRUE(begun.IsFor(key.get(), Alg::kHS256, S(msg)));
  EXPECT_FALSE(begun.IsFor(key.get(), Alg::kHS384, S(msg)));
  EXPECT_FALSE(begun.IsFor(key.get(), Alg::kHS256, S(copy)));  // the same text elsewhere is another message
  EXPECT_FALSE(begun.IsFor(other.get(), Alg::kHS256, S(msg)));
  // Never for an alg outside the key's family, nor for other keys.
  MacInProgress none;
  EXPECT_FALSE(key->BeginMac(Alg::kRS256, S(msg), &none));
  auto rsa = Parse(MakeKey("RS256", "r").PublicJwk());
  ASSERT_NE(rsa, nullptr);
  EXPECT_FALSE(rsa->BeginMac(Alg::kHS256, S(msg), &none));
  EXPECT_FALSE(rsa->BeginMac(Alg::kRS256, S(msg), &none));
  auto ec = Parse(MakeKey("ES256", "e").PublicJwk());
  ASSERT_NE(ec, nullptr);
  EXPECT_FALSE(ec->BeginMac(Alg::kES256, S(msg), &none));
  EXPECT_FALSE(none.active());
}

// A begun HS256 MAC answers as Verify does for every message length around
// SHA-256's padding boundaries (a tail of 55, 56, 63, 64 bytes), after any
// number of steps, with and without the key's first-block memo; on the SHA
// extensions where the CPU has them (keys/sha256_ni.h), and on OpenSSL under
// TOKENVERIFY_FORCE_IMPLEMENTATION=fallback (ctest unit_fallback_kernel).
TEST(KeyVerify, BegunMacEveryLengthAndStepCount) {
  const std::string secret(32, 'k');
  auto key = Parse(R"({"kty":"oct","k":")" + testing::B64(secret) + "\"}");
  ASSERT_NE(key, nullptr);
  for (size_t len = 0; len <= 3 * 64 + 1; ++len) {
    std::string msg(len, '\0');
    for (size_t i = 0; i < len; ++i) msg[i] = static_cast<char>('a' + (i * 7 + len) % 26);
    uint8_t tag[32];
    unsigned tag_len = 0;
    ASSERT_NE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
                   reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), tag, &tag_len),
              nullptr);
    std::string good(reinterpret_cast<const char*>(tag), tag_len), forged = good;
    forged[31] ^= 0x40;
    for (size_t steps : {0, 1, 2, 3, 5, 9}) {
      for (const std::string* sig : {&forged, &good, &good}) {  // the third begins from the memo when len >= 64
        MacInProgress begun;
        ASSERT_TRUE(key->BeginMac(Alg::kHS256, S(msg), &begun));
        EXPECT_EQ(begun.on_sha_extensions(), sha256_ni::Active());
        for (size_t i = 0; i < steps; ++i) begun.Step();
        EXPECT_EQ(begun.Check(S(*sig)), sig == &good ? Status::OK : Status::ERR_SIGNATURE_INVALID)
            << len << " bytes, " << steps << " steps, from memo " << begun.began_from_memo();
      }
    }
  }
}

// An HS256 key keeps the state after the first block of the last message
// whose begun MAC verified (keys/mac_first_block_memo.h), and begins the MAC
// of a message with the same first 64 bytes from it. Forged tags neither fill
// nor displace it; every answer is Verify's.
TEST(KeyVerify, BegunMacFromTheKeysFirstBlockMemo) {
  const TestKey tk = MakeKey("HS256", "k");
  auto key = Parse(tk.PublicJwk());
  ASSERT_NE(key, nullptr);
  const std::string first(64, 'h'), last = first.substr(0, 63) + "x";
  struct Case {
    std::string msg;
    bool forged;
    bool from_memo;  // as the memo stands when this case begins
  };
  const std::vector<Case> cases = {
      {first + "a", false, false},          // fills the memo
      {first + "bb", false, true},          // same first block
      {first, false, true},                 // exactly the block
      {first.substr(0, 63), false, false},  // shorter than a block: never
      {last + "a", true, false},            // forged: does not displace it
      {first + "c", false, true},
      {first + "d", true, true},   // forged, same block: refused from the memo
      {last + "a", false, false},  // verified: now the memo's
      {first + "e", false, false},
      {first + "f", false, true},
  };
  for (size_t steps : {1, 2, 5}) {
    auto fresh = Parse(tk.PublicJwk());  // an empty memo for each round
    for (const Case& c : cases) {
      std::string sig = SignRaw(tk, c.msg);
      if (c.forged) sig[0] ^= 1;
      MacInProgress begun;
      ASSERT_TRUE(fresh->BeginMac(Alg::kHS256, S(c.msg), &begun));
      EXPECT_EQ(begun.began_from_memo(), c.from_memo) << c.msg.size() << " bytes, " << steps << " steps";
      for (size_t i = 0; i < steps; ++i) begun.Step();
      EXPECT_EQ(begun.Check(S(sig)), c.forged ? Status::ERR_SIGNATURE_INVALID : Status::OK) << c.msg;
      EXPECT_EQ(key->Verify(Alg::kHS256, S(c.msg), S(sig)), c.forged ? Status::ERR_SIGNATURE_INVALID : Status::OK);
    }
  }
}

// Readers and writers of one memo at once (run under ThreadSanitizer too):
// a reader finds either nothing or a block with the state kept with it.
TEST(ConcurrencyMacFirstBlockMemo, ReadersSeeWholeEntriesOnly) {
  MacFirstBlockMemo memo;
  auto state_of = [](uint8_t tag, uint8_t* state) { std::memset(state, tag, MacFirstBlockMemo::kStateBytes); };
  std::atomic<size_t> torn{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      uint8_t block[64], state[MacFirstBlockMemo::kStateBytes];
      for (int i = 0; i < 400000; ++i) {
        const uint8_t tag = static_cast<uint8_t>(1 + (i + w) % 4);
        std::memset(block, tag, sizeof block);
        state_of(tag, state);
        memo.Keep(block, state);
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      uint8_t block[64], state[MacFirstBlockMemo::kStateBytes], want[MacFirstBlockMemo::kStateBytes];
      for (int i = 0; i < 800000; ++i) {
        const uint8_t tag = static_cast<uint8_t>(1 + i % 4);
        std::memset(block, tag, sizeof block);
        if (!memo.Find(block, state)) continue;
        state_of(tag, want);
        if (std::memcmp(state, want, sizeof want) != 0) torn.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(torn.load(), 0u);
  uint8_t block[64], state[MacFirstBlockMemo::kStateBytes], want[MacFirstBlockMemo::kStateBytes];
  std::memset(block, 9, sizeof block);
  EXPECT_FALSE(memo.Find(block, state));
  state_of(9, want);
  memo.Keep(block, want);
  ASSERT_TRUE(memo.Find(block, state));
  EXPECT_EQ(std::memcmp(state, want, sizeof want), 0);
  block[63] = 8;
  EXPECT_FALSE(memo.Find(block, state));
}

TEST(KeyVerify, SignatureLengthsAreExact) {
  const struct {
    const char* alg;
    size_t len;
  } cases[] = {{"HS256", 32}, {"HS384", 48}, {"HS512", 64},  {"RS256", 256}, {"PS512", 256},
               {"ES256", 64}, {"ES384", 96}, {"ES512", 132}, {"EdDSA", 64},  {"Ed448", 114}};
  for (const auto& c : cases) {
    const TestKey tk = MakeKey(c.alg);
    EXPECT_EQ(SignRaw(tk, "m").size(), c.len) << c.alg;
    auto key = Parse(tk.PublicJwk());
    const std::string zeros(c.len, '\0');
    EXPECT_EQ(key->Verify(AlgOf(tk), S("m"), S(zeros)), Status::ERR_SIGNATURE_INVALID) << c.alg;
  }
  const TestKey big = MakeKey("RS256", "", 3072);
  auto key = Parse(big.PublicJwk());
  EXPECT_EQ(key->Describe(), "RSA 3072");
  const std::string sig = SignRaw(big, "m");
  EXPECT_EQ(sig.size(), 384u);
  EXPECT_EQ(key->Verify(Alg::kRS256, S("m"), S(sig)), Status::OK);
  EXPECT_EQ(key->Verify(Alg::kRS256, S("m"), S(sig.substr(0, 256))), Status::ERR_SIGNATURE_LENGTH);
}

// ---------------------------------------------------------------- RSA padding details

std::string SignPss(const TestKey& tk, const std::string& input, const EVP_MD* md, const EVP_MD* mgf_md, int salt_len) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(ctx, &pctx, md, nullptr, tk.pkey.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf_md), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt_len), 1);
  size_t len = 512;
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

TEST(KeyRsa, PssNeedsSaltOfHashLengthAndMgf1OnTheSameHash) {
  const TestKey tk = MakeKey("PS256");
  auto key = Parse(tk.PublicJwk());
  const std::string in = "a.b";
  EXPECT_EQ(key->Verify(Alg::kPS256, S(in), S(SignPss(tk, in, EVP_sha256(), EVP_sha256(), 32))), Status::OK);
  for (int salt : {0, 20, 31, 33, 64}) {
    EXPECT_EQ(key->Verify(Alg::kPS256, S(in), S(SignPss(tk, in, EVP_sha256(), EVP_sha256(), salt))),
              Status::ERR_SIGNATURE_INVALID)
        << salt;
  }
  EXPECT_EQ(key->Verify(Alg::kPS256, S(in), S(SignPss(tk, in, EVP_sha256(), EVP_sha1(), 32))),
            Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(Alg::kPS256, S(in), S(SignPss(tk, in, EVP_sha256(), EVP_sha512(), 32))),
            Status::ERR_SIGNATURE_INVALID);
  // PS384 with its own parameters verifies; verified as PS256 it does not.
  const std::string ps384 = SignPss(tk, in, EVP_sha384(), EVP_sha384(), 48);
  EXPECT_EQ(key->Verify(Alg::kPS384, S(in), S(ps384)), Status::OK);
  EXPECT_EQ(key->Verify(Alg::kPS256, S(in), S(ps384)), Status::ERR_SIGNATURE_INVALID);
}

TEST(KeyRsa, PaddingModesAndHashesDoNotCross) {
  const TestKey rs = MakeKey("RS256", "cross");
  TestKey ps = rs;
  ps.alg = "PS256";  // same key material, PSS padding
  TestKey rs512 = rs;
  rs512.alg = "RS512";
  auto key = Parse(rs.PublicJwk());
  const std::string in = "x.y";
  const std::string pkcs1 = SignRaw(rs, in), pss = SignRaw(ps, in), pkcs1_512 = SignRaw(rs512, in);
  EXPECT_EQ(key->Verify(Alg::kRS256, S(in), S(pkcs1)), Status::OK);
  EXPECT_EQ(key->Verify(Alg::kPS256, S(in), S(pss)), Status::OK);
  EXPECT_EQ(key->Verify(Alg::kRS512, S(in), S(pkcs1_512)), Status::OK);
  EXPECT_EQ(key->Verify(Alg::kPS256, S(in), S(pkcs1)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(Alg::kRS256, S(in), S(pss)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(Alg::kRS256, S(in), S(pkcs1_512)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(Alg::kRS384, S(in), S(pkcs1)), Status::ERR_SIGNATURE_INVALID);
}

TEST(KeyRsa, Pkcs1DigestInfoWithoutNullParametersIsRefused) {
  // Build EM = 00 01 FF.. 00 || DigestInfo(sha256) without the NULL parameters
  // and sign it raw: a lenient verifier that parses the DigestInfo accepts it.
  const TestKey tk = MakeKey("RS256", "raw");
  auto key = Parse(tk.PublicJwk());
  const std::string in = "p.q";
  unsigned char digest[32];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  const unsigned char prefix[] = {0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
                                  0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20};
  std::string t(reinterpret_cast<const char*>(prefix), sizeof prefix);
  t.append(reinterpret_cast<const char*>(digest), 32);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, tk.pkey.get(), nullptr);
  ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
  size_t len = 256;
  std::string sig(len, '\0');
  ASSERT_EQ(EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                          reinterpret_cast<const unsigned char*>(t.data()), t.size()),
            1);
  EVP_PKEY_CTX_free(ctx);
  EXPECT_EQ(key->Verify(Alg::kRS256, S(in), S(sig)), Status::ERR_SIGNATURE_INVALID);
}

// An RSA EVP_PKEY from its parameters (OSSL_PKEY_PARAM_RSA_* name, value),
// as `selection` (EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR) reads them.
EVP_PKEY* RsaFromParams(std::initializer_list<std::pair<const char*, const BIGNUM*>> values, int selection) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  for (const auto& [name, value] : values) OSSL_PARAM_BLD_push_BN(bld, name, value);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* pkey = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(ctx, &pkey, selection, params), 1);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return pkey;
}

// An RSA key pair whose modulus has exactly `bits` bits (EVP_RSA_gen makes
// an odd length one bit short): primes of bits - bits / 2 and bits / 2 bits,
// each with its top two bits set (BN_generate_prime_ex), so their product has
// exactly `bits` bits.
TestKey RsaKeyOfExactBits(const char* alg, int bits) {
  BN_CTX* bn = BN_CTX_new();
  BIGNUM *p = BN_new(), *q = BN_new(), *n = BN_new(), *e = BN_new(), *d = BN_new(), *p1 = BN_new(), *q1 = BN_new(),
         *lcm = BN_new(), *gcd = BN_new(), *dp = BN_new(), *dq = BN_new(), *qinv = BN_new();
  BN_set_word(e, 65537);
  do {
    EXPECT_EQ(BN_generate_prime_ex(p, bits - bits / 2, 0, nullptr, nullptr, nullptr), 1);
    EXPECT_EQ(BN_generate_prime_ex(q, bits / 2, 0, nullptr, nullptr, nullptr), 1);
    BN_mul(n, p, q, bn);
    BN_sub(p1, p, BN_value_one());
    BN_sub(q1, q, BN_value_one());
    BN_mul(lcm, p1, q1, bn);
    BN_gcd(gcd, p1, q1, bn);
    BN_div(lcm, nullptr, lcm, gcd, bn);
  } while (BN_num_bits(n) != bits || BN_cmp(p, q) == 0 || BN_mod_inverse(d, e, lcm, bn) == nullptr);
  BN_mod(dp, d, p1, bn);
  BN_mod(dq, d, q1, bn);
  BN_mod_inverse(qinv, q, p, bn);
  EVP_PKEY* pkey = RsaFromParams({{OSSL_PKEY_PARAM_RSA_N, n},
                                  {OSSL_PKEY_PARAM_RSA_E, e},
                                  {OSSL_PKEY_PARAM_RSA_D, d},
                                  {OSSL_PKEY_PARAM_RSA_FACTOR1, p},
                                  {OSSL_PKEY_PARAM_RSA_FACTOR2, q},
                                  {OSSL_PKEY_PARAM_RSA_EXPONENT1, dp},
                                  {OSSL_PKEY_PARAM_RSA_EXPONENT2, dq},
                                  {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv}},
                                 EVP_PKEY_KEYPAIR);
  for (BIGNUM* b : {p, q, n, e, d, p1, q1, lcm, gcd, dp, dq, qinv}) BN_clear_free(b);
  BN_CTX_free(bn);
  TestKey tk;
  tk.alg = alg;
  tk.kid = "shape";
  tk.pkey.reset(pkey, EVP_PKEY_free);
  return tk;
}

// The padding is checked by keys/rsa_padding.cc on what the public-key
// operation recovers: moduli whose bit length minus one is a multiple of 8
// (2049: the recovered value's first byte is not part of EM) or not.
TEST(KeyRsa, EveryAlgOnModuliOfEveryByteShape) {
  for (const int bits : {2049, 2055, 2056}) {
    const TestKey pair = RsaKeyOfExactBits("RS256", bits);
    ASSERT_EQ(EVP_PKEY_get_bits(pair.pkey.get()), bits);
    for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}) {
      TestKey tk = pair;
      tk.alg = alg;
      auto key = Parse(tk.PublicJwk());
      const std::string in = "shape.check";
      const std::string sig = SignRaw(tk, in);
      ASSERT_EQ(sig.size(), static_cast<size_t>(bits + 7) / 8) << alg;
      EXPECT_EQ(key->Verify(AlgOf(tk), S(in), S(sig)), Status::OK) << alg << " " << bits;
      for (const size_t at : {size_t{0}, sig.size() / 2, sig.size() - 1}) {
        std::string bad = sig;
        bad[at] = static_cast<char>(bad[at] ^ 0x01);
        EXPECT_EQ(key->Verify(AlgOf(tk), S(in), S(bad)), Status::ERR_SIGNATURE_INVALID) << alg << " " << bits;
      }
      EXPECT_EQ(key->Verify(AlgOf(tk), S("shape.other"), S(sig)), Status::ERR_SIGNATURE_INVALID);
    }
  }
}

// RFC 8017 RSAVP1 refuses a signature representative s >= n; so must we,
// and leave nothing in OpenSSL's error queue.
TEST(KeyRsa, SignatureNotBelowTheModulusIsInvalid) {
  for (const char* alg : {"RS256", "PS256"}) {
    const TestKey tk = MakeKey(alg, "range");
    auto key = Parse(tk.PublicJwk());
    BIGNUM* n = nullptr;
    ASSERT_EQ(EVP_PKEY_get_bn_param(tk.pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n), 1);
    std::string n_bytes(256, '\0');
    ASSERT_EQ(BN_bn2binpad(n, reinterpret_cast<unsigned char*>(n_bytes.data()), 256), 256);
    BN_free(n);
    ERR_clear_error();
    EXPECT_EQ(key->Verify(AlgOf(tk), S("a.b"), S(n_bytes)), Status::ERR_SIGNATURE_INVALID) << alg;
    EXPECT_EQ(key->Verify(AlgOf(tk), S("a.b"), S(std::string(256, '\xff'))), Status::ERR_SIGNATURE_INVALID) << alg;
    EXPECT_EQ(ERR_peek_error(), 0u) << alg;
  }
}

// ---------------------------------------------------------------- ECDSA ranges

class KeyEcdsaRange : public ::testing::TestWithParam<const char*> {};

TEST_P(KeyEcdsaRange, ROrSOutsideOneToNMinusOneIsInvalid) {
  const TestKey tk = MakeKey(GetParam(), "range");
  auto key = Parse(tk.PublicJwk());
  const Alg alg = AlgOf(tk);
  const std::string in = "r.s";
  const std::string sig = SignRaw(tk, in);
  const size_t half = sig.size() / 2;
  const int nid = half == 32 ? NID_X9_62_prime256v1 : half == 48 ? NID_secp384r1 : NID_secp521r1;
  EC_GROUP* group = EC_GROUP_new_by_curve_name(nid);
  ASSERT_NE(group, nullptr);
  const BIGNUM* order = EC_GROUP_get0_order(group);
  std::string n(half, '\0');
  BN_bn2binpad(order, reinterpret_cast<unsigned char*>(n.data()), static_cast<int>(half));
  // n - s: the other valid s for the same r (ECDSA signatures are malleable;
  // JWS does not ask for low s, and OpenSSL accepts both).
  BIGNUM* s_bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + half, static_cast<int>(half), nullptr);
  BIGNUM* neg = BN_new();
  BN_sub(neg, order, s_bn);
  std::string neg_s(half, '\0');
  BN_bn2binpad(neg, reinterpret_cast<unsigned char*>(neg_s.data()), static_cast<int>(half));
  BN_free(neg);
  BN_free(s_bn);
  EC_GROUP_free(group);

  const std::string r = sig.substr(0, half), s = sig.substr(half), zero(half, '\0');
  EXPECT_EQ(key->Verify(alg, S(in), S(r + s)), Status::OK);
  EXPECT_EQ(key->Verify(alg, S(in), S(r + neg_s)), Status::OK);
  EXPECT_EQ(key->Verify(alg, S(in), S(zero + s)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(alg, S(in), S(r + zero)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(alg, S(in), S(zero + zero)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(alg, S(in), S(n + s)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(alg, S(in), S(r + n)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(alg, S(in), S(n + n)), Status::ERR_SIGNATURE_INVALID);
  const std::string ones(half, '\xff');  // above n (and for P-521, above 2^521)
  EXPECT_EQ(key->Verify(alg, S(in), S(ones + s)), Status::ERR_SIGNATURE_INVALID);
  EXPECT_EQ(key->Verify(alg, S(in), S(r + ones)), Status::ERR_SIGNATURE_INVALID);
}

INSTANTIATE_TEST_SUITE_P(Curves, KeyEcdsaRange, ::testing::Values("ES256", "ES384", "ES512"));

// ---------------------------------------------------------------- HMAC

TEST(KeyHmac, MatchesOpenSslForEveryKeyLength) {
  // Around the 32/48/64 minimums and the 64/128-byte block sizes (longer keys are hashed first).
  for (size_t len : {32u, 47u, 48u, 63u, 64u, 65u, 127u, 128u, 129u, 300u}) {
    std::string secret(len, '\0');
    for (size_t i = 0; i < len; ++i) secret[i] = static_cast<char>(i * 7 + len);
    auto key = Parse(R"({"kty":"oct","k":")" + testing::B64(secret) + "\"}");
    ASSERT_NE(key, nullptr);
    const struct {
      Alg alg;
      const EVP_MD* md;
      size_t min;
    } hashes[] = {{Alg::kHS256, EVP_sha256(), 32}, {Alg::kHS384, EVP_sha384(), 48}, {Alg::kHS512, EVP_sha512(), 64}};
    for (const auto& h : hashes) {
      for (const std::string& msg : {std::string(), std::string("abc"), std::string(1000, 'm')}) {
        unsigned char tag[64];
        unsigned int tag_len = 0;
        HMAC(h.md, secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(msg.data()),
             msg.size(), tag, &tag_len);
        const std::string t(reinterpret_cast<char*>(tag), tag_len);
        if (len < h.min) {
          EXPECT_EQ(key->CheckUsableFor(h.alg), Status::ERR_JWK_WEAK) << len;
          continue;
        }
        EXPECT_EQ(key->CheckUsableFor(h.alg), Status::OK);
        EXPECT_EQ(key->Verify(h.alg, S(msg), S(t)), Status::OK) << len << " " << AlgName(h.alg);
        EXPECT_EQ(key->Verify(h.alg, S(msg), S(t.substr(0, tag_len / 2))),
                  Status::ERR_SIGNATURE_LENGTH);  // truncated tags are never accepted
        std::string bad = t;
        bad.back() ^= 0x80;
        EXPECT_EQ(key->Verify(h.alg, S(msg), S(bad)), Status::ERR_SIGNATURE_INVALID);
        for (size_t i = 0; i < tag_len; ++i) {  // the tag compare goes a word at a time: every byte counts
          std::string one = t;
          one[i] ^= 0x01;
          EXPECT_EQ(key->Verify(h.alg, S(msg), S(one)), Status::ERR_SIGNATURE_INVALID) << i;
        }
      }
    }
  }
}

TEST(KeyHmac, ShortSecretsAreWeakForLongerHashes) {
  auto k32 = Parse(R"({"kty":"oct","k":")" + testing::B64(std::string(32, 'a')) + "\"}");
  EXPECT_EQ(k32->CheckUsableFor(Alg::kHS256), Status::OK);
  EXPECT_EQ(k32->CheckUsableFor(Alg::kHS384), Status::ERR_JWK_WEAK);
  EXPECT_EQ(k32->CheckUsableFor(Alg::kHS512), Status::ERR_JWK_WEAK);
  EXPECT_EQ(k32->CheckUsableFor(Alg::kRS256), Status::ERR_KEY_ALG_MISMATCH);
  // Verify refuses too, in case a caller skipped CheckUsableFor.
  EXPECT_EQ(k32->Verify(Alg::kHS512, S("m"), S(std::string(64, 'x'))), Status::ERR_SIGNATURE_INVALID);
  auto k48 = Parse(R"({"kty":"oct","k":")" + testing::B64(std::string(48, 'a')) + "\"}");
  EXPECT_EQ(k48->CheckUsableFor(Alg::kHS384), Status::OK);
  EXPECT_EQ(k48->CheckUsableFor(Alg::kHS512), Status::ERR_JWK_WEAK);
  // A pinned alg wins over length: HS512 on a key pinned to HS256 is a mismatch.
  auto pinned = Parse(R"({"kty":"oct","alg":"HS256","k":")" + testing::B64(std::string(32, 'a')) + "\"}");
  EXPECT_EQ(pinned->CheckUsableFor(Alg::kHS512), Status::ERR_KEY_ALG_MISMATCH);
}

// ---------------------------------------------------------------- CheckUsableFor

TEST(KeyUsable, FamiliesAndCurves) {
  const struct {
    const char* alg;
    std::vector<Alg> usable;
  } cases[] = {
      {"RS256", {Alg::kRS256, Alg::kRS384, Alg::kRS512, Alg::kPS256, Alg::kPS384, Alg::kPS512}},
      {"ES256", {Alg::kES256}},
      {"ES384", {Alg::kES384}},
      {"ES512", {Alg::kES512}},
      {"ES256K", {Alg::kES256K}},
      // RFC 9864: each Edwards curve under its own name and the polymorphic "EdDSA".
      {"EdDSA", {Alg::kEdDSA, Alg::kEd25519}},
      {"Ed448", {Alg::kEdDSA, Alg::kEd448}},
      {"HS512", {Alg::kHS256, Alg::kHS384, Alg::kHS512}},
  };
  for (const auto& c : cases) {
    auto key = Parse(MakeKey(c.alg).PublicJwk());
    for (int a = 0; a < kAlgCount; ++a) {
      const Alg alg = static_cast<Alg>(a);
      const bool want = std::find(c.usable.begin(), c.usable.end(), alg) != c.usable.end();
      EXPECT_EQ(key->CheckUsableFor(alg), want ? Status::OK : Status::ERR_KEY_ALG_MISMATCH)
          << c.alg << " for " << AlgName(alg);
      if (!want) {
        // Verify is defensive as well.
        EXPECT_NE(key->Verify(alg, S("m"), S(std::string(64, '\0'))), Status::OK);
      }
    }
  }
}

TEST(KeyUsable, AlgMemberPinsTheKey) {
  const TestKey rsa = MakeKey("RS256");
  auto pinned = Parse(rsa.PublicJwk(R"("alg":"PS384")"));
  for (int a = 0; a < kAlgCount; ++a) {
    const Alg alg = static_cast<Alg>(a);
    EXPECT_EQ(pinned->CheckUsableFor(alg), alg == Alg::kPS384 ? Status::OK : Status::ERR_KEY_ALG_MISMATCH);
  }
  // Unknown names (encryption algorithms, typos, "none") leave the key usable
  // for nothing, without failing the load.
  for (const char* name : {"RSA-OAEP", "RSA-OAEP-256", "rs256", "none", "ES521", ""}) {
    auto key = Parse(rsa.PublicJwk(std::string(R"("alg":")") + name + "\""));
    ASSERT_NE(key, nullptr) << name;
    for (int a = 0; a < kAlgCount; ++a)
      EXPECT_EQ(key->CheckUsableFor(static_cast<Alg>(a)), Status::ERR_KEY_ALG_MISMATCH) << name;
  }
  const TestKey p521 = MakeKey("ES512");
  auto es521 = Parse(p521.PublicJwk(R"("alg":"ES521")"));
  EXPECT_EQ(es521->CheckUsableFor(Alg::kES512), Status::ERR_KEY_ALG_MISMATCH);
  auto es512 = Parse(p521.PublicJwk(R"("alg":"ES512")"));
  EXPECT_EQ(es512->CheckUsableFor(Alg::kES512), Status::OK);
  // A pinned alg of the wrong family stays a mismatch for the family's algs.
  auto odd = Parse(p521.PublicJwk(R"("alg":"ES256")"));
  EXPECT_EQ(odd->CheckUsableFor(Alg::kES512), Status::ERR_KEY_ALG_MISMATCH);
  EXPECT_EQ(odd->CheckUsableFor(Alg::kES256), Status::ERR_KEY_ALG_MISMATCH);
}

TEST(KeyUsable, UseAndKeyOps) {
  const TestKey ec = MakeKey("ES256");
  const struct {
    const char* members;
    Status want;
  } cases[] = {
      {R"("use":"sig")", Status::OK},
      {R"("use":"enc")", Status::ERR_KEY_USE_MISMATCH},
      {R"("use":"SIG")", Status::ERR_KEY_USE_MISMATCH},
      {R"("use":"")", Status::ERR_KEY_USE_MISMATCH},
      {R"("key_ops":["verify"])", Status::OK},
      {R"("key_ops":["sign","verify"])", Status::OK},
      {R"("key_ops":["sign"])", Status::ERR_KEY_USE_MISMATCH},
      {R"("key_ops":["encrypt","decrypt"])", Status::ERR_KEY_USE_MISMATCH},
      {R"("key_ops":[])", Status::ERR_KEY_USE_MISMATCH},
      {R"("use":"sig","key_ops":["verify"])", Status::OK},
      {R"("use":"enc","key_ops":["verify"])", Status::ERR_KEY_USE_MISMATCH},
      {R"("use":"sig","key_ops":["sign"])", Status::ERR_KEY_USE_MISMATCH},
      // The algorithm check comes first.
      {R"("use":"enc","alg":"ES384")", Status::ERR_KEY_ALG_MISMATCH},
  };
  for (const auto& c : cases) {
    auto key = Parse(ec.PublicJwk(c.members));
    ASSERT_NE(key, nullptr) << c.members;
    EXPECT_EQ(key->CheckUsableFor(Alg::kES256), c.want) << c.members;
  }
}

// ---------------------------------------------------------------- KeySet lookups

TEST(KeySetLookup, ByKidAndByAlg) {
  const TestKey a = MakeKey("ES256", "a"), b = MakeKey("RS256", "b"), c = MakeKey("ES256", "c"), d = MakeKey("ES384");
  const std::string doc = R"({"keys":[)" + a.PublicJwk() + "," + b.PublicJwk() + "," + c.PublicJwk(R"("use":"enc")") +
                          "," + d.PublicJwk() + "]}";
  auto set = ParseSet(doc);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->size(), 3u);  // c is left out: use=enc
  ASSERT_EQ(set->skipped().size(), 1u);
  EXPECT_EQ(set->skipped()[0].kid, "c");
  EXPECT_FALSE(set->ignores_kid());
  ASSERT_NE(set->FindByKid("a"), nullptr);
  EXPECT_EQ(set->FindByKid("a")->Describe(), "EC P-256");
  EXPECT_EQ(set->FindByKid("b")->Describe(), "RSA 2048");
  // The typed parts of those descriptions (tv_verifier_stats reports them).
  EXPECT_EQ(set->FindByKid("a")->curve(), "P-256");
  EXPECT_EQ(set->FindByKid("a")->bits(), 0u);
  EXPECT_EQ(set->FindByKid("b")->bits(), 2048u);
  EXPECT_EQ(set->FindByKid("b")->curve(), "");
  EXPECT_EQ(set->FindByKid("c"), nullptr);                                 // skipped: not usable for signatures ...
  EXPECT_EQ(set->StatusForMissingKid("c"), Status::ERR_KEY_USE_MISMATCH);  // ... and says so
  EXPECT_EQ(set->FindByKid(""), nullptr);                                  // keys without kid are not indexed
  EXPECT_EQ(set->FindByKid("A"), nullptr);
  EXPECT_EQ(set->FindByKid(std::string_view("a\0", 2)), nullptr);

  auto es256 = set->CandidatesFor(Alg::kES256);
  ASSERT_EQ(es256.size(), 1u);  // c has use=enc
  EXPECT_EQ(es256[0]->kid(), "a");
  EXPECT_EQ(set->CandidatesFor(Alg::kES384).size(), 1u);
  EXPECT_EQ(set->CandidatesFor(Alg::kPS512).size(), 1u);
  EXPECT_EQ(set->CandidatesFor(Alg::kHS256).size(), 0u);
  EXPECT_EQ(set->CandidatesFor(Alg::kEdDSA).size(), 0u);

  // Order follows the document.
  const TestKey e = MakeKey("ES256", "e");
  auto set2 = ParseSet(R"({"keys":[)" + e.PublicJwk() + "," + a.PublicJwk() + "]}");
  auto cands = set2->CandidatesFor(Alg::kES256);
  ASSERT_EQ(cands.size(), 2u);
  EXPECT_EQ(cands[0]->kid(), "e");
  EXPECT_EQ(cands[1]->kid(), "a");
}

// FindByKid compares kids in order for small sets and hashes them for larger
// ones: both must give the same answers, at and past the boundary.
TEST(KeySetLookup, ByKidInSmallAndLargeSets) {
  for (const int n : {1, 8, 9, 12}) {
    std::vector<TestKey> keys;
    std::string doc = R"({"keys":[)";
    for (int i = 0; i < n; ++i) {
      keys.push_back(MakeKey("ES256", "kid-" + std::to_string(i)));
      doc += keys.back().PublicJwk() + ",";
    }
    const TestKey no_kid = MakeKey("ES256");
    doc += no_kid.PublicJwk() + "]}";
    auto set = ParseSet(doc);
    ASSERT_NE(set, nullptr) << n;
    ASSERT_EQ(set->size(), static_cast<size_t>(n) + 1);
    for (int i = 0; i < n; ++i) {
      const std::string kid = "kid-" + std::to_string(i);
      const Key* k = set->FindByKid(kid);
      ASSERT_NE(k, nullptr) << n << " " << kid;
      EXPECT_EQ(k->kid(), kid);
      EXPECT_EQ(k, set->keys()[static_cast<size_t>(i)].get());
    }
    EXPECT_EQ(set->FindByKid(""), nullptr) << n;  // the key without a kid is not found by ""
    EXPECT_EQ(set->FindByKid("kid-"), nullptr) << n;
    EXPECT_EQ(set->FindByKid("kid-0 "), nullptr) << n;
    EXPECT_EQ(set->FindByKid("KID-0"), nullptr) << n;
    EXPECT_EQ(set->FindByKid(std::string_view("kid-0\0", 6)), nullptr) << n;
  }
}

// ---------------------------------------------------------------- contexts and threads

TEST(KeyThreads, ManyThreadsManyKeysMoreThanTheCacheHolds) {
  // 27 keys (each JWK parsed three times: distinct Key objects, distinct ids)
  // exceed a thread's 16 cached contexts, so threads evict and rebuild
  // contexts while others use theirs.
  std::vector<TestKey> tks;
  const char* algs[] = {"RS256", "PS384", "RS512", "ES256", "ES384", "ES512", "EdDSA", "Ed448", "HS256"};
  for (const char* a : algs)
    for (int i = 0; i < 3; ++i) tks.push_back(MakeKey(a, "threads"));
  std::vector<std::unique_ptr<Key>> keys;
  std::vector<std::string> sigs;
  const std::string in = "thread.input";
  for (const TestKey& tk : tks) {
    keys.push_back(Parse(tk.PublicJwk()));
    sigs.push_back(SignRaw(tk, in));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) {
        for (size_t i = 0; i < keys.size(); ++i) {
          const size_t k = (i * 7 + static_cast<size_t>(t + round)) % keys.size();
          const Alg alg = AlgOf(tks[k]);
          if (keys[k]->Verify(alg, S(in), S(sigs[k])) != Status::OK) ++failures;
          const size_t other = (k + 3) % keys.size();  // another alg
          if (sigs[other].size() == sigs[k].size() && keys[k]->Verify(alg, S(in), S(sigs[other])) == Status::OK)
            ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(KeyThreads, ANewKeyAtAFreedKeysAddressGetsItsOwnContext) {
  // Contexts are cached by a per-key id, not by address: a key allocated where
  // a freed one lived must not verify with the old key's context.
  const TestKey a = MakeKey("ES256", "first"), b = MakeKey("ES256", "second");
  const std::string in = "reuse.check";
  const std::string sig_a = SignRaw(a, in), sig_b = SignRaw(b, in);
  for (int i = 0; i < 20; ++i) {
    auto ka = Parse(a.PublicJwk());
    EXPECT_EQ(ka->Verify(Alg::kES256, S(in), S(sig_a)), Status::OK);
    ka.reset();
    auto kb = Parse(b.PublicJwk());
    EXPECT_EQ(kb->Verify(Alg::kES256, S(in), S(sig_a)), Status::ERR_SIGNATURE_INVALID);
    EXPECT_EQ(kb->Verify(Alg::kES256, S(in), S(sig_b)), Status::OK);
  }
}

// An RSA "PUBLIC KEY" PEM with modulus `n` (from a real key) and exponent e.
std::string RsaPemWithExponent(const TestKey& key, const char* e_hex) {
  BIGNUM *n = nullptr, *e = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key.pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n), 1);
  EXPECT_NE(BN_hex2bn(&e, e_hex), 0);
  EVP_PKEY* pkey = RsaFromParams({{OSSL_PKEY_PARAM_RSA_N, n}, {OSSL_PKEY_PARAM_RSA_E, e}}, EVP_PKEY_PUBLIC_KEY);
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio, pkey), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  BN_free(e);
  BN_free(n);
  return pem;
}

TEST(KeyRsa, PemKeysWithAnExponentAbove2To32AreSkipped) {
  const TestKey big = MakeKey("RS256", "big-e"), good = MakeKey("ES256", "good");
  const std::string huge = RsaPemWithExponent(big, "10000000000000001");  // 2^64 + 1
  Error err;
  auto alone = ParsePemKeys(huge, &err);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.status(), Status::ERR_JWK_INVALID);
  EXPECT_NE(err.message.find("PEM block 0 (PUBLIC KEY): \"e\" is 65 bits long; at most 2^32"), std::string::npos)
      << err.message;
  // Beside a usable key it is skipped and reported.
  auto mixed = ParsePemKeys(huge + good.PublicPem(), &err);
  ASSERT_TRUE(mixed.ok()) << err.message;
  EXPECT_EQ((*mixed)->size(), 1u);
  ASSERT_EQ((*mixed)->skipped().size(), 1u);
  EXPECT_EQ((*mixed)->skipped()[0].status, Status::ERR_JWK_INVALID);
  EXPECT_EQ((*mixed)->skipped()[0].kty, "RSA");
  EXPECT_EQ(ParsePemKeys(huge + good.PublicPem(), &err, KeyPolicy{UnusableKeys::kRefuse}).status(),
            Status::ERR_JWK_INVALID);
  // 2^32 - 1 is still an exponent we accept.
  EXPECT_TRUE(ParsePemKeys(RsaPemWithExponent(big, "FFFFFFFF"), &err).ok()) << err.message;
}

}  // namespace
}  // namespace tokenverify::internal
