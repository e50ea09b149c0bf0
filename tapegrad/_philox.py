"""Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011)
with TensorFlow's ways of turning its 32-bit words into samples: tg.random's stateless
ops and Generator give TensorFlow's numbers bit for bit.

A Philox block is a 128-bit counter (four uint32 words, least significant first) and a
64-bit key (two words); ten rounds turn it into four random words. The n-th block of a
stream is the block of counter + n, so any stretch of a stream is one call of the
compiled kernel (_tape.philox_words); the transforms are vectorised NumPy.
"""
import numpy as np

from ._tape import box_muller_f32, philox_words

_S32 = np.uint64(32)
_M64 = (1 << 64) - 1


def blocks(counter, key, offsets):
    """The four words of the blocks at counter + offsets (a uint64 array; counter a Python
    int, wrapping modulo 2**128 as TensorFlow's Skip), key (k0, k1): (n, 4) uint32."""
    counter %= 1 << 128
    return philox_words(counter & _M64, counter >> 64, int(key[0]), int(key[1]),
                        np.ascontiguousarray(offsets, np.uint64).reshape(-1))


def words(counter, key, nblocks):
    """nblocks blocks of the stream (counter, key) as one flat uint32 array."""
    return blocks(counter, key, np.arange(nblocks, dtype=np.uint64)).reshape(-1)


def key_counter_from_seed(s0, s1):
    """TensorFlow's key and counter for a stateless op's seed [s0, s1] (int64 values):
    the seed, as a counter, scrambled by one Philox block under a fixed key."""
    s0, s1 = int(s0) % (1 << 64), int(s1) % (1 << 64)
    mix = blocks(s0 | s1 << 64, (0x3EC8F720, 0x02461E29), np.zeros(1, np.uint64))[0]
    key = (int(mix[0]), int(mix[1]))
    counter = (int(mix[2]) << 64) | (int(mix[3]) << 96)
    return key, counter


