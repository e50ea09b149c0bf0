"""Every op against NumPy (forward values) and central differences (gradients).

One table, OPS, one line per op: add a line to cover a new op. Each line gives
  name      test id
  fn        tapegrad function of tensors (keyword arguments come from the case)
  ref       the same function in NumPy (None: fn itself applied to ndarrays,
            for operator lambdas such as `a + 0.1`)
  cases     list of (input shapes, kwargs); UNARY/BINARY/... below
  domain    input generator(s) (rng, shape) -> float64 array: one, or one per input
  smooth    False for ops with kinks (no second-order check)
  tol       overrides for tg.test.check_gradients (atol, rtol, eps)

Each case runs: forward values vs NumPy in float64 and float32 (values, dtype,
shape, a tapegrad tensor comes back); first derivatives in float64 in each
available mode (reverse, forward) vs central differences; second derivatives
for smooth ops; float32 gradients (dtype float32, close to float64). Elementwise
ops also run on 0-d tensors (tapegrad's unboxed scalar path) against shape (1,).
"""
import math
import zlib
from functools import partial
from typing import Callable, NamedTuple, Optional

import numpy as np
import pytest

import tapegrad as tg
import tapegrad.test  # noqa: F401  (tg.test, also if __init__ does not import it)

import _conv_ref as conv_ref


# ---------------------------------------------------------------- input domains
def real(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def pos(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


def unit(rng, shape):
    return rng.uniform(0.1, 0.9, shape)


def wide(rng, shape):
    return rng.uniform(-3.0, 8.0, shape)   # both kinks of relu6


def wellcond(rng, shape):
    return rng.uniform(-1.0, 1.0, shape) + 3 * np.eye(shape[-1])


def simplex(rng, shape):
    p = rng.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


def small(rng, shape):
    return rng.uniform(-0.2, 0.2, shape)


def f64(fn):
    """A NumPy reference computed in float64 and returned in the dtype of the input."""
    def ref(*a, **kw):
        return np.asarray(fn(*[np.asarray(x, np.float64) for x in a], **kw)).astype(a[-1].dtype)
    return ref


def np_log_softmax(a, axis=-1):
    m = a.max(axis, keepdims=True)
    return a - m - np.log(np.exp(a - m).sum(axis, keepdims=True))


def np_scan(ufunc, a, axis=0, exclusive=False, reverse=False):
    a = np.flip(a, axis) if reverse else a
    r = ufunc.accumulate(a, axis)
    if exclusive:
        r = np.concatenate([np.full_like(np.take(r, [0], axis), ufunc.identity),
                            np.delete(r, -1, axis)], axis)
    return np.flip(r, axis) if reverse else r


def np_erf(a):
    import math
    return np.vectorize(math.erf, otypes=[np.float64])(a)


# ---------------------------------------------------------------- decompositions: references
def tg_svd(a, full_matrices=False):
    s, u, v = tg.linalg.svd(a, full_matrices=full_matrices)
    n = len(a.shape) - 2
    flat = lambda x: tg.reshape(x, tuple(a.shape[:n]) + (-1,))
    return tg.concat([s, flat(u * u), flat(v * v)], -1)


def np_svd(a, full_matrices=False):
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    flat = lambda x: x.reshape(a.shape[:-2] + (-1,))
    return np.concatenate([s, flat(u * u), flat(np.swapaxes(vh, -1, -2) ** 2)], -1)


def tg_eigh(a):
    e, v = tg.linalg.eigh(a)
    return tg.concat([e, tg.reshape(v * v, tuple(a.shape[:-2]) + (-1,))], -1)


def np_eigh(a):
    e, v = np.linalg.eigh(a)
    return np.concatenate([e, (v * v).reshape(a.shape[:-2] + (-1,))], -1)


def tg_qr(a, **kw):
    q, r = tg.linalg.qr(a, **kw)
    flat = lambda x: tg.reshape(x, tuple(a.shape[:-2]) + (-1,))
    return tg.concat([flat(q), flat(r)], -1)


def np_qr(a, mode='reduced'):
    q, r = np.linalg.qr(a, mode=mode)
    flat = lambda x: x.reshape(a.shape[:-2] + (-1,))
    return np.concatenate([flat(q), flat(r)], -1)


def np_trisolve(a, b, lower=True, adjoint=False):
    t = np.tril(a) if lower else np.triu(a)
    return np.linalg.solve(np.swapaxes(t, -1, -2) if adjoint else t, b)


def np_lstsq(a, b, l2_regularizer=0.0, fast=True):
    at = np.swapaxes(a, -1, -2)
    m, n = a.shape[-2:]
    if m >= n:
        return np.linalg.solve(at @ a + l2_regularizer * np.eye(n), at @ b)
    return at @ np.linalg.solve(a @ at + l2_regularizer * np.eye(m), b)


def small_or_large(rng, shape):
    return rng.uniform(-1.0, 1.0, shape) * (4.0 if shape[-1] == 3 else 0.5)


def np_expm(a):
    """exp(A) = exp(A / 2^8)^(2^8), the inner one by its Taylor series (float64)."""
    x = np.asarray(a, np.float64) / 256.0
    r = term = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    for k in range(1, 20):
        term = term @ x / k
        r = r + term
    for _ in range(8):
        r = r @ r
    return r.astype(a.dtype)


def np_sqrtm(a):
    w, v = np.linalg.eig(np.asarray(a, np.float64))
    r = (v * np.sqrt(w.astype(complex))[..., None, :]) @ np.linalg.inv(v)
    return r.real.astype(a.dtype)


def np_band_part(a, num_lower, num_upper):
    d = np.arange(a.shape[-2])[:, None] - np.arange(a.shape[-1])[None, :]
    keep = ((d <= num_lower) | (num_lower < 0)) & ((-d <= num_upper) | (num_upper < 0))
    return np.where(keep, a, 0).astype(a.dtype)


def np_set_diag(a, d, k=0):
    a = a.copy()
    i = np.arange(d.shape[-1])
    a[..., i + max(-k, 0), i + max(k, 0)] = d
    return a


def tg_clip_global(a, b, clip_norm):
    out, norm = tg.clip_by_global_norm([a, None, b], clip_norm)
    assert out[1] is None
    return tg.concat([tg.reshape(out[0], [-1]), tg.reshape(out[2], [-1]), tg.reshape(norm, [1])], 0)


def np_clip_global(a, b, clip_norm):
    norm = np.sqrt((a * a).sum() + (b * b).sum())
    scale = clip_norm / max(norm, clip_norm)
    return np.concatenate([a.ravel() * scale, b.ravel() * scale, [norm]]).astype(a.dtype)


# ---------------------------------------------------------------- shape cases
def shapes(*shape_lists):
    return [(tuple(s), {}) for s in shape_lists]


UNARY = shapes([(3, 4)], [()], [(5,)], [(2, 3, 2)])
BINARY = shapes([(3, 4), (3, 4)],   # same shape
                [(3, 1), (1, 4)],   # both broadcast
                [(2, 3), (3,)],     # rank promotion, right
                [(3,), (2, 3)],     # rank promotion, left
                [(), (2, 3)],       # scalar with matrix
                [(2, 3), ()],       # matrix with scalar
                [(), ()],           # scalars
                [(4, 1, 3), (2, 1)])
MATMUL = shapes([(2, 3), (3, 4)], [(1, 3), (3, 1)], [(4, 2), (2, 4)], [(2, 2, 3), (2, 3, 4)])
REDUCE = ([((3, 4), {})]
          + [((3, 4), dict(axis=a, keepdims=k))
             for a in (None, 0, 1, -1, (0, 1)) for k in (False, True)]
          + [((2, 3, 4), dict(axis=a, keepdims=k))
             for a in (1, -2, (0, 2), (-1, 0), [0, 1]) for k in (False, True)]
          + [((), dict(axis=None, keepdims=False)), ((5,), dict(axis=0, keepdims=True))])
REDUCE = [((s,), kw) for s, kw in REDUCE]
RESHAPE = [(((3, 4),), dict(shape=s)) for s in ((12,), (2, 6), [4, 3, 1], (-1, 2), (2, -1, 2))] \
    + [(((),), dict(shape=(1, 1))), (((2, 3, 4),), dict(shape=(6, 4))), (((6,),), dict(shape=(2, 3)))]
TRANSPOSE = [(((3, 4),), {}), (((2, 3, 4),), {}), (((3, 4),), dict(perm=[1, 0])),
             (((2, 3, 4),), dict(perm=[0, 2, 1])), (((2, 3, 4),), dict(perm=(2, 0, 1))),
             (((2, 3, 4),), dict(perm=[1, 2, 0]))]

CONV2D = [(((2, 5, 5, 2), (3, 3, 2, 3)), dict(strides=1, padding='SAME')),
          (((1, 6, 5, 2), (3, 2, 2, 2)), dict(strides=[1, 2, 2, 1], padding='VALID', dilations=1)),
          (((1, 5, 5, 2), (2, 2, 2, 2)), dict(strides=2, padding='SAME', dilations=1)),
          (((1, 5, 5, 1), (2, 2, 1, 2)), dict(strides=1, padding='VALID', dilations=2)),
          (((1, 4, 4, 2), (2, 2, 2, 2)), dict(strides=1, padding=[[0, 0], [1, 0], [0, 2], [0, 0]])),
          (((2, 3, 3, 3), (1, 1, 3, 2)), dict(strides=1, padding='VALID'))]
POOL2D = [(((2, 5, 5, 2),), dict(ksize=2, strides=2, padding='SAME')),
          (((1, 6, 6, 2),), dict(ksize=3, strides=2, padding='VALID')),
          (((1, 4, 5, 1),), dict(ksize=[2, 3], strides=1, padding='SAME'))]
NONSCALAR_REDUCE = [c for c in REDUCE if c[0][0] != ()]
SCAN = [(((5,),), dict(axis=0, exclusive=e, reverse=r)) for e in (False, True) for r in (False, True)] \
    + [(((3, 4),), dict(axis=a, exclusive=e, reverse=r)) for a in (0, 1, -1) for e, r in ((False, False), (True, True))]
SOFTMAX = [(((3, 4),), {}), (((3, 4),), dict(axis=0)), (((2, 3, 4),), dict(axis=1)), (((5,),), dict(axis=-1))]
AXES = [(((3, 4),), {}), (((3, 4),), dict(axis=0)), (((3, 4),), dict(axis=-1)), (((2, 3, 4),), dict(axis=[0, 2]))]


# ---------------------------------------------------------------- helpers for operand constants
def _dtype(t):
    """NumPy dtype of an ndarray or a tensor."""
    return np.dtype(getattr(t.dtype, 'as_numpy_dtype', t.dtype))


def like(t, value):
    """A NumPy constant in the dtype of t (float32 runs must not mix in float64)."""
    return np.asarray(value, dtype=_dtype(t))


_C = np.random.default_rng(1234)
C34 = _C.uniform(0.5, 2.0, (3, 4))     # NumPy operands
C43 = _C.uniform(-1.0, 1.0, (4, 3))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Op(NamedTuple):
    name: str
    fn: Callable
    ref: Optional[Callable]
    cases: list
    domain: object = real
    smooth: bool = True
    elementwise: bool = False
    tol: dict = {}


def E(*args, **kw):
    """An elementwise op: also checked on the 0-d scalar path."""
    return Op(*args, elementwise=True, **kw)


# ---------------------------------------------------------------- THE TABLE

# image resizing's op (rules_image.pxi): taps of bilinear's lerp kind along the height,
# of area's masked kind along the width; its NumPy reference is the dense matrices
RESIZE_TH = (np.array([[0, 1], [0, 1], [1, 2], [2, 2]]),
             np.array([[0.75, 0.25], [0.125, 0.875], [0.5, 0.5], [1.0, 0.0]], np.float32), None, True)
RESIZE_TW = (np.array([[0, 1, 1], [1, 2, 3], [3, 4, 4]]),
             np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 1.0], [0.25, 1.0, 0.0]], np.float32),
             np.array([[True, True, False], [True, True, True], [True, True, False]]), False)


