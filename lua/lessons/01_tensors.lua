-- Lesson 1: tensors, shapes and axes, with Keras's and NumPy's numbers.
-- Run it as a script (attnlab lua/lessons/01_tensors.lua) or step by step
-- at the prompt (:lesson 1).
local lesson = require "attnlab.lesson"

return lesson.define {
  title = "Tensors, shapes and axes",
  title_zh = "张量、形状和轴",
  intro = "Every model in this course is a chain of operations on tensors, and most\n"
    .. "mistakes are shape mistakes. Here you meet the shapes and axis numbers\n"
    .. "attnlab uses: the same numbers as Keras, TensorFlow and NumPy (0-based,\n"
    .. "negative from the end).",
  intro_zh = "本课程里的每个模型都是对张量的一串运算，而大多数错误都是形状错误。\n"
    .. "这一课介绍 attnlab 的形状和轴编号：与 Keras、TensorFlow 和 NumPy 完全一样\n"
    .. "（从 0 开始数，负数从末尾倒着数）。",
  steps = {
    {
      text = "A tensor is a block of numbers with a shape. tensor.from turns nested Lua\n"
        .. "tables into a tensor, as np.array does with nested lists; zeros, ones and\n"
        .. "arange make common ones, randn draws random ones (nn.seed makes them\n"
        .. "repeatable). nn.clear_session() makes layer names start again from dense,\n"
        .. "as Keras's does; every lesson that builds layers starts with it.",
      text_zh = "张量就是带形状的一块数字。tensor.from 把嵌套的 Lua 表变成张量，\n"
        .. "就像 np.array 处理嵌套列表；zeros、ones、arange 生成常用的张量，\n"
        .. "randn 生成随机数（nn.seed 让随机数可以复现）。nn.clear_session() 让层名\n"
        .. "重新从 dense 开始编号，和 Keras 一样；每一课用到层时都先调用它。",
      code = [[
nn.clear_session()
nn.seed(1)
a = tensor.from{{1, 2, 3}, {4, 5, 6}}
a
tensor.zeros(2, 3)
tensor.arange(6)
r = tensor.randn(2, 3)
r]],
      notice = "Every tensor prints its shape first: a is (2, 3), two rows of three numbers;\n"
        .. "tensor.arange(6) is (6,), the numbers 0 to 5.",
      notice_zh = "每个张量都先打印形状：a 是 (2, 3)，两行，每行三个数；\n"
        .. "tensor.arange(6) 是 (6,)，即 0 到 5。",
      check = function()
        lesson.shape(a, "(2, 3)")
        lesson.close(a, { 1, 2, 3, 4, 5, 6 }, 0)
        lesson.shape(tensor.zeros(2, 3), "(2, 3)")
        lesson.shape(tensor.arange(6), "(6,)")
        lesson.close(tensor.arange(6), { 0, 1, 2, 3, 4, 5 }, 0)
        lesson.shape(r, "(2, 3)")
      end,
    },
    {
      text = "reshape puts the same numbers into another shape. tensor.arange(24) counts\n"
        .. "0 to 23; reshape(2, 3, 4) makes 2 blocks of 3 rows of 4. x:size(axis) takes\n"
        .. "an axis number; x.shape is a Lua table, and Lua tables count from 1.",
      text_zh = "reshape 把同样的数字放进另一个形状。tensor.arange(24) 是 0 到 23；\n"
        .. "reshape(2, 3, 4) 把它们排成 2 块，每块 3 行，每行 4 个数。x:size(axis)\n"
        .. "接受轴编号；x.shape 是一个 Lua 表，而 Lua 表从 1 开始数。",
      code = [=[
x = tensor.arange(24):reshape(2, 3, 4)
x
x.shape
x:size(0)
x:size(-1)
x.shape[1]]=],
      notice = "(2, 3, 4): axis 0 has 2, axis 1 has 3, axis 2 (also called -1) has 4, so\n"
        .. "x:size(0) is 2 and x:size(-1) is 4. x.shape[1] is 2 as well: it is the first\n"
        .. "entry of a Lua table, i.e. axis 0. Think in axis numbers and use\n"
        .. "x:size(axis).",
      notice_zh = "(2, 3, 4)：第 0 轴长 2，第 1 轴长 3，第 2 轴（也叫 -1）长 4，\n"
        .. "所以 x:size(0) 是 2，x:size(-1) 是 4。x.shape[1] 也是 2：它是 Lua 表的\n"
        .. "第一项，也就是第 0 轴。请按轴编号思考，用 x:size(axis)。",
      check = function()
        lesson.shape(x, "(2, 3, 4)")
        lesson.expect(x:size(0) == 2 and x:size(1) == 3 and x:size(2) == 4, "x:size(0..2) should be 2, 3, 4")
        lesson.expect(x:size(-1) == 4, "x:size(-1) should be 4")
        lesson.expect(x.shape[1] == 2 and x.shape[1] == x:size(0), "x.shape[1] should be x:size(0) = 2")
        lesson.close(x, lesson.values(tensor.arange(24)), 0)
      end,
    },
    {
      text = "Indices are NumPy's, from 0: x[0] is the first block, x[1][2] a row of the\n"
        .. "second block, and x:get(i, j, k) is one number, NumPy's x[i, j, k].\n"
        .. "Negative indices count from the end, as in NumPy.",
      text_zh = "下标与 NumPy 一样从 0 开始：x[0] 是第一块，x[1][2] 是第二块的一行，\n"
        .. "x:get(i, j, k) 是一个数，即 NumPy 的 x[i, j, k]。负下标从末尾倒着数，\n"
        .. "也和 NumPy 一样。",
      code = [[
x[0]
x[1][2]
x:get(1, 2, 3)
x:get(-1, 0, 0)]],
      notice = "x[0] is (3, 4), the numbers 0 to 11; x[1][2] is [20, 21, 22, 23];\n"
        .. "x:get(1, 2, 3) is 23, the last number; x:get(-1, 0, 0) is 12, the first\n"
        .. "number of the last block.",
      notice_zh = "x[0] 的形状是 (3, 4)，是 0 到 11；x[1][2] 是 [20, 21, 22, 23]；\n"
        .. "x:get(1, 2, 3) 是 23，即最后一个数；x:get(-1, 0, 0) 是 12，即最后一块的\n"
        .. "第一个数。",
      check = function()
        lesson.shape(x[0], "(3, 4)")
        lesson.close(x[0], { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, 0)
        lesson.close(x[1][2], { 20, 21, 22, 23 }, 0)
        lesson.expect(x:get(1, 2, 3) == 23, "x:get(1, 2, 3) should be 23")
        lesson.expect(x:get(-1, 0, 0) == 12, "x:get(-1, 0, 0) should be 12")
      end,
    },
    {
      text = "reshape never moves a number: it reads them in order, the last axis\n"
        .. "fastest (NumPy's row-major order), and refills the new shape. -1 in reshape\n"
        .. "means \"whatever is left\".",
      text_zh = "reshape 从不移动数字：它按顺序读出所有数字（最后一个轴变得最快，\n"
        .. "即 NumPy 的行优先顺序），再填进新形状。reshape 里的 -1 表示\n"
        .. "“剩下多少就是多少”。",
      code = [[
x:reshape(6, 4)
x:reshape(4, -1).shape
x:reshape(-1).shape]],
      notice = "(6, 4): x:reshape(6, 4)[3] is [12, 13, 14, 15], the first row of the\n"
        .. "second block. (4, -1) becomes (4, 6) and (-1) becomes (24,): 24 numbers in\n"
        .. "every case.",
      notice_zh = "(6, 4)：x:reshape(6, 4)[3] 是 [12, 13, 14, 15]，也就是原来第二块的\n"
        .. "第一行。(4, -1) 变成 (4, 6)，(-1) 变成 (24,)：总是 24 个数。",
      check = function()
        lesson.shape(x:reshape(6, 4), "(6, 4)")
        lesson.close(x:reshape(6, 4)[3], { 12, 13, 14, 15 }, 0)
        lesson.close(x:reshape(6, 4)[3], x[1][0], 0)
        lesson.shape(x:reshape(4, -1), "(4, 6)")
        lesson.shape(x:reshape(-1), "(24,)")
        lesson.close(x:reshape(-1), lesson.values(x), 0)
      end,
    },
    {
      text = "transpose does move numbers. tensor.transpose(x, {0, 2, 1}) is\n"
        .. "tf.transpose(x, [0, 2, 1]): new axis i is old axis perm[i]. {0, 2, 1} keeps\n"
        .. "axis 0 and swaps the last two, the move that turns (batch, time, features)\n"
        .. "into (batch, features, time) in the attention lessons.",
      text_zh = "transpose 会移动数字。tensor.transpose(x, {0, 2, 1}) 就是\n"
        .. "tf.transpose(x, [0, 2, 1])：新的第 i 轴是原来的第 perm[i] 轴。{0, 2, 1}\n"
        .. "保留第 0 轴，交换最后两个轴；后面的注意力课程用它把\n"
        .. "(批量, 时间步, 特征) 变成 (批量, 特征, 时间步)。",
      code = [[
xt = tensor.transpose(x, {0, 2, 1})
xt.shape
xt:get(1, 3, 0)
x:get(1, 0, 3)
x:transpose{0, 2, 1}.shape]],
      notice = "(2, 4, 3). xt:get(1, 3, 0) and x:get(1, 0, 3) are both 15: the last two\n"
        .. "indices trade places. x:transpose{...} is the same op written as a method.",
      notice_zh = "(2, 4, 3)。xt:get(1, 3, 0) 和 x:get(1, 0, 3) 都是 15：最后两个下标\n"
        .. "互换了位置。x:transpose{...} 是同一个运算的方法写法。",
      check = function()
        lesson.shape(xt, "(2, 4, 3)")
        lesson.expect(xt:get(1, 3, 0) == 15 and x:get(1, 0, 3) == 15, "both should be 15")
        for i = 0, 1 do
          for j = 0, 2 do
            for k = 0, 3 do
              lesson.expect(xt:get(i, k, j) == x:get(i, j, k), "xt[i, k, j] should be x[i, j, k]")
            end
          end
        end
        lesson.close(x:transpose { 0, 2, 1 }, xt, 0)
      end,
    },
    {
      text = "sum and mean over an axis: that axis disappears. tensor.sum(x, -1) is\n"
        .. "tf.reduce_sum(x, axis=-1); tensor.mean(x, 1) is reduce_mean(x, axis=1).",
      text_zh = "沿某个轴求和（sum）或求平均（mean）：这个轴就消失了。tensor.sum(x, -1)\n"
        .. "就是 tf.reduce_sum(x, axis=-1)；tensor.mean(x, 1) 就是\n"
        .. "reduce_mean(x, axis=1)。",
      code = [[
tensor.sum(x, -1)
tensor.sum(x, 0)
tensor.mean(x, 1)]],
      notice = "Over -1, (2, 3, 4) becomes (2, 3); its first number is 0 + 1 + 2 + 3 = 6.\n"
        .. "Over 0 it becomes (3, 4): the two blocks added, 0 + 12 = 12 first. The mean\n"
        .. "over axis 1 is (2, 4): (0 + 4 + 8) / 3 = 4 first.",
      notice_zh = "沿 -1 轴，(2, 3, 4) 变成 (2, 3)；第一个数是 0 + 1 + 2 + 3 = 6。\n"
        .. "沿第 0 轴变成 (3, 4)：两块相加，第一个数是 0 + 12 = 12。沿第 1 轴求平均\n"
        .. "得到 (2, 4)：第一个数是 (0 + 4 + 8) / 3 = 4。",
      check = function()
        lesson.shape(tensor.sum(x, -1), "(2, 3)")
        lesson.close(tensor.sum(x, -1), { 6, 22, 38, 54, 70, 86 }, 0)
        lesson.shape(tensor.sum(x, 0), "(3, 4)")
        lesson.close(tensor.sum(x, 0), x[0] + x[1], 0)
        lesson.expect(tensor.sum(x, 0):get(0, 0) == 12, "the first sum over axis 0 should be 12")
        lesson.shape(tensor.mean(x, 1), "(2, 4)")
        lesson.close(tensor.mean(x, 1), { 4, 5, 6, 7, 16, 17, 18, 19 }, 1e-6)
      end,
    },
    {
      text = "keepdims=true keeps the summed axis with size 1, so the result still lines\n"
        .. "up with x. Dividing every row by its own sum then needs no reshape: each\n"
        .. "row of x / s sums to 1, which is what softmax does in lesson 2.",
      text_zh = "keepdims=true 把求和的轴保留下来，长度为 1，结果仍与 x 对齐。\n"
        .. "于是不用 reshape 就能把每一行除以它自己的和：x / s 的每一行之和都是 1，\n"
        .. "第 2 课的 softmax 正是这样做的。",
      code = [[
s = tensor.sum(x, -1, true)
s.shape
p = x / s
tensor.sum(p, -1)]],
      notice = "s is (2, 3, 1) instead of (2, 3); p is (2, 3, 4) and every one of its 6 rows\n"
        .. "sums to 1.",
      notice_zh = "s 的形状是 (2, 3, 1)，而不是 (2, 3)；p 是 (2, 3, 4)，它的 6 行\n"
        .. "每一行之和都是 1。",
      check = function()
        lesson.shape(s, "(2, 3, 1)")
        lesson.close(s, { 6, 22, 38, 54, 70, 86 }, 0)
        lesson.shape(p, "(2, 3, 4)")
        lesson.close(tensor.sum(p, -1), tensor.ones(2, 3), 1e-6)
      end,
    },
    {
      text = "Broadcasting follows NumPy: shapes are lined up from the last axis, and an\n"
        .. "axis of size 1 (or a missing one) is stretched to match. That is how a bias\n"
        .. "of shape (4,) is added to every row, and why keepdims mattered above.",
      text_zh = "广播规则与 NumPy 相同：形状从最后一个轴开始对齐，长度为 1 的轴\n"
        .. "（或者缺少的轴）会被拉伸到相同长度。形状为 (4,) 的偏置就是这样加到\n"
        .. "每一行上的，这也是上一步需要 keepdims 的原因。",
      code = [[
x + tensor.from{100, 200, 300, 400}
ok, err = pcall(function() return x / tensor.sum(x, -1) end)
err]],
      notice = "(2, 3, 4): the first row is [100, 201, 302, 403]. Without keepdims, (2, 3)\n"
        .. "lines up against (3, 4) and 3 is not 4, so the error says the shapes\n"
        .. "(2, 3, 4) and (2, 3) cannot be broadcast together.",
      notice_zh = "(2, 3, 4)：第一行是 [100, 201, 302, 403]。没有 keepdims 时，(2, 3)\n"
        .. "要和 (3, 4) 对齐，3 不等于 4，所以报错说形状 (2, 3, 4) 和 (2, 3)\n"
        .. "不能广播（cannot be broadcast together）。",
      check = function()
        local b = x + tensor.from { 100, 200, 300, 400 }
        lesson.shape(b, "(2, 3, 4)")
        lesson.close(b[0][0], { 100, 201, 302, 403 }, 0)
        lesson.expect(ok == false, "dividing (2, 3, 4) by (2, 3) should fail")
        lesson.expect(tostring(err):find("shapes (2, 3, 4) and (2, 3) cannot be broadcast together", 1, true),
                      "unexpected error: " .. tostring(err))
      end,
    },
    {
      text = "nn.Input{64, 32} is keras.Input(shape=(64, 32)): a symbolic tensor, a shape\n"
        .. "without numbers. None is the batch axis, unknown until data comes; the axis\n"
        .. "numbers count it, so axis 1 is the 64 time steps. Ops and layers on it only\n"
        .. "work out shapes.",
      text_zh = "nn.Input{64, 32} 就是 keras.Input(shape=(64, 32))：一个符号张量，只有形状，\n"
        .. "没有数字。None 是批量轴，数据来之前不知道它有多长；轴编号把它算在内，\n"
        .. "所以第 1 轴是 64 个时间步。对它调用运算和层只会推算形状。",
      code = [[
inp = nn.Input{64, 32}
inp
tensor.transpose(inp, {0, 2, 1})
tensor.sum(inp, 1)
tensor.sum(inp, -1, true)
dense_out = nn.Dense(16)(inp)
dense_out]],
      notice = "inp has the shape Keras gives it, (None, 64, 32); only the shape matches\n"
        .. "(Keras 3 prints <KerasTensor shape=(None, 64, 32), ...>). transpose\n"
        .. "{0, 2, 1} gives (None, 32, 64); summing over axis 1 (time) gives\n"
        .. "(None, 32); over -1 with keepdims, (None, 64, 1); Dense(16) changes only\n"
        .. "the last axis: (None, 64, 16).",
      notice_zh = "inp 的形状和 Keras 里的一样，是 (None, 64, 32)；相同的只是形状\n"
        .. "（Keras 3 打印的是 <KerasTensor shape=(None, 64, 32), ...>）。\n"
        .. "transpose {0, 2, 1} 得到 (None, 32, 64)；沿第 1 轴（时间步）求和得到\n"
        .. "(None, 32)；沿 -1 轴并保留维度得到 (None, 64, 1)；Dense(16) 只改变\n"
        .. "最后一个轴：(None, 64, 16)。",
      check = function()
        lesson.shape(inp, "(None, 64, 32)")
        lesson.expect(tostring(inp) == "<Input shape=(None, 64, 32)>", "inp prints " .. tostring(inp))
        lesson.shape(tensor.transpose(inp, { 0, 2, 1 }), "(None, 32, 64)")
        lesson.shape(tensor.sum(inp, 1), "(None, 32)")
        lesson.shape(tensor.sum(inp, -1, true), "(None, 64, 1)")
        lesson.shape(dense_out, "(None, 64, 16)")
      end,
    },
  },
}
