// The C++ API of the engine. Other runtimes use the C ABI in
// bindings/c/include/tokenverify.h, which is a thin shim over this.
#pragma once

#include <memory>
#include <string_view>

#include "tokenverify/result.h"
#include "tokenverify/status.h"

namespace tokenverify {

// What a successful Verify leaves behind: views into per-thread scratch
// memory, valid until the next Verify on the same thread.
struct VerifiedToken {
  std::string_view header_json;   // decoded protected header
  std::string_view payload_json;  // decoded payload (the claims)
  std::string_view provider;      // name of the provider that accepted the token
};

// A Verifier is built from one configuration document and is immutable from
// then on: any number of threads may call Verify at once.
class Verifier {
 public:
  // Create parses and checks `config_json` and loads every key set. On
  // failure `err` (if not null) gets the status, the field path and a message.
  static Result<std::unique_ptr<Verifier>> Create(std::string_view config_json, Error* err);

  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Verify checks `token` completely. Returns OK or the first failure found.
  // Claims are checked before the signature, so a failure status never says
  // that the token was authentic. Never allocates on a warm thread.
  Status Verify(std::string_view token, VerifiedToken* out = nullptr) const noexcept;

  // Largest token / JSON nesting this verifier accepts (for DecodeUnverified-style tools).
  size_t max_token_bytes() const noexcept;
  int max_json_depth() const noexcept;

  struct Impl;

 private:
  explicit Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokenverify
