# The recording state of each thread: the tapes recording in it and the forward
# accumulators active in it. A tape opened in one thread records nothing from another.
# `_n_active` counts them over all threads, so that with none anywhere an op pays one
# C comparison.
#
# Each thread's state lives in the thread's own dict (PyThreadState_GetDict), so that it
# dies with its thread: a tape left recording in a thread that ended stops recording,
# and a later thread that reuses the ended thread's ident starts with nothing active.

from cpython.pystate cimport PyThreadState_GetDict


@cython.no_gc_clear   # __dealloc__ reads the lists
cdef class _State:
    cdef list tapes   # recording Tapes, outermost first
    cdef list accs    # active Accumulators, outermost first
    cdef str scope    # the name scope ('outer/inner/' or ''), set by tg.name_scope

    def __cinit__(self):
        self.tapes = []
        self.accs = []
        self.scope = ""

    def __dealloc__(self):
        # The thread ended: what was active in it is no longer.
        global _n_active, _cached_state, _cached_ident
        cdef Tape tape
        cdef Accumulator acc
        if _cached_state == <PyObject*>self:
            _cached_state = NULL
            _cached_ident = 0
        for tape in self.tapes:
            tape.recording = False
            _n_active -= 1
        for acc in self.accs:
            acc.active = False
            _n_active -= 1


cdef int _n_active = 0
cdef long long _n_started = 0   # activations so far: orders tapes and accumulators
cdef unsigned long _cached_ident = 0
cdef PyObject* _cached_state = NULL   # borrowed: the state clears it when it dies
cdef object _STATE_KEY = object()     # the state's key in each thread's dict


cdef _State cur_state():
    """This thread's state (a cached lookup: the last thread asked is the usual one)."""
    global _cached_ident, _cached_state
    cdef unsigned long ident = PyThread_get_thread_ident()
    cdef PyObject* d
    if ident == _cached_ident and _cached_state != NULL:
        return <_State>_cached_state
    d = PyThreadState_GetDict()
    if d == NULL:
        raise RuntimeError("tapegrad: no thread state dict")
    st = (<dict>d).get(_STATE_KEY)
    if st is None:
        st = _State()
        (<dict>d)[_STATE_KEY] = st
    _cached_ident = ident
    _cached_state = <PyObject*>st
    return <_State>st


def get_name_scope():
    """This thread's name scope, the prefix of the names of Variables created now."""
    return cur_state().scope


def set_name_scope(str scope):
    cur_state().scope = scope


cdef inline _State active_state():
    """This thread's state if anything records or accumulates in it, else None."""
    cdef _State st
    if not _n_active:
        return None
    st = cur_state()
    if st.tapes or st.accs:
        return st
    return None


cdef long long activate(list where, object item):
    """Add a tape or accumulator to a thread's state: its place in activation order."""
    global _n_active, _n_started
    where.append(item)
    _n_active += 1
    _n_started += 1
    return _n_started


cdef bint deactivate(list where, object item):
    """Remove item from where (a state's list); False when it is not there (it is active
    in another thread)."""
    global _n_active
    cdef Py_ssize_t i
    for i in range(len(where) - 1, -1, -1):
        if where[i] is item:
            del where[i]
            _n_active -= 1
            return True
    return False
