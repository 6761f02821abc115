// V8 state that assumes JavaScript calls nest.
//
// V8 keeps a few pieces of per-isolate state for builtins in progress, on
// the assumption that the builtin that started last finishes first. Hosts
// break that assumption: a host suspended inside such a builtin finishes it
// whenever it is resumed, in any order relative to other hosts.
//
// - Array.prototype.join, toString and toLocaleString (arrays and typed
//   arrays) record their receiver in the native context's "join stack",
//   a FixedArray, for cycle detection. A host suspended inside a join leaves
//   its receiver there: another host's join of the same array returns ""
//   (taken for a cycle), and when the first entry is popped out of order V8
//   replaces the whole array, so the other suspended joins later fail to
//   find their receiver and V8 stops the process (SIGTRAP in JoinStackPop).
// - JSON.stringify (V8 12, Node 22) registers its C++ serializer in a list
//   that must shrink in LIFO order: two hosts suspended inside it, resumed
//   out of order, abort V8 (to_destroy_before_sudden_shutdown_; see
//   shutdown_list.h).
// - Error.prepareStackTrace runs with one isolate-wide "formatting" flag set:
//   while a host is suspended inside it, every other host gets V8's default
//   stack format.
//
// None of this can be saved and restored per host through V8's API (the
// join stack is not exposed, and writing V8's heap from outside needs its
// write barrier), so a host may not suspend inside these builtins: the
// scheduler asks Hazard() before every switch that would leave a host and
// raises a FiberError there instead. Everything else V8 keeps per thread
// (JS frames, handles, try/catch, stack limit, pending exception) is
// archived by the Unlocker with the host's stack.
#pragma once

#include <v8.h>

#include <cstdint>

#include "shutdown_list.h"
#include "v8_compat.h"

namespace fiberlet {

class NestingGuard {
 public:
  // Finds the join stack of `context` (run once per JS thread, when the
  // addon loads there, on the JS thread's own stack).
  void Learn(v8::Isolate* isolate, v8::Local<v8::Context> context);

  // The running host starts (or resumes) running: joins already in progress
  // belong to other hosts.
  void OnWake(v8::Isolate* isolate) {
    baseline_ = JoinDepth(isolate);
    serializers_baseline_ = serializers_.Depth(isolate);
  }

  // What the running host is inside of that forbids suspending it, or
  // nullptr.
  const char* Hazard(v8::Isolate* isolate) const;

 private:
  using Address = v8::internal::Address;
  static void Probe(const v8::FunctionCallbackInfo<v8::Value>& info);
  // Receivers in the current native context's join stack (0 when unknown).
  int JoinDepth(v8::Isolate* isolate) const;

