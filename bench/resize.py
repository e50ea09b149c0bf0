#!/usr/bin/env python
"""tg.image.resize beside TensorFlow's tf.image.resize, forward and forward + gradient.

    python bench/resize.py                                     # tapegrad alone
    python bench/resize.py --tf-python /path/to/tfenv/bin/python --rounds 5

Workloads, float32 NHWC: 8x128x128x3 upsampled to 256x256 by each method (bilinear,
nearest, bicubic, area, lanczos3, gaussian), and 8x256x256x3 downsampled to 64x64 with
antialias=True (bilinear: TensorFlow's ScaleAndTranslate, triangle kernel), and a
1x8x8x3 image to 16x16 (the cost of a call: bilinear, lanczos3). "+ gradient"
is the forward recorded on a tape and the gradient with respect to the image, with an
upstream gradient of ones (TensorFlow has no gradient for area: shown as a dash).

Each library runs in its own process, one after the other (the order swapped every
round), with one thread (OMP/OpenBLAS threads 1; TensorFlow's intra- and inter-op pools
set to 1). In each round a process times every workload as the best of 5 repeats of 3
calls (300 for the small image) after one warm-up call; the table gives the median over rounds of those bests, and
tapegrad's ratio to TensorFlow's.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

WORKER = r'''
import json, os, sys, timeit
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
lib = sys.argv[1]
if lib == "tensorflow":
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
else:
    import tapegrad as tf
rng = np.random.default_rng(0)
small = rng.standard_normal((8, 128, 128, 3)).astype(np.float32)
big = rng.standard_normal((8, 256, 256, 3)).astype(np.float32)
WORK = [(m, small, [256, 256], False) for m in
        ("bilinear", "nearest", "bicubic", "area", "lanczos3", "gaussian")]
WORK.append(("bilinear antialias", big, [64, 64], True))
tiny = rng.standard_normal((1, 8, 8, 3)).astype(np.float32)
WORK += [(f"{m} 1x8x8x3 -> 16x16", tiny, [16, 16], False) for m in ("bilinear", "lanczos3")]
out = {}
for name, x, size, aa in WORK:
    m = name.split()[0]
    xc, xv = tf.constant(x), tf.Variable(x)
    def fwd():
        return tf.image.resize(xc, size, method=m, antialias=aa).numpy()
    def grad():
        with tf.GradientTape() as tape:
            y = tf.image.resize(xv, size, method=m, antialias=aa)
        return tape.gradient(y, xv).numpy()
    for kind, f in (("forward", fwd), ("+ gradient", grad)):
        try:
            f()
        except LookupError:          # TensorFlow: no gradient for ResizeArea
            out[f"{name} {kind}"] = None
            continue
        n = 3 if x.size > 10000 else 300
        out[f"{name} {kind}"] = min(timeit.repeat(f, number=n, repeat=5)) / n * 1e3
print("@@" + json.dumps(out))
'''


def importable(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tf-python", default=None,
                    help="interpreter that has TensorFlow (default: this one, if it has it)")
    args = ap.parse_args()
    work = tempfile.mkdtemp()
    worker = os.path.join(work, "worker.py")
    with open(worker, "w") as f:
        f.write(WORKER)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
    libs = [("tapegrad", sys.executable)]
    tf_python = args.tf_python or sys.executable
    if importable(tf_python, "tensorflow"):
        libs.append(("tensorflow", tf_python))
    else:
        print(f"(TensorFlow: `import tensorflow` fails with {tf_python}; skipped)")
    times = {lib: {} for lib, _ in libs}
    for r in range(args.rounds):
        for lib, python in (libs if r % 2 == 0 else libs[::-1]):
            res = subprocess.run([python, worker, lib], env=env, capture_output=True, text=True,
                                 cwd=work)
            line = [ln for ln in res.stdout.splitlines() if ln.startswith("@@")]
            if res.returncode or not line:
                sys.exit(f"{lib} failed:\n{res.stderr[-2000:]}")
            for k, v in json.loads(line[0][2:]).items():
                times[lib].setdefault(k, []).append(v)
    print(f"\ntf.image.resize, float32, 1 thread; median over {args.rounds} rounds of the best "
          f"of 5 x 3 calls, 5 x 300 for the small image (ms)\n")
    have_tf = "tensorflow" in times
    print("| workload | tapegrad | TF 2 eager | tapegrad / TF |" if have_tf else
          "| workload | tapegrad |")
    print("|---|---|---|---|" if have_tf else "|---|---|")
    for k, ts in times["tapegrad"].items():
        t = statistics.median(ts)
        if not have_tf:
            print(f"| {k} | {t:.3g} |")
            continue
        tt = times["tensorflow"][k]
        if None in tt:
            print(f"| {k} | {t:.3g} | — (no gradient) | |")
        else:
            m = statistics.median(tt)
            print(f"| {k} | {t:.3g} | {m:.3g} | {t / m:.2g} |")


if __name__ == "__main__":
    main()
