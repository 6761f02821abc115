// Hosts and the JS thread that owns them: creation, lifetime, reclamation of
// collected hosts and environment teardown.
#include <mutex>
#include <unordered_map>

#include "host.h"
#include "thread_pool.h"
#include "v8_compat.h"

namespace fiberlet {
namespace {

// Internal fields of a Host object.
constexpr int kHostField = 0;   // Host*
constexpr int kEntryField = 1;  // the entry function, until the host starts

// Isolate -> JsThread for every live environment that loaded the addon. Its
// mutex also keeps an isolate from being disposed while a pool thread
// discards its V8 metadata for it (teardown unregisters under the mutex
// before the isolate goes away).
std::mutex& RegistryMutex() {
  static auto* mutex = new std::mutex();
  return *mutex;
}
std::unordered_map<v8::Isolate*, JsThread*>& Registry() {
  static auto* map = new std::unordered_map<v8::Isolate*, JsThread*>();
  return *map;
}

}  // namespace

// ---- Host ------------------------------------------------------------------

Host::Host(JsThread* owner, size_t stack_size) : owner(owner), stack_size_(stack_size) {
  owner->Link(this);
}

Host::~Host() {
  owner->Unlink(this);
  wrapper.Reset();
  context.Reset();
  pending_exception.Reset();
  Assign(&resumer, nullptr);
  Assign(&kill_requester, nullptr);
}

Host* Host::NewRoot(JsThread* owner) {
  Host* host = new Host(owner, 0);
  host->state = HostState::kRunning;
  host->Ref();  // owned by the JsThread
  return host;
}

Host* Host::NewFiber(JsThread* owner, v8::Local<v8::Context> context, size_t stack_size) {
  Host* host = new Host(owner, stack_size);
  host->context.Reset(owner->isolate, context);
  return host;
}

void Host::Unref() {
  if (--refs_ == 0) delete this;
}

void Host::Assign(Host** slot, Host* host) {
  if (*slot == host) return;
  if (host != nullptr) host->Ref();
  Host* old = *slot;
  *slot = host;
  if (old != nullptr) old->Unref();
}

Parker* Host::parker() const { return is_root() ? &owner->parker : &thread_->parker; }

void Host::MakeWrapperStrong() {
  if (!wrapper.IsEmpty()) wrapper.ClearWeak();
}

void Host::MakeWrapperWeak() {
  if (is_root() || wrapper.IsEmpty()) return;
  wrapper.SetWeak(this, &Host::OnWrapperCollected, v8::WeakCallbackType::kParameter);
}

// Inside GC: V8 allows nothing but resetting the handle here, so the real
// work waits for a safe point (JsThread::ReclaimCollected).
void Host::OnWrapperCollected(const v8::WeakCallbackInfo<Host>& info) {
  Host* host = info.GetParameter();
  host->wrapper.Reset();
  host->collected = true;
  host->owner->OnCollected(host);
}

// ---- JsThread --------------------------------------------------------------

namespace {

// A termination thrown while the addon set itself up becomes a pending
// request again, for the JavaScript that loaded the addon.
void DeferTermination(v8::Isolate* isolate) {
  if (!isolate->IsExecutionTerminating()) return;
  isolate->CancelTerminateExecution();
  isolate->TerminateExecution();
}

}  // namespace

JsThread* JsThread::ForIsolate(v8::Isolate* isolate, v8::Local<v8::Context> context,
                               uv_loop_t* loop) {
  JsThread* thread;
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    auto it = Registry().find(isolate);
    thread = it != Registry().end() ? it->second : nullptr;
  }
  if (thread == nullptr) {
    thread = new JsThread(isolate, context, loop);
    std::lock_guard<std::mutex> lock(RegistryMutex());
    Registry()[isolate] = thread;
  }
  thread->loads_++;
  return thread;
}

JsThread::JsThread(v8::Isolate* isolate, v8::Local<v8::Context> context, uv_loop_t* loop)
    : isolate(isolate), cped_guard_(isolate) {
  v8::HandleScope scope(isolate);
  v8::Local<v8::FunctionTemplate> cls = v8::FunctionTemplate::New(isolate);
  cls->SetClassName(v8::String::NewFromUtf8Literal(isolate, "Host"));
  cls->InstanceTemplate()->SetInternalFieldCount(2);
  host_class.Reset(isolate, cls);

  root = Host::NewRoot(this);
  running = root;
  NewWrapper(context, root, v8::Undefined(isolate));

  // What follows runs JavaScript. A Worker terminated while it loads the
  // addon gets its termination thrown here; it is turned back into a request
  // (DeferTermination), so it fires in the Worker's own code once the addon
  // has loaded, and without `halt` a termination raised later fires at the
  // host's next call instead.
  terminations.Learn(isolate);
  v8::Local<v8::String> source =
      v8::String::NewFromUtf8Literal(isolate, "(function fiberletHalt() { for (;;) {} })");
  v8::Local<v8::Script> script;
  v8::Local<v8::Value> fn;
  {
    v8::TryCatch try_catch(isolate);
    if (v8::Script::Compile(context, source).ToLocal(&script) &&
        script->Run(context).ToLocal(&fn)) {
      halt.Reset(isolate, fn.As<v8::Function>());
    }
  }
  DeferTermination(isolate);
  nesting.Learn(isolate, context);
  DeferTermination(isolate);

  if (loop != nullptr) {
    reclaim_signal_ = new uv_async_t;
    uv_async_init(loop, reclaim_signal_, &JsThread::OnReclaimSignal);
    reclaim_signal_->data = this;
    // Never keeps the process alive on its own.
    uv_unref(reinterpret_cast<uv_handle_t*>(reclaim_signal_));
  }
}

