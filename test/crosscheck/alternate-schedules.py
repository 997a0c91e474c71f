#!/usr/bin/env python3
"""alternate-schedules.py [--algorithms] DEFAULT.json OUT.json: a valid schedule file unlike the default one.

Reads the schedules gnc chose (`gnc build --dump-schedules DEFAULT.json`) and writes different,
still valid ones: vectorized kernels get halved register tiles, reduction tiles of 1 and,
every other kernel, no thread tiles (one thread) or twice the thread tiles; every other
contraction with an epilogue loses it (its consumer then gets a schedule of its own);
plain-loop kernels run their loops in reverse order. The crosscheck then proves the numbers do not depend on the
schedule (beyond rounding). See docs/scheduling.md for the file format.

A transposed convolution's entry is its form ({"algorithm": ...}), which decides what its
linalg kernels are. So the file is made in two steps (test/crosscheck/run.sh):
`--algorithms` writes only the other form of every transposed convolution (sub-pixel <->
zero insertion where the op allows it); gnc then dumps the kernels of the program built with
those forms, and the second step alternates their schedules, keeping the entries' forms.
"""
import json
import re
import sys


def extents(signature):
    return [int(x) for x in re.search(r"\[([0-9,]*)\]", signature).group(1).split(",") if x]


def alternate(index, signature, s):
    n = len(s["tile"])
    if s["vectorize"]:
        if signature.startswith("conv_2d"):
            reduction = {4, 5, 6}  # (n, oh, ow, f, kh, kw, c)
        elif signature.startswith("depthwise_conv_2d"):
            reduction = {4, 5}  # (n, oh, ow, c, kh, kw)
        elif signature.startswith("matmul"):
            reduction = {2}  # matmul (m, n, k)
        else:
            reduction = set()  # elementwise kernels and sums: halved vectors
        tile = list(s["tile"])
        for i in range(n):
            if i in reduction:
                tile[i] = 1
            elif tile[i] > 1 and tile[i] % 2 == 0:
                tile[i] //= 2
        parallel = list(s["parallel"])
        if index % 2 == 0:
            parallel = [0] * n
        else:
            ranges = extents(signature)
            for i, p in enumerate(parallel):
                if p and p % 2 == 0 and (p // 2) % tile[i] == 0:
                    parallel[i] = p // 2
        out = {"vectorize": True, "parallel": parallel, "tile": tile}
        if s.get("epilogue") and index % 2 == 1:
            out["epilogue"] = True
        return out
    order = list(s.get("order") or range(n))
    return {"vectorize": False, "parallel": s["parallel"], "tile": s["tile"], "order": order[::-1]}


def other_algorithm(signature, entry):
    """The other form; dilated kernels only have zero insertion."""
    dilations = re.search(r"_d([0-9]+)x([0-9]+)\[", signature).groups()
    if entry["algorithm"] == "subpixel" or dilations != ("1", "1"):
        return {"algorithm": "zero_insertion"}
    return {"algorithm": "subpixel"}


def main():
    args = sys.argv[1:]
    algorithms_only = args[:1] == ["--algorithms"]
    if algorithms_only:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: alternate-schedules.py [--algorithms] DEFAULT.json OUT.json")
    with open(args[0]) as f:
        default = json.load(f)
    if algorithms_only:
        kernels = {sig: other_algorithm(sig, s) for sig, s in default["kernels"].items() if "algorithm" in s}
    else:
        kernels = {sig: s if "algorithm" in s else alternate(i, sig, s)
                   for i, (sig, s) in enumerate(sorted(default["kernels"].items()))}
    with open(args[1], "w") as f:
        json.dump({"format": default.get("format", "gnc-schedules-1"), "kernels": kernels}, f, indent=1)


if __name__ == "__main__":
    main()
