#!/usr/bin/env python3
"""Writes seed inputs for gnc-fuzz-npy into DIR: valid .npy files of every dtype and rank the
reader accepts (as numpy writes them: versions 1.0-3.0, padded headers), and a few broken ones.

    npy-seeds.py DIR
"""
import os
import struct
import sys


def npy(descr, shape, data, major=1, order="False", extra=""):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    h = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), %s}" % (descr, order, dims, extra)
    prefix = 10 if major == 1 else 12
    h += " " * ((64 - (prefix + len(h) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H", len(h)) if major == 1 else struct.pack("<I", len(h))
    return b"\x93NUMPY" + bytes([major, 0]) + length + h.encode() + data


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "f4-scalar": npy("<f4", [], struct.pack("<f", 1.5)),
        "f4-vector": npy("<f4", [3], struct.pack("<3f", 0.0, -1.0, 2.5)),
        "f4-matrix": npy("<f4", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
        "f4-images": npy("<f4", [1, 4, 4, 1], struct.pack("<16f", *range(16))),
        "f4-empty": npy("<f4", [0, 2], b""),
        "f8": npy("<f8", [2], struct.pack("<2d", 0.5, 1e300)),
        "u1-labels": npy("|u1", [5], bytes([7, 2, 1, 0, 4])),
        "i1": npy("|i1", [2], b"\xff\x01"),
        "b1": npy("|b1", [2], b"\x01\x00"),
        "i2": npy("<i2", [2], struct.pack("<2h", -2, 3)),
        "i4": npy("<i4", [2, 1], struct.pack("<2i", -2, 3)),
        "i8": npy("<i8", [1], struct.pack("<q", 1 << 40)),
        "v2": npy("<f4", [1], struct.pack("<f", 2.0), major=2),
        "v3": npy("<f4", [1], struct.pack("<f", 3.0), major=3),
        "fortran": npy("<f4", [1], struct.pack("<f", 2.0), order="True"),
        "big-endian": npy(">f4", [1], struct.pack(">f", 2.0)),
        "extra-key": npy("<f4", [1], struct.pack("<f", 2.0), extra="'x': 1, "),
        "truncated": npy("<f4", [4], struct.pack("<3f", 1, 2, 3)),
        "huge-shape": npy("<f4", [1 << 32, 1 << 32, 0], b""),
    }
    for name, blob in seeds.items():
        with open(os.path.join(out, name + ".npy"), "wb") as f:
            f.write(blob)
    print(len(seeds))


if __name__ == "__main__":
    main()
