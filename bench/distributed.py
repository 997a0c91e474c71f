#!/usr/bin/env python3
"""Data-parallel training on one machine (docs/distributed.md): the ConvAE trained by
1 process x 2 threads against 2 processes x 1 thread (mpirun, `gnc build --mpi`).

  python3 bench/distributed.py [--model conv_ae] [--steps 20,80] [--rounds 2]
                               [--out bench/results/distributed.json] [--skip-build]

Builds into out/distributed/: MODEL (batch B as declared), MODEL-mpi-half (batch B/2 per
process with --mpi: the same global batch of B as the single process, so the same work per
step) and MODEL-mpi (batch B per process: a global batch of 2B). Each configuration trains
`--steps` S1 and S2 steps on MNIST (--threads as stated, JSON), alternating configurations
within each of --rounds rounds; images/s is (S2 - S1) x global batch / (seconds(S2) -
seconds(S1)), the difference removing start-up, the first steps' page faults and the test
loss. The --mpi runs set GNC_COMM_STATS=1, whose all-reduce seconds (rank 0's wall time inside
gnc_all_reduce_f32, which includes waiting for the other process) differenced the same way
give the all-reduce's share of a step. Prints a markdown table; writes every run to --out.
A report, not a test: run it on a quiet machine (it waits for a quiet second before each run,
as bench/speed.py does).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed  # noqa: E402  (the quiet-machine runner)

ROOT = speed.ROOT


def log(msg):
    print(f"distributed: {msg}", file=sys.stderr, flush=True)


def fail(msg):
    log("error: " + msg)
    sys.exit(1)


def with_batch(src, batch, dst):
    text, n = re.subn(r"(?m)^batch \d+", f"batch {batch}", open(src).read())
    if n != 1:
        fail(f"{src}: no `batch N` line")
    open(dst, "w").write(text)


def declared_batch(src):
    m = re.search(r"(?m)^batch (\d+)", open(src).read())
    if not m:
        fail(f"{src}: no `batch N` line")
    return int(m.group(1))


def comm_stats(stderr):
    m = re.search(r"gnc_comm_stats: processes (\d+) all_reduce_calls (\d+) all_reduce_bytes (\d+) "
                  r"all_reduce_seconds ([0-9.]+)", stderr)
    if not m:
        fail("no gnc_comm_stats line (GNC_COMM_STATS=1) in:\n" + stderr[-2000:])
    return {"calls": int(m.group(2)), "bytes": int(m.group(3)), "seconds": float(m.group(4))}


# The scaling cost model of docs/distributed.md ("Cost model"): weak scaling, every node one
# process with a batch of B and the measured compute time per step t_c; the all-reduce of
# n bytes is a reduce-scatter and an all-gather (runtime/Communicator.cpp), each sending
# (P-1)/P of the buffer over a link of `gbit` Gbit/s and exchanging P-1 messages of latency alpha.
def all_reduce_seconds(nbytes, P, gbit, alpha):
    return 2 * (P - 1) * alpha + 2 * (P - 1) / P * nbytes / (gbit * 1e9 / 8)


def efficiency(t_compute, nbytes, P, gbit, alpha):
    return t_compute / (t_compute + all_reduce_seconds(nbytes, P, gbit, alpha))


def cost_model_table(step_ms, params, alpha_us):
    nbytes = 4 * params
    lines = [f"Cost model: t_c = {step_ms:g} ms per step, {params:,} parameters ({nbytes:,} bytes per "
             f"all-reduce), alpha = {alpha_us:g} us per message:", "",
             "| nodes | all-reduce at 10 Gbit/s | efficiency | all-reduce at 100 Gbit/s | efficiency |",
             "|---:|---:|---:|---:|---:|"]
    for P in (2, 8, 64):
        cells = []
        for gbit in (10, 100):
            t = all_reduce_seconds(nbytes, P, gbit, alpha_us * 1e-6)
            cells += [f"{1000 * t:.2f} ms", f"{100 * efficiency(step_ms / 1000, nbytes, P, gbit, alpha_us * 1e-6):.1f}%"]
        lines.append(f"| {P} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="conv_ae")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--steps", default="20,80", help="S1,S2: the two run lengths differenced")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "distributed.json"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--mpirun", default=shutil.which("mpirun") or "mpirun")
    ap.add_argument("--quiet-wait", type=float, default=30, help="seconds to wait for a quiet machine")
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--allow-run-as-root", action="store_true",
                    help="passed to mpirun, which otherwise refuses to run as root")
    ap.add_argument("--cost-model", type=float, metavar="STEP_MS",
                    help="only print the cost model's table for this measured step time (ms)")
    ap.add_argument("--params", type=int, default=159355,
                    help="parameters all-reduced per step (default: conv_ae's, `gnc summary`)")
    ap.add_argument("--alpha-us", type=float, default=10.0,
                    help="the network's latency per message in the cost model (microseconds)")
    args = ap.parse_args()
    if args.cost_model is not None:
        print(cost_model_table(args.cost_model, args.params, args.alpha_us))
        return
    if os.geteuid() == 0 and not args.allow_run_as_root:
        fail("mpirun refuses to run as root: pass --allow-run-as-root (forwarded to mpirun) "
             "or run as another user (make bench DISTRIBUTED_ARGS=--allow-run-as-root)")
    s1, s2 = (int(x) for x in args.steps.split(","))
    if not 0 < s1 < s2:
        fail("--steps S1,S2 needs 0 < S1 < S2")

    gnc = os.path.join(args.build_dir, "bin", "gnc")
    src = os.path.join(ROOT, "models", args.model + ".gn")
    out_dir = os.path.join(ROOT, "out", "distributed")
    os.makedirs(out_dir, exist_ok=True)
    B = declared_batch(src)
    if B % 2:
        fail(f"batch {B} is odd: no half batch for the same-global-batch comparison")
    bins = {"plain": (os.path.join(out_dir, args.model), B, []),
            "mpi-half": (os.path.join(out_dir, args.model + "-mpi-half"), B // 2, ["--mpi"]),
            "mpi": (os.path.join(out_dir, args.model + "-mpi"), B, ["--mpi"])}
    if not args.skip_build:
        for path, batch, flags in bins.values():
            gn = path + ".gn"
            with_batch(src, batch, gn)
            log(f"gnc build {os.path.relpath(gn, ROOT)} {' '.join(flags)}")
            subprocess.run([gnc, "build", gn, "-o", path] + flags, check=True)

    # (name, binary, processes, threads per process, global batch)
    configs = [("1 process x 2 threads", bins["plain"][0], 1, 2, B),
               ("2 processes x 1 thread (batch B/2 each)", bins["mpi-half"][0], 2, 1, B),
               ("2 processes x 1 thread (batch B each)", bins["mpi"][0], 2, 1, 2 * B)]
    env = dict(os.environ, GNC_COMM_STATS="1")
    runs = []
    for rnd in range(args.rounds):
        for name, binary, procs, threads, gbatch in configs:
            ckpt = os.path.join(out_dir, "bench.safetensors")
            result = {}
            for steps in (s1, s2):
                train = [binary, "train", "--steps", str(steps), "--threads", str(threads), "--json",
                         "--checkpoint", ckpt]
                root = ["--allow-run-as-root"] if args.allow_run_as_root else []
                cmd = train if procs == 1 else [args.mpirun] + root + ["-np", str(procs), "--bind-to", "core"] + train
                stdout, stderr, noise = speed.run(cmd, args, env=env)
                j = speed.last_json_line(stdout, name)
                result[steps] = {"seconds": j["seconds"], "noise": noise,
                                 "comm": comm_stats(stderr) if procs > 1 else None}
            d_sec = result[s2]["seconds"] - result[s1]["seconds"]
            ips = (s2 - s1) * gbatch / d_sec if d_sec > 0 else float("nan")
            share = None
            if procs > 1:
                share = (result[s2]["comm"]["seconds"] - result[s1]["comm"]["seconds"]) / d_sec
            step_ms = 1000 * d_sec / (s2 - s1)
            runs.append({"round": rnd, "config": name, "processes": procs, "threads": threads,
                         "global_batch": gbatch, "images_per_s": ips, "step_ms": step_ms,
                         "all_reduce_share": share, "runs": result})
            log(f"round {rnd + 1}: {name}: {ips:.0f} img/s, {step_ms:.1f} ms/step"
                + (f", all-reduce {100 * share:.1f}% of a step" if share is not None else ""))
            for f in os.listdir(out_dir):
                if f.startswith("bench"):
                    os.remove(os.path.join(out_dir, f))

    doc = {"model": args.model, "batch": B, "steps": [s1, s2], "rounds": args.rounds,
           "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
           "cpus": os.cpu_count(), "runs": runs}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
    print(f"\n{args.model}, medians of {args.rounds} rounds ({os.cpu_count()} CPUs):\n")
    print("| configuration | global batch | images/s | ms/step | all-reduce share of a step |")
    print("|---|---:|---:|---:|---:|")
    for name, _, procs, _, gbatch in configs:
        mine = [r for r in runs if r["config"] == name]
        ips = statistics.median(r["images_per_s"] for r in mine)
        ms = statistics.median(r["step_ms"] for r in mine)
        sh = "" if procs == 1 else f"{100 * statistics.median(r['all_reduce_share'] for r in mine):.1f}%"
        print(f"| {name} | {gbatch} | {ips:.0f} | {ms:.1f} | {sh} |")
    plain = statistics.median(r["step_ms"] for r in runs if r["processes"] == 1)
    params = int(re.search(r"total parameters: (\d+)",
                           subprocess.run([gnc, "summary", src], capture_output=True, text=True,
                                          check=True).stdout).group(1))
    print()
    print(cost_model_table(plain, params, args.alpha_us))
    log(f"wrote {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
