# The tape: slots, watching, recording nodes, and the reverse sweep.

from tapegrad.errors import InternalError

cdef long long _next_id = 1
_ONE_CALL = ("A non-persistent GradientTape can only be used to compute one set of "
             "gradients (or jacobians)")
_IN_CONTEXT = ("gradient() cannot be invoked within the GradientTape context (i.e., while "
               "operations are being recorded). Either move the call to gradient() to be "
               "outside the 'with tg.GradientTape' block, or use a persistent tape: "
               "'with tg.GradientTape(persistent=true)'")
cdef set _live = set()      # ids of tapes whose slots are still meaningful


cdef long long new_id():
    global _next_id
    _next_id += 1
    return _next_id


cdef inline int slot_on(_Tracked t, long long tid):
    """The slot of `t` on tape `tid`, or -1."""
    if t._tid == tid:
        return t._slot
    if t._ext is not None:
        return t._ext.get(tid, -1)
    return -1


cdef void set_slot(_Tracked t, long long tid, int s):
    if t._tid == tid or t._tid == 0 or t._tid not in _live:
        t._tid = tid
        t._slot = s
        return
    if t._ext is None:
        t._ext = {}
    else:
        for key in [key for key in t._ext if 0 < key and key not in _live]:
            del t._ext[key]
    t._ext[tid] = s


# One spare pair of record buffers, the largest a released tape left (module globals,
# under the GIL): a training loop makes a tape of the same size every step, and taking
# the last one's buffers spares it growing from 64 nodes again (a realloc that cannot grow
# in place copies the record so far, and fresh pages fault in: bench/README.md, 2026-12-03).
cdef enum: SPARE_MAX_NODES = 1 << 20   # 40 MB: a larger record goes back to the allocator
cdef Node* _spare_nodes = NULL
cdef int _spare_cap_nodes = 0
cdef unsigned char* _spare_slotk = NULL
cdef int _spare_cap_slots = 0


cdef void take_buffers(Tape t) except *:
    """Give an empty tape its buffers: the spare ones if any, else 64 entries each."""
    global _spare_nodes, _spare_cap_nodes, _spare_slotk, _spare_cap_slots
    if _spare_nodes != NULL:
        t.nodes, t.cap_nodes = _spare_nodes, _spare_cap_nodes
        _spare_nodes, _spare_cap_nodes = NULL, 0
    else:
        t.nodes, t.cap_nodes = <Node*>malloc(64 * sizeof(Node)), 64
    if _spare_slotk != NULL:
        t.slotk, t.cap_slots = _spare_slotk, _spare_cap_slots
        _spare_slotk, _spare_cap_slots = NULL, 0
    else:
        t.slotk, t.cap_slots = <unsigned char*>malloc(64), 64
    if t.nodes == NULL or t.slotk == NULL:
        raise MemoryError()


cdef void give_buffers(Tape t) noexcept:
    """Take a tape's buffers back (it keeps none): kept as the spares when larger than
    them (and not huge), else freed."""
    global _spare_nodes, _spare_cap_nodes, _spare_slotk, _spare_cap_slots
    if t.nodes != NULL and _spare_cap_nodes < t.cap_nodes <= SPARE_MAX_NODES:
        free(_spare_nodes)
        _spare_nodes, _spare_cap_nodes = t.nodes, t.cap_nodes
    else:
        free(t.nodes)
    if t.slotk != NULL and _spare_cap_slots < t.cap_slots <= 2 * SPARE_MAX_NODES:
        free(_spare_slotk)
        _spare_slotk, _spare_cap_slots = t.slotk, t.cap_slots
    else:
        free(t.slotk)
    t.nodes = NULL
    t.slotk = NULL
    t.n_nodes = t.n_slots = t.cap_nodes = t.cap_slots = 0


