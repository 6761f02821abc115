// JavaScript stack limits of hosts.
//
// Each fiber thread gives V8 its own limit (Isolate::SetStackLimit), or deep
// recursion in a small stack would be a segfault rather than a RangeError.
// On V8 14 (Node 26) that call also leaves isolate-wide state behind that the
// Unlocker does not archive: once a fiber has set its limit, a stack overflow
// on the JS thread's own stack aborts ("Check failed: IsOnCentralStack()" in
// Isolate::Throw) instead of throwing RangeError. Setting the JS thread's own
// limit again whenever its stack resumes puts that state back (measured: the
// abort is gone and the depth of the RangeError is unchanged). V8 has no
// getter for a thread's limit, so the JS thread's is read once from the
// isolate's StackGuard (a public offset): the word in it that lies between
// the thread's lowest stack address and the current stack position.
#pragma once

#include <pthread.h>
#include <v8-version.h>
#include <v8.h>

#include <cstdint>

namespace fiberlet {

// Does V8 need every host's limit set again when the host resumes?
constexpr bool kReapplyStackLimits = V8_MAJOR_VERSION >= 14;

// V8's JavaScript stack limit for the calling thread, or 0 if it cannot be
// told.
inline uintptr_t CurrentStackLimit(v8::Isolate* isolate) {
  uintptr_t low = 0;
#if defined(__linux__)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
  void* addr = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &addr, &size);
  pthread_attr_destroy(&attr);
  low = reinterpret_cast<uintptr_t>(addr);
#else
  return 0;
#endif
  using I = v8::internal::Internals;
  const uintptr_t here = reinterpret_cast<uintptr_t>(&low);
  const auto* guard = reinterpret_cast<const uintptr_t*>(reinterpret_cast<uintptr_t>(isolate) +
                                                         I::kIsolateStackGuardOffset);
  uintptr_t found = 0;
  for (size_t i = 0; i < I::kStackGuardSize / sizeof(uintptr_t); i++) {
    const uintptr_t word = guard[i];
    if (word <= low || word >= here) continue;
    if (found != 0 && found != word) return 0;  // two candidates: cannot tell
    found = word;
  }
  return found;
}

}  // namespace fiberlet
