#!/usr/bin/env bash
# Benchmarks. Usage:
#   ./scripts/bench.sh [tv_bench flags...]   the engine's suites (bench/), as a markdown table
#                                            in bench/results/latest.md (also printed)
#   ./scripts/bench.sh --peers [args...]     the peer harness (bench/peers/run.sh)
#   ./scripts/bench.sh --python [args...]    the Python package benchmarks (bench/python/run.sh)
#   ./scripts/bench.sh --serve [args...]     tokenverify serve under wrk, alone and behind nginx
#                                            (bench/serve/bench_serve.py), into bench/results/serve.md
#
# Environment: TV_BENCH_REPETITIONS (default 5), TV_BENCH_MIN_TIME (seconds
# per repetition, default 0.2) and TV_BENCH_RUNS (whole runs, default 1; with
# more, the Targets table shows the spread of the ratios near 1.0 over all of
# them, e.g. TV_BENCH_RUNS=3). Extra arguments go to tv_bench, e.g.
# --benchmark_filter=verify/ to run a part (the table then shows "—" elsewhere).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

delegate() {  # delegate SCRIPT ARGS...: run another harness if it exists yet
  local script="$TV_ROOT/$1"
  shift
  if [[ ! -f "$script" ]]; then
    echo "bench.sh: ${script#"$TV_ROOT"/} is not there yet" >&2
    exit 1
  fi
  exec bash "$script" "$@"
}

case "${1:-}" in
  --peers) shift; delegate bench/peers/run.sh "$@" ;;
  --python) shift; delegate bench/python/run.sh "$@" ;;
  --serve)
    shift
    "$TV_ROOT/scripts/setup.sh"
    tv_build build
    mkdir -p "$TV_ROOT/bench/results"
    exec python3 "$TV_ROOT/bench/serve/bench_serve.py" "$TV_ROOT/build/tokenverify" "$TV_ROOT/bench/results/serve.md" "$@" ;;
  -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

"$TV_ROOT/scripts/setup.sh"

build="$TV_ROOT/build-bench"
cmake -S "$TV_ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTV_BUILD_BENCH=ON -DTV_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" -j "$TV_JOBS" tv_bench >/dev/null || ninja -C "$build" -j 1 tv_bench

reps="${TV_BENCH_REPETITIONS:-5}"
min_time="${TV_BENCH_MIN_TIME:-0.2}"
runs="${TV_BENCH_RUNS:-1}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: TV_BENCH_RUNS must be a positive integer, not '$runs'" >&2; exit 2; }
json="$build/tv_bench.json"
results="$TV_ROOT/bench/results"
mkdir -p "$results"

# Repetitions are interleaved at random across benchmarks, so slow drift of a
# shared machine hits a result and its baseline alike; the report uses medians.
flags=(--benchmark_repetitions="$reps" --benchmark_min_time="$min_time"
       --benchmark_enable_random_interleaving=true --benchmark_display_aggregates_only=true
       --benchmark_out_format=json "$@")
others=()
for run in $(seq 1 "$runs"); do
  out="$json"
  if ((run > 1)); then
    out="$build/tv_bench.$run.json"
    others+=("$out")
  fi
  echo "bench.sh: run $run of $runs: tv_bench ${flags[*]} --benchmark_out=$out" >&2
  "$build/bench/tv_bench" "${flags[@]}" --benchmark_out="$out" >&2
done

prefix=""
((runs > 1)) && prefix="TV_BENCH_RUNS=$runs "
command="${prefix}./scripts/bench.sh${*:+ $*} (tv_bench --benchmark_repetitions=$reps --benchmark_min_time=$min_time --benchmark_enable_random_interleaving=true)"
python3 "$TV_ROOT/bench/report.py" "$json" ${others[@]+--other-runs "${others[@]}"} --command "$command" \
  --out "$results/latest.md"
echo "bench.sh: table written to bench/results/latest.md, raw results in ${json#"$TV_ROOT"/}" >&2
