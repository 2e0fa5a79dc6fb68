#!/usr/bin/python3
"""Writes the fixtures of tests/unit/test_formats.cpp into a folder (argument 1), each made by
an implementation independent of Gauntlet's readers (numpy, the struct module, zlib, gzip),
and prints, as JSON, what each file must read as."""
import gzip
import io
import json
import os
import struct
import sys
import zlib

import numpy as np

out = sys.argv[1]
expect = {}
rng = np.random.default_rng(7)

# NPY: every dtype Gauntlet reads, both byte orders, one of them 3-D.
for name, dtype, shape in [
    ("f4", "<f4", (5, 3)), ("f8", "<f8", (4,)), ("f2", "<f2", (6,)), ("i1", "|i1", (7,)), ("i2", ">i2", (3, 2)),
    ("u2", "<u2", (4,)), ("i4", ">i4", (2, 2, 2)), ("u4", "<u4", (3,)), ("i8", "<i8", (5,)), ("u1", "|u1", (2, 5)),
    ("b1", "|b1", (6,)),
]:
    if dtype[1] == "f":
        a = rng.normal(0, 100, shape).astype(dtype)
    elif dtype[1] == "b":
        a = rng.integers(0, 2, shape).astype(bool)
    else:
        info = np.iinfo(np.dtype(dtype))
        a = rng.integers(max(info.min, -(2 ** 40)), min(info.max, 2 ** 40), shape, endpoint=True).astype(dtype)
    np.save(os.path.join(out, name + ".npy"), a)
    # What the tensor holds: f2/f8 become f32, integers widen, bool becomes 0/1.
    expect[name + ".npy"] = {"shape": list(shape), "values": [float(np.float32(v)) if dtype[1] == "f" else int(v) for v in a.reshape(-1)]}
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(np.ones((2, 3), dtype="<f4")))
np.save(os.path.join(out, "complex.npy"), np.ones(3, dtype=np.complex64))
with open(os.path.join(out, "f4.npy"), "rb") as f:
    whole = f.read()
with open(os.path.join(out, "cut.npy"), "wb") as f:
    f.write(whole[:-5])
np.savez(os.path.join(out, "plain.npz"), x=np.arange(6, dtype="<i4").reshape(2, 3), y=np.array([1.5, 2.5], dtype="<f4"))
np.savez_compressed(os.path.join(out, "packed.npz"), x=np.arange(6, dtype="<i4").reshape(2, 3))

# IDX: every element type, big-endian, plain and gzip.
codes = {"u1": (0x08, ">u1"), "i1": (0x09, ">i1"), "i2": (0x0B, ">i2"), "i4": (0x0C, ">i4"), "f4": (0x0D, ">f4"), "f8": (0x0E, ">f8")}
for name, (code, dtype) in codes.items():
    shape = (3, 2, 4)
    a = (rng.normal(0, 50, shape) if dtype[1] == "f" else rng.integers(-100 if dtype[1] == "i" else 0, 100, shape)).astype(dtype)
    data = struct.pack(">BBBB", 0, 0, code, len(shape)) + b"".join(struct.pack(">I", d) for d in shape) + a.tobytes()
    with open(os.path.join(out, name + ".idx"), "wb") as f:
        f.write(data)
    with gzip.open(os.path.join(out, name + ".idx.gz"), "wb") as f:
        f.write(data)
    expect[name + ".idx"] = {"shape": list(shape), "values": [float(np.float32(v)) if dtype[1] == "f" else int(v) for v in a.reshape(-1)]}

# PNG, grey and RGB, written with zlib.
def png(w, h, channels, pixels):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + bytes(pixels[y * w * channels:(y + 1) * w * channels]) for y in range(h))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0 if channels == 1 else 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
for cls, base in (("cat", 10), ("dog", 200)):
    os.makedirs(os.path.join(out, "images", cls), exist_ok=True)
    for i in range(3):
        px = [(base + 7 * i + 3 * k) % 256 for k in range(4 * 5 * 3)]
        with open(os.path.join(out, "images", cls, "%d.png" % i), "wb") as f:
            f.write(png(5, 4, 3, px))
        expect["images/%s/%d.png" % (cls, i)] = px
os.makedirs(os.path.join(out, "odd", "a"), exist_ok=True)
with open(os.path.join(out, "odd", "a", "big.png"), "wb") as f:
    f.write(png(6, 4, 1, list(range(24))))
with open(os.path.join(out, "odd", "a", "bad.png"), "wb") as f:
    f.write(png(5, 4, 3, [0] * 60)[:40])

json.dump(expect, sys.stdout)
