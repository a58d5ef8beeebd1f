// Header and payload parsing as the verifier does it: base64url decode into
// thread-local scratch, the strict token JSON parse (the fast path of
// json/fast_path.h, which this token takes; the scanner alone is timed too, as
// what a token that falls back to it pays), the standard claims read, with
// the ClaimInterest the fixture verifier's configuration produces (requiredClaims
// ["exp"] and a matcher on "tenant"). Baseline: SHA-256 of the same signing
// input (the HS256 budget is counted in those). The simdjson walk the scanner
// replaced (the differential fuzzer's oracle) is timed too, on the same bytes.
#include <openssl/sha.h>

#include <exception>
#include <string>
#include <vector>

#include "base64url/base64url.h"
#include "bench_util.h"
#include "json/simdjson_strict.h"
#include "support/oracle/token_simdjson.h"
#include "token/decode.h"
#include "token/header_memo.h"
#include "token/token.h"

namespace tvbench {
namespace {

namespace ti = tokenverify::internal;
using tokenverify::Status;

constexpr int kMaxDepth = 32;  // the configuration default

// Per-thread scratch, as in the verifier.
struct Scratch {
  ti::TokenJsonScratch header;
  ti::TokenJsonScratch payload;
  ti::PayloadMemo payload_memo;
  std::vector<std::string_view> strings;
  ti::JsonScratch simdjson_header;  // for the oracle's walk
  ti::JsonScratch simdjson_payload;
};

Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

const ti::ClaimInterest& Interest() {
  static const ti::ClaimInterest interest = [] {
    ti::ClaimInterest i;
    i.Add("exp", false);
    i.Add("tenant", true);
    return i;
  }();
  return interest;
}

// The token every JSON benchmark parses (the HS256 fixture's: same header and
// payload sizes as every other algorithm's).
struct Input {
  std::string token;
  ti::TokenParts parts;
};

// The HS256 fixture's token, split; false (and the benchmark skipped) on failure.
bool Split(benchmark::State& state, Input* in) {
  try {
    in->token = FixtureFor("HS256").token;
  } catch (const std::exception& e) {
    Fail(state, e.what());
    return false;
  }
  if (ti::SplitToken(in->token, &in->parts) == Status::OK) return true;
  Fail(state, "SplitToken failed");
  return false;
}

// Checks that a parse read what the payload holds.
bool PayloadLooksRight(const ti::PayloadView& pv) {
  return pv.has_exp && pv.has_iat && pv.has_nbf && pv.has_iss && pv.has_sub && pv.has_aud && pv.aud.count == 2 &&
         (pv.present & 3) == 3 && pv.values[1].count == 1;
}

// Times decode_header followed by the payload's decode and parse (with
// `payload_memo`, if any), as the verifier runs them, after checking (twice: a
// memo misses, then hits) that they read what the fixture holds.
template <typename DecodeHeaderFn>
void TimeHeaderAndPayload(benchmark::State& state, DecodeHeaderFn decode_header, ti::PayloadMemo* payload_memo) {
  Input in;
  if (!Split(state, &in)) return;
  Scratch& s = ThreadScratch();
  auto once = [&](ti::JoseHeader* h, ti::PayloadView* pv) {
    size_t header_len = 0, payload_len = 0;
    TV_RETURN_IF_ERROR(decode_header(in.parts, h, &header_len));
    pv->strings = &s.strings;
    return ti::DecodePayload(in.parts, s.payload, kMaxDepth, Interest(), pv, &payload_len, {}, payload_memo);
  };
  for (int i = 0; i < 2; ++i) {
    ti::JoseHeader h;
    ti::PayloadView pv;
    const Status st = once(&h, &pv);
    if (st != Status::OK) return Fail(state, "parse failed: " + std::string(tokenverify::StatusName(st)));
    if (!h.has_kid || !h.has_typ || !PayloadLooksRight(pv)) return Fail(state, "parse read the wrong claims");
  }
  for (auto _ : state) {
    ti::JoseHeader h;
    ti::PayloadView pv;
    const Status st = once(&h, &pv);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(h);
    benchmark::DoNotOptimize(pv);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(in.parts.signing_input.size()));
}

// Header + payload: decode and parse both, read alg/kid/typ and the claims;
// no memo, every token as if it were the thread's first.
void BM_HeaderAndPayload(benchmark::State& state) {
  ti::TokenJsonScratch& scratch = ThreadScratch().header;  // looked up once, not in the timed loop
  TimeHeaderAndPayload(
      state,
      [&scratch](const ti::TokenParts& parts, ti::JoseHeader* h, size_t* len) {
        return ti::DecodeHeader(parts, scratch, kMaxDepth, h, len);
      },
      nullptr);
}

// The same as the verifier runs it on a stream of one issuer's tokens: the
// header through the thread's HeaderMemo (token/header_memo.h), which after
// the first token answers from the segment's bytes alone; the payload with
// the thread's PayloadMemo (json/member_memo.h), which predicts its names.
void BM_HeaderMemoAndPayload(benchmark::State& state) {
  thread_local ti::HeaderMemo thread_memo;
  ti::HeaderMemo& memo = thread_memo;  // looked up once, not in the timed loop, as the verifier's scratch
  TimeHeaderAndPayload(
      state,
      [&memo](const ti::TokenParts& parts, ti::JoseHeader* h, size_t* len) {
        return memo.Decode(parts, kMaxDepth, h, len);
      },
      &ThreadScratch().payload_memo);
}

// Decodes both segments into the scratch buffers once; false (benchmark
// skipped) on failure. The buffers are not written again by the parse loops.
bool DecodeBoth(benchmark::State& state, const Input& in, Scratch& s, size_t* header_len, size_t* payload_len) {
  ti::JoseHeader h;
  ti::PayloadView pv;
  pv.strings = &s.strings;
  if (ti::DecodeHeader(in.parts, s.header, kMaxDepth, &h, header_len) != Status::OK ||
      ti::DecodePayload(in.parts, s.payload, kMaxDepth, Interest(), &pv, payload_len) != Status::OK) {
    Fail(state, "decoding the fixture failed");
    return false;
  }
  return true;
}

// The same scan on already-decoded JSON: the share of the strict JSON parse alone.
void BM_ParseOnly(benchmark::State& state) {
  Input in;
  if (!Split(state, &in)) return;
  Scratch& s = ThreadScratch();
  size_t header_len = 0, payload_len = 0;
  if (!DecodeBoth(state, in, s, &header_len, &payload_len)) return;
  {
    // The fixture is a compact token: the fast path must take it whole.
    ti::JoseHeader h;
    Status verdict = Status::OK;
    ti::PayloadView pv;
    pv.strings = &s.strings;
    if (!ti::ParseHeaderFast(s.header, header_len, kMaxDepth, &h, &verdict) ||
        !ti::ParsePayloadFast(s.payload, payload_len, kMaxDepth, Interest(), &pv))
      return Fail(state, "the fast path did not take the fixture");
  }
  for (auto _ : state) {
    ti::JoseHeader h;
    Status st = ti::ParseHeader(s.header, header_len, kMaxDepth, &h);
    ti::PayloadView pv;
    pv.strings = &s.strings;
    if (st == Status::OK) st = ti::ParsePayload(s.payload, payload_len, kMaxDepth, Interest(), &pv);
    if (st != Status::OK) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(h);
    benchmark::DoNotOptimize(pv);
  }
}

// The scanner alone (json/scanner.h), on the same decoded bytes: what a token
// the fast path leaves to it costs, less the fast path's failed attempt.
void BM_ParseOnlyScanner(benchmark::State& state) {
  Input in;
  if (!Split(state, &in)) return;
  Scratch& s = ThreadScratch();
  size_t header_len = 0, payload_len = 0;
  if (!DecodeBoth(state, in, s, &header_len, &payload_len)) return;
  for (auto _ : state) {
    ti::JoseHeader h;
    Status st = ti::ParseHeaderScanner(s.header, header_len, kMaxDepth, &h);
    ti::PayloadView pv;
    pv.strings = &s.strings;
    if (st == Status::OK) st = ti::ParsePayloadScanner(s.payload, payload_len, kMaxDepth, Interest(), &pv);
    if (st != Status::OK) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(h);
    benchmark::DoNotOptimize(pv);
  }
}

// The simdjson On-Demand walk the scanner replaced, on the same decoded bytes
// (copied into simdjson's padded buffer, as the verifier used to decode into it).
void BM_ParseOnlySimdjson(benchmark::State& state) {
  Input in;
  if (!Split(state, &in)) return;
  Scratch& s = ThreadScratch();
  size_t header_len = 0, payload_len = 0;
  if (!DecodeBoth(state, in, s, &header_len, &payload_len)) return;
  const std::string_view header(reinterpret_cast<const char*>(s.header.data()), header_len);
  const std::string_view payload(reinterpret_cast<const char*>(s.payload.data()), payload_len);
  for (auto _ : state) {
    ti::JoseHeader h;
    simdjson::ondemand::document hdoc;
    Status st = ti::StartSimdjsonDocument(header, s.simdjson_header, &hdoc);
    if (st == Status::OK) st = ti::ParseHeaderSimdjson(hdoc, kMaxDepth, s.simdjson_header.names(), &h);
    ti::PayloadView pv;
    pv.strings = &s.strings;
    simdjson::ondemand::document pdoc;
    if (st == Status::OK) st = ti::StartSimdjsonDocument(payload, s.simdjson_payload, &pdoc);
    if (st == Status::OK) st = ti::ParsePayloadSimdjson(pdoc, kMaxDepth, s.simdjson_payload.names(), Interest(), &pv);
    if (st != Status::OK) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(h);
    benchmark::DoNotOptimize(pv);
  }
}

// The base64url share: decoding both segments with the active kernel.
void BM_DecodeOnly(benchmark::State& state) {
  Input in;
  if (!Split(state, &in)) return;
  Scratch& s = ThreadScratch();
  uint8_t* hbuf = s.header.Reserve(ti::Base64urlDecodedLength(in.parts.header.size()));
  uint8_t* pbuf = s.payload.Reserve(ti::Base64urlDecodedLength(in.parts.payload.size()));
  for (auto _ : state) {
    bool ok = ti::Base64urlDecode(in.parts.header, hbuf);
    ok &= ti::Base64urlDecode(in.parts.payload, pbuf);
    benchmark::DoNotOptimize(ok);
    benchmark::ClobberMemory();
  }
}

// Baseline: SHA-256 of the signing input (low-level API, state on the stack).
void BM_Sha256(benchmark::State& state) {
  Input in;
  if (!Split(state, &in)) return;
  const std::string_view msg = in.parts.signing_input;
  uint8_t md[SHA256_DIGEST_LENGTH];
  for (auto _ : state) {
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, msg.data(), msg.size());
    SHA256_Final(md, &c);
    benchmark::DoNotOptimize(md);
    benchmark::ClobberMemory();
  }
}

}  // namespace

void RegisterJsonBenchmarks() {
  benchmark::RegisterBenchmark("json/sha256-of-signing-input", BM_Sha256);
  benchmark::RegisterBenchmark("json/header+payload", BM_HeaderAndPayload);
  benchmark::RegisterBenchmark("json/header-memo+payload", BM_HeaderMemoAndPayload);
  benchmark::RegisterBenchmark("json/parse-only", BM_ParseOnly);
  benchmark::RegisterBenchmark("json/parse-only-scanner", BM_ParseOnlyScanner);
  benchmark::RegisterBenchmark("json/parse-only-simdjson-walk", BM_ParseOnlySimdjson);
  benchmark::RegisterBenchmark("json/base64url-only", BM_DecodeOnly);
}

}  // namespace tvbench
