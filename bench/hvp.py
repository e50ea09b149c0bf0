"""Hessian-vector products: forward-over-reverse next to reverse-over-reverse.

    python bench/hvp.py [--libs tapegrad,tensorflow] [--rounds 7]

f(x) = sum(tanh(W @ x) ** 2) with W 256x256 and x a 256x1 column, float32; the product
H v is computed three ways: by hand in NumPy (W^T (d * (W v)) with the second derivative
d of the elementwise part), by a ForwardAccumulator around a GradientTape
(forward-over-reverse), and by two nested tapes (reverse-over-reverse). Libraries run
with the same TensorFlow-style code (tapegrad, and TensorFlow when importable), in this
one process, alternating; the table gives medians and checks each result against NumPy.
"""
import argparse
import importlib
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

N = 256


def f(tf, W, x):
    return tf.reduce_sum(tf.tanh(W @ x) ** 2)


def fwd_over_rev(tf, W, x, v):
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(tf, W, x)
        g = tape.gradient(y, x)
    return acc.jvp(g)


def rev_over_rev(tf, W, x, v):
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(tf, W, x)
        g = inner.gradient(y, x)
        gv = tf.reduce_sum(g * v)
    return outer.gradient(gv, x)


def numpy_hvp(W, x, v):
    s = np.tanh(W @ x)
    d = (2 - 6 * s * s) * (1 - s * s)
    return W.T @ (d * (W @ v))


def median_ms(fn, rounds, min_time=0.05):
    times = []
    fn()
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < min_time:
            fn()
            n += 1
        times.append((time.perf_counter() - t0) / n * 1e3)
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--libs", default="tapegrad,tensorflow")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    W = (rng.standard_normal((N, N)) / np.sqrt(N)).astype(np.float32)
    x = rng.standard_normal((N, 1)).astype(np.float32)
    v = rng.standard_normal((N, 1)).astype(np.float32)
    expected = numpy_hvp(W.astype(np.float64), x.astype(np.float64), v.astype(np.float64))

    cases = [("NumPy by hand", "", lambda: numpy_hvp(W, x, v))]
    for lib in args.libs.split(","):
        try:
            tf = importlib.import_module(lib)
        except ImportError as e:
            print(f"{lib}: skipped, not importable ({e})")
            continue
        tW, tx, tv = tf.constant(W), tf.constant(x), tf.constant(v)
        for name, fn in (("forward-over-reverse", fwd_over_rev),
                         ("reverse-over-reverse", rev_over_rev)):
            got = np.asarray(fn(tf, tW, tx, tv))
            ok = np.allclose(got, expected, rtol=1e-3, atol=1e-4)
            cases.append((lib, name + ("" if ok else "  CHECK FAILED"),
                          lambda fn=fn, tf=tf, tW=tW, tx=tx, tv=tv: fn(tf, tW, tx, tv)))

    medians = {}
    for r in range(args.rounds):          # alternate the cases round by round
        for i, (lib, name, fn) in enumerate(cases[r % len(cases):] + cases[:r % len(cases)]):
            medians.setdefault((lib, name), []).append(median_ms(fn, 1))
    base = float(np.median(medians[("NumPy by hand", "")]))
    print(f"Hessian-vector product of sum(tanh(W @ x)**2), W {N}x{N} float32; medians of "
          f"{args.rounds} rounds")
    print("| library | method | median ms | / NumPy by hand |")
    print("|---|---|---|---|")
    for (lib, name), ms in medians.items():
        m = float(np.median(ms))
        print(f"| {lib} | {name or 'analytic'} | {m:.3f} | {m / base:.1f}x |")


if __name__ == "__main__":
    main()
