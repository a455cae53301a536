"""The Tensor operators are the ops: attached in minigrad/ops/__init__.py, with a fast route
for two Tensors. Values by hand; gradients and errors as the ops functions give them."""

import operator

import numpy as np
import pytest

import minigrad as mg
from minigrad.errors import ArgumentTypeError, InvalidArgumentError

A = [[1.0, 2.0], [4.0, 8.0]]
B = [[2.0, 4.0], [1.0, 2.0]]

OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "**": operator.pow}

# operator, a and b ("t": the tensor A on the left, B on the right), the value by hand
CASES = [
    ("+", "t", "t", [[3.0, 6.0], [5.0, 10.0]]),
    ("-", "t", "t", [[-1.0, -2.0], [3.0, 6.0]]),
    ("*", "t", "t", [[2.0, 8.0], [4.0, 16.0]]),
    ("/", "t", "t", [[0.5, 0.5], [4.0, 4.0]]),
    ("**", "t", "t", [[1.0, 16.0], [4.0, 64.0]]),
    ("+", "t", 0.5, [[1.5, 2.5], [4.5, 8.5]]),
    ("-", 2.0, "t", [[0.0, -2.0], [1.0, 0.0]]),
    ("*", 0.5, "t", [[1.0, 2.0], [0.5, 1.0]]),
    ("/", "t", 4.0, [[0.25, 0.5], [1.0, 2.0]]),
    ("/", 8.0, "t", [[4.0, 2.0], [8.0, 4.0]]),
    ("**", 2.0, "t", [[4.0, 16.0], [2.0, 4.0]]),
]


def _operand(spec, values):
    return mg.tensor(values) if spec == "t" else spec


@pytest.mark.parametrize("symbol, a, b, expected", CASES)
def test_operator_values_and_dtype(symbol, a, b, expected):
    y = OPERATORS[symbol](_operand(a, A), _operand(b, B))
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)
    assert y.dtype == np.float32  # a Python number takes the tensor's dtype


def test_two_tensor_product_with_a_variable_records_the_read():
    # x * w with w a Variable takes the operator's route for two Tensors: the tape must
    # still record the read, so that w's gradient is x (dy/dw of sum(x * w))
    x = mg.tensor([1.0, -3.0])
    w = mg.Variable([2.0, 5.0])
    with mg.GradientTape() as tape:
        y = (x * w).sum()
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), [1.0, -3.0])


def test_second_derivative_through_operators():
    # y = x ** 3 / 3 - 2 x: y' = x ** 2 - 2, y'' = 2 x
    x = mg.tensor(3.0)
    with mg.GradientTape() as outer:
        outer.watch(x)
        with mg.GradientTape() as inner:
            inner.watch(x)
            y = x**3.0 / 3.0 - 2.0 * x
        dy = inner.gradient(y, x)
    assert dy.item() == pytest.approx(7.0)
    assert outer.gradient(dy, x).item() == pytest.approx(6.0)


def test_operator_errors_are_the_functions_errors():
    x = mg.tensor([1.0, 2.0])
    for by_operator, by_function in ((lambda: x + "a", lambda: mg.add(x, "a")),
                                     (lambda: "a" - x, lambda: mg.subtract("a", x))):
        with pytest.raises(ArgumentTypeError, match="cannot make a tensor from 'a'") as got:
            by_operator()
        with pytest.raises(ArgumentTypeError) as expected:
            by_function()
        assert str(got.value) == str(expected.value)
    with pytest.raises(InvalidArgumentError, match=r"multiply: inputs of shapes \(2,\) and \(3,\) do not"):
        x * mg.tensor([1.0, 2.0, 3.0])


def test_context_holds_the_engines_notes_and_an_ops_own():
    from minigrad.ops.base import Context

    ctx = Context()
    ctx.xp, ctx.inputs = np, (1, 2)
    ctx.axes = (0,)  # an op's own note goes in the dict
    assert (ctx.xp, ctx.inputs, ctx.axes) == (np, (1, 2), (0,))
    assert vars(ctx) == {"axes": (0,)}
