"""The first examples of the GradientTape notebook, with tapegrad in place of TensorFlow."""
import tapegrad as tg

# d(x**2)/dx at 3
x = tg.Variable(3.0)
with tg.GradientTape() as tape:
    y = x ** 2
print("dy/dx =", repr(tape.gradient(y, x)))

# the gradient of a loss, with sources in a dict
w = tg.Variable([[0.67231524, 0.6763184], [1.4558754, -0.09833835], [0.6568356, -1.2204736]],
                name="weight")
b = tg.Variable(tg.zeros(2), name="bias")
x = tg.Variable([[1., 1., 0.]], name="input")
with tg.GradientTape() as tape:
    y = x @ w + b
    loss = tg.reduce_mean(y ** 2)
grads = tape.gradient(loss, {"w": w, "b": b})
print("dloss/dw =", grads["w"].numpy().tolist())
print("dloss/db =", grads["b"].numpy().tolist())
print("watched:", [v.name for v in tape.watched_variables()])

# a second call on a non-persistent tape
try:
    tape.gradient(loss, w)
except RuntimeError as e:
    print("RuntimeError:", e)

# several targets: the gradient of their sum
with tg.GradientTape(persistent=True) as tape:
    y0 = x
    y1 = x ** 2
print("d(y0 + y1)/dx =", tape.gradient({"y0": y0, "y1": y1}, x).numpy().tolist())
