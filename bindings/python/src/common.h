// Shared declarations of the tokenverify Python extension. The extension sees
// only the C ABI (tokenverify.h); everything here is glue to Python objects.
//
// The per-token paths (Verifier.verify, verify_many, Claims) use the CPython
// API directly: pybind11's argument dispatch, instance creation and C++
// exception round trip cost more than the engine's own verification. pybind11
// builds the module and its slower helpers.
#ifndef TOKENVERIFY_PY_COMMON_H_
#define TOKENVERIFY_PY_COMMON_H_

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pybind11/pybind11.h>

#include <string>
#include <string_view>

#include "tokenverify.h"

namespace tokenverify_py {

namespace py = pybind11;

// New reference to the exception instance for |status|, of the class that
// tokenverify/errors.py registered for it, with .code and .name set (and
// .field/.detail when given). NULL with a Python error set if that failed.
PyObject* NewError(tv_status status, const char* field = nullptr, const char* detail = nullptr);

// Sets the Python error for |status|; returns NULL so callers can
// `return SetError(s);`.
PyObject* SetError(tv_status status, const char* field = nullptr, const char* detail = nullptr);

// A token argument viewed as bytes: str (its cached UTF-8, no copy for ASCII
// text), bytes, or anything with the buffer protocol (copied, since a mutable
// buffer could change while the GIL is released). The view lives as long as
// the argument object and this struct.
struct TokenBytes {
  std::string_view view;
  std::string copy;  // used only for buffer-protocol arguments
};
// Fills |out| from |token|; false with TypeError set for other types.
bool GetTokenBytes(PyObject* token, TokenBytes& out);

// New Claims object owning |claims| (non-NULL; freed even on failure).
PyObject* NewClaims(tv_claims* claims);

// Verifier.authenticate(method, target, headers, body=None, host=None) on
// |verifier|: the decision as a tuple (tokenverify.Decision wraps it).
PyObject* Authenticate(const tv_verifier* verifier, PyObject* args, PyObject* kwargs);

// Verifier.revoke(jti, exp) and Verifier.revoke_subject(sub, issued_before) on |verifier|.
PyObject* Revoke(const tv_verifier* verifier, PyObject* args, PyObject* kwargs);
PyObject* RevokeSubject(const tv_verifier* verifier, PyObject* args, PyObject* kwargs);

// The tv_validator_fn that calls the Python callable |user_data| (a new
// reference kept by the verifier object) with the GIL held.
int CallValidator(void* user_data, const tv_credential* credential);

// Adds the types and functions of each part to |m|.
void BindErrors(py::module_& m);
void BindClaims(py::module_& m);
void BindVerifier(py::module_& m);
void BindRevocation(py::module_& m);

}  // namespace tokenverify_py

#endif  // TOKENVERIFY_PY_COMMON_H_