cdef class Tape:
    """The compiled record behind a GradientTape (see _tape.pxd for the fields)."""

    def __cinit__(self, bint persistent=False, bint watch_accessed_variables=True,
                  bint keep_values=False):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._init()
        if keep_values:
            self.kept = []

    cdef void _init(self) except *:
        give_buffers(self)
        take_buffers(self)
        self.n_nodes = 0
        self.n_slots = 0
        self.saved = []
        self.sources = {}
        self.variables = []
        self.id = new_id()
        _live.add(self.id)
        self.used = False

    cdef void _free(self):
        give_buffers(self)
        self.saved = []
        self.sources = {}
        if self.kept is not None:
            self.kept = []
        if _live is not None:
            _live.discard(self.id)

    def __dealloc__(self):
        give_buffers(self)
        if _live is not None:
            _live.discard(self.id)

    # recording on and off ------------------------------------------------------------

    def start(self):
        if self.recording:
            raise ValueError("Tape is still recording, This can happen if you try to "
                             "re-enter an already-active tape.")
        if self.used and not self.sweeps:
            self._init()
        self.started = activate(cur_state().tapes, self)
        self.recording = True

    def stop(self):
        # Stopped from another thread than the one it records in: nothing changes there
        # (as TensorFlow, whose tape sets are per thread), and gradient() in that thread
        # still finds it recording.
        if self.recording and deactivate(cur_state().tapes, self):
            self.recording = False

    # slots and nodes -----------------------------------------------------------------

    cdef int new_slot(self, int k) except -1:
        cdef unsigned char* p
        cdef int cap
        if self.n_slots == self.cap_slots:
            cap = 2 * self.cap_slots if self.cap_slots else 64   # 0: a released record
            p = <unsigned char*>realloc(self.slotk, cap)
            if p == NULL:
                raise MemoryError()
            self.slotk = p
            self.cap_slots = cap
        self.slotk[self.n_slots] = k
        self.n_slots += 1
        return self.n_slots - 1

    cdef Node* push(self) except NULL:
        cdef Node* p
        cdef int cap
        if self.n_nodes == self.cap_nodes:
            cap = 2 * self.cap_nodes if self.cap_nodes else 64
            p = <Node*>realloc(self.nodes, cap * sizeof(Node))
            if p == NULL:
                raise MemoryError()
            self.nodes = p
            self.cap_nodes = cap
        self.n_nodes += 1
        return &self.nodes[self.n_nodes - 1]

    # watching ------------------------------------------------------------------------

    def watch(self, obj):
        """Watch one Tensor or Variable (the front end flattens nests)."""
        cdef Tensor t
        if isinstance(obj, Variable):
            self.watch_var(obj, True)
        elif type(obj) is Tensor:
            t = obj
            if not is_trainable(t):
                warnings.warn(f"The dtype of the watched tensor must be floating (e.g. "
                              f"tg.float32), got {dtype_of(t).name}", stacklevel=3)
                return
            if slot_on(t, self.id) < 0:
                s = self.new_slot(t._k)
                set_slot(t, self.id, s)
                self.sources[s] = t
        else:
            raise ValueError(f"watch: passed in object of type {type(obj)}, not tg.Tensor "
                             f"or tg.Variable")

    cdef int watch_var(self, Variable v, bint explicit) except -2:
        cdef int s = slot_on(v, self.id)
        cdef Tensor value = var_value(v)
        if s >= 0:
            return s
        if not is_trainable(value):
            if explicit:
                warnings.warn(f"The dtype of the watched variable must be floating (e.g. "
                              f"tg.float32), got {dtype_of(value).name}", stacklevel=3)
            return -1
        s = self.new_slot(value._k)
        set_slot(v, self.id, s)
        self.sources[s] = v
        self.variables.append(v)
        return s

    # what was recorded, for tg.autodiff.Trace -------------------------------------------

    def recorded(self):
        """The recorded ops of a tape that keeps values, in order: for each, (op name,
        [(input slot or -1, input Tensor or None)...], output slot, output Tensor, local
        partials (d out / d input, one float per input) for an op on unboxed scalars or
        None). The sources are `source_slots()`."""
        cdef Node nd
        cdef double d0, d1
        cdef int i, k
        if self.kept is None:
            raise ValueError("recorded: this tape does not keep values (tg.autodiff.Trace does)")
        out = []
        for i in range(self.n_nodes):
            nd = self.nodes[i]
            ins, y = self.kept[i]
            n = len(ins) if ins is not None else OPS[nd.op].nargs
            if nd.flags & N_NARY:
                slots = self.saved[nd.aux][3]
            else:
                slots = (nd.in0, nd.in1)[:n]
            partials = None
            if nd.flags & N_SCALAR:
                k = self.slotk[nd.out]
                ins = (new_scalar(nd.v0, k), new_scalar(nd.v1, k))[:n]
                scalar_vjp(nd.op, 1.0, nd.v0, nd.v1, k, &d0, &d1)   # the VJP of 1
                partials = (d0, d1)[:n]
            out.append(((<OpDef>OPS[nd.op]).name, list(zip(slots, ins)), nd.out, y, partials))
        return out

    def source_slots(self):
        """{slot: the watched Tensor or Variable}."""
        return dict(self.sources)

    def watched_variables(self):
        """The watched variables in the order they were created (TensorFlow keeps them
        ordered by a creation id)."""
        return tuple(sorted(self.variables, key=lambda v: (<Variable>v)._uid))

    # the reverse sweep -----------------------------------------------------------------

    cdef list sweep(self, list targets, list sources, list seeds, bint keep, bint batch=False):
        """Adjoints of `sources` (Tensors/Variables) for the sum of `targets` weighted by
        `seeds` (one Tensor or None per target). None where a source is unconnected."""
        cdef _State st = cur_state()
        cdef bint rec = bool(st.tapes or st.accs)
        tslots = [slot_on(t, self.id) if isinstance(t, _Tracked) else -1 for t in targets]
        sslots = [slot_on(s, self.id) for s in sources]
        res = Sweep(self, rec, keep, batch and not rec).run(tslots, targets, seeds, sslots)
        # A target that is itself a source passes its seed through, watched or not
        # (TensorFlow matches them by identity: gradient(x, x) is ones).
        for i, t in enumerate(targets):
            if tslots[i] >= 0:
                continue
            for j, src in enumerate(sources):
                if src is t:
                    seed = seeds[i] if seeds[i] is not None else ones_like_t(t)
                    res[j] = seed if res[j] is None else binary(OP_ADD, res[j], seed)
        return res

    cdef void begin(self) except *:
        """A gradient or jacobian call begins. A non-persistent tape answers one: it is
        used from this moment, so that a second call (from a grad_fn inside this very
        sweep, another thread, or a re-run after Ctrl-C) is refused whatever happens
        next; its record stays valid until the call's `done`."""
        if self.used:
            if self.sweeps:
                raise InternalError("Internal state of the gradient tape is invalid: "
                                    "failed to find operation producing a tensor")
            raise RuntimeError(_ONE_CALL)
        if not self.persistent:
            if self.recording and self in cur_state().tapes:
                raise RuntimeError(_IN_CONTEXT)
            self.used = True
        self.sweeps += 1

    cdef void done(self):
        """The call has ended (returned or raised): a non-persistent tape releases its
        record."""
        self.sweeps -= 1
        if not self.persistent and not self.sweeps:
            self._free()

    def gradient(self, list targets, list sources, list seeds):
        self.begin()
        try:
            return self.sweep(targets, sources, seeds, self.persistent)
        finally:
            self.done()

    cdef list vjps(self, target, list sources, object seeds, bint vectorize):
        """For each row k of `seeds` (an array [k, *target.shape]), the gradient of
        sum(target * seeds[k]) with respect to each source, stacked: [k, *source.shape]
        per source (None where unconnected). One reverse sweep with the rows as a batch
        when `vectorize` and every op's rule takes a batch (and no tape records the
        sweep); otherwise one sweep per row."""
        cdef Tensor t = as_value(target)
        cdef int i
        cdef int k = seeds.shape[0]
        if k == 0:
            return [wrap(np.zeros((0,) + tuple(src.shape), dtype_of(t))) for src in sources]
        if vectorize and self.batchable() and not (cur_state().tapes or cur_state().accs):
            return self.sweep([target], sources, [wrap(seeds)], True, True)
        rows = [[] for _ in sources]
        for i in range(k):
            for j, g in enumerate(self.sweep([target], sources, [wrap(seeds[i])], True)):
                rows[j].append(g)
        return [None if all([g is None for g in rows[j]]) else
                stack([g if g is not None else zeros_like_t(src) for g in rows[j]])
                for j, src in enumerate(sources)]

    def jacobian(self, target, list sources, bint vectorize=True):
        """d target / d source for each source, [*target.shape, *source.shape] (None where
        unconnected): the gradients of each target element, the identity as the seeds."""
        tshape = tuple(target.shape)
        n = _size(tshape)
        seeds = np.eye(n, dtype=target.dtype).reshape((n,) + tshape)
        self.begin()
        try:
            rows = self.vjps(target, sources, seeds, vectorize)
        finally:
            self.done()
        return [None if r is None else reshape(r, tshape + tuple(src.shape))
                for r, src in zip(rows, sources)]

    def batch_jacobian(self, target, source, bint vectorize=True):
        """Per-example jacobians [b, *y, *x] of target [b, *y] and source [b, *x], as
        TensorFlow's: for each position of y, the gradient of its sum over the batch (so
        each example's block, when examples do not mix)."""
        tshape, sshape = tuple(target.shape), tuple(source.shape)
        b, ny = tshape[0], _size(tshape[1:])
        eye = np.eye(ny, dtype=target.dtype).reshape((ny, 1) + tshape[1:])
        seeds = np.broadcast_to(eye, (ny,) + tshape)
        self.begin()
        try:
            r = self.vjps(target, [source], np.ascontiguousarray(seeds), vectorize)[0]
        finally:
            self.done()
        if r is None:
            return wrap(np.zeros((b,) + tshape[1:] + sshape[1:], target.dtype))
        r = reshape(r, tshape[1:] + sshape)                    # [*y, b, *x]
        ry = len(tshape) - 1
        return transpose(r, [ry] + list(range(ry)) + list(range(ry + 1, ry + len(sshape))))


    cdef bint batchable(self):
        """Whether the rule of every op on the tape takes a batch of output gradients."""
        cdef int i
        for i in range(self.n_nodes):
            if not (<OpDef>OPS[self.nodes[i].op]).batch:
                return False
        return True


