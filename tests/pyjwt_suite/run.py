#!/usr/bin/env python3
"""PyJWT's own test suite against tokenverify.jwt (issue 17).

Fetches the sdist of the PyJWT version pinned in tests/python/requirements.txt
from PyPI (pip download, cached in build-py/pyjwt-suite/), unpacks its tests and
runs them with pytest and tv_pyjwt_plugin.py, which routes JWT decoding to
tokenverify.jwt and counts the tests that reached it. Two runs of the decoding
suites:

  as-written          the tests' own calls
  no-min-key-length   every routed call also given PyJWT's own option
                      enforce_minimum_key_length: False

and one of test_jwks_client.py with tokenverify's PyJWKClient swapped in.

Prints passed/applicable for each run and the failures grouped by cause. With
--expected FILE, exits 1 when a failure is not listed in FILE (or a listed one
passes now, so that the list stays true). The interpreter running this script
must import tokenverify (installed, or PYTHONPATH=build-pydev/python).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# The decoding suites: every test file but the key-set client's; a test counts when it
# reaches tokenverify (the others test encoding, PyJWS, PyJWK or the algorithms).
DECODING_SUITES = ["tests", "--deselect", "tests/test_jwks_client.py", "--ignore", "tests/test_jwks_client.py"]
CLIENT_SUITE = ["tests/test_jwks_client.py"]
RUNS = [("as-written", DECODING_SUITES, False), ("no-min-key-length", DECODING_SUITES, False),
        ("jwks-client", CLIENT_SUITE, True)]
# For diagnosis (--run padded-secrets only): what fails behind the short-secret refusal.
DIAGNOSIS = ("padded-secrets", DECODING_SUITES, False)


def pinned_version() -> str:
    text = (ROOT / "tests/python/requirements.txt").read_text()
    match = re.search(r"^pyjwt==([^\s#]+)", text, re.IGNORECASE | re.MULTILINE)
    if not match:
        sys.exit("tests/python/requirements.txt pins no PyJWT version")
    return match.group(1)


def suite_dir(work: Path, version: str) -> Path:
    """The unpacked sdist, downloaded once."""
    unpacked = work / ("pyjwt-%s" % version)
    if (unpacked / "tests").is_dir():
        return unpacked
    work.mkdir(parents=True, exist_ok=True)
    sdists = list(work.glob("pyjwt-%s.tar.gz" % version)) + list(work.glob("PyJWT-%s.tar.gz" % version))
    if not sdists:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
                        "-d", str(work), "pyjwt==%s" % version], check=True)
        sdists = list(work.glob("*%s.tar.gz" % version))
    with tarfile.open(sdists[0]) as tar:
        tar.extractall(work, filter="data")
    return unpacked


def run(name: str, suites: List[str], client: bool, sdist: Path, work: Path) -> List[Dict[str, Any]]:
    report = work / ("report-%s.jsonl" % name)
    report.unlink(missing_ok=True)
    env = dict(os.environ)
    env["TV_PYJWT_MODE"] = "as-written" if name == "jwks-client" else name
    env["TV_PYJWT_CLIENT"] = "1" if client else "0"
    env["TV_PYJWT_REPORT"] = str(report)
    # Absolute: pytest runs in the unpacked sdist.
    paths = [str(HERE)] + [str(Path(p).resolve()) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # Loopback is never reached through a proxy (the engine's fetcher and urllib read these).
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tv_pyjwt_plugin",
                    "--tb=no", "-o", "addopts=", *suites], cwd=sdist, env=env, stdout=subprocess.DEVNULL)
    records = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    if not any("test" in r for r in records):
        sys.exit("%s: the harness wrote no results (does this Python import tokenverify?)" % name)
    return records


def summarise(name: str, records: List[Dict[str, Any]]) -> Tuple[int, int, Dict[str, str]]:
    tests = [r for r in records if "test" in r]
    applicable = [r for r in tests if r["calls"] > 0 and r["outcome"] != "skipped"]
    passed = [r for r in applicable if r["outcome"] == "passed"]
    na_listed = [r for r in tests if r["skipped"].startswith("not applicable")]
    na_unreached = [r for r in tests if r["calls"] == 0 and not r["skipped"]]
    skipped_other = [r for r in tests if r["skipped"] and not r["skipped"].startswith("not applicable")]
    failures = {r["test"]: (r["tokenverify_error"] or r["error"]) for r in applicable if r["outcome"] != "passed"}
    print("== %s: %d/%d applicable tests passed (%d tests: %d not applicable as listed, %d never reached "
          "tokenverify, %d skipped by PyJWT's own markers)" % (name, len(passed), len(applicable), len(tests),
                                                             len(na_listed), len(na_unreached),
                                                             len(skipped_other)))
    unreached_failed = [r["test"] for r in na_unreached if r["outcome"] == "failed"]
    if unreached_failed:  # PyJWT's own code failed before any decoding: not counted, but shown
        print("   %d tests failed without reaching tokenverify (not counted): %s" % (
            len(unreached_failed), ", ".join(unreached_failed)))
    for record in records:
        if "mapped_exceptions" in record and record["mapped_exceptions"]:
            print("   exceptions mapped by name: %s" % ", ".join(
                "%s (%d)" % kv for kv in sorted(record["mapped_exceptions"].items())))
    by_cause: Dict[str, List[str]] = collections.defaultdict(list)
    for test, cause in failures.items():
        by_cause[re.sub(r"\d+ bytes", "N bytes", re.sub(r"HS(256|384|512)", "HSnnn", cause))].append(test)
    for cause, names in sorted(by_cause.items(), key=lambda kv: -len(kv[1])):
        print("   %3d  %s" % (len(names), cause))
        for test in sorted(names):
            print("          %s" % test)
    return len(passed), len(applicable), failures


def read_expected(path: Path) -> Dict[Tuple[str, str], str]:
    """`<run> <test id>  # <cause>` lines; # comments and blank lines ignored."""
    expected: Dict[Tuple[str, str], str] = {}
    for line in path.read_text().splitlines():
        body, _, cause = line.partition("#")
        fields = body.split()
        if len(fields) == 2:
            expected[(fields[0], fields[1])] = cause.strip()
    return expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default=str(ROOT / "build-py" / "pyjwt-suite"),
                        help="where the sdist is downloaded and unpacked (default: build-py/pyjwt-suite)")
    parser.add_argument("--expected", help="fail on any failure not listed in this file")
    parser.add_argument("--run", action="append", choices=[r[0] for r in RUNS + [DIAGNOSIS]],
                        help="only these runs (padded-secrets: for diagnosis, never by default)")
    args = parser.parse_args()
    work = Path(args.work)
    sdist = suite_dir(work, pinned_version())
    unexpected: List[str] = []
    fixed: List[str] = []
    expected = read_expected(Path(args.expected)) if args.expected else {}
    for name, suites, client in RUNS + [DIAGNOSIS]:
        if (args.run and name not in args.run) or (not args.run and name == DIAGNOSIS[0]):
            continue
        _, _, failures = summarise(name, run(name, suites, client, sdist, work))
        unexpected += ["%s %s  # %s" % (name, t, c) for t, c in sorted(failures.items())
                       if (name, t) not in expected]
        fixed += ["%s %s" % (name, t) for (run_name, t) in sorted(expected)
                  if run_name == name and t not in failures]
    if args.expected:
        for line in unexpected:
            print("UNEXPECTED FAILURE: " + line)
        for line in fixed:
            print("LISTED AS EXPECTED BUT NOT FAILING (remove it from %s): %s" % (args.expected, line))
        if unexpected or fixed:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
