"""The three paths a BatchNormalization layer can run, and that they give the same numbers.

- **fused**: ``layer.fused`` (rank 4 or 5 on an axis the fused kernel takes): the closed-form
  primitive ``minigrad.nn.batch_norm_train`` / ``batch_norm_infer``, moving variance towards
  the unbiased ``s2`` (TensorFlow's fused kernel);
- **primitive**: a plain float16/float32 layer that is not fused (``fused=None`` on rank 2 or
  3, or an axis the fused kernel refuses; no renorm, ghost batches, adjustment, synchronized,
  mask): the same primitive with Keras's non-fused rule (moving variance towards the biased
  ``sigma2``), while ``layer.fused`` stays False as in Keras;
- **composite**: ``fused=False`` given explicitly, or any other configuration: the op-by-op
  graph the notebooks draw.

Checked here: the recorded Keras cases on the path a case does *not* take by default
(primitive <-> composite), the primitive path against the composite one in float64 (1e-10:
outputs, moving statistics, gradients of order 1 and 2 through nested tapes), gradcheck of
the primitive path, and the inference cache (scale and shift kept until a weight changes).

**float64 on the primitive path.** A float64 layer stays composite (the precise reference:
see ``normalization_primitive.primitive_path_fits``), but the primitive computes in float64,
so ``on_primitive_path`` puts a built float64 layer on it (``_primitive_fits = True``) for
the float64 checks, as test_batchnorm_gradients.py does for the fused path.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_batchnorm_golden import CASES, check_everything, constructor_kwargs, layer_class, load_case

import minigrad as mg
from layers import backend
from layers import v1 as layers_v1
from layers.normalization import BatchNormalization
from layers.normalization_primitive import primitive_path_fits
from minigrad.errors import InvalidArgumentError

RNG = np.random.default_rng(11)
AGREE = {"rtol": 1e-10, "atol": 1e-10}


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


@pytest.fixture
def primitive_calls(monkeypatch):
    """Counts of the calls of ``mg.nn.batch_norm_train`` / ``batch_norm_infer``."""
    calls = {"train": 0, "infer": 0}
    for kind in calls:
        original = getattr(mg.nn, f"batch_norm_{kind}")

        def counted(*args, _original=original, _kind=kind, **kwargs):
            calls[_kind] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(mg.nn, f"batch_norm_{kind}", counted)
    return calls


def path_of(layer, masked: bool = False) -> str:
    """The path a built layer's training call takes."""
    if layer.fused:
        return "fused"
    return "primitive" if layer._primitive_fits and not masked else "composite"


def on_primitive_path(layer):
    """A built plain float64 layer moved onto the primitive path (see the module docstring)."""
    assert layer.compute_dtype == "float64" and path_of(layer) == "composite"
    layer._primitive_fits = True
    return layer


def primitive_float64(cls):
    """``cls`` whose build puts the layer on the primitive path (float64 recorded cases)."""
    class OnPrimitivePath(cls):
        def build(self, input_shape):
            super().build(input_shape)
            on_primitive_path(self)
    return OnPrimitivePath


def built(cls, kwargs: dict, case: dict):
    layer = cls(name="bn", **kwargs)
    layer(mg.tensor(np.zeros(case["x"].shape, case["x"].dtype)), training=False)
    return layer


def other_path_cases() -> list:
    """(case entry, constructor kwargs, forced) for every recorded case that runs on the
    primitive or the composite path and could run on the other one: float16/float32 cases
    on the primitive path also run composite (``fused=False``); plain float64 cases, composite
    by default, also run on the primitive path (``forced``)."""
    params = []
    for entry in CASES:
        case, meta = load_case(entry)
        cls, kwargs = layer_class(meta), constructor_kwargs(meta, case)
        masked = "mask" in case and meta["training"] is not False
        layer = built(cls, kwargs, case)
        path = path_of(layer, masked)
        if path == "primitive":
            params.append(pytest.param(entry, {**kwargs, "fused": False}, False, id=entry["name"]))
        elif path == "composite" and layer.compute_dtype == "float64" and not masked:
            layer._fused_argument = kwargs.get("fused")  # would a float32 twin fit?
            layer._compute_dtype = "float32"
            if primitive_path_fits(layer, len(case["x"].shape)):
                params.append(pytest.param(entry, kwargs, True, id=entry["name"]))
    return params


