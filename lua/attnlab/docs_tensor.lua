-- attnlab.docs_tensor: the docstrings of the tensor module and of a
-- tensor's methods and fields (every tensor function is also a method:
-- tensor.sum(x, 1) is x:sum(1)). The entry format is described in
-- lua/attnlab/docs.lua.
local S = "Tensors"

local grad_opt = { "requires_grad", "false", "make a leaf that records gradients (x.grad after backward)",
                   "创建一个记录梯度的叶子张量（backward 之后看 x.grad）" }

return {
  {
    name = "tensor", section = S,
    signature = "tensor.<function>(...)  |  x:<function>(...)",
    computes = "The tensor module: float32 n-dimensional arrays with autograd. "
      .. "Every function is also a method: tensor.sum(x, 1) is x:sum(1). "
      .. "The operators + - * / ^ and unary - work element-wise with NumPy broadcasting; "
      .. "x[i] is NumPy's x[i] (0-based), a number for a 1-D tensor.",
    computes_zh = "tensor 模块：带自动微分的 float32 多维数组。"
      .. "每个函数也是张量的方法：tensor.sum(x, 1) 就是 x:sum(1)。"
      .. "运算符 + - * / ^ 和一元 - 逐元素计算，按 NumPy 的规则广播；"
      .. "x[i] 和 NumPy 的 x[i] 一样从 0 开始数，一维张量的 x[i] 是一个数。",
    shapes = "x.shape prints as (2, 3); x.ndim is the rank; None is an unknown size.",
    shapes_zh = "x.shape 打印成 (2, 3)；x.ndim 是轴的个数；None 表示未知的大小。",
    keras = "numpy / keras.ops",
    example = "x = tensor.arange(6):reshape(2, 3)\nx:sum(1)\nx.shape\nx[1]",
  },
  {
    name = "None", aliases = { "tensor.None", "nn.None" }, section = S,
    signature = "None",
    computes = "Keras's unknown size: the batch axis of a symbolic tensor from nn.Input is None, "
      .. "and x:size(axis) returns None for it. It prints as None.",
    computes_zh = "Keras 里“未知的大小”：nn.Input 得到的符号张量，批量轴的大小是 None，"
      .. "x:size(axis) 对这个轴返回 None。打印出来就是 None。",
    shapes = "nn.Input{64, 32} is (None, 64, 32)",
    shapes_zh = "nn.Input{64, 32} 的形状是 (None, 64, 32)",
    keras = "keras.Input(shape=(None, 32))",
    example = "x = nn.Input{64, 32}\nx:size(0) == None\nx.shape",
  },
  {
    name = "tensor.shape",
    aliases = { "tensor.ndim", "tensor.dtype", "tensor.symbolic", "tensor.node", "tensor.mask" },
    section = S,
    signature = "x.shape, x.ndim, x.dtype, x.symbolic, x.node, x.mask",
    computes = "Fields of a tensor: shape (a table that prints as (2, 3) and compares by value), "
      .. "ndim (the number of axes), dtype (always \"float32\"), symbolic (true for a tensor from "
      .. "nn.Input or made from one), node (how a symbolic tensor was made: the layer or op and "
      .. "its inputs, which nn.Model replays) and mask (the Keras mask that travels with a tensor "
      .. "after Embedding{mask_zero=true} or Masking, or nil).",
    computes_zh = "张量的字段：shape 是形状（一个表，打印成 (2, 3)，按值比较）；"
      .. "ndim 是轴的个数；dtype 总是 \"float32\"；symbolic 对 nn.Input 得到的张量和由它算出的张量为 true，"
      .. "它们是符号张量；node 记录符号张量是怎样算出来的（哪个层或运算、输入是谁），nn.Model 按它重放；"
      .. "mask 是跟着张量走的 Keras 掩码，来自 Embedding{mask_zero=true} 或 Masking，没有时为 nil。",
    shapes = "x.shape[1] is the size of axis 0 (a Lua table counts from 1)",
    shapes_zh = "x.shape[1] 是第 0 轴的大小（Lua 的表从 1 开始数）",
    keras = "x.shape, x.ndim, x.dtype, x._keras_mask",
    example = "x = tensor.ones(2, 3)\nx.shape\nx.ndim\nx.shape == tensor.zeros(2, 3).shape",
  },
  {
    name = "tensor.zeros", aliases = { "tensor.ones", "tensor.full" }, section = S,
    signature = "tensor.zeros(d1, d2, ... [, {options}]), tensor.ones(...), tensor.full(shape, v [, {options}])",
    computes = "A new tensor filled with 0 (ones: 1; full: v). The sizes may also be one table: "
      .. "tensor.zeros({2, 3}).",
    computes_zh = "新建一个全是 0 的张量（ones 全是 1，full 全是 v）。大小也可以写成一个表：tensor.zeros({2, 3})。",
    options = { grad_opt },
    shapes = "the sizes given -> (d1, d2, ...)",
    shapes_zh = "给出的大小就是形状：(d1, d2, ...)",
    keras = "np.zeros((d1, d2)) / keras.ops.zeros",
    example = "tensor.zeros(2, 3)\ntensor.ones(4)\ntensor.full({2, 2}, 7)",
  },
  {
    name = "tensor.eye", section = S,
    signature = "tensor.eye(n [, m] [, {options}])",
    computes = "The identity matrix: ones on the diagonal, zeros elsewhere; n rows and m columns (m = n by default).",
    computes_zh = "单位矩阵：对角线上是 1，其余是 0；n 行 m 列（m 默认等于 n）。",
    options = { grad_opt },
    shapes = "(n, m)",
    keras = "np.eye(n, m) / keras.ops.eye",
    example = "tensor.eye(3)\ntensor.eye(2, 3)",
  },
  {
    name = "tensor.arange", section = S,
    signature = "tensor.arange(stop), tensor.arange(start, stop [, step]) [, {options}]",
    computes = "The numbers start, start + step, ... up to but not including stop (start 0, step 1 by default).",
    computes_zh = "从 start 开始、每次加 step、直到 stop（不含 stop）的一串数；start 默认 0，step 默认 1。",
    options = { grad_opt },
    shapes = "(count,)",
    keras = "np.arange(start, stop, step) / keras.ops.arange",
    example = "tensor.arange(5)\ntensor.arange(1, 7, 2)",
  },
  {
    name = "tensor.randn", aliases = { "tensor.rand" }, section = S,
    signature = "tensor.randn(d1, d2, ... [, {mean=, stddev=}]), tensor.rand(... [, {minval=, maxval=}])",
    computes = "Random normal values (randn) or uniform values in [minval, maxval) (rand), from the "
      .. "one global stream: nn.seed(n) makes them repeatable.",
    computes_zh = "正态分布的随机数（randn），或 [minval, maxval) 上均匀分布的随机数（rand）。"
      .. "它们都来自同一个全局随机数流：先调用 nn.seed(n)，结果就能重现。",
    options = {
      { "mean", "0", "randn: the mean of the normal distribution", "randn：正态分布的均值" },
      { "stddev", "1", "randn: its standard deviation", "randn：正态分布的标准差" },
      { "minval", "0", "rand: the lower bound (included)", "rand：下界（包含）" },
      { "maxval", "1", "rand: the upper bound (excluded)", "rand：上界（不包含）" },
      grad_opt,
    },
    shapes = "(d1, d2, ...)",
    keras = "np.random.randn(d1, d2) / keras.random.normal / keras.random.uniform",
    example = "nn.seed(1)\nx = tensor.randn(2, 5, 4)\ntensor.rand(3, {minval=-1, maxval=1})",
  },
  {
    name = "tensor.from", section = S,
    signature = "tensor.from(nested_table [, {options}])",
    computes = "A tensor from a (nested) Lua table of numbers, a number (a 0-d tensor) or a tensor "
      .. "(a copy); x:totable() goes back. Rows must have equal lengths.",
    computes_zh = "把（嵌套的）Lua 数字表变成张量；给一个数得到 0 维张量，给一个张量得到它的副本。"
      .. "x:totable() 再变回表。每一行的长度必须相同。",
    options = { grad_opt },
    shapes = "{{1, 2}, {3, 4}} -> (2, 2)",
    keras = "np.array([[1, 2], [3, 4]])",
    example = "m = tensor.from{{1, 2}, {3, 4}}\nm:totable()",
  },
  {
    name = "tensor.add",
    aliases = { "tensor.sub", "tensor.subtract", "tensor.mul", "tensor.multiply",
                "tensor.div", "tensor.divide", "tensor.pow" },
    section = S,
    signature = "tensor.add(a, b), sub/subtract, mul/multiply, div/divide, pow;  a + b, a - b, a * b, a / b, a ^ b",
    computes = "Element-wise arithmetic with NumPy broadcasting; either operand may be a number. "
      .. "mul is the element-wise product, not the matrix product (that is matmul).",
    computes_zh = "逐元素的加、减、乘、除、乘方，按 NumPy 的规则广播；两个操作数都可以是数。"
      .. "mul 是逐元素乘积，不是矩阵乘积（矩阵乘积用 matmul）。",
    shapes = "(2, 3) + (3,) -> (2, 3); (2, 1) * (1, 4) -> (2, 4)",
    keras = "keras.ops.add / subtract / multiply / divide / power",
    example = "a = tensor.from{{1, 2, 3}, {4, 5, 6}}\na + tensor.from{10, 20, 30}\na * 2\ntensor.pow(a, 2)",
  },
  {
    name = "tensor.maximum", aliases = { "tensor.minimum" }, section = S,
    signature = "tensor.maximum(a, b), tensor.minimum(a, b)",
    computes = "The element-wise larger (smaller) of a and b, with broadcasting; "
      .. "tensor.maximum(x, 0) is relu.",
    computes_zh = "逐元素取 a 和 b 中较大（较小）的一个，可以广播；tensor.maximum(x, 0) 就是 relu。",
    shapes = "broadcast shape of a and b",
    shapes_zh = "a 和 b 广播之后的形状",
    keras = "keras.ops.maximum(a, b)",
    example = "tensor.maximum(tensor.from{-1, 2, -3}, 0)",
  },
  {
    name = "tensor.equal",
    aliases = { "tensor.not_equal", "tensor.greater", "tensor.greater_equal", "tensor.less",
                "tensor.less_equal" },
    section = S,
    signature = "tensor.equal(a, b), not_equal, greater, greater_equal, less, less_equal",
    computes = "Element-wise comparisons with broadcasting, as 1 (true) and 0 (false) in a float tensor; "
      .. "they have no gradient. x == y compares whole tensors (Lua's ==), not elements.",
    computes_zh = "逐元素比较，可以广播；结果放在浮点张量里，成立为 1，不成立为 0，没有梯度。"
      .. "注意 x == y 是 Lua 的 ==，比较的是两个张量本身，不是逐元素比较。",
    shapes = "broadcast shape of a and b",
    shapes_zh = "a 和 b 广播之后的形状",
    keras = "keras.ops.equal / greater / less ...",
    example = "x = tensor.from{1, 5, 2}\ntensor.greater(x, 1.5)\ntensor.equal(x, 5)",
  },
  {
    name = "tensor.exp",
    aliases = { "tensor.log", "tensor.sqrt", "tensor.abs", "tensor.square", "tensor.neg" },
    section = S,
    signature = "tensor.exp(x), log, sqrt, abs, square, neg  |  x:exp(), ...",
    computes = "Element-wise exp, natural log, square root, absolute value, square and negation (-x).",
    computes_zh = "逐元素计算 exp、自然对数、平方根、绝对值、平方和取负（-x）。",
    shapes = "same shape as x",
    shapes_zh = "和 x 的形状相同",
    keras = "keras.ops.exp / log / sqrt / abs / square / negative",
    example = "x = tensor.from{1, 4, 9}\nx:sqrt()\nx:log()\n-x",
  },
  {
    name = "tensor.tanh",
    aliases = { "tensor.sigmoid", "tensor.relu", "tensor.elu", "tensor.selu", "tensor.gelu",
                "tensor.softplus", "tensor.softsign", "tensor.hard_sigmoid", "tensor.silu" },
    section = S,
    signature = "tensor.tanh(x), sigmoid, relu, elu, selu, gelu, softplus, softsign, hard_sigmoid, silu",
    computes = "The activation functions, element-wise, with Keras 3's definitions: sigmoid(x) = "
      .. "1 / (1 + exp(-x)), relu(x) = max(x, 0), hard_sigmoid(x) = relu6(x + 3) / 6, "
      .. "gelu is the exact (erf) form, silu(x) = x * sigmoid(x).",
    computes_zh = "逐元素的激活函数，定义和 Keras 3 相同：sigmoid(x) = 1 / (1 + exp(-x))，"
      .. "relu(x) = max(x, 0)，hard_sigmoid(x) = relu6(x + 3) / 6，gelu 用精确的 erf 形式，"
      .. "silu(x) = x * sigmoid(x)。",
    shapes = "same shape as x",
    shapes_zh = "和 x 的形状相同",
    keras = "keras.activations.tanh / sigmoid / relu ...",
    example = "x = tensor.from{-2, 0, 2}\nx:tanh()\nx:sigmoid()\nx:relu()",
  },
  {
    name = "tensor.softmax", aliases = { "tensor.log_softmax" }, section = S,
    signature = "tensor.softmax(x [, axis=-1]), tensor.log_softmax(x [, axis=-1])",
    computes = "exp(x) / sum(exp(x)) along axis (computed stably); each slice sums to 1. "
      .. "The heart of attention: scores become weights. log_softmax is its logarithm, computed directly.",
    computes_zh = "沿 axis 计算 exp(x) / sum(exp(x))（用数值稳定的算法），每一片加起来等于 1。"
      .. "这是注意力的核心：注意力分数经过它变成注意力权重。log_softmax 是它的对数，直接算出，更稳定。",
    shapes = "same shape as x",
    shapes_zh = "和 x 的形状相同",
    keras = "keras.ops.softmax(x, axis=-1)",
    example = "tensor.softmax(tensor.from{1, 2, 3})\ntensor.softmax(tensor.from{{1, 1}, {0, 9}}, 0)",
  },
  {
    name = "tensor.sum", aliases = { "tensor.mean", "tensor.max", "tensor.min" }, section = S,
    signature = "tensor.sum(x [, axis [, keepdims]])  |  x:sum{axis=, keepdims=}; mean, max, min",
    computes = "The sum (mean, max, min) of all elements, or along an axis or a table of axes "
      .. "(0-based, negative from the end); keepdims keeps the reduced axes with size 1.",
    computes_zh = "所有元素的和（均值、最大值、最小值），或者沿一个轴、一组轴（写成表）归约；"
      .. "轴从 0 开始数，负数从末尾数。keepdims 为 true 时保留被归约的轴，大小变成 1。",
    options = {
      { "axis", "nil", "an axis or a table of axes; nil: all of them", "一个轴或一组轴；nil 表示所有轴" },
      { "keepdims", "false", "keep the reduced axes with size 1", "保留被归约的轴，大小为 1" },
    },
    shapes = "(2, 3) summed over axis 1 -> (2,); with keepdims -> (2, 1); over all -> ()",
    shapes_zh = "(2, 3) 沿第 1 轴求和得 (2,)；加 keepdims 得 (2, 1)；对所有元素求和得 ()",
    keras = "keras.ops.sum(x, axis=1, keepdims=False) / tf.reduce_sum",
    example = "x = tensor.ones(2, 3)\nx:sum()\nx:sum(1)\nx:mean{axis=0, keepdims=true}",
  },
  {
    name = "tensor.argmax", aliases = { "tensor.argmin" }, section = S,
    signature = "tensor.argmax(x [, axis [, keepdims]]), tensor.argmin(...)",
    computes = "The index (0-based) of the largest (smallest) value along axis, as a float tensor; "
      .. "without an axis, the index into the flattened tensor.",
    computes_zh = "沿 axis 找最大值（最小值）的下标（从 0 开始），结果是浮点张量；"
      .. "不给 axis 时，返回把张量拉平之后的下标。",
    shapes = "(2, 3) along axis 1 -> (2,)",
    shapes_zh = "(2, 3) 沿第 1 轴得 (2,)",
    keras = "keras.ops.argmax(x, axis=-1)",
    example = "x = tensor.from{{1, 5, 2}, {7, 0, 3}}\nx:argmax(1)\nx:argmax()",
  },
  {
    name = "tensor.matmul", section = S,
    signature = "tensor.matmul(a, b [, {transpose_a=, transpose_b=}])  |  a:matmul(b)",
    computes = "Matrix product over the last two axes, broadcast over the leading ones; "
      .. "transpose_b = true multiplies by b's transpose without making it.",
    computes_zh = "对最后两个轴做矩阵乘法，前面的轴按广播规则对齐；"
      .. "transpose_b = true 表示乘以 b 的转置，但不真的生成转置。",
    options = {
      { "transpose_a", "false", "use a with its last two axes swapped", "使用交换了最后两个轴的 a" },
      { "transpose_b", "false", "use b with its last two axes swapped", "使用交换了最后两个轴的 b" },
    },
    shapes = "(..., n, k) @ (..., k, m) -> (..., n, m)",
    keras = "keras.ops.matmul(a, b) / a @ b",
    example = "q = tensor.randn(2, 5, 8)\nk = tensor.randn(2, 5, 8)\nscores = q:matmul(k:transpose{0, 2, 1})\nq:matmul(k, {transpose_b=true}).shape",
  },
  {
    name = "tensor.batch_dot", section = S,
    signature = "tensor.batch_dot(x, y [, axes])",
    computes = "Keras's K.batch_dot: for each sample of the batch, the dot product of x and y over "
      .. "the given axes (an integer or a pair {axis_x, axis_y}, counted with the batch axis); "
      .. "by default the last axis of x with the second-to-last of y (the last for 2-D y).",
    computes_zh = "Keras 的 K.batch_dot：对批量中的每个样本，沿给定的轴求 x 和 y 的点积。"
      .. "axes 是一个整数或一对 {axis_x, axis_y}，轴的编号包含批量轴；"
      .. "默认用 x 的最后一个轴和 y 的倒数第二个轴（y 是二维时用最后一个轴）。",
    shapes = "(b, n, k) and (b, k, m) -> (b, n, m); (b, k) and (b, k) -> (b, 1)",
    shapes_zh = "(b, n, k) 和 (b, k, m) 得 (b, n, m)；(b, k) 和 (b, k) 得 (b, 1)",
    keras = "keras.backend.batch_dot(x, y, axes=(2, 1))",
    example = "a = tensor.randn(2, 3, 4)\nb = tensor.randn(2, 4, 5)\ntensor.batch_dot(a, b).shape\ntensor.batch_dot(a, a, {2, 2}).shape",
  },
  {
    name = "tensor.reshape", section = S,
    signature = "tensor.reshape(x, d1, d2, ...)  |  x:reshape{d1, d2, ...}",
    computes = "The same numbers in another shape (row-major order); one size may be -1 and is inferred.",
    computes_zh = "同样的数换一个形状（按行优先的顺序）；可以有一个大小写成 -1，由其余的大小推出来。",
    shapes = "(6,) -> reshape(2, 3) -> (2, 3); reshape(3, -1) -> (3, 2)",
    keras = "keras.ops.reshape(x, (2, 3))",
    example = "x = tensor.arange(6)\nx:reshape(2, 3)\nx:reshape{3, -1}.shape",
  },
  {
    name = "tensor.transpose", section = S,
    signature = "tensor.transpose(x [, perm])",
    computes = "Permutes the axes: axis i of the result is axis perm[i] of x (0-based, Keras/TF's numbers); "
      .. "without perm the axes are reversed.",
    computes_zh = "重新排列轴：结果的第 i 轴是 x 的第 perm[i] 轴（从 0 开始数，和 Keras/TF 一样）；"
      .. "不给 perm 时把轴的顺序倒过来。",
    shapes = "(2, 5, 8) with {0, 2, 1} -> (2, 8, 5); (2, 3) -> (3, 2)",
    shapes_zh = "(2, 5, 8) 用 {0, 2, 1} 得 (2, 8, 5)；(2, 3) 得 (3, 2)",
    keras = "tf.transpose(x, [0, 2, 1]) / keras.ops.transpose",
    example = "x = tensor.arange(6):reshape(2, 3)\nx:transpose()\ntensor.randn(2, 5, 8):transpose{0, 2, 1}.shape",
  },
  {
    name = "tensor.expand_dims", aliases = { "tensor.squeeze" }, section = S,
    signature = "tensor.expand_dims(x, axis), tensor.squeeze(x [, axis | {axes}])",
    computes = "expand_dims inserts an axis of size 1 at axis; squeeze removes axes of size 1 "
      .. "(the given ones, or all of them).",
    computes_zh = "expand_dims 在 axis 处插入一个大小为 1 的轴；squeeze 去掉大小为 1 的轴"
      .. "（去掉指定的轴，不指定时去掉所有大小为 1 的轴）。",
    shapes = "(2, 3) with expand_dims(x, -1) -> (2, 3, 1); squeeze back -> (2, 3)",
    shapes_zh = "(2, 3) 用 expand_dims(x, -1) 得 (2, 3, 1)；再 squeeze 回到 (2, 3)",
    keras = "keras.ops.expand_dims / keras.ops.squeeze",
    example = "x = tensor.ones(2, 3)\ny = x:expand_dims(-1)\ny.shape\ny:squeeze().shape",
  },
  {
    name = "tensor.concat", aliases = { "tensor.stack" }, section = S,
    signature = "tensor.concat({a, b, ...} [, axis=-1]), tensor.stack({a, b, ...} [, axis=0])",
    computes = "Joins tensors along an existing axis (concat: the other sizes must agree) "
      .. "or along a new one (stack: all shapes must agree).",
    computes_zh = "把几个张量连起来：concat 沿已有的轴拼接（其他轴的大小必须相同）；"
      .. "stack 沿一个新轴堆叠（所有形状必须相同）。",
    shapes = "(2, 3) and (2, 4) concat on axis 1 -> (2, 7); two (3,) stacked -> (2, 3)",
    shapes_zh = "(2, 3) 和 (2, 4) 沿第 1 轴拼接得 (2, 7)；两个 (3,) 堆叠得 (2, 3)",
    keras = "keras.ops.concatenate([a, b], axis=1) / keras.ops.stack",
    example = "tensor.concat({tensor.ones(2, 3), tensor.zeros(2, 4)}, 1)\ntensor.stack({tensor.ones(3), tensor.zeros(3)})",
  },
  {
    name = "tensor.slice", section = S,
    signature = "tensor.slice(x, axis, start [, stop [, step]])",
    computes = "Python's x[..., start:stop:step] on one axis: 0-based, stop excluded, negative "
      .. "numbers from the end, nil for an end.",
    computes_zh = "在一个轴上做 Python 的切片 x[..., start:stop:step]：从 0 开始数，不含 stop，"
      .. "负数从末尾数，nil 表示一直到头。",
    shapes = "(2, 10, 4) sliced on axis 1 from 0 to 5 -> (2, 5, 4)",
    shapes_zh = "(2, 10, 4) 在第 1 轴上取 0 到 5 得 (2, 5, 4)",
    keras = "x[:, 0:5] / keras.ops.slice",
    example = "x = tensor.arange(10)\nx:slice(0, 2, 5)\nx:slice(0, nil, nil, -1)",
  },
  {
    name = "tensor.select", section = S,
    signature = "tensor.select(x, axis, index)",
    computes = "One index along one axis, which disappears: x:select(1, -1) is x[:, -1] "
      .. "(the last time step). x[i] is x:select(0, i).",
    computes_zh = "在一个轴上取一个下标，这个轴随之消失：x:select(1, -1) 就是 x[:, -1]（最后一个时间步）。"
      .. "x[i] 就是 x:select(0, i)。",
    shapes = "(2, 10, 4) with select(1, -1) -> (2, 4)",
    shapes_zh = "(2, 10, 4) 用 select(1, -1) 得 (2, 4)",
    keras = "x[:, -1]",
    example = "x = tensor.arange(6):reshape(2, 3)\nx:select(1, -1)\nx[0]",
  },
  {
    name = "tensor.gather", section = S,
    signature = "tensor.gather(x, indices [, axis=0])",
    computes = "Takes the entries at the given indices (0-based) along axis; the indices' shape "
      .. "replaces that axis.",
    computes_zh = "沿 axis 取出给定下标（从 0 开始）处的条目；下标张量的形状代替这个轴。",
    shapes = "(5, 3) with indices (2,) on axis 0 -> (2, 3)",
    shapes_zh = "(5, 3) 用形状 (2,) 的下标在第 0 轴上取得 (2, 3)",
    keras = "tf.gather(x, indices, axis=0) / np.take",
    example = "x = tensor.arange(6):reshape(3, 2)\nx:gather(tensor.from{2, 0})",
  },
  {
    name = "tensor.get", aliases = { "tensor.set" }, section = S,
    signature = "x:get(i, j, ...), x:set(i, j, ..., value)",
    computes = "Reads (get) or writes (set, in place; returns x) one element by its indices "
      .. "(0-based, negative from the end). set refuses a tensor that requires grad, outside tensor.no_grad.",
    computes_zh = "按下标读（get）或写（set，原地修改并返回 x）一个元素；下标从 0 开始，负数从末尾数。"
      .. "在 tensor.no_grad 之外，set 不能修改需要梯度的张量。",
    shapes = "one index per axis",
    shapes_zh = "每个轴给一个下标",
    keras = "x[0, 1]; x[0, 1] = 3.5",
    example = "x = tensor.zeros(2, 3)\nx:set(0, 1, 3.5)\nx:get(0, 1)",
  },
  {
    name = "tensor.item", aliases = { "tensor.totable" }, section = S,
    signature = "x:item(), x:totable()",
    computes = "item: the one number of a tensor of one element (a loss); totable: the values as "
      .. "nested Lua tables (1-based, as Lua counts).",
    computes_zh = "item：只有一个元素的张量（比如损失）里的那个数；"
      .. "totable：把所有值变成嵌套的 Lua 表（下标从 1 开始，这是 Lua 的习惯）。",
    shapes = "item needs a tensor of one element",
    shapes_zh = "item 要求张量只有一个元素",
    keras = "float(x) / x.numpy().tolist()",
    example = "tensor.ones(2, 3):sum():item()\ntensor.eye(2):totable()",
  },
  {
    name = "tensor.size", aliases = { "tensor.dim", "tensor.numel" }, section = S,
    signature = "x:size([axis]), x:dim(), x:numel()",
    computes = "size: the shape, or the size of one axis (None when unknown); dim: the number of "
      .. "axes (x.ndim); numel: the number of elements.",
    computes_zh = "size：不给参数时返回形状，给一个轴时返回这个轴的大小（未知时为 None）；"
      .. "dim：轴的个数（同 x.ndim）；numel：元素的总个数。",
    shapes = "(2, 3): size(1) = 3, dim() = 2, numel() = 6",
    keras = "x.shape[1], x.ndim, np.size(x)",
    example = "x = tensor.ones(2, 3)\nx:size(1)\nx:size(-1)\nx:numel()",
  },
  {
    name = "tensor.clone", aliases = { "tensor.detach" }, section = S,
    signature = "x:clone(), x:detach()",
    computes = "A copy of the values that is not connected to the autograd graph (a new leaf "
      .. "with requires_grad false); changing it never changes x.",
    computes_zh = "复制一份数值，和自动微分的计算图断开（新的叶子张量，requires_grad 为 false）；"
      .. "改动副本不会影响 x。",
    shapes = "same shape as x",
    shapes_zh = "和 x 的形状相同",
    keras = "tf.stop_gradient(x) / x.detach().clone()",
    example = "w = tensor.ones(2, {requires_grad=true})\nc = (w * 2):detach()\nc.requires_grad",
  },
  {
    name = "tensor.backward", aliases = { "tensor.grad", "tensor.grad_fn", "tensor.is_leaf" },
    section = S,
    signature = "y:backward([grad]); x.grad; x.grad_fn; x.is_leaf",
    computes = "Reverse-mode autograd: adds d y / d x into x.grad for every leaf x that requires grad "
      .. "(gradients add up: zero them with x:zero_grad()). grad is the gradient of y itself "
      .. "(default 1, which needs y to hold one element). x.grad_fn names the op that made x (nil for a "
      .. "leaf); x.is_leaf is true for a tensor not made by an op. x.grad = nil drops the gradient.",
    computes_zh = "反向模式的自动微分：对每个需要梯度的叶子张量 x，把 d y / d x 加到 x.grad 上"
      .. "（梯度会累加，需要时用 x:zero_grad() 清零）。参数 grad 是 y 自己的梯度，"
      .. "默认为 1，这时 y 必须只有一个元素。x.grad_fn 是算出 x 的运算名（叶子张量为 nil）；"
      .. "不是由运算得到的张量，x.is_leaf 为 true。x.grad = nil 丢掉梯度。",
    shapes = "y must hold one element (a loss) unless grad is given; x.grad has x's shape",
    shapes_zh = "不给 grad 时 y 必须只有一个元素（比如损失）；x.grad 和 x 的形状相同",
    keras = "tf.GradientTape().gradient(y, x) / y.backward()",
    example = "w = tensor.ones(3)\nw.requires_grad = true\n(w * w):sum():backward()\nw.grad\n(w * w).grad_fn",
  },
  {
    name = "tensor.set_requires_grad", aliases = { "tensor.requires_grad" }, section = S,
    signature = "x.requires_grad = true  |  x:set_requires_grad([on=true])",
    computes = "Marks a leaf tensor so that backward fills its .grad (only a leaf: a tensor made "
      .. "by an op gets requires_grad from its inputs). Returns x.",
    computes_zh = "标记一个叶子张量，让 backward 填写它的 .grad。只能标记叶子张量："
      .. "由运算得到的张量，是否需要梯度由它的输入决定。返回 x。",
    shapes = "any shape",
    shapes_zh = "任何形状",
    keras = "tf.Variable(x, trainable=True) / x.requires_grad_()",
    example = "x = tensor.zeros(2):set_requires_grad()\nx.requires_grad",
  },
  {
    name = "tensor.zero_grad", section = S,
    signature = "x:zero_grad()",
    computes = "Sets x.grad to zeros (gradients add up over backward calls; fit does this for every "
      .. "weight before each step). Returns x.",
    computes_zh = "把 x.grad 置为 0。多次 backward 的梯度会累加，所以每一步之前要清零；"
      .. "fit 在每一步之前都会对每个权重这样做。返回 x。",
    shapes = "x.grad keeps x's shape",
    shapes_zh = "x.grad 仍和 x 的形状相同",
    keras = "x.grad.zero_()",
    example = "w = tensor.ones(2, {requires_grad=true})\n(w * 3):sum():backward()\nw.grad\nw:zero_grad()\nw.grad",
  },
  {
    name = "tensor.no_grad", aliases = { "tensor.enable_grad", "tensor.is_grad_enabled" },
    section = S,
    signature = "tensor.no_grad(f, ...), tensor.enable_grad(f, ...), tensor.is_grad_enabled()",
    computes = "no_grad runs f(...) without recording the autograd graph (faster, no .grad) and returns "
      .. "what f returns; enable_grad runs it with recording on; is_grad_enabled tells which mode is on.",
    computes_zh = "no_grad 运行 f(...) 时不记录自动微分的计算图（更快，也不会有 .grad），"
      .. "返回 f 的返回值；enable_grad 打开记录再运行 f；is_grad_enabled 告诉你现在是哪种模式。",
    shapes = "whatever f returns",
    shapes_zh = "f 返回什么就是什么",
    keras = "torch.no_grad() / torch.enable_grad()",
    example = "tensor.is_grad_enabled()\ntensor.no_grad(tensor.is_grad_enabled)\ntensor.no_grad(function() return tensor.ones(2) * 2 end)",
  },
  {
    name = "tensor.gradcheck", section = S,
    signature = "tensor.gradcheck(f, {inputs} [, {eps=, tol=}]) -> passed, worst_error",
    computes = "Gradient check: compares the gradient backward computes for f(inputs...) "
      .. "(one element) with central finite differences, for every input that requires grad.",
    computes_zh = "梯度检验：对每个需要梯度的输入，把 backward 给出的 f(inputs...)（只有一个元素）"
      .. "的梯度，和中心差分算出的数值梯度比较。",
    options = {
      { "eps", "5e-3", "the finite-difference step", "差分的步长" },
      { "tol", "1e-3", "passed when the worst relative error is below tol", "最大相对误差小于 tol 时算通过" },
    },
    shapes = "f must return a tensor of one element",
    shapes_zh = "f 必须返回只有一个元素的张量",
    keras = "torch.autograd.gradcheck",
    example = "a = tensor.randn(3, {requires_grad=true})\ntensor.gradcheck(function(x) return (x * x):sum() end, {a})",
  },
  {
    name = "tensor.save", aliases = { "tensor.load" }, section = S,
    needs = "m from the tensor.from example", needs_zh = "tensor.from 示例中的 m",
    signature = "tensor.save(x, path), tensor.load(path) -> x",
    computes = "One tensor in a file, the format chosen by the extension: .npy (NumPy's np.save / "
      .. "np.load) or .safetensors (one tensor named \"tensor\"). Errors are raised.",
    computes_zh = "把一个张量存进文件或从文件读出，格式由扩展名决定：.npy（NumPy 的 np.save / np.load）"
      .. "或 .safetensors（其中一个名叫 \"tensor\" 的张量）。出错时直接报错。",
    shapes = "load returns the shape that was saved",
    shapes_zh = "load 得到的形状就是保存时的形状",
    keras = "np.save('x.npy', x) / np.load('x.npy')",
    example = "tensor.save(m, \"m.npy\")\ntensor.load(\"m.npy\")",
  },
  {
    name = "tensor.set_printoptions", aliases = { "tensor.get_printoptions" }, section = S,
    signature = "tensor.set_printoptions{precision=, linewidth=, threshold=, edgeitems=, suppress=}; "
      .. "tensor.get_printoptions() -> options",
    computes = "How tensors print, as NumPy's np.set_printoptions: a tensor prints as NumPy prints a "
      .. "float32 array (floatmode \"maxprec_equal\": the digits the values need, at most precision, "
      .. "the same number for all). Scientific notation when the largest magnitude is >= 1e8, or the "
      .. "smallest non-zero one < 1e-4, or their ratio > 1000; rows wrap to linewidth; a tensor of "
      .. "more than threshold elements shows edgeitems entries at each end of every long axis around "
      .. "\"...\". Options not given stay as they are; get_printoptions returns them all.",
    computes_zh = "设置张量的打印方式，与 NumPy 的 np.set_printoptions 相同：张量打印出来就像 NumPy 打印 float32 数组"
      .. "（floatmode \"maxprec_equal\"：数值需要几位小数就印几位，最多 precision 位，所有数位数相同）。"
      .. "最大的绝对值 >= 1e8、最小的非零绝对值 < 1e-4，或者两者之比 > 1000 时用科学计数法；"
      .. "每行按 linewidth 换行；元素多于 threshold 个的张量，每个较长的轴只显示两端各 edgeitems 个，"
      .. "中间用 \"...\" 代替。没给出的选项保持不变；get_printoptions 返回全部选项。",
    options = {
      { "precision", "4", "digits after the point, at most (0 to 30)", "小数点后最多几位（0 到 30）" },
      { "linewidth", "\"auto\"", "characters per line; \"auto\" is the terminal's width at the prompt (COLUMNS), else 80",
        "每行的字符数；\"auto\" 在提示符下是终端的宽度（COLUMNS），否则是 80" },
      { "threshold", "1000", "more elements than this are summarised with ... (math.huge: never)",
        "元素多于这个数时用 ... 省略中间部分（math.huge 表示从不省略）" },
      { "edgeitems", "3", "entries shown at each end of a summarised axis", "省略时每个轴两端各显示几个" },
      { "suppress", "false", "true: no scientific notation for small values (rounded to precision digits, they may print as 0)",
        "true：很小的数不用科学计数法（按 precision 位小数舍入，可能印成 0）" },
    },
    shapes = "no tensors",
    shapes_zh = "不涉及张量",
    keras = "np.set_printoptions(precision=4, linewidth=80) / np.get_printoptions()",
    example = "tensor.set_printoptions{precision = 2}\ntensor.from{1 / 3, 2 / 3}\n"
      .. "tensor.set_printoptions{precision = 4}\ntensor.get_printoptions().threshold",
  },
  {
    name = "tensor.memory", aliases = { "tensor.set_memory_limit" }, section = S,
    signature = "tensor.memory() -> bytes_in_use, limit; tensor.set_memory_limit(bytes)",
    computes = "The bytes the tensors use now and the limit; an allocation beyond the limit is a "
      .. "clear error, never a crash. set_memory_limit changes the limit.",
    computes_zh = "返回张量现在占用的字节数和上限；超过上限的分配会给出清楚的错误，而不会崩溃。"
      .. "set_memory_limit 修改上限。",
    shapes = "numbers of bytes",
    shapes_zh = "字节数",
    keras = "tf.config.experimental.get_memory_info",
    example = "used, limit = tensor.memory()\nlimit > used",
  },
}