  int join_offset_ = -1;  // byte offset of the join stack in a native context
  Address array_map_ = 0;  // the join stack's map (FixedArray)
  Address hole_ = 0;       // an empty entry of the join stack
  int baseline_ = 0;
  ShutdownListWatch serializers_;  // JSON.stringify on V8 12
  size_t serializers_baseline_ = 0;
};

// ---- implementation ---------------------------------------------------------
//
// The join stack is found by looking: while two nested joins run, the slot
// of the native context that holds a FixedArray of exactly those two
// receivers is it. Reading (never writing) the heap this way is safe while
// no allocation happens; official Node builds do not compress pointers, and
// without a match the guard stays off (JoinDepth() is 0).

namespace nesting_detail {
using Address = v8::internal::Address;
using I = v8::internal::Internals;
constexpr int kTagged = v8::internal::kApiTaggedSize;
constexpr int kContextHeader = 2 * kTagged;  // map, length
constexpr int kArrayHeader = I::kFixedArrayHeaderSize;

template <typename T>
inline Address AddressOf(v8::Local<T> value) {
  return v8::internal::ValueHelper::ValueAsAddress(*value);
}
inline Address Field(Address object, int offset) {
  return I::ReadTaggedPointerField(object, offset);
}
inline bool IsSmi(Address value) { return !I::HasHeapObjectTag(value); }
}  // namespace nesting_detail

inline void NestingGuard::Probe(const v8::FunctionCallbackInfo<v8::Value>& info) {
  using namespace nesting_detail;
  auto* self = static_cast<NestingGuard*>(compat::ExternalValue(info.Data().As<v8::External>()));
  v8::Isolate* isolate = info.GetIsolate();
  Address context = AddressOf(isolate->GetCurrentContext());
  Address outer = AddressOf(info[0]);
  Address inner = AddressOf(info[1]);
  Address length = Field(context, kTagged);
  if (!IsSmi(length)) return;
  const int slots = I::SmiValue(length);
  for (int i = 0; i < slots; i++) {
    const int offset = kContextHeader + i * kTagged;
    Address value = Field(context, offset);
    if (IsSmi(value)) continue;
    Address size = Field(value, kTagged);
    if (!IsSmi(size) || I::SmiValue(size) < 2 || I::SmiValue(size) > 64) continue;
    if (Field(value, kArrayHeader) == outer && Field(value, kArrayHeader + kTagged) == inner) {
      self->join_offset_ = offset;
      self->array_map_ = Field(value, 0);
      return;
    }
  }
}

inline void NestingGuard::Learn(v8::Isolate* isolate, v8::Local<v8::Context> context) {
  serializers_.Learn(isolate, context);
#if defined(V8_COMPRESS_POINTERS)
  (void)isolate;
  (void)context;
#else
  using namespace nesting_detail;
  v8::HandleScope scope(isolate);
  v8::TryCatch try_catch(isolate);
  v8::Local<v8::String> source = v8::String::NewFromUtf8Literal(
      isolate,
      "(function (probe) {\n"
      "  const outer = [0], inner = [0];\n"
      "  outer[0] = { toString() { inner.join(); return ''; } };\n"
      "  inner[0] = { toString() { probe(outer, inner); return ''; } };\n"
      "  outer.join();\n"
      "})");
  v8::Local<v8::Script> script;
  v8::Local<v8::Value> fn;
  v8::Local<v8::Function> probe;
  if (!v8::Script::Compile(context, source).ToLocal(&script) ||
      !script->Run(context).ToLocal(&fn) ||
      !v8::Function::New(context, &NestingGuard::Probe, compat::NewExternal(isolate, this))
           .ToLocal(&probe)) {
    return;
  }
  v8::Local<v8::Value> argv[] = {probe};
  if (fn.As<v8::Function>()->Call(context, v8::Undefined(isolate), 1, argv).IsEmpty() ||
      join_offset_ < 0) {
    join_offset_ = -1;
    return;
  }
  // Both joins have returned: the stack's entries are holes now.
  Address stack = Field(AddressOf(context), join_offset_);
  if (IsSmi(stack) || Field(stack, 0) != array_map_ ||
      Field(stack, kArrayHeader) != Field(stack, kArrayHeader + kTagged)) {
    join_offset_ = -1;
    return;
  }
  hole_ = Field(stack, kArrayHeader);
#endif
}

inline int NestingGuard::JoinDepth(v8::Isolate* isolate) const {
  using namespace nesting_detail;
  if (join_offset_ < 0) return 0;
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  if (context.IsEmpty()) return 0;
  Address stack = Field(AddressOf(context), join_offset_);
  if (IsSmi(stack) || Field(stack, 0) != array_map_) return 0;  // no join yet
  const int size = I::SmiValue(Field(stack, kTagged));
  int depth = 0;
  for (int i = 0; i < size; i++) {
    if (Field(stack, kArrayHeader + i * kTagged) != hole_) depth++;
  }
  return depth;
}

inline const char* NestingGuard::Hazard(v8::Isolate* isolate) const {
  if (JoinDepth(isolate) > baseline_) return "Array.prototype.join";
  if (serializers_.Depth(isolate) > serializers_baseline_) return "JSON.stringify";
  return nullptr;
}

}  // namespace fiberlet
