#!/usr/bin/env python3
"""The runtime against hostile files (issue 10), with the fake model (FakeModel.cpp):

  fifo         every file a program reads (the four MNIST files, a checkpoint for each command
               that loads one, an .npy input) replaced by a FIFO with no writer: exit 2 within a
               second, one line naming the file (open() used to block forever).
  temporaries  `train` and `train --resume` remove the temporaries ".NAME.tmp.PID.N" that a
               killed writer of the checkpoint left, and nothing else: not a live process's, not
               other names.
  digests      a bit flipped in each tensor of a checkpoint in turn, in the loss history and in
               the other metadata: every command that loads it exits 2 naming what is corrupted;
               eval and sample check the epoch against the step as --resume does.

    robustness-e2e.py --model BIN --work DIR SECTION
Exit status 0 when everything holds; the failures are listed otherwise.
"""
import argparse
import importlib.util
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("e2e", os.path.join(HERE, "fake-model-e2e.py"))
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)
check, run, read, one_line_error = e2e.check, e2e.run, e2e.read, e2e.one_line_error


def timed(binary, *args, **kw):
    t = time.monotonic()
    r = run(binary, *args, timeout=10, **kw)
    return r, time.monotonic() - t


def fifo(M, W, data, ck):
    def fifo_data(name):
        d = W("fifo-" + name)
        shutil.copytree(data, d)
        os.remove(os.path.join(d, name))
        os.mkfifo(os.path.join(d, name))
        return d, os.path.join(d, name)

    pipe = W("fifo")
    os.mkfifo(pipe)
    cases = []
    d, f = fifo_data("train-images-idx3-ubyte")
    cases.append((f, ["train", "--steps", 1, "--data", d]))
    d, f = fifo_data("train-labels-idx1-ubyte")
    cases.append((f, ["train", "--steps", 1, "--exclude-label", 3, "--data", d]))
    d, f = fifo_data("t10k-images-idx3-ubyte")
    cases.append((f, ["eval", "--checkpoint", ck, "--data", d]))
    d, f = fifo_data("t10k-labels-idx1-ubyte")
    cases.append((f, ["apply", "encode", "--checkpoint", ck, "--data", d,
                      "--labels-out", W("l.npy"), "--out", W("c.npy")]))
    cases += [
        (pipe, ["eval", "--checkpoint", pipe, "--data", data]),
        (pipe, ["sample", "--checkpoint", pipe, "--out", W("s.png")]),
        (pipe, ["reconstruct", "--checkpoint", pipe, "--data", data, "--out", W("r.png")]),
        (pipe, ["apply", "encode", "--checkpoint", pipe, "--data", data, "--out", W("c.npy")]),
        (pipe, ["manifold", "--checkpoint", pipe, "--out", W("m.png")]),
        (pipe, ["train", "--resume", "--steps", 2, "--checkpoint", pipe, "--data", data]),
        (pipe, ["train", "--steps", 2, "--checkpoint", pipe, "--data", data]),
        (pipe, ["apply", "encode", "--checkpoint", ck, "--input", pipe, "--out", W("c.npy")]),
    ]
    for path, args in cases:
        what = f"{' '.join(map(str, args[:2]))} with {os.path.basename(path)} a FIFO"
        r, seconds = timed(M, *args)
        one_line_error(r, [path, "not a regular file"], what)
        check(seconds < 1.0, f"{what}: took {seconds:.2f} s")
    check(os.path.exists(pipe) and not os.path.isfile(pipe), "the FIFO is left in place")


def temporaries(M, W, data, ck):
    # A PID that no longer runs: a child that has exited and been reaped.
    p = subprocess.Popen(["true"])
    p.wait()
    dead, live = p.pid, os.getpid()
    d = os.path.dirname(ck)
    base = os.path.basename(ck)
    stale = [f".{base}.tmp.{dead}.0", f".{base}.tmp.{dead}.17"]
    kept = [f".{base}.tmp.{live}.0",        # a live writer's
            f".{base}.tmp.{dead}",          # not the pattern: no counter
            f".{base}.tmp.{dead}.0.bak",    # not the pattern: a suffix
            f".{base}.tmp.x{dead}.0",       # not the pattern: not a number
            f".other.st.tmp.{dead}.0",      # another checkpoint's
            f"{base}.tmp.{dead}.0"]         # not hidden: not ours
    for runs in (["train", "--resume", "--steps", 32], ["train", "--steps", 2]):
        for f in stale + kept:
            with open(os.path.join(d, f), "wb") as out:
                out.write(b"\0" * 1000)
        r = run(M, *runs, "--checkpoint", ck, "--data", data)
        what = " ".join(runs[:2])
        check(r.rc == 0, f"{what}: exit {r.rc}: {r.err}")
        for f in stale:
            check(not os.path.exists(os.path.join(d, f)), f"{what}: stale {f} removed")
            check(f"removed {os.path.join(d, f)}, left behind by a killed run" in r.err,
                  f"{what}: says it removed {f}: {r.err!r}")
        for f in kept:
            check(os.path.exists(os.path.join(d, f)), f"{what}: {f} kept")
            os.remove(os.path.join(d, f))

    # A real writer killed with SIGKILL at random points of --checkpoint-every 1: whenever one
    # is caught mid-write, its temporary goes away with the next run.
    caught = 0
    for attempt in range(40):
        p = subprocess.Popen([M, "train", "--steps", "100000", "--checkpoint-every", "1",
                              "--checkpoint", ck, "--data", data],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2 + 0.01 * attempt)
        p.send_signal(signal.SIGKILL)
        p.wait()
        left = [f for f in os.listdir(d) if f.startswith(f".{base}.tmp.{p.pid}.")]
        if not left:
            continue
        caught += 1
        r = run(M, "train", "--resume", "--steps", 1, "--checkpoint", ck, "--data", data)
        check(r.rc in (0,), f"resume after kill -9: exit {r.rc}: {r.err}")
        check(not any(os.path.exists(os.path.join(d, f)) for f in left),
              f"resume after kill -9 removed {left}")
        if caught >= 3:
            break
    print(f"temporaries: caught {caught} writer(s) mid-write with kill -9")


