"""Gradients of BatchNormalization against central differences (minigrad.gradcheck, float64).

Every configuration is checked to first **and** second order, in training and in inference
mode, through the composite path (``fused=False``: primitive ops, differentiated by the tape)
and, where the configuration allows it (rank 4 or 5, one channel axis 1 or -1, no renorm,
ghost batches, adjustment, mask or synchronized), through the fused primitive
(``minigrad.nn.batch_norm_train`` / ``batch_norm_infer``, closed-form backwards).

**What is differentiated.** ``f(x, gamma, beta) = layer(x)``, and in inference also
``moving_mean`` and ``moving_variance``: during the call the layer's Variables are swapped for
gradcheck's watched Tensors (``layer_function``), so the check covers exactly the code the
layer runs. ``test_variable_gradients_*`` differentiates the Variables themselves
(``tape.gradient`` w.r.t. ``layer.trainable_weights``, central differences by ``assign``).

**The layer's state.** A training call moves the moving statistics (V2 at once; V1 when its
pending updates run) and, with renorm, the renorm statistics; gradcheck calls ``f`` dozens of
times. Training outputs do not depend on the moving statistics
(``test_training_output_does_not_read_the_moving_statistics``), but renorm outputs depend on
the renorm statistics, and inference outputs on the moving statistics. So ``f`` saves every
non-trainable weight before the call and restores it after: each evaluation sees the state
set before the check (asserted after each check).

**renorm.** ``r`` and ``d`` are ``stop_gradient`` constants (as in Keras), so the layer's
gradient is *not* the derivative of its output: it is the derivative with ``r`` and ``d``
frozen. The gradcheck cases clip ``r`` and ``d`` to fixed values (then the two agree); the
``test_renorm_*`` tests check the frozen-constant gradient exactly, to second order, and that
gradcheck does see the difference when ``r`` and ``d`` vary.

**The fused path in float64.** Keras rejects ``fused=True`` for a float64 layer
(errors.json ``fused_true_float64``: TensorFlow's kernel has no float64 version) and so does
minigrad. minigrad's fused primitive does compute in float64, so ``make_layer`` builds a
float64 layer with ``fused=False`` and sets ``layer.fused = True`` before the build; build then
checks rank and axis as for ``fused=True``, and call runs the fused primitive.
"""

from __future__ import annotations

import numpy as np
import pytest
from devices import DEVICES

import minigrad as mg
from layers import backend
from layers import v1 as layers_v1
from layers.functional import AUTO_REUSE, UPDATE_OPS, batch_normalization, get_collection
from layers.normalization import BatchNormalization
from minigrad.errors import GradcheckError

EPSILON = 1e-3
ADJ_SCALE, ADJ_BIAS = np.array([1.3, 0.6, 0.9]), np.array([0.2, -0.4, 0.1])


def adjustment(shape):
    """A fixed ``(a, b)`` for the last axis (3 channels)."""
    return ADJ_SCALE, ADJ_BIAS


