#!/usr/bin/env python3
"""Turn the peer harness's JSON lines into a markdown table and a bar chart.

    report.py --results results.jsonl [--meta meta.env] [--markdown peers.md] [--chart peers.png]

Every runner prints one JSON object per peer x algorithm: peer, language, alg,
version, ns_per_op (median over the repeats of process CPU time per
verification), wall_ns_per_op, ops, runs_ns, note; or `unavailable` with the
reason (alg "*" when a whole peer could not be installed or built). A runtime
package's runner may also print, for HS256 and RS256, a record with kind
"paired_overhead" (see PAIRED_PROTOCOL). The table is
printed on stdout and written to --markdown; the chart (log scale, grouped by
algorithm) to --chart.
"""

import argparse
import json
import math
import os
import sys

ALGS = ["HS256", "RS256", "PS256", "ES256", "EdDSA"]
REFERENCE = ("tokenverify", "C")
LIMIT = ("raw OpenSSL", "C")
PY_PACKAGE = ("tokenverify", "Python")  # the Python package, from bench/peers/python/bench_py.py
# Display order; anything else follows in the order it was measured.
ORDER = [
    ("tokenverify", "C"), ("tokenverify + claims", "C"), ("raw OpenSSL", "C"), ("tokenverify", "Python"),
    ("tokenverify (Rust)", "Rust"), ("jsonwebtoken", "Rust"), ("tokenverify (Go)", "Go"), ("golang-jwt", "Go"),
    ("libjwt", "C"),
    ("tokenverify (Node)", "Node"), ("fast-jwt", "Node"), ("fast-jwt (cache)", "Node"), ("jose", "Node"),
    ("jsonwebtoken", "Node"),
    ("tokenverify (Java)", "Java"), ("jjwt", "Java"), ("nimbus-jose-jwt", "Java"),
    ("PyJWT", "Python"), ("joserfc", "Python"), ("jwcrypto", "Python"), ("authlib", "Python"),
]
WITH_CLAIMS = ("tokenverify + claims", "C")
CACHED = ("fast-jwt (cache)", "Node")
# The runtime packages over the C ABI (bindings/<lang>/), each measured by its own
# runner; issue 14's targets: within 1.15x of the C ABI for HS256 and 1.02x for
# RS256, and faster than every peer of the same runtime for HS256, RS256, PS256.
BINDING_LANGUAGES = ("Go", "Rust", "Node", "Java")
BINDING_OVERHEAD_TARGETS = {"HS256": 1.15, "RS256": 1.02}
BINDING_PEER_ALGS = ("HS256", "RS256", "PS256")
BESIDE_PREFIX = "tokenverify (C, beside "
# How a runtime package's runner measures its overhead in its own process, when it
# can (the "paired_overhead" records: ratio, low, high, pairs, block, package_ns,
# c_ns, baseline). On this shared machine two processes minutes apart differ by
# more than the 2 % being judged, so the package is timed against the C ABI in
# alternating blocks in one process instead.
PAIRED_PROTOCOL = (
    "blocks of the package's verify call alternate with blocks of tv_verify called in a plain native loop "
    "(a C loop or the Rust crate's raw bindings) on a native verifier of the same configuration, in the same "
    "process, about 2 ms of process CPU time each (all threads), which side goes first alternating, for the "
    "run's budget and at least 20 pairs; the figure is the median of the pairs' ratios, the spread their "
    "10th–90th percentiles")


def binding_key(language):
    return (f"tokenverify ({language})", language)
LABEL = {
    REFERENCE: "**tokenverify** (C ABI)",
    **{binding_key(lang): f"**tokenverify** ({lang} package)" for lang in BINDING_LANGUAGES},
    WITH_CLAIMS: "tokenverify + claims (C ABI)",
    LIMIT: "raw OpenSSL limit",
    PY_PACKAGE: "**tokenverify** (Python package)",
}
# Until the Python package has figures of its own, the C ABI rows stand in for it.
STAND_IN_LABEL = {
    REFERENCE: "C (stands in for Python)",
    WITH_CLAIMS: "C (stands in for Python)",
}


