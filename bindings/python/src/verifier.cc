// _Verifier: one tv_verifier, shared by any number of Python threads. verify()
// releases the GIL around tv_verify; verify_many() releases it for the whole
// batch, which tv_verify_batch spreads over the verifier's worker pool.
// tokenverify.Verifier is the Python subclass that reads the configuration.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "common.h"

namespace tokenverify_py {

bool GetTokenBytes(PyObject* token, TokenBytes& out) {
  if (PyUnicode_Check(token)) {
    Py_ssize_t len = 0;
    // For ASCII text (every well-formed token) this is the string's own
    // buffer: no copy, no allocation.
    const char* data = PyUnicode_AsUTF8AndSize(token, &len);
    if (data == nullptr) {
      // Lone surrogates have no UTF-8 form, so no token contains them: verify
      // the empty token instead, which the library rejects as malformed.
      PyErr_Clear();
      out.view = std::string_view("", 0);
      return true;
    }
    out.view = std::string_view(data, static_cast<size_t>(len));
    return true;
  }
  if (PyBytes_Check(token)) {
    out.view = std::string_view(PyBytes_AS_STRING(token), static_cast<size_t>(PyBytes_GET_SIZE(token)));
    return true;
  }
  if (PyObject_CheckBuffer(token)) {
    Py_buffer buffer;
    if (PyObject_GetBuffer(token, &buffer, PyBUF_SIMPLE) != 0) return false;
    out.copy.assign(static_cast<const char*>(buffer.buf), static_cast<size_t>(buffer.len));
    PyBuffer_Release(&buffer);
    out.view = out.copy;
    return true;
  }
  PyErr_Format(PyExc_TypeError, "token must be str or bytes, not %.100s", Py_TYPE(token)->tp_name);
  return false;
}

namespace {

const uint8_t* Bytes(std::string_view v) { return reinterpret_cast<const uint8_t*>(v.data()); }

struct VerifierObject {
  PyObject_HEAD tv_verifier* verifier;  // NULL until __init__ succeeds
  PyObject* validator;                  // the credential validator, or NULL; freed after the verifier
};

bool Ready(VerifierObject* self) {
  if (self->verifier != nullptr) return true;
  PyErr_SetString(PyExc_RuntimeError, "Verifier.__init__ was not called");
  return false;
}

// Other threads may be inside tv_verify on this object with the GIL released:
// replacing (and freeing) the engine object under them would crash, so a
// Verifier is built once. The check is repeated after the build, which runs
// without the GIL, in case another thread's __init__ finished meanwhile.
bool RefuseSecondInit(const VerifierObject* self) {
  if (self->verifier == nullptr) return false;
  PyErr_SetString(PyExc_RuntimeError,
                  "Verifier.__init__ was already called: a Verifier cannot be rebuilt; make a new one");
  return true;
}

int Init(VerifierObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kKeywords[] = {"config_json", "validator", nullptr};
  if (RefuseSecondInit(self)) return -1;
  const char* json = nullptr;
  Py_ssize_t json_len = 0;
  PyObject* validator = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s#|$O:_Verifier", const_cast<char**>(kKeywords), &json, &json_len,
                                   &validator)) {
    return -1;
  }
  if (validator != Py_None && !PyCallable_Check(validator)) {
    PyErr_SetString(PyExc_TypeError, "validator must be callable");
    return -1;
  }
  tv_verifier_options options{};
  options.struct_size = sizeof options;
  if (validator != Py_None) {
    options.validator = CallValidator;
    options.validator_user_data = validator;
  }
  tv_verifier* built = nullptr;
  tv_diag diag{};
  tv_status s;
  Py_BEGIN_ALLOW_THREADS  // building can read key files; other threads may run meanwhile
      s = tv_verifier_new_ex2(&built, json, static_cast<size_t>(json_len), &options, &diag);
  Py_END_ALLOW_THREADS if (s != TV_OK) {
    SetError(s, diag.field, diag.message);
    return -1;
  }
  if (self->verifier != nullptr) {
    Py_BEGIN_ALLOW_THREADS  // freeing joins refresher threads
        tv_verifier_free(built);
    Py_END_ALLOW_THREADS RefuseSecondInit(self);
    return -1;
  }
  self->verifier = built;
  if (validator != Py_None) {
    Py_INCREF(validator);
    self->validator = validator;
  }
  return 0;
}

