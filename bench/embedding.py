"""An embedding-lookup training step: sparse gradients (tg.IndexedSlices) against the
dense path, and NumPy by hand.

    python bench/embedding.py [--rounds 7]

A (100000, 64) float32 table, a batch of 256 ids; loss = mean of (table[ids] @ W - y)^2
with W (64, 8); the gradient of the table and of W, then a plain SGD update (lr 0.1).
Rows (medians over rounds, in one process, alternating):
- tapegrad, sparse: tg.nn.embedding_lookup, whose gradient is an IndexedSlices of 256
  rows; the table updated with `scatter_sub` (the rows only);
- tapegrad, dense: the same lookup written `table[ids]` (an integer-array index, the path
  tg.gather took before sparse gradients), whose gradient is a dense (100000, 64) array,
  and `assign_sub` of it times lr;
- NumPy by hand: the forward, the analytic backward with np.add.at into the rows looked
  up, and the same row update.
"""
import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

import tapegrad as tg  # noqa: E402

N, D, B, H, LR = 100000, 64, 256, 8, np.float32(0.1)
rng = np.random.default_rng(0)
T0 = (rng.standard_normal((N, D)) * 0.01).astype(np.float32)
W0 = (rng.standard_normal((D, H)) * 0.1).astype(np.float32)
IDS = rng.integers(0, N, B)
Y = rng.standard_normal((B, H)).astype(np.float32)


def tg_step(sparse):
    table, w, y = tg.Variable(T0), tg.Variable(W0), tg.constant(Y)

    def step():
        with tg.GradientTape() as t:
            e = tg.nn.embedding_lookup(table, IDS) if sparse else table[IDS]
            loss = tg.reduce_mean(tg.square(tg.matmul(e, w) - y))
        gt, gw = t.gradient(loss, [table, w])
        if sparse:
            table.scatter_sub(tg.IndexedSlices(gt.values * LR, gt.indices, gt.dense_shape))
        else:
            table.assign_sub(gt * LR)
        w.assign_sub(gw * LR)
        return loss
    return step


def np_step():
    table, w = T0.copy(), W0.copy()

    def step():
        e = table[IDS]
        r = e @ w - Y
        loss = np.mean(r * r)
        gr = (2 / r.size) * r
        ge, gw = gr @ w.T, e.T @ gr
        np.subtract.at(table, IDS, LR * ge)
        w[...] -= LR * gw
        return loss
    return step


def median_ms(f, number):
    t0 = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t0) / number * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    rows = [("tapegrad, sparse (IndexedSlices)", tg_step(True)),
            ("tapegrad, dense (table[ids])", tg_step(False)),
            ("NumPy by hand", np_step())]
    for _, f in rows:
        f()    # warm up
    times = {name: [] for name, _ in rows}
    for _ in range(args.rounds):       # alternate, so drifts in load hit every row
        for name, f in rows:
            times[name].append(median_ms(f, 5))
    med = {name: float(np.median(ts)) for name, ts in times.items()}
    sp, npy = med[rows[0][0]], med[rows[2][0]]
    print(f"embedding step, table ({N}, {D}) float32, batch {B}, lookup @ ({D}, {H}), SGD")
    print(f"{'row':36s} {'ms':>8s} {'/ sparse':>9s} {'/ NumPy':>8s}")
    for name, m in med.items():
        print(f"{name:36s} {m:8.3f} {m / sp:9.2f} {m / npy:8.2f}")


if __name__ == "__main__":
    main()
