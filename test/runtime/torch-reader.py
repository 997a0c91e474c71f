#!/usr/bin/env python3
"""A gnc checkpoint stays a plain safetensors file that PyTorch reads (issue 10: the digests
live in __metadata__ as strings, as the format requires).

The fake model (FakeModel.cpp) trains a checkpoint and encodes 16 known images with
`apply encode`; then --torch-python (Debian's python3-torch is for /usr/bin/python3, as in
bench/) loads the checkpoint, with the `safetensors` package's torch reader when it is installed
and always with a minimal reader that follows the format's specification strictly (header
length, JSON, string metadata, dtypes, offsets covering the data exactly), and computes the
same codes, x W1 + b1, from the tensors it read. Skipped (exit 77) where torch is missing.

    torch-reader.py --model BIN --work DIR [--torch-python PYTHON]
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys

SKIP = 77

# Runs in --torch-python: prints the outcome as JSON.
READER = r'''
import json, struct, sys
try:
    import torch
except ImportError as e:
    print(json.dumps({"skip": f"{sys.executable} cannot import torch ({e})"}))
    sys.exit(0)

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16,
          "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32, "I16": torch.int16,
          "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}

def load(path):
    """The safetensors specification, checked strictly."""
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    assert 8 + n <= len(b), "header length past the end of the file"
    text = b[8:8 + n].decode("utf-8")
    assert text.startswith("{") and text.rstrip(" ") == text.rstrip(), "header padded with spaces only"
    header = json.loads(text)
    meta = header.pop("__metadata__", {})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()), "metadata: strings only"
    data = b[8 + n:]
    end = 0
    tensors = {}
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        assert set(t) == {"dtype", "shape", "data_offsets"}, f"{name}: fields {set(t)}"
        lo, hi = t["data_offsets"]
        assert lo == end, f"{name}: begins at {lo}, not at {end}"
        dtype = DTYPES[t["dtype"]]
        count = 1
        for d in t["shape"]:
            count *= d
        assert hi - lo == count * torch.tensor([], dtype=dtype).element_size(), f"{name}: size"
        tensors[name] = torch.frombuffer(bytearray(data[lo:hi]), dtype=dtype).reshape(t["shape"])
        end = hi
    assert end == len(data), "the tensors cover the data region exactly"
    return tensors, meta

path, images = sys.argv[1], json.load(open(sys.argv[2]))
tensors, meta = load(path)
out = {"names": sorted(tensors), "shapes": {k: list(v.shape) for k, v in tensors.items()},
       "metadata_keys": sorted(meta), "readers": ["minimal"]}
try:
    from safetensors.torch import load_file
except ImportError:
    pass
else:
    other = load_file(path)
    assert sorted(other) == sorted(tensors) and all(torch.equal(other[k], tensors[k]) for k in tensors)
    out["readers"].append("safetensors")
x = torch.tensor(images, dtype=torch.float32).reshape(16, 784)
z = x @ tensors["enc.dense_0.weight"] + tensors["enc.dense_0.bias"]
out["codes"] = z[:, :2].flatten().tolist()
print(json.dumps(out))
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--torch-python", default="/usr/bin/python3")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("e2e", os.path.join(here, "fake-model-e2e.py"))
    e2e = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(e2e)
    check = e2e.check

    if not shutil.which(a.torch_python) and not os.path.exists(a.torch_python):
        print(f"torch-reader: SKIPPED: {a.torch_python} not found")
        return SKIP
    M, work = os.path.abspath(a.model), os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    W = lambda name: os.path.join(work, name)
    data = e2e.make_data(W("data"))
    r = e2e.run(M, "train", "--steps", 20, "--data", data, "--checkpoint", W("ck.st"))
    if not check(r.rc == 0, f"train: exit {r.rc}: {r.err}"):
        return 1
    images = [((i * 37) % 101) / 100.0 for i in range(16 * 784)]
    e2e.write_npy(W("x.npy"), [16, 28, 28, 1], images)
    r = e2e.run(M, "apply", "encode", "--checkpoint", W("ck.st"), "--input", W("x.npy"),
                "--out", W("z.npy"))
    check(r.rc == 0, f"apply encode: exit {r.rc}: {r.err}")
    _, shape, codes = e2e.read_npy(W("z.npy"))
    check(shape == [16, 2], f"codes shape {shape}")
    with open(W("x.json"), "w") as f:
        json.dump(images, f)
    with open(W("reader.py"), "w") as f:
        f.write(READER)

    p = subprocess.run([a.torch_python, W("reader.py"), W("ck.st"), W("x.json")],
                       capture_output=True, text=True, timeout=300)
    if not check(p.returncode == 0, f"the torch reader failed: {p.stderr.strip()[-2000:]}"):
        return 1
    out = json.loads(p.stdout.strip().splitlines()[-1])
    if "skip" in out:
        print(f"torch-reader: SKIPPED: {out['skip']}")
        return SKIP
    check(out["names"] == sorted(["enc.dense_0.weight", "enc.dense_0.bias", "dec.dense_0.weight",
                                  "dec.dense_0.bias", "opt0.enc.dense_0.weight.m",
                                  "opt0.enc.dense_0.bias.m", "opt0.dec.dense_0.weight.m",
                                  "opt0.dec.dense_0.bias.m", "opt0.step"]),
          f"tensor names {out['names']}")
    check(out["shapes"]["enc.dense_0.weight"] == [784, 4] and out["shapes"]["opt0.step"] == [],
          f"shapes {out['shapes']}")
    check("digest:enc.dense_0.weight" in out["metadata_keys"], "digests in the metadata")
    worst = max(abs(x - y) for x, y in zip(out["codes"], codes)) if codes else float("inf")
    check(worst < 1e-3, f"PyTorch's codes from the loaded tensors differ from the runtime's by {worst}")
    print(f"torch-reader: read with {', '.join(out['readers'])}; codes agree within {worst:.2g}")
    if e2e.failures:
        print(f"{len(e2e.failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
