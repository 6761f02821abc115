#include "thread_pool.h"

#include <errno.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace fiberlet {
namespace {

// Linux >= 6.16 gives each process a private futex hash sized for
// min(threads, CPUs): 16 buckets on a 2-CPU machine. Every parked host sleeps
// on a futex, so with thousands of them each wake-up walks a long bucket
// chain (round trip 10 -> 45 us with 3,000 parked). Grow the table with the
// thread count. Older kernels reject the option, which is harmless.
void GrowFutexHash(size_t threads) {
#if defined(__linux__)
  constexpr int kPrFutexHash = 78;  // PR_FUTEX_HASH
  constexpr int kSetSlots = 1;      // PR_FUTEX_HASH_SET_SLOTS
  static size_t slots = 0;          // guarded by the pool mutex
  if (threads < 64) return;
  size_t wanted = 256;
  while (wanted < threads * 2) wanted *= 2;
  if (wanted <= slots) return;
  slots = wanted;
  prctl(kPrFutexHash, kSetSlots, wanted, 0, 0);
#else
  (void)threads;
#endif
}

}  // namespace

ThreadPool& ThreadPool::Get() {
  // Leaked on purpose: threads may still be parked when static destructors
  // run at process exit.
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

void* FiberThread::Main(void* arg) {
  auto* self = static_cast<FiberThread*>(arg);
#if defined(__APPLE__)
  uintptr_t top = reinterpret_cast<uintptr_t>(pthread_get_stackaddr_np(pthread_self()));
  self->stack_low_ = top - pthread_get_stacksize_np(pthread_self());
#else
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr = nullptr;
    size_t size = 0;
    pthread_attr_getstack(&attr, &addr, &size);
    self->stack_low_ = reinterpret_cast<uintptr_t>(addr);
    pthread_attr_destroy(&attr);
  }
#endif
  ThreadPool& pool = ThreadPool::Get();
  for (;;) {
    self->parker.Park();
    Host* host = self->assignment;
    self->assignment = nullptr;
    if (host == nullptr) continue;
    if (!RunFiber(host, self)) break;
  }
  pool.OnThreadExit(self);
  return nullptr;
}

FiberThread* ThreadPool::Acquire(size_t stack_size) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = idle_.find(stack_size);
    if (it != idle_.end() && !it->second.empty()) {
      FiberThread* thread = it->second.back();
      it->second.pop_back();
      idle_count_--;
      return thread;
    }
  }
  auto* thread = new FiberThread(stack_size);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_size);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  // A new thread inherits our mask; it waits with asynchronous signals
  // blocked (signals.h).
  sigset_t idle = IdleThreadMask(), old;
  pthread_sigmask(SIG_SETMASK, &idle, &old);
  pthread_t id;
  int err = pthread_create(&id, &attr, &FiberThread::Main, thread);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    delete thread;
    errno = err;
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  threads_++;
  GrowFutexHash(threads_);
  return thread;
}

bool ThreadPool::Release(FiberThread* thread) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_count_ >= kMaxIdle) return false;
  idle_[thread->stack_size()].push_back(thread);
  idle_count_++;
  return true;
}

void ThreadPool::OnThreadExit(FiberThread* thread) {
  DiscardIsolateData(thread->isolates_used);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    threads_--;
  }
  delete thread;
}

ThreadPool::Stats ThreadPool::stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  return {threads_, idle_count_};
}

}  // namespace fiberlet
