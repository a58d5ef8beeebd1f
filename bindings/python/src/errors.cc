// Status codes → Python exceptions. The classes and the name → class table are
// Python (tokenverify/errors.py); this file only calls the factory it registers
// and exposes the C status table so Python can build its mapping from it.
#include <utility>

#include "common.h"

namespace tokenverify_py {
namespace {

// Leaked on purpose: a static py::object would be destroyed after the
// interpreter is gone.
py::object* error_factory = nullptr;

}  // namespace

py::object MakeError(tv_status status, const char* field, const char* detail) {
  if (error_factory == nullptr) {
    // Only if the private module is used without the package: still an error
    // that carries the status.
    return py::reinterpret_steal<py::object>(
        PyObject_CallFunction(PyExc_RuntimeError, "s", tv_status_name(status)));
  }
  py::object f = field != nullptr && field[0] != '\0' ? py::object(py::str(field)) : py::none();
  py::object d = detail != nullptr && detail[0] != '\0' ? py::object(py::str(detail)) : py::none();
  return (*error_factory)(status, f, d);
}

void RaiseStatus(tv_status status, const char* field, const char* detail) {
  py::object error = MakeError(status, field, detail);
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
  throw py::error_already_set();
}

void BindErrors(py::module_& m) {
  m.def(
      "_set_error_factory",
      [](py::object factory) {
        if (error_factory == nullptr) error_factory = new py::object();
        *error_factory = std::move(factory);
      },
      "Registers f(code, field, detail) -> exception instance (tokenverify.errors does this).");

  m.def(
      "status_table",
      []() {
        // Every number the library names: the table is compiled into the
        // library, so enumerating its range is the one source of truth.
        py::list table;
        for (tv_status s = 0; s < 1000; ++s) {
          std::string_view name = tv_status_name(s);
          if (name == "TV_UNKNOWN_STATUS") continue;
          table.append(py::make_tuple(s, py::str(name.data(), name.size()), tv_status_message(s)));
        }
        return table;
      },
      "Returns [(code, name, message)] for every status the loaded library knows.");

  m.def("status_name", [](tv_status s) { return tv_status_name(s); });
  m.def("status_message", [](tv_status s) { return tv_status_message(s); });
}

}  // namespace tokenverify_py
