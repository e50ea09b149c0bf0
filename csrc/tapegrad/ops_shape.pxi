# Public shape and indexing ops. Most are compositions of reshape and getitem (whose
# gradient scatters back with scatter_add), so their gradients come for free; tile and
# constant pad are primitives (rules_shape.pxi). shape_, size_, rank_ and range_ are
# tg.shape, tg.size, tg.rank and tg.range, named apart from the builtins.


cdef Tensor int_input(object x, str what, str tf_name):
    """An index tensor: integers only, as TensorFlow's Tindices."""
    cdef Tensor t = as_input(x)
    if dtype_of(t).kind not in "iu":
        raise InvalidArgumentError(
            f"Value for attr '{what}' of {dtype_of(t).name} is not in the list of allowed "
            f"values: int16, int32, int64 [Op:{tf_name}]")
    return t


def expand_dims(input, axis, name=None):
    cdef Tensor t = as_input(input)
    s = shape_of(t)
    n = len(s)
    if isinstance(axis, _Tracked):
        axis = int(axis)
    if not -n - 1 <= axis <= n:
        raise InvalidArgumentError(f"Tried to expand dim index {axis} for tensor with {n} "
                                   f"dimensions. [Op:ExpandDims]")
    a = axis % (n + 1)
    return reshape(t, s[:a] + (1,) + s[a:])


def squeeze(input, axis=None, name=None):
    cdef Tensor t = as_input(input)
    s = shape_of(t)
    if axis is None:
        return reshape(t, tuple([d for d in s if d != 1]))
    axes = norm_axis(axis, len(s), "squeeze", True)   # TensorFlow's squeeze takes repeats
    for a in axes:
        if s[a] != 1:
            raise InvalidArgumentError(f"Can not squeeze dim[{a}], expected a dimension of "
                                       f"1, got {s[a]} [Op:Squeeze]")
    return reshape(t, tuple([d for i, d in enumerate(s) if i not in axes]))


def unstack(value, num=None, axis=0, name=None):
    cdef Tensor t = as_input(value)
    s = shape_of(t)
    if isinstance(axis, int) and not -len(s) <= axis < len(s):   # TensorFlow: a ValueError
        raise ValueError(f"Argument `axis` = {axis} not in range [{-len(s)}, {len(s)})")
    ax = norm_one_axis(axis, len(s), "unstack")
    if num is not None and num != s[ax]:
        raise InvalidArgumentError(f"Input shape axis {ax} must equal {num}, got shape "
                                   f"{list(s)} [Op:Unpack]".replace(", ", ","))
    lead = (slice(None),) * ax
    return [getitem(t, lead + (i,)) for i in range(s[ax])]


