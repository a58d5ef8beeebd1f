// Strict base64url: every kernel the CPU can run, against RFC 4648 vectors,
// round trips, every invalid byte at every position, and the scalar reference.
#include "base64url/base64url.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tokenverify::internal {

// Test names and failure messages show the kernel's name, not its address.
static void PrintTo(const Base64urlKernel* k, std::ostream* os) { *os << k->name; }

namespace {

using Bytes = std::vector<uint8_t>;

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// Characters that must never be accepted anywhere.
constexpr char kBadChars[] = {'=', '+', '/', ' ', '\n', '\0', '\x80', '\xff', '.'};

bool InAlphabet(unsigned char c) { return kAlphabet.find(static_cast<char>(c)) != std::string_view::npos; }

Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

std::vector<const Base64urlKernel*> SupportedKernels() {
  std::vector<const Base64urlKernel*> v;
  for (const auto& k : AllBase64urlKernels()) {
    if (k.supported()) v.push_back(&k);
  }
  return v;
}

std::string UnsupportedKernelNames() {
  std::string names;
  for (const auto& k : AllBase64urlKernels()) {
    if (k.supported()) continue;
    if (!names.empty()) names += ",";
    names += k.name;
  }
  return names;
}

// Decodes into a buffer of exactly the documented size; nullopt on rejection.
std::optional<Bytes> DecodeWith(Base64urlDecodeFn decode, std::string_view s) {
  Bytes buf(Base64urlDecodedLength(s.size()) + kBase64urlOutputSlack, 0xA5);
  if (!decode(s.data(), s.size(), buf.data())) return std::nullopt;
  buf.resize(Base64urlDecodedLength(s.size()));
  return buf;
}

std::optional<Bytes> DecodeScalar(std::string_view s) { return DecodeWith(Base64urlDecodeScalar, s); }

// ---------------------------------------------------------------- kernel table and selection

TEST(Base64urlKernels, TableStartsWithFallbackAndHasUniqueNames) {
  const auto all = AllBase64urlKernels();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all[0].name, "fallback");
  EXPECT_TRUE(all[0].supported());
  std::set<std::string_view> names;
  for (const auto& k : all) {
    EXPECT_FALSE(k.name.empty());
    EXPECT_FALSE(k.description.empty());
    EXPECT_NE(k.decode, nullptr);
    EXPECT_TRUE(names.insert(k.name).second) << k.name;
  }
}

TEST(Base64urlKernels, TableListsOnlyThisArchitecture) {
  std::vector<std::string_view> names;
  for (const auto& k : AllBase64urlKernels()) names.push_back(k.name);
#if defined(__x86_64__)
  EXPECT_EQ(names, (std::vector<std::string_view>{"fallback", "haswell", "icelake"}));
#elif defined(__aarch64__)
  EXPECT_EQ(names, (std::vector<std::string_view>{"fallback", "arm64"}));
#else
  EXPECT_EQ(names, (std::vector<std::string_view>{"fallback"}));
#endif
}

// Kernels the CPU lacks are not instantiated below; say which, so that a run
// on a smaller machine cannot pass for a full one.
TEST(Base64urlKernels, ReportsKernelsSkippedAsUnsupported) {
  const std::string skipped = UnsupportedKernelNames();
  ::testing::Test::RecordProperty("base64url_kernels_skipped", skipped.empty() ? "none" : skipped);
  std::cout << "[ NOTE     ] base64url kernels not supported by this CPU, not tested: "
            << (skipped.empty() ? "none" : skipped) << "\n";
  EXPECT_EQ(SupportedKernels().size() + std::count(skipped.begin(), skipped.end(), ',') + (skipped.empty() ? 0 : 1),
            AllBase64urlKernels().size());
}

TEST(Base64urlKernels, FindByExactName) {
  for (const auto& k : AllBase64urlKernels()) EXPECT_EQ(FindBase64urlKernel(k.name), &k);
  EXPECT_EQ(FindBase64urlKernel(""), nullptr);
  EXPECT_EQ(FindBase64urlKernel("FALLBACK"), nullptr);
  EXPECT_EQ(FindBase64urlKernel("fallback "), nullptr);
  EXPECT_EQ(FindBase64urlKernel("westmere"), nullptr);
}

