// Claims: a read-only mapping over a verified token's payload. It owns the
// tv_claims handle and converts the payload to a dict only on first use, so a
// caller that only checks "verified or not" pays for no JSON conversion.
#include <cstring>

#include "common.h"

namespace tokenverify_py {
namespace {

struct ClaimsObject {
  PyObject_HEAD tv_claims* claims;  // owned, never NULL after creation
  PyObject* payload;                // dict, NULL until first use
  PyObject* header;                 // dict, NULL until first use
};

// Module-lifetime objects (leaked on purpose): json.loads and the C scanner
// underneath it (scan(text, index) -> (value, end)).
PyObject* json_loads = nullptr;
PyObject* json_scan = nullptr;
PyObject* mapping_abc = nullptr;  // collections.abc.Mapping

using JsonGetter = tv_status (*)(const tv_claims*, const char**, size_t*);

PyObject* JsonText(ClaimsObject* self, JsonGetter getter) {
  const char* text = nullptr;
  size_t len = 0;
  tv_status s = getter(self->claims, &text, &len);
  if (s != TV_OK) return SetError(s);
  return PyUnicode_DecodeUTF8(text, static_cast<Py_ssize_t>(len), nullptr);
}

PyObject* ParseJson(ClaimsObject* self, JsonGetter getter) {
  PyObject* text = JsonText(self, getter);
  if (text == nullptr) return nullptr;
  // The library validated the text as one strict JSON object, so json's C
  // scanner reads it directly, skipping json.loads' Python frames; text with
  // leading whitespace goes the long way.
  PyObject* parsed = nullptr;
  if (PyUnicode_GET_LENGTH(text) > 0 && PyUnicode_READ_CHAR(text, 0) == '{') {
    PyObject* zero = PyLong_FromLong(0);
    PyObject* value_end = zero != nullptr ? PyObject_CallFunctionObjArgs(json_scan, text, zero, nullptr) : nullptr;
    Py_XDECREF(zero);
    if (value_end != nullptr) {
      parsed = PyTuple_GET_ITEM(value_end, 0);
      Py_INCREF(parsed);
      Py_DECREF(value_end);
    }
  } else {
    parsed = PyObject_CallOneArg(json_loads, text);
  }
  Py_DECREF(text);
  if (parsed != nullptr && !PyDict_Check(parsed)) {
    Py_DECREF(parsed);  // the library only hands out objects; anything else is its bug
    return SetError(TV_ERR_INTERNAL);
  }
  return parsed;
}

// Borrowed reference to the payload dict, converting it on first use.
PyObject* Payload(ClaimsObject* self) {
  if (self->payload == nullptr) self->payload = ParseJson(self, tv_claims_json);
  return self->payload;
}

PyObject* Header(ClaimsObject* self) {
  if (self->header == nullptr) self->header = ParseJson(self, tv_claims_header_json);
  return self->header;
}

void Dealloc(ClaimsObject* self) {
  tv_claims_free(self->claims);
  Py_XDECREF(self->payload);
  Py_XDECREF(self->header);
  Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// Converts the JSON value |raw| (one claim's text) with json's scanner.
PyObject* ScanValue(const char* raw, size_t len) {
  PyObject* text = PyUnicode_DecodeUTF8(raw, static_cast<Py_ssize_t>(len), nullptr);
  if (text == nullptr) return nullptr;
  PyObject* zero = PyLong_FromLong(0);
  PyObject* value_end = zero != nullptr ? PyObject_CallFunctionObjArgs(json_scan, text, zero, nullptr) : nullptr;
  Py_XDECREF(zero);
  Py_DECREF(text);
  if (value_end == nullptr) return nullptr;
  PyObject* value = PyTuple_GET_ITEM(value_end, 0);
  Py_INCREF(value);
  Py_DECREF(value_end);
  return value;
}

// One claim read before the payload is converted: a service that reads
// claims["sub"] once should not pay for converting the whole payload. Returns
// NULL with no error set when the claim is absent.
PyObject* LookupOne(ClaimsObject* self, PyObject* key, bool* absent) {
  *absent = false;
  Py_ssize_t name_len = 0;
  const char* name = PyUnicode_AsUTF8AndSize(key, &name_len);
  if (name == nullptr) {
    PyErr_Clear();  // lone surrogates: no JSON member has this name
    *absent = true;
    return nullptr;
  }
  const char* raw = nullptr;
  size_t raw_len = 0;
  tv_status s = tv_claims_get_raw(self->claims, &raw, &raw_len, name, static_cast<size_t>(name_len));
  if (s == TV_ERR_NOT_FOUND) {
    *absent = true;
    return nullptr;
  }
  if (s != TV_OK) return SetError(s);
  if (raw_len > 0 && raw[0] == '"') {
    const char* text = nullptr;
    size_t text_len = 0;
    s = tv_claims_get_string(self->claims, &text, &text_len, name, static_cast<size_t>(name_len));
    if (s == TV_OK) return PyUnicode_DecodeUTF8(text, static_cast<Py_ssize_t>(text_len), nullptr);
  } else if (raw_len > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))) {
    int64_t number = 0;
    s = tv_claims_get_int64(self->claims, &number, name, static_cast<size_t>(name_len));
    if (s == TV_OK) return PyLong_FromLongLong(number);
  }
  return ScanValue(raw, raw_len);  // arrays, objects, literals, non-int64 numbers
}

// ---------------------------------------------------------------- mapping protocol

PyObject* GetItem(ClaimsObject* self, PyObject* key) {
  if (self->payload == nullptr && PyUnicode_CheckExact(key)) {
    bool absent = false;
    PyObject* value = LookupOne(self, key, &absent);
    if (absent) PyErr_SetObject(PyExc_KeyError, key);
    return value;
  }
  PyObject* payload = Payload(self);
  if (payload == nullptr) return nullptr;
  PyObject* value = PyDict_GetItemWithError(payload, key);
  if (value == nullptr) {
    if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, key);
    return nullptr;
  }
  Py_INCREF(value);
  return value;
}

