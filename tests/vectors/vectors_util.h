// Helpers for the suites that run the standard vectors in ../shared/vectors:
// loading Wycheproof files, hex, and the per-file bookkeeping of results,
// skips and listed deviations (tests/vectors/deviations.txt).
//
// Header-only on purpose: the build compiles tests/vectors/*_test.cc only,
// and any suite there may include this.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "support/signer.h"

namespace tokenverify::testing {

// Hex to bytes; adds a test failure on odd length or a non-hex digit.
inline std::string HexDecode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  if (hex.size() % 2 != 0) {
    ADD_FAILURE() << "odd-length hex: " << hex;
    return out;
  }
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      ADD_FAILURE() << "bad hex: " << hex;
      return out;
    }
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

// A parsed vector file. The parser owns the DOM that `root` points into.
struct VectorFile {
  std::string name;  // base name, e.g. "ed25519_test.json"
  std::unique_ptr<simdjson::dom::parser> parser;
  simdjson::dom::element root;
  bool ok = false;
};

// Loads VectorsDir()/<relative>; adds a test failure if it cannot.
inline VectorFile LoadVectorFile(const std::string& relative) {
  VectorFile f;
  f.name = relative.substr(relative.find_last_of('/') + 1);
  f.parser = std::make_unique<simdjson::dom::parser>();
  const std::string path = VectorsDir() + "/" + relative;
  if (auto e = f.parser->load(path).get(f.root)) {
    ADD_FAILURE() << "cannot load " << path << ": " << simdjson::error_message(e);
    return f;
  }
  f.ok = true;
  return f;
}

// Member accessors returning a default when the member is missing or of another type.
inline std::string_view StrOr(simdjson::dom::element e, std::string_view key, std::string_view def = "") {
  std::string_view v;
  return e[key].get_string().get(v) == simdjson::SUCCESS ? v : def;
}
inline int64_t IntOr(simdjson::dom::element e, std::string_view key, int64_t def = -1) {
  int64_t v;
  return e[key].get_int64().get(v) == simdjson::SUCCESS ? v : def;
}
inline bool Has(simdjson::dom::element e, std::string_view key) { return e[key].error() == simdjson::SUCCESS; }
// The element's JSON text (for handing JWK objects to the parser under test).
inline std::string JsonText(simdjson::dom::element e) { return simdjson::minify(e); }

enum class Expect { kValid, kInvalid, kAcceptable };

inline Expect ExpectOf(std::string_view result) {
  if (result == "valid") return Expect::kValid;
  if (result == "acceptable") return Expect::kAcceptable;
  if (result != "invalid") ADD_FAILURE() << "unknown vector result " << result;
  return Expect::kInvalid;
}

inline std::string_view ExpectName(Expect e) {
  return e == Expect::kValid ? "valid" : e == Expect::kInvalid ? "invalid" : "acceptable";
}

// One line of a deviation list (tests/vectors/deviations.txt,
// jws_deviations.txt): `<file> <tcId | rule:NAME> <reason>`.
struct Deviation {
  std::string file;
  std::string selector;  // the tcId as text, or "rule:NAME"
  std::string reason;
};

// All lines of tests/vectors/<list>, read once per list.
inline const std::vector<Deviation>& Deviations(const std::string& list = "deviations.txt") {
  static std::map<std::string, std::vector<Deviation>> lists;
  auto [it, fresh] = lists.try_emplace(list);
  if (!fresh) return it->second;
  std::vector<Deviation>& out = it->second;
  const std::string path = std::string(TV_SOURCE_DIR) + "/tests/vectors/" + list;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return out;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    Deviation d;
    ss >> d.file >> d.selector;
    std::getline(ss >> std::ws, d.reason);
    if (d.file.empty() || d.selector.empty() || d.reason.empty()) {
      ADD_FAILURE() << path << ": malformed line: " << line;
      continue;
    }
    out.push_back(std::move(d));
  }
  return out;
}

// The bookkeeping of one vector file. Every vector is either checked (Check)
// or skipped with a reason (Skip). A vector that does not get its expected
// outcome must be listed in the deviation list (`list`), by tcId or by a named
// rule that the suite says applies to it; a listed deviation that never
// happens fails the test, so the list cannot rot. Finish() prints the counts.
class FileRun {
 public:
  explicit FileRun(std::string file, std::string list = "deviations.txt")
      : file_(std::move(file)), list_(std::move(list)) {}
  ~FileRun() { Finish(); }
  FileRun(const FileRun&) = delete;
  FileRun& operator=(const FileRun&) = delete;

  void Skip(int64_t tc_id, const std::string& reason) {
    all_ids_.insert(tc_id);
    ++skipped_[reason];
  }

  // Distinct tcIds seen, checked or skipped (to catch repeated ids).
  size_t seen() const { return all_ids_.size(); }

