# The op table, image resizing. Every method but nearest (a getitem) is a linear map
# per spatial axis: each output row (or column) is a weighted sum of a few input rows,
# its "taps". One axis's taps are (idx, w, valid, lerp): idx (out, K) input positions,
# w (out, K) float32 weights, valid (out, K) or None (area, ScaleAndTranslate: a varying
# number of taps, the used ones first, the rest masked), lerp (bilinear: computed as a + (b - a) * t, TensorFlow's
# rounding). Attributes: th, tw (the two axes' taps), order ('wh': width first, as
# TensorFlow's bilinear and area kernels; 'hw': height first, as its bicubic), factor
# (a float32 scale applied last, area's 1 / (hs * ws), or None).
# resize_taps and its transpose resize_taps_grad are each other's VJP: every order of
# derivative follows; the JVP of each is itself. Both run as compiled loops, one axis at a
# time (kernels_image.pxi).


def _resize_np(x, th, tw, order, factor):
    if order == "wh":
        y = taps_run(taps_run(x, tw, 2, len(tw[0]), False), th, 1, len(th[0]), False)
    else:
        y = taps_run(taps_run(x, th, 1, len(th[0]), False), tw, 2, len(tw[0]), False)
    if factor is not None:
        y *= y.dtype.type(factor)
    return y

def _resize_grad_np(g, xshape, th, tw, order, factor):
    if factor is not None:
        g = g * g.dtype.type(factor)
    return taps_run(taps_run(g, th, 1, xshape[1], True), tw, 2, xshape[2], True)

cdef int OP_RESIZE = defop("resize", "ResizeBilinear", 1, _resize_np,
      lambda tg, g, x, y, th, tw, o, f: tg.resize_taps_grad(g, x.shape, th, tw, o, f),
      lambda tg, t, x, y, th, tw, o, f: tg.resize_taps(t, th, tw, o, f),
      float_only=True, shapes_only=True)
cdef int OP_RESIZE_GRAD = defop("resize_grad", "ResizeBilinearGrad", 1, _resize_grad_np,
      lambda tg, gg, g, y, xs, th, tw, o, f: tg.resize_taps(gg, th, tw, o, f),
      lambda tg, t, g, y, xs, th, tw, o, f: tg.resize_taps_grad(t, xs, th, tw, o, f),
      float_only=True, shapes_only=True)

vars(NP).update(resize_taps=_resize_np, resize_taps_grad=_resize_grad_np)
