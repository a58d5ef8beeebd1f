// Claims: a read-only mapping over a verified token's payload. It owns the
// tv_claims handle and converts the payload to a dict only on first use, so
// a caller that only checks "verified or not" pays for no JSON conversion.
#include <memory>
#include <utility>

#include "common.h"

namespace tokenverify_py {
namespace {

// Leaked like every module-lifetime object here: json.loads, and the C
// scanner json.loads uses underneath (scan(text, index) -> (value, end)).
py::object* json_loads = nullptr;
py::object* json_scan = nullptr;

struct ClaimsFree {
  void operator()(tv_claims* c) const { tv_claims_free(c); }
};

class Claims {
 public:
  Claims(tv_claims* claims, py::handle resolver)
      : claims_(claims), resolver_(py::reinterpret_borrow<py::object>(resolver)) {}

  void Adopt(std::unique_ptr<tv_claims, ClaimsFree> claims) { claims_ = std::move(claims); }

  // The payload as a dict, parsed on first use and then shared by every read.
  const py::object& Payload() {
    if (!payload_) payload_ = ParseJson(tv_claims_json);
    return payload_;
  }
  const py::object& Header() {
    if (!header_) header_ = ParseJson(tv_claims_header_json);
    return header_;
  }

  py::str PayloadJson() const { return JsonText(tv_claims_json); }
  py::str HeaderJson() const { return JsonText(tv_claims_header_json); }

  py::object GetItem(py::handle key) {
    PyObject* value = PyDict_GetItemWithError(Payload().ptr(), key.ptr());
    if (value == nullptr) {
      if (PyErr_Occurred() != nullptr) throw py::error_already_set();
      throw py::key_error(py::repr(key).cast<std::string>());
    }
    return py::reinterpret_borrow<py::object>(value);
  }

  py::object Get(py::handle key, py::object fallback) {
    PyObject* value = PyDict_GetItemWithError(Payload().ptr(), key.ptr());
    if (value == nullptr) {
      if (PyErr_Occurred() != nullptr) throw py::error_already_set();
      return fallback;
    }
    return py::reinterpret_borrow<py::object>(value);
  }

  // Membership without parsing the payload: the library finds a top-level
  // member by its unescaped name.
  bool Contains(py::handle key) {
    if (payload_) return PyDict_Contains(payload_.ptr(), key.ptr()) == 1;
    if (!PyUnicode_Check(key.ptr())) return false;
    Py_ssize_t len = 0;
    const char* name = PyUnicode_AsUTF8AndSize(key.ptr(), &len);
    if (name == nullptr) {
      // A str with lone surrogates cannot name a JSON member.
      PyErr_Clear();
      return false;
    }
    const char* raw = nullptr;
    size_t raw_len = 0;
    return tv_claims_get_raw(claims_.get(), &raw, &raw_len, name, static_cast<size_t>(len)) == TV_OK;
  }

  // The JSON text of one top-level claim, or None: no payload conversion.
  py::object RawClaim(const std::string& name) const {
    const char* raw = nullptr;
    size_t raw_len = 0;
    tv_status s = tv_claims_get_raw(claims_.get(), &raw, &raw_len, name.data(), name.size());
    if (s == TV_ERR_NOT_FOUND) return py::none();
    if (s != TV_OK) RaiseStatus(s);
    return py::str(raw, raw_len);
  }

  py::object Provider() {
    if (!provider_) {
      provider_ = resolver_.is_none() ? py::object(py::none())
                                      : resolver_(Header(), Payload());
    }
    return provider_;
  }

 private:
  using JsonGetter = tv_status (*)(const tv_claims*, const char**, size_t*);

  py::str JsonText(JsonGetter getter) const {
    const char* text = nullptr;
    size_t len = 0;
    tv_status s = getter(claims_.get(), &text, &len);
    if (s != TV_OK) RaiseStatus(s);
    return py::str(text, len);
  }

