# The recording state of each thread: the tapes recording in it and the forward
# accumulators active in it. A tape opened in one thread records nothing from another.
# `_n_active` counts them over all threads, so that with none anywhere an op pays one
# C comparison.

cdef class _State:
    cdef list tapes   # recording Tapes, outermost first
    cdef list accs    # active Accumulators, outermost first
    cdef str scope    # the name scope ('outer/inner/' or ''), set by tg.name_scope

    def __cinit__(self):
        self.tapes = []
        self.accs = []
        self.scope = ""


cdef int _n_active = 0
cdef long long _n_started = 0   # activations so far: orders tapes and accumulators
cdef unsigned long _cached_ident = 0
cdef _State _cached_state = None
cdef dict _states = {}


cdef _State cur_state():
    """This thread's state (a cached lookup: the last thread asked is the usual one)."""
    global _cached_ident, _cached_state
    cdef unsigned long ident = PyThread_get_thread_ident()
    if ident == _cached_ident and _cached_state is not None:
        return _cached_state
    st = _states.get(ident)
    if st is None:
        st = _State()
        _states[ident] = st
    _cached_ident = ident
    _cached_state = st
    return st


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


cdef void deactivate(list where, object item):
    global _n_active
    where.remove(item)
    _n_active -= 1
