#!/usr/bin/python3
"""Renders scikit-learn's digits (Debian's python3-sklearn: 1797 images of 8x8 pixels, grey
levels 0-16) as PNG files, one folder per digit: <out>/<digit>/<index>.png, grey levels scaled
to 0-255 (v * 255 / 16, rounded). Run by the build (challenges/CMakeLists.txt); deterministic,
so every machine renders the same bytes. PNG is written with zlib alone (no imaging library).
"""
import gzip
import os
import struct
import sys
import zlib

SOURCE = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\0" + bytes(r) for r in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main(out):
    with gzip.open(SOURCE, "rt") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    for i, line in enumerate(lines):
        values = [int(float(v)) for v in line.split(",")]
        pixels, digit = values[:64], values[64]
        folder = os.path.join(out, str(digit))
        os.makedirs(folder, exist_ok=True)
        rows = [[(p * 255 + 8) // 16 for p in pixels[r * 8 : r * 8 + 8]] for r in range(8)]
        with open(os.path.join(folder, "%04d.png" % i), "wb") as f:
            f.write(png(8, 8, rows))
    with open(os.path.join(out, "README"), "w") as f:
        f.write("Rendered by make_images.py from %s (%d images); do not edit.\n" % (SOURCE, len(lines)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "images"))
