#!/usr/bin/env python3
"""mixed-backends.py IN.json OUT.json: every other kernel of a --dump-schedules file (in
signature order) compiled by the Halide backend, the others by LLVM: one binary that mixes
both backends, whose numbers must not change (run.sh with GNC_MIXED_BACKENDS=1)."""
import json
import sys

if len(sys.argv) != 3:
    sys.exit("usage: mixed-backends.py IN.json OUT.json")
with open(sys.argv[1]) as f:
    schedules = json.load(f)
# Transposed convolutions' entries hold only their form ("algorithm"): no backend.
kernels = sorted(k for k, v in schedules["kernels"].items() if "algorithm" not in v)
if len(kernels) < 2:
    sys.exit("mixed-backends.py: fewer than two kernels to mix")
for i, k in enumerate(kernels):
    schedules["kernels"][k]["backend"] = "halide" if i % 2 == 0 else "llvm"
with open(sys.argv[2], "w") as f:
    json.dump(schedules, f, indent=1)
