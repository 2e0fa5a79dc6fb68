#!/usr/bin/python3
"""The ONNX runner against an independent executor: OpenCV's DNN module (Debian's python3-opencv,
which shares no code with the runner) on the first 1,000 Fashion-MNIST test images, preprocessed as
the fashion-mnist challenge says. Every output must be within 1e-4 (relative to 1 + |OpenCV's
value|) and every argmax identical, with the runner at batch 1 and at batch 250.

    compare_opencv.py <run_model> <libonnx_runner.so> <model.onnx>...

Exit code 0 when every model agrees, 1 otherwise, 77 (CTest: skipped) without python3-opencv.
"""
import gzip
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

try:
    import cv2
except ImportError:
    print("python3-opencv is not installed (scripts/setup.sh installs it): skipped")
    sys.exit(77)

IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
SAMPLES = 1000
TOLERANCE = 1e-4


def test_images():
    with gzip.open(IMAGES, "rb") as f:
        data = f.read()
    n, rows, cols = struct.unpack(">III", data[4:16])
    pixels = np.frombuffer(data, dtype=np.uint8, offset=16, count=SAMPLES * rows * cols)
    x = pixels.reshape(SAMPLES, 1, rows, cols).astype(np.float32)
    return ((x / np.float32(255.0) - np.float32(0.2860)) / np.float32(0.3530)).astype(np.float32)


def opencv(model, x):
    """One image at a time: OpenCV 4.6 fixes a dynamic batch at the exported one (1) when a model
    computes its shapes (PyTorch's x.reshape(x.shape[0], -1))."""
    net = cv2.dnn.readNetFromONNX(model)
    out = []
    for i in range(len(x)):
        net.setInput(x[i:i + 1])
        out.append(net.forward().reshape(1, -1))
    return np.concatenate(out)


def runner(run_model, library, model, x, batch, outputs, work):
    inputs = os.path.join(work, "inputs.f32")
    result = os.path.join(work, "outputs.f32")
    x.tofile(inputs)
    subprocess.run([run_model, library, model, "x".join(map(str, x.shape[1:])), str(outputs), str(batch),
                    inputs, result], check=True)
    return np.fromfile(result, dtype=np.float32).reshape(len(x), outputs)


def main():
    run_model, library, models = sys.argv[1], sys.argv[2], sys.argv[3:]
    cv2.setNumThreads(1)
    x = test_images()
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for model in models:
            reference = opencv(model, x)
            for batch in (1, 250):
                ours = runner(run_model, library, model, x, batch, reference.shape[1], work)
                worst = float(np.max(np.abs(ours - reference) / (1.0 + np.abs(reference))))
                same = int(np.sum(ours.argmax(1) == reference.argmax(1)))
                ok = worst <= TOLERANCE and same == SAMPLES
                failed |= not ok
                print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(model)} batch {batch}: largest difference "
                      f"{worst:.2e} (tolerance {TOLERANCE:g}), argmax identical on {same} of {SAMPLES} images")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