def resize_dense(taps, n_in):
    idx, w, valid, _ = taps
    m = np.zeros((idx.shape[0], n_in))
    for o, k in np.ndindex(*idx.shape):
        if valid is None or valid[o, k]:
            m[o, idx[o, k]] += w[o, k]
    return m


def resize_ref(a, factor=1.0):
    out = np.einsum('oh,nhwc,pw->nopc', resize_dense(RESIZE_TH, a.shape[1]), a,
                    resize_dense(RESIZE_TW, a.shape[2])) * factor
    return out.astype(a.dtype)

OPS = [
    # name              tapegrad                                   NumPy reference                  cases  domain
    E('add',            tg.add,                                    np.add,                          BINARY),
    E('subtract',       tg.subtract,                               np.subtract,                     BINARY),
    E('multiply',       tg.multiply,                               np.multiply,                     BINARY),
    E('divide',         tg.divide,                                 np.divide,                       BINARY, (real, nonzero)),
    E('pow',            tg.pow,                                    np.power,                        BINARY, (pos, real)),
    E('math.add',       tg.math.add,                               np.add,                          BINARY),
    E('math.subtract',  tg.math.subtract,                          np.subtract,                     BINARY),
    E('math.multiply',  tg.math.multiply,                          np.multiply,                     BINARY),
    E('math.divide',    tg.math.divide,                            np.divide,                       BINARY, (real, nonzero)),
    E('math.pow',       tg.math.pow,                               np.power,                        BINARY, (pos, real)),
    E('pow(a, 3.0)',    lambda a: tg.pow(a, 3.0),                  lambda a: a ** 3,                UNARY),
    E('pow(a, 1.3)',    lambda a: tg.pow(a, 1.3),                  lambda a: a ** 1.3,              UNARY, pos),
    E('a + b',          lambda a, b: a + b,                        None,                            BINARY),
    E('a - b',          lambda a, b: a - b,                        None,                            BINARY),
    E('a * b',          lambda a, b: a * b,                        None,                            BINARY),
    E('a / b',          lambda a, b: a / b,                        None,                            BINARY, (real, nonzero)),
    E('a ** b',         lambda a, b: a ** b,                       None,                            BINARY, (pos, real)),
    E('-a',             lambda a: -a,                              None,                            UNARY),
    E('a + 0.1',        lambda a: a + 0.1,                         None,                            UNARY),
    E('0.1 + a',        lambda a: 0.1 + a,                         None,                            UNARY),
    E('a - 0.3',        lambda a: a - 0.3,                         None,                            UNARY),
    E('0.3 - a',        lambda a: 0.3 - a,                         None,                            UNARY),
    E('a * 1.1',        lambda a: a * 1.1,                         None,                            UNARY),
    E('3 * a',          lambda a: 3 * a,                           None,                            UNARY),
    E('a / 0.7',        lambda a: a / 0.7,                         None,                            UNARY),
    E('1.7 / a',        lambda a: 1.7 / a,                         None,                            UNARY, nonzero),
    E('a ** 2',         lambda a: a ** 2,                          None,                            UNARY),
    E('a ** 3.0',       lambda a: a ** 3.0,                        None,                            UNARY),
    E('a ** 0.5',       lambda a: a ** 0.5,                        None,                            UNARY, pos),
    E('a ** -1.3',      lambda a: a ** -1.3,                       None,                            UNARY, pos),
    E('2.2 ** a',       lambda a: 2.2 ** a,                        None,                            UNARY),
    E('3 - a',          lambda a: 3 - a,                           None,                            UNARY),
    E('a * a',          lambda a: a * a,                           None,                            UNARY),
    Op('a + ndarray',   lambda a: a + like(a, C34),                None,                            shapes([(3, 4)], [(1, 4)], [()])),
    Op('ndarray + a',   lambda a: like(a, C34) + a,                None,                            shapes([(3, 4)], [(3, 1)], [()])),
    Op('ndarray - a',   lambda a: like(a, C34) - a,                None,                            shapes([(3, 4)], [()])),
    Op('ndarray * a',   lambda a: like(a, C34) * a,                None,                            shapes([(3, 4)], [(4,)], [()])),
    Op('ndarray / a',   lambda a: like(a, C34) / a,                None,                            shapes([(3, 4)], [()]), nonzero),
    Op('a / ndarray',   lambda a: a / like(a, C34),                None,                            shapes([(3, 4)], [()])),
    Op('ndarray ** a',  lambda a: like(a, C34) ** a,               None,                            shapes([(3, 4)], [()])),
    Op('a ** ndarray',  lambda a: a ** like(a, C34),               None,                            shapes([(3, 4)], [()]), pos),
    E('0-d ndarray * a',lambda a: like(a, 1.5) * a,                None,                            UNARY),
    E('a - 0-d ndarray',lambda a: a - like(a, 1.5),                None,                            UNARY),
    Op('matmul',        tg.matmul,                                 np.matmul,                       MATMUL),
    Op('linalg.matmul', tg.linalg.matmul,                          np.matmul,                       MATMUL),
    Op('a @ b',         lambda a, b: a @ b,                        None,                            MATMUL),
    Op('a @ ndarray',   lambda a: a @ like(a, C43),                None,                            shapes([(2, 3, 4)], [(3, 4)])),
    Op('ndarray @ a',   lambda a: like(a, C34) @ a,                None,                            shapes([(4, 2)], [(4, 4)])),
    E('square',         tg.square,                                 np.square,                       UNARY),
    E('math.square',    tg.math.square,                            np.square,                       UNARY),
    E('sqrt',           tg.sqrt,                                   np.sqrt,                         UNARY, pos),
    E('math.sqrt',      tg.math.sqrt,                              np.sqrt,                         UNARY, pos),
    E('exp',            tg.exp,                                    np.exp,                          UNARY),
    E('math.exp',       tg.math.exp,                               np.exp,                          UNARY),
    E('math.log',       tg.math.log,                               np.log,                          UNARY, pos),
    E('tanh',           tg.tanh,                                   np.tanh,                         UNARY),
    E('math.tanh',      tg.math.tanh,                              np.tanh,                         UNARY),
    E('sigmoid',        tg.sigmoid,                                np_sigmoid,                      UNARY),
    E('math.sigmoid',   tg.math.sigmoid,                           np_sigmoid,                      UNARY),
    E('nn.sigmoid',     tg.nn.sigmoid,                             np_sigmoid,                      UNARY),
    Op('reduce_sum',    tg.reduce_sum,                             lambda a, axis=None, keepdims=False: np.sum(a, _axis(axis), keepdims=keepdims),  REDUCE),
    Op('math.reduce_sum', tg.math.reduce_sum,                      lambda a, axis=None, keepdims=False: np.sum(a, _axis(axis), keepdims=keepdims),  REDUCE[:4]),
    Op('reduce_mean',   tg.reduce_mean,                            lambda a, axis=None, keepdims=False: np.mean(a, _axis(axis), keepdims=keepdims), REDUCE),
    Op('math.reduce_mean', tg.math.reduce_mean,                    lambda a, axis=None, keepdims=False: np.mean(a, _axis(axis), keepdims=keepdims), REDUCE[:4]),
    Op('reshape',       lambda a, shape: tg.reshape(a, shape),     lambda a, shape: np.reshape(a, shape),   RESHAPE),
    Op('transpose',     lambda a, perm=None: tg.transpose(a, perm=perm), lambda a, perm=None: np.transpose(a, perm), TRANSPOSE),
    E('cast f64->f32',  lambda a: tg.cast(a, tg.float32),          lambda a: a.astype(np.float32),  UNARY, tol=dict(eps=2.0 ** -6, atol=1e-4)),
    E('cast ->f32->f64', lambda a: tg.cast(tg.cast(a, tg.float32), tg.float64), lambda a: a.astype(np.float32).astype(np.float64), UNARY, tol=dict(eps=2.0 ** -6, atol=1e-4)),
    E('cast f64->f64',  lambda a: tg.cast(a, tg.float64),          lambda a: a.astype(np.float64),  UNARY),
    E('identity',       tg.identity,                               lambda a: a,                     UNARY),
    Op('composite',     lambda a, b: tg.reduce_mean(tg.tanh(a @ b) * tg.sigmoid(b[0]), axis=0), lambda a, b: np.mean(np.tanh(a @ b) * np_sigmoid(b[0]), 0), shapes([(2, 3), (3, 4)])),
    # ---- tg.nn
    Op('nn.softmax',    tg.nn.softmax,                             f64(lambda a, axis=-1: np.exp(np_log_softmax(a, axis))), SOFTMAX),
    Op('nn.log_softmax', tg.nn.log_softmax,                        f64(np_log_softmax),             SOFTMAX),
    Op('math.softmax',  tg.math.softmax,                           f64(lambda a: np.exp(np_log_softmax(a))), shapes([(3, 4)])),
    # labels on the simplex: TensorFlow's logits gradient (softmax - labels) assumes they sum to 1
    Op('nn.softmax_ce', lambda z, x: tg.nn.softmax_cross_entropy_with_logits(z, x), f64(lambda z, x: -(z * np_log_softmax(x)).sum(-1)), shapes([(3, 4), (3, 4)], [(5,), (5,)]), (simplex, real)),
    Op('softmax_ce axis 0', lambda z, x: tg.nn.softmax_cross_entropy_with_logits(tg.transpose(z), x, axis=0), f64(lambda z, x: -(z.T * np_log_softmax(x, 0)).sum(0)), shapes([(4, 3), (3, 4)]), (simplex, real)),
    Op('nn.sparse_softmax_ce', lambda x: tg.nn.sparse_softmax_cross_entropy_with_logits(np.array([0, 3, 1]), x), f64(lambda x: -np_log_softmax(x)[np.arange(3), [0, 3, 1]]), shapes([(3, 4)])),
    Op('nn.sigmoid_ce', lambda z, x: tg.nn.sigmoid_cross_entropy_with_logits(z, x), f64(lambda z, x: np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))), shapes([(3, 4), (3, 4)], [(5,), (5,)]), (pos, nonzero)),
    E('nn.relu6',       tg.nn.relu6,                               lambda a: np.clip(a, 0, 6),      UNARY, wide, smooth=False),
    E('nn.elu',         tg.nn.elu,                                 f64(lambda a: np.where(a < 0, np.expm1(a), a)), UNARY, nonzero, smooth=False),
    E('nn.selu',        tg.nn.selu,                                f64(lambda a: 1.0507009873554805 * np.where(a < 0, 1.6732632423543772 * np.expm1(a), a)), UNARY, nonzero, smooth=False),
    E('nn.leaky_relu',  tg.nn.leaky_relu,                          lambda a: np.where(a > 0, a, a * like(a, 0.2)), UNARY, nonzero, smooth=False),
    E('leaky_relu(0.1)', lambda a: tg.nn.leaky_relu(a, alpha=0.1), lambda a: np.where(a > 0, a, a * like(a, 0.1)), UNARY, nonzero, smooth=False),
    E('nn.gelu',        tg.nn.gelu,                                f64(lambda a: 0.5 * a * (1 + np_erf(a / np.sqrt(2)))), UNARY),
    E('gelu approx',    lambda a: tg.nn.gelu(a, approximate=True), f64(lambda a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a ** 3)))), UNARY),
    E('nn.silu',        tg.nn.silu,                                f64(lambda a: a / (1 + np.exp(-a))), UNARY),
    E('nn.swish',       tg.nn.swish,                               f64(lambda a: a / (1 + np.exp(-a))), UNARY),
    E('nn.softsign',    tg.nn.softsign,                            f64(lambda a: a / (1 + np.abs(a))), UNARY, nonzero),
    Op('nn.l2_loss',    tg.nn.l2_loss,                             f64(lambda a: (a * a).sum() / 2), UNARY),
    Op('nn.moments mean', lambda a, **kw: tg.nn.moments(a, **kw)[0], f64(lambda a, axes, keepdims=False: a.mean(tuple(axes), keepdims=keepdims)), [(((3, 4),), dict(axes=[0])), (((2, 3, 4),), dict(axes=[0, 2], keepdims=True))]),
    Op('nn.moments var', lambda a, **kw: tg.nn.moments(a, **kw)[1], f64(lambda a, axes, keepdims=False: a.var(tuple(axes), keepdims=keepdims)), [(((3, 4),), dict(axes=[0])), (((2, 3, 4),), dict(axes=[0, 2], keepdims=True))],
       smooth=False),  # the mean's gradient is stopped (as TensorFlow): first order only
    Op('nn.dropout',    lambda a: tg.nn.dropout(a, 0.4, seed=3),   lambda a: a * (np.random.default_rng(3).uniform(0, 1, a.shape) >= 0.4) / like(a, 0.6), shapes([(3, 4)], [(5,)])),
    Op('nn.bias_add',   tg.nn.bias_add,                            np.add,                          shapes([(3, 4), (4,)], [(2, 3, 4), (4,)])),
    Op('nn.l2_normalize', tg.nn.l2_normalize,                      f64(lambda a, axis=None: a / np.sqrt((a * a).sum(_axis(axis), keepdims=True))), AXES),
    # ---- convolution and pooling (references: tests/_conv_ref.py, direct loops)
    Op('nn.conv2d',     tg.nn.conv2d,                              conv_ref.conv,                   CONV2D),
    Op('conv2d NCHW',   lambda x, w, **kw: tg.nn.conv2d(tg.transpose(x, [0, 3, 1, 2]), w, data_format='NCHW', **kw), lambda x, w, **kw: conv_ref.conv(x, w, **kw).transpose(0, 3, 1, 2), [CONV2D[0], CONV2D[2]]),
    Op('nn.conv1d',     lambda x, w, strides, padding: tg.nn.conv1d(x, w, strides, padding), conv_ref.conv, [(((2, 6, 2), (3, 2, 3)), dict(strides=2, padding='SAME')), (((1, 5, 2), (2, 2, 2)), dict(strides=1, padding='VALID'))]),
    Op('nn.conv3d',     tg.nn.conv3d,                              conv_ref.conv,                   [(((1, 3, 4, 3, 2), (2, 2, 2, 2, 2)), dict(strides=[1, 1, 2, 1, 1], padding='SAME'))]),
    Op('nn.convolution', tg.nn.convolution,                        conv_ref.conv,                   [(((1, 5, 5, 2), (3, 3, 2, 2)), dict(strides=2, padding='SAME', dilations=1))]),
    Op('conv2d grouped', tg.nn.conv2d,                            conv_ref.conv_grouped,
       [(((1, 5, 5, 4), (3, 3, 2, 6)), dict(strides=2, padding='SAME')), (((2, 4, 4, 6), (2, 2, 2, 3)), dict(strides=1, padding='VALID', dilations=2))]),
    Op('conv1d grouped', lambda x, w: tg.nn.conv1d(x, w, 1, 'SAME'), lambda x, w: conv_ref.conv_grouped(x, w, 1, 'SAME'), shapes([(2, 5, 6), (2, 2, 6)])),
    Op('nn.atrous_conv2d', lambda x, w: tg.nn.atrous_conv2d(x, w, 2, 'SAME'), lambda x, w: conv_ref.conv(x, w, 1, 'SAME', 2), shapes([(1, 5, 5, 2), (2, 2, 2, 2)])),
    Op('nn.depthwise_conv2d', tg.nn.depthwise_conv2d,              lambda x, w, strides, padding: conv_ref.conv(x, w, strides[1:3], padding, 1, True),
       [(((1, 5, 5, 2), (3, 3, 2, 2)), dict(strides=[1, 2, 2, 1], padding='SAME')), (((2, 4, 4, 3), (2, 2, 3, 1)), dict(strides=[1, 1, 1, 1], padding='VALID'))]),
    Op('nn.separable_conv2d', lambda x, d, p: tg.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], 'SAME'), lambda x, d, p: conv_ref.conv(conv_ref.conv(x, d, 1, 'SAME', 1, True), p), shapes([(1, 4, 4, 2), (2, 2, 2, 2), (1, 1, 4, 3)])),
    Op('nn.conv2d_transpose', lambda x, w, **kw: tg.nn.conv2d_transpose(x, w, **kw), conv_ref.conv_transpose,
       [(((1, 3, 3, 3), (3, 3, 2, 3)), dict(output_shape=[1, 5, 5, 2], strides=2, padding='SAME')), (((1, 2, 3, 2), (2, 2, 2, 2)), dict(output_shape=[1, 4, 6, 2], strides=2, padding='VALID'))]),
    Op('nn.conv3d_transpose', lambda x, w: tg.nn.conv3d_transpose(x, w, [1, 3, 4, 3, 2], [1, 2, 2, 2, 1], 'SAME'), lambda x, w: conv_ref.conv_transpose(x, w, (1, 3, 4, 3, 2), 2), shapes([(1, 2, 2, 2, 2), (2, 2, 2, 2, 2)])),
    Op('nn.conv1d_transpose', lambda x, w: tg.nn.conv1d_transpose(x, w, [2, 6, 2], 2), lambda x, w: conv_ref.conv_transpose(x, w, (2, 6, 2), 2), shapes([(2, 3, 3), (3, 2, 3)])),
    Op('nn.max_pool2d', tg.nn.max_pool2d,                          conv_ref.max_pool,               POOL2D, smooth=False),
    Op('nn.max_pool1d', tg.nn.max_pool1d,                          conv_ref.max_pool,               [(((2, 7, 2),), dict(ksize=3, strides=2, padding='SAME'))], smooth=False),
    Op('nn.max_pool3d', tg.nn.max_pool3d,                          conv_ref.max_pool,               [(((1, 3, 4, 4, 2),), dict(ksize=2, strides=2, padding='SAME'))], smooth=False),
    Op('nn.avg_pool2d', tg.nn.avg_pool2d,                          conv_ref.avg_pool,               POOL2D),
    Op('nn.avg_pool1d', tg.nn.avg_pool1d,                          conv_ref.avg_pool,               [(((2, 7, 2),), dict(ksize=3, strides=2, padding='SAME'))]),
    Op('nn.avg_pool',   tg.nn.avg_pool,                            conv_ref.avg_pool,               [(((1, 3, 4, 4, 2),), dict(ksize=2, strides=2, padding='VALID'))]),
    Op('nn.pool max dilated', lambda x: tg.nn.pool(x, [2, 2], 'MAX', dilations=[2, 1]), lambda x: np.maximum.reduce([x[:, i:i + 3, j:j + 4] for i in (0, 2) for j in (0, 1)]), shapes([(1, 5, 5, 2)]), smooth=False),
    Op('nn.batch_normalization', lambda x, m, v, o, s: tg.nn.batch_normalization(x, m, v, o, s, 0.01), lambda x, m, v, o, s: (x - m) * s / np.sqrt(v + like(x, 0.01)) + o, shapes([(2, 3, 4), (4,), (4,), (4,), (4,)]), (real, real, pos, real, real)),
    Op('nn.fused_batch_norm', lambda x, s, o: tg.nn.fused_batch_norm(x, s, o)[0], f64(lambda x, s, o: (x - x.mean((0, 1, 2))) * s / np.sqrt(x.var((0, 1, 2)) + 0.001) + o), shapes([(2, 2, 3, 3), (3,), (3,)])),
    Op('nn.local_response_normalization', lambda x: tg.nn.local_response_normalization(x, 2, 1.0, 0.3, 0.75), f64(lambda x: x / (1 + 0.3 * np.stack([(np.pad(x * x, [(0, 0)] * 3 + [(2, 2)])[..., i:i + 2 + 3]).sum(-1) for i in range(5)], -1)) ** 0.75), shapes([(1, 2, 2, 5)])),
    # ---- elementwise and n-ary math
    E('math.erf',       tg.math.erf,                               f64(np_erf),                     UNARY),
    E('maximum',        tg.maximum,                                np.maximum,                      BINARY, smooth=False),
    E('minimum',        tg.minimum,                                np.minimum,                      BINARY, smooth=False),
    E('divide_no_nan',  tg.math.divide_no_nan,                     np.divide,                       BINARY, (real, nonzero)),
    E('math.log1p',     tg.math.log1p,                             np.log1p,                        UNARY, pos),
    E('math.softplus',  tg.math.softplus,                          f64(lambda a: np.log1p(np.exp(a))), UNARY),
    E('math.log_sigmoid', tg.math.log_sigmoid,                     f64(lambda a: -np.log1p(np.exp(-a))), UNARY),
    Op('add_n',         lambda a, b, c: tg.add_n([a, b, c]),       lambda a, b, c: a + b + c,       shapes([(3, 4)] * 3, [()] * 3)),
    Op('clip_by_value', lambda a, lo, hi: tg.clip_by_value(a, lo, hi), lambda a, lo, hi: np.minimum(np.maximum(a, lo), hi), shapes([(3, 4), (), ()], [(3, 4), (4,), (3, 1)]), (real, lambda r, s: r.uniform(-1.5, -0.5, s), lambda r, s: r.uniform(0.5, 1.5, s)), smooth=False),
    Op('clip_by_norm',  lambda a, **kw: tg.clip_by_norm(a, 1.5, **kw), f64(lambda a, axes=None: a * 1.5 / np.maximum(np.sqrt((a * a).sum(_axis(axes), keepdims=True)), 1.5)), [(((3, 4),), {}), (((3, 4),), dict(axes=[1])), (((2, 3),), {})], smooth=False),
    Op('clip_by_norm small', lambda a: tg.clip_by_norm(a, 1.5),    lambda a: a,                     shapes([(3, 4)]), small),
    # ---- reductions and scans
    Op('reduce_max',    tg.reduce_max,                             lambda a, axis=None, keepdims=False: np.max(a, _axis(axis), keepdims=keepdims), REDUCE),
    Op('reduce_min',    tg.math.reduce_min,                        lambda a, axis=None, keepdims=False: np.min(a, _axis(axis), keepdims=keepdims), REDUCE),
    Op('reduce_prod',   tg.reduce_prod,                            f64(lambda a, axis=None, keepdims=False: np.prod(a, _axis(axis), keepdims=keepdims)), REDUCE, nonzero),
    Op('reduce_logsumexp', tg.reduce_logsumexp,                    f64(lambda a, axis=None, keepdims=False: np.log(np.exp(a).sum(_axis(axis), keepdims=keepdims))), REDUCE),
    Op('reduce_variance', tg.math.reduce_variance,                 f64(lambda a, axis=None, keepdims=False: np.var(a, _axis(axis), keepdims=keepdims)), NONSCALAR_REDUCE),
    Op('reduce_std',    tg.math.reduce_std,                        f64(lambda a, axis=None, keepdims=False: np.std(a, _axis(axis), keepdims=keepdims)), NONSCALAR_REDUCE),
    Op('reduce_euclidean_norm', tg.math.reduce_euclidean_norm,     f64(lambda a, axis=None, keepdims=False: np.sqrt((a * a).sum(_axis(axis), keepdims=keepdims))), REDUCE, nonzero),
    Op('cumsum',        tg.cumsum,                                 lambda a, **kw: np_scan(np.add, a, **kw), SCAN),
    Op('cumprod',       tg.math.cumprod,                           f64(lambda a, **kw: np_scan(np.multiply, a, **kw)), SCAN, nonzero),
    # ---- shapes and indexing
    Op('expand_dims',   tg.expand_dims,                            np.expand_dims,                  [(((3, 4),), dict(axis=a)) for a in (0, 1, 2, -1, -3)]),
    Op('squeeze',       tg.squeeze,                                lambda a, axis=None: np.squeeze(a, _axis(axis)),                      [(((1, 3, 1),), {}), (((1, 3, 1),), dict(axis=0)), (((1, 3, 1),), dict(axis=[-1]))]),
    Op('unstack',       lambda a, axis: tg.unstack(a, axis=axis)[1], lambda a, axis: np.take(a, 1, axis), [(((3, 4),), dict(axis=0)), (((2, 3, 4),), dict(axis=-1))]),
    Op('split',         lambda a, n, axis: tg.split(a, n, axis)[1], lambda a, n, axis: np.split(a, np.cumsum(n)[:-1] if isinstance(n, list) else n, axis)[1], [(((4, 6),), dict(n=2, axis=0)), (((4, 6),), dict(n=[1, 3, 2], axis=1))]),
    Op('split -1',      lambda a: tg.split(a, [1, -1], 1)[1],      lambda a: a[:, 1:],              shapes([(3, 4)])),
    Op('stack',         lambda a, b, axis: tg.stack([a, b], axis), lambda a, b, axis: np.stack([a, b], axis), [(((3, 4), (3, 4)), dict(axis=a)) for a in (0, 1, -1)]),
    Op('concat',        lambda a, b, axis: tg.concat([a, b], axis), lambda a, b, axis: np.concatenate([a, b], axis), [(((3, 4), (2, 4)), dict(axis=0)), (((3, 4), (3, 1)), dict(axis=-1))]),
    Op('tile',          tg.tile,                                   lambda a, multiples: np.tile(a, multiples),                       [(((3, 4),), dict(multiples=[2, 1])), (((2, 3),), dict(multiples=(2, 3))), (((3,),), dict(multiples=[1]))]),
    Op('pad',           tg.pad,                                    lambda a, paddings, mode='CONSTANT', constant_values=0: np.pad(a, paddings, mode=mode.lower(), **({'constant_values': constant_values} if mode == 'CONSTANT' else {})),
       [(((3, 4),), dict(paddings=[[1, 2], [0, 1]])), (((3, 4),), dict(paddings=[[1, 0], [2, 2]], constant_values=1.5)),
        (((3, 4),), dict(paddings=[[2, 1], [3, 3]], mode='REFLECT')), (((3, 4),), dict(paddings=[[3, 1], [4, 2]], mode='SYMMETRIC'))]),
    Op('reverse',       tg.reverse,                                lambda a, axis: np.flip(a, tuple(axis)), [(((3, 4),), dict(axis=[0])), (((2, 3, 4),), dict(axis=[0, -1]))]),
    Op('gather',        lambda a, **kw: tg.gather(a, np.array([2, 0, 2]), **kw), lambda a, axis=0: np.take(a, [2, 0, 2], axis), [(((3, 4),), {}), (((3, 4),), dict(axis=1)), (((4, 3, 2),), dict(axis=-2))]),
    Op('gather 2-d idx', lambda a: tg.gather(a, np.array([[1, 1], [0, 3]]), axis=1), lambda a: np.take(a, [[1, 1], [0, 3]], 1), shapes([(3, 4)])),
    Op('gather batch_dims', lambda a: tg.gather(a, np.array([[0, 3], [1, 1]]), axis=2, batch_dims=1), lambda a: np.stack([a[b][:, [[0, 3], [1, 1]][b]] for b in range(2)]), shapes([(2, 3, 4)])),
    Op('gather_nd',     lambda a: tg.gather_nd(a, np.array([[1, 2], [0, 0], [1, 2]])), lambda a: a[[1, 0, 1], [2, 0, 2]], shapes([(2, 3)], [(2, 3, 4)])),
    Op('gather_nd batch', lambda a: tg.gather_nd(a, np.array([[1], [0]]), batch_dims=1), lambda a: a[[0, 1], [1, 0]], shapes([(2, 3, 4)])),
    Op('boolean_mask',  lambda a, **kw: tg.boolean_mask(a, np.array([True, False, True]), **kw), lambda a, axis=0: np.compress([True, False, True], a, axis), [(((3, 4),), {}), (((2, 3),), dict(axis=1))]),
    Op('scatter_nd_update', lambda a, u: tg.tensor_scatter_nd_update(a, np.array([[0, 1], [2, 3]]), u), lambda a, u: _np_scatter(a, u, False), shapes([(3, 4), (2,)])),
    Op('scatter_nd_add', lambda a, u: tg.tensor_scatter_nd_add(a, np.array([[1], [1]]), u), lambda a, u: _np_scatter(a, u, True), shapes([(3, 4), (2, 4)])),
    # ---- sorting, segments, scatters, slicing (ops_select.pxi)
    Op('sort',          tg.sort,                                   lambda a, axis=-1, direction='ASCENDING': np.sort(a, axis) if direction == 'ASCENDING' else -np.sort(-a, axis), [(((5,),), {}), (((3, 4),), dict(axis=0)), (((2, 3, 4),), dict(direction='DESCENDING'))], smooth=False),
    Op('math.top_k',    lambda a, k: tg.math.top_k(a, k).values,   lambda a, k: -np.sort(-a, -1)[..., :k], [(((5,),), dict(k=2)), (((3, 4),), dict(k=3))], smooth=False),
    Op('segment_sum',   lambda a: tg.math.segment_sum(a, np.array([0, 0, 2, 2])), lambda a: _np_seg(np.add, a, [0, 0, 2, 2], 3, 0), shapes([(4,)], [(4, 3)])),
    Op('segment_mean',  lambda a: tg.math.segment_mean(a, np.array([0, 1, 1, 1])), lambda a: _np_seg(np.add, a, [0, 1, 1, 1], 2, 0) / like(a, [1, 3]).reshape((2,) + (1,) * (a.ndim - 1)), shapes([(4,)], [(4, 3)])),
    Op('segment_max',   lambda a: tg.math.segment_max(a, np.array([0, 0, 2, 2])), lambda a: _np_seg(np.maximum, a, [0, 0, 2, 2], 3, 0, empty=0), shapes([(4,)], [(4, 3)]), smooth=False),
    Op('segment_min',   lambda a: tg.math.segment_min(a, np.array([0, 0, 2, 2])), lambda a: _np_seg(np.minimum, a, [0, 0, 2, 2], 3, 0, empty=0), shapes([(4,)], [(4, 3)]), smooth=False),
    Op('segment_prod',  lambda a: tg.math.segment_prod(a, np.array([0, 0, 0, 2])), lambda a: _np_seg(np.multiply, a, [0, 0, 0, 2], 3, 1), shapes([(4,)], [(4, 3)])),
    Op('unsorted_segment_sum', lambda a: tg.math.unsorted_segment_sum(a, np.array([2, -1, 0, 2]), 4), lambda a: _np_seg(np.add, a[[0, 2, 3]], [2, 0, 2], 4, 0), shapes([(4,)], [(4, 3)])),
    Op('unsorted_segment_sum 2-d ids', lambda a: tg.math.unsorted_segment_sum(a, np.array([[1, 0], [1, 1]]), 2), lambda a: _np_seg(np.add, a.reshape((4,) + a.shape[2:]), [1, 0, 1, 1], 2, 0), shapes([(2, 2)], [(2, 2, 3)])),
    Op('unsorted_segment_mean', lambda a: tg.math.unsorted_segment_mean(a, np.array([1, 1, 0, 1]), 3), lambda a: _np_seg(np.add, a, [1, 1, 0, 1], 3, 0) / like(a, [1, 3, 1]).reshape((3,) + (1,) * (a.ndim - 1)), shapes([(4,)], [(4, 3)])),
    Op('unsorted_segment_sqrt_n', lambda a: tg.math.unsorted_segment_sqrt_n(a, np.array([1, 1, 0, 1]), 2), lambda a: _np_seg(np.add, a, [1, 1, 0, 1], 2, 0) / np.sqrt(like(a, [1, 3])).reshape((2,) + (1,) * (a.ndim - 1)), shapes([(4,)], [(4, 3)])),
    Op('unsorted_segment_max', lambda a: tg.math.unsorted_segment_max(a, np.array([1, 0, 1, 1]), 2), lambda a: _np_seg(np.maximum, a, [1, 0, 1, 1], 2, 0), shapes([(4,)], [(4, 3)]), smooth=False),
    Op('unsorted_segment_min', lambda a: tg.math.unsorted_segment_min(a, np.array([1, 0, 1, 1]), 2), lambda a: _np_seg(np.minimum, a, [1, 0, 1, 1], 2, 0), shapes([(4,)], [(4, 3)]), smooth=False),
    Op('unsorted_segment_prod', lambda a: tg.math.unsorted_segment_prod(a, np.array([1, 0, 1, 1]), 3), lambda a: _np_seg(np.multiply, a, [1, 0, 1, 1], 3, 1), shapes([(4,)], [(4, 3)])),
    Op('scatter_nd',    lambda u: tg.scatter_nd(np.array([[1], [3], [1]]), u, [5]), lambda u: _np_seg(np.add, u, [1, 3, 1], 5, 0), shapes([(3,)])),
    Op('scatter_nd_sub', lambda a, u: tg.tensor_scatter_nd_sub(a, np.array([[1], [1]]), u), lambda a, u: _np_scatter(a, -u, True), shapes([(3, 4), (2, 4)])),
    Op('scatter_nd_max', lambda a, u: tg.tensor_scatter_nd_max(a, np.array([[0, 1], [2, 3], [0, 1]]), u), lambda a, u: _np_scatter_ext(np.maximum, a, u), shapes([(3, 4), (3,)]), smooth=False),
    Op('scatter_nd_min', lambda a, u: tg.tensor_scatter_nd_min(a, np.array([[0, 1], [2, 3], [0, 1]]), u), lambda a, u: _np_scatter_ext(np.minimum, a, u), shapes([(3, 4), (3,)]), smooth=False),
    Op('nn.embedding_lookup', lambda a: tg.nn.embedding_lookup(a, np.array([[2, 0], [2, 1]])), lambda a: a[[[2, 0], [2, 1]]], shapes([(3, 4)])),
    Op('embedding_lookup shards', lambda a, b: tg.nn.embedding_lookup([a, b], np.array([2, 0, 1])), lambda a, b: np.concatenate([a, b])[[2, 0, 1]], shapes([(2, 4), (1, 4)])),
    Op('slice',         lambda a, b, s: tg.slice(a, b, s),         lambda a, b, s: a[1:3, 1:],      [(((3, 4),), dict(b=[1, 1], s=[2, -1]))]),
    Op('strided_slice', lambda a, **kw: tg.strided_slice(a, **kw), lambda a, **kw: a[1, :, 1::2],   [(((2, 3, 4),), dict(begin=[1, 5, 1], end=[2, 3, 4], strides=[1, 1, 2], begin_mask=2, shrink_axis_mask=1))]),
    Op('strided_slice masks', lambda a, **kw: tg.strided_slice(a, **kw), lambda a, **kw: a[..., None, 2:0:-1], [(((2, 3, 4),), dict(begin=[0, 0, 2], end=[0, 0, 0], strides=[1, 1, -1], ellipsis_mask=1, new_axis_mask=2))]),
    Op('repeat',        tg.repeat,                                 lambda a, repeats, axis=None: np.repeat(a, repeats, axis), [(((3, 4),), dict(repeats=[1, 0, 2], axis=0)), (((3, 4),), dict(repeats=2)), (((2, 3),), dict(repeats=3, axis=-1))]),
    Op('roll',          tg.roll,                                   lambda a, shift, axis: np.roll(a, shift, axis), [(((5,),), dict(shift=2, axis=0)), (((3, 4),), dict(shift=[1, -1], axis=[1, 0])), (((3, 4),), dict(shift=[1, 2], axis=[1, 1]))]),
    Op('meshgrid',      lambda a, b, **kw: tg.meshgrid(a, b, **kw)[0] * 2 + tg.meshgrid(a, b, **kw)[1], lambda a, b, **kw: np.meshgrid(a, b, **kw)[0] * 2 + np.meshgrid(a, b, **kw)[1], [(((3,), (2,)), {}), (((3,), (2,)), dict(indexing='ij'))]),
    Op('image.flip_left_right', tg.image.flip_left_right,           lambda a: a[..., ::-1, :],       shapes([(3, 4, 2)], [(2, 3, 4, 1)])),
    Op('image.flip_up_down', tg.image.flip_up_down,                 lambda a: a[..., ::-1, :, :],    shapes([(3, 4, 2)], [(2, 3, 4, 1)])),
    Op('image.resize nearest', lambda a: tg.image.resize(a, [5, 3], method='nearest'), lambda a: a[..., [0, 1, 2, 2, 3], :, :][..., [0, 2, 4], :], shapes([(4, 5, 2)], [(2, 4, 5, 1)])),
    Op('image resize op',  lambda a: tg._tape.resize_taps(a, RESIZE_TH, RESIZE_TW, 'wh', None), resize_ref, shapes([(2, 3, 5, 2)])),
    Op('image resize op, factor', lambda a: tg._tape.resize_taps(a, RESIZE_TH, RESIZE_TW, 'wh', np.float32(0.5)), lambda a: resize_ref(a, 0.5), shapes([(1, 3, 5, 1)])),
    Op('getitem',       lambda a, key: a[key],                     lambda a, key: a[key],           [(((3, 4),), dict(key=k)) for k in (1, -1, (slice(None), 2), (Ellipsis, None, slice(1, None, 2)), (slice(None, None, -1), 0))]
                                                                                                     + [(((3, 4),), dict(key=np.array([2, 0, 2]))), (((3, 4),), dict(key=(np.array([0, 0]), np.array([1, 1]))))]),
    Op('linspace',      lambda a, b: tg.linspace(a, b, 5),         lambda a, b: np.linspace(a, b, 5), shapes([(), ()], [(2,), (2,)])),
    Op('where',         lambda a, b: tg.where(np.array([True, False, True]), a, b), lambda a, b: np.where([True, False, True], a, b), shapes([(3,), (3,)], [(2, 3), ()])),
    # ---- linear algebra
    Op('linalg.matvec', tg.linalg.matvec,                          lambda a, b: np.einsum('...ij,...j->...i', a, b),             shapes([(3, 4), (4,)], [(2, 3, 4), (2, 4)])),
    Op('einsum',        lambda *x, eq: tg.einsum(eq, *x),          lambda *x, eq: np.einsum(eq, *x),
       [(((2, 3), (3, 4)), dict(eq='ij,jk->ik')), (((3, 3),), dict(eq='ii->')), (((3, 3),), dict(eq='ii->i')), (((2, 3),), dict(eq='ij->')),
        (((2, 3, 4),), dict(eq='ijk->kji')), (((2, 3), (2, 3)), dict(eq='ij,ij->ij')), (((3,), (3,)), dict(eq='i,i')), (((2, 3), (3, 4)), dict(eq='ij,jk')),
        (((2, 2, 3), (2, 3, 4)), dict(eq='bij,bjk->bik')), (((2, 2, 3), (3, 4)), dict(eq='...ij,jk->...ik')), (((2, 1, 3), (4, 3)), dict(eq='...j,...j->...')),
        (((3,), (4,)), dict(eq='i,j->ij')), (((2, 3), (3,), (3, 4)), dict(eq='ij,j,jk->ik')), (((2, 3),), dict(eq='ij->ji'))]),
    Op('tensordot',     lambda a, b, axes: tg.tensordot(a, b, axes), lambda a, b, axes: np.tensordot(a, b, axes),
       [(((2, 3), (3, 4)), dict(axes=1)), (((2, 3, 4), (4, 3)), dict(axes=[[1, 2], [1, 0]])), (((2,), (3,)), dict(axes=0))]),
    Op('norm',          tg.norm,                                   lambda a, ord='euclidean', axis=None: np.linalg.norm(a if axis is not None else a.ravel(), None if ord in ('euclidean', 'fro') else ord, _axis(axis)),
       [(((3, 4),), {}), (((3, 4),), dict(axis=1)), (((3, 4),), dict(ord=1)), (((3, 4),), dict(ord=np.inf, axis=0)), (((3, 4),), dict(ord='fro', axis=[0, 1])),
        (((3, 4),), dict(ord=1, axis=[0, 1])), (((2, 3, 4),), dict(ord=np.inf, axis=[-2, -1])), (((5,),), dict(ord=3))], nonzero, smooth=False),
    Op('linalg.trace',  tg.linalg.trace,                           lambda a: np.trace(a, axis1=-2, axis2=-1), shapes([(3, 3)], [(2, 3, 4)])),
    Op('linalg.diag',   tg.linalg.diag,                            lambda a: a[..., None] * np.eye(a.shape[-1], dtype=a.dtype), shapes([(3,)], [(2, 3)])),
    Op('linalg.diag_part', tg.linalg.diag_part,                    lambda a: np.diagonal(a, 0, -2, -1), shapes([(3, 3)], [(2, 3, 4)])),
    Op('diag_part k',   lambda a, **kw: tg.linalg.diag_part(a, **kw), lambda a, k: np.diagonal(a, k, -2, -1), [(((3, 4),), dict(k=1)), (((2, 3, 4),), dict(k=-1))]),
    Op('diag_part k pair', lambda a: tg.linalg.diag_part(a, k=(-1, 1), padding_value=0.5), lambda a: np.stack([np.diagonal(a, 1), np.diagonal(a, 0), np.append(np.diagonal(a, -1), like(a, 0.5))]), shapes([(3, 4)])),
    Op('diag k',        lambda a: tg.linalg.diag(a, k=1),          lambda a: np.diag(a, 1),         shapes([(3,)])),
    Op('diag k pair',   lambda a: tg.linalg.diag(a, k=(0, 1)),     lambda a: np.diag(a[1]) + np.diag(a[0, 1:], 1), shapes([(2, 3)])),
    Op('norm ord 2',    lambda a: tg.norm(a, ord=2, axis=[-2, -1]), lambda a: np.linalg.norm(a, 2, axis=(-2, -1)), shapes([(3, 4)], [(2, 3, 3)], [(4, 3)])),
    Op('linalg.norm ord 2', lambda a: tg.linalg.norm(a, ord=2, axis=[0, 2]), lambda a: np.linalg.norm(a, 2, axis=(0, 2)), shapes([(3, 2, 4)])),
    E('math.floormod',  tg.math.floormod,                          np.mod,                          BINARY, (lambda r, s: r.uniform(0.1, 0.9, s) + r.integers(-3, 3, s), lambda r, s: r.choice([-1.0, 1.0], s) * 1.0)),
    Op('linalg.inv',    tg.linalg.inv,                             np.linalg.inv,                   shapes([(3, 3)], [(2, 2, 2)]), wellcond),
    Op('linalg.det',    tg.linalg.det,                             np.linalg.det,                   shapes([(3, 3)], [(2, 2, 2)]), wellcond),
    Op('linalg.slogdet', lambda a: tg.linalg.slogdet(a)[1],        lambda a: np.linalg.slogdet(a)[1], shapes([(3, 3)], [(2, 2, 2)]), lambda r, s: -wellcond(r, s)),
    Op('linalg.solve',  tg.linalg.solve,                           np.linalg.solve,                 shapes([(3, 3), (3, 2)], [(2, 2, 2), (2, 2, 1)]), (wellcond, real)),
    Op('solve adjoint', lambda a, b: tg.linalg.solve(a, b, adjoint=True), lambda a, b: np.linalg.solve(np.swapaxes(a, -1, -2), b), shapes([(3, 3), (3, 2)]), (wellcond, real)),
    Op('linalg.cholesky', lambda a: tg.linalg.cholesky(tg.matmul(a, a, transpose_b=True)), lambda a: np.linalg.cholesky(a @ np.swapaxes(a, -1, -2)), shapes([(3, 3)], [(2, 2, 2)]), wellcond),
    # ---- decompositions (factors whose sign is free enter squared) and matrix functions
    Op('linalg.svd',    tg_svd,                                    np_svd,                          shapes([(3, 2)], [(2, 3)], [(3, 3)], [(2, 3, 2)])),
    Op('svd full',      lambda a: tg_svd(a, full_matrices=True),   lambda a: np_svd(a, True),       shapes([(3, 2)], [(2, 3)], [(2, 4, 3)])),
    Op('svd compute_uv=False', lambda a: tg.linalg.svd(a, compute_uv=False), lambda a: np.linalg.svd(a, compute_uv=False), shapes([(3, 2)], [(2, 2, 3)])),
    Op('linalg.eigh',   tg_eigh,                                   np_eigh,                         shapes([(3, 3)], [(2, 2, 2)])),
    Op('linalg.eigvalsh', tg.linalg.eigvalsh,                      np.linalg.eigvalsh,              shapes([(3, 3)], [(2, 4, 4)])),
    Op('linalg.qr',     tg_qr,                                     np_qr,                           shapes([(3, 2)], [(3, 3)], [(2, 3)], [(2, 4, 3)])),
    Op('qr full',       lambda a: tg_qr(a, full_matrices=True),    lambda a: np_qr(a, 'complete'),  shapes([(2, 3)], [(3, 3)])),
    Op('linalg.triangular_solve', tg.linalg.triangular_solve,      np_trisolve,
       [(((3, 3), (3, 2)), {}), (((3, 3), (3, 2)), dict(lower=False)), (((3, 3), (3, 1)), dict(adjoint=True)),
        (((2, 3, 3), (2, 3, 2)), dict(lower=False, adjoint=True)), (((3, 3), (2, 3, 2)), {})], (wellcond, real)),
    Op('linalg.cholesky_solve', tg.linalg.cholesky_solve,          lambda l, b: np.linalg.solve(np.tril(l) @ np.swapaxes(np.tril(l), -1, -2), b), shapes([(3, 3), (3, 2)], [(2, 2, 2), (2, 2, 1)]), (wellcond, real)),
    Op('linalg.logdet', lambda a: tg.linalg.logdet(tg.matmul(a, a, transpose_b=True)), lambda a: np.linalg.slogdet(a @ np.swapaxes(a, -1, -2))[1], shapes([(3, 3)], [(2, 2, 2)]), wellcond),
    Op('linalg.lstsq',  tg.linalg.lstsq,                           f64(np_lstsq),
       [(((4, 2), (4, 1)), {}), (((2, 3), (2, 2)), {}), (((4, 2), (4, 2)), dict(l2_regularizer=0.3)), (((2, 3), (2, 1)), dict(l2_regularizer=0.3)),
        (((4, 2), (4, 1)), dict(fast=False)), (((2, 3), (2, 1)), dict(fast=False)), (((2, 3, 2), (2, 3, 1)), {})]),
    Op('linalg.pinv',   tg.linalg.pinv,                            np.linalg.pinv,                  shapes([(3, 2)], [(2, 3)], [(2, 3, 3)])),
    Op('linalg.expm',   tg.linalg.expm,                            np_expm,                         shapes([(3, 3)], [(2, 2, 2)], [(1, 1)]), small_or_large),
    Op('linalg.sqrtm',  tg.linalg.sqrtm,                           np_sqrtm,                        shapes([(3, 3)], [(2, 2, 2)]), wellcond),
    Op('linalg.band_part', tg.linalg.band_part,                    np_band_part,                    [(((4, 4),), dict(num_lower=1, num_upper=-1)), (((3, 4),), dict(num_lower=0, num_upper=1)), (((2, 3, 3),), dict(num_lower=-1, num_upper=0))]),
    Op('linalg.set_diag', tg.linalg.set_diag,                      np_set_diag,                     [(((3, 4), (3,)), {}), (((3, 4), (3,)), dict(k=1)), (((3, 4), (2,)), dict(k=-1)), (((2, 3, 3), (2, 3)), {})]),
    Op('linalg.cross',  tg.linalg.cross,                           np.cross,                        shapes([(3,), (3,)], [(2, 3), (2, 3)])),
    Op('linalg.global_norm', lambda a, b: tg.linalg.global_norm([a, None, b]), lambda a, b: np.sqrt((a * a).sum() + (b * b).sum()), shapes([(3, 4), (2,)], [(), (5,)]), nonzero),
    Op('clip_by_global_norm', tg_clip_global, np_clip_global,   [(((3, 4), (2,)), dict(clip_norm=1.5)), (((3, 4), (2,)), dict(clip_norm=100.0))], nonzero),
    # ---- special functions
    E('math.lgamma',    tg.math.lgamma,                            f64(np.vectorize(math.lgamma)),  UNARY, pos),
    E('lgamma <0',      tg.math.lgamma,                            f64(np.vectorize(math.lgamma)),  UNARY, lambda r, s: -pos(r, s) + 0.25 * (r.uniform(0, 1, s) > 2)),
    E('math.digamma',   tg.math.digamma,                           None,                            UNARY, pos),
    E('polygamma(2, x)', lambda x: tg.math.polygamma(like(x, 2.0), x), None,                        UNARY, pos),
    E('zeta(3, q)',     lambda q: tg.math.zeta(like(q, 3.0), q),   None,                            UNARY, pos),
    # incomplete gamma and beta (values against mpmath in test_incomplete_gamma_beta.py);
    # d/da is IgammaGradA, which has no derivative of its own (TF's): first order in a
    Op('math.igamma',   tg.math.igamma,                            None,                            shapes([(3, 4), (3, 4)], [(3, 1), (4,)]), (pos, pos), smooth=False),
    Op('math.igammac',  tg.math.igammac,                           None,                            shapes([(3, 4), (3, 4)], [(), (2, 3)]), (pos, pos), smooth=False),
    E('igamma(1.7, x)', lambda x: tg.math.igamma(like(x, 1.7), x), None,                            UNARY, pos),
    E('igammac(0.6, x)', lambda x: tg.math.igammac(like(x, 0.6), x), None,                          UNARY, pos),
    Op('betainc(1.5, 2.5, x)', lambda x: tg.math.betainc(like(x, 1.5), like(x, 2.5), x), None,     shapes([(3, 4)], [()]), unit),
    E('math.erfc',      tg.math.erfc,                              f64(np.vectorize(math.erfc)),    UNARY),
    E('math.erfinv',    tg.math.erfinv,                            None,                            UNARY, lambda r, s: r.uniform(-0.9, 0.9, s)),
    E('math.ndtri',     tg.math.ndtri,                             None,                            UNARY, lambda r, s: r.uniform(0.05, 0.95, s)),
    E('math.log_ndtr',  tg.math.log_ndtr,                          f64(np.vectorize(lambda x: math.log(0.5 * math.erfc(-x / math.sqrt(2))))), UNARY, lambda r, s: r.uniform(-6, 4, s)),
    E('math.bessel_i0', tg.math.bessel_i0,                         f64(np.i0),                      UNARY),
    E('math.bessel_i0e', tg.math.bessel_i0e,                       f64(lambda a: np.i0(a) * np.exp(-np.abs(a))), UNARY, nonzero),
    E('math.bessel_i1', tg.math.bessel_i1,                         None,                            UNARY),
    E('math.bessel_i1e', tg.math.special.bessel_i1e,               None,                            UNARY, nonzero),
    E('math.softsign',  tg.math.softsign,                          lambda a: a / (1 + np.abs(a)),   UNARY, nonzero),
    E('math.xlog1py',   tg.math.xlog1py,                           lambda a, b: a * np.log1p(b),    BINARY, (real, pos)),
    E('math.multiply_no_nan', tg.math.multiply_no_nan,             np.multiply,                     BINARY),
    Op('math.lbeta',    tg.math.lbeta,                             f64(lambda a: np.vectorize(math.lgamma)(a).sum(-1) - np.vectorize(math.lgamma)(a.sum(-1))), shapes([(3, 4)], [(2,)]), pos),
]


