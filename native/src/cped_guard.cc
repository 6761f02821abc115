#include "cped_guard.h"

#include "v8_compat.h"

namespace fiberlet {

CpedGuard::CpedGuard(v8::Isolate* isolate) : isolate_(isolate) {
  if constexpr (!compat::kCpedOnIsolate) return;
  // Only scavenges copy objects one by one; a second visit in a full GC marks
  // or updates an already-updated slot, which is harmless. (kGCTypeAll would
  // also cover the weak-callback phase, where JavaScript may run.)
  isolate_->AddGCPrologueCallback(BeforeGc, this, v8::kGCTypeScavenge);
  isolate_->AddGCEpilogueCallback(AfterGc, this, v8::kGCTypeScavenge);
}

CpedGuard::~CpedGuard() {
  if constexpr (!compat::kCpedOnIsolate) return;
  isolate_->RemoveGCPrologueCallback(BeforeGc, this);
  isolate_->RemoveGCEpilogueCallback(AfterGc, this);
}

void CpedGuard::BeforeGc(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags, void* data) {
  auto* self = static_cast<CpedGuard*>(data);
  if (!self->frame_.IsEmpty()) return;  // a GC nested in another's callbacks
  v8::HandleScope scope(isolate);
  v8::Local<v8::Value> frame = compat::GetIsolateCped(isolate);
  if (frame.IsEmpty() || frame->IsUndefined()) return;  // the usual case: no ALS
  self->frame_.Reset(isolate, frame);
  compat::SetIsolateCped(isolate, v8::Undefined(isolate));
}

void CpedGuard::AfterGc(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags, void* data) {
  auto* self = static_cast<CpedGuard*>(data);
  if (self->frame_.IsEmpty()) return;
  v8::HandleScope scope(isolate);
  compat::SetIsolateCped(isolate, self->frame_.Get(isolate));
  self->frame_.Reset();
}

}  // namespace fiberlet
