#!/usr/bin/env python3
"""End-to-end test of gnc's runtime with the fake model (FakeModel.cpp linked with gnc_runtime).

On a small synthetic MNIST-format data set written into --work (300 training images = 18 steps
of 16 per epoch, 12 dropped; 100 test images = 6 full batches, 4 skipped), checks:
  train --json output; bit-identical reruns (any --threads); --resume == uninterrupted (from a
  mid-epoch checkpoint, an epoch-end one, --checkpoint-every, and after SIGINT); eval matches
  train's test loss and changes nothing; sample/reconstruct PNG sizes and determinism;
  corrupted/lying/foreign checkpoints, bad data, bad flags: exit 2 with one line naming the
  problem and no file damaged; NaN loss: exit 3 naming the step and the last good checkpoint;
  a full disk (RLIMIT_FSIZE): exit 2 and the old checkpoint intact.
Exit status 0 when everything holds; the failures are listed otherwise.
"""
import argparse
import ast
import json
import math
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import statistics
import time
import zlib

BATCH = 16
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


# ---- data -------------------------------------------------------------------------------------
def write_images(path, n, seed, rows=28, cols=28, magic=0x803):
    rng = random.Random(seed)
    out = bytearray(struct.pack(">IIII", magic, n, rows, cols))
    for _ in range(n):
        img = bytearray(rows * cols)
        # A bright rectangle on a dark background: structure a linear autoencoder can learn.
        y0, x0 = rng.randrange(0, rows - 8), rng.randrange(0, cols - 8)
        h, w, v = rng.randrange(4, 9), rng.randrange(4, 9), rng.randrange(128, 256)
        for y in range(y0, y0 + h):
            for x in range(x0, x0 + w):
                img[y * cols + x] = v
        out += img
    with open(path, "wb") as f:
        f.write(out)


def write_labels(path, n):
    with open(path, "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n)))


def make_data(d, train=300, test=100):
    os.makedirs(d, exist_ok=True)
    write_images(os.path.join(d, "train-images-idx3-ubyte"), train, 1)
    write_labels(os.path.join(d, "train-labels-idx1-ubyte"), train)
    write_images(os.path.join(d, "t10k-images-idx3-ubyte"), test, 2)
    write_labels(os.path.join(d, "t10k-labels-idx1-ubyte"), test)
    return d


# ---- running ----------------------------------------------------------------------------------
class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def json(self):
        lines = self.out.strip().splitlines()
        try:
            return json.loads(lines[-1]) if lines else None
        except ValueError:
            return None


def run(binary, *args, env=None, fsize=None, timeout=120, cwd=None):
    e = dict(os.environ)
    e.pop("GNC_DATA", None)
    e.update(env or {})

    def limit():
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    p = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, env=e,
                       preexec_fn=limit, timeout=timeout, cwd=cwd)
    return Result(p.returncode, p.stdout, p.stderr)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def split_st(b):
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), b[8 + n:]


def join_st(header, data):
    t = json.dumps(header, separators=(",", ":")).encode()
    t += b" " * ((8 - len(t) % 8) % 8)
    return struct.pack("<Q", len(t)) + t + data


def write_npy(path, shape, values, descr="<f4"):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    h = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, dims)
    h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    fmt = {"<f4": "f", "|u1": "B", "<f8": "d"}[descr]
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() +
                struct.pack(f"<{len(values)}{fmt}", *values))


def read_npy(path):
    """(descr, shape, values) of a version-1 .npy file as gnc writes them."""
    b = read(path)
    if b[:8] != b"\x93NUMPY\x01\x00":
        return None, None, None
    n = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + n].decode())
    fmt = {"<f4": "f", "|u1": "B"}[h["descr"]]
    count = 1
    for d in h["shape"]:
        count *= d
    return h["descr"], list(h["shape"]), list(struct.unpack(f"<{count}{fmt}", b[10 + n:]))


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def test_images_f32(data, n=None):
    """The test images as the runtime feeds them: f32 of byte / 255 (exact: see the caller)."""
    b = read(os.path.join(data, "t10k-images-idx3-ubyte"))
    count = struct.unpack(">I", b[4:8])[0] if n is None else n
    return [f32(v / 255) for v in b[16:16 + count * 784]]


