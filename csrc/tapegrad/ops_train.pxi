# Fused training updates: TensorFlow's ResourceApply* ops (tf.raw_ops), each one C loop
# over the variable's array and its slots' (float32 or float64), instead of a dozen NumPy
# passes and temporaries. A state is written in place when nothing else sees its array
# (the Variable's copy on write, as assign_add); otherwise the update goes into a copy.
# Updates are stateful writes, as assign_add: no tape records them (TF's have no gradient).
# Formulas and the order of their float operations are TF's kernels'
# (tensorflow/core/kernels/training_ops.cc), computed in the variables' dtype.
# ResourceApplyKerasAdam is tapegrad's own: Keras 3's Adam, whose 1 - beta is a Python
# float rounded to the dtype (TF's kernel rounds beta first), so Keras keeps its numbers.

# The loops, in C: one function per variant, for float and double, the branches out of
# the loops. No `restrict`: a variable given twice (TF allows it) stays well defined.
# (GCC does not vectorize them: sqrtf's errno path stays in the loop, and a `#pragma GCC
# optimize ("no-math-errno")` does not reach the builtin; scalar, they already beat a
# NumPy step written by hand.)
cdef extern from *:
    """
    #define TG_MAX_NAN(a, b) (((a) >= (b) || (a) != (a)) ? (a) : (b))  /* np.maximum */
    #define TG_TRAIN_KERNELS(T, S, SQRT) \\
    static void tg_adam_##S(T *var, T *m, T *v, const T *g, Py_ssize_t n, T alpha, T c1, \\
                            T c2, T eps) { \\
        for (Py_ssize_t i = 0; i < n; i++) { \\
            T gi = g[i]; \\
            T mi = m[i] + (gi - m[i]) * c1; m[i] = mi; \\
            T vi = v[i] + (gi * gi - v[i]) * c2; v[i] = vi; \\
            var[i] = var[i] - (mi * alpha) / (SQRT(vi) + eps); \\
        } \\
    } \\
    static void tg_adam_amsgrad_##S(T *var, T *m, T *v, T *vhat, const T *g, Py_ssize_t n, \\
                                    T alpha, T c1, T c2, T eps) { \\
        for (Py_ssize_t i = 0; i < n; i++) { \\
            T gi = g[i]; \\
            T mi = m[i] + (gi - m[i]) * c1; m[i] = mi; \\
            T vi = v[i] + (gi * gi - v[i]) * c2; v[i] = vi; \\
            T hi = vhat[i]; hi = TG_MAX_NAN(hi, vi); vhat[i] = hi; \\
            var[i] = var[i] - (mi * alpha) / (SQRT(hi) + eps); \\
        } \\
    } \\
    static void tg_adam_nesterov_##S(T *var, T *m, T *v, const T *g, Py_ssize_t n, \\
                                     T alpha, T c1, T c2, T eps, T beta1) { \\
        for (Py_ssize_t i = 0; i < n; i++) { \\
            T gi = g[i]; \\
            T mi = m[i] + (gi - m[i]) * c1; m[i] = mi; \\
            T vi = v[i] + (gi * gi - v[i]) * c2; v[i] = vi; \\
            var[i] = var[i] - ((gi * c1 + beta1 * mi) * alpha) / (SQRT(vi) + eps); \\
        } \\
    } \\
    static void tg_momentum_##S(T *var, T *accum, const T *g, Py_ssize_t n, T lr, T mu, \\
                                int nesterov) { \\
        if (nesterov) { \\
            for (Py_ssize_t i = 0; i < n; i++) { \\
                T a = accum[i] * mu - g[i] * lr; accum[i] = a; \\
                var[i] = var[i] + (a * mu - g[i] * lr); \\
            } \\
        } else { \\
            for (Py_ssize_t i = 0; i < n; i++) { \\
                T a = accum[i] * mu - g[i] * lr; accum[i] = a; \\
                var[i] = var[i] + a; \\
            } \\
        } \\
    } \\
    static void tg_descent_##S(T *var, const T *g, Py_ssize_t n, T alpha) { \\
        for (Py_ssize_t i = 0; i < n; i++) var[i] = var[i] - g[i] * alpha; \\
    } \\
    static void tg_rmsprop_##S(T *var, T *ms, T *mom, const T *g, Py_ssize_t n, T lr, \\
                               T c, T mu, T eps) { \\
        for (Py_ssize_t i = 0; i < n; i++) { \\
            T gi = g[i]; \\
            T si = ms[i] + (gi * gi - ms[i]) * c; ms[i] = si; \\
            T o = mom[i] * mu + (gi * lr) / SQRT(si + eps); mom[i] = o; \\
            var[i] = var[i] - o; \\
        } \\
    } \\
    static void tg_centered_rmsprop_##S(T *var, T *mg, T *ms, T *mom, const T *g, \\
                                        Py_ssize_t n, T lr, T c, T mu, T eps) { \\
        for (Py_ssize_t i = 0; i < n; i++) { \\
            T gi = g[i]; \\
            T si = ms[i] + (gi * gi - ms[i]) * c; ms[i] = si; \\
            T ai = mg[i] + (gi - mg[i]) * c; mg[i] = ai; \\
            T o = mom[i] * mu + (gi * lr) / SQRT((si - ai * ai) + eps); mom[i] = o; \\
            var[i] = var[i] - o; \\
        } \\
    } \\
    static void tg_adagrad_##S(T *var, T *accum, const T *g, Py_ssize_t n, T lr, T eps, \\
                               int update_slots) { \\
        if (update_slots) { \\
            for (Py_ssize_t i = 0; i < n; i++) { \\
                T gi = g[i]; T a = accum[i] + gi * gi; accum[i] = a; \\
                var[i] = var[i] - (gi * lr) / (SQRT(a) + eps); \\
            } \\
        } else { \\
            for (Py_ssize_t i = 0; i < n; i++) \\
                var[i] = var[i] - (g[i] * lr) / (SQRT(accum[i]) + eps); \\
        } \\
    }
    TG_TRAIN_KERNELS(float, f32, sqrtf)
    TG_TRAIN_KERNELS(double, f64, sqrt)
    """
    void tg_adam_f32(float*, float*, float*, float*, Py_ssize_t, float, float, float, float)
    void tg_adam_f64(double*, double*, double*, double*, Py_ssize_t, double, double, double,
                     double)
    void tg_adam_amsgrad_f32(float*, float*, float*, float*, float*, Py_ssize_t, float, float,
                             float, float)
    void tg_adam_amsgrad_f64(double*, double*, double*, double*, double*, Py_ssize_t, double,
                             double, double, double)
    void tg_adam_nesterov_f32(float*, float*, float*, float*, Py_ssize_t, float, float, float,
                              float, float)
    void tg_adam_nesterov_f64(double*, double*, double*, double*, Py_ssize_t, double, double,
                              double, double, double)
    void tg_momentum_f32(float*, float*, float*, Py_ssize_t, float, float, int)
    void tg_momentum_f64(double*, double*, double*, Py_ssize_t, double, double, int)
    void tg_descent_f32(float*, float*, Py_ssize_t, float)
    void tg_descent_f64(double*, double*, Py_ssize_t, double)
    void tg_rmsprop_f32(float*, float*, float*, float*, Py_ssize_t, float, float, float, float)
    void tg_rmsprop_f64(double*, double*, double*, double*, Py_ssize_t, double, double, double,
                        double)
    void tg_centered_rmsprop_f32(float*, float*, float*, float*, float*, Py_ssize_t, float,
                                 float, float, float)
    void tg_centered_rmsprop_f64(double*, double*, double*, double*, double*, Py_ssize_t,
                                 double, double, double, double)
    void tg_adagrad_f32(float*, float*, float*, Py_ssize_t, float, float, int)
    void tg_adagrad_f64(double*, double*, double*, Py_ssize_t, double, double, int)