OTHER_PATH_CASES = other_path_cases()


def test_the_recorded_cases_cover_both_non_fused_paths():
    """The plain float16/float32 recorded cases run on the primitive path, so each also runs
    on the composite one below; the plain float64 ones (most cases), composite, also run on
    the primitive one."""
    forced = [p for p in OTHER_PATH_CASES if p.values[2]]
    assert len(OTHER_PATH_CASES) - len(forced) >= 8 and len(forced) >= 30


@pytest.mark.parametrize("entry, kwargs, forced", OTHER_PATH_CASES)
def test_matches_keras_on_the_other_non_fused_path(entry, kwargs, forced):
    case, meta = load_case(entry)
    cls = primitive_float64(layer_class(meta)) if forced else layer_class(meta)
    check_everything(lambda: cls(name="bn", **kwargs), meta, case)


# -- the primitive path against the composite graph, float64 ---------------------------------
SHAPES = [  # (id, shape, constructor arguments): plain layers that are not fused
    ("rank2", (7, 4), {}),
    ("rank2_axis0", (5, 6), {"axis": 0}),
    ("rank3", (3, 4, 5), {}),
    ("rank4_axis2", (3, 2, 4, 2), {"axis": 2}),
    ("rank2_bare", (6, 3), {"center": False, "scale": False}),
    ("v1_rank2", (7, 4), {"v1": True}),
]


def twin_layers(shape, kwargs, seed=0):
    """The same float64 layer twice (same weights): on the primitive path and composite."""
    rng = np.random.default_rng(seed)
    kwargs = dict(kwargs)
    cls = layers_v1.BatchNormalization if kwargs.pop("v1", False) else BatchNormalization
    pair = [cls(dtype="float64", momentum=0.7, **kwargs),
            cls(dtype="float64", momentum=0.7, fused=False, **kwargs)]
    values = None
    for layer in pair:
        layer.build(shape)
        if layer is pair[0]:
            on_primitive_path(layer)
        if values is None:
            values = [rng.normal(size=w.shape) * 0.3 + (1.0 if "variance" in w.name else 0.0)
                      for w in layer.weights]
        layer.set_weights(values)
    assert [path_of(layer) for layer in pair] == ["primitive", "composite"]
    return pair


def run_updates(layer, x) -> None:
    for update in layer.get_updates_for(x):
        update()


def assert_agree(a, b, what: str) -> None:
    """``a`` and ``b`` agree to 1e-10; None (no dependence) on one side only is an error."""
    assert (a is None) == (b is None), f"{what}: {a!r} vs {b!r}"
    if a is not None:
        np.testing.assert_allclose(a.numpy(), b.numpy(), err_msg=what, **AGREE)


@pytest.mark.parametrize("shape, kwargs", [c[1:] for c in SHAPES], ids=[c[0] for c in SHAPES])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_primitive_and_composite_agree_to_second_order(shape, kwargs, training):
    """Outputs, moving statistics, gradients and gradients of a gradient's norm (nested
    tapes) agree to 1e-10 in float64."""
    x = RNG.normal(size=shape) * 1.7 + 0.4
    dy = RNG.normal(size=shape)
    results = []
    for layer in twin_layers(shape, kwargs):
        xt = mg.tensor(x)
        params = list(layer.trainable_weights)
        with mg.GradientTape() as outer:
            outer.watch(xt)
            with mg.GradientTape() as inner:
                inner.watch(xt)
                y = layer(xt, training=training)
                loss = mg.sum(y * dy)
            first = inner.gradient(loss, [xt] + params)
            norm = sum(mg.sum(g * g) for g in first if g is not None)
        second = outer.gradient(norm, [xt] + params)
        run_updates(layer, xt)
        results.append([y] + first + second + [layer.moving_mean, layer.moving_variance])
    names = ["y", "dx"] + [f"d{w.name}" for w in params] + ["d2x"] + [f"d2{w.name}" for w in params]
    for what, a, b in zip(names + ["moving_mean", "moving_variance"], *results):
        assert_agree(a, b, what)