# id, input shape, constructor arguments, which paths, whether to pass a mask
CASES = [
    ("nhwc", (3, 2, 2, 3), {}, ("fused", "composite"), False),
    ("nchw", (3, 3, 2, 2), {"axis": 1}, ("fused", "composite"), False),
    ("ndhwc", (2, 2, 1, 2, 3), {}, ("fused", "composite"), False),
    ("ncdhw", (2, 3, 2, 1, 2), {"axis": 1}, ("fused", "composite"), False),
    ("rank2", (5, 3), {}, ("composite",), False),
    ("no_center", (3, 2, 2, 3), {"center": False}, ("fused", "composite"), False),
    ("no_scale", (3, 2, 2, 3), {"scale": False}, ("fused", "composite"), False),
    ("no_center_no_scale", (3, 2, 2, 3), {"center": False, "scale": False},
     ("fused", "composite"), False),
    ("axes_1_3_rank4", (3, 2, 2, 3), {"axis": [1, 3]}, ("composite",), False),
    ("axes_1_2_rank3", (4, 2, 3), {"axis": [1, 2]}, ("composite",), False),
    ("axes_neg", (4, 2, 3), {"axis": [-2, 0]}, ("composite",), False),
    ("ghost_rank3", (6, 2, 3), {"virtual_batch_size": 2}, ("composite",), False),
    ("ghost_rank4", (4, 2, 1, 3), {"virtual_batch_size": 2}, ("composite",), False),
    ("mask", (4, 3, 3), {}, ("composite",), True),
    ("mask_axis1", (4, 3, 3), {"axis": 1}, ("composite",), True),
    ("ghost_mask", (6, 2, 3), {"virtual_batch_size": 3}, ("composite",), True),
    ("adjustment", (5, 3), {"adjustment": adjustment}, ("composite",), False),
    ("synchronized", (5, 2, 3), {"synchronized": True}, ("composite",), False),
    ("renorm_clipped", (5, 3), {"renorm": True, "renorm_clipping":
                                {"rmin": 0.7, "rmax": 0.7, "dmax": 0.0}}, ("composite",), False),
    ("v1", (5, 3), {"v1": True}, ("composite",), False),
    ("v1_renorm_clipped", (5, 3), {"v1": True, "renorm": True, "renorm_clipping":
                                   {"rmin": 1.2, "rmax": 1.2, "dmax": 0.0}}, ("composite",), False),
    ("momentum_1", (3, 2, 2, 3), {"momentum": 1.0}, ("fused", "composite"), False),
]
PARAMS = [pytest.param(case, path, id=f"{case[0]}-{path}") for case in CASES for path in case[3]]


@pytest.fixture(autouse=True)
def fresh_session():
    backend.clear_session()
    yield
    backend.clear_session()


# -- helpers --------------------------------------------------------------------------------
def make_layer(shape, kwargs, fused: bool, seed: int = 0, mask: bool = False):
    """A built float64 layer with random weights (all of them), an input and maybe a mask."""
    rng = np.random.default_rng(seed)
    kwargs = dict(kwargs)
    cls = layers_v1.BatchNormalization if kwargs.pop("v1", False) else BatchNormalization
    layer = cls(dtype="float64", fused=False, epsilon=EPSILON, **kwargs)
    if fused:
        layer.fused = True  # see the module docstring: Keras forbids fused=True in float64
    layer.build(shape)
    assert layer.fused is fused
    c = layer.moving_mean.shape
    values = {"gamma": 1 + 0.3 * rng.normal(size=c), "beta": 0.5 * rng.normal(size=c),
              "moving_mean": rng.normal(size=c), "moving_variance": 0.5 + rng.random(c),
              "renorm_mean": 0.3 * rng.normal(size=c), "renorm_stddev": 0.8 + 0.5 * rng.random(c)}
    values["moving_stddev"] = np.sqrt(values["moving_variance"])
    for name, value in values.items():
        if getattr(layer, name, None) is not None:
            getattr(layer, name).assign(value)
    x = rng.normal(size=shape) * 1.5 + 0.5
    m = None
    if mask:  # the input's shape without the channel axes; every statistic keeps >= 1 value
        m = rng.random(tuple(s for i, s in enumerate(shape) if i not in layer.axis)) > 0.3
        m[:2] = True
    return layer, x, m


def snapshot(layer) -> list:
    return [(w, w.numpy().copy()) for w in layer.non_trainable_weights]


def restore(saved: list) -> None:
    for w, value in saved:
        w.assign(value)


def assert_state(saved: list) -> None:
    for w, value in saved:
        np.testing.assert_array_equal(w.numpy(), value, err_msg=w.name)


def param_names(layer, training: bool) -> list:
    """The weights gradcheck differentiates: gamma, beta (if made) and, in inference, the
    moving statistics (the output depends on them there)."""
    names = [n for n in ("gamma", "beta") if getattr(layer, n) is not None]
    return names + ([] if training else ["moving_mean", "moving_variance"])


def layer_function(layer, names: list, training: bool, mask=None):
    """``f(x, *params) = layer(x)`` with ``layer.<name>`` swapped for each param during the
    call, and the non-trainable state restored after it (see the module docstring)."""

    def f(x, *params):
        saved, originals = snapshot(layer), [getattr(layer, n) for n in names]
        try:
            for name, p in zip(names, params):
                setattr(layer, name, p)
            return layer(x, training=training, mask=mask)
        finally:
            for name, original in zip(names, originals):
                setattr(layer, name, original)
            restore(saved)

    return f


