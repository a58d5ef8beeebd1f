// tokenverify._tokenverify: the private extension behind the tokenverify
// package. It refuses to import when the libtokenverify it loaded is not the
// version its header said at compile time, and in sub-interpreters.
#include <string>

#include "common.h"

// pybind11 builds the module under an inner entry point; PyInit__tokenverify
// below is the one Python calls, and it refuses sub-interpreters first.
PYBIND11_MODULE(_tokenverify_main_interpreter, m) {
  namespace py = pybind11;
  namespace tvpy = tokenverify_py;

  const uint32_t runtime = tv_version_number();
  if (runtime != TV_VERSION_NUMBER) {
    throw py::import_error("tokenverify: the extension was built against libtokenverify " +
                           std::to_string(TV_VERSION_NUMBER) + " but loaded " + std::to_string(runtime) + " (" +
                           tv_version_string() + ")");
  }
  m.attr("VERSION_NUMBER") = TV_VERSION_NUMBER;
  m.attr("__version__") = tv_version_string();
  m.def("version_number", &tv_version_number, "TV_VERSION_NUMBER of the loaded library.");
  m.def("base64url_implementation", &tv_base64url_implementation,
        "Name of the base64url kernel in use (fallback, haswell, ...).");

  tvpy::BindErrors(m);
  tvpy::BindClaims(m);
  tvpy::BindVerifier(m);
  tvpy::BindRevocation(m);
}

// Sub-interpreters (mod_wsgi's default, one per application group) would
// deadlock in pybind11's setup, which waits for the main interpreter's GIL
// before any of the code above runs. Refusing at once, with the way out, is
// better than a hung server.
extern "C" PYBIND11_EXPORT PyObject* PyInit__tokenverify() {
  if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
    PyErr_SetString(PyExc_ImportError,
                    "tokenverify cannot be imported in a sub-interpreter; import it in the main interpreter "
                    "(mod_wsgi: WSGIApplicationGroup %{GLOBAL})");
    return nullptr;
  }
  return PyInit__tokenverify_main_interpreter();
}
