// fork() support for key caches (see keysets/key_cache.h): the registry of
// live caches and the pthread_atfork handlers.
//
// A child process has only the thread that called fork(). Whatever another
// thread was doing is frozen mid-way in the child's copy of memory: a mutex
// it held stays locked forever, a condition variable still counts it as a
// waiter (glibc's signal and destroy can block on such a waiter), and the
// data it was updating may be half written. So:
//   prepare (in the forking thread, before fork): lock every cache's mu_, so
//     no refresher, waiter or stats reader is inside the state mu_ guards
//     (which includes the cache's snapshot cell, only written under mu_).
//     A refresher never holds mu_ across a fetch or a callback, so this
//     waits at most for a publish.
//   parent: unlock them again.
//   child: re-create the condition variables (their waiters are gone),
//     unlock the mutexes, and bump g_fork_generation. Nothing else: no
//     thread is started and no fetch made here (the handler runs inside
//     fork(), where only async-signal-safe work is sound); the first use of
//     each cache in the child starts its refresher (ResumeAfterFork).
#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <new>
#include <vector>

#include "keysets/key_cache.h"

namespace tokenverify::internal {

std::atomic<uint64_t> g_fork_generation{0};

namespace {

// Never destroyed: a cache freed during exit may still unregister itself.
std::mutex& RegistryMutex() {
  static auto* mu = new std::mutex;
  return *mu;
}
std::vector<KeyCache*>& Registry() {
  static auto* caches = new std::vector<KeyCache*>;
  return *caches;
}

}  // namespace

void CountForks() {
  // Outside the registry lock: fork() holds libc's atfork lock while our
  // prepare handler takes the registry lock, and pthread_atfork needs it.
  static std::once_flag once;
  std::call_once(once, [] {
    (void)RegistryMutex();
    (void)Registry();
    pthread_atfork(&KeyCache::PrepareFork, &KeyCache::ParentAfterFork, &KeyCache::ChildAfterFork);
  });
}

void KeyCache::RegisterForFork(KeyCache* cache) {
  CountForks();
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry().push_back(cache);
}

void KeyCache::UnregisterForFork(KeyCache* cache) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto& caches = Registry();
  caches.erase(std::remove(caches.begin(), caches.end(), cache), caches.end());
}

void KeyCache::PrepareFork() noexcept {
  RegistryMutex().lock();
  for (KeyCache* c : Registry()) c->mu_.lock();
}

void KeyCache::ParentAfterFork() noexcept {
  for (KeyCache* c : Registry()) c->mu_.unlock();
  RegistryMutex().unlock();
}

void KeyCache::ChildAfterFork() noexcept {
  for (KeyCache* c : Registry()) {
    // Placement new without destroying: the old objects may count waiters
    // that no longer exist, and destroying them could wait for those.
    new (&c->wake_) std::condition_variable();
    new (&c->attempted_) std::condition_variable();
    c->mu_.unlock();  // locked by this very thread in PrepareFork
  }
  g_fork_generation.fetch_add(1, std::memory_order_acq_rel);
  RegistryMutex().unlock();
}

}  // namespace tokenverify::internal
