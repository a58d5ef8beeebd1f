// Request signatures: each scheme against a vector from its own documentation
// (GitHub, Slack, Standard Webhooks) or computed by its own algorithm with
// `openssl dgst -sha256 -hmac` (AuthGate's appleboy/go-httpclient, Stripe).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "request/signature_schemes.h"

namespace tokenverify::internal {
namespace {

struct Case {
  SignatureScheme scheme;
  std::vector<SignatureSecret> secrets;
  std::string method = "POST", target = "/hooks", body;
  std::vector<HeaderField> headers;
  int64_t now = 0;
};

Status Check(const Case& c, SignatureCheck* out = nullptr, int64_t window = 300) {
  SignatureCheck ignored;
  const SignedRequestView view{c.method, c.target, c.body, c.headers};
  return CheckRequestSignature(c.scheme, c.secrets, window, view, c.now, out ? out : &ignored);
}

SignatureSecret Secret(SignatureScheme scheme, std::string text, std::string name = "s") {
  SignatureSecret s;
  Error err;
  EXPECT_EQ(MakeSignatureSecret(scheme, std::move(name), text, &s, &err), Status::OK) << err.message;
  return s;
}

// docs.github.com, "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
Case GitHub() {
  return Case{SignatureScheme::kGitHub,
              {Secret(SignatureScheme::kGitHub, "It's a Secret to Everybody")},
              "POST",
              "/hooks",
              "Hello, World!",
              {{"X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}}};
}

// api.slack.com, "Verifying requests from Slack": the documented example request.
Case Slack() {
  return Case{
      SignatureScheme::kSlack,
      {Secret(SignatureScheme::kSlack, "8f742231b10e8888abcd99yyyzzz85a5")},
      "POST",
      "/slack/commands",
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name="
      "foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks."
      "slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015."
      "47445629121.803a0bc887a14d10d2c447fce8b6703c",
      {{"X-Slack-Request-Timestamp", "1531420618"},
       {"X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"}},
      1531420618 + 10};
}

// The Standard Webhooks specification's example.
Case StandardWebhooks() {
  return Case{SignatureScheme::kStandardWebhooks,
              {Secret(SignatureScheme::kStandardWebhooks, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")},
              "POST",
              "/webhooks",
              R"({"test": 2432232314})",
              {{"webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"},
               {"webhook-timestamp", "1614265330"},
               {"webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}},
              1614265330};
}

// AuthGate's client signs ts ‖ METHOD ‖ path?query ‖ body with no delimiters:
// printf '1700000000POST/api/v1/tokens?scope=read{"client":"svc"}' | openssl dgst -sha256 -hmac authgate-shared-secret
Case AuthGate() {
  return Case{SignatureScheme::kAuthGate,
              {Secret(SignatureScheme::kAuthGate, "authgate-shared-secret")},
              "POST",
              "/api/v1/tokens?scope=read",
              R"({"client":"svc"})",
              {{"X-Signature", "408208fe7de43b470cc550ed87f190bf9cd838ba16650e2292285f4f75d8fc82"},
               {"X-Timestamp", "1700000000"},
               {"X-Nonce", "5f1c0e0a-2f7e-4d6b-9b1a-0c9f6b2b7d11"}},
              1700000000 + 299};
}

// Stripe signs t "." body: printf '1492774577.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_test_secret
Case Stripe() {
  return Case{SignatureScheme::kStripe,
              {Secret(SignatureScheme::kStripe, "whsec_test_secret")},
              "POST",
              "/stripe",
              R"({"id":"evt_1"})",
              {{"Stripe-Signature",
                "t=1492774577,v1=0000000000000000000000000000000000000000000000000000000000000000,"
                "v1=799c4ba7bb339f3c8601adfd112f0e477c930a268be1243d341abb8286501c2f,v0=ignored"}},
              1492774577 - 60};
}

TEST(SignatureSchemes, EachSchemeVerifiesItsOwnVector) {
  for (const Case& c : {GitHub(), Slack(), StandardWebhooks(), AuthGate(), Stripe()}) {
    SignatureCheck out;
    EXPECT_EQ(Check(c, &out), Status::OK) << SignatureSchemeName(c.scheme);
    EXPECT_EQ(out.secret, 0);
  }
}

TEST(SignatureSchemes, AnyChangedByteIsRefused) {
  for (Case c : {GitHub(), Slack(), StandardWebhooks(), AuthGate(), Stripe()}) {
    Case body = c;
    body.body += " ";
    EXPECT_EQ(Check(body), Status::ERR_REQUEST_SIGNATURE_INVALID) << SignatureSchemeName(c.scheme);
    Case wrong_secret = c;
    wrong_secret.secrets = {Secret(c.scheme, c.scheme == SignatureScheme::kStandardWebhooks ? "whsec_AAAA" : "x")};
    EXPECT_EQ(Check(wrong_secret), Status::ERR_REQUEST_SIGNATURE_INVALID) << SignatureSchemeName(c.scheme);
  }
  Case method = AuthGate();
  method.method = "PUT";
  EXPECT_EQ(Check(method), Status::ERR_REQUEST_SIGNATURE_INVALID);
  Case query = AuthGate();
  query.target = "/api/v1/tokens?scope=write";
  EXPECT_EQ(Check(query), Status::ERR_REQUEST_SIGNATURE_INVALID);
}

TEST(SignatureSchemes, RotationTriesEverySecret) {
  Case c = Slack();
  c.secrets.insert(c.secrets.begin(), Secret(SignatureScheme::kSlack, "the-new-secret", "new"));
  SignatureCheck out;
  ASSERT_EQ(Check(c, &out), Status::OK);
  EXPECT_EQ(out.secret, 1);
  EXPECT_EQ(out.timestamp, 1531420618);
}

TEST(SignatureSchemes, TimestampWindowBothWays) {
  Case c = AuthGate();
  c.now = 1700000000 + 300;
  EXPECT_EQ(Check(c), Status::OK);
  c.now = 1700000000 + 301;
  EXPECT_EQ(Check(c), Status::ERR_TIMESTAMP_OUT_OF_WINDOW);
  c.now = 1700000000 - 301;
  EXPECT_EQ(Check(c), Status::ERR_TIMESTAMP_OUT_OF_WINDOW);
  c.now = 1700000000 + 500;
  EXPECT_EQ(Check(c, nullptr, 600), Status::OK);
  Case github = GitHub();  // no timestamp: any time
  github.now = 4000000000;
  EXPECT_EQ(Check(github), Status::OK);
  EXPECT_FALSE(SignatureSchemeHasTimestamp(SignatureScheme::kGitHub));
  EXPECT_TRUE(SignatureSchemeHasTimestamp(SignatureScheme::kStripe));
}

TEST(SignatureSchemes, AuthGateSignsTheDecodedPathAndQueryOnlyWhenPresent) {
  Case c = AuthGate();
  c.method = "GET";
  c.target = "/files/a%20b?";
  c.body = "";
  c.headers[0].value = "81f6d186cd9308fb1d2e2099912db0c1e6546f46a7c433b8396d91efeef7158e";  // of "…GET/files/a b"
  EXPECT_EQ(Check(c), Status::OK);
  c.target = "/files/a%2";
  EXPECT_EQ(Check(c), Status::ERR_MALFORMED_REQUEST);
}

TEST(SignatureSchemes, HeadersMissingTwiceOrMalformed) {
  Case missing = AuthGate();
  missing.headers.erase(missing.headers.begin() + 1);  // X-Timestamp
  EXPECT_EQ(Check(missing), Status::ERR_CREDENTIAL_MISSING);
  Case twice = GitHub();
  twice.headers.push_back({"x-hub-signature-256", twice.headers[0].value});
  EXPECT_EQ(Check(twice), Status::ERR_DUPLICATE_CREDENTIAL);
  Case lower = GitHub();
  lower.headers[0].name = "x-hub-signature-256";  // names are case-insensitive
  EXPECT_EQ(Check(lower), Status::OK);

  const std::vector<std::pair<Case, HeaderField>> malformed = {
      {GitHub(), {"X-Hub-Signature-256", "sha1=757107ea"}},
      {Slack(), {"X-Slack-Signature", "v1=a2114d57"}},
      {Stripe(), {"Stripe-Signature", "v1=799c4ba7"}},
      {Stripe(), {"Stripe-Signature", "t=1492774577"}},
      {Stripe(), {"Stripe-Signature", "t=1,t=2,v1=00"}},
      {Stripe(), {"Stripe-Signature", "t=abc,v1=00"}},
      {Stripe(), {"Stripe-Signature", "garbage"}},
      {StandardWebhooks(), {"webhook-signature", "v2,abc"}},
      {StandardWebhooks(), {"webhook-signature", "nocomma"}},
  };
  for (auto [c, h] : malformed) {
    for (HeaderField& f : c.headers)
      if (f.name == h.name) f.value = h.value;
    EXPECT_EQ(Check(c), Status::ERR_MALFORMED_CREDENTIAL) << h.value;
  }
  Case ts = Slack();
  ts.headers[0].value = "-5";
  EXPECT_EQ(Check(ts), Status::ERR_MALFORMED_CREDENTIAL);
  ts.headers[0].value = "1234567890123";
  EXPECT_EQ(Check(ts), Status::ERR_MALFORMED_CREDENTIAL);
}

TEST(SignatureSchemes, UpperCaseHexIsNotTheSignature) {
  // The senders emit lower-case hex and their own verifiers compare the text.
  Case c = GitHub();
  c.headers[0].value = "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17";
  EXPECT_EQ(Check(c), Status::ERR_REQUEST_SIGNATURE_INVALID);
}

TEST(SignatureSchemes, ReplayKeyIsPerMessage) {
  SignatureCheck a, b;
  ASSERT_EQ(Check(Slack(), &a), Status::OK);
  ASSERT_EQ(Check(Slack(), &b), Status::OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(a.replay_key), 16),
            std::string(reinterpret_cast<char*>(b.replay_key), 16));
  SignatureCheck c;
  ASSERT_EQ(Check(GitHub(), &c), Status::OK);
  EXPECT_NE(std::string(reinterpret_cast<char*>(a.replay_key), 16),
            std::string(reinterpret_cast<char*>(c.replay_key), 16));
}

TEST(SignatureSchemes, SecretsAndSchemeNames) {
  SignatureSecret s;
  Error err;
  EXPECT_EQ(MakeSignatureSecret(SignatureScheme::kGitHub, "n", "", &s, &err), Status::ERR_CONFIG);
  EXPECT_EQ(MakeSignatureSecret(SignatureScheme::kStandardWebhooks, "n", "whsec_not base64!", &s, &err),
            Status::ERR_CONFIG);
  EXPECT_EQ(MakeSignatureSecret(SignatureScheme::kStandardWebhooks, "n", "whsec_QUJD", &s, &err), Status::OK);
  EXPECT_EQ(s.key, "ABC");
  EXPECT_EQ(MakeSignatureSecret(SignatureScheme::kStandardWebhooks, "n", "QUI=", &s, &err), Status::OK);
  EXPECT_EQ(s.key, "AB");
  for (const char* name : {"authgate", "github", "stripe", "slack", "standardWebhooks"}) {
    const auto scheme = ParseSignatureScheme(name);
    ASSERT_TRUE(scheme.has_value()) << name;
    EXPECT_EQ(SignatureSchemeName(*scheme), name);
  }
  EXPECT_FALSE(ParseSignatureScheme("GitHub").has_value());
}

}  // namespace
}  // namespace tokenverify::internal
