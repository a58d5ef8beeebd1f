// authenticate: one request, described on the command line, through
// tv_authenticate; the decision JSON on stdout.
#include <string>
#include <vector>

#include "cli.h"

namespace tvcli {

int RunAuthenticate(const Options& opt) {
  int code = kExitOk;
  VerifierPtr v = VerifierFor(opt, code);
  if (!v) return code;

  std::string body;
  if (opt.data) {
    if (opt.data->starts_with("@")) {
      std::string error;
      auto text = ReadFile(opt.data->substr(1), error);
      if (!text) {
        std::fprintf(stderr, "tokenverify: cannot read %s: %s\n", opt.data->c_str() + 1, error.c_str());
        return kExitConfig;
      }
      body = std::move(*text);
    } else {
      body = *opt.data;
    }
  }
  std::vector<tv_header> headers;
  for (const auto& [name, value] : opt.headers)
    headers.push_back({name.data(), name.size(), value.data(), value.size()});
  const std::string& target = opt.positional[0];
  tv_request req{};
  req.method = opt.method.data();
  req.method_len = opt.method.size();
  req.host = opt.host.data();
  req.host_len = opt.host.size();
  req.target = target.data();
  req.target_len = target.size();
  req.headers = headers.data();
  req.header_count = headers.size();
  req.body = reinterpret_cast<const uint8_t*>(body.data());
  req.body_len = body.size();

  tv_decision* d = nullptr;
  tv_status st = tv_authenticate(v.get(), &d, &req);
  if (st != TV_OK) {
    WriteLine(stderr, StatusLine(st));
    return ExitCodeFor(st);
  }
  const char* json = nullptr;
  size_t len = 0;
  st = tv_decision_json(d, &json, &len);
  const tv_status verdict = tv_decision_status(d);
  if (st == TV_OK) WriteLine(stdout, JsonTerminalSafe(std::string_view(json, len)));
  tv_decision_free(d);
  if (st != TV_OK) {
    WriteLine(stderr, StatusLine(st));
    return ExitCodeFor(st);
  }
  return ExitCodeFor(verdict);
}

}  // namespace tvcli
