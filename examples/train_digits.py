"""Train a small network on scikit-learn's handwritten digits with tg.keras, twice: with
`fit` (Keras's progress bar) and with a hand-written GradientTape loop, from the same
initial weights; print the test accuracy of each and plot both loss curves.

    pip install scikit-learn matplotlib        # the example's needs, not tapegrad's
    python examples/train_digits.py            # 20 epochs, writes examples/digits_loss.png
    python examples/train_digits.py --epochs 3 --png /tmp/loss.png

The digits (1,797 8x8 images, 10 classes) ship with scikit-learn: nothing is downloaded.
"""
import argparse
import os
import time

import numpy as np

import tapegrad as tf        # the TensorFlow code below runs unchanged on tapegrad
from tapegrad import keras


def load_data(seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    return train_test_split(x, y.astype("int64"), test_size=0.25, random_state=seed,
                            stratify=y)


def make_model():
    return keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ])


def tape_loop(model, x, y, epochs, batch_size, seed):
    """The same training written by hand: shuffled batches, a tape, the optimizer."""
    optimizer = keras.optimizers.Adam(1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            with tf.GradientTape() as tape:
                loss = loss_fn(y[idx], model(x[idx], training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            total += float(loss) * len(idx)
        losses.append(total / len(x))
        print(f"tape loop epoch {epoch + 1}/{epochs}: loss {losses[-1]:.4f}")
    return losses


def accuracy(model, x, y):
    return float(np.mean(np.argmax(model.predict(x, verbose=0), axis=-1) == y))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--png", default=os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "digits_loss.png"), help="where to write the plot of the loss curves "
                        "(default: examples/digits_loss.png)")
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    x_train, x_test, y_train, y_test = load_data(args.seed)
    print(f"digits: {len(x_train)} training and {len(x_test)} test images, 64 pixels each")

    model = make_model()
    model.summary()
    initial = model.get_weights()
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    t0 = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_data=(x_test, y_test), verbose=1)
    fit_time = time.perf_counter() - t0
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"fit: test loss {loss:.4f}, test accuracy {acc:.2%} ({fit_time:.2f} s)")

    twin = make_model()
    twin.set_weights(initial)
    t0 = time.perf_counter()
    tape_losses = tape_loop(twin, x_train, y_train, args.epochs, args.batch_size, args.seed)
    tape_time = time.perf_counter() - t0
    print(f"GradientTape loop: test accuracy {accuracy(twin, x_test, y_test):.2%} "
          f"({tape_time:.2f} s)")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epochs = np.arange(1, args.epochs + 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, history.history["loss"], "o-", label="model.fit (training loss)")
    ax.plot(epochs, history.history["val_loss"], "o--", label="model.fit (test loss)")
    ax.plot(epochs, tape_losses, "s-", label="GradientTape loop (training loss)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("sparse categorical cross-entropy")
    ax.set_yscale("log")
    ax.set_title("tapegrad: a 64-128-10 network on scikit-learn's digits")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=100)
    print(f"loss curves written to {args.png}")


if __name__ == "__main__":
    main()
