"""layers.initializers: Keras's names, defaults, formulas, seeding and (de)serialization.

Statistical checks draw one large seeded sample and bound the sample mean and standard
deviation by 6 standard errors: SE(mean) = sigma / sqrt(N), SE(std) = sigma * sqrt((k - 1) / (4 N))
with kurtosis k <= 3 for the normal, truncated normal and uniform laws, i.e. at most
sigma / sqrt(2 N). With fixed seeds the checks are deterministic; the bounds say how tight
they can honestly be.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from layers import initializers as I
from minigrad import backend
from minigrad.errors import DeviceUnavailableError

TRUNC_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


def _check_stats(x: np.ndarray, mean: float, std: float) -> None:
    n = x.size
    assert abs(x.mean() - mean) <= 6 * std / math.sqrt(n)
    assert abs(x.std() - std) <= 6 * std / math.sqrt(2 * n)


def _cuda_available() -> bool:
    try:
        backend.check_device("cuda")
    except DeviceUnavailableError:
        return False
    return True


# -- fans ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((3, 4), (3, 4)),               # dense kernel (in, out)
    ((5, 16, 32), (80, 160)),        # Conv1D kernel (k, in, out)
    ((3, 3, 16, 32), (144, 288)),    # Conv2D kernel (kh, kw, in, out)
    ((2, 3, 4, 5, 6), (120, 144)),   # Conv3D kernel
])
def test_compute_fans(shape, fans):
    assert I.compute_fans(shape) == fans
    assert all(type(f) is int for f in I.compute_fans(shape))


def test_truncated_normal_constant_is_the_std_of_the_truncated_law():
    # Var of N(0,1) truncated to [-a, a] = 1 - 2 a phi(a) / (2 Phi(a) - 1)
    a = 2.0
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(a / math.sqrt(2))
    assert I.TRUNCATED_NORMAL_STD == pytest.approx(math.sqrt(1 - 2 * a * phi / mass), abs=1e-15)


# -- constant initializers -----------------------------------------------------------------
def test_zeros_ones_default_float32_and_honour_dtype():
    z = I.Zeros()((2, 3))
    assert isinstance(z, mg.Tensor) and z.dtype == np.float32 and z.shape == (2, 3)
    np.testing.assert_array_equal(z.numpy(), np.zeros((2, 3)))
    o = I.Ones()((4,), dtype="float64")
    assert o.dtype == np.float64
    np.testing.assert_array_equal(o.numpy(), np.ones(4))
    assert I.Zeros()((2,), dtype="int32").dtype == np.int32
    assert I.Ones()((2,), dtype=bool).numpy().tolist() == [True, True]
    assert I.Zeros()(()).shape == ()
    assert I.Ones()(3).shape == (3,)


def test_constant_scalar_and_reshaped_values():
    np.testing.assert_array_equal(I.Constant(3.5)((2, 2)).numpy(), np.full((2, 2), 3.5, np.float32))
    assert I.Constant(2)((3,), dtype="int64").numpy().tolist() == [2, 2, 2]
    assert I.Constant()((2,)).numpy().tolist() == [0.0, 0.0]  # Keras default value=0
    np.testing.assert_array_equal(I.Constant([1, 2, 3, 4])((2, 2)).numpy(), [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="give a scalar, or exactly 4 values"):
        I.Constant([1, 2, 3])((2, 2))


def test_identity():
    np.testing.assert_array_equal(I.Identity()((3, 3)).numpy(), np.eye(3))
    np.testing.assert_array_equal(I.Identity(gain=2.0)((2, 3)).numpy(), 2 * np.eye(2, 3))
    with pytest.raises(ValueError, match="only be used for 2D matrices"):
        I.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="Expected floating point type"):
        I.Identity()((2, 2), dtype="int32")


# -- random initializers -------------------------------------------------------------------
def test_random_normal_statistics():
    x = I.RandomNormal(mean=0.5, stddev=2.0, seed=1)((400, 500)).numpy()
    assert x.dtype == np.float32
    _check_stats(x.astype(np.float64), 0.5, 2.0)
    assert np.abs(x - 0.5).max() > 4 * 2.0  # untruncated: 2e5 draws reach beyond 4 sigma


def test_random_uniform_statistics_and_bounds():
    x = I.RandomUniform(minval=-1.0, maxval=3.0, seed=2)((400, 500)).numpy().astype(np.float64)
    assert x.min() >= -1.0 and x.max() < 3.0
    assert x.min() < -1.0 + 1e-3 and x.max() > 3.0 - 1e-3
    _check_stats(x, 1.0, 4.0 / math.sqrt(12))


def test_random_uniform_integer_dtype():
    x = I.RandomUniform(minval=0, maxval=5, seed=3)((1000,), dtype="int32").numpy()
    assert x.dtype == np.int32 and set(x.tolist()) == {0, 1, 2, 3, 4}
    with pytest.raises(ValueError, match="empty"):
        I.RandomUniform(seed=0)((3,), dtype="int32")  # int(-0.05) == int(0.05) == 0
    with pytest.raises(ValueError, match="Expected float or integer dtype"):
        I.RandomUniform(seed=0)((3,), dtype=bool)


def test_truncated_normal_bounds_and_statistics():
    mean, stddev = -1.0, 0.5
    x = I.TruncatedNormal(mean=mean, stddev=stddev, seed=4)((400, 500)).numpy().astype(np.float64)
    assert np.abs(x - mean).max() <= 2 * stddev
    assert np.abs(x - mean).max() > 1.99 * stddev  # the whole [-2, 2] sigma range is used
    _check_stats(x, mean, TRUNC_STD * stddev)


@pytest.mark.parametrize("cls", [I.RandomNormal, I.TruncatedNormal, I.VarianceScaling,
                                 I.GlorotNormal, I.HeUniform, I.Orthogonal])
def test_float_only_initializers_reject_integer_dtypes(cls):
    with pytest.raises(ValueError, match="Expected floating point type, got int32"):
        cls(seed=0)((2, 2), dtype="int32")


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_random_initializers_honour_float_dtypes(dtype):
    for init in (I.RandomNormal(seed=0), I.RandomUniform(seed=0), I.TruncatedNormal(seed=0),
                 I.GlorotUniform(seed=0), I.Orthogonal(seed=0)):
        assert init((3, 4), dtype=dtype).dtype == np.dtype(dtype)


# -- VarianceScaling ---------------------------------------------------------------------------
DENSE, CONV = (300, 400), (3, 3, 64, 128)  # conv: fan_in 576, fan_out 1152


@pytest.mark.parametrize("shape", [DENSE, CONV], ids=["dense", "conv"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("scale", [1.0, 2.0, 0.1])
def test_variance_scaling_uniform(shape, mode, scale):
    fan_in, fan_out = I.compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    limit = math.sqrt(3 * scale / n)
    x = I.VarianceScaling(scale, mode, "uniform", seed=5)(shape).numpy().astype(np.float64)
    assert np.abs(x).max() <= limit and np.abs(x).max() > 0.999 * limit
    _check_stats(x, 0.0, math.sqrt(scale / n))


@pytest.mark.parametrize("shape", [DENSE, CONV], ids=["dense", "conv"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_truncated_normal(shape, mode):
    fan_in, fan_out = I.compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    target = math.sqrt(2.0 / n)  # std after truncation
    x = I.VarianceScaling(2.0, mode, "truncated_normal", seed=6)(shape).numpy().astype(np.float64)
    bound = 2 * target / 0.87962566103423978  # 2 stddev of the law before truncation
    assert np.abs(x).max() <= bound * (1 + 1e-6) and np.abs(x).max() > 0.99 * bound
    _check_stats(x, 0.0, target)


@pytest.mark.parametrize("shape", [DENSE, CONV], ids=["dense", "conv"])
def test_variance_scaling_untruncated_normal(shape):
    fan_in, _ = I.compute_fans(shape)
    std = math.sqrt(1.0 / fan_in)
    x = I.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=7)(shape).numpy().astype(np.float64)
    assert np.abs(x).max() > 3 * std  # not truncated at 2 std
    _check_stats(x, 0.0, std)


def test_variance_scaling_uses_at_least_one_unit():
    # shape () has fans (1, 1); a zero fan is replaced by 1: n = max(1, fan)
    x = I.VarianceScaling(3.0, "fan_in", "uniform", seed=0)((0, 5))
    assert x.shape == (0, 5)
    y = I.VarianceScaling(3.0, "fan_avg", "uniform", seed=0)(()).numpy()
    assert abs(float(y)) <= 3.0  # limit = sqrt(3 * 3 / 1)


def test_variance_scaling_arguments():
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"
    assert I.VarianceScaling(distribution="Uniform").distribution == "uniform"
    assert I.VarianceScaling().get_config() == {
        "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": None}
    with pytest.raises(ValueError, match="`scale` must be positive"):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="Invalid `mode` argument"):
        I.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="Invalid `distribution` argument"):
        I.VarianceScaling(distribution="laplace")


PRESETS = [
    # class, scale, mode, distribution, expected limit (uniform) or std (normal) for (fi, fo)
    (I.GlorotUniform, 1.0, "fan_avg", "uniform", lambda fi, fo: math.sqrt(6 / (fi + fo))),
    (I.GlorotNormal, 1.0, "fan_avg", "truncated_normal", lambda fi, fo: math.sqrt(2 / (fi + fo))),
    (I.HeUniform, 2.0, "fan_in", "uniform", lambda fi, fo: math.sqrt(6 / fi)),
    (I.HeNormal, 2.0, "fan_in", "truncated_normal", lambda fi, fo: math.sqrt(2 / fi)),
    (I.LecunUniform, 1.0, "fan_in", "uniform", lambda fi, fo: math.sqrt(3 / fi)),
    (I.LecunNormal, 1.0, "fan_in", "truncated_normal", lambda fi, fo: math.sqrt(1 / fi)),
]


@pytest.mark.parametrize("cls, scale, mode, distribution, expected", PRESETS,
                         ids=[p[0].__name__ for p in PRESETS])
@pytest.mark.parametrize("shape", [DENSE, CONV], ids=["dense", "conv"])
def test_presets(cls, scale, mode, distribution, expected, shape):
    init = cls(seed=11)
    assert isinstance(init, I.VarianceScaling)
    assert (init.scale, init.mode, init.distribution) == (scale, mode, distribution)
    assert init.get_config() == {"seed": 11}
    x = init(shape).numpy()
    # the very same numbers as the VarianceScaling it stands for
    np.testing.assert_array_equal(x, I.VarianceScaling(scale, mode, distribution, seed=11)(shape).numpy())
    x = x.astype(np.float64)
    value = expected(*I.compute_fans(shape))
    if distribution == "uniform":  # value is the limit
        assert np.abs(x).max() <= value and np.abs(x).max() > 0.999 * value
        _check_stats(x, 0.0, value / math.sqrt(3))
    else:  # value is the std after truncation
        assert np.abs(x).max() <= 2 * value / TRUNC_STD * (1 + 1e-6)
        _check_stats(x, 0.0, value)


def test_glorot_uniform_limit_by_hand():
    # a Dense(128) kernel on 784 inputs: limit = sqrt(6 / 912) = 0.0811107...
    x = I.GlorotUniform(seed=0)((784, 128)).numpy()
    assert np.abs(x).max() <= 0.08111071056538127
    assert np.abs(x).max() > 0.0811


# -- Orthogonal ------------------------------------------------------------------------------
def test_orthogonal_columns_rows_and_conv():
    q = I.Orthogonal(seed=1)((6, 4)).numpy().astype(np.float64)
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-6)  # orthonormal columns
    q = I.Orthogonal(gain=2.0, seed=1)((3, 5)).numpy().astype(np.float64)
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)  # orthonormal rows, times gain
    k = I.Orthogonal(seed=2)((3, 3, 4, 8)).numpy().astype(np.float64).reshape(36, 8)
    np.testing.assert_allclose(k.T @ k, np.eye(8), atol=1e-6)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        I.Orthogonal()((5,))


# -- seeds -------------------------------------------------------------------------------------
ALL_RANDOM = [I.RandomNormal, I.RandomUniform, I.TruncatedNormal, I.VarianceScaling,
              I.GlorotUniform, I.GlorotNormal, I.HeUniform, I.HeNormal, I.LecunUniform,
              I.LecunNormal, I.Orthogonal]


@pytest.mark.parametrize("cls", ALL_RANDOM, ids=lambda c: c.__name__)
def test_seeded_initializer_repeats_call_after_call(cls):
    init = cls(seed=42)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a seeded initializer never warns
        a, b = init((5, 6)).numpy(), init((5, 6)).numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, cls(seed=42)((5, 6)).numpy())
    assert not np.array_equal(a, cls(seed=43)((5, 6)).numpy())


def test_unseeded_initializer_keeps_its_values_and_warns_like_tf_keras():
    init = I.RandomNormal()
    a = init((4, 4)).numpy()
    with pytest.warns(UserWarning, match="unseeded and being called multiple times"):
        b = init((4, 4)).numpy()
    np.testing.assert_array_equal(a, b)
    assert init.seed is None and init.get_config()["seed"] is None
    assert not np.array_equal(a, I.RandomNormal()((4, 4)).numpy())  # another instance, other values


def test_unseeded_initializers_follow_minigrad_random_seed():
    try:
        mg.random.seed(123)
        a = I.GlorotUniform()((3, 3)).numpy()
        mg.random.seed(123)
        b = I.GlorotUniform()((3, 3)).numpy()
    finally:
        mg.random.seed(None)
    np.testing.assert_array_equal(a, b)


def test_bad_seed_and_shape():
    with pytest.raises(ValueError, match="seed must be None or a non-negative int"):
        I.RandomNormal(seed=1.5)
    with pytest.raises(ValueError, match="negative dimension"):
        I.Zeros()((2, -1))
    with pytest.raises(TypeError, match="shape must be a tuple of ints"):
        I.Ones()((2.0, 3))


def test_tensors_land_on_the_default_device():
    assert I.GlorotUniform(seed=0)((2, 2)).device == mg.get_default_device() == "cpu"


@pytest.mark.skipif(not _cuda_available(), reason="device 'cuda' needs CuPy and an NVIDIA GPU")
def test_initializers_on_cuda():
    mg.set_default_device("cuda")
    try:
        for init in (I.Zeros(), I.Constant(2.0), I.Identity(), I.GlorotUniform(seed=0),
                     I.TruncatedNormal(seed=0), I.Orthogonal(seed=0), I.RandomUniform(seed=0)):
            t = init((64, 32))
            assert t.device == "cuda" and t.dtype == np.float32
        x = I.HeNormal(seed=1)((300, 400)).numpy().astype(np.float64)
        assert np.abs(x).max() <= 2 * math.sqrt(2 / 300) / TRUNC_STD * (1 + 1e-6)
        _check_stats(x, 0.0, math.sqrt(2 / 300))
    finally:
        mg.set_default_device("cpu")


# -- configs, get, serialize ---------------------------------------------------------------------
def test_default_configs_match_keras():
    assert I.RandomNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert I.RandomUniform().get_config() == {"minval": -0.05, "maxval": 0.05, "seed": None}
    assert I.TruncatedNormal().get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert I.Constant().get_config() == {"value": 0}
    assert I.Zeros().get_config() == {} and I.Ones().get_config() == {}
    assert I.Identity().get_config() == {"gain": 1.0}
    assert I.Orthogonal().get_config() == {"gain": 1.0, "seed": None}
    assert I.GlorotUniform().get_config() == {"seed": None}


ALIASES = {
    "zeros": I.Zeros, "ones": I.Ones, "constant": I.Constant, "identity": I.Identity,
    "random_normal": I.RandomNormal, "random_uniform": I.RandomUniform,
    "truncated_normal": I.TruncatedNormal, "variance_scaling": I.VarianceScaling,
    "glorot_uniform": I.GlorotUniform, "glorot_normal": I.GlorotNormal,
    "he_uniform": I.HeUniform, "he_normal": I.HeNormal, "lecun_uniform": I.LecunUniform,
    "lecun_normal": I.LecunNormal, "orthogonal": I.Orthogonal,
    # Keras's compatibility names
    "normal": I.RandomNormal, "uniform": I.RandomUniform, "one": I.Ones, "zero": I.Zeros,
    "GlorotUniformV2": I.GlorotUniform, "he_normalV2": I.HeNormal,
}


@pytest.mark.parametrize("name, cls", list(ALIASES.items()))
def test_get_by_name(name, cls):
    got = I.get(name)
    assert type(got) is cls
    assert got.get_config() == cls().get_config()
    assert type(I.get(cls.__name__)) is cls
    assert getattr(I, name, cls) is cls  # the lowercase module attribute is the class itself


def test_get_other_identifiers():
    assert I.get(None) is None
    init = I.get({"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 0.5, "seed": 3}})
    assert type(init) is I.RandomNormal and (init.mean, init.stddev, init.seed) == (1.0, 0.5, 3)
    # the newer Keras format carries "module" and "registered_name" keys
    new = {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": None}
    assert type(I.get(new)) is I.Ones
    assert type(I.get(I.HeUniform)) is I.HeUniform  # a class is instantiated, as in Keras
    mine = I.HeUniform(seed=1)
    assert I.get(mine) is mine

    def my_init(shape, dtype=None):
        return mg.tensor(np.full(shape, 7.0, np.float32))

    assert I.get(my_init) is my_init


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown initializer: 'glorot'\. Valid names are .*glorot_uniform"):
        I.get("glorot")
    with pytest.raises(ValueError, match="Unknown initializer: 'Glorot_Uniform'"):
        I.get("Glorot_Uniform")  # names are case-sensitive, as in Keras
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: 5"):
        I.get(5)
    with pytest.raises(ValueError, match="Improper config format"):
        I.get({"config": {}})
    with pytest.raises(TypeError, match="cannot build initializer 'RandomNormal'.*'sigma'"):
        I.get({"class_name": "RandomNormal", "config": {"sigma": 1.0}})


def test_custom_objects_and_from_config():
    class Twos(I.Initializer):
        def __call__(self, shape, dtype=None):
            return I.Constant(2.0)(shape, dtype)

    got = I.deserialize({"class_name": "Twos", "config": {}}, custom_objects={"Twos": Twos})
    assert got((2,)).numpy().tolist() == [2.0, 2.0]
    config = {"mean": 0.0, "stddev": 1.0, "seed": None, "dtype": "float32"}  # "dtype" is dropped
    assert I.RandomNormal.from_config(config).stddev == 1.0


ROUND_TRIP = [I.Zeros(), I.Ones(), I.Constant(0.5), I.Identity(gain=3.0),
              I.RandomNormal(1.0, 2.0, seed=1), I.RandomUniform(-2.0, 2.0, seed=2),
              I.TruncatedNormal(0.5, 0.1, seed=3), I.VarianceScaling(0.3, "fan_out", "uniform", seed=4),
              I.GlorotUniform(seed=5), I.GlorotNormal(seed=6), I.HeUniform(seed=7), I.HeNormal(seed=8),
              I.LecunUniform(seed=9), I.LecunNormal(seed=10), I.Orthogonal(gain=0.5, seed=11)]


@pytest.mark.parametrize("init", ROUND_TRIP, ids=lambda i: type(i).__name__)
def test_serialize_round_trip(init):
    config = I.serialize(init)
    assert config == {"class_name": type(init).__name__, "config": init.get_config()}
    again = I.get(config)
    assert type(again) is type(init) and again.get_config() == init.get_config()
    np.testing.assert_array_equal(again((4, 5)).numpy(), init((4, 5)).numpy())
    assert type(init).from_config(init.get_config()).get_config() == init.get_config()


def test_serialize_none_and_functions():
    assert I.serialize(None) is None

    def my_init(shape, dtype=None):
        return I.Zeros()(shape, dtype)

    assert I.serialize(my_init) == "my_init"
    with pytest.raises(ValueError, match="doesn't implement get_config"):
        I.serialize(3)


def test_base_class_and_repr():
    with pytest.raises(NotImplementedError, match="must implement __call__"):
        I.Initializer()((2,))
    assert repr(I.RandomNormal(stddev=0.1, seed=2)) == "RandomNormal(mean=0.0, stddev=0.1, seed=2)"