def flat_tensors(obj, bint floats):
    """The usual targets and sources of a gradient call, flattened without Python's help:
    [obj] for a Tensor or Variable, a new list for a list or tuple of them (of floating
    dtypes, with `floats`). None for anything else: a nest, another object, an integer
    source; the front end takes its general path, with its errors and warnings."""
    if type(obj) is Tensor or isinstance(obj, Variable):
        return [obj] if not floats or is_trainable(as_value(obj)) else None
    if type(obj) is not list and type(obj) is not tuple:
        return None
    for x in obj:
        if not (type(x) is Tensor or isinstance(x, Variable)):
            return None
        if floats and not is_trainable(as_value(x)):
            return None
    return list(obj)


cdef void on_read(Variable v, Tensor t):
    """A variable is read: on each recording tape, its value takes the variable's slot."""
    cdef _State st = cur_state()
    cdef Tape tape
    cdef int s
    for tape in st.tapes:
        s = slot_on(v, tape.id)
        if s < 0:
            if not (tape.watch_accessed_variables and v.trainable):
                continue
            s = tape.watch_var(v, False)
            if s < 0:
                continue
        if slot_on(t, tape.id) != s:
            set_slot(t, tape.id, s)
    if st.accs:
        read_tangent(v, t, st)


cdef void record(int op, tuple ins, Tensor out, tuple attrs, _State st, saved=None):
    """Record one op on every recording tape that tracks one of its inputs, and give its
    output a tangent on every accumulator that has one for an input. `saved`: what the
    op's `save` forward returned for its VJP."""
    record_on_tapes(op, ins, out, attrs, st, saved)
    if st.accs:
        push_tangent(op, ins, out, attrs, st)


