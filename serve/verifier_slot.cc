#include "verifier_slot.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tvserve {

SharedVerifier BuildVerifier(const std::string& config_file, std::string& error) {
  std::ifstream in(config_file, std::ios::binary);
  if (!in) {
    error = config_file + ": cannot open: " + std::strerror(errno);
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string config = text.str();
  tv_verifier* v = nullptr;
  tv_diag diag{};
  const tv_status st = tv_verifier_new(&v, config.data(), config.size(), &diag);
  if (st != TV_OK) {
    error = config_file + ": " + std::string(tv_status_name(st)) +
            (diag.field[0] ? " " + std::string(diag.field) : "") + ": " +
            (diag.message[0] ? diag.message : tv_status_message(st));
    return nullptr;
  }
  return SharedVerifier(v, tv_verifier_free);
}

void VerifierSlot::Replace(SharedVerifier next) {
  retired_.push_back(current_.exchange(std::move(next), std::memory_order_acq_rel));
}

size_t VerifierSlot::FreeIdle() {
  // use_count() == 1: only this list holds it; no request can reach it again
  // because it is no longer current.
  std::erase_if(retired_, [](const SharedVerifier& v) { return v.use_count() == 1; });
  return retired_.size();
}

}  // namespace tvserve