const Base64urlKernel& BestSupported() {
  const Base64urlKernel* best = nullptr;
  for (const auto& k : AllBase64urlKernels()) {
    if (k.supported()) best = &k;  // the table is in increasing order of preference
  }
  return *best;
}

TEST(Base64urlKernels, SelectWithoutForcingPicksBestSupported) {
  bool ignored = true;
  EXPECT_EQ(&SelectBase64urlKernel("", &ignored), &BestSupported());
  EXPECT_FALSE(ignored);
  EXPECT_EQ(&SelectBase64urlKernel("", nullptr), &BestSupported());
#if defined(__x86_64__)
  if (FindBase64urlKernel("haswell")->supported() && !FindBase64urlKernel("icelake")->supported()) {
    EXPECT_EQ(BestSupported().name, "haswell");
  }
  if (FindBase64urlKernel("icelake")->supported()) {
    EXPECT_EQ(BestSupported().name, "icelake");
  }
#endif
}

TEST(Base64urlKernels, SelectHonoursEverySupportedForcedName) {
  for (const auto* k : SupportedKernels()) {
    bool ignored = true;
    EXPECT_EQ(&SelectBase64urlKernel(k->name, &ignored), k);
    EXPECT_FALSE(ignored) << k->name;
  }
}

TEST(Base64urlKernels, SelectIgnoresUnknownOrUnsupportedForcedName) {
  for (std::string_view name : {"nope", "Haswell", "avx2", " fallback"}) {
    bool ignored = false;
    EXPECT_EQ(&SelectBase64urlKernel(name, &ignored), &BestSupported()) << name;
    EXPECT_TRUE(ignored) << name;
  }
  for (const auto& k : AllBase64urlKernels()) {
    if (k.supported()) continue;
    bool ignored = false;
    EXPECT_EQ(&SelectBase64urlKernel(k.name, &ignored), &BestSupported()) << k.name;
    EXPECT_TRUE(ignored) << k.name;
  }
}

TEST(Base64urlKernels, ActiveIsTheSelectionForTheEnvironment) {
  const char* env = std::getenv("TOKENVERIFY_FORCE_IMPLEMENTATION");
  const Base64urlKernel& active = ActiveBase64urlKernel();
  EXPECT_EQ(&active, &SelectBase64urlKernel(env != nullptr ? env : "", nullptr));
  EXPECT_TRUE(active.supported());
  EXPECT_EQ(&ActiveBase64urlKernel(), &active);  // chosen once
  uint8_t out[3 + kBase64urlOutputSlack];
  ASSERT_TRUE(Base64urlDecode("Zm9v", out));
  EXPECT_EQ(std::string_view(reinterpret_cast<char*>(out), 3), "foo");
}

// The environment variable is read once, on first use, so it is checked in a
// fresh process: the "threadsafe" death-test style re-executes this binary and
// runs only this test there.
class Base64urlForceImplementation : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_style_ = GTEST_FLAG_GET(death_test_style);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
  void TearDown() override { GTEST_FLAG_SET(death_test_style, saved_style_); }

  [[noreturn]] static void ReportActiveWith(const char* forced) {
    setenv("TOKENVERIFY_FORCE_IMPLEMENTATION", forced, 1);
    const Base64urlKernel& k = ActiveBase64urlKernel();
    std::fprintf(stderr, "active=%.*s\n", static_cast<int>(k.name.size()), k.name.data());
    std::fflush(stderr);
    std::_Exit(0);
  }

  std::string saved_style_;
};

TEST_F(Base64urlForceImplementation, ForcesEachSupportedKernel) {
  for (const auto* k : SupportedKernels()) {
    const std::string name(k->name);
    EXPECT_EXIT(ReportActiveWith(name.c_str()), ::testing::ExitedWithCode(0), "^active=" + name + "\n$");
  }
}

