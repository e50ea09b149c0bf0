# The op table's machinery: the entry type (OpDef), the table (OPS) and the declarations
# that fill it (defop, unop, binop), which also make the public function of a simple
# elementwise op, its NumPy twin and its place in the public namespaces. The entries
# themselves are in rules*.pxi; adding an op is described in csrc/tapegrad/README.md.


cdef class OpDef:
    """One entry of the op table: how an op computes, and its derivatives."""
    cdef readonly int code        # index in OPS
    cdef readonly str name        # the tapegrad name (tg.<name>)
    cdef readonly str tf_name     # TensorFlow's kernel name, for error messages
    cdef readonly int nargs       # number of tensor inputs (-1: any)
    cdef readonly object fwd      # NumPy forward: fwd(*input values, *attributes)
    cdef readonly object vjp      # vjp(g, *inputs, output, *attributes) -> input gradients
    cdef readonly object jvp      # jvp(*input tangents, *inputs, output, *attributes) -> tangent
    cdef readonly object deriv    # elementwise unary ops: dy/dx = deriv(x, y); VJP g*d, JVP t*d
    cdef readonly object save     # a forward that also returns what the VJP reads, used when a
                                  # tape may record the op: save(*values, *attributes) ->
                                  # (output, saved); the tape keeps `saved` in place of the
                                  # output, and NumPy sweeps pass it to the VJP as its y
    cdef readonly bint needs_out  # the rules read the output: the tape keeps it
    cdef readonly bint shapes_only  # the VJP reads only its inputs' shapes and dtypes: the
                                    # tape keeps memoryless stand-ins of them (stand_in)
    cdef readonly bint bcast      # input gradients are summed back over broadcast axes
    cdef readonly bint float_only # integer inputs are an error (as TensorFlow's kernels)
    cdef readonly str ints        # ...except these NumPy kinds ('i' signed, 'u' unsigned)
    cdef readonly bint tensors    # the VJP is the user's: it always gets Tensors and tg's ops
    cdef readonly bint batch      # the VJP works on a g with a leading batch axis (jacobians)
    cdef readonly bint zero_g     # elementwise unary: where g is 0 the input gradient is 0 (even
                                  # where dy/dx is inf or NaN), as TensorFlow's SqrtGrad
    cdef readonly bint cplx       # the rules hold for complex values too (TensorFlow's
                                  # convention: the gradient of a real loss L in z = a + ib is
                                  # dL/da + i dL/db): the tape records its complex inputs and
                                  # outputs; other ops with a complex input are not recorded
    cdef readonly tuple ns        # the public namespaces that export tg.<name> ("tg", "math",
                                  # "math.special", "nn", "linalg", "image", ...)
    cdef readonly tuple aliases   # further public names of the op (each its own function)

    def __repr__(self):
        return f"<OpDef {self.code}: {self.name} ({self.tf_name})>"


# The table, indexed by op code. The codes below N_OPS are opcodes.pxi's C constants (the
# scalar block, and any op still declared with its code); defop gives the others theirs.
cdef list OPS = [None] * N_OPS
cdef object NP   # the NumPy twins of the ops rules call (twins.pxi; entries add theirs)
cdef object TG   # tapegrad's ops under the same names (_tape.pyx)
cdef object NPB  # the NumPy twins for a g with a leading batch axis (_tape.pyx)


def defop(*args, **kw):
    """Declare an op: defop(name, tf_name, nargs, fwd, vjp=None, jvp=None, **options);
    returns its op code. (An op with a C constant in opcodes.pxi passes it first:
    defop(OP_X, name, ...).)

    options: deriv, needs_out, bcast, float_only, ints, tensors, batch, shapes_only, save,
    zero_g, cplx (see OpDef), and
      ns       the public namespaces of tg.<name>, e.g. "tg math" (space-separated)
      public   make tg.<name> from the entry (nargs 1 or 2, no attributes): True for
               unop and binop; an op whose public function is written by hand says False
      args     the public function's argument names: ("x",) / ("x", "y") by default
      doc      its docstring (after the signature line)
      aliases  further public names, e.g. ("truediv",) (each a function of its own name)
      twin     the forward is the NumPy twin the rules call as tg.<name> (True for unop
               and binop)"""
    if args and type(args[0]) is int:
        return _declare(*args, **kw)
    return _declare(-1, *args, **kw)


