"""Problem definitions shared by every library: sizes, data, and NumPy by hand.

Every library's worker builds its inputs from these NumPy arrays, so all
libraries see the same numbers and their results can be cross-checked.
"""
import numpy as np

# Workload 1: scalar chain y = y * A + x, N_ITER iterations, 2 ops per iteration.
CHAIN_A = 1.0001
CHAIN_X0 = 0.5
CHAIN_OPS = 20_000
CHAIN_ITERS = CHAIN_OPS // 2
# Workload 5: the same chain on a persistent tape, 1,000,000 ops.
MEMORY_CHAIN_OPS = 1_000_000

MLP_SMALL = dict(batch=32, sizes=(64, 64, 64, 10))
MLP_MEDIUM = dict(batch=256, sizes=(784, 512, 512, 10))
JAC_N = 256


def chain_grad_exact(n_iter=CHAIN_ITERS, a=CHAIN_A):
    """d y_n / d x for y_0 = x, y_{k+1} = a y_k + x (exact, float64)."""
    an = a ** n_iter
    return an + (an - 1.0) / (a - 1.0)


def mlp_data(cfg, seed=0):
    """x (B, D) float32, int labels (B,), float32 one-hot (B, C), params
    [W1, b1, W2, b2, W3, b3] float32."""
    rng = np.random.default_rng(seed)
    b = cfg["batch"]
    sizes = cfg["sizes"]
    x = rng.standard_normal((b, sizes[0])).astype(np.float32)
    labels = rng.integers(0, sizes[-1], size=b).astype(np.int64)
    onehot = np.eye(sizes[-1], dtype=np.float32)[labels]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32))
        params.append((0.1 * rng.standard_normal(fan_out)).astype(np.float32))
    return x, labels, onehot, params


def jac_data(seed=1):
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((JAC_N, JAC_N)) / np.sqrt(JAC_N)).astype(np.float32)
    x = rng.standard_normal(JAC_N).astype(np.float32)
    return W, x


# ---------------------------------------------------------------- NumPy by hand

def np_scalar_chain(x, n_iter=CHAIN_ITERS, a=CHAIN_A):
    """Forward loop and hand-written reverse sweep, on Python floats."""
    y = x
    for _ in range(n_iter):
        y = y * a + x
    gy, gx = 1.0, 0.0
    for _ in range(n_iter):
        gx += gy
        gy *= a
    return gx + gy


def py_float_chain_forward(x, n_iter=CHAIN_ITERS, a=CHAIN_A):
    """The interpreter floor: the forward loop alone on Python floats."""
    y = x
    for _ in range(n_iter):
        y = y * a + x
    return y


def np_mlp_forward(params, x, onehot):
    """Forward only, the same NumPy calls the tf-style code makes (one-hot mask,
    shift by the row max, log-sum-exp)."""
    W1, b1, W2, b2, W3, b3 = params
    h = np.tanh(x @ W1 + b1)
    h = np.tanh(h @ W2 + b2)
    logits = h @ W3 + b3
    z = logits - np.max(logits, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(z), axis=1))
    return np.mean(lse - np.sum(z * onehot, axis=1))


def np_mlp_step(params, x, onehot):
    """Loss and analytic gradients of all weights and biases."""
    W1, b1, W2, b2, W3, b3 = params
    h1 = np.tanh(x @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    logits = h2 @ W3 + b3
    z = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(z)
    s = np.sum(e, axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) - np.sum(z * onehot, axis=1))
    dlogits = (e / s - onehot) * np.float32(1.0 / x.shape[0])
    dW3 = h2.T @ dlogits
    db3 = dlogits.sum(axis=0)
    dz2 = (dlogits @ W3.T) * (1.0 - h2 * h2)
    dW2 = h1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (1.0 - h1 * h1)
    dW1 = x.T @ dz1
    db1 = dz1.sum(axis=0)
    return loss, [dW1, db1, dW2, db2, dW3, db3]


def np_jacobian(W, x):
    y = np.tanh(W @ x)
    return (1.0 - y * y)[:, None] * W