def _np_scatter(a, u, add):
    a = a.copy()
    if add:
        a[1] += u[0] + u[1]
    else:
        a[0, 1], a[2, 3] = u
    return a


def _np_seg(ufunc, a, ids, num, init, empty=None):
    """A segment reduction in NumPy: ufunc.at into a filled array; empty segments get
    `empty` (or keep init)."""
    out = np.full((num,) + a.shape[1:], init, a.dtype)
    if init == 0 and ufunc is not np.add:
        out[:] = -np.inf if ufunc is np.maximum else np.inf
    ufunc.at(out, np.asarray(ids), a)
    if empty is not None:
        out[np.bincount(ids, minlength=num) == 0] = empty
    return out


def _np_scatter_ext(ufunc, a, u):
    a = a.copy()
    ufunc.at(a, (np.array([0, 2, 0]), np.array([1, 3, 1])), u)
    return a


# ---------------------------------------------------------------- expansion into test cases
def _case_id(op, shp, kw):
    s = op.name + '-' + 'x'.join(str(list(x)).replace(' ', '') for x in shp)
    if kw:
        s += '-' + ','.join('%s=%s' % (k, str(v).replace(' ', '')) for k, v in kw.items())
    return s


CASES = [pytest.param(op, shp, kw, id=_case_id(op, shp, kw)) for op in OPS for shp, kw in op.cases]
SMOOTH = [c for c in CASES if c.values[0].smooth]
ELEMENTWISE = [pytest.param(op, id=op.name) for op in OPS if op.elementwise]
_fa = getattr(getattr(tg, 'autodiff', None), 'ForwardAccumulator', None)
MODES = ('rev', 'fwd') if _fa is not None else ('rev',)


