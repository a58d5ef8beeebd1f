#include "answer.h"

namespace tvserve {
namespace {

// Seconds a gateway or client should wait while the identity provider's keys
// are unavailable: the key cache retries well within it.
constexpr const char* kRetryAfterSeconds = "5";

std::string ReasonLine(unsigned status) {
  switch (status) {
    case 200:
      return "allowed\n";
    case 400:
      return "bad request\n";
    case 401:
      return "unauthorized\n";
    case 403:
      return "forbidden\n";
    case 503:
      return "authentication unavailable, retry later\n";
    default:
      return "error\n";
  }
}

}  // namespace

Answer AnswerFor(const tv_decision* d) {
  Answer a;
  const int32_t http = tv_decision_http_status(d);
  a.status =
      http == 200 || http == 400 || http == 401 || http == 403 || http == 503 ? static_cast<unsigned>(http) : 403;
  if (a.status == 200) {
    const size_t set_count = tv_decision_set_header_count(d);
    for (size_t i = 0; i < set_count; ++i) {
      const char *name = nullptr, *value = nullptr;
      size_t name_len = 0, value_len = 0;
      if (tv_decision_set_header(d, i, &name, &name_len, &value, &value_len) == TV_OK)
        a.headers.emplace_back(std::string(name, name_len), std::string(value, value_len));
    }
    std::string remove;
    const size_t remove_count = tv_decision_remove_header_count(d);
    for (size_t i = 0; i < remove_count; ++i) {
      const char* name = nullptr;
      size_t name_len = 0;
      if (tv_decision_remove_header(d, i, &name, &name_len) != TV_OK) continue;
      if (!remove.empty()) remove += ", ";
      remove.append(name, name_len);
    }
    if (!remove.empty()) a.headers.emplace_back("x-envoy-auth-headers-to-remove", std::move(remove));
  } else if (a.status == 401 || a.status == 400) {
    const char* challenge = nullptr;
    size_t len = 0;
    if (tv_decision_www_authenticate(d, &challenge, &len) == TV_OK && challenge != nullptr)
      a.headers.emplace_back("www-authenticate", std::string(challenge, len));
  } else if (a.status == 503) {
    a.headers.emplace_back("retry-after", kRetryAfterSeconds);
  }
  a.body = ReasonLine(a.status);
  return a;
}

Answer AnswerForFailure(tv_status status) {
  Answer a;
  // A request the engine could not even read is the gateway's fault (400); the
  // rest is ours (500), and a gateway must treat it as an error, not a denial.
  a.status = status / 100 == 9 ? 500 : 400;
  a.body = ReasonLine(a.status);
  return a;
}

Answer FloorAnswer() {
  Answer a;
  a.status = 200;
  a.body = ReasonLine(200);
  return a;
}

}  // namespace tvserve