JsThread::~JsThread() = default;

void JsThread::Link(Host* host) {
  host->next = hosts_;
  if (hosts_ != nullptr) hosts_->prev = host;
  hosts_ = host;
  live_hosts++;
}

void JsThread::Unlink(Host* host) {
  if (host->prev != nullptr) host->prev->next = host->next;
  if (host->next != nullptr) host->next->prev = host->prev;
  if (hosts_ == host) hosts_ = host->next;
  host->prev = host->next = nullptr;
  live_hosts--;
}

v8::Local<v8::Object> JsThread::NewWrapper(v8::Local<v8::Context> context, Host* host,
                                           v8::Local<v8::Value> entry) {
  v8::Local<v8::Object> object =
      host_class.Get(isolate)->InstanceTemplate()->NewInstance(context).ToLocalChecked();
  compat::SetPointer(object, kHostField, host);
  // The entry lives on the wrapper, not in a C++ handle, so a closure that
  // references its own Host does not keep a never-started host alive.
  object->SetInternalField(kEntryField, entry);
  host->wrapper.Reset(isolate, object);
  host->Ref();  // dropped when the wrapper is collected
  host->wrapper_ref = true;
  host->MakeWrapperWeak();
  return object;
}

Host* JsThread::Unwrap(v8::Local<v8::Value> value) {
  if (!value->IsObject()) return nullptr;
  v8::Local<v8::Object> object = value.As<v8::Object>();
  if (!host_class.Get(isolate)->HasInstance(object)) return nullptr;
  return static_cast<Host*>(compat::GetPointer(object, kHostField));
}

v8::Local<v8::Function> JsThread::TakeEntry(Host* host) {
  // The fiber's outermost handle scope lives as long as the fiber: the
  // wrapper handle must not land in it, or the host could never be collected.
  v8::EscapableHandleScope scope(isolate);
  v8::Local<v8::Object> object = host->wrapper.Get(isolate);
  v8::Local<v8::Value> entry = object->GetInternalField(kEntryField).As<v8::Value>();
  object->SetInternalField(kEntryField, v8::Undefined(isolate));
  return scope.Escape(entry.As<v8::Function>());
}

void JsThread::OnCollected(Host* host) {
  collected_.push_back(host);
  if (reclaim_signal_ != nullptr && !reclaim_signalled_) {
    reclaim_signalled_ = true;
    uv_async_send(reclaim_signal_);
  }
}

void JsThread::OnReclaimSignal(uv_async_t* handle) {
  auto* self = static_cast<JsThread*>(handle->data);
  self->reclaim_signalled_ = false;
  v8::HandleScope scope(self->isolate);
  self->ReclaimCollected();
}

void JsThread::ReclaimCollected() {
  while (!collected_.empty()) {
    Host* host = collected_.back();
    collected_.pop_back();
    if (host->state == HostState::kSuspended) Kill(this, host);
    host->context.Reset();
    if (host->state == HostState::kNew) host->state = HostState::kFinished;
    reclaimed_hosts++;
    host->wrapper_ref = false;
    host->Unref();  // the wrapper's reference
  }
}

void JsThread::Release() {
  if (--loads_ > 0) return;
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    Registry().erase(isolate);
  }
  Teardown();
}

// The environment is going away (Worker exit or terminate, end of the main
// thread); JavaScript can no longer be entered. Unwind every suspended fiber
// so its thread returns to the pool, then free all hosts. process.exit()
// does not come here: it exits with the fibers still parked.
void JsThread::Teardown() {
  tearing_down = true;
  if (reclaim_signal_ != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(reclaim_signal_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); });
    reclaim_signal_ = nullptr;
  }
  v8::HandleScope scope(isolate);
  if (running == root) {
    for (;;) {
      Host* victim = nullptr;
      for (Host* h = hosts_; h != nullptr; h = h->next) {
        if (h->state == HostState::kSuspended) {
          victim = h;
          break;
        }
      }
      if (victim == nullptr) break;
      victim->Ref();
      Kill(this, victim);
      victim->Unref();
    }
  }
  // Break references between hosts, then drop the wrappers' references.
  std::vector<Host*> wrapped;
  for (Host* h = hosts_; h != nullptr; h = h->next) {
    Host::Assign(&h->resumer, nullptr);
    Host::Assign(&h->kill_requester, nullptr);
    h->context.Reset();
    h->pending_exception.Reset();
    if (h->wrapper_ref) wrapped.push_back(h);
    h->wrapper_ref = false;
    h->wrapper.Reset();
  }
  collected_.clear();
  for (Host* h : wrapped) h->Unref();
  root->Unref();  // the JsThread's own reference
  host_class.Reset();
  halt.Reset();
  // Hosts still alive here are parked on threads we could not unwind (the
  // root was not running); they point at this object, so it stays.
  if (hosts_ == nullptr) delete this;
}

void DiscardIsolateData(const std::vector<void*>& isolates) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  for (void* isolate : isolates) {
    auto* i = static_cast<v8::Isolate*>(isolate);
    if (Registry().count(i) != 0) i->DiscardThreadSpecificMetadata();
  }
}

}  // namespace fiberlet