def make_inputs(op, shp, kw, dtype=np.float64):
    rng = np.random.default_rng(zlib.crc32(_case_id(op, shp, kw).encode()))
    doms = op.domain if isinstance(op.domain, tuple) else (op.domain,) * len(shp)
    return [np.asarray(d(rng, s)).astype(dtype) for d, s in zip(doms, shp)]


def ref_fn(op):
    return op.ref or op.fn


def _tols(dtype):
    return dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-6)


# ---------------------------------------------------------------- tests
@pytest.mark.parametrize('dtype', [np.float64, np.float32])
@pytest.mark.parametrize('op, shp, kw', CASES)
def test_forward_values(op, shp, kw, dtype):
    args = make_inputs(op, shp, kw, dtype)
    y = op.fn(*[tg.constant(a) for a in args], **kw)
    expected = np.asarray(ref_fn(op)(*args, **kw))
    assert isinstance(y, tg.Tensor), 'got %s, not a tapegrad tensor' % type(y)
    assert tuple(y.shape) == expected.shape
    assert _dtype(y) == expected.dtype, 'dtype %s, NumPy gives %s' % (_dtype(y), expected.dtype)
    np.testing.assert_allclose(y.numpy(), expected, **_tols(dtype))


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('op, shp, kw', CASES)
def test_first_order(op, shp, kw, mode):
    args = make_inputs(op, shp, kw)
    tg.test.check_gradients(partial(op.fn, **kw), *args, order=1, modes=(mode,),
                            name=_case_id(op, shp, kw), **op.tol)


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('op, shp, kw', SMOOTH)
def test_second_order(op, shp, kw, mode):
    args = make_inputs(op, shp, kw)
    tg.test.check_gradients(partial(op.fn, **kw), *args, order=2, modes=(mode,),
                            name=_case_id(op, shp, kw), **op.tol)