// A static type: for a Python subclass, subtype_dealloc clears the instance
// dict, calls this and then releases the subclass itself.
void Dealloc(VerifierObject* self) {
  if (self->verifier != nullptr) {
    tv_verifier* verifier = self->verifier;
    self->verifier = nullptr;
    // Freeing joins the key-set refresher threads (remote sets), which may be
    // finishing a fetch: other Python threads run meanwhile.
    Py_BEGIN_ALLOW_THREADS tv_verifier_free(verifier);
    Py_END_ALLOW_THREADS
  }
  Py_CLEAR(self->validator);  // no thread can call it any more
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

PyObject* Verify(VerifierObject* self, PyObject* token) {
  if (!Ready(self)) return nullptr;
  TokenBytes bytes;
  if (!GetTokenBytes(token, bytes)) return nullptr;
  tv_claims* claims = nullptr;
  tv_status s;
  Py_BEGIN_ALLOW_THREADS s = tv_verify(self->verifier, &claims, Bytes(bytes.view), bytes.view.size());
  Py_END_ALLOW_THREADS if (s != TV_OK) return SetError(s);
  return NewClaims(claims);
}

PyObject* VerifySignature(VerifierObject* self, PyObject* token) {
  if (!Ready(self)) return nullptr;
  TokenBytes bytes;
  if (!GetTokenBytes(token, bytes)) return nullptr;
  tv_status s;
  Py_BEGIN_ALLOW_THREADS s = tv_verify_signature(self->verifier, Bytes(bytes.view), bytes.view.size());
  Py_END_ALLOW_THREADS if (s != TV_OK) return SetError(s);
  Py_RETURN_NONE;
}

PyObject* AuthenticateMethod(VerifierObject* self, PyObject* args, PyObject* kwargs) {
  if (!Ready(self)) return nullptr;
  return Authenticate(self->verifier, args, kwargs);
}

PyObject* RevokeMethod(VerifierObject* self, PyObject* args, PyObject* kwargs) {
  if (!Ready(self)) return nullptr;
  return Revoke(self->verifier, args, kwargs);
}

PyObject* RevokeSubjectMethod(VerifierObject* self, PyObject* args, PyObject* kwargs) {
  if (!Ready(self)) return nullptr;
  return RevokeSubject(self->verifier, args, kwargs);
}

PyObject* VerifyMany(VerifierObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kKeywords[] = {"tokens", "threads", nullptr};
  PyObject* tokens = nullptr;
  PyObject* threads_arg = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$O:verify_many", const_cast<char**>(kKeywords), &tokens,
                                   &threads_arg)) {
    return nullptr;
  }
  if (!Ready(self)) return nullptr;
  unsigned threads = 0;  // tv_verify_batch's "one per CPU"
  if (threads_arg != Py_None) {
    long requested = PyLong_AsLong(threads_arg);
    if (requested == -1 && PyErr_Occurred()) return nullptr;
    if (requested < 1) {
      PyErr_SetString(PyExc_ValueError, "threads must be at least 1");
      return nullptr;
    }
    // The library uses at most 64 threads whatever it is asked; this only
    // keeps a huge request from wrapping around in the conversion.
    threads = static_cast<unsigned>(std::min<long>(requested, std::numeric_limits<unsigned>::max()));
  }
  // The list keeps every str/bytes alive while the GIL is released.
  PyObject* items = PySequence_List(tokens);
  if (items == nullptr) return nullptr;
  const size_t n = static_cast<size_t>(PyList_GET_SIZE(items));

  PyObject* results = nullptr;
  try {
    // Sized once: a TokenBytes may point into its own copy, so the vector
    // must never reallocate.
    std::vector<TokenBytes> inputs(n);
    std::vector<const uint8_t*> pointers(n);
    std::vector<size_t> lengths(n);
    for (size_t i = 0; i < n; ++i) {
      if (!GetTokenBytes(PyList_GET_ITEM(items, static_cast<Py_ssize_t>(i)), inputs[i])) {
        Py_DECREF(items);
        return nullptr;
      }
      pointers[i] = Bytes(inputs[i].view);
      lengths[i] = inputs[i].view.size();
    }
    std::vector<tv_status> statuses(n, TV_OK);
    std::vector<tv_claims*> claims(n, nullptr);
    tv_status batch;
    Py_BEGIN_ALLOW_THREADS batch =
        tv_verify_batch(self->verifier, statuses.data(), claims.data(), pointers.data(), lengths.data(), n, threads);
    Py_END_ALLOW_THREADS if (batch != TV_OK) {  // no token verified (out of memory): nothing to free
      Py_DECREF(items);
      return SetError(batch);
    }

    results = PyList_New(static_cast<Py_ssize_t>(n));
    for (size_t i = 0; results != nullptr && i < n; ++i) {
      PyObject* result = statuses[i] == TV_OK ? NewClaims(std::exchange(claims[i], nullptr)) : NewError(statuses[i]);
      if (result == nullptr) {
        Py_CLEAR(results);
        break;
      }
      PyList_SET_ITEM(results, static_cast<Py_ssize_t>(i), result);
    }
    for (tv_claims* c : claims) tv_claims_free(c);  // any not handed to a Claims
  } catch (const std::bad_alloc&) {
    Py_DECREF(items);
    return PyErr_NoMemory();
  }
  Py_DECREF(items);
  return results;
}

