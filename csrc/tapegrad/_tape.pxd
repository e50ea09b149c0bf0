# The data layout of tapegrad's compiled tape: every field of the tensor, the variable,
# the tape and its node records. The code lives in _tape.pyx and the .pxi files it includes.

cdef enum:
    # Tensor._k: how a tensor holds its value.
    K_ARRAY = 0      # in Tensor._a, a read-only ndarray of any dtype
    K_F32 = 1        # unboxed in Tensor._s, a 0-d float32
    K_F64 = 2        # unboxed in Tensor._s, a 0-d float64

cdef enum:
    # Node.flags
    N_SCALAR = 1     # every slot of the node is an unboxed scalar: the sweep runs it in C
    N_NARY = 2       # more than two inputs: their slots are in the saved record, not in0/in1


cdef struct Node:
    # One recorded op (40 bytes). Slots index the tape's per-slot arrays; -1 is an input
    # the tape does not track (a constant).
    int op           # op code: index into the op table (rules.pxi)
    int flags        # N_SCALAR, N_NARY
    int out          # slot of the output
    int in0          # slot of the first input
    int in1          # slot of the second input (-1 for unary ops)
    int aux          # index into Tape.saved of the saved record (inputs, output, attributes), or -1
    double v0        # N_SCALAR nodes: the first input's value
    double v1        # N_SCALAR nodes: the second input's value (or the constant operand)


cdef class _Tracked:
    # What a tape can track: a Tensor, or a Variable (whose reads share its slot).
    # A tracked object has a dense slot on each tape that tracks it; the first tape is
    # kept in two fields, so the usual one-tape case never touches a dict.
    cdef long long _tid   # id of the tape (or accumulator) that gave _slot; 0 when none
    cdef int _slot        # slot on tape _tid
    cdef dict _ext        # {tape id: slot} for further tapes, {-accumulator id: tangent}; or None


cdef class Tensor(_Tracked):
    # An immutable value. Either an ndarray (_k == K_ARRAY) or an unboxed 0-d float.
    cdef object _a        # the read-only ndarray, None when unboxed
    cdef double _s        # the unboxed value when _k != K_ARRAY
    cdef int _k           # K_ARRAY, K_F32 or K_F64


cdef class Variable(_Tracked):
    # A mutable holder of a Tensor. Reading it on a tape maps the value's slot to the
    # variable's slot; assigning swaps in a new Tensor, so saved values never change (its
    # array is reused, written in place, only when nothing but the variable holds it).
    cdef Tensor _value
    cdef long long _uid         # creation order: watched_variables() lists by it, as TensorFlow
    cdef readonly bint trainable
    cdef readonly str name
    cdef object __weakref__

    cdef Tensor _converted(self, value, str what)
    cdef object _operand(self, value, str what)      # an update's operand, as NumPy takes it
    cdef bint _sole_owner(self)                      # nobody else sees the value's array
    cdef void _write(self, ufunc, d) except *        # update the value's array in place


cdef class Tape:
    # The compiled record of one GradientTape: nodes in a C array grown by doubling,
    # one byte of kind per slot, and the Python objects some rules need, by index.
    cdef Node* nodes
    cdef int n_nodes
    cdef int cap_nodes
    cdef unsigned char* slotk   # per slot: K_ARRAY, K_F32 or K_F64 (the adjoint's form)
    cdef int n_slots
    cdef int cap_slots
    cdef list saved             # records (inputs, output, attributes, slots) of general nodes
    cdef dict sources           # slot -> the watched Tensor or Variable
    cdef list variables         # watched variables
    cdef readonly long long id  # unique per tape and per reset; tensors name tapes by it
    cdef readonly bint persistent
    cdef readonly bint watch_accessed_variables
    cdef readonly bint recording
    cdef long long started      # when it last started recording (activation order)
    cdef readonly bint used     # a non-persistent tape's one gradient call has begun
    cdef int sweeps             # gradient/jacobian calls running over the record now
    cdef list kept              # a tape that keeps values (tg.autodiff.Trace): per node, its
                                # (input Tensors or None, output Tensor); otherwise None
    cdef object __weakref__

    cdef void _init(self) except *
    cdef void _free(self)
    cdef int new_slot(self, int k) except -1      # a new slot of kind k
    cdef Node* push(self) except NULL             # room for one more node
    cdef int watch_var(self, Variable v, bint explicit) except -2
    cdef list sweep(self, list targets, list sources, list seeds, bint keep, bint batch=*)
    cdef bint batchable(self)                     # every op's rule takes a batch (jacobians)
    cdef list vjps(self, target, list sources, object seeds, bint vectorize)
    cdef void begin(self) except *               # a gradient call: refuse a second one
    cdef void done(self)                          # release a non-persistent record


cdef class Accumulator:
    # The compiled half of a ForwardAccumulator: while active, every op computes the
    # tangent of its output from the tangents of its inputs (kept in the tensors' _ext).
    cdef readonly long long id
    cdef readonly bint active
    cdef list primals     # what set_tangent gave a tangent: cleared when the accumulator dies
    cdef long long started      # when it was last activated: tapes started after it do
                                # not record its JVP computations (as TensorFlow)
    cdef object __weakref__