def load_results(path):
    """rows: (peer, language) -> {alg: record}, in display order; besides:
    language -> {alg: [ns...]}, the C ABI timed right before and after that
    language's package (run.sh's reference_beside); paired: language -> {alg:
    record}, the package against the C ABI in its own process (PAIRED_PROTOCOL)."""
    rows = {}
    besides = {}
    paired = {}
    order = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if r.get("kind") == "paired_overhead":
                paired.setdefault(r["language"], {})[r["alg"]] = r
                continue
            if r["peer"].startswith(BESIDE_PREFIX):
                if "ns_per_op" in r:
                    lang = r["peer"][len(BESIDE_PREFIX):-1]
                    besides.setdefault(lang, {}).setdefault(r["alg"], []).extend(r.get("runs_ns") or [r["ns_per_op"]])
                continue
            key = (r["peer"], r["language"])
            if key not in rows:
                rows[key] = {}
                order.append(key)
            algs = ALGS if r.get("alg") == "*" else [r["alg"]]
            for alg in algs:
                # A whole-peer failure never hides a figure the runner did print.
                if r.get("alg") == "*" and alg in rows[key]:
                    continue
                rows[key][alg] = r
    known = [k for k in ORDER if k in rows]
    return rows, known + [k for k in order if k not in known], besides, paired


def load_meta(path):
    meta = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta[k] = v
    return meta


def us(ns):
    v = ns / 1000
    return f"{v:.3g}" if v < 10 else f"{v:,.0f}" if v >= 1000 else f"{v:.1f}"


def ops_per_s(ns):
    v = 1e9 / ns
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e3:
        return f"{v / 1e3:.1f} k"
    return f"{v:.0f}"


def ratio(ns, ref):
    if ref is None:
        return "—"
    x = ns / ref
    return f"{x:.2f}×" if x < 10 else f"{x:.0f}×"


def figure(rows, key, alg):
    r = rows.get(key, {}).get(alg)
    return r["ns_per_op"] if r and "ns_per_op" in r else None