Py_ssize_t Length(ClaimsObject* self) {
  PyObject* payload = Payload(self);
  return payload == nullptr ? -1 : PyDict_GET_SIZE(payload);
}

// Membership without converting the payload: the library finds a top-level
// member by its unescaped name.
int Contains(ClaimsObject* self, PyObject* key) {
  if (self->payload != nullptr) return PyDict_Contains(self->payload, key);
  if (!PyUnicode_Check(key)) return 0;
  Py_ssize_t len = 0;
  const char* name = PyUnicode_AsUTF8AndSize(key, &len);
  if (name == nullptr) {
    PyErr_Clear();  // a str with lone surrogates cannot name a JSON member
    return 0;
  }
  const char* raw = nullptr;
  size_t raw_len = 0;
  return tv_claims_get_raw(self->claims, &raw, &raw_len, name, static_cast<size_t>(len)) == TV_OK ? 1 : 0;
}

PyObject* Iter(ClaimsObject* self) {
  PyObject* payload = Payload(self);
  return payload == nullptr ? nullptr : PyObject_GetIter(payload);
}

PyObject* CallPayloadMethod(ClaimsObject* self, const char* method) {
  PyObject* payload = Payload(self);
  return payload == nullptr ? nullptr : PyObject_CallMethod(payload, method, nullptr);
}

PyObject* Get(ClaimsObject* self, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs < 1 || nargs > 2) {
    PyErr_SetString(PyExc_TypeError, "get expected 1 or 2 arguments");
    return nullptr;
  }
  PyObject* fallback = nargs == 2 ? args[1] : Py_None;
  if (self->payload == nullptr && PyUnicode_CheckExact(args[0])) {
    bool absent = false;
    PyObject* value = LookupOne(self, args[0], &absent);
    if (absent) {
      Py_INCREF(fallback);
      return fallback;
    }
    return value;
  }
  PyObject* payload = Payload(self);
  if (payload == nullptr) return nullptr;
  PyObject* value = PyDict_GetItemWithError(payload, args[0]);
  if (value == nullptr) {
    if (PyErr_Occurred()) return nullptr;
    value = fallback;
  }
  Py_INCREF(value);
  return value;
}

