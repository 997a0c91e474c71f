#!/usr/bin/env python3
"""gnc against PyTorch, side by side: images per second of the seed models' training steps and
sampling procedures, GFLOP/s against the machine's measured FMA peak, and `gnc build` time.

  python3 bench/speed.py [--models ae,conv_ae,vae,dcgan] [--rounds 3] [--steps 40]
                         [--out bench/results/speed.json] [--skip-build]

`make bench` runs it after installing what it needs (scripts/setup.sh --bench: Debian's
python3-torch and libopenblas0-openmp) and building build/ (gnc, gnc-peak). Steps:
 1. The peak: build/bin/gnc-peak (bench/peak/, Google Benchmark) measures the FP32 FMA
    throughput of 1 and 2 threads and a STREAM triad; the best of its repetitions counts.
 2. `gnc build models/M.gn -o DIR/M` for each model, timed (wall seconds).
 3. --rounds rounds; in each, for each model, the gnc program and the PyTorch twin
    (bench/pytorch/speed.py) take turns, gnc first in odd rounds and PyTorch first in even ones:
      gnc train:       DIR/M train --steps S --threads T --json; images/s of the training loop
                       as the program's last progress line reports it (steps * batch over the
                       loop's time, the first step included; the JSON's images_per_s also
                       counts the final checkpoint and loss-curve writes, recorded beside it)
      gnc reconstruct: DIR/M reconstruct --n S*B ... --json; n / its JSON "seconds" (the S
                       calls of the procedure plus the PNG grid, about 1% here)
      gnc generate:    DIR/M sample --n S*B ... --json; likewise
      PyTorch:         the same configurations, S timed steps after 5 untimed ones, in one
                       process run with /usr/bin/python3, OpenBLAS's OpenMP build as the BLAS
                       (LD_LIBRARY_PATH) and OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE removed from
                       that command's environment only.
 4. Medians over the rounds; a markdown table on stdout (for docs/performance.md), everything
    as JSON in --out.
 5. Per-kernel figures of --kernels (default conv_ae; "" skips them): bench/kernels.py with
    step 1's peak and triad, which builds `gnc build --kernel-bench` and runs every kernel on
    its own under Google Benchmark; its table (the 40 slowest kernels) follows, all go to
    bench/results/kernels-MODEL.json.

FLOPs are counted analytically (layer shapes below): a multiply-add is 2 FLOPs; per image a
dense layer costs 2*in*out, a convolution 2*Ho*Wo*k*k*Cin*Cout, a transposed convolution
2*Hi*Wi*k*k*Cin*Cout (its useful multiply-adds, no inserted zeros); activations, losses and
optimizer updates are not counted. A training step costs forward + weight gradients + input
gradients = 3x the forward FLOPs, less the first layer's input gradient (nothing upstream
needs it); dcgan's step is derived in dcgan_train_flops. % of peak divides by the 2-thread
(--threads) FMA peak of step 1.

Timings are reports, not tests. The machine may be shared: before each measurement the script
waits (up to --quiet-wait seconds) for a second in which other processes use under a tenth of
a core, records how many cores they used during it ("other_processes_cores", from /proc/stat
less this process tree's own CPU time), measures again (--retries) when that exceeds 0.2, and
the table quotes medians of alternating rounds.
OpenMP runtimes that spin (PyTorch's libgomp by default) slow down by an order of magnitude
when another process holds a core; --torch-env OMP_WAIT_POLICY=PASSIVE avoids that on a busy
machine, at some cost on an idle one.
"""

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ("ae", "conv_ae", "vae", "dcgan")
BATCH = {"ae": 128, "conv_ae": 128, "vae": 128, "dcgan": 64}
# The sampling procedures timed besides training (the .gn files' `sample` procedures).
SAMPLE_PROCS = {"conv_ae": ("reconstruct", "generate"), "vae": ("reconstruct", "generate")}
OPENBLAS_OPENMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp"


# ---- FLOPs per image, from the architectures of models/*.gn ----------------------------------
def dense(n_in, n_out):
    return 2 * n_in * n_out