cdef inline bint has_complex(tuple ins):
    cdef object x
    for x in ins:
        if x is not None and is_complex(<Tensor>x):
            return True
    return False


cdef void record_on_tapes(int op, tuple ins, Tensor out, tuple attrs, _State st,
                          saved=None):
    cdef Tape tape
    cdef Node* nd
    cdef int n = len(ins), j, s, s0, s1, aux
    cdef bint any_in
    cdef OpDef od = OPS[op]
    cdef Tensor x
    cdef tuple saved_ins = None
    if not is_float(out):
        if not is_complex(out):
            return
        if not od.cplx:
            op, od, attrs = OP_NO_COMPLEX_GRAD, OPS[OP_NO_COMPLEX_GRAD], (od.tf_name,)
    elif not od.cplx and has_complex(ins):
        op, od, attrs = OP_NO_COMPLEX_GRAD, OPS[OP_NO_COMPLEX_GRAD], (od.tf_name,)
    for tape in st.tapes:
        slots = None
        s0 = s1 = -1
        any_in = False
        if n == 0:
            continue
        if n <= 2:
            x = ins[0]
            s0 = slot_on(x, tape.id) if x is not None else -1
            if n == 2:
                x = ins[1]
                s1 = slot_on(x, tape.id) if x is not None else -1
            any_in = s0 >= 0 or s1 >= 0
        else:
            slots = tuple([slot_on(<Tensor>x, tape.id) if x is not None else -1 for x in ins])
            any_in = max(slots) >= 0
        if not any_in:
            continue
        # Everything that allocates (and so may run the cyclic GC, whose finalizers may
        # record ops on this very tape) comes before the node is pushed; from the push
        # to the last field, only C.
        if saved_ins is None:
            saved_ins = ins if not od.shapes_only else (
                (stand_in(<Tensor>ins[0]),) if n == 1 else
                (stand_in(<Tensor>ins[0]), stand_in(<Tensor>ins[1])) if n == 2 else
                tuple([stand_in(x) for x in ins]))
        rec = (saved_ins, saved if od.save is not None else out if od.needs_out else None,
               attrs, slots)
        aux = len(tape.saved)
        tape.saved.append(rec)
        if tape.kept is not None:     # (Trace) made, then appended with no GC before the push
            kept = (ins, out)
            tape.kept.append(kept)
        s = tape.new_slot(out._k)
        nd = tape.push()
        nd.op = op
        nd.flags = N_NARY if slots is not None else 0
        nd.out = s
        nd.in0 = s0
        nd.in1 = s1
        nd.aux = aux
        set_slot(out, tape.id, s)


