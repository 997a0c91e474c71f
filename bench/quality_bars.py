#!/usr/bin/env python3
"""The issue's quality bars: gnc-built autoencoders after one epoch against PyTorch 1.13.

For each model (ae, conv_ae, vae by default) and each seed: `gnc build`, then
`BIN train --epochs 1 --seed S --json` (batch 128, Adam lr 1e-3, full MNIST, as the .gn files
say), and the test loss per image that `train` reports at the end (the mean over the test set's
full batches). The median over the seeds is compared with the PyTorch reference: the medians in
bench/results/pytorch-autoencoders.json (bench/pytorch/autoencoders.py, same machine) when that
file exists, else the numbers the issue quotes. A model passes when its median is at most 5%
worse than the reference.

    python3 bench/quality_bars.py [--models ae,conv_ae,vae] [--seeds 1,2,3] [--out FILE.json]

Writes the table to stdout and everything (commands, per-seed results) to --out
(default bench/results/quality-bars.json). Exit status 1 when a bar is missed.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The issue's PyTorch 1.13 numbers after one epoch (per image; VAE: negative ELBO).
ISSUE_REFERENCE = {"ae": 99.5, "conv_ae": 113.8, "vae": 174.3}
TOLERANCE = 0.05


def run(cmd, **kw):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, **kw)


def pytorch_reference(path):
    """Median test loss per model from the PyTorch run, or None."""
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        data = json.load(f)
    ref = {}
    for name, m in data.get("results", {}).items():
        median = m.get("median", {}).get("test_loss")
        if median is not None:
            ref[name] = median
    return ref, data.get("command")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="ae,conv_ae,vae")
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--gnc", default=os.path.join(ROOT, "build/bin/gnc"))
    ap.add_argument("--work", default=os.path.join(ROOT, "out/bench"))
    ap.add_argument("--pytorch-json", default=os.path.join(ROOT, "bench/results/pytorch-autoencoders.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results/quality-bars.json"))
    ap.add_argument("--reuse", action="store_true",
                    help="evaluate existing one-epoch checkpoints in --work (BIN eval) instead of training again")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    seeds = [int(s) for s in a.seeds.split(",")]
    torch_ref, torch_cmd = pytorch_reference(a.pytorch_json)

    results = {}
    for model in a.models.split(","):
        binary = os.path.join(a.work, model)
        if not (a.reuse and os.path.exists(binary)):
            run([a.gnc, "build", os.path.join(ROOT, "models", model + ".gn"), "-o", binary])
        runs = []
        for seed in seeds:
            ckpt = os.path.join(a.work, f"{model}-seed{seed}.safetensors")
            cmd = [binary, "train", "--epochs", str(a.epochs), "--seed", str(seed),
                   "--threads", str(a.threads), "--checkpoint", ckpt, "--json"]
            if a.reuse and os.path.exists(ckpt):
                cmd = [binary, "eval", "--checkpoint", ckpt, "--threads", str(a.threads), "--json"]
            t0 = time.time()
            out = run(cmd, stdout=subprocess.PIPE, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            runs.append({"seed": seed, "test_loss": r["test_loss"],
                         "test_losses": r.get("test_losses", r.get("losses")),
                         "images_per_s": r.get("images_per_s"), "seconds": time.time() - t0,
                         "command": " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)})
        median = statistics.median(x["test_loss"] for x in runs)
        ref = (torch_ref or {}).get(model, ISSUE_REFERENCE.get(model))
        source = "pytorch-autoencoders.json" if torch_ref and model in torch_ref else "issue"
        results[model] = {"runs": runs, "median_test_loss": median, "reference": ref,
                          "reference_source": source,
                          "ratio": median / ref if ref else None,
                          "pass": (median <= ref * (1 + TOLERANCE)) if ref else None}

    report = {"command": "python3 bench/quality_bars.py " + " ".join(sys.argv[1:]),
              "machine": {"cpu": cpu_model(), "threads": a.threads},
              "epochs": a.epochs, "seeds": seeds, "tolerance": TOLERANCE,
              "pytorch_command": torch_cmd, "issue_reference": ISSUE_REFERENCE, "models": results}
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)

    print(f"| model | gnc test loss per image (median of seeds {a.seeds}) | per seed | PyTorch | ratio | within 5% | issue's number | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for model, r in results.items():
        per_seed = ", ".join(f"{x['test_loss']:.2f}" for x in r["runs"])
        ref = f"{r['reference']:.1f} ({r['reference_source']})" if r["reference"] else "-"
        ratio = f"{r['ratio']:.3f}" if r["ratio"] else "-"
        verdict = {True: "yes", False: "NO", None: "-"}[r["pass"]]
        ok &= r["pass"] is not False
        issue = ISSUE_REFERENCE.get(model)
        issue_cols = f"{issue} | {r['median_test_loss'] / issue:.3f}" if issue else "- | -"
        print(f"| {model} | {r['median_test_loss']:.2f} | {per_seed} | {ref} | {ratio} | {verdict} | {issue_cols} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
