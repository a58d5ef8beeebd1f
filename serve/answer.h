// A decision as the HTTP answer every forward-auth gateway understands.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tokenverify.h"

namespace tvserve {

struct Answer {
  unsigned status = 500;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
};

// AnswerFor turns a decision into the answer:
//  - allowed: 200, the decision's setHeaders as response headers (the gateway
//    copies them upstream) and `x-envoy-auth-headers-to-remove` listing its
//    removeHeaders (Envoy and kgateway strip those; other gateways are told
//    which to strip in their configuration);
//  - denied: the decision's 400, 401 (with its WWW-Authenticate) or 403, and
//    503 with Retry-After when no usable keys are loaded. Never another 5xx for
//    a bad credential: nginx takes any other code for an error and Envoy's
//    failure_mode_allow would let the request through.
// The body is one short line; the precise status goes to the metrics, never to
// the client (a forger learns nothing about which check failed).
Answer AnswerFor(const tv_decision* decision);

// AnswerForFailure is the answer when tv_authenticate itself failed (it returns
// a decision for every credential, so this is misuse or an internal error).
Answer AnswerForFailure(tv_status status);

// The answer of `--answer-200-unauthenticated`: the benchmarks' HTTP floor.
Answer FloorAnswer();

}  // namespace tvserve