cdef void record_scalar(int op, Tensor a, Tensor b, double va, double vb, Tensor out,
                        _State st):
    """Record an op on unboxed scalars: the node keeps the input values as C doubles, so
    the sweep runs it in C. (a or b may be None: a constant operand.) Where another tape
    or accumulator is active, the inputs are saved as Tensors too, so that the backward
    pass it may record stays connected."""
    cdef Tape tape
    cdef Node* nd
    cdef int s, s0, s1, aux
    cdef bint several = len(st.tapes) + len(st.accs) > 1
    for tape in st.tapes:
        s0 = slot_on(a, tape.id) if a is not None else -1
        s1 = slot_on(b, tape.id) if b is not None else -1
        if s0 < 0 and s1 < 0:
            continue
        aux = -1
        if several:   # allocates: before the push (see record_on_tapes)
            rec = (scalar_ins(op, a, b, va, vb, out._k),
                   out if (<OpDef>OPS[op]).needs_out else None, (), None)
            aux = len(tape.saved)
            tape.saved.append(rec)
        if tape.kept is not None:
            kept = (None, out)
            tape.kept.append(kept)
        s = tape.new_slot(out._k)
        nd = tape.push()
        nd.op = op
        nd.flags = N_SCALAR
        nd.out = s
        nd.in0 = s0
        nd.in1 = s1
        nd.v0 = va
        nd.v1 = vb
        nd.aux = aux
        set_slot(out, tape.id, s)
    if st.accs:
        push_tangent(op, scalar_ins(op, a, b, va, vb, out._k), out, (), st)


cdef tuple scalar_ins(int op, Tensor a, Tensor b, double va, double vb, int k):
    if OPS[op].nargs == 1:
        return (a,)
    return (a if a is not None else new_scalar(va, k), b if b is not None else new_scalar(vb, k))


