# Public sorting, selection, segment, scatter and slicing ops. The differentiable ones are
# compositions of getitem (gradient: scatter_add) and scatter_add (gradient: getitem),
# except the segment max/min/prod primitives of rules_select.pxi. Index computations
# (argsort, ids, masks) are NumPy: they carry no gradient, as in TensorFlow.


cdef object int_values(object x, str what, str tf_name):
    """An integer index argument as a NumPy array (Tensors, lists, arrays)."""
    a = np.asarray(val(int_input(x, what, tf_name)))
    return a


cdef tuple along_key(object idx, int ax, tuple shape):
    """The index that takes idx (of `shape` but for axis ax) along axis ax: NumPy's
    take_along_axis as one getitem key, with broadcast aranges on the other axes."""
    n = len(shape)
    key = []
    for i in range(n):
        if i == ax:
            key.append(idx)
        else:
            s = [1] * n
            s[i] = idx.shape[i]
            key.append(np.arange(idx.shape[i]).reshape(s))
    return tuple(key)


cdef object ascending_argsort(object a, int ax):
    """A stable argsort along ax: NumPy's (much faster) quicksort, whose order is the
    stable one wherever the sorted values have no ties; the lines with ties again with a
    stable sort."""
    idx = np.argsort(a, axis=ax)
    v = np.moveaxis(np.take_along_axis(a, idx, ax), ax, -1)
    if v.shape[-1] > 1:
        ties = (v[..., 1:] == v[..., :-1]).any(-1)
        if ties.any():
            im = np.moveaxis(idx, ax, -1)   # a view: writes go to idx
            im[ties] = np.argsort(np.moveaxis(a, ax, -1)[ties], axis=-1, kind="stable")
    return idx


cdef object stable_argsort(object a, int ax, bint descending):
    """Stable along ax; descending keeps the lower index first among ties (TF's top_k)."""
    if not descending:
        return ascending_argsort(a, ax)
    n = a.shape[ax]
    r = ascending_argsort(np.flip(a, ax), ax)
    return np.flip(n - 1 - r, ax)


