"""Build of tapegrad's compiled tape: the extension list and one set of Cython directives.

Set TAPEGRAD_DEBUG=1 to build with bounds checks, wraparound and line tracing on.
Set TAPEGRAD_ASAN=1 to build with AddressSanitizer (run with gcc's libasan in LD_PRELOAD,
as .ci/run does).
"""
import os

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("TAPEGRAD_DEBUG", "") == "1"
ASAN = os.environ.get("TAPEGRAD_ASAN", "") == "1"
SANITIZE = ["-fsanitize=address", "-fno-omit-frame-pointer"] if ASAN else []

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": True,
    "initializedcheck": DEBUG,
    "cdivision": True,
    "embedsignature": True,
    "linetrace": DEBUG,
}

EXTENSIONS = [
    Extension(
        "tapegrad._tape",
        ["csrc/tapegrad/_tape.pyx"],
        include_dirs=[np.get_include()],
        extra_compile_args=(["-O2"] if not DEBUG else ["-O0", "-g"]) + SANITIZE
        + ["-ffp-contract=off"],   # no fused multiply-adds: TensorFlow's float rounding
        extra_link_args=SANITIZE,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]
        + ([("CYTHON_TRACE", "1")] if DEBUG else []),
    ),
]

setup(ext_modules=cythonize(EXTENSIONS, compiler_directives=DIRECTIVES,
                            include_path=["csrc"]))