# operands ---------------------------------------------------------------------------------

cdef class _Update:
    """The operands of one update being checked and gathered: the dtype (the first
    variable's), the shape, the op's name for errors, the variables and their arrays."""
    cdef str op
    cdef object dtype
    cdef bint f32         # dtype is float32 (else float64)
    cdef tuple shape
    cdef list vars        # the Variables written, in order
    cdef list arrays      # their arrays, writable (their own, or a copy)
    cdef list own         # whether each array is the variable's own

    def __init__(self, str op):
        self.op = op
        self.vars = []
        self.arrays = []
        self.own = []

    cdef cnp.ndarray state(self, object x, str argname, int index):
        """The writable C-contiguous array of resource argument `x` (a Variable)."""
        cdef Variable v
        cdef Tensor t
        cdef cnp.ndarray a
        cdef bint own
        if not isinstance(x, Variable):
            kind = dtype_of(to_tensor(x)).name if x is not None else "None"
            raise InvalidArgumentError(
                f"cannot compute {self.op} as input #{index}(zero-based) was expected to "
                f"be a resource tensor but is a {kind} tensor [Op:{self.op}]")
        v = <Variable>x
        for i in range(len(self.vars)):           # the same variable twice: one array
            if self.vars[i] is v:
                return self.arrays[i]
        own = v._sole_owner() and cnp.PyArray_CHKFLAGS(<cnp.ndarray>v._value._a,
                                                        cnp.NPY_ARRAY_C_CONTIGUOUS)
        t = var_value(v)
        dtype = dtype_of(t)
        if self.dtype is None:
            if dtype != F32 and dtype != F64:
                raise InvalidArgumentError(
                    f"{self.op}: no kernel for dtype {dtype.name} (float32 and float64 "
                    f"only) [Op:{self.op}]")
            self.dtype = dtype
            self.f32 = dtype == F32
            self.shape = shape_of(t)
        elif dtype != self.dtype:
            raise InvalidArgumentError(
                f"cannot compute {self.op} as input #{index}(zero-based) was expected to "
                f"be a {self.dtype.name} tensor but is a {dtype.name} tensor [Op:{self.op}]")
        elif shape_of(t) != self.shape:
            raise InvalidArgumentError(
                f"var and {argname} do not have the same shape{_dims(self.shape)} "
                f"{_dims(shape_of(t))} [Op:{self.op}]")
        if own:
            a = t._a
            cnp.PyArray_ENABLEFLAGS(a, cnp.NPY_ARRAY_WRITEABLE)
        else:
            a = np.array(val(t), order="C", copy=True, ndmin=1)
        self.vars.append(v)
        self.arrays.append(a)
        self.own.append(own)
        return a

    cdef double scalar(self, object x, str argname, int index) except? -1.0:
        """A scalar argument's value in the dtype (as a double)."""
        cdef Tensor t
        if type(x) is float or type(x) is int or type(x) is NP_F32 or type(x) is NP_F64:
            return <float>x if self.f32 else <double>x
        t = self._tensor(x, index)
        if shape_of(t) != ():
            raise InvalidArgumentError(
                f"{argname} is not a scalar : {_dims(shape_of(t))} [Op:{self.op}]")
        return float(val(t))

    cdef cnp.ndarray dense(self, object x, str argname, int index):
        """The C-contiguous array of a tensor argument shaped like var (the gradient)."""
        cdef Tensor t
        if (type(x) is ndarray and (<cnp.ndarray>x).dtype == self.dtype
                and cnp.PyArray_CHKFLAGS(<cnp.ndarray>x, cnp.NPY_ARRAY_C_CONTIGUOUS)):
            if x.shape == self.shape:      # read only, never kept: no copy
                return x
        t = self._tensor(x, index)
        if shape_of(t) != self.shape:
            raise InvalidArgumentError(
                f"var and {argname} do not have the same shape{_dims(self.shape)} "
                f"{_dims(shape_of(t))} [Op:{self.op}]")
        if t._k == K_ARRAY:
            a = t._a
            if cnp.PyArray_CHKFLAGS(<cnp.ndarray>a, cnp.NPY_ARRAY_C_CONTIGUOUS):
                return a
        return np.array(val(t), order="C", ndmin=1)

    cdef Tensor _tensor(self, object x, int index):
        cdef Tensor t
        if type(x) is Tensor or isinstance(x, Variable):
            t = as_value(x)
            if dtype_of(t) != self.dtype:
                raise InvalidArgumentError(
                    f"cannot compute {self.op} as input #{index}(zero-based) was expected "
                    f"to be a {self.dtype.name} tensor but is a {dtype_of(t).name} tensor "
                    f"[Op:{self.op}]")
            return t
        return wrap(array_as(x, self.dtype))

    cdef void commit(self):
        """Seal the arrays again and give each variable its new value (a new Tensor, so
        no tape slot of the old one carries over)."""
        cdef Variable v
        for i in range(len(self.vars)):
            v = self.vars[i]
            a = self.arrays[i]
            if self.own[i]:
                cnp.PyArray_CLEARFLAGS(<cnp.ndarray>a, cnp.NPY_ARRAY_WRITEABLE)
                v._value = copy_of(v._value)
            else:
                # (a 0-d value was copied as 1-d; any other copy keeps owning its data)
                v._value = wrap(a if cnp.PyArray_NDIM(<cnp.ndarray>a) == len(self.shape)
                                else a.reshape(self.shape))

    cdef void abandon(self):
        for i in range(len(self.vars)):
            if self.own[i]:
                cnp.PyArray_CLEARFLAGS(<cnp.ndarray>self.arrays[i], cnp.NPY_ARRAY_WRITEABLE)