def unop(*args, bint needs_out=False, bint float_only=True, bint zero_g=False, str ints="",
         shapes_only=None, **kw):
    """An elementwise unary op: unop(name, tf_name, fwd, deriv, needs_out=False, ...),
    deriv(tg, x, y) = dy/dx (the VJP is g * dy/dx, the JVP t * dy/dx). Makes tg.<name>(x)."""
    code = args[0] if args and type(args[0]) is int else -1
    if code >= 0:
        args = args[1:]
    name, tf_name, fwd, deriv = args[:4]
    if len(args) > 4:
        needs_out = args[4]
    kw.setdefault("public", True)
    kw.setdefault("twin", True)
    # a dy/dx given from y alone (needs_out) never reads x: the tape keeps only x's shape
    return _declare(code, name, tf_name, 1, fwd, deriv=deriv, needs_out=needs_out,
                    float_only=float_only, batch=True,
                    shapes_only=needs_out if shapes_only is None else shapes_only,
                    zero_g=zero_g, ints=ints, **kw)


def binop(*args, bint needs_out=False, bint shapes_only=False, bint float_only=False, **kw):
    """An elementwise binary op that broadcasts: binop(name, tf_name, fwd, vjp_a, vjp_b,
    jvp, ...), vjp_a(tg, g, a, b, y) the gradient of a (None: a has none), likewise b,
    jvp(tg, ta, tb, a, b, y). Makes tg.<name>(x, y)."""
    code = args[0] if args and type(args[0]) is int else -1
    if code >= 0:
        args = args[1:]
    name, tf_name, fwd, vjp_a, vjp_b, jvp = args[:6]
    if len(args) > 6:
        needs_out = args[6]
    kw.setdefault("public", True)
    kw.setdefault("twin", True)
    return _declare(code, name, tf_name, 2, fwd, (vjp_a, vjp_b), jvp, needs_out=needs_out,
                    bcast=True, batch=True, shapes_only=shapes_only, float_only=float_only,
                    **kw)


def _declare(int code, str name, str tf_name, int nargs, fwd, vjp=None, jvp=None,
             deriv=None, bint needs_out=False, bint bcast=False, bint float_only=False,
             bint tensors=False, bint batch=False, bint shapes_only=False, save=None,
             bint zero_g=False, str ints="", ns="", bint public=False, args=None,
             str doc=None, aliases=(), bint twin=False, bint cplx=False):
    cdef OpDef od = OpDef.__new__(OpDef)
    if code < 0:
        code = len(OPS)
        OPS.append(None)
    elif OPS[code] is not None:
        raise ValueError(f"op code {code} is declared twice: {OPS[code]!r} and {name!r}")
    od.code = code
    od.name, od.tf_name, od.nargs, od.fwd = name, tf_name, nargs, fwd
    od.vjp, od.jvp, od.deriv = vjp, jvp, deriv
    od.needs_out, od.bcast, od.float_only = needs_out, bcast, float_only or bool(ints)
    od.ints = ints
    od.tensors = tensors
    od.batch = batch
    od.shapes_only = shapes_only
    od.save = save
    od.zero_g = zero_g
    od.cplx = cplx
    od.ns = tuple(ns.split()) if isinstance(ns, str) else tuple(ns)
    od.aliases = tuple(aliases)
    OPS[code] = od
    g = globals()
    if public:
        for public_name in (name,) + od.aliases:
            g[public_name] = public_function(code, public_name, nargs, args, doc, tf_name)
    if twin and not hasattr(NP, name):   # a twin written out in twins.pxi comes first
        setattr(NP, name, fwd)
    return code


