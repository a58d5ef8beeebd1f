// Status codes → Python exceptions. The classes and the name → class table are
// Python (tokenverify/errors.py), which registers one class per status number;
// this file builds instances of them without running Python code, since a
// rejected token must cost little more than an accepted one.
#include <array>

#include "common.h"

namespace tokenverify_py {
namespace {

constexpr int kStatusCount = 1000;

struct ErrorTable {
  std::array<PyObject*, kStatusCount> classes{};  // registered by errors.py
  std::array<PyObject*, kStatusCount> args{};     // (message,) per status, built lazily
  std::array<PyObject*, kStatusCount> codes{};    // int objects
  std::array<PyObject*, kStatusCount> names{};    // "TV_ERR_..." objects
  PyObject* code_attr = nullptr;
  PyObject* name_attr = nullptr;
  PyObject* field_attr = nullptr;
  PyObject* detail_attr = nullptr;
};

// Leaked on purpose: module-lifetime objects must outlive static destructors.
ErrorTable* table = nullptr;

bool SetOptionalText(PyObject* error, PyObject* attr, const char* text) {
  if (text == nullptr || text[0] == '\0') return true;
  PyObject* value = PyUnicode_DecodeUTF8(text, static_cast<Py_ssize_t>(strlen(text)), "replace");
  if (value == nullptr) return false;
  int rc = PyObject_SetAttr(error, attr, value);
  Py_DECREF(value);
  return rc == 0;
}

}  // namespace

PyObject* NewError(tv_status status, const char* field, const char* detail) {
  const int i = status >= 0 && status < kStatusCount ? status : kStatusCount - 1;
  PyObject* cls = table != nullptr ? table->classes[i] : nullptr;
  if (cls == nullptr) {
    // Only when the private module is used without the package.
    return PyObject_CallFunction(PyExc_RuntimeError, "s", tv_status_name(status));
  }
  if (table->args[i] == nullptr) {
    table->args[i] = Py_BuildValue("(s)", tv_status_message(status));
    table->codes[i] = PyLong_FromLong(status);
    table->names[i] = PyUnicode_InternFromString(tv_status_name(status));
    if (table->args[i] == nullptr || table->codes[i] == nullptr || table->names[i] == nullptr) {
      Py_CLEAR(table->args[i]);
      return nullptr;
    }
  }
  // BaseException's tp_new stores args, which is all its __init__ would do;
  // the Python __init__ is skipped and the attributes are set here. The
  // classes default .field/.detail (and .claim) to None.
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(cls);
  PyObject* error = type->tp_new(type, table->args[i], nullptr);
  if (error == nullptr) return nullptr;
  if (PyObject_SetAttr(error, table->code_attr, table->codes[i]) != 0 ||
      PyObject_SetAttr(error, table->name_attr, table->names[i]) != 0 ||
      !SetOptionalText(error, table->field_attr, field) || !SetOptionalText(error, table->detail_attr, detail)) {
    Py_DECREF(error);
    return nullptr;
  }
  return error;
}

PyObject* SetError(tv_status status, const char* field, const char* detail) {
  PyObject* error = NewError(status, field, detail);
  if (error == nullptr) return nullptr;
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error)), error);
  Py_DECREF(error);
  return nullptr;
}

void BindErrors(py::module_& m) {
  m.def(
      "_set_error_classes",
      [](py::sequence classes) {
        if (classes.size() != kStatusCount) throw py::value_error("need one class per status number 0..999");
        if (table == nullptr) {
          table = new ErrorTable();
          table->code_attr = PyUnicode_InternFromString("code");
          table->name_attr = PyUnicode_InternFromString("name");
          table->field_attr = PyUnicode_InternFromString("field");
          table->detail_attr = PyUnicode_InternFromString("detail");
        }
        for (int i = 0; i < kStatusCount; ++i) {
          py::object cls = classes[static_cast<size_t>(i)];
          if (!PyType_Check(cls.ptr()) || !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(cls.ptr()),
                                                            reinterpret_cast<PyTypeObject*>(PyExc_Exception))) {
            throw py::type_error("every entry must be an Exception subclass");
          }
          Py_XSETREF(table->classes[static_cast<size_t>(i)], cls.release().ptr());
        }
      },
      "Registers the exception class of every status number 0..999 (tokenverify.errors does this).");

  m.def(
      "_new_error",
      [](tv_status status, const char* field, const char* detail) {
        PyObject* error = NewError(status, field, detail);
        if (error == nullptr) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(error);
      },
      py::arg("status"), py::arg("field") = nullptr, py::arg("detail") = nullptr,
      "The exception instance the extension raises for |status| (for tests).");

  m.def(
      "status_table",
      []() {
        // Every number the library names: the table is compiled into the
        // library, so enumerating its range is the one source of truth.
        py::list out;
        for (tv_status s = 0; s < kStatusCount; ++s) {
          std::string_view name = tv_status_name(s);
          if (name == "TV_UNKNOWN_STATUS") continue;
          out.append(py::make_tuple(s, py::str(name.data(), name.size()), tv_status_message(s)));
        }
        return out;
      },
      "Returns [(code, name, message)] for every status the loaded library knows.");

  m.def("status_name", [](tv_status s) { return tv_status_name(s); });
  m.def("status_message", [](tv_status s) { return tv_status_message(s); });
}

}  // namespace tokenverify_py
