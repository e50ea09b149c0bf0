#!/usr/bin/env python
"""One epoch of a 64-128-10 MLP (ReLU, softmax cross-entropy from logits) on
scikit-learn's digits (all 1,797 images, pixels / 16), Adam (lr 1e-3), batch 32,
shuffled: tapegrad's `model.fit` and a GradientTape loop beside PyTorch's hand-written
loop and Keras `fit` on TensorFlow, when they are importable.

    python bench/keras_digits.py                      # 3 rounds x 5 epochs each
    python bench/keras_digits.py --tf-python /path/to/tfenv/bin/python --rounds 5

Each library runs in its own process (one after the other, the order rotated every
round) that first trains one untimed epoch, then times `--epochs` epochs; the table
gives the median and the best epoch over all rounds, and each median's ratio to
PyTorch's. Needs scikit-learn (for the data) in the interpreter that runs this script;
the data are handed to the workers in a temporary .npz file, so the TensorFlow
interpreter needs only TensorFlow.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

WORKER = r'''
import json, os, sys, time
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
lib, path, epochs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = np.load(path)
x, y = data["x"], data["y"]
times = []
if lib in ("tapegrad_fit", "tapegrad_tape"):
    import tapegrad as tf
    from tapegrad import keras
elif lib == "keras_fit":
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    keras = tf.keras
if lib in ("tapegrad_fit", "tapegrad_tape", "keras_fit"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10)])
    opt = keras.optimizers.Adam(1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
if lib in ("tapegrad_fit", "keras_fit"):
    model.compile(optimizer=opt, loss=loss_fn)
    def epoch():
        model.fit(x, y, batch_size=32, epochs=1, shuffle=True, verbose=0)
elif lib == "tapegrad_tape":
    rng = np.random.default_rng(0)
    def epoch():
        order = rng.permutation(len(x))
        for s in range(0, len(x), 32):
            idx = order[s:s + 32]
            with tf.GradientTape() as tape:
                loss = loss_fn(y[idx], model(x[idx], training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
elif lib == "torch":
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    def epoch():
        order = torch.randperm(len(xt))
        for s in range(0, len(xt), 32):
            idx = order[s:s + 32]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
epoch()
for _ in range(epochs):
    t = time.perf_counter()
    epoch()
    times.append(time.perf_counter() - t)
print("@@" + json.dumps(times))
'''

LABEL = {"tapegrad_fit": "tapegrad model.fit", "tapegrad_tape": "tapegrad GradientTape loop",
         "torch": "PyTorch hand-written loop", "keras_fit": "Keras fit on TensorFlow"}
REFERENCE = {"torch": 0.098, "keras_fit": 0.18}     # DESIGN.md, seconds per epoch


def importable(python, module):
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=5, help="timed epochs per worker and round")
    ap.add_argument("--tf-python", default=sys.executable,
                    help="interpreter that has TensorFlow (default: this one)")
    ap.add_argument("--torch-python", default=sys.executable)
    ap.add_argument("--threads", type=int, default=2,
                    help="threads each library may use (BLAS, PyTorch, TensorFlow)")
    args = ap.parse_args()
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("bench/keras_digits.py needs scikit-learn for the data: pip install scikit-learn")
    import numpy as np
    x, y = load_digits(return_X_y=True)
    work = tempfile.mkdtemp()
    path = os.path.join(work, "digits.npz")
    np.savez(path, x=(x / 16.0).astype("float32"), y=y.astype("int64"))
    worker = os.path.join(work, "worker.py")
    with open(worker, "w") as f:
        f.write(WORKER)

    n = str(args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, MKL_NUM_THREADS=n)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = here + os.pathsep + env.get("PYTHONPATH", "")
    libs = [("tapegrad_fit", sys.executable), ("tapegrad_tape", sys.executable)]
    for lib, python, module in [("torch", args.torch_python, "torch"),
                                ("keras_fit", args.tf_python, "tensorflow")]:
        if importable(python, module):
            libs.append((lib, python))
        else:
            print(f"({LABEL[lib]}: `import {module}` fails with {python}; skipped)")
    times = {lib: [] for lib, _ in libs}
    for r in range(args.rounds):
        order = libs[r % len(libs):] + libs[:r % len(libs)]
        for lib, python in order:
            out = subprocess.run([python, worker, lib, path, str(args.epochs), n], env=env,
                                 capture_output=True, text=True, cwd=work)
            line = [l for l in out.stdout.splitlines() if l.startswith("@@")]
            if out.returncode or not line:
                sys.exit(f"{lib} failed:\n{out.stderr[-2000:]}")
            times[lib] += json.loads(line[0][2:])
    med = {lib: statistics.median(t) for lib, t in times.items()}
    base = med.get("torch")
    print(f"\nOne epoch, 64-128-10 MLP on digits (1,797 images), Adam, batch 32; "
          f"{args.rounds} rounds x {args.epochs} epochs, {args.threads} thread(s)\n")
    print("| | median s/epoch | best | / PyTorch (median) |")
    print("|---|---|---|---|")
    for lib, _ in libs:
        ratio = f"{med[lib] / base:.2f}" if base else "—"
        print(f"| {LABEL[lib]} | {med[lib]:.3f} | {min(times[lib]):.3f} | {ratio} |")
    if base is None:
        print(f"\nPyTorch not installed: DESIGN.md's reference is {REFERENCE['torch']} s "
              f"per epoch (Keras fit {REFERENCE['keras_fit']} s); tapegrad fit / reference "
              f"= {med['tapegrad_fit'] / REFERENCE['torch']:.2f}")


if __name__ == "__main__":
    main()