def test_primitive_path_moves_the_variance_towards_the_biased_variance():
    """Keras's non-fused rule, the spec's reference vector: moving_variance [1.016667,
    1.076667] (the fused rule would give [1.03, 1.12])."""
    bn = BatchNormalization()
    y = bn(mg.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 8.0]]), training=True)
    assert path_of(bn) == "primitive" and bn.fused is False
    np.testing.assert_allclose(y.numpy()[:, 0], [-1.224515, 0.0, 1.224515], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.02, 0.04], rtol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), [1.016667, 1.076667], rtol=1e-6)


@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
@pytest.mark.parametrize("order", [1, 2])
def test_primitive_path_gradcheck(training, order):
    bn = BatchNormalization(dtype="float64", momentum=0.5)
    bn.build((6, 3))
    on_primitive_path(bn)
    bn.set_weights([RNG.normal(size=3) + 1, RNG.normal(size=3), RNG.normal(size=3),
                    RNG.random(3) + 0.5])
    saved = [w.numpy() for w in bn.weights]

    def f(x, gamma, beta):
        bn.gamma, bn.beta = gamma, beta
        try:
            return bn(x, training=training)
        finally:
            bn.gamma, bn.beta = bn.trainable_weights
            bn.set_weights(saved)
    assert mg.gradcheck(f, [RNG.normal(size=(6, 3)), saved[0], saved[1]], order=order)


def test_which_path_runs(primitive_calls):
    x = mg.tensor(RNG.normal(size=(8, 3)).astype(np.float32))
    mask = mg.tensor(RNG.random(8) > 0.3)
    BatchNormalization()(x, training=True)
    assert primitive_calls == {"train": 1, "infer": 0}
    BatchNormalization(fused=False)(x, training=True)  # the composite graph, as asked
    BatchNormalization(renorm=True)(x, training=True)
    BatchNormalization()(x, training=True, mask=mask)  # masked statistics need the graph
    assert primitive_calls == {"train": 1, "infer": 0}
    BatchNormalization(dtype="float64")(x, training=True)  # float64: the precise graph
    assert primitive_calls == {"train": 1, "infer": 0}
    BatchNormalization()(x, training=False, mask=mask)  # inference ignores the mask
    assert primitive_calls == {"train": 1, "infer": 1}
    layer = BatchNormalization(fused=None)
    layer(x, training=True)
    assert layer.fused is False and layer.get_config().get("fused") is None  # as Keras


# -- the inference cache ---------------------------------------------------------------------
def inference_reference(layer, x):
    gamma, beta, mean, variance = (w.numpy().astype(np.float64) for w in layer.weights)
    return gamma * (x - mean) / np.sqrt(variance + layer.epsilon) + beta


@pytest.fixture
def layer_and_input():
    layer = BatchNormalization(dtype="float64")
    x = RNG.normal(size=(5, 4)) + 2.0
    layer.build(x.shape)
    on_primitive_path(layer)
    layer.set_weights([RNG.random(4) + 0.5, RNG.normal(size=4), RNG.normal(size=4),
                       RNG.random(4) + 0.5])
    return layer, x


