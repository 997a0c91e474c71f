#!/usr/bin/env python3
"""Data-parallel training end to end (docs/distributed.md): gnc build --mpi, mpirun -np 2.

    data-parallel.py --gnc GNC --mpirun MPIRUN --work DIR [--np P] build MODEL B
        builds MODEL with batch B and --mpi (DIR/MODEL-B-mpi) and with batch P x B without it
        (DIR/MODEL-PB; P = 2 by default), on a synthetic MNIST-shaped data set (DIR/data)
    ... [--np P] match MODEL B STEPS
        (builds unless present) mpirun -np P of the --mpi program, each process with batch B,
        against one process with batch P x B: every step's losses and every state tensor of the
        final checkpoint agree within float reassociation tolerance, and so does the test loss
    ... deterministic MODEL B    two -np 2 runs write byte-identical checkpoints
    ... kill-rank MODEL B        kill -9 rank 1 mid-run: mpirun exits non-zero within 10 s with a
                                 message naming rank 1; the last checkpoint loads, and --resume
                                 with -np 2 continues it to the same result as an uninterrupted run
    ... interrupt MODEL B        SIGINT to every process at slightly different instants: they stop
                                 at the same step, rank 0 saves the checkpoint of that step and
                                 reports it (exit 130) once, and --resume continues from it
    ... other-np MODEL B         --resume of a -np 2 checkpoint with 1 (and 3) processes is
                                 refused with a message naming both counts
    ... rank-data-failure MODEL B  rank 1 alone cannot read its data: the job ends within 10 s,
                                 non-zero, naming rank 1
The OpenMPI run-as-root variables come from ctest's ENVIRONMENT for these tests only.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "models")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(cmd, check=True, **kw):
    # Each job in a session of its own: whatever Open MPI signals on an abort stays in it.
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       start_new_session=True, **kw)
    if check and p.returncode != 0:
        fail("%s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stdout))
    return p


def write_data(d):
    """MNIST-shaped IDX files: 1024 training and 160 test images of smooth random blobs."""
    if os.path.exists(os.path.join(d, "done")):
        return
    os.makedirs(d, exist_ok=True)
    rng = random.Random(15)

    def images(n):
        out = bytearray(struct.pack(">IIII", 0x803, n, 28, 28))
        for _ in range(n):
            cx, cy, r = rng.uniform(6, 22), rng.uniform(6, 22), rng.uniform(3, 8)
            for y in range(28):
                for x in range(28):
                    v = math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
                    out.append(min(255, int(255 * v) + rng.randrange(16)))
        return bytes(out)

    for split, n in (("train", 1024), ("t10k", 160)):
        with open(os.path.join(d, split + "-images-idx3-ubyte"), "wb") as f:
            f.write(images(n))
        with open(os.path.join(d, split + "-labels-idx1-ubyte"), "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + bytes(i % 10 for i in range(n)))
    open(os.path.join(d, "done"), "w").close()


def with_batch(model, b, path):
    src = open(os.path.join(MODELS, model + ".gn")).read()
    text, n = re.subn(r"(?m)^batch \d+", "batch %d" % b, src)
    if n != 1:
        fail("%s.gn: no `batch N` line to change" % model)
    open(path, "w").write(text)


def build(a, model, b, fresh=False):
    """The two programs; `fresh` (the `build` step, --fresh) rebuilds them, so that a changed
    gnc or runtime is what the checks run; the checks reuse what the fixture built."""
    os.makedirs(a.work, exist_ok=True)
    write_data(os.path.join(a.work, "data"))
    mpi = os.path.join(a.work, "%s-%d-mpi" % (model, b))
    one = os.path.join(a.work, "%s-%d" % (model, a.np * b))
    for path, batch, flags in ((mpi, b, ["--mpi"]), (one, a.np * b, [])):
        if os.path.exists(path) and not (fresh or a.fresh):
            continue
        src = path + ".gn"
        with_batch(model, batch, src)
        run([a.gnc, "build", src, "-o", path + ".tmp"] + flags)
        os.replace(path + ".tmp", path)
    return mpi, one


def mpirun(a, np, *args):
    # --oversubscribe: CI machines may have fewer cores than processes; one thread each.
    return [a.mpirun, "-np", str(np), "--oversubscribe", "--bind-to", "none"] + list(args)


def train_args(a, ckpt, steps, *extra):
    return ["train", "--data", os.path.join(a.work, "data"), "--steps", str(steps), "--threads", "1",
            "--checkpoint", ckpt, "--json"] + list(extra)


def last_json(out):
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    fail("no JSON result in:\n" + out)


def read_checkpoint(path):
    """The tensors of a safetensors file as lists of floats (F32 only), and its metadata."""
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        tensors[name] = struct.unpack("<%df" % ((e - b) // 4), data[base + b:base + e])
    return tensors, header.get("__metadata__", {})


def read_losses(csv):
    rows = [line.strip().split(",") for line in open(csv)][1:]
    return [[float(x) for x in r[2:]] for r in rows]


def close(x, y, rel, what):
    if not (abs(x - y) <= rel * max(1.0, abs(x), abs(y))):
        fail("%s: %r (several processes) vs %r (1 process)" % (what, x, y))


def cmd_match(a):
    mpi, one = build(a, a.model, a.batch)
    d = os.path.join(a.work, "match")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    two = last_json(run(mpirun(a, a.np, mpi, *train_args(a, "two.safetensors", a.steps)), cwd=d).stdout)
    single = last_json(run([one] + train_args(a, "one.safetensors", a.steps), cwd=d).stdout)
    if two["processes"] != a.np or single["processes"] != 1:
        fail("process counts %r / %r" % (two["processes"], single["processes"]))
    # Every step's losses (all-reduced: the global batch's) against one process's.
    l2, l1 = read_losses(os.path.join(d, "two-loss.csv")), read_losses(os.path.join(d, "one-loss.csv"))
    if len(l2) != a.steps or len(l1) != a.steps:
        fail("loss histories of %d and %d steps, expected %d" % (len(l2), len(l1), a.steps))
    worst = 0.0
    for s, (r2, r1) in enumerate(zip(l2, l1)):
        for k, (x, y) in enumerate(zip(r2, r1)):
            close(x, y, 2e-3, "step %d loss %d" % (s + 1, k))
            worst = max(worst, abs(x - y) / max(1.0, abs(y)))
    # The final state: each tensor's difference, relative to its norm. Float sums in another
    # order differ in the last bits, and Adam divides by sqrt(v), which can amplify that for
    # gradients near zero: dcgan's generator, whose gradients come through the discriminator,
    # had its first layer's Adam moment 2.5e-3 apart after 10 steps (every loss within 1e-6)
    # once kernel gradients were summed image by image. A wrong reduction (a missing
    # all-reduce, a sum for a mean, the wrong rows or random numbers) is off by far more.
    t2, m2 = read_checkpoint(os.path.join(d, "two.safetensors"))
    t1, m1 = read_checkpoint(os.path.join(d, "one.safetensors"))
    if m2.get("processes") != str(a.np) or m1.get("processes") != "1":
        fail("checkpoint metadata processes %r / %r" % (m2.get("processes"), m1.get("processes")))
    if sorted(t2) != sorted(t1):
        fail("the checkpoints hold different tensors")
    worst_t = 0.0
    for name in sorted(t1):
        x, y = t2[name], t1[name]
        diff = math.sqrt(sum((p - q) ** 2 for p, q in zip(x, y)))
        norm = math.sqrt(sum(q * q for q in y))
        rel = diff / max(norm, 1e-6)
        worst_t = max(worst_t, rel)
        if rel > 1e-2:
            fail("state tensor %s differs by %.3g relative (L2) after %d steps" % (name, rel, a.steps))
    # The test loss: each process evaluates its rows of every global test batch.
    if two["test_images"] != single["test_images"]:
        fail("test images %d (2 processes) vs %d (1 process)" % (two["test_images"], single["test_images"]))
    for name in single["test_losses"]:
        close(two["test_losses"][name], single["test_losses"][name], 2e-3, "test loss " + name)
    print("ok: %s, %d x batch %d = 1 x batch %d over %d steps: losses within %.2g, state within %.2g (relative)"
          % (a.model, a.np, a.batch, a.np * a.batch, a.steps, worst, worst_t))


def cmd_deterministic(a):
    mpi, _ = build(a, a.model, a.batch)
    digests = []
    for i in range(2):
        d = os.path.join(a.work, "det%d" % i)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        run(mpirun(a, 2, mpi, *train_args(a, "c.safetensors", 12)), cwd=d)
        digests.append(open(os.path.join(d, "c.safetensors"), "rb").read())
    if digests[0] != digests[1]:
        fail("two -np 2 runs wrote different checkpoints")
    print("ok: two -np 2 runs, byte-identical checkpoints (%d bytes)" % len(digests[0]))


def rank_pids(mpirun_pid):
    """{rank: pid} of mpirun's processes, from their OMPI_COMM_WORLD_RANK."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            env = open("/proc/%s/environ" % entry, "rb").read().split(b"\0")
            stat = open("/proc/%s/stat" % entry).read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid != mpirun_pid:
            continue
        for kv in env:
            if kv.startswith(b"OMPI_COMM_WORLD_RANK="):
                out[int(kv.split(b"=", 1)[1])] = int(entry)
    return out


