"""Nested structures of tensors (lists, tuples, namedtuples, dicts), as TensorFlow's
`tf.nest`: flattened in a fixed order (dicts by sorted key) and packed back."""


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


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
