// Differential fuzzer for the token JSON parsers (ParseHeader / ParsePayload,
// token/token.cc: the word-at-a-time fast path of json/fast_path.h in front of
// the scanner of json/scanner.cc) against their oracle, the simdjson On-Demand strict walk they
// replaced on the hot path (support/oracle/token_simdjson.h). Three answers per document:
//  - ParseHeader/ParsePayload (what the verifier runs) against the oracle:
//    the same status (accept/reject, and which rejection), and on acceptance
//    the same extracted values: alg, kid, typ; exp, nbf, iat, iss, sub, aud,
//    the presence bits and the collected string values of the claims of
//    interest;
//  - when the fast path alone takes the document, its answer against the
//    scanner's alone (ParseHeaderScanner/ParsePayloadScanner): the same
//    status and values, since the fast path only ever answers for documents
//    it walked to the end.
// Any disagreement aborts with "differential mismatch" and the answers.
//
// Input: one mode byte, then the JSON document itself (not base64url).
//   bit 0      0: header, 1: payload
//   bits 1-2   maxJsonDepth: 32, 2 (the smallest a configuration allows), 3, 256
// A payload is also parsed with a member memo (json/member_memo.h) against
// its answer without one: the memo first takes the names of the bytes before
// the input's first 0xFF (a byte no document the fast path takes has), or
// else of the document itself, so every payload is walked once wholly
// predicted, and inputs with a 0xFF in part.
// The scanner's scratch is thread_local and reused, as in the verifier, so
// state one document leaves behind can hurt the next one here too.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "support/oracle/token_simdjson.h"
#include "token/token.h"

namespace {

using namespace tokenverify::internal;  // NOLINT: a harness of internals
using tokenverify::Status;
using tokenverify::StatusName;

// Claims a verifier could be interested in: some with matchers (string values
// collected), some only required, registered names among both.
const ClaimInterest& Interest() {
  static const ClaimInterest interest = [] {
    ClaimInterest ci;
    for (auto [name, values] : {std::pair{"team", true},
                                {"roles", true},
                                {"scope", true},
                                {"iss", true},
                                {"aud", true},
                                {"sub", false},
                                {"email", false},
                                {"nonce", false},
                                {"exp", false},
                                {"\xC3\xA9", true}}) {
      ci.Add(name, values);
    }
    return ci;
  }();
  return interest;
}

[[noreturn]] void Mismatch(std::string_view what, std::string_view doc, Status scanner, Status oracle) {
  const std::string_view a = StatusName(scanner), b = StatusName(oracle);
  std::fprintf(stderr, "json_differential: differential mismatch: %.*s\n  got %.*s, expected %.*s\n",
               static_cast<int>(what.size()), what.data(), static_cast<int>(a.size()), a.data(),
               static_cast<int>(b.size()), b.data());
  std::fprintf(stderr, "  document (%zu bytes): ", doc.size());
  for (unsigned char ch : doc) std::fprintf(stderr, ch >= 0x20 && ch < 0x7F ? "%c" : "\\x%02x", ch);
  std::fprintf(stderr, "\n");
  std::abort();
}

void Expect(bool same, std::string_view what, std::string_view doc, Status st) {
  if (!same) Mismatch(what, doc, st, st);
}

struct Scratch {
  TokenJsonScratch scanner;
  JsonScratch oracle;
  std::vector<std::string_view> scanner_strings, oracle_strings, fast_strings, scanner_only_strings, memo_strings;
};

void SameHeader(const JoseHeader& got, const JoseHeader& want, std::string_view doc, Status st) {
  Expect(got.alg == want.alg, "alg", doc, st);
  Expect(got.has_kid == want.has_kid && got.kid == want.kid, "kid", doc, st);
  Expect(got.has_typ == want.has_typ && got.typ == want.typ, "typ", doc, st);
}

void Header(Scratch& s, std::string_view doc, int max_depth) {
  std::memcpy(s.scanner.Reserve(doc.size()), doc.data(), doc.size());
  JoseHeader got;
  const Status scanned = ParseHeader(s.scanner, doc.size(), max_depth, &got);

  JoseHeader want;
  simdjson::ondemand::document d;
  Status walked = StartSimdjsonDocument(doc, s.oracle, &d);
  if (walked == Status::OK) walked = ParseHeaderSimdjson(d, max_depth, s.oracle.names(), &want);

  if (scanned != walked) Mismatch("header status", doc, scanned, walked);
  if (scanned == Status::OK) SameHeader(got, want, doc, scanned);

  // The fast path alone against the scanner alone (the document is still in
  // the scratch: neither writes into it).
  JoseHeader fast;
  Status fast_verdict = Status::OK;
  if (!ParseHeaderFast(s.scanner, doc.size(), max_depth, &fast, &fast_verdict)) return;
  JoseHeader slow;
  const Status slow_verdict = ParseHeaderScanner(s.scanner, doc.size(), max_depth, &slow);
  if (fast_verdict != slow_verdict) Mismatch("header status, fast path vs scanner", doc, fast_verdict, slow_verdict);
  if (fast_verdict == Status::OK) SameHeader(fast, slow, doc, fast_verdict);
}

bool SameStrings(const PayloadView& a, StringRange ra, const PayloadView& b, StringRange rb) {
  if (ra.count != rb.count) return false;
  const auto x = a.Strings(ra), y = b.Strings(rb);
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i] != y[i]) return false;
  return true;
}