cdef inline void* _ptr(cnp.ndarray a):
    return cnp.PyArray_DATA(a)


cdef inline void* _opt(object a):
    return NULL if a is None else cnp.PyArray_DATA(<cnp.ndarray>a)


cdef void _positional(str op, tuple args, str keys) except *:
    if args:
        raise TypeError(f"{op} only takes keyword args (possible keys: [{keys}]). Please "
                        f"pass these args as kwargs instead.")


# the ops ----------------------------------------------------------------------------------

def ResourceApplyAdam(*args, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon,
                      grad, use_locking=False, use_nesterov=False, name=None):
    """tf.raw_ops.ResourceApplyAdam: one Adam step, in place.

    lr_t = lr * sqrt(1 - beta2_power) / (1 - beta1_power); m += (grad - m) * (1 - beta1);
    v += (grad**2 - v) * (1 - beta2); var -= m * lr_t / (sqrt(v) + epsilon) (Nesterov:
    (grad * (1 - beta1) + beta1 * m) in place of m). Scalars are in var's dtype."""
    _positional("resource_apply_adam", args, "'var', 'm', 'v', 'beta1_power', "
                "'beta2_power', 'lr', 'beta1', 'beta2', 'epsilon', 'grad', 'use_locking', "
                "'use_nesterov', 'name'")
    _adam("ResourceApplyAdam", var, m, v, None, beta1_power, beta2_power, lr, beta1, beta2,
          epsilon, grad, use_nesterov, False)


