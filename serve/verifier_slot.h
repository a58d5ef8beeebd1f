// The verifier requests use, replaced whole on reload. A request holds a
// reference for its duration; the old verifier is freed by the control thread
// once the last request using it has finished (never on a request thread:
// freeing joins the key-refresh threads).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tokenverify.h"

namespace tvserve {

using SharedVerifier = std::shared_ptr<tv_verifier>;

// BuildVerifier reads |config_file| and builds a verifier from it. On failure
// returns null and sets |error| to "file: STATUS field: message".
SharedVerifier BuildVerifier(const std::string& config_file, std::string& error);

class VerifierSlot {
 public:
  explicit VerifierSlot(SharedVerifier initial) : current_(std::move(initial)) {}

  // Current is what a request calls tv_authenticate on.
  SharedVerifier Current() const { return current_.load(std::memory_order_acquire); }

  // Replace makes |next| current; the previous one is kept until FreeIdle sees
  // that no request holds it any more.
  void Replace(SharedVerifier next);

  // FreeIdle frees retired verifiers no request uses; returns how many are left.
  size_t FreeIdle();

 private:
  std::atomic<SharedVerifier> current_;
  std::vector<SharedVerifier> retired_;  // control thread only
};

}  // namespace tvserve
