#include "token/token.h"

#include <atomic>
#include <cmath>
#include <cstring>

#include "base64url/base64url.h"
#include "json/fast_path.h"

namespace tokenverify::internal {

namespace {

// The last dot of a token that has one, searched from the end: past the
// signature only (glibc's memrchr reads a vector at a time).
size_t LastDot(std::string_view token) noexcept {
#if defined(__GLIBC__)
  const void* last = memrchr(token.data(), '.', token.size());
  return static_cast<size_t>(static_cast<const char*>(last) - token.data());
#else
  return token.rfind('.');
#endif
}

}  // namespace

Status SplitAtOuterDots(std::string_view token, TokenParts* out) noexcept {
  const size_t dot1 = token.find('.');
  // RFC 7515 allows an empty payload (a JWT then fails as "not an object"), not an empty header.
  if (dot1 == std::string_view::npos || dot1 == 0) return Status::ERR_MALFORMED_TOKEN;
  const size_t dot2 = LastDot(token);
  if (dot2 == dot1) return Status::ERR_MALFORMED_TOKEN;
  out->header = token.substr(0, dot1);
  out->payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  out->signature = token.substr(dot2 + 1);
  out->signing_input = token.substr(0, dot2);
  return Status::OK;
}

Status SplitToken(std::string_view token, TokenParts* out) noexcept {
  TV_RETURN_IF_ERROR(SplitAtOuterDots(token, out));
  return PayloadHoldsDot(*out) ? Status::ERR_MALFORMED_TOKEN : Status::OK;
}

namespace {

// Drops the padding of one segment; false when it has none to drop.
bool DropPadding(std::string_view* segment) noexcept {
  const size_t n = segment->size();
  size_t pad = 0;
  while (pad < 2 && pad < n && (*segment)[n - 1 - pad] == '=') ++pad;
  if (pad == 0 || n % 4 != 0 || (n > pad && (*segment)[n - 1 - pad] == '=')) return false;
  segment->remove_suffix(pad);
  return true;
}

}  // namespace

bool DropSegmentPadding(TokenParts* parts) noexcept {
  // Not short-circuited: each segment loses its own padding.
  const bool header = DropPadding(&parts->header);
  const bool payload = DropPadding(&parts->payload);
  const bool signature = DropPadding(&parts->signature);
  return header || payload || signature;
}

namespace {

// A value of the wrong JSON type is `wrong_type`, but only if it is valid
// JSON: broken JSON is reported as such. `depth` is that of the container
// holding it (1 for a member of the top-level object).
// Inline: a call taking the cursor's address would keep the fast cursor out
// of registers.
template <typename Cursor>
[[gnu::always_inline]] inline Status WrongType(Cursor& c, Status wrong_type, int depth = 1) noexcept {
  TV_RETURN_IF_ERROR(c.SkipValue(depth));
  return wrong_type;
}

// Reads a string member; a non-string is `wrong_type`.
template <typename Cursor>
[[gnu::always_inline]] inline Status ReadStringMember(Cursor& c, Status wrong_type, std::string_view* out) noexcept {
  if (c.Peek() != '"') return WrongType(c, wrong_type);
  return c.ReadString(out);
}

// NumericDate (RFC 7519 section 2): a JSON number. Fractions are allowed and
// truncated toward minus infinity; anything outside int64 is malformed.
template <typename Cursor>
[[gnu::always_inline]] inline Status ReadNumericDateMember(Cursor& c, int64_t* out) noexcept {
  if (!c.AtNumber()) return WrongType(c, Status::ERR_MALFORMED_CLAIM);
  return c.ReadNumericDate(out);
}

// Appends the strings of a string or an array-of-strings value. With
// `strict`, any other shape is ERR_MALFORMED_CLAIM (aud); otherwise other
// shapes are validated and contribute nothing (custom claims with matchers).
template <typename Cursor>
[[gnu::always_inline]] inline Status ReadStrings(Cursor& c, bool strict, std::vector<std::string_view>& strings,
                                                 StringRange* range) noexcept {
  range->begin = static_cast<uint32_t>(strings.size());
  if (c.Peek() == '"') {
    std::string_view s;
    TV_RETURN_IF_ERROR(c.ReadString(&s));
    strings.push_back(s);
  } else if (c.Peek() == '[') {
    TV_RETURN_IF_ERROR(c.EnterArray(1));
    Status st = Status::OK;
    for (bool first = true; c.NextElement(first, &st); first = false) {
      if (c.Peek() == '"') {
        std::string_view s;
        TV_RETURN_IF_ERROR(c.ReadString(&s));
        strings.push_back(s);
      } else if (strict) {
        return WrongType(c, Status::ERR_MALFORMED_CLAIM, 2);
      } else {
        TV_RETURN_IF_ERROR(c.SkipValue(2));
      }
    }
    TV_RETURN_IF_ERROR(st);
  } else if (strict) {
    return WrongType(c, Status::ERR_MALFORMED_CLAIM);
  } else {
    TV_RETURN_IF_ERROR(c.SkipValue(1));
  }
  range->count = static_cast<uint32_t>(strings.size()) - range->begin;
  return Status::OK;
}

constexpr uint64_t kAlg = ShortNameFingerprint("alg"), kKid = ShortNameFingerprint("kid"),
                   kTyp = ShortNameFingerprint("typ"), kCrit = ShortNameFingerprint("crit"),
                   kB64 = ShortNameFingerprint("b64"), kExp = ShortNameFingerprint("exp"),
                   kNbf = ShortNameFingerprint("nbf"), kIat = ShortNameFingerprint("iat"),
                   kIss = ShortNameFingerprint("iss"), kSub = ShortNameFingerprint("sub"),
                   kAud = ShortNameFingerprint("aud");

// The fingerprint of a name held elsewhere (NameFingerprint reads 8 bytes
// from the name; the caller's may hold fewer, so copy short names out).
uint64_t OwnedNameFingerprint(std::string_view name) noexcept {
  if (name.size() >= 8) return NameFingerprint(name.data(), name.size());
  char padded[16] = {};
  std::memcpy(padded, name.data(), name.size());
  return NameFingerprint(padded, name.size());
}

}  // namespace

namespace {

// The header's members, read through either cursor (JsonCursor or
// FastJsonCursor: one member code for both, so they read the same values).
// Returns the walk's status; after a walk that succeeded, *verdict is the
// header's (ERR_MISSING_ALG, the alg's).
template <typename Cursor>
[[gnu::always_inline]] inline Status WalkHeader(Cursor& c, JoseHeader* out, Status* verdict) noexcept {
  bool has_alg = false;
  Status alg_status = Status::OK;
  TV_RETURN_IF_ERROR(c.WalkObject([&](const MemberName& name) -> Status {
    switch (name.fingerprint) {
      case kAlg: {
        std::string_view alg;
        TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_HEADER, &alg));
        has_alg = true;
        alg_status = ParseAlg(alg, &out->alg);
        return Status::OK;
      }
      case kKid:
        TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_HEADER, &out->kid));
        out->has_kid = true;
        return Status::OK;
      case kTyp:
        TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_HEADER, &out->typ));
        out->has_typ = true;
        return Status::OK;
      case kCrit:
        return Status::ERR_CRIT_UNSUPPORTED;  // we understand no extension (RFC 7515 section 4.1.11)
      case kB64: {
        if (c.Peek() != 't' && c.Peek() != 'f') return WrongType(c, Status::ERR_MALFORMED_HEADER);
        bool b64 = true;
        TV_RETURN_IF_ERROR(c.ReadBool(&b64));
        if (!b64) return Status::ERR_B64_UNSUPPORTED;  // RFC 7797 unencoded payloads
        return Status::OK;
      }
      default:
        return c.SkipValue(1);
    }
  }));
  *verdict = has_alg ? alg_status : Status::ERR_MISSING_ALG;
  return Status::OK;
}

}  // namespace