def build_markdown(rows, keys, besides, paired, meta, chart_name):
    out = []
    w = out.append
    w("# Peer benchmark: JWT verification on one core")
    w("")
    w("<!-- Generated by bench/peers/report.py from bench/results/peers.jsonl; "
      "regenerate with ./scripts/bench.sh --peers -->")
    w("")
    when = meta.get("date", "?")
    cpu = meta.get("cpu_model", "?")
    pinned = meta.get("pinned_cpu", "none")
    w(f"Run {when} on {cpu} ({meta.get('nproc', '?')} CPUs), every runner pinned to "
      f"{'CPU ' + pinned if pinned != 'none' else 'no CPU (taskset unavailable)'}; "
      f"{meta.get('repeats', '?')} × {meta.get('seconds', '?')} s per peer × algorithm, median shown. "
      f"Load average at start {meta.get('load_start', '?')}, at end {meta.get('load_end', '?')}.")
    w("")
    w(f"One token set for everyone: the same {meta.get('payload_bytes', '~390')}-byte payload "
      "(iss, sub, aud, exp, nbf, iat, jti and six custom claims) signed with each algorithm "
      "(RSA 2048, P-256, Ed25519, a 32-byte HMAC secret), keys generated fresh for the run. "
      "Every peer loads its key once, allows one algorithm, and checks signature, exp, iss and aud; "
      "before timing, each must accept the good token and reject a bad signature, an expired token, "
      "a wrong issuer and a wrong audience. Figures are process CPU time per verification "
      "(all threads: GC, JIT and worker threads count), single-threaded callers.")
    w("")
    versions = []
    for k in ("tokenverify", "openssl", "rustc", "go", "node", "java", "python"):
        if meta.get(k):
            v = meta[k]
            versions.append(v if v.startswith(k) else f"{k} {v}")
    if versions:
        w("Toolchains: " + ", ".join(versions) + ".")
        w("")

    # Summary: µs/op per algorithm, ratio to tokenverify.
    w("## µs per verification (× tokenverify), lower is better")
    w("")
    w("| peer | language | version | " + " | ".join(ALGS) + " |")
    w("|---|---|---|" + "---:|" * len(ALGS))
    footnotes = []
    has_python_package = any(figure(rows, PY_PACKAGE, a) is not None for a in ALGS)
    language_label = {} if has_python_package else STAND_IN_LABEL
    for key in keys:
        cells = []
        version = next((r.get("version") for r in rows[key].values() if r.get("version")), "")
        for alg in ALGS:
            ns = figure(rows, key, alg)
            ref = figure(rows, REFERENCE, alg)
            if ns is None:
                r = rows[key].get(alg)
                reason = r.get("unavailable", "not run") if r else "not run"
                if reason not in footnotes:
                    footnotes.append(reason)
                cells.append(f"n/a[^{footnotes.index(reason) + 1}]")
            elif key == REFERENCE:
                cells.append(f"**{us(ns)}**")
            else:
                cells.append(f"{us(ns)} ({ratio(ns, ref)})")
        w(f"| {LABEL.get(key, key[0])} | {language_label.get(key, key[1])} | {version} | "
          + " | ".join(cells) + " |")
    w("")
    if chart_name:
        w(f"![µs per verification, log scale]({chart_name})")
        w("")

    bindings_table(rows, keys, besides, paired, w)

    # Per algorithm: the full figures.
    w("## Per algorithm")
    for alg in ALGS:
        ref = figure(rows, REFERENCE, alg)
        lim = figure(rows, LIMIT, alg)
        w("")
        w(f"### {alg}")
        w("")
        w("| peer | language | µs/op | ops/s | × tokenverify | × raw OpenSSL | how it was called |")
        w("|---|---|---:|---:|---:|---:|---|")
        measured = [k for k in keys if figure(rows, k, alg) is not None]
        for key in sorted(measured, key=lambda k: figure(rows, k, alg)):
            ns = figure(rows, key, alg)
            note = rows[key][alg].get("note", "").replace("|", "\\|")
            w(f"| {LABEL.get(key, key[0])} | {language_label.get(key, key[1])} | {us(ns)} | "
              f"{ops_per_s(ns)} | {ratio(ns, ref)} | {ratio(ns, lim)} | {note} |")
        missing = [k for k in keys if figure(rows, k, alg) is None]
        if missing:
            w("")
            w("Not measured: " + "; ".join(
                f"{k[0]} ({k[1]}): {rows[k].get(alg, {}).get('unavailable', 'not run')}" for k in missing) + ".")
    w("")
    if footnotes:
        for i, reason in enumerate(footnotes, 1):
            w(f"[^{i}]: {reason}")
        w("")
    return "\n".join(out)


def fastest_repeat(rows, key, alg):
    r = rows.get(key, {}).get(alg)
    if not r or "ns_per_op" not in r:
        return None
    return min(r.get("runs_ns") or [r["ns_per_op"]])


