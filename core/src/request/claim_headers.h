// claimsToHeaders: a verified token's claims copied into request headers for
// the application behind the gateway. A value that could split or smuggle a
// header (a control byte: CR, LF, NUL, ...) is never copied: the header is
// left out and the decision says why (Decision::omitted_headers).
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tokenverify/request.h"
#include "verify/config.h"

namespace tokenverify::internal {

// Values longer than this are left out too: no gateway forwards them.
constexpr size_t kMaxClaimHeaderBytes = 8192;

// For each pair whose claim is present (and not null): strings as they are,
// numbers and booleans as JSON, arrays of those joined by commas, anything
// else as compact JSON. A dotted name ("org.team") reaches into objects when
// no top-level claim has that exact name. Header names are lower-cased.
void CopyClaimsToHeaders(const Claims& claims, std::span<const ClaimToHeader> pairs,
                         std::vector<std::pair<std::string, std::string>>* set, std::vector<OmittedHeader>* omitted);

}  // namespace tokenverify::internal
