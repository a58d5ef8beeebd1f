// Verifier.authenticate: a request from Python (str or bytes pieces) through
// tv_authenticate, and the decision back as a tuple that tokenverify.Decision
// wraps. The GIL is released while the engine decides.
#include <string>
#include <string_view>
#include <vector>

#include "common.h"

namespace tokenverify_py {
namespace {

// Bytes of a header name or value, a method, a target or a host: bytes as
// they are; str as latin-1 (how WSGI carries header bytes), or UTF-8 when it
// has characters beyond latin-1. `keep` owns what must outlive the call.
bool ToBytes(PyObject* o, std::string_view* out, std::vector<PyObject*>* keep, const char* what) {
  if (PyBytes_Check(o)) {
    *out = std::string_view(PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o)));
    return true;
  }
  if (!PyUnicode_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s must be str or bytes, not %.100s", what, Py_TYPE(o)->tp_name);
    return false;
  }
  PyObject* encoded = PyUnicode_AsLatin1String(o);
  if (encoded == nullptr) {
    PyErr_Clear();
    encoded = PyUnicode_AsUTF8String(o);
    if (encoded == nullptr) return false;
  }
  keep->push_back(encoded);
  *out = std::string_view(PyBytes_AS_STRING(encoded), static_cast<size_t>(PyBytes_GET_SIZE(encoded)));
  return true;
}

PyObject* Text(const char* s, size_t n) { return PyUnicode_DecodeUTF8(s, static_cast<Py_ssize_t>(n), "replace"); }

// (name, value) pairs as a list of str tuples, from a decision's accessors.
PyObject* SetHeaders(const tv_decision* d) {
  const size_t n = tv_decision_set_header_count(d);
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(n));
  for (size_t i = 0; list != nullptr && i < n; ++i) {
    const char *name, *value;
    size_t name_len, value_len;
    tv_decision_set_header(d, i, &name, &name_len, &value, &value_len);
    PyObject* pair = Py_BuildValue("(NN)", Text(name, name_len), Text(value, value_len));
    if (pair == nullptr) {
      Py_CLEAR(list);
      break;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), pair);
  }
  return list;
}

PyObject* RemoveHeaders(const tv_decision* d) {
  const size_t n = tv_decision_remove_header_count(d);
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(n));
  for (size_t i = 0; list != nullptr && i < n; ++i) {
    const char* name;
    size_t len;
    tv_decision_remove_header(d, i, &name, &len);
    PyObject* text = Text(name, len);
    if (text == nullptr) {
      Py_CLEAR(list);
      break;
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), text);
  }
  return list;
}

PyObject* OptionalText(tv_status (*get)(const tv_decision*, const char**, size_t*), const tv_decision* d) {
  const char* s;
  size_t n;
  if (get(d, &s, &n) != TV_OK) Py_RETURN_NONE;
  return Text(s, n);
}

// (status, http_status, method, json, claims or None, set_headers,
// remove_headers, principal or None, www_authenticate or None)
PyObject* DecisionTuple(const tv_decision* d) {
  const char* json;
  size_t json_len;
  if (tv_status s = tv_decision_json(d, &json, &json_len); s != TV_OK) return SetError(s);
  PyObject* claims = Py_None;
  Py_INCREF(claims);
  if (const tv_claims* borrowed = tv_decision_claims(d); borrowed != nullptr) {
    tv_claims* copy = nullptr;
    if (tv_status s = tv_claims_dup(&copy, borrowed); s != TV_OK) {
      Py_DECREF(claims);
      return SetError(s);
    }
    Py_DECREF(claims);
    claims = NewClaims(copy);
    if (claims == nullptr) return nullptr;
  }
  return Py_BuildValue("(iiiNNNNNN)", tv_decision_status(d), tv_decision_http_status(d), tv_decision_method(d),
                       Text(json, json_len), claims, SetHeaders(d), RemoveHeaders(d),
                       OptionalText(tv_decision_principal, d), OptionalText(tv_decision_www_authenticate, d));
}

}  // namespace

PyObject* Authenticate(const tv_verifier* verifier, PyObject* args, PyObject* kwargs) {
  static const char* kKeywords[] = {"method", "target", "headers", "body", "host", nullptr};
  PyObject *method, *target, *headers, *body = nullptr, *host = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|OO:authenticate", const_cast<char**>(kKeywords), &method, &target,
                                   &headers, &body, &host)) {
    return nullptr;
  }
  std::vector<PyObject*> keep;
  struct Release {
    std::vector<PyObject*>& objects;
    ~Release() {
      for (PyObject* o : objects) Py_DECREF(o);
    }
  } release{keep};

  tv_request req{};
  std::string_view m, t, h, b;
  if (!ToBytes(method, &m, &keep, "method") || !ToBytes(target, &t, &keep, "target")) return nullptr;
  if (host != nullptr && host != Py_None && !ToBytes(host, &h, &keep, "host")) return nullptr;
  if (body != nullptr && body != Py_None && !ToBytes(body, &b, &keep, "body")) return nullptr;
  // A mapping gives its items; anything else must be an iterable of pairs.
  PyObject* items =
      PyMapping_Check(headers) && !PySequence_Check(headers) ? PyMapping_Items(headers) : PySequence_List(headers);
  if (items == nullptr) return nullptr;
  keep.push_back(items);
  std::vector<tv_header> fields;
  const Py_ssize_t n = PyList_GET_SIZE(items);
  fields.reserve(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* pair = PyList_GET_ITEM(items, i);
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
      PyErr_SetString(PyExc_TypeError, "headers must be (name, value) pairs or a mapping");
      return nullptr;
    }
    std::string_view name, value;
    if (!ToBytes(PyTuple_GET_ITEM(pair, 0), &name, &keep, "a header name") ||
        !ToBytes(PyTuple_GET_ITEM(pair, 1), &value, &keep, "a header value"))
      return nullptr;
    fields.push_back({name.data(), name.size(), value.data(), value.size()});
  }
  req.method = m.data();
  req.method_len = m.size();
  req.target = t.data();
  req.target_len = t.size();
  req.host = h.data();
  req.host_len = h.size();
  req.body = reinterpret_cast<const uint8_t*>(b.data());
  req.body_len = b.size();
  req.headers = fields.data();
  req.header_count = fields.size();

  tv_decision* decision = nullptr;
  tv_status s;
  Py_BEGIN_ALLOW_THREADS s = tv_authenticate(verifier, &decision, &req);
  Py_END_ALLOW_THREADS if (s != TV_OK) return SetError(s);
  PyObject* result = DecisionTuple(decision);
  tv_decision_free(decision);
  return result;
}

int CallValidator(void* user_data, const tv_credential* c) {
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject* fn = static_cast<PyObject*>(user_data);
  PyObject* result =
      PyObject_CallFunction(fn, "sNNN", c->method == TV_AUTH_BASIC ? "basic" : "apiKey", Text(c->user, c->user_len),
                            Text(c->password, c->password_len), Text(c->rule, c->rule_len));
  int ok = 0;
  if (result == nullptr) {
    // An exception in the application's validator refuses the credential.
    PyErr_WriteUnraisable(fn);
  } else {
    ok = PyObject_IsTrue(result) == 1;
    if (PyErr_Occurred()) PyErr_WriteUnraisable(fn);
    Py_DECREF(result);
  }
  PyGILState_Release(gil);
  return ok;
}

}  // namespace tokenverify_py