  // Counts a vector whose file result was mapped to another expectation for
  // JWS (e.g. a PSS signature valid only for other parameters than PS256's).
  void Remap(const std::string& reason) { ++remapped_[reason]; }

  // `expect` is what a JWS verifier must do with the vector; `rules` name the
  // deviation rules that apply to it; `what` describes it in failures. Returns
  // true when the vector got its expected outcome (false for a deviation or
  // an acceptable vector).
  bool Check(int64_t tc_id, Expect expect, bool accepted, const std::vector<std::string>& rules = {},
             std::string_view what = "") {
    seen_ids_.insert(tc_id);
    all_ids_.insert(tc_id);
    const Deviation* listed = Find(std::to_string(tc_id));
    const Deviation* rule = nullptr;
    for (const std::string& r : rules) {
      if ((rule = Find("rule:" + r)) != nullptr) break;
    }
    if (expect == Expect::kAcceptable) {
      (accepted ? acceptable_accepted_ : acceptable_rejected_).push_back(tc_id);
      if (listed != nullptr)
        ADD_FAILURE() << file_ << " tcId " << tc_id << " is listed as a deviation but is acceptable";
      return false;
    }
    const bool deviates = (expect == Expect::kValid) != accepted;
    if (!deviates) {
      ++passed_;
      if (listed != nullptr)
        ADD_FAILURE() << file_ << " tcId " << tc_id << " is listed in " << list_
                      << " but behaves as the vector expects (" << ExpectName(expect) << "); remove the line";
      return true;
    }
    const Deviation* why = listed != nullptr ? listed : rule;
    if (why == nullptr) {
      ADD_FAILURE() << file_ << " tcId " << tc_id << ": expected " << ExpectName(expect) << ", "
                    << (accepted ? "accepted" : "rejected") << (what.empty() ? "" : " -- ") << what;
      return false;
    }
    ++deviations_;
    used_.insert(why->selector);
    ++deviated_[why->selector + " " + why->reason];
    return false;
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    for (const Deviation& d : Deviations(list_)) {
      if (d.file != file_) continue;
      const bool is_rule = d.selector.rfind("rule:", 0) == 0;
      if (!is_rule) {  // a listed tcId that did not deviate was reported by Check
        if (!seen_ids_.count(std::atoll(d.selector.c_str())))
          ADD_FAILURE() << list_ << ": " << file_ << " has no checked tcId " << d.selector
                        << " (absent, or skipped by the suite)";
      } else if (!used_.count(d.selector)) {
        ADD_FAILURE() << list_ << ": " << file_ << " " << d.selector << " never deviates; remove the line";
      }
    }
    int skipped = 0;
    for (const auto& [reason, n] : skipped_) skipped += n;
    std::printf("[ vectors  ] %s: %d passed, %d deviations, %d skipped", file_.c_str(), passed_, deviations_, skipped);
    if (!acceptable_accepted_.empty() || !acceptable_rejected_.empty())
      std::printf(", acceptable: %zu accepted %s, %zu rejected %s", acceptable_accepted_.size(),
                  Ids(acceptable_accepted_).c_str(), acceptable_rejected_.size(), Ids(acceptable_rejected_).c_str());
    std::printf("\n");
    for (const auto& [reason, n] : remapped_)
      std::printf("[ vectors  ]   expectation mapped for JWS (%d): %s\n", n, reason.c_str());
    for (const auto& [reason, n] : deviated_) std::printf("[ vectors  ]   deviation (%d): %s\n", n, reason.c_str());
    for (const auto& [reason, n] : skipped_) std::printf("[ vectors  ]   skipped (%d): %s\n", n, reason.c_str());
    std::fflush(stdout);
  }

 private:
  const Deviation* Find(const std::string& selector) const {
    for (const Deviation& d : Deviations(list_)) {
      if (d.file == file_ && d.selector == selector) return &d;
    }
    return nullptr;
  }

  static std::string Ids(const std::vector<int64_t>& ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? " " : "") + std::to_string(ids[i]);
    return s + "]";
  }

  std::string file_;
  std::string list_;  // the deviation list, a file in tests/vectors/
  int passed_ = 0;
  int deviations_ = 0;
  std::map<std::string, int> skipped_;   // reason -> count
  std::map<std::string, int> remapped_;  // reason -> count
  std::map<std::string, int> deviated_;  // selector + reason -> count
  std::vector<int64_t> acceptable_accepted_, acceptable_rejected_;
  std::set<int64_t> seen_ids_;  // checked, not skipped
  std::set<int64_t> all_ids_;   // checked or skipped
  std::set<std::string> used_;  // selectors that matched a deviating vector
  bool finished_ = false;
};

}  // namespace tokenverify::testing
