-- Lesson 5: time-step attention over a BiGRU, the Keras tutorial of
-- examples/recipe1_time_attention.lua line by line: first on nn.Input
-- (shapes only), then on data, then the (128, 64) attention map.
--
--   ./attnlab lua/lessons/05_time_attention.lua     (ATTNLAB_LANG=zh: 中文)
local lesson = require "attnlab.lesson"

-- a fixed input in [-1, 1) for the checks (they must not draw random
-- numbers: the prompt, which runs no checks, would then see other data)
local function ramp(a, b, c)
  local n = a * b * c
  return tensor.reshape(tensor.arange(n), { a, b, c }) * (2 / n) - 1
end

return lesson.define {
  title = "Time-step attention over a BiGRU",
  title_zh = "BiGRU 之上的时间步注意力",
  intro = [[
The Keras tutorial "BiGRU + attention" (examples/recipe1_time_attention.lua),
line by line. First on nn.Input, where only shapes flow through the layers;
then on real data, where the attention map has numbers we can check and draw.]],
  intro_zh = [[
这一课逐行重写 Keras 教程“BiGRU + 注意力”
（examples/recipe1_time_attention.lua）。先在 nn.Input 上搭建，只有形状在各层
之间流动；再用真实数据运行，得到可以验证、可以画出来的注意力图。]],
  steps = {
    {
      text = [[
The tutorial's input: sequences of 64 time steps, 32 features per step.
nn.Input{64, 32} is keras.Input(shape=(64, 32)): a symbolic tensor, with a
shape but no values yet.]],
      text_zh = [[
教程的输入：每个序列有 64 个时间步，每步 32 个特征。nn.Input{64, 32} 就是
keras.Input(shape=(64, 32))：一个符号张量，只有形状，还没有数值。]],
      code = "nn.clear_session()\nnn.seed(5)\ninputs = nn.Input{64, 32}\ninputs",
      notice = [[
(None, 64, 32): None is the batch size, unknown until data comes; 64 time
steps; 32 features.]],
      notice_zh = [[
(None, 64, 32)：None 是批量大小，要等数据来了才知道；64 是时间步，
32 是特征数。]],
      check = function()
        lesson.shape(inputs, "(None, 64, 32)")
        lesson.expect(inputs.symbolic, "inputs is symbolic")
      end,
    },
    {
      text = [[
Two bidirectional GRU layers. return_sequences=true keeps the output of every
time step (not only the last); Bidirectional runs one GRU forward and one
backward in time and concatenates their outputs (merge_mode="concat").]],
      text_zh = [[
两层双向门控循环单元（GRU）。return_sequences=true 保留每个时间步的输出
（而不只是最后一步）；双向层（Bidirectional）里有两个 GRU：前向的从前往后读
序列，反向的从后往前读，再把两者的输出拼接起来（merge_mode="concat"）。]],
      code = [[
bigru_1 = nn.Bidirectional(nn.GRU(64, {return_sequences = true}))
bigru_2 = nn.Bidirectional(nn.GRU(64, {return_sequences = true}))
output = bigru_2(bigru_1(inputs))
output.shape
bigru_1
bigru_2]],
      notice = [[
(None, 64, 128): still 64 time steps; 128 = 64 units forward + 64 backward.
bigru_1 has 2 × 3 × (32·64 + 64·64 + 2·64) = 37,632 parameters: two GRUs,
three gates each, with a kernel, a recurrent kernel and two biases
(reset_after). bigru_2 reads 128 features, so it has
2 × 3 × (128·64 + 64·64 + 2·64) = 74,496.]],
      notice_zh = [[
(None, 64, 128)：仍然是 64 个时间步；128 = 前向 64 个单元 + 反向 64 个单元。
bigru_1 的参数量是 2 × 3 × (32·64 + 64·64 + 2·64) = 37,632：两个 GRU，
每个 3 个门，每个门有 kernel、recurrent_kernel 和两个偏置（reset_after）。
bigru_2 的输入是 128 个特征，所以参数量是
2 × 3 × (128·64 + 64·64 + 2·64) = 74,496。]],
      check = function()
        lesson.shape(output, "(None, 64, 128)")
        lesson.expect(bigru_1:count_params() == 2 * 3 * (32 * 64 + 64 * 64 + 2 * 64)
                      and bigru_1:count_params() == 37632, "bigru_1 has 37,632 parameters")
        lesson.expect(bigru_2:count_params() == 2 * 3 * (128 * 64 + 64 * 64 + 2 * 64)
                      and bigru_2:count_params() == 74496, "bigru_2 has 74,496 parameters")
        -- forward and backward in time, concatenated: on a small batch
        local xs = ramp(1, 64, 32)
        local hs = bigru_1(xs)
        lesson.close(hs:slice(2, 0, 64), bigru_1.forward_layer(xs), 1e-6, "the forward half")
        local rev = {}
        for t = 1, 64 do rev[t] = 64 - t end
        lesson.close(hs:slice(2, 64, 128), tensor.gather(bigru_1.backward_layer(xs), tensor.from(rev), 1),
                     1e-6, "the backward half, read back in time order")
      end,
    },
    {
      text = [[
tf.transpose(output, [0, 2, 1]) swaps axes 1 and 2 and leaves the batch
axis 0 alone. Time becomes the last axis. A Dense layer always works on the
last axis, so the Dense layers that follow mix time steps, not features.]],
      text_zh = [[
tf.transpose(output, [0, 2, 1]) 交换第 1 轴和第 2 轴，第 0 轴（批量）不动。
于是时间成了最后一个轴。全连接层（Dense）总是作用在最后一个轴上，
所以后面的 Dense 层混合的是时间步，而不是特征。]],
      code = "time_last = tensor.transpose(output, {0, 2, 1})\ntime_last.shape",
      notice = "(None, 128, 64): 128 features, each one now a row of its 64 time steps.",
      notice_zh = [[
(None, 128, 64)：128 个特征，每个特征现在是一行，
包含它在 64 个时间步上的值。]],
      check = function()
        lesson.shape(time_last, "(None, 128, 64)")
      end,
    },
    {
      text = [[
Dense(64, activation='tanh') on (None, 128, 64): one (64, 64) kernel, applied
to each of the 128 rows. It reads all 64 time steps of a feature and writes
64 new numbers, one per time step.]],
      text_zh = [[
Dense(64, activation='tanh') 作用在 (None, 128, 64) 上：同一个 (64, 64) 的
kernel 用在 128 行中的每一行。它读入一个特征在 64 个时间步上的值，输出 64 个
新的数，每个时间步一个。]],
      code = [[
dense_tanh = nn.Dense(64, {activation = "tanh"})
att_1 = dense_tanh(time_last)
att_1.shape
kernel_1, bias_1 = table.unpack(dense_tanh:get_weights())
kernel_1.shape, bias_1.shape
dense_tanh:count_params()]],
      notice = [[
att_1 is (None, 128, 64); kernel_1 (64, 64) and bias_1 (64,):
64·64 + 64 = 4,160 parameters, whatever the batch size.]],
      notice_zh = [[
att_1 的形状是 (None, 128, 64)；kernel_1 是 (64, 64)，bias_1 是 (64,)：
参数量 64·64 + 64 = 4,160，与批量大小无关。]],
      check = function()
        lesson.shape(att_1, "(None, 128, 64)")
        lesson.shape(kernel_1, "(64, 64)")
        lesson.shape(bias_1, "(64,)")
        lesson.expect(dense_tanh:count_params() == 4160, "dense_tanh has 4,160 parameters")
        -- one kernel for every row: tanh(row W + b) on the last axis
        local r = ramp(1, 128, 64)
        lesson.close(dense_tanh(r), tensor.tanh(tensor.matmul(r, kernel_1) + bias_1), 1e-6,
                     "Dense on the last axis")
      end,
    },
    {
      text = [[
Dense(64, activation='softmax', use_bias=False) turns each row into 64 scores
and the softmax turns them into weights. The softmax runs over the last axis:
the 64 time steps. keep_output=true is attnlab's addition: the layer keeps its
output, so last_attention() can give it back for a heatmap.]],
      text_zh = [[
Dense(64, activation='softmax', use_bias=False) 把每一行变成 64 个注意力
分数，softmax 再把分数变成权重。softmax 作用在最后一个轴上，也就是 64 个
时间步。keep_output=true 是 attnlab 加的选项：这一层会保存自己的输出，之后用
last_attention() 取出来画热力图。]],
      code = [[
dense_softmax = nn.Dense(64, {activation = "softmax", use_bias = false, keep_output = true})
att_2 = dense_softmax(att_1)
att_2.shape
dense_softmax]],
      notice = [[
att_2 is (None, 128, 64): for each of the 128 features, 64 weights, one per
time step. No bias: 64·64 = 4,096 parameters.]],
      notice_zh = [[
att_2 的形状是 (None, 128, 64)：128 个特征中的每一个，都有 64 个权重，
每个时间步一个。没有偏置：参数量 64·64 = 4,096。]],
      check = function()
        lesson.shape(att_2, "(None, 128, 64)")
        lesson.expect(dense_softmax:count_params() == 4096, "dense_softmax has 4,096 parameters")
        lesson.expect(#dense_softmax:get_weights() == 1, "dense_softmax has a kernel and no bias")
      end,
    },
    {
      text = [[
Multiply()([time_last, att_2]) multiplies element by element: the value of
feature c at step t times its weight. tf.reduce_sum(time_att, axis=-1) then
adds over the time steps. Together: a weighted sum over time, one number per
feature.]],
      text_zh = [[
Multiply()([time_last, att_2]) 逐元素相乘：特征 c 在时间步 t 的值乘以它的
权重。tf.reduce_sum(time_att, axis=-1) 再沿时间步求和。合起来就是按时间
加权求和：每个特征得到一个数。]],
      code = [[
time_att = nn.Multiply()({time_last, att_2})
time_att.shape
out = tensor.sum(time_att, -1)
out.shape]],
      notice = [[
time_att is (None, 128, 64), the shape of both inputs; out is (None, 128):
the sum over axis -1 removed the time axis.]],
      notice_zh = [[
time_att 的形状是 (None, 128, 64)，和两个输入相同；out 的形状是
(None, 128)：沿第 -1 轴求和，时间轴消失了。]],
      check = function()
        lesson.shape(time_att, "(None, 128, 64)")
        lesson.shape(out, "(None, 128)")
      end,
    },
    {
      text = [[
nn.Model(inputs, out) is keras.Model: it records these lines as a model.
summary() lists every layer with its output shape (the `;` stops the prompt
from printing the text summary() returns a second time). Called on a real
batch, the model runs every layer again, now with numbers.]],
      text_zh = [[
nn.Model(inputs, out) 就是 keras.Model：它把上面这些代码记录成一个模型。
summary() 列出每一层和它的输出形状（行尾的 `;` 让提示符不再把 summary()
返回的文本打印第二遍）。用一个真实的批量调用模型，每一层会重新运行，
这次有了数值。]],
      code = [[
model = nn.Model(inputs, out)
model:summary();
x = tensor.randn(2, 64, 32)
y = model(x)
y.shape]],
      notice = [[
The table repeats the shapes of the steps above; the parameters add up to
37,632 + 74,496 + 4,160 + 4,096 = 120,384. y is (2, 128): the batch None is
now 2, one vector of 128 numbers per sample.]],
      notice_zh = [[
表格重复了前面每一步的形状；参数量加起来是
37,632 + 74,496 + 4,160 + 4,096 = 120,384。y 的形状是 (2, 128)：批量 None
现在是 2，每个样本得到一个 128 维的向量。]],
      check = function()
        lesson.expect(model:count_params() == 37632 + 74496 + 4160 + 4096
                      and model:count_params() == 120384, "the model has 120,384 parameters")
        lesson.shape(x, "(2, 64, 32)")
        lesson.shape(y, "(2, 128)")
        -- the model replays the same lines: run them by hand on x
        local tl = tensor.transpose(bigru_2(bigru_1(x)), { 0, 2, 1 })
        local a2 = dense_softmax(dense_tanh(tl))
        lesson.close(y, tensor.sum(tl * a2, -1), 1e-6, "model(x) vs the lines")
      end,
    },
    {
      text = [[
dense_softmax kept its output of the last call: att_2 for this batch, with
numbers. Take sample 0: a (128, 64) map. Row c is one softmax over the 64 time
steps for feature c, so every row sums to 1.]],
      text_zh = [[
dense_softmax 保存了最近一次调用的输出：这个批量的 att_2，这次有数值。
取第 0 个样本，得到一张 (128, 64) 的注意力图。第 c 行是特征 c 在 64 个
时间步上的一次 softmax，所以每一行加起来都是 1。]],
      code = [[
att = dense_softmax:last_attention()
att.shape
map = att[0]
map.shape
row_sums = map:sum(-1)
row_sums:min():item(), row_sums:max():item()
map:sum()
col_sums = map:sum(0)
col_sums:min():item(), col_sums:max():item()]],
      notice = [[
att is (2, 128, 64) and map (128, 64). The smallest and the largest of the
128 row sums are both 1 up to float32 rounding (within 1e-6), so the whole
map sums to 128, one per feature. The columns are not normalised: the 64
column sums average 128 / 64 = 2, and their smallest and largest (printed
last) show that some time steps get more weight in total than others.]],
      notice_zh = [[
att 的形状是 (2, 128, 64)，map 是 (128, 64)。128 个行和里，最小值与最大值
都是 1，只差 float32 的舍入误差（不到 1e-6），所以整张图加起来是 128，
每个特征贡献 1。列没有归一化：64 个列和的平均值是 128 / 64 = 2；最后打印的
列和最小值与最大值说明，有的时间步得到的总权重比别的时间步多。]],
      check = function()
        lesson.shape(att, "(2, 128, 64)")
        lesson.shape(map, "(128, 64)")
        lesson.close(row_sums, tensor.ones(128), 1e-6, "row sums")
        lesson.close(map:sum(), 128, 1e-3, "the sum of the map")
        -- one softmax over the 64 steps per feature: recompute it
        local a1 = dense_tanh(tensor.transpose(bigru_2(bigru_1(x)), { 0, 2, 1 }))
        lesson.close(att, tensor.softmax(tensor.matmul(a1, dense_softmax:get_weights()[1]), -1),
                     1e-6, "att_2 = softmax over the time steps")
        lesson.close(col_sums, map:sum(0), 0, "col_sums")
        lesson.close(col_sums:mean():item(), 2, 1e-4, "the column sums average 2")
        lesson.expect(col_sums:max():item() - col_sums:min():item() > 0.01,
                      "the column sums differ")
      end,
    },
    {
      text = [[
What out means: out[c] = Σ_t map[c, t] · h[t, c], feature c of the BiGRU
output averaged over the 64 time steps with its own weights. Check it by hand
for sample 0, with h the BiGRU output on x.]],
      text_zh = [[
out 的含义：out[c] = Σ_t map[c, t] · h[t, c]，也就是 BiGRU 输出的第 c 个
特征，用它自己的权重在 64 个时间步上加权平均。用 h（BiGRU 在 x 上的输出）
手算第 0 个样本来验证。]],
      code = [[
h = bigru_2(bigru_1(x))
h.shape
by_hand = tensor.sum(tensor.transpose(h[0], {1, 0}) * map, -1)
by_hand.shape
(by_hand - y[0]):abs():max()]],
      notice = [[
h is (2, 64, 128); by_hand is (128,) and equals y[0]: the largest
difference prints 0 (at most a rounding error below 1e-6).]],
      notice_zh = [[
h 的形状是 (2, 64, 128)；by_hand 是 (128,)，和 y[0] 相等：最大差值打印
出来是 0（最多是小于 1e-6 的舍入误差）。]],
      check = function()
        lesson.shape(h, "(2, 64, 128)")
        lesson.shape(by_hand, "(128,)")
        lesson.close(by_hand, y[0], 1e-6, "by_hand vs y[0]")
      end,
    },
    {
      text = [[
Draw the map: rows are the 128 features, columns the 64 time steps. The model
is not trained, so no time step stands out yet: every weight stays near
1/64 ≈ 0.016. viz.show draws a small copy in the terminal, averaging
neighbouring cells to fit.]],
      text_zh = [[
把注意力图画出来：行是 128 个特征，列是 64 个时间步。模型还没有训练，所以
没有哪个时间步特别突出：每个权重都在 1/64 ≈ 0.016 附近。viz.show 在终端里
画一个缩小版，把相邻的格子取平均来适应宽度。]],
      code = [[
viz.heatmap(map, {file = "lesson05_map.png", title = "att_2, sample 0", xlabel = "time step", ylabel = "feature"})
viz.show(map, {width = 48, max_rows = 12})
map:min():item(), map:max():item()]],
      notice = [[
viz.show says "128 x 64 shown as 12 x 32, averaged": the terminal copy
averages cells, lesson05_map.png draws all 128 x 64. The smallest and
largest weights print last: both within a factor of 4 of 1/64 (between 0.004
and 0.0625), far from a one-hot 1: the untrained model has not learned where
to look.]],
      notice_zh = [[
viz.show 显示“128 x 64 shown as 12 x 32, averaged”：终端里的缩小版把格子
取了平均，lesson05_map.png 则画出全部 128 x 64 个格子。最后打印的是最小和
最大的权重：都在 1/64 的 4 倍范围内（介于 0.004 和 0.0625 之间），离独热的
1 还很远：没有训练过的模型还没学会该看哪里。]],
      check = function()
        local f = io.open("lesson05_map.png", "rb")
        lesson.expect(f ~= nil, "lesson05_map.png was written")
        f:close()
        lesson.expect(map:min():item() > 1 / 256 and map:max():item() < 1 / 16,
                      "every weight lies between 1/256 and 1/16")
        local small = viz.show(map, { width = 48, max_rows = 12, to_string = true })
        lesson.expect(small:find("(128 x 64 shown as 12 x 32, averaged)", 1, true),
                      "viz.show averages the map down: " .. small)
      end,
    },
    {
      text = [[
nn.TimeAttention(64) is the same block as one layer: transpose, Dense(tanh),
Dense(softmax), Multiply and the sum, with the same three weights. Call it
once on h to build it, copy the two Dense layers' weights in, and it gives the
same output and the same map.]],
      text_zh = [[
nn.TimeAttention(64) 把同样的计算打包成一层：transpose、Dense(tanh)、
Dense(softmax)、Multiply 和求和，权重也是同样的三个。先在 h 上调用一次来
构建它，再把两个 Dense 层的权重复制进去，它就给出相同的输出和相同的
注意力图。]],
      code = [[
ta = nn.TimeAttention(64)
ta(h);
ta:set_weights{kernel_1, bias_1, dense_softmax:get_weights()[1]}
y2 = ta(h)
y2.shape
ta:last_attention().shape
(y2 - y):abs():max()
(ta:last_attention() - att):abs():max()]],
      notice = [[
y2 is (2, 128) and equals y; ta:last_attention() is (2, 128, 64) and equals
att: both differences print 0 (or a rounding error below 1e-6).]],
      notice_zh = [[
y2 的形状是 (2, 128)，和 y 相等；ta:last_attention() 是 (2, 128, 64)，
和 att 相等：两个差值都打印为 0（或小于 1e-6 的舍入误差）。]],
      check = function()
        lesson.shape(y2, "(2, 128)")
        lesson.close(y2, y, 1e-6, "TimeAttention vs the recipe")
        lesson.shape(ta:last_attention(), "(2, 128, 64)")
        lesson.close(ta:last_attention(), att, 1e-6, "the two maps")
      end,
    },
  },
}
