# Public special functions (tg.math, tg.math.special) that are more than one op: the
# elementwise ones are made from their entries in rules_special.pxi (kernels in
# special.pxi).

def lbeta(x, name=None):
    """log(|Beta(x)|) over the last axis: sum(lgamma(x)) - lgamma(sum(x))."""
    cdef Tensor t = as_input(x)
    return reduce_sum(TG.lgamma(t), -1) - TG.lgamma(reduce_sum(t, -1))
