#!/usr/bin/env python3
"""Per-kernel figures of one seed model: every kernel gnc generates for it, run on its own.

  python3 bench/kernels.py [--model conv_ae] [--threads 2] [--min-time 0.2] [--top N]
                           [--peak-gflops X --triad-gbps Y] [--out bench/results/kernels-conv_ae.json]

Steps:
 1. The peak: build/bin/gnc-peak's FP32 FMA peak and STREAM triad for --threads threads (as
    bench/speed.py measures them), unless --peak-gflops and --triad-gbps give them.
 2. `gnc build models/M.gn --kernel-bench -o DIR/M-kernels`: a program whose main is a Google
    Benchmark harness (runtime/KernelBench.cpp) that calls each generated kernel function on
    buffers of its own (small positive random floats), with --threads OpenMP threads.
 3. Runs it (--benchmark_min_time=--min-time, --repetitions repetitions, JSON) and prints a
    markdown table, slowest kernel first, of the median repetition: time per call, GFLOP/s and % of the FMA peak, GB/s (operands read and
    written once per call) and % of the triad, and which bound applies: a kernel whose FLOPs
    per byte are below the machine's (peak / triad) is memory-bound, and is judged by its
    bandwidth. Then, for the forward pass's convolutions and matmuls (the kernels the model's
    first sample procedure calls, e.g. conv_ae's reconstruct), whether each reaches 50% of the
    FMA peak (issue 9's bar).
Everything goes to --out as JSON. Timings are reports, not tests; the machine may be shared,
so the script waits for a quiet second before the run (bench/speed.py's run()).
"""

import argparse
import datetime
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed  # noqa: E402  (shares the peak measurement and the quiet-machine runner)

ROOT = speed.ROOT
CONTRACTIONS = ("conv", "matmul", "depthwise", "dwconv")


def log(msg):
    print(f"kernels: {msg}", file=sys.stderr, flush=True)


def forward_entry(info):
    """The first sample procedure that takes the model's input (the forward pass: conv_ae's
    reconstruct), else the first sample procedure."""
    samples = [e for e in info["entries"] if e["kind"] == "sample"]
    with_input = [e for e in samples if e.get("takes_input")]
    chosen = (with_input or samples or [None])[0]
    return chosen["name"] if chosen else None


def is_contraction(name):
    return name.startswith(CONTRACTIONS)