  py::object ParseJson(JsonGetter getter) const {
    py::str text = JsonText(getter);
    // The library validated the text as one strict JSON object, so json's C
    // scanner can read it directly, skipping json.loads' Python frames; text
    // with leading whitespace goes the long way.
    py::object parsed;
    if (PyUnicode_GET_LENGTH(text.ptr()) > 0 && PyUnicode_READ_CHAR(text.ptr(), 0) == '{') {
      py::tuple value_end = (*json_scan)(text, 0);
      parsed = value_end[0];
    } else {
      parsed = (*json_loads)(text);
    }
    // The library only hands out JSON objects; anything else is a bug there.
    if (!PyDict_Check(parsed.ptr())) RaiseStatus(TV_ERR_INTERNAL);
    return parsed;
  }

  std::unique_ptr<tv_claims, ClaimsFree> claims_;
  py::object resolver_;
  py::object payload_;  // null until first use
  py::object header_;
  py::object provider_;
};

}  // namespace

py::object WrapClaims(tv_claims* claims, py::handle resolver) {
  std::unique_ptr<tv_claims, ClaimsFree> owned(claims);  // freed if anything below throws
  auto wrapper = std::make_unique<Claims>(nullptr, resolver);
  wrapper->Adopt(std::move(owned));
  return py::cast(std::move(wrapper));
}

void BindClaims(py::module_& m) {
  py::module_ json = py::module_::import("json");
  json_loads = new py::object(json.attr("loads"));
  json_scan = new py::object(py::module_::import("json.scanner").attr("make_scanner")(
      py::module_::import("json.decoder").attr("JSONDecoder")()));

  py::class_<Claims, std::unique_ptr<Claims>>(m, "Claims", R"doc(
The verified claims of a token: a read-only mapping of the payload.

The payload is converted to Python objects on first access. dict(claims) gives a
plain dict; .header is the protected header; .provider names the provider that
accepted the token.)doc")
      .def("__getitem__", &Claims::GetItem, py::arg("key"))
      .def("get", &Claims::Get, py::arg("key"), py::arg("default") = py::none())
      .def("__contains__", &Claims::Contains, py::arg("key"))
      .def("__len__", [](Claims& c) { return py::len(c.Payload()); })
      .def("__iter__", [](Claims& c) { return py::iter(c.Payload()); })
      .def("keys", [](Claims& c) { return c.Payload().attr("keys")(); })
      .def("values", [](Claims& c) { return c.Payload().attr("values")(); })
      .def("items", [](Claims& c) { return c.Payload().attr("items")(); })
      .def("to_dict", [](Claims& c) { return py::dict(c.Payload().attr("copy")()); },
           "A new plain dict of the payload (same as dict(claims)).")
      .def(
          "__eq__",
          [](Claims& self, py::handle other) -> py::object {
            if (py::isinstance<Claims>(other)) {
              return py::bool_(self.Payload().equal(other.cast<Claims&>().Payload()));
            }
            if (PyDict_Check(other.ptr())) return py::bool_(self.Payload().equal(other));
            py::object mapping = py::module_::import("collections.abc").attr("Mapping");
            if (py::isinstance(other, mapping)) return py::bool_(self.Payload().equal(py::dict(py::reinterpret_borrow<py::object>(other))));
            return py::reinterpret_borrow<py::object>(Py_NotImplemented);
          },
          py::is_operator())
      .def("__repr__",
           [](Claims& c) { return "Claims(" + py::repr(c.Payload()).cast<std::string>() + ")"; })
      .def_property_readonly("header", [](Claims& c) { return py::dict(c.Header().attr("copy")()); },
                             "The protected header as a new dict.")
      .def_property_readonly("raw_json", &Claims::PayloadJson,
                             "The payload JSON text exactly as it was in the token.")
      .def_property_readonly("header_json", &Claims::HeaderJson,
                             "The header JSON text exactly as it was in the token.")
      .def("raw_claim", &Claims::RawClaim, py::arg("name"),
           "The JSON text of the top-level claim |name| (e.g. '\"alice\"', '[1,2]'), or None.")
      .def_property_readonly("provider", &Claims::Provider,
                             "Name of the provider that accepted the token (None if unknown).")
      .attr("__hash__") = py::none();
}

}  // namespace tokenverify_py