# The public function of an elementwise op, made from its entry: a closure over the op
# code (a C int), as fast as a def written out. One template per argument list (Cython
# fixes a function's argument names when it compiles it). A missing argument gets
# TensorFlow's message with the op's name; other misuse (a third positional argument, an
# unknown keyword) is Cython's message, which names the template (elementwise_op).
cdef object MISSING = object()

cdef object missing(str fname, tuple args, tuple given):
    lost = [a for a, v in zip(args, given) if v is MISSING]
    return TypeError(f"{fname}() missing {len(lost)} required positional argument"
                     f"{'s' if len(lost) > 1 else ''}: "
                     + " and ".join([f"'{a}'" for a in lost]))

def public_function(int code, str fname, int nargs, args, str doc, str tf_name):
    cdef int op = code
    args = tuple(args) if args is not None else ("x",) if nargs == 1 else ("x", "y")
    if args == ("x",):
        def elementwise_op(x=MISSING, name=None):
            if x is MISSING: raise missing(fname, args, (x,))
            return unary(op, x)
    elif args == ("features",):
        def elementwise_op(features=MISSING, name=None):
            if features is MISSING: raise missing(fname, args, (features,))
            return unary(op, features)
    elif args == ("input",):
        def elementwise_op(input=MISSING, name=None):
            if input is MISSING: raise missing(fname, args, (input,))
            return unary(op, input)
    elif args == ("x", "y"):
        def elementwise_op(x=MISSING, y=MISSING, name=None):
            if x is MISSING or y is MISSING: raise missing(fname, args, (x, y))
            return binary(op, x, y)
    elif args == ("y", "x"):
        def elementwise_op(y=MISSING, x=MISSING, name=None):
            if y is MISSING or x is MISSING: raise missing(fname, args, (y, x))
            return binary(op, y, x)
    elif args == ("a", "x"):
        def elementwise_op(a=MISSING, x=MISSING, name=None):
            if a is MISSING or x is MISSING: raise missing(fname, args, (a, x))
            return binary(op, a, x)
    elif args == ("x", "q"):
        def elementwise_op(x=MISSING, q=MISSING, name=None):
            if x is MISSING or q is MISSING: raise missing(fname, args, (x, q))
            return binary(op, x, q)
    else:
        raise ValueError(f"{fname}: no public function template for arguments {args} "
                         f"(add one to public_function in optable.pxi)")
    f = elementwise_op
    # inspect shows TensorFlow's signature, (x, name=None), not the MISSING defaults
    from inspect import Parameter, Signature
    f.__signature__ = Signature([Parameter(a, Parameter.POSITIONAL_OR_KEYWORD) for a in args]
                                + [Parameter("name", Parameter.POSITIONAL_OR_KEYWORD, default=None)])
    if nargs != len(args):
        raise ValueError(f"{fname}: {nargs} tensor inputs but arguments {args}")
    f.__name__ = f.__qualname__ = fname
    if doc is None:
        doc = (f"The elementwise {fname} of {' and '.join(args)}, with its gradient "
               f"(TensorFlow's {tf_name}).")
    f.__doc__ = f"{fname}({', '.join(args)}, name=None)\n\n{doc}"
    return f


def table_names(str namespace):
    """{public name: function} for the ops whose entries say they are in `namespace`
    ("tg", "math", "math.special", "nn", ...): the namespace modules import these."""
    g = globals()
    out = {}
    for od in OPS:
        if od is None or namespace not in (<OpDef>od).ns:
            continue
        for n in ((<OpDef>od).name,) + (<OpDef>od).aliases:
            if n not in g:
                raise LookupError(f"op '{n}' is declared in namespace '{namespace}' but has "
                                  f"no public function: write one, or declare it public")
            out[n] = g[n]
    return out


def op_table():
    """The op table's entries, in code order (for tests and tools)."""
    return [od for od in OPS if od is not None]