// The providers' health, counters and (with keys=True) keys: the library's
// stats document (README, "Health and stats") as a dict.
PyObject* Stats(VerifierObject* self, PyObject* args, PyObject* kwargs) {
  static const char* kKeywords[] = {"keys", nullptr};
  int keys = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$p:stats", const_cast<char**>(kKeywords), &keys)) {
    return nullptr;
  }
  if (!Ready(self)) return nullptr;
  char* json = nullptr;
  size_t len = 0;
  tv_status s;
  Py_BEGIN_ALLOW_THREADS s = tv_verifier_stats(self->verifier, &json, &len, keys ? TV_STATS_KEYS : 0u);
  Py_END_ALLOW_THREADS if (s != TV_OK) return SetError(s);
  PyObject* text = PyUnicode_DecodeUTF8(json, static_cast<Py_ssize_t>(len), "replace");
  tv_string_free(json);
  if (text == nullptr) return nullptr;
  PyObject* json_module = PyImport_ImportModule("json");
  PyObject* parsed = json_module != nullptr ? PyObject_CallMethod(json_module, "loads", "O", text) : nullptr;
  Py_XDECREF(json_module);
  Py_DECREF(text);
  return parsed;
}

PyObject* InspectUnverified(PyObject*, PyObject* token) {
  TokenBytes bytes;
  if (!GetTokenBytes(token, bytes)) return nullptr;
  tv_claims* claims = nullptr;
  tv_status s = tv_inspect_unverified(&claims, Bytes(bytes.view), bytes.view.size());
  if (s != TV_OK) return SetError(s);
  return NewClaims(claims);
}

PyMethodDef kMethods[] = {
    {"verify", reinterpret_cast<PyCFunction>(Verify), METH_O,
     "verify(token) -> Claims: verifies a compact JWS/JWT (str or bytes); raises a TokenVerifyError subclass."},
    {"verify_signature", reinterpret_cast<PyCFunction>(VerifySignature), METH_O,
     "verify_signature(token) -> None: checks only the signature of a compact JWS, as verify() checks it; the "
     "payload is not parsed and no claim is checked. Raises a TokenVerifyError subclass."},
    {"verify_many", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(VerifyMany)),
     METH_VARARGS | METH_KEYWORDS,
     "verify_many(tokens, *, threads=None) -> list of Claims or TokenVerifyError, one per token, in order."},
    {"_authenticate", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(AuthenticateMethod)),
     METH_VARARGS | METH_KEYWORDS,
     "_authenticate(method, target, headers, body=None, host=None) -> tuple; use Verifier.authenticate."},
    {"revoke", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(RevokeMethod)), METH_VARARGS | METH_KEYWORDS,
     "revoke(jti, exp) -> None: refuses the token with this jti (RevokedTokenError) until its exp plus the leeway."},
    {"revoke_subject", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(RevokeSubjectMethod)),
     METH_VARARGS | METH_KEYWORDS,
     "revoke_subject(sub, issued_before) -> None: refuses every token of sub issued before then (or without iat)."},
    {"stats", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Stats)), METH_VARARGS | METH_KEYWORDS,
     "stats(*, keys=False) -> dict: every provider's key source, health, key-set generation, refreshes and "
     "verification counts by status (README, 'Health and stats'); with keys=True also each key."},
    {nullptr, nullptr, 0, nullptr},
};

PyMethodDef kInspect = {"inspect_unverified", reinterpret_cast<PyCFunction>(InspectUnverified), METH_O,
                        "inspect_unverified(token) -> Claims: decodes a token WITHOUT verifying it (shape only). "
                        "Never trust the result."};

// Filled in by Bind*, before PyType_Ready: only the object header is set here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
PyTypeObject VerifierType = {PyVarObject_HEAD_INIT(nullptr, 0)};
#pragma GCC diagnostic pop

}  // namespace

void BindVerifier(py::module_& m) {
  VerifierType.tp_name = "tokenverify._tokenverify._Verifier";
  VerifierType.tp_basicsize = sizeof(VerifierObject);
  VerifierType.tp_dealloc = reinterpret_cast<destructor>(Dealloc);
  VerifierType.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
  VerifierType.tp_doc = "The engine's verifier; use tokenverify.Verifier.";
  VerifierType.tp_methods = kMethods;
  VerifierType.tp_init = reinterpret_cast<initproc>(Init);
  VerifierType.tp_new = PyType_GenericNew;
  if (PyType_Ready(&VerifierType) != 0) throw py::error_already_set();
  Py_INCREF(&VerifierType);
  m.attr("_Verifier") = py::handle(reinterpret_cast<PyObject*>(&VerifierType));

  PyObject* inspect = PyCFunction_NewEx(&kInspect, nullptr, m.attr("__name__").ptr());
  if (inspect == nullptr) throw py::error_already_set();
  m.attr("inspect_unverified") = py::reinterpret_steal<py::object>(inspect);
}

}  // namespace tokenverify_py
