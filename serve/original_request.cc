#include "original_request.h"

#include <strings.h>

namespace tvserve {
namespace {

bool SameName(const tv_header& h, std::string_view name) {
  return h.name_len == name.size() && strncasecmp(h.name, name.data(), name.size()) == 0;
}

void Set(const char*& ptr, size_t& len, std::string_view value) {
  ptr = value.data() != nullptr ? value.data() : "";
  len = value.size();
}

}  // namespace

std::string_view HeaderValue(const std::vector<tv_header>& headers, std::string_view name) {
  for (const tv_header& h : headers)
    if (SameName(h, name)) return {h.value, h.value_len};
  return {};
}

OriginalRequest FindOriginalRequest(const IncomingRequest& in, Dialect dialect, std::string_view path_prefix,
                                    std::string& scratch) {
  const std::string_view forwarded_uri = HeaderValue(in.headers, "x-forwarded-uri");
  const std::string_view original_uri = HeaderValue(in.headers, "x-original-uri");
  if (dialect == Dialect::kAuto) {
    dialect = forwarded_uri.data() != nullptr  ? Dialect::kForwarded
              : original_uri.data() != nullptr ? Dialect::kNginx
                                               : Dialect::kEnvoy;
  }
  OriginalRequest out;
  tv_request& r = out.request;
  std::string_view method = in.method, host = HeaderValue(in.headers, "host"), target = in.target;
  switch (dialect) {
    case Dialect::kForwarded: {
      out.dialect = "forwarded";
      target = forwarded_uri;  // absent: an empty target, which the rules refuse with 400
      if (auto m = HeaderValue(in.headers, "x-forwarded-method"); m.data() != nullptr) method = m;
      if (auto h = HeaderValue(in.headers, "x-forwarded-host"); h.data() != nullptr) host = h;
      break;
    }
    case Dialect::kNginx: {
      out.dialect = "nginx";
      target = original_uri;
      if (auto m = HeaderValue(in.headers, "x-original-method"); m.data() != nullptr) method = m;
      break;
    }
    case Dialect::kEnvoy:
    case Dialect::kAuto: {
      out.dialect = "envoy";
      // Envoy prepends path_prefix to the client's path; an empty remainder is "/".
      if (!path_prefix.empty() && target.starts_with(path_prefix)) {
        target.remove_prefix(path_prefix.size());
        if (target.empty()) {
          target = "/";
        } else if (target.front() == '?') {
          scratch = "/" + std::string(target);
          target = scratch;
        }
      }
      break;
    }
  }
  Set(r.method, r.method_len, method);
  Set(r.host, r.host_len, host);
  Set(r.target, r.target_len, target);
  r.headers = in.headers.data();
  r.header_count = in.headers.size();
  r.body = reinterpret_cast<const uint8_t*>(in.body.data());
  r.body_len = in.body.size();
  return out;
}

}  // namespace tvserve
