"""`tg.Module`, as TensorFlow's `tf.Module`.

A Module is a named container of Variables and other Modules; `variables`,
`trainable_variables` and `submodules` walk its attributes the way TensorFlow does: by
attribute name, into lists, tuples and dicts (by sorted key), each object once, then
into the submodules found, breadth first."""
import functools
import re

from . import _nest
from ._tape import Variable
from .scope import name_scope

__all__ = ["Module"]




_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_IDENTIFIER = re.compile(r"^[a-zA-Z_]([a-zA-Z0-9_])*$")


def _camel_to_snake(value):
    return _CAMEL_TO_SNAKE.sub(r"_\1", value).lower()


def _is_variable(obj):
    return isinstance(obj, Variable)


def _is_trainable_variable(obj):
    return isinstance(obj, Variable) and getattr(obj, "trainable", False)


def _is_non_trainable_variable(obj):
    return isinstance(obj, Variable) and not getattr(obj, "trainable", False)


def _is_module(obj):
    return isinstance(obj, Module)


class Module:
    """Base class of hand-built models: a named container of Variables and Modules.

        class Dense(tg.Module):
            def __init__(self, n_in, n_out, name=None):
                super().__init__(name=name)
                self.w = tg.Variable(tg.random.normal([n_in, n_out]), name="w")
                self.b = tg.Variable(tg.zeros([n_out]), name="b")
            def __call__(self, x):
                return tg.nn.relu(x @ self.w + self.b)

    `Dense(3, 2).trainable_variables` is `(b, w)`: sorted by attribute name, then the
    variables of submodules, breadth first."""

    _TF_MODULE_IGNORED_PROPERTIES = frozenset()

    def __init__(self, name=None):
        if name is None:
            name = _camel_to_snake(type(self).__name__)
        elif not _VALID_IDENTIFIER.match(name):
            raise ValueError(
                "%r is not a valid module name. Module names must be valid Python "
                "identifiers (e.g. a valid class name)." % name)
        self._name = name
        with name_scope(name) as scope_name:
            self._name_scope = name_scope(scope_name)

    @property
    def name(self):
        """The name given to (or derived for) this module; not its full scope."""
        return self._name

    @property
    def name_scope(self):
        """The `tg.name_scope` of this module (absolute: it includes enclosing scopes)."""
        return self._name_scope

    @property
    def variables(self):
        """This module's variables (by attribute name), then its submodules'."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(predicate=_is_trainable_variable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(predicate=_is_non_trainable_variable))

    @property
    def submodules(self):
        """Every module reachable from this one's attributes (breadth first), once."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None,
                 with_path=False, expand_composites=False):
        """The attribute values of this module (and, if recursive, its submodules) for
        which `predicate` holds, in TensorFlow's order."""
        if predicate is None:
            predicate = lambda _: True  # noqa: E731
        return _flatten_module(self, recursive, predicate, attribute_traversal_key,
                               self._TF_MODULE_IGNORED_PROPERTIES, with_path)

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: the method runs inside the module's name scope."""
        @functools.wraps(method)
        def method_with_name_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return method_with_name_scope


def _flatten_with_paths(structure, path=()):
    """(path, leaf) pairs of a nest, in tg.nest.flatten's order."""
    if isinstance(structure, dict):
        for k in _nest._sorted_keys(structure):
            yield from _flatten_with_paths(structure[k], path + (k,))
    elif isinstance(structure, (list, tuple)):
        for i, v in enumerate(structure):
            yield from _flatten_with_paths(v, path + (i,))
    else:
        yield path, structure


def _flatten_module(module, recursive, predicate, attribute_traversal_key,
                    attributes_to_ignore, with_path, module_path=(), seen=None,
                    recursion_stack=None):
    module_id = id(module)
    if seen is None:
        seen = {module_id}
    if recursion_stack is None:
        recursion_stack = []
    if module_id in recursion_stack:
        recursive = False
    module_dict = vars(module)
    submodules = []
    for key in sorted(module_dict, key=attribute_traversal_key):
        if key in attributes_to_ignore:
            continue
        prop = module_dict[key]
        try:
            leaves = list(_flatten_with_paths(prop))
        except Exception as cause:
            raise ValueError(f"Error processing property {key!r} of {prop!r}") from cause
        for leaf_path, leaf in leaves:
            leaf_path = (key,) + leaf_path
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (module_path + leaf_path, leaf) if with_path else leaf
            if recursive and isinstance(leaf, Module):
                submodules.append((module_path + leaf_path, leaf))
    recursion_stack.append(module_id)
    for sub_path, sub in submodules:
        yield from _flatten_module(sub, recursive, predicate, attribute_traversal_key,
                                   sub._TF_MODULE_IGNORED_PROPERTIES, with_path, sub_path,
                                   seen, recursion_stack)
    recursion_stack.pop()
