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
