// V8 API differences between the Node versions we build for (20: V8 11.3,
// 22: 12.4, 24: 13.6, 26: 14.6). Detected by overload availability rather
// than version numbers where the exact version of a change is not known.
#pragma once

#include <v8.h>

#include <cstdint>
#include <type_traits>
#include <utility>

namespace fiberlet {
namespace compat {

// V8 14 tags aligned pointers in internal fields (EmbedderDataTypeTag).
template <typename O>
auto SetPointerImpl(O* object, int index, void* value, int)
    -> decltype(object->SetAlignedPointerInInternalField(index, value, uint16_t{0})) {
  return object->SetAlignedPointerInInternalField(index, value, uint16_t{0});
}
template <typename O>
void SetPointerImpl(O* object, int index, void* value, long) {
  object->SetAlignedPointerInInternalField(index, value);
}
template <typename O>
auto GetPointerImpl(O* object, int index, int)
    -> decltype(object->GetAlignedPointerFromInternalField(index, uint16_t{0})) {
  return object->GetAlignedPointerFromInternalField(index, uint16_t{0});
}
template <typename O>
void* GetPointerImpl(O* object, int index, long) {
  return object->GetAlignedPointerFromInternalField(index);
}

inline void SetPointer(v8::Local<v8::Object> object, int index, void* value) {
  SetPointerImpl(*object, index, value, 0);
}
inline void* GetPointer(v8::Local<v8::Object> object, int index) {
  return GetPointerImpl(*object, index, 0);
}

// V8 14 tags v8::External pointers (ExternalPointerTypeTag).
template <typename E>
auto NewExternalImpl(v8::Isolate* isolate, void* value, int)
    -> decltype(E::New(isolate, value, uint16_t{0})) {
  return E::New(isolate, value, uint16_t{0});
}
template <typename E>
v8::Local<v8::External> NewExternalImpl(v8::Isolate* isolate, void* value, long) {
  return E::New(isolate, value);
}
template <typename E>
auto ExternalValueImpl(E* external, int) -> decltype(external->Value(uint16_t{0})) {
  return external->Value(uint16_t{0});
}
template <typename E>
void* ExternalValueImpl(E* external, long) {
  return external->Value();
}
inline v8::Local<v8::External> NewExternal(v8::Isolate* isolate, void* value) {
  return NewExternalImpl<v8::External>(isolate, value, 0);
}
inline void* ExternalValue(v8::Local<v8::External> external) {
  return ExternalValueImpl(*external, 0);
}

// The continuation-preserved embedder data, which Node's AsyncContextFrame
// (the AsyncLocalStorage implementation from Node 24 on) uses as "the current
// async context". V8 11 keeps it on the context, V8 12-13 on the isolate,
// V8 14 adds a Data-typed V2 and deprecates the Value-typed one.
template <typename I, typename C>
auto GetCpedImpl(I* isolate, C, int)
    -> decltype(isolate->GetContinuationPreservedEmbedderDataV2(), v8::Local<v8::Value>()) {
  v8::Local<v8::Data> data = isolate->GetContinuationPreservedEmbedderDataV2();
  if (data.IsEmpty() || !data->IsValue()) return v8::Undefined(isolate);
  return data.template As<v8::Value>();
}
template <typename I, typename C>
auto GetCpedImpl(I* isolate, C, long)
    -> decltype(isolate->GetContinuationPreservedEmbedderData()) {
  return isolate->GetContinuationPreservedEmbedderData();
}
template <typename I, typename C>
v8::Local<v8::Value> GetCpedImpl(I* isolate, C context, ...) {
  return context->GetContinuationPreservedEmbedderData();
}

template <typename I, typename C>
auto SetCpedImpl(I* isolate, C, v8::Local<v8::Value> value, int)
    -> decltype(isolate->SetContinuationPreservedEmbedderDataV2(value)) {
  isolate->SetContinuationPreservedEmbedderDataV2(value);
}
template <typename I, typename C>
auto SetCpedImpl(I* isolate, C, v8::Local<v8::Value> value, long)
    -> decltype(isolate->SetContinuationPreservedEmbedderData(value)) {
  isolate->SetContinuationPreservedEmbedderData(value);
}
template <typename I, typename C>
void SetCpedImpl(I* isolate, C context, v8::Local<v8::Value> value, ...) {
  context->SetContinuationPreservedEmbedderData(value);
}

// CPED read and written through the isolate alone, for code that has no
// context (GC callbacks). Where CPED lives on the context (V8 11) these read
// undefined and do nothing; that code only runs with kCpedOnIsolate.
struct NoContext {};
template <typename I>
v8::Local<v8::Value> GetCpedImpl(I* isolate, NoContext, ...) {
  return v8::Undefined(isolate);
}
template <typename I>
void SetCpedImpl(I*, NoContext, v8::Local<v8::Value>, ...) {}
inline v8::Local<v8::Value> GetIsolateCped(v8::Isolate* isolate) {
  return GetCpedImpl(isolate, NoContext{}, 0);
}
inline void SetIsolateCped(v8::Isolate* isolate, v8::Local<v8::Value> value) {
  SetCpedImpl(isolate, NoContext{}, value, 0);
}

// Does V8 keep CPED on the isolate (V8 12 and later)?
template <typename I, typename = void>
struct CpedOnIsolate : std::false_type {};
template <typename I>
struct CpedOnIsolate<I, std::void_t<decltype(std::declval<I*>()->GetContinuationPreservedEmbedderData())>>
    : std::true_type {};
template <typename I, typename = void>
struct CpedV2OnIsolate : std::false_type {};
template <typename I>
struct CpedV2OnIsolate<
    I, std::void_t<decltype(std::declval<I*>()->GetContinuationPreservedEmbedderDataV2())>>
    : std::true_type {};
constexpr bool kCpedOnIsolate =
    CpedOnIsolate<v8::Isolate>::value || CpedV2OnIsolate<v8::Isolate>::value;

inline v8::Local<v8::Value> GetAsyncContextFrame(v8::Isolate* isolate,
                                                 v8::Local<v8::Context> context) {
  return GetCpedImpl(isolate, context, 0);
}
inline void SetAsyncContextFrame(v8::Isolate* isolate, v8::Local<v8::Context> context,
                                 v8::Local<v8::Value> value) {
  SetCpedImpl(isolate, context, value, 0);
}

}  // namespace compat
}  // namespace fiberlet
