// Verifier: one tv_verifier, shared by any number of Python threads. verify()
// releases the GIL around tv_verify; verify_many() releases it for the whole
// batch and spreads the batch over std::threads.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common.h"

namespace tokenverify_py {

void GetTokenBytes(py::handle token, TokenBytes& out) {
  PyObject* obj = token.ptr();
  if (PyUnicode_Check(obj)) {
    Py_ssize_t len = 0;
    // For ASCII text (every well-formed token) this is the string's own
    // buffer: no copy, no allocation.
    const char* data = PyUnicode_AsUTF8AndSize(obj, &len);
    if (data == nullptr) {
      // Lone surrogates have no UTF-8 form, so no token can contain them:
      // verify the empty token instead, which the library rejects as malformed.
      PyErr_Clear();
      out.view = std::string_view("", 0);
      return;
    }
    out.view = std::string_view(data, static_cast<size_t>(len));
    return;
  }
  if (PyBytes_Check(obj)) {
    out.view = std::string_view(PyBytes_AS_STRING(obj), static_cast<size_t>(PyBytes_GET_SIZE(obj)));
    return;
  }
  if (PyObject_CheckBuffer(obj)) {
    Py_buffer buffer;
    if (PyObject_GetBuffer(obj, &buffer, PyBUF_SIMPLE) != 0) throw py::error_already_set();
    out.copy.assign(static_cast<const char*>(buffer.buf), static_cast<size_t>(buffer.len));
    PyBuffer_Release(&buffer);
    out.view = out.copy;
    return;
  }
  throw py::type_error(std::string("token must be str or bytes, not ") + Py_TYPE(obj)->tp_name);
}

namespace {

struct VerifierFree {
  void operator()(tv_verifier* v) const { tv_verifier_free(v); }
};

const uint8_t* Bytes(std::string_view v) { return reinterpret_cast<const uint8_t*>(v.data()); }

class Verifier {
 public:
  explicit Verifier(const std::string& config_json) {
    tv_verifier* raw = nullptr;
    tv_diag diag{};
    tv_status s;
    {
      // Building can read key files; other Python threads may run meanwhile.
      py::gil_scoped_release release;
      s = tv_verifier_new(&raw, config_json.data(), config_json.size(), &diag);
    }
    if (s != TV_OK) RaiseStatus(s, diag.field, diag.message);
    verifier_.reset(raw);
  }

  py::object Verify(py::handle token) {
    TokenBytes bytes;
    GetTokenBytes(token, bytes);
    tv_claims* claims = nullptr;
    tv_status s;
    {
      py::gil_scoped_release release;
      s = tv_verify(verifier_.get(), &claims, Bytes(bytes.view), bytes.view.size());
    }
    if (s != TV_OK) RaiseStatus(s);
    return WrapClaims(claims, resolver_);
  }

  py::list VerifyMany(py::handle tokens, py::object threads_arg) {
    py::list items = py::reinterpret_steal<py::list>(PySequence_List(tokens.ptr()));
    if (!items) throw py::error_already_set();
    const size_t n = items.size();

    size_t threads = std::max(1u, std::thread::hardware_concurrency());
    if (!threads_arg.is_none()) {
      long requested = threads_arg.cast<long>();
      if (requested < 1) throw py::value_error("threads must be at least 1");
      threads = static_cast<size_t>(requested);
    }
    threads = std::max<size_t>(1, std::min(threads, n));

    // Reserved up front: a TokenBytes may point into its own copy, so the
    // vector must never reallocate. |items| keeps every str/bytes alive.
    std::vector<TokenBytes> inputs(n);
    for (size_t i = 0; i < n; ++i) GetTokenBytes(items[i], inputs[i]);

    std::vector<tv_status> statuses(n, TV_OK);
    std::vector<tv_claims*> claims(n, nullptr);
    {
      py::gil_scoped_release release;
      RunBatch(inputs, statuses, claims, threads);
    }

    py::list results(n);
    size_t i = 0;
    try {
      for (; i < n; ++i) {
        py::object result = statuses[i] == TV_OK ? WrapClaims(std::exchange(claims[i], nullptr), resolver_)
                                                 : MakeError(statuses[i]);
        PyList_SET_ITEM(results.ptr(), static_cast<Py_ssize_t>(i), result.release().ptr());
      }
    } catch (...) {
      for (tv_claims* c : claims) tv_claims_free(c);  // the ones not yet wrapped
      throw;
    }
    return results;
  }

  void SetProviderResolver(py::object resolver) { resolver_ = std::move(resolver); }

 private:
  void RunBatch(const std::vector<TokenBytes>& inputs, std::vector<tv_status>& statuses,
                std::vector<tv_claims*>& claims, size_t threads) const {
    const size_t n = inputs.size();
    // Small chunks balance uneven work (a bad token is cheaper than a good
    // one) while keeping the shared counter off the per-token path.
    const size_t chunk = std::clamp<size_t>(n / (threads * 8), 1, 256);
    std::atomic<size_t> next{0};
    auto work = [&]() {
      for (;;) {
        size_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
        if (begin >= n) return;
        size_t end = std::min(n, begin + chunk);
        for (size_t i = begin; i < end; ++i) {
          statuses[i] = tv_verify(verifier_.get(), &claims[i], Bytes(inputs[i].view),
                                  inputs[i].view.size());
        }
      }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (size_t t = 1; t < threads; ++t) {
      try {
        pool.emplace_back(work);
      } catch (const std::system_error&) {
        break;  // fewer threads than asked; this thread does the rest
      }
    }
    work();
    for (std::thread& t : pool) t.join();
  }

  std::unique_ptr<tv_verifier, VerifierFree> verifier_;
  py::object resolver_ = py::none();  // f(header, payload) -> provider name, set by Python
};

}  // namespace

void BindVerifier(py::module_& m) {
  py::class_<Verifier>(m, "_Verifier", "The engine's verifier; use tokenverify.Verifier.")
      .def(py::init<const std::string&>(), py::arg("config_json"))
      .def("verify", &Verifier::Verify, py::arg("token"))
      .def("verify_many", &Verifier::VerifyMany, py::arg("tokens"), py::kw_only(),
           py::arg("threads") = py::none())
      .def("_set_provider_resolver", &Verifier::SetProviderResolver);

  m.def(
      "inspect_unverified",
      [](py::handle token) {
        TokenBytes bytes;
        GetTokenBytes(token, bytes);
        tv_claims* claims = nullptr;
        tv_status s = tv_inspect_unverified(&claims, Bytes(bytes.view), bytes.view.size());
        if (s != TV_OK) RaiseStatus(s);
        return WrapClaims(claims, py::none());
      },
      py::arg("token"),
      "Decodes a token WITHOUT verifying it (shape only). Never trust the result.");
}

}  // namespace tokenverify_py
