"""Data-parallel training over MPI with Horovod's API (`import tapegrad.distribute as hvd`).

    hvd.init()
    w = tg.Variable(...); hvd.broadcast_variables([w], root_rank=0)
    with tg.GradientTape() as tape:
        loss = ...                       # on this process's share of the batch
    tape = hvd.DistributedGradientTape(tape)
    grads = tape.gradient(loss, [w])     # averaged over every process

launched with `mpiexec -n 4 python train.py`; without a launcher it runs as one process
(size 1, every collective a no-op). The messages go through mpi4py (`pip install
tapegrad[mpi]`) and whatever MPI library it finds. Written against tapegrad's public API.

Every collective first exchanges a 16-byte digest of what each process is about to send
(shapes, dtypes, the operation), so that processes that disagree raise the same
ValueError naming the tensor instead of hanging or reducing mismatched buffers; the full
descriptions, with the names, are gathered only when the digests differ. Gradients are
fused into one flat buffer per dtype (Horovod's tensor fusion): one allreduce per dtype
per step. When every process is on one machine, that allreduce goes through an MPI
shared-memory window (packing and all, 0.8-1.0 ms for 2.68 MB on two cores, where MPI's
Allreduce alone takes 1.2-1.3 ms; TAPEGRAD_DISTRIBUTE_SHARED_MEMORY=0 turns it off),
else through MPI's Allreduce. The results are tensors over the reduced buffer itself,
not copies.
"""
import hashlib
import os
import sys
import warnings

import numpy as np

try:
    import mpi4py  # noqa: F401   (only its presence: MPI itself starts in init())
except ImportError as _e:
    raise ImportError(
        "tapegrad.distribute needs mpi4py: pip install tapegrad[mpi] (or pip install "
        "mpi4py), and an MPI library: pip install mpich, or your system's MPI "
        "(e.g. apt-get install mpich)") from _e

import tapegrad as tg

__all__ = [
    "init", "shutdown", "is_initialized", "size", "rank", "local_size", "local_rank",
    "Average", "Sum", "Min", "Max", "Product", "ReduceOp", "Compression",
    "allreduce", "grouped_allreduce", "allgather", "broadcast", "broadcast_variables",
    "broadcast_object", "allgather_object", "DistributedGradientTape",
    "DistributedOptimizer", "BroadcastGlobalVariablesCallback", "MetricAverageCallback",
]

_MPI = None        # mpi4py.MPI, loaded by init()
_comm = None       # this package's own duplicate of the user's communicator
_local = None      # the processes of _comm on this machine
_hook = None       # the sys.excepthook init() replaced
_shared = None     # the _SharedMemory allreduce, when every process is on this machine


# --- life cycle -------------------------------------------------------------------------

def _load_mpi():
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except (ImportError, RuntimeError, OSError) as e:
            raise ImportError(
                f"mpi4py could not load an MPI library ({e}); install one: pip install "
                f"mpich, or your system's MPI (e.g. apt-get install mpich)") from e
        _MPI = MPI
    return _MPI


def init(comm=None):
    """Start MPI (if it is not running) and this package's communicator: `comm`, an
    mpi4py communicator (MPI.COMM_WORLD by default). A second call does nothing. With more
    than one process, an uncaught exception on any rank aborts the whole job."""
    global _comm, _local, _hook, _shared
    MPI = _load_mpi()
    if _comm is not None:
        return
    if comm is None:
        comm = MPI.COMM_WORLD
    elif not isinstance(comm, MPI.Comm):
        raise TypeError(f"init: `comm` must be an mpi4py communicator (mpi4py.MPI.Comm) or "
                        f"None, got {type(comm).__name__}")
    shared = _shared_memory_wanted()
    _comm = comm.Dup()   # our messages never meet the user's own on `comm`
    _local = _comm.Split_type(MPI.COMM_TYPE_SHARED, key=_comm.Get_rank())
    if shared and _local.Get_size() == _comm.Get_size() > 1:
        _shared = _SharedMemory(_local)
    if _comm.Get_size() > 1 and _hook is None:
        _hook = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def _shared_memory_wanted():
    v = os.environ.get("TAPEGRAD_DISTRIBUTE_SHARED_MEMORY", "1")
    if v not in ("0", "1"):
        raise ValueError(f"TAPEGRAD_DISTRIBUTE_SHARED_MEMORY must be 0 or 1, got {v!r}")
    return v == "1"


