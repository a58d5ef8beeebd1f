// Differential fuzzer for strict base64url: every decode kernel the running
// CPU supports must agree with the scalar reference decoder, byte for byte,
// on accept/reject and on every decoded byte. Also checks the strictness
// contract: an accepted input is the one canonical encoding of its bytes.
//
// Input layout (first byte = mode):
//   mode & 1 == 0: the rest is the text to decode, as is (mostly rejections);
//   mode & 1 == 1: the rest is binary; it is encoded, and then a few
//                  fuzz-chosen edits (replace a character, cut the length) are
//                  applied, so valid inputs of every length and tail, and
//                  near-valid ones with one bad character anywhere, are common.
// Every buffer is heap-allocated at its exact size so ASan catches a kernel
// that reads past the input or writes past its documented output slack.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "base64url/base64url.h"

namespace {

using tokenverify::internal::AllBase64urlKernels;
using tokenverify::internal::Base64urlDecodedLength;
using tokenverify::internal::Base64urlDecodeScalar;
using tokenverify::internal::Base64urlEncode;
using tokenverify::internal::Base64urlKernel;
using tokenverify::internal::kBase64urlOutputSlack;

[[noreturn]] void Mismatch(const char* what, const Base64urlKernel& k, const std::string& text) {
  std::fprintf(stderr, "base64url differential mismatch: %s (kernel %.*s, input length %zu)\n", what,
               static_cast<int>(k.name.size()), k.name.data(), text.size());
  std::abort();
}

// `text` decoded by `decode` into a fresh exact-size buffer; returns whether it
// was accepted and leaves the decoded bytes in *out.
bool DecodeExact(tokenverify::internal::Base64urlDecodeFn decode, const std::string& text, std::string* out) {
  // An exact-size copy of the input (at least one byte, so the pointer is valid).
  std::unique_ptr<char[]> in(new char[text.size() + (text.empty() ? 1 : 0)]);
  std::memcpy(in.get(), text.data(), text.size());
  const size_t n = Base64urlDecodedLength(text.size());
  std::unique_ptr<uint8_t[]> buf(new uint8_t[n + kBase64urlOutputSlack]);
  const bool ok = decode(in.get(), text.size(), buf.get());
  out->assign(reinterpret_cast<const char*>(buf.get()), n);
  return ok;
}

void Check(const std::string& text, const std::string* expected_bytes) {
  std::string reference;
  const bool ref_ok = DecodeExact(&Base64urlDecodeScalar, text, &reference);
  if (expected_bytes != nullptr && (!ref_ok || reference != *expected_bytes)) {
    std::fprintf(stderr, "scalar decoder rejects or misdecodes the encoder's output (length %zu)\n", text.size());
    std::abort();
  }
  // Strict: exactly one accepted encoding per byte string, and no length 1 (mod 4).
  if (ref_ok && (text.size() % 4 == 1 || Base64urlEncode(reference) != text)) {
    std::fprintf(stderr, "scalar decoder accepts a non-canonical encoding (length %zu)\n", text.size());
    std::abort();
  }
  for (const Base64urlKernel& k : AllBase64urlKernels()) {
    if (!k.supported()) continue;
    std::string got;
    const bool ok = DecodeExact(k.decode, text, &got);
    if (ok != ref_ok) Mismatch(ok ? "kernel accepts, scalar rejects" : "kernel rejects, scalar accepts", k, text);
    if (ok && got != reference) Mismatch("decoded bytes differ", k, text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  FuzzedDataProvider fdp(data + 1, size - 1);
  if ((mode & 1) == 0) {
    Check(std::string(reinterpret_cast<const char*>(data + 1), size - 1), nullptr);
    return 0;
  }
  // Edits are taken from the end of the input (FuzzedDataProvider's integral
  // reads), the bytes to encode from the front.
  const uint8_t edits = fdp.ConsumeIntegralInRange<uint8_t>(0, 3);
  struct Edit {
    size_t pos;
    char c;
  } edit[3] = {};
  for (uint8_t i = 0; i < edits; ++i) {
    edit[i].pos = fdp.ConsumeIntegral<uint16_t>();
    edit[i].c = static_cast<char>(fdp.ConsumeIntegral<uint8_t>());
  }
  const bool cut = (mode & 2) != 0;
  const uint16_t cut_to = cut ? fdp.ConsumeIntegral<uint16_t>() : 0;
  const std::string bytes = fdp.ConsumeRemainingBytesAsString();
  std::string text = Base64urlEncode(bytes);
  Check(text, &bytes);
  if (edits == 0 && !cut) return 0;
  for (uint8_t i = 0; i < edits; ++i) {
    if (!text.empty()) text[edit[i].pos % text.size()] = edit[i].c;
  }
  if (cut && !text.empty()) text.resize(cut_to % (text.size() + 1));
  Check(text, nullptr);
  return 0;
}
