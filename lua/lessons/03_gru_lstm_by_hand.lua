-- Lesson 3: one GRU step and one LSTM step by hand, from the layers' own
-- weights (Keras's layout), checked against nn.GRU and nn.LSTM. Run it as
-- a script (attnlab lua/lessons/03_gru_lstm_by_hand.lua) or step by step
-- at the prompt (:lesson 3).
local lesson = require "attnlab.lesson"

local function in_01(v) return v > 0 and v < 1 end

-- w's columns start .. stop-1, read one number at a time with get
local function columns(w, start, stop)
  local out = {}
  if w:dim() == 1 then
    for j = start, stop - 1 do out[#out + 1] = w:get(j) end
    return out
  end
  for i = 0, w:size(0) - 1 do
    for j = start, stop - 1 do out[#out + 1] = w:get(i, j) end
  end
  return out
end

return lesson.define {
  title = "One GRU step and one LSTM step by hand",
  title_zh = "手算 GRU 和 LSTM 的一个时间步",
  intro = "A recurrent layer repeats one small computation at every time step. Here you\n"
    .. "do one step of a GRU and one of an LSTM by hand, with the weights the layers\n"
    .. "made, in Keras's layout, and check that nn.GRU and nn.LSTM give exactly the\n"
    .. "same numbers.",
  intro_zh = "循环层在每个时间步重复同一个小计算。这一课用层自己创建的权重\n"
    .. "（Keras 的布局）手算门控循环单元（GRU）和长短期记忆网络（LSTM）的一个\n"
    .. "时间步，并验证 nn.GRU 和 nn.LSTM 给出完全相同的数值。",
  steps = {
    {
      text = "A batch of 2 sequences with one time step of 3 features, and a random\n"
        .. "starting state h of 4 units (a zero state would hide the recurrent weights).\n"
        .. "initial_state = {h} hands it to the GRU, as in Keras.",
      text_zh = "一个批量：2 个序列，每个只有 1 个时间步、3 个特征；再加一个随机的\n"
        .. "初始隐状态 h，4 个单元（全零的隐状态会让循环权重不起作用）。\n"
        .. "和 Keras 一样，用 initial_state = {h} 把它交给 GRU。",
      code = [[
nn.clear_session()
nn.seed(3)
units = 4
x = tensor.randn(2, 1, 3)
h = tensor.randn(2, units)
gru = nn.GRU(units)
y = gru(x, {initial_state = {h}})
gru
function maxdiff(a, b) return tensor.max(tensor.abs(a - b)):item() end]],
      notice = "y is (2, 4): the new state h' after the one step (without return_sequences\n"
        .. "a GRU returns its last state). maxdiff is lesson 2's largest |a - b|.",
      notice_zh = "y 的形状是 (2, 4)：这一步之后的新隐状态 h'（没有 return_sequences 时，\n"
        .. "GRU 返回最后的隐状态）。maxdiff 就是第 2 课的最大 |a - b|。",
      check = function()
        lesson.shape(x, "(2, 1, 3)")
        lesson.shape(h, "(2, 4)")
        lesson.shape(y, "(2, 4)")
        lesson.expect(maxdiff(y, gru(x)) > 1e-3, "the starting state h should change the output")
      end,
    },
    {
      text = "get_weights() gives Keras's three arrays. The columns of kernel and\n"
        .. "recurrent_kernel hold the three gates side by side, z | r | h, units columns\n"
        .. "each. With reset_after=true (Keras's default) there are two bias rows.",
      text_zh = "get_weights() 给出 Keras 的三个数组。kernel 和 recurrent_kernel 的列\n"
        .. "依次放着三个门 z | r | h，每个门 units 列。reset_after=true（Keras 的默认值）\n"
        .. "时偏置有两行。",
      code = [[
kernel, recurrent_kernel, bias = table.unpack(gru:get_weights())
kernel.shape
recurrent_kernel.shape
bias
gru.reset_after]],
      notice = "kernel (3, 12) is (in, 3 * units); recurrent_kernel (4, 12) is\n"
        .. "(units, 3 * units); bias (2, 12): row 0 is added to x W, row 1 to h U.\n"
        .. "The biases start at zero, as in Keras.",
      notice_zh = "kernel (3, 12) 是 (输入, 3 * units)；recurrent_kernel (4, 12) 是\n"
        .. "(units, 3 * units)；bias (2, 12)：第 0 行加在 x W 上，第 1 行加在 h U 上。\n"
        .. "偏置的初始值是 0，和 Keras 一样。",
      check = function()
        lesson.shape(kernel, "(3, 12)")
        lesson.shape(recurrent_kernel, "(4, 12)")
        lesson.shape(bias, "(2, 12)")
        lesson.close(bias, tensor.zeros(2, 12), 0)
        lesson.expect(gru.reset_after == true, "reset_after should be true by default")
      end,
    },
    {
      text = "Zero biases would hide a mistake in the formulas below, so put random ones\n"
        .. "in with set_weights (Keras's order: kernel, recurrent_kernel, bias) and run\n"
        .. "the layer again.",
      text_zh = "全零的偏置会让下面公式里的错误看不出来，所以用 set_weights 放进随机的偏置\n"
        .. "（Keras 的顺序：kernel、recurrent_kernel、bias），再运行一次这个层。",
      code = [[
gru:set_weights{kernel, recurrent_kernel, tensor.randn(2, 3 * units)}
bias = gru:get_weights()[3]
bias.shape
bias:abs():max():item()
y = gru(x, {initial_state = {h}})
y]],
      notice = "bias is still (2, 12) but no longer zero: its largest |value| is above\n"
        .. "0.1. y (2, 4) is the state the next steps rebuild by hand.",
      notice_zh = "bias 仍是 (2, 12)，但不再是 0：绝对值最大的数超过 0.1。y (2, 4)\n"
        .. "就是接下来几步要手算出来的新隐状态。",
      check = function()
        lesson.shape(bias, "(2, 12)")
        lesson.expect(lesson.maxdiff(bias, tensor.zeros(2, 12)) > 0.1, "bias should not be zero")
        lesson.close(bias:abs():max():item(), lesson.maxdiff(bias, tensor.zeros(2, 12)), 0)
        lesson.close(gru.bias, bias, 0)
        lesson.close(gru.kernel, kernel, 0)
        lesson.shape(y, "(2, 4)")
      end,
    },
    {
      text = "Cut the weights into gates. tensor.slice(w, -1, start, stop) is NumPy's\n"
        .. "w[..., start:stop]; gate(w, k) takes gate k (0 = z, 1 = r, 2 = h) of the last\n"
        .. "axis. b_z, b_r, b_h come from the input bias (bias[0]), b_rz, b_rr, b_rh\n"
        .. "from the recurrent bias (bias[1]).",
      text_zh = "把权重切成各个门。tensor.slice(w, -1, start, stop) 就是 NumPy 的\n"
        .. "w[..., start:stop]；gate(w, k) 沿最后一个轴取出第 k 个门（0 = z，1 = r，\n"
        .. "2 = h）。b_z、b_r、b_h 来自输入部分的偏置（bias[0]），b_rz、b_rr、b_rh\n"
        .. "来自循环部分的偏置（bias[1]）。",
      code = [[
function gate(w, k) return tensor.slice(w, -1, k * units, (k + 1) * units) end
W_z, W_r, W_h = gate(kernel, 0), gate(kernel, 1), gate(kernel, 2)
U_z, U_r, U_h = gate(recurrent_kernel, 0), gate(recurrent_kernel, 1), gate(recurrent_kernel, 2)
b_z, b_r, b_h = gate(bias[0], 0), gate(bias[0], 1), gate(bias[0], 2)
b_rz, b_rr, b_rh = gate(bias[1], 0), gate(bias[1], 1), gate(bias[1], 2)
W_r.shape
U_r.shape
b_rr.shape]],
      notice = "W_r is (3, 4), kernel's columns 4 to 7; U_r is (4, 4); b_rr is (4,).",
      notice_zh = "W_r 的形状是 (3, 4)，即 kernel 的第 4 到第 7 列；U_r 是 (4, 4)；\n"
        .. "b_rr 是 (4,)。",
      check = function()
        lesson.shape(W_r, "(3, 4)")
        lesson.shape(U_r, "(4, 4)")
        lesson.shape(b_rr, "(4,)")
        local ws = { [0] = { W_z, U_z, b_z, b_rz }, { W_r, U_r, b_r, b_rr }, { W_h, U_h, b_h, b_rh } }
        for k = 0, 2 do
          local lo, hi = 4 * k, 4 * (k + 1)
          lesson.close(ws[k][1], columns(kernel, lo, hi), 0, "W gate " .. k)
          lesson.close(ws[k][2], columns(recurrent_kernel, lo, hi), 0, "U gate " .. k)
          lesson.close(ws[k][3], columns(bias[0], lo, hi), 0, "input bias gate " .. k)
          lesson.close(ws[k][4], columns(bias[1], lo, hi), 0, "recurrent bias gate " .. k)
        end
      end,
    },
    {
      text = "tensor.select(x, 1, 0) is x[:, 0, :], the input of the one time step. The\n"
        .. "update gate z and the reset gate r read the input and the old state through\n"
        .. "a sigmoid.",
      text_zh = "tensor.select(x, 1, 0) 就是 x[:, 0, :]，即这个时间步的输入。更新门 z\n"
        .. "和重置门 r 读取输入和旧的隐状态，再经过 sigmoid。",
      code = [[
xt = tensor.select(x, 1, 0)
xt.shape
z = tensor.sigmoid(xt:matmul(W_z) + b_z + h:matmul(U_z) + b_rz)
r = tensor.sigmoid(xt:matmul(W_r) + b_r + h:matmul(U_r) + b_rr)
z
r]],
      notice = "xt is (2, 3); z and r are (2, 4), every number between 0 and 1.",
      notice_zh = "xt 的形状是 (2, 3)；z 和 r 都是 (2, 4)，每个数都在 0 和 1 之间。",
      check = function()
        lesson.shape(xt, "(2, 3)")
        lesson.close(xt, x:reshape(2, 3), 0)
        lesson.shape(z, "(2, 4)")
        lesson.shape(r, "(2, 4)")
        lesson.expect(lesson.all(z, in_01) and lesson.all(r, in_01), "z and r should be in (0, 1)")
      end,
    },
    {
      text = "Keras's default form, reset_after=true: the reset gate multiplies\n"
        .. "h U_h + b_rh, after the matrix product. The new state mixes the old state\n"
        .. "and the candidate state: h' = z * h + (1 - z) * h~, so z near 1 keeps the\n"
        .. "old state.",
      text_zh = "Keras 的默认形式 reset_after=true：重置门乘在 h U_h + b_rh 上，也就是\n"
        .. "在矩阵乘法之后。新隐状态混合旧隐状态和候选隐状态：\n"
        .. "h' = z * h + (1 - z) * h~，所以 z 接近 1 时保留旧隐状态。",
      code = [[
h_tilde = tensor.tanh(xt:matmul(W_h) + b_h + r * (h:matmul(U_h) + b_rh))
h_new = z * h + (1 - z) * h_tilde
h_new
y
maxdiff(h_new, y)]],
      notice = "h_new and the layer's y are the same (2, 4) numbers: maxdiff is below 1e-6.",
      notice_zh = "h_new 和层的输出 y 是同样的 (2, 4) 数值：maxdiff 小于 1e-6。",
      check = function()
        lesson.shape(h_tilde, "(2, 4)")
        lesson.shape(h_new, "(2, 4)")
        lesson.close(h_new, y, 1e-6)
        -- z near 1 keeps the old state: with z = 1 the formula returns h
        lesson.close(tensor.ones(2, 4) * h + (1 - tensor.ones(2, 4)) * h_tilde, h, 0)
      end,
    },
    {
      text = "The mix written the other way round, h' = (1 - z) * h + z * h~, is not what\n"
        .. "Keras computes: with the same weights it gives other numbers.",
      text_zh = "反过来写的混合 h' = (1 - z) * h + z * h~ 不是 Keras 的算法：\n"
        .. "同样的权重会得到不同的数值。",
      code = [[
maxdiff((1 - z) * h + z * h_tilde, y)]],
      notice = "Far above 1e-6 (more than 1e-3): z belongs to the old state in Keras.",
      notice_zh = "远大于 1e-6（超过 1e-3）：在 Keras 里 z 乘的是旧隐状态。",
      check = function()
        lesson.expect(maxdiff((1 - z) * h + z * h_tilde, y) > 1e-3, "the swapped mix should differ from y")
      end,
    },
    {
      text = "reset_after=false is the other form: one bias of shape (3 * units,), and the\n"
        .. "reset gate multiplies h before the product. Make one, call it once on x so\n"
        .. "that it builds its weights (a layer makes them at its first call; the ;\n"
        .. "hides that output), then give it the same kernels and the first bias row.",
      text_zh = "reset_after=false 是另一种形式：只有一个形状为 (3 * units,) 的偏置，\n"
        .. "重置门在矩阵乘法之前乘在 h 上。建一个这样的层，先在 x 上调用一次，\n"
        .. "让它创建权重（层在第一次调用时才创建权重；行尾的 ; 不打印这次的输出），\n"
        .. "再给它同样的 kernel 和第一行偏置。",
      code = [[
gru0 = nn.GRU(units, {reset_after = false})
gru0(x);
gru0:set_weights{kernel, recurrent_kernel, bias[0]}
gru0:get_weights()[3].shape
y0 = gru0(x, {initial_state = {h}})
maxdiff(y0, y)]],
      notice = "Its bias is (12,). y0 differs from y (maxdiff above 1e-3): the two forms are\n"
        .. "different layers.",
      notice_zh = "它的偏置是 (12,)。y0 与 y 不同（maxdiff 大于 1e-3）：两种形式是\n"
        .. "不同的层。",
      check = function()
        lesson.expect(gru0.reset_after == false, "gru0 should have reset_after=false")
        lesson.shape(gru0:get_weights()[3], "(12,)")
        lesson.close(gru0.bias, bias[0], 0)
        lesson.shape(y0, "(2, 4)")
        lesson.expect(maxdiff(y0, y) > 1e-3, "y0 should differ from y")
      end,
    },
    {
      text = "By hand, reset_after=false: z and r as before with the one bias, and\n"
        .. "h~ = tanh(x W_h + (r * h) U_h + b_h). r * (h U_h) and (r * h) U_h are not\n"
        .. "the same numbers, which is the whole difference.",
      text_zh = "手算 reset_after=false：z 和 r 与前面一样，只是只有一个偏置；\n"
        .. "h~ = tanh(x W_h + (r * h) U_h + b_h)。r * (h U_h) 和 (r * h) U_h 不是\n"
        .. "同样的数值，两种形式的区别就在这里。",
      code = [[
z0 = tensor.sigmoid(xt:matmul(W_z) + h:matmul(U_z) + b_z)
r0 = tensor.sigmoid(xt:matmul(W_r) + h:matmul(U_r) + b_r)
h_tilde0 = tensor.tanh(xt:matmul(W_h) + (r0 * h):matmul(U_h) + b_h)
maxdiff(z0 * h + (1 - z0) * h_tilde0, y0)
maxdiff(r0 * h:matmul(U_h), (r0 * h):matmul(U_h))]],
      notice = "The first maxdiff is below 1e-6: the hand computation is gru0. The second\n"
        .. "is above 1e-3: resetting before or after the product changes the numbers.",
      notice_zh = "第一个 maxdiff 小于 1e-6：手算结果就是 gru0 的输出。第二个大于 1e-3：\n"
        .. "在乘法之前还是之后重置，数值不同。",
      check = function()
        lesson.close(z0 * h + (1 - z0) * h_tilde0, y0, 1e-6)
        lesson.expect(maxdiff(r0 * h:matmul(U_h), (r0 * h):matmul(U_h)) > 1e-3,
                      "r * (h U) and (r * h) U should differ")
      end,
    },
    {
      text = "An LSTM has two states, h and the cell state c, and four gates, in the\n"
        .. "columns i | f | c | o: input gate, forget gate, candidate cell, output gate.\n"
        .. "Its bias is one row. return_state = true returns the output, h and c.",
      text_zh = "LSTM 有两个状态：隐状态 h 和记忆元状态 c。权重的列按 i | f | c | o\n"
        .. "分成四组：输入门、遗忘门、候选记忆元和输出门。它的偏置只有一行。\n"
        .. "return_state = true 返回输出、h 和 c。",
      code = [[
c = tensor.randn(2, units)
lstm = nn.LSTM(units, {return_state = true})
y_l, h_l, c_l = lstm(x, {initial_state = {h, c}})
kernel_l, recurrent_l, bias_l = table.unpack(lstm:get_weights())
kernel_l.shape
recurrent_l.shape
bias_l]],
      notice = "kernel (3, 16) and recurrent_kernel (4, 16): 4 * units columns. The bias\n"
        .. "(16,) is zero except the forget gate's 4 columns, which start at 1\n"
        .. "(unit_forget_bias = true, Keras's default).",
      notice_zh = "kernel (3, 16) 和 recurrent_kernel (4, 16)：4 * units 列。偏置 (16,)\n"
        .. "除了遗忘门的 4 列以外都是 0，遗忘门的偏置从 1 开始\n"
        .. "（unit_forget_bias = true，Keras 的默认值）。",
      check = function()
        lesson.shape(kernel_l, "(3, 16)")
        lesson.shape(recurrent_l, "(4, 16)")
        lesson.shape(bias_l, "(16,)")
        lesson.close(bias_l, { 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, 0)
        lesson.expect(lstm.unit_forget_bias == true, "unit_forget_bias should be true by default")
        lesson.shape(y_l, "(2, 4)")
        lesson.shape(h_l, "(2, 4)")
        lesson.shape(c_l, "(2, 4)")
      end,
    },
    {
      text = "One LSTM step: c' = f * c + i * c~ and h' = o * tanh(c'). The forget gate\n"
        .. "decides how much of the old cell to keep, the input gate how much of the\n"
        .. "candidate to add, the output gate how much of the cell to show.",
      text_zh = "LSTM 的一个时间步：c' = f * c + i * c~，h' = o * tanh(c')。遗忘门决定\n"
        .. "保留多少旧的记忆元，输入门决定加入多少候选记忆元，输出门决定输出多少\n"
        .. "记忆元的内容。",
      code = [[
function pre(k) return xt:matmul(gate(kernel_l, k)) + h:matmul(gate(recurrent_l, k)) + gate(bias_l, k) end
i, f, c_tilde, o = tensor.sigmoid(pre(0)), tensor.sigmoid(pre(1)), tensor.tanh(pre(2)), tensor.sigmoid(pre(3))
c_next = f * c + i * c_tilde
h_next = o * tensor.tanh(c_next)
maxdiff(c_next, c_l)
maxdiff(h_next, h_l)
maxdiff(y_l, h_l)]],
      notice = "c_next equals c_l and h_next equals h_l (maxdiff below 1e-6); the output\n"
        .. "y_l of the last step is h_l itself (maxdiff 0).",
      notice_zh = "c_next 等于 c_l，h_next 等于 h_l（maxdiff 小于 1e-6）；最后一步的\n"
        .. "输出 y_l 就是 h_l 本身（maxdiff 为 0）。",
      check = function()
        lesson.expect(lesson.all(i, in_01) and lesson.all(f, in_01) and lesson.all(o, in_01), "i, f, o should be in (0, 1)")
        lesson.close(c_next, c_l, 1e-6)
        lesson.close(h_next, h_l, 1e-6)
        lesson.close(y_l, h_l, 0)
      end,
    },
  },
}
