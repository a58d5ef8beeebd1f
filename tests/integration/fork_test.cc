// A verifier built before fork() (pre-forking servers: gunicorn --preload,
// uWSGI, C servers that fork workers) keeps working in the child: its
// refresher restarts there, it sees a key set rotated after the fork, an
// unknown kid does not wait for a refresher that never runs, and freeing it
// does not hang. The parent is unaffected.
//
// The JWKS server runs in the parent (its threads do not exist in a child);
// children only talk to it over the socket. A child never uses GoogleTest: it
// reports through its exit code and a line of text on a pipe, and the parent
// kills it if it outlives its deadline, so a hang fails the test instead of
// stalling the suite. Not labelled `concurrency`: ThreadSanitizer does not
// support fork() in a multi-threaded process.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "key_cache_rig.h"
#include "keysets/snapshot.h"
#include "support/jwks_server.h"
#include "support/redis_server.h"
#include "verify/worker_pool.h"

namespace tokenverify::cachetest {
namespace {

using testing::JwksHandler;
using testing::JwksServer;
using testing::MakeKey;
using testing::ServerResponse;
using testing::SignJwt;
using testing::TestKey;

struct ChildOutcome {
  bool exited = false;  // ended by _exit (else killed: a signal, or our deadline)
  int exit_code = -1;
  bool timed_out = false;  // we killed it at the deadline
  std::string report;      // what the child wrote on its pipe
};

// The child's end of its report pipe. ChildSays writes at once, so a child
// that hangs still tells the parent how far it got.
int g_child_report_fd = -1;
void ChildSays(std::string_view step) {
  const std::string line = "[" + std::string(step) + "] ";
  if (g_child_report_fd >= 0) (void)!::write(g_child_report_fd, line.data(), line.size());
}

// A forked child that runs `body` and exits with its return value (0 means
// success) after writing its report to a pipe. Wait() kills it when it is
// still running at the deadline; the child also arms alarm() in case the
// parent dies first.
class Child {
 public:
  Child(const std::function<int(std::string* report)>& body, milliseconds deadline) : deadline_(deadline) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      g_child_report_fd = fds[1];
      ::alarm(static_cast<unsigned>(deadline.count() / 1000 + 5));
      std::string report;
      const int code = body(&report);
      (void)!::write(fds[1], report.data(), report.size());
      ::_exit(code);
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
    started_ = Clock::now();
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0 && !waited_) Wait();
  }

