-- Lesson 4: Bidirectional and return_sequences: where the 128 of a
-- BiGRU(64) comes from, what merge_mode changes, and the parameter counts.
-- Run it as a script (attnlab lua/lessons/04_bidirectional.lua) or step by
-- step at the prompt (:lesson 4).
local lesson = require "attnlab.lesson"

-- the Param # of the layer called name in a model's summary, as a number
local function summary_params(model, name)
  local text = model:summary { print_fn = false }
  for line in text:gmatch("[^\n]+") do
    local cells = {}
    for cell in line:gmatch("[^│]+") do cells[#cells + 1] = cell:match("^%s*(.-)%s*$") end
    if cells[1] and cells[1]:match("^" .. name:gsub("%p", "%%%0") .. " %(") then
      return tonumber((cells[3]:gsub(",", "")))
    end
  end
  error("no row for " .. name .. " in the summary")
end

local function numel(ws)
  local n = 0
  for _, w in ipairs(ws) do n = n + w:numel() end
  return n
end

return lesson.define {
  title = "Bidirectional and return_sequences",
  title_zh = "双向层和 return_sequences",
  intro = "Attention needs one vector per time step, and a vector that knows what comes\n"
    .. "before and after that step. That is what Bidirectional(GRU(64,\n"
    .. "return_sequences=True)) gives the Keras tutorials: (None, 64, 32) becomes\n"
    .. "(None, 64, 128). Here you take the 128 apart.",
  intro_zh = "注意力需要每个时间步一个向量，而且这个向量要知道该时间步前后的内容。\n"
    .. "Keras 教程里的 Bidirectional(GRU(64, return_sequences=True)) 做的正是这件事：\n"
    .. "(None, 64, 32) 变成 (None, 64, 128)。这一课把这个 128 拆开来看。",
  steps = {
    {
      text = "A GRU reads the 64 time steps one after the other. By default it returns\n"
        .. "only its last state; return_sequences = true returns the state after every\n"
        .. "step, which is what attention needs.",
      text_zh = "GRU 一个接一个地读这 64 个时间步。默认只返回最后的隐状态；\n"
        .. "return_sequences = true 返回每一步之后的隐状态，注意力需要的正是这个。",
      code = [[
nn.clear_session()
nn.seed(4)
inp = nn.Input{64, 32}
last = nn.GRU(64)(inp)
last
every = nn.GRU(64, {return_sequences = true})(inp)
every]],
      notice = "(None, 64): one 64-unit vector per sample; (None, 64, 64): one per time\n"
        .. "step.",
      notice_zh = "(None, 64)：每个样本一个 64 维向量；(None, 64, 64)：每个时间步一个。",
      check = function()
        lesson.shape(inp, "(None, 64, 32)")
        lesson.shape(last, "(None, 64)")
        lesson.shape(every, "(None, 64, 64)")
      end,
    },
    {
      text = "Bidirectional makes two copies of the GRU: one reads the sequence forwards,\n"
        .. "the other (go_backwards = true) from the end. With the default merge_mode,\n"
        .. "\"concat\", their outputs are joined on the last axis.",
      text_zh = "双向层（Bidirectional）把 GRU 复制成两份：一份从前往后读序列，另一份\n"
        .. "（go_backwards = true）从后往前读。默认的 merge_mode 是 \"concat\"，\n"
        .. "两份输出沿最后一个轴拼接起来。",
      code = [[
bi = nn.Bidirectional(nn.GRU(64, {return_sequences = true}))
seq = bi(inp)
seq
bi.forward_layer
bi.backward_layer]],
      notice = "(None, 64, 128): at each of the 64 time steps, 64 forward units and 64\n"
        .. "backward units. Only the backward copy has go_backwards.",
      notice_zh = "(None, 64, 128)：64 个时间步中的每一步，都有 64 个前向单元和 64 个\n"
        .. "反向单元。只有反向的那份带 go_backwards。",
      check = function()
        lesson.shape(seq, "(None, 64, 128)")
        lesson.expect(bi.merge_mode == "concat", "the default merge_mode should be concat")
        lesson.expect(bi.forward_layer.units == 64 and bi.backward_layer.units == 64, "64 units each")
        lesson.expect(bi.forward_layer.go_backwards == false, "the forward layer reads forwards")
        lesson.expect(bi.backward_layer.go_backwards == true, "the backward layer has go_backwards")
        lesson.expect(bi.forward_layer.return_sequences and bi.backward_layer.return_sequences,
                      "both copies return sequences")
      end,
    },
    {
      text = "On real numbers: cut the 128 features of y into two halves with tensor.slice.\n"
        .. "The first half should be exactly what the forward layer computes on its own.",
      text_zh = "用真实的数据试一试：用 tensor.slice 把 y 的 128 个特征切成两半。\n"
        .. "前一半应当正好是前向层自己算出来的结果。",
      code = [[
x = tensor.randn(2, 64, 32)
y = bi(x)
y.shape
forward_half = tensor.slice(y, -1, 0, 64)
backward_half = tensor.slice(y, -1, 64, 128)
function maxdiff(a, b) return tensor.max(tensor.abs(a - b)):item() end
maxdiff(forward_half, bi.forward_layer(x))]],
      notice = "y is (2, 64, 128); forward_half equals bi.forward_layer(x): maxdiff below\n"
        .. "1e-6.",
      notice_zh = "y 的形状是 (2, 64, 128)；forward_half 等于 bi.forward_layer(x)：\n"
        .. "maxdiff 小于 1e-6。",
      check = function()
        lesson.shape(y, "(2, 64, 128)")
        lesson.shape(forward_half, "(2, 64, 64)")
        lesson.shape(backward_half, "(2, 64, 64)")
        lesson.close(forward_half, bi.forward_layer(x), 1e-6)
      end,
    },
    {
      text = "reverse(t) flips the time axis (NumPy's t[:, ::-1]). The backward half is an\n"
        .. "ordinary GRU with the backward layer's weights, run on the reversed sequence,\n"
        .. "its outputs reversed back, so step t of both halves is about input step t.\n"
        .. "plain(x); builds plain's weights (at its first call) before set_weights.",
      text_zh = "reverse(t) 把时间步轴倒过来（NumPy 的 t[:, ::-1]）。后一半就是一个普通的\n"
        .. "GRU：用反向层的权重，在倒过来的序列上运行，再把输出倒回来，这样两半的\n"
        .. "第 t 步都对应输入的第 t 步。plain(x); 先调用一次，让 plain 创建权重\n"
        .. "（层在第一次调用时才创建权重），然后才能 set_weights。",
      code = [[
function reverse(t) return tensor.slice(t, 1, nil, nil, -1) end
plain = nn.GRU(64, {return_sequences = true})
plain(x);
plain:set_weights(bi.backward_layer:get_weights())
back = reverse(plain(reverse(x)))
maxdiff(backward_half, back)
maxdiff(bi.backward_layer(x), plain(reverse(x)))]],
      notice = "Both maxdiffs are below 1e-6. The second shows go_backwards alone: the\n"
        .. "backward layer reads the reversed sequence and returns its outputs in\n"
        .. "reading order; Bidirectional reverses them back.",
      notice_zh = "两个 maxdiff 都小于 1e-6。第二个单独展示了 go_backwards：反向层读的是\n"
        .. "倒过来的序列，输出也按读的顺序排列；双向层再把它们倒回来。",
      check = function()
        lesson.close(reverse(x)[0][0], x[0][63], 0)
        lesson.expect(plain.go_backwards == false, "plain reads forwards")
        lesson.close(backward_half, back, 1e-6)
        lesson.close(back, reverse(plain(reverse(x))), 0)
        lesson.close(bi.backward_layer(x), plain(reverse(x)), 1e-6)
        -- without reversing back it would not match
        lesson.expect(maxdiff(backward_half, plain(reverse(x))) > 1e-3,
                      "the backward outputs must be reversed back")
      end,
    },
    {
      text = "What each half has read: change only the last time step (63) and compare\n"
        .. "the outputs at step 60. The forward half at step 60 has not read step 63\n"
        .. "yet; the backward half has.",
      text_zh = "每一半读过什么：只改最后一个时间步（第 63 步），比较第 60 步的输出。\n"
        .. "第 60 步的前向一半还没有读到第 63 步；反向一半已经读过了。",
      code = [[
x2 = tensor.concat({tensor.slice(x, 1, 0, 63), tensor.zeros(2, 1, 32)}, 1)
y2 = bi(x2)
change = tensor.abs(tensor.select(y2, 1, 60) - tensor.select(y, 1, 60))
tensor.max(tensor.slice(change, -1, 0, 64)):item()
tensor.max(tensor.slice(change, -1, 64, 128)):item()
maxdiff(tensor.select(y2, 1, 0), tensor.select(y, 1, 0))]],
      notice = "Forward half at step 60: 0, it cannot see the future. Backward half: above\n"
        .. "1e-3. At step 0, 63 steps away, the change is far smaller still (under a\n"
        .. "hundredth of it): a GRU's memory fades, one reason to add attention.",
      notice_zh = "第 60 步的前向一半：0，它看不到后面的内容。反向一半：大于 1e-3。\n"
        .. "在相隔 63 步的第 0 步，变化要小得多（不到它的百分之一）：GRU 的记忆会\n"
        .. "逐渐消退，这正是要加上注意力的原因之一。",
      check = function()
        lesson.shape(x2, "(2, 64, 32)")
        lesson.close(tensor.slice(x2, 1, 0, 63), tensor.slice(x, 1, 0, 63), 0)
        local fwd = tensor.max(tensor.slice(change, -1, 0, 64)):item()
        local bwd = tensor.max(tensor.slice(change, -1, 64, 128)):item()
        lesson.expect(fwd == 0, "the forward half at step 60 should not change")
        lesson.expect(bwd > 1e-3, "the backward half at step 60 should change")
        lesson.expect(maxdiff(tensor.select(y2, 1, 0), tensor.select(y, 1, 0)) < bwd / 100,
                      "the change at step 0 should be under a hundredth of the change at step 60")
      end,
    },
    {
      text = "merge_mode says how the halves are joined: \"concat\" side by side, \"sum\",\n"
        .. "\"ave\" and \"mul\" element by element. merge_mode = None (Python's None)\n"
        .. "returns the two halves separately. In Lua, merge_mode = nil is the same as\n"
        .. "leaving it out, so it gives \"concat\".",
      text_zh = "merge_mode 决定两半怎样合并：\"concat\" 并排拼接，\"sum\"、\"ave\"、\"mul\"\n"
        .. "逐元素相加、平均、相乘。merge_mode = None（Python 的 None）把两半分开\n"
        .. "返回。在 Lua 里 merge_mode = nil 等于没写，所以得到的是 \"concat\"。",
      code = [[
merged = {}
for _, mode in ipairs{"concat", "sum", "ave", "mul"} do
  merged[mode] = nn.Bidirectional(nn.GRU(64, {return_sequences = true}), {merge_mode = mode})
  print(mode, merged[mode](inp))
end
fw, bw = nn.Bidirectional(nn.GRU(64, {return_sequences = true}), {merge_mode = None})(inp)
fw
bw
with_nil = nn.Bidirectional(nn.GRU(64, {return_sequences = true}), {merge_mode = nil})
with_nil(inp)]],
      notice = "concat: (None, 64, 128); sum, ave and mul: (None, 64, 64). None gives two\n"
        .. "(None, 64, 64) tensors; nil gives concat's (None, 64, 128).",
      notice_zh = "concat：(None, 64, 128)；sum、ave、mul：(None, 64, 64)。None 得到两个\n"
        .. "(None, 64, 64) 的张量；nil 得到 concat 的 (None, 64, 128)。",
      check = function()
        lesson.shape(merged.concat(inp), "(None, 64, 128)")
        for _, mode in ipairs { "sum", "ave", "mul" } do
          lesson.expect(merged[mode].merge_mode == mode, "merge_mode " .. mode)
          lesson.shape(merged[mode](inp), "(None, 64, 64)")
        end
        lesson.shape(fw, "(None, 64, 64)")
        lesson.shape(bw, "(None, 64, 64)")
        lesson.expect(with_nil.merge_mode == "concat", "merge_mode = nil should be concat")
        lesson.shape(with_nil(inp), "(None, 64, 128)")
      end,
    },
    {
      text = "Give the sum, ave and mul layers bi's weights: set_weights takes the forward\n"
        .. "layer's three arrays, then the backward layer's, the order bi:get_weights()\n"
        .. "gives. Then \"sum\" is forward_half + backward_half, \"ave\" their mean and\n"
        .. "\"mul\" their product.",
      text_zh = "把 bi 的权重交给 sum、ave、mul 这三个层：set_weights 先接收前向层的\n"
        .. "三个数组，再接收反向层的，也就是 bi:get_weights() 给出的顺序。这样\n"
        .. "\"sum\" 就是 forward_half + backward_half，\"ave\" 是两者的平均，\"mul\" 是\n"
        .. "两者的乘积。",
      code = [[
#bi:get_weights()
for _, mode in ipairs{"sum", "ave", "mul"} do merged[mode]:set_weights(bi:get_weights()) end
maxdiff(merged.sum(x), forward_half + backward_half)
maxdiff(merged.ave(x), (forward_half + backward_half) / 2)
maxdiff(merged.mul(x), forward_half * backward_half)]],
      notice = "6 arrays (3 per direction), and all three maxdiffs below 1e-6.",
      notice_zh = "6 个数组（每个方向 3 个），三个 maxdiff 都小于 1e-6。",
      check = function()
        local ws = bi:get_weights()
        lesson.expect(#ws == 6, "bi should have 6 weight arrays")
        lesson.close(ws[1], bi.forward_layer.kernel, 0)
        lesson.close(ws[4], bi.backward_layer.kernel, 0)
        lesson.close(merged.sum(x), forward_half + backward_half, 1e-6, "sum")
        lesson.close(merged.ave(x), (forward_half + backward_half) * 0.5, 1e-6, "ave")
        lesson.close(merged.mul(x), forward_half * backward_half, 1e-6, "mul")
      end,
    },
    {
      text = "Each direction is a whole GRU with its own weights: kernel (32, 192),\n"
        .. "recurrent_kernel (64, 192) and bias (2, 192), i.e.\n"
        .. "3 * (in * units + units * units + 2 * units) per direction.",
      text_zh = "每个方向都是一个完整的 GRU，有自己的权重：kernel (32, 192)、\n"
        .. "recurrent_kernel (64, 192) 和 bias (2, 192)，即每个方向的参数量是\n"
        .. "3 * (in * units + units * units + 2 * units)。",
      code = [[
model = nn.Model(inp, seq)
model:summary();
per_direction = 3 * (32 * 64 + 64 * 64 + 2 * 64)
per_direction
2 * per_direction]],
      notice = "18816 per direction and 37632 in all: the 37,632 in the summary's Param #\n"
        .. "column for the bidirectional layer.",
      notice_zh = "每个方向 18816，共 37632：正是 summary 的 Param # 一栏里双向层的\n"
        .. "37,632。",
      check = function()
        local ws = bi.forward_layer:get_weights()
        lesson.shape(ws[1], "(32, 192)")
        lesson.shape(ws[2], "(64, 192)")
        lesson.shape(ws[3], "(2, 192)")
        lesson.expect(per_direction == 18816, "3 * (32*64 + 64*64 + 2*64) should be 18816")
        lesson.expect(numel(ws) == per_direction, "the forward layer's weights should hold 18816 numbers")
        lesson.expect(numel(bi.backward_layer:get_weights()) == per_direction, "and so should the backward layer's")
        lesson.expect(bi:count_params() == 2 * per_direction, "bi should have 37632 params")
        lesson.expect(summary_params(model, bi.name) == 37632, "the summary should show 37,632")
        lesson.expect(model:summary { print_fn = false }:find("37,632", 1, true), "the summary should print 37,632")
      end,
    },
    {
      text = "The 2 * units is the two bias rows of reset_after = true. With\n"
        .. "reset_after = false there is one: 3 * (in * units + units * units + units).\n"
        .. "gru0(inp); builds the layer, so that it has weights to count.",
      text_zh = "公式里的 2 * units 来自 reset_after = true 的两行偏置。reset_after = false\n"
        .. "时只有一行：3 * (in * units + units * units + units)。gru0(inp); 先调用\n"
        .. "一次来创建权重，这样才有参数可数。",
      code = [[
gru0 = nn.GRU(64, {reset_after = false})
gru0(inp);
gru0:count_params()
3 * (32 * 64 + 64 * 64 + 64)]],
      notice = "18624 both ways: 192 fewer than 18816, one bias row of 3 * 64.",
      notice_zh = "两种算法都是 18624：比 18816 少 192，也就是一行 3 * 64 的偏置。",
      check = function()
        lesson.expect(gru0:count_params() == 3 * (32 * 64 + 64 * 64 + 64), "gru0 should have 18624 params")
        lesson.expect(gru0:count_params() == 18624, "18624")
        lesson.expect(18816 - 18624 == 3 * 64, "the difference should be 192")
        lesson.shape(gru0:get_weights()[3], "(192,)")
      end,
    },
  },
}
