// SnapshotCell (keysets/snapshot.h): publication, a Reader's hold across
// publishes, and reclamation of retired snapshots, counted by destructor calls.
// The Concurrency* suite also runs under ThreadSanitizer (ctest -L concurrency).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "keysets/snapshot.h"

namespace tokenverify::internal {
namespace {

// A snapshot that counts its destructions and can tell whether it is intact.
struct Tracked {
  explicit Tracked(uint64_t v, std::atomic<int>* d) : value(v), check(~v), destroyed(d) {}
  ~Tracked() {
    check = 0;  // a use after free reads this (ASan catches it first)
    destroyed->fetch_add(1, std::memory_order_relaxed);
  }
  bool intact() const { return check == ~value; }
  uint64_t value;
  uint64_t check;
  std::atomic<int>* destroyed;
};

class SnapshotCellTest : public ::testing::Test {
 protected:
  std::unique_ptr<Tracked> Make(uint64_t v) { return std::make_unique<Tracked>(v, &destroyed_); }
  int destroyed() const { return destroyed_.load(); }
  std::atomic<int> destroyed_{0};
};

TEST_F(SnapshotCellTest, EmptyCellReadsNull) {
  SnapshotCell<Tracked> cell;
  auto r = cell.Read();
  EXPECT_FALSE(r);
  EXPECT_EQ(r.get(), nullptr);
}

TEST_F(SnapshotCellTest, ReadSeesTheLatestPublish) {
  SnapshotCell<Tracked> cell(Make(1));
  EXPECT_EQ(cell.Read()->value, 1u);
  cell.Publish(Make(2));
  EXPECT_EQ(cell.Read()->value, 2u);
  cell.Publish(nullptr);
  EXPECT_FALSE(cell.Read());
  EXPECT_EQ(destroyed(), 2);
}

TEST_F(SnapshotCellTest, UnreadSnapshotsAreFreedAtOnce) {
  SnapshotCell<Tracked> cell;
  for (uint64_t i = 1; i <= 100; ++i) {
    cell.Publish(Make(i));
    EXPECT_EQ(cell.retired_count(), 0u);
    EXPECT_EQ(destroyed(), static_cast<int>(i - 1));
  }
}

TEST_F(SnapshotCellTest, AReaderKeepsItsSnapshotAcrossPublishes) {
  SnapshotCell<Tracked> cell(Make(1));
  {
    auto held = cell.Read();
    const Tracked* p = held.get();
    for (uint64_t i = 2; i <= 10; ++i) cell.Publish(Make(i));
    // Only the held one is kept; the ones nobody read are gone.
    EXPECT_EQ(held.get(), p);
    EXPECT_EQ(held->value, 1u);
    EXPECT_TRUE(held->intact());
    EXPECT_EQ(cell.retired_count(), 1u);
    EXPECT_EQ(destroyed(), 8);  // 2..9
    EXPECT_EQ(cell.Read()->value, 10u);
  }
  // Released: the next reclamation frees it.
  EXPECT_EQ(destroyed(), 8);
  cell.Reclaim();
  EXPECT_EQ(cell.retired_count(), 0u);
  EXPECT_EQ(destroyed(), 9);
}

TEST_F(SnapshotCellTest, ReleasedSnapshotIsFreedByTheNextPublish) {
  SnapshotCell<Tracked> cell(Make(1));
  {
    auto held = cell.Read();
    cell.Publish(Make(2));
    EXPECT_EQ(destroyed(), 0);
  }
  cell.Publish(Make(3));
  EXPECT_EQ(destroyed(), 2);
  EXPECT_EQ(cell.retired_count(), 0u);
}

TEST_F(SnapshotCellTest, NestedReadersOnOneThread) {
  SnapshotCell<Tracked> a(Make(1)), b(Make(2));
  auto ra = a.Read();
  auto rb = b.Read();
  a.Publish(Make(3));
  b.Publish(Make(4));
  EXPECT_EQ(ra->value, 1u);
  EXPECT_EQ(rb->value, 2u);
  EXPECT_EQ(destroyed(), 0);
  auto moved = std::move(ra);  // the hold moves with the Reader
  EXPECT_EQ(moved->value, 1u);
  a.Reclaim();
  EXPECT_EQ(destroyed(), 0);
}

TEST_F(SnapshotCellTest, AReaderOnAnotherThreadKeepsItsSnapshot) {
  SnapshotCell<Tracked> cell(Make(1));
  std::atomic<int> stage{0};
  std::thread reader([&] {
    auto held = cell.Read();
    stage.store(1);
    while (stage.load() != 2) std::this_thread::yield();
    EXPECT_EQ(held->value, 1u);
    EXPECT_TRUE(held->intact());
  });
  while (stage.load() != 1) std::this_thread::yield();
  cell.Publish(Make(2));
  cell.Publish(Make(3));
  EXPECT_EQ(destroyed(), 1);  // 2, never read
  EXPECT_EQ(cell.retired_count(), 1u);
  stage.store(2);
  reader.join();
  cell.Reclaim();
  EXPECT_EQ(destroyed(), 2);
}

TEST_F(SnapshotCellTest, DestroyingTheCellFreesCurrentAndRetired) {
  {
    SnapshotCell<Tracked> cell(Make(1));
    {
      // Retire one while held (its slot is released before the cell dies).
      auto held = cell.Read();
      cell.Publish(Make(2));
    }
    EXPECT_EQ(cell.retired_count(), 1u);
  }
  EXPECT_EQ(destroyed(), 2);
}

// Readers on many threads check that every snapshot they hold stays intact
// and unchanged while a writer publishes as fast as it can; at the end every
// snapshot ever made has been destroyed exactly once.
TEST(ConcurrencySnapshotCell, ReadersNeverSeeAFreedSnapshot) {
  std::atomic<int> destroyed{0};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> reads{0};
  constexpr int kReaders = 4;
  int published = 0;
  {
    SnapshotCell<Tracked> cell(std::make_unique<Tracked>(0, &destroyed));
    std::vector<std::thread> readers;
    for (int t = 0; t < kReaders; ++t) {
      readers.emplace_back([&] {
        uint64_t last = 0, n = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          auto r = cell.Read();
          ASSERT_TRUE(r);
          const uint64_t v = r->value;
          ASSERT_GE(v, last);  // publication order is seen in order
          for (int i = 0; i < 8; ++i) ASSERT_TRUE(r->intact());
          ASSERT_EQ(r->value, v);
          last = v;
          ++n;
        }
        reads.fetch_add(n);
      });
    }
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    uint64_t v = 0;
    while (std::chrono::steady_clock::now() < end) {
      cell.Publish(std::make_unique<Tracked>(++v, &destroyed));
      ++published;
    }
    stop.store(true);
    for (auto& t : readers) t.join();
    cell.Reclaim();
    EXPECT_EQ(cell.retired_count(), 0u);
    EXPECT_EQ(destroyed.load(), published);  // all but the current one
  }
  EXPECT_EQ(destroyed.load(), published + 1);
  EXPECT_GT(reads.load(), 0u);
  EXPECT_GT(published, 10);
}

// Threads that come and go reuse hazard records; a record given back by an
// exiting thread holds nothing.
TEST(ConcurrencySnapshotCell, ExitedThreadsHoldNothing) {
  std::atomic<int> destroyed{0};
  SnapshotCell<Tracked> cell(std::make_unique<Tracked>(0, &destroyed));
  for (int round = 0; round < 20; ++round) {
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t) ts.emplace_back([&] { EXPECT_TRUE(cell.Read()); });
    for (auto& t : ts) t.join();
    cell.Publish(std::make_unique<Tracked>(round + 1, &destroyed));
    EXPECT_EQ(cell.retired_count(), 0u);
  }
  EXPECT_EQ(destroyed.load(), 20);
}

}  // namespace
}  // namespace tokenverify::internal