# -- gradcheck through every configuration ----------------------------------------------------
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
@pytest.mark.parametrize("case, path", PARAMS)
def test_gradcheck(case, path, training, order):
    _, shape, kwargs, _, with_mask = case
    layer, x, mask = make_layer(shape, kwargs, fused=path == "fused", mask=with_mask)
    names = param_names(layer, training)
    before = snapshot(layer)
    f = layer_function(layer, names, training, mask)
    assert mg.gradcheck(f, [x] + [getattr(layer, n).numpy() for n in names], order=order)
    assert_state(before)
    assert layer.fused is (path == "fused")  # the path that was meant to be checked ran


@pytest.mark.parametrize("path", ["fused", "composite"])
def test_gradcheck_full_jacobian(path):
    """Every entry of the gradient (mode='full'), not only random directions."""
    for training in (True, False):
        layer, x, _ = make_layer((2, 3, 2, 2), {"axis": 1}, fused=path == "fused", seed=4)
        names = param_names(layer, training)
        f = layer_function(layer, names, training)
        assert mg.gradcheck(f, [x] + [getattr(layer, n).numpy() for n in names], mode="full")


def test_frozen_v2_layer_differentiates_as_inference():
    """trainable=False forces inference (V2): its gradients with training=True are the
    inference gradients, and gamma/beta still get them (Keras computes them too)."""
    layer, x, _ = make_layer((4, 3), {"trainable": False}, fused=False)
    f_train = layer_function(layer, ["gamma", "beta"], True)
    f_infer = layer_function(layer, ["gamma", "beta"], False)
    assert mg.gradcheck(f_train, [x, layer.gamma.numpy(), layer.beta.numpy()], order=2)
    grads = []
    for f in (f_train, f_infer):
        ts = [mg.tensor(x), mg.tensor(layer.gamma.numpy()), mg.tensor(layer.beta.numpy())]
        with mg.GradientTape() as tape:
            tape.watch(ts)
            loss = mg.sum(f(*ts) * mg.tensor(np.arange(12.0).reshape(4, 3)))
        grads.append([g.numpy() for g in tape.gradient(loss, ts)])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_gradcheck_tf1_functional_form(training):
    """``batch_normalization(x, training=..., name=..., reuse=AUTO_REUSE)`` reuses one layer;
    its updates only pile up in UPDATE_OPS (never run here), so the state stays put."""
    x = np.random.default_rng(9).normal(size=(4, 2, 3)) + 1

    def f(xt):
        return batch_normalization(xt, training=training, name="bn", reuse=AUTO_REUSE)

    f(mg.tensor(x))
    layer = backend.get_collection("functional_layers")[0]
    assert layer.dtype == "float64"  # TF1 layers take their first input's dtype
    before = snapshot(layer)
    assert mg.gradcheck(f, [x], order=2)
    assert_state(before)
    assert (len(get_collection(UPDATE_OPS)) > 0) is training


# -- the state -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["fused", "composite"])
def test_training_output_does_not_read_the_moving_statistics(path):
    layer, x, _ = make_layer((3, 2, 2, 3), {"momentum": 0.5}, fused=path == "fused")
    y1 = layer(x, training=True).numpy()
    moved = layer.moving_mean.numpy().copy()
    layer.moving_variance.assign(np.full(3, 7.0))
    y2 = layer(x, training=True).numpy()
    assert not np.allclose(layer.moving_mean.numpy(), moved)  # the state did change ...
    np.testing.assert_array_equal(y1, y2)  # ... and the output did not


@pytest.mark.parametrize("path", ["fused", "composite"])
def test_inference_changes_no_state(path):
    layer, x, _ = make_layer((3, 2, 2, 3), {}, fused=path == "fused")
    before = snapshot(layer)
    xt = mg.tensor(x)
    with mg.GradientTape() as tape:
        tape.watch(xt)
        loss = mg.sum(layer(xt, training=False))
    tape.gradient(loss, [xt] + layer.trainable_weights)
    assert_state(before)


