"""What tapegrad's public namespace modules share: the op table's names for a namespace
(each op's entry says where it appears, csrc/tapegrad/optable.pxi), and __dir__."""
from ._tape import table_names


def export(g, namespace):
    """Put the op table's public functions of `namespace` ("tg", "math", "nn", ...) in the
    module globals g."""
    g.update(table_names(namespace))


def public_dir(g):
    """A module's __dir__ for module globals g: __all__ if it has one, else the names
    without a leading underscore (not the helpers it imports as _name)."""
    def __dir__():
        if "__all__" in g:
            return sorted(g["__all__"])
        return sorted(n for n in g if not n.startswith("_"))
    return __dir__
