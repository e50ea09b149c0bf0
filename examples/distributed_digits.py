"""Data-parallel training of an MLP on scikit-learn's digits with tapegrad.distribute
(Horovod's API over MPI). Each process trains on its own shard of the data; the
gradients are averaged over all processes every step, so every process holds the same
weights throughout.

    mpiexec -n 2 python examples/distributed_digits.py
    python examples/distributed_digits.py             # one process: the same script

Without scikit-learn it trains the medium MLP (784-512-512-10) on synthetic data.
Needs `pip install tapegrad[mpi] mpich` (or mpi4py over the system's MPI).
"""
import time

import numpy as np

import tapegrad as tg
import tapegrad.distribute as hvd


def load_data():
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        rng = np.random.default_rng(0)        # a learnable synthetic task: a random teacher
        x = rng.normal(size=(4096, 784)).astype(np.float32)
        y = np.argmax(x @ rng.normal(size=(784, 10)), axis=1)
        return "synthetic 784-d data", x, y, [784, 512, 512, 10]
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    return "scikit-learn digits", x, digits.target, [64, 128, 10]


def init_params(sizes, seed):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append(tg.Variable((rng.normal(size=(fan_in, fan_out)) / np.sqrt(fan_in))
                                  .astype(np.float32)))
        params.append(tg.Variable(np.zeros(fan_out, dtype=np.float32)))
    return params


def logits_of(params, x):
    h = x
    for i in range(0, len(params) - 2, 2):
        h = tg.tanh(h @ params[i] + params[i + 1])
    return h @ params[-2] + params[-1]


def main(epochs=10, batch=32, base_lr=0.05, momentum=0.9):
    hvd.init()
    name, x, y, sizes = load_data()
    order = np.random.default_rng(1).permutation(len(x))
    n_test = len(x) // 5
    x_test, y_test = x[order[:n_test]], y[order[:n_test]]
    train = order[n_test:]
    shard = train[hvd.rank()::hvd.size()]              # this process's share of the data
    # every process must take the same number of steps: the smallest shard decides
    steps = int(hvd.allreduce(np.int64(len(shard) // batch), op=hvd.Min).numpy())

    params = init_params(sizes, seed=100 + hvd.rank())  # different on every process ...
    hvd.broadcast_variables(params, root_rank=0)      # ... until rank 0's are broadcast
    velocity = [np.zeros(p.shape, np.float32) for p in params]
    lr = base_lr * hvd.size()                         # the global batch grows with size
    if hvd.rank() == 0:
        print(f"{name}: {len(train)} training samples over {hvd.size()} process(es), "
              f"{steps} steps of {batch} per process per epoch")

    rng = np.random.default_rng(2 + hvd.rank())
    start = time.perf_counter()
    for epoch in range(epochs):
        perm = rng.permutation(shard)
        total = 0.0
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            with tg.GradientTape() as tape:
                loss = tg.reduce_mean(tg.nn.sparse_softmax_cross_entropy_with_logits(
                    y[idx], logits_of(params, x[idx])))
            tape = hvd.DistributedGradientTape(tape)
            for p, g, v in zip(params, tape.gradient(loss, params), velocity):
                v *= momentum
                v += g.numpy()
                p.assign_sub(lr * v)
            total += float(loss.numpy())
        mean_loss = float(hvd.allreduce(tg.constant(total / steps)).numpy())
        acc = np.mean(np.argmax(logits_of(params, x_test).numpy(), axis=1) == y_test)
        if hvd.rank() == 0:
            print(f"epoch {epoch + 1:2d}  loss {mean_loss:.4f}  test accuracy {acc:.3f}")

    sums = hvd.allgather_object([float(np.sum(p.numpy())) for p in params])
    if hvd.rank() == 0:
        print(f"{time.perf_counter() - start:.2f} s; weights identical on every process: "
              f"{all(s == sums[0] for s in sums)}")


if __name__ == "__main__":
    main()
