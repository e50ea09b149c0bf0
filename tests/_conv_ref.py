"""Direct-loop NumPy references for convolution and pooling (channels-last), written
apart from tapegrad's im2col: every output element is its window's sum or max."""
import itertools

import numpy as np


def _seq(v, r):
    if np.ndim(v) == 0:
        return (v,) * r
    return tuple(v[1:-1]) if len(v) == r + 2 else (tuple(v) * r if len(v) == 1 else tuple(v))


def _pads(ishape, k, s, d, padding):
    if padding == 'VALID':
        return [(0, 0)] * len(ishape)
    if padding == 'SAME':
        out = []
        for i, kk, ss, dd in zip(ishape, k, s, d):
            tot = max((-(-i // ss) - 1) * ss + (kk - 1) * dd + 1 - i, 0)
            out.append((tot // 2, tot - tot // 2))
        return out
    return [tuple(p) for p in padding[1:-1]]


def _windows(x, k, strides, padding, dilations, fill):
    """Yield (output index, window (*k, C)) for x (N, *spatial, C)."""
    r = x.ndim - 2
    s, d = _seq(strides, r), _seq(dilations, r)
    pads = _pads(x.shape[1:-1], k, s, d, padding)
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=fill)
    osize = [(xp.shape[a + 1] - (k[a] - 1) * d[a] - 1) // s[a] + 1 for a in range(r)]
    for n in range(x.shape[0]):
        for o in itertools.product(*[range(m) for m in osize]):
            key = tuple(slice(o[a] * s[a], o[a] * s[a] + (k[a] - 1) * d[a] + 1, d[a]) for a in range(r))
            yield (n,) + o, xp[(n,) + key]
    return


def _out(x, k, strides, padding, dilations, channels):
    r = x.ndim - 2
    s, d = _seq(strides, r), _seq(dilations, r)
    pads = _pads(x.shape[1:-1], k, s, d, padding)
    osize = [(x.shape[a + 1] + sum(pads[a]) - (k[a] - 1) * d[a] - 1) // s[a] + 1 for a in range(r)]
    return np.zeros((x.shape[0],) + tuple(osize) + (channels,), x.dtype)


def conv(x, w, strides=1, padding='VALID', dilations=1, depthwise=False):
    r = x.ndim - 2
    k = w.shape[:r]
    c, m = w.shape[-2], w.shape[-1]
    y = _out(x, k, strides, padding, dilations, c * m if depthwise else m)
    for idx, win in _windows(x, k, strides, padding, dilations, 0):
        if depthwise:
            y[idx] = (win[..., None] * w).reshape(-1, c, m).sum(0).ravel()
        else:
            y[idx] = np.tensordot(win, w, r + 1)
    return y


def conv_transpose(x, w, output_shape, strides, padding='SAME', dilations=1):
    """The adjoint of conv: <conv(z, w), x> = <z, conv_transpose(x, w)> for every z."""
    r = x.ndim - 2
    out = np.zeros(output_shape, x.dtype)
    for j in range(out.size):
        e = np.zeros(out.size, x.dtype)
        e[j] = 1
        out.flat[j] = (conv(e.reshape(output_shape), w, strides, padding, dilations) * x).sum()
    return out


def max_pool(x, ksize, strides, padding='VALID'):
    r = x.ndim - 2
    k = _seq(ksize, r)
    y = _out(x, k, strides, padding, 1, x.shape[-1])
    for idx, win in _windows(x, k, strides, padding, 1, -np.inf):
        y[idx] = win.reshape(-1, x.shape[-1]).max(0)
    return y


def avg_pool(x, ksize, strides, padding='VALID'):
    r = x.ndim - 2
    k = _seq(ksize, r)
    y = _out(x, k, strides, padding, 1, x.shape[-1])
    ones = np.ones(x.shape[:-1] + (1,), x.dtype)
    counts = dict(_windows(ones, k, strides, padding, 1, 0))
    for idx, win in _windows(x, k, strides, padding, 1, 0):
        y[idx] = win.reshape(-1, x.shape[-1]).sum(0) / counts[idx].sum()
    return y


def conv_grouped(x, w, strides=1, padding='VALID', dilations=1):
    """A grouped convolution: filter (*k, C/G, O), input channel block g to output block g."""
    cg = w.shape[-2]
    groups = x.shape[-1] // cg
    og = w.shape[-1] // groups
    return np.concatenate([conv(x[..., i * cg:(i + 1) * cg], w[..., i * og:(i + 1) * og], strides,
                                padding, dilations) for i in range(groups)], -1)