def conv(h_out, w_out, c_in, c_out, k=3):
    return 2 * h_out * w_out * k * k * c_in * c_out


def conv_t(h_in, w_in, c_in, c_out, k=3):
    return 2 * h_in * w_in * k * k * c_in * c_out


AE = [dense(784, 256), dense(256, 64), dense(64, 256), dense(256, 784)]
CONV_ENCODER = [conv(14, 14, 1, 32), conv(7, 7, 32, 64), dense(3136, 16)]  # up to Dense 16
CONV_DECODER = [dense(10, 3136), conv_t(7, 7, 64, 64), conv_t(14, 14, 64, 32),
                conv_t(28, 28, 32, 1)]
CONV_AE = CONV_ENCODER + [dense(16, 10)] + CONV_DECODER
VAE = CONV_ENCODER + [dense(16, 10), dense(16, 10)] + CONV_DECODER  # mu and log-variance heads
VAE_RECONSTRUCT = CONV_ENCODER + [dense(16, 10)] + CONV_DECODER     # through the mean only
DCGAN_G = [dense(100, 7 * 7 * 128), conv_t(7, 7, 128, 64), conv_t(14, 14, 64, 1)]
DCGAN_D = [conv(14, 14, 1, 64), conv(7, 7, 64, 128), dense(7 * 7 * 128, 1)]


def train_flops(layers):
    return 3 * sum(layers) - layers[0]


def dcgan_train_flops():
    # D on real and on detached fake images: 2 forwards, 2 weight-gradient passes, 2
    # input-gradient passes without the first layer's. G: 1 forward. Then D(fake) with the
    # updated D: a forward and input gradients through all of D (they reach G), no D weight
    # gradients; G's weight gradients and its input gradients without the first layer's.
    d, g = sum(DCGAN_D), sum(DCGAN_G)
    return 2 * d + 2 * d + 2 * (d - DCGAN_D[0]) + g + d + d + g + (g - DCGAN_G[0])


FLOPS_PER_IMAGE = {
    ("ae", "train"): train_flops(AE),
    ("conv_ae", "train"): train_flops(CONV_AE),
    ("conv_ae", "reconstruct"): sum(CONV_AE),
    ("conv_ae", "generate"): sum(CONV_DECODER),
    ("vae", "train"): train_flops(VAE),
    ("vae", "reconstruct"): sum(VAE_RECONSTRUCT),
    ("vae", "generate"): sum(CONV_DECODER),
    ("dcgan", "train"): dcgan_train_flops(),
}


# ---- running things --------------------------------------------------------------------------
def log(msg):
    print(f"speed: {msg}", file=sys.stderr, flush=True)