  ChildOutcome Wait() {
    ChildOutcome out;
    waited_ = true;
    if (pid_ <= 0) {
      out.report = "fork failed";
      return out;
    }
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (r < 0 && errno != EINTR) break;
      if (Clock::now() - started_ >= deadline_) {
        out.timed_out = true;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
    char buf[512];
    ssize_t n;
    while ((n = ::read(read_fd_, buf, sizeof buf)) > 0) out.report.append(buf, static_cast<size_t>(n));
    ::close(read_fd_);
    out.exited = WIFEXITED(status);
    out.exit_code = out.exited ? WEXITSTATUS(status) : -1;
    return out;
  }

 private:
  milliseconds deadline_;
  pid_t pid_ = -1;
  int read_fd_ = -1;
  bool waited_ = false;
  Clock::time_point started_;
};

void ExpectChildSucceeded(const ChildOutcome& c) {
  EXPECT_FALSE(c.timed_out) << "the child hung and was killed; it said: " << c.report;
  EXPECT_TRUE(c.exited) << "the child died of a signal; it said: " << c.report;
  EXPECT_EQ(c.exit_code, 0) << c.report;
}

// Waits (up to 3 s) until the threads of this process that the test knows of
// are at rest, and says whether they got there: `server` (when it runs in this
// process) has no connection thread being created, serving or ending, and the
// refresher of `v` is neither fetching nor due within 100 ms.
//
// Why: GCC 12's AddressSanitizer runtime (libasan.so.8) has no fork() handler.
// A thread that is inside the sanitizer's allocator, or creating or ending a
// thread, at the moment another thread forks leaves a runtime lock held for
// ever in the child, which then hangs on its first malloc or pthread_create.
// A 30-line program without tokenverify shows it (a thread creating threads,
// or allocating, while the main thread forks 300 children: 1 to 4 children
// hang under -fsanitize=address, none without). glibc's own malloc and thread
// list are fork-safe, so this is a limit of the instrumented build only. The
// one test that forks on purpose while the refresher works,
// ForksDuringRefreshesLeaveEveryChildUsable, therefore runs in uninstrumented
// builds only (tests/CMakeLists.txt).
bool QuietForFork(const JwksServer* server, Verifier& v) {
  return PollUntil(
      [&] {
        if (server != nullptr && server->live_connection_threads() != 0) return false;
        const std::string stats = v.StatsJson(false);
        const int64_t now_ms =
            std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
        return StatInt(stats, "nextRefreshUnixMs") - now_ms >= 100 &&
               now_ms - StatInt(stats, "lastRefreshUnixMs") >= 20;
      },
      milliseconds(3000));
}

std::unique_ptr<Verifier> MakeVerifier(const std::string& url, std::string_view knobs) {
  Error err;
  auto created = Verifier::Create(
      RemoteConfig(url, std::string(knobs) + R"(,"initialFetchWait":"5s","requireInitialKeys":true)"), &err);
  EXPECT_TRUE(created.ok()) << err.message;
  return created.ok() ? std::move(created).value() : nullptr;
}

TEST(Fork, TheChildRefreshesOnScheduleAndSeesARotatedKeySet) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  const std::string t1 = SignJwt(k1, "{}"), t2 = SignJwt(k2, "{}");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  auto v = MakeVerifier(server->Url(), R"("cacheDuration":"300ms","unknownKidCooldown":"1h")");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->Verify(t1), Status::OK);
  // Spend the one early refresh that the cooldown allows before the fork (the
  // child inherits the cooldown): in the child only the schedule can bring k2.
  ASSERT_EQ(v->Verify(t2), Status::ERR_KID_NOT_FOUND);
  const int64_t generation_before = StatInt(v->StatsJson(false), "generation");
  ASSERT_TRUE(QuietForFork(server.get(), *v));

  Child child(
      [&](std::string* report) {
        ChildSays("polling the generation");
        const bool rotated = PollUntil([&] { return StatInt(v->StatsJson(false), "generation") > generation_before; },
                                       milliseconds(8000));
        ChildSays(rotated ? "rotated" : "not rotated");
        const Status s2 = v->Verify(t2);
        ChildSays("verified t2");
        const Status s1 = v->Verify(t1);
        ChildSays("verified t1");
        const std::string stats = v->StatsJson(false);
        *report = "rotated=" + std::to_string(rotated) + " t2=" + std::string(StatusName(s2)) +
                  " t1=" + std::string(StatusName(s1)) + " stats=" + stats;
        if (!rotated) return 1;
        if (s2 != Status::OK || s1 != Status::ERR_KID_NOT_FOUND) return 2;
        if (StatInt(stats, "forkRestarts") != 1) return 3;
        return 0;
      },
      milliseconds(15000));
  server->SetHandler(JwksHandler(testing::Jwks({&k2})));  // the rotation, after the fork
  ExpectChildSucceeded(child.Wait());

  // The parent rotated too, on its own refresher, and never restarted it.
  EXPECT_TRUE(PollUntil([&] { return v->Verify(t2) == Status::OK; }, milliseconds(5000)));
  const std::string stats = v->StatsJson(false);
  EXPECT_EQ(StatInt(stats, "forkRestarts"), 0) << stats;
}