def shutdown():
    """Release this package's communicators (MPI itself finalizes at exit); `init()` may
    be called again afterwards."""
    global _comm, _local, _hook, _shared
    if _comm is None:
        return
    if _shared is not None:
        _shared.free()
        _shared = None
    _local.Free()
    _comm.Free()
    _comm = _local = None
    if _hook is not None:
        if sys.excepthook is _abort_on_uncaught:
            sys.excepthook = _hook
        _hook = None


def is_initialized():
    return _comm is not None


def _world():
    if _comm is None:
        raise ValueError("tapegrad.distribute has not been initialized; use hvd.init().")
    return _comm


def size():
    """The number of processes."""
    return _world().Get_size()


def rank():
    """This process's index among all processes, 0 to size() - 1."""
    return _world().Get_rank()


def local_size():
    """The number of processes on this machine."""
    _world()
    return _local.Get_size()


def local_rank():
    """This process's index among the processes on this machine."""
    _world()
    return _local.Get_rank()


def _abort_on_uncaught(typ, value, tb):
    """A rank that dies must not leave the others waiting in a collective forever: print
    the traceback, then MPI_Abort, which makes the launcher end every rank."""
    (_hook or sys.__excepthook__)(typ, value, tb)
    try:
        r, n = _MPI.COMM_WORLD.Get_rank(), _MPI.COMM_WORLD.Get_size()
        sys.stderr.write(f"tapegrad.distribute: rank {r} of {n} raised {typ.__name__}; "
                         f"aborting the job on every rank (MPI_Abort)\n")
        sys.stderr.flush()
    finally:
        _MPI.COMM_WORLD.Abort(1)


# --- reduction operations and compression ------------------------------------------------

class ReduceOp:
    """A reduction across processes: hvd.Average, hvd.Sum, hvd.Min, hvd.Max, hvd.Product."""
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"hvd.{self.name}"


Average = ReduceOp("Average")
Sum = ReduceOp("Sum")
Min = ReduceOp("Min")
Max = ReduceOp("Max")
Product = ReduceOp("Product")
_OPS = (Average, Sum, Min, Max, Product)
_NP_OPS = {"Average": np.add, "Sum": np.add, "Min": np.minimum, "Max": np.maximum,
           "Product": np.multiply}
_MPI_OP_NAMES = {"Average": "SUM", "Sum": "SUM", "Min": "MIN", "Max": "MAX",
                 "Product": "PROD"}


def _check_op(op, where):
    if not any(op is o for o in _OPS):
        raise ValueError(f"{where}: `op` must be one of hvd.Average, hvd.Sum, hvd.Min, "
                         f"hvd.Max, hvd.Product, got {op!r}")
    return op


class Compressor:
    """Compresses an array before it is sent and restores it after: compress(array) ->
    (array, ctx), decompress(array, ctx) -> array (NumPy arrays)."""

    @staticmethod
    def compress(array):
        return array, None

    @staticmethod
    def decompress(array, ctx):
        return array


class NoneCompressor(Compressor):
    """Sends arrays as they are."""


class FP16Compressor(Compressor):
    """Sends floating arrays as float16 (half the bytes; the sum is done in float16, so
    expect float16's precision, about 3 significant digits) and casts them back."""

    @staticmethod
    def compress(array):
        if array.dtype.kind == "f" and array.dtype != np.float16:
            return array.astype(np.float16), array.dtype
        return array, None

    @staticmethod
    def decompress(array, ctx):
        return array if ctx is None else array.astype(ctx)


class Compression:
    """The compressors for allreduce and DistributedGradientTape: Compression.none and
    Compression.fp16."""
    none = NoneCompressor
    fp16 = FP16Compressor


def _check_compression(compression, where):
    if not (callable(getattr(compression, "compress", None))
            and callable(getattr(compression, "decompress", None))):
        raise TypeError(f"{where}: `compression` must be hvd.Compression.none, "
                        f"hvd.Compression.fp16 or an object with compress and decompress, "
                        f"got {compression!r}")
    return compression


# --- agreement between the processes -------------------------------------------------------

_digests = {}   # description -> digest: a training loop reduces the same gradients each step


def _digest(desc):
    """A 64-bit digest of a description, the same in every process (unlike hash())."""
    d = _digests.get(desc)
    if d is None:
        if len(_digests) > 256:
            _digests.clear()
        d = _digests[desc] = int.from_bytes(
            hashlib.blake2b(repr(desc).encode(), digest_size=8).digest(), "little", signed=True)
    return d


