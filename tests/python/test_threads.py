"""Threads: one Verifier shared by many Python threads, and verify_many, give
exactly the results of a sequential loop."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List

import jwt as pyjwt

import tokenverify
from tokenverify import jwt as tvjwt
from conftest import NOW, SECRET, KeyPair, claims, sign


def outcome(verifier: tokenverify.Verifier, token: Any) -> Any:
    try:
        return ("ok", dict(verifier.verify(token)))
    except tokenverify.TokenVerifyError as e:
        return (type(e).__name__, e.code)


def summarize(result: Any) -> Any:
    if isinstance(result, tokenverify.TokenVerifyError):
        return (type(result).__name__, result.code)
    return ("ok", dict(result))


def mixed_tokens(key: KeyPair, n: int) -> List[str]:
    tokens = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            tokens.append(sign(key, claims(n=i, exp=NOW - 3600)))
        elif kind == 1:
            tokens.append(sign(key, claims(n=i))[:-4] + "AAAA")
        elif kind == 2:
            tokens.append("garbage-%d" % i)
        else:
            tokens.append(sign(key, claims(n=i)))
    return tokens


def test_many_threads_on_one_verifier(rsa_key: KeyPair) -> None:
    verifier = tokenverify.Verifier({"providers": [{"name": "rsa", "issuer": "https://issuer.test",
                                                    "audiences": ["my-api"],
                                                    "jwks": {"local": {"inline": {"keys": [rsa_key.jwk]}}}}]})
    tokens = mixed_tokens(rsa_key, 200)
    expected = [outcome(verifier, t) for t in tokens]
    start = threading.Barrier(8)

    def work(offset: int) -> List[Any]:
        start.wait()
        order = tokens[offset:] + tokens[:offset]
        got = [outcome(verifier, t) for t in order]
        return got[-offset:] + got[:-offset] if offset else got

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, [i * 25 for i in range(8)]))
    for got in results:
        assert got == expected


def test_verify_many_equals_sequential_loop(hs_key: KeyPair) -> None:
    verifier = tokenverify.Verifier({"providers": [{"name": "hs", "secret": SECRET}]})
    tokens = mixed_tokens(hs_key, 2000)
    expected = [outcome(verifier, t) for t in tokens]
    for threads in (None, 1, 2, 4, 16):
        assert [summarize(r) for r in verifier.verify_many(tokens, threads=threads)] == expected


def test_verify_many_from_several_python_threads(hs_key: KeyPair) -> None:
    verifier = tokenverify.Verifier({"providers": [{"name": "hs", "secret": SECRET}]})
    tokens = mixed_tokens(hs_key, 300)
    expected = [outcome(verifier, t) for t in tokens]
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda _: verifier.verify_many(tokens, threads=2), range(4)))
    for batch in batches:
        assert [summarize(r) for r in batch] == expected


def test_decode_from_many_threads(hs_key: KeyPair) -> None:
    tokens = mixed_tokens(hs_key, 100)

    def run(token: str) -> Any:
        try:
            return ("ok", tvjwt.decode(token, SECRET, algorithms=["HS256"], audience="my-api"))
        except tokenverify.TokenVerifyError as e:
            return type(e).__name__

    expected = [run(t) for t in tokens]
    tvjwt.clear_cache()  # the threads race to build the cached verifier too
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(run, tokens * 4))
    assert got == expected * 4
    assert pyjwt.decode(tokens[3], SECRET, algorithms=["HS256"], audience="my-api") == expected[3][1]
