"""tg.keras is a client of the engine (DESIGN.md: the program layer uses tapegrad's public
API only): no module of tapegrad/keras reaches into the compiled `_tape` or another
private module of tapegrad."""
import pathlib
import re

import tapegrad as tg

KERAS = pathlib.Path(tg.keras.__file__).parent


# `from .. import _x`, `from .._x import ...`, `from tapegrad._x ...`, `import tapegrad._x`
_PRIVATE = re.compile(r"^\s*(from\s+(\.\.|tapegrad\.)_\w*|from\s+(\.\.|tapegrad)\s+import\s+_"
                      r"|import\s+tapegrad\._)")


def _sources():
    files = sorted(KERAS.glob("*.py"))
    assert len(files) >= 15, files          # the package is there, not an empty glob
    return files


def test_keras_never_names_the_engine_internals():
    offenders = [f"{p.name}:{i}: {line.strip()}"
                 for p in _sources()
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if "_tape" in line]
    assert offenders == []


def test_keras_imports_only_public_tapegrad_modules():
    private = _PRIVATE
    offenders = [f"{p.name}:{i}: {line.strip()}"
                 for p in _sources()
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if private.search(line)]
    assert offenders == []


def test_the_check_catches_a_reintroduced_import():
    # the patterns above flag the lines they exist for
    private = _PRIVATE
    for line in ("from .. import _tape as _t", "from .._tape import Tensor",
                 "import tapegrad._tape", "from tapegrad import _nest"):
        assert private.search(line), line
    assert not private.search("from .. import nn as _nn")
