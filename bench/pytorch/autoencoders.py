#!/usr/bin/python3
"""PyTorch reference runs of the seed lecture's autoencoders (issue 5's quality bars).

Trains, on the MNIST IDX files gnc's programs read (data/mnist/), the models of
models/ae.gn, models/conv_ae.gn, models/conv_ae_mse.gn and models/vae.gn the way gnc trains
them: batch 128, Adam lr 1e-3 (torch defaults otherwise), pixels byte/255, the last partial
batch dropped, a fresh shuffle every epoch from the run's seed; losses summed over an image's
pixels and averaged over the batch. The test loss is the mean over the test set's full batches
of 128 (9,984 of the 10,000 images), as `BIN eval` computes it; the VAE's test loss draws its
sampling noise as in training and is reported with its BCE and KL parts.

Run with Debian's PyTorch 1.13 (/usr/bin/python3). Example (bench/results/ holds the output of
this command for every model and seeds 1,2,3):

  /usr/bin/python3 bench/pytorch/autoencoders.py --models ae,conv_ae,conv_ae_mse,vae \
      --seeds 1,2,3 --epochs 1 --threads 2 --data data/mnist \
      --json --out bench/results/pytorch-autoencoders.json

Human-readable lines go to stdout (stderr with --json, where stdout gets the JSON object);
--out also writes the JSON to a file, rewritten after every run (with "complete": false until
the last one), so a long run can be watched and an interrupted one keeps what it measured.

Layouts: PyTorch is NCHW and gnc NHWC, so the flatten before the Dense layers orders the
3136 features differently; that is a fixed permutation of the Dense weights (initialised i.i.d.),
so the two define the same family of models and the same initial distribution.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 128
LR = 1e-3
LATENT = 10

# The issue's PyTorch 1.13 measurements on this machine (test loss per image after one epoch).
ISSUE_REFERENCE = {"ae": 99.5, "conv_ae": 113.8, "vae": 174.3}


# ---- data -----------------------------------------------------------------------------------
def read_idx(path, ndims):
    """An IDX file of unsigned bytes (MNIST), checked like the runtime's loader does."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or raw[3] != ndims:
        raise SystemExit(f"autoencoders.py: error: {path}: not an IDX file of {ndims}-D bytes")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndims)]
    offset = 4 + 4 * ndims
    count = int(np.prod(dims))
    if len(raw) != offset + count:
        raise SystemExit(f"autoencoders.py: error: {path}: {len(raw)} bytes, expected "
                         f"{offset + count} for dimensions {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(dims)


def load_images(data_dir, split):
    name = "train-images-idx3-ubyte" if split == "train" else "t10k-images-idx3-ubyte"
    x = read_idx(os.path.join(data_dir, name), 3)
    return torch.from_numpy(x.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)


# ---- models ---------------------------------------------------------------------------------
class FeedForwardAE(nn.Module):
    """models/ae.gn: 784-256-64-256-784, ReLU after every hidden layer (the code included),
    sigmoid output."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                                     nn.Linear(256, 64), nn.ReLU())
        self.decoder = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 784),
                                     nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x)).view(-1, 1, 28, 28)


def conv_features():
    # Conv 32 3x3 s2 'same' (pad 1): 28 -> 14; Conv 64: 14 -> 7; Dense 16 with ReLU.
    return nn.Sequential(nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(3136, 16), nn.ReLU())


class ConvDecoder(nn.Module):
    def __init__(self, sigmoid_output):
        super().__init__()
        self.dense = nn.Linear(LATENT, 3136)
        self.up1 = nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1)
        self.up2 = nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1)
        self.out = nn.ConvTranspose2d(32, 1, 3, stride=1, padding=1)
        self.sigmoid_output = sigmoid_output

    def forward(self, z):
        h = F.relu(self.dense(z)).view(-1, 64, 7, 7)
        h = F.relu(self.up1(h))      # 14 x 14
        h = F.relu(self.up2(h))      # 28 x 28
        h = self.out(h)
        return torch.sigmoid(h) if self.sigmoid_output else h


class ConvAE(nn.Module):
    """models/conv_ae.gn (sigmoid output, BCE) and models/conv_ae_mse.gn (linear output, MSE)."""

    def __init__(self, sigmoid_output=True):
        super().__init__()
        self.encoder = nn.Sequential(conv_features(), nn.Linear(16, LATENT))  # linear latent
        self.decoder = ConvDecoder(sigmoid_output)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class VAE(nn.Module):
    """models/vae.gn: the ConvAE's encoder up to Dense 16, two heads (mu, log-variance)."""

    def __init__(self):
        super().__init__()
        self.features = conv_features()
        self.mu_head = nn.Linear(16, LATENT)
        self.logvar_head = nn.Linear(16, LATENT)
        self.decoder = ConvDecoder(True)

    def forward(self, x, generator):
        h = self.features(x)
        mu, logvar = self.mu_head(h), self.logvar_head(h)
        eps = torch.randn(mu.shape, generator=generator)
        z = mu + torch.exp(0.5 * logvar) * eps  # reparameterisation trick
        return self.decoder(z), mu, logvar


# ---- losses (per image: summed over pixels, averaged over the batch) ---------------------------
def loss_terms(name, model, x, generator):
    """The loss to minimise and the reported parts, as floats-to-be (tensors)."""
    b = x.shape[0]
    if name in ("ae", "conv_ae"):
        loss = F.binary_cross_entropy(model(x), x, reduction="sum") / b
        return loss, {}
    if name == "conv_ae_mse":
        loss = F.mse_loss(model(x), x, reduction="sum") / b
        return loss, {}
    if name == "vae":
        xhat, mu, logvar = model(x, generator)
        bce = F.binary_cross_entropy(xhat, x, reduction="sum") / b
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar)) / b
        return bce + kl, {"bce": bce, "kl": kl}
    raise ValueError(name)


