"""`tg.config.threading`: the thread-count settings of TensorFlow's API.

tapegrad runs one op at a time in the calling thread (inter-op: 1 in effect), and an op's
own threads are NumPy's BLAS threads, which are set by the environment (OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS) before NumPy is imported. The values set here are kept and read
back, as in TensorFlow (0 means the system picks), and change nothing else."""

__all__ = ["get_inter_op_parallelism_threads", "set_inter_op_parallelism_threads",
           "get_intra_op_parallelism_threads", "set_intra_op_parallelism_threads"]

_threads = {"inter": 0, "intra": 0}


def _set(which, num_threads):
    if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 0:
        raise ValueError(f"num_threads: expected a non-negative integer, got {num_threads!r}")
    _threads[which] = num_threads


def get_inter_op_parallelism_threads():
    return _threads["inter"]


def set_inter_op_parallelism_threads(num_threads):
    _set("inter", num_threads)


def get_intra_op_parallelism_threads():
    return _threads["intra"]


def set_intra_op_parallelism_threads(num_threads):
    _set("intra", num_threads)
