"""The primitive ops of minigrad: a derivative table, one idea per file.

Each file opens with its table (each op's forward and its derivative) and then
holds one card per op: ``class Name(Op)`` with ``forward`` on raw arrays and
``backward`` in minigrad ops, and the public function right under its class.
The array code that makes a forward fast lives in ``minigrad/kernels/``.

- ``base``: the machinery every op shares: ``Op``, ``apply``, ``REGISTRY``.
- ``elementwise``: add, subtract, multiply, divide, power, maximum, minimum,
  negative, exp, log, sqrt, rsqrt, square, abs, clip, where, cast, to_device;
  without a gradient: stop_gradient, sign, full_like (zeros_like, ones_like).
- ``activation``: tanh, sigmoid, relu, leaky_relu, softplus, erf (and the
  one-op backwards tanh_grad, sigmoid_grad, relu_grad).
- ``comparison``: equal, not_equal, less, less_equal, greater, greater_equal.
- ``reductions``: sum, mean, max, min, var, std; without a gradient: argmax,
  argmin, all, any.
- ``softmax_family``: softmax, log_softmax, logsumexp, sparse_softmax_cross_entropy
  (and its one-op gradient).
- ``shape``: reshape, transpose, broadcast_to, expand_dims, squeeze,
  concatenate, stack, split, pad.
- ``indexing``: getitem (``x[index]``) and its backward, scatter_add.
- ``linalg``: matmul, affine (``x @ kernel + bias``).
- ``conv``: conv2d, conv2d_backprop_input, conv2d_backprop_kernel.
- ``pool``: max_pool2d (with its scatter and gather), avg_pool2d (with its scatter).
- ``normalization``: batch_norm_train, batch_norm_train_grad, batch_norm_infer
  (``normalization_gpu``: their CuPy kernels).

``minigrad.ops`` (and so ``minigrad``) exports the functions of base,
elementwise, activation, comparison, reductions, softmax_family (logsumexp), shape,
indexing and linalg; ``minigrad.nn`` wraps softmax, conv, pool and
normalization for users.
"""

# Order matters: elementwise re-exports activation's and comparison's names, and
# reductions softmax's, for code that imported them from there before the split.
from minigrad.ops.base import REGISTRY, Op, apply  # noqa: F401, I001
from minigrad.ops.elementwise import *  # noqa: F401,F403
from minigrad.ops.activation import *  # noqa: F401,F403
from minigrad.ops.comparison import *  # noqa: F401,F403
from minigrad.ops.reductions import *  # noqa: F401,F403
from minigrad.ops.softmax_family import *  # noqa: F401,F403
from minigrad.ops.indexing import *  # noqa: F401,F403
from minigrad.ops.linalg import *  # noqa: F401,F403
from minigrad.ops.shape import *  # noqa: F401,F403


# -- the Tensor operators ------------------------------------------------------------------
from minigrad.ops import elementwise as _elementwise  # noqa: E402
from minigrad.ops.comparison import equal, greater, greater_equal, less, less_equal, not_equal  # noqa: E402
from minigrad.ops.elementwise import Add, Divide, Multiply, Power, Subtract  # noqa: E402
from minigrad.ops.elementwise import add, divide, multiply, negative, power, subtract  # noqa: E402
from minigrad.ops.indexing import getitem  # noqa: E402
from minigrad.ops.linalg import matmul  # noqa: E402
from minigrad.tensor import Tensor  # noqa: E402


# Here rather than in tensor.py, which the ops import. ``a * b`` with two Tensors goes
# straight to ``apply`` (no number to convert), two Python calls fewer than
# Tensor.__mul__ -> multiply -> _pair: about 30 us of the 100-op chain's 525 us
# (forward + backward, 220 operator calls). A number or an array goes through the function.
def _binary_operator(op: type[Op], function):
    """``Tensor.__add__`` and its kind: ``apply(op, self, other)`` for a Tensor ``other``,
    else ``function(self, other)`` (which converts ``other`` first)."""

    def operator(self, other):
        if isinstance(other, Tensor):
            return apply(op, self, other)
        return function(self, other)

    operator.__doc__ = function.__doc__
    return operator


Tensor.__add__ = _binary_operator(Add, add)
Tensor.__sub__ = _binary_operator(Subtract, subtract)
Tensor.__mul__ = _binary_operator(Multiply, multiply)
Tensor.__truediv__ = _binary_operator(Divide, divide)
Tensor.__pow__ = _binary_operator(Power, power)
Tensor.__matmul__ = matmul  # (it checks the ranks first)
Tensor.__neg__ = negative
Tensor.__abs__ = _elementwise.abs
Tensor.__eq__ = equal
Tensor.__ne__ = not_equal
Tensor.__lt__ = less
Tensor.__le__ = less_equal
Tensor.__gt__ = greater
Tensor.__ge__ = greater_equal
Tensor.__getitem__ = getitem
