#include "request/credential_list.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

#include "base/ascii.h"

namespace tokenverify::internal {
namespace {

uint64_t Prefix(const CredentialList::Digest& d) {
  uint64_t v;
  std::memcpy(&v, d.data(), sizeof v);
  return v;
}

}  // namespace

CredentialList::Digest CredentialList::Sha256(std::string_view data) {
  Digest d;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
  return d;
}

Status CredentialList::Add(std::string name, std::string_view text, std::string_view sha256_hex, Error* err) {
  Digest digest;
  if (!sha256_hex.empty()) {
    if (sha256_hex.size() != 64) {
      err->message =
          "\"sha256\" is " + std::to_string(sha256_hex.size()) + " characters, not the 64 hex digits of a SHA-256";
      return err->status = Status::ERR_CONFIG;
    }
    for (size_t i = 0; i < 32; ++i) {
      const int hi = AsciiHexValue(sha256_hex[2 * i]), lo = AsciiHexValue(sha256_hex[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        err->message = "\"sha256\" has a character that is not a hex digit";
        return err->status = Status::ERR_CONFIG;
      }
      digest[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
  } else {
    digest = Sha256(text);
  }
  const auto [it, added] = by_prefix_.emplace(Prefix(digest), static_cast<uint32_t>(entries_.size()));
  if (!added) {
    const Entry& other = entries_[it->second];
    err->message = CRYPTO_memcmp(other.digest.data(), digest.data(), digest.size()) == 0
                       ? "the same value is listed twice (also \"" + other.name + "\")"
                       : "two values share the first 8 bytes of their SHA-256 (\"" + other.name + "\")";
    return err->status = Status::ERR_CONFIG;
  }
  entries_.push_back(Entry{std::move(name), digest});
  return Status::OK;
}

const std::string* CredentialList::Find(std::string_view presented) const {
  const Digest digest = Sha256(presented);
  const auto it = by_prefix_.find(Prefix(digest));
  if (it == by_prefix_.end()) return nullptr;
  const Entry& e = entries_[it->second];
  return CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0 ? &e.name : nullptr;
}

}  // namespace tokenverify::internal
