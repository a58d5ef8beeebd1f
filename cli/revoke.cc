// tokenverify revoke: one revocation onto the Redis stream that the
// configuration's revocation.redis names (tv_revocation_publish). Every
// verifier reading that stream refuses the token from then on.
#include <cstdio>
#include <string>

#include "cli.h"

namespace tvcli {

int RunRevoke(const Options& opt) {
  std::string error;
  const auto config = ReadFile(*opt.config_file, error);
  if (!config) {
    std::fprintf(stderr, "tokenverify: %s\n", error.c_str());
    return kExitConfig;
  }
  tv_revocation r{};
  const bool by_jti = opt.jti.has_value();
  r.kind = by_jti ? TV_REVOKE_TOKEN : TV_REVOKE_SUBJECT;
  const std::string& id = by_jti ? *opt.jti : *opt.sub;
  r.id = id.data();
  r.id_len = id.size();
  r.time = by_jti ? *opt.exp : *opt.before;
  if (opt.issuer) {
    r.issuer = opt.issuer->data();
    r.issuer_len = opt.issuer->size();
  }
  char* entry_id = nullptr;
  tv_diag diag{};
  const tv_status st = tv_revocation_publish(config->data(), config->size(), &r, &entry_id, &diag);
  if (st != TV_OK) {
    PrintDiag(st, diag);
    return ExitCodeFor(st);
  }
  std::printf("%s\n", entry_id);
  tv_string_free(entry_id);
  return kExitOk;
}

}  // namespace tvcli
