#!/usr/bin/python3
"""Speed of PyTorch twins of the seed models: images per second of the training step and of the
sampling procedures (the PyTorch half of bench/speed.py, which runs the gnc half beside it).

Each configuration runs --warmup untimed steps, then --steps timed ones, at the model's batch:
  ae/train          models/ae.gn       784-256-64-256-784, BCE, Adam 1e-3, batch 128
  conv_ae/train     models/conv_ae.gn  the seed's ConvAE, BCE, Adam 1e-3, batch 128
  conv_ae/reconstruct, conv_ae/generate   decoder(encoder(x)); decoder(normal([B, 10]))
  vae/train         models/vae.gn      negative ELBO, Adam 1e-3, batch 128
  vae/reconstruct, vae/generate           decoder(mu_head(features(x))); decoder(normal([B, 10]))
  dcgan/train       models/dcgan.gn    one discriminator and one generator update, Adam 2e-4
                                       (beta1 0.5), batch 64
The autoencoders are bench/pytorch/autoencoders.py's models and losses (imported, not copied).
Training batches are MNIST training images (--data; random pixels with --data ''), reconstruct
takes test images; a step is forward, backward and optimizer update, like one call of gnc's
train procedure; sampling runs under torch.inference_mode().

Models stay in PyTorch's default layout (NCHW) and Adam in its default per-parameter loop:
channels_last and Adam(foreach=True) were tried on ae and conv_ae and were not faster here.

PyTorch at its best on this machine: run with Debian's torch (/usr/bin/python3), OpenBLAS's
OpenMP build as the BLAS (LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp, or the
libblas.so.3 alternative) with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, oneDNN on (the
default), --threads 2 (torch's default here is 1). The output records the BLAS library that
is mapped and a torch.mm GFLOP/s check (1024^3; the reference BLAS gets about 6, OpenBLAS
far more), so a run in the wrong configuration shows. Example:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
      LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \\
      /usr/bin/python3 bench/pytorch/speed.py --models conv_ae --steps 40

One JSON object on stdout; progress lines on stderr.
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import autoencoders as ae  # noqa: E402  (the models of models/ae.gn, conv_ae.gn, vae.gn)


# ---- DCGAN (models/dcgan.gn) -----------------------------------------------------------------
DCGAN_BATCH = 64
DCGAN_Z = 100


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(DCGAN_Z, 7 * 7 * 128)
        self.up1 = nn.ConvTranspose2d(128, 64, 3, stride=2, padding=1, output_padding=1)
        self.up2 = nn.ConvTranspose2d(64, 1, 3, stride=2, padding=1, output_padding=1)

    def forward(self, z):
        h = F.relu(self.dense(z)).view(-1, 128, 7, 7)
        h = F.relu(self.up1(h))        # 14 x 14
        return torch.tanh(self.up2(h))  # 28 x 28


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(64, 128, 3, stride=2, padding=1)
        self.dense = nn.Linear(7 * 7 * 128, 1)

    def forward(self, x):
        h = F.leaky_relu(self.conv1(x), 0.2)
        h = F.leaky_relu(self.conv2(h), 0.2)
        return self.dense(h.flatten(1))  # logit of "real"


# ---- one training step per model -------------------------------------------------------------
def autoencoder_trainer(name):
    torch.manual_seed(1)
    model = ae.make_model(name)
    opt = torch.optim.Adam(model.parameters(), lr=ae.LR)
    noise = torch.Generator().manual_seed(2)  # the VAE's eps

    def step(x):
        loss, _ = ae.loss_terms(name, model, x, noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return model, step


def dcgan_trainer():
    torch.manual_seed(1)
    g, d = Generator(), Discriminator()
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    noise = torch.Generator().manual_seed(2)
    ones = torch.ones(DCGAN_BATCH, 1)
    zeros = torch.zeros(DCGAN_BATCH, 1)
    bce = F.binary_cross_entropy_with_logits

    def step(x):
        real = 2 * x - 1
        fake = g(torch.randn(DCGAN_BATCH, DCGAN_Z, generator=noise))
        d_loss = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        # The generator's loss reads the updated discriminator, as in the .gn file; gnc
        # differentiates it over G only, so D's weight gradients are not computed here either.
        d.requires_grad_(False)
        g_loss = bce(d(fake), ones)
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()
        d.requires_grad_(True)

    return g, step


# ---- the sampling procedures of the .gn files ------------------------------------------------
def sampler(name, proc):
    torch.manual_seed(1)
    model = ae.make_model(name).eval()
    noise = torch.Generator().manual_seed(3)
    if proc == "generate":
        return lambda x: model.decoder(torch.randn(ae.BATCH, ae.LATENT, generator=noise))
    if name == "conv_ae":
        return lambda x: model.decoder(model.encoder(x))
    return lambda x: model.decoder(model.mu_head(model.features(x)))  # the posterior mean


# (model, procedure) -> batch, what feeds it ("train"/"test" images or nothing), the step.
CONFIGS = {
    ("ae", "train"): (ae.BATCH, "train", lambda: autoencoder_trainer("ae")[1]),
    ("conv_ae", "train"): (ae.BATCH, "train", lambda: autoencoder_trainer("conv_ae")[1]),
    ("conv_ae", "reconstruct"): (ae.BATCH, "test", lambda: sampler("conv_ae", "reconstruct")),
    ("conv_ae", "generate"): (ae.BATCH, None, lambda: sampler("conv_ae", "generate")),
    ("vae", "train"): (ae.BATCH, "train", lambda: autoencoder_trainer("vae")[1]),
    ("vae", "reconstruct"): (ae.BATCH, "test", lambda: sampler("vae", "reconstruct")),
    ("vae", "generate"): (ae.BATCH, None, lambda: sampler("vae", "generate")),
    ("dcgan", "train"): (DCGAN_BATCH, "train", lambda: dcgan_trainer()[1]),
}
MODELS = ("ae", "conv_ae", "vae", "dcgan")
PROCS = ("train", "reconstruct", "generate")


# ---- data ------------------------------------------------------------------------------------
class Batches:
    """Consecutive batches of a fixed random permutation, copied into one reused buffer
    (fresh large allocations are slow on these VMs); random pixels without a data set."""

    def __init__(self, images, batch):
        self.images = images
        self.batch = batch
        self.perm = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(1))
        self.buf = torch.empty(batch, 1, 28, 28)
        self.next = 0

    def __call__(self):
        if self.next + self.batch > self.perm.shape[0]:
            self.next = 0
        idx = self.perm[self.next:self.next + self.batch]
        self.next += self.batch
        torch.index_select(self.images, 0, idx, out=self.buf)
        return self.buf


def load(data_dir, split):
    if data_dir:
        return ae.load_images(data_dir, split)
    return torch.rand(10_000, 1, 28, 28, generator=torch.Generator().manual_seed(4))


# ---- measurement -----------------------------------------------------------------------------
def time_config(name, proc, steps, warmup, data_dir):
    batch, split, make = CONFIGS[(name, proc)]
    fn = make()
    batches = Batches(load(data_dir, split), batch) if split else (lambda: None)
    context = torch.enable_grad() if proc == "train" else torch.inference_mode()
    with context:
        for _ in range(warmup):
            fn(batches())
        t0 = time.perf_counter()
        for _ in range(steps):
            fn(batches())
        seconds = time.perf_counter() - t0
    data = None if not split else f"MNIST {split} images" if data_dir else "random pixels"
    return {"images_per_s": steps * batch / seconds, "seconds": seconds, "steps": steps,
            "warmup_steps": warmup, "batch": batch, "input": data}


def blas_check(threads):
    """torch.mm on 1024 x 1024 matrices (best of 10): which BLAS is really in use shows here."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        torch.mm(a, b)
    best = float("inf")
    for _ in range(10):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    info = ae.machine_info(threads)
    return {"mm_1024_gflops": 2 * 1024 ** 3 / best / 1e9,
            "blas_libraries_loaded": info["blas_libraries_loaded"],
            "mkldnn_enabled": torch.backends.mkldnn.is_available()
            and torch.backends.mkldnn.enabled,
            "torch_version": torch.__version__, "torch_threads": torch.get_num_threads(),
            "cpu_model": info["cpu_model"], "environment": info["environment"]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(MODELS), help="subset of " + ",".join(MODELS))
    p.add_argument("--procs", default=",".join(PROCS),
                   help="subset of " + ",".join(PROCS) + " (each model runs those it has)")
    p.add_argument("--steps", type=int, default=40, help="timed steps (batches) per config")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps before them")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--data", default="data/mnist",
                   help="MNIST IDX directory ('' = random pixels)")
    args = p.parse_args()

    models = [m for m in args.models.split(",") if m]
    procs = [q for q in args.procs.split(",") if q]
    bad = [m for m in models if m not in MODELS] + [q for q in procs if q not in PROCS]
    if bad or args.steps < 1 or args.warmup < 0 or args.threads < 1:
        print(f"speed.py: error: unknown {', '.join(bad)}" if bad else
              "speed.py: error: need --steps >= 1, --warmup >= 0, --threads >= 1",
              file=sys.stderr)
        sys.exit(2)

    torch.set_num_threads(args.threads)
    doc = {"command": " ".join([sys.executable] + sys.argv), "blas_check": blas_check(args.threads),
           "results": {}}
    print(f"torch.mm 1024^3: {doc['blas_check']['mm_1024_gflops']:.1f} GFLOP/s "
          f"({', '.join(doc['blas_check']['blas_libraries_loaded']) or 'no BLAS mapped'})",
          file=sys.stderr)
    for name in models:
        for proc in procs:
            if (name, proc) not in CONFIGS:
                continue
            r = time_config(name, proc, args.steps, args.warmup, args.data)
            doc["results"].setdefault(name, {})[proc] = r
            print(f"{name}/{proc}: {r['images_per_s']:.0f} img/s", file=sys.stderr, flush=True)
    print(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