def fail(msg):
    print(f"speed.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def busy_cpu_seconds():
    """CPU seconds all processes have spent since boot (/proc/stat's first line, idle and
    iowait left out)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, f.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    """CPU seconds of this process and its finished children."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def wait_until_quiet(max_wait):
    """The machine is shared: before a measurement, wait (at most max_wait seconds) for a
    second in which other processes use less than a tenth of a core."""
    deadline = time.monotonic() + max_wait
    while True:
        b0 = busy_cpu_seconds()
        time.sleep(1.0)
        others = busy_cpu_seconds() - b0
        if others < 0.1:
            return True
        if time.monotonic() >= deadline:
            log(f"machine still busy ({others:.1f} cores used by others); measuring anyway")
            return False
        time.sleep(2.0)


DISTURBED = 0.2  # cores used by other processes above which a measurement is repeated


def run(cmd, args, env=None):
    """Runs cmd after waiting (--quiet-wait) for a quiet machine, again (up to --retries times)
    while other processes used more than DISTURBED cores meanwhile. Returns (stdout, stderr,
    noise), noise being the wall seconds and the cores other processes used."""
    disturbed = []
    while True:
        quiet = wait_until_quiet(args.quiet_wait) if args.quiet_wait > 0 else None
        b0, own0, t0 = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        cpu = own_cpu_seconds() - own0
        others = max((busy_cpu_seconds() - b0) - cpu, 0) / seconds
        if p.returncode != 0:
            fail(f"{' '.join(cmd)} exited with {p.returncode}:\n{p.stderr.strip()[-2000:]}")
        if others <= DISTURBED or len(disturbed) >= args.retries:
            break
        disturbed.append(round(others, 3))
        log(f"other processes used {others:.2f} cores during {os.path.basename(cmd[0])} "
            f"{cmd[1] if len(cmd) > 1 else ''}: measuring again")
    noise = {"wall_seconds": seconds, "cpu_seconds": cpu,  # cpu: less sensitive to others
             "other_processes_cores": round(others, 3),
             "started_quiet": quiet, "disturbed_attempts": disturbed}
    return p.stdout, p.stderr, noise


def last_json_line(text, what):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    fail(f"{what} printed no JSON")


def measure_peak(peak_bin, args):
    """Best FP32 FMA FLOP/s (any vector width) for 1 and --threads threads; triad bytes/s."""
    if not os.path.exists(peak_bin):
        log(f"{peak_bin} is missing (ninja -C build gnc-peak): no % of peak")
        return None
    out, _, noise = run([peak_bin, "--benchmark_format=json", "--benchmark_repetitions=3",
                         "--benchmark_min_time=0.3"], args)
    doc = json.loads(out)
    fma, triad = {}, {}
    for b in doc["benchmarks"]:
        if b.get("run_type") != "iteration" or b.get("error_occurred"):
            continue
        t = b["threads"]
        if b["name"].startswith("fma_peak/"):
            isa = b["name"].split("/")[1]
            if b["flops_per_second"] > fma.get(t, (0, ""))[0]:
                fma[t] = (b["flops_per_second"], isa)
        elif b["name"].startswith("stream_triad"):
            triad[t] = max(triad.get(t, 0), b["bytes_per_second"])
    if not fma:
        log("gnc-peak measured no FMA peak: no % of peak")
        return None
    use = args.threads if args.threads in fma else max(fma)
    return {
        "fma_gflops": {str(t): v / 1e9 for t, (v, _) in sorted(fma.items())},
        "fma_isa": {str(t): isa for t, (_, isa) in sorted(fma.items())},
        "triad_gb_per_s": {str(t): v / 1e9 for t, v in sorted(triad.items())},
        "peak_threads": use,
        "peak_gflops": fma[use][0] / 1e9,
        "command": f"{peak_bin} --benchmark_format=json --benchmark_repetitions=3 "
                   "--benchmark_min_time=0.3 (best repetition)",
        "context": doc.get("context", {}),
        "noise": noise,
    }


def gnc_version(gnc):
    """The source commit of the run and the time gnc was built: which compiler was measured."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    path = os.path.join(ROOT, gnc)
    built = (datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc)
             .isoformat(timespec="seconds") if os.path.exists(path) else None)
    return {"commit": commit or None, "binary": gnc, "built_utc": built}


def torch_env(extra):
    """The PyTorch twin's environment: OpenBLAS's OpenMP build, its CPU detection left alone,
    then --torch-env's KEY=VALUE settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if os.path.isdir(OPENBLAS_OPENMP):
        env["LD_LIBRARY_PATH"] = ":".join(
            [OPENBLAS_OPENMP] + [p for p in env.get("LD_LIBRARY_PATH", "").split(":") if p])
    for kv in extra:
        key, _, value = kv.partition("=")
        env[key] = value
    return env


PROGRESS_RE = re.compile(r"step (\d+)/\d+ .* ([0-9.]+) img/s")


def gnc_train(binary, model, args):
    ckpt = f"{binary}.safetensors"
    cmd = [binary, "train", "--steps", str(args.steps), "--threads", str(args.threads),
           "--data", args.data, "--checkpoint", ckpt, "--json"]
    out, err, noise = run(cmd, args)
    j = last_json_line(out, " ".join(cmd))
    loop = [m for m in PROGRESS_RE.finditer(err) if int(m.group(1)) == args.steps]
    ips = float(loop[-1].group(2)) if loop else j["images_per_s"]
    return {"images_per_s": ips, "images_per_s_json": j["images_per_s"],
            "from": "progress line" if loop else "JSON images_per_s",
            "seconds_json": j["seconds"], **noise}


def gnc_sample(binary, model, proc, args):
    n = args.steps * BATCH[model]
    command = "reconstruct" if proc == "reconstruct" else "sample"
    cmd = [binary, command, "--checkpoint", f"{binary}.safetensors", "--n", str(n),
           "--threads", str(args.threads), "--out", f"{binary}-{proc}.png", "--json"]
    if command == "reconstruct":
        cmd += ["--data", args.data]
    out, _, noise = run(cmd, args)
    j = last_json_line(out, " ".join(cmd))
    return {"images_per_s": n / j["seconds"], "images": n, "seconds_json": j["seconds"],
            **noise}


def torch_twin(model, args):
    procs = ("train",) + SAMPLE_PROCS.get(model, ())
    cmd = [args.torch_python, "bench/pytorch/speed.py", "--models", model,
           "--procs", ",".join(procs), "--steps", str(args.steps),
           "--threads", str(args.threads), "--data", args.data]
    out, _, noise = run(cmd, args, env=torch_env(args.torch_env))
    doc = json.loads(out)
    results = doc["results"][model]
    for r in results.values():
        r.update(noise)  # one process for all of the model's configurations
    return results, doc["blas_check"]


# ---- report ----------------------------------------------------------------------------------
def fmt_int(x):
    return f"{x:,.0f}" if x is not None else "-"


def fmt_pct(x):
    return f"{x:.1f}%" if x is not None else "-"


def markdown(doc):
    peak = doc["peak"]
    lines = []
    if peak:
        t = str(peak["peak_threads"])
        triad = peak["triad_gb_per_s"].get(t)
        lines.append(f"Machine: FMA peak {peak['peak_gflops']:.0f} GFLOP/s FP32 on {t} threads "
                     f"({peak['fma_isa'][t]}; 1 thread: {peak['fma_gflops'].get('1', 0):.0f})"
                     + (f", STREAM triad {triad:.1f} GB/s" if triad else "") + " (gnc-peak).")
    bc = doc.get("pytorch_blas_check") or {}
    if bc:
        lines.append(f"PyTorch: {bc['torch_version']}, {bc['torch_threads']} threads, torch.mm "
                     f"1024^3 {bc['mm_1024_gflops']:.0f} GFLOP/s, BLAS "
                     f"{', '.join(os.path.basename(b) for b in bc['blas_libraries_loaded'])}, "
                     f"oneDNN {'on' if bc['mkldnn_enabled'] else 'off'}.")
    lines.append(f"Run: `{doc['command']}` on {doc['started_utc'][:10]} at commit "
                 f"{doc['gnc']['commit']}: {doc['rounds_done']} round(s) of {doc['steps']} "
                 f"steps, {doc['threads']} threads, medians"
                 + ("." if doc["complete"] else f" (incomplete: {doc['rounds']} asked)."))
    others = [r["other_processes_cores"] for m in doc["models"].values()
              for p in m["procedures"].values() for r in p["gnc_runs"] + p["pytorch_runs"]]
    if others:
        lines.append(f"Other processes during the measurements: {statistics.median(others):.2f} "
                     f"cores (median), {max(others):.2f} (max).")
    lines.append("")
    lines.append("| model | procedure | gnc img/s | PyTorch img/s | gnc / PyTorch | MFLOP/img | "
                 "gnc GFLOP/s | gnc % of peak | PyTorch GFLOP/s | PyTorch % of peak | "
                 "`gnc build` |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for model, m in doc["models"].items():
        for proc, r in m["procedures"].items():
            build = m.get("build_seconds")
            build_txt = f"{build:.1f} s" if proc == "train" and build is not None else ""
            ratio = r.get("ratio")
            lines.append(
                f"| {model} | {proc} | {fmt_int(r['gnc_images_per_s'])} | "
                f"{fmt_int(r['pytorch_images_per_s'])} | "
                f"{f'{ratio:.2f}' if ratio is not None else '-'} | "
                f"{r['flops_per_image'] / 1e6:.1f} | {r['gnc_gflops']:.1f} | "
                f"{fmt_pct(r.get('gnc_pct_of_peak'))} | {r['pytorch_gflops']:.1f} | "
                f"{fmt_pct(r.get('pytorch_pct_of_peak'))} | {build_txt} |")
    return "\n".join(lines)


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(doc):
    peak = doc["peak"]["peak_gflops"] if doc["peak"] else None
    for model, m in doc["models"].items():
        for proc, r in m["procedures"].items():
            g = median_or_none(x["images_per_s"] for x in r["gnc_runs"])
            t = median_or_none(x["images_per_s"] for x in r["pytorch_runs"])
            f = FLOPS_PER_IMAGE[(model, proc)]
            r.update({"gnc_images_per_s": g, "pytorch_images_per_s": t,
                      "ratio": g / t if g and t else None, "flops_per_image": f,
                      "gnc_gflops": (g or 0) * f / 1e9, "pytorch_gflops": (t or 0) * f / 1e9})
            if peak:
                r["gnc_pct_of_peak"] = 100 * r["gnc_gflops"] / peak
                r["pytorch_pct_of_peak"] = 100 * r["pytorch_gflops"] / peak


def write_results(doc, path):
    summarise(doc)
    doc["markdown"] = markdown(doc)
    out = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + ".tmp", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(out + ".tmp", out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(MODELS), help="subset of " + ",".join(MODELS))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=40,
                   help="training steps per run; the sampling runs take as many batches")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default="bench/results/speed.json")
    p.add_argument("--skip-build", action="store_true",
                   help="reuse the programs in --dir (no build times)")
    p.add_argument("--build-dir", default="build", help="where bin/gnc and bin/gnc-peak are")
    p.add_argument("--kernels", default="conv_ae",
                   help="model whose kernels bench/kernels.py times one by one ('' for none)")
    p.add_argument("--dir", default="out/speed", help="where the compiled programs go")
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--torch-python", default="/usr/bin/python3",
                   help="the Python with Debian's torch")
    p.add_argument("--torch-env", action="append", default=[], metavar="KEY=VALUE",
                   help="set in the PyTorch twin's environment (repeatable), e.g. "
                        "OMP_WAIT_POLICY=PASSIVE on a machine others are using")
    p.add_argument("--quiet-wait", type=float, default=60.0,
                   help="wait up to this many seconds for an idle machine before each "
                        "measurement (0: do not wait)")
    p.add_argument("--retries", type=int, default=2,
                   help="measure again, at most this many times, when other processes used "
                        f"more than {DISTURBED} cores meanwhile")
    args = p.parse_args()
    for kv in args.torch_env:
        if "=" not in kv or kv.startswith("="):
            fail(f"--torch-env '{kv}': expected KEY=VALUE")

    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in MODELS:
            fail(f"unknown model '{m}' (known: {', '.join(MODELS)})")
    if args.rounds < 1 or args.steps < 1 or args.threads < 1:
        fail("--rounds, --steps and --threads must be at least 1")
    gnc = os.path.join(args.build_dir, "bin", "gnc")
    if not args.skip_build and not os.path.exists(os.path.join(ROOT, gnc)):
        fail(f"{gnc} is missing (make build)")
    if not shutil.which(args.torch_python):
        fail(f"{args.torch_python} not found (scripts/setup.sh --bench installs python3-torch)")
    os.makedirs(os.path.join(ROOT, args.dir), exist_ok=True)

    started = datetime.datetime.now(datetime.timezone.utc)
    doc = {
        "command": " ".join(["python3", "bench/speed.py"] + sys.argv[1:]),
        "started_utc": started.isoformat(timespec="seconds"),
        "gnc": gnc_version(gnc),
        "host": platform.node(), "cpus_online": os.cpu_count(),
        "rounds": args.rounds, "steps": args.steps, "threads": args.threads,
        "flops": "analytic, multiply-add = 2; see bench/speed.py's docstring",
        "complete": False, "rounds_done": 0,
        "peak": None, "pytorch_blas_check": None, "models": {},
    }
    doc["peak"] = measure_peak(os.path.join(ROOT, args.build_dir, "bin", "gnc-peak"), args)
    if doc["peak"]:
        log(f"FMA peak {doc['peak']['peak_gflops']:.1f} GFLOP/s on "
            f"{doc['peak']['peak_threads']} threads")

    binaries = {}
    for model in models:
        binary = os.path.join(args.dir, model)
        binaries[model] = binary
        entry = {"build_seconds": None, "procedures": {}}
        if not args.skip_build:
            _, _, noise = run([gnc, "build", f"models/{model}.gn", "-o", binary], args)
            seconds = noise["wall_seconds"]
            entry["build_seconds"], entry["build_noise"] = seconds, noise
            log(f"gnc build models/{model}.gn: {seconds:.1f} s")
        elif not os.path.exists(os.path.join(ROOT, binary)):
            fail(f"--skip-build, but {binary} does not exist")
        for proc in ("train",) + SAMPLE_PROCS.get(model, ()):
            entry["procedures"][proc] = {"gnc_runs": [], "pytorch_runs": []}
        doc["models"][model] = entry

    for rnd in range(1, args.rounds + 1):
        for model in models:
            procs = doc["models"][model]["procedures"]

            def gnc_side():
                procs["train"]["gnc_runs"].append(gnc_train(binaries[model], model, args))
                for proc in SAMPLE_PROCS.get(model, ()):  # needs train's checkpoint
                    procs[proc]["gnc_runs"].append(gnc_sample(binaries[model], model, proc, args))

            def torch_side():
                results, blas = torch_twin(model, args)
                if not doc["pytorch_blas_check"]:
                    doc["pytorch_blas_check"] = blas
                    if blas["mm_1024_gflops"] < 20:  # the reference BLAS does about 6
                        log(f"warning: torch.mm at {blas['mm_1024_gflops']:.1f} GFLOP/s: "
                            "PyTorch is not using OpenBLAS (scripts/setup.sh --bench)")
                for proc, r in results.items():
                    procs[proc]["pytorch_runs"].append(r)

            for side in ((gnc_side, torch_side) if rnd % 2 else (torch_side, gnc_side)):
                side()
            log(f"round {rnd}/{args.rounds} {model}: " + ", ".join(
                f"{proc} gnc {r['gnc_runs'][-1]['images_per_s']:.0f} / PyTorch "
                f"{r['pytorch_runs'][-1]['images_per_s']:.0f} img/s"
                for proc, r in procs.items()))

        doc["rounds_done"] = rnd
        write_results(doc, args.out)  # after every round: an interrupted run keeps its rounds

    doc["complete"] = True
    doc["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds")
    write_results(doc, args.out)
    print(doc["markdown"])
    log(f"wrote {args.out}")
    if args.kernels:
        kernel_bench(args, doc)


def kernel_bench(args, doc):
    """Step 5: bench/kernels.py for --kernels, with this run's peak and triad."""
    cmd = [sys.executable, os.path.join("bench", "kernels.py"), "--model", args.kernels,
           "--threads", str(args.threads), "--build-dir", args.build_dir, "--dir", args.dir,
           "--quiet-wait", str(args.quiet_wait), "--top", "40"]
    peak = doc["peak"]
    if peak and peak["triad_gb_per_s"]:
        t = str(peak["peak_threads"])
        triad = peak["triad_gb_per_s"].get(t) or max(peak["triad_gb_per_s"].values())
        cmd += ["--peak-gflops", f"{peak['peak_gflops']:.3f}", "--triad-gbps", f"{triad:.3f}",
                "--peak-source", "gnc-peak, best of 3 repetitions, in this bench/speed.py run"]
    log("per-kernel figures: " + " ".join(cmd))
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail(f"bench/kernels.py exited with {p.returncode}")
    print()
    print(p.stdout, end="")


if __name__ == "__main__":
    main()