def _vjp(fn, args, seed, **kw):
    xs = [tg.constant(a) for a in args]
    with tg.GradientTape() as tape:
        tape.watch(xs)
        y = fn(*xs, **kw)
    gs = tape.gradient(y, xs, output_gradients=tg.constant(seed.astype(_dtype(y))))
    # gather's gradient is an IndexedSlices (as TF's): compared densified
    return y, [g if g is None else tg.convert_to_tensor(g) for g in gs]


@pytest.mark.parametrize('op, shp, kw', CASES)
def test_float32_gradients(op, shp, kw):
    """float32 in, float32 gradients out, close to the float64 gradients at the same point."""
    a32 = make_inputs(op, shp, kw, np.float32)
    a64 = [a.astype(np.float64) for a in a32]
    y64 = np.asarray(ref_fn(op)(*a64, **kw))
    seed = np.random.default_rng(7).standard_normal(y64.shape)
    y32, g32 = _vjp(op.fn, a32, seed, **kw)
    _, g64 = _vjp(op.fn, a64, seed, **kw)
    assert _dtype(y32) == np.asarray(ref_fn(op)(*a32, **kw)).dtype
    for i, (g, h, a) in enumerate(zip(g32, g64, a32)):
        assert g is not None and h is not None, 'gradient of input %d is None' % i
        assert _dtype(g) == np.float32, 'gradient %d has dtype %s for float32 input' % (i, _dtype(g))
        assert tuple(g.shape) == a.shape, 'gradient %d has shape %s, input %s' % (i, g.shape, a.shape)
        h = h.numpy()
        np.testing.assert_allclose(g.numpy(), h, rtol=1e-3, atol=1e-4 * max(1.0, np.abs(h).max()),
                                   err_msg='input %d' % i)