# -- gradients with respect to the Variables themselves ----------------------------------------
@pytest.mark.parametrize("cls", [BatchNormalization, layers_v1.BatchNormalization],
                         ids=["v2", "v1"])
@pytest.mark.parametrize("path", ["fused", "composite"])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_variable_gradients_match_central_differences(cls, path, training):
    """tape.gradient(loss, layer.trainable_weights) reads gamma and beta as Variables; compare
    every entry with a central difference made by assigning the perturbed value."""
    if cls is layers_v1.BatchNormalization and path == "fused":
        pytest.skip("V1 re-decides fused at build and never fuses float64 (as Keras V1)")
    layer, x, _ = make_layer((3, 2, 2, 3), {"v1": cls is not BatchNormalization},
                             fused=path == "fused", seed=2)
    r = mg.tensor(np.random.default_rng(5).normal(size=x.shape))
    saved = snapshot(layer)

    def loss():
        try:
            return float(mg.sum(layer(x, training=training) * r).item())
        finally:
            restore(saved)

    with mg.GradientTape() as tape:
        value = mg.sum(layer(x, training=training) * r)
    restore(saved)
    weights = layer.trainable_weights
    assert [w.name.split("/")[-1] for w in weights] == ["gamma:0", "beta:0"]
    analytic = tape.gradient(value, weights)
    eps = 1e-6
    for w, g in zip(weights, analytic):
        base = w.numpy().copy()
        numeric = np.zeros_like(base)
        for i in np.ndindex(base.shape):
            step = np.zeros_like(base)
            step[i] = eps
            w.assign(base + step)
            plus = loss()
            w.assign(base - step)
            numeric[i] = (plus - loss()) / (2 * eps)
            w.assign(base)
        np.testing.assert_allclose(g.numpy(), numeric, rtol=1e-6, atol=1e-8, err_msg=w.name)


# -- renorm: r and d are constants for the gradient --------------------------------------------
def renorm_pair(clipping: dict, seed: int = 1):
    """A renorm layer, its input, and a plain layer equal to it with r and d frozen:
    ``(x_hat r + d) gamma + beta = x_hat (r gamma) + (d gamma + beta)``."""
    layer, x, _ = make_layer((6, 3), {"renorm": True, "renorm_clipping": clipping}, False, seed)
    s_b = np.sqrt(x.var(0) + EPSILON)
    stddev = np.maximum(layer.renorm_stddev.numpy(), np.sqrt(EPSILON))
    r = np.clip(s_b / stddev, clipping.get("rmin", 0), clipping.get("rmax", np.inf))
    d = (x.mean(0) - layer.renorm_mean.numpy()) / stddev
    d = np.clip(d, -clipping.get("dmax", np.inf), clipping.get("dmax", np.inf))
    plain, _, _ = make_layer((6, 3), {}, False, seed)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    plain.gamma.assign(r * gamma)
    plain.beta.assign(d * gamma + beta)
    return layer, plain, x, r, d


@pytest.mark.parametrize("clipping", [{}, {"rmax": 1.05, "rmin": 0.95, "dmax": 0.1}],
                         ids=["unclipped", "clipped"])
def test_renorm_gradients_are_those_with_r_and_d_frozen(clipping):
    layer, plain, x, r, d = renorm_pair(clipping)
    dy = np.random.default_rng(7).normal(size=x.shape)
    grads, outputs = [], []
    for bn in (layer, plain):
        saved = snapshot(bn)
        xt = mg.tensor(x)
        with mg.GradientTape() as tape:
            tape.watch(xt)
            y = bn(xt, training=True)
            loss = mg.sum(y * dy)
        outputs.append(y.numpy())
        grads.append([g.numpy() for g in tape.gradient(loss, [xt, bn.gamma, bn.beta])])
        restore(saved)
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-12, atol=1e-12)
    (dx, dgamma, dbeta), (dx_p, dgamma_p, dbeta_p) = grads
    np.testing.assert_allclose(dx, dx_p, rtol=1e-10, atol=1e-12)
    # dL/dgamma = sum(g (x_hat r + d)) = r dL/dgamma' + d dL/dbeta'
    np.testing.assert_allclose(dgamma, r * dgamma_p + d * dbeta_p, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dbeta, dbeta_p, rtol=1e-10, atol=1e-12)


