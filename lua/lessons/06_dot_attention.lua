-- Lesson 6: dot-product attention with a learned query over an LSTM. The
-- scores, the softmax and the weighted sum by hand, then the Keras recipe
-- of examples/recipe2_dot_attention.lua with nn.Dot (and why the
-- tutorial's Dot(axes=(2, 1)) is the wrong contraction for the scores),
-- then nn.Attention.
--
--   ./attnlab lua/lessons/06_dot_attention.lua     (ATTNLAB_LANG=zh: 中文)
local lesson = require "attnlab.lesson"

local function find(s, part)
  return type(s) == "string" and s:find(part, 1, true) ~= nil
end

return lesson.define {
  title = "Dot-product attention with a learned query",
  title_zh = "带可学习查询的点积注意力",
  intro = [[
An LSTM reads a sequence; a Dense layer turns each of its outputs into a
query; each query scores every time step by a dot product. First by hand with
matmul, then with nn.Dot as the Keras tutorial
(examples/recipe2_dot_attention.lua) writes it, with one fix, then with
nn.Attention.]],
  intro_zh = [[
长短期记忆网络（LSTM）读入一个序列；一个 Dense 层把它每一步的输出变成一个
查询（query）；每个查询用点积给所有时间步打分。先用 matmul 手算，再按 Keras
教程（examples/recipe2_dot_attention.lua）的写法用 nn.Dot 实现（要改正一处），
最后用 nn.Attention。]],
  steps = {
    {
      text = [[
An LSTM with return_sequences=true over a batch of 2 sequences, 20 time steps
of 8 features. Its outputs h are both the keys (what each step holds) and the
values (what gets mixed).]],
      text_zh = [[
在一个批量上运行 LSTM（return_sequences=true）：2 个序列，每个 20 个时间步、
每步 8 个特征。它的输出 h 既是键（key，每个时间步拿来和查询比较的向量），
也是值（value，被加权混合的内容）。]],
      code = [[
nn.clear_session()
nn.seed(6)
x = tensor.randn(2, 20, 8)
lstm = nn.LSTM(32, {return_sequences = true})
h = lstm(x)
h.shape
lstm]],
      notice = [[
h is (2, 20, 32): T = 20 time steps, U = 32 units. The LSTM has
4 × (8·32 + 32·32 + 32) = 5,248 parameters: four gates (i, f, c, o), each
with a kernel, a recurrent kernel and a bias.]],
      notice_zh = [[
h 的形状是 (2, 20, 32)：T = 20 个时间步，U = 32 个单元。LSTM 的参数量是
4 × (8·32 + 32·32 + 32) = 5,248：四个门（i、f、c、o），每个门有 kernel、
recurrent_kernel 和一个偏置。]],
      check = function()
        lesson.shape(h, "(2, 20, 32)")
        lesson.expect(lstm:count_params() == 4 * (8 * 32 + 32 * 32 + 32)
                      and lstm:count_params() == 5248, "the LSTM has 5,248 parameters")
      end,
    },
    {
      text = [[
The learned query: Dense(32, activation='tanh') on h gives one query per time
step. Its kernel starts random and is learned when the model is trained; the
query decides what each step looks for.]],
      text_zh = [[
可学习的查询：在 h 上用 Dense(32, activation='tanh')，每个时间步得到一个
查询。它的 kernel 一开始是随机的，训练模型时才学出来；查询决定每个时间步
要找什么。]],
      code = [[
query_dense = nn.Dense(32, {activation = "tanh"})
q = query_dense(h)
q.shape
query_dense:count_params()]],
      notice = [[
q is (2, 20, 32): 20 queries of 32 features, the same size as the keys, so
they can be compared by a dot product. 32·32 + 32 = 1,056 learned
parameters.]],
      notice_zh = [[
q 的形状是 (2, 20, 32)：20 个查询，每个 32 维，和键的维度相同，所以可以用
点积比较。可学习的参数量是 32·32 + 32 = 1,056。]],
      check = function()
        lesson.shape(q, "(2, 20, 32)")
        lesson.expect(query_dense:count_params() == 1056, "query_dense has 1,056 parameters")
        local kernel = query_dense.weights[1]
        lesson.shape(kernel, "(32, 32)")
        lesson.expect(kernel.requires_grad, "the kernel is a trainable weight")
        lesson.expect(kernel:max():item() > kernel:min():item(), "the kernel starts random")
        lesson.close(q, tensor.tanh(tensor.matmul(h, kernel) + query_dense.weights[2]), 1e-6,
                     "one query per time step")
      end,
    },
    {
      text = [[
The scores by hand: q times h transposed. h:transpose{0, 2, 1} is (2, 32, 20),
so the product contracts the 32 features of both: scores[b, i, j] is the dot
product of query i with key j.]],
      text_zh = [[
手算注意力分数：q 乘以转置后的 h。h:transpose{0, 2, 1} 的形状是
(2, 32, 20)，所以矩阵乘法把两者的 32 个特征相乘求和：scores[b, i, j] 就是
查询 i 和键 j 的点积。]],
      code = [[
scores = q:matmul(h:transpose{0, 2, 1})
scores.shape
scores:get(0, 3, 5)
(q[0][3] * h[0][5]):sum():item()]],
      notice = [[
scores is (2, 20, 20): for each of the 20 queries, one score per time step.
The last two numbers agree up to float32 rounding (below 1e-6):
scores[0, 3, 5] is query 3 · key 5 of sample 0.]],
      notice_zh = [[
scores 的形状是 (2, 20, 20)：20 个查询中的每一个，对每个时间步都有一个
分数。最后两个数只差 float32 的舍入误差（小于 1e-6）：scores[0, 3, 5] 就是
第 0 个样本中查询 3 和键 5 的点积。]],
      check = function()
        lesson.shape(scores, "(2, 20, 20)")
        lesson.close(scores:get(0, 3, 5), (q[0][3] * h[0][5]):sum():item(), 1e-6, "scores[0, 3, 5]")
      end,
    },
    {
      text = [[
Softmax over the last axis (the 20 keys) turns each query's scores into
weights, and the weighted sum of the values gives one context vector per
query: weights:matmul(h).]],
      text_zh = [[
沿最后一个轴（20 个键）做 softmax，把每个查询的分数变成权重；
再对值加权求和，每个查询得到一个上下文向量：weights:matmul(h)。]],
      code = [[
weights = tensor.softmax(scores, -1)
row_sums = weights:sum(-1)
row_sums.shape
row_sums:min():item(), row_sums:max():item()
context = weights:matmul(h)
context.shape
by_hand = (tensor.expand_dims(weights[0][3], -1) * h[0]):sum(0)
(by_hand - context[0][3]):abs():max()]],
      notice = [[
row_sums is (2, 20), one sum per query; the smallest and the largest are
both 1 up to float32 rounding: each query spreads exactly 1 over the 20
steps. context is (2, 20, 32), like h. Row 3 of sample 0 is
Σ_j weights[0, 3, j] · h[0, j]: by_hand equals it (the difference prints 0,
or a rounding error below 1e-6).]],
      notice_zh = [[
row_sums 的形状是 (2, 20)，每个查询一个和；其中最小值与最大值都是 1，只差
float32 的舍入误差：每个查询把总量 1 分配到 20 个时间步上。context 的形状是
(2, 20, 32)，和 h 一样。第 0 个样本的第 3 行是
Σ_j weights[0, 3, j] · h[0, j]：by_hand 与它相等（差值打印为 0，或小于 1e-6
的舍入误差）。]],
      check = function()
        lesson.shape(row_sums, "(2, 20)")
        lesson.close(row_sums, tensor.ones(2, 20), 1e-6, "weights sum to 1")
        lesson.shape(context, "(2, 20, 32)")
        lesson.shape(by_hand, "(32,)")
        lesson.close(by_hand, context[0][3], 1e-6, "by_hand vs context[0][3]")
      end,
    },
    {
      text = [[
The Keras tutorial writes the scores as Dot(axes=(2, 1))([query, h]). Dot's
axes count the batch axis, as Keras's do: axis 2 of the query is its 32
features, axis 1 of h its 20 time steps. Contracted axes must have the same
size, so on our data it fails. pcall catches the error; we print the two
parts of the message that matter (type err to see all of it).]],
      text_zh = [[
Keras 教程把分数写成 Dot(axes=(2, 1))([query, h])。Dot 的轴号和 Keras 一样，
把批量轴也算在内：查询的第 2 轴是它的 32 个特征，h 的第 1 轴是 20 个时间步。
被相乘求和的两个轴长度必须相同，所以在我们的数据上会出错。用 pcall 捕获这个
错误，打印出消息里关键的两部分（输入 err 可以看到完整的消息）。]],
      code = [[
tutorial_dot = nn.Dot{axes = {2, 1}}
ok, err = pcall(tutorial_dot, {q, h})
ok
err:match("axis values [^.]*")
err:match("Hint: .*")]],
      notice = [[
ok is false. err names the two axes, "axis values 32 (at axis 2) != 20 (at
axis 1)", and ends with attnlab's hint: "for query-key scores use
axes={2, 2}".]],
      notice_zh = [[
ok 是 false。err 指出了两个轴：“axis values 32 (at axis 2) != 20
(at axis 1)”，最后是 attnlab 给的提示：“for query-key scores use
axes={2, 2}”。]],
      check = function()
        lesson.expect(ok == false, "the tutorial's Dot fails")
        lesson.expect(find(err, "Incompatible input shapes: axis values 32 (at axis 2) != 20 (at axis 1)"),
                      "the message names the axes: " .. tostring(err))
        lesson.expect(err:match("axis values [^.]*") == "axis values 32 (at axis 2) != 20 (at axis 1)",
                      "the first part printed: " .. tostring(err))
        lesson.expect(err:match("Hint: .*") == "Hint: for query-key scores use axes={2, 2}",
                      "the message ends with the hint: " .. tostring(err))
      end,
    },
    {
      text = [[
The tutorial's line only runs when the sequences have as many time steps as
the LSTM has units (T == U). Then the sizes agree and Dot(axes=(2, 1)) runs
without a word, but it multiplies feature k of the query with time step k of
h: it is q @ h, not the scores q @ hᵀ. Try it with 32 steps.]],
      text_zh = [[
教程的这一行只有在时间步数恰好等于 LSTM 的单元数（T == U）时才能运行。
这时两个轴长度相同，Dot(axes=(2, 1)) 一声不响地运行了，但它把查询的第 k 个
特征和 h 的第 k 个时间步相乘：算的是 q @ h，而不是注意力分数 q @ hᵀ。
用 32 个时间步试一试。]],
      code = [[
h32 = lstm(tensor.randn(2, 32, 8))
q32 = query_dense(h32)
wrong = tutorial_dot({q32, h32})
wrong.shape
(wrong - q32:matmul(h32)):abs():max()
(wrong - q32:matmul(h32:transpose{0, 2, 1})):abs():max()]],
      notice = [[
wrong is (2, 32, 32), the shape scores would have, so nothing looks wrong.
It equals q32 @ h32 (the first difference prints 0) and not the scores
q32 @ h32ᵀ (the second difference is far from 0, above 0.01).]],
      notice_zh = [[
wrong 的形状是 (2, 32, 32)，正是注意力分数应有的形状，所以看不出问题。
但它等于 q32 @ h32（第一个差值打印为 0），而不是注意力分数 q32 @ h32ᵀ
（第二个差值远不为 0，大于 0.01）。]],
      check = function()
        lesson.shape(wrong, "(2, 32, 32)")
        lesson.close(wrong, q32:matmul(h32), 1e-6, "Dot(axes=(2, 1)) vs q @ h")
        lesson.expect(lesson.maxdiff(wrong, q32:matmul(h32:transpose { 0, 2, 1 })) > 0.01,
                      "Dot(axes=(2, 1)) is not the scores")
      end,
    },
    {
      text = [[
The right axes for query-key scores: axes={2, 2}, the features of both. These
are exactly the scores computed by hand.]],
      text_zh = [[
查询-键注意力分数的正确写法是 axes={2, 2}：两边都取特征轴。结果和手算的
分数完全相同。]],
      code = [[
scores_dot = nn.Dot{axes = {2, 2}}
scores2 = scores_dot({q, h})
scores2.shape
(scores2 - scores):abs():max()]],
      notice = [[
scores2 is (2, 20, 20) and equals scores: the difference prints 0 (or a
rounding error below 1e-6).]],
      notice_zh = [[
scores2 的形状是 (2, 20, 20)，和 scores 相等：差值打印为 0（或小于 1e-6
的舍入误差）。]],
      check = function()
        lesson.shape(scores2, "(2, 20, 20)")
        lesson.close(scores2, scores, 1e-6, "Dot(axes={2, 2}) vs the scores by hand")
      end,
    },
    {
      text = [[
Now the recipe on nn.Input, with the same lstm and query_dense. For the
weighted sum, Dot(axes=(2, 1)) is right: axis 2 of the weights is the 20 keys,
axis 1 of h the 20 time steps, the same thing.]],
      text_zh = [[
现在在 nn.Input 上搭建教程的模型，沿用同一个 lstm 和 query_dense。加权求和
这一步用 Dot(axes=(2, 1)) 是对的：权重的第 2 轴是 20 个键，h 的第 1 轴是
20 个时间步，两者是同一个东西。]],
      code = [[
inputs = nn.Input{20, 8}
h_in = lstm(inputs)
query = query_dense(h_in)
att_weights = nn.Activation("softmax")(scores_dot({query, h_in}))
att_weights.shape
context_in = nn.Dot{axes = {2, 1}}({att_weights, h_in})
context_in.shape]],
      notice = [[
att_weights is (None, 20, 20): for each query, a weight per key. context_in
is (None, 20, 32): one context vector per query, as by hand.]],
      notice_zh = [[
att_weights 的形状是 (None, 20, 20)：每个查询对每个键有一个权重。
context_in 是 (None, 20, 32)：每个查询一个上下文向量，和手算的一样。]],
      check = function()
        lesson.shape(h_in, "(None, 20, 32)")
        lesson.shape(att_weights, "(None, 20, 20)")
        lesson.shape(context_in, "(None, 20, 32)")
      end,
    },
    {
      text = [[
The recipe ends by summing the context vectors over time (a Lambda around
tf.reduce_sum(c, axis=1)) and concatenating the last LSTM output. nn.Model
records it; on x it must give what our hand computation gives.]],
      text_zh = [[
教程最后把上下文向量沿时间求和（用 Lambda 包住 tf.reduce_sum(c, axis=1)），
再拼接上 LSTM 最后一个时间步的输出。nn.Model 把它记录成模型；在 x 上运行，
结果应该和手算的一样。]],
      code = [[
pooled = nn.Lambda(function(c) return tensor.sum(c, 1) end)(context_in)
outputs = nn.Concatenate{axis = -1}({pooled, tensor.select(h_in, 1, -1)})
pooled.shape, outputs.shape
model = nn.Model(inputs, outputs)
y = model(x)
y.shape
by_hand_y = tensor.concat({context:sum(1), tensor.select(h, 1, -1)}, -1)
(y - by_hand_y):abs():max()]],
      notice = [[
pooled is (None, 32) and outputs (None, 64): 32 pooled + 32 from the last
step. y is (2, 64) and equals by_hand_y (the difference prints 0, or a
rounding error below 1e-6).]],
      notice_zh = [[
pooled 的形状是 (None, 32)，outputs 是 (None, 64)：32 维的汇聚结果加上
最后一步的 32 维。y 的形状是 (2, 64)，和 by_hand_y 相等（差值打印为 0，
或小于 1e-6 的舍入误差）。]],
      check = function()
        lesson.shape(pooled, "(None, 32)")
        lesson.shape(outputs, "(None, 64)")
        lesson.shape(y, "(2, 64)")
        lesson.close(y, by_hand_y, 1e-6, "the recipe vs by hand")
      end,
    },
    {
      text = [[
Keras's Attention layer is this dot-product attention in one layer:
Attention()([query, value]) uses the value as the key too, so scores = q hᵀ,
softmax over the keys, weighted sum of the values. Like every attention layer
here it keeps its weights: last_attention().]],
      text_zh = [[
Keras 的 Attention 层就是把这种点积注意力做成一层：
Attention()([query, value]) 把值同时当作键，所以分数是 q hᵀ，沿键做
softmax，再对值加权求和。和这里所有的注意力层一样，它会保存权重：
last_attention()。]],
      code = [[
att = nn.Attention()
context3 = att({q, h})
att:last_attention().shape
(att:last_attention() - weights):abs():max()
(context3 - context):abs():max()]],
      notice = [[
last_attention() is (2, 20, 20) and equals the weights by hand; context3
equals context. Both differences print 0 (or a rounding error below 1e-6).]],
      notice_zh = [[
last_attention() 的形状是 (2, 20, 20)，和手算的权重相等；context3 和
context 相等。两个差值都打印为 0（或小于 1e-6 的舍入误差）。]],
      check = function()
        lesson.shape(att:last_attention(), "(2, 20, 20)")
        lesson.close(att:last_attention(), weights, 1e-6, "nn.Attention's weights vs by hand")
        lesson.close(context3, context, 1e-6, "nn.Attention's output vs by hand")
      end,
    },
  },
}