def ResourceApplyAdamWithAmsgrad(*args, var, m, v, vhat, beta1_power, beta2_power, lr,
                                 beta1, beta2, epsilon, grad, use_locking=False, name=None):
    """tf.raw_ops.ResourceApplyAdamWithAmsgrad: Adam with vhat = max(vhat, v) in place of
    v in the denominator."""
    _positional("resource_apply_adam_with_amsgrad", args, "'var', 'm', 'v', 'vhat', "
                "'beta1_power', 'beta2_power', 'lr', 'beta1', 'beta2', 'epsilon', 'grad', "
                "'use_locking', 'name'")
    _adam("ResourceApplyAdamWithAmsgrad", var, m, v, vhat, beta1_power, beta2_power, lr,
          beta1, beta2, epsilon, grad, False, False)


def ResourceApplyKerasAdam(*args, var, m, v, beta1_power, beta2_power, lr, beta1, beta2,
                           epsilon, grad, vhat=None, use_locking=False, name=None):
    """tapegrad's own (TensorFlow has no such op): Keras 3's Adam step, in place. As
    ResourceApplyAdam (and ResourceApplyAdamWithAmsgrad when `vhat` is given), except that
    1 - beta1 and 1 - beta2 are computed in float64 from the values given and then
    rounded to var's dtype, as Keras's `ops.multiply(x, 1 - self.beta_1)` does, where TF's
    kernel rounds beta1 first (float32: 1 - 0.9 gives 0.1, not 0.100000024)."""
    _positional("resource_apply_keras_adam", args, "'var', 'm', 'v', 'beta1_power', "
                "'beta2_power', 'lr', 'beta1', 'beta2', 'epsilon', 'grad', 'vhat', "
                "'use_locking', 'name'")
    _adam("ResourceApplyKerasAdam", var, m, v, vhat, beta1_power, beta2_power, lr, beta1,
          beta2, epsilon, grad, False, True)


