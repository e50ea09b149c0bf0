"""`tg.name_scope` and `tg.get_current_name_scope`, as TensorFlow's: the front end over
the engine's per-thread scope, which a Variable reads for its name."""
from ._tape import get_name_scope, set_name_scope

__all__ = ["name_scope", "get_current_name_scope"]


def get_current_name_scope():
    """The current name scope, as TensorFlow's: 'outer/inner' ('' outside every scope)."""
    return get_name_scope().rstrip("/")


class name_scope:
    """A context manager that prefixes the names of Variables created inside it.

    `with tg.name_scope("outer"):` names a Variable `outer/<name>:0`; scopes nest; a name
    ending in '/' is absolute (it replaces the current scope) and '' clears it. The
    value bound by `as` is the full scope, e.g. 'outer/inner/'."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError("name for name_scope must be a string.")
        self._name = name
        self._old = []

    @property
    def name(self):
        return self._name

    def __enter__(self):
        old = get_name_scope()
        name = self._name
        if not name:
            scope = ""
        elif name[-1] == "/":
            scope = name
        else:
            scope = old + name + "/"
        set_name_scope(scope)
        self._old.append(old)
        return scope

    def __exit__(self, *exc):
        set_name_scope(self._old.pop())
        return False
