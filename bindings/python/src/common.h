// Shared declarations of the tokenverify Python extension. The extension sees
// only the C ABI (tokenverify.h); everything here is glue to Python objects.
#ifndef TOKENVERIFY_PY_COMMON_H_
#define TOKENVERIFY_PY_COMMON_H_

#include <pybind11/pybind11.h>

#include <string_view>

#include "tokenverify.h"

namespace tokenverify_py {

namespace py = pybind11;

// Builds the Python exception instance for |status| through the factory that
// tokenverify/errors.py registers at import (it owns the status → class
// table). |field| and |detail| come from tv_diag when the call gives one.
py::object MakeError(tv_status status, const char* field = nullptr, const char* detail = nullptr);

// Sets the Python error for |status| and throws, so pybind11 propagates it.
[[noreturn]] void RaiseStatus(tv_status status, const char* field = nullptr,
                              const char* detail = nullptr);

// A token argument viewed as bytes: str (its cached UTF-8, no copy for ASCII
// text), bytes, or anything with the buffer protocol (copied, since a mutable
// buffer could change while the GIL is released). The view lives as long as
// the argument object and this struct.
struct TokenBytes {
  std::string_view view;
  std::string copy;  // used only for buffer-protocol arguments
};
// Fills |out| from |token|; raises TypeError for other types.
void GetTokenBytes(py::handle token, TokenBytes& out);

// Wraps an owned tv_claims (non-NULL) in a Claims Python object. |resolver|
// is f(header, payload) -> provider name (for Claims.provider), or None.
py::object WrapClaims(tv_claims* claims, py::handle resolver);

void BindErrors(py::module_& m);
void BindClaims(py::module_& m);
void BindVerifier(py::module_& m);

}  // namespace tokenverify_py

#endif  // TOKENVERIFY_PY_COMMON_H_
