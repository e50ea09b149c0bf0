# NumPy's allocator for array data, with a cache of large blocks.
#
# A training step frees and allocates the same large temporaries every step. glibc hands
# blocks over its (adaptive) mmap threshold back to the kernel and trims the heap's top,
# so each step faults the same pages in again: 2,783 page faults (7.5 ms of kernel time)
# per LeNet step, 2,032 per step of the medium MLP at batch 512. This handler keeps freed
# blocks of LARGE bytes or more, binned by their size rounded up to a page, and gives
# them back to the next allocation of that bin; the rest goes to NumPy's own allocator.
# NumPy sets a handler per context (contextvars): install() sets it for the importing
# thread's context. Arrays remember their handler, so a block allocated here may be freed
# here from any thread: a spinlock guards the bins.

from libc.stdint cimport uint8_t
from libc.string cimport strcpy
from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_New

cdef extern from "numpy/arrayobject.h":
    ctypedef struct PyDataMemAllocator:
        void *ctx
        void *(*malloc)(void *ctx, size_t size) noexcept nogil
        void *(*calloc)(void *ctx, size_t nelem, size_t elsize) noexcept nogil
        void *(*realloc)(void *ctx, void *ptr, size_t new_size) noexcept nogil
        void (*free)(void *ctx, void *ptr, size_t size) noexcept nogil
    ctypedef struct PyDataMem_Handler:
        char name[127]
        uint8_t version
        PyDataMemAllocator allocator
    object PyDataMem_SetHandler(object handler)
    object PyDataMem_GetHandler()

cdef extern from *:
    """
    static inline void tg_spin_lock(char *l) {
        while (__atomic_test_and_set(l, __ATOMIC_ACQUIRE)) {}
    }
    static inline void tg_spin_unlock(char *l) { __atomic_clear(l, __ATOMIC_RELEASE); }
    """
    void spin_lock "tg_spin_lock"(char *l) noexcept nogil
    void spin_unlock "tg_spin_unlock"(char *l) noexcept nogil

DEF LARGE = 131072          # blocks from 128 KiB up are cached (glibc's first mmap threshold)
DEF PAGE = 4096
DEF NBINS = 64

cdef PyDataMemAllocator base        # NumPy's allocator, which every block comes from
cdef PyDataMem_Handler handler
cdef size_t bin_size[NBINS]         # a bin's block size; 0: the bin is free
cdef void *bin_head[NBINS]          # its blocks, linked through their first word
cdef size_t cached = 0              # bytes in the bins
cdef size_t limit = 0               # at most this many (0: the handler is not installed)
cdef char lock = 0
cdef object base_capsule = None     # keeps NumPy's allocator alive


cdef inline size_t rounded(size_t size) noexcept nogil:
    return (size + (PAGE - 1)) & ~(<size_t>(PAGE - 1))


cdef void *take(size_t size) noexcept nogil:
    """A cached block of the bin of `size` (already rounded), or NULL."""
    global cached
    cdef int i
    cdef void *p = NULL
    spin_lock(&lock)
    for i in range(NBINS):
        if bin_size[i] == size and bin_head[i] != NULL:
            p = bin_head[i]
            bin_head[i] = (<void **>p)[0]
            cached -= size
            break
    spin_unlock(&lock)
    return p


cdef void release_all() noexcept nogil:
    """Give every cached block back to NumPy's allocator (the caller holds the lock)."""
    global cached
    cdef int i
    cdef void *p
    for i in range(NBINS):
        while bin_head[i] != NULL:
            p = bin_head[i]
            bin_head[i] = (<void **>p)[0]
            base.free(base.ctx, p, bin_size[i])
        bin_size[i] = 0
    cached = 0


cdef bint keep(void *p, size_t size) noexcept nogil:
    """Put a block of `size` (rounded) in its bin; False when it does not fit."""
    global cached
    cdef int i, empty = -1
    if size > limit:
        return False
    spin_lock(&lock)
    if cached + size > limit:
        release_all()       # a working set that changed: start again from this block
    for i in range(NBINS):
        if bin_size[i] == size:
            break
        if empty < 0 and bin_head[i] == NULL:
            empty = i
    else:
        if empty < 0:
            spin_unlock(&lock)
            return False
        i = empty
        bin_size[i] = size
    (<void **>p)[0] = bin_head[i]
    bin_head[i] = p
    cached += size
    spin_unlock(&lock)
    return True


cdef void *cache_malloc(void *ctx, size_t size) noexcept nogil:
    cdef void *p
    if size < LARGE:
        return base.malloc(base.ctx, size)
    size = rounded(size)
    p = take(size)
    return p if p != NULL else base.malloc(base.ctx, size)


cdef void *cache_calloc(void *ctx, size_t nelem, size_t elsize) noexcept nogil:
    cdef size_t size
    cdef void *p
    if elsize != 0 and nelem > (<size_t>-1) / elsize:
        return base.calloc(base.ctx, nelem, elsize)        # overflows: NumPy's error
    size = nelem * elsize
    if size < LARGE:
        return base.calloc(base.ctx, nelem, elsize)
    p = take(rounded(size))
    if p == NULL:
        return base.calloc(base.ctx, rounded(size), 1)
    memset(p, 0, size)
    return p


cdef void *cache_realloc(void *ctx, void *ptr, size_t new_size) noexcept nogil:
    # a block of LARGE bytes or more always has its rounded size underneath
    return base.realloc(base.ctx, ptr, rounded(new_size) if new_size >= LARGE else new_size)


cdef void cache_free(void *ctx, void *ptr, size_t size) noexcept nogil:
    if ptr == NULL:
        return
    if size < LARGE:
        base.free(base.ctx, ptr, size)
        return
    size = rounded(size)
    if not keep(ptr, size):
        base.free(base.ctx, ptr, size)


def _install_numpy_cache(size_t limit_bytes):
    """Make this handler NumPy's allocator in the calling thread's context, caching up to
    `limit_bytes` (0: leave NumPy's allocator alone)."""
    global base, base_capsule, limit
    if limit_bytes == 0 or limit != 0:
        return
    base_capsule = PyDataMem_GetHandler()
    base = (<PyDataMem_Handler *>PyCapsule_GetPointer(base_capsule, "mem_handler")).allocator
    strcpy(handler.name, b"tapegrad")
    handler.version = 1
    handler.allocator.ctx = NULL
    handler.allocator.malloc = cache_malloc
    handler.allocator.calloc = cache_calloc
    handler.allocator.realloc = cache_realloc
    handler.allocator.free = cache_free
    limit = limit_bytes
    PyDataMem_SetHandler(PyCapsule_New(&handler, "mem_handler", NULL))


def _numpy_cache_info():
    """(bytes cached, the limit, bins in use): for tests."""
    cdef int i, used = 0
    spin_lock(&lock)
    for i in range(NBINS):
        used += bin_head[i] != NULL
    info = (cached, limit, used)
    spin_unlock(&lock)
    return info


def _numpy_cache_clear():
    """Give every cached block back to NumPy's allocator."""
    spin_lock(&lock)
    release_all()
    spin_unlock(&lock)


def _numpy_cache_after_fork():
    """In a forked child: a thread of the parent may have held the lock, half-way through
    a bin; forget the bins (their pages are the parent's, copied on write) and the lock."""
    global cached, lock
    cdef int i
    for i in range(NBINS):
        bin_size[i] = 0
        bin_head[i] = NULL
    cached = 0
    lock = 0