def bindings_table(rows, keys, besides, paired, w):
    """Each runtime package against the C ABI (in its own process when its runner
    measured that, else as timed right before and after it, when run.sh did) and
    against its own runtime's peers."""
    present = [lang for lang in BINDING_LANGUAGES if binding_key(lang) in rows]
    if not present:
        return
    w("## The runtime packages: × the C ABI, × their runtime's fastest peer")
    w("")
    w("Targets: HS256 ≤ " + ", RS256 ≤ ".join(f"{t}×" for t in BINDING_OVERHEAD_TARGETS.values())
      + " the C ABI's time (the whole cost of crossing from the runtime into the engine); "
      "below 1× every verifying peer of the same runtime for " + ", ".join(BINDING_PEER_ALGS)
      + " (a cache of verified tokens, like fast-jwt's, is not a verifying peer). "
      "Overheads marked ⇄ are measured in the package's own process: " + PAIRED_PROTOCOL + ". "
      "The others compare the fastest repeat of the package with the fastest repeat of the C ABI "
      "timed by the C runner right before and right after it (the main table's C row is minutes away, "
      "and on a shared machine noise only ever adds time). ✓ meets the target, ✗ misses it.")
    w("")
    w("| package | " + " | ".join(f"{a} × C ABI" for a in BINDING_OVERHEAD_TARGETS)
      + " | " + " | ".join(f"{a} × fastest peer" for a in BINDING_PEER_ALGS) + " |")
    w("|---|" + "---:|" * (len(BINDING_OVERHEAD_TARGETS) + len(BINDING_PEER_ALGS)))

    def cell(x, target, extra="", digits=2):
        if x is None:
            return "n/a"
        return f"{x:.{digits}f}× {'✓' if x <= target else '✗'}{extra}"

    def across_processes(lang, alg):
        """The package's fastest repeat over the C runner's, timed right before and after it."""
        beside = besides.get(lang, {}).get(alg)
        ns = fastest_repeat(rows, binding_key(lang), alg)
        ref = min(beside) if beside else fastest_repeat(rows, REFERENCE, alg)
        return ns / ref if ns and ref else None

    for lang in present:
        key = binding_key(lang)
        cells = []
        for alg, target in BINDING_OVERHEAD_TARGETS.items():
            p = paired.get(lang, {}).get(alg)
            if p is not None:
                cells.append(cell(p["ratio"], target, f" ⇄ ({p['low']:.3f}–{p['high']:.3f})", digits=3))
            else:
                cells.append(cell(across_processes(lang, alg), target, digits=3))
        peers = [k for k in keys if k[1] == lang and k != key and k != CACHED]
        for alg in BINDING_PEER_ALGS:
            ns = figure(rows, key, alg)
            timed = [(figure(rows, k, alg), k[0]) for k in peers if figure(rows, k, alg) is not None]
            if ns is None or not timed:
                cells.append("n/a")
                continue
            fastest, name = min(timed)
            cells.append(cell(ns / fastest, 1.0 - 1e-9, f" ({name})"))
        w(f"| {LABEL[key]} | " + " | ".join(cells) + " |")
    w("")
    if "Go" in present and paired.get("Go"):
        one_cpu = ", ".join(f"{alg} {across_processes('Go', alg):.3f}×" for alg in BINDING_OVERHEAD_TARGETS
                            if across_processes("Go", alg) is not None)
        w("Go's ⇄ figures run with GOMAXPROCS=2 and not pinned (bench/peers/go-tokenverify/paired.go): a cgo call "
          "that outlasts the Go runtime's 20 µs tick has its P handed to another thread by the runtime's monitor "
          "(sysmon), and on one CPU that thread preempts the verification itself. Confined to one CPU, as every "
          f"row of the main table is, the Go package takes {one_cpu or 'n/a'} the C runner's time "
          "(bindings/go/README.md, *Performance*).")
        w("")


# Colours: tokenverify stands out, the raw limit is grey, each language a family.
FAMILY = {"Rust": "Oranges", "Go": "Blues", "Node": "Greens", "Python": "Purples", "Java": "Greys"}
FIXED_COLOURS = {REFERENCE: "#d62728", WITH_CLAIMS: "#f4a6a6", LIMIT: "#7f7f7f", PY_PACKAGE: "#8b0000"}
C_PEER_COLOUR = "#8c564b"


