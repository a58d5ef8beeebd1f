"""A Flask service whose views only see requests with a valid token.

TokenVerifyWSGIMiddleware wraps Flask's WSGI callable and checks
`Authorization: Bearer <token>` against the configuration in examples/hs256/config.json
(or the file named by TOKENVERIFY_CONFIG); the health endpoint is exempt.

    flask --app app run --host 127.0.0.1 --port 8000      # from examples/python-flask
    curl -H "Authorization: Bearer $(cat ../hs256/token.jwt)" http://127.0.0.1:8000/hello
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, request

from tokenverify.middleware import TokenVerifyWSGIMiddleware, claims_of

CONFIG = os.environ.get("TOKENVERIFY_CONFIG", str(Path(__file__).resolve().parent.parent / "hs256" / "config.json"))

app = Flask(__name__)


@app.get("/hello")
def hello() -> dict[str, Any]:
    claims = claims_of(request)  # the token's payload; None only in AllowMissing mode
    assert claims is not None
    # X-Team was set by the middleware from the token's "team" claim (claims_to_headers);
    # a client cannot forge it: an incoming X-Team header is removed first.
    return {"hello": claims["sub"], "team": request.headers.get("X-Team")}


@app.get("/.well-known/health")
def health() -> dict[str, bool]:
    return {"ok": True}


# Wrap the WSGI callable, not the Flask object, so app.route and friends keep working.
app.wsgi_app = TokenVerifyWSGIMiddleware(  # type: ignore[method-assign]
    app.wsgi_app,
    CONFIG,  # a path; a dict, a JSON string or a tokenverify.Verifier work too
    exempt_paths=["/.well-known/health"],
    claims_to_headers=[{"name": "team", "header": "X-Team"}],
)
