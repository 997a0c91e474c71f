#!/usr/bin/env bash
# run.sh GNC CROSSCHECK CXX MODEL.gn WORKDIR [gnc-crosscheck options...]
# Builds MODEL's object with `gnc build --emit-obj`, links it into WORKDIR/MODEL.so and runs
# gnc-crosscheck on it (ctest's crosscheck.<model> tests; see CMakeLists.txt). Prints how long
# each phase took.
set -euo pipefail
if [ $# -lt 5 ]; then
  echo "usage: run.sh GNC CROSSCHECK CXX MODEL.gn WORKDIR [options...]" >&2
  exit 2
fi
gnc=$1 crosscheck=$2 cxx=$3 model=$4 work=$5
shift 5
name=$(basename "$model" .gn)
mkdir -p "$work"
start=$SECONDS
# GNC_ALTERNATE_SCHEDULES=1: build with a schedule file unlike the default one (the other form
# of every transposed convolution, every kernel scheduled differently, alternate-schedules.py):
# the numbers must not depend on the schedule. The forms come first: they decide the kernels.
schedules=()
if [ "${GNC_ALTERNATE_SCHEDULES:-0}" = 1 ]; then
  alternate="$(dirname "$0")/alternate-schedules.py"
  "$gnc" ir "$model" --stage=scheduled --dump-schedules "$work/default-schedules.json" -o /dev/null
  python3 "$alternate" --algorithms "$work/default-schedules.json" "$work/alternate-algorithms.json"
  "$gnc" ir "$model" --stage=scheduled --schedules "$work/alternate-algorithms.json" \
    --dump-schedules "$work/alternate-default-schedules.json" -o /dev/null
  python3 "$alternate" "$work/alternate-default-schedules.json" "$work/alternate-schedules.json"
  schedules=(--schedules "$work/alternate-schedules.json")
fi
# GNC_MIXED_BACKENDS=1: one binary with every other kernel on Halide, the rest on LLVM
# (mixed-backends.py).
if [ "${GNC_MIXED_BACKENDS:-0}" = 1 ]; then
  "$gnc" ir "$model" --stage=scheduled --dump-schedules "$work/default-schedules.json" -o /dev/null
  python3 "$(dirname "$0")/mixed-backends.py" "$work/default-schedules.json" "$work/mixed-schedules.json"
  schedules=(--schedules "$work/mixed-schedules.json")
fi
# GNC_BACKEND=halide: every kernel through the Halide backend (codegen/halide/).
# GNC_HALIDE_AUTOSCHEDULER=NAME: the Halide kernels scheduled by one of Halide's autoschedulers.
"$gnc" build "$model" "${schedules[@]}" --backend="${GNC_BACKEND:-llvm}" \
  ${GNC_HALIDE_AUTOSCHEDULER:+--halide-autoscheduler=$GNC_HALIDE_AUTOSCHEDULER} --emit-obj -o "$work/$name.o"
# A Halide build that has no Halide kernel would check the LLVM backend twice: fail instead.
if [ "${GNC_BACKEND:-llvm}" = halide ] || [ "${GNC_MIXED_BACKENDS:-0}" = 1 ]; then
  # (grep reads all of nm's output: with -q, nm could die of SIGPIPE and fail the pipe)
  if ! nm "$work/$name.o" | grep ' T gnc_h_' > /dev/null; then
    echo "run.sh: $work/$name.o has no Halide kernel (gnc_h_*)" >&2
    exit 1
  fi
fi
# Kernels with parallel loops call the LLVM OpenMP runtime (__kmpc_*), as `gnc build` links it.
omp=()
if nm -u "$work/$name.o" | grep -q __kmpc_; then
  omp=(-fopenmp=libomp -L/usr/lib/llvm-22/lib -Wl,-rpath,/usr/lib/llvm-22/lib)
fi
"$cxx" -shared "$work/$name.o" -o "$work/$name.so" "${omp[@]}" -lm
echo "run.sh: gnc build + link: $((SECONDS - start)) s"
start=$SECONDS
status=0
"$crosscheck" "$model" "$work/$name.so" "$@" || status=$?
echo "run.sh: gnc-crosscheck: $((SECONDS - start)) s"
exit $status