def test_renorm_second_derivatives_are_those_with_r_and_d_frozen():
    layer, plain, x, _, _ = renorm_pair({"rmax": 1.3})
    rng = np.random.default_rng(8)
    dy, w = rng.normal(size=x.shape), rng.normal(size=x.shape)
    hessian_vector = []
    for bn in (layer, plain):
        f = layer_function(bn, [], True)
        xt = mg.tensor(x)
        with mg.GradientTape() as outer:
            outer.watch(xt)
            with mg.GradientTape() as inner:
                inner.watch(xt)
                loss = mg.sum(f(xt) * dy)
            h = mg.sum(inner.gradient(loss, xt) * w)
        hessian_vector.append(outer.gradient(h, xt).numpy())
    assert np.abs(hessian_vector[1]).max() > 1e-2
    np.testing.assert_allclose(hessian_vector[0], hessian_vector[1], rtol=1e-9, atol=1e-12)
    assert mg.gradcheck(layer_function(plain, ["gamma", "beta"], True),
                        [x, plain.gamma.numpy(), plain.beta.numpy()], order=2)


def test_renorm_gradient_is_not_the_derivative_of_the_output():
    """At the first step (renorm_mean 0, renorm_stddev 1, no clipping) r = s_B and d = mu, so
    y = x * gamma + beta exactly: its true derivative is dy * gamma. The layer's gradient
    (r, d frozen) is plain BN's, scaled by r; gradcheck, which differentiates the output
    numerically, must therefore disagree."""
    x = np.random.default_rng(3).normal(size=(6, 3)) * 2 + 1
    layer = BatchNormalization(renorm=True, dtype="float64")
    layer.build(x.shape)
    f = layer_function(layer, [], True)
    np.testing.assert_allclose(f(mg.tensor(x)).numpy(), x, rtol=1e-12, atol=1e-12)
    with pytest.raises(GradcheckError):
        mg.gradcheck(f, [x])
    xt, dy = mg.tensor(x), np.random.default_rng(4).normal(size=x.shape)
    with mg.GradientTape() as tape:
        tape.watch(xt)
        loss = mg.sum(f(xt) * dy)
    dx = tape.gradient(loss, xt).numpy()
    np.testing.assert_allclose(dx.sum(0), 0, atol=1e-10)  # plain BN's: the mean is removed
    assert np.abs(dx - dy).max() > 0.1


# -- on every device ---------------------------------------------------------------------------
# both paths, training and inference, NHWC and NCHW, to second order, on each device in DEVICES
# ("cuda" skipped, with a reason, without CuPy and a GPU). The layer is made and called under
# ``with minigrad.device(device)``: its weights, its input and gradcheck's perturbations all
# live there. The cpu cases repeat a few of test_gradcheck's, as the control of the cuda ones.
DEVICE_CASES = [case for case in CASES if case[0] in ("nhwc", "nchw")]


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
@pytest.mark.parametrize("path", ["fused", "composite"])
@pytest.mark.parametrize("case", DEVICE_CASES, ids=[case[0] for case in DEVICE_CASES])
@pytest.mark.parametrize("device", DEVICES)
def test_gradcheck_on_device(device, case, path, training, order):
    _, shape, kwargs, _, _ = case
    with mg.device(device):
        layer, x, _ = make_layer(shape, kwargs, fused=path == "fused")
        names = param_names(layer, training)
        inputs = [mg.tensor(v, device=device) for v in [x] + [getattr(layer, n).numpy() for n in names]]
        assert {w.device for w in layer.weights} == {device}
        assert {t.device for t in inputs} == {device}
        before = snapshot(layer)
        f = layer_function(layer, names, training)
        assert mg.gradcheck(f, inputs, order=order)
        assert_state(before)
        assert {w.device for w in layer.weights} == {device}
        assert layer.fused is (path == "fused")