bool ParseHeaderFast(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out, Status* verdict) noexcept {
  if (!FastJsonCursor::Admits(doc, n)) return false;
  FastJsonCursor fast(doc, n, max_depth);
  return WalkHeader(fast, out, verdict) == Status::OK;
}

Status ParseHeaderScanner(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out) noexcept {
  Status verdict = Status::OK;
  JsonCursor c(doc, n, max_depth);
  TV_RETURN_IF_ERROR(WalkHeader(c, out, &verdict));
  return verdict;
}

Status ParseHeader(TokenJsonScratch& doc, size_t n, int max_depth, JoseHeader* out) noexcept {
  // The usual header (compact, no escapes, flat) takes the fast path; its
  // walk either succeeds, reading what the scanner would, or leaves the
  // document to the scanner, which starts afresh and gives the status.
  Status verdict = Status::OK;
  if (ParseHeaderFast(doc, n, max_depth, out, &verdict)) [[likely]]
    return verdict;
  return ParseHeaderScanner(doc, n, max_depth, out);
}

ClaimInterest::ClaimInterest() noexcept {
  for (auto [fingerprint, claim] : {std::pair{kExp, RegisteredClaim::kExp},
                                    {kNbf, RegisteredClaim::kNbf},
                                    {kIat, RegisteredClaim::kIat},
                                    {kIss, RegisteredClaim::kIss},
                                    {kSub, RegisteredClaim::kSub},
                                    {kAud, RegisteredClaim::kAud}}) {
    Insert(fingerprint, std::string_view()).claim = claim;
  }
}

ClaimInterest::Entry& ClaimInterest::Insert(uint64_t fingerprint, std::string_view name) noexcept {
  for (size_t h = SlotOf(fingerprint);; h = (h + 1) & (kSlots - 1)) {
    Entry& e = slots_[h];
    if (!e.used) {
      e.used = true;
      e.fingerprint = fingerprint;
      return e;
    }
    if (e.fingerprint == fingerprint && (name.size() < 8 || names_[static_cast<size_t>(e.index)] == name)) return e;
  }
}