@cython.final
cdef class Sweep:
    """One reverse sweep over a tape: adjoints per slot, as C doubles for unboxed scalar
    slots and as arrays (accumulated in place into buffers the sweep owns) for the rest,
    the rules running on arrays with the NumPy twins. With `rec`, some tape or
    accumulator is watching the sweep itself (higher order), so every adjoint is a Tensor
    and every rule runs on tapegrad's ops, which record it.

    Rules, grad_fns, finalizers and other threads run Python in the middle of a sweep and
    may record on this very tape (which grows, and may move, its arrays). So the sweep
    keeps no pointer into the tape: it reads tape.nodes and tape.slotk afresh, and only
    the nodes and slots that existed when it began (which never change: a record only
    grows, and is released only when no call runs over it)."""
    cdef Tape tape
    cdef bint rec
    cdef bint keep              # keep the saved records (persistent tape, or more sweeps)
    cdef bint batch             # adjoints carry a leading batch axis (a vectorized jacobian)
    cdef int n
    cdef double* sadj
    cdef unsigned char* has     # 1: has an adjoint; 2: oadj[s] is an ndarray the sweep owns;
                                # 3: oadj[s] is of another dtype than the slot (a grad_fn's);
                                # 4: oadj[s] is an IndexedSlices (sparse.pxi)
    cdef unsigned char* reach   # slot depends on a source
    cdef list oadj

    def __cinit__(self, Tape tape, bint rec, bint keep, bint batch=False):
        self.tape = tape
        self.rec = rec
        self.keep = keep
        self.batch = batch

    cdef int size(self, int n) except -1:
        """The per-slot arrays, for the n slots that exist when the sweep begins."""
        self.n = n
        self.sadj = <double*>calloc(n + 1, sizeof(double))
        self.has = <unsigned char*>calloc(n + 1, 1)
        self.reach = <unsigned char*>calloc(n + 1, 1)
        if self.sadj == NULL or self.has == NULL or self.reach == NULL:
            raise MemoryError()
        self.oadj = [None] * n
        return 0

    def __dealloc__(self):
        free(self.sadj)
        free(self.has)
        free(self.reach)

    cdef void add(self, int s, object g) except *:
        """Accumulate g into the adjoint of slot s: g is a Tensor in a recorded sweep,
        else an array or NumPy scalar (or a C double, for an unboxed scalar slot)."""
        cdef object old
        cdef double v
        if self.has[s] == 3 and not self.rec:
            self.sum_error(s, self.oadj[s], g)
        if self.has[s] == 4 or type(g) is IndexedSlices:   # a sparse adjoint (sparse.pxi)
            self.has[s] = add_slices(self, s, g)
            return
        if self.rec:
            g = as_input(g)
            self.oadj[s] = g if not self.has[s] else binary(OP_ADD, self.oadj[s], g)
            self.has[s] = 1
        elif self.tape.slotk[s] != K_ARRAY and not self.batch:
            v = g
            self.sadj[s] = round_k(self.sadj[s] + v, self.tape.slotk[s])
            self.has[s] = 1
        elif not self.has[s]:
            self.oadj[s] = g
            self.has[s] = 1
        elif self.has[s] == 2:
            old = self.oadj[s]
            np.add(old, g, out=old)
        else:
            old = np.add(self.oadj[s], g)
            self.oadj[s] = old
            self.has[s] = 2 if type(old) is ndarray else 1

    cdef void add_foreign(self, int s, object g) except *:
        """A gradient whose dtype is not its slot's (a grad_fn's float64 for a float32
        input): kept as it is, as TensorFlow passes it on to the source; summed with
        another, it is TensorFlow's AddN error; a rule given it runs on tapegrad's ops,
        which raise where TensorFlow's kernels do."""
        if self.has[s]:
            self.sum_error(s, self.get(s), g)
        self.oadj[s] = g
        self.has[s] = 3

    cdef void sum_error(self, int s, object a, object b) except *:
        raise InvalidArgumentError(
            f"cannot compute AddN as input #1(zero-based) was expected to be a "
            f"{grad_dtype(a).name} tensor but is a {grad_dtype(b).name} tensor [Op:AddN]")

    cdef object get(self, int s):
        """The adjoint of slot s, as `add` keeps it (unboxed scalars as NumPy scalars)."""
        cdef int k = self.tape.slotk[s]
        if not self.rec and not self.batch and k != K_ARRAY and self.has[s] != 3:
            return NP_F32(self.sadj[s]) if k == K_F32 else NP_F64(self.sadj[s])
        if self.has[s] == 4:     # a rule reads it: dense from here on
            self.oadj[s] = dense_adjoint(self.oadj[s], self.rec)
            self.has[s] = 1 if self.rec else 2
        return self.oadj[s]

    cdef object adjoint_of(self, Tensor t):
        """The adjoint of tensor t in this sweep, None when it has none."""
        cdef int s = slot_on(t, self.tape.id)
        return self.get(s) if 0 <= s < self.n and self.has[s] else None

    cdef object result(self, int s):
        """The adjoint of slot s as a Tensor or IndexedSlices (None when it has none)."""
        cdef int k
        if s < 0 or not self.has[s]:
            return None
        if self.has[s] == 4:
            return self.oadj[s]
        k = self.tape.slotk[s]
        if self.rec:
            return self.oadj[s]
        if k != K_ARRAY and not self.batch and self.has[s] != 3:
            return new_scalar(self.sadj[s], k)
        return wrap(self.oadj[s])

    cdef tuple revive(self, Node nd):
        """The input Tensors of a scalar node that kept only C doubles, for a recorded
        sweep: a watched source is itself; a slot of a tape that records this sweep
        keeps its slot there; anything else is a constant."""
        cdef int k = self.tape.slotk[nd.out]
        ins = []
        for slot, v in ((nd.in0, nd.v0), (nd.in1, nd.v1))[:OPS[nd.op].nargs]:
            ins.append(self.revive_one(slot, v, k))
        return tuple(ins)

    cdef Tensor revive_one(self, int slot, double v, int k):
        cdef Tensor t
        cdef Tape other
        if slot >= 0:
            src = self.tape.sources.get(slot)
            if type(src) is Tensor:
                return src
        t = new_scalar(v, k)
        if slot < 0:
            return t
        if self.tape.recording:
            set_slot(t, self.tape.id, slot)
        if isinstance(src, Variable):
            for other in cur_state().tapes:
                s = slot_on(src, other.id)
                if s >= 0 and other is not self.tape:
                    set_slot(t, other.id, s)
        return t

    cdef list run(self, list tslots, list targets, list seeds, list sslots):
        cdef Tape tape = self.tape
        cdef int i, j, s, o, nn = tape.n_nodes   # the nodes and slots this sweep covers,
        self.size(tape.n_slots)                 # read together, with no Python between
        cdef Node nd
        cdef int k
        cdef double g, d0, d1
        cdef unsigned char* reach = self.reach  # the sweep's own arrays: never move
        cdef unsigned char* has = self.has
        cdef double* sadj = self.sadj
        cdef unsigned char* slotk               # the tape's: re-read before each use
        cdef bint keep = self.keep
        cdef bint c_scalar = not self.rec and not self.batch   # scalar nodes run in C
        cdef bint foreign_any = False           # some adjoint has has[s] == 3
        cdef tuple ins, rec, attrs
        cdef list grads
        cdef unsigned long long need
        cdef set handled = None   # custom-gradient calls whose grad_fn has run

        # slots given after the sweep began (by a finalizer) are not on its nodes
        for j in range(len(sslots)):
            if sslots[j] >= self.n:
                sslots[j] = -1
        for j in range(len(tslots)):
            if tslots[j] >= self.n:
                tslots[j] = -1

        # 1. which slots depend on a source (forward over all nodes, in C)
        for s in sslots:
            if s >= 0:
                reach[s] = 3    # bit 2: a source, whose adjoint the sweep must keep
        for i in range(nn):
            nd = tape.nodes[i]
            if nd.flags & N_NARY:
                for s in tape.saved[nd.aux][3]:
                    if s >= 0 and reach[s]:
                        reach[nd.out] = 1
                        break
            elif (nd.in0 >= 0 and reach[nd.in0]) or (nd.in1 >= 0 and reach[nd.in1]):
                reach[nd.out] = 1

        # 2. seed the targets
        for j in range(len(tslots)):
            s = tslots[j]
            if s >= 0 and reach[s]:
                seed = seeds[j] if seeds[j] is not None else ones_like_t(targets[j])
                self.add(s, seed if self.rec else val(seed))

        # 3. the sweep, last node first, over the nodes between targets and sources
        for i in range(nn - 1, -1, -1):
            load_node(&nd, &tape.nodes[i])
            o = nd.out
            if not has[o] or not reach[o]:
                continue
            if nd.flags & N_NARY:
                slots = tape.saved[nd.aux][3]
                if not any([s >= 0 and reach[s] for s in slots]):
                    continue
            elif not ((nd.in0 >= 0 and reach[nd.in0]) or (nd.in1 >= 0 and reach[nd.in1])):
                continue
            if nd.flags & N_SCALAR and c_scalar and not (foreign_any and has[o] == 3):
                g = sadj[o]
                slotk = tape.slotk   # (Python ran since the last node: it may have moved)
                scalar_vjp(nd.op, g, nd.v0, nd.v1, slotk[o], &d0, &d1)
                if nd.in0 >= 0 and reach[nd.in0]:
                    k = slotk[nd.in0]
                    if foreign_any and has[nd.in0] == 3:
                        self.sum_error(nd.in0, self.oadj[nd.in0], kind_dtype(k))
                    sadj[nd.in0] = round_k(sadj[nd.in0] + round_k(d0, k), k)
                    has[nd.in0] = 1
                if nd.in1 >= 0 and reach[nd.in1]:
                    k = slotk[nd.in1]
                    if foreign_any and has[nd.in1] == 3:
                        self.sum_error(nd.in1, self.oadj[nd.in1], kind_dtype(k))
                    sadj[nd.in1] = round_k(sadj[nd.in1] + round_k(d1, k), k)
                    has[nd.in1] = 1
                continue
            if has[o] == 4 and pass_slices(self, nd):   # sparse.pxi
                continue
            if nd.aux >= 0:
                rec = tape.saved[nd.aux]
                ins = rec[0]
                out = rec[1]
                attrs = rec[2]
            else:
                ins = self.revive(nd)
                out = None
                if (<OpDef>OPS[nd.op]).needs_out:
                    out = self.revive_one(nd.out, scalar_out(nd.op, nd.v0, nd.v1,
                                                             tape.slotk[nd.out]),
                                          tape.slotk[nd.out])
                attrs = ()
            foreign = False
            if nd.op != OP_CUSTOM:
                g_out = self.get(o)
                foreign = has[o] == 3 and not self.rec
            else:
                # One call of the user's grad_fn for every output of the decorated call:
                # its nodes are consecutive and after every consumer of every output, so
                # the first of them reached has every output's adjoint complete.
                outs = attrs[1]
                if handled is None:
                    handled = set()
                elif id(outs) in handled:
                    continue
                handled.add(id(outs))
                g_out = tuple([self.adjoint_of(t) for t in outs])
            need = 0
            if nd.flags & N_NARY:
                for j in range(min(len(slots), 64)):
                    s = slots[j]
                    if s >= 0 and reach[s]:
                        need |= 1ULL << j
            else:
                if nd.in0 >= 0 and reach[nd.in0]:
                    need |= 1
                if nd.in1 >= 0 and reach[nd.in1]:
                    need |= 2
            if foreign:   # a gradient of another dtype: the rule on tapegrad's ops
                grads = call_vjp(nd.op, TG, wrap(g_out), ins,
                                 None if (<OpDef>OPS[nd.op]).save is not None else out,
                                 attrs, need)
                grads = [val(as_input(gj)) if gj is not None else None for gj in grads]
            else:
                grads = call_vjp(nd.op, TG if self.rec else NPB if self.batch else NP,
                                 g_out, ins, out, attrs, need)
            check = (foreign or nd.op == OP_CUSTOM) and not self.rec
            for j in range(len(ins)):
                s = slots[j] if nd.flags & N_NARY else nd.in0 if j == 0 else nd.in1
                if s >= 0 and reach[s] and grads[j] is not None:
                    if check and grads[j].dtype != dtype_of(<Tensor>ins[j]):
                        self.add_foreign(s, grads[j])
                        foreign_any = True
                    else:
                        self.add(s, grads[j])
            if not keep:
                if nd.aux >= 0:
                    tape.saved[nd.aux] = None
                if not reach[o] & 2:
                    self.oadj[o] = None

        return [self.result(s) for s in sslots]


