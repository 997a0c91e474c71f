#!/usr/bin/env python3
"""Writes seed inputs for gnc-fuzz-safetensors into DIR: valid checkpoints of the fuzzer's fixed
model (FuzzSafeTensors.cpp; keep the two in sync), a reference-style file, and a few broken ones.

    safetensors-seeds.py DIR
"""
import json
import os
import struct
import sys

STATE = [("w", [3, 2]), ("b", [2]), ("opt0.step", [])]


def encode(header, data):
    t = json.dumps(header, separators=(",", ":")).encode()
    t += b" " * ((8 - len(t) % 8) % 8)
    return struct.pack("<Q", len(t)) + t + data


# Format gnc-1 (no digests, which Python could not compute without xxhash) still loads, so the
# seeds reach every check of the loader; gnc-2's digests are in safetensors.dict.
def checkpoint(step=3, hash_="00000000f0220001", meta_extra=None):
    meta = {"format": "gnc-1", "model": "fuzz", "model_hash": hash_, "step": str(step),
            "epoch": "0", "seed": "1", "batch": "2", "train_images": "10",
            "loss_names": "loss", "loss_sums": "0.5", "loss_count": "1"}
    meta.update(meta_extra or {})
    header, data = {"__metadata__": meta}, b""
    for name, shape in STATE:
        n = 1
        for d in shape:
            n *= d
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + 4 * n]}
        data += struct.pack(f"<{n}f", *[0.25 * i for i in range(n)])
    return header, data


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {}
    h, d = checkpoint()
    seeds["valid"] = encode(h, d)
    seeds["valid-step0"] = encode(*checkpoint(step=0))
    seeds["other-hash"] = encode(*checkpoint(hash_="ffffffffffffffff"))
    h2 = json.loads(json.dumps(h))
    h2["w"]["dtype"] = "F16"
    seeds["wrong-dtype"] = encode(h2, d)
    h3 = json.loads(json.dumps(h))
    h3["b"]["data_offsets"] = [0, 8]
    seeds["overlap"] = encode(h3, d)
    seeds["truncated"] = encode(h, d)[:-5]
    seeds["reference"] = encode({"a": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
                                 "e": {"dtype": "I64", "shape": [0], "data_offsets": [8, 8]}},
                                bytes(range(8)))
    seeds["empty-header"] = encode({}, b"")
    for name, blob in seeds.items():
        with open(os.path.join(out, name + ".safetensors"), "wb") as f:
            f.write(blob)
    print(len(seeds))


if __name__ == "__main__":
    main()