PyObject* Keys(ClaimsObject* self, PyObject*) { return CallPayloadMethod(self, "keys"); }
PyObject* Values(ClaimsObject* self, PyObject*) { return CallPayloadMethod(self, "values"); }
PyObject* Items(ClaimsObject* self, PyObject*) { return CallPayloadMethod(self, "items"); }

PyObject* ToDict(ClaimsObject* self, PyObject*) {
  PyObject* payload = Payload(self);
  return payload == nullptr ? nullptr : PyDict_Copy(payload);
}

// The JSON text of one top-level claim, or None: no payload conversion.
PyObject* RawClaim(ClaimsObject* self, PyObject* name) {
  if (!PyUnicode_Check(name)) {
    PyErr_SetString(PyExc_TypeError, "raw_claim() takes a str");
    return nullptr;
  }
  Py_ssize_t len = 0;
  const char* text = PyUnicode_AsUTF8AndSize(name, &len);
  if (text == nullptr) return nullptr;
  const char* raw = nullptr;
  size_t raw_len = 0;
  tv_status s = tv_claims_get_raw(self->claims, &raw, &raw_len, text, static_cast<size_t>(len));
  if (s == TV_ERR_NOT_FOUND) Py_RETURN_NONE;
  if (s != TV_OK) return SetError(s);
  return PyUnicode_DecodeUTF8(raw, static_cast<Py_ssize_t>(raw_len), nullptr);
}

// Filled in by Bind*, before PyType_Ready: only the object header is set here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
PyTypeObject ClaimsType = {PyVarObject_HEAD_INIT(nullptr, 0)};
#pragma GCC diagnostic pop

PyObject* RichCompare(ClaimsObject* self, PyObject* other, int op) {
  if (op != Py_EQ && op != Py_NE) Py_RETURN_NOTIMPLEMENTED;
  PyObject* payload = Payload(self);
  if (payload == nullptr) return nullptr;
  PyObject* other_dict = nullptr;
  if (Py_TYPE(other) == &ClaimsType) {
    other_dict = Payload(reinterpret_cast<ClaimsObject*>(other));
    if (other_dict == nullptr) return nullptr;
    Py_INCREF(other_dict);
  } else if (PyDict_Check(other)) {
    Py_INCREF(other);
    other_dict = other;
  } else {
    int is_mapping = PyObject_IsInstance(other, mapping_abc);
    if (is_mapping < 0) return nullptr;
    if (!is_mapping) Py_RETURN_NOTIMPLEMENTED;
    other_dict = PyDict_New();
    if (other_dict == nullptr || PyDict_Merge(other_dict, other, 1) != 0) {
      Py_XDECREF(other_dict);
      return nullptr;
    }
  }
  PyObject* result = PyObject_RichCompare(payload, other_dict, op);
  Py_DECREF(other_dict);
  return result;
}

PyObject* Repr(ClaimsObject* self) {
  PyObject* payload = Payload(self);
  return payload == nullptr ? nullptr : PyUnicode_FromFormat("Claims(%R)", payload);
}

// ---------------------------------------------------------------- properties

PyObject* HeaderCopy(ClaimsObject* self, void*) {
  PyObject* header = Header(self);
  return header == nullptr ? nullptr : PyDict_Copy(header);
}
PyObject* RawJson(ClaimsObject* self, void*) { return JsonText(self, tv_claims_json); }
PyObject* HeaderJson(ClaimsObject* self, void*) { return JsonText(self, tv_claims_header_json); }

PyObject* Provider(ClaimsObject* self, void*) {
  const char* name = nullptr;
  size_t len = 0;
  tv_status s = tv_claims_provider(self->claims, &name, &len);
  if (s != TV_OK) return SetError(s);
  if (len == 0) Py_RETURN_NONE;  // claims from inspect_unverified: no provider accepted them
  return PyUnicode_DecodeUTF8(name, static_cast<Py_ssize_t>(len), nullptr);
}

PyMappingMethods kMapping = {
    reinterpret_cast<lenfunc>(Length), reinterpret_cast<binaryfunc>(GetItem),
    nullptr,  // read-only: no item assignment
};