def png_pixels(path):
    """(width, height, channels, rows of bytes) of an 8-bit PNG (what stb_image_write writes)."""
    b = read(path)
    w, h, depth, ctype = struct.unpack(">IIBB", b[16:26])
    channels = {0: 1, 2: 3, 6: 4}[ctype]
    pos, idat = 8, b""
    while pos < len(b):
        n = struct.unpack(">I", b[pos:pos + 4])[0]
        if b[pos + 4:pos + 8] == b"IDAT":
            idat += b[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), w * channels, [], bytearray(w * channels)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            up, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + up) & 255
            elif f == 3:
                line[i] = (line[i] + (a + up) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(up - c), abs(a - c), abs(a + up - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, channels, rows


def png_size(path):
    b = read(path)
    if b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", b[16:24])


def one_line_error(r, needles, what, code=2):
    """Exit status `code`, and one error line on stderr: the last, after progress lines only."""
    lines = r.err.strip().splitlines()
    ok = check(r.rc == code, f"{what}: exit {r.rc}, expected {code} (stderr: {r.err.strip()!r})")
    ok &= check(len(lines) >= 1 and ": error: " in lines[-1] and
                all(l.startswith("epoch ") for l in lines[:-1]),
                f"{what}: expected progress lines and one error line, got {lines!r}")
    last = lines[-1] if lines else ""
    for n in needles:
        ok &= check(n in last, f"{what}: {n!r} not in {last!r}")
    return ok


RESULT_KEYS = ("train_loss", "test_loss", "losses", "test_losses", "steps", "epochs")


def same_results(a, b, what):
    check(a is not None and b is not None, f"{what}: missing JSON")
    if a is None or b is None:
        return
    for k in RESULT_KEYS:
        check(a.get(k) == b.get(k), f"{what}: {k} differs: {a.get(k)!r} vs {b.get(k)!r}")


# ---- the test ---------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--model-b", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    M, MB = os.path.abspath(a.model), os.path.abspath(a.model_b)
    a.work = os.path.abspath(a.work)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    W = lambda name: os.path.join(a.work, name)
    data = make_data(W("data"))

    # info
    r = run(M, "info", "--json")
    info = r.json()
    check(r.rc == 0 and info is not None, f"info --json: {r.rc} {r.err}")
    if info:
        check(info["parameters"] == 784 * 4 + 4 + 4 * 784 + 784, f"parameters {info['parameters']}")
        check([e["name"] for e in info["entries"]] ==
              ["init", "step", "generate", "reconstruct", "encode", "decode", "code4", "flip",
               "score", "jitter"], "info entries")
        dec = [e for e in info["entries"] if e["name"] == "decode"]
        check(dec and dec[0]["input_shape"] == [16, 2] and dec[0]["takes_input"], f"info decode {dec}")
        rec = [e for e in info["entries"] if e["name"] == "reconstruct"]
        check(rec and rec[0]["input_shape"] == [16, 28, 28, 1], f"info reconstruct: the model's input")
        check("OpenMP" in info["threads"]["generated_kernels"], "info threads")

    # train, twice, and with one thread: bit-identical
    r = run(M, "train", "--steps", 30, "--json", "--data", data, "--checkpoint", W("a.st"))
    ja = r.json()
    check(r.rc == 0 and ja is not None, f"train: exit {r.rc}: {r.err}")
    check(len(r.out.strip().splitlines()) == 1, "train --json: stdout is the JSON line only")
    check("epoch 1/2 step" in r.err, "plain progress lines on stderr when not a terminal")
    if ja:
        check(ja["steps"] == 30 and ja["steps_per_epoch"] == 18, f"steps: {ja}")
        check(abs(ja["epochs"] - 30 / 18) < 1e-12, f"epochs {ja['epochs']}")
        check(ja["test_batches"] == 6 and ja["test_images"] == 96 and ja["test_images_skipped"] == 4,
              f"test batches: {ja}")
        check(set(ja["losses"]) == {"loss", "latent_norm"}, f"losses {ja['losses']}")
        check(ja["train_loss"] == ja["losses"]["loss"], "train_loss is losses.loss")
        check(ja["test_loss"] == ja["test_losses"]["loss"], "test_loss is test_losses.loss")
        check(all(math.isfinite(v) for v in [ja["train_loss"], ja["test_loss"], ja["images_per_s"],
                                             ja["seconds"]]), "finite numbers")
        check(ja["seed"] == 1 and ja["checkpoint"] == W("a.st"), "seed/checkpoint")
        check(ja["train_images"] == 300 and ja["train_images_in_file"] == 300 and
              ja["excluded_labels"] == [], f"train_images: {ja}")
        check(ja["loss_csv"] == W("a-loss.csv") and ja["loss_curve"] == W("a-loss.png"),
              f"loss curve paths: {ja}")
    r1 = run(M, "train", "--steps", 1, "--json", "--data", data, "--checkpoint", W("one.st"))
    if ja and r1.json():
        check(ja["train_loss"] < r1.json()["train_loss"], "training lowers the loss")
    r = run(M, "train", "--steps", 30, "--json", "--data", data, "--checkpoint", W("b.st"))
    same_results(ja, r.json(), "rerun")
    check(read(W("a.st")) == read(W("b.st")), "rerun: checkpoints bit-identical")
    r = run(M, "train", "--steps", 30, "--json", "--data", data, "--checkpoint", W("t1.st"),
            "--threads", 1)
    same_results(ja, r.json(), "--threads 1")
    check(read(W("a.st")) == read(W("t1.st")), "--threads 1: checkpoints bit-identical")
    r = run(M, "train", "--steps", 30, "--json", "--data", data, "--checkpoint", W("s2.st"),
            "--seed", 2)
    check(r.rc == 0 and r.json() and r.json()["train_loss"] != ja["train_loss"],
          "another seed gives other losses")

    # resume == uninterrupted: mid-epoch, at an epoch end, with --checkpoint-every
    for first, extra, name in [(20, [], "mid-epoch"), (18, [], "epoch end"),
                               (25, ["--checkpoint-every", 7], "--checkpoint-every")]:
        ck = W(f"resume-{first}.st")
        r = run(M, "train", "--steps", first, "--json", "--data", data, "--checkpoint", ck, *extra)
        check(r.rc == 0, f"resume {name}: first part: {r.err}")
        r = run(M, "train", "--resume", "--steps", 30, "--json", "--data", data, "--checkpoint", ck,
                *extra)
        check(r.rc == 0, f"resume {name}: {r.err}")
        same_results(ja, r.json(), f"resume {name}")
        if r.json():
            check(r.json()["steps_this_run"] == 30 - first, f"resume {name}: steps this run")
        check(read(ck) == read(W("a.st")), f"resume {name}: checkpoint equals the uninterrupted one")
    shutil.copy(W("a.st"), W("done.st"))
    r = run(M, "train", "--resume", "--steps", 30, "--json", "--data", data, "--checkpoint", W("done.st"))
    check(r.rc == 0 and r.json() and r.json()["steps_this_run"] == 0, f"nothing to resume: {r.err}")
    same_results(ja, r.json(), "resume with nothing to do")
    r = run(M, "train", "--resume", "--seed", 5, "--steps", 40, "--data", data, "--checkpoint", W("done.st"))
    one_line_error(r, ["--seed 5 differs from the checkpoint's seed 1"], "resume with another seed")
    r = run(M, "train", "--resume", "--steps", 40, "--data", data, "--checkpoint", W("none.st"))
    one_line_error(r, [W("none.st"), "cannot open"], "resume without a checkpoint")

    # SIGINT: checkpoint, exit 130, and the resumed run equals a straight one
    r = run(M, "train", "--steps", 60, "--json", "--data", data, "--checkpoint", W("straight60.st"))
    j60 = r.json()
    p = subprocess.Popen([M, "train", "--steps", "60", "--data", data, "--checkpoint", W("int.st")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, GNC_FAKE_SLEEP_MS="25"))
    time.sleep(0.6)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    check(p.returncode == 130, f"SIGINT: exit {p.returncode}: {err.strip()}")
    check("interrupted at step" in err and "--resume" in err, f"SIGINT message: {err.strip()!r}")
    if os.path.exists(W("int.st")):
        step = int(split_st(read(W("int.st")))[0]["__metadata__"]["step"])
        check(0 < step < 60, f"SIGINT: checkpoint at step {step}")
        r = run(M, "train", "--resume", "--steps", 60, "--json", "--data", data, "--checkpoint", W("int.st"))
        same_results(j60, r.json(), "resume after SIGINT")
        check(read(W("int.st")) == read(W("straight60.st")), "SIGINT resume: checkpoint bit-identical")
    else:
        check(False, "SIGINT: no checkpoint written")

    # the loss history: every step in the CSV, continued across --resume, and the PNG
    rows = read(W("a-loss.csv")).decode().splitlines()
    check(rows[0] == "step,epoch,loss,latent_norm", f"loss CSV header {rows[0]!r}")
    check(len(rows) == 31 and rows[1].startswith("1,1,") and rows[30].startswith("30,2,"),
          f"loss CSV rows: {len(rows)}: {rows[1:2]} ... {rows[-1:]}")
    if ja and len(rows) == 31:
        last18 = [float(r.split(",")[2]) for r in rows[19:31]]  # epoch 2: steps 19..30
        check(abs(sum(last18) / len(last18) - ja["train_loss"]) < 1e-6,
              "the CSV's epoch-2 losses average to train_loss")
    check(png_size(W("a-loss.png")) == (960, 560), f"loss curve PNG {png_size(W('a-loss.png'))}")
    for first in (20, 18, 25):
        check(read(W(f"resume-{first}-loss.csv")) == read(W("a-loss.csv")),
              f"resume from step {first}: the loss CSV continues the history")
    check(read(W("int-loss.csv")) == read(W("straight60-loss.csv")), "SIGINT resume: loss CSV")
    r = run(M, "train", "--steps", 5, "--data", data, "--checkpoint", W("lc.st"), "--loss-curve",
            W("custom.png"))
    check(r.rc == 0 and png_size(W("custom.png")) == (960, 560) and
          not os.path.exists(W("lc-loss.png")) and os.path.exists(W("lc-loss.csv")),
          f"--loss-curve: {r.err}")
    check(f"loss curve {W('custom.png')}" in r.out, f"text output names the curve: {r.out!r}")
    r = run(M, "train", "--steps", 5, "--data", data, "--checkpoint", W("lc2.st"), "--loss-curve",
            W("no/dir/c.png"))
    one_line_error(r, [W("no/dir/c.png"), "cannot create"], "--loss-curve into a missing directory")
    check(not os.path.exists(W("lc2.st")), "an unwritable --loss-curve fails before training")

    # --exclude-label: the kept images only (30 of each digit: 240 kept, 15 steps per epoch)
    r = run(M, "train", "--steps", 40, "--json", "--data", data, "--checkpoint", W("ex.st"),
            "--exclude-label", "5,0")
    jx = r.json()
    check(r.rc == 0 and jx is not None, f"--exclude-label: {r.err}")
    if jx:
        check(jx["train_images"] == 240 and jx["train_images_in_file"] == 300 and
              jx["excluded_labels"] == [0, 5] and jx["steps_per_epoch"] == 15, f"--exclude-label: {jx}")
        check(jx["train_loss"] != ja["train_loss"], "--exclude-label trains on other batches")
    meta = split_st(read(W("ex.st")))[0]["__metadata__"]
    check(meta.get("excluded_labels") == "0,5" and meta.get("train_images") == "240",
          f"--exclude-label metadata: {meta.get('excluded_labels')!r} {meta.get('train_images')!r}")
    r = run(M, "train", "--steps", 25, "--json", "--data", data, "--checkpoint", W("ex-r.st"),
            "--exclude-label", "0,5")
    r = run(M, "train", "--resume", "--steps", 40, "--json", "--data", data, "--checkpoint",
            W("ex-r.st"), "--exclude-label", "0,5,0")
    same_results(jx, r.json(), "--exclude-label resumed")
    check(read(W("ex-r.st")) == read(W("ex.st")), "--exclude-label resumed: checkpoint bit-identical")
    r = run(M, "train", "--resume", "--steps", 40, "--data", data, "--checkpoint", W("ex-r.st"))
    one_line_error(r, [W("ex-r.st"), "trained with excluded labels 0,5, this run excludes none"],
                   "resume without the checkpoint's --exclude-label")
    r = run(M, "train", "--resume", "--steps", 40, "--data", data, "--checkpoint", W("a.st"),
            "--exclude-label", "3")
    one_line_error(r, ["trained with excluded labels none, this run excludes 3"],
                   "resume with another --exclude-label")
    # Marked images (a white first pixel) are exactly those of label 0; the fake model's loss
    # is NaN for a batch holding one: excluded, training never sees them.
    marked = make_data(W("data-marked"))
    tr = bytearray(read(os.path.join(marked, "train-images-idx3-ubyte")))
    for i in range(300):
        tr[16 + i * 784] = 255 if i % 10 == 0 else 0
    with open(os.path.join(marked, "train-images-idx3-ubyte"), "wb") as f:
        f.write(tr)
    env = {"GNC_FAKE_NAN_IF_MARKED": "1"}
    r = run(M, "train", "--epochs", 3, "--data", marked, "--checkpoint", W("mk.st"),
            "--exclude-label", "0", env=env)
    check(r.rc == 0, f"--exclude-label 0 keeps the marked images out: {r.err.strip()[-300:]}")
    r = run(M, "train", "--epochs", 3, "--data", marked, "--checkpoint", W("mk2.st"), env=env)
    one_line_error(r, ["loss is NaN at step"], "without --exclude-label the marked images are used",
                   code=3)
    nan_rows = read(W("mk2-loss.csv")).decode().splitlines()
    check(nan_rows[-1].split(",")[2] == "nan", f"NaN: the loss CSV ends with the failing step: {nan_rows[-1:]}")
    nolabels = make_data(W("data-nolabels"))
    os.remove(os.path.join(nolabels, "train-labels-idx1-ubyte"))
    r = run(M, "train", "--steps", 5, "--data", nolabels, "--checkpoint", W("nl.st"),
            "--exclude-label", "1")
    one_line_error(r, [os.path.join(nolabels, "train-labels-idx1-ubyte"), "cannot open"],
                   "--exclude-label without a label file")
    r = run(M, "train", "--steps", 5, "--data", nolabels, "--checkpoint", W("nl.st"))
    check(r.rc == 0, f"training without --exclude-label needs no labels: {r.err}")
    with open(os.path.join(nolabels, "train-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, 299) + bytes(299))
    r = run(M, "train", "--steps", 5, "--data", nolabels, "--checkpoint", W("nl2.st"),
            "--exclude-label", "1")
    one_line_error(r, ["holds 299 labels, but", "holds 300 images"], "label count mismatch")
    with open(os.path.join(nolabels, "train-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, 300) + bytes([12]) + bytes(299))
    r = run(M, "train", "--steps", 5, "--data", nolabels, "--checkpoint", W("nl2.st"),
            "--exclude-label", "1")
    one_line_error(r, ["label 12 of image 0 is not a digit 0-9"], "a label that is not a digit")
    for bad in ("x", "10", "1,,2", ""):
        r = run(M, "train", "--steps", 5, "--data", data, "--checkpoint", W("nl3.st"),
                "--exclude-label", bad)
        one_line_error(r, [f"--exclude-label '{bad}'", "digits 0-9"], f"--exclude-label {bad!r}")
    r = run(M, "train", "--steps", 5, "--data", data, "--checkpoint", W("nl3.st"),
            "--exclude-label", "0,1,2,3,4,5,6,7,8,9")
    one_line_error(r, ["0 images remain after --exclude-label 0,1,2,3,4,5,6,7,8,9",
                       "fewer than one batch of 16"], "excluding every label")

    # eval: the train run's test loss, and nothing changes
    before = read(W("a.st"))
    r = run(M, "eval", "--checkpoint", W("a.st"), "--data", data, "--json")
    je = r.json()
    check(r.rc == 0 and je is not None, f"eval: {r.err}")
    if je and ja:
        check(je["test_loss"] == ja["test_loss"], f"eval test_loss {je['test_loss']} != {ja['test_loss']}")
        check(je["losses"] == ja["test_losses"], "eval losses")
        check(je["test_batches"] == 6 and je["test_images_skipped"] == 4, "eval batches")
    check(read(W("a.st")) == before, "eval leaves the checkpoint alone")
    r = run(M, "eval", "--checkpoint", W("a.st"), "--data", data)
    check(r.rc == 0 and "6 full test batches" in r.out and "partial batch" in r.out,
          f"eval text: {r.out!r}")
    r = run(M, "train", "--steps", 18, "--data", data, "--checkpoint", W("env.st"),
            env={"GNC_DATA": data})
    check(r.rc == 0, f"GNC_DATA: {r.err}")

    # sample / reconstruct
    for n, size in [(20, (5 * 28 + 4, 4 * 28 + 3)), (40, (7 * 28 + 6, 6 * 28 + 5)), (1, (28, 28))]:
        out = W(f"s{n}.png")
        r = run(M, "sample", "--checkpoint", W("a.st"), "--n", n, "--out", out, "--json")
        check(r.rc == 0 and r.json() and r.json()["n"] == n, f"sample --n {n}: {r.err}")
        check(png_size(out) == size, f"sample --n {n}: PNG size {png_size(out)}, expected {size}")
    run(M, "sample", "--checkpoint", W("a.st"), "--n", 20, "--out", W("s20b.png"))
    check(read(W("s20.png")) == read(W("s20b.png")), "sample is deterministic")
    run(M, "sample", "--checkpoint", W("a.st"), "--n", 20, "--seed", 9, "--out", W("s20c.png"))
    check(read(W("s20.png")) != read(W("s20c.png")), "sample --seed changes the samples")
    r = run(M, "reconstruct", "--checkpoint", W("a.st"), "--n", 10, "--data", data, "--out", W("r.png"))
    check(r.rc == 0, f"reconstruct: {r.err}")
    check(png_size(W("r.png")) == (8 * 28 + 7, 3 * 28 + 2), f"reconstruct PNG size {png_size(W('r.png'))}")
    r = run(M, "reconstruct", "--checkpoint", W("a.st"), "--n", 200, "--data", data, "--out", W("r200.png"))
    check(r.rc == 0 and png_size(W("r200.png")) == (30 * 28 + 29, 14 * 28 + 13),
          f"reconstruct --n 200 (wraps the test set): {r.err} {png_size(W('r200.png'))}")
    r = run(MB, "sample", "--checkpoint", W("a.st"))
    one_line_error(r, ["model 'fake_ae_b' has no sample procedure 'generate'"], "no generate")
    r = run(MB, "reconstruct", "--checkpoint", W("a.st"), "--data", data)
    one_line_error(r, ["model 'fake_ae_b' has no sample procedure 'reconstruct'"], "no reconstruct")
    r = run(M, "sample", "--checkpoint", W("a.st"), "--out", W("no/dir/x.png"))
    one_line_error(r, [W("no/dir/x.png"), "cannot create"], "sample into a missing directory")

    # apply / encode: every test image (100: the last batch padded), outputs as .npy and CSV
    ck = W("a.st")
    r = run(M, "encode", "--checkpoint", ck, "--data", data, "--json", cwd=a.work)
    je = r.json()
    check(r.rc == 0 and je is not None, f"encode: {r.err}")
    if je:
        check(je["out"] == "fake_ae-codes.npy" and je["scatter"] == "fake_ae-latent.png" and
              je["n"] == 100 and je["shape"] == [100, 2] and je["labels"] is True, f"encode JSON {je}")
    descr, shape, codes = read_npy(W("fake_ae-codes.npy"))
    check(descr == "<f4" and shape == [100, 2], f"codes .npy: {descr} {shape}")
    check(png_size(W("fake_ae-latent.png")) == (900, 760), f"scatter PNG {png_size(W('fake_ae-latent.png'))}")
    r = run(M, "encode", "--checkpoint", ck, "--data", data, "--out", W("codes.csv"), "--labels-out",
            W("labels.npy"), "--scatter", W("scatter.png"))
    check(r.rc == 0 and "wrote " + W("codes.csv") in r.out, f"encode CSV: {r.err} {r.out}")
    rows = read(W("codes.csv")).decode().splitlines()
    check(rows[0] == "label,c0,c1" and len(rows) == 101, f"codes CSV: {rows[:2]} ({len(rows)} lines)")
    if codes and len(rows) == 101:
        check(all(int(rows[1 + i].split(",")[0]) == i % 10 for i in range(100)), "CSV labels")
        check(all(f32(float(rows[1 + i].split(",")[1 + k])) == codes[2 * i + k]
                  for i in range(100) for k in range(2)), "CSV values equal the .npy's (%.9g)")
    check(read_npy(W("labels.npy")) == ("|u1", [100], [i % 10 for i in range(100)]), "--labels-out")
    check(read(W("scatter.png")) == read(W("fake_ae-latent.png")), "--scatter FILE: the same plot")
    r = run(M, "apply", "encode", "--checkpoint", ck, "--data", data, "--n", 20, "--out", W("c20.npy"))
    _, shape20, codes20 = read_npy(W("c20.npy"))
    check(r.rc == 0 and shape20 == [20, 2] and codes and codes20 == codes[:40], f"apply --n 20: {r.err}")
    # --input: the same images as f32 (i / 255 rounds to f32 exactly once: its binary expansion
    # is periodic, never a tie) as [N,28,28,1] or [N,784] give the same codes.
    pixels = test_images_f32(data)
    write_npy(W("x.npy"), [100, 28, 28, 1], pixels)
    write_npy(W("xflat.npy"), [100, 784], pixels)
    for name in ("x.npy", "xflat.npy"):
        r = run(M, "apply", "encode", "--checkpoint", ck, "--input", W(name), "--out", W("cx.npy"), "--json")
        check(r.rc == 0 and read_npy(W("cx.npy"))[2] == codes, f"apply --input {name}: {r.err}")
        check(r.json() and r.json()["input"] == W(name) and r.json()["labels"] is False, f"--input JSON")
    r = run(M, "apply", "encode", "--checkpoint", ck, "--input", W("x.npy"), "--out", W("cx.csv"))
    check(read(W("cx.csv")).decode().splitlines()[0] == "c0,c1", "CSV without labels: c0,c1 header")
    r = run(M, "apply", "score", "--checkpoint", ck, "--data", data, "--split", "train", "--out",
            W("score.csv"), "--json")
    rows = read(W("score.csv")).decode().splitlines() if r.rc == 0 else []
    check(r.json() and r.json()["shape"] == [300] and rows[0] == "label,c0" and len(rows) == 301,
          f"apply score --split train: {r.err} {rows[:2]}")
    # jitter uses its key: reproducible, another --seed changes it, and call i's key is the same
    # whatever --n is.
    run(M, "apply", "jitter", "--checkpoint", ck, "--data", data, "--out", W("j1.npy"))
    run(M, "apply", "jitter", "--checkpoint", ck, "--data", data, "--out", W("j2.npy"))
    run(M, "apply", "jitter", "--checkpoint", ck, "--data", data, "--out", W("j3.npy"), "--seed", 4)
    run(M, "apply", "jitter", "--checkpoint", ck, "--data", data, "--out", W("j4.npy"), "--n", 20)
    j1 = read_npy(W("j1.npy"))[2]
    check(j1 and j1 == read_npy(W("j2.npy"))[2] and j1 != codes, "apply jitter: deterministic")
    check(j1 != read_npy(W("j3.npy"))[2], "apply --seed changes the keys")
    check(j1 and j1[:40] == read_npy(W("j4.npy"))[2], "apply --n: same keys per call")
    # a procedure whose input is not the data set's: decode / flip of codes from an .npy
    z = [0.5, -1.0, 2.0, 0.25, -0.75, 0.0]
    write_npy(W("z.npy"), [3, 2], z)
    r = run(M, "apply", "flip", "--checkpoint", ck, "--input", W("z.npy"), "--out", W("zf.npy"))
    check(r.rc == 0 and read_npy(W("zf.npy")) == ("<f4", [3, 2], [-1.0, 0.5, 0.25, 2.0, 0.0, -0.75]),
          f"apply flip --input: {r.err} {read_npy(W('zf.npy'))}")
    r = run(M, "apply", "decode", "--checkpoint", ck, "--input", W("z.npy"), "--out", W("zd.npy"))
    check(r.rc == 0 and read_npy(W("zd.npy"))[1] == [3, 28, 28, 1], f"apply decode: {r.err}")
    write_npy(W("z64.npy"), [3, 2], z, descr="<f8")
    r = run(M, "apply", "decode", "--checkpoint", ck, "--input", W("z64.npy"), "--out", W("zd64.npy"))
    check(r.rc == 0 and read(W("zd64.npy")) == read(W("zd.npy")), f"float64 input: {r.err}")

    # manifold: an n x n grid of decoded latent points, second coordinate decreasing downwards
    r = run(M, "manifold", "--checkpoint", ck, "--n", 5, "--out", W("m.png"), "--json")
    jm = r.json()
    check(r.rc == 0 and png_size(W("m.png")) == (5 * 28 + 4, 5 * 28 + 4), f"manifold: {r.err}")
    zq = statistics.NormalDist().inv_cdf(0.95)
    check(jm and abs(jm["z_range"][1] - zq) < 1e-12 and jm["z_range"][0] == -jm["z_range"][1],
          f"manifold z_range {jm and jm['z_range']}")
    u = [0.05 + 0.9 * i / 4 for i in range(5)]
    q = [statistics.NormalDist().inv_cdf(v) for v in u]
    grid = [v for row in range(5) for col in range(5) for v in (q[col], q[4 - row])]
    write_npy(W("mz.npy"), [25, 2], grid)
    run(M, "apply", "decode", "--checkpoint", ck, "--input", W("mz.npy"), "--out", W("mzd.npy"))
    decoded = read_npy(W("mzd.npy"))[2]
    if decoded and os.path.exists(W("m.png")):
        w, h, ch, prow = png_pixels(W("m.png"))
        worst = 0
        for t in range(25):
            y0, x0 = (t // 5) * 29, (t % 5) * 29
            for yy in range(0, 28, 3):
                for xx in range(0, 28, 3):
                    v = min(1.0, max(0.0, decoded[t * 784 + yy * 28 + xx]))
                    worst = max(worst, abs(prow[y0 + yy][x0 + xx] - round(v * 255)))
        check(worst <= 1, f"manifold tiles are decode(Phi^-1(u_col), Phi^-1(u_(n-1-row))): off by {worst}")
    r = run(M, "manifold", "--checkpoint", ck, cwd=a.work)
    check(r.rc == 0 and png_size(W("fake_ae-manifold.png")) == (20 * 28 + 19,) * 2, f"manifold default: {r.err}")

    # reconstruct --input: the rows of an .npy file (noisy inputs for a denoiser)
    r = run(M, "reconstruct", "--checkpoint", ck, "--n", 10, "--data", data, "--out", W("r10.png"))
    r2 = run(M, "reconstruct", "--checkpoint", ck, "--n", 10, "--input", W("x.npy"), "--out", W("r10x.png"))
    check(r.rc == 0 and r2.rc == 0 and read(W("r10.png")) == read(W("r10x.png")),
          f"reconstruct --input of the test images equals reconstruct: {r2.err}")
    noisy = [min(1.0, max(0.0, v + (0.3 if i % 7 == 0 else 0.0))) for i, v in enumerate(pixels[:12 * 784])]
    write_npy(W("noisy.npy"), [12, 784], noisy)
    r = run(M, "reconstruct", "--checkpoint", ck, "--input", W("noisy.npy"), "--n", 12, "--out",
            W("rn.png"), "--json")
    check(r.rc == 0 and png_size(W("rn.png")) == (8 * 28 + 7, 3 * 28 + 2), f"reconstruct --input noisy: {r.err}")

    # bad input: exit 2, one line
    write_npy(W("wrong.npy"), [4, 27, 27, 1], [0.0] * (4 * 27 * 27))
    with open(W("corrupt.npy"), "wb") as f:
        f.write(read(W("x.npy"))[:300])
    with open(W("notnpy.npy"), "wb") as f:
        f.write(b"PK\x03\x04 a zip file")
    for args, reason in [
        (["apply", "encode", "--input", W("wrong.npy")],
         [W("wrong.npy"), "shape [4,27,27,1] does not fit procedure 'encode''s input [16,28,28,1]"]),
        (["apply", "decode", "--input", W("x.npy")], ["shape [100,28,28,1] does not fit", "[N,2]"]),
        (["apply", "encode", "--input", W("corrupt.npy")], [W("corrupt.npy"), "data holds"]),
        (["apply", "encode", "--input", W("notnpy.npy")], [W("notnpy.npy"), "not an .npy file"]),
        (["apply", "encode", "--input", W("missing.npy")], [W("missing.npy"), "cannot open"]),
        (["reconstruct", "--input", W("wrong.npy")], [W("wrong.npy"), "does not fit"]),
        (["apply", "nope"], ["no sample procedure 'nope'", "it has: generate, reconstruct"]),
        (["apply", "generate"], ["procedure 'generate' takes no input"]),
        (["apply"], ["'apply' needs a procedure", "procedures taking an input: reconstruct, encode"]),
        (["apply", "--n", "3"], ["'apply' needs a procedure"]),
        (["apply", "decode", "--data", data], ["procedure 'decode' takes [16,2], not the mnist images",
                                               "--input X.npy"]),
        (["apply", "encode", "--data", data, "--split", "validation"], ["--split 'validation'"]),
        (["apply", "encode", "--input", W("x.npy"), "--split", "train"], ["leave out --split"]),
        (["apply", "encode", "--data", data, "--out", W("codes.png")], ["expected a file name ending in .npy or .csv"]),
        (["apply", "encode", "--input", W("x.npy"), "--labels-out", W("l.npy")],
         ["--labels-out", "--input has none"]),
        (["apply", "encode", "--data", data, "--out", W("no/dir/c.npy")], [W("no/dir/c.npy"), "cannot create"]),
        (["encode", "--data", data, "--frobnicate"], ["'encode' has no flag --frobnicate"]),
        (["manifold", "--proc", "encode"], ["procedure 'encode' takes [16,28,28,1]", "[16,2]"]),
        (["manifold", "--proc", "flip"], ["procedure 'flip' outputs [16,2], not a batch of images"]),
        (["manifold", "--proc", "generate"], ["procedure 'generate' takes no input"]),
        (["manifold", "--proc", "nope"], ["no sample procedure 'nope'"]),
        (["manifold", "--n", "0"], ["--n '0'"]),
        (["manifold", "--n", "101"], ["--n '101'"]),
    ]:
        r = run(M, *args, "--checkpoint", ck)
        one_line_error(r, reason, " ".join(args))
    r = run(MB, "train", "--steps", 3, "--data", data, "--checkpoint", W("b-enc.st"))
    r = run(MB, "encode", "--checkpoint", W("b-enc.st"), "--data", data, "--scatter", W("b.png"))
    one_line_error(r, ["--scatter needs 2-D codes", "procedure 'encode' outputs [16,4] (4 values per example)"],
                   "--scatter with 4-d codes")
    r = run(MB, "encode", "--checkpoint", W("b-enc.st"), "--data", data, "--out", W("b4.npy"), "--json")
    check(r.rc == 0 and read_npy(W("b4.npy"))[1] == [100, 4] and "scatter" not in (r.json() or {}),
          f"encode with 4-d codes: no scatter plot: {r.err}")
    nolabels = make_data(W("data-no-test-labels"))
    os.remove(os.path.join(nolabels, "t10k-labels-idx1-ubyte"))
    r = run(M, "apply", "encode", "--checkpoint", ck, "--data", nolabels, "--out", W("nl.csv"))
    check(r.rc == 0 and read(W("nl.csv")).decode().startswith("c0,c1\n"), f"no label file: no label column: {r.err}")
    r = run(M, "apply", "encode", "--checkpoint", ck, "--data", nolabels, "--labels-out", W("nl.npy"),
            "--out", W("nl-codes.npy"))
    one_line_error(r, ["--labels-out", "are unknown (no label file)"], "--labels-out without labels")

    # corrupted, lying or foreign checkpoints: exit 2, one line, nothing damaged
    good = read(W("a.st"))
    header, payload = split_st(good)
    first = next(k for k in header if k != "__metadata__")

    def edited(fn):
        h = json.loads(json.dumps(header))
        d = fn(h)
        return join_st(h, payload if d is None else d)

    def set_meta(k, v):
        return lambda h: h["__metadata__"].__setitem__(k, v)

    def set_field(field, v, name=first):
        return lambda h: h[name].__setitem__(field, v)

    n = struct.unpack("<Q", good[:8])[0]
    corrupt = [
        ("truncated", good[:len(good) // 2], "past the end of the data region"),
        ("truncated header", good[:100], "exceeds the file size"),
        ("empty", b"", "truncated"),
        ("header length too large", struct.pack("<Q", 1 << 40) + good[8:], "exceeds the file size"),
        ("header length too small", struct.pack("<Q", n - 9) + good[8:], "not valid JSON"),
        ("not JSON", good[:8] + b"x" + good[9:], "not a JSON object"),
        ("other model hash", edited(set_meta("model_hash", "0000000000000bad")),
         "another version of model 'fake_ae'"),
        ("offsets out of range", edited(set_field("data_offsets", [len(payload), len(payload) + 12544])),
         "past the end of the data region"),
        ("offsets overlap", edited(lambda h: h["enc.dense_0.bias"].__setitem__("data_offsets", [0, 16])),
         "overlap"),
        ("size lie", edited(set_field("dtype", "F64")), "needs"),
        ("bad dtype", edited(set_field("dtype", "Q8")), "unknown dtype 'Q8'"),
        ("wrong shape", edited(set_field("shape", [4, 784])), "has shape [4,784], the model's is [784,4]"),
        ("missing tensor", edited(lambda h: (h.pop("opt0.step"), payload[:-4])[1]),
         "missing tensor 'opt0.step'"),
        ("trailing garbage", good + b"garbage", "bytes after the last tensor"),
        ("bad step", edited(set_meta("step", "x")), "\"step\" is not a non-negative integer"),
    ]
    for what, blob, reason in corrupt:
        path = W("corrupt.st")
        with open(path, "wb") as f:
            f.write(blob)
        r = run(M, "eval", "--checkpoint", path, "--data", data)
        one_line_error(r, [path + ":", reason], f"eval of a checkpoint with {what}")
        r = run(M, "train", "--resume", "--steps", 40, "--data", data, "--checkpoint", path, "--json")
        one_line_error(r, [path + ":", reason], f"resume from a checkpoint with {what}")
        check(r.json() is not None and r.json().get("exit_status") == 2 and reason in r.json().get("error", ""),
              f"{what}: --json error object")
        check(read(path) == blob, f"{what}: the file is unchanged")
    r = run(MB, "train", "--steps", 18, "--data", data, "--checkpoint", W("b-model.st"))
    check(r.rc == 0, f"variant B trains: {r.err}")
    r = run(M, "eval", "--checkpoint", W("b-model.st"), "--data", data)
    one_line_error(r, ["checkpoint of model 'fake_ae_b', not of this program's model 'fake_ae'"],
                   "checkpoint of another model")
    r = run(M, "train", "--steps", 18, "--data", data, "--checkpoint", W("b-model.st"))
    one_line_error(r, ["refusing to overwrite " + W("b-model.st"), "checkpoint of model 'fake_ae_b'"],
                   "a fresh run over another model's checkpoint")
    shutil.copy(os.path.join(data, "t10k-images-idx3-ubyte"), W("not-a-checkpoint"))
    r = run(M, "train", "--steps", 18, "--data", data, "--checkpoint", W("not-a-checkpoint"))
    one_line_error(r, ["refusing to overwrite " + W("not-a-checkpoint")], "a fresh run over a data file")
    check(read(W("not-a-checkpoint")) == read(os.path.join(data, "t10k-images-idx3-ubyte")),
          "the data file is intact")
    r = run(M, "eval", "--checkpoint", a.work, "--data", data)
    one_line_error(r, ["is a directory"], "a directory as checkpoint")

    # bad data
    def data_variant(name, train_bytes):
        d = make_data(W(name))
        with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:
            f.write(train_bytes)
        return d
    train_file = read(os.path.join(data, "train-images-idx3-ubyte"))
    for name, blob, reason in [
        ("truncated", train_file[:-100], "truncated"),
        ("badmagic", b"\0\0\x08\x01" + train_file[4:], "bad magic number 0x00000801"),
        ("small", struct.pack(">IIII", 0x803, 3, 28, 28) + bytes(3 * 784), "fewer than one batch of 16"),
        ("wrongsize", struct.pack(">IIII", 0x803, 20, 32, 32) + bytes(20 * 1024),
         "images are 32x32, the model needs 28x28"),
    ]:
        d = data_variant("data-" + name, blob)
        r = run(M, "train", "--steps", 5, "--data", d, "--checkpoint", W("bad-data.st"))
        one_line_error(r, [os.path.join(d, "train-images-idx3-ubyte"), reason], f"{name} training data")
    check(not os.path.exists(W("bad-data.st")), "bad data writes no checkpoint")
    r = run(M, "train", "--data", W("nowhere"), "--checkpoint", W("x.st"))
    one_line_error(r, [W("nowhere") + "/train-images-idx3-ubyte", "No such file"], "missing data dir")
    r = run(M, "reconstruct", "--checkpoint", W("a.st"), "--data", W("nowhere"))
    one_line_error(r, ["t10k-images-idx3-ubyte", "No such file"], "reconstruct without data")

    # bad flags
    for args, reason in [
        (["train", "--frobnicate"], "'train' has no flag --frobnicate"),
        (["train", "--lr", "0.1"], "--lr is not supported"),
        (["train", "--batch", "8"], "compiled for batch 16"),
        (["train", "--steps", "abc"], "--steps 'abc'"),
        (["train", "--steps"], "--steps needs a value"),
        (["train", "--threads", "0"], "--threads '0'"),
        (["eval"], "'eval' needs --checkpoint FILE"),
        (["sample", "--checkpoint", W("a.st"), "--n", "0"], "--n '0'"),
        (["explode"], "unknown command 'explode'"),
        (["info", "--data", "x"], "'info' has no flag --data"),
        (["train", "stray"], "unexpected argument 'stray'"),
    ]:
        r = run(M, *args)
        one_line_error(r, [reason], " ".join(args))
    r = run(M)
    check(r.rc == 2 and "usage:" in r.err, "no command: usage, exit 2")
    r = run(M, "--help")
    check(r.rc == 0 and "usage:" in r.out and "Exit status" in r.out, "--help")

    # NaN: exit 3, the step, the last good checkpoint (kept)
    r = run(M, "train", "--steps", 30, "--data", data, "--checkpoint", W("nan.st"),
            env={"GNC_FAKE_NAN_AT_STEP": "25"})
    one_line_error(r, [f"loss is NaN at step 25 (epoch 2); last good checkpoint: {W('nan.st')} (step 18)"],
                   "NaN loss", code=3)
    if check(os.path.exists(W("nan.st")), "NaN: the epoch-end checkpoint exists"):
        check(split_st(read(W("nan.st")))[0]["__metadata__"]["step"] == "18", "NaN: checkpoint at step 18")
    r = run(M, "train", "--steps", 30, "--data", data, "--checkpoint", W("nan-early.st"),
            env={"GNC_FAKE_NAN_AT_STEP": "3"})
    one_line_error(r, ["loss is NaN at step 3 (epoch 1); last good checkpoint: none written yet"],
                   "early NaN loss", code=3)
    check(not os.path.exists(W("nan-early.st")), "early NaN: nothing written")

    # a full disk (a file size limit below the checkpoint's size): exit 2, old file intact
    shutil.copy(W("a.st"), W("full.st"))
    for extra in ([], ["--resume"]):
        r = run(M, "train", "--steps", 40, "--data", data, "--checkpoint", W("full.st"), *extra,
                fsize=16384)
        one_line_error(r, [W("full.st"), "File too large", "unchanged"], f"full disk {extra}")
        check(read(W("full.st")) == good, f"full disk {extra}: the old checkpoint is intact")
    leftovers = [f for f in os.listdir(a.work) if ".tmp." in f]
    check(not leftovers, f"temporary files left behind: {leftovers}")

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("fake-model-e2e: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
