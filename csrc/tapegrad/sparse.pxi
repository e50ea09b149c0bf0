# Sparse gradients, as TensorFlow's: tg.IndexedSlices, the gradient of gather on axis 0
# (and so of embedding_lookup) with respect to its params; its densifying; the reverse
# sweep's accumulation of such adjoints (tape.pxi's Sweep.add hands them here); and the
# variables' sparse updates (scatter_*, assign_add/assign_sub of slices).
#
# In a sweep on NumPy arrays a sparse adjoint is an IndexedSlices of Tensors wrapping the
# arrays (no copy); in a recorded sweep its values are recorded Tensors, so higher orders
# differentiate through them. Sparse adjoints of one slot are concatenated (TensorFlow's
# AggregateIndexedSlicesGradients), never densified: an embedding table's gradient costs
# the size of the rows looked up. A sparse adjoint meets a dense one: the sum is dense
# (TensorFlow's add_n), made once, the rows added in place.


cdef class IndexedSlices:
    """A sparse representation of a set of tensor slices at given indices: row i of
    `values` is the slice at `indices[i]` of a dense tensor of shape `dense_shape`
    (repeated indices add up when densified, as TensorFlow's)."""
    cdef readonly Tensor values
    cdef readonly Tensor indices
    cdef readonly object dense_shape    # a 1-D integer Tensor, or None

    def __init__(self, values, indices, dense_shape=None):
        self.values = as_input(values)
        self.indices = as_input(indices)
        self.dense_shape = None if dense_shape is None else as_input(dense_shape)

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def shape(self):
        """The dense shape, a TensorShape (None when dense_shape is unknown)."""
        if self.dense_shape is None:
            return None
        return TensorShape([int(d) for d in np.asarray(val(<Tensor>self.dense_shape)).reshape(-1)])

    @property
    def device(self):
        return self.values.device

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    def consumers(self):
        return []

    def __neg__(self):
        return new_slices(-self.values, self.indices, self.dense_shape)

    def __str__(self):
        shape = "" if self.dense_shape is None else f", dense_shape={str(self.dense_shape)}"
        return f"IndexedSlices(indices={str(self.indices)}, values={str(self.values)}{shape})"

    def _as_dense_tensor(self):
        """What convert_to_tensor and every op read: the dense tensor (tensor.pxi)."""
        return slices_dense(self)

    def __reduce__(self):
        return (IndexedSlices, (self.values, self.indices, self.dense_shape))


cdef IndexedSlices new_slices(Tensor values, Tensor indices, object dense_shape):
    cdef IndexedSlices s = IndexedSlices.__new__(IndexedSlices)
    s.values = values
    s.indices = indices
    s.dense_shape = dense_shape
    return s


cdef tuple dense_dims(IndexedSlices s):
    if s.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices for argument "
                         f"`value` without dense_shape: {s}")
    return tuple([int(d) for d in np.asarray(val(<Tensor>s.dense_shape)).reshape(-1)])


cpdef Tensor slices_dense(IndexedSlices s):
    """The dense tensor: the values summed into zeros at their indices (TensorFlow's
    unsorted_segment_sum, so recorded, and differentiable in the values)."""
    cdef tuple shape = dense_dims(s)
    return unsorted_segment_sum(s.values, s.indices, shape[0] if shape else 0)


# The op table's gather on axis 0 (batch_dims 0), attributes (indices,). Its VJP is
# sparse; over a batch of gradients (a vectorized jacobian) it is dense, as TensorFlow's
# jacobians are.
def _gather_np(a, idx):
    return a[idx]

def _gather_vjp(tg, g, x, y, idx):
    shape = tuple(x.shape)
    if tg is NPB:
        return tg.scatter_add(g, shape, (idx,))
    n = idx.size
    v = tg.reshape(g, (n,) + shape[1:])
    return new_slices(v if type(v) is Tensor else wrap(v), wrap(idx.reshape(-1)),
                      wrap(np.array(shape, I32)))

cdef int OP_GATHER = defop("gather", "GatherV2", 1, _gather_np, _gather_vjp,
                           lambda tg, t, x, y, idx: t[idx], batch=True, shapes_only=True)


cdef Tensor gather0(Tensor t, object idx):
    """params[indices] on axis 0 (tg.gather's usual case), recorded as OP_GATHER."""
    return apply(OP_GATHER, (t,), (idx,))


# The sweep's accumulation (Sweep.add, for a slot whose adjoint is, or gets, sparse) -------

