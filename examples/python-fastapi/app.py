"""A FastAPI service whose routes only see requests with a valid token.

TokenVerifyASGIMiddleware checks `Authorization: Bearer <token>` against the
configuration in examples/hs256/config.json (or the file named by TOKENVERIFY_CONFIG)
before FastAPI routes the request; the health endpoint is exempt.

    uvicorn app:app --host 127.0.0.1 --port 8000      # from examples/python-fastapi
    curl -H "Authorization: Bearer $(cat ../hs256/token.jwt)" http://127.0.0.1:8000/hello
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request

from tokenverify.middleware import TokenVerifyASGIMiddleware, claims_of

CONFIG = os.environ.get("TOKENVERIFY_CONFIG", str(Path(__file__).resolve().parent.parent / "hs256" / "config.json"))

app = FastAPI(title="tokenverify example")


def current_claims(request: Request) -> Mapping[str, Any]:
    # The middleware runs in Strict mode here, so every routed request has claims.
    claims = claims_of(request)
    assert claims is not None
    return claims


@app.get("/hello")
def hello(request: Request, claims: Mapping[str, Any] = Depends(current_claims)) -> dict[str, Any]:
    # x-team was set by the middleware from the token's "team" claim (claims_to_headers);
    # a client cannot forge it: an incoming x-team header is removed first.
    return {"hello": claims["sub"], "team": request.headers.get("x-team")}


@app.get("/.well-known/health")
def health() -> dict[str, bool]:
    return {"ok": True}


app.add_middleware(
    TokenVerifyASGIMiddleware,
    verifier_or_config=CONFIG,  # a path; a dict, a JSON string or a tokenverify.Verifier work too
    exempt_paths=["/.well-known/health"],
    claims_to_headers=[{"name": "team", "header": "x-team"}],
)
