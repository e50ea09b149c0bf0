# The op table, shapes: tile and constant pad. (Other shape ops are compositions of
# reshape, getitem and scatter_add: see ops_shape.pxi.)

def _tile_vjp(tg, g, x, y, multiples):
    # y viewed as (m0, d0, m1, d1, ...): sum over the copies
    inter = []
    for m, d in zip(multiples, x.shape):
        inter += [m, d]
    return tg.reduce_sum(tg.reshape(g, inter), tuple(range(0, 2 * len(multiples), 2)))

def _pad_np(a, paddings, value):
    return np.pad(a, paddings, mode="constant", constant_values=value)

def _unpad(g, paddings):
    return g[tuple([slice(b, d - a) for (b, a), d in zip(paddings, g.shape)])]


cdef int OP_TILE = defop("tile", "Tile", 1, np.tile, _tile_vjp,
      lambda tg, t, x, y, multiples: tg.tile(t, multiples), ns="tg", twin=True)
# pad: attributes (paddings as ((before, after), ...), the constant)
cdef int OP_PAD = defop("pad",  "PadV2", 1, _pad_np,
      lambda tg, g, x, y, paddings, value: _unpad(g, paddings),
      lambda tg, t, x, y, paddings, value: tg.pad(t, paddings), ns="tg")

# NumPy twins of the ops these rules call through tg
vars(NP).update(pad=np.pad)
