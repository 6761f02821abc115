// What happens on a switch.
//
// One OS thread per host, one isolate, and V8's public Locker/Unlocker to
// pass the isolate between them. The thread that gives up control does all
// the bookkeeping (Commit), then releases the isolate and parks (Transfer).
// The woken host only looks at why it was woken (ApplyWake):
//
//   running host (thread A)              target host (thread B)
//   -----------------------              ----------------------
//   Commit: running = B, wake reason     parked in Transfer (or, if new,
//   isolate->Exit()                        in the pool waiting for a host)
//   Unlocker: archive A's V8 state
//   B.parker.Unpark()            ----->  Locker: restore B's V8 state
//   A.parker.Park()                      isolate->Enter(); ApplyWake
//                                        ... runs JavaScript ...
//
// A suspended host's V8 state (its JS frames, handles, try/catch chain,
// stack limit, pending interrupts) is archived by V8 like any thread that
// gave up the Locker, so the GC scans suspended stacks as roots.
#include <errno.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "host.h"
#include "thread_pool.h"

namespace fiberlet {
namespace {

// Stack left below V8's JS stack limit on a fiber thread for the C++ that
// runs after JavaScript passed its last stack check (runtime functions, GC,
// API callbacks). Node keeps 192 KiB for Workers; small fiber stacks get a
// quarter of their size, at least 64 KiB.
size_t StackMargin(size_t stack_size) {
  return std::clamp<size_t>(stack_size / 4, 64 * 1024, 192 * 1024);
}

// The running host's own JavaScript stack limit, given to V8 when the host
// starts and, where V8 needs it (stack_limit.h), whenever it resumes.
void ApplyStackLimit(JsThread* t, Host* host) {
  if (host->is_root()) {
    if (t->root_stack_limit != 0) t->isolate->SetStackLimit(t->root_stack_limit);
    return;
  }
  FiberThread* thread = host->thread();
  t->isolate->SetStackLimit(thread->stack_low() + StackMargin(thread->stack_size()));
}

v8::Local<v8::String> Str(v8::Isolate* isolate, const std::string& s) {
  return v8::String::NewFromUtf8(isolate, s.data(), v8::NewStringType::kNormal,
                                 static_cast<int>(s.size()))
      .ToLocalChecked();
}

// Gives a new fiber its thread. Fails only when the OS refuses a thread.
bool Prepare(Host* to, std::string* error) {
  if (to->state != HostState::kNew || to->thread() != nullptr) return true;
  FiberThread* thread = ThreadPool::Get().Acquire(to->stack_size());
  if (thread == nullptr) {
    *error = std::string("fiberlet: could not create a thread for a new host (") +
             std::strerror(errno) +
             "); too many hosts alive? (each started, unfinished host holds one OS thread)";
    return false;
  }
  to->set_thread(thread);
  to->Ref();  // held by the thread until the host finishes
  thread->assignment = to;
  return true;
}

enum class From { kSuspends, kLends, kFinished };

// Makes `to` the running host. `from` suspends (handoff), lends control
// without suspending (it asked for `to` to be unwound), or has finished.
void Commit(JsThread* t, Host* from, Host* to, Wake why, From mode) {
  to->wake = why;
  if (to->state == HostState::kSuspended) t->suspended_hosts--;
  to->state = HostState::kRunning;
  to->MakeWrapperStrong();
  if (mode == From::kSuspends || (mode == From::kFinished && !from->killing)) {
    Host::Assign(&to->resumer, from);
  }
  t->running = to;
  if (mode == From::kSuspends) {
    from->state = HostState::kSuspended;
    t->suspended_hosts++;
    from->MakeWrapperWeak();
  }
}

// A termination left in the state of the host that ran before (seen while
// unlocked) or found on a host being reclaimed is requested again in the
// running host's own state, so it is not archived away with a parked host.
void ForwardTermination(JsThread* t, bool seen) {
  if (seen || t->forward_termination) {
    t->forward_termination = false;
    t->isolate->TerminateExecution();
  }
}

// Releases the isolate to `to` and parks `from` until control comes back.
void Transfer(JsThread* t, Host* from, Host* to) {
  v8::Isolate* isolate = t->isolate;
  Parker* target = to->parker();
  // V8 keeps one stack of "entered" records per isolate, shared by all
  // threads; hosts enter and leave out of order, so each host leaves while
  // parked. (A record left behind by a parked host also makes isolate
  // disposal abort with "Disposing the isolate that is entered by a thread".)
  isolate->Exit();
  bool forward;
  {
    v8::Unlocker unlocker(isolate);
    target->Unpark();
    from->parker()->Park();
    // Still unlocked: the StackGuard state live now is the last host's, which
    // our Locker is about to archive (interrupts.h).
    forward = t->terminations.Requested(isolate);
  }
  isolate->Enter();
  ForwardTermination(t, forward);
}

// Throws V8's uncatchable termination right here, before any more of this
// host's JavaScript runs: TerminateExecution() only requests an interrupt,
// which JavaScript services at its next stack check. A loop's back edge is
// such a check, so `for (;;) {}` ends at once with the termination pending.
void RaiseTermination(JsThread* t) {
  v8::Isolate* isolate = t->isolate;
  isolate->TerminateExecution();
  // During environment teardown JavaScript may not be entered; the request
  // then fires at the host's next call or loop iteration.
  if (t->tearing_down || t->halt.IsEmpty()) return;
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  if (context.IsEmpty()) return;
  v8::MaybeLocal<v8::Value> never =
      t->halt.Get(isolate)->Call(context, v8::Undefined(isolate), 0, nullptr);
  (void)never;
}

void ApplyWake(JsThread* t, Host* self) {
  v8::Isolate* isolate = t->isolate;
  switch (self->wake) {
    case Wake::kResume:
      return;
    case Wake::kThrow: {
      v8::Local<v8::Value> exception = self->pending_exception.Get(isolate);
      self->pending_exception.Reset();
      self->wake = Wake::kResume;
      isolate->ThrowException(exception);
      return;
    }
    case Wake::kKill:
      // A termination this host had archived is not ours to cancel when the
      // unwinding ends: pass it on to the host that asked for the unwinding.
      if (t->terminations.Requested(isolate)) t->forward_termination = true;
      [[fallthrough]];
    case Wake::kTerminate:
      self->wake = Wake::kResume;
      RaiseTermination(t);
      return;
  }
}

// Where an exception escaping a fiber's entry goes: the host that last handed
// control to the fiber, if it is still parked in handoff(), else the root.
Host* ExceptionTarget(JsThread* t, Host* fiber) {
  Host* r = fiber->resumer;
  if (r != nullptr && r->state == HostState::kSuspended && !r->collected) return r;
  return t->root;
}

}  // namespace

bool SwitchTo(JsThread* t, Host* to) {
  v8::Isolate* isolate = t->isolate;
  Host* from = t->running;
  std::string error;
  if (!Prepare(to, &error)) {
    isolate->ThrowException(v8::Exception::Error(Str(isolate, error)));
    return false;
  }
  Commit(t, from, to, Wake::kResume, From::kSuspends);
  Transfer(t, from, to);
  if (kReapplyStackLimits) ApplyStackLimit(t, from);
  t->nesting.OnWake(isolate);
  ApplyWake(t, from);
  return true;
}

void Kill(JsThread* t, Host* host) {
  Host* me = t->running;
  host->killing = true;
  Host::Assign(&host->kill_requester, me);
  Commit(t, me, host, Wake::kKill, From::kLends);
  Transfer(t, me, host);
  if (kReapplyStackLimits) ApplyStackLimit(t, me);
  // `host` has unwound and handed control straight back (Wake::kResume).
}

bool RunFiber(Host* host, FiberThread* thread) {
  JsThread* t = host->owner;
  v8::Isolate* isolate = t->isolate;
  Parker* next = nullptr;
  // Not locked yet: the live StackGuard state is the last host's.
  const bool forward = t->terminations.Requested(isolate);
  // Signals as on the JS thread itself, with faults always deliverable
  // (signals.h): a Worker created here inherits this mask.
  thread->signal_mask.Set(t->signal_mask);
  {
    v8::Locker locker(isolate);
    isolate->Enter();
    auto& used = thread->isolates_used;
    if (std::find(used.begin(), used.end(), isolate) == used.end()) used.push_back(isolate);
    // V8 assumes a main-thread-sized stack unless told otherwise; without
    // this, deep recursion in a small stack is a segfault, not a RangeError.
    ApplyStackLimit(t, host);
    ForwardTermination(t, forward);
    {
      v8::HandleScope handle_scope(isolate);
      v8::Local<v8::Context> context = host->context.Get(isolate);
      host->context.Reset();
      v8::Context::Scope context_scope(context);
      v8::Local<v8::Function> entry = t->TakeEntry(host);
      t->nesting.OnWake(isolate);

      Host* target = nullptr;
      Wake why = Wake::kResume;
      v8::Local<v8::Value> exception;
      {
        v8::TryCatch try_catch(isolate);
        v8::MaybeLocal<v8::Value> result =
            entry->Call(context, v8::Undefined(isolate), 0, nullptr);
        if (host->killing) {
          // Our own termination (Kill): cancel it and nothing else. Any other
          // termination is never cancelled, so worker.terminate() and
          // process.exit() in a Worker are not swallowed.
          if (t->terminations.Requested(isolate)) t->forward_termination = true;
          isolate->CancelTerminateExecution();
          target = host->kill_requester;
        } else if (try_catch.HasTerminated() || isolate->IsExecutionTerminating()) {
          target = t->root;
          why = Wake::kTerminate;
        } else if (try_catch.HasCaught()) {
          target = ExceptionTarget(t, host);
          why = Wake::kThrow;
          exception = try_catch.Exception();
        } else {
          Host* next_host = t->Unwrap(result.ToLocalChecked());
          if (next_host != nullptr && next_host != host &&
              (next_host->state == HostState::kSuspended ||
               next_host->state == HostState::kNew)) {
            target = next_host;
          } else {
            target = ExceptionTarget(t, host);
            why = Wake::kThrow;
            exception = v8::Exception::TypeError(Str(
                isolate, next_host == nullptr
                             ? "fiberlet: a host's entry must return the Host to hand control to"
                             : "fiberlet: a host's entry returned a Host that cannot take control "
                               "(finished, or the finishing host itself)"));
          }
        }
      }
      std::string error;
      if (!Prepare(target, &error)) {
        target = ExceptionTarget(t, host);
        why = Wake::kThrow;
        exception = v8::Exception::Error(Str(isolate, error));
      }
      if (why == Wake::kThrow) target->pending_exception.Reset(isolate, exception);
      Commit(t, host, target, why, From::kFinished);
      next = target->parker();

      host->state = HostState::kFinished;
      host->MakeWrapperWeak();
      Host::Assign(&host->resumer, nullptr);
      Host::Assign(&host->kill_requester, nullptr);
      host->set_thread(nullptr);
      host->Unref();  // the thread's reference; may free the host
    }
    isolate->Exit();
  }  // ~Locker: V8 frees this thread's state and unlocks the isolate
  // Back in the pool before waking the next host, so it can reuse this thread.
  bool keep = ThreadPool::Get().Release(thread);
  next->Unpark();
  return keep;
}

}  // namespace fiberlet