TEST(Fork, AChildIdleSinceTheForkCatchesUpOnFirstUse) {
  // The issue's reproduction: fork, rotate in the parent, verify a token of
  // the new key in the child some refresh periods later (no thread ran there
  // meanwhile: the first use makes the overdue refresh and waits for it).
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  const std::string t2 = SignJwt(k2, "{}");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  auto v = MakeVerifier(server->Url(), R"("cacheDuration":"300ms")");
  ASSERT_NE(v, nullptr);

  ASSERT_TRUE(QuietForFork(server.get(), *v));
  Child child(
      [&](std::string* report) {
        std::this_thread::sleep_for(milliseconds(1200));
        const Status s = v->Verify(t2);
        *report = std::string(StatusName(s)) + " " + v->StatsJson(false);
        return s == Status::OK ? 0 : 1;
      },
      milliseconds(10000));
  server->SetHandler(JwksHandler(testing::Jwks({&k2})));
  ExpectChildSucceeded(child.Wait());
}

TEST(Fork, AGrandchildRefreshesToo) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  const std::string t2 = SignJwt(k2, "{}");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  auto v = MakeVerifier(server->Url(), R"("cacheDuration":"300ms")");
  ASSERT_NE(v, nullptr);

  ASSERT_TRUE(QuietForFork(server.get(), *v));
  Child child(
      [&](std::string* report) {
        if (v->Verify(SignJwt(k1, "{}")) != Status::OK) return 1;  // restarts the child's refresher
        if (!QuietForFork(nullptr, *v)) return 3;                  // the server runs in the parent
        Child grandchild(
            [&](std::string* inner) {
              const bool ok = PollUntil([&] { return v->Verify(t2) == Status::OK; }, milliseconds(5000));
              *inner = v->StatsJson(false);
              v.reset();
              return ok ? 0 : 1;
            },
            milliseconds(8000));
        const ChildOutcome g = grandchild.Wait();
        *report =
            "grandchild: exited=" + std::to_string(g.exited) + " code=" + std::to_string(g.exit_code) + " " + g.report;
        v.reset();
        return g.exited && g.exit_code == 0 ? 0 : 2;
      },
      milliseconds(12000));
  server->SetHandler(JwksHandler(testing::Jwks({&k2})));
  ExpectChildSucceeded(child.Wait());
}

TEST(Fork, FreeingAnUnusedVerifierInTheChildReturns) {
  const TestKey k1 = MakeKey("ES256", "k1");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  auto v = MakeVerifier(server->Url(), R"("cacheDuration":"5m")");
  ASSERT_NE(v, nullptr);

  ASSERT_TRUE(QuietForFork(server.get(), *v));
  Child child(
      [&](std::string* report) {
        const auto start = Clock::now();
        v.reset();  // never used in the child: the refresher was not restarted here
        *report = "freed in " + std::to_string(MsSince(start)) + " ms";
        return MsSince(start) < 1000 ? 0 : 1;
      },
      milliseconds(5000));
  ExpectChildSucceeded(child.Wait());
  EXPECT_EQ(v->Verify(SignJwt(k1, "{}")), Status::OK);  // the parent's verifier is untouched
}

TEST(Fork, FreeingAVerifierUsedInTheChildReturns) {
  const TestKey k1 = MakeKey("ES256", "k1");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  auto v = MakeVerifier(server->Url(), R"("cacheDuration":"5m")");
  ASSERT_NE(v, nullptr);

  ASSERT_TRUE(QuietForFork(server.get(), *v));
  Child child(
      [&](std::string* report) {
        const Status s = v->Verify(SignJwt(k1, "{}"));
        const auto start = Clock::now();
        v.reset();
        *report = std::string(StatusName(s)) + ", freed in " + std::to_string(MsSince(start)) + " ms";
        return s == Status::OK && MsSince(start) < 1000 ? 0 : 1;
      },
      milliseconds(5000));
  ExpectChildSucceeded(child.Wait());
}

