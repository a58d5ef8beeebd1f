#!/usr/bin/env python3
"""The Python package against PyJWT and against the raw OpenSSL check, per call, one run.

    bench.py TOKENS_DIR [--c-results F] [--seconds S] [--repeats N] [--batch B]
             [--out-md F] [--out-jsonl F]

TOKENS_DIR is a token set from bench/peers/make_tokens.py (fresh keys, one payload,
HS256/RS256/PS256/ES256/EdDSA). For every algorithm, on the same token:

  tokenverify.Verifier.verify   a Verifier built once from the set's configuration
  tokenverify.jwt.decode        the PyJWT-compatible function, same arguments as PyJWT
  PyJWT jwt.decode              key object loaded once (PyJWK), algorithms, aud, iss

and Verifier.verify_many over a batch on 1 and on 2 threads (HS256, RS256, ES256).
--c-results names the JSON lines bench/peers/tokenverify_driver printed for the same
token set in the same run (run.sh builds and runs it): the C ABI from C, with and
without claims, and the raw OpenSSL check, the floor no verifier goes under.

Before timing, every candidate must accept the good token and reject the negatives
of the set (bad signature, expired, wrong issuer, wrong audience). Each repeat times
every candidate of an algorithm one after the other, so slow drift of a shared
machine reaches them alike; the median repeat counts. Single-thread figures are
process CPU time per call (the machine may be busy; CPU time is what the call
costs); verify_many figures are wall time per batch, with the cores the run actually
got (CPU time / wall time) printed beside them.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

ALGS = ["HS256", "RS256", "PS256", "ES256", "EdDSA"]
THREAD_ALGS = ["HS256", "RS256", "ES256"]
NEGATIVES = ["bad_signature", "expired", "wrong_issuer", "wrong_audience"]

TARGET_HS256_US = 1.5
TARGET_HS256_SPEEDUP = 9.0
TARGET_RS256_OVER_RAW_US = 1.5
TARGET_THREAD_SCALING = 1.8


def b64u_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def version_of(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


class TokenSet:
    def __init__(self, directory: str) -> None:
        self.dir = directory
        with open(os.path.join(directory, "manifest.json")) as f:
            self.manifest = json.load(f)
        self.issuer: str = self.manifest["issuer"]
        self.audience: str = self.manifest["audience"]

    def entry(self, alg: str) -> dict[str, Any]:
        return self.manifest["algs"][alg]  # type: ignore[no-any-return]

    def token(self, alg: str) -> str:
        return self.entry(alg)["token"]  # type: ignore[no-any-return]

    def tv_config(self, alg: str) -> dict[str, Any]:
        with open(os.path.join(self.dir, self.entry(alg)["tokenverify_config_file"])) as f:
            return json.load(f)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- candidates


def candidates(ts: TokenSet, alg: str) -> dict[str, Callable[[str], Any]]:
    """name -> callable(token) that raises on rejection."""
    import jwt as pyjwt

    import tokenverify

    entry = ts.entry(alg)
    if alg == "HS256":
        key: Any = b64u_decode(entry["secret_b64url"])
    else:
        key = pyjwt.PyJWK(entry["jwk"], algorithm=alg).key  # a cryptography key object
    options: Any = {"require": ["exp", "iss", "aud"]}
    verifier = tokenverify.Verifier(ts.tv_config(alg))
    py_decode = pyjwt.decode
    aud, iss = ts.audience, ts.issuer

    def py_jwt(token: str) -> Any:
        return py_decode(token, key, algorithms=[alg], audience=aud, issuer=iss, options=options)

    found: dict[str, Callable[[str], Any]] = {"Verifier.verify": verifier.verify}
    tv_decode = tv_jwt_decode()
    if tv_decode is not None:
        def tv_jwt(token: str) -> Any:
            return tv_decode(token, key, algorithms=[alg], audience=aud, issuer=iss, options=options)
        found["tokenverify.jwt.decode"] = tv_jwt
    found["PyJWT jwt.decode"] = py_jwt
    return found


def tv_jwt_decode() -> Callable[..., Any] | None:
    """tokenverify.jwt.decode, or None (reported as n/a) in a package that lacks it."""
    try:
        import tokenverify.jwt
    except ImportError:
        return None
    decode: Callable[..., Any] = tokenverify.jwt.decode
    return decode


def self_check(name: str, verify: Callable[[str], Any], ts: TokenSet, alg: str) -> None:
    verify(ts.token(alg))  # raises if the good token is refused
    for kind in NEGATIVES:
        try:
            verify(ts.entry(alg)["negatives"][kind])
        except Exception:  # noqa: BLE001 - every library raises its own class
            continue
        raise SystemExit(f"bench.py: {name} accepted the {kind} {alg} token; refusing to time it")


# ---------------------------------------------------------------- timing


def cpu_ns_per_call(verify: Callable[[str], Any], token: str, seconds: float) -> float:
    """Calls verify(token) in growing batches for about |seconds| of wall time; CPU ns/call."""
    budget = int(seconds * 1e9)
    clock, cpu = time.perf_counter_ns, time.process_time_ns
    batch, done = 8, 0
    cpu0, start = cpu(), clock()
    while True:
        for _ in range(batch):
            verify(token)
        done += batch
        elapsed = clock() - start
        if elapsed >= budget:
            return (cpu() - cpu0) / done
        if elapsed < budget // 20:
            batch *= 2


def batch_time(verify_many: Callable[..., Any], tokens: list[str], threads: int, seconds: float) -> tuple[float, float]:
    """(wall ns per batch, CPU ns per batch) of verify_many(tokens, threads=threads)."""
    budget = int(seconds * 1e9)
    clock, cpu = time.perf_counter_ns, time.process_time_ns
    done = 0
    cpu0, start = cpu(), clock()
    while True:
        verify_many(tokens, threads=threads)
        done += 1
        elapsed = clock() - start
        if elapsed >= budget and done >= 3:
            return elapsed / done, (cpu() - cpu0) / done


def median_of(runs: list[float]) -> float:
    return statistics.median_low(runs)


# ---------------------------------------------------------------- the run


def run(ts: TokenSet, seconds: float, repeats: int, batch: int) -> dict[str, Any]:
    results: dict[str, Any] = {"single": {}, "threads": {}}
    for alg in ALGS:
        funcs = candidates(ts, alg)
        token = ts.token(alg)
        for name, f in funcs.items():
            self_check(name, f, ts, alg)
            cpu_ns_per_call(f, token, seconds / 10)  # warm-up (and fills tokenverify.jwt's cache)
        runs: dict[str, list[float]] = {name: [] for name in funcs}
        for _ in range(repeats):
            for name, f in funcs.items():
                gc.collect()
                runs[name].append(cpu_ns_per_call(f, token, seconds))
        results["single"][alg] = {name: {"ns_per_op": round(median_of(r), 1), "runs_ns": [round(x, 1) for x in r]}
                                  for name, r in runs.items()}
        line = ", ".join(f"{name} {median_of(r) / 1000:.3g} µs" for name, r in runs.items())
        print(f"bench.py: {alg}: {line}", file=sys.stderr)

    import tokenverify
    for alg in THREAD_ALGS:
        verifier = tokenverify.Verifier(ts.tv_config(alg))
        tokens = [ts.token(alg)] * batch
        out = verifier.verify_many(tokens, threads=1)
        if len(out) != batch or any(isinstance(c, Exception) for c in out):
            raise SystemExit(f"bench.py: verify_many refused the good {alg} token")
        per: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        batch_time(verifier.verify_many, tokens, 2, seconds / 10)
        for _ in range(repeats):
            for threads in (1, 2):
                per[threads].append(batch_time(verifier.verify_many, tokens, threads, seconds))
        entry: dict[str, Any] = {}
        for threads, rs in per.items():
            walls = [w for w, _ in rs]
            med = median_of(walls)
            cpu_at_median = next(c for w, c in rs if w == med)
            entry[str(threads)] = {"wall_ns_per_batch": round(med), "cpu_ns_per_batch": round(cpu_at_median),
                                   "cores": round(cpu_at_median / med, 2), "runs_wall_ns": [round(w) for w in walls]}
        entry["scaling"] = round(entry["1"]["wall_ns_per_batch"] / entry["2"]["wall_ns_per_batch"], 3)
        entry["best_scaling"] = round(min(w for w, _ in per[1]) / min(w for w, _ in per[2]), 3)
        results["threads"][alg] = entry
        print(f"bench.py: verify_many {alg} x{batch}: 2 threads {entry['scaling']:.2f}x one thread "
              f"(got {entry['2']['cores']:.2f} cores)", file=sys.stderr)

    results["middleware"] = middleware_costs(ts, seconds, repeats)
    return results


def middleware_costs(ts: TokenSet, seconds: float, repeats: int) -> dict[str, Any]:
    """CPU ns per HS256 request through each middleware around an app that does nothing,
    next to Verifier.verify alone: what the middleware adds (token lookup, scope or
    environ handling, claims hand-off). No server and no event loop: the ASGI coroutine
    never waits, so it is driven by hand."""
    import tokenverify
    from tokenverify.middleware import TokenVerifyASGIMiddleware, TokenVerifyWSGIMiddleware

    config = ts.tv_config("HS256")
    token = ts.token("HS256")
    verifier = tokenverify.Verifier(config)
    authorization = ("Bearer " + token).encode()

    async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
        pass

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass

    asgi = TokenVerifyASGIMiddleware(asgi_app, verifier)

    def through_asgi(_token: str) -> None:
        scope = {"type": "http", "path": "/orders", "query_string": b"",
                 "headers": [(b"host", b"api.example"), (b"accept", b"*/*"), (b"authorization", authorization)]}
        coro = asgi(scope, receive, send)
        try:
            coro.send(None)
        except StopIteration:
            return
        raise RuntimeError("the ASGI middleware waited for something")

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        return []

    wsgi = TokenVerifyWSGIMiddleware(wsgi_app, verifier)

    def through_wsgi(_token: str) -> None:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/orders", "QUERY_STRING": "", "HTTP_HOST": "api.example",
                   "HTTP_ACCEPT": "*/*", "HTTP_AUTHORIZATION": "Bearer " + token}
        wsgi(environ, lambda status, headers: None)
        if environ["tokenverify.claims"] is None:
            raise RuntimeError("the WSGI middleware passed no claims")

    funcs: dict[str, Callable[[str], Any]] = {"Verifier.verify": verifier.verify, "ASGI middleware": through_asgi,
                                               "WSGI middleware": through_wsgi}
    for f in funcs.values():
        cpu_ns_per_call(f, token, seconds / 10)
    runs: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeats):
        for name, f in funcs.items():
            gc.collect()
            runs[name].append(cpu_ns_per_call(f, token, seconds))
    out: dict[str, Any] = {name: {"ns_per_op": round(median_of(r), 1), "runs_ns": [round(x, 1) for x in r]}
                           for name, r in runs.items()}
    line = ", ".join(f"{name} {median_of(r) / 1000:.3g} µs" for name, r in runs.items())
    print(f"bench.py: per HS256 request: {line}", file=sys.stderr)
    return out


# ---------------------------------------------------------------- report


def us(ns: float) -> str:
    v = ns / 1000
    return f"{v:.3g}" if v < 100 else f"{v:,.0f}"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "not met"


def c_figure(c_rows: dict[tuple[str, str], dict[str, Any]], peer: str, alg: str) -> float | None:
    r = c_rows.get((peer, alg))
    return r.get("ns_per_op") if r else None


def load_c_results(path: str | None) -> tuple[dict[tuple[str, str], dict[str, Any]], str]:
    """(peer, alg) -> the C driver's JSON line; and why there are none, when there are none."""
    if not path:
        return {}, "no --c-results given"
    if not os.path.exists(path):
        return {}, f"{path} is missing (the C driver did not run; see run.sh's log)"
    rows = {}
    with open(path) as f:
        for line in f:
            if line.startswith("{"):
                r = json.loads(line)
                if "ns_per_op" in r:
                    rows[(r["peer"], r["alg"])] = r
    return rows, "" if rows else f"{path} holds no figures"


