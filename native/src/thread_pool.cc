#include "thread_pool.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

namespace fiberlet {

ThreadPool& ThreadPool::Get() {
  // Leaked on purpose: threads may still be parked when static destructors
  // run at process exit.
  static ThreadPool* pool = new ThreadPool();
  return *pool;
}

void* FiberThread::Main(void* arg) {
  auto* self = static_cast<FiberThread*>(arg);
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr = nullptr;
    size_t size = 0;
    pthread_attr_getstack(&attr, &addr, &size);
    self->stack_low_ = reinterpret_cast<uintptr_t>(addr);
    pthread_attr_destroy(&attr);
  }
  ThreadPool& pool = ThreadPool::Get();
  for (;;) {
    self->parker.Park(self->next_awake);
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
  // Fiber threads take no asynchronous signals: they stay with the JS thread,
  // whose handlers (libuv's) expect to run there.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
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