cdef void _adam(str op, var, m, v, vhat, beta1_power, beta2_power, lr, beta1, beta2,
                epsilon, grad, bint nesterov, bint keras) except *:
    cdef _Update u = _Update(op)
    cdef cnp.ndarray a_var, a_m, a_v, a_g
    cdef object a_vhat = None
    cdef double b1p, b2p, r, b1, b2, eps, c1, c2
    cdef Py_ssize_t n
    cdef float f1
    cdef float f2
    try:
        a_var = u.state(var, "var", 0)
        a_m = u.state(m, "m", 1)
        a_v = u.state(v, "v", 2)
        if vhat is not None:
            a_vhat = u.state(vhat, "vhat", 3)
        k = 3 if vhat is None else 4
        b1p = u.scalar(beta1_power, "beta1_power", k)
        b2p = u.scalar(beta2_power, "beta2_power", k + 1)
        r = u.scalar(lr, "lr", k + 2)
        b1 = u.scalar(beta1, "beta1", k + 3) if not keras else _py_float(beta1, u, k + 3)
        b2 = u.scalar(beta2, "beta2", k + 4) if not keras else _py_float(beta2, u, k + 4)
        eps = u.scalar(epsilon, "epsilon", k + 5)
        a_g = u.dense(grad, "grad", k + 6)
        n = cnp.PyArray_SIZE(a_var)
        if u.f32:
            if keras:   # the complements in float64, then rounded
                f1 = <float>(1.0 - b1)
                f2 = <float>(1.0 - b2)
            else:       # TF: in float32
                f1 = <float>1.0 - <float>b1
                f2 = <float>1.0 - <float>b2
            fa = _alpha_f32(<float>r, <float>b1p, <float>b2p)
            if a_vhat is not None:
                tg_adam_amsgrad_f32(<float*>_ptr(a_var), <float*>_ptr(a_m), <float*>_ptr(a_v),
                                    <float*>_opt(a_vhat), <float*>_ptr(a_g), n, fa, f1, f2,
                                    <float>eps)
            elif nesterov:
                tg_adam_nesterov_f32(<float*>_ptr(a_var), <float*>_ptr(a_m), <float*>_ptr(a_v),
                                     <float*>_ptr(a_g), n, fa, f1, f2, <float>eps, <float>b1)
            else:
                tg_adam_f32(<float*>_ptr(a_var), <float*>_ptr(a_m), <float*>_ptr(a_v),
                            <float*>_ptr(a_g), n, fa, f1, f2, <float>eps)
        else:
            c1 = 1.0 - b1
            c2 = 1.0 - b2
            da = _alpha_f64(r, b1p, b2p)
            if a_vhat is not None:
                tg_adam_amsgrad_f64(<double*>_ptr(a_var), <double*>_ptr(a_m), <double*>_ptr(a_v),
                                    <double*>_opt(a_vhat), <double*>_ptr(a_g), n, da, c1, c2,
                                    eps)
            elif nesterov:
                tg_adam_nesterov_f64(<double*>_ptr(a_var), <double*>_ptr(a_m),
                                     <double*>_ptr(a_v), <double*>_ptr(a_g), n, da, c1, c2, eps,
                                     b1)
            else:
                tg_adam_f64(<double*>_ptr(a_var), <double*>_ptr(a_m), <double*>_ptr(a_v),
                            <double*>_ptr(a_g), n, da, c1, c2, eps)
    except BaseException:
        u.abandon()
        raise
    u.commit()


