#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, build-fuzz/) and runs each
# for SECONDS (default 60). Exits non-zero on any crash, leak, sanitizer
# report, timeout, out-of-memory or differential mismatch; the failing input
# is saved under build-fuzz/artifacts/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]    fuzz (all targets by default)
#   scripts/fuzz.sh --merge [SECONDS] [TARGET...]
#        then fold the inputs that add coverage into fuzz/corpus/<target>/
#        (deliberately growing the committed seeds; review before committing)
#   scripts/fuzz.sh --fresh ...              forget build-fuzz/corpus first
#   TV_FUZZ_ARGS="-use_value_profile=1 ..."  extra libFuzzer flags (last wins)
#
# Each target fuzzes a working corpus, build-fuzz/corpus/<target>/, which
# keeps growing from run to run; the committed seeds in fuzz/corpus/<target>/
# are read, never written (unless --merge).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$TV_ROOT"

merge=0
fresh=0
seconds=60
targets=()
for arg in "$@"; do
  case "$arg" in
    --merge) merge=1 ;;
    --fresh) fresh=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    ''|*[!0-9]*) targets+=("$arg") ;;
    *) seconds="$arg" ;;
  esac
done
all_targets=(base64url token_parse json_differential jwks_parse verify config x509_map request_target request_signature authenticate password_hash redis_stream
             ed25519_differential rsa_padding_differential)
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")

# -max_len per target: the longest input worth exploring (a base64url text of
# an RSA-4096 signature and beyond; a header and payload; one decoded header
# or payload; a key set with a few large RSA keys; key set plus four tokens; a
# configuration with inline keys; an Ed25519 message with its four control bytes;
# an RSA padding's header and a few hundred byte changes).
declare -A max_len=([base64url]=2048 [token_parse]=4096 [json_differential]=4096 [jwks_parse]=8192 [verify]=12288
                    [config]=8192 [x509_map]=8192 [request_target]=1024
                    [request_signature]=4096 [authenticate]=4096 [password_hash]=512
                    [redis_stream]=4096 [ed25519_differential]=1024
                    [rsa_padding_differential]=1024)
for t in "${targets[@]}"; do
  [[ -n "${max_len[$t]:-}" ]] || { echo "fuzz: unknown target '$t' (targets: ${all_targets[*]})" >&2; exit 2; }
done

"$TV_ROOT/scripts/setup.sh"

out="$TV_ROOT/build-fuzz"
if [[ ! -f "$out/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S "$TV_ROOT" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTV_BUILD_FUZZERS=ON -DTV_BUILD_TESTS=OFF >/dev/null
fi
ninja -C "$out" -j "$TV_JOBS" tv_fuzzers >/dev/null || ninja -C "$out" -j 1 tv_fuzzers

mkdir -p "$out/artifacts" "$out/logs"
symbolizer="$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1${symbolizer:+:external_symbolizer_path=$symbolizer}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"

failed=0
printf '%-21s %10s %8s %8s %8s  %s\n' target runs cov ft corpus result
for t in "${targets[@]}"; do
  work="$out/corpus/$t"
  [[ $fresh -eq 1 ]] && rm -rf "$work"
  mkdir -p "$work"
  log="$out/logs/$t.log"
  dict=()
  [[ $t != base64url && $t != ed25519_differential && $t != rsa_padding_differential ]] && dict=(-dict="$TV_ROOT/fuzz/dict/json.dict")
  touch "$out/logs/$t.start"
  rc=0
  "$out/fuzz/tv_fuzz_$t" "$work" "$TV_ROOT/fuzz/corpus/$t" \
    -max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$out/artifacts/$t-" -print_final_stats=1 "${dict[@]}" ${TV_FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?

  # The last status line ("#N DONE cov: C ft: F corp: K/..." or the last pulse).
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")"
  result=ok
  if [[ $rc -ne 0 ]] || grep -qE '^==[0-9]+==ERROR|runtime error:|^SUMMARY: |differential mismatch|Test unit written to' "$log"; then
    result="FAILED (exit $rc; log $log)"
    failed=1
  fi
  printf '%-21s %10s %8s %8s %8s  %s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
  if [[ $result != ok ]]; then
    # The report itself: from the sanitizer's or libFuzzer's first error line.
    grep -nE '^==[0-9]+==|runtime error:|^SUMMARY|Test unit written|^[a-z_]+: ' "$log" | head -n 20 >&2 || true
    find "$out/artifacts" -name "$t-*" -newer "$out/logs/$t.start" | sed 's/^/  artifact: /' >&2
  fi

  if [[ $merge -eq 1 && $result == ok ]]; then
    "$out/fuzz/tv_fuzz_$t" -merge=1 -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048 \
      "$TV_ROOT/fuzz/corpus/$t" "$work" >"$out/logs/$t.merge.log" 2>&1 ||
      { echo "fuzz: merge of $t failed (see $out/logs/$t.merge.log)" >&2; failed=1; }
    echo "  merged into fuzz/corpus/$t: $(ls "$TV_ROOT/fuzz/corpus/$t" | wc -l) files"
  fi
done

if [[ $failed -ne 0 ]]; then
  echo "fuzz: FAILED (reproduce: build-fuzz/fuzz/tv_fuzz_<target> build-fuzz/artifacts/<file>)" >&2
  exit 1
fi
echo "fuzz: all targets passed (${seconds}s each)"