@pytest.mark.parametrize('dtype', [np.float64, np.float32])
@pytest.mark.parametrize('op', ELEMENTWISE)
def test_scalar_path_matches_array_path(op, dtype):
    """0-d tensors (tapegrad keeps them unboxed) give the values, dtypes and first and
    second derivatives of the same op on shape-(1,) tensors."""
    n = len(op.cases[0][0])
    doms = op.domain if isinstance(op.domain, tuple) else (op.domain,) * n
    rng = np.random.default_rng(zlib.crc32(op.name.encode()))
    vals = [np.asarray(d(rng, ())).astype(dtype) for d in doms]

    def derivatives(arrays):
        xs = [tg.constant(a) for a in arrays]
        with tg.GradientTape(persistent=True) as outer:
            outer.watch(xs)
            with tg.GradientTape() as inner:
                inner.watch(xs)
                y = op.fn(*xs)
            g = inner.gradient(y, xs)
            s = g[0] if n == 1 else g[0] + g[1]
        h = outer.gradient(s, xs) if op.smooth else [None] * n
        return y, g, h

    ys, gs, hs = derivatives(vals)
    yv, gv, hv = derivatives([v.reshape(1) for v in vals])
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=1e-6, atol=1e-7)
    assert tuple(ys.shape) == () and tuple(yv.shape) == (1,)
    assert _dtype(ys) == _dtype(yv)
    np.testing.assert_allclose(np.reshape(ys.numpy(), 1), yv.numpy(), **tol)
    for i in range(n):
        assert gs[i] is not None and gv[i] is not None, 'gradient of input %d is None' % i
        assert tuple(gs[i].shape) == () and tuple(gv[i].shape) == (1,)
        assert _dtype(gs[i]) == _dtype(gv[i]) == dtype
        np.testing.assert_allclose(np.reshape(gs[i].numpy(), 1), gv[i].numpy(), **tol,
                                   err_msg='first derivative, input %d' % i)
        if op.smooth:
            # None on both paths is fine (linear op); otherwise they must agree
            a = np.zeros(1) if hs[i] is None else np.reshape(hs[i].numpy(), 1)
            b = np.zeros(1) if hv[i] is None else hv[i].numpy()
            if hs[i] is not None:
                assert tuple(hs[i].shape) == () and _dtype(hs[i]) == dtype
            np.testing.assert_allclose(a, b, **tol, err_msg='second derivative, input %d' % i)


