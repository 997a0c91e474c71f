#!/usr/bin/env python3
"""Trains every autoencoder of models/ for one epoch (seed 1; vae_mlp: 10) and writes the pictures and
numbers docs/models.md shows: reconstructions, samples, loss curves, the denoising pairs, the
2-D latent scatter and the VAE's manifold grid.

    python3 bench/gallery.py [--models ae,conv_ae,...] [--images docs/images] [--work out/gallery]

Every command it runs is printed and recorded in IMAGES/gallery.json with the results
(test losses as `train --json` reports them), so each number in docs/models.md can be traced
to the command that produced it.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# model -> (gnc -D flags, extra pictures)
MODELS = {
    "ae": ([], ["samples"]),
    "conv_ae": ([], ["samples"]),
    "conv_ae_mse": ([], []),
    "dae": ([], ["denoise"]),
    "dae_erase": (["-DSIGMA=0", "-DERASE=0.5"], ["denoise"]),
    "sparse_ae": ([], []),
    "contractive_ae": ([], []),
    "linear_ae": ([], []),
    "vae": ([], ["samples"]),
    "vae_mlp": ([], ["samples", "scatter", "manifold"]),
    "conv_ae_z2": (["-DZ=2"], ["scatter"]),
}
SOURCE = {"dae_erase": "dae", "conv_ae_z2": "conv_ae"}
# One epoch unless listed: the 2-d VAE's manifold needs a few more to sort the digits out.
EPOCHS = {"vae_mlp": 10}
NO_RECONSTRUCT = {"linear_ae"}


def rel(p):
    return os.path.relpath(p, ROOT) if os.path.isabs(p) and p.startswith(ROOT) else p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--images", default=os.path.join(ROOT, "docs/images"))
    ap.add_argument("--work", default=os.path.join(ROOT, "out/gallery"))
    ap.add_argument("--gnc", default=os.path.join(ROOT, "build/bin/gnc"))
    ap.add_argument("--threads", default="2")
    a = ap.parse_args()
    os.makedirs(a.images, exist_ok=True)
    os.makedirs(a.work, exist_ok=True)
    log = []

    def run(cmd):
        shown = " ".join(rel(c) for c in cmd)
        print("+ " + shown, flush=True)
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        log.append({"command": shown})
        return out

    results = {}
    for name in a.models.split(","):
        defines, extras = MODELS[name]
        src = os.path.join(ROOT, "models", SOURCE.get(name, name) + ".gn")
        binary = os.path.join(a.work, name)
        ckpt = os.path.join(a.work, name + ".safetensors")
        img = lambda what: os.path.join(a.images, f"{name}-{what}.png")
        run([a.gnc, "build", src, "-o", binary, *defines])
        epochs = str(EPOCHS.get(name, 1))
        out = run([binary, "train", "--epochs", epochs, "--seed", "1", "--threads", a.threads,
                   "--checkpoint", ckpt, "--loss-curve", img("loss"), "--json"])
        r = json.loads(out.strip().splitlines()[-1])
        results[name] = {"defines": defines, "epochs": int(epochs), "test_loss": r["test_loss"], "test_losses": r.get("test_losses"),
                         "train_loss": r.get("train_loss"), "images_per_s": r.get("images_per_s"),
                         "command": log[-1]["command"]}
        if name not in NO_RECONSTRUCT and "denoise" not in extras:
            run([binary, "reconstruct", "--checkpoint", ckpt, "--n", "32", "--out", img("reconstructions")])
        if "samples" in extras:
            run([binary, "sample", "--checkpoint", ckpt, "--n", "64", "--out", img("samples")])
        if "denoise" in extras:
            noisy = os.path.join(a.work, name + "-noisy.npy")
            run([binary, "apply", "corrupt_input", "--checkpoint", ckpt, "--n", "32", "--out", noisy])
            run([binary, "reconstruct", "--checkpoint", ckpt, "--input", noisy, "--n", "32",
                 "--out", img("denoised")])
        if "scatter" in extras:
            run([binary, "encode", "--checkpoint", ckpt, "--out", os.path.join(a.work, name + "-codes.npy"),
                 "--scatter", img("latent")])
        if "manifold" in extras:
            run([binary, "manifold", "--checkpoint", ckpt, "--n", "20", "--out", img("manifold")])

    # A run of some models (--models) updates their entries and keeps the others'.
    path = os.path.join(a.images, "gallery.json")
    old = {}
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f).get("results", {})
    for name, r in results.items():
        r["gallery_command"] = "python3 bench/gallery.py " + " ".join(sys.argv[1:])
        old[name] = r
    with open(path, "w") as f:
        json.dump({"results": old}, f, indent=1)
    print("| model | test loss per image (seed 1) | terms |")
    print("|---|---|---|")
    for name, r in results.items():
        terms = ", ".join(f"{k} {v:.2f}" for k, v in (r["test_losses"] or {}).items() if k != "loss")
        print(f"| {name} {' '.join(r['defines'])} | {r['test_loss']:.2f} | {terms} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