def make_model(name):
    return {"ae": FeedForwardAE, "conv_ae": lambda: ConvAE(True),
            "conv_ae_mse": lambda: ConvAE(False), "vae": VAE}[name]()


MODELS = ("ae", "conv_ae", "conv_ae_mse", "vae")


# ---- one run --------------------------------------------------------------------------------
def run(name, seed, epochs, train_x, test_x, log):
    torch.manual_seed(seed)  # the parameters' initialisation
    model = make_model(name)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    shuffle_gen = torch.Generator().manual_seed(seed)
    noise_gen = torch.Generator().manual_seed(seed + 1_000_003)  # the VAE's eps in training
    n = train_x.shape[0]
    steps_per_epoch = n // BATCH  # the last partial batch is dropped
    batch_buf = torch.empty(BATCH, 1, 28, 28)
    model.train()
    train_seconds = 0.0
    last_losses = []
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=shuffle_gen)
        t0 = time.perf_counter()
        running = 0.0
        for step in range(steps_per_epoch):
            idx = perm[step * BATCH:(step + 1) * BATCH]
            torch.index_select(train_x, 0, idx, out=batch_buf)
            loss, _ = loss_terms(name, model, batch_buf, noise_gen)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.item()
        train_seconds += time.perf_counter() - t0
        last_losses.append(running / steps_per_epoch)
        log(f"  {name} seed {seed} epoch {epoch + 1}/{epochs}: train loss {last_losses[-1]:.3f} "
            f"({steps_per_epoch * BATCH / (time.perf_counter() - t0):.0f} img/s)")

    # Test: the full batches of 128 in file order, like `BIN eval`; the VAE's noise as in training.
    model.eval()
    eval_gen = torch.Generator().manual_seed(seed + 2_000_003)
    test_batches = test_x.shape[0] // BATCH
    sums = {"loss": 0.0}
    t0 = time.perf_counter()
    with torch.no_grad():
        for i in range(test_batches):
            loss, parts = loss_terms(name, model, test_x[i * BATCH:(i + 1) * BATCH], eval_gen)
            sums["loss"] += loss.item()
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + v.item()
    eval_seconds = time.perf_counter() - t0
    result = {
        "seed": seed,
        "test_loss": sums["loss"] / test_batches,
        "train_loss_last_epoch": last_losses[-1],
        "train_img_per_s": steps_per_epoch * BATCH * epochs / train_seconds,
        "train_seconds": train_seconds,
        "eval_seconds": eval_seconds,
        "test_images": test_batches * BATCH,
        "train_images_per_epoch": steps_per_epoch * BATCH,
    }
    for k in ("bce", "kl"):
        if k in sums:
            result["test_" + k] = sums[k] / test_batches
    return result