cdef int add_slices(Sweep sw, int s, object g) except -1:
    """Add g (an IndexedSlices, or a dense adjoint where slot s's is sparse) into slot s's
    adjoint; returns the slot's new `has` code: 4 sparse, 1 or 2 dense (2: an array the
    sweep owns)."""
    cdef IndexedSlices sp
    if not sw.has[s]:
        sw.oadj[s] = g
        return 4
    old = sw.oadj[s]
    if type(old) is IndexedSlices and type(g) is IndexedSlices:
        # the sweep runs last op first: g's rows go first, so that the rows come in the
        # order of the ops that made them, as TensorFlow's
        sw.oadj[s] = concat_slices(<IndexedSlices>g, <IndexedSlices>old, sw.rec)
        return 4
    if type(g) is IndexedSlices:
        sp, d, owned = g, old, sw.has[s] == 2
    else:
        sp, d, owned = old, g, False
    if sw.rec:
        sw.oadj[s] = binary(OP_ADD, as_input(d), slices_dense(sp))
        return 1
    # one dense array, the rows added in place (into a copy unless the sweep owns it)
    buf = d if owned else np.array(d, dtype=dtype_of(sp.values))
    rows, v = summed_rows(val(sp.indices), val(sp.values))
    buf[rows] += v
    sw.oadj[s] = buf
    return 2


cdef IndexedSlices concat_slices(IndexedSlices a, IndexedSlices b, bint rec):
    ia, ib = val(a.indices), val(b.indices)
    if ia.dtype != ib.dtype:      # TensorFlow's _as_indexed_slices_list: int64 for both
        ia, ib = ia.astype(np.int64), ib.astype(np.int64)
    if rec:
        v = concat([a.values, b.values], 0)
    else:
        v = wrap(np.concatenate([val(a.values), val(b.values)], 0))
    return new_slices(v, wrap(np.concatenate([ia, ib])), a.dense_shape)


cdef bint pass_slices(Sweep sw, Node nd) except -1:
    """identity and cast pass a sparse adjoint through (cast: its values), as TensorFlow's
    _IdGrad and _CastGrad; a concatenation on axis 0 (embedding_lookup's shards) gives
    each input the rows that fall in it, as TensorFlow's per-shard gathers. True when
    the node was handled so."""
    cdef IndexedSlices g
    cdef int op = nd.op, o = nd.out, in0 = nd.in0, aux = nd.aux, j, s
    if op != OP_IDENTITY and op != OP_CAST and op != OP_CONCAT:
        return False
    rec = sw.tape.saved[aux]
    if op == OP_CONCAT and rec[2][0] != 0:
        return False
    g = sw.oadj[o]
    if op == OP_CONCAT:
        slots = rec[3] if nd.flags & N_NARY else (nd.in0, nd.in1)
        idx = val(g.indices).reshape(-1)
        start = 0
        for j in range(len(rec[0])):
            n = shape_of(<Tensor>rec[0][j])[0]
            s = slots[j]
            if s >= 0 and sw.reach[s]:
                sel = np.flatnonzero((idx >= start) & (idx < start + n))
                v = getitem(g.values, (sel,)) if sw.rec else wrap(val(g.values)[sel])
                sw.add(s, new_slices(v, wrap(idx[sel] - idx.dtype.type(start)),
                                     wrap(np.array(shape_of(<Tensor>rec[0][j]), I32))))
            start += n
    elif in0 >= 0 and sw.reach[in0]:
        if op == OP_CAST:
            dt = dtype_of(<Tensor>rec[0][0])
            if dt.kind != "f":
                return True
            g = new_slices(cast(g.values, dt), g.indices, g.dense_shape)
        sw.add(in0, g)
    if not sw.keep:
        sw.tape.saved[aux] = None
        if not sw.reach[o] & 2:
            sw.oadj[o] = None
    return True


cdef object dense_adjoint(IndexedSlices sp, bint rec):
    """A sparse adjoint that a rule is about to read: dense (a Tensor in a recorded
    sweep, else an array)."""
    if rec:
        return slices_dense(sp)
    z = np.zeros(dense_dims(sp), dtype_of(sp.values))
    rows, v = summed_rows(val(sp.indices), val(sp.values))
    z[rows] = v
    return z


cdef tuple summed_rows(object idx, object vals):
    """(distinct rows, their values): rows given more than once summed first, in the
    order given, as densifying sums them (one sort and one reduceat: np.add.at goes
    element by element, 20 times slower on rows of 64)."""
    cdef int nd = idx.ndim
    idx = idx.reshape(-1)
    vals = vals.reshape((idx.size,) + vals.shape[nd:])
    if idx.size < 2:
        return idx, vals
    order = np.argsort(idx, kind="stable")
    srt = idx[order]
    first = np.empty(srt.size, np.bool_)
    first[0] = True
    np.not_equal(srt[1:], srt[:-1], out=first[1:])
    if first.all():
        return idx, vals
    starts = np.flatnonzero(first)
    return srt[starts], np.add.reduceat(vals[order], starts, 0)


cdef bint distinct(object idx):
    if idx.size < 2:
        return True
    srt = np.sort(idx)
    return not (srt[1:] == srt[:-1]).any()


# Sparse updates of variables ---------------------------------------------------------------

