// Verification keys and key sets. A Key is parsed once, when its key set is
// loaded, into OpenSSL objects (or precomputed HMAC states) and is immutable
// from then on: Verify() may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "token/alg.h"
#include "tokenverify/result.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

class MacInProgress;

enum class KeyType : uint8_t { kRsa, kEc, kOkp, kOct };

class Key {
 public:
  virtual ~Key() = default;

  KeyType type() const noexcept { return type_; }
  const std::string& kid() const noexcept { return kid_; }  // "" when the JWK has none

  // CheckUsableFor says whether this key may verify a token signed with `alg`:
  //  OK;
  //  ERR_KEY_ALG_MISMATCH  wrong family (RSA only RS*/PS*, EC only ES* on its own
  //                        curve, OKP only EdDSA and its curve's RFC 9864 name,
  //                        oct only HS*) or the JWK's own
  //                        "alg" member names another algorithm;
  //  ERR_KEY_USE_MISMATCH  the JWK's "use" is not "sig" or its "key_ops" lacks "verify";
  //  ERR_JWK_WEAK          an HMAC secret shorter than the hash output of `alg`.
  Status CheckUsableFor(Alg alg) const noexcept;

  // Verify checks `signature` over `signing_input` with `alg`. The caller has
  // already checked CheckUsableFor(alg) == OK. Returns OK,
  // ERR_SIGNATURE_LENGTH (not the exact length for alg and key) or
  // ERR_SIGNATURE_INVALID. Constant-time for HMAC. Never allocates for HS*.
  virtual Status Verify(Alg alg, std::span<const uint8_t> signing_input,
                        std::span<const uint8_t> signature) const noexcept = 0;

  // Verify, given the digest of the signing input for `alg` (its hash's
  // output, computed by the caller: keys/digest_in_progress.h) instead of
  // the signing input. RSA and EC keys; any other key refuses
  // (ERR_SIGNATURE_INVALID): its signatures do not sign a digest alone.
  virtual Status VerifyDigest(Alg alg, std::span<const uint8_t> digest,
                              std::span<const uint8_t> signature) const noexcept;

  // Starts in *out, when this key is an HMAC secret and `alg` is HS256 (see
  // key_hmac.cc), what Verify(alg, signing_input, ...) would compute, for
  // the caller to advance between other work and check later
  // (keys/mac_in_progress.h); false, and *out untouched, for any other key
  // or alg. signing_input must outlive *out's use, and so must this key.
  virtual bool BeginMac(Alg alg, std::span<const uint8_t> signing_input, MacInProgress* out) const noexcept;

  // The size in bits of an RSA modulus or an HMAC secret; 0 for curve keys.
  virtual size_t bits() const noexcept { return 0; }
  // The JWK curve name of an EC or OKP key ("P-256", "Ed25519"); "" otherwise.
  virtual std::string_view curve() const noexcept { return {}; }

  // Human description for tooling: "RSA 2048", "EC P-256", "OKP Ed25519", "oct 256".
  std::string Describe() const;

  // The RFC 7638 JWK thumbprint (SHA-256, base64url) of the key material.
  const std::string& thumbprint() const noexcept { return thumbprint_; }
  // The JWK "kty" value.
  std::string_view kty() const noexcept;
  // The algorithm the JWK's "alg" member names, or "" when it names none.
  std::string_view member_alg() const noexcept;
  // False when the JWK's "use" or "key_ops" forbid verification.
  bool verify_allowed() const noexcept { return verify_allowed_; }

 protected:
  KeyType type_ = KeyType::kOct;
  std::string kid_;
  AlgSet family_algs_ = 0;         // algorithms the key material itself permits (family, curve, HMAC length)
  AlgSet member_algs_ = kAllAlgs;  // narrowed by the JWK "alg" member (0 if it names an unknown alg)
  bool verify_allowed_ = true;     // from "use" / "key_ops"
  std::string thumbprint_;

  friend void SetThumbprint(Key& key, std::string thumbprint) noexcept;
};

// A key of a set that the engine cannot use and left out (RFC 7517 section 5:
// keys an implementation cannot use SHOULD be ignored), kept for reports and
// so that a token naming it is refused with its own status.
struct SkippedKey {
  std::string kid;                          // "" when it has none
  std::string kty;                          // as the document says ("" when missing or not a string)
  Status status = Status::ERR_JWK_INVALID;  // what a token naming this key gets
  std::string reason;                       // where and why: `keys[1] (kid "enc1"): "use" is "enc", not "sig"`
  AlgSet family = 0;                        // the algorithms its kty would have signed (for tokens without kid)
};

// An immutable set of keys, as loaded from one JWK set or one shared secret.
class KeySet {
 public:
  // Looks a key up by kid in O(1); nullptr when absent.
  const Key* FindByKid(std::string_view kid) const noexcept;

  // For a kid FindByKid did not find: the status of the skipped key that has
  // it (ERR_JWK_WEAK, ERR_JWK_INVALID, ERR_KEY_USE_MISMATCH,
  // ERR_JWKS_DUPLICATE_KID, ...), else ERR_KID_NOT_FOUND. Off the hot path.
  Status StatusForMissingKid(std::string_view kid) const noexcept;

  // The keys left out when the set was loaded, in document order.
  std::span<const SkippedKey> skipped() const noexcept { return skipped_; }

  // How many keys have no kid (candidates for every token without one).
  size_t keys_without_kid() const noexcept { return keys_without_kid_; }

  // What a user should know about this set, for events and logs: the keys
  // skipped and why, and kid-less keys beyond `max_keys_without_kid` (tokens
  // without a kid are tried against that many compatible keys only). "" when
  // there is nothing to say; otherwise it starts with "; ".
  std::string Notes(size_t max_keys_without_kid) const;

