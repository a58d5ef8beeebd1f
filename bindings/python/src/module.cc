// tokenverify._tokenverify: the private extension behind the tokenverify
// package. It refuses to import when the libtokenverify it loaded is not the
// version its header said at compile time.
#include <string>

#include "common.h"

PYBIND11_MODULE(_tokenverify, m) {
  namespace py = pybind11;
  namespace tvpy = tokenverify_py;

  const uint32_t runtime = tv_version_number();
  if (runtime != TV_VERSION_NUMBER) {
    throw py::import_error("tokenverify: the extension was built against libtokenverify " +
                           std::to_string(TV_VERSION_NUMBER) + " but loaded " +
                           std::to_string(runtime) + " (" + tv_version_string() + ")");
  }
  m.attr("VERSION_NUMBER") = TV_VERSION_NUMBER;
  m.attr("__version__") = tv_version_string();
  m.def("version_number", &tv_version_number, "TV_VERSION_NUMBER of the loaded library.");
  m.def("base64url_implementation", &tv_base64url_implementation,
        "Name of the base64url kernel in use (fallback, haswell, ...).");

  tvpy::BindErrors(m);
  tvpy::BindClaims(m);
  tvpy::BindVerifier(m);
}
