// The compact JWS, taken apart without copies: segments are views into the
// caller's bytes and the signing input is the caller's own "header.payload".
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "json/member_memo.h"
#include "json/scanner.h"
#include "token/alg.h"
#include "tokenverify/status.h"

namespace tokenverify::internal {

struct TokenParts {
  std::string_view header;         // base64url
  std::string_view payload;        // base64url
  std::string_view signature;      // base64url, may be empty (the caller decides)
  std::string_view signing_input;  // header "." payload, the caller's bytes
};

// SplitToken finds exactly two dots. ERR_MALFORMED_TOKEN when there are not
// exactly three segments or the header is empty. The payload may be empty
// (RFC 7515); the signature too (the caller decides).
Status SplitToken(std::string_view token, TokenParts* out) noexcept;

// SplitToken in two halves, for a verification that starts hashing the
// signing input before it searches the payload, the longest segment:
// SplitAtOuterDots takes the first and the last dot (ERR_MALFORMED_TOKEN for
// fewer than two, or an empty header), and the token has more than three
// segments when PayloadHoldsDot. The caller answers ERR_MALFORMED_TOKEN for
// that before any other status and before it reads the payload.
Status SplitAtOuterDots(std::string_view token, TokenParts* out) noexcept;
inline bool PayloadHoldsDot(const TokenParts& parts) noexcept {
  return std::memchr(parts.payload.data(), '.', parts.payload.size()) != nullptr;
}

// DropSegmentPadding takes base64 padding off the end of each segment that
// ends in it, as AWS ALB signs its tokens: one "=" after 3 mod 4 characters,
// two after 2 mod 4. The signing input keeps the padding (it is what was
// signed). Other "=" are left for the decoder to refuse. Returns whether any
// segment was padded: only providers with "allowPaddedSegments" accept it.
bool DropSegmentPadding(TokenParts* parts) noexcept;

// The protected header members the engine acts on.
struct JoseHeader {
  Alg alg = Alg::kHS256;
  bool has_kid = false;
  bool has_typ = false;
  std::string_view kid;  // unescaped; lives as long as the scratch holds the header
  std::string_view typ;
};

// ParseHeader scans the header document, the first n bytes of `doc` (see
// TokenJsonScratch::Reserve), strictly and fills *out. A compact ASCII
// document without escapes takes a fast path (json/fast_path.h); anything else,
// and any failure, the scanner (json/scanner.h), which gives every status.
// ERR_MISSING_ALG, ERR_ALG_NONE, ERR_ALG_UNSUPPORTED, ERR_MALFORMED_HEADER (a
// member of the wrong type), ERR_CRIT_UNSUPPORTED, ERR_B64_UNSUPPORTED, or a
// JSON status (ERR_JSON_BOM included). jwk, jku, x5u, x5c and x5t are
// validated as JSON and ignored.
Status ParseHeader(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out) noexcept;

// The registered claims the payload scan reads itself.
enum class RegisteredClaim : uint8_t { kNone, kExp, kNbf, kIat, kIss, kSub, kAud };

// Claim names a verifier cares about beyond the registered ones: required
// claims and claims with matchers. Each gets a bit in PayloadView::present.
// Built once per verifier (Add), it also keeps the table the payload scan
// looks every member name up in, once, for both its registered claim and its
// interest index.
class ClaimInterest {
 public:
  static constexpr size_t kMax = 64;

  // One entry of the member-name table.
  struct Entry {
    uint64_t fingerprint = 0;
    bool used = false;
    bool wants_values = false;
    RegisteredClaim claim = RegisteredClaim::kNone;
    int16_t index = -1;  // into names(), or -1: a registered claim nobody asked for
  };

  ClaimInterest() noexcept;

  // Index of `name`, added first if new; wants_values is sticky (collect the
  // string values once any caller wants them). Past kMax the caller must
  // refuse the configuration: indexes above 63 have no bit in `present`.
  int Add(std::string_view name, bool wants_values);
  // Index of `name`, or -1.
  int Find(std::string_view name) const noexcept;

  size_t size() const noexcept { return names_.size(); }
  const std::vector<std::string>& names() const noexcept { return names_; }
  bool wants_values(size_t i) const noexcept { return wants_values_[i]; }

  // A number no other table shares, in this process, and that changes with
  // every Add: what a member memo (PayloadMemo) resolved names for.
  uint64_t serial() const noexcept { return serial_.value; }

  // The table entry of a member name, or nullptr when the payload scan has
  // nothing to do with it. One multiply and usually one probe.
  const Entry* Lookup(const MemberName& name) const noexcept {
    for (size_t h = SlotOf(name.fingerprint);; h = (h + 1) & (kSlots - 1)) {
      const Entry& e = slots_[h];
      if (!e.used) return nullptr;
      // Names under 8 bytes are equal when their fingerprints are; longer
      // ones (never registered) compare their text.
      if (e.fingerprint == name.fingerprint &&
          (name.text.size() < 8 || names_[static_cast<size_t>(e.index)] == name.text))
        return &e;
    }
  }