cdef object grad_dtype(object g):
    """The dtype of an adjoint (an array, a NumPy scalar or a Tensor), or g if a dtype."""
    return g if isinstance(g, np.dtype) else np.asarray(g).dtype


cdef inline void load_node(Node* nd, const Node* p) noexcept nogil:
    """Copy a node field by field (a struct assignment compiles to `rep movs` in the
    sweep's loop, a third of its time on a scalar chain)."""
    nd.op = p.op
    nd.flags = p.flags
    nd.out = p.out
    nd.in0 = p.in0
    nd.in1 = p.in1
    nd.aux = p.aux
    nd.v0 = p.v0
    nd.v1 = p.v1

cdef inline double round_k(double v, int k) noexcept nogil:
    """Round to float32 for float32 slots, so that scalar adjoints are float32 arithmetic."""
    return <float>v if k == K_F32 else v


cdef char _ZEROS[64]   # what a stand-in's every element reads
cdef list _stand_ins = []   # the stand-ins made last: they hold nothing and never change,
                            # so records of inputs of one shape and dtype share one


cdef Tensor stand_in(Tensor x):
    """A Tensor of x's shape and dtype that holds no memory (all strides 0 over a static
    zero), kept by the tape for rules that read only their inputs' shapes and dtypes, so
    that the input itself can be freed as soon as nothing else needs it."""
    cdef cnp.ndarray a, b
    cdef cnp.npy_intp strides[64]
    cdef int i, nd
    cdef Tensor s
    if x is None or x._k != K_ARRAY:
        return x
    a = x._a
    nd = cnp.PyArray_NDIM(a)
    if nd == 0 or nd > 64 or cnp.PyArray_ITEMSIZE(a) > 64:
        return x
    for s in _stand_ins:
        b = s._a
        if (cnp.PyArray_TYPE(b) == cnp.PyArray_TYPE(a) and cnp.PyArray_NDIM(b) == nd
                and cnp.PyArray_ITEMSIZE(b) == cnp.PyArray_ITEMSIZE(a)
                and memcmp(cnp.PyArray_DIMS(b), cnp.PyArray_DIMS(a),
                           nd * sizeof(cnp.npy_intp)) == 0):
            return s
    for i in range(nd):
        strides[i] = 0
    view = cnp.PyArray_New(ndarray, nd, cnp.PyArray_DIMS(a), cnp.PyArray_TYPE(a), strides,
                           <void*>_ZEROS, cnp.PyArray_ITEMSIZE(a), 0, None)
    s = Tensor.__new__(Tensor)
    s._a = view
    if len(_stand_ins) == 8:
        del _stand_ins[0]
    _stand_ins.append(s)
    return s
