// The two things the addon knows about: hosts (a stack that can hold the
// isolate) and the JS thread that owns them.
//
//   Host      one stack: the JS thread's own stack (the root host) or a
//             fiber's stack on a pool thread (a fiber host). Exactly one host
//             per JS thread is running; the others are parked in a switch.
//   JsThread  per isolate (Node's main thread or one Worker): its root host,
//             the running host, and the hosts waiting to be reclaimed.
//
// Lifetime: every Host is referenced by its JS Host object (the "wrapper"),
// by the pool thread running it, and by hosts that point at it (resumer,
// kill_requester). All of that bookkeeping, like every V8 call, happens with
// the isolate locked, so the counts need no atomics. The wrapper is strong
// while the host runs and weak while it is new or suspended: an unreachable
// suspended host is unwound (see JsThread::ReclaimCollected) and freed.
#pragma once

#include <uv.h>
#include <v8.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cped_guard.h"
#include "nesting.h"
#include "parker.h"
#include "interrupts.h"
#include "signals.h"
#include "stack_limit.h"

namespace fiberlet {

class FiberThread;
class JsThread;

enum class HostState : uint8_t { kNew, kRunning, kSuspended, kFinished };

// Why a host was handed control, read by the host when it wakes up.
enum class Wake : uint8_t {
  kResume,     // handoff() returns normally
  kThrow,      // handoff() throws pending_exception (a fiber's entry threw)
  kTerminate,  // re-raise a termination that hit a fiber (worker.terminate() etc.)
  kKill,       // unwind without running JavaScript: the Host object was collected
};

class Host {
 public:
  static Host* NewRoot(JsThread* owner);
  static Host* NewFiber(JsThread* owner, v8::Local<v8::Context> context, size_t stack_size);

  void Ref() { refs_++; }
  void Unref();

  bool is_root() const { return thread_ == nullptr && stack_size_ == 0; }
  Parker* parker() const;
  void set_thread(FiberThread* thread) { thread_ = thread; }
  FiberThread* thread() const { return thread_; }
  size_t stack_size() const { return stack_size_; }

  // Root hosts keep a strong wrapper forever; fibers only while running.
  void MakeWrapperStrong();
  void MakeWrapperWeak();

  // Points `slot` at `host`, keeping it alive.
  static void Assign(Host** slot, Host* host);

  JsThread* const owner;
  HostState state = HostState::kNew;
  Wake wake = Wake::kResume;
  bool collected = false;  // the wrapper was garbage-collected
  bool killing = false;    // unwinding because of collection or teardown
  bool wrapper_ref = false;  // the wrapper's reference is still counted
  v8::Global<v8::Object> wrapper;
  v8::Global<v8::Context> context;            // fiber: until it starts
  v8::Global<v8::Value> pending_exception;    // with Wake::kThrow
  Host* resumer = nullptr;         // the host that last handed control to this one
  Host* kill_requester = nullptr;  // who to hand back to after being unwound
  Host* prev = nullptr;            // JsThread's list of live hosts
  Host* next = nullptr;

 private:
  Host(JsThread* owner, size_t stack_size);
  ~Host();
  static void OnWrapperCollected(const v8::WeakCallbackInfo<Host>& info);

  const size_t stack_size_;
  FiberThread* thread_ = nullptr;
  int refs_ = 0;
};

class JsThread {
 public:
  // The state for the calling thread's isolate, created on first use.
  // `env_loop` is the thread's libuv loop.
  static JsThread* ForIsolate(v8::Isolate* isolate, v8::Local<v8::Context> context,
                              uv_loop_t* loop);
  // Environment teardown (Worker exit, end of the main thread).
  void Release();

  v8::Local<v8::Object> NewWrapper(v8::Local<v8::Context> context, Host* host,
                                   v8::Local<v8::Value> entry);
  Host* Unwrap(v8::Local<v8::Value> value);
  // The entry function stored on a new host's wrapper; clears it.
  v8::Local<v8::Function> TakeEntry(Host* host);

  void OnCollected(Host* host);  // weak callback, inside GC: queue only
  // At a safe point (no GC in progress, isolate locked, `running` is the
  // caller): free or unwind hosts whose wrappers were collected.
  void ReclaimCollected();

  void Link(Host* host);
  void Unlink(Host* host);

  v8::Isolate* const isolate;
  Parker parker;  // the JS thread's own stack parks here
  // The JS thread's signal mask, taken by fiber threads running its hosts.
  const sigset_t signal_mask = JsThreadMask();
  // V8's stack limit for the JS thread's own stack, set again whenever the
  // root host resumes (stack_limit.h); 0 where not needed or unknown.
  const uintptr_t root_stack_limit = kReapplyStackLimits ? CurrentStackLimit(isolate) : 0;
  // Terminations left in the state of a parked host (interrupts.h).
  TerminationWatch terminations;
  bool forward_termination = false;
  // Builtins a host must not suspend inside (nesting.h).
  NestingGuard nesting;
  Host* root = nullptr;
  Host* running = nullptr;
  bool tearing_down = false;
  v8::Global<v8::FunctionTemplate> host_class;
  v8::Global<v8::Function> halt;  // function () { for (;;) {} }
  size_t live_hosts = 0;
  size_t suspended_hosts = 0;
  size_t reclaimed_hosts = 0;

 private:
  JsThread(v8::Isolate* isolate, v8::Local<v8::Context> context, uv_loop_t* loop);
  ~JsThread();
  void Teardown();
  static void OnReclaimSignal(uv_async_t* handle);

  CpedGuard cped_guard_;
  int loads_ = 0;  // the addon may be loaded more than once per isolate
  Host* hosts_ = nullptr;
  std::vector<Host*> collected_;
  uv_async_t* reclaim_signal_ = nullptr;
  bool reclaim_signalled_ = false;
};

// switch.cc: everything that happens when control moves between hosts.
//
// Hands the isolate from the running host to `to` and returns once some host
// hands it back, with the caller's wake reason applied (an exception may be
// pending on return). Throws (returns false, exception pending) if `to`
// cannot be started.
bool SwitchTo(JsThread* thread, Host* to);
// Unwinds a suspended fiber without running its JavaScript.
void Kill(JsThread* thread, Host* host);

}  // namespace fiberlet