@pytest.mark.parametrize('dtype', [np.float64, np.float32])
def test_scalar_chain(dtype):
    """y = y * 1.0001 + x, 200 times, on 0-d tensors: dy/dx = sum of 1.0001**k."""
    x = tg.constant(np.asarray(0.5, dtype))
    with tg.GradientTape() as tape:
        tape.watch(x)
        y = x
        for _ in range(200):
            y = y * 1.0001 + x
    g = tape.gradient(y, x)
    expected = sum(1.0001 ** k for k in range(201))
    assert _dtype(y) == _dtype(g) == dtype and tuple(g.shape) == ()
    np.testing.assert_allclose(float(g), expected, rtol=1e-12 if dtype == np.float64 else 1e-5)
    yv = 0.5 * expected
    np.testing.assert_allclose(float(y), yv, rtol=1e-12 if dtype == np.float64 else 1e-5)


# ---------------------------------------------------------------- the checker itself
def test_checker_catches_wrong_gradient():
    # the second factor goes through NumPy, so tapegrad sees d/da = b instead of 2a
    def f(a):
        return a * tg.constant(np.asarray(a))
    with pytest.raises(AssertionError, match=r'(?s)check_gradients\(np-square\).*input 0.*largest abs error'):
        tg.test.check_gradients(f, np.array([1.0, 2.0, 3.0]), order=1, modes=('rev',), name='np-square')