cdef str check_direction(object direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    return direction


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """Indices that sort values along axis (int32); ties keep their order."""
    cdef Tensor t = as_input(values)
    d = check_direction(direction)
    ax = norm_one_axis(axis, len(shape_of(t)), "argsort")
    return wrap(stable_argsort(np.asarray(val(t)), ax, d == "DESCENDING").astype(I32))


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """values sorted along axis: a getitem by the argsort (its gradient scatters back)."""
    cdef Tensor t = as_input(values)
    d = check_direction(direction)
    s = shape_of(t)
    if not s:
        raise InvalidArgumentError("sort: input must be at least rank 1, got a scalar "
                                   "[Op:TopKV2]")
    ax = norm_one_axis(axis, len(s), "sort")
    if active_state() is None:   # nothing records: NumPy's sort, no index
        r = np.sort(val(t), axis=ax)
        return wrap(np.flip(r, ax) if d == "DESCENDING" else r)
    idx = stable_argsort(np.asarray(val(t)), ax, d == "DESCENDING")
    return take_along_axis(t, idx, ax)


# The ops of rules_select.pxi that take along an axis (indices unique within each line)
def take_along_axis(x, idx, ax):
    return apply(OP_TAKE_ALONG, (as_input(x),), (idx, ax))


def put_along_axis(g, idx, ax, n):
    return apply(OP_PUT_ALONG, (as_input(g),), (idx, ax, n))


def top_k(input, k=1, sorted=True, index_type=I32, name=None):
    """The k largest entries of the last axis and their indices (lower index first among
    ties); values differentiable. `sorted=False` leaves the order unspecified in
    TensorFlow: here it is sorted too."""
    cdef Tensor t = as_input(input)
    s = shape_of(t)
    k = int(np.asarray(val(as_input(k))) if isinstance(k, _Tracked) else k)
    if not s:
        raise InvalidArgumentError("input must be at least 1-dimensional, got shape [] "
                                   "[Op:TopKV2]")
    if k < 0:
        raise InvalidArgumentError(f"Need k >= 0, got {k} [Op:TopKV2]")
    if k > s[-1]:
        raise InvalidArgumentError(f"input must have at least k columns. Had {s[-1]}, "
                                   f"needed {k} [Op:TopKV2]")
    idx = stable_argsort(np.asarray(val(t)), len(s) - 1, True)[..., :k]
    vals = take_along_axis(t, np.ascontiguousarray(idx), len(s) - 1)
    return TopKV2(vals, wrap(idx.astype(as_dtype(index_type))))


def in_top_k(targets, predictions, k, name=None):
    """Whether predictions[i, targets[i]] is among the k largest of row i: fewer than k
    entries strictly larger (TensorFlow's rule: ties count in); false for a non-finite
    prediction or a target out of range."""
    tg_ = int_values(targets, "T", "InTopKV2")
    p = np.asarray(val(as_input(predictions)))
    if p.ndim != 2 or tg_.ndim != 1 or tg_.shape[0] != p.shape[0]:
        raise InvalidArgumentError(f"in_top_k: predictions must be a matrix and targets a "
                                   f"vector of its rows, got shapes {list(p.shape)} and "
                                   f"{list(tg_.shape)} [Op:InTopKV2]")
    k = int(k)
    ok = (tg_ >= 0) & (tg_ < p.shape[1])
    tv = p[np.arange(p.shape[0]), np.where(ok, tg_, 0)]
    larger = (p > tv[:, None]).sum(1)
    return wrap(ok & np.isfinite(tv) & (larger < k))


def unique(x, out_idx=I32, name=None):
    """The distinct values of a vector in order of first appearance, and for each element
    the index of its value there."""
    cdef Tensor t = as_input(x)
    a = np.asarray(val(t))
    if a.ndim != 1:
        raise InvalidArgumentError("unique expects a 1D vector. [Op:Unique]")
    u, first, inv = np.unique(a, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return Unique(wrap(a[np.sort(first)]), wrap(rank[inv].astype(as_dtype(out_idx))))


def searchsorted(sorted_sequence, values, side="left", out_type=I32, name=None):
    """Per row of the leading axes, where values would go in sorted_sequence."""
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` must be either 'right' or 'left'. Received: "
                         f"`side` = '{side}'.")
    s = np.asarray(val(as_input(sorted_sequence)))
    v = np.asarray(val(as_input(values)))
    # TensorFlow's rule: both as matrices of rows (leading axes flattened), as many rows
    if s.ndim < 1 or v.ndim < 1 or (int(np.prod(s.shape[:-1])) !=
                                    int(np.prod(v.shape[:-1]))):
        raise InvalidArgumentError(f"searchsorted: sorted_sequence {list(s.shape)} and "
                                   f"values {list(v.shape)} must have the same leading "
                                   f"dimensions [Op:{'LowerBound' if side == 'left' else 'UpperBound'}]")
    s2, v2 = s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1])
    r = np.empty(v2.shape, as_dtype(out_type))
    for i in range(s2.shape[0]):
        r[i] = np.searchsorted(s2[i], v2[i], side=side)
    return wrap(r.reshape(v.shape))


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=I32, name=None,
             axis=None, binary_output=False):
    """Counts (or summed weights) of each value of arr; axis=-1 counts per row. Not
    differentiable (TensorFlow has no gradient for DenseBincount)."""
    a = int_values(arr, "Tidx", "DenseBincount")
    if (a < 0).any():
        raise InvalidArgumentError("Input arr must be non-negative! [Op:DenseBincount]")
    if axis not in (None, 0, -1):
        raise ValueError(f"Unsupported axis value {axis}. Only 0 and -1 are currently "
                         f"supported.")
    w = None if weights is None else np.asarray(val(as_input(weights)))
    if w is not None and w.shape != a.shape:
        raise InvalidArgumentError(f"bincount: weights {list(w.shape)} must have the shape "
                                   f"of arr {list(a.shape)} [Op:DenseBincount]")
    n = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        n = max(n, int(minlength))
    if maxlength is not None:
        n = min(n, int(maxlength))
    out_dt = w.dtype if w is not None else as_dtype(dtype)
    per_row = axis == -1 and a.ndim == 2
    rows = a if per_row else a.reshape(1, -1)
    wr = None if w is None else (w if per_row else w.reshape(1, -1))
    r = np.zeros((rows.shape[0], n), out_dt)
    keep = rows < n
    ri = np.broadcast_to(np.arange(rows.shape[0])[:, None], rows.shape)
    add = np.ones(rows.shape, out_dt) if wr is None or binary_output else wr
    np.add.at(r, (ri[keep], rows[keep]), add[keep])
    if binary_output:
        r = (r > 0).astype(out_dt)
    return wrap(r if per_row else r[0])


# Segments ------------------------------------------------------------------------------

cdef tuple segment_args(Tensor t, object segment_ids, str tf_name):
    """The data flattened to (n,) + rest and the ids to (n,), for ids of any rank that
    prefix the data's shape."""
    ids = int_values(segment_ids, "Tindices", tf_name)
    s = shape_of(t)
    if s[:ids.ndim] != ids.shape:
        raise InvalidArgumentError(f"data.shape = {list(s)} does not start with "
                                   f"segment_ids.shape = {list(ids.shape)} [Op:{tf_name}]"
                                   .replace(", ", ","))
    flat = reshape(t, (int(ids.size),) + s[ids.ndim:]) if ids.ndim != 1 else t
    return flat, ids.reshape(-1)


cdef object unsorted_segment(str kind, object data, object segment_ids, object num_segments,
                             str tf_name):
    cdef Tensor t = as_input(data)
    num = int(np.asarray(val(as_input(num_segments))) if isinstance(num_segments, _Tracked)
              else num_segments)
    flat, ids = segment_args(t, segment_ids, tf_name)
    bad = np.nonzero(ids >= num)[0]
    if len(bad):
        raise InvalidArgumentError(f"segment_ids[{bad[0]}] = {ids[bad[0]]} is out of range "
                                   f"[0, {num}) [Op:{tf_name}]")
    keep = ids >= 0   # negative ids are dropped, as in TensorFlow
    if not keep.all():
        flat, ids = getitem(flat, (np.nonzero(keep)[0],)), ids[keep]
    return reduce_segments(kind, flat, ids, num)


cdef object reduce_segments(str kind, Tensor flat, object ids, int num,
                            bint sorted_ids=False):
    rest = shape_of(flat)[1:]
    if kind == "max":
        return apply(OP_SEGMENT_MAX, (flat,), (ids, num))
    if kind == "min":
        return apply(OP_SEGMENT_MIN, (flat,), (ids, num))
    if kind == "prod":
        return apply(OP_SEGMENT_PROD, (flat,), (ids, num))
    if sorted_ids and active_state() is None and len(ids):
        # nothing records: one reduceat over the runs of equal ids
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        a = val(flat)
        z = np.zeros((num,) + rest, a.dtype)
        z[ids[starts]] = np.add.reduceat(a, starts, 0, dtype=a.dtype)
        total = wrap(z)
    else:
        total = scatter_add(flat, (num,) + rest, (ids,))
    if kind == "sum":
        return total
    cnt = np.bincount(ids, minlength=num).astype(dtype_of(flat))
    cnt = np.maximum(cnt, 1).reshape((num,) + (1,) * len(rest))
    return total / (cnt if kind == "mean" else np.sqrt(cnt))


def segment_prod_(x, ids, num):
    """The segment product primitive on flat data (the rules' tg.segment_prod_)."""
    return apply(OP_SEGMENT_PROD, (as_input(x),), (ids, num))


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    return unsorted_segment("sum", data, segment_ids, num_segments, "UnsortedSegmentSum")

def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    return unsorted_segment("mean", data, segment_ids, num_segments, "UnsortedSegmentSum")

def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    return unsorted_segment("sqrt_n", data, segment_ids, num_segments, "UnsortedSegmentSum")

def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Empty segments hold the dtype's lowest value, as in TensorFlow."""
    return unsorted_segment("max", data, segment_ids, num_segments, "UnsortedSegmentMax")

def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """Empty segments hold the dtype's highest value, as in TensorFlow."""
    return unsorted_segment("min", data, segment_ids, num_segments, "UnsortedSegmentMin")

def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    return unsorted_segment("prod", data, segment_ids, num_segments, "UnsortedSegmentProd")


cdef object sorted_segment(str kind, object data, object segment_ids, str tf_name):
    """segment_*: ids a vector as long as the data's first axis, sorted; segments up to
    the last id, empty ones 0 (1 for prod)."""
    cdef Tensor t = as_input(data)
    ids = int_values(segment_ids, "Tindices", tf_name)
    s = shape_of(t)
    if ids.ndim != 1 or not s or ids.shape[0] != s[0]:
        raise InvalidArgumentError(f"segment_ids should be the same size as dimension 0 of "
                                   f"input. [Op:{tf_name}]")
    if (ids < 0).any():
        raise InvalidArgumentError(f"segment ids must be >= 0 [Op:{tf_name}]")
    if (np.diff(ids) < 0).any():
        raise InvalidArgumentError(f"segment ids are not increasing [Op:{tf_name}]")
    num = int(ids[-1]) + 1 if len(ids) else 0
    r = reduce_segments(kind, t, ids, num, True)
    if kind in ("max", "min"):
        empty = np.bincount(ids, minlength=num) == 0
        if empty.any():
            r = where(wrap(empty.reshape((num,) + (1,) * (len(s) - 1))
                           & np.ones(shape_of(r), bool)), zeros_like_t(r), r)
    return r


def segment_sum(data, segment_ids, name=None):
    return sorted_segment("sum", data, segment_ids, "SegmentSum")

def segment_mean(data, segment_ids, name=None):
    return sorted_segment("mean", data, segment_ids, "SegmentMean")

def segment_max(data, segment_ids, name=None):
    return sorted_segment("max", data, segment_ids, "SegmentMax")

def segment_min(data, segment_ids, name=None):
    return sorted_segment("min", data, segment_ids, "SegmentMin")

def segment_prod(data, segment_ids, name=None):
    return sorted_segment("prod", data, segment_ids, "SegmentProd")


# Scatters ------------------------------------------------------------------------------

def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` with updates added at indices (repeated indices add up)."""
    cdef Tensor u = as_input(updates)
    shp = norm_shape(shape, "scatter_nd")
    z = wrap(np.zeros(shp, dtype_of(u)))
    key = scatter_key(z, indices, u, "ScatterNd")
    return scatter_add(u, shp, key)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    cdef Tensor t = as_input(tensor)
    cdef Tensor u = like(updates, t)
    key = scatter_key(t, indices, u, "TensorScatterSub")
    return t - scatter_add(u, shape_of(t), key)


cdef object scatter_extremum(str kind, object tensor, object indices, object updates,
                             str tf_name):
    """tensor with each indexed element replaced by the max (min) of it and its updates:
    one segment reduction over the tensor's elements and the updates together, so ties
    share the gradient between them as in TensorFlow's rule."""
    cdef Tensor t = as_input(tensor)
    cdef Tensor u = like(updates, t)
    s = shape_of(t)
    key = scatter_key(t, indices, u, tf_name)
    k = len(key)
    rows = int(np.prod(s[:k], dtype=np.int64))
    lin = np.ravel_multi_index(key, s[:k]).reshape(-1) if k else np.zeros(1, np.int64)
    data = concat([reshape(t, (rows,) + s[k:]), reshape(u, (len(lin),) + s[k:])], 0)
    ids = np.concatenate([np.arange(rows), lin])
    return reshape(reduce_segments(kind, data, ids, rows), s)


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    return scatter_extremum("max", tensor, indices, updates, "TensorScatterMax")

def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    return scatter_extremum("min", tensor, indices, updates, "TensorScatterMin")


# Slicing and shapes --------------------------------------------------------------------

def slice_(input_, begin, size, name=None):
    """tg.slice: size[i] == -1 takes the rest of axis i."""
    cdef Tensor t = as_input(input_)
    s = shape_of(t)
    b = np.asarray(val(as_input(begin))).reshape(-1) if isinstance(begin, _Tracked) else np.asarray(begin).reshape(-1)
    z = np.asarray(val(as_input(size))).reshape(-1) if isinstance(size, _Tracked) else np.asarray(size).reshape(-1)
    if len(b) != len(s) or len(z) != len(s):
        raise InvalidArgumentError(f"Expected begin and size arguments to be 1-D tensors of "
                                   f"size {len(s)}, but got shapes [{len(b)}] and [{len(z)}] "
                                   f"instead. [Op:Slice]")
    key = []
    for i in range(len(s)):
        bi, zi = int(b[i]), int(z[i])
        if zi == -1:
            zi = s[i] - bi
        if not 0 <= bi <= s[i]:
            raise InvalidArgumentError(f"Expected begin[{i}] in [0, {s[i]}], but got {bi} "
                                       f"[Op:Slice]")
        if not 0 <= zi <= s[i] - bi:
            raise InvalidArgumentError(f"Expected size[{i}] in [0, {s[i] - bi}], but got "
                                       f"{zi} [Op:Slice]")
        key.append(slice(bi, bi + zi))
    return getitem(t, tuple(key))


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, var=None,
                  name=None):
    """TensorFlow's strided slice with all five masks, as one Python index."""
    cdef Tensor t = as_input(input_)
    if var is not None:
        raise NotImplementedError("strided_slice: `var` (a result whose .assign writes the "
                                  "slice into the variable) is not supported; assign through "
                                  "tg.tensor_scatter_nd_update and Variable.assign")
    s = shape_of(t)
    def vec(v):
        return [int(x) for x in np.asarray(val(as_input(v)) if isinstance(v, _Tracked) else v).reshape(-1)]
    b, e = vec(begin), vec(end)
    st = vec(strides) if strides is not None else [1] * len(b)
    if not len(b) == len(e) == len(st):
        raise InvalidArgumentError(f"Expected begin, end, and strides to be 1D equal size "
                                   f"tensors, but got shapes [{len(b)}], [{len(e)}], and "
                                   f"[{len(st)}] instead. [Op:StridedSlice]")
    key, dim = [], 0
    n_real = len([i for i in range(len(b)) if not (new_axis_mask >> i & 1)
                  and not (ellipsis_mask >> i & 1)])
    for i in range(len(b)):
        if ellipsis_mask >> i & 1:
            key.append(Ellipsis)
            dim = len(s) - (n_real - len([j for j in range(i) if not (new_axis_mask >> j & 1)
                                          and not (ellipsis_mask >> j & 1)]))
            continue
        if new_axis_mask >> i & 1:
            key.append(None)
            continue
        if st[i] == 0:
            raise InvalidArgumentError(f"strides[{i}] must be non-zero [Op:StridedSlice]")
        if shrink_axis_mask >> i & 1:
            d = s[dim] if dim < len(s) else 0
            if not -d <= b[i] < d:
                raise InvalidArgumentError(f"slice index {b[i]} of dimension {dim} out of "
                                           f"bounds. [Op:StridedSlice]")
            key.append(b[i])
        else:
            key.append(slice(None if begin_mask >> i & 1 else b[i],
                             None if end_mask >> i & 1 else e[i], st[i]))
        dim += 1
    if dim > len(s):
        raise InvalidArgumentError(f"Index out of range using input dim {len(s)}; input has "
                                   f"only {len(s)} dims [Op:StridedSlice]")
    return getitem(t, tuple(key))


def repeat(input, repeats, axis=None, name=None):
    cdef Tensor t = as_input(input)
    r = np.asarray(val(as_input(repeats)) if isinstance(repeats, _Tracked) else repeats)
    if axis is None:
        t = reshape(t, (-1,))
        axis = 0
    s = shape_of(t)
    ax = norm_one_axis(axis, len(s), "repeat")
    r = r.reshape(-1)
    if r.size != 1 and r.size != s[ax]:
        raise ValueError(f"Dimensions {s[ax]} and {r.size} are not compatible")
    if (r < 0).any():
        raise InvalidArgumentError(f"repeat: repeats must be non-negative, got "
                                   f"{r.tolist()} [Op:Repeat]")
    idx = np.repeat(np.arange(s[ax]), r)
    return getitem(t, (slice(None),) * ax + (idx,))


def roll(input, shift, axis, name=None):
    cdef Tensor t = as_input(input)
    s = shape_of(t)
    sh = np.asarray(val(as_input(shift)) if isinstance(shift, _Tracked) else shift).reshape(-1)
    ax = np.asarray(val(as_input(axis)) if isinstance(axis, _Tracked) else axis).reshape(-1)
    if sh.shape != ax.shape:
        raise InvalidArgumentError(f"shift and axis must have the same size [Op:Roll]")
    total = {}
    for a, k in zip(ax.tolist(), sh.tolist()):
        if not -len(s) <= a < len(s):
            raise InvalidArgumentError(f"axis {a} is out of range [-{len(s)}, {len(s)}) "
                                       f"[Op:Roll]")
        a %= len(s)
        total[a] = total.get(a, 0) + int(k)
    for a, k in sorted(total.items()):
        if s[a] and k % s[a]:
            idx = (np.arange(s[a]) - k) % s[a]
            t = getitem(t, (slice(None),) * a + (idx,))
    return t


def meshgrid(*args, **kwargs):
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"Unsupported keyword arguments: {list(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', "
                         f"got '{indexing}'")
    ts = [reshape(as_input(a), (-1,)) for a in args]
    n = len(ts)
    sizes = [shape_of(x)[0] for x in ts]
    if indexing == "xy" and n > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, x in enumerate(ts):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        shp = [1] * n
        shp[pos] = shape_of(x)[0]
        out.append(broadcast_to(reshape(x, tuple(shp)), tuple(sizes)))
    return out


