#!/usr/bin/env bash
# Bounded libFuzzer run of one of gnc's fuzz targets.
#
#   test/fuzz/run-fuzz.sh [--skip-if-missing] [--share PERCENT] FUZZER [SECONDS]
#
# FUZZER is build-fuzz/bin/gnc-fuzz-frontend (the .gn front end),
# build-fuzz/bin/gnc-fuzz-safetensors (the runtime's checkpoint loader) or
# build-fuzz/bin/gnc-fuzz-npy (the runtime's .npy reader). SECONDS defaults to $FUZZ_SECONDS,
# else 60; --share PERCENT runs for that part of it (`make fuzz` and the ctest tests give each
# target 50%: 30 s of the default 60). Seeds are written afresh into
# <fuzzer dir>/../fuzz/<target>/seeds (front end: models/*.gn, test/frontend/**/*.gn and the
# limit tests' templates expanded to long inputs, with -max_len of 1 MB;
# safetensors: test/fuzz/safetensors-seeds.py; npy: test/fuzz/npy-seeds.py); new inputs
# accumulate in .../<target>/corpus; crashes go to .../<target>/artifacts/.
# Exit codes: 0 nothing found, 1 the fuzzer found a bug, 125 (ctest's skip code for the
# `fuzz-*` tests) the fuzzer is not built and --skip-if-missing was given.
# Extra libFuzzer flags: FUZZ_FLAGS="-seed=1 ...".
set -euo pipefail
timeout=10 # seconds per input before libFuzzer reports a hang

skip_missing=0
share=100
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --skip-if-missing) skip_missing=1; shift ;;
    --share) share="${2:?--share needs a percentage}"; shift 2 ;;
    *) echo "run-fuzz: error: unknown option $1" >&2; exit 1 ;;
  esac
done
usage="usage: run-fuzz.sh [--skip-if-missing] [--share PERCENT] FUZZER [SECONDS]"
fuzzer="${1:?$usage}"
seconds="${2:-${FUZZ_SECONDS:-60}}"
seconds=$(( seconds * share / 100 ))
((seconds >= 1)) || seconds=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="$(basename "$fuzzer")"

if [[ ! -x "$fuzzer" ]]; then
  if ((skip_missing)); then
    echo "run-fuzz: $fuzzer not built (make fuzz builds it); skipping"
    exit 125
  fi
  echo "run-fuzz: error: $fuzzer not found" >&2
  exit 1
fi

work="$(cd "$(dirname "$fuzzer")/.." && pwd)/fuzz/${target#gnc-fuzz-}"
rm -rf "$work/seeds"
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
case "$target" in
  gnc-fuzz-frontend)
    shopt -s nullglob globstar
    seeds=("$root"/models/*.gn "$root"/test/frontend/**/*.gn)
    ((${#seeds[@]})) && cp "${seeds[@]}" "$work/seeds/"
    nseeds=${#seeds[@]}
    # Long inputs (issue 10): the limit tests' templates as the fuzz target's own repeat lines
    # (@N@, FuzzFrontend.cpp), short but deep once expanded, and expanded into long files
    # outright, just under and far over the limits.
    for t in "$root"/test/frontend/limit-*.gn; do
      name="$(basename "$t" .gn)"
      for n in 255 300 5000; do
        sed -e "s/ *@REPEAT@/ @$n@/" -e "s/@N@/$n/g" "$t" > "$work/seeds/$name-r$n.gn"
        python3 "$root/test/frontend/Inputs/repeat.py" "$t" "$n" > "$work/seeds/$name-$n.gn"
        nseeds=$((nseeds + 2))
      done
    done
    dict="$root/test/fuzz/gn.dict"
    max_len=1048576
    # 1 MB of statements takes ~12 s under ASan (~2 s in a release build): slow, not hung.
    timeout=30 ;;
  gnc-fuzz-safetensors)
    nseeds=$(python3 "$root/test/fuzz/safetensors-seeds.py" "$work/seeds")
    dict="$root/test/fuzz/safetensors.dict"
    max_len=2048 ;;
  gnc-fuzz-npy)
    nseeds=$(python3 "$root/test/fuzz/npy-seeds.py" "$work/seeds")
    dict="$root/test/fuzz/npy.dict"
    max_len=1024 ;;
  *)
    echo "run-fuzz: error: unknown fuzz target $target" >&2
    exit 1 ;;
esac
echo "run-fuzz: $target: $nseeds seed files, ${seconds}s, artifacts in $work/artifacts/"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# libFuzzer's own default error exit code is 77; pin all failure codes to 1 so that none can
# be mistaken for a skip.
# shellcheck disable=SC2086
if "$fuzzer" -max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" -rss_limit_mb=2560 \
     -dict="$dict" -artifact_prefix="$work/artifacts/" \
     -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 ${FUZZ_FLAGS:-} \
     "$work/corpus" "$work/seeds"; then
  echo "run-fuzz: $target: no crash in ${seconds}s"
else
  echo "run-fuzz: FAILED: $target found a problem; reproducer(s) in $work/artifacts/:" >&2
  ls -l "$work/artifacts/" >&2 || true
  exit 1
fi