TEST(Fork, AnUnknownKidInTheChildWaitsOnlyForOneRefresh) {
  const TestKey k1 = MakeKey("ES256", "k1"), k2 = MakeKey("ES256", "k2");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  server->SetHandler(JwksHandler(testing::Jwks({&k1})));
  auto v = MakeVerifier(server->Url(), R"("cacheDuration":"5m","unknownKidWait":"4s")");
  ASSERT_NE(v, nullptr);
  const int requests_before = server->request_count();
  const std::string t2 = SignJwt(k2, "{}");

  ASSERT_TRUE(QuietForFork(server.get(), *v));
  Child child(
      [&](std::string* report) {
        const auto start = Clock::now();
        const Status s = v->Verify(t2);
        const int64_t took = MsSince(start);
        *report = std::string(StatusName(s)) + " after " + std::to_string(took) + " ms";
        if (s != Status::ERR_KID_NOT_FOUND) return 1;
        return took < 2000 ? 0 : 2;  // one fetch on loopback, not the 4 s wait
      },
      milliseconds(10000));
  ExpectChildSucceeded(child.Wait());
  EXPECT_GT(server->request_count(), requests_before);  // the child's refresher fetched
}

TEST(Fork, ForksDuringRefreshesLeaveEveryChildUsable) {
  // The parent's refresher fetches all the time, each answer held back a
  // little, so forks land while it waits, fetches, or publishes under its
  // lock; every child must verify, refresh and free its verifier in time.
  const TestKey k1 = MakeKey("ES256", "k1");
  const std::string t1 = SignJwt(k1, "{}");
  auto server = JwksServer::Start();
  ASSERT_NE(server, nullptr);
  std::atomic<int> served{0};
  const std::string body = testing::Jwks({&k1});
  server->SetHandler([&served, body](const testing::HttpRequestSeen&) {
    ServerResponse r = testing::JwksResponse(body);
    r.mode = ServerResponse::Mode::kHang;
    r.hang_ms = 1 + served.fetch_add(1) % 5;
    return r;
  });
  // No ETag, a body that never changes: every fetch is a full answer.
  auto v = MakeVerifier(server->Url(), R"("cacheDuration":"100ms","refreshAhead":"95ms","useCacheHeaders":false)");
  ASSERT_NE(v, nullptr);

  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(milliseconds(1 + i % 4));
    Child child(
        [&](std::string* report) {
          const Status s = v->Verify(t1);
          const int64_t fetches = StatInt(v->StatsJson(false), "fetches");
          const bool fetched =
              PollUntil([&] { return StatInt(v->StatsJson(false), "fetches") > fetches; }, milliseconds(3000));
          v.reset();
          *report = std::string(StatusName(s)) + " fetched=" + std::to_string(fetched);
          return s == Status::OK && fetched ? 0 : 1;
        },
        milliseconds(6000));
    const ChildOutcome c = child.Wait();
    ExpectChildSucceeded(c);
    if (c.exit_code != 0) break;
  }
  EXPECT_EQ(v->Verify(t1), Status::OK);
}

// The hazard slots of threads that do not exist in a child must not keep
// snapshots alive there: the child frees them once they are retired.
TEST(Fork, HazardSlotsOfThreadsLeftBehindDoNotPinSnapshots) {
  using internal::SnapshotCell;
  SnapshotCell<int> cell(std::make_unique<int>(1));
  std::mutex mu;
  std::condition_variable cv;
  bool holding = false, release = false;
  std::thread reader([&] {
    auto hold = cell.Read();  // held across the fork, by a thread the child will not have
    std::unique_lock<std::mutex> lock(mu);
    holding = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return holding; });
  }
  Child child(
      [&](std::string* report) {
        cell.Publish(std::make_unique<int>(2));  // retires 1, which only the missing thread held
        *report = "retired after publish: " + std::to_string(cell.retired_count());
        return cell.retired_count() == 0 ? 0 : 1;
      },
      milliseconds(5000));
  const ChildOutcome c = child.Wait();
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  reader.join();
  ExpectChildSucceeded(c);
}

