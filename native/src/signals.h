// Which signals a fiber thread takes.
//
// Synchronous signals (a fault raised by the instruction the thread is
// running) must never be blocked: V8 turns a WebAssembly out-of-bounds
// access into a RuntimeError by catching the SIGSEGV in its trap handler
// (SIGBUS, SIGFPE, SIGILL and SIGTRAP are raised the same way by generated
// code), and the kernel kills the whole process when such a signal is
// blocked. Asynchronous signals belong to the JS thread: a pool thread
// blocks them while it waits for a host, and while it runs a host of some JS
// thread it takes exactly that thread's mask. Threads inherit the mask of
// their creator, so a Worker created by JavaScript running in a fiber gets
// the mask it would get on the JS thread itself (Node's main thread blocks
// nothing; a Worker without SIGPROF could not be profiled).
#pragma once

#include <pthread.h>
#include <signal.h>

#include <cstring>

namespace fiberlet {

inline void UnblockSynchronousSignals(sigset_t* mask) {
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) {
    sigdelset(mask, signal);
  }
}

// The mask a new pool thread starts with: every asynchronous signal blocked.
inline sigset_t IdleThreadMask() {
  sigset_t mask;
  sigfillset(&mask);
  UnblockSynchronousSignals(&mask);
  return mask;
}

// The calling JS thread's mask, as a fiber thread running its hosts takes it.
inline sigset_t JsThreadMask() {
  sigset_t mask;
  sigemptyset(&mask);
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  UnblockSynchronousSignals(&mask);
  return mask;
}

// The calling thread's mask, set only when it differs from the last one set
// (a fiber thread usually runs hosts of one JS thread: no system call).
class SignalMask {
 public:
  explicit SignalMask(const sigset_t& initial) : current_(initial) {}
  void Set(const sigset_t& mask) {
    if (std::memcmp(&mask, &current_, sizeof(mask)) == 0) return;
    pthread_sigmask(SIG_SETMASK, &mask, nullptr);
    current_ = mask;
  }

 private:
  sigset_t current_;
};

}  // namespace fiberlet
