#include "request/password_hash.h"

#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "base/ascii.h"

namespace tokenverify::internal {
namespace {

// Limits on what a configured hash may cost, so that one line of
// configuration cannot make every check take minutes.
constexpr int kMaxBcryptCost = 16;                 // about 5 s on a fast core
constexpr uint32_t kMaxArgon2MemoryKiB = 1 << 20;  // 1 GiB
constexpr uint32_t kMaxArgon2Passes = 64;
constexpr uint32_t kMaxArgon2Lanes = 64;
// sha-crypt: the specification's minimum; the maximum keeps one check near a second.
constexpr uint32_t kMinShaCryptRounds = 1000;
constexpr uint32_t kMaxShaCryptRounds = 5'000'000;

struct ProcessKey {
  uint8_t bytes[32];
  ProcessKey() {
    // Without randomness the key would be predictable: never run on with that.
    if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();
  }
};

const ProcessKey& Key() {
  static const ProcessKey key;  // thread-safe initialisation
  return key;
}

// The crypt alphabet (bcrypt and the sha/yescrypt families share it, in different orders).
bool IsCryptChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || AsciiIsDigit(static_cast<unsigned char>(c)) || c == '.' ||
         c == '/';
}

bool AllCryptChars(std::string_view s) {
  for (char c : s)
    if (!IsCryptChar(c)) return false;
  return true;
}

// The checksum after the last '$' must have the scheme's length.
bool ChecksumLength(std::string_view stored, size_t want) {
  const size_t dollar = stored.rfind('$');
  return dollar != std::string_view::npos && stored.size() - dollar - 1 == want &&
         AllCryptChars(stored.substr(dollar + 1));
}

bool ParseUint(std::string_view s, uint32_t* out) {
  if (s.empty() || s.size() > 9) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (!AsciiIsDigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *out = v;
  return true;
}

// $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>: the parameters within limits.
bool ValidArgon2(std::string_view s, std::string* why) {
  std::string_view rest = s.substr(1);
  auto take = [&]() {
    const size_t dollar = rest.find('$');
    std::string_view part = rest.substr(0, dollar);
    rest = dollar == std::string_view::npos ? std::string_view() : rest.substr(dollar + 1);
    return part;
  };
  const std::string_view type = take();
  if (type != "argon2id" && type != "argon2i" && type != "argon2d") return *why = "unknown argon2 variant", false;
  std::string_view version = take();
  if (version != "v=19" && version != "v=16") return *why = "argon2 version must be v=19 (or v=16)", false;
  // libargon2 decodes exactly "m=..,t=..,p=..", in that order.
  std::string_view params = take();
  uint32_t m = 0, t = 0, p = 0;
  const size_t c1 = params.find(','), c2 = c1 == std::string_view::npos ? c1 : params.find(',', c1 + 1);
  if (c2 == std::string_view::npos || !params.starts_with("m=") || params.substr(c1 + 1, 2) != "t=" ||
      params.substr(c2 + 1, 2) != "p=" || !ParseUint(params.substr(2, c1 - 2), &m) ||
      !ParseUint(params.substr(c1 + 3, c2 - c1 - 3), &t) || !ParseUint(params.substr(c2 + 3), &p))
    return *why = "argon2 parameters must be m=<KiB>,t=<passes>,p=<lanes>, in that order", false;
  if (m < 8 || m > kMaxArgon2MemoryKiB || t < 1 || t > kMaxArgon2Passes || p < 1 || p > kMaxArgon2Lanes)
    return *why = "argon2 parameters out of range (m 8..1048576 KiB, t 1..64, p 1..64)", false;
  const std::string_view salt = take(), hash = take();
  if (salt.empty() || hash.size() < 16 || !rest.empty()) return *why = "argon2 salt or hash is missing", false;
  return true;
}

// Apache's MD5-crypt ($apr1$): Poul-Henning Kamp's md5crypt with the magic
// "$apr1$", as htpasswd -m writes it. libxcrypt has md5crypt ($1$) only.
std::string Apr1(std::string_view password, std::string_view salt) {
  static constexpr std::string_view kMagic = "$apr1$";
  auto md5 = [](std::string_view a) {
    std::array<uint8_t, 16> out;
    unsigned int n = 0;
    EVP_Digest(a.data(), a.size(), out.data(), &n, EVP_md5(), nullptr);
    return out;
  };
  auto view = [](const std::array<uint8_t, 16>& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  std::array<uint8_t, 16> alt = md5(std::string(password) + std::string(salt) + std::string(password));
  std::string ctx = std::string(password) + std::string(kMagic) + std::string(salt);
  for (size_t left = password.size(); left > 0; left -= std::min<size_t>(left, 16))
    ctx.append(view(alt).substr(0, std::min<size_t>(left, 16)));
  for (size_t i = password.size(); i != 0; i >>= 1)
    ctx.push_back((i & 1) ? '\0' : password.empty() ? '\0' : password[0]);
  std::array<uint8_t, 16> final_digest = md5(ctx);
  for (int i = 0; i < 1000; ++i) {
    std::string round;
    round.append((i & 1) ? password : view(final_digest));
    if (i % 3) round.append(salt);
    if (i % 7) round.append(password);
    round.append((i & 1) ? view(final_digest) : password);
    final_digest = md5(round);
  }
  static constexpr char kItoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out = std::string(kMagic) + std::string(salt) + "$";
  auto to64 = [&](uint32_t v, int n) {
    while (n-- > 0) {
      out.push_back(kItoa64[v & 0x3f]);
      v >>= 6;
    }
  };
  const uint8_t* f = final_digest.data();
  to64((uint32_t{f[0]} << 16) | (uint32_t{f[6]} << 8) | f[12], 4);
  to64((uint32_t{f[1]} << 16) | (uint32_t{f[7]} << 8) | f[13], 4);
  to64((uint32_t{f[2]} << 16) | (uint32_t{f[8]} << 8) | f[14], 4);
  to64((uint32_t{f[3]} << 16) | (uint32_t{f[9]} << 8) | f[15], 4);
  to64((uint32_t{f[4]} << 16) | (uint32_t{f[10]} << 8) | f[5], 4);
  to64(f[11], 2);
  return out;
}

std::string Sha1Base64(std::string_view password) {
  uint8_t digest[SHA_DIGEST_LENGTH];
  unsigned int n = 0;
  EVP_Digest(password.data(), password.size(), digest, &n, EVP_sha1(), nullptr);
  char b64[29];
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64), digest, SHA_DIGEST_LENGTH);
  return std::string(b64, 28);
}

bool EqualConstantTime(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// crypt_rn's state is 32 KiB: one per thread, reused.
crypt_data& CryptScratch() {
  thread_local std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();
  return *data;
}

}  // namespace

KeyedDigest KeyedHash(std::string_view domain, std::string_view a, std::string_view b) {
  // SHA-256(key ‖ len(domain) ‖ domain ‖ len(a) ‖ a ‖ b): every part's length
  // is fixed or written, so no two inputs share an encoding.
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, Key().bytes, sizeof Key().bytes);
  const uint64_t lengths[2] = {domain.size(), a.size()};
  SHA256_Update(&ctx, &lengths[0], sizeof lengths[0]);
  SHA256_Update(&ctx, domain.data(), domain.size());
  SHA256_Update(&ctx, &lengths[1], sizeof lengths[1]);
  SHA256_Update(&ctx, a.data(), a.size());
  SHA256_Update(&ctx, b.data(), b.size());
  KeyedDigest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Result<StoredPassword> StoredPassword::Parse(std::string_view stored, Error* err) {
  auto bad = [&](const std::string& why) {
    err->status = Status::ERR_CONFIG;
    err->message = why;
    return Status::ERR_CONFIG;
  };
  StoredPassword p;
  p.stored_ = std::string(stored);
  if (stored.starts_with("{SHA}")) {
    p.scheme_ = Scheme::kSha1;
    const std::string_view b64 = stored.substr(5);
    bool base64 = b64.size() == 28 && b64.back() == '=';
    for (char c : b64.substr(0, 27))
      base64 = base64 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          AsciiIsDigit(static_cast<unsigned char>(c)) || c == '+' || c == '/');
    if (!base64) return bad("a {SHA} hash is 27 base64 characters and '=' (htpasswd -s)");
    return p;
  }
  if (stored.starts_with("$apr1$")) {
    p.scheme_ = Scheme::kApr1;
    const std::string_view rest = stored.substr(6);
    const size_t dollar = rest.find('$');
    if (dollar == std::string_view::npos || dollar == 0 || dollar > 8 || !AllCryptChars(rest.substr(0, dollar)) ||
        !ChecksumLength(stored, 22))
      return bad("not a valid $apr1$ hash (htpasswd -m): $apr1$<salt of up to 8>$<22 characters>");
    return p;
  }
  if (stored.starts_with("$argon2")) {
    p.scheme_ = Scheme::kArgon2;
    std::string why;
    if (!ValidArgon2(stored, &why)) return bad("not a valid argon2 hash: " + why);
    return p;
  }
  if (stored.starts_with("$2a$") || stored.starts_with("$2b$") || stored.starts_with("$2y$")) {
    p.scheme_ = Scheme::kBcrypt;
    uint32_t cost = 0;
    if (stored.size() != 60 || stored[6] != '$' || !ParseUint(stored.substr(4, 2), &cost) ||
        !AllCryptChars(stored.substr(7)))
      return bad("not a valid bcrypt hash: $2y$<cost>$ and 53 characters");
    if (cost < 4 || cost > kMaxBcryptCost)
      return bad("bcrypt cost " + std::to_string(cost) + " is outside 4.." + std::to_string(kMaxBcryptCost));
    // The salt's 22nd character carries 2 bits: only ".Oeu" are canonical. libxcrypt
    // rewrites any other, so such a hash could never match.
    if (std::string_view(".Oeu").find(stored[28]) == std::string_view::npos)
      return bad("not a valid bcrypt hash: the salt's last character is not canonical (one of . O e u)");
  } else if (stored.starts_with("$5$") || stored.starts_with("$6$")) {
    p.scheme_ = stored[1] == '5' ? Scheme::kShaCrypt256 : Scheme::kShaCrypt512;
    if (!ChecksumLength(stored, p.scheme_ == Scheme::kShaCrypt256 ? 43 : 86))
      return bad(std::string("not a valid sha") + (stored[1] == '5' ? "256" : "512") + "-crypt hash");
    if (stored.substr(3).starts_with("rounds=")) {
      const std::string_view rest = stored.substr(10);
      uint32_t rounds = 0;
      if (!ParseUint(rest.substr(0, rest.find('$')), &rounds) || rounds < kMinShaCryptRounds ||
          rounds > kMaxShaCryptRounds)
        return bad("sha-crypt rounds must be from 1000 to 5000000");
    }
  } else if (stored.starts_with("$y$") || stored.starts_with("$gy$") || stored.starts_with("$7$")) {
    p.scheme_ = Scheme::kYescrypt;
    if (!ChecksumLength(stored, 43)) return bad("not a valid yescrypt hash");
  } else if (stored.starts_with("$1$")) {
    p.scheme_ = Scheme::kMd5Crypt;
    if (!ChecksumLength(stored, 22)) return bad("not a valid md5-crypt ($1$) hash");
  } else if (stored.starts_with("$") && stored.size() > 1 && stored.find('$', 1) != std::string_view::npos &&
             stored.find('$', 1) < 12) {
    return bad("\"" + std::string(stored.substr(0, stored.find('$', 1) + 1)) +
               "\" is not a supported hash (bcrypt, sha-crypt, yescrypt, argon2, $apr1$, {SHA}); a plain-text "
               "password may not look like one");
  } else {
    p.scheme_ = Scheme::kPlain;
    p.digest_ = KeyedHash("plain", stored);
    p.stored_.clear();  // not kept
    return p;
  }
  // The crypt family: libxcrypt must know the setting.
  // LEGACY (md5-crypt, sha-crypt on some builds) still verifies; htpasswd files are full of them.
  const int salt = crypt_checksalt(p.stored_.c_str());
  if (salt != CRYPT_SALT_OK && salt != CRYPT_SALT_METHOD_LEGACY)
    return bad("libxcrypt does not accept this hash's setting");
  // yescrypt's cost is packed into its setting: one run at load proves that
  // libxcrypt takes it and that a check ends (the other formats are checked
  // above by their syntax, so loading many bcrypt users stays fast).
  if (p.scheme_ == Scheme::kYescrypt) {
    crypt_data& data = CryptScratch();
    const char* out = crypt_rn("", p.stored_.c_str(), &data, sizeof data);
    const std::string_view setting = stored.substr(0, stored.rfind('$') + 1);
    if (out == nullptr || out[0] == '*' || std::strlen(out) != stored.size() ||
        std::string_view(out).substr(0, setting.size()) != setting)
      return bad("libxcrypt cannot check this yescrypt hash");
  }
  return p;
}

