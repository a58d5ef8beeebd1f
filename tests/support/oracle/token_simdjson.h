// The simdjson On-Demand walks of the token header and payload that the
// scanner (ParseHeader/ParsePayload in token.h) replaced on the hot path.
// Kept, compiled and unchanged in behaviour, as the oracle that
// fuzz/json_differential.cc holds the scanner to: same accept/reject, same
// status, same extracted values.
#pragma once

#include <simdjson.h>

#include <string_view>

#include "json/simdjson_strict.h"
#include "token/token.h"

namespace tokenverify::internal {

// Walks the header document strictly and fills *out (statuses as ParseHeader).
Status ParseHeaderSimdjson(simdjson::ondemand::document& doc, int max_depth, MemberNames& names,
                           JoseHeader* out) noexcept;

// Walks the payload document strictly (statuses and values as ParsePayload).
Status ParsePayloadSimdjson(simdjson::ondemand::document& doc, int max_depth, MemberNames& names,
                            const ClaimInterest& interest, PayloadView* out) noexcept;

// Copies `json` into `scratch`, rejects a BOM and starts a document on it:
// what the verifier did with each decoded segment before the walks.
Status StartSimdjsonDocument(std::string_view json, JsonScratch& scratch, simdjson::ondemand::document* doc);

}  // namespace tokenverify::internal