# lr * sqrt(1 - beta2_power) / (1 - beta1_power), in the dtype, as TF and Keras
cdef inline float _alpha_f32(float lr, float b1p, float b2p) noexcept nogil:
    return lr * cm.sqrtf(<float>1 - b2p) / (<float>1 - b1p)


cdef inline double _alpha_f64(double lr, double b1p, double b2p) noexcept nogil:
    return lr * cm.sqrt(1 - b2p) / (1 - b1p)


cdef double _py_float(object x, _Update u, int index) except? -1.0:
    """A scalar's value as a double, not rounded to the dtype (ResourceApplyKerasAdam's
    betas, which Keras keeps as Python floats)."""
    if type(x) is float or type(x) is int:
        return <double>x
    return u.scalar(x, "beta", index)


def ResourceApplyGradientDescent(*args, var, alpha, delta, use_locking=False, name=None):
    """tf.raw_ops.ResourceApplyGradientDescent: var -= alpha * delta, in place."""
    _positional("resource_apply_gradient_descent", args,
                "'var', 'alpha', 'delta', 'use_locking', 'name'")
    cdef _Update u = _Update("ResourceApplyGradientDescent")
    try:
        a_var = u.state(var, "var", 0)
        r = u.scalar(alpha, "alpha", 1)
        a_g = u.dense(delta, "delta", 2)
        n = cnp.PyArray_SIZE(a_var)
        if u.f32:
            tg_descent_f32(<float*>_ptr(a_var), <float*>_ptr(a_g), n, <float>r)
        else:
            tg_descent_f64(<double*>_ptr(a_var), <double*>_ptr(a_g), n, <double>r)
    except BaseException:
        u.abandon()
        raise
    u.commit()


def ResourceApplyKerasMomentum(*args, var, accum, lr, grad, momentum, use_locking=False,
                               use_nesterov=False, name=None):
    """tf.raw_ops.ResourceApplyKerasMomentum: accum = accum * momentum - grad * lr;
    var += accum (Nesterov: var += accum * momentum - grad * lr), in place."""
    _positional("resource_apply_keras_momentum", args, "'var', 'accum', 'lr', 'grad', "
                "'momentum', 'use_locking', 'use_nesterov', 'name'")
    cdef _Update u = _Update("ResourceApplyKerasMomentum")
    try:
        a_var = u.state(var, "var", 0)
        a_acc = u.state(accum, "accum", 1)
        r = u.scalar(lr, "lr", 2)
        a_g = u.dense(grad, "grad", 3)
        mu = u.scalar(momentum, "momentum", 4)
        n = cnp.PyArray_SIZE(a_var)
        if u.f32:
            tg_momentum_f32(<float*>_ptr(a_var), <float*>_ptr(a_acc), <float*>_ptr(a_g),
                           n, <float>r, <float>mu, bool(use_nesterov))
        else:
            tg_momentum_f64(<double*>_ptr(a_var), <double*>_ptr(a_acc),
                           <double*>_ptr(a_g), n, <double>r, <double>mu, bool(use_nesterov))
    except BaseException:
        u.abandon()
        raise
    u.commit()


def ResourceApplyRMSProp(*args, var, ms, mom, lr, rho, momentum, epsilon, grad,
                         use_locking=False, name=None):
    """tf.raw_ops.ResourceApplyRMSProp: ms += (grad**2 - ms) * (1 - rho);
    mom = mom * momentum + grad * lr / sqrt(ms + epsilon); var -= mom, in place."""
    _positional("resource_apply_rms_prop", args, "'var', 'ms', 'mom', 'lr', 'rho', "
                "'momentum', 'epsilon', 'grad', 'use_locking', 'name'")
    _rmsprop("ResourceApplyRMSProp", var, None, ms, mom, lr, rho, momentum, epsilon, grad)