 private:
  // A fresh number for every table, copies included (never 0: a memo's "none").
  struct Serial {
    uint64_t value = Next();
    Serial() noexcept = default;
    Serial(const Serial&) noexcept : value(Next()) {}
    Serial& operator=(const Serial&) noexcept {
      value = Next();
      return *this;
    }
    static uint64_t Next() noexcept;
  };

  // Room for kMax interest names and the six registered ones, at most half full.
  static constexpr size_t kSlots = 256;
  static size_t SlotOf(uint64_t fingerprint) noexcept {
    return static_cast<size_t>((fingerprint * 0x9E3779B97F4A7C15u) >> 56);
  }
  // The entry of `name` (of that fingerprint), taken from the free slots if new.
  Entry& Insert(uint64_t fingerprint, std::string_view name) noexcept;

  std::vector<std::string> names_;
  std::vector<bool> wants_values_;
  Entry slots_[kSlots];
  Serial serial_;
};

// A span of string values inside PayloadView::strings.
struct StringRange {
  uint32_t begin = 0;
  uint32_t count = 0;
};

// What the payload scan extracts. Views live as long as the scratch holds the payload.
struct PayloadView {
  bool has_exp = false, has_nbf = false, has_iat = false;
  bool has_iss = false, has_sub = false, has_aud = false;
  int64_t exp = 0, nbf = 0, iat = 0;
  std::string_view iss, sub;
  StringRange aud;                                   // aud as one string or an array of strings
  uint64_t present = 0;                              // bit i: ClaimInterest::names[i] is present
  StringRange values[ClaimInterest::kMax];           // string values of interest claims that want them
  std::vector<std::string_view>* strings = nullptr;  // backing store (per thread, reused)

  std::span<const std::string_view> Strings(StringRange r) const noexcept {
    return {strings->data() + r.begin, r.count};
  }
};

// Work a caller runs in slices beside the payload's walk: one slice as the
// fast path reaches the first top-level member and every second one after it
// (the scanner runs none; the caller finishes what is left). Verification
// puts the hash of the signing input there (the HMAC, keys/mac_in_progress.h,
// or the digest of RS256/PS256/ES256, keys/digest_in_progress.h): a hash is
// one long chain of dependent instructions that leaves most of the core
// idle, and the walk fills it. Every second member: a slice is a SHA-256
// block, about 130 cycles of dependent rounds, and two members' walk fit in
// the reorder window beside it (paired HS256 ÷ SHA-256, same machine,
// alternating runs: a slice every member 1.77–1.79×, every second 1.70×,
// every third 1.74×, every fourth 1.81×; again with the member memo's
// shorter walk: every member 1.71×, every second 1.65×, every third 1.62–1.74×,
// two blocks every third or fourth member 1.67–1.71×).
struct InterleavedWork {
  void (*slice)(void* arg) noexcept = nullptr;
  void* arg = nullptr;
};

// The payload names a thread's last fast walk met, resolved in one
// ClaimInterest (json/member_memo.h): per thread, beside its payload scratch.
using PayloadMemo = MemberMemo<const ClaimInterest::Entry*>;

// ParsePayload scans the payload document, the first n bytes of `doc`,
// strictly: the registered claims exp, nbf, iat (NumericDates: JSON numbers
// within int64, fractions floored, else ERR_MALFORMED_CLAIM), iss, sub
// (strings), aud (a string or an array of strings), plus presence and string
// values of the claims in `interest`. out->strings must be set; it is cleared
// first. `work` gets its slices (see InterleavedWork). With a memo, the fast
// path walks the names it predicts without looking them up again, and
// leaves this document's there.
Status ParsePayload(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest, PayloadView* out,
                    InterleavedWork work = {}, PayloadMemo* memo = nullptr) noexcept;

// The two halves of ParseHeader and ParsePayload, for tests and the
// differential fuzzer. The fast path (json/fast_path.h) alone: true when it took
// the document and walked it to the end (then *verdict / *out are what the
// scanner would give), false when it left it to the scanner. The scanner
// (json/scanner.h) alone: the answer for any document.
bool ParseHeaderFast(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out, Status* verdict) noexcept;
Status ParseHeaderScanner(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out) noexcept;
bool ParsePayloadFast(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest, PayloadView* out,
                      InterleavedWork work = {}, PayloadMemo* memo = nullptr) noexcept;
Status ParsePayloadScanner(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest,
                           PayloadView* out) noexcept;

}  // namespace tokenverify::internal