// A verifier whose batch worker pool started in the parent: the child has
// none of those threads, so a batch there starts a pool of its own instead of
// handing work to workers that do not exist (and waiting for ever), gives the
// parent's answers, and the child frees the verifier without joining the
// parent's threads. The parent's pool keeps working after the fork.
TEST(Fork, BatchesInTheChildStartAWorkerPoolOfTheirOwn) {
  const TestKey hs{"HS256", "", nullptr, "fork-batch-test-secret-0123456789"};
  Error err;
  auto created = Verifier::Create(R"({"providers":[{"name":"hs","algorithms":["HS256"],"secret":)" +
                                      testing::JsonQuote(hs.secret) + R"(}],"now":1800000000})",
                                  &err);
  ASSERT_TRUE(created.ok()) << err.message;
  std::unique_ptr<Verifier> v = std::move(created).value();
  std::vector<std::string> tokens;
  for (int i = 0; i < 400; ++i) {
    const int64_t exp = i % 3 == 0 ? 1799999000 : 1800003600;  // every third one expired
    tokens.push_back(SignJwt(hs, R"({"sub":"u)" + std::to_string(i) + R"(","exp":)" + std::to_string(exp) + "}"));
  }
  const std::vector<std::string_view> views(tokens.begin(), tokens.end());
  std::vector<Status> want(views.size());
  for (size_t i = 0; i < views.size(); ++i) want[i] = i % 3 == 0 ? Status::ERR_EXPIRED : Status::OK;
  std::vector<Status> got(views.size());
  ASSERT_EQ(v->VerifyBatch(views, got, 2), Status::OK);  // starts the parent's pool
  ASSERT_EQ(got, want);
  // The pool's worker ends its job long before this, and then only spins or
  // waits on a condition variable: nothing a fork() can catch half done.
  std::this_thread::sleep_for(milliseconds(20));

  Child child(
      [&](std::string* report) {
        for (unsigned threads : {2u, 3u}) {
          std::vector<Status> in_child(views.size(), Status::ERR_INTERNAL);
          const auto start = Clock::now();
          if (v->VerifyBatch(views, in_child, threads) != Status::OK || in_child != want) {
            *report = "wrong statuses on " + std::to_string(threads) + " threads";
            return 1;
          }
          ChildSays(std::to_string(threads) + " threads: " + std::to_string(MsSince(start)) + " ms");
        }
        const auto start = Clock::now();
        v.reset();  // joins the child's workers only
        *report = "freed in " + std::to_string(MsSince(start)) + " ms";
        return MsSince(start) < 1000 ? 0 : 1;
      },
      milliseconds(10000));
  ExpectChildSucceeded(child.Wait());
  std::fill(got.begin(), got.end(), Status::ERR_INTERNAL);
  ASSERT_EQ(v->VerifyBatch(views, got, 2), Status::OK);
  EXPECT_EQ(got, want) << "the parent's pool after the fork";
}

