# gnc's front door. As root on a fresh Debian 12:
#   make demo    install what is missing, build, train the seed's ConvAE for one epoch
#   make test    the same set-up, then every test through ctest except the slow ones
#   make test-all  the same, including the tests labelled `slow`
# All are idempotent and quick when nothing changed. Other targets: setup, build, bench,
# bench-quality, fuzz, clean.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

BUILD_DIR    ?= build
FUZZ_DIR     ?= build-fuzz
JOBS         ?= 2
FUZZ_SECONDS ?= 60
CC_BIN       ?= clang-22
CXX_BIN      ?= clang++-22
CMAKE_ARGS   ?=
# `make test` includes the bounded fuzz runs (ctest tests `fuzz-*`, label `fuzz`) when CI is
# set (CI=true) or FUZZ=1; otherwise that label is excluded.
FUZZ         ?= $(if $(filter true 1 yes,$(CI)),1,0)

CMAKE_CONFIGURE = cmake -G Ninja -S . -DCMAKE_C_COMPILER=$(CC_BIN) -DCMAKE_CXX_COMPILER=$(CXX_BIN)

.PHONY: all setup build demo test test-all bench bench-quality fuzz fuzz-build clean distclean
all: build

setup:
	@scripts/setup.sh

# Packages only: `make build` on its own needs no MNIST.
build:
	@scripts/setup.sh --no-data
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  $(CMAKE_CONFIGURE) -B $(BUILD_DIR) $(CMAKE_ARGS); fi
	ninja -C $(BUILD_DIR) -j$(JOBS)

# Compile the seed's ConvAE, train it for one epoch on MNIST, and write a grid of test
# reconstructions, one of decoded random codes and the loss curve (drawn by `train`) to out/.
# Every model is first compiled through autodiff as a smoke check.
DEMO_MODEL ?= conv_ae
demo: setup build
	@mkdir -p out
	@for m in models/*.gn; do $(BUILD_DIR)/bin/gnc ir "$$m" --stage=grad -o /dev/null; done
	$(BUILD_DIR)/bin/gnc summary models/$(DEMO_MODEL).gn
	$(BUILD_DIR)/bin/gnc build models/$(DEMO_MODEL).gn -o out/$(DEMO_MODEL)
	out/$(DEMO_MODEL) train --epochs 1 --checkpoint out/$(DEMO_MODEL).safetensors --json
	out/$(DEMO_MODEL) reconstruct --checkpoint out/$(DEMO_MODEL).safetensors --n 64 --out out/$(DEMO_MODEL)-reconstructions.png
	out/$(DEMO_MODEL) sample --checkpoint out/$(DEMO_MODEL).safetensors --n 64 --out out/$(DEMO_MODEL)-samples.png
	@echo "demo: wrote out/$(DEMO_MODEL)-reconstructions.png, out/$(DEMO_MODEL)-samples.png and out/$(DEMO_MODEL)-loss.png"

# `make test` leaves out the label `slow` (minutes-long training checks in the reference
# evaluator); `make test-all` runs them too. Both apply the fuzz rule above.
test: setup build
ifeq ($(FUZZ),1)
	@$(MAKE) --no-print-directory fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) -LE slow
else
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) -LE 'fuzz|slow'
endif

test-all: setup build
ifeq ($(FUZZ),1)
	@$(MAKE) --no-print-directory fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)
else
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) -LE fuzz
endif

# Speed against PyTorch (bench/README.md, docs/performance.md): every seed model built with gnc
# and run beside its PyTorch twin in alternating rounds; images/s, GFLOP/s against the FMA
# peak gnc-peak measures, `gnc build` time. A report, not a test. --bench adds Debian's
# python3-torch and OpenBLAS's OpenMP build. SPEED_ARGS passes flags (e.g. --rounds 1).
# Then data-parallel training on this machine (bench/distributed.py, docs/distributed.md): the
# ConvAE by 1 process x 2 threads and 2 MPI processes x 1 thread; DISTRIBUTED_ARGS passes flags
# (as root: DISTRIBUTED_ARGS=--allow-run-as-root, which it forwards to mpirun).
SPEED_ARGS ?=
DISTRIBUTED_ARGS ?=
bench: setup build
	@scripts/setup.sh --bench --no-data
	python3 bench/speed.py --build-dir $(BUILD_DIR) $(SPEED_ARGS)
	python3 bench/distributed.py --build-dir $(BUILD_DIR) $(DISTRIBUTED_ARGS)

# The issue's quality bars (bench/README.md): gnc's autoencoders, 1 epoch, seeds 1-3, against
# the PyTorch medians in bench/results/ (PyTorch's own run: bench/pytorch/autoencoders.py).
# Then the pictures and numbers of docs/models.md. Takes about half an hour on 2 cores.
bench-quality: setup build
	python3 bench/quality_bars.py
	python3 bench/gallery.py

# Separate ASan+UBSan+libFuzzer tree; builds only the fuzz targets and what they link.
fuzz-build:
	@scripts/setup.sh --no-data
	@if [ ! -f $(FUZZ_DIR)/build.ninja ]; then \
	  $(CMAKE_CONFIGURE) -B $(FUZZ_DIR) -DGNC_FUZZ=ON $(CMAKE_ARGS); fi
	ninja -C $(FUZZ_DIR) -j$(JOBS) gnc-fuzz-frontend gnc-fuzz-safetensors gnc-fuzz-npy

fuzz: fuzz-build
	test/fuzz/run-fuzz.sh --share 50 $(FUZZ_DIR)/bin/gnc-fuzz-frontend $(FUZZ_SECONDS)
	test/fuzz/run-fuzz.sh --share 50 $(FUZZ_DIR)/bin/gnc-fuzz-safetensors $(FUZZ_SECONDS)
	test/fuzz/run-fuzz.sh --share 50 $(FUZZ_DIR)/bin/gnc-fuzz-npy $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)

# Also drops the downloaded data set.
distclean: clean
	rm -rf data/mnist