def _exchange(desc, extra=0):
    """One small Allgather of (digest, `extra`) from every process, where `desc` is
    (collective, ((name, shape, dtype, ...) per tensor), *arguments) and the digest leaves
    out the names (they only label errors: Keras-style names may differ between processes).
    Returns the extras of all processes, and every process's `desc` when the digests differ
    (None when they agree). Every process sees the same digests: all take the same branch."""
    comm = _comm
    key = (desc[0], tuple(t[1:] for t in desc[1])) + tuple(desc[2:])
    mine = np.array([_digest(key), extra], dtype=np.int64)
    every = np.empty((comm.Get_size(), 2), dtype=np.int64)
    comm.Allgather(mine, every)
    if (every[:, 0] == mine[0]).all():
        return every[:, 1], None
    return every[:, 1], comm.allgather(desc)


def _disagreement(descs, shape="shape"):
    """The ValueError for processes whose descriptions (see _exchange) differ in anything
    but names and the presence flags of gradients; None when they agree on those."""
    first = descs[0]
    where = first[0]
    for r, d in enumerate(descs[1:], 1):
        if d[0] != first[0]:
            return ValueError(f"{where}: the processes called different collectives: rank 0 "
                              f"called {first[0]} and rank {r} called {d[0]}")
        if len(d[1]) != len(first[1]):
            return ValueError(f"{where}: rank 0 passed {len(first[1])} tensors and rank {r} "
                              f"passed {len(d[1])}")
        for k, (a, b) in enumerate(zip(first[1], d[1])):
            for i, field in ((1, shape), (2, "dtype")):
                if a[i] != b[i]:
                    at = f" (tensor {k + 1} of {len(d[1])})" if len(d[1]) > 1 else ""
                    there = f" (where it is '{b[0]}')" if b[0] != a[0] else ""
                    return ValueError(
                        f"{where}: tensor '{a[0]}'{at} has {field} {_show(a[i])} on rank 0 "
                        f"but {_show(b[i])} on rank {r}{there}; every process "
                        f"must pass the same tensors in the same order, with the same "
                        f"shapes and dtypes")
        if d[2:] != first[2:]:
            return ValueError(f"{where}: the arguments differ between rank 0 {first[2:]} and "
                              f"rank {r} {d[2:]}")
    return None


def _show(v):
    return f"({', '.join(map(str, v))}{',' if len(v) == 1 else ''})" if isinstance(v, tuple) \
        else str(v)


# --- allreduce ----------------------------------------------------------------------------

_f16_ops = {}


def _mpi_op(op, dtype):
    """The MPI reduction for op on dtype; float16 has no MPI type: it travels as 16-bit
    words reduced by a NumPy function (a user-defined MPI operation)."""
    if dtype == np.float16:
        if op.name not in _f16_ops:
            fn = _NP_OPS[op.name]

            def reduce_f16(inbuf, inoutbuf, datatype, fn=fn):
                a = np.frombuffer(inbuf, dtype=np.float16)
                b = np.frombuffer(inoutbuf, dtype=np.float16)
                fn(a, b, out=b)
            _f16_ops[op.name] = _MPI.Op.Create(reduce_f16, commute=True)
        return _f16_ops[op.name]
    return getattr(_MPI, _MPI_OP_NAMES[op.name])


def _wire(buf, counts=None):
    """The buffer spec mpi4py sends: float16 as 16-bit words, bool as bytes; with
    `counts` = (sizes, displacements) for the vector collectives."""
    if buf.dtype == np.float16:
        spec = [buf.view(np.uint16), _MPI.UINT16_T]
    elif buf.dtype == np.bool_:
        spec = [buf.view(np.uint8), _MPI.UINT8_T]
    else:
        return buf if counts is None else [buf, counts]   # the MPI type from the format
    if counts is not None:
        spec.insert(1, counts)
    return spec


def _check_dtype(dtype, op, name, where):
    kind = dtype.kind
    if kind not in "fiuc" or (kind == "c" and op.name in ("Min", "Max")):
        raise TypeError(f"{where}: tensor '{name}' has dtype {dtype.name}, which "
                        f"{op.name} cannot reduce; expected a number type"
                        + (" (not complex for Min and Max)" if kind == "c" else ""))


