"""Migrating from PyJWT: change the import, keep the call.

Run from anywhere: python examples/python/migrate_from_pyjwt.py
"""

import base64
import json
import pathlib
from typing import Any, Dict

from tokenverify import jwt  # was: import jwt

EXAMPLES = pathlib.Path(__file__).resolve().parents[1]
secret_b64 = json.loads((EXAMPLES / "hs256/config.json").read_text())["providers"][0]["secret"]["base64url"]
secret = base64.urlsafe_b64decode(secret_b64 + "=" * (-len(secret_b64) % 4))
token = (EXAMPLES / "hs256/token.jwt").read_text().strip()

payload: Dict[str, Any] = jwt.decode(token, secret, algorithms=["HS256"], audience="my-api",
                                     issuer="example.tokenverify.dev")
print("sub:", payload["sub"])

try:
    jwt.decode(token, secret, algorithms=["HS256"], audience="another-api")
except jwt.InvalidAudienceError as e:  # the same exception names as PyJWT
    print("wrong audience:", type(e).__name__, e.name)
