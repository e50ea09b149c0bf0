# Public special functions (tg.math, tg.math.special) that are more than one op: the
# elementwise ones are made from their entries in rules_special.pxi (kernels in
# special.pxi).

def lbeta(x, name=None):
    """log(|Beta(x)|) over the last axis: sum(lgamma(x)) - lgamma(sum(x))."""
    cdef Tensor t = as_input(x)
    return reduce_sum(TG.lgamma(t), -1) - TG.lgamma(reduce_sum(t, -1))


def betainc(a, b, x, name=None):
    """The regularised incomplete beta function I_x(a, b); a, b and x of one shape, or
    scalars (TensorFlow's Betainc). Its gradient is for x only (TensorFlow's)."""
    cdef Tensor first = None
    for v in (a, b, x):
        if isinstance(v, _Tracked):
            first = as_input(v)
            break
    if first is None:
        first = to_tensor(a)
    ts = [as_input(v) if isinstance(v, _Tracked) else like(v, first) for v in (a, b, x)]
    shapes = [shape_of(<Tensor>t) for t in ts]
    for i, j, n in ((0, 1, "b"), (0, 2, "x")):
        if shapes[i] and shapes[j] and shapes[i] != shapes[j]:
            raise InvalidArgumentError(f"Shapes of a and {n} are inconsistent: "
                                       f"{list(shapes[i])} vs. {list(shapes[j])} [Op:Betainc]"
                                       .replace(", ", ","))
    if shapes[1] and shapes[2] and shapes[1] != shapes[2]:
        raise InvalidArgumentError(f"Shapes of b and x are inconsistent: {list(shapes[1])} vs. "
                                   f"{list(shapes[2])} [Op:Betainc]".replace(", ", ","))
    return apply(OP_BETAINC, tuple(ts), ())
