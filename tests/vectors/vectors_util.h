// Helpers for the suites that run the standard vectors in ../shared/vectors:
// loading Wycheproof files, hex, and the per-file bookkeeping of results,
// skips and listed deviations (tests/vectors/deviations.txt).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tokenverify::testing {

// Hex to bytes; adds a test failure on odd length or a non-hex digit.
std::string HexDecode(std::string_view hex);

// A parsed vector file. The parser owns the DOM that `root` points into.
struct VectorFile {
  std::string name;  // base name, e.g. "ed25519_test.json"
  std::unique_ptr<simdjson::dom::parser> parser;
  simdjson::dom::element root;
  bool ok = false;
};

// Loads VectorsDir()/<relative>; adds a test failure if it cannot.
VectorFile LoadVectorFile(const std::string& relative);

// Member accessors that return a default (and never throw) when the member
// is missing or has another type.
std::string_view StrOr(simdjson::dom::element e, std::string_view key, std::string_view def = "");
int64_t IntOr(simdjson::dom::element e, std::string_view key, int64_t def = -1);
bool Has(simdjson::dom::element e, std::string_view key);
// The element's JSON text (for handing JWK objects to the parser under test).
std::string JsonText(simdjson::dom::element e);

enum class Expect { kValid, kInvalid, kAcceptable };
// "valid" / "invalid" / "acceptable" (anything else fails the test and is kInvalid).
Expect ExpectOf(std::string_view result);
std::string_view ExpectName(Expect e);

// Runs the bookkeeping of one vector file. Every vector is either checked
// (Check) or skipped with a reason (Skip). A vector that does not get its
// expected outcome must be listed in deviations.txt, by tcId or by a named
// rule that the suite says applies to it; a listed deviation that never
// happens fails the test, so the list cannot rot. Finish() prints the counts.
class FileRun {
 public:
  explicit FileRun(std::string file);
  ~FileRun();

  void Skip(int64_t tc_id, std::string reason);
  // `expect` is what a JWS verifier must do with the vector (the suite may
  // have mapped the file's result, see Remap). `rules` are the deviation
  // rules that apply to this vector. `what` describes it for messages.
  void Check(int64_t tc_id, Expect expect, bool accepted, std::vector<std::string> rules = {},
             std::string_view what = "");
  // Counts a vector whose file result was mapped to `expect` for JWS, e.g.
  // a valid PSS signature with other parameters than PS256's.
  void Remap(std::string reason) { ++remapped_[std::move(reason)]; }
  void Finish();

 private:
  std::string file_;
  int passed_ = 0;
  int deviations_ = 0;
  std::map<std::string, int> skipped_;   // reason -> count
  std::map<std::string, int> remapped_;  // reason -> count
  std::map<std::string, int> deviated_;  // reason -> count
  std::vector<int64_t> acceptable_accepted_, acceptable_rejected_;
  std::set<int64_t> seen_ids_;
  std::set<std::string> used_;  // deviation selectors that matched
  bool finished_ = false;
};

// One line of deviations.txt: `<file> <tcId | rule:NAME> <reason>`.
struct Deviation {
  std::string file;
  std::string selector;  // the tcId as text, or "rule:NAME"
  std::string reason;
};
// All lines of tests/vectors/deviations.txt (read once).
const std::vector<Deviation>& Deviations();

}  // namespace tokenverify::testing