TEST_F(Base64urlForceImplementation, UnknownNameFallsBackToAutomaticChoiceAndSaysSo) {
  const std::string best(BestSupported().name);
  EXPECT_EXIT(ReportActiveWith("bogus"), ::testing::ExitedWithCode(0),
              "^tokenverify: TOKENVERIFY_FORCE_IMPLEMENTATION=bogus is not a known kernel; "
              "using " +
                  best + "\nactive=" + best + "\n$");
  EXPECT_EXIT(ReportActiveWith(""), ::testing::ExitedWithCode(0), "^active=" + best + "\n$");
}

TEST_F(Base64urlForceImplementation, UnsupportedNameFallsBackToAutomaticChoiceAndSaysSo) {
  const std::string best(BestSupported().name);
  for (const auto& k : AllBase64urlKernels()) {
    if (k.supported()) continue;
    const std::string name(k.name);
    EXPECT_EXIT(ReportActiveWith(name.c_str()), ::testing::ExitedWithCode(0),
                "^tokenverify: TOKENVERIFY_FORCE_IMPLEMENTATION=" + name + " is not supported by this CPU; using " +
                    best + "\nactive=" + best + "\n$");
  }
}

// ---------------------------------------------------------------- scalar reference and encoder

TEST(Base64urlScalar, Rfc4648VectorsEncode) {
  EXPECT_EQ(Base64urlEncode(""), "");
  EXPECT_EQ(Base64urlEncode("f"), "Zg");
  EXPECT_EQ(Base64urlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64urlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64urlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64urlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64urlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64urlEncode(std::string_view("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(Base64urlEncode(std::string_view("\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f"
                                             "\x41\x14\x93\x51\x55\x97\x61\x96\x9b\x71\xd7\x9f"
                                             "\x82\x18\xa3\x92\x59\xa7\xa2\x9a\xab\xb2\xdb\xaf"
                                             "\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e\xbb\xf3\xdf\xbf",
                                             48)),
            kAlphabet);
}

TEST(Base64urlScalar, EncodedLengthHasNoPadding) {
  for (size_t n = 0; n < 50; ++n) {
    EXPECT_EQ(Base64urlEncode(std::string(n, 'x')).size(), (n * 4 + 2) / 3) << n;
  }
}

TEST(Base64urlScalar, DecodedLength) {
  EXPECT_EQ(Base64urlDecodedLength(0), 0u);
  EXPECT_EQ(Base64urlDecodedLength(2), 1u);
  EXPECT_EQ(Base64urlDecodedLength(3), 2u);
  EXPECT_EQ(Base64urlDecodedLength(4), 3u);
  EXPECT_EQ(Base64urlDecodedLength(342), 256u);
}

// ---------------------------------------------------------------- every kernel

class Base64urlKernelTest : public ::testing::TestWithParam<const Base64urlKernel*> {
 protected:
  std::optional<Bytes> Decode(std::string_view s) const { return DecodeWith(GetParam()->decode, s); }
};

TEST_P(Base64urlKernelTest, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"},
      {std::string_view("\xfb\xff", 2), "-_8"},  // the two url-alphabet characters
      {std::string_view("\xf8", 1), "-A"},
      {std::string_view("\xff\xff\xff", 3), "____"},
      // RFC 7515 appendix A.1 JOSE header.
      {"{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64urlEncode(plain), encoded);
    EXPECT_EQ(Decode(encoded), ToBytes(plain)) << encoded;
  }
}

TEST_P(Base64urlKernelTest, EmptyInputDecodesToNothing) {
  uint8_t out[kBase64urlOutputSlack];
  EXPECT_TRUE(GetParam()->decode(nullptr, 0, out));
  EXPECT_TRUE(GetParam()->decode("", 0, out));
  EXPECT_TRUE(GetParam()->decode("=", 0, out));  // only len bytes are looked at
}