def split(value, num_or_size_splits, axis=0, num=None, name=None):
    cdef Tensor t = as_input(value)
    s = shape_of(t)
    ax = norm_one_axis(axis, len(s), "split")
    n = s[ax]
    if isinstance(num_or_size_splits, _Tracked):
        num_or_size_splits = np.asarray(num_or_size_splits).tolist()
    if isinstance(num_or_size_splits, (int, np.integer)):
        k = int(num_or_size_splits)
        if k <= 0 or n % k:
            raise InvalidArgumentError(
                f"Number of ways to split should evenly divide the split dimension, but got "
                f"split_dim {ax} (size = {n}) and num_split {k} [Op:Split]")
        sizes = [n // k] * k
    else:
        sizes = [int(d) for d in num_or_size_splits]
        if sizes.count(-1) > 1 or any([d < -1 for d in sizes]):
            raise InvalidArgumentError(f"split: size_splits must be non-negative, with at "
                                       f"most one -1, got {sizes} [Op:SplitV]")
        if -1 in sizes:
            sizes[sizes.index(-1)] = n - (sum(sizes) + 1)
        if sum(sizes) != n or any([d < 0 for d in sizes]):
            raise InvalidArgumentError(
                f"Determined shape must either match input shape along split_dim exactly if "
                f"fully specified, or be less than the size of the input along split_dim if "
                f"not fully specified.  Got: {sum(sizes)} [Op:SplitV]")
        # with a count TensorFlow ignores `num`: it gives the number of outputs of a list
        if num is not None and int(num) != len(sizes):
            raise InvalidArgumentError(f"size of the split_tensor must be 1-D and have the "
                                       f"same elements as outputs got 1 -D and {len(sizes)} "
                                       f"elements [Op:SplitV]")
    lead = (slice(None),) * ax
    out, start = [], 0
    for d in sizes:
        out.append(getitem(t, lead + (slice(start, start + d),)))
        start += d
    return out


def tile(input, multiples, name=None):
    cdef Tensor t = as_input(input)
    m = norm_shape(multiples, "tile")
    if len(m) != len(shape_of(t)):
        raise InvalidArgumentError(f"Expected multiples argument to be a vector of length "
                                   f"{len(shape_of(t))} but got length {len(m)} [Op:Tile]")
    if any([d < 0 for d in m]):
        raise InvalidArgumentError(f"Expected multiples[i] >= 0, got {list(m)} [Op:Tile]")
    return apply(OP_TILE, (t,), (m,))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Constant padding is a primitive; REFLECT and SYMMETRIC index the input with
    mirrored positions, axis by axis (getitem: their gradient adds the mirrored parts)."""
    cdef Tensor t = as_input(tensor)
    s = shape_of(t)
    p = np.asarray(paddings.numpy() if isinstance(paddings, _Tracked) else paddings)
    if p.dtype.kind not in "iu" or p.shape != (len(s), 2):
        raise InvalidArgumentError(f"The first dimension of paddings must be the rank of "
                                   f"inputs {len(s)}, and paddings must be an integer matrix "
                                   f"of shape [{len(s)},2], got {p.tolist()} [Op:Pad]")
    if (p < 0).any():
        raise InvalidArgumentError(f"Paddings must be non-negative: {p.tolist()} [Op:Pad]")
    m = str(mode).upper()
    if m not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f'Value of argument `mode` expected to be one of "CONSTANT", '
                         f'"REFLECT", or "SYMMETRIC". Received `mode` = {m}')
    pads = tuple([(int(b), int(a)) for b, a in p])
    if m == "CONSTANT":
        c = val(like(constant_values, t)).item()
        return apply(OP_PAD, (t,), (pads, c)) if p.any() else t
    off = 1 if m == "REFLECT" else 0
    for i, ((b, a), d) in enumerate(zip(pads, s)):
        if b > d - off or a > d - off:
            raise InvalidArgumentError(
                f"paddings must be {'less than' if off else 'no greater than'} the dimension "
                f"size: {b}, {a} {'not less than' if off else 'greater than'} {d} "
                f"[Op:MirrorPad]")
        if b or a:
            idx = np.pad(np.arange(d), (b, a), mode=m.lower())
            t = getitem(t, (slice(None),) * i + (idx,))
    return t


def reverse(tensor, axis, name=None):
    cdef Tensor t = as_input(tensor)
    n = len(shape_of(t))
    axes = axis if isinstance(axis, (list, tuple)) else np.asarray(axis).reshape(-1).tolist()
    norm = [norm_one_axis(a, n, "reverse") for a in axes]
    if len(set(norm)) != len(norm):
        raise InvalidArgumentError(f"reverse: axis {list(axes)} is duplicated [Op:ReverseV2]")
    return getitem(t, tuple([slice(None, None, -1) if i in norm else slice(None)
                             for i in range(n)]))


cdef object first_bad(object idx, tuple bounds):
    """Where the first index row (last axis of idx) falls outside bounds, or None:
    TensorFlow refuses out-of-range and negative indices on the CPU."""
    if not len(bounds):
        return None
    bad = ((idx < 0) | (idx >= np.asarray(bounds))).any(-1)
    return tuple(np.argwhere(bad)[0].tolist()) if bad.any() else None


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:], as one
    integer-array index (so the gradient is getitem's scatter_add)."""
    cdef Tensor t = as_input(params)
    idx = val(int_input(indices, "Tindices", "GatherV2"))
    idx = np.asarray(idx)
    s = shape_of(t)
    bd = int(batch_dims) + (idx.ndim if batch_dims < 0 else 0)
    ax = norm_one_axis(bd if axis is None else axis, len(s), "gather")
    if not 0 <= bd <= min(ax, idx.ndim) or s[:bd] != idx.shape[:bd]:
        raise InvalidArgumentError(f"gather: batch_dims {batch_dims} must be at most axis "
                                   f"{ax} and the rank of indices, and the first batch_dims "
                                   f"dimensions of params {list(s)} and indices "
                                   f"{list(idx.shape)} must match [Op:GatherV2]")
    pos = None
    if idx.size and (idx.min() < 0 or idx.max() >= s[ax]):   # two reductions, not a mask
        pos = first_bad(idx[..., None], (s[ax],))
    if pos is not None:
        raise InvalidArgumentError(f"indices[{','.join([str(i) for i in pos])}] = {idx[pos]} "
                                   f"is not in [0, {s[ax]}) [Op:GatherV2]")
    if bd == 0 and ax == 0:
        return gather0(t, idx)    # its gradient is an IndexedSlices (sparse.pxi)
    if bd == 0:
        return getitem(t, (slice(None),) * ax + (idx,))
    # every leading axis indexed by a broadcast arange: the result keeps their order
    rest = idx.ndim - bd
    nlead = ax
    key = []
    for i in range(nlead):
        shp = [1] * (nlead + rest)
        shp[i] = s[i]
        key.append(np.arange(s[i]).reshape(shp))
    key.append(idx.reshape(idx.shape[:bd] + (1,) * (nlead - bd) + idx.shape[bd:]))
    return getitem(t, tuple(key))


def gather_nd(params, indices, batch_dims=0, name=None):
    cdef Tensor t = as_input(params)
    idx = np.asarray(val(int_input(indices, "Tindices", "GatherNd")))
    s = shape_of(t)
    bd = int(batch_dims)
    if idx.ndim < 1 or idx.shape[-1] > len(s) - bd or s[:bd] != idx.shape[:bd]:
        raise InvalidArgumentError(f"gather_nd: indices of shape {list(idx.shape)} do not "
                                   f"index into params of shape {list(s)} with batch_dims "
                                   f"{bd} [Op:GatherNd]")
    k = idx.shape[-1]
    pos = first_bad(idx, s[bd:bd + k])
    if pos is not None:
        raise InvalidArgumentError(f"indices[{','.join([str(i) for i in pos])}] = "
                                   f"{idx[pos].tolist()} does not index into param shape "
                                   f"{list(s)} [Op:GatherNd]".replace(", ", ","))
    inner = idx.ndim - 1 - bd
    key = []
    for i in range(bd):
        shp = [1] * (bd + inner)
        shp[i] = s[i]
        key.append(np.arange(s[i]).reshape(shp))
    key += [idx[..., j] for j in range(k)]
    return getitem(t, tuple(key))


def boolean_mask(tensor, mask, axis=None, name=None):
    cdef Tensor t = as_input(tensor)
    cdef Tensor m = as_input(mask) if isinstance(mask, _Tracked) else to_tensor(mask, BOOL)
    if dtype_of(m) != BOOL:
        raise TypeError(f"boolean_mask: mask must be a bool tensor, got {dtype_of(m).name}")
    ax = 0 if axis is None else norm_one_axis(axis, len(shape_of(t)), "boolean_mask")
    mv = np.asarray(val(m))
    s = shape_of(t)
    if mv.ndim == 0 or s[ax:ax + mv.ndim] != mv.shape:
        raise ValueError(f"Shapes {s[ax:ax + mv.ndim]} and {mv.shape} are incompatible "
                         f"(boolean_mask: the mask must match the tensor's shape from axis)")
    return getitem(t, (slice(None),) * ax + np.nonzero(mv))


cdef tuple scatter_key(Tensor t, object indices, Tensor u, str tf_name):
    """The index of tensor_scatter_nd_*: one integer array per indexed axis."""
    idx = np.asarray(val(int_input(indices, "Tindices", tf_name)))
    s = shape_of(t)
    if idx.ndim < 1 or idx.shape[-1] > len(s):
        raise InvalidArgumentError(f"Index innermost dimension length must be <= tensor "
                                   f"rank; saw: {idx.shape[-1:]} vs. {len(s)} [Op:{tf_name}]")
    k = idx.shape[-1]
    want = idx.shape[:-1] + s[k:]
    if shape_of(u) != want:
        raise InvalidArgumentError(f"Dimensions [0,{idx.ndim - 1}) of indices"
                                   f"[shape={list(idx.shape)}] = {list(idx.shape[:-1])} must "
                                   f"match dimensions of updates[shape={list(shape_of(u))}], "
                                   f"expected updates of shape {list(want)} [Op:{tf_name}]"
                                   .replace(", ", ","))
    pos = first_bad(idx, s[:k])
    if pos is not None:
        raise InvalidArgumentError(f"indices[{','.join([str(i) for i in pos])}] = "
                                   f"{idx[pos].tolist()} does not index into shape "
                                   f"{list(s)} [Op:{tf_name}]".replace(", ", ","))
    return tuple([idx[..., j] for j in range(k)])


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    cdef Tensor t = as_input(tensor)
    cdef Tensor u = like(updates, t)
    key = scatter_key(t, indices, u, "TensorScatterAdd")
    return t + scatter_add(u, shape_of(t), key)


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """tensor with the indexed elements replaced (repeated indices add up: TensorFlow
    leaves their order unspecified)."""
    cdef Tensor t = as_input(tensor)
    cdef Tensor u = like(updates, t)
    key = scatter_key(t, indices, u, "TensorScatterUpdate")
    hit = np.zeros(shape_of(t), bool)
    hit[key] = True
    return where(wrap(hit), scatter_add(u, shape_of(t), key), t)


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """Not differentiable (TensorFlow's gradient reaches only on_value and off_value)."""
    idx = np.asarray(val(int_input(indices, "TI", "OneHot")))
    on = None if on_value is None else to_tensor(on_value, dtype)
    off = None if off_value is None else to_tensor(off_value, dtype)
    dt = as_dtype(dtype) or (dtype_of(on) if on is not None else
                             dtype_of(off) if off is not None else F32)
    onv = val(on) if on is not None else np.ones((), dt)
    offv = val(off) if off is not None else np.zeros((), dt)
    depth = int(depth)
    if depth < 0:
        raise InvalidArgumentError(f"depth must be non-negative, got: {depth} [Op:OneHot]")
    hot = idx[..., None] == np.arange(depth)
    r = np.where(hot, onv, offv).astype(dt)
    if axis is not None and axis != -1:
        r = np.moveaxis(r, -1, norm_one_axis(axis, idx.ndim + 1, "one_hot"))
    return wrap(r)


cdef object value_dtype(object x):
    return dtype_of(as_input(x)) if isinstance(x, _Tracked) else default_array(x).dtype


def range_(start, limit=None, delta=1, dtype=None, name="range"):
    """tg.range: the widest dtype of its arguments (int32 < int64 < float32 < float64)."""
    if limit is None:
        start, limit = 0, start
    order = [I32, I64, F32, F64]
    if dtype is None:
        dts = [value_dtype(v) for v in (start, limit, delta)]
        dtype = max(dts, key=lambda d: order.index(d) if d in order else 0)
    dtype = as_dtype(dtype)
    st, li, de = [np.asarray(v).item() for v in (start, limit, delta)]
    if de == 0:
        raise InvalidArgumentError("Requires delta != 0: 0 [Op:Range]")
    try:
        return wrap(np.arange(st, li, de).astype(dtype))
    except (ValueError, MemoryError):   # more elements than an array can hold
        raise InvalidArgumentError(f"Requires ((limit - start) / delta) <= "
                                   f"{np.iinfo(np.int64).max} [Op:Range]") from None


def linspace(start, stop, num, name=None, axis=0):
    """num evenly spaced values from start to stop (integers give float64), a composite:
    differentiable in start and stop."""
    a = as_input(start) if isinstance(start, _Tracked) else to_tensor(start)
    if not is_float(a):
        a = cast(a, F64)
    b = like(stop, a)
    n = int(num)
    if n < 0:
        raise InvalidArgumentError(f"linspace: num must be >= 0, got {n} [Op:LinSpace]")
    s = shape_of(a)
    ax = norm_one_axis(axis, len(s) + 1, "linspace")
    w = np.arange(n, dtype=dtype_of(a)) / max(n - 1, 1)
    w = wrap(w.reshape((1,) * ax + (n,) + (1,) * (len(s) - ax)))
    a, b = expand_dims(a, ax), expand_dims(b, ax)
    return a + (b - a) * w


def eye(num_rows, num_columns=None, batch_shape=None, dtype=F32, name=None):
    m, n = new_dims((num_rows, num_rows if num_columns is None else num_columns), "eye", "Fill")
    e = np.eye(m, n, dtype=as_dtype(dtype))
    if batch_shape is not None:
        e = np.broadcast_to(e, norm_shape(batch_shape, "eye") + e.shape).copy()
    return wrap(e)


def shape_(input, out_type=I32, name=None):
    return wrap(np.array(shape_of(as_input(input)), as_dtype(out_type)))


def size_(input, out_type=I32, name=None):
    return wrap(np.array(int(np.prod(shape_of(as_input(input)))), as_dtype(out_type)))


def rank_(input, name=None):
    return wrap(np.array(len(shape_of(as_input(input))), I32))
