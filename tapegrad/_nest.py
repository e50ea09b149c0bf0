"""Nested structures of tensors (lists, tuples, namedtuples, dicts), as TensorFlow's
`tf.nest`: flattened in a fixed order (dicts by sorted key) and packed back."""


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _sorted_keys(d):
    return sorted(d)     # keys that do not sort are TF's TypeError, as in tf.nest


_NESTS = (list, tuple, dict)


def _is_flat(s):
    """A plain list or tuple of leaves (the common case, taken without recursion)."""
    return (type(s) is list or type(s) is tuple) and not any(
        [isinstance(x, _NESTS) for x in s])


def flatten(structure):
    """The leaves of a nest, in order."""
    if not isinstance(structure, _NESTS):
        return [structure]
    if _is_flat(structure):
        return list(structure)
    out = []
    stack = [structure]
    inside = set()   # ids of the containers being flattened: a nest that contains itself
    while stack:
        x = stack.pop()
        if x is _LEAVE:
            inside.discard(stack.pop())
        elif isinstance(x, (dict, list, tuple)):
            if id(x) in inside:
                raise RecursionError("maximum recursion depth exceeded in flatten: the nest "
                                     "contains itself")
            inside.add(id(x))
            stack.append(id(x))
            stack.append(_LEAVE)
            if isinstance(x, dict):
                stack.extend(x[k] for k in reversed(_sorted_keys(x)))
            else:
                stack.extend(reversed(x))
        else:
            out.append(x)
    return out


_LEAVE = object()   # flatten's marker: the container whose id is below it is done


def pack_sequence_as(structure, flat):
    """The nest `structure` with its leaves replaced, in order, by `flat`."""
    if not isinstance(structure, _NESTS):
        return flat[0]
    if _is_flat(structure):
        return type(structure)(flat)
    it = iter(flat)

    def pack(s):
        if isinstance(s, dict):
            # leaves are consumed in sorted-key order; the result keeps the caller's order
            packed = {k: pack(s[k]) for k in _sorted_keys(s)}
            try:
                return type(s)((k, packed[k]) for k in s)
            except TypeError:
                return {k: packed[k] for k in s}
        if _is_namedtuple(s):
            return type(s)(*[pack(v) for v in s])
        if isinstance(s, (list, tuple)):
            return type(s)(pack(v) for v in s)
        return next(it)

    return pack(structure)


def map_structure(fn, structure):
    return pack_sequence_as(structure, [fn(x) for x in flatten(structure)])


# ----- the public tg.nest: TensorFlow's checks and messages over the functions above -----

def is_nested(seq):
    """Whether seq is a nest (a list, tuple, namedtuple or dict), not a leaf."""
    return isinstance(seq, _NESTS)


def _info(x):
    return f"type={type(x).__name__} str={x}"


class _Dot:
    def __repr__(self):
        return "."


def _skeleton(s):
    return pack_sequence_as(s, [_Dot()] * len(flatten(s)))


def _mismatch(s1, s2, check_types):
    """None if s1 and s2 have the same structure, else (exception class, detail)."""
    n1, n2 = is_nested(s1), is_nested(s2)
    if n1 != n2:
        seq, leaf = (s1, s2) if n1 else (s2, s1)
        return ValueError, (f'Substructure "{_info(seq)}" is a sequence, while substructure '
                            f'"{_info(leaf)}" is not')
    if not n1:
        return None
    if check_types and type(s1) is not type(s2) and not (
            isinstance(s1, dict) and isinstance(s2, dict)):
        return TypeError, (
            f"The two namedtuples don't have the same sequence type. First structure "
            f"{_info(s1)} has type {type(s1).__name__}, while second structure {_info(s2)} "
            f"has type {type(s2).__name__}")
    if isinstance(s1, dict) and isinstance(s2, dict):
        k1, k2 = _sorted_keys(s1), _sorted_keys(s2)
        if set(k1) != set(k2):
            return ValueError, (
                f"The two dictionaries don't have the same set of keys. First structure "
                f"has keys {_info(k1)}, while second structure has keys {_info(k2)}")
        c1, c2 = [s1[k] for k in k1], [s2[k] for k in k1]
    else:
        c1 = list(s1.values()) if isinstance(s1, dict) else list(s1)
        c2 = list(s2.values()) if isinstance(s2, dict) else list(s2)
    if len(c1) != len(c2):
        return ValueError, (f"The two structures don't have the same number of elements. "
                            f"First structure: {_info(s1)}. Second structure: {_info(s2)}")
    for a, b in zip(c1, c2):
        m = _mismatch(a, b, check_types)
        if m is not None:
            return m
    return None


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raise TensorFlow's ValueError (layout) or TypeError (container types) unless nest1
    and nest2 have the same structure."""
    m = _mismatch(nest1, nest2, check_types)
    if m is not None:
        cls, detail = m
        raise cls(f"The two structures don't have the same nested structure.\n\n"
                  f"First structure: {_info(nest1)}\n\nSecond structure: {_info(nest2)}\n\n"
                  f"More specifically: {detail}\nEntire first structure:\n"
                  f"{_skeleton(nest1)!r}\nEntire second structure:\n{_skeleton(nest2)!r}")


def pack_sequence_as_checked(structure, flat_sequence, expand_composites=False):
    """pack_sequence_as with TensorFlow's errors for a flat_sequence that does not fit."""
    if not is_nested(flat_sequence):
        raise TypeError(f"Attempted to pack value:\n  {flat_sequence}\ninto a structure, but "
                        f"found incompatible type `{type(flat_sequence)}` instead.")
    flat_sequence = list(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError(
                f"The target structure is of type `{type(structure)}`\n  {structure}\nHowever "
                f"the input is a sequence ({type(flat_sequence)}) of length "
                f"{len(flat_sequence)}.\n  {flat_sequence}\nnest cannot guarantee that it is "
                f"safe to map one to the other.")
        return flat_sequence[0]
    n = len(flatten(structure))
    if n != len(flat_sequence):
        raise ValueError(f"Could not pack sequence. Structure had {n} atoms, but "
                         f"flat_sequence had {len(flat_sequence)} items.  Structure: "
                         f"{structure}, flat_sequence: {flat_sequence}.")
    return pack_sequence_as(structure, flat_sequence)


def map_structure_checked(func, *structure, **kwargs):
    """func applied to the leaves of one or more nests of the same structure, packed in
    the first's structure (TensorFlow's `tf.nest.map_structure`)."""
    if not callable(func):
        raise TypeError(f"func must be callable, got: {func}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    check_types = kwargs.pop("check_types", True)
    kwargs.pop("expand_composites", None)
    for k in kwargs:
        raise ValueError(f"Only valid keyword arguments are `check_types` and "
                         f"`expand_composites`, not: `{k}`")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flats = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*xs) for xs in zip(*flats)])