TEST_P(Base64urlKernelTest, RoundTripsEveryLength) {
  std::mt19937_64 rng(1);
  for (size_t n = 0; n <= 300; ++n) {
    const Bytes plain = RandomBytes(rng, n);
    const std::string encoded = Base64urlEncode(plain);
    ASSERT_EQ(Decode(encoded), plain) << "length " << n;
    ASSERT_EQ(DecodeScalar(encoded), plain) << "length " << n;
  }
}

TEST_P(Base64urlKernelTest, RoundTripsLongInputs) {
  std::mt19937_64 rng(2);
  for (size_t n : {301u, 383u, 384u, 385u, 511u, 512u, 513u, 767u, 768u, 1000u, 1500u, 3000u, 10000u}) {
    const Bytes plain = RandomBytes(rng, n);
    ASSERT_EQ(Decode(Base64urlEncode(plain)), plain) << "length " << n;
  }
}

TEST_P(Base64urlKernelTest, RejectsEveryBadCharacterAtEveryPosition) {
  std::mt19937_64 rng(3);
  for (size_t n = 0; n <= 225; ++n) {  // encodings of 0..300 characters
    const std::string good = Base64urlEncode(RandomBytes(rng, n));
    for (size_t pos = 0; pos < good.size(); ++pos) {
      for (char bad : kBadChars) {
        std::string s = good;
        s[pos] = bad;
        ASSERT_EQ(Decode(s), std::nullopt)
            << "length " << s.size() << " position " << pos << " byte " << int(uint8_t(bad));
      }
    }
  }
}

// Each of the 256 byte values at every position of inputs whose lengths hit
// every code path (short, exact blocks, overlapping tails, partial groups).
TEST_P(Base64urlKernelTest, AcceptsExactlyTheAlphabetAtEveryPosition) {
  std::mt19937_64 rng(4);
  for (size_t len :
       {2u, 3u, 4u, 30u, 31u, 32u, 35u, 36u, 48u, 63u, 64u, 66u, 67u, 68u, 96u, 100u, 127u, 128u, 131u, 200u, 342u}) {
    std::string base(len, 'A');
    for (auto& c : base) c = kAlphabet[rng() % 64];
    const size_t whole = len & ~size_t{3};
    if (whole != len) base.back() = 'A';  // unused bits zero
    for (size_t pos = 0; pos < len; ++pos) {
      for (unsigned c = 0; c < 256; ++c) {
        std::string s = base;
        s[pos] = static_cast<char>(c);
        const auto got = Decode(s);
        ASSERT_EQ(got, DecodeScalar(s)) << "length " << len << " position " << pos << " byte " << c;
        if (pos < whole) {
          ASSERT_EQ(got.has_value(), InAlphabet(static_cast<unsigned char>(c)));
        }
      }
    }
  }
}

TEST_P(Base64urlKernelTest, RejectsNonzeroUnusedBitsInLastCharacter) {
  std::mt19937_64 rng(5);
  for (size_t n = 1; n <= 300; ++n) {
    if (n % 3 == 0) continue;
    const std::string good = Base64urlEncode(RandomBytes(rng, n));
    ASSERT_TRUE(Decode(good).has_value()) << n;
    const size_t last = kAlphabet.find(good.back());
    const unsigned unused = good.size() % 4 == 2 ? 0xF : 0x3;  // 4 or 2 unused low bits
    ASSERT_EQ(last & unused, 0u);
    for (unsigned bits = 1; bits <= unused; ++bits) {
      std::string s = good;
      s.back() = kAlphabet[last | bits];
      ASSERT_EQ(Decode(s), std::nullopt) << "length " << s.size() << " bits " << bits;
      ASSERT_EQ(DecodeScalar(s), std::nullopt);
    }
  }
}

TEST_P(Base64urlKernelTest, RejectsLengthOneModFour) {
  std::mt19937_64 rng(6);
  for (size_t len = 1; len <= 2001; len += 4) {
    std::string s(len, 'A');
    ASSERT_EQ(Decode(s), std::nullopt) << len;
    for (auto& c : s) c = kAlphabet[rng() % 64];
    ASSERT_EQ(Decode(s), std::nullopt) << len;
  }
}