void SamePayload(const PayloadView& got, const PayloadView& want, std::string_view doc, Status st) {
  Expect(got.has_exp == want.has_exp && (!got.has_exp || got.exp == want.exp), "exp", doc, st);
  Expect(got.has_nbf == want.has_nbf && (!got.has_nbf || got.nbf == want.nbf), "nbf", doc, st);
  Expect(got.has_iat == want.has_iat && (!got.has_iat || got.iat == want.iat), "iat", doc, st);
  Expect(got.has_iss == want.has_iss && got.iss == want.iss, "iss", doc, st);
  Expect(got.has_sub == want.has_sub && got.sub == want.sub, "sub", doc, st);
  Expect(got.has_aud == want.has_aud && (!got.has_aud || SameStrings(got, got.aud, want, want.aud)), "aud", doc, st);
  Expect(got.present == want.present, "presence bits", doc, st);
  for (size_t i = 0; i < Interest().size(); ++i) {
    if (!Interest().wants_values(i)) continue;
    Expect(SameStrings(got, got.values[i], want, want.values[i]), "claim values", doc, st);
  }
}

void Payload(Scratch& s, std::string_view prime, std::string_view doc, int max_depth) {
  // With a memo of prime's names first (its parse's own answer is not the
  // point; each parse gets a fresh view, as in the verifier).
  PayloadMemo memo;
  {
    PayloadView primed;
    primed.strings = &s.memo_strings;
    std::memcpy(s.scanner.Reserve(prime.size()), prime.data(), prime.size());
    (void)ParsePayload(s.scanner, prime.size(), max_depth, Interest(), &primed, {}, &memo);
  }
  PayloadView remembered;
  remembered.strings = &s.memo_strings;
  std::memcpy(s.scanner.Reserve(doc.size()), doc.data(), doc.size());
  const Status with_memo = ParsePayload(s.scanner, doc.size(), max_depth, Interest(), &remembered, {}, &memo);

  PayloadView got;
  got.strings = &s.scanner_strings;
  const Status scanned = ParsePayload(s.scanner, doc.size(), max_depth, Interest(), &got);
  if (with_memo != scanned) Mismatch("payload status, member memo vs none", doc, with_memo, scanned);
  if (scanned == Status::OK) SamePayload(remembered, got, doc, scanned);

  PayloadView want;
  want.strings = &s.oracle_strings;
  simdjson::ondemand::document d;
  Status walked = StartSimdjsonDocument(doc, s.oracle, &d);
  if (walked == Status::OK) walked = ParsePayloadSimdjson(d, max_depth, s.oracle.names(), Interest(), &want);

  if (scanned != walked) Mismatch("payload status", doc, scanned, walked);
  if (scanned == Status::OK) SamePayload(got, want, doc, scanned);

  // The fast path alone against the scanner alone (see Header).
  PayloadView fast;
  fast.strings = &s.fast_strings;
  if (!ParsePayloadFast(s.scanner, doc.size(), max_depth, Interest(), &fast)) return;
  PayloadView slow;
  slow.strings = &s.scanner_only_strings;
  const Status slow_status = ParsePayloadScanner(s.scanner, doc.size(), max_depth, Interest(), &slow);
  if (slow_status != Status::OK) Mismatch("payload status, fast path vs scanner", doc, Status::OK, slow_status);
  SamePayload(fast, slow, doc, slow_status);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr int kDepths[] = {32, 2, 3, 256};
  const int max_depth = kDepths[(data[0] >> 1) & 3];
  std::string_view doc(reinterpret_cast<const char*>(data + 1), size - 1);
  thread_local Scratch scratch;
  if (data[0] & 1) {
    std::string_view prime = doc;
    if (const size_t split = doc.find('\xFF'); split != std::string_view::npos) {
      prime = doc.substr(0, split);
      doc.remove_prefix(split + 1);
    }
    Payload(scratch, prime, doc, max_depth);
  } else {
    Header(scratch, doc, max_depth);
  }
  return 0;
}
