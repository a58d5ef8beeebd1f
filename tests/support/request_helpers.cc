#include "support/request_helpers.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace tokenverify::testing {

std::unique_ptr<Verifier> MakeVerifier(const std::string& config, CredentialValidator validator) {
  Error err;
  VerifierOptions options;
  options.validator = std::move(validator);
  auto v = Verifier::Create(config, &err, std::move(options));
  EXPECT_TRUE(v.ok()) << err.field << ": " << err.message << "\nconfig: " << config;
  return v.ok() ? std::move(v).value() : nullptr;
}

std::unique_ptr<Decision> Decide(const Verifier& v, const Req& r) {
  std::vector<HeaderView> views;
  for (const auto& [n, val] : r.headers) views.push_back({n.data(), n.size(), val.data(), val.size()});
  const RequestView view{r.method, r.host, r.target, views, r.body};
  auto d = std::make_unique<Decision>();
  EXPECT_EQ(v.Authenticate(view, d.get()), Status::OK);
  return d;
}

std::string BasicHeader(std::string_view user, std::string_view password) {
  const std::string text = std::string(user) + ":" + std::string(password);
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(n));
  return "Basic " + out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 15]);
  }
  return out;
}

}  // namespace tokenverify::testing
