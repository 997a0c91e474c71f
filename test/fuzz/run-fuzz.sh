#!/usr/bin/env bash
# Bounded libFuzzer run of the .gn front end.
#
#   test/fuzz/run-fuzz.sh [--skip-if-missing] FUZZER [SECONDS]
#
# SECONDS defaults to $FUZZ_SECONDS, else 60. Seeds are copied afresh from models/*.gn and
# test/frontend/**/*.gn into <fuzzer dir>/../fuzz/seeds; new inputs accumulate in
# <fuzzer dir>/../fuzz/corpus; crashes go to <fuzzer dir>/../fuzz/artifacts/.
# Exit codes: 0 nothing found, 1 the fuzzer found a bug, 125 (ctest's skip code for the
# `fuzz-frontend` test) the fuzzer is not built and --skip-if-missing was given.
# Extra libFuzzer flags: FUZZ_FLAGS="-seed=1 ...".
set -euo pipefail

skip_missing=0
if [[ "${1:-}" == --skip-if-missing ]]; then skip_missing=1; shift; fi
fuzzer="${1:?usage: run-fuzz.sh [--skip-if-missing] FUZZER [SECONDS]}"
seconds="${2:-${FUZZ_SECONDS:-60}}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if [[ ! -x "$fuzzer" ]]; then
  if ((skip_missing)); then
    echo "run-fuzz: $fuzzer not built (make fuzz builds it); skipping"
    exit 125
  fi
  echo "run-fuzz: error: $fuzzer not found" >&2
  exit 1
fi

work="$(cd "$(dirname "$fuzzer")/.." && pwd)/fuzz"
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
shopt -s nullglob globstar
seeds=("$root"/models/*.gn "$root"/test/frontend/**/*.gn)
((${#seeds[@]})) && cp "${seeds[@]}" "$work/seeds/"
echo "run-fuzz: ${#seeds[@]} seed files, ${seconds}s, artifacts in $work/artifacts/"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# libFuzzer's own default error exit code is 77; pin all failure codes to 1 so that none can
# be mistaken for a skip.
# shellcheck disable=SC2086
if "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2560 \
     -dict="$root/test/fuzz/gn.dict" -artifact_prefix="$work/artifacts/" \
     -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 ${FUZZ_FLAGS:-} \
     "$work/corpus" "$work/seeds"; then
  echo "run-fuzz: no crash in ${seconds}s"
else
  echo "run-fuzz: FAILED: the fuzzer found a problem; reproducer(s) in $work/artifacts/:" >&2
  ls -l "$work/artifacts/" >&2 || true
  exit 1
fi