bool StoredPassword::Matches(std::string_view password) const {
  switch (scheme_) {
    case Scheme::kPlain: {
      const KeyedDigest d = KeyedHash("plain", password);
      return CRYPTO_memcmp(d.data(), digest_.data(), d.size()) == 0;
    }
    case Scheme::kSha1:
      return EqualConstantTime(Sha1Base64(password), std::string_view(stored_).substr(5));
    case Scheme::kApr1: {
      const std::string_view rest = std::string_view(stored_).substr(6);
      return EqualConstantTime(Apr1(password, rest.substr(0, rest.find('$'))), stored_);
    }
    case Scheme::kArgon2: {
      if (password.find('\0') != std::string_view::npos) return false;
      const argon2_type type = stored_.starts_with("$argon2id$")  ? Argon2_id
                               : stored_.starts_with("$argon2i$") ? Argon2_i
                                                                  : Argon2_d;
      return argon2_verify(stored_.c_str(), password.data(), password.size(), type) == ARGON2_OK;
    }
    default: {
      // crypt takes C strings: a password with a NUL cannot be the one.
      if (password.find('\0') != std::string_view::npos) return false;
      const std::string phrase(password);
      crypt_data& data = CryptScratch();
      const char* out = crypt_rn(phrase.c_str(), stored_.c_str(), &data, sizeof data);
      return out != nullptr && out[0] != '*' && EqualConstantTime(out, stored_);
    }
  }
}

std::string_view StoredPassword::scheme_name() const {
  switch (scheme_) {
    case Scheme::kBcrypt:
      return "bcrypt";
    case Scheme::kShaCrypt256:
      return "sha256crypt";
    case Scheme::kShaCrypt512:
      return "sha512crypt";
    case Scheme::kYescrypt:
      return "yescrypt";
    case Scheme::kMd5Crypt:
      return "md5crypt";
    case Scheme::kArgon2:
      return "argon2";
    case Scheme::kApr1:
      return "apr1";
    case Scheme::kSha1:
      return "sha1";
    case Scheme::kPlain:
      return "plain";
  }
  return "plain";
}

}  // namespace tokenverify::internal
