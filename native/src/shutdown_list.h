// V8 12's list of objects to destroy before a sudden shutdown (Node 22).
//
// V8 12.4 registers each JSON.stringify serializer, a C++ object on the
// stack of the thread running it, in a std::vector member of the Isolate
// ("to_destroy_before_sudden_shutdown_"), and its destructor CHECKs that it
// is the last entry. Two hosts suspended inside JSON.stringify (a toJSON,
// getter, replacer or Proxy trap switched) and resumed in creation order
// abort the process. V8 11, 13 and 14 have no such list.
//
// The list is not exposed, so the watch finds it by looking, once per
// isolate: while two nested JSON.stringify calls run, the one vector in the
// Isolate object that holds exactly two pointers into this thread's stack,
// then one (the outer serializer) after the inner call returned, then none,
// is it. Only memory the process has mapped readable is read (checked
// against /proc/self/maps), nothing is written, and without exactly one
// match the watch stays off (Depth() is 0).
#pragma once

#include <v8-version.h>
#include <v8.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

#include "v8_compat.h"

namespace fiberlet {

class ShutdownListWatch {
 public:
  void Learn(v8::Isolate* isolate, v8::Local<v8::Context> context);
  // Entries in the list (0 when unknown).
  size_t Depth(v8::Isolate* isolate) const {
    if (offset_ < 0) return 0;
    const uintptr_t* vector =
        reinterpret_cast<const uintptr_t*>(reinterpret_cast<uintptr_t>(isolate) + offset_);
    return (vector[1] - vector[0]) / sizeof(void*);
  }

 private:
  struct Candidate {
    long offset;
    uintptr_t outer;  // the outer serializer
  };
  static void Probe(const v8::FunctionCallbackInfo<v8::Value>& info);
  void Scan(v8::Isolate* isolate, int depth);

  long offset_ = -1;  // of the vector's {begin, end, capacity} in the Isolate
  std::vector<Candidate> candidates_;
  std::vector<std::pair<uintptr_t, uintptr_t>> readable_;
};

namespace shutdown_list_detail {

// Readable address ranges of the process.
inline std::vector<std::pair<uintptr_t, uintptr_t>> ReadableRanges() {
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges;
  FILE* maps = std::fopen("/proc/self/maps", "r");
  if (maps == nullptr) return ranges;
  char line[512];
  while (std::fgets(line, sizeof(line), maps) != nullptr) {
    unsigned long low = 0, high = 0;
    char perms[5] = {0};
    if (std::sscanf(line, "%lx-%lx %4s", &low, &high, perms) == 3 && perms[0] == 'r') {
      ranges.emplace_back(low, high);
    }
  }
  std::fclose(maps);
  return ranges;
}

inline bool Readable(const std::vector<std::pair<uintptr_t, uintptr_t>>& ranges, uintptr_t at,
                     size_t size) {
  for (const auto& r : ranges) {
    if (at >= r.first && at + size <= r.second) return true;
  }
  return false;
}

inline uintptr_t RangeEnd(const std::vector<std::pair<uintptr_t, uintptr_t>>& ranges,
                          uintptr_t at) {
  for (const auto& r : ranges) {
    if (at >= r.first && at < r.second) return r.second;
  }
  return at;
}

}  // namespace shutdown_list_detail

inline void ShutdownListWatch::Scan(v8::Isolate* isolate, int depth) {
  using namespace shutdown_list_detail;
  constexpr size_t kWord = sizeof(uintptr_t);
  const uintptr_t base = reinterpret_cast<uintptr_t>(isolate);
  const uintptr_t here = reinterpret_cast<uintptr_t>(&depth);  // this thread's stack
  auto on_stack = [here](uintptr_t p) { return p > here && p < here + (1u << 20); };
  if (depth == 2) {
    readable_ = ReadableRanges();
    const uintptr_t end = std::min<uintptr_t>(RangeEnd(readable_, base), base + (256u << 10));
    for (uintptr_t at = base; at + 3 * kWord <= end; at += kWord) {
      const uintptr_t* v = reinterpret_cast<const uintptr_t*>(at);
      if (v[0] == 0 || v[0] % kWord != 0 || v[1] - v[0] != 2 * kWord || v[2] < v[1] ||
          v[2] - v[0] > 4096 || !Readable(readable_, v[0], 2 * kWord)) {
        continue;
      }
      const uintptr_t* items = reinterpret_cast<const uintptr_t*>(v[0]);
      if (on_stack(items[0]) && on_stack(items[1]) && items[1] < items[0]) {
        candidates_.push_back({static_cast<long>(at - base), items[0]});
      }
    }
    return;
  }
  std::vector<Candidate> kept;
  for (const Candidate& c : candidates_) {
    const uintptr_t* v = reinterpret_cast<const uintptr_t*>(base + c.offset);
    const size_t size = (v[1] - v[0]) / kWord;
    if (size != static_cast<size_t>(depth)) continue;
    if (depth == 1 && (!Readable(readable_, v[0], kWord) ||
                       *reinterpret_cast<const uintptr_t*>(v[0]) != c.outer)) {
      continue;
    }
    kept.push_back(c);
  }
  candidates_ = std::move(kept);
}

inline void ShutdownListWatch::Probe(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* self = static_cast<ShutdownListWatch*>(compat::ExternalValue(info.Data().As<v8::External>()));
  int depth = info[0]->Int32Value(info.GetIsolate()->GetCurrentContext()).FromMaybe(-1);
  if (depth >= 0 && depth <= 2) self->Scan(info.GetIsolate(), depth);
}

inline void ShutdownListWatch::Learn(v8::Isolate* isolate, v8::Local<v8::Context> context) {
#if V8_MAJOR_VERSION == 12 && defined(__linux__)
  v8::HandleScope scope(isolate);
  v8::TryCatch try_catch(isolate);
  v8::Local<v8::String> source = v8::String::NewFromUtf8Literal(
      isolate,
      "(function (probe) {\n"
      "  JSON.stringify({ toJSON() {\n"
      "    JSON.stringify({ toJSON() { probe(2); return 0; } });\n"
      "    probe(1);\n"
      "    return 0;\n"
      "  } });\n"
      "  probe(0);\n"
      "})");
  v8::Local<v8::Script> script;
  v8::Local<v8::Value> fn;
  v8::Local<v8::Function> probe;
  if (v8::Script::Compile(context, source).ToLocal(&script) && script->Run(context).ToLocal(&fn) &&
      v8::Function::New(context, &ShutdownListWatch::Probe, compat::NewExternal(isolate, this))
          .ToLocal(&probe)) {
    v8::Local<v8::Value> argv[] = {probe};
    if (!fn.As<v8::Function>()->Call(context, v8::Undefined(isolate), 1, argv).IsEmpty() &&
        candidates_.size() == 1) {
      offset_ = candidates_[0].offset;
    }
  }
  candidates_.clear();
  readable_.clear();
#else
  (void)isolate;
  (void)context;
#endif
}

}  // namespace fiberlet
