"""Add, Multiply, Concatenate: values, Keras's broadcasting and shape errors, masks, configs,
symbolic shapes, a residual block trained with fit, and gradient checks of order 1 and 2."""

from __future__ import annotations

import numpy as np
import pytest

import layers
import minigrad as mg
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

RNG = np.random.default_rng(14)


def normal(*shape):
    return RNG.standard_normal(shape)


# -- values --------------------------------------------------------------------------------
def test_add_and_multiply_of_three_inputs():
    a, b, c = normal(2, 3), normal(2, 3), normal(2, 3)
    np.testing.assert_allclose(layers.Add(dtype="float64")([a, b, c]).numpy(), a + b + c, rtol=1e-15)
    np.testing.assert_allclose(layers.Multiply(dtype="float64")([a, b, c]).numpy(), a * b * c,
                               rtol=1e-15)
    # one input is allowed (tf-keras): the merge of one tensor is the tensor
    np.testing.assert_allclose(layers.Add(dtype="float64")([a]).numpy(), a)


def test_concatenate_keras_docstring_example():
    x = np.arange(20).reshape(2, 2, 5).astype("float32")
    y = np.arange(20, 30).reshape(2, 1, 5).astype("float32")
    out = layers.Concatenate(axis=1)([x, y]).numpy()
    np.testing.assert_array_equal(out, [[[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [20, 21, 22, 23, 24]],
                                        [[10, 11, 12, 13, 14], [15, 16, 17, 18, 19],
                                         [25, 26, 27, 28, 29]]])
    a, b = normal(5, 2), normal(5, 6)
    np.testing.assert_allclose(layers.Concatenate(dtype="float64")([a, b]).numpy(),
                               np.concatenate([a, b], axis=-1))


def test_add_broadcasts_size_1_axes_and_aligns_lower_ranks_after_the_batch_axis():
    a, b = normal(2, 3), normal(2, 1)
    np.testing.assert_allclose(layers.Add(dtype="float64")([a, b]).numpy(), a + b)
    # rank 2 with rank 3: the (2, 3) input gets an axis at position 1, as tf-keras's expand_dims
    c, d = normal(2, 4, 3), normal(2, 3)
    np.testing.assert_allclose(layers.Multiply(dtype="float64")([c, d]).numpy(), c * d[:, None, :])
    assert layers.Add()([layers.Input((4, 3)), layers.Input((3,))]).shape == (None, 4, 3)


# -- errors (tf-keras's messages, with the fix) ---------------------------------------------
def test_incompatible_shapes_raise_naming_both():
    with pytest.raises(InvalidArgumentError, match=r"incompatible shapes. Received shapes \(3,\) "
                                                   r"and \(4,\).*equal or one of them 1"):
        layers.Add()([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(InvalidArgumentError, match="incompatible shapes"):
        layers.Multiply()([layers.Input((3,)), layers.Input((5,))])


def test_different_batch_sizes_raise():
    with pytest.raises(InvalidArgumentError, match="different batch sizes.*same first"):
        layers.Add()([np.ones((2, 3)), np.ones((3, 3))])


@pytest.mark.parametrize("cls", [layers.Add, layers.Multiply, layers.Concatenate])
def test_one_tensor_instead_of_a_list_raises(cls):
    with pytest.raises(InvalidArgumentError, match=r"should be called on a list.*\(\)\(\[x, y\]\)"):
        cls()(np.ones((2, 3), "float32"))
    with pytest.raises(InvalidArgumentError, match="should be called on a list"):
        cls()(layers.Input((3,)))


def test_concatenate_shape_errors_and_axis_argument():
    with pytest.raises(InvalidArgumentError, match="matching shapes except for the concatenation "
                                                   "axis.*Reshape"):
        layers.Concatenate(axis=1)([np.ones((2, 2, 5)), np.ones((2, 1, 4))])
    with pytest.raises(InvalidArgumentError, match="matching shapes"):  # ranks differ
        layers.Concatenate()([np.ones((2, 2, 5)), np.ones((2, 5))])
    with pytest.raises(InvalidArgumentError, match=r"`axis`=3 is out of range.*\[-3, 3\)"):
        layers.Concatenate(axis=3)([np.ones((2, 2, 5)), np.ones((2, 2, 5))])
    with pytest.raises(ArgumentTypeError, match="`axis` must be an integer"):
        layers.Concatenate(axis="1")
    # None sizes are not compared (unknown until data flows)
    out = layers.Concatenate(axis=1)([layers.Input((None, 3)), layers.Input((2, 3))])
    assert out.shape == (None, None, 3)


# -- symbolic use, masks, configs -------------------------------------------------------------
def test_output_shapes_symbolic_and_computed():
    a, b = layers.Input((4, 3)), layers.Input((4, 5))
    assert layers.Concatenate()([a, b]).shape == (None, 4, 8)
    assert layers.Concatenate(axis=1)([a, a]).shape == (None, 8, 3)
    assert layers.Add().compute_output_shape([(None, 4, 1), (None, 4, 3)]) == (None, 4, 3)


def test_masks_are_anded():
    a, b = np.ones((2, 3), "float32"), np.ones((2, 3), "float32")
    m1 = np.array([[True, True, False], [True, False, True]])
    m2 = np.array([[True, False, False], [True, True, True]])
    add = layers.Add()
    assert add.compute_mask([a, b], None) is None
    assert add.compute_mask([a, b], [None, None]) is None
    np.testing.assert_array_equal(add.compute_mask([a, b], [m1, m2]).numpy(), m1 & m2)
    np.testing.assert_array_equal(add.compute_mask([a, b], [m1, None]).numpy(), m1)
    with pytest.raises(InvalidArgumentError, match="one entry .* per input"):
        add.compute_mask([a, b], [m1])
    # Concatenate (Keras's rule): a missing mask is all True; joined along axis, AND over the last
    x, y = np.ones((2, 3, 4), "float32"), np.ones((2, 3, 2), "float32")
    mask = layers.Concatenate().compute_mask([x, y], [m1, None]).numpy()
    np.testing.assert_array_equal(mask, m1)


def test_configs_round_trip():
    layer = layers.Concatenate(axis=1, name="cat")
    config = layer.get_config()
    assert config == {"name": "cat", "trainable": True, "dtype": "float32", "axis": 1}
    assert layers.Concatenate.from_config(config).axis == 1
    assert layers.Add.from_config(layers.Add(name="plus").get_config()).name == "plus"


# -- a residual block in a functional model --------------------------------------------------
def seeded(seed):
    return layers.initializers.GlorotUniform(seed=seed)


def residual_model():
    inputs = layers.Input((4,))
    x = layers.Dense(4, activation="relu", name="d1", kernel_initializer=seeded(1))(inputs)
    x = layers.Add(name="residual")([x, layers.Dense(4, name="d2", kernel_initializer=seeded(2))(x)])
    x = layers.Concatenate(name="cat")([x, inputs])
    outputs = layers.Dense(1, name="head", kernel_initializer=seeded(3))(x)
    return layers.Model(inputs, outputs)


def test_residual_block_computes_what_it_says():
    model = residual_model()
    x = RNG.standard_normal((5, 4)).astype("float32")
    (k1, b1), (k2, b2), (k3, b3) = (model.get_layer(n).get_weights() for n in ("d1", "d2", "head"))
    h = np.maximum(x @ k1 + b1, 0)
    want = np.concatenate([h + (h @ k2 + b2), x], axis=1) @ k3 + b3
    np.testing.assert_allclose(model(x).numpy(), want, rtol=1e-5, atol=1e-6)


def test_residual_block_trains_with_fit_and_round_trips_its_config():
    model = residual_model()
    model.compile(mg.optimizers.Adam(0.01), "mse")
    x = RNG.standard_normal((64, 4)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) ** 2 / 4).astype("float32")
    before = model.evaluate(x, y, verbose=0)
    d2_before = model.get_layer("d2").get_weights()[0].copy()
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * before
    # the branch inside the Add got gradient: d2 moved from its initial values
    assert np.abs(model.get_layer("d2").get_weights()[0] - d2_before).max() > 1e-3
    clone = layers.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert [type(lay).__name__ for lay in clone.layers].count("Add") == 1


def test_gradient_reaches_both_branches_of_an_add():
    a, b = mg.Variable(normal(2, 3)), mg.Variable(normal(2, 3))
    with mg.GradientTape() as tape:
        y = mg.sum(layers.Multiply(dtype="float64")([layers.Add(dtype="float64")([a, b]), b]))
    ga, gb = tape.gradient(y, [a, b])
    np.testing.assert_allclose(ga.numpy(), b.numpy())  # d/da (a + b) b = b
    np.testing.assert_allclose(gb.numpy(), a.numpy() + 2 * b.numpy())


# -- gradient checks ----------------------------------------------------------------------
CASES = {
    "add": (lambda a, b: layers.Add(dtype="float64")([a, b]), [normal(2, 3), normal(2, 3)]),
    "add_broadcast": (lambda a, b: layers.Add(dtype="float64")([a, b]), [normal(2, 4, 3), normal(2, 3)]),
    "multiply": (lambda a, b, c: layers.Multiply(dtype="float64")([a, b, c]),
                 [normal(2, 3), normal(2, 1), normal(2, 3)]),
    "concatenate": (lambda a, b: layers.Concatenate(axis=1, dtype="float64")([a, b]),
                    [normal(2, 2, 3), normal(2, 1, 3)]),
    # a second derivative that is not zero: the concatenation squared
    "concatenate_squared": (lambda a, b: mg.square(layers.Concatenate(dtype="float64")([a, b])),
                            [normal(2, 3), normal(2, 2)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradchecks_order_1_and_2(name):
    f, inputs = CASES[name]
    assert mg.gradcheck(f, inputs, mode="full")
    assert mg.gradcheck(f, inputs, order=2, n_directions=4)
