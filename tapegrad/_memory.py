"""Installs the engine's cache of large NumPy blocks (csrc/tapegrad/memory.pxi) as
NumPy's allocator in the importing thread's context. TAPEGRAD_NUMPY_CACHE_MB sets how
much it may keep (default 512; 0 leaves NumPy's allocator alone)."""
import os

from . import _tape


def install():
    text = os.environ.get("TAPEGRAD_NUMPY_CACHE_MB", "512")
    try:
        mb = int(text)
        if mb < 0:
            raise ValueError
    except ValueError:
        raise ValueError(f"TAPEGRAD_NUMPY_CACHE_MB must be a whole number of MB >= 0 "
                         f"(0 turns the cache off), got {text!r}") from None
    _tape._install_numpy_cache(mb << 20)
    if mb and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_tape._numpy_cache_after_fork)


install()
