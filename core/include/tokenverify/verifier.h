// The C++ API of the engine. Other runtimes use the C ABI in
// bindings/c/include/tokenverify.h, which is a thin shim over this.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tokenverify/request.h"
#include "tokenverify/result.h"
#include "tokenverify/status.h"

namespace tokenverify {

namespace internal {
struct VerifierInternals;  // the engine's own access to a Verifier (core/src/verify/verifier_impl.h)
}  // namespace internal

// What a successful Verify leaves behind: views into per-thread scratch
// memory, valid until the next Verify on the same thread.
struct VerifiedToken {
  std::string_view header_json;   // decoded protected header
  std::string_view payload_json;  // decoded payload (the claims)
  std::string_view provider;      // name of the provider that accepted the token
  std::string_view subject;       // the token's "sub" (unescaped), empty when it has none
};

// A change in a provider's key set, reported from the refresher thread of a
// file or remote key set (see Verifier::Create).
struct KeySetEvent {
  enum class Kind {
    kUpdated,    // a new key set is being served
    kUnchanged,  // a refresh confirmed the current set (304, or the same document)
    kFailed,     // a refresh failed; the last good set (if any) is still served
    kDropped,    // the last good set outlived maxStale and is no longer served
  };
  Kind kind = Kind::kUpdated;
  std::string provider;
  uint64_t generation = 0;  // of the set served after the event
  size_t key_count = 0;
  size_t skipped_key_count = 0;  // keys of the served set that were skipped as unusable
  long http_status = 0;          // remote: the response's status, 0 if none
  // What failed, or where the keys came from; then, for a new set, each
  // skipped key (position, kid, why, status) and kid-less keys beyond
  // limits.maxKeysWithoutKid, each after "; ".
  std::string message;
};
using KeySetEventCallback = std::function<void(const KeySetEvent&)>;

// What a verifier calls back into: key-set events and the application's
// credential validator (both optional).
struct VerifierOptions {
  KeySetEventCallback on_event;
  CredentialValidator validator;  // needed by auths marked "validator": true
};

// A Verifier is built from one configuration document and is immutable from
// then on: any number of threads may call Verify at once.
class Verifier {
 public:
  // Create parses and checks `config_json` and loads every key set. On
  // failure `err` (if not null) gets the status, the field path and a message.
  // `on_event`, if set, is called from refresher threads (never from Verify)
  // for every key-set event; it may call Stats but must not destroy the verifier.
  static Result<std::unique_ptr<Verifier>> Create(std::string_view config_json, Error* err,
                                                  KeySetEventCallback on_event = {});
  static Result<std::unique_ptr<Verifier>> Create(std::string_view config_json, Error* err, VerifierOptions options);

  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

  // Verify checks `token` completely. Returns OK or the first failure found.
  // Claims are checked only after the signature verified, so a claim status
  // is never an answer for a forger. Never allocates on a warm thread.
  Status Verify(std::string_view token, VerifiedToken* out = nullptr) const noexcept;

  // VerifySignature checks `token` as Verify does up to and including its
  // signature (size, structure, header, allow-lists, key choice with the
  // early refresh for an unknown kid, signature) but takes the payload as
  // opaque bytes: no JSON, no claims, no revocation, no token cache, and no
  // verification counted in the stats. For a JWS whose payload is not a JWT,
  // and for front ends that check claims by rules of their own (the Python
  // package's PyJWT drop-in does, where PyJWT reads claims more loosely than
  // the engine). A token that passes it is signed by a configured key,
  // nothing more: never let it stand for a verified JWT.
  Status VerifySignature(std::string_view token) const noexcept;

  // One token's outcome in VerifyBatch: its index in the batch, its status
  // and, when that is OK, what Verify would have written to its
  // VerifiedToken (views valid only during the call; null otherwise). Called
  // on whichever thread verified the token, for several tokens at once when
  // the batch has several threads; must not throw.
  using BatchResultFn = std::function<void(size_t index, Status status, const VerifiedToken* verified)>;

  // VerifyBatch verifies every token of `tokens` as Verify would, on the
  // calling thread and up to `threads - 1` threads of a pool this verifier
  // keeps (0: one per CPU; at most 64 in all; never more than there are
  // tokens). The pool starts with the first batch that wants it and is
  // joined by the destructor; later batches reuse its threads. A failed
  // token never stops the batch. Any number of threads may call VerifyBatch
  // (and Verify) at once.
  //
  // This form writes the status of tokens[i] to statuses[i] and returns OK,
  // or ERR_INVALID_ARGUMENT (nothing verified) when the sizes differ.
  Status VerifyBatch(std::span<const std::string_view> tokens, std::span<Status> statuses,
                     unsigned threads) const noexcept;
  // This form calls `on_result` exactly once per token (in no particular
  // order across threads) and returns OK, or ERR_INVALID_ARGUMENT (nothing
  // verified) when `on_result` is empty.
  Status VerifyBatch(std::span<const std::string_view> tokens, unsigned threads,
                     const BatchResultFn& on_result) const noexcept;

  // Authenticate decides whether `request` may pass, by the configuration's
  // rules (or, without rules, by its providers' tokens) and fills `*out`
  // (a fresh Decision). Returns OK when it made a decision, allowed or
  // denied; ERR_OUT_OF_MEMORY otherwise. Thread-safe.
  Status Authenticate(const RequestView& request, Decision* out) const noexcept;

  // Revocation (see the README's "Revocation"). Revoke refuses the token
  // whose jti is `jti` with ERR_REVOKED until its `exp` (unix seconds) plus
  // the leeway; RevokeSubject refuses every token of `subject` whose iat is
  // before `issued_before` (or that has no iat), for revocation.subjectTtl
  // after it. A non-empty `issuer` limits either to tokens of that iss.
  // Returns OK (also for a jti whose exp is already past), ERR_INVALID_ARGUMENT
  // for an empty id, or ERR_REVOCATIONS_FULL. Thread-safe, also while other
  // threads verify.
  Status Revoke(std::string_view jti, int64_t exp, std::string_view issuer = {}) const noexcept;
  Status RevokeSubject(std::string_view subject, int64_t issued_before, std::string_view issuer = {}) const noexcept;

  // The state of every provider's keys and the verification counts, as a
  // JSON document (see the README's "Health and stats"). With `with_keys`,
  // each provider also lists its keys (kid, kty, alg, size or curve, RFC 7638
  // thumbprint).
  std::string StatsJson(bool with_keys) const;

 private:
  struct Impl;
  friend struct internal::VerifierInternals;
  explicit Verifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tokenverify
