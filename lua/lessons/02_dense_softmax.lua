-- Lesson 2: Dense and softmax, by hand and as layers, with the same
-- numbers. Run it as a script (attnlab lua/lessons/02_dense_softmax.lua)
-- or step by step at the prompt (:lesson 2).
local lesson = require "attnlab.lesson"

local FLOAT32_MAX = 3.4028234663852886e38

return lesson.define {
  title = "Dense and softmax, by hand and as layers",
  title_zh = "手算全连接层和 softmax，再与层对照",
  intro = "A Dense layer is one matrix product plus a bias; softmax turns any numbers\n"
    .. "into weights that sum to 1. Together they make the scores and the weights of\n"
    .. "every attention layer in this course. You compute both by hand, then check\n"
    .. "that the layers give the same numbers.",
  intro_zh = "全连接层（Dense）就是一次矩阵乘法加上偏置；softmax 把任意一组数变成\n"
    .. "和为 1 的权重。本课程里每个注意力层的注意力分数和注意力权重都由它们算出。\n"
    .. "这一课先手算，再验证层给出的数值完全相同。",
  steps = {
    {
      text = "A Dense layer makes its weights at its first call, when it sees the size of\n"
        .. "the last axis. get_weights() returns them in Keras's layout and order:\n"
        .. "kernel, then bias.",
      text_zh = "全连接层在第一次调用时才创建权重，因为这时它才知道最后一个轴的长度。\n"
        .. "get_weights() 按 Keras 的布局和顺序返回它们：先 kernel，后 bias。",
      code = [[
nn.clear_session()
nn.seed(2)
x = tensor.randn(2, 4)
dense = nn.Dense(3)
y = dense(x)
dense
kernel, bias = table.unpack(dense:get_weights())
kernel.shape
bias]],
      notice = "y is (2, 3): 2 samples, 3 units. kernel is (4, 3), i.e. (in, units), and\n"
        .. "bias is (3,), all zeros, as Keras starts it: 4 * 3 + 3 = 15 params.",
      notice_zh = "y 的形状是 (2, 3)：2 个样本，3 个单元。kernel 是 (4, 3)，即 (输入, 单元数)；\n"
        .. "bias 是 (3,)，全是 0，和 Keras 的初始值一样：参数量 4 * 3 + 3 = 15。",
      check = function()
        lesson.shape(y, "(2, 3)")
        lesson.shape(kernel, "(4, 3)")
        lesson.shape(bias, "(3,)")
        lesson.close(bias, { 0, 0, 0 }, 0)
        lesson.expect(dense:count_params() == 4 * 3 + 3, "dense should have 15 params")
      end,
    },
    {
      text = "Dense computes x W + b. Give the bias some values with set_weights so it\n"
        .. "shows, then compute x:matmul(kernel) + bias by hand. maxdiff(a, b), the\n"
        .. "largest |a - b|, is how this course compares two ways of computing a thing.",
      text_zh = "全连接层计算 x W + b。先用 set_weights 给偏置一些非零的值，让它起作用，\n"
        .. "再手算 x:matmul(kernel) + bias。maxdiff(a, b) 是最大的 |a - b|，\n"
        .. "本课程一直用它比较同一个量的两种算法。",
      code = [[
dense:set_weights{kernel, tensor.from{0.5, -1, 2}}
bias = dense:get_weights()[2]
y = dense(x)
by_hand = x:matmul(kernel) + bias
y
by_hand
function maxdiff(a, b) return tensor.max(tensor.abs(a - b)):item() end
maxdiff(y, by_hand)]],
      notice = "(2, 4) times (4, 3) is (2, 3); the bias (3,) is broadcast over the 2 rows.\n"
        .. "y and by_hand are the same numbers: maxdiff is below 1e-6, float32 rounding.",
      notice_zh = "(2, 4) 乘 (4, 3) 得到 (2, 3)；形状为 (3,) 的偏置广播到 2 行上。\n"
        .. "y 和 by_hand 的数值相同：maxdiff 小于 1e-6，只是 float32 的舍入误差。",
      check = function()
        lesson.close(bias, { 0.5, -1, 2 }, 0)
        lesson.shape(by_hand, "(2, 3)")
        lesson.close(y, by_hand, 1e-6)
        lesson.expect(maxdiff(y, by_hand) <= 1e-6, "maxdiff(y, by_hand) should be below 1e-6")
        -- the bias really is in y: without it the numbers differ
        lesson.close(y - x:matmul(kernel), { 0.5, -1, 2, 0.5, -1, 2 }, 1e-6)
      end,
    },
    {
      text = "On a sequence of shape (batch, time, features), Dense works on the last axis\n"
        .. "only, with the same kernel at every time step.",
      text_zh = "对形状为 (批量, 时间步, 特征) 的序列，全连接层只作用于最后一个轴，\n"
        .. "每个时间步用的是同一个 kernel。",
      code = [[
seq = tensor.randn(2, 5, 4)
dense(seq).shape
maxdiff(dense(seq)[1], dense(seq[1]))
maxdiff(dense(seq), seq:matmul(kernel) + bias)]],
      notice = "(2, 5, 3): only the last axis changed, 4 to 3. dense(seq)[1] equals\n"
        .. "dense(seq[1]), and the whole output equals seq:matmul(kernel) + bias: both\n"
        .. "maxdiffs are below 1e-6.",
      notice_zh = "(2, 5, 3)：只有最后一个轴变了，从 4 变成 3。dense(seq)[1] 等于\n"
        .. "dense(seq[1])，整个输出也等于 seq:matmul(kernel) + bias：两个 maxdiff\n"
        .. "都小于 1e-6。",
      check = function()
        lesson.shape(dense(seq), "(2, 5, 3)")
        lesson.close(dense(seq)[1], dense(seq[1]), 1e-6)
        lesson.close(dense(seq), seq:matmul(kernel) + bias, 1e-6)
      end,
    },
    {
      text = "Softmax by hand: exp makes every score positive, and dividing by the row's\n"
        .. "sum (keepdims, lesson 1) makes every row sum to 1. Treat the Dense outputs\n"
        .. "as scores.",
      text_zh = "手算 softmax：exp 让每个注意力分数都变成正数，再除以这一行的和\n"
        .. "（keepdims，见第 1 课），每一行之和就是 1。这里把全连接层的输出当作\n"
        .. "注意力分数。",
      code = [[
scores = by_hand
e = tensor.exp(scores)
probs = e / tensor.sum(e, -1, true)
probs
tensor.sum(probs, -1)]],
      notice = "probs is (2, 3), every number between 0 and 1, and each row sums to 1:\n"
        .. "tensor.sum(probs, -1) is [1, 1]. The largest score of a row gets the\n"
        .. "largest weight.",
      notice_zh = "probs 的形状是 (2, 3)，每个数都在 0 和 1 之间，每一行之和都是 1：\n"
        .. "tensor.sum(probs, -1) 是 [1, 1]。一行里分数最大的位置得到最大的权重。",
      check = function()
        lesson.shape(probs, "(2, 3)")
        lesson.expect(lesson.all(probs, function(v) return v > 0 and v < 1 end), "every weight should be in (0, 1)")
        lesson.close(tensor.sum(probs, -1), { 1, 1 }, 1e-6)
        lesson.close(tensor.argmax(probs, -1), tensor.argmax(scores, -1), 0)
      end,
    },
    {
      text = "tensor.softmax does the same; its axis defaults to -1, as keras.ops.softmax's\n"
        .. "does.",
      text_zh = "tensor.softmax 做的是同一件事；它的 axis 默认是 -1，与 keras.ops.softmax\n"
        .. "相同。",
      code = [[
tensor.softmax(scores)
maxdiff(tensor.softmax(scores), probs)]],
      notice = "The same numbers as probs: maxdiff below 1e-6.",
      notice_zh = "与 probs 的数值相同：maxdiff 小于 1e-6。",
      check = function()
        lesson.close(tensor.softmax(scores), probs, 1e-6)
        lesson.close(tensor.softmax(scores), tensor.softmax(scores, -1), 0)
      end,
    },
    {
      text = "As a layer: nn.Dense(3, {activation = \"softmax\"}) is softmax(x W + b),\n"
        .. "a form Keras attention recipes use to turn scores into attention weights.\n"
        .. "Give it the weights of dense. A new layer has no weights until its first\n"
        .. "call (step 1), so dense_sm(x); builds it first (the ; hides that output).",
      text_zh = "作为层：nn.Dense(3, {activation = \"softmax\"}) 计算 softmax(x W + b)，\n"
        .. "Keras 的注意力示例常用这种层把注意力分数变成注意力权重。把 dense 的\n"
        .. "权重交给它。新建的层在第一次调用之前没有权重（见第 1 步），所以先用\n"
        .. "dense_sm(x); 调用一次来创建权重（行尾的 ; 不打印这次的输出）。",
      code = [[
dense_sm = nn.Dense(3, {activation = "softmax"})
dense_sm(x);
dense_sm:set_weights(dense:get_weights())
out = dense_sm(x)
out
maxdiff(out, probs)]],
      notice = "out equals probs (maxdiff below 1e-6): the layer and the hand computation\n"
        .. "are the same thing.",
      notice_zh = "out 等于 probs（maxdiff 小于 1e-6）：层和手算是同一件事。",
      check = function()
        lesson.shape(out, "(2, 3)")
        lesson.close(out, probs, 1e-6)
        lesson.close(tensor.sum(out, -1), { 1, 1 }, 1e-6)
      end,
    },
    {
      text = "exp(s + c) = exp(s) * exp(c), and exp(c) cancels in the division: adding the\n"
        .. "same number to every score of a row does not change softmax. Only the\n"
        .. "differences between scores matter.",
      text_zh = "exp(s + c) = exp(s) * exp(c)，exp(c) 在除法中被约掉：给一行的每个分数\n"
        .. "加上同一个数，softmax 不变。起作用的只是分数之间的差。",
      code = [[
maxdiff(tensor.softmax(scores + 10), probs)
maxdiff(tensor.softmax(scores - tensor.max(scores, -1, true)), probs)]],
      notice = "Both are below 1e-6. The second subtracts each row's own maximum (a\n"
        .. "different constant per row, shape (2, 1)): the trick that keeps exp from\n"
        .. "overflowing.",
      notice_zh = "两个都小于 1e-6。第二个减去每一行自己的最大值（每行一个不同的常数，\n"
        .. "形状是 (2, 1)）：这个技巧可以防止 exp 溢出。",
      check = function()
        lesson.close(tensor.softmax(scores + 10), probs, 1e-6)
        lesson.shape(tensor.max(scores, -1, true), "(2, 1)")
        lesson.close(tensor.softmax(scores - tensor.max(scores, -1, true)), probs, 1e-6)
        -- but a different number for each column does change it
        lesson.expect(lesson.maxdiff(tensor.softmax(scores + tensor.from { 0, 1, 2 }), probs) > 1e-3,
                      "adding different numbers should change softmax")
      end,
    },
    {
      text = "Why that matters: exp(100) is about 2.7e43, more than the largest float32\n"
        .. "(about 3.4e38). The softmax by hand then divides inf by inf; tensor.softmax\n"
        .. "subtracts the maximum first and is fine.",
      text_zh = "这为什么重要：exp(100) 约为 2.7e43，超过了 float32 能表示的最大值\n"
        .. "（约 3.4e38）。于是手算的 softmax 会变成 inf 除以 inf；tensor.softmax\n"
        .. "先减去最大值，所以没有问题。",
      code = [[
big = scores + 100
e_big = tensor.exp(big)
e_big
e_big / tensor.sum(e_big, -1, true)
maxdiff(tensor.softmax(big), probs)]],
      notice = "e_big is all inf, the division gives nan, and tensor.softmax(big) is probs\n"
        .. "again (maxdiff below 1e-6).",
      notice_zh = "e_big 全是 inf，除法得到 nan，而 tensor.softmax(big) 仍然等于 probs\n"
        .. "（maxdiff 小于 1e-6）。",
      check = function()
        lesson.expect(math.exp(100) > FLOAT32_MAX and math.abs(math.exp(100) / 2.7e43 - 1) < 0.01,
                      "exp(100) should be about 2.7e43, above the largest float32")
        lesson.expect(lesson.all(e_big, function(v) return v == math.huge end), "exp(big) should be inf everywhere")
        lesson.expect(lesson.all(e_big / tensor.sum(e_big, -1, true), function(v) return v ~= v end),
                      "inf / inf should be nan")
        lesson.close(tensor.softmax(big), probs, 1e-6)
      end,
    },
    {
      text = "The axis decides which numbers compete for the weight. With scores of shape\n"
        .. "(batch, time), attention takes softmax over the time axis; over axis 0 here,\n"
        .. "each column sums to 1 instead of each row.",
      text_zh = "axis 决定哪些数一起分配权重。对形状为 (批量, 时间步) 的注意力分数，\n"
        .. "注意力沿时间步轴做 softmax；这里沿第 0 轴做，和为 1 的就是每一列，\n"
        .. "而不是每一行。",
      code = [[
by_column = tensor.softmax(scores, 0)
by_column
tensor.sum(by_column, 0)
tensor.sum(by_column, 1)]],
      notice = "tensor.sum(by_column, 0) is [1, 1, 1], shape (3,); the row sums,\n"
        .. "tensor.sum(by_column, 1), are no longer 1.",
      notice_zh = "tensor.sum(by_column, 0) 是 [1, 1, 1]，形状是 (3,)；而每一行的和\n"
        .. "tensor.sum(by_column, 1) 不再是 1。",
      check = function()
        lesson.shape(tensor.sum(by_column, 0), "(3,)")
        lesson.close(tensor.sum(by_column, 0), { 1, 1, 1 }, 1e-6)
        lesson.expect(lesson.maxdiff(tensor.sum(by_column, 1), { 1, 1 }) > 1e-3,
                      "the row sums should not be 1")
      end,
    },
  },
}
