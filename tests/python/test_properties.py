"""Property tests: random claims round-trip through verify and decode; a random
change to a valid token never verifies (unless it changed nothing)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any, Dict

import jwt as pyjwt
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import tokenverify
from tokenverify import jwt as tvjwt
from conftest import NOW, SECRET

VERIFIER = tokenverify.Verifier({"providers": [{"name": "p", "secret": SECRET}]})

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
# Registered claims have types the engine checks; keep the random ones apart.
REGISTERED = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}
extra_claims = st.dictionaries(st.text(max_size=12).filter(lambda k: k not in REGISTERED), json_values, max_size=8)


def token_for(payload: Dict[str, Any]) -> str:
    return pyjwt.api_jws.encode(json.dumps(payload).encode(), SECRET, algorithm="HS256")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=extra_claims, sub=st.text(max_size=30), exp_offset=st.integers(min_value=60, max_value=10**8))
def test_random_claims_round_trip(extra: Dict[str, Any], sub: str, exp_offset: int) -> None:
    # The clock now, not at import: a slow run passes NOW + 60 long before this example.
    payload = dict(extra, sub=sub, exp=int(time.time()) + exp_offset)
    token = token_for(payload)
    expected = json.loads(json.dumps(payload))
    claims = VERIFIER.verify(token)
    assert dict(claims) == expected
    assert json.loads(claims.raw_json) == expected
    for name in payload:
        assert name in claims
        assert json.loads(claims.raw_claim(name) or "null") == expected[name]
        # Read one claim before the payload is converted (a separate path), then after.
        fresh = VERIFIER.verify(token)
        assert json.dumps(fresh[name]) == json.dumps(expected[name])
        assert json.dumps(fresh.get(name)) == json.dumps(expected[name])
        assert json.dumps(claims[name]) == json.dumps(expected[name])
    fresh = VERIFIER.verify(token)
    assert fresh.get("\u0000absent", 5) == 5 and "\u0000absent" not in fresh
    assert tvjwt.decode(token, SECRET, algorithms=["HS256"]) == pyjwt.decode(token, SECRET, algorithms=["HS256"])


@st.composite
def corruptions(draw: st.DrawFn) -> tuple:
    extra = draw(extra_claims)
    token = token_for(dict(extra, sub="alice", exp=NOW + 3600))
    data = bytearray(token.encode())
    kind = draw(st.sampled_from(["flip", "replace", "delete", "insert", "truncate", "swap-segments"]))
    if kind == "flip":
        i = draw(st.integers(0, len(data) - 1))
        data[i] ^= 1 << draw(st.integers(0, 7))
    elif kind == "replace":
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    elif kind == "delete":
        i = draw(st.integers(0, len(data) - 1))
        del data[i]
    elif kind == "insert":
        i = draw(st.integers(0, len(data)))
        data.insert(i, draw(st.integers(0, 255)))
    elif kind == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    else:
        h, p, s = token.split(".")
        data = bytearray(".".join([p, h, s]).encode())
    return token, bytes(data)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=corruptions())
def test_random_corruption_never_verifies(case: tuple) -> None:
    original, corrupted = case
    assume(corrupted != original.encode())
    try:
        claims = VERIFIER.verify(corrupted)
    except tokenverify.InvalidTokenError as e:
        assert 100 <= e.code < 600
        return
    # Only a change that decodes to the same bytes could still verify: base64url
    # is strict here, so the only such change is none at all.
    raise AssertionError("a corrupted token verified: %r -> %r" % (corrupted, dict(claims)))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_verify(data: bytes) -> None:
    try:
        VERIFIER.verify(data)
    except tokenverify.InvalidTokenError:
        return
    raise AssertionError("random bytes verified")


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_random_text_is_refused_by_both(text: str) -> None:
    import pytest

    with pytest.raises(tokenverify.InvalidTokenError):
        tvjwt.decode(text, SECRET, algorithms=["HS256"])
    with pytest.raises(pyjwt.InvalidTokenError):
        pyjwt.decode(text, SECRET, algorithms=["HS256"])