def machine_info(threads):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    blas = sorted({line.split()[-1] for line in open("/proc/self/maps")
                   if "blas" in line.split()[-1]}) if os.path.exists("/proc/self/maps") else []
    return {
        "cpu_model": cpu,
        "cpus_online": os.cpu_count(),
        "hostname": platform.node(),
        "python": platform.python_version(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "torch_threads": torch.get_num_threads(),
        "threads_requested": threads,
        "blas_libraries_loaded": blas,
        "environment": {k: os.environ[k] for k in sorted(os.environ)
                        if k.startswith(("OMP_", "OPENBLAS_", "MKL_", "LD_LIBRARY_PATH",
                                         "LD_PRELOAD"))},
    }


def summarise(runs):
    keys = [k for k in runs[0] if k not in ("seed", "test_images", "train_images_per_epoch")]
    return {k: statistics.median(r[k] for r in runs) for k in keys}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma-separated subset of " + ",".join(MODELS))
    p.add_argument("--seeds", default="1,2,3", help="comma-separated integers")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--data", default="data/mnist", help="directory of the MNIST IDX files")
    p.add_argument("--limit", type=int, default=0,
                   help="train on the first N training images only (quick checks; 0 = all)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--out", help="also write the JSON object to this file")
    args = p.parse_args()

    def fail(msg):
        print(f"autoencoders.py: error: {msg}", file=sys.stderr)
        sys.exit(2)

    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in MODELS:
            fail(f"unknown model '{m}' (known: {', '.join(MODELS)})")
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s]
    except ValueError:
        fail(f"--seeds wants integers, got '{args.seeds}'")
    if not seeds or args.epochs < 1 or args.threads < 1:
        fail("need at least one seed, --epochs >= 1 and --threads >= 1")

    torch.set_num_threads(args.threads)
    human = sys.stderr if args.json else sys.stdout

    def log(msg):
        print(msg, file=human, flush=True)

    train_x = load_images(args.data, "train")
    if args.limit:
        train_x = train_x[:args.limit].contiguous()
    test_x = load_images(args.data, "test")

    started = datetime.datetime.now(datetime.timezone.utc)
    doc = {
        "command": " ".join([sys.executable] + sys.argv),
        "cwd": os.getcwd(),
        "started_utc": started.isoformat(timespec="seconds"),
        "machine": machine_info(args.threads),
        "config": {"batch": BATCH, "optimizer": "Adam", "lr": LR, "epochs": args.epochs,
                   "train_images": int(train_x.shape[0]), "test_images": int(test_x.shape[0]),
                   "drop_last": True, "loss": "summed per image, mean over the batch",
                   "test_loss": "mean over the full test batches of 128"},
        "issue_reference_test_loss": ISSUE_REFERENCE,
        "complete": False,
        "results": {},
    }

    def write_out():
        if not args.out:
            return
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        os.replace(tmp, args.out)

    for name in models:
        runs = []
        for seed in seeds:
            r = run(name, seed, args.epochs, train_x, test_x, log)
            runs.append(r)
            parts = "".join(f", {k[5:].upper()} {r[k]:.2f}" for k in ("test_bce", "test_kl")
                            if k in r)
            log(f"{name} seed {seed}: test loss {r['test_loss']:.2f} per image{parts}; "
                f"{r['train_img_per_s']:.0f} img/s, {r['train_seconds']:.1f} s")
            doc["results"][name] = {"runs": runs, "median": summarise(runs)}
            write_out()
        med = doc["results"][name]["median"]
        ref = ISSUE_REFERENCE.get(name)
        if ref:
            med_vs = med["test_loss"] / ref
            doc["results"][name]["median_vs_issue_reference"] = med_vs
            log(f"{name}: median test loss {med['test_loss']:.2f} (issue's PyTorch: {ref}, "
                f"ratio {med_vs:.3f})")
        else:
            log(f"{name}: median test loss {med['test_loss']:.2f}")

    doc["complete"] = True
    doc["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds")
    write_out()
    if args.json:
        print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
