// serve: the forward-auth server. Its parts live in serve/ (serve/serve.h).
#include "cli.h"

namespace tvcli {

int RunServeCommand(const Options& opt) {
  tvserve::ServeOptions serve = opt.serve;
  serve.config_file = *opt.config_file;
  return tvserve::RunServe(serve);
}

}  // namespace tvcli
