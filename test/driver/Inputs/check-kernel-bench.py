"""Checks a kernel benchmark's JSON output against the model info of its program: every
kernel of the table has a function, every function ran, with a positive time, a positive
FLOP rate when the kernel computes and a positive byte rate. Prints one summary line;
exits 1 naming what is missing."""
import json
import sys

info = json.load(open(sys.argv[1]))
bench = json.load(open(sys.argv[2]))
results = {b["name"].removesuffix("/real_time"): b for b in bench["benchmarks"]}
problems = []
covered = {f["kernel"] for f in info["kernel_functions"]}
for i, k in enumerate(info["kernels"]):
    if i not in covered:
        problems.append(f"missing: kernel {k['name']} has no function")
for f in info["kernel_functions"]:
    k = info["kernels"][f["kernel"]]
    b = results.get(f["name"])
    if b is None:
        problems.append(f"missing: {f['name']} did not run")
        continue
    if not b["real_time"] > 0 or not b.get("bytes_per_second", 0) > 0:
        problems.append(f"missing: {f['name']} has no positive time or byte rate")
    if k["flops"] > 0 and not (b.get("FLOPS", 0) > 0 and b.get("peak_pct", 0) > 0):
        problems.append(f"missing: {f['name']} computes {k['flops']} FLOPs but reports no FLOP rate")
for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"kernel functions: {len(info['kernel_functions'])}, all with positive rates")