def table(doc):
    peak, triad = doc["peak_gflops"], doc["triad_gb_per_s"]
    lines = [
        f"Model {doc['model']}: {len(doc['kernels'])} kernel functions, {doc['threads']} threads, "
        f"median of {doc['repetitions']} repetitions; "
        f"FMA peak {peak:.0f} GFLOP/s, STREAM triad {triad:.1f} GB/s"
        f" ({doc['peak_source']}); run `{doc['command']}` at commit {doc['gnc']['commit']}.",
        "",
        "| kernel | calls in | time (us) | GFLOP/s | % of peak | GB/s | % of triad | bound |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    ranked = sorted(doc["kernels"], key=lambda k: -k["us"])
    shown = ranked[:doc["top"]] if doc["top"] else ranked
    for k in shown:
        memory = k["bound"] == "memory"
        lines.append(
            f"| `{k['name']}` | {', '.join(k['entries'])} | {k['us']:.2f} | {k['gflops']:.1f} | "
            f"{'**' if not memory else ''}{k['peak_pct']:.1f}%{'**' if not memory else ''} | "
            f"{k['gbps']:.1f} | {'**' if memory else ''}{k['triad_pct']:.0f}%{'**' if memory else ''} "
            f"| {k['bound']} |")
    if len(shown) < len(ranked):
        rest = ranked[len(shown):]
        lines.append(f"| ... {len(rest)} more kernels (--top {doc['top']}), "
                     f"{sum(k['us'] for k in rest):.0f} us together | | | | | | | |")
    fwd = [k for k in doc["kernels"] if k["forward_contraction"]]
    if fwd:
        lines += ["", f"Forward convolutions and matmuls (called by `{doc['forward_entry']}`), "
                  "against issue 9's bar of 50% of the FMA peak:", ""]
        for k in sorted(fwd, key=lambda k: -k["peak_pct"]):
            lines.append(f"- `{k['name']}`: {k['peak_pct']:.1f}% "
                         f"({'reaches' if k['peak_pct'] >= 50 else 'below'} 50%)")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="conv_ae")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--min-time", type=float, default=0.2,
                   help="Google Benchmark's --benchmark_min_time per kernel (seconds)")
    p.add_argument("--repetitions", type=int, default=3,
                   help="Google Benchmark repetitions per kernel; the median time counts")
    p.add_argument("--peak-gflops", type=float, help="FMA peak (default: measure with gnc-peak)")
    p.add_argument("--triad-gbps", type=float, help="STREAM triad GB/s (default: gnc-peak)")
    p.add_argument("--peak-source", default="given by --peak-gflops and --triad-gbps",
                   help="where the given peak and triad come from, for the table's header")
    p.add_argument("--top", type=int, default=0, help="print only the N slowest kernels (JSON: all)")
    p.add_argument("--build-dir", default="build")
    p.add_argument("--dir", default="out/speed")
    p.add_argument("--out", help="default bench/results/kernels-MODEL.json")
    p.add_argument("--skip-build", action="store_true")
    p.add_argument("--quiet-wait", type=float, default=60.0)
    p.add_argument("--retries", type=int, default=1)
    args = p.parse_args()
    out = args.out or f"bench/results/kernels-{args.model}.json"
    gnc = os.path.join(args.build_dir, "bin", "gnc")
    binary = os.path.join(args.dir, f"{args.model}-kernels")
    os.makedirs(os.path.join(ROOT, args.dir), exist_ok=True)

    if args.peak_gflops and args.triad_gbps:
        peak, triad, source = args.peak_gflops, args.triad_gbps, args.peak_source
    else:
        measured = speed.measure_peak(os.path.join(ROOT, args.build_dir, "bin", "gnc-peak"), args)
        if not measured:
            speed.fail("no FMA peak (build gnc-peak, or pass --peak-gflops and --triad-gbps)")
        t = str(measured["peak_threads"])
        peak = args.peak_gflops or measured["peak_gflops"]
        triad = args.triad_gbps or measured["triad_gb_per_s"].get(t) or max(measured["triad_gb_per_s"].values())
        source = "gnc-peak, best of 3 repetitions"
    log(f"FMA peak {peak:.1f} GFLOP/s, triad {triad:.1f} GB/s")

    if not args.skip_build:
        speed.run([gnc, "build", f"models/{args.model}.gn", "--kernel-bench", "-o", binary],
                  argparse.Namespace(quiet_wait=0, retries=0))
    info = json.loads(speed.run([binary, "--model-info"], argparse.Namespace(quiet_wait=0, retries=0))[0])
    bench_cmd = [binary, f"--threads={args.threads}", f"--peak-gflops={peak:.3f}",
                 "--benchmark_format=json", f"--benchmark_min_time={args.min_time}",
                 f"--benchmark_repetitions={args.repetitions}"]
    log(f"running {' '.join(bench_cmd)}")
    stdout, _, noise = speed.run(bench_cmd, args)
    # Each kernel's repetitions (iteration runs, not Google Benchmark's aggregates): the median
    # counts, the spread is kept.
    runs = {}
    for b in json.loads(stdout)["benchmarks"]:
        if b.get("run_type", "iteration") == "iteration":
            runs.setdefault(b["run_name"].removesuffix("/real_time"), []).append(b)

    fwd = forward_entry(info)
    balance = peak / triad  # FLOPs per byte where a kernel stops being memory-bound
    kernels = []
    for f in info["kernel_functions"]:
        spec = info["kernels"][f["kernel"]]
        reps = runs.get(f["name"])
        if not reps:
            speed.fail(f"kernel {f['name']} has no result in the benchmark's output")
        unit = {"us": 1e-6, "ms": 1e-3, "ns": 1e-9, "s": 1.0}
        times = sorted(r["real_time"] * unit[r["time_unit"]] for r in reps)
        seconds = statistics.median(times)
        b = reps[0]
        gflops = spec["flops"] / seconds / 1e9
        gbps = spec["bytes"] / seconds / 1e9
        bound = "compute" if spec["flops"] >= balance * spec["bytes"] else "memory"
        kernels.append({
            "name": f["name"], "entries": spec.get("entries", []), "flops": spec["flops"],
            "bytes": spec["bytes"], "us": seconds * 1e6, "gflops": gflops,
            "peak_pct": 100 * gflops / peak, "gbps": gbps, "triad_pct": 100 * gbps / triad,
            "bound": bound, "label": b.get("label", ""),
            "us_repetitions": [t * 1e6 for t in times],
            "forward_contraction": is_contraction(f["name"]) and fwd in spec.get("entries", []),
        })
    doc = {
        "model": args.model,
        "command": " ".join(["python3", "bench/kernels.py"] + sys.argv[1:]),
        "benchmark_command": " ".join(bench_cmd),
        "started_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "gnc": speed.gnc_version(gnc), "threads": args.threads, "min_time": args.min_time,
        "peak_gflops": peak, "triad_gb_per_s": triad, "peak_source": source,
        "forward_entry": fwd, "noise": noise, "top": args.top, "repetitions": args.repetitions,
        "kernels": kernels,
    }
    doc["markdown"] = table(doc)
    with open(os.path.join(ROOT, out), "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print(doc["markdown"])
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
