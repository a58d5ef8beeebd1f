#!/usr/bin/env python3
"""Python peers of the harness: tokenverify's own package, PyJWT, joserfc, jwcrypto, authlib.

    bench_py.py TOKENS_DIR [SECONDS [REPEATS]]

Each peer gets its key objects built once from the token set (never a PEM or JWK
parsed per call) and one callable that verifies a token the way its documentation
says to: signature with an allow-list of one algorithm, exp, iss and aud. Before
timing, the good token must pass and every negative token must be rejected.
Prints one JSON line per peer x algorithm; a peer that cannot be imported or that
fails a check is printed as unavailable with the reason.

The figures include the Python call overhead of each library: that is the
point of comparing against them.
"""

import base64
import gc
import importlib.metadata
import json
import os
import statistics
import sys
import time
import warnings

warnings.simplefilter("ignore")  # deprecation notices (authlib.jose) must not go to stdout

ALGS = ["HS256", "RS256", "PS256", "ES256", "EdDSA"]
NEGATIVES = ["bad_signature", "expired", "wrong_issuer", "wrong_audience"]


def b64u_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class TokenSet:
    def __init__(self, directory: str):
        self.dir = directory
        with open(os.path.join(directory, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.issuer = self.manifest["issuer"]
        self.audience = self.manifest["audience"]

    def entry(self, alg):
        return self.manifest["algs"][alg]

    def token(self, alg):
        return self.entry(alg)["token"]

    def negatives(self, alg):
        return self.entry(alg)["negatives"]

    def pem(self, alg) -> bytes:
        with open(os.path.join(self.dir, self.entry(alg)["public_pem_file"]), "rb") as f:
            return f.read()

    def secret(self) -> bytes:
        return b64u_decode(self.entry("HS256")["secret_b64url"])

    def jwk(self, alg) -> dict:
        return dict(self.entry(alg)["jwk"])


def version_of(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


# Each factory returns, for one algorithm, a function token -> claims that raises
# on any failure. Keys are prepared here, once.

def tokenverify_factory(ts: TokenSet):
    import tokenverify

    def make(alg):
        # The set's own configuration: one provider with issuer, audience, the one
        # algorithm and its key; exp required.
        with open(os.path.join(ts.dir, ts.entry(alg)["tokenverify_config_file"])) as f:
            return tokenverify.Verifier(json.load(f)).verify
    return make


def pyjwt_factory(ts: TokenSet):
    import jwt

    def make(alg):
        if alg == "HS256":
            key = ts.secret()
        else:
            key = jwt.PyJWK(ts.jwk(alg), algorithm=alg).key  # a cryptography key object
        options = {"require": ["exp", "iss", "aud"]}

        def verify(token):
            return jwt.decode(token, key, algorithms=[alg], audience=ts.audience,
                              issuer=ts.issuer, options=options)
        return verify
    return make


def joserfc_factory(ts: TokenSet):
    from joserfc import jwt
    from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

    def make(alg):
        jwk = ts.jwk(alg)
        key = {"oct": OctKey, "RSA": RSAKey, "EC": ECKey, "OKP": OKPKey}[jwk["kty"]].import_key(jwk)
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ts.issuer},
            aud={"essential": True, "value": ts.audience},
            exp={"essential": True},
        )

        def verify(token):
            decoded = jwt.decode(token, key, algorithms=[alg])
            registry.validate(decoded.claims)
            return decoded.claims
        return verify
    return make


def jwcrypto_factory(ts: TokenSet):
    from jwcrypto import jwk, jwt

    def make(alg):
        key = jwk.JWK(**ts.jwk(alg))
        check = {"iss": ts.issuer, "aud": ts.audience, "exp": None}

        def verify(token):
            # jwcrypto's JWT object validates signature and the claims in its constructor.
            t = jwt.JWT(jwt=token, key=key, algs=[alg], check_claims=check)
            return t.claims
        return verify
    return make


def authlib_factory(ts: TokenSet):
    from authlib.jose import JsonWebKey, JsonWebToken

    def make(alg):
        key = JsonWebKey.import_key(ts.jwk(alg))
        verifier = JsonWebToken([alg])
        options = {
            "iss": {"essential": True, "value": ts.issuer},
            "aud": {"essential": True, "value": ts.audience},
            "exp": {"essential": True},
        }

        def verify(token):
            claims = verifier.decode(token, key, claims_options=options)
            claims.validate()  # exp, nbf, iat, iss, aud: authlib checks only when asked
            return claims
        return verify
    return make


PEERS = [
    # (peer, distribution, factory)
    ("tokenverify", "tokenverify", tokenverify_factory),
    ("PyJWT", "PyJWT", pyjwt_factory),
    ("joserfc", "joserfc", joserfc_factory),
    ("jwcrypto", "jwcrypto", jwcrypto_factory),
    ("authlib", "Authlib", authlib_factory),
]


def timed_run(verify, token, seconds):
    """Runs verify(token) in growing batches for about |seconds| of wall time.

    Returns (CPU ns/op, wall ns/op, ops). The CPU time of the whole process is
    the figure that counts: a busy machine slows the run without skewing it.
    """
    budget = int(seconds * 1e9)
    batch, done = 1, 0
    clock, cpu = time.perf_counter_ns, time.process_time_ns
    cpu0, start = cpu(), clock()
    elapsed = 0
    while elapsed < budget:
        for _ in range(batch):
            verify(token)
        done += batch
        elapsed = clock() - start
        if elapsed < 5_000_000:
            batch *= 2
    return (cpu() - cpu0) / done, elapsed / done, done


def measure(verify, token, seconds, repeats):
    timed_run(verify, token, seconds / 10)  # warm-up
    runs = [timed_run(verify, token, seconds) for _ in range(repeats)]
    median = statistics.median_low([r[0] for r in runs])
    chosen = next(r for r in runs if r[0] == median)
    return {"ns_per_op": round(median, 1), "wall_ns_per_op": round(chosen[1], 1), "ops": chosen[2],
            "runs_ns": [round(r[0], 1) for r in runs]}


def emit(obj):
    print(json.dumps(obj), flush=True)


def self_check(verify, ts, alg):
    """None when the good token passes and each negative fails, else the reason."""
    try:
        verify(ts.token(alg))
    except Exception as e:  # noqa: BLE001 - any library error means rejection
        return f"good token rejected: {type(e).__name__}: {e}"[:200]
    for kind in NEGATIVES:
        try:
            verify(ts.negatives(alg)[kind])
        except Exception:  # noqa: BLE001
            continue
        return f"{kind} token accepted"
    return None


def main():
    if not 2 <= len(sys.argv) <= 4:
        print("usage: bench_py.py TOKENS_DIR [SECONDS [REPEATS]]", file=sys.stderr)
        return 2
    ts = TokenSet(sys.argv[1])
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    only = set(filter(None, os.environ.get("PEERS_PYTHON_ONLY", "").split(",")))
    for peer, dist, factory in PEERS:
        if only and peer not in only:
            continue
        version = version_of(dist)
        base = {"peer": peer, "language": "Python", "version": version}
        try:
            make = factory(ts)
        except Exception as e:  # noqa: BLE001 - not installed or import failure
            for alg in ALGS:
                emit({**base, "alg": alg, "unavailable": f"import failed: {type(e).__name__}: {e}"[:200]})
            continue
        for alg in ALGS:
            try:
                verify = make(alg)
            except Exception as e:  # noqa: BLE001
                emit({**base, "alg": alg, "unavailable": f"key setup failed: {type(e).__name__}: {e}"[:200]})
                continue
            why = self_check(verify, ts, alg)
            if why:
                emit({**base, "alg": alg, "unavailable": why})
                continue
            gc.collect()
            m = measure(verify, ts.token(alg), seconds, repeats)
            emit({**base, "alg": alg, **m, "checks": "ok",
                  "note": f"CPython {sys.version.split()[0]}, includes Python call overhead"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
