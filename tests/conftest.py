"""The tests run against the installed package, never the source tree: a file left out
of the wheel must fail them."""
import os
import pathlib

import tapegrad

_here = pathlib.Path(__file__).resolve().parent
_pkg = pathlib.Path(tapegrad.__file__).resolve().parent
if _pkg.parent == _here.parent and not os.environ.get("TAPEGRAD_TEST_SOURCE_TREE"):
    raise RuntimeError(f"tests imported tapegrad from the source tree ({_pkg}); install the "
                       f"package and run the tests from outside it (see README.md)")
