// Terminations that must not stay behind on a parked host.
//
// V8 keeps requested interrupts (TerminateExecution among them) in the
// StackGuard's per-thread state, which a v8::Unlocker archives with the
// thread and the next v8::Locker restores. A termination requested from
// another thread (worker.terminate(), process.exit() in a Worker) lands in
// whichever host's state is live at that moment: if that host parks before
// servicing it, the request is archived with it, and the JS thread runs on
// without ever being terminated (a Worker creating and dropping fibers in a
// synchronous loop never finished terminating). Reclaiming such a host
// unwinds it with a termination of its own and used to cancel the two
// together.
//
// The watch reads the live StackGuard's interrupt flags (found once per JS
// thread: the word of the StackGuard that a RequestInterrupt() changes by
// one bit) so that a host about to take the isolate, and a host being
// reclaimed, can see a termination left in the state of the host before it
// and ask for it again in their own (JsThread::forward_termination).
#pragma once

#include <v8.h>

#include <cstdint>

namespace fiberlet {

class TerminationWatch {
 public:
  // Finds the flags word (on the JS thread, when the addon loads there).
  void Learn(v8::Isolate* isolate) {
    if (isolate->IsExecutionTerminating()) return;
    uint32_t before[kWords], after[kWords];
    Snapshot(isolate, before);
    isolate->RequestInterrupt([](v8::Isolate*, void*) {}, nullptr);
    Snapshot(isolate, after);
    int found = -1;
    for (int i = 0; i < kWords; i++) {
      const uint32_t diff = before[i] ^ after[i];
      // One new bit in a word that held only a few flag bits.
      if (diff != 0 && (diff & (diff - 1)) == 0 && (after[i] & diff) && after[i] < 0x10000) {
        if (found >= 0) return;  // ambiguous: stay off
        found = i;
      }
    }
    flags_index_ = found;
  }

  // Is a termination requested in the StackGuard state that is live now?
  bool Requested(v8::Isolate* isolate) const {
    if (flags_index_ < 0) return false;
    return (Words(isolate)[flags_index_] & kTerminateExecution) != 0;
  }

 private:
  // The StackGuard, as 32-bit words (the flags are an int).
  static constexpr int kWords =
      v8::internal::Internals::kStackGuardSize / static_cast<int>(sizeof(uint32_t));
  // TERMINATE_EXECUTION is the first interrupt of V8's INTERRUPT_LIST (bit 0)
  // in V8 11 to 14 (checked on Node 20, 22, 24 and 26: TerminateExecution()
  // sets exactly this bit of the word found by Learn()).
  static constexpr uint32_t kTerminateExecution = 1;

  static const volatile uint32_t* Words(v8::Isolate* isolate) {
    return reinterpret_cast<const volatile uint32_t*>(
        reinterpret_cast<uintptr_t>(isolate) + v8::internal::Internals::kIsolateStackGuardOffset);
  }
  static void Snapshot(v8::Isolate* isolate, uint32_t* out) {
    const volatile uint32_t* words = Words(isolate);
    for (int i = 0; i < kWords; i++) out[i] = words[i];
  }

  int flags_index_ = -1;
};

}  // namespace fiberlet