# ---- words -> samples (TensorFlow's random_distributions.h) ----
def _u32_to_float(w):
    """[0, 1) from the low 23 bits of each word: a float32 mantissa under exponent 0."""
    return ((w & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1)


def _u32_to_half(w):
    return ((w & np.uint32(0x3FF)).astype(np.uint16) | np.uint16(0x3C00)).view(np.float16) - np.float16(1)


def _u64_to_double(hi, lo):
    """[0, 1) from 52 bits: the low 20 bits of hi and all of lo."""
    man = ((hi & np.uint32(0xFFFFF)).astype(np.uint64) << _S32) | lo.astype(np.uint64)
    return (man | np.uint64(1023 << 52)).view(np.float64) - 1.0


def _box_muller_float(x0, x1):
    """Two float32 normals from two words, as TensorFlow's BoxMullerFloat: in C with the
    C library's logf and sincosf (_tape.box_muller_f32), whose last bits NumPy's float32
    sin, cos and log do not always give."""
    shape = x0.shape
    a, b = box_muller_f32(np.ascontiguousarray(x0.reshape(-1)), np.ascontiguousarray(x1.reshape(-1)))
    return a.reshape(shape), b.reshape(shape)


def _box_muller_double(x0, x1, x2, x3):
    u1 = np.maximum(_u64_to_double(x0, x1), 1.0e-7)
    v1 = 2.0 * np.pi * _u64_to_double(x2, x3)
    u2 = np.sqrt(-2.0 * np.log(u1))
    return np.sin(v1) * u2, np.cos(v1) * u2


def uniform(counter, key, n, dtype):
    """n samples on [0, 1) of a float dtype (TensorFlow's UniformDistribution)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        w = words(counter, key, -(-n // 2)).reshape(-1, 2)
        return _u64_to_double(w[:, 0], w[:, 1])[:n]
    w = words(counter, key, -(-n // 4))[:n]
    return _u32_to_half(w) if dtype == np.float16 else _u32_to_float(w)


def normal(counter, key, n, dtype):
    """n standard normal samples (Box-Muller on pairs; float16 is float32's, rounded)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        w = words(counter, key, -(-n // 2)).reshape(-1, 4)
        a, b = _box_muller_double(w[:, 0], w[:, 1], w[:, 2], w[:, 3])
    else:
        w = words(counter, key, -(-n // 4)).reshape(-1, 2)
        a, b = _box_muller_float(w[:, 0], w[:, 1])
    return np.stack([a, b], axis=1).reshape(-1)[:n].astype(dtype)


def uniform_int(counter, key, n, dtype, lo, hi):
    """n integers on [lo, hi) (a word, or two for 64-bit types, modulo the range)."""
    dtype = np.dtype(dtype)
    bits = full_int(counter, key, n, np.uint64 if dtype.itemsize == 8 else np.uint32)
    ut = bits.dtype.type
    m = 1 << (8 * dtype.itemsize)
    with np.errstate(over="ignore"):
        return (ut(int(lo) % m) + bits % ut((int(hi) - int(lo)) % m)).view(dtype)


def full_int(counter, key, n, dtype):
    """n integers over the whole range of dtype (the words themselves)."""
    dtype = np.dtype(dtype)
    if dtype.itemsize == 8:
        w = words(counter, key, -(-n // 2)).reshape(-1, 2)[:n]
        return (w[:, 0].astype(np.uint64) | (w[:, 1].astype(np.uint64) << _S32)).view(dtype)
    return words(counter, key, -(-n // 4))[:n].view(dtype)


# A variable-sample distribution (truncated normal) reserves 256 words per output: output
# group i (4 float32/float16 values, or 2 float64) reads the stream from block
# counter + i * 256 * size / 4, a word at a time, as many words as it needs.
_RESERVED = 256


def _pairs(w, dbl):
    """Box-Muller candidates, in stream order, from words w (..., 4k)."""
    if dbl:
        w = w.reshape(w.shape[:-1] + (-1, 4))
        a, b = _box_muller_double(w[..., 0], w[..., 1], w[..., 2], w[..., 3])
    else:
        w = w.reshape(w.shape[:-1] + (-1, 2))
        a, b = _box_muller_float(w[..., 0], w[..., 1])
    return np.stack([a, b], axis=-1).reshape(w.shape[:-2] + (-1,))


def truncated_normal(counter, key, n, dtype):
    """n standard normal samples with |x| < 2 (rejection: Box-Muller pairs, in order,
    keeping those inside). All groups read their first two blocks at once (enough for
    all but about one group in 10**5); the rare short group reads on, a block at a time."""
    dtype = np.dtype(dtype)
    dbl = dtype == np.float64
    group = 2 if dbl else 4
    ngroups = -(-n // group)
    skip = group * _RESERVED // 4
    first = 2
    offs = np.arange(ngroups, dtype=np.uint64)[:, None] * np.uint64(skip) + np.arange(
        first, dtype=np.uint64)
    cand = _pairs(blocks(counter, key, offs).reshape(ngroups, -1), dbl)
    ok = np.abs(cand) < 2.0
    order = np.argsort(~ok, axis=1, kind="stable")[:, :group]   # the accepted, in order
    out = np.take_along_axis(cand, order, axis=1)
    for g in np.flatnonzero(ok.sum(axis=1) < group):
        got = list(cand[g][ok[g]])
        block = first
        while len(got) < group:
            more = _pairs(blocks(counter + int(g) * skip + block, key,
                                 np.zeros(1, np.uint64)).reshape(1, -1), dbl)[0]
            got.extend(more[np.abs(more) < 2.0])
            block += 1
        out[g] = got[:group]
    return out.reshape(-1)[:n].astype(dtype)


def _row_blocks(rows, cost, threads):
    """How TensorFlow's Shard splits `rows` rows of `cost` cycles each over a pool of
    `threads` threads: its own threshold, then Eigen's parallelFor (a thread count from
    its cost model, blocks of at least 1/4 thread's share, coarsened while the threads'
    efficiency does not drop). [(start, stop), ...]."""
    whole = [(0, rows)]
    if rows <= 1 or threads <= 1 or min(threads, rows * cost // 10000) <= 1:
        return whole
    if min(threads, max(1, int((rows * cost - 100000) / 100000 + 0.9))) == 1:
        return whole
    block = min(rows, max(-(-rows // (4 * threads)), int(40000 / cost)))
    biggest = min(rows, 2 * block)
    count = -(-rows // block)
    best = count / (-(-count // threads) * threads)
    prev = count
    while best < 1.0 and prev > 1:
        coarser = -(-rows // (prev - 1))
        if coarser > biggest:
            break
        prev = -(-rows // coarser)
        eff = prev / (-(-prev // threads) * threads)
        if eff + 0.01 >= best:
            block, best = coarser, max(best, eff)
    return [(a, min(a + block, rows)) for a in range(0, rows, block)]


def categorical(counter, key, logits, num_samples, threads=1):
    """Class indices (B, num_samples) drawn from the rows of logits (B, C), as
    TensorFlow's CPU Multinomial kernel with a pool of `threads` threads: the rows split
    in blocks as its Shard splits them, each block reading the stream from block
    start_row * (num_samples + 3) // 4 on; each sample a double from two words, scaled
    by the row's unnormalised total of exp(logit - max) over its finite logits, and
    looked up in the running sums."""
    b, c = logits.shape
    cost = int(50 * (num_samples * np.log(c) / np.log(2) + c))
    u = np.empty((b, num_samples))
    for start, stop in _row_blocks(b, cost, threads):
        n = (stop - start) * num_samples
        w = words(counter + start * (num_samples + 3) // 4, key, -(-2 * n // 4))
        w = w[:2 * n].reshape(-1, 2)
        u[start:stop] = _u64_to_double(w[:, 0], w[:, 1]).reshape(stop - start, num_samples)
    finite = np.isfinite(logits)
    mx = np.where(finite, logits, -np.inf).max(axis=1, initial=-np.inf)
    mx = np.where(np.isfinite(mx), mx, np.finfo(logits.dtype).min).astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        p = np.exp(logits.astype(np.float64) - mx[:, None])
    cdf = np.cumsum(np.where(finite, p, 0.0), axis=1)
    find = u * cdf[:, -1:]
    out = np.empty((b, num_samples), np.int64)
    for r in range(b):          # one searchsorted per row (upper_bound)
        out[r] = np.searchsorted(cdf[r], find[r], side="right")
    return out
