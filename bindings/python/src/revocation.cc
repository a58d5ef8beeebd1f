// Revocation from Python: Verifier.revoke, Verifier.revoke_subject (the
// verifier's own list) and tokenverify.publish_revocation (a Redis stream that
// every verifier configured with revocation.redis reads).
#include <cstdint>
#include <optional>
#include <string>

#include "common.h"
// After common.h, which defines PY_SSIZE_T_CLEAN before Python.h is first included.
#include <pybind11/stl.h>

namespace tokenverify_py {

namespace {

// (id: str, time: int) for revoke(jti, exp) and revoke_subject(sub, issued_before).
PyObject* RevokeWith(const tv_verifier* v, PyObject* args, PyObject* kwargs, const char* format,
                     const char* const* keywords, tv_status (*call)(const tv_verifier*, const char*, size_t, int64_t)) {
  const char* id = nullptr;
  Py_ssize_t id_len = 0;
  long long time = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, format, const_cast<char**>(keywords), &id, &id_len, &time))
    return nullptr;
  const tv_status s = call(v, id, static_cast<size_t>(id_len), static_cast<int64_t>(time));
  if (s != TV_OK) return SetError(s);
  Py_RETURN_NONE;
}

}  // namespace

PyObject* Revoke(const tv_verifier* v, PyObject* args, PyObject* kwargs) {
  static const char* const kKeywords[] = {"jti", "exp", nullptr};
  return RevokeWith(v, args, kwargs, "s#L:revoke", kKeywords, tv_verifier_revoke);
}

PyObject* RevokeSubject(const tv_verifier* v, PyObject* args, PyObject* kwargs) {
  static const char* const kKeywords[] = {"sub", "issued_before", nullptr};
  return RevokeWith(v, args, kwargs, "s#L:revoke_subject", kKeywords, tv_verifier_revoke_subject);
}

void BindRevocation(py::module_& m) {
  m.def(
      "_publish_revocation",
      [](const std::string& config, const std::string& kind, const std::string& id, int64_t time,
         std::optional<std::string> issuer) -> py::object {
        tv_revocation r{};
        r.kind = kind == "jti" ? TV_REVOKE_TOKEN : TV_REVOKE_SUBJECT;
        r.id = id.data();
        r.id_len = id.size();
        r.time = time;
        if (issuer) {
          r.issuer = issuer->data();
          r.issuer_len = issuer->size();
        }
        char* entry_id = nullptr;
        tv_diag diag{};
        tv_status s;
        {
          py::gil_scoped_release unlocked;  // a network round trip
          s = tv_revocation_publish(config.data(), config.size(), &r, &entry_id, &diag);
        }
        if (s != TV_OK) {
          diag.field[sizeof diag.field - 1] = '\0';
          diag.message[sizeof diag.message - 1] = '\0';
          SetError(s, diag.field, diag.message);
          throw py::error_already_set();
        }
        py::str result(entry_id);
        tv_string_free(entry_id);
        return std::move(result);
      },
      py::arg("config"), py::arg("kind"), py::arg("id"), py::arg("time"), py::arg("issuer") = py::none());
}

}  // namespace tokenverify_py
