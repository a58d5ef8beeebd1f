// Stored Basic passwords: StoredPassword::Parse on arbitrary text, and
// Matches for the schemes that are fast by design (plain text, {SHA},
// $apr1$, $1$); the slow ones (bcrypt up to cost 16, argon2 up to 1 GiB) are
// parsed only, since a slow check is their purpose, not a finding. A parsed
// plain-text password must match itself.
//
// Input: the stored text, a NUL, then the password to try.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "request/password_hash.h"

using tokenverify::internal::StoredPassword;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view stored = input.substr(0, nul);
  const std::string_view password = nul == std::string_view::npos ? std::string_view() : input.substr(nul + 1);
  tokenverify::Error err;
  auto p = StoredPassword::Parse(stored, &err);
  if (!p.ok()) {
    if (err.message.empty()) std::abort();  // every refusal says why
    return 0;
  }
  using Scheme = StoredPassword::Scheme;
  switch (p->scheme()) {
    case Scheme::kPlain:
      if (!p->Matches(stored)) std::abort();
      [[fallthrough]];
    case Scheme::kSha1:
    case Scheme::kApr1:
    case Scheme::kMd5Crypt:
      (void)p->Matches(password);
      break;
    default:
      break;
  }
  return 0;
}
