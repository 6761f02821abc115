// The JavaScript face of the addon: spawn, self, running, handoff, and the
// async-context accessors. Argument checking lives here; what a switch does
// lives in switch.cc. The functions are plain V8 callbacks. The addon is
// built against V8's and Node's C++ ABI (not Node-API), so it registers the
// way such addons must: NODE_MODULE_INIT, whose entry point's name carries
// NODE_MODULE_VERSION (Node refuses a binary built for another ABI); the
// loader checks the stamp in build_stamp.cc before it even opens the file.
#include <node.h>
#include <unistd.h>
#include <v8.h>

#include <mutex>

#include "host.h"
#include "thread_pool.h"
#include "v8_compat.h"

namespace fiberlet {
namespace {

constexpr double kMinStackSize = 128 * 1024;
constexpr double kMaxStackSize = 1024.0 * 1024 * 1024;

using Args = v8::FunctionCallbackInfo<v8::Value>;

JsThread* ThreadOf(const Args& args) {
  return static_cast<JsThread*>(compat::ExternalValue(args.Data().As<v8::External>()));
}

v8::Local<v8::String> Str(v8::Isolate* isolate, const char* s) {
  return v8::String::NewFromUtf8(isolate, s).ToLocalChecked();
}

enum class ErrorType { kError, kTypeError, kRangeError };

void Throw(v8::Isolate* isolate, ErrorType type, const char* message) {
  v8::Local<v8::String> text = Str(isolate, message);
  switch (type) {
    case ErrorType::kError:
      isolate->ThrowException(v8::Exception::Error(text));
      return;
    case ErrorType::kTypeError:
      isolate->ThrowException(v8::Exception::TypeError(text));
      return;
    case ErrorType::kRangeError:
      isolate->ThrowException(v8::Exception::RangeError(text));
      return;
  }
}

// spawn(entry: () => Host, stackSize: number): Host
void Spawn(const Args& args) {
  JsThread* t = ThreadOf(args);
  v8::Isolate* isolate = t->isolate;
  if (!args[0]->IsFunction()) {
    return Throw(isolate, ErrorType::kTypeError,
                 "fiberlet: spawn(entry, stackSize): entry must be a function");
  }
  if (!args[1]->IsNumber()) {
    return Throw(isolate, ErrorType::kTypeError,
                 "fiberlet: spawn(entry, stackSize): stackSize must be a number of bytes");
  }
  double size = args[1].As<v8::Number>()->Value();
  if (!(size >= kMinStackSize && size <= kMaxStackSize)) {
    return Throw(isolate, ErrorType::kRangeError,
                 "fiberlet: spawn(entry, stackSize): stackSize must be between 131072 (128 KiB) "
                 "and 1073741824 (1 GiB)");
  }
  if (t->tearing_down) return;
  t->ReclaimCollected();
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t stack = (static_cast<size_t>(size) + page - 1) / page * page;
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  Host* host = Host::NewFiber(t, context, stack);
  args.GetReturnValue().Set(t->NewWrapper(context, host, args[0]));
}

// self(): Host
void Self(const Args& args) {
  JsThread* t = ThreadOf(args);
  args.GetReturnValue().Set(t->root->wrapper.Get(t->isolate));
}

// running(): Host
void Running(const Args& args) {
  JsThread* t = ThreadOf(args);
  args.GetReturnValue().Set(t->running->wrapper.Get(t->isolate));
}

// handoff(to: Host): void
void Handoff(const Args& args) {
  JsThread* t = ThreadOf(args);
  v8::Isolate* isolate = t->isolate;
  // While the environment is torn down, or a termination is unwinding the
  // running host, control stays where it is.
  if (t->tearing_down || isolate->IsExecutionTerminating()) return;
  Host* to = t->Unwrap(args[0]);
  if (to == nullptr) {
    return Throw(isolate, ErrorType::kTypeError,
                 "fiberlet: handoff(to): `to` is not a Host of this JS thread");
  }
  if (to == t->running) {
    return Throw(isolate, ErrorType::kError,
                 "fiberlet: handoff(to): `to` is the running host");
  }
  if (to->state == HostState::kFinished) {
    return Throw(isolate, ErrorType::kError, "fiberlet: handoff(to): `to` has finished");
  }
  t->ReclaimCollected();
  SwitchTo(t, to);
}

// suspendHazard(): string | undefined. The builtin the running host is
// inside of that it must not be suspended in (nesting.h); the scheduler
// asks before every switch that leaves a host.
void SuspendHazard(const Args& args) {
  JsThread* t = ThreadOf(args);
  const char* hazard = t->nesting.Hazard(t->isolate);
  if (hazard != nullptr) args.GetReturnValue().Set(Str(t->isolate, hazard));
}

// getAsyncContextFrame(): unknown
void GetAsyncContextFrame(const Args& args) {
  v8::Isolate* isolate = args.GetIsolate();
  args.GetReturnValue().Set(
      compat::GetAsyncContextFrame(isolate, isolate->GetCurrentContext()));
}

// setAsyncContextFrame(frame: unknown): void
void SetAsyncContextFrame(const Args& args) {
  v8::Isolate* isolate = args.GetIsolate();
  compat::SetAsyncContextFrame(isolate, isolate->GetCurrentContext(), args[0]);
}

// stats(): counters for tests and benchmarks.
void Stats(const Args& args) {
  JsThread* t = ThreadOf(args);
  v8::Isolate* isolate = t->isolate;
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  ThreadPool::Stats pool = ThreadPool::Get().stats();
  v8::Local<v8::Object> out = v8::Object::New(isolate);
  auto set = [&](const char* key, double value) {
    out->Set(context, Str(isolate, key), v8::Number::New(isolate, value)).Check();
  };
  set("hosts", static_cast<double>(t->live_hosts));
  set("suspended", static_cast<double>(t->suspended_hosts));
  set("reclaimed", static_cast<double>(t->reclaimed_hosts));
  set("threads", static_cast<double>(pool.threads));
  set("idleThreads", static_cast<double>(pool.idle));
  set("spinBudgetNs", static_cast<double>(t->parker.spin_budget_ns()));
  const Parker::Counters& c = t->parker.counters();
  set("parks", static_cast<double>(c.parks));
  set("spins", static_cast<double>(c.spins));
  set("spinsCaught", static_cast<double>(c.caught));
  set("spinsPreempted", static_cast<double>(c.preempted));
  args.GetReturnValue().Set(out);
}

void Init(v8::Local<v8::Object> target, v8::Local<v8::Context> context) {
  // V8 aborts ("archived threads in combination with wasm not supported")
  // if wasm code GC runs while a host is parked; undici's fetch() uses wasm.
  // Cost: unused wasm code is never freed. Not settable from NODE_OPTIONS.
  static std::once_flag flags_once;
  std::call_once(flags_once, [] { v8::V8::SetFlagsFromString("--no-wasm-code-gc"); });

  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  JsThread* t = JsThread::ForIsolate(isolate, context, node::GetCurrentEventLoop(isolate));
  node::AddEnvironmentCleanupHook(
      isolate, [](void* arg) { static_cast<JsThread*>(arg)->Release(); }, t);

  v8::Local<v8::External> data = compat::NewExternal(isolate, t);
  auto method = [&](const char* name, v8::FunctionCallback callback, int length) {
    v8::Local<v8::Function> fn =
        v8::Function::New(context, callback, data, length, v8::ConstructorBehavior::kThrow)
            .ToLocalChecked();
    fn->SetName(Str(isolate, name));
    target->Set(context, Str(isolate, name), fn).Check();
  };
  method("spawn", Spawn, 2);
  method("self", Self, 0);
  method("running", Running, 0);
  method("handoff", Handoff, 1);
  method("getAsyncContextFrame", GetAsyncContextFrame, 0);
  method("setAsyncContextFrame", SetAsyncContextFrame, 1);
  method("stats", Stats, 0);
  method("suspendHazard", SuspendHazard, 0);
}

}  // namespace
}  // namespace fiberlet

// Context-aware, so Workers can load it too (one JsThread per isolate).
NODE_MODULE_INIT() { fiberlet::Init(exports, context); }