def sequence_mask(lengths, maxlen=None, dtype=BOOL, name=None):
    l = np.asarray(val(int_input(lengths, "T", "SequenceMask")))
    m = int(l.max()) if maxlen is None and l.size else 0 if maxlen is None else int(
        np.asarray(val(as_input(maxlen))) if isinstance(maxlen, _Tracked) else maxlen)
    r = np.arange(m) < l[..., None]
    return wrap(r.astype(as_dtype(dtype)))


def count_nonzero(input, axis=None, keepdims=None, dtype=I64, name=None):
    cdef Tensor t = as_input(input)
    a = np.asarray(val(t))
    ax = norm_axis(axis, a.ndim, "count_nonzero")
    r = np.count_nonzero(a, axis=ax, keepdims=bool(keepdims))
    return wrap(np.asarray(r).astype(as_dtype(dtype)))


cdef Tensor image_input(object image, str what):
    cdef Tensor t = as_input(image)
    if len(shape_of(t)) < 3:
        raise ValueError(f"'{what}' (shape {shape_of(t)}) must be at least "
                         f"three-dimensional.")
    if len(shape_of(t)) > 4:
        raise ValueError(f"'{what}' must have either 3 or 4 dimensions.")
    return t


def flip_left_right(image):
    cdef Tensor t = image_input(image, "image")
    n = len(shape_of(t))
    return getitem(t, (slice(None),) * (n - 2) + (slice(None, None, -1),))


def flip_up_down(image):
    cdef Tensor t = image_input(image, "image")
    n = len(shape_of(t))
    return getitem(t, (slice(None),) * (n - 3) + (slice(None, None, -1),))


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows of params (a list of shards: TensorFlow 2's 'div' strategy, which is their
    concatenation), clipped to an L2 norm of max_norm when given."""
    if isinstance(params, (list, tuple)):
        shards = [as_input(p) for p in params]
        table = shards[0] if len(shards) == 1 else concat(shards, 0)
    else:
        table = as_input(params)
    r = gather(table, ids)
    if max_norm is not None:
        nd = len(shape_of(table)) - 1
        axes = tuple(range(len(shape_of(r)) - nd, len(shape_of(r))))
        # scalar rows: the norm is the absolute value
        r = clip_by_norm(r, max_norm, axes=axes) if nd else clip_by_value(r, -max_norm, max_norm)
    return r


from collections import namedtuple
TopKV2 = namedtuple("TopKV2", ["values", "indices"])
Unique = namedtuple("Unique", ["y", "idx"])