def draw_chart(rows, keys, path, meta):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import colormaps

    peers = [k for k in keys if any(figure(rows, k, a) is not None for a in ALGS)]
    colours = dict(FIXED_COLOURS)
    by_language = {}
    for k in peers:
        if k not in colours:
            by_language.setdefault(k[1], []).append(k)
    for lang, members in by_language.items():
        if lang not in FAMILY:
            for k in members:
                colours[k] = C_PEER_COLOUR
            continue
        cmap = colormaps[FAMILY[lang]]
        for i, k in enumerate(members):
            colours[k] = cmap(0.45 + 0.45 * i / (len(members) - 1) if len(members) > 1 else 0.65)

    n = len(peers)
    width = 0.86 / max(1, n)
    fig, ax = plt.subplots(figsize=(15, 6.5), dpi=110)
    values = [figure(rows, k, a) / 1000 for k in peers for a in ALGS if figure(rows, k, a) is not None]
    bottom = 10 ** math.floor(math.log10(min(values))) if values else 0.1
    top = 10 ** math.ceil(math.log10(max(values)) + 0.15) if values else 1000
    for i, k in enumerate(peers):
        xs, ys = [], []
        for j, alg in enumerate(ALGS):
            x = j - 0.43 + width * (i + 0.5)
            ns = figure(rows, k, alg)
            if ns is None:
                ax.text(x, bottom * 1.15, "n/a", rotation=90, ha="center", va="bottom", fontsize=6.5,
                        color="#555555")
                continue
            xs.append(x)
            ys.append(ns / 1000)
        if k == REFERENCE:
            label = "tokenverify (C ABI)"
        elif k == WITH_CLAIMS:
            label = "tokenverify + claims kept (C ABI)"
        elif k == LIMIT:
            label = "raw OpenSSL limit (signature only)"
        elif k == PY_PACKAGE:
            label = "tokenverify (Python package)"
        elif k == CACHED:
            label = "fast-jwt, cache hits (no verification)"
        else:
            label = f"{k[0]} ({k[1]})"
        bars = ax.bar(xs, ys, width=width * 0.92, color=colours.get(k), label=label,
                      edgecolor="black" if k == REFERENCE else "white" if k == CACHED else "none",
                      linewidth=0.8, hatch="//" if k == LIMIT else "...." if k == CACHED else None, zorder=3)
        if k == REFERENCE:
            for b, y in zip(bars, ys):
                ax.annotate(f"{y:.3g}", (b.get_x() + b.get_width(), y), xytext=(0, 3),
                            textcoords="offset points", ha="right", va="bottom", fontsize=7,
                            color="#d62728", fontweight="bold")
    ax.set_yscale("log")
    ax.set_xticks(range(len(ALGS)))
    ax.set_xticklabels(ALGS, fontsize=11)
    ax.set_xlim(-0.5, len(ALGS) - 0.5)
    ax.set_ylim(bottom, top)
    ax.set_ylabel("µs of CPU per verification (log scale, lower is better)")
    ax.grid(axis="y", which="major", linestyle="-", alpha=0.35, zorder=0)
    ax.grid(axis="y", which="minor", linestyle=":", alpha=0.2, zorder=0)
    for j in range(1, len(ALGS)):
        ax.axvline(j - 0.5, color="black", alpha=0.15, linewidth=0.8)
    ax.set_title("JWT verification on one core: tokenverify vs. peers "
                 "(same tokens, keys loaded once, signature + exp/iss/aud)", fontsize=11)
    sub = (f"{meta.get('date', '')}  ·  {meta.get('cpu_model', '')}  ·  median of "
           f"{meta.get('repeats', '?')} × {meta.get('seconds', '?')} s  ·  bench/peers/run.sh")
    fig.text(0.01, 0.01, sub, fontsize=7, alpha=0.7)
    ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--results", required=True)
    ap.add_argument("--meta")
    ap.add_argument("--markdown")
    ap.add_argument("--chart")
    args = ap.parse_args()
    rows, keys, besides, paired = load_results(args.results)
    if REFERENCE not in rows:
        print("report.py: no tokenverify results", file=sys.stderr)
        return 1
    meta = load_meta(args.meta)
    chart_name = os.path.basename(args.chart) if args.chart else None
    md = build_markdown(rows, keys, besides, paired, meta, chart_name)
    print(md)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md + "\n")
    if args.chart:
        draw_chart(rows, keys, args.chart, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main())
