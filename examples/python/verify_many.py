"""Verify a batch in one call: the GIL is released and the batch spread over threads.

Run from anywhere: python examples/python/verify_many.py
"""

import json
import pathlib
from typing import Any, Dict, List

import tokenverify

EXAMPLES = pathlib.Path(__file__).resolve().parents[1]


def provider(name: str, alg: str) -> Dict[str, Any]:
    jwks = json.loads((EXAMPLES / name / "jwks.json").read_text())
    return {"name": name, "algorithms": [alg], "jwks": {"local": {"inline": jwks}}}


verifier = tokenverify.Verifier({
    "providers": [provider("es256", "ES256"), provider("eddsa", "EdDSA")],
    "now": 1800000000,
})
tokens: List[str] = [(EXAMPLES / name / "token.jwt").read_text().strip() for name in ("es256", "eddsa", "hs256")]
tokens.append("not-a-token")

for token, result in zip(tokens, verifier.verify_many(tokens, threads=2)):
    if isinstance(result, tokenverify.TokenVerifyError):
        print("rejected:", result.name)
    else:
        print("accepted:", result["sub"], "alg", result.header["alg"])