  // Keys usable for `alg` (CheckUsableFor(alg) == OK), in key-set order, for
  // tokens without a kid. May be empty.
  std::span<const Key* const> CandidatesFor(Alg alg) const noexcept;

  std::span<const std::unique_ptr<Key>> keys() const noexcept { return keys_; }
  size_t size() const noexcept { return keys_.size(); }
  // True for a set whose keys carry no kid of their own: one shared secret
  // (KeySetFromSecret) or PEM public keys (ParsePemKeys). Such a set is used
  // whatever kid a token names. A JWK set, even of oct keys, binds kids: there
  // a token's kid must name its key.
  bool ignores_kid() const noexcept { return ignores_kid_; }

  // Builds a set from keys (takes ownership) and the keys left out. Fails
  // with ERR_JWKS_DUPLICATE_KID or ERR_JWKS_MIXED (oct keys beside public keys).
  static Result<std::shared_ptr<const KeySet>> Build(std::vector<std::unique_ptr<Key>> keys, Error* err,
                                                     bool ignore_kid = false, std::vector<SkippedKey> skipped = {});

 private:
  static constexpr size_t kKidsInOrder = 8;  // FindByKid compares up to this many in order

  std::vector<std::unique_ptr<Key>> keys_;
  absl::flat_hash_map<std::string, const Key*> by_kid_;
  std::vector<const Key*> by_alg_[kAlgCount];
  bool ignores_kid_ = false;
  std::vector<SkippedKey> skipped_;
  absl::flat_hash_map<std::string, Status> skipped_by_kid_;  // the first skipped key per kid
  size_t keys_without_kid_ = 0;
};

// What to do with a key of a set that the engine cannot use.
enum class UnusableKeys {
  kSkip,    // leave it out and report it (the default: one bad key never takes down a provider)
  kRefuse,  // refuse the whole set ("strictKeySet": true)
};

// How a provider's key sets are loaded: what its configuration asks of them.
struct KeyPolicy {
  UnusableKeys unusable = UnusableKeys::kSkip;
  // "allowShortHmacSecrets": true loads HMAC secrets shorter than the hash
  // output (RFC 7518 3.2 forbids them; at least 1 byte), for every HS
  // algorithm. Never the default: it exists to migrate from libraries that
  // accept them (PyJWT's enforce_minimum_key_length: False).
  bool short_hmac_secrets = false;
};

// ParseJwks parses a JWK set document ({"keys":[...]}) into a KeySet.
// Strict JSON (duplicate members, depth, UTF-8 as for tokens).
//
// The whole document is refused for: strict-JSON failures, a document that
// is not a set (not an object, no "keys" array, an entry that is not an
// object, more than 1024 entries): ERR_JWKS_MALFORMED; secret (oct) keys
// beside public keys: ERR_JWKS_MIXED.
//
// A key the engine cannot use is skipped (KeySet::skipped) with its status:
// ERR_JWKS_MALFORMED (a member of the wrong type), ERR_JWK_INVALID (unknown
// kty or crv, bad lengths, point not on curve, bad base64url, RSA e above
// 2^32), ERR_JWK_WEAK (RSA < 2048 bits, e < 3, HMAC secret < 32 bytes
// unless policy.short_hmac_secrets,
// Ed25519 small-order point), ERR_KEY_USE_MISMATCH ("use" other than "sig",
// "key_ops" without "verify", X25519/X448), ERR_JWKS_DUPLICATE_KID (every
// usable key whose kid another usable key shares). With UnusableKeys::kRefuse
// (policy.unusable) the first such key refuses the set with its status instead. A set left with
// no usable key is refused: with the first skipped key's status (and its
// message), or ERR_KEYS_UNAVAILABLE when the document holds no key at all.
// `err->message` says which key (index and kid) and which member.
Result<std::shared_ptr<const KeySet>> ParseJwks(std::string_view json, Error* err, KeyPolicy policy = {});

// ParseJwk parses one JWK object (its JSON text). Every problem is an error
// with the statuses above, except an unknown "kty" and a key-agreement OKP
// curve (X25519/X448), for which it returns nullptr (and OK).
Result<std::unique_ptr<Key>> ParseJwk(std::string_view json, Error* err);

// KeySetFromSecret builds a one-key HMAC set (no kid) from raw secret bytes.
// ERR_JWK_WEAK if shorter than 32 bytes (empty, with policy.short_hmac_secrets).
Result<std::shared_ptr<const KeySet>> KeySetFromSecret(std::span<const uint8_t> secret, Error* err,
                                                       KeyPolicy policy = {});

// ParsePemKeys builds a set from one or more PEM blocks: "PUBLIC KEY"
// (SubjectPublicKeyInfo), "RSA PUBLIC KEY" (PKCS#1) or "CERTIFICATE" (its
// public key; the certificate itself is not validated). The keys have no kid,
// so the set ignores a token's kid. The same rules as for JWKs apply (RSA of at
// least 2048 bits and e at most 2^32, P-256/384/521 or secp256k1, Ed25519/Ed448, no
// small-order points): a key that breaks them is skipped like a JWK (or, with
// UnusableKeys::kRefuse, refuses the set), and a text left with no usable key
// is refused with the first one's status. ERR_JWK_INVALID for a malformed
// block, a private key, text without PEM or an unsupported key type, with
// `err->message` naming the block.
Result<std::shared_ptr<const KeySet>> ParsePemKeys(std::string_view pem, Error* err, KeyPolicy policy = {});

}  // namespace tokenverify::internal