cdef tuple update_rows(Variable v, object delta, str what):
    """The (flat row indices, values of shape (n,) + rest) of a sparse update, checked as
    TensorFlow's ResourceScatter* kernels."""
    cdef Tensor cur = var_value(v)
    cdef IndexedSlices sp
    if type(delta) is not IndexedSlices:
        raise TypeError(f"Argument `sparse_delta` must be a `tf.IndexedSlices`. Received "
                        f"arg: {delta}")
    sp = delta
    idx = np.asarray(val(sp.indices))
    vals = val(to_tensor(sp.values, dtype_of(cur)))
    vals = np.asarray(vals)
    op = ("ResourceScatter" + what[8:].capitalize() if what.startswith("scatter_")
          else "UnsortedSegmentSum")
    vshape = shape_of(cur)
    if not what.startswith("scatter_"):   # assign_add/assign_sub: the dense tensor's rules
        if dense_dims(sp) != vshape:
            raise InvalidArgumentError(
                f"Cannot update variable with shape {_dims(vshape)} using a Tensor with "
                f"shape {_dims(dense_dims(sp))}, shapes must be equal.")
        if idx.size and idx.max() >= vshape[0]:
            j = int(np.argmax(idx.reshape(-1) >= vshape[0]))
            raise InvalidArgumentError(f"segment_ids[{j}] = {idx.reshape(-1)[j]} is out of "
                                       f"range [0, {vshape[0]}) [Op:{op}]")
    if not vshape:
        raise InvalidArgumentError(f"Parameter must be at least a vector, got shape [] "
                                   f"[Op:{op}]")
    if (vals.shape[:idx.ndim] != idx.shape or vals.shape[idx.ndim:] != vshape[1:]) and vals.ndim:
        raise InvalidArgumentError(
            f"Must have updates.shape = indices.shape + params.shape[1:] or updates.shape "
            f"= [], got updates.shape {_dims(vals.shape)}, indices.shape {_dims(idx.shape)}, "
            f"params.shape {_dims(vshape)} [Op:{op}]")
    idx = idx.reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= vshape[0]) and op != "UnsortedSegmentSum":
        j = int(np.argmax((idx < 0) | (idx >= vshape[0])))
        raise InvalidArgumentError(f"indices[{j}] = {idx[j]} is not in [0, {vshape[0]}) "
                                   f"[Op:{op}]")
    vals = np.broadcast_to(vals, (idx.size,) + vshape[1:]) if not vals.ndim else \
        vals.reshape((idx.size,) + vshape[1:])
    return idx, vals


cdef tuple kept_rows(object idx, object vals):
    """Negative indices dropped (densifying an IndexedSlices drops them, as TensorFlow's
    unsorted_segment_sum)."""
    keep = idx >= 0
    if keep.all():
        return idx, vals
    return idx[keep], vals[keep]


cdef str _dims(tuple shape):
    """A shape as TensorFlow's kernel errors print it: [2,3] (also ops_train.pxi's)."""
    return "[" + ",".join([str(d) for d in shape]) + "]"


_SCATTER_UFUNC = {"scatter_add": np.add, "scatter_sub": np.subtract, "scatter_mul": np.multiply,
                  "scatter_div": np.divide, "scatter_max": np.maximum,
                  "scatter_min": np.minimum, "scatter_update": None}


cdef object var_scatter(Variable v, object delta, str what):
    """v.scatter_*(IndexedSlices): each row updated in order (repeats included, as
    TensorFlow's CPU kernels: for scatter_update the last one wins), in place when
    nobody else sees the value's array (Variable._write's rule)."""
    idx, vals = update_rows(v, delta, what)
    uf = _SCATTER_UFUNC[what]
    if what == "scatter_div" and dtype_of(var_value(v)).kind in "iu":
        uf = np.floor_divide
    write_rows(v, idx, vals, uf, distinct(idx))
    return v


cdef object var_add_slices(Variable v, object delta, bint subtract):
    """assign_add / assign_sub of an IndexedSlices: TensorFlow densifies it and adds; the
    same numbers (repeated rows summed first), touching only the rows given."""
    what = "assign_sub" if subtract else "assign_add"
    idx, vals = update_rows(v, delta, what)
    idx, vals = kept_rows(idx, vals)
    rows, vals = summed_rows(idx, vals)
    write_rows(v, rows, vals, np.subtract if subtract else np.add, True)
    return v


cdef void write_rows(Variable v, object idx, object vals, object uf, bint unique) except *:
    """a[idx] = uf(a[idx], vals) row by row, in place when nobody else sees the value's
    array; rows all distinct: one fancy-indexed update (uf.at goes element by element)."""
    cdef cnp.ndarray a
    if v._sole_owner():
        a = v._value._a
        cnp.PyArray_ENABLEFLAGS(a, cnp.NPY_ARRAY_WRITEABLE)
        try:
            update_rows_of(a, idx, vals, uf, unique)
        finally:
            cnp.PyArray_CLEARFLAGS(a, cnp.NPY_ARRAY_WRITEABLE)
        v._value = copy_of(v._value)
    else:
        a = np.array(val(var_value(v)))
        update_rows_of(a, idx, vals, uf, unique)
        v._value = wrap(a)


cdef void update_rows_of(cnp.ndarray a, object idx, object vals, object uf,
                         bint unique) except *:
    if uf is None:
        a[idx] = vals
    elif unique:
        a[idx] = uf(a[idx], vals)
    else:
        uf.at(a, idx, vals)
