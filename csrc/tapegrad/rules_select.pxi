# The op table, segment reductions that select or multiply: max, min (ties share the
# gradient, as TensorFlow's _SegmentMinOrMaxGrad) and prod (TensorFlow's rule: no
# division by a zero). Segment sums are scatter_add (rules.pxi). Every op here takes
# data x of shape (n,) + rest and the attributes (ids: an int array of shape (n,), all
# in [0, num), num): the public functions (ops_select.pxi) flatten the ids and drop the
# negative ones first.

def _segment_max_np(x, ids, num):
    init = np.finfo(x.dtype).min if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    out = np.full((num,) + x.shape[1:], init, x.dtype)
    np.maximum.at(out, ids, x)
    return out

def _segment_min_np(x, ids, num):
    init = np.finfo(x.dtype).max if x.dtype.kind == "f" else np.iinfo(x.dtype).max
    out = np.full((num,) + x.shape[1:], init, x.dtype)
    np.minimum.at(out, ids, x)
    return out

def _segment_prod_np(x, ids, num):
    out = np.ones((num,) + x.shape[1:], x.dtype)
    np.multiply.at(out, ids, x)
    return out

def _segment_tie_weights(x, y, ids, num):
    """Where x attains its segment's extremum y, one over the number of ties: a NumPy
    constant (the selection does not depend on x to first order)."""
    xv = np.asarray(x)
    hit = (xv == np.asarray(y)[ids]).astype(xv.dtype)
    cnt = np.zeros((num,) + xv.shape[1:], xv.dtype)
    np.add.at(cnt, ids, hit)
    return hit / np.where(cnt == 0, 1, cnt)[ids]

def _segment_ext_vjp(tg, g, x, y, ids, num):
    return g[ids] * _segment_tie_weights(x, y, ids, num)

def _segment_ext_jvp(tg, t, x, y, ids, num):
    return tg.scatter_add(t * _segment_tie_weights(x, y, ids, num), (num,) + tuple(x.shape[1:]), (ids,))

def _prod_of_others(tg, x, ids, num):
    """For each element, the product of the other elements of its segment, written
    without dividing by zero: with no zero in the segment, prod / x; at the segment's
    only zero, the product of the rest; else 0."""
    xv = np.asarray(x)
    zero = xv == 0
    nz = np.zeros((num,) + xv.shape[1:], np.int64)
    np.add.at(nz, ids, zero)
    nz = nz[ids]
    one = np.ones((), xv.dtype)
    safe = tg.where(zero, one, x)
    p = tg.segment_prod_(safe, ids, num)[ids]
    return tg.where(zero, p * (nz == 1).astype(xv.dtype), p / safe * (nz == 0).astype(xv.dtype))

cdef int OP_SEGMENT_MAX = defop("unsorted_segment_max",  "UnsortedSegmentMax",  1, _segment_max_np,
      _segment_ext_vjp, _segment_ext_jvp, needs_out=True, ns="math")
cdef int OP_SEGMENT_MIN = defop("unsorted_segment_min",  "UnsortedSegmentMin",  1, _segment_min_np,
      _segment_ext_vjp, _segment_ext_jvp, needs_out=True, ns="math")
cdef int OP_SEGMENT_PROD = defop("unsorted_segment_prod", "UnsortedSegmentProd", 1, _segment_prod_np,
      lambda tg, g, x, y, ids, num: g[ids] * _prod_of_others(tg, x, ids, num),
      lambda tg, t, x, y, ids, num: tg.scatter_add(t * _prod_of_others(tg, x, ids, num),
                                                   (num,) + tuple(x.shape[1:]), (ids,)), ns="math")

# NumPy twins of the ops these rules call through tg
vars(NP).update(segment_prod_=_segment_prod_np)

# Taking along an axis by indices that do not repeat within a line (sort's argsort,
# top_k's first k of it): the gradient puts g back at those positions, a permutation
# scatter, with no np.add.at; each op's VJP and JVP is the other or itself. Attributes:
# idx (an int array of the output's shape), the axis, and (for the put) the axis' length.
def _take_along_np(x, idx, ax):
    return np.take_along_axis(x, idx, ax)

def _put_along_np(g, idx, ax, n):
    shape = list(g.shape)
    shape[ax] = n
    out = (np.empty if n == g.shape[ax] else np.zeros)(shape, g.dtype)   # a whole permutation
    np.put_along_axis(out, idx, g, ax)                                    # writes every place
    return out

cdef int OP_TAKE_ALONG = defop(
    "take_along_axis", "GatherV2", 1, _take_along_np,
    lambda tg, g, x, y, idx, ax: tg.put_along_axis(g, idx, ax, x.shape[ax]),
    lambda tg, t, x, y, idx, ax: tg.take_along_axis(t, idx, ax),
    shapes_only=True, twin=True)
cdef int OP_PUT_ALONG = defop(
    "put_along_axis", "ScatterNd", 1, _put_along_np,
    lambda tg, gg, g, y, idx, ax, n: tg.take_along_axis(gg, idx, ax),
    lambda tg, t, g, y, idx, ax, n: tg.put_along_axis(t, idx, ax, n),
    shapes_only=True, twin=True)
