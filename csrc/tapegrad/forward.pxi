# Forward mode: an Accumulator keeps a tangent per tensor (in the tensor's _ext, under
# the accumulator's negative id) and, while active, gives every op's output the tangent
# its JVP rule computes from the inputs' tangents.

cdef class Accumulator:
    """The compiled half of tg.autodiff.ForwardAccumulator."""

    def __cinit__(self):
        self.id = new_id()
        self.primals = []

    def __dealloc__(self):
        # The tangents go with their accumulator: a long-lived primal (a Variable in a
        # forward-over-reverse loop) would otherwise keep one per accumulator for ever.
        # (Other tensors' tangents die with those tensors.)
        cdef _Tracked p
        cdef Tensor value
        if self.primals is None:
            return
        for p in self.primals:
            drop_tangent(p, self.id)
            if isinstance(p, Variable):
                value = (<Variable>p)._value
                if value is not None:
                    drop_tangent(value, self.id)

    def start(self):
        self.started = activate(cur_state().accs, self)
        self.active = True

    def stop(self):
        if self.active and deactivate(cur_state().accs, self):
            self.active = False

    def set_tangent(self, _Tracked obj, tangent):
        if isinstance(obj, Variable):
            set_tangent_of(var_value(<Variable>obj), self.id, tangent)
        set_tangent_of(obj, self.id, tangent)
        self.primals.append(obj)

    def tangent(self, obj):
        return tangent_of(obj, self.id) if isinstance(obj, _Tracked) else None


cdef inline object tangent_of(_Tracked t, long long acc_id):
    if t is None or t._ext is None:
        return None
    return t._ext.get(-acc_id)


cdef inline void set_tangent_of(_Tracked t, long long acc_id, object tangent):
    if t._ext is None:
        t._ext = {}
    t._ext[-acc_id] = tangent


cdef void drop_tangent(_Tracked t, long long acc_id):
    if t._ext is not None:
        t._ext.pop(-acc_id, None)
        if not t._ext:
            t._ext = None


cdef void read_tangent(Variable v, Tensor t, _State st):
    """A variable is read: its value carries the variable's tangent."""
    cdef Accumulator acc
    for acc in st.accs:
        tan = tangent_of(v, acc.id)
        if tan is not None:
            set_tangent_of(t, acc.id, tan)


cdef void push_tangent(int op, tuple ins, Tensor out, tuple attrs, _State st) except *:
    """Give `out` its tangent on each active accumulator that has a tangent for an input.
    The JVP runs with that accumulator, the accumulators inside it and the tapes started
    after it paused, so that only what was active before it sees the JVP computation
    (forward over forward, reverse over forward), as in TensorFlow."""
    cdef Accumulator acc
    cdef Tape tape
    cdef int i
    cdef list accs = st.accs, tapes = st.tapes
    cdef OpDef od = OPS[op]
    if not (is_float(out) or od.cplx and is_complex(out)):
        return
    if not od.cplx and has_complex(ins):   # its rule is for real values only
        return
    for i in range(len(accs)):
        acc = accs[i]
        tans = [tangent_of(x, acc.id) if x is not None else None for x in ins]
        if all([t is None for t in tans]):
            continue
        paused = accs[i:]
        del accs[i:]
        inner = [tape for tape in tapes if tape.started > acc.started]
        for tape in inner:
            tapes.remove(tape)
        try:
            tout = call_jvp(op, tans, ins, out, attrs)
        finally:
            accs.extend(paused)
            tapes.extend(inner)
        if tout is not None:
            set_tangent_of(out, acc.id, tout)


cdef void custom_tangents(tuple ins, tuple outs, object grad_fn, _State st) except *:
    """Tangents for the outputs of a custom_gradient call that the ops its function ran
    left without one (it computed them outside tapegrad, or stopped their gradient): as
    TensorFlow's ForwardpropFromTape, its backward function transposed. With aids =
    ones_like(outputs) watched, grads = grad_fn(*aids); the tangents are the gradient of
    sum_j <grads[j], tangent of input j> with respect to the aids (None where no grad
    depends on an aid). It runs with the accumulator paused, as push_tangent's JVPs."""
    cdef Accumulator acc
    cdef Tape tape, t
    cdef Tensor o
    cdef int i, k
    cdef list accs = st.accs, tapes = st.tapes
    for i in range(len(accs)):
        acc = accs[i]
        missing = [k for k in range(len(outs))
                   if is_float(<Tensor>outs[k]) and tangent_of(<Tensor>outs[k], acc.id) is None]
        if not missing:
            continue
        tans = [tangent_of(x, acc.id) for x in ins]
        if all([tn is None for tn in tans]):
            continue
        paused = accs[i:]
        del accs[i:]
        inner = [t for t in tapes if t.started > acc.started]
        for t in inner:
            tapes.remove(t)
        try:
            tape = Tape(False, False)
            aids = [ones_like_t(o) for o in outs]
            tape.start()
            try:
                for o in aids:
                    tape.watch(o)
                grads = [slices_dense(g) if type(g) is IndexedSlices else g
                         for g in grad_fn(*aids)]
            finally:
                tape.stop()
            targets, seeds = [], []
            for g, x, tn in zip(grads, ins, tans):
                if g is None:
                    continue
                g = as_input(g)
                if shape_of(<Tensor>g) != shape_of(<Tensor>x):
                    raise ValueError(
                        f"custom_gradient: forward mode (ForwardAccumulator) transposes "
                        f"grad_fn, which returned a gradient of shape "
                        f"{list(shape_of(<Tensor>g))} for an input of shape "
                        f"{list(shape_of(<Tensor>x))}")
                if tn is None:
                    tn = zeros_like_t(g)
                elif dtype_of(<Tensor>tn) != dtype_of(<Tensor>g):
                    tn = cast(tn, dtype_of(<Tensor>g))
                targets.append(g)
                seeds.append(tn)
            res = tape.gradient(targets, [aids[k] for k in missing], seeds) if targets else []
        finally:
            accs.extend(paused)
            tapes.extend(inner)
        for k, tn in zip(missing, res):
            if tn is not None:
                set_tangent_of(<Tensor>outs[k], acc.id, tn)