// The pool under VerifyBatch after fork(): its workers stayed in the parent.
// A run in the child must get a worker of the child's own (a run whose two
// participants wait for each other finishes only then), not quietly run alone
// on a crew of threads that are not there, and the child's pool is freed
// without touching the parent's threads.
TEST(Fork, TheWorkerPoolStartsWorkersOfItsOwnInTheChild) {
  auto pool = std::make_unique<internal::WorkerPool>();
  // Two participants that each wait (up to 5 s) until both are inside: true
  // only when a worker really took a chunk beside the caller.
  auto two_threads_met = [](internal::WorkerPool& p) {
    std::atomic<int> inside{0};
    std::atomic<bool> met{false};
    auto body = [&](size_t, size_t) noexcept {
      inside.fetch_add(1);
      const auto start = Clock::now();
      while (!met.load() && MsSince(start) < 5000)
        if (inside.load() >= 2) met.store(true);
      inside.fetch_sub(1);
    };
    p.Run(2, 2, body);
    return met.load();
  };
  ASSERT_TRUE(two_threads_met(*pool));
  ASSERT_EQ(pool->worker_count(), 1u);
  std::this_thread::sleep_for(milliseconds(20));  // the worker is idle: waiting, or spinning on an atomic

  Child child(
      [&](std::string* report) {
        if (pool->worker_count() != 0) {
          *report = "the parent's worker counted as this process's";
          return 1;
        }
        if (!two_threads_met(*pool)) {
          *report = "no worker took a chunk in the child";
          return 2;
        }
        const size_t workers = pool->worker_count();
        const auto start = Clock::now();
        pool.reset();
        *report = std::to_string(workers) + " worker(s), freed in " + std::to_string(MsSince(start)) + " ms";
        return workers == 1 && MsSince(start) < 1000 ? 0 : 3;
      },
      milliseconds(15000));
  ExpectChildSucceeded(child.Wait());
  EXPECT_TRUE(two_threads_met(*pool)) << "the parent's pool after the fork";
  EXPECT_EQ(pool->worker_count(), 1u);
}

// The Redis revocation reader after fork(). Not in instrumented builds: the
// parent's reader thread allocates whenever an XREAD returns (every 100 ms),
// and GCC 12's ASan runtime has no fork() handler (see QuietForFork), so a
// child could hang inside the sanitizer whatever the engine does.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
std::unique_ptr<Verifier> RedisVerifier(const TestKey& k, const testing::RedisServer& redis) {
  Error err;
  auto v = Verifier::Create(R"({"providers":[{"name":"p","jwks":{"local":{"inline":)" +
                                testing::JsonQuote(testing::Jwks({&k})) + R"(}}}],"revocation":{"redis":{"url":)" +
                                testing::JsonQuote(redis.Url()) + "}}}",
                            &err);
  EXPECT_TRUE(v.ok()) << err.message;
  return v.ok() ? std::move(v).value() : nullptr;
}

TEST(Fork, TheRedisReaderRestartsInTheChildAndFreeingItThereReturns) {
  const TestKey k = MakeKey("HS256", "k1");
  auto redis = testing::RedisServer::Start();
  ASSERT_NE(redis, nullptr);
  auto used = RedisVerifier(k, *redis), unused = RedisVerifier(k, *redis);
  ASSERT_TRUE(used && unused);
  ASSERT_TRUE(PollUntil([&] { return StatText(used->StatsJson(false), "connected") == "true"; }, milliseconds(5000)));
  const std::string t = SignJwt(k, R"({"sub":"alice","jti":"after-fork","exp":4102444800})");
  ASSERT_EQ(used->Verify(t), Status::OK);

  Child child(
      [&](std::string* report) {
        const auto start = Clock::now();
        unused.reset();  // never used here: its reader is the parent's
        const int64_t freed_ms = MsSince(start);
        // The first use restarts the reader here; the entry the parent adds
        // after the fork reaches the child through it.
        const Status before = used->Verify(t);
        const bool revoked = PollUntil([&] { return used->Verify(t) == Status::ERR_REVOKED; }, milliseconds(5000));
        *report = "freed in " + std::to_string(freed_ms) + " ms; before " + std::string(StatusName(before)) +
                  "; revoked " + std::to_string(revoked) + "; " + used->StatsJson(false);
        used.reset();
        return freed_ms < 1000 && revoked ? 0 : 1;
      },
      milliseconds(10000));
  std::this_thread::sleep_for(milliseconds(200));
  ASSERT_NE(
      redis->Command({"XADD", "tokenverify:revocations", "*", "jti", "after-fork", "exp", "4102444800"}).substr(0, 3),
      "ERR");
  ExpectChildSucceeded(child.Wait());
}
#endif

}  // namespace
}  // namespace tokenverify::cachetest