def _reduce(entries, op, compression, where, key=()):
    """Reduce a list of (array or None, shape, dtype, name) over all processes, fused into
    one buffer per dtype. An entry None on every process stays None; one None on some
    processes only counts as zeros there. `key`: more that must agree between processes.
    Returns a list of arrays (or None), views of a new buffer per dtype that nothing else
    holds: callers make tensors of them without copying."""
    comm = _comm
    n = comm.Get_size()
    desc = (where, tuple((name, shape, dtype.str, a is not None)
                         for a, shape, dtype, name in entries),
            op.name, getattr(compression, "__name__", type(compression).__name__), key)
    present = [a is not None for a, _, _, _ in entries]
    _, descs = _exchange(desc)
    if descs is not None:
        error = _disagreement(descs)
        if error is not None:
            raise error
        present = [any(d[1][i][3] for d in descs) for i in range(len(entries))]
    groups = {}   # wire dtype -> [(index, array, ctx)]
    for i, ((a, shape, dtype, name), p) in enumerate(zip(entries, present)):
        if not p:
            continue
        _check_dtype(dtype, op, name, where)
        if a is None:
            a = np.zeros(shape, dtype=dtype)
        a, ctx = compression.compress(a)
        groups.setdefault(a.dtype, []).append((i, a, ctx))
    out = [None] * len(entries)
    for dtype, members in groups.items():
        whole = op is Average and dtype.kind == "f" and compression is NoneCompressor
        buf = _fused_allreduce([a for _, a, _ in members], dtype, op, whole)
        offset = 0
        for i, a, ctx in members:
            part = buf[offset:offset + a.size].reshape(a.shape)
            offset += a.size
            part = compression.decompress(part, ctx)
            if compression is not NoneCompressor and compression is not FP16Compressor:
                part = np.array(part)    # a user's decompress may return memory it keeps
            if op is Average and not whole:
                part = part / n if part.dtype.kind in "iu" else part / part.dtype.type(n)
            out[i] = part
    return out


def _fused_allreduce(arrays, dtype, op, average):
    """The reduction over all processes of `arrays` (of `dtype`) laid end to end: a new flat
    array (the results are views of it, so it is never reused). `average`: the sum divided
    by the number of processes. On one machine it goes through shared memory, else (or with
    TAPEGRAD_DISTRIBUTE_SHARED_MEMORY=0) through MPI's Allreduce."""
    total = sum(a.size for a in arrays)
    if _shared is not None and _shared.usable(total * dtype.itemsize):
        return _shared.allreduce(arrays, total, dtype, op, average)
    n = _comm.Get_size()
    buf = np.empty(total, dtype=dtype)
    # over a power of two of processes an average is scaled while it is copied in (the
    # same numbers as dividing the sum, but for subnormals: only the exponent changes)
    pre = average and n & (n - 1) == 0
    offset = 0
    for a in arrays:
        part = buf[offset:offset + a.size].reshape(a.shape)
        if pre:
            np.multiply(a, dtype.type(1 / n), out=part)
        else:
            np.copyto(part, a)
        offset += a.size
    _comm.Allreduce(_MPI.IN_PLACE, _wire(buf), op=_mpi_op(op, dtype))
    if average and not pre:
        np.divide(buf, dtype.type(n), out=buf)
    return buf