def test_checker_catches_wrong_second_derivative():
    # f = a*c - c**2/2 with c = a through NumPy: value a**2/2, gradient c = a (right),
    # but the gradient does not depend on a for tapegrad, so the second derivative is 0, not 1
    def f(a):
        c = tg.constant(np.asarray(a))
        return a * c - 0.5 * c * c
    x = np.array([0.5, 1.5])
    tg.test.check_gradients(f, x, order=1, modes=MODES)
    with pytest.raises(AssertionError, match=r'(?s)second derivative.*input 0.*largest abs error'):
        tg.test.check_gradients(f, x, order=2, modes=('rev',))


def test_compute_gradient_layout():
    theoretical, numerical = tg.test.compute_gradient(lambda x: x * x, [1.0])
    assert isinstance(theoretical, tuple) and isinstance(numerical, tuple)
    assert theoretical[0].dtype == numerical[0].dtype == np.float32
    np.testing.assert_allclose(theoretical[0], [[2.0]])
    np.testing.assert_allclose(numerical[0], [[2.0]], rtol=1e-3)
    a = np.arange(6.0).reshape(2, 3)
    b = np.array([1.0, -2.0, 0.5])
    (ta, tb), (na, nb) = tg.test.compute_gradient(lambda a, b: tg.reduce_sum(a * b, axis=1), [a, b])
    assert ta.shape == na.shape == (2, 6) and tb.shape == nb.shape == (2, 3)
    assert ta.dtype == np.float64
    np.testing.assert_allclose(ta, [[1, -2, .5, 0, 0, 0], [0, 0, 0, 1, -2, .5]])
    np.testing.assert_allclose(tb, a)
    np.testing.assert_allclose(na, ta, atol=1e-9)
    np.testing.assert_allclose(nb, tb, atol=1e-9)
    with pytest.raises(ValueError):
        tg.test.compute_gradient(lambda x: x, 1.0)