uint64_t ClaimInterest::Serial::Next() noexcept {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

int ClaimInterest::Add(std::string_view name, bool wants_values) {
  serial_.value = Serial::Next();  // memos of the table as it was are no longer this table's
  int idx = Find(name);
  if (idx < 0) {
    idx = static_cast<int>(names_.size());
    names_.emplace_back(name);
    wants_values_.push_back(false);
  }
  if (wants_values) wants_values_[static_cast<size_t>(idx)] = true;
  // Past kMax the configuration is refused; the table (kSlots entries) must
  // not fill up meanwhile.
  if (static_cast<size_t>(idx) < kMax) {
    Entry& e = Insert(OwnedNameFingerprint(name), name);
    e.index = static_cast<int16_t>(idx);
    e.wants_values = wants_values_[static_cast<size_t>(idx)];
  }
  return idx;
}

int ClaimInterest::Find(std::string_view name) const noexcept {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  return -1;
}

namespace {

// The payload's members, read through either cursor (see WalkHeader).
template <typename Cursor>
[[gnu::always_inline]] inline Status WalkPayload(Cursor& c, const ClaimInterest& interest, PayloadView* out,
                                                 InterleavedWork work = {}, PayloadMemo* memo = nullptr) noexcept {
  auto& strings = *out->strings;
  unsigned member = 0;
  auto lookup = [&interest](const MemberName& name) { return interest.Lookup(name); };
  return c.WalkObject(memo, interest.serial(), lookup, [&](const MemberName&, const ClaimInterest::Entry* e) -> Status {
    if (work.slice != nullptr && (member++ & 1) == 0) work.slice(work.arg);
    if (e == nullptr) return c.SkipValue(1);  // most members: nobody asked
    StringRange* values = nullptr;
    if (e->index >= 0) {
      // A claim whose value is JSON null is missing (requiredClaims). The
      // cursor sits on the value: only null starts with 'n'.
      if (c.Peek() != 'n') out->present |= uint64_t{1} << e->index;
      if (e->wants_values) values = &out->values[e->index];
    }
    switch (e->claim) {
      case RegisteredClaim::kExp:
        TV_RETURN_IF_ERROR(ReadNumericDateMember(c, &out->exp));
        out->has_exp = true;
        return Status::OK;
      case RegisteredClaim::kNbf:
        TV_RETURN_IF_ERROR(ReadNumericDateMember(c, &out->nbf));
        out->has_nbf = true;
        return Status::OK;
      case RegisteredClaim::kIat:
        TV_RETURN_IF_ERROR(ReadNumericDateMember(c, &out->iat));
        out->has_iat = true;
        return Status::OK;
      case RegisteredClaim::kIss:
      case RegisteredClaim::kSub: {
        const bool iss = e->claim == RegisteredClaim::kIss;
        std::string_view* slot = iss ? &out->iss : &out->sub;
        TV_RETURN_IF_ERROR(ReadStringMember(c, Status::ERR_MALFORMED_CLAIM, slot));
        (iss ? out->has_iss : out->has_sub) = true;
        if (values) {
          values->begin = static_cast<uint32_t>(strings.size());
          values->count = 1;
          strings.push_back(*slot);
        }
        return Status::OK;
      }
      case RegisteredClaim::kAud:
        TV_RETURN_IF_ERROR(ReadStrings(c, /*strict=*/true, strings, &out->aud));
        out->has_aud = true;
        if (values) *values = out->aud;
        return Status::OK;
      case RegisteredClaim::kNone:
        break;
    }
    if (values) return ReadStrings(c, /*strict=*/false, strings, values);
    return c.SkipValue(1);
  });
}

}  // namespace

bool ParsePayloadFast(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest, PayloadView* out,
                      InterleavedWork work, PayloadMemo* memo) noexcept {
  out->strings->clear();
  if (!FastJsonCursor::Admits(doc, n)) return false;
  // A fallback starts afresh: the strings go, and the presence bits (or-ed
  // in) are put back; everything else the scanner's walk sets again, to the
  // same values, before it reads past anything the fast walk read.
  const uint64_t present = out->present;
  FastJsonCursor fast(doc, n, max_depth);
  if (WalkPayload(fast, interest, out, work, memo) == Status::OK) [[likely]]
    return true;
  out->present = present;
  out->strings->clear();
  return false;
}

Status ParsePayloadScanner(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest,
                           PayloadView* out) noexcept {
  out->strings->clear();
  JsonCursor c(doc, n, max_depth);
  return WalkPayload(c, interest, out);
}

Status ParsePayload(TokenJsonScratch& doc, size_t n, int max_depth, const ClaimInterest& interest, PayloadView* out,
                    InterleavedWork work, PayloadMemo* memo) noexcept {
  // The fast path first, as in ParseHeader.
  if (ParsePayloadFast(doc, n, max_depth, interest, out, work, memo)) [[likely]]
    return Status::OK;
  return ParsePayloadScanner(doc, n, max_depth, interest, out);
}

}  // namespace tokenverify::internal
