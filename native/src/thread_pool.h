// The OS threads that give fibers their stacks, and the process-wide pool of
// idle ones. A thread runs one host from its first hand-off until its entry
// returns (or it is unwound), then goes back to the pool for the next host
// with the same stack size. Pool threads are shared by all JS threads
// (main thread and Workers) of the process.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "parker.h"
#include "signals.h"

namespace fiberlet {

class Host;

class FiberThread {
 public:
  Parker parker;
  // Set by the JS thread that hands this thread a new host, before Unpark().
  Host* assignment = nullptr;

  size_t stack_size() const { return stack_size_; }
  // Lowest usable address of this thread's stack (valid once it runs).
  uintptr_t stack_low() const { return stack_low_; }
  // Isolates this thread has locked; their per-thread V8 data is discarded
  // when the thread exits.
  std::vector<void*> isolates_used;
  // This thread's signal mask (signals.h); only the thread itself sets it.
  SignalMask signal_mask{IdleThreadMask()};

 private:
  friend class ThreadPool;
  explicit FiberThread(size_t stack_size) : stack_size_(stack_size) {}
  static void* Main(void* self);

  const size_t stack_size_;
  uintptr_t stack_low_ = 0;
};

class ThreadPool {
 public:
  // Keep at most this many idle threads; more exit when their host finishes.
  static constexpr size_t kMaxIdle = 64;

  static ThreadPool& Get();

  // An idle thread with this stack size, or a new one. nullptr (and errno
  // set) if the OS refuses to create a thread.
  FiberThread* Acquire(size_t stack_size);

  struct Stats {
    size_t threads;
    size_t idle;
  };
  Stats stats();

  // Hooks for FiberThread and JsThread.
  bool Release(FiberThread* thread);  // false: the pool is full, exit instead
  void OnThreadExit(FiberThread* thread);

 private:
  ThreadPool() = default;
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<FiberThread*>> idle_;
  size_t idle_count_ = 0;
  size_t threads_ = 0;
};

// Body of a pool thread for one host, defined in switch.cc. Returns once the
// thread has released the isolate and handed control on; false if the pool
// is full and the thread should exit.
bool RunFiber(Host* host, FiberThread* thread);

// Drops this thread's V8 metadata for isolates that are still alive:
// defined in js_thread.cc.
void DiscardIsolateData(const std::vector<void*>& isolates);

}  // namespace fiberlet