def ResourceApplyCenteredRMSProp(*args, var, mg, ms, mom, lr, rho, momentum, epsilon, grad,
                                 use_locking=False, name=None):
    """tf.raw_ops.ResourceApplyCenteredRMSProp: RMSProp with the mean gradient mg
    (mg += (grad - mg) * (1 - rho)) and sqrt(ms - mg**2 + epsilon) as the denominator."""
    _positional("resource_apply_centered_rms_prop", args, "'var', 'mg', 'ms', 'mom', 'lr', "
                "'rho', 'momentum', 'epsilon', 'grad', 'use_locking', 'name'")
    _rmsprop("ResourceApplyCenteredRMSProp", var, mg, ms, mom, lr, rho, momentum, epsilon,
             grad)


cdef void _rmsprop(str op, var, mg, ms, mom, lr, rho, momentum, epsilon, grad) except *:
    cdef _Update u = _Update(op)
    cdef object a_mg = None
    cdef int k = 0 if mg is None else 1
    try:
        a_var = u.state(var, "var", 0)
        if mg is not None:
            a_mg = u.state(mg, "mg", 1)
        a_ms = u.state(ms, "ms", 1 + k)
        a_mom = u.state(mom, "mom", 2 + k)
        r = u.scalar(lr, "lr", 3 + k)
        p = u.scalar(rho, "rho", 4 + k)
        mu = u.scalar(momentum, "momentum", 5 + k)
        eps = u.scalar(epsilon, "epsilon", 6 + k)
        a_g = u.dense(grad, "grad", 7 + k)
        n = cnp.PyArray_SIZE(a_var)
        if u.f32:
            if a_mg is None:
                tg_rmsprop_f32(<float*>_ptr(a_var), <float*>_ptr(a_ms), <float*>_ptr(a_mom),
                               <float*>_ptr(a_g), n, <float>r, <float>1 - <float>p,
                               <float>mu, <float>eps)
            else:
                tg_centered_rmsprop_f32(<float*>_ptr(a_var), <float*>_opt(a_mg),
                                        <float*>_ptr(a_ms), <float*>_ptr(a_mom),
                                        <float*>_ptr(a_g), n, <float>r, <float>1 - <float>p,
                                        <float>mu, <float>eps)
        else:
            if a_mg is None:
                tg_rmsprop_f64(<double*>_ptr(a_var), <double*>_ptr(a_ms), <double*>_ptr(a_mom),
                               <double*>_ptr(a_g), n, r, 1.0 - p, mu, eps)
            else:
                tg_centered_rmsprop_f64(<double*>_ptr(a_var), <double*>_opt(a_mg),
                                        <double*>_ptr(a_ms), <double*>_ptr(a_mom),
                                        <double*>_ptr(a_g), n, r, 1.0 - p, mu, eps)
    except BaseException:
        u.abandon()
        raise
    u.commit()


def ResourceApplyAdagradV2(*args, var, accum, lr, epsilon, grad, use_locking=False,
                           update_slots=True, name=None):
    """tf.raw_ops.ResourceApplyAdagradV2: accum += grad**2 (when update_slots);
    var -= grad * lr / (sqrt(accum) + epsilon), in place."""
    _positional("resource_apply_adagrad_v2", args, "'var', 'accum', 'lr', 'epsilon', "
                "'grad', 'use_locking', 'update_slots', 'name'")
    cdef _Update u = _Update("ResourceApplyAdagradV2")
    try:
        a_var = u.state(var, "var", 0)
        a_acc = u.state(accum, "accum", 1)
        r = u.scalar(lr, "lr", 2)
        eps = u.scalar(epsilon, "epsilon", 3)
        a_g = u.dense(grad, "grad", 4)
        n = cnp.PyArray_SIZE(a_var)
        if u.f32:
            tg_adagrad_f32(<float*>_ptr(a_var), <float*>_ptr(a_acc), <float*>_ptr(a_g),
                          n, <float>r, <float>eps, bool(update_slots))
        else:
            tg_adagrad_f64(<double*>_ptr(a_var), <double*>_ptr(a_acc),
                          <double*>_ptr(a_g), n, <double>r, <double>eps, bool(update_slots))
    except BaseException:
        u.abandon()
        raise
    u.commit()
