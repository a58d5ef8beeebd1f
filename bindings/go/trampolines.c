// The engine's callback types take const pointers, the exported Go functions'
// prototypes do not: these trampolines are what the engine calls.
#include "_cgo_export.h"
#include "tokenverify.h"

int tvGoValidatorTrampoline(void* user, const tv_credential* c) { return tvGoValidator(user, (tv_credential*)c); }

void tvGoEventTrampoline(void* user, const tv_event* e) { tvGoEvent(user, (tv_event*)e); }