// Random, mostly valid text of lengths up to 2000: the kernel must agree with
// the scalar reference on acceptance and on every decoded byte.
TEST_P(Base64urlKernelTest, AgreesWithScalarOnRandomInput) {
  std::mt19937_64 rng(7);
  size_t accepted = 0;
  for (int iter = 0; iter < 6000; ++iter) {
    const size_t len = rng() % 2001;
    std::string s(len, 'A');
    switch (iter % 4) {
      case 0:  // valid encoding
        s = Base64urlEncode(RandomBytes(rng, rng() % 1501));
        break;
      case 1:  // valid encoding with one random byte changed
        s = Base64urlEncode(RandomBytes(rng, 1 + rng() % 1500));
        s[rng() % s.size()] = static_cast<char>(rng());
        break;
      case 2:  // alphabet characters (last group's unused bits random)
        for (auto& c : s) c = kAlphabet[rng() % 64];
        break;
      default:  // arbitrary bytes
        for (auto& c : s) c = static_cast<char>(rng());
        break;
    }
    const auto want = DecodeScalar(s);
    ASSERT_EQ(Decode(s), want) << "iteration " << iter << " length " << s.size();
    accepted += want.has_value();
  }
  EXPECT_GT(accepted, 2000u);  // the differential exercised the accepting path too
}

// Inputs placed flush against an inaccessible page (and outputs against one on
// either side): a kernel that reads past the input or writes outside
// [out, out + decoded + slack) faults.
class GuardedPages {
 public:
  explicit GuardedPages(size_t data_pages) : page_(static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
    size_ = (data_pages + 2) * page_;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    base_ = static_cast<uint8_t*>(p);
    if (mprotect(base_, page_, PROT_NONE) != 0 || mprotect(base_ + size_ - page_, page_, PROT_NONE) != 0) {
      std::abort();
    }
  }
  ~GuardedPages() { munmap(base_, size_); }
  GuardedPages(const GuardedPages&) = delete;
  GuardedPages& operator=(const GuardedPages&) = delete;

  uint8_t* begin() const { return base_ + page_; }        // right after the front guard
  uint8_t* end() const { return base_ + size_ - page_; }  // the back guard
  size_t capacity() const { return size_ - 2 * page_; }

 private:
  size_t page_;
  size_t size_;
  uint8_t* base_;
};

TEST_P(Base64urlKernelTest, StaysWithinInputAndOutputBounds) {
  GuardedPages input(1);
  GuardedPages output(1);
  std::mt19937_64 rng(8);
  for (size_t n = 0; n <= 1500; ++n) {
    const Bytes plain = RandomBytes(rng, n);
    std::string good = Base64urlEncode(plain);
    std::string bad = good;
    if (!bad.empty()) bad.back() = '=';
    ASSERT_LE(good.size(), input.capacity());
    const size_t out_size = Base64urlDecodedLength(good.size()) + kBase64urlOutputSlack;
    ASSERT_LE(out_size, output.capacity());
    for (const std::string* s : {&good, &bad}) {
      const bool want = s == &good || s->empty();
      for (char* in : {reinterpret_cast<char*>(input.end()) - s->size(), reinterpret_cast<char*>(input.begin())}) {
        std::memcpy(in, s->data(), s->size());
        for (uint8_t* out : {output.end() - out_size, output.begin()}) {
          ASSERT_EQ(GetParam()->decode(in, s->size(), out), want) << "length " << s->size();
          if (want) {
            ASSERT_EQ(Bytes(out, out + plain.size()), plain) << "length " << s->size();
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(SupportedKernels, Base64urlKernelTest, ::testing::ValuesIn(SupportedKernels()),
                         [](const ::testing::TestParamInfo<const Base64urlKernel*>& info) {
                           return std::string(info.param->name);
                         });

}  // namespace
}  // namespace tokenverify::internal