def cmd_kill_rank(a):
    mpi, _ = build(a, a.model, a.batch)
    d = os.path.join(a.work, "kill")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    ckpt = os.path.join(d, "k.safetensors")
    # Many steps, a checkpoint every 4: the run is killed between two of them.
    p = subprocess.Popen(mpirun(a, 2, mpi, *train_args(a, "k.safetensors", 100000, "--checkpoint-every", "4")),
                         cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    deadline = time.time() + 120
    while not os.path.exists(ckpt):
        if p.poll() is not None or time.time() > deadline:
            p.kill()
            fail("no checkpoint before the kill:\n" + p.communicate()[0])
        time.sleep(0.1)
    time.sleep(0.5)
    pids = rank_pids(p.pid)
    if 1 not in pids:
        p.kill()
        fail("cannot find rank 1 among mpirun's children (%r)" % pids)
    os.kill(pids[1], signal.SIGKILL)
    killed = time.time()
    try:
        out = p.communicate(timeout=10)[0]
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the job still runs 10 s after rank 1 was killed")
    took = time.time() - killed
    if p.returncode == 0:
        fail("mpirun exited 0 after rank 1 was killed:\n" + out)
    if not re.search(r"rank 1\b", out):
        fail("no message naming rank 1:\n" + out)
    for leftover in pids.values():
        if os.path.exists("/proc/%d" % leftover) and "zombie" not in open("/proc/%d/status" % leftover).read().lower():
            fail("process %d outlived the job" % leftover)
    # The last checkpoint is whole: --resume with the same -np continues it, and the result
    # equals an uninterrupted run's (checkpoints are resumable bit for bit).
    step = int(read_checkpoint(ckpt)[1]["step"])
    target = step + 4
    run(mpirun(a, 2, mpi, *train_args(a, "k.safetensors", target, "--resume")), cwd=d)
    ref = os.path.join(a.work, "kill-ref")
    shutil.rmtree(ref, ignore_errors=True)
    os.makedirs(ref)
    run(mpirun(a, 2, mpi, *train_args(a, "r.safetensors", target)), cwd=ref)
    if read_checkpoint(ckpt)[0] != read_checkpoint(os.path.join(ref, "r.safetensors"))[0]:
        fail("resuming after the kill does not reproduce the uninterrupted run")
    print("ok: rank 1 killed after step %d; mpirun exited %d after %.1f s naming rank 1; resumed to step %d"
          % (step, p.returncode, took, target))


def cmd_interrupt(a):
    mpi, _ = build(a, a.model, a.batch)
    d = os.path.join(a.work, "interrupt")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    ckpt = os.path.join(d, "i.safetensors")
    p = subprocess.Popen(mpirun(a, 2, mpi, *train_args(a, "i.safetensors", 100000, "--checkpoint-every", "1000")),
                         cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         start_new_session=True)
    deadline = time.time() + 120
    pids = {}
    while len(pids) < 2 or not os.path.exists(os.path.join(d, ".started")):
        pids = rank_pids(p.pid)
        if p.poll() is not None or time.time() > deadline:
            p.kill()
            fail("the run did not start:\n" + p.communicate()[0])
        if len(pids) == 2:
            time.sleep(3)  # a few steps in
            open(os.path.join(d, ".started"), "w").close()
    os.kill(pids[1], signal.SIGINT)
    time.sleep(0.05)
    os.kill(pids[0], signal.SIGINT)
    try:
        out = p.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        p.kill()
        fail("the processes did not stop after SIGINT")
    m = re.findall(r"error: interrupted at step (\d+); checkpoint", out)
    if p.returncode == 0 or len(m) != 1:
        fail("expected one 'interrupted at step N; checkpoint ...' and a non-zero exit, got %d:\n%s"
             % (p.returncode, out))
    if "MPI_ABORT" in out:
        fail("an interrupt aborted the job instead of stopping it:\n" + out)
    step = int(read_checkpoint(ckpt)[1]["step"])
    if step != int(m[0]):
        fail("the checkpoint is at step %d, the message says %s" % (step, m[0]))
    run(mpirun(a, 2, mpi, *train_args(a, "i.safetensors", step + 3, "--resume")), cwd=d)
    if int(read_checkpoint(ckpt)[1]["step"]) != step + 3:
        fail("--resume after the interrupt did not continue")
    print("ok: SIGINT stopped both processes at step %d (exit %d), resumed to step %d"
          % (step, p.returncode, step + 3))


def cmd_other_np(a):
    mpi, _ = build(a, a.model, a.batch)
    d = os.path.join(a.work, "other-np")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    run(mpirun(a, 2, mpi, *train_args(a, "c.safetensors", 4)), cwd=d)
    before = open(os.path.join(d, "c.safetensors"), "rb").read()
    for np in (1, 3):
        p = run(mpirun(a, np, mpi, *train_args(a, "c.safetensors", 8, "--resume")), check=False, cwd=d)
        if p.returncode == 0:
            fail("--resume of a 2-process checkpoint with %d processes succeeded:\n%s" % (np, p.stdout))
        if "trained by 2 processes" not in p.stdout or "this run has %d" % np not in p.stdout:
            fail("no clear message for -np %d:\n%s" % (np, p.stdout))
    if open(os.path.join(d, "c.safetensors"), "rb").read() != before:
        fail("a refused --resume changed the checkpoint")
    print("ok: --resume with 1 and 3 processes refused")


def cmd_rank_data_failure(a):
    mpi, _ = build(a, a.model, a.batch)
    d = os.path.join(a.work, "data-failure")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    good = train_args(a, "c.safetensors", 50)
    bad = list(good)
    bad[bad.index("--data") + 1] = os.path.join(d, "missing")
    # MPMD: rank 0 reads the data, rank 1 is given a directory that does not exist.
    cmd = [a.mpirun, "--oversubscribe", "--bind-to", "none", "-np", "1", mpi] + good + [":", "-np", "1", mpi] + bad
    start = time.time()
    try:
        p = subprocess.run(cmd, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=10,
                           start_new_session=True)
    except subprocess.TimeoutExpired:
        fail("the job still runs 10 s after rank 1 failed to read its data")
    if p.returncode == 0:
        fail("exit 0 although rank 1 could not read its data:\n" + p.stdout)
    if not re.search(r"rank 1: .*missing", p.stdout):
        fail("no message 'rank 1: ...' naming the missing data:\n" + p.stdout)
    print("ok: rank 1's missing data ended the job in %.1f s (exit %d)" % (time.time() - start, p.returncode))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gnc", required=True)
    ap.add_argument("--mpirun", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--np", type=int, default=2, help="processes of `match` (the others use 2)")
    ap.add_argument("--fresh", action="store_true", help="rebuild the programs even if present")
    ap.add_argument("what", choices=["build", "match", "deterministic", "kill-rank", "interrupt", "other-np",
                                     "rank-data-failure"])
    ap.add_argument("model")
    ap.add_argument("batch", type=int)
    ap.add_argument("steps", type=int, nargs="?", default=10)
    a = ap.parse_args()
    {"build": lambda a: build(a, a.model, a.batch, fresh=True), "match": cmd_match,
     "deterministic": cmd_deterministic, "kill-rank": cmd_kill_rank, "interrupt": cmd_interrupt,
     "other-np": cmd_other_np,
     "rank-data-failure": cmd_rank_data_failure}[a.what](a)


if __name__ == "__main__":
    main()