class _SharedMemory:
    """Allreduce between the processes of one machine through an MPI shared-memory window
    (MPI_Win_allocate_shared), without MPI's own copies. Each process has a share (1/n of
    the buffer) and a slot: it copies the rest of its arrays into its slot; after a
    barrier it reduces its share, its own arrays with the others' slots, into the result
    slot; after another, it copies the result out. Buffers larger than a slot go in
    chunks. Two sets of slots alternate, so that a process may fill the next chunk's slot
    while the others still read the last one: the barriers in between order the rest."""
    WINDOW = 32 << 20          # bytes at most, in /dev/shm (Docker gives it 64 MB)

    def __init__(self, comm):
        self.comm = comm
        self.n = comm.Get_size()
        self.me = comm.Get_rank()
        self.max_slot = max(1 << 20, self.WINDOW // (2 * (self.n + 1)) // 64 * 64)
        self.win = self.mem = None
        self.slot = 0          # bytes per slot
        self.turn = 0          # which set of slots the next chunk uses
        self.failed = False    # the window could not be made: MPI's Allreduce instead

    def usable(self, nbytes):
        """Whether the window serves a reduction of nbytes, grown first when it is too
        small (collective: every process asks with the same nbytes)."""
        if self.failed:
            return False
        want = min(max(-(-nbytes // 4096) * 4096, 4096), self.max_slot)
        if want > self.slot:
            self.free()
            size = 2 * (self.n + 1) * want
            ok = self.comm.bcast(_shm_room(size) if self.me == 0 else None, root=0)
            if not ok:
                self.failed = True
                if self.me == 0:
                    warnings.warn(f"tapegrad.distribute: /dev/shm has too little room for "
                                  f"a {size / 2**20:.1f} MB shared-memory window; allreduce "
                                  f"goes through MPI instead", RuntimeWarning, stacklevel=4)
                return False
            self.win = _MPI.Win.Allocate_shared(size if self.me == 0 else 0, 1,
                                                comm=self.comm)
            mem, _ = self.win.Shared_query(0)
            self.mem = np.frombuffer(mem, dtype=np.uint8)
            self.win.Lock_all()
            self.slot = want
        return True

    def free(self):
        if self.win is not None:
            self.win.Unlock_all()
            self.win.Free()
            self.win = self.mem = None
            self.slot = 0

    def _sync(self):
        self.win.Sync()          # the memory model's fences around the barrier
        self.comm.Barrier()
        self.win.Sync()

    def allreduce(self, arrays, total, dtype, op, average):
        n, me = self.n, self.me
        out = np.empty(total, dtype=dtype)
        flat = [a.reshape(-1) for a in arrays]
        starts = np.cumsum([0] + [a.size for a in flat[:-1]]).tolist()

        def pieces(lo, hi):   # (piece, position) of the arrays laid end to end in [lo, hi)
            for a, at in zip(flat, starts):
                if max(lo, at) < min(hi, at + a.size):
                    yield a[max(lo, at) - at:min(hi, at + a.size) - at], max(lo, at)

        step = self.slot // dtype.itemsize
        fn = _NP_OPS[op.name]
        for c0 in range(0, total, step):
            m = min(step, total - c0)
            base = self.turn * (n + 1) * self.slot
            self.turn ^= 1
            slots = self.mem[base:base + (n + 1) * self.slot].view(dtype).reshape(n + 1, -1)
            mine, result = slots[me], slots[n]
            lo, hi = c0 + m * me // n, c0 + m * (me + 1) // n     # this process's share
            for a, at in list(pieces(c0, lo)) + list(pieces(hi, c0 + m)):
                mine[at - c0:at - c0 + a.size] = a    # what the others reduce
            self._sync()
            for a, at in pieces(lo, hi):
                k = at - c0
                parts = [a if j == me else slots[j, k:k + a.size] for j in range(n)]
                r = result[k:k + a.size]
                fn(parts[0], parts[1], out=r)
                for p in parts[2:]:    # in rank order: every process gets the same numbers
                    fn(r, p, out=r)
            self._sync()
            if average:                # the sum divided as it is copied out
                np.divide(result[:m], dtype.type(n), out=out[c0:c0 + m])
            else:
                out[c0:c0 + m] = result[:m]
        return out


def _shm_room(nbytes):
    """Whether /dev/shm (where MPI puts shared windows) has room for nbytes: past its size,
    touching the window's pages would kill the process (SIGBUS)."""
    try:
        st = os.statvfs("/dev/shm")
    except OSError:
        return True            # not Linux: MPI puts the window elsewhere
    return st.f_bavail * st.f_frsize >= nbytes + (16 << 20)


def _tensor(array):
    """A tensor over an array a collective has just made, without copying it (nothing
    else holds that memory)."""
    return tg.experimental.dlpack.from_dlpack(array.__dlpack__())


def _as_array(tensor, where, arg="tensor"):
    try:
        return np.asarray(tensor)
    except Exception as e:
        raise TypeError(f"{where}: `{arg}` must be a tensor, got {type(tensor).__name__}") \
            from e


def _name_of(tensor, name, unnamed):
    """The name that labels a tensor in errors: `name`, or a variable's name."""
    if name is not None:
        return str(name)
    vname = getattr(tensor, "name", None)
    return vname if isinstance(vname, str) and vname else unnamed


def allreduce(tensor, op=Average, compression=Compression.none, name=None):
    """The reduction of `tensor` over all processes (a Tensor of its shape and dtype;
    Average of an integer tensor is float64). Every process must pass a tensor of the
    same shape and dtype. Differentiable for Average and Sum (the gradient is the same
    allreduce of the output's gradient, as Horovod's)."""
    _check_op(op, "allreduce")
    _check_compression(compression, "allreduce")
    comm = _world()
    x = tensor if isinstance(tensor, (tg.Tensor, tg.Variable)) else tg.convert_to_tensor(tensor)
    label = _name_of(tensor, name, "unnamed (pass name=)")
    if comm.Get_size() == 1:
        return _alone(x, op)

    def forward(x):
        a = np.asarray(x)
        (y,) = _reduce([(a, a.shape, a.dtype, label)], op, compression, "allreduce")
        return _tensor(y)
    return _differentiable(forward, x, lambda dy: allreduce(
        dy, op=op, compression=compression, name=label + "/grad")
        if op is Average or op is Sum else _no_gradient("allreduce", op))


def _alone(x, op):
    """The reduction over one process: the tensor itself (Average of integers is float64,
    as with more processes)."""
    if op is Average and x.dtype.kind in "iu":
        return tg.cast(x, tg.float64)
    return tg.identity(x)


def grouped_allreduce(tensors, op=Average, compression=Compression.none, name=None):
    """The allreduce of a list of tensors, fused into one message per dtype."""
    _check_op(op, "grouped_allreduce")
    _check_compression(compression, "grouped_allreduce")
    comm = _world()
    tensors = list(tensors)
    if comm.Get_size() == 1:
        return [_alone(tg.convert_to_tensor(t), op) for t in tensors]
    arrays = [_as_array(t, "grouped_allreduce", "tensors") for t in tensors]
    base = name or "grouped_allreduce"
    entries = [(a, a.shape, a.dtype, _name_of(t, None, f"{base}[{i}]"))
               for i, (t, a) in enumerate(zip(tensors, arrays))]
    return [_tensor(y) for y in _reduce(entries, op, compression, "grouped_allreduce")]


def _no_gradient(where, op):
    raise LookupError(f"No gradient defined for {where} with op={op!r} (only for "
                      f"hvd.Average and hvd.Sum)")


def _differentiable(forward, x, backward):
    """forward(x) with the gradient rule backward(dy) when x is a floating tensor."""
    if x.dtype.kind != "f":
        return forward(x)

    @tg.custom_gradient
    def f(x):
        return forward(x), backward
    return f(x)


# --- allgather and broadcast ----------------------------------------------------------------

def allgather(tensor, name=None):
    """The tensors of all processes concatenated along the first axis, in rank order;
    their first dimensions may differ, the rest of their shapes and dtypes may not.
    Differentiable: the gradient is this process's slice of the summed gradient."""
    comm = _world()
    x = tensor if isinstance(tensor, (tg.Tensor, tg.Variable)) else tg.convert_to_tensor(tensor)
    label = _name_of(tensor, name, "unnamed (pass name=)")
    if len(x.shape) == 0:
        raise ValueError(f"allgather: tensor '{label}' is a scalar; allgather needs a "
                         f"tensor of rank 1 or more (concatenated along axis 0)")
    if comm.Get_size() == 1:
        return tg.identity(x)
    firsts = []

    def forward(x):
        a = np.ascontiguousarray(np.asarray(x))
        desc = ("allgather", ((label, a.shape[1:], a.dtype.str),))
        counts, descs = _exchange(desc, extra=a.shape[0])
        if descs is not None and _disagreement(descs, "shape beyond axis 0"):
            raise _disagreement(descs, "shape beyond axis 0")
        firsts[:] = counts.tolist()
        inner = int(np.prod(a.shape[1:], dtype=np.int64))
        out = np.empty((int(counts.sum()),) + a.shape[1:], dtype=a.dtype)
        sizes = [int(c) * inner for c in counts]
        displs = [sum(sizes[:r]) for r in range(len(sizes))]
        comm.Allgatherv(_wire(a), _wire(out, (sizes, displs)))
        return _tensor(out)

    def backward(dy):
        summed = allreduce(dy, op=Sum, name=label + "/grad")
        start = sum(firsts[:rank()])
        return summed[start:start + firsts[rank()]]
    return _differentiable(forward, x, backward)


def _check_root(root_rank, where):
    n = size()
    if isinstance(root_rank, (bool, np.bool_)) or not isinstance(root_rank, (int, np.integer)):
        raise TypeError(f"{where}: `root_rank` must be an int, got "
                        f"{type(root_rank).__name__}")
    if not 0 <= root_rank < n:
        raise ValueError(f"{where}: `root_rank` must be in [0, {n}), got {root_rank}")
    return int(root_rank)


def _bcast(arrays, names, root, where):
    """Broadcast arrays (same shapes and dtypes everywhere) from root, one message per
    dtype; returns the root's arrays."""
    comm = _comm
    desc = (where, tuple((nm, a.shape, a.dtype.str) for nm, a in zip(names, arrays)), root)
    _, descs = _exchange(desc)
    if descs is not None and _disagreement(descs):
        raise _disagreement(descs)
    groups = {}
    for i, a in enumerate(arrays):
        groups.setdefault(a.dtype, []).append(i)
    out = [None] * len(arrays)
    for dtype, members in groups.items():
        buf = np.concatenate([arrays[i].reshape(-1) for i in members])
        comm.Bcast(_wire(buf), root=root)
        offset = 0
        for i in members:
            a = arrays[i]
            out[i] = buf[offset:offset + a.size].reshape(a.shape)
            offset += a.size
    return out


def broadcast(tensor, root_rank, name=None):
    """The tensor of process `root_rank`, on every process (same shape and dtype
    everywhere). Differentiable: the root receives the summed gradient, the others
    zeros."""
    comm = _world()
    root = _check_root(root_rank, "broadcast")
    x = tensor if isinstance(tensor, (tg.Tensor, tg.Variable)) else tg.convert_to_tensor(tensor)
    label = _name_of(tensor, name, "unnamed (pass name=)")
    if comm.Get_size() == 1:
        return tg.identity(x)

    def forward(x):
        (y,) = _bcast([np.asarray(x)], [label], root, "broadcast")
        return _tensor(y)

    def backward(dy):
        summed = allreduce(dy, op=Sum, name=label + "/grad")
        return summed if rank() == root else tg.zeros_like(summed)
    return _differentiable(forward, x, backward)


def broadcast_variables(variables, root_rank):
    """Assign to each variable its value on process `root_rank` (one message per
    dtype). Every process must pass the same variables, in the same order."""
    comm = _world()
    root = _check_root(root_rank, "broadcast_variables")
    variables = list(variables)
    for v in variables:
        if not callable(getattr(v, "assign", None)):
            raise TypeError(f"broadcast_variables: expected variables (with assign), got "
                            f"{type(v).__name__}")
    if comm.Get_size() == 1:
        return
    arrays = [np.asarray(v) for v in variables]
    names = [_name_of(v, None, f"broadcast_variables[{i}]") for i, v in enumerate(variables)]
    for v, value in zip(variables, _bcast(arrays, names, root, "broadcast_variables")):
        v.assign(value)


def broadcast_object(obj, root_rank=0):
    """Any picklable object of process `root_rank`, on every process."""
    comm = _world()
    return comm.bcast(obj, root=_check_root(root_rank, "broadcast_object"))


def allgather_object(obj):
    """The list of every process's (picklable) object, in rank order."""
    return _world().allgather(obj)


# --- the distributed tape -----------------------------------------------------------------

class DistributedGradientTape(tg.GradientTape):
    """The same tape, whose gradient() returns the gradients reduced over all processes
    (averaged by default): `tape = hvd.DistributedGradientTape(tape)` after the `with`
    block, or `with hvd.DistributedGradientTape(tg.GradientTape()) as tape:`. All the
    gradients go in one allreduce per dtype. A gradient None on every process stays None;
    one None on some processes only counts as zeros there."""
    __slots__ = ("_hvd_op", "_hvd_compression")

    def __init__(self, gradtape, op=Average, compression=Compression.none):
        if not isinstance(gradtape, tg.GradientTape):
            raise TypeError(f"DistributedGradientTape: `gradtape` must be a tg.GradientTape, "
                            f"got {type(gradtape).__name__}")
        self._hvd_op = _check_op(op, "DistributedGradientTape")
        self._hvd_compression = _check_compression(compression, "DistributedGradientTape")
        self.__dict__ = gradtape.__dict__    # the same record, seen through this gradient()

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=tg.UnconnectedGradients.NONE):
        grads = super().gradient(target, sources, output_gradients, unconnected_gradients)
        comm = _world()
        if comm.Get_size() == 1:
            return grads
        flat_sources = tg.nest.flatten(sources)
        flat_grads = tg.nest.flatten(grads)
        reduced = _reduce_gradients(flat_grads, flat_sources, self._hvd_op,
                                    self._hvd_compression, "DistributedGradientTape")
        return tg.nest.pack_sequence_as(sources, reduced)


def _reduce_gradients(grads, variables, op, compression, where):
    """Reduce gradients; a None one takes its shape and dtype from its variable (and has
    none when the variable is not known: then it must be None on every process)."""
    variables = list(variables) + [None] * (len(grads) - len(variables))
    entries = []
    for i, (g, v) in enumerate(zip(grads, variables)):
        if isinstance(g, tg.IndexedSlices):   # sparse (gather): reduced dense
            g = tg.convert_to_tensor(g)
        a = None if g is None else np.asarray(g)
        if a is not None:
            shape, dtype = a.shape, a.dtype
        elif v is not None:
            shape, dtype = tuple(v.shape), np.dtype(v.dtype)
        else:
            shape, dtype = None, np.dtype("float32")
        entries.append((a, shape, dtype, _name_of(v, None, f"gradient[{i}]")))
    return [None if r is None else _tensor(r)
            for r in _reduce(entries, op, compression, where)]


# --- Keras (duck-typed against Keras 3's optimizer and callback API) ---------------------

class _DistributedOptimizerMixin:
    """apply_gradients and apply reduce the gradients over all processes first."""

    def apply_gradients(self, grads_and_vars, *args, **kwargs):
        pairs = list(grads_and_vars)
        grads = self._hvd_reduce([g for g, _ in pairs], [v for _, v in pairs])
        self._hvd_reduced = True
        try:
            return self._hvd_base.apply_gradients(self, list(zip(grads, (v for _, v in pairs))),
                                                  *args, **kwargs)
        finally:
            self._hvd_reduced = False

    def apply(self, grads, trainable_variables=None, *args, **kwargs):
        if not getattr(self, "_hvd_reduced", False):
            grads = list(grads)
            variables = (list(trainable_variables) if trainable_variables is not None
                         else list(getattr(self, "_trainable_variables", [])))
            grads = self._hvd_reduce(grads, variables)
            trainable_variables = variables if trainable_variables is not None else None
        return self._hvd_base.apply(self, grads, trainable_variables, *args, **kwargs)

    def _hvd_reduce(self, grads, variables):
        if size() == 1:
            return list(grads)
        return _reduce_gradients(list(grads), variables, self._hvd_op,
                                 self._hvd_compression, "DistributedOptimizer")


def DistributedOptimizer(optimizer, op=Average, compression=Compression.none):
    """The optimizer, of a subclass of its own class whose apply_gradients (and apply)
    reduce the gradients over all processes before applying them (one allreduce per
    dtype). It shares the given optimizer's state."""
    _check_op(op, "DistributedOptimizer")
    _check_compression(compression, "DistributedOptimizer")
    base = type(optimizer)
    if not callable(getattr(optimizer, "apply_gradients", None)):
        raise TypeError(f"DistributedOptimizer: `optimizer` must have apply_gradients, got "
                        f"{base.__name__}")
    members = {"apply_gradients": _DistributedOptimizerMixin.apply_gradients,
               "_hvd_reduce": _DistributedOptimizerMixin._hvd_reduce,
               "_hvd_base": base, "_hvd_op": op, "_hvd_compression": compression}
    if callable(getattr(base, "apply", None)):
        members["apply"] = _DistributedOptimizerMixin.apply
    cls = type(base.__name__, (base,), members)
    wrapped = object.__new__(cls)
    wrapped.__dict__ = optimizer.__dict__    # the same slots, step count and settings
    return wrapped


def _callback_base():
    try:
        from tapegrad.keras.callbacks import Callback
        return Callback
    except ImportError:
        return None


class _Callback:
    """Keras 3's Callback protocol (used when tapegrad.keras is absent)."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda *args, **kwargs: None
        raise AttributeError(name)


_Base = _callback_base() or _Callback


def _model_variables(model):
    v = getattr(model, "variables", None)
    if v is None:
        v = getattr(model, "weights", [])
    return list(v() if callable(v) else v)


def _optimizer_variables(model):
    opt = getattr(model, "optimizer", None)
    v = getattr(opt, "variables", None) if opt is not None else None
    if v is None:
        return []
    return list(v() if callable(v) else v)


class BroadcastGlobalVariablesCallback(_Base):
    """Makes every process start from `root_rank`'s weights: broadcasts the model's
    variables when training begins, and the model's and the optimizer's (created by the
    first step) after the first batch."""

    def __init__(self, root_rank):
        super().__init__()
        self.root_rank = root_rank
        self.broadcast_done = False

    def on_train_begin(self, logs=None):
        variables = _model_variables(self.model)
        if variables:
            broadcast_variables(variables, self.root_rank)

    def on_train_batch_end(self, batch, logs=None):
        if self.broadcast_done:
            return
        broadcast_variables(_model_variables(self.model) + _optimizer_variables(self.model),
                            self.root_rank)
        self.broadcast_done = True

    on_batch_end = on_train_batch_end


class MetricAverageCallback(_Base):
    """Replaces the metrics in the logs at the end of each epoch by their average over all
    processes (in place, so the callbacks after it see the averages)."""

    def __init__(self):
        super().__init__()

    def on_epoch_end(self, epoch, logs=None):
        if not logs or size() == 1:
            return
        keys = sorted(k for k, v in logs.items() if np.ndim(v) == 0 and
                      np.asarray(v).dtype.kind in "fiub")
        values = np.array([float(np.asarray(logs[k])) for k in keys], dtype=np.float64)
        (avg,) = _reduce([(values, values.shape, values.dtype, "metrics")], Average,
                         Compression.none, "MetricAverageCallback", key=tuple(keys))
        for k, v in zip(keys, avg):
            logs[k] = float(v)
