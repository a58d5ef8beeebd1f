// ReadSmallFile: whole files up to the cap, a clear reason otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "keysets/small_file.h"

namespace tokenverify::internal {
namespace {

// A file under the test's temporary directory, removed afterwards.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = ::testing::TempDir() + "small_file_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++);
    FILE* f = std::fopen(path_.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (f != nullptr) {
      EXPECT_EQ(std::fwrite(content.data(), 1, content.size(), f), content.size());
      std::fclose(f);
    }
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(SmallFile, ReadsWholeFilesUpToTheCap) {
  for (size_t n : {0u, 1u, 16383u, 16384u, 16385u, 100000u}) {
    std::string content(n, '\0');
    for (size_t i = 0; i < n; ++i) content[i] = static_cast<char>(i * 7);
    TempFile f(content);
    std::string out = "stale", why;
    ASSERT_TRUE(ReadSmallFile(f.path(), 100000, &out, &why)) << n << ": " << why;
    EXPECT_EQ(out, content) << n;
  }
}

TEST(SmallFile, RefusesFilesOverTheCap) {
  TempFile f(std::string(1001, 'x'));
  std::string out, why;
  EXPECT_FALSE(ReadSmallFile(f.path(), 1000, &out, &why));
  EXPECT_EQ(why, "\"" + f.path() + "\" is larger than 1000 bytes");
  EXPECT_TRUE(out.empty());

  TempFile big(std::string(kMaxKeyFileBytes + 1, 'k'));
  EXPECT_FALSE(ReadSmallFile(big.path(), kMaxKeyFileBytes, &out, &why));
  EXPECT_EQ(why, "\"" + big.path() + "\" is larger than 1 MiB");
  TempFile exact(std::string(kMaxKeyFileBytes, 'k'));
  EXPECT_TRUE(ReadSmallFile(exact.path(), kMaxKeyFileBytes, &out, &why)) << why;
  EXPECT_EQ(out.size(), kMaxKeyFileBytes);
}

TEST(SmallFile, SaysWhenAFileCannotBeOpened) {
  std::string out, why;
  const std::string missing = ::testing::TempDir() + "small_file_test_does_not_exist";
  EXPECT_FALSE(ReadSmallFile(missing, 1000, &out, &why));
  EXPECT_EQ(why, "cannot open \"" + missing + "\"");
  // A directory opens on Linux but cannot be read.
  EXPECT_FALSE(ReadSmallFile(::testing::TempDir(), 1000, &out, &why));
  EXPECT_EQ(why, "cannot read \"" + ::testing::TempDir() + "\"");
}

}  // namespace
}  // namespace tokenverify::internal