def split_st(b):
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), 8 + n


def digests(M, W, data, ck):
    good = read(ck)
    header, start = split_st(good)
    tensors = sorted((k for k in header if k != "__metadata__"),
                     key=lambda k: header[k]["data_offsets"][0])
    check(len(tensors) == 9, f"9 state tensors: {tensors}")
    meta = header["__metadata__"]
    check(meta.get("format") == "gnc-2", f"format gnc-2: {meta.get('format')}")
    for t in tensors:
        check(meta.get("digest:" + t, "").startswith("xxh64:"), f"digest of {t} in __metadata__")
    bad = W("bad.st")
    commands = [["eval", "--checkpoint", bad, "--data", data],
                ["sample", "--checkpoint", bad, "--out", W("s.png")],
                ["train", "--resume", "--steps", 40, "--checkpoint", bad, "--data", data]]

    def rejected(blob, needle, what, all_commands=False):
        with open(bad, "wb") as f:
            f.write(blob)
        for c in commands if all_commands else commands[:1]:
            r = run(M, *c)
            one_line_error(r, [bad + ": ", needle], f"{what}: {c[0]}")
            check(read(bad) == blob, f"{what}: {c[0]} leaves the file unchanged")

    # One bit in every tensor, in turn: the first, middle and last byte, a different bit each.
    for i, t in enumerate(tensors):
        begin, end = header[t]["data_offsets"]
        for k, offset in enumerate(sorted({begin, (begin + end) // 2, end - 1})):
            blob = bytearray(good)
            blob[start + offset] ^= 1 << ((i + k) % 8)
            rejected(bytes(blob), f"tensor '{t}' does not match its digest (the file is corrupted)",
                     f"bit flip in {t} at byte {offset - begin}", all_commands=(k == 0))

    # One bit in the loss history's base64 that keeps it valid base64 of the same length.
    text = good[:start]
    hist_at = text.index(b'"loss_history":"') + len(b'"loss_history":"')
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    pos = next(p for p in range(hist_at, hist_at + 64) if text[p] ^ 2 in alphabet)
    blob = bytearray(good)
    blob[pos] ^= 2
    rejected(bytes(blob), "the loss history does not match its digest", "bit flip in the loss history",
             all_commands=True)

    # One bit in the seed (a digit that stays a digit): only the metadata digest notices.
    seed_at = text.index(b'"seed":"') + len(b'"seed":"')
    blob = bytearray(good)
    blob[seed_at] ^= 1
    check(chr(blob[seed_at]).isdigit(), "the flipped seed digit is a digit")
    rejected(bytes(blob), "the metadata does not match its digest", "bit flip in the seed",
             all_commands=True)

    # The epoch against the step, in every command (the header is rewritten: its digest would
    # not match either, but the inconsistency is named first).
    h = json.loads(json.dumps(header))
    h["__metadata__"]["epoch"] = str(int(meta["epoch"]) + 1)
    rejected(e2e.join_st(h, good[start:]),
             f"metadata epoch {int(meta['epoch']) + 1} does not match step {meta['step']}",
             "epoch against step", all_commands=True)

    # A digest that is missing is an error, not a pass (the metadata's own digest covers the
    # others; SafeTensorsTest checks the message for a missing one under a valid metadata digest).
    h = json.loads(json.dumps(header))
    del h["__metadata__"]["digest:" + tensors[0]]
    rejected(e2e.join_st(h, good[start:]), "the metadata does not match its digest", "missing digest")

    # The unmodified file loads everywhere.
    with open(bad, "wb") as f:
        f.write(good)
    for c in commands:
        r = run(M, *c)
        check(r.rc == 0, f"unmodified checkpoint: {c[0]}: exit {r.rc}: {r.err}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("section", choices=["fifo", "temporaries", "digests"])
    a = ap.parse_args()
    M, work = os.path.abspath(a.model), os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    W = lambda name: os.path.join(work, name)
    data = e2e.make_data(W("data"))
    ck = W("ck.st")
    r = run(M, "train", "--steps", 30, "--data", data, "--checkpoint", ck)
    check(r.rc == 0, f"train: exit {r.rc}: {r.err}")
    {"fifo": fifo, "temporaries": temporaries, "digests": digests}[a.section](M, W, data, ck)
    if e2e.failures:
        print(f"{len(e2e.failures)} check(s) failed", file=sys.stderr)
        return 1
    print(f"robustness-e2e {a.section}: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