PySequenceMethods kSequence = {};  // only sq_contains, set below

PyMethodDef kMethods[] = {
    {"get", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Get)), METH_FASTCALL,
     "get(key, default=None): the claim's value, or default."},
    {"keys", reinterpret_cast<PyCFunction>(Keys), METH_NOARGS, "The claim names (a dict view)."},
    {"values", reinterpret_cast<PyCFunction>(Values), METH_NOARGS, "The claim values (a dict view)."},
    {"items", reinterpret_cast<PyCFunction>(Items), METH_NOARGS, "(name, value) pairs (a dict view)."},
    {"to_dict", reinterpret_cast<PyCFunction>(ToDict), METH_NOARGS,
     "A new plain dict of the payload (same as dict(claims))."},
    {"raw_claim", reinterpret_cast<PyCFunction>(RawClaim), METH_O,
     "raw_claim(name): the JSON text of the top-level claim |name|, or None. Does not convert the payload."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef kGetSet[] = {
    {"header", reinterpret_cast<getter>(HeaderCopy), nullptr, "The protected header as a new dict.", nullptr},
    {"raw_json", reinterpret_cast<getter>(RawJson), nullptr, "The payload JSON text exactly as it was signed.",
     nullptr},
    {"header_json", reinterpret_cast<getter>(HeaderJson), nullptr, "The header JSON text as it was signed.", nullptr},
    {"provider", reinterpret_cast<getter>(Provider), nullptr,
     "Name of the provider that accepted the token (None for inspect_unverified).", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

PyObject* NewClaims(tv_claims* claims) {
  ClaimsObject* self = PyObject_New(ClaimsObject, &ClaimsType);
  if (self == nullptr) {
    tv_claims_free(claims);
    return nullptr;
  }
  self->claims = claims;
  self->payload = nullptr;
  self->header = nullptr;
  return reinterpret_cast<PyObject*>(self);
}

void BindClaims(py::module_& m) {
  json_loads = py::object(py::module_::import("json").attr("loads")).release().ptr();
  json_scan = py::module_::import("json.scanner")
                  .attr("make_scanner")(py::module_::import("json.decoder").attr("JSONDecoder")())
                  .release()
                  .ptr();
  mapping_abc = py::object(py::module_::import("collections.abc").attr("Mapping")).release().ptr();

  kSequence.sq_contains = reinterpret_cast<objobjproc>(Contains);
  ClaimsType.tp_name = "tokenverify.Claims";
  ClaimsType.tp_basicsize = sizeof(ClaimsObject);
  ClaimsType.tp_dealloc = reinterpret_cast<destructor>(Dealloc);
  ClaimsType.tp_repr = reinterpret_cast<reprfunc>(Repr);
  ClaimsType.tp_as_sequence = &kSequence;
  ClaimsType.tp_as_mapping = &kMapping;
  ClaimsType.tp_hash = PyObject_HashNotImplemented;
  ClaimsType.tp_flags = Py_TPFLAGS_DEFAULT;
#if PY_VERSION_HEX >= 0x030A0000
  ClaimsType.tp_flags |= Py_TPFLAGS_MAPPING;  // match statements see a mapping
#endif
  ClaimsType.tp_doc =
      "The verified claims of a token: a read-only mapping of the payload.\n\n"
      "The payload is converted to Python objects on first access. dict(claims) gives a\n"
      "plain dict; .header is the protected header; .provider names the provider that\n"
      "accepted the token.";
  ClaimsType.tp_richcompare = reinterpret_cast<richcmpfunc>(RichCompare);
  ClaimsType.tp_iter = reinterpret_cast<getiterfunc>(Iter);
  ClaimsType.tp_methods = kMethods;
  ClaimsType.tp_getset = kGetSet;
  // Created only by the extension.
  ClaimsType.tp_new = nullptr;
  if (PyType_Ready(&ClaimsType) != 0) throw py::error_already_set();
  Py_INCREF(&ClaimsType);
  m.attr("Claims") = py::handle(reinterpret_cast<PyObject*>(&ClaimsType));
}

}  // namespace tokenverify_py