def markdown(results: dict[str, Any], meta: dict[str, Any], c_rows: dict[tuple[str, str], dict[str, Any]],
             c_unavailable: str) -> str:
    single, threads = results["single"], results["threads"]
    out: list[str] = []
    w = out.append
    w("# Python package benchmark: tokenverify vs PyJWT, per call")
    w("")
    w("<!-- Generated by bench/python/bench.py; regenerate with ./scripts/bench.sh --python -->")
    w("")
    w(f"Run {meta['date']} on {meta['cpu']} ({meta['nproc']} CPUs), CPython {meta['python']}, "
      f"tokenverify {meta['tokenverify']}, PyJWT {meta['pyjwt']}, cryptography {meta['cryptography']}; "
      f"{meta['repeats']} × {meta['seconds']} s per candidate, median shown; load average at start "
      f"{meta['load_start']}, at end {meta['load_end']}. Command: `{meta['command']}`.")
    w("")
    w("Same tokens for every candidate (bench/peers/make_tokens.py: a "
      f"{meta['payload_bytes']}-byte payload, RSA 2048, P-256, Ed25519, a 32-byte HMAC secret). Each "
      "candidate checks signature, exp, iss and aud and must refuse a bad signature, an expired token, "
      "a wrong issuer and a wrong audience before it is timed. Figures are process CPU time per call "
      "from a Python loop (loop overhead included), µs.")
    w("")
    w("## Targets (issue 5)")
    w("")
    w("| target | measured | |")
    w("|---|---|---|")
    hs = single["HS256"]
    hs_tv = hs["Verifier.verify"]["ns_per_op"]
    hs_py = hs["PyJWT jwt.decode"]["ns_per_op"]
    w(f"| HS256 `Verifier.verify` ≤ {TARGET_HS256_US} µs | {us(hs_tv)} µs | {verdict(hs_tv <= TARGET_HS256_US * 1000)} |")
    w(f"| HS256 `Verifier.verify` ≥ {TARGET_HS256_SPEEDUP:g}× PyJWT | {hs_py / hs_tv:.1f}× "
      f"| {verdict(hs_py / hs_tv >= TARGET_HS256_SPEEDUP)} |")
    rs_tv = single["RS256"]["Verifier.verify"]["ns_per_op"]
    rs_raw = c_figure(c_rows, "raw OpenSSL", "RS256")
    if rs_raw is not None:
        over = rs_tv - rs_raw
        w(f"| RS256 `Verifier.verify` within {TARGET_RS256_OVER_RAW_US} µs of the raw OpenSSL check | "
          f"{over / 1000:+.2f} µs ({us(rs_tv)} vs {us(rs_raw)} µs) | {verdict(over <= TARGET_RS256_OVER_RAW_US * 1000)} |")
    else:
        w(f"| RS256 `Verifier.verify` within {TARGET_RS256_OVER_RAW_US} µs of the raw OpenSSL check | "
          f"{us(rs_tv)} µs; raw OpenSSL not measured ({c_unavailable}) | — |")
    if threads:
        scal = {a: t["scaling"] for a, t in threads.items()}
        best = {a: t["best_scaling"] for a, t in threads.items()}
        cores = min(t["2"]["cores"] for t in threads.values())
        met = all(s >= TARGET_THREAD_SCALING for s in scal.values())
        note = verdict(met)
        if not met and cores < 1.8:
            note += f" (the 2-thread runs got as little as {cores:.2f} cores: other load on the machine)"
        w(f"| `verify_many` 2 threads ≥ {TARGET_THREAD_SCALING}× 1 thread | medians: "
          + ", ".join(f"{a} {s:.2f}×" for a, s in scal.items()) + "; best repetitions: "
          + ", ".join(f"{a} {s:.2f}×" for a, s in best.items()) + f" | {note} |")
    w("")
    w("## µs per call (speed-up over PyJWT)")
    w("")
    w("| alg | `Verifier.verify` | `tokenverify.jwt.decode` | PyJWT `jwt.decode` "
      "| C ABI + claims, from C | raw OpenSSL, from C | `Verifier.verify` − C ABI | `Verifier.verify` − raw |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for alg in ALGS:
        r = single[alg]
        py = r["PyJWT jwt.decode"]["ns_per_op"]
        tv = r["Verifier.verify"]["ns_per_op"]
        tvj = r.get("tokenverify.jwt.decode", {}).get("ns_per_op")
        tvj_cell = f"{us(tvj)} ({py / tvj:.1f}×)" if tvj else "n/a[^jwt]"
        c_abi = c_figure(c_rows, "tokenverify + claims", alg)
        raw = c_figure(c_rows, "raw OpenSSL", alg)
        cells = [us(c_abi) if c_abi else "n/a[^c]", us(raw) if raw else "n/a[^c]",
                 f"{(tv - c_abi) / 1000:+.2f}" if c_abi else "—", f"{(tv - raw) / 1000:+.2f}" if raw else "—"]
        w(f"| {alg} | {us(tv)} ({py / tv:.1f}×) | {tvj_cell} | {us(py)} | " + " | ".join(cells) + " |")
    w("")
    w("The C columns come from bench/peers/tokenverify_driver.c, run on the same token set in the "
      "same run against the library the package was built with: `tv_verify` asking for the claims "
      "(what `Verifier.verify` returns), and the cheapest check OpenSSL offers for the same signature "
      "(precomputed HMAC states; digest + `EVP_PKEY_verify` on a reused context). "
      "`Verifier.verify` − C ABI is what the Python binding adds.")
    if any("tokenverify.jwt.decode" not in single[a] for a in ALGS):
        w("")
        w("[^jwt]: this build of the package has no `tokenverify.jwt` module yet.")
    if c_unavailable:
        w("")
        w(f"[^c]: not measured: {c_unavailable}.")
    if threads:
        w("")
        w(f"## `verify_many`: {meta['batch']} tokens per batch, 1 vs 2 threads (wall time)")
        w("")
        w("| alg | 1 thread, µs/batch | 2 threads, µs/batch | speed-up | cores the 1-thread run got "
          "| cores the 2-thread run got |")
        w("|---|---:|---:|---:|---:|---:|")
        for alg, t in threads.items():
            w(f"| {alg} | {us(t['1']['wall_ns_per_batch'])} | {us(t['2']['wall_ns_per_batch'])} | "
              f"{t['scaling']:.2f}× | {t['1']['cores']:.2f} | {t['2']['cores']:.2f} |")
        w("")
        w("Cores = process CPU time / wall time. On an idle machine the 1-thread run gets 1.00 and the "
          "2-thread run up to 2.00; less means other processes had the CPUs, and the speed-up "
          "then measures the machine, not the library.")
    mw = results.get("middleware")
    if mw:
        base = mw["Verifier.verify"]["ns_per_op"]
        w("")
        w("## Middleware: one HS256 request, app that does nothing (CPU µs per request)")
        w("")
        w("| | µs | added to `Verifier.verify` |")
        w("|---|---:|---:|")
        for name, v in mw.items():
            added = "" if name == "Verifier.verify" else f"+{(v['ns_per_op'] - base) / 1000:.2f}"
            w(f"| {name} | {us(v['ns_per_op'])} | {added} |")
        w("")
        w("The request carries three headers (Host, Accept, Authorization); the middleware finds "
          "the token, verifies it, and hands the claims on in a copied scope state / the environ. "
          "No server, no event loop: the figures are the middleware's own cost.")
    w("")
    return "\n".join(out)


def machine_meta(args: argparse.Namespace, ts: TokenSet) -> dict[str, Any]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "tokenverify": version_of("tokenverify"),
        "pyjwt": version_of("PyJWT"),
        "cryptography": version_of("cryptography"),
        "seconds": args.seconds,
        "repeats": args.repeats,
        "batch": args.batch,
        "payload_bytes": ts.manifest["payload_bytes"],
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "command": args.command,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tokens")
    parser.add_argument("--seconds", type=float, default=0.5, help="timed budget of one repeat of one candidate")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=256, help="tokens per verify_many batch")
    parser.add_argument("--c-results", help="JSON lines of bench/peers/tokenverify_driver on the same tokens")
    parser.add_argument("--out-md")
    parser.add_argument("--out-jsonl")
    parser.add_argument("--command", default="./scripts/bench.sh --python")
    args = parser.parse_args()

    ts = TokenSet(args.tokens)
    meta = machine_meta(args, ts)
    results = run(ts, args.seconds, args.repeats, args.batch)
    meta["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())

    c_rows, c_unavailable = load_c_results(args.c_results)
    text = markdown(results, meta, c_rows, c_unavailable)
    print(text)
    if args.out_md:
        with open(args.out_md, "w") as f:
            f.write(text)
    if args.out_jsonl:
        with open(args.out_jsonl, "w") as f:
            for alg, per in results["single"].items():
                for name, r in per.items():
                    f.write(json.dumps({"alg": alg, "candidate": name, **r, "unit": "cpu_ns_per_call"}) + "\n")
            for alg, t in results["threads"].items():
                f.write(json.dumps({"alg": alg, "candidate": "Verifier.verify_many", "batch": args.batch, **t}) + "\n")
            for name, r in results.get("middleware", {}).items():
                f.write(json.dumps({"alg": "HS256", "candidate": f"per request: {name}", **r,
                                    "unit": "cpu_ns_per_call"}) + "\n")
            for r in c_rows.values():
                f.write(json.dumps({"alg": r["alg"], "candidate": f"{r['peer']} (C)", "ns_per_op": r["ns_per_op"],
                                    "runs_ns": r.get("runs_ns"), "unit": "cpu_ns_per_call"}) + "\n")
            f.write(json.dumps({"meta": meta}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