def test_inference_keeps_its_coefficients_while_nothing_changes(layer_and_input, primitive_calls):
    layer, x = layer_and_input
    y = layer(x, training=False)
    kept = layer._inference_cache[2]
    again = layer(x * 2.0, training=False)
    assert layer._inference_cache[2] is kept and primitive_calls["infer"] == 2
    np.testing.assert_allclose(y.numpy(), inference_reference(layer, x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(again.numpy(), inference_reference(layer, x * 2.0), rtol=1e-12,
                               atol=1e-12)


def change_by_assign(layer, x):
    layer.moving_mean.assign(layer.moving_mean.numpy() + 1.5)


def change_by_optimizer_step(layer, x):
    xt = mg.tensor(x)
    with mg.GradientTape() as tape:
        loss = mg.sum(mg.square(layer(xt, training=False) - 3.0))
    grads = tape.gradient(loss, layer.trainable_weights)
    mg.optimizers.SGD(learning_rate=0.1).apply_gradients(zip(grads, layer.trainable_weights))


def change_by_set_weights(layer, x):
    layer.set_weights([w * 1.3 + 0.1 for w in layer.get_weights()])


def change_by_training_call(layer, x):
    layer(x + 5.0, training=True)


@pytest.mark.parametrize("change", [change_by_assign, change_by_optimizer_step,
                                    change_by_set_weights, change_by_training_call])
def test_a_weight_change_invalidates_the_coefficients(layer_and_input, change):
    layer, x = layer_and_input
    before = layer(x, training=False).numpy()
    kept = layer._inference_cache[2]
    change(layer, x)
    after = layer(x, training=False).numpy()
    assert layer._inference_cache[2] is not kept
    assert np.abs(after - before).max() > 1e-3  # the change shows ...
    np.testing.assert_allclose(after, inference_reference(layer, x), rtol=1e-12, atol=1e-12)


def test_inference_gradients_flow_to_every_weight_with_the_cache(layer_and_input):
    """Cached coefficients, but the gradient is taken with respect to the weights."""
    layer, x = layer_and_input
    layer(x, training=False)  # fills the cache
    xt, dy = mg.tensor(x), RNG.normal(size=x.shape)
    with mg.GradientTape() as tape:
        tape.watch([xt, layer.moving_mean, layer.moving_variance])
        loss = mg.sum(layer(xt, training=False) * dy)
    dx, dgamma, dbeta, dmean = tape.gradient(
        loss, [xt, layer.gamma, layer.beta, layer.moving_mean])
    gamma, beta, mean, variance = layer.get_weights()
    rstd = 1.0 / np.sqrt(variance + layer.epsilon)
    np.testing.assert_allclose(dx.numpy(), dy * gamma * rstd, rtol=1e-12)
    np.testing.assert_allclose(dgamma.numpy(), (dy * (x - mean) * rstd).sum(0), rtol=1e-12)
    np.testing.assert_allclose(dbeta.numpy(), dy.sum(0), rtol=1e-12)
    np.testing.assert_allclose(dmean.numpy(), -(dy.sum(0)) * gamma * rstd, rtol=1e-12)


def test_coefficients_made_for_another_input_are_refused():
    params = [mg.tensor(np.ones(3, np.float32)) for _ in range(4)]
    coefficients = mg.nn.batch_norm_infer_coefficients(*params, epsilon=1e-3, dtype="float32")
    x = mg.tensor(RNG.normal(size=(4, 3)).astype(np.float32))
    y = mg.nn.batch_norm_infer(x, *params, epsilon=1e-3, coefficients=coefficients)
    np.testing.assert_allclose(y.numpy(), (x.numpy() - 1.0) / np.sqrt(1.001) + 1.0, rtol=1e-6)
    with pytest.raises(InvalidArgumentError, match=r"made for dtype float32.*epsilon 0.001.*"
                       r"x has dtype float64.*make them again"):
        mg.nn.batch_norm_infer(mg.tensor(x.numpy().astype(np.float64)),
                               *[p.astype("float64") for p in params], epsilon=1e-3,
                               coefficients=coefficients)
    with pytest.raises(InvalidArgumentError, match=r"epsilon is 0.01"):
        mg.nn.batch_norm_infer(x, *params, epsilon=1e-2, coefficients=coefficients)
    with pytest.raises(InvalidArgumentError, match=r"must have shape \(C,\), got mean of shape"):
        mg.nn.batch_norm_infer_coefficients(*params[:2], mg.tensor(np.ones((1, 3))), params[3])
