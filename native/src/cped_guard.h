// Keeps V8 from moving the async context frame twice in one scavenge.
//
// V8 12 and later keep the continuation-preserved embedder data (CPED: the
// AsyncLocalStorage context of Node >= 24) in one slot of the isolate, but
// visit that slot as part of each *thread's* roots: once for the running
// thread and once more for every thread archived by a v8::Unlocker, which is
// every parked host. In a scavenge the first visit copies a young frame and
// repoints the slot; the next visit copies the copy, and everything already
// repointed to the first copy is left pointing at a forwarding word. The
// process then dies in a GC task ("unreachable code") or segfaults.
// Measured on Node 24: with ALS used and stackful fibers parked, most runs
// of 20,000 fiber switches crashed; with this guard, none did.
//
// The guard empties the slot for the length of every scavenge: a prologue
// callback moves the frame into a global handle (a root V8 visits exactly
// once and updates), and the epilogue puts it back. No JavaScript runs in
// between, so nothing can observe the empty slot.
#pragma once

#include <v8.h>

namespace fiberlet {

class CpedGuard {
 public:
  // Installs the guard on `isolate` where V8 keeps CPED on the isolate
  // (V8 11, with CPED on the context, does not need it).
  explicit CpedGuard(v8::Isolate* isolate);
  ~CpedGuard();
  CpedGuard(const CpedGuard&) = delete;
  CpedGuard& operator=(const CpedGuard&) = delete;

 private:
  static void BeforeGc(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                       void* data);
  static void AfterGc(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                      void* data);

  v8::Isolate* const isolate_;
  v8::Global<v8::Value> frame_;  // held for the length of a scavenge
};

}  // namespace fiberlet
