"""`tg.nest`: nested structures (lists, tuples, namedtuples, dicts) as TensorFlow's
`tf.nest`. Dicts are flattened in sorted key order and packed back in their own order."""
from . import _nest
from ._nest import is_nested, assert_same_structure  # noqa: F401
from ._nest import map_structure_checked as map_structure  # noqa: F401

__all__ = ["flatten", "is_nested", "assert_same_structure", "pack_sequence_as",
           "map_structure"]


def flatten(structure, expand_composites=False):
    """The leaves of a nest, in order (dicts by sorted key); a leaf gives [leaf]."""
    return _nest.flatten(structure)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """The nest `structure` with its leaves replaced, in order, by `flat_sequence`."""
    return _nest.pack_sequence_as_checked(structure, flat_sequence)
