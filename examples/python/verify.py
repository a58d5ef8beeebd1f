"""Verify one token with a Verifier built from a configuration dict.

Run from anywhere: python examples/python/verify.py
"""

import json
import pathlib

import tokenverify

EXAMPLES = pathlib.Path(__file__).resolve().parents[1]

config = {
    "providers": [{
        "name": "es256",
        "issuer": "example.tokenverify.dev",
        "audiences": ["my-api"],
        "algorithms": ["ES256"],
        "jwks": {"local": {"inline": json.loads((EXAMPLES / "es256/jwks.json").read_text())}},
    }],
    "now": 1800000000,  # pin the clock (2027-01-15) so the example answers the same on any date
}
verifier = tokenverify.Verifier(config)  # build once, share between threads

token = (EXAMPLES / "es256/token.jwt").read_text().strip()
claims = verifier.verify(token)
print("sub:", claims["sub"], "team:", claims.get("team"), "provider:", claims.provider)
print("header:", claims.header)

try:
    verifier.verify(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
except tokenverify.InvalidSignatureError as e:
    print("tampered:", e.name, e.code)
except tokenverify.InvalidTokenError as e:
    print("rejected:", e.name, e.code)
